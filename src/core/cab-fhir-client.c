/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-fhir-client"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cab-fhir-client-private.h"

/*
 * CabFhirClient: FHIR R4 REST over one SoupSession.
 *
 * Thread-safety: a client is used from the thread-default main context of
 * the thread that created it (libsoup sessions are not thread-safe); every
 * callback, the token refresh function and the progress function run there.
 * Only cab_fhir_client_get_stats() may be called from any thread.
 *
 * This file holds the object, its settings, URL rules and the convenience
 * calls; the request engine (retries, redirects, 401) lives in
 * cab-fhir-client-request.c and Binary streaming in cab-fhir-client-download.c.
 */

G_DEFINE_FINAL_TYPE (CabFhirClient, cab_fhir_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (cab-fhir-client-error-quark, cab_fhir_client_error)

/* ---------------------------------------------------------------- auxiliary */

static void
cab_fhir_client_rebuild_session (CabFhirClient *self)
{
  g_autofree char *user_agent = g_strdup_printf ("Cabinet/%s", PACKAGE_VERSION);

  /* max-conns is construct-only: changing it means a new session. Requests in
   * flight keep the old one alive through their own references. */
  g_clear_object (&self->session);
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "max-conns", self->max_connections,
                                "max-conns-per-host", self->max_connections,
                                "timeout", self->timeout,
                                "idle-timeout", self->timeout,
                                "user-agent", user_agent,
                                NULL);
  if (self->tls_database != NULL)
    soup_session_set_tls_database (self->session, self->tls_database);
}

static int
uri_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return 443;
  return 80;
}

/* Same scheme, host and port as the base URL: the only place tokens may go. */
static gboolean
cab_fhir_client_same_origin (CabFhirClient *self,
                             GUri          *uri)
{
  const char *host = g_uri_get_host (uri);

  return host != NULL
         && g_ascii_strcasecmp (g_uri_get_scheme (uri), g_uri_get_scheme (self->base_uri)) == 0
         && g_ascii_strcasecmp (host, g_uri_get_host (self->base_uri)) == 0
         && uri_port (uri) == uri_port (self->base_uri);
}

/* Whether @uri stays inside the base path: "/fhir" holds "/fhir" and
 * "/fhir/x", not "/fhirx" nor "/other". GUri has removed dot segments
 * already, even percent-encoded ones; an encoded slash or backslash is
 * refused, as a server could decode it into a separator. */
static gboolean
cab_fhir_client_inside_base (CabFhirClient *self,
                             GUri          *uri)
{
  const char *base_path = g_uri_get_path (self->base_uri);
  const char *path = g_uri_get_path (uri);
  gsize base_len;

  while (*base_path == '/' && base_path[1] == '\0')
    base_path++;
  base_len = strlen (base_path);
  while (base_len > 0 && base_path[base_len - 1] == '/')
    base_len--;

  if (strncmp (path, base_path, base_len) != 0
      || (path[base_len] != '\0' && path[base_len] != '/'))
    return FALSE;

  for (const char *p = path; (p = strchr (p, '%')) != NULL; p++)
    if (p[1] != '\0' && p[2] != '\0'
        && (g_ascii_strncasecmp (p + 1, "2f", 2) == 0 || g_ascii_strncasecmp (p + 1, "5c", 2) == 0))
      return FALSE;
  return strchr (path, '\\') == NULL;
}

gboolean
cab_fhir_client_error_is_tls (const GError *error)
{
  if (error == NULL || error->domain != CAB_FHIR_CLIENT_ERROR)
    return FALSE;
  switch ((CabFhirClientError) error->code)
    {
    case CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA:
    case CAB_FHIR_CLIENT_ERROR_TLS_BAD_IDENTITY:
    case CAB_FHIR_CLIENT_ERROR_TLS_EXPIRED:
    case CAB_FHIR_CLIENT_ERROR_TLS_FAILED:
      return TRUE;
    case CAB_FHIR_CLIENT_ERROR_CA_FILE:
    default:
      return FALSE;
    }
}

