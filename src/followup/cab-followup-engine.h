/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "cab-followup-rules.h"

G_BEGIN_DECLS

/*
 * The follow-up engine: pure functions, no store, no I/O, any thread
 * (docs/domain.md, "Follow-up rules", says what they decide and why).
 *
 * Days are GDate julian day numbers (guint32, 0 = none), so a worklist of
 * thousands of patients compares integers.
 */

/* In increasing urgency: a worklist sorts on it. The nicks (ok, due,
 * never, overdue) are cabinetctl's --state values and the JSON's "state". */
typedef enum
{
  CAB_FOLLOWUP_STATE_OK,        /* the last result is more recent than the interval */
  CAB_FOLLOWUP_STATE_DUE,       /* from the due date (last + interval) on */
  CAB_FOLLOWUP_STATE_NEVER,     /* no result at all */
  CAB_FOLLOWUP_STATE_OVERDUE,   /* from the overdue date (last + overdue limit) on */
} CabFollowupState;

/* A set of states, for filters. */
typedef enum /*< flags >*/
{
  CAB_FOLLOWUP_STATES_NONE    = 0,
  CAB_FOLLOWUP_STATES_OK      = 1 << CAB_FOLLOWUP_STATE_OK,
  CAB_FOLLOWUP_STATES_DUE     = 1 << CAB_FOLLOWUP_STATE_DUE,
  CAB_FOLLOWUP_STATES_NEVER   = 1 << CAB_FOLLOWUP_STATE_NEVER,
  CAB_FOLLOWUP_STATES_OVERDUE = 1 << CAB_FOLLOWUP_STATE_OVERDUE,
} CabFollowupStates;

/* What a worklist shows by default: everything that needs doing. */
#define CAB_FOLLOWUP_STATES_TO_DO \
  (CAB_FOLLOWUP_STATES_DUE | CAB_FOLLOWUP_STATES_NEVER | CAB_FOLLOWUP_STATES_OVERDUE)
#define CAB_FOLLOWUP_STATES_ALL \
  (CAB_FOLLOWUP_STATES_TO_DO | CAB_FOLLOWUP_STATES_OK)

const char *cab_followup_state_to_string   (CabFollowupState state);   /* "overdue" */
/* -1 when unknown. */
int         cab_followup_state_from_string (const char      *text);
/* Translated, for display: "Overdue" / "En retard". */
const char *cab_followup_state_get_label   (CabFollowupState state);

/* TRUE when a Condition counts for follow-up: its clinical status is not
 * inactive, remission nor resolved, and its verification status is not
 * refuted nor entered-in-error. A missing status does not exclude it. */
gboolean    cab_followup_condition_counts  (const char *clinical_status,
                                            const char *verification_status);

/* Calendar months: 31 August + 6 months is the last day of February; the
 * result is clamped to the month's last day. 0 when out of GDate's range. */
guint32     cab_followup_add_months        (guint32     day,
                                            guint       months);
/* "YYYY-MM-DD" (or a FHIR dateTime: its local calendar day, in @tz, NULL
 * for the local zone) to a julian day; 0 when not a full date. */
guint32     cab_followup_parse_day         (const char *text,
                                            GTimeZone  *tz);
/* "YYYY-MM-DD", or NULL for 0. */
char       *cab_followup_format_day        (guint32     day);

/* The rule that decides each measure for a patient with the conditions
 * @codes (ICD-10 codes of the Conditions that count, NULL-terminated):
 * one per measure, the one with the shortest interval (then the shortest
 * overdue limit, then the one with a target, then the first in the file).
 * Its target is the one applied. Array of const CabFollowupRule*, in the
 * order of the file's measures; empty when no condition is followed. */
GPtrArray  *cab_followup_plan              (CabFollowupRules    *rules,
                                            const char * const  *codes);

/* Converts @value in @unit (text or UCUM code as the server sent it) to
 * the measure's unit (docs/domain.md, "Units"), rounded to two decimals
 * when it changed (it is judged as shown). FALSE when the unit is
 * missing or not one the measure knows: the result's date still counts
 * for the schedule, but its value is neither shown converted nor judged. */
gboolean    cab_followup_convert           (const CabFollowupMeasure *measure,
                                            double                    value,
                                            const char               *unit,
                                            double                   *converted);

/* TRUE when @value (and @diastolic for blood pressure, else NAN) breaks a
 * bound of @rule's target; FALSE when it has none or a value is NAN. */
gboolean    cab_followup_out_of_target     (const CabFollowupRule    *rule,
                                            double                    value,
                                            double                    diastolic);

/* One result of a measure, values already in the measure's unit. */
typedef struct
{
  guint32     day;            /* local calendar day of the result */
  double      value;          /* NAN when unknown (no number, unit not convertible) */
  double      diastolic;      /* blood pressure, else NAN */
  gboolean    unit_known;     /* FALSE: the unit was missing or unknown */
  const char *observation_id; /* borrowed from the caller's rows */
  const char *document_id;    /* the lab report, or NULL */
} CabFollowupReading;

/* Where one (patient, measure) stands on @today. */
typedef struct
{
  const CabFollowupRule *rule;
  CabFollowupState       state;
  guint32                last_day;      /* 0 when never */
  guint32                due_day;       /* last + interval; 0 when never */
  guint32                overdue_day;   /* last + overdue limit; 0 when never */
  double                 last_value;    /* NAN when never or unknown */
  double                 last_diastolic;
  gboolean               unit_known;
  gboolean               out_of_target; /* the last result breaks the target, whatever the state */
  const char            *observation_id;
} CabFollowupAssessment;

/* @readings sorted by day (any order within a day), @n_readings of them;
 * readings after @today are ignored (they did not exist then). */
void        cab_followup_assess            (const CabFollowupRule     *rule,
                                            const CabFollowupReading  *readings,
                                            guint                      n_readings,
                                            guint32                    today,
                                            CabFollowupAssessment     *out);

/* The state alone, from the last result's day (0: never). */
CabFollowupState cab_followup_state_on     (const CabFollowupRule *rule,
                                            guint32                last_day,
                                            guint32                today);

/* The value as written for people: "135/85", "7.2", "2" (a grade); in
 * French with a decimal comma when @french. NULL for NAN. */
char       *cab_followup_format_value      (const CabFollowupMeasure *measure,
                                            double                    value,
                                            double                    diastolic,
                                            gboolean                  french);

G_END_DECLS
