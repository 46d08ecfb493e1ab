/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hostile"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <utime.h>
#include <glib/gstdio.h>

#include "cab-document-cache.h"
#include "cab-fhir-client.h"
#include "cab-hostile-server.h"
#include "cab-session.h"
#include "cab-store.h"
#include "cab-sync.h"
#include "cab-test-sandbox.h"

/*
 * The rules of docs/architecture.md, "Rules for hostile input", against a
 * server that breaks them on purpose (tests/hostile/). Loopback only; the
 * client's limits are lowered so that each test takes seconds: a 1 s
 * headers deadline, 50 bytes/s over 1 s windows, one retry.
 */

#define PRACTICE      "Organization/o1"
#define TEST_TIMEOUT  (20 * G_TIME_SPAN_SECOND)

/* ------------------------------------------------------------- helpers */

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

/* Turns the main context until @done, bounded in time. */
static void
wait_for (const gboolean *done)
{
  gint64 end = g_get_monotonic_time () + TEST_TIMEOUT;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static CabFhirClient *
new_client (const char *base)
{
  g_autoptr(GError) error = NULL;
  CabFhirClient *client = cab_fhir_client_new (base, &error);

  g_assert_no_error (error);
  cab_fhir_client_set_token (client, CAB_TEST_TOKEN);
  cab_fhir_client_set_retry_policy (client, 1, 10);
  cab_fhir_client_set_deadlines (client, 1, 50, 1);
  return client;
}

static CabFhirPage *
search (CabFhirClient  *client,
        const char     *path,
        GError        **error)
{
  Wait wait = { 0 };
  CabFhirPage *page;

  cab_fhir_client_search_async (client, path, NULL, on_ready, &wait);
  wait_for (&wait.done);
  page = cab_fhir_client_search_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return page;
}

static gboolean
download (CabFhirClient  *client,
          const char     *url,
          const char     *dest,
          GError        **error)
{
  Wait wait = { 0 };
  gboolean ok;

  cab_fhir_client_download_async (client, url, "application/pdf", dest, -1, NULL,
                                  NULL, NULL, NULL, on_ready, &wait);
  wait_for (&wait.done);
  ok = cab_fhir_client_download_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return ok;
}

typedef struct
{
  char     *dir;
  CabStore *store;
} Store;

static Store *
store_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Store *store = g_new0 (Store, 1);

  store->dir = g_dir_make_tmp ("test-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (store->dir, "cabinet.db", NULL);
  store->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static void
store_free (Store *store)
{
  g_clear_object (&store->store);
  remove_tree (store->dir);
  g_free (store->dir);
  g_free (store);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Store, store_free)

typedef struct
{
  gboolean     done;
  gboolean     ok;
  CabSyncStats stats;
  GError      *error;
} RunResult;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunResult *res = user_data;

  res->ok = cab_sync_run_finish (CAB_SYNC (object), result, &res->stats, &res->error);
  res->done = TRUE;
}

static gboolean
run_sync (CabSync  *sync,
          GError  **error)
{
  RunResult res = { 0 };

  cab_sync_run_async (sync, NULL, NULL, run_cb, &res);
  wait_for (&res.done);
  if (res.error != NULL)
    g_propagate_error (error, res.error);
  return res.ok;
}

static gboolean
any_part_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      return TRUE;
  return FALSE;
}

/* ----------------------------------------------------------- deadlines */

/* Headers one byte every 200 ms: the whole status line would take minutes.
 * The attempt and its retry each give up after the 1 s headers deadline. */
static void
test_slow_headers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabFhirPage) page = NULL;
  gint64 start;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_SLOW_HEADERS);
  client = new_client (cab_hostile_server_get_base (server));

  start = g_get_monotonic_time ();
  page = search (client, "Patient?name=x", &error);
  g_assert_null (page);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_TIME_SPAN_SECOND);
  /* Retried once, as any timeout. */
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 2);
}

