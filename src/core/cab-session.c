/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-session"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "cab-core-enums.h"
#include "cab-outbox.h"
#include "cab-query.h"
#include "cab-session.h"

/* sync_state keys: who the token acts as (written by sign-in when it knows)
 * and the practice's name, kept for offline starts. */
#define STATE_OPERATOR_NAME "operator-name"
#define STATE_PRACTICE_NAME "practice-name"

struct _CabSession
{
  GObject           parent_instance;

  CabConfig        *config;
  CabSessionFlags   flags;
  CabSessionStatus  status;
  GCancellable     *cancellable;

  CabStore         *store;
  CabFhirClient    *client;
  CabSync          *sync;
  CabOutbox        *outbox;
  CabPrefetch      *prefetch;

  GError           *error;
  GError           *open_error;       /* why the store could not be opened */
  GError           *config_error;     /* why the configuration check failed */
  GPtrArray        *open_waiters;     /* GTasks of cab_session_open_async () */
  char             *operator_name;    /* the practitioner, when known */
  char             *practice_name;
  char             *server_host;
  gint64            patient_count;
  guint             progress_done;
  guint             progress_total;
  guint             n_syncs;

  guint             started : 1;
  guint             opening : 1;          /* the store is being opened */
  guint             opened : 1;           /* the store opening is over, well or not */
  guint             sync_pending : 1;     /* asked before the store was open */
  guint             counting : 1;         /* a count query is in flight */
  guint             count_dirty : 1;      /* the store changed since it started */
  guint             finish_pending : 1;   /* emit sync-finished after the count */
  guint             last_run_ok : 1;
  guint             outbox_has_client : 1;
};

G_DEFINE_FINAL_TYPE (CabSession, cab_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_SYNC_STATE,
  PROP_LAST_SYNC,
  PROP_PATIENT_COUNT,
  PROP_PROGRESS_DONE,
  PROP_PROGRESS_TOTAL,
  PROP_ERROR,
  PROP_OPERATOR,
  PROP_STORE,
  PROP_OUTBOX,
  PROP_PREFETCH,
  N_PROPS
};

enum {
  SYNC_FINISHED,
  MAIL_CONFIG_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];

static void
cab_session_copy_mail_config (CabConfig       *to,
                              const CabConfig *from)
{
  g_free (to->imap_url);
  to->imap_url = g_strdup (from->imap_url);
  g_free (to->smtp_url);
  to->smtp_url = g_strdup (from->smtp_url);
  g_free (to->mail_user);
  to->mail_user = g_strdup (from->mail_user);
  g_free (to->practitioner);
  to->practitioner = g_strdup (from->practitioner);
}
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static gboolean
is_set (const char *s)
{
  return s != NULL && s[0] != '\0';
}

static void
set_status (CabSession       *self,
            CabSessionStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_error (CabSession   *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_progress (CabSession *self,
              guint       done,
              guint       total)
{
  if (self->progress_done == done && self->progress_total == total)
    return;
  self->progress_done = done;
  self->progress_total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_DONE]);
}

/* ---------------------------------------------------------------------- */
/* patient count, on a worker thread                                      */

static void refresh_count (CabSession *self);

static void
count_query (GTask        *task,
             CabStore     *store,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_int (task, cab_store_count_patients (store));
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize count;

  self->counting = FALSE;
  count = g_task_propagate_int (G_TASK (result), &error);

  if (error == NULL && count != self->patient_count)
    {
      self->patient_count = count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_COUNT]);
    }

  if (self->count_dirty && !g_cancellable_is_cancelled (self->cancellable))
    {
      refresh_count (self);
      return;
    }

  if (self->finish_pending)
    {
      self->finish_pending = FALSE;
      g_signal_emit (self, signals[SYNC_FINISHED], 0, (gboolean) self->last_run_ok);
    }
}

/* Coalesced: while a count runs, further requests make one more run after it. */
static void
refresh_count (CabSession *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL)
    return;

  if (self->counting)
    {
      self->count_dirty = TRUE;
      return;
    }

  self->counting = TRUE;
  self->count_dirty = FALSE;

  task = g_task_new (NULL, self->cancellable, count_cb, g_object_ref (self));
  g_task_set_source_tag (task, refresh_count);
  cab_query_run (task, self->store, count_query);
}

