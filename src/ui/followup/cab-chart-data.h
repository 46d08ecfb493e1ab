/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What one measure chart shows, as plain data: the measured values with
 * their dates, the target, and the patient's treatment starts and stops.
 * The follow-up panel fills it from core's series; tests and the benchmark
 * fill it by hand. Filled on one thread, then given to a CabMeasureChart,
 * which seals it: it does not change afterwards (adding then is a
 * programming error). Reference counted, a boxed type. */

typedef enum
{
  CAB_CHART_MARKER_START,     /* a treatment started */
  CAB_CHART_MARKER_STOP,      /* a treatment stopped */
} CabChartMarkerKind;

typedef struct
{
  gint64    when;             /* Unix seconds; drawn on its local day */
  double    value;            /* systolic for a blood pressure */
  double    value2;           /* diastolic; NAN for one-value measures */
  gboolean  out_of_target;
  char     *source;           /* source document's title, or NULL */
} CabChartPoint;

typedef struct
{
  gint64              when;
  CabChartMarkerKind  kind;
  char               *label;  /* the medication, as prescribed */
} CabChartMarker;

typedef struct _CabChartData CabChartData;

#define CAB_TYPE_CHART_DATA (cab_chart_data_get_type ())
GType          cab_chart_data_get_type    (void) G_GNUC_CONST;

/* @unit as shown after values ("%", "mmHg"); @digits after the decimal
 * separator. */
CabChartData  *cab_chart_data_new         (const char   *unit,
                                           guint         digits);
CabChartData  *cab_chart_data_ref         (CabChartData *self);
void           cab_chart_data_unref       (CabChartData *self);

void           cab_chart_data_add_point   (CabChartData *self,
                                           gint64        when,
                                           double        value,
                                           double        value2,
                                           gboolean      out_of_target,
                                           const char   *source);
void           cab_chart_data_add_marker  (CabChartData       *self,
                                           gint64              when,
                                           CabChartMarkerKind  kind,
                                           const char         *label);
/* The target band on the first value, and the limit on the second (a
 * blood pressure's diastolic); NAN for an open end, all four NAN for no
 * target. @text says it as the rule does ("≤ 7 %", "< 140/90 mmHg"). */
void           cab_chart_data_set_target  (CabChartData *self,
                                           double        low,
                                           double        high,
                                           double        low2,
                                           double        high2,
                                           const char   *text);

/* Sorts the points and markers by date and forbids changes. */
void           cab_chart_data_seal        (CabChartData *self);

const char    *cab_chart_data_get_unit    (CabChartData *self);
guint          cab_chart_data_get_n_points  (CabChartData *self);
const CabChartPoint  *cab_chart_data_get_point  (CabChartData *self,
                                                 guint         i);
guint          cab_chart_data_get_n_markers (CabChartData *self);
const CabChartMarker *cab_chart_data_get_marker (CabChartData *self,
                                                 guint         i);
/* FALSE when there is no target. */
gboolean       cab_chart_data_get_target  (CabChartData *self,
                                           double       *low,
                                           double       *high,
                                           double       *low2,
                                           double       *high2);
const char    *cab_chart_data_get_target_text (CabChartData *self);

/* "7.4 %", "135/85 mmHg": in the user's locale (decimal comma in French). */
char          *cab_chart_data_format_value (CabChartData        *self,
                                            const CabChartPoint *point);
/* "12 March 2025" / "12 mars 2025", on the local day. */
char          *cab_chart_format_day        (gint64               when);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabChartData, cab_chart_data_unref)

G_END_DECLS
