/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-fhir-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "cab-fhir-client-private.h"

/*
 * Binary downloads: the body is streamed in chunks to a private temporary file
 * beside the destination, hashed as it goes, and renamed into place only when
 * complete and matching the expected size and SHA-1. A Binary answered as FHIR
 * JSON is decoded on the worker thread instead.
 */

#define PROGRESS_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)
#define PROGRESS_BYTES       (1024 * 1024)

static void read_chunk (GTask *task);

/* ---------------------------------------------------------------- auxiliary */

void
cab_fhir_download_discard (CabFhirRequest *req)
{
  g_clear_object (&req->out);
  g_clear_pointer (&req->chunk, g_bytes_unref);
  if (req->fd >= 0)
    {
      g_close (req->fd, NULL);
      req->fd = -1;
    }
  if (req->tmp_path != NULL)
    {
      g_unlink (req->tmp_path);
      g_clear_pointer (&req->tmp_path, g_free);
    }
}

static gboolean
open_temp (CabFhirRequest  *req,
           GError         **error)
{
  g_autofree char *tmpl = NULL;
  int fd;

  if (req->fd >= 0)
    {
      g_checksum_reset (req->sha1);
      req->written = 0;
      return TRUE;
    }

  /* Beside the destination so the final rename is atomic; 0600: health data. */
  tmpl = g_strconcat (req->dest_path, ".XXXXXX.part", NULL);
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the document file: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  /* Held until the file is renamed or removed: cab_document_cache_remove_stale()
   * in any process leaves a locked .part alone, and takes one whose
   * downloader died (the kernel drops a dead process's locks). */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    g_debug ("Cannot lock a temporary download file: %s", g_strerror (errno));

  req->fd = fd;
  req->tmp_path = g_steal_pointer (&tmpl);
  req->out = g_unix_output_stream_new (fd, FALSE);
  if (req->sha1 == NULL)
    req->sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  else
    g_checksum_reset (req->sha1);
  req->written = 0;
  return TRUE;
}

static void
report_progress (CabFhirRequest *req,
                 gboolean        force)
{
  gint64 now;

  if (req->progress == NULL)
    return;
  now = g_get_monotonic_time ();
  if (force || now - req->last_progress_time >= PROGRESS_INTERVAL_US
      || req->received - req->last_progress_bytes >= PROGRESS_BYTES)
    {
      req->last_progress_time = now;
      req->last_progress_bytes = req->received;
      req->progress (req->received,
                     req->content_length >= 0 ? req->content_length : req->expected_size,
                     req->progress_data);
    }
}

GError *
cab_fhir_download_too_large (CabFhirClient *self)
{
  return g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_LARGE,
                      _("The document is larger than %u MiB: refused"),
                      (guint) MAX (self->max_download / (1024 * 1024), 1));
}

static GError *
mismatch_error (void)
{
  return g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH,
                      _("The downloaded document does not match its expected size and fingerprint"));
}

/* ------------------------------------------------------ worker-thread steps */

gboolean
cab_fhir_download_write_json (CabFhirRequest  *req,
                              JsonNode        *root,
                              GError         **error)
{
  g_autofree guchar *decoded = NULL;
  JsonObject *object = NULL;
  JsonNode *node;
  const char *type = NULL;
  gsize length = 0;
  gsize done = 0;

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      object = json_node_get_object (root);
      node = json_object_get_member (object, "resourceType");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        type = json_node_get_string (node);
    }
  if (g_strcmp0 (type, "Binary") != 0)
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                   _("The server answered JSON that is not a Binary resource"));
      return FALSE;
    }

  node = json_object_get_member (object, "data");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                   _("The Binary resource has no data"));
      return FALSE;
    }
  decoded = g_base64_decode (json_node_get_string (node), &length);

  if (!open_temp (req, error))
    return FALSE;

  while (done < length)
    {
      ssize_t n = write (req->fd, decoded + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot write the document file: %s"), g_strerror (saved_errno));
          cab_fhir_download_discard (req);
          return FALSE;
        }
      done += n;
    }
  g_checksum_update (req->sha1, decoded, length);
  req->written = length;
  return TRUE;
}

