/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-followup-engine"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cab-followup-engine.h"
#include "cab-followup-queries.h"
#include "cab-followup-record.h"
#include "cab-followup-rules.h"

/* The follow-up engine against the shipped rules (docs/domain.md,
 * "Follow-up rules"): every expected value below is worked out by hand
 * from the rule table, not read back from the engine. */

static CabFollowupRules *rules;

static guint32
day (const char *text)
{
  guint32 d = cab_followup_parse_day (text, NULL);

  g_assert_cmpuint (d, !=, 0);
  return d;
}

static const CabFollowupRule *
rule_for (const char *condition,
          const char *measure)
{
  for (guint i = 0; i < cab_followup_rules_get_n_rules (rules); i++)
    {
      const CabFollowupRule *r = cab_followup_rules_get_rule (rules, i);

      if (g_str_equal (r->condition, condition) && g_str_equal (r->measure->id, measure))
        return r;
    }
  g_assert_not_reached ();
}

static void
test_builtin_rules (void)
{
  const CabFollowupMeasure *bp = cab_followup_rules_lookup_measure (rules, "bp");

  g_assert_cmpuint (cab_followup_rules_get_n_conditions (rules), ==, 3);
  g_assert_cmpuint (cab_followup_rules_get_n_rules (rules), ==, 10);
  g_assert_nonnull (bp);
  g_assert_cmpint (bp->kind, ==, CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE);
  g_assert_true (cab_followup_rules_measure_for_code (rules, "8462-4") == bp);
  g_assert_true (cab_followup_rules_measure_for_code (rules, "62238-1") ==
                 cab_followup_rules_lookup_measure (rules, "egfr"));
  g_assert_null (cab_followup_rules_measure_for_code (rules, "14682-9"));
  g_assert_nonnull (cab_followup_rules_condition_for_code (rules, "E11.9"));
  g_assert_null (cab_followup_rules_condition_for_code (rules, "E10.9"));
  g_assert_true (g_strv_contains (cab_followup_rules_get_codes (rules), "8480-6"));
  g_assert_true (g_strv_contains (cab_followup_rules_get_prefixes (rules), "N18"));
}

