/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-fhir-private.h"
#include "sandbox-util.h"

#include <string.h>

typedef struct
{
  const char *full_url;
  const char *method;
  char       *type;
  char       *id;
  const char *if_none_exist;
  const char *if_match;
  JsonObject *resource;     /* borrowed from the bundle */
  SandboxRow *result;
  gboolean    created;
} Entry;

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->type);
  g_free (e->id);
  sandbox_row_free (e->result);
}

/* Rewrites every string equal to a fullUrl of the bundle to the reference it became. */
static void
rewrite_references (JsonNode *node, GHashTable *map)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        rewrite_references (member, map);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        rewrite_references (json_array_get_element (a, i), map);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *target = g_hash_table_lookup (map, json_node_get_string (node));
      if (target != NULL)
        json_node_set_string (node, target);
    }
}

static gboolean
parse_entries (JsonObject *bundle, GArray *entries, GError **error)
{
  JsonArray *array = sandbox_json_get_array (bundle, "entry");

  if (g_strcmp0 (sandbox_json_get_string (bundle, "resourceType"), "Bundle") != 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400, "The base accepts a Bundle only");
      return FALSE;
    }
  if (g_strcmp0 (sandbox_json_get_string (bundle, "type"), "transaction") != 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 400, "Only Bundles of type transaction are supported");
      return FALSE;
    }

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      JsonObject *req = sandbox_json_get_object (o, "request");
      const char *url = sandbox_json_get_string (req, "url");
      Entry e = { 0 };
      g_auto(GStrv) parts = NULL;

      e.full_url = sandbox_json_get_string (o, "fullUrl");
      e.method = sandbox_json_get_string (req, "method");
      e.if_none_exist = sandbox_json_get_string (req, "ifNoneExist");
      e.if_match = sandbox_json_get_string (req, "ifMatch");
      e.resource = sandbox_json_get_object (o, "resource");
      if (e.method == NULL || url == NULL || e.resource == NULL)
        {
          g_set_error (error, SANDBOX_ERROR, 400,
                       "Entry %u needs a resource, request.method and request.url", i);
          return FALSE;
        }
      parts = g_strsplit (url, "/", -1);
      e.type = g_strdup (parts[0]);
      if (g_str_equal (e.method, "POST") && g_strv_length (parts) == 1)
        e.id = sandbox_new_id ();
      else if (g_str_equal (e.method, "PUT") && g_strv_length (parts) == 2 && sandbox_is_valid_id (parts[1]))
        e.id = g_strdup (parts[1]);
      else
        {
          g_set_error (error, SANDBOX_ERROR, 400,
                       "Entry %u: only POST Type and PUT Type/id are supported (%s %s)", i, e.method, url);
          entry_clear (&e);
          return FALSE;
        }
      g_array_append_val (entries, e);
      if (!sandbox_is_known_type (e.type))
        {
          g_set_error (error, SANDBOX_ERROR, 404, "Entry %u: unknown resource type '%s'", i, e.type);
          return FALSE;
        }
    }
  return TRUE;
}

static SandboxResponse *
build_response (GArray *entries, SandboxRequest *request)
{
  GString *out = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[");
  SandboxResponse *response;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);
      g_autofree char *location = g_strdup_printf ("%s/%s/_history/%" G_GINT64_FORMAT,
                                                   e->result->type, e->result->id, e->result->version);
      g_autofree char *etag = sandbox_fhir_etag (e->result->version);
      g_autofree char *modified = sandbox_format_instant (e->result->last_updated);
      g_autofree char *full = g_strdup_printf ("%s/%s/%s", request->base_url, e->result->type, e->result->id);

      g_string_append (out, i ? ",{" : "{");
      g_string_append (out, "\"fullUrl\":");
      sandbox_append_json_string (out, full);
      g_string_append (out, ",\"resource\":");
      g_string_append (out, e->result->json);
      g_string_append_printf (out, ",\"response\":{\"status\":\"%s\",\"location\":",
                              e->created ? "201 Created" : "200 OK");
      sandbox_append_json_string (out, location);
      g_string_append (out, ",\"etag\":");
      sandbox_append_json_string (out, etag);
      g_string_append_printf (out, ",\"lastModified\":\"%s\"}}", modified);
    }
  g_string_append (out, "]}");
  response = sandbox_response_new_json (200, g_string_free (out, FALSE));
  response->n_resources = entries->len;
  return response;
}

SandboxResponse *
sandbox_fhir_transaction (SandboxDb      *db,
                          SandboxConn    *conn,
                          SandboxRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bundle = NULL;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;
  gboolean ok = TRUE;

  g_array_set_clear_func (entries, entry_clear);
  bundle = sandbox_parse_object (data, len, &error);
  if (bundle == NULL || !parse_entries (bundle, entries, &error))
    return sandbox_response_new_gerror (error);

  /* All or nothing: one SQLite transaction under the write lock. */
  sandbox_db_write_begin (db, conn);
  for (guint i = 0; ok && i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);

      if (e->if_none_exist != NULL && g_str_equal (e->method, "POST"))
        ok = sandbox_fhir_conditional_match (conn, e->type, e->if_none_exist, &e->result, &error);
      if (ok && e->full_url != NULL)
        {
          const char *id = e->result ? e->result->id : e->id;
          g_hash_table_insert (map, (gpointer) e->full_url, g_strconcat (e->type, "/", id, NULL));
        }
    }
  for (guint i = 0; ok && i < entries->len; i++)
    {
      Entry *e = &g_array_index (entries, Entry, i);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      if (e->result != NULL)
        continue;   /* conditional create that matched */
      json_node_set_object (node, e->resource);
      rewrite_references (node, map);

      if (g_str_equal (e->method, "PUT"))
        {
          g_autoptr(SandboxRow) current = sandbox_db_get (conn, e->type, e->id);
          const char *body_id = sandbox_json_get_string (e->resource, "id");

          if (body_id != NULL && !g_str_equal (body_id, e->id))
            {
              g_set_error (&error, SANDBOX_ERROR, 400, "Entry %u: the resource id must match the URL", i);
              ok = FALSE;
              break;
            }
          json_object_set_string_member (e->resource, "id", e->id);
          ok = sandbox_fhir_check_if_match (e->if_match, current, e->type, e->id, &error);
          e->created = current == NULL || current->deleted;
        }
      else
        e->created = TRUE;
      if (ok)
        {
          e->result = sandbox_fhir_store_resource (db, conn, request, e->type, e->id, e->resource, &error);
          ok = e->result != NULL;
        }
      if (!ok)
        g_prefix_error (&error, "Entry %u (%s): ", i, e->type);
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);

  for (guint i = 0; i < entries->len; i++)
    sandbox_db_fill_pending (db, conn, g_array_index (entries, Entry, i).result);
  return build_response (entries, request);
}
