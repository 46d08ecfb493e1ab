/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-store-private.h"

/* Most words a full-text query may hold; the rest are ignored. */
#define MAX_FTS_TOKENS 16

/* An imaging report points to its KOS entry (same Study Instance UID).
 * INDEXED BY: left alone, the planner walks the patient's whole timeline
 * for each report to save a sort of one or two rows. */
#define DOCUMENT_COLUMNS \
  "d.id, d.patient_id, d.status, d.type_code, d.type_display, d.category_code," \
  " d.title, d.description, d.author_reference, d.author_display, d.custodian_display," \
  " d.date, d.period_start, d.security_labels, d.is_archived, d.content_type, d.url," \
  " d.size, d.hash, d.study_uid, d.is_kos, d.replaces_id, d.local_path, d.origin," \
  " d.sort_date," \
  " CASE WHEN d.study_uid IS NOT NULL AND d.is_kos = 0 THEN" \
  "  (SELECT k.id FROM documents k INDEXED BY documents_study" \
  "   WHERE k.study_uid = d.study_uid AND k.is_kos = 1" \
  "   AND k.patient_id IS d.patient_id ORDER BY k.sort_date DESC LIMIT 1) END"

/* A KOS entry whose report is present is shown through the report. */
#define KOS_FOLDED \
  " NOT (d.is_kos = 1 AND d.study_uid IS NOT NULL AND EXISTS" \
  "  (SELECT 1 FROM documents r INDEXED BY documents_study" \
  "   WHERE r.study_uid = d.study_uid AND r.is_kos = 0" \
  "   AND r.patient_id IS d.patient_id))"

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

static CabDocumentRow *
document_row_from_stmt (sqlite3_stmt *stmt)
{
  CabDocumentRow *row = g_new0 (CabDocumentRow, 1);
  CabDocument *d = &row->document;

  row->id = cab_stmt_dup_text (stmt, 0);
  row->patient_id = cab_stmt_dup_text (stmt, 1);
  d->status = cab_stmt_dup_text (stmt, 2);
  d->type_code = cab_stmt_dup_text (stmt, 3);
  d->type_display = cab_stmt_dup_text (stmt, 4);
  d->category_code = cab_stmt_dup_text (stmt, 5);
  d->title = cab_stmt_dup_text (stmt, 6);
  d->description = cab_stmt_dup_text (stmt, 7);
  d->author_reference = cab_stmt_dup_text (stmt, 8);
  d->author_display = cab_stmt_dup_text (stmt, 9);
  d->custodian_display = cab_stmt_dup_text (stmt, 10);
  d->date = cab_stmt_dup_text (stmt, 11);
  d->period_start = cab_stmt_dup_text (stmt, 12);
  d->security_labels = cab_stmt_dup_text (stmt, 13);
  d->is_archived = sqlite3_column_int (stmt, 14) != 0;
  d->content_type = cab_stmt_dup_text (stmt, 15);
  d->url = cab_stmt_dup_text (stmt, 16);
  d->size = sqlite3_column_type (stmt, 17) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 17);
  d->hash = cab_stmt_dup_text (stmt, 18);
  d->study_uid = cab_stmt_dup_text (stmt, 19);
  d->is_kos = sqlite3_column_int (stmt, 20) != 0;
  d->replaces_id = cab_stmt_dup_text (stmt, 21);
  row->local_path = cab_stmt_dup_text (stmt, 22);
  row->origin = cab_stmt_dup_text (stmt, 23);
  row->sort_date = cab_stmt_dup_text (stmt, 24);
  row->kos_id = cab_stmt_dup_text (stmt, 25);
  return row;
}

static GPtrArray *
collect_documents (CabStoreReader  *reader,
                   sqlite3_stmt    *stmt,
                   GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_document_row_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, document_row_from_stmt (stmt));

  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read documents");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* ------------------------------------------------------------------ */
/* Full-text query                                                      */
/* ------------------------------------------------------------------ */

