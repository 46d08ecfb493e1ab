/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-measure-chart"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "widgets/cab-row-paint.h"
#include "cab-chart-axis.h"
#include "cab-measure-chart.h"

/* Sizes in pixels. */
#define POINT_RADIUS     3.5
#define DIAMOND_RADIUS   5.5
#define HIT_RADIUS      10.0
#define MARKER_SIZE      5.0
#define MARKER_ROW      14.0   /* under the time axis, for the triangles */
#define TICK_LENGTH      4.0
#define PAD_TOP         10.0
#define PAD_RIGHT       14.0
#define LABEL_GAP        6.0
#define VALUE_SPACING   36.0   /* between value ticks, at least */
#define DAY_SECONDS  86400

struct _CabMeasureChart
{
  GtkWidget     parent_instance;

  CabChartData *data;
  char         *title;
  char         *summary;
  int           selected;      /* the keyboard's point, or -1 */

  /* What the current size and data give; rebuilt when either changes. */
  gboolean      layout_valid;
  int           layout_width;
  int           layout_height;
  graphene_rect_t plot;
  double        t_min, t_max;  /* Unix seconds at the plot's edges */
  double        v_min, v_max;
  double        marker_row;    /* its height: 0 without markers */
  GArray       *time_ticks;    /* CabChartTick */
  GArray       *value_ticks;
  GPtrArray    *time_layouts;  /* PangoLayout, two per time tick (second may be NULL) */
  GPtrArray    *value_layouts;
  PangoLayout  *empty_layout;
};

