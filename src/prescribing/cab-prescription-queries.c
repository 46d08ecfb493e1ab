/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prescription editor's async queries, on core's reader pool (cab-query.h). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "cab-drug-private.h"
#include "cab-prescription-pdf.h"
#include "cab-prescription-queries.h"
#include "cab-query.h"

void
cab_current_treatment_free (CabCurrentTreatment *treatment)
{
  if (treatment == NULL)
    return;
  g_free (treatment->request_id);
  g_free (treatment->code);
  g_free (treatment->display);
  g_free (treatment->dosage_text);
  g_free (treatment->authored_on);
  g_clear_pointer (&treatment->drug, cab_drug_free);
  g_free (treatment);
}

void
cab_prescription_context_free (CabPrescriptionContext *context)
{
  if (context == NULL)
    return;
  g_clear_pointer (&context->patient, cab_patient_row_free);
  g_clear_pointer (&context->allergies, g_ptr_array_unref);
  g_clear_pointer (&context->treatments, g_ptr_array_unref);
  g_clear_pointer (&context->prescriber, cab_prescriber_free);
  g_clear_pointer (&context->last_prescription, cab_prescription_free);
  g_free (context);
}

void
cab_prescription_check_free (CabPrescriptionCheck *check)
{
  if (check == NULL)
    return;
  g_clear_pointer (&check->interactions, cab_drug_interaction_report_free);
  g_clear_pointer (&check->allergies, g_ptr_array_unref);
  g_free (check);
}

/* ------------------------------------------------------------------ context */

/* Same test as the rules' (cab-prescribe): an ALD condition still active. */
static gboolean
condition_is_active_ald (const CabCondition *c)
{
  if (!c->ald)
    return FALSE;
  if (c->verification_status != NULL &&
      (g_str_equal (c->verification_status, "refuted") ||
       g_str_equal (c->verification_status, "entered-in-error")))
    return FALSE;
  return c->clinical_status == NULL || g_str_equal (c->clinical_status, "active") ||
         g_str_equal (c->clinical_status, "recurrence") || g_str_equal (c->clinical_status, "relapse");
}

