/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "cab-fhir-resource.h"

G_BEGIN_DECLS

/* Thread-safety: use a client from the thread-default main context of the
 * thread that created it; callbacks, the refresh and progress functions run
 * there. Only cab_fhir_client_get_stats() may be called from any thread. */
/* Failures of the connection itself that retrying cannot fix and that
 * callers tell apart by code (never by message): the server's certificate,
 * and the CA file given to trust it. The HTTP and FHIR outcomes stay in
 * CAB_FHIR_ERROR. */
#define CAB_FHIR_CLIENT_ERROR (cab_fhir_client_error_quark ())

typedef enum
{
  CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA,   /* not signed by a trusted (or the configured) CA */
  CAB_FHIR_CLIENT_ERROR_TLS_BAD_IDENTITY, /* issued for another host name */
  CAB_FHIR_CLIENT_ERROR_TLS_EXPIRED,      /* expired, or not valid yet */
  CAB_FHIR_CLIENT_ERROR_TLS_FAILED,       /* revoked, insecure, or the handshake failed */
  CAB_FHIR_CLIENT_ERROR_CA_FILE,          /* the CA file cannot be read or holds no certificate */
} CabFhirClientError;

GQuark   cab_fhir_client_error_quark  (void);
/* TRUE for the TLS codes above (not for CA_FILE). */
gboolean cab_fhir_client_error_is_tls (const GError *error);

/* Limits against slow or endless answers; see docs/architecture.md,
 * "Rules for hostile input", for how the defaults were chosen. */
#define CAB_FHIR_DEFAULT_HEADERS_TIMEOUT_S  60
#define CAB_FHIR_DEFAULT_MIN_RATE           1024      /* bytes per second... */
#define CAB_FHIR_DEFAULT_RATE_WINDOW_S      30        /* ...averaged over this window */
#define CAB_FHIR_DEFAULT_MAX_DOWNLOAD       (512 * 1024 * 1024)

#define CAB_TYPE_FHIR_CLIENT (cab_fhir_client_get_type ())
G_DECLARE_FINAL_TYPE (CabFhirClient, cab_fhir_client, CAB, FHIR_CLIENT, GObject)

typedef enum
{
  CAB_FHIR_REQUEST_DEFAULT      = 0,
  /* Retry a POST/PATCH after a connection error or 5xx/429: only for requests
   * the server can deduplicate (conditional create, If-Match). GET, PUT with
   * If-Match and DELETE are always retried. */
  CAB_FHIR_REQUEST_RETRY_UNSAFE = 1 << 0,
  CAB_FHIR_REQUEST_NO_RETRY     = 1 << 1,
  /* The server deduplicates this POST/PATCH (conditional create, If-Match)
   * even when the caller retries it itself: it may then go on a kept-alive
   * connection, which libsoup reserves for idempotent requests. */
  CAB_FHIR_REQUEST_IDEMPOTENT   = 1 << 2,
} CabFhirRequestFlags;

typedef struct
{
  guint       status;
  GBytes     *body;
  char       *etag;
  char       *location;
  char       *last_modified;
  char       *content_type;
  JsonNode   *json;          /* parsed body when it was JSON, else NULL */
} CabFhirResponse;

void cab_fhir_response_free (CabFhirResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabFhirResponse, cab_fhir_response_free)

typedef struct
{
  GPtrArray  *records;       /* CabFhirRecord*, flattened on a worker thread */
  char       *next_url;      /* Bundle link "next", or NULL on the last page */
  guint       n_invalid;     /* entries that could not be flattened */
  gint64      total;         /* Bundle.total, -1 when absent */
  gsize       n_bytes;       /* body size, for statistics */
} CabFhirPage;

void cab_fhir_page_free (CabFhirPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabFhirPage, cab_fhir_page_free)

/* Produces a fresh bearer token after a 401 (one refresh per request).
 * Called on the main context; return NULL when no refresh is possible. */
typedef char *(*CabFhirTokenRefreshFunc) (CabFhirClient *client,
                                          gpointer       user_data);

/* @base_url: any FHIR base, e.g. "https://host/fhir" (no trailing slash needed). */
CabFhirClient *cab_fhir_client_new              (const char      *base_url,
                                                 GError         **error);
const char    *cab_fhir_client_get_base_url     (CabFhirClient   *self);
void           cab_fhir_client_set_token        (CabFhirClient   *self,
                                                 const char      *token);
void           cab_fhir_client_set_token_refresh_func (CabFhirClient *self,
                                                 CabFhirTokenRefreshFunc func,
                                                 gpointer         user_data,
                                                 GDestroyNotify   destroy);
/* Whether @path (relative to the working directory, or absolute) holds at
 * least one PEM certificate; sets @absolute (may be NULL) to its absolute
 * path. FALSE with CAB_FHIR_CLIENT_ERROR_CA_FILE otherwise. */
gboolean       cab_fhir_client_check_ca_file    (const char      *path,
                                                 char           **absolute,
                                                 GError         **error);
/* Trust anchors for TLS: this CA file (PEM) replaces the system's. Verification
 * is never turned off. */
gboolean       cab_fhir_client_set_ca_file      (CabFhirClient   *self,
                                                 const char      *path,
                                                 GError         **error);
void           cab_fhir_client_set_timeout      (CabFhirClient   *self,
                                                 guint            seconds);
/* Every attempt must have its response headers within @headers_s seconds,
 * then receive its body at @min_rate bytes per second or more, measured over
 * each @window_s seconds; else it fails as a timeout (G_IO_ERROR_TIMED_OUT,
 * retried like one, then CAB_FHIR_ERROR_NETWORK). */
