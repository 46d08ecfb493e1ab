/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* The "mail" outbox kind: the outbox claims the entry (state sending),
 * persists the backoff and shows it; this file turns cab_mail_send_entry()'s
 * outcome into the outbox's. The "already applied" hook is not used: the
 * send itself knows more precisely than the attempt count whether an
 * earlier attempt reached DATA (mail_sent.data_started), and looks in the
 * Sent folder then. */

#include "cab-mail-outbox.h"

#include "cab-outbox-kind.h"

#include <glib/gi18n-lib.h>

#include "cab-mail-account.h"

/* The servers as registered, replaced whole when the account changes
 * (cab_mail_outbox_register() again); an attempt holds a reference to the
 * ones it started with. */
typedef struct
{
  gatomicrefcount ref;
  CabMailServers  servers;
  char           *strings[9];   /* owned copies behind @servers */
} Servers;

typedef struct
{
  CabStore       *store;
  GMutex          lock;
  Servers        *servers;      /* under @lock; NULL: no mailbox is set up */
} MailKind;

#define MAIL_KIND_KEY "cab-mail-outbox-kind"

static const char *
keep (Servers *s, guint slot, const char *value)
{
  s->strings[slot] = g_strdup (value);
  return s->strings[slot];
}

static Servers *
servers_new (const CabMailServers *servers)
{
  Servers *s = g_new0 (Servers, 1);

  g_atomic_ref_count_init (&s->ref);
  s->servers = *servers;
  s->servers.smtp.url = keep (s, 0, servers->smtp.url);
  s->servers.smtp.user = keep (s, 1, servers->smtp.user);
  s->servers.smtp.password = keep (s, 2, servers->smtp.password);
  s->servers.smtp.ca_file = keep (s, 3, servers->smtp.ca_file);
  s->servers.imap_url = keep (s, 4, servers->imap_url);
  s->servers.imap_user = keep (s, 5, servers->imap_user);
  s->servers.imap_password = keep (s, 6, servers->imap_password);
  s->servers.sent_folder = keep (s, 7, servers->sent_folder);
  s->servers.account = keep (s, 8, servers->account);
  if (servers->database != NULL)
    g_object_ref (servers->database);
  return s;
}

static void
servers_unref (Servers *s)
{
  if (!g_atomic_ref_count_dec (&s->ref))
    return;
  g_clear_object (&s->servers.database);
  for (guint i = 0; i < G_N_ELEMENTS (s->strings); i++)
    g_free (s->strings[i]);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Servers, servers_unref)

static Servers *
mail_kind_dup_servers (MailKind *k)
{
  Servers *s;

  g_mutex_lock (&k->lock);
  s = k->servers;
  if (s != NULL)
    g_atomic_ref_count_inc (&s->ref);
  g_mutex_unlock (&k->lock);
  return s;
}

static void
mail_kind_free (gpointer data)
{
  MailKind *k = data;

  g_clear_object (&k->store);
  g_clear_pointer (&k->servers, servers_unref);
  g_mutex_clear (&k->lock);
  g_free (k);
}

