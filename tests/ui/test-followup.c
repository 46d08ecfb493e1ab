/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-followup"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <poppler.h>

#include "cab-application.h"
#include "cab-test-ui.h"
#include "cab-test-sandbox.h"
#include "cab-window-private.h"
#include "desk/cab-desk.h"
#include "followup/cab-chart-axis.h"
#include "followup/cab-followup-page.h"
#include "followup/cab-followup-print.h"
#include "followup/cab-measure-chart.h"
#include "followup/cab-record-dialog.h"

#define PRACTICE "Organization/org-practice"
#define TODAY    "2026-11-01"   /* the sandbox's present (tests/common) */

static CabApplication *app;
static const char *lang = "en";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static gboolean
is_french (void)
{
  return g_str_equal (lang, "fr");
}

/* A key press as the chart's key controller gets it. */
static void
send_key (GtkWidget *widget,
          guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  g_assert_true (handled);
}

static gint64
day (int year,
     int month,
     int d)
{
  g_autoptr(GDateTime) date = g_date_time_new_local (year, month, d, 0, 0, 0);

  return g_date_time_to_unix (date);
}

/* HbA1c every ~45 days from January 2021, drifting up then treated; every
 * value above 7 % flagged, as the rule would. */
static CabChartData *
hba1c_data (guint n)
{
  CabChartData *data = cab_chart_data_new ("%", 1);

  for (guint i = 0; i < n; i++)
    {
      double value = 6.2 + 1.8 * sin (i / 6.0) + (i % 3) * 0.1;
      g_autofree char *source = g_strdup_printf ("Bilan biologique n° %u", i + 1);

      value = round (value * 10) / 10;
      cab_chart_data_add_point (data, day (2021, 1, 4) + (gint64) i * 45 * 86400, value, NAN,
                                value > 7.0, source);
    }
  cab_chart_data_set_target (data, NAN, 7.0, NAN, NAN, "≤ 7 %");
  cab_chart_data_add_marker (data, day (2022, 3, 1), CAB_CHART_MARKER_START, "Metformine 1000 mg");
  cab_chart_data_add_marker (data, day (2023, 9, 15), CAB_CHART_MARKER_START, "Sitagliptine 100 mg");
  cab_chart_data_add_marker (data, day (2024, 6, 1), CAB_CHART_MARKER_STOP, "Sitagliptine 100 mg");
  return data;
}

typedef struct
{
  GtkWindow       *window;
  GtkWidget       *box;
  CabMeasureChart *charts[3];
  GtkLabel        *summaries[3];
} Charts;

