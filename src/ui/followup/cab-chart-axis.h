/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a measure chart puts its ticks, apart from drawing so tests can
 * check it: round values on the value axis, calendar months or years on
 * the time axis, as many as fit the length given. */

#define CAB_CHART_MAX_TICKS 64

typedef struct
{
  double  position;    /* a value, or Unix seconds on the time axis */
  char   *label;       /* "7.5", "Mar", "2025" */
  char   *label2;      /* the year under a month, or NULL */
} CabChartTick;

/* Ticks from *@min to *@max, which are widened to the nearest ticks around
 * them; at least @spacing pixels apart over @length. @min < @max. */
GArray *cab_chart_axis_value_ticks (double *min,
                                    double *max,
                                    double  length,
                                    double  spacing);

/* Ticks on the first day of months (every 1, 2, 3 or 6) or of years (every
 * 1, 2, 5, 10…), or on days for a span under two months, in the local zone;
 * month names in the user's language. The year is under January and under
 * the first tick. */
GArray *cab_chart_axis_time_ticks  (gint64  from,
                                    gint64  to,
                                    double  length,
                                    double  spacing);

G_END_DECLS
