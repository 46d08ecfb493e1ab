/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-queries"

#include "config.h"

#include "cab-audit.h"
#include "cab-document-cache.h"
#include "cab-document-queries.h"
#include "cab-query.h"
#include "cab-store-cache.h"

/* ---------------------------------------------------------------------- */
/* reading a document                                                     */

void
cab_document_read_free (CabDocumentRead *read)
{
  if (read == NULL)
    return;

  g_clear_pointer (&read->row, cab_document_row_free);
  g_clear_pointer (&read->patient, cab_patient_row_free);
  g_free (read->local_path);
  g_free (read);
}

static void
read_query (GTask        *task,
            CabStore     *store,
            gpointer      task_data,
            GCancellable *cancellable)
{
  const char *document_id = task_data;
  g_autoptr(CabDocumentRead) read = g_new0 (CabDocumentRead, 1);
  GError *error = NULL;

  read->row = cab_store_get_document (store, document_id, &error);
  if (read->row == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such document");
      g_task_return_error (task, error);
      return;
    }

  /* docs/architecture.md, principle 5: each access to a record is traced, here where it is read. */
  if (!cab_store_audit (store, CAB_AUDIT_DOCUMENT_READ, CAB_AUDIT_TYPE_DOCUMENT, document_id, &error))
    {
      g_warning ("Cannot trace a document access: %s", error->message);
      g_clear_error (&error);
    }

  read->local_path = cab_document_cache_lookup (read->row);
  /* Read in the last 30 days: the disk budget keeps it (cab-prefetch.h). */
  if (read->local_path != NULL &&
      !cab_store_note_document_read (store, document_id, g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      g_debug ("Cannot record a document's reading: %s", error->message);
      g_clear_error (&error);
    }

  /* The viewer link of a study names the patient. */
  if (read->row->document.study_uid != NULL && read->row->patient_id != NULL)
    read->patient = cab_store_get_patient (store, read->row->patient_id, NULL);

  g_task_return_pointer (task, g_steal_pointer (&read), (GDestroyNotify) cab_document_read_free);
}

void
cab_document_query_read_async (CabStore            *store,
                               const char          *document_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (document_id != NULL);

  cab_query_start (store, cab_document_query_read_async,
                   g_strdup (document_id), g_free, read_query,
                   cancellable, callback, user_data);
}

CabDocumentRead *
cab_document_query_read_finish (GAsyncResult  *result,
                                GError       **error)
{
  return cab_query_finish_pointer (result, cab_document_query_read_async, error);
}

/* ---------------------------------------------------------------------- */
/* a lab report's results                                                 */

static void
observations_query (GTask        *task,
                    CabStore     *store,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *document_id = task_data;
  GPtrArray *values;
  GError *error = NULL;

  values = cab_store_list_document_observations (store, document_id, &error);
  if (values == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, values, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_document_query_observations_async (CabStore            *store,
                                       const char          *document_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (document_id != NULL);

  cab_query_start (store, cab_document_query_observations_async,
                   g_strdup (document_id), g_free, observations_query,
                   cancellable, callback, user_data);
}

GPtrArray *
cab_document_query_observations_finish (GAsyncResult  *result,
                                        GError       **error)
{
  return cab_query_finish_pointer (result, cab_document_query_observations_async, error);
}
