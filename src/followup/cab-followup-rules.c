/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-fhir-resource.h"
#include "cab-followup-resources.h"
#include "cab-followup-rules.h"

/* Limits on the codes the store reads in one query (cab-store-followup.h). */
#include "cab-json-read.h"
#include "cab-store-followup.h"

#define BUILTIN_RESOURCE "/io/github/cabinet_sante/Cabinet/followup/followup-rules.json"

struct _CabFollowupRules
{
  GObject               parent_instance;

  GStringChunk         *strings;
  CabFollowupMeasure   *measures;
  guint                 n_measures;
  CabFollowupRule      *rules;
  guint                 n_rules;
  CabFollowupBound     *bounds;
  CabFollowupCondition *conditions;
  guint                 n_conditions;
  GPtrArray            *code_lists;   /* char** per measure (NULL-terminated) */
  GPtrArray            *prefixes;     /* NULL-terminated */
  GPtrArray            *codes;        /* NULL-terminated */
};

G_DEFINE_FINAL_TYPE (CabFollowupRules, cab_followup_rules, G_TYPE_OBJECT)
G_DEFINE_QUARK (cab-followup-rules-error-quark, cab_followup_rules_error)

static void
cab_followup_rules_finalize (GObject *object)
{
  CabFollowupRules *self = CAB_FOLLOWUP_RULES (object);

  g_string_chunk_free (self->strings);
  g_free (self->measures);
  g_free (self->rules);
  g_free (self->bounds);
  g_free (self->conditions);
  g_ptr_array_unref (self->code_lists);
  g_ptr_array_unref (self->prefixes);
  g_ptr_array_unref (self->codes);

  G_OBJECT_CLASS (cab_followup_rules_parent_class)->finalize (object);
}

static void
cab_followup_rules_class_init (CabFollowupRulesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_followup_rules_finalize;
}

static void
cab_followup_rules_init (CabFollowupRules *self)
{
  self->strings = g_string_chunk_new (1024);
  self->code_lists = g_ptr_array_new_with_free_func (g_free);
  self->prefixes = g_ptr_array_new ();
  self->codes = g_ptr_array_new ();
}

/* ------------------------------------------------------------ validation */

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_INVALID,
               _("The follow-up rules are not valid: %s"), message);
  return FALSE;
}

static gboolean G_GNUC_PRINTF (2, 3)
too_large (GError     **error,
           const char  *format,
           ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_TOO_LARGE,
               _("The follow-up rules are too large: %s"), message);
  return FALSE;
}

/* A string member, checked for type and length; NULL (no error) when absent. */
static gboolean
get_text (JsonObject   *object,
          const char   *member,
          const char   *where,
          gboolean      required,
          const char  **out,
          GError      **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return !required || invalid (error, "%s: “%s” is missing", where, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, "%s: “%s” must be a string", where, member);
  text = json_node_get_string (node);
  if (strlen (text) > CAB_FOLLOWUP_RULES_MAX_TEXT)
    return too_large (error, "%s: “%s” is longer than %d bytes", where, member,
                      CAB_FOLLOWUP_RULES_MAX_TEXT);
  *out = text;
  return TRUE;
}

static gboolean
get_number (JsonObject  *object,
            const char  *member,
            const char  *where,
            double      *out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return invalid (error, "%s: “%s” must be a number", where, member);
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, "%s: “%s” must be a number", where, member);
  *out = json_node_get_double (node);
  if (!isfinite (*out))
    return invalid (error, "%s: “%s” must be a finite number", where, member);
  return TRUE;
}

static gboolean
get_months (JsonObject  *object,
            const char  *member,
            const char  *where,
            guint       *out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 months;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, "%s: “%s” must be a whole number of months", where, member);
  months = json_node_get_int (node);
  if (months < 1 || months > CAB_FOLLOWUP_RULES_MAX_MONTHS)
    return invalid (error, "%s: “%s” must be between 1 and %d months", where, member,
                    CAB_FOLLOWUP_RULES_MAX_MONTHS);
  *out = (guint) months;
  return TRUE;
}

