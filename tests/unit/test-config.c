/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-config"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cab-config-private.h"
#include "cab-fhir-client.h"

/* Runs with GSETTINGS_BACKEND=memory and GSETTINGS_SCHEMA_DIR at the build
 * tree's compiled schema (see tests/meson.build). No session bus: the
 * keyring is skipped without blocking. */

#define SCHEMA_ID "io.github.cabinet_sante.Cabinet"

static const char * const env_vars[] = {
  "CABINET_SERVER", "CABINET_TOKEN", "CABINET_CA", "CABINET_PRACTICE", "CABINET_DATA_DIR",
  "CABINET_IMAP", "CABINET_SMTP", "CABINET_MAIL_USER", "CABINET_PRACTITIONER",
  "CABINET_DIRECTORY_URL", "CABINET_DIRECTORY_KEY",
};

static void
clear_env (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (env_vars); i++)
    g_unsetenv (env_vars[i]);
}

static void
test_defaults (void)
{
  g_autoptr(CabConfig) config = NULL;
  g_autofree char *expected_dir = g_build_filename (g_get_user_data_dir (), "cabinet", NULL);
  g_autofree char *expected_db = g_build_filename (expected_dir, "cabinet.db", NULL);
  g_autofree char *path = NULL;

  config = cab_config_load ();
  g_assert_nonnull (config);
  g_assert_null (config->token);
  g_assert_cmpstr (config->data_dir, ==, expected_dir);

  path = cab_config_store_path (config);
  g_assert_cmpstr (path, ==, expected_db);
}

static void
test_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CabConfig) config = NULL;

  schema = source != NULL ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;
  if (schema == NULL)
    {
      g_test_skip ("GSettings schema not compiled into GSETTINGS_SCHEMA_DIR");
      return;
    }

  /* The memory backend is shared within the process. */
  settings = g_settings_new (SCHEMA_ID);
  g_settings_set_string (settings, "server-url", "https://dmp.example/fhir");
  g_settings_set_string (settings, "ca-file", "");
  g_settings_set_string (settings, "practice", "Organization/org-practice");

  config = cab_config_load ();
  g_assert_cmpstr (config->server_url, ==, "https://dmp.example/fhir");
  g_assert_null (config->ca_file);   /* empty counts as unset */
  g_assert_cmpstr (config->practice, ==, "Organization/org-practice");
  g_assert_null (config->token);

  /* Settings win over the environment, which only fills the gaps. */
  g_setenv ("CABINET_SERVER", "http://127.0.0.1:1/fhir", TRUE);
  g_setenv ("CABINET_CA", "/tmp/ca.pem", TRUE);
  cab_config_apply_env (config);
  g_assert_cmpstr (config->server_url, ==, "https://dmp.example/fhir");
  g_assert_cmpstr (config->ca_file, ==, "/tmp/ca.pem");
  clear_env ();

  g_settings_reset (settings, "server-url");
  g_settings_reset (settings, "practice");
  g_settings_reset (settings, "ca-file");
}

static void
test_env (void)
{
  g_autoptr(CabConfig) config = g_new0 (CabConfig, 1);
  g_autoptr(CabConfig) loaded = NULL;
  g_autofree char *path = NULL;
  g_autofree char *loaded_path = NULL;

  g_setenv ("CABINET_SERVER", "http://127.0.0.1:8080/fhir", TRUE);
  g_setenv ("CABINET_TOKEN", "t0ken", TRUE);
  g_setenv ("CABINET_CA", "", TRUE);
  g_setenv ("CABINET_PRACTICE", "Organization/org-practice", TRUE);
  g_setenv ("CABINET_DATA_DIR", "/srv/cabinet-data", TRUE);

  config->practice = g_strdup ("Organization/from-option");
  cab_config_apply_env (config);

  g_assert_cmpstr (config->server_url, ==, "http://127.0.0.1:8080/fhir");
  g_assert_cmpstr (config->token, ==, "t0ken");
  g_assert_null (config->ca_file);
  g_assert_cmpstr (config->practice, ==, "Organization/from-option");
  g_assert_cmpstr (config->data_dir, ==, "/srv/cabinet-data");
  path = cab_config_store_path (config);
  g_assert_cmpstr (path, ==, "/srv/cabinet-data/cabinet.db");

  /* The data dir cab_config_load () defaults to gives way to the environment. */
  loaded = cab_config_load ();
  cab_config_apply_env (loaded);
  g_assert_cmpstr (loaded->data_dir, ==, "/srv/cabinet-data");
  loaded_path = cab_config_store_path (loaded);
  g_assert_cmpstr (loaded_path, ==, "/srv/cabinet-data/cabinet.db");

  clear_env ();
}

