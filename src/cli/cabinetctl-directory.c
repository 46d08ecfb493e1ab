/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinetctl"

/* cabinetctl directory search | sync: the national health directory and
 * recipient completion (docs/cabinetctl.md, "Directory"). The directory's
 * URL and API key are its own (--directory, --directory-key or
 * CABINET_DIRECTORY_URL, CABINET_DIRECTORY_KEY), never the health space's
 * token; --ca is the trust for both. */

#include <stdio.h>
#include <string.h>

#include "cabinetctl-private.h"
#include "cab-correspondents.h"
#include "cab-directory.h"

static const char directory_usage[] =
  "Usage: cabinetctl directory search TEXT [--city CITY] [--online|--offline] [--limit N] [--json]\n"
  "       cabinetctl directory sync [--city CITY...] [--json]\n"
  "Options: --directory URL (or CABINET_DIRECTORY_URL), --directory-key KEY (or CABINET_DIRECTORY_KEY)\n";

typedef struct
{
  const char *url;
  const char *key;
  const char *city;
  GPtrArray  *cities;
  const char *text;
  guint       limit;
  gboolean    json;
  gboolean    online;
  gboolean    offline;
} Options;

static gboolean
parse_options (int argc, char **argv, Options *o, int *exit_code)
{
  for (int i = 2; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (arg, "--json"))
        o->json = TRUE;
      else if (g_str_equal (arg, "--online"))
        o->online = TRUE;
      else if (g_str_equal (arg, "--offline"))
        o->offline = TRUE;
      else if ((g_str_equal (arg, "--city") || g_str_equal (arg, "--directory") ||
                g_str_equal (arg, "--directory-key") || g_str_equal (arg, "--limit")) && value == NULL)
        {
          *exit_code = ctl_fail (CTL_EXIT_USAGE, "option %s needs a value", arg);
          return FALSE;
        }
      else if (g_str_equal (arg, "--city"))
        {
          o->city = argv[++i];
          g_ptr_array_add (o->cities, argv[i]);
        }
      else if (g_str_equal (arg, "--directory"))
        o->url = argv[++i];
      else if (g_str_equal (arg, "--directory-key"))
        o->key = argv[++i];
      else if (g_str_equal (arg, "--limit"))
        {
          guint64 n = 0;

          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, CAB_CORRESPONDENTS_MAX_LIMIT, &n, NULL))
            {
              *exit_code = ctl_fail (CTL_EXIT_USAGE, "--limit takes 1 to %u", CAB_CORRESPONDENTS_MAX_LIMIT);
              return FALSE;
            }
          o->limit = (guint) n;
        }
      else if (arg[0] == '-' && arg[1] == '-')
        {
          *exit_code = ctl_fail (CTL_EXIT_USAGE, "unknown option %s for directory\n%s", arg, directory_usage);
          return FALSE;
        }
      else if (o->text == NULL)
        o->text = arg;
      else
        {
          *exit_code = ctl_fail (CTL_EXIT_USAGE, "one search text only (quote it)");
          return FALSE;
        }
    }
  if (o->url == NULL)
    o->url = g_getenv ("CABINET_DIRECTORY_URL");
  if (o->key == NULL)
    o->key = g_getenv ("CABINET_DIRECTORY_KEY");
  if (o->url != NULL && *o->url == '\0')
    o->url = NULL;
  return TRUE;
}

static CabDirectory *
open_directory (CtlContext *ctx, CabStore *store, const Options *o, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDirectory) directory = NULL;
  /* The options first, then the configuration (the environment, then the
   * directory-url setting), as the app reads them. */
  const char *url = o->url != NULL ? o->url : ctx->config->directory_url;
  const char *key = o->key != NULL ? o->key : ctx->config->directory_key;

  if (url == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "give the directory's URL (--directory URL or CABINET_DIRECTORY_URL)");
      return NULL;
    }
  directory = cab_directory_new (store, url, key, &error);
  if (directory == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_USAGE, "directory: %s", error->message);
      return NULL;
    }
  if (ctx->config->ca_file != NULL &&
      !cab_fhir_client_set_ca_file (cab_directory_get_client (directory), ctx->config->ca_file, &error))
    {
      *exit_code = ctl_fail_error (error, "directory");
      return NULL;
    }
  return g_steal_pointer (&directory);
}

