/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-followup-items.h"
#include "cab-followup-rules.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * Follow-up reads as async queries on core's reader pool (src/core/cab-query.h;
 * docs/architecture.md, "Async queries"): the main thread never waits on
 * the store. A cancelled query finishes with G_IO_ERROR_CANCELLED even when
 * its answer was ready, so a superseded answer never lands; drop that error
 * silently. The tasks have no source object.
 *
 * @today: "YYYY-MM-DD", or NULL for the local calendar day now. Results
 * dated after @today are ignored, so an answer for a given @today is the
 * same whenever it is asked.
 *
 * Most apps want the models (cab-followup-worklist.h, cab-followup-series.h);
 * these are what the models and cabinetctl run.
 */

#define CAB_FOLLOWUP_ERROR (cab_followup_error_quark ())

typedef enum
{
  CAB_FOLLOWUP_ERROR_DATE,        /* @today or a recording's date is not a valid day */
  CAB_FOLLOWUP_ERROR_MEASURE,     /* a measure id the rules do not know */
  CAB_FOLLOWUP_ERROR_VALUE,       /* a typed value that does not parse or is implausible */
  CAB_FOLLOWUP_ERROR_NO_PATIENT,  /* the patient is not in the store */
} CabFollowupError;

GQuark cab_followup_error_quark (void);

/* Every patient with a Condition that counts for one of the rules, each
 * with every measure of their plan (all states; cab_followup_patient_get_measures()
 * and _get_all() are the same list), sorted by urgency (most urgent state,
 * then the earliest due date, then name). Finish: GPtrArray of
 * CabFollowupPatient (transfer full). */
void       cab_followup_query_worklist_async  (CabStore            *store,
                                               CabFollowupRules    *rules,
                                               const char          *today,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GPtrArray *cab_followup_query_worklist_finish (GAsyncResult        *result,
                                               GError             **error);

/* What a worklist keeps (CabFollowupWorklist's filters, cabinetctl's options). */
typedef struct
{
  const char        *condition; /* an ICD-10 prefix of the rules ("E11"), NULL: all. Keeps the
                                 * patients with that condition, and of their measures those
                                 * the condition's rules call for (the state shown is still
                                 * decided by the rule with the shortest interval) */
  CabFollowupStates  states;    /* the measures in these states; a patient with none is left out */
  const char        *gp;        /* "Practitioner/id": the médecin traitant, NULL: all */
  const char        *text;      /* every word in the name, birth date (dd/mm/yyyy) or INS;
                                 * accents and case ignored; NULL or "": all */
} CabFollowupFilter;

/* @patients: a worklist (from cab_followup_query_worklist_finish()), in
 * its order. Returns the patients the filter keeps, as new items whose
 * cab_followup_patient_get_measures() hold the measures kept, in the same
 * order (transfer full). Pure: any thread. */
GPtrArray *cab_followup_filter_worklist       (CabFollowupRules        *rules,
                                               GPtrArray               *patients,
                                               const CabFollowupFilter *filter);

/* One patient's plan, as in the worklist (transfer full). A patient with no
 * followed condition has an empty plan; CAB_FOLLOWUP_ERROR_NO_PATIENT when
 * the patient is not in the store. */
void                cab_followup_query_patient_async  (CabStore            *store,
                                                       CabFollowupRules    *rules,
                                                       const char          *patient_id,
                                                       const char          *today,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
CabFollowupPatient *cab_followup_query_patient_finish (GAsyncResult        *result,
                                                       GError             **error);

/* One measure's results for a patient, and the starts and stops of the
 * patient's treatments of 60 days or more (docs/domain.md, "Treatment
 * markers"). */
typedef struct
{
  GPtrArray         *points;       /* CabFollowupPoint*, oldest first */
  GPtrArray         *medications;  /* CabFollowupMedicationEvent*, by date */
  CabFollowupStatus *status;       /* where the measure stands, NULL when not in the patient's plan */
} CabFollowupSeriesData;

void                   cab_followup_series_data_free      (CabFollowupSeriesData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabFollowupSeriesData, cab_followup_series_data_free)

/* CAB_FOLLOWUP_ERROR_MEASURE when @measure_id is not in the rules. */
void                   cab_followup_query_series_async    (CabStore            *store,
                                                           CabFollowupRules    *rules,
                                                           const char          *patient_id,
                                                           const char          *measure_id,
                                                           const char          *today,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
CabFollowupSeriesData *cab_followup_query_series_finish   (GAsyncResult        *result,
                                                           GError             **error);

/* The synchronous halves, for worker threads (cabinetctl, tests, benchmarks). */
GPtrArray             *cab_followup_compute_worklist      (CabStore            *store,
                                                           CabFollowupRules    *rules,
                                                           const char          *today,
                                                           GError             **error);
CabFollowupPatient    *cab_followup_compute_patient       (CabStore            *store,
                                                           CabFollowupRules    *rules,
                                                           const char          *patient_id,
                                                           const char          *today,
                                                           GError             **error);
CabFollowupSeriesData *cab_followup_compute_series        (CabStore            *store,
                                                           CabFollowupRules    *rules,
                                                           const char          *patient_id,
                                                           const char          *measure_id,
                                                           const char          *today,
                                                           GError             **error);

G_END_DECLS
