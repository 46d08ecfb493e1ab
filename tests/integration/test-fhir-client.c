/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-fhir-client"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cab-fhir-client.h"
#include "cab-test-sandbox.h"

/*
 * The FHIR client against real servers: a cabinet-sandbox started once for
 * the run (faults reset before each test), a second one over HTTPS, and a
 * small SoupServer in this process for what the sandbox never does
 * (redirects to another host, a 200 that carries an error).
 */

static CabTestSandbox *sandbox;

/* Started on first use, so the in-process tests run without it. */
static CabTestSandbox *
get_sandbox (void)
{
  const char * const args[] = { "--patients", "30", NULL };
  g_autoptr(GError) error = NULL;

  if (sandbox == NULL)
    {
      sandbox = cab_test_sandbox_start (args, FALSE, &error);
      g_assert_no_error (error);
    }
  return sandbox;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---------------------------------------------------------- waiting helpers */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
wait_init (Wait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->result = NULL;
}

static GAsyncResult *
wait_run (Wait *wait)
{
  g_main_loop_run (wait->loop);
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}

static CabFhirResponse *
do_send (CabFhirClient       *client,
         const char          *method,
         const char          *path,
         GHashTable          *headers,
         const char          *content_type,
         const char          *body,
         CabFhirRequestFlags  flags,
         GError             **error)
{
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;
  CabFhirResponse *response;
  Wait wait;

  wait_init (&wait);
  cab_fhir_client_send_async (client, method, path, headers, content_type, bytes, flags,
                              NULL, on_ready, &wait);
  response = cab_fhir_client_send_finish (client, wait_run (&wait), error);
  wait_clear (&wait);
  return response;
}

static CabFhirResponse *
do_get (CabFhirClient  *client,
        const char     *path,
        GError        **error)
{
  return do_send (client, "GET", path, NULL, NULL, NULL, CAB_FHIR_REQUEST_DEFAULT, error);
}

static CabFhirPage *
do_search (CabFhirClient  *client,
           const char     *path,
           GError        **error)
{
  CabFhirPage *page;
  Wait wait;

  wait_init (&wait);
  cab_fhir_client_search_async (client, path, NULL, on_ready, &wait);
  page = cab_fhir_client_search_finish (client, wait_run (&wait), error);
  wait_clear (&wait);
  return page;
}

static CabFhirResponse *
finish_request (CabFhirClient  *client,
                Wait           *wait,
                GError        **error)
{
  CabFhirResponse *response = cab_fhir_client_request_finish (client, wait_run (wait), error);

  wait_clear (wait);
  return response;
}

static gboolean
do_download (CabFhirClient  *client,
             const char     *url,
             const char     *accept,
             const char     *dest,
             gint64          size,
             const char     *sha1,
             GError        **error)
{
  gboolean ok;
  Wait wait;

  wait_init (&wait);
  cab_fhir_client_download_async (client, url, accept, dest, size, sha1,
                                  NULL, NULL, NULL, on_ready, &wait);
  ok = cab_fhir_client_download_finish (client, wait_run (&wait), error);
  wait_clear (&wait);
  return ok;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static const char *
member_string (JsonNode   *node,
               const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member_with_default (json_node_get_object (node), name, NULL);
}

/* ------------------------------------------------------------ sandbox set-up */

static CabFhirClient *
new_client (const char *base_url)
{
  g_autoptr(GError) error = NULL;
  CabFhirClient *client = cab_fhir_client_new (base_url, &error);

  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  cab_fhir_client_set_retry_policy (client, 6, 10);
  return client;
}

static CabFhirClient *
sandbox_client (void)
{
  return new_client (get_sandbox ()->base_url);
}

static void
admin (const char *method,
       const char *path,
       const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (get_sandbox (), method, path, json, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status / 100, ==, 2);
}

static void
set_faults (const char *json)
{
  admin ("POST", "/admin/faults", json);
}

static void
reset_faults (void)
{
  admin ("DELETE", "/admin/faults", NULL);
}

/* The first resource of a search, as parsed JSON. */
static JsonNode *
first_resource (CabFhirClient *client,
                const char    *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirPage) page = do_search (client, query, &error);
  CabFhirRecord *record;

  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpuint (page->records->len, >, 0);
  record = g_ptr_array_index (page->records, 0);
  return parse_json (record->json);
}

/* The largest current DocumentReference with a PDF attachment among the first
 * patients (several pages long: the download takes several chunks). */
static JsonNode *
find_pdf_document (CabFhirClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirPage) patients = do_search (client, "Patient?_count=30", &error);
  g_autofree char *best = NULL;
  gint64 best_size = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < patients->records->len; i++)
    {
      CabFhirRecord *patient = g_ptr_array_index (patients->records, i);
      g_autofree char *query = g_strdup_printf ("DocumentReference?patient=%s&status=current&_count=50",
                                                patient->id);
      g_autoptr(CabFhirPage) documents = do_search (client, query, &error);

      /* A patient may block this professional: try the next one. */
      if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN))
        {
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      for (guint j = 0; j < documents->records->len; j++)
        {
          CabFhirRecord *record = g_ptr_array_index (documents->records, j);

          if (record->document != NULL && record->document->url != NULL
              && g_strcmp0 (record->document->content_type, "application/pdf") == 0
              && record->document->hash != NULL && record->document->size > best_size)
            {
              best_size = record->document->size;
              g_free (best);
              best = g_strdup (record->json);
            }
        }
      /* Drawing PDFs costs the sandbox time: stop at the first long one. */
      if (best_size > 64 * 1024)
        break;
    }
  g_assert_nonnull (best);
  return parse_json (best);
}

