/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* The Inbox page's reads (cab-inbox-queries.h): SQL over the store's pooled
 * readers, bound parameters only; the raw message read again from its file
 * for the reading pane. Logs carry ids only (principle 5). */

#include "cab-inbox-queries.h"
#include "cab-audit.h"
#include "cab-mime.h"
#include "cab-query.h"
#include "cab-store-private.h"
#include "cab-xdm.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/* The reading pane opens one message: its file was capped when synced, this
 * only guards against a file replaced meanwhile. */
#define MAX_RAW_SIZE CAB_MIME_MAX_MESSAGE

void
cab_inbox_listing_free (CabInboxListing *listing)
{
  if (listing == NULL)
    return;
  g_clear_pointer (&listing->items, g_ptr_array_unref);
  g_free (listing);
}

static const char *
filter_status (CabInboxFilter filter)
{
  switch (filter)
    {
    case CAB_INBOX_FILTER_TO_TRIAGE: return "new";
    case CAB_INBOX_FILTER_ASSIGNED_TO_ME: return "assigned";
    case CAB_INBOX_FILTER_HANDLED: return "handled";
    case CAB_INBOX_FILTER_ALL: return NULL;
    }
  g_return_val_if_reached (NULL);
}

static gboolean
read_counts (CabStoreReader *reader, CabInboxListing *listing, GError **error)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader,
    "SELECT count (*), count (*) FILTER (WHERE status = 'new') FROM mail_messages", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count mail messages");
      return FALSE;
    }
  listing->n_total = sqlite3_column_int (stmt, 0);
  listing->n_to_triage = sqlite3_column_int (stmt, 1);
  return TRUE;
}

/* The documents of the listed messages, in one pass. */
static gboolean
read_documents (CabStoreReader *reader, GHashTable *by_id, GError **error)
{
  g_autoptr(CabStmt) docs = cab_store_conn_prepare (reader,
    "SELECT mail_id, source, filename, content_type, size, sha1, hash_ok, type_code, type_display"
    " FROM mail_documents ORDER BY mail_id, position", error);
  int rc;

  if (docs == NULL)
    return FALSE;
  while ((rc = sqlite3_step (docs)) == SQLITE_ROW)
    {
      gint64 mail_id = sqlite3_column_int64 (docs, 0);
      CabMailRow *row = g_hash_table_lookup (by_id, &mail_id);
      CabMailDocument *d;

      if (row == NULL)
        continue;
      d = cab_mail_document_new ();
      d->source = cab_stmt_dup_text (docs, 1);
      d->filename = cab_stmt_dup_text (docs, 2);
      d->content_type = cab_stmt_dup_text (docs, 3);
      d->size = sqlite3_column_int64 (docs, 4);
      d->sha1 = cab_stmt_dup_text (docs, 5);
      d->hash_ok = sqlite3_column_int (docs, 6);
      d->type_code = cab_stmt_dup_text (docs, 7);
      d->type_display = cab_stmt_dup_text (docs, 8);
      g_ptr_array_add (row->documents, d);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list mail documents");
      return FALSE;
    }
  return TRUE;
}