/* User text never reaches the FTS5 syntax: words are cut on anything that is
 * not a letter or digit (as the unicode61 tokenizer does), each one quoted
 * and made a prefix: «Hélène d'Arc» -> "Hélène"* "d"* "Arc"* (all must match). */
char *
cab_store_fts_query (const char *text)
{
  g_autofree char *valid = NULL;
  GString *query;
  gboolean in_word = FALSE;
  guint n_tokens = 0;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  query = g_string_new (NULL);

  for (const char *p = valid; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      gboolean word_char = c != 0 && (g_unichar_isalnum (c) ||
                                      type == G_UNICODE_NON_SPACING_MARK ||
                                      type == G_UNICODE_SPACING_MARK ||
                                      type == G_UNICODE_ENCLOSING_MARK);

      if (word_char && !in_word)
        {
          if (n_tokens == MAX_FTS_TOKENS)
            break;
          if (n_tokens++ > 0)
            g_string_append_c (query, ' ');
          g_string_append_c (query, '"');
          in_word = TRUE;
        }
      else if (!word_char && in_word)
        {
          g_string_append (query, "\"*");
          in_word = FALSE;
        }

      if (c == 0)
        break;
      if (word_char)
        g_string_append_unichar (query, c);
    }

  if (in_word)
    g_string_append (query, "\"*");

  if (n_tokens == 0)
    {
      g_string_free (query, TRUE);
      return NULL;
    }
  return g_string_free (query, FALSE);
}

/* ------------------------------------------------------------------ */
/* Timeline and search                                                  */
/* ------------------------------------------------------------------ */

GPtrArray *
cab_store_list_timeline (CabStore                *self,
                         const char              *patient_id,
                         const CabTimelineFilter *filter,
                         GError                 **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GString) sql = NULL;
  g_autofree char *fts = NULL;
  g_autofree char *date_to = NULL;
  CabTimelineFilter none = { 0 };

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter == NULL)
    filter = &none;

  fts = cab_store_fts_query (filter->text);
  /* Inclusive end day: "2024-03-05~" sorts after every time of that day. */
  if (filter->date_to != NULL)
    date_to = g_strconcat (filter->date_to, "~", NULL);

  /* One statement per combination of filters, each cached on the connection. */
  sql = g_string_new ("SELECT " DOCUMENT_COLUMNS " FROM documents d WHERE d.patient_id = ?1");
  if (filter->category_code != NULL)
    g_string_append (sql, " AND d.category_code = ?2");
  if (filter->type_code != NULL)
    g_string_append (sql, " AND d.type_code = ?3");
  if (filter->date_from != NULL)
    g_string_append (sql, " AND d.sort_date >= ?4");
  if (date_to != NULL)
    g_string_append (sql, " AND d.sort_date <= ?5");
  if (fts != NULL)
    g_string_append (sql, " AND d.docid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?6)");
  if (!filter->include_kos)
    g_string_append (sql, " AND" KOS_FOLDED);
  g_string_append (sql, " ORDER BY d.sort_date DESC, d.id");

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;

  /* Binding a number the statement does not use is a harmless SQLITE_RANGE. */
  cab_stmt_bind_text (stmt, 1, patient_id);
  if (filter->category_code != NULL)
    cab_stmt_bind_text (stmt, 2, filter->category_code);
  if (filter->type_code != NULL)
    cab_stmt_bind_text (stmt, 3, filter->type_code);
  if (filter->date_from != NULL)
    cab_stmt_bind_text (stmt, 4, filter->date_from);
  if (date_to != NULL)
    cab_stmt_bind_text (stmt, 5, date_to);
  if (fts != NULL)
    cab_stmt_bind_text (stmt, 6, fts);

  return collect_documents (reader, stmt, error);
}

