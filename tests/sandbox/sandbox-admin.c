/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-admin.h"
#include "sandbox-util.h"

#define TOUCH_URL "http://cabinet-sante.test/fhir/StructureDefinition/sandbox-touch"

/* A visible but harmless change: an extension counting the touches. */
static void
touch_resource (JsonObject *r, gint64 version)
{
  JsonArray *extensions = sandbox_json_get_array (r, "extension");
  JsonObject *ext = NULL;

  if (extensions == NULL)
    {
      extensions = json_array_new ();
      json_object_set_array_member (r, "extension", extensions);
    }
  for (guint i = 0; i < json_array_get_length (extensions); i++)
    {
      JsonNode *n = json_array_get_element (extensions, i);
      if (JSON_NODE_HOLDS_OBJECT (n) &&
          g_strcmp0 (sandbox_json_get_string (json_node_get_object (n), "url"), TOUCH_URL) == 0)
        ext = json_node_get_object (n);
    }
  if (ext == NULL)
    {
      ext = json_object_new ();
      json_object_set_string_member (ext, "url", TOUCH_URL);
      json_array_add_object_element (extensions, ext);
    }
  json_object_set_int_member (ext, "valueInteger", version + 1);
}

SandboxResponse *
sandbox_admin_touch (SandboxDb      *db,
                     SandboxRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  const char *type;
  gint64 count;
  SandboxConn *conn;
  sqlite3_stmt *stmt;
  GString *out;
  gboolean ok = TRUE;
  gsize len = 0;
  const char *data = request->body ? g_bytes_get_data (request->body, &len) : NULL;

  body = sandbox_parse_object (data, len, &error);
  if (body == NULL)
    return sandbox_response_new_gerror (error);
  type = sandbox_json_get_string (body, "type");
  count = json_object_has_member (body, "count") ? json_object_get_int_member (body, "count") : 1;
  if (!sandbox_is_known_type (type) || count < 0 || count > 100000)
    return sandbox_response_new_error (400, "touch needs a known 'type' and a 'count' between 0 and 100000");

  conn = sandbox_db_acquire (db);
  sandbox_db_write_begin (db, conn);
  stmt = sandbox_conn_prepare (conn,
      "SELECT id FROM res WHERE type = ? AND deleted = 0 ORDER BY random() LIMIT ?");
  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, count);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  for (guint i = 0; ok && i < ids->len; i++)
    {
      g_autoptr(SandboxRow) current = sandbox_db_get (conn, type, g_ptr_array_index (ids, i));
      g_autoptr(SandboxRow) row = NULL;
      g_autoptr(JsonObject) r = sandbox_parse_object (current->json, -1, &error);

      ok = r != NULL;
      if (!ok)
        break;
      touch_resource (r, current->version);
      row = sandbox_db_store (conn, type, current->id, r,
                              g_str_equal (type, "Binary") ? current->patient_id : NULL,
                              sandbox_db_next_timestamp (db), FALSE, &error);
      ok = row != NULL;
    }
  ok = sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) && ok;
  sandbox_db_release (db, conn);
  if (!ok)
    return sandbox_response_new_gerror (error);

  out = g_string_new ("{\"ids\":[");
  for (guint i = 0; i < ids->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      sandbox_append_json_string (out, g_ptr_array_index (ids, i));
    }
  g_string_append (out, "]}");
  {
    gsize out_len = out->len;
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_string_free (out, FALSE), out_len);
    return sandbox_response_new (200, "application/json", bytes);
  }
}
