/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox against a real cabinet-sandbox: queued offline then drained,
 * faults and latency, a conflict and its resolution, hostile answers. Every
 * publish must land exactly once, in order per patient. */
#define G_LOG_DOMAIN "test-outbox"

#include <glib/gstdio.h>
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "test-outbox-common.h"
#include "cab-outbox-kind.h"
#include "cab-store-private.h"
#include "cab-test-log.h"

#define LOINC_CR "11488-4"

typedef struct
{
  CabTestSandbox *sandbox;
  char           *dir;
  char           *pdf;
  CabStore       *store;
  CabFhirClient  *client;
  CabOutbox      *outbox;
  GPtrArray      *patients;
} Fixture;

/* Until this thread holds the last reference to @object: a worker drops
 * its own a moment after its answer landed, later on a loaded machine; a
 * limit in time, not in turns, and a generous one. */
static void
wait_last_reference (GObject *object)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_atomic_int_get ((gint *) &object->ref_count) > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const args[] = { "--patients", "12", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  f->sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("test-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  f->pdf = outbox_test_make_pdf (f->dir);
  db = g_build_filename (f->dir, "data", "cabinet.db", NULL);
  f->store = cab_store_open (db, &error);
  g_assert_no_error (error);
  f->patients = outbox_test_import_patients (f->sandbox, f->store);
  g_assert_cmpuint (f->patients->len, >, 0);

  f->client = cab_fhir_client_new (f->sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (f->client, CAB_TEST_TOKEN);
  f->outbox = cab_outbox_new (f->store, f->client);
  cab_outbox_set_backoff (f->outbox, 50, 2000);
  cab_outbox_set_author (f->outbox, NULL, "Organization/org-practice");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A worker thread may still drop its task's reference just after the
   * callback ran on this thread. */
  wait_last_reference (G_OBJECT (f->outbox));
  g_assert_finalize_object (f->outbox);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_ptr_array_unref (f->patients);
  cab_test_sandbox_free (f->sandbox);
  outbox_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->pdf);
}

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static CabOutboxDrainResult
drain_once (CabOutbox *outbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CabOutboxDrainResult r = { 0 };

  cab_outbox_drain_async (outbox, NULL, on_drained, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cab_outbox_drain_finish (outbox, result, &r, &error));
  g_assert_no_error (error);
  return r;
}

/* Drains until nothing is pending (a drain may stop early on a burst of
 * dropped connections that looks like an outage). */
static CabOutboxDrainResult
drain_all (CabOutbox *outbox)
{
  CabOutboxDrainResult r = { 0 };

  for (guint round = 0; round < 20; round++)
    {
      r = drain_once (outbox);
      if (r.counts[CAB_OUTBOX_STATE_PENDING] + r.counts[CAB_OUTBOX_STATE_SENDING] == 0)
        break;
    }
  return r;
}

static gint64
publish (Fixture    *f,
         const char *patient_id,
         const char *title)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  g_assert_true (cab_outbox_publish_document (f->outbox, patient_id, f->pdf, LOINC_CR, title,
                                              FALSE, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
set_faults (Fixture    *f,
            const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (f->sandbox, json != NULL ? "POST" : "DELETE", "/admin/faults",
                                json, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

/* ----------------------------------------------------------------- tests */

static void
test_offline_then_online (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) dead = NULL;
  g_autoptr(CabOutbox) offline = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  CabOutboxDrainResult r;
  guint n = 500;
  guint counts[CAB_OUTBOX_N_STATES];

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("Compte rendu %u", i);
      publish (f, g_ptr_array_index (f->patients, g_random_int_range (0, f->patients->len)), title);
    }

  /* Shown at once, marked pending. */
  timeline = cab_store_list_timeline (f->store, g_ptr_array_index (f->patients, 0), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      CabDocumentRow *row = g_ptr_array_index (timeline, i);
      if (g_strcmp0 (row->origin, "local") == 0)
        {
          g_autoptr(CabOutboxEntry) e = cab_store_outbox_get_for_document (f->store, row->id, &error);
          g_assert_no_error (error);
          g_assert_nonnull (e);
          g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_PENDING);
        }
    }

  /* No server: the drain says so and nothing is lost. */
  dead = cab_fhir_client_new ("http://127.0.0.1:1/fhir", &error);
  g_assert_no_error (error);
  offline = cab_outbox_new (f->store, dead);
  cab_outbox_set_backoff (offline, 20, 200);
  r = drain_once (offline);
  g_assert_true (r.offline);
  g_assert_cmpuint (r.n_sent, ==, 0);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_PENDING], ==, n);
  g_assert_cmpuint (cab_outbox_count_pending (f->outbox), ==, n);

  /* The server is there: everything lands, once, in order per patient. */
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_DONE], ==, n);
  g_assert_true (cab_store_outbox_count (f->store, counts, &error));
  g_assert_cmpuint (counts[CAB_OUTBOX_STATE_DONE], ==, n);
  g_assert_cmpuint (outbox_test_check_exactly_once (f->sandbox, f->store, f->patients), ==, n);

  /* The local documents now carry the server's ids: no local-only left. */
  g_clear_pointer (&timeline, g_ptr_array_unref);
  timeline = cab_store_list_timeline (f->store, g_ptr_array_index (f->patients, 0), NULL, &error);
  for (guint i = 0; i < timeline->len; i++)
    g_assert_false (g_str_has_prefix (((CabDocumentRow *) g_ptr_array_index (timeline, i))->id, "local-"));
  g_assert_true (cab_store_check_integrity (f->store, &error));
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  CabOutboxDrainResult r;
  guint n = 120;

  for (guint i = 0; i < n; i++)
    publish (f, g_ptr_array_index (f->patients, i % f->patients->len), "Sous contraintes");

  /* 20 % failures: 500, 503, 429 with Retry-After, dropped connections. */
  set_faults (f, "{\"latency_ms\": 300, \"error_rate\": 0.15, \"error_statuses\": [500, 503, 429],"
                 " \"retry_after\": 1, \"drop_rate\": 0.05}");
  r = drain_all (f->outbox);
  set_faults (f, NULL);

  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_DONE], ==, n);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_FAILED], ==, 0);
  g_assert_cmpuint (outbox_test_check_exactly_once (f->sandbox, f->store, f->patients), ==, n);
}

