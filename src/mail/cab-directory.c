/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* The national health directory's client (cab-directory.h): FHIR searches
 * on the main context through CabFhirClient (deadlines, size cap, base
 * containment of next links), the answers checked by cab-directory-parse.c
 * and written to the cache by cab-directory-cache.c on a worker thread.
 * Logs carry counts, never names or what was typed (principle 5). */

#include "cab-directory-private.h"

#define SYS_RPPS         "https://rpps.esante.gouv.fr"
#define API_KEY_HEADER   "ESANTE-API-KEY"
#define BATCH            20    /* values OR-ed in one parameter */
#define ROLE_BATCH       50    /* practitioners whose roles one request asks */
#define MAX_ROLE_PAGES   20    /* pages of one roles request */

struct _CabDirectory
{
  GObject        parent_instance;

  CabStore      *store;
  CabFhirClient *client;
  GHashTable    *headers;   /* the API key, or empty */
  guint          page_size;
};

G_DEFINE_FINAL_TYPE (CabDirectory, cab_directory, G_TYPE_OBJECT)

/* ------------------------------------------------------ auxiliary functions */

/* A word the user typed, as a FHIR search value: FHIR's own separators
 * (',', '|', '$', '\') and control characters are refused, not escaped:
 * no name holds them. */
static gboolean
word_is_usable (const char *word)
{
  if (strlen (word) > CAB_DIRECTORY_MAX_WORD || !g_utf8_validate (word, -1, NULL))
    return FALSE;
  for (const char *p = word; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || strchr (",|$\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_rpps (const char *word)
{
  if (strlen (word) != 11)
    return FALSE;
  for (const char *p = word; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static void
append_param (GString *q, const char *name, const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (q, "%s%s=%s", q->len > 0 && q->str[q->len - 1] != '?' ? "&" : "", name, escaped);
}

/* "Practitioner?name=ker&name=jean&_count=50", or NULL with @error. */
static char *
search_query (const char *text, const char *city, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (text ? text : "", " \t\n\r", -1);
  g_autoptr(GString) q = g_string_new ("Practitioner?");
  guint n = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (n == CAB_DIRECTORY_MAX_WORDS || !word_is_usable (words[i]))
        {
          g_set_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY,
                       _("Search the directory with at most %u words of a name or an RPPS number"),
                       CAB_DIRECTORY_MAX_WORDS);
          return NULL;
        }
      if (is_rpps (words[i]))
        {
          g_autofree char *value = g_strconcat (SYS_RPPS "|", words[i], NULL);
          append_param (q, "identifier", value);
        }
      else
        append_param (q, "name", words[i]);
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY,
                   _("Type a name or an RPPS number to search the directory"));
      return NULL;
    }
  if (city != NULL && *city != '\0')
    {
      if (!word_is_usable (city))
        {
          g_set_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY, _("This city cannot be searched"));
          return NULL;
        }
      append_param (q, "address-city", city);
    }
  g_string_append_printf (q, "&_count=%u", CAB_DIRECTORY_SEARCH_RESULTS);
  return g_string_free (g_steal_pointer (&q), FALSE);
}

/* "Practitioner?<param>=v1,v2…&_count=N" for up to @max values from @values
 * starting at *@index, each value as "prefix" + value. */
static char *
batch_query (const char *type, const char *param, const char *prefix,
             GPtrArray *values, guint *index, guint max, guint count)
{
  GString *q = g_string_new (type);

  g_string_append_printf (q, "?%s=", param);
  for (guint n = 0; n < max && *index < values->len; n++, (*index)++)
    {
      g_autofree char *value = g_strconcat (prefix, (const char *) g_ptr_array_index (values, *index), NULL);
      g_autofree char *escaped = g_uri_escape_string (value, "|/", FALSE);

      g_string_append_printf (q, "%s%s", n > 0 ? "," : "", escaped);
    }
  g_string_append_printf (q, "&_count=%u", count);
  return g_string_free (q, FALSE);
}

static CabCorrespondent *
correspondent_from_entry (CabDirectoryEntry *e)
{
  CabCorrespondentData data = {
    .address = e->address, .display_name = e->display, .profession = e->profession,
    .organization = e->organization, .city = e->city, .rpps = e->rpps,
    .sources = CAB_CORRESPONDENT_SOURCE_DIRECTORY,
  };

  return cab_correspondent_new (&data);
}

/* ------------------------------------------------------------ the fetches */

/* One run (a search or a sync): the queue of first pages to read, the
 * practitioners found, their roles, and what to write. Owned by its task. */
typedef struct
{
  CabDirectory *self;          /* referenced */
  GQueue        queries;       /* char*: first pages still to read */
  GHashTable   *seen_urls;     /* next links followed (loop cap) */
  GHashTable   *seen_ids;      /* practitioner ids kept (owned keys) */
  GPtrArray    *practitioners; /* JsonObject* */
  GPtrArray    *roles;         /* JsonObject* */
  GPtrArray    *pending_ids;   /* practitioner ids whose roles are still to ask */
  GPtrArray    *asked_rpps;    /* sync: RPPS numbers asked again */
  GPtrArray    *entries;       /* CabDirectoryEntry* */
  GPtrArray    *removed_rpps;  /* sync: asked, no longer listed */
  guint         max_practitioners;
  guint         n_pages;
  guint         n_role_pages;
  gboolean      asking_roles;
  CabDirectorySyncStats stats;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  g_clear_object (&run->self);
  g_queue_clear_full (&run->queries, g_free);
  g_clear_pointer (&run->seen_urls, g_hash_table_unref);
  g_clear_pointer (&run->seen_ids, g_hash_table_unref);
  g_clear_pointer (&run->practitioners, g_ptr_array_unref);
  g_clear_pointer (&run->roles, g_ptr_array_unref);
  g_clear_pointer (&run->pending_ids, g_ptr_array_unref);
  g_clear_pointer (&run->asked_rpps, g_ptr_array_unref);
  g_clear_pointer (&run->entries, g_ptr_array_unref);
  g_clear_pointer (&run->removed_rpps, g_ptr_array_unref);
  g_free (run);
}

static Run *
run_new (CabDirectory *self, guint max_practitioners)
{
  Run *run = g_new0 (Run, 1);

  run->self = g_object_ref (self);
  g_queue_init (&run->queries);
  run->seen_urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->seen_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->practitioners = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  run->roles = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  run->pending_ids = g_ptr_array_new_with_free_func (g_free);
  run->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_directory_entry_free);
  run->removed_rpps = g_ptr_array_new_with_free_func (g_free);
  run->max_practitioners = max_practitioners;
  return run;
}

