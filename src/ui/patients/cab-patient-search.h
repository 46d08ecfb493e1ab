/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_SEARCH (cab_patient_search_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientSearch, cab_patient_search, CAB, PATIENT_SEARCH, GtkWidget)

/* Search-as-you-type over the store's patients: the results are core's
 * CabPatientResults, whose query runs on core's reader pool; a newer
 * keystroke cancels the older query and its late results are dropped.
 * Down/Up move in the results while the entry keeps the focus, Enter (or a
 * click) emits "patient-activated" with the patient id.
 * Properties: store, busy. */
GtkWidget  *cab_patient_search_new                    (void);
void        cab_patient_search_set_store              (CabPatientSearch *self,
                                                       CabStore         *store);
CabStore   *cab_patient_search_get_store              (CabPatientSearch *self);
void        cab_patient_search_set_text               (CabPatientSearch *self,
                                                       const char       *text);
const char *cab_patient_search_get_text               (CabPatientSearch *self);
/* Runs the current query again (e.g. after a sync brought new patients). */
void        cab_patient_search_refresh                (CabPatientSearch *self);
/* GListModel of CabPatientItem, the results on screen. */
GListModel *cab_patient_search_get_results            (CabPatientSearch *self);
/* Position of the highlighted result, GTK_INVALID_LIST_POSITION when none. */
guint       cab_patient_search_get_selected           (CabPatientSearch *self);
/* TRUE while a query is waiting for its debounce or running. */
gboolean    cab_patient_search_get_busy               (CabPatientSearch *self);
/* Debounce between a keystroke and its query (default 80 ms). */
void        cab_patient_search_set_search_delay       (CabPatientSearch *self,
                                                       guint             delay_ms);
/* Typing anywhere in @widget goes to the search entry. */
void        cab_patient_search_set_key_capture_widget (CabPatientSearch *self,
                                                       GtkWidget        *widget);

G_END_DECLS
