/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Triage actions: the local state, the undo log and the "mailflags" outbox
 * entry in one transaction (docs/architecture.md, "Triage"); filing also
 * makes the message's documents the patient's (origin "mssante"). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cab-mail-filing-private.h"
#include "cab-mail-flags.h"
#include "cab-mail-flags-private.h"
#include "cab-mail-triage.h"
#include "cab-mail-triage-store.h"
#include "cab-mail-triage-store-private.h"
#include "cab-mime.h"
#include "cab-outbox-kind.h"
#include "cab-pdf-text.h"
#include "cab-xdm.h"

G_DEFINE_QUARK (cab-mail-triage-error-quark, cab_mail_triage_error)

#define MAX_DOCUMENTS CAB_MAIL_TRIAGE_MAX_DOCUMENTS
#define MAX_REASON    500


void
cab_mail_triage_result_clear (CabMailTriageResult *result)
{
  g_clear_pointer (&result->status, g_free);
  g_clear_pointer (&result->patient_id, g_free);
}

/* ------------------------------------------------------------ the change */

static gboolean
same_triage (const CabMailTriage *a,
             const CabMailTriage *b)
{
  g_auto(GStrv) ka = cab_mail_triage_to_keywords (a);
  g_auto(GStrv) kb = cab_mail_triage_to_keywords (b);

  return cab_mail_keywords_equal ((const char * const *) ka, (const char * const *) kb);
}

/* The action's name, in the undo log and in the "mailflags" payload (the
 * Outbox title is made from it: cab-outbox-describe.c). */
static const char *
action_name (CabMailTriageAction action)
{
  static const char * const names[] = { "choose", "file", "assign", "handle", "reopen", "dismiss", "undo" };

  return action < G_N_ELEMENTS (names) ? names[action] : "triage";
}

static gboolean
queue_flags_locked (CabStoreWriter       *writer,
                    const CabTriageMessage        *m,
                    CabMailTriageAction   action,
                    const CabMailTriage  *before,
                    const CabMailTriage  *after,
                    gint64               *entry_id,
                    GError              **error)
{
  g_auto(GStrv) base = cab_mail_triage_to_keywords (before);
  g_auto(GStrv) want = cab_mail_triage_to_keywords (after);
  g_autofree char *base_text = cab_mail_keywords_join ((const char * const *) base);
  g_autofree char *want_text = cab_mail_keywords_join ((const char * const *) want);
  g_autofree char *lane = cab_mail_triage_lane (m->id);
  CabMailFlagsChange change = {
    .lane = lane, .action = action_name (action), .mail_id = m->id, .account = m->account, .mailbox = m->mailbox,
    .uidvalidity = m->uidvalidity, .uid = m->uid, .base = base_text, .want = want_text, .seen = -1,
  };

  return cab_mail_flags_queue_locked (writer, &change, entry_id, error);
}

static gboolean
log_locked (CabStoreWriter       *writer,
            const CabTriageMessage        *m,
            CabMailTriageAction   action,
            const char           *before_keywords,
            GPtrArray            *created,
            GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *before = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "keywords");
  json_builder_add_string_value (b, before_keywords);
  json_builder_set_member_name (b, "created");
  json_builder_begin_array (b);
  for (guint i = 0; created != NULL && i < created->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (created, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "reasons");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);

      json_builder_add_string_value (b, d->dismissed_reason);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  before = json_to_string (root, FALSE);

  stmt = cab_store_conn_prepare (writer,
    "INSERT INTO mail_triage_log (mail_id, action, before, created_at)"
    " VALUES (?1, ?2, ?3, strftime ('%s', 'now'))", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->id);
  cab_stmt_bind_text (stmt, 2, action_name (action));
  cab_stmt_bind_text (stmt, 3, before);
  return cab_mail_triage_step_done (writer, stmt, "Cannot log a triage action", error);
}

static gboolean
set_reason_locked (CabStoreWriter  *writer,
                   gint64           mail_id,
                   guint            position,
                   const char      *reason,
                   GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "UPDATE mail_documents SET dismissed_reason = ?3 WHERE mail_id = ?1 AND position = ?2", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  sqlite3_bind_int (stmt, 2, (int) position);
  cab_stmt_bind_text (stmt, 3, reason);
  return cab_mail_triage_step_done (writer, stmt, "Cannot record a dismissal", error);
}

