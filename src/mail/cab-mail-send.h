/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-smtp.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Secure messages out (docs/architecture.md, "Sending mail"): a message is
 * queued as an outbox entry of kind "mail" with everything it needs (its
 * Message-ID, fixed now; copies of its files; the XDM metadata read from
 * the store), in one transaction, then sent by cab_mail_send_entry() on a
 * worker thread: SMTP, then the copy in the Sent folder. */

#define CAB_MAIL_SEND_ERROR (cab_mail_send_error_quark ())

typedef enum
{
  CAB_MAIL_SEND_ERROR_INVALID,         /* an address, subject or file name refused */
  CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX, /* <INS>@patient.mssante.fr without a qualified identity */
  CAB_MAIL_SEND_ERROR_DOCUMENT,        /* unknown document, or its content not on this computer */
  CAB_MAIL_SEND_ERROR_FILE,            /* an attachment cannot be read or copied */
  CAB_MAIL_SEND_ERROR_STARTED,         /* being sent, sent, cancelled, or it may have reached the
                                        * server: it can no longer change */
  CAB_MAIL_SEND_ERROR_CHANGED,         /* saved meanwhile by another window or command than the
                                        * one editing: open it again */
} CabMailSendError;

#define CAB_MAIL_KIND             "mail"
#define CAB_MAIL_PATIENT_DOMAIN   "patient.mssante.fr"
#define CAB_MAIL_MAX_ATTACHMENTS  32
#define CAB_MAIL_MAX_SIZE         (G_GUINT64_CONSTANT (25) << 20)   /* bytes of all files */
#define CAB_MAIL_MAX_BODY         (G_GUINT64_CONSTANT (1) << 20)

typedef struct
{
  const char          *from;           /* the account's address */
  const char          *practitioner;   /* "Practitioner/<id>" of the desk: their name goes
                                        * before the address in From, when the store has it */
  const char * const  *to;             /* NULL-terminated */
  const char * const  *to_names;       /* beside @to: each one's name as picked ("" none), or
                                        * NULL (cab-mail-recipients.h; a bad one is dropped) */
  const char          *subject;
  const char          *body;
  const char * const  *files;          /* local files (PDFs), or NULL */
  const char * const  *document_ids;   /* timeline documents (sent in an IHE_XDM.zip and as PDFs), or NULL */
  const char          *patient_id;     /* the patient the message is about, or NULL */
  gboolean             receipt;        /* ask for a read receipt */
  const char          *in_reply_to;    /* the Message-ID answered (without <>), or NULL */
  const char          *references;     /* space-separated Message-IDs of the thread, or NULL */
  gint64               draft_id;       /* the composer's draft (mail_drafts) deleted with the queueing, or 0 */
} CabMailDraft;

GQuark   cab_mail_send_error_quark (void);

/* Worker thread: the name that goes before the address in From for the
 * desk's @practitioner ("Practitioner/<id>"), or NULL. */
char    *cab_mail_from_name       (CabStore           *store,
                                   const char         *practitioner);

/* Whether @patient's mailbox may be written to, and why not (translated). */
gboolean cab_mail_patient_mailbox_allowed (const CabPatient *patient,
                                           const char       *address,
                                           GError          **error);

/* Worker thread: checks @draft, copies the files under
 * <data dir>/outbox/mail/<key>/, and inserts the outbox entry (pending) and
 * its mail_sent row in one transaction. */
gboolean cab_mail_queue           (CabStore           *store,
                                   const CabMailDraft *draft,
                                   gint64             *entry_id,
                                   char              **message_id,
                                   GError            **error);

/* What cab_mail_edit() changes; NULL (or -1) keeps. */
typedef struct
{
  const char * const  *to;        /* all the recipients (an address kept keeps its name) */
  const char * const  *to_names;  /* beside @to, or NULL: a name given ("" or NULL: the kept one's) */
  const char          *subject;
  const char          *body;
  const char * const  *attach;    /* added: files (a regular file at that path) or timeline document ids */
  const char * const  *detach;    /* removed: an attachment's name as sent ("A01-letter.pdf") or a
                                   * document's id; one the message does not have is refused */
  int                  receipt;   /* -1 kept, else whether a read receipt is asked for */
} CabMailChanges;

