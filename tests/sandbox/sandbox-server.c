/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-server.h"
#include "sandbox-admin.h"
#include "sandbox-directory.h"
#include "sandbox-fhir.h"
#include "sandbox-http.h"
#include "sandbox-util.h"

#include <libsoup/soup.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define N_WORKERS 4

struct _SandboxServer
{
  SoupServer    *soup;
  SandboxDb     *db;
  GHashTable    *tokens;
  SandboxFaults *faults;
  GThreadPool   *pool;
  char          *base_url;
  SandboxDirectory *directory;
  char          *directory_key;
  guint          in_flight;
  FILE          *access_log;  /* "METHOD /path?query MS" a line, and "STATUS /path MS"
                               * for an injected 429/503 (MS: monotonic milliseconds) */

  /* statistics, main thread only */
  guint64        n_requests;
  guint64        n_dropped;
  guint64        n_resources;
  GHashTable    *by_status;   /* GUINT_TO_POINTER (status) -> count */
};

typedef struct
{
  SandboxServer     *server;
  SoupServerMessage *msg;
  SandboxRequest    *request;
  SandboxResponse   *response;
  gboolean           admin;
  gboolean           counted;
} Job;

static const char aborted_key[] = "sandbox-aborted";

static void
job_free (Job *job)
{
  g_clear_object (&job->msg);
  sandbox_request_free (job->request);
  sandbox_response_free (job->response);
  g_free (job);
}

/* ------------------------------------------------------------- answering */

static void
count_status (SandboxServer *server, guint status)
{
  gpointer key = GUINT_TO_POINTER (status);
  guint64 n = GPOINTER_TO_SIZE (g_hash_table_lookup (server->by_status, key));

  g_hash_table_insert (server->by_status, key, GSIZE_TO_POINTER (n + 1));
}

static void
send_response (SandboxServer *server, SoupServerMessage *msg, SandboxResponse *response, gboolean counted)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, response->status, NULL);
  for (guint i = 0; i + 1 < response->headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (response->headers, i),
                                  g_ptr_array_index (response->headers, i + 1));
  if (response->body != NULL)
    {
      soup_message_headers_set_content_type (headers, response->content_type
                                                      ? response->content_type
                                                      : "application/octet-stream", NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), response->body);
    }
  if (counted)
    {
      count_status (server, response->status);
      server->n_resources += response->n_resources;
    }
}

static void
send_error (SandboxServer *server, SoupServerMessage *msg, guint status, const char *diagnostics, gboolean counted)
{
  g_autoptr(SandboxResponse) response = sandbox_response_new_error (status, diagnostics);

  if (status == 401)
    sandbox_response_add_header (response, "WWW-Authenticate", "Bearer realm=\"cabinet-sandbox\"");
  send_response (server, msg, response, counted);
}

static void drop_connection (SandboxServer *server, Job *job);

