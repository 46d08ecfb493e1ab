/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-db.h"
#include "sandbox-index.h"
#include "sandbox-pdf.h"
#include "sandbox-util.h"

#include <string.h>

struct _SandboxDb
{
  char        *path;
  GMutex       pool_lock;
  GPtrArray   *all;          /* SandboxConn*, owned */
  GAsyncQueue *free;
  GMutex       write_lock;
  gint64       last_ts;
};

static const char schema[] =
  "PRAGMA page_size=8192;"
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
  "CREATE TABLE IF NOT EXISTS res ("
  "  rk INTEGER PRIMARY KEY,"
  "  type TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  last_updated INTEGER NOT NULL,"
  "  patient_id TEXT,"
  "  sort_date INTEGER NOT NULL,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  pending INTEGER NOT NULL DEFAULT 0,"
  "  json TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS tok ("
  "  rk INTEGER NOT NULL, param TEXT NOT NULL, sys TEXT, val TEXT, lo INTEGER, hi INTEGER);"
  "CREATE TABLE IF NOT EXISTS blob ("
  "  id TEXT PRIMARY KEY, content_type TEXT, recipe TEXT, data BLOB, size INTEGER, sha1 TEXT);"
  "CREATE TABLE IF NOT EXISTS blocks ("
  "  patient_id TEXT NOT NULL, practitioner TEXT NOT NULL, rk INTEGER NOT NULL);";

static const char indexes[] =
  "CREATE UNIQUE INDEX IF NOT EXISTS res_type_id ON res (type, id);"
  "CREATE INDEX IF NOT EXISTS res_type_lu ON res (type, last_updated, id);"
  "CREATE INDEX IF NOT EXISTS res_type_patient ON res (type, patient_id, last_updated, id);"
  "CREATE INDEX IF NOT EXISTS tok_param_val ON tok (param, val, rk);"
  "CREATE INDEX IF NOT EXISTS tok_rk ON tok (rk, param, val);"
  "CREATE INDEX IF NOT EXISTS blocks_patient ON blocks (patient_id, practitioner);"
  "CREATE INDEX IF NOT EXISTS blocks_rk ON blocks (rk);";

void
sandbox_row_free (SandboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->type);
  g_free (row->id);
  g_free (row->patient_id);
  g_free (row->json);
  g_free (row);
}

void
sandbox_conn_set_error (SandboxConn  *conn,
                        GError      **error)
{
  g_set_error (error, SANDBOX_ERROR, 500, "Database error: %s", sqlite3_errmsg (conn->db));
}

gboolean
sandbox_conn_exec (SandboxConn  *conn,
                   const char   *sql,
                   GError      **error)
{
  char *msg = NULL;

  if (sqlite3_exec (conn->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, SANDBOX_ERROR, 500, "Database error: %s", msg ? msg : "?");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
sandbox_conn_prepare (SandboxConn *conn,
                      const char  *sql)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      g_critical ("Cannot prepare statement: %s", sqlite3_errmsg (conn->db));
      return NULL;
    }
  g_hash_table_insert (conn->stmts, g_strdup (sql), stmt);
  return stmt;
}

