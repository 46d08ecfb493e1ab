/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Labelled identity values in free text (cab-mail-text-traits.h). Labels
 * are compared folded to ASCII lower case without spaces, so "Né(e) le",
 * "NEE LE" and "née le" read alike. */

#include "cab-mail-text-traits.h"

#include <stdio.h>
#include <string.h>

#define MAX_VALUE 80

typedef enum
{
  TRAIT_NONE,
  TRAIT_BIRTH_FAMILY,
  TRAIT_USAGE_FAMILY,
  TRAIT_GIVEN,
  TRAIT_BIRTH_DATE,
  TRAIT_SEX,
  TRAIT_INS,
  TRAIT_OID,
  N_TRAITS
} Trait;

static const struct { const char *label; Trait trait; } labels[] = {
  { "nomdenaissance", TRAIT_BIRTH_FAMILY },
  { "nomnaissance", TRAIT_BIRTH_FAMILY },
  { "nomdefamille", TRAIT_BIRTH_FAMILY },
  { "nom", TRAIT_BIRTH_FAMILY },
  { "nomd'usage", TRAIT_USAGE_FAMILY },
  { "nomusuel", TRAIT_USAGE_FAMILY },
  { "nomutilise", TRAIT_USAGE_FAMILY },
  { "nommarital", TRAIT_USAGE_FAMILY },
  { "prenom", TRAIT_GIVEN },
  { "prenoms", TRAIT_GIVEN },
  { "prenom(s)", TRAIT_GIVEN },
  { "premierprenom", TRAIT_GIVEN },
  { "datedenaissance", TRAIT_BIRTH_DATE },
  { "ne(e)le", TRAIT_BIRTH_DATE },
  { "neele", TRAIT_BIRTH_DATE },
  { "nele", TRAIT_BIRTH_DATE },
  { "ne(e)", TRAIT_BIRTH_DATE },
  { "sexe", TRAIT_SEX },
  { "ins", TRAIT_INS },
  { "ins(nir)", TRAIT_INS },
  { "ins-nir", TRAIT_INS },
  { "matriculeins", TRAIT_INS },
  { "oid", TRAIT_OID },
};

typedef struct
{
  char    *value[N_TRAITS];
  gboolean conflict[N_TRAITS];
} Reading;

/* "Né(e) le" -> "ne(e)le": ASCII, lower case, no spaces. */
static char *
fold_label (const char *label, gsize len)
{
  g_autofree char *part = g_strndup (label, len);
  g_autofree char *ascii = g_str_to_ascii (part, "C");
  GString *folded = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (folded, g_ascii_tolower (*p));
  return g_string_free (folded, FALSE);
}

static Trait
trait_for_label (const char *folded)
{
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (folded, labels[i].label))
      return labels[i].trait;
  return TRAIT_NONE;
}

/* A name: letters, spaces, hyphens, apostrophes; nothing else after it. */
static char *
read_name (const char *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value));

  if (*trimmed == '\0' || strlen (trimmed) > MAX_VALUE || !g_utf8_validate (trimmed, -1, NULL))
    return NULL;
  for (const char *p = trimmed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalpha (c) && c != ' ' && c != '-' && c != '\'' && c != 0x2019)
        return NULL;
    }
  return g_steal_pointer (&trimmed);
}

/* DD/MM/YYYY (or . -), or YYYY-MM-DD, first word of @value. */
static char *
read_date (const char *value)
{
  guint a, b, c;
  char sep1, sep2;

  while (*value == ' ')
    value++;
  if (sscanf (value, "%4u-%2u-%2u", &a, &b, &c) == 3 && a > 1800 && g_date_valid_dmy (c, b, a))
    return g_strdup_printf ("%04u-%02u-%02u", a, b, c);
  if (sscanf (value, "%2u%c%2u%c%4u", &a, &sep1, &b, &sep2, &c) == 5 && sep1 == sep2 &&
      (sep1 == '/' || sep1 == '.' || sep1 == '-') && c > 1800 && g_date_valid_dmy (a, b, c))
    return g_strdup_printf ("%04u-%02u-%02u", c, b, a);
  return NULL;
}

static char *
read_sex (const char *value)
{
  g_autofree char *word = g_strstrip (g_strdup (value));
  g_autofree char *folded = fold_label (word, strlen (word));

  if (g_str_equal (folded, "f") || g_str_equal (folded, "feminin") || g_str_equal (folded, "femme"))
    return g_strdup ("F");
  if (g_str_equal (folded, "m") || g_str_equal (folded, "masculin") || g_str_equal (folded, "homme"))
    return g_strdup ("M");
  return NULL;
}

/* Digits (and 2A/2B) with spaces dropped, up to the first other character. */
static char *
read_ins (const char *value)
{
  GString *ins = g_string_new (NULL);

  for (const char *p = value; *p != '\0' && ins->len <= 16; p++)
    {
      if (*p == ' ' || *p == '.' || (ins->len == 0 && *p == ':'))
        continue;
      if (g_ascii_isdigit (*p) || ((*p == 'A' || *p == 'B') && ins->len == 6))
        g_string_append_c (ins, *p);
      else
        break;
    }
  if (ins->len < 13)
    {
      g_string_free (ins, TRUE);
      return NULL;
    }
  return g_string_free (ins, FALSE);
}