/* ---------------------------------------------------------------------- */
/* who is working                                                         */

static void
set_names (CabSession *self,
           const char *operator_name,
           const char *practice_name)
{
  const char *before = cab_session_get_operator (self);
  g_autofree char *old = g_strdup (before);

  if (operator_name != NULL && operator_name[0] != '\0')
    {
      g_free (self->operator_name);
      self->operator_name = g_strdup (operator_name);
    }
  if (practice_name != NULL && practice_name[0] != '\0')
    {
      g_free (self->practice_name);
      self->practice_name = g_strdup (practice_name);
    }

  if (g_strcmp0 (old, cab_session_get_operator (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPERATOR]);
}

/* Either name may be unset: not a NULL-terminated vector (g_strfreev would
 * stop at an unset operator and leak the practice's name). */
typedef struct
{
  char *operator_name;
  char *practice_name;
} StoredNames;

static void
stored_names_free (StoredNames *names)
{
  g_free (names->operator_name);
  g_free (names->practice_name);
  g_free (names);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoredNames, stored_names_free)

static void
read_names_query (GTask        *task,
                  CabStore     *store,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StoredNames *names = g_new0 (StoredNames, 1);

  names->operator_name = cab_store_get_state (store, STATE_OPERATOR_NAME);
  names->practice_name = cab_store_get_state (store, STATE_PRACTICE_NAME);
  g_task_return_pointer (task, names, (GDestroyNotify) stored_names_free);
}

static void
read_names_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(StoredNames) names = g_task_propagate_pointer (G_TASK (result), NULL);

  if (names != NULL)
    set_names (self, names->operator_name, names->practice_name);
}