static void
stmt_finalize (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
conn_free (SandboxConn *conn)
{
  g_hash_table_unref (conn->stmts);
  sqlite3_close_v2 (conn->db);
  g_free (conn);
}

static SandboxConn *
conn_open (const char *path, GError **error)
{
  SandboxConn *conn = g_new0 (SandboxConn, 1);

  conn->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       stmt_finalize);
  if (sqlite3_open_v2 (path, &conn->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      sandbox_conn_set_error (conn, error);
      conn_free (conn);
      return NULL;
    }
  sqlite3_busy_timeout (conn->db, 30000);
  if (!sandbox_conn_exec (conn,
                          "PRAGMA synchronous=NORMAL;"
                          "PRAGMA temp_store=MEMORY;"
                          "PRAGMA cache_size=-32000;"
                          "PRAGMA mmap_size=268435456;", error))
    {
      conn_free (conn);
      return NULL;
    }
  return conn;
}

SandboxDb *
sandbox_db_open (const char  *path,
                 GError     **error)
{
  g_autofree SandboxDb *db = g_new0 (SandboxDb, 1);
  SandboxConn *conn;
  sqlite3_stmt *stmt;

  conn = conn_open (path, error);
  if (conn == NULL)
    return NULL;
  if (!sandbox_conn_exec (conn, schema, error))
    {
      conn_free (conn);
      return NULL;
    }
  if (!sandbox_db_is_empty (conn) &&
      (!sandbox_conn_exec (conn, "PRAGMA journal_mode=WAL;", error) ||
       !sandbox_conn_exec (conn, indexes, error)))
    {
      conn_free (conn);
      return NULL;
    }
  stmt = sandbox_conn_prepare (conn, "SELECT max(last_updated) FROM res");
  if (sqlite3_step (stmt) == SQLITE_ROW)
    db->last_ts = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  db->path = g_strdup (path);
  g_mutex_init (&db->pool_lock);
  g_mutex_init (&db->write_lock);
  db->all = g_ptr_array_new_with_free_func ((GDestroyNotify) conn_free);
  db->free = g_async_queue_new ();
  g_ptr_array_add (db->all, conn);
  g_async_queue_push (db->free, conn);
  return g_steal_pointer (&db);
}

void
sandbox_db_free (SandboxDb *db)
{
  if (db == NULL)
    return;
  while (g_async_queue_try_pop (db->free) != NULL)
    ;
  g_async_queue_unref (db->free);
  g_ptr_array_unref (db->all);
  g_mutex_clear (&db->pool_lock);
  g_mutex_clear (&db->write_lock);
  g_free (db->path);
  g_free (db);
}

const char *
sandbox_db_get_path (SandboxDb *db)
{
  return db->path;
}

SandboxConn *
sandbox_db_acquire (SandboxDb *db)
{
  SandboxConn *conn = g_async_queue_try_pop (db->free);
  g_autoptr(GError) error = NULL;

  if (conn != NULL)
    return conn;
  conn = conn_open (db->path, &error);
  if (conn == NULL)
    g_error ("Cannot open the sandbox database: %s", error->message);
  g_mutex_lock (&db->pool_lock);
  g_ptr_array_add (db->all, conn);
  g_mutex_unlock (&db->pool_lock);
  return conn;
}

void
sandbox_db_release (SandboxDb   *db,
                    SandboxConn *conn)
{
  g_async_queue_push (db->free, conn);
}

void
sandbox_db_write_begin (SandboxDb   *db,
                        SandboxConn *conn)
{
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&db->write_lock);
  if (!sandbox_conn_exec (conn, "BEGIN IMMEDIATE", &error))
    g_warning ("%s", error->message);
}

gboolean
sandbox_db_write_end (SandboxDb    *db,
                      SandboxConn  *conn,
                      gboolean      commit,
                      GError      **error)
{
  gboolean ok = TRUE;

  if (commit)
    ok = sandbox_conn_exec (conn, "COMMIT", error);
  if (!commit || !ok)
    sandbox_conn_exec (conn, "ROLLBACK", NULL);
  g_mutex_unlock (&db->write_lock);
  return ok;
}

gint64
sandbox_db_next_timestamp (SandboxDb *db)
{
  gint64 now = sandbox_now_ms ();

  /* Strictly increasing, so _lastUpdated=gt<last seen> never misses a write. */
  db->last_ts = MAX (now, db->last_ts + 1);
  return db->last_ts;
}

char *
sandbox_db_get_meta (SandboxConn *conn,
                     const char  *key)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn, "SELECT value FROM meta WHERE key = ?");
  char *value = NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

void
sandbox_db_set_meta (SandboxConn *conn,
                     const char  *key,
                     const char  *value)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
}

gboolean
sandbox_db_is_empty (SandboxConn *conn)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn, "SELECT 1 FROM res LIMIT 1");
  gboolean empty = sqlite3_step (stmt) != SQLITE_ROW;

  sqlite3_reset (stmt);
  return empty;
}

gboolean
sandbox_db_finish_bulk (SandboxDb    *db,
                        SandboxConn  *conn,
                        GError      **error)
{
  /* Sorting for CREATE INDEX may use helper threads; a sampled ANALYZE is enough. */
  return sandbox_conn_exec (conn, "PRAGMA threads=4;", error) &&
         sandbox_conn_exec (conn, indexes, error) &&
         sandbox_conn_exec (conn, "PRAGMA analysis_limit=400; ANALYZE; PRAGMA journal_mode=WAL;", error);
}

