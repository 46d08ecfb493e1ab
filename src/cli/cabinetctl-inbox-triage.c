/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinetctl"

/* cabinetctl inbox file | assign | handle | reopen | dismiss | choose | undo:
 * triage (docs/cabinetctl.md). Local at once; the keywords go to the IMAP
 * server through the outbox ("cabinetctl outbox drain" with the mail
 * options). */

#include <stdio.h>
#include <string.h>

#include "cabinetctl-private.h"
#include "cab-mail-account.h"
#include "cab-mail-flags.h"
#include "cab-mail-sync.h"
#include "cab-mail-triage.h"
#include "cab-outbox-kind.h"

typedef struct
{
  CabStore             *store;
  CabMailTriageRequest  request;
  CabMailTriageResult   result;
} TriageJob;

static gboolean
triage_in_thread (gpointer data, GError **error)
{
  TriageJob *job = data;

  /* No outbox here: the entry waits for "cabinetctl outbox drain". */
  return cab_mail_triage_run (job->store, NULL, &job->request, &job->result, error);
}

static int
exit_code_for_triage (const GError *error)
{
  if (error->domain == CAB_MAIL_TRIAGE_ERROR)
    switch ((CabMailTriageError) error->code)
      {
      case CAB_MAIL_TRIAGE_ERROR_NOT_FOUND:
        return CTL_EXIT_NOT_FOUND;
      case CAB_MAIL_TRIAGE_ERROR_INVALID:
        return CTL_EXIT_USAGE;
      case CAB_MAIL_TRIAGE_ERROR_NO_PATIENT:
      case CAB_MAIL_TRIAGE_ERROR_UNACCOUNTED:
      case CAB_MAIL_TRIAGE_ERROR_DOCUMENT:
      case CAB_MAIL_TRIAGE_ERROR_NOTHING_TO_UNDO:
        return CTL_EXIT_DATA;
      }
  return ctl_exit_code_for_error (error);
}

gboolean
ctl_mail_register_kinds (CtlContext  *ctx,
                         CabOutbox   *outbox,
                         int         *exit_code)
{
  const char *imap = ctx->config->imap_url;
  const char *user = ctx->config->mail_user;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *account = NULL, *password = NULL, *token = NULL;
  CabMailFlagsAccount flags;

  if (imap == NULL || *imap == '\0' || user == NULL || *user == '\0' ||
      cab_outbox_has_kind (outbox, CAB_MAIL_FLAGS_KIND))
    return TRUE;   /* mail entries wait for a drain that has the account */
  if ((account = cab_mail_sync_account_key (imap, user, &error)) == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_USAGE, "mail: %s", error->message);
      return FALSE;
    }
  /* A sign-in token (XOAUTH2) is read again by the kind at each attempt;
   * without one, the password must be there now. */
  if ((token = cab_mail_account_lookup_token (&error)) == NULL && error != NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "mail: %s", error->message);
      return FALSE;
    }
  if (token == NULL && (password = cab_mail_account_lookup_password (account, NULL)) == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "no password for this mail account "
                                              "(set CABINET_MAIL_PASSWORD, CABINET_MAIL_TOKEN or save it "
                                              "in the keyring)");
      return FALSE;
    }
  if (ctx->config->ca_file != NULL &&
      (database = g_tls_file_database_new (ctx->config->ca_file, &error)) == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "cannot read the CA file: %s", error->message);
      return FALSE;
    }
  flags = (CabMailFlagsAccount) { .url = imap, .user = user, .password = password, .database = database };
  cab_mail_flags_register (outbox, cab_outbox_get_store (outbox), &flags);
  return TRUE;
}