/* UNDO: what the last action's log row says, applied back. */
static gboolean
undo_locked (CabStoreWriter  *writer,
             CabTriageMessage         *m,
             CabMailTriage   *after,
             GError         **error)
{
  g_autoptr(CabStmt) last = cab_store_conn_prepare (writer,
    "SELECT id, before FROM mail_triage_log WHERE mail_id = ?1 AND undone = 0 AND action != 'undo'"
    " ORDER BY id DESC LIMIT 1", error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CabStmt) mark = NULL;
  g_auto(GStrv) keywords = NULL;
  JsonObject *before;
  JsonArray *created, *reasons;
  gint64 log_id;

  if (last == NULL)
    return FALSE;
  sqlite3_bind_int64 (last, 1, m->id);
  if (sqlite3_step (last) != SQLITE_ROW)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NOTHING_TO_UNDO,
                   _("Nothing to undo on this message"));
      return FALSE;
    }
  log_id = sqlite3_column_int64 (last, 0);
  if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (last, 1), -1, error))
    return FALSE;
  before = json_node_get_object (json_parser_get_root (parser));
  keywords = cab_mail_keywords_split (json_object_get_string_member_with_default (before, "keywords", ""));
  cab_mail_triage_clear (after);
  cab_mail_triage_from_keywords ((const char * const *) keywords, after);

  created = json_object_get_array_member (before, "created");
  for (guint i = 0; created != NULL && i < json_array_get_length (created); i++)
    {
      const char *id = json_array_get_string_element (created, i);
      g_autoptr(CabStmt) path = cab_store_conn_prepare (writer, "SELECT local_path FROM documents WHERE id = ?1", error);
      g_autoptr(CabStmt) del = NULL;
      g_autofree char *file = NULL;

      if (path == NULL)
        return FALSE;
      cab_stmt_bind_text (path, 1, id);
      if (sqlite3_step (path) == SQLITE_ROW)
        file = cab_stmt_dup_text (path, 0);
      del = cab_store_conn_prepare (writer, "DELETE FROM documents WHERE id = ?1 AND origin = 'mssante'", error);
      if (del == NULL)
        return FALSE;
      cab_stmt_bind_text (del, 1, id);
      if (!cab_mail_triage_step_done (writer, del, "Cannot take a filed document back", error))
        return FALSE;
      if (file != NULL)
        g_unlink (file);
    }
  if (created != NULL && json_array_get_length (created) > 0)
    {
      g_autoptr(CabStmt) unlink_docs = cab_store_conn_prepare (writer,
        "UPDATE mail_documents SET filed_document_id = NULL, filed_patient_id = NULL WHERE mail_id = ?1", error);

      if (unlink_docs == NULL)
        return FALSE;
      sqlite3_bind_int64 (unlink_docs, 1, m->id);
      if (!cab_mail_triage_step_done (writer, unlink_docs, "Cannot unlink filed documents", error))
        return FALSE;
    }
  reasons = json_object_get_array_member (before, "reasons");
  for (guint i = 0; reasons != NULL && i < json_array_get_length (reasons) && i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      JsonNode *n = json_array_get_element (reasons, i);
      const char *reason = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL;

      g_free (d->dismissed_reason);
      d->dismissed_reason = g_strdup (reason);
    }

  mark = cab_store_conn_prepare (writer, "UPDATE mail_triage_log SET undone = 1 WHERE id = ?1", error);
  if (mark == NULL)
    return FALSE;
  sqlite3_bind_int64 (mark, 1, log_id);
  return cab_mail_triage_step_done (writer, mark, "Cannot mark an action undone", error);
}

