/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include <gio/gio.h>

#include "cab-store-outbox.h"
#include "cab-store-private.h"

/* The outbox table: every write here runs in one writer transaction with the
 * local effect it goes with (docs/architecture.md, principle 2). Rows are never deleted. */

static const char * const state_names[CAB_OUTBOX_N_STATES] = {
  "pending", "held", "sending", "done", "conflict", "failed", "cancelled",
};

#define NOW_ISO "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

#define ENTRY_COLUMNS \
  "o.id, o.kind, o.patient_id, o.document_id, o.state, o.key, o.depends_on, o.payload," \
  " o.attempts, o.failures, o.next_attempt_at, o.last_error, o.server_id, o.server_version," \
  " o.conflict_json, o.created_at, o.updated_at, o.lane, o.last_error_code, o.last_error_detail"

const char *
cab_outbox_state_to_string (CabOutboxState state)
{
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, NULL);
  return state_names[state];
}

int
cab_outbox_state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < CAB_OUTBOX_N_STATES; i++)
    if (g_str_equal (text, state_names[i]))
      return (int) i;
  return -1;
}

void
cab_outbox_entry_free (CabOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->kind);
  g_free (entry->patient_id);
  g_free (entry->document_id);
  g_free (entry->key);
  g_free (entry->payload);
  g_free (entry->last_error);
  g_free (entry->server_id);
  g_free (entry->server_version);
  g_free (entry->conflict_json);
  g_free (entry->created_at);
  g_free (entry->updated_at);
  g_free (entry->dep_server_id);
  g_free (entry->dep_server_version);
  g_free (entry->lane);
  g_free (entry->last_error_code);
  g_free (entry->last_error_detail);
  g_free (entry);
}

void
cab_outbox_outcome_clear (CabOutboxOutcome *outcome)
{
  g_clear_pointer (&outcome->server_id, g_free);
  g_clear_pointer (&outcome->server_version, g_free);
  g_clear_pointer (&outcome->resource_json, g_free);
  g_clear_pointer (&outcome->resource, json_object_unref);
  g_clear_pointer (&outcome->conflict_json, g_free);
  g_clear_pointer (&outcome->error, g_free);
  g_clear_pointer (&outcome->error_code, g_free);
  g_clear_pointer (&outcome->error_detail, g_free);
}

char *
cab_outbox_entry_lane (const CabOutboxEntry *entry)
{
  /* Order matters within a patient, or else a lane; an entry without
   * either is its own lane. */
  if (entry->patient_id != NULL)
    return g_strconcat ("p:", entry->patient_id, NULL);
  if (entry->lane != NULL)
    return g_strconcat ("l:", entry->lane, NULL);
  return g_strdup_printf ("e:%" G_GINT64_FORMAT, entry->id);
}

static CabOutboxEntry *
entry_from_stmt (sqlite3_stmt *stmt)
{
  CabOutboxEntry *e = g_new0 (CabOutboxEntry, 1);
  int state;

  e->id = sqlite3_column_int64 (stmt, 0);
  e->kind = cab_stmt_dup_text (stmt, 1);
  e->patient_id = cab_stmt_dup_text (stmt, 2);
  e->document_id = cab_stmt_dup_text (stmt, 3);
  state = cab_outbox_state_from_string ((const char *) sqlite3_column_text (stmt, 4));
  e->state = state < 0 ? CAB_OUTBOX_STATE_FAILED : (CabOutboxState) state;
  e->key = cab_stmt_dup_text (stmt, 5);
  e->depends_on = sqlite3_column_int64 (stmt, 6);
  e->payload = cab_stmt_dup_text (stmt, 7);
  e->attempts = (guint) sqlite3_column_int (stmt, 8);
  e->failures = (guint) sqlite3_column_int (stmt, 9);
  e->next_attempt_at = sqlite3_column_int64 (stmt, 10);
  e->last_error = cab_stmt_dup_text (stmt, 11);
  e->server_id = cab_stmt_dup_text (stmt, 12);
  e->server_version = cab_stmt_dup_text (stmt, 13);
  e->conflict_json = cab_stmt_dup_text (stmt, 14);
  e->created_at = cab_stmt_dup_text (stmt, 15);
  e->updated_at = cab_stmt_dup_text (stmt, 16);
  e->lane = cab_stmt_dup_text (stmt, 17);
  e->last_error_code = cab_stmt_dup_text (stmt, 18);
  e->last_error_detail = cab_stmt_dup_text (stmt, 19);
  return e;
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

/* ------------------------------------------------------------------ */
/* Enqueue                                                              */
/* ------------------------------------------------------------------ */

static gboolean
insert_entry_locked (CabStoreWriter        *writer,
                     const CabOutboxEntry  *entry,
                     gint64                *entry_id,
                     GError               **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "INSERT INTO outbox (kind, patient_id, document_id, state, key,"
                                       " depends_on, payload, lane, created_at, updated_at)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " NOW_ISO ", " NOW_ISO ")",
                                       error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 8, entry->lane);
  cab_stmt_bind_text (stmt, 1, entry->kind);
  cab_stmt_bind_text (stmt, 2, entry->patient_id);
  cab_stmt_bind_text (stmt, 3, entry->document_id);
  cab_stmt_bind_text (stmt, 4, state_names[entry->state]);
  cab_stmt_bind_text (stmt, 5, entry->key);
  if (entry->depends_on > 0)
    sqlite3_bind_int64 (stmt, 6, entry->depends_on);
  else
    sqlite3_bind_null (stmt, 6);
  cab_stmt_bind_text (stmt, 7, entry->payload);
  if (!step_done (writer, stmt, "Cannot queue the action", error))
    return FALSE;
  *entry_id = sqlite3_last_insert_rowid (writer->db);
  return TRUE;
}