/* Ids, codes and prefixes become SQL parameters and command-line values:
 * a short, plain alphabet. */
static gboolean
is_token (const char *text,
          gsize       max,
          gboolean    allow_lower)
{
  gsize n = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++, n++)
    if (!(g_ascii_isdigit (*p) || g_ascii_isupper (*p) || *p == '-' || *p == '.' ||
          (allow_lower && g_ascii_islower (*p))))
      return FALSE;
  return n <= max;
}

static const char *
keep (CabFollowupRules *self,
      const char       *text)
{
  return text != NULL ? g_string_chunk_insert_const (self->strings, text) : NULL;
}

static gboolean
read_names (CabFollowupRules  *self,
            JsonObject        *object,
            const char        *where,
            const char       **name_en,
            const char       **name_fr,
            GError           **error)
{
  JsonNode *node = json_object_get_member (object, "name");
  JsonObject *names;
  const char *en, *fr;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "%s: “name” must be an object with “en” and “fr”", where);
  names = json_node_get_object (node);
  if (!get_text (names, "en", where, TRUE, &en, error) ||
      !get_text (names, "fr", where, FALSE, &fr, error))
    return FALSE;
  *name_en = keep (self, en);
  *name_fr = keep (self, fr != NULL ? fr : en);
  return TRUE;
}

static void
add_code (CabFollowupRules *self,
          const char       *code)
{
  for (guint i = 0; i < self->codes->len; i++)
    if (g_str_equal (g_ptr_array_index (self->codes, i), code))
      return;
  g_ptr_array_add (self->codes, (gpointer) code);
}

static gboolean
read_measure (CabFollowupRules    *self,
              JsonObject          *object,
              guint                index,
              CabFollowupMeasure  *m,
              GError             **error)
{
  g_autofree char *where = g_strdup_printf ("measures[%u]", index);
  const char *id, *kind, *unit, *system, *systolic = NULL, *diastolic = NULL;
  JsonArray *codes = cab_json_read_array (object, "codes");
  JsonArray *range = cab_json_read_array (object, "range");
  const char **list;
  guint n_codes;

  if (object == NULL)
    return invalid (error, "%s must be an object", where);
  if (!get_text (object, "id", where, TRUE, &id, error) ||
      !get_text (object, "kind", where, TRUE, &kind, error) ||
      !get_text (object, "unit", where, TRUE, &unit, error) ||
      !get_text (object, "system", where, FALSE, &system, error) ||
      !read_names (self, object, where, &m->name_en, &m->name_fr, error))
    return FALSE;
  if (!is_token (id, 32, TRUE))
    return invalid (error, "%s: “id” must be letters, digits, “-” or “.” (32 at most)", where);
  for (guint i = 0; i < index; i++)
    if (g_str_equal (self->measures[i].id, id))
      return invalid (error, "%s: the id “%s” is used twice", where, id);

  if (g_str_equal (kind, "quantity"))
    m->kind = CAB_FOLLOWUP_VALUE_QUANTITY;
  else if (g_str_equal (kind, "blood-pressure"))
    m->kind = CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE;
  else if (g_str_equal (kind, "grade"))
    m->kind = CAB_FOLLOWUP_VALUE_GRADE;
  else
    return invalid (error, "%s: “kind” must be quantity, blood-pressure or grade", where);

  if (m->kind == CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE &&
      (!get_text (object, "systolic", where, TRUE, &systolic, error) ||
       !get_text (object, "diastolic", where, TRUE, &diastolic, error)))
    return FALSE;
  if ((systolic != NULL && !is_token (systolic, 32, TRUE)) ||
      (diastolic != NULL && !is_token (diastolic, 32, TRUE)))
    return invalid (error, "%s: a component code has characters a code cannot have", where);

  n_codes = codes != NULL ? json_array_get_length (codes) : 0;
  if (n_codes == 0)
    return invalid (error, "%s: “codes” must list at least one code", where);
  if (n_codes > CAB_FOLLOWUP_RULES_MAX_CODES)
    return too_large (error, "%s: more than %d codes", where, CAB_FOLLOWUP_RULES_MAX_CODES);
  list = g_new0 (const char *, n_codes + 1);
  g_ptr_array_add (self->code_lists, list);
  for (guint i = 0; i < n_codes; i++)
    {
      JsonNode *node = json_array_get_element (codes, i);
      const char *code;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          !is_token ((code = json_node_get_string (node)), 32, TRUE))
        return invalid (error, "%s: “codes” must hold codes (letters, digits, “-”, “.”)", where);
      list[i] = keep (self, code);
      add_code (self, list[i]);
    }

  if (range == NULL || json_array_get_length (range) != 2 ||
      json_node_get_value_type (json_array_get_element (range, 0)) == G_TYPE_STRING ||
      json_node_get_value_type (json_array_get_element (range, 1)) == G_TYPE_STRING)
    return invalid (error, "%s: “range” must be [lowest, highest] plausible values", where);
  m->min_value = json_array_get_double_element (range, 0);
  m->max_value = json_array_get_double_element (range, 1);
  if (!isfinite (m->min_value) || !isfinite (m->max_value) || m->min_value > m->max_value)
    return invalid (error, "%s: “range” must be [lowest, highest] plausible values", where);

  m->id = keep (self, id);
  m->unit = keep (self, unit);
  m->codes = list;
  m->systolic_code = keep (self, systolic);
  m->diastolic_code = keep (self, diastolic);
  m->code_system = keep (self, system != NULL ? system : "http://loinc.org");
  if (systolic != NULL)
    add_code (self, m->systolic_code);
  if (diastolic != NULL)
    add_code (self, m->diastolic_code);
  return TRUE;
}