static void
charts_setup (Charts *f)
{
  f->window = GTK_WINDOW (adw_application_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (f->window, 900, 760);
  f->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (f->box, 18);
  gtk_widget_set_margin_end (f->box, 18);
  gtk_widget_set_margin_top (f->box, 18);
  gtk_widget_set_margin_bottom (f->box, 18);
  for (guint i = 0; i < G_N_ELEMENTS (f->charts); i++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (NULL);

      f->charts[i] = CAB_MEASURE_CHART (cab_measure_chart_new ());
      gtk_widget_set_hexpand (GTK_WIDGET (f->charts[i]), TRUE);
      gtk_widget_set_vexpand (GTK_WIDGET (f->charts[i]), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
      gtk_label_set_width_chars (GTK_LABEL (label), 24);
      g_object_bind_property (f->charts[i], "summary", label, "label", G_BINDING_SYNC_CREATE);
      f->summaries[i] = GTK_LABEL (label);
      gtk_box_append (GTK_BOX (row), GTK_WIDGET (f->charts[i]));
      gtk_box_append (GTK_BOX (row), label);
      gtk_box_append (GTK_BOX (f->box), row);
    }
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (f->window), f->box);
  gtk_window_present (f->window);
  cab_test_ui_wait_mapped (GTK_WIDGET (f->window));
}

static void
charts_teardown (Charts *f)
{
  gtk_window_destroy (f->window);
  cab_test_ui_settle (50);
}

/* ---------------------------------------------------------------------- */
/* the axes                                                               */

static void
test_value_ticks (void)
{
  double min = 5.3, max = 9.1;
  g_autoptr(GArray) ticks = cab_chart_axis_value_ticks (&min, &max, 150, 36);

  /* Round steps around the data: 5, 6, 7, 8, 9, 10 */
  g_assert_cmpfloat (min, <=, 5.3);
  g_assert_cmpfloat (max, >=, 9.1);
  g_assert_cmpuint (ticks->len, >=, 3);
  g_assert_cmpuint (ticks->len, <=, 150 / 36 + 2);
  for (guint i = 1; i < ticks->len; i++)
    {
      double step = g_array_index (ticks, CabChartTick, i).position - g_array_index (ticks, CabChartTick, i - 1).position;
      double mantissa = step / pow (10, floor (log10 (step)));

      g_assert_true (fabs (mantissa - 1) < 1e-6 || fabs (mantissa - 2) < 1e-6 ||
                     fabs (mantissa - 2.5) < 1e-6 || fabs (mantissa - 5) < 1e-6);
    }
  g_assert_cmpfloat (g_array_index (ticks, CabChartTick, 0).position, ==, min);
  g_assert_cmpfloat (g_array_index (ticks, CabChartTick, ticks->len - 1).position, ==, max);

  /* Decimals in the user's locale. */
  min = 0.62;
  max = 1.31;
  g_clear_pointer (&ticks, g_array_unref);
  ticks = cab_chart_axis_value_ticks (&min, &max, 200, 36);
  g_assert_cmpstr (g_array_index (ticks, CabChartTick, 1).label, ==, is_french () ? "0,8" : "0.8");
}

static void
test_time_ticks (void)
{
  g_autoptr(GArray) ticks = NULL;
  CabChartTick *first;

  /* Five years over 600 px: years or half-years, never 60 months. */
  ticks = cab_chart_axis_time_ticks (day (2020, 11, 20), day (2025, 12, 1), 600, 56);
  g_assert_cmpuint (ticks->len, >=, 5);
  g_assert_cmpuint (ticks->len, <=, 600 / 56 + 1);

  /* A year over 700 px: months, abbreviated in the user's language, the
   * year under the first and under January. */
  g_clear_pointer (&ticks, g_array_unref);
  ticks = cab_chart_axis_time_ticks (day (2024, 11, 20), day (2025, 11, 1), 700, 56);
  first = &g_array_index (ticks, CabChartTick, 0);
  g_assert_cmpfloat (first->position, ==, (double) day (2024, 12, 1));
  g_assert_cmpstr (first->label, ==, is_french () ? "déc." : "Dec");
  g_assert_cmpstr (first->label2, ==, "2024");
  for (guint i = 1; i < ticks->len; i++)
    {
      CabChartTick *tick = &g_array_index (ticks, CabChartTick, i);
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_local ((gint64) tick->position);

      g_assert_cmpint (g_date_time_get_day_of_month (date), ==, 1);
      if (g_date_time_get_month (date) == 1)
        g_assert_cmpstr (tick->label2, ==, "2025");
      else
        g_assert_null (tick->label2);
    }
}

/* ---------------------------------------------------------------------- */
/* the chart                                                              */

static void
test_chart_points (void)
{
  Charts f = { 0 };
  g_autoptr(CabChartData) many = hba1c_data (40);
  g_autoptr(CabChartData) one = cab_chart_data_new ("kg", 1);
  g_autoptr(CabChartData) none = cab_chart_data_new ("mmHg", 0);
  g_autofree char *tip = NULL;
  g_autofree char *expected_value = NULL;
  const CabChartPoint *last;
  double x, y;
  guint n_out = 0;

  cab_chart_data_add_point (one, day (2025, 6, 12), 82.4, NAN, FALSE, NULL);
  cab_chart_data_set_target (none, NAN, 140, NAN, 90, "< 140/90 mmHg");

  charts_setup (&f);
  cab_measure_chart_set_title (f.charts[0], "HbA1c");
  cab_measure_chart_set_data (f.charts[0], many);
  cab_measure_chart_set_title (f.charts[1], is_french () ? "Poids" : "Weight");
  cab_measure_chart_set_data (f.charts[1], one);
  cab_measure_chart_set_title (f.charts[2], is_french () ? "Tension artérielle" : "Blood pressure");
  cab_measure_chart_set_data (f.charts[2], none);

  for (guint i = 0; i < 40; i++)
    n_out += cab_chart_data_get_point (many, i)->out_of_target;
  g_assert_cmpuint (n_out, >, 0);
  g_assert_cmpuint (n_out, <, 40);

  /* The summary says the last value and its date, in words. */
  last = cab_chart_data_get_point (many, 39);
  expected_value = cab_chart_data_format_value (many, last);
  g_assert_nonnull (strstr (cab_measure_chart_get_summary (f.charts[0]), expected_value));
  g_assert_nonnull (strstr (cab_measure_chart_get_summary (f.charts[0]), is_french () ? "40\u00a0mesures depuis janvier 2021" : "40 measures since January 2021"));
  g_assert_cmpstr (cab_measure_chart_get_summary (f.charts[1]), ==,
                   is_french () ? "Poids : dernière valeur 82,4\u00a0kg le 12 juin 2025."
                                : "Weight: last value 82.4\u00a0kg on June 12, 2025.");
  g_assert_cmpstr (cab_measure_chart_get_summary (f.charts[2]), ==,
                   is_french () ? "Tension artérielle : aucune mesure enregistrée."
                                : "Blood pressure: no measure recorded.");
  g_assert_cmpstr (gtk_label_get_label (f.summaries[1]), ==, cab_measure_chart_get_summary (f.charts[1]));

  cab_test_ui_screenshot_widget (GTK_WIDGET (f.window), "followup-charts", 300);

  /* A tooltip on a point gives its exact value, date and source. */
  g_assert_true (cab_measure_chart_get_point_position (f.charts[0], 39, &x, &y));
  tip = cab_measure_chart_tooltip_at (f.charts[0], x + 1, y - 1);
  g_assert_nonnull (tip);
  g_assert_nonnull (strstr (tip, expected_value));
  g_assert_nonnull (strstr (tip, "Bilan biologique n° 40"));
  g_clear_pointer (&tip, g_free);

  /* Each point's position is within the plot, and a point out of target
   * is said so in its tooltip. */
  for (guint i = 0; i < 40; i++)
    {
      const CabChartPoint *point = cab_chart_data_get_point (many, i);

      g_assert_true (cab_measure_chart_get_point_position (f.charts[0], i, &x, &y));
      g_assert_cmpfloat (x, >, 0);
      g_assert_cmpfloat (x, <, gtk_widget_get_width (GTK_WIDGET (f.charts[0])));
      g_assert_cmpfloat (y, >, 0);
      g_assert_cmpfloat (y, <, gtk_widget_get_height (GTK_WIDGET (f.charts[0])));
      tip = cab_measure_chart_tooltip_at (f.charts[0], x, y);
      g_assert_nonnull (tip);
      if (point->out_of_target)
        g_assert_nonnull (strstr (tip, is_french () ? "Hors cible (≤ 7 %)" : "Out of target (≤ 7 %)"));
      g_clear_pointer (&tip, g_free);
    }

  /* The one point sits in the middle; nothing to point at on an empty chart. */
  g_assert_true (cab_measure_chart_get_point_position (f.charts[1], 0, &x, &y));
  g_assert_cmpfloat (fabs (x - gtk_widget_get_width (GTK_WIDGET (f.charts[1])) / 2.0), <, 60);
  g_assert_false (cab_measure_chart_get_point_position (f.charts[2], 0, &x, &y));
  g_assert_null (cab_measure_chart_tooltip_at (f.charts[2], 100, 50));

  /* The keyboard walks the points: from the last, Left goes back, Home to
   * the first, End to the last again. */
  gtk_widget_grab_focus (GTK_WIDGET (f.charts[0]));
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, -1);
  send_key (GTK_WIDGET (f.charts[0]), GDK_KEY_Left);
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, 38);
  send_key (GTK_WIDGET (f.charts[0]), GDK_KEY_Home);
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, 0);
  send_key (GTK_WIDGET (f.charts[0]), GDK_KEY_Left);
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, 0);
  send_key (GTK_WIDGET (f.charts[0]), GDK_KEY_End);
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, 39);

  /* The dark style: the chart's colours come from the style sheet. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cab_test_ui_screenshot_widget (GTK_WIDGET (f.window), "followup-charts-dark", 300);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  charts_teardown (&f);
}


/* ---------------------------------------------------------------------- */
/* the page, after a sync of the sandbox practice                         */

