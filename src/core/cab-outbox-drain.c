/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-fhir-client-private.h"
#include "cab-outbox-error.h"
#include "cab-outbox-private.h"

/*
 * The drain engine, on the outbox's main context, as a pipeline:
 *
 *   step (worker: one transaction records the outcomes finished so far,
 *   then claims what may go now, marks it sending, and builds the requests)
 *   -> ready queue -> send (main: up to the parallelism at once, no
 *   in-request retry) -> classify -> finished -> next step.
 *
 * While requests are in flight the worker records and prepares the next
 * ones: the network never waits for the store. "sending" is committed
 * before a request leaves: after a crash those entries are sent again,
 * which the idempotency keys make harmless. A lane (patient) stays busy
 * until its entry's outcome is committed, so order within a patient and
 * dependencies hold. Claimed entries not sent (stopped, offline) are put
 * back as they were.
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
  const CabOutboxKind  *kind;      /* a FHIR request, or */
  CabOutboxSenderSlot  *slot;      /* a kind with its own transport */
  CabOutboxSendResult   result;    /* what slot's hooks said */
  gboolean              probe;     /* claimed to see whether the health space is back */
  CabOutboxRequest     *request;
  GError               *prepare_error;
  char                 *lane;
  CabOutboxOutcome      outcome;
  gboolean              unsent;     /* claimed, never sent: put back */
  gboolean              network_failure;
  gboolean              answered;
} SendJob;

typedef struct
{
  GPtrArray  *done;      /* SendJob*: outcomes to record, unsent to put back */
  GHashTable *busy;      /* snapshot of the busy lanes */
  guint       limit;
  gboolean    recover;
  gboolean    probe;     /* the health space looks away: this claim tries it once */
  char       *kinds;     /* JSON array of the kinds that may be claimed */
  GPtrArray  *jobs;      /* SendJob*: claimed */
  gint64      next_due;
} StepData;

/* Entries claimed ahead of the sends, and outcomes recorded together: one
 * transaction (and one claim query) per half batch rather than per entry,
 * while the next requests are built as the current ones travel. A kill
 * loses at most that many "done" records: those entries are sent again and
 * the server's conditional creates answer with what they made. */
#define BATCH 16

static void job_finished  (SendJob *job);
static void drive         (CabOutbox *self);
static void check_settled (CabOutbox *self);

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
  cab_outbox_send_result_clear (&job->result);
  g_free (job);
}

static void
step_data_free (StepData *data)
{
  g_clear_pointer (&data->done, g_ptr_array_unref);
  g_clear_pointer (&data->busy, g_hash_table_unref);
  g_clear_pointer (&data->jobs, g_ptr_array_unref);
  g_free (data->kinds);
  g_free (data);
}

static gboolean
is_active (CabOutbox *self)
{
  return self->background || self->drains != NULL;
}

/* Kinds with their own transport are reachable or not each on its own: an
 * IMAP server away does not stop the health space's entries, nor the
 * reverse. */
static gboolean
any_sender_online (CabOutbox *self)
{
  for (guint i = 0; i < self->senders->len; i++)
    if (!((CabOutboxSenderSlot *) g_ptr_array_index (self->senders, i))->offline)
      return TRUE;
  return FALSE;
}

static gboolean
any_sender_offline (CabOutbox *self)
{
  for (guint i = 0; i < self->senders->len; i++)
    if (((CabOutboxSenderSlot *) g_ptr_array_index (self->senders, i))->offline)
      return TRUE;
  return FALSE;
}

static void
senders_reset (CabOutbox *self)
{
  for (guint i = 0; i < self->senders->len; i++)
    {
      CabOutboxSenderSlot *slot = g_ptr_array_index (self->senders, i);

      slot->offline = FALSE;
      slot->net_streak = 0;
      slot->any_answer = FALSE;
    }
}

static gboolean
fhir_online (CabOutbox *self)
{
  return self->client != NULL && !self->offline;
}