static GPtrArray *
list_treatments (CabStore     *store,
                 const char   *patient_id,
                 GError      **error)
{
  static const char sql[] =
    "SELECT id, medication_code, medication_display, dosage_text, authored_on FROM medication_requests"
    " WHERE patient_id = ? AND status = 'active' ORDER BY authored_on DESC, id LIMIT ?";
  g_autoptr(GPtrArray) treatments = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_current_treatment_free);
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (reader == NULL || !(stmt = cab_store_conn_prepare_static (reader, sql, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, patient_id);
  sqlite3_bind_int (stmt, 2, CAB_PRESCRIPTION_MAX_TREATMENTS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabCurrentTreatment *t = g_new0 (CabCurrentTreatment, 1);

      t->request_id = cab_stmt_dup_text (stmt, 0);
      t->code = cab_stmt_dup_text (stmt, 1);
      t->display = cab_stmt_dup_text (stmt, 2);
      t->dosage_text = cab_stmt_dup_text (stmt, 3);
      t->authored_on = cab_stmt_dup_text (stmt, 4);
      g_ptr_array_add (treatments, t);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the current treatments");
      return NULL;
    }
  g_clear_pointer (&stmt, cab_stmt_release);
  g_clear_pointer (&reader, cab_store_reader_release);

  /* The medicine behind each CIS, for a renewal and to name it. */
  for (guint i = 0; i < treatments->len; i++)
    {
      CabCurrentTreatment *t = g_ptr_array_index (treatments, i);
      g_autoptr(GError) local_error = NULL;

      if (t->code == NULL || !cab_drug_cis_is_valid (t->code))
        continue;
      t->drug = cab_drug_db_get (store, t->code, &local_error);
      if (t->drug == NULL && !g_error_matches (local_error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NOT_FOUND) &&
          !g_error_matches (local_error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NO_DATABASE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  return g_steal_pointer (&treatments);
}

/* The patient's latest prescription as written (its lines, labels and
 * dosages), for a renewal in one action. A stored copy that no longer
 * reads is left out, not an error: the editor still opens. */
static gboolean
load_last_prescription (CabStore                *store,
                        const char              *patient_id,
                        CabPrescriptionContext  *context,
                        GError                 **error)
{
  static const char sql[] =
    "SELECT json FROM prescriptions WHERE patient_id = ? ORDER BY authored_on DESC, created_at DESC LIMIT 1";
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *json = NULL;
  int rc;

  if (reader == NULL || !(stmt = cab_store_conn_prepare_static (reader, sql, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    json = cab_stmt_dup_text (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read the last prescription");
      return FALSE;
    }
  if (json != NULL &&
      !(context->last_prescription = cab_prescription_from_json (json, -1, &parse_error)))
    g_debug ("The last prescription does not read: %s", parse_error->message);
  return TRUE;
}

static void
context_query (GTask        *task,
               CabStore     *store,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *patient_id = task_data;
  g_autoptr(CabPrescriptionContext) context = g_new0 (CabPrescriptionContext, 1);
  g_autoptr(GPtrArray) conditions = NULL;
  g_autoptr(CabDrugDbStatus) status = NULL;
  g_autoptr(GError) prescriber_error = NULL;
  GError *error = NULL;

  if (!(context->patient = cab_store_get_patient (store, patient_id, &error)) ||
      !(conditions = cab_store_list_conditions (store, patient_id, &error)) ||
      !(context->allergies = cab_drug_list_allergies (store, patient_id, &error)) ||
      !(context->treatments = list_treatments (store, patient_id, &error)) ||
      !(status = cab_drug_db_get_status (store, &error)) ||
      !load_last_prescription (store, patient_id, context, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < conditions->len; i++)
    if (condition_is_active_ald (g_ptr_array_index (conditions, i)))
      context->has_ald = TRUE;
  for (guint i = 0; i < context->allergies->len; i++)
    if (((CabAllergy *) g_ptr_array_index (context->allergies, i))->is_excipient)
      context->excipient_intolerance = TRUE;
  context->has_drug_database = status->has_bdpm;

  /* Without the practitioner in the store the preview cannot be drawn,
   * but the prescription can still be written. */
  if (context->patient->patient.gp_reference != NULL)
    context->prescriber = cab_prescriber_load (store, context->patient->patient.gp_reference,
                                               NULL, &prescriber_error);

  g_task_return_pointer (task, g_steal_pointer (&context), (GDestroyNotify) cab_prescription_context_free);
}

void
cab_prescription_query_context_async (CabStore            *store,
                                      const char          *patient_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  cab_query_start (store, cab_prescription_query_context_async, g_strdup (patient_id), g_free,
                   context_query, cancellable, callback, user_data);
}

CabPrescriptionContext *
cab_prescription_query_context_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return cab_query_finish_pointer (result, cab_prescription_query_context_async, error);
}

/* -------------------------------------------------------------- by document */

/* The printed copy in the timeline is a document; prescriptions.document_id
 * leads back to the prescription as written. */
typedef struct
{
  char *patient_id;
  char *document_id;
} ByDocumentData;

static void
by_document_data_free (ByDocumentData *data)
{
  g_free (data->patient_id);
  g_free (data->document_id);
  g_free (data);
}

static void
by_document_query (GTask        *task,
                   CabStore     *store,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  static const char sql[] =
    "SELECT json FROM prescriptions WHERE document_id = ? AND patient_id = ?"
    " ORDER BY created_at DESC LIMIT 1";
  ByDocumentData *data = task_data;
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autofree char *json = NULL;
  GError *error = NULL;
  CabPrescription *prescription;
  int rc;

  if (!(reader = cab_store_reader_acquire (store, &error)) ||
      !(stmt = cab_store_conn_prepare_static (reader, sql, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  cab_stmt_bind_text (stmt, 1, data->document_id);
  cab_stmt_bind_text (stmt, 2, data->patient_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    json = cab_stmt_dup_text (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (&error, reader->db, "Cannot read the prescription");
      g_task_return_error (task, error);
      return;
    }
  if (json == NULL)
    {
      g_task_return_new_error (task, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                               "No prescription written here has this printed copy");
      return;
    }
  if (!(prescription = cab_prescription_from_json (json, -1, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, prescription, (GDestroyNotify) cab_prescription_free);
}

void
cab_prescription_query_by_document_async (CabStore            *store,
                                          const char          *patient_id,
                                          const char          *document_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  ByDocumentData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL && document_id != NULL);

  data = g_new0 (ByDocumentData, 1);
  data->patient_id = g_strdup (patient_id);
  data->document_id = g_strdup (document_id);
  cab_query_start (store, cab_prescription_query_by_document_async, data,
                   (GDestroyNotify) by_document_data_free, by_document_query, cancellable, callback,
                   user_data);
}

CabPrescription *
cab_prescription_query_by_document_finish (GAsyncResult  *result,
                                           GError       **error)
{
  return cab_query_finish_pointer (result, cab_prescription_query_by_document_async, error);
}

/* -------------------------------------------------------------------- check */

typedef struct
{
  char  *patient_id;
  GStrv  cis;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->patient_id);
  g_strfreev (data->cis);
  g_free (data);
}

static void
check_query (GTask        *task,
             CabStore     *store,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CheckData *data = task_data;
  g_autoptr(CabPrescriptionCheck) check = g_new0 (CabPrescriptionCheck, 1);
  GError *error = NULL;

  if (!(check->interactions = cab_drug_check_interactions (store, (const char * const *) data->cis,
                                                           data->patient_id, &error)) ||
      !(check->allergies = cab_drug_check_allergies (store, data->patient_id,
                                                     (const char * const *) data->cis, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&check), (GDestroyNotify) cab_prescription_check_free);
}

void
cab_prescription_query_check_async (CabStore            *store,
                                    const char          *patient_id,
                                    const char * const  *cis,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  CheckData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL && cis != NULL);

  data = g_new0 (CheckData, 1);
  data->patient_id = g_strdup (patient_id);
  data->cis = g_strdupv ((char **) cis);
  cab_query_start (store, cab_prescription_query_check_async, data, (GDestroyNotify) check_data_free,
                   check_query, cancellable, callback, user_data);
}

CabPrescriptionCheck *
cab_prescription_query_check_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return cab_query_finish_pointer (result, cab_prescription_query_check_async, error);
}

/* ------------------------------------------------------------------ preview */

typedef struct
{
  char            *patient_id;
  CabPrescription *rx;
  char            *path;
} PreviewData;

/* Health data: a directory private to the user (principle 5). */
static gboolean
make_private_dir (const char  *path,
                  GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create the prescriptions' directory: %s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
preview_data_free (PreviewData *data)
{
  g_free (data->patient_id);
  cab_prescription_free (data->rx);
  g_free (data->path);
  g_free (data);
}

static void
preview_query (GTask        *task,
               CabStore     *store,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PreviewData *data = task_data;
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  g_autoptr(CabPrescriber) prescriber = NULL;
  CabPrescriptionPrint print = { 0 };
  GError *error = NULL;

  if (!(patient = cab_store_get_patient (store, data->patient_id, &error)) ||
      !(conditions = cab_store_list_conditions (store, data->patient_id, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (patient->patient.gp_reference == NULL)
    {
      g_task_return_new_error (task, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                               "The patient has no médecin traitant to sign the prescription");
      return;
    }
  if (!(prescriber = cab_prescriber_load (store, patient->patient.gp_reference, NULL, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < conditions->len; i++)
    if (condition_is_active_ald (g_ptr_array_index (conditions, i)))
      print.bizone = TRUE;
  print.rx = data->rx;
  print.prescriber = prescriber;
  print.patient = &patient->patient;
  /* A preview is never registered: it says so. */
  print.pending_registration = TRUE;
  if (!make_private_dir (data->path, &error) ||
      !cab_prescription_pdf_write (&print, data->path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static CabPrescription *
copy_prescription (const CabPrescription *rx)
{
  g_autofree char *json = cab_prescription_to_string (rx);

  return cab_prescription_from_json (json, -1, NULL);
}

void
cab_prescription_query_preview_async (CabStore               *store,
                                      const char             *patient_id,
                                      const CabPrescription  *rx,
                                      const char             *path,
                                      GCancellable           *cancellable,
                                      GAsyncReadyCallback     callback,
                                      gpointer                user_data)
{
  PreviewData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL && rx != NULL && rx->id != NULL && path != NULL);

  data = g_new0 (PreviewData, 1);
  data->patient_id = g_strdup (patient_id);
  data->rx = copy_prescription (rx);
  data->path = g_strdup (path);
  g_return_if_fail (data->rx != NULL);
  cab_query_start (store, cab_prescription_query_preview_async, data, (GDestroyNotify) preview_data_free,
                   preview_query, cancellable, callback, user_data);
}

gboolean
cab_prescription_query_preview_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prescription_query_preview_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ----------------------------------------------------------------- save pdf */

typedef struct
{
  GBytes *pdf;
  char   *path;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_bytes_unref (data->pdf);
  g_free (data->path);
  g_free (data);
}

static void
save_query (GTask        *task,
            CabStore     *store,
            gpointer      task_data,
            GCancellable *cancellable)
{
  SaveData *data = task_data;
  gsize length = 0;
  const char *bytes = g_bytes_get_data (data->pdf, &length);
  GError *error = NULL;

  if (!make_private_dir (data->path, &error) ||
      !g_file_set_contents_full (data->path, bytes, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_prescription_query_save_pdf_async (CabStore            *store,
                                       GBytes              *pdf,
                                       const char          *path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  SaveData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (pdf != NULL && path != NULL);

  data = g_new0 (SaveData, 1);
  data->pdf = g_bytes_ref (pdf);
  data->path = g_strdup (path);
  cab_query_start (store, cab_prescription_query_save_pdf_async, data, (GDestroyNotify) save_data_free,
                   save_query, cancellable, callback, user_data);
}

gboolean
cab_prescription_query_save_pdf_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_prescription_query_save_pdf_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
