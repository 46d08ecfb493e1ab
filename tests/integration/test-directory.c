/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* The national health directory's client (cab-directory.h) against the
 * sandbox's directory (/annuaire/fhir): search by name, RPPS and city,
 * paging, the cache searched offline by the completion, a sync; then
 * hostile answers from a server in this test (malformed JSON, a huge
 * body, too many entries, bad addresses, a next link leaving the base):
 * a clear error each time and the cache as it was. And cabinetctl
 * directory. */

#include <libsoup/soup.h>
#include <glib/gstdio.h>
#include <sys/wait.h>

#include "cab-correspondents.h"
#include "cab-directory.h"
#include "cab-directory-refresh.h"
#include "cab-test-sandbox.h"
#include "cab-store-private.h"

#define KEY "sandbox-annuaire"

typedef struct
{
  CabTestSandbox *sandbox;
  char           *dir;
  char           *url;       /* the directory's base */
  CabStore       *store;
  CabDirectory   *directory;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--patients=20", "--years=1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);
  f->url = g_strdup_printf ("%.*s/annuaire/fhir", (int) (strlen (f->sandbox->base_url) - strlen ("/fhir")),
                            f->sandbox->base_url);
  f->dir = g_dir_make_tmp ("test-directory-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  f->directory = cab_directory_new (f->store, f->url, KEY, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_clear_object (&f->directory);
  g_clear_object (&f->store);
  g_clear_pointer (&f->sandbox, cab_test_sandbox_free);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
  g_free (f->url);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GListModel *
search_online (CabDirectory *directory, const char *text, const char *city, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cab_directory_search_async (directory, text, city, NULL, on_done, &result);
  return cab_directory_search_finish (directory, wait_result (&result), error);
}

static gboolean
sync_cities (CabDirectory *directory, const char * const *cities, CabDirectorySyncStats *stats, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cab_directory_sync_async (directory, cities, NULL, on_done, &result);
  return cab_directory_sync_finish (directory, wait_result (&result), stats, error);
}

static char *
addresses_of (GListModel *model)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabCorrespondent) c = g_list_model_get_item (model, i);
      g_string_append_printf (s, "%s%s", i ? " " : "", cab_correspondent_get_address (c));
    }
  return g_string_free (s, FALSE);
}

static char *
local_addresses (CabStore *store, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = cab_correspondents_search (store, text, 0, &error);
  GString *s = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            cab_correspondent_get_address (g_ptr_array_index (found, i)));
  return g_string_free (s, FALSE);
}

