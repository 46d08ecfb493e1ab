/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-fhir-client"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-json-read.h"
#include "cab-fhir-client-private.h"

/*
 * The request engine: one CabFhirRequest per logical request, driven through
 * send -> headers -> body -> decision (redirect, token refresh, retry) on the
 * caller's main context, then the result (JSON parsing, Bundle flattening,
 * download commit) is built on a worker thread.
 */

static void cab_fhir_request_send (GTask *task);

/* ---------------------------------------------------------------- auxiliary */

CabFhirRequest *
cab_fhir_request_new (CabFhirMode          mode,
                      const char          *method,
                      const char          *url,
                      GHashTable          *headers,
                      const char          *content_type,
                      GBytes              *body,
                      CabFhirRequestFlags  flags)
{
  CabFhirRequest *req = g_new0 (CabFhirRequest, 1);

  req->mode = mode;
  req->method = g_strdup (method);
  req->url = g_strdup (url);
  req->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (headers != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (key != NULL && value != NULL)
          g_hash_table_insert (req->headers, g_strdup (key), g_strdup (value));
    }
  req->content_type = g_strdup (content_type);
  req->body = body != NULL ? g_bytes_ref (body) : NULL;
  req->flags = flags;
  req->content_length = -1;
  req->retry_after_s = -1;
  req->fd = -1;
  req->expected_size = -1;
  return req;
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

void
cab_fhir_request_free (CabFhirRequest *req)
{
  destroy_source (&req->wait_source);
  destroy_source (&req->cancel_source);
  cab_fhir_request_stop_deadline (req);
  if (req->caller_handler != 0)
    g_cancellable_disconnect (req->caller_cancellable, req->caller_handler);
  g_clear_object (&req->caller_cancellable);
  g_clear_object (&req->attempt_cancellable);
  cab_fhir_download_discard (req);
  g_free (req->method);
  g_free (req->url);
  g_clear_pointer (&req->headers, g_hash_table_unref);
  g_free (req->content_type);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_clear_pointer (&req->body_node, json_node_unref);
  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  if (req->buffer != NULL)
    g_byte_array_unref (req->buffer);
  g_free (req->reason);
  g_free (req->etag);
  g_free (req->location);
  g_free (req->last_modified);
  g_free (req->resp_content_type);
  g_clear_pointer (&req->resp_body, g_bytes_unref);
  g_free (req->dest_path);
  g_free (req->accept);
  g_clear_pointer (&req->sha1, g_checksum_free);
  g_free (req->expected_sha1);
  g_free (req);
}

static gboolean
has_header (CabFhirRequest *req,
            const char     *name)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, req->headers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_ascii_strcasecmp (key, name) == 0)
      return TRUE;
  return FALSE;
}

/* Whether resending cannot do something twice on the server. */
static gboolean
can_retry (CabFhirClient  *self,
           CabFhirRequest *req)
{
  if ((req->flags & CAB_FHIR_REQUEST_NO_RETRY) != 0
      || req->n_attempts_retried >= self->max_retries)
    return FALSE;
  if (g_str_equal (req->method, "GET") || g_str_equal (req->method, "HEAD")
      || g_str_equal (req->method, "DELETE") || g_str_equal (req->method, "OPTIONS"))
    return TRUE;
  if (g_str_equal (req->method, "PUT") && has_header (req, "If-Match"))
    return TRUE;
  return (req->flags & CAB_FHIR_REQUEST_RETRY_UNSAFE) != 0;
}

static gboolean
is_transient_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_CONNECTION_CLOSED:
        case G_IO_ERROR_PARTIAL_INPUT:
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_NOT_CONNECTED:
        case G_IO_ERROR_CLOSED:
        case G_IO_ERROR_PROXY_FAILED:
        case G_IO_ERROR_FAILED:
          return TRUE;
        default:
          return FALSE;
        }
    }
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  /* A connection cut in the middle of the headers reads as garbage. */
  if (error->domain == SOUP_SESSION_ERROR)
    return error->code == SOUP_SESSION_ERROR_PARSING;
  return FALSE;
}

