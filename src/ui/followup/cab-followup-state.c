/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup-state"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-date-format.h"
#include "cab-followup-state.h"

static const char * const state_classes[] = {
  [CAB_FOLLOWUP_STATE_OK] = "cab-followup-ok",
  [CAB_FOLLOWUP_STATE_DUE] = "cab-followup-due",
  [CAB_FOLLOWUP_STATE_NEVER] = "cab-followup-never",
  [CAB_FOLLOWUP_STATE_OVERDUE] = "cab-followup-overdue",
};

const char *
cab_followup_state_css (CabFollowupState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_classes))
    return state_classes[CAB_FOLLOWUP_STATE_OK];
  return state_classes[state];
}

void
cab_followup_state_label_update (GtkLabel         *label,
                                 CabFollowupState  state)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), state_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (label), cab_followup_state_css (state));
  gtk_label_set_text (label, cab_followup_state_get_label (state));
}

char *
cab_followup_format_date (const char *iso)
{
  return cab_date_format_day (iso, NULL);
}

char *
cab_followup_status_dates_text (CabFollowupStatus *status)
{
  g_autofree char *last = NULL;
  g_autofree char *due = NULL;

  g_return_val_if_fail (CAB_IS_FOLLOWUP_STATUS (status), NULL);

  if (cab_followup_status_get_last_date (status) == NULL)
    return g_strdup (_("No result yet"));

  last = cab_followup_format_date (cab_followup_status_get_last_date (status));
  due = cab_followup_format_date (cab_followup_status_get_due_date (status));
  if (cab_followup_status_get_state (status) == CAB_FOLLOWUP_STATE_OK)
    /* Translators: "Last 12/03/2025 · next due 12/06/2025" */
    return g_strdup_printf (_("Last %s · next due %s"), last, due != NULL ? due : "?");
  /* Translators: "Last 12/03/2025 · due since 12/06/2025" */
  return g_strdup_printf (_("Last %s · due since %s"), last, due != NULL ? due : "?");
}
