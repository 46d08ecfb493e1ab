/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-hostile"

#include <string.h>

#include "cab-hostile-server.h"

/* Not a FHIR server: just enough of one for the client and the sync to walk
 * into each trap. Ids and INS are synthetic (the NIR key is valid). */

#define HOSTILE_INS        "180037512345692"
#define HOSTILE_BINARY     "%PDF-1.4\n% hostile test\n%%EOF\n"
#define MAX_REQUEST_LINES  100
#define MAX_LINE           8192

struct _CabHostileServer
{
  GSocketService  *service;
  GTlsCertificate *cert;
  char            *base;
  char            *origin;     /* scheme://host:port */

  GMutex           lock;
  CabHostileMode   mode;
  guint            drip_ms;
  guint            n_requests;
  guint            n_tokens;
  GPtrArray       *paths;
};

/* --------------------------------------------------------------- answers */

static char *
patient_json (const char *id_json,
              const char *ins,
              const char *family)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out,
                          "{\"resourceType\":\"Patient\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"name\":[{\"use\":\"official\",\"family\":\"%s\",\"given\":[\"Test\"]}],"
                          "\"gender\":\"female\",\"birthDate\":\"1980-03-07\","
                          "\"generalPractitioner\":[{\"reference\":\"Practitioner/pr1\"}]",
                          id_json, family);
  if (ins != NULL)
    g_string_append_printf (out,
                            ",\"identifier\":[{\"use\":\"official\",\"system\":\"urn:oid:1.2.250.1.213.1.4.8\",\"value\":\"%s\"}],"
                            "\"extension\":[{\"url\":\"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability\","
                            "\"extension\":[{\"url\":\"identityStatus\",\"valueCoding\":{\"code\":\"QUAL\"}}]}]",
                            ins);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static char *
