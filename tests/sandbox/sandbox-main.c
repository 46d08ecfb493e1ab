/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sandbox-db.h"
#include "sandbox-faults.h"
#include "sandbox-gen.h"
#include "sandbox-directory.h"
#include "sandbox-server.h"
#include "sandbox-util.h"

/* Bumped when the stored layout or the generation changes meaning. */
#define DATA_VERSION "1"

typedef struct
{
  SandboxDb   *db;
  SandboxConn *conn;
  gint64       ts;
  guint        n_resources;
  gint64       store_us;
  GError      *error;
} GenContext;

static void
emit_resource (const char *type,
               const char *id,
               const char *patient_id,
               JsonObject *resource,
               JsonObject *pdf_recipe,
               gpointer    user_data)
{
  GenContext *ctx = user_data;
  SandboxRow *row;
  gint64 start = g_get_monotonic_time ();

  if (ctx->error != NULL)
    return;
  if (pdf_recipe != NULL)
    {
      g_autofree char *recipe = sandbox_object_to_string (pdf_recipe);
      if (!sandbox_db_put_blob (ctx->conn, id, sandbox_json_get_string (resource, "contentType"),
                                recipe, NULL, &ctx->error))
        return;
    }
  else if (g_str_equal (type, "Binary") && sandbox_json_get_string (resource, "data") != NULL)
    {
      /* Inline content (a KOS) is kept as bytes, like a posted Binary. */
      gsize len = 0;
      guchar *raw = g_base64_decode (sandbox_json_get_string (resource, "data"), &len);
      g_autoptr(GBytes) bytes = g_bytes_new_take (raw, len);

      if (!sandbox_db_put_blob (ctx->conn, id, sandbox_json_get_string (resource, "contentType"),
                                NULL, bytes, &ctx->error))
        return;
      json_object_remove_member (resource, "data");
    }
  row = sandbox_db_store (ctx->conn, type, id, resource, patient_id, ctx->ts, TRUE, &ctx->error);
  sandbox_row_free (row);
  ctx->n_resources++;
  ctx->store_us += g_get_monotonic_time () - start;
}

static gboolean
generate (SandboxDb *db, const SandboxGenOptions *options, const char *params, GError **error)
{
  GenContext ctx = { db, sandbox_db_acquire (db), 0, 0, 0, NULL };
  gint64 index_start;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  /* A fresh file: no journal while loading, indexes built once at the end. */
  ok = sandbox_conn_exec (ctx.conn, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                                          " PRAGMA cache_size=-262144;", error);
  if (ok)
    {
      sandbox_db_write_begin (db, ctx.conn);
      ctx.ts = sandbox_db_next_timestamp (db);
      sandbox_gen_practice (options, emit_resource, &ctx);
      if (ctx.error == NULL)
        {
          sandbox_db_set_meta (ctx.conn, "params", params);
          sandbox_db_set_meta (ctx.conn, "complete", "1");
        }
      ok = sandbox_db_write_end (db, ctx.conn, ctx.error == NULL, ctx.error == NULL ? error : NULL);
      if (ctx.error != NULL)
        {
          g_propagate_error (error, ctx.error);
          ok = FALSE;
        }
    }
  index_start = g_get_monotonic_time ();
  ok = ok && sandbox_db_finish_bulk (db, ctx.conn, error) &&
       sandbox_conn_exec (ctx.conn, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32000;", error);
  sandbox_db_release (db, ctx.conn);
  if (ok)
    g_message ("Generated %u resources (%u patients) in %.1f s (storing %.1f s, indexing %.1f s)",
               ctx.n_resources, options->n_patients, (g_get_monotonic_time () - start) / 1e6,
               ctx.store_us / 1e6, (g_get_monotonic_time () - index_start) / 1e6);
  return ok;
}

static void
remove_db_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
      g_unlink (p);
    }
}

