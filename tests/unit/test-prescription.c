/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-prescription"

#include <glib.h>
#include <string.h>

#include "cab-dosage.h"
#include "cab-prescription.h"
#include "cab-prescription-id.h"
#include "cab-prescription-rules.h"

/* ---------------------------------------------------------------- dosage */

typedef struct
{
  const char *json;       /* a line's "dosage" and "duration" members */
  const char *french;
} DosageCase;

static const DosageCase dosage_cases[] = {
  { "\"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\", \"moments\": [\"matin\", \"soir\"]}, \"duration\": \"3 mois\"",
    "1 comprimé matin et soir pendant 3 mois" },
  { "\"dosage\": {\"quantity\": \"1/2\", \"unit\": \"comprimé\", \"moments\": [\"soir\"]}, \"duration\": {\"value\": 10, \"unit\": \"day\"}",
    "½ comprimé le soir pendant 10 jours" },
  { "\"dosage\": {\"quantity\": 2, \"unit\": \"gélule\", \"times_per_day\": 3}, \"duration\": \"1 semaine\"",
    "2 gélules 3 fois par jour pendant 1 semaine" },
  { "\"dosage\": {\"quantity\": \"1 1/2\", \"unit\": \"comprimé\", \"times_per_day\": 1}",
    "1½ comprimé par jour" },
  { "\"dosage\": {\"quantity\": 1.5, \"unit\": \"comprimé\", \"moments\": [\"matin\", \"midi\", \"soir\"]}",
    "1½ comprimé matin, midi et soir" },
  { "\"dosage\": {\"quantity\": \"¼\", \"unit\": \"comprimé\", \"moments\": [\"coucher\"]}, \"duration\": \"2 weeks\"",
    "¼ comprimé au coucher pendant 2 semaines" },
  { "\"dosage\": {\"quantity\": 10, \"unit\": \"mL\", \"moments\": [\"matin\", \"coucher\"]}",
    "10 mL matin et au coucher" },
  { "\"dosage\": {\"quantity\": 2, \"unit\": \"cuillère-mesure\", \"moments\": [\"midi\"]}",
    "2 cuillères-mesure à midi" },
  { "\"dosage\": {\"quantity\": 3, \"unit\": \"bouffées\", \"times_per_day\": 2}, \"duration\": \"1 mois\"",
    "3 bouffées 2 fois par jour pendant 1 mois" },
  { "\"dosage\": \"1 sachet le matin à jeun\", \"duration\": \"3 mois\"",
    "1 sachet le matin à jeun pendant 3 mois" },
  { "\"dosage\": \"1 application sur la zone\"",
    "1 application sur la zone" },
};

static CabPrescription *
parse_line_json (const char  *members,
                 GError     **error)
{
  g_autofree char *json = g_strdup_printf ("{\"lines\": [{\"cis\": \"60234100\", %s}]}", members);

  return cab_prescription_from_json (json, -1, error);
}

static void
test_dosage_french (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (dosage_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabPrescription) rx = parse_line_json (dosage_cases[i].json, &error);
      g_autofree char *french = NULL;
      g_autofree char *again = NULL;
      g_autoptr(CabPrescription) back = NULL;
      CabPrescriptionLine *line;

      g_assert_no_error (error);
      line = g_ptr_array_index (rx->lines, 0);
      french = cab_dosage_to_french (&line->dosage);
      g_assert_cmpstr (french, ==, dosage_cases[i].french);

      /* The stored form reads back to the same words. */
      again = cab_prescription_to_string (rx);
      back = cab_prescription_from_json (again, -1, &error);
      g_assert_no_error (error);
      g_clear_pointer (&french, g_free);
      french = cab_dosage_to_french (&((CabPrescriptionLine *) g_ptr_array_index (back->lines, 0))->dosage);
      g_assert_cmpstr (french, ==, dosage_cases[i].french);
    }
}

typedef struct
{
  const char *text;
  gboolean    ok;
  guint       numerator;
  guint       denominator;
} QuantityCase;