gboolean
cab_fhir_content_type_is_json (const char *content_type)
{
  if (content_type == NULL)
    return FALSE;
  return g_ascii_strcasecmp (content_type, "application/json") == 0
         || g_ascii_strcasecmp (content_type, "application/fhir+json") == 0
         || g_str_has_suffix (content_type, "+json");
}

void
cab_fhir_client_count (CabFhirClient *self,
                       guint          requests,
                       guint          retries,
                       guint64        bytes)
{
  g_mutex_lock (&self->stats_lock);
  self->n_requests += requests;
  self->n_retries += retries;
  self->n_bytes += bytes;
  g_mutex_unlock (&self->stats_lock);
}

/* --------------------------------------------------------- GObject overrides */

static void
cab_fhir_client_finalize (GObject *object)
{
  CabFhirClient *self = CAB_FHIR_CLIENT (object);

  if (self->refresh_destroy != NULL)
    self->refresh_destroy (self->refresh_data);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_mutex_clear (&self->stats_lock);

  G_OBJECT_CLASS (cab_fhir_client_parent_class)->finalize (object);
}

static void
cab_fhir_client_class_init (CabFhirClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_fhir_client_finalize;
}

static void
cab_fhir_client_init (CabFhirClient *self)
{
  g_mutex_init (&self->stats_lock);
  self->timeout = 30;
  self->headers_timeout_s = CAB_FHIR_DEFAULT_HEADERS_TIMEOUT_S;
  self->min_rate = CAB_FHIR_DEFAULT_MIN_RATE;
  self->rate_window_s = CAB_FHIR_DEFAULT_RATE_WINDOW_S;
  self->max_download = CAB_FHIR_DEFAULT_MAX_DOWNLOAD;
  self->max_json_body = CAB_FHIR_MAX_JSON_BODY;
  self->max_retries = 6;
  self->initial_delay_ms = 250;
  self->max_connections = 8;
}

/* ----------------------------------------------------------------- public API */

CabFhirClient *
cab_fhir_client_new (const char  *base_url,
                     GError     **error)
{
  g_autoptr(CabFhirClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;
  const char *scheme;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (base_url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL
      || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL
      || g_uri_get_user (uri) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a valid server address (expected http:// or https://host/path)"),
                   base_url);
      return NULL;
    }

  text = g_uri_to_string (uri);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';

  self = g_object_new (CAB_TYPE_FHIR_CLIENT, NULL);
  self->base_url = g_steal_pointer (&text);
  self->base_uri = g_steal_pointer (&uri);
  cab_fhir_client_rebuild_session (self);

  return g_steal_pointer (&self);
}

const char *
cab_fhir_client_get_base_url (CabFhirClient *self)
{
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), NULL);

  return self->base_url;
}

void
cab_fhir_client_set_token (CabFhirClient *self,
                           const char    *token)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
}

void
cab_fhir_client_set_token_refresh_func (CabFhirClient           *self,
                                        CabFhirTokenRefreshFunc  func,
                                        gpointer                 user_data,
                                        GDestroyNotify           destroy)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));

  if (self->refresh_destroy != NULL)
    self->refresh_destroy (self->refresh_data);
  self->refresh_func = func;
  self->refresh_data = user_data;
  self->refresh_destroy = destroy;
}

gboolean
cab_fhir_client_check_ca_file (const char  *path,
                               char       **absolute_out,
                               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *absolute = NULL;
  GList *certificates;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* GIO's file database wants an absolute path; a relative one is the
   * user's working directory, as for any file on a command line. */
  absolute = g_canonicalize_filename (path, NULL);

  /* A file with no certificate would only be found out at the first
   * connection, as a misleading "not trusted": say it now. */
  certificates = g_tls_certificate_list_new_from_file (absolute, &local_error);
  if (certificates == NULL)
    {
      if (local_error != NULL)
        g_set_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE,
                     _("Cannot load the certificate authority file “%s”: %s"),
                     absolute, local_error->message);
      else
        g_set_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE,
                     _("The certificate authority file “%s” holds no certificate"), absolute);
      return FALSE;
    }
  g_list_free_full (certificates, g_object_unref);

  if (absolute_out != NULL)
    *absolute_out = g_steal_pointer (&absolute);
  return TRUE;
}

