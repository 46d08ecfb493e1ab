/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-config"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "cab-config.h"

#define SETTINGS_SCHEMA_ID "io.github.cabinet_sante.Cabinet"
#define TOKEN_SCHEMA_ID    "io.github.cabinet_sante.Cabinet.Token"

/* A keyring that is locked or a secret service that hangs must not freeze
 * start-up: give up after this long. */
#define KEYRING_TIMEOUT_MS 2000

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    TOKEN_SCHEMA_ID, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static gboolean
has_session_bus (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  return address != NULL && *address != '\0';
}

static char *
nonempty_or_null (char *s)
{
  if (s != NULL && *s == '\0')
    g_clear_pointer (&s, g_free);
  return s;
}

static char *
default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "cabinet", NULL);
}

/* ------------------------------------------------------------------------ */
/* Keyring: async calls on a private context, bounded by a timeout           */
/* ------------------------------------------------------------------------ */

typedef struct
{
  GCancellable *cancellable;
  GAsyncResult *result;
} KeyringCall;

static void
keyring_call_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  KeyringCall *call = user_data;

  call->result = g_object_ref (result);
}

static gboolean
keyring_call_timeout (gpointer user_data)
{
  KeyringCall *call = user_data;

  g_debug ("Secret service did not answer in time");
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
keyring_call_wait (KeyringCall  *call,
                   GMainContext *context)
{
  g_autoptr(GSource) timeout = g_timeout_source_new (KEYRING_TIMEOUT_MS);

  g_source_set_callback (timeout, keyring_call_timeout, call, NULL);
  g_source_attach (timeout, context);

  while (call->result == NULL)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
}

static char *
lookup_token (const char *server_url)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  KeyringCall call = { 0 };
  char *secret;
  char *token;

  if (server_url == NULL || !has_session_bus ())
    return NULL;

  context = g_main_context_new ();
  cancellable = g_cancellable_new ();
  call.cancellable = cancellable;

  g_main_context_push_thread_default (context);
  secret_password_lookup (token_schema (), cancellable, keyring_call_done, &call,
                          "server", server_url,
                          NULL);
  keyring_call_wait (&call, context);
  secret = secret_password_lookup_finish (call.result, &error);
  g_main_context_pop_thread_default (context);
  g_clear_object (&call.result);

  if (error != NULL)
    g_debug ("No token from the keyring: %s", error->message);

  /* Copy out of secure memory so callers free it with g_free (). */
  token = nonempty_or_null (g_strdup (secret));
  secret_password_free (secret);

  return token;
}

gboolean
cab_config_save_token (const char  *server_url,
                       const char  *token,
                       GError     **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *label = NULL;
  KeyringCall call = { 0 };
  gboolean ok;

  g_return_val_if_fail (server_url != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!has_session_bus ())
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("No keyring is available to keep the access token"));
      return FALSE;
    }

  context = g_main_context_new ();
  cancellable = g_cancellable_new ();
  call.cancellable = cancellable;
  label = g_strdup_printf (_("Cabinet access token for %s"), server_url);

  g_main_context_push_thread_default (context);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, keyring_call_done, &call,
                         "server", server_url,
                         NULL);
  keyring_call_wait (&call, context);
  ok = secret_password_store_finish (call.result, error);
  g_main_context_pop_thread_default (context);
  g_clear_object (&call.result);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

static char *
settings_string (GSettings       *settings,
                 GSettingsSchema *schema,
                 const char      *key)
{
  if (!g_settings_schema_has_key (schema, key))
    return NULL;
  return nonempty_or_null (g_settings_get_string (settings, key));
}

static void
load_settings (CabConfig *config)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  /* Not installed (running from the build tree without GSETTINGS_SCHEMA_DIR):
   * g_settings_new () would abort, so look first. */
  if (source == NULL)
    return;
  schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return;

  settings = g_settings_new_full (schema, NULL, NULL);
  config->server_url = settings_string (settings, schema, "server-url");
  config->ca_file = settings_string (settings, schema, "ca-file");
  config->practice = settings_string (settings, schema, "practice");
}

CabConfig *
cab_config_load (void)
{
  CabConfig *config = g_new0 (CabConfig, 1);

  load_settings (config);
  config->token = lookup_token (config->server_url);
  config->data_dir = default_data_dir ();

  return config;
}

void
cab_config_free (CabConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->server_url);
  g_clear_pointer (&config->token, g_free);
  g_free (config->ca_file);
  g_free (config->practice);
  g_free (config->data_dir);
  g_free (config);
}

static void
fill_from_env (char       **field,
               const char  *variable)
{
  const char *value = g_getenv (variable);

  if (*field == NULL && value != NULL && *value != '\0')
    *field = g_strdup (value);
}

void
cab_config_apply_env (CabConfig *config)
{
  g_autofree char *default_dir = default_data_dir ();

  g_return_if_fail (config != NULL);

  fill_from_env (&config->server_url, "CABINET_SERVER");
  fill_from_env (&config->token, "CABINET_TOKEN");
  fill_from_env (&config->ca_file, "CABINET_CA");
  fill_from_env (&config->practice, "CABINET_PRACTICE");

  /* cab_config_load () always sets the default data dir: it counts as unset. */
  if (g_strcmp0 (config->data_dir, default_dir) == 0)
    g_clear_pointer (&config->data_dir, g_free);
  fill_from_env (&config->data_dir, "CABINET_DATA_DIR");
  if (config->data_dir == NULL)
    config->data_dir = g_steal_pointer (&default_dir);
}

char *
cab_config_store_path (CabConfig *config)
{
  g_autofree char *default_dir = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (config->data_dir != NULL && *config->data_dir != '\0')
    return g_build_filename (config->data_dir, "cabinet.db", NULL);

  default_dir = default_data_dir ();
  return g_build_filename (default_dir, "cabinet.db", NULL);
}
