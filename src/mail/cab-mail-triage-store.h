/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* The triage state of the inbox in the store (schema migration 9; see
 * docs/architecture.md, "Triage"). Synchronous, for worker threads. */

/* The lane of a message's outbox entries: "mail:<id>". */
char     *cab_mail_triage_lane                (gint64               mail_id);

/* One message's flags and keywords as read from the server. */
typedef struct
{
  guint32             uid;
  const char * const *keywords;   /* every flag and keyword the server gave (\Seen too) */
  guint64             modseq;     /* its MODSEQ; 0 when the server has no CONDSTORE */
} CabMailServerKeywords;

/* Records what the server holds for message @uid of @mailbox (under
 * @uidvalidity; another UIDVALIDITY, or a UID not stored yet, is ignored).
 * An answer older than the stored one (lower MODSEQ) is ignored. When the
 * message has no triage change of this desk waiting in the outbox (pending,
 * sending, held, failed or in conflict), its triage follows the server's
 * keywords at once (status, assignee, patient, filed, dismissed);
 * otherwise it stays as this desk made it until that change is settled.
 * For mail-sync: call it with each FETCH (FLAGS MODSEQ) answer. */
gboolean  cab_mail_store_set_server_keywords  (CabStore            *store,
                                               const char          *account,
                                               const char          *mailbox,
                                               guint32              uidvalidity,
                                               guint32              uid,
                                               const char * const  *keywords,
                                               guint64              modseq,
                                               GError             **error);
/* The same for @n messages in one transaction. */
gboolean  cab_mail_store_set_server_keywords_batch (CabStore                    *store,
                                                    const char                  *account,
                                                    const char                  *mailbox,
                                                    guint32                      uidvalidity,
                                                    const CabMailServerKeywords *items,
                                                    guint                        n,
                                                    GError                     **error);

G_END_DECLS
