/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include "cab-fhir-client.h"

G_BEGIN_DECLS

/* Largest JSON body read into memory; error bodies are cut at the smaller one. */
#define CAB_FHIR_MAX_JSON_BODY   (256 * 1024 * 1024)
#define CAB_FHIR_MAX_ERROR_BODY  (1024 * 1024)
#define CAB_FHIR_CHUNK_SIZE      (64 * 1024)
#define CAB_FHIR_MAX_REDIRECTS   5
#define CAB_FHIR_MAX_BACKOFF_MS  30000
/* A Retry-After longer than this is not waited for: the request fails and the
 * caller (outbox, sync) reschedules it instead of holding it for minutes. */
#define CAB_FHIR_MAX_RETRY_AFTER_S 120
/* Priority of our messages in libsoup, one step above its queue source
 * (G_PRIORITY_DEFAULT). libsoup 3.2 silently resends an idempotent request
 * whose kept-alive connection the server closed, but completes the failed
 * first attempt from an idle at this priority. Were its queue to run first,
 * the resend would already be under way on another pooled connection; the
 * stale failure would then reach us, end the resend's I/O, and libsoup would
 * dereference that cleared I/O when the resend's headers arrive (the crash
 * under dropped connections plus 5xx). Completing first, the stale failure is
 * seen as a restart and dropped by libsoup. */
#define CAB_FHIR_IO_PRIORITY     (G_PRIORITY_DEFAULT - 1)

typedef enum
{
  CAB_FHIR_MODE_SEND,
  CAB_FHIR_MODE_SEARCH,
  CAB_FHIR_MODE_DOWNLOAD,
} CabFhirMode;

struct _CabFhirClient
{
  GObject parent_instance;

  SoupSession *session;
  GTlsDatabase *tls_database;
  GUri *base_uri;
  char *base_url;             /* without trailing slash */
  char *token;

  CabFhirTokenRefreshFunc refresh_func;
  gpointer refresh_data;
  GDestroyNotify refresh_destroy;

  guint timeout;
  guint headers_timeout_s;
  guint min_rate;
  guint rate_window_s;
  guint64 max_download;
  gsize max_json_body;
  guint max_retries;
  guint initial_delay_ms;
  guint max_connections;

  /* Read from any thread through get_stats. */
  GMutex stats_lock;
  guint n_requests;
  guint n_retries;
  guint64 n_bytes;
  /* Monotonic µs before which no retry goes out: a 429 or 503's Retry-After
   * speaks for the server, not only for the request it answered. */
  gint64 retry_not_before_us;
};

/* State of one logical request, across retries, redirects and a token refresh. */
typedef struct
{
  CabFhirMode mode;
  char *method;
  char *url;                  /* current URL (changes on redirect) */
  GHashTable *headers;        /* extra request headers, owned copy */
  char *content_type;
  GBytes *body;
  JsonNode *body_node;        /* serialized on a worker thread before the first send */
  CabFhirRequestFlags flags;
  guint n_attempts_retried;
  guint n_redirects;
  gboolean refreshed;

  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *buffer;
  gsize limit;
  gboolean truncate;          /* over the limit: keep what fits (error bodies) */

  /* Snapshot of the response, taken on the main context for the worker. */
  guint status;
  char *reason;
  char *etag;
  char *location;
  char *last_modified;
  char *resp_content_type;
  goffset content_length;     /* -1 when unknown */
  gint64 retry_after_s;       /* Retry-After in seconds, -1 when absent */
  GBytes *resp_body;

  GSource *wait_source;
  GSource *cancel_source;

  /* Deadlines of the current attempt: its own cancellable, cancelled by the
   * caller's or by the deadline source (headers, then body rate). */
  GCancellable *attempt_cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *deadline_source;
  gboolean deadline_hit;
  goffset window_start_bytes;

  /* Downloads */
  char *dest_path;
  char *accept;
  char *tmp_path;
  int fd;
  GOutputStream *out;
  GChecksum *sha1;
  GBytes *chunk;              /* being written */
  gint64 expected_size;
  char *expected_sha1;
  goffset received;
  goffset written;
  gboolean streamed;          /* body went to the file, not to memory */
  CabFhirProgressFunc progress;
  gpointer progress_data;
  gint64 last_progress_time;
  goffset last_progress_bytes;
} CabFhirRequest;

CabFhirRequest *cab_fhir_request_new          (CabFhirMode      mode,
                                               const char      *method,
                                               const char      *url,
                                               GHashTable      *headers,
                                               const char      *content_type,
                                               GBytes          *body,
                                               CabFhirRequestFlags flags);
void            cab_fhir_request_free         (CabFhirRequest  *req);
/* Takes ownership of @task, whose task data is a CabFhirRequest. */
void            cab_fhir_request_start        (GTask           *task);
/* Connection error: retries when the method allows it, else fails. Takes @task and @error. */
void            cab_fhir_request_network_error (GTask          *task,
                                               GError          *error);
/* Fails the request (removing a download's temporary file). Takes @task and @error. */
void            cab_fhir_request_return_error (GTask           *task,
                                               GError          *error);
/* The whole response is here: build the result on a worker thread. Takes @task. */
void            cab_fhir_request_complete     (GTask           *task);
void            cab_fhir_client_count         (CabFhirClient   *self,
                                               guint            requests,
                                               guint            retries,
                                               guint64          bytes);
gboolean        cab_fhir_content_type_is_json (const char      *content_type);

/* Deadlines (cab-fhir-client-request.c): the body phase starts the rate
 * check, the end of the body stops it. */
void            cab_fhir_request_watch_body   (GTask           *task);
void            cab_fhir_request_stop_deadline (CabFhirRequest *req);
/* Turns the attempt's cancellation by a deadline into G_IO_ERROR_TIMED_OUT. */
void            cab_fhir_request_check_deadline (CabFhirRequest *req,
                                               GError         **error);

/* cab-fhir-client-download.c */
void            cab_fhir_download_stream      (GTask           *task);
gboolean        cab_fhir_download_write_json  (CabFhirRequest  *req,
                                               JsonNode        *root,
                                               GError         **error);
gboolean        cab_fhir_download_commit      (CabFhirRequest  *req,
                                               GError         **error);
void            cab_fhir_download_discard     (CabFhirRequest  *req);
GError         *cab_fhir_download_too_large   (CabFhirClient   *self);

G_END_DECLS
