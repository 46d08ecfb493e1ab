/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Read and unread (docs/architecture.md, "The Inbox page"). The IMAP \Seen
 * flag is shared by every desk of the mailbox; the sync records it with
 * the other flags (server_keywords). Opening a message marks it read here
 * at once (seen_local) and queues a light "mailflags" outbox entry in the
 * lane "mailseen:<id>", apart from the triage lane so that an unsent read
 * never holds the message's triage back; cab-mail-flags.c sends it as a
 * STORE of \Seen alone. Nothing else happens on reading: no undo record,
 * no triage. */

/* Whether mail_messages row @m (an alias with its dot, or "") is unread:
 * this desk's change while it is on its way, else the server's \Seen. */
#define CAB_MAIL_UNREAD_SQL(m) \
  "coalesce (" m "seen_local = 0, instr (' ' || " m "server_keywords || ' ', ' \\Seen ') = 0)"

/* The lane of a message's read/unread changes: "mailseen:<id>". */
char     *cab_mail_seen_lane        (gint64               mail_id);

/* Blocking (worker threads). Marks message @mail_id read (@seen) or
 * unread. When it already is, nothing is written and @changed is FALSE. */
gboolean  cab_mail_seen_set         (CabStore            *store,
                                     CabOutbox           *outbox,
                                     gint64               mail_id,
                                     gboolean             seen,
                                     gboolean            *changed,
                                     GError             **error);

void      cab_mail_seen_set_async   (CabStore            *store,
                                     CabOutbox           *outbox,
                                     gint64               mail_id,
                                     gboolean             seen,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
/* TRUE when it went well; @changed: something was written. */
gboolean  cab_mail_seen_set_finish  (GAsyncResult        *result,
                                     gboolean            *changed,
                                     GError             **error);

G_END_DECLS
