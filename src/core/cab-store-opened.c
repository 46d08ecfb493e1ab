/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-audit.h"
#include "cab-store-opened.h"
#include "cab-store-private.h"

static char *
read_opened (CabStoreConn  *conn,
             const char    *patient_id,
             GError       **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (!(stmt = cab_store_conn_prepare (conn,
                                       "SELECT opened_at FROM patient_sync WHERE patient_id = ?1",
                                       error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return cab_stmt_dup_text (stmt, 0);
  if (rc != SQLITE_DONE)
    cab_store_set_sql_error (error, conn->db, "Cannot read when a patient was opened");
  return NULL;
}

gboolean
cab_store_mark_patient_opened (CabStore    *self,
                               const char  *patient_id,
                               const char  *when,
                               char       **previous,
                               GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autofree char *before = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!cab_store_begin (writer, error))
    return FALSE;

  before = read_opened (writer, patient_id, &local_error);
  if (local_error == NULL)
    {
      g_autoptr(CabStmt) stmt = NULL;

      /* synced_at stays as it is: opening is not syncing. */
      stmt = cab_store_conn_prepare (writer,
                                     "INSERT INTO patient_sync (patient_id, opened_at)"
                                     " VALUES (?1, coalesce (?2, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')))"
                                     " ON CONFLICT (patient_id) DO UPDATE SET opened_at = excluded.opened_at",
                                     &local_error);
      if (stmt != NULL)
        {
          cab_stmt_bind_text (stmt, 1, patient_id);
          cab_stmt_bind_text (stmt, 2, when);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            cab_store_set_sql_error (&local_error, writer->db, "Cannot mark a patient opened");
        }
    }

  if (local_error == NULL)
    {
      g_autoptr(CabStmt) stmt = NULL;

      /* The same row cab_store_audit() writes, inside this transaction. */
      stmt = cab_store_conn_prepare (writer,
                                     "INSERT INTO audit (ts, action, resource_type, resource_id) "
                                     "VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3)",
                                     &local_error);
      if (stmt != NULL)
        {
          cab_stmt_bind_text (stmt, 1, CAB_AUDIT_PATIENT_OPEN);
          cab_stmt_bind_text (stmt, 2, CAB_AUDIT_TYPE_PATIENT);
          cab_stmt_bind_text (stmt, 3, patient_id);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            cab_store_set_sql_error (&local_error, writer->db, "Cannot write the audit trail");
        }
    }

  if (local_error != NULL || !cab_store_commit (writer, &local_error))
    {
      cab_store_rollback (writer);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (previous != NULL)
    *previous = g_steal_pointer (&before);
  return TRUE;
}

char *
cab_store_get_patient_opened (CabStore    *self,
                              const char  *patient_id,
                              GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  return read_opened (reader, patient_id, error);
}
