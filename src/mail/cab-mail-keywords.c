/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Triage keywords: what they are is in docs/domain.md ("Triage keywords"). */

#include "cab-mail-keywords.h"

#include <string.h>

#define TRIAGE_PREFIX "$Cabinet"
/* Longer keywords are not ours (Dovecot's own limit is 50 by default). */
#define MAX_KEYWORD   128
/* A message with more keywords than this is hostile: the rest is ignored. */
#define MAX_KEYWORDS  512

void
cab_mail_triage_clear (CabMailTriage *triage)
{
  g_clear_pointer (&triage->assignee, g_free);
  g_clear_pointer (&triage->patient_id, g_free);
  memset (triage, 0, sizeof *triage);
}

void
cab_mail_triage_copy (const CabMailTriage *from,
                      CabMailTriage       *to)
{
  *to = *from;
  to->assignee = g_strdup (from->assignee);
  to->patient_id = g_strdup (from->patient_id);
}

const char *
cab_mail_triage_status (const CabMailTriage *triage)
{
  if (triage->handled)
    return "handled";
  return triage->assignee != NULL ? "assigned" : "new";
}

gboolean
cab_mail_keyword_id_is_valid (const char *id)
{
  gsize n;

  if (id == NULL)
    return FALSE;
  n = strlen (id);
  return n >= 1 && n <= 64 && strspn (id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") == n &&
         strcmp (id, ".") != 0 && strcmp (id, "..") != 0;
}

gboolean
cab_mail_keyword_is_triage (const char *keyword)
{
  return keyword != NULL && g_ascii_strncasecmp (keyword, TRIAGE_PREFIX, strlen (TRIAGE_PREFIX)) == 0;
}

static const char *
after_prefix (const char *keyword,
              const char *prefix)
{
  gsize n = strlen (prefix);

  return g_ascii_strncasecmp (keyword, prefix, n) == 0 ? keyword + n : NULL;
}

void
cab_mail_triage_from_keywords (const char * const *keywords,
                               CabMailTriage      *triage)
{
  cab_mail_triage_clear (triage);
  for (guint i = 0; keywords != NULL && keywords[i] != NULL && i < MAX_KEYWORDS; i++)
    {
      const char *k = keywords[i];
      const char *rest;

      if (strlen (k) > MAX_KEYWORD || !cab_mail_keyword_is_triage (k))
        continue;
      if (g_ascii_strcasecmp (k, CAB_MAIL_KEYWORD_HANDLED) == 0)
        triage->handled = TRUE;
      else if (g_ascii_strcasecmp (k, CAB_MAIL_KEYWORD_FILED) == 0)
        triage->filed = TRUE;
      else if ((rest = after_prefix (k, CAB_MAIL_KEYWORD_ASSIGNED_PREFIX)) != NULL)
        {
          /* Two desks assigning at once: the first in order wins here, the
           * conflict is shown by the outbox. */
          if (cab_mail_keyword_id_is_valid (rest) &&
              (triage->assignee == NULL || strcmp (rest, triage->assignee) < 0))
            {
              g_free (triage->assignee);
              triage->assignee = g_strdup (rest);
            }
        }
      else if ((rest = after_prefix (k, CAB_MAIL_KEYWORD_PATIENT_PREFIX)) != NULL)
        {
          if (cab_mail_keyword_id_is_valid (rest) &&
              (triage->patient_id == NULL || strcmp (rest, triage->patient_id) < 0))
            {
              g_free (triage->patient_id);
              triage->patient_id = g_strdup (rest);
            }
        }
      else if ((rest = after_prefix (k, CAB_MAIL_KEYWORD_DISMISSED_PREFIX)) != NULL)
        {
          guint64 n = 0;

          if (strlen (rest) <= 3 && strspn (rest, "0123456789") == strlen (rest) && *rest != '0' &&
              g_ascii_string_to_unsigned (rest, 10, 1, CAB_MAIL_TRIAGE_MAX_DOCUMENTS, &n, NULL))
            triage->dismissed[n - 1] = TRUE;
        }
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char **
sorted_unique (GPtrArray *array)
{
  g_ptr_array_sort (array, compare_strings);
  for (guint i = 1; i < array->len;)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (array, i - 1), g_ptr_array_index (array, i)) == 0)
        g_ptr_array_remove_index (array, i);
      else
        i++;
    }
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

char **
cab_mail_triage_to_keywords (const CabMailTriage *triage)
{
  GPtrArray *k = g_ptr_array_new_with_free_func (g_free);

  if (triage->handled)
    g_ptr_array_add (k, g_strdup (CAB_MAIL_KEYWORD_HANDLED));
  if (triage->filed)
    g_ptr_array_add (k, g_strdup (CAB_MAIL_KEYWORD_FILED));
  if (cab_mail_keyword_id_is_valid (triage->assignee))
    g_ptr_array_add (k, g_strconcat (CAB_MAIL_KEYWORD_ASSIGNED_PREFIX, triage->assignee, NULL));
  if (cab_mail_keyword_id_is_valid (triage->patient_id))
    g_ptr_array_add (k, g_strconcat (CAB_MAIL_KEYWORD_PATIENT_PREFIX, triage->patient_id, NULL));
  for (guint i = 0; i < CAB_MAIL_TRIAGE_MAX_DOCUMENTS; i++)
    if (triage->dismissed[i])
      g_ptr_array_add (k, g_strdup_printf (CAB_MAIL_KEYWORD_DISMISSED_PREFIX "%u", i + 1));
  return sorted_unique (k);
}

char *
cab_mail_keywords_join (const char * const *keywords)
{
  GPtrArray *copy = g_ptr_array_new ();
  g_autofree char **sorted = NULL;

  for (guint i = 0; keywords != NULL && keywords[i] != NULL && i < MAX_KEYWORDS; i++)
    if (*keywords[i] != '\0' && strlen (keywords[i]) <= MAX_KEYWORD && strpbrk (keywords[i], " \t\r\n") == NULL)
      g_ptr_array_add (copy, (char *) keywords[i]);
  sorted = sorted_unique (copy);
  return g_strjoinv (" ", sorted);
}

char **
cab_mail_keywords_split (const char *text)
{
  GPtrArray *out = g_ptr_array_new ();
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (out, g_strdup (parts[i]));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char **
cab_mail_keywords_triage_only (const char * const *keywords)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; keywords != NULL && keywords[i] != NULL && i < MAX_KEYWORDS; i++)
    if (cab_mail_keyword_is_triage (keywords[i]) && strlen (keywords[i]) <= MAX_KEYWORD)
      g_ptr_array_add (out, g_strdup (keywords[i]));
  g_ptr_array_set_free_func (out, g_free);
  return sorted_unique (out);
}