static gint64
cached_count (CabStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, "SELECT count (*) FROM directory_entries", &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The sandbox's own count for a search, read with its total. */
static gint64
directory_total (Fixture *f, const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/annuaire/fhir/%s", query);
  const char *headers[] = { "ESANTE-API-KEY: " KEY, NULL };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status = 0;

  body = cab_test_sandbox_request (f->sandbox, "GET", path, headers, NULL, NULL, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "total");
}

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) found = NULL;
  g_autoptr(CabCorrespondent) c = NULL;
  g_autofree char *got = NULL;

  /* By name: the cardiologist's own mailbox and his service's. */
  found = search_online (f->directory, "KERJ", NULL, &error);
  g_assert_no_error (error);
  got = addresses_of (found);
  g_assert_cmpstr (got, ==, "noel.kerjean@chu-nantes.mssante.fr cardiologie@chu-nantes.mssante.fr");
  c = g_list_model_get_item (found, 0);
  g_assert_cmpstr (cab_correspondent_get_display_name (c), ==, "Dr Noël Kerjean");
  g_assert_cmpstr (cab_correspondent_get_rpps (c), ==, "10819248658");
  g_assert_cmpstr (cab_correspondent_get_city (c), ==, "Nantes Cedex 1");
  g_assert_cmpstr (cab_correspondent_get_profession (c), ==, "Cardiologue");
  g_assert_cmpstr (cab_correspondent_get_organization (c), ==, "Service de cardiologie, CHU de Nantes");
  g_assert_cmpint (cab_correspondent_get_sources (c), ==, CAB_CORRESPONDENT_SOURCE_DIRECTORY);
  g_clear_object (&found);
  g_clear_object (&c);
  g_clear_pointer (&got, g_free);

  /* Every word must match a part of the name; accents are the server's. */
  found = search_online (f->directory, "gaëlle pich", NULL, &error);
  g_assert_no_error (error);
  got = addresses_of (found);
  g_assert_cmpstr (got, ==, "gaelle.pichon@chu-nantes.mssante.fr");
  g_clear_object (&found);
  g_clear_pointer (&got, g_free);

  /* By RPPS. */
  found = search_online (f->directory, "10177844833", NULL, &error);
  g_assert_no_error (error);
  got = addresses_of (found);
  g_assert_cmpstr (got, ==, "berenice.riou@ch-saintnazaire.mssante.fr pneumologie@ch-saintnazaire.mssante.fr");
  g_clear_object (&found);
  g_clear_pointer (&got, g_free);

  /* By name and city: the Dr prefix and Saint-Nazaire; a practitioner
   * who also works in town keeps his first address's city. */
  found = search_online (f->directory, "dr", "saint-nazaire", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GHashTable) rpps = g_hash_table_new (g_str_hash, g_str_equal);
    gint64 total = directory_total (f, "Practitioner?name=dr&address-city=saint-nazaire");
    guint in_city = 0;

    for (guint i = 0; i < g_list_model_get_n_items (found); i++)
      {
        g_autoptr(CabCorrespondent) one = g_list_model_get_item (found, i);
        g_hash_table_add (rpps, (gpointer) g_intern_string (cab_correspondent_get_rpps (one)));
        in_city += g_str_has_prefix (cab_correspondent_get_city (one), "Saint-Nazaire");
      }
    g_assert_cmpint (total, >, 2);
    g_assert_cmpuint (g_hash_table_size (rpps), ==, MIN (total, CAB_DIRECTORY_SEARCH_RESULTS));
    g_assert_cmpuint (in_city, >, 0);
  }
  g_clear_object (&found);

  /* Nothing to search for. */
  found = search_online (f->directory, "  ", NULL, &error);
  g_assert_null (found);
  g_assert_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY);
  g_clear_error (&error);
  found = search_online (f->directory, "a,b", NULL, &error);
  g_assert_error (error, CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_QUERY);
  g_clear_error (&error);

  /* What was found is in the cache: the completion finds it offline. */
  cab_test_sandbox_free (g_steal_pointer (&f->sandbox));
  got = local_addresses (f->store, "kerjean");
  g_assert_cmpstr (got, ==, "cardiologie@chu-nantes.mssante.fr noel.kerjean@chu-nantes.mssante.fr");
  g_clear_pointer (&got, g_free);
  got = local_addresses (f->store, "10177844");
  g_assert_cmpstr (got, ==, "berenice.riou@ch-saintnazaire.mssante.fr pneumologie@ch-saintnazaire.mssante.fr");
  g_clear_pointer (&got, g_free);
  /* Offline, the online search fails with a reason; the cache stays. */
  {
    gint64 before = cached_count (f->store);
    cab_fhir_client_set_retry_policy (cab_directory_get_client (f->directory), 0, 10);
    found = search_online (f->directory, "riou", NULL, &error);
    g_assert_null (found);
    g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
    g_assert_cmpint (cached_count (f->store), ==, before);
  }
}

/* A sync reads every page (five at a time here), with the practitioners'
 * roles, and refreshes what is cached; the learned addresses the cache
 * lacks are looked up by email. */
static void
test_sync (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char * const cities[] = { "Saint-Nazaire", NULL };
  CabDirectorySyncStats stats = { 0 };
  gint64 total = directory_total (f, "Practitioner?address-city=Saint-Nazaire");
  g_autofree char *got = NULL;

  g_assert_cmpint (total, >, 10);
  cab_directory_set_page_size (f->directory, 5);
  g_assert_true (sync_cities (f->directory, cities, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_practitioners, ==, total);
  g_assert_cmpuint (stats.n_requests, >=, (total + 4) / 5 + 1);
  g_assert_cmpuint (stats.n_entries, >=, total);
  g_assert_cmpint (cached_count (f->store), ==, stats.n_entries);

  /* A learned address not in the cache: the next sync finds it by email. */
  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
    g_assert_true (cab_store_conn_exec (writer,
      "INSERT INTO correspondents (address, received_count, last_at)"
      " VALUES ('gwenael.gicquel@bioouest.mssante.fr', 3, 1);"
      " UPDATE directory_entries SET display = 'Old name' WHERE rpps = '10177844833';", &error));
    g_assert_no_error (error);
  }
  g_assert_true (sync_cities (f->directory, NULL, &stats, &error));
  g_assert_no_error (error);
  got = local_addresses (f->store, "biologiste");
  g_assert_cmpstr (got, ==, "gwenael.gicquel@bioouest.mssante.fr resultats@bioouest.mssante.fr");
  g_clear_pointer (&got, g_free);
  got = local_addresses (f->store, "riou");
  g_assert_cmpstr (got, ==, "berenice.riou@ch-saintnazaire.mssante.fr pneumologie@ch-saintnazaire.mssante.fr");
  g_clear_pointer (&got, g_free);
  got = local_addresses (f->store, "old name");
  g_assert_cmpstr (got, ==, "");
}

