/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-drafts.h"
#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* A queued message opened again in the composer and saved over itself
 * (docs/architecture.md, "Sending mail", "Editing a queued message"). */

typedef struct
{
  gint64               entry_id;
  CabMailDraftRecord  *record;          /* to, subject, body, receipt, patient; files are the
                                         * entry's copies, document_ids its timeline documents */
  char               **file_names;      /* beside record->files: the names the recipient sees */
  char               **document_titles; /* beside record->document_ids */
  char                *payload;         /* the entry's payload as read */
} CabMailQueued;

void           cab_mail_queued_free   (CabMailQueued *queued);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMailQueued, cab_mail_queued_free)

/* Worker thread. The message of outbox entry @entry_id while it can change
 * (pending, held or failed, not a read receipt, not possibly delivered);
 * else CAB_MAIL_SEND_ERROR_STARTED or _INVALID. */
CabMailQueued *cab_mail_queued_read   (CabStore                 *store,
                                       gint64                    entry_id,
                                       GError                  **error);

/* Worker thread. Replaces the message of @entry_id by @record, checked and
 * snapshotted as cab_mail_queue() does (same Message-ID, its Date now): a
 * file of @record that is one of the entry's copies is kept as it is, a new
 * one copied; a document id already in the message keeps its snapshot.
 * One transaction, only while the entry is pending, held or failed and no
 * attempt may have reached the server (CAB_MAIL_SEND_ERROR_STARTED, the
 * entry left as it was); then pending again. */
gboolean       cab_mail_replace       (CabStore                 *store,
                                       gint64                    entry_id,
                                       const CabMailDraftRecord *record,
                                       GError                  **error);

void           cab_mail_queued_read_async  (CabStore            *store,
                                            gint64               entry_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
CabMailQueued *cab_mail_queued_read_finish (GAsyncResult        *result,
                                            GError             **error);
/* Then wakes @outbox (may be NULL): its page shows the new text.
 * @expected: the payload @record was read from (CabMailQueued.payload), or
 * NULL; when the entry holds another one now (saved meanwhile from another
 * window or cabinetctl), CAB_MAIL_SEND_ERROR_CHANGED and nothing changes. */
void           cab_mail_replace_async      (CabStore                 *store,
                                            CabOutbox                *outbox,
                                            gint64                    entry_id,
                                            const CabMailDraftRecord *record,
                                            const char               *expected,
                                            GCancellable             *cancellable,
                                            GAsyncReadyCallback       callback,
                                            gpointer                  user_data);
gboolean       cab_mail_replace_finish     (GAsyncResult             *result,
                                            GError                  **error);

G_END_DECLS