/* Opens the database, reusing one generated with the same parameters. */
static SandboxDb *
open_database (const char *path, const SandboxGenOptions *options, GError **error)
{
  g_autofree char *params = g_strdup_printf ("v=%s;seed=%" G_GUINT64_FORMAT ";patients=%u;years=%u;today=%s",
                                             DATA_VERSION, options->seed, options->n_patients,
                                             options->years, options->today);
  SandboxDb *db;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      SandboxConn *conn;
      g_autofree char *stored = NULL;
      g_autofree char *complete = NULL;

      db = sandbox_db_open (path, error);
      if (db == NULL)
        return NULL;
      conn = sandbox_db_acquire (db);
      stored = sandbox_db_get_meta (conn, "params");
      complete = sandbox_db_get_meta (conn, "complete");
      sandbox_db_release (db, conn);
      if (g_strcmp0 (stored, params) == 0 && g_strcmp0 (complete, "1") == 0)
        {
          g_message ("Reusing the practice in %s", path);
          return db;
        }
      g_message ("Regenerating %s (parameters changed)", path);
      sandbox_db_free (db);
      remove_db_files (path);
    }

  db = sandbox_db_open (path, error);
  if (db == NULL)
    return NULL;
  if (!generate (db, options, params, error))
    {
      sandbox_db_free (db);
      return NULL;
    }
  return db;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Everything to stderr: stdout carries the URL line only. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  g_autofree char *text = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  text = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  fprintf (stderr, "%s\n", text);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static GHashTable *
