/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store-private.h"
#include "cab-mail-keywords.h"

G_BEGIN_DECLS

/* Filing a message's documents into a patient's timeline, shared by the
 * triage actions (cab-mail-triage.c) and the desk that follows another
 * desk's triage (cab-mail-follow.c). docs/architecture.md, "Triage". */

typedef struct
{
  guint    position;
  char    *source;
  char    *filename;
  char    *content_type;
  char    *sha1;
  gboolean hash_ok;
  char    *type_code;
  char    *type_display;
  char    *filed_patient_id;
  char    *filed_document_id;
  char    *dismissed_reason;
  /* Filing: to be filed (set by the caller), the bytes read back and the
   * local document made of them. */
  gboolean wanted;
  GBytes  *content;
  char    *new_document_id;
  char    *new_path;
  char    *text;
} CabTriageDoc;

typedef struct
{
  gint64     id;
  char      *account;
  char      *mailbox;
  gint64     uidvalidity;
  gint64     uid;
  char      *keywords;
  char      *match_state;
  char      *match_reason;
  char      *match_patient_id;
  char      *raw_path;
  gint64     date;
  char      *subject;
  GPtrArray *docs;    /* CabTriageDoc* */
} CabTriageMessage;

void              cab_triage_message_free            (CabTriageMessage  *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabTriageMessage, cab_triage_message_free)

/* The message and its documents as stored (NOT_FOUND when absent). */
CabTriageMessage *cab_triage_message_read            (CabStoreConn      *conn,
                                                      gint64             mail_id,
                                                      GError           **error);
/* Its triage as its keywords say (this desk's wish, or the server's). */
CabMailTriage     cab_triage_message_triage          (const CabTriageMessage *m);
/* An IHE_XDM.zip: its documents are listed after it and filed in its place. */
gboolean          cab_triage_doc_is_container        (const CabTriageDoc *d);
/* Filed or dismissed already. */
gboolean          cab_triage_doc_is_accounted        (const CabTriageDoc *d);
/* @patient_id names a patient of this store (exactly: no prefix). */
gboolean          cab_triage_patient_exists          (CabStoreConn      *conn,
                                                      const char        *patient_id,
                                                      GError           **error);
/* Reads the raw message again and gives each document marked `wanted` its
 * bytes, after checking their SHA-1 against what the inbox listed
 * (CAB_MAIL_TRIAGE_ERROR_DOCUMENT otherwise). No store access. */
gboolean          cab_triage_read_back               (CabTriageMessage  *m,
                                                      GError           **error);
/* Writes each document with bytes to <data dir>/documents (0600), reads a
 * PDF's text. No store access: before the transaction. */
gboolean          cab_triage_write_documents         (CabStore          *store,
                                                      CabTriageMessage  *m,
                                                      GError           **error);
/* Inside the writer's transaction: the written documents become
 * @patient_id's (origin "mssante", text indexed) and the message's
 * documents link to them; their ids appended to @created. */
gboolean          cab_triage_insert_documents_locked (CabStoreWriter    *writer,
                                                      CabTriageMessage  *m,
                                                      const char        *patient_id,
                                                      GPtrArray         *created,
                                                      GError           **error);

G_END_DECLS
