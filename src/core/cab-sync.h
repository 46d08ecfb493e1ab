/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "cab-fhir-client.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_SYNC (cab_sync_get_type ())
G_DECLARE_FINAL_TYPE (CabSync, cab_sync, CAB, SYNC, GObject)

typedef enum
{
  CAB_SYNC_STATE_IDLE,
  CAB_SYNC_STATE_RUNNING,
  CAB_SYNC_STATE_OFFLINE,   /* last run could not reach the server */
  CAB_SYNC_STATE_FAILED,    /* last run failed for another reason */
} CabSyncState;

typedef struct
{
  guint   n_patients;         /* patients examined */
  guint   n_resources;        /* resources received and stored */
  guint   n_requests;
  guint   n_invalid;          /* resources skipped as malformed */
  guint64 n_bytes;
} CabSyncStats;

/* Syncs the practice's patients (whose generalPractitioner is one of the
 * practice's practitioners, found through PractitionerRole?organization=) and
 * each patient's Condition, Observation, DocumentReference and MedicationRequest,
 * incrementally by _lastUpdated. Progress is committed page by page, so an
 * interrupted run continues where it stopped. Lives on the main context; all
 * parsing and store writes happen on worker threads.
 * @practice: the practice's Organization reference ("Organization/xyz"). */
CabSync      *cab_sync_new                   (CabFhirClient       *client,
                                              CabStore            *store,
                                              const char          *practice);
CabSyncState  cab_sync_get_state             (CabSync             *self);
/* ISO 8601 time of the last completed run, or NULL. */
const char   *cab_sync_get_last_sync         (CabSync             *self);
/* How many patients may be synced at once (default 8). */
void          cab_sync_set_parallelism       (CabSync             *self,
                                              guint                n);
/* Pages one search may have before the run stops with an error naming it
 * (default 10000, far above any practice; lower in tests). */
void          cab_sync_set_max_pages         (CabSync             *self,
                                              guint                max_pages);

/* Full incremental run. @patient_id non-NULL: only that patient (and the
 * Patient resource itself). A run already under way is joined, not doubled. */
void          cab_sync_run_async             (CabSync             *self,
                                              const char          *patient_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean      cab_sync_run_finish            (CabSync             *self,
                                              GAsyncResult        *result,
                                              CabSyncStats        *stats,
                                              GError             **error);
/* Moves @patient_id to the front of the running sync's queue. */
void          cab_sync_prioritize_patient    (CabSync             *self,
                                              const char          *patient_id);

/* Signals: "progress" (guint done, guint total) while running;
 * notify::state and notify::last-sync. */

G_END_DECLS