void           cab_fhir_client_set_deadlines    (CabFhirClient   *self,
                                                 guint            headers_s,
                                                 guint            min_rate,
                                                 guint            window_s);
/* Largest document a download may write, announced or not (default
 * CAB_FHIR_DEFAULT_MAX_DOWNLOAD): beyond, CAB_FHIR_ERROR_TOO_LARGE. */
void           cab_fhir_client_set_max_download (CabFhirClient   *self,
                                                 guint64          max_bytes);
/* Retries after the first attempt (default 6) and the first backoff delay in ms
 * (default 250, doubled each time with jitter, capped at 30 s). */
/* Largest JSON answer read (default and ceiling: 256 MiB); beyond,
 * CAB_FHIR_ERROR_TOO_LARGE. A client of a small service lowers it. */
void           cab_fhir_client_set_max_json_body (CabFhirClient  *self,
                                                 gsize            max_bytes);
void           cab_fhir_client_set_retry_policy (CabFhirClient   *self,
                                                 guint            max_retries,
                                                 guint            initial_delay_ms);
void           cab_fhir_client_set_max_connections (CabFhirClient *self,
                                                 guint            max);

/* Resolves a relative "Type?query", "Type/id" or "../x" against the base URL;
 * an absolute URL is returned as is when it is on the base's scheme, host and
 * port. NULL when the result leaves the base path (the bearer token goes
 * with every request) or has an encoded slash or backslash in its path. */
char          *cab_fhir_client_build_url        (CabFhirClient   *self,
                                                 const char      *path_or_url);

/* Any request. @path_or_url is relative to the base or absolute (same host).
 * @headers: extra request headers (If-None-Exist, If-Match, Prefer...) or NULL.
 * An error status (>= 400) finishes with a GError in CAB_FHIR_ERROR: the
 * server's OperationOutcome diagnostics become its message. */
void             cab_fhir_client_send_async     (CabFhirClient       *self,
                                                 const char          *method,
                                                 const char          *path_or_url,
                                                 GHashTable          *headers,
                                                 const char          *content_type,
                                                 GBytes              *body,
                                                 CabFhirRequestFlags  flags,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
CabFhirResponse *cab_fhir_client_send_finish    (CabFhirClient       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* GET of a searchset page (first page "Type?params" or a next link); the
 * Bundle is parsed and flattened on a worker thread. */
void          cab_fhir_client_search_async      (CabFhirClient       *self,
                                                 const char          *path_or_url,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
CabFhirPage  *cab_fhir_client_search_finish     (CabFhirClient       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Conveniences over send. A JsonNode argument is referenced and serialized on
 * a worker thread: do not modify it after the call. */
void          cab_fhir_client_read_async        (CabFhirClient *self, const char *type, const char *id,
                                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* @if_none_exist: conditional create query ("identifier=sys|val"), or NULL. */
void          cab_fhir_client_create_async      (CabFhirClient *self, const char *type, JsonNode *resource,
                                                 const char *if_none_exist,
                                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* @if_match: the ETag to match (W/"3"), or NULL. */
void          cab_fhir_client_update_async      (CabFhirClient *self, const char *type, const char *id,
                                                 JsonNode *resource, const char *if_match,
                                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* JSON Patch (application/json-patch+json). */
void          cab_fhir_client_patch_async       (CabFhirClient *self, const char *type, const char *id,
                                                 JsonNode *patch, const char *if_match,
                                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
void          cab_fhir_client_transaction_async (CabFhirClient *self, JsonNode *bundle,
                                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* read/create/update/patch/transaction all finish with: */
CabFhirResponse *cab_fhir_client_request_finish (CabFhirClient *self, GAsyncResult *result, GError **error);

typedef void (*CabFhirProgressFunc) (goffset  received,
                                     goffset  total,      /* -1 when unknown */
                                     gpointer user_data); /* called on the calling thread's main context */

/* Streams @url (attachment url, relative or absolute on the same host) to
 * @dest_path with Accept: @accept. Written to a temporary file beside it and
 * renamed only when complete and, when given, @expected_size and
 * @expected_sha1_base64 match (else CAB_FHIR_ERROR_HASH_MISMATCH, nothing left).
 * A FHIR Binary returned as JSON (resource with base64 data) is decoded. */
void          cab_fhir_client_download_async    (CabFhirClient       *self,
                                                 const char          *url,
                                                 const char          *accept,
                                                 const char          *dest_path,
                                                 gint64               expected_size,
                                                 const char          *expected_sha1_base64,
                                                 CabFhirProgressFunc  progress,
                                                 gpointer             progress_data,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean      cab_fhir_client_download_finish   (CabFhirClient       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* The HTTP status of a finished request's last answer (0 when none came)
 * and its Retry-After in seconds (-1 when absent), from the @result given
 * to the callback of any of the _async calls above: the GError keeps the
 * server's words, not whether to come back later. */
guint         cab_fhir_client_result_get_status (GAsyncResult *result,
                                                 gint64       *retry_after_s);

/* Statistics since creation: requests sent (including retries), retries, bytes received. */
void          cab_fhir_client_get_stats         (CabFhirClient *self,
                                                 guint         *n_requests,
                                                 guint         *n_retries,
                                                 guint64       *n_bytes);
/* Monotonic microseconds before which the server asked not to be called
 * again (the latest 429 or 503 Retry-After the client honoured), 0 if none. */
gint64        cab_fhir_client_get_busy_until    (CabFhirClient *self);

G_END_DECLS
