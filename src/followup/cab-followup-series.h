/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-followup-items.h"
#include "cab-followup-rules.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_FOLLOWUP_SERIES (cab_followup_series_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupSeries, cab_followup_series, CAB, FOLLOWUP_SERIES, GObject)

/*
 * One chart's data: a patient's results for one measure, as a GListModel of
 * CabFollowupPoint, oldest first, values in the measure's unit; plus the
 * patient's treatment starts and stops (cab_followup_series_get_medications(),
 * a GListModel of CabFollowupMedicationEvent) and where the measure stands
 * (cab_followup_series_get_status(): state, due date, the rule whose target
 * applies; NULL when the measure is not in the patient's plan: then draw no
 * target band).
 *
 * A model as docs/architecture.md, "Models", describes: setting an input
 * supersedes the query still running; another patient's points go at
 * once, before the query. Call cab_followup_series_reload() after a sync or
 * a recording (the outbox's "changed"): a measure recorded here shows at
 * once, marked pending. Main thread only.
 *
 * Properties (read-write): store, rules, patient-id, measure-id ("bp",
 * "hba1c"...), today ("YYYY-MM-DD" or NULL). Read-only: loading, error,
 * status (CabFollowupStatus), medications (GListModel).
 */
CabFollowupSeries  *cab_followup_series_new              (CabStore          *store,
                                                          CabFollowupRules  *rules);

CabStore           *cab_followup_series_get_store        (CabFollowupSeries *self);
void                cab_followup_series_set_store        (CabFollowupSeries *self,
                                                          CabStore          *store);
CabFollowupRules   *cab_followup_series_get_rules        (CabFollowupSeries *self);
void                cab_followup_series_set_rules        (CabFollowupSeries *self,
                                                          CabFollowupRules  *rules);
const char         *cab_followup_series_get_patient_id   (CabFollowupSeries *self);
void                cab_followup_series_set_patient_id   (CabFollowupSeries *self,
                                                          const char        *patient_id);
const char         *cab_followup_series_get_measure_id   (CabFollowupSeries *self);
void                cab_followup_series_set_measure_id   (CabFollowupSeries *self,
                                                          const char        *measure_id);
const char         *cab_followup_series_get_today        (CabFollowupSeries *self);
void                cab_followup_series_set_today        (CabFollowupSeries *self,
                                                          const char        *today);

/* The measure of measure-id, NULL when unset or unknown to the rules. */
const CabFollowupMeasure *cab_followup_series_get_measure (CabFollowupSeries *self);
CabFollowupStatus  *cab_followup_series_get_status       (CabFollowupSeries *self);
GListModel         *cab_followup_series_get_medications  (CabFollowupSeries *self);

void                cab_followup_series_reload           (CabFollowupSeries *self);
gboolean            cab_followup_series_get_loading      (CabFollowupSeries *self);
const GError       *cab_followup_series_get_error        (CabFollowupSeries *self);

void                cab_followup_series_wait_async       (CabFollowupSeries    *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean            cab_followup_series_wait_finish      (CabFollowupSeries    *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

/* Signal "loaded": points, medications and status reflect the newest inputs. */

G_END_DECLS
