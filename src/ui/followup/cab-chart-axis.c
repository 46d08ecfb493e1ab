/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-chart-axis"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-chart-axis.h"

static void
clear_tick (gpointer data)
{
  CabChartTick *tick = data;

  g_free (tick->label);
  g_free (tick->label2);
}

static GArray *
ticks_new (void)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (CabChartTick));

  g_array_set_clear_func (ticks, clear_tick);
  return ticks;
}

/* ---------------------------------------------------------------------- */
/* values                                                                 */

/* The smallest of 1, 2, 2.5, 5 × 10^k at least @raw. */
static double
nice_step (double raw,
           int   *decimals)
{
  static const double mantissas[] = { 1, 2, 2.5, 5, 10 };
  double magnitude = pow (10, floor (log10 (raw)));

  for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
    if (mantissas[i] * magnitude >= raw * (1 - 1e-9))
      {
        double step = mantissas[i] * magnitude;

        *decimals = MAX (0, (int) -floor (log10 (step) + 1e-9));
        if (mantissas[i] == 2.5 && step < 10)
          (*decimals)++;
        return step;
      }
  g_assert_not_reached ();
}

GArray *
cab_chart_axis_value_ticks (double *min,
                            double *max,
                            double  length,
                            double  spacing)
{
  GArray *ticks = ticks_new ();
  guint n_fit = (guint) CLAMP (length / MAX (spacing, 1), 1, CAB_CHART_MAX_TICKS - 1);
  double step;
  int decimals = 0;
  double first;

  g_return_val_if_fail (isfinite (*min) && isfinite (*max) && *min < *max, ticks);

  step = nice_step ((*max - *min) / n_fit, &decimals);
  /* Widening may need one more step than fits: take the next size then. */
  while (floor (*min / step) * step + step * n_fit < ceil (*max / step) * step - step * 1e-9)
    step = nice_step (step * 1.01, &decimals);

  first = floor (*min / step + 1e-9) * step;
  *min = first;
  *max = ceil (*max / step - 1e-9) * step;

  for (guint i = 0; i < CAB_CHART_MAX_TICKS; i++)
    {
      CabChartTick tick = { 0 };

      tick.position = first + i * step;
      if (tick.position > *max + step * 1e-6)
        break;
      /* No "-0". */
      if (fabs (tick.position) < step * 1e-6)
        tick.position = 0;
      tick.label = g_strdup_printf ("%.*f", decimals, tick.position);
      g_array_append_val (ticks, tick);
    }
  return ticks;
}

/* ---------------------------------------------------------------------- */
/* time                                                                   */

static char *
format_local (GDateTime  *date,
              const char *format)
{
  return g_date_time_format (date, format);
}

static char *
month_label (GDateTime *date)
{
  /* xgettext:no-c-format */
  /* Translators: a month on a chart's time axis, abbreviated; see g_date_time_format() */
  return format_local (date, _("%b"));
}

static char *
day_label (GDateTime *date)
{
  /* xgettext:no-c-format */
  /* Translators: a day on a chart's time axis; see g_date_time_format() */
  return format_local (date, _("%b %-d"));
}

/* Every @step months, on months that are multiples of it (Jan, Apr, Jul,
 * Oct for 3), or every @step days from the first. */
static void
add_time_ticks (GArray *ticks,
                gint64  from,
                gint64  to,
                guint   months,
                guint   days)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (from);
  g_autoptr(GDateTime) cursor = NULL;
  int year, month, day;

  g_date_time_get_ymd (start, &year, &month, &day);
  if (days > 0)
    cursor = g_date_time_new_local (year, month, day, 0, 0, 0);
  else if (months >= 12)
    cursor = g_date_time_new_local (year - year % (int) (months / 12), 1, 1, 0, 0, 0);
  else
    cursor = g_date_time_new_local (year, month - (month - 1) % (int) months, 1, 0, 0, 0);

  while (cursor != NULL && ticks->len < CAB_CHART_MAX_TICKS)
    {
      gint64 when = g_date_time_to_unix (cursor);
      GDateTime *next;

      if (when > to)
        break;
      if (when >= from)
        {
          CabChartTick tick = { (double) when, NULL, NULL };

          if (months >= 12)
            tick.label = format_local (cursor, "%Y");
          else
            {
              tick.label = days > 0 ? day_label (cursor) : month_label (cursor);
              if (ticks->len == 0 ||
                  (g_date_time_get_month (cursor) == 1 &&
                   (days == 0 || g_date_time_get_day_of_month (cursor) <= (int) days)))
                tick.label2 = format_local (cursor, "%Y");
            }
          g_array_append_val (ticks, tick);
        }
      next = days > 0 ? g_date_time_add_days (cursor, (int) days)
                      : g_date_time_add_months (cursor, (int) months);
      g_date_time_unref (cursor);
      cursor = next;
    }
}

GArray *
cab_chart_axis_time_ticks (gint64 from,
                           gint64 to,
                           double length,
                           double spacing)
{
  static const guint month_steps[] = { 1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200 };
  static const guint day_steps[] = { 1, 2, 7, 14 };
  GArray *ticks = ticks_new ();
  double fit = MAX (length / MAX (spacing, 1), 1);
  double span_days = (double) (to - from) / 86400;

  g_return_val_if_fail (from < to, ticks);

  if (span_days < 60)
    for (guint i = 0; i < G_N_ELEMENTS (day_steps); i++)
      if (span_days / day_steps[i] <= fit)
        {
          add_time_ticks (ticks, from, to, 0, day_steps[i]);
          return ticks;
        }

  for (guint i = 0; i < G_N_ELEMENTS (month_steps); i++)
    if (span_days / (30.44 * month_steps[i]) <= fit || i == G_N_ELEMENTS (month_steps) - 1)
      {
        add_time_ticks (ticks, from, to, month_steps[i], 0);
        break;
      }
  return ticks;
}
