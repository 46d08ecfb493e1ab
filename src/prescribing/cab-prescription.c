/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-prescription.h"

G_DEFINE_QUARK (cab-prescription-error-quark, cab_prescription_error)

static const char * const ns_names[] = { NULL, "MTE", "EFG", "CIF" };

const char *
cab_non_substitutable_to_string (CabNonSubstitutable ns)
{
  return ns < G_N_ELEMENTS (ns_names) ? ns_names[ns] : NULL;
}

gboolean
cab_non_substitutable_from_string (const char          *text,
                                   CabNonSubstitutable *ns)
{
  if (text == NULL)
    {
      *ns = CAB_NON_SUBSTITUTABLE_NONE;
      return TRUE;
    }
  for (guint i = 1; i < G_N_ELEMENTS (ns_names); i++)
    if (g_str_equal (text, ns_names[i]))
      {
        *ns = i;
        return TRUE;
      }
  return FALSE;
}

void
cab_medicine_clear (CabMedicine *medicine)
{
  g_free (medicine->cis);
  g_free (medicine->dci);
  g_free (medicine->brand);
  g_free (medicine->form);
  g_free (medicine->strength);
  g_strfreev (medicine->substances);
  memset (medicine, 0, sizeof *medicine);
}

void
cab_medicine_copy (const CabMedicine *src,
                   CabMedicine       *dest)
{
  dest->cis = g_strdup (src->cis);
  dest->dci = g_strdup (src->dci);
  dest->brand = g_strdup (src->brand);
  dest->form = g_strdup (src->form);
  dest->strength = g_strdup (src->strength);
  dest->substances = g_strdupv (src->substances);
}

void
cab_prescription_line_free (CabPrescriptionLine *line)
{
  if (line == NULL)
    return;
  cab_medicine_clear (&line->medicine);
  cab_dosage_clear (&line->dosage);
  g_free (line->quantity);
  g_free (line);
}

CabPrescription *
cab_prescription_new (void)
{
  CabPrescription *rx = g_new0 (CabPrescription, 1);

  rx->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_prescription_line_free);
  return rx;
}

void
cab_prescription_free (CabPrescription *rx)
{
  if (rx == NULL)
    return;
  g_free (rx->id);
  g_free (rx->date);
  g_ptr_array_unref (rx->lines);
  g_free (rx);
}

char *
cab_prescription_line_label (const CabPrescriptionLine *line)
{
  const CabMedicine *m = &line->medicine;
  const char *name = m->dci != NULL && *m->dci != '\0' ? m->dci : m->brand;

  if (name == NULL)
    return g_strdup_printf ("CIS %s", m->cis != NULL ? m->cis : "?");
  if (m->brand != NULL && *m->brand != '\0' && name != m->brand)
    return g_strdup_printf ("%s (%s)", name, m->brand);
  return g_strdup (name);
}

/* --------------------------------------------------------------- reading */

static gboolean
fail (GError    **error,
      const char *where,
      const char *what)
{
  g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
               "%s: %s", where, what);
  return FALSE;
}

static gboolean
check_members (JsonObject  *o,
               const char * const *allowed,
               const char  *where,
               GError     **error)
{
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; allowed[i] != NULL && !known; i++)
        known = g_str_equal (l->data, allowed[i]);
      if (!known)
        {
          /* The member name is the file's, not health data. */
          g_autofree char *msg = g_strdup_printf (_("unknown member “%s”"), (const char *) l->data);
          return fail (error, where, msg);
        }
    }
  return TRUE;
}

/* A string member within the label limit, NULL when absent; FALSE when
 * present with another type or too long. */
static gboolean
get_string (JsonObject  *o,
            const char  *member,
            const char **out,
            const char  *where,
            GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” must be a string"), member);
      return fail (error, where, msg);
    }
  *out = json_node_get_string (n);
  if (g_utf8_strlen (*out, -1) > CAB_PRESCRIPTION_MAX_LABEL)
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is too long"), member);
      return fail (error, where, msg);
    }
  return TRUE;
}

/* A non-negative integer member (a JSON integer, or a double with no
 * fraction) up to @max; @out untouched when absent. */
static gboolean
get_uint (JsonObject  *o,
          const char  *member,
          guint        max,
          guint       *out,
          const char  *where,
          GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);
  double value;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    value = (double) json_node_get_int (n);
  else if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_DOUBLE)
    value = json_node_get_double (n);
  else
    value = -1;
  if (!(value >= 0 && value <= max && floor (value) == value))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” must be a whole number from 0 to %u"), member, max);
      return fail (error, where, msg);
    }
  *out = (guint) value;
  return TRUE;
}

