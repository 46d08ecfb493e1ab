/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-followup-models"

#include <locale.h>
#include <math.h>
#include <glib/gstdio.h>

#include "cab-followup-queries.h"
#include "cab-followup-record.h"
#include "cab-followup-series.h"
#include "cab-followup-worklist.h"
#include "cab-outbox.h"

/* The follow-up queries and models against a store filled by hand: what
 * each patient is made of says what the worklist must show. */

#define TODAY "2026-11-01"

typedef struct
{
  char                *dir;
  CabStore            *store;
  CabFollowupRules    *rules;
  guint                n_loaded;
} Fixture;

static void
put (CabStore   *store,
     const char *json)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_ptr_array_add (records, cab_fhir_record_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                                           &error));
  g_assert_no_error (error);
  g_assert_true (cab_store_put_records (store, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
patient (CabStore   *store,
         const char *id,
         const char *family,
         const char *gp)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"%s\","
                                           "\"name\":[{\"family\":\"%s\",\"given\":[\"Anne\"]}],"
                                           "\"generalPractitioner\":[{\"reference\":\"%s\"}]}", id, family, gp);
  put (store, json);
}

static void
condition (CabStore   *store,
           const char *id,
           const char *patient_id,
           const char *code,
           const char *clinical,
           const char *verification)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Condition\",\"id\":\"%s\","
                                           "\"subject\":{\"reference\":\"Patient/%s\"},"
                                           "\"clinicalStatus\":{\"coding\":[{\"code\":\"%s\"}]},"
                                           "\"verificationStatus\":{\"coding\":[{\"code\":\"%s\"}]},"
                                           "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\","
                                           "\"code\":\"%s\"}]}}", id, patient_id, clinical, verification, code);
  put (store, json);
}

static void
value (CabStore   *store,
       const char *id,
       const char *patient_id,
       const char *code,
       const char *effective,
       double      v,
       const char *unit,
       const char *status)
{
  g_autofree char *json = NULL;
  g_autofree char *quantity = unit != NULL
      ? g_strdup_printf ("{\"value\":%g,\"unit\":\"%s\"}", v, unit) : g_strdup_printf ("{\"value\":%g}", v);

  json = g_strdup_printf ("{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"%s\","
                          "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"%s\","
                          "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\"}]},"
                          "\"valueQuantity\":%s}", id, status, patient_id, effective, code, quantity);
  put (store, json);
}

static void
bp (CabStore   *store,
    const char *id,
    const char *patient_id,
    const char *effective,
    double      systolic,
    double      diastolic)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"Observation\",\"id\":\"%s\",\"status\":\"final\","
                                           "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"%s\","
                                           "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]},"
                                           "\"component\":["
                                           "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},"
                                           "\"valueQuantity\":{\"value\":%g,\"unit\":\"mm[Hg]\"}},"
                                           "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
                                           "\"valueQuantity\":{\"value\":%g,\"unit\":\"mm[Hg]\"}}]}",
                                           id, patient_id, effective, systolic, diastolic);
  put (store, json);
}

static void
medication (CabStore   *store,
            const char *id,
            const char *patient_id,
            const char *code,
            const char *authored,
            int         months,
            const char *status)
{
  g_autofree char *json = g_strdup_printf ("{\"resourceType\":\"MedicationRequest\",\"id\":\"%s\",\"status\":\"%s\","
                                           "\"intent\":\"order\",\"subject\":{\"reference\":\"Patient/%s\"},"
                                           "\"authoredOn\":\"%s\",\"medicationCodeableConcept\":{\"coding\":"
                                           "[{\"code\":\"%s\",\"display\":\"MED %s\"}]},\"dispenseRequest\":"
                                           "{\"expectedSupplyDuration\":{\"value\":%d,\"code\":\"mo\"}}}",
                                           id, status, patient_id, authored, code, code, months);
  put (store, json);
}

