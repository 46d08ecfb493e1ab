/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store-private.h"

G_BEGIN_DECLS

/* A message's outbox entry (kind "mail", pending) and its mail_sent row
 * (the Message-ID fixed at queueing), inserted in @writer's transaction:
 * what queueing a letter (cab-mail-queue.c) and a read receipt
 * (cab-mail-mdn-answer.c) share (docs/architecture.md, "Sending mail").
 * A message about a patient goes in the patient's lane, any other in a
 * lane of its own ("mail:<key>"). The entry's id in @entry_id. */
gboolean cab_mail_entry_insert_locked (CabStoreWriter  *writer,
                                       const char      *patient_id,
                                       const char      *key,
                                       const char      *payload,
                                       const char      *message_id,
                                       gint64          *entry_id,
                                       GError         **error);

G_END_DECLS