/* The headers at once, then the body at 5 bytes/s, under the 50 bytes/s floor. */
static void
test_slow_body (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabFhirPage) page = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  gint64 start;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_SLOW_BODY);
  client = new_client (cab_hostile_server_get_base (server));

  start = g_get_monotonic_time ();
  page = search (client, "Patient?name=x", &error);
  g_assert_null (page);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_TIME_SPAN_SECOND);
  g_clear_error (&error);

  /* A download is held to the same floor, and leaves no temporary file. */
  dir = g_dir_make_tmp ("test-hostile-dl-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (dir, "doc.pdf", NULL);
  start = g_get_monotonic_time ();
  g_assert_false (download (client, "Binary/b1", dest, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_TIME_SPAN_SECOND);
  g_assert_false (any_part_file (dir));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

/* ---------------------------------------------------------- next links */

static void
test_next_self (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(Store) store = store_new ();

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_NEXT_SELF);
  client = new_client (cab_hostile_server_get_base (server));
  sync = cab_sync_new (client, store->store, PRACTICE);

  g_assert_false (run_sync (sync, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Patient"));
  /* Roles, the first Patient page and its repeat at most. */
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), <=, 3);
}

static void
test_next_endless (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(Store) store = store_new ();

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_NEXT_ENDLESS);
  client = new_client (cab_hostile_server_get_base (server));
  sync = cab_sync_new (client, store->store, PRACTICE);
  cab_sync_set_max_pages (sync, 20);

  g_assert_false (run_sync (sync, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "PractitionerRole"));
  g_assert_nonnull (strstr (error->message, "20"));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 20);
}

/* ------------------------------------------------------------ downloads */

static void
test_endless_download (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_ENDLESS_BINARY);
  client = new_client (cab_hostile_server_get_base (server));
  cab_fhir_client_set_max_download (client, 1024 * 1024);

  dir = g_dir_make_tmp ("test-hostile-dl-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (dir, "doc.pdf", NULL);
  /* No size announced, in the resource nor in the answer. */
  g_assert_false (download (client, "Binary/endless", dest, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_LARGE);
  g_assert_false (any_part_file (dir));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

/* A .part left by a killed process goes at the next start, however recent;
 * one still being written (its download holds a lock on it) stays, however old. */
static void
test_stale_part (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-part-XXXXXX", &error);
  g_autofree char *documents = g_build_filename (dir, "documents", NULL);
  g_autofree char *stale = g_build_filename (documents, "d1.pdf.AB12CD.part", NULL);
  g_autofree char *fresh = g_build_filename (documents, "d2.pdf.EF34GH.part", NULL);
  g_autofree char *other = g_build_filename (documents, "d3.pdf", NULL);
  struct utimbuf old = { 1000000000, 1000000000 };
  int live;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (documents, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stale, "x", 1, NULL));
  g_assert_true (g_file_set_contents (fresh, "x", 1, NULL));
  g_assert_true (g_file_set_contents (other, "x", 1, NULL));
  g_assert_cmpint (g_utime (fresh, &old), ==, 0);
  g_assert_cmpint (g_utime (other, &old), ==, 0);
  live = open (fresh, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (live, >=, 0);
  g_assert_cmpint (flock (live, LOCK_EX | LOCK_NB), ==, 0);

  g_assert_cmpuint (cab_document_cache_remove_stale (dir), ==, 1);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));

  /* Its download died: the lock went with it. */
  close (live);
  g_assert_cmpuint (cab_document_cache_remove_stale (dir), ==, 1);
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  remove_tree (dir);
}

/* -------------------------------------------------------- path containment */

static void
test_url_containment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) client = cab_fhir_client_new ("https://dmp.example:8443/fhir", &error);
  static const char * const refused[] = {
    "../../../../etc/passwd", "Binary/../../x", "/etc/passwd", "/fhirx/Binary/1",
    "Binary/%2e%2e/%2E%2E/x", "Binary/..%2Fadmin", "Binary/a%5c..%5cb",
    "https://dmp.example:8443/other/Binary/1", "https://dmp.example:8443/fhir/../x",
    "https://dmp.example/fhir/Binary/1", "http://dmp.example:8443/fhir/Binary/1",
    "//evil.example/fhir/Binary/1",
  };
  static const char * const accepted[] = {
    "Binary/1", "/fhir/Binary/1", "https://dmp.example:8443/fhir/Binary/1",
    "DocumentReference?patient.identifier=x%7Cy", "", "Binary/./1",
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *url = cab_fhir_client_build_url (client, refused[i]);

      if (url != NULL)
        g_error ("“%s” resolved to “%s”, outside the base", refused[i], url);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *url = cab_fhir_client_build_url (client, accepted[i]);

      g_assert_nonnull (url);
      g_assert_true (g_str_has_prefix (url, "https://dmp.example:8443/fhir"));
    }
}

