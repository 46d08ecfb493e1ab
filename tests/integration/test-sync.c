/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CabSync against a real cabinet-sandbox: full and incremental runs, faults,
 * TLS, blocked patients. */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>
#include <glib/gstdio.h>

#include "cab-sync.h"
#include "cab-test-sandbox.h"

#define PRACTICE "Organization/org-practice"
#define CHUNK 40

static const char * const clinical_types[] = {
  "Condition", "Observation", "DocumentReference", "MedicationRequest",
};

typedef struct
{
  CabTestSandbox *sandbox;
  char           *dir;
  CabStore       *store;
  CabFhirClient  *client;
  CabSync        *sync;
} Env;

static void
env_free (Env *env)
{
  g_clear_object (&env->sync);
  g_clear_object (&env->client);
  g_clear_object (&env->store);
  if (env->dir != NULL)
    {
      g_autofree char *db = g_build_filename (env->dir, "cabinet.db", NULL);
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);

      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (env->dir);
      g_free (env->dir);
    }
  g_clear_pointer (&env->sandbox, cab_test_sandbox_free);
  g_free (env);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Env, env_free)

static Env *
env_new (const char * const *sandbox_args,
         gboolean            tls)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Env *env = g_new0 (Env, 1);

  env->sandbox = cab_test_sandbox_start (sandbox_args, tls, &error);
  g_assert_no_error (error);

  env->dir = g_dir_make_tmp ("test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (env->dir, "cabinet.db", NULL);
  env->store = cab_store_open (path, &error);
  g_assert_no_error (error);

  env->client = cab_fhir_client_new (env->sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (env->client, CAB_TEST_TOKEN);
  if (tls)
    {
      cab_fhir_client_set_ca_file (env->client, env->sandbox->ca_file, &error);
      g_assert_no_error (error);
    }

  env->sync = cab_sync_new (env->client, env->store, PRACTICE);
  return env;
}

/* ----------------------------------------------------------------- helpers */

typedef struct
{
  gboolean      done;
  gboolean      ok;
  CabSyncStats  stats;
  GError       *error;
} RunResult;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunResult *res = user_data;

  res->ok = cab_sync_run_finish (CAB_SYNC (object), result, &res->stats, &res->error);
  res->done = TRUE;
}

static gboolean
run_sync (CabSync       *sync,
          const char    *patient_id,
          CabSyncStats  *stats,
          GError       **error)
{
  RunResult res = { 0 };

  cab_sync_run_async (sync, patient_id, NULL, run_cb, &res);
  while (!res.done)
    g_main_context_iteration (NULL, TRUE);

  if (stats != NULL)
    *stats = res.stats;
  if (res.error != NULL)
    g_propagate_error (error, res.error);
  return res.ok;
}

static JsonNode *
sandbox_get_json (CabTestSandbox *sandbox,
                  const char     *path,
                  guint          *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint code = 0;
  JsonNode *node;

  body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &code, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = code;
  else
    g_assert_cmpuint (code, ==, 200);

  node = json_from_string (body, &error);
  g_assert_no_error (error);
  return node;
}

static gint64
sandbox_count (CabTestSandbox *sandbox,
               const char     *query)
{
  g_autofree char *path = g_strdup_printf ("/fhir/%s&_summary=count", query);
  g_autoptr(JsonNode) node = sandbox_get_json (sandbox, path, NULL);

  return json_object_get_int_member (json_node_get_object (node), "total");
}

static guint
store_count (CabStore   *store,
             const char *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = cab_store_count_by_type (store, &error);

  g_assert_no_error (error);
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, type));
}

static gboolean
is_blocked (CabStore   *store,
            const char *id)
{
  g_autofree char *key = g_strconcat ("blocked/", id, NULL);
  g_autofree char *value = cab_store_get_state (store, key);

  return g_strcmp0 (value, "1") == 0;
}

/* The stored patients, all checked to belong to the practice. */
static GPtrArray *
stored_practice_patients (CabStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_store_search_patients (store, NULL, 0, &error);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CabPatientRow *row = g_ptr_array_index (rows, i);

      g_assert_true (g_str_has_prefix (row->patient.gp_reference, "Practitioner/gp-"));
      g_ptr_array_add (ids, g_strdup (row->id));
    }
  return ids;
}