CabInboxListing *
cab_inbox_store_list (CabStore            *store,
                      const CabInboxQuery *query,
                      GError             **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(CabInboxListing) listing = g_new0 (CabInboxListing, 1);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  g_autoptr(GPtrArray) qualified = g_ptr_array_new ();
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *fts = query->text != NULL ? cab_store_fts_query (query->text) : NULL;
  int rc;

  if (reader == NULL || !read_counts (reader, listing, error))
    return NULL;
  /* The matched patient's identity as stored now: an auto match is shown
   * as such only while it is qualified and its INS held once. */
  stmt = cab_store_conn_prepare (reader,
    "SELECT m.id, m.uidvalidity, m.uid, m.message_id, m.date, m.from_display, m.from_address, m.subject,"
    " m.size, m.raw_path, m.status, m.match_state, m.match_reason, m.match_ins, m.match_patient_id,"
    " m.match_candidates, m.match_disagreeing, m.mss_ins, m.mss_codecda, m.mss_fin, m.smime_signed,"
    " m.xdm_error, m.received_at,"
    " coalesce (p.identity_status = 'QUAL' AND p.ins IS NOT NULL"
    "           AND (SELECT count (*) FROM patients q WHERE q.ins = p.ins) = 1, 0)"
    " FROM mail_messages m LEFT JOIN patients p ON p.id = m.match_patient_id"
    " WHERE (?1 IS NULL OR m.status = ?1)"
    "   AND (?2 IS NULL OR m.id IN (SELECT rowid FROM mail_fts WHERE mail_fts MATCH ?2))"
    " ORDER BY m.date DESC, m.id DESC", error);
  if (stmt == NULL)
    return NULL;
  cab_stmt_bind_text (stmt, 1, filter_status (query->filter));
  cab_stmt_bind_text (stmt, 2, fts);
  if (query->text != NULL && *query->text != '\0' && fts == NULL)
    {
      /* Typed text without a word to search: nothing matches. */
      listing->items = g_ptr_array_new_with_free_func (g_object_unref);
      return g_steal_pointer (&listing);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabMailRow *row = cab_mail_row_new ();
      const char *candidates = (const char *) sqlite3_column_text (stmt, 15);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 1);
      row->uid = (guint32) sqlite3_column_int64 (stmt, 2);
      row->message_id = cab_stmt_dup_text (stmt, 3);
      row->date = sqlite3_column_int64 (stmt, 4);
      row->from_display = cab_stmt_dup_text (stmt, 5);
      row->from_address = cab_stmt_dup_text (stmt, 6);
      row->subject = cab_stmt_dup_text (stmt, 7);
      row->size = sqlite3_column_int64 (stmt, 8);
      row->raw_path = cab_stmt_dup_text (stmt, 9);
      row->status = cab_stmt_dup_text (stmt, 10);
      row->match_state = cab_stmt_dup_text (stmt, 11);
      row->match_reason = cab_stmt_dup_text (stmt, 12);
      row->match_ins = cab_stmt_dup_text (stmt, 13);
      row->match_patient_id = cab_stmt_dup_text (stmt, 14);
      row->match_candidates = candidates && *candidates ? g_strsplit (candidates, ",", -1) : g_new0 (char *, 1);
      row->match_disagreeing = sqlite3_column_int (stmt, 16);
      row->mss_ins = cab_stmt_dup_text (stmt, 17);
      row->mss_codecda = cab_stmt_dup_text (stmt, 18);
      row->mss_fin = sqlite3_column_int (stmt, 19);
      row->smime_signed = sqlite3_column_int (stmt, 20);
      row->xdm_error = cab_stmt_dup_text (stmt, 21);
      row->received_at = sqlite3_column_int64 (stmt, 22);
      g_ptr_array_add (rows, row);
      g_ptr_array_add (qualified, GINT_TO_POINTER (sqlite3_column_int (stmt, 23)));
      g_hash_table_insert (by_id, &row->id, row);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list mail messages");
      return NULL;
    }
  if (rows->len > 0 && !read_documents (reader, by_id, error))
    return NULL;
  listing->items = g_ptr_array_new_full (rows->len, g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      /* The item takes the row. */
      CabMailRow *row = g_steal_pointer (&rows->pdata[i]);

      g_ptr_array_add (listing->items,
                       cab_inbox_item_new (row, GPOINTER_TO_INT (g_ptr_array_index (qualified, i)),
                                           FALSE, now, tz));
    }
  return g_steal_pointer (&listing);
}

typedef struct
{
  CabInboxFilter filter;
  char          *assignee;
  char          *text;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->assignee);
  g_free (data->text);
  g_free (data);
}

static void
list_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  ListData *data = task_data;
  CabInboxQuery query = { data->filter, data->assignee, data->text };
  GError *error = NULL;
  CabInboxListing *listing = cab_inbox_store_list (store, &query, &error);

  if (listing == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, listing, (GDestroyNotify) cab_inbox_listing_free);
}