/* The attachment "../../../../etc/passwd" is refused before any request:
 * the bearer token never goes outside the FHIR base. */
static void
test_dotdot_attachment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;
  g_auto(GStrv) paths = NULL;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_DOTDOT_URL);
  client = new_client (cab_hostile_server_get_base (server));
  dir = g_dir_make_tmp ("test-hostile-dl-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (dir, "doc.pdf", NULL);

  g_assert_false (download (client, "../../../../etc/passwd", dest, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_REDIRECT);
  paths = cab_hostile_server_get_paths (server);
  for (guint i = 0; paths[i] != NULL; i++)
    g_assert_true (g_str_has_prefix (paths[i], "/fhir/"));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);
  remove_tree (dir);
}

/* ------------------------------------------------------------------ NUL */

/* "pat-1\u0000evil" must not replace pat-1: the page is refused whole. */
static void
test_nul_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(Store) store = store_new ();
  g_autoptr(GPtrArray) patients = NULL;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_NUL_ID);
  client = new_client (cab_hostile_server_get_base (server));
  sync = cab_sync_new (client, store->store, PRACTICE);

  g_assert_false (run_sync (sync, &error));
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
  g_clear_error (&error);
  patients = cab_store_search_patients (store->store, NULL, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < patients->len; i++)
    {
      const CabPatientRow *row = g_ptr_array_index (patients, i);

      g_assert_cmpstr (row->patient.family, !=, "Evil");
    }
}

/* ------------------------------------------------------------------ TLS */

static gboolean
run_in (const char         *dir,
        const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;

  g_subprocess_launcher_set_cwd (launcher, dir);
  process = g_subprocess_launcher_spawnv (launcher, argv, NULL);
  return process != NULL && g_subprocess_wait_check (process, NULL, NULL);
}

/* In @dir (which holds the CA of cab_test_make_certificates): a server
 * certificate @name.pem for @san, valid from @start to @end (openssl ca
 * dates, YYYYMMDDHHMMSSZ) or for a day when NULL. */
static GTlsCertificate *
make_server_cert (const char *dir,
                  const char *name,
                  const char *san,
                  const char *start,
                  const char *end)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_strconcat (name, "-key.pem", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext = g_strdup_printf ("basicConstraints=CA:FALSE\nsubjectAltName=%s\n", san);
  g_autofree char *ext_path = g_build_filename (dir, "hostile-ext.cnf", NULL);
  g_autofree char *cnf_path = g_build_filename (dir, "hostile-ca.cnf", NULL);
  g_autofree char *index = g_build_filename (dir, "index.txt", NULL);
  g_autofree char *serial = g_build_filename (dir, "serial", NULL);
  g_autofree char *pem_path = g_build_filename (dir, pem, NULL);
  g_autofree char *key_path = g_build_filename (dir, key, NULL);
  g_autofree char *serial_text = g_strdup_printf ("%08X\n", g_random_int ());
  const char *req[] = {
    "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=hostile", NULL
  };
  const char *sign[] = {
    "openssl", "ca", "-batch", "-notext", "-config", "hostile-ca.cnf", "-cert", "ca.pem",
    "-keyfile", "ca-key.pem", "-in", csr, "-out", pem, "-extfile", "hostile-ext.cnf",
    "-startdate", start != NULL ? start : "20200101000000Z",
    "-enddate", end != NULL ? end : "20991231000000Z", NULL
  };
  GTlsCertificate *cert;

  g_assert_true (g_file_set_contents (ext_path, ext, -1, NULL));
  g_assert_true (g_file_set_contents (cnf_path,
                                      "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n"
                                      "new_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
                                      "unique_subject = no\npolicy = p\n[p]\ncommonName = supplied\n",
                                      -1, NULL));
  if (!g_file_test (index, G_FILE_TEST_EXISTS))
    g_assert_true (g_file_set_contents (index, "", 0, NULL));
  g_assert_true (g_file_set_contents (serial, serial_text, -1, NULL));
  g_assert_true (run_in (dir, req));
  g_assert_true (run_in (dir, sign));

  cert = g_tls_certificate_new_from_files (pem_path, key_path, &error);
  g_assert_no_error (error);
  return cert;
}