static gboolean
read_bounds (CabFollowupRules        *self,
             JsonObject              *object,
             const char              *where,
             const CabFollowupMeasure *measure,
             CabFollowupBound        *bounds,
             guint                   *n_bounds,
             GError                 **error)
{
  JsonNode *node = json_object_get_member (object, "target");
  JsonArray *target;
  guint n;

  *n_bounds = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "%s: “target” must be a list of bounds", where);
  target = json_node_get_array (node);
  n = json_array_get_length (target);
  if (n > CAB_FOLLOWUP_RULES_MAX_BOUNDS)
    return too_large (error, "%s: more than %d bounds", where, CAB_FOLLOWUP_RULES_MAX_BOUNDS);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *b = cab_json_array_read_object (target, i);
      const char *op, *component;

      if (b == NULL)
        return invalid (error, "%s: a bound of “target” must be an object", where);
      if (!get_text (b, "op", where, TRUE, &op, error) ||
          !get_text (b, "component", where, FALSE, &component, error) ||
          !get_number (b, "value", where, &bounds[i].limit, error))
        return FALSE;
      if (g_str_equal (op, "<"))
        bounds[i].op = CAB_FOLLOWUP_BOUND_BELOW;
      else if (g_str_equal (op, "<="))
        bounds[i].op = CAB_FOLLOWUP_BOUND_AT_MOST;
      else if (g_str_equal (op, ">="))
        bounds[i].op = CAB_FOLLOWUP_BOUND_AT_LEAST;
      else if (g_str_equal (op, ">"))
        bounds[i].op = CAB_FOLLOWUP_BOUND_ABOVE;
      else
        return invalid (error, "%s: a bound's “op” must be <, <=, >= or >", where);
      if (component != NULL && !g_str_equal (component, "diastolic") && !g_str_equal (component, "systolic"))
        return invalid (error, "%s: a bound's “component” must be systolic or diastolic", where);
      if (component != NULL && measure->kind != CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE)
        return invalid (error, "%s: only blood pressure has components", where);
      bounds[i].diastolic = g_strcmp0 (component, "diastolic") == 0;
    }
  *n_bounds = n;
  return TRUE;
}

