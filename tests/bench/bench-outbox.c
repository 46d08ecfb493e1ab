/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drains N queued publishes to a local sandbox, against N sequential curl
 * POSTs of the same transaction bodies on one connection (curl -K), in the
 * same run. Prints ratios; never fails on a timing. N: BENCH_OUTBOX_N (1000). */
#define G_LOG_DOMAIN "bench-outbox"

#include <stdio.h>
#include <glib/gstdio.h>

#include "cab-outbox-private.h"
#include "../integration/test-outbox-common.h"

static void
on_drained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* For profiling: BENCH_OUTBOX_SPANS=1 prints each timed phase's bounds in
 * CLOCK_MONOTONIC seconds (perf record -k CLOCK_MONOTONIC; perf report --time). */
static void
report_span (const char *what,
             gint64      start)
{
  if (g_getenv ("BENCH_OUTBOX_SPANS") != NULL)
    g_printerr ("span %s: %.6f,%.6f\n", what, start / 1e6, g_get_monotonic_time () / 1e6);
}

static CabStore *
queue (CabTestSandbox *sandbox,
       const char     *dir,
       const char     *name,
       const char     *pdf,
       guint           n,
       GPtrArray     **patients_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (dir, name, "cabinet.db", NULL);
  CabStore *store = cab_store_open (db, &error);
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GPtrArray) patients = NULL;

  g_assert_no_error (error);
  patients = outbox_test_import_patients (sandbox, store);
  outbox = cab_outbox_new (store, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (cab_outbox_publish_document (outbox, g_ptr_array_index (patients, i % patients->len),
                                                  pdf, "11488-4", "Banc d'essai", FALSE, NULL, &error));
      g_assert_no_error (error);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (patients_out != NULL)
    *patients_out = g_steal_pointer (&patients);
  return store;
}

static double
drain (CabTestSandbox *sandbox,
       CabStore       *store,
       guint           parallelism)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) client = cab_fhir_client_new (sandbox->base_url, &error);
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  CabOutboxDrainResult r = { 0 };
  gint64 start;

  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  outbox = cab_outbox_new (store, client);
  cab_outbox_set_parallelism (outbox, parallelism);

  start = g_get_monotonic_time ();
  cab_outbox_drain_async (outbox, NULL, on_drained, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cab_outbox_drain_finish (outbox, result, &r, &error));
  g_assert_cmpuint (r.counts[CAB_OUTBOX_STATE_PENDING], ==, 0);
  report_span ("drain", start);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The same transaction bodies, built by the outbox's own code, sent by curl
 * one after the other on one connection. */
static double
curl_baseline (CabTestSandbox *sandbox,
               CabStore       *store,
               const char     *dir,
               guint           n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutbox) outbox = cab_outbox_new (store, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) config = g_string_new (NULL);
  g_autofree char *config_path = g_build_filename (dir, "curl.cfg", NULL);
  g_autofree char *bodies = g_build_filename (dir, "bodies", NULL);
  g_autoptr(GSubprocess) curl = NULL;
  gint64 start;

  g_mkdir_with_parents (bodies, 0700);
  entries = cab_store_outbox_list (store, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n);

  for (guint i = 0; i < entries->len; i++)
    {
      CabOutboxEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(CabOutboxRequest) request = cab_outbox_kind_publish.prepare (outbox, e, &error);
      g_autofree char *path = g_strdup_printf ("%s/%u.json", bodies, i);

      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (path, g_bytes_get_data (request->body, NULL),
                                          g_bytes_get_size (request->body), &error));
      if (i > 0)
        g_string_append (config, "next\n");
      g_string_append_printf (config,
                              "url = \"%s\"\n"
                              "header = \"Content-Type: application/fhir+json\"\n"
                              "header = \"Accept: application/fhir+json\"\n"
                              "header = \"Authorization: Bearer %s\"\n"
                              "data-binary = \"@%s\"\n"
                              "output = \"/dev/null\"\n"
                              "fail\n",
                              sandbox->base_url, CAB_TEST_TOKEN, path);
    }
  g_assert_true (g_file_set_contents (config_path, config->str, config->len, &error));

  start = g_get_monotonic_time ();
  curl = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "curl", "-s", "-K", config_path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (curl, NULL, &error));
  g_assert_no_error (error);
  report_span ("curl", start);
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  const char * const args[] = { "--patients", "40", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  CabStore *stores[5] = { NULL };
  const char *env = g_getenv ("BENCH_OUTBOX_N");
  guint n = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 1000;
  double t_curl[3], t_par, t_seq, base_seq, base_par;

  g_test_init (&argc, &argv, NULL);
  sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("bench-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  pdf = outbox_test_make_pdf (dir);

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_autofree char *name = g_strdup_printf ("%c", 'a' + i);
      stores[i] = queue (sandbox, dir, name, pdf, n, NULL);
    }

  /* The sandbox answers more slowly as it fills up (each run adds n
   * publishes): curl runs before, between and after the drains, and each
   * drain is compared with the mean of the two curl runs around it. */
  t_curl[0] = curl_baseline (sandbox, stores[0], dir, n);
  t_seq = drain (sandbox, stores[1], 1);
  t_curl[1] = curl_baseline (sandbox, stores[2], dir, n);
  t_par = drain (sandbox, stores[3], 4);
  t_curl[2] = curl_baseline (sandbox, stores[4], dir, n);
  base_seq = (t_curl[0] + t_curl[1]) / 2;
  base_par = (t_curl[1] + t_curl[2]) / 2;

  printf ("# %u publishes (transaction Bundle, small PDF)\n", n);
  printf ("curl sequential, one connection: %.2f s, %.2f s, %.2f s (before, between, after the drains)\n",
          t_curl[0], t_curl[1], t_curl[2]);
  printf ("outbox drain, parallelism 1:     %.2f s (%.1f/s)  ratio %.2f (first curl alone: %.2f)\n",
          t_seq, n / t_seq, t_seq / base_seq, t_seq / t_curl[0]);
  printf ("outbox drain, parallelism 4:     %.2f s (%.1f/s)  ratio %.2f (first curl alone: %.2f) (goal <= 1.2)\n",
          t_par, n / t_par, t_par / base_par, t_par / t_curl[0]);
  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    g_clear_object (&stores[i]);
  outbox_test_remove_tree (dir);
  return 0;
}
