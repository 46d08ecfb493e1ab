/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Full sync of a 2,000-patient practice from a local sandbox, against
 * fetching the very same pages with curl to /dev/null in the same run.
 * The sandbox's access log gives the exact URLs the sync asked for.
 * Prints figures; never fails on a timing.
 */
#define G_LOG_DOMAIN "cab-bench"

#include <glib/gstdio.h>
#include <math.h>
#include <sys/resource.h>

#include "cab-sync.h"
#include "cab-test-sandbox.h"

#define N_ROUNDS 3

typedef struct
{
  GMainLoop    *loop;
  gboolean      ok;
  CabSyncStats  stats;
  GError       *error;
} SyncRun;

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncRun *run = user_data;

  run->ok = cab_sync_run_finish (CAB_SYNC (source), result, &run->stats, &run->error);
  g_main_loop_quit (run->loop);
}

/* The -wal and -shm files go too: an old WAL would be replayed into the new file. */
static void
remove_store (const char *store_path)
{
  g_autofree char *wal = g_strconcat (store_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (store_path, "-shm", NULL);

  g_unlink (store_path);
  g_unlink (wal);
  g_unlink (shm);
}

/* User + system CPU seconds of this process so far (curl runs in a child). */
static double
process_cpu_s (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
timed_sync (CabTestSandbox *sandbox,
            const char     *store_path,
            CabSyncStats   *stats_out,
            double         *cpu_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SyncRun run = { loop };
  gint64 start;
  double cpu_start;

  remove_store (store_path);
  store = cab_store_open (store_path, &error);
  g_assert_no_error (error);
  client = cab_fhir_client_new (sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  sync = cab_sync_new (client, store, "Organization/org-practice");

  start = g_get_monotonic_time ();
  cpu_start = process_cpu_s ();
  cab_sync_run_async (sync, NULL, NULL, on_sync_done, &run);
  g_main_loop_run (loop);
  if (!run.ok)
    g_error ("sync failed: %s", run.error->message);
  if (stats_out)
    *stats_out = run.stats;
  if (cpu_out)
    *cpu_out = process_cpu_s () - cpu_start;
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
timed_curl (const char *config_path,
            gboolean    parallel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) curl = NULL;
  gint64 start = g_get_monotonic_time ();

  if (parallel)
    curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                             "curl", "-s", "--parallel", "--parallel-max", "4",
                             "-K", config_path, NULL);
  else
    curl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                             "curl", "-s", "-K", config_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (curl, NULL, &error);
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Turns the sandbox's access log (one "METHOD /path?query MS" a line) into a
 * curl config that fetches the same GETs with the same token. */
static guint
write_curl_config (CabTestSandbox *sandbox,
                   const char     *log_path,
                   const char     *config_path)
{
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) config = g_string_new (NULL);
  g_autofree char *root = NULL;
  g_auto(GStrv) lines = NULL;
  const char *fhir;
  guint n = 0;

  g_file_get_contents (log_path, &log, NULL, &error);
  g_assert_no_error (error);
  fhir = strstr (sandbox->base_url, "/fhir");
  root = g_strndup (sandbox->base_url, fhir - sandbox->base_url);

  g_string_append_printf (config, "header = \"Authorization: Bearer %s\"\n", CAB_TEST_TOKEN);
  g_string_append (config, "header = \"Accept: application/fhir+json\"\n");
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *url = lines[i] + 4;
      const char *end;

      if (!g_str_has_prefix (lines[i], "GET /fhir"))
        continue;
      end = strchr (url, ' ');
      g_string_append_printf (config, "url = \"%s%.*s\"\noutput = \"/dev/null\"\n",
                              root, end != NULL ? (int) (end - url) : (int) strlen (url), url);
      n++;
    }
  g_file_set_contents (config_path, config->str, config->len, &error);
  g_assert_no_error (error);
  return n;
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-bench-sync-XXXXXX", &error);
  g_autofree char *log_path = g_build_filename (dir, "access.log", NULL);
  g_autofree char *config_path = g_build_filename (dir, "curl.cfg", NULL);
  g_autofree char *store_path = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *patients = g_strdup (g_getenv ("CABINET_BENCH_PATIENTS") ?
                                        g_getenv ("CABINET_BENCH_PATIENTS") : "2000");
  const char *args[] = { "--patients", patients, "--access-log", log_path, NULL };
  g_autoptr(CabTestSandbox) sandbox = NULL;
  double sync_s[N_ROUNDS], sync_cpu_s[N_ROUNDS], curl_seq_s[N_ROUNDS], curl_par_s[N_ROUNDS];
  CabSyncStats stats = { 0 };
  double warm;
  guint n_urls;

  g_assert_no_error (error);
  sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);

  /* Warm-up: fills the sandbox's caches and records the URLs. */
  warm = timed_sync (sandbox, store_path, &stats, NULL);
  n_urls = write_curl_config (sandbox, log_path, config_path);

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      curl_seq_s[i] = timed_curl (config_path, FALSE);
      curl_par_s[i] = timed_curl (config_path, TRUE);
      sync_s[i] = timed_sync (sandbox, store_path, &stats, &sync_cpu_s[i]);
    }

  {
    double s = median (sync_s, N_ROUNDS);
    double cs = median (curl_seq_s, N_ROUNDS);
    double cp = median (curl_par_s, N_ROUNDS);
    double cpu = median (sync_cpu_s, N_ROUNDS);

    g_print ("# full sync of a %s-patient practice (median of %d rounds, warm-up %.2f s)\n",
             patients, N_ROUNDS, warm);
    g_print ("requests=%u resources=%u patients=%u bytes=%" G_GUINT64_FORMAT "\n",
             n_urls, stats.n_resources, stats.n_patients, stats.n_bytes);
    g_print ("sync=%.2fs resources_per_s=%.0f sync_client_cpu=%.2fs\n",
             s, stats.n_resources / s, cpu);
    g_print ("curl_sequential=%.2fs curl_parallel4=%.2fs\n", cs, cp);
    g_print ("ratio_sync_to_curl_sequential=%.2f ratio_sync_to_curl_parallel4=%.2f (goal <= 1.5)\n",
             s / cs, s / cp);
  }

  remove_store (store_path);
  g_unlink (log_path);
  g_unlink (config_path);
  g_rmdir (dir);
  return 0;
}
