/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-followup-worklist.h"
#include "cab-session.h"
#include "cab-followup-panel.h"

G_BEGIN_DECLS

#define CAB_TYPE_FOLLOWUP_PAGE (cab_followup_page_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupPage, cab_followup_page, CAB, FOLLOWUP_PAGE, GtkWidget)

/* The Follow-up page, the nurse's: the worklist (core's
 * CabFollowupWorklist: one row per patient with what is overdue or due,
 * most urgent first), its filters (condition, what is to do, médecin
 * traitant, search), the day's round printed (Ctrl+P), and beside it the
 * selected patient's follow-up panel (charts, recording with Ctrl+M).
 * Ctrl+F searches. The worklist is read again after each sync and each
 * recording.
 *
 * Rules: Cabinet's own (built in), replaced by the practice's file
 * ($XDG_CONFIG_HOME/cabinet/followup-rules.json) when there is one, read
 * asynchronously.
 *
 * Properties: session; today ("YYYY-MM-DD" or NULL for now; tests);
 * read-only n-overdue, n-due, n-never: patients of the whole practice with
 * a measure in that state (the sidebar's counts). Signal "toast" (string). */
GtkWidget           *cab_followup_page_new            (void);
void                 cab_followup_page_set_session    (CabFollowupPage *self,
                                                       CabSession      *session);
void                 cab_followup_page_set_today      (CabFollowupPage *self,
                                                       const char      *today);
/* Shows @patient_id's panel (from the patient page), whether or not the
 * worklist's filters show them. */
void                 cab_followup_page_show_patient   (CabFollowupPage *self,
                                                       const char      *patient_id);
void                 cab_followup_page_focus_search   (CabFollowupPage *self);
guint                cab_followup_page_get_n_overdue  (CabFollowupPage *self);
guint                cab_followup_page_get_n_due      (CabFollowupPage *self);
guint                cab_followup_page_get_n_never    (CabFollowupPage *self);

/* For tests. */
CabFollowupWorklist *cab_followup_page_get_worklist   (CabFollowupPage *self);
CabFollowupPanel    *cab_followup_page_get_panel      (CabFollowupPage *self);
GtkListView         *cab_followup_page_get_list_view  (CabFollowupPage *self);
/* Filters as the dropdowns set them: a condition prefix (NULL: all), a
 * state set, a médecin traitant reference (NULL: all). FALSE when the
 * dropdown has no such entry. */
gboolean             cab_followup_page_filter         (CabFollowupPage   *self,
                                                       const char        *condition,
                                                       CabFollowupStates  states,
                                                       const char        *gp);
guint                cab_followup_page_get_n_gps      (CabFollowupPage *self);
/* Prints the round to @export_filename (a PDF) instead of the dialog. */
void                 cab_followup_page_print_round    (CabFollowupPage     *self,
                                                       const char          *export_filename,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);

G_END_DECLS