gboolean
cab_store_outbox_insert_locked (CabStoreWriter        *writer,
                                const CabOutboxEntry  *entry,
                                gint64                *entry_id,
                                GError               **error)
{
  g_return_val_if_fail (entry != NULL && entry->kind != NULL && entry->key != NULL, FALSE);
  g_return_val_if_fail (entry->state == CAB_OUTBOX_STATE_PENDING ||
                        entry->state == CAB_OUTBOX_STATE_HELD, FALSE);

  return insert_entry_locked (writer, entry, entry_id, error);
}

static gboolean
insert_local_document_locked (CabStoreWriter               *writer,
                              const CabOutboxLocalDocument *doc,
                              GError                      **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "INSERT INTO documents (id, patient_id, status, type_code, type_display,"
                                       " category_code, title, author_reference, date, period_start,"
                                       " security_labels, content_type, size, hash, local_path, origin, sort_date)"
                                       " VALUES (?1, ?2, 'current', ?3, ?4, ?5, ?6, ?7, ?8, ?8, 'N',"
                                       " 'application/pdf', ?9, ?10, ?11, 'local', ?8)",
                                       error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, doc->id);
  cab_stmt_bind_text (stmt, 2, doc->patient_id);
  cab_stmt_bind_text (stmt, 3, doc->type_code);
  cab_stmt_bind_text (stmt, 4, doc->type_display);
  cab_stmt_bind_text (stmt, 5, doc->category_code);
  cab_stmt_bind_text (stmt, 6, doc->title);
  cab_stmt_bind_text (stmt, 7, doc->author_reference);
  cab_stmt_bind_text (stmt, 8, doc->date);
  sqlite3_bind_int64 (stmt, 9, doc->size);
  cab_stmt_bind_text (stmt, 10, doc->hash);
  cab_stmt_bind_text (stmt, 11, doc->local_path);
  return step_done (writer, stmt, "Cannot add the document", error);
}

