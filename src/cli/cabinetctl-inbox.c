/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinetctl"

/* cabinetctl inbox sync | index | list: the MSSanté inbox (docs/cabinetctl.md). */

#include <stdio.h>
#include <string.h>

#include "cabinetctl-private.h"
#include "cab-mail-account.h"
#include "cab-mail-index.h"
#include "cab-mail-store.h"
#include "cab-mail-sync.h"

typedef struct
{
  CabStore          *store;
  CabMailSyncOptions options;
  CabMailSyncResult  result;
  const char        *match_state;
  const char        *search;
  GPtrArray         *rows;
  gboolean           index;      /* run the indexing pass after the sync */
  guint              n_indexed;
  guint              n_pending;  /* left for the pass */
} InboxJob;

static int
exit_code_for_mail_error (const GError *error)
{
  if (error->domain == CAB_IMAP_ERROR)
    switch ((CabImapError) error->code)
      {
      case CAB_IMAP_ERROR_URL:
        return CTL_EXIT_USAGE;
      case CAB_IMAP_ERROR_AUTH:
        return CTL_EXIT_CONFIG;
      case CAB_IMAP_ERROR_NETWORK:
      case CAB_IMAP_ERROR_TLS_UNKNOWN_CA:
      case CAB_IMAP_ERROR_TLS_BAD_IDENTITY:
      case CAB_IMAP_ERROR_TLS_FAILED:
      case CAB_IMAP_ERROR_NO_STARTTLS:
      case CAB_IMAP_ERROR_PROTOCOL:
      case CAB_IMAP_ERROR_TOO_LARGE:
        return CTL_EXIT_NETWORK;
      }
  return ctl_exit_code_for_error (error);
}

static gboolean
sync_in_thread (gpointer data, GError **error)
{
  InboxJob *job = data;

  if (job->options.url != NULL && !cab_mail_sync_run (job->store, &job->options, &job->result, NULL, error))
    return FALSE;
  /* The PDFs' text the sync left pending (docs/architecture.md, "Mail"). */
  if (job->index && !cab_mail_index_pending (job->store, 0, &job->n_indexed, NULL, error))
    return FALSE;
  return cab_mail_index_n_pending (job->store, &job->n_pending, error);
}

static gboolean
list_in_thread (gpointer data, GError **error)
{
  InboxJob *job = data;

  job->rows = cab_mail_store_search (job->store, job->match_state, job->search, error);
  return job->rows != NULL;
}

