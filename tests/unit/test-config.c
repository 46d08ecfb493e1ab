/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-config"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cab-config.h"

/* Runs with GSETTINGS_BACKEND=memory and GSETTINGS_SCHEMA_DIR at the build
 * tree's compiled schema (see tests/meson.build). No session bus: the
 * keyring is skipped without blocking. */

#define SCHEMA_ID "io.github.cabinet_sante.Cabinet"

static const char * const env_vars[] = {
  "CABINET_SERVER", "CABINET_TOKEN", "CABINET_CA", "CABINET_PRACTICE", "CABINET_DATA_DIR",
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
  g_test_add_func ("/config/no-keyring", test_no_keyring);
  g_test_add_func ("/config/schema-missing", test_schema_missing);

  return g_test_run ();
}
