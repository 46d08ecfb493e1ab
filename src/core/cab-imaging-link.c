/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-imaging-link"

#include "config.h"

#include <string.h>

#include "cab-imaging-link.h"

static gboolean
is_set (const char *s)
{
  return s != NULL && s[0] != '\0';
}

/* The value of one placeholder, unescaped; NULL for an unknown name. */
static const char *
lookup (const char       *name,
        gsize             len,
        const char       *study_uid,
        const CabPatient *patient)
{
#define IS(word) (len == strlen (word) && strncmp (name, word, len) == 0)
  if (IS ("study_uid"))
    return study_uid;
  if (patient == NULL)
    return IS ("ins") || IS ("family") || IS ("given") || IS ("birth_date") || IS ("sex") ? "" : NULL;
  /* The INS travels only with a qualified identity (docs/domain.md, "Identity status"). */
  if (IS ("ins"))
    return g_strcmp0 (patient->identity_status, "QUAL") == 0 ? patient->ins : "";
  if (IS ("family"))
    return is_set (patient->birth_name) ? patient->birth_name : patient->family;
  if (IS ("given"))
    return patient->given;
  if (IS ("birth_date"))
    return patient->birth_date;
  if (IS ("sex"))
    return patient->sex;
#undef IS
  return NULL;
}

char *
cab_imaging_link_build (const char       *template_,
                        const char       *study_uid,
                        const CabPatient *patient)
{
  GString *url;
  const char *p;

  if (!is_set (template_) || !is_set (study_uid))
    return NULL;

  url = g_string_new (NULL);
  p = template_;

  while (*p != '\0')
    {
      const char *open = strchr (p, '{');
      const char *close;
      const char *value;

      if (open == NULL)
        {
          g_string_append (url, p);
          break;
        }

      g_string_append_len (url, p, open - p);
      close = strchr (open + 1, '}');
      if (close == NULL)
        {
          g_string_append (url, open);
          break;
        }

      value = lookup (open + 1, close - open - 1, study_uid, patient);
      if (value == NULL)
        g_string_append_len (url, open, close - open + 1);
      else if (value[0] != '\0')
        {
          /* Nothing reserved survives: a name with '&' or '#' stays one value. */
          g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

          g_string_append (url, escaped);
        }
      p = close + 1;
    }

  return g_string_free (url, FALSE);
}
