/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cab-followup-items-private.h"
#include "cab-followup-queries.h"
#include "cab-query.h"
#include "cab-store-followup.h"

G_DEFINE_QUARK (cab-followup-error-quark, cab_followup_error)

/* How long a treatment may go unrenewed past the end of its last
 * prescription and still count as one treatment (docs/domain.md,
 * "Treatment markers"); and the cover of a prescription that says nothing
 * of its duration. */
#define RENEWAL_GRACE_DAYS   90
#define DEFAULT_COVER_DAYS   30
/* Shorter treatments (an antibiotic, a week of painkillers) are not
 * markers on a chronic measure's chart. */
#define CHRONIC_MIN_DAYS     60

/* ------------------------------------------------------------------ days */

static guint32
today_from (const char  *today,
            GError     **error)
{
  g_autoptr(GDateTime) now = NULL;
  GDate date;
  guint32 day;

  if (today == NULL)
    {
      now = g_date_time_new_now_local ();
      g_date_clear (&date, 1);
      g_date_set_dmy (&date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
      return g_date_get_julian (&date);
    }
  /* A full calendar date, nothing else. */
  if (strlen (today) != 10 || today[4] != '-' || today[7] != '-' ||
      (day = cab_followup_parse_day (today, NULL)) == 0)
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_DATE,
                           _("The day must be a date written YYYY-MM-DD"));
      return 0;
    }
  return day;
}

/* -------------------------------------------------------------- readings */

typedef struct
{
  GArray    *readings;   /* CabFollowupReading */
  GPtrArray *codes;      /* const char*, parallel to readings */
  GArray    *raw;        /* double: the value as sent */
  GPtrArray *raw_units;  /* const char* */
} Readings;

static void
readings_init (Readings *r)
{
  r->readings = g_array_new (FALSE, FALSE, sizeof (CabFollowupReading));
  r->codes = g_ptr_array_new ();
  r->raw = g_array_new (FALSE, FALSE, sizeof (double));
  r->raw_units = g_ptr_array_new ();
}

static void
readings_clear (Readings *r)
{
  g_array_set_size (r->readings, 0);
  g_ptr_array_set_size (r->codes, 0);
  g_array_set_size (r->raw, 0);
  g_ptr_array_set_size (r->raw_units, 0);
}

static void
readings_free (Readings *r)
{
  g_array_unref (r->readings);
  g_ptr_array_unref (r->codes);
  g_array_unref (r->raw);
  g_ptr_array_unref (r->raw_units);
}

static gboolean
measure_has_code (const CabFollowupMeasure *m,
                  const char               *code)
{
  for (guint i = 0; m->codes[i] != NULL; i++)
    if (g_str_equal (m->codes[i], code))
      return TRUE;
  return FALSE;
}

static void
add_reading (Readings                     *r,
             const CabFollowupMeasure     *m,
             const CabStoreObservationRow *row,
             const CabStoreObservationRow *diastolic,
             const char                   *code,
             GTimeZone                    *tz)
{
  CabFollowupReading reading = { 0 };
  double d = NAN;

  reading.day = cab_followup_parse_day (row->effective, tz);
  if (reading.day == 0)
    return;   /* no date: it cannot say when the measure was done */
  reading.unit_known = cab_followup_convert (m, row->value, row->unit, &reading.value);
  reading.diastolic = NAN;
  if (m->kind == CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE)
    {
      gboolean known = diastolic != NULL && cab_followup_convert (m, diastolic->value, diastolic->unit, &d);

      reading.diastolic = d;
      reading.unit_known = reading.unit_known && known;
    }
  if (!reading.unit_known)
    reading.value = reading.diastolic = NAN;
  reading.observation_id = row->resource_id;
  reading.document_id = row->document_id;
  g_array_append_val (r->readings, reading);
  g_ptr_array_add (r->codes, (gpointer) code);
  g_array_append_val (r->raw, row->value);
  g_ptr_array_add (r->raw_units, row->unit);
}

