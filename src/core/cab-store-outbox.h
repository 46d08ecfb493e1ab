/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* The outbox's table (schema migration 2). Every function is synchronous and
 * runs on a worker thread, never on the main thread. CabOutbox
 * (cab-outbox.h) is the API the UI and cabinetctl use. */

typedef enum
{
  CAB_OUTBOX_STATE_PENDING,    /* waiting to be sent (maybe in backoff) */
  CAB_OUTBOX_STATE_HELD,       /* held back by the doctor: not sent until released */
  CAB_OUTBOX_STATE_SENDING,    /* claimed by a drain; after a crash, sent again */
  CAB_OUTBOX_STATE_DONE,
  CAB_OUTBOX_STATE_CONFLICT,   /* 412: the server's copy changed; both versions kept */
  CAB_OUTBOX_STATE_FAILED,     /* an error retrying cannot fix: needs the user */
  CAB_OUTBOX_STATE_CANCELLED,  /* cancelled by the user; kept in the history */
  CAB_OUTBOX_N_STATES /*< skip >*/
} CabOutboxState;

const char     *cab_outbox_state_to_string   (CabOutboxState  state);
/* -1 when unknown. */
int             cab_outbox_state_from_string (const char     *text);

typedef struct
{
  gint64          id;               /* creation order */
  char           *kind;             /* "publish", "visibility"... */
  char           *patient_id;
  char           *document_id;      /* local document the entry acts on, or NULL */
  CabOutboxState  state;
  char           *key;              /* idempotency key (UUID) */
  gint64          depends_on;       /* entry id, 0 when none */
  char           *payload;          /* JSON describing the action (kind-specific) */
  guint           attempts;         /* sends so far */
  guint           failures;         /* consecutive transient failures (backoff level) */
  gint64          next_attempt_at;  /* unix time in µs */
  char           *last_error;       /* user-facing, translated when written (an
                                     * entry failed before migration 21, or a
                                     * sender that gave no code) */
  char           *server_id;
  char           *server_version;
  char           *conflict_json;    /* the server's current version after a 412 */
  char           *created_at;       /* ISO 8601 UTC */
  char           *updated_at;
  /* Filled by claims only: what the entry it depends on became. */
  char           *dep_server_id;
  char           *dep_server_version;
  /* Entries without a patient but with the same lane go one at a time, in
   * creation order ("mail:<id>"; migration 9). NULL: a lane of its own. */
  char           *lane;
  /* The last error, language-neutral (migration 21; cab-outbox-error.h):
   * its code and the server's words, or NULL. Shown with
   * cab_outbox_entry_dup_error (). */
  char           *last_error_code;
  char           *last_error_detail;
} CabOutboxEntry;

void            cab_outbox_entry_free        (CabOutboxEntry *entry);
/* The entry's last error as a sentence in the current language
 * (cab_outbox_error_describe ()), or NULL. */
char           *cab_outbox_entry_dup_error   (const CabOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabOutboxEntry, cab_outbox_entry_free)

/* A local document created with its publish entry (origin "local"). */
typedef struct
{
  const char *id;
  const char *patient_id;
  const char *type_code;
  const char *type_display;
  const char *category_code;
  const char *title;
  const char *author_reference;
  const char *date;
  const char *local_path;
  gint64      size;
  const char *hash;
} CabOutboxLocalDocument;

/* Inserts @entry (id, created_at ignored) and, in the same transaction, the
 * local document @doc. Sets @entry_id. */
gboolean        cab_store_outbox_enqueue_publish    (CabStore                     *self,
                                                     const CabOutboxEntry         *entry,
                                                     const CabOutboxLocalDocument *doc,
                                                     gint64                       *entry_id,
                                                     GError                      **error);
/* A prescription as written (docs/domain.md, "Prescriptions"): kept
 * locally with the labels it was written with (schema migration 6). */
typedef struct
{
  const char *id;             /* its unique identifier */
  const char *patient_id;
  const char *authored_on;    /* YYYY-MM-DD */
  const char *json;           /* the prescription, as prescribing serialises it */
} CabStorePrescription;

/* One transaction: the printed copy as a local document @doc (the
 * timeline shows it at once), the prescription, its registration with the
 * e-prescription service @registration, then the publication of @doc to
 * the DMP @publish. */
