/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinetctl"

/* cabinetctl mail send | sent | mdn-policy | receipt: secure messages out
 * (docs/cabinetctl.md, "Mail out"). Sending itself is the outbox's:
 * cabinetctl outbox drain, with --smtp. */

#include <stdio.h>
#include <string.h>

#include "cabinetctl-private.h"
#include "cab-mail-account.h"
#include "cab-mail-recipients.h"
#include "cab-mail-send.h"
#include "cab-mail-store.h"
#include "cab-mail-sync.h"
#include "cab-mdn.h"

static const char mail_usage[] =
  "Usage: cabinetctl mail send --to RECIPIENT [--to RECIPIENT...] --subject TEXT --body-file FILE\n"
  "                            [--attach DOCUMENT_ID|FILE...] [--patient INS] [--receipt] [--json]\n"
  "       cabinetctl mail edit ID [--to RECIPIENT...] [--subject TEXT] [--body-file FILE]\n"
  "                            [--attach DOCUMENT_ID|FILE...] [--detach NAME|DOCUMENT_ID...]\n"
  "                            [--receipt|--no-receipt]\n"
  "       cabinetctl mail sent [--json]\n"
  "       cabinetctl mail mdn-policy [ask|always|never]\n"
  "       cabinetctl mail receipt MAIL_ID\n"
  "RECIPIENT: an address, or \"Name <address>\" (RFC 5322).\n";

/* ------------------------------------------------------------ the servers */

gboolean
ctl_mail_servers_init (CtlContext     *ctx,
                       CtlMailServers *servers,
                       int            *exit_code)
{
  const CabConfig *config = ctx->config;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  gboolean implicit;

  memset (servers, 0, sizeof *servers);
  if (config->smtp_url == NULL || config->mail_user == NULL || *config->mail_user == '\0')
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "give the mail submission server and user (--smtp URL --mail-user ADDRESS)");
      return FALSE;
    }
  if (!cab_smtp_parse_url (config->smtp_url, NULL, NULL, &implicit, &error))
    {
      *exit_code = ctl_fail (CTL_EXIT_USAGE, "%s", error->message);
      return FALSE;
    }
  /* The password is the mailbox's: saved under the IMAP account when there
   * is one, else under the SMTP server's. */
  account = cab_mail_sync_account_key (config->imap_url != NULL ? config->imap_url
                                                                 : config->smtp_url,
                                       config->mail_user, NULL);
  if (account == NULL)
    {
      g_autofree char *host = NULL;
      guint16 port;

      cab_smtp_parse_url (config->smtp_url, &host, &port, &implicit, NULL);
      account = g_strdup_printf ("%s@%s", config->mail_user, host);
    }
  {
    CabMailAccountSpec spec = {
      .url = config->imap_url != NULL ? config->imap_url : config->smtp_url,
      .user = config->mail_user,
      .account = account,
      .ca_file = config->imap_url != NULL ? config->ca_file : NULL,
    };

    servers->account = cab_mail_account_load (&spec, &error);
  }
  if (servers->account == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "%s%s", error->message, ctl_mail_credentials_hint (error));
      return FALSE;
    }
  servers->servers = (CabMailServers) {
    .smtp = { .url = config->smtp_url, .user = config->mail_user, .password = servers->account->password,
              .ca_file = config->ca_file },
    .imap_url = config->imap_url,
    .imap_user = config->mail_user,
    .imap_password = servers->account->password,
    .database = servers->account->database,
  };
  if (servers->account->token != NULL)
    {
      servers->servers.smtp.token_func = cab_mail_account_token_func;
      servers->servers.smtp.token_data = servers->account;
      servers->servers.imap_token_func = cab_mail_account_token_func;
      servers->servers.imap_token_data = servers->account;
    }
  return TRUE;
}

const char *
ctl_mail_credentials_hint (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return " (set CABINET_MAIL_PASSWORD or CABINET_MAIL_TOKEN, or save the password in the keyring)";
  return "";
}

void
ctl_mail_servers_clear (CtlMailServers *servers)
{
  g_clear_pointer (&servers->account, cab_mail_account_free);
}

/* The account's address: the mail user when it is one. */
static const char *
sender_address (CtlContext *ctx, int *exit_code)
{
  const char *user = ctx->config->mail_user;

  if (user == NULL || strchr (user, '@') == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "mail: --mail-user must be the mailbox's address (user@domain)");
      return NULL;
    }
  return user;
}

