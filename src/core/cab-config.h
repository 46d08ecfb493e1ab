/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where Cabinet connects and with what: from GSettings and the keyring,
 * overridden by command-line options (cabinetctl, cabinet --server...). */
#define CAB_CONFIG_ERROR (cab_config_error_quark ())

typedef enum
{
  CAB_CONFIG_ERROR_NO_TOKEN,      /* the keyring's token is for another server, none for this one */
  CAB_CONFIG_ERROR_TOKEN_FILE,    /* the token file cannot be read, is empty, or is open to others */
} CabConfigError;

GQuark cab_config_error_quark (void);

typedef struct
{
  char *server_url;   /* FHIR base URL */
  char *token;        /* bearer token (keyring, never GSettings) */
  /* The server the keyring saved @token for; NULL when the token was given
   * explicitly (option, environment, token file): then it goes to
   * @server_url, whatever it is. Set by cab_config_load(); whoever replaces
   * @token by hand clears it. */
  char *token_server;
  char *ca_file;      /* PEM CA bundle to trust instead of the system's, or NULL */
  char *practice;     /* "Organization/<id>" of the practice */
  char *data_dir;     /* where the store and downloaded documents live */
  /* MSSanté mail (docs/architecture.md, "Mail"): the IMAP server as
   * imaps://host[:port] or imap://host[:port] (STARTTLS), and the mailbox's
   * user. Its password is never here: CABINET_MAIL_PASSWORD or the keyring
   * (cab-mail-account.h). @ca_file applies to it too. */
  char *imap_url;
  /* SMTP submission for sent mail: smtps://host[:port] or smtp://host[:port]
   * (STARTTLS, required); same user, password and CA (docs/architecture.md,
   * "Sending mail"). */
  char *smtp_url;
  char *mail_user;
  /* "Practitioner/<id>" of the doctor working at this desk, NULL at a front
   * desk (nobody's "Assigned to me"). A desk setting, not an identity: it
   * grants nothing. */
  char *practitioner;
  /* The national health directory (cab-directory.h): its FHIR base and its
   * API key. The key is a secret like the token: the environment or the
   * command line only, never GSettings. @ca_file applies to it too. */
  char *directory_url;
  char *directory_key;
  gboolean checked;   /* cab_config_check() passed: it need not run again */
} CabConfig;

/* Loads from the io.github.cabinet_sante.Cabinet schema (when installed or
 * GSETTINGS_SCHEMA_DIR points at it) and the token from the keyring (when a
 * secret service answers). Missing pieces stay NULL; data_dir defaults to
 * $XDG_DATA_HOME/cabinet. */
CabConfig *cab_config_load            (void);
void       cab_config_free            (CabConfig   *config);
/* Fills NULL fields of @config from the environment variables
 * CABINET_SERVER, CABINET_TOKEN, CABINET_CA, CABINET_PRACTICE, CABINET_DATA_DIR,
 * CABINET_IMAP, CABINET_SMTP, CABINET_MAIL_USER, CABINET_PRACTITIONER,
 * CABINET_DIRECTORY_URL, CABINET_DIRECTORY_KEY. */
void       cab_config_apply_env       (CabConfig   *config);
/* The one precedence, for the window and cabinetctl alike: @options (the
 * command line; may be NULL) over the environment over the settings and the
 * keyring. Empty values do not count. A token given by hand (an option or
 * CABINET_TOKEN) goes to the server given with it; the keyring's stays
 * bound to the server it was saved for. Still call cab_config_check(). */
CabConfig *cab_config_resolve         (const CabConfig *options);
/* Where the desk's practitioner comes from, with cab_config_resolve()'s
 * precedence: @options (the command line; may be NULL), else
 * CABINET_PRACTITIONER, else the "practitioner" setting (or nothing). The
 * preferences show the first two as not theirs to change. */
typedef enum
{
  CAB_CONFIG_ORIGIN_SETTINGS,
  CAB_CONFIG_ORIGIN_ENVIRONMENT,
  CAB_CONFIG_ORIGIN_COMMAND_LINE,
} CabConfigOrigin;

CabConfigOrigin cab_config_practitioner_origin (const CabConfig *options);

/* The mail account and the desk's practitioner read again after the
 * preferences changed them: imap-url, smtp-url, mail-user and practitioner
 * from the settings, under the environment, under @options (may be NULL),
 * as cab_config_resolve(); the other fields of @config stay. Reads no
 * keyring: fine on the main thread. */
void       cab_config_reload_mail     (CabConfig       *config,
                                       const CabConfig *options);
char      *cab_config_store_path      (CabConfig   *config);
CabConfig *cab_config_copy            (const CabConfig *config);

/* Call once the options, environment and settings are merged, before the
 * first connection. A token is bound to the server (scheme, host, port, base
 * path) it was saved for: when @server_url names another one, the keyring
 * is asked for a token of that server, and without one the token is dropped
 * and CAB_CONFIG_ERROR_NO_TOKEN returned (it must never reach another
 * server). A relative @ca_file is made absolute against the working
 * directory and must hold at least one certificate
 * (CAB_FHIR_CLIENT_ERROR_CA_FILE). May wait for the keyring (bounded). */
gboolean   cab_config_check           (CabConfig   *config,
                                       GError     **error);
/* Whether two server URLs name the same FHIR base: scheme, host and port
 * (default ports made explicit), and path (trailing slashes ignored). */
gboolean   cab_config_same_server     (const char  *a,
                                       const char  *b);
/* The token in @path (first line, surrounding space dropped). The file must
 * belong to the user and be closed to others (0600 or stricter), like an
 * ssh key: a token readable by others is already leaked. */
char      *cab_config_read_token_file (const char  *path,
                                       GError     **error);
/* Saves the token to the keyring; FALSE with @error when no secret service. */
gboolean   cab_config_save_token      (const char  *server_url,
                                       const char  *token,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabConfig, cab_config_free)

G_END_DECLS