static int
exit_code_for (const GError *error)
{
  if (error->domain == CAB_DIRECTORY_ERROR)
    return error->code == CAB_DIRECTORY_ERROR_QUERY ? CTL_EXIT_USAGE : CTL_EXIT_DATA;
  return ctl_exit_code_for_error (error);
}

/* ---------------------------------------------------------------- search */

typedef struct
{
  CabStore  *store;
  const char *text;
  guint      limit;
  GPtrArray *found;
} LocalJob;

static gboolean
local_in_thread (gpointer data, GError **error)
{
  LocalJob *job = data;

  job->found = cab_correspondents_search (job->store, job->text, job->limit, error);
  return job->found != NULL;
}

static JsonNode *
correspondent_to_json (CabCorrespondent *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  CabCorrespondentSources sources = cab_correspondent_get_sources (c);

#define ADD_STRING(name, value) \
  G_STMT_START { \
    json_builder_set_member_name (b, name); \
    if ((value) != NULL) json_builder_add_string_value (b, value); else json_builder_add_null_value (b); \
  } G_STMT_END
  json_builder_begin_object (b);
  ADD_STRING ("address", cab_correspondent_get_address (c));
  ADD_STRING ("name", cab_correspondent_get_display_name (c));
  ADD_STRING ("profession", cab_correspondent_get_profession (c));
  ADD_STRING ("organization", cab_correspondent_get_organization (c));
  ADD_STRING ("city", cab_correspondent_get_city (c));
  ADD_STRING ("rpps", cab_correspondent_get_rpps (c));
#undef ADD_STRING
  json_builder_set_member_name (b, "sources");
  json_builder_begin_array (b);
  if (sources & CAB_CORRESPONDENT_SOURCE_SENT)
    json_builder_add_string_value (b, "sent");
  if (sources & CAB_CORRESPONDENT_SOURCE_RECEIVED)
    json_builder_add_string_value (b, "received");
  if (sources & CAB_CORRESPONDENT_SOURCE_DIRECTORY)
    json_builder_add_string_value (b, "directory");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sent");
  json_builder_add_int_value (b, cab_correspondent_get_sent_count (c));
  json_builder_set_member_name (b, "received");
  json_builder_add_int_value (b, cab_correspondent_get_received_count (c));
  json_builder_set_member_name (b, "last_at");
  json_builder_add_int_value (b, cab_correspondent_get_last_at (c));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_correspondent (CabCorrespondent *c)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *parts[] = { cab_correspondent_get_profession (c), cab_correspondent_get_organization (c),
                          cab_correspondent_get_city (c) };
  gboolean first = TRUE;

  if (cab_correspondent_get_display_name (c) != NULL)
    g_string_append_printf (line, "%s <%s>", cab_correspondent_get_display_name (c),
                            cab_correspondent_get_address (c));
  else
    g_string_append (line, cab_correspondent_get_address (c));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL)
      {
        g_string_append_printf (line, "%s%s", first ? " — " : ", ", parts[i]);
        first = FALSE;
      }
  if (cab_correspondent_get_rpps (c) != NULL)
    g_string_append_printf (line, " (RPPS %s)", cab_correspondent_get_rpps (c));
  if (cab_correspondent_get_sent_count (c) > 0 || cab_correspondent_get_received_count (c) > 0)
    g_string_append_printf (line, " [sent %u, received %u]", cab_correspondent_get_sent_count (c),
                            cab_correspondent_get_received_count (c));
  printf ("%s\n", line->str);
}

