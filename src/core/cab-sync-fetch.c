/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One incremental search chain: read the watermark, follow the next links,
 * store each page together with its watermark. The next page is asked for
 * while the current one is being stored: the server works while we write. */
#define G_LOG_DOMAIN "cab-sync"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-sync-private.h"

typedef struct
{
  CabFhirClient *client;
  CabStore      *store;
  char          *query;
  char          *state_key;
  CabSyncStats  *stats;
  char          *watermark;     /* newest lastUpdated stored so far, without suffix */
  gboolean       saved_partial; /* the saved state still carries the partial suffix */
  CabFhirPage   *page;          /* page being stored */
  char          *state_value;   /* state saved with that page */
  CabFhirPage   *queued_page;   /* arrived while @page was being stored */
  char          *queued_state;
  char          *next_url;
  gboolean       storing;
  gboolean       fetching;
  GError        *error;         /* first failure, returned once nothing runs */
  CabSyncPager   pager;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->store);
  g_free (data->query);
  g_free (data->state_key);
  g_free (data->watermark);
  g_clear_pointer (&data->page, cab_fhir_page_free);
  g_free (data->state_value);
  g_clear_pointer (&data->queued_page, cab_fhir_page_free);
  g_free (data->queued_state);
  g_free (data->next_url);
  g_clear_error (&data->error);
  cab_sync_pager_clear (&data->pager);
  g_free (data);
}

static void fetch_page (GTask *task, const char *url);

/* ------------------------------------------------------------------ helpers */

char *
cab_sync_escape (const char *value)
{
  return g_uri_escape_string (value, "/", FALSE);
}

void
cab_sync_stats_add (CabSyncStats       *to,
                    const CabSyncStats *from)
{
  to->n_patients += from->n_patients;
  to->n_resources += from->n_resources;
  to->n_requests += from->n_requests;
  to->n_invalid += from->n_invalid;
  to->n_bytes += from->n_bytes;
}

void
cab_sync_pager_init (CabSyncPager *pager,
                     guint         max_pages)
{
  pager->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  pager->n_pages = 0;
  pager->max_pages = max_pages;
}

void
cab_sync_pager_clear (CabSyncPager *pager)
{
  g_clear_pointer (&pager->seen, g_hash_table_unref);
}

gboolean
cab_sync_pager_admit (CabSyncPager   *pager,
                      CabFhirClient  *client,
                      const char     *type,
                      const char     *url,
                      GError        **error)
{
  /* The first page is asked for by a relative URL, next links are absolute:
   * compare them resolved. */
  g_autofree char *absolute = cab_fhir_client_build_url (client, url);
  const char *key = absolute != NULL ? absolute : url;

  if (g_hash_table_contains (pager->seen, key))
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                   _("The server’s %s search sent a next page it had sent before: stopped"), type);
      return FALSE;
    }
  if (pager->n_pages >= pager->max_pages)
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                   _("The server’s %s search has more than %u pages: stopped"), type, pager->max_pages);
      return FALSE;
    }
  pager->n_pages++;
  g_hash_table_add (pager->seen, g_strdup (key));
  return TRUE;
}

/* TRUE when @a is later than @b (both ISO 8601; unparsable ones compare as strings). */
static gboolean
timestamp_later (const char *a,
                 const char *b)
{
  g_autoptr(GDateTime) da = NULL;
  g_autoptr(GDateTime) db = NULL;

  if (b == NULL)
    return a != NULL;
  if (a == NULL)
    return FALSE;

  da = g_date_time_new_from_iso8601 (a, NULL);
  db = g_date_time_new_from_iso8601 (b, NULL);
  if (da != NULL && db != NULL)
    return g_date_time_compare (da, db) > 0;

  return g_strcmp0 (a, b) > 0;
}

/* ------------------------------------------------------------ worker threads */

static void
read_state_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FetchData *data = task_data;

  g_task_return_pointer (task, cab_store_get_state (data->store, data->state_key), g_free);
}

static void
put_page_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FetchData *data = task_data;
  GError *error = NULL;

  /* Records without meta.lastUpdated cannot move the watermark. */
  if (cab_store_put_records (data->store, data->page->records,
                             data->state_value != NULL ? data->state_key : NULL,
                             data->state_value, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ----------------------------------------------------------------- the chain */

static void
finish_chain (GTask *task)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
fail_chain (GTask  *task,
            GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void advance_chain (GTask *task);

static void
put_page_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->storing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (data->error == NULL)
        data->error = error;
      else
        g_error_free (error);
    }
  else
    {
      data->stats->n_resources += data->page->records->len;
      if (data->state_value != NULL)
        data->saved_partial = g_str_has_suffix (data->state_value, CAB_SYNC_PARTIAL_SUFFIX);
    }
  g_clear_pointer (&data->page, cab_fhir_page_free);
  g_clear_pointer (&data->state_value, g_free);
  advance_chain (task);
}

static void
store_page (GTask       *task,
            CabFhirPage *page,
            char        *state_value)
{
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GTask) put = NULL;

  g_assert (!data->storing && data->page == NULL);
  data->page = page;
  data->state_value = state_value;
  data->storing = TRUE;

  put = g_task_new (NULL, g_task_get_cancellable (task), put_page_cb, task);
  g_task_set_task_data (put, data, NULL);
  g_task_run_in_thread (put, put_page_thread);
}

/* The last page was empty while a partial watermark was saved: save it whole
 * so the next run starts with "gt". */
