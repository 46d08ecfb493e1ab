/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Offline documents (docs/architecture.md, "Prefetch") against a real
 * cabinet-sandbox: `cabinetctl prefetch` to completion, then offline; a
 * budget smaller than the practice; kill -9 during a prefetch, ten times,
 * then resume; 429 and 503 with Retry-After, then cleared; and, in this process, a document opened during a prefetch,
 * eviction around read and open documents, and a metered connection (a
 * GNetworkMonitor of the test's own, given with
 * cab_prefetch_set_network_monitor()). */
#define G_LOG_DOMAIN "test-prefetch"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cab-document-cache.h"
#include "cab-prefetch.h"
#include "cab-store-cache.h"
#include "cab-store.h"
#include "cab-sync.h"
#include "cab-test-sandbox.h"

#define PRACTICE "Organization/org-practice"
#define N_PATIENTS "6"
#define N_KILLS 10

static char *tmp_dir;

/* ----------------------------------------------------------------- helpers */

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

static char *
make_dir (const char *name)
{
  char *dir = g_build_filename (tmp_dir, name, NULL);

  remove_tree (dir);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static CabTestSandbox *
start_sandbox (const char *access_log,
               const char *latency_ms)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CabTestSandbox *sandbox;

  g_ptr_array_add (args, (gpointer) "--patients");
  g_ptr_array_add (args, (gpointer) N_PATIENTS);
  g_ptr_array_add (args, (gpointer) "--years");
  g_ptr_array_add (args, (gpointer) "3");
  if (access_log != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--access-log");
      g_ptr_array_add (args, (gpointer) access_log);
    }
  if (latency_ms != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--latency-ms");
      g_ptr_array_add (args, (gpointer) latency_ms);
    }
  g_ptr_array_add (args, NULL);
  sandbox = cab_test_sandbox_start ((const char * const *) args->pdata, FALSE, &error);
  g_assert_no_error (error);
  return sandbox;
}

static GSubprocess *
spawn_ctlv (CabTestSandbox *sandbox,
            const char     *data_dir,
            va_list         ap)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_TOKEN");
  g_ptr_array_add (args, g_strdup (g_getenv ("CABINETCTL")));
  g_ptr_array_add (args, g_strdup_printf ("--data-dir=%s", data_dir));
  if (sandbox != NULL)
    {
      g_ptr_array_add (args, g_strdup_printf ("--server=%s", sandbox->base_url));
      g_ptr_array_add (args, g_strdup_printf ("--token=%s", CAB_TEST_TOKEN));
      g_ptr_array_add (args, g_strdup ("--practice=" PRACTICE));
    }
  else
    {
      /* Offline: a server nobody listens on. */
      g_ptr_array_add (args, g_strdup ("--server=http://127.0.0.1:9/fhir"));
      g_ptr_array_add (args, g_strdup_printf ("--token=%s", CAB_TEST_TOKEN));
      g_ptr_array_add (args, g_strdup ("--practice=" PRACTICE));
    }
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* cabinetctl with the NULL-terminated arguments, in the background. */
static GSubprocess *
spawn_ctl (CabTestSandbox *sandbox,
           const char     *data_dir,
           ...)
{
  GSubprocess *process;
  va_list ap;

  va_start (ap, data_dir);
  process = spawn_ctlv (sandbox, data_dir, ap);
  va_end (ap);
  return process;
}

/* The same, waited for: its exit status, and its standard output in @out. */
static int
run_ctl (CabTestSandbox  *sandbox,
         const char      *data_dir,
         char           **out,
         ...)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  va_list ap;

  va_start (ap, out);
  process = spawn_ctlv (sandbox, data_dir, ap);
  va_end (ap);

  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && stderr_text[0] != '\0')
    g_test_message ("stderr: %s", stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* "Binary/bin-1", "GET /fhir/Binary/bin-1 123", "http://host/fhir/Binary/bin-1" -> "bin-1"
 * (in @buf: an access-log line ends with a time). */
static const char *
binary_id_buf (const char *text,
               char       *buf,
               gsize       size)
{
  const char *at = strstr (text, "Binary/");
  gsize len;

  if (at == NULL)
    return NULL;
  at += strlen ("Binary/");
  len = strcspn (at, " ?");
  g_assert_cmpuint (len, <, size);
  memcpy (buf, at, len);
  buf[len] = '\0';
  return buf;
}

#define binary_id(text) binary_id_buf ((text), (char[128]) { 0 }, 128)

static JsonObject *
parse_object (const char *text,
              JsonNode  **holder)
{
  g_autoptr(GError) error = NULL;

  *holder = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*holder));
  return json_node_get_object (*holder);
}

