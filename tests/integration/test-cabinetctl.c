/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real cabinetctl binary against a real cabinet-sandbox: sync, patients,
 * timeline, document fetch, failures, and SIGKILL at random moments. */
#define G_LOG_DOMAIN "test-cabinetctl"

#include <string.h>
#include <glib/gstdio.h>

#include "cab-nir.h"
#include "cab-store.h"
#include "cab-test-sandbox.h"

#define PRACTICE "Organization/org-practice"
#define N_KILLS 20

static CabTestSandbox *sandbox;
static char *tmp_dir;
static GHashTable *clean_counts;   /* type -> count after a clean sync */
static double clean_seconds;

/* ----------------------------------------------------------------- helpers */

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* No keyring lookups: everything comes from the options. */
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_CA");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_PRACTICE");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_DATA_DIR");
  return launcher;
}

static GPtrArray *
argv_new (const char *data_dir)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup (g_getenv ("CABINETCTL")));
  if (data_dir != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--data-dir"));
      g_ptr_array_add (args, g_strdup (data_dir));
    }
  return args;
}

/* Runs cabinetctl with --data-dir @data_dir and the NULL-terminated args;
 * the connection options go after the command, to test that form too. */
static int
run_ctl (const char  *data_dir,
         gboolean     connect,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = argv_new (data_dir);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);

  if (connect)
    {
      g_ptr_array_add (args, g_strdup ("--server"));
      g_ptr_array_add (args, g_strdup (sandbox->base_url));
      g_ptr_array_add (args, g_strdup_printf ("--token=%s", CAB_TEST_TOKEN));
      g_ptr_array_add (args, g_strdup ("--practice"));
      g_ptr_array_add (args, g_strdup (PRACTICE));
    }
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  if (stderr_text != NULL && stderr_text[0] != '\0')
    g_test_message ("stderr: %s", stderr_text);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static char *
make_dir (const char *name)
{
  char *dir = g_build_filename (tmp_dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
sandbox_get (const char *path,
             guint      *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint code = 0;

  body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &code, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = code;
  else
    g_assert_cmpuint (code, ==, 200);
  return parse_json (body);
}

static GHashTable *
store_counts (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "cabinet.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = cab_store_open (path, &error);
  GHashTable *counts;

  g_assert_no_error (error);
  g_assert_true (cab_store_check_integrity (store, &error));
  g_assert_no_error (error);
  counts = cab_store_count_by_type (store, &error);
  g_assert_no_error (error);
  return counts;
}

static void
assert_counts_equal (GHashTable *expected,
                     GHashTable *actual)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (expected), ==, g_hash_table_size (actual));
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_test_message ("%s: %u", (const char *) key, GPOINTER_TO_UINT (value));
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (actual, key)), ==,
                        GPOINTER_TO_UINT (value));
    }
}

