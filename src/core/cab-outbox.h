/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-fhir-client.h"
#include "cab-store.h"
#include "cab-store-outbox.h"

G_BEGIN_DECLS

/*
 * CabOutbox: every write to the health space goes through it (docs/architecture.md, principle 2).
 *
 * Enqueueing commits the entry with its local effect in one SQLite
 * transaction (synchronous functions: worker threads only; or their _async
 * variants). Draining lives on the main context of the thread that created
 * the outbox (the client's): requests are sent there, store calls run on
 * worker threads.
 *
 * Order: the entries of one patient are sent in creation order; an entry is
 * not started while an earlier entry of the same patient is pending or being
 * sent. Held, failed and conflicting entries do not block the later ones
 * (they concern other documents). Patients are drained in parallel up to
 * cab_outbox_set_parallelism (default 4). An entry that depends on another
 * waits until that one is done, and takes its server id.
 *
 * Retries: transient failures (network, 408, 409, 429, 5xx) are retried with
 * exponential backoff and full jitter persisted in next_attempt_at, at least
 * Retry-After. Each request is sent with CAB_FHIR_REQUEST_NO_RETRY: the
 * outbox owns the long backoff, so a stuck entry never blocks the others.
 *
 * Signal "changed" (no arguments): an entry was added or changed state.
 */

#define CAB_TYPE_OUTBOX (cab_outbox_get_type ())
G_DECLARE_FINAL_TYPE (CabOutbox, cab_outbox, CAB, OUTBOX, GObject)

#define CAB_OUTBOX_ERROR (cab_outbox_error_quark ())

typedef enum
{
  CAB_OUTBOX_ERROR_NOT_PDF,         /* the file is not a PDF poppler can open */
  CAB_OUTBOX_ERROR_BAD_TYPE,        /* document type not in the LOINC list */
  CAB_OUTBOX_ERROR_NO_PATIENT,      /* unknown patient */
  CAB_OUTBOX_ERROR_NOT_PUBLISHED,   /* visibility of a document that is not on the server */
  CAB_OUTBOX_ERROR_WRONG_STATE,     /* retry/cancel/edit/resolve in a state that does not allow it */
  CAB_OUTBOX_ERROR_FILE,            /* cannot copy or read the document file */
} CabOutboxError;

GQuark cab_outbox_error_quark (void);

typedef enum
{
  CAB_OUTBOX_KEEP_MINE,
  CAB_OUTBOX_KEEP_SERVER,
} CabOutboxResolution;

/* What a drain did and what is left. */
typedef struct
{
  guint    n_sent;        /* entries that ended done during the drain */
  guint    n_attempts;    /* requests made (first tries and retries) */
  gboolean offline;       /* stopped because the server could not be reached */
  guint    counts[CAB_OUTBOX_N_STATES];   /* entries per state at the end */
} CabOutboxDrainResult;

/* One type of document from docs/domain.md's list ("Document types"). */
typedef struct
{
  const char *code;       /* LOINC */
  const char *display;    /* French, as practitioners say it */
  const char *class_code; /* category (class code) */
} CabDocumentType;

/* NULL-terminated (code NULL) table of the document types one may publish. */
const CabDocumentType *cab_document_types          (void);
const CabDocumentType *cab_document_type_lookup    (const char *code);

/* The PDF check used before queueing: "%PDF-" header and poppler opens it. */
gboolean       cab_outbox_check_pdf              (GBytes          *bytes,
                                                  GError         **error);

/* @client may be NULL (queue only, e.g. offline tools); drain then fails. */
CabOutbox     *cab_outbox_new                    (CabStore        *store,
                                                  CabFhirClient   *client);
CabStore      *cab_outbox_get_store              (CabOutbox       *self);
/* Gives a queue-only outbox its client once the health space is set up. */
void           cab_outbox_set_client             (CabOutbox       *self,
                                                  CabFhirClient   *client);
void           cab_outbox_set_parallelism        (CabOutbox       *self,
                                                  guint            n);
/* Backoff: uniform in [0, min(max_ms, initial_ms * 2^failures)]. Defaults 1 s and 5 min. */
void           cab_outbox_set_backoff            (CabOutbox       *self,
                                                  guint            initial_ms,
                                                  guint            max_ms);
