/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The sidebar's counts of the whole inbox, read alone (core's reader
 * pool): after a message is read or marked unread the list is not read
 * again, only these. */
typedef struct
{
  guint n_to_triage;
  guint n_unread;
  guint n_total;
} CabInboxCounts;

/* Blocking (worker threads). */
gboolean        cab_inbox_store_counts        (CabStore            *store,
                                               CabInboxCounts      *counts,
                                               GError             **error);

void            cab_inbox_query_counts_async  (CabStore            *store,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* g_free() it. */
CabInboxCounts *cab_inbox_query_counts_finish (GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
