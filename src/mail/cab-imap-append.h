/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-imap.h"

G_BEGIN_DECLS

/* The Sent folder (docs/architecture.md, "Mail"): a sent message's copy is
 * appended once the SMTP server has accepted it, and a message whose send
 * may have reached the server is looked for there by Message-ID before
 * any resend. Blocking, on a worker thread, on a logged-in CabImap. */

#define CAB_IMAP_SENT_FOLDER "Sent"

/* APPEND with \Seen; the folder is created when missing. */
gboolean cab_imap_append     (CabImap     *imap,
                              const char  *mailbox,
                              GBytes      *message,
                              GError     **error);

/* Whether @mailbox holds a message with this Message-ID (without <>). A
 * missing folder holds nothing. @message_id must be a valid addr-spec. */
gboolean cab_imap_find_message_id (CabImap    *imap,
                                   const char *mailbox,
                                   const char *message_id,
                                   gboolean   *found,
                                   GError    **error);

G_END_DECLS