static int
exit_code_for_mail_error (const GError *error)
{
  if (error->domain == CAB_MAIL_SEND_ERROR)
    switch ((CabMailSendError) error->code)
      {
      case CAB_MAIL_SEND_ERROR_INVALID:
        return CTL_EXIT_USAGE;
      case CAB_MAIL_SEND_ERROR_PATIENT_MAILBOX:
        return CTL_EXIT_REFUSED;
      case CAB_MAIL_SEND_ERROR_DOCUMENT:
        return CTL_EXIT_NOT_FOUND;
      case CAB_MAIL_SEND_ERROR_FILE:
        return CTL_EXIT_DATA;
      case CAB_MAIL_SEND_ERROR_STARTED:
      case CAB_MAIL_SEND_ERROR_CHANGED:
        return CTL_EXIT_REFUSED;
      }
  if (error->domain == CAB_SMTP_ERROR)
    switch ((CabSmtpError) error->code)
      {
      case CAB_SMTP_ERROR_URL:
        return CTL_EXIT_USAGE;
      case CAB_SMTP_ERROR_AUTH:
        return CTL_EXIT_CONFIG;
      case CAB_SMTP_ERROR_REFUSED:
        return CTL_EXIT_REFUSED;
      case CAB_SMTP_ERROR_TEMPORARY:
      case CAB_SMTP_ERROR_TLS:
      case CAB_SMTP_ERROR_NO_STARTTLS:
      case CAB_SMTP_ERROR_NO_AUTH:
        return CTL_EXIT_NETWORK;
      }
  return ctl_exit_code_for_error (error);
}

/* ------------------------------------------------------------------- send */

typedef struct
{
  CabStore     *store;
  CabMailDraft  draft;
  gint64        entry_id;
  char         *message_id;
} SendJob;

static gboolean
queue_in_thread (gpointer data, GError **error)
{
  SendJob *job = data;

  return cab_mail_queue (job->store, &job->draft, &job->entry_id, &job->message_id, error);
}

/* --to RECIPIENT: "address" or "Name <address>" into @to and @names
 * (their strings owned by the arrays). FALSE with the exit code printed. */
static gboolean
add_recipient (const char *command,
               const char *text,
               GPtrArray  *to,
               GPtrArray  *names,
               int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL, *name = NULL;

  if (!cab_mail_recipient_parse (text, &address, &name, &error))
    {
      /* Said back as typed, control characters escaped (\x0d). */
      g_autoptr(GString) shown = g_string_new (NULL);

      for (const char *c = text; *c != '\0'; c++)
        if ((guchar) *c < 0x20 || *c == 0x7f)
          g_string_append_printf (shown, "\\x%02x", (guchar) *c);
        else
          g_string_append_c (shown, *c);
      *exit_code = ctl_fail (CTL_EXIT_USAGE, "%s: --to '%s': %s", command, shown->str, error->message);
      return FALSE;
    }
  g_ptr_array_add (to, g_steal_pointer (&address));
  g_ptr_array_add (names, name != NULL ? g_steal_pointer (&name) : g_strdup (""));
  return TRUE;
}

