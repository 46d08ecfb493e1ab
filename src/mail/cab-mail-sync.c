/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* One folder's incremental sync (cab-mail-sync.h). Logs carry counts and
 * UIDs only (principle 5). */

#include "cab-mail-sync.h"
#include "cab-mail-follow.h"
#include "cab-mail-match.h"
#include "cab-mail-store.h"
#include "cab-mail-text-traits.h"
#include "cab-mail-triage-store.h"
#include "cab-mime.h"
#include "cab-pdf-text.h"
#include "cab-xdm.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define DEFAULT_BATCH 50
#define MAX_DOCUMENTS 32
/* A message's PDFs read for the index (rule 3 of "Rules for hostile
 * input"): so many documents, pages each, and characters in all. */
#define MAX_PDFS        8
#define MAX_PDF_PAGES   50
#define MAX_PDF_TEXT    (256 * 1024)
#define MAX_TEXT_TOTAL  (1024 * 1024)

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

/* The raw message, content-addressed, written whole before it is named. */
static char *
save_raw (const char *data_dir, GBytes *raw, GError **error)
{
  g_autofree char *dir = g_build_filename (data_dir, "mail", NULL);
  g_autofree char *name = NULL, *path = NULL, *checksum = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create the mail folder: %s"),
                   g_strerror (saved));
      return NULL;
    }
  g_chmod (dir, 0700);
  checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
  name = g_strconcat (checksum, ".eml", NULL);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      gsize len;
      const char *data = g_bytes_get_data (raw, &len);

      /* g_file_set_contents_full writes a temporary file and renames it. */
      if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return NULL;
    }
  return g_steal_pointer (&path);
}

static CabMailDocument *
document_from_xdm (const CabXdmDocument *x)
{
  CabMailDocument *d = cab_mail_document_new ();

  d->source = g_strdup ("xdm");
  d->filename = g_strdup (x->uri);
  d->content_type = g_strdup (x->mime_type);
  d->size = x->content ? (gint64) g_bytes_get_size (x->content) : -1;
  d->sha1 = g_strdup (x->sha1 ? x->sha1 : "");
  d->hash_ok = x->hash_ok;
  d->type_code = g_strdup (x->type_code);
  d->type_display = g_strdup (x->type_display);
  return d;
}

static CabMailDocument *
document_from_attachment (const CabMimeAttachment *a)
{
  CabMailDocument *d = cab_mail_document_new ();

  d->source = g_strdup ("attachment");
  d->filename = g_strdup (a->filename);
  d->content_type = g_strdup (a->content_type);
  d->size = g_bytes_get_size (a->content);
  d->sha1 = g_strdup (a->sha1);
  d->hash_ok = TRUE;
  return d;
}

static gboolean
is_xdm (const CabMimeAttachment *a)
{
  return g_str_equal (a->content_type, "application/zip") ||
         (a->filename != NULL && g_ascii_strcasecmp (a->filename, "IHE_XDM.zip") == 0);
}

static gboolean
is_pdf (const char *content_type, const char *filename)
{
  return g_strcmp0 (content_type, "application/pdf") == 0 ||
         (filename != NULL && g_str_has_suffix (filename, ".pdf")) ||
         (filename != NULL && g_str_has_suffix (filename, ".PDF"));
}

/* The PDF's text into @text, its outcome on @d. The same bytes (an
 * attachment and its copy in the XDM) are read once. */