static CabStore *
open_store (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "cabinet.db", NULL);
  g_autoptr(GError) error = NULL;
  CabStore *store = cab_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static GPtrArray *
list_contents (CabStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = cab_store_list_contents (store, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, >, 20);
  return entries;
}

/* The file holds what the server announced: size and SHA-1. */
static void
assert_complete (const CabContentEntry *entry)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 raw[20];
  gsize raw_len = sizeof raw;
  gsize length;

  g_assert_true (g_file_get_contents (entry->row->local_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpint ((gint64) length, ==, entry->row->document.size);
  g_checksum_update (sha1, (const guchar *) contents, length);
  g_checksum_get_digest (sha1, raw, &raw_len);
  digest = g_base64_encode (raw, raw_len);
  g_assert_cmpstr (digest, ==, entry->row->document.hash);
}

static guint
count_part_files (const char *data_dir)
{
  g_autofree char *documents = g_build_filename (data_dir, "documents", NULL);
  g_autoptr(GDir) dir = g_dir_open (documents, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, ".part");
  return n;
}

/* ------------------------------------------------------ cabinetctl, offline */

/* The whole practice prefetched, the server gone: every document opens. */
static void
test_offline_after_prefetch (void)
{
  g_autofree char *dir = make_dir ("offline");
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  CabTestSandbox *sandbox = start_sandbox (NULL, NULL);
  JsonObject *summary;

  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "sync", NULL), ==, 0);
  g_assert_cmpint (run_ctl (sandbox, dir, &out, "prefetch", "--json", NULL), ==, 0);
  summary = parse_object (out, &holder);
  g_assert_cmpint (json_object_get_int_member (summary, "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "skipped_for_budget"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), >, 20);
  g_assert_cmpint (json_object_get_int_member (summary, "offline"), ==,
                   json_object_get_int_member (summary, "total"));
  g_assert_cmpint (json_object_get_int_member (summary, "offline_bytes"), ==,
                   json_object_get_int_member (summary, "bytes"));

  /* The network is cut. */
  cab_test_sandbox_free (sandbox);

  store = open_store (dir);
  entries = list_contents (store);
  g_assert_cmpint (json_object_get_int_member (summary, "total"), ==, entries->len);
  /* Their text went to the full-text index after the downloads. */
  g_assert_cmpint (json_object_get_int_member (summary, "indexed"), ==,
                   json_object_get_int_member (summary, "documents"));
  {
    g_auto(GStrv) unindexed = cab_store_list_unindexed_contents (store, 10, NULL);

    g_assert_nonnull (unindexed);
    g_assert_cmpuint (g_strv_length (unindexed), ==, 0);
  }
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *copy = g_build_filename (dir, "copy.pdf", NULL);
      g_autofree char *contents = NULL;

      g_assert_true (entry->cached);
      assert_complete (entry);
      g_assert_cmpint (run_ctl (NULL, dir, NULL, "document", "fetch", entry->row->id, "-o", copy, NULL), ==, 0);
      g_assert_true (g_file_get_contents (copy, &contents, NULL, NULL));
      g_assert_true (g_str_has_prefix (contents, "%PDF"));
    }

  /* A second run offline has nothing to do and says so. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&holder, json_node_unref);
  g_assert_cmpint (run_ctl (NULL, dir, &out, "prefetch", "--json", NULL), ==, 0);
  summary = parse_object (out, &holder);
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "already_offline"), ==, entries->len);
}

/* `timeline INS --json` says "cached" exactly for the contents on disk. */
static void
assert_timelines_truthful (CabTestSandbox *sandbox,
                           const char     *dir,
                           GPtrArray      *entries)
{
  g_autoptr(GHashTable) cached = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) patients = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;
  guint n_checked = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      g_hash_table_insert (cached, entry->row->id, GINT_TO_POINTER (entry->cached));
    }

  g_assert_cmpint (run_ctl (sandbox, dir, &out, "patients", "--json", NULL), ==, 0);
  patients = json_from_string (out, &error);
  g_assert_no_error (error);
  array = json_node_get_array (patients);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *patient = json_array_get_object_element (array, i);
      const char *ins = json_object_get_string_member_with_default (patient, "ins", NULL);
      g_autofree char *timeline = NULL;
      g_autoptr(JsonNode) holder = NULL;
      JsonArray *documents;

      if (ins == NULL)
        continue;
      g_assert_cmpint (run_ctl (sandbox, dir, &timeline, "timeline", ins, "--json", NULL), ==, 0);
      documents = json_object_get_array_member (parse_object (timeline, &holder), "documents");
      for (guint j = 0; j < json_array_get_length (documents); j++)
        {
          JsonObject *document = json_array_get_object_element (documents, j);
          gpointer expected;

          if (!g_hash_table_lookup_extended (cached, json_object_get_string_member (document, "id"),
                                             NULL, &expected))
            continue;
          g_assert_cmpint (json_object_get_boolean_member (document, "cached"), ==, GPOINTER_TO_INT (expected));
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >, 10);
}