static gboolean
is_redirect (guint status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static gboolean
is_success (CabFhirRequest *req)
{
  if (req->mode == CAB_FHIR_MODE_DOWNLOAD)
    return req->status >= 200 && req->status < 300;
  return (req->status >= 200 && req->status < 300) || req->status == 304;
}

/* Seconds from a Retry-After header (delta-seconds or HTTP-date), -1 if none. */
static gint64
parse_retry_after (const char *value)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;
  text = g_strstrip (g_strdup (value));
  if (*text == '\0')
    return -1;
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &seconds, NULL))
    return (gint64) seconds;

  when = soup_date_time_new_from_http_string (text);
  if (when == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  /* Rounded up: a date is the earliest the server will answer, and a wait
   * rounded down sent the retry up to a second before it. */
  return MAX (0, (g_date_time_difference (when, now) + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND);
}

/* Full jitter: uniform in [0, min(cap, initial * 2^n)]. */
static guint
backoff_delay_ms (CabFhirClient  *self,
                  CabFhirRequest *req)
{
  guint64 ceiling = (guint64) self->initial_delay_ms << MIN (req->n_attempts_retried, 20);

  ceiling = MIN (ceiling, CAB_FHIR_MAX_BACKOFF_MS);
  return (guint) g_random_int_range (0, (gint32) ceiling + 1);
}

static CabFhirClientError
certificate_code (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA;
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return CAB_FHIR_CLIENT_ERROR_TLS_BAD_IDENTITY;
  if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return CAB_FHIR_CLIENT_ERROR_TLS_EXPIRED;
  return CAB_FHIR_CLIENT_ERROR_TLS_FAILED;
}

static const char *
certificate_problem (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("it is not signed by the configured certificate authority");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("it does not match the server's name");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("it has expired");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("it is not valid yet");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("it has been revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("it uses an insecure algorithm");
  return _("it could not be verified");
}

/* -------------------------------------------------------------- completion */

void
cab_fhir_request_return_error (GTask  *task,
                               GError *error)
{
  CabFhirRequest *req = g_task_get_task_data (task);

  cab_fhir_request_stop_deadline (req);
  cab_fhir_download_discard (req);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* An OperationOutcome carrying an error or fatal issue, even under a 2xx. */
static GError *
outcome_error (JsonNode *root,
               guint     status,
               gboolean  any_severity)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonNode *issues;
  gboolean failed = any_severity;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (g_strcmp0 (cab_json_read_string (object, "resourceType"), "OperationOutcome") != 0)
    return NULL;

  issues = json_object_get_member (object, "issue");
  if (!failed && issues != NULL && JSON_NODE_HOLDS_ARRAY (issues))
    {
      JsonArray *array = json_node_get_array (issues);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *issue = json_array_get_element (array, i);
          const char *severity;

          if (!JSON_NODE_HOLDS_OBJECT (issue))
            continue;
          severity = cab_json_read_string (json_node_get_object (issue), "severity");
          if (g_strcmp0 (severity, "error") == 0 || g_strcmp0 (severity, "fatal") == 0)
            failed = TRUE;
        }
    }
  if (!failed)
    return NULL;

  error = cab_fhir_error_from_outcome (object, status);
  return g_error_new_literal (CAB_FHIR_ERROR, CAB_FHIR_ERROR_OUTCOME,
                              error != NULL ? error->message : _("The server reported an error"));
}

static GError *
status_error (CabFhirRequest *req)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) outcome = NULL;
  CabFhirError code;
  guint status = req->status;

  if (req->resp_body != NULL && g_bytes_get_size (req->resp_body) > 0)
    {
      gsize size;
      const char *data = g_bytes_get_data (req->resp_body, &size);
      gsize i = 0;

      while (i < size && g_ascii_isspace (data[i]))
        i++;
      if (cab_fhir_content_type_is_json (req->resp_content_type) || (i < size && data[i] == '{'))
        root = cab_fhir_parse_bytes (req->resp_body, NULL);
    }
  outcome = outcome_error (root, status, TRUE);

  if (status == 401)
    code = CAB_FHIR_ERROR_UNAUTHORIZED;
  else if (status == 403)
    code = CAB_FHIR_ERROR_FORBIDDEN;
  else if (status == 404 || status == 410)
    code = CAB_FHIR_ERROR_NOT_FOUND;
  else if (status == 409 || status == 412)
    code = CAB_FHIR_ERROR_CONFLICT;
  else if (outcome != NULL)
    code = CAB_FHIR_ERROR_OUTCOME;
  else
    code = CAB_FHIR_ERROR_HTTP;

  /* The server's diagnostics, never the raw body. */
  if (outcome != NULL)
    return g_error_new_literal (CAB_FHIR_ERROR, code, outcome->message);
  if (is_redirect (status))
    return g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_HTTP,
                        _("The server answered a redirection without a destination (%u)"), status);
  return g_error_new (CAB_FHIR_ERROR, code, _("The server answered “%u %s”"),
                      status, req->reason != NULL ? req->reason : soup_status_get_phrase (status));
}

