/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-test"

#include "cab-test-sandbox.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <unistd.h>

#define START_TIMEOUT_S 60
/* A fixed present keeps generated practices identical from day to day. */
#define TEST_TODAY "2026-11-01"

/* ------------------------------------------------------------- helpers */

static gboolean
run_quiet (const char * const *argv, const char *cwd, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", argv[0], err ? err : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
cab_test_make_certificates (const char  *dir,
                            GError     **error)
{
  g_autofree char *ext = g_build_filename (dir, "server-ext.cnf", NULL);
  g_autofree char *serial = g_strdup_printf ("0x%08x%08x", g_random_int (), g_random_int ());
  const char *ca[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "3",
    "-subj", "/CN=Cabinet Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    NULL
  };
  const char *csr[] = {
    "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=localhost",
    NULL
  };
  const char *sign[] = {
    "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
    "-set_serial", serial, "-out", "server.pem", "-days", "3", "-extfile", "server-ext.cnf",
    NULL
  };

  if (!g_file_set_contents (ext,
                            "basicConstraints=CA:FALSE\n"
                            "keyUsage=critical,digitalSignature\n"
                            "extendedKeyUsage=serverAuth\n"
                            "subjectAltName=IP:127.0.0.1,DNS:localhost\n", -1, error))
    return FALSE;
  return run_quiet (ca, dir, error) && run_quiet (csr, dir, error) && run_quiet (sign, dir, error);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

/* ------------------------------------------------------------- start / stop */

typedef struct
{
  GMainContext *context;
  char         *line;
  GError       *error;
  gboolean      done;
  gboolean      exited;
} StartState;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StartState *state = user_data;

  state->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                           NULL, &state->error);
  state->done = TRUE;
}

static void
on_process_exit (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* The sandbox must not outlive a test that aborted on a failed assertion. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* ------------------------------------------------------------- practice cache */

/* The value of a "--name=value" or "--name value" argument, or @fallback. */
static const char *
arg_value (const char * const *args, const char *name, const char *fallback)
{
  gsize len = strlen (name);

  for (guint i = 0; args != NULL && args[i]; i++)
    {
      if (g_str_has_prefix (args[i], name) && args[i][len] == '=')
        return args[i] + len + 1;
      if (g_str_equal (args[i], name) && args[i + 1] != NULL)
        return args[i + 1];
    }
  return fallback;
}

static gboolean
copy_file (const char *from, const char *to, GError **error)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);

  return g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

/* Generating a practice and drawing its PDFs costs seconds to minutes: do it
 * once per build and parameters ($CABINET_SANDBOX_CACHE), with every PDF
 * drawn, and give each test a private copy of that database. */
static gboolean
prepare_cached_practice (const char          *binary,
                         const char * const  *extra_args,
                         const char          *data_dir,
                         GError             **error)
{
  const char *cache = g_getenv ("CABINET_SANDBOX_CACHE");
  const char *seed = arg_value (extra_args, "--seed", "42");
  const char *patients = arg_value (extra_args, "--patients", "300");
  const char *years = arg_value (extra_args, "--years", "5");
  const char *today = arg_value (extra_args, "--today", TEST_TODAY);
  g_autofree char *key = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *db = NULL;
  g_autofree char *copy = NULL;
  int lock_fd;
  gboolean ok = TRUE;

  if (cache == NULL || *cache == '\0')
    return TRUE;

  key = g_strdup_printf ("seed-%s-patients-%s-years-%s-%s", seed, patients, years, today);
  entry = g_build_filename (cache, key, NULL);
  if (g_mkdir_with_parents (entry, 0700) != 0)
    return TRUE;  /* no cache: the sandbox generates its own */
  lock_path = g_build_filename (entry, "lock", NULL);
  ready = g_build_filename (entry, "ready", NULL);
  db = g_build_filename (entry, "sandbox.db", NULL);

  lock_fd = open (lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock_fd < 0)
    return TRUE;
  flock (lock_fd, LOCK_EX);

  if (!g_file_test (ready, G_FILE_TEST_EXISTS))
    {
      g_autofree char *seed_arg = g_strdup_printf ("--seed=%s", seed);
      g_autofree char *patients_arg = g_strdup_printf ("--patients=%s", patients);
      g_autofree char *years_arg = g_strdup_printf ("--years=%s", years);
      g_autofree char *today_arg = g_strdup_printf ("--today=%s", today);
      g_autofree char *dir_arg = g_strdup_printf ("--data-dir=%s", entry);
      const char *argv[] = { binary, "--port=0", "--host=127.0.0.1", "--token=cache",
                             seed_arg, patients_arg, years_arg, today_arg, dir_arg,
                             "--prerender", NULL };
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) lines = NULL;
      g_autofree char *line = NULL;

      g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
      process = g_subprocess_launcher_spawnv (launcher, argv, error);
      ok = process != NULL;
      if (ok)
        {
          lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
          line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, error);
          ok = line != NULL;
          if (!ok && (error == NULL || *error == NULL))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "cabinet-sandbox exited while generating the cached practice");
          g_subprocess_send_signal (process, SIGTERM);
          g_subprocess_wait (process, NULL, NULL);
        }
      if (ok)
        ok = g_file_set_contents (ready, "", 0, error);
    }

  if (ok && g_mkdir_with_parents (data_dir, 0700) == 0)
    {
      copy = g_build_filename (data_dir, "sandbox.db", NULL);
      ok = copy_file (db, copy, error);
    }

  flock (lock_fd, LOCK_UN);
  close (lock_fd);
  return ok;
}