static void run_next (GTask *task);

static void
run_write_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Run *run = task_data;
  g_autoptr(GPtrArray) replaced = g_ptr_array_new ();
  GError *error = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, run->seen_ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (replaced, key);
  if (!cab_directory_cache_put (run->self->store, run->entries, replaced, run->removed_rpps,
                                &run->stats.n_removed, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Every answer is in: what the practitioners and roles say becomes the
 * entries, written in one transaction (all or nothing). */
static void
run_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  cab_directory_make_entries (run->practitioners, run->roles, run->entries);
  if (run->entries->len > CAB_DIRECTORY_MAX_ENTRIES)
    {
      g_task_return_new_error (task, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_LIMIT,
                               _("The directory lists more than %u addresses for this search"),
                               CAB_DIRECTORY_MAX_ENTRIES);
      g_object_unref (task);
      return;
    }
  /* An RPPS asked again that no answer holds: no longer listed. */
  for (guint i = 0; run->asked_rpps != NULL && i < run->asked_rpps->len; i++)
    {
      const char *rpps = g_ptr_array_index (run->asked_rpps, i);
      gboolean found = FALSE;

      for (guint k = 0; !found && k < run->entries->len; k++)
        found = g_strcmp0 (((CabDirectoryEntry *) g_ptr_array_index (run->entries, k))->rpps, rpps) == 0;
      if (!found)
        g_ptr_array_add (run->removed_rpps, g_strdup (rpps));
    }
  run->stats.n_practitioners = run->practitioners->len;
  run->stats.n_entries = run->entries->len;
  g_task_run_in_thread (task, run_write_thread);
  g_object_unref (task);
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GPtrArray) practitioners = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) roles = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *next = NULL;
  GError *error = NULL;

  response = cab_fhir_client_send_finish (CAB_FHIR_CLIENT (source), result, &error);
  if (response == NULL || !cab_directory_parse_page (response->json, practitioners, roles, &next, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  for (guint i = 0; i < practitioners->len; i++)
    {
      JsonObject *p = g_ptr_array_index (practitioners, i);
      const char *id = json_object_get_string_member (p, "id");

      if (g_hash_table_contains (run->seen_ids, id) || run->practitioners->len >= run->max_practitioners)
        continue;
      g_hash_table_add (run->seen_ids, g_strdup (id));
      g_ptr_array_add (run->pending_ids, g_strdup (id));
      g_ptr_array_add (run->practitioners, json_object_ref (p));
    }
  /* Roles are kept from role searches only: they then belong to a
   * practitioner of this run. */
  if (run->asking_roles)
    for (guint i = 0; i < roles->len; i++)
      g_ptr_array_add (run->roles, json_object_ref (g_ptr_array_index (roles, i)));

  /* A next link seen before ends that search (rule 3); an online search
   * reads one page, its _count being the cap. */
  if (next != NULL && !g_hash_table_contains (run->seen_urls, next) &&
      (run->asking_roles ? run->n_role_pages < MAX_ROLE_PAGES
                         : run->max_practitioners > CAB_DIRECTORY_SEARCH_RESULTS))
    {
      g_hash_table_add (run->seen_urls, g_strdup (next));
      g_queue_push_head (&run->queries, g_steal_pointer (&next));
    }
  run_next (task);
}

/* Reads the next page of the queue; then the roles of the practitioners
 * found; then finishes. */
static void
run_next (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  CabDirectory *self = run->self;
  g_autofree char *query = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  query = g_queue_pop_head (&run->queries);
  if (query == NULL && run->pending_ids->len > 0)
    {
      /* The roles of up to ROLE_BATCH practitioners per request. */
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_free);
      guint index = 0;

      for (guint i = 0; i < run->pending_ids->len; i++)
        g_ptr_array_add (batch, g_strconcat ("Practitioner/", (char *) g_ptr_array_index (run->pending_ids, i), NULL));
      g_ptr_array_set_size (run->pending_ids, 0);
      while (index < batch->len)
        g_queue_push_tail (&run->queries, batch_query ("PractitionerRole", "practitioner", "", batch, &index,
                                                       ROLE_BATCH, self->page_size));
      run->asking_roles = TRUE;
      query = g_queue_pop_head (&run->queries);
    }
  if (query == NULL)
    {
      run_finish (task);
      return;
    }
  if (++run->n_pages > CAB_DIRECTORY_MAX_SYNC_PAGES)
    {
      g_task_return_new_error (task, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_LIMIT,
                               _("The directory's answer runs over more than %u pages"),
                               CAB_DIRECTORY_MAX_SYNC_PAGES);
      g_object_unref (task);
      return;
    }
  if (run->asking_roles)
    run->n_role_pages++;
  run->stats.n_requests++;
  cab_fhir_client_send_async (self->client, "GET", query, self->headers, NULL, NULL,
                              CAB_FHIR_REQUEST_DEFAULT, g_task_get_cancellable (task), on_page, task);
}

