/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-drug-db.h"
#include "cab-drug-interactions.h"
#include "cab-prescribe.h"
#include "cab-prescriber.h"
#include "cab-prescription-id.h"
#include "cab-prescription-pdf.h"
#include "cab-prescription-rules.h"

void
cab_prescribe_result_clear (CabPrescribeResult *result)
{
  g_clear_pointer (&result->prescription, cab_prescription_free);
  g_clear_pointer (&result->pdf, g_bytes_unref);
  g_clear_pointer (&result->prescriber, cab_prescriber_free);
  g_clear_pointer (&result->patient, cab_patient_row_free);
  g_clear_pointer (&result->document_id, g_free);
  result->registration_entry = 0;
  result->publish_entry = 0;
  result->bizone = FALSE;
}

GBytes *
cab_prescribe_result_render (const CabPrescribeResult *result,
                             gboolean                  pending_registration,
                             GError                  **error)
{
  CabPrescriptionPrint print = { 0 };

  g_return_val_if_fail (result != NULL && result->prescription != NULL, NULL);

  print.rx = result->prescription;
  print.prescriber = result->prescriber;
  print.patient = &result->patient->patient;
  print.bizone = result->bizone;
  print.pending_registration = pending_registration;
  return cab_prescription_pdf_render (&print, error);
}

/* "GLUCOPHAGE 1000 mg, comprimé pelliculé" -> "GLUCOPHAGE": the words
 * before the first that starts with a digit, or before the comma. */
static char *
brand_of (const char *name)
{
  g_auto(GStrv) words = NULL;
  g_autofree char *head = NULL;
  GString *s = g_string_new (NULL);
  const char *comma = strchr (name, ',');

  head = comma != NULL ? g_strndup (name, (gsize) (comma - name)) : g_strdup (name);
  words = g_strsplit (g_strstrip (head), " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_ascii_isdigit (words[i][0]) && s->len > 0)
        break;
      if (*words[i] != '\0')
        g_string_append_printf (s, "%s%s", s->len ? " " : "", words[i]);
    }
  return g_string_free (s, FALSE);
}

gboolean
cab_prescribe_capture_medicine (CabStore    *store,
                                const char  *cis,
                                CabMedicine *medicine,
                                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CabDrug) drug = cab_drug_db_get (store, cis, &local_error);
  g_autoptr(GString) dci = g_string_new (NULL);
  g_autoptr(GString) strength = g_string_new (NULL);
  g_autoptr(GStrvBuilder) substances = g_strv_builder_new ();

  if (drug == NULL)
    {
      if (local_error->domain == CAB_DRUG_ERROR)
        {
          g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE,
                       _("CIS %s is not in the drug database (import a BDPM release with "
                         "cabinetctl drugs import)"), cis);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The DCI is the therapeutic moiety (FT) when the database names one for
   * an active substance (SA): "metformine", not "chlorhydrate de metformine". */
  for (guint i = 0; i < drug->substances->len; i++)
    {
      const CabDrugSubstance *s = g_ptr_array_index (drug->substances, i);
      const CabDrugSubstance *shown = s;
      g_autofree char *lower = NULL;

      if (g_strcmp0 (s->nature, "SA") != 0)
        continue;
      for (guint j = 0; j < drug->substances->len; j++)
        {
          const CabDrugSubstance *f = g_ptr_array_index (drug->substances, j);

          if (g_strcmp0 (f->nature, "FT") == 0 && f->link == s->link && s->link != 0)
            shown = f;
        }
      g_strv_builder_add (substances, s->name);
      if (shown != s)
        g_strv_builder_add (substances, shown->name);
      /* The moiety's name ("METFORMINE BASE" -> "metformine") with the
       * strength the box states, the active substance's (1000 mg, not the
       * 780 mg of base it holds). */
      lower = g_utf8_strdown (shown->name, -1);
      if (shown != s && g_str_has_suffix (lower, " base"))
        lower[strlen (lower) - strlen (" base")] = '\0';
      g_string_append_printf (dci, "%s%s", dci->len ? " + " : "", lower);
      if (s->strength != NULL)
        {
          g_string_append_printf (dci, " %s", s->strength);
          g_string_append_printf (strength, "%s%s", strength->len ? " + " : "", s->strength);
        }
      else if (shown != s && shown->strength != NULL)
        {
          /* Only the moiety has one (AMLODIPINE ALMUS 5 mg: "AMLODIPINE
           * 5,00 mg" beside "BÉSILATE D'AMLODIPINE"): a line in DCI states
           * its strength, as the box does ("5 mg"). */
          g_autofree char *tidy = cab_drug_strength_tidy (shown->strength);

          g_string_append_printf (dci, " %s", tidy);
          g_string_append_printf (strength, "%s%s", strength->len ? " + " : "", tidy);
        }
    }
  if (drug->form != NULL && dci->len > 0)
    g_string_append_printf (dci, ", %s", drug->form);

  medicine->dci = dci->len > 0 ? g_strdup (dci->str) : NULL;
  medicine->brand = brand_of (drug->name);
  medicine->form = g_strdup (drug->form);
  medicine->strength = strength->len > 0 ? g_strdup (strength->str) : NULL;
  medicine->substances = g_strv_builder_end (substances);
  return TRUE;
}

