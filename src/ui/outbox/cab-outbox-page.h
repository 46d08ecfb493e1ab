/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-outbox.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_OUTBOX_PAGE (cab_outbox_page_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxPage, cab_outbox_page, CAB, OUTBOX_PAGE, GtkWidget)

/* The Outbox page: what needs the user (failed, conflicts, with both
 * versions side by side), what waits to be sent, and what was sent lately.
 * Shows core's outbox model (cab-outbox-model.h); the session's outbox
 * once its store is open, or the one given to cab_outbox_page_set_outbox().
 *
 * Property "n-pending" (uint): entries waiting or being sent (the badge).
 * Signal "toast" (string): a message for the window's toast overlay. */
GtkWidget *cab_outbox_page_new             (void);
/* Property "session": the page follows its outbox. */
void        cab_outbox_page_set_session    (CabOutboxPage  *self,
                                            CabSession     *session);
CabSession *cab_outbox_page_get_session    (CabOutboxPage  *self);
void       cab_outbox_page_set_outbox      (CabOutboxPage  *self,
                                            CabOutbox      *outbox);
CabOutbox *cab_outbox_page_get_outbox      (CabOutboxPage  *self);
guint      cab_outbox_page_get_n_pending   (CabOutboxPage  *self);

/* For tests: completed reloads so far, and how many of the shown entries
 * are in @state. */
guint      cab_outbox_page_get_n_loads     (CabOutboxPage  *self);
/* The composer's drafts listed at the top (docs/architecture.md,
 * "Drafts"), and how many times they were read (tests). */
guint      cab_outbox_page_get_n_drafts       (CabOutboxPage  *self);
/* Sent messages shown with their read receipt ("Read on …"). */
guint      cab_outbox_page_get_n_read         (CabOutboxPage  *self);
guint      cab_outbox_page_get_n_drafts_loads (CabOutboxPage  *self);
/* Opens draft @index in the composer, as a click does. */
gboolean   cab_outbox_page_open_draft         (CabOutboxPage  *self,
                                               guint           index);
/* Clicks entry @entry_id's Edit… button, as a user does; FALSE when the
 * entry shows none (sent, sending, a read receipt). */
gboolean   cab_outbox_page_edit_entry         (CabOutboxPage  *self,
                                               gint64          entry_id);
gboolean   cab_outbox_page_offers_edit        (CabOutboxPage  *self,
                                               gint64          entry_id);
/* For tests: the title and subtitle shown on entry @entry_id's row, while
 * it offers a button (Edit…, Retry, Cancel...); NULL otherwise. */
char      *cab_outbox_page_dup_entry_text     (CabOutboxPage  *self,
                                               gint64          entry_id,
                                               char          **subtitle);
guint      cab_outbox_page_count_shown     (CabOutboxPage  *self,
                                            CabOutboxState  state);

/* The user-facing name of a state ("Waiting to be sent"...). */
const char *cab_outbox_state_label         (CabOutboxState  state);

G_END_DECLS