static void
test_add_months (void)
{
  static const struct { const char *from; guint months; const char *to; } cases[] = {
    { "2025-08-31", 6, "2026-02-28" },   /* the month's last day */
    { "2027-08-31", 6, "2028-02-29" },   /* leap year */
    { "2026-01-31", 1, "2026-02-28" },
    { "2026-03-15", 3, "2026-06-15" },
    { "2026-12-31", 3, "2027-03-31" },
    { "2026-11-30", 3, "2027-02-28" },
    { "2024-02-29", 12, "2025-02-28" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = cab_followup_format_day (cab_followup_add_months (day (cases[i].from),
                                                                               cases[i].months));

      g_assert_cmpstr (got, ==, cases[i].to);
    }
}

static void
test_state_boundaries (void)
{
  static const struct {
    const char *condition, *measure, *last, *today;
    CabFollowupState state;
  } cases[] = {
    /* HbA1c for diabetes: every 3 months, overdue after 6. */
    { "E11", "hba1c", "2026-01-15", "2026-01-15", CAB_FOLLOWUP_STATE_OK },
    { "E11", "hba1c", "2026-01-15", "2026-04-14", CAB_FOLLOWUP_STATE_OK },
    { "E11", "hba1c", "2026-01-15", "2026-04-15", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "hba1c", "2026-01-15", "2026-07-14", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "hba1c", "2026-01-15", "2026-07-15", CAB_FOLLOWUP_STATE_OVERDUE },
    { "E11", "hba1c", NULL,         "2026-07-15", CAB_FOLLOWUP_STATE_NEVER },
    /* 31 August: due on 30 November, overdue on 28 February. */
    { "E11", "hba1c", "2025-08-31", "2025-11-29", CAB_FOLLOWUP_STATE_OK },
    { "E11", "hba1c", "2025-08-31", "2025-11-30", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "hba1c", "2025-08-31", "2026-02-27", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "hba1c", "2025-08-31", "2026-02-28", CAB_FOLLOWUP_STATE_OVERDUE },
    /* Blood pressure for hypertension: 6 and 9 months. */
    { "I10", "bp", "2026-01-10", "2026-07-09", CAB_FOLLOWUP_STATE_OK },
    { "I10", "bp", "2026-01-10", "2026-07-10", CAB_FOLLOWUP_STATE_DUE },
    { "I10", "bp", "2026-01-10", "2026-10-09", CAB_FOLLOWUP_STATE_DUE },
    { "I10", "bp", "2026-01-10", "2026-10-10", CAB_FOLLOWUP_STATE_OVERDUE },
    /* eGFR for kidney disease: 6 and 9; for diabetes 12 and 15. */
    { "N18", "egfr", "2025-03-01", "2025-09-01", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "egfr", "2025-03-01", "2025-09-01", CAB_FOLLOWUP_STATE_OK },
    { "E11", "egfr", "2025-03-01", "2026-03-01", CAB_FOLLOWUP_STATE_DUE },
    { "E11", "egfr", "2025-03-01", "2026-06-01", CAB_FOLLOWUP_STATE_OVERDUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CabFollowupRule *rule = rule_for (cases[i].condition, cases[i].measure);
      guint32 last = cases[i].last != NULL ? day (cases[i].last) : 0;

      g_test_message ("case %u: %s %s last %s on %s", i, cases[i].condition, cases[i].measure,
                      cases[i].last, cases[i].today);
      g_assert_cmpint (cab_followup_state_on (rule, last, day (cases[i].today)), ==, cases[i].state);
    }
}

static const CabFollowupRule *
planned (GPtrArray  *plan,
         const char *measure)
{
  for (guint i = 0; i < plan->len; i++)
    {
      const CabFollowupRule *r = g_ptr_array_index (plan, i);

      if (g_str_equal (r->measure->id, measure))
        return r;
    }
  return NULL;
}

static void
test_plan (void)
{
  const char *both[] = { "E11.9", "I10", NULL };
  const char *htn_ckd[] = { "I10", "N18.3", NULL };
  const char *ckd[] = { "N18.4", NULL };
  const char *other[] = { "J45.9", NULL };
  g_autoptr(GPtrArray) plan = NULL;

  /* Diabetes and hypertension: the diabetes rule (3 months) wins for
   * blood pressure; eGFR ties (12/15) and the first rule in the file stays. */
  plan = cab_followup_plan (rules, both);
  g_assert_cmpuint (plan->len, ==, 6);
  g_assert_cmpuint (planned (plan, "bp")->every_months, ==, 3);
  g_assert_cmpstr (planned (plan, "bp")->condition, ==, "E11");
  g_assert_cmpstr (planned (plan, "egfr")->condition, ==, "E11");
  g_assert_null (planned (plan, "foot"));
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* Hypertension and kidney disease: eGFR every 6 months (N18), no target. */
  plan = cab_followup_plan (rules, htn_ckd);
  g_assert_cmpuint (plan->len, ==, 3);
  g_assert_cmpuint (planned (plan, "egfr")->every_months, ==, 6);
  g_assert_cmpuint (planned (plan, "egfr")->n_bounds, ==, 0);
  g_assert_cmpuint (planned (plan, "bp")->every_months, ==, 6);
  g_assert_nonnull (planned (plan, "uacr"));
  g_clear_pointer (&plan, g_ptr_array_unref);

  plan = cab_followup_plan (rules, ckd);
  g_assert_cmpuint (plan->len, ==, 2);
  g_clear_pointer (&plan, g_ptr_array_unref);

  plan = cab_followup_plan (rules, other);
  g_assert_cmpuint (plan->len, ==, 0);
}

static void
test_condition_counts (void)
{
  static const struct { const char *clinical, *verification; gboolean counts; } cases[] = {
    { "active", "confirmed", TRUE },
    { "recurrence", NULL, TRUE },
    { NULL, NULL, TRUE },
    { "resolved", "confirmed", FALSE },
    { "inactive", NULL, FALSE },
    { "remission", "confirmed", FALSE },
    { "active", "entered-in-error", FALSE },
    { NULL, "entered-in-error", FALSE },
    { "active", "refuted", FALSE },
    { "active", "provisional", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (cab_followup_condition_counts (cases[i].clinical, cases[i].verification), ==,
                     cases[i].counts);
}

static void
test_conversions (void)
{
  static const struct { const char *measure; double value; const char *unit; gboolean ok; double expect; } cases[] = {
    { "hba1c", 7.2, "%", TRUE, 7.2 },
    { "hba1c", 53, "mmol/mol", TRUE, 7.0 },           /* 0.09148 × 53 + 2.152 = 7.0004 */
    { "hba1c", 64, "mmol/mol", TRUE, 8.01 },          /* 8.00672, to two decimals */
    { "hba1c", 7.2, NULL, FALSE, NAN },                /* missing unit */
    { "hba1c", 7.2, "", FALSE, NAN },
    { "ldl", 1.3, "g/L", TRUE, 1.3 },
    { "ldl", 2.6, "mmol/L", TRUE, 1.01 },             /* 2.6 × 0.3867 = 1.00542 */
    { "ldl", 130, "mg/dL", TRUE, 1.3 },
    { "ldl", 2.6, "mmol/mol", FALSE, NAN },            /* a unit LDL is never in */
    { "egfr", 45, "mL/min/{1.73_m2}", TRUE, 45 },
    { "egfr", 45, "mL/min/1,73 m²", TRUE, 45 },
    { "egfr", 45, "mL/min/1.73m2", TRUE, 45 },
    { "uacr", 3, "mg/mmol", TRUE, 26.52 },            /* 3 × 8.84 */
    { "uacr", 25, "mg/g", TRUE, 25 },
    { "weight", 72500, "g", TRUE, 72.5 },
    { "weight", 72.5, "furlongs", FALSE, NAN },
    { "bp", 135, "mm[Hg]", TRUE, 135 },
    { "bp", 135, "mmHg", TRUE, 135 },
    { "foot", 2, NULL, TRUE, 2 },                      /* a grade has no unit */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CabFollowupMeasure *m = cab_followup_rules_lookup_measure (rules, cases[i].measure);
      double out = 0;

      g_test_message ("case %u: %s %g %s", i, cases[i].measure, cases[i].value, cases[i].unit);
      g_assert_cmpint (cab_followup_convert (m, cases[i].value, cases[i].unit, &out), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmpfloat_with_epsilon (out, cases[i].expect, 1e-6);
      else
        g_assert_true (isnan (out));
    }
}

static void
test_targets (void)
{
  static const struct { const char *condition, *measure; double v, d; gboolean out; } cases[] = {
    { "E11", "hba1c", 7.0, NAN, FALSE },   /* ≤ 7 % */
    { "E11", "hba1c", 7.1, NAN, TRUE },
    { "E11", "bp", 139, 89, FALSE },       /* < 140/90 */
    { "E11", "bp", 140, 80, TRUE },
    { "E11", "bp", 130, 90, TRUE },
    { "E11", "egfr", 60, NAN, FALSE },     /* ≥ 60 */
    { "E11", "egfr", 59, NAN, TRUE },
    { "E11", "ldl", 0.99, NAN, FALSE },    /* < 1.0 g/L */
    { "E11", "ldl", 1.0, NAN, TRUE },
    { "E11", "uacr", 30, NAN, TRUE },      /* < 30 mg/g */
    { "E11", "weight", 150, NAN, FALSE },  /* no target */
    { "N18", "egfr", 20, NAN, FALSE },     /* no target */
    { "E11", "hba1c", NAN, NAN, FALSE },   /* unknown value: not judged */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (cab_followup_out_of_target (rule_for (cases[i].condition, cases[i].measure),
                                                 cases[i].v, cases[i].d), ==, cases[i].out);
}

static void
test_assess (void)
{
  const CabFollowupRule *hba1c = rule_for ("E11", "hba1c");
  CabFollowupReading readings[] = {
    { day ("2025-10-01"), 8.1, NAN, TRUE, "obs-1", NULL },
    /* The last one's unit was missing: its date counts, its value is not judged. */
    { day ("2026-02-01"), NAN, NAN, FALSE, "obs-2", NULL },
    /* After the day asked about: ignored. */
    { day ("2026-06-01"), 6.5, NAN, TRUE, "obs-3", NULL },
  };
  CabFollowupAssessment a;
  g_autofree char *due = NULL;

  cab_followup_assess (hba1c, readings, G_N_ELEMENTS (readings), day ("2026-05-01"), &a);
  g_assert_cmpint (a.state, ==, CAB_FOLLOWUP_STATE_DUE);
  g_assert_cmpstr (a.observation_id, ==, "obs-2");
  g_assert_false (a.out_of_target);
  g_assert_false (a.unit_known);
  g_assert_true (isnan (a.last_value));
  due = cab_followup_format_day (a.due_day);
  g_assert_cmpstr (due, ==, "2026-05-01");

  /* On 2025-12-01 only the first counts: out of target (8.1 > 7) though ok. */
  cab_followup_assess (hba1c, readings, G_N_ELEMENTS (readings), day ("2025-12-01"), &a);
  g_assert_cmpint (a.state, ==, CAB_FOLLOWUP_STATE_OK);
  g_assert_true (a.out_of_target);
  g_assert_cmpfloat (a.last_value, ==, 8.1);

  cab_followup_assess (hba1c, readings, 0, day ("2025-12-01"), &a);
  g_assert_cmpint (a.state, ==, CAB_FOLLOWUP_STATE_NEVER);
  g_assert_cmpuint (a.due_day, ==, 0);
}

static void
test_states_text (void)
{
  for (int s = CAB_FOLLOWUP_STATE_OK; s <= CAB_FOLLOWUP_STATE_OVERDUE; s++)
    g_assert_cmpint (cab_followup_state_from_string (cab_followup_state_to_string (s)), ==, s);
  g_assert_cmpint (cab_followup_state_from_string ("late"), ==, -1);
  g_assert_cmpint (cab_followup_state_from_string (NULL), ==, -1);
}

static void
test_format_value (void)
{
  const CabFollowupMeasure *hba1c = cab_followup_rules_lookup_measure (rules, "hba1c");
  const CabFollowupMeasure *bp = cab_followup_rules_lookup_measure (rules, "bp");
  const CabFollowupMeasure *weight = cab_followup_rules_lookup_measure (rules, "weight");
  g_autofree char *a = cab_followup_format_value (hba1c, 7.00044, NAN, FALSE);
  g_autofree char *b = cab_followup_format_value (bp, 135, 85, FALSE);
  g_autofree char *c = cab_followup_format_value (weight, 72.5, NAN, TRUE);
  g_autofree char *d = cab_followup_format_value (hba1c, NAN, NAN, FALSE);
  g_autofree char *e = cab_followup_format_value (weight, 1e300, NAN, FALSE);

  g_assert_cmpstr (a, ==, "7");
  g_assert_cmpstr (b, ==, "135/85");
  g_assert_cmpstr (c, ==, "72,5");
  g_assert_null (d);
  /* A server's absurd value stays short. */
  g_assert_cmpstr (e, ==, "1e+300");
}

static void
test_parse_value (void)
{
  static const struct { const char *measure, *text; gboolean ok; double v, d; } cases[] = {
    { "bp", "135/85", TRUE, 135, 85 },
    { "bp", " 135 / 85 ", TRUE, 135, 85 },
    { "bp", "85/135", FALSE, 0, 0 },
    { "bp", "135", FALSE, 0, 0 },
    { "bp", "135/85/70", FALSE, 0, 0 },
    { "bp", "900/85", FALSE, 0, 0 },
    { "weight", "72,5", TRUE, 72.5, NAN },
    { "weight", "72.5kg", FALSE, 0, 0 },
    { "weight", "-3", FALSE, 0, 0 },
    { "weight", "", FALSE, 0, 0 },
    { "foot", "2", TRUE, 2, NAN },
    { "foot", "4", FALSE, 0, 0 },
    { "foot", "1.5", FALSE, 0, 0 },
    { "weight", "72.500000000000000000", FALSE, 0, 0 },   /* longer than a value is */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CabFollowupMeasure *m = cab_followup_rules_lookup_measure (rules, cases[i].measure);
      g_autoptr(GError) error = NULL;
      double v, d;
      gboolean ok = cab_followup_parse_value (m, cases[i].text, &v, &d, &error);

      g_test_message ("case %u: %s “%s”", i, cases[i].measure, cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_VALUE);
          continue;
        }
      g_assert_cmpfloat (v, ==, cases[i].v);
      if (isnan (cases[i].d))
        g_assert_true (isnan (d));
      else
        g_assert_cmpfloat (d, ==, cases[i].d);
    }
}

static void
test_observation (void)
{
  const CabFollowupMeasure *bp = cab_followup_rules_lookup_measure (rules, "bp");
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *components;

  o = cab_followup_build_observation (bp, "pat-1", 135, 85, "2026-03-02", "Practitioner/p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "final");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "subject"),
                                                  "reference"), ==, "Patient/pat-1");
  components = json_object_get_array_member (o, "component");
  g_assert_cmpuint (json_array_get_length (components), ==, 2);
  g_clear_pointer (&o, json_object_unref);

  o = cab_followup_build_observation (bp, "pat-1", 135, 85, "2999-01-01", NULL, &error);
  g_assert_null (o);
  g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_DATE);
  g_clear_error (&error);
  o = cab_followup_build_observation (bp, "../x", 135, 85, NULL, NULL, &error);
  g_assert_null (o);
  g_assert_error (error, CAB_FOLLOWUP_ERROR, CAB_FOLLOWUP_ERROR_NO_PATIENT);
}

/* ---------------------------------------------------------------- files */

static void
expect_refused (const char *json,
                int         code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFollowupRules) r = cab_followup_rules_new_from_bytes (bytes, &error);

  g_assert_null (r);
  g_assert_error (error, CAB_FOLLOWUP_RULES_ERROR, code);
  g_test_message ("refused: %s", error->message);
}

#define MEASURE "{\"id\":\"m\",\"name\":{\"en\":\"M\"},\"kind\":\"quantity\",\"unit\":\"kg\"," \
                "\"codes\":[\"1-1\"],\"range\":[0,10]}"
#define CONDITION "{\"prefix\":\"E11\",\"name\":{\"en\":\"D\"}}"

static void
test_rules_refused (void)
{
  g_autoptr(GString) huge = g_string_new ("{\"version\":1,\"x\":\"");
  g_autoptr(GString) codes = g_string_new (NULL);
  g_autofree char *many_codes = NULL;

  expect_refused ("{", CAB_FOLLOWUP_RULES_ERROR_PARSE);
  expect_refused ("[]", CAB_FOLLOWUP_RULES_ERROR_PARSE);
  expect_refused ("{\"version\":2,\"conditions\":[],\"measures\":[],\"rules\":[]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  /* An escaped NUL would cut the id json-glib keeps. */
  expect_refused ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[{\"id\":\"m\\u0000x\"}],\"rules\":[]}",
                  CAB_FOLLOWUP_RULES_ERROR_PARSE);
  /* A rule naming a measure that is not there. */
  expect_refused ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[" MEASURE "],"
                  "\"rules\":[{\"condition\":\"E11\",\"measure\":\"x\",\"every_months\":3,\"overdue_months\":6}]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  /* Overdue before due. */
  expect_refused ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[" MEASURE "],"
                  "\"rules\":[{\"condition\":\"E11\",\"measure\":\"m\",\"every_months\":6,\"overdue_months\":3}]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  /* Months beyond the cap, or not whole. */
  expect_refused ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[" MEASURE "],"
                  "\"rules\":[{\"condition\":\"E11\",\"measure\":\"m\",\"every_months\":3,\"overdue_months\":999}]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  expect_refused ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[" MEASURE "],"
                  "\"rules\":[{\"condition\":\"E11\",\"measure\":\"m\",\"every_months\":2.5,\"overdue_months\":6}]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  /* A prefix with SQL's wildcard. */
  expect_refused ("{\"version\":1,\"conditions\":[{\"prefix\":\"E%\",\"name\":{\"en\":\"D\"}}],"
                  "\"measures\":[" MEASURE "],"
                  "\"rules\":[{\"condition\":\"E%\",\"measure\":\"m\",\"every_months\":3,\"overdue_months\":6}]}",
                  CAB_FOLLOWUP_RULES_ERROR_INVALID);
  /* Too many codes for one measure. */
  for (guint i = 0; i < CAB_FOLLOWUP_RULES_MAX_CODES + 1; i++)
    g_string_append_printf (codes, "%s\"%u-1\"", i > 0 ? "," : "", i);
  many_codes = g_strdup_printf ("{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[{\"id\":\"m\","
                                "\"name\":{\"en\":\"M\"},\"kind\":\"quantity\",\"unit\":\"kg\",\"codes\":[%s],"
                                "\"range\":[0,1]}],\"rules\":[{\"condition\":\"E11\",\"measure\":\"m\","
                                "\"every_months\":3,\"overdue_months\":6}]}", codes->str);
  expect_refused (many_codes, CAB_FOLLOWUP_RULES_ERROR_TOO_LARGE);
  /* Larger than the cap. */
  while (huge->len <= CAB_FOLLOWUP_RULES_MAX_BYTES)
    g_string_append (huge, "xxxxxxxxxxxxxxxx");
  g_string_append (huge, "\"}");
  expect_refused (huge->str, CAB_FOLLOWUP_RULES_ERROR_TOO_LARGE);
}

static void
test_rules_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-followup-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "rules.json", NULL);
  g_autoptr(CabFollowupRules) r = NULL;
  const char *json = "{\"version\":1,\"conditions\":[" CONDITION "],\"measures\":[" MEASURE "],"
                     "\"rules\":[{\"condition\":\"E11\",\"measure\":\"m\",\"every_months\":1,\"overdue_months\":2}]}";

  g_assert_no_error (error);
  r = cab_followup_rules_new_from_file (path, &error);
  g_assert_null (r);
  g_assert_error (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_READ);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, json, -1, &error));
  r = cab_followup_rules_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cab_followup_rules_get_rule (r, 0)->every_months, ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  rules = cab_followup_rules_new_builtin ();

  g_test_add_func ("/followup/rules/builtin", test_builtin_rules);
  g_test_add_func ("/followup/rules/refused", test_rules_refused);
  g_test_add_func ("/followup/rules/file", test_rules_file);
  g_test_add_func ("/followup/engine/add-months", test_add_months);
  g_test_add_func ("/followup/engine/state-boundaries", test_state_boundaries);
  g_test_add_func ("/followup/engine/plan", test_plan);
  g_test_add_func ("/followup/engine/condition-counts", test_condition_counts);
  g_test_add_func ("/followup/engine/conversions", test_conversions);
  g_test_add_func ("/followup/engine/targets", test_targets);
  g_test_add_func ("/followup/engine/assess", test_assess);
  g_test_add_func ("/followup/engine/states-text", test_states_text);
  g_test_add_func ("/followup/engine/format-value", test_format_value);
  g_test_add_func ("/followup/record/parse-value", test_parse_value);
  g_test_add_func ("/followup/record/observation", test_observation);

  status = g_test_run ();
  g_object_unref (rules);
  return status;
}
