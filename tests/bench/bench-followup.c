/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follow-up figures, printed, never judged.
 * (a) A measure chart of 200 points, one frame: the widget's snapshot plus
 *     rendering its node with the window's renderer (cairo under Xvfb),
 *     against the same 200 points drawn as bare cairo circles on an image
 *     surface of the same size. "Warm" frames redraw (hover, focus); "cold"
 *     ones also rebuild the axes and their labels (new data, a resize).
 * (b) The Follow-up page's worklist over a 5,000-patient practice (2,000
 *     with a followed condition, a few years of results each, written here
 *     as sync stores them): from giving the worklist its store to the first
 *     frame drawn with its rows (frame clock "after-paint"), against a bare
 *     SQLite query of the same Observations stepped to the end, in the same
 *     run. The engine's own cost alone is bench-followup-worklist's.
 * Run under a display (xvfb-run -a), GSK_RENDERER=cairo.
 */
#define G_LOG_DOMAIN "bench-followup"

#include "config.h"

#include <math.h>
#include <time.h>
#include <sqlite3.h>

#include "desk-fixtures.h"

#include "followup/cab-followup-page.h"
#include "followup/cab-measure-chart.h"

#define N_POINTS  200
#define N_FRAMES  300
#define CHART_W   720
#define CHART_H   220

#define N_PATIENTS  5000
#define SCREEN_RUNS 7
#define TODAY       "2026-11-01"

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
/* (b) the worklist to screen                                               */

static void
put_json (CabStore   *store,
          GPtrArray  *batch,
          char       *json)
{
  desk_add (batch, json);
  if (batch->len >= 500)
    {
      desk_put (store, batch);
      g_ptr_array_set_size (batch, 0);
    }
}

/* One measure every @months months over five years, from @first_day days
 * after the start; @code's value around @mean. */
static void
put_series (CabStore   *store,
            GPtrArray  *batch,
            GRand      *rand,
            const char *patient,
            const char *code,
            double      mean,
            const char *unit,
            guint       months,
            guint       first_day)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2021, 11, 1, 9, 0, 0);

  for (guint day = first_day; day < 5 * 365; day += months * 30 + g_rand_int_range (rand, 0, 20))
    {
      g_autoptr(GDateTime) when = g_date_time_add_days (start, (int) day);
      g_autofree char *date = g_date_time_format_iso8601 (when);
      double value = mean * g_rand_double_range (rand, 0.85, 1.15);

      if (g_str_equal (code, "85354-9"))
        put_json (store, batch, g_strdup_printf (
          "{\"resourceType\":\"Observation\",\"id\":\"obs-%s-%s-%u\",\"status\":\"final\","
          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-11-01T00:00:00Z\"},"
          "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]},"
          "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"%s\","
          "\"component\":[{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},"
          "\"valueQuantity\":{\"value\":%.0f,\"unit\":\"mmHg\"}},"
          "{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},"
          "\"valueQuantity\":{\"value\":%.0f,\"unit\":\"mmHg\"}}]}",
          patient, code, day, patient, date, value, value * 0.6));
      else
        put_json (store, batch, g_strdup_printf (
          "{\"resourceType\":\"Observation\",\"id\":\"obs-%s-%s-%u\",\"status\":\"final\","
          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-11-01T00:00:00Z\"},"
          "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\"}]},"
          "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"%s\","
          "\"valueQuantity\":{\"value\":%.2f,\"unit\":\"%s\"}}",
          patient, code, day, code, patient, date, value, unit));
    }
}

static void
fill_practice (CabStore *store)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GPtrArray) batch = desk_records_new ();
  gint64 start = g_get_monotonic_time ();

  for (guint p = 0; p < N_PATIENTS; p++)
    {
      g_autofree char *id = g_strdup_printf ("pat-%05u", p);
      g_autofree char *family = g_strdup_printf ("Nom%05u", p);
      g_autofree char *gp = g_strdup_printf ("Practitioner/gp-%u", p % 3);
      g_autofree char *condition_id = g_strdup_printf ("c-%s", id);
      gboolean followed = p % 5 < 2;
      gboolean diabetic = followed && p % 2 == 0;
      guint first = g_rand_int_range (rand, 0, 120);

      put_json (store, batch, desk_patient_json (id, family, NULL, "Jeanne", "female", "1950-01-01",
                                                 NULL, NULL, gp));
      if (!followed)
        {
          put_series (store, batch, rand, id, "29463-7", 70, "kg", 24, first);
          continue;
        }
      put_json (store, batch, desk_condition_json (condition_id, id,
                                                   diabetic ? "E11.9" : "I10",
                                                   diabetic ? "Diabète de type 2" : "Hypertension", diabetic));
      put_series (store, batch, rand, id, "85354-9", 135, "mmHg", diabetic ? 3 : 6, first);
      if (diabetic)
        {
          put_series (store, batch, rand, id, "4548-4", 7.1, "%", 3, first);
          put_series (store, batch, rand, id, "13457-7", 1.1, "g/L", 12, first);
        }
      put_series (store, batch, rand, id, "98979-8", 75, "mL/min/{1.73_m2}", 12, first);
    }
  if (batch->len > 0)
    desk_put (store, batch);
  g_print ("store: %u patients written in %.1f s\n", N_PATIENTS, ms_since (start) / 1000);
}