static int
directory_search (CtlContext *ctx, const Options *o)
{
  g_autoptr(GError) error = NULL;
  LocalJob job = { .text = o->text, .limit = o->limit };
  int exit_code = CTL_EXIT_OK;

  if (o->text == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "directory search needs a text\n%s", directory_usage);
  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (!o->online && !ctl_run_in_thread (local_in_thread, &job, &error))
    return ctl_fail_error (error, "directory search");

  /* Online when asked, or when the cache knows nobody by that text. */
  if (!o->offline && (o->online || (job.found->len == 0 && o->url != NULL)))
    {
      g_autoptr(CabDirectory) directory = open_directory (ctx, job.store, o, &exit_code);
      g_autoptr(GListModel) answer = NULL;
      CtlWait wait;

      if (directory == NULL)
        return exit_code;
      ctl_wait_init (&wait);
      cab_directory_search_async (directory, o->text, o->city, NULL, ctl_async_cb, &wait);
      answer = cab_directory_search_finish (directory, ctl_wait (&wait), &error);
      ctl_wait_clear (&wait);
      if (answer == NULL)
        {
          int code = exit_code_for (error);
          return ctl_fail (code, "directory search: %s", error->message);
        }
      /* The answers are cached now: the local ranking shows them with the
       * practice's own. */
      g_clear_pointer (&job.found, g_ptr_array_unref);
      if (!ctl_run_in_thread (local_in_thread, &job, &error))
        return ctl_fail_error (error, "directory search");
    }

  if (o->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < job.found->len; i++)
        json_array_add_element (array, correspondent_to_json (g_ptr_array_index (job.found, i)));
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    for (guint i = 0; i < job.found->len; i++)
      print_correspondent (g_ptr_array_index (job.found, i));
  g_ptr_array_unref (job.found);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------ sync */

static int
directory_sync (CtlContext *ctx, const Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDirectory) directory = NULL;
  CabDirectorySyncStats stats = { 0 };
  CabStore *store;
  int exit_code = CTL_EXIT_OK;
  CtlWait wait;
  gboolean ok;

  if (o->text != NULL)
    return ctl_fail (CTL_EXIT_USAGE, "directory sync takes no text\n%s", directory_usage);
  if ((store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if ((directory = open_directory (ctx, store, o, &exit_code)) == NULL)
    return exit_code;

  g_ptr_array_add (o->cities, NULL);
  ctl_wait_init (&wait);
  cab_directory_sync_async (directory, (const char * const *) o->cities->pdata, NULL, ctl_async_cb, &wait);
  ok = cab_directory_sync_finish (directory, ctl_wait (&wait), &stats, &error);
  ctl_wait_clear (&wait);
  if (!ok)
    return ctl_fail (exit_code_for (error), "directory sync: %s", error->message);

  if (o->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "requests");
      json_builder_add_int_value (b, stats.n_requests);
      json_builder_set_member_name (b, "practitioners");
      json_builder_add_int_value (b, stats.n_practitioners);
      json_builder_set_member_name (b, "addresses");
      json_builder_add_int_value (b, stats.n_entries);
      json_builder_set_member_name (b, "removed");
      json_builder_add_int_value (b, stats.n_removed);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
    }
  else
    printf ("Directory: %u practitioners, %u addresses cached, %u removed (%u requests)\n",
            stats.n_practitioners, stats.n_entries, stats.n_removed, stats.n_requests);
  return CTL_EXIT_OK;
}

int
ctl_directory_main (CtlContext  *ctx,
                    int          argc,
                    char       **argv)
{
  g_autoptr(GPtrArray) cities = g_ptr_array_new ();
  Options o = { .cities = cities };
  int exit_code = CTL_EXIT_OK;

  if (argc < 2 || ctl_is_help (argv[1]))
    {
      fputs (directory_usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
  if (!parse_options (argc, argv, &o, &exit_code))
    return exit_code;
  if (g_str_equal (argv[1], "search"))
    return directory_search (ctx, &o);
  if (g_str_equal (argv[1], "sync"))
    return directory_sync (ctx, &o);
  return ctl_fail (CTL_EXIT_USAGE, "unknown directory command '%s'\n%s", argv[1], directory_usage);
}