/* One precedence for the window and cabinetctl: the command line over the
 * environment over the settings; a token given by hand is not bound to the
 * keyring's server. */
static void
test_resolve (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(CabConfig) from_settings = NULL;
  g_autoptr(CabConfig) from_env = NULL;
  g_autoptr(CabConfig) from_options = NULL;
  CabConfig options = {
    .server_url = (char *) "https://option.example/fhir",
    .practice = (char *) "",   /* empty: no choice */
  };

  g_settings_set_string (settings, "server-url", "https://settings.example/fhir");
  g_settings_set_string (settings, "practice", "Organization/from-settings");

  from_settings = cab_config_resolve (NULL);
  g_assert_cmpstr (from_settings->server_url, ==, "https://settings.example/fhir");
  g_assert_cmpstr (from_settings->practice, ==, "Organization/from-settings");
  g_assert_nonnull (from_settings->data_dir);

  g_setenv ("CABINET_SERVER", "https://env.example/fhir", TRUE);
  g_setenv ("CABINET_TOKEN", "env-token", TRUE);
  g_setenv ("CABINET_DATA_DIR", "/srv/cabinet-env", TRUE);
  from_env = cab_config_resolve (NULL);
  g_assert_cmpstr (from_env->server_url, ==, "https://env.example/fhir");
  g_assert_cmpstr (from_env->token, ==, "env-token");
  g_assert_null (from_env->token_server);
  g_assert_cmpstr (from_env->practice, ==, "Organization/from-settings");
  g_assert_cmpstr (from_env->data_dir, ==, "/srv/cabinet-env");

  from_options = cab_config_resolve (&options);
  g_assert_cmpstr (from_options->server_url, ==, "https://option.example/fhir");
  g_assert_cmpstr (from_options->token, ==, "env-token");
  g_assert_cmpstr (from_options->practice, ==, "Organization/from-settings");

  clear_env ();
  g_settings_reset (settings, "server-url");
  g_settings_reset (settings, "practice");
}

/* The mail account resolves like the FHIR server: the app's --imap and
 * cabinetctl's --imap over CABINET_IMAP over the imap-url setting. */
static void
test_resolve_mail (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(CabConfig) from_settings = NULL, from_env = NULL, from_options = NULL, copy = NULL;
  CabConfig options = { .imap_url = (char *) "imaps://option.example:993", .mail_user = (char *) "" };

  g_settings_set_string (settings, "imap-url", "imap://settings.example");
  g_settings_set_string (settings, "mail-user", "secretariat@settings.example");
  from_settings = cab_config_resolve (NULL);
  g_assert_cmpstr (from_settings->imap_url, ==, "imap://settings.example");
  g_assert_cmpstr (from_settings->mail_user, ==, "secretariat@settings.example");

  g_setenv ("CABINET_IMAP", "imaps://env.example", TRUE);
  g_setenv ("CABINET_MAIL_USER", "env@env.example", TRUE);
  from_env = cab_config_resolve (NULL);
  g_assert_cmpstr (from_env->imap_url, ==, "imaps://env.example");
  g_assert_cmpstr (from_env->mail_user, ==, "env@env.example");

  from_options = cab_config_resolve (&options);
  g_assert_cmpstr (from_options->imap_url, ==, "imaps://option.example:993");
  g_assert_cmpstr (from_options->mail_user, ==, "env@env.example");
  copy = cab_config_copy (from_options);
  g_assert_cmpstr (copy->imap_url, ==, "imaps://option.example:993");
  g_assert_cmpstr (copy->mail_user, ==, "env@env.example");

  clear_env ();
  g_settings_reset (settings, "imap-url");
  g_settings_reset (settings, "mail-user");
}

/* The doctor at this desk ("Assigned to me"): the practitioner setting,
 * under CABINET_PRACTITIONER, under --practitioner; empty is a front desk. */