/* The same Observations, no engine: one statement stepped to the end. */
static double
bare_query_ms (const char *path)
{
  static const char sql[] =
    "SELECT o.resource_id, o.patient_id, o.code, o.effective, o.value, o.unit"
    " FROM observations o WHERE o.code IN ('4548-4','85354-9','8480-6','8462-4','29463-7','98979-8',"
    "'62238-1','9318-7','13457-7')"
    " AND o.patient_id IN (SELECT c.patient_id FROM conditions c WHERE c.code LIKE 'E11%'"
    " OR c.code LIKE 'I10%' OR c.code LIKE 'N18%')"
    " ORDER BY o.patient_id, o.code, o.effective";
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;
  double ms;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  start = g_get_monotonic_time ();
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (int c = 0; c < 6; c++)
      (void) sqlite3_column_text (stmt, c);
  ms = ms_since (start);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ms;
}

/* CPU time of this thread: on a shared, busy machine, what the main thread
 * itself spent, closer to an idle machine's wall clock. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct
{
  CabFollowupWorklist *worklist;
  GtkWidget           *list;
  gint64               start;
  double               start_cpu;
  double               loaded_ms;
  double               screen_ms;
  double               screen_cpu_ms;
  double               loaded_cpu_ms;
} Screen;

static void
screen_loaded_cb (CabFollowupWorklist *worklist,
                  Screen              *s)
{
  if (s->loaded_ms < 0 && g_list_model_get_n_items (G_LIST_MODEL (worklist)) > 0)
    {
      s->loaded_ms = ms_since (s->start);
      s->loaded_cpu_ms = thread_cpu_ms () - s->start_cpu;
    }
}

static void
screen_painted_cb (GdkFrameClock *clock,
                   Screen        *s)
{
  /* The first frame after the rows landed has them on screen. */
  if (s->loaded_ms >= 0 && s->screen_ms < 0 && gtk_widget_get_first_child (s->list) != NULL)
    {
      s->screen_ms = ms_since (s->start);
      s->screen_cpu_ms = thread_cpu_ms () - s->start_cpu;
    }
}

static gboolean
screen_done (gpointer data)
{
  return ((Screen *) data)->screen_ms >= 0;
}

static void
bench_worklist (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cabinet-bench-followup-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cabinet.db", NULL);
  g_autoptr(CabStore) store = desk_store_new (dir);
  g_autoptr(GArray) screen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) loaded = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) main_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) loaded_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  CabFollowupPage *page = CAB_FOLLOWUP_PAGE (cab_followup_page_new ());
  Screen s = { 0 };
  GdkFrameClock *clock;
  gulong painted_id;
  guint n_rows = 0;

  fill_practice (store);
  gtk_window_set_default_size (window, 1200, 800);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (page)))
    g_main_context_iteration (NULL, TRUE);
  desk_wait_for_frame (GTK_WIDGET (page));

  s.worklist = cab_followup_page_get_worklist (page);
  s.list = GTK_WIDGET (cab_followup_page_get_list_view (page));
  g_signal_connect (s.worklist, "loaded", G_CALLBACK (screen_loaded_cb), &s);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  painted_id = g_signal_connect (clock, "after-paint", G_CALLBACK (screen_painted_cb), &s);
  cab_followup_page_set_today (page, TODAY);

  for (guint run = 0; run < SCREEN_RUNS + 1; run++)
    {
      double b = bare_query_ms (path);

      /* A store given anew: the practice is computed, filtered and shown. */
      cab_followup_worklist_set_store (s.worklist, NULL);
      desk_wait_for_frame (GTK_WIDGET (page));
      s.loaded_ms = s.screen_ms = -1;
      s.start = g_get_monotonic_time ();
      s.start_cpu = thread_cpu_ms ();
      cab_followup_worklist_set_store (s.worklist, store);
      g_assert_true (desk_wait_until (screen_done, &s, 120000));
      n_rows = g_list_model_get_n_items (G_LIST_MODEL (s.worklist));
      if (run == 0)
        continue;   /* warm-up: SQLite's page cache */
      g_array_append_val (screen, s.screen_ms);
      g_array_append_val (loaded, s.loaded_ms);
      g_array_append_val (bare, b);
      g_array_append_val (main_cpu, s.screen_cpu_ms);
      g_array_append_val (loaded_cpu, s.loaded_cpu_ms);
    }
  g_signal_handler_disconnect (clock, painted_id);

  g_print ("(b) worklist of %u patients (%u in the list), %u runs: store given to first frame with rows "
           "p50 %.1f ms, max %.1f ms (goal 150 ms); of which rows in the model p50 %.1f ms; "
           "bare SQL query of the same Observations p50 %.1f ms; ratio to screen %.1fx, model %.1fx; "
           "the main thread's own CPU time until then p50 %.1f ms (%.2fx the bare query), "
           "of which until the rows are in the list p50 %.1f ms\n",
           N_PATIENTS, n_rows, screen->len, percentile (screen, 0.5), percentile (screen, 1.0),
           percentile (loaded, 0.5), percentile (bare, 0.5),
           percentile (screen, 0.5) / percentile (bare, 0.5), percentile (loaded, 0.5) / percentile (bare, 0.5),
           percentile (main_cpu, 0.5), percentile (main_cpu, 0.5) / percentile (bare, 0.5),
           percentile (loaded_cpu, 0.5));

  gtk_window_destroy (window);
  desk_remove_dir (dir);
}

/* ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  desk_init_lang (&argc, argv);
  desk_init_toolkit ();

  bench_chart ();
  bench_worklist ();
  return 0;
}