SandboxRow *
sandbox_row_from_stmt (sqlite3_stmt *stmt)
{
  SandboxRow *row = g_new0 (SandboxRow, 1);

  row->rk = sqlite3_column_int64 (stmt, 0);
  row->type = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  row->version = sqlite3_column_int64 (stmt, 3);
  row->last_updated = sqlite3_column_int64 (stmt, 4);
  row->patient_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  row->deleted = sqlite3_column_int (stmt, 6) != 0;
  row->pending = sqlite3_column_int (stmt, 7) != 0;
  row->json = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  row->sort_date = sqlite3_column_int64 (stmt, 9);
  return row;
}

SandboxRow *
sandbox_db_get (SandboxConn *conn,
                const char  *type,
                const char  *id)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn,
      "SELECT " SANDBOX_ROW_COLUMNS " FROM res r WHERE r.type = ? AND r.id = ?");
  SandboxRow *row = NULL;

  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = sandbox_row_from_stmt (stmt);
  sqlite3_reset (stmt);
  return row;
}

static gboolean
step_done (SandboxConn *conn, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      sandbox_conn_set_error (conn, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_index (SandboxConn *conn, gint64 rk, SandboxIndex *ix, GError **error)
{
  sqlite3_stmt *tok = sandbox_conn_prepare (conn,
      "INSERT INTO tok (rk, param, sys, val, lo, hi) VALUES (?, ?, ?, ?, ?, ?)");

  for (guint i = 0; i < ix->tokens->len; i++)
    {
      SandboxToken *t = &g_array_index (ix->tokens, SandboxToken, i);

      sqlite3_bind_int64 (tok, 1, rk);
      sqlite3_bind_text (tok, 2, t->param, -1, SQLITE_STATIC);
      if (t->sys)
        sqlite3_bind_text (tok, 3, t->sys, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (tok, 3);
      if (t->is_date)
        {
          sqlite3_bind_null (tok, 4);
          sqlite3_bind_int64 (tok, 5, t->lo);
          sqlite3_bind_int64 (tok, 6, t->hi);
        }
      else
        {
          sqlite3_bind_text (tok, 4, t->val, -1, SQLITE_STATIC);
          sqlite3_bind_null (tok, 5);
          sqlite3_bind_null (tok, 6);
        }
      if (!step_done (conn, tok, error))
        return FALSE;
    }

  for (guint i = 0; i < ix->blocked->len && ix->patient_id != NULL; i++)
    {
      sqlite3_stmt *b = sandbox_conn_prepare (conn,
          "INSERT INTO blocks (patient_id, practitioner, rk) VALUES (?, ?, ?)");

      sqlite3_bind_text (b, 1, ix->patient_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (b, 2, g_ptr_array_index (ix->blocked, i), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (b, 3, rk);
      if (!step_done (conn, b, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
clear_index (SandboxConn *conn, gint64 rk, GError **error)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn, "DELETE FROM tok WHERE rk = ?");

  sqlite3_bind_int64 (stmt, 1, rk);
  if (!step_done (conn, stmt, error))
    return FALSE;
  stmt = sandbox_conn_prepare (conn, "DELETE FROM blocks WHERE rk = ?");
  sqlite3_bind_int64 (stmt, 1, rk);
  return step_done (conn, stmt, error);
}

static void
set_meta (JsonObject *resource, gint64 version, gint64 ts)
{
  JsonObject *meta = sandbox_json_get_object (resource, "meta");
  g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, version);
  g_autofree char *instant = sandbox_format_instant (ts);

  if (meta == NULL)
    {
      meta = json_object_new ();
      json_object_set_object_member (resource, "meta", meta);
    }
  json_object_set_string_member (meta, "versionId", v);
  json_object_set_string_member (meta, "lastUpdated", instant);
}

SandboxRow *
sandbox_db_store (SandboxConn  *conn,
                  const char   *type,
                  const char   *id,
                  JsonObject   *resource,
                  const char   *patient_hint,
                  gint64        ts,
                  gboolean      bulk,
                  GError      **error)
{
  g_autoptr(SandboxRow) old = NULL;
  g_autoptr(SandboxRow) row = g_new0 (SandboxRow, 1);
  SandboxIndex ix;
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!bulk)
    old = sandbox_db_get (conn, type, id);
  /* Keep the compartment of an existing resource when the caller does not say. */
  if (patient_hint == NULL && old != NULL && g_str_equal (type, "Binary"))
    patient_hint = old->patient_id;

  row->type = g_strdup (type);
  row->id = g_strdup (id);
  row->version = old ? old->version + 1 : 1;
  row->last_updated = ts;
  json_object_set_string_member (resource, "resourceType", type);
  json_object_set_string_member (resource, "id", id);
  set_meta (resource, row->version, ts);
  row->json = sandbox_object_to_string (resource);

  sandbox_index_init (&ix);
  sandbox_index_extract (&ix, type, id, resource, patient_hint);
  row->patient_id = g_strdup (ix.patient_id);
  row->pending = ix.pending;
  row->sort_date = ix.sort_date;

  if (old != NULL)
    {
      row->rk = old->rk;
      stmt = sandbox_conn_prepare (conn,
          "UPDATE res SET version = ?, last_updated = ?, patient_id = ?, sort_date = ?,"
          " deleted = 0, pending = ?, json = ? WHERE rk = ?");
      sqlite3_bind_int64 (stmt, 7, old->rk);
      ok = clear_index (conn, old->rk, error);
    }
  else
    {
      stmt = sandbox_conn_prepare (conn,
          "INSERT INTO res (version, last_updated, patient_id, sort_date, pending, json, type, id)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      sqlite3_bind_text (stmt, 7, type, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, id, -1, SQLITE_STATIC);
      ok = TRUE;
    }
  sqlite3_bind_int64 (stmt, 1, row->version);
  sqlite3_bind_int64 (stmt, 2, ts);
  if (ix.patient_id)
    sqlite3_bind_text (stmt, 3, ix.patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, ix.sort_date);
  sqlite3_bind_int (stmt, 5, ix.pending);
  sqlite3_bind_text (stmt, 6, row->json, -1, SQLITE_STATIC);
  ok = ok && step_done (conn, stmt, error);
  if (ok && old == NULL)
    row->rk = sqlite3_last_insert_rowid (conn->db);
  ok = ok && write_index (conn, row->rk, &ix, error);
  sandbox_index_clear (&ix);

  return ok ? g_steal_pointer (&row) : NULL;
}

gboolean
sandbox_db_delete (SandboxConn  *conn,
                   SandboxRow   *current,
                   gint64        ts,
                   GError      **error)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn,
      "UPDATE res SET version = version + 1, last_updated = ?, deleted = 1, pending = 0 WHERE rk = ?");

  sqlite3_bind_int64 (stmt, 1, ts);
  sqlite3_bind_int64 (stmt, 2, current->rk);
  return step_done (conn, stmt, error) && clear_index (conn, current->rk, error);
}

gboolean
sandbox_db_put_blob (SandboxConn  *conn,
                     const char   *id,
                     const char   *content_type,
                     const char   *recipe_json,
                     GBytes       *data,
                     GError      **error)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn,
      "INSERT OR REPLACE INTO blob (id, content_type, recipe, data, size, sha1) VALUES (?, ?, ?, ?, ?, ?)");

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, content_type ? content_type : "application/octet-stream", -1, SQLITE_STATIC);
  if (recipe_json)
    sqlite3_bind_text (stmt, 3, recipe_json, -1, SQLITE_STATIC);
  if (data != NULL)
    {
      gsize size;
      const void *p = g_bytes_get_data (data, &size);
      g_autofree char *sha1 = sandbox_sha1_base64 (data);

      sqlite3_bind_blob64 (stmt, 4, p ? p : "", size, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, size);
      sqlite3_bind_text (stmt, 6, sha1, -1, SQLITE_TRANSIENT);
    }
  return step_done (conn, stmt, error);
}

gboolean
sandbox_db_load_blob (SandboxDb    *db,
                      SandboxConn  *conn,
                      const char   *id,
                      GBytes      **data,
                      char        **content_type,
                      char        **sha1,
                      GError      **error)
{
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn,
      "SELECT content_type, recipe, data, sha1 FROM blob WHERE id = ?");
  g_autofree char *recipe = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sum = NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, SANDBOX_ERROR, 404, "Binary/%s has no content", id);
      return FALSE;
    }
  type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  recipe = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    {
      bytes = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
      sum = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_reset (stmt);

  if (bytes == NULL)
    {
      g_autoptr(JsonObject) recipe_obj = NULL;

      if (recipe == NULL)
        {
          g_set_error (error, SANDBOX_ERROR, 404, "Binary/%s has no content", id);
          return FALSE;
        }
      recipe_obj = sandbox_parse_object (recipe, -1, error);
      if (recipe_obj == NULL)
        return FALSE;
      /* Drawn outside the write lock: it is the slow part. */
      bytes = sandbox_pdf_render (recipe_obj, error);
      if (bytes == NULL)
        {
          g_prefix_error (error, "Cannot draw Binary/%s: ", id);
          if (*error)
            (*error)->code = 500;
          return FALSE;
        }
      sum = sandbox_sha1_base64 (bytes);
      sandbox_db_write_begin (db, conn);
      stmt = sandbox_conn_prepare (conn,
          "UPDATE blob SET data = ?, size = ?, sha1 = ? WHERE id = ? AND data IS NULL");
      sqlite3_bind_blob64 (stmt, 1, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, g_bytes_get_size (bytes));
      sqlite3_bind_text (stmt, 3, sum, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, id, -1, SQLITE_STATIC);
      step_done (conn, stmt, NULL);
      sandbox_db_write_end (db, conn, TRUE, NULL);
    }

  if (data)
    *data = g_steal_pointer (&bytes);
  if (content_type)
    *content_type = g_steal_pointer (&type);
  if (sha1)
    *sha1 = g_steal_pointer (&sum);
  return TRUE;
}

