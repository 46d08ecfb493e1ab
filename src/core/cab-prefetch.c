/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prefetch"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cab-core-enums.h"
#include "cab-document-cache.h"
#include "cab-pdf-text.h"
#include "cab-prefetch.h"
#include "cab-query.h"
#include "cab-store-cache.h"

/*
 * The prefetch lane (docs/architecture.md, "Prefetch"). A run plans on a
 * worker thread (what is missing, what the budget allows, what to evict),
 * then downloads its queue through the same verified path as an opened
 * document (cab_document_cache_fetch_full_async()), at most
 * CAB_PREFETCH_MAX_ACTIVE at once. Nothing new starts while a sync runs or
 * while a document the user asked for downloads; such a document is taken
 * out of the queue and downloaded at once, or joins the lane's download of
 * it. Everything here runs on the main context; the store and the file
 * system are touched on worker threads only.
 */

#define INITIAL_BACKOFF_MS 1000
/* Documents indexed per worker-thread step: small, so that a document the
 * user opens meanwhile waits for a few text extractions at most. */
#define INDEX_BATCH 4

typedef struct
{
  CabPrefetch    *self;          /* strong */
  CabDocumentRow *row;
  gboolean        user;          /* asked for by the user, not the lane */
  GPtrArray      *waiters;       /* GTask*: user fetches joining this download */
} Job;

struct _CabPrefetch
{
  GObject             parent_instance;

  CabStore           *store;
  CabFhirClient      *client;
  CabSync            *sync;
  char               *data_dir;
  GNetworkMonitor    *monitor;
  guint64             budget;
  gboolean            allow_metered;
  CabPrefetchState    state;

  GCancellable       *cancellable;   /* the lane's downloads and plan */
  GQueue              queue;         /* CabDocumentRow*, in order */
  GHashTable         *inflight;      /* id -> Job* */
  GHashTable         *held;          /* id -> count */
  guint               n_active;      /* the lane's downloads */
  guint               n_user;        /* the user's own downloads */
  guint               backoff_source;
  guint               n_backoffs;    /* in a row */

  CabPrefetchSummary  summary;       /* of the current run */
  GPtrArray          *run_waiters;   /* GTask* of cab_prefetch_run_async() */

  guint               n_documents;
  guint               n_offline;
  guint64             offline_bytes;

  GPtrArray          *index_waiters; /* GTask* of cab_prefetch_index_async() */
  guint               n_indexed;

  guint               indexing : 1;    /* a batch is being indexed */
  guint               index_done : 1;  /* nothing left to index, as of the last batch */
  guint               planning : 1;
  guint               replan : 1;
  guint               offline : 1;
  guint               counting : 1;
  guint               count_dirty : 1;
};

G_DEFINE_FINAL_TYPE (CabPrefetch, cab_prefetch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_BUDGET,
  PROP_ALLOW_METERED,
  PROP_N_QUEUED,
  PROP_N_DOCUMENTS,
  PROP_N_OFFLINE,
  PROP_OFFLINE_BYTES,
  N_PROPS
};

enum {
  DOCUMENT_CACHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void pump (CabPrefetch *self);

/* ---------------------------------------------------------------------- */
/* state                                                                  */

static gboolean
is_metered (CabPrefetch *self)
{
  return !self->allow_metered && self->monitor != NULL &&
         g_network_monitor_get_network_metered (self->monitor);
}

static gboolean
sync_running (CabPrefetch *self)
{
  return self->sync != NULL && cab_sync_get_state (self->sync) == CAB_SYNC_STATE_RUNNING;
}

static CabPrefetchState
compute_state (CabPrefetch *self)
{
  gboolean pending = !g_queue_is_empty (&self->queue);

  if (self->planning)
    return CAB_PREFETCH_STATE_PLANNING;
  if (self->indexing && !pending && self->n_active == 0)
    return CAB_PREFETCH_STATE_INDEXING;
  if (self->offline && pending)
    return CAB_PREFETCH_STATE_OFFLINE;
  if (self->backoff_source != 0)
    return CAB_PREFETCH_STATE_BACKOFF;
  if (is_metered (self) && pending)
    return CAB_PREFETCH_STATE_METERED;
  if ((sync_running (self) || self->n_user > 0) && pending)
    return CAB_PREFETCH_STATE_WAITING;
  if (self->n_active > 0 || pending)
    return CAB_PREFETCH_STATE_RUNNING;
  return CAB_PREFETCH_STATE_IDLE;
}

static void
update_state (CabPrefetch *self)
{
  CabPrefetchState state = compute_state (self);

  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_QUEUED]);
}

