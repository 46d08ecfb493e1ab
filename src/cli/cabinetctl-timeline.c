/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cabinetctl timeline INS [--json] [--include-kos] [--kind KIND] [--from DATE]
 * [--to DATE] [--text WORDS] [--sections]: a patient's documents, newest
 * first, read through core's CabTimeline, the model the app shows. */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>

#include "cab-audit.h"
#include "cab-date-format.h"
#include "cab-timeline.h"
#include "cabinetctl-private.h"

static const char usage_text[] =
  "Usage: cabinetctl timeline INS [--json] [--include-kos] [--kind KIND]\n"
  "                           [--from DATE] [--to DATE] [--text WORDS] [--sections]\n"
  "KIND: all, reports, lab, imaging, prescriptions, vaccination, other.\n"
  "DATE: YYYY-MM-DD or DD/MM/YYYY, inclusive.";

typedef struct
{
  CabStore      *store;
  const char    *ins;
  CabPatientRow *patient;
} TimelineData;

static gboolean
find_patient_thread (gpointer   user_data,
                     GError   **error)
{
  TimelineData *data = user_data;

  data->patient = cab_store_find_patient_by_ins (data->store, data->ins, error);
  if (data->patient == NULL)
    {
      if (*error == NULL)
        g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such patient");
      return FALSE;
    }
  return TRUE;
}

static gboolean
audit_thread (gpointer   user_data,
              GError   **error)
{
  TimelineData *data = user_data;

  return cab_store_audit (data->store, CAB_AUDIT_TIMELINE, CAB_AUDIT_TYPE_PATIENT, data->patient->id, error);
}

/* "2024-03-05" or "05/03/2024" to "2024-03-05"; NULL when neither. */
static char *
parse_day_arg (const char *arg)
{
  CabDay day;

  if (strlen (arg) == 10 && cab_date_parse_day (arg, NULL, &day) && day.day != 0)
    return g_strdup (arg);
  return cab_date_parse_french (arg);
}

static gboolean
parse_kind_arg (const char    *arg,
                CabKindFilter *kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (CAB_TYPE_KIND_FILTER);
  GEnumValue *value = g_enum_get_value_by_nick (klass, arg);

  if (value == NULL)
    return FALSE;
  *kind = value->value;
  return TRUE;
}

static void
print_text (GListModel *model)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);
      const CabDocumentRow *row = cab_timeline_item_get_row (item);
      const CabDocument *document;
      const char *date, *author;
      gboolean cached;

      if (row == NULL)
        {
          /* A month section (--sections). */
          printf ("%s%s\n", i > 0 ? "\n" : "", cab_timeline_item_get_title (item));
          continue;
        }

      document = &row->document;
      /* The local calendar day, as the app shows it. */
      date = cab_timeline_item_get_date (item);
      author = document->author_display != NULL ? document->author_display
                                                : document->author_reference;
      cached = row->local_path != NULL && g_file_test (row->local_path, G_FILE_TEST_IS_REGULAR);

      printf ("%-10s  %s  %s  %s", date != NULL ? date : "",
              document->type_display != NULL ? document->type_display : "—",
              document->title != NULL ? document->title : "—",
              author != NULL ? author : "—");
      if (document->security_labels != NULL && document->security_labels[0] != '\0')
        printf ("  [%s]", document->security_labels);
      puts (cached ? "  (cached)" : "");
    }
}

