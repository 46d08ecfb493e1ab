/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-patient-models"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cab-audit.h"
#include "cab-document-queries.h"
#include "cab-patient-queries.h"
#include "cab-patient-results.h"
#include "cab-query.h"
#include "cab-recent-patients-model.h"

/* ------------------------------------------------------------------ */
/* A small practice, from FHIR JSON through the real flattening         */
/* ------------------------------------------------------------------ */

#define META "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"}"

static void
add_json (GPtrArray  *records,
          const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  CabFhirRecord *record;

  g_assert_no_error (error);
  record = cab_fhir_record_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_ptr_array_add (records, record);
}

static void
add_patient (GPtrArray  *records,
             const char *id,
             const char *family,
             const char *given,
             const char *gp)
{
  g_autofree char *json = NULL;

  json = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"%s\"," META ","
                          "\"name\":[{\"use\":\"official\",\"family\":\"%s\",\"given\":[\"%s\"]}],"
                          "\"gender\":\"female\",\"birthDate\":\"1954-03-12\"%s%s%s}",
                          id, family, given,
                          gp != NULL ? ",\"generalPractitioner\":[{\"reference\":\"" : "",
                          gp != NULL ? gp : "", gp != NULL ? "\"}]" : "");
  add_json (records, json);
}

typedef struct
{
  char     *dir;
  char     *path;
  CabStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-patient-models-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (f->path, &error);
  g_assert_no_error (error);

  add_json (records,
            "{\"resourceType\":\"Practitioner\",\"id\":\"gp-1\"," META ","
            "\"name\":[{\"family\":\"Martin\",\"given\":[\"Jean\"],\"prefix\":[\"Dr\"]}]}");
  add_patient (records, "p-dupont", "Dupont", "Hélène", "Practitioner/gp-1");
  add_patient (records, "p-dubois", "Dubois", "Marie", NULL);
  add_patient (records, "p-durand", "Durand", "Héléna", NULL);
  add_patient (records, "p-martin", "Martin", "Luc", NULL);
  add_json (records,
            "{\"resourceType\":\"Condition\",\"id\":\"c-1\"," META ","
            "\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"
            "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E11\","
            "\"display\":\"Diabète de type 2\"}]},"
            "\"subject\":{\"reference\":\"Patient/p-dupont\"}}");
  add_json (records,
            "{\"resourceType\":\"DocumentReference\",\"id\":\"d-1\"," META ",\"status\":\"current\","
            "\"type\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"18748-4\","
            "\"display\":\"Compte rendu d'imagerie médicale\"}]},"
            "\"subject\":{\"reference\":\"Patient/p-dupont\"},\"date\":\"2026-03-01T10:00:00Z\","
            "\"content\":[{\"attachment\":{\"contentType\":\"application/pdf\",\"title\":\"Échographie\","
            "\"url\":\"https://dmp.example/fhir/Binary/b-1\"}}],"
            "\"context\":{\"related\":[{\"identifier\":{\"type\":{\"coding\":[{\"system\":\"" CAB_SYSTEM_STUDY_UID "\","
            "\"code\":\"" CAB_SYSTEM_STUDY_UID "\"}]},\"value\":\"1.2.250.1.59.1\"}}]}}");

  g_assert_true (cab_store_put_records (f->store, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A query's job lets go of the store on its thread, just after its
   * answer is sent: nothing wakes the main context then. */
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_atomic_int_get ((gint *) &G_OBJECT (f->store)->ref_count) > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_finalize_object (f->store);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_until (Condition condition,
            gpointer  data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Lets late callbacks (of cancelled queries) run. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
results_settled (gpointer data)
{
  return !cab_patient_results_get_loading (data);
}

static gboolean
recent_settled (gpointer data)
{
  return !cab_recent_patients_model_get_loading (data);
}

static char *
model_ids (GListModel *model)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabPatientItem) item = g_list_model_get_item (model, i);

      g_string_append_printf (ids, "%s%s", i > 0 ? " " : "", cab_patient_item_get_id (item));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

typedef struct
{
  guint n_calls;
  guint n_added;
  guint n_removed;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->n_calls++;
  changes->n_removed += removed;
  changes->n_added += added;
}

static guint
count_audit (const char *path,
             const char *action,
             const char *resource_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM audit WHERE (?1 IS NULL OR action = ?1)"
                                       " AND resource_id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, resource_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* ------------------------------------------------------------------ */
/* The search query: typing "d", "du", "dup"                            */
/* ------------------------------------------------------------------ */

typedef struct
{
  guint      n_done;
  GError    *errors[3];
  GPtrArray *items[3];
} Typed;

typedef struct
{
  Typed *typed;
  guint  index;
} Keystroke;

static void
keystroke_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Keystroke *k = user_data;

  g_assert_null (object);
  k->typed->items[k->index] = cab_patient_query_search_finish (result, &k->typed->errors[k->index]);
  k->typed->n_done++;
}

static gboolean
all_typed (gpointer data)
{
  return ((Typed *) data)->n_done == 3;
}

static void
test_search_superseded (Fixture       *f,
                        gconstpointer  data)
{
  static const char * const keys[] = { "d", "du", "dup" };
  g_autoptr(GCancellable) held = NULL;
  GCancellable *slot = NULL;
  Keystroke strokes[3];
  Typed typed = { 0 };

  /* Each keystroke supersedes the query before it, as the model does. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GCancellable *cancellable = cab_query_supersede (&slot);

      if (i == 0)
        held = g_object_ref (cancellable);
      strokes[i] = (Keystroke) { &typed, i };
      cab_patient_query_search_async (f->store, keys[i], 100, cancellable, keystroke_cb, &strokes[i]);
    }
  g_assert_true (g_cancellable_is_cancelled (held));
  wait_until (all_typed, &typed);

  /* Whatever the threads had read, the earlier answers never land. */
  for (guint i = 0; i < 2; i++)
    {
      g_assert_error (typed.errors[i], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (typed.items[i]);
      g_clear_error (&typed.errors[i]);
    }
  g_assert_no_error (typed.errors[2]);
  g_assert_nonnull (typed.items[2]);
  g_assert_cmpuint (typed.items[2]->len, ==, 1);
  g_assert_cmpstr (cab_patient_item_get_id (g_ptr_array_index (typed.items[2], 0)), ==, "p-dupont");
  g_clear_pointer (&typed.items[2], g_ptr_array_unref);

  cab_query_cancel (&slot);
  g_assert_null (slot);
}

/* ------------------------------------------------------------------ */
/* The results model                                                    */
/* ------------------------------------------------------------------ */

static void
loading_cb (GObject    *object,
            GParamSpec *pspec,
            guint      *n_notifies)
{
  (*n_notifies)++;
}

static void
test_results_typing (Fixture       *f,
                     gconstpointer  data)
{
  CabPatientResults *results = cab_patient_results_new (f->store);
  g_autofree char *all = NULL;
  g_autofree char *found = NULL;
  Changes changes = { 0 };
  guint n_loading = 0;
  CabPatientItem *dupont;

  g_assert_true (g_type_is_a (g_list_model_get_item_type (G_LIST_MODEL (results)), CAB_TYPE_PATIENT_ITEM));

  /* An empty query lists everyone, sorted by name. */
  g_assert_true (cab_patient_results_get_loading (results));
  wait_until (results_settled, results);
  all = model_ids (G_LIST_MODEL (results));
  g_assert_cmpstr (all, ==, "p-dubois p-dupont p-durand p-martin");
  dupont = g_list_model_get_item (G_LIST_MODEL (results), 1);

  g_signal_connect (results, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  g_signal_connect (results, "notify::loading", G_CALLBACK (loading_cb), &n_loading);

  /* Typed quickly: each letter supersedes the query before it. */
  cab_patient_results_set_query (results, "d");
  cab_patient_results_set_query (results, "du");
  cab_patient_results_set_query (results, "dup");
  g_assert_cmpstr (cab_patient_results_get_query (results), ==, "dup");
  g_assert_true (cab_patient_results_get_loading (results));
  g_assert_cmpuint (n_loading, ==, 1);
  wait_until (results_settled, results);
  /* Late answers of the superseded queries change nothing. */
  spin (100);

  g_assert_cmpuint (changes.n_calls, ==, 1);
  g_assert_cmpuint (changes.n_removed, ==, 4);
  g_assert_cmpuint (changes.n_added, ==, 1);
  g_assert_cmpuint (n_loading, ==, 2);
  found = model_ids (G_LIST_MODEL (results));
  g_assert_cmpstr (found, ==, "p-dupont");

  /* The patient already shown keeps its item (and its row in a view). */
  {
    g_autoptr(CabPatientItem) item = g_list_model_get_item (G_LIST_MODEL (results), 0);

    g_autofree char *id = NULL;

    g_assert_true (item == dupont);
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (results), 1));
    g_object_get (item, "id", &id, NULL);
    g_assert_cmpstr (id, ==, "p-dupont");
  }
  g_object_unref (dupont);

  /* The same text again is no new query. */
  cab_patient_results_set_query (results, "dup");
  g_assert_false (cab_patient_results_get_loading (results));

  /* Nothing found: one change to an empty list. */
  cab_patient_results_set_query (results, "zzz");
  wait_until (results_settled, results);
  g_assert_cmpuint (changes.n_calls, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (results)), ==, 0);

  g_assert_finalize_object (results);
}

/* Disposed with a query in flight: the late answer finds nothing to fill. */
static void
test_results_dispose_while_loading (Fixture       *f,
                                    gconstpointer  data)
{
  CabPatientResults *results = cab_patient_results_new (NULL);

  /* Without a store nothing runs. */
  cab_patient_results_set_query (results, "du");
  g_assert_false (cab_patient_results_get_loading (results));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (results)), ==, 0);

  cab_patient_results_set_store (results, f->store);
  g_assert_true (cab_patient_results_get_loading (results));
  g_assert_true (cab_patient_results_get_store (results) == f->store);
  g_assert_finalize_object (results);
  spin (200);
}

