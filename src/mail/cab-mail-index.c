/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* The indexing pass (cab-mail-index.h). Logs carry ids only (principle 5). */

#include "cab-mail-index.h"
#include "cab-mail-read-private.h"
#include "cab-mail-store.h"
#include "cab-mime.h"
#include "cab-store-private.h"

/* Messages per transaction: the writer is held for the updates only; the
 * PDFs are read before it is taken, by N_READERS threads at once (the
 * calling one and helpers, as the sync's parsers: docs/architecture.md,
 * "The indexing pass"). */
#define CHUNK     16
#define N_READERS 2

typedef struct
{
  gint64     id;
  char      *raw_path;
  GPtrArray *documents;   /* CabMailDocument*, NULL when the raw file is unreadable */
  char      *attachments; /* the index's attachments column: names, then the PDFs' text */
} Pending;

static void
pending_free (Pending *p)
{
  g_free (p->raw_path);
  g_clear_pointer (&p->documents, g_ptr_array_unref);
  g_free (p->attachments);
  g_free (p);
}

static GPtrArray *
next_chunk (CabStore *store, guint n, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  int rc;

  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader, "SELECT p.mail_id, m.raw_path FROM mail_text_pending p"
                                         " LEFT JOIN mail_messages m ON m.id = p.mail_id"
                                         " ORDER BY p.mail_id LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, n);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Pending *p = g_new0 (Pending, 1);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->raw_path = cab_stmt_dup_text (stmt, 1);
      g_ptr_array_add (chunk, p);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the messages to index");
      return NULL;
    }
  return g_steal_pointer (&chunk);
}

/* The PDFs' text of one message, read as the sync would have. */
static void
read_pending (Pending *p)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL, *text = NULL;

  if (p->raw_path != NULL)
    file = g_mapped_file_new (p->raw_path, FALSE, &error);
  if (file == NULL)
    {
      g_debug ("Message %" G_GINT64_FORMAT " to index has no readable raw file", p->id);
      return;
    }
  raw = g_mapped_file_get_bytes (file);
  if (!cab_mail_read_pdf_text (raw, &p->documents, &names, &text, &error))
    {
      g_debug ("Message %" G_GINT64_FORMAT " to index is not readable MIME", p->id);
      return;
    }
  p->attachments = g_strjoin ("\n", names, text, NULL);
}

typedef struct
{
  GPtrArray *chunk;
  gint       next;   /* atomic: the next message to read */
} Reading;

/* Reads the chunk's messages not taken yet by another reader; each
 * message is one reader's, its results are read after the join. */
static gpointer
read_some (gpointer data)
{
  Reading *r = data;
  gint i;

  while ((i = g_atomic_int_add (&r->next, 1)) < (gint) r->chunk->len)
    read_pending (g_ptr_array_index (r->chunk, i));
  return NULL;
}

static void
read_chunk (GPtrArray *chunk)
{
  Reading r = { chunk, 0 };
  GThread *helpers[N_READERS - 1] = { NULL };

  for (guint i = 0; i < N_READERS - 1 && i + 1 < chunk->len; i++)
    helpers[i] = g_thread_new ("cab-mail-index", read_some, &r);
  read_some (&r);
  for (guint i = 0; i < N_READERS - 1; i++)
    if (helpers[i] != NULL)
      g_thread_join (helpers[i]);
}

static gboolean
step_done (CabStoreWriter *writer, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_chunk (CabStore *store, GPtrArray *chunk, GError **error)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autoptr(CabStmt) doc = NULL, fts = NULL, done = NULL;

  if (!cab_store_begin (writer, error))
    return FALSE;
  doc = cab_store_conn_prepare (writer, "UPDATE mail_documents SET text_state = ?3"
                                        " WHERE mail_id = ?1 AND (?2 IS NULL OR position = ?2)"
                                        " AND text_state = 'pending'", error);
  fts = cab_store_conn_prepare (writer, "UPDATE mail_fts SET attachments = ?2 WHERE rowid = ?1", error);
  done = cab_store_conn_prepare (writer, "DELETE FROM mail_text_pending WHERE mail_id = ?1", error);
  if (doc == NULL || fts == NULL || done == NULL)
    goto fail;
  for (guint i = 0; i < chunk->len; i++)
    {
      Pending *p = g_ptr_array_index (chunk, i);

      if (p->documents == NULL)
        {
          /* The bytes cannot be read again: shown as such, never retried
           * forever. */
          sqlite3_bind_int64 (doc, 1, p->id);
          sqlite3_bind_null (doc, 2);
          cab_stmt_bind_text (doc, 3, "unreadable");
          if (!step_done (writer, doc, "Cannot record a document's text", error))
            goto fail;
          sqlite3_reset (doc);
        }
      else
        {
          for (guint d = 0; d < p->documents->len; d++)
            {
              CabMailDocument *document = g_ptr_array_index (p->documents, d);

              if (document->text_state == NULL)
                continue;
              sqlite3_bind_int64 (doc, 1, p->id);
              sqlite3_bind_int (doc, 2, d);
              cab_stmt_bind_text (doc, 3, document->text_state);
              if (!step_done (writer, doc, "Cannot record a document's text", error))
                goto fail;
              sqlite3_reset (doc);
            }
          sqlite3_bind_int64 (fts, 1, p->id);
          cab_stmt_bind_text (fts, 2, p->attachments);
          if (!step_done (writer, fts, "Cannot index a mail message", error))
            goto fail;
          sqlite3_reset (fts);
        }
      sqlite3_bind_int64 (done, 1, p->id);
      if (!step_done (writer, done, "Cannot index a mail message", error))
        goto fail;
      sqlite3_reset (done);
    }
  if (!cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_mail_index_pending (CabStore      *store,
                        guint          max_messages,
                        guint         *n_indexed,
                        GCancellable  *cancellable,
                        GError       **error)
{
  guint done = 0;

  g_return_val_if_fail (store != NULL, FALSE);

  for (;;)
    {
      g_autoptr(GPtrArray) chunk = NULL;
      guint n = max_messages > 0 ? MIN (CHUNK, max_messages - done) : CHUNK;

      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      chunk = next_chunk (store, n, error);
      if (chunk == NULL)
        return FALSE;
      if (chunk->len == 0)
        break;
      read_chunk (chunk);
      if (!store_chunk (store, chunk, error))
        return FALSE;
      done += chunk->len;
      if (n_indexed != NULL)
        *n_indexed = done;
    }
  if (n_indexed != NULL)
    *n_indexed = done;
  g_debug ("Mail index: %u messages' PDFs indexed", done);
  return TRUE;
}

gboolean
cab_mail_index_n_pending (CabStore  *store,
                          guint     *n_pending,
                          GError   **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;

  if (reader == NULL)
    return FALSE;
  stmt = cab_store_conn_prepare (reader, "SELECT count (*) FROM mail_text_pending", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count the messages to index");
      return FALSE;
    }
  *n_pending = sqlite3_column_int (stmt, 0);
  return TRUE;
}
