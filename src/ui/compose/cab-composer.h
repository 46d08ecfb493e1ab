/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-inbox-queries.h"
#include "cab-mail-drafts.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_COMPOSER (cab_composer_get_type ())
G_DECLARE_FINAL_TYPE (CabComposer, cab_composer, CAB, COMPOSER, AdwWindow)

/* The secure-message composer (docs/architecture.md, "The composer"): a
 * window of its own, saved as a draft in the store while the user writes,
 * queued through the outbox on Send (never SMTP from here). */

typedef enum
{
  CAB_COMPOSER_REPLY,
  CAB_COMPOSER_REPLY_ALL,
  CAB_COMPOSER_FORWARD,
} CabComposerMode;

CabComposer *cab_composer_new           (GtkWindow             *parent,
                                         CabSession            *session);
/* The patient the message is about (the patient page's "Write…"): named in
 * the message (X-MSS-INS, XDM), and their own mailbox offered when their
 * identity is qualified. */
void         cab_composer_set_patient   (CabComposer           *self,
                                         const char            *patient_id);
/* A timeline document attached (the timeline's "Send…"). */
void         cab_composer_add_document  (CabComposer           *self,
                                         const char            *document_id);
void         cab_composer_add_file      (CabComposer           *self,
                                         GFile                 *file);
/* Reply, reply to all or forward @message (the Inbox's reading pane):
 * recipients, "Re:"/"Fwd:" subject, the quoted text, In-Reply-To and
 * References, the PDFs of a forwarded message. */
void         cab_composer_set_message   (CabComposer           *self,
                                         const CabInboxMessage *message,
                                         CabComposerMode        mode);
/* A saved draft opened again (the Outbox page's Drafts). */
void         cab_composer_load_draft    (CabComposer           *self,
                                         const CabMailDraftRecord *draft);

/* A message queued and not sent yet (the Outbox page's Edit…): opened with
 * its recipients, subject, text, attachments and receipt; no draft is
 * saved, Save replaces the queued message (cab_mail_replace_async()), or
 * says why it cannot: sent or being sent meanwhile, the entry left as it
 * was. */
void         cab_composer_edit_entry    (CabComposer           *self,
                                         gint64                 entry_id);

/* The subject of a message opened from a document: "<title> of <date>"
 * (never the patient's name: see the .c). */
char        *cab_composer_document_subject (const char *title,
                                            const char *date);

/* "Re: x" for "x", "RE : x", "Re: x"…; "Fwd: x" likewise (the standard
 * prefixes, whatever the language: see the .c). */
char        *cab_composer_reply_subject   (const char *subject);
char        *cab_composer_forward_subject (const char *subject);

G_END_DECLS