void
sandbox_db_fill_pending (SandboxDb   *db,
                         SandboxConn *conn,
                         SandboxRow  *row)
{
  g_autoptr(JsonObject) resource = NULL;
  g_autofree char *json = NULL;
  JsonArray *content;
  gboolean changed = FALSE;
  sqlite3_stmt *stmt;

  if (!row->pending)
    return;
  resource = sandbox_parse_object (row->json, -1, NULL);
  if (resource == NULL)
    return;
  content = sandbox_json_get_array (resource, "content");
  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *n = json_array_get_element (content, i);
      JsonObject *attachment;
      g_autofree char *binary = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sha1 = NULL;
      g_autoptr(GError) error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      attachment = sandbox_json_get_object (json_node_get_object (n), "attachment");
      binary = sandbox_attachment_binary_id (sandbox_json_get_string (attachment, "url"));
      if (binary == NULL ||
          (json_object_has_member (attachment, "size") && json_object_has_member (attachment, "hash")))
        continue;
      if (!sandbox_db_load_blob (db, conn, binary, &bytes, NULL, &sha1, &error))
        {
          g_debug ("Cannot fill %s/%s: %s", row->type, row->id, error->message);
          continue;
        }
      json_object_set_int_member (attachment, "size", g_bytes_get_size (bytes));
      json_object_set_string_member (attachment, "hash", sha1);
      changed = TRUE;
    }
  if (!changed)
    return;

  json = sandbox_object_to_string (resource);
  sandbox_db_write_begin (db, conn);
  stmt = sandbox_conn_prepare (conn, "UPDATE res SET json = ?, pending = 0 WHERE rk = ? AND version = ?");
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, row->rk);
  sqlite3_bind_int64 (stmt, 3, row->version);
  step_done (conn, stmt, NULL);
  sandbox_db_write_end (db, conn, TRUE, NULL);

  g_free (row->json);
  row->json = g_steal_pointer (&json);
  row->pending = FALSE;
}