static const QuantityCase quantity_cases[] = {
  { "1", TRUE, 1, 1 }, { "½", TRUE, 1, 2 }, { "1/2", TRUE, 1, 2 }, { "0.5", TRUE, 1, 2 },
  { "0,25", TRUE, 1, 4 }, { "1 1/2", TRUE, 3, 2 }, { "1½", TRUE, 3, 2 }, { "2/4", TRUE, 1, 2 },
  { "3/4", TRUE, 3, 4 }, { "12", TRUE, 12, 1 },
  { "0", FALSE }, { "", FALSE }, { "1/3", FALSE }, { "0.3", FALSE }, { "abc", FALSE },
  { "1/0", FALSE }, { "-1", FALSE }, { "1 5/4", FALSE }, { "99999999999", FALSE }, { "2 x", FALSE },
};

static void
test_quantity_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (quantity_cases); i++)
    {
      guint n = 0, d = 0;
      gboolean ok = cab_dosage_parse_quantity (quantity_cases[i].text, &n, &d);

      g_assert_cmpint (ok, ==, quantity_cases[i].ok);
      if (ok)
        {
          g_assert_cmpuint (n, ==, quantity_cases[i].numerator);
          g_assert_cmpuint (d, ==, quantity_cases[i].denominator);
        }
    }
}

/* --------------------------------------------------------- JSON refusals */

typedef struct
{
  const char *json;
  int         code;
} RefusalCase;

static const RefusalCase refusal_cases[] = {
  { "[]", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": []}", CAB_PRESCRIPTION_ERROR_EMPTY },
  { "{\"lines\": [{\"cis\": \"6023410\", \"dosage\": \"x\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"6023410A\", \"dosage\": \"x\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"renewal\": 2}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"non_substitutable\": \"NS\"}]}",
    CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"non_substitutable\": \"\"}]}",
    CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"non_substitutable\": [\"MTE\", \"CIF\"]}]}",
    CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"non_substitutable\": true}]}",
    CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"non_substitutable\": \"mte\"}]}",
    CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"ald\": \"yes\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\", \"duration\": \"3 lunes\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\"}}]}",
    CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\", "
    "\"times_per_day\": 2, \"moments\": [\"matin\"]}}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\", \"dosage\": {\"quantity\": 1, \"unit\": \"comprimé\", "
    "\"moments\": [\"goûter\"]}}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"date\": \"05/12/2026\", \"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"weight_kg\": -3, \"lines\": [{\"cis\": \"60234100\", \"dosage\": \"x\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
  { "{\"lines\": [{\"cis\": \"60234100\\u0000\", \"dosage\": \"x\"}]}", CAB_PRESCRIPTION_ERROR_INVALID },
};

static void
test_json_refused (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refusal_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabPrescription) rx = cab_prescription_from_json (refusal_cases[i].json, -1, &error);

      g_test_message ("case %u: %s", i, refusal_cases[i].json);
      g_assert_null (rx);
      g_assert_error (error, CAB_PRESCRIPTION_ERROR, refusal_cases[i].code);
    }
}

/* ----------------------------------------------------------------- rules */

typedef struct
{
  const char *name;
  const char *ns;            /* the line's non_substitutable, JSON */
  const char *substance;     /* the medicine's substance */
  gboolean    ald_line;
  const char *birth_date;
  gboolean    has_ald;
  gboolean    intolerance;
  guint       renewals;
  const char *duration;
  int         expected;      /* -1: accepted */
} RuleCase;

