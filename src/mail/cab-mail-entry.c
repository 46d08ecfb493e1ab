/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-mail-entry.h"
#include "cab-mail-send.h"

gboolean
cab_mail_entry_insert_locked (CabStoreWriter  *writer,
                              const char      *patient_id,
                              const char      *key,
                              const char      *payload,
                              const char      *message_id,
                              gint64          *entry_id,
                              GError         **error)
{
  g_autofree char *lane = g_strconcat ("mail:", key, NULL);
  CabOutboxEntry entry = {
    .kind = (char *) CAB_MAIL_KIND, .patient_id = (char *) patient_id, .state = CAB_OUTBOX_STATE_PENDING,
    .key = (char *) key, .payload = (char *) payload, .lane = patient_id == NULL ? lane : NULL,
  };
  g_autoptr(CabStmt) sent = NULL;

  if (!cab_store_outbox_insert_locked (writer, &entry, entry_id, error))
    return FALSE;
  /* Its insert trigger learns the recipients as correspondents. */
  sent = cab_store_conn_prepare (writer, "INSERT INTO mail_sent (entry_id, message_id) VALUES (?1, ?2)", error);
  if (sent == NULL)
    return FALSE;
  sqlite3_bind_int64 (sent, 1, *entry_id);
  cab_stmt_bind_text (sent, 2, message_id);
  if (sqlite3_step (sent) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot queue the message");
      return FALSE;
    }
  return TRUE;
}