/* --------------------------------------------------------------- public */

CabDirectory *
cab_directory_new (CabStore    *store,
                   const char  *base_url,
                   const char  *api_key,
                   GError     **error)
{
  g_autoptr(CabDirectory) self = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (CAB_TYPE_DIRECTORY, NULL);
  self->client = cab_fhir_client_new (base_url, error);
  if (self->client == NULL)
    return NULL;
  self->store = g_object_ref (store);
  if (api_key != NULL && *api_key != '\0')
    g_hash_table_insert (self->headers, g_strdup (API_KEY_HEADER), g_strdup (api_key));
  /* A directory answer is small: a few hundred kB per page. */
  cab_fhir_client_set_max_json_body (self->client, CAB_DIRECTORY_MAX_BODY);
  cab_fhir_client_set_deadlines (self->client, CAB_DIRECTORY_DEADLINE_S, CAB_FHIR_DEFAULT_MIN_RATE,
                                 CAB_DIRECTORY_DEADLINE_S);
  cab_fhir_client_set_retry_policy (self->client, 2, 250);
  return g_steal_pointer (&self);
}

void
cab_directory_set_page_size (CabDirectory *self,
                             guint         count)
{
  g_return_if_fail (CAB_IS_DIRECTORY (self));
  g_return_if_fail (count > 0);

  self->page_size = MIN (count, CAB_DIRECTORY_SYNC_PAGE);
}

