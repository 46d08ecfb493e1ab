/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Another desk's triage done here (cab-mail-follow.h). Logs carry message
 * ids and counts only (principle 5). */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cab-mail-filing-private.h"
#include "cab-mail-flags.h"
#include "cab-mail-follow.h"
#include "cab-mail-triage.h"
#include "cab-mail-triage-store.h"
#include "cab-mail-triage-store-private.h"

/* Messages looked at per pass: the rest waits for the next sync. */
#define MAX_PER_PASS 500

#define STATE_UNKNOWN_PATIENT   "unknown-patient"
#define STATE_DOCUMENT_MISMATCH "document-mismatch"

gboolean
cab_mail_follow_mark_locked (CabStoreWriter  *writer,
                             gint64           mail_id,
                             gboolean         filed,
                             GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET filing_state = 'pending' WHERE id = ?1 AND (?2 OR filing_state IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM mail_documents WHERE mail_id = ?1 AND filed_document_id IS NOT NULL))", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  sqlite3_bind_int (stmt, 2, filed);
  return cab_mail_triage_step_done (writer, stmt, "Cannot mark a message to follow", error);
}

/* The patient @d is to be filed to under @t, or NULL. */
static const char *
wanted_patient (const CabTriageDoc  *d,
                const CabMailTriage *t)
{
  if (cab_triage_doc_is_container (d) || !t->filed || t->patient_id == NULL ||
      d->position >= CAB_MAIL_TRIAGE_MAX_DOCUMENTS || t->dismissed[d->position])
    return NULL;
  return t->patient_id;
}

/* Documents filed here to another patient than @t files them to (or not
 * filed by @t at all) leave that patient's timeline. Their files go into
 * @paths, removed once the transaction is committed. */
static gboolean
take_back_locked (CabStoreWriter       *writer,
                  CabTriageMessage     *m,
                  const CabMailTriage  *t,
                  GPtrArray            *paths,
                  guint                *n_taken_back,
                  GError              **error)
{
  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      const char *want = wanted_patient (d, t);
      g_autoptr(CabStmt) path = NULL, del = NULL, unlink_doc = NULL;

      if (d->filed_document_id == NULL || g_strcmp0 (d->filed_patient_id, want) == 0)
        continue;
      path = cab_store_conn_prepare (writer, "SELECT local_path FROM documents WHERE id = ?1", error);
      if (path == NULL)
        return FALSE;
      cab_stmt_bind_text (path, 1, d->filed_document_id);
      if (sqlite3_step (path) == SQLITE_ROW && sqlite3_column_text (path, 0) != NULL)
        g_ptr_array_add (paths, cab_stmt_dup_text (path, 0));
      del = cab_store_conn_prepare (writer, "DELETE FROM documents WHERE id = ?1 AND origin = 'mssante'", error);
      if (del == NULL)
        return FALSE;
      cab_stmt_bind_text (del, 1, d->filed_document_id);
      if (!cab_mail_triage_step_done (writer, del, "Cannot take a filed document back", error))
        return FALSE;
      (*n_taken_back) += sqlite3_changes (writer->db) > 0;
      unlink_doc = cab_store_conn_prepare (writer,
        "UPDATE mail_documents SET filed_document_id = NULL, filed_patient_id = ?3"
        " WHERE mail_id = ?1 AND position = ?2", error);
      if (unlink_doc == NULL)
        return FALSE;
      sqlite3_bind_int64 (unlink_doc, 1, m->id);
      sqlite3_bind_int (unlink_doc, 2, (int) d->position);
      cab_stmt_bind_text (unlink_doc, 3, want);
      if (!cab_mail_triage_step_done (writer, unlink_doc, "Cannot unlink a filed document", error))
        return FALSE;
      g_clear_pointer (&d->filed_document_id, g_free);
      g_free (d->filed_patient_id);
      d->filed_patient_id = g_strdup (want);
    }
  return TRUE;
}

static void
remove_files (GPtrArray *paths)
{
  for (guint i = 0; paths != NULL && i < paths->len; i++)
    g_unlink (g_ptr_array_index (paths, i));
}

