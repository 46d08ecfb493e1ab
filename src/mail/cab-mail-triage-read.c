/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* The triage keywords of every message of the folder, read in one FETCH
 * (FLAGS MODSEQ) and recorded (cab_mail_store_set_server_keywords_batch()):
 * what another desk did shows here. The folder sync's CHANGEDSINCE pass
 * does the same incrementally once it records keywords. */

#include "cab-mail-triage.h"
#include "cab-mail-triage-store.h"

gboolean
cab_mail_triage_read_keywords (CabStore                 *store,
                               const CabMailSyncOptions *options,
                               GCancellable             *cancellable,
                               guint                    *n_read,
                               GError                  **error)
{
  g_autoptr(CabImap) imap = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *account = NULL;
  g_autofree CabMailServerKeywords *items = NULL;
  const char *mailbox = options->mailbox != NULL ? options->mailbox : "INBOX";
  CabImapMailbox state = { 0 };

  if ((account = cab_mail_sync_account_key (options->url, options->user, error)) == NULL ||
      (imap = cab_mail_sync_connect (options, cancellable, error)) == NULL ||
      !cab_imap_select (imap, mailbox, &state, error))
    return FALSE;
  if (state.uidnext <= 1)
    return TRUE;
  if ((all = cab_imap_fetch_flags (imap, state.uidnext - 1, 0, NULL, error)) == NULL)
    return FALSE;
  items = g_new0 (CabMailServerKeywords, all->len + 1);
  for (guint i = 0; i < all->len; i++)
    {
      CabImapFlags *f = g_ptr_array_index (all, i);

      items[i] = (CabMailServerKeywords) { f->uid, (const char * const *) f->keywords, f->modseq };
    }
  if (n_read != NULL)
    *n_read = all->len;
  return cab_mail_store_set_server_keywords_batch (store, account, mailbox, state.uidvalidity,
                                                   items, all->len, error);
}