/* The app's refresh (cab-directory-refresh.h): one sync at a time, once an
 * hour at most, and it fills the cache with the learned correspondents'
 * directory entries. */
static void
on_refresh_finished (CabDirectoryRefresh *refresh, gboolean success, gpointer user_data)
{
  *(int *) user_data = success ? 1 : 2;
}

static void
test_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr(CabDirectoryRefresh) refresh = cab_directory_refresh_new (f->directory);
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  int finished = 0;

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
    g_assert_true (cab_store_conn_exec (writer,
      "INSERT INTO correspondents (address, received_count, last_at)"
      " VALUES ('gwenael.gicquel@bioouest.mssante.fr', 3, 1);", &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (cached_count (f->store), ==, 0);
  g_signal_connect (refresh, "finished", G_CALLBACK (on_refresh_finished), &finished);

  g_assert_true (cab_directory_refresh_request (refresh));
  g_assert_false (cab_directory_refresh_request (refresh));   /* one at a time */
  while (finished == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (finished, ==, 1);
  g_assert_cmpint (cached_count (f->store), >, 0);
  got = local_addresses (f->store, "biologiste");
  g_assert_cmpstr (got, ==, "gwenael.gicquel@bioouest.mssante.fr resultats@bioouest.mssante.fr");

  /* Done a moment ago: the next health-space sync does not ask again. */
  g_assert_false (cab_directory_refresh_request (refresh));
}

/* A failed refresh is tried again on its own with a backoff (1, 2, 5, 15
 * minutes, then hourly; a "minute" is 40 ms here), one at a time, until the
 * directory answers again; a request meanwhile waits for the retry. */
typedef struct
{
  guint failed;
  guint succeeded;
} RefreshCounts;

static void
on_refresh_counted (CabDirectoryRefresh *refresh, gboolean success, gpointer user_data)
{
  RefreshCounts *counts = user_data;

  if (success)
    counts->succeeded++;
  else
    counts->failed++;
}

static void
set_directory_faults (Fixture *f, const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (f->sandbox, json != NULL ? "POST" : "DELETE", "/admin/faults", json, &status,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

static gboolean
give_up_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @counter reaches @want; FALSE after 20 s. */
static gboolean
wait_count (guint *counter, guint want)
{
  gboolean gave_up = FALSE;
  guint id = g_timeout_add_seconds (20, give_up_cb, &gave_up);

  while (*counter < want && !gave_up)
    g_main_context_iteration (NULL, TRUE);
  if (!gave_up)
    g_source_remove (id);
  return *counter >= want;
}

static void
test_refresh_retry (Fixture *f, gconstpointer data)
{
  g_autoptr(CabDirectoryRefresh) refresh = cab_directory_refresh_new (f->directory);
  g_autoptr(GError) error = NULL;
  RefreshCounts counts = { 0 };

  /* The schedule itself. */
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (1), ==, 60);
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (2), ==, 120);
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (3), ==, 300);
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (4), ==, 900);
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (5), ==, 3600);
  g_assert_cmpuint (cab_directory_refresh_retry_delay_s (50), ==, 3600);

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
    g_assert_true (cab_store_conn_exec (writer,
      "INSERT INTO correspondents (address, received_count, last_at)"
      " VALUES ('gwenael.gicquel@bioouest.mssante.fr', 3, 1);", &error));
    g_assert_no_error (error);
  }
  cab_directory_refresh_set_minute_for_tests (refresh, 40);
  g_signal_connect (refresh, "finished", G_CALLBACK (on_refresh_counted), &counts);

  /* The directory answers 500: the first refresh fails, and so do the
   * retries that follow it without being asked. */
  set_directory_faults (f, "{\"error_rate\":1.0,\"error_statuses\":[500]}");
  g_assert_true (cab_directory_refresh_request (refresh));
  g_assert_true (wait_count (&counts.failed, 1));
  g_assert_cmpuint (cab_directory_refresh_get_failures (refresh), ==, 1);
  /* A health-space sync meanwhile does not start a second one: the retry
   * comes first. */
  g_assert_false (cab_directory_refresh_request (refresh));
  g_assert_true (wait_count (&counts.failed, 3));
  g_assert_cmpuint (counts.succeeded, ==, 0);
  g_assert_cmpuint (cab_directory_refresh_get_failures (refresh), ==, 3);
  g_assert_cmpint (cached_count (f->store), ==, 0);

  /* Back: the next retry succeeds, fills the cache, and the retries stop. */
  set_directory_faults (f, NULL);
  g_assert_true (wait_count (&counts.succeeded, 1));
  g_assert_cmpuint (cab_directory_refresh_get_failures (refresh), ==, 0);
  g_assert_cmpint (cached_count (f->store), >, 0);
  g_assert_false (cab_directory_refresh_request (refresh));   /* an hour from now */
  g_signal_handlers_disconnect_by_func (refresh, on_refresh_counted, &counts);
}

