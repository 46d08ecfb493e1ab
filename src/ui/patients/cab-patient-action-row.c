/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-patient-action-row.h"
#include "cab-patient-format.h"

GtkWidget *
cab_patient_action_row_new (const CabPatientRow  *row,
                            gboolean              with_ins,
                            GtkLabel            **badge)
{
  GtkWidget *action_row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (NULL);
  g_autofree char *name = cab_format_patient_name (&row->patient);
  g_autofree char *birth = cab_format_birth_name (&row->patient);
  /* The birth name beside the used one: documents name a patient by either
   * (an XDM's "LEROUX" for Mme OLLIVIER née LEROUX), and the person
   * confirming a match compares them. */
  /* Translators: a patient's name and birth name, e.g. "OLLIVIER Marie (née LEROUX)" */
  g_autofree char *title = birth != NULL ? g_strdup_printf (_("%s (%s)"), name, birth) : g_strdup (name);
  g_autofree char *details = cab_format_patient_details (&row->patient);
  g_autofree char *ins = with_ins ? cab_format_ins (row->patient.ins) : NULL;
  g_autofree char *subtitle = ins != NULL ? g_strdup_printf ("%s · INS %s", details ? details : "", ins)
                                          : g_strdup (details ? details : "");

  g_return_val_if_fail (row != NULL, NULL);

  /* Names are data, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), subtitle);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  cab_identity_badge_update (GTK_LABEL (label), cab_identity_status_shown (row));
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), label);
  if (badge != NULL)
    *badge = GTK_LABEL (label);
  return action_row;
}
