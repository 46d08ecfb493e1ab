/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-fhir-client.h"
#include "cab-store.h"
#include "cab-sync.h"

G_BEGIN_DECLS

/* Offline documents: after each sync, every document's content not on disk
 * yet is downloaded in the background, within a disk budget, on a lane that
 * never delays what the user asks for. See docs/architecture.md, "Prefetch". */

typedef enum
{
  CAB_PREFETCH_STATE_IDLE,      /* nothing left to download, or not started */
  CAB_PREFETCH_STATE_PLANNING,  /* reading the store, evicting for the budget */
  CAB_PREFETCH_STATE_RUNNING,
  CAB_PREFETCH_STATE_WAITING,   /* a sync or a document someone opened goes first */
  CAB_PREFETCH_STATE_METERED,   /* paused: metered connection, not allowed */
  CAB_PREFETCH_STATE_BACKOFF,   /* paused: the server asked to come back later (429/503) */
  CAB_PREFETCH_STATE_OFFLINE,   /* paused until the next sync: the server could not be reached */
  CAB_PREFETCH_STATE_INDEXING,  /* every content here; extracting their text for the search */
} CabPrefetchState;

/* Downloads at once on the prefetch lane. */
#define CAB_PREFETCH_MAX_ACTIVE 2
/* Default budget: the smaller of this and a quarter of the free space. */
#define CAB_PREFETCH_DEFAULT_BUDGET ((guint64) 10 * 1000 * 1000 * 1000)
/* A content read within this many days is never evicted. */
#define CAB_PREFETCH_KEEP_READ_DAYS 30
/* Patients opened within this many days go first. */
#define CAB_PREFETCH_RECENT_DAYS 30
/* Longest pause after a 429 or 503, and how many in a row end a run. */
#define CAB_PREFETCH_MAX_BACKOFF_S (5 * 60)
#define CAB_PREFETCH_MAX_BACKOFFS 8

typedef struct
{
  guint   n_downloaded;      /* contents downloaded (or found complete on disk) by this run */
  guint64 n_bytes;           /* their size */
  guint   n_already;         /* already offline when the run started */
  guint   n_skipped_budget;  /* left out: the budget is full */
  guint   n_failed;          /* refused by the server or not matching their hash */
  guint   n_evicted;         /* prefetched contents removed to make room */
} CabPrefetchSummary;

#define CAB_TYPE_PREFETCH (cab_prefetch_get_type ())
G_DECLARE_FINAL_TYPE (CabPrefetch, cab_prefetch, CAB, PREFETCH, GObject)

/* Lives on the main context of the thread that owns @client. @sync may be
 * NULL; while it runs, no new download starts (its metadata goes first). */
CabPrefetch      *cab_prefetch_new             (CabStore            *store,
                                                CabFhirClient       *client,
                                                CabSync             *sync,
                                                const char          *data_dir);

/* Budget in bytes for the contents on disk; 0: the default (the smaller of
 * CAB_PREFETCH_DEFAULT_BUDGET and 25 % of the free space). */
void              cab_prefetch_set_budget      (CabPrefetch         *self,
                                                guint64              budget);
guint64           cab_prefetch_get_budget      (CabPrefetch         *self);
void              cab_prefetch_set_allow_metered (CabPrefetch       *self,
                                                gboolean             allow);
/* Default: g_network_monitor_get_default(). Tests give their own. */
void              cab_prefetch_set_network_monitor (CabPrefetch     *self,
                                                GNetworkMonitor     *monitor);
CabPrefetchState  cab_prefetch_get_state       (CabPrefetch         *self);

/* Plans again (what is missing, what the budget allows) and downloads in
 * the background; a plan under way is redone once it ends. */
void              cab_prefetch_start           (CabPrefetch         *self);
/* Cancels what runs; cab_prefetch_start() resumes. */
void              cab_prefetch_stop            (CabPrefetch         *self);

/* Starts a run and finishes when its queue is empty (cabinetctl prefetch).
 * Errors: the one that stopped it (network, server, store); the summary is
 * filled either way. */
void              cab_prefetch_run_async       (CabPrefetch         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean          cab_prefetch_run_finish      (CabPrefetch         *self,
                                                GAsyncResult        *result,
                                                CabPrefetchSummary  *summary,
                                                GError             **error);

/* The text of the prefetched contents goes to the full-text index after
 * the downloads, a few documents at a time, only while nothing else runs
 * (no download, no sync); it starts by itself when the queue is empty.
 * Finishes when every content on disk is indexed, with how many this
 * prefetch indexed since it was made. */
void              cab_prefetch_index_async     (CabPrefetch         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean          cab_prefetch_index_finish    (CabPrefetch         *self,
                                                GAsyncResult        *result,
                                                guint               *n_indexed,
                                                GError             **error);

/* What the user asked for: downloaded at once, ahead of the queue (which
 * starts nothing new meanwhile); joins the prefetch's own download when it
 * is under way. Recorded as opened. Finishes with the local path. */
void              cab_prefetch_fetch_async     (CabPrefetch          *self,
                                                const CabDocumentRow *row,
                                                CabFhirProgressFunc   progress,
                                                gpointer              progress_data,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char             *cab_prefetch_fetch_finish    (CabPrefetch          *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* How many documents come before @document_id in the queue (0: next or
 * under way), or -1 when it is not queued. */
int               cab_prefetch_get_queue_position (CabPrefetch      *self,
                                                const char          *document_id);
guint             cab_prefetch_get_n_queued    (CabPrefetch         *self);

/* A document shown on screen: never evicted while held. Counted. */
void              cab_prefetch_hold            (CabPrefetch         *self,
                                                const char          *document_id);
void              cab_prefetch_release         (CabPrefetch         *self,
                                                const char          *document_id);

/* Figures for the status line, from the store (properties n-documents,
 * n-offline, offline-bytes notify when they change). */
guint             cab_prefetch_get_n_documents (CabPrefetch         *self);
guint             cab_prefetch_get_n_offline   (CabPrefetch         *self);
guint64           cab_prefetch_get_offline_bytes (CabPrefetch       *self);
/* Reads the figures again (after a sync brought new documents). */
void              cab_prefetch_refresh_counts  (CabPrefetch         *self);

/* Signals: "document-cached" (const char *id) after each content lands,
 * whoever asked for it. */

G_END_DECLS
