/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-outbox.h"
#include "cab-outbox-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_OUTBOX_EDIT_DIALOG (cab_outbox_edit_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxEditDialog, cab_outbox_edit_dialog, CAB, OUTBOX_EDIT_DIALOG, AdwWindow)

/* Changing the title and type of a publish not sent yet (pending, held or
 * failed), prefilled from core's description of the entry. "Save" runs
 * cab_outbox_edit_publish_async(); for a failed entry "Save and Retry" asks
 * it to retry too. On success the dialog emits "saved" (gint64 entry id,
 * gboolean retried) and closes; on error it stays open and says why. */
gboolean             cab_outbox_edit_dialog_can_edit  (CabOutboxItem        *item);
CabOutboxEditDialog *cab_outbox_edit_dialog_new       (GtkWindow            *parent,
                                                       CabOutbox            *outbox,
                                                       CabOutboxItem        *item);
gint64               cab_outbox_edit_dialog_get_entry_id (CabOutboxEditDialog *self);
const char          *cab_outbox_edit_dialog_get_document_title (CabOutboxEditDialog *self);
void                 cab_outbox_edit_dialog_set_document_title (CabOutboxEditDialog *self,
                                                       const char           *title);
const char          *cab_outbox_edit_dialog_get_type_code (CabOutboxEditDialog *self);
void                 cab_outbox_edit_dialog_set_type  (CabOutboxEditDialog  *self,
                                                       const char           *type_code);
/* Whether "Save and Retry" is offered (the entry failed). */
gboolean             cab_outbox_edit_dialog_get_can_retry (CabOutboxEditDialog *self);
/* What the buttons do; @retry only for a failed entry. */
void                 cab_outbox_edit_dialog_save      (CabOutboxEditDialog  *self,
                                                       gboolean              retry);
/* The error shown in the dialog, or NULL. */
const char          *cab_outbox_edit_dialog_get_error (CabOutboxEditDialog  *self);

G_END_DECLS