gboolean
cab_fhir_download_commit (CabFhirRequest  *req,
                          GError         **error)
{
  g_autofree char *dir = NULL;
  int saved_errno;
  int dir_fd;

  g_assert (req->fd >= 0);

  if (req->expected_size >= 0 && req->written != req->expected_size)
    {
      g_debug ("Download size %" G_GINT64_FORMAT " instead of %" G_GINT64_FORMAT,
               (gint64) req->written, req->expected_size);
      g_propagate_error (error, mismatch_error ());
      cab_fhir_download_discard (req);
      return FALSE;
    }

  if (req->expected_sha1 != NULL)
    {
      g_autofree char *expected = g_strstrip (g_strdup (req->expected_sha1));
      g_autofree char *actual = NULL;
      guint8 digest[20];
      gsize digest_len = sizeof digest;

      g_checksum_get_digest (req->sha1, digest, &digest_len);
      actual = g_base64_encode (digest, digest_len);
      if (!g_str_equal (actual, expected))
        {
          g_propagate_error (error, mismatch_error ());
          cab_fhir_download_discard (req);
          return FALSE;
        }
    }

  /* On disk before it takes the real name: a crash leaves old or new, whole. */
  g_clear_object (&req->out);
  if (fsync (req->fd) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write the document file: %s"), g_strerror (saved_errno));
      cab_fhir_download_discard (req);
      return FALSE;
    }

  /* Renamed while still open, so still locked against a clean-up. */
  if (g_rename (req->tmp_path, req->dest_path) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot save the document file: %s"), g_strerror (saved_errno));
      cab_fhir_download_discard (req);
      return FALSE;
    }
  g_clear_pointer (&req->tmp_path, g_free);
  g_close (req->fd, NULL);
  req->fd = -1;

  dir = g_path_get_dirname (req->dest_path);
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

/* -------------------------------------------------------------- streaming */

static void
on_chunk_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize size;
  const guint8 *data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "%s", _("Cannot write the document file: "));
      cab_fhir_request_return_error (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (req->chunk, &size);
  g_checksum_update (req->sha1, data, size);
  req->written += size;
  g_clear_pointer (&req->chunk, g_bytes_unref);
  report_progress (req, FALSE);
  read_chunk (g_steal_pointer (&task));
}

static void
on_chunk_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CabFhirClient *self = g_task_get_source_object (task);
  CabFhirRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GCancellable *cancellable;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      cab_fhir_request_check_deadline (req, &error);
      if (req->received == 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Nothing written yet: the request can start again. */
          cab_fhir_request_network_error (g_steal_pointer (&task), g_steal_pointer (&error));
          return;
        }
      cab_fhir_request_return_error (g_steal_pointer (&task),
        g_error_new (CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK,
                     _("The connection was lost during the download: %s"), error->message));
      return;
    }

  size = g_bytes_get_size (bytes);
  if (size == 0)
    {
      cab_fhir_request_stop_deadline (req);
      report_progress (req, TRUE);
      g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      req->streamed = TRUE;
      cab_fhir_request_complete (g_steal_pointer (&task));
      return;
    }

  cab_fhir_client_count (self, 0, 0, size);
  req->received += size;
  if (req->expected_size >= 0 && req->received > req->expected_size)
    {
      cab_fhir_request_return_error (g_steal_pointer (&task), mismatch_error ());
      return;
    }
  /* No size announced (or a false one): the cap still holds, and the
   * temporary file goes with the error. */
  if ((guint64) req->received > self->max_download)
    {
      cab_fhir_request_return_error (g_steal_pointer (&task), cab_fhir_download_too_large (self));
      return;
    }

  req->chunk = g_steal_pointer (&bytes);
  cancellable = g_task_get_cancellable (task);
  g_output_stream_write_all_async (req->out, g_bytes_get_data (req->chunk, NULL), size,
                                   G_PRIORITY_DEFAULT, cancellable,
                                   on_chunk_written, g_steal_pointer (&task));
}

static void
read_chunk (GTask *task)
{
  CabFhirRequest *req = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (req->stream, CAB_FHIR_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   req->attempt_cancellable, on_chunk_read, task);
}

/* A 2xx with a non-JSON body: stream it to the temporary file. Takes @task. */
void
cab_fhir_download_stream (GTask *task)
{
  CabFhirRequest *req = g_task_get_task_data (task);
  GError *error = NULL;

  if (!open_temp (req, &error))
    {
      cab_fhir_request_return_error (task, error);
      return;
    }
  req->received = 0;
  req->last_progress_time = g_get_monotonic_time ();
  req->last_progress_bytes = 0;
  cab_fhir_request_watch_body (task);
  read_chunk (task);
}