gboolean
cab_mail_keywords_equal (const char * const *a,
                         const char * const *b)
{
  guint na = a != NULL ? g_strv_length ((char **) a) : 0;
  guint nb = b != NULL ? g_strv_length ((char **) b) : 0;

  for (guint i = 0; i < na; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < nb && !found; j++)
        found = g_ascii_strcasecmp (a[i], b[j]) == 0;
      if (!found)
        return FALSE;
    }
  for (guint j = 0; j < nb; j++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < na && !found; i++)
        found = g_ascii_strcasecmp (a[i], b[j]) == 0;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static gboolean
contains (const char * const *set,
          const char         *keyword)
{
  for (guint i = 0; set != NULL && set[i] != NULL; i++)
    if (g_ascii_strcasecmp (set[i], keyword) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
single_valued_prefix (const char  *keyword,
                      const char **prefix)
{
  static const char * const prefixes[] = { CAB_MAIL_KEYWORD_PATIENT_PREFIX, CAB_MAIL_KEYWORD_ASSIGNED_PREFIX };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_ascii_strncasecmp (keyword, prefixes[i], strlen (prefixes[i])) == 0)
      {
        *prefix = prefixes[i];
        return TRUE;
      }
  return FALSE;
}

char **
cab_mail_keywords_rebase (const char * const *theirs,
                          const char * const *base,
                          const char * const *want)
{
  g_auto(GStrv) t = cab_mail_keywords_triage_only (theirs);
  g_auto(GStrv) b = cab_mail_keywords_triage_only (base);
  g_auto(GStrv) w = cab_mail_keywords_triage_only (want);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; t[i] != NULL; i++)
    {
      const char *prefix;
      gboolean replaced = FALSE;

      /* Taken away by my change. */
      if (contains ((const char * const *) b, t[i]) && !contains ((const char * const *) w, t[i]))
        continue;
      /* A patient or assignee of theirs that mine replaces. */
      if (single_valued_prefix (t[i], &prefix))
        for (guint j = 0; w[j] != NULL && !replaced; j++)
          replaced = !contains ((const char * const *) b, w[j]) &&
                     g_ascii_strncasecmp (w[j], prefix, strlen (prefix)) == 0;
      if (!replaced)
        g_ptr_array_add (out, g_strdup (t[i]));
    }
  for (guint j = 0; w[j] != NULL; j++)
    if (!contains ((const char * const *) b, w[j]))
      g_ptr_array_add (out, g_strdup (w[j]));
  return sorted_unique (out);
}
