/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-prescription-rules.h"

/* Narrow therapeutic margin (MTE): the closed list of docs/domain.md,
 * folded (no accents, lower case), matched as whole words. */
static const char * const mte_substances[] = {
  "lamotrigine", "pregabaline", "zonisamide", "levetiracetam", "topiramate",
  "valproate de sodium", "levothyroxine", "mycophenolate", "buprenorphine",
  "azathioprine", "ciclosporine", "everolimus",
};

/* The longest treatment one prescription covers, renewals included. */
#define MAX_COVERED_DAYS 366

static char *
fold (const char *text)
{
  g_autofree char *nfd = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  GString *s = g_string_new (" ");

  for (const char *p = nfd; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      if (g_unichar_isalnum (c))
        g_string_append_unichar (s, g_unichar_tolower (c));
      else if (s->str[s->len - 1] != ' ')
        g_string_append_c (s, ' ');
    }
  if (s->str[s->len - 1] != ' ')
    g_string_append_c (s, ' ');
  return g_string_free (s, FALSE);
}

gboolean
cab_substance_is_mte (const char *substance)
{
  g_autofree char *folded = NULL;

  if (substance == NULL)
    return FALSE;
  folded = fold (substance);
  for (guint i = 0; i < G_N_ELEMENTS (mte_substances); i++)
    {
      g_autofree char *word = g_strconcat (" ", mte_substances[i], " ", NULL);

      if (strstr (folded, word) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
parse_ymd (const char *text,
           gboolean    partial_ok,
           int        *y,
           int        *m,
           int        *d)
{
  gsize len = text != NULL ? strlen (text) : 0;

  *m = 1;
  *d = 1;
  if (len < 4 || !(len == 4 || len == 7 || len == 10) || (!partial_ok && len != 10))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((i == 4 || i == 7) ? text[i] != '-' : !g_ascii_isdigit (text[i]))
      return FALSE;
  *y = atoi (text);
  if (len >= 7)
    *m = atoi (text + 5);
  if (len == 10)
    *d = atoi (text + 8);
  return *y > 0 && g_date_valid_dmy (*d, *m, *y);
}

gboolean
cab_prescription_is_under_six (const char *birth_date,
                               const char *date)
{
  int by, bm, bd, y, m, d;

  if (!parse_ymd (birth_date, TRUE, &by, &bm, &bd) || !parse_ymd (date, FALSE, &y, &m, &d))
    return FALSE;
  /* Under six while the sixth birthday is still ahead. */
  by += 6;
  return by > y || (by == y && (bm > m || (bm == m && bd > d)));
}

static GError *
line_error (CabPrescriptionError code,
            guint                index,
            const char          *reason)
{
  return g_error_new (CAB_PRESCRIPTION_ERROR, code, _("Line %u: %s"), index + 1, reason);
}

static void
check_line (const CabPrescription      *rx,
            const CabPrescriptionFacts *facts,
            guint                       index,
            GPtrArray                  *errors)
{
  const CabPrescriptionLine *line = g_ptr_array_index (rx->lines, index);
  const CabMedicine *m = &line->medicine;
  guint days = cab_dosage_duration_days (&line->dosage);

  if (m->dci == NULL && m->brand == NULL)
    g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE, index,
                                         _("this CIS is not in the drug database")));

  switch (line->non_substitutable)
    {
    case CAB_NON_SUBSTITUTABLE_NONE:
      break;

    case CAB_NON_SUBSTITUTABLE_MTE:
      {
        gboolean listed = FALSE;

        for (guint i = 0; m->substances != NULL && m->substances[i] != NULL && !listed; i++)
          listed = cab_substance_is_mte (m->substances[i]);
        if (!listed)
          g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_MTE, index,
                                               _("“NS MTE” is allowed only for the narrow "
                                                 "therapeutic margin substances of the closed list")));
        break;
      }

    case CAB_NON_SUBSTITUTABLE_EFG:
      if (!cab_prescription_is_under_six (facts->birth_date, rx->date))
        g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_EFG, index,
                                             _("“NS EFG” is allowed only for a child under 6 "
                                               "on the day of the prescription")));
      break;

    case CAB_NON_SUBSTITUTABLE_CIF:
      if (facts->intolerance == NULL || !facts->intolerance[index])
        g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_CIF, index,
                                             _("“NS CIF” needs an excipient intolerance "
                                               "recorded in the patient’s allergies")));
      break;

    default:
      g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION, index,
                                           _("non-substitution (NS) needs exactly one "
                                             "justification: MTE, EFG or CIF")));
      break;
    }

  if (line->ald && !facts->has_ald)
    g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_ALD, index,
                                         _("the patient has no ALD: no line can go in the "
                                           "ALD zone")));

  if (line->renewals > CAB_PRESCRIPTION_MAX_RENEWALS ||
      (days > 0 && (guint64) days * (line->renewals + 1) > MAX_COVERED_DAYS))
    g_ptr_array_add (errors, line_error (CAB_PRESCRIPTION_ERROR_RENEWALS, index,
                                         _("a prescription covers at most 12 months of "
                                           "treatment, renewals included")));
}

GPtrArray *
cab_prescription_check_all (const CabPrescription      *rx,
                            const CabPrescriptionFacts *facts)
{
  GPtrArray *errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_return_val_if_fail (rx != NULL && facts != NULL, errors);

  if (rx->lines->len == 0)
    g_ptr_array_add (errors, g_error_new_literal (CAB_PRESCRIPTION_ERROR, CAB_PRESCRIPTION_ERROR_EMPTY,
                                                  _("The prescription has no line")));
  for (guint i = 0; i < rx->lines->len; i++)
    check_line (rx, facts, i, errors);
  return errors;
}

gboolean
cab_prescription_check (const CabPrescription      *rx,
                        const CabPrescriptionFacts *facts,
                        GError                    **error)
{
  g_autoptr(GPtrArray) errors = cab_prescription_check_all (rx, facts);

  if (errors->len == 0)
    return TRUE;
  g_propagate_error (error, g_error_copy (g_ptr_array_index (errors, 0)));
  return FALSE;
}