static JsonNode *
parse_body (CabFhirRequest  *req,
            GError         **error)
{
  if (req->resp_body == NULL || g_bytes_get_size (req->resp_body) == 0)
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE, _("The server sent an empty answer"));
      return NULL;
    }
  return cab_fhir_parse_bytes (req->resp_body, error);
}

static CabFhirPage *
build_page (CabFhirClient   *self,
            CabFhirRequest  *req,
            JsonNode        *root,
            GError         **error)
{
  g_autoptr(CabFhirPage) page = g_new0 (CabFhirPage, 1);
  g_autofree char *next = NULL;
  JsonObject *bundle;
  JsonNode *total;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || g_strcmp0 (cab_json_read_string (json_node_get_object (root), "resourceType"), "Bundle") != 0)
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                   _("The server's search answer is not a Bundle"));
      return NULL;
    }
  bundle = json_node_get_object (root);

  page->records = cab_fhir_bundle_get_records_from_text (bundle, req->resp_body, &next,
                                                         &page->n_invalid, error);
  if (page->records == NULL)
    return NULL;
  g_ptr_array_set_free_func (page->records, (GDestroyNotify) cab_fhir_record_free);

  if (next != NULL && *next != '\0')
    {
      page->next_url = cab_fhir_client_build_url (self, next);
      if (page->next_url == NULL)
        {
          g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT,
                       _("The server's next page is on another host: refused"));
          return NULL;
        }
    }

  total = json_object_get_member (bundle, "total");
  page->total = -1;
  if (total != NULL && JSON_NODE_HOLDS_VALUE (total)
      && json_node_get_value_type (total) == G_TYPE_INT64)
    page->total = json_node_get_int (total);
  page->n_bytes = g_bytes_get_size (req->resp_body);

  return g_steal_pointer (&page);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CabFhirClient *self = source_object;
  CabFhirRequest *req = task_data;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  gboolean is_json = cab_fhir_content_type_is_json (req->resp_content_type);

  if (!is_success (req))
    {
      cab_fhir_download_discard (req);
      g_task_return_error (task, status_error (req));
      return;
    }

  if (req->mode == CAB_FHIR_MODE_DOWNLOAD && req->streamed)
    {
      if (!cab_fhir_download_commit (req, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  if (req->mode != CAB_FHIR_MODE_SEND || (is_json && req->resp_body != NULL
                                          && g_bytes_get_size (req->resp_body) > 0))
    {
      root = parse_body (req, &error);
      if (root == NULL)
        {
          cab_fhir_download_discard (req);
          g_task_return_error (task, error);
          return;
        }
      /* A hostile or confused server may wrap a failure in a 200. */
      error = outcome_error (root, req->status, FALSE);
      if (error != NULL)
        {
          cab_fhir_download_discard (req);
          g_task_return_error (task, error);
          return;
        }
    }

  switch (req->mode)
    {
    case CAB_FHIR_MODE_SEND:
      {
        CabFhirResponse *response = g_new0 (CabFhirResponse, 1);

        response->status = req->status;
        response->body = req->resp_body != NULL ? g_bytes_ref (req->resp_body) : g_bytes_new (NULL, 0);
        response->etag = g_strdup (req->etag);
        response->location = g_strdup (req->location);
        response->last_modified = g_strdup (req->last_modified);
        response->content_type = g_strdup (req->resp_content_type);
        response->json = g_steal_pointer (&root);
        g_task_return_pointer (task, response, (GDestroyNotify) cab_fhir_response_free);
      }
      break;

    case CAB_FHIR_MODE_SEARCH:
      {
        CabFhirPage *page = build_page (self, req, root, &error);

        if (page == NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, page, (GDestroyNotify) cab_fhir_page_free);
      }
      break;

    case CAB_FHIR_MODE_DOWNLOAD:
      if (!cab_fhir_download_write_json (req, root, &error)
          || !cab_fhir_download_commit (req, &error))
        {
          cab_fhir_download_discard (req);
          g_task_return_error (task, error);
        }
      else
        g_task_return_boolean (task, TRUE);
      break;

    default:
      g_assert_not_reached ();
    }
}

void
cab_fhir_request_complete (GTask *task)
{
  CabFhirRequest *req = g_task_get_task_data (task);

  /* libsoup objects stay on this thread; the worker sees plain data only. */
  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  /* A download that reached its last byte is kept even if cancelled now. */
  if (req->mode == CAB_FHIR_MODE_DOWNLOAD)
    g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, request_thread);
  g_object_unref (task);
}

/* ------------------------------------------------------------------ retries */

static gboolean
on_retry_timeout (gpointer user_data)
{
  GTask *task = user_data;
  CabFhirRequest *req = g_task_get_task_data (task);

  destroy_source (&req->cancel_source);
  g_clear_pointer (&req->wait_source, g_source_unref);
  cab_fhir_request_send (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_retry_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  CabFhirRequest *req = g_task_get_task_data (task);
  GError *error = NULL;

  destroy_source (&req->wait_source);
  g_clear_pointer (&req->cancel_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  cab_fhir_request_return_error (task, error);
  return G_SOURCE_REMOVE;
}

/* Waits on the caller's main context, never by sleeping; cancellable. */
static void
schedule_retry (GTask *task,
                guint  delay_ms)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GMainContext *context = g_task_get_context (task);

  req->n_attempts_retried++;
  cab_fhir_client_count (self, 0, 1, 0);
  g_debug ("Retry %u of %s in %u ms", req->n_attempts_retried, req->method, delay_ms);

  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  g_clear_pointer (&req->resp_body, g_bytes_unref);

  /* Both sources share the task reference: whichever fires destroys the other. */
  req->wait_source = g_timeout_source_new (delay_ms);
  g_source_set_static_name (req->wait_source, "[cab-fhir-client] retry");
  g_source_set_callback (req->wait_source, on_retry_timeout, task, NULL);
  g_source_attach (req->wait_source, context);

  if (cancellable != NULL)
    {
      req->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (req->cancel_source, G_SOURCE_FUNC (on_retry_cancelled), task, NULL);
      g_source_attach (req->cancel_source, context);
    }
}

void
cab_fhir_request_network_error (GTask  *task,
                                GError *error)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) cause = error;

  cab_fhir_request_stop_deadline (req);
  cab_fhir_request_check_deadline (req, &cause);
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cab_fhir_request_return_error (task, g_steal_pointer (&cause));
      return;
    }

  if (is_transient_error (cause) && can_retry (self, req))
    {
      g_debug ("%s failed: %s", req->method, cause->message);
      schedule_retry (task, backoff_delay_ms (self, req));
      return;
    }

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    cab_fhir_request_return_error (task,
      g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK,
                   _("The health-space server did not answer in time")));
  else
    cab_fhir_request_return_error (task,
      g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK,
                   _("Cannot reach the health-space server: %s"), cause->message));
}

