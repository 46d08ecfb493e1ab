/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The drug database's async queries, on core's reader pool (cab-query.h). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include "cab-drug-private.h"
#include "cab-query.h"

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
  GError *error = NULL;
  GPtrArray *results = cab_drug_db_search (store, data->text, data->limit, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

void
cab_drug_query_search_async (CabStore            *store,
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
  cab_query_start (store, cab_drug_query_search_async, data, (GDestroyNotify) search_data_free,
                   search_query, cancellable, callback, user_data);
}

GPtrArray *
cab_drug_query_search_finish (GAsyncResult  *result,
                              GError       **error)
{
  return cab_query_finish_pointer (result, cab_drug_query_search_async, error);
}

typedef struct
{
  GStrv  cis;
  char  *patient_id;
} InteractionsData;

static void
interactions_data_free (InteractionsData *data)
{
  g_strfreev (data->cis);
  g_free (data->patient_id);
  g_free (data);
}

static void
interactions_query (GTask        *task,
                    CabStore     *store,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  InteractionsData *data = task_data;
  GError *error = NULL;
  CabDrugInteractionReport *report =
    cab_drug_check_interactions (store, (const char * const *) data->cis, data->patient_id, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) cab_drug_interaction_report_free);
}

void
cab_drug_query_interactions_async (CabStore            *store,
                                   const char * const  *cis,
                                   const char          *patient_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  InteractionsData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (cis != NULL);

  data = g_new0 (InteractionsData, 1);
  data->cis = g_strdupv ((char **) cis);
  data->patient_id = g_strdup (patient_id);
  cab_query_start (store, cab_drug_query_interactions_async, data,
                   (GDestroyNotify) interactions_data_free, interactions_query,
                   cancellable, callback, user_data);
}

CabDrugInteractionReport *
cab_drug_query_interactions_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return cab_query_finish_pointer (result, cab_drug_query_interactions_async, error);
}