static void
index_pdf (CabMailDocument *d, GBytes *content, GHashTable *seen, GString *text, guint *n_pdfs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page_text = NULL;
  g_autofree char *sha1 = NULL;
  gboolean truncated = FALSE;

  if (content == NULL || !is_pdf (d->content_type, d->filename))
    return;
  /* The attachment's SHA-1, or the XDM document's of its bytes: computed
   * once already. */
  sha1 = g_strdup (d->sha1 != NULL && *d->sha1 != '\0' ? d->sha1 : "");
  if (*sha1 == '\0')
    {
      g_free (sha1);
      sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, content);
    }
  if (g_hash_table_contains (seen, sha1))
    {
      d->text_state = g_strdup (g_hash_table_lookup (seen, sha1));
      return;
    }
  if (*n_pdfs >= MAX_PDFS || text->len >= MAX_TEXT_TOTAL)
    {
      d->text_state = g_strdup ("truncated");
      return;
    }
  (*n_pdfs)++;
  page_text = cab_pdf_text_extract_bytes (content, MAX_PDF_PAGES, MIN (MAX_PDF_TEXT, MAX_TEXT_TOTAL - text->len),
                                          &truncated, &error);
  if (page_text == NULL)
    {
      /* Shown on the document; the message syncs all the same. */
      g_debug ("A PDF of a message is unreadable");
      d->text_state = g_strdup ("unreadable");
    }
  else
    {
      g_string_append (text, page_text);
      g_string_append_c (text, '\n');
      d->text_state = g_strdup (truncated ? "truncated" : "indexed");
    }
  g_hash_table_insert (seen, g_steal_pointer (&sha1), g_strdup (d->text_state));
}

