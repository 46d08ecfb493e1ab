/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl drugs and interactions import over the real releases
 * ($CABINET_DRUG_DATA): the documented output, fields and exit codes. No
 * network: the drug database needs only the data directory. */
#define G_LOG_DOMAIN "test-cabinetctl-drugs"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static char *data_dir;
static char *drug_data;

static int
run_ctl (char **out,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;

  g_subprocess_launcher_unsetenv (launcher, "CABINET_SERVER");
  g_subprocess_launcher_unsetenv (launcher, "CABINET_DATA_DIR");
  g_ptr_array_add (args, g_strdup (g_getenv ("CABINETCTL")));
  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (data_dir));
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("stderr: %s", stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* The member names of @object, sorted and joined by commas. */
static char *
members (JsonObject *object)
{
  g_autoptr(GList) names = g_list_sort (json_object_get_members (object), (GCompareFunc) strcmp);
  g_autoptr(GString) out = g_string_new (NULL);

  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (out, "%s%s", out->len ? "," : "", (const char *) l->data);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_import_and_status (void)
{
  g_autofree char *bdpm = g_build_filename (drug_data, "bdpm-2022-06", NULL);
  g_autofree char *thesaurus = g_build_filename (drug_data, "ansm-interactions-2016-08", NULL);
  g_autofree char *out = NULL;
  g_autofree char *status = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *files, *malformed;
  gint64 imported_drugs = -1;

  g_assert_cmpint (run_ctl (NULL, "interactions", "import", thesaurus, NULL), ==, 0);
  g_assert_cmpint (run_ctl (&out, "drugs", "import", bdpm, "--json", NULL), ==, 0);
  report = parse (out);
  files = json_object_get_array_member (json_node_get_object (report), "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);

      g_assert_cmpstr (json_object_get_string_member (f, "encoding"), ==, "Windows-1252");
      if (g_str_equal (json_object_get_string_member (f, "file"), "CIS_bdpm.txt"))
        imported_drugs = json_object_get_int_member (f, "imported");
    }
  malformed = json_object_get_array_member (json_node_get_object (report), "malformed");
  g_assert_cmpint (json_array_get_length (malformed), ==,
                   json_object_get_int_member (json_node_get_object (report), "malformed_count"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report), "linked_substances"), >, 0);

  g_assert_cmpint (run_ctl (&status, "drugs", "status", "--json", NULL), ==, 0);
  state = parse (status);
  {
    JsonObject *root = json_node_get_object (state);
    JsonObject *bdpm_state = json_object_get_object_member (root, "bdpm");
    JsonObject *links = json_object_get_object_member (root, "links");

    g_assert_cmpint (json_object_get_int_member (bdpm_state, "medicines"), ==, imported_drugs);
    g_assert_nonnull (json_object_get_object_member (root, "thesaurus"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (links, "unlinked_thesaurus_substances")), >, 0);
  }
}

static void
test_search_json (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *names = NULL;
  g_autofree char *substance_names = NULL;
  g_autofree char *presentation_names = NULL;
  JsonArray *results;
  JsonObject *first;

  /* A CIP13: exactly its medicine. */
  g_assert_cmpint (run_ctl (&out, "drugs", "search", "3400949497294", "--json", NULL), ==, 0);
  root = parse (out);
  results = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (results), >=, 1);
  first = json_array_get_object_element (results, 0);
  names = members (first);
  g_assert_cmpstr (names, ==, "cis,commercialised,form,generic_group,name,presentations,routes,substances");
  g_assert_cmpstr (json_object_get_string_member (first, "cis"), ==, "60002283");
  substance_names = members (json_array_get_object_element (json_object_get_array_member (first, "substances"), 0));
  g_assert_cmpstr (substance_names, ==, "name,strength");
  presentation_names = members (json_array_get_object_element (json_object_get_array_member (first, "presentations"), 0));
  g_assert_cmpstr (presentation_names, ==, "cip13,label,reimbursement_rate");
  g_clear_pointer (&out, g_free);

  /* --limit is honoured. */
  g_assert_cmpint (run_ctl (&out, "drugs", "search", "paracetamol", "--limit", "3", "--json", NULL), ==, 0);
  g_clear_pointer (&root, json_node_unref);
  root = parse (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 3);
}

static void
test_interactions_json (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *pair;

  /* ZOCOR (simvastatine) and CLARITHROMYCINE: contre-indication. */
  g_assert_cmpint (run_ctl (&out, "drugs", "interactions", "67037301", "68356362", "--json", NULL), ==, 0);
  root = parse (out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  pair = json_array_get_object_element (json_node_get_array (root), 0);
  g_assert_cmpstr (json_object_get_string_member (pair, "level"), ==, "CI");
  g_assert_cmpstr (json_object_get_string_member (pair, "substance_a"), ==, "SIMVASTATINE");
  g_assert_cmpstr (json_object_get_string_member (pair, "substance_b"), ==, "CLARITHROMYCINE");
  g_assert_nonnull (json_object_get_string_member (pair, "text"));

  /* Not a CIS: a usage error. */
  g_assert_cmpint (run_ctl (NULL, "drugs", "interactions", "67037301", "ZOCOR", NULL), ==, 1);
}

static void
test_import_refused (void)
{
  g_autofree char *dir = g_build_filename (data_dir, "not-a-release", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* A missing file: data error, the imported release kept. */
  g_assert_cmpint (run_ctl (NULL, "drugs", "import", dir, NULL), ==, 5);
  g_assert_cmpint (run_ctl (NULL, "drugs", "interactions", "67037301", "68356362", NULL), ==, 0);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  drug_data = g_strdup (g_getenv ("CABINET_DRUG_DATA"));
  if (g_getenv ("CABINETCTL") == NULL || drug_data == NULL || !g_file_test (drug_data, G_FILE_TEST_IS_DIR))
    g_error ("CABINETCTL and CABINET_DRUG_DATA (meson option drug_data) must be set");
  data_dir = g_dir_make_tmp ("test-cabinetctl-drugs-XXXXXX", &error);
  g_assert_no_error (error);

  /* In order: the first imports what the others read. */
  g_test_add_func ("/cabinetctl/drugs/import-and-status", test_import_and_status);
  g_test_add_func ("/cabinetctl/drugs/search-json", test_search_json);
  g_test_add_func ("/cabinetctl/drugs/interactions-json", test_interactions_json);
  g_test_add_func ("/cabinetctl/drugs/import-refused", test_import_refused);
  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (data_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (data_dir);
  }
  g_free (data_dir);
  g_free (drug_data);
  return status;
}
