/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Offline documents (docs/architecture.md, "Prefetch"):
 *
 * 1. The prefetch of every document of a 2,000-patient practice, against
 *    curl fetching the very same Binaries with 2 parallel connections (the
 *    prefetch's own limit) in the same run. Goal: <= 1.2.
 * 2. Opening a document (download, then its first page drawn by poppler)
 *    while the prefetch runs, against the same with the prefetch idle.
 *    Goal: <= 1.2.
 *
 * Prints figures as ratios; never fails on a timing.
 * CABINET_BENCH_PATIENTS changes the practice's size.
 */
#define G_LOG_DOMAIN "cab-bench"

#include <cairo.h>
#include <poppler.h>
#include <glib/gstdio.h>

#include "cab-prefetch.h"
#include "cab-store-cache.h"
#include "cab-sync.h"
#include "cab-test-sandbox.h"

#define PRACTICE "Organization/org-practice"
#define N_ROUNDS 2
#define N_OPENS 15

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
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

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return values[n / 2];
}

static double
timed_curl (const char *config_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  gint64 start = g_get_monotonic_time ();

  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           "curl", "-s", "--fail", "--parallel", "--parallel-max", "2",
                           "-K", config_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (curl, NULL, &error);
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* curl fetches each Binary as the prefetch does: same URL, token and Accept. */
static guint
write_curl_config (CabTestSandbox *sandbox,
                   GPtrArray      *entries,
                   const char     *config_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) config = g_string_new (NULL);

  g_string_append_printf (config, "header = \"Authorization: Bearer %s\"\n", CAB_TEST_TOKEN);
  g_string_append (config, "header = \"Accept: application/pdf\"\n");
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      g_string_append_printf (config, "url = \"%s/%s\"\noutput = \"/dev/null\"\n",
                              sandbox->base_url, entry->row->document.url);
    }
  g_file_set_contents (config_path, config->str, config->len, &error);
  g_assert_no_error (error);
  return entries->len;
}

/* Every prefetched content evicted: a budget of one byte. */
static void
evict_all (CabPrefetch *prefetch)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cab_prefetch_set_budget (prefetch, 1);
  cab_prefetch_run_async (prefetch, NULL, store_result_cb, &result);
  g_assert_true (cab_prefetch_run_finish (prefetch, wait_result (&result), NULL, &error));
  g_assert_no_error (error);
  cab_prefetch_set_budget (prefetch, G_MAXUINT64);
}

static double
timed_prefetch (CabPrefetch        *prefetch,
                CabPrefetchSummary *summary)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  cab_prefetch_run_async (prefetch, NULL, store_result_cb, &result);
  g_assert_true (cab_prefetch_run_finish (prefetch, wait_result (&result), summary, &error));
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Asked for, downloaded, and its first page drawn: what the window does
 * before the doctor sees the letter. */
static double
timed_open (CabPrefetch          *prefetch,
            const CabDocumentRow *row)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PopplerDocument *document;
  PopplerPage *page;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  double width, height;
  gint64 start = g_get_monotonic_time ();

  cab_prefetch_fetch_async (prefetch, row, NULL, NULL, NULL, store_result_cb, &result);
  path = cab_prefetch_fetch_finish (prefetch, wait_result (&result), &error);
  g_assert_no_error (error);

  uri = g_filename_to_uri (path, NULL, &error);
  document = poppler_document_new_from_file (uri, NULL, &error);
  g_assert_no_error (error);
  page = poppler_document_get_page (document, 0);
  poppler_page_get_size (page, &width, &height);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  cr = cairo_create (surface);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  g_object_unref (page);
  g_object_unref (document);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