static gboolean
can_start (CabPrefetch *self)
{
  return !self->planning && !self->offline && self->backoff_source == 0 &&
         !is_metered (self) && !sync_running (self) && self->n_user == 0 &&
         !g_cancellable_is_cancelled (self->cancellable);
}

static void
clear_queue (CabPrefetch *self)
{
  g_queue_clear_full (&self->queue, (GDestroyNotify) cab_document_row_free);
}

/* ---------------------------------------------------------------------- */
/* figures for the status line                                            */

static void refresh_counts (CabPrefetch *self);

static void
count_query (GTask        *task,
             CabStore     *store,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CabOfflineStats *stats = g_new0 (CabOfflineStats, 1);
  GError *error = NULL;

  if (!cab_store_get_offline_stats (store, stats, &error))
    {
      g_free (stats);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, stats, g_free);
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabPrefetch) self = user_data;
  g_autofree CabOfflineStats *stats = NULL;
  g_autoptr(GError) error = NULL;

  self->counting = FALSE;
  stats = g_task_propagate_pointer (G_TASK (result), &error);
  if (stats != NULL)
    {
      g_object_freeze_notify (G_OBJECT (self));
      if (stats->n_documents != self->n_documents)
        {
          self->n_documents = stats->n_documents;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DOCUMENTS]);
        }
      if (stats->n_cached != self->n_offline)
        {
          self->n_offline = stats->n_cached;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_OFFLINE]);
        }
      if (stats->cached_bytes != self->offline_bytes)
        {
          self->offline_bytes = stats->cached_bytes;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_BYTES]);
        }
      g_object_thaw_notify (G_OBJECT (self));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Cannot count the offline documents: %s", error->message);

  if (self->count_dirty && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    refresh_counts (self);
}

/* Coalesced: changes while a count runs make one more count after it. */
static void
refresh_counts (CabPrefetch *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->counting)
    {
      self->count_dirty = TRUE;
      return;
    }
  self->counting = TRUE;
  self->count_dirty = FALSE;
  task = g_task_new (NULL, NULL, count_cb, g_object_ref (self));
  g_task_set_source_tag (task, refresh_counts);
  cab_query_run (task, self->store, count_query);
}

/* ---------------------------------------------------------------------- */
/* ending a run                                                           */

static void
finish_run (CabPrefetch  *self,
            const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->run_waiters);

  self->run_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      CabPrefetchSummary *summary = g_task_get_task_data (task);

      *summary = self->summary;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* ---------------------------------------------------------------------- */
/* downloads                                                              */

static void
job_free (Job *job)
{
  g_clear_pointer (&job->row, cab_document_row_free);
  g_clear_pointer (&job->waiters, g_ptr_array_unref);
  g_clear_object (&job->self);
  g_free (job);
}

static gboolean
is_network_error (const GError *error)
{
  return g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK) ||
         error->domain == G_RESOLVER_ERROR ||
         error->domain == CAB_FHIR_CLIENT_ERROR ||
         (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_CANCELLED &&
          error->code != G_IO_ERROR_PERMISSION_DENIED && error->code != G_IO_ERROR_NO_SPACE);
}

static gboolean
backoff_done_cb (gpointer user_data)
{
  CabPrefetch *self = user_data;

  /* If another request was told to wait longer meanwhile, pump() waits on. */
  self->backoff_source = 0;
  pump (self);
  return G_SOURCE_REMOVE;
}