static char *
read_oid (const char *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value));
  gsize len = strspn (trimmed, "0123456789.");

  if (len < 3 || len > 64)
    return NULL;
  trimmed[len] = '\0';
  return g_steal_pointer (&trimmed);
}

static void
keep (Reading *r, Trait trait, char *value)
{
  if (value == NULL || r->conflict[trait])
    {
      g_free (value);
      return;
    }
  if (r->value[trait] == NULL)
    {
      r->value[trait] = value;
      return;
    }
  /* Said twice: the same (folded) or nothing. */
  {
    g_autofree char *a = cab_match_fold_name (r->value[trait]);
    g_autofree char *b = cab_match_fold_name (value);

    if (!g_str_equal (a, b))
      {
        r->conflict[trait] = TRUE;
        g_clear_pointer (&r->value[trait], g_free);
      }
    g_free (value);
  }
}

/* One segment: "label : value", or "Né(e) le 12/03/1961 ...". */
static void
read_segment (Reading *r, const char *segment)
{
  const char *colon = strchr (segment, ':');
  g_autofree char *label = NULL;
  const char *value;
  Trait trait;

  while (*segment == ' ')
    segment++;
  if (colon != NULL && colon - segment <= 24)
    {
      label = fold_label (segment, colon - segment);
      value = colon + 1;
    }
  else
    {
      /* "Née le 12/03/1961 (64 ans)": a birth label without a colon. */
      static const char *births[] = { "Né(e) le ", "Née le ", "Né le ", "NE(E) LE ", "NEE LE ", "NE LE " };

      for (guint i = 0; i < G_N_ELEMENTS (births); i++)
        if (g_str_has_prefix (segment, births[i]))
          keep (r, TRAIT_BIRTH_DATE, read_date (segment + strlen (births[i])));
      return;
    }
  trait = trait_for_label (label);
  switch (trait)
    {
    case TRAIT_BIRTH_FAMILY:
    case TRAIT_USAGE_FAMILY:
    case TRAIT_GIVEN:
      keep (r, trait, read_name (value));
      break;
    case TRAIT_BIRTH_DATE:
      keep (r, trait, read_date (value));
      break;
    case TRAIT_SEX:
      keep (r, trait, read_sex (value));
      break;
    case TRAIT_INS:
      keep (r, trait, read_ins (value));
      break;
    case TRAIT_OID:
      keep (r, trait, read_oid (value));
      break;
    case TRAIT_NONE:
    case N_TRAITS:
      break;
    }
}

gboolean
cab_mail_text_traits_read (const char        *text,
                           CabMailTextTraits *traits)
{
  g_autofree char *copy = NULL;
  g_autoptr(GString) segment = g_string_new (NULL);
  Reading r = { 0 };
  gboolean any = FALSE;
  gsize len;

  memset (traits, 0, sizeof *traits);
  if (text == NULL)
    return FALSE;
  len = strnlen (text, CAB_MAIL_TEXT_TRAITS_MAX_TEXT);
  copy = g_utf8_make_valid (text, len);

  /* Segments end at line breaks, form feeds, tabs, "—", "|" and ";". */
  for (const char *p = copy; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || c == '\n' || c == '\r' || c == '\f' || c == '\t' || c == 0x2014 || c == '|' || c == ';')
        {
          if (segment->len > 0 && segment->len < 512)
            read_segment (&r, segment->str);
          g_string_truncate (segment, 0);
          if (c == 0)
            break;
          continue;
        }
      if (segment->len < 512)
        g_string_append_unichar (segment, c);
    }

  traits->birth_family = g_steal_pointer (&r.value[TRAIT_BIRTH_FAMILY]);
  traits->usage_family = g_steal_pointer (&r.value[TRAIT_USAGE_FAMILY]);
  traits->given = g_steal_pointer (&r.value[TRAIT_GIVEN]);
  traits->birth_date = g_steal_pointer (&r.value[TRAIT_BIRTH_DATE]);
  traits->ins = g_steal_pointer (&r.value[TRAIT_INS]);
  traits->ins_oid = g_steal_pointer (&r.value[TRAIT_OID]);
  if (r.value[TRAIT_SEX] != NULL)
    traits->sex = r.value[TRAIT_SEX][0];
  g_free (r.value[TRAIT_SEX]);
  any = traits->birth_family || traits->usage_family || traits->given || traits->birth_date ||
        traits->ins || traits->sex;
  return any;
}

void
cab_mail_text_traits_clear (CabMailTextTraits *traits)
{
  g_clear_pointer (&traits->ins, g_free);
  g_clear_pointer (&traits->ins_oid, g_free);
  g_clear_pointer (&traits->birth_family, g_free);
  g_clear_pointer (&traits->usage_family, g_free);
  g_clear_pointer (&traits->given, g_free);
  g_clear_pointer (&traits->birth_date, g_free);
  traits->sex = 0;
}

void
cab_mail_text_traits_to_match (const CabMailTextTraits *traits,
                               CabMatchTraits          *match)
{
  *match = (CabMatchTraits) {
    .ins = traits->ins,
    .ins_oid = traits->ins_oid,
    .birth_family = traits->birth_family,
    .usage_family = traits->usage_family,
    .given = traits->given,
    .birth_date = traits->birth_date,
    .sex = traits->sex,
    .from_text = TRUE,
  };
}