/* Facts about the patient the rules need, from the store. */
typedef struct
{
  gboolean  has_ald;
  gboolean  excipient_intolerance;
} PatientFacts;

static gboolean
read_facts (CabStore     *store,
            const char   *patient_id,
            PatientFacts *facts,
            GError      **error)
{
  g_autoptr(GPtrArray) conditions = cab_store_list_conditions (store, patient_id, error);
  g_autoptr(GPtrArray) allergies = NULL;
  g_autoptr(GError) local_error = NULL;

  if (conditions == NULL)
    return FALSE;
  for (guint i = 0; i < conditions->len; i++)
    {
      const CabCondition *c = g_ptr_array_index (conditions, i);

      if (c->ald && (c->clinical_status == NULL || g_str_equal (c->clinical_status, "active") ||
                     g_str_equal (c->clinical_status, "recurrence") ||
                     g_str_equal (c->clinical_status, "relapse")))
        facts->has_ald = TRUE;
    }

  /* BDPM lists no excipients per medicine: a recorded intolerance to a
   * known excipient is what justifies CIF (docs/domain.md). */
  allergies = cab_drug_list_allergies (store, patient_id, &local_error);
  if (allergies == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (guint i = 0; i < allergies->len; i++)
    if (((CabAllergy *) g_ptr_array_index (allergies, i))->is_excipient)
      facts->excipient_intolerance = TRUE;
  return TRUE;
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static CabPrescription *
copy_prescription (const CabPrescription  *rx,
                   GError                **error)
{
  g_autofree char *json = cab_prescription_to_string (rx);

  return cab_prescription_from_json (json, -1, error);
}

gboolean
cab_prescribe (CabStore                  *store,
               CabOutbox                 *outbox,
               CabErxService             *service,
               const CabPrescribeRequest *request,
               CabPrescribeResult        *result,
               GError                   **error)
{
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(CabPrescription) rx = NULL;
  g_autoptr(CabPrescriber) prescriber = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *rx_json = NULL;
  g_autofree gboolean *intolerance = NULL;
  g_autofree char *date_long = NULL;
  g_autofree char *title = NULL;
  g_autofree char *label = NULL;
  PatientFacts facts = { 0 };
  CabPrescriptionFacts rule_facts = { 0 };
  CabPrescriptionPrint print = { 0 };
  CabErxRegistration registration = { 0 };
  CabOutboxPrescription queued = { 0 };
  g_autoptr(CabOutboxEntry) entry = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store) && CAB_IS_OUTBOX (outbox) && CAB_IS_ERX_SERVICE (service), FALSE);
  g_return_val_if_fail (request != NULL && request->patient_id != NULL && request->prescription != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  if ((patient = cab_store_get_patient (store, request->patient_id, error)) == NULL ||
      (rx = copy_prescription (request->prescription, error)) == NULL)
    return FALSE;
  if (rx->date == NULL)
    rx->date = today ();

  /* Labels as the drug database gives them today; a line that carries
   * its own (a renewal of an older prescription) keeps them if the CIS is
   * gone from the database. */
  for (guint i = 0; i < rx->lines->len; i++)
    {
      CabPrescriptionLine *line = g_ptr_array_index (rx->lines, i);
      CabMedicine captured = { 0 };
      g_autoptr(GError) capture_error = NULL;

      if (cab_prescribe_capture_medicine (store, line->medicine.cis, &captured, &capture_error))
        {
          captured.cis = g_strdup (line->medicine.cis);
          cab_medicine_clear (&line->medicine);
          line->medicine = captured;
        }
      else if (!g_error_matches (capture_error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE) ||
               (line->medicine.dci == NULL && line->medicine.brand == NULL))
        {
          g_autofree char *message = g_strdup_printf (_("Line %u: %s"), i + 1, capture_error->message);

          g_set_error_literal (error, capture_error->domain, capture_error->code, message);
          return FALSE;
        }
    }

  if (!read_facts (store, request->patient_id, &facts, error))
    return FALSE;
  intolerance = g_new0 (gboolean, rx->lines->len + 1);
  for (guint i = 0; i < rx->lines->len; i++)
    intolerance[i] = facts.excipient_intolerance;
  rule_facts.birth_date = patient->patient.birth_date;
  rule_facts.has_ald = facts.has_ald;
  rule_facts.intolerance = intolerance;
  if (!cab_prescription_check (rx, &rule_facts, error))
    return FALSE;

  prescriber = cab_prescriber_load (store,
                                    request->prescriber != NULL ? request->prescriber
                                                                : patient->patient.gp_reference,
                                    request->organization, error);
  if (prescriber == NULL)
    return FALSE;

  rx->id = cab_prescription_id_generate ();
  print.rx = rx;
  print.prescriber = prescriber;
  print.patient = &patient->patient;
  print.bizone = facts.has_ald;
  print.pending_registration = request->pending_registration;
  if ((pdf = cab_prescription_pdf_render (&print, error)) == NULL)
    return FALSE;

  registration.rx = rx;
  registration.patient_id = request->patient_id;
  registration.patient = &patient->patient;
  registration.prescriber = prescriber;
  body = cab_erx_service_build_request (service, &registration);
  body_text = json_to_string (body, FALSE);
  rx_json = cab_prescription_to_string (rx);
  date_long = cab_prescription_format_date_long (rx->date);
  /* French: the title of a French document, as in the timeline and the DMP. */
  title = g_strconcat ("Ordonnance du ", date_long, NULL);
  label = cab_prescription_id_format (rx->id);

  queued.patient_id = request->patient_id;
  queued.prescription_id = rx->id;
  queued.authored_on = rx->date;
  queued.prescription_json = rx_json;
  queued.author = prescriber->reference;
  queued.pdf = pdf;
  queued.title = title;
  queued.service_path = cab_erx_service_get_path (service);
  queued.identifier_system = cab_erx_service_get_identifier_system (service);
  queued.request_json = body_text;
  queued.label = label;
  if (!cab_outbox_enqueue_prescription (outbox, &queued, &result->registration_entry,
                                        &result->publish_entry, error))
    return FALSE;
  /* The printed copy's document, which the registration acts on: what a
   * message to the patient attaches. */
  entry = cab_store_outbox_get (store, result->registration_entry, error);
  if (entry == NULL)
    return FALSE;
  result->document_id = g_strdup (entry->document_id);

  result->prescription = g_steal_pointer (&rx);
  result->pdf = g_steal_pointer (&pdf);
  result->prescriber = g_steal_pointer (&prescriber);
  result->patient = g_steal_pointer (&patient);
  result->bizone = facts.has_ald;
  return TRUE;
}

/* ------------------------------------------------------------------ async */

typedef struct
{
  CabStore            *store;
  CabOutbox           *outbox;
  CabErxService       *service;
  char                *patient_id;
  CabPrescription     *prescription;
  char                *prescriber;
  char                *organization;
  gboolean             pending;
  CabPrescribeResult   result;
} PrescribeData;

static void
prescribe_data_free (PrescribeData *data)
{
  g_object_unref (data->store);
  g_object_unref (data->outbox);
  g_object_unref (data->service);
  g_free (data->patient_id);
  cab_prescription_free (data->prescription);
  g_free (data->prescriber);
  g_free (data->organization);
  cab_prescribe_result_clear (&data->result);
  g_free (data);
}

static void
prescribe_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PrescribeData *data = task_data;
  CabPrescribeRequest request = {
    data->patient_id, data->prescription, data->prescriber, data->organization, data->pending
  };
  GError *error = NULL;

  if (!cab_prescribe (data->store, data->outbox, data->service, &request, &data->result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_prescribe_async (CabStore                  *store,
                     CabOutbox                 *outbox,
                     CabErxService             *service,
                     const CabPrescribeRequest *request,
                     GCancellable              *cancellable,
                     GAsyncReadyCallback        callback,
                     gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  PrescribeData *data = g_new0 (PrescribeData, 1);

  g_task_set_source_tag (task, cab_prescribe_async);
  data->store = g_object_ref (store);
  data->outbox = g_object_ref (outbox);
  data->service = g_object_ref (service);
  data->patient_id = g_strdup (request->patient_id);
  data->prescription = copy_prescription (request->prescription, &error);
  data->prescriber = g_strdup (request->prescriber);
  data->organization = g_strdup (request->organization);
  data->pending = request->pending_registration;
  g_task_set_task_data (task, data, (GDestroyNotify) prescribe_data_free);
  if (data->prescription == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_run_in_thread (task, prescribe_thread);
}

gboolean
cab_prescribe_finish (GAsyncResult        *result,
                      CabPrescribeResult  *out,
                      GError             **error)
{
  PrescribeData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prescribe_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  *out = data->result;
  memset (&data->result, 0, sizeof data->result);
  return TRUE;
}