G_DEFINE_FINAL_TYPE (CabMeasureChart, cab_measure_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DATA,
  PROP_TITLE,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static guint
n_points (CabMeasureChart *self)
{
  return self->data != NULL ? cab_chart_data_get_n_points (self->data) : 0;
}

static void
invalidate_layout (CabMeasureChart *self)
{
  self->layout_valid = FALSE;
  g_clear_pointer (&self->time_ticks, g_array_unref);
  g_clear_pointer (&self->value_ticks, g_array_unref);
  g_clear_pointer (&self->time_layouts, g_ptr_array_unref);
  g_clear_pointer (&self->value_layouts, g_ptr_array_unref);
  g_clear_object (&self->empty_layout);
}

static double
x_of (CabMeasureChart *self,
      double           when)
{
  return self->plot.origin.x + (when - self->t_min) / (self->t_max - self->t_min) * self->plot.size.width;
}

static double
y_of (CabMeasureChart *self,
      double           value)
{
  return self->plot.origin.y + self->plot.size.height -
         (value - self->v_min) / (self->v_max - self->v_min) * self->plot.size.height;
}

static void
widen (double *min,
       double *max,
       double  value)
{
  if (!isfinite (value))
    return;
  *min = MIN (*min, value);
  *max = MAX (*max, value);
}

/* The value range: every value and every finite target limit. */
static void
value_range (CabMeasureChart *self,
             double          *min,
             double          *max)
{
  double low, high, low2, high2, span;

  *min = INFINITY;
  *max = -INFINITY;
  for (guint i = 0; i < n_points (self); i++)
    {
      const CabChartPoint *point = cab_chart_data_get_point (self->data, i);

      widen (min, max, point->value);
      widen (min, max, point->value2);
    }
  if (cab_chart_data_get_target (self->data, &low, &high, &low2, &high2))
    {
      widen (min, max, low);
      widen (min, max, high);
      widen (min, max, low2);
      widen (min, max, high2);
    }

  span = *max - *min;
  if (span <= 0)
    span = MAX (fabs (*max) * 0.2, 1.0);
  *min -= span * 0.08;
  *max += span * 0.08;
}

static PangoLayout *
tick_layout (CabMeasureChart *self,
             const char      *text)
{
  PangoLayout *layout = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 0.83, FALSE);

  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* The second line of a time tick may be NULL. */
static void
unref_layout (gpointer layout)
{
  if (layout != NULL)
    g_object_unref (layout);
}

static int
widest_time_label (GPtrArray *layouts)
{
  int widest = 0;

  for (guint i = 0; i < layouts->len; i++)
    if (layouts->pdata[i] != NULL)
      widest = MAX (widest, cab_row_paint_layout_width (layouts->pdata[i]));
  return widest;
}

static void
build_time_ticks (CabMeasureChart *self,
                  double           spacing)
{
  g_clear_pointer (&self->time_ticks, g_array_unref);
  g_clear_pointer (&self->time_layouts, g_ptr_array_unref);

  self->time_ticks = cab_chart_axis_time_ticks ((gint64) self->t_min, (gint64) self->t_max,
                                                self->plot.size.width, spacing);
  self->time_layouts = g_ptr_array_new_with_free_func (unref_layout);
  for (guint i = 0; i < self->time_ticks->len; i++)
    {
      CabChartTick *tick = &g_array_index (self->time_ticks, CabChartTick, i);

      g_ptr_array_add (self->time_layouts, tick_layout (self, tick->label));
      g_ptr_array_add (self->time_layouts, tick->label2 != NULL ? tick_layout (self, tick->label2) : NULL);
    }
}

static gboolean
has_markers_in (CabMeasureChart *self,
                gint64           from,
                gint64           to)
{
  for (guint i = 0; i < cab_chart_data_get_n_markers (self->data); i++)
    {
      gint64 when = cab_chart_data_get_marker (self->data, i)->when;

      if (when >= from && when <= to)
        return TRUE;
    }
  return FALSE;
}

/* Ranges, plot rectangle, ticks and their labels for this size. */
static void
ensure_layout (CabMeasureChart *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  g_autoptr(PangoLayout) probe = NULL;
  double line_height, left = 0, bottom, spacing;
  gint64 first, last, pad;

  if (self->layout_valid && width == self->layout_width && height == self->layout_height)
    return;
  invalidate_layout (self);
  self->layout_valid = TRUE;
  self->layout_width = width;
  self->layout_height = height;

  if (n_points (self) == 0)
    {
      self->empty_layout = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 1.0, TRUE);
      pango_layout_set_text (self->empty_layout, _("No measure recorded yet"), -1);
      pango_layout_set_width (self->empty_layout, MAX (width - 24, 1) * PANGO_SCALE);
      pango_layout_set_alignment (self->empty_layout, PANGO_ALIGN_CENTER);
      return;
    }

  /* Time: the points' span, a little more on each side; a lone point in
   * the middle of three months. */
  first = cab_chart_data_get_point (self->data, 0)->when;
  last = cab_chart_data_get_point (self->data, n_points (self) - 1)->when;
  pad = MAX ((last - first) / 25, 15 * DAY_SECONDS);
  if (last == first)
    pad = 45 * DAY_SECONDS;
  self->t_min = (double) (first - pad);
  self->t_max = (double) (last + pad);

  probe = tick_layout (self, "0");
  line_height = cab_row_paint_layout_height (probe);
  /* Under the axis: the treatment markers' row, when there are any, then
   * the month and year lines. */
  self->marker_row = has_markers_in (self, first - pad, last + pad) ? MARKER_ROW : 0;
  bottom = self->marker_row + TICK_LENGTH + 2 + 2 * line_height;
  self->plot = GRAPHENE_RECT_INIT (0, PAD_TOP, 1, MAX (height - PAD_TOP - bottom, 20));

  /* Values: ticks for the plot's height, then the widest label sets the
   * left margin. */
  value_range (self, &self->v_min, &self->v_max);
  self->value_ticks = cab_chart_axis_value_ticks (&self->v_min, &self->v_max,
                                                  self->plot.size.height, VALUE_SPACING);
  self->value_layouts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->value_ticks->len; i++)
    {
      CabChartTick *tick = &g_array_index (self->value_ticks, CabChartTick, i);
      PangoLayout *layout = tick_layout (self, tick->label);

      left = MAX (left, cab_row_paint_layout_width (layout));
      g_ptr_array_add (self->value_layouts, layout);
    }
  self->plot.origin.x = left + LABEL_GAP + TICK_LENGTH;
  self->plot.size.width = MAX (width - self->plot.origin.x - PAD_RIGHT, 20);

  /* Time ticks at least a label apart: try, measure, and retry wider. */
  spacing = 56;
  build_time_ticks (self, spacing);
  if (widest_time_label (self->time_layouts) + 14 > spacing)
    build_time_ticks (self, widest_time_label (self->time_layouts) + 14);
}

