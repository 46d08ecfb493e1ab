/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-mail-flags.h"
#include "cab-store-private.h"

G_BEGIN_DECLS

/* One "mailflags" entry's change (cab-mail-flags.h): the message, and
 * either triage keywords (base, want) or a read/unread change (seen). */
typedef struct
{
  const char *lane;         /* cab_mail_triage_lane() or cab_mail_seen_lane() */
  const char *action;       /* triage: "file", "assign"... (cab-mail-triage.c), the Outbox
                             * title made from it when shown; NULL for a read/unread change */
  gint64      mail_id;
  const char *account;
  const char *mailbox;
  gint64      uidvalidity;
  gint64      uid;
  const char *base;         /* triage keywords seen and wanted; NULL for a read/unread change */
  const char *want;
  int         seen;         /* 1 read, 0 unread; -1 for triage */
} CabMailFlagsChange;

/* Inserts the pending "mailflags" entry for @change inside the writer's
 * transaction (the caller's local change commits with it, principle 2);
 * call cab_outbox_queued() after the commit. The one place its payload
 * is written: cab-mail-flags.c reads it back. */
gboolean cab_mail_flags_queue_locked (CabStoreWriter           *writer,
                                      const CabMailFlagsChange *change,
                                      gint64                   *entry_id,
                                      GError                  **error);

G_END_DECLS
