/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Answering read receipt requests (cab-mail-mdn-answer.h). The receipt
 * goes out as a "mail" outbox entry whose payload carries "mdn": the
 * existing send path builds it with cab_mdn_compose() and gives it the
 * same guarantees as a letter (docs/architecture.md, "Never lost, never
 * silently doubled"). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cab-gmime-autoptr.h"
#include "cab-mail-entry.h"
#include "cab-mail-mdn-answer.h"
#include "cab-mime.h"
#include "cab-mime-compose.h"
#include "cab-outbox-kind.h"
#include "cab-store-private.h"

#define MAX_SUBJECT 900

/* ------------------------------------------------------------ the rules */

/* The one addr-spec of a header value, or NULL (none, several, invalid). */
static char *
single_address (const char *value)
{
  g_autoptr(InternetAddressList) list = NULL;
  InternetAddress *address;
  const char *addr;

  if (value == NULL || strlen (value) > 998)
    return NULL;
  cab_mime_init ();
  list = internet_address_list_parse (NULL, value);
  if (list == NULL || internet_address_list_length (list) != 1)
    return NULL;
  address = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (address))
    return NULL;
  addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
  return addr != NULL && cab_mime_address_is_valid (addr) ? g_strdup (addr) : NULL;
}

CabMailMdnDecision
cab_mail_mdn_decide (CabMailMdnPolicy         policy,
                     const CabMailMdnRequest *request,
                     gboolean                 answered,
                     char                   **address)
{
  g_autofree char *to = NULL, *return_path = NULL;

  g_return_val_if_fail (request != NULL, CAB_MAIL_MDN_DECISION_NONE);

  if (address != NULL)
    *address = NULL;
  if (policy == CAB_MAIL_MDN_NEVER || answered)
    return CAB_MAIL_MDN_DECISION_NONE;
  if (request->message_id == NULL || !cab_mime_address_is_valid (request->message_id) ||
      request->from == NULL || !cab_mime_address_is_valid (request->from))
    return CAB_MAIL_MDN_DECISION_NONE;
  to = single_address (request->notification_to);
  if (to == NULL)
    return CAB_MAIL_MDN_DECISION_NONE;
  /* RFC 8098 2.1: a receipt asked for elsewhere than the envelope sender
   * needs the person's consent, whatever the preference. An empty
   * Return-Path (<>, a bounce) names no sender. */
  return_path = single_address (request->return_path);
  if (address != NULL)
    *address = g_strdup (to);
  if (return_path == NULL || g_ascii_strcasecmp (return_path, to) != 0)
    return CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE;
  return policy == CAB_MAIL_MDN_ALWAYS ? CAB_MAIL_MDN_DECISION_SEND : CAB_MAIL_MDN_DECISION_ASK;
}

/* ---------------------------------------------------------- the store */

static const char *
answer_name (CabMailMdnAnswer answer)
{
  switch (answer)
    {
    case CAB_MAIL_MDN_ANSWER_MANUAL:    return "manual";
    case CAB_MAIL_MDN_ANSWER_AUTOMATIC: return "automatic";
    case CAB_MAIL_MDN_ANSWER_IGNORED:
    default:                            return "ignored";
    }
}