static char *
file_sha1_base64 (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *contents = NULL;
  guint8 digest[20];
  gsize len = 0;
  gsize digest_len = sizeof digest;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_checksum_update (checksum, (const guchar *) contents, len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static void
assert_one_line_message (const char *err)
{
  g_assert_nonnull (err);
  g_assert_true (g_str_has_prefix (err, "cabinetctl: "));
  g_assert_nonnull (strchr (err, '\n'));
  g_assert_cmpstr (strchr (err, '\n') + 1, ==, "");
}

/* ------------------------------------------------------------------- tests */

static void
test_sync_and_read (void)
{
  g_autofree char *dir = make_dir ("clean");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) patients = NULL;
  g_autoptr(JsonNode) timeline = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *ins = NULL;
  const char *doc_id = NULL;
  JsonArray *array;
  JsonArray *documents;
  gint64 expected_docs = 0;
  g_autoptr(JsonNode) count_node = NULL;

  /* Options before the command here, after it elsewhere. */
  g_assert_cmpint (run_ctl (dir, TRUE, &out, &err, "sync", NULL), ==, 0);
  clean_seconds = g_timer_elapsed (timer, NULL);
  g_assert_nonnull (strstr (out, "patients:"));
  g_assert_nonnull (strstr (out, "resources:"));
  clean_counts = store_counts (dir);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* patients --json: every practice patient, the documented keys. */
  g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "patients", "--json", NULL), ==, 0);
  patients = parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (patients));
  array = json_node_get_array (patients);
  count_node = sandbox_get ("/fhir/Patient?general-practitioner=Practitioner/gp-1,Practitioner/gp-2,Practitioner/gp-3&_summary=count", NULL);
  g_assert_cmpint (json_array_get_length (array), ==,
                   json_object_get_int_member (json_node_get_object (count_node), "total"));

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *p = json_array_get_object_element (array, i);
      const char * const keys[] = { "id", "ins", "ins_system", "identity_status", "family",
                                    "birth_name", "given", "sex", "birth_date", "birth_place",
                                    "general_practitioner", "last_updated" };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        g_assert_true (json_object_has_member (p, keys[k]));

      /* A qualified patient with a few documents and not blocking us. */
      if (ins == NULL && !json_object_get_null_member (p, "ins"))
        {
          g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference?patient=Patient/%s"
                                                   "&status=current,superseded,entered-in-error&_summary=count",
                                                   json_object_get_string_member (p, "id"));
          g_autoptr(JsonNode) node = NULL;
          guint status = 0;

          node = sandbox_get (path, &status);
          if (status == 200 && json_object_get_int_member (json_node_get_object (node), "total") >= 3)
            {
              ins = g_strdup (json_object_get_string_member (p, "ins"));
              expected_docs = json_object_get_int_member (json_node_get_object (node), "total");
            }
        }
    }
  g_assert_nonnull (ins);
  g_clear_pointer (&out, g_free);

  /* The text table too. */
  g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "patients", NULL), ==, 0);
  g_assert_nonnull (strstr (out, ins));
  g_clear_pointer (&out, g_free);

  /* timeline --json: the patient's documents, newest first. */
  g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "timeline", ins, "--json", "--include-kos", NULL), ==, 0);
  timeline = parse_json (out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (timeline), "patient"), "ins"), ==, ins);
  documents = json_object_get_array_member (json_node_get_object (timeline), "documents");
  g_assert_cmpint (json_array_get_length (documents), ==, expected_docs);
  for (guint i = 0; i < json_array_get_length (documents); i++)
    {
      JsonObject *d = json_array_get_object_element (documents, i);

      g_assert_true (json_object_has_member (d, "security_labels"));
      g_assert_true (json_object_has_member (d, "cached"));
      g_assert_false (json_object_get_boolean_member (d, "cached"));
      if (i > 0)
        {
          JsonObject *prev = json_array_get_object_element (documents, i - 1);

          g_assert_cmpint (strncmp (json_object_get_string_member (prev, "date"),
                                    json_object_get_string_member (d, "date"), 10), >=, 0);
        }
      if (doc_id == NULL && g_strcmp0 (json_object_get_string_member (d, "content_type"), "application/pdf") == 0)
        doc_id = json_object_get_string_member (d, "id");
    }
  g_assert_nonnull (doc_id);
  g_clear_pointer (&out, g_free);

  /* The app's timeline model: its month sections hold every document once;
   * filters by kind and date; wrong values are usage errors. */
  {
    g_autoptr(JsonNode) sectioned = NULL;
    JsonArray *sections, *docs;
    guint in_sections = 0;

    g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "timeline", ins, "--json", "--sections", NULL), ==, 0);
    sectioned = parse_json (out);
    docs = json_object_get_array_member (json_node_get_object (sectioned), "documents");
    sections = json_object_get_array_member (json_node_get_object (sectioned), "sections");
    g_assert_cmpuint (json_array_get_length (sections), >, 0);
    for (guint i = 0; i < json_array_get_length (sections); i++)
      {
        JsonObject *section = json_array_get_object_element (sections, i);

        g_assert_nonnull (json_object_get_string_member (section, "title"));
        in_sections += json_array_get_length (json_object_get_array_member (section, "documents"));
      }
    g_assert_cmpuint (in_sections, ==, json_array_get_length (docs));
    g_clear_pointer (&out, g_free);

    g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "timeline", ins, "--kind", "imaging",
                              "--from", "01/01/1900", "--to", "2999-12-31", NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "timeline", ins, "--kind", "xray", NULL), ==, 1);
    assert_one_line_message (err);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "timeline", ins, "--from", "31/02/2024", NULL), ==, 1);
    assert_one_line_message (err);
    g_clear_pointer (&err, g_free);
  }

  /* document fetch: the PDF, its SHA-1 the one the server states. */
  {
    g_autofree char *pdf = g_build_filename (tmp_dir, "fetched.pdf", NULL);
    g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference/%s", doc_id);
    g_autofree char *sha1 = NULL;
    g_autofree char *contents = NULL;
    g_autoptr(JsonNode) reference = NULL;
    g_autoptr(JsonNode) again = NULL;
    JsonObject *attachment;
    gsize len = 0;

    g_assert_cmpint (run_ctl (dir, TRUE, NULL, NULL, "document", "fetch", doc_id, "-o", pdf, NULL), ==, 0);
    g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
    g_assert_true (len > 5 && memcmp (contents, "%PDF-", 5) == 0);

    reference = sandbox_get (path, NULL);
    attachment = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (json_node_get_object (reference), "content"), 0), "attachment");
    sha1 = file_sha1_base64 (pdf);
    g_assert_cmpstr (sha1, ==, json_object_get_string_member (attachment, "hash"));
    g_assert_cmpint (len, ==, json_object_get_int_member (attachment, "size"));

    /* Now cached. */
    g_assert_cmpint (run_ctl (dir, FALSE, &out, NULL, "timeline", ins, "--json", "--include-kos", NULL), ==, 0);
    again = parse_json (out);
    documents = json_object_get_array_member (json_node_get_object (again), "documents");
    for (guint i = 0; i < json_array_get_length (documents); i++)
      {
        JsonObject *d = json_array_get_object_element (documents, i);

        g_assert_true (json_object_get_boolean_member (d, "cached") ==
                       g_str_equal (json_object_get_string_member (d, "id"), doc_id));
      }
    g_clear_pointer (&out, g_free);

    /* Fetched again from the cache, without a server. */
    g_unlink (pdf);
    g_assert_cmpint (run_ctl (dir, FALSE, NULL, NULL, "document", "fetch", doc_id, "-o", pdf, NULL), ==, 0);
    g_clear_pointer (&sha1, g_free);
    sha1 = file_sha1_base64 (pdf);
    g_assert_cmpstr (sha1, ==, json_object_get_string_member (attachment, "hash"));
    g_unlink (pdf);
  }

  /* sync --patient with a valid INS, and its JSON summary. */
  g_assert_cmpint (run_ctl (dir, TRUE, &out, NULL, "sync", "--patient", ins, "--json", NULL), ==, 0);
  {
    g_autoptr(JsonNode) summary = parse_json (out);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "patients"), ==, 1);
    /* The Patient itself is always read; nothing else changed. */
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "resources"), ==, 1);
  }
}