/* The triage keywords of one open "mailflags" entry's payload. */
static gboolean
entry_change (const char   *payload,
              char       ***base,
              char       ***want)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (payload == NULL || !json_parser_load_from_data (parser, payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  *base = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "base", ""));
  *want = cab_mail_keywords_split (json_object_get_string_member_with_default (o, "want", ""));
  return TRUE;
}

gboolean
cab_mail_follow_restore_locked (CabStoreWriter  *writer,
                                gint64           mail_id,
                                gint64           except_entry,
                                GError         **error)
{
  g_autofree char *lane = cab_mail_triage_lane (mail_id);
  g_autoptr(CabStmt) server = cab_store_conn_prepare (writer,
    "SELECT server_keywords FROM mail_messages WHERE id = ?1", error);
  g_autoptr(CabStmt) open = NULL;
  g_autoptr(CabTriageMessage) m = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) keywords = NULL;
  CabMailTriage t = { 0 };
  guint n_taken_back = 0;
  gboolean ok;
  int rc;

  if (server == NULL)
    return FALSE;
  sqlite3_bind_int64 (server, 1, mail_id);
  if ((rc = sqlite3_step (server)) == SQLITE_DONE)
    return TRUE;   /* the message is gone: nothing to restore */
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot read a message's keywords");
      return FALSE;
    }
  {
    g_auto(GStrv) all = cab_mail_keywords_split ((const char *) sqlite3_column_text (server, 0));

    keywords = cab_mail_keywords_triage_only ((const char * const *) all);
  }
  g_clear_pointer (&server, cab_stmt_release);

  /* This desk's other changes not on the server yet stay made here. */
  open = cab_store_conn_prepare (writer,
    "SELECT payload FROM outbox WHERE lane = ?1 AND kind = '" CAB_MAIL_FLAGS_KIND "'"
    " AND state IN ('pending', 'sending', 'held', 'failed', 'conflict') AND id != ?2 ORDER BY id", error);
  if (open == NULL)
    return FALSE;
  cab_stmt_bind_text (open, 1, lane);
  sqlite3_bind_int64 (open, 2, except_entry);
  while ((rc = sqlite3_step (open)) == SQLITE_ROW)
    {
      g_auto(GStrv) base = NULL, want = NULL;
      char **next;

      if (!entry_change ((const char *) sqlite3_column_text (open, 0), &base, &want))
        continue;
      next = cab_mail_keywords_rebase ((const char * const *) keywords, (const char * const *) base,
                                       (const char * const *) want);
      g_strfreev (keywords);
      keywords = next;
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot read a message's pending changes");
      return FALSE;
    }

  cab_mail_triage_from_keywords ((const char * const *) keywords, &t);
  ok = cab_mail_triage_apply_locked (writer, mail_id, &t, error) &&
       (m = cab_triage_message_read (writer, mail_id, error)) != NULL &&
       take_back_locked (writer, m, &t, paths, &n_taken_back, error) &&
       cab_mail_follow_mark_locked (writer, mail_id, t.filed, error);
  cab_mail_triage_clear (&t);
  /* Inside the outbox's transaction (its hook): the files go now, as undo
   * does; the rows above say they are no longer filed. */
  if (ok)
    remove_files (paths);
  return ok;
}

/* ------------------------------------------------------------ the pass */

static gboolean
set_state_locked (CabStoreWriter  *writer,
                  gint64           mail_id,
                  const char      *state,
                  GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET filing_state = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  cab_stmt_bind_text (stmt, 2, state);
  return cab_mail_triage_step_done (writer, stmt, "Cannot record a message's filing", error);
}