static const CabChartPoint *
point_at (CabMeasureChart *self,
          guint            i)
{
  return cab_chart_data_get_point (self->data, i);
}

/* The point nearest (@x, @y) within reach, or -1. */
static int
hit_point (CabMeasureChart *self,
           double           x,
           double           y)
{
  double best = HIT_RADIUS * HIT_RADIUS;
  int found = -1;

  for (guint i = 0; i < n_points (self); i++)
    {
      const CabChartPoint *point = point_at (self, i);
      double px = x_of (self, point->when);
      double d = (px - x) * (px - x) + (y_of (self, point->value) - y) * (y_of (self, point->value) - y);

      if (isfinite (point->value2))
        d = MIN (d, (px - x) * (px - x) + (y_of (self, point->value2) - y) * (y_of (self, point->value2) - y));
      /* <=: the later of two points on one spot, as drawn on top. */
      if (d <= best)
        {
          best = d;
          found = (int) i;
        }
    }
  return found;
}

/* A marker whose triangle or line is under (@x, @y), or -1. */
static int
hit_marker (CabMeasureChart *self,
            double           x,
            double           y)
{
  double axis_y = self->plot.origin.y + self->plot.size.height;
  int found = -1;
  double best = MARKER_SIZE + 3;

  if (y < self->plot.origin.y || y > axis_y + self->marker_row)
    return -1;

  for (guint i = 0; i < cab_chart_data_get_n_markers (self->data); i++)
    {
      const CabChartMarker *marker = cab_chart_data_get_marker (self->data, i);
      double d;

      if (marker->when < self->t_min || marker->when > self->t_max)
        continue;
      d = fabs (x_of (self, marker->when) - x);
      if (d <= best)
        {
          best = d;
          found = (int) i;
        }
    }
  return found;
}

static char *
point_tooltip (CabMeasureChart *self,
               guint            i)
{
  const CabChartPoint *point = point_at (self, i);
  g_autofree char *value = cab_chart_data_format_value (self->data, point);
  g_autofree char *day = cab_chart_format_day (point->when);
  const char *target = cab_chart_data_get_target_text (self->data);
  GString *text = g_string_new (NULL);

  /* Translators: a chart point's tooltip: "7.4 % — March 12, 2025" */
  g_string_append_printf (text, _("%s — %s"), value, day);
  if (point->out_of_target)
    {
      g_string_append_c (text, '\n');
      if (target != NULL)
        /* Translators: %s is the target, "≤ 7 %" */
        g_string_append_printf (text, _("Out of target (%s)"), target);
      else
        g_string_append (text, _("Out of target"));
    }
  if (point->source != NULL && point->source[0] != '\0')
    {
      g_string_append_c (text, '\n');
      /* Translators: %s is the title of the document the value comes from */
      g_string_append_printf (text, _("Source: %s"), point->source);
    }
  return g_string_free (text, FALSE);
}

static char *
marker_text (const CabChartMarker *marker)
{
  g_autofree char *day = cab_chart_format_day (marker->when);
  const char *label = marker->label != NULL ? marker->label : "";

  if (marker->kind == CAB_CHART_MARKER_START)
    /* Translators: "Started: Metformin 1000 mg — March 12, 2025" */
    return g_strdup_printf (_("Started: %s — %s"), label, day);
  /* Translators: "Stopped: Metformin 1000 mg — March 12, 2025" */
  return g_strdup_printf (_("Stopped: %s — %s"), label, day);
}

/* Every marker drawn on the spot of marker @i (they share a triangle). */
static char *
marker_tooltip (CabMeasureChart *self,
                guint            i)
{
  double x = x_of (self, cab_chart_data_get_marker (self->data, i)->when);
  GString *text = g_string_new (NULL);
  guint n = 0, shown = 0;

  for (guint j = 0; j < cab_chart_data_get_n_markers (self->data); j++)
    {
      const CabChartMarker *marker = cab_chart_data_get_marker (self->data, j);
      g_autofree char *line = NULL;

      if (fabs (x_of (self, marker->when) - x) > 2 * MARKER_SIZE)
        continue;
      n++;
      if (shown == 6)
        continue;
      line = marker_text (marker);
      g_string_append_printf (text, "%s%s", shown > 0 ? "\n" : "", line);
      shown++;
    }
  if (n > shown)
    {
      /* Translators: after the six first treatment changes of one spot */
      g_autofree char *more = g_strdup_printf (ngettext ("and %u more", "and %u more", n - shown), n - shown);

      g_string_append_printf (text, "\n%s", more);
    }
  return g_string_free (text, FALSE);
}

