/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-followup-items.h"
#include "cab-followup-rules.h"

G_BEGIN_DECLS

#define CAB_TYPE_FOLLOWUP_ROW (cab_followup_row_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupRow, cab_followup_row, CAB, FOLLOWUP_ROW, GtkWidget)

/* A patient of the worklist: name and identity status, the most urgent
 * state, birth date, age and followed conditions, and what
 * is to do, grouped in words ("Overdue: HbA1c, eGFR · Due: blood
 * pressure"), the measures out of target named too. The colours repeat
 * what the words say. */
GtkWidget          *cab_followup_row_new          (void);
/* @rules name the conditions. */
void                cab_followup_row_set_patient  (CabFollowupRow     *self,
                                                   CabFollowupPatient *patient,
                                                   CabFollowupRules   *rules);
CabFollowupPatient *cab_followup_row_get_patient  (CabFollowupRow     *self);
/* "Overdue: HbA1c, eGFR · Due: Blood pressure · Out of target: HbA1c";
 * with @widget, as Pango markup in its theme's colours, else plain. */
char               *cab_followup_patient_todo_text (CabFollowupPatient *patient,
                                                    GtkWidget          *widget);
/* "Type 2 diabetes, Hypertension". */
char               *cab_followup_patient_conditions_text (CabFollowupPatient *patient,
                                                         CabFollowupRules   *rules);

G_END_DECLS
