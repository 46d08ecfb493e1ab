/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-cache"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cab-document-cache.h"
#include "cab-pdf-text.h"
#include "cab-store-cache.h"

typedef struct
{
  CabStore        *store;
  char            *id;
  char            *content_type;
  char            *path;
  char            *text;
  gint64           expected_size;
  char            *expected_hash;
  CabContentSource source;
  gboolean         adopted;        /* a complete copy was already on disk */
  guint            status;         /* of the failed download's last answer */
  gint64           retry_after_s;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->store);
  g_free (data->id);
  g_free (data->content_type);
  g_free (data->path);
  g_free (data->text);
  g_free (data->expected_hash);
  g_free (data);
}

static const char *
extension_for (const char *content_type)
{
  if (g_strcmp0 (content_type, "application/pdf") == 0)
    return ".pdf";
  if (g_strcmp0 (content_type, "application/dicom") == 0)
    return ".dcm";
  if (g_strcmp0 (content_type, "text/plain") == 0)
    return ".txt";
  if (g_strcmp0 (content_type, "application/xml") == 0 || g_strcmp0 (content_type, "text/xml") == 0)
    return ".xml";
  return ".bin";
}

char *
cab_document_cache_path (const char *data_dir,
                         const char *document_id,
                         const char *content_type)
{
  g_autofree char *safe = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (document_id != NULL, NULL);

  /* Ids are [A-Za-z0-9-.]{1,64} in FHIR; never trust a server with a path. */
  safe = g_strdup (document_id);
  g_strcanon (safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.", '_');
  if (safe[0] == '.')
    safe[0] = '_';
  name = g_strconcat (safe, extension_for (content_type), NULL);
  return g_build_filename (data_dir, "documents", name, NULL);
}

char *
cab_document_cache_lookup (const CabDocumentRow *row)
{
  g_return_val_if_fail (row != NULL, NULL);

  if (row->local_path == NULL || !g_file_test (row->local_path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_strdup (row->local_path);
}

/* A live download holds a lock on its .part file (cab-fhir-client-download.c);
 * the kernel releases it when its process dies, even by kill -9. */
static gboolean
is_abandoned (const char *path)
{
  gboolean abandoned = FALSE;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return FALSE;
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    abandoned = TRUE;
  close (fd);
  return abandoned;
}

guint
cab_document_cache_remove_stale (const char *data_dir)
{
  g_autofree char *documents = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_removed = 0;

  g_return_val_if_fail (data_dir != NULL, 0);

  documents = g_build_filename (data_dir, "documents", NULL);
  dir = g_dir_open (documents, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_suffix (name, ".part"))
        continue;
      path = g_build_filename (documents, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (!is_abandoned (path))
        continue;
      if (g_unlink (path) == 0)
        n_removed++;
    }
  if (n_removed > 0)
    g_debug ("Removed %u unfinished downloads", n_removed);
  return n_removed;
}

/* ---------------------------------------------------------------------- */

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  FetchData *data = task_data;
  GError *error = NULL;
  GStatBuf st;

  /* A prefetched content is indexed later, when the lane is idle
   * (cab_prefetch_index_async()): downloads go at the network's pace. */
  if (g_strcmp0 (data->content_type, "application/pdf") == 0 &&
      data->source != CAB_CONTENT_SOURCE_PREFETCH)
    {
      data->text = cab_pdf_text_extract (data->path, cancellable, &error);
      if (data->text == NULL)
        {
          g_message ("No text could be extracted from a document: %s", error->message);
          g_clear_error (&error);
        }
    }

  if (g_stat (data->path, &st) != 0)
    st.st_size = MAX (data->expected_size, 0);
  if (!cab_store_record_document_content (data->store, data->id, data->path, data->text,
                                          (gint64) st.st_size, data->source, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (data->path), g_free);
}

static void
download_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cab_fhir_client_download_finish (CAB_FHIR_CLIENT (object), result, &error))
    {
      FetchData *data = g_task_get_task_data (task);

      data->status = cab_fhir_client_result_get_status (result, &data->retry_after_s);
      g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, record_thread);
}

/* A copy renamed into place by a download whose process died before the
 * store recorded it: complete by construction (renamed only once checked),
 * checked again here against the size and SHA-1 the server announces, so a
 * restart does not download it twice. */
static gboolean
is_complete (const char   *path,
             gint64        expected_size,
             const char   *expected_hash,
             GCancellable *cancellable)
{
  g_autoptr(GChecksum) sha1 = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *expected = NULL;
  guint8 buffer[64 * 1024];
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  gint64 total = 0;
  GStatBuf st;
  int fd;

  if (expected_size < 0 || expected_hash == NULL)
    return FALSE;
  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size != expected_size)
    return FALSE;
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return FALSE;

  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || g_cancellable_is_cancelled (cancellable))
        {
          if (n < 0 || g_cancellable_is_cancelled (cancellable))
            total = -1;
          break;
        }
      g_checksum_update (sha1, buffer, n);
      total += n;
    }
  close (fd);
  if (total != expected_size)
    return FALSE;

  g_checksum_get_digest (sha1, digest, &digest_len);
  actual = g_base64_encode (digest, digest_len);
  expected = g_strstrip (g_strdup (expected_hash));
  return g_str_equal (actual, expected);
}