static void
update_summary (CabMeasureChart *self)
{
  const char *title = self->title != NULL ? self->title : "";
  g_autofree char *summary = NULL;
  guint n = n_points (self);

  if (n == 0)
    /* Translators: %s is the measure, "HbA1c" */
    summary = g_strdup_printf (_("%s: no measure recorded."), title);
  else
    {
      const CabChartPoint *last = point_at (self, n - 1);
      const CabChartPoint *first = point_at (self, 0);
      g_autofree char *value = cab_chart_data_format_value (self->data, last);
      g_autofree char *day = cab_chart_format_day (last->when);
      g_autofree char *since = NULL;
      g_autofree char *count = NULL;
      g_autofree char *head = NULL;
      const char *target = cab_chart_data_get_target_text (self->data);

      if (last->out_of_target && target != NULL)
        /* Translators: "HbA1c: last value 7.4 % on March 12, 2025, out of target (≤ 7 %)." */
        head = g_strdup_printf (_("%s: last value %s on %s, out of target (%s)."), title, value, day, target);
      else if (last->out_of_target)
        /* Translators: "HbA1c: last value 7.4 % on March 12, 2025, out of target." */
        head = g_strdup_printf (_("%s: last value %s on %s, out of target."), title, value, day);
      else
        /* Translators: "HbA1c: last value 6.4 % on March 12, 2025." */
        head = g_strdup_printf (_("%s: last value %s on %s."), title, value, day);

      if (n > 1)
        {
          g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (first->when);

          /* xgettext:no-c-format */
          /* Translators: the month of the first measure, "January 2019"; see g_date_time_format() */
          since = start != NULL ? g_date_time_format (start, _("%B %Y")) : g_strdup ("?");
          /* Translators: "40 measures since January 2019." */
          count = g_strdup_printf (ngettext ("%u measure since %s.", "%u measures since %s.", n), n, since);
          summary = g_strconcat (head, " ", count, NULL);
        }
      else
        summary = g_steal_pointer (&head);
    }

  if (g_strcmp0 (summary, self->summary) == 0)
    return;
  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary,
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

/* ---------------------------------------------------------------------- */
/* drawing                                                                */

typedef struct
{
  GdkRGBA fg, dim, grid, point, out, band, band_edge, marker, outline, focus;
} Colors;

static void
get_colors (CabMeasureChart *self,
            Colors          *c)
{
  GtkWidget *widget = GTK_WIDGET (self);

  cab_row_paint_text_colors (widget, &c->fg, &c->dim);
  c->grid = c->fg;
  c->grid.alpha *= 0.09;
  c->point = cab_row_paint_named_color (widget, "cab_chart_point_color", "#3584e4");
  c->out = cab_row_paint_named_color (widget, "cab_chart_out_color", "#c01c28");
  c->band = cab_row_paint_named_color (widget, "cab_chart_band_color", "rgba(46,194,126,0.16)");
  c->band_edge = cab_row_paint_named_color (widget, "cab_chart_band_edge_color", "rgba(38,162,105,0.7)");
  c->marker = cab_row_paint_named_color (widget, "cab_chart_marker_color", "#9141ac");
  c->outline = cab_row_paint_named_color (widget, "cab_chart_outline_color", "#ffffff");
  c->focus = cab_row_paint_named_color (widget, "accent_color", "#3584e4");
}

/* @layout's top left corner at (@x, @y). Unlike the rows' text
 * (cab_row_paint_layout()), a chart's is not mirrored right to left: its
 * axes and its plot are not (docs/architecture.md, "Self-drawn rows,
 * right to left"). */
static void
paint_layout (GtkSnapshot   *snapshot,
              PangoLayout   *layout,
              float          x,
              float          y,
              const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
hline (GtkSnapshot   *snapshot,
       double         x0,
       double         x1,
       double         y,
       const GdkRGBA *color)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x0, floor (y), x1 - x0, 1));
}

