/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The indexing pass (docs/architecture.md, "Mail"): the PDFs' text of the
 * messages a sync stored with their text left pending
 * (CabMailSyncOptions.defer_pdf_text), read from their raw files and put
 * into the full-text index, a few messages per transaction. Resumable: a
 * message stays pending until the transaction that indexes it commits.
 * Blocking: call from a worker thread. */

/* At most @max_messages (0: every pending one); @n_indexed: how many were
 * indexed. Stops with G_IO_ERROR_CANCELLED between transactions. */
gboolean cab_mail_index_pending   (CabStore      *store,
                                   guint          max_messages,
                                   guint         *n_indexed,
                                   GCancellable  *cancellable,
                                   GError       **error);
/* How many messages wait for the pass. */
gboolean cab_mail_index_n_pending (CabStore      *store,
                                   guint         *n_pending,
                                   GError       **error);

G_END_DECLS
