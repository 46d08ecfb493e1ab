/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-config"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "cab-config-private.h"
#include "cab-fhir-client.h"

#define SETTINGS_SCHEMA_ID "io.github.cabinet_sante.Cabinet"
#define TOKEN_SCHEMA_ID    "io.github.cabinet_sante.Cabinet.Token"

/* A keyring that is locked or a secret service that hangs must not freeze
 * start-up: give up after this long. */
#define KEYRING_TIMEOUT_MS 2000

/* A token file is one line; anything longer is not a token. */
#define MAX_TOKEN_FILE 16384

G_DEFINE_QUARK (cab-config-error-quark, cab_config_error)

static CabConfigTokenLookup token_lookup_for_tests;

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

void
cab_config_set_token_lookup_for_tests (CabConfigTokenLookup lookup)
{
  token_lookup_for_tests = lookup;
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

  if (server_url != NULL && token_lookup_for_tests != NULL)
    return token_lookup_for_tests (server_url);
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
  config->imap_url = settings_string (settings, schema, "imap-url");
  config->smtp_url = settings_string (settings, schema, "smtp-url");
  config->mail_user = settings_string (settings, schema, "mail-user");
  config->practitioner = settings_string (settings, schema, "practitioner");
  config->directory_url = settings_string (settings, schema, "directory-url");
}

CabConfig *
cab_config_load (void)
{
  CabConfig *config = g_new0 (CabConfig, 1);

  load_settings (config);
  config->token = lookup_token (config->server_url);
  if (config->token != NULL)
    config->token_server = g_strdup (config->server_url);
  config->data_dir = default_data_dir ();

  return config;
}

void
cab_config_free (CabConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->server_url);
  if (config->token != NULL)
    memset (config->token, 0, strlen (config->token));
  g_clear_pointer (&config->token, g_free);
  g_free (config->token_server);
  g_free (config->ca_file);
  g_free (config->practice);
  g_free (config->data_dir);
  g_free (config->imap_url);
  g_free (config->smtp_url);
  g_free (config->mail_user);
  g_free (config->practitioner);
  g_free (config->directory_url);
  if (config->directory_key != NULL)
    memset (config->directory_key, 0, strlen (config->directory_key));
  g_free (config->directory_key);
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
  fill_from_env (&config->imap_url, "CABINET_IMAP");
  fill_from_env (&config->smtp_url, "CABINET_SMTP");
  fill_from_env (&config->mail_user, "CABINET_MAIL_USER");
  fill_from_env (&config->practitioner, "CABINET_PRACTITIONER");
  fill_from_env (&config->directory_url, "CABINET_DIRECTORY_URL");
  fill_from_env (&config->directory_key, "CABINET_DIRECTORY_KEY");

  /* cab_config_load () always sets the default data dir: it counts as unset. */
  if (g_strcmp0 (config->data_dir, default_dir) == 0)
    g_clear_pointer (&config->data_dir, g_free);
  fill_from_env (&config->data_dir, "CABINET_DATA_DIR");
  if (config->data_dir == NULL)
    config->data_dir = g_steal_pointer (&default_dir);
}

