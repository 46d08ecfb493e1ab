/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cab-document-kind.h"
#include "cab-json-read.h"
#include "cab-outbox-private.h"

/*
 * The "eprescription" kind: registers a prescription with the national
 * e-prescription service (docs/domain.md, "Prescriptions"). The request is
 * built by src/prescribing, which keeps the service behind its interface;
 * here it is sent as queued, as a conditional create on the prescription's
 * identifier (If-None-Exist), so a resend after a lost answer registers
 * nothing twice. The answer must name the identifier back.
 */

#define MAX_PATH_LENGTH 200

/* The service path is relative to the FHIR base: plain segments only. */
static gboolean
service_path_is_valid (const char *path)
{
  g_auto(GStrv) segments = NULL;

  if (path == NULL || *path == '\0' || strlen (path) > MAX_PATH_LENGTH || path[0] == '/')
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '/' && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  segments = g_strsplit (path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    if (*segments[i] == '\0' || g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
      return FALSE;
  return TRUE;
}

gboolean
cab_outbox_enqueue_prescription (CabOutbox                   *self,
                                 const CabOutboxPrescription *rx,
                                 gint64                      *registration_entry,
                                 gint64                      *publish_entry,
                                 GError                     **error)
{
  const CabDocumentType *type = cab_document_type_lookup ("57833-6");
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *registration_key = NULL;
  CabOutboxPublishParts parts = { 0 };
  CabOutboxEntry registration = { 0 };
  CabOutboxEntry publish = { 0 };
  CabOutboxLocalDocument doc = { 0 };
  CabStorePrescription stored = { 0 };
  gint64 registration_id = 0, publish_id = 0;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (rx != NULL && rx->patient_id != NULL && rx->prescription_id != NULL, FALSE);
  g_return_val_if_fail (rx->pdf != NULL && rx->request_json != NULL && rx->identifier_system != NULL, FALSE);
  g_return_val_if_fail (type != NULL, FALSE);

  if (!service_path_is_valid (rx->service_path) || !cab_fhir_id_is_valid (rx->prescription_id) ||
      !json_parser_load_from_data (parser, rx->request_json, -1, NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                           _("The e-prescription request cannot be queued as it is"));
      return FALSE;
    }
  if ((patient = cab_outbox_get_patient (self, rx->patient_id, error)) == NULL ||
      !cab_outbox_check_pdf (rx->pdf, error))
    return FALSE;

  /* The registration's own key is its identifier: one entry per prescription. */
  registration_key = g_strconcat ("eprescription-", rx->prescription_id, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "identifier");
  json_builder_add_string_value (b, rx->prescription_id);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, rx->identifier_system);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, rx->service_path);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, rx->label != NULL ? rx->label : rx->prescription_id);
  json_builder_set_member_name (b, "request");
  json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);

  if (!cab_outbox_publish_parts_build (self, rx->pdf, type, rx->title,
                                       rx->author != NULL ? rx->author : patient->patient.gp_reference,
                                       &parts, error))
    return FALSE;
  cab_outbox_publish_parts_fill (&parts, rx->patient_id, FALSE, &publish, &doc);

  registration.kind = (char *) "eprescription";
  registration.patient_id = (char *) rx->patient_id;
  registration.document_id = parts.doc_id;
  registration.state = CAB_OUTBOX_STATE_PENDING;
  registration.key = registration_key;
  registration.payload = payload;

  stored.id = rx->prescription_id;
  stored.patient_id = rx->patient_id;
  stored.authored_on = rx->authored_on;
  stored.json = rx->prescription_json;

  if (!cab_store_outbox_enqueue_prescription (self->store, &stored, &registration, &publish, &doc,
                                              &registration_id, &publish_id, error))
    {
      g_unlink (parts.file_path);
      cab_outbox_publish_parts_clear (&parts);
      return FALSE;
    }
  cab_outbox_publish_parts_clear (&parts);

  if (registration_entry != NULL)
    *registration_entry = registration_id;
  if (publish_entry != NULL)
    *publish_entry = publish_id;
  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
  return TRUE;
}

/* ------------------------------------------------------------------ sending */

static CabOutboxRequest *
eprescription_prepare (CabOutbox             *self,
                       const CabOutboxEntry  *entry,
                       GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *escaped_system = NULL;
  g_autofree char *escaped_id = NULL;
  const char *identifier, *system, *path;
  JsonObject *p;
  JsonNode *request;
  CabOutboxRequest *out;
  char *text;
  gsize length;

  if (entry->payload == NULL || !json_parser_load_from_data (parser, entry->payload, -1, NULL) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto damaged;
  p = json_node_get_object (json_parser_get_root (parser));
  identifier = cab_json_read_string (p, "identifier");
  system = cab_json_read_string (p, "system");
  path = cab_json_read_string (p, "path");
  request = json_object_get_member (p, "request");
  if (identifier == NULL || !cab_fhir_id_is_valid (identifier) || system == NULL ||
      !service_path_is_valid (path) || request == NULL || !JSON_NODE_HOLDS_OBJECT (request))
    goto damaged;

  generator = json_generator_new ();
  json_generator_set_root (generator, request);
  text = json_generator_to_data (generator, &length);

  escaped_system = g_uri_escape_string (system, ":/.", FALSE);
  escaped_id = g_uri_escape_string (identifier, NULL, FALSE);
  condition = g_strconcat ("identifier=", escaped_system, "|", escaped_id, NULL);

  out = g_new0 (CabOutboxRequest, 1);
  out->method = g_strdup ("POST");
  out->path = g_strdup (path);
  out->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (out->headers, g_strdup ("If-None-Exist"), g_steal_pointer (&condition));
  out->content_type = g_strdup ("application/fhir+json");
  out->body = g_bytes_new_take (text, length);
  return out;

damaged:
  g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                       _("The queued action is damaged"));
  return NULL;
}

/* Registered when the service answers with the Bundle it keeps under our
 * identifier (created now, or already there after a lost answer). */
static gboolean
eprescription_succeeded (const CabOutboxEntry  *entry,
                         CabFhirResponse       *response,
                         CabOutboxOutcome      *outcome,
                         GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *p = NULL, *r, *identifier;
  const char *id;

  if (entry->payload != NULL && json_parser_load_from_data (parser, entry->payload, -1, NULL) &&
      json_parser_get_root (parser) != NULL && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    p = json_node_get_object (json_parser_get_root (parser));
  if (p == NULL || response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    goto invalid;
  r = json_node_get_object (response->json);
  identifier = cab_json_read_object (r, "identifier");
  id = cab_json_read_string (r, "id");
  if (g_strcmp0 (cab_json_read_string (r, "resourceType"), "Bundle") != 0 || identifier == NULL ||
      g_strcmp0 (cab_json_read_string (identifier, "value"), cab_json_read_string (p, "identifier")) != 0 ||
      g_strcmp0 (cab_json_read_string (identifier, "system"), cab_json_read_string (p, "system")) != 0 ||
      id == NULL || !cab_fhir_id_is_valid (id))
    goto invalid;

  outcome->state = CAB_OUTBOX_STATE_DONE;
  outcome->server_id = g_strdup (id);
  outcome->server_version = g_strdup (cab_json_read_string (cab_json_read_object (r, "meta"), "versionId"));
  return TRUE;

invalid:
  g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                       _("The e-prescription service’s answer does not confirm the registration"));
  return FALSE;
}

const CabOutboxKind cab_outbox_kind_eprescription = {
  .name = "eprescription",
  .prepare = eprescription_prepare,
  .succeeded = eprescription_succeeded,
  .conflict_target = NULL,
  .already_applied = NULL,
};
