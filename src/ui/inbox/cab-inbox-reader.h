/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-inbox-item.h"
#include "cab-session.h"
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
 * message and it is to be filed: the proposed patient confirmed with one
 * click, or any other patient (a candidate, one found by the search)
 * after the pane showed what the message says beside the patient's record
 * and what disagrees, and the person clicked "File to ..." (principle 4);
 * "assign" (practitioner "Practitioner/<id>", or NULL: nobody): chosen in
 * the "Assign to…" popover (the practice's practitioners, read when it
 * opens). The actions row under the headers holds "Assign to…" and "Mark
 * as Unread" (inbox.mark-unread); other message actions join it.
 * A read receipt request is asked about in a banner under the headers
 * ("Send Receipt" / "Ignore") or answered at once, as the preference says
 * (cab-mail-mdn-answer.h), once cab_inbox_reader_set_session() said where
 * receipts go. */
GtkWidget    *cab_inbox_reader_new          (void);
void          cab_inbox_reader_set_store    (CabInboxReader *self,
                                             CabStore       *store);
void          cab_inbox_reader_set_item     (CabInboxReader *self,
                                             CabInboxItem   *item);
CabInboxItem *cab_inbox_reader_get_item     (CabInboxReader *self);
/* Read receipts are queued on @session's outbox, sent from its mailbox's
 * address (none: requests are not answered). */
void          cab_inbox_reader_set_session  (CabInboxReader *self,
                                             CabSession     *session);
/* The message shown, read whole (for Reply and Forward), or NULL. */
const CabInboxMessage *cab_inbox_reader_get_message (CabInboxReader *self);
gboolean      cab_inbox_reader_get_loading  (CabInboxReader *self);
/* Opens the patient search below the match (Ctrl+Shift+P). */
void          cab_inbox_reader_search_patient (CabInboxReader *self);
/* Opens the "Assign to…" popover (Ctrl+I). */
void          cab_inbox_reader_popup_assign   (CabInboxReader *self);
/* A person chose @patient_id: compares, then waits for "File to ...". */
void          cab_inbox_reader_choose_patient (CabInboxReader *self,
                                               const char     *patient_id);

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
/* The "Assign to…" popover: its practitioners (read when it opens). */
guint         cab_inbox_reader_get_n_practitioners (CabInboxReader *self);
const char   *cab_inbox_reader_get_practitioner (CabInboxReader *self,
                                                 guint           index);
GtkPopover   *cab_inbox_reader_get_assign_popover (CabInboxReader *self);
/* Activates the popover's row of @practitioner; FALSE when not listed. */
gboolean      cab_inbox_reader_activate_practitioner (CabInboxReader *self,
                                                      const char     *practitioner);
/* The popover's name for @practitioner ("Dr Jean MARTIN"), else the
 * reference; NULL for NULL. */
char         *cab_inbox_reader_get_practitioner_name (CabInboxReader *self,
                                                      const char     *practitioner);
/* The patient chosen and waiting for "File to ...", or NULL. */
const char   *cab_inbox_reader_get_chosen_patient (CabInboxReader *self);
/* What disagrees with the chosen patient (CabMatchTraitFlags), once read. */
guint         cab_inbox_reader_get_chosen_disagreeing (CabInboxReader *self);
const char   *cab_inbox_reader_get_confirm_summary (CabInboxReader *self);
/* "File to ..." can be clicked (the comparison is shown). */
gboolean      cab_inbox_reader_get_can_confirm (CabInboxReader *self);
/* Clicks "File to ..." when it can be. */
void          cab_inbox_reader_confirm         (CabInboxReader *self);
GtkWidget    *cab_inbox_reader_get_confirm_box (CabInboxReader *self);
/* The read receipt banner's text, or NULL when it is hidden; its buttons. */
const char   *cab_inbox_reader_get_receipt_text (CabInboxReader *self);
GtkWidget    *cab_inbox_reader_get_receipt_box  (CabInboxReader *self);
void          cab_inbox_reader_answer_receipt   (CabInboxReader *self,
                                                 gboolean        send);
/* The path of the first PDF the pane can open, or NULL. */
const char   *cab_inbox_reader_get_first_pdf    (CabInboxReader *self);
/* After an indexing round: whether the message shown still waits for its
 * PDFs' text, read again (its hint goes once they are read). */
void          cab_inbox_reader_refresh_text_state (CabInboxReader *self);
/* The hint under "Documents" that their text is not indexed yet, or NULL. */
const char   *cab_inbox_reader_get_text_hint    (CabInboxReader *self);

G_END_DECLS