/* @code: a CabFhirClientError, or -1 for success. */
static void
assert_tls_code (GTlsCertificate    *cert,
                 const char         *ca_file,
                 int                 code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (cert, &error);
  g_autoptr(CabFhirClient) client = NULL;
  g_autoptr(CabFhirPage) page = NULL;

  g_assert_no_error (error);
  client = new_client (cab_hostile_server_get_base (server));
  cab_fhir_client_set_deadlines (client, 5, 50, 1);
  if (ca_file != NULL)
    {
      g_assert_true (cab_fhir_client_set_ca_file (client, ca_file, &error));
      g_assert_no_error (error);
    }
  page = search (client, "Patient?name=x", &error);
  if (code < 0)
    {
      g_assert_no_error (error);
      g_assert_nonnull (page);
      return;
    }
  g_assert_null (page);
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, code);
  g_assert_true (cab_fhir_client_error_is_tls (error));
}

/* See ctl_skip_leak_check: under the sanitizers, a test that speaks TLS in
 * this process runs in a child without the leak check (its other checks
 * stay), so that this process never made a TLS connection. */
static gboolean
run_tls_test_in_child (void)
{
  g_autofree char *saved = NULL;
  g_autofree char *options = NULL;

  if (g_test_subprocess () || g_getenv ("ASAN_OPTIONS") == NULL)
    return FALSE;

  saved = g_strdup (g_getenv ("ASAN_OPTIONS"));
  options = g_strconcat (saved, ":detect_leaks=0", NULL);
  g_setenv ("ASAN_OPTIONS", options, TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_setenv ("ASAN_OPTIONS", saved, TRUE);
  g_test_trap_assert_passed ();
  return TRUE;
}

static void
test_tls_codes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-tls-XXXXXX", &error);
  g_autofree char *ca = NULL;
  g_autoptr(GTlsCertificate) good = NULL;
  g_autoptr(GTlsCertificate) other_name = NULL;
  g_autoptr(GTlsCertificate) expired = NULL;
  g_autoptr(GTlsCertificate) future = NULL;

  if (run_tls_test_in_child ())
    {
      remove_tree (dir);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (cab_test_make_certificates (dir, &error));
  g_assert_no_error (error);
  ca = g_build_filename (dir, "ca.pem", NULL);

  good = make_server_cert (dir, "good", "IP:127.0.0.1,DNS:localhost", NULL, NULL);
  other_name = make_server_cert (dir, "other", "DNS:other.example", NULL, NULL);
  expired = make_server_cert (dir, "expired", "IP:127.0.0.1,DNS:localhost",
                              "20200101000000Z", "20200102000000Z");
  future = make_server_cert (dir, "future", "IP:127.0.0.1,DNS:localhost",
                             "20900101000000Z", "20900102000000Z");

  assert_tls_code (good, ca, -1);
  assert_tls_code (good, NULL, CAB_FHIR_CLIENT_ERROR_TLS_UNKNOWN_CA);
  assert_tls_code (other_name, ca, CAB_FHIR_CLIENT_ERROR_TLS_BAD_IDENTITY);
  assert_tls_code (expired, ca, CAB_FHIR_CLIENT_ERROR_TLS_EXPIRED);
  assert_tls_code (future, ca, CAB_FHIR_CLIENT_ERROR_TLS_EXPIRED);
  remove_tree (dir);
}

/* A CA file with no certificate, by a relative path: said at once. */
static void
test_ca_file_codes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirClient) client = new_client ("https://127.0.0.1:1/fhir");
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ca-XXXXXX", &error);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.pem", NULL);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (garbage, "not a certificate\n", -1, NULL));
  g_assert_true (cab_test_make_certificates (dir, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chdir (dir), ==, 0);

  g_assert_false (cab_fhir_client_set_ca_file (client, "garbage.pem", &error));
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
  g_assert_false (cab_fhir_client_error_is_tls (error));
  g_clear_error (&error);
  g_assert_false (cab_fhir_client_set_ca_file (client, "missing.pem", &error));
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
  g_clear_error (&error);
  /* A relative path to a real CA works like an absolute one. */
  g_assert_true (cab_fhir_client_set_ca_file (client, "ca.pem", &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_chdir (cwd), ==, 0);
  remove_tree (dir);
}


/* ----------------------------------------------------------- cabinetctl */

typedef struct
{
  gboolean  done;
  GBytes   *out;
  char     *err;
  int       status;
} CtlRun;

/* LeakSanitizer's tracer crashes (signal 11 inside libasan, "Tracer caught
 * signal 11") when it stops a process that made TLS connections through
 * GnuTLS, here cabinetctl or this test when its server speaks TLS. Set
 * around such a cabinetctl run, in the sanitizer build only, to skip the
 * leak check there; every other run keeps it. */
static gboolean ctl_skip_leak_check;

static void
ctl_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CtlRun *run = user_data;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_finish (G_SUBPROCESS (source), result,
                                                  &run->out, &err, &error));
  g_assert_no_error (error);
  run->err = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  run->status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
                ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
  run->done = TRUE;
}

