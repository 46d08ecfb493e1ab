/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl document fetch ID -o FILE: the document's content, from the
 * local cache or downloaded (size and SHA-1 checked), copied to FILE (a
 * local path; "-" for standard output). */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixoutputstream.h>

#include "cab-audit.h"
#include "cab-document-cache.h"
#include "cab-store-cache.h"
#include "cabinetctl-private.h"

typedef struct
{
  CabStore       *store;
  const char     *id;
  CabDocumentRow *row;       /* out */
  JsonNode       *resource;  /* in: read from the server, to store */
} DocData;

static gboolean
get_document_thread (gpointer   user_data,
                     GError   **error)
{
  DocData *data = user_data;

  data->row = cab_store_get_document (data->store, data->id, error);
  if (data->row == NULL)
    {
      if (*error == NULL)
        g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such document");
      return FALSE;
    }

  return cab_store_audit (data->store, CAB_AUDIT_DOCUMENT_FETCH, CAB_AUDIT_TYPE_DOCUMENT, data->id, error);
}

static gboolean
store_resource_thread (gpointer   user_data,
                       GError   **error)
{
  DocData *data = user_data;
  g_autoptr(CabFhirRecord) record = NULL;
  g_autoptr(GPtrArray) records = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (data->resource))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           "The server did not return a DocumentReference");
      return FALSE;
    }

  record = cab_fhir_record_new_from_json (json_node_get_object (data->resource), error);
  if (record == NULL)
    return FALSE;
  if (record->kind != CAB_RESOURCE_DOCUMENT_REFERENCE)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           "The server did not return a DocumentReference");
      return FALSE;
    }

  records = g_ptr_array_new ();
  g_ptr_array_add (records, record);
  return cab_store_put_records (data->store, records, NULL, NULL, error);
}

/* Not synced yet: read the DocumentReference from the server and store it. */
static int
fetch_reference (CtlContext    *ctx,
                 CabFhirClient *client,
                 DocData       *data)
{
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  CtlWait wait;

  ctl_wait_init (&wait);
  cab_fhir_client_read_async (client, "DocumentReference", data->id, NULL, ctl_async_cb, &wait);
  response = cab_fhir_client_request_finish (client, ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);
  if (response == NULL)
    {
      if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND))
        return ctl_fail (CTL_EXIT_NOT_FOUND, "unknown document %s", data->id);
      return ctl_fail_error (error, "cannot read the document");
    }
  if (response->json == NULL)
    return ctl_fail (CTL_EXIT_DATA, "the server did not return a DocumentReference");

  data->resource = response->json;
  if (!ctl_run_in_thread (store_resource_thread, data, &error) ||
      !ctl_run_in_thread (get_document_thread, data, &error))
    return ctl_fail_error (error, "cannot store the document");

  return CTL_EXIT_OK;
}

/* Downloads into the cache, shared with the app (cab-document-cache.h). */
static int
download (CtlContext  *ctx,
          DocData     *data,
          char       **path)
{
  g_autoptr(GError) error = NULL;
  CabFhirClient *client;
  int exit_code = CTL_EXIT_OK;
  CtlWait wait;

  if ((client = ctl_get_client (ctx, &exit_code)) == NULL)
    return exit_code;

  ctl_wait_init (&wait);
  cab_document_cache_fetch_async (client, data->store, ctx->config->data_dir, data->row,
                                  NULL, NULL, NULL, ctl_async_cb, &wait);
  *path = cab_document_cache_fetch_finish (ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);
  if (*path == NULL)
    {
      if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH))
        return ctl_fail (CTL_EXIT_DATA, "the downloaded document does not match its hash: %s",
                         error->message);
      if (error->domain == CAB_STORE_ERROR)
        return ctl_fail_error (error, "cannot record the document");
      return ctl_fail_error (error, "cannot download the document");
    }

  return CTL_EXIT_OK;
}

static int
copy_to_stdout (GFile *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = g_file_read (source, NULL, &error);
  g_autoptr(GOutputStream) out = NULL;

  if (in == NULL)
    return ctl_fail (CTL_EXIT_DATA, "cannot read the document: %s", error->message);
  fflush (stdout);
  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  if (g_output_stream_splice (out, G_INPUT_STREAM (in), G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
                              NULL, &error) < 0)
    return ctl_fail (CTL_EXIT_DATA, "cannot write to standard output: %s", error->message);
  return CTL_EXIT_OK;
}

