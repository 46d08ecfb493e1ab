/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Offline documents in the window (docs/architecture.md, "Prefetch"): the
 * practice prefetched after the first sync, the status line's figures, the
 * server gone and every document still opening; then a smaller budget, the
 * timeline's marks on what is not offline any more, and the offline page of
 * a document waiting in the queue. */
#define G_LOG_DOMAIN "test-offline"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-application.h"
#include "cab-prefetch.h"
#include "cab-store-cache.h"
#include "cab-test-sandbox.h"
#include "cab-test-ui.h"
#include "cab-timeline-item.h"
#include "cab-window-private.h"
#include "desk/cab-desk.h"
#include "desk/cab-document-pane.h"
#include "desk/cab-patient-page.h"
#include "patients/cab-patient-header.h"
#include "timeline/cab-timeline-view.h"
#include "viewer/cab-pdf-viewer.h"

#define PRACTICE "Organization/org-practice"

static CabApplication *app;

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static gboolean
prefetch_done (gpointer data)
{
  CabPrefetch *prefetch = data;

  return cab_prefetch_get_state (prefetch) == CAB_PREFETCH_STATE_IDLE &&
         cab_prefetch_get_n_documents (prefetch) > 0 &&
         cab_prefetch_get_n_offline (prefetch) == cab_prefetch_get_n_documents (prefetch);
}

static gboolean
prefetch_some_evicted (gpointer data)
{
  CabPrefetch *prefetch = data;

  return cab_prefetch_get_state (prefetch) == CAB_PREFETCH_STATE_IDLE &&
         cab_prefetch_get_n_offline (prefetch) < cab_prefetch_get_n_documents (prefetch);
}

static gboolean
prefetch_offline (gpointer data)
{
  return cab_prefetch_get_state (CAB_PREFETCH (data)) == CAB_PREFETCH_STATE_OFFLINE;
}

/* The status line's figures, formatted as the window formats them. */
static char *
expected_offline_text (CabPrefetch *prefetch)
{
  g_autofree char *n_offline = g_strdup_printf ("%'u", cab_prefetch_get_n_offline (prefetch));
  g_autofree char *n_documents = g_strdup_printf ("%'u", cab_prefetch_get_n_documents (prefetch));
  g_autofree char *size = g_format_size (cab_prefetch_get_offline_bytes (prefetch));

  return g_strdup_printf (_("Offline documents: %s / %s (%s)"), n_offline, n_documents, size);
}

static gboolean
status_has (gpointer data)
{
  gpointer *pair = data;
  const char *status = cab_window_get_status_text (pair[0]);

  return status != NULL && strstr (status, pair[1]) != NULL;
}

static void
open_patient (CabDesk    *desk,
              const char *patient_id)
{

  cab_desk_open_patient (desk, patient_id);
  cab_test_ui_wait_patient_open (desk, patient_id, "the patient to open");
}

/* Opens the document at @position as a click would. */
static CabPdfViewerState
activate_document (CabDesk *desk,
                   guint    position)
{
  CabPatientPage *page = cab_desk_get_patient_page (desk);
  CabDocumentPane *pane = cab_patient_page_get_document_pane (page);

  g_signal_emit_by_name (cab_timeline_view_get_list_view (cab_patient_page_get_timeline (page)),
                         "activate", position);
  return cab_test_ui_wait_document (pane, "the document to show");
}