CabFhirClient *
cab_directory_get_client (CabDirectory *self)
{
  g_return_val_if_fail (CAB_IS_DIRECTORY (self), NULL);

  return self->client;
}

static void
on_search_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *outer = user_data;
  Run *run = g_task_get_task_data (G_TASK (result));
  g_autoptr(GListStore) model = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  model = g_list_store_new (CAB_TYPE_CORRESPONDENT);
  for (guint i = 0; i < run->entries->len; i++)
    {
      g_autoptr(CabCorrespondent) c = correspondent_from_entry (g_ptr_array_index (run->entries, i));
      g_list_store_append (model, c);
    }
  g_debug ("Directory search: %u practitioners, %u addresses", run->practitioners->len, run->entries->len);
  g_task_return_pointer (outer, g_steal_pointer (&model), g_object_unref);
  g_object_unref (outer);
}

void
cab_directory_search_async (CabDirectory        *self,
                            const char          *text,
                            const char          *city,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  GTask *task;
  Run *run;
  GError *error = NULL;
  char *query;

  g_return_if_fail (CAB_IS_DIRECTORY (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cab_directory_search_async);
  query = search_query (text, city, &error);
  if (query == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  run = run_new (self, CAB_DIRECTORY_SEARCH_RESULTS);
  g_queue_push_tail (&run->queries, query);
  task = g_task_new (self, cancellable, on_search_written, g_steal_pointer (&outer));
  g_task_set_source_tag (task, run_next);
  g_task_set_task_data (task, run, run_free);
  run_next (task);
}

GListModel *
cab_directory_search_finish (CabDirectory  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_directory_search_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ sync */

typedef struct
{
  GStrv cities;
} SyncData;

static void
on_sync_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *outer = user_data;
  Run *run = g_task_get_task_data (G_TASK (result));
  CabDirectorySyncStats *stats;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  stats = g_memdup2 (&run->stats, sizeof run->stats);
  g_debug ("Directory sync: %u requests, %u practitioners, %u addresses, %u removed",
           stats->n_requests, stats->n_practitioners, stats->n_entries, stats->n_removed);
  g_task_return_pointer (outer, stats, g_free);
  g_object_unref (outer);
}

static void
scope_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CabDirectory *self = source;
  GPtrArray *rpps = NULL, *addresses = NULL;
  GError *error = NULL;

  if (!cab_directory_cache_read_scope (self->store, &rpps, &addresses, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Both in one array: RPPS numbers, then NULL, then addresses. */
  g_ptr_array_add (rpps, NULL);
  g_ptr_array_extend_and_steal (rpps, addresses);
  g_task_return_pointer (task, rpps, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_scope (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *outer = user_data;
  CabDirectory *self = CAB_DIRECTORY (source);
  SyncData *data = g_task_get_task_data (outer);
  g_autoptr(GPtrArray) scope = NULL;
  g_autoptr(GPtrArray) rpps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  GTask *task;
  Run *run;
  guint i = 0, index;

  scope = g_task_propagate_pointer (G_TASK (result), &error);
  if (scope == NULL)
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  for (; i < scope->len && g_ptr_array_index (scope, i) != NULL; i++)
    g_ptr_array_add (rpps, g_strdup (g_ptr_array_index (scope, i)));
  for (i++; i < scope->len; i++)
    if (cab_directory_address_is_valid (g_ptr_array_index (scope, i)))
      g_ptr_array_add (addresses, g_strdup (g_ptr_array_index (scope, i)));

  run = run_new (self, G_MAXUINT);
  for (index = 0; index < addresses->len;)
    g_queue_push_tail (&run->queries, batch_query ("Practitioner", "email", "", addresses, &index, BATCH,
                                                   self->page_size));
  for (index = 0; index < rpps->len;)
    g_queue_push_tail (&run->queries, batch_query ("Practitioner", "identifier", SYS_RPPS "|", rpps, &index,
                                                   BATCH, self->page_size));
  run->asked_rpps = g_steal_pointer (&rpps);
  for (i = 0; data->cities != NULL && data->cities[i] != NULL; i++)
    {
      g_autoptr(GString) q = g_string_new ("Practitioner?");

      append_param (q, "address-city", data->cities[i]);
      g_string_append_printf (q, "&_count=%u", self->page_size);
      g_queue_push_tail (&run->queries, g_string_free (g_steal_pointer (&q), FALSE));
    }
  task = g_task_new (self, g_task_get_cancellable (outer), on_sync_written, outer);
  g_task_set_source_tag (task, run_next);
  g_task_set_task_data (task, run, run_free);
  run_next (task);
}

static void
sync_data_free (gpointer p)
{
  SyncData *data = p;

  g_strfreev (data->cities);
  g_free (data);
}

void
cab_directory_sync_async (CabDirectory        *self,
                          const char * const  *cities,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) scope = NULL;
  SyncData *data;

  g_return_if_fail (CAB_IS_DIRECTORY (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, cab_directory_sync_async);
  for (guint i = 0; cities != NULL && cities[i] != NULL; i++)
    if (!word_is_usable (cities[i]) || *cities[i] == '\0')
      {
        g_task_return_new_error (outer, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY,
                                 _("This city cannot be searched"));
        return;
      }
  data = g_new0 (SyncData, 1);
  data->cities = g_strdupv ((GStrv) cities);
  g_task_set_task_data (outer, data, sync_data_free);
  scope = g_task_new (self, cancellable, on_scope, g_steal_pointer (&outer));
  g_task_run_in_thread (scope, scope_thread);
}

gboolean
cab_directory_sync_finish (CabDirectory          *self,
                           GAsyncResult          *result,
                           CabDirectorySyncStats *stats,
                           GError               **error)
{
  g_autofree CabDirectorySyncStats *got = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_directory_sync_async), FALSE);

  got = g_task_propagate_pointer (G_TASK (result), error);
  if (got == NULL)
    return FALSE;
  if (stats != NULL)
    *stats = *got;
  return TRUE;
}

/* ------------------------------------------------------- GObject overrides */

static void
cab_directory_finalize (GObject *object)
{
  CabDirectory *self = CAB_DIRECTORY (object);

  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_hash_table_unref (self->headers);
  G_OBJECT_CLASS (cab_directory_parent_class)->finalize (object);
}

static void
cab_directory_class_init (CabDirectoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_directory_finalize;
}

static void
cab_directory_init (CabDirectory *self)
{
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->page_size = CAB_DIRECTORY_SYNC_PAGE;
}