static gboolean
parse_moments (JsonNode    *n,
               guint       *moments,
               const char  *where,
               GError     **error)
{
  static const struct { const char *name; guint bit; } names[] = {
    { "matin", CAB_DOSAGE_MORNING }, { "morning", CAB_DOSAGE_MORNING },
    { "midi", CAB_DOSAGE_NOON }, { "noon", CAB_DOSAGE_NOON },
    { "soir", CAB_DOSAGE_EVENING }, { "evening", CAB_DOSAGE_EVENING },
    { "coucher", CAB_DOSAGE_BEDTIME }, { "bedtime", CAB_DOSAGE_BEDTIME },
  };
  JsonArray *a;

  if (!JSON_NODE_HOLDS_ARRAY (n))
    return fail (error, where, _("“moments” must be a list"));
  a = json_node_get_array (n);
  if (json_array_get_length (a) > G_N_ELEMENTS (names))
    return fail (error, where, _("“moments” has too many entries"));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      const char *s = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                      ? json_node_get_string (e) : NULL;
      guint bit = 0;

      for (guint j = 0; s != NULL && j < G_N_ELEMENTS (names) && bit == 0; j++)
        if (g_str_equal (s, names[j].name))
          bit = names[j].bit;
      if (bit == 0)
        return fail (error, where, _("a moment is one of “matin”, “midi”, “soir”, “coucher”"));
      *moments |= bit;
    }
  return TRUE;
}

static gboolean
parse_dosage (JsonNode    *n,
              CabDosage   *dosage,
              const char  *where,
              GError     **error)
{
  static const char * const allowed[] = { "quantity", "unit", "times_per_day", "moments", "text", NULL };
  JsonObject *o;
  JsonNode *q, *m;
  const char *unit, *text;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return fail (error, where, _("a dosage is required"));
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (n);

      if (g_utf8_strlen (s, -1) > CAB_DOSAGE_MAX_TEXT)
        return fail (error, where, _("the dosage is too long"));
      dosage->text = g_strstrip (g_strdup (s));
      if (*dosage->text == '\0')
        return fail (error, where, _("a dosage is required"));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return fail (error, where, _("“dosage” must be a text or an object"));
  o = json_node_get_object (n);
  if (!check_members (o, allowed, where, error) ||
      !get_string (o, "unit", &unit, where, error) ||
      !get_string (o, "text", &text, where, error) ||
      !get_uint (o, "times_per_day", CAB_DOSAGE_MAX_TIMES_PER_DAY, &dosage->times_per_day, where, error))
    return FALSE;
  if (text != NULL)
    {
      if (g_utf8_strlen (text, -1) > CAB_DOSAGE_MAX_TEXT)
        return fail (error, where, _("the dosage is too long"));
      dosage->text = g_strdup (text);
      return TRUE;
    }

  q = json_object_get_member (o, "quantity");
  if (q != NULL && JSON_NODE_HOLDS_VALUE (q) && json_node_get_value_type (q) == G_TYPE_STRING)
    {
      if (!cab_dosage_parse_quantity (json_node_get_string (q), &dosage->numerator, &dosage->denominator))
        return fail (error, where, _("the quantity must be a number of quarters, such as 1, ½ or 1/2"));
    }
  else if (q != NULL && JSON_NODE_HOLDS_VALUE (q) &&
           (json_node_get_value_type (q) == G_TYPE_INT64 || json_node_get_value_type (q) == G_TYPE_DOUBLE))
    {
      double v = json_node_get_double (q);
      double quarters = v * 4;

      if (!(v > 0 && v <= CAB_DOSAGE_MAX_QUANTITY && floor (quarters) == quarters))
        return fail (error, where, _("the quantity must be a number of quarters, such as 1, ½ or 1/2"));
      dosage->numerator = (guint) quarters;
      dosage->denominator = 4;
      /* Smallest denominator among 1, 2 and 4. */
      if (dosage->numerator % 4 == 0)
        dosage->numerator /= 4, dosage->denominator = 1;
      else if (dosage->numerator % 2 == 0)
        dosage->numerator /= 2, dosage->denominator = 2;
    }
  else
    return fail (error, where, _("a structured dosage needs a quantity"));

  if (unit == NULL || *unit == '\0' || g_utf8_strlen (unit, -1) > CAB_DOSAGE_MAX_UNIT)
    return fail (error, where, _("a structured dosage needs a unit, such as “comprimé”"));
  dosage->unit = g_strdup (unit);

  m = json_object_get_member (o, "moments");
  if (m != NULL && !JSON_NODE_HOLDS_NULL (m) && !parse_moments (m, &dosage->moments, where, error))
    return FALSE;
  if (dosage->moments != 0 && dosage->times_per_day != 0)
    return fail (error, where, _("give either “times_per_day” or “moments”, not both"));
  if (dosage->moments == 0 && dosage->times_per_day == 0)
    return fail (error, where, _("a structured dosage needs “times_per_day” or “moments”"));
  return TRUE;
}