landed_cb (CabPrefetch *prefetch,
           const char  *id,
           guint       *n_landed)
{
  (*n_landed)++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-bench-prefetch-XXXXXX", &error);
  g_autofree char *config_path = g_build_filename (dir, "curl.cfg", NULL);
  g_autofree char *store_path = g_build_filename (dir, "cabinet.db", NULL);
  g_autofree char *patients = g_strdup (g_getenv ("CABINET_BENCH_PATIENTS") ?
                                        g_getenv ("CABINET_BENCH_PATIENTS") : "2000");
  const char *args[] = { "--patients", patients, NULL };
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(CabPrefetch) prefetch = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  double prefetch_s[N_ROUNDS], curl_s[N_ROUNDS], idle_s[N_OPENS], busy_s[N_OPENS];
  CabPrefetchSummary summary = { 0 };
  guint n_landed = 0, n_before, n_urls;

  g_assert_no_error (error);
  g_print ("# starting a %s-patient sandbox\n", patients);
  sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);

  store = cab_store_open (store_path, &error);
  g_assert_no_error (error);
  client = cab_fhir_client_new (sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  sync = cab_sync_new (client, store, PRACTICE);
  cab_sync_run_async (sync, NULL, NULL, store_result_cb, &synced);
  g_assert_true (cab_sync_run_finish (sync, wait_result (&synced), NULL, &error));
  g_assert_no_error (error);

  entries = cab_store_list_contents (store, NULL, &error);
  g_assert_no_error (error);
  n_urls = write_curl_config (sandbox, entries, config_path);
  g_print ("# %u documents; warming the sandbox up\n", n_urls);
  timed_curl (config_path);

  prefetch = cab_prefetch_new (store, client, NULL, dir);
  cab_prefetch_set_budget (prefetch, G_MAXUINT64);
  g_signal_connect (prefetch, "document-cached", G_CALLBACK (landed_cb), &n_landed);

  /* 1. The whole practice, against curl. */
  for (guint i = 0; i < N_ROUNDS; i++)
    {
      curl_s[i] = timed_curl (config_path);
      if (i > 0)
        evict_all (prefetch);
      prefetch_s[i] = timed_prefetch (prefetch, &summary);
      g_assert_cmpuint (summary.n_downloaded, ==, n_urls);
      g_print ("# round %u: curl %.2f s, prefetch %.2f s\n", i + 1, curl_s[i], prefetch_s[i]);
    }

  /* 2. Opening documents, prefetch idle then running. Each document is a
   * different one, never downloaded yet, spread over the practice. */
  evict_all (prefetch);
  for (guint i = 0; i < N_OPENS; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, (i * 2 + 1) * entries->len / (4 * N_OPENS));

      idle_s[i] = timed_open (prefetch, entry->row);
    }
  evict_all (prefetch);
  {
    g_autoptr(GAsyncResult) result = NULL;

    cab_prefetch_run_async (prefetch, NULL, store_result_cb, &result);
    n_before = n_landed;
    while (n_landed < n_before + 20)
      g_main_context_iteration (NULL, TRUE);
    for (guint i = 0; i < N_OPENS; i++)
      {
        /* The back half of the queue: not reached by the lane meanwhile. */
        const CabContentEntry *entry = g_ptr_array_index (entries, entries->len / 2 + (i * 2 + 1) * entries->len / (4 * N_OPENS));

        busy_s[i] = timed_open (prefetch, entry->row);
      }
    g_assert_true (cab_prefetch_get_state (prefetch) != CAB_PREFETCH_STATE_IDLE);
    cab_prefetch_stop (prefetch);
    wait_result (&result);
  }

  {
    double p = median (prefetch_s, N_ROUNDS);
    double c = median (curl_s, N_ROUNDS);
    double idle = median (idle_s, N_OPENS);
    double busy = median (busy_s, N_OPENS);

    g_print ("# prefetch of a %s-patient practice (median of %d rounds)\n", patients, N_ROUNDS);
    g_print ("documents=%u bytes=%" G_GUINT64_FORMAT "\n", n_urls, summary.n_bytes);
    g_print ("prefetch=%.2fs curl_parallel2=%.2fs documents_per_s=%.0f\n", p, c, n_urls / p);
    g_print ("ratio_prefetch_to_curl_parallel2=%.2f (goal <= 1.2)\n", p / c);
    g_print ("# opening a document (download + first page drawn), median of %d\n", N_OPENS);
    g_print ("open_idle=%.1fms open_during_prefetch=%.1fms\n", idle * 1000, busy * 1000);
    g_print ("ratio_open_during_prefetch_to_idle=%.2f (goal <= 1.2)\n", busy / idle);
  }

  g_clear_object (&prefetch);
  g_clear_object (&store);
  remove_tree (dir);
  return 0;
}
