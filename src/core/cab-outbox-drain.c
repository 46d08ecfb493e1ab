/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-fhir-client-private.h"
#include "cab-outbox-private.h"

/*
 * The drain engine, on the outbox's main context:
 *
 *   pump -> claim (worker: pick what may go now, mark it sending, build the
 *   requests) -> send (main: one request per entry, no in-request retry)
 *   -> classify -> record (worker: outcome + local effect in one
 *   transaction) -> pump again.
 *
 * "sending" is written before the request leaves: after a crash those
 * entries are sent again, which the idempotency keys make harmless.
 *
 * Offline: after a few network failures in a row (3, or 8 once the server
 * answered during this drain, so random dropped connections do not count as
 * an outage) the drain stops sending and settles; background draining keeps
 * one probe at a time, paced by the backoff, and wakes on GNetworkMonitor.
 */

#define OFFLINE_STREAK_COLD 3
#define OFFLINE_STREAK_WARM 8

typedef struct
{
  GTask                *task;
  CabOutboxDrainResult  result;
} DrainRun;

typedef struct
{
  CabOutbox            *self;
  CabOutboxEntry       *entry;
  const CabOutboxKind  *kind;
  CabOutboxRequest     *request;
  GError               *prepare_error;
  char                 *lane;
  CabOutboxOutcome      outcome;
  gboolean              network_failure;
  gboolean              answered;
} SendJob;

typedef struct
{
  GHashTable *busy;      /* snapshot of the busy lanes */
  guint       limit;
  gboolean    recover;
  GPtrArray  *jobs;      /* SendJob* */
  gint64      next_due;
} ClaimData;

static void record_outcome (SendJob *job);
static void check_settled  (CabOutbox *self);

/* ---------------------------------------------------------------- auxiliary */

static void
send_job_free (SendJob *job)
{
  g_clear_object (&job->self);
  cab_outbox_entry_free (job->entry);
  cab_outbox_request_free (job->request);
  g_clear_error (&job->prepare_error);
  g_free (job->lane);
  cab_outbox_outcome_clear (&job->outcome);
  g_free (job);
}

static void
claim_data_free (ClaimData *data)
{
  g_clear_pointer (&data->busy, g_hash_table_unref);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_free (data);
}

static gboolean
is_active (CabOutbox *self)
{
  return self->background || self->drains != NULL;
}

/* Full jitter: uniform in [0, min(max, initial * 2^failures)], at least Retry-After. */
static gint64
next_attempt (CabOutbox *self,
              guint      failures,
              gint64     retry_after_s)
{
  guint64 ceiling = (guint64) self->initial_backoff_ms << MIN (failures, 24);
  guint64 delay_ms;

  ceiling = MIN (ceiling, self->max_backoff_ms);
  delay_ms = (guint64) g_random_double_range (0, (double) ceiling + 1);
  if (retry_after_s >= 0)
    delay_ms = MAX (delay_ms, (guint64) retry_after_s * 1000);
  return g_get_real_time () + (gint64) delay_ms * 1000;
}

/* The last HTTP status and Retry-After of a finished client request. The
 * client's GError keeps the server's words, not the status the outbox needs
 * to tell "try later" from "needs you". */
static guint
peek_status (GAsyncResult *result,
             gint64       *retry_after_s)
{
  CabFhirRequest *req = g_task_get_task_data (G_TASK (result));

  *retry_after_s = req != NULL ? req->retry_after_s : -1;
  return req != NULL ? req->status : 0;
}

/* ------------------------------------------------------------------ drains */