/* ----------------------------------------------------------------- decision */

static void
follow_redirect (GTask *task)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GUri) target = NULL;
  g_autofree char *target_text = NULL;
  g_autofree char *url = NULL;

  if (req->n_redirects >= CAB_FHIR_MAX_REDIRECTS)
    {
      cab_fhir_request_return_error (task,
        g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT,
                     _("The server redirected too many times")));
      return;
    }

  target = g_uri_parse_relative (soup_message_get_uri (req->msg), req->location,
                                 SOUP_HTTP_URI_FLAGS, NULL);
  if (target != NULL)
    target_text = g_uri_to_string (target);
  if (target_text != NULL)
    url = cab_fhir_client_build_url (self, target_text);
  if (url == NULL)
    {
      cab_fhir_request_return_error (task,
        g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT,
                     _("The server redirected to another host: refused")));
      return;
    }

  req->n_redirects++;
  g_free (req->url);
  req->url = g_steal_pointer (&url);
  if (req->status == 303 || ((req->status == 301 || req->status == 302)
                             && g_str_equal (req->method, "POST")))
    {
      g_free (req->method);
      req->method = g_strdup ("GET");
      g_clear_pointer (&req->body, g_bytes_unref);
    }
  g_clear_object (&req->msg);
  g_clear_object (&req->stream);
  cab_fhir_request_send (task);
}

