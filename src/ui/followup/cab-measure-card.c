/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-measure-card"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-followup-series.h"
#include "cab-followup-state.h"
#include "cab-measure-card.h"

struct _CabMeasureCard
{
  GtkWidget          parent_instance;

  CabFollowupSeries *series;
  GHashTable        *document_titles;   /* borrowed view of the panel's table */
  char              *measure_id;
  guint              n_loads;

  GtkWidget         *box;
  GtkLabel          *title_label;
  GtkLabel          *state_label;
  GtkLabel          *out_label;
  GtkLabel          *info_label;
  CabMeasureChart   *chart;
  GtkLabel          *summary_label;
};

G_DEFINE_FINAL_TYPE (CabMeasureCard, cab_measure_card, GTK_TYPE_WIDGET)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

const char *
cab_followup_unit_display (const CabFollowupMeasure *measure)
{
  if (measure == NULL || measure->unit == NULL)
    return "";
  if (g_str_equal (measure->unit, "mL/min/1.73m2"))
    return "mL/min/1.73 m²";
  return measure->unit;
}

/* Digits worth showing: what labs and nurses write. */
static guint
measure_digits (const CabFollowupMeasure *measure)
{
  const char *unit = measure != NULL ? measure->unit : NULL;

  if (measure == NULL || measure->kind != CAB_FOLLOWUP_VALUE_QUANTITY || unit == NULL)
    return 0;
  if (g_str_equal (unit, "g/L"))
    return 2;
  if (g_str_equal (unit, "%") || g_str_equal (unit, "kg"))
    return 1;
  return 0;
}

static const char *
op_text (CabFollowupBoundOp op)
{
  switch (op)
    {
    case CAB_FOLLOWUP_BOUND_BELOW:    return "<";
    case CAB_FOLLOWUP_BOUND_AT_MOST:  return "≤";
    case CAB_FOLLOWUP_BOUND_AT_LEAST: return "≥";
    case CAB_FOLLOWUP_BOUND_ABOVE:    return ">";
    default:                          return "?";
    }
}

/* "%g" in the user's locale, without trailing zeros. */
static char *
limit_text (double limit)
{
  return g_strdup_printf ("%g", limit);
}