/* The practice:
 * - p-dia: diabetic and hypertensive; HbA1c in mmol/mol (53 = 7.0 %),
 *   an HbA1c entered in error dated today, blood pressure two months ago
 *   out of target, no weight; metformin for a year then stopped, and an
 *   antibiotic (too short for a marker).
 * - p-htn: hypertensive, blood pressure ten months ago (overdue), and a
 *   later one from two Observations (systolic and diastolic apart).
 * - p-ckd: kidney disease, eGFR 7 months ago (due), its latest written in
 *   a zone that puts it on 2 November in Paris: after the day asked about.
 * - p-gone: diabetes resolved, kidney disease entered in error: nobody.
 * - p-none: asthma only. */
static void
fill (CabStore *store)
{
  put (store, "{\"resourceType\":\"Practitioner\",\"id\":\"gp-1\","
              "\"name\":[{\"family\":\"Martin\",\"given\":[\"Jean\"],\"prefix\":[\"Dr\"]}]}");
  patient (store, "p-dia", "Dupont", "Practitioner/gp-1");
  patient (store, "p-htn", "Martin", "Practitioner/gp-2");
  patient (store, "p-ckd", "Hélène", "Practitioner/gp-1");
  patient (store, "p-gone", "Leroy", "Practitioner/gp-1");
  patient (store, "p-none", "Petit", "Practitioner/gp-1");

  condition (store, "c-1", "p-dia", "E11.9", "active", "confirmed");
  condition (store, "c-2", "p-dia", "I10", "active", "confirmed");
  condition (store, "c-3", "p-htn", "I10", "active", "confirmed");
  condition (store, "c-4", "p-ckd", "N18.3", "active", "confirmed");
  condition (store, "c-5", "p-gone", "E11.9", "resolved", "confirmed");
  condition (store, "c-6", "p-gone", "N18.3", "active", "entered-in-error");
  condition (store, "c-7", "p-none", "J45.9", "active", "confirmed");

  value (store, "o-1", "p-dia", "4548-4", "2026-05-10T09:00:00+02:00", 60, "mmol/mol", "final");
  value (store, "o-2", "p-dia", "4548-4", "2026-09-15T09:00:00+02:00", 53, "mmol/mol", "final");
  value (store, "o-3", "p-dia", "4548-4", "2026-11-01T08:00:00+01:00", 12.5, "%", "entered-in-error");
  bp (store, "o-4", "p-dia", "2026-09-01T10:00:00+02:00", 150, 85);
  value (store, "o-5", "p-dia", "98979-8", "2026-03-01", 75, "mL/min/{1.73_m2}", "final");
  value (store, "o-6", "p-dia", "13457-7", "2026-03-01", 3.0, "mmol/L", "final");   /* 1.16 g/L */
  value (store, "o-7", "p-dia", "9318-7", "2026-03-01", 2, NULL, "final");         /* no unit */
  medication (store, "m-1", "p-dia", "MET", "2025-01-10", 3, "completed");
  medication (store, "m-2", "p-dia", "MET", "2025-04-05", 3, "completed");
  medication (store, "m-3", "p-dia", "MET", "2025-07-01", 3, "completed");
  medication (store, "m-4", "p-dia", "AMOX", "2026-02-01", 0, "completed");

  bp (store, "o-10", "p-htn", "2025-12-20T10:00:00+01:00", 135, 80);
  value (store, "o-11", "p-htn", "8480-6", "2026-01-05T10:00:00+01:00", 128, "mmHg", "final");
  value (store, "o-12", "p-htn", "8462-4", "2026-01-05T10:05:00+01:00", 78, "mmHg", "final");

  value (store, "o-20", "p-ckd", "98979-8", "2026-04-01T10:00:00+02:00", 40, "mL/min/1,73 m²", "final");
  value (store, "o-21", "p-ckd", "98979-8", "2026-11-01T20:00:00-08:00", 38, "mL/min/1,73 m²", "final");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-followup-models-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  f->rules = cab_followup_rules_new_builtin ();
  fill (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_clear_object (&f->store);
  g_clear_object (&f->rules);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) sub = g_dir_open (child, 0, NULL);
          const char *n2;

          while (sub != NULL && (n2 = g_dir_read_name (sub)) != NULL)
            {
              g_autofree char *grandchild = g_build_filename (child, n2, NULL);
              g_unlink (grandchild);
            }
          g_rmdir (child);
        }
      else
        g_unlink (child);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static CabFollowupPatient *
