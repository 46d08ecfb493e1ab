/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* One received message into an inbox row (cab-mail-read-private.h). Logs
 * carry UIDs only (principle 5). */

#include "cab-mail-read-private.h"
#include "cab-mail-hash.h"
#include "cab-mail-match.h"
#include "cab-mail-text-traits.h"
#include "cab-mime.h"
#include "cab-pdf-text.h"
#include "cab-xdm.h"

#include <string.h>

#define MAX_DOCUMENTS 32
/* A message's PDFs read for the index (rule 3 of "Rules for hostile
 * input"): so many documents, pages each, and characters in all. */
#define MAX_PDFS        8
#define MAX_PDF_PAGES   50
#define MAX_PDF_TEXT    (256 * 1024)
#define MAX_TEXT_TOTAL  (1024 * 1024)

/* What a message's parts say, in document order. */
typedef struct
{
  GPtrArray     *xdms;      /* CabXdm*: the traits point into them */
  GPtrArray     *pdf_docs;  /* CabMailDocument* of row->documents, PDFs only */
  GPtrArray     *pdf_bytes; /* GBytes*, beside pdf_docs */
  GString       *names;
  CabMatchTraits traits[MAX_DOCUMENTS];
  const char    *ins[MAX_DOCUMENTS + 1];
  const char    *dates[MAX_DOCUMENTS + 1];
  guint          n_traits;
} Parts;

static void
parts_init (Parts *p)
{
  memset (p, 0, sizeof *p);
  p->xdms = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_xdm_free);
  p->pdf_docs = g_ptr_array_new ();
  p->pdf_bytes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->names = g_string_new (NULL);
}

static void
parts_clear (Parts *p)
{
  g_ptr_array_unref (p->xdms);
  g_ptr_array_unref (p->pdf_docs);
  g_ptr_array_unref (p->pdf_bytes);
  g_string_free (p->names, TRUE);
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

static void
add_document (CabMailRow *row, Parts *p, CabMailDocument *d, GBytes *content)
{
  g_ptr_array_add (row->documents, d);
  if (content != NULL && is_pdf (d->content_type, d->filename))
    {
      g_ptr_array_add (p->pdf_docs, d);
      g_ptr_array_add (p->pdf_bytes, g_bytes_ref (content));
    }
}

/* The documents (attachments, each followed by its XDM's documents), their
 * names and the XDM documents' traits. */
static void
read_documents (const CabMimeMessage *mime, CabMailRow *row, Parts *p)
{
  g_autoptr(CabMailSha1Cache) hashes = cab_mail_sha1_cache_new ();

  /* Hashed already by cab_mime_parse(): an XDM document that is the same
   * bytes as one of them takes its SHA-1 (docs/architecture.md, "Mail"). */
  for (guint i = 0; i < mime->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);

      if (a->content != NULL && a->sha1 != NULL && !is_xdm (a))
        cab_mail_sha1_cache_add (hashes, a->content, a->sha1);
    }
  for (guint i = 0; i < mime->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);

      if (a->filename != NULL)
        g_string_append_printf (p->names, "%s ", a->filename);
      add_document (row, p, document_from_attachment (a), a->content);
      if (is_xdm (a))
        {
          g_autoptr(GError) xdm_error = NULL;
          CabXdm *xdm = cab_xdm_read_with_hashes (a->content, NULL, hashes, &xdm_error);

          if (xdm == NULL)
            {
              /* Refused whole: shown with its reason, never half-read. */
              if (row->xdm_error == NULL)
                row->xdm_error = g_strdup (xdm_error->message);
              continue;
            }
          g_ptr_array_add (p->xdms, xdm);
          for (guint d = 0; d < xdm->documents->len; d++)
            {
              CabXdmDocument *doc = g_ptr_array_index (xdm->documents, d);

              add_document (row, p, document_from_xdm (doc), doc->content);
              if (doc->uri != NULL)
                g_string_append_printf (p->names, "%s ", doc->uri);
              if (p->n_traits < MAX_DOCUMENTS)
                {
                  cab_xdm_document_get_traits (doc, &p->traits[p->n_traits]);
                  p->ins[p->n_traits] = doc->ins;
                  p->dates[p->n_traits] = doc->birth_date;
                  p->n_traits++;
                }
            }
        }
    }
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

  /* The attachment's SHA-1, or the XDM document's of its bytes: computed
   * once already. */
  sha1 = g_strdup (d->sha1 != NULL && *d->sha1 != '\0' ? d->sha1 : "");
  if (*sha1 == '\0')
    {
      g_free (sha1);
      sha1 = cab_mail_sha1_bytes (content);
    }
  g_clear_pointer (&d->text_state, g_free);
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