/* Full jitter, never less than Retry-After, at most CAB_PREFETCH_MAX_BACKOFF_S. */
static void
back_off (CabPrefetch *self,
          gint64       retry_after_s)
{
  guint64 ceiling = (guint64) INITIAL_BACKOFF_MS << MIN (self->n_backoffs, 16);
  guint64 delay_ms;

  ceiling = MIN (ceiling, (guint64) CAB_PREFETCH_MAX_BACKOFF_S * 1000);
  delay_ms = (guint64) g_random_double_range (ceiling / 2.0, (double) ceiling + 1);
  if (retry_after_s >= 0)
    delay_ms = MAX (delay_ms, (guint64) MIN (retry_after_s, CAB_PREFETCH_MAX_BACKOFF_S) * 1000);
  self->n_backoffs++;
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  self->backoff_source = g_timeout_add ((guint) delay_ms, backoff_done_cb, self);
  g_debug ("Prefetch pauses %" G_GUINT64_FORMAT " ms at the server's request", delay_ms);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  /* The job's reference may be the last: keep it until the end. */
  g_autoptr(CabPrefetch) self = g_object_ref (job->self);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = cab_document_cache_fetch_finish (result, &error);
  g_hash_table_steal (self->inflight, job->row->id);
  if (job->user)
    self->n_user--;
  else
    self->n_active--;

  for (guint i = 0; i < job->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (job->waiters, i);

      if (path != NULL)
        g_task_return_pointer (task, g_strdup (path), g_free);
      else
        g_task_return_error (task, g_error_copy (error));
    }

  if (path != NULL)
    {
      if (!job->user)
        {
          self->summary.n_downloaded++;
          self->summary.n_bytes += MAX (job->row->document.size, 0);
          self->n_backoffs = 0;
        }
      if (!job->user)
        self->index_done = FALSE;
      refresh_counts (self);
      g_signal_emit (self, signals[DOCUMENT_CACHED], 0, job->row->id);
    }
  else if (!job->user && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gint64 retry_after_s = -1;
      guint status = cab_document_cache_fetch_get_status (result, &retry_after_s);

      if (status == 429 || status == 503)
        {
          if (self->n_backoffs >= CAB_PREFETCH_MAX_BACKOFFS)
            {
              /* Still busy after many pauses: end the run, keep the queue. */
              g_queue_push_head (&self->queue, g_steal_pointer (&job->row));
              self->offline = TRUE;
              finish_run (self, error);
            }
          else
            {
              g_queue_push_head (&self->queue, g_steal_pointer (&job->row));
              back_off (self, retry_after_s);
            }
        }
      else if (is_network_error (error))
        {
          /* Unreachable: wait for the next sync; nothing is lost. */
          g_queue_push_head (&self->queue, g_steal_pointer (&job->row));
          self->offline = TRUE;
          g_debug ("Prefetch paused, the server cannot be reached: %s", error->message);
          finish_run (self, error);
        }
      else
        {
          self->summary.n_failed++;
          g_debug ("A document could not be prefetched: %s", error->message);
        }
    }

  job_free (job);
  pump (self);
}

static Job *
start_job (CabPrefetch          *self,
           const CabDocumentRow *row,
           gboolean              user,
           CabFhirProgressFunc   progress,
           gpointer              progress_data,
           GCancellable         *cancellable)
{
  Job *job = g_new0 (Job, 1);
  CabDocumentRow *copy = g_new0 (CabDocumentRow, 1);

  /* What the download needs, nothing more. */
  copy->id = g_strdup (row->id);
  copy->patient_id = g_strdup (row->patient_id);
  copy->document.url = g_strdup (row->document.url);
  copy->document.content_type = g_strdup (row->document.content_type);
  copy->document.size = row->document.size;
  copy->document.hash = g_strdup (row->document.hash);

  job->self = g_object_ref (self);
  job->row = copy;
  job->user = user;
  job->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_insert (self->inflight, copy->id, job);
  if (user)
    self->n_user++;
  else
    self->n_active++;

  cab_document_cache_fetch_full_async (self->client, self->store, self->data_dir, copy,
                                       user ? CAB_CONTENT_SOURCE_OPENED : CAB_CONTENT_SOURCE_PREFETCH,
                                       progress, progress_data,
                                       user ? cancellable : self->cancellable,
                                       job_done_cb, job);
  return job;
}

/* ---------------------------------------------------------------------- */
/* full-text index of the prefetched contents                             */

typedef struct
{
  CabStore *store;
  guint     n_done;
} IndexData;

