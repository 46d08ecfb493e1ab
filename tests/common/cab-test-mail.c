/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail"

#include "cab-test-mail.h"
#include "cab-imap.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gboolean
run_fixture (const char * const *args, GError **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err_text = NULL;

  process = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mail-fixture %s failed: %s", args[1],
                   err_text ? err_text : "");
      return FALSE;
    }
  return TRUE;
}

CabTestMail *
cab_test_mail_start (gboolean plaintext_only, GError **error)
{
  const char *fixture = g_getenv ("CABINET_MAIL_FIXTURE");
  g_autoptr(CabTestMail) mail = g_new0 (CabTestMail, 1);
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *env_path = NULL, *env = NULL;
  g_auto(GStrv) lines = NULL;
  const char *args[] = { fixture, "start", NULL, "--watch", pid, plaintext_only ? "--plaintext-only" : NULL, NULL };

  if (fixture == NULL || getuid () != 0 || !g_file_test ("/usr/sbin/dovecot", G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test ("/usr/lib/postfix/sbin/master", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the mail fixture needs root and Dovecot/Postfix (build-aux/install-deps)");
      return NULL;
    }
  mail->dir = g_dir_make_tmp ("cabinet-mail-XXXXXX", error);
  if (mail->dir == NULL)
    return NULL;
  args[2] = mail->dir;
  {
    g_autoptr(GError) start_error = NULL;

    /* Installed but not starting: the test fails, it does not skip. */
    if (!run_fixture (args, &start_error))
      g_error ("The mail fixture did not start: %s", start_error->message);
  }
  env_path = g_build_filename (mail->dir, "env", NULL);
  if (!g_file_get_contents (env_path, &env, NULL, error))
    return NULL;
  lines = g_strsplit (env, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      const char *value;

      if (eq == NULL)
        continue;
      *eq = '\0';
      value = eq + 1;
      if (g_str_equal (lines[i], "IMAP_PORT"))
        mail->imap_port = atoi (value);
      else if (g_str_equal (lines[i], "IMAPS_PORT"))
        mail->imaps_port = atoi (value);
      else if (g_str_equal (lines[i], "SMTP_PORT"))
        mail->smtp_port = atoi (value);
      else if (g_str_equal (lines[i], "SMTPS_PORT"))
        mail->smtps_port = atoi (value);
      else if (g_str_equal (lines[i], "CA_FILE"))
        mail->ca_file = g_strdup (value);
      else if (g_str_equal (lines[i], "OTHER_CA_FILE"))
        mail->other_ca_file = g_strdup (value);
    }
  return g_steal_pointer (&mail);
}

gboolean
cab_test_mail_send (CabTestMail *mail, const char *eml, GError **error)
{
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "send", mail->dir, eml, NULL };

  return run_fixture (args, error);
}

gboolean
cab_test_mail_add_user (CabTestMail *mail, const char *name, GError **error)
{
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "user", mail->dir, name, NULL };

  return run_fixture (args, error);
}

gboolean
cab_test_mail_set_smtp (CabTestMail *mail, gboolean up, GError **error)
{
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "smtp", mail->dir, up ? "up" : "down", NULL };

  return run_fixture (args, error);
}

char *
cab_test_mail_token (CabTestMail *mail, const char *user, int seconds, GError **error)
{
  g_autofree char *life = g_strdup_printf ("%d", seconds);
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "token", mail->dir, user, life, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (process) || out == NULL || out[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "mail-fixture token failed");
      return NULL;
    }
  return g_strdup (g_strstrip (out));
}

char *
cab_test_mail_url (CabTestMail *mail, gboolean implicit_tls, const char *host)
{
  return g_strdup_printf ("%s://%s:%u", implicit_tls ? "imaps" : "imap", host ? host : "127.0.0.1",
                          implicit_tls ? mail->imaps_port : mail->imap_port);
}

/* @user's IMAPS session with @folder selected; NULL when there is no
 * such folder. */
static CabImap *
open_folder (CabTestMail    *mail,
             const char     *user,
             const char     *password,
             const char     *folder,
             CabImapMailbox *state)
{
  g_autofree char *url = cab_test_mail_url (mail, TRUE, NULL);
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = cab_imap_connect (url, db, 10, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (cab_imap_login (imap, user, password, &error));
  g_assert_no_error (error);
  if (!cab_imap_select (imap, folder, state, NULL))
    return NULL;
  return g_steal_pointer (&imap);
}

void
cab_test_mail_wait_delivered (CabTestMail *mail,
                              guint        n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      CabImapMailbox state = { 0 };
      g_autoptr(CabImap) imap = open_folder (mail, "alice", "secret", "INBOX", &state);

      g_assert_nonnull (imap);
      if (state.exists >= n)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50000);
    }
}

GPtrArray *
cab_test_mail_fetch_all (CabTestMail *mail,
                         const char  *user,
                         const char  *password,
                         const char  *folder)
{
  CabImapMailbox state = { 0 };
  g_autoptr(CabImap) imap = open_folder (mail, user, password, folder != NULL ? folder : "INBOX", &state);
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (imap == NULL)
    return messages;
  entries = cab_imap_list_after (imap, 0, 100000, &error);
  g_assert_no_error (error);
  /* 50 a FETCH: a large folder in a few round trips, no command too long. */
  for (guint start = 0; start < entries->len; start += 50)
    {
      guint32 uids[50];
      guint n = MIN (50, entries->len - start);
      g_autoptr(GHashTable) raws = NULL;

      for (guint i = 0; i < n; i++)
        uids[i] = g_array_index (entries, CabImapEntry, start + i).uid;
      raws = cab_imap_fetch (imap, uids, n, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < n; i++)
        {
          GBytes *raw = g_hash_table_lookup (raws, GUINT_TO_POINTER (uids[i]));

          /* Expunged meanwhile: not there any more. */
          if (raw != NULL)
            g_ptr_array_add (messages, g_bytes_ref (raw));
        }
    }
  return messages;
}

gboolean
cab_test_mail_generate (const char  *seed,
                        const char  *patients,
                        const char  *today,
                        guint        count,
                        const char  *out_dir,
                        GError     **error)
{
  g_autofree char *n = g_strdup_printf ("%u", count);
  const char *args[] = { g_getenv ("CABINET_SANDBOX_MAIL"), "--seed", seed, "--patients", patients,
                         "--today", today, "--count", n, "--out", out_dir, NULL };
  g_autoptr(GSubprocess) gen = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_NONE, error);

  return gen != NULL && g_subprocess_wait_check (gen, NULL, error);
}

void
cab_test_mail_remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                                   G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        cab_test_mail_remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

void
cab_test_mail_stop (CabTestMail *mail)
{
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "stop", mail->dir, NULL };

  run_fixture (args, NULL);
}

void
cab_test_mail_free (CabTestMail *mail)
{
  if (mail == NULL)
    return;
  if (mail->dir != NULL)
    {
      cab_test_mail_stop (mail);
      cab_test_mail_remove_tree (mail->dir);
    }
  g_free (mail->dir);
  g_free (mail->ca_file);
  g_free (mail->other_ca_file);
  g_free (mail);
}