gboolean
cab_fhir_client_set_ca_file (CabFhirClient  *self,
                             const char     *path,
                             GError        **error)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *absolute = NULL;

  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cab_fhir_client_check_ca_file (path, &absolute, error))
    return FALSE;

  database = g_tls_file_database_new (absolute, &local_error);
  if (database == NULL)
    {
      g_set_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE,
                   _("Cannot load the certificate authority file “%s”: %s"),
                   absolute, local_error->message);
      return FALSE;
    }

  g_set_object (&self->tls_database, database);
  soup_session_set_tls_database (self->session, database);
  return TRUE;
}

void
cab_fhir_client_set_timeout (CabFhirClient *self,
                             guint          seconds)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));

  self->timeout = seconds;
  soup_session_set_timeout (self->session, seconds);
  soup_session_set_idle_timeout (self->session, seconds);
}

void
cab_fhir_client_set_deadlines (CabFhirClient *self,
                               guint          headers_s,
                               guint          min_rate,
                               guint          window_s)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (headers_s > 0 && window_s > 0);

  self->headers_timeout_s = headers_s;
  self->min_rate = min_rate;
  self->rate_window_s = window_s;
}

void
cab_fhir_client_set_max_download (CabFhirClient *self,
                                  guint64        max_bytes)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (max_bytes > 0);

  self->max_download = max_bytes;
}

void
cab_fhir_client_set_max_json_body (CabFhirClient *self,
                                   gsize          max_bytes)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (max_bytes > 0);

  self->max_json_body = MIN (max_bytes, (gsize) CAB_FHIR_MAX_JSON_BODY);
}

void
cab_fhir_client_set_retry_policy (CabFhirClient *self,
                                  guint          max_retries,
                                  guint          initial_delay_ms)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));

  self->max_retries = max_retries;
  self->initial_delay_ms = MAX (initial_delay_ms, 1);
}

void
cab_fhir_client_set_max_connections (CabFhirClient *self,
                                     guint          max)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (max > 0);

  if (max == self->max_connections)
    return;
  self->max_connections = max;
  cab_fhir_client_rebuild_session (self);
}

/* Called from worker threads too (next links): only reads immutable fields. */
char *
cab_fhir_client_build_url (CabFhirClient *self,
                           const char    *path_or_url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), NULL);
  g_return_val_if_fail (path_or_url != NULL, NULL);

  for (const char *p = path_or_url; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return NULL;

  if (g_uri_peek_scheme (path_or_url) != NULL)
    uri = g_uri_parse (path_or_url, SOUP_HTTP_URI_FLAGS, NULL);
  else if (path_or_url[0] == '/')
    /* Host-relative ("/fhir/Binary/1") or scheme-relative ("//host/x"). */
    uri = g_uri_parse_relative (self->base_uri, path_or_url, SOUP_HTTP_URI_FLAGS, NULL);
  else
    {
      joined = *path_or_url == '\0' ? g_strdup (self->base_url)
                                    : g_strconcat (self->base_url, "/", path_or_url, NULL);
      uri = g_uri_parse (joined, SOUP_HTTP_URI_FLAGS, NULL);
    }

  if (uri == NULL || !cab_fhir_client_same_origin (self, uri)
      || !cab_fhir_client_inside_base (self, uri))
    return NULL;

  return g_uri_to_string (uri);
}

gint64
cab_fhir_client_get_busy_until (CabFhirClient *self)
{
  gint64 until;

  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), 0);
  g_mutex_lock (&self->stats_lock);
  until = self->retry_not_before_us;
  g_mutex_unlock (&self->stats_lock);
  return until;
}

void
cab_fhir_client_get_stats (CabFhirClient *self,
                           guint         *n_requests,
                           guint         *n_retries,
                           guint64       *n_bytes)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));

  g_mutex_lock (&self->stats_lock);
  if (n_requests != NULL)
    *n_requests = self->n_requests;
  if (n_retries != NULL)
    *n_retries = self->n_retries;
  if (n_bytes != NULL)
    *n_bytes = self->n_bytes;
  g_mutex_unlock (&self->stats_lock);
}

