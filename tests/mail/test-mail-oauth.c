/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-oauth"

/* XOAUTH2 against real servers: the fixture's Dovecot checks bearer tokens
 * (JWTs signed with its own key) and Postfix asks Dovecot, so one token
 * signs in to IMAP and to SMTP submission. A valid token syncs and sends;
 * an expired one, or one issued to another user, is refused with an error
 * that says so, and nothing falls back to a password. */

#include <string.h>
#include <glib/gstdio.h>

#include "cab-imap.h"
#include "cab-mail-account.h"
#include "cab-mail-store.h"
#include "cab-mail-sync.h"
#include "cab-smtp.h"
#include "cab-store.h"
#include "cab-test-mail.h"

/* How long Postfix may take to hand a message to Dovecot: only ends a
 * hung test, no result depends on it. */
#define ARRIVAL_S 60

static CabTestMail *mail;
static char *tmp_dir;
static const char *skip_reason;

static char *
token_func (gpointer user_data, GError **error)
{
  return g_strdup (user_data);
}

static char *
token_for (const char *user, int seconds)
{
  g_autoptr(GError) error = NULL;
  char *token = cab_test_mail_token (mail, user, seconds, &error);

  g_assert_no_error (error);
  return token;
}

static CabStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  CabStore *store = cab_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static gboolean
sync_with_token (CabStore *store, const char *user, const char *token, CabMailSyncResult *result,
                 GError **error)
{
  g_autofree char *url = cab_test_mail_url (mail, TRUE, "localhost");
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (mail->ca_file, NULL);
  CabMailSyncOptions options = {
    .url = url,
    .user = user,
    .token_func = token_func,
    .token_data = (gpointer) token,
    .database = database,
    .data_dir = tmp_dir,
  };

  return cab_mail_sync_run (store, &options, result, NULL, error);
}

static void
test_imap_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autofree char *token = NULL;
  g_autofree char *eml = g_build_filename (tmp_dir, "hello.eml", NULL);
  CabMailSyncResult result = { 0 };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  g_assert_true (g_file_set_contents (eml,
                                      "From: Labo <labo@cabinet.test>\r\n"
                                      "To: alice@cabinet.test\r\n"
                                      "Subject: XOAUTH2 sync\r\n"
                                      "Message-ID: <oauth-imap@cabinet.test>\r\n"
                                      "\r\n"
                                      "Bonjour.\r\n", -1, NULL));
  g_assert_true (cab_test_mail_send (mail, eml, &error));
  g_assert_no_error (error);

  store = open_store ("imap.db");
  token = token_for ("alice", 3600);
  /* Postfix hands the message to Dovecot through its queue: give it time. */
  for (gint64 end = g_get_monotonic_time () + ARRIVAL_S * G_USEC_PER_SEC;
       result.n_new == 0 && g_get_monotonic_time () < end;)
    {
      g_assert_true (sync_with_token (store, "alice", token, &result, &error));
      g_assert_no_error (error);
      if (result.n_new == 0)
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (result.n_new, ==, 1);
}

static void
test_imap_refused (gconstpointer data)
{
  const char *which = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autofree char *token = NULL, *name = g_strdup_printf ("refused-%s.db", which);
  CabMailSyncResult result = { 0 };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  store = open_store (name);
  if (g_str_equal (which, "expired"))
    token = token_for ("alice", -600);
  else
    token = token_for ("bob", 3600);   /* bob's token, alice's mailbox */

  g_assert_false (sync_with_token (store, "alice", token, &result, &error));
  g_assert_error (error, CAB_IMAP_ERROR, CAB_IMAP_ERROR_AUTH);
  /* The message names the token, not a password nobody typed. */
  g_assert_nonnull (strstr (error->message, "token"));
  g_assert_null (strstr (error->message, token));
  g_assert_cmpuint (result.n_new, ==, 0);
}

static gboolean
smtp_with_token (const char *token, const char *message_id, char **reply, GError **error)
{
  g_autofree char *url = g_strdup_printf ("smtp://localhost:%u", mail->smtp_port);
  g_autofree char *text = g_strdup_printf ("From: alice@cabinet.test\r\n"
                                           "To: bob@cabinet.test\r\n"
                                           "Subject: XOAUTH2 submission\r\n"
                                           "Message-ID: <%s>\r\n"
                                           "\r\n"
                                           "Bonjour Bob.\r\n", message_id);
  g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));
  const char *to[] = { "bob@cabinet.test", NULL };
  CabSmtpAccount account = {
    .url = url,
    .user = "alice",
    .token_func = token_func,
    .token_data = (gpointer) token,
    .ca_file = mail->ca_file,
  };

  return cab_smtp_send (&account, "alice@cabinet.test", to, message, NULL, NULL, reply, NULL, error);
}

static void
test_smtp_token (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autofree char *token = NULL, *bob_token = NULL, *reply = NULL;
  CabMailSyncResult result = { 0 };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  token = token_for ("alice", 3600);
  g_assert_true (smtp_with_token (token, "oauth-smtp@cabinet.test", &reply, &error));
  g_assert_no_error (error);

  /* It arrived: bob reads it, signing in with his own token. */
  store = open_store ("bob.db");
  bob_token = token_for ("bob", 3600);
  for (gint64 end = g_get_monotonic_time () + ARRIVAL_S * G_USEC_PER_SEC;
       result.n_new == 0 && g_get_monotonic_time () < end;)
    {
      g_assert_true (sync_with_token (store, "bob", bob_token, &result, &error));
      g_assert_no_error (error);
      if (result.n_new == 0)
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (result.n_new, ==, 1);
}

static void
test_smtp_expired (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL, *reply = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  token = token_for ("alice", -600);
  g_assert_false (smtp_with_token (token, "oauth-expired@cabinet.test", &reply, &error));
  g_assert_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_AUTH);
}

