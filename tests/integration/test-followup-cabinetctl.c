/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl followup against a real cabinet-sandbox: the worklist agrees
 * with an independent computation made here from the sandbox's own FHIR
 * answers, and a measure recorded offline is sent exactly once. */
#define G_LOG_DOMAIN "test-followup-cabinetctl"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cab-test-sandbox.h"

#define PRACTICE "Organization/org-practice"
#define TODAY "2026-11-01"   /* the sandbox's present (tests/common) */
/* Enough for every state to show, few enough to sync in seconds. */
#define N_PATIENTS "150"

static CabTestSandbox *sandbox;
static char *tmp_dir;
static char *sandbox_dir;

/* ------------------------------------------------------------------ rules */

/* The rule table of the issue and docs/domain.md, written out again here
 * rather than read from the shipped file: the test checks the file too. */
typedef struct
{
  const char *condition;
  const char *measure;
  const char *codes[3];     /* codes that count; for bp the components */
  guint       every;
  guint       overdue;
  const char *op;           /* target on the value (systolic), NULL: none */
  double      limit;
  double      diastolic_below;   /* bp only, else 0 */
} Rule;

static const Rule rules[] = {
  { "E11", "hba1c",  { "4548-4" },             3,  6,  "<=", 7.0, 0 },
  { "E11", "bp",     { "8480-6", "8462-4" },   3,  6,  "<",  140, 90 },
  { "E11", "weight", { "29463-7" },            3,  6,  NULL, 0,   0 },
  { "E11", "egfr",   { "98979-8", "62238-1" }, 12, 15, ">=", 60,  0 },
  { "E11", "uacr",   { "9318-7" },             12, 15, "<",  30,  0 },
  { "E11", "ldl",    { "13457-7" },            12, 15, "<",  1.0, 0 },
  { "I10", "bp",     { "8480-6", "8462-4" },   6,  9,  "<",  140, 90 },
  { "I10", "egfr",   { "98979-8", "62238-1" }, 12, 15, ">=", 60,  0 },
  { "N18", "egfr",   { "98979-8", "62238-1" }, 6,  9,  NULL, 0,   0 },
  { "N18", "uacr",   { "9318-7" },             12, 15, "<",  30,  0 },
};

/* ---------------------------------------------------------------- helpers */

static GSubprocessLauncher *
launcher_new (void)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_CA");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_PRACTICE");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_DATA_DIR");
  return launcher;
}