static void
drain_count_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  CabOutbox *self = source_object;
  DrainRun *run = task_data;
  GError *error = NULL;

  if (!cab_store_outbox_count (self->store, run->result.counts, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
drain_run_free (DrainRun *run)
{
  g_free (run);
}

/* Hands each waiting drain its result (the counts are read on a worker). */
static void
finish_drains (CabOutbox *self,
               GError    *error)
{
  GList *drains = g_steal_pointer (&self->drains);

  for (GList *l = drains; l != NULL; l = l->next)
    {
      DrainRun *run = l->data;
      g_autoptr(GTask) task = g_steal_pointer (&run->task);
      run->result.offline = self->offline;
      if (error != NULL)
        {
          g_task_return_error (task, g_error_copy (error));
          drain_run_free (run);
          continue;
        }
      g_task_set_task_data (task, run, (GDestroyNotify) drain_run_free);
      g_task_run_in_thread (task, drain_count_thread);
    }
  g_list_free (drains);
}

static void
check_settled (CabOutbox *self)
{
  gint64 now = g_get_real_time ();

  if (self->drains == NULL || self->pumping || g_hash_table_size (self->busy_lanes) > 0)
    return;
  if (self->offline || self->next_due == 0 ||
      self->next_due > now + (gint64) self->horizon_ms * 1000)
    finish_drains (self, NULL);
}

/* ------------------------------------------------------------------- timer */

static gboolean
on_timer (gpointer data)
{
  CabOutbox *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->timer_due = 0;
  cab_outbox_pump (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_timer (CabOutbox *self)
{
  gint64 now = g_get_real_time ();
  gint64 due = self->next_due;
  guint delay_ms;

  if (due == 0 || !is_active (self))
    return;
  /* A drain waits only within its horizon (background draining always). */
  if (!self->background && due > now + (gint64) self->horizon_ms * 1000)
    return;
  if (self->timer != NULL && self->timer_due <= due)
    return;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  delay_ms = (guint) CLAMP ((due - now) / 1000 + 1, 1, G_MAXINT);
  self->timer = g_timeout_source_new (delay_ms);
  g_source_set_static_name (self->timer, "[cab-outbox] backoff");
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, self->context);
  self->timer_due = due;
}

/* ----------------------------------------------------------------- sending */

static void
set_failed (SendJob    *job,
            const char *message)
{
  job->outcome.state = CAB_OUTBOX_STATE_FAILED;
  g_free (job->outcome.error);
  job->outcome.error = g_strdup (message);
}

static void
set_retry (SendJob    *job,
           const char *message,
           gint64      retry_after_s)
{
  job->outcome.state = CAB_OUTBOX_STATE_PENDING;
  g_free (job->outcome.error);
  job->outcome.error = g_strdup (message);
  job->outcome.next_attempt_at = next_attempt (job->self, job->entry->failures, retry_after_s);
}

static void
on_current (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SendJob *job = user_data;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *current;

  response = cab_fhir_client_send_finish (CAB_FHIR_CLIENT (source), result, &error);
  if (response == NULL || response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    {
      job->network_failure = g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
      set_retry (job, error != NULL ? error->message : _("The server's copy could not be read"), -1);
      record_outcome (job);
      return;
    }

  current = json_node_get_object (response->json);
  if (job->kind->already_applied != NULL && job->kind->already_applied (job->entry, current))
    {
      /* A resend after a lost answer: the change is there already. */
      JsonObject *meta = json_object_get_object_member (current, "meta");

      job->outcome.state = CAB_OUTBOX_STATE_DONE;
      job->outcome.server_id = g_strdup (json_object_get_string_member_with_default (current, "id", NULL));
      job->outcome.server_version = meta != NULL
          ? g_strdup (json_object_get_string_member_with_default (meta, "versionId", NULL)) : NULL;
      job->outcome.resource_json = json_to_string (response->json, FALSE);
    }
  else
    {
      job->outcome.state = CAB_OUTBOX_STATE_CONFLICT;
      job->outcome.conflict_json = json_to_string (response->json, FALSE);
      job->outcome.error = g_strdup (_("The document was changed in the health space meanwhile: "
                                       "choose the version to keep"));
    }
  record_outcome (job);
}

static void
classify_error (SendJob      *job,
                GError       *error,
                guint         status,
                gint64        retry_after_s)
{
  g_autofree char *target = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped, not failed: due again at once, no backoff step. */
      job->outcome.state = CAB_OUTBOX_STATE_PENDING;
      job->outcome.reset_failures = FALSE;
      job->outcome.next_attempt_at = 0;
      return;
    }

  if (error->domain == CAB_FHIR_ERROR && error->code == CAB_FHIR_ERROR_NETWORK)
    {
      job->network_failure = TRUE;
      set_retry (job, error->message, -1);
      return;
    }

  job->answered = status != 0;

  if (status == 412 && job->kind->conflict_target != NULL &&
      (target = job->kind->conflict_target (job->entry)) != NULL)
    {
      job->outcome.state = CAB_OUTBOX_STATE_CONFLICT;
      cab_fhir_client_send_async (job->self->client, "GET", target, NULL, NULL, NULL,
                                  CAB_FHIR_REQUEST_NO_RETRY, job->self->cancellable,
                                  on_current, job);
      return;
    }

  if (error->domain == CAB_FHIR_ERROR &&
      (error->code == CAB_FHIR_ERROR_HTTP || error->code == CAB_FHIR_ERROR_OUTCOME ||
       error->code == CAB_FHIR_ERROR_CONFLICT) &&
      (status == 408 || status == 409 || status == 429 || status >= 500))
    {
      set_retry (job, error->message, retry_after_s);
      return;
    }

  /* Retrying cannot fix the rest: say it in the server's words. */
  if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_UNAUTHORIZED))
    {
      g_autofree char *message = g_strdup_printf (_("The health space did not accept your "
                                                    "credentials; sign in again. (%s)"),
                                                  error->message);
      set_failed (job, message);
    }
  else if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE) ||
           g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_DEEP))
    {
      g_autofree char *message = g_strdup_printf (_("The health space gave an answer Cabinet "
                                                    "cannot read. (%s)"), error->message);
      set_failed (job, message);
    }
  else
    set_failed (job, error->message);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendJob *job = user_data;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after_s = -1;
  guint status = peek_status (result, &retry_after_s);

  response = cab_fhir_client_send_finish (CAB_FHIR_CLIENT (source), result, &error);
  if (response != NULL)
    {
      job->answered = TRUE;
      if (!job->kind->succeeded (job->entry, response, &job->outcome, &error))
        set_failed (job, error->message);
      record_outcome (job);
      return;
    }

  classify_error (job, error, status, retry_after_s);
  if (job->outcome.state == CAB_OUTBOX_STATE_CONFLICT && job->outcome.conflict_json == NULL)
    return;   /* reading the server's copy: on_current records */
  record_outcome (job);
}