static char *
server_document (Fixture    *f,
                 const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strconcat ("/fhir/DocumentReference/", id, NULL);
  guint status = 0;
  char *body = cab_test_sandbox_call (f->sandbox, "GET", path, NULL, &status, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  return body;
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) published = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(CabDocumentRow) row = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *put = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autofree char *after = NULL;
  JsonObject *doc;
  CabOutboxDrainResult r;
  gint64 id, vis_id = 0;
  guint status = 0;

  id = publish (f, g_ptr_array_index (f->patients, 0), "Avant masquage");
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_DONE], ==, 1);
  published = cab_store_outbox_get (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (published->server_id);

  /* The user masks it; the local copy says so at once. */
  g_assert_true (cab_outbox_set_visibility (f->outbox, published->server_id, TRUE, FALSE, FALSE,
                                            &vis_id, &error));
  g_assert_no_error (error);
  row = cab_store_get_document (f->store, published->server_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (row->document.security_labels, "MASQUE_PS"));

  /* Meanwhile someone changes the document on the server. */
  json = server_document (f, published->server_id);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  doc = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (doc, "description", "Changed on the server");
  put = json_to_string (json_parser_get_root (parser), FALSE);
  path = g_strconcat ("/fhir/DocumentReference/", published->server_id, NULL);
  body = cab_test_sandbox_call (f->sandbox, "PUT", path, put, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* The PATCH with the old If-Match meets a 412: both versions kept. */
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_CONFLICT], ==, 1);
  entry = cab_store_outbox_get (f->store, vis_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, CAB_OUTBOX_STATE_CONFLICT);
  g_assert_nonnull (entry->conflict_json);
  g_assert_nonnull (strstr (entry->conflict_json, "Changed on the server"));
  g_assert_nonnull (strstr (entry->payload, "\"masked\":true"));
  g_assert_nonnull (entry->last_error);

  /* Keep mine: sent with the new If-Match, the server shows the user's choice
   * and keeps its own change. */
  g_assert_true (cab_outbox_resolve_conflict (f->outbox, vis_id, CAB_OUTBOX_KEEP_MINE, &error));
  g_assert_no_error (error);
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_CONFLICT], ==, 0);
  g_clear_pointer (&entry, cab_outbox_entry_free);
  entry = cab_store_outbox_get (f->store, vis_id, &error);
  g_assert_cmpint (entry->state, ==, CAB_OUTBOX_STATE_DONE);
  after = server_document (f, published->server_id);
  g_assert_nonnull (strstr (after, "MASQUE_PS"));
  g_assert_nonnull (strstr (after, "Changed on the server"));

  /* A second change on top of the first; a done entry cannot be cancelled. */
  {
    gint64 again = 0;

    g_assert_true (cab_outbox_set_visibility (f->outbox, published->server_id, TRUE, FALSE, TRUE,
                                              &again, &error));
    g_assert_no_error (error);
    r = drain_all (f->outbox);
    g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_DONE], ==, 3);
    g_assert_false (cab_outbox_cancel (f->outbox, again, &error));
    g_assert_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE);
    g_clear_error (&error);
  }
}

