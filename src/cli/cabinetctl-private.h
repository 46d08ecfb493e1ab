/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cab-config.h"
#include "cab-mail-account.h"
#include "cab-mail-send.h"
#include "cab-fhir-client.h"
#include "cab-outbox.h"
#include "cab-session.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Exit codes: stable, documented in docs/cabinetctl.md. */
typedef enum
{
  CTL_EXIT_OK        = 0,
  CTL_EXIT_USAGE     = 1,   /* bad options or arguments, malformed or mistyped INS */
  CTL_EXIT_CONFIG    = 2,   /* no server/practice configured, unreadable CA file, token refused */
  CTL_EXIT_NETWORK   = 3,   /* server unreachable, TLS refused, server error */
  CTL_EXIT_NOT_FOUND = 4,   /* unknown INS, patient or document */
  CTL_EXIT_DATA      = 5,   /* store error, invalid data, hash mismatch */
  CTL_EXIT_REFUSED   = 6,   /* access refused by the server (403: the patient blocked this professional) */
} CtlExit;

/* The commands run on the session the window uses (cab-session.h), in its
 * manual mode: nothing syncs or drains unless a command asks. */
typedef struct
{
  const CabConfig *config;    /* the session's */
  CabSession      *session;
} CtlContext;

typedef int (*CtlCommandFunc) (CtlContext  *ctx,
                               int          argc,
                               char       **argv);

/* Prints "cabinetctl: <message>" on stderr and returns @code. */
int            ctl_fail              (int           code,
                                      const char   *format,
                                      ...) G_GNUC_PRINTF (2, 3);
/* Same, with the exit code chosen from @error's domain and code. */
int            ctl_fail_error        (const GError *error,
                                      const char   *what);
int            ctl_exit_code_for_error (const GError *error);

/* The session's parts, set up on first use. NULL with a message printed and
 * *@exit_code set on failure. */
CabStore      *ctl_get_store         (CtlContext   *ctx,
                                      int          *exit_code);
CabFhirClient *ctl_get_client        (CtlContext   *ctx,
                                      int          *exit_code);

/* Runs @func on a worker thread while the main loop turns (store calls never
 * run on the main thread). */
typedef gboolean (*CtlThreadFunc) (gpointer   data,
                                   GError   **error);
gboolean       ctl_run_in_thread     (CtlThreadFunc func,
                                      gpointer      data,
                                      GError      **error);

/* The patient with this INS in the local store, read on a worker thread.
 * NULL with a message printed and *@exit_code set when there is none (run
 * sync first) or the store fails. */
CabPatientRow *ctl_find_patient      (CabStore     *store,
                                      const char   *ins,
                                      int          *exit_code);

/* Turns a main loop until an async call handed to ctl_async_cb completes. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} CtlWait;

void           ctl_wait_init         (CtlWait      *wait);
void           ctl_async_cb          (GObject      *object,
                                      GAsyncResult *result,
                                      gpointer      user_data);
GAsyncResult  *ctl_wait              (CtlWait      *wait);
void           ctl_wait_clear        (CtlWait      *wait);

/* Option helpers for the commands' own arguments. */
gboolean       ctl_is_help           (const char   *arg);

/* Normalises and checks a typed INS; returns NULL with a message printed. */
char          *ctl_parse_ins         (const char   *input,
                                      int          *exit_code);

/* JSON of the documented --json formats. */
JsonNode      *ctl_patient_to_json   (const CabPatientRow  *row);
JsonNode      *ctl_document_to_json  (const CabDocumentRow *row);
void           ctl_print_json        (JsonNode     *node);
/* "1980-03-07" -> "07/03/1980", partial dates kept partial, a zoned time on
 * the local calendar day (cab_date_format_day()); NULL -> "". */
char          *ctl_format_date_fr    (const char   *date);

int            ctl_sync_main         (CtlContext *ctx, int argc, char **argv);
int            ctl_patients_main     (CtlContext *ctx, int argc, char **argv);
int            ctl_timeline_main     (CtlContext *ctx, int argc, char **argv);
int            ctl_document_main     (CtlContext *ctx, int argc, char **argv);
int            ctl_drugs_main        (CtlContext *ctx, int argc, char **argv);
int            ctl_interactions_main (CtlContext *ctx, int argc, char **argv);
int            ctl_prefetch_main     (CtlContext *ctx, int argc, char **argv);
/* "500M", "2G", "1.5GiB", "123456" -> bytes (K, M, G, T: powers of 1000;
 * KiB, MiB, GiB, TiB: of 1024). */
gboolean       ctl_parse_size        (const char *text,
                                      guint64    *bytes);
int            ctl_followup_main     (CtlContext *ctx, int argc, char **argv);
int            ctl_inbox_main        (CtlContext *ctx, int argc, char **argv);
/* cabinetctl-inbox-triage.c */
gboolean       ctl_inbox_is_triage   (const char *sub);
int            ctl_inbox_triage_main (CtlContext *ctx, int argc, char **argv);
/* Registers the mail outbox kinds ("mailflags") when the mail options are
 * given; without them, mail entries wait. */
gboolean       ctl_mail_register_kinds (CtlContext *ctx, CabOutbox *outbox, int *exit_code);
int            ctl_mail_main         (CtlContext *ctx, int argc, char **argv);
int            ctl_directory_main    (CtlContext *ctx, int argc, char **argv);

/* The mail servers from the configuration (--smtp, --imap, --mail-user,
 * --ca) and the mailbox's password or sign-in token (cab_mail_account_load());
 * FALSE with a message printed. */
typedef struct
{
  CabMailServers  servers;
  CabMailAccount *account;
} CtlMailServers;
gboolean       ctl_mail_servers_init  (CtlContext     *ctx,
                                       CtlMailServers *servers,
                                       int            *exit_code);
void           ctl_mail_servers_clear (CtlMailServers *servers);
/* What to add to cab_mail_account_load()'s error: how to give credentials
 * when none was found, else nothing. */
const char    *ctl_mail_credentials_hint (const GError *error);

G_END_DECLS