static void
test_failures (void)
{
  g_autofree char *dir = make_dir ("failures");
  g_autofree char *err = NULL;
  g_autofree char *bad = NULL;
  const char *good = "180067503901234"; /* any 13 digits; key computed below */
  char nir[16];
  int key;

  key = cab_nir_compute_key (good, NULL);
  g_assert_cmpint (key, >=, 1);
  g_snprintf (nir, sizeof nir, "%.13s%02d", good, key);
  bad = g_strdup_printf ("%.13s%02d", good, key == 97 ? 1 : key + 1);

  /* A mistyped INS key is a typing error. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "timeline", bad, NULL), ==, 1);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "INS"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (dir, TRUE, NULL, &err, "sync", "--patient", bad, NULL), ==, 1);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* A valid INS nobody has. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "timeline", nir, NULL), ==, 4);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (dir, TRUE, NULL, &err, "sync", "--patient", nir, NULL), ==, 4);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* Unknown document. */
  g_assert_cmpint (run_ctl (dir, TRUE, NULL, &err, "document", "fetch", "no-such-doc", "-o", "/dev/null", NULL), ==, 4);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* Usage. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "frobnicate", NULL), ==, 1);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* No server configured. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "sync", NULL), ==, 2);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "server"));
  g_clear_pointer (&err, g_free);

  /* Token refused. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "sync", "--server", sandbox->base_url,
                            "--token", "wrong-token", "--practice", PRACTICE, NULL), ==, 2);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* Unreachable server: port 1 on loopback refuses at once. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "sync", "--server", "http://127.0.0.1:1/fhir",
                            "--token", CAB_TEST_TOKEN, "--practice", PRACTICE, NULL), ==, 3);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "sync failed"));
}

static void
test_kill_resume (void)
{
  g_autofree char *dir = make_dir ("killed");
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  guint64 max_delay_us;
  guint n_killed = 0;

  if (clean_counts == NULL)
    {
      g_autofree char *clean = make_dir ("clean-for-kill");
      g_autoptr(GTimer) timer = g_timer_new ();

      g_assert_cmpint (run_ctl (clean, TRUE, NULL, NULL, "sync", NULL), ==, 0);
      clean_seconds = g_timer_elapsed (timer, NULL);
      clean_counts = store_counts (clean);
    }

  /* Random moments within a clean sync's duration, capped so the test stays
   * short; every restart resumes, so later kills land further along. */
  max_delay_us = (guint64) (MIN (clean_seconds, 3.0) * G_USEC_PER_SEC);
  g_test_message ("clean sync took %.1f s", clean_seconds);

  for (guint i = 0; i < N_KILLS; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                              G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GPtrArray) args = argv_new (dir);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      guint64 delay = g_rand_int_range (rand, 0, (gint32) MAX (max_delay_us, 1000));

      g_ptr_array_add (args, g_strdup ("sync"));
      g_ptr_array_add (args, g_strdup ("--server"));
      g_ptr_array_add (args, g_strdup (sandbox->base_url));
      g_ptr_array_add (args, g_strdup ("--token"));
      g_ptr_array_add (args, g_strdup (CAB_TEST_TOKEN));
      g_ptr_array_add (args, g_strdup ("--practice"));
      g_ptr_array_add (args, g_strdup (PRACTICE));
      g_ptr_array_add (args, NULL);

      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
      g_assert_no_error (error);
      g_usleep (delay);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (process))
        n_killed++;
    }
  g_test_message ("%u of %d runs killed mid-way", n_killed, N_KILLS);

  /* A last complete run converges to what a clean sync stores. */
  g_assert_cmpint (run_ctl (dir, TRUE, NULL, NULL, "sync", NULL), ==, 0);
  counts = store_counts (dir);
  assert_counts_equal (clean_counts, counts);
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

