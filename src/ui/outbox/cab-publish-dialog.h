/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-outbox.h"

G_BEGIN_DECLS

#define CAB_TYPE_PUBLISH_DIALOG (cab_publish_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CabPublishDialog, cab_publish_dialog, CAB, PUBLISH_DIALOG, AdwWindow)

/* Publishing a PDF to a patient's DMP: its type (docs/domain.md, "Document types"), a
 * title, and "hold back" (off: publication is the rule). "Publish" queues
 * it in the outbox (never waits for the network), then activates
 * "win.outbox-queued" on @parent and emits "queued" (gint64 entry id). */
CabPublishDialog *cab_publish_dialog_new         (GtkWindow        *parent,
                                                  CabOutbox        *outbox,
                                                  const char       *patient_id,
                                                  GFile            *file);
void              cab_publish_dialog_set_type    (CabPublishDialog *self,
                                                  const char       *type_code);
const char       *cab_publish_dialog_get_type_code (CabPublishDialog *self);
void              cab_publish_dialog_set_document_title (CabPublishDialog *self,
                                                  const char       *title);
void              cab_publish_dialog_set_hold    (CabPublishDialog *self,
                                                  gboolean          hold);
/* What the Publish button does. */
void              cab_publish_dialog_publish     (CabPublishDialog *self);
/* The error shown in the dialog (not a PDF...), or NULL. */
const char       *cab_publish_dialog_get_error   (CabPublishDialog *self);

/* Asks for a PDF (GtkFileChooserNative), then opens the dialog. */
void              cab_publish_dialog_choose_file (GtkWindow        *parent,
                                                  CabOutbox        *outbox,
                                                  const char       *patient_id);

G_END_DECLS
