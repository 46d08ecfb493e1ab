/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl: the command line over Cabinet's core. Global options, the
 * configuration, shared helpers and the dispatch to the commands. */
#define G_LOG_DOMAIN "cabinetctl"

#include "config.h"

#include <locale.h>
#include <libintl.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cab-nir.h"
#include "cabinetctl-private.h"
#include "cabinetctl-outbox.h"

static const char usage_text[] =
  "Usage: cabinetctl [OPTION...] COMMAND [ARG...]\n"
  "\n"
  "Commands:\n"
  "  sync [--patient INS] [--parallelism N] [--json]   pull from the health space into the store\n"
  "  patients [--json]                                  list the stored patients\n"
  "  timeline INS [--json] [--include-kos] [--kind KIND] [--from DATE] [--to DATE]\n"
  "           [--text WORDS] [--sections]               a patient's documents, newest first\n"
  "  document fetch ID -o FILE|-                        download a document into FILE (- for stdout)\n"
  "  document pin|unpin ID                              keep a document offline whatever the budget\n"
  "  prefetch [--budget SIZE] [--json]                  every document's content offline, within SIZE\n"
  "  publish INS FILE.pdf --type LOINC [--title TEXT] [--hold]   queue a PDF for the DMP\n"
  "  prescribe INS --from FILE.json -o FILE.pdf [--json]          write, print and register a prescription\n"
  "  outbox list|drain|retry|cancel|release|edit|resolve          actions waiting to be sent\n"
  "  drugs import DIR|status|search TEXT|interactions CIS...      the drug database (BDPM)\n"
  "  interactions import DIR                            import the ANSM interaction thesaurus\n"
  "  followup list [--today D] [--condition C] [--state S] [--json]   the follow-up worklist\n"
  "  followup record INS --measure bp|weight|foot --value V [--date D]  queue a measure\n"
  "  inbox sync [--json]                               fetch new MSSante mail into the store\n"
  "  inbox list [--state auto|proposed|conflict|none] [--json]   the inbox and its patient matches\n"
  "  mail send --to RECIPIENT --subject TEXT --body-file FILE [--attach ID|FILE] [--patient INS] [--receipt]\n"
  "                                                    queue a secure message (sent by outbox drain --smtp)\n"
  "  mail edit ID [--to A] [--subject T] [--body-file F]  change a message not sent yet\n"
  "  mail sent [--json]                                sent messages and their read receipts\n"
  "  directory search TEXT [--city CITY] [--online|--offline] [--json]   recipients: the practice's\n"
  "                                                    correspondents and the health directory\n"
  "  directory sync [--city CITY...] [--json]          refresh the directory's cached entries\n"
  "\n"
  "Options (before or after the command):\n"
  "  --server URL            FHIR base URL of the health space\n"
  "  --token-file FILE       read the bearer token from FILE (private to you: chmod 600)\n"
  "  --token TOKEN           bearer token; avoid it: every user sees it in ps\n"
  "  --ca FILE               PEM file of the certificate authorities to trust\n"
  "  --practice REFERENCE    the practice, as Organization/ID\n"
  "  --data-dir DIR          where the store and downloaded documents live\n"
  "  --imap URL              MSSante mail server: imaps://host:port or imap://host:port\n"
  "  --smtp URL              MSSante submission server: smtps://host:port or smtp://host:port\n"
  "  --mail-user ADDRESS     the MSSante mailbox (password: CABINET_MAIL_PASSWORD or keyring)\n"
  "  --practitioner REFERENCE  the doctor at this desk, as Practitioner/ID\n"
  "\n"
  "Without options, the settings Cabinet uses apply, then the environment\n"
  "(CABINET_SERVER, CABINET_TOKEN, CABINET_CA, CABINET_PRACTICE, CABINET_DATA_DIR,\n"
  "CABINET_IMAP, CABINET_SMTP, CABINET_MAIL_USER, CABINET_PRACTITIONER).\n"
  "A token saved in the keyring goes only to the server it was saved for.\n"
  "Exit codes: 0 ok, 1 usage, 2 configuration, 3 network or server, 4 not found,\n"
  "5 data or store, 6 access refused.\n";

typedef struct
{
  const char     *name;
  CtlCommandFunc  func;
} CtlCommand;

static const CtlCommand commands[] = {
  { "sync", ctl_sync_main },
  { "patients", ctl_patients_main },
  { "timeline", ctl_timeline_main },
  { "document", ctl_document_main },
  { "prefetch", ctl_prefetch_main },
  { "outbox", ctl_outbox_main },
  { "publish", ctl_publish_main },
  { "prescribe", ctl_prescribe_main },
  { "drugs", ctl_drugs_main },
  { "interactions", ctl_interactions_main },
  { "followup", ctl_followup_main },
  { "inbox", ctl_inbox_main },
  { "mail", ctl_mail_main },
  { "directory", ctl_directory_main },
};

