/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The mail password: CABINET_MAIL_PASSWORD for scripts and tests, else the
 * desktop keyring, under the account it was saved for ("user@host",
 * cab_mail_sync_account_key()), so it is never sent to another server
 * (rule 1 of docs/architecture.md, "Rules for hostile input"). NULL when
 * neither has one. Blocking: worker threads only. */
char *cab_mail_account_lookup_password (const char  *account,
                                        GError     **error);

/* An OAuth bearer token for XOAUTH2 given by hand: CABINET_MAIL_TOKEN, or
 * the first line of the file CABINET_MAIL_TOKEN_FILE (which must be closed
 * to others, as cab_config_read_token_file() checks). Like a FHIR token given
 * by hand, it goes to the servers given with it. NULL when neither is set;
 * an unreadable file is an error. Pro Santé Connect will supply tokens
 * through the same path (docs/architecture.md, "Where the mail account comes
 * from"). */
char *cab_mail_account_lookup_token    (GError     **error);

/* What a worker needs to reach the mailbox, read at each attempt by the
 * watcher and the "mail" and "mailflags" outbox kinds (docs/architecture.md,
 * "Where the mail account comes from"): given values are kept, the rest is
 * read: the keyring's password for the account, the CA file's database. */
typedef struct
{
  const char   *url;         /* imaps:// or imap:// (or the SMTP URL without IMAP) */
  const char   *user;
  const char   *account;     /* keyring key "user@host"; NULL: from @url and @user */
  const char   *password;    /* given: kept; NULL: the keyring's */
  gboolean      no_password; /* XOAUTH2: no password to read */
  GTlsDatabase *database;    /* given: kept; NULL: @ca_file's, else system trust */
  const char   *ca_file;
} CabMailAccountSpec;

typedef struct
{
  char         *url;
  char         *user;
  char         *account;
  char         *password;    /* NULL with no_password, or with @token */
  char         *token;       /* XOAUTH2 bearer given by hand (takes the password's place) */
  GTlsDatabase *database;    /* NULL: system trust */
} CabMailAccount;

/* A CabImapTokenFunc handing out @account's token (user_data: the account). */
char *cab_mail_account_token_func (gpointer   account,
                                   GError   **error);

/* The one loader. Errors: CAB_IMAP_ERROR_URL for an unusable @url (when the
 * account key is derived from it), the TLS error of an unreadable CA file,
 * G_IO_ERROR_PERMISSION_DENIED when no password is saved for the account.
 * Blocking (keyring, file): worker threads only. */
CabMailAccount *cab_mail_account_load (const CabMailAccountSpec *spec,
                                       GError                  **error);
void            cab_mail_account_free (CabMailAccount           *account);

/* Saves @password in the keyring for @account ("user@host" of the IMAP
 * server it goes to), asynchronously (libsecret's own thread; never blocks
 * the caller). Errors: G_IO_ERROR_NOT_SUPPORTED without a secret service. */
void     cab_mail_account_save_password_async  (const char          *account,
                                                const char          *password,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean cab_mail_account_save_password_finish (GAsyncResult        *result,
                                                GError             **error);

/* The preferences' "Check" (docs/architecture.md, "Where the mail account
 * comes from"), on a worker thread: the IMAP server is connected to and
 * logged in to, then logged out of; the SMTP server is connected to,
 * secured, greeted and signed in to, then left with QUIT (cab_smtp_check():
 * no message is sent). Each given server is checked, whatever the other's
 * outcome. */
typedef struct
{
  const char *imap_url;   /* NULL or "": not checked */
  const char *smtp_url;   /* NULL or "": not checked */
  const char *user;
  const char *password;   /* NULL: the keyring's for user@host (the IMAP
                           * server's host, else the SMTP server's) */
  const char *ca_file;    /* NULL: system trust */
} CabMailCheckSpec;

void     cab_mail_account_check_async  (const CabMailCheckSpec *spec,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data);
/* TRUE when every server checked accepted the mailbox. Otherwise FALSE,
 * with each failing server's error in @imap_error and @smtp_error
 * (CabImapError, CabSmtpError or the loader's; G_IO_ERROR_CANCELLED in
 * both when cancelled). */
gboolean cab_mail_account_check_finish (GAsyncResult           *result,
                                        GError                **imap_error,
                                        GError                **smtp_error);

/* For tests only (the test machines run no secret service): an in-process
 * keyring, account -> password, that lookups and saves use instead of
 * libsecret while set. NULL restores the keyring. Not thread-safe to switch
 * while workers run. */
void cab_mail_account_set_keyring_for_tests (GHashTable *passwords);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMailAccount, cab_mail_account_free)

G_END_DECLS
