/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-followup-rules.h"
#include "cab-session.h"
#include "cab-measure-card.h"

G_BEGIN_DECLS

#define CAB_TYPE_FOLLOWUP_PANEL (cab_followup_panel_get_type ())
G_DECLARE_FINAL_TYPE (CabFollowupPanel, cab_followup_panel, CAB, FOLLOWUP_PANEL, GtkWidget)

/* One patient's follow-up: who (name, identity status, followed
 * conditions), one card per measure of their plan (CabMeasureCard: state,
 * chart, last value in words), and recording a measure (Ctrl+M,
 * "followup.record"). Reads the plan with core's query
 * (cab_followup_query_patient_async()) and the titles of lab reports with
 * core's timeline model, for the charts' tooltips.
 *
 * Properties: session (its store and outbox), rules, today ("YYYY-MM-DD"
 * or NULL for now), patient-id, loading (read-only).
 * Signal "recorded" (measure id): a measure was just recorded; the panel
 * has reloaded its charts. */
GtkWidget      *cab_followup_panel_new            (void);
void            cab_followup_panel_set_session    (CabFollowupPanel *self,
                                                   CabSession       *session);
void            cab_followup_panel_set_rules      (CabFollowupPanel *self,
                                                   CabFollowupRules *rules);
void            cab_followup_panel_set_today      (CabFollowupPanel *self,
                                                   const char       *today);
void            cab_followup_panel_set_patient_id (CabFollowupPanel *self,
                                                   const char       *patient_id);
const char     *cab_followup_panel_get_patient_id (CabFollowupPanel *self);
/* Reads the plan and every chart again (a sync, a recording elsewhere). */
void            cab_followup_panel_reload         (CabFollowupPanel *self);
/* TRUE while the plan or a chart is being read. */
gboolean        cab_followup_panel_get_loading    (CabFollowupPanel *self);
/* Opens the recording dialog (@measure_id preselected, or NULL). */
void            cab_followup_panel_record         (CabFollowupPanel *self,
                                                   const char       *measure_id);

/* For tests: the cards shown, the open recording dialog (NULL when none),
 * and the patient's name as shown. */
guint           cab_followup_panel_get_n_cards    (CabFollowupPanel *self);
CabMeasureCard *cab_followup_panel_get_card       (CabFollowupPanel *self,
                                                   const char       *measure_id);
GtkWindow      *cab_followup_panel_get_dialog     (CabFollowupPanel *self);
const char     *cab_followup_panel_get_title      (CabFollowupPanel *self);

G_END_DECLS