static void
save_practice_name_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  CabStore *store = g_object_get_data (G_OBJECT (task), "store");
  g_autoptr(GError) error = NULL;

  if (!cab_store_set_state (store, STATE_PRACTICE_NAME, task_data, &error))
    g_debug ("Cannot keep the practice name: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
practice_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  JsonObject *organization;
  const char *name;

  response = cab_fhir_client_request_finish (CAB_FHIR_CLIENT (object), result, &error);
  if (response == NULL || response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    return;

  organization = json_node_get_object (response->json);
  name = json_object_get_string_member_with_default (organization, "name", NULL);
  if (name == NULL || name[0] == '\0' || g_strcmp0 (name, self->practice_name) == 0)
    return;

  set_names (self, NULL, name);

  task = g_task_new (NULL, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, practice_read_cb);
  g_object_set_data_full (G_OBJECT (task), "store", g_object_ref (self->store), g_object_unref);
  g_task_set_task_data (task, g_strdup (name), g_free);
  g_task_run_in_thread (task, save_practice_name_thread);
}

/* The practice's name from the server: small, read once per start. */
static void
fetch_practice_name (CabSession *self)
{
  g_autofree char *id = cab_fhir_reference_id (self->config->practice);

  if (id == NULL || id[0] == '\0')
    return;

  cab_fhir_client_read_async (self->client, "Organization", id, self->cancellable,
                              practice_read_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* sync                                                                   */

static void
sync_progress_cb (CabSync    *sync,
                  guint       done,
                  guint       total,
                  CabSession *self)
{
  set_progress (self, done, total);
  /* The window's figure; cabinetctl's sync needs none. */
  if (!(self->flags & CAB_SESSION_FLAGS_MANUAL))
    refresh_count (self);
}

static void
sync_state_cb (CabSync    *sync,
               GParamSpec *pspec,
               CabSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STATE]);
}

static void
sync_last_sync_cb (CabSync    *sync,
                   GParamSpec *pspec,
                   CabSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
}

/* sync-finished waits for the count, so listeners see the final figure. */
static void
finish_run (CabSession *self)
{
  self->finish_pending = TRUE;
  refresh_count (self);
}

/* The sync keeps patients but not their médecin traitant's Practitioner
 * resource, which the patient header names: fetch the missing ones after
 * each run (a few requests at most, skipped once they are all stored). */
#define PRACTITIONERS_PER_REQUEST 50

static void
missing_practitioners_query (GTask        *task,
                             CabStore     *store,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  rows = cab_store_search_patients (store, NULL, 0, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      const CabPatientRow *row = g_ptr_array_index (rows, i);
      g_autofree char *id = NULL;
      g_autofree char *json = NULL;

      if (row->patient.gp_reference == NULL || !g_str_has_prefix (row->patient.gp_reference, "Practitioner/"))
        continue;
      id = cab_fhir_reference_id (row->patient.gp_reference);
      if (id == NULL || id[0] == '\0' || strchr (id, ',') != NULL || g_hash_table_contains (seen, id))
        continue;
      g_hash_table_add (seen, g_strdup (id));

      json = cab_store_get_resource_json (store, "Practitioner", id, NULL);
      if (json == NULL)
        g_ptr_array_add (ids, g_steal_pointer (&id));
    }

  g_task_return_pointer (task, g_steal_pointer (&ids), (GDestroyNotify) g_ptr_array_unref);
}

static void
put_practitioners_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  CabStore *store = g_object_get_data (G_OBJECT (task), "store");
  CabFhirPage *page = task_data;
  GError *error = NULL;

  if (!cab_store_put_records (store, page->records, NULL, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
put_practitioners_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Cannot store practitioners: %s", error->message);
    }
  finish_run (self);
}

static void
practitioners_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(CabFhirPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  page = cab_fhir_client_search_finish (CAB_FHIR_CLIENT (object), result, &error);
  if (page == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Only the header's médecin traitant line misses it: not a failed sync. */
      g_debug ("Cannot read practitioners: %s", error->message);
      finish_run (self);
      return;
    }

  task = g_task_new (NULL, self->cancellable, put_practitioners_cb, g_object_ref (self));
  g_task_set_source_tag (task, practitioners_cb);
  g_object_set_data_full (G_OBJECT (task), "store", g_object_ref (self->store), g_object_unref);
  g_task_set_task_data (task, g_steal_pointer (&page), (GDestroyNotify) cab_fhir_page_free);
  g_task_run_in_thread (task, put_practitioners_thread);
}

static void
missing_practitioners_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) query = NULL;

  ids = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ids == NULL || ids->len == 0 || self->client == NULL)
    {
      finish_run (self);
      return;
    }

  /* One page: a practice has a handful of médecins traitants. */
  query = g_string_new ("Practitioner?_id=");
  for (guint i = 0; i < ids->len && i < PRACTITIONERS_PER_REQUEST; i++)
    {
      g_autofree char *escaped = g_uri_escape_string (g_ptr_array_index (ids, i), NULL, FALSE);

      if (i > 0)
        g_string_append_c (query, ',');
      g_string_append (query, escaped);
    }
  g_string_append_printf (query, "&_count=%u", PRACTITIONERS_PER_REQUEST);

  cab_fhir_client_search_async (self->client, query->str, self->cancellable,
                                practitioners_cb, g_object_ref (self));
}

static void
fetch_practitioners (CabSession *self)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, self->cancellable, missing_practitioners_cb, g_object_ref (self));
  g_task_set_source_tag (task, fetch_practitioners);
  cab_query_run (task, self->store, missing_practitioners_query);
}

static void
start_prefetch (CabSession *self)
{
  if (self->prefetch != NULL && !(self->flags & CAB_SESSION_FLAGS_MANUAL))
    cab_prefetch_start (self->prefetch);
}

static void
sync_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(GError) error = NULL;
  CabSyncStats stats = { 0 };

  self->last_run_ok = cab_sync_run_finish (CAB_SYNC (object), result, &stats, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    g_debug ("Sync failed: %s", error->message);
  else
    g_debug ("Sync done: %u patients, %u resources, %u requests",
             stats.n_patients, stats.n_resources, stats.n_requests);

  self->n_syncs++;
  set_error (self, error);
  set_progress (self, 0, 0);

  /* The server answered: entries waiting for it may go now. */
  if (self->last_run_ok && self->outbox != NULL)
    cab_outbox_notify_online (self->outbox);

  /* Documents' contents after the metadata, in the background. */
  if (self->last_run_ok)
    start_prefetch (self);

  if (self->last_run_ok)
    fetch_practitioners (self);
  else
    finish_run (self);
}

