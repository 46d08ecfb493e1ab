/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-patient work of a sync run: the type searches of each patient,
 * @parallelism patients at a time, and the single-patient run. */
#define G_LOG_DOMAIN "cab-sync"

#include "cab-sync-private.h"

static const char * const patient_types[] = {
  "Condition", "Observation", "DocumentReference", "MedicationRequest",
  "AllergyIntolerance",
};

typedef struct
{
  CabStore *store;
  char     *id;
  gboolean  blocked;
} PatientDone;

static void
patient_done_free (PatientDone *done)
{
  g_clear_object (&done->store);
  g_free (done->id);
  g_free (done);
}

static void
patient_done_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PatientDone *done = task_data;
  g_autofree char *key = g_strconcat ("blocked/", done->id, NULL);
  g_autofree char *was_blocked = NULL;
  GError *error = NULL;

  if (done->blocked)
    {
      if (!cab_store_set_state (done->store, key, "1", &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    {
      g_autofree char *now = sync_now_iso8601 ();

      if (!cab_store_mark_patient_synced (done->store, done->id, now, &error))
        {
          g_task_return_error (task, error);
          return;
        }

      /* The patient lifted the block since the last run. */
      was_blocked = cab_store_get_state (done->store, key);
      if (g_strcmp0 (was_blocked, "1") == 0 &&
          !cab_store_set_state (done->store, key, "0", &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
job_complete (PatientJob *job)
{
  SyncRun *run = job->run;
  const GError *error = job->error;
  g_autoptr(GError) forbidden = NULL;

  job->stats.n_patients = 1;
  cab_sync_stats_add (&run->stats, &job->stats);

  /* Single-patient callers want to know the patient could not be synced. */
  if (error == NULL && job->blocked)
    error = forbidden = g_error_new_literal (CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN,
                                             "Access to this patient's record is refused");
  sync_complete_tasks (g_steal_pointer (&job->waiters), &job->stats, error != NULL ? error : run->error);

  if (run->patient_id != NULL && error != NULL && run->error == NULL)
    run->error = g_error_copy (error);

  run->n_done++;
  sync_run_emit_progress (run);
  g_hash_table_remove (run->jobs, job->id);
  sync_run_pump (run);
}

static void
patient_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PatientJob *job = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_run_fail (job->run, error);
      if (job->error == NULL)
        job->error = error;
      else
        g_error_free (error);
    }

  job_complete (job);
}

static void
job_types_done (PatientJob *job)
{
  SyncRun *run = job->run;
  g_autoptr(GTask) task = NULL;
  PatientDone *done;

  if (job->error != NULL || job->gone || run->error != NULL)
    {
      job_complete (job);
      return;
    }

  done = g_new0 (PatientDone, 1);
  done->store = g_object_ref (run->self->store);
  done->id = g_strdup (job->id);
  done->blocked = job->blocked;

  task = g_task_new (NULL, NULL, patient_done_cb, job);
  g_task_set_task_data (task, done, (GDestroyNotify) patient_done_free);
  g_task_run_in_thread (task, patient_done_thread);
}

static void
type_fetch_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PatientJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_sync_fetch_finish (result, &error))
    {
      if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN))
        job->blocked = TRUE;
      else if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND))
        job->gone = TRUE;
      else
        {
          if (job->error == NULL)
            job->error = g_error_copy (error);
          if (sync_error_is_fatal (error))
            sync_run_fail (job->run, error);
        }

      if (job->run->patient_id != NULL && job->error == NULL && job->gone)
        job->error = g_error_copy (error);
    }

  if (--job->pending == 0)
    job_types_done (job);
}

static void
job_start (SyncRun    *run,
           const char *id)
{
  PatientJob *job = g_new0 (PatientJob, 1);
  g_autofree char *escaped = cab_sync_escape (id);
  gpointer waiters = NULL;
  g_autofree char *key = NULL;

  job->run = run;
  job->id = g_strdup (id);
  if (g_hash_table_steal_extended (run->queued_waiters, id, (gpointer *) &key, &waiters))
    job->waiters = waiters;
  g_hash_table_insert (run->jobs, job->id, job);

  /* The types of one patient go in parallel: with a slow server this
   * divides the wait by the number of types, the store serialising the writes anyway. */
  job->pending = G_N_ELEMENTS (patient_types);
  for (guint i = 0; i < G_N_ELEMENTS (patient_types); i++)
    {
      const char *type = patient_types[i];
      g_autofree char *query = NULL;
      g_autofree char *state_key = g_strconcat (type, "/", id, NULL);

      /* The DMP refuses a DocumentReference search that names no status. */
      if (g_str_equal (type, "DocumentReference"))
        query = g_strdup_printf ("%s?patient=Patient/%s&status=current,superseded,entered-in-error",
                                 type, escaped);
      else
        query = g_strdup_printf ("%s?patient=Patient/%s", type, escaped);

      cab_sync_fetch_async (run->self->client, run->self->store, query, state_key,
                            &job->stats, run->self->max_pages, run->cancellable,
                            type_fetch_cb, job);
    }
}

void
sync_run_pump (SyncRun *run)
{
  CabSync *self = run->self;

  while (run->error == NULL &&
         g_hash_table_size (run->jobs) < self->parallelism &&
         !g_queue_is_empty (&run->queue))
    {
      g_autofree char *id = g_queue_pop_head (&run->queue);

      job_start (run, id);
    }

  if (g_hash_table_size (run->jobs) == 0 &&
      (g_queue_is_empty (&run->queue) || run->error != NULL))
    sync_run_finish (run);
}

/* ----------------------------------------------------------- patient run */

static void
patient_store_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CabSync *self = source_object;
  JsonNode *node = task_data;
  g_autoptr(CabFhirRecord) record = NULL;
  g_autoptr(GPtrArray) records = NULL;
  GError *error = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                               "The server did not return a Patient");
      return;
    }

  record = cab_fhir_record_new_from_json (json_node_get_object (node), &error);
  if (record == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  records = g_ptr_array_new ();
  g_ptr_array_add (records, record);
  if (!cab_store_put_records (self->store, records, NULL, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
patient_stored_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  run->stats.n_resources++;
  g_queue_push_tail (&run->queue, g_strdup (run->patient_id));
  sync_run_pump (run);
}

static void
patient_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  response = cab_fhir_client_request_finish (CAB_FHIR_CLIENT (object), result, &error);
  if (response == NULL)
    {
      /* Blocked: remember it like a practice run would. */
      if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN))
        {
          PatientJob *job = g_new0 (PatientJob, 1);

          job->run = run;
          job->id = g_strdup (run->patient_id);
          job->blocked = TRUE;
          g_hash_table_insert (run->jobs, job->id, job);
          job_types_done (job);
          return;
        }
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  if (response->body != NULL)
    run->stats.n_bytes += g_bytes_get_size (response->body);

  if (response->json == NULL)
    {
      g_autoptr(GError) invalid = g_error_new_literal (CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                                                       "The server did not return a Patient");
      sync_run_fail (run, invalid);
      sync_run_finish (run);
      return;
    }

  task = g_task_new (run->self, run->cancellable, patient_stored_cb, run);
  g_task_set_task_data (task, json_node_ref (response->json), (GDestroyNotify) json_node_unref);
  g_task_run_in_thread (task, patient_store_thread);
}

void
sync_run_start_patient (SyncRun *run)
{
  run->n_total = 1;
  run->stats.n_requests++;
  cab_fhir_client_read_async (run->self->client, "Patient", run->patient_id,
                              run->cancellable, patient_read_cb, run);
}
