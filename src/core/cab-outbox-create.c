/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cab-json-read.h"
#include "cab-outbox-private.h"

/*
 * The "create" kind: a new FHIR resource (a measure recorded by the nurse,
 * docs/architecture.md, "Follow-up") stored locally at once under the id
 * "local-<key>" and sent as a conditional create: POST <Type> with
 * If-None-Exist on the business identifier urn:uuid:<key>. A resend after
 * a lost answer finds the resource the first send made (200) instead of
 * making a second one. When the server's copy is stored, the local one goes.
 *
 * Payload: { "type": "Observation", "summary": "…" (English),
 *            "summaries": { "en": "…", "fr": "…" }, "resource": { … } },
 * the resource as it is sent (with its identifier, without an id).
 */

#define IDENTIFIER_SYSTEM "urn:ietf:rfc:3986"

char *
cab_outbox_create_local_id (const char *key)
{
  return g_strconcat ("local-", key, NULL);
}

static gboolean
is_resource_type (const char *type)
{
  if (type == NULL || !g_ascii_isupper (*type) || strlen (type) > 64)
    return FALSE;
  for (const char *p = type; *p != '\0'; p++)
    if (!g_ascii_isalpha (*p))
      return FALSE;
  return TRUE;
}

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  json_node_set_object (node, object);
  copy = json_node_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

/* Deep copy: json_node_copy() shares the members. */
static JsonObject *
deep_copy (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return copy_object (object);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

gboolean
cab_outbox_create_resource (CabOutbox   *self,
                            const char  *patient_id,
                            JsonObject  *resource,
                            JsonObject  *summaries,
                            gint64      *entry_id,
                            char       **local_id,
                            GError     **error)
{
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) local = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CabFhirRecord) record = NULL;
  g_autofree char *key = NULL;
  g_autofree char *urn = NULL;
  g_autofree char *local_name = NULL;
  g_autofree char *payload_text = NULL;
  g_autofree char *now = NULL;
  g_autoptr(GDateTime) now_dt = g_date_time_new_now_utc ();
  const char *type;
  const char *summary;
  JsonObject *identifier, *meta;
  JsonArray *identifiers;
  CabOutboxEntry entry = { 0 };
  gint64 id = 0;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (patient_id != NULL && resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  type = cab_json_read_string (resource, "resourceType");
  if (!is_resource_type (type) || json_object_has_member (resource, "id"))
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE,
                           _("Only a new resource, without an id, can be created"));
      return FALSE;
    }
  patient = cab_store_get_patient (self->store, patient_id, &local_error);
  if (patient == NULL)
    {
      if (g_error_matches (local_error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NO_PATIENT,
                             _("This patient is not in the local record"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  key = cab_outbox_new_key ();
  urn = g_strconcat ("urn:uuid:", key, NULL);
  local_name = cab_outbox_create_local_id (key);
  now = g_date_time_format (now_dt, "%Y-%m-%dT%H:%M:%SZ");

  /* What is sent: the resource with its business identifier. */
  sent = deep_copy (resource);
  if (!json_object_has_member (sent, "identifier") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (sent, "identifier")))
    json_object_set_array_member (sent, "identifier", json_array_new ());
  identifiers = json_object_get_array_member (sent, "identifier");
  identifier = json_object_new ();
  json_object_set_string_member (identifier, "system", IDENTIFIER_SYSTEM);
  json_object_set_string_member (identifier, "value", urn);
  json_array_add_object_element (identifiers, identifier);

  /* What is stored now: the same under a local id, so the store's readers
   * (charts, worklists) see it at once. */
  local = deep_copy (sent);
  json_object_set_string_member (local, "id", local_name);
  meta = json_object_new ();
  json_object_set_string_member (meta, "lastUpdated", now);
  json_object_set_object_member (local, "meta", meta);
  record = cab_fhir_record_new_from_json (local, error);
  if (record == NULL)
    return FALSE;
  if (g_strcmp0 (record->patient_id, patient_id) != 0)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NO_PATIENT,
                           _("The resource does not name this patient"));
      return FALSE;
    }

  payload = json_object_new ();
  json_object_set_string_member (payload, "type", type);
  /* "summary" in English for a reader older than "summaries". */
  summary = summaries != NULL ? cab_json_read_string (summaries, "en") : NULL;
  json_object_set_string_member (payload, "summary", summary != NULL ? summary : type);
  if (summaries != NULL)
    json_object_set_object_member (payload, "summaries", json_object_ref (summaries));
  json_object_set_object_member (payload, "resource", json_object_ref (sent));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, payload);
  payload_text = json_to_string (node, FALSE);

  entry.kind = (char *) "create";
  entry.patient_id = (char *) patient_id;
  entry.state = CAB_OUTBOX_STATE_PENDING;
  entry.key = key;
  entry.payload = payload_text;

  if (!cab_store_outbox_enqueue_create (self->store, &entry, record, &id, error))
    return FALSE;

  if (entry_id != NULL)
    *entry_id = id;
  if (local_id != NULL)
    *local_id = g_steal_pointer (&local_name);
  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
  return TRUE;
}

