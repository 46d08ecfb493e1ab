/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

/* The composer's drafts (docs/architecture.md, "Sending mail", "Drafts"):
 * one row of mail_drafts (migration 14) per message being written. Saving
 * is an upsert that never brings back a row the queue deleted, so a save
 * still on its way when the message is sent cannot leave a ghost draft. */

#include "cab-mail-drafts.h"

#include "cab-json-read.h"
#include "cab-mail-recipients.h"
#include "cab-mail-send.h"
#include "cab-outbox-kind.h"
#include "cab-query.h"
#include "cab-store-private.h"

/* How many drafts a listing gives, and how many elements of one draft's
 * lists (recipients, documents, files) are read back: our own rows, still
 * bounded when read. */
#define MAX_LIST 200
#define MAX_LIST_LENGTH 256

CabMailDraftRecord *
cab_mail_draft_record_new (void)
{
  CabMailDraftRecord *r = g_new0 (CabMailDraftRecord, 1);

  r->to = g_new0 (char *, 1);
  r->document_ids = g_new0 (char *, 1);
  r->files = g_new0 (char *, 1);
  r->subject = g_strdup ("");
  r->body = g_strdup ("");
  return r;
}

CabMailDraftRecord *
cab_mail_draft_record_copy (const CabMailDraftRecord *record)
{
  CabMailDraftRecord *r = g_new0 (CabMailDraftRecord, 1);

  *r = *record;
  r->patient_id = g_strdup (record->patient_id);
  r->to = g_strdupv (record->to);
  r->to_names = g_strdupv (record->to_names);
  r->subject = g_strdup (record->subject);
  r->body = g_strdup (record->body);
  r->document_ids = g_strdupv (record->document_ids);
  r->files = g_strdupv (record->files);
  r->in_reply_to = g_strdup (record->in_reply_to);
  r->references = g_strdup (record->references);
  return r;
}

void
cab_mail_draft_record_free (CabMailDraftRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->patient_id);
  g_strfreev (r->to);
  g_strfreev (r->to_names);
  g_free (r->subject);
  g_free (r->body);
  g_strfreev (r->document_ids);
  g_strfreev (r->files);
  g_free (r->in_reply_to);
  g_free (r->references);
  g_free (r);
}

static gboolean
strv_empty (char **v)
{
  return v == NULL || v[0] == NULL;
}

gboolean
cab_mail_draft_record_is_empty (const CabMailDraftRecord *r)
{
  return strv_empty (r->to) && (r->subject == NULL || r->subject[0] == '\0') &&
         (r->body == NULL || r->body[0] == '\0') && strv_empty (r->document_ids) && strv_empty (r->files);
}

/* ---------------------------------------------------------------------- */
/* payload                                                                */

static void
add_strv (JsonBuilder *b, const char *name, char **v)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; v != NULL && v[i] != NULL; i++)
    json_builder_add_string_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static char *