static gboolean
parse_duration (JsonNode    *n,
                CabDosage   *dosage,
                const char  *where,
                GError     **error)
{
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    {
      if (!cab_dosage_parse_duration (json_node_get_string (n), &dosage->duration, &dosage->duration_unit))
        return fail (error, where, _("the duration reads like “10 jours”, “3 semaines” or “3 mois”"));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_OBJECT (n))
    {
      static const char * const allowed[] = { "value", "unit", NULL };
      JsonObject *o = json_node_get_object (n);
      const char *unit;
      guint value = 0;

      if (!check_members (o, allowed, where, error) ||
          !get_uint (o, "value", CAB_DOSAGE_MAX_DURATION, &value, where, error) ||
          !get_string (o, "unit", &unit, where, error))
        return FALSE;
      if (value == 0 || !cab_duration_unit_from_string (unit, &dosage->duration_unit))
        return fail (error, where, _("the duration needs a value and a unit (day, week, month)"));
      dosage->duration = value;
      return TRUE;
    }
  return fail (error, where, _("the duration reads like “10 jours”, “3 semaines” or “3 mois”"));
}

static gboolean
parse_medicine (JsonNode    *n,
                CabMedicine *medicine,
                const char  *where,
                GError     **error)
{
  static const char * const allowed[] = { "cis", "dci", "brand", "form", "strength", "substances", NULL };
  const char *dci, *brand, *form, *strength;
  JsonObject *o;
  JsonNode *s;

  if (!JSON_NODE_HOLDS_OBJECT (n))
    return fail (error, where, _("“medicine” must be an object"));
  o = json_node_get_object (n);
  if (!check_members (o, allowed, where, error) ||
      !get_string (o, "dci", &dci, where, error) ||
      !get_string (o, "brand", &brand, where, error) ||
      !get_string (o, "form", &form, where, error) ||
      !get_string (o, "strength", &strength, where, error))
    return FALSE;
  medicine->dci = g_strdup (dci);
  medicine->brand = g_strdup (brand);
  medicine->form = g_strdup (form);
  medicine->strength = g_strdup (strength);

  s = json_object_get_member (o, "substances");
  if (s != NULL && JSON_NODE_HOLDS_ARRAY (s))
    {
      JsonArray *a = json_node_get_array (s);
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

      if (json_array_get_length (a) > CAB_PRESCRIPTION_MAX_SUBSTANCES)
        return fail (error, where, _("too many substances"));
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);

          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING ||
              g_utf8_strlen (json_node_get_string (e), -1) > CAB_PRESCRIPTION_MAX_LABEL)
            return fail (error, where, _("a substance must be a string"));
          g_strv_builder_add (b, json_node_get_string (e));
        }
      medicine->substances = g_strv_builder_end (b);
    }
  else if (s != NULL && !JSON_NODE_HOLDS_NULL (s))
    return fail (error, where, _("“substances” must be a list"));
  return TRUE;
}

/* CIS: exactly 8 digits, the whole string (it becomes a lookup key). */
static gboolean
cis_is_valid (const char *cis)
{
  if (cis == NULL || strlen (cis) != 8)
    return FALSE;
  for (guint i = 0; i < 8; i++)
    if (!g_ascii_isdigit (cis[i]))
      return FALSE;
  return TRUE;
}