static void
start_sync (CabSession *self)
{
  g_assert (self->sync != NULL);

  cab_sync_run_async (self->sync, NULL, self->cancellable,
                      sync_run_cb, g_object_ref (self));
  /* The state goes to RUNNING inside run_async; make sure listeners hear it. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STATE]);
}

/* ---------------------------------------------------------------------- */
/* assembly: config -> store -> client -> sync -> outbox                  */

/* Creates whatever part has what it needs: the outbox once the store is
 * open (queue only until there is a client), the sync once the store and
 * the client are both there. The one place these are put together, for the
 * window and for cabinetctl alike. */
static void
assemble (CabSession *self)
{
  if (self->store == NULL)
    return;

  if (self->outbox == NULL)
    {
      self->outbox = cab_outbox_new (self->store, self->client);
      /* Documents we publish are kept by the practice; their author stays the
       * patient's médecin traitant until the user signs in (a later issue). */
      if (is_set (self->config->practice))
        cab_outbox_set_author (self->outbox, NULL, self->config->practice);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTBOX]);
    }
  else if (self->client != NULL && !self->outbox_has_client)
    cab_outbox_set_client (self->outbox, self->client);
  self->outbox_has_client = self->client != NULL;

  if (self->client != NULL && self->sync == NULL)
    {
      /* A sync without a practice still refreshes single patients. */
      self->sync = cab_sync_new (self->client, self->store,
                                 is_set (self->config->practice) ? self->config->practice : "");

      g_signal_connect_object (self->sync, "progress",
                               G_CALLBACK (sync_progress_cb), self, 0);
      g_signal_connect_object (self->sync, "notify::state",
                               G_CALLBACK (sync_state_cb), self, 0);
      g_signal_connect_object (self->sync, "notify::last-sync",
                               G_CALLBACK (sync_last_sync_cb), self, 0);
    }

  if (self->sync != NULL && self->prefetch == NULL)
    {
      g_autofree char *data_dir = cab_session_dup_data_dir (self);

      self->prefetch = cab_prefetch_new (self->store, self->client, self->sync, data_dir);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFETCH]);
    }
}

/* The window's way: once the store is open, connect when configured, drain
 * in the background, fill the header and run a first sync. */
static void
start_automatic (CabSession *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  /* Local first: show what the store holds before the network answers. */
  refresh_count (self);
  task = g_task_new (NULL, self->cancellable, read_names_cb, g_object_ref (self));
  g_task_set_source_tag (task, read_names_query);
  cab_query_run (task, self->store, read_names_query);

  /* Kinds with their own transport (mail) go without the health space;
   * the health space's entries wait for its client. */
  cab_outbox_start (self->outbox);

  if (!is_set (self->config->server_url) || !is_set (self->config->practice))
    {
      /* Queue only: actions are kept until a server is configured. */
      set_status (self, CAB_SESSION_STATUS_UNCONFIGURED);
      return;
    }

  if (!cab_session_connect (self, &error))
    {
      set_error (self, error);
      set_status (self, CAB_SESSION_STATUS_BROKEN);
      return;
    }

  set_status (self, CAB_SESSION_STATUS_READY);
  fetch_practice_name (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STATE]);

  if (self->sync_pending)
    {
      self->sync_pending = FALSE;
      start_sync (self);
    }
}

/* ---------------------------------------------------------------------- */
/* opening the store, on a worker thread                                  */

/* What the opening worker needs. The window's session also checks its
 * configuration there (the keyring is a D-Bus round trip, the CA file a
 * read), on a copy the main thread takes back when the opening ends. */
