/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-nir"

#include <glib.h>
#include <string.h>

#include "cab-nir.h"

typedef struct
{
  const char *nir;
  int key;
} KeyCase;

/* Keys computed independently (97 - N mod 97, 2A -> 19, 2B -> 18). */
static const KeyCase key_cases[] = {
  { "1850578006084", 91 },
  { "290032A004012", 34 },   /* Corsica, Corse-du-Sud */
  { "190032B123456", 74 },   /* Corsica, Haute-Corse */
  { "2551299123045", 10 },   /* born abroad */
  { "1691075123005", 30 },   /* Paris */
  { "1800397411012", 32 },   /* overseas (La Réunion) */
  { "1850578006078", 97 },   /* N mod 97 == 0 */
};

static void
test_compute_key (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      int key = cab_nir_compute_key (key_cases[i].nir, &error);

      g_assert_no_error (error);
      g_assert_cmpint (key, ==, key_cases[i].key);
    }
}

static void
test_validate_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *nir = g_strdup_printf ("%s%02d", key_cases[i].nir, key_cases[i].key);

      g_assert_true (cab_nir_validate (nir, &error));
      g_assert_no_error (error);
    }
}

static void
test_corsica_reads_19_18 (void)
{
  /* 2A/2B must not be read as 20: the same number with "20" has another key. */
  g_assert_cmpint (cab_nir_compute_key ("290032A004012", NULL), !=,
                   cab_nir_compute_key ("2900320004012", NULL));
  g_assert_cmpint (cab_nir_compute_key ("290032A004012", NULL), ==,
                   cab_nir_compute_key ("2900319004012", NULL));
  g_assert_cmpint (cab_nir_compute_key ("190032B123456", NULL), ==,
                   cab_nir_compute_key ("1900318123456", NULL));
}

static void
test_wrong_key (void)
{
  static const char * const wrong[] = {
    "185057800608490",   /* key off by one */
    "185057800608419",   /* digits swapped in the key */
    "185057800680491",   /* digits swapped in the body */
    "290032A00401235",
    "185057800607800",   /* the key-97 number with key 00 */
    "290032B00401234",   /* 2A's key on a 2B number */
  };

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cab_nir_validate (wrong[i], &error));
      g_assert_error (error, CAB_NIR_ERROR, CAB_NIR_ERROR_KEY);
      g_assert_nonnull (strstr (error->message, "typing error"));
    }
}

static void
test_syntax (void)
{
  static const char * const bad[] = {
    "",
    "1",
    "18505780060849",      /* 14 characters */
    "1850578006084911",    /* 16 characters */
    "585057800608491",     /* sex digit 5 */
    "085057800608491",     /* sex digit 0 */
    "185007800608491",     /* month 00 */
    "185137800608491",     /* month 13 */
    "185457800608491",     /* month 45 */
    "185050000608491",     /* department 00 */
    "185052C00608491",     /* department 2C */
    "18505A800608491",     /* letter outside the department */
    "1850578006084AB",     /* letters in the key */
    "1850578006084 9",
    "2900302a00401234",    /* lowercase, too long */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u", i);
      g_assert_false (cab_nir_validate (bad[i], &error));
      g_assert_error (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX);
      g_assert_nonnull (error->message);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (cab_nir_validate ("185", &error));
    g_assert_cmpstr (error->message, ==, "An INS has 15 characters (13 digits and a 2-digit key)");
  }

  {
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (cab_nir_compute_key ("18505", &error), ==, -1);
    g_assert_error (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX);
  }
}

static void
test_special_cases (void)
{
  /* Sex digits 3, 4, 7, 8 and months 20-42 / 50-99 exist for special cases. */
  static const char * const bodies[] = {
    "3850578006084", "4850578006084", "7850578006084", "8850578006084",
    "1852078006084", "1854278006084", "1855078006084", "1859978006084",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      int key = cab_nir_compute_key (bodies[i], &error);
      g_autofree char *nir = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (key, >=, 1);
      g_assert_cmpint (key, <=, 97);
      nir = g_strdup_printf ("%s%02d", bodies[i], key);
      g_assert_true (cab_nir_validate (nir, NULL));
    }
}

static void
test_normalize (void)
{
  static const struct {
    const char *input;
    const char *output;
  } cases[] = {
    { "1 85 05 78 006 084 91", "185057800608491" },
    { "1.85.05.78.006.084.91", "185057800608491" },
    { "1-85-05-78-006-084-91", "185057800608491" },
    { "2 90 03 2a 004 012 34", "290032A00401234" },
    { "2 90 03 2b 004 012 34", "290032B00401234" },
    { "1\u00a085\u202f05 78 006 084 91", "185057800608491" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *nir = cab_nir_normalize (cases[i].input);

      g_assert_cmpstr (nir, ==, cases[i].output);
    }

  {
    g_autofree char *nir = cab_nir_normalize (NULL);

    g_assert_cmpstr (nir, ==, "");
  }

  {
    g_autofree char *nir = cab_nir_normalize ("2 90 03 2a 004 012 34");

    g_assert_true (cab_nir_validate (nir, NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nir/compute-key", test_compute_key);
  g_test_add_func ("/nir/validate/good", test_validate_good);
  g_test_add_func ("/nir/validate/corsica", test_corsica_reads_19_18);
  g_test_add_func ("/nir/validate/wrong-key", test_wrong_key);
  g_test_add_func ("/nir/validate/syntax", test_syntax);
  g_test_add_func ("/nir/validate/special-cases", test_special_cases);
  g_test_add_func ("/nir/normalize", test_normalize);

  return g_test_run ();
}
