/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* The inbox's SQL, over the store's one writer and its pooled readers
 * (cab-store-private.h): the tables are the store's (migration 7), the
 * types are the mail library's. */

#include "cab-mail-store.h"
#include "cab-store-private.h"

#include <string.h>

#define MAX_CANDIDATE_KEYS 16

static void document_free (gpointer data);

CabMailRow *
cab_mail_row_new (void)
{
  CabMailRow *row = g_new0 (CabMailRow, 1);

  row->documents = g_ptr_array_new_with_free_func (document_free);
  return row;
}

static void
document_free (gpointer data)
{
  CabMailDocument *d = data;

  g_free (d->source);
  g_free (d->filename);
  g_free (d->content_type);
  g_free (d->sha1);
  g_free (d->type_code);
  g_free (d->type_display);
  g_free (d->text_state);
  g_free (d->filed_patient_id);
  g_free (d->filed_document_id);
  g_free (d->dismissed_reason);
  g_free (d);
}

CabMailDocument *
cab_mail_document_new (void)
{
  return g_new0 (CabMailDocument, 1);
}

void
cab_mail_row_free (CabMailRow *row)
{
  if (row == NULL)
    return;
  g_free (row->message_id);
  g_free (row->body_hash);
  g_free (row->from_display);
  g_free (row->from_address);
  g_free (row->subject);
  g_free (row->raw_path);
  g_free (row->status);
  g_free (row->assignee);
  g_free (row->triage_patient_id);
  g_free (row->keywords);
  g_free (row->filing_state);
  g_free (row->match_state);
  g_free (row->match_reason);
  g_free (row->match_ins);
  g_free (row->match_patient_id);
  g_strfreev (row->match_candidates);
  g_free (row->mss_ins);
  g_free (row->mss_codecda);
  g_free (row->xdm_error);
  g_free (row->body_text);
  g_free (row->attachment_names);
  g_free (row->document_text);
  g_ptr_array_unref (row->documents);
  g_free (row);
}

gboolean
cab_mail_store_get_folder (CabStore       *store,
                           const char     *account,
                           const char     *mailbox,
                           CabMailFolder  *folder,
                           gboolean       *found,
                           GError        **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  *found = FALSE;
  *folder = (CabMailFolder) { 0 };
  if (reader == NULL)
    return FALSE;
  stmt = cab_store_conn_prepare (reader, "SELECT uidvalidity, last_uid, highestmodseq FROM mail_folders"
                                         " WHERE account = ?1 AND mailbox = ?2", error);
  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, account);
  cab_stmt_bind_text (stmt, 2, mailbox);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      folder->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 0);
      folder->last_uid = (guint32) sqlite3_column_int64 (stmt, 1);
      folder->highestmodseq = (guint64) sqlite3_column_int64 (stmt, 2);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the mail folder's state");
      return FALSE;
    }
  return TRUE;
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

/* The message's row in mail_fts, in the message's own writes. */
static gboolean
put_fts (CabStoreWriter *writer, const CabMailRow *row, GError **error)
{
  g_autoptr(CabStmt) fts = cab_store_conn_prepare (writer,
    "INSERT INTO mail_fts (rowid, subject, sender, body, attachments) VALUES (?1, ?2, ?3, ?4, ?5)", error);
  g_autofree char *sender = g_strjoin (" ", row->from_display ? row->from_display : "",
                                       row->from_address ? row->from_address : "", NULL);
  g_autofree char *attachments = g_strjoin ("\n", row->attachment_names ? row->attachment_names : "",
                                            row->document_text ? row->document_text : "", NULL);

  if (fts == NULL)
    return FALSE;
  sqlite3_bind_int64 (fts, 1, row->id);
  cab_stmt_bind_text (fts, 2, row->subject);
  cab_stmt_bind_text (fts, 3, sender);
  cab_stmt_bind_text (fts, 4, row->body_text);
  cab_stmt_bind_text (fts, 5, attachments);
  return step_done (writer, fts, "Cannot index a mail message", error);
}