static void
hostile_case (Fixture    *f,
              const char *faults,
              gboolean    refresh)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(CabDocumentRow) row = NULL;
  CabOutboxDrainResult r;
  const char *patient = g_ptr_array_index (f->patients, 1);
  gint64 id;

  id = publish (f, patient, "Réponse hostile");
  set_faults (f, faults);
  r = drain_all (f->outbox);
  set_faults (f, NULL);

  /* Failed cleanly, with the reason; nothing lost. */
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_FAILED], ==, 1);
  entry = cab_store_outbox_get (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, CAB_OUTBOX_STATE_FAILED);
  g_assert_nonnull (entry->last_error);
  g_assert_cmpstr (entry->last_error, !=, "");
  g_test_message ("%s -> %s", faults, entry->last_error);
  row = cab_store_get_document (f->store, entry->document_id, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (row->local_path, G_FILE_TEST_EXISTS));
  outbox_test_server_docs (f->sandbox, patient, by_key);
  g_assert_null (g_hash_table_lookup (by_key, entry->key));

  /* Fixed: retry lands it once. */
  g_assert_true (cab_outbox_retry (f->outbox, id, &error));
  g_assert_no_error (error);
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_FAILED], ==, 0);
  (void) refresh;
}

static char *
refresh_same_token (CabFhirClient *client,
                    gpointer       user_data)
{
  guint *n = user_data;

  (*n)++;
  return g_strdup (CAB_TEST_TOKEN);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  guint n_refresh = 0;

  hostile_case (f, "{\"hostile\": \"invalid-json\"}", FALSE);
  hostile_case (f, "{\"hostile\": \"outcome-200\"}", FALSE);
  hostile_case (f, "{\"hostile\": \"redirect\"}", FALSE);

  /* A 401 that a token refresh cannot fix. */
  cab_fhir_client_set_token_refresh_func (f->client, refresh_same_token, &n_refresh, NULL);
  hostile_case (f, "{\"expire_tokens\": true}", TRUE);
  g_assert_cmpuint (n_refresh, >=, 1);

  g_assert_cmpuint (outbox_test_check_exactly_once (f->sandbox, f->store, f->patients), ==, 4);
}