static int
compare_row_key (const CabStoreObservationRow *a,
                 const CabStoreObservationRow *b)
{
  int c = g_strcmp0 (a->effective, b->effective);

  return c != 0 ? c : g_strcmp0 (a->resource_id, b->resource_id);
}

/* @rows: one patient's rows, sorted by code, effective, resource id. */
static void
collect_readings (const CabFollowupMeasure       *m,
                  CabStoreObservationRow * const *rows,
                  guint                           n_rows,
                  GTimeZone                      *tz,
                  Readings                       *out)
{
  readings_clear (out);

  if (m->kind != CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE)
    {
      for (guint i = 0; i < n_rows; i++)
        if (measure_has_code (m, rows[i]->code))
          add_reading (out, m, rows[i], NULL, rows[i]->code, tz);
      return;
    }

  /* Blood pressure: the systolic and diastolic values of one Observation
   * (a panel's components) make one reading, found by a merge of the two
   * sorted runs. A lone diastolic still says a measure was taken. */
  {
    guint s = 0, d = 0, s_end, d_end;

    while (s < n_rows && g_strcmp0 (rows[s]->code, m->systolic_code) != 0)
      s++;
    for (s_end = s; s_end < n_rows && g_strcmp0 (rows[s_end]->code, m->systolic_code) == 0; s_end++)
      ;
    while (d < n_rows && g_strcmp0 (rows[d]->code, m->diastolic_code) != 0)
      d++;
    for (d_end = d; d_end < n_rows && g_strcmp0 (rows[d_end]->code, m->diastolic_code) == 0; d_end++)
      ;

    while (s < s_end || d < d_end)
      {
        int c = s >= s_end ? 1 : d >= d_end ? -1 : compare_row_key (rows[s], rows[d]);

        if (c == 0)
          add_reading (out, m, rows[s++], rows[d++], m->codes[0], tz);
        else if (c < 0)
          add_reading (out, m, rows[s++], NULL, m->codes[0], tz);
        else
          {
            CabStoreObservationRow lone = *rows[d++];

            /* Its date counts; no systolic value to show. */
            lone.value = NAN;
            add_reading (out, m, &lone, NULL, m->codes[0], tz);
          }
      }
    /* A panel sent with a value of its own (not components) counts too. */
    for (guint i = 0; i < n_rows; i++)
      if (measure_has_code (m, rows[i]->code))
        add_reading (out, m, rows[i], NULL, m->codes[0], tz);
  }
}

static const char *
code_of (const Readings              *r,
         const CabFollowupAssessment *a)
{
  for (guint i = 0; i < r->readings->len; i++)
    {
      const CabFollowupReading *reading = &g_array_index (r->readings, CabFollowupReading, i);

      if (reading->day == a->last_day && reading->observation_id == a->observation_id)
        return g_ptr_array_index (r->codes, i);
    }
  return NULL;
}

static int
compare_statuses (gconstpointer a,
                  gconstpointer b)
{
  return cab_followup_status_compare (*(CabFollowupStatus * const *) a, *(CabFollowupStatus * const *) b);
}

static int
compare_patients (gconstpointer a,
                  gconstpointer b)
{
  return cab_followup_patient_compare (*(CabFollowupPatient * const *) a, *(CabFollowupPatient * const *) b);
}

/* Every measure of @plan for one patient, most urgent first. */
static GPtrArray *
assess_patient (CabFollowupRules               *rules,
                const char                     *patient_id,
                GPtrArray                      *plan,
                CabStoreObservationRow * const *rows,
                guint                           n_rows,
                guint32                         today,
                GTimeZone                      *tz,
                Readings                       *scratch)
{
  GPtrArray *statuses = g_ptr_array_new_full (plan->len, g_object_unref);

  for (guint i = 0; i < plan->len; i++)
    {
      const CabFollowupRule *rule = g_ptr_array_index (plan, i);
      CabFollowupAssessment a;

      collect_readings (rule->measure, rows, n_rows, tz, scratch);
      cab_followup_assess (rule, (const CabFollowupReading *) (gpointer) scratch->readings->data,
                           scratch->readings->len, today, &a);
      g_ptr_array_add (statuses, cab_followup_status_new (rules, patient_id, &a, code_of (scratch, &a)));
    }
  g_ptr_array_sort (statuses, compare_statuses);
  return statuses;
}

