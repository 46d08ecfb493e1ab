/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* Queueing a message (docs/architecture.md, "Sending mail"): everything is
 * checked and snapshotted now (addresses, the patient's traits and the
 * documents' metadata for the XDM, copies of the files), so sending reads
 * nothing but the payload and its folder, and a message written offline
 * goes out as it was written. */

#include "cab-mail-send.h"
#include "cab-mail-queue-private.h"

#include <string.h>

#include "cab-mail-entry.h"
#include "cab-mail-recipients.h"
#include "cab-mime-compose.h"
#include "cab-outbox.h"
#include "cab-patient-queries.h"
#include "cab-store-private.h"

G_DEFINE_QUARK (cab-mail-send-error-quark, cab_mail_send_error)

/* The desk's practitioner as the store names them ("Dr Alice MARTIN",
 * cab_practitioner_display()), or NULL: unknown, or a name that is not one
 * plain line (the server's text; the address alone then). */
char *
cab_mail_from_name (CabStore   *store,
                    const char *practitioner)
{
  g_autofree char *name = practitioner != NULL ? cab_practitioner_display (store, practitioner) : NULL;

  return cab_mime_display_name_is_valid (name) ? g_steal_pointer (&name) : NULL;
}

gboolean
cab_mail_patient_mailbox_allowed (const CabPatient *patient,
                                  const char       *address,
                                  GError          **error)
{
  const char *at = strrchr (address, '@');

  if (at == NULL || g_ascii_strcasecmp (at + 1, CAB_MAIL_PATIENT_DOMAIN) != 0)
    return TRUE;
  if (patient == NULL)
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX,
                   _("A patient's mailbox needs the patient named (--patient): "
                     "it is only used for a patient whose identity is qualified"));
      return FALSE;
    }
  if (g_strcmp0 (patient->identity_status, "QUAL") != 0 || patient->ins == NULL)
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX,
                   _("The patient's identity is not qualified (%s): their mailbox <INS>@%s may only be "
                     "used once the INS has been checked against an identity document and the national service"),
                   patient->identity_status != NULL ? patient->identity_status : _("no status"),
                   CAB_MAIL_PATIENT_DOMAIN);
      return FALSE;
    }
  if ((gsize) (at - address) != strlen (patient->ins) || strncmp (address, patient->ins, at - address) != 0)
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX,
                   _("This patient mailbox is not the patient's: it must be their INS followed by @%s"),
                   CAB_MAIL_PATIENT_DOMAIN);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse (GError **error, int code, const char *message)
{
  g_set_error_literal (error, CAB_MAIL_SEND_ERROR, code, message);
  return FALSE;
}

gboolean
cab_mail_queue_check_text (const CabMailDraft *draft, GError **error)
{
  if (!cab_mime_address_is_valid (draft->from))
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The sender's address is not a valid mail address"));
  if (draft->to == NULL || draft->to[0] == NULL)
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The message has no recipient"));
  for (guint i = 0; draft->to[i] != NULL; i++)
    {
      if (i >= 100)
        return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("Too many recipients (100 at most)"));
      if (!cab_mime_address_is_valid (draft->to[i]))
        return refuse (error, CAB_MAIL_SEND_ERROR_INVALID,
                       _("A recipient is not a valid mail address (one address, without name, spaces or line breaks)"));
    }
  if (draft->subject == NULL || strlen (draft->subject) > CAB_MIME_MAX_SUBJECT ||
      !g_utf8_validate (draft->subject, -1, NULL) || strpbrk (draft->subject, "\r\n") != NULL)
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The subject must be one line of text"));
  for (const char *p = draft->subject; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The subject must be one line of text"));
  if (draft->body == NULL || strlen (draft->body) > CAB_MAIL_MAX_BODY || !g_utf8_validate (draft->body, -1, NULL))
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The message text must be UTF-8 text of at most 1 MB"));
  if (!cab_mime_message_ids_are_valid (draft->in_reply_to) || !cab_mime_message_ids_are_valid (draft->references))
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("The message answered has an unreadable Message-ID"));
  return TRUE;
}

/* A file name kept in a mail: printable, no path, bounded. */
char *
cab_mail_queue_file_name (const char *path, guint index)
{
  g_autofree char *base = g_path_get_basename (path);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "A%02u-", index + 1);
  for (const char *p = base; *p && s->len < 120; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || strchr ("._-", *p) ? *p : '_');
  return g_string_free (s, FALSE);
}

