/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-inbox-item.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_READER (cab_inbox_reader_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxReader, cab_inbox_reader, CAB, INBOX_READER, GtkWidget)

/* The Inbox page's reading pane: one message's headers, its patient match
 * (state, reason, what disagrees in red, the matched patient or the
 * candidates with their identity status, a search for another patient),
 * its documents (XDM metadata, a warning when a hash or size disagrees;
 * PDFs open in the viewer) and its text. It reads the message with
 * cab_inbox_query_message_async() and the patients with
 * cab_patient_query_by_ids_async(); a newer message supersedes both.
 *
 * Properties: store, item (CabInboxItem or NULL), loading (read-only).
 * Signals: "open-document" (path, title): a PDF to show;
 * "patient-chosen" (patient id): the person chose this patient for the
 * message (a candidate, or one found by the search). */
GtkWidget    *cab_inbox_reader_new          (void);
void          cab_inbox_reader_set_store    (CabInboxReader *self,
                                             CabStore       *store);
void          cab_inbox_reader_set_item     (CabInboxReader *self,
                                             CabInboxItem   *item);
CabInboxItem *cab_inbox_reader_get_item     (CabInboxReader *self);
/* The message shown, read whole (for Reply and Forward), or NULL. */
const CabInboxMessage *cab_inbox_reader_get_message (CabInboxReader *self);
gboolean      cab_inbox_reader_get_loading  (CabInboxReader *self);
/* Opens the patient search below the match (Ctrl+Shift+P). */
void          cab_inbox_reader_search_patient (CabInboxReader *self);

/* For tests: what the pane shows. */
const char   *cab_inbox_reader_get_reason_text  (CabInboxReader *self);
/* What disagrees (shown in red), or NULL when hidden. */
const char   *cab_inbox_reader_get_traits_text  (CabInboxReader *self);
const char   *cab_inbox_reader_get_badge_text   (CabInboxReader *self);
GtkWidget    *cab_inbox_reader_get_badge        (CabInboxReader *self);
const char   *cab_inbox_reader_get_body_text    (CabInboxReader *self);
/* Rows of the patient list, and each one's identity badge text. */
guint         cab_inbox_reader_get_n_patients   (CabInboxReader *self);
const char   *cab_inbox_reader_get_patient_status (CabInboxReader *self,
                                                   guint           index);
guint         cab_inbox_reader_get_n_documents  (CabInboxReader *self);
/* Documents shown with the hash or size warning. */
guint         cab_inbox_reader_get_n_mismatches (CabInboxReader *self);
/* The path of the first PDF the pane can open, or NULL. */
const char   *cab_inbox_reader_get_first_pdf    (CabInboxReader *self);

G_END_DECLS
