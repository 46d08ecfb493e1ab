/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The desk's patient reads, as async queries on core's reader pool
 * (cab-query.h): the main thread never waits on the store. Each takes a
 * GCancellable; a cancelled query finishes with G_IO_ERROR_CANCELLED, even
 * when its rows were already read, so a superseded answer never lands.
 * The tasks have no source object: pass what the callback needs as user
 * data, and cancel before that goes away. */

/* Patients matching @text (cab_store_search_patients(): names, birth date,
 * INS; accents and case ignored; "" lists all), at most @limit (0: no
 * limit), sorted by name. Finish: GPtrArray of CabPatientItem (transfer
 * full; built on the query thread). */
void       cab_patient_query_search_async      (CabStore            *store,
                                                const char          *text,
                                                guint                limit,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray *cab_patient_query_search_finish     (GAsyncResult        *result,
                                                GError             **error);

/* What the patient header shows: the patient's row, conditions and
 * médecin traitant as written for display. */
typedef struct
{
  CabPatientRow *row;
  GPtrArray     *conditions;    /* CabCondition*, maybe empty */
  char          *practitioner;  /* "Dr Jean MARTIN", or NULL when unknown to the store */
} CabPatientSummary;

void               cab_patient_summary_free            (CabPatientSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPatientSummary, cab_patient_summary_free)

/* Errors: CAB_STORE_ERROR_NOT_FOUND when the patient is not in the store. */
void               cab_patient_query_summary_async     (CabStore            *store,
                                                        const char          *patient_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
CabPatientSummary *cab_patient_query_summary_finish    (GAsyncResult        *result,
                                                        GError             **error);

/* "Dr Jean MARTIN" for "Practitioner/<id>" when the store holds that
 * Practitioner, else NULL. Synchronous: for query functions on the pool. */
char              *cab_practitioner_display            (CabStore            *store,
                                                        const char          *reference);

/* The patients of @patient_ids still in the store, in that order (a patient
 * who left the practice is skipped). Finish: GPtrArray of CabPatientItem. */
void       cab_patient_query_by_ids_async      (CabStore            *store,
                                                const char * const  *patient_ids,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray *cab_patient_query_by_ids_finish     (GAsyncResult        *result,
                                                GError             **error);

/* Records that the doctor opened @patient_id now, with its audit entry
 * (CAB_AUDIT_PATIENT_OPEN; cab_store_mark_patient_opened()). @previous
 * (out, nullable): when it was opened before, NULL the first time. */
void       cab_patient_query_mark_opened_async  (CabStore            *store,
                                                 const char          *patient_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean   cab_patient_query_mark_opened_finish (GAsyncResult        *result,
                                                 char               **previous,
                                                 GError             **error);

G_END_DECLS