typedef struct
{
  char      *path;
  CabConfig *config;         /* a copy to check, or NULL */
  GError    *config_error;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->config, cab_config_free);
  g_clear_error (&data->config_error);
  g_free (data);
}

static void
open_store_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenData *data = task_data;
  const char *path = data->path;
  g_autofree char *dir = g_path_get_dirname (path);
  CabStore *store;
  GError *error = NULL;

  /* The store holds health data: its directory is private to the user. */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }

  store = cab_store_open (path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->config != NULL)
    cab_config_check (data->config, &data->config_error);
  g_task_return_pointer (task, store, g_object_unref);
}

static void
complete_open_waiters (CabSession *self)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->open_waiters);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (self->store != NULL)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_error_copy (self->open_error));
    }
}

static void
open_store_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CabSession) self = user_data;
  g_autoptr(GError) error = NULL;
  OpenData *data = g_task_get_task_data (G_TASK (result));

  self->store = g_task_propagate_pointer (G_TASK (result), &error);
  self->opening = FALSE;
  self->opened = TRUE;

  /* The checked configuration (token bound, CA file made absolute) is the
   * session's from now on; cab_session_connect() reports its error. */
  if (self->store != NULL && data->config != NULL)
    {
      if (data->config_error != NULL)
        self->config_error = g_steal_pointer (&data->config_error);
      else
        {
          /* The mail account may have changed while the store opened. */
          cab_session_copy_mail_config (data->config, self->config);
          cab_config_free (self->config);
          self->config = g_steal_pointer (&data->config);
        }
    }

  if (self->store == NULL)
    {
      self->open_error = g_error_copy (error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* cabinetctl says it itself, in its own words. */
          if (self->flags & CAB_SESSION_FLAGS_MANUAL)
            g_debug ("Could not open the local store: %s", error->message);
          else
            g_warning ("Could not open the local store: %s", error->message);
          set_error (self, error);
          set_status (self, CAB_SESSION_STATUS_BROKEN);
        }
      complete_open_waiters (self);
      return;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  assemble (self);
  if (!(self->flags & CAB_SESSION_FLAGS_MANUAL))
    start_automatic (self);
  else
    set_status (self, is_set (self->config->server_url) && is_set (self->config->practice)
                      ? CAB_SESSION_STATUS_READY : CAB_SESSION_STATUS_UNCONFIGURED);
  complete_open_waiters (self);
}

static void
open_store (CabSession *self)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  if (self->opening || self->opened)
    return;
  self->opening = TRUE;

  data = g_new0 (OpenData, 1);
  data->path = cab_config_store_path (self->config);
  if (!(self->flags & CAB_SESSION_FLAGS_MANUAL) &&
      is_set (self->config->server_url) && is_set (self->config->practice))
    data->config = cab_config_copy (self->config);

  task = g_task_new (NULL, self->cancellable, open_store_cb, g_object_ref (self));
  g_task_set_source_tag (task, open_store);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_store_thread);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_session_dispose (GObject *object)
{
  CabSession *self = (CabSession *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  if (self->prefetch != NULL)
    cab_prefetch_stop (self->prefetch);
  g_clear_object (&self->prefetch);
  g_clear_object (&self->sync);
  if (self->outbox != NULL)
    cab_outbox_stop (self->outbox);
  g_clear_object (&self->outbox);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_session_parent_class)->dispose (object);
}

static void
cab_session_finalize (GObject *object)
{
  CabSession *self = (CabSession *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, cab_config_free);
  g_clear_error (&self->error);
  g_clear_error (&self->open_error);
  g_clear_error (&self->config_error);
  g_clear_pointer (&self->open_waiters, g_ptr_array_unref);
  g_free (self->operator_name);
  g_free (self->practice_name);
  g_free (self->server_host);

  G_OBJECT_CLASS (cab_session_parent_class)->finalize (object);
}