/* ------------------------------------------------------- cabinetctl, budget */

/* A budget smaller than the practice keeps the pinned and the most recent;
 * the timeline's "cached" says which. */
static void
test_budget (void)
{
  g_autofree char *dir = make_dir ("budget");
  g_autofree char *out = NULL;
  g_autofree char *budget = NULL;
  g_autofree char *pinned_id = NULL;
  g_autoptr(JsonNode) holder = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  CabTestSandbox *sandbox = start_sandbox (NULL, NULL);
  gint64 total = 0;
  gboolean seen_missing = FALSE;
  JsonObject *summary;

  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "sync", NULL), ==, 0);
  store = open_store (dir);
  entries = list_contents (store);
  for (guint i = 0; i < entries->len; i++)
    total += ((CabContentEntry *) g_ptr_array_index (entries, i))->row->document.size;
  /* The oldest document: last in the order. */
  pinned_id = g_strdup (((CabContentEntry *) g_ptr_array_index (entries, entries->len - 1))->row->id);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "document", "pin", pinned_id, NULL), ==, 0);

  budget = g_strdup_printf ("%" G_GINT64_FORMAT, total / 3);
  g_assert_cmpint (run_ctl (sandbox, dir, &out, "prefetch", "--budget", budget, "--json", NULL), ==, 0);
  summary = parse_object (out, &holder);
  g_assert_cmpint (json_object_get_int_member (summary, "skipped_for_budget"), >, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "offline_bytes"), <=, total / 3);

  /* Pinned first, then newest first: what is offline is a prefix. */
  entries = list_contents (store);
  g_assert_cmpstr (((CabContentEntry *) g_ptr_array_index (entries, 0))->row->id, ==, pinned_id);
  g_assert_true (((CabContentEntry *) g_ptr_array_index (entries, 0))->cached);
  for (guint i = 1; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      if (!entry->cached)
        seen_missing = TRUE;
      else
        g_assert_false (seen_missing);
      if (i > 1)
        g_assert_cmpstr (((CabContentEntry *) g_ptr_array_index (entries, i - 1))->row->sort_date, >=,
                         entry->row->sort_date);
    }
  g_assert_true (seen_missing);
  assert_timelines_truthful (sandbox, dir, entries);

  /* A smaller budget evicts the oldest prefetched, never the pinned. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&holder, json_node_unref);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_free (budget);
  budget = g_strdup_printf ("%" G_GINT64_FORMAT, total / 6);
  g_assert_cmpint (run_ctl (sandbox, dir, &out, "prefetch", "--budget", budget, "--json", NULL), ==, 0);
  summary = parse_object (out, &holder);
  g_assert_cmpint (json_object_get_int_member (summary, "evicted"), >, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "documents"), ==, 0);
  entries = list_contents (store);
  g_assert_true (((CabContentEntry *) g_ptr_array_index (entries, 0))->cached);
  seen_missing = FALSE;
  for (guint i = 1; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *path = NULL;

      if (!entry->cached)
        {
          seen_missing = TRUE;
          g_assert_false (g_file_test ((path = cab_document_cache_path (dir, entry->row->id, entry->row->document.content_type)), G_FILE_TEST_EXISTS));
        }
      else
        g_assert_false (seen_missing);
    }

  cab_test_sandbox_free (sandbox);
}

/* ------------------------------------------------ cabinetctl, kill -9 ×10 */