static void
index_data_free (IndexData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

static void
index_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  IndexData *data = task_data;
  g_auto(GStrv) batch = NULL;
  GError *error = NULL;

  batch = cab_store_list_unindexed_contents (data->store, INDEX_BATCH, &error);
  if (batch == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; batch[i] != NULL && batch[i + 1] != NULL; i += 2)
    {
      g_autoptr(GError) text_error = NULL;
      g_autofree char *text = cab_pdf_text_extract (batch[i + 1], cancellable, &text_error);

      if (g_cancellable_is_cancelled (cancellable))
        break;
      /* Unreadable, still a document: indexed as empty, not tried forever. */
      if (text == NULL)
        text = g_strdup ("");
      if (!cab_store_set_document_content (data->store, batch[i], NULL, text, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      data->n_done++;
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
can_index (CabPrefetch *self)
{
  return !self->planning && g_queue_is_empty (&self->queue) && self->n_active == 0 &&
         self->n_user == 0 && !sync_running (self) && !g_cancellable_is_cancelled (self->cancellable);
}

static void
finish_index (CabPrefetch  *self,
              const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->index_waiters);

  self->index_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_int (task, self->n_indexed);
    }
}

static void start_index (CabPrefetch *self);

static void
index_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabPrefetch) self = user_data;
  IndexData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->indexing = FALSE;
  self->n_indexed += data->n_done;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot index the offline documents: %s", error->message);
          self->index_done = TRUE;
          finish_index (self, error);
        }
      update_state (self);
      return;
    }
  if (data->n_done == 0)
    {
      self->index_done = TRUE;
      finish_index (self, NULL);
      update_state (self);
      return;
    }
  if (can_index (self))
    start_index (self);
  else
    update_state (self);
}

static void
start_index (CabPrefetch *self)
{
  g_autoptr(GTask) task = NULL;
  IndexData *data = g_new0 (IndexData, 1);

  data->store = g_object_ref (self->store);
  self->indexing = TRUE;
  task = g_task_new (NULL, self->cancellable, index_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_index);
  g_task_set_task_data (task, data, (GDestroyNotify) index_data_free);
  g_task_run_in_thread (task, index_thread);
  update_state (self);
}

/* Whether the lane may start one more download now. */
static gboolean
can_start_more (CabPrefetch *self)
{
  return self->n_active < CAB_PREFETCH_MAX_ACTIVE && can_start (self) && !g_queue_is_empty (&self->queue);
}

/* The server told one of this client's requests to wait (Retry-After,
 * from a sync, a download's own retry or an opened document): nothing new
 * starts before then, even if a download has since gone through. Arms the
 * lane's pause when there is one. */
static void
wait_for_server (CabPrefetch *self)
{
  gint64 remaining_us = cab_fhir_client_get_busy_until (self->client) - g_get_monotonic_time ();

  if (remaining_us <= 0)
    return;
  self->backoff_source = g_timeout_add ((guint) ((remaining_us + 999) / 1000), backoff_done_cb, self);
  g_debug ("Prefetch waits %" G_GINT64_FORMAT " ms as the server asked", (remaining_us + 999) / 1000);
}

static void
pump (CabPrefetch *self)
{
  if (can_start_more (self))
    wait_for_server (self);

  while (can_start_more (self))
    {
      g_autoptr(CabDocumentRow) row = g_queue_pop_head (&self->queue);

      if (g_hash_table_contains (self->inflight, row->id))
        continue;
      start_job (self, row, FALSE, NULL, NULL, NULL);
    }

  update_state (self);

  if (g_queue_is_empty (&self->queue) && self->n_active == 0 &&
      !self->planning && !self->replan)
    {
      finish_run (self, NULL);
      /* Every content here: their text, while nothing else runs. */
      if (!self->indexing && !self->index_done && can_index (self))
        start_index (self);
    }
}

/* ---------------------------------------------------------------------- */
/* planning, on a worker thread                                           */

typedef struct
{
  CabStore  *store;
  char      *data_dir;
  guint64    budget;
  GStrv      held;
  /* out */
  GPtrArray *queue;          /* CabDocumentRow* */
  guint      n_already;
  guint      n_skipped_budget;
  guint      n_evicted;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  g_clear_object (&data->store);
  g_free (data->data_dir);
  g_strfreev (data->held);
  g_clear_pointer (&data->queue, g_ptr_array_unref);
  g_free (data);
}

