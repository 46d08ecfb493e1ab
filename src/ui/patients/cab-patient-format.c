/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-date-format.h"
#include "cab-patient-format.h"
#include "cab-store-private.h"

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

/* "jean-pierre MARIE" -> "Jean-Pierre Marie": upper after a space, a hyphen
 * or an apostrophe, lower elsewhere. */
static char *
capitalise_words (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean start = TRUE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (start)
        g_string_append_unichar (out, g_unichar_totitle (c));
      else
        g_string_append_unichar (out, g_unichar_tolower (c));
      start = (c == ' ' || c == '-' || c == '\'' || c == 0x2019);
    }
  return g_string_free (out, FALSE);
}

char *
cab_format_patient_name (const CabPatient *patient)
{
  const char *family_src;
  g_autofree char *family = NULL;
  g_autofree char *given = NULL;

  g_return_val_if_fail (patient != NULL, NULL);

  family_src = patient->family != NULL ? patient->family : patient->birth_name;
  family = family_src != NULL ? g_utf8_strup (family_src, -1) : NULL;
  given = patient->given != NULL ? capitalise_words (patient->given) : NULL;

  if (family != NULL && given != NULL)
    return g_strconcat (family, " ", given, NULL);
  if (family != NULL)
    return g_steal_pointer (&family);
  if (given != NULL)
    return g_steal_pointer (&given);
  return g_strdup (_("Unnamed patient"));
}

char *
cab_format_birth_name (const CabPatient *patient)
{
  g_autofree char *birth = NULL;
  g_autofree char *family = NULL;
  g_autofree char *upper = NULL;

  g_return_val_if_fail (patient != NULL, NULL);

  if (patient->birth_name == NULL || patient->family == NULL)
    return NULL;

  /* The store's folding: "Dupont-Étienne" is "DUPONT-ETIENNE". */
  birth = cab_store_fold (patient->birth_name, FALSE);
  family = cab_store_fold (patient->family, FALSE);
  if (g_str_equal (birth, family))
    return NULL;

  upper = g_utf8_strup (patient->birth_name, -1);
  if (g_strcmp0 (patient->sex, "female") == 0)
    /* Translators: the birth name of a woman, e.g. "née MARTIN" */
    return g_strdup_printf (_("née %s"), upper);
  if (g_strcmp0 (patient->sex, "male") == 0)
    /* Translators: the birth name of a man, e.g. "né MARTIN" */
    return g_strdup_printf (_("né %s"), upper);
  /* Translators: the birth name when the sex is not known */
  return g_strdup_printf (_("birth name %s"), upper);
}

const char *
cab_format_sex (const char *sex)
{
  if (g_strcmp0 (sex, "female") == 0)
    return _("Female");
  if (g_strcmp0 (sex, "male") == 0)
    return _("Male");
  if (g_strcmp0 (sex, "other") == 0)
    return _("Other sex");
  return _("Sex unknown");
}

/* ------------------------------------------------------------------ */
/* Dates                                                                */
/* ------------------------------------------------------------------ */

