/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Real Dovecot and Postfix for one test (tests/mail/mail-fixture): started
 * in a temporary directory on free loopback ports, with a guard that stops
 * them if the test process dies. */
typedef struct
{
  char   *dir;
  guint16 imap_port;
  guint16 imaps_port;
  guint16 smtp_port;
  guint16 smtps_port;
  char   *ca_file;        /* the test CA that signed the servers' certificate */
  char   *other_ca_file;  /* an unrelated CA */
} CabTestMail;

/* NULL with @error (G_IO_ERROR_NOT_SUPPORTED) when the fixture cannot run
 * here (not root, Dovecot or Postfix not installed, CABINET_MAIL_FIXTURE
 * unset): callers skip. When it can and the servers do not start, the
 * test fails here (g_error): a broken fixture is never a skip. The
 * fixture itself starts again on other ports when one was taken. */
CabTestMail *cab_test_mail_start (gboolean      plaintext_only,
                                  GError      **error);
/* Submits @eml through Postfix (STARTTLS + AUTH) to alice. */
gboolean     cab_test_mail_send  (CabTestMail  *mail,
                                  const char   *eml,
                                  GError      **error);
/* A mailbox for @name (a local part: mail to @name@any.domain lands in
 * it), password "secret", beside alice's and bob's. */
gboolean     cab_test_mail_add_user (CabTestMail  *mail,
                                     const char   *name,
                                     GError      **error);
/* Postfix stopped (its ports refuse connections: the submission server is
 * unreachable) or started again on the same ports. */
gboolean     cab_test_mail_set_smtp (CabTestMail  *mail,
                                     gboolean      up,
                                     GError      **error);
/* An XOAUTH2 bearer token for @user that the fixture's Dovecot accepts
 * (a JWT it checks locally), valid for @seconds (negative: expired). */
char        *cab_test_mail_token (CabTestMail  *mail,
                                  const char   *user,
                                  int           seconds,
                                  GError      **error);
char        *cab_test_mail_url   (CabTestMail  *mail,
                                  gboolean      implicit_tls,
                                  const char   *host);   /* NULL: 127.0.0.1 */
/* Until alice's INBOX holds @n messages (delivery through Postfix is
 * asynchronous); fails the test after 30 s, a hang guard. */
void         cab_test_mail_wait_delivered (CabTestMail *mail,
                                           guint        n);
/* Every message of @user's @folder (NULL: INBOX) as the server holds it
 * now: raw RFC 5322 GBytes in UID order, read over IMAPS with @password
 * (not marked seen). Empty when the folder does not exist yet; a server
 * that does not answer fails the test. */
GPtrArray   *cab_test_mail_fetch_all (CabTestMail *mail,
                                      const char  *user,
                                      const char  *password,
                                      const char  *folder);
/* @count messages of the sandbox's practice (cabinet-sandbox-mail: the
 * same seed, patients and day as the sandbox) written to @out_dir as
 * 0001.eml..., with truth.json. */
gboolean     cab_test_mail_generate (const char  *seed,
                                     const char  *patients,
                                     const char  *today,
                                     guint        count,
                                     const char  *out_dir,
                                     GError     **error);
/* Deletes @path and everything below it (a test's temporary directory). */
void         cab_test_mail_remove_tree (const char *path);
/* Stops both servers and keeps the directory, certificates included: a
 * client still running goes on reading its CA file (GnuTLS reads it again
 * at each handshake, and a missing file is a warning, fatal in tests).
 * cab_test_mail_free() removes everything. */
void         cab_test_mail_stop  (CabTestMail  *mail);
void         cab_test_mail_free  (CabTestMail  *mail);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabTestMail, cab_test_mail_free)

G_END_DECLS
