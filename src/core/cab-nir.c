/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-nir"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cab-nir.h"

/* NIR layout: sex (1), year (2), month (2), department (2), commune (3),
 * order (3), key (2). Messages never quote the number itself: it may end
 * up in a log. */

#define NIR_BODY_LENGTH 13
#define NIR_LENGTH      15

G_DEFINE_QUARK (cab-nir-error-quark, cab_nir_error)

char *
cab_nir_normalize (const char *input)
{
  GString *out;

  if (input == NULL)
    return g_strdup ("");

  out = g_string_sized_new (NIR_LENGTH + 1);

  for (const guchar *p = (const guchar *) input; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '.' || *p == '-')
        continue;

      /* French typography puts (narrow) no-break spaces between groups. */
      if (p[0] == 0xC2 && p[1] == 0xA0)
        {
          p += 1;
          continue;
        }
      if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
        {
          p += 2;
          continue;
        }

      g_string_append_c (out, g_ascii_toupper (*p));
    }

  return g_string_free (out, FALSE);
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

static int
two_digits (const char *s)
{
  return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Checks the 13 first characters and returns their value as a number, with
 * Corsica's 2A/2B read as 19/18; -1 with @error when malformed. */
static gint64
nir_body_value (const char  *nir,
                GError     **error)
{
  const char *dept;
  gint64 value = 0;
  int month;

  if (strlen (nir) < NIR_BODY_LENGTH)
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("An INS has 15 characters (13 digits and a 2-digit key)"));
      return -1;
    }

  dept = nir + 5;

  if (!all_digits (nir, 5) || !all_digits (nir + 7, 6) ||
      !(all_digits (dept, 2) || (dept[0] == '2' && (dept[1] == 'A' || dept[1] == 'B'))))
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("An INS contains only digits, apart from 2A or 2B for people born in Corsica"));
      return -1;
    }

  if (strchr ("123478", nir[0]) == NULL)
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("An INS starts with 1 (man) or 2 (woman)"));
      return -1;
    }

  /* 20-42 and 50-99 are used when the birth month is unknown. */
  month = two_digits (nir + 3);
  if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50))
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("The birth month in this INS (4th and 5th characters) is not valid"));
      return -1;
    }

  if (dept[0] == '0' && dept[1] == '0')
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("The birth department in this INS (6th and 7th characters) is not valid"));
      return -1;
    }

  for (guint i = 0; i < NIR_BODY_LENGTH; i++)
    {
      int digit = nir[i] - '0';

      /* Corsica: 2A reads 19, 2B reads 18 (the '2' at index 5 becomes '1'). */
      if (i == 5 && g_ascii_isalpha (dept[1]))
        digit = 1;
      else if (i == 6 && dept[1] == 'A')
        digit = 9;
      else if (i == 6 && dept[1] == 'B')
        digit = 8;

      value = value * 10 + digit;
    }

  return value;
}

int
cab_nir_compute_key (const char  *nir13,
                     GError     **error)
{
  gint64 value;

  g_return_val_if_fail (nir13 != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  value = nir_body_value (nir13, error);
  if (value < 0)
    return -1;

  return (int) (97 - (value % 97));
}

gboolean
cab_nir_validate (const char  *nir,
                  GError     **error)
{
  int key;

  g_return_val_if_fail (nir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strlen (nir) != NIR_LENGTH)
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("An INS has 15 characters (13 digits and a 2-digit key)"));
      return FALSE;
    }

  key = cab_nir_compute_key (nir, error);
  if (key < 0)
    return FALSE;

  if (!all_digits (nir + NIR_BODY_LENGTH, 2))
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_SYNTAX,
                           _("The INS key (the last 2 characters) must be two digits"));
      return FALSE;
    }

  if (two_digits (nir + NIR_BODY_LENGTH) != key)
    {
      g_set_error_literal (error, CAB_NIR_ERROR, CAB_NIR_ERROR_KEY,
                           _("The INS key does not match: check the number for a typing error"));
      return FALSE;
    }

  return TRUE;
}