static void
test_hold_edit_cancel (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) held = NULL;
  g_autoptr(CabDocumentRow) row = NULL;
  CabOutboxDrainResult r;
  gint64 held_id = 0, cancelled_id;
  g_autofree char *doc = NULL;

  g_assert_true (cab_outbox_publish_document (f->outbox, g_ptr_array_index (f->patients, 2), f->pdf,
                                              LOINC_CR, "Retenu", TRUE, &held_id, &error));
  g_assert_no_error (error);
  cancelled_id = publish (f, g_ptr_array_index (f->patients, 3), "Annulé");
  g_assert_true (cab_outbox_cancel (f->outbox, cancelled_id, &error));
  g_assert_no_error (error);

  /* Not a PDF, not a known type: refused before anything is queued. */
  g_assert_false (cab_outbox_publish_document (f->outbox, g_ptr_array_index (f->patients, 2), f->dir,
                                               LOINC_CR, NULL, FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (cab_outbox_publish_document (f->outbox, g_ptr_array_index (f->patients, 2), f->pdf,
                                               "0000-0", NULL, FALSE, NULL, &error));
  g_assert_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE);
  g_clear_error (&error);

  r = drain_all (f->outbox);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_HELD], ==, 1);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_CANCELLED], ==, 1);
  g_assert_cmpuint (r.n_sent, ==, 0);

  g_assert_true (cab_outbox_edit_publish (f->outbox, held_id, "Retenu puis relu", "89601-9", &error));
  g_assert_no_error (error);
  g_assert_true (cab_outbox_release (f->outbox, held_id, &error));
  g_assert_no_error (error);
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.n_sent, ==, 1);

  held = cab_store_outbox_get (f->store, held_id, &error);
  g_assert_cmpint (held->state, ==, CAB_OUTBOX_STATE_DONE);
  doc = server_document (f, held->server_id);
  g_assert_nonnull (strstr (doc, "Retenu puis relu"));
  g_assert_nonnull (strstr (doc, "89601-9"));
  row = cab_store_get_document (f->store, held->server_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->document.title, ==, "Retenu puis relu");
}


/* ------------------------------------------------- a kind with its own send */

/* A stand-in for another transport (IMAP, SMTP): it applies an entry by
 * remembering its key, in order, and answers as the entry's payload asks. */
typedef struct
{
  GMutex     lock;
  gboolean   down;
  GPtrArray *applied;     /* keys, in the order they were applied */
  GPtrArray *refused;     /* keys answered "retry" once already */
  guint      n_sends;
  guint      n_checks;
} EchoServer;

static void
echo_server_free (gpointer data)
{
  EchoServer *server = data;

  g_mutex_clear (&server->lock);
  g_ptr_array_unref (server->applied);
  g_ptr_array_unref (server->refused);
  g_free (server);
}

static gboolean
str_in (GPtrArray  *array,
        const char *text)
{
  return g_ptr_array_find_with_equal_func (array, text, g_str_equal, NULL);
}

static void
echo_send (const CabOutboxEntry *entry,
           gint64                deadline,
           GCancellable         *cancellable,
           gpointer              user_data,
           CabOutboxSendResult  *result)
{
  EchoServer *server = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&server->lock);

  g_assert_cmpint (deadline, >, g_get_monotonic_time ());
  g_assert_nonnull (cancellable);
  g_assert_cmpint (entry->state, ==, CAB_OUTBOX_STATE_SENDING);
  server->n_sends++;
  if (server->down)
    {
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->unreachable = TRUE;
      result->message = g_strdup ("connection refused");
    }
  else if (strstr (entry->payload, "\"fail\"") != NULL)
    {
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_strdup ("NO no such mailbox");
    }
  else if (strstr (entry->payload, "\"conflict\"") != NULL)
    {
      result->status = CAB_OUTBOX_SEND_CONFLICT;
      result->conflict = g_strdup ("$CabinetHandled");
    }
  else if ((strstr (entry->payload, "\"busy\"") != NULL || strstr (entry->payload, "\"busy-1s\"") != NULL) &&
           !str_in (server->refused, entry->key))
    {
      g_ptr_array_add (server->refused, g_strdup (entry->key));
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->message = g_strdup ("NO [UNAVAILABLE] try later");
      result->retry_after_s = strstr (entry->payload, "\"busy-1s\"") != NULL ? 1 : 0;
    }
  else
    {
      g_ptr_array_add (server->applied, g_strdup (entry->key));
      result->status = CAB_OUTBOX_SEND_DONE;
      result->server_id = g_strdup_printf ("echo-%u", server->applied->len);
    }
}

