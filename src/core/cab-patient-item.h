/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_ITEM (cab_patient_item_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientItem, cab_patient_item, CAB, PATIENT_ITEM, GObject)

/* A patient for list models (search results, recent patients): wraps a
 * store row, immutable, so it may be built on a query thread.
 * Property: id (read-only). */
CabPatientItem      *cab_patient_item_new_take (CabPatientRow  *row);
const CabPatientRow *cab_patient_item_get_row  (CabPatientItem *self);
const char          *cab_patient_item_get_id   (CabPatientItem *self);

G_END_DECLS
