/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_DOCUMENT_CHOOSER (cab_document_chooser_get_type ())
G_DECLARE_FINAL_TYPE (CabDocumentChooser, cab_document_chooser, CAB, DOCUMENT_CHOOSER, AdwWindow)

/* The patient's documents to attach to a message: the timeline's model
 * (CabTimeline, async, without month headers nor imaging KOS entries) with
 * a check box per row and a search. "documents-chosen" (GStrv) on Attach. */
CabDocumentChooser *cab_document_chooser_new       (GtkWindow          *parent,
                                                    CabStore           *store,
                                                    const char         *patient_id);
/* Tests: the model, and ticking document @id as a click would. */
GListModel         *cab_document_chooser_get_model (CabDocumentChooser *self);
gboolean            cab_document_chooser_toggle    (CabDocumentChooser *self,
                                                    const char         *document_id);

G_END_DECLS
