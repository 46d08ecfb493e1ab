/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cab-store-private.h"

/* Idle read connections kept for reuse; more may be open at once. */
#define MAX_IDLE_READERS 4
#define BUSY_TIMEOUT_MS  10000

struct _CabStore
{
  GObject       parent_instance;

  char         *path;
  int           schema_version;

  GMutex        write_lock;
  CabStoreConn *writer;

  GMutex        batch_lock;
  GQueue        batches;        /* PutBatch* waiting for the writer */

  GMutex        pool_lock;
  GPtrArray    *idle_readers;   /* CabStoreConn*, each used by one thread at a time */
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (CabStore, cab_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (cab-store-error-quark, cab_store_error)

/* ------------------------------------------------------------------ */
/* Connections                                                          */
/* ------------------------------------------------------------------ */

void
cab_store_set_sql_error (GError     **error,
                         sqlite3     *db,
                         const char  *what)
{
  int code = db != NULL ? sqlite3_errcode (db) & 0xff : SQLITE_ERROR;

  /* A damaged file (or one that is not a store) is its own case for callers. */
  g_set_error (error, CAB_STORE_ERROR,
               code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? CAB_STORE_ERROR_CORRUPT
                                                               : CAB_STORE_ERROR_SQL,
               "%s: %s", what, db != NULL ? sqlite3_errmsg (db) : "no connection");
}

void
cab_stmt_release (CabStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static void
finalize_stmt (gpointer data)
{
  sqlite3_finalize (data);
}

static void
cab_store_conn_close (CabStoreConn *conn)
{
  if (conn == NULL)
    return;
  g_clear_pointer (&conn->by_address, g_hash_table_unref);
  g_clear_pointer (&conn->stmts, g_hash_table_unref);
  if (conn->db != NULL)
    sqlite3_close (conn->db);
  g_free (conn);
}

static CabStoreConn *
cab_store_conn_open (CabStore  *self,
                     gboolean   writer,
                     GError   **error)
{
  CabStoreConn *conn = g_new0 (CabStoreConn, 1);
  int rc;

  conn->store = self;
  conn->is_writer = writer;
  conn->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  conn->by_address = g_hash_table_new (NULL, NULL);

  /* NOMUTEX: each connection is used by one thread at a time (see above). */
  rc = sqlite3_open_v2 (self->path, &conn->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                   "Cannot open the store: %s",
                   conn->db != NULL ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc));
      cab_store_conn_close (conn);
      return NULL;
    }

  sqlite3_extended_result_codes (conn->db, 1);
  sqlite3_busy_timeout (conn->db, BUSY_TIMEOUT_MS);

  if (!cab_store_conn_exec (conn,
                            "PRAGMA foreign_keys = ON;"
                            "PRAGMA synchronous = NORMAL;"
                            "PRAGMA temp_store = MEMORY;"
                            "PRAGMA cache_size = -16000;",
                            error))
    {
      cab_store_conn_close (conn);
      return NULL;
    }

  if (!writer && !cab_store_conn_exec (conn, "PRAGMA query_only = ON;", error))
    {
      cab_store_conn_close (conn);
      return NULL;
    }

  return conn;
}

CabStmt *
cab_store_conn_prepare (CabStoreConn  *conn,
                        const char    *sql,
                        GError       **error)
{
  sqlite3_stmt *stmt;

  stmt = g_hash_table_lookup (conn->stmts, sql);
  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot prepare a statement");
      return NULL;
    }

  g_hash_table_insert (conn->stmts, g_strdup (sql), stmt);
  return stmt;
}

CabStmt *
cab_store_conn_prepare_static (CabStoreConn  *conn,
                               const char    *sql,
                               GError       **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->by_address, sql);

  if (stmt == NULL && (stmt = cab_store_conn_prepare (conn, sql, error)) != NULL)
    g_hash_table_insert (conn->by_address, (gpointer) sql, stmt);
  return stmt;
}

