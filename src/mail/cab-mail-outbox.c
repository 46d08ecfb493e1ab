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

typedef struct
{
  CabStore       *store;
  CabMailServers  servers;
  char           *strings[9];   /* owned copies behind @servers */
} MailKind;

static const char *
keep (MailKind *k, guint slot, const char *value)
{
  k->strings[slot] = g_strdup (value);
  return k->strings[slot];
}

static void
mail_kind_free (gpointer data)
{
  MailKind *k = data;

  g_clear_object (&k->store);
  g_clear_object (&k->servers.database);
  for (guint i = 0; i < G_N_ELEMENTS (k->strings); i++)
    g_free (k->strings[i]);
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
  CabMailServers servers = k->servers;
  g_autofree char *message = NULL, *password = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  /* The app gives an account, not a password: the keyring is read here,
   * off the main thread, at each attempt (a password changed meanwhile is
   * taken). */
  if (servers.smtp.password == NULL && servers.smtp.token_func == NULL && servers.account != NULL)
    {
      password = cab_mail_account_lookup_password (servers.account, NULL);
      if (password == NULL)
        {
          result->status = CAB_OUTBOX_SEND_RETRY;
          result->message = g_strdup_printf (_("No password is saved for the mailbox %s"), servers.smtp.user);
          return;
        }
      servers.smtp.password = password;
      servers.imap_password = password;
    }
  if (servers.database == NULL && servers.smtp.ca_file != NULL && servers.imap_url != NULL)
    {
      database = g_tls_file_database_new (servers.smtp.ca_file, &error);
      if (database == NULL)
        {
          result->status = CAB_OUTBOX_SEND_RETRY;
          result->message = g_strdup (error->message);
          return;
        }
      servers.database = database;
    }

  servers.smtp.deadline = deadline;
  servers.smtp.cancellable = cancellable;
  switch (cab_mail_send_entry (k->store, &servers, entry->id, entry->payload, &message))
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
  MailKind *k = g_new0 (MailKind, 1);

  k->store = g_object_ref (cab_outbox_get_store (outbox));
  k->servers = *servers;
  k->servers.smtp.url = keep (k, 0, servers->smtp.url);
  k->servers.smtp.user = keep (k, 1, servers->smtp.user);
  k->servers.smtp.password = keep (k, 2, servers->smtp.password);
  k->servers.smtp.ca_file = keep (k, 3, servers->smtp.ca_file);
  k->servers.imap_url = keep (k, 4, servers->imap_url);
  k->servers.imap_user = keep (k, 5, servers->imap_user);
  k->servers.imap_password = keep (k, 6, servers->imap_password);
  k->servers.sent_folder = keep (k, 7, servers->sent_folder);
  k->servers.account = keep (k, 8, servers->account);
  if (servers->database != NULL)
    k->servers.database = g_object_ref (servers->database);
  cab_outbox_add_kind (outbox, &sender, k, mail_kind_free);
}
