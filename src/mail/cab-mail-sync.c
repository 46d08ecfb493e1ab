/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"
#define _GNU_SOURCE   /* syncfs() */

#include "config.h"

#include <glib/gi18n-lib.h>

/* One folder's incremental sync (cab-mail-sync.h). Logs carry counts and
 * UIDs only (principle 5). */

#include "cab-mail-sync.h"
#include "cab-mail-follow.h"
#include "cab-mail-hash.h"
#include "cab-mail-read-private.h"
#include "cab-mail-store.h"
#include "cab-mail-triage-store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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

/* The raw message's file name: content-addressed, yet the body is hashed
 * once. SHA-256 over the header block and the body hash names the bytes
 * as a hash of them all would; the header block is kilobytes. */
static char *
raw_name (GBytes *raw, const char *body_hash)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *end = g_strstr_len (data, len, "\r\n\r\n");
  gsize head = end != NULL ? (gsize) (end - data) : len;
  g_autoptr(GByteArray) input = g_byte_array_sized_new (head + 64);
  g_autofree char *name = NULL;

  if (end == NULL && (end = g_strstr_len (data, len, "\n\n")) != NULL)
    head = end - data;
  g_byte_array_append (input, (const guint8 *) data, head);
  g_byte_array_append (input, (const guint8 *) body_hash, strlen (body_hash));
  name = cab_mail_sha256 (input->data, input->len);
  return g_strconcat (name, ".eml", NULL);
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
same_file (const char *path, GBytes *raw)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);

  return file != NULL && g_mapped_file_get_length (file) == g_bytes_get_size (raw) &&
         memcmp (g_mapped_file_get_contents (file), g_bytes_get_data (raw, NULL), g_bytes_get_size (raw)) == 0;
}

/* The raw message, written whole to a temporary file and renamed, without
 * an fsync of its own: the batch's files are made durable together by
 * sync_mail_dir() before its watermark commits. A file of that name left
 * by a run that crashed before its batch committed may be partial after a
 * power cut: it is kept only when it holds these very bytes. */
static char *
save_raw (const char *dir, GBytes *raw, const char *body_hash, GError **error)
{
  g_autofree char *name = raw_name (raw, body_hash);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = NULL;
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  int fd, saved;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && same_file (path, raw))
    return g_steal_pointer (&path);
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;
  if (!write_all (fd, data, len))
    {
      saved = errno;
      close (fd);
      g_unlink (tmp);
      errno = saved;
      goto fail;
    }
  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      saved = errno;
      g_unlink (tmp);
      errno = saved;
      goto fail;
    }
  return g_steal_pointer (&path);

fail:
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot save a message: %s"),
               g_strerror (saved));
  return NULL;
}

static char *
make_mail_dir (const char *data_dir, GError **error)
{
  g_autofree char *dir = g_build_filename (data_dir, "mail", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create the mail folder: %s"),
                   g_strerror (saved));
      return NULL;
    }
  g_chmod (dir, 0700);
  return g_steal_pointer (&dir);
}

/* The batch's raw files, their data and their names, reach the disk before
 * the watermark that covers them commits: one syncfs() of the mail
 * folder's file system per batch rather than an fsync() per message (the
 * sync's largest wait). A crash before it leaves the batch uncommitted,
 * fetched again by the next sync; after it, every file a committed row
 * names is whole. */