find (GPtrArray  *patients,
      const char *id)
{
  for (guint i = 0; i < patients->len; i++)
    if (g_str_equal (cab_followup_patient_get_id (g_ptr_array_index (patients, i)), id))
      return g_ptr_array_index (patients, i);
  return NULL;
}

static CabFollowupStatus *
status_of (CabFollowupPatient *p,
           const char         *measure)
{
  CabFollowupStatus *s = cab_followup_patient_lookup (p, measure);

  g_assert_nonnull (s);
  return s;
}

static void
assert_status (CabFollowupStatus *s,
               CabFollowupState   state,
               const char        *last,
               const char        *due,
               gboolean           out)
{
  g_assert_cmpint (cab_followup_status_get_state (s), ==, state);
  g_assert_cmpstr (cab_followup_status_get_last_date (s), ==, last);
  g_assert_cmpstr (cab_followup_status_get_due_date (s), ==, due);
  g_assert_cmpint (cab_followup_status_get_out_of_target (s), ==, out);
}

static void
test_worklist_compute (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) worklist = cab_followup_compute_worklist (f->store, f->rules, TODAY, &error);
  CabFollowupPatient *dia, *htn, *ckd;

  g_assert_no_error (error);
  g_assert_cmpuint (worklist->len, ==, 3);
  g_assert_null (find (worklist, "p-gone"));
  g_assert_null (find (worklist, "p-none"));
  dia = find (worklist, "p-dia");
  htn = find (worklist, "p-htn");
  ckd = find (worklist, "p-ckd");

  /* 53 mmol/mol is 7.0 %: in target (≤ 7); the erroneous 12.5 % of today
   * is not the last. Due 15 December. */
  assert_status (status_of (dia, "hba1c"), CAB_FOLLOWUP_STATE_OK, "2026-09-15", "2026-12-15", FALSE);
  g_assert_cmpstr (cab_followup_status_get_last_value_text (status_of (dia, "hba1c")), ==, "7");
  /* The diabetes rule decides blood pressure (3 months): 150/85 is out. */
  assert_status (status_of (dia, "bp"), CAB_FOLLOWUP_STATE_OK, "2026-09-01", "2026-12-01", TRUE);
  g_assert_cmpstr (cab_followup_status_get_condition (status_of (dia, "bp")), ==, "E11");
  g_assert_cmpstr (cab_followup_status_get_last_value_text (status_of (dia, "bp")), ==, "150/85");
  assert_status (status_of (dia, "weight"), CAB_FOLLOWUP_STATE_NEVER, NULL, NULL, FALSE);
  /* LDL 3.0 mmol/L is 1.16 g/L: out of target (< 1.0). */
  assert_status (status_of (dia, "ldl"), CAB_FOLLOWUP_STATE_OK, "2026-03-01", "2027-03-01", TRUE);
  /* No unit: the date counts, the value is not judged nor shown. */
  assert_status (status_of (dia, "uacr"), CAB_FOLLOWUP_STATE_OK, "2026-03-01", "2027-03-01", FALSE);
  g_assert_null (cab_followup_status_get_last_value_text (status_of (dia, "uacr")));
  g_assert_false (cab_followup_status_get_unit_known (status_of (dia, "uacr")));

  /* The latest components come apart: read whole, they still make a
   * reading on 5 January (systolic alone, the diastolic five minutes later
   * a reading of its own). Due 5 July, overdue 5 October. */
  g_assert_cmpint (cab_followup_status_get_state (status_of (htn, "bp")), ==, CAB_FOLLOWUP_STATE_OVERDUE);
  g_assert_cmpstr (cab_followup_status_get_last_date (status_of (htn, "bp")), ==, "2026-01-05");

  /* 1 November 20:00 at -08:00 is 2 November in Paris: after today, so the
   * last is 1 April; due 1 October, overdue 1 January. */
  assert_status (status_of (ckd, "egfr"), CAB_FOLLOWUP_STATE_DUE, "2026-04-01", "2026-10-01", FALSE);
  assert_status (status_of (ckd, "uacr"), CAB_FOLLOWUP_STATE_NEVER, NULL, NULL, FALSE);

  /* Most urgent first: p-htn (overdue blood pressure, never an eGFR). */
  g_assert_cmpstr (cab_followup_patient_get_id (g_ptr_array_index (worklist, 0)), ==, "p-htn");
}