/* Nothing can be sent now but a probe of the health space. */
static gboolean
all_offline (CabOutbox *self)
{
  return !fhir_online (self) && !any_sender_online (self);
}

/* A job whose transport is away waits unsent (a probe excepted). */
static gboolean
job_held_back (SendJob *job)
{
  if (job->slot != NULL)
    return job->slot->offline;
  return job->self->offline && !job->probe;
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
      run->result.offline = self->offline || any_sender_offline (self);
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

/* ------------------------------------------------------------------- timer */

static gboolean
on_timer (gpointer data)
{
  CabOutbox *self = data;

  g_clear_pointer (&self->timer, g_source_unref);
  self->timer_due = 0;
  /* Background draining tries an unreachable transport again when its
   * entries' backoff ends. */
  if (self->background)
    senders_reset (self);
  cab_outbox_pump (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_timer (CabOutbox *self,
                gint64     now)
{
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

static void
check_settled (CabOutbox *self)
{
  gint64 now = g_get_real_time ();

  /* Every claimed entry (ready, in flight, finished) keeps its lane busy. */
  if (self->drains == NULL || self->stepping || g_hash_table_size (self->busy_lanes) > 0)
    return;
  if (all_offline (self) || self->next_due == 0 ||
      self->next_due > now + (gint64) self->horizon_ms * 1000)
    finish_drains (self, NULL);
  else
    /* An entry due within the horizon keeps the drain: something must wake
     * it for that entry. The step's own timer check may have seen it beyond
     * the horizon a moment ago (time passes between the two: a listener of
     * "changed", a loaded machine), and then armed nothing. */
    schedule_timer (self, now);
}

/* ----------------------------------------------------------------- sending */

/* The outcome's error: @code and @detail when there is a code (the
 * sentence is made when shown, cab-outbox-error.h), else @message as
 * worded now. */
static void
set_error (SendJob    *job,
           const char *message,
           const char *code,
           const char *detail)
{
  g_clear_pointer (&job->outcome.error, g_free);
  g_clear_pointer (&job->outcome.error_code, g_free);
  g_clear_pointer (&job->outcome.error_detail, g_free);
  if (code != NULL)
    {
      job->outcome.error_code = g_strdup (code);
      job->outcome.error_detail = g_strdup (detail);
      /* Also worded now, for a reader older than migration 21. */
      job->outcome.error = cab_outbox_error_describe (code, detail, NULL);
    }
  else
    job->outcome.error = g_strdup (message);
}

static void
set_failed_code (SendJob    *job,
                 const char *message,
                 const char *code,
                 const char *detail)
{
  job->outcome.state = CAB_OUTBOX_STATE_FAILED;
  set_error (job, message, code, detail);
}

static void
set_failed (SendJob    *job,
            const char *message)
{
  set_failed_code (job, message, NULL, NULL);
}

static void
set_retry_code (SendJob    *job,
                const char *message,
                const char *code,
                const char *detail,
                gint64      retry_after_s)
{
  job->outcome.state = CAB_OUTBOX_STATE_PENDING;
  set_error (job, message, code, detail);
  job->outcome.next_attempt_at = next_attempt (job->self, job->entry->failures, retry_after_s);
}

static void
set_retry (SendJob    *job,
           const char *message,
           gint64      retry_after_s)
{
  set_retry_code (job, message, NULL, NULL, retry_after_s);
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
      job->network_failure = g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK) ||
                             cab_fhir_client_error_is_tls (error);
      set_retry (job, error != NULL ? error->message : _("The server's copy could not be read"), -1);
      job_finished (job);
      return;
    }

  current = json_node_get_object (response->json);
  if (job->kind->already_applied != NULL && job->kind->already_applied (job->entry, current))
    {
      /* A resend after a lost answer: the change is there already. */
      JsonObject *meta = json_object_get_object_member (current, "meta");
      const char *id = json_object_get_string_member_with_default (current, "id", NULL);

      job->outcome.state = CAB_OUTBOX_STATE_DONE;
      /* A store key and a URL segment: a FHIR id or nothing. */
      job->outcome.server_id = cab_fhir_id_is_valid (id) ? g_strdup (id) : NULL;
      job->outcome.server_version = meta != NULL
          ? g_strdup (json_object_get_string_member_with_default (meta, "versionId", NULL)) : NULL;
      job->outcome.resource_json = json_to_string (response->json, FALSE);
    }
  else
    {
      job->outcome.state = CAB_OUTBOX_STATE_CONFLICT;
      job->outcome.conflict_json = json_to_string (response->json, FALSE);
      set_error (job, NULL, "conflict", NULL);
    }
  job_finished (job);
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

  /* The server's certificate refused: as unreachable, retried later. */
  if ((error->domain == CAB_FHIR_ERROR && error->code == CAB_FHIR_ERROR_NETWORK) ||
      cab_fhir_client_error_is_tls (error))
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
    set_failed_code (job, NULL, "credentials", error->message);
  else if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE) ||
           g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_DEEP))
    set_failed_code (job, NULL, "unreadable", error->message);
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
      /* The outcome may keep part of the answer: nothing else holds it now. */
      g_clear_pointer (&response, cab_fhir_response_free);
      job_finished (job);
      return;
    }

  classify_error (job, error, status, retry_after_s);
  if (job->outcome.state == CAB_OUTBOX_STATE_CONFLICT && job->outcome.conflict_json == NULL)
    return;   /* reading the server's copy: on_current records */
  job_finished (job);
}

