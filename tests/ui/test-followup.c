/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-followup"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-application.h"
#include "cab-test-ui.h"
#include "followup/cab-chart-axis.h"
#include "followup/cab-measure-chart.h"

static CabApplication *app;
static const char *lang = "en";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static gboolean
is_french (void)
{
  return g_str_equal (lang, "fr");
}

static void
screenshot_widget (GtkWidget  *widget,
                   const char *name)
{
  g_autofree char *path = cab_test_ui_screenshot_path (name);
  g_autoptr(GdkTexture) texture = NULL;

  cab_test_ui_settle (300);
  texture = cab_test_ui_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
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
  g_assert_nonnull (strstr (cab_measure_chart_get_summary (f.charts[0]), is_french () ? "40 mesures depuis janvier 2021" : "40 measures since January 2021"));
  g_assert_cmpstr (cab_measure_chart_get_summary (f.charts[1]), ==,
                   is_french () ? "Poids : dernière valeur 82,4\u00a0kg le 12 juin 2025."
                                : "Weight: last value 82.4\u00a0kg on June 12, 2025.");
  g_assert_cmpstr (cab_measure_chart_get_summary (f.charts[2]), ==,
                   is_french () ? "Tension artérielle : aucune mesure enregistrée."
                                : "Blood pressure: no measure recorded.");
  g_assert_cmpstr (gtk_label_get_label (f.summaries[1]), ==, cab_measure_chart_get_summary (f.charts[1]));

  screenshot_widget (GTK_WIDGET (f.window), "followup-charts");

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

  /* The keyboard walks the points. */
  gtk_widget_grab_focus (GTK_WIDGET (f.charts[0]));
  g_assert_cmpint (cab_measure_chart_get_selected (f.charts[0]), ==, -1);

  charts_teardown (&f);
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

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