static void
cab_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CabSession *self = CAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_SYNC_STATE:
      g_value_set_enum (value, cab_session_get_sync_state (self));
      break;
    case PROP_LAST_SYNC:
      g_value_set_string (value, cab_session_get_last_sync (self));
      break;
    case PROP_PATIENT_COUNT:
      g_value_set_int64 (value, self->patient_count);
      break;
    case PROP_PROGRESS_DONE:
      g_value_set_uint (value, self->progress_done);
      break;
    case PROP_PROGRESS_TOTAL:
      g_value_set_uint (value, self->progress_total);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_OPERATOR:
      g_value_set_string (value, cab_session_get_operator (self));
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;
    case PROP_PREFETCH:
      g_value_set_object (value, self->prefetch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_session_class_init (CabSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_session_dispose;
  object_class->finalize = cab_session_finalize;
  object_class->get_property = cab_session_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       CAB_TYPE_SESSION_STATUS, CAB_SESSION_STATUS_OPENING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNC_STATE] =
    g_param_spec_enum ("sync-state", NULL, NULL,
                       CAB_TYPE_SYNC_STATE, CAB_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC] =
    g_param_spec_string ("last-sync", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_COUNT] =
    g_param_spec_int64 ("patient-count", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_DONE] =
    g_param_spec_uint ("progress-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_TOTAL] =
    g_param_spec_uint ("progress-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_OPERATOR] =
    g_param_spec_string ("operator", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* NULL until the store is open: widgets bind to these instead of
   * following "status". */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL, CAB_TYPE_OUTBOX,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* NULL until the store and the client are both there. */
  properties[PROP_PREFETCH] =
    g_param_spec_object ("prefetch", NULL, NULL, CAB_TYPE_PREFETCH,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SYNC_FINISHED] =
    g_signal_new ("sync-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[MAIL_CONFIG_CHANGED] =
    g_signal_new ("mail-config-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cab_session_init (CabSession *self)
{
  self->status = CAB_SESSION_STATUS_OPENING;
  self->cancellable = g_cancellable_new ();
  self->patient_count = -1;
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabSession *
cab_session_new (const CabConfig *config)
{
  return cab_session_new_full (config, CAB_SESSION_FLAGS_NONE);
}

CabSession *
cab_session_new_full (const CabConfig *config,
                      CabSessionFlags  flags)
{
  CabSession *self = g_object_new (CAB_TYPE_SESSION, NULL);

  self->flags = flags;
  self->config = cab_config_copy (config);
  if (is_set (self->config->server_url))
    {
      g_autoptr(GUri) uri = g_uri_parse (self->config->server_url, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL && g_uri_get_host (uri) != NULL)
        self->server_host = g_strdup (g_uri_get_host (uri));
    }

  return self;
}

const CabConfig *
cab_session_get_config (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->config;
}

void
cab_session_set_mail_config (CabSession      *self,
                             const CabConfig *config)
{
  g_return_if_fail (CAB_IS_SESSION (self));
  g_return_if_fail (config != NULL);

  cab_session_copy_mail_config (self->config, config);
  g_signal_emit (self, signals[MAIL_CONFIG_CHANGED], 0);
}

CabSessionFlags
cab_session_get_flags (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), CAB_SESSION_FLAGS_NONE);

  return self->flags;
}

CabSessionStatus
cab_session_get_status (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), CAB_SESSION_STATUS_BROKEN);

  return self->status;
}

void
cab_session_start (CabSession *self)
{
  g_return_if_fail (CAB_IS_SESSION (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->sync_pending = !(self->flags & CAB_SESSION_FLAGS_MANUAL);

  open_store (self);
}

void
cab_session_open_async (CabSession          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_session_open_async);

  if (self->store != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->opened)
    {
      g_task_return_error (task, g_error_copy (self->open_error));
      return;
    }

  if (self->open_waiters == NULL)
    self->open_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->open_waiters, g_steal_pointer (&task));
  open_store (self);
}

gboolean
cab_session_open_finish (CabSession    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cab_session_connect (CabSession  *self,
                     GError     **error)
{
  g_autoptr(CabFhirClient) client = NULL;

  g_return_val_if_fail (CAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->client != NULL)
    return TRUE;

  if (!is_set (self->config->server_url))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           "No health space is configured");
      return FALSE;
    }

  /* The token goes only to the server it was saved for; the CA file is
   * checked (and made absolute) before the first connection: by the
   * opening worker for the window, at start-up for cabinetctl (a checked
   * configuration is not checked again). */
  if (self->config_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->config_error));
      return FALSE;
    }
  if (!cab_config_check (self->config, error))
    return FALSE;

  client = cab_fhir_client_new (self->config->server_url, error);
  if (client == NULL)
    return FALSE;

  if (is_set (self->config->token))
    cab_fhir_client_set_token (client, self->config->token);

  if (is_set (self->config->ca_file) &&
      !cab_fhir_client_set_ca_file (client, self->config->ca_file, error))
    return FALSE;

  self->client = g_steal_pointer (&client);
  assemble (self);

  return TRUE;
}