bundle_json (const char *resources,
             const char *next)
{
  GString *out = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[");
  g_auto(GStrv) parts = resources != NULL ? g_strsplit (resources, "\n", -1) : NULL;

  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    g_string_append_printf (out, "%s{\"resource\":%s}", i > 0 ? "," : "", parts[i]);
  g_string_append (out, "]");
  if (next != NULL)
    g_string_append_printf (out, ",\"link\":[{\"relation\":\"next\",\"url\":\"%s\"}]", next);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* The body of a search in @mode; @path is the request's path and query. */
static char *
search_body (CabHostileServer *self,
             CabHostileMode    mode,
             const char       *path,
             guint             n)
{
  g_autofree char *resources = NULL;
  g_autofree char *next = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (g_str_has_prefix (path, "/fhir/PractitionerRole"))
    resources = g_strdup ("{\"resourceType\":\"PractitionerRole\",\"id\":\"r1\",\"active\":true,"
                          "\"practitioner\":{\"reference\":\"Practitioner/pr1\"},"
                          "\"organization\":{\"reference\":\"Organization/o1\"}}");
  else if (!g_str_has_prefix (path, "/fhir/Patient"))
    resources = NULL;   /* per-patient searches: nothing */
  else if (mode == CAB_HOSTILE_NUL_ID)
    {
      first = patient_json ("pat-1", NULL, "Real");
      second = patient_json ("pat-1\\u0000evil", NULL, "Evil");
      resources = g_strconcat (first, "\n", second, NULL);
    }
  else if (mode == CAB_HOSTILE_DUPLICATE_INS)
    {
      first = patient_json ("d1", HOSTILE_INS, "Martin");
      second = patient_json ("d2", HOSTILE_INS, "Bernard");
      resources = g_strconcat (first, "\n", second, NULL);
    }
  else
    resources = patient_json ("p1", NULL, "Normal");

  /* The Patient search loops on itself; the PractitionerRole one never ends. */
  if (mode == CAB_HOSTILE_NEXT_SELF && g_str_has_prefix (path, "/fhir/Patient"))
    next = g_strconcat (self->origin, path, NULL);
  else if (mode == CAB_HOSTILE_NEXT_ENDLESS && g_str_has_prefix (path, "/fhir/PractitionerRole"))
    next = g_strdup_printf ("%s%s%shostile-page=%u", self->origin, path,
                            strchr (path, '?') != NULL ? "&" : "?", n);

  return bundle_json (resources, next);
}

static char *
document_body (CabHostileMode  mode,
               const char     *id)
{
  g_autofree char *attachment = NULL;

  if (mode == CAB_HOSTILE_ENDLESS_BINARY)
    attachment = g_strdup ("\"contentType\":\"application/pdf\",\"url\":\"Binary/endless\"");
  else if (mode == CAB_HOSTILE_DOTDOT_URL)
    attachment = g_strdup ("\"contentType\":\"application/pdf\",\"url\":\"../../../../etc/passwd\"");
  else
    {
      g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
      guint8 digest[20];
      gsize len = sizeof digest;
      g_autofree char *hash = NULL;

      g_checksum_update (sha1, (const guchar *) HOSTILE_BINARY, strlen (HOSTILE_BINARY));
      g_checksum_get_digest (sha1, digest, &len);
      hash = g_base64_encode (digest, len);
      attachment = g_strdup_printf ("\"contentType\":\"application/pdf\",\"url\":\"Binary/b1\","
                                    "\"size\":%zu,\"hash\":\"%s\"", strlen (HOSTILE_BINARY), hash);
    }

  return g_strdup_printf ("{\"resourceType\":\"DocumentReference\",\"id\":\"%s\",\"status\":\"current\","
                          "\"meta\":{\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"subject\":{\"reference\":\"Patient/p1\"},\"date\":\"2026-01-01\","
                          "\"content\":[{\"attachment\":{%s,\"title\":\"CR\"}}]}", id, attachment);
}

/* ------------------------------------------------------------ connection */

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          len)
{
  return g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

/* One byte per @drip_ms, bounded: the client gives up (write fails) or the
 * drip ends. */
static gboolean
drip (GOutputStream *out,
      const char    *data,
      gsize          len,
      guint          drip_ms)
{
  for (gsize i = 0; i < len && i < CAB_HOSTILE_MAX_DRIP; i++)
    {
      if (!write_all (out, data + i, 1) || !g_output_stream_flush (out, NULL, NULL))
        return FALSE;
      g_usleep (drip_ms * 1000);
    }
  return TRUE;
}

static void
respond (GOutputStream  *out,
         CabHostileMode  mode,
         guint           drip_ms,
         guint           status,
         const char     *content_type,
         const char     *body)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: %s\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                           status, status == 200 ? "OK" : "Not Found",
                                           content_type, strlen (body));

  if (mode == CAB_HOSTILE_SLOW_HEADERS)
    {
      if (drip (out, head, strlen (head), drip_ms))
        write_all (out, body, strlen (body));
      return;
    }
  if (!write_all (out, head, strlen (head)))
    return;
  if (mode == CAB_HOSTILE_SLOW_BODY)
    drip (out, body, strlen (body), drip_ms);
  else
    write_all (out, body, strlen (body));
}

static void
endless (GOutputStream *out)
{
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n";
  g_autofree char *chunk = g_malloc0 (64 * 1024);

  if (!write_all (out, head, strlen (head)))
    return;
  for (gsize sent = 0; sent < CAB_HOSTILE_MAX_ENDLESS; sent += 64 * 1024)
    if (!write_all (out, chunk, 64 * 1024))
      return;
}