static JsonNode *
row_to_json (const CabMailRow *row)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GDateTime) date = row->date > 0 ? g_date_time_new_from_unix_utc (row->date) : NULL;
  g_autofree char *iso = date ? g_date_time_format_iso8601 (date) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, row->id);
  json_builder_set_member_name (b, "message_id");
  json_builder_add_string_value (b, row->message_id);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, iso);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, row->from_display);
  json_builder_set_member_name (b, "subject");
  json_builder_add_string_value (b, row->subject);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, row->status);
  json_builder_set_member_name (b, "assignee");
  json_builder_add_string_value (b, row->assignee);
  json_builder_set_member_name (b, "patient_id");
  json_builder_add_string_value (b, row->triage_patient_id);
  json_builder_set_member_name (b, "keywords");
  json_builder_add_string_value (b, row->keywords);
  json_builder_set_member_name (b, "filing_state");
  json_builder_add_string_value (b, row->filing_state);
  json_builder_set_member_name (b, "uid");
  json_builder_add_int_value (b, row->uid);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, row->size);
  json_builder_set_member_name (b, "raw_path");
  json_builder_add_string_value (b, row->raw_path);
  json_builder_set_member_name (b, "smime_signed");
  json_builder_add_boolean_value (b, row->smime_signed);
  json_builder_set_member_name (b, "mss_codecda");
  json_builder_add_string_value (b, row->mss_codecda);
  json_builder_set_member_name (b, "xdm_error");
  json_builder_add_string_value (b, row->xdm_error);

  json_builder_set_member_name (b, "match");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, row->match_state);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, row->match_reason);
  json_builder_set_member_name (b, "ins");
  json_builder_add_string_value (b, row->match_ins);
  json_builder_set_member_name (b, "patient_id");
  json_builder_add_string_value (b, row->match_patient_id);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; row->match_candidates && row->match_candidates[i]; i++)
    json_builder_add_string_value (b, row->match_candidates[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "documents");
  json_builder_begin_array (b);
  for (guint i = 0; i < row->documents->len; i++)
    {
      CabMailDocument *d = g_ptr_array_index (row->documents, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, d->source);
      json_builder_set_member_name (b, "filename");
      json_builder_add_string_value (b, d->filename);
      json_builder_set_member_name (b, "content_type");
      json_builder_add_string_value (b, d->content_type);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, d->size);
      json_builder_set_member_name (b, "sha1");
      json_builder_add_string_value (b, d->sha1);
      json_builder_set_member_name (b, "hash_ok");
      json_builder_add_boolean_value (b, d->hash_ok);
      json_builder_set_member_name (b, "type_code");
      json_builder_add_string_value (b, d->type_code);
      json_builder_set_member_name (b, "text_state");
      json_builder_add_string_value (b, d->text_state);
      json_builder_set_member_name (b, "filed_document_id");
      json_builder_add_string_value (b, d->filed_document_id);
      json_builder_set_member_name (b, "filed_patient_id");
      json_builder_add_string_value (b, d->filed_patient_id);
      json_builder_set_member_name (b, "dismissed_reason");
      json_builder_add_string_value (b, d->dismissed_reason);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The --json answer of sync (@synced: the sync's counts, then the indexing
 * pass's) and of index (the pass's alone): one object, keys documented in
 * docs/cabinetctl.md. */
static void
print_job_json (const InboxJob *job,
                gboolean        synced)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();

  if (synced)
    {
      json_object_set_int_member (o, "fetched", job->result.n_fetched);
      json_object_set_int_member (o, "new", job->result.n_new);
      json_object_set_int_member (o, "too_large", job->result.n_too_large);
      json_object_set_int_member (o, "uidvalidity", job->result.uidvalidity);
      json_object_set_boolean_member (o, "uidvalidity_changed", job->result.uidvalidity_changed);
      json_object_set_int_member (o, "last_uid", job->result.last_uid);
      json_object_set_boolean_member (o, "condstore", job->result.condstore);
      json_object_set_int_member (o, "filed_here", job->result.n_filed_here);
      json_object_set_int_member (o, "taken_back", job->result.n_taken_back);
      json_object_set_int_member (o, "attention", job->result.n_attention);
    }
  json_object_set_int_member (o, "indexed", job->n_indexed);
  json_object_set_int_member (o, "index_pending", job->n_pending);
  json_node_take_object (root, o);
  ctl_print_json (root);
}

static int
inbox_list (CtlContext *ctx, CabStore *store, const char *state, const char *search, gboolean json)
{
  InboxJob job = { .store = store, .match_state = state, .search = search };
  g_autoptr(GError) error = NULL;

  if (!ctl_run_in_thread (list_in_thread, &job, &error))
    return ctl_fail_error (error, "inbox list");
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < job.rows->len; i++)
        json_array_add_element (array, row_to_json (g_ptr_array_index (job.rows, i)));
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    for (guint i = 0; i < job.rows->len; i++)
      {
        CabMailRow *row = g_ptr_array_index (job.rows, i);

        printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\t%s\n", row->id, row->status,
                row->assignee ? row->assignee : "-", row->match_state, row->match_reason,
                row->from_display ? row->from_display : "", row->subject ? row->subject : "");
      }
  g_ptr_array_unref (job.rows);
  return CTL_EXIT_OK;
}

