/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cab-json-read.h"
#include "cab-outbox-private.h"

/*
 * The "visibility" kind: mask from professionals (MASQUE_PS), hide from the
 * patient (INVISIBLE_PATIENT), archive (isArchived), as a JSON Patch with
 * If-Match of the version the user saw. A resend after a lost answer gets a
 * 412; reading the server's copy then shows the change is already there.
 *
 * Payload: {"masked": b, "hidden": b, "archived": b, "target": id or absent
 * (then the id the publish it depends on got), "base": the resource as the
 * user saw it, or absent (then the stored copy of the target)}.
 */

#define LABEL_MASKED "MASQUE_PS"
#define LABEL_HIDDEN "INVISIBLE_PATIENT"

/* --------------------------------------------------------------- auxiliary */

char *
cab_outbox_labels_apply (const char *labels,
                         gboolean    masked,
                         gboolean    hidden)
{
  g_auto(GStrv) codes = g_strsplit (labels != NULL ? labels : "", ",", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; codes[i] != NULL; i++)
    {
      if (*codes[i] == '\0' || g_str_equal (codes[i], LABEL_MASKED) || g_str_equal (codes[i], LABEL_HIDDEN))
        continue;
      g_string_append_printf (out, "%s%s", out->len ? "," : "", codes[i]);
    }
  if (masked)
    g_string_append_printf (out, "%s" LABEL_MASKED, out->len ? "," : "");
  if (hidden)
    g_string_append_printf (out, "%s" LABEL_HIDDEN, out->len ? "," : "");
  return g_string_free (out, FALSE);
}

static gboolean
is_visibility_label (JsonObject *label)
{
  JsonArray *codings = cab_json_read_array (label, "coding");

  for (guint i = 0; codings != NULL && i < json_array_get_length (codings); i++)
    {
      const char *code = cab_json_read_string (cab_json_array_read_object (codings, i), "code");

      if (g_strcmp0 (code, LABEL_MASKED) == 0 || g_strcmp0 (code, LABEL_HIDDEN) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_archived_extension (JsonObject *extension)
{
  return g_strcmp0 (cab_json_read_string (extension, "url"), CAB_URL_IS_ARCHIVED) == 0;
}

/* What @resource says: masked, hidden, archived. */
static void
read_visibility (JsonObject *resource,
                 gboolean   *masked,
                 gboolean   *hidden,
                 gboolean   *archived)
{
  JsonArray *labels = cab_json_read_array (resource, "securityLabel");
  JsonArray *extensions = cab_json_read_array (resource, "extension");

  *masked = *hidden = *archived = FALSE;
  for (guint i = 0; labels != NULL && i < json_array_get_length (labels); i++)
    {
      JsonArray *codings = cab_json_read_array (cab_json_array_read_object (labels, i), "coding");

      for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
        {
          const char *code = cab_json_read_string (cab_json_array_read_object (codings, j), "code");

          *masked |= g_strcmp0 (code, LABEL_MASKED) == 0;
          *hidden |= g_strcmp0 (code, LABEL_HIDDEN) == 0;
        }
    }
  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonObject *e = cab_json_array_read_object (extensions, i);

      if (e != NULL && is_archived_extension (e))
        *archived = cab_json_read_boolean (e, "valueBoolean", FALSE);
    }
}

static JsonNode *
label_node (const char *code)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "system");
  json_builder_add_string_value (b, CAB_SYSTEM_SECURITY_LABEL);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
add_op (JsonArray  *ops,
        JsonObject *base,
        const char *member,
        JsonArray  *value)
{
  JsonObject *op = json_object_new ();
  g_autofree char *path = g_strconcat ("/", member, NULL);

  json_object_set_string_member (op, "op", json_object_has_member (base, member) ? "replace" : "add");
  json_object_set_string_member (op, "path", path);
  json_object_set_array_member (op, "value", value);
  json_array_add_object_element (ops, op);
}

/* The JSON Patch from @base to the wanted visibility; other labels and
 * extensions are carried over untouched. */
static JsonNode *
build_patch (JsonObject *base,
             gboolean    masked,
             gboolean    hidden,
             gboolean    archived)
{
  JsonArray *ops = json_array_new ();
  JsonArray *labels = cab_json_read_array (base, "securityLabel");
  JsonArray *extensions = cab_json_read_array (base, "extension");
  JsonArray *new_labels = json_array_new ();
  JsonArray *new_extensions = json_array_new ();
  JsonNode *root = json_node_new (JSON_NODE_ARRAY);
  gboolean was_masked, was_hidden, was_archived;

  read_visibility (base, &was_masked, &was_hidden, &was_archived);

  for (guint i = 0; labels != NULL && i < json_array_get_length (labels); i++)
    {
      JsonNode *n = json_array_get_element (labels, i);

      if (!JSON_NODE_HOLDS_OBJECT (n) || !is_visibility_label (json_node_get_object (n)))
        json_array_add_element (new_labels, json_node_copy (n));
    }
  if (masked)
    json_array_add_element (new_labels, label_node (LABEL_MASKED));
  if (hidden)
    json_array_add_element (new_labels, label_node (LABEL_HIDDEN));
  if (masked != was_masked || hidden != was_hidden)
    add_op (ops, base, "securityLabel", new_labels);
  else
    json_array_unref (new_labels);

  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonNode *n = json_array_get_element (extensions, i);

      if (!JSON_NODE_HOLDS_OBJECT (n) || !is_archived_extension (json_node_get_object (n)))
        json_array_add_element (new_extensions, json_node_copy (n));
    }
  if (archived)
    {
      JsonObject *e = json_object_new ();

      json_object_set_string_member (e, "url", CAB_URL_IS_ARCHIVED);
      json_object_set_boolean_member (e, "valueBoolean", TRUE);
      json_array_add_object_element (new_extensions, e);
    }
  if (archived != was_archived)
    add_op (ops, base, "extension", new_extensions);
  else
    json_array_unref (new_extensions);

  json_node_take_array (root, ops);
  return root;
}