static int
mail_send (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) documents = g_ptr_array_new ();
  g_autoptr(CabPatientRow) patient = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *subject = NULL, *body_file = NULL, *ins = NULL, *from;
  gboolean json = FALSE, receipt = FALSE;
  SendJob job = { 0 };
  CabStore *store;
  int exit_code = CTL_EXIT_OK;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--receipt"))
        receipt = TRUE;
      else if (g_str_equal (argv[i], "--to") && i + 1 < argc)
        {
          if (!add_recipient ("mail send", argv[++i], to, names, &exit_code))
            return exit_code;
        }
      else if (g_str_equal (argv[i], "--subject") && i + 1 < argc)
        subject = argv[++i];
      else if (g_str_equal (argv[i], "--body-file") && i + 1 < argc)
        body_file = argv[++i];
      else if (g_str_equal (argv[i], "--patient") && i + 1 < argc)
        ins = argv[++i];
      else if (g_str_equal (argv[i], "--attach") && i + 1 < argc)
        {
          const char *a = argv[++i];

          /* A file on disk, else a timeline document's id. */
          if (g_file_test (a, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (files, g_strdup (a));
          else
            g_ptr_array_add (documents, (gpointer) a);
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "mail send: unexpected argument '%s'", argv[i]);
    }
  if (to->len == 0 || subject == NULL || body_file == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "mail send: give --to, --subject and --body-file");
  if (!g_file_get_contents (body_file, &body, NULL, &error))
    return ctl_fail (CTL_EXIT_USAGE, "mail send: cannot read the text: %s", error->message);
  if ((from = sender_address (ctx, &exit_code)) == NULL)
    return exit_code;
  if ((store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (ins != NULL)
    {
      g_autofree char *normal = ctl_parse_ins (ins, &exit_code);

      if (normal == NULL)
        return exit_code;
      if ((patient = ctl_find_patient (store, normal, &exit_code)) == NULL)
        return exit_code;
    }
  g_ptr_array_add (to, NULL);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (files, NULL);
  g_ptr_array_add (documents, NULL);

  job.store = store;
  job.draft = (CabMailDraft) {
    .from = from, .practitioner = ctx->config->practitioner,
    .to = (const char * const *) to->pdata, .to_names = (const char * const *) names->pdata,
    .subject = subject, .body = body,
    .files = (const char * const *) files->pdata, .document_ids = (const char * const *) documents->pdata,
    .patient_id = patient != NULL ? patient->id : NULL, .receipt = receipt,
  };
  if (!ctl_run_in_thread (queue_in_thread, &job, &error))
    return ctl_fail (exit_code_for_mail_error (error), "mail send: %s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, job.entry_id);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, CAB_MAIL_KIND);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, "pending");
      json_builder_set_member_name (b, "message_id");
      json_builder_add_string_value (b, job.message_id);
      json_builder_set_member_name (b, "patient_id");
      json_builder_add_string_value (b, patient != NULL ? patient->id : NULL);
      json_builder_set_member_name (b, "to");
      json_builder_begin_array (b);
      for (guint i = 0; to->pdata[i] != NULL; i++)
        json_builder_add_string_value (b, to->pdata[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "to_names");
      json_builder_begin_array (b);
      for (guint i = 0; names->pdata[i] != NULL; i++)
        json_builder_add_string_value (b, names->pdata[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, subject);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
    }
  else
    printf ("%" G_GINT64_FORMAT "\tmail\tpending\t<%s>\n", job.entry_id, job.message_id);
  g_free (job.message_id);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------- edit */

typedef struct
{
  CabStore       *store;
  gint64          entry_id;
  CabMailChanges  changes;
} EditJob;

static gboolean
edit_in_thread (gpointer data, GError **error)
{
  EditJob *job = data;

  return cab_mail_edit (job->store, job->entry_id, &job->changes, error);
}

static int
mail_edit (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) attach = g_ptr_array_new ();
  g_autoptr(GPtrArray) detach = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  EditJob job = { .changes.receipt = -1 };
  guint64 id;
  int exit_code = CTL_EXIT_OK;

  if (argc < 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &id, NULL))
    return ctl_fail (CTL_EXIT_USAGE, "mail edit: give the outbox entry's id");
  for (int i = 3; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--to") && i + 1 < argc)
        {
          if (!add_recipient ("mail edit", argv[++i], to, names, &exit_code))
            return exit_code;
        }
      else if (g_str_equal (argv[i], "--subject") && i + 1 < argc)
        job.changes.subject = argv[++i];
      else if (g_str_equal (argv[i], "--body-file") && i + 1 < argc)
        {
          if (!g_file_get_contents (argv[++i], &body, NULL, &error))
            return ctl_fail (CTL_EXIT_USAGE, "mail edit: cannot read the text: %s", error->message);
        }
      else if (g_str_equal (argv[i], "--attach") && i + 1 < argc)
        g_ptr_array_add (attach, argv[++i]);
      else if (g_str_equal (argv[i], "--detach") && i + 1 < argc)
        g_ptr_array_add (detach, argv[++i]);
      else if (g_str_equal (argv[i], "--receipt"))
        job.changes.receipt = TRUE;
      else if (g_str_equal (argv[i], "--no-receipt"))
        job.changes.receipt = FALSE;
      else
        return ctl_fail (CTL_EXIT_USAGE, "mail edit: unexpected argument '%s'", argv[i]);
    }
  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  g_ptr_array_add (to, NULL);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (attach, NULL);
  g_ptr_array_add (detach, NULL);
  job.entry_id = (gint64) id;
  job.changes.to = to->len > 1 ? (const char * const *) to->pdata : NULL;
  job.changes.to_names = to->len > 1 ? (const char * const *) names->pdata : NULL;
  job.changes.body = body;
  job.changes.attach = (const char * const *) attach->pdata;
  job.changes.detach = (const char * const *) detach->pdata;
  if (!ctl_run_in_thread (edit_in_thread, &job, &error))
    {
      if (g_error_matches (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_STARTED))
        return ctl_fail (CTL_EXIT_REFUSED, "mail edit: %s", error->message);
      return ctl_fail (exit_code_for_mail_error (error), "mail edit: %s", error->message);
    }
  printf ("%" G_GINT64_FORMAT "\tmail\tpending\n", job.entry_id);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------- sent */

typedef struct
{
  CabStore  *store;
  int        receipts;
  GPtrArray *rows;
} SentJob;

static gboolean
sent_in_thread (gpointer data, GError **error)
{
  SentJob *job = data;

  job->receipts = cab_mail_collect_receipts (job->store, error);
  if (job->receipts < 0)
    return FALSE;
  job->rows = cab_mail_sent_list (job->store, error);
  return job->rows != NULL;
}

static char *
iso_time (gint64 t)
{
  g_autoptr(GDateTime) d = t > 0 ? g_date_time_new_from_unix_utc (t) : NULL;

  return d != NULL ? g_date_time_format_iso8601 (d) : NULL;
}

static int
mail_sent (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  SentJob job = { 0 };
  int exit_code = CTL_EXIT_OK;

  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        return ctl_fail (CTL_EXIT_USAGE, "mail sent: unexpected argument '%s'", argv[i]);
    }
  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (!ctl_run_in_thread (sent_in_thread, &job, &error))
    return ctl_fail_error (error, "mail sent");

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < job.rows->len; i++)
        {
          CabMailSentRow *r = job.rows->pdata[i];
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autofree char *accepted = iso_time (r->accepted_at), *read = iso_time (r->read_at);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, r->entry_id);
          json_builder_set_member_name (b, "message_id");
          json_builder_add_string_value (b, r->message_id);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, r->state);
          json_builder_set_member_name (b, "subject");
          json_builder_add_string_value (b, r->subject);
          json_builder_set_member_name (b, "to");
          json_builder_add_string_value (b, r->to);
          json_builder_set_member_name (b, "last_error");
          json_builder_add_string_value (b, r->last_error);
          json_builder_set_member_name (b, "accepted_at");
          json_builder_add_string_value (b, accepted);
          json_builder_set_member_name (b, "reply");
          json_builder_add_string_value (b, r->reply);
          json_builder_set_member_name (b, "sent_copy");
          json_builder_add_boolean_value (b, r->sent_copy);
          json_builder_set_member_name (b, "data_started");
          json_builder_add_int_value (b, r->data_started);
          json_builder_set_member_name (b, "window_resends");
          json_builder_add_int_value (b, r->window_resends);
          json_builder_set_member_name (b, "found_in_sent");
          json_builder_add_boolean_value (b, r->found_in_sent);
          json_builder_set_member_name (b, "read_at");
          json_builder_add_string_value (b, read);
          json_builder_set_member_name (b, "disposition");
          json_builder_add_string_value (b, r->disposition);
          json_builder_end_object (b);
          json_array_add_element (array, json_builder_get_root (b));
        }
      json_node_take_array (root, array);
      ctl_print_json (root);
    }
  else
    for (guint i = 0; i < job.rows->len; i++)
      {
        CabMailSentRow *r = job.rows->pdata[i];
        g_autofree char *read = iso_time (r->read_at);

        printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", r->entry_id, r->state, r->to ? r->to : "",
                r->subject ? r->subject : "", read != NULL ? read : "");
      }
  g_ptr_array_unref (job.rows);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------- mdn-policy */