/* Runs $CABINETCTL in @cwd with the NULL-terminated @args while this
 * process's main context turns (the hostile server needs it). No keyring,
 * no settings: everything from the arguments and @env_token. */
static int
ctl (const char  *cwd,
     const char  *env_token,
     GBytes     **out,
     char       **err,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CtlRun run = { 0 };
  const char *arg;
  va_list ap;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_CA");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_PRACTICE");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_DATA_DIR");
  if (env_token != NULL)
    g_subprocess_launcher_setenv (launcher, "CABINET_TOKEN", env_token, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  g_subprocess_launcher_set_cwd (launcher, cwd);
  if (ctl_skip_leak_check && g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *options = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }

  g_ptr_array_add (args, (gpointer) g_getenv ("CABINETCTL"));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (process, NULL, NULL, ctl_done, &run);
  wait_for (&run.done);

  if (out != NULL)
    *out = g_steal_pointer (&run.out);
  g_clear_pointer (&run.out, g_bytes_unref);
  if (err != NULL)
    *err = g_steal_pointer (&run.err);
  else
    {
      if (run.status != 0)
        g_test_message ("cabinetctl: %s", run.err);
      g_free (run.err);
    }
  return run.status;
}

/* "document fetch ." and ".." are refused before any request; -o is a
 * local path even when it looks like a URI; -o - is standard output. */
static void
test_ctl_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ctl-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *saved = g_build_filename (dir, "cr:2025.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) out = NULL;
  const char *base;

  g_assert_no_error (error);
  base = cab_hostile_server_get_base (server);

  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, NULL, "--server", base, "--data-dir", data,
                        "document", "fetch", ".", "-o", "x.pdf", NULL), ==, 1);
  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, NULL, "--server", base, "--data-dir", data,
                        "document", "fetch", "..", "-o", "x.pdf", NULL), ==, 1);
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);

  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, NULL, "--server", base, "--data-dir", data,
                        "document", "fetch", "d1", "-o", "cr:2025.pdf", NULL), ==, 0);
  g_assert_true (g_file_get_contents (saved, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, &out, NULL, "--server", base, "--data-dir", data,
                        "document", "fetch", "d1", "-o", "-", NULL), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (out), ==, strlen (contents));
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), contents, strlen (contents));
  remove_tree (dir);
}

/* The attachment "../../../../etc/passwd" of a DocumentReference: refused,
 * nothing asked outside /fhir. */
