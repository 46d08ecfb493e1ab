/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-chart-data.h"

G_BEGIN_DECLS

#define CAB_TYPE_MEASURE_CHART (cab_measure_chart_get_type ())
G_DECLARE_FINAL_TYPE (CabMeasureChart, cab_measure_chart, CAB, MEASURE_CHART, GtkWidget)

/* One measure over time, drawn by itself (GtkSnapshot and cairo): a time
 * axis with month or year ticks, a value axis, the target band, the values
 * as points (a blood pressure as its two values joined), values out of
 * target as larger diamonds in the error colour (shape and colour, so the
 * difference does not rest on colour alone), and treatment starts (filled
 * triangle) and stops (hollow triangle) on the time axis. A tooltip gives a
 * point's exact value, date and source document, or a marker's treatment.
 * Focusable: Left/Right/Home/End walk the points and show their tooltip.
 * Colours come from the style sheet (@cab_chart_* in style.css), so dark
 * style follows.
 *
 * Property "data" (CabChartData, sealed when set), "title" (string, the
 * measure), "summary" (string, read-only): the last value and its date in
 * words, also the chart's accessible description, for a label beside it. */
GtkWidget    *cab_measure_chart_new          (void);
void          cab_measure_chart_set_data     (CabMeasureChart *self,
                                              CabChartData    *data);
CabChartData *cab_measure_chart_get_data     (CabMeasureChart *self);
void          cab_measure_chart_set_title    (CabMeasureChart *self,
                                              const char      *title);
const char   *cab_measure_chart_get_title    (CabMeasureChart *self);
const char   *cab_measure_chart_get_summary  (CabMeasureChart *self);

/* For tests: the tooltip text of the point or marker nearest (@x, @y) in
 * widget coordinates, or NULL when none is under it; the index of the
 * point the keyboard is on (-1 when none). */
char         *cab_measure_chart_tooltip_at   (CabMeasureChart *self,
                                              double           x,
                                              double           y);
gboolean      cab_measure_chart_get_point_position (CabMeasureChart *self,
                                                    guint            i,
                                                    double          *x,
                                                    double          *y);
int           cab_measure_chart_get_selected (CabMeasureChart *self);

G_END_DECLS