/* The ICD-10 codes of @patient_id's Conditions that count, from
 * @conditions[*i] on (sorted by patient); moves *i past them. */
static char **
counting_codes (GPtrArray  *conditions,
                guint      *i,
                const char *patient_id)
{
  GPtrArray *codes = g_ptr_array_new ();

  for (; *i < conditions->len; (*i)++)
    {
      CabStoreConditionRow *c = g_ptr_array_index (conditions, *i);
      int cmp = g_strcmp0 (c->patient_id, patient_id);

      if (cmp > 0)
        break;
      if (cmp < 0 || c->code == NULL ||
          !cab_followup_condition_counts (c->clinical_status, c->verification_status))
        continue;
      {
        gboolean seen = FALSE;

        for (guint k = 0; k < codes->len; k++)
          seen |= g_str_equal (g_ptr_array_index (codes, k), c->code);
        if (!seen)
          g_ptr_array_add (codes, g_strdup (c->code));
      }
    }
  g_ptr_array_add (codes, NULL);
  return (char **) g_ptr_array_free (codes, FALSE);
}

/* ------------------------------------------------------------- worklist */

/* The latest value of each code gives the same answer as the whole
 * history unless one is after @today on the local calendar (a zone shifts
 * it across midnight) or a blood pressure's latest components come from
 * two Observations. */
static gboolean
latest_is_enough (CabFollowupRules               *rules,
                  CabStoreObservationRow * const *rows,
                  guint                           n_rows,
                  guint32                         today,
                  GTimeZone                      *tz)
{
  for (guint i = 0; i < n_rows; i++)
    {
      const CabFollowupMeasure *m;

      if (cab_followup_parse_day (rows[i]->effective, tz) > today)
        return FALSE;
      m = cab_followup_rules_measure_for_code (rules, rows[i]->code);
      if (m == NULL || m->kind != CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE ||
          g_strcmp0 (rows[i]->code, m->systolic_code) != 0)
        continue;
      for (guint j = 0; j < n_rows; j++)
        if (g_strcmp0 (rows[j]->code, m->diastolic_code) == 0 &&
            (g_strcmp0 (rows[j]->resource_id, rows[i]->resource_id) != 0 ||
             g_strcmp0 (rows[j]->effective, rows[i]->effective) != 0))
          return FALSE;
    }
  return TRUE;
}

static int
compare_condition_rows (gconstpointer a,
                        gconstpointer b)
{
  const CabStoreConditionRow *ca = *(CabStoreConditionRow * const *) a;
  const CabStoreConditionRow *cb = *(CabStoreConditionRow * const *) b;

  return g_strcmp0 (ca->patient_id, cb->patient_id);
}