/* The payload's object, kept after its parser goes. */
static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = cab_json_parse_object (parser, text);

  return o != NULL ? json_object_ref (o) : NULL;
}

static const char *
target_id (const CabOutboxEntry *entry,
           JsonObject           *payload)
{
  const char *target = cab_json_read_string (payload, "target");

  return target != NULL ? target : entry->dep_server_id;
}

/* ------------------------------------------------------------------ enqueue */

gboolean
cab_outbox_set_visibility (CabOutbox   *self,
                           const char  *document_id,
                           gboolean     masked,
                           gboolean     hidden,
                           gboolean     archived,
                           gint64      *entry_id,
                           GError     **error)
{
  g_autoptr(CabDocumentRow) doc = NULL;
  g_autoptr(CabOutboxEntry) publish = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *base = NULL;
  g_autofree char *key = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *labels = NULL;
  CabOutboxEntry entry = { 0 };
  gint64 id = 0;

  g_return_val_if_fail (CAB_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (document_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(doc = cab_store_get_document (self->store, document_id, error)))
    return FALSE;

  /* The version the user saw; a document still waiting to be published
   * depends on its publish entry and takes the server's copy when sent. */
  base = cab_store_get_resource_json (self->store, "DocumentReference", document_id, &local_error);
  if (base == NULL)
    {
      if (!g_error_matches (local_error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_clear_error (&local_error);
      publish = cab_store_outbox_get_for_document (self->store, document_id, &local_error);
      if (publish == NULL || g_strcmp0 (publish->kind, "publish") != 0)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NOT_PUBLISHED,
                                 _("This document is not in the health space"));
          return FALSE;
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "masked");
  json_builder_add_boolean_value (b, masked);
  json_builder_set_member_name (b, "hidden");
  json_builder_add_boolean_value (b, hidden);
  json_builder_set_member_name (b, "archived");
  json_builder_add_boolean_value (b, archived);
  if (base != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      json_builder_set_member_name (b, "target");
      json_builder_add_string_value (b, document_id);
      if (json_parser_load_from_data (parser, base, -1, NULL))
        {
          json_builder_set_member_name (b, "base");
          json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
        }
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);

  key = cab_outbox_new_key ();
  entry.kind = (char *) "visibility";
  entry.patient_id = doc->patient_id;
  entry.document_id = (char *) document_id;
  entry.state = CAB_OUTBOX_STATE_PENDING;
  entry.key = key;
  entry.depends_on = publish != NULL ? publish->id : 0;
  entry.payload = payload;

  labels = cab_outbox_labels_apply (doc->document.security_labels, masked, hidden);
  if (!cab_store_outbox_enqueue_visibility (self->store, &entry, labels, archived, &id, error))
    return FALSE;

  if (entry_id != NULL)
    *entry_id = id;
  cab_outbox_emit_changed (self);
  cab_outbox_wake (self);
  return TRUE;
}

/* ------------------------------------------------------------------ sending */

static CabOutboxRequest *
visibility_prepare (CabOutbox             *self,
                    const CabOutboxEntry  *entry,
                    GError               **error)
{
  g_autoptr(JsonObject) payload = parse_object (entry->payload);
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonNode) patch = NULL;
  g_autofree char *stored_json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  JsonObject *base, *meta;
  const char *target, *version;
  CabOutboxRequest *request;
  gsize length;

  target = target_id (entry, payload);
  if (payload == NULL || target == NULL)
    {
      g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_FILE,
                           _("The queued action is damaged"));
      return NULL;
    }

  base = cab_json_read_object (payload, "base");
  if (base == NULL)
    {
      stored_json = cab_store_get_resource_json (self->store,
                                                 "DocumentReference", target, error);
      if (stored_json == NULL || (stored = parse_object (stored_json)) == NULL)
        {
          g_clear_error (error);
          g_set_error_literal (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_NOT_PUBLISHED,
                               _("This document is not in the health space"));
          return NULL;
        }
      base = stored;
    }

  meta = cab_json_read_object (base, "meta");
  version = cab_json_read_string (meta, "versionId");
  patch = build_patch (base,
                       cab_json_read_boolean (payload, "masked", FALSE),
                       cab_json_read_boolean (payload, "hidden", FALSE),
                       cab_json_read_boolean (payload, "archived", FALSE));

  text = json_to_string (patch, FALSE);
  length = strlen (text);
  escaped = g_uri_escape_string (target, NULL, FALSE);

  request = g_new0 (CabOutboxRequest, 1);
  request->method = g_strdup ("PATCH");
  request->path = g_strconcat ("DocumentReference/", escaped, NULL);
  request->content_type = g_strdup ("application/json-patch+json");
  request->body = g_bytes_new_take (g_steal_pointer (&text), length);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (version != NULL)
    g_hash_table_insert (request->headers, (gpointer) "If-Match",
                         g_strdup_printf ("W/\"%s\"", version));
  return request;
}