static int
fetch_main (CtlContext  *ctx,
            const char  *id,
            const char  *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autofree char *path = NULL;
  DocData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  if ((data.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  data.id = id;

  if (!ctl_run_in_thread (get_document_thread, &data, &error))
    {
      CabFhirClient *client;

      if (!g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        return ctl_fail_error (error, "cannot read the store");
      g_clear_error (&error);
      if ((client = ctl_get_client (ctx, &exit_code)) == NULL)
        return exit_code;
      if ((exit_code = fetch_reference (ctx, client, &data)) != CTL_EXIT_OK)
        goto out;
    }

  if (data.row->document.url == NULL)
    {
      exit_code = ctl_fail (CTL_EXIT_DATA, "document %s has no attachment to download", id);
      goto out;
    }

  if (data.row->local_path != NULL && g_file_test (data.row->local_path, G_FILE_TEST_IS_REGULAR))
    path = g_strdup (data.row->local_path);
  else
    {
      if ((exit_code = download (ctx, &data, &path)) != CTL_EXIT_OK)
        goto out;
    }

  /* -o is a local path, never a URI ("cr:2025.pdf" is a file name); "-"
   * is standard output. */
  source = g_file_new_for_path (path);
  if (g_str_equal (output, "-"))
    exit_code = copy_to_stdout (source);
  else
    {
      dest = g_file_new_for_path (output);
      if (!g_file_copy (source, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        exit_code = ctl_fail (CTL_EXIT_DATA, "cannot write %s: %s", output, error->message);
    }

out:
  g_clear_pointer (&data.row, cab_document_row_free);
  return exit_code;
}

typedef struct
{
  CabStore   *store;
  const char *id;
  gboolean    pinned;
} PinData;

static gboolean
pin_thread (gpointer   user_data,
            GError   **error)
{
  PinData *data = user_data;
  g_autoptr(CabDocumentRow) row = cab_store_get_document (data->store, data->id, error);

  if (row == NULL)
    {
      if (*error == NULL)
        g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such document");
      return FALSE;
    }
  return cab_store_set_document_pinned (data->store, data->id, data->pinned, error);
}

/* A pinned document is prefetched first and never evicted (cab-store-cache.h). */
static int
pin_main (CtlContext  *ctx,
          gboolean     pinned,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  PinData data = { NULL, NULL, pinned };
  int exit_code = CTL_EXIT_OK;

  if (argc != 1 || argv[0][0] == '-')
    return ctl_fail (CTL_EXIT_USAGE, "usage: cabinetctl document pin|unpin ID");
  if (!cab_fhir_id_is_valid (argv[0]))
    return ctl_fail (CTL_EXIT_USAGE, "document: '%s' is not a document id", argv[0]);
  if ((data.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  data.id = argv[0];
  if (!ctl_run_in_thread (pin_thread, &data, &error))
    {
      if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        return ctl_fail (CTL_EXIT_NOT_FOUND, "unknown document %s", argv[0]);
      return ctl_fail_error (error, "cannot pin the document");
    }
  return CTL_EXIT_OK;
}

int
ctl_document_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  const char *id = NULL;
  const char *output = NULL;

  if (argc < 2 || ctl_is_help (argv[1]))
    {
      puts ("Usage: cabinetctl document fetch ID -o FILE|-\n"
            "       cabinetctl document pin|unpin ID");
      return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }

  if (g_str_equal (argv[1], "pin") || g_str_equal (argv[1], "unpin"))
    return pin_main (ctx, g_str_equal (argv[1], "pin"), argc - 2, argv + 2);
  if (!g_str_equal (argv[1], "fetch"))
    return ctl_fail (CTL_EXIT_USAGE, "document: unknown subcommand '%s' (fetch, pin, unpin)", argv[1]);

  for (int i = 2; i < argc; i++)
    {
      if ((g_str_equal (argv[i], "-o") || g_str_equal (argv[i], "--output")) && i + 1 < argc)
        output = argv[++i];
      else if (g_str_has_prefix (argv[i], "--output="))
        output = argv[i] + strlen ("--output=");
      else if (argv[i][0] == '-')
        return ctl_fail (CTL_EXIT_USAGE, "document fetch: unknown option '%s'", argv[i]);
      else if (id == NULL)
        id = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "document fetch: unexpected argument '%s'", argv[i]);
    }

  if (id == NULL || output == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "usage: cabinetctl document fetch ID -o FILE");
  /* "." or ".." would name the server's base or a type, not a document. */
  if (!cab_fhir_id_is_valid (id))
    return ctl_fail (CTL_EXIT_USAGE, "document fetch: '%s' is not a document id "
                     "(letters, digits, '-' and '.', at most 64, not '.' or '..')", id);

  return fetch_main (ctx, id, output);
}