static gboolean
put_row (CabStoreWriter *writer, const char *account, const char *mailbox,
         CabMailRow *row, gboolean *is_new, GError **error)
{
  g_autoptr(CabStmt) find = NULL, insert = NULL;
  g_autofree char *key = g_strconcat (row->message_id ? row->message_id : "", " ", row->body_hash, NULL);
  g_autofree char *candidates = row->match_candidates ? g_strjoinv (",", row->match_candidates) : g_strdup ("");
  int rc;

  *is_new = FALSE;
  find = cab_store_conn_prepare (writer, "SELECT id FROM mail_messages WHERE account = ?1 AND mailbox = ?2"
                                         " AND message_key = ?3", error);
  if (find == NULL)
    return FALSE;
  cab_stmt_bind_text (find, 1, account);
  cab_stmt_bind_text (find, 2, mailbox);
  cab_stmt_bind_text (find, 3, key);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      /* Seen before (a UIDVALIDITY change renumbered it): new UID only. */
      g_autoptr(CabStmt) update = NULL;

      row->id = sqlite3_column_int64 (find, 0);
      update = cab_store_conn_prepare (writer, "UPDATE mail_messages SET uidvalidity = ?1, uid = ?2 WHERE id = ?3", error);
      if (update == NULL)
        return FALSE;
      sqlite3_bind_int64 (update, 1, row->uidvalidity);
      sqlite3_bind_int64 (update, 2, row->uid);
      sqlite3_bind_int64 (update, 3, row->id);
      return step_done (writer, update, "Cannot renumber a mail message", error);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot look a mail message up");
      return FALSE;
    }

  insert = cab_store_conn_prepare (writer,
    "INSERT INTO mail_messages (account, mailbox, uidvalidity, uid, message_key, message_id, body_hash,"
    " date, from_display, from_address, subject, size, raw_path, status, match_state, match_reason,"
    " match_ins, match_patient_id, match_candidates, match_disagreeing, mss_ins, mss_codecda, mss_fin,"
    " smime_signed, xdm_error, received_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24, strftime ('%s', 'now'))", error);
  if (insert == NULL)
    return FALSE;
  cab_stmt_bind_text (insert, 1, account);
  cab_stmt_bind_text (insert, 2, mailbox);
  sqlite3_bind_int64 (insert, 3, row->uidvalidity);
  sqlite3_bind_int64 (insert, 4, row->uid);
  cab_stmt_bind_text (insert, 5, key);
  cab_stmt_bind_text (insert, 6, row->message_id);
  cab_stmt_bind_text (insert, 7, row->body_hash);
  if (row->date > 0)
    sqlite3_bind_int64 (insert, 8, row->date);
  cab_stmt_bind_text (insert, 9, row->from_display);
  cab_stmt_bind_text (insert, 10, row->from_address);
  cab_stmt_bind_text (insert, 11, row->subject);
  sqlite3_bind_int64 (insert, 12, row->size);
  cab_stmt_bind_text (insert, 13, row->raw_path);
  cab_stmt_bind_text (insert, 14, row->match_state);
  cab_stmt_bind_text (insert, 15, row->match_reason);
  cab_stmt_bind_text (insert, 16, row->match_ins);
  cab_stmt_bind_text (insert, 17, row->match_patient_id);
  cab_stmt_bind_text (insert, 18, candidates);
  sqlite3_bind_int (insert, 19, row->match_disagreeing);
  cab_stmt_bind_text (insert, 20, row->mss_ins);
  cab_stmt_bind_text (insert, 21, row->mss_codecda);
  sqlite3_bind_int (insert, 22, row->mss_fin);
  sqlite3_bind_int (insert, 23, row->smime_signed);
  cab_stmt_bind_text (insert, 24, row->xdm_error);
  if (!step_done (writer, insert, "Cannot store a mail message", error))
    return FALSE;
  row->id = sqlite3_last_insert_rowid (writer->db);
  *is_new = TRUE;

  for (guint i = 0; i < row->documents->len; i++)
    {
      CabMailDocument *d = g_ptr_array_index (row->documents, i);
      g_autoptr(CabStmt) doc = cab_store_conn_prepare (writer,
        "INSERT INTO mail_documents (mail_id, position, source, filename, content_type, size, sha1, hash_ok,"
        " type_code, type_display, text_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", error);

      if (doc == NULL)
        return FALSE;
      sqlite3_bind_int64 (doc, 1, row->id);
      sqlite3_bind_int (doc, 2, i);
      cab_stmt_bind_text (doc, 3, d->source);
      cab_stmt_bind_text (doc, 4, d->filename);
      cab_stmt_bind_text (doc, 5, d->content_type);
      sqlite3_bind_int64 (doc, 6, d->size);
      cab_stmt_bind_text (doc, 7, d->sha1);
      sqlite3_bind_int (doc, 8, d->hash_ok);
      cab_stmt_bind_text (doc, 9, d->type_code);
      cab_stmt_bind_text (doc, 10, d->type_display);
      cab_stmt_bind_text (doc, 11, d->text_state);
      if (!step_done (writer, doc, "Cannot store a mail document", error))
        return FALSE;
    }
  if (!put_fts (writer, row, error))
    return FALSE;
  if (row->text_pending)
    {
      /* In the row's transaction: a crash never loses the indexing. */
      g_autoptr(CabStmt) pending = cab_store_conn_prepare (writer,
        "INSERT OR IGNORE INTO mail_text_pending (mail_id) VALUES (?1)", error);

      if (pending == NULL)
        return FALSE;
      sqlite3_bind_int64 (pending, 1, row->id);
      return step_done (writer, pending, "Cannot mark a mail message for indexing", error);
    }
  return TRUE;
}

