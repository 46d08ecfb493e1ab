/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* Patient matching, table-driven: every case is a message's traits against
 * one small practice, with the state, patient and reason the rules of
 * docs/domain.md give. */

#include "cab-mail-match.h"
#include "cab-nir.h"

#include <string.h>

/* INS of the practice: 13 digits, the key computed here. */
static char ins_dupont[16], ins_twin_a[16], ins_twin_b[16], ins_recup[16], ins_legoff[16],
            ins_shared[16], ins_outside[16], ins_bad_key[16], ins_dupont_nia[16];

static void
make_ins (char out[16], const char *nir13)
{
  int key = cab_nir_compute_key (nir13, NULL);

  g_assert_cmpint (key, >, 0);
  g_snprintf (out, 16, "%s%02d", nir13, key);
}

static CabMatchPatient practice[10];

static void
setup_practice (void)
{
  make_ins (ins_dupont, "2610375056123");
  make_ins (ins_twin_a, "1150675056011");
  make_ins (ins_twin_b, "2150675056012");
  make_ins (ins_recup, "2801169123045");
  make_ins (ins_legoff, "1720529019007");
  make_ins (ins_shared, "1450113055100");
  make_ins (ins_outside, "2440213055321");
  make_ins (ins_dupont_nia, "2610375056999");
  /* A wrong key: the right one plus one. */
  g_strlcpy (ins_bad_key, ins_dupont, sizeof ins_bad_key);
  g_snprintf (ins_bad_key + 13, 3, "%02d", (int) g_ascii_strtoll (ins_dupont + 13, NULL, 10) % 97 + 1);

  practice[0] = (CabMatchPatient) { "p-dupont", ins_dupont, TRUE, FALSE, "Dupont", "Martin", "Marie-Hélène", "1961-03-12", 'F' };
  practice[1] = (CabMatchPatient) { "p-twin-a", ins_twin_a, TRUE, FALSE, "Lefebvre", NULL, "Lucas", "2015-06-01", 'M' };
  practice[2] = (CabMatchPatient) { "p-twin-b", ins_twin_b, TRUE, FALSE, "Lefebvre", NULL, "Léa", "2015-06-01", 'F' };
  practice[3] = (CabMatchPatient) { "p-homo-1", NULL, FALSE, FALSE, "Moreau", NULL, "Jean", "1950-01-01", 'M' };
  practice[4] = (CabMatchPatient) { "p-homo-2", NULL, FALSE, FALSE, "Moreau", NULL, "Jean", "1950-01-01", 'M' };
  practice[5] = (CabMatchPatient) { "p-recup", ins_recup, FALSE, FALSE, "N'Guyen", NULL, "Thi", "1980-11-05", 'F' };
  practice[6] = (CabMatchPatient) { "p-legoff", ins_legoff, TRUE, FALSE, "Le Goff", NULL, "Hervé", "1972-05-07", 'M' };
  practice[7] = (CabMatchPatient) { "p-dup-a", ins_shared, TRUE, TRUE, "Roux", NULL, "Paul", "1945-01-13", 'M' };
  practice[8] = (CabMatchPatient) { "p-dup-b", ins_shared, TRUE, TRUE, "Roux", NULL, "Pierre", "1945-01-13", 'M' };
  practice[9] = (CabMatchPatient) { "p-noins", NULL, FALSE, FALSE, "Bernard", NULL, "Claire", "1990-09-02", 'F' };
}

#define OID "1.2.250.1.213.1.4.8"
#define MAX_DOCS 2

typedef struct
{
  const char        *name;
  CabMatchTraits     docs[MAX_DOCS];
  guint              n_docs;
  CabMatchState      state;
  const char        *patient_id;     /* NULL: none */
  CabMatchReason     reason;
  CabMatchTraitFlags disagreeing;
  const char        *candidates[3];  /* must all be listed */
} MatchCase;