/* A drain waits for entries in backoff due within this many ms (default 15 s). */
void           cab_outbox_set_drain_horizon      (CabOutbox       *self,
                                                  guint            ms);
/* The author and custodian of published documents ("Practitioner/x",
 * "Organization/y"); else the patient's GP and the store's first organization. */
void           cab_outbox_set_author             (CabOutbox       *self,
                                                  const char      *practitioner,
                                                  const char      *organization);

/* Background draining (the application): drains whenever something may be
 * sent, waking on enqueue, on GNetworkMonitor, on backoff timers and on
 * cab_outbox_notify_online(). */
void           cab_outbox_start                  (CabOutbox       *self);
void           cab_outbox_stop                   (CabOutbox       *self);
/* Entries were put in the store by another component's queue (mail,
 * cab_mail_queue()): "changed" is emitted and the drain wakes. Any thread. */
void           cab_outbox_notify_queued          (CabOutbox       *self);
/* A request to the health space succeeded elsewhere (sync): entries waiting
 * because the server was unreachable are tried now. */
void           cab_outbox_notify_online          (CabOutbox       *self);

/* Sends what can be sent now; finishes when nothing more is sendable (all
 * in backoff beyond the horizon, held, failed, conflicting, or the server
 * unreachable). Main context only. */
void           cab_outbox_drain_async            (CabOutbox       *self,
                                                  GCancellable    *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
gboolean       cab_outbox_drain_finish           (CabOutbox       *self,
                                                  GAsyncResult    *result,
                                                  CabOutboxDrainResult *out,
                                                  GError         **error);

/* Enqueue (synchronous: worker threads only). */
gboolean       cab_outbox_publish_document       (CabOutbox       *self,
                                                  const char      *patient_id,
                                                  const char      *pdf_path,
                                                  const char      *type_code,
                                                  const char      *title,
                                                  gboolean         hold,
                                                  gint64          *entry_id,
                                                  GError         **error);
/* The full visibility wanted for a document (as the user saw it). */
gboolean       cab_outbox_set_visibility         (CabOutbox       *self,
                                                  const char      *document_id,
                                                  gboolean         masked_from_professionals,
                                                  gboolean         hidden_from_patient,
                                                  gboolean         archived,
                                                  gint64          *entry_id,
                                                  GError         **error);

/* A new resource (a recorded measure): stored at once under the id
 * "local-<key>" (set in @local_id when non-NULL), and sent once as a
 * conditional create (If-None-Exist on its identifier urn:uuid:<key>); the
 * server's copy replaces the local one when it is sent. @resource has no id
 * and names @patient_id as its subject; @summaries says what it is on the
 * Outbox page, by language ({"en": "Blood pressure 135/85 mmHg", "fr":
 * "Pression artérielle 135/85 mmHg"}; "en" the one shown in any other
 * language): the title is made when shown, in the reader's language
 * (cab-outbox-describe.c). Cancelling the entry removes the local copy. */
gboolean       cab_outbox_create_resource        (CabOutbox       *self,
                                                  const char      *patient_id,
                                                  JsonObject      *resource,
                                                  JsonObject      *summaries,
                                                  gint64          *entry_id,
                                                  char           **local_id,
                                                  GError         **error);

/* A prescription to register with the e-prescription service and publish
 * to the DMP (docs/domain.md, "Prescriptions"). The service's request is
 * built by src/prescribing (the service is behind its interface there);
 * the outbox sends it as it is, with If-None-Exist on the identifier, and
 * takes an answer naming that identifier as the registration. */
typedef struct
{
  const char *patient_id;
  const char *prescription_id;      /* the unique identifier */
  const char *authored_on;          /* YYYY-MM-DD */
  const char *prescription_json;    /* kept locally as written */
  const char *author;               /* "Practitioner/<id>": the prescriber */
  GBytes     *pdf;                  /* the printed copy */
  const char *title;                /* its title in the timeline and the DMP */
  const char *service_path;         /* relative to the FHIR base, e.g. "erx/Bundle" */
  const char *identifier_system;    /* the identifier's system in the request */
  const char *request_json;         /* the request body (a Bundle) */
  const char *label;                /* how the outbox names the registration */
} CabOutboxPrescription;

/* One transaction: the printed copy in the timeline, the prescription, its
 * registration entry then its DMP publication entry. Worker thread only. */
gboolean       cab_outbox_enqueue_prescription   (CabOutbox                   *self,
                                                  const CabOutboxPrescription *prescription,
                                                  gint64                      *registration_entry,
                                                  gint64                      *publish_entry,
                                                  GError                     **error);

void           cab_outbox_publish_document_async (CabOutbox       *self,
                                                  const char      *patient_id,
                                                  const char      *pdf_path,
                                                  const char      *type_code,
                                                  const char      *title,
                                                  gboolean         hold,
                                                  GCancellable    *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
void           cab_outbox_set_visibility_async   (CabOutbox       *self,
                                                  const char      *document_id,
                                                  gboolean         masked_from_professionals,
                                                  gboolean         hidden_from_patient,
                                                  gboolean         archived,
                                                  GCancellable    *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
/* Both finish with the new entry's id, 0 on error. */
gint64         cab_outbox_enqueue_finish         (CabOutbox       *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);

/* Queries and user actions (synchronous: worker threads only). */
GPtrArray     *cab_outbox_list                   (CabOutbox       *self,
                                                  int              state,
                                                  GError         **error);
guint          cab_outbox_count_pending          (CabOutbox       *self);
/* failed or conflict -> pending (backoff reset). */
gboolean       cab_outbox_retry                  (CabOutbox       *self,
                                                  gint64           entry_id,
                                                  GError         **error);
/* pending, held, failed or conflict -> cancelled (kept in the history). A
 * cancelled publish keeps its local document; a cancelled visibility change
 * gives the document back the server's labels. */
gboolean       cab_outbox_cancel                 (CabOutbox       *self,
                                                  gint64           entry_id,
                                                  GError         **error);
/* held -> pending. */
gboolean       cab_outbox_release                (CabOutbox       *self,
                                                  gint64           entry_id,
                                                  GError         **error);
/* A publish not sent yet (pending, held, failed): new title and/or type. */
gboolean       cab_outbox_edit_publish           (CabOutbox       *self,
                                                  gint64           entry_id,
                                                  const char      *title,
                                                  const char      *type_code,
                                                  GError         **error);
gboolean       cab_outbox_resolve_conflict       (CabOutbox       *self,
                                                  gint64           entry_id,
                                                  CabOutboxResolution resolution,
                                                  GError         **error);

/* Async query for the UI: an array of CabOutboxEntry*, newest first. */
void           cab_outbox_list_async             (CabOutbox       *self,
                                                  int              state,
                                                  GCancellable    *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer         user_data);
GPtrArray     *cab_outbox_list_finish            (CabOutbox       *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);

/* The user actions above, on a worker thread; "changed" follows a
 * successful one. */
typedef enum
{
  CAB_OUTBOX_ACTION_RETRY,
  CAB_OUTBOX_ACTION_CANCEL,
  CAB_OUTBOX_ACTION_RELEASE,
  CAB_OUTBOX_ACTION_KEEP_MINE,
  CAB_OUTBOX_ACTION_KEEP_SERVER,
} CabOutboxAction;

void           cab_outbox_act_async          (CabOutbox           *outbox,
                                              gint64               entry_id,
                                              CabOutboxAction      action,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       cab_outbox_act_finish         (CabOutbox           *outbox,
                                              GAsyncResult        *result,
                                              GError             **error);

/* cab_outbox_edit_publish(), then with @retry cab_outbox_retry(), on a
 * worker thread. On error, *@saved tells whether the edit itself was kept
 * (only the retry failed). */
void           cab_outbox_edit_publish_async  (CabOutbox           *outbox,
                                               gint64               entry_id,
                                               const char          *title,
                                               const char          *type_code,
                                               gboolean             retry,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       cab_outbox_edit_publish_finish (CabOutbox           *outbox,
                                               GAsyncResult        *result,
                                               gboolean            *saved,
                                               GError             **error);

/* A short user-facing description of an entry ("Publish “Compte rendu”"). */
char          *cab_outbox_entry_describe         (const CabOutboxEntry *entry);

G_END_DECLS
