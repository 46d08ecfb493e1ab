/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl outbox list|drain|retry|cancel|release|edit|resolve: the queue
 * of actions waiting for the health space (docs/architecture.md, principle 2). */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>
#include <string.h>

#include "cabinetctl-outbox.h"
#include "cab-mail-flags.h"
#include "cab-mail-outbox.h"
#include "cab-outbox-kind.h"

static const char outbox_usage[] =
  "Usage: cabinetctl outbox list [--json] [--state STATE]\n"
  "       cabinetctl outbox drain [--json] [--parallelism N] [--backoff-ms MS] [--horizon-ms MS]\n"
  "                               (mail too with the global --smtp URL, --mail-user, --ca)\n"
  "       cabinetctl outbox retry ID\n"
  "       cabinetctl outbox cancel ID\n"
  "       cabinetctl outbox release ID\n"
  "       cabinetctl outbox edit ID [--title TEXT] [--type LOINC]\n"
  "       cabinetctl outbox resolve ID --keep mine|server\n"
  "\n"
  "STATE: pending, held, sending, done, conflict, failed, cancelled.\n";

/* ---------------------------------------------------------------- helpers */

CabOutbox *
ctl_outbox_new (CtlContext *ctx,
                gboolean    with_client,
                int        *exit_code)
{
  if (ctl_get_store (ctx, exit_code) == NULL)
    return NULL;
  if (with_client && ctx->config->server_url != NULL &&
      ctl_get_client (ctx, exit_code) == NULL)
    return NULL;

  /* The session made it with the store, author and all; it drains only when
   * a command asks (manual mode). Cancelling a triage change or answering
   * its conflict needs no mail account (cab-mail-flags.h). */
  cab_mail_flags_register_effects (cab_session_get_outbox (ctx->session));
  return g_object_ref (cab_session_get_outbox (ctx->session));
}

gboolean
ctl_outbox_drain (CabOutbox            *outbox,
                  CabOutboxDrainResult *result,
                  int                  *exit_code)
{
  g_autoptr(GError) error = NULL;
  CtlWait wait;
  gboolean ok;

  ctl_wait_init (&wait);
  cab_outbox_drain_async (outbox, NULL, ctl_async_cb, &wait);
  ok = cab_outbox_drain_finish (outbox, ctl_wait (&wait), result, &error);
  ctl_wait_clear (&wait);

  if (!ok)
    *exit_code = ctl_fail (ctl_exit_code_for_error (error), "cannot drain the outbox: %s",
                           error->message);
  return ok;
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

static gboolean
parse_uint (const char *text,
            guint      *out)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

static char *
format_time_us (gint64 us)
{
  g_autoptr(GDateTime) dt = NULL;

  if (us <= 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  return dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;
}

static JsonNode *
entry_to_json (const CabOutboxEntry *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *description = cab_outbox_entry_describe (e);
  g_autofree char *next = format_time_us (e->next_attempt_at);
  g_autofree char *last_error = cab_outbox_entry_dup_error (e);
  struct { const char *name; const char *value; } strings[] = {
    { "kind", e->kind },
    { "state", cab_outbox_state_to_string (e->state) },
    { "description", description },
    { "patient_id", e->patient_id },
    { "document_id", e->document_id },
    { "key", e->key },
    { "next_attempt_at", e->state == CAB_OUTBOX_STATE_PENDING ? next : NULL },
    /* In the reader's language; what failed, language-neutral, with the
     * server's words verbatim: error_code and error_detail. */
    { "last_error", last_error },
    { "error_code", e->last_error_code },
    { "error_detail", e->last_error_code != NULL ? e->last_error_detail : NULL },
    { "server_id", e->server_id },
    { "server_version", e->server_version },
    { "created_at", e->created_at },
    { "updated_at", e->updated_at },
  };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, e->id);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      json_builder_set_member_name (b, strings[i].name);
      if (strings[i].value != NULL)
        json_builder_add_string_value (b, strings[i].value);
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "depends_on");
  if (e->depends_on > 0)
    json_builder_add_int_value (b, e->depends_on);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, e->attempts);
  /* The server's version beside the user's, for a conflict. */
  json_builder_set_member_name (b, "server_copy");
  if (e->conflict_json != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, e->conflict_json, -1, NULL))
        json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      else
        json_builder_add_null_value (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------- list */

typedef struct
{
  CabOutbox *outbox;
  int        state;
  GPtrArray *entries;   /* out */
} ListData;

static gboolean
list_thread (gpointer   user_data,
             GError   **error)
{
  ListData *data = user_data;

  data->entries = cab_outbox_list (data->outbox, data->state, error);
  return data->entries != NULL;
}

static int
outbox_list (CtlContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  ListData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  data.state = -1;
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--state") && i + 1 < argc)
        {
          data.state = cab_outbox_state_from_string (argv[++i]);
          if (data.state < 0)
            return ctl_fail (CTL_EXIT_USAGE, "unknown state '%s'", argv[i]);
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "unexpected argument '%s' (see cabinetctl outbox --help)", argv[i]);
    }

  if (!(outbox = ctl_outbox_new (ctx, FALSE, &exit_code)))
    return exit_code;
  data.outbox = outbox;
  if (!ctl_run_in_thread (list_thread, &data, &error))
    return ctl_fail_error (error, "cannot read the outbox");

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (data.entries->len);

      for (guint i = 0; i < data.entries->len; i++)
        json_array_add_element (array, entry_to_json (g_ptr_array_index (data.entries, i)));
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < data.entries->len; i++)
        {
          CabOutboxEntry *e = g_ptr_array_index (data.entries, i);
          g_autofree char *description = cab_outbox_entry_describe (e);
          g_autofree char *last_error = cab_outbox_entry_dup_error (e);

          printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u\t%s%s%s\n", e->id,
                  cab_outbox_state_to_string (e->state), e->created_at,
                  e->patient_id != NULL ? e->patient_id : "-", e->attempts, description,
                  last_error != NULL ? "\t" : "", last_error != NULL ? last_error : "");
        }
    }

  g_ptr_array_unref (data.entries);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------ drain */