/* Setting up the store and the client is the session's work now
 * (CabSession in manual mode): the documented codes, one line each, and
 * nothing else on stderr. */
static void
test_session_setup (void)
{
  g_autofree char *dir = make_dir ("session-setup");
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "data", NULL);
  g_autofree char *missing_ca = g_build_filename (dir, "missing.pem", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));

  /* The data directory cannot be made: a store problem, exit 5. */
  g_assert_cmpint (run_ctl (under_file, FALSE, NULL, &err, "patients", NULL), ==, 5);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "cannot create the data directory"));
  g_clear_pointer (&err, g_free);

  /* An unusable CA file and a bad URL: configuration, exit 2. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "sync", "--server", sandbox->base_url,
                            "--token", CAB_TEST_TOKEN, "--practice", PRACTICE,
                            "--ca", missing_ca, NULL), ==, 2);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "certificate authority file"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "sync", "--server", "not a url",
                            "--practice", PRACTICE, NULL), ==, 2);
  assert_one_line_message (err);
  g_assert_nonnull (strstr (err, "invalid server URL"));
  g_clear_pointer (&err, g_free);

  /* The configuration is checked before any command: a bad CA file stops
   * even one that only reads the store. */
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "patients", "--ca", missing_ca, NULL), ==, 2);
  assert_one_line_message (err);
  g_clear_pointer (&err, g_free);

  /* The outbox of a store opened without a server lists, and cannot drain. */
  g_assert_cmpint (run_ctl (dir, FALSE, &out, &err, "outbox", "list", "--json", NULL), ==, 0);
  g_assert_true (err == NULL || err[0] == '\0');
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (dir, FALSE, NULL, &err, "outbox", "drain", NULL), ==, 2);
  assert_one_line_message (err);
}

int
main (int    argc,
      char **argv)
{
  const char * const args[] = { "--patients", "300", NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  /* No G_TEST_OPTION_ISOLATE_DIRS: it hides the system GSettings schemas
   * that GIO's GNOME proxy resolver, loaded by every SoupSession, needs. */
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CABINETCTL") == NULL)
    {
      g_test_skip ("CABINETCTL is not set");
      return g_test_run ();
    }

  sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);
  tmp_dir = g_dir_make_tmp ("test-cabinetctl-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/cabinetctl/sync-and-read", test_sync_and_read);
  g_test_add_func ("/cabinetctl/failures", test_failures);
  g_test_add_func ("/cabinetctl/session-setup", test_session_setup);
  g_test_add_func ("/cabinetctl/kill-resume", test_kill_resume);

  ret = g_test_run ();

  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_clear_pointer (&clean_counts, g_hash_table_unref);
  cab_test_sandbox_free (sandbox);
  return ret;
}
