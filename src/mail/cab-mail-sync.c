/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

/* One folder's incremental sync (cab-mail-sync.h). Logs carry counts and
 * UIDs only (principle 5). */

#include "cab-mail-sync.h"
#include "cab-mail-sync-private.h"
#include "cab-mail-follow.h"
#include "cab-mail-store.h"
#include "cab-mail-triage-store.h"


#define DEFAULT_BATCH 50

char *
cab_mail_sync_account_key (const char *url, const char *user, GError **error)
{
  g_autofree char *host = NULL;
  guint16 port;
  gboolean implicit_tls;

  if (!cab_imap_parse_url (url, &host, &port, &implicit_tls, error))
    return NULL;
  /* Not the port: imaps://host:993 and imap://host:143 reach one mailbox. */
  return g_strdup_printf ("%s@%s", user, host);
}

/* Flags and keywords (triage keywords of the other desks among them):
 * with CONDSTORE only what changed since the stored HIGHESTMODSEQ (no body
 * is fetched again), all of them the first time or without CONDSTORE; then
 * the folder's HIGHESTMODSEQ. One transaction per chunk. */
#define FLAGS_CHUNK 500

static gboolean
sync_flags (CabStore *store, CabImap *imap, const char *account, const char *mailbox,
            const CabImapMailbox *state, CabMailFolder *watermark, CabMailSyncResult *result, GError **error)
{
  guint64 since = watermark->highestmodseq;
  g_autoptr(GPtrArray) flags = NULL;
  g_autoptr(GArray) vanished = NULL;

  if (watermark->last_uid == 0)
    {
      watermark->highestmodseq = state->highestmodseq;
      return cab_mail_store_put_batch (store, account, mailbox, watermark, NULL, NULL, error);
    }
  if (state->highestmodseq != 0 && since != 0 && state->highestmodseq <= since)
    return TRUE;   /* nothing changed on the server */
  flags = cab_imap_fetch_flags (imap, watermark->last_uid, state->highestmodseq != 0 ? since : 0, &vanished, error);
  if (flags == NULL)
    return FALSE;
  for (guint start = 0; start < flags->len; start += FLAGS_CHUNK)
    {
      guint n = MIN (FLAGS_CHUNK, flags->len - start);
      g_autofree CabMailServerKeywords *items = g_new0 (CabMailServerKeywords, n);

      for (guint i = 0; i < n; i++)
        {
          CabImapFlags *f = g_ptr_array_index (flags, start + i);

          items[i] = (CabMailServerKeywords) { f->uid, (const char * const *) f->keywords, f->modseq };
        }
      if (!cab_mail_store_set_server_keywords_batch (store, account, mailbox, state->uidvalidity, items, n, error))
        return FALSE;
    }
  /* Only a CHANGEDSINCE answer is a list of changes. */
  result->n_flags_changed = since != 0 ? flags->len : 0;
  /* A message expunged elsewhere stays in this inbox until a person
   * handles it (nothing leaves the inbox unaccounted for): counted only. */
  result->n_vanished = vanished->len;
  watermark->highestmodseq = state->highestmodseq;
  return cab_mail_store_put_batch (store, account, mailbox, watermark, NULL, NULL, error);
}

CabImap *
cab_mail_sync_connect (const CabMailSyncOptions *options,
                       GCancellable             *cancellable,
                       GError                  **error)
{
  g_autoptr(CabImap) imap = NULL;

  imap = cab_imap_connect (options->url, options->database, options->timeout_s, cancellable, error);
  if (imap == NULL)
    return NULL;
  if (options->token_func != NULL)
    {
      if (!cab_imap_login_xoauth2 (imap, options->user, options->token_func, options->token_data, error))
        return NULL;
    }
  else if (!cab_imap_login (imap, options->user, options->password ? options->password : "", error))
    return NULL;
  return g_steal_pointer (&imap);
}