/* The response body is in memory: redirect, refresh, retry or complete. */
static void
body_done (GTask *task)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);

  if (is_redirect (req->status) && req->location != NULL)
    {
      follow_redirect (task);
      return;
    }

  if (req->status == 401 && !req->refreshed && self->refresh_func != NULL)
    {
      g_autofree char *token = NULL;

      req->refreshed = TRUE;
      token = self->refresh_func (self, self->refresh_data);
      if (token != NULL)
        {
          cab_fhir_client_set_token (self, token);
          memset (token, 0, strlen (token));
          g_clear_object (&req->msg);
          g_clear_object (&req->stream);
          cab_fhir_request_send (task);
          return;
        }
    }

  /* Other requests' retries wait for this Retry-After too, and this one
   * for theirs: the server is busy, whichever request it told. */
  if ((req->status == 429 || req->status == 503) && req->retry_after_s >= 0
      && req->retry_after_s <= CAB_FHIR_MAX_RETRY_AFTER_S)
    {
      gint64 until_us = g_get_monotonic_time () + req->retry_after_s * G_USEC_PER_SEC;

      g_mutex_lock (&self->stats_lock);
      self->retry_not_before_us = MAX (self->retry_not_before_us, until_us);
      g_mutex_unlock (&self->stats_lock);
    }

  if ((req->status >= 500 || req->status == 429) && can_retry (self, req)
      && req->retry_after_s <= CAB_FHIR_MAX_RETRY_AFTER_S)
    {
      guint delay = backoff_delay_ms (self, req);
      gint64 now_us = g_get_monotonic_time ();
      gint64 not_before_us = cab_fhir_client_get_busy_until (self);

      if (req->retry_after_s >= 0)
        delay = MAX (delay, (guint) req->retry_after_s * 1000);
      if (not_before_us > now_us)
        delay = MAX (delay, (guint) ((not_before_us - now_us + 999) / 1000));
      schedule_retry (task, delay);
      return;
    }

  cab_fhir_request_complete (task);
}

/* ------------------------------------------------------------- body reading */

static void read_next (GTask *task);

