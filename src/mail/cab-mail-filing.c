/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Filing a message's documents (cab-mail-filing-private.h). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cab-mail-filing-private.h"
#include "cab-mail-triage.h"
#include "cab-mail-triage-store-private.h"
#include "cab-mime.h"
#include "cab-pdf-text.h"
#include "cab-xdm.h"

#define MAX_DOCUMENTS CAB_MAIL_TRIAGE_MAX_DOCUMENTS

static void
cab_triage_doc_free (CabTriageDoc *d)
{
  g_free (d->source);
  g_free (d->filename);
  g_free (d->content_type);
  g_free (d->sha1);
  g_free (d->type_code);
  g_free (d->type_display);
  g_free (d->filed_patient_id);
  g_free (d->filed_document_id);
  g_free (d->dismissed_reason);
  g_clear_pointer (&d->content, g_bytes_unref);
  g_free (d->new_document_id);
  g_free (d->new_path);
  g_free (d->text);
  g_free (d);
}

void
cab_triage_message_free (CabTriageMessage *m)
{
  if (m == NULL)
    return;
  g_free (m->account);
  g_free (m->mailbox);
  g_free (m->keywords);
  g_free (m->match_state);
  g_free (m->match_reason);
  g_free (m->match_patient_id);
  g_free (m->raw_path);
  g_free (m->subject);
  g_clear_pointer (&m->docs, g_ptr_array_unref);
  g_free (m);
}

CabTriageMessage *
cab_triage_message_read (CabStoreConn  *conn,
                         gint64         mail_id,
                         GError       **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (conn,
    "SELECT account, mailbox, uidvalidity, uid, keywords, match_state, match_reason, match_patient_id,"
    " raw_path, date, subject FROM mail_messages WHERE id = ?1", error);
  g_autoptr(CabStmt) docs = NULL;
  g_autoptr(CabTriageMessage) m = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, mail_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, mail_id);

      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NOT_FOUND,
                   _("No message %s in the inbox"), id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a mail message");
      return NULL;
    }
  m = g_new0 (CabTriageMessage, 1);
  m->id = mail_id;
  m->account = cab_stmt_dup_text (stmt, 0);
  m->mailbox = cab_stmt_dup_text (stmt, 1);
  m->uidvalidity = sqlite3_column_int64 (stmt, 2);
  m->uid = sqlite3_column_int64 (stmt, 3);
  m->keywords = cab_stmt_dup_text (stmt, 4);
  m->match_state = cab_stmt_dup_text (stmt, 5);
  m->match_reason = cab_stmt_dup_text (stmt, 6);
  m->match_patient_id = cab_stmt_dup_text (stmt, 7);
  m->raw_path = cab_stmt_dup_text (stmt, 8);
  m->date = sqlite3_column_int64 (stmt, 9);
  m->subject = cab_stmt_dup_text (stmt, 10);
  m->docs = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_triage_doc_free);

  docs = cab_store_conn_prepare (conn,
    "SELECT position, source, filename, content_type, sha1, hash_ok, type_code, type_display,"
    " filed_patient_id, filed_document_id, dismissed_reason FROM mail_documents"
    " WHERE mail_id = ?1 ORDER BY position", error);
  if (docs == NULL)
    return NULL;
  sqlite3_bind_int64 (docs, 1, mail_id);
  while ((rc = sqlite3_step (docs)) == SQLITE_ROW && m->docs->len < MAX_DOCUMENTS)
    {
      CabTriageDoc *d = g_new0 (CabTriageDoc, 1);

      d->position = (guint) sqlite3_column_int (docs, 0);
      d->source = cab_stmt_dup_text (docs, 1);
      d->filename = cab_stmt_dup_text (docs, 2);
      d->content_type = cab_stmt_dup_text (docs, 3);
      d->sha1 = cab_stmt_dup_text (docs, 4);
      d->hash_ok = sqlite3_column_int (docs, 5);
      d->type_code = cab_stmt_dup_text (docs, 6);
      d->type_display = cab_stmt_dup_text (docs, 7);
      d->filed_patient_id = cab_stmt_dup_text (docs, 8);
      d->filed_document_id = cab_stmt_dup_text (docs, 9);
      d->dismissed_reason = cab_stmt_dup_text (docs, 10);
      g_ptr_array_add (m->docs, d);
    }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a message's documents");
      return NULL;
    }
  return g_steal_pointer (&m);
}