static gboolean
echo_already_applied (const CabOutboxEntry *entry,
                      gint64                deadline,
                      GCancellable         *cancellable,
                      gpointer              user_data,
                      CabOutboxSendResult  *result)
{
  EchoServer *server = user_data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&server->lock);

  server->n_checks++;
  if (!str_in (server->applied, entry->key))
    return FALSE;
  result->status = CAB_OUTBOX_SEND_DONE;
  return TRUE;
}

static const CabOutboxSender echo_sender = {
  .kind = "test-echo",
  .send = echo_send,
  .already_applied = echo_already_applied,
  .timeout_s = 30,
};

static EchoServer *
add_echo_kind (CabOutbox *outbox)
{
  EchoServer *server = g_new0 (EchoServer, 1);

  g_mutex_init (&server->lock);
  server->applied = g_ptr_array_new_with_free_func (g_free);
  server->refused = g_ptr_array_new_with_free_func (g_free);
  cab_outbox_add_kind (outbox, &echo_sender, server, echo_server_free);
  g_assert_true (cab_outbox_has_kind (outbox, "test-echo"));
  return server;
}

/* Queued as another library does: inside its own transaction. */
static CabOutboxEntry *
queue_echo (Fixture    *f,
            const char *kind,
            const char *lane,
            const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *payload = g_strdup_printf ("{\"summary\": \"Echo %s\", \"mode\": \"%s\"}", mode, mode);
  CabOutboxEntry entry = {
    .kind = (char *) kind, .lane = (char *) lane, .key = key, .payload = payload,
    .state = CAB_OUTBOX_STATE_PENDING,
  };
  gint64 id = 0;

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);

    g_assert_true (cab_store_begin (writer, &error));
    g_assert_true (cab_store_outbox_insert_locked (writer, &entry, &id, &error));
    g_assert_no_error (error);
    g_assert_true (cab_store_commit (writer, &error));
  }
  cab_outbox_queued (f->outbox);
  return cab_store_outbox_get (f->store, id, &error);
}

static CabOutboxEntry *
reread (Fixture              *f,
        const CabOutboxEntry *entry)
{
  g_autoptr(GError) error = NULL;
  CabOutboxEntry *e = cab_store_outbox_get (f->store, entry->id, &error);

  g_assert_no_error (error);
  return e;
}

static guint
applied_at (EchoServer     *server,
            CabOutboxEntry *entry)
{
  guint index = G_MAXUINT;

  g_assert_true (g_ptr_array_find_with_equal_func (server->applied, entry->key, g_str_equal, &index));
  return index;
}