static gboolean
worklist_ready (gpointer data)
{
  CabFollowupWorklist *worklist = data;

  return !cab_followup_worklist_get_loading (worklist) &&
         cab_followup_worklist_get_store (worklist) != NULL &&
         g_list_model_get_n_items (G_LIST_MODEL (worklist)) > 0;
}

static gboolean
worklist_idle (gpointer data)
{
  return !cab_followup_worklist_get_loading (data);
}

static gboolean
panel_ready (gpointer data)
{
  CabFollowupPanel *panel = data;

  return !cab_followup_panel_get_loading (panel) && cab_followup_panel_get_n_cards (panel) > 0;
}

/* The window's page stack has finished its crossfade: a screenshot in the
 * middle of it shows two pages at once. */
static gboolean
stack_settled (gpointer data)
{
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (data), GTK_TYPE_STACK);

  return stack != NULL && !gtk_stack_get_transition_running (GTK_STACK (stack)) &&
         gtk_stack_get_visible_child (GTK_STACK (stack)) == GTK_WIDGET (data);
}

static gboolean
dialog_gone (gpointer data)
{
  return cab_followup_panel_get_dialog (data) == NULL;
}

typedef struct
{
  CabMeasureCard *card;
  guint           n_loads;
} CardWait;

static gboolean
card_reloaded (gpointer data)
{
  CardWait *wait = data;

  return cab_measure_card_get_n_loads (wait->card) > wait->n_loads &&
         !cab_measure_card_get_loading (wait->card);
}