static void
test_resolve_practitioner (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(CabConfig) front_desk = NULL, from_settings = NULL, from_env = NULL;
  g_autoptr(CabConfig) from_options = NULL, copy = NULL, filled = g_new0 (CabConfig, 1);
  CabConfig options = { .practitioner = (char *) "Practitioner/from-option" };
  CabConfig empty_option = { .practitioner = (char *) "" };

  front_desk = cab_config_resolve (NULL);
  g_assert_null (front_desk->practitioner);
  g_assert_cmpint (cab_config_practitioner_origin (NULL), ==, CAB_CONFIG_ORIGIN_SETTINGS);

  g_settings_set_string (settings, "practitioner", "Practitioner/from-settings");
  from_settings = cab_config_resolve (NULL);
  g_assert_cmpstr (from_settings->practitioner, ==, "Practitioner/from-settings");

  g_setenv ("CABINET_PRACTITIONER", "Practitioner/from-env", TRUE);
  from_env = cab_config_resolve (&empty_option);
  g_assert_cmpstr (from_env->practitioner, ==, "Practitioner/from-env");
  g_assert_cmpint (cab_config_practitioner_origin (&empty_option), ==, CAB_CONFIG_ORIGIN_ENVIRONMENT);
  cab_config_apply_env (filled);
  g_assert_cmpstr (filled->practitioner, ==, "Practitioner/from-env");

  from_options = cab_config_resolve (&options);
  g_assert_cmpstr (from_options->practitioner, ==, "Practitioner/from-option");
  g_assert_cmpint (cab_config_practitioner_origin (&options), ==, CAB_CONFIG_ORIGIN_COMMAND_LINE);
  copy = cab_config_copy (from_options);
  g_assert_cmpstr (copy->practitioner, ==, "Practitioner/from-option");

  clear_env ();
  g_settings_reset (settings, "practitioner");
}

/* The national health directory: its URL from the setting, under
 * CABINET_DIRECTORY_URL, under --directory; its API key from
 * CABINET_DIRECTORY_KEY or --directory-key only (no setting holds it). */
static void
test_resolve_directory (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(CabConfig) none = NULL, from_settings = NULL, from_env = NULL;
  g_autoptr(CabConfig) from_options = NULL, copy = NULL, filled = g_new0 (CabConfig, 1);
  CabConfig options = { .directory_url = (char *) "https://option.test/fhir",
                        .directory_key = (char *) "key-option" };
  CabConfig empty_option = { .directory_url = (char *) "", .directory_key = (char *) "" };

  g_object_get (settings, "settings-schema", &schema, NULL);
  g_assert_true (g_settings_schema_has_key (schema, "directory-url"));
  g_assert_false (g_settings_schema_has_key (schema, "directory-key"));

  none = cab_config_resolve (NULL);
  g_assert_null (none->directory_url);
  g_assert_null (none->directory_key);

  g_settings_set_string (settings, "directory-url", "https://settings.test/fhir");
  from_settings = cab_config_resolve (NULL);
  g_assert_cmpstr (from_settings->directory_url, ==, "https://settings.test/fhir");
  g_assert_null (from_settings->directory_key);

  g_setenv ("CABINET_DIRECTORY_URL", "https://env.test/fhir", TRUE);
  g_setenv ("CABINET_DIRECTORY_KEY", "key-env", TRUE);
  from_env = cab_config_resolve (&empty_option);
  g_assert_cmpstr (from_env->directory_url, ==, "https://env.test/fhir");
  g_assert_cmpstr (from_env->directory_key, ==, "key-env");
  cab_config_apply_env (filled);
  g_assert_cmpstr (filled->directory_url, ==, "https://env.test/fhir");
  g_assert_cmpstr (filled->directory_key, ==, "key-env");

  from_options = cab_config_resolve (&options);
  g_assert_cmpstr (from_options->directory_url, ==, "https://option.test/fhir");
  g_assert_cmpstr (from_options->directory_key, ==, "key-option");
  copy = cab_config_copy (from_options);
  g_assert_cmpstr (copy->directory_url, ==, "https://option.test/fhir");
  g_assert_cmpstr (copy->directory_key, ==, "key-option");

  clear_env ();
  g_settings_reset (settings, "directory-url");
}

/* After the preferences saved a new account: the mail keys and the desk's
 * practitioner are read again, under the environment and the options, and
 * nothing else changes. */