static guint64
default_budget (const char *data_dir)
{
  g_autoptr(GFile) dir = g_file_new_for_path (data_dir);
  g_autoptr(GFileInfo) info = NULL;
  guint64 free_bytes;

  info = g_file_query_filesystem_info (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (dir);

      if (parent != NULL)
        info = g_file_query_filesystem_info (parent, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
    }
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return CAB_PREFETCH_DEFAULT_BUDGET;
  free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  return MIN (CAB_PREFETCH_DEFAULT_BUDGET, free_bytes / 4);
}

static gboolean
is_evictable (const CabContentEntry *entry,
              gint64                 read_cutoff,
              GStrv                  held)
{
  return entry->cached && entry->source == CAB_CONTENT_SOURCE_PREFETCH && !entry->pinned &&
         (entry->last_read_at == 0 || entry->last_read_at < read_cutoff) &&
         !(held != NULL && g_strv_contains ((const char * const *) held, entry->row->id));
}

static int
compare_lru (gconstpointer a,
             gconstpointer b)
{
  const CabContentEntry *x = *(CabContentEntry * const *) a;
  const CabContentEntry *y = *(CabContentEntry * const *) b;
  gint64 ux = MAX (x->last_read_at, x->cached_at);
  gint64 uy = MAX (y->last_read_at, y->cached_at);

  return ux < uy ? -1 : ux > uy;
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PlanData *data = task_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) victims = NULL;
  g_autoptr(GHashTable) wanted = g_hash_table_new (NULL, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) recent = g_date_time_add_days (now, -CAB_PREFETCH_RECENT_DAYS);
  g_autofree char *recent_since = g_date_time_format_iso8601 (recent);
  gint64 read_cutoff = g_date_time_to_unix (now) - (gint64) CAB_PREFETCH_KEEP_READ_DAYS * 24 * 3600;
  guint64 budget = data->budget > 0 ? data->budget : default_budget (data->data_dir);
  guint64 fixed = 0, used = 0, need = 0, room, taken = 0;
  gboolean full = FALSE;
  GError *error = NULL;

  cab_document_cache_remove_stale (data->data_dir);

  entries = cab_store_list_contents (data->store, recent_since, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A content recorded but gone from the disk is missing again. */
  for (guint i = 0; i < entries->len; i++)
    {
      CabContentEntry *entry = g_ptr_array_index (entries, i);

      if (entry->cached && !g_file_test (entry->row->local_path, G_FILE_TEST_IS_REGULAR))
        {
          cab_store_forget_document_content (data->store, entry->row->id, entry->row->local_path, NULL);
          entry->cached = FALSE;
          entry->cached_size = entry->row->document.size;
        }
      if (entry->cached)
        {
          used += MAX (entry->cached_size, 0);
          if (!is_evictable (entry, read_cutoff, data->held))
            fixed += MAX (entry->cached_size, 0);
        }
    }

  /* What the budget keeps, in priority order; pinned contents always. The
   * walk stops at the first that does not fit, so what is kept is the most
   * recent, not whatever small file fills a gap. */
  room = budget > fixed ? budget - fixed : 0;
  for (guint i = 0; i < entries->len; i++)
    {
      CabContentEntry *entry = g_ptr_array_index (entries, i);
      guint64 size = MAX (entry->cached_size, 0);

      if (entry->cached && !is_evictable (entry, read_cutoff, data->held))
        continue;
      if (entry->pinned)
        {
          /* Kept whatever the budget; counted in it all the same. */
          g_hash_table_add (wanted, entry);
          taken += size;
          if (!entry->cached)
            need += size;
          continue;
        }
      if (!full && taken + size <= room)
        {
          taken += size;
          g_hash_table_add (wanted, entry);
          if (!entry->cached)
            need += size;
        }
      else
        full = TRUE;
    }

  /* Least recently used first, among the evictable contents the budget no
   * longer keeps, until the wanted ones fit. */
  victims = g_ptr_array_new ();
  for (guint i = 0; i < entries->len; i++)
    {
      CabContentEntry *entry = g_ptr_array_index (entries, i);

      if (is_evictable (entry, read_cutoff, data->held) && !g_hash_table_contains (wanted, entry))
        g_ptr_array_add (victims, entry);
    }
  g_ptr_array_sort (victims, compare_lru);
  for (guint i = 0; i < victims->len && used + need > budget; i++)
    {
      CabContentEntry *entry = g_ptr_array_index (victims, i);
      g_autofree char *path = g_strdup (entry->row->local_path);

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!cab_store_forget_document_content (data->store, entry->row->id, path, &error))
        {
          if (error != NULL)
            {
              g_task_return_error (task, error);
              return;
            }
          continue;
        }
      g_unlink (path);
      entry->cached = FALSE;
      used -= MIN (used, (guint64) MAX (entry->cached_size, 0));
      data->n_evicted++;
    }

  data->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_document_row_free);
  for (guint i = 0; i < entries->len; i++)
    {
      CabContentEntry *entry = g_ptr_array_index (entries, i);

      if (entry->cached)
        data->n_already++;
      else if (g_hash_table_contains (wanted, entry))
        g_ptr_array_add (data->queue, g_steal_pointer (&entry->row));
      else
        data->n_skipped_budget++;
    }

  g_debug ("Prefetch plan: %u to download, %u offline, %u over the budget, %u evicted",
           data->queue->len, data->n_already, data->n_skipped_budget, data->n_evicted);
  g_task_return_boolean (task, TRUE);
}

