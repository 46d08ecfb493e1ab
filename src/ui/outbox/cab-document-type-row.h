/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-outbox.h"

G_BEGIN_DECLS

/* A combo row ("T_ype", mnemonic) listing cab_document_types() by the names
 * practitioners use; its position is the index in that table. Shared by the
 * publish and edit dialogs. */
#define CAB_TYPE_DOCUMENT_TYPE_ROW (cab_document_type_row_get_type ())
G_DECLARE_FINAL_TYPE (CabDocumentTypeRow, cab_document_type_row, CAB, DOCUMENT_TYPE_ROW, AdwComboRow)

GtkWidget  *cab_document_type_row_new      (void);
/* An unknown code leaves the selection as it is. */
void        cab_document_type_row_set_code (AdwComboRow *row,
                                            const char  *type_code);
const char *cab_document_type_row_get_code (AdwComboRow *row);

G_END_DECLS