gboolean
cab_store_outbox_enqueue_publish (CabStore                     *self,
                                  const CabOutboxEntry         *entry,
                                  const CabOutboxLocalDocument *doc,
                                  gint64                       *entry_id,
                                  GError                      **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL && doc != NULL && entry_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  if (!insert_local_document_locked (writer, doc, error) ||
      !insert_entry_locked (writer, entry, entry_id, error) || !cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_enqueue_prescription (CabStore                     *self,
                                       const CabStorePrescription   *prescription,
                                       const CabOutboxEntry         *registration,
                                       const CabOutboxEntry         *publish,
                                       const CabOutboxLocalDocument *doc,
                                       gint64                       *registration_id,
                                       gint64                       *publish_id,
                                       GError                      **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (prescription != NULL && registration != NULL && publish != NULL && doc != NULL, FALSE);
  g_return_val_if_fail (registration_id != NULL && publish_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  if (!insert_local_document_locked (writer, doc, error))
    goto fail;
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "INSERT INTO prescriptions (id, patient_id, authored_on, json,"
                                       " document_id, created_at)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, " NOW_ISO ")",
                                       error)))
    goto fail;
  cab_stmt_bind_text (stmt, 1, prescription->id);
  cab_stmt_bind_text (stmt, 2, prescription->patient_id);
  cab_stmt_bind_text (stmt, 3, prescription->authored_on);
  cab_stmt_bind_text (stmt, 4, prescription->json);
  cab_stmt_bind_text (stmt, 5, doc->id);
  if (!step_done (writer, stmt, "Cannot keep the prescription", error))
    goto fail;

  /* Registration first: the patient's entries go in creation order. */
  if (!insert_entry_locked (writer, registration, registration_id, error) ||
      !insert_entry_locked (writer, publish, publish_id, error) ||
      !cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

char *
cab_store_get_prescription_json (CabStore    *self,
                                 const char  *id,
                                 char       **patient_id,
                                 GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  char *json = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  reader = cab_store_reader_acquire (self, error);
  if (reader == NULL)
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, "SELECT json, patient_id FROM prescriptions WHERE id = ?1", error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json = cab_stmt_dup_text (stmt, 0);
      if (patient_id != NULL)
        *patient_id = cab_stmt_dup_text (stmt, 1);
    }
  else
    g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such prescription");
  return json;
}

gboolean
cab_store_outbox_enqueue_visibility (CabStore              *self,
                                     const CabOutboxEntry  *entry,
                                     const char            *security_labels,
                                     gboolean               archived,
                                     gint64                *entry_id,
                                     GError               **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL && entry->document_id != NULL && entry_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE documents SET security_labels = ?2, is_archived = ?3 WHERE id = ?1",
                                       error)))
    goto fail;
  cab_stmt_bind_text (stmt, 1, entry->document_id);
  cab_stmt_bind_text (stmt, 2, security_labels);
  sqlite3_bind_int (stmt, 3, archived ? 1 : 0);
  if (!step_done (writer, stmt, "Cannot change the document", error))
    goto fail;
  if (sqlite3_changes (writer->db) == 0)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                           "No such document in the store");
      goto fail;
    }

  if (!insert_entry_locked (writer, entry, entry_id, error) || !cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_enqueue_create (CabStore             *self,
                                 const CabOutboxEntry *entry,
                                 const CabFhirRecord  *record,
                                 gint64               *entry_id,
                                 GError              **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL && record != NULL && entry_id != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;
  if (!cab_store_put_record_locked (writer, record, error) ||
      !insert_entry_locked (writer, entry, entry_id, error) ||
      !cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return FALSE;
    }
  return TRUE;
}

static gboolean run_text2 (CabStoreWriter  *writer,
                           const char      *sql,
                           const char      *a,
                           const char      *b,
                           GError         **error);

/* A created resource's local copy ("local-<key>") goes: the server's copy
 * replaces it, or the entry was cancelled. */
static gboolean
drop_local_copy_locked (CabStoreWriter        *writer,
                        const CabOutboxEntry  *entry,
                        GError               **error)
{
  static const char * const sql[] = {
    "DELETE FROM observations WHERE resource_id = ?1",
    "DELETE FROM conditions WHERE id = ?1",
    "DELETE FROM medication_requests WHERE id = ?1",
    "DELETE FROM resources WHERE id = ?1 AND patient_id IS ?2",
  };
  g_autofree char *local_id = g_strconcat ("local-", entry->key, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    if (!run_text2 (writer, sql[i], local_id, entry->patient_id, error))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Draining                                                             */
/* ------------------------------------------------------------------ */

gboolean
cab_store_outbox_recover (CabStore  *self,
                          GError   **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  writer = cab_store_writer_lock (self);
  return cab_store_conn_exec (writer,
                              "UPDATE outbox SET state = 'pending' WHERE state = 'sending'",
                              error);
}

/* Due, its dependency done, and the first of its patient still to be sent
 * (pending or sending): failed, conflicting and held entries do not hold
 * the later ones back (they concern other documents: a stuck entry never
 * blocks the rest). */
static const char sql_claimable[] =
  "SELECT " ENTRY_COLUMNS ", d.server_id, d.server_version FROM outbox o"
  " LEFT JOIN outbox d ON d.id = o.depends_on"
  " WHERE o.id IN (SELECT min (id) FROM outbox INDEXED BY outbox_open"
  "                WHERE state IN ('pending', 'sending') AND patient_id IS NOT NULL GROUP BY patient_id"
  "                UNION ALL"
  "                SELECT min (id) FROM outbox INDEXED BY outbox_open_lane"
  "                WHERE state IN ('pending', 'sending') AND lane IS NOT NULL AND patient_id IS NULL"
  "                GROUP BY lane"
  "                UNION ALL"
  "                SELECT id FROM outbox WHERE state = 'pending' AND patient_id IS NULL AND lane IS NULL)"
  " AND o.state = 'pending' AND o.next_attempt_at <= ?1"
  " AND (o.depends_on IS NULL OR d.state = 'done')"
  " AND o.kind IN (SELECT value FROM json_each (?3))"
  " ORDER BY o.id LIMIT ?2";

/* Claims within the caller's transaction; NULL on error. */
static GPtrArray *
claim_locked (CabStoreWriter  *writer,
              const char      *kinds,
              gint64           now,
              GHashTable      *busy_lanes,
              guint            limit,
              gint64          *next_due,
              GError         **error)
{
  g_autoptr(GPtrArray) claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_outbox_entry_free);
  g_autoptr(CabStmt) select = NULL;
  g_autoptr(CabStmt) mark = NULL;
  g_autoptr(CabStmt) due = NULL;
  guint n_busy = busy_lanes != NULL ? g_hash_table_size (busy_lanes) : 0;
  int rc;

  *next_due = 0;
  if (!(select = cab_store_conn_prepare_static (writer, sql_claimable, error)) ||
      !(mark = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                                       " updated_at = " NOW_ISO " WHERE id = ?1",
                                       error)) ||
      !(due = cab_store_conn_prepare (writer,
                                      "SELECT min (next_attempt_at) FROM outbox"
                                      " WHERE state = 'pending' AND next_attempt_at > ?1"
                                      " AND kind IN (SELECT value FROM json_each (?2))",
                                      error)))
    return NULL;

  /* Entries of a busy lane are 'sending', so later ones of it are not
   * selected; the in-flight ones themselves are not pending. Extra rows
   * cover lanes busy for other reasons. */
  sqlite3_bind_int64 (select, 1, now);
  sqlite3_bind_int64 (select, 2, (gint64) limit + n_busy);
  cab_stmt_bind_text (select, 3, kinds);
  while (claimed->len < limit && (rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      CabOutboxEntry *e = entry_from_stmt (select);
      g_autofree char *lane = cab_outbox_entry_lane (e);

      e->dep_server_id = cab_stmt_dup_text (select, 18);
      e->dep_server_version = cab_stmt_dup_text (select, 19);
      if (busy_lanes != NULL && g_hash_table_contains (busy_lanes, lane))
        {
          cab_outbox_entry_free (e);
          continue;
        }
      g_ptr_array_add (claimed, e);
    }
  sqlite3_reset (select);

  for (guint i = 0; i < claimed->len; i++)
    {
      CabOutboxEntry *e = g_ptr_array_index (claimed, i);

      sqlite3_reset (mark);
      sqlite3_bind_int64 (mark, 1, e->id);
      if (!step_done (writer, mark, "Cannot claim an outbox entry", error))
        return NULL;
      e->state = CAB_OUTBOX_STATE_SENDING;
      e->attempts++;
    }

  sqlite3_bind_int64 (due, 1, now);
  cab_stmt_bind_text (due, 2, kinds);
  if (sqlite3_step (due) == SQLITE_ROW)
    *next_due = sqlite3_column_int64 (due, 0);
  return g_steal_pointer (&claimed);
}

GPtrArray *
cab_store_outbox_claim (CabStore    *self,
                        const char  *kinds,
                        gint64       now,
                        GHashTable  *busy_lanes,
                        guint        limit,
                        gint64      *next_due,
                        GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  *next_due = 0;
  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return NULL;
  if ((claimed = claim_locked (writer, kinds, now, busy_lanes, limit, next_due, error)) == NULL ||
      !cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return NULL;
    }
  return g_steal_pointer (&claimed);
}

static gboolean
put_object_locked (CabStoreWriter  *writer,
                   JsonObject      *object,
                   GError         **error)
{
  g_autoptr(CabFhirRecord) record = cab_fhir_record_new_from_json (object, error);

  return record != NULL && cab_store_put_record_locked (writer, record, error);
}

static gboolean
put_json_locked (CabStoreWriter  *writer,
                 const char      *json,
                 GError         **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (json, strlen (json));
  g_autoptr(JsonNode) root = cab_fhir_parse_bytes (bytes, error);
  g_autoptr(CabFhirRecord) record = NULL;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID, "Not a resource");
      return FALSE;
    }
  record = cab_fhir_record_new_from_json (json_node_get_object (root), error);
  return record != NULL && cab_store_put_record_locked (writer, record, error);
}