static void start_plan (CabPrefetch *self);

static void
plan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabPrefetch) self = user_data;
  PlanData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->planning = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Cannot plan the offline documents: %s", error->message);
      update_state (self);
      finish_run (self, error);
      return;
    }

  if (self->replan)
    {
      start_plan (self);
      return;
    }

  clear_queue (self);
  g_ptr_array_set_free_func (data->queue, NULL);
  for (guint i = 0; i < data->queue->len; i++)
    g_queue_push_tail (&self->queue, g_ptr_array_index (data->queue, i));
  g_ptr_array_set_size (data->queue, 0);
  self->summary.n_already = data->n_already;
  self->summary.n_skipped_budget = data->n_skipped_budget;
  self->summary.n_evicted += data->n_evicted;
  refresh_counts (self);
  pump (self);
}

static void
start_plan (CabPrefetch *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) held = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  PlanData *data;

  self->replan = FALSE;
  self->planning = TRUE;
  update_state (self);

  g_hash_table_iter_init (&iter, self->held);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (held, g_strdup (key));
  g_ptr_array_add (held, NULL);

  data = g_new0 (PlanData, 1);
  data->store = g_object_ref (self->store);
  data->data_dir = g_strdup (self->data_dir);
  data->budget = self->budget;
  data->held = (GStrv) g_ptr_array_free (g_steal_pointer (&held), FALSE);

  task = g_task_new (NULL, self->cancellable, plan_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_plan);
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_thread);
}

/* ---------------------------------------------------------------------- */
/* what wakes the lane up                                                 */

static void
monitor_changed_cb (CabPrefetch *self)
{
  pump (self);
}