CabDocumentRow *
cab_store_get_document (CabStore    *self,
                        const char  *document_id,
                        GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (document_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT " DOCUMENT_COLUMNS " FROM documents d WHERE d.id = ?1",
                                       error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, document_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return document_row_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                         "No such document in the store");
  else
    cab_store_set_sql_error (error, reader->db, "Cannot read a document");
  return NULL;
}

GPtrArray *
cab_store_search_documents (CabStore    *self,
                            const char  *query,
                            const char  *patient_id,
                            guint        limit,
                            GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autofree char *fts = NULL;
  const char *sql;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fts = cab_store_fts_query (query);
  if (fts == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) cab_document_row_free);

  /* Ranked inside FTS5 ("rank" is bm25 with the column weights set in the
   * schema), and only the best @limit rows are joined to their documents. */
  if (patient_id != NULL)
    sql = "SELECT " DOCUMENT_COLUMNS " FROM"
          " (SELECT f.rowid AS docid, f.rank AS score FROM documents_fts f"
          "  JOIN documents p ON p.docid = f.rowid"
          "  WHERE documents_fts MATCH ?1 AND p.patient_id = ?2 ORDER BY f.rank LIMIT ?3) m"
          " JOIN documents d ON d.docid = m.docid ORDER BY m.score, d.sort_date DESC";
  else
    sql = "SELECT " DOCUMENT_COLUMNS " FROM"
          " (SELECT rowid AS docid, rank AS score FROM documents_fts"
          "  WHERE documents_fts MATCH ?1 ORDER BY rank LIMIT ?3) m"
          " JOIN documents d ON d.docid = m.docid ORDER BY m.score, d.sort_date DESC";

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, sql, error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, fts);
  if (patient_id != NULL)
    cab_stmt_bind_text (stmt, 2, patient_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);

  return collect_documents (reader, stmt, error);
}

/* ------------------------------------------------------------------ */
/* Content                                                              */
/* ------------------------------------------------------------------ */

static gboolean
run_bound (CabStoreWriter  *writer,
           const char      *sql,
           const char      *id,
           const char      *value,
           GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer, sql, error);

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, id);
  if (value != NULL)
    cab_stmt_bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot save document content");
      return FALSE;
    }
  return TRUE;
}

/* Inside the writer's transaction: cab-store-cache.c records the content
 * and its accounting in one. */
gboolean
cab_store_set_document_content_locked (CabStoreWriter  *writer,
                                       const char      *document_id,
                                       const char      *local_path,
                                       const char      *text,
                                       GError         **error)
{
  g_autoptr(CabStmt) update = NULL;

  if (!(update = cab_store_conn_prepare (writer,
                                         "UPDATE documents SET local_path = coalesce (?2, local_path),"
                                         " text_extracted = CASE WHEN ?3 IS NULL THEN text_extracted ELSE 1 END"
                                         " WHERE id = ?1",
                                         error)))
    return FALSE;
  cab_stmt_bind_text (update, 1, document_id);
  cab_stmt_bind_text (update, 2, local_path);
  cab_stmt_bind_text (update, 3, text);
  if (sqlite3_step (update) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot save document content");
      return FALSE;
    }
  if (sqlite3_changes (writer->db) == 0)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                           "No such document in the store");
      return FALSE;
    }

  /* The external-content index must be told the old values to forget them. */
  if (text != NULL &&
      (!run_bound (writer,
                   "INSERT INTO documents_fts (documents_fts, rowid, title, author, custodian, text)"
                   " SELECT 'delete', d.docid, d.title, d.author_display, d.custodian_display, t.text"
                   " FROM documents d LEFT JOIN document_texts t ON t.docid = d.docid WHERE d.id = ?1",
                   document_id, NULL, error) ||
       !run_bound (writer,
                   "INSERT INTO document_texts (docid, text)"
                   " SELECT docid, ?2 FROM documents WHERE id = ?1"
                   " ON CONFLICT (docid) DO UPDATE SET text = excluded.text",
                   document_id, text, error) ||
       !run_bound (writer,
                   "INSERT INTO documents_fts (rowid, title, author, custodian, text)"
                   " SELECT d.docid, d.title, d.author_display, d.custodian_display, t.text"
                   " FROM documents d LEFT JOIN document_texts t ON t.docid = d.docid WHERE d.id = ?1",
                   document_id, NULL, error)))
    return FALSE;
  return TRUE;
}

