/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-smtp.h"

G_BEGIN_DECLS

/* Read receipts: RFC 8098 message disposition notifications, read from
 * received mail and written to answer a request (Disposition-Notification-To). */

#define CAB_MDN_MAX_SIZE (G_GUINT64_CONSTANT (1) << 20)  /* an MDN is small; bigger is not read */

/* TRUE when @raw is a disposition notification (multipart/report;
 * report-type=disposition-notification) naming an Original-Message-ID
 * (returned without <>) and a disposition type ("displayed", "deleted"...). */
gboolean cab_mdn_parse   (GBytes     *raw,
                          char      **original_message_id,
                          char      **disposition);

/* The MDN for a message with @original_message_id, from @from (our
 * address) to @to (its Disposition-Notification-To). @automatic: sent by
 * the "always" preference rather than by the user's click. @message_id:
 * the MDN's own (without <>; an outbox entry keeps it for every attempt),
 * or NULL for a new one. @from_name: the practitioner's name shown before
 * @from, as a message's From has it (cab_mail_from_name()), or NULL; one
 * that is not a display name leaves the address bare. */
GBytes  *cab_mdn_compose (const char *from,
                          const char *from_name,
                          const char *to,
                          const char *message_id,
                          const char *original_message_id,
                          const char *original_subject,
                          gboolean    automatic,
                          gint64      date,
                          GError    **error);

/* Answers the read receipt request of received message @raw: composes the
 * MDN and submits it. G_IO_ERROR_NOT_FOUND when the message asks for none.
 * The caller decides whether to (preference ask / always / never,
 * cab_mail_mdn_policy_get()). Worker thread. */
gboolean cab_mdn_send    (const CabSmtpAccount *account,
                          const char           *from,
                          const char           *from_name,
                          GBytes               *raw,
                          gboolean              automatic,
                          GError              **error);

G_END_DECLS
