/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-outbox.h"
#include "cab-outbox-kind.h"

G_BEGIN_DECLS

struct _CabOutbox
{
  GObject          parent_instance;

  CabStore        *store;
  CabFhirClient   *client;
  GMainContext    *context;          /* where requests are sent and "changed" emitted */
  char            *files_dir;        /* the data dir's outbox folder (PDF copies) */
  char            *author;
  char            *custodian;

  guint            parallelism;
  guint            initial_backoff_ms;
  guint            max_backoff_ms;
  guint            horizon_ms;

  /* Drain state, main context only. */
  gboolean         background;
  gboolean         recovered;        /* "sending" left by a stopped process reset */
  gboolean         stepping;         /* a store step (record + claim) runs on a worker */
  gboolean         claim_again;      /* something may have become claimable */
  GHashTable      *busy_lanes;       /* lanes claimed and not recorded yet */
  GQueue           ready;            /* SendJob*: claimed and prepared, not sent yet */
  guint            n_in_flight;      /* sent, waiting for the answer */
  GPtrArray       *finished;         /* SendJob*: outcome waiting for the next step */
  GList           *drains;           /* DrainRun* waiting for the outbox to settle */
  GSource         *timer;
  gint64           timer_due;
  gint64           next_due;         /* from the last claim */
  guint            net_streak;       /* consecutive failures to reach the server */
  gboolean         any_answer;       /* the server answered at least once lately */
  gboolean         offline;
  GNetworkMonitor *monitor;
  gulong           network_handler;
  GCancellable    *cancellable;

  /* Kinds registered by other libraries (CabOutboxSenderSlot*), main
   * context only; freed with the outbox. */
  GPtrArray       *senders;
  /* CabOutboxLocalEffects*, read by the user actions' worker threads. */
  GMutex           effects_lock;
  GPtrArray       *effects;
};

/* A registered kind and its reachability during drains (main context). */
typedef struct
{
  CabOutboxSender  sender;
  gpointer         user_data;
  GDestroyNotify   destroy;
  gboolean         offline;      /* unreachable: its entries wait (not claimed) */
  guint            net_streak;
  gboolean         any_answer;
} CabOutboxSenderSlot;

CabOutboxSenderSlot *cab_outbox_sender_lookup (CabOutbox  *self,
                                               const char *kind);

/* One request an entry turns into (built on a worker thread). */
typedef struct
{
  char       *method;
  char       *path;
  GHashTable *headers;
  char       *content_type;
  GBytes     *body;
} CabOutboxRequest;

void cab_outbox_request_free (CabOutboxRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabOutboxRequest, cab_outbox_request_free)

/* An entry kind. New kinds (messages, e-prescriptions) add a row to the table
 * in cab-outbox-publish.c. */
typedef struct
{
  const char *name;
  /* Worker thread: the request for a claimed entry; FALSE: the entry fails
   * with @error's message (the payload cannot be sent as it is). */
  CabOutboxRequest *(*prepare)   (CabOutbox             *self,
                                  const CabOutboxEntry  *entry,
                                  GError               **error);
  /* A 2xx answer: fills @outcome (DONE with the server's id) or FALSE with
   * @error when the answer does not say it worked. */
  gboolean          (*succeeded) (const CabOutboxEntry  *entry,
                                  CabFhirResponse       *response,
                                  CabOutboxOutcome      *outcome,
                                  GError               **error);
  /* After a 412: the resource to read to show the conflict ("Type/id"), or
   * NULL when 412 is not a conflict for this kind. */
  char             *(*conflict_target) (const CabOutboxEntry *entry);
  /* With the server's current version: TRUE when it already is what the
   * entry wanted (a resend after a lost answer). */
  gboolean          (*already_applied) (const CabOutboxEntry *entry,
                                        JsonObject           *current);
} CabOutboxKind;

const CabOutboxKind *cab_outbox_kind_lookup (const char *name);

extern const CabOutboxKind cab_outbox_kind_publish;
extern const CabOutboxKind cab_outbox_kind_visibility;
extern const CabOutboxKind cab_outbox_kind_create;

/* cab-outbox-visibility.c: the payload of "keep mine" after a conflict. */
char    *cab_outbox_visibility_rebase  (const char *payload_json,
                                        const char *server_json);

/* cab-outbox.c */
void     cab_outbox_emit_changed       (CabOutbox *self);
/* Thread-safe: pumps the drain from the outbox's context. */
void     cab_outbox_wake               (CabOutbox *self);

/* cab-outbox-drain.c */
void     cab_outbox_drain_init         (CabOutbox *self);
void     cab_outbox_drain_dispose      (CabOutbox *self);
void     cab_outbox_pump               (CabOutbox *self);

/* cab-outbox-senders.c: runs @work (@task's data and cancellable) on one
 * of the low-priority threads that send the kinds with their own
 * transport, then returns @task (TRUE) on the thread of its context. The
 * sending thread never takes that context's lock (docs/architecture.md,
 * "Sending threads"): @work must not return @task itself. When the send
 * cannot start (out of file descriptors or of threads), @work does not
 * run and @task returns a G_IO_ERROR_FAILED to retry later, with a
 * warning in the log; the caller's thread must own the task's context. */
typedef void (*CabOutboxSenderWork) (gpointer      task_data,
                                     GCancellable *cancellable);

void     cab_outbox_senders_run        (GTask               *task,
                                        CabOutboxSenderWork  work);

/* cab-outbox-publish.c: a publish entry and its local document, built
 * before they are committed (the PDF copied into the outbox folder). */
typedef struct
{
  const CabDocumentType *type;
  char   *key;
  char   *file_path;
  char   *payload;
  char   *doc_id;
  char   *hash;
  char   *date;
  char   *title;
  char   *author;
  gint64  length;
} CabOutboxPublishParts;

gboolean       cab_outbox_publish_parts_build (CabOutbox              *self,
                                               GBytes                 *bytes,
                                               const CabDocumentType  *type,
                                               const char             *title,
                                               const char             *author,
                                               CabOutboxPublishParts  *parts,
                                               GError                **error);
/* @entry and @doc point into @parts. */
void           cab_outbox_publish_parts_fill  (const CabOutboxPublishParts *parts,
                                               const char                  *patient_id,
                                               gboolean                     hold,
                                               CabOutboxEntry              *entry,
                                               CabOutboxLocalDocument      *doc);
void           cab_outbox_publish_parts_clear (CabOutboxPublishParts  *parts);
GBytes        *cab_outbox_read_pdf            (const char             *pdf_path,
                                               GError                **error);
CabPatientRow *cab_outbox_get_patient         (CabOutbox              *self,
                                               const char             *patient_id,
                                               GError                **error);

extern const CabOutboxKind cab_outbox_kind_eprescription;

/* cab-outbox-publish.c: payload helpers. */
char    *cab_outbox_labels_apply       (const char *labels,
                                        gboolean    masked,
                                        gboolean    hidden);
char    *cab_outbox_new_key            (void);

/* cab-outbox-create.c: the local id of a created resource, "local-<key>". */
char    *cab_outbox_create_local_id    (const char *key);

G_END_DECLS