static const RuleCase rule_cases[] = {
  { "plain line", "null", "METFORMINE (CHLORHYDRATE DE)", FALSE, "1960-04-02", FALSE, FALSE, 0, "1 mois", -1 },
  { "MTE listed", "\"MTE\"", "LÉVOTHYROXINE SODIQUE", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL, -1 },
  { "MTE valproate", "\"MTE\"", "VALPROATE DE SODIUM", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL, -1 },
  { "MTE buprenorphine salt", "\"MTE\"", "CHLORHYDRATE DE BUPRÉNORPHINE", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL, -1 },
  { "MTE everolimus", "\"MTE\"", "ÉVÉROLIMUS", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL, -1 },
  { "MTE not listed", "\"MTE\"", "METFORMINE (CHLORHYDRATE DE)", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_MTE },
  { "MTE word inside another", "\"MTE\"", "LAMOTRIGINEXYZ", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_MTE },
  { "MTE valproic acid is not sodium valproate", "\"MTE\"", "ACIDE VALPROÏQUE", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_MTE },
  { "EFG child of 3", "\"EFG\"", "AMOXICILLINE", FALSE, "2023-06-01", FALSE, FALSE, 0, NULL, -1 },
  { "EFG the day before 6", "\"EFG\"", "AMOXICILLINE", FALSE, "2020-12-06", FALSE, FALSE, 0, NULL, -1 },
  { "EFG on the 6th birthday", "\"EFG\"", "AMOXICILLINE", FALSE, "2020-12-05", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_EFG },
  { "EFG adult", "\"EFG\"", "AMOXICILLINE", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL, CAB_PRESCRIPTION_ERROR_EFG },
  { "EFG birth year only, may be 6", "\"EFG\"", "AMOXICILLINE", FALSE, "2020", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_EFG },
  { "EFG birth year only, surely under 6", "\"EFG\"", "AMOXICILLINE", FALSE, "2022", FALSE, FALSE, 0, NULL, -1 },
  { "EFG no birth date", "\"EFG\"", "AMOXICILLINE", FALSE, NULL, FALSE, FALSE, 0, NULL, CAB_PRESCRIPTION_ERROR_EFG },
  { "CIF with intolerance", "\"CIF\"", "AMOXICILLINE", FALSE, "1960-04-02", FALSE, TRUE, 0, NULL, -1 },
  { "CIF without intolerance", "\"CIF\"", "AMOXICILLINE", FALSE, "1960-04-02", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_CIF },
  { "ALD line, patient with ALD", "null", "METFORMINE", TRUE, "1960-04-02", TRUE, FALSE, 0, NULL, -1 },
  { "other line, patient with ALD", "null", "PARACÉTAMOL", FALSE, "1960-04-02", TRUE, FALSE, 0, NULL, -1 },
  { "ALD line, patient without ALD", "null", "METFORMINE", TRUE, "1960-04-02", FALSE, FALSE, 0, NULL,
    CAB_PRESCRIPTION_ERROR_ALD },
  { "3 months renewed 3 times", "null", "METFORMINE", FALSE, "1960-04-02", FALSE, FALSE, 3, "3 mois", -1 },
  { "3 months renewed 4 times", "null", "METFORMINE", FALSE, "1960-04-02", FALSE, FALSE, 4, "3 mois",
    CAB_PRESCRIPTION_ERROR_RENEWALS },
  { "1 month renewed 11 times", "null", "METFORMINE", FALSE, "1960-04-02", FALSE, FALSE, 11, "1 mois", -1 },
  { "12 renewals", "null", "METFORMINE", FALSE, "1960-04-02", FALSE, FALSE, 12, NULL, CAB_PRESCRIPTION_ERROR_RENEWALS },
};

static void
test_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      const RuleCase *c = &rule_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *duration = c->duration != NULL ? g_strdup_printf (", \"duration\": \"%s\"", c->duration)
                                                      : g_strdup ("");
      g_autofree char *json = g_strdup_printf ("{\"date\": \"2026-12-05\", \"lines\": [{\"cis\": \"60234100\", "
                                               "\"medicine\": {\"dci\": \"x\", \"substances\": [\"%s\"]}, "
                                               "\"dosage\": \"1 par jour\", \"non_substitutable\": %s, "
                                               "\"ald\": %s, \"renewals\": %u%s}]}",
                                               c->substance, c->ns, c->ald_line ? "true" : "false",
                                               c->renewals, duration);
      g_autoptr(CabPrescription) rx = cab_prescription_from_json (json, -1, &error);
      gboolean intolerance[1] = { c->intolerance };
      CabPrescriptionFacts facts = { c->birth_date, c->has_ald, intolerance };
      gboolean ok;

      g_test_message ("rule case: %s", c->name);
      g_assert_no_error (error);
      ok = cab_prescription_check (rx, &facts, &error);
      if (c->expected < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, CAB_PRESCRIPTION_ERROR, c->expected);
          g_assert_false (ok);
          /* The reason names the line. */
          g_assert_nonnull (strstr (error->message, "1"));
        }
    }
}