static void
override (char       **field,
          const char  *value)
{
  if (value != NULL && *value != '\0')
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static void
override_all (CabConfig       *config,
              const CabConfig *with)
{
  override (&config->server_url, with->server_url);
  override (&config->token, with->token);
  override (&config->ca_file, with->ca_file);
  override (&config->practice, with->practice);
  override (&config->data_dir, with->data_dir);
  override (&config->imap_url, with->imap_url);
  override (&config->smtp_url, with->smtp_url);
  override (&config->mail_user, with->mail_user);
  override (&config->practitioner, with->practitioner);
  override (&config->directory_url, with->directory_url);
  override (&config->directory_key, with->directory_key);
  /* Given by hand: meant for the server given with it. */
  if (with->token != NULL && *with->token != '\0')
    g_clear_pointer (&config->token_server, g_free);
}

CabConfig *
cab_config_resolve (const CabConfig *options)
{
  CabConfig *config = cab_config_load ();
  g_autoptr(CabConfig) env = g_new0 (CabConfig, 1);

  /* The default data dir that cab_config_apply_env() sets is no choice. */
  env->server_url = g_strdup (g_getenv ("CABINET_SERVER"));
  env->token = g_strdup (g_getenv ("CABINET_TOKEN"));
  env->ca_file = g_strdup (g_getenv ("CABINET_CA"));
  env->practice = g_strdup (g_getenv ("CABINET_PRACTICE"));
  env->data_dir = g_strdup (g_getenv ("CABINET_DATA_DIR"));
  env->imap_url = g_strdup (g_getenv ("CABINET_IMAP"));
  env->smtp_url = g_strdup (g_getenv ("CABINET_SMTP"));
  env->mail_user = g_strdup (g_getenv ("CABINET_MAIL_USER"));
  env->practitioner = g_strdup (g_getenv ("CABINET_PRACTITIONER"));
  env->directory_url = g_strdup (g_getenv ("CABINET_DIRECTORY_URL"));
  env->directory_key = g_strdup (g_getenv ("CABINET_DIRECTORY_KEY"));
  override_all (config, env);
  if (env->token != NULL)
    memset (env->token, 0, strlen (env->token));

  if (options != NULL)
    override_all (config, options);

  if (config->data_dir == NULL || *config->data_dir == '\0')
    {
      g_free (config->data_dir);
      config->data_dir = default_data_dir ();
    }

  return config;
}

CabConfigOrigin
cab_config_practitioner_origin (const CabConfig *options)
{
  const char *env = g_getenv ("CABINET_PRACTITIONER");

  if (options != NULL && options->practitioner != NULL && *options->practitioner != '\0')
    return CAB_CONFIG_ORIGIN_COMMAND_LINE;
  if (env != NULL && *env != '\0')
    return CAB_CONFIG_ORIGIN_ENVIRONMENT;
  return CAB_CONFIG_ORIGIN_SETTINGS;
}

static void
replace (char **field,
         char  *value)
{
  g_free (*field);
  *field = value;
}

void
cab_config_reload_mail (CabConfig       *config,
                        const CabConfig *options)
{
  g_autoptr(CabConfig) fresh = g_new0 (CabConfig, 1);
  CabConfig env = {
    .imap_url = (char *) g_getenv ("CABINET_IMAP"),
    .smtp_url = (char *) g_getenv ("CABINET_SMTP"),
    .mail_user = (char *) g_getenv ("CABINET_MAIL_USER"),
    .practitioner = (char *) g_getenv ("CABINET_PRACTITIONER"),
  };

  g_return_if_fail (config != NULL);

  load_settings (fresh);
  override_all (fresh, &env);
  if (options != NULL)
    override_all (fresh, options);
  replace (&config->imap_url, g_steal_pointer (&fresh->imap_url));
  replace (&config->smtp_url, g_steal_pointer (&fresh->smtp_url));
  replace (&config->mail_user, g_steal_pointer (&fresh->mail_user));
  replace (&config->practitioner, g_steal_pointer (&fresh->practitioner));
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

CabConfig *
cab_config_copy (const CabConfig *config)
{
  CabConfig *copy = g_new0 (CabConfig, 1);

  if (config == NULL)
    return copy;
  copy->server_url = g_strdup (config->server_url);
  copy->token = g_strdup (config->token);
  copy->token_server = g_strdup (config->token_server);
  copy->ca_file = g_strdup (config->ca_file);
  copy->practice = g_strdup (config->practice);
  copy->data_dir = g_strdup (config->data_dir);
  copy->imap_url = g_strdup (config->imap_url);
  copy->smtp_url = g_strdup (config->smtp_url);
  copy->mail_user = g_strdup (config->mail_user);
  copy->practitioner = g_strdup (config->practitioner);
  copy->directory_url = g_strdup (config->directory_url);
  copy->directory_key = g_strdup (config->directory_key);
  copy->checked = config->checked;
  return copy;
}

/* ------------------------------------------------------------------------ */
/* Checks before connecting                                                 */
/* ------------------------------------------------------------------------ */

static int
default_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

static gsize
path_len (const char *path)
{
  gsize len = strlen (path);

  while (len > 0 && path[len - 1] == '/')
    len--;
  return len;
}

gboolean
cab_config_same_server (const char *a,
                        const char *b)
{
  g_autoptr(GUri) ua = NULL;
  g_autoptr(GUri) ub = NULL;
  const char *pa;
  const char *pb;

  if (a == NULL || b == NULL)
    return FALSE;
  ua = g_uri_parse (a, SOUP_HTTP_URI_FLAGS, NULL);
  ub = g_uri_parse (b, SOUP_HTTP_URI_FLAGS, NULL);
  if (ua == NULL || ub == NULL || g_uri_get_host (ua) == NULL || g_uri_get_host (ub) == NULL)
    return g_strcmp0 (a, b) == 0;

  pa = g_uri_get_path (ua);
  pb = g_uri_get_path (ub);
  return g_ascii_strcasecmp (g_uri_get_scheme (ua), g_uri_get_scheme (ub)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (ua), g_uri_get_host (ub)) == 0
         && default_port (ua) == default_port (ub)
         && path_len (pa) == path_len (pb)
         && strncmp (pa, pb, path_len (pa)) == 0;
}

static gboolean
bind_token (CabConfig  *config,
            GError    **error)
{
  g_autofree char *token = NULL;

  if (config->token == NULL || config->token_server == NULL
      || cab_config_same_server (config->token_server, config->server_url))
    return TRUE;

  /* The keyring's token was saved for another server: it must not go to
   * this one. This one may have its own. */
  memset (config->token, 0, strlen (config->token));
  g_clear_pointer (&config->token, g_free);
  g_clear_pointer (&config->token_server, g_free);

  token = config->server_url != NULL ? lookup_token (config->server_url) : NULL;
  if (token == NULL)
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_NO_TOKEN,
                   _("No token for this server (%s): the saved one belongs to another server. "
                     "Sign in to this server, or give its token with CABINET_TOKEN or a token file."),
                   config->server_url != NULL ? config->server_url : "");
      return FALSE;
    }
  config->token = g_steal_pointer (&token);
  config->token_server = g_strdup (config->server_url);
  return TRUE;
}