parse_tokens (char **tokens, GError **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; tokens != NULL && tokens[i]; i++)
    {
      const char *eq = strchr (tokens[i], '=');
      g_autofree char *token = eq ? g_strndup (tokens[i], eq - tokens[i]) : g_strdup (tokens[i]);
      const char *who = eq ? eq + 1 : "gp-1";

      if (*token == '\0' || !sandbox_is_valid_id (who))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "Invalid --token '%s' (TOKEN or TOKEN=practitioner-id)", tokens[i]);
          return NULL;
        }
      g_hash_table_insert (table, g_steal_pointer (&token), g_strdup (who));
    }
  return g_steal_pointer (&table);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GHashTable) tokens = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *today_default = NULL;
  SandboxGenOptions gen = { 1, 300, 5, NULL };
  SandboxFaults *faults;
  SandboxServer *server;
  SandboxDb *db;
  gint port = 8080, latency_ms = 0, retry_after = 1, patients = 300, years = 5;
  gint64 seed = 1;
  gboolean prerender = FALSE;
  double error_rate = 0, drop_rate = 0;
  g_autofree char *host = NULL;
  g_autofree char *today = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *access_log = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *error_status = NULL;
  g_auto(GStrv) token_args = NULL;
  g_autofree char *directory_key = NULL;
  gint directory_size = 120;
  gint64 lo, hi;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: a free one)", "P" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Address to listen on (default 127.0.0.1)", "ADDR" },
    { "token", 0, 0, G_OPTION_ARG_STRING_ARRAY, &token_args,
      "Accepted bearer token, acting as Practitioner/gp-1, or TOKEN=gp-N (repeatable)", "T[=ID]" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the synthetic practice (default 1)", "S" },
    { "patients", 0, 0, G_OPTION_ARG_INT, &patients, "Number of patients (default 300)", "N" },
    { "years", 0, 0, G_OPTION_ARG_INT, &years, "Years of history (default 5)", "Y" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, "The practice's present (default: today)", "YYYY-MM-DD" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Keep the database here and reuse it (default: a temporary one)", "DIR" },
    { "access-log", 0, 0, G_OPTION_ARG_FILENAME, &access_log,
      "Write every /fhir request line, with the time, and each injected 429/503 to FILE", "FILE" },
    { "prerender", 0, 0, G_OPTION_ARG_NONE, &prerender,
      "Draw every PDF before serving (kept with --data-dir), so first reads cost nothing", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS with this PEM certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key of --tls-cert", "FILE" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms, "Added latency on /fhir", "MS" },
    { "error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &error_rate, "Share of /fhir requests failed (0..1)", "R" },
    { "error-status", 0, 0, G_OPTION_ARG_STRING, &error_status,
      "Statuses of injected errors (default 500)", "500,503,429" },
    { "retry-after", 0, 0, G_OPTION_ARG_INT, &retry_after, "Retry-After of injected 429/503 (s)", "S" },
    { "drop-rate", 0, 0, G_OPTION_ARG_DOUBLE, &drop_rate, "Share of connections dropped (0..1)", "R" },
    { "directory-key", 0, 0, G_OPTION_ARG_STRING, &directory_key,
      "API key of the directory under /annuaire/fhir (default " SANDBOX_DIRECTORY_DEFAULT_KEY ")", "KEY" },
    { "directory-size", 0, 0, G_OPTION_ARG_INT, &directory_size,
      "Specialists the directory lists besides the practice's correspondents (default 120)", "N" },
    { NULL }
  };

  g_log_set_writer_func (log_writer, NULL, NULL);

  context = g_option_context_new ("- stand-in for the French health space (FHIR R4)");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cabinet-sandbox: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || patients < 0 || patients > 1000000 || years < 1 || years > 100 ||
      latency_ms < 0 || retry_after < 0 || error_rate < 0 || error_rate > 1 ||
      drop_rate < 0 || drop_rate > 1 || (tls_key != NULL && tls_cert == NULL) ||
      directory_size < 0 || directory_size > 100000)
    {
      g_printerr ("cabinet-sandbox: invalid option value (see --help)\n");
      return 2;
    }
  if (today == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      today = g_date_time_format (now, "%Y-%m-%d");
    }
  if (strlen (today) != 10 || !sandbox_parse_date_range (today, &lo, &hi))
    {
      g_printerr ("cabinet-sandbox: --today must be YYYY-MM-DD\n");
      return 2;
    }
  tokens = parse_tokens (token_args, &error);
  if (tokens == NULL)
    {
      g_printerr ("cabinet-sandbox: %s\n", error->message);
      return 2;
    }
  if (g_hash_table_size (tokens) == 0)
    g_warning ("No --token given: every /fhir request will be refused");

  faults = sandbox_faults_new ((guint32) seed);
  faults->latency_ms = latency_ms;
  faults->error_rate = error_rate;
  faults->drop_rate = drop_rate;
  faults->retry_after = retry_after;
  if (error_status != NULL && !sandbox_faults_set_statuses (faults, error_status, &error))
    {
      g_printerr ("cabinet-sandbox: %s\n", error->message);
      sandbox_faults_free (faults);
      return 2;
    }

  gen.seed = (guint64) seed;
  gen.n_patients = patients;
  gen.years = years;
  gen.today = today;

  if (data_dir != NULL)
    {
      if (g_mkdir_with_parents (data_dir, 0700) != 0)
        {
          g_printerr ("cabinet-sandbox: cannot create %s\n", data_dir);
          sandbox_faults_free (faults);
          return 1;
        }
      db_path = g_build_filename (data_dir, "sandbox.db", NULL);
    }
  else
    {
      tmp_dir = g_dir_make_tmp ("cabinet-sandbox-XXXXXX", &error);
      if (tmp_dir == NULL)
        {
          g_printerr ("cabinet-sandbox: %s\n", error->message);
          sandbox_faults_free (faults);
          return 1;
        }
      db_path = g_build_filename (tmp_dir, "sandbox.db", NULL);
    }

  db = open_database (db_path, &gen, &error);
  if (db == NULL)
    {
      g_printerr ("cabinet-sandbox: %s\n", error->message);
      sandbox_faults_free (faults);
      if (tmp_dir != NULL)
        {
          remove_db_files (db_path);
          g_rmdir (tmp_dir);
        }
      return 1;
    }

  if (prerender)
    {
      gint64 start = g_get_monotonic_time ();
      guint n = sandbox_db_prerender (db, g_get_num_processors ());
      g_message ("Drew %u documents in %.1f s", n, (g_get_monotonic_time () - start) / 1e6);
    }

  server = sandbox_server_new (db, tokens, faults);
  sandbox_server_set_directory (server, sandbox_directory_new ((guint64) seed, (guint) directory_size),
                                directory_key ? directory_key : SANDBOX_DIRECTORY_DEFAULT_KEY);
  if ((access_log != NULL && !sandbox_server_set_access_log (server, access_log, &error)) ||
      !sandbox_server_listen (server, host ? host : "127.0.0.1", port, tls_cert, tls_key, &error))
    {
      g_printerr ("cabinet-sandbox: %s\n", error->message);
      sandbox_server_free (server);
      sandbox_db_free (db);
      if (tmp_dir != NULL)
        {
          remove_db_files (db_path);
          g_rmdir (tmp_dir);
        }
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);

  /* The first stdout line is the contract with scripts and the test harness. */
  g_print ("%s\n", sandbox_server_get_base_url (server));
  fflush (stdout);
  g_message ("Serving %s", sandbox_server_get_base_url (server));

  g_main_loop_run (loop);

  g_message ("Stopping");
  sandbox_server_free (server);
  /* Let closed connections (and their TLS threads) finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  sandbox_db_free (db);
  if (tmp_dir != NULL)
    {
      remove_db_files (db_path);
      g_rmdir (tmp_dir);
    }
  return 0;
}