gboolean
cab_mail_store_put_batch (CabStore            *store,
                          const char          *account,
                          const char          *mailbox,
                          const CabMailFolder *watermark,
                          GPtrArray           *rows,
                          guint               *n_new,
                          GError             **error)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autoptr(CabStmt) folder = NULL;
  guint added = 0;

  if (!cab_store_begin (writer, error))
    return FALSE;
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      gboolean is_new;

      if (!put_row (writer, account, mailbox, g_ptr_array_index (rows, i), &is_new, error))
        goto fail;
      added += is_new;
    }
  folder = cab_store_conn_prepare (writer,
    "INSERT INTO mail_folders (account, mailbox, uidvalidity, last_uid, highestmodseq, synced_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, strftime ('%s', 'now'))"
    " ON CONFLICT (account, mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
    " last_uid = excluded.last_uid, highestmodseq = excluded.highestmodseq, synced_at = excluded.synced_at",
    error);
  if (folder == NULL)
    goto fail;
  cab_stmt_bind_text (folder, 1, account);
  cab_stmt_bind_text (folder, 2, mailbox);
  sqlite3_bind_int64 (folder, 3, watermark->uidvalidity);
  sqlite3_bind_int64 (folder, 4, watermark->last_uid);
  sqlite3_bind_int64 (folder, 5, (gint64) watermark->highestmodseq);
  if (!step_done (writer, folder, "Cannot store the mail folder's state", error) ||
      !cab_store_commit (writer, error))
    goto fail;
  if (n_new != NULL)
    *n_new = added;
  return TRUE;

fail:
  cab_store_rollback (writer);
  return FALSE;
}

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  return cab_stmt_dup_text (stmt, column);
}

GPtrArray *
cab_mail_store_list (CabStore    *store,
                     const char  *match_state,
                     GError     **error)
{
  return cab_mail_store_search (store, match_state, NULL, error);
}

