/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where Cabinet connects and with what: from GSettings and the keyring,
 * overridden by command-line options (cabinetctl, cabinet --server...). */
typedef struct
{
  char *server_url;   /* FHIR base URL */
  char *token;        /* bearer token (keyring, never GSettings) */
  char *ca_file;      /* PEM CA bundle to trust instead of the system's, or NULL */
  char *practice;     /* "Organization/<id>" of the practice */
  char *data_dir;     /* where the store and downloaded documents live */
} CabConfig;

/* Loads from the io.github.cabinet_sante.Cabinet schema (when installed or
 * GSETTINGS_SCHEMA_DIR points at it) and the token from the keyring (when a
 * secret service answers). Missing pieces stay NULL; data_dir defaults to
 * $XDG_DATA_HOME/cabinet. */
CabConfig *cab_config_load            (void);
void       cab_config_free            (CabConfig   *config);
/* Fills NULL fields of @config from the environment variables
 * CABINET_SERVER, CABINET_TOKEN, CABINET_CA, CABINET_PRACTICE, CABINET_DATA_DIR. */
void       cab_config_apply_env       (CabConfig   *config);
char      *cab_config_store_path      (CabConfig   *config);
/* Saves the token to the keyring; FALSE with @error when no secret service. */
gboolean   cab_config_save_token      (const char  *server_url,
                                       const char  *token,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabConfig, cab_config_free)

G_END_DECLS
