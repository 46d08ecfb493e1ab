/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Practice-wide part of a sync run: the practice's practitioners, their
 * patients, and the queue of patients to sync. */
#define G_LOG_DOMAIN "cab-sync"

#include <string.h>

#include "cab-sync-private.h"

typedef struct
{
  CabStore  *store;
  GPtrArray *practitioners;
  GPtrArray *priority;
  GPtrArray *ids;           /* result */
} ListData;

static void
list_data_free (ListData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->practitioners, g_ptr_array_unref);
  g_clear_pointer (&data->priority, g_ptr_array_unref);
  g_clear_pointer (&data->ids, g_ptr_array_unref);
  g_free (data);
}

static gint
compare_synced_at (gconstpointer a,
                   gconstpointer b)
{
  const CabPatientRow *ra = *(CabPatientRow * const *) a;
  const CabPatientRow *rb = *(CabPatientRow * const *) b;

  /* Never synced first, then the longest ago. */
  if (ra->synced_at == NULL || rb->synced_at == NULL)
    return (ra->synced_at != NULL) - (rb->synced_at != NULL);
  return strcmp (ra->synced_at, rb->synced_at);
}

/* The stored patients of the practice, in the order to sync them. */
static void
list_patients_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ListData *data = task_data;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;

  /* Every stored patient in one query (0: no limit). */
  all = cab_store_search_patients (data->store, NULL, 0, &error);
  if (all == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  rows = g_ptr_array_new ();
  for (guint i = 0; i < all->len; i++)
    {
      CabPatientRow *row = g_ptr_array_index (all, i);

      if (sync_str_array_contains (data->practitioners, row->patient.gp_reference))
        g_ptr_array_add (rows, row);
    }
  g_ptr_array_sort (rows, compare_synced_at);

  data->ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < data->priority->len; i++)
    {
      const char *id = g_ptr_array_index (data->priority, i);

      for (guint j = 0; j < rows->len; j++)
        if (g_str_equal (((CabPatientRow *) g_ptr_array_index (rows, j))->id, id))
          {
            g_ptr_array_add (data->ids, g_strdup (id));
            g_ptr_array_remove_index (rows, j);
            break;
          }
    }
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (data->ids, g_strdup (((CabPatientRow *) g_ptr_array_index (rows, i))->id));

  g_task_return_boolean (task, TRUE);
}

static void
list_patients_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SyncRun *run = user_data;
  ListData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  g_ptr_array_set_size (run->self->priority, 0);
  for (guint i = 0; i < data->ids->len; i++)
    g_queue_push_tail (&run->queue, g_strdup (g_ptr_array_index (data->ids, i)));
  run->n_total = data->ids->len;
  sync_run_emit_progress (run);
  sync_run_pump (run);
}

static void
patients_fetch_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  ListData *data;

  if (!cab_sync_fetch_finish (result, &error))
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  data = g_new0 (ListData, 1);
  data->store = g_object_ref (run->self->store);
  data->practitioners = g_ptr_array_ref (run->practitioners);
  data->priority = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < run->self->priority->len; i++)
    g_ptr_array_add (data->priority, g_strdup (g_ptr_array_index (run->self->priority, i)));

  task = g_task_new (NULL, run->cancellable, list_patients_cb, run);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  g_task_run_in_thread (task, list_patients_thread);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
fetch_patients (SyncRun *run)
{
  g_autoptr(GString) query = g_string_new ("Patient?general-practitioner=");
  g_autoptr(GString) key = g_string_new ("Patient?general-practitioner=");

  if (run->practitioners->len == 0)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND,
                           "No practitioner found for %s", run->self->practice);
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  /* Sorted so the watermark key names the same set whatever the server's
   * order; a new GP in the practice gives a new key and a full pull. */
  g_ptr_array_sort (run->practitioners, compare_strings);
  for (guint i = 0; i < run->practitioners->len; i++)
    {
      const char *ref = g_ptr_array_index (run->practitioners, i);
      g_autofree char *escaped = cab_sync_escape (ref);

      if (i > 0)
        {
          g_string_append_c (query, ',');
          g_string_append_c (key, ',');
        }
      g_string_append (query, escaped);
      g_string_append (key, ref);
    }

  cab_sync_fetch_async (run->self->client, run->self->store, query->str, key->str,
                        &run->stats, run->self->max_pages, run->cancellable,
                        patients_fetch_cb, run);
}

static void fetch_roles (SyncRun *run, const char *url);

/* Practitioner references of the practice's active PractitionerRoles. */
static void
roles_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CabFhirPage *page = task_data;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < page->records->len; i++)
    {
      const CabFhirRecord *record = g_ptr_array_index (page->records, i);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *role;
      JsonObject *practitioner;
      const char *ref;

      if (record->json == NULL || (node = json_from_string (record->json, NULL)) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (node))
        continue;

      role = json_node_get_object (node);
      if (json_object_has_member (role, "active") &&
          !json_object_get_boolean_member_with_default (role, "active", TRUE))
        continue;

      practitioner = json_object_get_object_member (role, "practitioner");
      if (practitioner == NULL)
        continue;
      ref = json_object_get_string_member_with_default (practitioner, "reference", NULL);
      if (ref != NULL)
        {
          g_autofree char *id = cab_fhir_reference_id (ref);

          if (id != NULL && id[0] != '\0')
            g_ptr_array_add (refs, g_strconcat ("Practitioner/", id, NULL));
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&refs), (GDestroyNotify) g_ptr_array_unref);
}

static void
roles_parsed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;

  refs = g_task_propagate_pointer (G_TASK (result), &error);
  if (refs == NULL)
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  for (guint i = 0; i < refs->len; i++)
    if (!sync_str_array_contains (run->practitioners, g_ptr_array_index (refs, i)))
      g_ptr_array_add (run->practitioners, g_strdup (g_ptr_array_index (refs, i)));

  next = g_steal_pointer (&run->roles_next);
  if (next != NULL)
    fetch_roles (run, next);
  else
    fetch_patients (run);
}

static void
roles_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(CabFhirPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  page = cab_fhir_client_search_finish (CAB_FHIR_CLIENT (object), result, &error);
  if (page == NULL)
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }

  run->stats.n_bytes += page->n_bytes;
  run->stats.n_invalid += page->n_invalid;
  run->roles_next = g_strdup (page->next_url);

  task = g_task_new (NULL, run->cancellable, roles_parsed_cb, run);
  g_task_set_task_data (task, g_steal_pointer (&page), (GDestroyNotify) cab_fhir_page_free);
  g_task_run_in_thread (task, roles_thread);
}

static void
fetch_roles (SyncRun    *run,
             const char *url)
{
  g_autoptr(GError) error = NULL;

  if (!cab_sync_pager_admit (&run->roles_pager, run->self->client, "PractitionerRole", url, &error))
    {
      sync_run_fail (run, error);
      sync_run_finish (run);
      return;
    }
  run->stats.n_requests++;
  cab_fhir_client_search_async (run->self->client, url, run->cancellable, roles_cb, run);
}

void
sync_run_start_practice (SyncRun *run)
{
  g_autofree char *escaped = cab_sync_escape (run->self->practice);
  g_autofree char *url = g_strdup_printf ("PractitionerRole?organization=%s&_count=100", escaped);

  fetch_roles (run, url);
}
