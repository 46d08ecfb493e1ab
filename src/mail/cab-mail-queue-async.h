/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-send.h"
#include "cab-outbox.h"

G_BEGIN_DECLS

/* cab_mail_queue() on a worker thread, for the UI (docs/architecture.md,
 * "Sending mail"). @draft is copied. @outbox (may be NULL) is told once the
 * entry is in the store: its page shows it and its drain wakes, online or
 * not (offline, the entry waits like every other). */
void     cab_mail_queue_async  (CabStore            *store,
                                CabOutbox           *outbox,
                                const CabMailDraft  *draft,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
/* The outbox entry's id; FALSE with the error of cab_mail_queue(). */
gboolean cab_mail_queue_finish (GAsyncResult        *result,
                                gint64              *entry_id,
                                GError             **error);

G_END_DECLS