GPtrArray *
cab_followup_compute_worklist (CabStore          *store,
                               CabFollowupRules  *rules,
                               const char        *today,
                               GError           **error)
{
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  g_autoptr(GPtrArray) observations = NULL;
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GHashTable) first_row = NULL;
  g_autofree char *before = NULL;
  const char * const *prefixes;
  guint32 today_day;
  Readings scratch;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);

  if ((today_day = today_from (today, error)) == 0)
    return NULL;
  prefixes = cab_followup_rules_get_prefixes (rules);
  /* Only each code's latest value before the day after tomorrow (as
   * written): the states need no more, and a patient whose latest needs a
   * closer look is read whole below. */
  before = cab_followup_format_day (today_day + 2);
  if (!(conditions = cab_store_list_conditions_with_prefixes (store, prefixes, NULL, error)) ||
      !(patients = cab_store_list_patients_with_conditions (store, prefixes, error)) ||
      !(observations = cab_store_list_latest_observations (store, cab_followup_rules_get_codes (rules),
                                                           prefixes, before, error)))
    return NULL;

  /* Both sorted by patient id (byte order, as SQLite's BINARY collation and
   * strcmp agree): index where each patient's rows start. */
  g_ptr_array_sort (conditions, compare_condition_rows);
  first_row = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = observations->len; i-- > 0;)
    {
      CabStoreObservationRow *row = g_ptr_array_index (observations, i);

      g_hash_table_insert (first_row, row->patient_id, GUINT_TO_POINTER (i + 1));
    }

  readings_init (&scratch);
  result = g_ptr_array_new_with_free_func (g_object_unref);
  while (patients->len > 0)
    {
      CabPatientRow *row = g_ptr_array_steal_index (patients, 0);
      g_autoptr(GPtrArray) plan = NULL;
      g_autoptr(GPtrArray) statuses = NULL;
      guint c = 0, first, n_rows = 0;
      char **codes;

      /* Binary search would do; the conditions are few per patient. */
      {
        guint lo = 0, hi = conditions->len;

        while (lo < hi)
          {
            guint mid = (lo + hi) / 2;
            CabStoreConditionRow *cr = g_ptr_array_index (conditions, mid);

            if (g_strcmp0 (cr->patient_id, row->id) < 0)
              lo = mid + 1;
            else
              hi = mid;
          }
        c = lo;
      }
      codes = counting_codes (conditions, &c, row->id);
      plan = cab_followup_plan (rules, (const char * const *) codes);
      if (plan->len == 0)
        {
          g_strfreev (codes);
          cab_patient_row_free (row);
          continue;
        }

      first = GPOINTER_TO_UINT (g_hash_table_lookup (first_row, row->id));
      if (first > 0)
        {
          first--;
          while (first + n_rows < observations->len &&
                 g_str_equal (((CabStoreObservationRow *) g_ptr_array_index (observations, first + n_rows))->patient_id,
                              row->id))
            n_rows++;
        }
      if (n_rows > 0 &&
          !latest_is_enough (rules, (CabStoreObservationRow * const *) &observations->pdata[first], n_rows,
                             today_day, tz))
        {
          g_autoptr(GPtrArray) whole = NULL;

          whole = cab_store_list_observations_with_codes (store, cab_followup_rules_get_codes (rules),
                                                          row->id, NULL, error);
          if (whole == NULL)
            {
              g_strfreev (codes);
              cab_patient_row_free (row);
              readings_free (&scratch);
              return NULL;
            }
          statuses = assess_patient (rules, row->id, plan, (CabStoreObservationRow * const *) whole->pdata,
                                     whole->len, today_day, tz, &scratch);
        }
      else
        statuses = assess_patient (rules, row->id, plan,
                                   n_rows > 0 ? (CabStoreObservationRow * const *) &observations->pdata[first] : NULL,
                                   n_rows, today_day, tz, &scratch);
      g_ptr_array_add (result, cab_followup_patient_new (row, codes, statuses, CAB_FOLLOWUP_STATES_ALL));
    }
  readings_free (&scratch);

  /* Stable: within one urgency, the store's name order stays. */
  g_ptr_array_sort (result, compare_patients);
  return g_steal_pointer (&result);
}

/* --------------------------------------------------------------- patient */

