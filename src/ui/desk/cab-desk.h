/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-patient-page.h"
#include "patients/cab-patient-search.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_DESK (cab_desk_get_type ())
G_DECLARE_FINAL_TYPE (CabDesk, cab_desk, CAB, DESK, GtkWidget)

/* The consultation desk, the Patients page: the patient search in a column
 * and, beside it, the practice overview (the "overview" child, until a
 * patient is chosen) or the open patient. Opening a patient records when
 * (for "new since last opened") with an audit entry, with core's query,
 * and puts them first in the recent patients (GSettings "recent-patients")
 * and in a running sync. */
GtkWidget        *cab_desk_new                (void);
/* @settings may be NULL (schema not installed): nothing is remembered. */
void              cab_desk_set_session        (CabDesk        *self,
                                               CabSession     *session,
                                               GSettings      *settings);
void              cab_desk_set_overview       (CabDesk        *self,
                                               GtkWidget      *overview);
void              cab_desk_open_patient       (CabDesk        *self,
                                               const char     *patient_id);
/* Back to the overview and the search. */
void              cab_desk_show_home          (CabDesk        *self);
/* Shows the search column and focuses it. */
void              cab_desk_focus_search       (CabDesk        *self);

/* The open patient's id, NULL on the overview. */
const char       *cab_desk_get_patient_id     (CabDesk        *self);
/* "DUPONT Hélène" once the open patient is shown, else NULL. */
const char       *cab_desk_get_title          (CabDesk        *self);
/* TRUE from cab_desk_open_patient() until the patient page shows them. */
gboolean          cab_desk_get_opening        (CabDesk        *self);
gboolean          cab_desk_get_search_visible (CabDesk        *self);
void              cab_desk_set_search_visible (CabDesk        *self,
                                               gboolean        visible);
CabPatientSearch *cab_desk_get_search         (CabDesk        *self);
CabPatientPage   *cab_desk_get_patient_page   (CabDesk        *self);

/* Signals: "patient-opened" (patient id) once the page shows the patient.
 * Properties: session (handed on to the patient page; the search follows
 * its store), overview, search-visible, title, patient-id. */

G_END_DECLS