/* ------------------------------------------------------------ failures */

int
ctl_fail (int         code,
          const char *format,
          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line: scripts read it. */
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "cabinetctl: %s\n", message);

  return code;
}

int
ctl_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return CTL_EXIT_OK;

  if (error->domain == CAB_FHIR_ERROR)
    {
      switch ((CabFhirError) error->code)
        {
        case CAB_FHIR_ERROR_UNAUTHORIZED:
          return CTL_EXIT_CONFIG;
        case CAB_FHIR_ERROR_FORBIDDEN:
          return CTL_EXIT_REFUSED;
        case CAB_FHIR_ERROR_NOT_FOUND:
          return CTL_EXIT_NOT_FOUND;
        case CAB_FHIR_ERROR_PARSE:
        case CAB_FHIR_ERROR_TOO_DEEP:
        case CAB_FHIR_ERROR_TOO_LARGE:
        case CAB_FHIR_ERROR_INVALID:
        case CAB_FHIR_ERROR_HASH_MISMATCH:
          return CTL_EXIT_DATA;
        case CAB_FHIR_ERROR_OUTCOME:
        case CAB_FHIR_ERROR_HTTP:
        case CAB_FHIR_ERROR_NETWORK:
        case CAB_FHIR_ERROR_CONFLICT:
        case CAB_FHIR_ERROR_REDIRECT:
        default:
          return CTL_EXIT_NETWORK;
        }
    }

  /* The CA file is configuration; the server's certificate is the network. */
  if (error->domain == CAB_FHIR_CLIENT_ERROR)
    return error->code == CAB_FHIR_CLIENT_ERROR_CA_FILE ? CTL_EXIT_CONFIG : CTL_EXIT_NETWORK;

  if (error->domain == CAB_STORE_ERROR)
    return error->code == CAB_STORE_ERROR_NOT_FOUND ? CTL_EXIT_NOT_FOUND : CTL_EXIT_DATA;

  if (error->domain == CAB_NIR_ERROR)
    return CTL_EXIT_USAGE;

  if (error->domain == CAB_CONFIG_ERROR)
    return CTL_EXIT_CONFIG;

  if (error->domain == G_TLS_ERROR || error->domain == G_RESOLVER_ERROR ||
      error->domain == G_IO_ERROR)
    return CTL_EXIT_NETWORK;

  return CTL_EXIT_DATA;
}

/* By code, never by message: messages are translated. */
static gboolean
error_is_tls (const GError *error)
{
  return error->domain == G_TLS_ERROR || cab_fhir_client_error_is_tls (error);
}

int
ctl_fail_error (const GError *error,
                const char   *what)
{
  int code = ctl_exit_code_for_error (error);

  if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_UNAUTHORIZED))
    return ctl_fail (code, "%s: the server refused the token (401): %s", what, error->message);
  if (code == CTL_EXIT_NETWORK && error_is_tls (error))
    return ctl_fail (code, "%s: %s (check --ca)", what, error->message);
  if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_FORBIDDEN))
    return ctl_fail (code, "%s: access refused: %s", what, error->message);

  return ctl_fail (code, "%s: %s", what, error->message);
}

/* ----------------------------------------------------- threads and loops */