/* ------------------------------------------------ kinds with their own send */

/* On a sending thread; its task returns on the drain's thread
 * (cab_outbox_senders_run ()). */
static void
sender_thread (gpointer      task_data,
               GCancellable *cancellable)
{
  SendJob *job = task_data;
  const CabOutboxSender *sender = &job->slot->sender;
  gint64 deadline = g_get_monotonic_time () +
                    (gint64) (sender->timeout_s > 0 ? sender->timeout_s : 120) * G_USEC_PER_SEC;

  job->result.retry_after_s = -1;
  /* Stopped while it waited for a thread: nothing left, it goes back to
   * pending as it was (on_sender_done). */
  if (g_cancellable_is_cancelled (cancellable))
    return;
  /* An earlier attempt may have reached the server: ask before sending
   * again (exactly once). */
  if (job->entry->attempts > 1 && sender->already_applied != NULL &&
      sender->already_applied (job->entry, deadline, cancellable, job->slot->user_data, &job->result))
    return;
  cab_outbox_send_result_clear (&job->result);
  job->result.retry_after_s = -1;
  sender->send (job->entry, deadline, cancellable, job->slot->user_data, &job->result);
}

/* The code of a sender's result: its own (a known one), else @fallback
 * when it gave no message either. */
static const char *
result_code (const CabOutboxSendResult *r,
             const char                *fallback)
{
  if (r->code != NULL && cab_outbox_error_code_is_known (r->code))
    return r->code;
  return r->message == NULL ? fallback : NULL;
}