static void
sync_state_cb (CabPrefetch *self)
{
  pump (self);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_prefetch_dispose (GObject *object)
{
  CabPrefetch *self = CAB_PREFETCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  clear_queue (self);

  G_OBJECT_CLASS (cab_prefetch_parent_class)->dispose (object);
}

static void
cab_prefetch_finalize (GObject *object)
{
  CabPrefetch *self = CAB_PREFETCH (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_free (self->data_dir);
  g_clear_pointer (&self->inflight, g_hash_table_unref);
  g_clear_pointer (&self->held, g_hash_table_unref);
  g_clear_pointer (&self->run_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->index_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (cab_prefetch_parent_class)->finalize (object);
}

static void
cab_prefetch_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CabPrefetch *self = CAB_PREFETCH (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BUDGET:
      g_value_set_uint64 (value, self->budget);
      break;
    case PROP_ALLOW_METERED:
      g_value_set_boolean (value, self->allow_metered);
      break;
    case PROP_N_QUEUED:
      g_value_set_uint (value, cab_prefetch_get_n_queued (self));
      break;
    case PROP_N_DOCUMENTS:
      g_value_set_uint (value, self->n_documents);
      break;
    case PROP_N_OFFLINE:
      g_value_set_uint (value, self->n_offline);
      break;
    case PROP_OFFLINE_BYTES:
      g_value_set_uint64 (value, self->offline_bytes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_prefetch_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CabPrefetch *self = CAB_PREFETCH (object);

  switch (prop_id)
    {
    case PROP_BUDGET:
      cab_prefetch_set_budget (self, g_value_get_uint64 (value));
      break;
    case PROP_ALLOW_METERED:
      cab_prefetch_set_allow_metered (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_prefetch_class_init (CabPrefetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_prefetch_dispose;
  object_class->finalize = cab_prefetch_finalize;
  object_class->get_property = cab_prefetch_get_property;
  object_class->set_property = cab_prefetch_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CAB_TYPE_PREFETCH_STATE, CAB_PREFETCH_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* 0: the default, the smaller of 10 GB and a quarter of the free space. */
  properties[PROP_BUDGET] =
    g_param_spec_uint64 ("budget", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_METERED] =
    g_param_spec_boolean ("allow-metered", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_QUEUED] =
    g_param_spec_uint ("n-queued", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_DOCUMENTS] =
    g_param_spec_uint ("n-documents", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_OFFLINE] =
    g_param_spec_uint ("n-offline", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OFFLINE_BYTES] =
    g_param_spec_uint64 ("offline-bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DOCUMENT_CACHED] =
    g_signal_new ("document-cached",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cab_prefetch_init (CabPrefetch *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->queue);
  self->inflight = g_hash_table_new (g_str_hash, g_str_equal);
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->run_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->index_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabPrefetch *
cab_prefetch_new (CabStore      *store,
                  CabFhirClient *client,
                  CabSync       *sync,
                  const char    *data_dir)
{
  CabPrefetch *self;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (client), NULL);
  g_return_val_if_fail (sync == NULL || CAB_IS_SYNC (sync), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (CAB_TYPE_PREFETCH, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->data_dir = g_strdup (data_dir);
  if (sync != NULL)
    {
      self->sync = g_object_ref (sync);
      g_signal_connect_object (sync, "notify::state", G_CALLBACK (sync_state_cb),
                               self, G_CONNECT_SWAPPED);
    }
  cab_prefetch_set_network_monitor (self, g_network_monitor_get_default ());
  refresh_counts (self);
  return self;
}

void
cab_prefetch_set_budget (CabPrefetch *self,
                         guint64      budget)
{
  g_return_if_fail (CAB_IS_PREFETCH (self));

  if (self->budget == budget)
    return;
  self->budget = budget;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUDGET]);
}

guint64
cab_prefetch_get_budget (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), 0);

  return self->budget;
}

void
cab_prefetch_set_allow_metered (CabPrefetch *self,
                                gboolean     allow)
{
  g_return_if_fail (CAB_IS_PREFETCH (self));

  allow = !!allow;
  if (self->allow_metered == allow)
    return;
  self->allow_metered = allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_METERED]);
  pump (self);
}

void
cab_prefetch_set_network_monitor (CabPrefetch     *self,
                                  GNetworkMonitor *monitor)
{
  g_return_if_fail (CAB_IS_PREFETCH (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  if (self->monitor == monitor)
    return;
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);
  if (monitor != NULL)
    g_signal_connect_object (monitor, "notify::network-metered",
                             G_CALLBACK (monitor_changed_cb), self, G_CONNECT_SWAPPED);
  pump (self);
}

CabPrefetchState
cab_prefetch_get_state (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), CAB_PREFETCH_STATE_IDLE);

  return self->state;
}

void
cab_prefetch_start (CabPrefetch *self)
{
  g_return_if_fail (CAB_IS_PREFETCH (self));

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      /* Stopped before: a fresh lane. */
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  /* A sync answered: the server is reachable again. */
  self->offline = FALSE;
  self->index_done = FALSE;
  self->n_backoffs = 0;
  if (g_queue_is_empty (&self->queue) && self->n_active == 0)
    memset (&self->summary, 0, sizeof self->summary);

  if (self->planning)
    self->replan = TRUE;
  else
    start_plan (self);
}

void
cab_prefetch_stop (CabPrefetch *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CAB_IS_PREFETCH (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  self->planning = FALSE;
  self->replan = FALSE;
  clear_queue (self);
  update_state (self);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Prefetch stopped");
  finish_run (self, error);
  finish_index (self, error);
}

void
cab_prefetch_run_async (CabPrefetch         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CAB_IS_PREFETCH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_prefetch_run_async);
  g_task_set_task_data (task, g_new0 (CabPrefetchSummary, 1), g_free);
  g_ptr_array_add (self->run_waiters, task);
  cab_prefetch_start (self);
}

gboolean
cab_prefetch_run_finish (CabPrefetch         *self,
                         GAsyncResult        *result,
                         CabPrefetchSummary  *summary,
                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prefetch_run_async), FALSE);

  if (summary != NULL)
    *summary = *(CabPrefetchSummary *) g_task_get_task_data (G_TASK (result));
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cab_prefetch_fetch_async (CabPrefetch          *self,
                          const CabDocumentRow *row,
                          CabFhirProgressFunc   progress,
                          gpointer              progress_data,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (CAB_IS_PREFETCH (self));
  g_return_if_fail (row != NULL && row->id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_prefetch_fetch_async);

  job = g_hash_table_lookup (self->inflight, row->id);
  if (job == NULL)
    {
      /* Out of the queue, and downloaded now. */
      for (GList *l = self->queue.head; l != NULL; l = l->next)
        {
          CabDocumentRow *queued = l->data;

          if (g_str_equal (queued->id, row->id))
            {
              g_queue_delete_link (&self->queue, l);
              cab_document_row_free (queued);
              break;
            }
        }
      job = start_job (self, row, TRUE, progress, progress_data, cancellable);
    }
  g_ptr_array_add (job->waiters, task);
  update_state (self);
}

void
cab_prefetch_index_async (CabPrefetch         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CAB_IS_PREFETCH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_prefetch_index_async);
  g_ptr_array_add (self->index_waiters, task);
  if (self->indexing)
    return;
  self->index_done = FALSE;
  if (can_index (self))
    start_index (self);
}

gboolean
cab_prefetch_index_finish (CabPrefetch   *self,
                           GAsyncResult  *result,
                           guint         *n_indexed,
                           GError       **error)
{
  GError *local_error = NULL;
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prefetch_index_async), FALSE);

  n = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (n_indexed != NULL)
    *n_indexed = (guint) n;
  return TRUE;
}