gboolean
cab_store_conn_exec (CabStoreConn  *conn,
                     const char    *sql,
                     GError       **error)
{
  if (sqlite3_exec (conn->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot run a statement");
      return FALSE;
    }
  return TRUE;
}

CabStoreReader *
cab_store_reader_acquire (CabStore  *self,
                          GError   **error)
{
  CabStoreConn *conn = NULL;

  g_mutex_lock (&self->pool_lock);
  if (self->idle_readers->len > 0)
    conn = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
  g_mutex_unlock (&self->pool_lock);

  if (conn == NULL)
    conn = cab_store_conn_open (self, FALSE, error);

  return conn;
}

void
cab_store_reader_release (CabStoreReader *reader)
{
  CabStore *self;

  if (reader == NULL)
    return;

  self = reader->store;
  g_assert (!reader->is_writer);

  g_mutex_lock (&self->pool_lock);
  if (self->idle_readers->len < MAX_IDLE_READERS)
    {
      g_ptr_array_add (self->idle_readers, reader);
      reader = NULL;
    }
  g_mutex_unlock (&self->pool_lock);

  cab_store_conn_close (reader);
}

CabStoreWriter *
cab_store_writer_lock (CabStore *self)
{
  g_mutex_lock (&self->write_lock);
  return self->writer;
}

void
cab_store_writer_unlock (CabStoreWriter *writer)
{
  if (writer == NULL)
    return;
  g_mutex_unlock (&writer->store->write_lock);
}

gboolean
cab_store_begin (CabStoreWriter  *writer,
                 GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, "BEGIN IMMEDIATE", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot begin a transaction");
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_store_commit (CabStoreWriter  *writer,
                  GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, "COMMIT", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot commit");
      return FALSE;
    }
  return TRUE;
}

void
cab_store_rollback (CabStoreWriter *writer)
{
  /* Harmless when SQLite already rolled back on its own (e.g. SQLITE_FULL). */
  if (!sqlite3_get_autocommit (writer->db))
    sqlite3_exec (writer->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */
/* ------------------------------------------------------------------ */

/* The file must be private to the user before SQLite ever writes to it;
 * SQLite gives its -wal and -shm files the database file's mode. */
static gboolean
prepare_file (const char  *path,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                   "Cannot create the store directory: %s", g_strerror (saved));
      return FALSE;
    }

  /* An existing directory keeps its mode: one left world-readable (0755)
   * would show the documents cached beside the store. Tighten ours; refuse
   * one that belongs to someone else and is open to others. */
  if (stat (dir, &st) == 0 && (st.st_mode & 077) != 0)
    {
      if (st.st_uid != getuid () || chmod (dir, 0700) != 0)
        {
          g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                       "The store directory %s is open to other users and cannot be made private", dir);
          return FALSE;
        }
      g_debug ("Store directory made private to the user");
    }

  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                   "Cannot create the store file: %s", g_strerror (saved));
      return FALSE;
    }

  if (fstat (fd, &st) == 0 && (st.st_mode & 077) != 0 && fchmod (fd, 0600) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                   "Cannot make the store file private: %s", g_strerror (saved));
      return FALSE;
    }

  close (fd);
  return TRUE;
}

static gboolean
enable_wal (CabStoreConn  *conn,
            GError       **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (conn, "PRAGMA journal_mode = WAL", error);
  const char *mode;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot switch to WAL");
      return FALSE;
    }
  mode = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_OPEN,
                   "The store cannot use write-ahead logging (journal mode %s)",
                   mode != NULL ? mode : "unknown");
      return FALSE;
    }
  return TRUE;
}

static gboolean
cab_store_setup (CabStore  *self,
                 int        up_to,
                 GError   **error)
{
  if (!prepare_file (self->path, error))
    return FALSE;

  self->writer = cab_store_conn_open (self, TRUE, error);
  if (self->writer == NULL)
    return FALSE;

  if (!enable_wal (self->writer, error))
    return FALSE;

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (self);
    if (!cab_store_schema_migrate (writer, up_to, &self->schema_version, error))
      return FALSE;
  }

  return TRUE;
}

CabStore *
cab_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(CabStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CAB_TYPE_STORE, "path", path, NULL);
  if (!cab_store_setup (self, cab_store_schema_latest (), error))
    return NULL;

  return g_steal_pointer (&self);
}