gboolean        cab_store_outbox_enqueue_prescription (CabStore                     *self,
                                                       const CabStorePrescription   *prescription,
                                                       const CabOutboxEntry         *registration,
                                                       const CabOutboxEntry         *publish,
                                                       const CabOutboxLocalDocument *doc,
                                                       gint64                       *registration_id,
                                                       gint64                       *publish_id,
                                                       GError                      **error);
/* The stored JSON of prescription @id and its patient (@patient_id may be
 * NULL), or NULL with CAB_STORE_ERROR_NOT_FOUND. */
char           *cab_store_get_prescription_json       (CabStore                     *self,
                                                       const char                   *id,
                                                       char                        **patient_id,
                                                       GError                      **error);

/* Inserts @entry and updates the document's visibility columns in the same transaction. */
gboolean        cab_store_outbox_enqueue_visibility (CabStore                     *self,
                                                     const CabOutboxEntry         *entry,
                                                     const char                   *security_labels,
                                                     gboolean                      archived,
                                                     gint64                       *entry_id,
                                                     GError                      **error);

/* Inserts @entry and, in the same transaction, @record (a resource made
 * here, under its local id). */
gboolean        cab_store_outbox_enqueue_create     (CabStore                     *self,
                                                     const CabOutboxEntry         *entry,
                                                     const CabFhirRecord          *record,
                                                     gint64                       *entry_id,
                                                     GError                      **error);

/* Entries left "sending" by a process that stopped are pending again. */
gboolean        cab_store_outbox_recover            (CabStore        *self,
                                                     GError         **error);
/* Claims up to @limit entries that may be sent now and marks them sending
 * (attempts + 1): of a kind in @kinds (a JSON array of kind names: what
 * this process can send), pending, due, dependency done, no earlier pending
 * or sending entry of the same patient or lane, not in a lane of
 * @busy_lanes (see cab_outbox_entry_lane). @next_due: the earliest future
 * next_attempt_at of the pending entries of those kinds, or 0. Array of
 * CabOutboxEntry*. */
GPtrArray      *cab_store_outbox_claim              (CabStore        *self,
                                                     const char      *kinds,
                                                     gint64           now,
                                                     GHashTable      *busy_lanes,
                                                     guint            limit,
                                                     gint64          *next_due,
                                                     GError         **error);
char           *cab_outbox_entry_lane               (const CabOutboxEntry *entry);

typedef struct
{
  CabOutboxState  state;            /* DONE, CONFLICT, FAILED or PENDING (retry) */
  char           *server_id;
  char           *server_version;
  char           *resource_json;    /* the server's resource to store locally, or NULL */
  JsonObject     *resource;         /* the same already parsed (preferred), or NULL;
                                     * owned: nothing else may hold it */
  char           *conflict_json;
  char           *error;            /* user-facing, when there is no code */
  char           *error_code;       /* language-neutral (cab-outbox-error.h), or NULL */
  char           *error_detail;     /* with it: the server's words, verbatim */
  gint64          next_attempt_at;  /* PENDING: when to try again */
  gboolean        reset_failures;
} CabOutboxOutcome;

void            cab_outbox_outcome_clear            (CabOutboxOutcome *outcome);

/* Records how a send ended, with its local effects (the server's resource
 * stored, a published local document renamed to its server id) in one
 * transaction. Only applies to an entry still in state sending. */
gboolean        cab_store_outbox_finish             (CabStore               *self,
                                                     const CabOutboxEntry   *entry,
                                                     const CabOutboxOutcome *outcome,
                                                     GError                **error);

/* The drain's one transaction per step: records @n_entries outcomes
 * (@outcomes[i] NULL: @entries[i] was claimed but not sent and is pending
 * again, its attempt not counted), then claims as cab_store_outbox_claim()
 * does (with @limit 0, only @next_due). An outcome that cannot be recorded is
 * logged and left out (its entry stays sending: sent again after a
 * restart); the others are kept. NULL with @error when nothing could be
 * committed or the claim failed (the outcomes are then recorded all the same
 * unless the commit failed). */
GPtrArray      *cab_store_outbox_step               (CabStore                 *self,
                                                     const CabOutboxEntry    **entries,
                                                     const CabOutboxOutcome  **outcomes,
                                                     guint                     n_entries,
                                                     const char               *kinds,
                                                     gint64                    now,
                                                     GHashTable               *busy_lanes,
                                                     guint                     limit,
                                                     gint64                   *next_due,
                                                     GError                  **error);