static gboolean
parse_root (CabFollowupRules  *self,
            JsonObject        *root,
            GError           **error)
{
  JsonArray *measures = cab_json_read_array (root, "measures");
  JsonArray *rules = cab_json_read_array (root, "rules");
  JsonArray *conditions = cab_json_read_array (root, "conditions");
  JsonNode *version = json_object_get_member (root, "version");
  guint n_bounds_total = 0;

  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    return invalid (error, "“version” must be 1");
  if (measures == NULL || rules == NULL || conditions == NULL)
    return invalid (error, "“conditions”, “measures” and “rules” must be lists");

  self->n_measures = json_array_get_length (measures);
  self->n_rules = json_array_get_length (rules);
  self->n_conditions = json_array_get_length (conditions);
  if (self->n_measures > CAB_FOLLOWUP_RULES_MAX_MEASURES)
    return too_large (error, "more than %d measures", CAB_FOLLOWUP_RULES_MAX_MEASURES);
  if (self->n_rules > CAB_FOLLOWUP_RULES_MAX_RULES)
    return too_large (error, "more than %d rules", CAB_FOLLOWUP_RULES_MAX_RULES);
  if (self->n_conditions > CAB_FOLLOWUP_RULES_MAX_CONDITIONS)
    return too_large (error, "more than %d conditions", CAB_FOLLOWUP_RULES_MAX_CONDITIONS);
  if (self->n_rules == 0)
    return invalid (error, "“rules” is empty");

  self->conditions = g_new0 (CabFollowupCondition, self->n_conditions);
  for (guint i = 0; i < self->n_conditions; i++)
    {
      g_autofree char *where = g_strdup_printf ("conditions[%u]", i);
      JsonObject *c = cab_json_array_read_object (conditions, i);
      const char *prefix;

      if (c == NULL)
        return invalid (error, "%s must be an object", where);
      if (!get_text (c, "prefix", where, TRUE, &prefix, error) ||
          !read_names (self, c, where, &self->conditions[i].name_en, &self->conditions[i].name_fr, error))
        return FALSE;
      if (!is_token (prefix, 8, FALSE))
        return invalid (error, "%s: “prefix” must be an ICD-10 code prefix such as E11", where);
      for (guint j = 0; j < i; j++)
        if (g_str_has_prefix (prefix, self->conditions[j].prefix) ||
            g_str_has_prefix (self->conditions[j].prefix, prefix))
          return invalid (error, "%s: “%s” overlaps another condition's prefix", where, prefix);
      self->conditions[i].prefix = keep (self, prefix);
      g_ptr_array_add (self->prefixes, (gpointer) self->conditions[i].prefix);
    }
  g_ptr_array_add (self->prefixes, NULL);

  self->measures = g_new0 (CabFollowupMeasure, self->n_measures);
  for (guint i = 0; i < self->n_measures; i++)
    if (!read_measure (self, cab_json_array_read_object (measures, i), i, &self->measures[i], error))
      return FALSE;
  if (self->codes->len > CAB_STORE_FOLLOWUP_MAX_CODES)
    return too_large (error, "more than %d codes in all", CAB_STORE_FOLLOWUP_MAX_CODES);
  g_ptr_array_add (self->codes, NULL);

  self->rules = g_new0 (CabFollowupRule, self->n_rules);
  self->bounds = g_new0 (CabFollowupBound, self->n_rules * CAB_FOLLOWUP_RULES_MAX_BOUNDS);
  for (guint i = 0; i < self->n_rules; i++)
    {
      g_autofree char *where = g_strdup_printf ("rules[%u]", i);
      JsonObject *r = cab_json_array_read_object (rules, i);
      CabFollowupRule *rule = &self->rules[i];
      const char *condition, *measure;
      CabFollowupBound *bounds = &self->bounds[n_bounds_total];

      if (r == NULL)
        return invalid (error, "%s must be an object", where);
      if (!get_text (r, "condition", where, TRUE, &condition, error) ||
          !get_text (r, "measure", where, TRUE, &measure, error) ||
          !get_months (r, "every_months", where, &rule->every_months, error) ||
          !get_months (r, "overdue_months", where, &rule->overdue_months, error))
        return FALSE;
      if (rule->overdue_months < rule->every_months)
        return invalid (error, "%s: “overdue_months” must not be shorter than “every_months”", where);
      rule->condition = NULL;
      for (guint c = 0; c < self->n_conditions; c++)
        if (g_str_equal (self->conditions[c].prefix, condition))
          rule->condition = self->conditions[c].prefix;
      if (rule->condition == NULL)
        return invalid (error, "%s: the condition “%s” is not in “conditions”", where, condition);
      rule->measure = cab_followup_rules_lookup_measure (self, measure);
      if (rule->measure == NULL)
        return invalid (error, "%s: the measure “%s” is not in “measures”", where, measure);
      for (guint j = 0; j < i; j++)
        if (self->rules[j].condition == rule->condition && self->rules[j].measure == rule->measure)
          return invalid (error, "%s: a rule for this condition and measure comes earlier", where);
      if (!read_bounds (self, r, where, rule->measure, bounds, &rule->n_bounds, error))
        return FALSE;
      rule->bounds = rule->n_bounds > 0 ? bounds : NULL;
      n_bounds_total += rule->n_bounds;
    }
  return TRUE;
}

