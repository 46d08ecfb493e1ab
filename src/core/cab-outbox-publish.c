/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <poppler.h>

#include "cab-document-kind.h"
#include "cab-json-read.h"
#include "cab-outbox-private.h"

/*
 * The "publish" kind: a PDF to the DMP as an ITI-65 transaction Bundle. Each
 * part is idempotent on its own, so a resend after a lost answer makes no
 * duplicate: the List and the DocumentReference are conditional creates on
 * the entry's key (their business identifier), the Binary is a PUT on an id
 * derived from the key (update-as-create).
 */

#define SYSTEM_URI "urn:ietf:rfc:3986"

/* The publishable types are the core's LOINC table (cab-document-kind.c),
 * copied once into the outbox's own struct: one list of codes and names. */
static const CabDocumentType *
document_types (void)
{
  static CabDocumentType *types;

  if (g_once_init_enter (&types))
    {
      const CabLoincType *loinc = cab_loinc_types ();
      CabDocumentType *new_types;
      guint n = 0;

      while (loinc[n].code != NULL)
        n++;
      new_types = g_new0 (CabDocumentType, n + 1);
      for (guint i = 0; i < n; i++)
        {
          new_types[i].code = loinc[i].code;
          new_types[i].display = loinc[i].display;
          new_types[i].class_code = loinc[i].class_code;
        }
      g_once_init_leave (&types, new_types);
    }
  return types;
}

const CabDocumentType *
cab_document_types (void)
{
  return document_types ();
}

const CabDocumentType *
cab_document_type_lookup (const char *code)
{
  const CabDocumentType *types = document_types ();

  for (guint i = 0; code != NULL && types[i].code != NULL; i++)
    if (g_str_equal (types[i].code, code))
      return &types[i];
  return NULL;
}

gboolean
cab_outbox_check_pdf (GBytes  *bytes,
                      GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  GObject *document;

  if (size < 5 || memcmp (data, "%PDF-", 5) != 0)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NOT_PDF,
                           _("The file is not a PDF document"));
      return FALSE;
    }

  /* poppler 22.12 declares no autoptr cleanups. */
  document = (GObject *) poppler_document_new_from_bytes (bytes, NULL, &local_error);
  if (document == NULL)
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NOT_PDF,
                   _("The PDF document cannot be opened: %s"), local_error->message);
      return FALSE;
    }
  g_object_unref (document);
  return TRUE;
}

char *
cab_outbox_new_key (void)
{
  return g_uuid_string_random ();
}

static char *
sha1_base64 (GBytes *bytes)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (checksum, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_checksum_get_digest (checksum, digest, &len);
  return g_base64_encode (digest, len);
}

static char *
now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ------------------------------------------------------------------ enqueue */

void
cab_outbox_publish_parts_clear (CabOutboxPublishParts *parts)
{
  g_free (parts->key);
  g_free (parts->file_path);
  g_free (parts->payload);
  g_free (parts->doc_id);
  g_free (parts->hash);
  g_free (parts->date);
  g_free (parts->title);
  g_free (parts->author);
  memset (parts, 0, sizeof *parts);
}

gboolean
cab_outbox_publish_parts_build (CabOutbox              *self,
                                GBytes                 *bytes,
                                const CabDocumentType  *type,
                                const char             *title,
                                const char             *author,
                                CabOutboxPublishParts  *parts,
                                GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *file_name = NULL;
  gsize length = g_bytes_get_size (bytes);

  memset (parts, 0, sizeof *parts);
  parts->type = type;
  parts->key = cab_outbox_new_key ();
  parts->hash = sha1_base64 (bytes);
  parts->date = now_iso ();
  parts->doc_id = g_strconcat ("local-", parts->key, NULL);
  parts->title = g_strdup (title != NULL && *title != '\0' ? title : type->display);
  parts->author = g_strdup (author);
  parts->length = (gint64) length;

  /* The copy is on disk (synced, renamed into place) before the entry that
   * names it is committed; a crash in between leaves only an unused file. */
  file_name = g_strconcat (parts->key, ".pdf", NULL);
  parts->file_path = g_build_filename (self->files_dir, file_name, NULL);
  if (g_mkdir_with_parents (self->files_dir, 0700) != 0 ||
      !g_file_set_contents_full (parts->file_path, g_bytes_get_data (bytes, NULL), length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                   _("Cannot keep a copy of the document: %s"),
                   local_error != NULL ? local_error->message : g_strerror (errno));
      g_clear_pointer (&parts->file_path, g_free);
      cab_outbox_publish_parts_clear (parts);
      return FALSE;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, file_name);
  json_builder_set_member_name (builder, "type_code");
  json_builder_add_string_value (builder, type->code);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, parts->title);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) length);
  json_builder_set_member_name (builder, "sha1");
  json_builder_add_string_value (builder, parts->hash);
  json_builder_set_member_name (builder, "date");
  json_builder_add_string_value (builder, parts->date);
  if (author != NULL)
    {
      json_builder_set_member_name (builder, "author");
      json_builder_add_string_value (builder, author);
    }
  if (self->custodian != NULL)
    {
      json_builder_set_member_name (builder, "custodian");
      json_builder_add_string_value (builder, self->custodian);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  parts->payload = json_to_string (root, FALSE);
  return TRUE;
}