static void
test_ctl_dotdot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ctl-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_auto(GStrv) paths = NULL;

  g_assert_no_error (error);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_DOTDOT_URL);
  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, NULL, "--server", cab_hostile_server_get_base (server),
                        "--data-dir", data, "document", "fetch", "d1", "-o", "x.pdf", NULL), ==, 3);
  paths = cab_hostile_server_get_paths (server);
  g_assert_cmpuint (g_strv_length (paths), ==, 1);
  g_assert_cmpstr (paths[0], ==, "/fhir/DocumentReference/d1");
  remove_tree (dir);
}

/* A relative --ca: resolved against the working directory; a garbage one
 * is said at start-up, exit 2, before any connection. */
static void
test_ctl_ca (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ctl-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *garbage = g_build_filename (dir, "garbage.pem", NULL);
  g_autofree char *err = NULL;
  g_autoptr(CabHostileServer) server = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;

  if (run_tls_test_in_child ())
    {
      remove_tree (dir);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (cab_test_make_certificates (dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (garbage, "garbage\n", -1, NULL));
  cert = make_server_cert (dir, "good", "IP:127.0.0.1,DNS:localhost", NULL, NULL);
  server = cab_hostile_server_new (cert, &error);
  g_assert_no_error (error);

  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, &err, "--server", cab_hostile_server_get_base (server),
                        "--ca", "garbage.pem", "--data-dir", data, "--practice", PRACTICE,
                        "sync", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "garbage.pem"));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);
  g_clear_pointer (&err, g_free);

  ctl_skip_leak_check = TRUE;
  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, NULL, "--server", cab_hostile_server_get_base (server),
                        "--ca", "ca.pem", "--data-dir", data, "--practice", PRACTICE,
                        "sync", NULL), ==, 0);
  ctl_skip_leak_check = FALSE;
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), >, 0);
  remove_tree (dir);
}

/* The token from a private file, never from argv; a file others can read is
 * refused. The data directory, made 0755 by someone, is tightened. */