static void
assert_stats_delta (CabFhirClient *client,
                    guint          n_requests,
                    guint          n_retries)
{
  guint requests = 0, retries = 0;
  guint64 bytes = 0;

  cab_fhir_client_get_stats (client, &requests, &retries, &bytes);
  g_assert_cmpuint (requests, ==, n_requests);
  g_assert_cmpuint (retries, ==, n_retries);
}

/* ---------------------------------------------------------- sandbox: reads */

static void
test_read_etag (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(JsonNode) patient = NULL;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;
  Wait wait;

  reset_faults ();
  patient = first_resource (client, "Patient?_count=1");
  id = member_string (patient, "id");
  g_assert_nonnull (id);

  wait_init (&wait);
  cab_fhir_client_read_async (client, "Patient", id, NULL, on_ready, &wait);
  response = finish_request (client, &wait, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_nonnull (response->etag);
  g_assert_true (g_str_has_prefix (response->etag, "W/\""));
  g_assert_nonnull (response->last_modified);
  g_assert_cmpstr (response->content_type, ==, "application/fhir+json");
  g_assert_nonnull (response->json);
  g_assert_cmpstr (member_string (response->json, "resourceType"), ==, "Patient");
  g_assert_cmpstr (member_string (response->json, "id"), ==, id);

  /* An unknown id is NOT_FOUND, with the server's words. */
  {
    g_autoptr(CabFhirResponse) missing = NULL;
    g_autoptr(GError) not_found = NULL;

    wait_init (&wait);
    cab_fhir_client_read_async (client, "Patient", "no-such-patient", NULL, on_ready, &wait);
    missing = finish_request (client, &wait, &not_found);
    g_assert_null (missing);
    g_assert_error (not_found, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND);
    g_assert_null (strchr (not_found->message, '{'));
  }
}

static void
test_search_paging (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *url = g_strdup ("Patient?_count=7");
  gint64 total = -1;
  guint n_pages = 0;
  guint n = 0;

  reset_faults ();
  while (url != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirPage) page = do_search (client, url, &error);

      g_assert_no_error (error);
      g_assert_nonnull (page);
      if (n_pages == 0)
        total = page->total;
      g_assert_cmpuint (page->records->len, <=, 7);
      g_assert_cmpuint (page->n_invalid, ==, 0);
      g_assert_cmpuint (page->n_bytes, >, 0);
      for (guint i = 0; i < page->records->len; i++)
        {
          CabFhirRecord *record = g_ptr_array_index (page->records, i);

          g_assert_cmpstr (record->type, ==, "Patient");
          g_assert_true (g_hash_table_add (ids, g_strdup (record->id)));
          n++;
        }
      n_pages++;
      g_assert_cmpuint (n_pages, <, 1000);
      g_free (url);
      url = g_steal_pointer (&page->next_url);
      if (url != NULL)
        g_assert_true (g_str_has_prefix (url, sandbox->base_url));
    }

  g_assert_cmpint (total, >, 7);
  g_assert_cmpint (n, ==, total);
  g_assert_cmpuint (n_pages, ==, (total + 6) / 7);
}

/* ---------------------------------------------------------- sandbox: writes */

static CabFhirResponse *
create_organization (CabFhirClient  *client,
                     const char     *value,
                     GError        **error)
{
  g_autofree char *json = NULL;
  g_autofree char *condition = NULL;
  g_autoptr(JsonNode) resource = NULL;
  Wait wait;

  json = g_strdup_printf ("{\"resourceType\":\"Organization\","
                          "\"identifier\":[{\"system\":\"urn:cabinet:test\",\"value\":\"%s\"}],"
                          "\"name\":\"Cabinet test %s\"}", value, value);
  resource = parse_json (json);
  condition = g_strdup_printf ("identifier=urn:cabinet:test%%7C%s", value);

  wait_init (&wait);
  cab_fhir_client_create_async (client, "Organization", resource, condition,
                                NULL, on_ready, &wait);
  return finish_request (client, &wait, error);
}