static JsonNode *
drain_to_json (const CabOutboxDrainResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sent");
  json_builder_add_int_value (b, r->n_sent);
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, r->n_attempts);
  json_builder_set_member_name (b, "offline");
  json_builder_add_boolean_value (b, r->offline);
  for (guint s = 0; s < CAB_OUTBOX_N_STATES; s++)
    {
      json_builder_set_member_name (b, cab_outbox_state_to_string (s));
      json_builder_add_int_value (b, r->counts[s]);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Says why entries are left, one line each for those that need the user. */
static int
report_leftovers (CabOutbox                  *outbox,
                  const CabOutboxDrainResult *r)
{
  guint needs_you = r->counts[CAB_OUTBOX_STATE_FAILED] + r->counts[CAB_OUTBOX_STATE_CONFLICT];
  guint waiting = r->counts[CAB_OUTBOX_STATE_PENDING] + r->counts[CAB_OUTBOX_STATE_SENDING];

  if (needs_you > 0)
    {
      g_autoptr(GError) error = NULL;
      ListData data = { .outbox = outbox, .state = -1 };

      if (ctl_run_in_thread (list_thread, &data, &error))
        {
          for (guint i = 0; i < data.entries->len; i++)
            {
              CabOutboxEntry *e = g_ptr_array_index (data.entries, i);
              g_autofree char *last_error = cab_outbox_entry_dup_error (e);

              if (e->state == CAB_OUTBOX_STATE_FAILED || e->state == CAB_OUTBOX_STATE_CONFLICT)
                fprintf (stderr, "cabinetctl: entry %" G_GINT64_FORMAT " %s: %s\n", e->id,
                         cab_outbox_state_to_string (e->state),
                         last_error != NULL ? last_error : "");
            }
          g_ptr_array_unref (data.entries);
        }
      return ctl_fail (CTL_EXIT_DATA, "%u entr%s need%s you (failed or in conflict): "
                       "see cabinetctl outbox list", needs_you, needs_you == 1 ? "y" : "ies",
                       needs_you == 1 ? "s" : "");
    }
  if (waiting > 0 && r->offline)
    return ctl_fail (CTL_EXIT_NETWORK, "%u entr%s still queued: the health space is not reachable",
                     waiting, waiting == 1 ? "y" : "ies");
  if (waiting > 0)
    return ctl_fail (CTL_EXIT_NETWORK, "%u entr%s still queued: the server asked to try later",
                     waiting, waiting == 1 ? "y" : "ies");
  return CTL_EXIT_OK;
}

static int
outbox_drain (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(CabOutbox) outbox = NULL;
  CabOutboxDrainResult result = { 0 };
  gboolean json = FALSE;
  guint parallelism = 4, backoff_ms = 0, horizon_ms = 0;
  gboolean has_horizon = FALSE;
  int exit_code = CTL_EXIT_OK;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--parallelism") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], &parallelism) || parallelism == 0)
            return ctl_fail (CTL_EXIT_USAGE, "--parallelism needs a positive number");
        }
      else if (g_str_equal (argv[i], "--backoff-ms") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], &backoff_ms) || backoff_ms == 0)
            return ctl_fail (CTL_EXIT_USAGE, "--backoff-ms needs a positive number");
        }
      else if (g_str_equal (argv[i], "--horizon-ms") && i + 1 < argc)
        {
          if (!parse_uint (argv[++i], &horizon_ms))
            return ctl_fail (CTL_EXIT_USAGE, "--horizon-ms needs a number");
          has_horizon = TRUE;
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "unexpected argument '%s' (see cabinetctl outbox --help)", argv[i]);
    }

  if (ctx->config->server_url == NULL && ctx->config->smtp_url == NULL && ctx->config->imap_url == NULL)
    return ctl_fail (CTL_EXIT_CONFIG, "no server configured (use --server URL or set CABINET_SERVER, "
                                      "--smtp URL or --imap URL --mail-user ADDRESS for mail)");
  if (!(outbox = ctl_outbox_new (ctx, TRUE, &exit_code)))
    return exit_code;
  /* Mail goes out when a submission server is given (--smtp); without it,
   * mail entries stay pending, untouched. */
  if (ctx->config->smtp_url != NULL && !cab_outbox_has_kind (outbox, CAB_MAIL_KIND))
    {
      CtlMailServers servers;

      if (!ctl_mail_servers_init (ctx, &servers, &exit_code))
        return exit_code;
      cab_mail_outbox_register (outbox, &servers.servers);
      ctl_mail_servers_clear (&servers);
    }
  /* Triage keywords go only with the IMAP options. */
  if (!ctl_mail_register_kinds (ctx, outbox, &exit_code))
    return exit_code;
  cab_outbox_set_parallelism (outbox, parallelism);
  if (backoff_ms > 0)
    cab_outbox_set_backoff (outbox, backoff_ms, MAX (backoff_ms * 64, 60000));
  if (has_horizon)
    cab_outbox_set_drain_horizon (outbox, horizon_ms);

  if (!ctl_outbox_drain (outbox, &result, &exit_code))
    return exit_code;

  if (json)
    {
      g_autoptr(JsonNode) root = drain_to_json (&result);
      ctl_print_json (root);
    }
  else
    printf ("Sent %u; pending %u, held %u, failed %u, in conflict %u; done in all %u\n",
            result.n_sent,
            result.counts[CAB_OUTBOX_STATE_PENDING] + result.counts[CAB_OUTBOX_STATE_SENDING],
            result.counts[CAB_OUTBOX_STATE_HELD], result.counts[CAB_OUTBOX_STATE_FAILED],
            result.counts[CAB_OUTBOX_STATE_CONFLICT], result.counts[CAB_OUTBOX_STATE_DONE]);

  return report_leftovers (outbox, &result);
}