static const MatchCase *
cases (guint *n)
{
  /* Built after setup_practice(): the INS strings are filled by then. */
  static MatchCase c[] = {
    { "ins-and-traits-as-the-ins-service-writes-them",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_AUTO, "p-dupont", CAB_MATCH_REASON_INS_QUALIFIED },
    { "ins-and-traits-read-from-text-only-proposed",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F', TRUE } }, 1,
      CAB_MATCH_PROPOSED, "p-dupont", CAB_MATCH_REASON_FROM_TEXT },
    { "traits-from-text-disagreeing-with-the-ins-conflict",
      { { ins_dupont, NULL, "DUPONT", NULL, "MARINE", "1961-03-12", 'F', TRUE } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_GIVEN },
    { "traits-from-text-without-ins",
      { { NULL, NULL, "Lefebvre", NULL, "Léa", "2015-06-01", 'F', TRUE } }, 1,
      CAB_MATCH_PROPOSED, "p-twin-b", CAB_MATCH_REASON_TRAITS },
    { "married-name-only",
      { { ins_dupont, OID, NULL, "MARTIN", "Marie-Hélène", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_AUTO, "p-dupont", CAB_MATCH_REASON_INS_QUALIFIED },
    { "married-name-written-as-birth-name",
      { { ins_dupont, "urn:oid:" OID, "Martin", NULL, "marie helene", "1961-03-12", 0 } }, 1,
      CAB_MATCH_AUTO, "p-dupont", CAB_MATCH_REASON_INS_QUALIFIED },
    { "several-given-names",
      { { ins_dupont, OID, "Dupont", NULL, "Marie-Hélène Jeanne", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_AUTO, "p-dupont", CAB_MATCH_REASON_INS_QUALIFIED },
    { "spaces-hyphens-accents-folded",
      { { ins_legoff, OID, "LE-GOFF", NULL, "HERVE", "1972-05-07", 'M' } }, 1,
      CAB_MATCH_AUTO, "p-legoff", CAB_MATCH_REASON_INS_QUALIFIED },
    { "wrong-ins-key",
      { { ins_bad_key, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_BAD_INS, 0, { "p-dupont" } },
    { "ins-too-short",
      { { "26103750561", OID, "DUPONT", NULL, "MARIE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_BAD_INS },
    { "day-and-month-transposed-with-ins",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-12-03", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_BIRTH_DATE, { "p-dupont" } },
    { "day-and-month-transposed-without-ins",
      { { NULL, NULL, "BERNARD", NULL, "CLAIRE", "1990-02-09", 'F' } }, 1,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_NO_CANDIDATE },
    { "hyphenated-given-name-shortened",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_GIVEN },
    { "sex-disagrees",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'M' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_SEX },
    { "other-given-name",
      { { ins_dupont, OID, "DUPONT", NULL, "MARINE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_GIVEN },
    { "twin-a-by-ins",
      { { ins_twin_a, OID, "LEFEBVRE", NULL, "LUCAS", "2015-06-01", 'M' } }, 1,
      CAB_MATCH_AUTO, "p-twin-a", CAB_MATCH_REASON_INS_QUALIFIED },
    { "twin-b-by-traits",
      { { NULL, NULL, "Lefebvre", NULL, "Léa", "2015-06-01", 'F' } }, 1,
      CAB_MATCH_PROPOSED, "p-twin-b", CAB_MATCH_REASON_TRAITS },
    { "twins-without-given-name",
      { { NULL, NULL, "LEFEBVRE", NULL, NULL, "2015-06-01", 0 } }, 1,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_NO_TRAITS, 0, { "p-twin-a", "p-twin-b" } },
    { "twin-ins-with-the-other-twins-given-name",
      { { ins_twin_a, OID, "LEFEBVRE", NULL, "LEA", "2015-06-01", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_TRAITS_DISAGREE, CAB_MATCH_TRAIT_GIVEN | CAB_MATCH_TRAIT_SEX },
    { "homonyms-born-the-same-day",
      { { NULL, NULL, "MOREAU", NULL, "JEAN", "1950-01-01", 'M' } }, 1,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_SEVERAL_CANDIDATES, 0, { "p-homo-1", "p-homo-2" } },
    { "ins-outside-the-practice-nobody-matches",
      { { ins_outside, OID, "ETRANGERE", NULL, "SOLANGE", "1944-02-15", 'F' } }, 1,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_NO_CANDIDATE },
    { "ins-outside-the-practice-patient-without-ins",
      { { ins_outside, OID, "BERNARD", NULL, "CLAIRE", "1990-09-02", 'F' } }, 1,
      CAB_MATCH_PROPOSED, "p-noins", CAB_MATCH_REASON_TRAITS },
    { "ins-outside-the-practice-patient-holds-another",
      { { ins_dupont_nia, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_OTHER_INS, 0, { "p-dupont" } },
    { "ins-of-an-unqualified-identity",
      { { ins_recup, OID, "NGUYEN", NULL, "THI", "1980-11-05", 'F' } }, 1,
      CAB_MATCH_PROPOSED, "p-recup", CAB_MATCH_REASON_NOT_QUALIFIED },
    { "ins-without-traits",
      { { ins_dupont, OID, NULL, NULL, NULL, NULL, 0 } }, 1,
      CAB_MATCH_PROPOSED, "p-dupont", CAB_MATCH_REASON_TRAITS_MISSING },
    { "ins-without-birth-date",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", NULL, 'F' } }, 1,
      CAB_MATCH_PROPOSED, "p-dupont", CAB_MATCH_REASON_TRAITS_MISSING },
    { "no-ins-no-birth-date",
      { { NULL, NULL, "DUPONT", NULL, "MARIE", NULL, 'F' } }, 1,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_NO_TRAITS },
    { "identifier-of-another-system-is-not-an-ins",
      { { ins_dupont, "1.2.250.1.213.1.4.9", "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' } }, 1,
      CAB_MATCH_PROPOSED, "p-dupont", CAB_MATCH_REASON_TRAITS },
    { "ins-held-by-two-patients",
      { { ins_shared, OID, "ROUX", NULL, "PAUL", "1945-01-13", 'M' } }, 1,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_INS_HELD_TWICE, 0, { "p-dup-a", "p-dup-b" } },
    { "two-documents-one-patient",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' },
        { ins_dupont, OID, NULL, "MARTIN", "MARIE-HELENE", "1961-03-12", 'F' } }, 2,
      CAB_MATCH_AUTO, "p-dupont", CAB_MATCH_REASON_INS_QUALIFIED },
    { "two-documents-two-patients",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' },
        { ins_legoff, OID, "LE GOFF", NULL, "HERVE", "1972-05-07", 'M' } }, 2,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_DOCUMENTS_DISAGREE, 0, { "p-dupont", "p-legoff" } },
    { "second-document-names-someone-else-without-ins",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' },
        { NULL, NULL, "SOMEONE", NULL, "ELSE", "1999-01-01", 'M' } }, 2,
      CAB_MATCH_CONFLICT, NULL, CAB_MATCH_REASON_DOCUMENTS_DISAGREE },
    { "second-document-without-traits",
      { { ins_dupont, OID, "DUPONT", NULL, "MARIE-HELENE", "1961-03-12", 'F' },
        { NULL, NULL, NULL, NULL, NULL, NULL, 0 } }, 2,
      CAB_MATCH_PROPOSED, "p-dupont", CAB_MATCH_REASON_TRAITS },
    { "no-document", { { 0 } }, 0,
      CAB_MATCH_NONE, NULL, CAB_MATCH_REASON_NO_TRAITS },
  };

  *n = G_N_ELEMENTS (c);
  return c;
}

static void
test_case (gconstpointer data)
{
  const MatchCase *c = data;
  g_autoptr(CabMatchResult) r = cab_match_compute (c->docs, c->n_docs, practice, G_N_ELEMENTS (practice));

  g_assert_cmpstr (cab_match_state_to_string (r->state), ==, cab_match_state_to_string (c->state));
  g_assert_cmpstr (cab_match_reason_to_string (r->reason), ==, cab_match_reason_to_string (c->reason));
  g_assert_cmpstr (r->patient_id, ==, c->patient_id);
  if (c->disagreeing != 0)
    g_assert_cmpint (r->disagreeing, ==, c->disagreeing);
  for (guint i = 0; i < G_N_ELEMENTS (c->candidates) && c->candidates[i] != NULL; i++)
    g_assert_true (g_ptr_array_find_with_equal_func (r->candidates, c->candidates[i], g_str_equal, NULL));
  /* Patient safety: only AUTO files alone, and only to the INS's holder. */
  if (r->state == CAB_MATCH_AUTO)
    {
      g_assert_nonnull (r->ins);
      for (guint i = 0; i < G_N_ELEMENTS (practice); i++)
        if (g_strcmp0 (practice[i].id, r->patient_id) == 0)
          {
            g_assert_true (practice[i].qualified);
            g_assert_cmpstr (practice[i].ins, ==, r->ins);
          }
    }
}

static void
test_fold (void)
{
  struct { const char *a, *b; gboolean same; } folds[] = {
    { "Le Goff", "LE-GOFF", TRUE },
    { "N'Guyen", "NGUYEN", TRUE },
    { "Hélène", "HELENE", TRUE },
    { "Cœur", "COEUR", TRUE },
    { "Müller", "MULLER", TRUE },
    { "Marie", "Marine", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (folds); i++)
    {
      g_autofree char *a = cab_match_fold_name (folds[i].a);
      g_autofree char *b = cab_match_fold_name (folds[i].b);

      g_assert_cmpint (g_str_equal (a, b), ==, folds[i].same);
    }
}

/* Every case again, with the practice in reverse order: the answer never
 * depends on which patient the store returned first. */
static void
test_order_independent (void)
{
  guint n;
  const MatchCase *c = cases (&n);
  CabMatchPatient reversed[G_N_ELEMENTS (practice)];

  for (guint i = 0; i < G_N_ELEMENTS (practice); i++)
    reversed[i] = practice[G_N_ELEMENTS (practice) - 1 - i];
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CabMatchResult) a = cab_match_compute (c[i].docs, c[i].n_docs, practice, G_N_ELEMENTS (practice));
      g_autoptr(CabMatchResult) b = cab_match_compute (c[i].docs, c[i].n_docs, reversed, G_N_ELEMENTS (reversed));

      g_assert_cmpint (a->state, ==, b->state);
      g_assert_cmpstr (a->patient_id, ==, b->patient_id);
      g_assert_cmpuint (a->candidates->len, ==, b->candidates->len);
    }
}

/* A person's choice, checked before filing (cab_match_check_patient()):
 * each row is what the message says against one patient of the practice,
 * and the traits that must be shown as disagreeing. */
static void
test_check_patient (void)
{
  const struct
  {
    const char        *name;
    CabMatchTraits     docs[MAX_DOCS];
    guint              n_docs;
    guint              patient;   /* in practice[] */
    CabMatchTraitFlags expected;
  } rows[] = {
    { "agrees", { { ins_dupont, OID, "DUPONT", "MARTIN", "Marie-Helene", "1961-03-12", 'F' } }, 1, 0, 0 },
    { "used-name-only", { { NULL, NULL, NULL, "martin", "marie helene", "1961-03-12", 0 } }, 1, 0, 0 },
    { "transposed-date", { { NULL, NULL, "Dupont", NULL, "Marie-Hélène", "1961-12-03", 'F' } }, 1, 0,
      CAB_MATCH_TRAIT_BIRTH_DATE },
    { "twin-sister", { { ins_twin_a, OID, "Lefebvre", NULL, "Lucas", "2015-06-01", 'M' } }, 1, 2,
      CAB_MATCH_TRAIT_GIVEN | CAB_MATCH_TRAIT_SEX | CAB_MATCH_TRAIT_INS },
    { "homonym-no-ins", { { NULL, NULL, "Moreau", NULL, "Jean", "1950-01-01", 'M' } }, 1, 4, 0 },
    { "wrong-key", { { ins_bad_key, OID, "Dupont", NULL, "Marie-Hélène", "1961-03-12", 'F' } }, 1, 0,
      CAB_MATCH_TRAIT_INS },
    { "second-document-disagrees",
      { { ins_legoff, OID, "Le Goff", NULL, "Hervé", "1972-05-07", 'M' },
        { NULL, NULL, "Bernard", NULL, "Claire", "1990-09-02", 'F' } }, 2, 6,
      CAB_MATCH_TRAIT_FAMILY | CAB_MATCH_TRAIT_GIVEN | CAB_MATCH_TRAIT_BIRTH_DATE | CAB_MATCH_TRAIT_SEX },
    { "names-nobody", { { 0 } }, 0, 9, 0 },
    { "traits-missing", { { NULL, NULL, NULL, NULL, NULL, "1990-09-02", 0 } }, 1, 9, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      CabMatchTraitFlags got = cab_match_check_patient (rows[i].docs, rows[i].n_docs, &practice[rows[i].patient]);

      g_test_message ("%s", rows[i].name);
      g_assert_cmphex (got, ==, rows[i].expected);
    }
}

int
main (int argc, char **argv)
{
  guint n;
  const MatchCase *c;

  g_test_init (&argc, &argv, NULL);
  setup_practice ();
  c = cases (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat ("/mail/match/", c[i].name, NULL);
      g_test_add_data_func (path, &c[i], test_case);
    }
  g_test_add_func ("/mail/match/fold", test_fold);
  g_test_add_func ("/mail/match/order-independent", test_order_independent);
  g_test_add_func ("/mail/match/check-patient", test_check_patient);
  return g_test_run ();
}