static void
on_read_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize before = req->buffer->len - CAB_FHIR_CHUNK_SIZE;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      cab_fhir_request_check_deadline (req, &error);
      g_byte_array_set_size (req->buffer, before);
      g_clear_pointer (&req->buffer, g_byte_array_unref);
      /* Cut mid-body: the whole exchange is retried when the method allows. */
      cab_fhir_request_network_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  g_byte_array_set_size (req->buffer, before + n);
  cab_fhir_client_count (self, 0, 0, n);
  req->received += n;
  if (req->progress != NULL && n > 0 && is_success (req))
    req->progress (req->received, req->content_length, req->progress_data);

  if (req->buffer->len > req->limit)
    {
      if (!req->truncate)
        {
          g_clear_pointer (&req->buffer, g_byte_array_unref);
          cab_fhir_request_return_error (g_steal_pointer (&task),
            g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_LARGE,
                         _("The server's answer is larger than %u MiB"),
                         (guint) (req->limit / (1024 * 1024))));
          return;
        }
      /* An error body is only read for its diagnostics: keep the start. */
      g_byte_array_set_size (req->buffer, req->limit);
      n = 0;
    }

  if (n > 0)
    {
      read_next (g_steal_pointer (&task));
      return;
    }

  cab_fhir_request_stop_deadline (req);
  g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&req->stream);
  req->resp_body = g_byte_array_free_to_bytes (g_steal_pointer (&req->buffer));
  body_done (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  CabFhirRequest *req = g_task_get_task_data (task);
  guint before = req->buffer->len;

  g_byte_array_set_size (req->buffer, before + CAB_FHIR_CHUNK_SIZE);
  g_input_stream_read_async (req->stream, req->buffer->data + before, CAB_FHIR_CHUNK_SIZE,
                             G_PRIORITY_DEFAULT, req->attempt_cancellable,
                             on_read_ready, task);
}

static void
read_body (GTask    *task,
           gsize     limit,
           gboolean  truncate)
{
  CabFhirRequest *req = g_task_get_task_data (task);
  gsize reserve = CAB_FHIR_CHUNK_SIZE;

  if (req->content_length > 0 && (guint64) req->content_length <= limit)
    reserve += req->content_length;
  req->limit = limit;
  req->truncate = truncate;
  req->received = 0;
  g_clear_pointer (&req->buffer, g_byte_array_unref);
  req->buffer = g_byte_array_sized_new (reserve);
  cab_fhir_request_watch_body (task);
  read_next (task);
}

/* ---------------------------------------------------------------- deadlines */

/* libsoup's timeout is per read: a server sending one byte a second never
 * trips it. Each attempt therefore gets its own cancellable, which a timer
 * cancels when the headers are late or the body is too slow; the caller's
 * cancellable is chained to it. */

static void
on_caller_cancelled (GCancellable *caller,
                     GCancellable *attempt)
{
  g_cancellable_cancel (attempt);
}

void
cab_fhir_request_stop_deadline (CabFhirRequest *req)
{
  destroy_source (&req->deadline_source);
}