static void
test_reload_mail (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(CabConfig) config = g_new0 (CabConfig, 1);
  CabConfig options = { .smtp_url = (char *) "smtps://option.example" };

  config->server_url = g_strdup ("https://dmp.example/fhir");
  config->imap_url = g_strdup ("imaps://old.example");
  config->mail_user = g_strdup ("old@old.example");
  g_settings_set_string (settings, "imap-url", "imaps://new.example:993");
  g_settings_set_string (settings, "smtp-url", "smtps://new.example");
  g_settings_set_string (settings, "mail-user", "new@new.example");
  g_settings_set_string (settings, "practitioner", "Practitioner/p1");
  g_setenv ("CABINET_MAIL_USER", "env@env.example", TRUE);

  cab_config_reload_mail (config, &options);
  g_assert_cmpstr (config->imap_url, ==, "imaps://new.example:993");
  g_assert_cmpstr (config->smtp_url, ==, "smtps://option.example");
  g_assert_cmpstr (config->mail_user, ==, "env@env.example");
  g_assert_cmpstr (config->practitioner, ==, "Practitioner/p1");
  g_assert_cmpstr (config->server_url, ==, "https://dmp.example/fhir");

  /* The account removed in the preferences: gone here too. */
  clear_env ();
  g_settings_reset (settings, "imap-url");
  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "mail-user");
  g_settings_reset (settings, "practitioner");
  cab_config_reload_mail (config, NULL);
  g_assert_null (config->imap_url);
  g_assert_null (config->smtp_url);
  g_assert_null (config->mail_user);
  g_assert_null (config->practitioner);
}

static void
test_no_keyring (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cab_config_save_token ("https://dmp.example/fhir", "secret", &error));
  g_assert_nonnull (error);
}