static gboolean
follow_one (CabStore            *store,
            gint64               mail_id,
            CabMailFollowResult *result,
            GError             **error)
{
  g_autoptr(CabTriageMessage) m = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  const char *state = NULL;
  CabMailTriage t = { 0 };
  guint n_to_file = 0;
  gboolean open = FALSE, ok = FALSE;

  {
    g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);

    if (reader == NULL || (m = cab_triage_message_read (reader, mail_id, error)) == NULL ||
        !cab_mail_triage_has_open_change_locked (reader, mail_id, &open, error))
      return FALSE;
    /* This desk's own change settles first; the sync that reads its
     * outcome marks the message again. */
    if (open)
      return TRUE;
    t = cab_triage_message_triage (m);
    for (guint i = 0; i < m->docs->len; i++)
      {
        CabTriageDoc *d = g_ptr_array_index (m->docs, i);
        const char *want = wanted_patient (d, &t);

        d->wanted = want != NULL && (d->filed_document_id == NULL || g_strcmp0 (d->filed_patient_id, want) != 0);
        n_to_file += d->wanted;
      }
    /* Never a guess: the patient the keyword names, in full, in this
     * store; each document's bytes as the inbox listed them. Filed with no
     * valid patient keyword (a malformed or too long id was ignored) is
     * left to a person too. */
    if (n_to_file > 0 && !cab_triage_patient_exists (reader, t.patient_id, &local))
      state = STATE_UNKNOWN_PATIENT;
    else if (t.filed && t.patient_id == NULL)
      for (guint i = 0; i < m->docs->len && state == NULL; i++)
        {
          CabTriageDoc *d = g_ptr_array_index (m->docs, i);

          if (!cab_triage_doc_is_container (d) && d->position < CAB_MAIL_TRIAGE_MAX_DOCUMENTS &&
              !t.dismissed[d->position])
            state = STATE_UNKNOWN_PATIENT;
        }
  }
  if (n_to_file > 0 && state == NULL)
    {
      if (!cab_triage_read_back (m, &local))
        state = STATE_DOCUMENT_MISMATCH;
      else if (!cab_triage_write_documents (store, m, error))
        goto out;
    }
  if (state != NULL)
    g_debug ("Message %" G_GINT64_FORMAT " is filed at another desk and cannot be here: %s", mail_id, state);

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
    g_autoptr(CabTriageMessage) now = NULL;
    gboolean still_open = FALSE;
    guint n_taken_back = 0;

    if (!cab_store_begin (writer, error))
      goto out;
    /* The triage may have moved while the files were written: the next
     * pass looks again (the message stays marked). */
    if ((now = cab_triage_message_read (writer, mail_id, error)) == NULL ||
        !cab_mail_triage_has_open_change_locked (writer, mail_id, &still_open, error))
      {
        cab_store_rollback (writer);
        goto out;
      }
    if (still_open || g_strcmp0 (now->keywords, m->keywords) != 0)
      {
        cab_store_rollback (writer);
        ok = TRUE;
        goto out;
      }
    if (!take_back_locked (writer, m, &t, paths, &n_taken_back, error) ||
        (n_to_file > 0 && state == NULL &&
         !cab_triage_insert_documents_locked (writer, m, t.patient_id, created, error)) ||
        !set_state_locked (writer, mail_id, state, error) ||
        !cab_store_commit (writer, error))
      {
        cab_store_rollback (writer);
        goto out;
      }
    result->n_taken_back += n_taken_back;
    result->n_filed += created->len;
    result->n_attention += state != NULL;
  }
  /* A document taken back and filed again under the same id keeps its
   * new file. */
  for (guint i = 0; i < paths->len; i++)
    {
      gboolean rewritten = FALSE;

      for (guint j = 0; j < m->docs->len && !rewritten; j++)
        rewritten = g_strcmp0 (((CabTriageDoc *) g_ptr_array_index (m->docs, j))->new_path,
                               g_ptr_array_index (paths, i)) == 0;
      if (!rewritten)
        g_unlink (g_ptr_array_index (paths, i));
    }
  ok = TRUE;

out:
  cab_mail_triage_clear (&t);
  return ok;
}

gboolean
cab_mail_follow_server (CabStore            *store,
                        CabMailFollowResult *result,
                        GError             **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  *result = (CabMailFollowResult) { 0 };
  {
    g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
    g_autoptr(CabStmt) stmt = NULL;
    int rc;

    if (reader == NULL)
      return FALSE;
    stmt = cab_store_conn_prepare (reader,
      "SELECT id FROM mail_messages WHERE filing_state IS NOT NULL ORDER BY id LIMIT ?1", error);
    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int (stmt, 1, MAX_PER_PASS);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (ids, id);
      }
    if (rc != SQLITE_DONE)
      {
        cab_store_set_sql_error (error, reader->db, "Cannot list messages to follow");
        return FALSE;
      }
  }
  for (guint i = 0; i < ids->len; i++)
    if (!follow_one (store, g_array_index (ids, gint64, i), result, error))
      return FALSE;
  return TRUE;
}
