/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* The watcher's worker owns its job (the store, the account, a cancellable)
 * and reaches the watcher only through a weak reference on the main
 * context, so the watcher may go away while a connection is still being
 * torn down. Logs carry states and counts only (principle 5). */

#include "cab-mail-watcher.h"
#include "cab-mail-account.h"
#include "cab-mail-index.h"
#include "cab-mail-send.h"
#include "cab-mail-sync.h"

#define DEFAULT_IDLE_S        (25 * 60)   /* under the 29 minutes of RFC 2177 */
#define DEFAULT_BACKOFF_MIN_S 5
#define DEFAULT_BACKOFF_MAX_S (5 * 60)
#define POLL_WITHOUT_IDLE_S   (2 * 60)
#define INDEX_ROUND           100         /* messages' PDFs indexed between two syncs */

G_DEFINE_ENUM_TYPE (CabMailWatcherState, cab_mail_watcher_state,
  G_DEFINE_ENUM_VALUE (CAB_MAIL_WATCHER_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (CAB_MAIL_WATCHER_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (CAB_MAIL_WATCHER_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (CAB_MAIL_WATCHER_OFFLINE, "offline"))

typedef struct
{
  gatomicrefcount ref;
  GWeakRef        watcher;
  GMainContext   *context;
  GCancellable   *cancellable;
  CabStore       *store;
  char           *url;
  char           *user;
  char           *ca_file;
  char           *data_dir;
  guint           idle_s;
  guint           backoff_min_s;
  guint           backoff_max_s;
  guint           index_round;
} Job;

struct _CabMailWatcher
{
  GObject             parent_instance;

  CabStore           *store;
  char               *url;
  char               *user;
  char               *ca_file;
  char               *data_dir;
  guint               idle_s;
  guint               backoff_min_s;
  guint               backoff_max_s;
  guint               index_round;

  Job                *job;          /* the running worker's, or NULL */
  CabMailWatcherState state;
  char               *error_message;
  gint64              last_synced;
};

G_DEFINE_FINAL_TYPE (CabMailWatcher, cab_mail_watcher, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, PROP_ERROR_MESSAGE, PROP_LAST_SYNCED, N_PROPS };
enum { CHANGED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static Job *
job_ref (Job *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
job_unref (Job *job)
{
  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_weak_ref_clear (&job->watcher);
  g_main_context_unref (job->context);
  g_object_unref (job->cancellable);
  g_object_unref (job->store);
  g_free (job->url);
  g_free (job->user);
  g_free (job->ca_file);
  g_free (job->data_dir);
  g_free (job);
}

/* ---------------------------------------------------------------------- */
/* Main context side                                                      */

typedef struct
{
  Job                *job;
  CabMailWatcherState state;
  char               *error_message;
  gboolean            changed;
  gint64              synced_at;
} Update;

static void
update_free (Update *u)
{
  job_unref (u->job);
  g_free (u->error_message);
  g_free (u);
}

static gboolean
apply_update (gpointer data)
{
  Update *u = data;
  g_autoptr(CabMailWatcher) self = g_weak_ref_get (&u->job->watcher);

  /* A stopped job's late news does not overwrite a newer job's state. */
  if (self == NULL || (self->job != u->job && u->state != CAB_MAIL_WATCHER_STOPPED))
    return G_SOURCE_REMOVE;
  if (u->state == CAB_MAIL_WATCHER_STOPPED && self->job != u->job && self->job != NULL)
    return G_SOURCE_REMOVE;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != u->state)
    {
      self->state = u->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->error_message, u->error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (u->error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (u->synced_at != 0)
    {
      self->last_synced = u->synced_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (u->changed)
    g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Called from the worker. */
static void
publish (Job *job, CabMailWatcherState state, const char *error_message, gboolean changed, gboolean synced)
{
  Update *u = g_new0 (Update, 1);

  u->job = job_ref (job);
  u->state = state;
  u->error_message = g_strdup (error_message);
  u->changed = changed;
  u->synced_at = synced ? g_get_real_time () / G_USEC_PER_SEC : 0;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, apply_update, u, (GDestroyNotify) update_free);
}

/* ---------------------------------------------------------------------- */
/* Worker                                                                 */

/* Sleeps @seconds unless cancelled first. */
static void
wait_cancellable (GCancellable *cancellable, guint seconds)
{
  GPollFD pfd;

  if (!g_cancellable_make_pollfd (cancellable, &pfd))
    {
      g_usleep ((gulong) seconds * G_USEC_PER_SEC);
      return;
    }
  g_poll (&pfd, 1, (gint) seconds * 1000);
  g_cancellable_release_fd (cancellable);
}

/* One connection: sync, IDLE, sync... until an error or cancellation. */
static void
watch_connection (Job *job, const CabMailSyncOptions *options, guint *backoff, GError **error)
{
  g_autoptr(CabImap) imap = cab_mail_sync_connect (options, job->cancellable, error);

  if (imap == NULL)
    return;
  for (gboolean between_rounds = FALSE;; )
    {
      CabMailSyncResult result;
      gboolean changed = FALSE;
      g_autoptr(GError) idle_error = NULL;

      /* Between two indexing rounds the mailbox is up to date and the
       * sync only looks for news: the state stays idle. */
      if (!between_rounds)
        publish (job, CAB_MAIL_WATCHER_SYNCING, NULL, FALSE, FALSE);
      if (!cab_mail_sync_folder (job->store, imap, options, &result, job->cancellable, error))
        return;
      *backoff = job->backoff_min_s;
      g_debug ("Mail watcher: %u new, %u flag changes", result.n_new, result.n_flags_changed);
      /* Read receipts among the new messages are recorded on the messages
       * sent ("Read on …" on the Outbox page, docs/architecture.md, "Read
       * receipts"). */
      if (result.n_new > 0)
        {
          g_autoptr(GError) receipts_error = NULL;

          if (cab_mail_collect_receipts (job->store, &receipts_error) < 0)
            g_warning ("Read receipts not recorded: %s", receipts_error->message);
        }
      publish (job, CAB_MAIL_WATCHER_IDLE, NULL, result.n_new > 0 || result.n_flags_changed > 0 ||
               result.n_filed_here > 0 || result.n_taken_back > 0, TRUE);

      /* The PDFs' text the sync left pending, a round at a time: while
       * some remain, sync again (cheap when nothing changed) rather than
       * IDLE, so new mail never waits for a whole mailbox's PDFs. */
      {
        guint n_indexed = 0;

        if (!cab_mail_index_pending (job->store, job->index_round, &n_indexed, job->cancellable, error))
          return;
        /* Their text is searchable now: a search shown finds them. */
        if (n_indexed > 0)
          publish (job, CAB_MAIL_WATCHER_IDLE, NULL, TRUE, FALSE);
        between_rounds = n_indexed == job->index_round;
        if (between_rounds)
          continue;
      }

      if (!cab_imap_idle (imap, job->idle_s, &changed, &idle_error))
        {
          if (!g_error_matches (idle_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
            {
              g_propagate_error (error, g_steal_pointer (&idle_error));
              return;
            }
          /* No IDLE: poll. */
          wait_cancellable (job->cancellable, MIN (job->idle_s, POLL_WITHOUT_IDLE_S));
          if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
            return;
        }
      /* A quiet IDLE that timed out syncs too: cheap, and it catches
       * anything a notification missed. */
    }
}

static gpointer
watch_thread (gpointer data)
{
  Job *job = data;
  guint backoff = job->backoff_min_s;

  while (!g_cancellable_is_cancelled (job->cancellable))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabMailAccount) account = NULL;
      CabMailAccountSpec spec = { .url = job->url, .user = job->user, .ca_file = job->ca_file };

      publish (job, CAB_MAIL_WATCHER_SYNCING, NULL, FALSE, FALSE);
      /* Read again at each connection: a password saved meanwhile is taken. */
      account = cab_mail_account_load (&spec, &error);
      if (account != NULL)
        {
          CabMailSyncOptions options = {
            .url = job->url, .user = job->user, .password = account->password,
            .token_func = account->token != NULL ? cab_mail_account_token_func : NULL,
            .token_data = account,
            .database = account->database, .data_dir = job->data_dir,
            .defer_pdf_text = TRUE,
          };

          watch_connection (job, &options, &backoff, &error);
        }
      if (g_cancellable_is_cancelled (job->cancellable))
        break;
      g_debug ("Mail watcher offline, next attempt in %u s", backoff);
      publish (job, CAB_MAIL_WATCHER_OFFLINE, error ? error->message : NULL, FALSE, FALSE);
      wait_cancellable (job->cancellable, backoff);
      backoff = MIN (backoff * 2, job->backoff_max_s);
    }
  publish (job, CAB_MAIL_WATCHER_STOPPED, NULL, FALSE, FALSE);
  job_unref (job);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
cab_mail_watcher_dispose (GObject *object)
{
  CabMailWatcher *self = CAB_MAIL_WATCHER (object);

  cab_mail_watcher_stop (self);
  G_OBJECT_CLASS (cab_mail_watcher_parent_class)->dispose (object);
}

static void
cab_mail_watcher_finalize (GObject *object)
{
  CabMailWatcher *self = CAB_MAIL_WATCHER (object);

  g_clear_object (&self->store);
  g_free (self->url);
  g_free (self->user);
  g_free (self->ca_file);
  g_free (self->data_dir);
  g_free (self->error_message);
  G_OBJECT_CLASS (cab_mail_watcher_parent_class)->finalize (object);
}

static void
cab_mail_watcher_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CabMailWatcher *self = CAB_MAIL_WATCHER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_mail_watcher_class_init (CabMailWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_mail_watcher_dispose;
  object_class->finalize = cab_mail_watcher_finalize;
  object_class->get_property = cab_mail_watcher_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CAB_TYPE_MAIL_WATCHER_STATE, CAB_MAIL_WATCHER_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* New messages were stored, flags changed or PDFs' text indexed: reload the inbox. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_mail_watcher_init (CabMailWatcher *self)
{
  self->idle_s = DEFAULT_IDLE_S;
  self->index_round = INDEX_ROUND;
  self->backoff_min_s = DEFAULT_BACKOFF_MIN_S;
  self->backoff_max_s = DEFAULT_BACKOFF_MAX_S;
}

CabMailWatcher *
cab_mail_watcher_new (CabStore   *store,
                      const char *imap_url,
                      const char *user,
                      const char *ca_file,
                      const char *data_dir)
{
  CabMailWatcher *self;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (imap_url != NULL && user != NULL && data_dir != NULL, NULL);

  self = g_object_new (CAB_TYPE_MAIL_WATCHER, NULL);
  self->store = g_object_ref (store);
  self->url = g_strdup (imap_url);
  self->user = g_strdup (user);
  self->ca_file = g_strdup (ca_file);
  self->data_dir = g_strdup (data_dir);
  return self;
}

void
cab_mail_watcher_set_timing (CabMailWatcher *self,
                             guint           idle_s,
                             guint           backoff_min_s,
                             guint           backoff_max_s)
{
  g_return_if_fail (CAB_IS_MAIL_WATCHER (self));

  self->idle_s = MAX (idle_s, 1);
  self->backoff_min_s = MAX (backoff_min_s, 1);
  self->backoff_max_s = MAX (backoff_max_s, self->backoff_min_s);
}

void
cab_mail_watcher_set_index_round (CabMailWatcher *self,
                                  guint           n_messages)
{
  g_return_if_fail (CAB_IS_MAIL_WATCHER (self));

  self->index_round = MAX (n_messages, 1);
}

void
cab_mail_watcher_start (CabMailWatcher *self)
{
  Job *job;

  g_return_if_fail (CAB_IS_MAIL_WATCHER (self));

  if (self->job != NULL)
    return;
  job = g_new0 (Job, 1);
  g_atomic_ref_count_init (&job->ref);
  g_weak_ref_init (&job->watcher, self);
  job->context = g_main_context_ref_thread_default ();
  job->cancellable = g_cancellable_new ();
  job->store = g_object_ref (self->store);
  job->url = g_strdup (self->url);
  job->user = g_strdup (self->user);
  job->ca_file = g_strdup (self->ca_file);
  job->data_dir = g_strdup (self->data_dir);
  job->idle_s = self->idle_s;
  job->index_round = self->index_round;
  job->backoff_min_s = self->backoff_min_s;
  job->backoff_max_s = self->backoff_max_s;
  self->job = job;
  g_thread_unref (g_thread_new ("cab-mail-watcher", watch_thread, job_ref (job)));
}

void
cab_mail_watcher_stop (CabMailWatcher *self)
{
  g_return_if_fail (CAB_IS_MAIL_WATCHER (self));

  if (self->job == NULL)
    return;
  g_cancellable_cancel (self->job->cancellable);
  g_clear_pointer (&self->job, job_unref);
}

CabMailWatcherState
cab_mail_watcher_get_state (CabMailWatcher *self)
{
  g_return_val_if_fail (CAB_IS_MAIL_WATCHER (self), CAB_MAIL_WATCHER_STOPPED);
  return self->state;
}

const char *
cab_mail_watcher_get_error_message (CabMailWatcher *self)
{
  g_return_val_if_fail (CAB_IS_MAIL_WATCHER (self), NULL);
  return self->error_message;
}

gint64
cab_mail_watcher_get_last_synced (CabMailWatcher *self)
{
  g_return_val_if_fail (CAB_IS_MAIL_WATCHER (self), 0);
  return self->last_synced;
}