static void
print_json (const CabPatientRow *patient,
            GListModel          *model,
            gboolean             sections)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n = g_list_model_get_n_items (model);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "patient");
  json_builder_add_value (builder, ctl_patient_to_json (patient));
  json_builder_set_member_name (builder, "documents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item))
        json_builder_add_value (builder, ctl_document_to_json (cab_timeline_item_get_row (item)));
    }
  json_builder_end_array (builder);

  /* The app's month sections: titles and the ids under each. */
  if (sections)
    {
      gboolean open = FALSE;

      json_builder_set_member_name (builder, "sections");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

          if (cab_timeline_item_is_header (item))
            {
              if (open)
                {
                  json_builder_end_array (builder);
                  json_builder_end_object (builder);
                }
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "title");
              json_builder_add_string_value (builder, cab_timeline_item_get_title (item));
              json_builder_set_member_name (builder, "documents");
              json_builder_begin_array (builder);
              open = TRUE;
            }
          else if (open)
            json_builder_add_string_value (builder, cab_timeline_item_get_id (item));
        }
      if (open)
        {
          json_builder_end_array (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  ctl_print_json (root);
}

int
ctl_timeline_main (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTimeline) timeline = NULL;
  g_autofree char *ins = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  const char *ins_arg = NULL;
  const char *text = NULL;
  gboolean json = FALSE;
  gboolean include_kos = FALSE;
  gboolean sections = FALSE;
  CabKindFilter kind = CAB_KIND_FILTER_ALL;
  TimelineData data = { 0 };
  CtlWait wait;
  gboolean loaded;
  int exit_code = CTL_EXIT_OK;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--include-kos"))
        include_kos = TRUE;
      else if (g_str_equal (argv[i], "--sections"))
        sections = TRUE;
      else if (ctl_is_help (argv[i]))
        {
          puts (usage_text);
          return CTL_EXIT_OK;
        }
      else if (g_str_equal (argv[i], "--kind") || g_str_equal (argv[i], "--from") ||
               g_str_equal (argv[i], "--to") || g_str_equal (argv[i], "--text"))
        {
          if (value == NULL)
            return ctl_fail (CTL_EXIT_USAGE, "timeline: %s needs a value", argv[i]);
          i++;
          if (g_str_equal (argv[i - 1], "--kind"))
            {
              if (!parse_kind_arg (value, &kind))
                return ctl_fail (CTL_EXIT_USAGE, "timeline: unknown kind '%s' (all, reports, lab, "
                                 "imaging, prescriptions, vaccination, other)", value);
            }
          else if (g_str_equal (argv[i - 1], "--text"))
            text = value;
          else
            {
              char **day = g_str_equal (argv[i - 1], "--from") ? &from : &to;

              g_free (*day);
              *day = parse_day_arg (value);
              if (*day == NULL)
                return ctl_fail (CTL_EXIT_USAGE, "timeline: '%s' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                                 value);
            }
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

  if (!ctl_run_in_thread (find_patient_thread, &data, &error))
    {
      if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
        return ctl_fail (CTL_EXIT_NOT_FOUND,
                         "unknown INS: no stored patient has this INS (run cabinetctl sync first?)");
      return ctl_fail_error (error, "cannot read the timeline");
    }

  /* The app's model, with the same filters and sections. */
  timeline = cab_timeline_new (data.store);
  cab_timeline_set_include_kos (timeline, include_kos);
  cab_timeline_set_sections (timeline, sections);
  cab_timeline_set_kind_filter (timeline, kind);
  cab_timeline_set_date_range (timeline, from, to);
  cab_timeline_set_text (timeline, text);
  cab_timeline_set_patient_id (timeline, data.patient->id);

  ctl_wait_init (&wait);
  cab_timeline_wait_async (timeline, NULL, ctl_async_cb, &wait);
  loaded = cab_timeline_wait_finish (timeline, ctl_wait (&wait), &error);
  ctl_wait_clear (&wait);
  if (!loaded || !ctl_run_in_thread (audit_thread, &data, &error))
    {
      cab_patient_row_free (data.patient);
      return ctl_fail_error (error, "cannot read the timeline");
    }

  if (json)
    print_json (data.patient, G_LIST_MODEL (timeline), sections);
  else
    print_text (G_LIST_MODEL (timeline));

  cab_patient_row_free (data.patient);
  return CTL_EXIT_OK;
}