static CabPrescriptionLine *
parse_line (JsonNode    *n,
            guint        index,
            GError     **error)
{
  static const char * const allowed[] = {
    "cis", "medicine", "dosage", "duration", "renewals", "quantity",
    "non_substitutable", "ald", NULL
  };
  g_autoptr(CabPrescriptionLine) line = g_new0 (CabPrescriptionLine, 1);
  g_autofree char *where = g_strdup_printf (_("line %u"), index + 1);
  const char *cis, *quantity, *ns;
  JsonObject *o;
  JsonNode *m, *ald;

  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      fail (error, where, _("a line must be an object"));
      return NULL;
    }
  o = json_node_get_object (n);
  if (!check_members (o, allowed, where, error) ||
      !get_string (o, "cis", &cis, where, error) ||
      !get_string (o, "quantity", &quantity, where, error) ||
      !get_uint (o, "renewals", 100, &line->renewals, where, error))
    return NULL;

  if (!cis_is_valid (cis))
    {
      fail (error, where, _("“cis” must be the medicine’s 8-digit CIS code"));
      return NULL;
    }
  line->medicine.cis = g_strdup (cis);
  m = json_object_get_member (o, "medicine");
  if (m != NULL && !parse_medicine (m, &line->medicine, where, error))
    return NULL;

  if (!parse_dosage (json_object_get_member (o, "dosage"), &line->dosage, where, error) ||
      !parse_duration (json_object_get_member (o, "duration"), &line->dosage, where, error))
    return NULL;
  line->quantity = quantity != NULL && *quantity != '\0' ? g_strdup (quantity) : NULL;

  /* NS needs one justification: anything but null, MTE, EFG or CIF
   * (a bare "NS", a list, two at once) is refused. */
  if (json_object_has_member (o, "non_substitutable"))
    {
      JsonNode *nn = json_object_get_member (o, "non_substitutable");

      if (!JSON_NODE_HOLDS_NULL (nn) &&
          (!JSON_NODE_HOLDS_VALUE (nn) || json_node_get_value_type (nn) != G_TYPE_STRING))
        {
          g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION,
                       "%s: %s", where,
                       _("non-substitution (NS) needs exactly one justification: MTE, EFG or CIF"));
          return NULL;
        }
      ns = JSON_NODE_HOLDS_NULL (nn) ? NULL : json_node_get_string (nn);
      if (!cab_non_substitutable_from_string (ns, &line->non_substitutable))
        {
          g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION,
                       "%s: %s", where,
                       _("non-substitution (NS) needs exactly one justification: MTE, EFG or CIF"));
          return NULL;
        }
    }

  ald = json_object_get_member (o, "ald");
  if (ald != NULL && !JSON_NODE_HOLDS_NULL (ald))
    {
      if (!JSON_NODE_HOLDS_VALUE (ald) || json_node_get_value_type (ald) != G_TYPE_BOOLEAN)
        {
          fail (error, where, _("“ald” must be true or false"));
          return NULL;
        }
      line->ald = json_node_get_boolean (ald);
    }
  return g_steal_pointer (&line);
}