static gboolean
visibility_succeeded (const CabOutboxEntry  *entry,
                      CabFhirResponse       *response,
                      CabOutboxOutcome      *outcome,
                      GError               **error)
{
  JsonObject *r;
  const char *id;

  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    goto invalid;
  r = json_node_get_object (response->json);
  id = cab_json_read_string (r, "id");
  if (g_strcmp0 (cab_json_read_string (r, "resourceType"), "DocumentReference") != 0 || id == NULL ||
      !cab_fhir_id_is_valid (id))
    goto invalid;

  outcome->state = CAB_OUTBOX_STATE_DONE;
  outcome->server_id = g_strdup (id);
  outcome->server_version = g_strdup (cab_json_read_string (cab_json_read_object (r, "meta"), "versionId"));
  outcome->resource_json = json_to_string (response->json, FALSE);
  return TRUE;

invalid:
  g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                       _("The health space's answer does not confirm the change"));
  return FALSE;
}

static char *
visibility_conflict_target (const CabOutboxEntry *entry)
{
  g_autoptr(JsonObject) payload = parse_object (entry->payload);
  const char *target = target_id (entry, payload);
  g_autofree char *escaped = NULL;

  if (target == NULL)
    return NULL;
  escaped = g_uri_escape_string (target, NULL, FALSE);
  return g_strconcat ("DocumentReference/", escaped, NULL);
}

static gboolean
visibility_already_applied (const CabOutboxEntry *entry,
                            JsonObject           *current)
{
  g_autoptr(JsonObject) payload = parse_object (entry->payload);
  gboolean masked, hidden, archived;

  if (payload == NULL)
    return FALSE;
  read_visibility (current, &masked, &hidden, &archived);
  return masked == cab_json_read_boolean (payload, "masked", FALSE) &&
         hidden == cab_json_read_boolean (payload, "hidden", FALSE) &&
         archived == cab_json_read_boolean (payload, "archived", FALSE);
}

const CabOutboxKind cab_outbox_kind_visibility = {
  .name = "visibility",
  .prepare = visibility_prepare,
  .succeeded = visibility_succeeded,
  .conflict_target = visibility_conflict_target,
  .already_applied = visibility_already_applied,
};

/* Keep mine after a conflict: the server's current version becomes the base
 * (its version for If-Match), the wanted visibility stays. */
char *
cab_outbox_visibility_rebase (const char *payload_json,
                              const char *server_json)
{
  g_autoptr(JsonObject) payload = parse_object (payload_json);
  g_autoptr(JsonObject) server = parse_object (server_json);
  g_autoptr(JsonNode) node = NULL;

  if (payload == NULL || server == NULL)
    return NULL;
  if (cab_json_read_string (server, "id") != NULL)
    json_object_set_string_member (payload, "target", cab_json_read_string (server, "id"));
  json_object_set_object_member (payload, "base", json_object_ref (server));
  node = json_node_init_object (json_node_alloc (), payload);
  return json_to_string (node, FALSE);
}