static void
test_create_conditional (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) first = NULL;
  g_autoptr(CabFhirResponse) second = NULL;
  g_autoptr(CabFhirPage) page = NULL;
  g_autoptr(GError) error = NULL;

  reset_faults ();
  first = create_organization (client, "create-twice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->status, ==, 201);
  second = create_organization (client, "create-twice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->status, ==, 200);

  page = do_search (client, "Organization?identifier=urn:cabinet:test%7Ccreate-twice", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->records->len, ==, 1);
  g_assert_cmpint (page->total, ==, 1);
}

static void
test_update_if_match (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) created = NULL;
  g_autoptr(CabFhirResponse) read = NULL;
  g_autoptr(CabFhirResponse) updated = NULL;
  g_autoptr(CabFhirResponse) stale = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;
  Wait wait;

  reset_faults ();
  created = create_organization (client, "update-if-match", &error);
  g_assert_no_error (error);

  /* Read back (the create answer may be minimal). */
  {
    g_autoptr(CabFhirPage) page = do_search (client, "Organization?identifier=urn:cabinet:test%7Cupdate-if-match", &error);
    CabFhirRecord *record;

    g_assert_no_error (error);
    g_assert_cmpuint (page->records->len, ==, 1);
    record = g_ptr_array_index (page->records, 0);
    id = g_strdup (record->id);
  }
  path = g_strconcat ("Organization/", id, NULL);
  read = do_get (client, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read->etag);

  object = json_node_get_object (read->json);
  json_object_set_string_member (object, "name", "Cabinet test renamed");
  wait_init (&wait);
  cab_fhir_client_update_async (client, "Organization", id, read->json, read->etag,
                                NULL, on_ready, &wait);
  updated = finish_request (client, &wait, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (updated->status, ==, 200);
  g_assert_nonnull (updated->etag);
  g_assert_cmpstr (updated->etag, !=, read->etag);

  /* The same stale version again: the server's copy changed. */
  wait_init (&wait);
  cab_fhir_client_update_async (client, "Organization", id, read->json, read->etag,
                                NULL, on_ready, &wait);
  stale = finish_request (client, &wait, &error);
  g_assert_null (stale);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_patch (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonNode) patch = NULL;
  g_autoptr(JsonNode) forbidden = NULL;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(CabFhirResponse) refused = NULL;
  g_autoptr(CabFhirResponse) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  Wait wait;

  reset_faults ();
  document = find_pdf_document (client);
  id = g_strdup (member_string (document, "id"));

  patch = parse_json ("[{\"op\":\"add\",\"path\":\"/securityLabel\",\"value\":"
                            "[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-Confidentiality\","
                            "\"code\":\"R\"}]}]");
  wait_init (&wait);
  cab_fhir_client_patch_async (client, "DocumentReference", id, patch, NULL, NULL, on_ready, &wait);
  response = finish_request (client, &wait, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);

  path = g_strconcat ("DocumentReference/", id, NULL);
  read = do_get (client, path, &error);
  g_assert_no_error (error);
  text = json_to_string (read->json, FALSE);
  g_assert_nonnull (strstr (text, "\"code\":\"R\""));

  /* Only securityLabel, status and isArchived may change. */
  forbidden = parse_json ("[{\"op\":\"replace\",\"path\":\"/subject\","
                                "\"value\":{\"reference\":\"Patient/other\"}}]");
  wait_init (&wait);
  cab_fhir_client_patch_async (client, "DocumentReference", id, forbidden, NULL, NULL, on_ready, &wait);
  refused = finish_request (client, &wait, &error);
  g_assert_null (refused);
  g_assert_true (error->domain == CAB_FHIR_ERROR);
  g_test_message ("PATCH refused: %s", error->message);
  /* The server's diagnostics, not a body dump. */
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (strstr (error->message, "resourceType"));
  g_assert_null (strchr (error->message, '{'));
  g_assert_nonnull (strstr (error->message, "subject"));
}

static void
test_transaction (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(JsonNode) patient = NULL;
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *sha1 = NULL;
  const char *content = "%PDF-1.4\n% Cabinet transaction test\n%%EOF\n";
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  const char *patient_id;
  Wait wait;

  reset_faults ();
  patient = first_resource (client, "Patient?_count=1");
  patient_id = member_string (patient, "id");
  pdf = g_base64_encode ((const guchar *) content, strlen (content));
  g_checksum_update (checksum, (const guchar *) content, strlen (content));
  g_checksum_get_digest (checksum, digest, &digest_len);
  sha1 = g_base64_encode (digest, digest_len);

  json = g_strdup_printf (
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    "{\"fullUrl\":\"urn:uuid:6f1c7c2e-0000-4000-8000-000000000001\","
    " \"resource\":{\"resourceType\":\"Binary\",\"contentType\":\"application/pdf\",\"data\":\"%s\"},"
    " \"request\":{\"method\":\"POST\",\"url\":\"Binary\"}},"
    "{\"fullUrl\":\"urn:uuid:6f1c7c2e-0000-4000-8000-000000000002\","
    " \"resource\":{\"resourceType\":\"DocumentReference\",\"status\":\"current\","
    "  \"masterIdentifier\":{\"system\":\"urn:ietf:rfc:3986\",\"value\":\"urn:oid:1.2.3.4.5.transaction-test\"},"
    "  \"type\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"11488-4\",\"display\":\"Compte rendu\"}]},"
    "  \"subject\":{\"reference\":\"Patient/%s\"},\"date\":\"2024-05-02T10:00:00+02:00\","
    "  \"content\":[{\"attachment\":{\"contentType\":\"application/pdf\","
    "   \"url\":\"urn:uuid:6f1c7c2e-0000-4000-8000-000000000001\",\"size\":%zu,\"hash\":\"%s\","
    "   \"title\":\"Transaction test\"}}]},"
    " \"request\":{\"method\":\"POST\",\"url\":\"DocumentReference\"}},"
    "{\"fullUrl\":\"urn:uuid:6f1c7c2e-0000-4000-8000-000000000003\","
    " \"resource\":{\"resourceType\":\"List\",\"status\":\"current\",\"mode\":\"working\","
    "  \"subject\":{\"reference\":\"Patient/%s\"},"
    "  \"entry\":[{\"item\":{\"reference\":\"urn:uuid:6f1c7c2e-0000-4000-8000-000000000002\"}}]},"
    " \"request\":{\"method\":\"POST\",\"url\":\"List\"}}]}",
    pdf, patient_id, strlen (content), sha1, patient_id);
  bundle = parse_json (json);

  wait_init (&wait);
  cab_fhir_client_transaction_async (client, bundle, NULL, on_ready, &wait);
  response = finish_request (client, &wait, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_nonnull (response->json);
  g_assert_cmpstr (member_string (response->json, "resourceType"), ==, "Bundle");
  g_assert_cmpstr (member_string (response->json, "type"), ==, "transaction-response");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (response->json), "entry")), ==, 3);
}