static gboolean
date_is_valid (const char *date)
{
  int y, m, d;

  if (date == NULL || strlen (date) != 10 || date[4] != '-' || date[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (date[i]))
      return FALSE;
  y = atoi (date);
  m = atoi (date + 5);
  d = atoi (date + 8);
  return g_date_valid_dmy (d, m, y);
}

CabPrescription *
cab_prescription_from_object (JsonObject  *o,
                              GError     **error)
{
  static const char * const allowed[] = { "id", "date", "weight_kg", "lines", NULL };
  g_autoptr(CabPrescription) rx = cab_prescription_new ();
  const char *where = _("prescription");
  const char *id, *date;
  JsonNode *w, *l;
  JsonArray *lines;

  if (!check_members (o, allowed, where, error) ||
      !get_string (o, "id", &id, where, error) ||
      !get_string (o, "date", &date, where, error))
    return NULL;
  if (date != NULL && !date_is_valid (date))
    {
      fail (error, where, _("“date” must be a date written YYYY-MM-DD"));
      return NULL;
    }
  rx->id = g_strdup (id);
  rx->date = g_strdup (date);

  w = json_object_get_member (o, "weight_kg");
  if (w != NULL && !JSON_NODE_HOLDS_NULL (w))
    {
      double kg = JSON_NODE_HOLDS_VALUE (w) &&
                  (json_node_get_value_type (w) == G_TYPE_INT64 || json_node_get_value_type (w) == G_TYPE_DOUBLE)
                  ? json_node_get_double (w) : -1;

      if (!(kg > 0 && kg <= 500))
        {
          fail (error, where, _("“weight_kg” must be a weight in kilograms"));
          return NULL;
        }
      rx->weight_kg = kg;
    }

  l = json_object_get_member (o, "lines");
  if (l == NULL || !JSON_NODE_HOLDS_ARRAY (l))
    {
      fail (error, where, _("“lines” must be a list of lines"));
      return NULL;
    }
  lines = json_node_get_array (l);
  if (json_array_get_length (lines) == 0)
    {
      g_set_error_literal (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_EMPTY,
                           _("The prescription has no line"));
      return NULL;
    }
  if (json_array_get_length (lines) > CAB_PRESCRIPTION_MAX_LINES)
    {
      g_autofree char *msg = g_strdup_printf (_("more than %u lines"), CAB_PRESCRIPTION_MAX_LINES);
      fail (error, where, msg);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      CabPrescriptionLine *line = parse_line (json_array_get_element (lines, i), i, error);

      if (line == NULL)
        return NULL;
      g_ptr_array_add (rx->lines, line);
    }
  return g_steal_pointer (&rx);
}

CabPrescription *
cab_prescription_from_json (const char  *json,
                            gssize       length,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len = length < 0 ? strlen (json) : (gsize) length;
  JsonNode *root;

  if (len > CAB_PRESCRIPTION_MAX_JSON)
    {
      g_set_error_literal (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
                           _("The prescription file is too large"));
      return NULL;
    }
  /* A NUL inside would cut a string short without json-glib noticing
   * (docs/architecture.md, "Rules for hostile input", rule 4). */
  if (memchr (json, '\0', len) != NULL || g_strstr_len (json, len, "\\u0000") != NULL)
    {
      g_set_error_literal (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
                           _("The prescription file holds a NUL character"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, json, (gssize) len, &local_error))
    {
      g_set_error (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
                   _("The prescription is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_INVALID,
                           _("The prescription must be a JSON object"));
      return NULL;
    }
  return cab_prescription_from_object (json_node_get_object (root), error);
}

/* --------------------------------------------------------------- writing */

static void
add_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_dosage (JsonBuilder     *b,
            const CabDosage *d)
{
  static const char * const moment_names[] = { "matin", "midi", "soir", "coucher" };

  json_builder_set_member_name (b, "dosage");
  if (d->text != NULL)
    {
      json_builder_add_string_value (b, d->text);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "quantity");
  if (d->denominator == 1)
    json_builder_add_int_value (b, d->numerator);
  else
    {
      g_autofree char *q = g_strdup_printf ("%u/%u", d->numerator, d->denominator);
      json_builder_add_string_value (b, q);
    }
  add_string (b, "unit", d->unit);
  if (d->moments != 0)
    {
      json_builder_set_member_name (b, "moments");
      json_builder_begin_array (b);
      for (guint i = 0; i < G_N_ELEMENTS (moment_names); i++)
        if (d->moments & (1u << i))
          json_builder_add_string_value (b, moment_names[i]);
      json_builder_end_array (b);
    }
  else
    {
      json_builder_set_member_name (b, "times_per_day");
      json_builder_add_int_value (b, d->times_per_day);
    }
  json_builder_end_object (b);
}

JsonNode *
cab_prescription_to_json (const CabPrescription *rx)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "id", rx->id);
  add_string (b, "date", rx->date);
  if (rx->weight_kg > 0)
    {
      json_builder_set_member_name (b, "weight_kg");
      json_builder_add_double_value (b, rx->weight_kg);
    }
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < rx->lines->len; i++)
    {
      const CabPrescriptionLine *line = g_ptr_array_index (rx->lines, i);
      const CabMedicine *m = &line->medicine;

      json_builder_begin_object (b);
      add_string (b, "cis", m->cis);
      if (m->dci != NULL || m->brand != NULL)
        {
          json_builder_set_member_name (b, "medicine");
          json_builder_begin_object (b);
          add_string (b, "dci", m->dci);
          add_string (b, "brand", m->brand);
          add_string (b, "form", m->form);
          add_string (b, "strength", m->strength);
          if (m->substances != NULL)
            {
              json_builder_set_member_name (b, "substances");
              json_builder_begin_array (b);
              for (guint j = 0; m->substances[j] != NULL; j++)
                json_builder_add_string_value (b, m->substances[j]);
              json_builder_end_array (b);
            }
          json_builder_end_object (b);
        }
      add_dosage (b, &line->dosage);
      if (line->dosage.duration > 0)
        {
          json_builder_set_member_name (b, "duration");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "value");
          json_builder_add_int_value (b, line->dosage.duration);
          add_string (b, "unit", cab_duration_unit_to_string (line->dosage.duration_unit));
          json_builder_end_object (b);
        }
      json_builder_set_member_name (b, "renewals");
      json_builder_add_int_value (b, line->renewals);
      add_string (b, "quantity", line->quantity);
      json_builder_set_member_name (b, "non_substitutable");
      if (line->non_substitutable == CAB_NON_SUBSTITUTABLE_NONE)
        json_builder_add_null_value (b);
      else
        json_builder_add_string_value (b, cab_non_substitutable_to_string (line->non_substitutable));
      json_builder_set_member_name (b, "ald");
      json_builder_add_boolean_value (b, line->ald);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
cab_prescription_to_string (const CabPrescription *rx)
{
  g_autoptr(JsonNode) root = cab_prescription_to_json (rx);

  return json_to_string (root, FALSE);
}