/* The whole-history path (one patient) agrees with the worklist's. */
static void
test_patient_agrees (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) worklist = cab_followup_compute_worklist (f->store, f->rules, TODAY, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < worklist->len; i++)
    {
      CabFollowupPatient *w = g_ptr_array_index (worklist, i);
      g_autoptr(CabFollowupPatient) p = cab_followup_compute_patient (f->store, f->rules,
                                                                       cab_followup_patient_get_id (w), TODAY, &error);
      GPtrArray *a = cab_followup_patient_get_all (w), *b = NULL;

      g_assert_no_error (error);
      b = cab_followup_patient_get_all (p);
      g_assert_cmpuint (a->len, ==, b->len);
      for (guint k = 0; k < a->len; k++)
        {
          CabFollowupStatus *sa = g_ptr_array_index (a, k), *sb = g_ptr_array_index (b, k);

          g_assert_cmpstr (cab_followup_status_get_measure_id (sa), ==, cab_followup_status_get_measure_id (sb));
          g_assert_cmpint (cab_followup_status_get_state (sa), ==, cab_followup_status_get_state (sb));
          g_assert_cmpstr (cab_followup_status_get_last_date (sa), ==, cab_followup_status_get_last_date (sb));
          g_assert_cmpstr (cab_followup_status_get_last_value_text (sa), ==,
                           cab_followup_status_get_last_value_text (sb));
        }
    }

  /* Unknown patient. */
  g_assert_null (cab_followup_compute_patient (f->store, f->rules, "p-nobody", TODAY, &error));
  g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_NO_PATIENT);
  g_clear_error (&error);
  g_assert_null (cab_followup_compute_worklist (f->store, f->rules, "01/11/2026", &error));
  g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_DATE);
}

static void
loaded_cb (gpointer  model,
           Fixture  *f)
{
  f->n_loaded++;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_worklist (CabFollowupWorklist *w)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cab_followup_worklist_wait_async (w, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cab_followup_worklist_wait_finish (w, result, &error));
  g_assert_no_error (error);
}

static const char *
item_id (CabFollowupWorklist *w,
         guint                i)
{
  g_autoptr(CabFollowupPatient) p = g_list_model_get_item (G_LIST_MODEL (w), i);

  return g_intern_string (cab_followup_patient_get_id (p));
}