static void
test_own_transport (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) a1 = queue_echo (f, "test-echo", "a", "ok");
  g_autoptr(CabOutboxEntry) a2 = queue_echo (f, "test-echo", "a", "busy");
  g_autoptr(CabOutboxEntry) a3 = queue_echo (f, "test-echo", "a", "ok");
  g_autoptr(CabOutboxEntry) b1 = queue_echo (f, "test-echo", "b", "fail");
  g_autoptr(CabOutboxEntry) c1 = queue_echo (f, "test-echo", NULL, "conflict");
  g_autoptr(CabOutboxEntry) other = queue_echo (f, "test-nobody", "a", "ok");
  g_autoptr(CabOutboxEntry) e = NULL;
  g_autoptr(CabOutbox) restarted = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autofree char *title = NULL;
  EchoServer *server;
  CabOutboxDrainResult r;
  gint64 next_due = 0;
  gint64 published;

  /* Nobody registered the kind yet: nothing is touched. */
  published = publish (f, g_ptr_array_index (f->patients, 0), "Avant l'écho");
  r = drain_once (f->outbox);
  g_assert_cmpuint (r.n_sent, ==, 1);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_PENDING], ==, 6);
  e = reread (f, a1);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_PENDING);
  g_assert_cmpuint (e->attempts, ==, 0);
  g_clear_pointer (&e, cab_outbox_entry_free);
  title = cab_outbox_entry_describe (a1);
  g_assert_cmpstr (title, ==, "Echo ok");

  /* Its server away: the drain says offline, the health space's entries
   * still go, the echo entries wait with one attempt made. */
  server = add_echo_kind (f->outbox);
  server->down = TRUE;
  publish (f, g_ptr_array_index (f->patients, 1), "Pendant la panne");
  r = drain_once (f->outbox);
  g_assert_true (r.offline);
  g_assert_cmpuint (r.n_sent, ==, 1);
  g_assert_cmpuint (server->applied->len, ==, 0);
  g_assert_cmpuint (server->n_sends, >=, 1);
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_PENDING], ==, 6);

  /* Back: each lane in creation order, a temporary refusal retried, a
   * permanent one failed with the server's words, a conflict shown. */
  server->down = FALSE;
  r = drain_once (f->outbox);
  g_assert_false (r.offline);
  g_assert_cmpuint (server->applied->len, ==, 3);
  g_assert_cmpuint (applied_at (server, a1), <, applied_at (server, a2));
  g_assert_cmpuint (applied_at (server, a2), <, applied_at (server, a3));
  e = reread (f, a2);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
  g_assert_cmpuint (e->attempts, ==, 2);
  g_assert_cmpstr (e->server_id, ==, "echo-2");
  g_clear_pointer (&e, cab_outbox_entry_free);
  e = reread (f, b1);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_FAILED);
  g_assert_cmpstr (e->last_error, ==, "NO no such mailbox");
  g_clear_pointer (&e, cab_outbox_entry_free);
  e = reread (f, c1);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_CONFLICT);
  g_assert_cmpstr (e->conflict_json, ==, "$CabinetHandled");
  g_assert_nonnull (e->last_error);
  g_clear_pointer (&e, cab_outbox_entry_free);
  /* Unknown kind: still pending, never attempted, even at the head of lane "a". */
  e = reread (f, other);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_PENDING);
  g_assert_cmpuint (e->attempts, ==, 0);
  g_clear_pointer (&e, cab_outbox_entry_free);
  e = cab_store_outbox_get (f->store, published, &error);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
  g_clear_pointer (&e, cab_outbox_entry_free);

  /* A crash while sending: two entries marked sending, one of which
   * reached the server. The next process asks before sending again. */
  {
    g_autoptr(CabOutboxEntry) d1 = queue_echo (f, "test-echo", "d", "ok");
    g_autoptr(CabOutboxEntry) d2 = queue_echo (f, "test-echo", "e", "ok");
    guint n_checks = server->n_checks;
    EchoServer *second;

    claimed = cab_store_outbox_claim (f->store, "[\"test-echo\"]", g_get_real_time (), NULL, 10,
                                      &next_due, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (claimed->len, ==, 2);
    g_ptr_array_add (server->applied, g_strdup (d1->key));

    restarted = cab_outbox_new (f->store, f->client);
    second = add_echo_kind (restarted);
    g_ptr_array_add (second->applied, g_strdup (d1->key));
    r = drain_once (restarted);
    g_assert_cmpuint (second->n_checks, ==, 2);
    g_assert_cmpuint (second->applied->len, ==, 2);   /* d1 once, d2 once */
    g_assert_cmpuint (second->n_sends, ==, 1);
    e = reread (f, d1);
    g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
    g_clear_pointer (&e, cab_outbox_entry_free);
    e = reread (f, d2);
    g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
    g_assert_cmpuint (server->n_checks, ==, n_checks);
  }
  for (guint i = 0; i < 200 && G_OBJECT (restarted)->ref_count > 1; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

typedef struct
{
  Fixture        *f;
  CabOutboxEntry *entry;
  gboolean        waited;
} SlowListener;

/* A listener of "changed" that takes its time once: until the entry just
 * refused is due again. */
static void
slow_changed_cb (CabOutbox    *outbox,
                 SlowListener *slow)
{
  g_autoptr(CabOutboxEntry) e = NULL;

  if (slow->waited)
    return;
  e = reread (slow->f, slow->entry);
  if (e->state != CAB_OUTBOX_STATE_PENDING || e->failures == 0)
    return;
  slow->waited = TRUE;
  while (g_get_real_time () <= e->next_attempt_at)
    g_usleep (10000);
}

/* An entry that falls due within the horizon while the step that recorded
 * its answer ends is tried again in the same drain: the drain neither ends
 * early nor waits with nothing to wake it. Here the step's listener of
 * "changed" outlasts the server's Retry-After (one second); under load,
 * any moment between the step's timer check and the drain's settle check
 * could (CI: a drain of cabinetctl hung until its test's timeout). */
static void
test_due_during_step (Fixture       *f,
                      gconstpointer  data)
{
  EchoServer *server = add_echo_kind (f->outbox);
  g_autoptr(CabOutboxEntry) a = NULL;
  g_autoptr(CabOutboxEntry) e = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SlowListener slow = { f, NULL, FALSE };
  CabOutboxDrainResult r = { 0 };
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gulong handler;

  cab_outbox_set_drain_horizon (f->outbox, 0);
  cab_outbox_set_backoff (f->outbox, 1, 1);
  a = queue_echo (f, "test-echo", "a", "busy-1s");
  slow.entry = a;
  handler = g_signal_connect (f->outbox, "changed", G_CALLBACK (slow_changed_cb), &slow);

  cab_outbox_drain_async (f->outbox, NULL, on_drained, &result);
  while (result == NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (slow.waited);
  if (result == NULL)
    g_error ("The drain never ended: the entry due again within it woke nothing");
  g_assert_true (cab_outbox_drain_finish (f->outbox, result, &r, &error));
  g_assert_no_error (error);
  g_signal_handler_disconnect (f->outbox, handler);

  /* Refused, then sent, both in that one drain. */
  g_assert_cmpuint (server->n_sends, ==, 2);
  g_assert_cmpuint (server->applied->len, ==, 1);
  g_assert_cmpuint (r.n_attempts, ==, 2);
  g_assert_cmpuint (r.n_sent, ==, 1);
  e = reread (f, a);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
}

/* The pipes this process holds (/proc/self/fd), by inode. */
static GHashTable *
open_pipes (void)
{
  GHashTable *pipes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "pipe:"))
        g_hash_table_add (pipes, g_steal_pointer (&target));
    }
  return pipes;
}

