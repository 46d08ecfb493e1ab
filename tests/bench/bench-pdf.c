/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-pdf"

/* Report viewer figures, printed, never judged:
 * - time to the first page on screen (load, render page 1 for a 1000 px wide
 *   view, the frame drawn) against pdftocairo rendering the same page at the
 *   same width, median of several runs each;
 * - frame times while scrolling a 300-page document with the cairo renderer.
 */

#include "config.h"

#include <adwaita.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>

#include "viewer/cab-pdf-viewer.h"

#define RUNS 7
#define VIEW_WIDTH 1000

static char *tmp_dir;

/* A dense document: a full page of small text, a table and a band. */
static char *
write_document (guint n_pages)
{
  char *path = g_build_filename (tmp_dir, "bench.pdf", NULL);
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595, 842);
  cairo_t *cr = cairo_create (surface);

  for (guint p = 0; p < n_pages; p++)
    {
      g_autofree char *title = g_strdup_printf ("Compte rendu, page %u", p + 1);

      cairo_set_source_rgb (cr, 0.2, 0.4, 0.7);
      cairo_rectangle (cr, 0, 0, 595, 40);
      cairo_fill (cr);

      cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      cairo_set_font_size (cr, 18);
      cairo_set_source_rgb (cr, 0.1, 0.2, 0.5);
      cairo_move_to (cr, 50, 80);
      cairo_show_text (cr, title);

      cairo_select_font_face (cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size (cr, 9);
      cairo_set_source_rgb (cr, 0, 0, 0);
      for (guint l = 0; l < 60; l++)
        {
          cairo_move_to (cr, 50, 110 + l * 11.5);
          cairo_show_text (cr, "Examen clinique sans particularité ; tension artérielle 13/8, "
                               "fréquence cardiaque 72/min, pas de souffle, hémoglobine 13,2 g/dL.");
        }

      cairo_set_line_width (cr, 0.5);
      for (guint r = 0; r <= 6; r++)
        {
          cairo_move_to (cr, 50, 810 - r * 12);
          cairo_line_to (cr, 545, 810 - r * 12);
        }
      cairo_stroke (cr);
      cairo_show_page (cr);
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return (da > db) - (da < db);
}

static double
percentile (GArray *values,
            double  p)
{
  guint index;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  index = MIN (values->len - 1, (guint) (p * (values->len - 1) + 0.5));
  return g_array_index (values, double, index);
}

/* ------------------------------------------------------------------------ */
/* Time to the first page on screen                                         */

typedef struct {
  CabPdfViewer *viewer;
  gboolean      rendered;
  gboolean      painted;
  gulong        paint_id;
} FirstPage;

static void
after_paint_cb (GdkFrameClock *clock,
                FirstPage     *fp)
{
  if (fp->rendered)
    fp->painted = TRUE;
}

static void
page_rendered_cb (CabPdfViewer *viewer,
                  guint         page,
                  FirstPage    *fp)
{
  if (page == 0)
    fp->rendered = TRUE;
}

static double
viewer_first_page_ms (GtkWindow  *window,
                      const char *path,
                      int        *page_width)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  FirstPage fp = { 0 };
  GdkFrameClock *clock;
  gint64 start;
  CabPdfView *view;
  GdkTexture *texture;

  fp.viewer = CAB_PDF_VIEWER (gtk_window_get_child (window));
  cab_pdf_viewer_clear (fp.viewer);
  /* Let the empty state settle so the next frame is the document's. */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  fp.paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &fp);
  g_signal_connect (fp.viewer, "page-rendered", G_CALLBACK (page_rendered_cb), &fp);

  start = g_get_monotonic_time ();
  cab_pdf_viewer_load_file (fp.viewer, file);
  while (!fp.painted)
    g_main_context_iteration (NULL, TRUE);

  g_signal_handlers_disconnect_by_data (fp.viewer, &fp);
  g_signal_handler_disconnect (clock, fp.paint_id);

  view = cab_pdf_viewer_get_view (fp.viewer);
  texture = cab_pdf_renderer_lookup (cab_pdf_view_get_renderer (view), 0, NULL);
  *page_width = gdk_texture_get_width (texture);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static double