static void
test_worklist_model (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CabFollowupWorklist) w = cab_followup_worklist_new (NULL, f->rules);
  g_autoptr(CabFollowupPatient) first = NULL;
  g_autoptr(CabFollowupPatient) again = NULL;

  g_signal_connect (w, "loaded", G_CALLBACK (loaded_cb), f);
  cab_followup_worklist_set_today (w, TODAY);
  cab_followup_worklist_set_store (w, f->store);
  g_assert_true (cab_followup_worklist_get_loading (w));
  wait_worklist (w);

  /* Default filter: what needs doing; p-dia's weight is never measured. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (w)), ==, 3);
  g_assert_cmpuint (cab_followup_worklist_get_n_overdue (w), ==, 1);
  g_assert_cmpuint (cab_followup_worklist_get_n_never (w), ==, 3);   /* p-htn has no eGFR */
  g_assert_cmpuint (cab_followup_worklist_get_n_due (w), ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (w), 0);
  g_assert_cmpstr (cab_followup_patient_get_id (first), ==, "p-htn");
  /* The GP filter's choices: the followed patients' médecins traitants,
   * by name (p-gone's and p-none's are not among them unless shared). */
  g_assert_cmpuint (g_strv_length ((GStrv) cab_followup_worklist_get_gps (w)), ==, 2);
  g_assert_cmpstr (cab_followup_worklist_get_gps (w)[0], ==, "Practitioner/gp-1");
  g_assert_cmpstr (cab_followup_worklist_get_gp_name (w, "Practitioner/gp-1"), ==, "Dr Jean MARTIN");
  g_assert_cmpstr (cab_followup_worklist_get_gp_name (w, "Practitioner/gp-2"), ==, "Practitioner/gp-2");
  {
    g_autoptr(CabFollowupPatient) dia = g_list_model_get_item (G_LIST_MODEL (w), 2);
    GListModel *measures = cab_followup_patient_get_measures (dia);

    /* Only the measure that needs doing shows. */
    g_assert_cmpuint (g_list_model_get_n_items (measures), ==, 1);
  }

  /* Filters: médecin traitant, then condition, then state, then text. */
  cab_followup_worklist_set_gp (w, "Practitioner/gp-2");
  wait_worklist (w);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (w)), ==, 1);
  g_assert_cmpstr (item_id (w, 0), ==, "p-htn");
  cab_followup_worklist_set_gp (w, NULL);
  cab_followup_worklist_set_condition (w, "N18");
  wait_worklist (w);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (w)), ==, 1);
  g_assert_cmpstr (item_id (w, 0), ==, "p-ckd");
  cab_followup_worklist_set_condition (w, NULL);
  cab_followup_worklist_set_states (w, CAB_FOLLOWUP_STATES_OK);
  wait_worklist (w);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (w)), ==, 1);
  g_assert_cmpstr (item_id (w, 0), ==, "p-dia");
  cab_followup_worklist_set_states (w, CAB_FOLLOWUP_STATES_TO_DO);

  /* Typing: only the last text's answer lands; accents do not matter. */
  f->n_loaded = 0;
  cab_followup_worklist_set_text (w, "mar");
  cab_followup_worklist_set_text (w, "helene");
  wait_worklist (w);
  g_assert_cmpuint (f->n_loaded, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (w)), ==, 1);
  g_assert_cmpstr (item_id (w, 0), ==, "p-ckd");

  /* A filter that keeps a patient as he was keeps his object (his row):
   * p-htn's measures are both hypertension's. */
  cab_followup_worklist_set_text (w, NULL);
  wait_worklist (w);
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (w), 0);
  g_assert_cmpstr (cab_followup_patient_get_id (first), ==, "p-htn");
  cab_followup_worklist_set_condition (w, "I10");
  wait_worklist (w);
  again = g_list_model_get_item (G_LIST_MODEL (w), 0);
  g_assert_true (again == first);
}

static void
wait_series (CabFollowupSeries *s)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cab_followup_series_wait_async (s, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cab_followup_series_wait_finish (s, result, &error));
  g_assert_no_error (error);
}

static void
record_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(gint64 *) user_data = cab_followup_record_finish (result, &error);
  g_assert_no_error (error);
}

static void
cancel_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_outbox_cancel (CAB_OUTBOX (source), GPOINTER_TO_SIZE (data), &error));
  g_assert_no_error (error);
  g_task_return_boolean (task, TRUE);
}

