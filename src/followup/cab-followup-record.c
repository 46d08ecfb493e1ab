/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cab-fhir-resource.h"
#include "cab-followup-engine.h"
#include "cab-followup-queries.h"
#include "cab-followup-record.h"

#define SYSTEM_UCUM        "http://unitsofmeasure.org"
#define SYSTEM_OBS_CAT     "http://terminology.hl7.org/CodeSystem/observation-category"

/* Longest text a typed value may be: "300/200" and a little room. */
#define MAX_VALUE_TEXT 16

static gboolean
value_error (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_VALUE, message);
  return FALSE;
}

/* A decimal number, "72.5" or "72,5", nothing else around it. */
static gboolean
parse_number (const char *text,
              double     *out)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  char *comma;

  if (text == NULL || *text == '\0' || !g_ascii_isdigit (*text))
    return FALSE;
  copy = g_strdup (text);
  if ((comma = strchr (copy, ',')) != NULL)
    *comma = '.';
  *out = g_ascii_strtod (copy, &end);
  return end != NULL && *end == '\0' && isfinite (*out);
}

gboolean
cab_followup_parse_value (const CabFollowupMeasure *measure,
                          const char               *text,
                          double                   *value,
                          double                   *diastolic,
                          GError                  **error)
{
  g_autofree char *trimmed = NULL;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (measure != NULL && value != NULL && diastolic != NULL, FALSE);

  *value = *diastolic = NAN;
  if (text == NULL || strlen (text) > MAX_VALUE_TEXT || !g_utf8_validate (text, -1, NULL))
    return value_error (error, _("The value is too long"));
  trimmed = g_strstrip (g_strdup (text));

  switch (measure->kind)
    {
    case CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE:
      parts = g_strsplit (trimmed, "/", 3);
      if (g_strv_length (parts) != 2 || !parse_number (g_strstrip (parts[0]), value) ||
          !parse_number (g_strstrip (parts[1]), diastolic))
        return value_error (error, _("Write the blood pressure as systolic/diastolic in mmHg, for example 135/85"));
      if (*value < measure->min_value || *value > measure->max_value ||
          *diastolic < measure->min_value || *diastolic > measure->max_value)
        return value_error (error, _("This blood pressure is outside what can be measured: check it"));
      if (*diastolic >= *value)
        return value_error (error, _("The diastolic pressure must be lower than the systolic"));
      return TRUE;

    case CAB_FOLLOWUP_VALUE_GRADE:
      if (!parse_number (trimmed, value) || *value != floor (*value) ||
          *value < measure->min_value || *value > measure->max_value)
        {
          g_autofree char *message = g_strdup_printf (_("Write the grade as a whole number from %g to %g"),
                                                      measure->min_value, measure->max_value);
          return value_error (error, message);
        }
      return TRUE;

    case CAB_FOLLOWUP_VALUE_QUANTITY:
    default:
      if (!parse_number (trimmed, value))
        return value_error (error, _("Write the value as a number, for example 72.5"));
      if (*value < measure->min_value || *value > measure->max_value)
        return value_error (error, _("This value is outside what can be measured: check it"));
      return TRUE;
    }
}

static JsonObject *
coding (const char *system,
        const char *code,
        const char *display)
{
  JsonObject *concept = json_object_new ();
  JsonArray *codings = json_array_new ();
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "system", system);
  json_object_set_string_member (c, "code", code);
  if (display != NULL)
    json_object_set_string_member (c, "display", display);
  json_array_add_object_element (codings, c);
  json_object_set_array_member (concept, "coding", codings);
  if (display != NULL)
    json_object_set_string_member (concept, "text", display);
  return concept;
}

static JsonObject *
quantity (double      value,
          const char *unit,
          const char *ucum)
{
  JsonObject *q = json_object_new ();

  json_object_set_double_member (q, "value", value);
  json_object_set_string_member (q, "unit", unit);
  json_object_set_string_member (q, "system", SYSTEM_UCUM);
  json_object_set_string_member (q, "code", ucum);
  return q;
}

static JsonObject *
component (const char *code,
           const char *display,
           double      value)
{
  JsonObject *c = json_object_new ();

  json_object_set_object_member (c, "code", coding (CAB_SYSTEM_LOINC, code, display));
  json_object_set_object_member (c, "valueQuantity", quantity (value, "mmHg", "mm[Hg]"));
  return c;
}

/* @effective: a date or dateTime, not after today; NULL is now. */
static char *
check_effective (const char  *effective,
                 GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  guint32 day;

  if (effective == NULL)
    return g_date_time_format_iso8601 (now);
  if (strlen (effective) > 40 || (day = cab_followup_parse_day (effective, NULL)) == 0 ||
      strlen (effective) < 10)
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_DATE,
                           _("The date must be written YYYY-MM-DD"));
      return NULL;
    }
  if (day > cab_followup_parse_day (today, NULL))
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_DATE,
                           _("A measure cannot be dated in the future"));
      return NULL;
    }
  return g_strdup (effective);
}

