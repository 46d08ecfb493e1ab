/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_RECENT_PATIENTS (cab_recent_patients_get_type ())
G_DECLARE_FINAL_TYPE (CabRecentPatients, cab_recent_patients, CAB, RECENT_PATIENTS, GtkWidget)

/* Quick links to the patients opened last (GSettings "recent-patients"),
 * read from the store on a worker thread; hidden when there are none.
 * A click emits "patient-activated" with the patient id. */
GtkWidget *cab_recent_patients_new     (void);
void       cab_recent_patients_set     (CabRecentPatients  *self,
                                        CabStore           *store,
                                        const char * const *patient_ids);
/* Patients listed (those still in the store). */
guint      cab_recent_patients_get_n   (CabRecentPatients  *self);

G_END_DECLS
