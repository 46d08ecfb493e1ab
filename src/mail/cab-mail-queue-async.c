/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-mail-queue-async.h"

/* The draft, copied for the worker thread. */
typedef struct
{
  CabStore  *store;
  CabOutbox *outbox;
  char      *from;
  char      *practitioner;
  char     **to;
  char      *subject;
  char      *body;
  char     **files;
  char     **document_ids;
  char      *patient_id;
  gboolean   receipt;
  gint64     entry_id;
} QueueData;

static void
queue_data_free (QueueData *data)
{
  g_object_unref (data->store);
  g_clear_object (&data->outbox);
  g_free (data->from);
  g_free (data->practitioner);
  g_strfreev (data->to);
  g_free (data->subject);
  g_free (data->body);
  g_strfreev (data->files);
  g_strfreev (data->document_ids);
  g_free (data->patient_id);
  g_free (data);
}

static void
queue_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueueData *data = task_data;
  g_autofree char *message_id = NULL;
  CabMailDraft draft = {
    .from = data->from, .practitioner = data->practitioner,
    .to = (const char * const *) data->to, .subject = data->subject,
    .body = data->body, .files = (const char * const *) data->files,
    .document_ids = (const char * const *) data->document_ids, .patient_id = data->patient_id,
    .receipt = data->receipt,
  };
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!cab_mail_queue (data->store, &draft, &data->entry_id, &message_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->outbox != NULL)
    cab_outbox_notify_queued (data->outbox);
  g_task_return_boolean (task, TRUE);
}

void
cab_mail_queue_async (CabStore            *store,
                      CabOutbox           *outbox,
                      const CabMailDraft  *draft,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  QueueData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (outbox == NULL || CAB_IS_OUTBOX (outbox));
  g_return_if_fail (draft != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_mail_queue_async);
  data = g_new0 (QueueData, 1);
  data->store = g_object_ref (store);
  data->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  data->from = g_strdup (draft->from);
  data->practitioner = g_strdup (draft->practitioner);
  data->to = g_strdupv ((char **) draft->to);
  data->subject = g_strdup (draft->subject);
  data->body = g_strdup (draft->body);
  data->files = g_strdupv ((char **) draft->files);
  data->document_ids = g_strdupv ((char **) draft->document_ids);
  data->patient_id = g_strdup (draft->patient_id);
  data->receipt = draft->receipt;
  g_task_set_task_data (task, data, (GDestroyNotify) queue_data_free);
  g_task_run_in_thread (task, queue_thread);
}

gboolean
cab_mail_queue_finish (GAsyncResult  *result,
                       gint64        *entry_id,
                       GError       **error)
{
  QueueData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_mail_queue_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (entry_id != NULL)
    *entry_id = data->entry_id;
  return TRUE;
}