typedef struct
{
  CabStore *store;
  int       policy;   /* -1: read */
} PolicyJob;

static gboolean
policy_in_thread (gpointer data, GError **error)
{
  PolicyJob *job = data;

  if (job->policy >= 0)
    return cab_mail_mdn_policy_set (job->store, (CabMailMdnPolicy) job->policy, error);
  job->policy = (int) cab_mail_mdn_policy_get (job->store);
  return TRUE;
}

static int
mail_mdn_policy (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  PolicyJob job = { .policy = -1 };
  int exit_code = CTL_EXIT_OK;

  if (argc > 3)
    return ctl_fail (CTL_EXIT_USAGE, "mail mdn-policy: one of ask, always, never");
  if (argc == 3 && (job.policy = cab_mail_mdn_policy_from_string (argv[2])) < 0)
    return ctl_fail (CTL_EXIT_USAGE, "mail mdn-policy: one of ask, always, never");
  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (!ctl_run_in_thread (policy_in_thread, &job, &error))
    return ctl_fail_error (error, "mail mdn-policy");
  puts (cab_mail_mdn_policy_to_string ((CabMailMdnPolicy) job.policy));
  return CTL_EXIT_OK;
}

/* ---------------------------------------------------------------- receipt */

typedef struct
{
  CabStore       *store;
  gint64          mail_id;
  const char     *from;
  const char     *practitioner;
  CtlMailServers *servers;
  gboolean        refused;
} ReceiptJob;