/* ------------------------------------------------------- sandbox: download */

typedef struct
{
  guint   n_calls;
  goffset last;
} Progress;

static void
on_progress (goffset  received,
             goffset  total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpint (received, >=, progress->last);
  progress->last = received;
  progress->n_calls++;
}

static void
test_download (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  JsonObject *attachment;
  const char *url, *hash;
  gint64 size;
  gsize length = 0;
  Progress progress = { 0, 0 };
  Wait wait;

  reset_faults ();
  document = find_pdf_document (client);
  attachment = json_object_get_object_member (
    json_node_get_object (json_array_get_element (
      json_object_get_array_member (json_node_get_object (document), "content"), 0)),
    "attachment");
  url = json_object_get_string_member (attachment, "url");
  hash = json_object_get_string_member (attachment, "hash");
  size = json_object_get_int_member (attachment, "size");
  g_assert_nonnull (url);
  g_assert_nonnull (hash);
  g_assert_cmpint (size, >, 0);

  dir = g_dir_make_tmp ("cab-download-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (dir, "document.pdf", NULL);

  wait_init (&wait);
  cab_fhir_client_download_async (client, url, "application/pdf", dest, size, hash,
                                  on_progress, &progress, NULL, on_ready, &wait);
  g_assert_true (cab_fhir_client_download_finish (client, wait_run (&wait), &error));
  wait_clear (&wait);
  g_assert_no_error (error);
  g_assert_cmpuint (progress.n_calls, >, 0);
  g_assert_cmpint (progress.last, ==, size);

  g_assert_true (g_file_get_contents (dest, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, size);
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (dest, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_test_message ("%" G_GINT64_FORMAT " bytes, %u progress calls", size, progress.n_calls);
  g_assert_cmpint (g_unlink (dest), ==, 0);

  /* The same Binary as FHIR JSON (base64 data): decoded, same fingerprint. */
  g_assert_true (do_download (client, url, "application/fhir+json", dest, size, hash, &error));
  g_assert_no_error (error);
  {
    g_autofree char *decoded = NULL;
    gsize decoded_length = 0;

    g_assert_true (g_file_get_contents (dest, &decoded, &decoded_length, NULL));
    g_assert_cmpmem (decoded, decoded_length, contents, length);
  }
  g_assert_cmpint (g_unlink (dest), ==, 0);

  /* A wrong fingerprint: refused, and nothing left behind. */
  g_assert_false (do_download (client, url, "application/pdf", dest, size, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  /* A wrong size, too. */
  g_assert_false (do_download (client, url, "application/pdf", dest, size - 1, NULL, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH);
  g_clear_error (&error);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (listing));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* --------------------------------------------------------- sandbox: faults */

static void
test_retry_gives_up (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  reset_faults ();
  cab_fhir_client_set_retry_policy (client, 2, 10);
  set_faults ("{\"error_rate\":1.0,\"error_statuses\":[503]}");
  response = do_get (client, "Patient?_count=1", &error);
  reset_faults ();

  g_assert_null (response);
  g_assert_true (error->domain == CAB_FHIR_ERROR);
  g_assert_true (error->code == CAB_FHIR_ERROR_OUTCOME || error->code == CAB_FHIR_ERROR_HTTP);
  assert_stats_delta (client, 3, 2);
}

static void
test_retry_succeeds (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  guint requests = 0, retries = 0;

  reset_faults ();
  cab_fhir_client_set_retry_policy (client, 30, 5);
  set_faults ("{\"error_rate\":0.5,\"error_statuses\":[500,503],\"retry_after\":0}");
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirPage) page = do_search (client, "Patient?_count=2", &error);

      g_assert_no_error (error);
      g_assert_cmpuint (page->records->len, ==, 2);
    }
  reset_faults ();

  cab_fhir_client_get_stats (client, &requests, &retries, NULL);
  g_test_message ("%u requests, %u retries", requests, retries);
  g_assert_cmpuint (requests, ==, 10 + retries);
  g_assert_cmpuint (retries, >, 0);
}

static void
test_retry_after (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  reset_faults ();
  cab_fhir_client_set_retry_policy (client, 1, 1);
  set_faults ("{\"error_rate\":1.0,\"error_statuses\":[429],\"retry_after\":1}");
  start = g_get_monotonic_time ();
  response = do_get (client, "Patient?_count=1", &error);
  /* A lower bound on behaviour: the client waited as told. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  reset_faults ();

  g_assert_null (response);
  g_assert_true (error->domain == CAB_FHIR_ERROR);
  assert_stats_delta (client, 2, 1);
}

static void
test_dropped_connections (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  guint requests = 0, retries = 0;

  reset_faults ();
  cab_fhir_client_set_retry_policy (client, 30, 5);
  set_faults ("{\"drop_rate\":0.5}");
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirResponse) response = do_get (client, "Patient?_count=1", &error);

      g_assert_no_error (error);
      g_assert_cmpuint (response->status, ==, 200);
    }

  cab_fhir_client_get_stats (client, &requests, &retries, NULL);
  g_test_message ("%u requests, %u retries", requests, retries);
  g_assert_cmpuint (retries, >, 0);

  /* Always dropped: a network error after the retries. */
  {
    g_autoptr(CabFhirClient) doomed = sandbox_client ();
    g_autoptr(GError) error = NULL;
    g_autoptr(CabFhirResponse) response = NULL;

    cab_fhir_client_set_retry_policy (doomed, 2, 5);
    set_faults ("{\"drop_rate\":1.0}");
    response = do_get (doomed, "Patient?_count=1", &error);
    reset_faults ();
    g_assert_null (response);
    g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
    assert_stats_delta (doomed, 3, 2);
  }
}

static void
test_timeout (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) slow = NULL;
  g_autoptr(CabFhirResponse) late = NULL;
  g_autoptr(GError) error = NULL;

  reset_faults ();
  cab_fhir_client_set_timeout (client, 1);
  cab_fhir_client_set_retry_policy (client, 1, 5);

  /* Slow but within the timeout: an answer. */
  set_faults ("{\"latency_ms\":300}");
  slow = do_get (client, "Patient?_count=1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (slow->status, ==, 200);
  assert_stats_delta (client, 1, 0);

  /* Slower than the timeout: retried once, then a network error. */
  set_faults ("{\"latency_ms\":2500}");
  late = do_get (client, "Patient?_count=1", &error);
  reset_faults ();
  g_assert_null (late);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
  assert_stats_delta (client, 3, 1);
}

static char *
refresh_same_token (CabFhirClient *client,
                    gpointer       user_data)
{
  guint *n_calls = user_data;

  (*n_calls)++;
  return g_strdup (CAB_TEST_TOKEN);
}

static void
test_expired_token (void)
{
  g_autoptr(CabFhirClient) client = sandbox_client ();
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  guint n_calls = 0;

  reset_faults ();
  cab_fhir_client_set_token_refresh_func (client, refresh_same_token, &n_calls, NULL);
  set_faults ("{\"expire_tokens\":true}");
  response = do_get (client, "Patient?_count=1", &error);
  reset_faults ();

  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (n_calls, ==, 1);
  assert_stats_delta (client, 2, 0);
}

/* -------------------------------------------------------------------- TLS */

static void
test_tls (void)
{
  const char * const args[] = { "--patients", "5", NULL };
  g_autoptr(CabTestSandbox) secure = NULL;
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabFhirClient) wrong = NULL;
  g_autoptr(CabFhirClient) system = NULL;
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other_dir = NULL;
  g_autofree char *other_ca = NULL;

  secure = cab_test_sandbox_start (args, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (secure->base_url, "https://"));
  g_assert_nonnull (secure->ca_file);

  client = new_client (secure->base_url);
  g_assert_true (cab_fhir_client_set_ca_file (client, secure->ca_file, &error));
  g_assert_no_error (error);
  response = do_get (client, "Patient?_count=1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);

  /* Another CA: the server is not trusted, and that is not retried. */
  other_dir = g_dir_make_tmp ("cab-ca-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (cab_test_make_certificates (other_dir, &error));
  g_assert_no_error (error);
  other_ca = g_build_filename (other_dir, "ca.pem", NULL);
  wrong = new_client (secure->base_url);
  g_assert_true (cab_fhir_client_set_ca_file (wrong, other_ca, &error));
  g_clear_pointer (&response, cab_fhir_response_free);
  response = do_get (wrong, "Patient?_count=1", &error);
  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA);
  assert_stats_delta (wrong, 1, 0);
  g_clear_error (&error);

  /* The system's CAs do not know the test CA either. */
  system = new_client (secure->base_url);
  response = do_get (system, "Patient?_count=1", &error);
  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA);
  g_clear_error (&error);

  /* A CA file that does not exist is an error, not a silent fallback. */
  g_assert_false (cab_fhir_client_set_ca_file (system, "/nonexistent/ca.pem", &error));
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
  g_clear_error (&error);

  remove_tree (other_dir);
}

/* ------------------------------------------------------ in-process server */

typedef struct
{
  SoupServer *server;
  char       *base_url;
  guint       n_hits;
  gint64      busy_until_s;   /* the HTTP date busy-once named, Unix seconds */
  gint64      busy_again_us;  /* when busy-once was asked again (real time) */
} Local;

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/fhir+json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static void
redirect (SoupServerMessage *msg,
          const char        *location)
{
  soup_server_message_set_status (msg, 302, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
}

static void
local_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Local *local = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (request_headers, "Authorization");

  local->n_hits++;
  if (g_str_equal (path, "/fhir/away"))
    redirect (msg, "http://127.0.0.2:1/fhir/Patient/1");
  else if (g_str_equal (path, "/fhir/hop"))
    redirect (msg, "/fhir/ok");
  else if (g_str_equal (path, "/fhir/loop"))
    redirect (msg, "/fhir/loop");
  else if (g_str_equal (path, "/fhir/ok"))
    respond_json (msg, 200, "{\"resourceType\":\"Patient\",\"id\":\"ok\"}");
  else if (g_str_equal (path, "/fhir/hostile"))
    respond_json (msg, 200, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                            "\"code\":\"processing\",\"diagnostics\":\"Hostile diagnostics\"}]}");
  else if (g_str_equal (path, "/fhir/gone"))
    respond_json (msg, 410, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                            "\"code\":\"deleted\",\"diagnostics\":\"Patient/x was deleted\"}]}");
  else if (g_str_equal (path, "/fhir/html-error"))
    {
      const char *html = "<html><body>secret stack trace</body></html>";

      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, html, strlen (html));
    }
  else if (g_str_equal (path, "/fhir/busy"))
    {
      respond_json (msg, 503, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                              "\"code\":\"transient\",\"diagnostics\":\"Busy\"}]}");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "60");
    }
  else if (g_str_equal (path, "/fhir/busy-once") && local->n_hits == 1)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 2);
      g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

      /* The header has whole seconds: the fraction is dropped. */
      local->busy_until_s = g_date_time_to_unix (later);
      respond_json (msg, 503, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                              "\"code\":\"transient\",\"diagnostics\":\"Busy\"}]}");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", date);
    }
  else if (g_str_equal (path, "/fhir/busy-once"))
    {
      local->busy_again_us = g_get_real_time ();
      respond_json (msg, 200, "{\"resourceType\":\"Patient\",\"id\":\"patient\"}");
    }
  else if (g_str_equal (path, "/fhir/token"))
    {
      if (g_strcmp0 (authorization, "Bearer fresh") == 0)
        respond_json (msg, 200, "{\"resourceType\":\"Patient\",\"id\":\"t\"}");
      else
        respond_json (msg, 401, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                                "\"code\":\"login\",\"diagnostics\":\"Token expired\"}]}");
    }
  else if (g_str_equal (path, "/fhir/Binary/json"))
    /* base64 of "hello\n" */
    respond_json (msg, 200, "{\"resourceType\":\"Binary\",\"id\":\"json\",\"contentType\":\"text/plain\","
                            "\"data\":\"aGVsbG8K\"}");
  else
    respond_json (msg, 404, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                            "\"code\":\"not-found\",\"diagnostics\":\"Unknown path\"}]}");
}

