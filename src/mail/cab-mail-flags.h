/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* The outbox kind "mailflags": a message's triage keywords sent to the
 * IMAP server (docs/architecture.md, "Triage"). Each entry carries the
 * triage keywords this desk saw (base) and wants (want); sending reads the
 * message's flags and MODSEQ, and
 *   - the server already has want: done (a resend after a crash);
 *   - the server's triage keywords are not base (another desk changed
 *     them meanwhile): conflict, showing the server's, never overwritten;
 *   - else UID STORE (UNCHANGEDSINCE modseq) FLAGS with the other flags
 *     kept as read; a change in between is read again (3 times at most).
 * An entry whose payload carries "seen" (cab-mail-seen.h) sets or clears
 * \Seen alone the same way, without conflicts: done when the server
 * already has it.
 * Unreachable server, timeout, NO: retried with the outbox's backoff. */

#define CAB_MAIL_FLAGS_KIND "mailflags"

typedef struct
{
  const char   *url;        /* imaps:// or imap:// */
  const char   *user;
  const char   *password;   /* NULL: read from the keyring at each attempt */
  GTlsDatabase *database;   /* NULL: ca_file, else system trust */
  const char   *ca_file;    /* read at each attempt, on the outbox's worker */
  guint         timeout_s;  /* 0: CAB_IMAP_DEFAULT_TIMEOUT_S */
} CabMailFlagsAccount;

/* Registers the kind on @outbox for @account (copied; entries of another
 * account fail, with a message saying so). @store: where the keywords read
 * back are recorded. Main context of the outbox. Called again, it replaces
 * the account: changes queued for the old one then fail. */
void cab_mail_flags_register (CabOutbox                 *outbox,
                              CabStore                  *store,
                              const CabMailFlagsAccount *account);
/* The account was removed in the preferences: queued changes stay queued,
 * retried with the outbox's backoff and "no mailbox is set up" as their
 * last error, never sent to the old server, until cab_mail_flags_register()
 * gives an account again. Nothing to do when the kind was never registered.
 * Main context of the outbox. */
void cab_mail_flags_unset    (CabOutbox                 *outbox);

/* The kind's local effects (cab-outbox-kind.h), with or without the
 * account: cancelling an entry, or keeping the server's triage in a
 * conflict, gives the message back the server's triage here (documents
 * this change filed taken back); keeping mine carries my change onto the
 * server's keywords and queues it again. cab_mail_flags_register() adds
 * them too. Any thread. */
void cab_mail_flags_register_effects (CabOutbox *outbox);

G_END_DECLS