static gboolean
on_headers_deadline (gpointer user_data)
{
  CabFhirRequest *req = user_data;

  g_debug ("No response headers in time: giving up on this attempt");
  req->deadline_hit = TRUE;
  g_cancellable_cancel (req->attempt_cancellable);
  g_clear_pointer (&req->deadline_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  CabFhirRequest *req;
  guint           min_bytes;   /* per window */
} RateCheck;

static gboolean
on_rate_check (gpointer user_data)
{
  RateCheck *check = user_data;
  CabFhirRequest *req = check->req;

  if (req->received - req->window_start_bytes >= (goffset) check->min_bytes)
    {
      req->window_start_bytes = req->received;
      return G_SOURCE_CONTINUE;
    }

  g_debug ("Body slower than the minimum rate: giving up on this attempt");
  req->deadline_hit = TRUE;
  g_cancellable_cancel (req->attempt_cancellable);
  g_clear_pointer (&req->deadline_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* A fresh cancellable and the headers deadline for the attempt about to be sent. */
static void
start_attempt (GTask *task)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  GCancellable *caller = g_task_get_cancellable (task);

  cab_fhir_request_stop_deadline (req);
  if (req->caller_handler != 0)
    g_cancellable_disconnect (req->caller_cancellable, req->caller_handler);
  req->caller_handler = 0;
  g_clear_object (&req->caller_cancellable);
  g_clear_object (&req->attempt_cancellable);

  req->deadline_hit = FALSE;
  req->attempt_cancellable = g_cancellable_new ();
  if (caller != NULL)
    {
      req->caller_cancellable = g_object_ref (caller);
      req->caller_handler = g_cancellable_connect (caller, G_CALLBACK (on_caller_cancelled),
                                                   g_object_ref (req->attempt_cancellable),
                                                   g_object_unref);
    }

  req->deadline_source = g_timeout_source_new_seconds (self->headers_timeout_s);
  g_source_set_static_name (req->deadline_source, "[cab-fhir-client] headers deadline");
  g_source_set_callback (req->deadline_source, on_headers_deadline, req, NULL);
  g_source_attach (req->deadline_source, g_main_context_get_thread_default ());
}

void
cab_fhir_request_watch_body (GTask *task)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  RateCheck *check;

  cab_fhir_request_stop_deadline (req);
  if (self->min_rate == 0)
    return;

  check = g_new0 (RateCheck, 1);
  check->req = req;
  check->min_bytes = (guint) MIN ((guint64) self->min_rate * self->rate_window_s, G_MAXUINT);
  req->window_start_bytes = req->received;
  req->deadline_source = g_timeout_source_new_seconds (self->rate_window_s);
  g_source_set_static_name (req->deadline_source, "[cab-fhir-client] body rate");
  g_source_set_callback (req->deadline_source, on_rate_check, check, g_free);
  g_source_attach (req->deadline_source, g_main_context_get_thread_default ());
}

void
cab_fhir_request_check_deadline (CabFhirRequest  *req,
                                 GError         **error)
{
  if (!req->deadline_hit || *error == NULL
      || !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || (req->caller_cancellable != NULL && g_cancellable_is_cancelled (req->caller_cancellable)))
    return;

  g_clear_error (error);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The server sent its answer too slowly");
}

/* ---------------------------------------------------------------- sending */

static void
snapshot_response (CabFhirRequest *req)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (req->msg);

  req->status = soup_message_get_status (req->msg);
  g_free (req->reason);
  req->reason = g_strdup (soup_message_get_reason_phrase (req->msg));
  g_free (req->etag);
  req->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  g_free (req->location);
  req->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  g_free (req->last_modified);
  req->last_modified = g_strdup (soup_message_headers_get_one (headers, "Last-Modified"));
  g_free (req->resp_content_type);
  req->resp_content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  req->retry_after_s = parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"));
  /* With a Content-Encoding the length is the compressed one: unknown. */
  req->content_length = -1;
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_one (headers, "Content-Encoding") == NULL)
    req->content_length = soup_message_headers_get_content_length (headers);
}

static void
on_send_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GInputStream *stream;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  cab_fhir_request_stop_deadline (req);
  if (stream == NULL)
    {
      GTlsCertificateFlags flags = soup_message_get_tls_peer_certificate_errors (req->msg);

      if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) || flags != 0)
        {
          /* Not transient: retrying would only hide a configuration problem. */
          cab_fhir_request_return_error (g_steal_pointer (&task),
            g_error_new (CAB_FHIR_CLIENT_ERROR, certificate_code (flags),
                         _("The server's certificate is not trusted: %s"),
                         certificate_problem (flags)));
          return;
        }
      if (error->domain == G_TLS_ERROR)
        {
          cab_fhir_request_return_error (g_steal_pointer (&task),
            g_error_new (CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_TLS_FAILED,
                         _("The secure connection to the server failed: %s"), error->message));
          return;
        }
      cab_fhir_request_network_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  req->stream = stream;
  snapshot_response (req);

  if (!is_success (req))
    read_body (g_steal_pointer (&task), CAB_FHIR_MAX_ERROR_BODY, TRUE);
  else if (req->mode == CAB_FHIR_MODE_DOWNLOAD
           && req->content_length > 0 && (guint64) req->content_length > self->max_download)
    cab_fhir_request_return_error (g_steal_pointer (&task), cab_fhir_download_too_large (self));
  else if (req->mode == CAB_FHIR_MODE_DOWNLOAD
           && !cab_fhir_content_type_is_json (req->resp_content_type))
    cab_fhir_download_stream (g_steal_pointer (&task));
  else if (req->content_length > 0 && (guint64) req->content_length > self->max_json_body)
    cab_fhir_request_return_error (g_steal_pointer (&task),
      g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_LARGE,
                   _("The server's answer is larger than %u MiB"),
                   (guint) MAX (self->max_json_body / (1024 * 1024), 1)));
  else if (req->mode == CAB_FHIR_MODE_DOWNLOAD)
    /* A Binary as JSON: base64 takes 4 bytes for 3, plus the resource around. */
    read_body (g_steal_pointer (&task),
               (gsize) MIN ((guint64) CAB_FHIR_MAX_JSON_BODY,
                            self->max_download / 3 * 4 + CAB_FHIR_CHUNK_SIZE),
               FALSE);
  else
    read_body (g_steal_pointer (&task), self->max_json_body, FALSE);
}

