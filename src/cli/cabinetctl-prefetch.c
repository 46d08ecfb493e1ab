/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl prefetch [--budget SIZE] [--json]: every document's content
 * offline, within the budget, by the app's own prefetch (cab-prefetch.h),
 * run to completion. */
#define G_LOG_DOMAIN "cabinetctl"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cab-prefetch.h"
#include "cab-store-cache.h"
#include "cabinetctl-private.h"

#define SETTINGS_SCHEMA_ID "io.github.cabinet_sante.Cabinet"

/* "500M", "2G", "1.5GB", "800MiB", "123456": bytes. K, M, G, T are powers
 * of 1000, KiB, MiB, GiB, TiB of 1024. FALSE for anything else. */
gboolean
ctl_parse_size (const char *text,
                guint64    *bytes)
{
  static const struct { const char *suffix; double factor; } units[] = {
    { "", 1 }, { "B", 1 },
    { "K", 1e3 }, { "KB", 1e3 }, { "M", 1e6 }, { "MB", 1e6 },
    { "G", 1e9 }, { "GB", 1e9 }, { "T", 1e12 }, { "TB", 1e12 },
    { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
    { "TiB", 1099511627776.0 },
  };
  g_autofree char *copy = NULL;
  char *end = NULL;
  double value;

  if (text == NULL || text[0] == '\0' || strlen (text) > 32)
    return FALSE;
  copy = g_strdup (text);
  g_strdelimit (copy, ",", '.');
  value = g_ascii_strtod (copy, &end);
  if (end == copy || !(value >= 0) || value > 1e18)
    return FALSE;
  while (*end == ' ')
    end++;
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (end, units[i].suffix) == 0 &&
        (strchr (units[i].suffix, 'i') == NULL || strcmp (end + 1, units[i].suffix + 1) == 0))
      {
        *bytes = (guint64) (value * units[i].factor + 0.5);
        return TRUE;
      }
  return FALSE;
}

/* The budget the app uses, from its settings (0: the default). */
static guint64
settings_budget (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL ||
      (schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE)) == NULL ||
      !g_settings_schema_has_key (schema, "offline-budget"))
    return 0;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_uint64 (settings, "offline-budget");
}

static void
progress_cb (CabPrefetch *prefetch)
{
  g_autofree char *size = g_format_size (cab_prefetch_get_offline_bytes (prefetch));

  fprintf (stderr, "\r%u/%u documents offline (%s)   ",
           cab_prefetch_get_n_offline (prefetch), cab_prefetch_get_n_documents (prefetch), size);
  fflush (stderr);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static void
print_summary (const CabOfflineStats    *stats,
               const CabPrefetchSummary *summary,
               guint                     n_indexed,
               gboolean                  json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "documents");
      json_builder_add_int_value (builder, summary->n_downloaded);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, summary->n_bytes);
      json_builder_set_member_name (builder, "already_offline");
      json_builder_add_int_value (builder, summary->n_already);
      json_builder_set_member_name (builder, "skipped_for_budget");
      json_builder_add_int_value (builder, summary->n_skipped_budget);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_int_value (builder, summary->n_failed);
      json_builder_set_member_name (builder, "evicted");
      json_builder_add_int_value (builder, summary->n_evicted);
      json_builder_set_member_name (builder, "indexed");
      json_builder_add_int_value (builder, n_indexed);
      json_builder_set_member_name (builder, "offline");
      json_builder_add_int_value (builder, stats->n_cached);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, stats->n_documents);
      json_builder_set_member_name (builder, "offline_bytes");
      json_builder_add_int_value (builder, stats->cached_bytes);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ctl_print_json (root);
      return;
    }

  printf ("documents: %u\nbytes: %" G_GUINT64_FORMAT "\nalready offline: %u\n"
          "skipped for budget: %u\nfailed: %u\nevicted: %u\nindexed: %u\noffline: %u/%u\n",
          summary->n_downloaded, summary->n_bytes, summary->n_already,
          summary->n_skipped_budget, summary->n_failed, summary->n_evicted, n_indexed,
          stats->n_cached, stats->n_documents);
}