to_payload (const CabMailDraftRecord *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  add_strv (b, "to", r->to);
  if (r->to_names != NULL)
    {
      g_auto(GStrv) names = cab_mail_recipient_names_fit ((const char * const *) r->to,
                                                          (const char * const *) r->to_names);

      add_strv (b, "to_names", names);
    }
  add_string (b, "subject", r->subject);
  add_string (b, "body", r->body);
  add_strv (b, "documents", r->document_ids);
  add_strv (b, "files", r->files);
  json_builder_set_member_name (b, "receipt");
  json_builder_add_boolean_value (b, r->receipt);
  add_string (b, "in_reply_to", r->in_reply_to);
  add_string (b, "references", r->references);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static CabMailDraftRecord *
from_row (sqlite3_stmt *stmt)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  CabMailDraftRecord *r = cab_mail_draft_record_new ();
  const char *payload = (const char *) sqlite3_column_text (stmt, 2);
  JsonObject *o;

  r->id = sqlite3_column_int64 (stmt, 0);
  r->patient_id = cab_stmt_dup_text (stmt, 1);
  r->updated_at = sqlite3_column_int64 (stmt, 3);
  if (payload == NULL || !json_parser_load_from_data (parser, payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return r;
  o = json_node_get_object (json_parser_get_root (parser));
  g_strfreev (r->to);
  r->to = cab_json_read_strv (o, "to", MAX_LIST_LENGTH);
  /* A draft saved before names were kept has none (its addresses show). */
  r->to_names = cab_mail_recipient_names_read (o, g_strv_length (r->to));
  g_strfreev (r->document_ids);
  r->document_ids = cab_json_read_strv (o, "documents", MAX_LIST_LENGTH);
  g_strfreev (r->files);
  r->files = cab_json_read_strv (o, "files", MAX_LIST_LENGTH);
  g_free (r->subject);
  r->subject = g_strdup (cab_json_read_string (o, "subject"));
  if (r->subject == NULL)
    r->subject = g_strdup ("");
  g_free (r->body);
  r->body = g_strdup (cab_json_read_string (o, "body"));
  if (r->body == NULL)
    r->body = g_strdup ("");
  r->receipt = cab_json_read_boolean (o, "receipt", FALSE);
  r->in_reply_to = g_strdup (cab_json_read_string (o, "in_reply_to"));
  r->references = g_strdup (cab_json_read_string (o, "references"));
  return r;
}

/* ---------------------------------------------------------------------- */
/* blocking                                                               */

gint64
cab_mail_drafts_save (CabStore                 *store,
                      const CabMailDraftRecord *record,
                      GError                  **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autofree char *payload = to_payload (record);
  g_autofree char *recipients = g_strjoinv (", ", record->to != NULL ? record->to : (char *[]) { NULL });
  gint64 id;

  g_return_val_if_fail (CAB_IS_STORE (store), -1);

  writer = cab_store_writer_lock (store);
  if (record->id > 0)
    stmt = cab_store_conn_prepare (writer,
                                   "UPDATE mail_drafts SET patient_id = ?2, subject = ?3, recipients = ?4, "
                                   "payload = ?5, updated_at = ?6 WHERE id = ?1", error);
  else
    stmt = cab_store_conn_prepare (writer,
                                   "INSERT INTO mail_drafts (patient_id, subject, recipients, payload, updated_at) "
                                   "VALUES (?2, ?3, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    return -1;
  if (record->id > 0)
    sqlite3_bind_int64 (stmt, 1, record->id);
  cab_stmt_bind_text (stmt, 2, record->patient_id);
  cab_stmt_bind_text (stmt, 3, record->subject != NULL ? record->subject : "");
  cab_stmt_bind_text (stmt, 4, recipients);
  cab_stmt_bind_text (stmt, 5, payload);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot save the draft");
      return -1;
    }
  if (record->id > 0)
    /* Gone: the message was queued (or the draft deleted) meanwhile. */
    id = sqlite3_changes (writer->db) > 0 ? record->id : 0;
  else
    id = sqlite3_last_insert_rowid (writer->db);
  return id;
}

gboolean
cab_mail_drafts_delete (CabStore  *store,
                        gint64     id,
                        GError   **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);

  writer = cab_store_writer_lock (store);
  stmt = cab_store_conn_prepare (writer, "DELETE FROM mail_drafts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot delete the draft");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cab_mail_drafts_list (CabStore  *store,
                      GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_draft_record_free);
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  reader = cab_store_reader_acquire (store, error);
  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader,
                                 "SELECT id, patient_id, payload, updated_at FROM mail_drafts "
                                 "ORDER BY updated_at DESC, id DESC LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, MAX_LIST);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the drafts");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---------------------------------------------------------------------- */
/* async                                                                  */

typedef struct
{
  CabStore           *store;
  CabOutbox          *outbox;
  CabMailDraftRecord *record;
  char               *from;
  char               *practitioner;
  gint64              id;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->outbox);
  cab_mail_draft_record_free (job->record);
  g_free (job->from);
  g_free (job->practitioner);
  g_free (job);
}