static void
vline (GtkSnapshot   *snapshot,
       double         x,
       double         y0,
       double         y1,
       const GdkRGBA *color)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (floor (x), y0, 1, y1 - y0));
}

static void
draw_band (CabMeasureChart *self,
           GtkSnapshot     *snapshot,
           const Colors    *c)
{
  double low, high, low2, high2;
  double top = self->plot.origin.y;
  double bottom = top + self->plot.size.height;
  double x0 = self->plot.origin.x, x1 = x0 + self->plot.size.width;
  double y_high, y_low;

  if (!cab_chart_data_get_target (self->data, &low, &high, &low2, &high2) ||
      (!isfinite (low) && !isfinite (high)))
    return;

  y_high = isfinite (high) ? CLAMP (y_of (self, high), top, bottom) : top;
  y_low = isfinite (low) ? CLAMP (y_of (self, low), top, bottom) : bottom;
  gtk_snapshot_append_color (snapshot, &c->band, &GRAPHENE_RECT_INIT (x0, y_high, x1 - x0, y_low - y_high));
  if (isfinite (high))
    hline (snapshot, x0, x1, y_high, &c->band_edge);
  if (isfinite (low))
    hline (snapshot, x0, x1, y_low, &c->band_edge);
}

static void
draw_axes (CabMeasureChart *self,
           GtkSnapshot     *snapshot,
           const Colors    *c)
{
  double x0 = self->plot.origin.x, x1 = x0 + self->plot.size.width;
  double top = self->plot.origin.y, bottom = top + self->plot.size.height;
  GdkRGBA axis = c->fg;

  axis.alpha *= 0.45;

  for (guint i = 0; i < self->value_ticks->len; i++)
    {
      CabChartTick *tick = &g_array_index (self->value_ticks, CabChartTick, i);
      PangoLayout *layout = self->value_layouts->pdata[i];
      double y = y_of (self, tick->position);

      hline (snapshot, x0, x1, y, &c->grid);
      hline (snapshot, x0 - TICK_LENGTH, x0, y, &axis);
      paint_layout (snapshot, layout,
                            x0 - TICK_LENGTH - LABEL_GAP - cab_row_paint_layout_width (layout),
                            y - cab_row_paint_layout_height (layout) / 2.0, &c->dim);
    }

  for (guint i = 0; i < self->time_ticks->len; i++)
    {
      CabChartTick *tick = &g_array_index (self->time_ticks, CabChartTick, i);
      PangoLayout *layout = self->time_layouts->pdata[2 * i];
      PangoLayout *layout2 = self->time_layouts->pdata[2 * i + 1];
      double x = x_of (self, tick->position);
      double y = bottom + self->marker_row + TICK_LENGTH + 2;
      double half = MAX (cab_row_paint_layout_width (layout),
                         layout2 != NULL ? cab_row_paint_layout_width (layout2) : 0) / 2.0;

      vline (snapshot, x, top, bottom, &c->grid);
      vline (snapshot, x, bottom, bottom + TICK_LENGTH, &axis);
      /* A label that would be cut at an edge is left out, not cut. */
      if (x - half < 0 || x + half > self->layout_width)
        continue;
      paint_layout (snapshot, layout, x - cab_row_paint_layout_width (layout) / 2.0, y, &c->dim);
      if (layout2 != NULL)
        paint_layout (snapshot, layout2, x - cab_row_paint_layout_width (layout2) / 2.0,
                              y + cab_row_paint_layout_height (layout), &c->dim);
    }

  vline (snapshot, x0, top, bottom, &axis);
  hline (snapshot, x0, x1, bottom, &axis);
}

static void
set_source (cairo_t       *cr,
            const GdkRGBA *color)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
}

