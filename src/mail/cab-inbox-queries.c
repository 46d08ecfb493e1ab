/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>

/* The Inbox page's reads (cab-inbox-queries.h): SQL over the store's pooled
 * readers, bound parameters only; the raw message read again from its file
 * for the reading pane. Logs carry ids only (principle 5). */

#include "cab-inbox-queries.h"
#include "cab-audit.h"
#include "cab-mail-seen.h"
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
    "SELECT count (*), count (*) FILTER (WHERE status = 'new'),"
    " count (*) FILTER (WHERE " CAB_MAIL_UNREAD_SQL ("") ") FROM mail_messages", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count mail messages");
      return FALSE;
    }
  listing->n_total = sqlite3_column_int (stmt, 0);
  listing->n_to_triage = sqlite3_column_int (stmt, 1);
  listing->n_unread = sqlite3_column_int (stmt, 2);
  listing->counted = TRUE;
  return TRUE;
}

/* Column by column, what a row shows; a message another desk filed and
 * this one cannot (cab-mail-follow.h) shows as a conflict with why. The
 * matched patient's identity is read as stored now: an auto match shows as
 * such only while it is qualified and its INS held once. */
#define LIST_HEAD \
  "SELECT m.id, m.date, m.from_display, m.from_address, m.subject, m.status," \
  " CASE WHEN m.filing_state IN ('unknown-patient', 'document-mismatch') THEN 'conflict' ELSE m.match_state END," \
  " CASE m.filing_state WHEN 'unknown-patient' THEN 'filed-elsewhere-unknown-patient'" \
  "   WHEN 'document-mismatch' THEN 'filed-elsewhere-mismatch' ELSE m.match_reason END," \
  " m.match_patient_id, m.match_candidates, m.match_disagreeing, m.xdm_error, m.smime_signed,"
#define LIST_QUALIFIED \
  " coalesce (p.identity_status = 'QUAL' AND p.ins IS NOT NULL" \
  "           AND (SELECT count (*) FROM patients q WHERE q.ins = p.ins) = 1, 0)," \
  " " CAB_MAIL_UNREAD_SQL ("m.") ", m.assignee," \
  " (SELECT r.prefix FROM practitioners r WHERE r.id = substr (m.assignee, 14))," \
  " (SELECT r.given FROM practitioners r WHERE r.id = substr (m.assignee, 14))," \
  " (SELECT r.family FROM practitioners r WHERE r.id = substr (m.assignee, 14))"
/* The documents counted, checked and labelled by SQL, not read one by
 * one: for a page, per message (a hundred lookups); for the whole list, in
 * one pass over mail_documents grouped by message, joined (the three
 * lookups per row cost as much as the rest of the row). */
#define LIST_DOCS_EACH \
  " (SELECT count (*) FROM mail_documents d WHERE d.mail_id = m.id)," \
  " (SELECT coalesce (min (hash_ok), 1) FROM mail_documents d WHERE d.mail_id = m.id)," \
  " (SELECT group_concat (DISTINCT nullif (type_display, '')) FROM mail_documents d WHERE d.mail_id = m.id),"
#define LIST_DOCS_JOINED " coalesce (d.n, 0), coalesce (d.ok, 1), d.labels,"
#define LIST_JOIN_DOCS \
  " LEFT JOIN (SELECT mail_id, count (*) AS n, min (hash_ok) AS ok," \
  "   group_concat (DISTINCT nullif (type_display, '')) AS labels FROM mail_documents GROUP BY mail_id) d" \
  " ON d.mail_id = m.id"
/* The filter is two statements, not "?1 IS NULL OR status = ?1": with the
 * status bound as an equality SQLite reads the newest of that status from
 * mail_messages_status_date (migration 12) and stops at the limit; without
 * one, from mail_messages_date. ?1 stays bound either way. */