static gboolean
receipt_in_thread (gpointer data, GError **error)
{
  ReceiptJob *job = data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GBytes) raw = NULL;
  const char *path = NULL;
  char *bytes = NULL;
  gsize size = 0;
  g_autofree char *from_name = NULL;

  if (cab_mail_mdn_policy_get (job->store) == CAB_MAIL_MDN_NEVER)
    {
      job->refused = TRUE;
      return TRUE;
    }
  rows = cab_mail_store_list (job->store, NULL, error);
  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    if (((CabMailRow *) rows->pdata[i])->id == job->mail_id)
      path = ((CabMailRow *) rows->pdata[i])->raw_path;
  if (path == NULL)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "no such message in the inbox");
      return FALSE;
    }
  if (!g_file_get_contents (path, &bytes, &size, error))
    return FALSE;
  raw = g_bytes_new_take (bytes, size);
  /* The command is the user's consent ("ask"). Named as a message is. */
  from_name = cab_mail_from_name (job->store, job->practitioner);
  return cab_mdn_send (&job->servers->servers.smtp, job->from, from_name, raw, FALSE, error);
}

static int
mail_receipt (CtlContext *ctx, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  CtlMailServers servers;
  ReceiptJob job = { 0 };
  guint64 id;
  int exit_code = CTL_EXIT_OK;
  gboolean ok;

  if (argc != 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &id, NULL))
    return ctl_fail (CTL_EXIT_USAGE, "mail receipt: give the inbox message's id (cabinetctl inbox list)");
  if ((job.from = sender_address (ctx, &exit_code)) == NULL)
    return exit_code;
  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (!ctl_mail_servers_init (ctx, &servers, &exit_code))
    return exit_code;
  job.mail_id = (gint64) id;
  job.practitioner = ctx->config->practitioner;
  job.servers = &servers;
  ok = ctl_run_in_thread (receipt_in_thread, &job, &error);
  ctl_mail_servers_clear (&servers);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return ctl_fail (CTL_EXIT_NOT_FOUND, "mail receipt: %s", error->message);
      return ctl_fail (exit_code_for_mail_error (error), "mail receipt: %s", error->message);
    }
  if (job.refused)
    return ctl_fail (CTL_EXIT_REFUSED, "mail receipt: read receipts are turned off (mail mdn-policy never)");
  puts ("read receipt sent");
  return CTL_EXIT_OK;
}

int
ctl_mail_main (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (sub == NULL || ctl_is_help (sub))
    {
      fputs (mail_usage, stdout);
      return sub == NULL ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
  if (g_str_equal (sub, "send"))
    return mail_send (ctx, argc, argv);
  if (g_str_equal (sub, "edit"))
    return mail_edit (ctx, argc, argv);
  if (g_str_equal (sub, "sent"))
    return mail_sent (ctx, argc, argv);
  if (g_str_equal (sub, "mdn-policy"))
    return mail_mdn_policy (ctx, argc, argv);
  if (g_str_equal (sub, "receipt"))
    return mail_receipt (ctx, argc, argv);
  return ctl_fail (CTL_EXIT_USAGE, "mail: unknown command '%s' (send, edit, sent, mdn-policy, receipt)", sub);
}