static void
send_job_start (SendJob *job)
{
  CabOutboxRequest *r = job->request;

  if (job->prepare_error != NULL)
    {
      set_failed (job, job->prepare_error->message);
      record_outcome (job);
      return;
    }

  cab_fhir_client_send_async (job->self->client, r->method, r->path, r->headers,
                              r->content_type, r->body, CAB_FHIR_REQUEST_NO_RETRY,
                              job->self->cancellable, on_sent, job);
}

/* --------------------------------------------------------------- recording */

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SendJob *job = task_data;
  GError *error = NULL;

  if (!cab_store_outbox_finish (job->self->store, job->entry, &job->outcome, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CabOutbox *self = CAB_OUTBOX (source);
  SendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Cannot record an outbox outcome: %s", error->message);

  g_hash_table_remove (self->busy_lanes, job->lane);

  for (GList *l = self->drains; l != NULL; l = l->next)
    {
      DrainRun *run = l->data;

      run->result.n_attempts++;
      if (job->outcome.state == CAB_OUTBOX_STATE_DONE)
        run->result.n_sent++;
    }

  if (job->network_failure)
    {
      self->net_streak++;
      if (!self->offline &&
          self->net_streak >= (self->any_answer ? OFFLINE_STREAK_WARM : OFFLINE_STREAK_COLD))
        {
          g_debug ("The health space looks unreachable: pausing the outbox");
          self->offline = TRUE;
        }
    }
  else if (job->answered)
    {
      self->net_streak = 0;
      self->any_answer = TRUE;
      if (self->offline)
        cab_outbox_notify_online (self);
    }

  cab_outbox_emit_changed (self);
  cab_outbox_pump (self);
  check_settled (self);
}

static void
record_outcome (SendJob *job)
{
  g_autoptr(GTask) task = g_task_new (job->self, NULL, on_recorded, NULL);

  g_task_set_source_tag (task, record_outcome);
  g_task_set_task_data (task, job, (GDestroyNotify) send_job_free);
  g_task_run_in_thread (task, record_thread);
}

/* ---------------------------------------------------------------- claiming */

static void
claim_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CabOutbox *self = source_object;
  ClaimData *data = task_data;
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;

  if (data->recover && !cab_store_outbox_recover (self->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  entries = cab_store_outbox_claim (self->store, g_get_real_time (), data->busy, data->limit,
                                    &data->next_due, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Requests are built here: reading and encoding PDFs stays off the main thread. */
  data->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) send_job_free);
  while (entries->len > 0)
    {
      SendJob *job = g_new0 (SendJob, 1);

      job->self = g_object_ref (self);
      job->entry = g_ptr_array_steal_index (entries, 0);
      job->lane = cab_outbox_entry_lane (job->entry);
      job->kind = cab_outbox_kind_lookup (job->entry->kind);
      if (job->kind == NULL)
        job->prepare_error = g_error_new (CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                                          _("This version of Cabinet cannot send “%s” actions"),
                                          job->entry->kind);
      else
        job->request = job->kind->prepare (self, job->entry, &job->prepare_error);
      g_ptr_array_add (data->jobs, job);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CabOutbox *self = CAB_OUTBOX (source);
  ClaimData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean again;
  guint n_jobs = 0;

  self->pumping = FALSE;
  again = self->pump_again;
  self->pump_again = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Cannot read the outbox: %s", error->message);
      finish_drains (self, error);
      return;
    }

  self->recovered = TRUE;
  self->next_due = data->next_due;
  n_jobs = data->jobs->len;
  while (data->jobs->len > 0)
    {
      SendJob *job = g_ptr_array_steal_index (data->jobs, 0);

      g_hash_table_insert (self->busy_lanes, g_strdup (job->lane), GINT_TO_POINTER (1));
      send_job_start (job);
    }

  schedule_timer (self);
  /* A full claim may have left more behind; an empty one may mean settled. */
  if (again || n_jobs == data->limit)
    cab_outbox_pump (self);
  else
    check_settled (self);
}

void
cab_outbox_pump (CabOutbox *self)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer lane;
  ClaimData *data;
  guint busy;

  if (!is_active (self) || self->client == NULL)
    return;
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }

  busy = g_hash_table_size (self->busy_lanes);
  if (self->offline)
    {
      /* Drains settle; background draining keeps one probe at a time. */
      if (!self->background || busy > 0)
        {
          check_settled (self);
          return;
        }
    }
  if (busy >= self->parallelism)
    return;

  data = g_new0 (ClaimData, 1);
  data->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, self->busy_lanes);
  while (g_hash_table_iter_next (&iter, &lane, NULL))
    g_hash_table_add (data->busy, g_strdup (lane));
  data->limit = self->offline ? 1 : self->parallelism - busy;
  data->recover = !self->recovered;

  self->pumping = TRUE;
  task = g_task_new (self, NULL, on_claimed, NULL);
  g_task_set_source_tag (task, cab_outbox_pump);
  g_task_set_task_data (task, data, (GDestroyNotify) claim_data_free);
  g_task_run_in_thread (task, claim_thread);
}