static void
test_series (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CabFollowupSeries) s = cab_followup_series_new (f->store, f->rules);
  g_autoptr(CabOutbox) outbox = cab_outbox_new (f->store, NULL);
  g_autoptr(CabFollowupPoint) p0 = NULL;
  g_autoptr(CabFollowupPoint) last = NULL;
  g_autoptr(CabFollowupMedicationEvent) start = NULL;
  g_autoptr(CabFollowupMedicationEvent) stop = NULL;
  g_autoptr(GTask) task = NULL;
  GListModel *meds;
  gint64 entry = 0;
  guint n;

  cab_followup_series_set_today (s, TODAY);
  cab_followup_series_set_measure_id (s, "hba1c");
  cab_followup_series_set_patient_id (s, "p-dia");
  wait_series (s);

  /* Two HbA1c (the erroneous one left out), converted to %. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (s)), ==, 2);
  p0 = g_list_model_get_item (G_LIST_MODEL (s), 0);
  g_assert_cmpstr (cab_followup_point_get_date (p0), ==, "2026-05-10");
  g_assert_cmpfloat_with_epsilon (cab_followup_point_get_value (p0), 7.64, 1e-9);   /* 0.09148 × 60 + 2.152 */
  g_assert_cmpfloat (cab_followup_point_get_raw_value (p0), ==, 60);
  g_assert_cmpstr (cab_followup_point_get_raw_unit (p0), ==, "mmol/mol");
  g_assert_true (cab_followup_point_get_out_of_target (p0));   /* 7.64 % */
  g_assert_false (cab_followup_point_get_pending (p0));
  g_assert_nonnull (cab_followup_series_get_status (s));
  g_assert_cmpuint (cab_followup_status_get_rule (cab_followup_series_get_status (s))->n_bounds, ==, 1);

  /* Metformin, renewed for nine months of cover: one start, one stop;
   * the antibiotic is too short for a marker. */
  meds = cab_followup_series_get_medications (s);
  g_assert_cmpuint (g_list_model_get_n_items (meds), ==, 2);
  start = g_list_model_get_item (meds, 0);
  stop = g_list_model_get_item (meds, 1);
  g_assert_cmpint (cab_followup_medication_event_get_kind (start), ==, CAB_FOLLOWUP_MEDICATION_START);
  g_assert_cmpstr (cab_followup_medication_event_get_date (start), ==, "2025-01-10");
  g_assert_cmpint (cab_followup_medication_event_get_kind (stop), ==, CAB_FOLLOWUP_MEDICATION_STOP);
  g_assert_cmpstr (cab_followup_medication_event_get_code (stop), ==, "MET");

  /* Another patient: the previous points go at once. */
  cab_followup_series_set_patient_id (s, "p-none");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (s)), ==, 0);
  wait_series (s);
  g_assert_null (cab_followup_series_get_status (s));

  /* A blood pressure recorded offline shows at once, pending; cancelled,
   * it goes. */
  cab_followup_series_set_patient_id (s, "p-dia");
  cab_followup_series_set_measure_id (s, "bp");
  wait_series (s);
  n = g_list_model_get_n_items (G_LIST_MODEL (s));
  cab_followup_record_async (outbox, cab_followup_rules_lookup_measure (f->rules, "bp"), "p-dia", 132, 82,
                             TODAY, NULL, NULL, record_cb, &entry);
  while (entry == 0)
    g_main_context_iteration (NULL, TRUE);
  cab_followup_series_reload (s);
  wait_series (s);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (s)), ==, n + 1);
  last = g_list_model_get_item (G_LIST_MODEL (s), n);
  g_assert_true (cab_followup_point_get_pending (last));
  g_assert_cmpfloat (cab_followup_point_get_value (last), ==, 132);
  g_assert_cmpfloat (cab_followup_point_get_diastolic (last), ==, 82);
  g_assert_cmpstr (cab_followup_status_get_last_date (cab_followup_series_get_status (s)), ==, TODAY);

  task = g_task_new (outbox, NULL, NULL, NULL);
  g_task_set_task_data (task, GSIZE_TO_POINTER (entry), NULL);
  g_task_run_in_thread_sync (task, cancel_thread);
  cab_followup_series_reload (s);
  wait_series (s);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (s)), ==, n);

  /* A measure the rules do not know. */
  cab_followup_series_set_measure_id (s, "cholesterol");

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    cab_followup_series_wait_async (s, NULL, wait_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (cab_followup_series_wait_finish (s, result, &error));
    g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_MEASURE);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* Days are local calendar days: pin the zone the expectations assume. */
  g_setenv ("TZ", "Europe/Paris", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/followup/worklist/compute", Fixture, NULL, fixture_setup, test_worklist_compute, fixture_teardown);
  g_test_add ("/followup/worklist/patient-agrees", Fixture, NULL, fixture_setup, test_patient_agrees, fixture_teardown);
  g_test_add ("/followup/worklist/model", Fixture, NULL, fixture_setup, test_worklist_model, fixture_teardown);
  g_test_add ("/followup/series", Fixture, NULL, fixture_setup, test_series, fixture_teardown);
  return g_test_run ();
}