static void
send_mail (const CabOutboxEntry *entry,
           gint64                deadline,
           GCancellable         *cancellable,
           gpointer              user_data,
           CabOutboxSendResult  *result)
{
  MailKind *k = user_data;
  g_autoptr(Servers) registered = mail_kind_dup_servers (k);
  CabMailServers servers;
  g_autofree char *message = NULL;
  CabSmtpFailure failure = { 0 };
  g_autoptr(CabMailAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gboolean need_password;

  /* The account was removed: the message stays queued, with the reason,
   * and nothing reaches the servers it had (cab_mail_outbox_unset()). */
  if (registered == NULL)
    {
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->message = g_strdup (_("No mailbox is set up (Preferences → Mail): the message waits here until one is"));
      return;
    }
  servers = registered->servers;
  need_password = servers.smtp.password == NULL && servers.smtp.token_func == NULL && servers.account != NULL;

  /* The app gives an account, not a password: the keyring (and the CA
   * file, for the Sent copy over IMAP) is read here, off the main thread,
   * at each attempt (a password changed meanwhile is taken). */
  if (need_password || (servers.database == NULL && servers.smtp.ca_file != NULL && servers.imap_url != NULL))
    {
      CabMailAccountSpec spec = {
        .url = servers.imap_url != NULL ? servers.imap_url : servers.smtp.url,
        .user = servers.smtp.user,
        .account = servers.account != NULL ? servers.account : "",
        .password = servers.smtp.password,
        .no_password = !need_password,
        .database = servers.database,
        .ca_file = servers.imap_url != NULL ? servers.smtp.ca_file : NULL,
      };

      account = cab_mail_account_load (&spec, &error);
      if (account == NULL)
        {
          result->status = CAB_OUTBOX_SEND_RETRY;
          result->message = g_strdup (error->message);
          return;
        }
      if (need_password && account->token != NULL)
        {
          servers.smtp.token_func = cab_mail_account_token_func;
          servers.smtp.token_data = account;
          servers.imap_token_func = cab_mail_account_token_func;
          servers.imap_token_data = account;
        }
      else if (need_password)
        {
          servers.smtp.password = account->password;
          servers.imap_password = account->password;
        }
      servers.database = account->database;
    }

  servers.smtp.deadline = deadline;
  servers.smtp.cancellable = cancellable;
  switch (cab_mail_send_entry (k->store, &servers, entry->id, entry->payload, &message, &failure))
    {
    case CAB_MAIL_SENT:
      result->status = CAB_OUTBOX_SEND_DONE;
      result->server_id = g_steal_pointer (&message);
      break;
    case CAB_MAIL_RETRY:
      result->status = CAB_OUTBOX_SEND_RETRY;
      result->message = g_steal_pointer (&message);
      break;
    case CAB_MAIL_FAILED:
      result->status = CAB_OUTBOX_SEND_FAILED;
      result->message = g_steal_pointer (&message);
      break;
    }
  /* What failed, language-neutral: the Outbox and cabinetctl say it in
   * their reader's language (cab-outbox-error.h). */
  if (result->status != CAB_OUTBOX_SEND_DONE && failure.code != NULL)
    {
      result->code = g_strdup (failure.code);
      result->detail = g_steal_pointer (&failure.detail);
    }
  cab_smtp_failure_clear (&failure);
}

void
cab_mail_outbox_register (CabOutbox            *outbox,
                          const CabMailServers *servers)
{
  static const CabOutboxSender sender = {
    .kind = CAB_MAIL_KIND,
    .send = send_mail,
    /* SMTP's own deadlines (connect 30 s, 60 s of stall) fit in it. */
    .timeout_s = 300,
  };
  MailKind *k = g_object_get_data (G_OBJECT (outbox), MAIL_KIND_KEY);

  /* Registered already: the account changed (the preferences' Mail page);
   * attempts under way finish with the servers they started with. */
  if (k != NULL)
    {
      Servers *old;

      g_mutex_lock (&k->lock);
      old = k->servers;
      k->servers = servers_new (servers);
      g_mutex_unlock (&k->lock);
      g_clear_pointer (&old, servers_unref);
      return;
    }

  k = g_new0 (MailKind, 1);
  g_mutex_init (&k->lock);
  k->store = g_object_ref (cab_outbox_get_store (outbox));
  k->servers = servers_new (servers);
  /* The kind lives as long as the outbox: no destroy notify here. */
  g_object_set_data (G_OBJECT (outbox), MAIL_KIND_KEY, k);
  cab_outbox_add_kind (outbox, &sender, k, mail_kind_free);
}

void
cab_mail_outbox_unset (CabOutbox *outbox)
{
  MailKind *k;
  Servers *old;

  g_return_if_fail (CAB_IS_OUTBOX (outbox));

  k = g_object_get_data (G_OBJECT (outbox), MAIL_KIND_KEY);
  if (k == NULL)
    return;
  /* Attempts under way finish with the servers they started with. */
  g_mutex_lock (&k->lock);
  old = g_steal_pointer (&k->servers);
  g_mutex_unlock (&k->lock);
  g_clear_pointer (&old, servers_unref);
}