static Local *
local_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  Local *local = g_new0 (Local, 1);
  GUri *uri;

  local->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (local->server, NULL, local_handler, local, NULL);
  soup_server_listen_local (local->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (local->server);
  g_assert_nonnull (uris);
  uri = uris->data;
  local->base_url = g_strdup_printf ("http://127.0.0.1:%d/fhir", g_uri_get_port (uri));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return local;
}

static void
local_free (Local *local)
{
  /* Let the server see the client's connections close before it goes. */
  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

    g_timeout_add_once (100, (GSourceOnceFunc) g_main_loop_quit, loop);
    g_main_loop_run (loop);
  }
  soup_server_disconnect (local->server);
  g_assert_finalize_object (local->server);
  g_free (local->base_url);
  g_free (local);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Local, local_free)

static void
test_redirects (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = do_get (client, "away", &error);
  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT);
  g_assert_nonnull (strstr (error->message, "another host"));
  g_clear_error (&error);

  response = do_get (client, "hop", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member_string (response->json, "id"), ==, "ok");
  g_clear_pointer (&response, cab_fhir_response_free);

  local->n_hits = 0;
  response = do_get (client, "loop", &error);
  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT);
  g_assert_cmpuint (local->n_hits, ==, 6);
}

static void
test_error_bodies (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* A 200 that carries an error outcome is an error. */
  response = do_get (client, "hostile", &error);
  g_assert_null (response);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_OUTCOME);
  g_assert_nonnull (strstr (error->message, "Hostile diagnostics"));
  g_clear_error (&error);

  response = do_get (client, "gone", &error);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "was deleted"));
  g_clear_error (&error);

  /* Not an OperationOutcome: a status, never the body. */
  cab_fhir_client_set_retry_policy (client, 1, 1);
  response = do_get (client, "html-error", &error);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HTTP);
  g_assert_null (strstr (error->message, "secret"));
  g_assert_nonnull (strstr (error->message, "500"));
  g_clear_error (&error);

  /* POST without a way to deduplicate is never resent. */
  local->n_hits = 0;
  response = do_send (client, "POST", "html-error", NULL, NULL, "{}", CAB_FHIR_REQUEST_DEFAULT, &error);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HTTP);
  g_assert_cmpuint (local->n_hits, ==, 1);
  g_clear_error (&error);
  local->n_hits = 0;
  response = do_send (client, "POST", "html-error", NULL, NULL, "{}", CAB_FHIR_REQUEST_RETRY_UNSAFE, &error);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HTTP);
  g_assert_cmpuint (local->n_hits, ==, 2);
  g_clear_error (&error);
}

