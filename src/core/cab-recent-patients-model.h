/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-patient-item.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_RECENT_PATIENTS_MODEL (cab_recent_patients_model_get_type ())
G_DECLARE_FINAL_TYPE (CabRecentPatientsModel, cab_recent_patients_model, CAB, RECENT_PATIENTS_MODEL, GObject)

/* The patients opened last, as a GListModel of CabPatientItem: the ids
 * (most recent first, as GSettings "recent-patients" keeps them; bind it
 * with g_settings_bind()) read from the store on core's reader pool. A
 * patient no longer in the store is left out. New ids or a new store
 * cancel the read under way; each answer replaces the list in one
 * "items-changed". Lives on the main context.
 *
 * Properties: store (CabStore), patient-ids (GStrv), loading. */
CabRecentPatientsModel *cab_recent_patients_model_new             (CabStore               *store);
CabStore               *cab_recent_patients_model_get_store       (CabRecentPatientsModel *self);
void                    cab_recent_patients_model_set_store       (CabRecentPatientsModel *self,
                                                                   CabStore               *store);
const char * const     *cab_recent_patients_model_get_patient_ids (CabRecentPatientsModel *self);
void                    cab_recent_patients_model_set_patient_ids (CabRecentPatientsModel *self,
                                                                   const char * const     *patient_ids);
gboolean                cab_recent_patients_model_get_loading     (CabRecentPatientsModel *self);
/* Reads the patients again (the store changed). */
void                    cab_recent_patients_model_reload          (CabRecentPatientsModel *self);

G_END_DECLS