/* --------------------------------------------------------- hostile server */

typedef struct
{
  SoupServer *server;
  char       *url;
  const char *mode;
} Hostile;

static char *
bundle_with (guint n, const char *address, const char *next)
{
  GString *s = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",");

  if (next != NULL)
    g_string_append_printf (s, "\"link\":[{\"relation\":\"next\",\"url\":\"%s\"}],", next);
  g_string_append (s, "\"entry\":[");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"p%u\","
                               "\"name\":[{\"family\":\"Hostile\",\"given\":[\"H%u\"]}],"
                               "\"telecom\":[{\"system\":\"email\",\"value\":\"%s\"}]}}",
                            i ? "," : "", i, i, address);
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static void
on_hostile (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Hostile *h = data;
  g_autofree char *body = NULL;

  if (g_str_has_suffix (path, "/PractitionerRole"))
    body = g_strdup ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}");
  else if (g_str_equal (h->mode, "malformed"))
    body = g_strdup ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":");
  else if (g_str_equal (h->mode, "huge"))
    {
      /* Over the 8 MiB cap, one valid Bundle of padding. */
      GString *s = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"pad\":\"");
      for (guint i = 0; i < 9 * 1024; i++)
        g_string_append_printf (s, "%01024d", 0);
      g_string_append (s, "\",\"entry\":[]}");
      body = g_string_free (s, FALSE);
    }
  else if (g_str_equal (h->mode, "many"))
    body = bundle_with (CAB_DIRECTORY_MAX_PAGE_ENTRIES + 1, "a.b@x.mssante.fr", NULL);
  else if (g_str_equal (h->mode, "not-bundle"))
    body = g_strdup ("{\"resourceType\":\"Patient\",\"id\":\"x\"}");
  else if (g_str_equal (h->mode, "bad-addresses"))
    {
      body = g_strdup ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":["
        "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"../x\",\"telecom\":[{\"system\":\"email\",\"value\":\"id@x.mssante.fr\"}]}},"
        "{\"resource\":{\"resourceType\":\"Practitioner\",\"id\":\"p1\",\"name\":[{\"family\":\"Ok\"}],\"telecom\":["
        "{\"system\":\"email\",\"value\":\"good@ok.mssante.fr\"},"
        "{\"system\":\"email\",\"value\":\"279035121518989@patient.mssante.fr\"},"
        "{\"system\":\"email\",\"value\":\"plain@gmail.com\"},"
        "{\"system\":\"email\",\"value\":\"two@at@x.mssante.fr\"},"
        "{\"system\":\"email\",\"value\":\"new\\nline@x.mssante.fr\"},"
        "{\"system\":\"email\",\"value\":42},"
        "{\"system\":\"phone\",\"value\":\"other@x.mssante.fr\"}]}}]}");
    }
  else if (g_str_equal (h->mode, "escape"))
    body = bundle_with (1, "e.scape@x.mssante.fr", "http://127.0.0.2:1/elsewhere/Practitioner?page=2");
  else if (g_str_equal (h->mode, "loop"))
    {
      g_autofree char *next = g_strdup_printf ("%s/Practitioner?address-city=X&_count=1&again=1", h->url);
      body = bundle_with (1, "loop@x.mssante.fr", next);
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/fhir+json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), strlen (body));
}