/* -------------------------------------------------------------- loading */

CabFollowupRules *
cab_followup_rules_new_from_bytes (GBytes  *bytes,
                                   GError **error)
{
  g_autoptr(CabFollowupRules) self = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_bytes_get_size (bytes) > CAB_FOLLOWUP_RULES_MAX_BYTES)
    {
      too_large (error, "larger than %d bytes", CAB_FOLLOWUP_RULES_MAX_BYTES);
      return NULL;
    }
  /* Core's parser: UTF-8, nesting depth and escaped NULs checked first;
   * its messages speak of a server, so they stay in the debug log. */
  root = cab_fhir_parse_bytes (bytes, &local_error);
  if (root == NULL)
    {
      g_debug ("Rules file refused: %s", local_error->message);
      g_set_error_literal (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_PARSE,
                           _("The follow-up rules file is not one valid JSON object "
                             "(or it holds a NUL character)"));
      return NULL;
    }

  self = g_object_new (CAB_TYPE_FOLLOWUP_RULES, NULL);
  if (!parse_root (self, json_node_get_object (root), error))
    return NULL;
  return g_steal_pointer (&self);
}

CabFollowupRules *
cab_followup_rules_new_from_file (const char  *path,
                                  GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  /* Read one byte past the cap, so a larger file is told apart. */
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, &local_error);
  if (stream != NULL)
    bytes = g_input_stream_read_bytes (G_INPUT_STREAM (stream), CAB_FOLLOWUP_RULES_MAX_BYTES + 1,
                                       NULL, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, CAB_FOLLOWUP_RULES_ERROR, CAB_FOLLOWUP_RULES_ERROR_READ,
                   _("Cannot read the follow-up rules: %s"), local_error->message);
      return NULL;
    }
  return cab_followup_rules_new_from_bytes (bytes, error);
}