#define LIST_ANY(m)    " WHERE ?1 IS NULL"
#define LIST_STATUS(m) " WHERE " m "status = ?1 AND (?4 IS NULL OR " m "assignee = ?4)"
#define LIST_SEARCH(m) " AND " m "id IN (SELECT rowid FROM mail_fts WHERE mail_fts MATCH ?2)"
#define LIST_ORDER(m)  " ORDER BY " m "date DESC, " m "id DESC"
#define LIST_ALL(where, search) \
  LIST_HEAD LIST_DOCS_JOINED LIST_QUALIFIED " FROM mail_messages m LEFT JOIN patients p ON p.id = m.match_patient_id" \
  LIST_JOIN_DOCS where ("m.") search LIST_ORDER ("m.")
#define LIST_TOP(where, search) \
  LIST_HEAD LIST_DOCS_EACH LIST_QUALIFIED \
  " FROM (SELECT id FROM mail_messages" where ("") search " ORDER BY date DESC, id DESC LIMIT ?3) top" \
  " JOIN mail_messages m ON m.id = top.id LEFT JOIN patients p ON p.id = m.match_patient_id" LIST_ORDER ("m.")

/* The whole list, or the newest @limit: chosen first, so the columns above
 * are computed for them only (a first page in a few ms at 10,000
 * messages). The FTS clause is there only when searching. */
static const char *
list_sql (gboolean limited, gboolean search, gboolean by_status)
{
  static const char * const sql[2][2][2] = {
    { { LIST_ALL (LIST_ANY, ""), LIST_ALL (LIST_STATUS, "") },
      { LIST_ALL (LIST_ANY, LIST_SEARCH ("m.")), LIST_ALL (LIST_STATUS, LIST_SEARCH ("m.")) } },
    { { LIST_TOP (LIST_ANY, ""), LIST_TOP (LIST_STATUS, "") },
      { LIST_TOP (LIST_ANY, LIST_SEARCH ("")), LIST_TOP (LIST_STATUS, LIST_SEARCH ("")) } },
  };

  return sql[limited ? 1 : 0][search ? 1 : 0][by_status ? 1 : 0];
}

CabInboxListing *
cab_inbox_store_list (CabStore            *store,
                      const CabInboxQuery *query,
                      GError             **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(CabInboxListing) listing = g_new0 (CabInboxListing, 1);
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) now = g_date_time_new_now (tz);
  g_autofree char *fts = query->text != NULL ? cab_store_fts_query (query->text) : NULL;
  gint64 offset = g_date_time_get_utc_offset (now) / G_TIME_SPAN_SECOND;
  gint64 today = (g_date_time_to_unix (now) + offset) / 86400;
  int rc;

  if (reader == NULL)
    return NULL;
  listing->items = g_ptr_array_new_with_free_func (g_object_unref);
  if (query->text != NULL && *query->text != '\0' && fts == NULL)
    {
      /* Typed text without a word to search: nothing matches. */
      if (!read_counts (reader, listing, error))
        return NULL;
      return g_steal_pointer (&listing);
    }
  stmt = cab_store_conn_prepare_static (reader, list_sql (query->limit > 0, fts != NULL,
                                                         filter_status (query->filter) != NULL), error);
  if (stmt == NULL)
    return NULL;
  cab_stmt_bind_text (stmt, 1, filter_status (query->filter));
  /* "Assigned to me" at a desk without its doctor: nobody's mail. */
  if (query->filter == CAB_INBOX_FILTER_ASSIGNED_TO_ME)
    cab_stmt_bind_text (stmt, 4, query->assignee != NULL ? query->assignee : "");
  if (fts != NULL)
    cab_stmt_bind_text (stmt, 2, fts);
  if (query->limit > 0)
    sqlite3_bind_int64 (stmt, 3, query->limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabInboxItemData data = {
        .id = sqlite3_column_int64 (stmt, 0),
        .date = sqlite3_column_int64 (stmt, 1),
        .from_display = (const char *) sqlite3_column_text (stmt, 2),
        .from_address = (const char *) sqlite3_column_text (stmt, 3),
        .subject = (const char *) sqlite3_column_text (stmt, 4),
        .status = (const char *) sqlite3_column_text (stmt, 5),
        .match_state = (const char *) sqlite3_column_text (stmt, 6),
        .match_reason = (const char *) sqlite3_column_text (stmt, 7),
        .match_patient_id = (const char *) sqlite3_column_text (stmt, 8),
        .match_candidates = (const char *) sqlite3_column_text (stmt, 9),
        .match_disagreeing = sqlite3_column_int (stmt, 10),
        .xdm_error = (const char *) sqlite3_column_text (stmt, 11),
        .smime_signed = sqlite3_column_int (stmt, 12),
        .n_documents = sqlite3_column_int (stmt, 13),
        .documents_ok = sqlite3_column_int (stmt, 14),
        .type_labels = (const char *) sqlite3_column_text (stmt, 15),
        .patient_qualified = sqlite3_column_int (stmt, 16),
        .unread = sqlite3_column_int (stmt, 17),
        .assignee = (const char *) sqlite3_column_text (stmt, 18),
        .assignee_prefix = (const char *) sqlite3_column_text (stmt, 19),
        .assignee_given = (const char *) sqlite3_column_text (stmt, 20),
        .assignee_family = (const char *) sqlite3_column_text (stmt, 21),
      };

      g_ptr_array_add (listing->items, cab_inbox_item_new (&data, today, offset));
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list mail messages");
      return NULL;
    }
  /* The counts scan the whole inbox, three times the first page's own
   * time: a full first page goes without them (the whole list follows
   * with them, docs/architecture.md, "The Inbox page"). */
  if ((query->limit == 0 || listing->items->len < query->limit) && !read_counts (reader, listing, error))
    return NULL;
  return g_steal_pointer (&listing);
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
  g_free (message->message_id);
  g_free (message->references);
  g_strfreev (message->to_addresses);
  g_strfreev (message->cc_addresses);
  g_free (message->notification_to);
  g_free (message->return_path);
  g_free (message);
}