void
cab_outbox_publish_parts_fill (const CabOutboxPublishParts *parts,
                               const char                  *patient_id,
                               gboolean                     hold,
                               CabOutboxEntry              *entry,
                               CabOutboxLocalDocument      *doc)
{
  entry->kind = (char *) "publish";
  entry->patient_id = (char *) patient_id;
  entry->document_id = parts->doc_id;
  entry->state = hold ? CAB_OUTBOX_STATE_HELD : CAB_OUTBOX_STATE_PENDING;
  entry->key = parts->key;
  entry->payload = parts->payload;

  doc->id = parts->doc_id;
  doc->patient_id = patient_id;
  doc->type_code = parts->type->code;
  doc->type_display = parts->type->display;
  doc->category_code = parts->type->class_code;
  doc->title = parts->title;
  doc->author_reference = parts->author;
  doc->date = parts->date;
  doc->local_path = parts->file_path;
  doc->size = parts->length;
  doc->hash = parts->hash;
}

/* The PDF at @pdf_path, read and checked (CAB_OUTBOX_ERROR_FILE, _NOT_PDF). */
GBytes *
cab_outbox_read_pdf (const char  *pdf_path,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (pdf_path, &contents, &length, &local_error))
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                   _("Cannot read the document: %s"), local_error->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  if (!cab_outbox_check_pdf (bytes, error))
    return NULL;
  return g_steal_pointer (&bytes);
}

/* The patient row, or CAB_OUTBOX_ERROR_NO_PATIENT. */
CabPatientRow *
cab_outbox_get_patient (CabOutbox   *self,
                        const char  *patient_id,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  CabPatientRow *patient = cab_store_get_patient (self->store, patient_id, &local_error);

  if (patient == NULL)
    {
      if (g_error_matches (local_error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NO_PATIENT,
                             _("This patient is not in the local record"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return patient;
}

gboolean
cab_outbox_publish_document (CabOutbox   *self,
                             const char  *patient_id,
                             const char  *pdf_path,
                             const char  *type_code,
                             const char  *title,
                             gboolean     hold,
                             gint64      *entry_id,
                             GError     **error)
{
  const CabDocumentType *type;
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(GBytes) bytes = NULL;
  CabOutboxPublishParts parts = { 0 };
  CabOutboxEntry entry = { 0 };
  CabOutboxLocalDocument doc = { 0 };
  gint64 id = 0;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (patient_id != NULL && pdf_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((type = cab_document_type_lookup (type_code)) == NULL)
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE,
                   _("“%s” is not a document type that can be published"),
                   type_code != NULL ? type_code : "");
      return FALSE;
    }

  if ((patient = cab_outbox_get_patient (self, patient_id, error)) == NULL ||
      (bytes = cab_outbox_read_pdf (pdf_path, error)) == NULL)
    return FALSE;

  if (!cab_outbox_publish_parts_build (self, bytes, type, title,
                                       self->author != NULL ? self->author : patient->patient.gp_reference,
                                       &parts, error))
    return FALSE;
  cab_outbox_publish_parts_fill (&parts, patient_id, hold, &entry, &doc);

  if (!cab_store_outbox_enqueue_publish (self->store, &entry, &doc, &id, error))
    {
      g_unlink (parts.file_path);
      cab_outbox_publish_parts_clear (&parts);
      return FALSE;
    }
  cab_outbox_publish_parts_clear (&parts);

  if (entry_id != NULL)
    *entry_id = id;
  cab_outbox_emit_changed (self);
  if (!hold)
    cab_outbox_wake (self);
  return TRUE;
}

/* ------------------------------------------------------------------ sending */

static void
add_identifier (JsonBuilder *b,
                const char  *value)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, SYSTEM_URI);
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, value);
  json_builder_end_object (b);
}