static void
test_ctl_token_file_and_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ctl-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *token = g_build_filename (dir, "token", NULL);
  g_autofree char *err = NULL;
  g_autofree char *help = NULL;
  g_autoptr(GBytes) out = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (data, 0755), ==, 0);
  g_assert_cmpint (g_chmod (data, 0755), ==, 0);
  g_assert_true (g_file_set_contents (token, CAB_TEST_TOKEN "\n", -1, NULL));

  g_assert_cmpint (g_chmod (token, 0644), ==, 0);
  g_assert_cmpint (ctl (dir, NULL, NULL, &err, "--server", cab_hostile_server_get_base (server),
                        "--token-file", "token", "--data-dir", data, "--practice", PRACTICE,
                        "sync", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "token"));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);

  g_assert_cmpint (g_chmod (token, 0600), ==, 0);
  g_assert_cmpint (ctl (dir, NULL, NULL, NULL, "--server", cab_hostile_server_get_base (server),
                        "--token-file", "token", "--data-dir", data, "--practice", PRACTICE,
                        "sync", NULL), ==, 0);
  g_assert_cmpuint (cab_hostile_server_get_n_tokens (server), ==, cab_hostile_server_get_n_requests (server));

  g_assert_cmpint (g_stat (data, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* The help says --token is visible to others. */
  g_assert_cmpint (ctl (dir, NULL, &out, NULL, "--help", NULL), ==, 0);
  help = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_nonnull (strstr (help, "--token-file"));
  g_assert_nonnull (strstr (help, "ps"));
  remove_tree (dir);
}

/* Two patients with one INS: stored both, flagged in the sync summary and
 * in patients --json, and no INS lookup picks one. */
static void
test_ctl_duplicate_ins (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("test-hostile-ctl-XXXXXX", &error);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) out = NULL;
  const char *base;

  g_assert_no_error (error);
  base = cab_hostile_server_get_base (server);
  cab_hostile_server_set_mode (server, CAB_HOSTILE_DUPLICATE_INS);

  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, &out, NULL, "--server", base, "--data-dir", data,
                        "--practice", PRACTICE, "sync", "--json", NULL), ==, 0);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_nonnull (strstr (text, "\"duplicate_ins\" : 2"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&out, g_bytes_unref);

  g_assert_cmpint (ctl (dir, NULL, &out, NULL, "--data-dir", data, "patients", "--json", NULL), ==, 0);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_nonnull (strstr (text, "\"ins_duplicate\" : true"));
  g_assert_null (strstr (text, "\"ins_duplicate\" : false"));

  g_assert_cmpint (ctl (dir, NULL, NULL, &err, "--data-dir", data, "timeline", "180037512345692", NULL), ==, 5);
  g_assert_nonnull (strstr (err, "INS"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (dir, CAB_TEST_TOKEN, NULL, &err, "--server", base, "--data-dir", data,
                        "--practice", PRACTICE, "sync", "--patient", "180037512345692", NULL), ==, 5);
  remove_tree (dir);
}

/* The window's path: a session whose configuration holds a keyring token
 * saved for another server does not connect, and sends nothing. */
static void
test_session_token_scope (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabHostileServer) server = cab_hostile_server_new (NULL, &error);
  g_autoptr(CabConfig) config = g_new0 (CabConfig, 1);
  g_autoptr(CabSession) session = NULL;
  CabSession *weak = NULL;

  g_assert_no_error (error);
  config->server_url = g_strdup (cab_hostile_server_get_base (server));
  config->token = g_strdup ("token-of-another-server");
  config->token_server = g_strdup ("https://dmp.example/fhir");
  config->data_dir = g_dir_make_tmp ("test-hostile-session-XXXXXX", &error);
  g_assert_no_error (error);

  session = cab_session_new_full (config, CAB_SESSION_FLAGS_MANUAL);
  g_assert_false (cab_session_connect (session, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_NO_TOKEN);
  g_assert_null (cab_session_get_client (session));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);
  g_clear_object (&session);

  /* The window's automatic start checks off the main thread, while the
   * store opens, and ends BROKEN with the same error. */
  config->practice = g_strdup ("Organization/cabinet");
  session = cab_session_new (config);
  cab_session_start (session);
  while (cab_session_get_status (session) == CAB_SESSION_STATUS_OPENING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cab_session_get_status (session), ==, CAB_SESSION_STATUS_BROKEN);
  g_assert_error (cab_session_get_error (session), CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_NO_TOKEN);
  g_assert_null (cab_session_get_client (session));
  g_assert_cmpuint (cab_hostile_server_get_n_requests (server), ==, 0);
  /* Its first reads (patient count, names) may still be on the pool: let
   * them land before the store's folder goes. */
  cab_session_shutdown (session);
  weak = session;
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &weak);
  g_clear_object (&session);
  while (weak != NULL)
    g_main_context_iteration (NULL, TRUE);
  remove_tree (config->data_dir);
}

int
main (int   argc,
      char *argv[])
{
  /* No keyring: a lookup for another server finds nothing, at once. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/deadline/slow-headers", test_slow_headers);
  g_test_add_func ("/hostile/deadline/slow-body", test_slow_body);
  g_test_add_func ("/hostile/next/self", test_next_self);
  g_test_add_func ("/hostile/next/endless", test_next_endless);
  g_test_add_func ("/hostile/download/endless", test_endless_download);
  g_test_add_func ("/hostile/download/stale-part", test_stale_part);
  g_test_add_func ("/hostile/url/containment", test_url_containment);
  g_test_add_func ("/hostile/url/dotdot-attachment", test_dotdot_attachment);
  g_test_add_func ("/hostile/nul-id", test_nul_id);
  g_test_add_func ("/hostile/tls/codes", test_tls_codes);
  g_test_add_func ("/hostile/tls/ca-file", test_ca_file_codes);
  g_test_add_func ("/hostile/session/token-scope", test_session_token_scope);
  g_test_add_func ("/hostile/cabinetctl/document", test_ctl_document);
  g_test_add_func ("/hostile/cabinetctl/dotdot", test_ctl_dotdot);
  g_test_add_func ("/hostile/cabinetctl/ca", test_ctl_ca);
  g_test_add_func ("/hostile/cabinetctl/token-file-and-data-dir", test_ctl_token_file_and_data_dir);
  g_test_add_func ("/hostile/cabinetctl/duplicate-ins", test_ctl_duplicate_ins);

  return g_test_run ();
}
