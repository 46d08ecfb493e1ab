/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-composer.h"
#include "cab-recipient-entry.h"

G_BEGIN_DECLS

/* What the composer's tests look at; the rest of the UI uses the public
 * header. */

CabRecipientEntry *cab_composer_get_recipients        (CabComposer *self);
GtkEditable       *cab_composer_get_subject_field     (CabComposer *self);
GtkTextBuffer     *cab_composer_get_body              (CabComposer *self);
GtkSwitch         *cab_composer_get_receipt_switch    (CabComposer *self);
/* The draft's row id once saved (0 before), and the saves that landed. */
gint64             cab_composer_get_draft_id          (CabComposer *self);
guint              cab_composer_get_n_saved           (CabComposer *self);
/* Nothing waiting to be saved and no save running. */
gboolean           cab_composer_is_saved              (CabComposer *self);
/* TRUE once the patient (if any) and the attachments' details are read. */
gboolean           cab_composer_is_ready              (CabComposer *self);
/* The patient mailbox row: visible, its title and subtitle, whether its
 * Add button is offered. */
gboolean           cab_composer_get_patient_mailbox   (CabComposer *self,
                                                       const char **title,
                                                       const char **subtitle,
                                                       gboolean    *offered);
/* The warning under the recipients (non-MSSanté), or NULL when hidden. */
const char        *cab_composer_get_outside_warning   (CabComposer *self);
/* Attachments: timeline document ids and files (paths), NULL-terminated. */
char             **cab_composer_dup_document_ids      (CabComposer *self);
char             **cab_composer_dup_files             (CabComposer *self);
guint              cab_composer_get_n_attachments     (CabComposer *self);
/* The attachments list's row titles and subtitles ("name\nsubtitle"). */
char              *cab_composer_dup_attachment_text   (CabComposer *self,
                                                       guint        index);
/* The queued message being edited (cab_composer_edit_entry()), or 0. */
gint64             cab_composer_get_edit_entry_id     (CabComposer *self);
/* The outbox entry queued by Send (0 before), and why Send failed. */
gint64             cab_composer_get_entry_id          (CabComposer *self);
const char        *cab_composer_get_send_error        (CabComposer *self);
/* The document chooser, once opened with composer.attach-document. */
GtkWindow         *cab_composer_get_document_chooser  (CabComposer *self);

G_END_DECLS