/* The message's raw file, and whether the indexing pass has still to read
 * its PDFs' text (docs/architecture.md, "The indexing pass"). */
static char *
read_raw_path (CabStore *store, gint64 id, gboolean *text_pending, GError **error)
{
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, error);
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (reader == NULL)
    return NULL;
  stmt = cab_store_conn_prepare (reader, "SELECT raw_path, EXISTS (SELECT 1 FROM mail_text_pending p WHERE p.mail_id = m.id)"
                                 " FROM mail_messages m WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *text_pending = sqlite3_column_int (stmt, 1) != 0;
      return cab_stmt_dup_text (stmt, 0);
    }
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
  gboolean text_pending = FALSE;
  g_autofree char *raw_path = read_raw_path (store, id, &text_pending, &error);
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
  message->text_pending = text_pending;
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
  message->message_id = g_strdup (mime->message_id);
  message->references = g_strdup (mime->references);
  message->to_addresses = g_strdupv (mime->to_addresses);
  message->cc_addresses = g_strdupv (mime->cc_addresses);
  message->notification_to = g_strdup (mime->notification_to);
  message->return_path = g_strdup (mime->return_path);
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

static void
text_pending_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  gboolean pending = FALSE;
  g_autofree char *raw_path = read_raw_path (store, *(gint64 *) task_data, &pending, &error);

  if (raw_path == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, pending);
}

void
cab_inbox_query_text_pending_async (CabStore            *store,
                                    gint64               id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CAB_IS_STORE (store));

  cab_query_start (store, cab_inbox_query_text_pending_async, g_memdup2 (&id, sizeof id), g_free,
                   text_pending_run, cancellable, callback, user_data);
}

gboolean
cab_inbox_query_text_pending_finish (GAsyncResult  *result,
                                     gboolean      *pending,
                                     GError       **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_inbox_query_text_pending_async), FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return FALSE;
  *pending = value != 0;
  return TRUE;
}

CabInboxMessage *
cab_inbox_query_message_finish (GAsyncResult  *result,
                                GError       **error)
{
  return cab_query_finish_pointer (result, cab_inbox_query_message_async, error);
}