static gboolean
clear_filing_state_locked (CabStoreWriter  *writer,
                           gint64           mail_id,
                           GError         **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (writer,
    "UPDATE mail_messages SET filing_state = NULL WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  return cab_mail_triage_step_done (writer, stmt, "Cannot record a message's filing", error);
}

/* What @request makes of the triage; FALSE with the reason it is refused. */
static gboolean
change (const CabMailTriageRequest *request,
        CabTriageMessage                    *m,
        CabMailTriage              *t,
        GError                    **error)
{
  switch (request->action)
    {
    case CAB_MAIL_TRIAGE_CHOOSE_PATIENT:
      g_free (t->patient_id);
      t->patient_id = g_strdup (request->patient_id);
      return TRUE;

    case CAB_MAIL_TRIAGE_FILE:
      g_free (t->patient_id);
      t->patient_id = g_strdup (request->patient_id);
      t->filed = TRUE;
      return TRUE;

    case CAB_MAIL_TRIAGE_ASSIGN:
      g_clear_pointer (&t->assignee, g_free);
      if (request->practitioner != NULL)
        {
          const char *id = g_str_has_prefix (request->practitioner, "Practitioner/")
                           ? request->practitioner + strlen ("Practitioner/") : NULL;

          if (!cab_mail_keyword_id_is_valid (id))
            {
              g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_INVALID,
                           _("Assign to Practitioner/<id>, one of the practice's doctors"));
              return FALSE;
            }
          t->assignee = g_strdup (id);
        }
      return TRUE;

    case CAB_MAIL_TRIAGE_HANDLE:
      {
        g_autoptr(GString) left = g_string_new (NULL);

        for (guint i = 0; i < m->docs->len; i++)
          {
            CabTriageDoc *d = g_ptr_array_index (m->docs, i);

            if (cab_triage_doc_is_container (d) || cab_triage_doc_is_accounted (d) || (t->filed && !t->dismissed[d->position]))
              continue;
            g_string_append_printf (left, "%s%u (%s)", left->len > 0 ? ", " : "", d->position + 1,
                                    d->filename != NULL ? d->filename
                                    : d->type_display != NULL ? d->type_display : d->source);
          }
        if (left->len > 0)
          {
            g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_UNACCOUNTED,
                         _("Not handled: file the message or dismiss each of these documents "
                           "with a reason first: %s"), left->str);
            return FALSE;
          }
        t->handled = TRUE;
        return TRUE;
      }

    case CAB_MAIL_TRIAGE_REOPEN:
      t->handled = FALSE;
      return TRUE;

    case CAB_MAIL_TRIAGE_DISMISS:
      {
        g_autofree char *reason = request->reason != NULL ? g_strstrip (g_strdup (request->reason)) : NULL;
        CabTriageDoc *d = NULL;

        for (guint i = 0; i < m->docs->len && d == NULL; i++)
          if (((CabTriageDoc *) g_ptr_array_index (m->docs, i))->position + 1 == request->document)
            d = g_ptr_array_index (m->docs, i);
        if (d == NULL)
          {
            g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NOT_FOUND,
                         _("The message has no document %u"), request->document);
            return FALSE;
          }
        if (reason == NULL || *reason == '\0' || strlen (reason) > MAX_REASON ||
            !g_utf8_validate (reason, -1, NULL))
          {
            g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_INVALID,
                         _("Give the reason the document is dismissed (at most %u bytes)"), MAX_REASON);
            return FALSE;
          }
        g_free (d->dismissed_reason);
        d->dismissed_reason = g_steal_pointer (&reason);
        t->dismissed[d->position] = TRUE;
        return TRUE;
      }

    default:
      return TRUE;
    }
}

static gboolean
run_locked (CabStoreWriter             *writer,
            CabStore                   *store,
            const CabMailTriageRequest *request,
            CabTriageMessage                    *prepared,
            CabMailTriageResult        *result,
            GError                    **error)
{
  g_autoptr(CabTriageMessage) m = cab_triage_message_read (writer, request->mail_id, error);
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  CabMailTriage before, after = { 0 };
  gboolean ok = FALSE;

  if (m == NULL)
    return FALSE;
  before = cab_triage_message_triage (m);
  cab_mail_triage_copy (&before, &after);

  if (request->action == CAB_MAIL_TRIAGE_UNDO)
    {
      if (!undo_locked (writer, m, &after, error))
        goto out;
    }
  else if (!change (request, m, &after, error))
    goto out;

  if (request->action == CAB_MAIL_TRIAGE_FILE && prepared != NULL &&
      !cab_triage_insert_documents_locked (writer, prepared, request->patient_id, created, error))
    goto out;
  /* A person filed here: what another desk's filing left for one is done. */
  if (request->action == CAB_MAIL_TRIAGE_FILE && !clear_filing_state_locked (writer, m->id, error))
    goto out;
  if (request->action != CAB_MAIL_TRIAGE_UNDO)
    {
      g_autofree char *before_keywords = g_strdup (m->keywords);

      if (!log_locked (writer, m, request->action, before_keywords, created, error))
        goto out;
    }
  if (!cab_mail_triage_apply_locked (writer, m->id, &after, error))
    goto out;
  /* Reasons are this desk's (the server only knows "dismissed"). */
  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);

      if (after.dismissed[d->position] && d->dismissed_reason != NULL &&
          !set_reason_locked (writer, m->id, d->position, d->dismissed_reason, error))
        goto out;
    }
  if (!same_triage (&before, &after) &&
      !queue_flags_locked (writer, m, request->action, &before, &after, &result->entry_id, error))
    goto out;
  result->status = g_strdup (cab_mail_triage_status (&after));
  result->n_filed = created->len;
  result->patient_id = g_strdup (request->action == CAB_MAIL_TRIAGE_FILE ? request->patient_id : NULL);
  ok = TRUE;

out:
  cab_mail_triage_clear (&before);
  cab_mail_triage_clear (&after);
  return ok;
}