/* Moves entry @id to @to if its state is in @from_mask (1 << state), clearing
 * its backoff and error when @reset. CAB_STORE_ERROR_NOT_FOUND when absent,
 * G_IO_ERROR_INVALID_ARGUMENT when in another state. */
struct _CabStoreConn;
/* Called inside the transaction that changes @entry (its state as it was). */
typedef gboolean (*CabStoreOutboxHook) (struct _CabStoreConn  *writer,
                                        const CabOutboxEntry  *entry,
                                        gpointer               data,
                                        GError               **error);

/* @hook (optional) runs in the same transaction, after the state changed. */
gboolean        cab_store_outbox_transition         (CabStore        *self,
                                                     gint64           id,
                                                     guint            from_mask,
                                                     CabOutboxState   to,
                                                     gboolean         reset,
                                                     CabStoreOutboxHook hook,
                                                     gpointer         hook_data,
                                                     GError         **error);
/* A conflict answered "keep mine" by the entry's kind: @rebase gives the
 * payload to send again, in the transaction that makes the entry pending
 * with it (conflict cleared, backoff reset). */
typedef char *   (*CabStoreOutboxRebase) (struct _CabStoreConn  *writer,
                                          const CabOutboxEntry  *entry,
                                          gpointer               data,
                                          GError               **error);
gboolean        cab_store_outbox_rebase             (CabStore        *self,
                                                     gint64           id,
                                                     CabStoreOutboxRebase rebase,
                                                     gpointer         rebase_data,
                                                     GError         **error);
/* Replaces the payload (edit, conflict resolution) while in @from_mask; a
 * publish's local document gets the new @title / @type_code / @type_display
 * when non-NULL. */
gboolean        cab_store_outbox_update_payload     (CabStore        *self,
                                                     gint64           id,
                                                     guint            from_mask,
                                                     const char      *payload,
                                                     CabOutboxState   to,
                                                     const char      *title,
                                                     const char      *type_code,
                                                     const char      *type_display,
                                                     GError         **error);
/* Stores the server's version @resource_json locally and cancels entry @id
 * (conflict resolved in the server's favour). */
gboolean        cab_store_outbox_keep_server        (CabStore        *self,
                                                     gint64           id,
                                                     const char      *resource_json,
                                                     const char      *note,
                                                     CabStoreOutboxHook hook,
                                                     gpointer         hook_data,
                                                     GError         **error);
/* Pending entries in backoff become due now (the network came back). */
gboolean        cab_store_outbox_wake               (CabStore        *self,
                                                     GError         **error);

CabOutboxEntry *cab_store_outbox_get                (CabStore        *self,
                                                     gint64           id,
                                                     GError         **error);
/* Newest first; @state -1 for all. Array of CabOutboxEntry*. */
GPtrArray      *cab_store_outbox_list               (CabStore        *self,
                                                     int              state,
                                                     guint            limit,
                                                     GError         **error);
/* @counts: CAB_OUTBOX_N_STATES numbers. */
gboolean        cab_store_outbox_count              (CabStore        *self,
                                                     guint           *counts,
                                                     GError         **error);
/* The same for the Outbox page: without the quiet entries, a message's
 * read/unread change (lane "mailseen:*") unless it failed or conflicts. */
GPtrArray      *cab_store_outbox_list_shown         (CabStore        *self,
                                                     int              state,
                                                     guint            limit,
                                                     GError         **error);
gboolean        cab_store_outbox_count_shown        (CabStore        *self,
                                                     guint           *counts,
                                                     GError         **error);
/* Sent messages' read receipts (mail_sent.read_at) of the newest @limit
 * done entries that have one: entry id (gint64*) -> Unix time (gint64*). */
GHashTable     *cab_store_outbox_read_receipts      (CabStore        *self,
                                                     guint            limit,
                                                     GError         **error);
/* The latest entry not done nor cancelled acting on @document_id, or NULL
 * (for the timeline's "en attente d'envoi"). */
CabOutboxEntry *cab_store_outbox_get_for_document   (CabStore        *self,
                                                     const char      *document_id,
                                                     GError         **error);

G_END_DECLS