static void
on_sender_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SendJob *job = user_data;
  CabOutboxSenderSlot *slot = job->slot;
  CabOutboxSendResult *r = &job->result;
  g_autoptr(GError) error = NULL;
  gboolean unreachable = FALSE;
  gboolean started = g_task_propagate_boolean (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (job->self->cancellable))
    {
      /* Stopped, not failed: due again at once, no backoff step. */
      job->outcome.state = CAB_OUTBOX_STATE_PENDING;
      job->outcome.next_attempt_at = 0;
    }
  else if (!started)
    {
      /* The hook never ran (its result is still zeroed, which reads as
       * done): the entry waits for its backoff, nothing was sent. */
      set_retry (job, error->message, -1);
      job_finished (job);
      return;
    }
  else
    switch (r->status)
      {
      case CAB_OUTBOX_SEND_DONE:
        job->outcome.state = CAB_OUTBOX_STATE_DONE;
        job->outcome.server_id = g_steal_pointer (&r->server_id);
        break;
      /* A sender's code and the server's words when it gives them, else
       * its message, else the drain's own (codes: cab-outbox-error.h). */
      case CAB_OUTBOX_SEND_CONFLICT:
        job->outcome.state = CAB_OUTBOX_STATE_CONFLICT;
        job->outcome.conflict_json = g_steal_pointer (&r->conflict);
        set_error (job, r->message, result_code (r, "changed-elsewhere"), r->detail);
        break;
      case CAB_OUTBOX_SEND_FAILED:
        set_failed_code (job, r->message, result_code (r, "refused"), r->detail);
        break;
      case CAB_OUTBOX_SEND_RETRY:
      default:
        unreachable = r->unreachable;
        set_retry_code (job, r->message, result_code (r, "unreachable"), r->detail, r->retry_after_s);
        break;
      }

  /* Its own streak: one refused connection, before any answer in this
   * drain, means the server is away; once it answered, a burst. */
  if (unreachable)
    {
      slot->net_streak++;
      if (slot->net_streak >= (slot->any_answer ? OFFLINE_STREAK_WARM : 1))
        slot->offline = TRUE;
    }
  else if (!g_cancellable_is_cancelled (job->self->cancellable))
    {
      slot->net_streak = 0;
      slot->any_answer = TRUE;
    }
  job_finished (job);
}

static void
send_job_start (SendJob *job)
{
  CabOutboxRequest *r = job->request;

  job->self->n_in_flight++;
  if (job->prepare_error != NULL)
    {
      set_failed (job, job->prepare_error->message);
      job_finished (job);
      return;
    }
  if (job->slot != NULL)
    {
      g_autoptr(GTask) task = g_task_new (job->self, job->self->cancellable, on_sender_done, job);

      g_task_set_source_tag (task, send_job_start);
      /* The job outlives the task: job_finished hands it to the next step. */
      g_task_set_task_data (task, job, NULL);
      /* Its own low-priority threads, not GIO's pool (docs/architecture.md,
       * "Sending threads"). */
      cab_outbox_senders_run (task, sender_thread);
      return;
    }

  /* Every kind is deduplicated by the server (a business identifier with
   * If-None-Exist, or If-Match): resending after a lost answer is safe. */
  cab_fhir_client_send_async (job->self->client, r->method, r->path, r->headers,
                              r->content_type, r->body,
                              CAB_FHIR_REQUEST_NO_RETRY | CAB_FHIR_REQUEST_IDEMPOTENT,
                              job->self->cancellable, on_sent, job);
}

/* The answer (or its absence) is in: the outcome waits for the next step. */
static void
job_finished (SendJob *job)
{
  CabOutbox *self = job->self;

  g_assert (self->n_in_flight > 0);
  self->n_in_flight--;
  g_clear_pointer (&job->request, cab_outbox_request_free);

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

  g_ptr_array_add (self->finished, job);
  drive (self);
}

/* ------------------------------------------------------------------ steps */

