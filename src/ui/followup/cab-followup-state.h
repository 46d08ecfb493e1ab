/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-followup-items.h"

G_BEGIN_DECLS

/* How the follow-up widgets show where a measure stands, so the worklist,
 * the panel and the printed round say it alike. */

/* The CSS class of a state (.cab-followup-overdue...). */
const char *cab_followup_state_css         (CabFollowupState   state);
/* Sets @label to the state's name with its class (the word says it; the
 * colour only repeats it). */
void        cab_followup_state_label_update (GtkLabel          *label,
                                             CabFollowupState   state);
/* "Last 12/03/2025 · due since 12/06/2025", "No result yet". */
char       *cab_followup_status_dates_text (CabFollowupStatus *status);
/* "12/03/2025" from "2025-03-12"; NULL for NULL. */
char       *cab_followup_format_date       (const char        *iso);

G_END_DECLS