static GPtrArray *
patient_conditions_and_rows (CabStore          *store,
                             CabFollowupRules  *rules,
                             const char        *patient_id,
                             CabPatientRow    **row,
                             char            ***codes,
                             GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  guint c = 0;

  *row = cab_store_get_patient (store, patient_id, &local_error);
  if (*row == NULL)
    {
      if (g_error_matches (local_error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_NO_PATIENT,
                             _("This patient is not in the local record"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  conditions = cab_store_list_conditions_with_prefixes (store, cab_followup_rules_get_prefixes (rules),
                                                        patient_id, error);
  if (conditions == NULL)
    {
      g_clear_pointer (row, cab_patient_row_free);
      return NULL;
    }
  *codes = counting_codes (conditions, &c, patient_id);
  return cab_store_list_observations_with_codes (store, cab_followup_rules_get_codes (rules),
                                                 patient_id, NULL, error);
}

CabFollowupPatient *
cab_followup_compute_patient (CabStore          *store,
                              CabFollowupRules  *rules,
                              const char        *patient_id,
                              const char        *today,
                              GError           **error)
{
  g_autoptr(GPtrArray) observations = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  CabPatientRow *row = NULL;
  char **codes = NULL;
  guint32 today_day;
  Readings scratch;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  if ((today_day = today_from (today, error)) == 0)
    return NULL;
  observations = patient_conditions_and_rows (store, rules, patient_id, &row, &codes, error);
  if (observations == NULL)
    {
      cab_patient_row_free (row);
      g_strfreev (codes);
      return NULL;
    }
  plan = cab_followup_plan (rules, (const char * const *) codes);
  readings_init (&scratch);
  statuses = assess_patient (rules, patient_id, plan, (CabStoreObservationRow * const *) observations->pdata,
                             observations->len, today_day, tz, &scratch);
  readings_free (&scratch);
  return cab_followup_patient_new (row, codes, statuses, CAB_FOLLOWUP_STATES_ALL);
}

/* ---------------------------------------------------------------- series */

void
cab_followup_series_data_free (CabFollowupSeriesData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->points, g_ptr_array_unref);
  g_clear_pointer (&data->medications, g_ptr_array_unref);
  g_clear_object (&data->status);
  g_free (data);
}

/* Days a prescription covers, from what it says (docs/domain.md,
 * "Treatment markers"). */
static guint32
cover_end (const CabStoreMedicationRow *m,
           guint32                      start,
           GTimeZone                   *tz)
{
  guint32 end = 0;
  double days = DEFAULT_COVER_DAYS;

  if (m->bounds_end != NULL)
    end = cab_followup_parse_day (m->bounds_end, tz);
  if (end == 0 && m->validity_end != NULL)
    end = cab_followup_parse_day (m->validity_end, tz);
  if (end >= start)
    return end;

  if (!isnan (m->supply_value) && m->supply_value > 0 && m->supply_value < 10000)
    {
      const char *u = m->supply_unit != NULL ? m->supply_unit : "d";
      double per = g_str_equal (u, "d") || g_str_has_prefix (u, "jour") || g_str_has_prefix (u, "day") ? 1
                 : g_str_equal (u, "wk") || g_str_has_prefix (u, "sem") || g_str_has_prefix (u, "week") ? 7
                 : g_str_equal (u, "mo") || g_str_has_prefix (u, "mois") || g_str_has_prefix (u, "month") ? 30.4375
                 : g_str_equal (u, "a") || g_str_has_prefix (u, "an") || g_str_has_prefix (u, "year") ? 365.25
                 : 0;

      if (per > 0)
        days = m->supply_value * per * (1 + m->repeats);
    }
  return start + (guint32) MIN (days, 3660);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  CabFollowupMedicationEvent *ea = *(CabFollowupMedicationEvent * const *) a;
  CabFollowupMedicationEvent *eb = *(CabFollowupMedicationEvent * const *) b;
  guint32 da = cab_followup_medication_event_get_day (ea);
  guint32 db = cab_followup_medication_event_get_day (eb);

  if (da != db)
    return da < db ? -1 : 1;
  return (int) cab_followup_medication_event_get_kind (ea) - (int) cab_followup_medication_event_get_kind (eb);
}

typedef struct
{
  const char *key;
  const CabStoreMedicationRow *first;
  guint32 start;
  guint32 end;
} Episode;

/* A treatment's markers: its start, and its stop when it ended by @today. */
static void
add_episode (GPtrArray     *events,
             const Episode *e,
             guint32        today)
{
  if (e->end - e->start < CHRONIC_MIN_DAYS)
    return;
  g_ptr_array_add (events, cab_followup_medication_event_new (e->start, CAB_FOLLOWUP_MEDICATION_START,
                                                              e->first->medication_display,
                                                              e->first->medication_code, e->first->id));
  if (e->end < today)
    g_ptr_array_add (events, cab_followup_medication_event_new (e->end, CAB_FOLLOWUP_MEDICATION_STOP,
                                                                e->first->medication_display,
                                                                e->first->medication_code, e->first->id));
}

static GPtrArray *
medication_events (GPtrArray *rows,
                   guint32    today,
                   GTimeZone *tz)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) open = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GHashTableIter iter;
  Episode *e;

  /* Rows come oldest first: each treatment (one medication code) is a run
   * of prescriptions renewed before the previous one ran out. */
  for (guint i = 0; i < rows->len; i++)
    {
      const CabStoreMedicationRow *m = g_ptr_array_index (rows, i);
      const char *key = m->medication_code != NULL ? m->medication_code : m->medication_display;
      guint32 day = cab_followup_parse_day (m->authored_on, tz);

      if (key == NULL || day == 0 || day > today ||
          g_strcmp0 (m->status, "entered-in-error") == 0 || g_strcmp0 (m->status, "cancelled") == 0 ||
          g_strcmp0 (m->status, "draft") == 0)
        continue;

      e = g_hash_table_lookup (open, key);
      if (e != NULL && day > e->end + RENEWAL_GRACE_DAYS)
        {
          add_episode (events, e, today);
          g_hash_table_remove (open, key);
          e = NULL;
        }
      if (e == NULL)
        {
          e = g_new0 (Episode, 1);
          e->key = key;
          e->first = m;
          e->start = day;
          e->end = day;
          g_hash_table_insert (open, (gpointer) key, e);
        }
      e->end = MAX (e->end, cover_end (m, day, tz));
    }

  g_hash_table_iter_init (&iter, open);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &e))
    add_episode (events, e, today);
  g_ptr_array_sort (events, compare_events);
  return events;
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  CabFollowupPoint *pa = *(CabFollowupPoint * const *) a;
  CabFollowupPoint *pb = *(CabFollowupPoint * const *) b;
  guint32 da = cab_followup_point_get_day (pa), db = cab_followup_point_get_day (pb);

  return da < db ? -1 : da > db ? 1 : 0;
}