static void
step_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CabOutbox *self = source_object;
  StepData *data = task_data;
  g_autofree const CabOutboxEntry **entries = g_new0 (const CabOutboxEntry *, data->done->len + 1);
  g_autofree const CabOutboxOutcome **outcomes = g_new0 (const CabOutboxOutcome *, data->done->len + 1);
  g_autoptr(GPtrArray) claimed = NULL;
  GError *error = NULL;

  if (data->recover && !cab_store_outbox_recover (self->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < data->done->len; i++)
    {
      SendJob *job = g_ptr_array_index (data->done, i);

      entries[i] = job->entry;
      outcomes[i] = job->unsent ? NULL : &job->outcome;
    }
  claimed = cab_store_outbox_step (self->store, entries, outcomes, data->done->len,
                                   data->kinds, g_get_real_time (), data->busy, data->limit,
                                   &data->next_due, &error);
  if (claimed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Requests are built here: reading and encoding PDFs stays off the main thread. */
  data->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) send_job_free);
  while (claimed->len > 0)
    {
      SendJob *job = g_new0 (SendJob, 1);

      job->self = g_object_ref (self);
      job->entry = g_ptr_array_steal_index (claimed, 0);
      job->lane = cab_outbox_entry_lane (job->entry);
      job->probe = data->probe;
      job->kind = cab_outbox_kind_lookup (job->entry->kind);
      /* Other kinds are registered ones (only known kinds are claimed):
       * on_stepped finds their sender on the main context. */
      if (job->kind != NULL)
        job->request = job->kind->prepare (self, job->entry, &job->prepare_error);
      g_ptr_array_add (data->jobs, job);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_stepped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CabOutbox *self = CAB_OUTBOX (source);
  StepData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean recorded = FALSE;

  self->stepping = FALSE;

  /* Recorded (or logged as not recordable): the lanes are free. */
  for (guint i = 0; i < data->done->len; i++)
    {
      SendJob *job = g_ptr_array_index (data->done, i);

      g_hash_table_remove (self->busy_lanes, job->lane);
      if (job->unsent)
        continue;
      recorded = TRUE;
      for (GList *l = self->drains; l != NULL; l = l->next)
        {
          DrainRun *run = l->data;

          run->result.n_attempts++;
          if (job->outcome.state == CAB_OUTBOX_STATE_DONE)
            run->result.n_sent++;
        }
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("Cannot read the outbox: %s", error->message);
      /* No claim again until something new happens. */
      self->claim_again = FALSE;
      finish_drains (self, error);
    }
  else
    {
      self->recovered = TRUE;
      self->next_due = data->next_due;
      /* A full claim may have left more behind. */
      if (data->limit > 0 && data->jobs->len == data->limit)
        self->claim_again = TRUE;
      while (data->jobs->len > 0)
        {
          SendJob *job = g_ptr_array_steal_index (data->jobs, 0);

          if (job->kind == NULL && (job->slot = cab_outbox_sender_lookup (self, job->entry->kind)) == NULL)
            job->prepare_error = g_error_new (CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE,
                                              _("This version of Cabinet cannot send “%s” actions"),
                                              job->entry->kind);

          g_hash_table_add (self->busy_lanes, g_strdup (job->lane));
          g_queue_push_tail (&self->ready, job);
        }
      schedule_timer (self, g_get_real_time ());
    }

  /* Once per step, not per entry: listeners re-read the outbox. */
  if (recorded)
    cab_outbox_emit_changed (self);
  drive (self);
}

/* The kinds this step may claim, as a JSON array: the health space's when
 * it is reachable (or probed), and each registered kind that is. */
static char *
claimable_kinds (CabOutbox *self,
                 gboolean   probe)
{
  static const char * const fhir_kinds[] = { "publish", "visibility", "create", "eprescription" };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  if (self->client != NULL && (!self->offline || probe))
    for (guint i = 0; i < G_N_ELEMENTS (fhir_kinds); i++)
      json_builder_add_string_value (b, fhir_kinds[i]);
  for (guint i = 0; i < self->senders->len; i++)
    {
      CabOutboxSenderSlot *slot = g_ptr_array_index (self->senders, i);

      if (!slot->offline)
        json_builder_add_string_value (b, slot->sender.kind);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
start_step (CabOutbox *self,
            guint      limit,
            gboolean   probe)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer lane;
  StepData *data;

  data = g_new0 (StepData, 1);
  data->probe = probe;
  data->kinds = claimable_kinds (self, probe);
  data->done = g_steal_pointer (&self->finished);
  g_ptr_array_set_free_func (data->done, (GDestroyNotify) send_job_free);
  self->finished = g_ptr_array_new ();
  data->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, self->busy_lanes);
  while (g_hash_table_iter_next (&iter, &lane, NULL))
    g_hash_table_add (data->busy, g_strdup (lane));
  /* The step records these outcomes before it claims: their lanes are free
   * for that claim (a patient's next entry goes in the same step). */
  for (guint i = 0; i < data->done->len; i++)
    g_hash_table_remove (data->busy, ((SendJob *) g_ptr_array_index (data->done, i))->lane);
  data->limit = limit;
  data->recover = !self->recovered;
  if (limit > 0)
    self->claim_again = FALSE;

  self->stepping = TRUE;
  task = g_task_new (self, NULL, on_stepped, NULL);
  g_task_set_source_tag (task, start_step);
  g_task_set_task_data (task, data, (GDestroyNotify) step_data_free);
  g_task_run_in_thread (task, step_thread);
}