static gboolean
sync_mail_dir (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd >= 0 && syncfs (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot save a message: %s"),
               g_strerror (saved));
  return FALSE;
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

/* ------------------------------------------------- the fetch pipeline */

/* Batch N+1 is fetched while batch N is read and stored (docs/architecture.md,
 * "Mail"): a fetching thread owns the connection until it is joined; at
 * most PIPELINE_DEPTH fetched batches wait, so memory stays bounded. Batches
 * are stored in order, each with its watermark, as before. */
#define PIPELINE_DEPTH 2

typedef struct
{
  guint       start;
  guint       n;
  GHashTable *fetched;   /* UID -> GBytes, NULL on error */
  GError     *error;
} Batch;

typedef struct
{
  CabImap     *imap;
  GArray      *wanted;
  guint        batch_size;
  GAsyncQueue *ready;    /* Batch*, in order */
  GAsyncQueue *slots;    /* tokens: a batch may be fetched */
  gint         stop;
} Fetcher;

static void
batch_free (Batch *batch)
{
  g_clear_pointer (&batch->fetched, g_hash_table_unref);
  g_clear_error (&batch->error);
  g_free (batch);
}

static gpointer
fetch_thread (gpointer data)
{
  Fetcher *f = data;

  for (guint start = 0; start < f->wanted->len; start += f->batch_size)
    {
      Batch *batch;

      g_async_queue_pop (f->slots);
      if (g_atomic_int_get (&f->stop))
        break;
      batch = g_new0 (Batch, 1);
      batch->start = start;
      batch->n = MIN (f->batch_size, f->wanted->len - start);
      batch->fetched = cab_imap_fetch (f->imap, &g_array_index (f->wanted, guint32, start), batch->n,
                                       &batch->error);
      g_async_queue_push (f->ready, batch);
      if (batch->fetched == NULL)
        break;   /* the reader sees the error and stops */
    }
  return NULL;
}

static gboolean
fetch_and_store (CabStore                 *store,
                 CabImap                  *imap,
                 const CabMailSyncOptions *options,
                 const char               *account,
                 const char               *mailbox,
                 guint32                   uidvalidity,
                 GArray                   *entries,
                 GArray                   *wanted,
                 guint                     batch_size,
                 CabMailFolder            *watermark,
                 CabMailSyncResult        *result,
                 GCancellable             *cancellable,
                 GError                  **error)
{
  Fetcher f = { imap, wanted, batch_size, g_async_queue_new_full ((GDestroyNotify) batch_free),
                g_async_queue_new (), 0 };
  GThread *thread;
  gboolean ok = TRUE;
  g_autofree char *mail_dir = make_mail_dir (options->data_dir, error);

  if (mail_dir == NULL)
    return FALSE;
  for (guint i = 0; i < PIPELINE_DEPTH; i++)
    g_async_queue_push (f.slots, GUINT_TO_POINTER (1));
  thread = g_thread_new ("cab-mail-fetch", fetch_thread, &f);

  for (guint start = 0; ok && start < wanted->len; start += batch_size)
    {
      Batch *batch = NULL;
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
      guint n_new = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      batch = g_async_queue_pop (f.ready);
      if (batch->fetched == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&batch->error));
          batch_free (batch);
          ok = FALSE;
          break;
        }
      for (guint i = 0; ok && i < batch->n; i++)
        {
          guint32 uid = g_array_index (wanted, guint32, batch->start + i);
          GBytes *raw = g_hash_table_lookup (batch->fetched, GUINT_TO_POINTER (uid));
          CabMailRow *row;

          if (raw == NULL)
            continue;   /* expunged meanwhile */
          result->n_fetched++;
          row = cab_mail_read_message (store, uidvalidity, uid, raw, options->defer_pdf_text, error);
          if (row == NULL)
            ok = FALSE;
          else
            {
              g_ptr_array_add (rows, row);
              row->raw_path = save_raw (mail_dir, raw, row->body_hash, error);
              ok = row->raw_path != NULL;
            }
        }
      ok = ok && (rows->len == 0 || sync_mail_dir (mail_dir, error));
      /* The fetcher may go on while this batch is stored. */
      g_async_queue_push (f.slots, GUINT_TO_POINTER (1));
      if (ok)
        {
          /* The watermark passes what this batch covered, the too-large ones too. */
          watermark->last_uid = MAX (watermark->last_uid,
                                     g_array_index (wanted, guint32, batch->start + batch->n - 1));
          if (batch->start + batch->n >= wanted->len)
            for (guint i = 0; i < entries->len; i++)
              watermark->last_uid = MAX (watermark->last_uid, g_array_index (entries, CabImapEntry, i).uid);
          ok = cab_mail_store_put_batch (store, account, mailbox, watermark, rows, &n_new, error);
          result->n_new += n_new;
        }
      batch_free (batch);
    }

  /* Stopped early: the fetcher ends after the fetch it is in. The
   * connection is this thread's again once it is joined. */
  g_atomic_int_set (&f.stop, 1);
  for (guint i = 0; i < PIPELINE_DEPTH; i++)
    g_async_queue_push (f.slots, GUINT_TO_POINTER (1));
  g_thread_join (thread);
  g_async_queue_unref (f.ready);
  g_async_queue_unref (f.slots);
  return ok;
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
  else if (!fetch_and_store (store, imap, options, account, mailbox, state.uidvalidity, entries, wanted,
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
