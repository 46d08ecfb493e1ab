/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-fhir-private.h"
#include "sandbox-erx.h"
#include "sandbox-search.h"
#include "sandbox-util.h"

#include <string.h>

char *
sandbox_fhir_etag (gint64 version)
{
  return g_strdup_printf ("W/\"%" G_GINT64_FORMAT "\"", version);
}

static void
add_resource_headers (SandboxResponse *response, SandboxRow *row)
{
  g_autofree char *etag = sandbox_fhir_etag (row->version);
  g_autofree char *modified = sandbox_format_http_date (row->last_updated);

  sandbox_response_add_header (response, "ETag", etag);
  sandbox_response_add_header (response, "Last-Modified", modified);
}

SandboxResponse *
sandbox_fhir_resource_response (guint           status,
                                SandboxRow     *row,
                                SandboxRequest *request,
                                gboolean        with_location)
{
  SandboxResponse *response = sandbox_response_new_json (status, g_strdup (row->json));

  add_resource_headers (response, row);
  if (with_location)
    {
      g_autofree char *location = g_strdup_printf ("%s/%s/%s/_history/%" G_GINT64_FORMAT,
                                                   request->base_url, row->type, row->id, row->version);
      sandbox_response_add_header (response, "Location", location);
    }
  response->n_resources = 1;
  return response;
}

gboolean
sandbox_fhir_check_access (SandboxConn     *conn,
                           SandboxRequest  *request,
                           const char      *patient_id,
                           GError         **error)
{
  if (sandbox_db_is_blocked (conn, patient_id, request->practitioner))
    {
      g_set_error (error, SANDBOX_ERROR, 403,
                   "The patient has blocked access to their record for this professional "
                   "(Practitioner/%s)", request->practitioner);
      return FALSE;
    }
  return TRUE;
}

void
sandbox_fhir_audit (SandboxDb      *db,
                    SandboxConn    *conn,
                    SandboxRequest *request,
                    GPtrArray      *patient_ids,
                    const char     *action,
                    const char     *subtype,
                    const char     *what)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (patient_ids == NULL || patient_ids->len == 0)
    return;

  sandbox_db_write_begin (db, conn);
  for (guint i = 0; ok && i < patient_ids->len; i++)
    {
      const char *patient = g_ptr_array_index (patient_ids, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *id = sandbox_new_id ();
      g_autofree char *patient_ref = g_strconcat ("Patient/", patient, NULL);
      g_autofree char *agent_ref = g_strconcat ("Practitioner/", request->practitioner, NULL);
      g_autofree char *recorded = NULL;
      g_autoptr(SandboxRow) row = NULL;
      gint64 ts = sandbox_db_next_timestamp (db);

      recorded = sandbox_format_instant (ts);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "resourceType");
      json_builder_add_string_value (b, "AuditEvent");
      json_builder_set_member_name (b, "type");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "system");
      json_builder_add_string_value (b, "http://terminology.hl7.org/CodeSystem/audit-event-type");
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, "rest");
      json_builder_end_object (b);
      json_builder_set_member_name (b, "subtype");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "system");
      json_builder_add_string_value (b, "http://hl7.org/fhir/restful-interaction");
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, subtype);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "action");
      json_builder_add_string_value (b, action);
      json_builder_set_member_name (b, "recorded");
      json_builder_add_string_value (b, recorded);
      json_builder_set_member_name (b, "outcome");
      json_builder_add_string_value (b, "0");
      json_builder_set_member_name (b, "agent");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "who");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reference");
      json_builder_add_string_value (b, agent_ref);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "requestor");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "source");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "observer");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "display");
      json_builder_add_string_value (b, "cabinet-sandbox");
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "entity");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "what");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reference");
      json_builder_add_string_value (b, patient_ref);
      json_builder_end_object (b);
      json_builder_end_object (b);
      if (what != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "what");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "reference");
          json_builder_add_string_value (b, what);
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);

      row = sandbox_db_store (conn, "AuditEvent", id, json_node_get_object (root), patient, ts, TRUE, &error);
      ok = row != NULL;
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    g_warning ("Cannot record the access trace: %s", error ? error->message : "?");
}

static GPtrArray *
single (const char *s)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (a, g_strdup (s));
  return a;
}

static gboolean
should_audit (const char *type, const char *patient_id)
{
  return patient_id != NULL && !g_str_equal (type, "AuditEvent");
}

/* ------------------------------------------------------------- read */

static gboolean
accepts_json (SandboxRequest *request)
{
  const char *accept = sandbox_request_get_header (request, "accept");
  const char *format = NULL;

  if (request->query && (format = strstr (request->query, "_format=")) != NULL)
    return strstr (format, "json") != NULL;
  return accept != NULL && (strstr (accept, "application/fhir+json") != NULL ||
                            strstr (accept, "application/json") != NULL);
}