CabFollowupRules *
cab_followup_rules_new_builtin (void)
{
  static gsize registered = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  CabFollowupRules *rules;

  if (g_once_init_enter (&registered))
    {
      cab_followup_register_resource ();
      g_once_init_leave (&registered, 1);
    }
  bytes = g_resources_lookup_data (BUILTIN_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    g_error ("The built-in follow-up rules are missing: %s", error->message);
  rules = cab_followup_rules_new_from_bytes (bytes, &error);
  /* Checked by the unit tests: a broken shipped file is a build bug. */
  if (rules == NULL)
    g_error ("The built-in follow-up rules are not valid: %s", error->message);
  return rules;
}

char *
cab_followup_rules_practice_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "cabinet", "followup-rules.json", NULL);
}

CabFollowupRules *
cab_followup_rules_new_default (GError **error)
{
  g_autofree char *path = cab_followup_rules_practice_path ();

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return cab_followup_rules_new_from_file (path, error);
  return cab_followup_rules_new_builtin ();
}

/* ------------------------------------------------------------- getters */

guint
cab_followup_rules_get_n_measures (CabFollowupRules *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), 0);
  return self->n_measures;
}

const CabFollowupMeasure *
cab_followup_rules_get_measure (CabFollowupRules *self,
                                guint             index)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);
  return index < self->n_measures ? &self->measures[index] : NULL;
}

const CabFollowupMeasure *
cab_followup_rules_lookup_measure (CabFollowupRules *self,
                                   const char       *id)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);

  for (guint i = 0; id != NULL && i < self->n_measures; i++)
    if (self->measures[i].id != NULL && g_str_equal (self->measures[i].id, id))
      return &self->measures[i];
  return NULL;
}

const CabFollowupMeasure *
cab_followup_rules_measure_for_code (CabFollowupRules *self,
                                     const char       *code)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);

  if (code == NULL)
    return NULL;
  for (guint i = 0; i < self->n_measures; i++)
    {
      const CabFollowupMeasure *m = &self->measures[i];

      if (g_strcmp0 (m->systolic_code, code) == 0 || g_strcmp0 (m->diastolic_code, code) == 0)
        return m;
      for (guint j = 0; m->codes[j] != NULL; j++)
        if (g_str_equal (m->codes[j], code))
          return m;
    }
  return NULL;
}

guint
cab_followup_rules_get_n_rules (CabFollowupRules *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), 0);
  return self->n_rules;
}

const CabFollowupRule *
cab_followup_rules_get_rule (CabFollowupRules *self,
                             guint             index)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);
  return index < self->n_rules ? &self->rules[index] : NULL;
}

guint
cab_followup_rules_get_n_conditions (CabFollowupRules *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), 0);
  return self->n_conditions;
}

const CabFollowupCondition *
cab_followup_rules_get_condition (CabFollowupRules *self,
                                  guint             index)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);
  return index < self->n_conditions ? &self->conditions[index] : NULL;
}

const CabFollowupCondition *
cab_followup_rules_condition_for_code (CabFollowupRules *self,
                                       const char       *code)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);

  for (guint i = 0; code != NULL && i < self->n_conditions; i++)
    if (g_ascii_strncasecmp (code, self->conditions[i].prefix, strlen (self->conditions[i].prefix)) == 0)
      return &self->conditions[i];
  return NULL;
}

const char * const *
cab_followup_rules_get_prefixes (CabFollowupRules *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);
  return (const char * const *) self->prefixes->pdata;
}

const char * const *
cab_followup_rules_get_codes (CabFollowupRules *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (self), NULL);
  return (const char * const *) self->codes->pdata;
}

static gboolean
user_reads_french (void)
{
  const char * const *languages = g_get_language_names ();

  return languages[0] != NULL && g_str_has_prefix (languages[0], "fr");
}

const char *
cab_followup_measure_get_name (const CabFollowupMeasure *measure)
{
  g_return_val_if_fail (measure != NULL, NULL);
  return user_reads_french () ? measure->name_fr : measure->name_en;
}

const char *
cab_followup_condition_get_name (const CabFollowupCondition *condition)
{
  g_return_val_if_fail (condition != NULL, NULL);
  return user_reads_french () ? condition->name_fr : condition->name_en;
}