int
ctl_inbox_main (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  /* --imap and --mail-user are global options: resolved with the rest of
   * the configuration (option, environment, settings), as in the app. */
  const char *imap = ctx->config->imap_url;
  const char *user = ctx->config->mail_user;
  const char *state = NULL;
  const char *search = NULL;
  gboolean json = FALSE;
  guint64 batch = 0;
  gboolean index = TRUE;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabMailAccount) mail_account = NULL;
  g_autofree char *account = NULL, *data_dir = NULL;
  CabStore *store;
  InboxJob job = { 0 };
  int exit_code = CTL_EXIT_OK;

  if (sub == NULL || ctl_is_help (sub))
    {
      puts ("Usage: cabinetctl inbox sync --imap URL --mail-user ADDRESS [--batch N] [--no-index] [--json]\n"
            "       cabinetctl inbox index [--json]\n"
            "       cabinetctl inbox list [--state auto|proposed|conflict|none] [--search TEXT] [--json]\n"
            "       cabinetctl inbox file ID [--patient INS] [--json]\n"
            "       cabinetctl inbox choose ID --patient INS\n"
            "       cabinetctl inbox assign ID --to Practitioner/ID | --nobody\n"
            "       cabinetctl inbox handle|reopen|undo ID\n"
            "       cabinetctl inbox dismiss ID --document N --reason TEXT");
      return sub == NULL ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
  if (ctl_inbox_is_triage (sub))
    return ctl_inbox_triage_main (ctx, argc, argv);
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--batch") && i + 1 < argc && g_str_equal (sub, "sync"))
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 1000, &batch, NULL))
            return ctl_fail (CTL_EXIT_USAGE, "inbox sync: --batch takes a number from 1 to 1000");
        }
      else if (g_str_equal (argv[i], "--no-index") && g_str_equal (sub, "sync"))
        index = FALSE;
      else if (g_str_equal (argv[i], "--search") && i + 1 < argc && g_str_equal (sub, "list"))
        search = argv[++i];
      else if (g_str_equal (argv[i], "--state") && i + 1 < argc && g_str_equal (sub, "list"))
        {
          state = argv[++i];
          if (!g_str_equal (state, "auto") && !g_str_equal (state, "proposed") &&
              !g_str_equal (state, "conflict") && !g_str_equal (state, "none"))
            return ctl_fail (CTL_EXIT_USAGE, "inbox list: --state takes auto, proposed, conflict or none");
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "inbox %s: unexpected argument '%s'", sub, argv[i]);
    }

  if (g_str_equal (sub, "list"))
    {
      if ((store = ctl_get_store (ctx, &exit_code)) == NULL)
        return exit_code;
      return inbox_list (ctx, store, state, search, json);
    }
  if (g_str_equal (sub, "index"))
    {
      if ((store = ctl_get_store (ctx, &exit_code)) == NULL)
        return exit_code;
      job.store = store;
      job.index = TRUE;
      if (!ctl_run_in_thread (sync_in_thread, &job, &error))
        return ctl_fail (ctl_exit_code_for_error (error), "inbox index: %s", error->message);
      if (json)
        print_job_json (&job, FALSE);
      else
        printf ("%u indexed\n", job.n_indexed);
      return CTL_EXIT_OK;
    }
  if (!g_str_equal (sub, "sync"))
    return ctl_fail (CTL_EXIT_USAGE, "inbox: unknown command '%s' (sync, index, list, file, choose, assign, "
                                     "handle, reopen, dismiss, undo)", sub);

  if (imap == NULL || user == NULL || *user == '\0')
    return ctl_fail (CTL_EXIT_CONFIG, "inbox sync: give the mail server and user (--imap URL --mail-user ADDRESS)");
  account = cab_mail_sync_account_key (imap, user, &error);
  if (account == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "inbox sync: %s", error->message);
  {
    CabMailAccountSpec spec = { .url = imap, .user = user, .account = account, .ca_file = ctx->config->ca_file };

    mail_account = cab_mail_account_load (&spec, &error);
  }
  if (mail_account == NULL)
    return ctl_fail (CTL_EXIT_CONFIG, "inbox sync: %s%s", error->message, ctl_mail_credentials_hint (error));
  if ((store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;

  data_dir = g_path_get_dirname (cab_store_get_path (store));
  job.store = store;
  job.options = (CabMailSyncOptions) {
    .url = imap, .user = user, .password = mail_account->password,
    .token_func = mail_account->token != NULL ? cab_mail_account_token_func : NULL,
    .token_data = mail_account,
    .database = mail_account->database, .data_dir = data_dir,
    .batch_size = (guint) batch, .defer_pdf_text = TRUE,
  };
  job.index = index;
  if (!ctl_run_in_thread (sync_in_thread, &job, &error))
    return ctl_fail (exit_code_for_mail_error (error), "inbox sync: %s", error->message);

  if (json)
    print_job_json (&job, TRUE);
  else
    printf ("%u fetched, %u new%s\n", job.result.n_fetched, job.result.n_new,
            job.result.uidvalidity_changed ? " (the server renumbered the folder)" : "");
  return CTL_EXIT_OK;
}