static gboolean
run_text2 (CabStoreWriter  *writer,
           const char      *sql,
           const char      *a,
           const char      *b,
           GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, a);
  cab_stmt_bind_text (stmt, 2, b);
  return step_done (writer, stmt, "Cannot update the local copy", error);
}

/* The local document becomes the server's: same row (its full-text key, local
 * file and origin survive), new id. When a sync already brought the server's
 * copy, that row takes the local file and the local row goes. */
static gboolean
adopt_server_id_locked (CabStoreWriter  *writer,
                        const char      *local_id,
                        const char      *server_id,
                        GError         **error)
{
  g_autoptr(CabStmt) exists = NULL;
  gboolean taken;

  if (local_id == NULL || g_strcmp0 (local_id, server_id) == 0)
    return TRUE;

  if (!(exists = cab_store_conn_prepare (writer, "SELECT 1 FROM documents WHERE id = ?1", error)))
    return FALSE;
  cab_stmt_bind_text (exists, 1, server_id);
  taken = sqlite3_step (exists) == SQLITE_ROW;

  if (taken)
    {
      if (!run_text2 (writer,
                      "UPDATE documents SET local_path = (SELECT local_path FROM documents WHERE id = ?1),"
                      " origin = 'local' WHERE id = ?2 AND local_path IS NULL",
                      local_id, server_id, error) ||
          !run_text2 (writer, "DELETE FROM documents WHERE id = ?1 AND ?2 IS NOT NULL",
                      local_id, server_id, error))
        return FALSE;
    }
  else if (!run_text2 (writer, "UPDATE documents SET id = ?2 WHERE id = ?1", local_id, server_id, error))
    return FALSE;

  /* Later entries on the same document (visibility) and the prescription
   * it prints now name the server's id. */
  return run_text2 (writer, "UPDATE outbox SET document_id = ?2 WHERE document_id = ?1",
                    local_id, server_id, error) &&
         run_text2 (writer, "UPDATE prescriptions SET document_id = ?2 WHERE document_id = ?1",
                    local_id, server_id, error);
}