static SandboxResponse *
read_binary (SandboxDb *db, SandboxConn *conn, SandboxRequest *request, SandboxRow *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *content_type = NULL;
  SandboxResponse *response;

  if (!sandbox_db_load_blob (db, conn, row->id, &bytes, &content_type, NULL, &error))
    {
      /* A Binary posted without data: only its JSON exists. */
      if (g_error_matches (error, SANDBOX_ERROR, 404) && accepts_json (request))
        return sandbox_fhir_resource_response (200, row, request, FALSE);
      return sandbox_response_new_gerror (error);
    }

  if (accepts_json (request))
    {
      g_autoptr(JsonObject) object = sandbox_parse_object (row->json, -1, NULL);
      g_autofree char *data = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      if (object == NULL)
        return sandbox_response_new_error (500, "Stored Binary is corrupt");
      json_object_set_string_member (object, "contentType", content_type);
      json_object_set_string_member (object, "data", data);
      response = sandbox_response_new_json (200, sandbox_object_to_string (object));
    }
  else
    response = sandbox_response_new (200, content_type, bytes);

  add_resource_headers (response, row);
  response->n_resources = 1;
  return response;
}

SandboxResponse *
sandbox_fhir_read (SandboxDb      *db,
                   SandboxConn    *conn,
                   SandboxRequest *request,
                   const char     *type,
                   const char     *id)
{
  g_autoptr(SandboxRow) row = sandbox_db_get (conn, type, id);
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  SandboxResponse *response;

  if (row == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("%s/%s is not known", type, id);
      return sandbox_response_new_error (404, msg);
    }
  if (row->deleted)
    {
      g_autofree char *msg = g_strdup_printf ("%s/%s has been deleted", type, id);
      return sandbox_response_new_error (410, msg);
    }
  if (!sandbox_fhir_check_access (conn, request, row->patient_id, &error))
    return sandbox_response_new_gerror (error);

  if (g_str_equal (type, "Binary"))
    response = read_binary (db, conn, request, row);
  else
    {
      sandbox_db_fill_pending (db, conn, row);
      response = sandbox_fhir_resource_response (200, row, request, FALSE);
    }

  if (response->status == 200 && should_audit (type, row->patient_id))
    {
      g_autoptr(GPtrArray) patients = single (row->patient_id);
      what = g_strconcat (type, "/", id, NULL);
      sandbox_fhir_audit (db, conn, request, patients, "R", "read", what);
    }
  return response;
}

/* ------------------------------------------------------------- search */

static void
append_link (GString *out, const char *relation, const char *base, const char *type, const char *query)
{
  g_autofree char *url = g_strdup_printf ("%s/%s%s%s", base, type, *query ? "?" : "", query);

  g_string_append (out, "{\"relation\":");
  sandbox_append_json_string (out, relation);
  g_string_append (out, ",\"url\":");
  sandbox_append_json_string (out, url);
  g_string_append_c (out, '}');
}

SandboxResponse *
sandbox_fhir_search (SandboxDb      *db,
                     SandboxConn    *conn,
                     SandboxRequest *request,
                     const char     *type,
                     const char     *query_string)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SandboxQuery) query = sandbox_query_parse (type, query_string, SANDBOX_QUERY_SEARCH, &error);
  g_autoptr(GPtrArray) named = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) audited = NULL;
  g_autofree char *self = NULL;
  g_autofree char *now = NULL;
  g_autofree char *bundle_id = NULL;
  GString *out;
  gint64 total = 0;
  gboolean has_more = FALSE, ok;
  SandboxResponse *response;

  if (query == NULL)
    return sandbox_response_new_gerror (error);

  if (sandbox_query_names_patient (query))
    {
      named = sandbox_query_named_patients (query, conn);
      for (guint i = 0; i < named->len; i++)
        if (!sandbox_fhir_check_access (conn, request, g_ptr_array_index (named, i), &error))
          return sandbox_response_new_gerror (error);
    }

  /* Count and page from one snapshot. */
  sandbox_conn_exec (conn, "BEGIN", NULL);
  ok = sandbox_query_run (query, conn, named ? NULL : request->practitioner,
                          &rows, &total, &has_more, &error);
  sandbox_conn_exec (conn, "COMMIT", NULL);
  if (!ok)
    return sandbox_response_new_gerror (error);

  out = g_string_sized_new (4096 + rows->len * 1024);
  bundle_id = sandbox_new_id ();
  now = sandbox_format_instant (sandbox_now_ms ());
  self = sandbox_query_self_string (query);
  g_string_append_printf (out,
                          "{\"resourceType\":\"Bundle\",\"id\":\"%s\",\"meta\":{\"lastUpdated\":\"%s\"},"
                          "\"type\":\"searchset\",\"total\":%" G_GINT64_FORMAT ",\"link\":[",
                          bundle_id, now, total);
  append_link (out, "self", request->base_url, type, self);
  if (has_more && rows->len > 0)
    {
      g_autofree char *next = sandbox_query_next_string (query, g_ptr_array_index (rows, rows->len - 1));
      g_string_append_c (out, ',');
      append_link (out, "next", request->base_url, type, next);
    }
  g_string_append_c (out, ']');

  if (!sandbox_query_is_count_only (query))
    {
      GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

      audited = named ? g_ptr_array_ref (named) : g_ptr_array_new_with_free_func (g_free);
      g_string_append (out, ",\"entry\":[");
      for (guint i = 0; i < rows->len; i++)
        {
          SandboxRow *row = g_ptr_array_index (rows, i);

          sandbox_db_fill_pending (db, conn, row);
          if (i)
            g_string_append_c (out, ',');
          g_string_append (out, "{\"fullUrl\":");
          {
            g_autofree char *full = g_strdup_printf ("%s/%s/%s", request->base_url, row->type, row->id);
            sandbox_append_json_string (out, full);
          }
          g_string_append (out, ",\"resource\":");
          g_string_append (out, row->json);
          g_string_append (out, ",\"search\":{\"mode\":\"match\"}}");

          if (named == NULL && row->patient_id != NULL && !g_str_equal (type, "Patient") &&
              !g_hash_table_contains (seen, row->patient_id))
            {
              g_hash_table_add (seen, row->patient_id);
              g_ptr_array_add (audited, g_strdup (row->patient_id));
            }
        }
      g_string_append_c (out, ']');
      g_hash_table_unref (seen);
    }
  g_string_append_c (out, '}');

  response = sandbox_response_new_json (200, g_string_free (out, FALSE));
  response->n_resources = rows->len;

  if (audited != NULL && !g_str_equal (type, "AuditEvent"))
    sandbox_fhir_audit (db, conn, request, audited, "E", "search-type", NULL);
  return response;
}