static char *
escape (const char *value)
{
  return g_uri_escape_string (value, "/", FALSE);
}

/* Exact counts per type for the practice's patients, asked to the sandbox
 * in chunks of patients (FHIR's comma is an OR). Blocked patients, which
 * the server refuses, are checked to be refused and left out. */
static void
assert_store_matches_sandbox (CabTestSandbox *sandbox,
                              CabStore       *store,
                              guint          *out_n_blocked)
{
  g_autoptr(GPtrArray) ids = stored_practice_patients (store);
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  gint64 expected_patients;
  guint n_blocked = 0;

  expected_patients = sandbox_count (sandbox,
                                     "Patient?general-practitioner=Practitioner/gp-1,Practitioner/gp-2,Practitioner/gp-3");
  g_assert_cmpint (expected_patients, >, 0);
  g_assert_cmpuint (ids->len, ==, expected_patients);
  g_assert_cmpuint (store_count (store, "Patient"), ==, expected_patients);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (is_blocked (store, id))
        {
          g_autofree char *path = g_strdup_printf ("/fhir/Condition?patient=Patient/%s&_summary=count", id);
          g_autoptr(JsonNode) node = NULL;
          guint status = 0;

          node = sandbox_get_json (sandbox, path, &status);
          g_assert_cmpuint (status, ==, 403);
          n_blocked++;
        }
      else
        g_ptr_array_add (open, (gpointer) id);
    }

  for (guint t = 0; t < G_N_ELEMENTS (clinical_types); t++)
    {
      const char *type = clinical_types[t];
      gint64 expected = 0;

      for (guint start = 0; start < open->len; start += CHUNK)
        {
          g_autoptr(GString) query = g_string_new (type);

          g_string_append (query, "?patient=");
          for (guint i = start; i < MIN (start + CHUNK, open->len); i++)
            {
              g_autofree char *escaped = escape (g_ptr_array_index (open, i));

              g_string_append_printf (query, "%sPatient/%s", i > start ? "," : "", escaped);
            }
          if (g_str_equal (type, "DocumentReference"))
            g_string_append (query, "&status=current,superseded,entered-in-error");
          expected += sandbox_count (sandbox, query->str);
        }

      g_test_message ("%s: %" G_GINT64_FORMAT " expected", type, expected);
      g_assert_cmpint (expected, >, 0);
      g_assert_cmpuint (store_count (store, type), ==, expected);
    }

  if (out_n_blocked != NULL)
    *out_n_blocked = n_blocked;
}

/* A few resources of each type, as the sandbox serves them, equal what the
 * store kept (first practice patients having some). */
static void
spot_check (CabTestSandbox *sandbox,
            CabStore       *store,
            const char     *type)
{
  g_autoptr(GPtrArray) ids = stored_practice_patients (store);
  guint n_checked = 0;

  for (guint p = 0; p < ids->len && n_checked == 0; p++)
    {
      const char *patient_id = g_ptr_array_index (ids, p);
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) bundle = NULL;
      JsonArray *entries;

      if (is_blocked (store, patient_id))
        continue;

      path = g_strdup_printf ("/fhir/%s?patient=Patient/%s%s&_count=3", type, patient_id,
                              g_str_equal (type, "DocumentReference") ? "&status=current" : "");
      bundle = sandbox_get_json (sandbox, path, NULL);
      entries = json_object_get_array_member (json_node_get_object (bundle), "entry");
      if (entries == NULL)
        continue;

      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonObject *entry = json_array_get_object_element (entries, i);
          JsonNode *resource = json_object_get_member (entry, "resource");
          const char *id = json_object_get_string_member (json_node_get_object (resource), "id");
          g_autoptr(GError) error = NULL;
          g_autofree char *stored = cab_store_get_resource_json (store, type, id, &error);
          g_autoptr(JsonNode) stored_node = NULL;

          g_assert_no_error (error);
          stored_node = json_from_string (stored, &error);
          g_assert_no_error (error);
          g_assert_true (json_node_equal (resource, stored_node));
          n_checked++;
        }
    }

  g_assert_cmpuint (n_checked, >, 0);
}

/* ------------------------------------------------------------------- tests */

static guint n_progress;
static guint last_done, last_total;