/* cabinetctl --data-dir @dir ARGS... [--server @server --token … --practice …] */
static int
run_ctl (const char  *dir,
         const char  *server,
         char       **out,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new ();
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, g_strdup (g_getenv ("CABINETCTL")));
  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (dir));
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  if (server != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--server"));
      g_ptr_array_add (args, g_strdup (server));
      g_ptr_array_add (args, g_strdup ("--token=" CAB_TEST_TOKEN));
      g_ptr_array_add (args, g_strdup ("--practice"));
      g_ptr_array_add (args, g_strdup (PRACTICE));
    }
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("stderr: %s", stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
call (const char *method,
      const char *path,
      const char *body,
      guint       expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint status = 0;

  text = cab_test_sandbox_call (sandbox, method, path, body, &status, &error);
  g_assert_no_error (error);
  if (status != expected)
    g_test_message ("%s %s: %u %s", method, path, status, text);
  g_assert_cmpuint (status, ==, expected);
  return parse_json (text);
}

static const char *
member_string (JsonObject *o,
               const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static JsonObject *
member_object (JsonObject *o,
               const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* Every resource of a search, following the Bundle's next links. */
static GPtrArray *
search_all (const char *first_path)
{
  GPtrArray *resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *path = g_strdup (first_path);

  for (guint page = 0; path != NULL && page < 1000; page++)
    {
      g_autoptr(JsonNode) bundle = call ("GET", path, NULL, 200);
      JsonObject *b = json_node_get_object (bundle);
      JsonArray *entries = json_object_has_member (b, "entry") ? json_object_get_array_member (b, "entry") : NULL;
      JsonArray *links = json_object_has_member (b, "link") ? json_object_get_array_member (b, "link") : NULL;

      for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
        g_ptr_array_add (resources, json_object_ref (member_object (json_array_get_object_element (entries, i),
                                                                    "resource")));
      g_clear_pointer (&path, g_free);
      for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
        {
          JsonObject *link = json_array_get_object_element (links, i);
          const char *url = member_string (link, "url");

          if (g_strcmp0 (member_string (link, "relation"), "next") == 0 && url != NULL)
            path = g_strdup (strstr (url, "/fhir/"));
        }
    }
  return resources;
}

static char *
subject_id (JsonObject *resource)
{
  const char *ref = member_string (member_object (resource, "subject"), "reference");

  return ref != NULL && g_str_has_prefix (ref, "Patient/") ? g_strdup (ref + strlen ("Patient/")) : NULL;
}

static const char *
first_code (JsonObject *concept)
{
  JsonArray *codings = concept != NULL && json_object_has_member (concept, "coding")
                       ? json_object_get_array_member (concept, "coding") : NULL;

  return codings != NULL && json_array_get_length (codings) > 0
         ? member_string (json_array_get_object_element (codings, 0), "code") : NULL;
}

/* The local calendar day of a FHIR date or dateTime, as a julian day. */
static guint32
local_day (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  GDate date;

  if (text == NULL)
    return 0;
  g_date_clear (&date, 1);
  if (strlen (text) == 10)
    {
      g_date_set_parse (&date, text);
      g_assert_true (g_date_valid (&date));
      return g_date_get_julian (&date);
    }
  dt = g_date_time_new_from_iso8601 (text, tz);
  g_assert_nonnull (dt);
  local = g_date_time_to_timezone (dt, tz);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));
  return g_date_get_julian (&date);
}

static guint32
plus_months (guint32 day,
             guint   months)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  g_date_add_months (&date, months);
  return g_date_get_julian (&date);
}

static char *
iso (guint32 day)
{
  GDate date;

  if (day == 0)
    return NULL;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}

/* ------------------------------------------------- independent computation */

typedef struct
{
  guint32     day;
  const char *effective;
  const char *id;
  double      value;
  double      diastolic;
} Last;

static gboolean
counts (JsonObject *condition)
{
  const char *clinical = first_code (member_object (condition, "clinicalStatus"));
  const char *verification = first_code (member_object (condition, "verificationStatus"));

  return g_strcmp0 (clinical, "inactive") != 0 && g_strcmp0 (clinical, "remission") != 0 &&
         g_strcmp0 (clinical, "resolved") != 0 && g_strcmp0 (verification, "refuted") != 0 &&
         g_strcmp0 (verification, "entered-in-error") != 0;
}

static double
quantity_value (JsonObject *o)
{
  JsonObject *q = member_object (o, "valueQuantity");

  return q != NULL && json_object_has_member (q, "value") ? json_object_get_double_member (q, "value") : NAN;
}