gboolean
cab_store_set_document_content (CabStore    *self,
                                const char  *document_id,
                                const char  *local_path,
                                const char  *text,
                                GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (document_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;
  if (!cab_store_set_document_content_locked (writer, document_id, local_path, text, error) ||
      !cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Observations and conditions                                          */
/* ------------------------------------------------------------------ */

#define OBSERVATION_COLUMNS \
  "code, display, effective, value, unit, value_string, low, high, interpretation, document_id"

static GPtrArray *
collect_observations (CabStoreReader  *reader,
                      sqlite3_stmt    *stmt,
                      GError         **error)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_observation_value_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabObservationValue *v = g_new0 (CabObservationValue, 1);

      v->code = cab_stmt_dup_text (stmt, 0);
      v->display = cab_stmt_dup_text (stmt, 1);
      v->effective = cab_stmt_dup_text (stmt, 2);
      v->value = cab_stmt_get_double (stmt, 3);
      v->unit = cab_stmt_dup_text (stmt, 4);
      v->value_string = cab_stmt_dup_text (stmt, 5);
      v->low = cab_stmt_get_double (stmt, 6);
      v->high = cab_stmt_get_double (stmt, 7);
      v->interpretation = cab_stmt_dup_text (stmt, 8);
      v->document_id = cab_stmt_dup_text (stmt, 9);
      g_ptr_array_add (values, v);
    }

  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read observations");
      return NULL;
    }
  return g_steal_pointer (&values);
}

GPtrArray *
cab_store_list_observations (CabStore    *self,
                             const char  *patient_id,
                             const char  *code,
                             GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  const char *sql;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Two statements so the (patient_id, code, effective) index serves both. */
  if (code != NULL)
    sql = "SELECT " OBSERVATION_COLUMNS " FROM observations"
          " WHERE patient_id = ?1 AND code = ?2 ORDER BY effective, resource_id";
  else
    sql = "SELECT " OBSERVATION_COLUMNS " FROM observations"
          " WHERE patient_id = ?1 ORDER BY effective, code, resource_id";

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, sql, error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, patient_id);
  if (code != NULL)
    cab_stmt_bind_text (stmt, 2, code);
  return collect_observations (reader, stmt, error);
}

GPtrArray *
cab_store_list_document_observations (CabStore    *self,
                                      const char  *document_id,
                                      GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (document_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  /* Insertion order keeps a panel's components in the order of the report. */
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT " OBSERVATION_COLUMNS " FROM observations"
                                       " WHERE document_id = ?1 ORDER BY effective, rowid",
                                       error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, document_id);
  return collect_observations (reader, stmt, error);
}

GPtrArray *
cab_store_list_conditions (CabStore    *self,
                           const char  *patient_id,
                           GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT code, system, display, clinical_status, onset, ald"
                                       " FROM conditions WHERE patient_id = ?1"
                                       " ORDER BY ald DESC, onset, id",
                                       error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, patient_id);
  conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_condition_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabCondition *c = g_new0 (CabCondition, 1);

      c->code = cab_stmt_dup_text (stmt, 0);
      c->system = cab_stmt_dup_text (stmt, 1);
      c->display = cab_stmt_dup_text (stmt, 2);
      c->clinical_status = cab_stmt_dup_text (stmt, 3);
      c->onset = cab_stmt_dup_text (stmt, 4);
      c->ald = sqlite3_column_int (stmt, 5) != 0;
      g_ptr_array_add (conditions, c);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read conditions");
      return NULL;
    }
  return g_steal_pointer (&conditions);
}
