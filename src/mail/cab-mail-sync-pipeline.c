/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"
#define _GNU_SOURCE   /* syncfs() */

#include "config.h"

#include <glib/gi18n-lib.h>

/* The sync's pipeline (cab-mail-sync-private.h): one thread fetches,
 * N_PARSERS threads read the messages and write their raw files, the
 * sync's own thread stores the batches in UID order. Logs carry counts
 * and UIDs only (principle 5). */

#include "cab-mail-sync-private.h"
#include "cab-mail-hash.h"
#include "cab-mail-read-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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

/* The raw message's bytes into @fd, closed; FALSE with errno. */
static gboolean
write_whole (int fd, GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  int saved;

  if (write_all (fd, data, len))
    return close (fd) == 0;
  saved = errno;
  close (fd);
  errno = saved;
  return FALSE;
}

/* The raw message under its name, without an fsync of its own: the
 * batch's files are made durable together by sync_mail_dir() before its
 * watermark commits. A new name is created exclusively and written in
 * place (no temporary name, existence test or rename: three path lookups
 * per message); a crash meanwhile leaves a partial file no committed row
 * names. So a file of that name that exists already is kept only when it
 * holds these very bytes (a committed row's, or a retry's); one left
 * partial by a crash or a power cut is replaced whole, through a
 * temporary file and a rename, so the name never holds a shorter copy
 * while a row may name it. */
static char *
save_raw (const char *dir, GBytes *raw, const char *body_hash, GError **error)
{
  g_autofree char *name = raw_name (raw, body_hash);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = NULL;
  int fd, saved;

  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      if (write_whole (fd, raw))
        return g_steal_pointer (&path);
      saved = errno;
      g_unlink (path);
      errno = saved;
      goto fail;
    }
  if (errno != EEXIST)
    goto fail;
  if (same_file (path, raw))
    return g_steal_pointer (&path);
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    goto fail;
  if (!write_whole (fd, raw) || g_rename (tmp, path) != 0)
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

/* ------------------------------------------------- the pipeline */

/* docs/architecture.md, "Mail", "The pipeline". Batch N+1 is fetched
 * while the messages of batches N and N+1 are read by the parsers and
 * batch N is stored. The fetcher takes a slot before each fetch and the
 * sync's thread gives it back once that batch is read whole, so at most
 * PIPELINE_DEPTH fetched batches are in memory (the one being stored has
 * dropped its bodies already). Batches reach the store in fetch order, each
 * row at its UID's place in the batch, whatever order the parsers finish
 * in: the watermark never passes a message that is not committed. */
#define PIPELINE_DEPTH 3
#define N_PARSERS      2

typedef struct
{
  guint        start;
  guint        n;
  GError      *error;      /* the fetch's */
  /* Slot i is UID wanted[start + i]; each touched by one parser only. */
  GBytes     **raws;       /* NULL: expunged meanwhile, or read already */
  CabMailRow **rows;
  GError     **errors;
  guint        n_fetched;
  guint        pending;    /* messages not read yet, under Pipeline.lock */
} Batch;

typedef struct
{
  Batch *batch;
  guint  index;
} Work;

typedef struct
{
  CabImap      *imap;
  CabStore     *store;
  GArray       *wanted;
  guint         batch_size;
  guint32       uidvalidity;
  gboolean      defer_pdf_text;
  const char   *mail_dir;
  GAsyncQueue  *ready;     /* Batch*, in fetch (UID) order, for the sync's thread */
  GAsyncQueue  *slots;     /* tokens: a batch may be fetched */
  GAsyncQueue  *work;      /* Work*, for the parsers; &stop_work ends one */
  GMutex        lock;
  GCond         read;      /* a batch's last message was read */
  gint          stop;
} Pipeline;

static Work stop_work;

static void
batch_free (Batch *batch)
{
  for (guint i = 0; i < batch->n; i++)
    {
      g_clear_pointer (&batch->raws[i], g_bytes_unref);
      g_clear_pointer (&batch->rows[i], cab_mail_row_free);
      g_clear_error (&batch->errors[i]);
    }
  g_free (batch->raws);
  g_free (batch->rows);
  g_free (batch->errors);
  g_clear_error (&batch->error);
  g_free (batch);
}

static gpointer
fetch_thread (gpointer data)
{
  Pipeline *p = data;

  for (guint start = 0; start < p->wanted->len; start += p->batch_size)
    {
      g_autoptr(GHashTable) fetched = NULL;
      Batch *batch;

      g_async_queue_pop (p->slots);
      if (g_atomic_int_get (&p->stop))
        break;
      batch = g_new0 (Batch, 1);
      batch->start = start;
      batch->n = MIN (p->batch_size, p->wanted->len - start);
      batch->raws = g_new0 (GBytes *, batch->n);
      batch->rows = g_new0 (CabMailRow *, batch->n);
      batch->errors = g_new0 (GError *, batch->n);
      fetched = cab_imap_fetch (p->imap, &g_array_index (p->wanted, guint32, start), batch->n, &batch->error);
      if (fetched == NULL)
        {
          g_async_queue_push (p->ready, batch);
          break;   /* the sync's thread sees the error and stops */
        }
      for (guint i = 0; i < batch->n; i++)
        {
          gpointer uid = GUINT_TO_POINTER (g_array_index (p->wanted, guint32, start + i));

          /* Stolen, not copied: the bodies are the batch's now. */
          if (g_hash_table_steal_extended (fetched, uid, NULL, (gpointer *) &batch->raws[i]))
            batch->n_fetched++;
        }
      batch->pending = batch->n_fetched;
      g_async_queue_push (p->ready, batch);
      for (guint i = 0; i < batch->n; i++)
        if (batch->raws[i] != NULL)
          {
            Work *w = g_new (Work, 1);

            *w = (Work) { batch, i };
            g_async_queue_push (p->work, w);
          }
    }
  return NULL;
}