static gboolean
all_digits (const char *s,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* The core's formatter, shared with cabinetctl (cab-date-format.h). */
char *
cab_format_date (const char *iso)
{
  return cab_date_format_day (iso, NULL);
}

GDateTime *
cab_parse_fhir_datetime (const char *iso)
{
  return cab_date_parse (iso, NULL);
}

char *
cab_parse_french_date (const char *text)
{
  return cab_date_parse_french (text);
}

char *
cab_format_age (const char *birth_date,
                GDateTime  *today)
{
  g_autoptr(GDateTime) now = NULL;
  int year, month, day = 1, months;

  if (birth_date == NULL || strlen (birth_date) < 4 || !all_digits (birth_date, 4))
    return NULL;

  year = atoi (birth_date);
  month = strlen (birth_date) >= 7 ? atoi (birth_date + 5) : 1;
  if (strlen (birth_date) >= 10)
    day = atoi (birth_date + 8);

  now = today != NULL ? g_date_time_ref (today) : g_date_time_new_now_local ();
  months = (g_date_time_get_year (now) - year) * 12 + (g_date_time_get_month (now) - month);
  if (g_date_time_get_day_of_month (now) < day)
    months--;
  if (months < 0)
    return NULL;

  if (months < 24)
    return g_strdup_printf (ngettext ("%d month", "%d months", months), months);
  return g_strdup_printf (ngettext ("%d year", "%d years", months / 12), months / 12);
}

char *
cab_format_patient_details (const CabPatient *patient)
{
  GString *out;
  g_autofree char *date = NULL;
  g_autofree char *age = NULL;

  g_return_val_if_fail (patient != NULL, NULL);

  out = g_string_new (cab_format_sex (patient->sex));
  date = cab_format_date (patient->birth_date);
  age = cab_format_age (patient->birth_date, NULL);
  if (date != NULL)
    g_string_append_printf (out, " · %s", date);
  if (age != NULL)
    g_string_append_printf (out, " · %s", age);
  return g_string_free (out, FALSE);
}

char *
cab_format_ins (const char *ins)
{
  static const guint groups[] = { 1, 2, 2, 2, 3, 3, 2 };
  GString *out;
  gsize len, pos = 0;

  if (ins == NULL)
    return NULL;

  len = strlen (ins);
  if (len != 15)
    return g_strdup (ins);

  out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append_len (out, ins + pos, groups[i]);
      pos += groups[i];
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Identity status                                                      */
/* ------------------------------------------------------------------ */

const char *
cab_identity_status_shown (const CabPatientRow *row)
{
  g_return_val_if_fail (row != NULL, NULL);

  if (row->ins_duplicate && row->patient.ins != NULL)
    return CAB_IDENTITY_SHOWN_CONFLICT;
  return row->patient.identity_status;
}

const char *
cab_identity_status_label (const char *status)
{
  if (g_strcmp0 (status, CAB_IDENTITY_SHOWN_CONFLICT) == 0)
    return _("INS held twice");
  if (g_strcmp0 (status, "QUAL") == 0)
    return _("Qualified INS");
  if (g_strcmp0 (status, "VALI") == 0)
    return _("Identity validated");
  if (g_strcmp0 (status, "PROV") == 0)
    return _("Provisional identity");
  if (g_strcmp0 (status, "RECUP") == 0)
    return _("Retrieved identity");
  return _("Identity not qualified");
}

const char *
cab_identity_status_tooltip (const char *status)
{
  if (g_strcmp0 (status, CAB_IDENTITY_SHOWN_CONFLICT) == 0)
    return _("Another patient in the local store holds the same INS: Cabinet will not choose between them until the identity is checked");
  if (g_strcmp0 (status, "QUAL") == 0)
    return _("Identity checked against an identity document and the national INS service: the INS may be used");
  if (g_strcmp0 (status, "VALI") == 0)
    return _("Identity checked against an identity document, INS not yet retrieved from the national service");
  if (g_strcmp0 (status, "PROV") == 0)
    return _("Identity not checked: documents and prescriptions must not carry the INS");
  if (g_strcmp0 (status, "RECUP") == 0)
    return _("INS retrieved from the national service, identity not checked against a document");
  return _("No identity status: check the patient’s identity document");
}

const char *
cab_identity_status_css (const char *status)
{
  if (g_strcmp0 (status, CAB_IDENTITY_SHOWN_CONFLICT) == 0)
    return "cab-badge-provisional";
  if (g_strcmp0 (status, "QUAL") == 0)
    return "cab-badge-qualified";
  if (g_strcmp0 (status, "VALI") == 0)
    return "cab-badge-validated";
  if (g_strcmp0 (status, "PROV") == 0)
    return "cab-badge-provisional";
  if (g_strcmp0 (status, "RECUP") == 0)
    return "cab-badge-retrieved";
  return "cab-badge-unqualified";
}

void
cab_identity_badge_update (GtkLabel   *badge,
                           const char *status)
{
  static const char * const classes[] = {
    "cab-badge-qualified", "cab-badge-validated", "cab-badge-provisional",
    "cab-badge-retrieved", "cab-badge-unqualified",
  };

  g_return_if_fail (GTK_IS_LABEL (badge));

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (badge), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (badge), "cab-badge");
  gtk_widget_add_css_class (GTK_WIDGET (badge), cab_identity_status_css (status));
  gtk_label_set_label (badge, cab_identity_status_label (status));
  gtk_widget_set_tooltip_text (GTK_WIDGET (badge), cab_identity_status_tooltip (status));
}