gboolean
sandbox_db_is_blocked (SandboxConn *conn,
                       const char  *patient_id,
                       const char  *practitioner)
{
  sqlite3_stmt *stmt;
  gboolean blocked;

  if (patient_id == NULL || practitioner == NULL)
    return FALSE;
  stmt = sandbox_conn_prepare (conn,
      "SELECT 1 FROM blocks WHERE patient_id = ? AND practitioner = ? LIMIT 1");
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, practitioner, -1, SQLITE_STATIC);
  blocked = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return blocked;
}

static void
prerender_one (gpointer data, gpointer user_data)
{
  SandboxRow *row = data;
  SandboxDb *db = user_data;
  SandboxConn *conn = sandbox_db_acquire (db);

  sandbox_db_fill_pending (db, conn, row);
  sandbox_db_release (db, conn);
  sandbox_row_free (row);
}

guint
sandbox_db_prerender (SandboxDb *db,
                      guint      n_threads)
{
  SandboxConn *conn = sandbox_db_acquire (db);
  sqlite3_stmt *stmt = sandbox_conn_prepare (conn,
      "SELECT " SANDBOX_ROW_COLUMNS " FROM res r WHERE r.type = 'DocumentReference' AND r.pending = 1");
  GThreadPool *pool = g_thread_pool_new (prerender_one, db, MAX (n_threads, 1), TRUE, NULL);
  guint n = 0;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_thread_pool_push (pool, sandbox_row_from_stmt (stmt), NULL);
      n++;
    }
  sqlite3_reset (stmt);
  sandbox_db_release (db, conn);
  g_thread_pool_free (pool, FALSE, TRUE);
  return n;
}