static void
test_results_reload (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GError) error = NULL;
  CabPatientResults *results = cab_patient_results_new (f->store);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_object_set (results, "query", "luc", "limit", 10, NULL);
  wait_until (results_settled, results);
  before = model_ids (G_LIST_MODEL (results));
  g_assert_cmpstr (before, ==, "p-martin");

  /* A sync brings a patient: reload runs the same query again. */
  add_patient (records, "p-marchand", "Marchand", "Luc", NULL);
  g_assert_true (cab_store_put_records (f->store, records, NULL, NULL, &error));
  g_assert_no_error (error);
  cab_patient_results_reload (results);
  g_assert_true (cab_patient_results_get_loading (results));
  wait_until (results_settled, results);
  after = model_ids (G_LIST_MODEL (results));
  g_assert_cmpstr (after, ==, "p-marchand p-martin");

  g_assert_finalize_object (results);
}

/* ------------------------------------------------------------------ */
/* Recent patients                                                      */
/* ------------------------------------------------------------------ */

static void
test_recent (Fixture       *f,
             gconstpointer  data)
{
  const char * const opened[] = { "p-martin", "p-gone", "p-dupont", NULL };
  const char * const reopened[] = { "p-dupont", "p-martin", NULL };
  CabRecentPatientsModel *recent = cab_recent_patients_model_new (f->store);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  Changes changes = { 0 };

  /* No ids: an empty list. */
  wait_until (recent_settled, recent);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (recent)), ==, 0);
  g_signal_connect (recent, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  /* In their order; a patient no longer in the store is left out. */
  cab_recent_patients_model_set_patient_ids (recent, opened);
  g_assert_true (cab_recent_patients_model_get_loading (recent));
  wait_until (recent_settled, recent);
  first = model_ids (G_LIST_MODEL (recent));
  g_assert_cmpstr (first, ==, "p-martin p-dupont");
  g_assert_cmpuint (changes.n_calls, ==, 1);

  /* The same ids are no new read. */
  cab_recent_patients_model_set_patient_ids (recent, opened);
  g_assert_false (cab_recent_patients_model_get_loading (recent));

  /* As GSettings would set them: the newest read wins, in one change. */
  g_object_set (recent, "patient-ids", opened + 2, NULL);
  g_object_set (recent, "patient-ids", reopened, NULL);
  wait_until (recent_settled, recent);
  spin (100);
  second = model_ids (G_LIST_MODEL (recent));
  g_assert_cmpstr (second, ==, "p-dupont p-martin");
  g_assert_cmpuint (changes.n_calls, ==, 2);
  g_assert_true (g_strv_equal (cab_recent_patients_model_get_patient_ids (recent), reopened));

  g_assert_finalize_object (recent);
}