/* Within the caller's transaction; TRUE without effect when the entry is
 * no longer sending (cancelled or recovered meanwhile). */
static gboolean
finish_locked (CabStoreWriter          *writer,
               const CabOutboxEntry    *entry,
               const CabOutboxOutcome  *outcome,
               GError                 **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET state = ?2, server_id = coalesce (?3, server_id),"
                                       " server_version = coalesce (?4, server_version),"
                                       " conflict_json = ?5, last_error = ?6,"
                                       " last_error_code = ?9, last_error_detail = ?10,"
                                       " next_attempt_at = ?7,"
                                       " failures = CASE WHEN ?8 THEN 0 ELSE failures + 1 END,"
                                       " updated_at = " NOW_ISO
                                       " WHERE id = ?1 AND state = 'sending'",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->id);
  cab_stmt_bind_text (stmt, 2, state_names[outcome->state]);
  cab_stmt_bind_text (stmt, 3, outcome->server_id);
  cab_stmt_bind_text (stmt, 4, outcome->server_version);
  cab_stmt_bind_text (stmt, 5, outcome->conflict_json);
  cab_stmt_bind_text (stmt, 6, outcome->error);
  sqlite3_bind_int64 (stmt, 7, outcome->next_attempt_at);
  sqlite3_bind_int (stmt, 8, outcome->reset_failures || outcome->state != CAB_OUTBOX_STATE_PENDING);
  /* What failed, language-neutral: the sentence is made when shown
   * (cab-outbox-error.h); @error stays for a sender that gave no code. */
  cab_stmt_bind_text (stmt, 9, outcome->error_code);
  cab_stmt_bind_text (stmt, 10, outcome->error_code != NULL ? outcome->error_detail : NULL);
  if (!step_done (writer, stmt, "Cannot record the outcome", error))
    return FALSE;
  if (sqlite3_changes (writer->db) == 0)
    return TRUE;   /* cancelled or recovered meanwhile: nothing to record */

  if (outcome->state == CAB_OUTBOX_STATE_DONE && outcome->server_id != NULL)
    {
      if (g_strcmp0 (entry->kind, "publish") == 0 &&
          !adopt_server_id_locked (writer, entry->document_id, outcome->server_id, error))
        return FALSE;
      if (g_strcmp0 (entry->kind, "create") == 0 && !drop_local_copy_locked (writer, entry, error))
        return FALSE;
      /* A resource the flattener refuses is no reason to lose the outcome. */
      if (outcome->resource != NULL
          ? !put_object_locked (writer, outcome->resource, &local_error)
          : outcome->resource_json != NULL &&
            !put_json_locked (writer, outcome->resource_json, &local_error))
        {
          if (local_error->domain == CAB_STORE_ERROR)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_warning ("Cannot store the server's copy of a sent entry: %s", local_error->message);
        }
    }
  return TRUE;
}

gboolean
cab_store_outbox_finish (CabStore               *self,
                         const CabOutboxEntry   *entry,
                         const CabOutboxOutcome *outcome,
                         GError                **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL && outcome != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;
  if (!finish_locked (writer, entry, outcome, error) || !cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return FALSE;
    }
  return TRUE;
}

/* A claimed entry that was not sent: pending again, as if never claimed. */
static gboolean
unclaim_locked (CabStoreWriter        *writer,
                const CabOutboxEntry  *entry,
                GError               **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET state = 'pending', attempts = max (attempts - 1, 0)"
                                       " WHERE id = ?1 AND state = 'sending'",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->id);
  return step_done (writer, stmt, "Cannot put back an outbox entry", error);
}

