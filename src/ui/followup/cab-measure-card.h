/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-followup-rules.h"
#include "cab-store.h"
#include "cab-measure-chart.h"

G_BEGIN_DECLS

#define CAB_TYPE_MEASURE_CARD (cab_measure_card_get_type ())
G_DECLARE_FINAL_TYPE (CabMeasureCard, cab_measure_card, CAB, MEASURE_CARD, GtkWidget)

/* One measure of a patient's follow-up: its name, where it stands (state,
 * last result, due date), its chart and, beside the chart, the last value
 * and its date in words. Reads core's series model (cab-followup-series.h)
 * for @patient_id and @measure_id; @document_titles (id → title, may grow
 * later: call cab_measure_card_refresh_sources()) names each value's lab
 * report in the tooltips. Signal "loaded": the series' answer is drawn. */
CabMeasureCard  *cab_measure_card_new             (CabStore         *store,
                                                   CabFollowupRules *rules,
                                                   const char       *patient_id,
                                                   const char       *measure_id,
                                                   const char       *today,
                                                   GHashTable       *document_titles);
const char      *cab_measure_card_get_measure_id  (CabMeasureCard   *self);
CabMeasureChart *cab_measure_card_get_chart       (CabMeasureCard   *self);
/* Reads the series again (a sync, a recording). */
void             cab_measure_card_reload          (CabMeasureCard   *self);
void             cab_measure_card_refresh_sources (CabMeasureCard   *self);
/* TRUE until the series' first answer is on the chart. */
gboolean         cab_measure_card_get_loading     (CabMeasureCard   *self);
/* Answers drawn so far (tests wait on it). */
guint            cab_measure_card_get_n_loads     (CabMeasureCard   *self);

/* What a rule's target says, "≤ 7 %", "< 140/90 mmHg"; NULL when none. */
char            *cab_followup_target_text         (const CabFollowupRule *rule);
/* A unit as shown ("mL/min/1.73 m²"). */
const char      *cab_followup_unit_display        (const CabFollowupMeasure *measure);

G_END_DECLS