static gboolean
job_deliver (gpointer data)
{
  Job *job = data;

  job->server->in_flight--;
  /* A write is done; its answer may be lost on the way back. */
  if (!job->admin && g_object_get_data (G_OBJECT (job->msg), aborted_key) == NULL &&
      !g_str_equal (job->request->method, "GET") && !g_str_equal (job->request->method, "HEAD") &&
      sandbox_faults_lose_answer (job->server->faults))
    {
      drop_connection (job->server, job);
      return G_SOURCE_REMOVE;
    }
  if (g_object_get_data (G_OBJECT (job->msg), aborted_key) == NULL)
    {
      send_response (job->server, job->msg, job->response, job->counted);
      soup_server_message_unpause (job->msg);
    }
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_run (gpointer data, gpointer user_data)
{
  Job *job = data;

  if (job->admin)
    job->response = sandbox_admin_touch (job->server->db, job->request);
  else
    job->response = sandbox_fhir_handle (job->server->db, job->request);
  g_idle_add (job_deliver, job);
}

/* ------------------------------------------------------------- requests */

static void
add_header (const char *name, const char *value, gpointer user_data)
{
  GHashTable *headers = user_data;
  g_autofree char *key = g_ascii_strdown (name, -1);
  const char *old = g_hash_table_lookup (headers, key);

  if (old != NULL)
    g_hash_table_insert (headers, g_steal_pointer (&key), g_strconcat (old, ", ", value, NULL));
  else
    g_hash_table_insert (headers, g_steal_pointer (&key), g_strdup (value));
}

static SandboxRequest *
copy_request (SoupServerMessage *msg, const char *path, const char *prefix)
{
  SandboxRequest *request = g_new0 (SandboxRequest, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  int port = g_uri_get_port (uri);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path + strlen (prefix) + (path[strlen (prefix)] == '/' ? 1 : 0));
  request->query = query ? g_strdup (query) : NULL;
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_foreach (headers, add_header, request->headers);
  request->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  request->body = soup_message_body_flatten (body);
  if (port > 0)
    request->base_url = g_strdup_printf ("%s://%s:%d/fhir", g_uri_get_scheme (uri), g_uri_get_host (uri), port);
  else
    request->base_url = g_strdup_printf ("%s://%s/fhir", g_uri_get_scheme (uri), g_uri_get_host (uri));
  return request;
}

static const char *
authenticate (SandboxServer *server, SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  return g_hash_table_lookup (server->tokens, auth + 7);
}

static void
start_job (SandboxServer *server, Job *job)
{
  server->in_flight++;
  g_thread_pool_push (server->pool, job, NULL);
}

static void
drop_connection (SandboxServer *server, Job *job)
{
  g_autoptr(GIOStream) stream = NULL;

  server->n_dropped++;
  stream = soup_server_message_steal_connection (job->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  job_free (job);
}

/* After the injected latency: drop, fail or do the work. */
static gboolean
fhir_continue (gpointer data)
{
  Job *job = data;
  SandboxServer *server = job->server;
  guint status = 0;

  server->in_flight--;
  if (g_object_get_data (G_OBJECT (job->msg), aborted_key) != NULL)
    {
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  switch (sandbox_faults_decide (server->faults, &status))
    {
    case SANDBOX_FAULT_DROP:
      drop_connection (server, job);
      return G_SOURCE_REMOVE;

    case SANDBOX_FAULT_ERROR:
      {
        g_autofree char *msg = g_strdup_printf ("Injected fault: HTTP %u", status);
        g_autoptr(SandboxResponse) response = sandbox_response_new_error (status, msg);

        if (status == 429 || status == 503)
          {
            g_autofree char *after = g_strdup_printf ("%u", server->faults->retry_after);
            sandbox_response_add_header (response, "Retry-After", after);
            /* When it was refused, so a test can check the client's wait. */
            if (server->access_log != NULL)
              {
                fprintf (server->access_log, "%u %s %" G_GINT64_FORMAT "\n", status,
                         g_uri_get_path (soup_server_message_get_uri (job->msg)),
                         g_get_monotonic_time () / 1000);
                fflush (server->access_log);
              }
          }
        send_response (server, job->msg, response, TRUE);
        soup_server_message_unpause (job->msg);
        job_free (job);
        return G_SOURCE_REMOVE;
      }

    case SANDBOX_FAULT_NONE:
      break;
    }

  /* Answers a client must not trust, in place of the work. */
  if (server->faults->hostile != NULL)
    {
      const char *mode = server->faults->hostile;
      g_autoptr(SandboxResponse) response = NULL;

      if (g_str_equal (mode, "invalid-json"))
        response = sandbox_response_new_json (200, g_strdup ("{\"resourceType\": \"Bundle\", \"entry\": ["));
      else if (g_str_equal (mode, "outcome-200"))
        response = sandbox_response_new_json (200, g_strdup ("{\"resourceType\":\"OperationOutcome\",\"issue\":"
                                                             "[{\"severity\":\"error\",\"code\":\"processing\","
                                                             "\"diagnostics\":\"Hostile: the request was refused\"}]}"));
      else
        {
          response = sandbox_response_new (302, NULL, NULL);
          sandbox_response_add_header (response, "Location", "http://hostile.invalid/fhir/");
        }
      send_response (server, job->msg, response, TRUE);
      soup_server_message_unpause (job->msg);
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  if (server->faults->expire_tokens)
    {
      g_autoptr(SandboxResponse) response = sandbox_response_new_error (401, "The access token has expired (token expired)");
      sandbox_response_add_header (response, "WWW-Authenticate",
                                   "Bearer realm=\"cabinet-sandbox\", error=\"invalid_token\", "
                                   "error_description=\"token expired\"");
      send_response (server, job->msg, response, TRUE);
      soup_server_message_unpause (job->msg);
      job_free (job);
      return G_SOURCE_REMOVE;
    }

  start_job (server, job);
  return G_SOURCE_REMOVE;
}

static SandboxResponse *
json_response (guint status, char *json)
{
  SandboxResponse *response = sandbox_response_new_json (status, json);

  g_free (response->content_type);
  response->content_type = g_strdup ("application/json");
  return response;
}

static char *
stats_json (SandboxServer *server)
{
  GString *s = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  gboolean first = TRUE;

  g_string_append_printf (s, "{\"requests\":%" G_GUINT64_FORMAT ",\"dropped\":%" G_GUINT64_FORMAT
                          ",\"resources_served\":%" G_GUINT64_FORMAT ",\"by_status\":{",
                          server->n_requests, server->n_dropped, server->n_resources);
  g_hash_table_iter_init (&iter, server->by_status);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_string_append_printf (s, "%s\"%u\":%" G_GSIZE_FORMAT, first ? "" : ",",
                              GPOINTER_TO_UINT (key), GPOINTER_TO_SIZE (value));
      first = FALSE;
    }
  g_string_append (s, "}}");
  return g_string_free (s, FALSE);
}

/* Admin requests are cheap and answered here, except touch (database writes). */
static void
handle_admin (SandboxServer *server, SoupServerMessage *msg, const char *path)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(SandboxResponse) response = NULL;

  if (g_str_equal (path, "/admin/health"))
    response = json_response (200, g_strdup ("{\"status\":\"ok\"}"));
  else if (g_str_equal (path, "/admin/stats") && g_str_equal (method, "GET"))
    response = json_response (200, stats_json (server));
  else if (g_str_equal (path, "/admin/faults") && g_str_equal (method, "GET"))
    response = json_response (200, sandbox_faults_to_json (server->faults));
  else if (g_str_equal (path, "/admin/faults") && g_str_equal (method, "DELETE"))
    {
      sandbox_faults_clear (server->faults);
      g_message ("Faults cleared");
      response = json_response (200, sandbox_faults_to_json (server->faults));
    }
  else if (g_str_equal (path, "/admin/faults") && g_str_equal (method, "POST"))
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) o = sandbox_parse_object (g_bytes_get_data (bytes, NULL),
                                                      g_bytes_get_size (bytes), &error);

      if (o == NULL || !sandbox_faults_merge_json (server->faults, o, &error))
        response = sandbox_response_new_gerror (error);
      else
        {
          g_autofree char *json = sandbox_faults_to_json (server->faults);
          g_message ("Faults set: %s", json);
          response = json_response (200, g_steal_pointer (&json));
        }
    }
  else if (g_str_equal (path, "/admin/touch") && g_str_equal (method, "POST"))
    {
      Job *job = g_new0 (Job, 1);

      job->server = server;
      job->msg = g_object_ref (msg);
      job->request = copy_request (msg, path, "/admin");
      job->admin = TRUE;
      soup_server_message_pause (msg);
      start_job (server, job);
      return;
    }
  else if (g_str_equal (path, "/admin/faults") || g_str_equal (path, "/admin/stats") ||
           g_str_equal (path, "/admin/touch"))
    response = sandbox_response_new_error (405, "Method not allowed");
  else
    response = sandbox_response_new_error (404, "Unknown admin endpoint");

  send_response (server, msg, response, FALSE);
}

