/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cab-mail-send.h"

G_BEGIN_DECLS

/* What queueing (cab-mail-queue.c) and replacing a queued message
 * (cab-mail-replace.c) share: the checks, and the snapshot of each
 * attachment into the entry's folder. Worker thread. */

gboolean    cab_mail_queue_check_text   (const CabMailDraft   *draft,
                                         GError              **error);
char       *cab_mail_queue_file_name    (const char           *path,
                                         guint                 index);
gboolean    cab_mail_queue_write_copy   (const char           *dir,
                                         const char           *name,
                                         GBytes               *bytes,
                                         char                **path,
                                         GError              **error);
/* @total: bytes of the message's files so far (CAB_MAIL_MAX_SIZE). */
GBytes     *cab_mail_queue_read_bounded (const char           *path,
                                         guint64              *total,
                                         GError              **error);
const char *cab_mail_queue_content_type (const char           *name,
                                         GBytes               *bytes);
void        cab_mail_queue_add_patient  (JsonBuilder          *b,
                                         const CabPatient     *p);
/* Copy as "<tag>-<name>" in @dir when @tag is set (NULL: "<name>"). */
gboolean    cab_mail_queue_add_file     (JsonBuilder          *b,
                                         const char           *file,
                                         guint                 index,
                                         const char           *dir,
                                         const char           *tag,
                                         guint64              *total,
                                         GError              **error);
/* @codes (may be NULL) gets the document's type code for X-MSS-CODECDA. */
gboolean    cab_mail_queue_add_document (JsonBuilder          *b,
                                         const CabDocumentRow *row,
                                         guint                 index,
                                         const char           *dir,
                                         const char           *tag,
                                         guint64              *total,
                                         GPtrArray            *codes,
                                         GError              **error);

/* cab-mail-replace.c: writes @payload over the entry's @old_payload in one
 * transaction, only while it may change (pending, held or failed, no
 * attempt that may have reached the server: else
 * CAB_MAIL_SEND_ERROR_STARTED); then pending, its backoff reset. */
gboolean    cab_mail_replace_payload    (CabStore             *store,
                                         gint64                entry_id,
                                         const char           *old_payload,
                                         const char           *payload,
                                         GError              **error);

G_END_DECLS