gboolean
cab_mail_queue_write_copy (const char *dir, const char *name, GBytes *bytes, char **path, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  *path = g_build_filename (dir, name, NULL);
  if (!g_file_set_contents_full (*path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  return TRUE;
}

GBytes *
cab_mail_queue_read_bounded (const char *path, guint64 *total, GError **error)
{
  GStatBuf st;
  char *data = NULL;
  gsize size = 0;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_FILE, _("Cannot read the attachment: not a file"));
      return NULL;
    }
  if ((guint64) st.st_size + *total > CAB_MAIL_MAX_SIZE)
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_FILE,
                   _("The attachments are too large (25 MB at most in one message)"));
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &size, error))
    return NULL;
  *total += size;
  return g_bytes_new_take (data, size);
}

const char *
cab_mail_queue_content_type (const char *name, GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size >= 5 && memcmp (data, "%PDF-", 5) == 0)
    return "application/pdf";
  if (g_str_has_suffix (name, ".txt") || g_str_has_suffix (name, ".TXT"))
    return "text/plain";
  return "application/octet-stream";
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* "1980-03-07" from a FHIR date; NULL when partial. */
static const char *
full_date (const char *date)
{
  return date != NULL && strlen (date) == 10 ? date : NULL;
}

/* "2025-06-12T09:30:00+02:00" -> "20250612073000" (UTC); NULL if unreadable. */
static char *
xds_time (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (iso == NULL)
    return NULL;
  if (strlen (iso) == 10)
    {
      g_autofree char *t = g_strconcat (iso, "T00:00:00Z", NULL);
      dt = g_date_time_new_from_iso8601 (t, NULL);
    }
  else
    dt = g_date_time_new_from_iso8601 (iso, g_time_zone_new_utc ());
  if (dt == NULL)
    return NULL;
  utc = g_date_time_to_utc (dt);
  return g_date_time_format (utc, "%Y%m%d%H%M%S");
}

void
cab_mail_queue_add_patient (JsonBuilder *b, const CabPatient *p)
{
  gboolean qualified = g_strcmp0 (p->identity_status, "QUAL") == 0 && p->ins != NULL;
  const char *oid = p->ins_system != NULL && g_str_has_prefix (p->ins_system, "urn:oid:")
                    ? p->ins_system + 8 : p->ins_system;
  g_autofree char *given = NULL;

  json_builder_set_member_name (b, "patient");
  json_builder_begin_object (b);
  /* The INS travels only with a qualified identity (docs/domain.md, "INS"). */
  if (qualified)
    {
      add_string (b, "ins", p->ins);
      add_string (b, "ins_oid", oid != NULL ? oid : "1.2.250.1.213.1.4.8");
    }
  add_string (b, "birth_family", p->birth_name != NULL ? p->birth_name : p->family);
  if (p->birth_name != NULL && p->family != NULL && g_strcmp0 (p->birth_name, p->family) != 0)
    add_string (b, "usage_family", p->family);
  if (p->given != NULL)
    {
      const char *space = strchr (p->given, ' ');
      given = space != NULL ? g_strndup (p->given, space - p->given) : g_strdup (p->given);
      add_string (b, "given", given);
    }
  add_string (b, "birth_date", full_date (p->birth_date));
  add_string (b, "sex", g_strcmp0 (p->sex, "female") == 0 ? "F" : g_strcmp0 (p->sex, "male") == 0 ? "M" : NULL);
  json_builder_end_object (b);
}

/* One file of the message: copied into @dir (as "<tag>-<name>" when @tag
 * is set: an edit adds beside the copies already there) and described. */
gboolean
cab_mail_queue_add_file (JsonBuilder *b,
                         const char  *file,
                         guint        index,
                         const char  *dir,
                         const char  *tag,
                         guint64     *total,
                         GError     **error)
{
  g_autoptr(GBytes) bytes = cab_mail_queue_read_bounded (file, total, error);
  g_autofree char *name = NULL, *copy = NULL, *path = NULL;

  if (bytes == NULL)
    return FALSE;
  name = cab_mail_queue_file_name (file, index);
  copy = tag != NULL ? g_strconcat (tag, "-", name, NULL) : g_strdup (name);
  if (!cab_mail_queue_write_copy (dir, copy, bytes, &path, error))
    return FALSE;
  json_builder_begin_object (b);
  add_string (b, "path", path);
  add_string (b, "name", name);
  add_string (b, "type", cab_mail_queue_content_type (name, bytes));
  json_builder_end_object (b);
  return TRUE;
}