char *
cab_followup_target_text (const CabFollowupRule *rule)
{
  const char *unit;
  g_autoptr(GString) text = NULL;

  if (rule == NULL || rule->n_bounds == 0)
    return NULL;
  unit = cab_followup_unit_display (rule->measure);

  /* A blood pressure's two limits of one kind read "< 140/90 mmHg". */
  if (rule->n_bounds == 2 && rule->bounds[0].op == rule->bounds[1].op &&
      rule->bounds[0].diastolic != rule->bounds[1].diastolic)
    {
      const CabFollowupBound *systolic = rule->bounds[0].diastolic ? &rule->bounds[1] : &rule->bounds[0];
      const CabFollowupBound *diastolic = rule->bounds[0].diastolic ? &rule->bounds[0] : &rule->bounds[1];
      g_autofree char *s = limit_text (systolic->limit);
      g_autofree char *d = limit_text (diastolic->limit);

      return g_strdup_printf ("%s %s/%s%s%s", op_text (systolic->op), s, d, unit[0] ? "\u00a0" : "", unit);
    }

  text = g_string_new (NULL);
  for (guint i = 0; i < rule->n_bounds; i++)
    {
      g_autofree char *limit = limit_text (rule->bounds[i].limit);

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%s %s%s%s", op_text (rule->bounds[i].op), limit,
                              unit[0] ? "\u00a0" : "", unit);
      if (rule->bounds[i].diastolic)
        /* Translators: after a blood pressure target's second limit */
        g_string_append_printf (text, " %s", _("(diastolic)"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The band: below or at most sets the top, at least or above the bottom. */
static void
set_target (CabChartData          *data,
            const CabFollowupRule *rule)
{
  double low = NAN, high = NAN, low2 = NAN, high2 = NAN;
  g_autofree char *text = cab_followup_target_text (rule);

  if (rule == NULL)
    return;
  for (guint i = 0; i < rule->n_bounds; i++)
    {
      const CabFollowupBound *bound = &rule->bounds[i];
      gboolean upper = bound->op == CAB_FOLLOWUP_BOUND_BELOW || bound->op == CAB_FOLLOWUP_BOUND_AT_MOST;

      if (bound->diastolic)
        *(upper ? &high2 : &low2) = bound->limit;
      else
        *(upper ? &high : &low) = bound->limit;
    }
  cab_chart_data_set_target (data, low, high, low2, high2, text);
}

static gint64
julian_to_unix (guint32 day)
{
  GDate date;
  g_autoptr(GDateTime) local = NULL;

  if (day == 0 || !g_date_valid_julian (day))
    return 0;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  local = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                 g_date_get_day (&date), 0, 0, 0);
  return local != NULL ? g_date_time_to_unix (local) : 0;
}

static const char *
point_source (CabMeasureCard   *self,
              CabFollowupPoint *point)
{
  const char *document_id = cab_followup_point_get_document_id (point);
  const char *title;

  if (cab_followup_point_get_pending (point))
    return _("Recorded here, waiting to be sent to the health space");
  if (document_id == NULL)
    return NULL;
  title = self->document_titles != NULL ? g_hash_table_lookup (self->document_titles, document_id) : NULL;
  /* A report not in the store (yet): say there is one. */
  return title != NULL ? title : _("A lab report");
}

static CabChartData *
build_chart_data (CabMeasureCard *self)
{
  const CabFollowupMeasure *measure = cab_followup_series_get_measure (self->series);
  CabFollowupStatus *status = cab_followup_series_get_status (self->series);
  GListModel *points = G_LIST_MODEL (self->series);
  GListModel *medications = cab_followup_series_get_medications (self->series);
  CabChartData *data = cab_chart_data_new (cab_followup_unit_display (measure), measure_digits (measure));

  for (guint i = 0; i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(CabFollowupPoint) point = g_list_model_get_item (points, i);
      double value = cab_followup_point_get_value (point);
      gint64 when = julian_to_unix (cab_followup_point_get_day (point));

      /* A value in a unit Cabinet cannot convert is not drawn: it would
       * sit at the wrong height. Its date still counts for the schedule. */
      if (!isfinite (value) || when == 0)
        continue;
      cab_chart_data_add_point (data, when, value, cab_followup_point_get_diastolic (point),
                                cab_followup_point_get_out_of_target (point),
                                point_source (self, point));
    }

  for (guint i = 0; medications != NULL && i < g_list_model_get_n_items (medications); i++)
    {
      g_autoptr(CabFollowupMedicationEvent) event = g_list_model_get_item (medications, i);
      gint64 when = julian_to_unix (cab_followup_medication_event_get_day (event));

      if (when == 0)
        continue;
      cab_chart_data_add_marker (data, when,
                                 cab_followup_medication_event_get_kind (event) == CAB_FOLLOWUP_MEDICATION_START
                                 ? CAB_CHART_MARKER_START : CAB_CHART_MARKER_STOP,
                                 cab_followup_medication_event_get_display (event));
    }

  if (status != NULL)
    set_target (data, cab_followup_status_get_rule (status));
  return data;
}

static void
show_status (CabMeasureCard *self)
{
  CabFollowupStatus *status = cab_followup_series_get_status (self->series);
  g_autofree char *target = NULL;
  g_autofree char *dates = NULL;
  g_autofree char *info = NULL;

  if (status == NULL)
    {
      /* Recorded, but not in this patient's plan: no state, no band. */
      gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->out_label), FALSE);
      gtk_label_set_text (self->info_label, _("Not part of this patient’s follow-up plan"));
      return;
    }

  cab_followup_state_label_update (self->state_label, cab_followup_status_get_state (status));
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->out_label), cab_followup_status_get_out_of_target (status));

  target = cab_followup_target_text (cab_followup_status_get_rule (status));
  dates = cab_followup_status_dates_text (status);
  if (target != NULL)
    /* Translators: "Target ≤ 7 % · Last 12/03/2025 · next due 12/06/2025" */
    info = g_strdup_printf (_("Target %s · %s"), target, dates);
  else
    info = g_steal_pointer (&dates);
  gtk_label_set_text (self->info_label, info);
}