CabFollowupSeriesData *
cab_followup_compute_series (CabStore          *store,
                             CabFollowupRules  *rules,
                             const char        *patient_id,
                             const char        *measure_id,
                             const char        *today,
                             GError           **error)
{
  g_autoptr(GPtrArray) observations = NULL;
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GPtrArray) medications = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(CabFollowupSeriesData) data = NULL;
  g_autoptr(CabPatientRow) row = NULL;
  g_auto(GStrv) codes = NULL;
  const CabFollowupMeasure *measure;
  const CabFollowupRule *rule = NULL;
  guint32 today_day;
  Readings readings;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  if ((measure = cab_followup_rules_lookup_measure (rules, measure_id)) == NULL)
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_MEASURE,
                           _("This measure is not in the follow-up rules"));
      return NULL;
    }
  if ((today_day = today_from (today, error)) == 0)
    return NULL;
  observations = patient_conditions_and_rows (store, rules, patient_id, &row, &codes, error);
  if (observations == NULL ||
      !(medications = cab_store_list_medication_requests (store, patient_id, error)))
    return NULL;

  plan = cab_followup_plan (rules, (const char * const *) codes);
  for (guint i = 0; i < plan->len; i++)
    if (((const CabFollowupRule *) g_ptr_array_index (plan, i))->measure == measure)
      rule = g_ptr_array_index (plan, i);

  data = g_new0 (CabFollowupSeriesData, 1);
  readings_init (&readings);
  collect_readings (measure, (CabStoreObservationRow * const *) observations->pdata, observations->len,
                    tz, &readings);
  data->points = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < readings.readings->len; i++)
    {
      const CabFollowupReading *r = &g_array_index (readings.readings, CabFollowupReading, i);

      if (r->day <= today_day)
        g_ptr_array_add (data->points,
                         cab_followup_point_new (measure, rule, r, g_array_index (readings.raw, double, i),
                                                 g_ptr_array_index (readings.raw_units, i)));
    }
  g_ptr_array_sort (data->points, compare_points);
  if (rule != NULL)
    {
      CabFollowupAssessment a;

      cab_followup_assess (rule, (const CabFollowupReading *) (gpointer) readings.readings->data,
                           readings.readings->len, today_day, &a);
      data->status = cab_followup_status_new (rules, patient_id, &a, code_of (&readings, &a));
    }
  readings_free (&readings);
  data->medications = medication_events (medications, today_day, tz);
  return g_steal_pointer (&data);
}

