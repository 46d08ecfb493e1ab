/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-patient-item.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_RESULTS (cab_patient_results_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientResults, cab_patient_results, CAB, PATIENT_RESULTS, GObject)

/* The results of a patient search as a GListModel of CabPatientItem, for
 * search-as-you-type: setting the "query" runs it on core's reader pool and
 * cancels the one still running, so only the newest answer lands; the
 * results are then replaced in one "items-changed". A patient already shown
 * keeps its item (and the row a list view made for it) when the new answer
 * has the same version of them. "loading" is TRUE from a query's start to
 * its answer. Lives on the main context.
 *
 * Properties: store (CabStore), query (string, "" lists all), limit
 * (results per answer, 100 by default; 0: no limit), loading. */
CabPatientResults *cab_patient_results_new         (CabStore          *store);
CabStore          *cab_patient_results_get_store   (CabPatientResults *self);
/* Runs the query again at once against the new store (none: nothing runs). */
void               cab_patient_results_set_store   (CabPatientResults *self,
                                                    CabStore          *store);
const char        *cab_patient_results_get_query   (CabPatientResults *self);
/* A different text runs a new query; the same text does nothing. */
void               cab_patient_results_set_query   (CabPatientResults *self,
                                                    const char        *query);
guint              cab_patient_results_get_limit   (CabPatientResults *self);
void               cab_patient_results_set_limit   (CabPatientResults *self,
                                                    guint              limit);
gboolean           cab_patient_results_get_loading (CabPatientResults *self);
/* Runs the current query again (the store changed: a sync brought patients). */
void               cab_patient_results_reload      (CabPatientResults *self);

G_END_DECLS