static void
test_rules_all_lines (void)
{
  const char *json = "{\"date\": \"2026-12-05\", \"lines\": ["
                     "{\"cis\": \"60234100\", \"medicine\": {\"dci\": \"a\", \"substances\": [\"LAMOTRIGINE\"]},"
                     " \"dosage\": \"x\", \"non_substitutable\": \"MTE\"},"
                     "{\"cis\": \"60234101\", \"medicine\": {\"dci\": \"b\", \"substances\": [\"PARACÉTAMOL\"]},"
                     " \"dosage\": \"x\", \"non_substitutable\": \"MTE\", \"ald\": true},"
                     "{\"cis\": \"60234102\", \"dosage\": \"x\"}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPrescription) rx = cab_prescription_from_json (json, -1, &error);
  CabPrescriptionFacts facts = { "1970-01-01", FALSE, NULL };
  g_autoptr(GPtrArray) errors = NULL;

  g_assert_no_error (error);
  errors = cab_prescription_check_all (rx, &facts);
  /* Line 2: MTE and ALD; line 3: unknown medicine. */
  g_assert_cmpuint (errors->len, ==, 3);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_MTE);
  g_assert_error ((GError *) g_ptr_array_index (errors, 1), CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_ALD);
  g_assert_error ((GError *) g_ptr_array_index (errors, 2), CAB_PRESCRIPTION_ERROR,
                  CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (errors, 0))->message, "2"));
}

/* -------------------------------------------------------------- identifier */

static void
test_id_generate (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 2000; i++)
    {
      char *id = cab_prescription_id_generate ();
      g_autofree char *formatted = cab_prescription_id_format (id);
      g_autofree char *back = cab_prescription_id_normalize (formatted);

      g_assert_cmpuint (strlen (id), ==, CAB_PRESCRIPTION_ID_LENGTH);
      g_assert_true (cab_prescription_id_is_valid (id));
      g_assert_cmpstr (back, ==, id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
}

static void
test_id_check_char (void)
{
  g_autofree char *id = cab_prescription_id_generate ();
  const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  g_autofree char *lower = g_ascii_strdown (id, -1);
  g_autofree char *from_lower = cab_prescription_id_normalize (lower);

  g_assert_cmpstr (from_lower, ==, id);

  /* Every single wrong symbol is caught. */
  for (guint pos = 0; pos < CAB_PRESCRIPTION_ID_LENGTH; pos++)
    for (guint k = 0; k < 32; k++)
      {
        g_autofree char *typo = g_strdup (id);

        if (alphabet[k] == id[pos])
          continue;
        typo[pos] = alphabet[k];
        g_assert_false (cab_prescription_id_is_valid (typo));
      }
  /* Every swap of two different neighbours too, but 0 and Z (Luhn's
   * blind spot, like 09/90 in base 10). */
  for (guint pos = 0; pos + 1 < CAB_PRESCRIPTION_ID_LENGTH; pos++)
    {
      g_autofree char *swapped = g_strdup (id);

      if (id[pos] == id[pos + 1] ||
          (id[pos] == '0' && id[pos + 1] == 'Z') || (id[pos] == 'Z' && id[pos + 1] == '0'))
        continue;
      swapped[pos] = id[pos + 1];
      swapped[pos + 1] = id[pos];
      g_assert_false (cab_prescription_id_is_valid (swapped));
    }

  /* Known value, computed by hand: Luhn mod 32 of "00000000000000000001"
   * doubles the last 1 to 2, so the check is 32 - 2 = 30, "Y". */
  g_assert_cmpint (cab_prescription_id_check_char ("00000000000000000001"), ==, 'Y');
  g_assert_true (cab_prescription_id_is_valid ("00000000000000000001Y"));
  g_assert_null (cab_prescription_id_normalize ("00000000000000000001"));
  g_assert_null (cab_prescription_id_normalize ("00000000000000000001YY"));
  g_assert_null (cab_prescription_id_normalize ("0000000000000000000UY"));
  g_assert_cmpint (cab_prescription_id_check_char ("0000000000000000000U"), ==, '\0');
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prescription/dosage-french", test_dosage_french);
  g_test_add_func ("/prescription/quantity-parse", test_quantity_parse);
  g_test_add_func ("/prescription/json-refused", test_json_refused);
  g_test_add_func ("/prescription/rules", test_rules);
  g_test_add_func ("/prescription/rules-all-lines", test_rules_all_lines);
  g_test_add_func ("/prescription/id-generate", test_id_generate);
  g_test_add_func ("/prescription/id-check-char", test_id_check_char);
  return g_test_run ();
}