static gboolean
parse_id (const char *text, gint64 *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

gboolean
ctl_inbox_is_triage (const char *sub)
{
  static const char * const subs[] = { "file", "assign", "handle", "reopen", "dismiss", "choose", "undo" };

  for (guint i = 0; sub != NULL && i < G_N_ELEMENTS (subs); i++)
    if (g_str_equal (sub, subs[i]))
      return TRUE;
  return FALSE;
}

int
ctl_inbox_triage_main (CtlContext  *ctx,
                       int          argc,
                       char       **argv)
{
  const char *sub = argv[1];
  const char *ins = NULL, *to = NULL, *reason = NULL;
  gboolean json = FALSE, unassign = FALSE;
  guint64 document = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPatientRow) patient = NULL;
  TriageJob job = { 0 };
  int exit_code = CTL_EXIT_OK;

  if (argc < 3 || !parse_id (argv[2], &job.request.mail_id))
    return ctl_fail (CTL_EXIT_USAGE, "inbox %s: give the message's id (see cabinetctl inbox list)", sub);
  for (int i = 3; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--patient") && i + 1 < argc &&
               (g_str_equal (sub, "file") || g_str_equal (sub, "choose")))
        ins = argv[++i];
      else if (g_str_equal (argv[i], "--to") && i + 1 < argc && g_str_equal (sub, "assign"))
        to = argv[++i];
      else if (g_str_equal (argv[i], "--nobody") && g_str_equal (sub, "assign"))
        unassign = TRUE;
      else if (g_str_equal (argv[i], "--document") && i + 1 < argc && g_str_equal (sub, "dismiss"))
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 256, &document, NULL))
            return ctl_fail (CTL_EXIT_USAGE, "inbox dismiss: --document takes a number from 1");
        }
      else if (g_str_equal (argv[i], "--reason") && i + 1 < argc && g_str_equal (sub, "dismiss"))
        reason = argv[++i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "inbox %s: unexpected argument '%s'", sub, argv[i]);
    }

  if (g_str_equal (sub, "file"))
    job.request.action = CAB_MAIL_TRIAGE_FILE;
  else if (g_str_equal (sub, "choose"))
    {
      if (ins == NULL)
        return ctl_fail (CTL_EXIT_USAGE, "inbox choose: give the patient (--patient INS)");
      job.request.action = CAB_MAIL_TRIAGE_CHOOSE_PATIENT;
    }
  else if (g_str_equal (sub, "assign"))
    {
      if ((to == NULL) == !unassign)
        return ctl_fail (CTL_EXIT_USAGE, "inbox assign: give --to Practitioner/ID (or --nobody)");
      job.request.action = CAB_MAIL_TRIAGE_ASSIGN;
      job.request.practitioner = to;
    }
  else if (g_str_equal (sub, "handle"))
    job.request.action = CAB_MAIL_TRIAGE_HANDLE;
  else if (g_str_equal (sub, "reopen"))
    job.request.action = CAB_MAIL_TRIAGE_REOPEN;
  else if (g_str_equal (sub, "undo"))
    job.request.action = CAB_MAIL_TRIAGE_UNDO;
  else
    {
      if (document == 0 || reason == NULL)
        return ctl_fail (CTL_EXIT_USAGE, "inbox dismiss: give --document N and --reason TEXT");
      job.request.action = CAB_MAIL_TRIAGE_DISMISS;
      job.request.document = (guint) document;
      job.request.reason = reason;
    }

  if ((job.store = ctl_get_store (ctx, &exit_code)) == NULL)
    return exit_code;
  if (ins != NULL)
    {
      g_autofree char *normal = ctl_parse_ins (ins, &exit_code);

      if (normal == NULL || (patient = ctl_find_patient (job.store, normal, &exit_code)) == NULL)
        return exit_code;
      job.request.patient_id = patient->id;
    }

  if (!ctl_run_in_thread (triage_in_thread, &job, &error))
    return ctl_fail (exit_code_for_triage (error), "inbox %s: %s", sub, error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, job.request.mail_id);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, job.result.status);
      json_builder_set_member_name (b, "queued");
      json_builder_add_int_value (b, job.result.entry_id);
      if (job.request.action == CAB_MAIL_TRIAGE_FILE)
        {
          json_builder_set_member_name (b, "patient_id");
          json_builder_add_string_value (b, job.result.patient_id);
          json_builder_set_member_name (b, "filed");
          json_builder_add_int_value (b, job.result.n_filed);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ctl_print_json (root);
    }
  else if (job.request.action == CAB_MAIL_TRIAGE_FILE)
    printf ("%u documents filed; message %s\n", job.result.n_filed, job.result.status);
  else
    printf ("message %s\n", job.result.status);
  cab_mail_triage_result_clear (&job.result);
  return CTL_EXIT_OK;
}