/* ------------------------------------------------------------- dispatch */

static SandboxResponse *
capability_statement (void)
{
  return sandbox_response_new_json (200, g_strdup (
      "{\"resourceType\":\"CapabilityStatement\",\"status\":\"active\",\"kind\":\"instance\","
      "\"fhirVersion\":\"4.0.1\",\"format\":[\"application/fhir+json\"],"
      "\"software\":{\"name\":\"cabinet-sandbox\"},"
      "\"rest\":[{\"mode\":\"server\"}]}"));
}

SandboxResponse *
sandbox_fhir_handle (SandboxDb      *db,
                     SandboxRequest *request)
{
  g_auto(GStrv) parts = g_strsplit (request->path, "/", -1);
  guint n = g_strv_length (parts);
  const char *method = request->method;
  SandboxConn *conn;
  SandboxResponse *response = NULL;
  const char *type;

  /* Trailing slash tolerance. */
  if (n > 0 && parts[n - 1][0] == '\0')
    {
      g_free (parts[n - 1]);
      parts[--n] = NULL;
    }

  if (n == 0)
    {
      if (g_str_equal (method, "POST"))
        {
          conn = sandbox_db_acquire (db);
          response = sandbox_fhir_transaction (db, conn, request);
          sandbox_db_release (db, conn);
          return response;
        }
      return sandbox_response_new_error (405, "Only transaction Bundles may be posted to the base");
    }
  type = parts[0];
  if (g_str_equal (type, "erx"))
    return sandbox_erx_handle (db, request);
  if (n == 1 && g_str_equal (type, "metadata"))
    return capability_statement ();
  if (!sandbox_is_known_type (type))
    {
      g_autofree char *msg = g_strdup_printf ("Unknown resource type '%s'", type);
      return sandbox_response_new_error (404, msg);
    }
  if (n > 2 || (n == 2 && !sandbox_is_valid_id (parts[1]) && !g_str_equal (parts[1], "_search")))
    return sandbox_response_new_error (n > 2 ? 404 : 400,
                                       n > 2 ? "History and operations are not supported"
                                             : "Invalid resource id");

  conn = sandbox_db_acquire (db);
  if (n == 1 && g_str_equal (method, "GET"))
    response = sandbox_fhir_search (db, conn, request, type, request->query);
  else if (n == 2 && g_str_equal (parts[1], "_search") && g_str_equal (method, "POST"))
    {
      g_autofree char *form = request->body
          ? g_strndup (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body))
          : g_strdup ("");
      response = sandbox_fhir_search (db, conn, request, type, form);
    }
  else if (n == 1 && g_str_equal (method, "POST"))
    response = sandbox_fhir_create (db, conn, request, type);
  else if (n == 2 && g_str_equal (method, "GET"))
    response = sandbox_fhir_read (db, conn, request, type, parts[1]);
  else if (n == 2 && g_str_equal (method, "PUT"))
    response = sandbox_fhir_update (db, conn, request, type, parts[1]);
  else if (n == 2 && g_str_equal (method, "PATCH"))
    response = sandbox_fhir_patch (db, conn, request, type, parts[1]);
  else if (n == 2 && g_str_equal (method, "DELETE"))
    response = sandbox_fhir_delete (db, conn, request, type, parts[1]);
  else
    {
      g_autofree char *msg = g_strdup_printf ("%s is not supported here", method);
      response = sandbox_response_new_error (405, msg);
    }
  sandbox_db_release (db, conn);
  return response;
}