typedef struct
{
  CabStore        *store;
  CabOfflineStats  stats;
} StatsData;

static gboolean
stats_thread (gpointer   user_data,
              GError   **error)
{
  StatsData *data = user_data;

  return cab_store_get_offline_stats (data->store, &data->stats, error);
}

int
ctl_prefetch_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CabPrefetchSummary summary = { 0 };
  StatsData stats = { 0 };
  CabPrefetch *prefetch;
  gboolean json = FALSE;
  gboolean have_budget = FALSE;
  guint64 budget = 0;
  gulong handler = 0;
  guint sigint_id;
  guint n_indexed = 0;
  gboolean ok;
  int exit_code = CTL_EXIT_OK;
  CtlWait wait;

  for (int i = 1; i < argc; i++)
    {
      const char *value = NULL;

      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--budget") && i + 1 < argc)
        value = argv[++i];
      else if (g_str_has_prefix (argv[i], "--budget="))
        value = argv[i] + strlen ("--budget=");
      else if (ctl_is_help (argv[i]))
        {
          puts ("Usage: cabinetctl prefetch [--budget SIZE] [--json]");
          return CTL_EXIT_OK;
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "prefetch: unexpected argument '%s'", argv[i]);

      if (value != NULL)
        {
          if (!ctl_parse_size (value, &budget) || budget == 0)
            return ctl_fail (CTL_EXIT_USAGE,
                             "prefetch: --budget takes a size such as 500M, 2G or 1.5GiB");
          have_budget = TRUE;
        }
    }

  if (ctl_get_client (ctx, &exit_code) == NULL || ctl_get_store (ctx, &exit_code) == NULL)
    return exit_code;

  /* Made by the session once the store and the client were there. */
  prefetch = cab_session_get_prefetch (ctx->session);
  g_assert (prefetch != NULL);
  cab_prefetch_set_budget (prefetch, have_budget ? budget : settings_budget ());
  /* Asked for by hand: a metered connection does not stop it. */
  cab_prefetch_set_allow_metered (prefetch, TRUE);
  if (isatty (STDERR_FILENO) && !json)
    handler = g_signal_connect (prefetch, "notify::n-offline", G_CALLBACK (progress_cb), NULL);

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);
  g_signal_connect_swapped (cancellable, "cancelled", G_CALLBACK (cab_prefetch_stop), prefetch);

  ctl_wait_init (&wait);
  cab_prefetch_run_async (prefetch, cancellable, ctl_async_cb, &wait);
  ok = cab_prefetch_run_finish (prefetch, ctl_wait (&wait), &summary, &error);
  ctl_wait_clear (&wait);
  g_source_remove (sigint_id);
  if (handler != 0)
    {
      g_signal_handler_disconnect (prefetch, handler);
      fputc ('\n', stderr);
    }

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return ctl_fail (CTL_EXIT_NETWORK, "prefetch interrupted; the next run resumes where it stopped");
      return ctl_fail_error (error, "prefetch stopped");
    }

  /* Their text for the full-text search, after the downloads. */
  ctl_wait_init (&wait);
  cab_prefetch_index_async (prefetch, cancellable, ctl_async_cb, &wait);
  ok = cab_prefetch_index_finish (prefetch, ctl_wait (&wait), &n_indexed, &error);
  ctl_wait_clear (&wait);
  if (!ok)
    return ctl_fail_error (error, "cannot index the documents' text");

  stats.store = cab_session_get_store (ctx->session);
  if (!ctl_run_in_thread (stats_thread, &stats, &error))
    return ctl_fail_error (error, "cannot count the offline documents");
  print_summary (&stats.stats, &summary, n_indexed, json);
  if (summary.n_failed > 0)
    return ctl_fail (CTL_EXIT_DATA, "%u documents could not be downloaded", summary.n_failed);
  return CTL_EXIT_OK;
}