/* One entry's change in its own savepoint: a failure loses only that one
 * (it stays sending, sent again after a restart). */
static void
apply_one (CabStoreWriter          *writer,
           const CabOutboxEntry    *entry,
           const CabOutboxOutcome  *outcome)
{
  g_autoptr(GError) error = NULL;

  if (!cab_store_conn_exec (writer, "SAVEPOINT outbox_entry", &error))
    goto fail;
  if (outcome != NULL ? finish_locked (writer, entry, outcome, &error)
                      : unclaim_locked (writer, entry, &error))
    {
      if (cab_store_conn_exec (writer, "RELEASE outbox_entry", &error))
        return;
    }
  cab_store_conn_exec (writer, "ROLLBACK TO outbox_entry; RELEASE outbox_entry", NULL);

fail:
  g_warning ("Cannot record an outbox outcome: %s", error->message);
}

GPtrArray *
cab_store_outbox_step (CabStore                 *self,
                       const CabOutboxEntry    **entries,
                       const CabOutboxOutcome  **outcomes,
                       guint                     n_entries,
                       const char               *kinds,
                       gint64                    now,
                       GHashTable               *busy_lanes,
                       guint                     limit,
                       gint64                   *next_due,
                       GError                  **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) claim_error = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (n_entries == 0 || (entries != NULL && outcomes != NULL), NULL);

  *next_due = 0;
  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return NULL;

  for (guint i = 0; i < n_entries; i++)
    apply_one (writer, entries[i], outcomes[i]);

  /* A failed claim keeps the outcomes recorded before it. With @limit 0
   * this only finds @next_due. */
  if (cab_store_conn_exec (writer, "SAVEPOINT outbox_claim", &claim_error))
    {
      claimed = claim_locked (writer, kinds, now, busy_lanes, limit, next_due, &claim_error);
      if (claimed != NULL)
        cab_store_conn_exec (writer, "RELEASE outbox_claim", NULL);
      else
        cab_store_conn_exec (writer, "ROLLBACK TO outbox_claim; RELEASE outbox_claim", NULL);
    }

  if (!cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return NULL;
    }
  if (claimed == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&claim_error));
      return NULL;
    }
  return g_steal_pointer (&claimed);
}

/* ------------------------------------------------------------------ */
/* User actions                                                         */
/* ------------------------------------------------------------------ */

static CabOutboxEntry *
get_locked (CabStoreConn  *conn,
            gint64         id,
            GError       **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (conn,
                                                    "SELECT " ENTRY_COLUMNS " FROM outbox o WHERE o.id = ?1",
                                                    error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return entry_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                 "No outbox entry %" G_GINT64_FORMAT, id);
  else
    cab_store_set_sql_error (error, conn->db, "Cannot read the outbox");
  return NULL;
}