guint
cab_fhir_client_result_get_status (GAsyncResult *result,
                                   gint64       *retry_after_s)
{
  CabFhirRequest *req;

  g_return_val_if_fail (G_IS_TASK (result), 0);

  req = g_task_get_task_data (G_TASK (result));
  if (retry_after_s != NULL)
    *retry_after_s = req != NULL ? req->retry_after_s : -1;
  return req != NULL ? req->status : 0;
}

void
cab_fhir_response_free (CabFhirResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->etag);
  g_free (response->location);
  g_free (response->last_modified);
  g_free (response->content_type);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response);
}

void
cab_fhir_page_free (CabFhirPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->records, g_ptr_array_unref);
  g_free (page->next_url);
  g_free (page);
}

/* ------------------------------------------------------------------- sending */

static GTask *
cab_fhir_client_new_task (CabFhirClient   *self,
                          CabFhirRequest  *req,
                          gpointer         source_tag,
                          GCancellable    *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer         user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, req, (GDestroyNotify) cab_fhir_request_free);
  return task;
}

static void
cab_fhir_client_submit (CabFhirClient       *self,
                        CabFhirMode          mode,
                        const char          *method,
                        const char          *path_or_url,
                        GHashTable          *headers,
                        const char          *content_type,
                        GBytes              *body,
                        JsonNode            *body_node,
                        CabFhirRequestFlags  flags,
                        gpointer             source_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = cab_fhir_client_build_url (self, path_or_url);
  CabFhirRequest *req;

  req = cab_fhir_request_new (mode, method, url, headers, content_type, body, flags);
  if (body_node != NULL)
    req->body_node = json_node_ref (body_node);
  task = cab_fhir_client_new_task (self, req, source_tag,
                                   cancellable, callback, user_data);

  if (url == NULL)
    {
      g_task_return_new_error (task, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT,
                               _("The address is not on the health-space server: refused"));
      return;
    }

  cab_fhir_request_start (g_steal_pointer (&task));
}

void
cab_fhir_client_send_async (CabFhirClient       *self,
                            const char          *method,
                            const char          *path_or_url,
                            GHashTable          *headers,
                            const char          *content_type,
                            GBytes              *body,
                            CabFhirRequestFlags  flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_or_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEND, method, path_or_url, headers,
                          content_type, body, NULL, flags, cab_fhir_client_send_async,
                          cancellable, callback, user_data);
}

CabFhirResponse *
cab_fhir_client_send_finish (CabFhirClient  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cab_fhir_client_search_async (CabFhirClient       *self,
                              const char          *path_or_url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (path_or_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEARCH, "GET", path_or_url, NULL,
                          NULL, NULL, NULL, CAB_FHIR_REQUEST_DEFAULT,
                          cab_fhir_client_search_async, cancellable, callback, user_data);
}

CabFhirPage *
cab_fhir_client_search_finish (CabFhirClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cab_fhir_client_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Resource type and id are path segments: escape them so an id can never add
 * a segment or a query. */
static char *
resource_path (const char *type,
               const char *id)
{
  g_autofree char *etype = g_uri_escape_string (type, NULL, FALSE);
  g_autofree char *eid = id != NULL ? g_uri_escape_string (id, NULL, FALSE) : NULL;

  return eid != NULL ? g_strconcat (etype, "/", eid, NULL) : g_steal_pointer (&etype);
}

static GHashTable *
one_header (const char *name,
            const char *value)
{
  GHashTable *headers = g_hash_table_new (g_str_hash, g_str_equal);

  if (value != NULL)
    g_hash_table_insert (headers, (gpointer) name, (gpointer) value);
  return headers;
}

void
cab_fhir_client_read_async (CabFhirClient       *self,
                            const char          *type,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (type != NULL && id != NULL);

  path = resource_path (type, id);
  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEND, "GET", path, NULL, NULL, NULL, NULL,
                          CAB_FHIR_REQUEST_DEFAULT, cab_fhir_client_read_async,
                          cancellable, callback, user_data);
}

void
cab_fhir_client_create_async (CabFhirClient       *self,
                              const char          *type,
                              JsonNode            *resource,
                              const char          *if_none_exist,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GHashTable) headers = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (type != NULL && resource != NULL);

  path = resource_path (type, NULL);
  headers = one_header ("If-None-Exist", if_none_exist);
  /* A conditional create is deduplicated by the server: safe to resend. */
  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEND, "POST", path, headers,
                          "application/fhir+json", NULL, resource,
                          if_none_exist != NULL ? CAB_FHIR_REQUEST_RETRY_UNSAFE : CAB_FHIR_REQUEST_DEFAULT,
                          cab_fhir_client_create_async, cancellable, callback, user_data);
}