static void
cab_fhir_request_send (GTask *task)
{
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;
  GHashTableIter iter;
  gpointer key, value;

  /* What the previous attempt (redirect, 401, retry) received is obsolete. */
  g_clear_pointer (&req->resp_body, g_bytes_unref);

  uri = g_uri_parse (req->url, SOUP_HTTP_URI_FLAGS, NULL);
  g_assert (uri != NULL);  /* checked by build_url */
  msg = soup_message_new_from_uri (req->method, uri);
  /* Redirects are followed by hand, only on the same host: the bearer token
   * must never reach another server. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  /* Otherwise libsoup opens a new connection for every POST. */
  if ((req->flags & (CAB_FHIR_REQUEST_IDEMPOTENT | CAB_FHIR_REQUEST_RETRY_UNSAFE)) != 0)
    soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept",
                                req->mode == CAB_FHIR_MODE_DOWNLOAD ? req->accept
                                                                   : "application/fhir+json");
  if (self->token != NULL && *self->token != '\0')
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
      memset (authorization, 0, strlen (authorization));
    }
  g_hash_table_iter_init (&iter, req->headers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    soup_message_headers_replace (headers, key, value);
  if (req->body != NULL)
    soup_message_set_request_body_from_bytes (msg,
                                              req->content_type != NULL ? req->content_type
                                                                        : "application/fhir+json",
                                              req->body);

  /* Method and path only: queries carry identifiers (INS). */
  g_debug ("%s %s", req->method, g_uri_get_path (uri));
  cab_fhir_client_count (self, 1, 0, 0);

  g_set_object (&req->msg, msg);
  start_attempt (task);
  soup_session_send_async (self->session, msg, CAB_FHIR_IO_PRIORITY,
                           req->attempt_cancellable, on_send_ready, task);
}

/* ------------------------------------------------------------ serialization */

static void
serialize_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  gsize length = 0;
  char *text = json_to_string (task_data, FALSE);

  length = strlen (text);
  g_task_return_pointer (task, g_bytes_new_take (text, length), (GDestroyNotify) g_bytes_unref);
}

static void
on_serialized (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  req->body = g_task_propagate_pointer (G_TASK (result), &error);
  if (req->body == NULL)
    {
      cab_fhir_request_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&req->body_node, json_node_unref);
  cab_fhir_request_send (g_steal_pointer (&task));
}

void
cab_fhir_request_start (GTask *task)
{
  CabFhirRequest *req = g_task_get_task_data (task);

  /* A transaction may carry megabytes of base64: not on the main thread. */
  if (req->body_node != NULL)
    {
      g_autoptr(GTask) serialize = g_task_new (NULL, g_task_get_cancellable (task),
                                               on_serialized, task);

      g_task_set_source_tag (serialize, cab_fhir_request_start);
      g_task_set_task_data (serialize, json_node_ref (req->body_node),
                            (GDestroyNotify) json_node_unref);
      g_task_run_in_thread (serialize, serialize_thread);
      return;
    }

  cab_fhir_request_send (task);
}