/* -------------------------------------------------------------- public API */

void
cab_outbox_drain_async (CabOutbox           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DrainRun *run;

  g_return_if_fail (CAB_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_outbox_drain_async);
  g_task_set_check_cancellable (task, TRUE);

  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("No health-space server is configured"));
      return;
    }

  run = g_new0 (DrainRun, 1);
  /* A cancelled drain reports it when it settles (the sends in flight finish). */
  run->task = g_steal_pointer (&task);
  self->drains = g_list_append (self->drains, run);

  /* A new drain tries again even if the last one found the server away. */
  self->offline = FALSE;
  self->net_streak = 0;
  self->any_answer = FALSE;
  cab_outbox_pump (self);
}

gboolean
cab_outbox_drain_finish (CabOutbox             *self,
                         GAsyncResult          *result,
                         CabOutboxDrainResult  *out,
                         GError               **error)
{
  DrainRun *run;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  run = g_task_get_task_data (G_TASK (result));
  if (out != NULL && run != NULL)
    *out = run->result;
  return TRUE;
}

static void
wake_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CabOutbox *self = source_object;
  GError *error = NULL;

  if (!cab_store_outbox_wake (self->store, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_woken (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Cannot wake the outbox: %s", error->message);
  cab_outbox_pump (CAB_OUTBOX (source));
}

void
cab_outbox_notify_online (CabOutbox *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_OUTBOX (self));

  self->offline = FALSE;
  self->net_streak = 0;
  task = g_task_new (self, NULL, on_woken, NULL);
  g_task_set_source_tag (task, cab_outbox_notify_online);
  g_task_run_in_thread (task, wake_thread);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  if (available)
    cab_outbox_notify_online (user_data);
}

void
cab_outbox_start (CabOutbox *self)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));

  if (self->background)
    return;
  self->background = TRUE;
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_handler = g_signal_connect_object (self->monitor, "network-changed",
                                                   G_CALLBACK (on_network_changed), self, 0);
  cab_outbox_pump (self);
}

void
cab_outbox_stop (CabOutbox *self)
{
  g_return_if_fail (CAB_IS_OUTBOX (self));

  self->background = FALSE;
  g_clear_signal_handler (&self->network_handler, self->monitor);
  g_clear_object (&self->monitor);
  if (self->timer != NULL && self->drains == NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

void
cab_outbox_drain_init (CabOutbox *self)
{
  self->busy_lanes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

void
cab_outbox_drain_dispose (CabOutbox *self)
{
  /* In-flight jobs hold a reference: nothing is in flight here. */
  cab_outbox_stop (self);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->busy_lanes, g_hash_table_unref);
  g_assert (self->drains == NULL);
}