static guint
count_files (const char *data_dir)
{
  g_autofree char *documents = g_build_filename (data_dir, "documents", NULL);
  g_autoptr(GDir) dir = g_dir_open (documents, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += !g_str_has_suffix (name, ".part");
  return n;
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Killed ten times mid-run, then resumed: no partial file is ever recorded,
 * and a content complete on disk is never asked for again (the sandbox's
 * access log says what was asked; the file keeps its inode). */
static void
test_kill_resume (void)
{
  g_autofree char *dir = make_dir ("kill");
  g_autofree char *log = g_build_filename (tmp_dir, "kill-access.log", NULL);
  g_autoptr(GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) done_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  CabTestSandbox *sandbox;
  guint n_killed = 0;

  g_unlink (log);
  /* Slow enough that a kill lands mid-run. */
  sandbox = start_sandbox (log, "40");
  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "sync", NULL), ==, 0);

  for (guint k = 0; k < N_KILLS; k++)
    {
      g_autoptr(GSubprocess) process = spawn_ctl (sandbox, dir, "prefetch", NULL);
      guint before = count_files (dir);
      gboolean exited = FALSE;
      guint log_lines;

      g_subprocess_wait_async (process, NULL, exited_cb, &exited);
      /* A few more contents, then kill -9 wherever it is. */
      while (count_files (dir) < before + 3 && !exited)
        {
          g_usleep (2000);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      g_subprocess_send_signal (process, SIGKILL);
      while (!exited)
        g_main_context_iteration (NULL, TRUE);
      n_killed += g_subprocess_get_if_signaled (process);

      /* What the store records is whole. */
      store = open_store (dir);
      entries = list_contents (store);
      log_lines = count_lines (log);
      for (guint i = 0; i < entries->len; i++)
        {
          const CabContentEntry *entry = g_ptr_array_index (entries, i);
          GStatBuf st;

          if (entry->cached)
            assert_complete (entry);
          else
            continue;
          g_assert_cmpint (g_stat (entry->row->local_path, &st), ==, 0);
          if (!g_hash_table_contains (inodes, entry->row->id))
            {
              g_hash_table_insert (inodes, g_strdup (entry->row->id), GSIZE_TO_POINTER ((gsize) st.st_ino));
              g_hash_table_insert (done_at, g_strdup (binary_id (entry->row->document.url)),
                                   GUINT_TO_POINTER (log_lines));
            }
        }
      g_clear_pointer (&entries, g_ptr_array_unref);
      g_clear_object (&store);
    }
  g_test_message ("%u of %d runs killed mid-way", n_killed, N_KILLS);
  g_assert_cmpuint (n_killed, >, N_KILLS / 2);

  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "prefetch", NULL), ==, 0);
  g_assert_cmpuint (count_part_files (dir), ==, 0);

  store = open_store (dir);
  entries = list_contents (store);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);
      gpointer inode;
      GStatBuf st;

      g_assert_true (entry->cached);
      assert_complete (entry);
      g_assert_cmpint (g_stat (entry->row->local_path, &st), ==, 0);
      if (g_hash_table_lookup_extended (inodes, entry->row->id, NULL, &inode))
        g_assert_cmpuint ((gsize) st.st_ino, ==, GPOINTER_TO_SIZE (inode));
    }

  /* No content complete at a kill was asked for after it. */
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *binary = binary_id (lines[i]);
      gpointer at;

      if (binary == NULL)
        continue;
      if (g_hash_table_lookup_extended (done_at, binary, NULL, &at))
        g_assert_cmpuint (i, <, GPOINTER_TO_UINT (at));
    }
  cab_test_sandbox_free (sandbox);
}