/* ----------------------------------------------------------------- async */

typedef struct
{
  CabFollowupRules *rules;
  char             *patient_id;
  char             *measure_id;
  char             *today;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_clear_object (&data->rules);
  g_free (data->patient_id);
  g_free (data->measure_id);
  g_free (data->today);
  g_free (data);
}

static QueryData *
query_data_new (CabFollowupRules *rules,
                const char       *patient_id,
                const char       *measure_id,
                const char       *today)
{
  QueryData *data = g_new0 (QueryData, 1);

  data->rules = g_object_ref (rules);
  data->patient_id = g_strdup (patient_id);
  data->measure_id = g_strdup (measure_id);
  data->today = g_strdup (today);
  return data;
}

static void
worklist_query (GTask        *task,
                CabStore     *store,
                gpointer      task_data,
                GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  GPtrArray *patients = cab_followup_compute_worklist (store, data->rules, data->today, &error);

  if (patients == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, patients, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_followup_query_worklist_async (CabStore            *store,
                                   CabFollowupRules    *rules,
                                   const char          *today,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (CAB_IS_FOLLOWUP_RULES (rules));

  cab_query_start (store, cab_followup_query_worklist_async,
                   query_data_new (rules, NULL, NULL, today), (GDestroyNotify) query_data_free,
                   worklist_query, cancellable, callback, user_data);
}

GPtrArray *
cab_followup_query_worklist_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return cab_query_finish_pointer (result, cab_followup_query_worklist_async, error);
}

static void
patient_query (GTask        *task,
               CabStore     *store,
               gpointer      task_data,
               GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  CabFollowupPatient *patient = cab_followup_compute_patient (store, data->rules, data->patient_id,
                                                              data->today, &error);

  if (patient == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, patient, g_object_unref);
}

void
cab_followup_query_patient_async (CabStore            *store,
                                  CabFollowupRules    *rules,
                                  const char          *patient_id,
                                  const char          *today,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (CAB_IS_FOLLOWUP_RULES (rules));
  g_return_if_fail (patient_id != NULL);

  cab_query_start (store, cab_followup_query_patient_async,
                   query_data_new (rules, patient_id, NULL, today), (GDestroyNotify) query_data_free,
                   patient_query, cancellable, callback, user_data);
}

CabFollowupPatient *
cab_followup_query_patient_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return cab_query_finish_pointer (result, cab_followup_query_patient_async, error);
}

static void
series_query (GTask        *task,
              CabStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *data = task_data;
  GError *error = NULL;
  CabFollowupSeriesData *series = cab_followup_compute_series (store, data->rules, data->patient_id,
                                                               data->measure_id, data->today, &error);

  if (series == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, series, (GDestroyNotify) cab_followup_series_data_free);
}

void
cab_followup_query_series_async (CabStore            *store,
                                 CabFollowupRules    *rules,
                                 const char          *patient_id,
                                 const char          *measure_id,
                                 const char          *today,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (CAB_IS_FOLLOWUP_RULES (rules));
  g_return_if_fail (patient_id != NULL && measure_id != NULL);

  cab_query_start (store, cab_followup_query_series_async,
                   query_data_new (rules, patient_id, measure_id, today), (GDestroyNotify) query_data_free,
                   series_query, cancellable, callback, user_data);
}