/* The directory (sandbox-directory.c): in memory, answered here. */
static void
handle_directory (SandboxServer *server, SoupServerMessage *msg, const char *path)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  SANDBOX_DIRECTORY_API_KEY_HEADER);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *base_url = NULL;
  g_autoptr(SandboxResponse) response = NULL;
  int port = g_uri_get_port (uri);

  guint status = 0;

  if (server->directory == NULL)
    {
      send_error (server, msg, 404, "No directory served here", FALSE);
      return;
    }
  /* /admin/faults applies here too: the directory down or failing. */
  if (sandbox_faults_decide (server->faults, &status) == SANDBOX_FAULT_ERROR)
    {
      send_error (server, msg, status, "Injected fault", FALSE);
      return;
    }
  if (key == NULL || g_strcmp0 (key, server->directory_key) != 0)
    {
      send_error (server, msg, 401, "The directory needs its API key (ESANTE-API-KEY)", FALSE);
      return;
    }
  base_url = port > 0 ? g_strdup_printf ("%s://%s:%d" SANDBOX_DIRECTORY_PREFIX, g_uri_get_scheme (uri),
                                         g_uri_get_host (uri), port)
                      : g_strdup_printf ("%s://%s" SANDBOX_DIRECTORY_PREFIX, g_uri_get_scheme (uri),
                                         g_uri_get_host (uri));
  response = sandbox_directory_handle (server->directory, soup_server_message_get_method (msg),
                                       path + strlen (SANDBOX_DIRECTORY_PREFIX "/"),
                                       g_uri_get_query (uri), base_url);
  send_response (server, msg, response, FALSE);
}

void
sandbox_server_set_directory (SandboxServer    *server,
                              SandboxDirectory *directory,
                              const char       *api_key)
{
  g_clear_pointer (&server->directory, sandbox_directory_free);
  g_free (server->directory_key);
  server->directory = directory;
  server->directory_key = g_strdup (api_key);
}

