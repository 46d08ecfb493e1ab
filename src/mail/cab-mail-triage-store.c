/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* The inbox's triage columns (migration 9), over the store's writer and
 * readers (cab-store-private.h), like cab-mail-store.c. */

#include "cab-mail-triage-store.h"
#include "cab-mail-triage-store-private.h"
#include "cab-mail-keywords.h"
#include "cab-mail-seen.h"

#include <string.h>

char *
cab_mail_triage_lane (gint64 mail_id)
{
  return g_strdup_printf ("mail:%" G_GINT64_FORMAT, mail_id);
}

gboolean
cab_mail_triage_step_done (CabStoreWriter  *writer,
                           sqlite3_stmt    *stmt,
                           const char      *what,
                           GError         **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_mail_triage_has_open_change_locked (CabStoreConn  *conn,
                                        gint64         mail_id,
                                        gboolean      *open,
                                        GError       **error)
{
  g_autofree char *lane = cab_mail_triage_lane (mail_id);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (conn,
    "SELECT 1 FROM outbox INDEXED BY outbox_open_lane"
    " WHERE lane = ?1 AND state IN ('pending', 'sending') AND lane IS NOT NULL"
    " UNION ALL SELECT 1 FROM outbox WHERE lane = ?1 AND state IN ('held', 'failed', 'conflict')"
    " LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, lane);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a message's pending changes");
      return FALSE;
    }
  *open = rc == SQLITE_ROW;
  return TRUE;
}

/* The documents' dismissed numbers as a JSON array (from 1). */
static char *
dismissed_json (const CabMailTriage *triage)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < CAB_MAIL_TRIAGE_MAX_DOCUMENTS; i++)
    if (triage->dismissed[i])
      g_string_append_printf (s, "%s%u", s->len > 1 ? "," : "", i);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gboolean
cab_mail_triage_apply_locked (CabStoreWriter       *writer,
                              gint64                mail_id,
                              const CabMailTriage  *triage,
                              GError              **error)
{
  g_auto(GStrv) keywords = cab_mail_triage_to_keywords (triage);
  g_autofree char *joined = cab_mail_keywords_join ((const char * const *) keywords);
  g_autofree char *assignee = triage->assignee != NULL
      ? g_strconcat ("Practitioner/", triage->assignee, NULL) : NULL;
  g_autofree char *dismissed = dismissed_json (triage);
  g_autoptr(CabStmt) message = NULL;
  g_autoptr(CabStmt) docs = NULL;

  message = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET status = ?2, assignee = ?3, triage_patient_id = ?4, keywords = ?5"
    " WHERE id = ?1", error);
  if (message == NULL)
    return FALSE;
  sqlite3_bind_int64 (message, 1, mail_id);
  cab_stmt_bind_text (message, 2, cab_mail_triage_status (triage));
  cab_stmt_bind_text (message, 3, assignee);
  cab_stmt_bind_text (message, 4, triage->patient_id);
  cab_stmt_bind_text (message, 5, joined);
  if (!cab_mail_triage_step_done (writer, message, "Cannot record a message's triage", error))
    return FALSE;

  /* A reason given here stays; one dismissed elsewhere has none here
   * (empty). Documents filed here keep their local copy and link. */
  docs = cab_store_conn_prepare (writer,
    "UPDATE mail_documents SET"
    " dismissed_reason = CASE WHEN position IN (SELECT value FROM json_each (?2))"
    "   THEN coalesce (dismissed_reason, '') ELSE NULL END,"
    " filed_patient_id = CASE WHEN filed_document_id IS NOT NULL THEN filed_patient_id"
    "   WHEN ?3 AND position NOT IN (SELECT value FROM json_each (?2)) THEN ?4 ELSE NULL END"
    " WHERE mail_id = ?1", error);
  if (docs == NULL)
    return FALSE;
  sqlite3_bind_int64 (docs, 1, mail_id);
  cab_stmt_bind_text (docs, 2, dismissed);
  sqlite3_bind_int (docs, 3, triage->filed && triage->patient_id != NULL);
  cab_stmt_bind_text (docs, 4, triage->patient_id);
  return cab_mail_triage_step_done (writer, docs, "Cannot record a message's documents", error);
}

/* Read or unread follows the server's \Seen again once this desk's own
 * change of it is settled (cab-mail-seen.h). */