/* PUT and PATCH of one resource: the same request but for the method and
 * the body's type. With If-Match the server applies it to that version
 * only, so a resend after a lost answer cannot apply it twice. */
static void
write_resource (CabFhirClient       *self,
                const char          *method,
                const char          *content_type,
                const char          *type,
                const char          *id,
                JsonNode            *body,
                const char          *if_match,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GHashTable) headers = one_header ("If-Match", if_match);
  g_autofree char *path = resource_path (type, id);

  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEND, method, path, headers, content_type, NULL, body,
                          if_match != NULL ? CAB_FHIR_REQUEST_RETRY_UNSAFE : CAB_FHIR_REQUEST_DEFAULT,
                          source_tag, cancellable, callback, user_data);
}

void
cab_fhir_client_update_async (CabFhirClient       *self,
                              const char          *type,
                              const char          *id,
                              JsonNode            *resource,
                              const char          *if_match,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (type != NULL && id != NULL && resource != NULL);

  write_resource (self, "PUT", "application/fhir+json", type, id, resource, if_match,
                  cab_fhir_client_update_async, cancellable, callback, user_data);
}

void
cab_fhir_client_patch_async (CabFhirClient       *self,
                             const char          *type,
                             const char          *id,
                             JsonNode            *patch,
                             const char          *if_match,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (type != NULL && id != NULL && patch != NULL);

  write_resource (self, "PATCH", "application/json-patch+json", type, id, patch, if_match,
                  cab_fhir_client_patch_async, cancellable, callback, user_data);
}

void
cab_fhir_client_transaction_async (CabFhirClient       *self,
                                   JsonNode            *bundle,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (bundle != NULL);

  /* Callers build transactions from conditional entries (If-None-Exist,
   * If-Match), so a resend after a lost answer does not duplicate. */
  cab_fhir_client_submit (self, CAB_FHIR_MODE_SEND, "POST", "", NULL,
                          "application/fhir+json", NULL, bundle,
                          CAB_FHIR_REQUEST_RETRY_UNSAFE,
                          cab_fhir_client_transaction_async, cancellable, callback, user_data);
}

CabFhirResponse *
cab_fhir_client_request_finish (CabFhirClient  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cab_fhir_client_download_async (CabFhirClient       *self,
                                const char          *url,
                                const char          *accept,
                                const char          *dest_path,
                                gint64               expected_size,
                                const char          *expected_sha1_base64,
                                CabFhirProgressFunc  progress,
                                gpointer             progress_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *full_url = NULL;
  CabFhirRequest *req;

  g_return_if_fail (CAB_IS_FHIR_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (dest_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  full_url = cab_fhir_client_build_url (self, url);
  req = cab_fhir_request_new (CAB_FHIR_MODE_DOWNLOAD, "GET", full_url, NULL, NULL, NULL,
                              CAB_FHIR_REQUEST_DEFAULT);
  req->accept = g_strdup (accept != NULL ? accept : "*/*");
  req->dest_path = g_strdup (dest_path);
  req->expected_size = expected_size;
  req->expected_sha1 = g_strdup (expected_sha1_base64);
  req->progress = progress;
  req->progress_data = progress_data;
  task = cab_fhir_client_new_task (self, req, cab_fhir_client_download_async,
                                   cancellable, callback, user_data);

  if (full_url == NULL)
    {
      g_task_return_new_error (task, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT,
                               _("The document address is on another server: refused"));
      return;
    }

  cab_fhir_request_start (g_steal_pointer (&task));
}

gboolean
cab_fhir_client_download_finish (CabFhirClient  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (CAB_IS_FHIR_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cab_fhir_client_download_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
