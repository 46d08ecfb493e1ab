/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-directory-refresh"

#include "config.h"

#include "cab-directory-refresh.h"

struct _CabDirectoryRefresh
{
  GObject       parent_instance;

  CabDirectory *directory;
  GCancellable *cancellable;   /* the running sync's; NULL when none runs */
  gint64        started_at;    /* monotonic µs of the last start, 0 never */
  guint         failures;      /* in a row, since the last success */
  guint         retry_id;      /* the retry waiting after a failure, or 0 */
  guint         minute_ms;     /* one minute of the retry schedule */
};

/* Minutes to wait after 1, 2, 3, 4 failures in a row; an hour after more. */
static const guint retry_minutes[] = { 1, 2, 5, 15 };

G_DEFINE_FINAL_TYPE (CabDirectoryRefresh, cab_directory_refresh, G_TYPE_OBJECT)

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_sync (CabDirectoryRefresh *self);

static gboolean
retry_cb (gpointer user_data)
{
  CabDirectoryRefresh *self = user_data;

  self->retry_id = 0;
  start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CabDirectoryRefresh) self = user_data;
  g_autoptr(GError) error = NULL;
  CabDirectorySyncStats stats = { 0 };
  gboolean ok, cancelled;

  ok = cab_directory_sync_finish (CAB_DIRECTORY (source), result, &stats, &error);
  cancelled = g_cancellable_is_cancelled (self->cancellable);
  g_clear_object (&self->cancellable);
  if (ok)
    self->failures = 0;
  /* The directory or the network away for a while: tried again on its own
   * soon, then less often (cab_directory_refresh_retry_delay_s()). A
   * cancelled one (shutdown) is not. */
  else if (!cancelled)
    {
      guint64 delay_ms = (guint64) cab_directory_refresh_retry_delay_s (++self->failures) / 60 * self->minute_ms;

      /* No reference: dispose removes the source. */
      self->retry_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) MIN (delay_ms, G_MAXUINT), retry_cb,
                                           self, NULL);
    }
  /* Counts and the error's domain and code only: a message may quote an
   * address or a name from the answer (docs/architecture.md, rule 5). */
  if (ok)
    g_debug ("Directory refreshed: %u requests, %u practitioners, %u addresses, %u removed",
             stats.n_requests, stats.n_practitioners, stats.n_entries, stats.n_removed);
  else
    g_debug ("Directory refresh failed (%s %d); the cache stays as it was",
             g_quark_to_string (error->domain), error->code);
  g_signal_emit (self, signals[FINISHED], 0, ok);
}

static void
cab_directory_refresh_dispose (GObject *object)
{
  CabDirectoryRefresh *self = CAB_DIRECTORY_REFRESH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_object (&self->directory);

  G_OBJECT_CLASS (cab_directory_refresh_parent_class)->dispose (object);
}

static void
cab_directory_refresh_class_init (CabDirectoryRefreshClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_directory_refresh_dispose;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
cab_directory_refresh_init (CabDirectoryRefresh *self)
{
  self->minute_ms = 60 * 1000;
}

static void
start_sync (CabDirectoryRefresh *self)
{
  self->started_at = g_get_monotonic_time ();
  self->cancellable = g_cancellable_new ();
  cab_directory_sync_async (self->directory, NULL, self->cancellable, sync_done_cb, g_object_ref (self));
}

CabDirectoryRefresh *
cab_directory_refresh_new (CabDirectory *directory)
{
  CabDirectoryRefresh *self;

  g_return_val_if_fail (CAB_IS_DIRECTORY (directory), NULL);

  self = g_object_new (CAB_TYPE_DIRECTORY_REFRESH, NULL);
  self->directory = g_object_ref (directory);
  return self;
}

CabDirectory *
cab_directory_refresh_get_directory (CabDirectoryRefresh *self)
{
  g_return_val_if_fail (CAB_IS_DIRECTORY_REFRESH (self), NULL);

  return self->directory;
}

gboolean
cab_directory_refresh_request (CabDirectoryRefresh *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (CAB_IS_DIRECTORY_REFRESH (self), FALSE);

  /* One at a time, once an hour at most: the directory is a national
   * service shared by every practice, and its answers change slowly. After
   * a failure, its retry comes first. */
  if (self->cancellable != NULL || self->retry_id != 0)
    return FALSE;
  if (self->started_at != 0 && now - self->started_at < (gint64) CAB_DIRECTORY_REFRESH_INTERVAL_S * G_USEC_PER_SEC)
    return FALSE;

  start_sync (self);
  return TRUE;
}

void
cab_directory_refresh_cancel (CabDirectoryRefresh *self)
{
  g_return_if_fail (CAB_IS_DIRECTORY_REFRESH (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
}

guint
cab_directory_refresh_retry_delay_s (guint failures)
{
  if (failures == 0)
    return 0;
  if (failures <= G_N_ELEMENTS (retry_minutes))
    return retry_minutes[failures - 1] * 60;
  return CAB_DIRECTORY_REFRESH_INTERVAL_S;
}

guint
cab_directory_refresh_get_failures (CabDirectoryRefresh *self)
{
  g_return_val_if_fail (CAB_IS_DIRECTORY_REFRESH (self), 0);

  return self->failures;
}

void
cab_directory_refresh_set_minute_for_tests (CabDirectoryRefresh *self,
                                            guint                ms)
{
  g_return_if_fail (CAB_IS_DIRECTORY_REFRESH (self));

  self->minute_ms = MAX (ms, 1);
}
