/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-inbox"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-inbox-format.h"

const char *
cab_inbox_match_label (CabMatchState state)
{
  switch (state)
    {
    /* Translators: a message's patient match badge: found by a qualified INS */
    case CAB_MATCH_AUTO: return C_("match", "Auto");
    /* Translators: a message's patient match badge: one candidate, to confirm */
    case CAB_MATCH_PROPOSED: return C_("match", "Proposed");
    /* Translators: a message's patient match badge: the message contradicts itself or the record */
    case CAB_MATCH_CONFLICT: return C_("match", "Conflict");
    /* Translators: a message's patient match badge: no patient found, or several */
    case CAB_MATCH_NONE: return C_("match", "No patient");
    }
  g_return_val_if_reached ("");
}

const char *
cab_inbox_match_css (CabMatchState state)
{
  switch (state)
    {
    case CAB_MATCH_AUTO: return "cab-match-auto";
    case CAB_MATCH_PROPOSED: return "cab-match-proposed";
    case CAB_MATCH_CONFLICT: return "cab-match-conflict";
    case CAB_MATCH_NONE: return "cab-match-none";
    }
  g_return_val_if_reached ("cab-match-none");
}

const char *
cab_inbox_match_reason (CabMatchReason reason)
{
  switch (reason)
    {
    case CAB_MATCH_REASON_INS_QUALIFIED:
      return _("The INS of a patient with a qualified identity, and every trait agrees.");
    case CAB_MATCH_REASON_NOT_QUALIFIED:
      return _("The INS agrees, but the patient’s identity is not qualified: check it before filing.");
    case CAB_MATCH_REASON_TRAITS_MISSING:
      return _("The INS agrees, but the message lacks the birth date or the family name.");
    case CAB_MATCH_REASON_TRAITS:
      return _("No usable INS: one patient has this name and birth date.");
    case CAB_MATCH_REASON_BAD_INS:
      return _("The INS in the message is malformed or its key is wrong.");
    case CAB_MATCH_REASON_TRAITS_DISAGREE:
      return _("The INS belongs to a patient whose identity disagrees with the message.");
    case CAB_MATCH_REASON_INS_HELD_TWICE:
      return _("Two patients of the practice hold this INS.");
    case CAB_MATCH_REASON_OTHER_INS:
      return _("The one patient with these traits holds another INS.");
    case CAB_MATCH_REASON_DOCUMENTS_DISAGREE:
      return _("The documents of this message name different patients.");
    case CAB_MATCH_REASON_NO_CANDIDATE:
      return _("No patient of the practice matches this message.");
    case CAB_MATCH_REASON_SEVERAL_CANDIDATES:
      return _("Several patients match (twins, namesakes): choose one.");
    case CAB_MATCH_REASON_NO_TRAITS:
      return _("The message names no patient Cabinet can use.");
    case CAB_MATCH_REASON_FROM_TEXT:
      return _("The patient was recognised in the text of the message, not in structured data: check before filing.");
    case CAB_MATCH_REASON_FILED_UNKNOWN_PATIENT:
      return _("Another workstation filed this message to a patient this workstation does not have: check the patient, then file it here.");
    case CAB_MATCH_REASON_FILED_MISMATCH:
      return _("Another workstation filed this message, but its documents here are not the ones listed: check them before filing.");
    }
  g_return_val_if_reached ("");
}

char *
cab_inbox_match_traits (guint disagreeing)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (disagreeing & CAB_MATCH_TRAIT_FAMILY)
    g_ptr_array_add (names, (gpointer) _("family name"));
  if (disagreeing & CAB_MATCH_TRAIT_GIVEN)
    g_ptr_array_add (names, (gpointer) _("first name"));
  if (disagreeing & CAB_MATCH_TRAIT_BIRTH_DATE)
    g_ptr_array_add (names, (gpointer) _("birth date"));
  if (disagreeing & CAB_MATCH_TRAIT_SEX)
    g_ptr_array_add (names, (gpointer) _("sex"));
  if (disagreeing & CAB_MATCH_TRAIT_INS)
    g_ptr_array_add (names, (gpointer) _("INS"));
  if (names->len == 0)
    return NULL;
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

void
cab_inbox_match_badge_set_state (GtkLabel      *badge,
                                 CabMatchState  state)
{
  static const char * const classes[] = {
    "cab-match-auto", "cab-match-proposed", "cab-match-conflict", "cab-match-none",
  };
  const char *css = cab_inbox_match_css (state);

  /* Only what changes: each class change restyles the badge. */
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (!g_str_equal (classes[i], css))
      gtk_widget_remove_css_class (GTK_WIDGET (badge), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (badge), css);
  gtk_label_set_label (badge, cab_inbox_match_label (state));
}

void
cab_inbox_match_badge_update (GtkLabel     *badge,
                              CabInboxItem *item)
{
  cab_inbox_match_badge_set_state (badge, cab_inbox_item_get_match_state (item));
  gtk_widget_set_tooltip_text (GTK_WIDGET (badge), cab_inbox_match_reason (cab_inbox_item_get_match_reason (item)));
}

const char *
cab_inbox_status_label (const char *status)
{
  if (g_strcmp0 (status, "handled") == 0)
    return _("Handled");
  if (g_strcmp0 (status, "assigned") == 0)
    return _("Assigned");
  return _("To triage");
}