static void
add_coding (JsonBuilder *b,
            const char  *system,
            const char  *code,
            const char  *display)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, system);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  if (display != NULL)
    {
      json_builder_set_member_name (b, "display");
      json_builder_add_string_value (b, display);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
add_reference (JsonBuilder *b,
               const char  *member,
               const char  *reference)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reference");
  json_builder_add_string_value (b, reference);
  json_builder_end_object (b);
}

static void
add_request (JsonBuilder *b,
             const char  *method,
             const char  *url,
             const char  *if_none_exist)
{
  json_builder_set_member_name (b, "request");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, method);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  if (if_none_exist != NULL)
    {
      json_builder_set_member_name (b, "ifNoneExist");
      json_builder_add_string_value (b, if_none_exist);
    }
  json_builder_end_object (b);
}

/* A stable URN for a bundle entry's fullUrl, distinct from the business
 * identifiers: a server rewrites every string equal to a fullUrl. */
static char *
entry_urn (const char *key,
           const char *what)
{
  g_autofree char *seed = g_strconcat (key, "/", what, NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA1, seed, -1);

  hex[12] = '5';
  return g_strdup_printf ("urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static CabOutboxRequest *
publish_prepare (CabOutbox             *self,
                 const CabOutboxEntry  *entry,
                 GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *data = NULL;
  g_autofree char *doc_urn = g_strconcat ("urn:uuid:", entry->key, NULL);
  g_autofree char *list_urn = g_strconcat ("urn:uuid:", entry->key, "-list", NULL);
  g_autofree char *doc_query = g_strconcat ("identifier=" SYSTEM_URI "|", doc_urn, NULL);
  g_autofree char *list_query = g_strconcat ("identifier=" SYSTEM_URI "|", list_urn, NULL);
  g_autofree char *binary_url = g_strconcat ("Binary/", entry->key, NULL);
  g_autofree char *doc_full_url = entry_urn (entry->key, "DocumentReference");
  g_autofree char *list_full_url = entry_urn (entry->key, "List");
  g_autofree char *subject = g_strconcat ("Patient/", entry->patient_id, NULL);
  g_autofree char *text = NULL;
  const CabDocumentType *type;
  const char *file, *title, *sha1, *date, *author, *custodian;
  JsonObject *p;
  gsize length = 0;
  CabOutboxRequest *request;

  /* An empty payload parses, to no root at all. */
  if (entry->payload == NULL || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                           _("The queued action is damaged"));
      return NULL;
    }
  p = json_node_get_object (json_parser_get_root (parser));
  file = cab_json_read_string (p, "file");
  title = cab_json_read_string (p, "title");
  sha1 = cab_json_read_string (p, "sha1");
  date = cab_json_read_string (p, "date");
  author = cab_json_read_string (p, "author");
  custodian = cab_json_read_string (p, "custodian");
  type = cab_document_type_lookup (cab_json_read_string (p, "type_code"));
  if (file == NULL || type == NULL || strchr (file, '/') != NULL)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                           _("The queued action is damaged"));
      return NULL;
    }

  path = g_build_filename (self->files_dir, file, NULL);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                   _("The copy of the document is missing: %s"), local_error->message);
      return NULL;
    }
  data = g_base64_encode ((const guchar *) contents, length);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "Bundle");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "transaction");
  json_builder_set_member_name (b, "entry");
  json_builder_begin_array (b);

  /* Submission set. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fullUrl");
  json_builder_add_string_value (b, list_full_url);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "List");
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_identifier (b, list_urn);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "current");
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, "working");
  json_builder_set_member_name (b, "code");
  add_coding (b, "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes", "submissionset", NULL);
  add_reference (b, "subject", subject);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  if (author != NULL)
    add_reference (b, "source", author);
  json_builder_set_member_name (b, "entry");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_reference (b, "item", doc_full_url);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  add_request (b, "POST", "List", list_query);
  json_builder_end_object (b);

  /* The document's metadata. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fullUrl");
  json_builder_add_string_value (b, doc_full_url);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "DocumentReference");
  json_builder_set_member_name (b, "masterIdentifier");
  add_identifier (b, doc_urn);
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_identifier (b, doc_urn);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "current");
  json_builder_set_member_name (b, "type");
  add_coding (b, CAB_SYSTEM_LOINC, type->code, type->display);
  json_builder_set_member_name (b, "category");
  json_builder_begin_array (b);
  add_coding (b, CAB_SYSTEM_CLASS_CODE, type->class_code, NULL);
  json_builder_end_array (b);
  add_reference (b, "subject", subject);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  if (author != NULL)
    {
      json_builder_set_member_name (b, "author");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reference");
      json_builder_add_string_value (b, author);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  if (custodian != NULL)
    add_reference (b, "custodian", custodian);
  json_builder_set_member_name (b, "securityLabel");
  json_builder_begin_array (b);
  add_coding (b, CAB_SYSTEM_CONFIDENTIALITY, "N", NULL);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "content");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "attachment");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "contentType");
  json_builder_add_string_value (b, "application/pdf");
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, binary_url);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) length);
  json_builder_set_member_name (b, "hash");
  json_builder_add_string_value (b, sha1);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title != NULL ? title : type->display);
  json_builder_set_member_name (b, "creation");
  json_builder_add_string_value (b, date);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "context");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "period");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "start");
  json_builder_add_string_value (b, date);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  add_request (b, "POST", "DocumentReference", doc_query);
  json_builder_end_object (b);

  /* The bytes. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fullUrl");
  json_builder_add_string_value (b, binary_url);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "resourceType");
  json_builder_add_string_value (b, "Binary");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, entry->key);
  json_builder_set_member_name (b, "contentType");
  json_builder_add_string_value (b, "application/pdf");
  add_reference (b, "securityContext", subject);
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, data);
  json_builder_end_object (b);
  add_request (b, "PUT", binary_url, NULL);
  json_builder_end_object (b);

  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  length = strlen (text);

  request = g_new0 (CabOutboxRequest, 1);
  request->method = g_strdup ("POST");
  request->path = g_strdup ("");
  request->content_type = g_strdup ("application/fhir+json");
  request->body = g_bytes_new_take (g_steal_pointer (&text), length);
  return request;
}

/* The DocumentReference the server answered, if it is ours. */
static gboolean
publish_succeeded (const CabOutboxEntry  *entry,
                   CabFhirResponse       *response,
                   CabOutboxOutcome      *outcome,
                   GError               **error)
{
  g_autofree char *doc_urn = g_strconcat ("urn:uuid:", entry->key, NULL);
  JsonObject *bundle;
  JsonArray *entries;

  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    goto invalid;
  bundle = json_node_get_object (response->json);
  entries = cab_json_read_array (bundle, "entry");
  if (g_strcmp0 (cab_json_read_string (bundle, "resourceType"), "Bundle") != 0 || entries == NULL)
    goto invalid;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = cab_json_array_read_object (entries, i);
      JsonObject *r = cab_json_read_object (e, "resource");
      JsonObject *master = cab_json_read_object (r, "masterIdentifier");
      JsonObject *meta;
      const char *id;

      if (g_strcmp0 (cab_json_read_string (r, "resourceType"), "DocumentReference") != 0)
        continue;
      id = cab_json_read_string (r, "id");
      /* The id becomes a store key and a URL segment: a FHIR id or nothing. */
      if (id == NULL || !cab_fhir_id_is_valid (id) || master == NULL ||
          g_strcmp0 (cab_json_read_string (master, "value"), doc_urn) != 0)
        goto invalid;
      meta = cab_json_read_object (r, "meta");

      outcome->state = CAB_OUTBOX_STATE_DONE;
      outcome->server_id = g_strdup (id);
      outcome->server_version = g_strdup (cab_json_read_string (meta, "versionId"));
      /* Stored as parsed: the caller frees the response before the
       * outcome goes to the store's worker. */
      outcome->resource = json_object_ref (r);
      return TRUE;
    }

invalid:
  g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                       _("The health space's answer does not confirm the publication"));
  return FALSE;
}

const CabOutboxKind cab_outbox_kind_publish = {
  .name = "publish",
  .prepare = publish_prepare,
  .succeeded = publish_succeeded,
  .conflict_target = NULL,
  .already_applied = NULL,
};