/* How many requests may be in flight now. */
static guint
send_limit (CabOutbox *self)
{
  if (!is_active (self))
    return 0;
  if (fhir_online (self) || any_sender_online (self))
    return self->parallelism;
  /* Drains settle; background draining keeps one probe at a time. */
  return self->client != NULL && self->background ? 1 : 0;
}

/* Sends what may go, puts back what may not, and runs the next step when
 * there are outcomes to record or room to claim. */
static void
drive (CabOutbox *self)
{
  guint limit = send_limit (self);
  guint outstanding, target, claim = 0;
  gboolean idle, probe = FALSE;
  GQueue waiting = G_QUEUE_INIT;

  /* Offline (that job's transport) or stopped: nothing waits claimed. */
  while (self->ready.length > 0)
    {
      SendJob *job = g_queue_pop_head (&self->ready);

      if (limit == 0 || job_held_back (job))
        {
          job->unsent = TRUE;
          g_ptr_array_add (self->finished, job);
        }
      else if (self->n_in_flight < limit)
        send_job_start (job);
      else
        g_queue_push_tail (&waiting, job);
    }
  self->ready = waiting;

  if (self->stepping)
    return;

  outstanding = self->ready.length + self->n_in_flight;
  idle = outstanding == 0;
  if (all_offline (self))
    {
      target = limit > 0 && g_hash_table_size (self->busy_lanes) == 0 ? 1 : 0;
      probe = target > 0;
    }
  else
    target = limit > 0 ? limit + BATCH : 0;
  /* Recording frees lanes and dependencies: claim after it too. */
  if ((self->claim_again || self->finished->len > 0) && outstanding < target &&
      (idle || self->ready.length < limit || target - outstanding >= BATCH / 2))
    claim = target - outstanding;

  /* Outcomes wait for a full batch, a claim, or nothing else to do. */
  if (claim == 0 && (self->finished->len == 0 ||
                     (self->finished->len < BATCH && !idle && self->ready.length > 0)))
    {
      check_settled (self);
      return;
    }
  start_step (self, claim, probe);
}

void
cab_outbox_pump (CabOutbox *self)
{
  self->claim_again = TRUE;
  drive (self);
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

  if (self->client == NULL && self->senders->len == 0)
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
  senders_reset (self);
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
    {
      senders_reset (user_data);
      cab_outbox_notify_online (user_data);
    }
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
  /* Claimed entries not sent yet go back. */
  if (self->finished != NULL)
    drive (self);
}

void
cab_outbox_drain_init (CabOutbox *self)
{
  self->busy_lanes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->ready);
  self->finished = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

void
cab_outbox_drain_dispose (CabOutbox *self)
{
  /* Claimed jobs (ready, in flight, finished) hold a reference: there are
   * none here. */
  g_assert (self->ready.length == 0 && (self->finished == NULL || self->finished->len == 0));
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
  g_clear_pointer (&self->finished, g_ptr_array_unref);
  g_assert (self->drains == NULL);
}
