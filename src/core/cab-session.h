/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-config.h"
#include "cab-fhir-client.h"
#include "cab-outbox.h"
#include "cab-prefetch.h"
#include "cab-store.h"
#include "cab-sync.h"

G_BEGIN_DECLS

typedef enum
{
  CAB_SESSION_STATUS_UNCONFIGURED,  /* no server or practice: nothing to connect to */
  CAB_SESSION_STATUS_OPENING,       /* the local store is being opened */
  CAB_SESSION_STATUS_READY,         /* store open; see the sync state */
  CAB_SESSION_STATUS_BROKEN,        /* the store or the client could not be set up */
} CabSessionStatus;

typedef enum
{
  CAB_SESSION_FLAGS_NONE   = 0,
  /* The caller drives the sync and the outbox (cabinetctl): no first sync,
   * no background drain, no figures for a window. */
  CAB_SESSION_FLAGS_MANUAL = 1 << 0,
} CabSessionFlags;

#define CAB_TYPE_SESSION (cab_session_get_type ())
G_DECLARE_FINAL_TYPE (CabSession, cab_session, CAB, SESSION, GObject)

/* The context the widgets and cabinetctl share, and the one place that
 * assembles configuration -> store -> client -> sync -> outbox; plus the
 * figures the window shows. Lives on the main context; every store query it
 * makes runs on core's reader pool (cab-query.h). */
CabSession       *cab_session_new               (const CabConfig *config);
CabSession       *cab_session_new_full          (const CabConfig *config,
                                                 CabSessionFlags  flags);
CabSessionFlags   cab_session_get_flags         (CabSession      *self);
/* The window's session swaps in the checked configuration (token bound to
 * its server, CA file absolute) when the store opens: read it, do not keep
 * the pointer across main loop turns. */
const CabConfig  *cab_session_get_config        (CabSession      *self);
/* The mail account (imap_url, smtp_url, mail_user) and the desk's
 * practitioner of @config replace the session's, then
 * "mail-config-changed" is emitted: the preferences changed them
 * (docs/architecture.md, "Where the mail account comes from"). */
void              cab_session_set_mail_config   (CabSession      *self,
                                                 const CabConfig *config);
CabSessionStatus  cab_session_get_status        (CabSession      *self);

/* Opens the store (on a worker thread), then creates the client and the sync
 * and runs a first sync (unless CAB_SESSION_FLAGS_MANUAL). */
void              cab_session_start             (CabSession      *self);

/* Opens the store, creating its folder (private to the user) and the outbox
 * (queue only until cab_session_connect()); joins an opening under way and
 * finishes at once when the store is open. Errors: G_IO_ERROR when the
 * folder cannot be made, CAB_STORE_ERROR when the store cannot be opened. */
void              cab_session_open_async        (CabSession          *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean          cab_session_open_finish       (CabSession          *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Creates the health-space client (no request is made) if not there yet,
 * and, once the store is open, the sync, and hands the client to the outbox.
 * Errors: G_IO_ERROR_NOT_CONNECTED without a server, G_IO_ERROR_INVALID_ARGUMENT
 * for a bad URL, CAB_FHIR_CLIENT_ERROR_CA_FILE for an unusable CA file,
 * CAB_CONFIG_ERROR_NO_TOKEN when the saved token belongs to another server. */
gboolean          cab_session_connect           (CabSession          *self,
                                                 GError             **error);
/* Starts a sync now, or as soon as the store is open; joins a running one. */
void              cab_session_sync              (CabSession      *self);
/* Cancels what is under way; the session stays usable for reading. */
void              cab_session_shutdown          (CabSession      *self);

/* NULL until the store is open. */
CabStore         *cab_session_get_store         (CabSession      *self);
CabFhirClient    *cab_session_get_client        (CabSession      *self);
CabSync          *cab_session_get_sync          (CabSession      *self);
/* Offline documents (cab-prefetch.h): NULL until the store and the client
 * are both there. Started after each successful sync, unless
 * CAB_SESSION_FLAGS_MANUAL (cabinetctl runs it itself). */
CabPrefetch      *cab_session_get_prefetch      (CabSession      *self);
/* Every write to the health space; NULL until the store is open (without a
 * server, it queues only). Ready when status notifies. */
CabOutbox        *cab_session_get_outbox        (CabSession      *self);

CabSyncState      cab_session_get_sync_state    (CabSession      *self);
/* ISO 8601 time of the last completed sync, or NULL. */
const char       *cab_session_get_last_sync     (CabSession      *self);
/* Patients in the local store; -1 until first counted. */
gint64            cab_session_get_patient_count (CabSession      *self);
void              cab_session_get_progress      (CabSession      *self,
                                                 guint           *done,
                                                 guint           *total);
/* The error of the last failed step (store, client set-up or sync), cleared
 * by the next successful sync; NULL when all is well. */
const GError     *cab_session_get_error         (CabSession      *self);
/* Completed sync runs (successful or not) since the session started. */
guint             cab_session_get_n_syncs       (CabSession      *self);

/* The folder of the store and of the downloaded documents. */
char             *cab_session_dup_data_dir      (CabSession      *self);

/* Who is working, for the header: the practitioner the token acts as when
 * known, else the practice's name (read from the server once, then kept in
 * the store for offline starts), else the server's host; NULL when none. */
const char       *cab_session_get_operator      (CabSession      *self);
/* The practice's name as the server gives it, or NULL until known. */
const char       *cab_session_get_practice_name (CabSession      *self);

/* Refreshes one patient from the health space: first in the queue of a
 * running sync (which it then waits for), else a sync of that patient
 * alone. Fails at once when there is no server to ask. */
void              cab_session_refresh_patient_async  (CabSession          *self,
                                                      const char          *patient_id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          cab_session_refresh_patient_finish (CabSession          *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Signals: "sync-finished" (gboolean success) after each run and after the
 * patient count reflects it. Properties notify: status, sync-state, last-sync,
 * patient-count, progress, error, operator, store, outbox, prefetch. */

G_END_DECLS
