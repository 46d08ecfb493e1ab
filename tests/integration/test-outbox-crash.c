/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kill -9 of a draining `cabinetctl outbox drain` at random moments, then
 * restarted: zero lost, zero duplicated, the store intact.
 * CABINET_TEST_KILLS scales the number of kills (default 30). */
#define G_LOG_DOMAIN "test-outbox-crash"

#include <signal.h>
#include <glib/gstdio.h>

#include "test-outbox-common.h"

#define N_ENTRIES 150

static GSubprocess *
spawn_drain (CabTestSandbox *sandbox,
             const char     *data_dir)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_strdup_printf ("--token=%s", CAB_TEST_TOKEN);
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CABINETCTL"),
                                         "--data-dir", data_dir, "--server", sandbox->base_url, token,
                                         "outbox", "drain", "--backoff-ms", "20", NULL);
  g_assert_no_error (error);
  return process;
}

static void
test_kill (void)
{
  const char * const args[] = { "--patients", "10", "--years", "1", "--latency-ms", "100", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_autofree char *dir = g_dir_make_tmp ("test-outbox-crash-XXXXXX", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *db = g_build_filename (data_dir, "cabinet.db", NULL);
  g_autofree char *pdf = outbox_test_make_pdf (dir);
  g_autoptr(GPtrArray) patients = NULL;
  guint kills = 30, done_before = 0;
  const char *env = g_getenv ("CABINET_TEST_KILLS");
  guint counts[CAB_OUTBOX_N_STATES];

  g_assert_no_error (error);
  if (env != NULL)
    kills = (guint) g_ascii_strtoull (env, NULL, 10);

  /* Queue everything, then close the store: only cabinetctl drains. */
  {
    g_autoptr(CabStore) store = cab_store_open (db, &error);
    g_autoptr(CabOutbox) outbox = NULL;

    g_assert_no_error (error);
    patients = outbox_test_import_patients (sandbox, store);
    outbox = cab_outbox_new (store, NULL);
    for (guint i = 0; i < N_ENTRIES; i++)
      {
        g_assert_true (cab_outbox_publish_document (outbox, g_ptr_array_index (patients, i % patients->len),
                                                    pdf, "11488-4", "Avant le crash", FALSE, NULL, &error));
        g_assert_no_error (error);
      }
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }

  for (guint k = 0; k < kills; k++)
    {
      g_autoptr(GSubprocess) process = spawn_drain (sandbox, data_dir);
      g_autoptr(CabStore) store = NULL;

      g_usleep (g_random_int_range (20, 250) * 1000);
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);

      store = cab_store_open (db, &error);
      g_assert_no_error (error);
      g_assert_true (cab_store_check_integrity (store, &error));
      g_assert_no_error (error);
      g_assert_true (cab_store_outbox_count (store, counts, &error));
      /* Never fewer done than before: nothing recorded is undone. */
      g_assert_cmpuint (counts[CAB_OUTBOX_STATE_DONE], >=, done_before);
      done_before = counts[CAB_OUTBOX_STATE_DONE];
      g_assert_cmpuint (counts[CAB_OUTBOX_STATE_FAILED], ==, 0);
    }
  g_test_message ("%u of %u done after %u kills", done_before, N_ENTRIES, kills);

  /* The last run finishes. */
  {
    g_autoptr(GSubprocess) process = spawn_drain (sandbox, data_dir);
    g_autoptr(CabStore) store = NULL;

    g_assert_true (g_subprocess_wait (process, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

    store = cab_store_open (db, &error);
    g_assert_no_error (error);
    g_assert_true (cab_store_check_integrity (store, &error));
    g_assert_true (cab_store_outbox_count (store, counts, &error));
    g_assert_cmpuint (counts[CAB_OUTBOX_STATE_DONE], ==, N_ENTRIES);
    g_assert_cmpuint (outbox_test_check_exactly_once (sandbox, store, patients), ==, N_ENTRIES);
  }
  outbox_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: every test works in its own temporary
   * directory already, and GLib keeps each replaced set of user dirs alive on
   * purpose, which LeakSanitizer reports without a usable stack. */
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outbox/kill-9", test_kill);
  return g_test_run ();
}