static gboolean
has_description (GtkWidget  *widget,
                 const char *text)
{
  if (ADW_IS_STATUS_PAGE (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (adw_status_page_get_description (ADW_STATUS_PAGE (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_description (child, text))
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* test                                                                   */

static void
test_offline_documents (void)
{
  const char * const extra[] = { "--patients", "3", "--years", "4", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *first_patient = NULL;
  g_autofree char *other_patient = NULL;
  g_autofree char *queued_text = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  CabPatientPage *page;
  CabTimelineView *timeline;
  GListModel *model;
  CabPrefetch *prefetch;
  CabSession *session;
  CabWindow *window;
  CabDesk *desk;
  guint64 total_bytes;
  guint64 first_bytes = 0;
  guint n_opened = 0, n_marked = 0, n_unmarked = 0;
  guint marked = GTK_INVALID_LIST_POSITION;
  int position;
  gpointer pair[2];

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  data_dir = g_dir_make_tmp ("cabinet-test-offline-XXXXXX", &error);
  g_assert_no_error (error);

  g_settings_set_int (settings, "window-width", 1400);
  g_settings_set_int (settings, "window-height", 860);
  g_settings_set_strv (settings, "recent-patients", NULL);
  g_settings_set_uint64 (settings, "offline-budget", 0);

  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  session = cab_window_get_session (window);
  desk = cab_window_get_desk (window);
  cab_test_ui_watch_session (&watch, session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  /* The first sync, then every document in the background. */
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);
  prefetch = cab_session_get_prefetch (session);
  g_assert_nonnull (prefetch);
  cab_test_ui_wait_for (prefetch_done, prefetch, "every document to be offline");
  expected = expected_offline_text (prefetch);
  pair[0] = window;
  pair[1] = expected;
  cab_test_ui_wait_for (status_has, pair, "the status line's figures");
  g_test_message ("status: %s", cab_window_get_status_text (window));

  /* Tests may read the store from the main thread. */
  entries = cab_store_list_contents (cab_session_get_store (session), NULL, &error);
  g_assert_no_error (error);
  first_patient = g_strdup (((CabContentEntry *) g_ptr_array_index (entries, 0))->row->patient_id);
  for (guint i = 0; i < entries->len && other_patient == NULL; i++)
    {
      const char *id = ((CabContentEntry *) g_ptr_array_index (entries, i))->row->patient_id;

      if (g_strcmp0 (id, first_patient) != 0)
        other_patient = g_strdup (id);
    }
  g_assert_nonnull (other_patient);
  total_bytes = cab_prefetch_get_offline_bytes (prefetch);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->row->patient_id, first_patient) == 0)
        first_bytes += entry->cached_size;
    }

  /* The network is cut: every document of the patient opens all the same. */
  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  cab_test_ui_wait_for_syncs (&watch, 2);
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_OFFLINE);

  open_patient (desk, first_patient);
  page = cab_desk_get_patient_page (desk);
  timeline = cab_patient_page_get_timeline (page);
  model = cab_timeline_view_get_model (timeline);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);
      const CabDocumentRow *row;

      if (cab_timeline_item_is_header (item))
        continue;
      row = cab_timeline_item_get_row (item);
      if (row->document.is_kos || row->document.url == NULL)
        continue;
      g_assert_false (cab_timeline_item_get_marks (item) & CAB_TIMELINE_MARK_NOT_OFFLINE);
      g_assert_cmpint (activate_document (desk, i), ==, CAB_PDF_VIEWER_DOCUMENT);
      n_opened++;
    }
  g_assert_cmpuint (n_opened, >, 3);
  cab_test_ui_screenshot (window, "offline-all-open");

  /* A budget for half the other patients' documents (those just read
   * stay): their oldest go, and their rows are marked. */
  g_settings_set_uint64 (settings, "offline-budget", first_bytes + (total_bytes - first_bytes) / 2);
  cab_prefetch_start (prefetch);
  cab_test_ui_wait_for (prefetch_some_evicted, prefetch, "the budget to evict");
  g_free (expected);
  expected = expected_offline_text (prefetch);
  pair[1] = expected;
  cab_test_ui_wait_for (status_has, pair, "the status line's new figures");

  open_patient (desk, other_patient);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (cab_timeline_item_is_header (item) || cab_timeline_item_get_row (item)->document.is_kos)
        continue;
      if (cab_timeline_item_get_marks (item) & CAB_TIMELINE_MARK_NOT_OFFLINE)
        {
          n_marked++;
          if (marked == GTK_INVALID_LIST_POSITION)
            marked = i;
        }
      else
        n_unmarked++;
    }
  g_test_message ("%u rows offline, %u marked", n_unmarked, n_marked);
  g_assert_cmpuint (n_marked, >, 0);
  g_assert_cmpuint (n_unmarked, >, 0);
  cab_test_ui_screenshot (window, "offline-marks");

  /* The whole practice wanted again, the server still gone: the document
   * waits in the queue, and its page says so. */
  g_settings_set_uint64 (settings, "offline-budget", 0);
  cab_prefetch_start (prefetch);
  cab_test_ui_wait_for (prefetch_offline, prefetch, "the prefetch to find the server gone");
  g_assert_cmpint (activate_document (desk, marked), ==, CAB_PDF_VIEWER_UNAVAILABLE);
  position = cab_prefetch_get_queue_position (prefetch,
                                              cab_document_pane_get_document_id (cab_patient_page_get_document_pane (page)));
  g_assert_cmpint (position, >=, 0);
  if (position == 0)
    queued_text = g_strdup (_("This report is next in the queue for offline use. It will open here once downloaded, as soon as the health space is reachable."));
  else
    queued_text = g_strdup_printf (ngettext ("This report is queued for offline use, after %d other document. It will open here once downloaded, as soon as the health space is reachable.",
                                           "This report is queued for offline use, after %d other documents. It will open here once downloaded, as soon as the health space is reachable.",
                                           position),
                                 position);
  g_assert_true (has_description (GTK_WIDGET (cab_patient_page_get_document_pane (page)), queued_text));
  cab_test_ui_screenshot (window, "offline-queued");

  /* The preferences: the budget (0 for the default) and the metered switch. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWidget *preferences = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autofree char *path = cab_test_ui_screenshot_path ("offline-preferences");

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && preferences == NULL; i++)
      {
        g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

        if (ADW_IS_PREFERENCES_WINDOW (toplevel))
          preferences = toplevel;
      }
    g_assert_nonnull (preferences);
    cab_test_ui_wait_mapped (preferences);
    /* Past the header's cross-fade from the page switcher to the title. */
    cab_test_ui_settle (500);
    texture = cab_test_ui_render (preferences);
    g_assert_true (gdk_texture_save_to_png (texture, path));
    gtk_window_close (GTK_WINDOW (preferences));
  }

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
  if (g_str_equal (cab_test_ui_get_language (), "fr"))
    g_assert_cmpstr (_("Offline documents: %s / %s (%s)"), ==, "Documents hors ligne\u00a0: %s / %s (%s)");

  app = cab_test_ui_new_application ();
  g_test_add_func ("/offline/documents", test_offline_documents);
  ret = g_test_run ();
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