pdftocairo_ms (const char *pdftocairo,
               const char *path,
               int         width)
{
  g_autofree char *width_arg = g_strdup_printf ("%d", width);
  g_autofree char *out = g_build_filename (tmp_dir, "pdftocairo", NULL);
  g_autofree char *png = g_strconcat (out, ".png", NULL);
  const char *argv[] = { pdftocairo, "-png", "-singlefile", "-f", "1", "-l", "1",
                         "-scale-to-x", width_arg, "-scale-to-y", "-1",
                         path, out, NULL };
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (png);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench_first_page (GtkWindow  *window,
                  const char *path)
{
  g_autofree char *pdftocairo = g_find_program_in_path ("pdftocairo");
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) theirs = g_array_new (FALSE, FALSE, sizeof (double));
  int width = 0;
  double a, b;

  /* One warm-up of each: fonts, caches, the file in the page cache. */
  viewer_first_page_ms (window, path, &width);
  if (pdftocairo != NULL)
    pdftocairo_ms (pdftocairo, path, width);

  for (int i = 0; i < RUNS; i++)
    {
      double ms = viewer_first_page_ms (window, path, &width);

      g_array_append_val (ours, ms);
      if (pdftocairo != NULL)
        {
          ms = pdftocairo_ms (pdftocairo, path, width);
          g_array_append_val (theirs, ms);
        }
    }

  a = percentile (ours, 0.5);
  g_print ("first page on screen (300 pages, %d px wide): median %.1f ms, min %.1f, max %.1f\n",
           width, a, g_array_index (ours, double, 0), g_array_index (ours, double, ours->len - 1));
  if (pdftocairo == NULL)
    {
      g_print ("pdftocairo not found: no baseline\n");
      return;
    }
  b = percentile (theirs, 0.5);
  g_print ("pdftocairo -png -f 1 -l 1 -scale-to-x %d: median %.1f ms\n", width, b);
  g_print ("ratio viewer / pdftocairo: %.2f (goal <= 1.3)\n", a / b);
}

/* ------------------------------------------------------------------------ */
/* Scrolling                                                                */

typedef struct {
  GtkAdjustment *vadjustment;
  double         step;
  guint          frames_left;
  gint64         last_frame;
  gint64         paint_start;
  GArray        *intervals;
  GArray        *paints;
} Scroll;

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  Scroll *s = data;
  /* Wall time: the frame clock's own times are smoothed. */
  gint64 now = g_get_monotonic_time ();

  if (s->last_frame != 0)
    {
      double ms = (now - s->last_frame) / 1000.0;

      g_array_append_val (s->intervals, ms);
    }
  s->last_frame = now;

  if (s->frames_left == 0)
    return G_SOURCE_REMOVE;
  s->frames_left--;

  gtk_adjustment_set_value (s->vadjustment,
                            gtk_adjustment_get_value (s->vadjustment) + s->step);
  return G_SOURCE_CONTINUE;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Scroll        *s)
{
  s->paint_start = g_get_monotonic_time ();
}

static void
scroll_after_paint_cb (GdkFrameClock *clock,
                       Scroll        *s)
{
  double ms;

  if (s->paint_start == 0)
    return;
  ms = (g_get_monotonic_time () - s->paint_start) / 1000.0;
  g_array_append_val (s->paints, ms);
  s->paint_start = 0;
}

static void
bench_scroll (GtkWindow  *window,
              const char *label,
              double      step,
              guint       frames)
{
  CabPdfViewer *viewer = CAB_PDF_VIEWER (gtk_window_get_child (window));
  CabPdfView *view = cab_pdf_viewer_get_view (viewer);
  CabPdfRenderer *renderer = cab_pdf_view_get_renderer (view);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_autoptr(GArray) intervals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) paints = g_array_new (FALSE, FALSE, sizeof (double));
  Scroll s = { 0 };
  guint rendered = cab_pdf_renderer_get_n_rendered (renderer);
  gulong before_id, after_id;

  s.vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  s.step = step;
  s.frames_left = frames;
  s.intervals = intervals;
  s.paints = paints;

  before_id = g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &s);
  after_id = g_signal_connect (clock, "after-paint", G_CALLBACK (scroll_after_paint_cb), &s);
  gtk_widget_add_tick_callback (GTK_WIDGET (view), scroll_tick_cb, &s, NULL);

  while (s.frames_left > 0)
    g_main_context_iteration (NULL, TRUE);

  g_signal_handler_disconnect (clock, before_id);
  g_signal_handler_disconnect (clock, after_id);

  g_print ("scroll %s (%.0f px/frame, %u frames, %u pages rendered): "
           "frame interval p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
           "frame work p99 %.1f ms, max %.1f ms\n",
           label, step, frames, cab_pdf_renderer_get_n_rendered (renderer) - rendered,
           percentile (intervals, 0.5), percentile (intervals, 0.99),
           percentile (intervals, 1.0),
           percentile (paints, 0.99), percentile (paints, 1.0));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  GtkWindow *window;
  CabPdfViewer *viewer;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  gtk_init ();
  adw_init ();

  tmp_dir = g_dir_make_tmp ("cab-bench-pdf-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  path = write_document (300);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, VIEW_WIDTH, 900);
  viewer = cab_pdf_viewer_new ();
  gtk_window_set_child (window, GTK_WIDGET (viewer));
  gtk_window_present (window);
  while (gtk_widget_get_width (GTK_WIDGET (viewer)) == 0)
    g_main_context_iteration (NULL, TRUE);

  bench_first_page (window, path);

  /* Scroll the document as loaded by the last run, from the top. */
  for (int i = 0; i < 30; i++)
    g_main_context_iteration (NULL, FALSE);
  bench_scroll (window, "reading", 40, 600);
  bench_scroll (window, "fast", 400, 300);

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (tmp_dir, name, NULL);

      g_unlink (child);
    }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);

  return 0;
}
