/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-app-directory"

/* The application keeps the national health directory's cache fresh
 * (cab-directory-refresh.h): with a directory configured, after the first
 * health-space sync its refresh looks up the correspondents learned from
 * mail in the sandbox's directory (/annuaire/fhir), and the composer's
 * offline completion then finds them by name. A name the cache lacks
 * typed in the composer's "To" field is asked online after a pause, and
 * its addresses are offered. */

#include "config.h"

#include "cab-application.h"
#include "compose/cab-composer-private.h"
#include "cab-correspondents.h"
#include "cab-store-private.h"
#include "cab-test-ui.h"
#include "cab-test-sandbox.h"
#include "cab-window-private.h"
#include "desk-fixtures.h"

#define PRACTICE "Organization/org-practice"
#define LEARNED  "gwenael.gicquel@bioouest.mssante.fr"

static CabApplication *app;

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

typedef struct
{
  CabDirectoryRefresh *refresh;
  int                  finished;   /* 0 not yet, 1 success, 2 failure */
} RefreshWatch;

static void
refresh_finished_cb (CabDirectoryRefresh *refresh, gboolean success, gpointer user_data)
{
  ((RefreshWatch *) user_data)->finished = success ? 1 : 2;
}

static gboolean
refresh_exists (gpointer data)
{
  return cab_application_get_directory_refresh (app) != NULL;
}

static gboolean
refresh_finished (gpointer data)
{
  return ((RefreshWatch *) data)->finished != 0;
}

static gboolean
suggests_riou (gpointer data)
{
  g_auto(GStrv) shown = cab_recipient_entry_dup_suggestions (data);

  return shown != NULL && g_strv_contains ((const char * const *) shown, "berenice.riou@ch-saintnazaire.mssante.fr");
}

static gboolean
composer_closed (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* The composer asks the directory for a name the cache lacks: one search
 * after the pause, then the offline answer again, now with its entries. */
static void
check_online_completion (CabWindow *window,
                         CabStore  *store)
{
  CabComposer *composer = cab_composer_new (GTK_WINDOW (window), cab_window_get_session (window));
  CabRecipientEntry *recipients = cab_composer_get_recipients (composer);
  g_autofree char *got = local_addresses (store, "riou");

  g_assert_cmpstr (got, ==, "");
  gtk_window_set_default_size (GTK_WINDOW (composer), 780, 760);
  gtk_window_present (GTK_WINDOW (composer));
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  gtk_editable_set_text (cab_recipient_entry_get_text_field (recipients), "riou");
  cab_test_ui_wait_for (suggests_riou, recipients, "the directory's answer in the suggestions");
  g_assert_cmpstr (cab_recipient_entry_get_answered_text (recipients), ==, "riou");
  g_clear_pointer (&got, g_free);
  got = local_addresses (store, "riou");
  g_assert_true (g_str_has_prefix (got, "berenice.riou@ch-saintnazaire.mssante.fr pneumologie@ch-saintnazaire.mssante.fr"));
  cab_test_ui_screenshot_with_popover (GTK_WIDGET (composer),
                                       desk_find_child_of_type (GTK_WIDGET (recipients), GTK_TYPE_POPOVER),
                                       "composer-directory");

  gtk_editable_set_text (cab_recipient_entry_get_text_field (recipients), "");
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.close", NULL);
  cab_test_ui_wait_for (composer_closed, &composer, "the composer to close");
}

static void
test_app_directory_refresh (void)
{
  const char * const extra[] = { "--patients", "20", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *directory_url = NULL;
  g_autofree char *got = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  RefreshWatch refresh_watch = { 0 };
  CabWindow *window;
  CabSession *session;
  CabStore *store;

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  directory_url = g_strdup_printf ("%.*s/annuaire/fhir",
                                   (int) (strlen (sandbox->base_url) - strlen ("/fhir")), sandbox->base_url);
  data_dir = g_dir_make_tmp ("cabinet-test-app-directory-XXXXXX", &error);
  g_assert_no_error (error);

  /* A correspondent learned from mail, not yet in the directory cache. */
  {
    g_autofree char *path = g_build_filename (data_dir, "cabinet.db", NULL);
    g_autoptr(CabStore) seed = cab_store_open (path, &error);
    g_assert_no_error (error);
    {
      g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (seed);
      g_assert_true (cab_store_conn_exec (writer,
        "INSERT INTO correspondents (address, received_count, last_at)"
        " VALUES ('" LEARNED "', 3, 1);", &error));
      g_assert_no_error (error);
    }
    got = local_addresses (seed, "biologiste");
    g_assert_cmpstr (got, ==, "");
    g_clear_pointer (&got, g_free);
  }

  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  config.directory_url = directory_url;
  config.directory_key = (char *) "sandbox-annuaire";
  cab_application_set_config (app, &config);

  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  g_assert_nonnull (window);
  session = cab_window_get_session (window);
  cab_test_ui_watch_session (&watch, session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  /* The refresh exists once the store is open, before the first sync ends. */
  cab_test_ui_wait_for (refresh_exists, NULL, "the directory refresh");
  refresh_watch.refresh = cab_application_get_directory_refresh (app);
  g_assert_nonnull (cab_application_get_directory (app));
  g_signal_connect (refresh_watch.refresh, "finished", G_CALLBACK (refresh_finished_cb), &refresh_watch);

  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);
  cab_test_ui_wait_for (refresh_finished, &refresh_watch, "the directory refresh to finish");
  g_assert_cmpint (refresh_watch.finished, ==, 1);

  /* Tests may read the store from the main thread. */
  store = cab_session_get_store (session);
  got = local_addresses (store, "biologiste");
  g_assert_cmpstr (got, ==, LEARNED " resultats@bioouest.mssante.fr");

  /* Refreshed a moment ago: the next sync does not ask the directory again. */
  g_assert_false (cab_directory_refresh_request (refresh_watch.refresh));

  check_online_completion (window, store);

  g_signal_handlers_disconnect_by_func (refresh_watch.refresh, refresh_finished_cb, &refresh_watch);
  cab_test_ui_unwatch_session (&watch);
  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  cab_test_ui_remove_tree (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_ui_init (&argc, &argv);
  app = cab_test_ui_new_application ();

  g_test_add_func ("/app-directory/refresh", test_app_directory_refresh);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