void
cab_session_sync (CabSession *self)
{
  g_return_if_fail (CAB_IS_SESSION (self));

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (self->sync != NULL)
    start_sync (self);
  else if (self->status == CAB_SESSION_STATUS_OPENING)
    self->sync_pending = TRUE;
}

void
cab_session_shutdown (CabSession *self)
{
  g_return_if_fail (CAB_IS_SESSION (self));

  g_cancellable_cancel (self->cancellable);
  if (self->outbox != NULL)
    cab_outbox_stop (self->outbox);
  if (self->prefetch != NULL)
    cab_prefetch_stop (self->prefetch);
}

CabStore *
cab_session_get_store (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->store;
}

CabFhirClient *
cab_session_get_client (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->client;
}

CabPrefetch *
cab_session_get_prefetch (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->prefetch;
}

CabSync *
cab_session_get_sync (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->sync;
}

CabOutbox *
cab_session_get_outbox (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->outbox;
}

CabSyncState
cab_session_get_sync_state (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), CAB_SYNC_STATE_IDLE);

  return self->sync != NULL ? cab_sync_get_state (self->sync) : CAB_SYNC_STATE_IDLE;
}

const char *
cab_session_get_last_sync (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->sync != NULL ? cab_sync_get_last_sync (self->sync) : NULL;
}

gint64
cab_session_get_patient_count (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), -1);

  return self->patient_count;
}

void
cab_session_get_progress (CabSession *self,
                          guint      *done,
                          guint      *total)
{
  g_return_if_fail (CAB_IS_SESSION (self));

  if (done != NULL)
    *done = self->progress_done;
  if (total != NULL)
    *total = self->progress_total;
}

const GError *
cab_session_get_error (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->error;
}

guint
cab_session_get_n_syncs (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), 0);

  return self->n_syncs;
}

char *
cab_session_dup_data_dir (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  if (is_set (self->config->data_dir))
    return g_strdup (self->config->data_dir);
  if (self->store != NULL)
    return g_path_get_dirname (cab_store_get_path (self->store));
  return g_build_filename (g_get_user_data_dir (), "cabinet", NULL);
}

const char *
cab_session_get_operator (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  if (self->operator_name != NULL)
    return self->operator_name;
  if (self->practice_name != NULL)
    return self->practice_name;
  return self->server_host;
}

const char *
cab_session_get_practice_name (CabSession *self)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), NULL);

  return self->practice_name;
}

/* ---------------------------------------------------------------------- */
/* refreshing one patient                                                 */

static void
refresh_patient_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!cab_sync_run_finish (CAB_SYNC (object), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The patient may be new to the store, and so may their documents. */
  refresh_count (self);
  start_prefetch (self);
  g_task_return_boolean (task, TRUE);
}

void
cab_session_refresh_patient_async (CabSession          *self,
                                   const char          *patient_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_SESSION (self));
  g_return_if_fail (patient_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_session_refresh_patient_async);

  if (self->sync == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "No health space to refresh from");
      return;
    }

  /* A running sync is joined: the patient goes first in its queue. */
  cab_sync_prioritize_patient (self->sync, patient_id);
  cab_sync_run_async (self->sync, patient_id, cancellable,
                      refresh_patient_cb, g_steal_pointer (&task));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STATE]);
}

gboolean
cab_session_refresh_patient_finish (CabSession    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
