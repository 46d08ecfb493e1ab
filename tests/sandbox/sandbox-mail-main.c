/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sandbox"

/* cabinet-sandbox-mail: writes MSSanté messages from the synthetic practice
 * (sandbox-mail.h) as DIR/0001.eml ... and DIR/truth.json, for the mail
 * tests, the benchmarks and the demo, which submit them through Postfix
 * (tests/mail/mail-fixture send). */

#include "sandbox-mail.h"

#include <glib/gstdio.h>
#include <stdlib.h>

typedef struct
{
  const char *dir;
  JsonArray  *truths;
  GError     *error;
} Out;

static void
write_message (guint index, GBytes *raw, JsonObject *truth, gpointer user_data)
{
  Out *out = user_data;
  g_autofree char *name = g_strdup_printf ("%04u.eml", index + 1);
  g_autofree char *path = g_build_filename (out->dir, name, NULL);
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);

  json_object_set_string_member (truth, "file", name);
  json_array_add_object_element (out->truths, json_object_ref (truth));
  if (out->error == NULL)
    g_file_set_contents (path, data, size, &out->error);
}

int
main (int argc, char **argv)
{
  gint64 seed = 1;
  int patients = 300, years = 5, count = 50;
  g_autofree char *today = NULL, *to = NULL, *dir = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the practice (as cabinet-sandbox)", "S" },
    { "patients", 0, 0, G_OPTION_ARG_INT, &patients, "Patients of the practice (as cabinet-sandbox)", "N" },
    { "years", 0, 0, G_OPTION_ARG_INT, &years, "Years of history (as cabinet-sandbox)", "Y" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today, "The practice's present (as cabinet-sandbox)", "YYYY-MM-DD" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Number of messages (default 50)", "N" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Recipient (default alice@cabinet.test)", "ADDRESS" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Directory to write into (created)", "DIR" },
    { NULL }
  };
  JsonNode *root;
  g_autofree char *truth_path = NULL, *truth_text = NULL;
  SandboxMailOptions options;
  Out out = { 0 };

  context = g_option_context_new ("- MSSanté messages from the synthetic practice");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || dir == NULL ||
      patients < 2 || count < 0 || years < 1)
    {
      g_printerr ("cabinet-sandbox-mail: %s\n", error ? error->message : "--out DIR is required (see --help)");
      return 2;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_printerr ("cabinet-sandbox-mail: cannot create the output directory\n");
      return 1;
    }
  options = (SandboxMailOptions) { (guint64) seed, (guint) patients, (guint) years, today,
                                   (guint) count, to ? to : "alice@cabinet.test" };
  out.dir = dir;
  out.truths = json_array_new ();
  if (!sandbox_mail_generate (&options, write_message, &out, &error) || out.error != NULL)
    {
      g_printerr ("cabinet-sandbox-mail: %s\n", error ? error->message : out.error->message);
      json_array_unref (out.truths);
      g_clear_error (&out.error);
      return 1;
    }
  root = json_node_init_array (json_node_alloc (), out.truths);
  truth_text = json_to_string (root, TRUE);
  json_node_unref (root);
  json_array_unref (out.truths);
  truth_path = g_build_filename (dir, "truth.json", NULL);
  if (!g_file_set_contents (truth_path, truth_text, -1, &error))
    {
      g_printerr ("cabinet-sandbox-mail: %s\n", error->message);
      return 1;
    }
  return 0;
}