static void
test_schema_missing (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *empty = g_dir_make_tmp ("cabinet-noschema-XXXXXX", NULL);
      g_autoptr(CabConfig) config = NULL;

      /* Before any GSettings use in this fresh process. */
      g_setenv ("GSETTINGS_SCHEMA_DIR", empty, TRUE);
      g_setenv ("XDG_DATA_DIRS", empty, TRUE);
      g_setenv ("XDG_DATA_HOME", empty, TRUE);

      config = cab_config_load ();
      g_assert_null (config->server_url);
      g_assert_null (config->practice);
      g_assert_nonnull (config->data_dir);
      g_rmdir (empty);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* A keyring holding a token for the configured server only. */
static guint keyring_lookups;

static char *
fake_keyring (const char *server_url)
{
  keyring_lookups++;
  if (g_strcmp0 (server_url, "https://dmp.example/fhir") == 0)
    return g_strdup ("token-for-dmp");
  if (g_strcmp0 (server_url, "https://second.example/fhir") == 0)
    return g_strdup ("token-for-second");
  return NULL;
}

/* The defect: the server came from --server (or CABINET_SERVER) while the
 * token came from the keyring entry of the settings' server. */
static void
test_token_bound_to_server (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CabConfig) config = NULL;
  g_autoptr(CabConfig) same = NULL;
  g_autoptr(CabConfig) second = NULL;
  g_autoptr(CabConfig) copy = NULL;
  g_autoptr(CabConfig) given = NULL;
  g_autoptr(GError) error = NULL;

  schema = source != NULL ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;
  if (schema == NULL)
    {
      g_test_skip ("GSettings schema not compiled into GSETTINGS_SCHEMA_DIR");
      return;
    }
  settings = g_settings_new (SCHEMA_ID);
  g_settings_set_string (settings, "server-url", "https://dmp.example/fhir");
  cab_config_set_token_lookup_for_tests (fake_keyring);

  /* Another server, with no token of its own: the token is dropped. */
  config = cab_config_load ();
  g_assert_cmpstr (config->token, ==, "token-for-dmp");
  g_free (config->server_url);
  config->server_url = g_strdup ("https://other.example/fhir");
  copy = cab_config_copy (config);
  g_assert_false (cab_config_check (config, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_NO_TOKEN);
  g_assert_null (config->token);
  g_clear_error (&error);
  /* A copy keeps the binding (the session copies its configuration). */
  g_assert_false (cab_config_check (copy, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_NO_TOKEN);
  g_clear_error (&error);

  /* The same server written differently keeps its token. */
  same = cab_config_load ();
  g_free (same->server_url);
  same->server_url = g_strdup ("HTTPS://DMP.example:443/fhir/");
  g_assert_true (cab_config_check (same, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (same->token, ==, "token-for-dmp");

  /* Another server with its own token in the keyring: that one. */
  second = cab_config_load ();
  g_free (second->server_url);
  second->server_url = g_strdup ("https://second.example/fhir");
  keyring_lookups = 0;
  g_assert_true (cab_config_check (second, &error));
  g_assert_cmpstr (second->token, ==, "token-for-second");
  g_assert_cmpuint (keyring_lookups, ==, 1);
  /* Checked once: cabinetctl's start-up check and its session's do not
   * both ask the keyring. */
  g_assert_true (second->checked);
  g_assert_true (cab_config_check (second, &error));
  g_assert_cmpuint (keyring_lookups, ==, 1);

  /* A token given by hand (token_server cleared) goes with its server. */
  given = cab_config_load ();
  g_free (given->server_url);
  given->server_url = g_strdup ("https://other.example/fhir");
  g_free (given->token);
  given->token = g_strdup ("typed");
  g_clear_pointer (&given->token_server, g_free);
  g_assert_true (cab_config_check (given, &error));
  g_assert_cmpstr (given->token, ==, "typed");

  cab_config_set_token_lookup_for_tests (NULL);
  g_settings_reset (settings, "server-url");
}

static void
test_same_server (void)
{
  g_assert_true (cab_config_same_server ("https://h/fhir", "https://H:443/fhir/"));
  g_assert_true (cab_config_same_server ("http://h:80/fhir", "http://h/fhir"));
  g_assert_false (cab_config_same_server ("https://h/fhir", "http://h/fhir"));
  g_assert_false (cab_config_same_server ("https://h/fhir", "https://h:8443/fhir"));
  g_assert_false (cab_config_same_server ("https://h/fhir", "https://h/fhir2"));
  g_assert_false (cab_config_same_server ("https://h/fhir", "https://h.evil/fhir"));
  g_assert_false (cab_config_same_server ("https://h/fhir", NULL));
}

static void
test_token_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "token", NULL);
  g_autofree char *token = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "  abc.def-ghi  \nsecond line\n", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  token = cab_config_read_token_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "abc.def-ghi");
  g_clear_pointer (&token, g_free);

  /* Readable by others: already leaked, refused. */
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_null (cab_config_read_token_file (path, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE);
  g_clear_error (&error);

  /* A NUL would cut the token where the file does not. */
  g_assert_true (g_file_set_contents (path, "abc\0def\n", 8, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  g_assert_null (cab_config_read_token_file (path, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "\n", -1, NULL));
  g_assert_null (cab_config_read_token_file (path, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE);
  g_clear_error (&error);

  g_unlink (path);
  g_assert_null (cab_config_read_token_file (path, &error));
  g_assert_error (error, CAB_CONFIG_ERROR, CAB_CONFIG_ERROR_TOKEN_FILE);
  g_rmdir (dir);
}

/* A relative CA path is made absolute; a file without certificate is
 * refused by the check, not at the first connection. */
static void
test_check_ca (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", &error);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.pem", NULL);
  g_autoptr(CabConfig) config = g_new0 (CabConfig, 1);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (garbage, "-----BEGIN CERTIFICATE-----\nnope\n", -1, NULL));
  g_assert_cmpint (g_chdir (dir), ==, 0);
  config->ca_file = g_strdup ("garbage.pem");
  g_assert_false (cab_config_check (config, &error));
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
  g_assert_nonnull (strstr (error->message, garbage));
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_unlink (garbage);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* No session bus: the keyring must be skipped, not waited for. */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  clear_env ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/settings", test_settings);
  g_test_add_func ("/config/env", test_env);
  g_test_add_func ("/config/resolve-mail", test_resolve_mail);
  g_test_add_func ("/config/resolve", test_resolve);
  g_test_add_func ("/config/resolve-practitioner", test_resolve_practitioner);
  g_test_add_func ("/config/resolve-directory", test_resolve_directory);
  g_test_add_func ("/config/reload-mail", test_reload_mail);
  g_test_add_func ("/config/no-keyring", test_no_keyring);
  g_test_add_func ("/config/schema-missing", test_schema_missing);
  g_test_add_func ("/config/token-bound-to-server", test_token_bound_to_server);
  g_test_add_func ("/config/same-server", test_same_server);
  g_test_add_func ("/config/token-file", test_token_file);
  g_test_add_func ("/config/check-ca", test_check_ca);

  return g_test_run ();
}
