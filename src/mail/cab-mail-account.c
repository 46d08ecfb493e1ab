/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-mail-account.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "cab-config.h"
#include "cab-imap.h"
#include "cab-mail-sync.h"
#include "cab-smtp.h"

#define PASSWORD_SCHEMA_ID "io.github.cabinet_sante.Cabinet.MailPassword"

/* "Check connection" waits no longer than this for a silent server. */
#define CHECK_TIMEOUT_S 20

static GMutex      test_keyring_lock;
static GHashTable *test_keyring;

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    PASSWORD_SCHEMA_ID, SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static gboolean
has_session_bus (void)
{
  const char *bus = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  return bus != NULL && *bus != '\0';
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

void
cab_mail_account_set_keyring_for_tests (GHashTable *passwords)
{
  g_mutex_lock (&test_keyring_lock);
  g_clear_pointer (&test_keyring, g_hash_table_unref);
  if (passwords != NULL)
    test_keyring = g_hash_table_ref (passwords);
  g_mutex_unlock (&test_keyring_lock);
}

/* TRUE when the test keyring is set: *@password is its answer. */
static gboolean
test_keyring_lookup (const char  *account,
                     char       **password)
{
  gboolean set;

  g_mutex_lock (&test_keyring_lock);
  set = test_keyring != NULL;
  if (set)
    *password = g_strdup (g_hash_table_lookup (test_keyring, account));
  g_mutex_unlock (&test_keyring_lock);
  return set;
}

char *
cab_mail_account_lookup_password (const char  *account,
                                  GError     **error)
{
  const char *env = g_getenv ("CABINET_MAIL_PASSWORD");
  char *password = NULL;
  char *secret;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (account == NULL)
    return NULL;
  if (test_keyring_lookup (account, &password))
    return password;
  /* Without a session bus there is no keyring to ask (and asking would
   * try to start one). */
  if (!has_session_bus ())
    return NULL;
  secret = secret_password_lookup_sync (password_schema (), NULL, NULL, "account", account, NULL);
  if (secret == NULL)
    return NULL;
  /* Copy out of secure memory so callers free it with g_free (). */
  password = g_strdup (secret);
  secret_password_free (secret);
  return password;
}

char *
cab_mail_account_lookup_token (GError **error)
{
  const char *env = g_getenv ("CABINET_MAIL_TOKEN");
  const char *file = g_getenv ("CABINET_MAIL_TOKEN_FILE");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (file != NULL && *file != '\0')
    return cab_config_read_token_file (file, error);
  return NULL;
}

char *
cab_mail_account_token_func (gpointer   account,
                             GError   **error)
{
  CabMailAccount *self = account;

  if (self->token == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, _("No sign-in token for the mailbox"));
      return NULL;
    }
  return g_strdup (self->token);
}

/* ---------------------------------------------------------------------- */
/* The one loader                                                         */

void
cab_mail_account_free (CabMailAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->url);
  g_free (account->user);
  g_free (account->account);
  clear_secret (&account->password);
  clear_secret (&account->token);
  g_clear_object (&account->database);
  g_free (account);
}

CabMailAccount *
cab_mail_account_load (const CabMailAccountSpec *spec,
                       GError                  **error)
{
  g_autoptr(CabMailAccount) account = g_new0 (CabMailAccount, 1);

  g_return_val_if_fail (spec != NULL && spec->user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  account->url = g_strdup (spec->url);
  account->user = g_strdup (spec->user);
  account->account = spec->account != NULL ? g_strdup (spec->account)
                                           : cab_mail_sync_account_key (spec->url, spec->user, error);
  if (account->account == NULL)
    return NULL;

  if (spec->database != NULL)
    account->database = g_object_ref (spec->database);
  else if (spec->ca_file != NULL &&
           (account->database = g_tls_file_database_new (spec->ca_file, error)) == NULL)
    return NULL;

  if (spec->password != NULL || spec->no_password)
    {
      account->password = g_strdup (spec->password);
      return g_steal_pointer (&account);
    }
  /* A token given by hand means XOAUTH2: it takes the password's place. */
  {
    g_autoptr(GError) token_error = NULL;

    account->token = cab_mail_account_lookup_token (&token_error);
    if (token_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&token_error));
        return NULL;
      }
  }
  if (account->token == NULL &&
      (account->password = cab_mail_account_lookup_password (account->account, NULL)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("No password is saved for the mailbox %s"), spec->user);
      return NULL;
    }

  return g_steal_pointer (&account);
}

/* ---------------------------------------------------------------------- */
/* Saving the password                                                    */

static void
password_stored_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cab_mail_account_save_password_async (const char          *account,
                                      const char          *password,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *label = NULL;

  g_return_if_fail (account != NULL && password != NULL);
  g_task_set_source_tag (task, cab_mail_account_save_password_async);

  g_mutex_lock (&test_keyring_lock);
  if (test_keyring != NULL)
    {
      g_hash_table_replace (test_keyring, g_strdup (account), g_strdup (password));
      g_mutex_unlock (&test_keyring_lock);
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_mutex_unlock (&test_keyring_lock);

  if (!has_session_bus ())
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("No keyring is available to keep the mailbox password"));
      return;
    }
  /* Translators: %s is the mailbox and its server, "user@host" */
  label = g_strdup_printf (_("Cabinet MSSanté password for %s"), account);
  secret_password_store (password_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, password_stored_cb, g_steal_pointer (&task),
                         "account", account,
                         NULL);
}