CabStore *
cab_store_open_at_version (const char  *path,
                           int          version,
                           GError     **error)
{
  g_autoptr(CabStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= cab_store_schema_latest (), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CAB_TYPE_STORE, "path", path, NULL);
  if (!cab_store_setup (self, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
cab_store_get_path (CabStore *self)
{
  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  return self->path;
}

int
cab_store_get_schema_version (CabStore *self)
{
  g_return_val_if_fail (CAB_IS_STORE (self), 0);
  return self->schema_version;
}

char *
cab_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "cabinet", "cabinet.db", NULL);
}

/* ------------------------------------------------------------------ */
/* Records and sync state                                               */
/* ------------------------------------------------------------------ */

/* One caller's records and state, on the caller's stack while it waits. */
typedef struct
{
  GPtrArray  *records;
  const char *state_key;
  const char *state_value;
  gboolean    written;        /* by whichever thread held the writer */
  GError     *error;
} PutBatch;

static gboolean
put_batch_locked (CabStoreWriter  *writer,
                  PutBatch        *batch,
                  GError         **error)
{
  for (guint i = 0; batch->records != NULL && i < batch->records->len; i++)
    {
      if (!cab_store_put_record_locked (writer, g_ptr_array_index (batch->records, i), error))
        return FALSE;
    }

  return batch->state_key == NULL ||
         cab_store_set_state_locked (writer, batch->state_key, batch->state_value, error);
}

static void
fail_batches (GQueue       *batches,
              const GError *error)
{
  for (GList *l = batches->head; l != NULL; l = l->next)
    {
      PutBatch *batch = l->data;

      if (batch->error == NULL)
        batch->error = g_error_copy (error);
    }
}

/* Writes @batches in one transaction, each under its own savepoint so that
 * one failing batch leaves the others to commit. */
static void
write_batches_locked (CabStoreWriter *writer,
                      GQueue         *batches)
{
  gboolean grouped = batches->length > 1;
  g_autoptr(GError) error = NULL;

  if (!cab_store_begin (writer, &error))
    {
      fail_batches (batches, error);
      return;
    }

  for (GList *l = batches->head; l != NULL; l = l->next)
    {
      PutBatch *batch = l->data;

      if (grouped && !cab_store_conn_exec (writer, "SAVEPOINT batch", &error))
        goto fail;
      if (!put_batch_locked (writer, batch, &batch->error))
        {
          /* SQLite may have dropped the whole transaction (e.g. SQLITE_FULL):
           * then every batch of the group is lost. */
          if (!grouped || sqlite3_get_autocommit (writer->db) ||
              !cab_store_conn_exec (writer, "ROLLBACK TO batch", NULL))
            {
              error = g_error_copy (batch->error);
              goto fail;
            }
        }
      if (grouped && !cab_store_conn_exec (writer, "RELEASE batch", &error))
        goto fail;
    }

  if (!cab_store_commit (writer, &error))
    goto fail;
  return;

fail:
  cab_store_rollback (writer);
  fail_batches (batches, error);
}

gboolean
cab_store_put_records (CabStore    *self,
                       GPtrArray   *records,
                       const char  *state_key,
                       const char  *state_value,
                       GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  PutBatch batch = { records, state_key, state_value, FALSE, NULL };
  GQueue batches = G_QUEUE_INIT;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Group commit: whoever gets the writer writes every batch queued by then
   * in one transaction, so sync threads arriving together share a commit
   * (its WAL frames, the full-text index flush) instead of queueing for
   * one each. Each batch keeps its records and its state together: after
   * a crash both are there, or neither. */
  g_mutex_lock (&self->batch_lock);
  g_queue_push_tail (&self->batches, &batch);
  g_mutex_unlock (&self->batch_lock);

  writer = cab_store_writer_lock (self);

  g_mutex_lock (&self->batch_lock);
  if (!batch.written)
    {
      batches = self->batches;
      g_queue_init (&self->batches);
    }
  g_mutex_unlock (&self->batch_lock);

  if (!g_queue_is_empty (&batches))
    {
      write_batches_locked (writer, &batches);
      /* The other batches' threads wait for the writer: they read this once
       * they have it. */
      for (GList *l = batches.head; l != NULL; l = l->next)
        ((PutBatch *) l->data)->written = TRUE;
      g_queue_clear (&batches);
    }

  if (batch.error != NULL)
    {
      g_propagate_error (error, batch.error);
      return FALSE;
    }
  return TRUE;
}

char *
cab_store_get_state (CabStore   *self,
                     const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  reader = cab_store_reader_acquire (self, &error);
  if (reader == NULL)
    goto fail;
  stmt = cab_store_conn_prepare (reader, "SELECT value FROM sync_state WHERE key = ?1", &error);
  if (stmt == NULL)
    goto fail;

  cab_stmt_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return cab_stmt_dup_text (stmt, 0);
  if (rc == SQLITE_DONE)
    return NULL;
  cab_store_set_sql_error (&error, reader->db, "Cannot read the sync state");

fail:
  g_warning ("%s", error->message);
  return NULL;
}

gboolean
cab_store_set_state (CabStore    *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  return cab_store_set_state_locked (writer, key, value, error);
}

char *
cab_store_get_resource_json (CabStore    *self,
                             const char  *type,
                             const char  *id,
                             GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT json FROM resources WHERE type = ?1 AND id = ?2",
                                       error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, type);
  cab_stmt_bind_text (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return cab_stmt_dup_text (stmt, 0);
  if (rc == SQLITE_DONE)
    g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                 "No such %s in the store", type);
  else
    cab_store_set_sql_error (error, reader->db, "Cannot read a resource");
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Counts, audit, integrity                                             */
/* ------------------------------------------------------------------ */

GHashTable *
cab_store_count_by_type (CabStore  *self,
                         GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GHashTable) counts = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT type, count(*) FROM resources GROUP BY type",
                                       error)))
    return NULL;

  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (counts, cab_stmt_dup_text (stmt, 0),
                         GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count resources");
      return NULL;
    }
  return g_steal_pointer (&counts);
}