/* One timeline document of the XDM: its bytes copied, its metadata
 * snapshotted (the message goes out as written, even offline). */
gboolean
cab_mail_queue_add_document (JsonBuilder          *b,
                             const CabDocumentRow *row,
                             guint                 index,
                             const char           *dir,
                             const char           *tag,
                             guint64              *total,
                             GPtrArray            *codes,
                             GError              **error)
{
  const CabDocumentType *type = cab_document_type_lookup (row->document.type_code);
  g_autoptr(GBytes) bytes = cab_mail_queue_read_bounded (row->local_path, total, error);
  gboolean is_pdf;
  g_autofree char *name = NULL, *copy = NULL, *path = NULL, *created = NULL;

  if (bytes == NULL)
    return FALSE;
  is_pdf = g_str_equal (cab_mail_queue_content_type ("", bytes), "application/pdf");
  name = g_strdup_printf ("DOC%04u.%s", index + 1, is_pdf ? "PDF" : "BIN");
  copy = tag != NULL ? g_strconcat (tag, "-", name, NULL) : g_strdup (name);
  if (!cab_mail_queue_write_copy (dir, copy, bytes, &path, error))
    return FALSE;
  created = xds_time (row->document.date);
  json_builder_begin_object (b);
  /* Which timeline document it was: the composer edits the message by it. */
  add_string (b, "document_id", row->id);
  add_string (b, "path", path);
  add_string (b, "name", name);
  add_string (b, "mime", is_pdf ? "application/pdf" : (row->document.content_type ? row->document.content_type
                                                                                 : "application/octet-stream"));
  add_string (b, "title", row->document.title);
  add_string (b, "type_code", row->document.type_code);
  add_string (b, "type_display", row->document.type_display);
  add_string (b, "class_code", row->document.category_code != NULL ? row->document.category_code
                                                                   : type != NULL ? type->class_code : NULL);
  add_string (b, "creation_time", created);
  add_string (b, "author", row->document.author_display);
  json_builder_end_object (b);
  if (codes != NULL && row->document.type_code != NULL && strlen (row->document.type_code) <= 64 &&
      strpbrk (row->document.type_code, ",\r\n") == NULL)
    g_ptr_array_add (codes, g_strdup (row->document.type_code));
  return TRUE;
}

