/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl patients [--json]: the stored patients, from the store only. */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>

#include "cabinetctl-private.h"

typedef struct
{
  CabStore  *store;
  GPtrArray *rows;
} ListData;

static gboolean
list_thread (gpointer   user_data,
             GError   **error)
{
  ListData *data = user_data;

  data->rows = cab_store_search_patients (data->store, NULL, G_MAXINT, error);
  return data->rows != NULL;
}

/* Pads to @width characters, not bytes (names carry accents). */
static void
print_cell (const char *text,
            guint       width)
{
  glong len = g_utf8_strlen (text, -1);

  fputs (text, stdout);
  for (glong i = len; i < (glong) width; i++)
    fputc (' ', stdout);
}

static char *
display_name (const CabPatient *patient)
{
  g_autofree char *family = patient->family != NULL ? g_utf8_strup (patient->family, -1) : NULL;

  if (family != NULL && patient->given != NULL)
    return g_strdup_printf ("%s %s", family, patient->given);
  if (family != NULL)
    return g_steal_pointer (&family);
  return g_strdup (patient->given != NULL ? patient->given : "");
}

int
ctl_patients_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  ListData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          puts ("Usage: cabinetctl patients [--json]");
          return CTL_EXIT_OK;
        }
      else
        return ctl_fail (CTL_EXIT_USAGE, "patients: unexpected argument '%s'", argv[i]);
    }

  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;

  if (!ctl_run_in_thread (list_thread, &data, &error))
    return ctl_fail_error (error, "cannot list the patients");

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_sized_new (data.rows->len);

      for (guint i = 0; i < data.rows->len; i++)
        json_array_add_element (array, ctl_patient_to_json (g_ptr_array_index (data.rows, i)));
      json_node_set_array (root, array);
      ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < data.rows->len; i++)
        {
          const CabPatientRow *row = g_ptr_array_index (data.rows, i);
          g_autofree char *name = display_name (&row->patient);
          g_autofree char *birth = ctl_format_date_fr (row->patient.birth_date);

          print_cell (row->patient.ins != NULL ? row->patient.ins : "—", 16);
          print_cell (row->patient.identity_status != NULL ? row->patient.identity_status : "—", 6);
          print_cell (name, 40);
          if (row->ins_duplicate)
            printf ("%s  (INS shared with another patient)\n", birth);
          else
            puts (birth);
        }
    }

  g_ptr_array_unref (data.rows);
  return CTL_EXIT_OK;
}
