/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cab-date-format.h"
#include "cab-followup-engine.h"

/* The rules and conversions below are explained in docs/domain.md,
 * "Follow-up rules". */

static const char * const state_names[] = {
  [CAB_FOLLOWUP_STATE_OK] = "ok",
  [CAB_FOLLOWUP_STATE_DUE] = "due",
  [CAB_FOLLOWUP_STATE_NEVER] = "never",
  [CAB_FOLLOWUP_STATE_OVERDUE] = "overdue",
};

const char *
cab_followup_state_to_string (CabFollowupState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

int
cab_followup_state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (state_names[i], text))
      return (int) i;
  return -1;
}

const char *
cab_followup_state_get_label (CabFollowupState state)
{
  switch (state)
    {
    case CAB_FOLLOWUP_STATE_OK:
      return C_("follow-up state", "Up to date");
    case CAB_FOLLOWUP_STATE_DUE:
      return C_("follow-up state", "Due");
    case CAB_FOLLOWUP_STATE_NEVER:
      return C_("follow-up state", "Never measured");
    case CAB_FOLLOWUP_STATE_OVERDUE:
      return C_("follow-up state", "Overdue");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
cab_followup_condition_counts (const char *clinical_status,
                               const char *verification_status)
{
  static const char * const ended[] = { "inactive", "remission", "resolved" };
  static const char * const void_[] = { "refuted", "entered-in-error" };

  for (guint i = 0; clinical_status != NULL && i < G_N_ELEMENTS (ended); i++)
    if (g_str_equal (clinical_status, ended[i]))
      return FALSE;
  for (guint i = 0; verification_status != NULL && i < G_N_ELEMENTS (void_); i++)
    if (g_str_equal (verification_status, void_[i]))
      return FALSE;
  return TRUE;
}

/* ----------------------------------------------------------------- days */

guint32
cab_followup_add_months (guint32 day,
                         guint   months)
{
  GDate date;

  if (day == 0 || !g_date_valid_julian (day))
    return 0;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  /* g_date_add_months() keeps the day, clamped to the month's last day. */
  if ((guint) g_date_get_year (&date) + months / 12 + 1 >= G_MAXUINT16)
    return 0;
  g_date_add_months (&date, months);
  return g_date_get_julian (&date);
}

guint32
cab_followup_parse_day (const char *text,
                        GTimeZone  *tz)
{
  CabDay day;
  GDate date;

  if (text == NULL || !cab_date_parse_day (text, tz, &day))
    return 0;
  /* A partial date counts from its first day: never more recent than it was. */
  if (day.month == 0)
    day.month = 1;
  if (day.day == 0)
    day.day = 1;
  if (!g_date_valid_dmy (day.day, day.month, day.year))
    return 0;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day.day, day.month, day.year);
  return g_date_get_julian (&date);
}

char *
cab_followup_format_day (guint32 day)
{
  GDate date;

  if (day == 0 || !g_date_valid_julian (day))
    return NULL;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date),
                          g_date_get_month (&date), g_date_get_day (&date));
}

/* ----------------------------------------------------------------- plan */

static gboolean
has_prefix_ci (const char *code,
               const char *prefix)
{
  return g_ascii_strncasecmp (code, prefix, strlen (prefix)) == 0;
}

/* TRUE when @a decides a measure over @b. */
static gboolean
rule_wins (const CabFollowupRule *a,
           const CabFollowupRule *b)
{
  if (a->every_months != b->every_months)
    return a->every_months < b->every_months;
  if (a->overdue_months != b->overdue_months)
    return a->overdue_months < b->overdue_months;
  if ((a->n_bounds > 0) != (b->n_bounds > 0))
    return a->n_bounds > 0;
  return FALSE;   /* the earlier in the file stays */
}

GPtrArray *
cab_followup_plan (CabFollowupRules   *rules,
                   const char * const *codes)
{
  GPtrArray *plan = g_ptr_array_new ();
  guint n_measures = cab_followup_rules_get_n_measures (rules);
  guint n_rules = cab_followup_rules_get_n_rules (rules);

  for (guint m = 0; m < n_measures; m++)
    {
      const CabFollowupMeasure *measure = cab_followup_rules_get_measure (rules, m);
      const CabFollowupRule *best = NULL;

      for (guint r = 0; r < n_rules; r++)
        {
          const CabFollowupRule *rule = cab_followup_rules_get_rule (rules, r);
          gboolean applies = FALSE;

          if (rule->measure != measure)
            continue;
          for (guint c = 0; codes != NULL && codes[c] != NULL && !applies; c++)
            applies = has_prefix_ci (codes[c], rule->condition);
          if (applies && (best == NULL || rule_wins (rule, best)))
            best = rule;
        }
      if (best != NULL)
        g_ptr_array_add (plan, (gpointer) best);
    }
  return plan;
}