/* A refused password is a sign-in problem too (535), not a refusal of the
 * message: the outbox keeps such a message queued. */
static void
test_smtp_wrong_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL, *reply = NULL;
  const char *text = "From: alice@cabinet.test\r\nTo: bob@cabinet.test\r\nSubject: x\r\n\r\nx\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  const char *to[] = { "bob@cabinet.test", NULL };
  CabSmtpAccount account = { .user = "alice", .password = "not-the-password" };

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  url = g_strdup_printf ("smtp://localhost:%u", mail->smtp_port);
  account.url = url;
  account.ca_file = mail->ca_file;
  g_assert_false (cab_smtp_send (&account, "alice@cabinet.test", to, message, NULL, NULL, &reply, NULL, &error));
  g_assert_error (error, CAB_SMTP_ERROR, CAB_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "password"));
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **errors = user_data;

  cab_mail_account_check_finish (result, &errors[0], &errors[1]);
  errors[2] = (GError *) 1;   /* done */
}

/* Preferences → Mail's "Check" with a token given by hand
 * (CABINET_MAIL_TOKEN) and no password: both servers are signed in to with
 * XOAUTH2, as the sync and the outbox will; an expired token is refused by
 * each, never replaced by a password. */
static void
test_check_token (void)
{
  g_autofree char *imaps = NULL, *smtps = NULL, *token = NULL, *expired = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  imaps = cab_test_mail_url (mail, TRUE, NULL);
  smtps = g_strdup_printf ("smtps://127.0.0.1:%u", mail->smtps_port);
  token = token_for ("alice", 3600);
  expired = token_for ("alice", -600);
  for (guint i = 0; i < 2; i++)
    {
      CabMailCheckSpec spec = { .imap_url = imaps, .smtp_url = smtps, .user = "alice", .ca_file = mail->ca_file };
      GError *errors[3] = { NULL, NULL, NULL };

      g_setenv ("CABINET_MAIL_TOKEN", i == 0 ? token : expired, TRUE);
      cab_mail_account_check_async (&spec, NULL, check_done_cb, errors);
      while (errors[2] == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (i == 0)
        {
          g_assert_no_error (errors[0]);
          g_assert_no_error (errors[1]);
        }
      else
        {
          g_assert_error (errors[0], CAB_IMAP_ERROR, CAB_IMAP_ERROR_AUTH);
          g_assert_error (errors[1], CAB_SMTP_ERROR, CAB_SMTP_ERROR_AUTH);
        }
      g_clear_error (&errors[0]);
      g_clear_error (&errors[1]);
    }
  g_unsetenv ("CABINET_MAIL_TOKEN");
}

/* cabinetctl inbox sync with the token given by hand, no password at all:
 * CABINET_MAIL_TOKEN, then CABINET_MAIL_TOKEN_FILE (refused while others
 * can read it), then an expired token. */
static int
ctl_sync (const char *token, const char *token_file, char **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = cab_test_mail_url (mail, TRUE, NULL);
  g_autofree char *data_dir = g_build_filename (tmp_dir, "ctl", NULL);
  const char *args[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "--ca", mail->ca_file,
                         "inbox", "sync", "--imap", url, "--mail-user", "alice", NULL };

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_MAIL_PASSWORD");
  if (token != NULL)
    g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_TOKEN", token, TRUE);
  if (token_file != NULL)
    g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_TOKEN_FILE", token_file, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, args, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static void
test_cabinetctl_token (void)
{
  g_autofree char *token = NULL, *expired = NULL, *err = NULL;
  g_autofree char *file = g_build_filename (tmp_dir, "token", NULL);

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  if (g_getenv ("CABINETCTL") == NULL)
    {
      g_test_skip ("CABINETCTL is not set");
      return;
    }
  token = token_for ("alice", 3600);
  g_assert_cmpint (ctl_sync (token, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (file, token, -1, NULL));
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);
  g_assert_cmpint (ctl_sync (NULL, file, &err), !=, 0);
  g_assert_nonnull (strstr (err, "token"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_chmod (file, 0600), ==, 0);
  g_assert_cmpint (ctl_sync (NULL, file, &err), ==, 0);
  g_clear_pointer (&err, g_free);

  expired = token_for ("alice", -600);
  g_assert_cmpint (ctl_sync (expired, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "sign-in token"));
  g_assert_null (strstr (err, expired));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("cabinet-mail-oauth-XXXXXX", NULL);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv ("CABINET_MAIL_PASSWORD");
  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    skip_reason = error->message;

  g_test_add_func ("/mail-oauth/imap", test_imap_token);
  g_test_add_data_func ("/mail-oauth/imap-expired", "expired", test_imap_refused);
  g_test_add_data_func ("/mail-oauth/imap-other-user", "other-user", test_imap_refused);
  g_test_add_func ("/mail-oauth/smtp", test_smtp_token);
  g_test_add_func ("/mail-oauth/smtp-expired", test_smtp_expired);
  g_test_add_func ("/mail-oauth/smtp-wrong-password", test_smtp_wrong_password);
  g_test_add_func ("/mail-oauth/check", test_check_token);
  g_test_add_func ("/mail-oauth/cabinetctl", test_cabinetctl_token);
  status = g_test_run ();

  g_clear_pointer (&mail, cab_test_mail_free);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    (void) !system (cmd);
  }
  g_free (tmp_dir);
  return status;
}