gboolean
cab_mail_account_save_password_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cab_mail_account_save_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* Checking the connection                                                */

typedef struct
{
  char *imap_url;
  char *smtp_url;
  char *user;
  char *password;
  char *ca_file;
} CheckData;

typedef struct
{
  GError *imap;
  GError *smtp;
} CheckResult;

static void
check_data_free (CheckData *data)
{
  g_free (data->imap_url);
  g_free (data->smtp_url);
  g_free (data->user);
  clear_secret (&data->password);
  g_free (data->ca_file);
  g_free (data);
}

static void
check_result_free (CheckResult *r)
{
  g_clear_error (&r->imap);
  g_clear_error (&r->smtp);
  g_free (r);
}

static gboolean
check_imap (const CabMailAccount  *account,
            const char            *url,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(CabImap) imap = cab_imap_connect (url, account->database, CHECK_TIMEOUT_S, cancellable, error);

  if (imap == NULL)
    return FALSE;
  /* A token given by hand signs in as the sync will (XOAUTH2), as the SMTP
   * check does: never a password in its place. */
  if (account->token != NULL)
    return cab_imap_login_xoauth2 (imap, account->user, cab_mail_account_token_func, (gpointer) account, error);
  return cab_imap_login (imap, account->user, account->password, error);
}

static gboolean
check_smtp (const CabMailAccount  *account,
            const char            *url,
            const char            *ca_file,
            GCancellable          *cancellable,
            GError               **error)
{
  CabSmtpAccount smtp = {
    .url = url,
    .user = account->user,
    .password = account->password,
    .ca_file = ca_file,
    .connect_timeout_s = CHECK_TIMEOUT_S,
    .deadline = g_get_monotonic_time () + 2 * CHECK_TIMEOUT_S * G_USEC_PER_SEC,
    .cancellable = cancellable,
  };

  if (account->token != NULL)
    {
      smtp.password = NULL;
      smtp.token_func = cab_mail_account_token_func;
      smtp.token_data = (gpointer) account;
    }
  return cab_smtp_check (&smtp, error);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  g_autofree char *key = NULL;
  CabMailAccountSpec spec = {
    .url = data->imap_url != NULL ? data->imap_url : data->smtp_url,
    .user = data->user, .password = data->password, .ca_file = data->ca_file,
  };
  g_autoptr(CabMailAccount) account = NULL;
  CheckResult *r = g_new0 (CheckResult, 1);
  GError *error = NULL;

  /* Without IMAP, the password is saved under the SMTP server's host
   * (as the preferences save it). */
  if (data->imap_url == NULL)
    {
      g_autofree char *host = NULL;
      guint16 port;
      gboolean implicit;

      if (cab_smtp_parse_url (data->smtp_url, &host, &port, &implicit, &error))
        spec.account = key = g_strdup_printf ("%s@%s", data->user, host);
    }
  if (error == NULL)
    account = cab_mail_account_load (&spec, &error);
  if (account == NULL)
    {
      if (data->imap_url != NULL)
        r->imap = g_error_copy (error);
      if (data->smtp_url != NULL)
        r->smtp = g_error_copy (error);
      g_error_free (error);
      g_task_return_pointer (task, r, (GDestroyNotify) check_result_free);
      return;
    }
  if (data->imap_url != NULL)
    check_imap (account, data->imap_url, cancellable, &r->imap);
  if (data->smtp_url != NULL)
    check_smtp (account, data->smtp_url, data->ca_file, cancellable, &r->smtp);
  g_task_return_pointer (task, r, (GDestroyNotify) check_result_free);
}

static char *
set_or_null (const char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

void
cab_mail_account_check_async (const CabMailCheckSpec *spec,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CheckData *data = g_new0 (CheckData, 1);

  g_return_if_fail (spec != NULL && spec->user != NULL);
  g_task_set_source_tag (task, cab_mail_account_check_async);
  data->imap_url = set_or_null (spec->imap_url);
  data->smtp_url = set_or_null (spec->smtp_url);
  data->user = g_strdup (spec->user);
  data->password = g_strdup (spec->password);
  data->ca_file = g_strdup (spec->ca_file);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_thread);
}

gboolean
cab_mail_account_check_finish (GAsyncResult  *result,
                               GError       **imap_error,
                               GError       **smtp_error)
{
  g_autoptr(GError) error = NULL;
  CheckResult *r;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cab_mail_account_check_async, FALSE);

  r = g_task_propagate_pointer (G_TASK (result), &error);
  if (r == NULL)
    {
      if (imap_error != NULL)
        *imap_error = g_error_copy (error);
      if (smtp_error != NULL)
        *smtp_error = g_error_copy (error);
      return FALSE;
    }
  ok = r->imap == NULL && r->smtp == NULL;
  if (r->imap != NULL && imap_error != NULL)
    *imap_error = g_steal_pointer (&r->imap);
  if (r->smtp != NULL && smtp_error != NULL)
    *smtp_error = g_steal_pointer (&r->smtp);
  check_result_free (r);
  return ok;
}
