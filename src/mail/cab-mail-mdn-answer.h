/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-send.h"
#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Answering a read receipt request (RFC 8098) on a received message, when
 * the Inbox opens it (docs/architecture.md, "Read receipts"). A request is
 * answered once per Message-ID (table mail_mdn_answers): the receipt is an
 * outbox entry of kind "mail" (cab_mail_send_entry(): exactly once, with
 * its own Message-ID kept for every attempt), queued in the same
 * transaction as the answer; "Ignore" is an answer too. */

typedef enum
{
  CAB_MAIL_MDN_DECISION_NONE,        /* nothing to show or send */
  CAB_MAIL_MDN_DECISION_ASK,         /* ask the person */
  CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE, /* ask, saying the receipt would go to another address than the
                             * message's sender (Return-Path): never sent without a click */
  CAB_MAIL_MDN_DECISION_SEND,        /* send without asking ("always"): automatic-action */
} CabMailMdnDecision;

typedef enum
{
  CAB_MAIL_MDN_ANSWER_MANUAL,     /* "Send Receipt" clicked: manual-action/MDN-sent-manually */
  CAB_MAIL_MDN_ANSWER_AUTOMATIC,  /* the "always" preference: automatic-action/MDN-sent-automatically */
  CAB_MAIL_MDN_ANSWER_IGNORED,    /* "Ignore": nothing sent, not asked again */
} CabMailMdnAnswer;

/* A received message's request, as its headers say. */
typedef struct
{
  const char *from;             /* our address: the receipt's sender */
  const char *message_id;       /* the received message's, without <> */
  const char *subject;
  const char *notification_to;  /* Disposition-Notification-To, as received */
  const char *return_path;      /* Return-Path, as received, or NULL */
  const char *practitioner;     /* "Practitioner/<id>" of the desk, or NULL: their name goes
                                 * before our address in From, as for a message */
} CabMailMdnRequest;

/* RFC 8098 section 2.1 as rules, no I/O: nothing on "never", for a message
 * already answered, without a Message-ID or a single valid address to
 * answer to (several addresses: not answered); a Return-Path missing or
 * other than that address always asks (ASK_ELSEWHERE), "always" included;
 * else "ask" asks and "always" sends. @address: the address the receipt
 * goes to, when not NONE. */
CabMailMdnDecision cab_mail_mdn_decide (CabMailMdnPolicy         policy,
                                        const CabMailMdnRequest *request,
                                        gboolean                 answered,
                                        char                   **address);

/* Worker thread. The decision for @request with the stored preference and
 * answers; on SEND the receipt is queued at once (automatic). @queued_id:
 * that outbox entry, else 0. */
gboolean cab_mail_mdn_check  (CabStore                *store,
                              const CabMailMdnRequest *request,
                              CabMailMdnDecision      *decision,
                              char                   **address,
                              gint64                  *queued_id,
                              GError                 **error);

/* Worker thread. Records @answer for @request and, unless IGNORED, queues
 * the receipt, in one transaction. A request answered before is left as
 * it was (@queued_id 0, TRUE): never two receipts for one message. */
gboolean cab_mail_mdn_answer (CabStore                *store,
                              const CabMailMdnRequest *request,
                              CabMailMdnAnswer         answer,
                              gint64                  *queued_id,
                              GError                 **error);

/* The same from the main thread; @outbox (or NULL) is told when an entry
 * was queued. The request is copied. */
void     cab_mail_mdn_check_async   (CabStore                *store,
                                     CabOutbox               *outbox,
                                     const CabMailMdnRequest *request,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data);
gboolean cab_mail_mdn_check_finish  (GAsyncResult            *result,
                                     CabMailMdnDecision      *decision,
                                     char                   **address,
                                     gint64                  *queued_id,
                                     GError                 **error);
void     cab_mail_mdn_answer_async  (CabStore                *store,
                                     CabOutbox               *outbox,
                                     const CabMailMdnRequest *request,
                                     CabMailMdnAnswer         answer,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data);
gboolean cab_mail_mdn_answer_finish (GAsyncResult            *result,
                                     gint64                  *queued_id,
                                     GError                 **error);

G_END_DECLS