/* One message: its row and its raw file (a file per message, written
 * here; made durable with the batch's, by the sync's thread). */
static void
read_one (Pipeline *p, Batch *batch, guint i)
{
  guint32 uid = g_array_index (p->wanted, guint32, batch->start + i);
  g_autoptr(GBytes) raw = g_steal_pointer (&batch->raws[i]);
  GError *error = NULL;
  CabMailRow *row;

  row = cab_mail_read_message (p->store, p->uidvalidity, uid, raw, p->defer_pdf_text, &error);
  if (row != NULL)
    {
      row->raw_path = save_raw (p->mail_dir, raw, row->body_hash, &error);
      if (row->raw_path == NULL)
        g_clear_pointer (&row, cab_mail_row_free);
    }
  batch->rows[i] = row;
  batch->errors[i] = error;
}

static gpointer
parse_thread (gpointer data)
{
  Pipeline *p = data;
  Work *w;

  while ((w = g_async_queue_pop (p->work)) != &stop_work)
    {
      /* Stopping: the sync's thread no longer waits for the rows. */
      if (!g_atomic_int_get (&p->stop))
        read_one (p, w->batch, w->index);
      g_mutex_lock (&p->lock);
      if (--w->batch->pending == 0)
        g_cond_broadcast (&p->read);
      g_mutex_unlock (&p->lock);
      g_free (w);
    }
  return NULL;
}

/* The batch's rows, in UID order, once every one is read; FALSE with the
 * first error in UID order. */
static gboolean
batch_wait (Pipeline *p, Batch *batch, GPtrArray *rows, GError **error)
{
  g_mutex_lock (&p->lock);
  while (batch->pending > 0)
    g_cond_wait (&p->read, &p->lock);
  g_mutex_unlock (&p->lock);
  for (guint i = 0; i < batch->n; i++)
    {
      if (batch->errors[i] != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&batch->errors[i]));
          return FALSE;
        }
      if (batch->rows[i] != NULL)
        g_ptr_array_add (rows, g_steal_pointer (&batch->rows[i]));
    }
  return TRUE;
}

gboolean
cab_mail_sync_fetch_and_store (CabStore                 *store,
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
  g_autofree char *mail_dir = make_mail_dir (options->data_dir, error);
  Pipeline p = { imap, store, wanted, batch_size, uidvalidity, options->defer_pdf_text, mail_dir,
                 g_async_queue_new_full ((GDestroyNotify) batch_free), g_async_queue_new (),
                 g_async_queue_new (), { 0 }, { 0 }, 0 };
  GThread *fetcher, *parsers[N_PARSERS];
  gboolean ok = TRUE;

  if (mail_dir == NULL)
    return FALSE;
  g_mutex_init (&p.lock);
  g_cond_init (&p.read);
  for (guint i = 0; i < PIPELINE_DEPTH; i++)
    g_async_queue_push (p.slots, GUINT_TO_POINTER (1));
  fetcher = g_thread_new ("cab-mail-fetch", fetch_thread, &p);
  for (guint i = 0; i < N_PARSERS; i++)
    parsers[i] = g_thread_new ("cab-mail-parse", parse_thread, &p);

  for (guint start = 0; ok && start < wanted->len; start += batch_size)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
      Batch *batch;
      guint n_new = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      batch = g_async_queue_pop (p.ready);
      if (batch->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&batch->error));
          batch_free (batch);
          ok = FALSE;
          break;
        }
      result->n_fetched += batch->n_fetched;
      ok = batch_wait (&p, batch, rows, error);
      /* Read whole: the fetcher may go on while this batch is stored. */
      g_async_queue_push (p.slots, GUINT_TO_POINTER (1));
      ok = ok && (rows->len == 0 || sync_mail_dir (mail_dir, error));
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

  /* Stopped early or done: the fetcher ends after the fetch it is in (the
   * connection is this thread's again once it is joined), then the
   * parsers skip what is left in their queue and end. Only then are the
   * batches still waiting freed: no parser holds one. */
  g_atomic_int_set (&p.stop, 1);
  for (guint i = 0; i < PIPELINE_DEPTH; i++)
    g_async_queue_push (p.slots, GUINT_TO_POINTER (1));
  g_thread_join (fetcher);
  for (guint i = 0; i < N_PARSERS; i++)
    g_async_queue_push (p.work, &stop_work);
  for (guint i = 0; i < N_PARSERS; i++)
    g_thread_join (parsers[i]);
  g_async_queue_unref (p.ready);
  g_async_queue_unref (p.slots);
  g_async_queue_unref (p.work);
  g_mutex_clear (&p.lock);
  g_cond_clear (&p.read);
  return ok;
}