static void
draw_markers (CabMeasureChart *self,
              cairo_t         *cr,
              const Colors    *c)
{
  double top = self->plot.origin.y, bottom = top + self->plot.size.height;
  /* In their own row under the axis, above the tick labels. */
  double row = bottom + MARKER_ROW / 2 + 1;
  static const double dash[] = { 3, 3 };

  double last_x[2] = { -G_MAXDOUBLE, -G_MAXDOUBLE };
  GdkRGBA line = c->marker;

  line.alpha *= 0.4;
  for (guint i = 0; i < cab_chart_data_get_n_markers (self->data); i++)
    {
      const CabChartMarker *marker = cab_chart_data_get_marker (self->data, i);
      double x;

      if (marker->when < self->t_min || marker->when > self->t_max)
        continue;
      x = floor (x_of (self, marker->when)) + 0.5;
      /* Renewals a few days apart would draw one smudge: one triangle per
       * spot and kind; the tooltip lists them all. */
      if (fabs (x - last_x[marker->kind != CAB_CHART_MARKER_START]) < 2 * MARKER_SIZE)
        continue;
      last_x[marker->kind != CAB_CHART_MARKER_START] = x;

      /* A faint dashed line through the plot: when the treatment changed. */
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      set_source (cr, &line);
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, bottom);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      set_source (cr, &c->marker);

      /* Started: a filled triangle pointing up; stopped: a hollow one
       * pointing down. */
      if (marker->kind == CAB_CHART_MARKER_START)
        {
          cairo_move_to (cr, x, row - MARKER_SIZE);
          cairo_line_to (cr, x + MARKER_SIZE, row + MARKER_SIZE);
          cairo_line_to (cr, x - MARKER_SIZE, row + MARKER_SIZE);
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      else
        {
          cairo_set_line_width (cr, 1.5);
          cairo_move_to (cr, x, row + MARKER_SIZE);
          cairo_line_to (cr, x + MARKER_SIZE, row - MARKER_SIZE);
          cairo_line_to (cr, x - MARKER_SIZE, row - MARKER_SIZE);
          cairo_close_path (cr);
          cairo_stroke (cr);
        }
    }
}

static void
draw_limit2 (CabMeasureChart *self,
             cairo_t         *cr,
             const Colors    *c)
{
  double low, high, low2, high2;
  static const double dash[] = { 6, 4 };
  double x0 = self->plot.origin.x, x1 = x0 + self->plot.size.width;
  double limits[2];

  if (!cab_chart_data_get_target (self->data, &low, &high, &low2, &high2))
    return;
  limits[0] = low2;
  limits[1] = high2;

  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  set_source (cr, &c->band_edge);
  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    if (isfinite (limits[i]))
      {
        double y = floor (y_of (self, limits[i])) + 0.5;

        cairo_move_to (cr, x0, y);
        cairo_line_to (cr, x1, y);
        cairo_stroke (cr);
      }
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
trend_path (CabMeasureChart *self,
            cairo_t         *cr,
            gboolean         second)
{
  gboolean started = FALSE;

  for (guint i = 0; i < n_points (self); i++)
    {
      const CabChartPoint *point = point_at (self, i);
      double value = second ? point->value2 : point->value;

      if (!isfinite (value))
        continue;
      if (started)
        cairo_line_to (cr, x_of (self, point->when), y_of (self, value));
      else
        cairo_move_to (cr, x_of (self, point->when), y_of (self, value));
      started = TRUE;
    }
}

static void
shape (cairo_t *cr,
       double   x,
       double   y,
       gboolean out)
{
  if (out)
    {
      cairo_move_to (cr, x, y - DIAMOND_RADIUS);
      cairo_line_to (cr, x + DIAMOND_RADIUS, y);
      cairo_line_to (cr, x, y + DIAMOND_RADIUS);
      cairo_line_to (cr, x - DIAMOND_RADIUS, y);
      cairo_close_path (cr);
    }
  else
    {
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, POINT_RADIUS, 0, 2 * G_PI);
    }
}

