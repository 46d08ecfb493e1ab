/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-followup-items.h"

G_BEGIN_DECLS

/* Builders for the queries (any thread, before the item is shared). */

/* @rules keeps the rule and measure pointers alive. */
CabFollowupStatus *cab_followup_status_new        (CabFollowupRules            *rules,
                                                   const char                  *patient_id,
                                                   const CabFollowupAssessment *assessment,
                                                   const char                  *loinc);
/* Takes @row and @conditions (NULL-terminated); @all: CabFollowupStatus*,
 * sorted by urgency, referenced. Shows those in @states. */
CabFollowupPatient *cab_followup_patient_new      (CabPatientRow               *row,
                                                   char                       **conditions,
                                                   GPtrArray                   *all,
                                                   CabFollowupStates            states);
/* The same patient with another filter (@measures: a NULL-terminated list
 * of the measures to keep, NULL for all): shares the row and statuses. */
CabFollowupPatient *cab_followup_patient_filtered (CabFollowupPatient          *self,
                                                   CabFollowupStates            states,
                                                   const CabFollowupMeasure   **measures);
/* Sort key of the patient's shown measures: urgency then due day. */
int                 cab_followup_patient_compare  (CabFollowupPatient          *a,
                                                   CabFollowupPatient          *b);
/* Urgency order of two statuses (most urgent first). */
int                 cab_followup_status_compare   (CabFollowupStatus           *a,
                                                   CabFollowupStatus           *b);

CabFollowupPoint   *cab_followup_point_new        (const CabFollowupMeasure    *measure,
                                                   const CabFollowupRule       *rule,
                                                   const CabFollowupReading    *reading,
                                                   double                       raw_value,
                                                   const char                  *raw_unit);

CabFollowupMedicationEvent *cab_followup_medication_event_new (guint32                    day,
                                                               CabFollowupMedicationKind  kind,
                                                               const char                *display,
                                                               const char                *code,
                                                               const char                *request_id);

G_END_DECLS
