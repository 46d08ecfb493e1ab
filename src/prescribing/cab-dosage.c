/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cab-dosage.h"

/*
 * Dosages are written in French whatever the interface language: the
 * printed prescription is a French legal document read by a French
 * pharmacist and patient (docs/domain.md, "Prescriptions").
 */

void
cab_dosage_clear (CabDosage *dosage)
{
  g_clear_pointer (&dosage->unit, g_free);
  g_clear_pointer (&dosage->text, g_free);
  memset (dosage, 0, sizeof *dosage);
}

void
cab_dosage_copy (const CabDosage *src,
                 CabDosage       *dest)
{
  *dest = *src;
  dest->unit = g_strdup (src->unit);
  dest->text = g_strdup (src->text);
}

/* ---------------------------------------------------------------- quantity */

static const char *
fraction_glyph (guint quarters)
{
  switch (quarters)
    {
    case 1: return "¼";
    case 2: return "½";
    case 3: return "¾";
    default: return "";
    }
}

char *
cab_dosage_format_quantity (guint numerator,
                            guint denominator)
{
  guint quarters, whole;

  if (denominator == 0 || 4 % denominator != 0)
    return g_strdup_printf ("%u", numerator);
  quarters = numerator * (4 / denominator);
  whole = quarters / 4;
  if (quarters % 4 == 0)
    return g_strdup_printf ("%u", whole);
  if (whole == 0)
    return g_strdup (fraction_glyph (quarters % 4));
  return g_strdup_printf ("%u%s", whole, fraction_glyph (quarters % 4));
}

/* Reduces quarters to the smallest denominator among 1, 2 and 4. */
static void
set_quarters (guint  quarters,
              guint *numerator,
              guint *denominator)
{
  if (quarters % 4 == 0)
    {
      *numerator = quarters / 4;
      *denominator = 1;
    }
  else if (quarters % 2 == 0)
    {
      *numerator = quarters / 2;
      *denominator = 2;
    }
  else
    {
      *numerator = quarters;
      *denominator = 4;
    }
}

static gboolean
parse_uint (const char **p,
            guint       *out)
{
  guint64 value = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      value = value * 10 + (guint64) (*s - '0');
      if (value > CAB_DOSAGE_MAX_QUANTITY * 100)
        return FALSE;
      s++;
    }
  *out = (guint) value;
  *p = s;
  return TRUE;
}

gboolean
cab_dosage_parse_quantity (const char *text,
                           guint      *numerator,
                           guint      *denominator)
{
  const char *p = text;
  guint whole = 0, quarters = 0, a, b;
  gboolean have_whole = FALSE;

  if (text == NULL)
    return FALSE;
  while (*p == ' ')
    p++;

  if (g_ascii_isdigit (*p))
    {
      if (!parse_uint (&p, &a))
        return FALSE;
      if (*p == '/')
        {
          /* "1/2" */
          p++;
          if (!parse_uint (&p, &b) || (b != 1 && b != 2 && b != 4) || a == 0)
            return FALSE;
          quarters = a * (4 / b);
        }
      else if (*p == '.' || *p == ',')
        {
          /* "0.5", "1,25": quarters only */
          guint frac_digits = 0, frac = 0;

          p++;
          while (g_ascii_isdigit (*p) && frac_digits < 2)
            {
              frac = frac * 10 + (guint) (*p - '0');
              frac_digits++;
              p++;
            }
          if (frac_digits == 1)
            frac *= 10;
          if (g_ascii_isdigit (*p) || frac_digits == 0 || frac % 25 != 0)
            return FALSE;
          quarters = a * 4 + frac / 25;
        }
      else
        {
          whole = a;
          have_whole = TRUE;
        }
    }

  if (quarters == 0)
    {
      /* Optional fraction after a whole number: "1 1/2", "1½", "½". */
      while (*p == ' ')
        p++;
      if (g_str_has_prefix (p, "½"))
        quarters = 2, p += strlen ("½");
      else if (g_str_has_prefix (p, "¼"))
        quarters = 1, p += strlen ("¼");
      else if (g_str_has_prefix (p, "¾"))
        quarters = 3, p += strlen ("¾");
      else if (have_whole && g_ascii_isdigit (*p))
        {
          if (!parse_uint (&p, &a) || *p != '/')
            return FALSE;
          p++;
          if (!parse_uint (&p, &b) || (b != 2 && b != 4) || a == 0 || a * (4 / b) >= 4)
            return FALSE;
          quarters = a * (4 / b);
        }
      else if (!have_whole)
        return FALSE;
      quarters += whole * 4;
    }

  while (*p == ' ')
    p++;
  if (*p != '\0' || quarters == 0 || quarters > CAB_DOSAGE_MAX_QUANTITY * 4)
    return FALSE;
  set_quarters (quarters, numerator, denominator);
  return TRUE;
}

/* -------------------------------------------------------------------- units */

/* Units whose plural is not the singular + "s". */
static const struct
{
  const char *singular;
  const char *plural;
} irregular_units[] = {
  { "cuillère-mesure", "cuillères-mesure" },
  { "cuillère à café", "cuillères à café" },
  { "cuillère à soupe", "cuillères à soupe" },
  { "stylo prérempli", "stylos préremplis" },
  { "seringue préremplie", "seringues préremplies" },
};