/* patient id -> measure -> Last, from the sandbox's Observations. */
static void
note_observation (GHashTable *lasts,
                  JsonObject *o)
{
  g_autofree char *patient = subject_id (o);
  const char *status = member_string (o, "status");
  const char *effective = member_string (o, "effectiveDateTime");
  const char *code = first_code (member_object (o, "code"));
  const char *measure = NULL;
  double value = quantity_value (o), diastolic = NAN;
  GHashTable *per_patient;
  Last *last;
  guint32 day;

  if (patient == NULL || effective == NULL || g_strcmp0 (status, "entered-in-error") == 0 ||
      g_strcmp0 (status, "cancelled") == 0 || g_strcmp0 (status, "registered") == 0)
    return;
  day = local_day (effective);
  if (g_strcmp0 (code, "85354-9") == 0)
    {
      JsonArray *components = json_object_get_array_member (o, "component");

      measure = "bp";
      for (guint i = 0; i < json_array_get_length (components); i++)
        {
          JsonObject *c = json_array_get_object_element (components, i);

          if (g_strcmp0 (first_code (member_object (c, "code")), "8480-6") == 0)
            value = quantity_value (c);
          else if (g_strcmp0 (first_code (member_object (c, "code")), "8462-4") == 0)
            diastolic = quantity_value (c);
        }
    }
  else
    for (guint r = 0; r < G_N_ELEMENTS (rules) && measure == NULL; r++)
      for (guint c = 0; rules[r].codes[c] != NULL; c++)
        if (g_strcmp0 (rules[r].codes[c], code) == 0 && !g_str_equal (rules[r].measure, "bp"))
          measure = rules[r].measure;
  if (measure == NULL || day > local_day (TODAY))
    return;

  per_patient = g_hash_table_lookup (lasts, patient);
  if (per_patient == NULL)
    {
      per_patient = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      g_hash_table_insert (lasts, g_strdup (patient), per_patient);
    }
  last = g_hash_table_lookup (per_patient, measure);
  if (last != NULL && (last->day > day ||
                       (last->day == day && (strcmp (last->effective, effective) > 0 ||
                                             (strcmp (last->effective, effective) == 0 &&
                                              strcmp (last->id, member_string (o, "id")) > 0)))))
    return;
  if (last == NULL)
    {
      last = g_new0 (Last, 1);
      g_hash_table_insert (per_patient, (gpointer) measure, last);
    }
  last->day = day;
  last->effective = effective;
  last->id = member_string (o, "id");
  last->value = value;
  last->diastolic = diastolic;
}

static gboolean
judged_out (const Rule *rule,
            const Last *last)
{
  gboolean ok;

  if (rule->op == NULL || isnan (last->value))
    return FALSE;
  if (g_str_equal (rule->op, "<"))
    ok = last->value < rule->limit;
  else if (g_str_equal (rule->op, "<="))
    ok = last->value <= rule->limit;
  else
    ok = last->value >= rule->limit;
  if (rule->diastolic_below > 0)
    {
      if (isnan (last->diastolic))
        return FALSE;
      ok = ok && last->diastolic < rule->diastolic_below;
    }
  return !ok;
}

/* "patient|measure" -> "condition state last due out" for every expected line. */
static GHashTable *
expected_lines (GPtrArray  *patients,
                GPtrArray  *conditions,
                GHashTable *lasts)
{
  GHashTable *expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint32 today = local_day (TODAY);

  for (guint p = 0; p < patients->len; p++)
    {
      const char *patient = g_ptr_array_index (patients, p);
      gboolean has[G_N_ELEMENTS (rules)] = { FALSE };

      for (guint c = 0; c < conditions->len; c++)
        {
          JsonObject *condition = g_ptr_array_index (conditions, c);
          g_autofree char *subject = subject_id (condition);
          const char *code = first_code (member_object (condition, "code"));

          if (g_strcmp0 (subject, patient) != 0 || code == NULL || !counts (condition))
            continue;
          for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
            has[r] |= g_str_has_prefix (code, rules[r].condition);
        }

      /* Per measure, the rule with the shortest interval, then overdue limit,
       * then the one with a target, then the first. */
      for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
        {
          const Rule *best = NULL;
          GHashTable *per_patient = g_hash_table_lookup (lasts, patient);
          const Last *last;
          const char *state;
          g_autofree char *last_text = NULL;
          g_autofree char *due_text = NULL;
          guint32 due = 0, overdue = 0;
          gboolean first_of_measure = TRUE;

          for (guint k = 0; k < r; k++)
            first_of_measure &= !g_str_equal (rules[k].measure, rules[r].measure);
          if (!first_of_measure)
            continue;
          for (guint k = 0; k < G_N_ELEMENTS (rules); k++)
            {
              if (!has[k] || !g_str_equal (rules[k].measure, rules[r].measure))
                continue;
              if (best == NULL || rules[k].every < best->every ||
                  (rules[k].every == best->every && rules[k].overdue < best->overdue) ||
                  (rules[k].every == best->every && rules[k].overdue == best->overdue &&
                   rules[k].op != NULL && best->op == NULL))
                best = &rules[k];
            }
          if (best == NULL)
            continue;

          last = per_patient != NULL ? g_hash_table_lookup (per_patient, best->measure) : NULL;
          if (last == NULL)
            state = "never";
          else
            {
              due = plus_months (last->day, best->every);
              overdue = plus_months (last->day, best->overdue);
              state = today >= overdue ? "overdue" : today >= due ? "due" : "ok";
            }
          last_text = iso (last != NULL ? last->day : 0);
          due_text = iso (due);
          g_hash_table_insert (expected, g_strdup_printf ("%s|%s", patient, best->measure),
                               g_strdup_printf ("%s %s %s %s %d", best->condition, state,
                                                last_text != NULL ? last_text : "-",
                                                due_text != NULL ? due_text : "-",
                                                last != NULL && judged_out (best, last)));
        }
    }
  return expected;
}