static void
on_request (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SandboxServer *server = user_data;
  const char *practitioner;
  gboolean fhir = g_str_equal (path, "/fhir") || g_str_has_prefix (path, "/fhir/");
  gboolean admin = g_str_has_prefix (path, "/admin/");
  Job *job;

  if (g_str_has_prefix (path, SANDBOX_DIRECTORY_PREFIX "/"))
    {
      handle_directory (server, msg, path);
      return;
    }
  if (!fhir && !admin)
    {
      send_error (server, msg, 404, "Not found: the FHIR base is /fhir", FALSE);
      return;
    }
  if (fhir)
    server->n_requests++;
  if (fhir && server->access_log != NULL)
    {
      GUri *uri = soup_server_message_get_uri (msg);
      const char *q = g_uri_get_query (uri);

      fprintf (server->access_log, "%s %s%s%s %" G_GINT64_FORMAT "\n", soup_server_message_get_method (msg),
               g_uri_get_path (uri), q ? "?" : "", q ? q : "", g_get_monotonic_time () / 1000);
      fflush (server->access_log);
    }

  practitioner = authenticate (server, msg);
  if (practitioner == NULL)
    {
      send_error (server, msg, 401, "A valid bearer token is required", fhir);
      return;
    }
  if (admin)
    {
      handle_admin (server, msg, path);
      return;
    }

  job = g_new0 (Job, 1);
  job->server = server;
  job->msg = g_object_ref (msg);
  job->request = copy_request (msg, path, "/fhir");
  job->request->practitioner = g_strdup (practitioner);
  job->counted = TRUE;
  soup_server_message_pause (msg);

  /* Latency never blocks the loop: a timeout resumes the request. */
  server->in_flight++;
  if (server->faults->latency_ms > 0)
    g_timeout_add (server->faults->latency_ms, fhir_continue, job);
  else
    fhir_continue (job);
}

static void
on_request_aborted (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), aborted_key, GINT_TO_POINTER (1));
}

/* ------------------------------------------------------------- lifecycle */

SandboxServer *
sandbox_server_new (SandboxDb     *db,
                    GHashTable    *tokens,
                    SandboxFaults *faults)
{
  SandboxServer *server = g_new0 (SandboxServer, 1);

  server->db = db;
  server->tokens = g_hash_table_ref (tokens);
  server->faults = faults;
  server->by_status = g_hash_table_new (g_direct_hash, g_direct_equal);
  server->pool = g_thread_pool_new (job_run, server, N_WORKERS, FALSE, NULL);
  server->soup = soup_server_new ("server-header", "cabinet-sandbox", NULL);
  soup_server_add_handler (server->soup, NULL, on_request, server, NULL);
  g_signal_connect (server->soup, "request-aborted", G_CALLBACK (on_request_aborted), server);
  return server;
}

gboolean
sandbox_server_set_access_log (SandboxServer  *server,
                               const char     *path,
                               GError        **error)
{
  server->access_log = fopen (path, "we");
  if (server->access_log == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot write the access log %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
sandbox_server_listen (SandboxServer  *server,
                       const char     *host,
                       guint           port,
                       const char     *tls_cert,
                       const char     *tls_key,
                       GError        **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);
  SoupServerListenOptions options = 0;
  GSList *uris;
  guint bound = port;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Invalid host address '%s'", host);
      return FALSE;
    }
  if (tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (tls_cert, tls_key ? tls_key : tls_cert, error);
      if (cert == NULL)
        return FALSE;
      soup_server_set_tls_certificate (server->soup, cert);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (server->soup, address, options, error))
    return FALSE;

  uris = soup_server_get_uris (server->soup);
  if (uris != NULL)
    bound = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    server->base_url = g_strdup_printf ("%s://[%s]:%u/fhir", tls_cert ? "https" : "http", host, bound);
  else
    server->base_url = g_strdup_printf ("%s://%s:%u/fhir", tls_cert ? "https" : "http", host, bound);
  return TRUE;
}

const char *
sandbox_server_get_base_url (SandboxServer *server)
{
  return server->base_url;
}

void
sandbox_server_free (SandboxServer *server)
{
  if (server == NULL)
    return;
  if (server->access_log != NULL)
    fclose (server->access_log);
  /* Let delayed and queued work finish and deliver what it produced. */
  while (server->in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  g_thread_pool_free (server->pool, FALSE, TRUE);
  soup_server_disconnect (server->soup);
  g_object_unref (server->soup);
  g_hash_table_unref (server->tokens);
  g_hash_table_unref (server->by_status);
  sandbox_faults_free (server->faults);
  g_free (server->base_url);
  sandbox_directory_free (server->directory);
  g_free (server->directory_key);
  g_free (server);
}