static gboolean
is_abbreviation (const char *unit)
{
  /* "mL", "mg", "UI", "µg": short or with a capital inside. */
  if (g_utf8_strlen (unit, -1) <= 2)
    return TRUE;
  for (const char *p = unit; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      return TRUE;
  return FALSE;
}

char *
cab_dosage_unit_for (const char *unit,
                     guint       numerator,
                     guint       denominator)
{
  gsize len;

  if (unit == NULL || *unit == '\0')
    return g_strdup ("");
  /* French: the plural starts at 2 ("1½ comprimé", "2 comprimés"). */
  if (denominator == 0 || numerator < 2 * denominator || is_abbreviation (unit))
    return g_strdup (unit);
  for (guint i = 0; i < G_N_ELEMENTS (irregular_units); i++)
    if (g_str_equal (unit, irregular_units[i].singular))
      return g_strdup (irregular_units[i].plural);
  len = strlen (unit);
  if (unit[len - 1] == 's' || unit[len - 1] == 'x' || unit[len - 1] == 'z')
    return g_strdup (unit);
  return g_strconcat (unit, "s", NULL);
}

/* ----------------------------------------------------------------- duration */

static const struct
{
  CabDurationUnit unit;
  const char     *name;
  const char     *singular;
  const char     *plural;
  guint           days;
} duration_units[] = {
  { CAB_DURATION_DAY, "day", "jour", "jours", 1 },
  { CAB_DURATION_WEEK, "week", "semaine", "semaines", 7 },
  { CAB_DURATION_MONTH, "month", "mois", "mois", 30 },
};

const char *
cab_duration_unit_to_string (CabDurationUnit unit)
{
  for (guint i = 0; i < G_N_ELEMENTS (duration_units); i++)
    if (duration_units[i].unit == unit)
      return duration_units[i].name;
  return NULL;
}

gboolean
cab_duration_unit_from_string (const char      *text,
                               CabDurationUnit *unit)
{
  /* JSON names, and the words people type in French and English. */
  static const struct { const char *word; CabDurationUnit unit; } words[] = {
    { "day", CAB_DURATION_DAY }, { "days", CAB_DURATION_DAY },
    { "jour", CAB_DURATION_DAY }, { "jours", CAB_DURATION_DAY }, { "j", CAB_DURATION_DAY },
    { "week", CAB_DURATION_WEEK }, { "weeks", CAB_DURATION_WEEK },
    { "semaine", CAB_DURATION_WEEK }, { "semaines", CAB_DURATION_WEEK },
    { "month", CAB_DURATION_MONTH }, { "months", CAB_DURATION_MONTH },
    { "mois", CAB_DURATION_MONTH },
  };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (words); i++)
    if (g_ascii_strcasecmp (text, words[i].word) == 0)
      {
        *unit = words[i].unit;
        return TRUE;
      }
  return FALSE;
}

gboolean
cab_dosage_parse_duration (const char      *text,
                           guint           *duration,
                           CabDurationUnit *unit)
{
  const char *p = text;
  guint64 value = 0;
  g_autofree char *word = NULL;

  if (text == NULL)
    return FALSE;
  while (*p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > CAB_DOSAGE_MAX_DURATION)
        return FALSE;
      p++;
    }
  while (*p == ' ')
    p++;
  word = g_strstrip (g_strdup (p));
  if (value == 0 || !cab_duration_unit_from_string (word, unit))
    return FALSE;
  *duration = (guint) value;
  return TRUE;
}

char *
cab_dosage_format_duration (guint           duration,
                            CabDurationUnit unit)
{
  for (guint i = 0; duration > 0 && i < G_N_ELEMENTS (duration_units); i++)
    if (duration_units[i].unit == unit)
      return g_strdup_printf ("pendant %u %s", duration,
                              duration >= 2 ? duration_units[i].plural : duration_units[i].singular);
  return NULL;
}

guint
cab_dosage_duration_days (const CabDosage *dosage)
{
  for (guint i = 0; i < G_N_ELEMENTS (duration_units); i++)
    if (duration_units[i].unit == dosage->duration_unit)
      return dosage->duration * duration_units[i].days;
  return 0;
}

/* ------------------------------------------------------------------- French */

/* "le matin", "matin et soir", "matin, midi et soir", "matin et au coucher". */
static void
append_moments (GString *s,
                guint    moments)
{
  static const struct { guint bit; const char *alone; const char *listed; } names[] = {
    { CAB_DOSAGE_MORNING, "le matin", "matin" },
    { CAB_DOSAGE_NOON, "à midi", "midi" },
    { CAB_DOSAGE_EVENING, "le soir", "soir" },
    { CAB_DOSAGE_BEDTIME, "au coucher", "au coucher" },
  };
  guint n = 0, total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (moments & names[i].bit)
      total++;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (!(moments & names[i].bit))
        continue;
      if (n == 0)
        g_string_append_c (s, ' ');
      else if (n + 1 == total)
        g_string_append (s, " et ");
      else
        g_string_append (s, ", ");
      g_string_append (s, total == 1 ? names[i].alone : names[i].listed);
      n++;
    }
}

char *
cab_dosage_to_french (const CabDosage *dosage)
{
  GString *s = g_string_new (NULL);
  g_autofree char *duration = cab_dosage_format_duration (dosage->duration, dosage->duration_unit);

  if (dosage->text != NULL && *dosage->text != '\0')
    g_string_append (s, dosage->text);
  else if (dosage->numerator > 0)
    {
      g_autofree char *quantity = cab_dosage_format_quantity (dosage->numerator, dosage->denominator);
      g_autofree char *unit = cab_dosage_unit_for (dosage->unit, dosage->numerator, dosage->denominator);

      g_string_append (s, quantity);
      if (*unit != '\0')
        g_string_append_printf (s, " %s", unit);
      if (dosage->moments != 0)
        append_moments (s, dosage->moments);
      else if (dosage->times_per_day == 1)
        g_string_append (s, " par jour");
      else if (dosage->times_per_day > 1)
        g_string_append_printf (s, " %u fois par jour", dosage->times_per_day);
    }

  if (duration != NULL)
    {
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, duration);
    }
  return g_string_free (s, FALSE);
}
