/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patient-queries"

#include "config.h"

#include "cab-patient-item.h"
#include "cab-patient-queries.h"
#include "cab-query.h"
#include "cab-store-opened.h"

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

/* Rows to items on the query thread: the main thread only splices them in. */
static GPtrArray *
items_take_rows (GPtrArray *rows)
{
  GPtrArray *items = g_ptr_array_new_full (rows->len, g_object_unref);

  g_ptr_array_set_free_func (rows, NULL);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (items, cab_patient_item_new_take (g_ptr_array_index (rows, i)));
  g_ptr_array_set_size (rows, 0);

  return items;
}

/* The store keeps practitioners as raw resources: flatten the JSON here. */
char *
cab_practitioner_display (CabStore   *store,
                          const char *reference)
{
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(CabFhirRecord) record = NULL;
  g_autofree char *family = NULL;
  GString *out;
  JsonNode *root;

  if (reference == NULL || !g_str_has_prefix (reference, "Practitioner/"))
    return NULL;

  id = cab_fhir_reference_id (reference);
  if (id == NULL || !(json = cab_store_get_resource_json (store, "Practitioner", id, NULL)))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(record = cab_fhir_record_new_from_json (json_node_get_object (root), NULL)) ||
      record->kind != CAB_RESOURCE_PRACTITIONER || record->practitioner == NULL)
    return NULL;

  out = g_string_new (NULL);
  if (record->practitioner->prefix != NULL)
    g_string_append_printf (out, "%s ", record->practitioner->prefix);
  if (record->practitioner->given != NULL)
    g_string_append_printf (out, "%s ", record->practitioner->given);
  if (record->practitioner->family != NULL)
    {
      family = g_utf8_strup (record->practitioner->family, -1);
      g_string_append (out, family);
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* patient search                                                         */

typedef struct
{
  char  *text;
  guint  limit;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_free (data->text);
  g_free (data);
}

static void
search_query (GTask        *task,
              CabStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SearchData *data = task_data;
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;

  rows = cab_store_search_patients (store, data->text, data->limit, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, items_take_rows (rows), (GDestroyNotify) g_ptr_array_unref);
}

void
cab_patient_query_search_async (CabStore            *store,
                                const char          *text,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SearchData *data;

  g_return_if_fail (CAB_IS_STORE (store));

  data = g_new0 (SearchData, 1);
  data->text = g_strdup (text);
  data->limit = limit;

  cab_query_start (store, cab_patient_query_search_async,
                   data, (GDestroyNotify) search_data_free, search_query,
                   cancellable, callback, user_data);
}

GPtrArray *
cab_patient_query_search_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return cab_query_finish_pointer (result, cab_patient_query_search_async, error);
}

/* ---------------------------------------------------------------------- */
/* patient summary (the header)                                           */

void
cab_patient_summary_free (CabPatientSummary *summary)
{
  if (summary == NULL)
    return;

  g_clear_pointer (&summary->row, cab_patient_row_free);
  g_clear_pointer (&summary->conditions, g_ptr_array_unref);
  g_free (summary->practitioner);
  g_free (summary);
}

static void
summary_query (GTask        *task,
               CabStore     *store,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *patient_id = task_data;
  g_autoptr(CabPatientSummary) summary = g_new0 (CabPatientSummary, 1);
  GError *error = NULL;

  summary->row = cab_store_get_patient (store, patient_id, &error);
  if (summary->row == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such patient");
      g_task_return_error (task, error);
      return;
    }

  /* The conditions and the médecin traitant are extras: without them the
   * header still names the patient. */
  summary->conditions = cab_store_list_conditions (store, patient_id, NULL);
  if (summary->conditions == NULL)
    summary->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_condition_free);
  summary->practitioner = cab_practitioner_display (store, summary->row->patient.gp_reference);

  g_task_return_pointer (task, g_steal_pointer (&summary), (GDestroyNotify) cab_patient_summary_free);
}

void
cab_patient_query_summary_async (CabStore            *store,
                                 const char          *patient_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  cab_query_start (store, cab_patient_query_summary_async,
                   g_strdup (patient_id), g_free, summary_query,
                   cancellable, callback, user_data);
}

CabPatientSummary *
cab_patient_query_summary_finish (GAsyncResult  *result,
                                  GError       **error)
{
  return cab_query_finish_pointer (result, cab_patient_query_summary_async, error);
}

/* ---------------------------------------------------------------------- */
/* patients by id (recent patients)                                       */

static void
by_ids_query (GTask        *task,
              CabStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  char **ids = task_data;
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      CabPatientRow *row = cab_store_get_patient (store, ids[i], NULL);

      /* A patient who left the practice is simply not listed. */
      if (row != NULL)
        g_ptr_array_add (items, cab_patient_item_new_take (row));
    }

  g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_patient_query_by_ids_async (CabStore            *store,
                                const char * const  *patient_ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_patient_query_by_ids_async,
                   g_strdupv ((char **) (patient_ids != NULL ? patient_ids : none)),
                   (GDestroyNotify) g_strfreev, by_ids_query,
                   cancellable, callback, user_data);
}

GPtrArray *
cab_patient_query_by_ids_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return cab_query_finish_pointer (result, cab_patient_query_by_ids_async, error);
}

/* ---------------------------------------------------------------------- */
/* marking a patient opened                                               */

typedef struct
{
  char *patient_id;
  char *previous;      /* out */
} OpenedData;

static void
opened_data_free (OpenedData *data)
{
  g_free (data->patient_id);
  g_free (data->previous);
  g_free (data);
}

static void
mark_opened_query (GTask        *task,
                   CabStore     *store,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenedData *data = task_data;
  GError *error = NULL;

  if (!cab_store_mark_patient_opened (store, data->patient_id, NULL, &data->previous, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_patient_query_mark_opened_async (CabStore            *store,
                                     const char          *patient_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  OpenedData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (patient_id != NULL);

  data = g_new0 (OpenedData, 1);
  data->patient_id = g_strdup (patient_id);
  cab_query_start (store, cab_patient_query_mark_opened_async, data,
                   (GDestroyNotify) opened_data_free, mark_opened_query,
                   cancellable, callback, user_data);
}

gboolean
cab_patient_query_mark_opened_finish (GAsyncResult  *result,
                                      char         **previous,
                                      GError       **error)
{
  OpenedData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_patient_query_mark_opened_async), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (previous != NULL)
    *previous = g_steal_pointer (&data->previous);
  return TRUE;
}
