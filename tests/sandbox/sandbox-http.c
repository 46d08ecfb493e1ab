/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-http.h"
#include "sandbox-util.h"

#include <string.h>

void
sandbox_request_free (SandboxRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->content_type);
  g_free (request->base_url);
  g_free (request->practitioner);
  g_free (request);
}

const char *
sandbox_request_get_header (SandboxRequest *request,
                            const char     *name)
{
  return request->headers ? g_hash_table_lookup (request->headers, name) : NULL;
}

SandboxResponse *
sandbox_response_new (guint       status,
                      const char *content_type,
                      GBytes     *body)
{
  SandboxResponse *r = g_new0 (SandboxResponse, 1);

  r->status = status;
  r->content_type = g_strdup (content_type);
  r->body = body ? g_bytes_ref (body) : NULL;
  r->headers = g_ptr_array_new_with_free_func (g_free);
  return r;
}

SandboxResponse *
sandbox_response_new_json (guint  status,
                           char  *json)
{
  g_autoptr(GBytes) body = g_bytes_new_take (json, strlen (json));

  return sandbox_response_new (status, SANDBOX_FHIR_JSON, body);
}

SandboxResponse *
sandbox_response_new_error (guint       status,
                            const char *diagnostics)
{
  return sandbox_response_new_json (status, sandbox_outcome_new (status, "error", diagnostics));
}

SandboxResponse *
sandbox_response_new_gerror (const GError *error)
{
  guint status = 500;

  if (error->domain == SANDBOX_ERROR && error->code >= 400 && error->code < 600)
    status = error->code;
  return sandbox_response_new_error (status, error->message);
}

void
sandbox_response_add_header (SandboxResponse *response,
                             const char      *name,
                             const char      *value)
{
  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

void
sandbox_response_free (SandboxResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->content_type);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_ptr_array_unref (response->headers);
  g_free (response);
}

void
sandbox_append_json_string (GString    *out,
                            const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}