/* The practice as sync sees it: patients whose médecin traitant works there. */
static GPtrArray *
practice_patients (void)
{
  g_autoptr(GPtrArray) roles = search_all ("/fhir/PractitionerRole?organization=" PRACTICE "&_count=100");
  g_autoptr(GString) query = g_string_new ("/fhir/Patient?_count=200&general-practitioner=");
  g_autoptr(GPtrArray) patients = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < roles->len; i++)
    g_string_append_printf (query, "%s%s", i > 0 ? "," : "",
                            member_string (member_object (g_ptr_array_index (roles, i), "practitioner"),
                                           "reference"));
  patients = search_all (query->str);
  for (guint i = 0; i < patients->len; i++)
    g_ptr_array_add (ids, g_strdup (member_string (g_ptr_array_index (patients, i), "id")));
  g_assert_cmpuint (ids->len, >, 0);
  return ids;
}

/* ------------------------------------------------------------------ tests */

static char *synced_dir;

static char *
make_dir (const char *name)
{
  char *dir = g_build_filename (tmp_dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

/* Statuses the generator does not make: they must not count. */
static void
add_edge_cases (GPtrArray *patients)
{
  g_autoptr(JsonNode) n1 = NULL, n2 = NULL, n3 = NULL;
  g_autofree char *resolved = NULL, *in_error = NULL, *bad_obs = NULL;

  resolved = g_strdup_printf ("{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/%s\"},"
                              "\"clinicalStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"resolved\"}]},"
                              "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"E11.9\"}]}}",
                              (char *) g_ptr_array_index (patients, 0));
  in_error = g_strdup_printf ("{\"resourceType\":\"Condition\",\"subject\":{\"reference\":\"Patient/%s\"},"
                              "\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"entered-in-error\"}]},"
                              "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"N18.3\"}]}}",
                              (char *) g_ptr_array_index (patients, 1));
  /* An HbA1c of today entered in error: never the last result. */
  bad_obs = g_strdup_printf ("{\"resourceType\":\"Observation\",\"status\":\"entered-in-error\","
                             "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"" TODAY "\","
                             "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"4548-4\"}]},"
                             "\"valueQuantity\":{\"value\":12.5,\"unit\":\"%%\"}}",
                             (char *) g_ptr_array_index (patients, 2));
  n1 = call ("POST", "/fhir/Condition", resolved, 201);
  n2 = call ("POST", "/fhir/Condition", in_error, 201);
  n3 = call ("POST", "/fhir/Observation", bad_obs, 201);
}

static void
test_list_agrees (void)
{
  g_autoptr(GPtrArray) patients = practice_patients ();
  g_autoptr(GPtrArray) conditions = NULL;
  g_autoptr(GPtrArray) observations = NULL;
  g_autoptr(GHashTable) lasts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_hash_table_unref);
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *subset = NULL;
  g_autoptr(JsonNode) never = NULL;
  JsonArray *array;
  guint n_states[4] = { 0 };
  guint expected_never_n18 = 0;

  add_edge_cases (patients);

  synced_dir = make_dir ("synced");
  g_assert_cmpint (run_ctl (synced_dir, sandbox->base_url, NULL, "sync", NULL), ==, 0);
  g_assert_cmpint (run_ctl (synced_dir, NULL, &out, "followup", "list", "--today", TODAY, "--json", NULL), ==, 0);
  list = parse_json (out);
  array = json_node_get_array (list);

  conditions = search_all ("/fhir/Condition?_count=500");
  observations = search_all ("/fhir/Observation?_count=500&code=4548-4,85354-9,29463-7,98979-8,62238-1,9318-7,13457-7");
  for (guint i = 0; i < observations->len; i++)
    note_observation (lasts, g_ptr_array_index (observations, i));
  expected = expected_lines (patients, conditions, lasts);

  g_test_message ("%u lines expected, %u listed", g_hash_table_size (expected), json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      g_autofree char *key = g_strdup_printf ("%s|%s", member_string (o, "patient_id"), member_string (o, "measure"));
      g_autofree char *got = g_strdup_printf ("%s %s %s %s %d", member_string (o, "condition"),
                                              member_string (o, "state"),
                                              member_string (o, "last_date") ? member_string (o, "last_date") : "-",
                                              member_string (o, "due_date") ? member_string (o, "due_date") : "-",
                                              json_object_get_boolean_member (o, "out_of_target"));
      const char *want = g_hash_table_lookup (expected, key);

      /* Every documented member is there. */
      for (const char * const *m = (const char * const[]) { "ins", "patient_id", "condition", "measure", "loinc",
                                                            "last_date", "last_value", "unit", "due_date",
                                                            "state", "out_of_target", NULL }; *m != NULL; m++)
        g_assert_true (json_object_has_member (o, *m));
      if (g_strcmp0 (want, got) != 0)
        g_test_message ("%s: expected %s, listed %s", key, want, got);
      g_assert_cmpstr (got, ==, want);
      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, g_steal_pointer (&key));
      n_states[member_string (o, "state")[0] == 'o' && member_string (o, "state")[1] == 'k' ? 0
               : g_str_equal (member_string (o, "state"), "due") ? 1
               : g_str_equal (member_string (o, "state"), "never") ? 2 : 3]++;
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (expected));
  /* The practice gives every state, or the comparison proves little. */
  g_test_message ("ok %u, due %u, never %u, overdue %u", n_states[0], n_states[1], n_states[2], n_states[3]);
  for (guint s = 0; s < 4; s++)
    g_assert_cmpuint (n_states[s], >, 0);

  /* The edge cases: a resolved or erroneous Condition alone puts nobody on
   * the list; an HbA1c entered in error is never the last. */
  for (guint r = 0; r < G_N_ELEMENTS (rules); r++)
    {
      g_autofree char *k0 = g_strdup_printf ("%s|%s", (char *) g_ptr_array_index (patients, 0), rules[r].measure);
      g_autofree char *k2 = g_strdup_printf ("%s|hba1c", (char *) g_ptr_array_index (patients, 2));
      const char *hba1c = g_hash_table_lookup (expected, k2);

      if (hba1c != NULL)
        g_assert_null (strstr (hba1c, TODAY " "));
      (void) k0;
    }

  /* --condition and --state keep the lines this computation says. */
  g_assert_cmpint (run_ctl (synced_dir, NULL, &subset, "followup", "list", "--today", TODAY,
                            "--condition", "N18", "--state", "never", "--json", NULL), ==, 0);
  never = parse_json (subset);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (never)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (never), i);

      g_assert_cmpstr (member_string (o, "state"), ==, "never");
      g_assert_true (g_str_equal (member_string (o, "measure"), "egfr") ||
                     g_str_equal (member_string (o, "measure"), "uacr"));
    }
  {
    GHashTableIter iter;
    gpointer key, value;

    /* Expected: patients with a counting N18 Condition, their eGFR and
     * urine albumin lines in state never. */
    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_auto(GStrv) parts = g_strsplit (key, "|", 2);
        gboolean has_n18 = FALSE;

        if (strstr (value, " never ") == NULL || !(g_str_equal (parts[1], "egfr") || g_str_equal (parts[1], "uacr")))
          continue;
        for (guint c = 0; c < conditions->len; c++)
          {
            JsonObject *condition = g_ptr_array_index (conditions, c);
            g_autofree char *subject = subject_id (condition);
            const char *code = first_code (member_object (condition, "code"));

            has_n18 |= g_strcmp0 (subject, parts[0]) == 0 && code != NULL &&
                       g_str_has_prefix (code, "N18") && counts (condition);
          }
        expected_never_n18 += has_n18;
      }
  }
  g_assert_cmpuint (json_array_get_length (json_node_get_array (never)), ==, expected_never_n18);
}