static Job *
job_new (CabStore *store, const CabMailDraftRecord *record)
{
  Job *job = g_new0 (Job, 1);

  job->store = g_object_ref (store);
  job->record = record != NULL ? cab_mail_draft_record_copy (record) : NULL;
  return job;
}

/* Writes run on GIO's pool (one writer anyway), never on the main thread. */
static void
save_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  gint64 id = cab_mail_drafts_save (job->store, job->record, &error);

  if (id < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

void
cab_mail_drafts_save_async (CabStore                 *store,
                            const CabMailDraftRecord *record,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (record != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_drafts_save_async);
  g_task_set_task_data (task, job_new (store, record), (GDestroyNotify) job_free);
  /* A save is never dropped half-way: cancelling only stops the callback's use. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, save_thread);
}

gint64
cab_mail_drafts_save_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_drafts_save_async), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

static void
delete_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  if (!cab_mail_drafts_delete (job->store, job->id, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_mail_drafts_delete_async (CabStore            *store,
                              gint64               id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (CAB_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_drafts_delete_async);
  job = job_new (store, NULL);
  job->id = id;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, delete_thread);
}

gboolean
cab_mail_drafts_delete_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_drafts_delete_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_query (GTask *task, CabStore *store, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = cab_mail_drafts_list (store, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_mail_drafts_list_async (CabStore            *store,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_mail_drafts_list_async, NULL, NULL, list_query, cancellable, callback, user_data);
}

GPtrArray *
cab_mail_drafts_list_finish (GAsyncResult  *result,
                             GError       **error)
{
  return cab_query_finish_pointer (result, cab_mail_drafts_list_async, error);
}

static void
documents_query (GTask *task, CabStore *store, gpointer data, GCancellable *cancellable)
{
  char **ids = data;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_document_row_free);

  for (guint i = 0; ids[i] != NULL && i < CAB_MAIL_MAX_ATTACHMENTS; i++)
    {
      CabDocumentRow *row = cab_store_get_document (store, ids[i], NULL);

      if (row != NULL)
        g_ptr_array_add (out, row);
    }
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_mail_drafts_documents_async (CabStore            *store,
                                 const char * const  *ids,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_mail_drafts_documents_async, g_strdupv ((char **) ids), (GDestroyNotify) g_strfreev,
                   documents_query, cancellable, callback, user_data);
}

GPtrArray *
cab_mail_drafts_documents_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return cab_query_finish_pointer (result, cab_mail_drafts_documents_async, error);
}

static void
send_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  CabMailDraftRecord *r = job->record;
  GError *error = NULL;
  gint64 entry_id = 0;
  CabMailDraft draft = {
    .from = job->from,
    .practitioner = job->practitioner,
    .to = (const char * const *) r->to,
    .to_names = (const char * const *) r->to_names,
    .subject = r->subject,
    .body = r->body,
    .files = (const char * const *) r->files,
    .document_ids = (const char * const *) r->document_ids,
    .patient_id = r->patient_id,
    .receipt = r->receipt,
    .in_reply_to = r->in_reply_to,
    .references = r->references,
    .draft_id = r->id,
  };

  if (!cab_mail_queue (job->store, &draft, &entry_id, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->outbox != NULL)
    cab_outbox_queued (job->outbox);
  g_task_return_int (task, entry_id);
}

void
cab_mail_drafts_send_async (CabStore                 *store,
                            CabOutbox                *outbox,
                            const char               *from,
                            const char               *practitioner,
                            const CabMailDraftRecord *record,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (outbox == NULL || CAB_IS_OUTBOX (outbox));
  g_return_if_fail (record != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_drafts_send_async);
  job = job_new (store, record);
  job->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  job->from = g_strdup (from != NULL ? from : "");
  job->practitioner = g_strdup (practitioner);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* Once started, a queueing is reported whatever happens to the window. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, send_thread);
}

gint64
cab_mail_drafts_send_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_drafts_send_async), 0);

  gssize id = g_task_propagate_int (G_TASK (result), error);

  return id > 0 ? id : 0;
}