void
cab_inbox_query_list_async (CabStore            *store,
                            const CabInboxQuery *query,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ListData *data;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (query != NULL);

  data = g_new0 (ListData, 1);
  data->filter = query->filter;
  data->assignee = g_strdup (query->assignee);
  data->text = g_strdup (query->text);
  cab_query_start (store, cab_inbox_query_list_async, data, (GDestroyNotify) list_data_free,
                   list_run, cancellable, callback, user_data);
}

CabInboxListing *
cab_inbox_query_list_finish (GAsyncResult  *result,
                             GError       **error)
{
  return cab_query_finish_pointer (result, cab_inbox_query_list_async, error);
}

/* -------------------------------------------------------------- message */

static void
part_free (gpointer data)
{
  CabInboxPart *p = data;

  g_free (p->filename);
  g_free (p->content_type);
  g_free (p->path);
  g_free (p->type_display);
  g_free (p->type_code);
  g_free (p->class_display);
  g_free (p->creation_time);
  g_free (p->author);
  g_free (p->declared_sha1);
  g_free (p->sha1);
  g_free (p->patient_ins);
  g_free (p->patient_family);
  g_free (p->patient_given);
  g_free (p->patient_birth_date);
  g_free (p);
}

void
cab_inbox_message_free (CabInboxMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->from);
  g_free (message->from_address);
  g_free (message->subject);
  g_free (message->body_text);
  g_clear_pointer (&message->parts, g_ptr_array_unref);
  g_free (message->error);
  g_free (message);
}

static char *
read_raw_path (CabStore *store, gint64 id, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader, "SELECT raw_path FROM mail_messages WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return cab_stmt_dup_text (stmt, 0);
  if (rc == SQLITE_DONE)
    g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, _("This message is no longer in the local store."));
  else
    cab_store_set_sql_error (error, reader->db, "Cannot read a mail message");
  return NULL;
}

static gboolean
is_pdf (const char *content_type, const char *filename)
{
  return g_strcmp0 (content_type, "application/pdf") == 0 ||
         (filename != NULL && g_str_has_suffix (filename, ".pdf"));
}

/* A PDF beside the raw messages, named by its SHA-1 (written once, whole,
 * private), for the viewer to open. NULL when it cannot be written: the
 * part is still listed. */
static char *
save_pdf (const char *raw_path, GBytes *content, const char *sha1)
{
  g_autofree char *mail_dir = g_path_get_dirname (raw_path);
  g_autofree char *dir = g_build_filename (mail_dir, "parts", NULL);
  g_autofree char *name = NULL, *path = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data;

  if (sha1 == NULL || strlen (sha1) != 40 || strspn (sha1, "0123456789abcdef") != 40)
    return NULL;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_debug ("Cannot create the mail parts folder: %s", g_strerror (errno));
      return NULL;
    }
  name = g_strconcat (sha1, ".pdf", NULL);
  path = g_build_filename (dir, name, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&path);
  data = g_bytes_get_data (content, &len);
  if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_debug ("Cannot write a mail part: %s", error->message);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static void
add_xdm_documents (CabInboxMessage *message, const char *raw_path, CabXdm *xdm)
{
  for (guint i = 0; i < xdm->documents->len; i++)
    {
      CabXdmDocument *doc = g_ptr_array_index (xdm->documents, i);
      CabInboxPart *p = g_new0 (CabInboxPart, 1);

      p->from_xdm = TRUE;
      p->filename = g_strdup (doc->uri);
      p->content_type = g_strdup (doc->mime_type);
      p->size = doc->content ? (gint64) g_bytes_get_size (doc->content) : -1;
      p->type_display = g_strdup (doc->type_display);
      p->type_code = g_strdup (doc->type_code);
      p->class_display = g_strdup (doc->class_display);
      p->creation_time = g_strdup (doc->creation_time);
      p->author = g_strdup (doc->author);
      p->declared_sha1 = g_strdup (doc->declared_sha1);
      p->sha1 = g_strdup (doc->sha1);
      p->declared_size = doc->declared_size;
      p->hash_ok = doc->hash_ok;
      p->patient_ins = g_strdup (doc->ins);
      p->patient_family = g_strdup (doc->birth_family ? doc->birth_family : doc->usage_family);
      p->patient_given = g_strdup (doc->given);
      p->patient_birth_date = g_strdup (doc->birth_date);
      p->patient_sex = doc->sex;
      if (doc->content != NULL && is_pdf (doc->mime_type, doc->uri))
        p->path = save_pdf (raw_path, doc->content, doc->sha1);
      g_ptr_array_add (message->parts, p);
    }
}

