/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-store.h"
#include "cab-mail-sync.h"

G_BEGIN_DECLS

/* The new messages of one folder, fetched, read and stored
 * (cab-mail-sync-pipeline.c, docs/architecture.md "Mail", "The
 * pipeline"): @wanted (UIDs, ascending) in batches of @batch_size, one
 * transaction per batch with @watermark moved past it; the last batch's
 * watermark passes every UID of @entries (the too-large ones too). On
 * return @imap is the caller's again. */
gboolean cab_mail_sync_fetch_and_store (CabStore                 *store,
                                        CabImap                  *imap,
                                        const CabMailSyncOptions *options,
                                        const char               *account,
                                        const char               *mailbox,
                                        guint32                   uidvalidity,
                                        GArray                   *entries,
                                        GArray                   *wanted,
                                        guint                     batch_size,
                                        CabMailFolder            *watermark,
                                        CabMailSyncResult        *result,
                                        GCancellable             *cancellable,
                                        GError                  **error);

G_END_DECLS
