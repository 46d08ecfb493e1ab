/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cab-application.h"
#include "cab-test-ui.h"
#include "cab-test-sandbox.h"
#include "cab-window-private.h"

#define PRACTICE "Organization/org-practice"

static CabApplication *app;
static const char *lang = "en";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

/* The translated sentence up to its first %s, to match a status text. */
static char *
prefix_of (const char *format)
{
  const char *percent = strstr (format, "%s");

  g_assert_nonnull (percent);
  return g_strndup (format, percent - format);
}

static char *
expected_count_text (guint n)
{
  return g_strdup_printf (ngettext ("%'u patient", "%'u patients", n), n);
}

static void
close_window (CabWindow        *window,
              CabTestSyncWatch *watch)
{
  CabSession *session = cab_window_get_session (window);

  cab_test_ui_unwatch_session (watch);
  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  /* Let cancelled operations come back before the next test. */
  cab_test_ui_settle (100);
}

static CabWindow *
open_window (const CabConfig  *config,
             CabTestSyncWatch *watch)
{
  g_autoptr(CabSession) session = cab_session_new (config);
  CabWindow *window = cab_window_new (GTK_APPLICATION (app), session);

  cab_test_ui_watch_session (watch, session);
  gtk_window_present (GTK_WINDOW (window));
  cab_session_start (session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  return window;
}

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

/* The application's own activation path, connected to a real sandbox: first
 * sync, sync again, then the server goes away. */
static void
test_window_sync (void)
{
  const char * const extra[] = { "--patients", "40", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *up_to_date = NULL;
  g_autofree char *offline = NULL;
  g_autoptr(GSettings) settings = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  CabWindow *window;
  CabSession *session;
  guint n_patients;
  int width, height;

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);

  data_dir = g_dir_make_tmp ("cabinet-test-window-XXXXXX", &error);
  g_assert_no_error (error);

  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  cab_application_set_config (app, &config);

  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  g_assert_nonnull (window);
  session = cab_window_get_session (window);
  cab_test_ui_watch_session (&watch, session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  /* First sync. */
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);
  g_assert_cmpint (cab_session_get_status (session), ==, CAB_SESSION_STATUS_READY);
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_IDLE);
  g_assert_null (cab_window_get_banner_text (window));

  /* Tests may read the store from the main thread. */
  n_patients = cab_store_count_patients (cab_session_get_store (session));
  g_assert_cmpuint (n_patients, >, 0);
  count_text = expected_count_text (n_patients);
  g_assert_cmpstr (cab_window_get_count_text (window), ==, count_text);

  up_to_date = prefix_of (_("Up to date — last synchronized %s"));
  g_assert_true (g_str_has_prefix (cab_window_get_status_text (window), up_to_date));
  cab_test_ui_screenshot (window, "patients");

  /* The sidebar pages. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "inbox");
  g_assert_cmpstr (cab_window_get_page (window), ==, "inbox");
  cab_test_ui_screenshot (window, "inbox");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "patients");
  g_assert_cmpstr (cab_window_get_page (window), ==, "patients");

  /* Sync again: nothing new, the same count. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  cab_test_ui_wait_for_syncs (&watch, 2);
  g_assert_true (watch.last_success);
  g_assert_cmpstr (cab_window_get_count_text (window), ==, count_text);
  g_assert_true (g_str_has_prefix (cab_window_get_status_text (window), up_to_date));

  /* The server goes away: offline, and the store still serves. */
  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  cab_test_ui_wait_for_syncs (&watch, 3);
  g_assert_false (watch.last_success);
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_OFFLINE);
  offline = prefix_of (_("Offline — last synchronized %s"));
  g_assert_true (g_str_has_prefix (cab_window_get_status_text (window), offline));
  g_assert_cmpstr (cab_window_get_count_text (window), ==, count_text);
  g_assert_null (cab_window_get_banner_text (window));
  cab_test_ui_screenshot (window, "offline");

  /* The window remembers its size. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  close_window (window, &watch);
  settings = g_settings_new (APPLICATION_ID);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, width);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, height);

  cab_test_ui_remove_tree (data_dir);
}

/* A token the server does not know: the banner says what to do. */
static void
test_window_refused_token (void)
{
  const char * const extra[] = { "--patients", "5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *data_dir = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  CabWindow *window;
  const char *banner;

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  data_dir = g_dir_make_tmp ("cabinet-test-window-XXXXXX", &error);
  g_assert_no_error (error);

  config.server_url = sandbox->base_url;
  config.token = (char *) "not-the-right-token";
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;

  window = open_window (&config, &watch);
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_false (watch.last_success);

  banner = cab_window_get_banner_text (window);
  g_assert_nonnull (banner);
  g_assert_cmpstr (banner, ==, _("The server refused the access token. Check the token given with --token, or sign in again."));
  cab_test_ui_screenshot (window, "refused-token");

  close_window (window, &watch);
  cab_test_ui_remove_tree (data_dir);
}

/* HTTPS signed by another CA than the one configured: refused, and said so. */
static void
test_window_untrusted_certificate (void)
{
  const char * const extra[] = { "--patients", "5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *other_ca_dir = NULL;
  g_autofree char *other_ca = NULL;
  g_autofree char *expected = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  CabWindow *window;
  const char *banner;

  sandbox = cab_test_sandbox_start (extra, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sandbox->ca_file);

  data_dir = g_dir_make_tmp ("cabinet-test-window-XXXXXX", &error);
  g_assert_no_error (error);
  other_ca_dir = g_build_filename (data_dir, "other-ca", NULL);
  g_assert_cmpint (g_mkdir_with_parents (other_ca_dir, 0700), ==, 0);
  g_assert_true (cab_test_make_certificates (other_ca_dir, &error));
  g_assert_no_error (error);
  other_ca = g_build_filename (other_ca_dir, "ca.pem", NULL);

  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.ca_file = other_ca;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;

  window = open_window (&config, &watch);
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_false (watch.last_success);
  g_assert_cmpuint (cab_store_count_patients (cab_session_get_store (cab_window_get_session (window))), ==, 0);

  banner = cab_window_get_banner_text (window);
  g_assert_nonnull (banner);
  expected = g_strdup_printf (_("The server’s certificate is not signed by the certificate authority in “%s”, so Cabinet did not connect. Check that this file belongs to this server."),
                              other_ca);
  g_assert_cmpstr (banner, ==, expected);
  cab_test_ui_screenshot (window, "untrusted-certificate");

  close_window (window, &watch);
  cab_test_ui_remove_tree (data_dir);
}

/* No server configured: the window still opens on the local store, and every
 * sidebar page is reachable. */
static void
test_window_unconfigured (void)
{
  static const char * const pages[] = { "inbox", "follow-up", "outbox", "patients" };
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *count_text = expected_count_text (0);
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  CabWindow *window;

  data_dir = g_dir_make_tmp ("cabinet-test-window-XXXXXX", &error);
  g_assert_no_error (error);
  config.data_dir = data_dir;

  window = open_window (&config, &watch);
  while (cab_session_get_patient_count (cab_window_get_session (window)) < 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (cab_session_get_status (cab_window_get_session (window)), ==,
                   CAB_SESSION_STATUS_UNCONFIGURED);
  g_assert_cmpstr (cab_window_get_status_text (window), ==, _("Not connected — no server configured"));
  g_assert_cmpstr (cab_window_get_count_text (window), ==, count_text);
  /* Nothing to sync with: the action is disabled and does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL);
  cab_test_ui_settle (50);
  g_assert_cmpuint (cab_session_get_n_syncs (cab_window_get_session (window)), ==, 0);
  g_assert_cmpint (cab_session_get_status (cab_window_get_session (window)), ==,
                   CAB_SESSION_STATUS_UNCONFIGURED);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", pages[i]));
      g_assert_cmpstr (cab_window_get_page (window), ==, pages[i]);
    }

  close_window (window, &watch);
  cab_test_ui_remove_tree (data_dir);
}

/* ---------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_ui_init (&argc, &argv);
  lang = cab_test_ui_get_language ();

  /* The French run must really be in French. */
  if (g_str_equal (lang, "fr"))
    g_assert_cmpstr (_("_Synchronize"), ==, "_Synchroniser");

  app = cab_test_ui_new_application ();

  g_test_add_func ("/window/sync", test_window_sync);
  g_test_add_func ("/window/refused-token", test_window_refused_token);
  g_test_add_func ("/window/untrusted-certificate", test_window_untrusted_certificate);
  g_test_add_func ("/window/unconfigured", test_window_unconfigured);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