/* Worker thread. A queued message not sent yet (pending, held or failed)
 * changed by @changes, through cab_mail_replace() (the same checks,
 * snapshot and transaction as the composer's Save). A read receipt's entry
 * is refused (CAB_MAIL_SEND_ERROR_INVALID): it is built from the request it
 * answers. */
gboolean cab_mail_edit            (CabStore             *store,
                                   gint64                entry_id,
                                   const CabMailChanges *changes,
                                   GError              **error);

/* How to reach the servers when sending. */
typedef struct
{
  CabSmtpAccount  smtp;
  const char     *imap_url;       /* for the Sent folder; NULL: no copy, no search */
  const char     *imap_user;
  const char     *imap_password;
  CabImapTokenFunc imap_token_func;
  gpointer        imap_token_data;
  GTlsDatabase   *database;       /* IMAP trust (NULL: smtp.ca_file's, else system) */
  const char     *account;        /* keyring account ("user@host") the password is looked
                                   * up under, on the sending thread, when none is given */
  const char     *sent_folder;    /* NULL: CAB_IMAP_SENT_FOLDER */
} CabMailServers;

typedef enum
{
  CAB_MAIL_SENT,       /* accepted by the server (or found in Sent after a crash) */
  CAB_MAIL_RETRY,      /* 4xx, network, deadline: try again later */
  CAB_MAIL_FAILED,     /* 5xx or a message that cannot be built: needs the user */
} CabMailOutcome;

/* Sends the message of outbox entry @entry_id (claimed, in state sending)
 * whose payload is @payload. @message: the user-facing reason when not
 * sent, else the server's acceptance. @failure: when not sent, what failed,
 * language-neutral (its code NULL when it has none: @message says it).
 * Never sends again a message that may have reached the server without
 * first looking for it in the Sent folder. */
CabMailOutcome cab_mail_send_entry (CabStore             *store,
                                    const CabMailServers *servers,
                                    gint64                entry_id,
                                    const char           *payload,
                                    char                **message,
                                    CabSmtpFailure       *failure);

/* Read receipts (RFC 8098). */
typedef enum
{
  CAB_MAIL_MDN_ASK,
  CAB_MAIL_MDN_ALWAYS,
  CAB_MAIL_MDN_NEVER,
} CabMailMdnPolicy;

CabMailMdnPolicy cab_mail_mdn_policy_get (CabStore          *store);
gboolean         cab_mail_mdn_policy_set (CabStore          *store,
                                          CabMailMdnPolicy   policy,
                                          GError           **error);
const char      *cab_mail_mdn_policy_to_string   (CabMailMdnPolicy policy);
int              cab_mail_mdn_policy_from_string (const char      *text);

/* Reads the inbox's messages stored since the last call, and records each
 * read receipt on the sent message it names (Original-Message-ID). Returns
 * how many were recorded, -1 on error. */
int      cab_mail_collect_receipts (CabStore  *store,
                                    GError   **error);

/* The sent messages, newest first. */
typedef struct
{
  gint64  entry_id;
  char   *message_id;
  char   *state;          /* the outbox entry's */
  char   *subject;
  char   *to;             /* comma-separated */
  char   *last_error;
  gint64  accepted_at;    /* 0: not yet */
  char   *reply;
  gboolean sent_copy;
  guint   data_started;
  guint   window_resends;
  gboolean found_in_sent;
  gint64  read_at;        /* 0: no receipt */
  char   *disposition;
} CabMailSentRow;

void       cab_mail_sent_row_free (CabMailSentRow *row);
GPtrArray *cab_mail_sent_list     (CabStore  *store,
                                   GError   **error);

G_END_DECLS