static gboolean
desk_shows_patient (gpointer data)
{
  CabDesk *desk = cab_window_get_desk (data);

  return !cab_desk_get_opening (desk) && cab_desk_get_patient_id (desk) != NULL;
}

static gboolean
gps_named (gpointer data)
{
  return cab_followup_page_get_n_gps (data) > 0;
}

/* A patient of the worklist with an HbA1c result and a blood pressure in
 * the plan: the demo's diabetic. */
static CabFollowupPatient *
choose_diabetic (CabFollowupWorklist *worklist)
{
  GListModel *model = G_LIST_MODEL (worklist);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);
      CabFollowupStatus *hba1c = cab_followup_patient_lookup (patient, "hba1c");
      CabFollowupStatus *bp = cab_followup_patient_lookup (patient, "bp");

      if (hba1c != NULL && bp != NULL && cab_followup_status_get_last_date (hba1c) != NULL &&
          cab_followup_status_get_state (bp) != CAB_FOLLOWUP_STATE_OK)
        return g_steal_pointer (&patient);
    }
  return NULL;
}

static void
print_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_followup_print_round_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_page (void)
{
  const char * const extra[] = { "--patients", "40", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(CabFollowupPatient) chosen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *chosen_id = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *pdf_uri = NULL;
  g_autofree char *badge = NULL;
  PopplerDocument *pdf = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch;
  CabWindow *window;
  CabSession *session;
  CabFollowupPage *page;
  CabFollowupWorklist *worklist;
  CabFollowupPanel *panel;
  CabMeasureCard *card;
  CabRecordDialog *dialog;
  CardWait wait;
  GListModel *model;
  guint n_items, n_points_before;
  gboolean printed = FALSE;
  int previous_state = G_MAXINT;

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  data_dir = g_dir_make_tmp ("cabinet-test-followup-XXXXXX", &error);
  g_assert_no_error (error);

  g_settings_set_int (settings, "window-width", 1400);
  g_settings_set_int (settings, "window-height", 900);

  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  cab_application_set_config (app, &config);

  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  session = cab_window_get_session (window);
  cab_test_ui_watch_session (&watch, session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);

  /* The nurse opens Follow-up (Alt+3). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "follow-up");
  g_assert_cmpstr (cab_window_get_page (window), ==, "follow-up");
  page = cab_window_get_followup_page (window);
  worklist = cab_followup_page_get_worklist (page);
  panel = cab_followup_page_get_panel (page);
  cab_followup_page_set_today (page, TODAY);
  cab_test_ui_wait_for (worklist_ready, worklist, "the worklist");

  /* Sorted by urgency, everyone with something to do; the sidebar counts
   * the patients overdue of the whole practice. */
  model = G_LIST_MODEL (worklist);
  n_items = g_list_model_get_n_items (model);
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);
      int state = (int) cab_followup_patient_get_state (patient);

      g_assert_cmpint (state, !=, CAB_FOLLOWUP_STATE_OK);
      g_assert_cmpint (state, <=, previous_state);
      g_assert_cmpuint (g_list_model_get_n_items (cab_followup_patient_get_measures (patient)), >, 0);
      previous_state = state;
    }
  badge = g_strdup_printf ("%u", cab_followup_worklist_get_n_overdue (worklist));
  if (cab_followup_worklist_get_n_overdue (worklist) > 0)
    g_assert_cmpstr (cab_window_get_followup_badge (window), ==, badge);
  else
    g_assert_null (cab_window_get_followup_badge (window));

  /* The médecins traitants are named for their filter. */
  cab_test_ui_wait_for (gps_named, page, "the médecins traitants' names");

  chosen = choose_diabetic (worklist);
  g_assert_nonnull (chosen);
  chosen_id = g_strdup (cab_followup_patient_get_id (chosen));
  cab_followup_page_show_patient (page, chosen_id);
  cab_test_ui_wait_for (panel_ready, panel, "the patient's charts");
  cab_test_ui_wait_for (stack_settled, page, "the page shown");
  g_assert_cmpuint (cab_followup_panel_get_n_cards (panel), ==, cab_followup_patient_get_all (chosen)->len);

  /* Every result of the series is a point on the HbA1c chart, and the
   * summary says the last one. */
  card = cab_followup_panel_get_card (panel, "hba1c");
  g_assert_nonnull (card);
  {
    CabChartData *data = cab_measure_chart_get_data (cab_measure_card_get_chart (card));
    CabFollowupStatus *status = cab_followup_patient_lookup (chosen, "hba1c");
    g_autofree char *last = NULL;

    g_assert_nonnull (data);
    g_assert_cmpuint (cab_chart_data_get_n_points (data), >, 0);
    g_assert_true (cab_chart_data_get_target (data, NULL, NULL, NULL, NULL));
    last = cab_chart_data_format_value (data, cab_chart_data_get_point (data, cab_chart_data_get_n_points (data) - 1));
    g_assert_nonnull (strstr (cab_measure_chart_get_summary (cab_measure_card_get_chart (card)), last));
    g_assert_nonnull (cab_followup_status_get_last_value_text (status));
  }
  cab_test_ui_screenshot (window, "followup-page");

  /* Filters: a condition, then a state; every row then fits them. */
  g_assert_true (cab_followup_page_filter (page, "E11", CAB_FOLLOWUP_STATES_OVERDUE, NULL));
  cab_test_ui_wait_for (worklist_idle, worklist, "the filtered worklist");
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);
      const char * const *codes = cab_followup_patient_get_conditions (patient);
      gboolean diabetic = FALSE;

      for (guint c = 0; codes[c] != NULL; c++)
        diabetic |= g_str_has_prefix (codes[c], "E11");
      g_assert_true (diabetic);
      g_assert_cmpint (cab_followup_patient_get_state (patient), ==, CAB_FOLLOWUP_STATE_OVERDUE);
    }
  cab_test_ui_screenshot (window, "followup-filtered");
  g_assert_true (cab_followup_page_filter (page, NULL, CAB_FOLLOWUP_STATES_TO_DO, NULL));
  cab_test_ui_wait_for (worklist_idle, worklist, "the worklist again");

  /* The round, printed to a PDF: one line per patient shown. */
  /* Beside the screenshots, to look at. */
  {
    g_autofree char *png = cab_test_ui_screenshot_path ("followup-round");

    pdf_path = g_strconcat (png, ".pdf", NULL);
  }
  cab_followup_page_print_round (page, pdf_path, print_cb, &printed);
  cab_test_ui_wait_for (cab_test_ui_is_true, &printed, "the round's PDF");
  pdf_uri = g_filename_to_uri (pdf_path, NULL, NULL);
  pdf = poppler_document_new_from_file (pdf_uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (pdf), ==, cab_followup_print_last_n_pages ());
  {
    PopplerPage *first = poppler_document_get_page (pdf, 0);
    g_autofree char *text = poppler_page_get_text (first);
    g_autoptr(CabFollowupPatient) top = g_list_model_get_item (model, 0);

    g_assert_nonnull (strstr (text, cab_followup_patient_get_row (top)->patient.given != NULL
                                    ? cab_followup_patient_get_row (top)->patient.given : ""));
    g_assert_nonnull (strstr (text, is_french () ? "Tournée" : "round"));
    g_object_unref (first);
  }
  g_clear_object (&pdf);

  /* Recording a blood pressure: the chart gets the point, the worklist
   * sees the measure done. */
  card = cab_followup_panel_get_card (panel, "bp");
  g_assert_nonnull (card);
  n_points_before = cab_chart_data_get_n_points (cab_measure_chart_get_data (cab_measure_card_get_chart (card)));
  gtk_widget_activate_action (GTK_WIDGET (panel), "followup.record", NULL);
  dialog = CAB_RECORD_DIALOG (cab_followup_panel_get_dialog (panel));
  g_assert_nonnull (dialog);
  cab_test_ui_wait_mapped (GTK_WIDGET (dialog));
  g_assert_true (cab_record_dialog_select_measure (dialog, "bp"));

  /* A value that is not a blood pressure is refused in words. */
  cab_record_dialog_set_value (dialog, "135");
  cab_record_dialog_save (dialog);
  g_assert_nonnull (cab_record_dialog_get_error (dialog));
  g_assert_false (cab_record_dialog_get_busy (dialog));

  cab_record_dialog_set_value (dialog, "135/85");
  cab_record_dialog_set_date (dialog, "01/11/2026");
  {
    g_autofree char *path = cab_test_ui_screenshot_path ("followup-record");
    g_autoptr(GdkTexture) texture = NULL;

    cab_test_ui_settle (300);
    texture = cab_test_ui_render (GTK_WIDGET (dialog));
    g_assert_true (gdk_texture_save_to_png (texture, path));
  }
  wait = (CardWait) { card, cab_measure_card_get_n_loads (card) };
  cab_record_dialog_save (dialog);
  cab_test_ui_wait_for (dialog_gone, panel, "the recording");
  cab_test_ui_wait_for (card_reloaded, &wait, "the chart with the new measure");
  {
    CabChartData *data = cab_measure_chart_get_data (cab_measure_card_get_chart (card));
    const CabChartPoint *last = cab_chart_data_get_point (data, cab_chart_data_get_n_points (data) - 1);

    g_assert_cmpuint (cab_chart_data_get_n_points (data), ==, n_points_before + 1);
    g_assert_cmpfloat (last->value, ==, 135);
    g_assert_cmpfloat (last->value2, ==, 85);
  }
  cab_test_ui_wait_for (worklist_idle, worklist, "the worklist after the recording");
  {
    g_autoptr(CabFollowupPatient) again = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (model) && again == NULL; i++)
      {
        g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);

        if (g_strcmp0 (cab_followup_patient_get_id (patient), chosen_id) == 0)
          again = g_steal_pointer (&patient);
      }
    /* Still in the list for other measures, or gone with nothing left to do. */
    if (again != NULL)
      g_assert_cmpint (cab_followup_status_get_state (cab_followup_patient_lookup (again, "bp")), ==,
                       CAB_FOLLOWUP_STATE_OK);
  }
  cab_test_ui_screenshot (window, "followup-recorded");

  /* From the patient's page (Ctrl+Shift+M), the same panel. */
  cab_followup_page_show_patient (page, NULL);
  g_assert_null (cab_followup_panel_get_patient_id (panel));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "patients");
  cab_desk_open_patient (cab_window_get_desk (window), chosen_id);
  cab_test_ui_wait_for (desk_shows_patient, window, "the patient on the desk");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.patient-followup", NULL);
  g_assert_cmpstr (cab_window_get_page (window), ==, "follow-up");
  g_assert_cmpstr (cab_followup_panel_get_patient_id (panel), ==, chosen_id);
  cab_test_ui_wait_for (panel_ready, panel, "the patient's charts again");

  cab_test_ui_unwatch_session (&watch);
  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
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
  app = cab_test_ui_new_application ();

  g_test_add_func ("/followup/axis/values", test_value_ticks);
  g_test_add_func ("/followup/axis/time", test_time_ticks);
  g_test_add_func ("/followup/chart/points", test_chart_points);
  g_test_add_func ("/followup/page", test_page);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