static void
thread_func (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CtlThreadFunc func = (CtlThreadFunc) g_task_get_source_tag (task);
  GError *error = NULL;

  if (func (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

gboolean
ctl_run_in_thread (CtlThreadFunc   func,
                   gpointer        data,
                   GError        **error)
{
  g_autoptr(GTask) task = NULL;
  CtlWait wait;
  gboolean ret;

  ctl_wait_init (&wait);
  task = g_task_new (NULL, NULL, ctl_async_cb, &wait);
  g_task_set_source_tag (task, func);
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, thread_func);

  ret = g_task_propagate_boolean (G_TASK (ctl_wait (&wait)), error);
  ctl_wait_clear (&wait);

  return ret;
}

typedef struct
{
  CabStore      *store;
  const char    *ins;
  CabPatientRow *patient;   /* out */
} FindPatient;

static gboolean
find_patient_thread (gpointer   user_data,
                     GError   **error)
{
  FindPatient *find = user_data;

  find->patient = cab_store_find_patient_by_ins (find->store, find->ins, error);
  if (find->patient == NULL && *error == NULL)
    g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such patient");
  return find->patient != NULL;
}

CabPatientRow *
ctl_find_patient (CabStore   *store,
                  const char *ins,
                  int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  FindPatient find = { store, ins, NULL };

  if (ctl_run_in_thread (find_patient_thread, &find, &error))
    return find.patient;
  if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
    *exit_code = ctl_fail (CTL_EXIT_NOT_FOUND, "no patient with this INS in the local record "
                           "(run cabinetctl sync first)");
  else
    *exit_code = ctl_fail_error (error, "cannot find the patient");
  return NULL;
}

void
ctl_wait_init (CtlWait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->result = NULL;
}

void
ctl_async_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CtlWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

GAsyncResult *
ctl_wait (CtlWait *wait)
{
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);

  return wait->result;
}

void
ctl_wait_clear (CtlWait *wait)
{
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  g_clear_object (&wait->result);
}

/* ------------------------------------------------------- store and client */

CabStore *
ctl_get_store (CtlContext *ctx,
               int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  CtlWait wait;
  gboolean ok;

  if (cab_session_get_store (ctx->session) != NULL)
    return cab_session_get_store (ctx->session);

  if (ctx->config->data_dir == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG, "no data directory configured (use --data-dir DIR)");
      return NULL;
    }

  ctl_wait_init (&wait);
  cab_session_open_async (ctx->session, NULL, ctl_async_cb, &wait);
  ok = cab_session_open_finish (ctx->session, ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);

  if (!ok)
    {
      g_autofree char *path = cab_config_store_path ((CabConfig *) ctx->config);

      /* The session says G_IO_ERROR for the folder, CAB_STORE_ERROR for the store. */
      if (error->domain == G_IO_ERROR)
        *exit_code = ctl_fail (CTL_EXIT_DATA, "cannot create the data directory %s: %s",
                               ctx->config->data_dir, error->message);
      else
        *exit_code = ctl_fail (CTL_EXIT_DATA, "cannot open the store %s: %s", path, error->message);
      return NULL;
    }

  return cab_session_get_store (ctx->session);
}

CabFhirClient *
ctl_get_client (CtlContext *ctx,
                int        *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (cab_session_get_client (ctx->session) != NULL)
    return cab_session_get_client (ctx->session);

  if (ctx->config->server_url == NULL)
    {
      *exit_code = ctl_fail (CTL_EXIT_CONFIG,
                             "no server configured (use --server URL or set CABINET_SERVER)");
      return NULL;
    }

  if (!cab_session_connect (ctx->session, &error))
    {
      /* A bad URL is G_IO_ERROR; an unusable CA file CAB_FHIR_CLIENT_ERROR_CA_FILE,
       * a token for another server CAB_CONFIG_ERROR: both exit 2. */
      if (error->domain == G_IO_ERROR)
        *exit_code = ctl_fail (CTL_EXIT_CONFIG, "invalid server URL %s: %s",
                               ctx->config->server_url, error->message);
      else
        *exit_code = ctl_fail_error (error, "configuration");
      return NULL;
    }

  return cab_session_get_client (ctx->session);
}

/* ------------------------------------------------------------ arguments */

gboolean
ctl_is_help (const char *arg)
{
  return g_strcmp0 (arg, "--help") == 0 || g_strcmp0 (arg, "-h") == 0;
}

char *
ctl_parse_ins (const char *input,
               int        *exit_code)
{
  g_autofree char *ins = cab_nir_normalize (input);
  g_autoptr(GError) error = NULL;

  if (!cab_nir_validate (ins, &error))
    {
      /* cab_nir_validate's message already says a wrong key is a typing error. */
      *exit_code = ctl_fail (CTL_EXIT_USAGE, "invalid INS: %s", error->message);
      return NULL;
    }

  return g_steal_pointer (&ins);
}

typedef struct
{
  char *server;
  char *token;
  char *token_file;
  char *ca;
  char *practice;
  char *data_dir;
  char *imap;
  char *smtp;
  char *mail_user;
  char *practitioner;
} GlobalOptions;

static void
global_options_clear (GlobalOptions *options)
{
  g_free (options->server);
  g_free (options->token);
  g_free (options->token_file);
  g_free (options->ca);
  g_free (options->practice);
  g_free (options->data_dir);
  g_free (options->imap);
  g_free (options->smtp);
  g_free (options->mail_user);
  g_free (options->practitioner);
}

/* Takes the global options out of @argv wherever they are; the rest goes to
 * @rest. FALSE (message printed) when one lacks its value. */