static void
test_hostile (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDirectory) hostile_dir = NULL;
  g_autoptr(GListModel) found = NULL;
  Hostile h = { soup_server_new (NULL, NULL), NULL, "malformed" };
  GSList *uris;
  gint64 before;
  struct { const char *mode; GQuark domain; int code; } cases[] = {
    { "malformed", CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE },
    { "huge", CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_LARGE },
    { "many", CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_LIMIT },
    { "not-bundle", CAB_DIRECTORY_ERROR, CAB_DIRECTORY_ERROR_ANSWER },
  };

  /* Something cached first, from the real directory. */
  found = search_online (f->directory, "kerjean", NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&found);
  before = cached_count (f->store);
  g_assert_cmpint (before, ==, 2);

  soup_server_add_handler (h.server, NULL, on_hostile, &h, NULL);
  g_assert_true (soup_server_listen_local (h.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (h.server);
  {
    g_autofree char *root = g_uri_to_string (uris->data);
    h.url = g_strdup_printf ("%sannuaire", root);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  hostile_dir = cab_directory_new (f->store, h.url, NULL, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_retry_policy (cab_directory_get_client (hostile_dir), 0, 10);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      h.mode = cases[i].mode;
      found = search_online (hostile_dir, "hostile", NULL, &error);
      g_test_message ("%s: %s", cases[i].mode, error ? error->message : "no error");
      g_assert_null (found);
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_assert_nonnull (error->message);
      g_clear_error (&error);
      g_assert_true (!sync_cities (hostile_dir, (const char * const[]) { "X", NULL }, NULL, &error));
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_clear_error (&error);
      g_assert_cmpint (cached_count (f->store), ==, before);
    }

  /* Bad ids and addresses are skipped, the good one kept. */
  h.mode = "bad-addresses";
  found = search_online (hostile_dir, "ok", NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *got = addresses_of (found);
    g_assert_cmpstr (got, ==, "good@ok.mssante.fr");
  }
  g_clear_object (&found);

  /* A next link to another origin is never followed: the sync fails, the
   * cache is as it was. */
  h.mode = "escape";
  before = cached_count (f->store);
  g_assert_false (sync_cities (hostile_dir, (const char * const[]) { "X", NULL }, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("escape: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpint (cached_count (f->store), ==, before);

  /* A next link that repeats ends the search. */
  h.mode = "loop";
  g_assert_true (sync_cities (hostile_dir, (const char * const[]) { "X", NULL }, NULL, &error));
  g_assert_no_error (error);

  /* Without the API key the directory refuses. */
  {
    g_autoptr(CabDirectory) keyless = cab_directory_new (f->store, f->url, NULL, &error);
    g_assert_no_error (error);
    found = search_online (keyless, "kerjean", NULL, &error);
    g_assert_null (found);
    g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
  }

  soup_server_disconnect (h.server);
  g_object_unref (h.server);
  g_free (h.url);
}

/* cabinetctl directory search and sync. */
static void
test_cabinetctl (Fixture *f, gconstpointer data)
{
  const char *ctl = g_getenv ("CABINETCTL");
  g_autofree char *data_dir = g_build_filename (f->dir, "ctl", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "CABINET_DIRECTORY_KEY", KEY, TRUE);
  int status = 0;

  g_assert_nonnull (ctl);
  {
    const char *argv[] = { ctl, "--data-dir", data_dir, "directory", "search", "pichon",
                           "--directory", f->url, "--json", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                       json_node_get_array (json_parser_get_root (parser)), 0), "rpps"), ==, "10590819354");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { ctl, "--data-dir", data_dir, "directory", "sync", "--city", "Saint-Nazaire",
                           "--directory", f->url, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (g_str_has_prefix (out, "Directory: "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    /* Offline: the cache answers. */
    const char *argv[] = { ctl, "--data-dir", data_dir, "directory", "search", "saint-naz", "--offline", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "(RPPS "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    /* No directory given: a configuration error (2). */
    const char *argv[] = { ctl, "--data-dir", data_dir, "directory", "sync", NULL };
    g_auto(GStrv) bare = g_environ_unsetenv (g_get_environ (), "CABINET_DIRECTORY_URL");
    g_assert_true (g_spawn_sync (NULL, (char **) argv, bare, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/directory/search", test_search);
  ADD ("/directory/sync", test_sync);
  ADD ("/directory/refresh", test_refresh);
  ADD ("/directory/refresh-retry", test_refresh_retry);
  ADD ("/directory/hostile", test_hostile);
  ADD ("/directory/cabinetctl", test_cabinetctl);
#undef ADD
  return g_test_run ();
}