/* Reads one message into a row: MIME, XDM, then the patient match. */
static CabMailRow *
read_message (CabStore *store, const char *data_dir, guint32 uidvalidity, guint32 uid,
              GBytes *raw, GError **error)
{
  g_autoptr(CabMailRow) row = cab_mail_row_new ();
  g_autoptr(CabMimeMessage) mime = NULL;
  g_autoptr(GPtrArray) xdms = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_xdm_free);
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GError) local = NULL;
  g_autoptr(CabMatchResult) match = NULL;
  CabMatchTraits traits[MAX_DOCUMENTS];
  const char *ins[MAX_DOCUMENTS + 1] = { 0 }, *dates[MAX_DOCUMENTS + 1] = { 0 };
  guint n_traits = 0;
  g_autoptr(GHashTable) pdfs_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) pdf_text = g_string_new (NULL);
  CabMailTextTraits text_traits = { 0 };
  guint n_pdfs = 0;

  row->uidvalidity = uidvalidity;
  row->uid = uid;
  row->size = g_bytes_get_size (raw);
  row->raw_path = save_raw (data_dir, raw, error);
  if (row->raw_path == NULL)
    return NULL;

  mime = cab_mime_parse (raw, &local);
  if (mime == NULL)
    {
      /* Kept, so nothing leaves the inbox unaccounted for; a person looks. */
      g_debug ("Message UID %u is not readable MIME", uid);
      row->body_hash = cab_mime_body_hash (raw);
      row->subject = g_strdup ("");
      row->xdm_error = g_strdup (local->message);
      row->match_state = g_strdup (cab_match_state_to_string (CAB_MATCH_NONE));
      row->match_reason = g_strdup (cab_match_reason_to_string (CAB_MATCH_REASON_NO_TRAITS));
      row->match_candidates = g_new0 (char *, 1);
      return g_steal_pointer (&row);
    }
  row->message_id = g_strdup (mime->message_id);
  row->body_hash = g_strdup (mime->body_hash);
  row->date = mime->date;
  row->from_display = g_strdup (mime->from);
  row->from_address = g_strdup (mime->from_address);
  row->subject = g_strdup (mime->subject);
  row->body_text = g_strdup (mime->body_text);
  row->mss_ins = g_strdup (mime->mss_ins);
  row->mss_codecda = g_strjoinv (",", mime->mss_codecda);
  row->mss_fin = mime->mss_fin;
  row->smime_signed = mime->smime_signed;

  for (guint i = 0; i < mime->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);

      if (a->filename != NULL)
        g_string_append_printf (names, "%s ", a->filename);
      g_ptr_array_add (row->documents, document_from_attachment (a));
      index_pdf (g_ptr_array_index (row->documents, row->documents->len - 1), a->content, pdfs_seen,
                 pdf_text, &n_pdfs);
      if (is_xdm (a))
        {
          g_autoptr(GError) xdm_error = NULL;
          CabXdm *xdm = cab_xdm_read (a->content, NULL, &xdm_error);

          if (xdm == NULL)
            {
              /* Refused whole: shown with its reason, never half-read. */
              if (row->xdm_error == NULL)
                row->xdm_error = g_strdup (xdm_error->message);
              continue;
            }
          g_ptr_array_add (xdms, xdm);
          for (guint d = 0; d < xdm->documents->len; d++)
            {
              CabXdmDocument *doc = g_ptr_array_index (xdm->documents, d);

              g_ptr_array_add (row->documents, document_from_xdm (doc));
              index_pdf (g_ptr_array_index (row->documents, row->documents->len - 1), doc->content, pdfs_seen,
                         pdf_text, &n_pdfs);
              if (doc->uri != NULL)
                g_string_append_printf (names, "%s ", doc->uri);
              if (n_traits < MAX_DOCUMENTS)
                {
                  cab_xdm_document_get_traits (doc, &traits[n_traits]);
                  ins[n_traits] = doc->ins;
                  dates[n_traits] = doc->birth_date;
                  n_traits++;
                }
            }
        }
    }
  row->attachment_names = g_strdup (names->str);
  row->document_text = g_strdup (pdf_text->str);

  /* No XDM document names the patient: the body and the PDFs' text may,
   * read conservatively and never enough for auto (docs/domain.md). */
  {
    gboolean named = FALSE;

    for (guint i = 0; i < n_traits; i++)
      named |= traits[i].ins != NULL || traits[i].birth_date != NULL ||
               traits[i].birth_family != NULL || traits[i].usage_family != NULL;
    if (!named)
      {
        g_autofree char *text = g_strjoin ("\n", mime->body_text ? mime->body_text : "", pdf_text->str, NULL);

        if (cab_mail_text_traits_read (text, &text_traits))
          {
            cab_mail_text_traits_to_match (&text_traits, &traits[0]);
            ins[0] = text_traits.ins;
            dates[0] = text_traits.birth_date;
            n_traits = 1;
          }
      }
  }

  /* ins/dates may hold NULL holes: compact them for the lookup. */
  {
    guint ni = 0, nd = 0;
    for (guint i = 0; i < n_traits; i++)
      {
        if (ins[i] != NULL) ins[ni++] = ins[i];
        if (dates[i] != NULL) dates[nd++] = dates[i];
      }
    ins[ni] = NULL;
    dates[nd] = NULL;
  }
  candidates = cab_mail_store_candidates (store, ins, dates, error);
  if (candidates == NULL)
    {
      cab_mail_text_traits_clear (&text_traits);
      return NULL;
    }
  {
    g_autofree CabMatchPatient *flat = g_new0 (CabMatchPatient, MAX (candidates->len, 1));

    for (guint i = 0; i < candidates->len; i++)
      flat[i] = *(CabMatchPatient *) g_ptr_array_index (candidates, i);
    match = cab_match_compute (traits, n_traits, flat, candidates->len);
  }
  cab_mail_text_traits_clear (&text_traits);
  row->match_state = g_strdup (cab_match_state_to_string (match->state));
  row->match_reason = g_strdup (cab_match_reason_to_string (match->reason));
  row->match_ins = g_strdup (match->ins);
  row->match_patient_id = g_strdup (match->patient_id);
  row->match_disagreeing = match->disagreeing;
  g_ptr_array_add (match->candidates, NULL);
  row->match_candidates = g_strdupv ((char **) match->candidates->pdata);
  g_ptr_array_remove_index (match->candidates, match->candidates->len - 1);
  return g_steal_pointer (&row);
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
          row = read_message (store, options->data_dir, uidvalidity, uid, raw, error);
          if (row == NULL)
            ok = FALSE;
          else
            g_ptr_array_add (rows, row);
        }
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