/* An IHE_XDM.zip: its documents are listed after it and filed in its place. */
gboolean
cab_triage_doc_is_container (const CabTriageDoc *d)
{
  return g_strcmp0 (d->source, "attachment") == 0 &&
         (g_strcmp0 (d->content_type, "application/zip") == 0 ||
          (d->filename != NULL && g_ascii_strcasecmp (d->filename, "IHE_XDM.zip") == 0));
}

gboolean
cab_triage_doc_is_accounted (const CabTriageDoc *d)
{
  return d->dismissed_reason != NULL || d->filed_patient_id != NULL;
}

CabMailTriage
cab_triage_message_triage (const CabTriageMessage *m)
{
  g_auto(GStrv) k = cab_mail_keywords_split (m->keywords);
  CabMailTriage t = { 0 };

  cab_mail_triage_from_keywords ((const char * const *) k, &t);
  return t;
}

/* ------------------------------------------------------------ filing */

gboolean
cab_triage_patient_exists (CabStoreConn  *conn,
                           const char    *patient_id,
                           GError       **error)
{
  g_autoptr(CabStmt) stmt = NULL;

  /* The whole id checked (rule 4 of "Rules for hostile input"), then
   * looked up exactly. */
  if (!cab_mail_keyword_id_is_valid (patient_id))
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_INVALID, _("Not a patient id"));
      return FALSE;
    }
  stmt = cab_store_conn_prepare (conn, "SELECT 1 FROM patients WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, patient_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return TRUE;
  g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_NOT_FOUND,
               _("No patient %s in the store"), patient_id);
  return FALSE;
}

/* The message's documents in the order the sync listed them
 * (cab-mail-sync.c): each attachment, then an XDM's documents after it. */
gboolean
cab_triage_read_back (CabTriageMessage  *m,
                      GError           **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(CabMimeMessage) mime = NULL;
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) local = NULL;

  file = g_mapped_file_new (m->raw_path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_DOCUMENT,
                   _("The message's copy cannot be read: %s"), local->message);
      return FALSE;
    }
  raw = g_mapped_file_get_bytes (file);
  if ((mime = cab_mime_parse (raw, &local)) == NULL)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_DOCUMENT,
                   _("The message cannot be read again: %s"), local->message);
      return FALSE;
    }
  for (guint i = 0; i < mime->attachments->len && contents->len < MAX_DOCUMENTS; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);
      g_autoptr(CabXdm) xdm = NULL;

      g_ptr_array_add (contents, g_bytes_ref (a->content));
      if (!(g_strcmp0 (a->content_type, "application/zip") == 0 ||
            (a->filename != NULL && g_ascii_strcasecmp (a->filename, "IHE_XDM.zip") == 0)))
        continue;
      if ((xdm = cab_xdm_read (a->content, NULL, NULL)) == NULL)
        continue;
      for (guint d = 0; d < xdm->documents->len && contents->len < MAX_DOCUMENTS; d++)
        {
          CabXdmDocument *doc = g_ptr_array_index (xdm->documents, d);

          g_ptr_array_add (contents, doc->content != NULL ? g_bytes_ref (doc->content) : NULL);
        }
    }

  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      GBytes *bytes = d->position < contents->len ? g_ptr_array_index (contents, d->position) : NULL;
      g_autofree char *sha1 = NULL;

      if (!d->wanted)
        continue;
      if (bytes != NULL)
        sha1 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, bytes);
      /* Never file something other than what the inbox showed. */
      if (bytes == NULL || g_strcmp0 (sha1, d->sha1) != 0 || !d->hash_ok)
        {
          g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_DOCUMENT,
                       _("Document %u does not match what the message declared: dismiss it with a "
                         "reason, or ask the sender again"), d->position + 1);
          return FALSE;
        }
      d->content = g_bytes_ref (bytes);
    }
  return TRUE;
}

static char *
sha1_base64 (GBytes *bytes)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (sum, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_checksum_get_digest (sum, digest, &len);
  return g_base64_encode (digest, len);
}

/* Writes each document to <data dir>/documents/mss-<mail>-<n>.<ext>
 * (0600), once per content, and reads a PDF's text for the index. */
