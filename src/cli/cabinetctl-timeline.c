/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl timeline INS [--json] [--include-kos]: a patient's documents,
 * newest first, from the store. */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>

#include "cabinetctl-private.h"

typedef struct
{
  CabStore      *store;
  const char    *ins;
  gboolean       include_kos;
  CabPatientRow *patient;
  GPtrArray     *documents;
} TimelineData;

static gboolean
timeline_thread (gpointer   user_data,
                 GError   **error)
{
  TimelineData *data = user_data;
  CabTimelineFilter filter = { 0 };

  data->patient = cab_store_find_patient_by_ins (data->store, data->ins, error);
  if (data->patient == NULL)
    {
      if (*error == NULL)
        g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such patient");
      return FALSE;
    }

  filter.include_kos = data->include_kos;
  data->documents = cab_store_list_timeline (data->store, data->patient->id, &filter, error);
  if (data->documents == NULL)
    return FALSE;

  return cab_store_audit (data->store, "timeline", "Patient", data->patient->id, error);
}

static void
print_text (const TimelineData *data)
{
  for (guint i = 0; i < data->documents->len; i++)
    {
      const CabDocumentRow *row = g_ptr_array_index (data->documents, i);
      const CabDocument *document = &row->document;
      g_autofree char *date = ctl_format_date_fr (row->sort_date != NULL ? row->sort_date
                                                                         : document->date);
      const char *author = document->author_display != NULL ? document->author_display
                                                            : document->author_reference;
      gboolean cached = row->local_path != NULL &&
                        g_file_test (row->local_path, G_FILE_TEST_IS_REGULAR);

      printf ("%-10s  %s  %s  %s", date,
              document->type_display != NULL ? document->type_display : "—",
              document->title != NULL ? document->title : "—",
              author != NULL ? author : "—");
      if (document->security_labels != NULL && document->security_labels[0] != '\0')
        printf ("  [%s]", document->security_labels);
      puts (cached ? "  (cached)" : "");
    }
}

int
ctl_timeline_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ins = NULL;
  const char *ins_arg = NULL;
  gboolean json = FALSE;
  TimelineData data = { 0 };
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--include-kos"))
        data.include_kos = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          puts ("Usage: cabinetctl timeline INS [--json] [--include-kos]");
          return CTL_EXIT_OK;
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return ctl_fail (CTL_EXIT_USAGE, "timeline: unknown option '%s'", argv[i]);
      else if (ins_arg == NULL)
        ins_arg = argv[i];
      else
        return ctl_fail (CTL_EXIT_USAGE, "timeline: unexpected argument '%s'", argv[i]);
    }

  if (ins_arg == NULL)
    return ctl_fail (CTL_EXIT_USAGE, "timeline: missing the patient's INS");

  ins = ctl_parse_ins (ins_arg, &exit_code);
  if (ins == NULL)
    return exit_code;

  data.store = ctl_get_store (ctx, &exit_code);
  if (data.store == NULL)
    return exit_code;
  data.ins = ins;

  if (!ctl_run_in_thread (timeline_thread, &data, &error))
    {
      g_clear_pointer (&data.patient, cab_patient_row_free);
      g_clear_pointer (&data.documents, g_ptr_array_unref);
      if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        return ctl_fail (CTL_EXIT_NOT_FOUND,
                         "unknown INS: no stored patient has this INS (run cabinetctl sync first?)");
      return ctl_fail_error (error, "cannot read the timeline");
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "patient");
      json_builder_add_value (builder, ctl_patient_to_json (data.patient));
      json_builder_set_member_name (builder, "documents");
      json_builder_begin_array (builder);
      for (guint i = 0; i < data.documents->len; i++)
        json_builder_add_value (builder, ctl_document_to_json (g_ptr_array_index (data.documents, i)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ctl_print_json (root);
    }
  else
    print_text (&data);

  cab_patient_row_free (data.patient);
  g_ptr_array_unref (data.documents);
  return CTL_EXIT_OK;
}
