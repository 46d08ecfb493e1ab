/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-imap.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Incremental sync of one IMAP folder into the store (docs/architecture.md,
 * "Mail"): new UIDs above the stored watermark, fetched in batches; each
 * message's raw bytes go to <data dir>/mail/ (0600), its parsed headers,
 * XDM documents and patient match to the store, and each batch commits with
 * its watermark, so a sync killed at any point resumes without losing or
 * doubling a message. A UIDVALIDITY change re-reads the folder; messages
 * already stored (same Message-ID and body hash) only take their new UID. */

typedef struct
{
  const char      *url;          /* imaps://host:port or imap://host:port */
  const char      *user;
  const char      *password;     /* or NULL with token_func (XOAUTH2) */
  CabImapTokenFunc token_func;
  gpointer         token_data;
  GTlsDatabase    *database;     /* NULL: system trust */
  const char      *mailbox;      /* NULL: INBOX */
  const char      *data_dir;     /* raw messages go to <data_dir>/mail */
  guint            batch_size;   /* 0: 50 */
  guint            timeout_s;    /* 0: CAB_IMAP_DEFAULT_TIMEOUT_S */
  /* When an XDM document names the patient, leave the PDFs' text to
   * cab_mail_index_pending() (cab-mail-index.h), after the batch commits. */
  gboolean         defer_pdf_text;
} CabMailSyncOptions;

typedef struct
{
  guint    n_new;         /* messages stored for the first time */
  guint    n_fetched;     /* messages fetched from the server */
  guint    n_too_large;   /* over CAB_IMAP_DEFAULT_MAX_MESSAGE, left on the server */
  guint32  uidvalidity;
  gboolean uidvalidity_changed;
  guint32  last_uid;
  gboolean condstore;
  guint    n_flags_changed; /* stored messages whose keywords changed (CONDSTORE) */
  guint    n_vanished;      /* stored messages expunged on the server (QRESYNC) */
  /* Triage of other desks followed here (cab-mail-follow.h). */
  guint    n_filed_here;    /* documents filed here as another desk filed them */
  guint    n_taken_back;    /* documents taken back as another desk undid a filing */
  guint    n_attention;     /* messages filed elsewhere that this desk cannot file */
} CabMailSyncResult;

/* Blocking: call from a worker thread. */
gboolean cab_mail_sync_run (CabStore                 *store,
                            const CabMailSyncOptions *options,
                            CabMailSyncResult        *result,
                            GCancellable             *cancellable,
                            GError                  **error);

/* Connects and logs in (password or XOAUTH2), for cab_mail_sync_folder()
 * and IDLE on one connection. Blocking. */
CabImap *cab_mail_sync_connect (const CabMailSyncOptions *options,
                                GCancellable             *cancellable,
                                GError                  **error);
/* One sync of options->mailbox over @imap (SELECTs it). Blocking. */
gboolean cab_mail_sync_folder  (CabStore                 *store,
                                CabImap                  *imap,
                                const CabMailSyncOptions *options,
                                CabMailSyncResult        *result,
                                GCancellable             *cancellable,
                                GError                  **error);

/* The account key the store files a mailbox under, and the keyring its
 * password: "user@host" (implicit TLS and STARTTLS reach one mailbox). */
char    *cab_mail_sync_account_key (const char *url,
                                    const char *user,
                                    GError    **error);

G_END_DECLS