char *
cab_prefetch_fetch_finish (CabPrefetch   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prefetch_fetch_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

int
cab_prefetch_get_queue_position (CabPrefetch *self,
                                 const char  *document_id)
{
  int position = 0;

  g_return_val_if_fail (CAB_IS_PREFETCH (self), -1);
  g_return_val_if_fail (document_id != NULL, -1);

  if (g_hash_table_contains (self->inflight, document_id))
    return 0;
  for (GList *l = self->queue.head; l != NULL; l = l->next, position++)
    if (g_str_equal (((CabDocumentRow *) l->data)->id, document_id))
      return position;
  return -1;
}

guint
cab_prefetch_get_n_queued (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), 0);

  return g_queue_get_length (&self->queue) + self->n_active;
}

void
cab_prefetch_hold (CabPrefetch *self,
                   const char  *document_id)
{
  guint count;

  g_return_if_fail (CAB_IS_PREFETCH (self));
  g_return_if_fail (document_id != NULL);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->held, document_id));
  g_hash_table_replace (self->held, g_strdup (document_id), GUINT_TO_POINTER (count + 1));
}

void
cab_prefetch_release (CabPrefetch *self,
                      const char  *document_id)
{
  guint count;

  g_return_if_fail (CAB_IS_PREFETCH (self));
  g_return_if_fail (document_id != NULL);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->held, document_id));
  if (count <= 1)
    g_hash_table_remove (self->held, document_id);
  else
    g_hash_table_replace (self->held, g_strdup (document_id), GUINT_TO_POINTER (count - 1));
}

guint
cab_prefetch_get_n_documents (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), 0);

  return self->n_documents;
}

guint
cab_prefetch_get_n_offline (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), 0);

  return self->n_offline;
}

guint64
cab_prefetch_get_offline_bytes (CabPrefetch *self)
{
  g_return_val_if_fail (CAB_IS_PREFETCH (self), 0);

  return self->offline_bytes;
}

void
cab_prefetch_refresh_counts (CabPrefetch *self)
{
  g_return_if_fail (CAB_IS_PREFETCH (self));

  refresh_counts (self);
}