static gboolean
only_pipes_of (GHashTable *before)
{
  g_autoptr(GHashTable) now = open_pipes ();
  GHashTableIter iter;
  gpointer pipe;

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &pipe, NULL))
    if (!g_hash_table_contains (before, pipe))
      return FALSE;
  return TRUE;
}

/* Out of file descriptors when a send would start (a real EMFILE: the
 * soft limit lowered to the lowest free descriptor during the drain): the
 * entry stays pending with a backoff and says why, nothing is sent, the
 * process goes on; with descriptors again, it is sent once. */
static void
test_out_of_fds (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CabOutboxEntry) a = queue_echo (f, "test-echo", "a", "ok");
  g_autoptr(CabOutboxEntry) e = NULL;
  g_autoptr(GArray) holes = NULL;
  g_autoptr(GHashTable) pipes = open_pipes ();
  g_autofree char *warning = NULL;
  EchoServer *server = add_echo_kind (f->outbox);
  struct rlimit saved, low;
  CabOutboxDrainResult r;
  gint64 deadline;
  guint n_warnings;
  int lowest;

  /* The connections and threads a drain uses, opened once beforehand. */
  r = drain_once (f->outbox);
  g_assert_cmpuint (r.n_sent, ==, 1);
  g_assert_cmpuint (server->applied->len, ==, 1);
  g_clear_pointer (&a, cab_outbox_entry_free);
  a = queue_echo (f, "test-echo", "a", "ok");
  /* That send's pipe is closed by its sending thread, which may run (at
   * nice 10) after the drain has returned: once closed, no descriptor is
   * freed under the limit below (two freed let the send start). */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!only_pipes_of (pipes))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }

  /* One attempt, not the drain waiting for the next (it would fail too);
   * a backoff of a minute, so that the next is not due before the drain
   * ends (a jittered 50 ms was, at times, on a loaded machine). */
  cab_outbox_set_drain_horizon (f->outbox, 0);
  cab_outbox_set_backoff (f->outbox, 60000, 60000);
  lowest = dup (0);
  g_assert_cmpint (lowest, >=, 0);
  close (lowest);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = (rlim_t) lowest;
  cab_test_log_expect_warnings (TRUE);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  /* A descriptor another thread closed since (the sandbox's, GLib's
   * workers) would leave a hole under the limit: filled, so nothing opens. */
  holes = g_array_new (FALSE, FALSE, sizeof (int));
  for (int fd; holes->len < 1024 && (fd = dup (0)) >= 0;)
    g_array_append_val (holes, fd);
  g_assert_cmpint (errno, ==, EMFILE);
  r = drain_once (f->outbox);
  for (guint i = 0; i < holes->len; i++)
    close (g_array_index (holes, int, i));
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  cab_test_log_expect_warnings (FALSE);
  n_warnings = cab_test_log_get_n_warnings ();
  warning = cab_test_log_dup_last_warning ();
  g_assert_cmpuint (r.n_sent, ==, 0);
  g_assert_cmpuint (server->n_sends, ==, 1);
  e = reread (f, a);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_PENDING);
  g_assert_cmpint (e->next_attempt_at, >, 0);
  g_assert_nonnull (strstr (e->last_error, "Could not start sending"));
  /* A warning each attempt, and nothing else: one attempt, unless the
   * jitter drew its next within the drain (not likely in a minute). */
  g_assert_cmpuint (n_warnings, >=, 1);
  g_assert_cmpuint (e->failures, ==, n_warnings);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "Cannot start a send"));
  g_clear_pointer (&e, cab_outbox_entry_free);

  /* Descriptors again: tried now, sent once. */
  g_assert_true (cab_outbox_retry (f->outbox, a->id, NULL));
  r = drain_all (f->outbox);
  g_assert_cmpuint (r.n_sent, ==, 1);
  g_assert_cmpuint (server->applied->len, ==, 2);
  e = reread (f, a);
  g_assert_cmpint (e->state, ==, CAB_OUTBOX_STATE_DONE);
}