/* 429 and 503 with Retry-After on every request: no Binary request comes
 * sooner than Retry-After after a refusal (the sandbox's access log has the
 * times, both ends measured by the sandbox), nothing refused is recorded,
 * and once the faults clear the same run goes on to the end. */
#define RETRY_AFTER_S 1

static void
set_faults (CabTestSandbox *sandbox,
            const char     *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (sandbox, json != NULL ? "POST" : "DELETE", "/admin/faults",
                                json, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

static guint
count_refused_binaries (const char *log)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (log, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += (g_str_has_prefix (lines[i], "429 ") || g_str_has_prefix (lines[i], "503 "))
         && binary_id (lines[i]) != NULL;
  return n;
}

static void
test_busy_server (void)
{
  g_autofree char *dir = make_dir ("busy");
  g_autofree char *log = g_build_filename (tmp_dir, "busy-access.log", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  CabTestSandbox *sandbox;
  gboolean exited = FALSE;
  gint64 not_before = G_MININT64;
  guint n_refused = 0, n_after_refusal = 0, n_early = 0;
  char refused[128] = "";

  g_unlink (log);
  sandbox = start_sandbox (log, NULL);
  g_assert_cmpint (run_ctl (sandbox, dir, NULL, "sync", NULL), ==, 0);

  set_faults (sandbox, "{\"error_rate\": 1, \"error_statuses\": [429, 503], "
                       "\"retry_after\": " G_STRINGIFY (RETRY_AFTER_S) "}");
  process = spawn_ctl (sandbox, dir, "prefetch", NULL);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  /* A few refusals, and it waits: nothing is recorded meanwhile. */
  while (count_refused_binaries (log) < 4 && !exited)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_false (exited);
  store = open_store (dir);
  entries = list_contents (store);
  for (guint i = 0; i < entries->len; i++)
    g_assert_false (((const CabContentEntry *) g_ptr_array_index (entries, i))->cached);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_clear_object (&store);
  g_assert_cmpuint (count_files (dir), ==, 0);

  /* The server recovers: the run resumes and completes. */
  set_faults (sandbox, NULL);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpuint (count_part_files (dir), ==, 0);

  store = open_store (dir);
  entries = list_contents (store);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      g_assert_true (entry->cached);
      assert_complete (entry);
    }

  /* Every Binary request came at least Retry-After after the last refusal,
   * but one: the other download's retry, timed from its own earlier refusal
   * (CAB_PREFETCH_MAX_ACTIVE is 2), for another content. A download that
   * goes through meanwhile starts no new one before the wait is over
   * (/prefetch/server-said-wait). */
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strrchr (lines[i], ' ');
      const char *binary = binary_id (lines[i]);
      gint64 at;

      if (binary == NULL || space == NULL)
        continue;
      at = g_ascii_strtoll (space + 1, NULL, 10);
      if (g_str_has_prefix (lines[i], "429 ") || g_str_has_prefix (lines[i], "503 "))
        {
          n_refused++;
          not_before = MAX (not_before, at + RETRY_AFTER_S * 1000);
          g_strlcpy (refused, binary, sizeof refused);
          n_early = 0;
        }
      else if (g_str_has_prefix (lines[i], "GET "))
        {
          if (at < not_before)
            {
              g_test_message ("%s: %" G_GINT64_FORMAT " ms early", lines[i], not_before - at);
              g_assert_cmpstr (binary, !=, refused);
              g_assert_cmpuint (++n_early, <=, CAB_PREFETCH_MAX_ACTIVE - 1);
            }
          n_after_refusal += not_before != G_MININT64;
        }
    }
  g_test_message ("%u refusals, %u Binary requests after one", n_refused, n_after_refusal);
  g_assert_cmpuint (n_refused, >=, 4);
  g_assert_cmpuint (n_after_refusal, >, 20);
  cab_test_sandbox_free (sandbox);
}

/* ------------------------------------------------- in this process: core */

/* A network monitor that says what the test wants: GIO's own cannot be
 * made to report a metered connection without NetworkManager. */
#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean metered;
};

