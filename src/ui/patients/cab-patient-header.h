/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_HEADER (cab_patient_header_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientHeader, cab_patient_header, CAB, PATIENT_HEADER, GtkWidget)

/* The open patient at a glance: identity with its status badge, INS, médecin
 * traitant, conditions (ALD marked), when the data was last refreshed, and a
 * refresh button that emits "refresh-requested" (patient id). Reads the
 * patient with core's summary query (cab-patient-queries.h), never on the
 * main thread. Properties: store, patient-id, loading. */
GtkWidget  *cab_patient_header_new             (void);
void        cab_patient_header_set_patient     (CabPatientHeader *self,
                                                CabStore         *store,
                                                const char       *patient_id);
/* The store to read from; a new one reads the patient shown again. */
CabStore   *cab_patient_header_get_store       (CabPatientHeader *self);
void        cab_patient_header_set_store       (CabPatientHeader *self,
                                                CabStore         *store);
const char *cab_patient_header_get_patient_id  (CabPatientHeader *self);
/* Reads the patient again from the store (after a sync). */
void        cab_patient_header_reload          (CabPatientHeader *self);
/* While TRUE the refresh button is off and the header says it is refreshing. */
void        cab_patient_header_set_refreshing  (CabPatientHeader *self,
                                                gboolean          refreshing);
/* TRUE until the current patient's data is shown. */
gboolean    cab_patient_header_get_loading     (CabPatientHeader *self);
/* "DUPONT Hélène" once loaded (for the window title), else NULL. */
const char *cab_patient_header_get_title       (CabPatientHeader *self);
/* "Dr Jean MARTIN", or NULL when the patient has none in the store. */
const char *cab_patient_header_get_practitioner (CabPatientHeader *self);
/* TRUE when another stored patient has this patient's INS: the header
 * says so (docs/architecture.md, principle 4: never a silent guess between two records). */
gboolean    cab_patient_header_get_ins_duplicate (CabPatientHeader *self);
/* Number of conditions shown, and of those marked ALD. */
guint       cab_patient_header_get_n_conditions (CabPatientHeader *self,
                                                 guint            *n_ald);

G_END_DECLS