/* ------------------------------------------------------------------ sending */

static JsonObject *
parse_payload (const char  *text,
               JsonParser  *parser)
{
  JsonNode *root;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

static CabOutboxRequest *
create_prepare (CabOutbox             *self,
                const CabOutboxEntry  *entry,
                GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *p = parse_payload (entry->payload, parser);
  JsonNode *resource = p != NULL ? json_object_get_member (p, "resource") : NULL;
  const char *type = cab_json_read_string (p, "type");
  CabOutboxRequest *request;
  char *text;

  if (!is_resource_type (type) || resource == NULL || !JSON_NODE_HOLDS_OBJECT (resource) ||
      g_strcmp0 (cab_json_read_string (json_node_get_object (resource), "resourceType"), type) != 0)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                           _("The queued action is damaged"));
      return NULL;
    }

  text = json_to_string (resource, FALSE);
  request = g_new0 (CabOutboxRequest, 1);
  request->method = g_strdup ("POST");
  request->path = g_strdup (type);
  request->content_type = g_strdup ("application/fhir+json");
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (request->headers, g_strdup ("If-None-Exist"),
                       g_strconcat ("identifier=" IDENTIFIER_SYSTEM "|urn:uuid:", entry->key, NULL));
  request->body = g_bytes_new_take (text, strlen (text));
  return request;
}

static gboolean
has_our_identifier (JsonObject *resource,
                    const char *urn)
{
  JsonArray *identifiers = cab_json_read_array (resource, "identifier");

  for (guint i = 0; identifiers != NULL && i < json_array_get_length (identifiers); i++)
    {
      JsonObject *o = cab_json_array_read_object (identifiers, i);

      if (g_strcmp0 (cab_json_read_string (o, "system"), IDENTIFIER_SYSTEM) == 0 &&
          g_strcmp0 (cab_json_read_string (o, "value"), urn) == 0)
        return TRUE;
    }
  return FALSE;
}

/* 201 (made now) or 200 (made by an earlier send): the resource, if ours. */
static gboolean
create_succeeded (const CabOutboxEntry  *entry,
                  CabFhirResponse       *response,
                  CabOutboxOutcome      *outcome,
                  GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *urn = g_strconcat ("urn:uuid:", entry->key, NULL);
  JsonObject *p = parse_payload (entry->payload, parser);
  JsonObject *r, *meta;
  const char *id;

  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    goto invalid;
  r = json_node_get_object (response->json);
  id = cab_json_read_string (r, "id");
  /* The id becomes a store key and a URL segment: a FHIR id or nothing. */
  if (g_strcmp0 (cab_json_read_string (r, "resourceType"), cab_json_read_string (p, "type")) != 0 ||
      !cab_fhir_id_is_valid (id) || !has_our_identifier (r, urn))
    goto invalid;

  meta = cab_json_read_object (r, "meta");
  outcome->state = CAB_OUTBOX_STATE_DONE;
  outcome->server_id = g_strdup (id);
  outcome->server_version = g_strdup (cab_json_read_string (meta, "versionId"));
  outcome->resource = json_object_ref (r);
  return TRUE;

invalid:
  g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                       _("The health space's answer does not confirm the creation"));
  return FALSE;
}

const CabOutboxKind cab_outbox_kind_create = {
  .name = "create",
  .prepare = create_prepare,
  .succeeded = create_succeeded,
  .conflict_target = NULL,
  .already_applied = NULL,
};