guint
cab_store_count_patients (CabStore *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), 0);

  if (!(reader = cab_store_reader_acquire (self, &error)) ||
      !(stmt = cab_store_conn_prepare (reader, "SELECT count(*) FROM patients", &error)))
    {
      g_warning ("%s", error->message);
      return 0;
    }
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_warning ("Cannot count patients: %s", sqlite3_errmsg (reader->db));
      return 0;
    }
  return (guint) sqlite3_column_int64 (stmt, 0);
}

gboolean
cab_store_audit (CabStore    *self,
                 const char  *action,
                 const char  *resource_type,
                 const char  *resource_id,
                 GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "INSERT INTO audit (ts, action, resource_type, resource_id) "
                                       "VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3)",
                                       error)))
    return FALSE;

  cab_stmt_bind_text (stmt, 1, action);
  cab_stmt_bind_text (stmt, 2, resource_type);
  cab_stmt_bind_text (stmt, 3, resource_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot write the audit trail");
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_store_check_integrity (CabStore  *self,
                           GError   **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The writer: the FTS check below is written as an INSERT. */
  writer = cab_store_writer_lock (self);
  if (!(stmt = cab_store_conn_prepare (writer, "PRAGMA integrity_check", error)))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);
      if (g_strcmp0 (line, "ok") != 0)
        g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", line);
    }
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
        g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_CORRUPT,
                     "The store is damaged: %s", sqlite3_errmsg (writer->db));
      else
        cab_store_set_sql_error (error, writer->db, "Cannot check the store");
      return FALSE;
    }
  if (problems->len > 0)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_CORRUPT,
                   "The store is damaged: %s", problems->str);
      return FALSE;
    }

  /* The full-text index must agree with the documents it indexes. */
  if (sqlite3_exec (writer->db,
                    "INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_CORRUPT,
                   "The document search index is damaged: %s", sqlite3_errmsg (writer->db));
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

void
cab_patient_row_free (CabPatientRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  cab_patient_clear (&row->patient);
  g_free (row->last_updated);
  g_free (row->synced_at);
  g_free (row);
}

void
cab_document_row_free (CabDocumentRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->patient_id);
  cab_document_clear (&row->document);
  g_free (row->local_path);
  g_free (row->origin);
  g_free (row->sort_date);
  g_free (row->kos_id);
  g_free (row);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_store_finalize (GObject *object)
{
  CabStore *self = (CabStore *) object;

  g_ptr_array_unref (self->idle_readers);
  g_clear_pointer (&self->writer, cab_store_conn_close);
  g_mutex_clear (&self->pool_lock);
  g_mutex_clear (&self->write_lock);
  g_assert (g_queue_is_empty (&self->batches));
  g_mutex_clear (&self->batch_lock);
  g_free (self->path);

  G_OBJECT_CLASS (cab_store_parent_class)->finalize (object);
}

static void
cab_store_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CabStore *self = CAB_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_store_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CabStore *self = CAB_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_store_class_init (CabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_store_finalize;
  object_class->get_property = cab_store_get_property;
  object_class->set_property = cab_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_store_init (CabStore *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->batch_lock);
  g_queue_init (&self->batches);
  g_mutex_init (&self->pool_lock);
  self->idle_readers = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_store_conn_close);
}