static void
rebuild (CabMeasureCard *self)
{
  g_autoptr(CabChartData) data = build_chart_data (self);

  cab_measure_chart_set_data (self->chart, data);
  show_status (self);
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

static void
series_loaded_cb (CabMeasureCard    *self,
                  CabFollowupSeries *series)
{
  const CabFollowupMeasure *measure = cab_followup_series_get_measure (series);

  if (measure != NULL)
    {
      gtk_label_set_text (self->title_label, cab_followup_measure_get_name (measure));
      cab_measure_chart_set_title (self->chart, cab_followup_measure_get_name (measure));
    }
  rebuild (self);
  self->n_loads++;
  g_signal_emit (self, signals[LOADED], 0);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_measure_card_dispose (GObject *object)
{
  CabMeasureCard *self = CAB_MEASURE_CARD (object);

  if (self->series != NULL)
    g_signal_handlers_disconnect_by_data (self->series, self);
  g_clear_object (&self->series);
  g_clear_pointer (&self->document_titles, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_MEASURE_CARD);

  G_OBJECT_CLASS (cab_measure_card_parent_class)->dispose (object);
}

static void
cab_measure_card_finalize (GObject *object)
{
  CabMeasureCard *self = CAB_MEASURE_CARD (object);

  g_free (self->measure_id);

  G_OBJECT_CLASS (cab_measure_card_parent_class)->finalize (object);
}

static void
cab_measure_card_class_init (CabMeasureCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_measure_card_dispose;
  object_class->finalize = cab_measure_card_finalize;

  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CAB_TYPE_MEASURE_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/followup/cab-measure-card.ui");
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, box);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, title_label);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, state_label);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, out_label);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, info_label);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, chart);
  gtk_widget_class_bind_template_child (widget_class, CabMeasureCard, summary_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-measure-card");
}

static void
cab_measure_card_init (CabMeasureCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabMeasureCard *
cab_measure_card_new (CabStore         *store,
                      CabFollowupRules *rules,
                      const char       *patient_id,
                      const char       *measure_id,
                      const char       *today,
                      GHashTable       *document_titles)
{
  CabMeasureCard *self;
  const CabFollowupMeasure *measure;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);
  g_return_val_if_fail (patient_id != NULL && measure_id != NULL, NULL);

  self = g_object_new (CAB_TYPE_MEASURE_CARD, NULL);
  self->measure_id = g_strdup (measure_id);
  self->document_titles = document_titles != NULL ? g_hash_table_ref (document_titles) : NULL;

  measure = cab_followup_rules_lookup_measure (rules, measure_id);
  if (measure != NULL)
    {
      gtk_label_set_text (self->title_label, cab_followup_measure_get_name (measure));
      cab_measure_chart_set_title (self->chart, cab_followup_measure_get_name (measure));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), FALSE);

  self->series = cab_followup_series_new (store, rules);
  g_signal_connect_object (self->series, "loaded", G_CALLBACK (series_loaded_cb), self, G_CONNECT_SWAPPED);
  cab_followup_series_set_today (self->series, today);
  cab_followup_series_set_measure_id (self->series, measure_id);
  cab_followup_series_set_patient_id (self->series, patient_id);
  return self;
}

const char *
cab_measure_card_get_measure_id (CabMeasureCard *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CARD (self), NULL);

  return self->measure_id;
}

CabMeasureChart *
cab_measure_card_get_chart (CabMeasureCard *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CARD (self), NULL);

  return self->chart;
}

void
cab_measure_card_reload (CabMeasureCard *self)
{
  g_return_if_fail (CAB_IS_MEASURE_CARD (self));

  cab_followup_series_reload (self->series);
}

void
cab_measure_card_refresh_sources (CabMeasureCard *self)
{
  g_return_if_fail (CAB_IS_MEASURE_CARD (self));

  if (self->n_loads > 0)
    rebuild (self);
}

gboolean
cab_measure_card_get_loading (CabMeasureCard *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CARD (self), FALSE);

  return self->n_loads == 0 || cab_followup_series_get_loading (self->series);
}

guint
cab_measure_card_get_n_loads (CabMeasureCard *self)
{
  g_return_val_if_fail (CAB_IS_MEASURE_CARD (self), 0);

  return self->n_loads;
}