/* -------------------------------------------------------- entry actions */

typedef struct
{
  CabOutbox           *outbox;
  const char          *action;
  gint64               id;
  const char          *title;
  const char          *type_code;
  CabOutboxResolution  resolution;
} ActionData;

static gboolean
action_thread (gpointer   user_data,
               GError   **error)
{
  ActionData *data = user_data;

  if (g_str_equal (data->action, "retry"))
    return cab_outbox_retry (data->outbox, data->id, error);
  if (g_str_equal (data->action, "cancel"))
    return cab_outbox_cancel (data->outbox, data->id, error);
  if (g_str_equal (data->action, "release"))
    return cab_outbox_release (data->outbox, data->id, error);
  if (g_str_equal (data->action, "edit"))
    return cab_outbox_edit_publish (data->outbox, data->id, data->title, data->type_code, error);
  return cab_outbox_resolve_conflict (data->outbox, data->id, data->resolution, error);
}

static int
outbox_action (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autoptr(CabOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  ActionData data = { .action = argv[1] };
  gboolean has_keep = FALSE;
  int exit_code = CTL_EXIT_OK;

  if (argc < 3 || !parse_id (argv[2], &data.id))
    return ctl_fail (CTL_EXIT_USAGE, "outbox %s needs an entry ID (see cabinetctl outbox list)", argv[1]);

  for (int i = 3; i < argc; i++)
    {
      if (g_str_equal (data.action, "edit") && g_str_equal (argv[i], "--title") && i + 1 < argc)
        data.title = argv[++i];
      else if (g_str_equal (data.action, "edit") && g_str_equal (argv[i], "--type") && i + 1 < argc)
        data.type_code = argv[++i];
      else if (g_str_equal (data.action, "resolve") && g_str_equal (argv[i], "--keep") && i + 1 < argc)
        {
          i++;
          if (g_str_equal (argv[i], "mine"))
            data.resolution = CAB_OUTBOX_KEEP_MINE;
          else if (g_str_equal (argv[i], "server"))
            data.resolution = CAB_OUTBOX_KEEP_SERVER;
          else
            return ctl_fail (CTL_EXIT_USAGE, "--keep takes mine or server");
          has_keep = TRUE;
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "unexpected argument '%s' (see cabinetctl outbox --help)", argv[i]);
    }
  if (g_str_equal (data.action, "resolve") && !has_keep)
    return ctl_fail (CTL_EXIT_USAGE, "outbox resolve needs --keep mine or --keep server");
  if (g_str_equal (data.action, "edit") && data.title == NULL && data.type_code == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "outbox edit needs --title or --type");

  if (!(outbox = ctl_outbox_new (ctx, FALSE, &exit_code)))
    return exit_code;
  data.outbox = outbox;
  if (!ctl_run_in_thread (action_thread, &data, &error))
    {
      if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE))
        return ctl_fail (CTL_EXIT_USAGE, "entry %" G_GINT64_FORMAT ": %s", data.id, error->message);
      if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE))
        return ctl_fail (CTL_EXIT_USAGE, "%s", error->message);
      return ctl_fail_error (error, "cannot change the entry");
    }

  printf ("Entry %" G_GINT64_FORMAT ": %s\n", data.id,
          g_str_equal (data.action, "retry") ? "queued again" :
          g_str_equal (data.action, "cancel") ? "cancelled (kept in the history)" :
          g_str_equal (data.action, "release") ? "released, will be sent" :
          g_str_equal (data.action, "edit") ? "changed" :
          data.resolution == CAB_OUTBOX_KEEP_MINE ? "your version will be sent" :
                                                   "the health space's version was kept");
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------- main */

int
ctl_outbox_main (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (sub == NULL || ctl_is_help (sub))
    {
      fputs (outbox_usage, sub != NULL ? stdout : stderr);
      return sub != NULL ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }
  if (g_str_equal (sub, "list"))
    return outbox_list (ctx, argc, argv);
  if (g_str_equal (sub, "drain"))
    return outbox_drain (ctx, argc, argv);
  if (g_str_equal (sub, "retry") || g_str_equal (sub, "cancel") || g_str_equal (sub, "release") ||
      g_str_equal (sub, "edit") || g_str_equal (sub, "resolve"))
    return outbox_action (ctx, argc, argv);

  return ctl_fail (CTL_EXIT_USAGE, "unknown outbox command '%s' (see cabinetctl outbox --help)", sub);
}
