/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-chart-data"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-chart-data.h"

/* Between a value and its unit: "7.4 %" is never cut across two lines. */
#define NBSP "\u00a0"

struct _CabChartData
{
  gatomicrefcount  ref_count;
  char            *unit;
  guint            digits;
  GArray          *points;     /* CabChartPoint */
  GArray          *markers;    /* CabChartMarker */
  double           low, high, low2, high2;
  char            *target_text;
  gboolean         sealed;
};

G_DEFINE_BOXED_TYPE (CabChartData, cab_chart_data, cab_chart_data_ref, cab_chart_data_unref)

static void
clear_point (gpointer data)
{
  CabChartPoint *point = data;

  g_free (point->source);
}

static void
clear_marker (gpointer data)
{
  CabChartMarker *marker = data;

  g_free (marker->label);
}

CabChartData *
cab_chart_data_new (const char *unit,
                    guint       digits)
{
  CabChartData *self = g_new0 (CabChartData, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->unit = g_strdup (unit != NULL ? unit : "");
  self->digits = MIN (digits, 4);
  self->points = g_array_new (FALSE, FALSE, sizeof (CabChartPoint));
  g_array_set_clear_func (self->points, clear_point);
  self->markers = g_array_new (FALSE, FALSE, sizeof (CabChartMarker));
  g_array_set_clear_func (self->markers, clear_marker);
  self->low = self->high = self->low2 = self->high2 = NAN;
  return self;
}

CabChartData *
cab_chart_data_ref (CabChartData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cab_chart_data_unref (CabChartData *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->unit);
  g_array_unref (self->points);
  g_array_unref (self->markers);
  g_free (self->target_text);
  g_free (self);
}

void
cab_chart_data_add_point (CabChartData *self,
                          gint64        when,
                          double        value,
                          double        value2,
                          gboolean      out_of_target,
                          const char   *source)
{
  CabChartPoint point = { when, value, value2, out_of_target, g_strdup (source) };

  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->sealed);
  g_return_if_fail (isfinite (value));

  g_array_append_val (self->points, point);
}

void
cab_chart_data_add_marker (CabChartData       *self,
                           gint64              when,
                           CabChartMarkerKind  kind,
                           const char         *label)
{
  CabChartMarker marker = { when, kind, g_strdup (label) };

  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->sealed);

  g_array_append_val (self->markers, marker);
}

void
cab_chart_data_set_target (CabChartData *self,
                           double        low,
                           double        high,
                           double        low2,
                           double        high2,
                           const char   *text)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->sealed);

  self->low = low;
  self->high = high;
  self->low2 = low2;
  self->high2 = high2;
  g_free (self->target_text);
  self->target_text = g_strdup (text);
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  const CabChartPoint *pa = a, *pb = b;

  return (pa->when > pb->when) - (pa->when < pb->when);
}

static int
compare_markers (gconstpointer a,
                 gconstpointer b)
{
  const CabChartMarker *ma = a, *mb = b;

  return (ma->when > mb->when) - (ma->when < mb->when);
}

void
cab_chart_data_seal (CabChartData *self)
{
  g_return_if_fail (self != NULL);

  if (self->sealed)
    return;
  /* Stable, so two values of one day keep the order they came in. */
  g_array_sort (self->points, compare_points);
  g_array_sort (self->markers, compare_markers);
  self->sealed = TRUE;
}

const char *
cab_chart_data_get_unit (CabChartData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->unit;
}

guint
cab_chart_data_get_n_points (CabChartData *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->points->len;
}

const CabChartPoint *
cab_chart_data_get_point (CabChartData *self,
                          guint         i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->points->len, NULL);

  return &g_array_index (self->points, CabChartPoint, i);
}

guint
cab_chart_data_get_n_markers (CabChartData *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->markers->len;
}

const CabChartMarker *
cab_chart_data_get_marker (CabChartData *self,
                           guint         i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->markers->len, NULL);

  return &g_array_index (self->markers, CabChartMarker, i);
}

gboolean
cab_chart_data_get_target (CabChartData *self,
                           double       *low,
                           double       *high,
                           double       *low2,
                           double       *high2)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (low != NULL)
    *low = self->low;
  if (high != NULL)
    *high = self->high;
  if (low2 != NULL)
    *low2 = self->low2;
  if (high2 != NULL)
    *high2 = self->high2;
  return isfinite (self->low) || isfinite (self->high) ||
         isfinite (self->low2) || isfinite (self->high2);
}

const char *
cab_chart_data_get_target_text (CabChartData *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->target_text;
}

char *
cab_chart_data_format_value (CabChartData        *self,
                             const CabChartPoint *point)
{
  int digits;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (point != NULL, NULL);

  digits = (int) self->digits;
  /* printf follows LC_NUMERIC: "7,4" in French. */
  if (isfinite (point->value2))
    return g_strdup_printf ("%.*f/%.*f%s%s", digits, point->value, digits, point->value2,
                            self->unit[0] != '\0' ? NBSP : "", self->unit);
  return g_strdup_printf ("%.*f%s%s", digits, point->value,
                          self->unit[0] != '\0' ? NBSP : "", self->unit);
}

char *
cab_chart_format_day (gint64 when)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (when);

  if (date == NULL)
    return g_strdup ("?");
  /* xgettext:no-c-format */
  /* Translators: a measure's date in words; see g_date_time_format() */
  return g_date_time_format (date, _("%B %-d, %Y"));
}