enum { MONITOR_PROP_0, MONITOR_PROP_AVAILABLE, MONITOR_PROP_METERED, MONITOR_PROP_CONNECTIVITY };

static gboolean
test_monitor_init_initable (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_init_initable;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static void
test_monitor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, TRUE);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, G_NETWORK_CONNECTIVITY_FULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
}

static void
test_monitor_set_metered (TestMonitor *self,
                          gboolean     metered)
{
  self->metered = metered;
  g_object_notify (G_OBJECT (self), "network-metered");
}

typedef struct
{
  CabTestSandbox *sandbox;
  char           *dir;
  CabStore       *store;
  CabFhirClient  *client;
  CabPrefetch    *prefetch;
} Fixture;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
fixture_setup (Fixture    *f,
               const char *name,
               const char *access_log,
               const char *latency_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabSync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  f->sandbox = start_sandbox (access_log, latency_ms);
  f->dir = make_dir (name);
  f->store = open_store (f->dir);
  f->client = cab_fhir_client_new (f->sandbox->base_url, &error);
  g_assert_no_error (error);
  cab_fhir_client_set_token (f->client, CAB_TEST_TOKEN);

  sync = cab_sync_new (f->client, f->store, PRACTICE);
  cab_sync_run_async (sync, NULL, NULL, store_result_cb, &result);
  g_assert_true (cab_sync_run_finish (sync, wait_result (&result), NULL, &error));
  g_assert_no_error (error);

  f->prefetch = cab_prefetch_new (f->store, f->client, NULL, f->dir);
}

static void
fixture_teardown (Fixture *f)
{
  cab_prefetch_stop (f->prefetch);
  g_clear_object (&f->prefetch);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_clear_pointer (&f->sandbox, cab_test_sandbox_free);
  g_clear_pointer (&f->dir, g_free);
}

static void
run_prefetch (Fixture            *f,
              CabPrefetchSummary *summary)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cab_prefetch_run_async (f->prefetch, NULL, store_result_cb, &result);
  g_assert_true (cab_prefetch_run_finish (f->prefetch, wait_result (&result), summary, &error));
  g_assert_no_error (error);
}

typedef struct
{
  const char *user_id;     /* the document the user asked for */
  guint       n_lane;      /* contents the lane landed, others */
} Landed;

static void
document_cached_cb (CabPrefetch *prefetch,
                    const char  *id,
                    Landed      *landed)
{
  if (g_strcmp0 (id, landed->user_id) != 0)
    landed->n_lane++;
}

/* A document opened during a prefetch is served before the queue: while
 * it downloads, the lane lands at most what it had under way, however long
 * the queue. Then eviction spares what was read lately, what is on screen,
 * and what the user opened. */
