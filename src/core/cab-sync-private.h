/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-sync.h"

G_BEGIN_DECLS

/* Suffix of a watermark saved while more pages were still to come: such a
 * watermark is resumed with "ge" so records sharing its lastUpdated across a
 * page boundary are fetched again (re-upserting is harmless). */
#define CAB_SYNC_PARTIAL_SUFFIX "|partial"

#define CAB_SYNC_PAGE_SIZE 200

/* Pages one search may have (2 million resources at CAB_SYNC_PAGE_SIZE):
 * a practice has a few thousand patients and a patient's longest history a
 * few thousand Observations, so only a server that never ends reaches it. */
#define CAB_SYNC_DEFAULT_MAX_PAGES 10000

/* The pages of one search: a next link seen before in the same search, or
 * more than max_pages pages, stop it (a server looping on its own next link
 * would otherwise keep the sync busy forever). */
typedef struct
{
  GHashTable *seen;
  guint       n_pages;
  guint       max_pages;
} CabSyncPager;

void      cab_sync_pager_init     (CabSyncPager        *pager,
                                   guint                max_pages);
void      cab_sync_pager_clear    (CabSyncPager        *pager);
/* Before asking for @url (relative or absolute): FALSE with a
 * CAB_FHIR_ERROR_INVALID naming the search (@type, e.g. "Patient") when the
 * search must stop. */
gboolean  cab_sync_pager_admit    (CabSyncPager        *pager,
                                   CabFhirClient       *client,
                                   const char          *type,
                                   const char          *url,
                                   GError             **error);

/* Fetches every page of the incremental search @query ("Type?params", already
 * percent-encoded, without _lastUpdated/_sort/_count) from the watermark saved
 * under @state_key, storing each page with its watermark in one transaction.
 * @stats is added to as pages arrive, also when the fetch ends with an error. */
void      cab_sync_fetch_async    (CabFhirClient       *client,
                                   CabStore            *store,
                                   const char          *query,
                                   const char          *state_key,
                                   CabSyncStats        *stats,
                                   guint                max_pages,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  cab_sync_fetch_finish   (GAsyncResult        *result,
                                   GError             **error);

/* Percent-encodes a query value (':' and '+' included); '/' is kept. */
char     *cab_sync_escape         (const char          *value);

void      cab_sync_stats_add      (CabSyncStats        *to,
                                   const CabSyncStats  *from);

typedef struct _SyncRun SyncRun;

typedef struct
{
  SyncRun      *run;
  char         *id;
  guint         pending;      /* type fetches still running */
  gboolean      blocked;      /* 403: the patient blocked this professional */
  gboolean      gone;         /* 404 */
  CabSyncStats  stats;
  GError       *error;
  GList        *waiters;      /* GTask* of single-patient callers joined here */
} PatientJob;

struct _SyncRun
{
  CabSync      *self;
  char         *patient_id;   /* single-patient run, or NULL for the practice */
  GCancellable *cancellable;  /* internal: cancelled on a fatal error */
  GCancellable *caller_cancellable; /* the first caller's: cancels the run */
  gulong        cancelled_id;
  GList        *tasks;        /* GTask* completed when the run ends */
  GPtrArray    *practitioners;/* "Practitioner/x" */
  char         *roles_next;
  CabSyncPager  roles_pager;
  GQueue        queue;        /* char* patient ids still to sync */
  GHashTable   *queued_waiters; /* id -> GList* of GTask, before the job starts */
  GHashTable   *jobs;         /* id -> PatientJob*, in flight */
  guint         n_total;
  guint         n_done;
  CabSyncStats  stats;
  GError       *error;        /* first fatal error */
  gboolean      finishing;
};

struct _CabSync
{
  GObject        parent_instance;

  CabFhirClient *client;
  CabStore      *store;
  char          *practice;
  guint          parallelism;
  guint          max_pages;
  CabSyncState   state;
  char          *last_sync;

  SyncRun       *full_run;
  GHashTable    *patient_runs; /* id -> SyncRun* */
  GPtrArray     *priority;     /* ids to put first in the next run */
};

/* cab-sync.c */
gboolean  sync_error_is_fatal      (const GError       *error);
void      sync_run_fail            (SyncRun            *run,
                                    const GError       *error);
void      sync_run_finish          (SyncRun            *run);
void      sync_run_emit_progress   (SyncRun            *run);
void      sync_complete_tasks      (GList              *tasks,
                                    const CabSyncStats *stats,
                                    const GError       *error);
char     *sync_now_iso8601         (void);
gboolean  sync_str_array_contains  (GPtrArray          *array,
                                    const char         *str);

/* cab-sync-patient.c */
void      sync_run_pump            (SyncRun            *run);
void      sync_run_start_patient   (SyncRun            *run);

/* cab-sync-practice.c */
void      sync_run_start_practice  (SyncRun            *run);

G_END_DECLS
