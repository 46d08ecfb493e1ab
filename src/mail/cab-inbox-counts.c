/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-inbox-counts.h"
#include "cab-mail-seen.h"
#include "cab-query.h"
#include "cab-store-private.h"

gboolean
cab_inbox_store_counts (CabStore        *store,
                        CabInboxCounts  *counts,
                        GError         **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;

  if (reader == NULL)
    return FALSE;
  stmt = cab_store_conn_prepare (reader,
    "SELECT count (*), count (*) FILTER (WHERE status = 'new'),"
    " count (*) FILTER (WHERE " CAB_MAIL_UNREAD_SQL ("") ") FROM mail_messages", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count mail messages");
      return FALSE;
    }
  counts->n_total = sqlite3_column_int (stmt, 0);
  counts->n_to_triage = sqlite3_column_int (stmt, 1);
  counts->n_unread = sqlite3_column_int (stmt, 2);
  return TRUE;
}

static void
counts_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  g_autofree CabInboxCounts *counts = g_new0 (CabInboxCounts, 1);
  GError *error = NULL;

  if (!cab_inbox_store_counts (store, counts, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&counts), g_free);
}

void
cab_inbox_query_counts_async (CabStore            *store,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_inbox_query_counts_async, NULL, NULL, counts_run, cancellable, callback, user_data);
}

CabInboxCounts *
cab_inbox_query_counts_finish (GAsyncResult  *result,
                               GError       **error)
{
  return cab_query_finish_pointer (result, cab_inbox_query_counts_async, error);
}