CabFollowupSeriesData *
cab_followup_query_series_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return cab_query_finish_pointer (result, cab_followup_query_series_async, error);
}

/* ---------------------------------------------------------------- filter */

/* Lower case, accents dropped: "Hélène" and "helene" match. */
static char *
fold (const char *text)
{
  g_autofree char *nfd = NULL;
  GString *out;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  nfd = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  out = g_string_new (NULL);
  for (const char *p = nfd; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      g_string_append_unichar (out, g_unichar_tolower (c));
    }
  return g_string_free (out, FALSE);
}

static char *
searchable_text (const CabPatientRow *row)
{
  const CabPatient *p = &row->patient;
  g_autofree char *birth = NULL;
  g_autofree char *joined = NULL;

  /* "1954-03-12" also as typed in France: "12/03/1954". */
  if (p->birth_date != NULL && strlen (p->birth_date) == 10)
    birth = g_strdup_printf ("%.2s/%.2s/%.4s", p->birth_date + 8, p->birth_date + 5, p->birth_date);
  joined = g_strjoin (" ", p->family != NULL ? p->family : "", p->birth_name != NULL ? p->birth_name : "",
                      p->given != NULL ? p->given : "", p->ins != NULL ? p->ins : "",
                      p->birth_date != NULL ? p->birth_date : "", birth != NULL ? birth : "", NULL);
  return fold (joined);
}

GPtrArray *
cab_followup_filter_worklist (CabFollowupRules        *rules,
                              GPtrArray               *patients,
                              const CabFollowupFilter *filter)
{
  g_autofree const CabFollowupMeasure **measures = NULL;
  g_auto(GStrv) words = NULL;
  g_autofree char *folded = NULL;
  GPtrArray *out;

  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);
  g_return_val_if_fail (patients != NULL && filter != NULL, NULL);

  if (filter->condition != NULL)
    {
      guint n = 0;

      measures = g_new0 (const CabFollowupMeasure *, cab_followup_rules_get_n_rules (rules) + 1);
      for (guint i = 0; i < cab_followup_rules_get_n_rules (rules); i++)
        {
          const CabFollowupRule *rule = cab_followup_rules_get_rule (rules, i);

          if (g_ascii_strcasecmp (rule->condition, filter->condition) == 0)
            measures[n++] = rule->measure;
        }
    }
  if (filter->text != NULL && *filter->text != '\0')
    {
      folded = fold (filter->text);
      words = g_strsplit_set (folded, " \t", -1);
    }

  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < patients->len; i++)
    {
      CabFollowupPatient *patient = g_ptr_array_index (patients, i);
      const CabPatientRow *row = cab_followup_patient_get_row (patient);
      g_autoptr(CabFollowupPatient) kept = NULL;

      if (filter->gp != NULL && g_strcmp0 (row->patient.gp_reference, filter->gp) != 0)
        continue;
      if (filter->condition != NULL)
        {
          const char * const *codes = cab_followup_patient_get_conditions (patient);
          gboolean has = FALSE;

          for (guint c = 0; codes[c] != NULL && !has; c++)
            has = g_ascii_strncasecmp (codes[c], filter->condition, strlen (filter->condition)) == 0;
          if (!has)
            continue;
        }
      if (words != NULL)
        {
          g_autofree char *haystack = searchable_text (row);
          gboolean all = TRUE;

          for (guint w = 0; words[w] != NULL && all; w++)
            all = *words[w] == '\0' || strstr (haystack, words[w]) != NULL;
          if (!all)
            continue;
        }
      kept = cab_followup_patient_filtered (patient, filter->states, measures);
      if (g_list_model_get_n_items (cab_followup_patient_get_measures (kept)) > 0)
        g_ptr_array_add (out, g_steal_pointer (&kept));
    }
  /* Stable: urgency of what is kept, then the worklist's order. */
  g_ptr_array_sort (out, compare_patients);
  return out;
}