static void
progress_cb (CabSync *sync,
             guint    done,
             guint    total,
             gpointer user_data)
{
  g_assert_cmpuint (done, <=, total);
  n_progress++;
  last_done = done;
  last_total = total;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_full_and_incremental (void)
{
  const char * const args[] = { "--patients", "300", NULL };
  g_autoptr(Env) env = env_new (args, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) patient = NULL;
  g_autoptr(JsonNode) others = NULL;
  g_autofree char *body = NULL;
  g_autofree char *patient_json = NULL;
  g_autofree char *touch_body = NULL;
  g_autofree char *put_id = NULL;
  g_autofree char *put_path = NULL;
  g_autoptr(GPtrArray) expected_ids = g_ptr_array_new_with_free_func (g_free);
  CabSyncStats stats = { 0 };
  RunResult first = { 0 }, second = { 0 };
  guint n_blocked = 0;
  guint n_state_notify = 0, n_last_notify = 0;
  guint status = 0;
  JsonArray *entries;

  g_signal_connect (env->sync, "progress", G_CALLBACK (progress_cb), NULL);
  g_signal_connect (env->sync, "notify::state", G_CALLBACK (notify_cb), &n_state_notify);
  g_signal_connect (env->sync, "notify::last-sync", G_CALLBACK (notify_cb), &n_last_notify);

  /* Full run. */
  g_assert_true (run_sync (env->sync, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cab_sync_get_state (env->sync), ==, CAB_SYNC_STATE_IDLE);
  g_assert_nonnull (cab_sync_get_last_sync (env->sync));
  g_assert_cmpuint (n_state_notify, >=, 2);
  g_assert_cmpuint (n_last_notify, ==, 1);
  g_assert_cmpuint (n_progress, >, 0);
  g_assert_cmpuint (last_done, ==, last_total);
  g_assert_cmpuint (stats.n_patients, ==, last_total);
  g_assert_cmpuint (stats.n_resources, >, 1000);
  g_assert_cmpuint (stats.n_invalid, ==, 0);
  g_test_message ("full sync: %u patients, %u resources, %u requests, %" G_GUINT64_FORMAT " bytes",
                  stats.n_patients, stats.n_resources, stats.n_requests, stats.n_bytes);

  assert_store_matches_sandbox (env->sandbox, env->store, &n_blocked);
  /* The 38th patient blocks gp-1, the test token's practitioner: not a failure. */
  g_assert_cmpuint (n_blocked, >=, 1);
  g_assert_true (is_blocked (env->store, "pat-00038"));

  for (guint t = 0; t < G_N_ELEMENTS (clinical_types); t++)
    spot_check (env->sandbox, env->store, clinical_types[t]);

  /* Patients of another practice are not stored. */
  others = sandbox_get_json (env->sandbox,
                             "/fhir/Patient?general-practitioner=Practitioner/other-gp-1,Practitioner/other-gp-2,Practitioner/other-gp-3&_count=20",
                             NULL);
  entries = json_object_get_array_member (json_node_get_object (others), "entry");
  g_assert_nonnull (entries);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *resource = json_object_get_object_member (json_array_get_object_element (entries, i), "resource");
      g_autofree char *json = cab_store_get_resource_json (env->store, "Patient",
                                                           json_object_get_string_member (resource, "id"), NULL);

      g_assert_null (json);
    }

  /* Nothing changed: nothing transferred; two callers share one run. */
  cab_sync_run_async (env->sync, NULL, NULL, run_cb, &first);
  cab_sync_run_async (env->sync, NULL, NULL, run_cb, &second);
  while (!first.done || !second.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_cmpuint (first.stats.n_resources, ==, 0);
  g_assert_cmpuint (first.stats.n_requests, ==, second.stats.n_requests);
  g_assert_cmpuint (first.stats.n_patients, ==, stats.n_patients);

  /* The sandbox changes 7 Observations and one Patient: exactly those come. */
  touch_body = cab_test_sandbox_call (env->sandbox, "POST", "/admin/touch",
                                      "{\"type\":\"Observation\",\"count\":7}", &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  {
    g_autoptr(GPtrArray) ids = stored_practice_patients (env->store);

    for (guint i = 0; i < ids->len && put_id == NULL; i++)
      if (!is_blocked (env->store, g_ptr_array_index (ids, i)))
        put_id = g_strdup (g_ptr_array_index (ids, i));
    put_path = g_strdup_printf ("/fhir/Patient/%s", put_id);
  }
  patient = sandbox_get_json (env->sandbox, put_path, NULL);
  json_object_set_string_member (json_node_get_object (patient), "birthDate", "1971-02-03");
  json_object_remove_member (json_node_get_object (patient), "meta");
  patient_json = json_to_string (patient, FALSE);
  body = cab_test_sandbox_call (env->sandbox, "PUT", put_path, patient_json, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* Touched at random in the whole sandbox: only those of the practice's
   * patients (not blocking us) are for us. */
  {
    g_autoptr(JsonNode) touched = json_from_string (touch_body, &error);
    JsonArray *ids;

    g_assert_no_error (error);
    ids = json_object_get_array_member (json_node_get_object (touched), "ids");
    g_assert_cmpuint (json_array_get_length (ids), ==, 7);
    for (guint i = 0; i < json_array_get_length (ids); i++)
      {
        const char *id = json_array_get_string_element (ids, i);
        g_autofree char *path = g_strdup_printf ("/fhir/Observation/%s", id);
        g_autoptr(JsonNode) obs = sandbox_get_json (env->sandbox, path, &status);
        g_autofree char *patient_id = NULL;
        g_autofree char *stored = NULL;

        if (status != 200)
          continue;
        patient_id = cab_fhir_reference_id (json_object_get_string_member (json_object_get_object_member (json_node_get_object (obs), "subject"), "reference"));
        stored = cab_store_get_resource_json (env->store, "Patient", patient_id, NULL);
        if (stored != NULL && !is_blocked (env->store, patient_id))
          g_ptr_array_add (expected_ids, g_strdup (id));
      }
  }

  g_assert_true (run_sync (env->sync, NULL, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("%u of the touched Observations are the practice's", expected_ids->len);
  g_assert_cmpuint (stats.n_resources, ==, expected_ids->len + 1);
  for (guint i = 0; i < expected_ids->len; i++)
    {
      g_autofree char *json = cab_store_get_resource_json (env->store, "Observation",
                                                           g_ptr_array_index (expected_ids, i), &error);

      g_assert_no_error (error);
      g_assert_nonnull (strstr (json, "sandbox-touch"));
    }
  assert_store_matches_sandbox (env->sandbox, env->store, NULL);
  {
    g_autoptr(CabPatientRow) row = cab_store_get_patient (env->store, put_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (row->patient.birth_date, ==, "1971-02-03");
  }
}

static void
test_single_patient (void)
{
  const char * const args[] = { "--patients", "40", NULL };
  g_autoptr(Env) env = env_new (args, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = NULL;
  CabSyncStats stats = { 0 };

  g_assert_true (run_sync (env->sync, "pat-00002", &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_patients, ==, 1);
  g_assert_cmpuint (store_count (env->store, "Patient"), ==, 1);
  g_assert_cmpint (store_count (env->store, "Observation"), ==,
                   sandbox_count (env->sandbox, "Observation?patient=Patient/pat-00002"));
  g_assert_cmpint (store_count (env->store, "DocumentReference"), ==,
                   sandbox_count (env->sandbox,
                                  "DocumentReference?patient=Patient/pat-00002&status=current,superseded,entered-in-error"));

  /* Blocked: refused with a clear error, recorded, the sync itself is fine. */
  g_assert_false (run_sync (env->sync, "pat-00038", NULL, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (is_blocked (env->store, "pat-00038"));
  g_assert_cmpint (cab_sync_get_state (env->sync), ==, CAB_SYNC_STATE_IDLE);

  /* Unknown patient. */
  g_assert_false (run_sync (env->sync, "no-such-patient", NULL, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The patient on screen goes first in a practice run, and a caller asking
   * for that patient during the run is answered when it is done, not at the
   * end of the run. */
  {
    g_autoptr(JsonNode) last = sandbox_get_json (env->sandbox,
                                                 "/fhir/Patient?general-practitioner=Practitioner/gp-2,Practitioner/gp-3"
                                                 "&_sort=-_id&_count=1", NULL);
    JsonObject *entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (last), "entry"), 0);
    const char *id = json_object_get_string_member (json_object_get_object_member (entry, "resource"), "id");
    RunResult full = { 0 }, one = { 0 };
    guint done_when_answered;
    gboolean asked = FALSE;

    n_progress = last_done = last_total = 0;
    g_signal_connect (env->sync, "progress", G_CALLBACK (progress_cb), NULL);
    cab_sync_prioritize_patient (env->sync, id);
    cab_sync_run_async (env->sync, NULL, NULL, run_cb, &full);
    while (!one.done)
      {
        /* Once the queue is built, ask for the patient: joined, not doubled. */
        if (last_total > 0 && !asked)
          {
            cab_sync_run_async (env->sync, id, NULL, run_cb, &one);
            asked = TRUE;
          }
        g_main_context_iteration (NULL, TRUE);
      }
    done_when_answered = last_done;
    g_assert_no_error (one.error);
    g_assert_cmpuint (one.stats.n_patients, ==, 1);
    /* Joined: the run's five searches for the patient (one per type), no separate read. */
    g_assert_cmpuint (one.stats.n_requests, ==, 5);
    g_test_message ("prioritized patient answered after %u of %u", done_when_answered, last_total);
    g_assert_false (full.done);
    g_assert_cmpuint (done_when_answered, <=, last_total / 2);

    while (!full.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (full.error);
    g_assert_cmpuint (full.stats.n_patients, ==, last_total);
  }
}

static void
test_faults (void)
{
  const char * const args[] = { "--patients", "120", NULL };
  g_autoptr(Env) env = env_new (args, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  CabSyncStats stats = { 0 };
  guint n_retries = 0;
  guint status = 0;
  guint attempt;

  cab_fhir_client_set_retry_policy (env->client, 8, 5);
  body = cab_test_sandbox_call (env->sandbox, "POST", "/admin/faults",
                                "{\"error_rate\":0.2,\"error_statuses\":[500,503,429],"
                                "\"retry_after\":0,\"drop_rate\":0.05}",
                                &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* Each run resumes where the previous stopped, should one give up. */
  for (attempt = 0; attempt < 5; attempt++)
    {
      if (run_sync (env->sync, NULL, &stats, &error))
        break;
      g_test_message ("run %u failed: %s", attempt, error->message);
      g_clear_error (&error);
    }
  g_assert_cmpuint (attempt, <, 5);

  cab_fhir_client_get_stats (env->client, NULL, &n_retries, NULL);
  g_test_message ("%u retries", n_retries);
  g_assert_cmpuint (n_retries, >, 0);

  g_clear_pointer (&body, g_free);
  body = cab_test_sandbox_call (env->sandbox, "DELETE", "/admin/faults", NULL, &status, &error);
  g_assert_no_error (error);
  assert_store_matches_sandbox (env->sandbox, env->store, NULL);
}

static void
test_wrong_ca (void)
{
  const char * const args[] = { "--patients", "5", NULL };
  g_autoptr(Env) env = env_new (args, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autofree char *other_dir = g_dir_make_tmp ("test-sync-ca-XXXXXX", &error);
  g_autofree char *other_ca = g_build_filename (other_dir, "ca.pem", NULL);
  CabSyncStats stats = { 0 };

  /* The right CA works. */
  g_assert_true (run_sync (env->sync, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_patients, >, 0);

  /* Another CA: refused, never silently accepted. */
  g_assert_true (cab_test_make_certificates (other_dir, &error));
  g_assert_no_error (error);
  client = cab_fhir_client_new (env->sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  g_assert_true (cab_fhir_client_set_ca_file (client, other_ca, &error));
  cab_fhir_client_set_retry_policy (client, 1, 10);
  sync = cab_sync_new (client, env->store, PRACTICE);

  g_assert_false (run_sync (sync, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA);
  {
    g_autofree char *lower = g_ascii_strdown (error->message, -1);

    g_assert_true (strstr (lower, "certificate") != NULL);
  }
  g_assert_cmpint (cab_sync_get_state (sync), ==, CAB_SYNC_STATE_OFFLINE);

  {
    g_autoptr(GDir) dir = g_dir_open (other_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (other_dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (other_dir);
}

int
main (int    argc,
      char **argv)
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the system GSettings schemas
   * that GIO's GNOME proxy resolver, loaded by every SoupSession, needs. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/full-and-incremental", test_full_and_incremental);
  g_test_add_func ("/sync/single-patient", test_single_patient);
  g_test_add_func ("/sync/faults", test_faults);
  g_test_add_func ("/sync/wrong-ca", test_wrong_ca);

  return g_test_run ();
}
