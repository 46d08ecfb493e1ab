/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-fhir-private.h"
#include "sandbox-index.h"
#include "sandbox-patch.h"
#include "sandbox-search.h"
#include "sandbox-util.h"

#include <string.h>

/* ------------------------------------------------------------- helpers */

static gboolean
require (JsonObject *r, const char *type, const char *member, GError **error)
{
  if (json_object_has_member (r, member))
    return TRUE;
  g_set_error (error, SANDBOX_ERROR, 422, "%s.%s is required", type, member);
  return FALSE;
}

static gboolean
validate (const char *type, JsonObject *r, GError **error)
{
  const char *declared = sandbox_json_get_string (r, "resourceType");

  if (g_strcmp0 (declared, type) != 0)
    {
      g_set_error (error, SANDBOX_ERROR, 400, "resourceType '%s' does not match %s",
                   declared ? declared : "(none)", type);
      return FALSE;
    }
  if (g_str_equal (type, "DocumentReference"))
    {
      const char *status = sandbox_json_get_string (r, "status");
      JsonArray *content = sandbox_json_get_array (r, "content");

      if (status == NULL ||
          !(g_str_equal (status, "current") || g_str_equal (status, "superseded") ||
            g_str_equal (status, "entered-in-error")))
        {
          g_set_error_literal (error, SANDBOX_ERROR, 422,
                               "DocumentReference.status must be current, superseded or entered-in-error");
          return FALSE;
        }
      if (content == NULL || json_array_get_length (content) == 0)
        {
          g_set_error_literal (error, SANDBOX_ERROR, 422, "DocumentReference.content is required");
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (type, "Observation"))
    return require (r, type, "status", error) && require (r, type, "code", error);
  if (g_str_equal (type, "MedicationRequest"))
    return require (r, type, "status", error) && require (r, type, "intent", error) &&
           require (r, type, "subject", error);
  if (g_str_equal (type, "Condition"))
    return require (r, type, "subject", error);
  if (g_str_equal (type, "List"))
    return require (r, type, "status", error) && require (r, type, "mode", error);
  if (g_str_equal (type, "Consent"))
    return require (r, type, "status", error);
  return TRUE;
}

static char *
patient_of (const char *type, const char *id, JsonObject *r)
{
  SandboxIndex ix;
  char *patient;

  sandbox_index_init (&ix);
  sandbox_index_extract (&ix, type, id, r, NULL);
  patient = g_strdup (ix.patient_id);
  sandbox_index_clear (&ix);
  return patient;
}

static GBytes *
decode_data (const char *data, GError **error)
{
  gsize len = 0;
  guchar *raw;

  /* g_base64_decode is lenient; reject characters outside the alphabet. */
  for (const char *p = data; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=' && !g_ascii_isspace (*p))
      {
        g_set_error_literal (error, SANDBOX_ERROR, 400, "Binary data is not valid base64");
        return NULL;
      }
  raw = g_base64_decode (data, &len);
  return g_bytes_new_take (raw, len);
}

SandboxRow *
sandbox_fhir_store_resource (SandboxDb       *db,
                SandboxConn     *conn,
                SandboxRequest  *request,
                const char      *type,
                const char      *id,
                JsonObject      *r,
                GError         **error)
{
  g_autofree char *patient = NULL;

  if (!validate (type, r, error))
    return NULL;
  patient = patient_of (type, id, r);
  if (!sandbox_fhir_check_access (conn, request, patient, error))
    return NULL;

  if (g_str_equal (type, "Binary") && sandbox_json_get_string (r, "data") != NULL)
    {
      g_autoptr(GBytes) bytes = decode_data (sandbox_json_get_string (r, "data"), error);

      if (bytes == NULL ||
          !sandbox_db_put_blob (conn, id, sandbox_json_get_string (r, "contentType"), NULL, bytes, error))
        return NULL;
      json_object_remove_member (r, "data");
    }

  if (g_str_equal (type, "DocumentReference"))
    {
      JsonArray *content = sandbox_json_get_array (r, "content");

      /* Simplified publish: inline data becomes a Binary of its own. */
      for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
        {
          JsonNode *n = json_array_get_element (content, i);
          JsonObject *attachment = JSON_NODE_HOLDS_OBJECT (n)
              ? sandbox_json_get_object (json_node_get_object (n), "attachment") : NULL;
          const char *data = sandbox_json_get_string (attachment, "data");
          const char *content_type = sandbox_json_get_string (attachment, "contentType");
          g_autoptr(GBytes) bytes = NULL;
          g_autofree char *bid = NULL;
          g_autofree char *url = NULL;
          g_autofree char *sha1 = NULL;
          g_autoptr(JsonObject) binary = NULL;
          g_autoptr(SandboxRow) brow = NULL;

          if (data == NULL)
            continue;
          bytes = decode_data (data, error);
          if (bytes == NULL)
            return NULL;
          bid = sandbox_new_id ();
          if (!sandbox_db_put_blob (conn, bid, content_type, NULL, bytes, error))
            return NULL;
          binary = json_object_new ();
          json_object_set_string_member (binary, "resourceType", "Binary");
          json_object_set_string_member (binary, "contentType",
                                         content_type ? content_type : "application/octet-stream");
          if (patient != NULL)
            {
              JsonObject *ctx = json_object_new ();
              g_autofree char *ref = g_strconcat ("Patient/", patient, NULL);
              json_object_set_string_member (ctx, "reference", ref);
              json_object_set_object_member (binary, "securityContext", ctx);
            }
          brow = sandbox_db_store (conn, "Binary", bid, binary, patient,
                                   sandbox_db_next_timestamp (db), FALSE, error);
          if (brow == NULL)
            return NULL;
          url = g_strconcat ("Binary/", bid, NULL);
          sha1 = sandbox_sha1_base64 (bytes);
          json_object_remove_member (attachment, "data");
          json_object_set_string_member (attachment, "url", url);
          json_object_set_int_member (attachment, "size", g_bytes_get_size (bytes));
          json_object_set_string_member (attachment, "hash", sha1);
        }
    }

  return sandbox_db_store (conn, type, id, r, NULL, sandbox_db_next_timestamp (db), FALSE, error);
}

static gboolean
parse_if_match (const char *header, gint64 *version, GError **error)
{
  const char *p = header;
  char *end = NULL;

  if (g_str_has_prefix (p, "W/"))
    p += 2;
  if (*p == '"')
    p++;
  *version = g_ascii_strtoll (p, &end, 10);
  if (end == p || (*end != '"' && *end != '\0'))
    {
      g_set_error (error, SANDBOX_ERROR, 400, "Invalid If-Match '%s'", header);
      return FALSE;
    }
  return TRUE;
}

gboolean
sandbox_fhir_check_if_match (const char *if_match, SandboxRow *current, const char *type, const char *id, GError **error)
{
  gint64 wanted;

  if (if_match == NULL)
    return TRUE;
  if (!parse_if_match (if_match, &wanted, error))
    return FALSE;
  if (current == NULL || current->deleted || current->version != wanted)
    {
      g_set_error (error, SANDBOX_ERROR, 412,
                   "Version conflict on %s/%s: If-Match %s, current version %" G_GINT64_FORMAT,
                   type, id, if_match, current && !current->deleted ? current->version : 0);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
body_object (SandboxRequest *request, GError **error)
{
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;

  return sandbox_parse_object (data, len, error);
}

static gboolean
is_json_type (const char *content_type)
{
  return content_type == NULL || g_str_has_suffix (content_type, "json");
}

/* A Binary posted as raw bytes rather than a FHIR resource. */
static JsonObject *
raw_binary (SandboxRequest *request)
{
  JsonObject *r = json_object_new ();
  g_autofree char *data = NULL;

  json_object_set_string_member (r, "resourceType", "Binary");
  json_object_set_string_member (r, "contentType", request->content_type);
  data = request->body ? g_base64_encode (g_bytes_get_data (request->body, NULL),
                                          g_bytes_get_size (request->body))
                       : g_strdup ("");
  json_object_set_string_member (r, "data", data);
  return r;
}

gboolean
sandbox_fhir_conditional_match (SandboxConn  *conn,
                   const char   *type,
                   const char   *query_string,
                   SandboxRow  **match,
                   GError      **error)
{
  g_autoptr(SandboxQuery) query = sandbox_query_parse (type, query_string, SANDBOX_QUERY_CONDITIONAL, error);
  g_autoptr(GPtrArray) rows = NULL;
  gint64 total = 0;
  gboolean more = FALSE;

  *match = NULL;
  if (query == NULL || !sandbox_query_run (query, conn, NULL, &rows, &total, &more, error))
    return FALSE;
  if (total > 1)
    {
      g_set_error (error, SANDBOX_ERROR, 412,
                   "If-None-Exist matches %" G_GINT64_FORMAT " resources", total);
      return FALSE;
    }
  if (total == 1 && rows->len == 1)
    *match = g_ptr_array_steal_index (rows, 0);
  return TRUE;
}

/* ------------------------------------------------------------- create / update */

SandboxResponse *
sandbox_fhir_create (SandboxDb      *db,
                     SandboxConn    *conn,
                     SandboxRequest *request,
                     const char     *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(SandboxRow) row = NULL;
  g_autoptr(SandboxRow) existing = NULL;
  g_autofree char *id = sandbox_new_id ();
  const char *if_none_exist = sandbox_request_get_header (request, "if-none-exist");
  gboolean ok;

  if (g_str_equal (type, "Binary") && !is_json_type (request->content_type))
    r = raw_binary (request);
  else if ((r = body_object (request, &error)) == NULL)
    return sandbox_response_new_gerror (error);

  sandbox_db_write_begin (db, conn);
  ok = if_none_exist == NULL || sandbox_fhir_conditional_match (conn, type, if_none_exist, &existing, &error);
  if (ok && existing == NULL)
    {
      row = sandbox_fhir_store_resource (db, conn, request, type, id, r, &error);
      ok = row != NULL;
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);

  if (existing != NULL)
    {
      if (!sandbox_fhir_check_access (conn, request, existing->patient_id, &error))
        return sandbox_response_new_gerror (error);
      return sandbox_fhir_resource_response (200, existing, request, FALSE);
    }
  sandbox_db_fill_pending (db, conn, row);
  return sandbox_fhir_resource_response (201, row, request, TRUE);
}

SandboxResponse *
sandbox_fhir_update (SandboxDb      *db,
                     SandboxConn    *conn,
                     SandboxRequest *request,
                     const char     *type,
                     const char     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(SandboxRow) current = NULL;
  g_autoptr(SandboxRow) row = NULL;
  const char *body_id;
  gboolean ok, created;

  if (g_str_equal (type, "Binary") && !is_json_type (request->content_type))
    {
      r = raw_binary (request);
      json_object_set_string_member (r, "id", id);
    }
  else if ((r = body_object (request, &error)) == NULL)
    return sandbox_response_new_gerror (error);
  body_id = sandbox_json_get_string (r, "id");
  if (body_id == NULL || !g_str_equal (body_id, id))
    {
      g_autofree char *msg = g_strdup_printf ("The resource id (%s) must match the URL (%s)",
                                              body_id ? body_id : "none", id);
      return sandbox_response_new_error (400, msg);
    }

  sandbox_db_write_begin (db, conn);
  current = sandbox_db_get (conn, type, id);
  created = current == NULL || current->deleted;
  ok = sandbox_fhir_check_if_match (sandbox_request_get_header (request, "if-match"), current, type, id, &error) &&
       (current == NULL || sandbox_fhir_check_access (conn, request, current->patient_id, &error));
  if (ok)
    {
      row = sandbox_fhir_store_resource (db, conn, request, type, id, r, &error);
      ok = row != NULL;
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);

  sandbox_db_fill_pending (db, conn, row);
  return sandbox_fhir_resource_response (created ? 201 : 200, row, request, created);
}

/* ------------------------------------------------------------- patch */

static gboolean
is_archived_extension (JsonNode *n)
{
  return JSON_NODE_HOLDS_OBJECT (n) &&
         g_strcmp0 (sandbox_json_get_string (json_node_get_object (n), "url"), SANDBOX_ISARCHIVED_URL) == 0;
}

/* The extensions other than isArchived, serialised, to see that a patch left them alone. */
static char *
other_extensions (JsonObject *r)
{
  JsonArray *extensions = sandbox_json_get_array (r, "extension");
  g_autoptr(JsonArray) others = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonNode *n = json_array_get_element (extensions, i);
      if (!is_archived_extension (n))
        json_array_add_element (others, json_node_copy (n));
    }
  json_node_set_array (node, others);
  return sandbox_json_to_string (node);
}

static gboolean
check_patch_paths (JsonArray *ops, GError **error)
{
  static const char * const allowed[] = { "securityLabel", "status", "extension", NULL };

  for (guint i = 0; i < json_array_get_length (ops); i++)
    {
      JsonNode *n = json_array_get_element (ops, i);
      const char *members[] = { "path", "from" };

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "A JSON Patch operation must be an object");
          return FALSE;
        }
      for (guint j = 0; j < G_N_ELEMENTS (members); j++)
        {
          const char *path = sandbox_json_get_string (json_node_get_object (n), members[j]);
          g_autofree char *head = NULL;

          if (path == NULL)
            continue;
          head = sandbox_json_pointer_head (path);
          if (head == NULL || !g_strv_contains (allowed, head))
            {
              g_set_error (error, SANDBOX_ERROR, 405,
                           "PATCH may only change securityLabel, status or the isArchived extension, not '%s'",
                           path);
              return FALSE;
            }
        }
    }
  return TRUE;
}

SandboxResponse *
sandbox_fhir_patch (SandboxDb      *db,
                    SandboxConn    *conn,
                    SandboxRequest *request,
                    const char     *type,
                    const char     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SandboxRow) current = NULL;
  g_autoptr(SandboxRow) row = NULL;
  g_autoptr(JsonObject) r = NULL;
  JsonArray *ops;
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;
  gboolean ok;

  if (!g_str_equal (type, "DocumentReference"))
    return sandbox_response_new_error (405, "PATCH is only allowed on DocumentReference");
  if (request->content_type != NULL &&
      !g_str_equal (request->content_type, "application/json-patch+json") &&
      !g_str_equal (request->content_type, "application/json"))
    return sandbox_response_new_error (415, "PATCH takes a JSON Patch (application/json-patch+json)");
  if (data == NULL || len == 0 || !json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return sandbox_response_new_error (400, "The body must be a JSON Patch array");
  ops = json_node_get_array (json_parser_get_root (parser));
  if (!check_patch_paths (ops, &error))
    return sandbox_response_new_gerror (error);

  sandbox_db_write_begin (db, conn);
  current = sandbox_db_get (conn, type, id);
  if (current == NULL || current->deleted)
    g_set_error (&error, SANDBOX_ERROR, current ? 410 : 404, "%s/%s %s", type, id,
                 current ? "has been deleted" : "is not known");
  ok = error == NULL &&
       sandbox_fhir_check_if_match (sandbox_request_get_header (request, "if-match"), current, type, id, &error) &&
       sandbox_fhir_check_access (conn, request, current->patient_id, &error);
  if (ok)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;

      r = sandbox_parse_object (current->json, -1, &error);
      ok = r != NULL;
      if (ok)
        {
          before = other_extensions (r);
          json_node_set_object (node, r);
          ok = sandbox_json_patch_apply (node, ops, &error);
        }
      if (ok)
        {
          after = other_extensions (r);
          if (!g_str_equal (before, after))
            {
              g_set_error_literal (&error, SANDBOX_ERROR, 405,
                                   "PATCH may only change the isArchived extension");
              ok = FALSE;
            }
        }
      if (ok)
        {
          row = sandbox_fhir_store_resource (db, conn, request, type, id, r, &error);
          ok = row != NULL;
        }
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);

  return sandbox_fhir_resource_response (200, row, request, FALSE);
}

SandboxResponse *
sandbox_fhir_delete (SandboxDb      *db,
                     SandboxConn    *conn,
                     SandboxRequest *request,
                     const char     *type,
                     const char     *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SandboxRow) current = NULL;
  gboolean ok = TRUE;

  sandbox_db_write_begin (db, conn);
  current = sandbox_db_get (conn, type, id);
  if (current != NULL && !current->deleted)
    ok = sandbox_fhir_check_if_match (sandbox_request_get_header (request, "if-match"), current, type, id, &error) &&
         sandbox_fhir_check_access (conn, request, current->patient_id, &error) &&
         sandbox_db_delete (conn, current, sandbox_db_next_timestamp (db), &error);
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);
  if (current == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s/%s is not known", type, id);
      return sandbox_response_new_error (404, msg);
    }
  return sandbox_response_new (204, NULL, NULL);
}