static gboolean
extract_global_options (int            argc,
                        char         **argv,
                        GlobalOptions *options,
                        GPtrArray     *rest)
{
  struct { const char *name; char **value; } known[] = {
    { "--server", &options->server },
    { "--token-file", &options->token_file },
    { "--token", &options->token },
    { "--ca", &options->ca },
    { "--practice", &options->practice },
    { "--data-dir", &options->data_dir },
    { "--imap", &options->imap },
    { "--smtp", &options->smtp },
    { "--mail-user", &options->mail_user },
    { "--practitioner", &options->practitioner },
  };

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      gboolean matched = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        {
          gsize len = strlen (known[k].name);

          if (strncmp (arg, known[k].name, len) != 0)
            continue;

          if (arg[len] == '=')
            {
              g_free (*known[k].value);
              *known[k].value = g_strdup (arg + len + 1);
              matched = TRUE;
            }
          else if (arg[len] == '\0')
            {
              if (i + 1 >= argc)
                {
                  ctl_fail (CTL_EXIT_USAGE, "option %s needs a value", known[k].name);
                  return FALSE;
                }
              g_free (*known[k].value);
              *known[k].value = g_strdup (argv[++i]);
              matched = TRUE;
            }
          break;
        }

      if (!matched)
        g_ptr_array_add (rest, argv[i]);
    }

  return TRUE;
}

static void
override (char       **field,
          const char  *value)
{
  if (value != NULL && value[0] != '\0')
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

/* Options first, then the environment, then Cabinet's settings (one rule,
 * cab_config_resolve); then the
 * checks of cab_config_check (token bound to its server, CA file). NULL
 * with @error when the configuration cannot be used. */
static CabConfig *
build_config (const GlobalOptions  *options,
              GError              **error)
{
  CabConfig given = {
    .server_url = options->server,
    .token = options->token,
    .ca_file = options->ca,
    .practice = options->practice,
    .data_dir = options->data_dir,
    .imap_url = options->imap,
    .smtp_url = options->smtp,
    .mail_user = options->mail_user,
    .practitioner = options->practitioner,
  };
  g_autoptr(CabConfig) config = cab_config_resolve (&given);
  g_autofree char *file_token = NULL;

  if (options->token_file != NULL)
    {
      file_token = cab_config_read_token_file (options->token_file, error);
      if (file_token == NULL)
        return NULL;
      override (&config->token, file_token);
      memset (file_token, 0, strlen (file_token));
    }

  /* A token file is a token given by hand: meant for the server given with it. */
  if (options->token_file != NULL)
    g_clear_pointer (&config->token_server, g_free);

  if (!cab_config_check (config, error))
    return NULL;

  return g_steal_pointer (&config);
}

/* ------------------------------------------------------------------ main */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  GlobalOptions options = { 0 };
  g_autoptr(CabConfig) config = NULL;
  CtlContext ctx = { 0 };
  const CtlCommand *command = NULL;
  int ret;

  setlocale (LC_ALL, "");
  /* What core says to a person (an entry's title, its last error) in the
   * reader's language, from the same catalog as the app (LOCALEDIR, or
   * $CABINET_LOCALEDIR for tests and uninstalled runs); cabinetctl's own
   * lines stay English. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CABINET_LOCALEDIR") != NULL ? g_getenv ("CABINET_LOCALEDIR")
                                                                         : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  if (!extract_global_options (argc, argv, &options, rest))
    {
      global_options_clear (&options);
      return CTL_EXIT_USAGE;
    }

  if (rest->len == 0 || ctl_is_help (g_ptr_array_index (rest, 0)))
    {
      gboolean asked = rest->len > 0;

      global_options_clear (&options);
      fputs (usage_text, asked ? stdout : stderr);
      return asked ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }

  if (g_str_equal (g_ptr_array_index (rest, 0), "--version"))
    {
      global_options_clear (&options);
      printf ("cabinetctl %s\n", PACKAGE_VERSION);
      return CTL_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, g_ptr_array_index (rest, 0)))
      command = &commands[i];

  if (command == NULL)
    {
      ret = ctl_fail (CTL_EXIT_USAGE, "unknown command '%s' (see cabinetctl --help)",
                      (const char *) g_ptr_array_index (rest, 0));
      global_options_clear (&options);
      return ret;
    }

  {
    g_autoptr(GError) error = NULL;

    config = build_config (&options, &error);
    global_options_clear (&options);
    if (config == NULL)
      return ctl_fail_error (error, "configuration");
  }
  ctx.session = cab_session_new_full (config, CAB_SESSION_FLAGS_MANUAL);
  ctx.config = cab_session_get_config (ctx.session);

  g_ptr_array_add (rest, NULL);
  ret = command->func (&ctx, rest->len - 1, (char **) rest->pdata);

  g_object_unref (ctx.session);

  return ret;
}