static gboolean
has_arg (const char * const *args, const char *name)
{
  for (guint i = 0; args != NULL && args[i]; i++)
    if (g_str_equal (args[i], name) || g_str_has_prefix (args[i], name))
      return TRUE;
  return FALSE;
}

CabTestSandbox *
cab_test_sandbox_start (const char * const  *extra_args,
                        gboolean             tls,
                        GError             **error)
{
  g_autoptr(CabTestSandbox) sandbox = g_new0 (CabTestSandbox, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *binary = g_getenv ("CABINET_SANDBOX");
  StartState state = { context, NULL, NULL, FALSE, FALSE };
  gboolean timed_out = FALSE;
  gboolean exited = FALSE;

  if (binary == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "CABINET_SANDBOX is not set (run the tests through meson)");
      return NULL;
    }
  sandbox->dir = g_dir_make_tmp ("cab-test-sandbox-XXXXXX", error);
  if (sandbox->dir == NULL)
    return NULL;

  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--port=0"));
  g_ptr_array_add (argv, g_strdup ("--host=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--token=" CAB_TEST_TOKEN));
  if (!has_arg (extra_args, "--seed"))
    g_ptr_array_add (argv, g_strdup ("--seed=42"));
  if (!has_arg (extra_args, "--today"))
    g_ptr_array_add (argv, g_strdup ("--today=" TEST_TODAY));
  if (!has_arg (extra_args, "--data-dir"))
    {
      g_autofree char *data_dir = g_build_filename (sandbox->dir, "data", NULL);

      if (!prepare_cached_practice (binary, extra_args, data_dir, error))
        return NULL;
      g_ptr_array_add (argv, g_strdup_printf ("--data-dir=%s", data_dir));
    }
  if (tls)
    {
      if (!cab_test_make_certificates (sandbox->dir, error))
        return NULL;
      sandbox->ca_file = g_build_filename (sandbox->dir, "ca.pem", NULL);
      g_ptr_array_add (argv, g_strdup_printf ("--tls-cert=%s/server.pem", sandbox->dir));
      g_ptr_array_add (argv, g_strdup_printf ("--tls-key=%s/server-key.pem", sandbox->dir));
    }
  for (guint i = 0; extra_args != NULL && extra_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  sandbox->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (sandbox->process == NULL)
    return NULL;

  /* Wait for the URL line on a private context, at most START_TIMEOUT_S. */
  g_main_context_push_thread_default (context);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sandbox->process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, cancellable, on_line, &state);
  g_subprocess_wait_async (sandbox->process, cancellable, on_process_exit, &exited);
  timeout = g_timeout_source_new_seconds (START_TIMEOUT_S);
  g_source_set_callback (timeout, on_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!state.done && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_cancellable_cancel (cancellable);
  while (!state.done || !exited)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  if (state.line == NULL || !g_str_has_suffix (state.line, "/fhir"))
    {
      if (timed_out)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                     "cabinet-sandbox did not print its URL within %d s", START_TIMEOUT_S);
      else if (state.error != NULL && !g_error_matches (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&state.error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "cabinet-sandbox exited or printed no URL (got '%s')", state.line ? state.line : "");
      g_clear_error (&state.error);
      g_free (state.line);
      return NULL;
    }
  g_clear_error (&state.error);

  sandbox->base_url = state.line;
  {
    g_autofree char *root = g_strndup (state.line, strlen (state.line) - strlen ("/fhir"));
    sandbox->admin_url = g_strconcat (root, "/admin", NULL);
  }
  return g_steal_pointer (&sandbox);
}

void
cab_test_sandbox_free (CabTestSandbox *sandbox)
{
  if (sandbox == NULL)
    return;
  if (sandbox->process != NULL)
    {
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(GSource) timeout = NULL;
      gboolean exited = FALSE, timed_out = FALSE;

      g_main_context_push_thread_default (context);
      g_subprocess_send_signal (sandbox->process, SIGTERM);
      g_subprocess_wait_async (sandbox->process, NULL, on_process_exit, &exited);
      timeout = g_timeout_source_new (2000);
      g_source_set_callback (timeout, on_timeout, &timed_out, NULL);
      g_source_attach (timeout, context);
      while (!exited && !timed_out)
        g_main_context_iteration (context, TRUE);
      if (!exited)
        {
          g_subprocess_force_exit (sandbox->process);
          while (!exited)
            g_main_context_iteration (context, TRUE);
        }
      g_source_destroy (timeout);
      g_main_context_pop_thread_default (context);
      g_clear_object (&sandbox->process);
    }
  g_clear_object (&sandbox->session);
  if (sandbox->dir != NULL)
    remove_tree (sandbox->dir);
  g_free (sandbox->dir);
  g_free (sandbox->base_url);
  g_free (sandbox->admin_url);
  g_free (sandbox->ca_file);
  g_free (sandbox);
}

/* ------------------------------------------------------------- calls */

static SoupSession *
get_session (CabTestSandbox *sandbox, GError **error)
{
  if (sandbox->session == NULL)
    {
      /* No proxy on loopback (and no GSettings lookup for one). */
      SoupSession *session = soup_session_new_with_options ("timeout", 120, "proxy-resolver", NULL, NULL);

      if (sandbox->ca_file != NULL)
        {
          g_autoptr(GTlsDatabase) database = g_tls_file_database_new (sandbox->ca_file, error);
          if (database == NULL)
            {
              g_object_unref (session);
              return NULL;
            }
          soup_session_set_tls_database (session, database);
        }
      sandbox->session = session;
    }
  return sandbox->session;
}

static void
collect_header (const char *name, const char *value, gpointer user_data)
{
  GHashTable *table = user_data;

  g_hash_table_insert (table, g_ascii_strdown (name, -1), g_strdup (value));
}

GBytes *
cab_test_sandbox_request (CabTestSandbox      *sandbox,
                          const char          *method,
                          const char          *path,
                          const char * const  *headers,
                          const char          *content_type,
                          GBytes              *body,
                          guint               *status,
                          GHashTable         **response_headers,
                          GError             **error)
{
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  SoupMessageHeaders *request_headers;
  SoupSession *session;
  GBytes *result;

  g_return_val_if_fail (sandbox != NULL, NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  session = get_session (sandbox, error);
  if (session == NULL)
    return NULL;
  root = g_strndup (sandbox->base_url, strlen (sandbox->base_url) - strlen ("/fhir"));
  url = g_strconcat (root, path, NULL);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Invalid URL %s", url);
      return NULL;
    }
  request_headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (request_headers, "Authorization", "Bearer " CAB_TEST_TOKEN);
  for (guint i = 0; headers != NULL && headers[i]; i++)
    {
      const char *colon = strchr (headers[i], ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;
      name = g_strstrip (g_strndup (headers[i], colon - headers[i]));
      value = g_strstrip (g_strdup (colon + 1));
      if (*value == '\0')
        soup_message_headers_remove (request_headers, name);
      else
        soup_message_headers_replace (request_headers, name, value);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type ? content_type : "application/fhir+json", body);

  result = soup_session_send_and_read (session, msg, NULL, error);
  if (result == NULL)
    return NULL;
  if (status != NULL)
    *status = soup_message_get_status (msg);
  if (response_headers != NULL)
    {
      *response_headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      soup_message_headers_foreach (soup_message_get_response_headers (msg), collect_header, *response_headers);
    }
  return result;
}

char *
cab_test_sandbox_call (CabTestSandbox  *sandbox,
                       const char      *method,
                       const char      *path,
                       const char      *json_body,
                       guint           *status,
                       GError         **error)
{
  g_autoptr(GBytes) body = json_body ? g_bytes_new (json_body, strlen (json_body)) : NULL;
  g_autoptr(GBytes) response = NULL;
  const char *content_type = NULL;

  if (json_body != NULL)
    content_type = g_str_has_prefix (path, "/admin") ? "application/json" : "application/fhir+json";
  response = cab_test_sandbox_request (sandbox, method, path, NULL, content_type, body,
                                       status, NULL, error);
  if (response == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
}

gint64
cab_test_sandbox_count_identifier (CabTestSandbox *sandbox,
                                   const char     *resource_path,
                                   const char     *system,
                                   const char     *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *escaped_system = g_uri_escape_string (system, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("%s?identifier=%s%%7C%s", resource_path, escaped_system, escaped_value);
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "total");
}