static void
message_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  gint64 id = *(gint64 *) task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw_path = read_raw_path (store, id, &error);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autoptr(CabMimeMessage) mime = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) xdms = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_xdm_free);
  CabInboxMessage *message;

  if (raw_path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  file = g_mapped_file_new (raw_path, FALSE, &error);
  if (file == NULL)
    {
      g_debug ("Cannot open mail message %s: %s", id_text, error->message);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("This message’s file is missing from the local store; synchronize again."));
      return;
    }
  if (g_mapped_file_get_length (file) > MAX_RAW_SIZE)
    {
      g_task_return_new_error (task, CAB_MIME_ERROR, CAB_MIME_ERROR_TOO_LARGE, _("This message is too large to show."));
      return;
    }
  raw = g_mapped_file_get_bytes (file);
  if (!cab_store_audit (store, CAB_AUDIT_MAIL_READ, CAB_AUDIT_TYPE_MAIL, id_text, &error))
    {
      /* No read without its trace. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  message = g_new0 (CabInboxMessage, 1);
  message->id = id;
  message->parts = g_ptr_array_new_with_free_func (part_free);
  mime = cab_mime_parse (raw, &error);
  if (mime == NULL)
    {
      message->error = g_strdup (error->message);
      g_task_return_pointer (task, message, (GDestroyNotify) cab_inbox_message_free);
      return;
    }
  message->from = g_strdup (mime->from);
  message->from_address = g_strdup (mime->from_address);
  message->subject = g_strdup (mime->subject);
  message->date = mime->date;
  message->body_text = g_strdup (mime->body_text);
  message->smime_signed = mime->smime_signed;
  for (guint i = 0; i < mime->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (mime->attachments, i);
      CabInboxPart *p = g_new0 (CabInboxPart, 1);

      p->filename = g_strdup (a->filename);
      p->content_type = g_strdup (a->content_type);
      p->size = g_bytes_get_size (a->content);
      p->sha1 = g_strdup (a->sha1);
      p->declared_size = -1;
      p->hash_ok = TRUE;
      if (is_pdf (a->content_type, a->filename))
        p->path = save_pdf (raw_path, a->content, a->sha1);
      g_ptr_array_add (message->parts, p);
      if (g_str_equal (a->content_type, "application/zip") ||
          (a->filename != NULL && g_ascii_strcasecmp (a->filename, "IHE_XDM.zip") == 0))
        {
          g_autoptr(GError) xdm_error = NULL;
          CabXdm *xdm = cab_xdm_read (a->content, NULL, &xdm_error);

          if (xdm == NULL)
            {
              if (message->error == NULL)
                message->error = g_strdup (xdm_error->message);
              continue;
            }
          g_ptr_array_add (xdms, xdm);
        }
    }
  for (guint i = 0; i < xdms->len; i++)
    add_xdm_documents (message, raw_path, g_ptr_array_index (xdms, i));
  g_task_return_pointer (task, message, (GDestroyNotify) cab_inbox_message_free);
}

void
cab_inbox_query_message_async (CabStore            *store,
                               gint64               id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_inbox_query_message_async, g_memdup2 (&id, sizeof id), g_free,
                   message_run, cancellable, callback, user_data);
}

CabInboxMessage *
cab_inbox_query_message_finish (GAsyncResult  *result,
                                GError       **error)
{
  return cab_query_finish_pointer (result, cab_inbox_query_message_async, error);
}