JsonObject *
cab_followup_build_observation (const CabFollowupMeasure *measure,
                                const char               *patient_id,
                                double                    value,
                                double                    diastolic,
                                const char               *effective,
                                const char               *performer,
                                GError                  **error)
{
  g_autoptr(JsonObject) o = NULL;
  g_autofree char *when = NULL;
  g_autofree char *subject = NULL;
  JsonArray *categories;
  JsonObject *ref;

  g_return_val_if_fail (measure != NULL && patient_id != NULL, NULL);

  if (!cab_fhir_id_is_valid (patient_id))
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_NO_PATIENT,
                           _("This patient is not in the local record"));
      return NULL;
    }
  if (isnan (value) || (measure->kind == CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE && isnan (diastolic)))
    {
      g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_VALUE,
                           _("The value is missing"));
      return NULL;
    }
  if (!(when = check_effective (effective, error)))
    return NULL;

  o = json_object_new ();
  json_object_set_string_member (o, "resourceType", "Observation");
  json_object_set_string_member (o, "status", "final");
  categories = json_array_new ();
  json_array_add_object_element (categories,
                                 coding (SYSTEM_OBS_CAT,
                                         measure->kind == CAB_FOLLOWUP_VALUE_GRADE ? "exam" : "vital-signs",
                                         NULL));
  json_object_set_array_member (o, "category", categories);
  json_object_set_object_member (o, "code", coding (measure->code_system, measure->codes[0], measure->name_en));
  subject = g_strconcat ("Patient/", patient_id, NULL);
  ref = json_object_new ();
  json_object_set_string_member (ref, "reference", subject);
  json_object_set_object_member (o, "subject", ref);
  json_object_set_string_member (o, "effectiveDateTime", when);
  if (performer != NULL)
    {
      JsonArray *performers = json_array_new ();

      ref = json_object_new ();
      json_object_set_string_member (ref, "reference", performer);
      json_array_add_object_element (performers, ref);
      json_object_set_array_member (o, "performer", performers);
    }

  switch (measure->kind)
    {
    case CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE:
      {
        JsonArray *components = json_array_new ();

        json_array_add_object_element (components, component (measure->systolic_code,
                                                              "Systolic blood pressure", value));
        json_array_add_object_element (components, component (measure->diastolic_code,
                                                              "Diastolic blood pressure", diastolic));
        json_object_set_array_member (o, "component", components);
      }
      break;
    case CAB_FOLLOWUP_VALUE_GRADE:
      json_object_set_int_member (o, "valueInteger", (gint64) value);
      break;
    case CAB_FOLLOWUP_VALUE_QUANTITY:
    default:
      /* The measure's unit is also its UCUM code for what can be recorded (kg). */
      json_object_set_object_member (o, "valueQuantity", quantity (value, measure->unit, measure->unit));
      break;
    }
  return g_steal_pointer (&o);
}

static gboolean
can_record (const CabFollowupMeasure  *measure,
            GError                   **error)
{
  /* What a nurse measures at the patient's side; lab results come from labs. */
  if (g_str_equal (measure->id, "bp") || g_str_equal (measure->id, "weight") ||
      g_str_equal (measure->id, "foot"))
    return TRUE;
  g_set_error_literal (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_MEASURE,
                       _("Only a blood pressure, a weight or a foot examination can be recorded"));
  return FALSE;
}

gboolean
cab_followup_record (CabOutbox                *outbox,
                     const CabFollowupMeasure *measure,
                     const char               *patient_id,
                     double                    value,
                     double                    diastolic,
                     const char               *effective,
                     const char               *performer,
                     gint64                   *entry_id,
                     GError                  **error)
{
  g_autoptr(JsonObject) observation = NULL;
  g_autoptr(JsonObject) summaries = json_object_new ();

  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), FALSE);
  g_return_val_if_fail (measure != NULL && patient_id != NULL, FALSE);

  if (!can_record (measure, error))
    return FALSE;
  observation = cab_followup_build_observation (measure, patient_id, value, diastolic, effective,
                                                performer, error);
  if (observation == NULL)
    return FALSE;
  /* The Outbox's title in each language, picked when shown (a measure
   * recorded under LANG=C reads in French on a French desk). */
  for (guint i = 0; i < 2; i++)
    {
      gboolean french = i == 1;
      g_autofree char *text = cab_followup_format_value (measure, value, diastolic, french);
      g_autofree char *summary = g_strdup_printf ("%s %s%s%s", french ? measure->name_fr : measure->name_en,
                                                  text, *measure->unit != '\0' ? " " : "", measure->unit);

      json_object_set_string_member (summaries, french ? "fr" : "en", summary);
    }
  return cab_outbox_create_resource (outbox, patient_id, observation, summaries, entry_id, NULL, error);
}

typedef struct
{
  const CabFollowupMeasure *measure;
  char                     *patient_id;
  double                    value;
  double                    diastolic;
  char                     *effective;
  char                     *performer;
} RecordData;

static void
record_data_free (RecordData *data)
{
  g_free (data->patient_id);
  g_free (data->effective);
  g_free (data->performer);
  g_free (data);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordData *data = task_data;
  GError *error = NULL;
  gint64 id = 0;

  if (!cab_followup_record (CAB_OUTBOX (source_object), data->measure, data->patient_id, data->value,
                            data->diastolic, data->effective, data->performer, &id, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

void
cab_followup_record_async (CabOutbox                *outbox,
                           const CabFollowupMeasure *measure,
                           const char               *patient_id,
                           double                    value,
                           double                    diastolic,
                           const char               *effective,
                           const char               *performer,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  RecordData *data;

  g_return_if_fail (CAB_IS_OUTBOX (outbox));
  g_return_if_fail (measure != NULL && patient_id != NULL);

  data = g_new0 (RecordData, 1);
  data->measure = measure;
  data->patient_id = g_strdup (patient_id);
  data->value = value;
  data->diastolic = diastolic;
  data->effective = g_strdup (effective);
  data->performer = g_strdup (performer);

  /* A store write: off the main thread, like the outbox's own wrappers. */
  task = g_task_new (outbox, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_followup_record_async);
  g_task_set_name (task, "cab-followup record");
  g_task_set_task_data (task, data, (GDestroyNotify) record_data_free);
  g_task_run_in_thread (task, record_thread);
}

gint64
cab_followup_record_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), 0);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_followup_record_async), 0);

  return g_task_propagate_int (G_TASK (result), error);
}