static char *
refresh_fresh (CabFhirClient *client,
               gpointer       user_data)
{
  guint *n_calls = user_data;

  (*n_calls)++;
  return g_strdup ("fresh");
}

static void
test_token_refresh (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  guint n_calls = 0;

  /* No refresh function: a plain UNAUTHORIZED with the server's words. */
  response = do_get (client, "token", &error);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "Token expired"));
  g_clear_error (&error);

  cab_fhir_client_set_token_refresh_func (client, refresh_fresh, &n_calls, NULL);
  response = do_get (client, "token", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (n_calls, ==, 1);
}

static void
test_binary_json (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cab-binary-XXXXXX", NULL);
  g_autofree char *dest = g_build_filename (dir, "hello.txt", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sha1 = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) "hello\n", 6);
  g_checksum_get_digest (checksum, digest, &digest_len);
  sha1 = g_base64_encode (digest, digest_len);

  g_assert_true (do_download (client, "Binary/json", "application/fhir+json", dest, 6, sha1, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (dest, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "hello\n");
  g_unlink (dest);

  g_assert_false (do_download (client, "Binary/json", "application/fhir+json", dest, 6, "bm90IHRoZSBoYXNoIGF0IGFsbA==", &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  /* An attachment on another host is refused before any request. */
  g_assert_false (do_download (client, "http://127.0.0.2:1/fhir/Binary/json", NULL, dest, -1, NULL, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT);
  g_clear_error (&error);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef struct
{
  CabFhirClient *client;
  GCancellable  *cancellable;
} Sleeping;

/* Cancels once the client sleeps on the server's Retry-After: it keeps it
 * before scheduling the retry (a fixed delay raced the first answer on a
 * loaded machine). */
static gboolean
cancel_when_sleeping (gpointer user_data)
{
  Sleeping *sleeping = user_data;

  if (cab_fhir_client_get_busy_until (sleeping->client) <= g_get_monotonic_time ())
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (sleeping->cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_during_backoff (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Sleeping sleeping = { client, cancellable };
  guint poll_id;
  Wait wait;

  /* Retry-After: 60 puts the request to sleep; cancelling wakes it now. */
  wait_init (&wait);
  cab_fhir_client_send_async (client, "GET", "busy", NULL, NULL, NULL, CAB_FHIR_REQUEST_DEFAULT,
                              cancellable, on_ready, &wait);
  poll_id = g_timeout_add (10, cancel_when_sleeping, &sleeping);
  response = cab_fhir_client_send_finish (client, wait_run (&wait), &error);
  wait_clear (&wait);
  /* Cancelled by it: the source removed itself. */
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_null (g_main_context_find_source_by_id (NULL, poll_id));
  g_assert_null (response);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (local->n_hits, ==, 1);
}

static void
test_retry_after_date (void)
{
  g_autoptr(Local) local = local_start ();
  g_autoptr(CabFhirClient) client = new_client (local->base_url);
  g_autoptr(CabFhirResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* Retry-After as an HTTP date two seconds ahead (one second resolution):
   * asked again at that second or later, never before, however long the
   * answer took to come (the wait is counted up, not down). */
  response = do_get (client, "busy-once", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (member_string (response->json, "id"), ==, "patient");
  g_assert_cmpuint (local->n_hits, ==, 2);
  g_test_message ("asked again %" G_GINT64_FORMAT " ms after the date named",
                  (local->busy_again_us - local->busy_until_s * G_USEC_PER_SEC) / 1000);
  g_assert_cmpint (local->busy_again_us, >=, local->busy_until_s * G_USEC_PER_SEC);
  assert_stats_delta (client, 2, 1);
}

static void
test_build_url (void)
{
  g_autoptr(CabFhirClient) client = new_client ("https://dmp.example.fr:8443/fhir/r4/");
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) bad = NULL;
  char *url;

  g_assert_cmpstr (cab_fhir_client_get_base_url (client), ==, "https://dmp.example.fr:8443/fhir/r4");

  url = cab_fhir_client_build_url (client, "Patient?_count=10");
  g_assert_cmpstr (url, ==, "https://dmp.example.fr:8443/fhir/r4/Patient?_count=10");
  g_free (url);
  url = cab_fhir_client_build_url (client, "https://DMP.example.fr:8443/fhir/r4/Binary/1");
  g_assert_nonnull (url);
  g_free (url);
  url = cab_fhir_client_build_url (client, "/fhir/r4/Binary/2");
  g_assert_cmpstr (url, ==, "https://dmp.example.fr:8443/fhir/r4/Binary/2");
  g_free (url);

  g_assert_null (cab_fhir_client_build_url (client, "https://evil.example.com/fhir/Binary/1"));
  g_assert_null (cab_fhir_client_build_url (client, "https://dmp.example.fr/fhir/Binary/1"));
  g_assert_null (cab_fhir_client_build_url (client, "http://dmp.example.fr:8443/fhir/Binary/1"));
  g_assert_null (cab_fhir_client_build_url (client, "//evil.example.com/x"));
  g_assert_null (cab_fhir_client_build_url (client, "Patient?name=a b"));

  bad = cab_fhir_client_new ("ftp://example.fr/fhir", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_clear_error (&error);
  bad = cab_fhir_client_new ("not a url", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

/* --------------------------------------------------------------------- main */

int
main (int   argc,
      char *argv[])
{
  int status;

  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the system GSettings schemas and
   * GIO's GNOME proxy resolver, which every SoupSession loads, aborts. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-client/build-url", test_build_url);
  g_test_add_func ("/fhir-client/redirects", test_redirects);
  g_test_add_func ("/fhir-client/error-bodies", test_error_bodies);
  g_test_add_func ("/fhir-client/token-refresh", test_token_refresh);
  g_test_add_func ("/fhir-client/binary-json", test_binary_json);
  g_test_add_func ("/fhir-client/cancel-during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/fhir-client/retry-after-date", test_retry_after_date);

  g_test_add_func ("/fhir-client/sandbox/read-etag", test_read_etag);
  g_test_add_func ("/fhir-client/sandbox/search-paging", test_search_paging);
  g_test_add_func ("/fhir-client/sandbox/create-conditional", test_create_conditional);
  g_test_add_func ("/fhir-client/sandbox/update-if-match", test_update_if_match);
  g_test_add_func ("/fhir-client/sandbox/patch", test_patch);
  g_test_add_func ("/fhir-client/sandbox/transaction", test_transaction);
  g_test_add_func ("/fhir-client/sandbox/download", test_download);
  g_test_add_func ("/fhir-client/sandbox/retry-gives-up", test_retry_gives_up);
  g_test_add_func ("/fhir-client/sandbox/retry-succeeds", test_retry_succeeds);
  g_test_add_func ("/fhir-client/sandbox/retry-after", test_retry_after);
  g_test_add_func ("/fhir-client/sandbox/dropped-connections", test_dropped_connections);
  g_test_add_func ("/fhir-client/sandbox/timeout", test_timeout);
  g_test_add_func ("/fhir-client/sandbox/expired-token", test_expired_token);
  g_test_add_func ("/fhir-client/sandbox/tls", test_tls);

  status = g_test_run ();
  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  return status;
}
