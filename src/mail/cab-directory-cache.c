/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* The directory cache in the store (directory_entries, migration 11):
 * written in one transaction per sync or online search, read by the sync
 * for what to ask again. Worker threads only; bound parameters only. The
 * FTS rows follow by trigger. */

#include "cab-directory-private.h"
#include "cab-store-private.h"

static gboolean
step_done (CabStoreWriter *writer, CabStmt *stmt, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot write the directory cache");
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_directory_cache_put (CabStore   *store,
                         GPtrArray  *entries,
                         GPtrArray  *replaced_ids,
                         GPtrArray  *removed_rpps,
                         guint      *n_removed,
                         GError    **error)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!cab_store_begin (writer, error))
    return FALSE;

  /* What the directory no longer lists: an address of a replaced
   * practitioner that no entry brings back, or of an RPPS not listed. */
  for (guint i = 0; removed_rpps != NULL && i < removed_rpps->len; i++)
    {
      g_autoptr(CabStmt) del = cab_store_conn_prepare (writer,
        "DELETE FROM directory_entries WHERE rpps = ?1 RETURNING address", error);

      if (del == NULL)
        goto fail;
      cab_stmt_bind_text (del, 1, g_ptr_array_index (removed_rpps, i));
      while (sqlite3_step (del) == SQLITE_ROW)
        g_hash_table_add (before, cab_stmt_dup_text (del, 0));
    }

  for (guint i = 0; replaced_ids != NULL && i < replaced_ids->len; i++)
    {
      g_autoptr(CabStmt) del = cab_store_conn_prepare (writer,
        "DELETE FROM directory_entries WHERE practitioner_id = ?1 RETURNING address", error);
      int rc;

      if (del == NULL)
        goto fail;
      cab_stmt_bind_text (del, 1, g_ptr_array_index (replaced_ids, i));
      while ((rc = sqlite3_step (del)) == SQLITE_ROW)
        g_hash_table_add (before, cab_stmt_dup_text (del, 0));
      if (rc != SQLITE_DONE)
        {
          cab_store_set_sql_error (error, writer->db, "Cannot write the directory cache");
          goto fail;
        }
    }

  for (guint i = 0; i < entries->len; i++)
    {
      CabDirectoryEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(CabStmt) put = cab_store_conn_prepare (writer,
        "INSERT INTO directory_entries (address, display, sort_key, profession, organization, city, rpps,"
        " practitioner_id, refreshed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT (address) DO UPDATE SET display = excluded.display, sort_key = excluded.sort_key,"
        " profession = excluded.profession, organization = excluded.organization, city = excluded.city,"
        " rpps = excluded.rpps, practitioner_id = excluded.practitioner_id,"
        " refreshed_at = excluded.refreshed_at", error);

      if (put == NULL)
        goto fail;
      cab_stmt_bind_text (put, 1, e->address);
      cab_stmt_bind_text (put, 2, e->display);
      cab_stmt_bind_text (put, 3, e->sort_key);
      cab_stmt_bind_text (put, 4, e->profession);
      cab_stmt_bind_text (put, 5, e->organization);
      cab_stmt_bind_text (put, 6, e->city);
      cab_stmt_bind_text (put, 7, e->rpps);
      cab_stmt_bind_text (put, 8, e->practitioner_id);
      sqlite3_bind_int64 (put, 9, now);
      if (!step_done (writer, put, error))
        goto fail;
      g_hash_table_remove (before, e->address);
    }

  if (n_removed != NULL)
    *n_removed = g_hash_table_size (before);
  return cab_store_commit (writer, error);

fail:
  cab_store_rollback (writer);
  return FALSE;
}

static GPtrArray *
read_column (CabStoreReader *reader, const char *sql, GError **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
      g_ptr_array_add (out, cab_stmt_dup_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the directory cache");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
cab_directory_cache_read_scope (CabStore   *store,
                                GPtrArray **rpps,
                                GPtrArray **addresses,
                                GError    **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);

  if (reader == NULL)
    return FALSE;
  *rpps = read_column (reader, "SELECT DISTINCT rpps FROM directory_entries WHERE rpps IS NOT NULL"
                               " ORDER BY rpps", error);
  if (*rpps == NULL)
    return FALSE;
  *addresses = read_column (reader, "SELECT address FROM correspondents c WHERE address LIKE '%mssante.fr'"
                                    " AND NOT EXISTS (SELECT 1 FROM directory_entries d WHERE d.address = c.address)"
                                    " ORDER BY last_at DESC", error);
  if (*addresses == NULL)
    {
      g_clear_pointer (rpps, g_ptr_array_unref);
      return FALSE;
    }
  return TRUE;
}
