/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follow-up figures, printed, never judged.
 * (a) A measure chart of 200 points, one frame: the widget's snapshot plus
 *     rendering its node with the window's renderer (cairo under Xvfb),
 *     against the same 200 points drawn as bare cairo circles on an image
 *     surface of the same size. "Warm" frames redraw (hover, focus); "cold"
 *     ones also rebuild the axes and their labels (new data, a resize).
 * Run under a display (xvfb-run -a), GSK_RENDERER=cairo.
 */
#define G_LOG_DOMAIN "bench-followup"

#include "config.h"

#include <math.h>

#include "desk-fixtures.h"

#include "followup/cab-measure-chart.h"

#define N_POINTS  200
#define N_FRAMES  300
#define CHART_W   720
#define CHART_H   220

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, (guint) MIN (values->len - 1, floor (p * values->len)));
}

/* ------------------------------------------------------------------------ */
/* (a) one chart frame                                                      */

/* A diabetic's 200 HbA1c, every three weeks, some out of target, with
 * treatment changes. */
static CabChartData *
chart_data (guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GDateTime) start = g_date_time_new_local (2014, 1, 6, 0, 0, 0);
  CabChartData *data = cab_chart_data_new ("%", 1);

  for (guint i = 0; i < N_POINTS; i++)
    {
      double value = round ((6.8 + sin (i / 11.0) + g_rand_double_range (rand, -0.4, 0.4)) * 10) / 10;

      cab_chart_data_add_point (data, g_date_time_to_unix (start) + (gint64) i * 21 * 86400,
                                value, NAN, value > 7.0, "Compte rendu d'examens biologiques");
    }
  cab_chart_data_set_target (data, NAN, 7.0, NAN, NAN, "≤ 7 %");
  for (guint i = 0; i < 6; i++)
    cab_chart_data_add_marker (data, g_date_time_to_unix (start) + (gint64) (i * 33 + 10) * 21 * 86400,
                               i % 2 ? CAB_CHART_MARKER_STOP : CAB_CHART_MARKER_START, "Metformine 1000 mg");
  return data;
}

typedef struct
{
  double snapshot;
  double render;
} Frame;

static Frame
chart_frame (GtkWidget   *chart,
             GskRenderer *renderer)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  Frame frame;
  gint64 start;

  /* The widget's own snapshot, as GTK calls it for a frame where the
   * chart changed (GTK would otherwise reuse the node it kept). */
  start = g_get_monotonic_time ();
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (chart)->snapshot (chart, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  frame.snapshot = ms_since (start);
  g_assert_nonnull (node);

  start = g_get_monotonic_time ();
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, CHART_W, CHART_H));
  frame.render = ms_since (start);
  return frame;
}

/* The floor: 200 filled circles on an image surface, nothing else. */
static double
bare_circles (CabChartData *data)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CHART_W, CHART_H);
  gint64 first = cab_chart_data_get_point (data, 0)->when;
  gint64 last = cab_chart_data_get_point (data, N_POINTS - 1)->when;
  gint64 start = g_get_monotonic_time ();
  cairo_t *cr = cairo_create (surface);
  double ms;

  cairo_set_source_rgb (cr, 0.2, 0.5, 0.9);
  for (guint i = 0; i < N_POINTS; i++)
    {
      const CabChartPoint *point = cab_chart_data_get_point (data, i);

      cairo_new_sub_path (cr);
      cairo_arc (cr, 40 + (double) (point->when - first) / (last - first) * (CHART_W - 60),
                 CHART_H - 30 - (point->value - 4) / 6 * (CHART_H - 40), 3.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  ms = ms_since (start);
  cairo_surface_destroy (surface);
  return ms;
}

/* The renderer's own cost for a frame of this size: one colour node. */
static double
empty_frame (GskRenderer *renderer)
{
  g_autoptr(GskRenderNode) node = gsk_color_node_new (&(GdkRGBA) { 1, 1, 1, 1 },
                                                      &GRAPHENE_RECT_INIT (0, 0, CHART_W, CHART_H));
  g_autoptr(GdkTexture) texture = NULL;
  gint64 start = g_get_monotonic_time ();

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, CHART_W, CHART_H));
  return ms_since (start);
}

static void
bench_chart (void)
{
  g_autoptr(CabChartData) data_a = chart_data (1);
  g_autoptr(CabChartData) data_b = chart_data (2);
  g_autoptr(GArray) warm_snap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) warm_total = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cold_total = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *chart = cab_measure_chart_new ();
  GskRenderer *renderer;
  double w50, c50, b50;

  gtk_widget_set_size_request (chart, CHART_W, CHART_H);
  gtk_window_set_child (window, chart);
  cab_measure_chart_set_title (CAB_MEASURE_CHART (chart), "HbA1c");
  cab_measure_chart_set_data (CAB_MEASURE_CHART (chart), data_a);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (chart) || gtk_widget_get_width (chart) < CHART_W)
    g_main_context_iteration (NULL, TRUE);
  desk_wait_for_frame (chart);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  /* Warm-up, then the frames. */
  for (guint i = 0; i < 20; i++)
    chart_frame (chart, renderer);
  for (guint i = 0; i < N_FRAMES; i++)
    {
      Frame frame = chart_frame (chart, renderer);
      double total = frame.snapshot + frame.render;
      double b = bare_circles (data_a);
      double e = empty_frame (renderer);

      g_array_append_val (warm_snap, frame.snapshot);
      g_array_append_val (warm_total, total);
      g_array_append_val (bare, b);
      g_array_append_val (empty, e);
    }
  for (guint i = 0; i < N_FRAMES; i++)
    {
      Frame frame;
      double total;

      cab_measure_chart_set_data (CAB_MEASURE_CHART (chart), i % 2 ? data_a : data_b);
      frame = chart_frame (chart, renderer);
      total = frame.snapshot + frame.render;
      g_array_append_val (cold_total, total);
    }

  w50 = percentile (warm_total, 0.5);
  c50 = percentile (cold_total, 0.5);
  b50 = percentile (bare, 0.5);
  g_print ("(a) chart of %u points, %dx%d, %u frames: warm frame (snapshot + render) p50 %.2f ms "
           "(snapshot p50 %.3f ms), p95 %.2f ms; cold frame (axes rebuilt) p50 %.2f ms, p95 %.2f ms "
           "(goal 4 ms); bare cairo circles p50 %.3f ms; ratio warm %.1fx, cold %.1fx; "
           "the renderer's floor (one colour node as large) p50 %.2f ms\n",
           N_POINTS, CHART_W, CHART_H, N_FRAMES, w50, percentile (warm_snap, 0.5),
           percentile (warm_total, 0.95), c50, percentile (cold_total, 0.95), b50,
           w50 / b50, c50 / b50, percentile (empty, 0.5));

  gtk_window_destroy (window);
}

/* ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  desk_init_lang (&argc, argv);
  desk_init_toolkit ();

  bench_chart ();
  return 0;
}
