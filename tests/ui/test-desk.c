/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-desk"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cab-application.h"
#include "cab-imaging-link.h"
#include "cab-store-opened.h"
#include "cab-test-ui.h"
#include "cab-test-sandbox.h"
#include "desk/cab-desk.h"
#include "desk/cab-recent-patients.h"
#include "cab-timeline-item.h"
#include "cab-window-private.h"

#define PRACTICE "Organization/org-practice"
#define PRACTICE_NAME "Cabinet médical des Tilleuls"

static CabApplication *app;
static const char *lang = "en";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (label == NULL ||
       (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Pixels darker than mid-grey in @widget as drawn: text and lines on the
 * page, never the viewer's light background. */
static guint
count_dark_pixels (GtkWidget *widget)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  gsize stride;
  guint n = 0;
  int width, height;

  g_assert_cmpint (gtk_widget_get_width (widget), >, 0);
  g_assert_cmpint (gtk_widget_get_height (widget), >, 0);
  texture = cab_test_ui_render (widget);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * 4;   /* B G R A, premultiplied */

        if (p[3] > 200 && p[0] + p[1] + p[2] < 3 * 110)
          n++;
      }
  return n;
}

static gboolean
has_non_ascii (const char *s)
{
  for (; s != NULL && *s != '\0'; s++)
    if ((guchar) *s >= 0x80)
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* what the desk shows                                                    */

static gboolean
timeline_idle (gpointer data)
{
  return !cab_timeline_view_get_busy (CAB_TIMELINE_VIEW (data));
}

static void
page_rendered_cb (CabPdfViewer *viewer,
                  guint         page,
                  gboolean     *rendered)
{
  if (page == 0)
    *rendered = TRUE;
}

static gboolean
find_done (gpointer data)
{
  CabPdfView *view = data;

  return !cab_pdf_view_get_find_busy (view) && cab_pdf_view_get_n_matches (view) > 0;
}

static gboolean
lab_done (gpointer data)
{
  return !cab_lab_table_get_loading (CAB_LAB_TABLE (data));
}

static gboolean
not_refreshing (gpointer data)
{
  return !cab_patient_page_get_refreshing (CAB_PATIENT_PAGE (data));
}

static gboolean
has_operator (gpointer data)
{
  return g_strcmp0 (cab_session_get_operator (CAB_SESSION (data)), PRACTICE_NAME) == 0;
}

/* Position of the first document (not a month header) in the timeline. */
static guint
first_document (CabTimelineView *timeline,
                const char      *not_id)
{
  GListModel *model = cab_timeline_view_get_model (timeline);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item) &&
          g_strcmp0 (cab_timeline_item_get_id (item), not_id) != 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static const char *
item_id (CabTimelineView *timeline,
         guint            position)
{
  g_autoptr(CabTimelineItem) item = g_list_model_get_item (cab_timeline_view_get_model (timeline), position);

  /* The model keeps the item alive. */
  return cab_timeline_item_get_id (item);
}

/* Opens the document at @position as a click or Enter would. */
static void
activate_document (CabDesk         *desk,
                   CabTimelineView *timeline,
                   guint            position)
{
  CabDocumentPane *pane = cab_patient_page_get_document_pane (cab_desk_get_patient_page (desk));

  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  g_signal_emit_by_name (cab_timeline_view_get_list_view (timeline), "activate", position);
  g_assert_cmpstr (cab_document_pane_get_document_id (pane), ==, item_id (timeline, position));
  cab_test_ui_wait_document (pane, "the document to show");
}

static void
launcher_cb (CabWindow  *window,
             const char *uri,
             gpointer    user_data)
{
  char **launched = user_data;

  g_free (*launched);
  *launched = g_strdup (uri);
}

/* ---------------------------------------------------------------------- */
/* the consultation                                                       */

typedef struct
{
  char *id;
  char *query;           /* what the doctor types: no accents */
  CabPatient patient;
} Chosen;

/* A patient with an accent in the name, a qualified identity and an imaging
 * report with its study, read from the store as the app synced it. */
static gboolean
choose_patient (CabStore *store,
                Chosen   *chosen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_store_search_patients (store, NULL, 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CabPatientRow *row = g_ptr_array_index (rows, i);
      CabTimelineFilter filter = { .type_code = "18748-4" };
      g_autoptr(GPtrArray) imaging = NULL;
      gboolean has_study = FALSE;

      if (!has_non_ascii (row->patient.family) && !has_non_ascii (row->patient.given))
        continue;
      if (g_strcmp0 (row->patient.identity_status, "QUAL") != 0 || row->patient.ins == NULL ||
          row->patient.birth_date == NULL || strlen (row->patient.birth_date) != 10)
        continue;

      imaging = cab_store_list_timeline (store, row->id, &filter, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < imaging->len; j++)
        if (((CabDocumentRow *) g_ptr_array_index (imaging, j))->document.study_uid != NULL)
          has_study = TRUE;
      if (!has_study)
        continue;

      chosen->query = cab_test_ui_search_text (&row->patient);
      chosen->id = g_strdup (row->id);
      chosen->patient.ins = g_strdup (row->patient.ins);
      chosen->patient.identity_status = g_strdup (row->patient.identity_status);
      chosen->patient.family = g_strdup (row->patient.family);
      chosen->patient.birth_name = g_strdup (row->patient.birth_name);
      chosen->patient.given = g_strdup (row->patient.given);
      chosen->patient.sex = g_strdup (row->patient.sex);
      chosen->patient.birth_date = g_strdup (row->patient.birth_date);
      return TRUE;
    }
  return FALSE;
}

static void
test_desk_consultation (void)
{
  const char * const extra[] = { "--patients", "40", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *data_dir = NULL;
  g_autofree char *launched = NULL;
  g_autofree char *expected_uri = NULL;
  g_autofree char *template_ = NULL;
  g_autofree char *imaging_id = NULL;
  g_autofree char *opened = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_auto(GStrv) recent = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch;
  Chosen chosen = { 0 };
  CabWindow *window;
  CabSession *session;
  CabStore *store;
  CabDesk *desk;
  CabPatientPage *page;
  CabTimelineView *timeline;
  CabDocumentPane *pane;
  CabPdfViewer *viewer;
  GListModel *model;
  GtkWidget *images_button;
  gboolean rendered = FALSE;
  guint n_docs = 0;
  guint position;
  gulong rendered_id;

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  data_dir = g_dir_make_tmp ("cabinet-test-desk-XXXXXX", &error);
  g_assert_no_error (error);

  /* Room for the header, the timeline and the report side by side. */
  g_settings_set_int (settings, "window-width", 1500);
  g_settings_set_int (settings, "window-height", 900);
  g_settings_set_strv (settings, "recent-patients", NULL);
  /* No background prefetch: documents come only when opened here (the
   * offline page of one never downloaded is checked below). */
  g_settings_set_uint64 (settings, "offline-budget", 1);

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
  cab_window_set_uri_launcher (window, launcher_cb, &launched, NULL);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);
  store = cab_session_get_store (session);

  /* Who is working: the practice, as the server names it. */
  cab_test_ui_wait_for (has_operator, session, "the practice name");
  desk = cab_window_get_desk (window);
  g_assert_cmpstr (cab_window_get_page (window), ==, "patients");
  g_assert_null (cab_desk_get_patient_id (desk));
  cab_test_ui_screenshot (window, "desk-home");

  /* Tests may read the store from the main thread. */
  g_assert_true (choose_patient (store, &chosen));
  g_test_message ("typing “%s”", chosen.query);
  cab_test_ui_open_by_search (desk, chosen.query, chosen.id);

  page = cab_desk_get_patient_page (desk);
  timeline = cab_patient_page_get_timeline (page);
  pane = cab_patient_page_get_document_pane (page);
  viewer = cab_document_pane_get_viewer (pane);

  /* The opening is recorded (for "new since") and remembered. */
  opened = cab_store_get_patient_opened (store, chosen.id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (opened);
  recent = g_settings_get_strv (settings, "recent-patients");
  g_assert_cmpstr (recent[0], ==, chosen.id);
  g_assert_false (cab_desk_get_search_visible (desk));
  /* The médecin traitant is named (the session fetched the practitioners). */
  g_assert_nonnull (cab_patient_header_get_practitioner (cab_patient_page_get_header (page)));
  g_assert_cmpstr (cab_window_get_status_text (window), !=, NULL);

  /* The timeline: the store's entries for the patient, newest first. */
  expected = cab_store_list_timeline (store, chosen.id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected->len, >, 0);
  model = cab_timeline_view_get_model (timeline);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);
      const CabDocumentRow *row;

      if (cab_timeline_item_is_header (item))
        continue;
      g_assert_cmpuint (n_docs, <, expected->len);
      row = g_ptr_array_index (expected, n_docs);
      g_assert_cmpstr (cab_timeline_item_get_id (item), ==, row->id);
      if (n_docs > 0)
        g_assert_cmpstr (((CabDocumentRow *) g_ptr_array_index (expected, n_docs - 1))->sort_date, >=,
                         row->sort_date);
      n_docs++;
    }
  g_assert_cmpuint (n_docs, ==, expected->len);
  g_assert_cmpuint (cab_timeline_view_get_n_documents (timeline), ==, expected->len);

  /* ...which are the sandbox's, KOS entries folded into their report. */
  {
    g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=current&_count=1000", chosen.id);
    g_autofree char *body = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
    guint status = 0;
    guint n_kos = 0;
    JsonArray *entries;

    body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (status, ==, 200);
    node = json_from_string (body, &error);
    g_assert_no_error (error);
    entries = json_object_get_array_member (json_node_get_object (node), "entry");
    for (guint i = 0; i < expected->len; i++)
      g_hash_table_add (ids, ((CabDocumentRow *) g_ptr_array_index (expected, i))->id);
    for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
      {
        JsonObject *resource = json_object_get_object_member (json_array_get_object_element (entries, i), "resource");
        const char *id = json_object_get_string_member (resource, "id");

        if (g_hash_table_contains (ids, id))
          continue;
        /* Only an imaging KOS may be missing: it is shown through its report. */
        {
          JsonObject *type = json_object_get_object_member (resource, "type");
          JsonArray *coding = type != NULL ? json_object_get_array_member (type, "coding") : NULL;
          const char *code = coding != NULL && json_array_get_length (coding) > 0
                             ? json_object_get_string_member_with_default (json_array_get_object_element (coding, 0), "code", NULL)
                             : NULL;

          g_assert_cmpstr (code, ==, "IMG-KOS");
        }
        n_kos++;
      }
    /* Every current entry of the health space is there (the store may also
     * keep older versions the sync saw). */
    g_assert_cmpuint (entries != NULL ? json_array_get_length (entries) : 0, <=, expected->len + n_kos);
    g_test_message ("timeline: %u entries, health space: %u current (%u KOS folded)",
                    expected->len, entries != NULL ? json_array_get_length (entries) : 0, n_kos);
  }
  cab_test_ui_screenshot (window, "desk-patient");

  /* Imaging only. */
  cab_timeline_view_set_kind_filter (timeline, CAB_KIND_FILTER_IMAGING);
  cab_test_ui_wait_for (timeline_idle, timeline, "the imaging filter");
  g_assert_cmpuint (cab_timeline_view_get_n_documents (timeline), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (cab_timeline_view_get_model (timeline)); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (cab_timeline_view_get_model (timeline), i);

      if (!cab_timeline_item_is_header (item))
        g_assert_cmpint (cab_timeline_item_get_kind (item), ==, CAB_DOCUMENT_KIND_IMAGING);
    }

  /* Open a report with its study: downloaded, the first page drawn. */
  position = GTK_INVALID_LIST_POSITION;
  for (guint i = 0; i < g_list_model_get_n_items (cab_timeline_view_get_model (timeline)); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (cab_timeline_view_get_model (timeline), i);

      if (!cab_timeline_item_is_header (item) && cab_timeline_item_get_row (item)->document.study_uid != NULL &&
          !cab_timeline_item_get_row (item)->document.is_kos)
        {
          position = i;
          break;
        }
    }
  rendered_id = g_signal_connect (viewer, "page-rendered", G_CALLBACK (page_rendered_cb), &rendered);
  activate_document (desk, timeline, position);
  imaging_id = g_strdup (cab_document_pane_get_document_id (pane));
  g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_DOCUMENT);
  g_assert_cmpuint (cab_pdf_viewer_get_n_pages (viewer), >=, 1);
  cab_test_ui_wait_for (cab_test_ui_is_true, &rendered, "the first page to be rendered");
  g_signal_handler_disconnect (viewer, rendered_id);
  cab_test_ui_settle (300);
  g_assert_cmpuint (count_dark_pixels (GTK_WIDGET (cab_pdf_viewer_get_view (viewer))), >, 500);

  /* Its text went to the full-text index. */
  {
    g_autoptr(GPtrArray) found = cab_store_search_documents (store, "conclusion", chosen.id, 100, &error);
    gboolean in_index = FALSE;

    g_assert_no_error (error);
    for (guint i = 0; i < found->len; i++)
      if (g_strcmp0 (((CabDocumentRow *) g_ptr_array_index (found, i))->id, imaging_id) == 0)
        in_index = TRUE;
    g_assert_true (in_index);
  }

  /* Find a word: accents and case ignored. */
  cab_pdf_viewer_find (viewer, "CONCLUSION");
  cab_test_ui_wait_for (find_done, cab_pdf_viewer_get_view (viewer), "the word to be found");
  g_assert_cmpuint (cab_pdf_view_get_n_matches (cab_pdf_viewer_get_view (viewer)), >=, 1);

  /* "View images" asks the launcher for the viewer link. */
  images_button = find_widget (GTK_WIDGET (pane), GTK_TYPE_BUTTON, _("View _Images"));
  g_assert_nonnull (images_button);
  g_assert_true (gtk_widget_get_visible (images_button));
  cab_test_ui_screenshot (window, "desk-imaging-report");
  template_ = g_settings_get_string (settings, "image-viewer-url-template");
  {
    g_autoptr(CabDocumentRow) row = cab_store_get_document (store, imaging_id, &error);

    g_assert_no_error (error);
    expected_uri = cab_imaging_link_build (template_, row->document.study_uid, &chosen.patient);
    g_signal_emit_by_name (images_button, "clicked");
    g_assert_cmpstr (launched, ==, expected_uri);
    g_assert_nonnull (strstr (launched, row->document.study_uid));
    g_assert_nonnull (strstr (launched, chosen.patient.ins));
  }

  /* Refresh this patient: a sync of them alone, then the page reads again. */
  g_signal_emit_by_name (cab_patient_page_get_header (page), "refresh-requested", chosen.id);
  g_assert_true (cab_patient_page_get_refreshing (page));
  cab_test_ui_wait_for (not_refreshing, page, "the patient refresh");
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_IDLE);
  cab_test_ui_wait_for (timeline_idle, timeline, "the timeline after the refresh");

  /* A lab report, with its results beside it when it has any. */
  cab_timeline_view_set_kind_filter (timeline, CAB_KIND_FILTER_LAB);
  cab_test_ui_wait_for (timeline_idle, timeline, "the lab filter");
  if (cab_timeline_view_get_n_documents (timeline) > 0)
    {
      guint n_results, n_abnormal;

      activate_document (desk, timeline, first_document (timeline, NULL));
      g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_DOCUMENT);
      cab_test_ui_wait_for (lab_done, cab_document_pane_get_lab_table (pane), "the lab results");
      n_results = cab_lab_table_get_n_results (cab_document_pane_get_lab_table (pane), &n_abnormal);
      g_test_message ("lab report: %u results, %u out of range", n_results, n_abnormal);
      g_assert_cmpint (cab_document_pane_get_shows_results (pane), ==, n_results > 0);
      cab_test_ui_screenshot (window, "desk-lab-report");
    }

  /* The server goes away. */
  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  cab_test_ui_wait_for_syncs (&watch, 2);
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_OFFLINE);

  /* The patient still opens, from the recent patients this time. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.patients-home", NULL);
  g_assert_null (cab_desk_get_patient_id (desk));
  cab_test_ui_screenshot (window, "desk-home-offline");
  {
    GtkWidget *overview = find_widget (GTK_WIDGET (window), CAB_TYPE_RECENT_PATIENTS, NULL);
    GtkWidget *row = find_widget (overview, ADW_TYPE_ACTION_ROW, NULL);

    g_assert_cmpuint (cab_recent_patients_get_n (CAB_RECENT_PATIENTS (overview)), ==, 1);
    g_assert_nonnull (row);
    g_signal_emit_by_name (row, "activate");
    cab_test_ui_wait_patient_open (desk, chosen.id, "the patient to open offline");
  }
  g_assert_cmpuint (cab_timeline_view_get_n_documents (timeline), ==, expected->len);

  /* The downloaded report still reads. */
  cab_timeline_view_set_kind_filter (timeline, CAB_KIND_FILTER_IMAGING);
  cab_test_ui_wait_for (timeline_idle, timeline, "the imaging filter");
  for (position = 0; position < g_list_model_get_n_items (cab_timeline_view_get_model (timeline)); position++)
    if (g_strcmp0 (item_id (timeline, position), imaging_id) == 0)
      break;
  activate_document (desk, timeline, position);
  g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_DOCUMENT);

  /* One never downloaded says when it will be there. */
  cab_timeline_view_set_kind_filter (timeline, CAB_KIND_FILTER_ALL);
  cab_test_ui_wait_for (timeline_idle, timeline, "the whole timeline");
  position = GTK_INVALID_LIST_POSITION;
  for (guint i = 0; i < g_list_model_get_n_items (cab_timeline_view_get_model (timeline)); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (cab_timeline_view_get_model (timeline), i);

      if (!cab_timeline_item_is_header (item) && cab_timeline_item_get_row (item)->local_path == NULL &&
          g_strcmp0 (cab_timeline_item_get_row (item)->document.content_type, "application/pdf") == 0)
        {
          position = i;
          break;
        }
    }
  activate_document (desk, timeline, position);
  g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_UNAVAILABLE);
  cab_test_ui_screenshot (window, "desk-offline-unavailable");

  cab_test_ui_unwatch_session (&watch);
  cab_window_set_uri_launcher (window, NULL, NULL, NULL);
  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);

  g_free (chosen.id);
  g_free (chosen.query);
  cab_patient_clear (&chosen.patient);
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

  if (g_str_equal (lang, "fr"))
    g_assert_cmpstr (_("View _Images"), ==, "Voir les _images");

  app = cab_test_ui_new_application ();

  g_test_add_func ("/desk/consultation", test_desk_consultation);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
