/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* The composer's drafts (docs/architecture.md, "Sending mail", "Drafts"):
 * a message being written is saved in the store as the user types
 * (table mail_drafts), so it survives a crash; it goes when the message is
 * queued, in the same transaction (CabMailDraft.draft_id). The blocking
 * functions are for worker threads; the composer uses the _async ones. */

typedef struct
{
  gint64    id;             /* 0: not saved yet */
  char     *patient_id;     /* the patient the message is about, or NULL */
  char    **to;             /* addr-specs, NULL-terminated (maybe empty) */
  char    **to_names;       /* beside @to: each one's name as picked ("" none), or NULL
                             * (cab-mail-recipients.h) */
  char     *subject;
  char     *body;
  char    **document_ids;   /* timeline documents, NULL-terminated */
  char    **files;          /* local files, NULL-terminated */
  gboolean  receipt;
  char     *in_reply_to;    /* Message-ID answered (without <>), or NULL */
  char     *references;     /* space-separated Message-IDs, or NULL */
  gint64    updated_at;     /* Unix time of the last save */
} CabMailDraftRecord;

CabMailDraftRecord *cab_mail_draft_record_new   (void);
CabMailDraftRecord *cab_mail_draft_record_copy  (const CabMailDraftRecord *record);
void                cab_mail_draft_record_free  (CabMailDraftRecord       *record);
/* Nothing written: no recipient, subject, text or attachment. */
gboolean            cab_mail_draft_record_is_empty (const CabMailDraftRecord *record);

/* Blocking. Save inserts when @record->id is 0 and returns the new id;
 * else it updates that row and returns its id, or 0 when the row is gone
 * (the message was queued meanwhile: it is not written again). */
gint64              cab_mail_drafts_save        (CabStore                 *store,
                                                 const CabMailDraftRecord *record,
                                                 GError                  **error);
gboolean            cab_mail_drafts_delete      (CabStore                 *store,
                                                 gint64                    id,
                                                 GError                  **error);
/* Newest first. */
GPtrArray          *cab_mail_drafts_list        (CabStore                 *store,
                                                 GError                  **error);

void                cab_mail_drafts_save_async  (CabStore                 *store,
                                                 const CabMailDraftRecord *record,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
/* The row's id (0: gone, see cab_mail_drafts_save()), -1 on error. */
gint64              cab_mail_drafts_save_finish (GAsyncResult             *result,
                                                 GError                  **error);
void                cab_mail_drafts_delete_async  (CabStore               *store,
                                                   gint64                  id,
                                                   GCancellable           *cancellable,
                                                   GAsyncReadyCallback     callback,
                                                   gpointer                user_data);
gboolean            cab_mail_drafts_delete_finish (GAsyncResult           *result,
                                                   GError                **error);
/* CabMailDraftRecord*, newest first. */
void                cab_mail_drafts_list_async  (CabStore                 *store,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
GPtrArray          *cab_mail_drafts_list_finish (GAsyncResult             *result,
                                                 GError                  **error);

/* What the composer shows of its timeline documents: their rows
 * (CabDocumentRow*, in the order of @ids, unknown ids left out). */
void                cab_mail_drafts_documents_async  (CabStore            *store,
                                                      const char * const  *ids,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray          *cab_mail_drafts_documents_finish (GAsyncResult        *result,
                                                      GError             **error);

/* Queues @record as a message from @from, with the name of the desk's
 * @practitioner ("Practitioner/<id>", may be NULL) in From
 * (cab_mail_queue() on a worker thread), deleting the draft row in the same transaction, then wakes
 * @outbox (may be NULL). Returns the outbox entry's id, or 0 on error. */
void                cab_mail_drafts_send_async  (CabStore                 *store,
                                                 CabOutbox                *outbox,
                                                 const char               *from,
                                                 const char               *practitioner,
                                                 const CabMailDraftRecord *record,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
gint64              cab_mail_drafts_send_finish (GAsyncResult             *result,
                                                 GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMailDraftRecord, cab_mail_draft_record_free)

G_END_DECLS