gboolean
cab_config_check (CabConfig  *config,
                  GError    **error)
{
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* cabinetctl checks at start-up and its session would check again: once
   * is enough (a keyring round trip and a CA file read each time). */
  if (config->checked)
    return TRUE;

  if (!bind_token (config, error))
    return FALSE;

  if (config->ca_file != NULL && *config->ca_file != '\0')
    {
      g_autofree char *absolute = NULL;

      if (!cab_fhir_client_check_ca_file (config->ca_file, &absolute, error))
        return FALSE;
      g_free (config->ca_file);
      config->ca_file = g_steal_pointer (&absolute);
    }

  config->checked = TRUE;
  return TRUE;
}

char *
cab_config_read_token_file (const char  *path,
                            GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  GStatBuf st;
  char *end;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE,
                   _("The token file “%s” cannot be read"), path);
      return NULL;
    }
  if (st.st_uid != getuid () || (st.st_mode & 077) != 0)
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE,
                   _("The token file “%s” is open to other users: make it private (chmod 600)"), path);
      return NULL;
    }
  if (st.st_size > MAX_TOKEN_FILE || !g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE,
                   _("The token file “%s” cannot be read"), path);
      return NULL;
    }

  /* Full length: a NUL would cut the token where the file does not. */
  if (memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE,
                   _("The token file “%s” does not hold a token"), path);
      return NULL;
    }
  end = strpbrk (contents, "\r\n");
  if (end != NULL)
    *end = '\0';
  g_strstrip (contents);
  if (*contents == '\0')
    {
      g_set_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE,
                   _("The token file “%s” does not hold a token"), path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}