/* The documents folder is private to the user, like the store. */
static void
mkdir_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  static gsize cleaned = 0;
  FetchData *data = task_data;
  g_autofree char *dir = g_path_get_dirname (data->path);

  /* Once per process, before its first download: what a killed one left. */
  if (g_once_init_enter (&cleaned))
    {
      g_autofree char *data_dir = g_path_get_dirname (dir);

      cab_document_cache_remove_stale (data_dir);
      g_once_init_leave (&cleaned, 1);
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "Cannot create the documents folder: %s", g_strerror (saved_errno));
      return;
    }
  data->adopted = is_complete (data->path, data->expected_size, data->expected_hash, cancellable);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  GTask              *task;      /* the fetch */
  CabFhirClient      *client;
  char               *url;
  char               *accept;
  gint64              size;
  char               *hash;
  CabFhirProgressFunc progress;
  gpointer            progress_data;
} StartData;

static void
start_data_free (StartData *start)
{
  g_clear_object (&start->task);
  g_clear_object (&start->client);
  g_free (start->url);
  g_free (start->accept);
  g_free (start->hash);
  g_free (start);
}

static void
mkdir_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  StartData *start = user_data;
  GTask *task = g_steal_pointer (&start->task);
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else if (data->adopted)
    {
      g_task_run_in_thread (task, record_thread);
      g_object_unref (task);
    }
  else
    cab_fhir_client_download_async (start->client, start->url, start->accept, data->path,
                                    start->size, start->hash,
                                    start->progress, start->progress_data,
                                    g_task_get_cancellable (task), download_cb, task);

  start_data_free (start);
}

void
cab_document_cache_fetch_async (CabFhirClient        *client,
                                CabStore             *store,
                                const char           *data_dir,
                                const CabDocumentRow *row,
                                CabFhirProgressFunc   progress,
                                gpointer              progress_data,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  cab_document_cache_fetch_full_async (client, store, data_dir, row, CAB_CONTENT_SOURCE_OPENED,
                                       progress, progress_data, cancellable, callback, user_data);
}

void
cab_document_cache_fetch_full_async (CabFhirClient        *client,
                                     CabStore             *store,
                                     const char           *data_dir,
                                     const CabDocumentRow *row,
                                     CabContentSource      source,
                                     CabFhirProgressFunc   progress,
                                     gpointer              progress_data,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) mkdir_task = NULL;
  const CabDocument *document;
  FetchData *data;
  StartData *start;

  g_return_if_fail (CAB_IS_FHIR_CLIENT (client));
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (data_dir != NULL);
  g_return_if_fail (row != NULL && row->id != NULL);

  document = &row->document;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_document_cache_fetch_async);

  if (document->url == NULL)
    {
      g_task_return_new_error (task, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                               "The document has no attachment to download");
      return;
    }

  data = g_new0 (FetchData, 1);
  data->store = g_object_ref (store);
  data->id = g_strdup (row->id);
  data->content_type = g_strdup (document->content_type);
  data->path = cab_document_cache_path (data_dir, row->id, document->content_type);
  data->expected_size = document->size;
  data->expected_hash = g_strdup (document->hash);
  data->source = source;
  data->retry_after_s = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  start = g_new0 (StartData, 1);
  start->task = g_steal_pointer (&task);
  start->client = g_object_ref (client);
  start->url = g_strdup (document->url);
  start->accept = g_strdup (document->content_type != NULL ? document->content_type : "*/*");
  start->size = document->size;
  start->hash = g_strdup (document->hash);
  start->progress = progress;
  start->progress_data = progress_data;

  mkdir_task = g_task_new (NULL, cancellable, mkdir_cb, start);
  g_task_set_source_tag (mkdir_task, cab_document_cache_fetch_async);
  g_task_set_task_data (mkdir_task, data, NULL);
  g_task_run_in_thread (mkdir_task, mkdir_thread);
}

char *
cab_document_cache_fetch_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cab_document_cache_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
cab_document_cache_fetch_get_status (GAsyncResult *result,
                                     gint64       *retry_after_s)
{
  FetchData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  data = g_task_get_task_data (G_TASK (result));
  if (retry_after_s != NULL)
    *retry_after_s = data != NULL ? data->retry_after_s : -1;
  return data != NULL ? data->status : 0;
}