static void
draw_points (CabMeasureChart *self,
             cairo_t         *cr,
             const Colors    *c)
{
  GdkRGBA trend = c->point;
  guint n = n_points (self);

  trend.alpha *= 0.45;
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  set_source (cr, &trend);
  trend_path (self, cr, FALSE);
  trend_path (self, cr, TRUE);
  cairo_stroke (cr);

  /* A blood pressure: its two values joined. */
  cairo_set_line_width (cr, 2);
  for (guint i = 0; i < n; i++)
    {
      const CabChartPoint *point = point_at (self, i);
      double x;

      if (!isfinite (point->value2))
        continue;
      x = x_of (self, point->when);
      set_source (cr, point->out_of_target ? &c->out : &c->point);
      cairo_move_to (cr, x, y_of (self, point->value));
      cairo_line_to (cr, x, y_of (self, point->value2));
      cairo_stroke (cr);
    }

  /* In target first, out of target on top: those are the ones to see. The
   * in-target points share one path and one fill. */
  set_source (cr, &c->point);
  for (guint i = 0; i < n; i++)
    {
      const CabChartPoint *point = point_at (self, i);

      if (point->out_of_target)
        continue;
      shape (cr, x_of (self, point->when), y_of (self, point->value), FALSE);
      if (isfinite (point->value2))
        shape (cr, x_of (self, point->when), y_of (self, point->value2), FALSE);
    }
  cairo_fill (cr);

  for (guint i = 0; i < n; i++)
    {
      const CabChartPoint *point = point_at (self, i);

      if (!point->out_of_target)
        continue;
      shape (cr, x_of (self, point->when), y_of (self, point->value), TRUE);
      if (isfinite (point->value2))
        shape (cr, x_of (self, point->when), y_of (self, point->value2), TRUE);
    }
  set_source (cr, &c->out);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1.25);
  set_source (cr, &c->outline);
  cairo_stroke (cr);

  if (self->selected >= 0 && (guint) self->selected < n && gtk_widget_has_focus (GTK_WIDGET (self)))
    {
      const CabChartPoint *point = point_at (self, (guint) self->selected);
      double x = x_of (self, point->when);

      cairo_set_line_width (cr, 2);
      set_source (cr, &c->focus);
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y_of (self, point->value), DIAMOND_RADIUS + 3, 0, 2 * G_PI);
      if (isfinite (point->value2))
        {
          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y_of (self, point->value2), DIAMOND_RADIUS + 3, 0, 2 * G_PI);
        }
      cairo_stroke (cr);
    }
}

static void
cab_measure_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Colors c;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  ensure_layout (self);
  get_colors (self, &c);

  if (self->empty_layout != NULL)
    {
      paint_layout (snapshot, self->empty_layout, 12,
                            (height - cab_row_paint_layout_height (self->empty_layout)) / 2.0, &c.dim);
      return;
    }

  draw_band (self, snapshot, &c);
  draw_axes (self, snapshot, &c);

  /* Points, lines and triangles in one cairo node over the whole widget:
   * shapes near the plot's edges are not cut. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  draw_limit2 (self, cr, &c);
  draw_markers (self, cr, &c);
  draw_points (self, cr, &c);
  cairo_destroy (cr);
}

/* ---------------------------------------------------------------------- */
/* tooltips and keys                                                      */

static gboolean
cab_measure_chart_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard_mode,
                                 GtkTooltip *tooltip)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (widget);
  g_autofree char *text = NULL;
  int i;

  if (n_points (self) == 0)
    return FALSE;
  ensure_layout (self);

  if (keyboard_mode)
    {
      i = self->selected >= 0 ? self->selected : (int) n_points (self) - 1;
      text = point_tooltip (self, (guint) i);
      gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) { (int) x_of (self, point_at (self, i)->when) - 6,
                                                          (int) y_of (self, point_at (self, i)->value) - 6, 12, 12 });
    }
  else if ((i = hit_point (self, x, y)) >= 0)
    {
      text = point_tooltip (self, (guint) i);
      /* Moving to another point asks again. */
      gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) { x - 2, y - 2, 4, 4 });
    }
  else if ((i = hit_marker (self, x, y)) >= 0)
    {
      text = marker_tooltip (self, (guint) i);
      gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) { x - 2, y - 2, 4, 4 });
    }

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
select_point (CabMeasureChart *self,
              int              i)
{
  int n = (int) n_points (self);

  if (n == 0)
    return;
  i = CLAMP (i, 0, n - 1);
  if (i == self->selected)
    return;
  self->selected = i;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CabMeasureChart       *self)
{
  int n = (int) n_points (self);
  int current = self->selected >= 0 ? self->selected : n - 1;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0 || n == 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      select_point (self, current - 1);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      select_point (self, current + 1);
      return TRUE;
    case GDK_KEY_Home:
      select_point (self, 0);
      return TRUE;
    case GDK_KEY_End:
      select_point (self, n - 1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
focus_changed_cb (CabMeasureChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_measure_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 220;
      *natural = 520;
    }
  else
    {
      *minimum = 150;
      *natural = 190;
    }
}

static void
cab_measure_chart_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  /* ensure_layout() notices the new size at the next snapshot. */
  CAB_MEASURE_CHART (widget)->layout_valid = FALSE;
}

