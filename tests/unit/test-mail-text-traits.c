/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-text-traits"

/* Identity traits read from a message's text (cab-mail-text-traits.c): one
 * case per way a body or a PDF states them, and per way it must not be
 * read (a sentence, two patients, a doctor's name beside the patient's). */

#include "cab-mail-text-traits.h"

typedef struct
{
  const char *name;
  const char *text;
  gboolean    any;
  const char *ins, *birth_family, *usage_family, *given, *birth_date;
  char        sex;
} TextCase;

static const TextCase cases[] = {
  { "sandbox-pdf-identity-box",
    "DUPONT Marie\nNom de naissance : DUPONT — Prénom(s) : Marie Claire — Sexe : F\n"
    "Née le 12/03/1961 (64 ans) — IPP 000123\nINS (NIR) : 2 61 03 75 056 123 45 — OID 1.2.250.1.213.1.4.8\n",
    TRUE, "261037505612345", "DUPONT", NULL, "Marie Claire", "1961-03-12", 'F' },
  { "labels-one-per-line",
    "Nom : Le Goff\nNom d'usage : Martin\nPrénom : Hervé\nDate de naissance : 07.05.1972\nSexe : Masculin\n",
    TRUE, NULL, "Le Goff", "Martin", "Hervé", "1972-05-07", 'M' },
  { "upper-case-labels-and-iso-date",
    "NOM : NGUYEN | PRENOM : THI | NE(E) LE : 1980-11-05 | SEXE : F",
    TRUE, NULL, "NGUYEN", NULL, "THI", "1980-11-05", 'F' },
  { "a-sentence-says-nothing",
    "Veuillez trouver ci-joint le courrier concernant votre patiente DUPONT Marie, née le 12/03/1961.",
    FALSE },
  { "two-patients-two-names-dropped",
    "Nom : DUPONT\nPrénom : Marie\nNom : MARTIN\nPrénom : Marie\nNé le 12/03/1961\n",
    TRUE, NULL, NULL, NULL, "Marie", "1961-03-12", 0 },
  { "same-name-twice-kept",
    "Nom : Dupont\nNOM : DUPONT\n", TRUE, NULL, "Dupont", NULL, NULL, NULL, 0 },
  { "impossible-date-refused",
    "Date de naissance : 31/02/1961\nNom : Roux\n", TRUE, NULL, "Roux", NULL, NULL, NULL, 0 },
  { "name-with-a-title-refused",
    "Nom : Dr. Martin\n", FALSE },
  { "ins-too-short-refused",
    "INS : 1 23 45\n", FALSE },
  { "corsican-ins-kept-as-written",
    "Matricule INS : 1 50 01 2A 004 123 45\n", TRUE, "150012A00412345", NULL, NULL, NULL, NULL, 0 },
  { "unknown-sex-ignored",
    "Sexe : inconnu\n", FALSE },
};

static void
test_case (gconstpointer data)
{
  const TextCase *c = data;
  CabMailTextTraits t;
  CabMatchTraits m;

  g_assert_cmpint (cab_mail_text_traits_read (c->text, &t), ==, c->any);
  g_assert_cmpstr (t.ins, ==, c->ins);
  g_assert_cmpstr (t.birth_family, ==, c->birth_family);
  g_assert_cmpstr (t.usage_family, ==, c->usage_family);
  g_assert_cmpstr (t.given, ==, c->given);
  g_assert_cmpstr (t.birth_date, ==, c->birth_date);
  g_assert_cmpint (t.sex, ==, c->sex);
  cab_mail_text_traits_to_match (&t, &m);
  g_assert_true (m.from_text);
  cab_mail_text_traits_clear (&t);
}

/* A huge text is read only up to the cap; invalid UTF-8 is no crash. */
static void
test_bounds (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  CabMailTextTraits t;

  while (text->len < CAB_MAIL_TEXT_TRAITS_MAX_TEXT + 10)
    g_string_append (text, "Lorem ipsum \xff\xfe dolor\n");
  g_string_append (text, "Nom : Dupont\n");
  g_assert_false (cab_mail_text_traits_read (text->str, &t));
  cab_mail_text_traits_clear (&t);
  g_assert_false (cab_mail_text_traits_read (NULL, &t));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mail-text-traits/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/mail-text-traits/bounds", test_bounds);
  return g_test_run ();
}
