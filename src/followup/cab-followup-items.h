/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-followup-engine.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * The items the follow-up models hold. All are immutable GObjects built on
 * a query thread and read on the main thread; every property is read-only
 * (and notifies nothing). Strings are owned by the item.
 */

/* ---------------------------------------------------------------- status */

#define CAB_TYPE_FOLLOWUP_STATUS (cab_followup_status_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupStatus, cab_followup_status, CAB, FOLLOWUP_STATUS, GObject)

/* Where one (patient, measure) stands. Properties: patient-id, measure-id,
 * state (CabFollowupState), last-date, due-date, out-of-target. */
const char               *cab_followup_status_get_patient_id     (CabFollowupStatus *self);
const CabFollowupMeasure *cab_followup_status_get_measure        (CabFollowupStatus *self);
const CabFollowupRule    *cab_followup_status_get_rule           (CabFollowupStatus *self);
/* The measure's id ("bp"): the JSON's "measure". */
const char               *cab_followup_status_get_measure_id     (CabFollowupStatus *self);
/* The ICD-10 prefix of the rule that decided it ("E11"). */
const char               *cab_followup_status_get_condition      (CabFollowupStatus *self);
/* The code of the last result ("8480-6" for blood pressure's systolic is
 * reported as the panel "85354-9"), else the measure's first code. */
const char               *cab_followup_status_get_loinc          (CabFollowupStatus *self);
CabFollowupState          cab_followup_status_get_state          (CabFollowupStatus *self);
/* "YYYY-MM-DD", NULL when never. */
const char               *cab_followup_status_get_last_date      (CabFollowupStatus *self);
const char               *cab_followup_status_get_due_date       (CabFollowupStatus *self);
guint32                   cab_followup_status_get_last_day       (CabFollowupStatus *self);
guint32                   cab_followup_status_get_due_day        (CabFollowupStatus *self);
/* In the measure's unit; NAN when never or the unit was unknown. */
double                    cab_followup_status_get_last_value     (CabFollowupStatus *self);
double                    cab_followup_status_get_last_diastolic (CabFollowupStatus *self);
/* "135/85", "7.2": what the JSON's last_value holds (NULL when none). */
const char               *cab_followup_status_get_last_value_text (CabFollowupStatus *self);
/* The measure's unit ("mmHg"); "" for a grade. */
const char               *cab_followup_status_get_unit           (CabFollowupStatus *self);
gboolean                  cab_followup_status_get_unit_known     (CabFollowupStatus *self);
gboolean                  cab_followup_status_get_out_of_target  (CabFollowupStatus *self);
const char               *cab_followup_status_get_observation_id (CabFollowupStatus *self);

/* --------------------------------------------------------------- patient */

#define CAB_TYPE_FOLLOWUP_PATIENT (cab_followup_patient_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupPatient, cab_followup_patient, CAB, FOLLOWUP_PATIENT, GObject)

/* A patient of the worklist. Properties: id, state (the most urgent of
 * the measures shown), n-overdue, n-due, n-never, out-of-target. */
const char          *cab_followup_patient_get_id          (CabFollowupPatient *self);
/* The store's row (name, INS, identity status, médecin traitant). Show
 * the INS as qualified only when row->patient.identity_status is "QUAL"
 * and !row->ins_duplicate (docs/domain.md, "INS"). */
const CabPatientRow *cab_followup_patient_get_row         (CabFollowupPatient *self);
/* The ICD-10 codes of the patient's Conditions that count ("E11.9", "I10"). */
const char * const  *cab_followup_patient_get_conditions  (CabFollowupPatient *self);
/* The statuses the worklist's filter kept, most urgent first (overdue,
 * never, due, ok; then the earliest due date; then the file's order): a
 * GListModel of CabFollowupStatus, owned by the item. */
GListModel          *cab_followup_patient_get_measures    (CabFollowupPatient *self);
/* Every measure of the patient's plan, whatever the filter, same order.
 * Array of CabFollowupStatus*, owned by the item. */
GPtrArray           *cab_followup_patient_get_all         (CabFollowupPatient *self);
/* The status of one measure in the plan, NULL when not in it. */
CabFollowupStatus   *cab_followup_patient_lookup          (CabFollowupPatient *self,
                                                           const char         *measure_id);
CabFollowupState     cab_followup_patient_get_state       (CabFollowupPatient *self);
guint                cab_followup_patient_get_n_overdue   (CabFollowupPatient *self);
guint                cab_followup_patient_get_n_due       (CabFollowupPatient *self);
guint                cab_followup_patient_get_n_never     (CabFollowupPatient *self);
/* A measure shown is out of target. */
gboolean             cab_followup_patient_get_out_of_target (CabFollowupPatient *self);

/* ----------------------------------------------------------------- point */

#define CAB_TYPE_FOLLOWUP_POINT (cab_followup_point_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupPoint, cab_followup_point, CAB, FOLLOWUP_POINT, GObject)

/* One result on a chart. Properties: date, value, diastolic, out-of-target,
 * pending. */
const char *cab_followup_point_get_date           (CabFollowupPoint *self);   /* "YYYY-MM-DD" */
guint32     cab_followup_point_get_day            (CabFollowupPoint *self);
/* In the measure's unit; NAN when the unit was unknown (then see raw_*). */
double      cab_followup_point_get_value          (CabFollowupPoint *self);
double      cab_followup_point_get_diastolic      (CabFollowupPoint *self);   /* NAN unless blood pressure */
gboolean    cab_followup_point_get_unit_known     (CabFollowupPoint *self);
/* As the server sent it, for a tooltip: "53", "mmol/mol". */
double      cab_followup_point_get_raw_value      (CabFollowupPoint *self);
const char *cab_followup_point_get_raw_unit       (CabFollowupPoint *self);
gboolean    cab_followup_point_get_out_of_target  (CabFollowupPoint *self);
/* The Observation ("local-…" until the outbox has sent it). */
const char *cab_followup_point_get_observation_id (CabFollowupPoint *self);
/* The lab report it came from (a DocumentReference id), or NULL. */
const char *cab_followup_point_get_document_id    (CabFollowupPoint *self);
/* Recorded here and not yet in the health space. */
gboolean    cab_followup_point_get_pending        (CabFollowupPoint *self);

/* ------------------------------------------------------- medication event */

typedef enum
{
  CAB_FOLLOWUP_MEDICATION_START,
  CAB_FOLLOWUP_MEDICATION_STOP,
} CabFollowupMedicationKind;

#define CAB_TYPE_FOLLOWUP_MEDICATION_EVENT (cab_followup_medication_event_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupMedicationEvent, cab_followup_medication_event, CAB,
                      FOLLOWUP_MEDICATION_EVENT, GObject)

/* A treatment's start or stop, for a marker on a chart's time axis.
 * Properties: date, kind, display. */
const char                *cab_followup_medication_event_get_date       (CabFollowupMedicationEvent *self);
guint32                    cab_followup_medication_event_get_day        (CabFollowupMedicationEvent *self);
CabFollowupMedicationKind  cab_followup_medication_event_get_kind       (CabFollowupMedicationEvent *self);
/* "METFORMINE 1000 mg, comprimé pelliculé" */
const char                *cab_followup_medication_event_get_display    (CabFollowupMedicationEvent *self);
const char                *cab_followup_medication_event_get_code       (CabFollowupMedicationEvent *self);
/* The MedicationRequest that starts (or last renews) the treatment. */
const char                *cab_followup_medication_event_get_request_id (CabFollowupMedicationEvent *self);

G_END_DECLS
