/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Read and unread (cab-mail-seen.h): one small transaction, the local
 * state and its outbox entry together (principle 2). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-mail-flags-private.h"
#include "cab-mail-seen.h"
#include "cab-mail-triage.h"
#include "cab-outbox-kind.h"
#include "cab-store-private.h"

char *
cab_mail_seen_lane (gint64 mail_id)
{
  return g_strdup_printf ("mailseen:%" G_GINT64_FORMAT, mail_id);
}

typedef struct
{
  char   *account;
  char   *mailbox;
  gint64  uidvalidity;
  gint64  uid;
  gboolean seen;
} Message;

static void
message_clear (Message *m)
{
  g_free (m->account);
  g_free (m->mailbox);
}

static gboolean
read_message_locked (CabStoreWriter  *writer,
                     gint64           mail_id,
                     Message         *m,
                     GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "SELECT account, mailbox, uidvalidity, uid, NOT " CAB_MAIL_UNREAD_SQL ("")
    " FROM mail_messages WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NOT_FOUND,
                   _("This message is no longer in the local store."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot read a mail message");
      return FALSE;
    }
  m->account = cab_stmt_dup_text (stmt, 0);
  m->mailbox = cab_stmt_dup_text (stmt, 1);
  m->uidvalidity = sqlite3_column_int64 (stmt, 2);
  m->uid = sqlite3_column_int64 (stmt, 3);
  m->seen = sqlite3_column_int (stmt, 4);
  return TRUE;
}

static gboolean
queue_locked (CabStoreWriter  *writer,
              gint64           mail_id,
              const Message   *m,
              gboolean         seen,
              GError         **error)
{
  g_autofree char *lane = cab_mail_seen_lane (mail_id);
  CabMailFlagsChange change = {
    .lane = lane,
    .mail_id = mail_id, .account = m->account, .mailbox = m->mailbox, .uidvalidity = m->uidvalidity,
    .uid = m->uid, .seen = seen,
  };

  return cab_mail_flags_queue_locked (writer, &change, NULL, error);
}

gboolean
cab_mail_seen_set (CabStore   *store,
                   CabOutbox  *outbox,
                   gint64      mail_id,
                   gboolean    seen,
                   gboolean   *changed,
                   GError    **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) update = NULL;
  Message m = { 0 };
  gboolean ok;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);

  if (changed != NULL)
    *changed = FALSE;
  seen = !!seen;
  writer = cab_store_writer_lock (store);
  if (!cab_store_begin (writer, error))
    return FALSE;
  ok = read_message_locked (writer, mail_id, &m, error);
  if (ok && m.seen == seen)
    {
      /* Already so (the usual case when a read message is opened again). */
      message_clear (&m);
      cab_store_rollback (writer);
      return TRUE;
    }
  if (ok)
    ok = (update = cab_store_conn_prepare (writer, "UPDATE mail_messages SET seen_local = ?2 WHERE id = ?1",
                                           error)) != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (update, 1, mail_id);
      sqlite3_bind_int (update, 2, seen);
      if (sqlite3_step (update) != SQLITE_DONE)
        {
          cab_store_set_sql_error (error, writer->db, "Cannot mark a mail message read");
          ok = FALSE;
        }
    }
  ok = ok && queue_locked (writer, mail_id, &m, seen, error) && cab_store_commit (writer, error);
  message_clear (&m);
  if (!ok)
    {
      cab_store_rollback (writer);
      return FALSE;
    }
  g_clear_pointer (&update, cab_stmt_release);
  g_clear_pointer (&writer, cab_store_writer_unlock);
  if (outbox != NULL)
    cab_outbox_queued (outbox);
  if (changed != NULL)
    *changed = TRUE;
  return TRUE;
}

typedef struct
{
  CabStore  *store;
  CabOutbox *outbox;
  gint64     mail_id;
  gboolean   seen;
  gboolean   changed;
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->outbox);
  g_free (data);
}

static void
seen_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;

  if (cab_mail_seen_set (data->store, data->outbox, data->mail_id, data->seen, &data->changed, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cab_mail_seen_set_async (CabStore            *store,
                         CabOutbox           *outbox,
                         gint64               mail_id,
                         gboolean             seen,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (CAB_IS_STORE (store));

  data = g_new0 (AsyncData, 1);
  data->store = g_object_ref (store);
  data->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  data->mail_id = mail_id;
  data->seen = seen;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_seen_set_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, seen_thread);
}

gboolean
cab_mail_seen_set_finish (GAsyncResult  *result,
                          gboolean      *changed,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_seen_set_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (changed != NULL)
    *changed = ((AsyncData *) g_task_get_task_data (G_TASK (result)))->changed;
  return TRUE;
}