static gboolean
check_state (const CabOutboxEntry  *entry,
             guint                  from_mask,
             GError               **error)
{
  if ((from_mask & (1u << entry->state)) != 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Entry %" G_GINT64_FORMAT " is %s", entry->id, state_names[entry->state]);
  return FALSE;
}

/* A cancelled change of visibility gives the document back the server's labels. */
static gboolean
restore_document_locked (CabStoreWriter  *writer,
                         const char      *document_id,
                         GError         **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  g_autofree char *json = NULL;

  if (document_id == NULL)
    return TRUE;
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "SELECT json FROM resources WHERE type = 'DocumentReference' AND id = ?1",
                                       error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, document_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    json = cab_stmt_dup_text (stmt, 0);
  g_clear_pointer (&stmt, cab_stmt_release);
  return json == NULL || put_json_locked (writer, json, error);
}

/* Every user action on one entry starts here: the entry is read and its
 * state checked inside the transaction that changes it, so the sender
 * cannot move it in between. NULL, transaction rolled back, on failure. */
static CabOutboxEntry *
begin_change_locked (CabStoreWriter  *writer,
                     gint64           id,
                     guint            from_mask,
                     GError         **error)
{
  g_autoptr(CabOutboxEntry) entry = NULL;

  if (!cab_store_begin (writer, error))
    return NULL;
  if (!(entry = get_locked (writer, id, error)) || !check_state (entry, from_mask, error))
    {
      cab_store_rollback (writer);
      return NULL;
    }
  return g_steal_pointer (&entry);
}

/* A new payload (edited, or rebased on the server's version) is a new
 * action: it goes out as soon as it can, with no past failures or conflict. */
static gboolean
restart_with_payload_locked (CabStoreWriter  *writer,
                             gint64           id,
                             const char      *payload,
                             CabOutboxState   state,
                             GError         **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET payload = ?2, state = ?3, next_attempt_at = 0,"
                                       " failures = 0, last_error = NULL, last_error_code = NULL,"
                                       " last_error_detail = NULL, conflict_json = NULL,"
                                       " updated_at = " NOW_ISO " WHERE id = ?1",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  cab_stmt_bind_text (stmt, 2, payload);
  cab_stmt_bind_text (stmt, 3, state_names[state]);
  return step_done (writer, stmt, "Cannot change an outbox entry", error);
}

gboolean
cab_store_outbox_transition (CabStore        *self,
                             gint64           id,
                             guint            from_mask,
                             CabOutboxState   to,
                             gboolean         reset,
                             CabStoreOutboxHook hook,
                             gpointer         hook_data,
                             GError         **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  writer = cab_store_writer_lock (self);
  if (!(entry = begin_change_locked (writer, id, from_mask, error)))
    return FALSE;

  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET state = ?2,"
                                       " next_attempt_at = CASE WHEN ?3 THEN 0 ELSE next_attempt_at END,"
                                       " failures = CASE WHEN ?3 THEN 0 ELSE failures END,"
                                       " last_error = CASE WHEN ?3 THEN NULL ELSE last_error END,"
                                       " last_error_code = CASE WHEN ?3 THEN NULL ELSE last_error_code END,"
                                       " last_error_detail = CASE WHEN ?3 THEN NULL ELSE last_error_detail END,"
                                       " updated_at = " NOW_ISO " WHERE id = ?1",
                                       error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  cab_stmt_bind_text (stmt, 2, state_names[to]);
  sqlite3_bind_int (stmt, 3, reset ? 1 : 0);
  if (!step_done (writer, stmt, "Cannot change an outbox entry", error))
    goto fail;

  if (to == CAB_OUTBOX_STATE_CANCELLED && g_strcmp0 (entry->kind, "visibility") == 0 &&
      !restore_document_locked (writer, entry->document_id, error))
    goto fail;
  /* A measure not sent is taken back: it leaves the charts too. */
  if (to == CAB_OUTBOX_STATE_CANCELLED && g_strcmp0 (entry->kind, "create") == 0 &&
      !drop_local_copy_locked (writer, entry, error))
    goto fail;
  if (hook != NULL && !hook (writer, entry, hook_data, error))
    goto fail;

  if (!cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_update_payload (CabStore        *self,
                                 gint64           id,
                                 guint            from_mask,
                                 const char      *payload,
                                 CabOutboxState   to,
                                 const char      *title,
                                 const char      *type_code,
                                 const char      *type_display,
                                 GError         **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(CabStmt) doc = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(entry = begin_change_locked (writer, id, from_mask, error)))
    return FALSE;
  if (!restart_with_payload_locked (writer, id, payload, to, error))
    goto fail;

  if (entry->document_id != NULL && (title != NULL || type_code != NULL))
    {
      if (!(doc = cab_store_conn_prepare (writer,
                                          "UPDATE documents SET title = coalesce (?2, title),"
                                          " type_code = coalesce (?3, type_code),"
                                          " type_display = coalesce (?4, type_display) WHERE id = ?1",
                                          error)))
        goto fail;
      cab_stmt_bind_text (doc, 1, entry->document_id);
      cab_stmt_bind_text (doc, 2, title);
      cab_stmt_bind_text (doc, 3, type_code);
      cab_stmt_bind_text (doc, 4, type_display);
      if (!step_done (writer, doc, "Cannot change the document", error))
        goto fail;
    }

  if (!cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_keep_server (CabStore    *self,
                              gint64       id,
                              const char  *resource_json,
                              const char  *note,
                              CabStoreOutboxHook hook,
                              gpointer     hook_data,
                              GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  writer = cab_store_writer_lock (self);
  if (!(entry = begin_change_locked (writer, id, 1u << CAB_OUTBOX_STATE_CONFLICT, error)))
    return FALSE;

  /* The conflict JSON stays on the entry: what the user chose against. */
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "UPDATE outbox SET state = 'cancelled', last_error = ?2,"
                                       " last_error_code = NULL, last_error_detail = NULL,"
                                       " updated_at = " NOW_ISO " WHERE id = ?1",
                                       error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  cab_stmt_bind_text (stmt, 2, note);
  if (!step_done (writer, stmt, "Cannot change an outbox entry", error))
    goto fail;
  if (resource_json != NULL && !put_json_locked (writer, resource_json, error))
    goto fail;
  if (hook != NULL && !hook (writer, entry, hook_data, error))
    goto fail;

  if (!cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_rebase (CabStore              *self,
                         gint64                 id,
                         CabStoreOutboxRebase   rebase,
                         gpointer               rebase_data,
                         GError               **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autofree char *payload = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (rebase != NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(entry = begin_change_locked (writer, id, 1u << CAB_OUTBOX_STATE_CONFLICT, error)))
    return FALSE;
  if (!(payload = rebase (writer, entry, rebase_data, error)) ||
      !restart_with_payload_locked (writer, id, payload, CAB_OUTBOX_STATE_PENDING, error) ||
      !cab_store_commit (writer, error))
    goto fail;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

gboolean
cab_store_outbox_wake (CabStore  *self,
                       GError   **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  writer = cab_store_writer_lock (self);
  return cab_store_conn_exec (writer,
                              "UPDATE outbox SET next_attempt_at = 0"
                              " WHERE state = 'pending' AND next_attempt_at > 0",
                              error);
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */
/* ------------------------------------------------------------------ */

CabOutboxEntry *
cab_store_outbox_get (CabStore  *self,
                      gint64     id,
                      GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  return get_locked (reader, id, error);
}

/* Quiet entries: a message's read or unread change (lane "mailseen:<id>",
 * cab-mail-seen.h) happens at every opened message; the Outbox page shows
 * and counts it only when it needs the user. */
#define SHOWN_SQL " AND NOT (coalesce (o.lane, '') GLOB 'mailseen:*' AND o.state NOT IN ('failed', 'conflict'))"

static GPtrArray *
list_entries (CabStore  *self,
              int        state,
              guint      limit,
              gboolean   shown_only,
              GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_outbox_entry_free);
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       shown_only
                                       ? "SELECT " ENTRY_COLUMNS " FROM outbox o"
                                         " WHERE (?1 IS NULL OR o.state = ?1)" SHOWN_SQL " ORDER BY o.id DESC LIMIT ?2"
                                       : "SELECT " ENTRY_COLUMNS " FROM outbox o"
                                         " WHERE ?1 IS NULL OR o.state = ?1 ORDER BY o.id DESC LIMIT ?2",
                                       error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, state >= 0 ? state_names[state] : NULL);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the outbox");
      return NULL;
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
cab_store_outbox_list (CabStore  *self,
                       int        state,
                       guint      limit,
                       GError   **error)
{
  return list_entries (self, state, limit, FALSE, error);
}

GPtrArray *
cab_store_outbox_list_shown (CabStore  *self,
                             int        state,
                             guint      limit,
                             GError   **error)
{
  return list_entries (self, state, limit, TRUE, error);
}

static gboolean
count_entries (CabStore  *self,
               guint     *counts,
               gboolean   shown_only,
               GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);

  memset (counts, 0, sizeof (guint) * CAB_OUTBOX_N_STATES);
  if (!(reader = cab_store_reader_acquire (self, error)))
    return FALSE;
  if (!(stmt = cab_store_conn_prepare (reader, shown_only
                                       ? "SELECT state, count(*) FROM outbox o WHERE 1" SHOWN_SQL " GROUP BY state"
                                       : "SELECT state, count(*) FROM outbox GROUP BY state", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int state = cab_outbox_state_from_string ((const char *) sqlite3_column_text (stmt, 0));
      if (state >= 0)
        counts[state] = (guint) sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count the outbox");
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_store_outbox_count (CabStore  *self,
                        guint     *counts,
                        GError   **error)
{
  return count_entries (self, counts, FALSE, error);
}

gboolean
cab_store_outbox_count_shown (CabStore  *self,
                              guint     *counts,
                              GError   **error)
{
  return count_entries (self, counts, TRUE, error);
}

GHashTable *
cab_store_outbox_read_receipts (CabStore  *self,
                                guint      limit,
                                GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GHashTable) read = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  /* The newest done entries are the ones shown: their receipts are among
   * the newest @limit. */
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT s.entry_id, s.read_at FROM mail_sent s JOIN outbox o ON o.id = s.entry_id"
                                       " WHERE s.read_at IS NOT NULL AND o.state = 'done'"
                                       " ORDER BY s.entry_id DESC LIMIT ?1", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (read, g_memdup2 (&(gint64) { sqlite3_column_int64 (stmt, 0) }, sizeof (gint64)),
                         g_memdup2 (&(gint64) { sqlite3_column_int64 (stmt, 1) }, sizeof (gint64)));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the read receipts");
      return NULL;
    }
  return g_steal_pointer (&read);
}

CabOutboxEntry *
cab_store_outbox_get_for_document (CabStore    *self,
                                   const char  *document_id,
                                   GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (document_id != NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT " ENTRY_COLUMNS " FROM outbox o WHERE o.document_id = ?1"
                                       " AND o.state NOT IN ('done', 'cancelled') ORDER BY o.id DESC LIMIT 1",
                                       error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, document_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return entry_from_stmt (stmt);
  if (rc != SQLITE_DONE)
    cab_store_set_sql_error (error, reader->db, "Cannot read the outbox");
  return NULL;
}