static gboolean
settle_seen_locked (CabStoreWriter  *writer,
                    gint64           mail_id,
                    GError         **error)
{
  g_autofree char *lane = cab_mail_seen_lane (mail_id);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET seen_local = NULL WHERE id = ?1 AND seen_local IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM outbox WHERE lane = ?2"
    "                 AND state IN ('pending', 'sending', 'held', 'failed', 'conflict'))", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  cab_stmt_bind_text (stmt, 2, lane);
  return cab_mail_triage_step_done (writer, stmt, "Cannot record a message's read state", error);
}

static gboolean
set_one_locked (CabStoreWriter               *writer,
                const char                   *account,
                const char                   *mailbox,
                guint32                       uidvalidity,
                const CabMailServerKeywords  *item,
                GError                      **error)
{
  g_autoptr(CabStmt) find = NULL;
  g_autoptr(CabStmt) update = NULL;
  g_autofree char *joined = cab_mail_keywords_join (item->keywords);
  gint64 mail_id, stored_modseq;
  gboolean open = FALSE;
  int rc;

  find = cab_store_conn_prepare (writer,
    "SELECT id, server_modseq FROM mail_messages"
    " WHERE account = ?1 AND mailbox = ?2 AND uidvalidity = ?3 AND uid = ?4", error);
  if (find == NULL)
    return FALSE;
  cab_stmt_bind_text (find, 1, account);
  cab_stmt_bind_text (find, 2, mailbox);
  sqlite3_bind_int64 (find, 3, uidvalidity);
  sqlite3_bind_int64 (find, 4, item->uid);
  rc = sqlite3_step (find);
  if (rc == SQLITE_DONE)
    return TRUE;   /* not synced yet: its keywords come with it */
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot look a mail message up");
      return FALSE;
    }
  mail_id = sqlite3_column_int64 (find, 0);
  stored_modseq = sqlite3_column_int64 (find, 1);
  sqlite3_reset (find);
  if (item->modseq > 0 && (gint64) item->modseq < stored_modseq)
    return TRUE;   /* older news */

  update = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET server_keywords = ?2, server_modseq = ?3 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, mail_id);
  cab_stmt_bind_text (update, 2, joined);
  sqlite3_bind_int64 (update, 3, (gint64) MIN (item->modseq, (guint64) G_MAXINT64));
  if (!cab_mail_triage_step_done (writer, update, "Cannot record a message's keywords", error))
    return FALSE;
  if (!settle_seen_locked (writer, mail_id, error))
    return FALSE;

  if (!cab_mail_triage_has_open_change_locked (writer, mail_id, &open, error))
    return FALSE;
  if (!open)
    {
      CabMailTriage triage = { 0 };
      gboolean ok;

      cab_mail_triage_from_keywords (item->keywords, &triage);
      /* Filing done elsewhere is done here by the follow pass. */
      ok = cab_mail_triage_apply_locked (writer, mail_id, &triage, error) &&
           cab_mail_follow_mark_locked (writer, mail_id, triage.filed, error);
      cab_mail_triage_clear (&triage);
      return ok;
    }
  return TRUE;
}

gboolean
cab_mail_store_set_server_keywords_batch (CabStore                    *store,
                                          const char                  *account,
                                          const char                  *mailbox,
                                          guint32                      uidvalidity,
                                          const CabMailServerKeywords *items,
                                          guint                        n,
                                          GError                     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (account != NULL && mailbox != NULL, FALSE);
  g_return_val_if_fail (n == 0 || items != NULL, FALSE);

  writer = cab_store_writer_lock (store);
  if (!cab_store_begin (writer, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!set_one_locked (writer, account, mailbox, uidvalidity, &items[i], error))
      {
        cab_store_rollback (writer);
        return FALSE;
      }
  if (!cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_mail_store_set_server_keywords (CabStore            *store,
                                    const char          *account,
                                    const char          *mailbox,
                                    guint32              uidvalidity,
                                    guint32              uid,
                                    const char * const  *keywords,
                                    guint64              modseq,
                                    GError             **error)
{
  CabMailServerKeywords item = { .uid = uid, .keywords = keywords, .modseq = modseq };

  return cab_mail_store_set_server_keywords_batch (store, account, mailbox, uidvalidity, &item, 1, error);
}