/* ---------------------------------------------------------------- units */

/* "mL/min/{1.73_m2}", "mL/min/1,73 m²" -> "ml/min/1.73m2": case, spaces,
 * UCUM's braces and underscores, the decimal comma and '²' do not matter. */
static char *
normalise_unit (const char *unit)
{
  GString *s = g_string_new (NULL);

  for (const char *p = unit; *p != '\0'; p++)
    {
      if (g_str_has_prefix (p, "\xc2\xb2"))   /* ² */
        {
          g_string_append_c (s, '2');
          p++;
          continue;
        }
      if (*p == ' ' || *p == '{' || *p == '}' || *p == '_')
        continue;
      g_string_append_c (s, *p == ',' ? '.' : g_ascii_tolower (*p));
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  const char *measure_unit;   /* the measure's unit, normalised */
  const char *from;           /* a unit it may arrive in, normalised */
  double      factor;         /* measure = value * factor + offset */
  double      offset;
} Conversion;

/* docs/domain.md, "Units": each line is written there with its source. */
static const Conversion conversions[] = {
  { "%",             "%",             1,          0 },
  { "%",             "mmol/mol",      0.09148,    2.152 },    /* HbA1c: IFCC-NGSP master equation */
  { "mmhg",          "mmhg",          1,          0 },
  { "mmhg",          "mm[hg]",        1,          0 },
  { "kg",            "kg",            1,          0 },
  { "kg",            "g",             0.001,      0 },
  { "kg",            "[lb_av]",       0.45359237, 0 },
  { "kg",            "lb",            0.45359237, 0 },
  { "ml/min/1.73m2", "ml/min/1.73m2", 1,          0 },
  { "ml/min/1.73m2", "ml/min",        1,          0 },        /* eGFR is always per 1.73 m² */
  { "mg/g",          "mg/g",          1,          0 },
  { "mg/g",          "mg/gcreat",     1,          0 },
  { "mg/g",          "mg/mmol",       8.84,       0 },        /* creatinine 113.12 g/mol */
  { "mg/g",          "mg/mmolcreat",  8.84,       0 },
  { "g/l",           "g/l",           1,          0 },
  { "g/l",           "mmol/l",        0.3867,     0 },        /* LDL cholesterol 386.7 g/mol */
  { "g/l",           "mg/dl",         0.01,       0 },
};

gboolean
cab_followup_convert (const CabFollowupMeasure *measure,
                      double                    value,
                      const char               *unit,
                      double                   *converted)
{
  g_autofree char *to = NULL;
  g_autofree char *from = NULL;

  g_return_val_if_fail (measure != NULL && converted != NULL, FALSE);

  *converted = NAN;
  if (isnan (value))
    return FALSE;
  /* A grade is a bare number: its unit, if any, says nothing more. */
  if (measure->kind == CAB_FOLLOWUP_VALUE_GRADE)
    {
      *converted = value;
      return TRUE;
    }
  if (unit == NULL || *unit == '\0')
    return FALSE;

  to = normalise_unit (measure->unit);
  from = normalise_unit (unit);
  for (guint i = 0; i < G_N_ELEMENTS (conversions); i++)
    if (g_str_equal (conversions[i].measure_unit, to) && g_str_equal (conversions[i].from, from))
      {
        *converted = value * conversions[i].factor + conversions[i].offset;
        /* A converted value is judged as it is shown, to two decimals:
         * 53 mmol/mol is 7.00 %, within a target of 7 %, not 7.0004. */
        if (conversions[i].factor != 1 || conversions[i].offset != 0)
          *converted = round (*converted * 100) / 100;
        return TRUE;
      }
  return FALSE;
}

/* --------------------------------------------------------------- target */

static gboolean
bound_holds (const CabFollowupBound *bound,
             double                  value)
{
  switch (bound->op)
    {
    case CAB_FOLLOWUP_BOUND_BELOW:
      return value < bound->limit;
    case CAB_FOLLOWUP_BOUND_AT_MOST:
      return value <= bound->limit;
    case CAB_FOLLOWUP_BOUND_AT_LEAST:
      return value >= bound->limit;
    case CAB_FOLLOWUP_BOUND_ABOVE:
      return value > bound->limit;
    default:
      return TRUE;
    }
}

gboolean
cab_followup_out_of_target (const CabFollowupRule *rule,
                            double                 value,
                            double                 diastolic)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  for (guint i = 0; i < rule->n_bounds; i++)
    {
      double v = rule->bounds[i].diastolic ? diastolic : value;

      if (isnan (v))
        return FALSE;
    }
  for (guint i = 0; i < rule->n_bounds; i++)
    if (!bound_holds (&rule->bounds[i], rule->bounds[i].diastolic ? diastolic : value))
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------- state */

CabFollowupState
cab_followup_state_on (const CabFollowupRule *rule,
                       guint32                last_day,
                       guint32                today)
{
  guint32 due, overdue;

  g_return_val_if_fail (rule != NULL, CAB_FOLLOWUP_STATE_NEVER);

  if (last_day == 0)
    return CAB_FOLLOWUP_STATE_NEVER;
  due = cab_followup_add_months (last_day, rule->every_months);
  overdue = cab_followup_add_months (last_day, rule->overdue_months);
  /* Both dates belong to the new state: due on the due date. */
  if (overdue != 0 && today >= overdue)
    return CAB_FOLLOWUP_STATE_OVERDUE;
  if (due != 0 && today >= due)
    return CAB_FOLLOWUP_STATE_DUE;
  return CAB_FOLLOWUP_STATE_OK;
}

void
cab_followup_assess (const CabFollowupRule    *rule,
                     const CabFollowupReading *readings,
                     guint                     n_readings,
                     guint32                   today,
                     CabFollowupAssessment    *out)
{
  const CabFollowupReading *last = NULL;

  g_return_if_fail (rule != NULL && out != NULL);

  memset (out, 0, sizeof *out);
  out->rule = rule;
  out->last_value = NAN;
  out->last_diastolic = NAN;

  for (guint i = 0; i < n_readings; i++)
    if (readings[i].day != 0 && readings[i].day <= today &&
        (last == NULL || readings[i].day >= last->day))
      last = &readings[i];

  out->state = cab_followup_state_on (rule, last != NULL ? last->day : 0, today);
  if (last == NULL)
    return;

  out->last_day = last->day;
  out->due_day = cab_followup_add_months (last->day, rule->every_months);
  out->overdue_day = cab_followup_add_months (last->day, rule->overdue_months);
  out->last_value = last->value;
  out->last_diastolic = last->diastolic;
  out->unit_known = last->unit_known;
  out->observation_id = last->observation_id;
  out->out_of_target = last->unit_known &&
                       cab_followup_out_of_target (rule, last->value, last->diastolic);
}

/* ----------------------------------------------------------------- text */

static char *
format_number (double   value,
               gboolean french)
{
  char buf[64];
  char *p;

  /* A server's absurd value is shown short, never cut in the middle. */
  if (!isfinite (value) || fabs (value) >= 1e12)
    return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", value));
  /* Two decimals at most, trailing zeros dropped: 7.2, 1.25, 135. */
  g_ascii_formatd (buf, sizeof buf, "%.2f", round (value * 100) / 100);
  if (strchr (buf, '.') != NULL)
    {
      p = buf + strlen (buf) - 1;
      while (*p == '0')
        *p-- = '\0';
      if (*p == '.')
        *p = '\0';
    }
  if (french && (p = strchr (buf, '.')) != NULL)
    *p = ',';
  if (g_str_equal (buf, "-0"))
    return g_strdup ("0");
  return g_strdup (buf);
}

char *
cab_followup_format_value (const CabFollowupMeasure *measure,
                           double                    value,
                           double                    diastolic,
                           gboolean                  french)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_return_val_if_fail (measure != NULL, NULL);

  if (isnan (value))
    return NULL;
  first = format_number (value, french);
  if (measure->kind != CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE)
    return g_steal_pointer (&first);
  if (isnan (diastolic))
    return g_strconcat (first, "/?", NULL);
  second = format_number (diastolic, french);
  return g_strconcat (first, "/", second, NULL);
}