gboolean
cab_mail_sync_run (CabStore                 *store,
                   const CabMailSyncOptions *options,
                   CabMailSyncResult        *result,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  g_autoptr(CabImap) imap = NULL;

  *result = (CabMailSyncResult) { 0 };
  /* A malformed URL is reported before any connection. */
  {
    g_autofree char *account = cab_mail_sync_account_key (options->url, options->user, error);
    if (account == NULL)
      return FALSE;
  }
  imap = cab_mail_sync_connect (options, cancellable, error);
  if (imap == NULL)
    return FALSE;
  return cab_mail_sync_folder (store, imap, options, result, cancellable, error);
}

gboolean
cab_mail_sync_folder (CabStore                 *store,
                      CabImap                  *imap,
                      const CabMailSyncOptions *options,
                      CabMailSyncResult        *result,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  const char *mailbox = options->mailbox ? options->mailbox : "INBOX";
  guint batch_size = options->batch_size ? options->batch_size : DEFAULT_BATCH;
  g_autofree char *account = NULL;
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (guint32));
  CabImapMailbox state;
  CabMailFolder folder, watermark;
  gboolean found;

  *result = (CabMailSyncResult) { 0 };
  account = cab_mail_sync_account_key (options->url, options->user, error);
  if (account == NULL)
    return FALSE;
  if (!cab_mail_store_get_folder (store, account, mailbox, &folder, &found, error))
    return FALSE;
  if (!cab_imap_select (imap, mailbox, &state, error))
    return FALSE;

  result->uidvalidity = state.uidvalidity;
  result->condstore = state.highestmodseq != 0;
  if (found && folder.uidvalidity != state.uidvalidity)
    {
      /* The server renumbered the folder: read it again; what is stored
       * is recognised by Message-ID and body hash. */
      g_debug ("UIDVALIDITY changed (%u -> %u): re-reading the folder", folder.uidvalidity, state.uidvalidity);
      result->uidvalidity_changed = TRUE;
      folder.last_uid = 0;
    }
  /* The stored HIGHESTMODSEQ moves only once the flags up to it are
   * recorded (sync_flags): a sync killed before that fetches them again. */
  watermark = (CabMailFolder) { state.uidvalidity, found ? folder.last_uid : 0,
                                found && !result->uidvalidity_changed ? folder.highestmodseq : 0 };

  if (state.exists > 0 && (state.uidnext == 0 || state.uidnext > watermark.last_uid + 1))
    {
      entries = cab_imap_list_after (imap, watermark.last_uid, 0, error);
      if (entries == NULL)
        return FALSE;
    }
  else
    entries = g_array_new (FALSE, FALSE, sizeof (CabImapEntry));

  for (guint i = 0; i < entries->len; i++)
    {
      CabImapEntry *e = &g_array_index (entries, CabImapEntry, i);

      if (e->size > CAB_IMAP_DEFAULT_MAX_MESSAGE)
        result->n_too_large++;
      else
        g_array_append_val (wanted, e->uid);
    }

  if (wanted->len == 0)
    {
      /* Nothing to fetch: the watermark passes what was listed (too large). */
      for (guint i = 0; i < entries->len; i++)
        watermark.last_uid = MAX (watermark.last_uid, g_array_index (entries, CabImapEntry, i).uid);
      if (!cab_mail_store_put_batch (store, account, mailbox, &watermark, NULL, NULL, error))
        return FALSE;
    }
  else if (!cab_mail_sync_fetch_and_store (store, imap, options, account, mailbox, state.uidvalidity, entries, wanted,
                             batch_size, &watermark, result, cancellable, error))
    return FALSE;
  if (!sync_flags (store, imap, account, mailbox, &state, &watermark, result, error))
    return FALSE;
  /* Filing another desk did (read in the keywords above) is done here. */
  {
    CabMailFollowResult followed;

    if (!cab_mail_follow_server (store, &followed, error))
      return FALSE;
    result->n_filed_here = followed.n_filed;
    result->n_taken_back = followed.n_taken_back;
    result->n_attention = followed.n_attention;
  }
  result->last_uid = watermark.last_uid;
  g_debug ("Mail sync: %u fetched, %u new, watermark UID %u", result->n_fetched, result->n_new, result->last_uid);
  return TRUE;
}