static guint
count_on_server (const char *patient_id)
{
  g_autofree char *path = g_strdup_printf ("/fhir/Observation?subject=Patient/%s&code=85354-9&_summary=count",
                                           patient_id);
  g_autoptr(JsonNode) bundle = call ("GET", path, NULL, 200);

  return (guint) json_object_get_int_member (json_node_get_object (bundle), "total");
}

static void
test_record_offline (void)
{
  const char *dir = synced_dir;
  g_autofree char *out = NULL;
  g_autofree char *dead_url = g_strdup (sandbox->base_url);
  g_autofree char *sb_dir_arg = g_strdup_printf ("--data-dir=%s", sandbox_dir);
  const char * const restart_args[] = { "--patients=" N_PATIENTS, "--years=3", sb_dir_arg, NULL };
  g_autoptr(JsonNode) before_list = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;
  const char *ins = NULL, *patient_id = NULL;
  g_autofree char *patient_copy = NULL;
  g_autofree char *ins_copy = NULL;
  g_autofree char *key = NULL;
  JsonArray *array;
  guint before;

  /* A patient on the worklist for blood pressure, from the synced store. */
  g_assert_nonnull (dir);
  g_assert_cmpint (run_ctl (dir, NULL, &out, "followup", "list", "--today", TODAY, "--json", NULL), ==, 0);
  before_list = parse_json (out);
  array = json_node_get_array (before_list);
  for (guint i = 0; i < json_array_get_length (array) && ins == NULL; i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_strcmp0 (member_string (o, "measure"), "bp") != 0 || g_strcmp0 (member_string (o, "state"), "ok") == 0)
        continue;
      ins = member_string (o, "ins");
      patient_id = member_string (o, "patient_id");
    }
  g_assert_nonnull (ins);
  ins_copy = g_strdup (ins);
  patient_copy = g_strdup (patient_id);
  before = count_on_server (patient_copy);

  /* Typed values are checked before anything is queued. */
  g_assert_cmpint (run_ctl (dir, NULL, NULL, "followup", "record", ins_copy, "--measure", "bp",
                            "--value", "85/135", "--no-send", NULL), ==, 1);
  g_assert_cmpint (run_ctl (dir, NULL, NULL, "followup", "record", ins_copy, "--measure", "hba1c",
                            "--value", "7.1", "--no-send", NULL), ==, 1);
  g_assert_cmpint (run_ctl (dir, NULL, NULL, "followup", "record", ins_copy, "--measure", "weight",
                            "--value", "72.5", "--date", "2999-01-01", "--no-send", NULL), ==, 1);
  g_assert_cmpint (run_ctl (dir, NULL, NULL, "followup", "list", "--state", "late", NULL), ==, 1);
  g_assert_cmpint (run_ctl (dir, NULL, NULL, "followup", "list", "--condition", "J45", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, NULL, &out, "outbox", "list", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) none = parse_json (out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
  }

  /* Offline: the sandbox is gone. */
  cab_test_sandbox_free (g_steal_pointer (&sandbox));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, dead_url, &out, "followup", "record", ins_copy, "--measure", "bp",
                            "--value", "135/85", "--date", TODAY, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Queued: entry "));

  /* Recorded in the C locale, listed on a French desk: the Outbox's title
   * in French (docs/architecture.md, "An entry's last error"), and back. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonNode) entries = NULL;
      JsonObject *entry;

      if (i == 0)
        {
          g_setenv ("LANGUAGE", "fr", TRUE);
          g_setenv ("LC_ALL", "fr_FR.UTF-8", TRUE);
        }
      else
        {
          g_unsetenv ("LANGUAGE");
          g_setenv ("LC_ALL", "C", TRUE);
        }
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_ctl (dir, NULL, &out, "outbox", "list", "--json", NULL), ==, 0);
      entries = parse_json (out);
      entry = json_array_get_object_element (json_node_get_array (entries), 0);
      g_assert_cmpstr (member_string (entry, "description"), ==,
                       i == 0 ? "Envoyer « Pression artérielle 135/85 mmHg »" : "Send “Blood pressure 135/85 mmHg”");
    }

  /* Seen at once, offline: the patient's blood pressure is today's. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, NULL, &out, "followup", "list", "--today", TODAY, "--json", NULL), ==, 0);
  list = parse_json (out);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
      {
        JsonObject *o = json_array_get_object_element (json_node_get_array (list), i);

        if (g_strcmp0 (member_string (o, "patient_id"), patient_copy) != 0 ||
            g_strcmp0 (member_string (o, "measure"), "bp") != 0)
          continue;
        g_assert_cmpstr (member_string (o, "last_date"), ==, TODAY);
        g_assert_cmpstr (member_string (o, "last_value"), ==, "135/85");
        g_assert_cmpstr (member_string (o, "state"), ==, "ok");
        found = TRUE;
      }
    g_assert_true (found);
  }

  /* Back online: sent once, whatever the number of drains. */
  sandbox = cab_test_sandbox_start (restart_args, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, sandbox->base_url, &out, "outbox", "drain", "--json", NULL), ==, 0);
  g_test_message ("drain: %s", out);
  g_assert_cmpuint (count_on_server (patient_copy), ==, before + 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, sandbox->base_url, &out, "outbox", "drain", "--json", NULL), ==, 0);
  g_assert_cmpuint (count_on_server (patient_copy), ==, before + 1);

  /* A resend after a lost answer (the same conditional create) makes nothing new. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_ctl (dir, NULL, &out, "outbox", "list", "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) entries = parse_json (out);
    JsonObject *entry = json_array_get_object_element (json_node_get_array (entries), 0);
    g_autofree char *ident = NULL;
    g_autofree char *body = NULL;
    g_autofree char *header = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GBytes) answer = NULL;
    guint status = 0;

    g_assert_cmpstr (member_string (entry, "kind"), ==, "create");
    g_assert_cmpstr (member_string (entry, "state"), ==, "done");
    key = g_strdup (member_string (entry, "key"));
    header = g_strdup_printf ("If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:%s", key);
    body = g_strdup_printf ("{\"resourceType\":\"Observation\",\"status\":\"final\","
                            "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"" TODAY "\","
                            "\"identifier\":[{\"system\":\"urn:ietf:rfc:3986\",\"value\":\"urn:uuid:%s\"}],"
                            "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"85354-9\"}]}}",
                            patient_copy, key);
    bytes = g_bytes_new (body, strlen (body));
    answer = cab_test_sandbox_request (sandbox, "POST", "/fhir/Observation",
                                       (const char * const[]) { header, NULL }, "application/fhir+json",
                                       bytes, &status, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (count_on_server (patient_copy), ==, before + 1);
    ident = g_strdup_printf ("/fhir/Observation?identifier=urn:ietf:rfc:3986|urn:uuid:%s&_summary=count", key);
    {
      g_autoptr(JsonNode) bundle = call ("GET", ident, NULL, 200);

      g_assert_cmpint (json_object_get_int_member (json_node_get_object (bundle), "total"), ==, 1);
    }
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sb_arg = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("CABINETCTL") == NULL)
    {
      g_test_skip ("CABINETCTL is not set");
      return g_test_run ();
    }

  tmp_dir = g_dir_make_tmp ("test-followup-XXXXXX", &error);
  g_assert_no_error (error);
  /* The sandbox keeps its data here, so the one started again after the
   * offline recording is the same health space. */
  sandbox_dir = g_build_filename (tmp_dir, "sandbox", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sandbox_dir, 0700), ==, 0);
  sb_arg = g_strdup_printf ("--data-dir=%s", sandbox_dir);
  sandbox = cab_test_sandbox_start ((const char * const[]) { "--patients=" N_PATIENTS, "--years=3", sb_arg, NULL }, FALSE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/followup/list-agrees", test_list_agrees);
  g_test_add_func ("/followup/record-offline", test_record_offline);
  ret = g_test_run ();

  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (sandbox_dir);
  g_free (synced_dir);
  return ret;
}