GPtrArray *
cab_mail_store_search (CabStore    *store,
                       const char  *match_state,
                       const char  *text,
                       GError     **error)
{
  g_autofree char *query = text != NULL ? cab_store_fts_query (text) : NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL, docs = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  int rc;

  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader,
    "SELECT id, uidvalidity, uid, message_id, body_hash, date, from_display, from_address, subject, size,"
    " raw_path, status, match_state, match_reason, match_ins, match_patient_id, match_candidates,"
    " match_disagreeing, mss_ins, mss_codecda, mss_fin, smime_signed, xdm_error, received_at,"
    " assignee, triage_patient_id, keywords, filing_state"
    " FROM mail_messages WHERE (?1 IS NULL OR match_state = ?1)"
    " AND (?2 IS NULL OR id IN (SELECT rowid FROM mail_fts WHERE mail_fts MATCH ?2))"
    " ORDER BY date DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  cab_stmt_bind_text (stmt, 1, match_state);
  cab_stmt_bind_text (stmt, 2, query);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabMailRow *row = cab_mail_row_new ();
      const char *candidates = (const char *) sqlite3_column_text (stmt, 16);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 1);
      row->uid = (guint32) sqlite3_column_int64 (stmt, 2);
      row->message_id = column_text (stmt, 3);
      row->body_hash = column_text (stmt, 4);
      row->date = sqlite3_column_int64 (stmt, 5);
      row->from_display = column_text (stmt, 6);
      row->from_address = column_text (stmt, 7);
      row->subject = column_text (stmt, 8);
      row->size = sqlite3_column_int64 (stmt, 9);
      row->raw_path = column_text (stmt, 10);
      row->status = column_text (stmt, 11);
      row->match_state = column_text (stmt, 12);
      row->match_reason = column_text (stmt, 13);
      row->match_ins = column_text (stmt, 14);
      row->match_patient_id = column_text (stmt, 15);
      row->match_candidates = candidates && *candidates ? g_strsplit (candidates, ",", -1) : g_new0 (char *, 1);
      row->match_disagreeing = sqlite3_column_int (stmt, 17);
      row->mss_ins = column_text (stmt, 18);
      row->mss_codecda = column_text (stmt, 19);
      row->mss_fin = sqlite3_column_int (stmt, 20);
      row->smime_signed = sqlite3_column_int (stmt, 21);
      row->xdm_error = column_text (stmt, 22);
      row->received_at = sqlite3_column_int64 (stmt, 23);
      row->assignee = column_text (stmt, 24);
      row->triage_patient_id = column_text (stmt, 25);
      row->keywords = column_text (stmt, 26);
      row->filing_state = column_text (stmt, 27);
      g_ptr_array_add (rows, row);
      g_hash_table_insert (by_id, &row->id, row);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list mail messages");
      return NULL;
    }
  docs = cab_store_conn_prepare (reader,
    "SELECT mail_id, source, filename, content_type, size, sha1, hash_ok, type_code, type_display, text_state,"
    " filed_patient_id, filed_document_id, dismissed_reason"
    " FROM mail_documents ORDER BY mail_id, position", error);
  if (docs == NULL)
    return NULL;
  while ((rc = sqlite3_step (docs)) == SQLITE_ROW)
    {
      gint64 mail_id = sqlite3_column_int64 (docs, 0);
      CabMailRow *row = g_hash_table_lookup (by_id, &mail_id);
      CabMailDocument *d;

      if (row == NULL)
        continue;
      d = cab_mail_document_new ();
      d->source = column_text (docs, 1);
      d->filename = column_text (docs, 2);
      d->content_type = column_text (docs, 3);
      d->size = sqlite3_column_int64 (docs, 4);
      d->sha1 = column_text (docs, 5);
      d->hash_ok = sqlite3_column_int (docs, 6);
      d->type_code = column_text (docs, 7);
      d->type_display = column_text (docs, 8);
      d->text_state = column_text (docs, 9);
      d->filed_patient_id = column_text (docs, 10);
      d->filed_document_id = column_text (docs, 11);
      d->dismissed_reason = column_text (docs, 12);
      g_ptr_array_add (row->documents, d);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list mail documents");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static void
candidate_free (gpointer data)
{
  CabMatchPatient *p = data;

  g_free ((char *) p->id);
  g_free ((char *) p->ins);
  g_free ((char *) p->birth_family);
  g_free ((char *) p->usage_family);
  g_free ((char *) p->given);
  g_free ((char *) p->birth_date);
  g_free (p);
}

GPtrArray *
cab_mail_store_candidates (CabStore            *store,
                           const char * const  *ins,
                           const char * const  *birth_dates,
                           GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) patients = g_ptr_array_new_with_free_func (candidate_free);
  /* json_each keeps the statement fixed whatever the number of keys. */
  g_autoptr(GString) ins_json = g_string_new ("[");
  g_autoptr(GString) dates_json = g_string_new ("[");
  g_autofree char *ins_text = NULL, *dates_text = NULL;
  int rc;

  for (guint i = 0; ins != NULL && ins[i] != NULL && i < MAX_CANDIDATE_KEYS; i++)
    {
      /* INS are digits (and 2A/2B): checked by the matcher before use. */
      if (strspn (ins[i], "0123456789ABab") != strlen (ins[i]))
        continue;
      g_string_append_printf (ins_json, "%s\"%s\"", ins_json->len > 1 ? "," : "", ins[i]);
    }
  for (guint i = 0; birth_dates != NULL && birth_dates[i] != NULL && i < MAX_CANDIDATE_KEYS; i++)
    {
      if (strlen (birth_dates[i]) != 10 || strspn (birth_dates[i], "0123456789-") != 10)
        continue;
      g_string_append_printf (dates_json, "%s\"%s\"", dates_json->len > 1 ? "," : "", birth_dates[i]);
    }
  g_string_append_c (ins_json, ']');
  g_string_append_c (dates_json, ']');
  ins_text = g_strdup (ins_json->str);
  dates_text = g_strdup (dates_json->str);

  reader = cab_store_reader_acquire (store, error);
  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader,
    "SELECT p.id, p.ins, p.identity_status, p.family, p.birth_name, p.given, p.sex, p.birth_date,"
    " (SELECT count (*) FROM patients q WHERE q.ins = p.ins) > 1"
    " FROM patients p"
    " WHERE p.ins IN (SELECT value FROM json_each (?1))"
    "    OR p.birth_date IN (SELECT value FROM json_each (?2))"
    " ORDER BY p.id", error);
  if (stmt == NULL)
    return NULL;
  cab_stmt_bind_text (stmt, 1, ins_text);
  cab_stmt_bind_text (stmt, 2, dates_text);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabMatchPatient *p = g_new0 (CabMatchPatient, 1);
      g_autofree char *family = column_text (stmt, 3);
      g_autofree char *birth_name = column_text (stmt, 4);
      const char *sex = (const char *) sqlite3_column_text (stmt, 6);

      p->id = column_text (stmt, 0);
      p->ins = column_text (stmt, 1);
      p->qualified = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), "QUAL") == 0;
      /* The store keeps the used name as family and the birth name apart
       * when it differs; the matcher compares against both. */
      p->birth_family = g_strdup (birth_name ? birth_name : family);
      p->usage_family = birth_name ? g_strdup (family) : NULL;
      p->given = column_text (stmt, 5);
      p->birth_date = column_text (stmt, 7);
      p->sex = g_strcmp0 (sex, "female") == 0 ? 'F' : g_strcmp0 (sex, "male") == 0 ? 'M' : 0;
      p->ins_duplicate = sqlite3_column_int (stmt, 8);
      g_ptr_array_add (patients, p);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot look up patients for a message");
      return NULL;
    }
  return g_steal_pointer (&patients);
}