static gboolean
insert_locked (CabStoreWriter *writer,
               gint64          draft_id,
               const char     *patient_id,
               const char     *key,
               const char     *payload,
               const char     *message_id,
               gint64         *entry_id,
               GError        **error)
{
  if (!cab_mail_entry_insert_locked (writer, patient_id, key, payload, message_id, entry_id, error))
    return FALSE;
  /* The composer's draft goes with the queueing: never both, never neither. */
  if (draft_id > 0)
    {
      g_autoptr(CabStmt) drop = cab_store_conn_prepare (writer, "DELETE FROM mail_drafts WHERE id = ?1", error);

      if (drop == NULL)
        return FALSE;
      sqlite3_bind_int64 (drop, 1, draft_id);
      if (sqlite3_step (drop) != SQLITE_DONE)
        {
          cab_store_set_sql_error (error, writer->db, "Cannot delete the draft");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cab_mail_queue (CabStore           *store,
                const CabMailDraft *draft,
                gint64             *entry_id,
                char              **message_id_out,
                GError            **error)
{
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_document_row_free);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *message_id = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *data_dir = NULL, *dir = NULL;
  guint n_files = 0, n_docs = 0;
  guint64 total = 0;
  gboolean ok = FALSE;

  if (!cab_mail_queue_check_text (draft, error))
    return FALSE;
  for (; draft->files != NULL && draft->files[n_files] != NULL; n_files++);
  for (; draft->document_ids != NULL && draft->document_ids[n_docs] != NULL; n_docs++);
  if (n_files + n_docs > CAB_MAIL_MAX_ATTACHMENTS)
    return refuse (error, CAB_MAIL_SEND_ERROR_INVALID, _("Too many attachments (32 at most)"));

  if (draft->patient_id != NULL)
    {
      patient = cab_store_get_patient (store, draft->patient_id, error);
      if (patient == NULL)
        return FALSE;
    }
  for (guint i = 0; draft->to[i] != NULL; i++)
    if (!cab_mail_patient_mailbox_allowed (patient != NULL ? &patient->patient : NULL, draft->to[i], error))
      return FALSE;

  for (guint i = 0; i < n_docs; i++)
    {
      g_autoptr(GError) local = NULL;
      CabDocumentRow *row = cab_store_get_document (store, draft->document_ids[i], &local);

      if (row == NULL || row->local_path == NULL)
        {
          if (row != NULL)
            cab_document_row_free (row);
          g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_DOCUMENT,
                       row == NULL ? _("Unknown document: %s") : _("The document %s is not on this computer: open or download it first"),
                       draft->document_ids[i]);
          return FALSE;
        }
      if (patient != NULL && g_strcmp0 (row->patient_id, patient->id) != 0)
        {
          cab_document_row_free (row);
          return refuse (error, CAB_MAIL_SEND_ERROR_DOCUMENT, _("A document belongs to another patient than the message's"));
        }
      if (patient == NULL)
        {
          patient = cab_store_get_patient (store, row->patient_id, error);
          if (patient == NULL)
            {
              cab_document_row_free (row);
              return FALSE;
            }
        }
      g_ptr_array_add (docs, row);
    }

  /* The Message-ID is fixed now: every attempt, every copy carries it. */
  message_id = cab_mime_new_message_id (strchr (draft->from, '@') + 1);
  data_dir = g_path_get_dirname (cab_store_get_path (store));
  dir = g_build_filename (data_dir, "outbox", "mail", key, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_FILE, _("Cannot create the outbox folder"));
      return FALSE;
    }

  json_builder_begin_object (b);
  add_string (b, "message_id", message_id);
  add_string (b, "from", draft->from);
  {
    g_autofree char *from_name = cab_mail_from_name (store, draft->practitioner);

    add_string (b, "from_name", from_name);
  }
  add_string (b, "subject", draft->subject);
  add_string (b, "body", draft->body);
  json_builder_set_member_name (b, "receipt");
  json_builder_add_boolean_value (b, draft->receipt);
  if (draft->in_reply_to != NULL)
    add_string (b, "in_reply_to", draft->in_reply_to);
  if (draft->references != NULL)
    add_string (b, "references", draft->references);
  json_builder_set_member_name (b, "date");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  if (patient != NULL)
    add_string (b, "mss_ins", g_strcmp0 (patient->patient.identity_status, "QUAL") == 0 &&
                              patient->patient.ins != NULL ? "O" : "N");

  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_files; i++)
    if (!cab_mail_queue_add_file (b, draft->files[i], i, dir, NULL, &total, error))
      goto out;
  json_builder_end_array (b);

  if (docs->len > 0)
    {
      json_builder_set_member_name (b, "xdm");
      json_builder_begin_object (b);
      cab_mail_queue_add_patient (b, &patient->patient);
      json_builder_set_member_name (b, "documents");
      json_builder_begin_array (b);
      for (guint i = 0; i < docs->len; i++)
        if (!cab_mail_queue_add_document (b, docs->pdata[i], i, dir, NULL, &total, codes, error))
          goto out;
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "codecda");
  json_builder_begin_array (b);
  for (guint i = 0; i < codes->len; i++)
    json_builder_add_string_value (b, codes->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  /* The addresses, the names picked and what the Outbox page shows. */
  cab_mail_recipients_set (json_node_get_object (root), draft->to, draft->to_names);
  json_generator_set_root (gen, root);
  payload = json_generator_to_data (gen, NULL);

  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);

    if (!cab_store_begin (writer, error))
      goto out;
    if (!insert_locked (writer, draft->draft_id, patient != NULL ? patient->id : NULL, key, payload, message_id, entry_id, error) ||
        !cab_store_commit (writer, error))
      {
        cab_store_rollback (writer);
        goto out;
      }
  }
  if (message_id_out != NULL)
    *message_id_out = g_steal_pointer (&message_id);
  ok = TRUE;

out:
  if (!ok)
    {
      /* Nothing was queued: the copies go. */
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (dir, name, NULL);
          g_unlink (p);
        }
      g_rmdir (dir);
    }
  return ok;
}