static void
test_open_during_prefetch (void)
{
  Fixture f = { 0 };
  g_autoptr(GAsyncResult) run = NULL;
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *read_id = NULL;
  g_autofree char *held_id = NULL;
  g_autofree char *other_id = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *user_id = NULL;
  CabPrefetchSummary summary;
  const CabContentEntry *last;
  Landed landed = { NULL, 0 };
  guint n_before;
  int position;

  /* Each answer takes a while: the queue is long in time as in count. */
  fixture_setup (&f, "open-first", NULL, "30");
  entries = list_contents (f.store);
  last = g_ptr_array_index (entries, entries->len - 1);
  user_id = g_strdup (last->row->id);
  landed.user_id = user_id;
  g_signal_connect (f.prefetch, "document-cached", G_CALLBACK (document_cached_cb), &landed);

  cab_prefetch_run_async (f.prefetch, NULL, store_result_cb, &run);
  while (landed.n_lane < 2)
    g_main_context_iteration (NULL, TRUE);

  position = cab_prefetch_get_queue_position (f.prefetch, user_id);
  g_test_message ("the document opened was %d in the queue of %u", position,
                  cab_prefetch_get_n_queued (f.prefetch));
  g_assert_cmpint (position, >, 10);

  n_before = landed.n_lane;
  cab_prefetch_fetch_async (f.prefetch, last->row, NULL, NULL, NULL, store_result_cb, &opened);
  g_assert_cmpint (cab_prefetch_get_queue_position (f.prefetch, user_id), ==, 0);
  path = cab_prefetch_fetch_finish (f.prefetch, wait_result (&opened), &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (landed.n_lane - n_before, <=, CAB_PREFETCH_MAX_ACTIVE);

  g_assert_true (cab_prefetch_run_finish (f.prefetch, wait_result (&run), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_failed, ==, 0);
  g_assert_cmpuint (cab_prefetch_get_n_queued (f.prefetch), ==, 0);

  /* Eviction: a budget of one byte keeps only what it must. */
  read_id = g_strdup (((CabContentEntry *) g_ptr_array_index (entries, entries->len - 2))->row->id);
  held_id = g_strdup (((CabContentEntry *) g_ptr_array_index (entries, entries->len - 3))->row->id);
  other_id = g_strdup (((CabContentEntry *) g_ptr_array_index (entries, entries->len - 4))->row->id);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = list_contents (f.store);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);

      g_assert_true (entry->cached);
      if (g_str_equal (entry->row->id, other_id))
        other_path = g_strdup (entry->row->local_path);
    }
  g_assert_true (cab_store_note_document_read (f.store, read_id, g_get_real_time () / G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  cab_prefetch_hold (f.prefetch, held_id);
  cab_prefetch_set_budget (f.prefetch, 1);
  run_prefetch (&f, &summary);
  g_assert_cmpuint (summary.n_evicted, ==, entries->len - 3);

  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = list_contents (f.store);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabContentEntry *entry = g_ptr_array_index (entries, i);
      gboolean kept = g_str_equal (entry->row->id, read_id) || g_str_equal (entry->row->id, held_id) ||
                      g_str_equal (entry->row->id, user_id);

      g_assert_cmpint (entry->cached, ==, kept);
      if (kept)
        g_assert_true (g_file_test (entry->row->local_path, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_false (g_file_test (other_path, G_FILE_TEST_EXISTS));

  /* Released, it may go like the others. */
  cab_prefetch_release (f.prefetch, held_id);
  run_prefetch (&f, &summary);
  g_assert_cmpuint (summary.n_evicted, ==, 1);
  g_assert_false (cab_store_is_document_cached (f.store, held_id));
  g_assert_true (cab_store_is_document_cached (f.store, read_id));

  fixture_teardown (&f);
}

/* A Retry-After told to any request of the client (here a read that is not
 * retried) holds the lane's first download until it has passed, though the
 * server has recovered meanwhile: a download that went through is no leave
 * to start the next one sooner. */
static void
test_server_said_wait (void)
{
  Fixture f = { 0 };
  g_autofree char *log = g_build_filename (tmp_dir, "wait-access.log", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  CabFhirResponse *response;
  CabPrefetchSummary summary;
  gint64 refused_at = -1, first_binary_at = -1;

  g_unlink (log);
  fixture_setup (&f, "server-said-wait", log, NULL);
  set_faults (f.sandbox, "{\"error_rate\": 1, \"error_statuses\": [429], "
                         "\"retry_after\": " G_STRINGIFY (RETRY_AFTER_S) "}");
  cab_fhir_client_set_retry_policy (f.client, 0, 1);
  cab_fhir_client_read_async (f.client, "Patient", "busy", NULL, store_result_cb, &result);
  response = cab_fhir_client_request_finish (f.client, wait_result (&result), &error);
  g_clear_pointer (&response, cab_fhir_response_free);
  g_clear_error (&error);
  g_assert_cmpint (cab_fhir_client_get_busy_until (f.client), >, g_get_monotonic_time ());

  set_faults (f.sandbox, NULL);
  cab_fhir_client_set_retry_policy (f.client, 6, 250);
  run_prefetch (&f, &summary);
  g_assert_cmpuint (summary.n_downloaded, >, 0);

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strrchr (lines[i], ' ');

      if (space == NULL)
        continue;
      if (refused_at < 0 && g_str_has_prefix (lines[i], "429 "))
        refused_at = g_ascii_strtoll (space + 1, NULL, 10);
      else if (first_binary_at < 0 && g_str_has_prefix (lines[i], "GET ") && binary_id (lines[i]) != NULL)
        first_binary_at = g_ascii_strtoll (space + 1, NULL, 10);
    }
  g_assert_cmpint (refused_at, >, 0);
  g_assert_cmpint (first_binary_at, >, 0);
  g_test_message ("the first download came %" G_GINT64_FORMAT " ms after the refusal",
                  first_binary_at - refused_at);
  g_assert_cmpint (first_binary_at, >=, refused_at + RETRY_AFTER_S * 1000);

  fixture_teardown (&f);
}

static void
state_changed_cb (CabPrefetch *prefetch,
                  GParamSpec  *pspec,
                  gboolean    *metered_seen)
{
  if (cab_prefetch_get_state (prefetch) == CAB_PREFETCH_STATE_METERED)
    *metered_seen = TRUE;
}

/* A metered connection pauses the lane until it is not metered any more,
 * or until metered downloads are allowed. */
static void
test_metered (void)
{
  Fixture f = { 0 };
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  g_autoptr(GAsyncResult) run = NULL;
  g_autoptr(GError) error = NULL;
  CabPrefetchSummary summary;
  gboolean metered_seen = FALSE;
  guint n_requests_before, n_requests;

  fixture_setup (&f, "metered", NULL, NULL);
  test_monitor_set_metered (monitor, TRUE);
  cab_prefetch_set_network_monitor (f.prefetch, G_NETWORK_MONITOR (monitor));
  g_signal_connect (f.prefetch, "notify::state", G_CALLBACK (state_changed_cb), &metered_seen);

  cab_fhir_client_get_stats (f.client, &n_requests_before, NULL, NULL);
  cab_prefetch_run_async (f.prefetch, NULL, store_result_cb, &run);
  while (!metered_seen)
    g_main_context_iteration (NULL, TRUE);
  /* Planned, paused, and nothing asked of the server. */
  g_assert_cmpuint (cab_prefetch_get_n_queued (f.prefetch), >, 20);
  cab_fhir_client_get_stats (f.client, &n_requests, NULL, NULL);
  g_assert_cmpuint (n_requests, ==, n_requests_before);
  g_assert_null (run);

  /* Not metered any more: it goes. */
  test_monitor_set_metered (monitor, FALSE);
  g_assert_cmpint (cab_prefetch_get_state (f.prefetch), ==, CAB_PREFETCH_STATE_RUNNING);

  /* Metered again, but allowed: it goes on to the end. */
  cab_prefetch_set_allow_metered (f.prefetch, TRUE);
  test_monitor_set_metered (monitor, TRUE);
  g_assert_cmpint (cab_prefetch_get_state (f.prefetch), ==, CAB_PREFETCH_STATE_RUNNING);
  g_assert_true (cab_prefetch_run_finish (f.prefetch, wait_result (&run), &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_failed, ==, 0);
  g_assert_cmpuint (summary.n_downloaded + summary.n_already, >, 20);
  g_assert_cmpuint (cab_prefetch_get_n_queued (f.prefetch), ==, 0);

  fixture_teardown (&f);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CABINETCTL") == NULL)
    {
      g_test_skip ("CABINETCTL is not set");
      return g_test_run ();
    }

  tmp_dir = g_dir_make_tmp ("test-prefetch-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/prefetch/offline-after-prefetch", test_offline_after_prefetch);
  g_test_add_func ("/prefetch/budget", test_budget);
  g_test_add_func ("/prefetch/kill-resume", test_kill_resume);
  g_test_add_func ("/prefetch/busy-server", test_busy_server);
  g_test_add_func ("/prefetch/server-said-wait", test_server_said_wait);
  g_test_add_func ("/prefetch/open-during-prefetch", test_open_during_prefetch);
  g_test_add_func ("/prefetch/metered", test_metered);

  ret = g_test_run ();

  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