int
main (int    argc,
      char **argv)
{
  cab_test_log_init ();
  /* No G_TEST_OPTION_ISOLATE_DIRS: every test works in its own temporary
   * directory already, and GLib keeps each replaced set of user dirs alive on
   * purpose, which LeakSanitizer reports without a usable stack. */
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/outbox/offline-then-online", Fixture, NULL, fixture_setup, test_offline_then_online, fixture_teardown);
  g_test_add ("/outbox/faults", Fixture, NULL, fixture_setup, test_faults, fixture_teardown);
  g_test_add ("/outbox/conflict", Fixture, NULL, fixture_setup, test_conflict, fixture_teardown);
  g_test_add ("/outbox/hostile", Fixture, NULL, fixture_setup, test_hostile, fixture_teardown);
  g_test_add ("/outbox/own-transport", Fixture, NULL, fixture_setup, test_own_transport, fixture_teardown);
  g_test_add ("/outbox/hold-edit-cancel", Fixture, NULL, fixture_setup, test_hold_edit_cancel, fixture_teardown);
  g_test_add ("/outbox/out-of-fds", Fixture, NULL, fixture_setup, test_out_of_fds, fixture_teardown);
  g_test_add ("/outbox/due-during-step", Fixture, NULL, fixture_setup, test_due_during_step, fixture_teardown);

  return g_test_run ();
}