static void
cab_measure_chart_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (cab_measure_chart_parent_class)->css_changed (widget, change);

  /* Another font or colours: new layouts. */
  CAB_MEASURE_CHART (widget)->layout_valid = FALSE;
  gtk_widget_queue_draw (widget);
}

static void
cab_measure_chart_dispose (GObject *object)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (object);

  invalidate_layout (self);
  g_clear_pointer (&self->data, cab_chart_data_unref);

  G_OBJECT_CLASS (cab_measure_chart_parent_class)->dispose (object);
}

static void
cab_measure_chart_finalize (GObject *object)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (object);

  g_free (self->title);
  g_free (self->summary);

  G_OBJECT_CLASS (cab_measure_chart_parent_class)->finalize (object);
}

static void
cab_measure_chart_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (object);

  switch (prop_id)
    {
    case PROP_DATA:
      g_value_set_boxed (value, self->data);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_measure_chart_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CabMeasureChart *self = CAB_MEASURE_CHART (object);

  switch (prop_id)
    {
    case PROP_DATA:
      cab_measure_chart_set_data (self, g_value_get_boxed (value));
      break;
    case PROP_TITLE:
      cab_measure_chart_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_measure_chart_class_init (CabMeasureChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_measure_chart_dispose;
  object_class->finalize = cab_measure_chart_finalize;
  object_class->get_property = cab_measure_chart_get_property;
  object_class->set_property = cab_measure_chart_set_property;

  widget_class->snapshot = cab_measure_chart_snapshot;
  widget_class->measure = cab_measure_chart_measure;
  widget_class->size_allocate = cab_measure_chart_size_allocate;
  widget_class->css_changed = cab_measure_chart_css_changed;
  widget_class->query_tooltip = cab_measure_chart_query_tooltip;

  properties[PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL, CAB_TYPE_CHART_DATA,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cab-measure-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cab_measure_chart_init (CabMeasureChart *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->selected = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  update_summary (self);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_measure_chart_new (void)
{
  return g_object_new (CAB_TYPE_MEASURE_CHART, NULL);
}

void
cab_measure_chart_set_data (CabMeasureChart *self,
                            CabChartData    *data)
{
  g_return_if_fail (CAB_IS_MEASURE_CHART (self));

  if (self->data == data)
    return;

  if (data != NULL)
    {
      cab_chart_data_seal (data);
      cab_chart_data_ref (data);
    }
  g_clear_pointer (&self->data, cab_chart_data_unref);
  self->data = data;
  self->selected = -1;

  invalidate_layout (self);
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA]);
}

CabChartData *
cab_measure_chart_get_data (CabMeasureChart *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), NULL);

  return self->data;
}

void
cab_measure_chart_set_title (CabMeasureChart *self,
                             const char      *title)
{
  g_return_if_fail (CAB_IS_MEASURE_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  update_summary (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
cab_measure_chart_get_title (CabMeasureChart *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), NULL);

  return self->title;
}

const char *
cab_measure_chart_get_summary (CabMeasureChart *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), NULL);

  return self->summary;
}

char *
cab_measure_chart_tooltip_at (CabMeasureChart *self,
                              double           x,
                              double           y)
{
  int i;

  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), NULL);

  if (n_points (self) == 0)
    return NULL;
  ensure_layout (self);
  if ((i = hit_point (self, x, y)) >= 0)
    return point_tooltip (self, (guint) i);
  if ((i = hit_marker (self, x, y)) >= 0)
    return marker_tooltip (self, (guint) i);
  return NULL;
}

gboolean
cab_measure_chart_get_point_position (CabMeasureChart *self,
                                      guint            i,
                                      double          *x,
                                      double          *y)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), FALSE);

  if (i >= n_points (self))
    return FALSE;
  ensure_layout (self);
  *x = x_of (self, point_at (self, i)->when);
  *y = y_of (self, point_at (self, i)->value);
  return TRUE;
}

int
cab_measure_chart_get_selected (CabMeasureChart *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CHART (self), -1);

  return self->selected;
}
