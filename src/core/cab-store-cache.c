/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include <string.h>

#include "cab-store-cache.h"
#include "cab-store-private.h"

/* Documents whose content can be downloaded: KOS entries list images that
 * live in the imaging network, not here. */
#define DOWNLOADABLE "d.url IS NOT NULL AND d.is_kos = 0"

static const char *
source_name (CabContentSource source)
{
  return source == CAB_CONTENT_SOURCE_PREFETCH ? "prefetch" : "opened";
}

static gboolean
step_done (CabStoreConn  *conn,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_store_record_document_content (CabStore          *self,
                                   const char        *document_id,
                                   const char        *local_path,
                                   const char        *text,
                                   gint64             size,
                                   CabContentSource   source,
                                   GError           **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (document_id != NULL && local_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  if (cab_store_set_document_content_locked (writer, document_id, local_path, text, &local_error) &&
      (stmt = cab_store_conn_prepare (writer,
                                      "INSERT INTO document_cache (document_id, size, source, cached_at)"
                                      " VALUES (?1, ?2, ?3, ?4)"
                                      " ON CONFLICT (document_id) DO UPDATE SET"
                                      "  size = excluded.size, cached_at = excluded.cached_at,"
                                      "  source = CASE WHEN document_cache.source = 'opened'"
                                      "           THEN 'opened' ELSE excluded.source END",
                                      &local_error)) != NULL)
    {
      cab_stmt_bind_text (stmt, 1, document_id);
      sqlite3_bind_int64 (stmt, 2, MAX (size, 0));
      cab_stmt_bind_text (stmt, 3, source_name (source));
      sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
      step_done (writer, stmt, "Cannot record a document's content", &local_error);
    }

  if (local_error != NULL || !cab_store_commit (writer, &local_error))
    {
      cab_store_rollback (writer);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_store_note_document_read (CabStore    *self,
                              const char  *document_id,
                              gint64       when,
                              GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (document_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE document_cache SET last_read_at = ?2 WHERE document_id = ?1",
                                       error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, document_id);
  sqlite3_bind_int64 (stmt, 2, when);
  return step_done (writer, stmt, "Cannot record a document's reading", error);
}

gboolean
cab_store_set_document_pinned (CabStore    *self,
                               const char  *document_id,
                               gboolean     pinned,
                               GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (document_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(stmt = cab_store_conn_prepare (writer,
                                       pinned ? "INSERT OR IGNORE INTO document_pins (document_id) VALUES (?1)"
                                              : "DELETE FROM document_pins WHERE document_id = ?1",
                                       error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, document_id);
  return step_done (writer, stmt, "Cannot pin a document", error);
}

gboolean
cab_store_forget_document_content (CabStore    *self,
                                   const char  *document_id,
                                   const char  *local_path,
                                   GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) clear = NULL;
  g_autoptr(CabStmt) drop = NULL;
  GError *local_error = NULL;
  gboolean matched = FALSE;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (document_id != NULL && local_path != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  if ((clear = cab_store_conn_prepare (writer,
                                       "UPDATE documents SET local_path = NULL"
                                       " WHERE id = ?1 AND local_path = ?2",
                                       &local_error)) != NULL)
    {
      cab_stmt_bind_text (clear, 1, document_id);
      cab_stmt_bind_text (clear, 2, local_path);
      if (step_done (writer, clear, "Cannot forget a document's content", &local_error))
        matched = sqlite3_changes (writer->db) > 0;
    }
  if (local_error == NULL && matched &&
      (drop = cab_store_conn_prepare (writer,
                                      "DELETE FROM document_cache WHERE document_id = ?1",
                                      &local_error)) != NULL)
    {
      cab_stmt_bind_text (drop, 1, document_id);
      step_done (writer, drop, "Cannot forget a document's content", &local_error);
    }

  if (local_error != NULL || !cab_store_commit (writer, &local_error))
    {
      cab_store_rollback (writer);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return matched;
}

gboolean
cab_store_get_offline_stats (CabStore         *self,
                             CabOfflineStats  *stats,
                             GError          **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  memset (stats, 0, sizeof *stats);
  if (!(reader = cab_store_reader_acquire (self, error)))
    return FALSE;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT count (*), count (d.local_path),"
                                       " (SELECT coalesce (sum (c.size), 0) FROM document_cache c"
                                       "  JOIN documents k ON k.id = c.document_id AND k.local_path IS NOT NULL)"
                                       " FROM documents d WHERE " DOWNLOADABLE,
                                       error)))
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count the offline documents");
      return FALSE;
    }
  stats->n_documents = sqlite3_column_int (stmt, 0);
  stats->n_cached = sqlite3_column_int (stmt, 1);
  stats->cached_bytes = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

void
cab_content_entry_free (CabContentEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->row, cab_document_row_free);
  g_free (entry);
}

GPtrArray *
cab_store_list_contents (CabStore    *self,
                         const char  *recent_since,
                         GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  /* Recent patients: opened_at is ISO 8601 UTC, so text order is time order. */
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT d.id, d.patient_id, d.url, d.content_type, d.size, d.hash,"
                                       " d.local_path, d.sort_date, pin.document_id IS NOT NULL,"
                                       " c.source, c.size, c.cached_at, c.last_read_at"
                                       " FROM documents d"
                                       " LEFT JOIN patient_sync p ON p.patient_id = d.patient_id"
                                       " LEFT JOIN document_cache c ON c.document_id = d.id"
                                       " LEFT JOIN document_pins pin ON pin.document_id = d.id"
                                       " WHERE " DOWNLOADABLE
                                       " ORDER BY pin.document_id IS NULL,"
                                       "  (p.opened_at IS NULL OR p.opened_at < coalesce (?1, '9')),"
                                       "  p.opened_at DESC, d.sort_date DESC, d.id",
                                       error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, recent_since);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_content_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabContentEntry *entry = g_new0 (CabContentEntry, 1);
      CabDocumentRow *row = g_new0 (CabDocumentRow, 1);

      row->id = cab_stmt_dup_text (stmt, 0);
      row->patient_id = cab_stmt_dup_text (stmt, 1);
      row->document.url = cab_stmt_dup_text (stmt, 2);
      row->document.content_type = cab_stmt_dup_text (stmt, 3);
      row->document.size = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 4);
      row->document.hash = cab_stmt_dup_text (stmt, 5);
      row->local_path = cab_stmt_dup_text (stmt, 6);
      row->sort_date = cab_stmt_dup_text (stmt, 7);
      entry->row = row;
      entry->pinned = sqlite3_column_int (stmt, 8) != 0;
      entry->cached = row->local_path != NULL;
      entry->source = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), "prefetch") == 0
                      ? CAB_CONTENT_SOURCE_PREFETCH : CAB_CONTENT_SOURCE_OPENED;
      if (entry->cached && sqlite3_column_type (stmt, 10) != SQLITE_NULL)
        entry->cached_size = sqlite3_column_int64 (stmt, 10);
      else
        entry->cached_size = row->document.size;
      entry->cached_at = sqlite3_column_int64 (stmt, 11);
      entry->last_read_at = sqlite3_column_int64 (stmt, 12);
      g_ptr_array_add (entries, entry);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list the documents' contents");
      return NULL;
    }
  return g_steal_pointer (&entries);
}

gboolean
cab_store_is_document_cached (CabStore   *self,
                              const char *document_id)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  if (!(reader = cab_store_reader_acquire (self, NULL)) ||
      !(stmt = cab_store_conn_prepare (reader,
                                       "SELECT local_path IS NOT NULL FROM documents WHERE id = ?1",
                                       NULL)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, document_id);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

GStrv
cab_store_list_unindexed_contents (CabStore  *self,
                                   guint      limit,
                                   GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader,
                                       "SELECT id, local_path FROM documents"
                                       " WHERE local_path IS NOT NULL AND text_extracted = 0"
                                       " AND content_type = 'application/pdf' LIMIT ?1",
                                       error)))
    return NULL;
  sqlite3_bind_int (stmt, 1, (int) MIN (limit, G_MAXINT));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
      g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 1));
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list the contents to index");
      return NULL;
    }
  return g_strv_builder_end (builder);
}