/* Every PDF's text, in document order (the caps depend on the order). */
static char *
extract_pdfs (Parts *p)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GString *text = g_string_new (NULL);
  guint n_pdfs = 0;

  for (guint i = 0; i < p->pdf_docs->len; i++)
    index_pdf (g_ptr_array_index (p->pdf_docs, i), g_ptr_array_index (p->pdf_bytes, i), seen, text, &n_pdfs);
  return g_string_free (text, FALSE);
}

CabMailRow *
cab_mail_read_message (CabStore    *store,
                       guint32      uidvalidity,
                       guint32      uid,
                       GBytes      *raw,
                       gboolean     defer_pdfs,
                       GError     **error)
{
  g_autoptr(CabMailRow) row = cab_mail_row_new ();
  g_autoptr(CabMimeMessage) mime = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(CabMatchResult) match = NULL;
  g_autofree char *pdf_text = NULL;
  CabMailTextTraits text_traits = { 0 };
  gboolean named = FALSE;
  Parts p;

  row->uidvalidity = uidvalidity;
  row->uid = uid;
  row->size = g_bytes_get_size (raw);

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

  parts_init (&p);
  read_documents (mime, row, &p);
  row->attachment_names = g_strdup (p.names->str);
  for (guint i = 0; i < p.n_traits; i++)
    named |= p.traits[i].ins != NULL || p.traits[i].birth_date != NULL ||
             p.traits[i].birth_family != NULL || p.traits[i].usage_family != NULL;

  if (defer_pdfs && named && p.pdf_docs->len > 0)
    {
      /* The match does not read the PDFs: their text waits for the
       * indexing pass, after the batch commits (docs/architecture.md,
       * "Mail"). */
      for (guint i = 0; i < p.pdf_docs->len; i++)
        {
          CabMailDocument *d = g_ptr_array_index (p.pdf_docs, i);

          g_free (d->text_state);
          d->text_state = g_strdup ("pending");
        }
      row->text_pending = TRUE;
      pdf_text = g_strdup ("");
    }
  else
    pdf_text = extract_pdfs (&p);
  row->document_text = g_strdup (pdf_text);

  /* No XDM document names the patient: the body and the PDFs' text may,
   * read conservatively and never enough for auto (docs/domain.md). */
  if (!named)
    {
      g_autofree char *text = g_strjoin ("\n", mime->body_text ? mime->body_text : "", pdf_text, NULL);

      if (cab_mail_text_traits_read (text, &text_traits))
        {
          cab_mail_text_traits_to_match (&text_traits, &p.traits[0]);
          p.ins[0] = text_traits.ins;
          p.dates[0] = text_traits.birth_date;
          p.n_traits = 1;
        }
    }

  /* ins/dates may hold NULL holes: compact them for the lookup. */
  {
    guint ni = 0, nd = 0;
    for (guint i = 0; i < p.n_traits; i++)
      {
        if (p.ins[i] != NULL) p.ins[ni++] = p.ins[i];
        if (p.dates[i] != NULL) p.dates[nd++] = p.dates[i];
      }
    p.ins[ni] = NULL;
    p.dates[nd] = NULL;
  }
  candidates = cab_mail_store_candidates (store, p.ins, p.dates, error);
  if (candidates == NULL)
    {
      cab_mail_text_traits_clear (&text_traits);
      parts_clear (&p);
      return NULL;
    }
  {
    g_autofree CabMatchPatient *flat = g_new0 (CabMatchPatient, MAX (candidates->len, 1));

    for (guint i = 0; i < candidates->len; i++)
      flat[i] = *(CabMatchPatient *) g_ptr_array_index (candidates, i);
    match = cab_match_compute (p.traits, p.n_traits, flat, candidates->len);
  }
  cab_mail_text_traits_clear (&text_traits);
  parts_clear (&p);
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

gboolean
cab_mail_read_pdf_text (GBytes      *raw,
                        GPtrArray  **documents,
                        char       **names,
                        char       **text,
                        GError     **error)
{
  g_autoptr(CabMimeMessage) mime = cab_mime_parse (raw, error);
  g_autoptr(CabMailRow) row = NULL;
  Parts p;

  if (mime == NULL)
    return FALSE;
  row = cab_mail_row_new ();
  parts_init (&p);
  read_documents (mime, row, &p);
  *text = extract_pdfs (&p);
  *names = g_strdup (p.names->str);
  parts_clear (&p);
  *documents = g_ptr_array_ref (row->documents);
  return TRUE;
}
