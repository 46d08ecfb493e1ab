/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_RECENT_PATIENTS (cab_recent_patients_get_type ())
G_DECLARE_FINAL_TYPE (CabRecentPatients, cab_recent_patients, CAB, RECENT_PATIENTS, GtkWidget)

/* Quick links to the patients opened last (GSettings "recent-patients"),
 * read by core's CabRecentPatientsModel; hidden when there are none.
 * A click emits "patient-activated" with the patient id. */
GtkWidget  *cab_recent_patients_new       (void);
/* Patients listed (those still in the store). */
guint       cab_recent_patients_get_n     (CabRecentPatients  *self);
/* The CabRecentPatientsModel shown (GListModel of CabPatientItem): the
 * window binds its store and its patient ids. */
GListModel *cab_recent_patients_get_model (CabRecentPatients  *self);

G_END_DECLS