static void
save_complete_watermark (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);
  CabFhirPage *page = g_new0 (CabFhirPage, 1);

  page->records = g_ptr_array_new ();
  page->total = -1;
  data->saved_partial = FALSE;
  store_page (task, page, g_strdup (data->watermark));
}

/* Moves the chain on once a page was stored or fetched: store what is
 * queued, ask for the next page, or end once nothing runs any more. At most
 * one page is being stored, one waits and one is asked for. */
static void
advance_chain (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  if (data->error != NULL)
    {
      /* The workers hold @data: wait for them before returning. */
      if (!data->storing && !data->fetching)
        fail_chain (task, g_steal_pointer (&data->error));
      return;
    }

  if (!data->storing && data->queued_page != NULL)
    store_page (task, g_steal_pointer (&data->queued_page), g_steal_pointer (&data->queued_state));

  if (!data->fetching && data->queued_page == NULL && data->next_url != NULL)
    {
      g_autofree char *next = g_steal_pointer (&data->next_url);

      fetch_page (task, next);
    }

  if (data->storing || data->fetching)
    return;

  if (data->saved_partial && data->watermark != NULL)
    save_complete_watermark (task);
  else
    finish_chain (task);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(CabFhirPage) page = NULL;
  const char *newest = NULL;
  char *state_value;
  GError *error = NULL;

  data->fetching = FALSE;
  page = cab_fhir_client_search_finish (CAB_FHIR_CLIENT (object), result, &error);
  if (page == NULL)
    {
      if (data->error == NULL)
        data->error = error;
      else
        g_error_free (error);
      advance_chain (task);
      return;
    }

  data->stats->n_invalid += page->n_invalid;
  data->stats->n_bytes += page->n_bytes;
  g_assert (data->next_url == NULL);
  data->next_url = g_strdup (page->next_url);

  /* Nothing to store: an empty page (possibly followed by more). */
  if (page->records->len == 0)
    {
      advance_chain (task);
      return;
    }

  for (guint i = 0; i < page->records->len; i++)
    {
      const CabFhirRecord *record = g_ptr_array_index (page->records, i);

      if (timestamp_later (record->last_updated, newest))
        newest = record->last_updated;
    }

  if (timestamp_later (newest, data->watermark))
    {
      g_free (data->watermark);
      data->watermark = g_strdup (newest);
    }

  /* Pages arrive in order, so the watermark saved with this one covers it
   * and every page before it. */
  if (data->watermark == NULL)
    state_value = NULL;
  else if (data->next_url != NULL)
    state_value = g_strconcat (data->watermark, CAB_SYNC_PARTIAL_SUFFIX, NULL);
  else
    state_value = g_strdup (data->watermark);

  g_assert (data->queued_page == NULL);
  data->queued_page = g_steal_pointer (&page);
  data->queued_state = state_value;
  advance_chain (task);
}

static void
fetch_page (GTask      *task,
            const char *url)
{
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *type = g_strndup (data->query, strcspn (data->query, "?"));
  GError *error = NULL;

  if (!cab_sync_pager_admit (&data->pager, data->client, type, url, &error))
    {
      if (data->error == NULL)
        data->error = error;
      else
        g_error_free (error);
      advance_chain (task);
      return;
    }
  data->fetching = TRUE;
  data->stats->n_requests++;
  cab_fhir_client_search_async (data->client, url, g_task_get_cancellable (task),
                                search_cb, task);
}

static void
read_state_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autofree char *state = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;

  state = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      fail_chain (task, error);
      return;
    }

  if (state != NULL && state[0] != '\0')
    {
      gboolean partial = g_str_has_suffix (state, CAB_SYNC_PARTIAL_SUFFIX);
      g_autofree char *value = NULL;
      g_autofree char *escaped = NULL;

      if (partial)
        state[strlen (state) - strlen (CAB_SYNC_PARTIAL_SUFFIX)] = '\0';

      data->watermark = g_strdup (state);
      data->saved_partial = partial;
      value = g_strconcat (partial ? "ge" : "gt", state, NULL);
      escaped = cab_sync_escape (value);
      url = g_strdup_printf ("%s&_lastUpdated=%s&_sort=_lastUpdated&_count=%d",
                             data->query, escaped, CAB_SYNC_PAGE_SIZE);
    }
  else
    {
      url = g_strdup_printf ("%s&_sort=_lastUpdated&_count=%d",
                             data->query, CAB_SYNC_PAGE_SIZE);
    }

  fetch_page (task, url);
}

void
cab_sync_fetch_async (CabFhirClient       *client,
                      CabStore            *store,
                      const char          *query,
                      const char          *state_key,
                      CabSyncStats        *stats,
                      guint                max_pages,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;
  FetchData *data;

  g_assert (CAB_IS_FHIR_CLIENT (client));
  g_assert (CAB_IS_STORE (store));
  g_assert (query != NULL && strchr (query, '?') != NULL);
  g_assert (state_key != NULL);
  g_assert (stats != NULL);

  data = g_new0 (FetchData, 1);
  data->client = g_object_ref (client);
  data->store = g_object_ref (store);
  data->query = g_strdup (query);
  data->state_key = g_strdup (state_key);
  data->stats = stats;
  cab_sync_pager_init (&data->pager, max_pages);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_sync_fetch_async);
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  read = g_task_new (NULL, cancellable, read_state_cb, g_steal_pointer (&task));
  g_task_set_task_data (read, data, NULL);
  g_task_run_in_thread (read, read_state_thread);
}

gboolean
cab_sync_fetch_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