gboolean
cab_triage_write_documents (CabStore          *store,
                            CabTriageMessage  *m,
                            GError           **error)
{
  g_autofree char *data_dir = g_path_get_dirname (cab_store_get_path (store));
  g_autofree char *dir = g_build_filename (data_dir, "documents", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CAB_MAIL_TRIAGE_ERROR, CAB_MAIL_TRIAGE_ERROR_DOCUMENT,
                   _("Cannot create the documents folder"));
      return FALSE;
    }
  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      gboolean pdf = g_strcmp0 (d->content_type, "application/pdf") == 0;
      g_autofree char *name = NULL;
      gboolean same = FALSE;

      if (d->content == NULL)
        continue;
      /* The PDF copy beside an XDM is the same document: one entry. */
      for (guint j = 0; j < i && !same; j++)
        {
          CabTriageDoc *e = g_ptr_array_index (m->docs, j);

          if (e->new_document_id != NULL && g_strcmp0 (e->sha1, d->sha1) == 0)
            {
              d->new_document_id = g_strdup (e->new_document_id);
              same = TRUE;
              if (e->type_code == NULL && d->type_code != NULL)
                {
                  e->type_code = g_strdup (d->type_code);
                  e->type_display = g_strdup (d->type_display);
                }
            }
        }
      if (same)
        continue;
      d->new_document_id = g_strdup_printf ("mss-%" G_GINT64_FORMAT "-%u", m->id, d->position + 1);
      name = g_strconcat (d->new_document_id, pdf ? ".pdf" : ".bin", NULL);
      d->new_path = g_build_filename (dir, name, NULL);
      if (!g_file_set_contents_full (d->new_path, g_bytes_get_data (d->content, NULL),
                                     (gssize) g_bytes_get_size (d->content),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return FALSE;
      if (pdf)
        d->text = cab_pdf_text_extract (d->new_path, NULL, NULL);
    }
  return TRUE;
}

gboolean
cab_triage_insert_documents_locked (CabStoreWriter    *writer,
                                    CabTriageMessage  *m,
                                    const char        *patient_id,
                                    GPtrArray         *created,
                                    GError           **error)
{
  g_autoptr(GDateTime) when = m->date > 0 ? g_date_time_new_from_unix_utc (m->date) : g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");

  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      g_autoptr(CabStmt) stmt = NULL;
      g_autofree char *hash = NULL;
      const char *title;

      if (d->new_path == NULL)
        continue;
      title = d->type_display != NULL ? d->type_display : d->filename != NULL ? d->filename : m->subject;
      hash = sha1_base64 (d->content);
      stmt = cab_store_conn_prepare (writer,
        "INSERT INTO documents (id, patient_id, status, type_code, type_display, title, date, period_start,"
        " security_labels, content_type, size, hash, local_path, origin, sort_date)"
        " VALUES (?1, ?2, 'current', ?3, ?4, ?5, ?6, ?6, 'N', ?7, ?8, ?9, ?10, 'mssante', ?6)"
        " ON CONFLICT (id) DO NOTHING", error);
      if (stmt == NULL)
        return FALSE;
      cab_stmt_bind_text (stmt, 1, d->new_document_id);
      cab_stmt_bind_text (stmt, 2, patient_id);
      cab_stmt_bind_text (stmt, 3, d->type_code);
      cab_stmt_bind_text (stmt, 4, d->type_display);
      cab_stmt_bind_text (stmt, 5, title != NULL ? title : "MSSanté");
      cab_stmt_bind_text (stmt, 6, date);
      cab_stmt_bind_text (stmt, 7, d->content_type);
      sqlite3_bind_int64 (stmt, 8, (gint64) g_bytes_get_size (d->content));
      cab_stmt_bind_text (stmt, 9, hash);
      cab_stmt_bind_text (stmt, 10, d->new_path);
      if (!cab_mail_triage_step_done (writer, stmt, "Cannot file a document", error))
        return FALSE;
      if (d->text != NULL &&
          !cab_store_set_document_content_locked (writer, d->new_document_id, d->new_path, d->text, error))
        return FALSE;
      g_ptr_array_add (created, g_strdup (d->new_document_id));
    }
  for (guint i = 0; i < m->docs->len; i++)
    {
      CabTriageDoc *d = g_ptr_array_index (m->docs, i);
      g_autoptr(CabStmt) link = NULL;

      if (d->new_document_id == NULL)
        continue;
      link = cab_store_conn_prepare (writer,
        "UPDATE mail_documents SET filed_document_id = ?3, filed_patient_id = ?4"
        " WHERE mail_id = ?1 AND position = ?2", error);
      if (link == NULL)
        return FALSE;
      sqlite3_bind_int64 (link, 1, m->id);
      sqlite3_bind_int (link, 2, (int) d->position);
      cab_stmt_bind_text (link, 3, d->new_document_id);
      cab_stmt_bind_text (link, 4, patient_id);
      if (!cab_mail_triage_step_done (writer, link, "Cannot link a filed document", error))
        return FALSE;
    }
  return TRUE;
}

