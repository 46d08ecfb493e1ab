/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"

G_BEGIN_DECLS

/*
 * Outbox kinds with their own transport (docs/architecture.md, "Outbox kinds
 * with their own transport"). The built-in kinds are FHIR requests; another
 * library (src/mail: IMAP keywords, SMTP) registers a kind whose entries it
 * sends itself, on a sending thread, and the outbox keeps its rules for them:
 * the entry is committed with its local effect, marked sending before the
 * send, retried with the same persisted backoff, ended done, failed or
 * conflict, shown on the Outbox page, and sent again after a crash.
 *
 * Entries of a kind nobody registered in this process stay pending,
 * untouched (cabinetctl without mail options, an older Cabinet).
 *
 * Order: entries with the same patient, or else the same lane
 * (CabOutboxEntry.lane, e.g. "mail:<id>"), go one at a time in creation
 * order.
 */

typedef enum
{
  CAB_OUTBOX_SEND_DONE,       /* applied; server_id may say what the server made */
  CAB_OUTBOX_SEND_RETRY,      /* transient: network down, timeout, a temporary refusal */
  CAB_OUTBOX_SEND_FAILED,     /* permanent: retrying cannot fix it; message in the server's words */
  CAB_OUTBOX_SEND_CONFLICT,   /* someone changed it meanwhile: shown, never overwritten */
} CabOutboxSendStatus;

typedef struct
{
  CabOutboxSendStatus status;
  char     *server_id;       /* DONE: an id or short text kept with the entry, or NULL */
  char     *message;         /* RETRY, FAILED, CONFLICT: user-facing, with the server's words,
                              * when there is no code */
  char     *code;            /* RETRY, FAILED, CONFLICT: language-neutral (cab-outbox-error.h):
                              * the sentence is made when shown; NULL: @message */
  char     *detail;          /* with @code: the server's words verbatim, never translated */
  char     *conflict;        /* CONFLICT: what the server holds now (kept as the entry's conflict_json) */
  gint64    retry_after_s;   /* RETRY: wait at least this long; -1 (the default): the backoff alone */
  gboolean  unreachable;     /* RETRY: the server could not be reached (refused, unresolved, TLS) */
} CabOutboxSendResult;

void cab_outbox_send_result_clear (CabOutboxSendResult *result);

/* Both hooks run on one of the outbox's sending threads, at a lower
 * priority (docs/architecture.md, "Sending threads"; blocking is fine) with
 * @user_data as registered. They must return by @deadline (monotonic time,
 * g_get_monotonic_time()) and soon after @cancellable is cancelled (then
 * any status: the outbox puts the entry back as it was). @result comes
 * zeroed with retry_after_s -1; the hook fills it. */
typedef void     (*CabOutboxSendFunc)    (const CabOutboxEntry  *entry,
                                          gint64                 deadline,
                                          GCancellable          *cancellable,
                                          gpointer               user_data,
                                          CabOutboxSendResult   *result);
/* Called before @send when an earlier attempt may have reached the server
 * (entry->attempts > 1: a crash while sending, a lost answer, a timeout).
 * TRUE: @result is this attempt's outcome (DONE when the change is already
 * there, RETRY when it cannot tell now); FALSE: not applied, send it. */
typedef gboolean (*CabOutboxAppliedFunc) (const CabOutboxEntry  *entry,
                                          gint64                 deadline,
                                          GCancellable          *cancellable,
                                          gpointer               user_data,
                                          CabOutboxSendResult   *result);

typedef struct
{
  const char           *kind;             /* the entries' kind, e.g. "mailflags" */
  CabOutboxSendFunc     send;
  CabOutboxAppliedFunc  already_applied;  /* optional */
  guint                 timeout_s;        /* per attempt; 0: 120 s */
} CabOutboxSender;

/* Main context of the outbox. @sender is copied (its strings must be
 * static); @user_data is freed with @destroy when the outbox goes. A kind
 * can be registered once, and not under a built-in kind's name. */
/* A kind's local effect, for the user's actions on its entries (cancel,
 * and the two answers to a conflict), which happen with or without its
 * transport (cabinetctl without the mail options). Both hooks run on the
 * worker thread of the action, inside the store's write transaction that
 * changes the entry; @writer is the store's writer (cab-store-private.h).
 * They return FALSE with @error to leave everything as it was. */
struct _CabStoreConn;

/* The entry is cancelled (by the user, or "keep the server's" of a
 * conflict): take its local effect back. */
typedef gboolean (*CabOutboxCancelledFunc) (struct _CabStoreConn  *writer,
                                            const CabOutboxEntry  *entry,
                                            GError               **error);
/* "Keep mine" of a conflict: the payload to send again, made of the
 * entry's and of the server's version it met (entry->conflict_json); the
 * local state may change with it. NULL with @error when it cannot. */
typedef char *   (*CabOutboxRebaseFunc)    (struct _CabStoreConn  *writer,
                                            const CabOutboxEntry  *entry,
                                            GError               **error);

typedef struct
{
  const char             *kind;
  CabOutboxCancelledFunc  cancelled;   /* optional */
  CabOutboxRebaseFunc     rebase;      /* optional: without it, "keep mine" is refused */
} CabOutboxLocalEffects;

/* Any thread, once per kind (@effects copied; its strings must be static).
 * A kind without local effects is cancelled as an entry alone. */
void     cab_outbox_add_local_effects (CabOutbox                   *self,
                                       const CabOutboxLocalEffects *effects);

void     cab_outbox_add_kind       (CabOutbox              *self,
                                    const CabOutboxSender  *sender,
                                    gpointer                user_data,
                                    GDestroyNotify          destroy);
gboolean cab_outbox_has_kind       (CabOutbox              *self,
                                    const char             *kind);

/* Any thread: an entry was committed by another library (inside its own
 * transaction, cab_store_outbox_insert_locked() in cab-store-private.h):
 * emit "changed" and send it when draining. */
void     cab_outbox_queued         (CabOutbox              *self);

G_END_DECLS