gboolean
cab_mail_triage_run (CabStore                   *store,
                     CabOutbox                  *outbox,
                     const CabMailTriageRequest *request,
                     CabMailTriageResult        *result,
                     GError                    **error)
{
  CabMailTriageRequest req = *request;
  g_autoptr(CabTriageMessage) prepared = NULL;
  g_autofree char *patient_id = NULL;
  gboolean ok;

  g_return_val_if_fail (CAB_IS_STORE (store), FALSE);
  g_return_val_if_fail (request != NULL && result != NULL, FALSE);

  *result = (CabMailTriageResult) { 0 };
  if ((req.action == CAB_MAIL_TRIAGE_CHOOSE_PATIENT || req.action == CAB_MAIL_TRIAGE_FILE) &&
      req.patient_id != NULL && !cab_mail_keyword_id_is_valid (req.patient_id))
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_INVALID, _("Not a patient id"));
      return FALSE;
    }
  if (req.action == CAB_MAIL_TRIAGE_CHOOSE_PATIENT && req.patient_id == NULL)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_INVALID, _("Choose a patient"));
      return FALSE;
    }

  /* Filing reads the message back and writes the documents before the
   * transaction: no file work under the store's writer. */
  if (req.action == CAB_MAIL_TRIAGE_FILE || req.action == CAB_MAIL_TRIAGE_CHOOSE_PATIENT)
    {
      g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);

      if (reader == NULL || (prepared = cab_triage_message_read (reader, req.mail_id, error)) == NULL)
        return FALSE;
      if (req.patient_id == NULL)
        {
          /* Never a guess: only an automatic match files without a person. */
          if (g_strcmp0 (prepared->match_state, "auto") != 0 || prepared->match_patient_id == NULL)
            {
              g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, req.mail_id);

              g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NO_PATIENT,
                           _("Message %s is not matched automatically (%s: %s): "
                             "check it and choose the patient"),
                           id, prepared->match_state, prepared->match_reason);
              return FALSE;
            }
          patient_id = g_strdup (prepared->match_patient_id);
          req.patient_id = patient_id;
        }
      if (!cab_triage_patient_exists (reader, req.patient_id, error))
        return FALSE;
      for (guint i = 0; i < prepared->docs->len; i++)
        {
          CabTriageDoc *d = g_ptr_array_index (prepared->docs, i);

          /* Not a document filed another desk's way but without its copy
           * here (cab-mail-follow.c): filing here makes that copy. */
          d->wanted = !cab_triage_doc_is_container (d) && d->dismissed_reason == NULL &&
                      d->filed_document_id == NULL;
        }
      if (req.action == CAB_MAIL_TRIAGE_FILE &&
          (!cab_triage_read_back (prepared, error) || !cab_triage_write_documents (store, prepared, error)))
        return FALSE;
    }

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);

    if (!cab_store_begin (writer, error))
      return FALSE;
    ok = run_locked (writer, store, &req, prepared, result, error);
    if (!ok || !cab_store_commit (writer, error))
      {
        cab_store_rollback (writer);
        cab_mail_triage_result_clear (result);
        return FALSE;
      }
  }
  if (outbox != NULL && result->entry_id > 0)
    cab_outbox_queued (outbox);
  return TRUE;
}

/* ------------------------------------------------------------ async */

typedef struct
{
  CabStore            *store;
  CabOutbox           *outbox;
  CabMailTriageRequest request;
  CabMailTriageResult  result;
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->outbox);
  g_free ((char *) data->request.patient_id);
  g_free ((char *) data->request.practitioner);
  g_free ((char *) data->request.reason);
  cab_mail_triage_result_clear (&data->result);
  g_free (data);
}

static void
triage_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AsyncData *data = task_data;
  GError *error = NULL;

  if (cab_mail_triage_run (data->store, data->outbox, &data->request, &data->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cab_mail_triage_async (CabStore                   *store,
                       CabOutbox                  *outbox,
                       const CabMailTriageRequest *request,
                       GCancellable               *cancellable,
                       GAsyncReadyCallback         callback,
                       gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (request != NULL);

  data = g_new0 (AsyncData, 1);
  data->store = g_object_ref (store);
  data->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  data->request = *request;
  data->request.patient_id = g_strdup (request->patient_id);
  data->request.practitioner = g_strdup (request->practitioner);
  data->request.reason = g_strdup (request->reason);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_triage_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, triage_thread);
}

gboolean
cab_mail_triage_finish (GAsyncResult        *result,
                        CabMailTriageResult *out,
                        GError             **error)
{
  AsyncData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_triage_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (out != NULL)
    {
      *out = data->result;
      data->result = (CabMailTriageResult) { 0 };
    }
  return TRUE;
}