static gboolean
is_answered (CabStore *store, const char *message_id, gboolean *answered, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;

  if (reader == NULL ||
      !(stmt = cab_store_conn_prepare (reader, "SELECT 1 FROM mail_mdn_answers WHERE message_id = ?1", error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, message_id);
  *answered = sqlite3_step (stmt) == SQLITE_ROW;
  return TRUE;
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* The receipt's payload: what cab-mail-send.c rebuilds it from. */
static char *
receipt_payload (const CabMailMdnRequest *request,
                 const char              *from_name,
                 const char              *to,
                 const char              *message_id,
                 gboolean                 automatic)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *subject = g_strdup (request->subject != NULL ? request->subject : "");

  if (!g_utf8_validate (subject, -1, NULL) || strlen (subject) > MAX_SUBJECT)
    g_clear_pointer (&subject, g_free);
  /* No "summary": the Outbox says "Read receipt to …" from "mdn" and "to",
   * in the language it is shown in (cab_outbox_entry_describe()). */
  json_builder_begin_object (b);
  add_string (b, "message_id", message_id);
  add_string (b, "from", request->from);
  if (from_name != NULL)
    add_string (b, "from_name", from_name);
  json_builder_set_member_name (b, "to");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, to);
  json_builder_end_array (b);
  add_string (b, "subject", "");
  json_builder_set_member_name (b, "date");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "mdn");
  json_builder_begin_object (b);
  add_string (b, "original_message_id", request->message_id);
  if (subject != NULL)
    add_string (b, "original_subject", subject);
  json_builder_set_member_name (b, "automatic");
  json_builder_add_boolean_value (b, automatic);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
step_done (CabStoreWriter *writer, sqlite3_stmt *stmt, const char *what, GError **error)
{
  if (sqlite3_step (stmt) == SQLITE_DONE)
    return TRUE;
  cab_store_set_sql_error (error, writer->db, what);
  return FALSE;
}

static gboolean
answer_locked (CabStoreWriter          *writer,
               const CabMailMdnRequest *request,
               const char              *from_name,
               const char              *to,
               CabMailMdnAnswer         answer,
               gint64                  *queued_id,
               GError                 **error)
{
  g_autoptr(CabStmt) insert = cab_store_conn_prepare (writer,
    "INSERT INTO mail_mdn_answers (message_id, answer, answered_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (message_id) DO NOTHING", error);
  g_autoptr(CabStmt) link = NULL;
  g_autofree char *key = NULL, *message_id = NULL, *payload = NULL;

  if (insert == NULL)
    return FALSE;
  cab_stmt_bind_text (insert, 1, request->message_id);
  cab_stmt_bind_text (insert, 2, answer_name (answer));
  sqlite3_bind_int64 (insert, 3, g_get_real_time () / G_USEC_PER_SEC);
  if (!step_done (writer, insert, "Cannot record a read receipt answer", error))
    return FALSE;
  /* Answered before (another click, another window): nothing more. */
  if (sqlite3_changes (writer->db) == 0 || answer == CAB_MAIL_MDN_ANSWER_IGNORED)
    return TRUE;

  key = g_uuid_string_random ();
  message_id = cab_mime_new_message_id (strchr (request->from, '@') + 1);
  payload = receipt_payload (request, from_name, to, message_id, answer == CAB_MAIL_MDN_ANSWER_AUTOMATIC);
  if (!cab_mail_entry_insert_locked (writer, NULL, key, payload, message_id, queued_id, error))
    return FALSE;
  if (!(link = cab_store_conn_prepare (writer, "UPDATE mail_mdn_answers SET entry_id = ?2 WHERE message_id = ?1", error)))
    return FALSE;
  cab_stmt_bind_text (link, 1, request->message_id);
  sqlite3_bind_int64 (link, 2, *queued_id);
  return step_done (writer, link, "Cannot record a read receipt answer", error);
}

gboolean
cab_mail_mdn_answer (CabStore                *store,
                     const CabMailMdnRequest *request,
                     CabMailMdnAnswer         answer,
                     gint64                  *queued_id,
                     GError                 **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autofree char *to = NULL, *from_name = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  *queued_id = 0;
  /* The rules again, with "ask": a click never answers what cannot be. */
  if (cab_mail_mdn_decide (CAB_MAIL_MDN_ASK, request, FALSE, &to) == CAB_MAIL_MDN_DECISION_NONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("This message asks for no read receipt"));
      return FALSE;
    }
  /* The From name as a message has it (cab-mail-queue.c), read before
   * the writer is taken. */
  if (answer != CAB_MAIL_MDN_ANSWER_IGNORED)
    from_name = cab_mail_from_name (store, request->practitioner);
  writer = cab_store_writer_lock (store);
  if (!cab_store_begin (writer, error))
    return FALSE;
  if (!answer_locked (writer, request, from_name, to, answer, queued_id, error) || !cab_store_commit (writer, error))
    {
      cab_store_rollback (writer);
      *queued_id = 0;
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_mail_mdn_check (CabStore                *store,
                    const CabMailMdnRequest *request,
                    CabMailMdnDecision      *decision,
                    char                   **address,
                    gint64                  *queued_id,
                    GError                 **error)
{
  gboolean answered = FALSE;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);

  *decision = CAB_MAIL_MDN_DECISION_NONE;
  *address = NULL;
  *queued_id = 0;
  if (request->notification_to == NULL || request->message_id == NULL)
    return TRUE;
  if (!is_answered (store, request->message_id, &answered, error))
    return FALSE;
  *decision = cab_mail_mdn_decide (cab_mail_mdn_policy_get (store), request, answered, address);
  if (*decision == CAB_MAIL_MDN_DECISION_SEND &&
      !cab_mail_mdn_answer (store, request, CAB_MAIL_MDN_ANSWER_AUTOMATIC, queued_id, error))
    {
      g_clear_pointer (address, g_free);
      *decision = CAB_MAIL_MDN_DECISION_NONE;
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- async */

typedef struct
{
  CabStore          *store;
  CabOutbox         *outbox;
  CabMailMdnRequest  request;   /* strings owned */
  CabMailMdnAnswer   answer;
  CabMailMdnDecision decision;
  char              *address;
  gint64             queued_id;
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->outbox);
  g_free ((char *) data->request.from);
  g_free ((char *) data->request.message_id);
  g_free ((char *) data->request.subject);
  g_free ((char *) data->request.notification_to);
  g_free ((char *) data->request.return_path);
  g_free ((char *) data->request.practitioner);
  g_free (data->address);
  g_free (data);
}

static AsyncData *
async_data_new (CabStore *store, CabOutbox *outbox, const CabMailMdnRequest *request)
{
  AsyncData *data = g_new0 (AsyncData, 1);

  data->store = g_object_ref (store);
  data->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  data->request.from = g_strdup (request->from);
  data->request.message_id = g_strdup (request->message_id);
  data->request.subject = g_strdup (request->subject);
  data->request.notification_to = g_strdup (request->notification_to);
  data->request.return_path = g_strdup (request->return_path);
  data->request.practitioner = g_strdup (request->practitioner);
  return data;
}

static void
check_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!cab_mail_mdn_check (data->store, &data->request, &data->decision, &data->address, &data->queued_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->queued_id > 0 && data->outbox != NULL)
    cab_outbox_queued (data->outbox);
  g_task_return_boolean (task, TRUE);
}

void
cab_mail_mdn_check_async (CabStore                *store,
                          CabOutbox               *outbox,
                          const CabMailMdnRequest *request,
                          GCancellable            *cancellable,
                          GAsyncReadyCallback      callback,
                          gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (request != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_mdn_check_async);
  g_task_set_task_data (task, async_data_new (store, outbox, request), (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, check_thread);
}

gboolean
cab_mail_mdn_check_finish (GAsyncResult        *result,
                           CabMailMdnDecision  *decision,
                           char               **address,
                           gint64              *queued_id,
                           GError             **error)
{
  AsyncData *data;

  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_mdn_check_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  *decision = data->decision;
  if (address != NULL)
    *address = g_strdup (data->address);
  if (queued_id != NULL)
    *queued_id = data->queued_id;
  return TRUE;
}

static void
answer_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;

  if (!cab_mail_mdn_answer (data->store, &data->request, data->answer, &data->queued_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->queued_id > 0 && data->outbox != NULL)
    cab_outbox_queued (data->outbox);
  g_task_return_boolean (task, TRUE);
}

void
cab_mail_mdn_answer_async (CabStore                *store,
                           CabOutbox               *outbox,
                           const CabMailMdnRequest *request,
                           CabMailMdnAnswer         answer,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (request != NULL);

  data = async_data_new (store, outbox, request);
  data->answer = answer;
  /* A click is an answer: it is recorded even if the pane moves on. */
  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, cab_mail_mdn_answer_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, answer_thread);
}

gboolean
cab_mail_mdn_answer_finish (GAsyncResult  *result,
                            gint64        *queued_id,
                            GError       **error)
{
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_mdn_answer_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (queued_id != NULL)
    *queued_id = ((AsyncData *) g_task_get_task_data (G_TASK (result)))->queued_id;
  return TRUE;
}