/* ------------------------------------------------------------------ */
/* Patient summary, opening                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Wait *) data)->result != NULL;
}

static void
test_summary (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CabPatientSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = NULL;
  Wait wait = { 0 };

  cab_patient_query_summary_async (f->store, "p-dupont", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  summary = cab_patient_query_summary_finish (wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpstr (summary->row->id, ==, "p-dupont");
  g_assert_cmpstr (summary->practitioner, ==, "Dr Jean MARTIN");
  g_assert_cmpuint (summary->conditions->len, ==, 1);
  g_clear_pointer (&summary, cab_patient_summary_free);

  cab_patient_query_summary_async (f->store, "p-nobody", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  summary = cab_patient_query_summary_finish (wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_assert_null (summary);
  g_clear_error (&error);

  /* Opening is recorded with its trace; the second one says when the first was. */
  cab_patient_query_mark_opened_async (f->store, "p-dupont", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  g_assert_true (cab_patient_query_mark_opened_finish (wait.result, &previous, &error));
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_null (previous);
  cab_patient_query_mark_opened_async (f->store, "p-dupont", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  g_assert_true (cab_patient_query_mark_opened_finish (wait.result, &previous, &error));
  g_clear_object (&wait.result);
  g_assert_nonnull (previous);
  g_assert_cmpuint (count_audit (f->path, CAB_AUDIT_PATIENT_OPEN, "p-dupont"), ==, 2);
}

/* ------------------------------------------------------------------ */
/* Reading a document                                                   */
/* ------------------------------------------------------------------ */

static void
test_document_read_audit (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CabDocumentRead) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) values = NULL;
  Wait wait = { 0 };

  g_assert_cmpuint (count_audit (f->path, NULL, "d-1"), ==, 0);

  cab_document_query_read_async (f->store, "d-1", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  read = cab_document_query_read_finish (wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpstr (read->row->id, ==, "d-1");
  g_assert_cmpstr (read->row->document.title, ==, "Échographie");
  /* Never downloaded; an imaging study names its patient for the viewer link. */
  g_assert_null (read->local_path);
  g_assert_nonnull (read->patient);
  g_assert_cmpstr (read->patient->id, ==, "p-dupont");

  /* Exactly one trace, under the shared name. */
  g_assert_cmpuint (count_audit (f->path, NULL, "d-1"), ==, 1);
  g_assert_cmpuint (count_audit (f->path, CAB_AUDIT_DOCUMENT_READ, "d-1"), ==, 1);

  /* A document not in the store: not found, nothing traced. */
  cab_document_query_read_async (f->store, "d-missing", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  g_assert_null (cab_document_query_read_finish (wait.result, &error));
  g_clear_object (&wait.result);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->path, NULL, "d-missing"), ==, 0);

  /* Cancelled before it runs: neither read nor traced. */
  g_cancellable_cancel (cancellable);
  cab_document_query_read_async (f->store, "d-1", cancellable, wait_cb, &wait);
  wait_until (has_result, &wait);
  g_assert_null (cab_document_query_read_finish (wait.result, &error));
  g_clear_object (&wait.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->path, NULL, "d-1"), ==, 1);

  /* No lab results for this one. */
  cab_document_query_observations_async (f->store, "d-1", NULL, wait_cb, &wait);
  wait_until (has_result, &wait);
  values = cab_document_query_observations_finish (wait.result, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/patient-queries/search-superseded", test_search_superseded);
  ADD ("/patient-queries/summary-and-opened", test_summary);
  ADD ("/patient-results/typing", test_results_typing);
  ADD ("/patient-results/dispose-while-loading", test_results_dispose_while_loading);
  ADD ("/patient-results/reload", test_results_reload);
  ADD ("/recent-patients/ids", test_recent);
  ADD ("/document-queries/read-audit", test_document_read_audit);
#undef ADD

  return g_test_run ();
}