static void
serve (CabHostileServer *self,
       GIOStream        *stream)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  g_autofree char *request_line = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  gboolean token = FALSE;
  CabHostileMode mode;
  guint drip_ms;
  guint n;
  char **parts;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  if (request_line == NULL || strlen (request_line) > MAX_LINE)
    return;
  for (guint i = 0; i < MAX_REQUEST_LINES; i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL || *line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Authorization: Bearer ", 22) == 0)
        token = TRUE;
    }
  parts = g_strsplit (request_line, " ", 3);
  path = g_strdup (parts[0] != NULL && parts[1] != NULL ? parts[1] : "/");
  g_strfreev (parts);

  g_mutex_lock (&self->lock);
  mode = self->mode;
  drip_ms = self->drip_ms;
  n = ++self->n_requests;
  if (token)
    self->n_tokens++;
  g_ptr_array_add (self->paths, g_strdup (path));
  g_mutex_unlock (&self->lock);

  if (g_str_has_prefix (path, "/fhir/Binary/endless"))
    {
      endless (out);
      return;
    }
  if (g_str_has_prefix (path, "/fhir/Binary/"))
    {
      respond (out, mode, drip_ms, 200, "application/pdf", HOSTILE_BINARY);
      return;
    }
  if (g_str_has_prefix (path, "/fhir/DocumentReference/"))
    body = document_body (mode, path + strlen ("/fhir/DocumentReference/"));
  else if (g_str_has_prefix (path, "/fhir/") && strchr (path, '?') != NULL)
    body = search_body (self, mode, path, n);

  if (body != NULL)
    respond (out, mode, drip_ms, 200, "application/fhir+json", body);
  else
    respond (out, CAB_HOSTILE_NORMAL, 0, 404, "application/fhir+json",
             "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"not-found\"}]}");
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        gpointer                user_data)
{
  CabHostileServer *self = user_data;
  g_autoptr(GIOStream) tls = NULL;

  if (self->cert == NULL)
    {
      serve (self, G_IO_STREAM (connection));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* The client refusing the certificate ends the handshake here. */
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->cert, NULL);
  if (tls != NULL && g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    serve (self, tls);
  if (tls != NULL)
    g_io_stream_close (tls, NULL, NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ API */

CabHostileServer *
cab_hostile_server_new (GTlsCertificate  *cert,
                        GError          **error)
{
  CabHostileServer *self = g_new0 (CabHostileServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  guint port;

  g_mutex_init (&self->lock);
  self->paths = g_ptr_array_new_with_free_func (g_free);
  self->drip_ms = 200;
  self->cert = cert != NULL ? g_object_ref (cert) : NULL;
  self->service = g_threaded_socket_service_new (16);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    {
      cab_hostile_server_free (self);
      return NULL;
    }
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->origin = g_strdup_printf ("%s://127.0.0.1:%u", cert != NULL ? "https" : "http", port);
  self->base = g_strconcat (self->origin, "/fhir", NULL);
  g_signal_connect (self->service, "run", G_CALLBACK (on_run), self);
  g_socket_service_start (self->service);
  return self;
}

void
cab_hostile_server_free (CabHostileServer *self)
{
  if (self == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  /* Threads still dripping end at their next write to a closed client. */
  g_clear_object (&self->service);
  g_clear_object (&self->cert);
  g_free (self->base);
  g_free (self->origin);
  g_ptr_array_unref (self->paths);
  g_mutex_clear (&self->lock);
  g_free (self);
}

const char *
cab_hostile_server_get_base (CabHostileServer *self)
{
  return self->base;
}

void
cab_hostile_server_set_mode (CabHostileServer *self,
                             CabHostileMode    mode)
{
  g_mutex_lock (&self->lock);
  self->mode = mode;
  g_mutex_unlock (&self->lock);
}

void
cab_hostile_server_set_drip_ms (CabHostileServer *self,
                                guint             drip_ms)
{
  g_mutex_lock (&self->lock);
  self->drip_ms = drip_ms;
  g_mutex_unlock (&self->lock);
}

guint
cab_hostile_server_get_n_requests (CabHostileServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_requests;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
cab_hostile_server_get_n_tokens (CabHostileServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_tokens;
  g_mutex_unlock (&self->lock);
  return n;
}

char **
cab_hostile_server_get_paths (CabHostileServer *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **paths;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->paths->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->paths, i));
  g_mutex_unlock (&self->lock);
  paths = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return paths;
}

void
cab_hostile_server_reset (CabHostileServer *self)
{
  g_mutex_lock (&self->lock);
  self->n_requests = 0;
  self->n_tokens = 0;
  g_ptr_array_set_size (self->paths, 0);
  g_mutex_unlock (&self->lock);
}
