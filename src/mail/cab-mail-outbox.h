/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-send.h"
#include "cab-outbox.h"

G_BEGIN_DECLS

/* Registers the outbox kind "mail" (docs/architecture.md, "Sending mail")
 * on @outbox: its entries are sent by cab_mail_send_entry() on the
 * outbox's worker thread, with @servers (copied). Main context of the
 * outbox. Called again, it replaces the servers (the account changed in the
 * preferences): the next attempt uses them, and reads the password saved
 * for the new account, never the old one. */
void cab_mail_outbox_register (CabOutbox            *outbox,
                               const CabMailServers *servers);
/* The account was removed in the preferences: a registered "mail" kind
 * keeps its entries queued, never sent to the old servers, each retried
 * with the outbox's backoff and "no mailbox is set up" as its last error,
 * until cab_mail_outbox_register() gives servers again. Nothing to do when
 * the kind was never registered (its entries wait untouched). Main context
 * of the outbox. */
void cab_mail_outbox_unset    (CabOutbox            *outbox);

G_END_DECLS
