/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-inbox-item.h"
#include "cab-mail-match.h"

G_BEGIN_DECLS

/* How the Inbox page writes a message's match and triage state, for its
 * rows and its reading pane (translated, pure). */

/* "Auto", "Proposed", "Conflict", "No patient". */
const char *cab_inbox_match_label    (CabMatchState   state);
/* The badge's style class: cab-match-auto... (conflict is red). */
const char *cab_inbox_match_css      (CabMatchState   state);
/* What the matcher found, in a sentence a secretary reads. */
const char *cab_inbox_match_reason   (CabMatchReason  reason);
/* "family name, birth date" for the traits that disagree; NULL when none. */
char       *cab_inbox_match_traits   (guint           disagreeing);
/* Sets @badge's text and style class for @state (no tooltip: the list's
 * rows answer query-tooltip instead). */
void        cab_inbox_match_badge_set_state (GtkLabel      *badge,
                                             CabMatchState  state);
/* Sets @badge's text, tooltip and style class for @item. */
void        cab_inbox_match_badge_update (GtkLabel      *badge,
                                          CabInboxItem  *item);
/* "To triage", "Assigned", "Handled". */
const char *cab_inbox_status_label   (const char     *status);

G_END_DECLS
