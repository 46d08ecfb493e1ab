/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The follow-up rules, as data (docs/domain.md, "Follow-up rules"): which
 * measures a chronic condition calls for, how often, when they become
 * overdue, and their targets. Cabinet ships data/followup-rules.json (built
 * into the library); a practice may put its own copy at
 * $XDG_CONFIG_HOME/cabinet/followup-rules.json, or cabinetctl may be given
 * one with --rules. The file is checked whole when it is loaded (see the
 * caps below): a bad file is refused with a message naming the member at
 * fault, never half used.
 *
 * CabFollowupRules is immutable once loaded: share it between threads
 * freely (queries hold a reference while they run). Every pointer a getter
 * returns lives as long as the rules object.
 */

#define CAB_FOLLOWUP_RULES_ERROR (cab_followup_rules_error_quark ())

typedef enum
{
  CAB_FOLLOWUP_RULES_ERROR_READ,      /* the file cannot be read */
  CAB_FOLLOWUP_RULES_ERROR_PARSE,     /* not JSON */
  CAB_FOLLOWUP_RULES_ERROR_INVALID,   /* JSON, but not a rules file: the message names the member */
  CAB_FOLLOWUP_RULES_ERROR_TOO_LARGE, /* beyond one of the caps below */
} CabFollowupRulesError;

GQuark cab_followup_rules_error_quark (void);

/* Caps on a rules file (docs/architecture.md, "Rules for hostile input"). */
#define CAB_FOLLOWUP_RULES_MAX_BYTES        (256 * 1024)
#define CAB_FOLLOWUP_RULES_MAX_MEASURES     32
#define CAB_FOLLOWUP_RULES_MAX_RULES        128
#define CAB_FOLLOWUP_RULES_MAX_CONDITIONS   32
#define CAB_FOLLOWUP_RULES_MAX_CODES        8     /* LOINC codes per measure */
#define CAB_FOLLOWUP_RULES_MAX_BOUNDS       4     /* bounds per target */
#define CAB_FOLLOWUP_RULES_MAX_MONTHS       120
#define CAB_FOLLOWUP_RULES_MAX_TEXT         200   /* bytes of a name */

/* How a measure's value reads. */
typedef enum
{
  CAB_FOLLOWUP_VALUE_QUANTITY,        /* one number with a unit (HbA1c, weight, eGFR...) */
  CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE,  /* a panel: systolic and diastolic components */
  CAB_FOLLOWUP_VALUE_GRADE,           /* a coded grade with no unit (foot examination: 0-3) */
} CabFollowupValueKind;

typedef enum
{
  CAB_FOLLOWUP_BOUND_BELOW,           /* value <  limit */
  CAB_FOLLOWUP_BOUND_AT_MOST,         /* value <= limit */
  CAB_FOLLOWUP_BOUND_AT_LEAST,        /* value >= limit */
  CAB_FOLLOWUP_BOUND_ABOVE,           /* value >  limit */
} CabFollowupBoundOp;

/* One limit of a target, in the measure's unit. */
typedef struct
{
  CabFollowupBoundOp  op;
  double              limit;
  gboolean            diastolic;      /* blood pressure: applies to the diastolic value, else the systolic */
} CabFollowupBound;

typedef struct
{
  const char           *id;           /* "hba1c", "bp", "weight", "egfr", "uacr", "ldl", "foot" */
  const char           *name_en;      /* "Blood pressure" */
  const char           *name_fr;      /* "Pression artérielle" */
  const char           *unit;         /* the unit values are shown and judged in: "%", "mmHg", "kg",
                                       * "mL/min/1.73m2", "mg/g", "g/L"; "" for a grade */
  CabFollowupValueKind  kind;
  const char * const   *codes;        /* LOINC (or local) codes that count, NULL-terminated; the first
                                       * is the one recorded. Blood pressure: the panel. */
  const char           *systolic_code;  /* blood pressure components, else NULL */
  const char           *diastolic_code;
  const char           *code_system;  /* system of codes[0] when recording ("http://loinc.org") */
  double                min_value;    /* plausible range for typed values (recording) */
  double                max_value;
} CabFollowupMeasure;

typedef struct
{
  const char               *condition;      /* ICD-10 prefix: "E11" matches "E11", "E11.9", "E119" */
  const CabFollowupMeasure *measure;
  guint                     every_months;   /* due this long after the last result */
  guint                     overdue_months; /* overdue this long after it (>= every_months) */
  const CabFollowupBound   *bounds;         /* the target: every bound must hold; NULL when none */
  guint                     n_bounds;
} CabFollowupRule;

typedef struct
{
  const char *prefix;                       /* "E11" */
  const char *name_en;                      /* "Type 2 diabetes" */
  const char *name_fr;                      /* "Diabète de type 2" */
} CabFollowupCondition;

#define CAB_TYPE_FOLLOWUP_RULES (cab_followup_rules_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupRules, cab_followup_rules, CAB, FOLLOWUP_RULES, GObject)

/* The practice's file when there is one, else the shipped rules. Reads a
 * small file: call it off the main thread (or at start-up, before the window). */
CabFollowupRules           *cab_followup_rules_new_default      (GError           **error);
/* The rules shipped with Cabinet (data/followup-rules.json, built in). */
CabFollowupRules           *cab_followup_rules_new_builtin      (void);
CabFollowupRules           *cab_followup_rules_new_from_file    (const char        *path,
                                                                 GError           **error);
CabFollowupRules           *cab_followup_rules_new_from_bytes   (GBytes            *bytes,
                                                                 GError           **error);
/* Where a practice's own file goes: $XDG_CONFIG_HOME/cabinet/followup-rules.json. */
char                       *cab_followup_rules_practice_path    (void);

guint                       cab_followup_rules_get_n_measures   (CabFollowupRules  *self);
const CabFollowupMeasure   *cab_followup_rules_get_measure      (CabFollowupRules  *self,
                                                                 guint              index);
/* By id ("bp"), NULL when unknown. */
const CabFollowupMeasure   *cab_followup_rules_lookup_measure   (CabFollowupRules  *self,
                                                                 const char        *id);
/* The measure a stored Observation code belongs to (a panel's components
 * included), NULL when none. */
const CabFollowupMeasure   *cab_followup_rules_measure_for_code (CabFollowupRules  *self,
                                                                 const char        *code);

guint                       cab_followup_rules_get_n_rules      (CabFollowupRules  *self);
const CabFollowupRule      *cab_followup_rules_get_rule         (CabFollowupRules  *self,
                                                                 guint              index);

guint                       cab_followup_rules_get_n_conditions (CabFollowupRules  *self);
const CabFollowupCondition *cab_followup_rules_get_condition    (CabFollowupRules  *self,
                                                                 guint              index);
/* The condition whose prefix @code starts with, NULL when none. */
const CabFollowupCondition *cab_followup_rules_condition_for_code (CabFollowupRules *self,
                                                                   const char      *code);

/* Every condition prefix, and every code the measures read (panel
 * components included): NULL-terminated, owned by the rules. */
const char * const         *cab_followup_rules_get_prefixes     (CabFollowupRules  *self);
const char * const         *cab_followup_rules_get_codes        (CabFollowupRules  *self);

/* The measure's or condition's name in the user's language (French when
 * the first of g_get_language_names() is French, else English). */
const char                 *cab_followup_measure_get_name       (const CabFollowupMeasure   *measure);
const char                 *cab_followup_condition_get_name     (const CabFollowupCondition *condition);

G_END_DECLS
