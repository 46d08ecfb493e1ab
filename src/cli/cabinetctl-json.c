/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The --json formats: key names are a stable interface (docs/cabinetctl.md). */
#define G_LOG_DOMAIN "cabinetctl"

#include <stdio.h>
#include <string.h>

#include "cab-date-format.h"
#include "cabinetctl-private.h"

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
ctl_patient_to_json (const CabPatientRow *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const CabPatient *patient = &row->patient;

  json_builder_begin_object (builder);
  add_string (builder, "id", row->id);
  add_string (builder, "ins", patient->ins);
  add_string (builder, "ins_system", patient->ins_system);
  add_string (builder, "identity_status", patient->identity_status);
  add_string (builder, "family", patient->family);
  add_string (builder, "birth_name", patient->birth_name);
  add_string (builder, "given", patient->given);
  add_string (builder, "sex", patient->sex);
  add_string (builder, "birth_date", patient->birth_date);
  add_string (builder, "birth_place", patient->birth_place);
  add_string (builder, "general_practitioner", patient->gp_reference);
  add_string (builder, "last_updated", row->last_updated);
  json_builder_set_member_name (builder, "ins_duplicate");
  json_builder_add_boolean_value (builder, row->ins_duplicate);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
ctl_document_to_json (const CabDocumentRow *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const CabDocument *document = &row->document;
  gboolean cached = row->local_path != NULL && g_file_test (row->local_path, G_FILE_TEST_IS_REGULAR);

  json_builder_begin_object (builder);
  add_string (builder, "id", row->id);
  add_string (builder, "date", row->sort_date != NULL ? row->sort_date : document->date);
  add_string (builder, "type_code", document->type_code);
  add_string (builder, "type_display", document->type_display);
  add_string (builder, "category", document->category_code);
  add_string (builder, "title", document->title);
  add_string (builder, "author", document->author_display != NULL ? document->author_display
                                                                  : document->author_reference);
  add_string (builder, "custodian", document->custodian_display);
  add_string (builder, "status", document->status);

  json_builder_set_member_name (builder, "security_labels");
  json_builder_begin_array (builder);
  if (document->security_labels != NULL)
    {
      g_auto(GStrv) labels = g_strsplit (document->security_labels, ",", -1);

      for (guint i = 0; labels[i] != NULL; i++)
        {
          g_strstrip (labels[i]);
          if (labels[i][0] != '\0')
            json_builder_add_string_value (builder, labels[i]);
        }
    }
  json_builder_end_array (builder);

  add_string (builder, "content_type", document->content_type);
  json_builder_set_member_name (builder, "size");
  if (document->size >= 0)
    json_builder_add_int_value (builder, document->size);
  else
    json_builder_add_null_value (builder);
  add_string (builder, "sha1", document->hash);
  add_string (builder, "study_uid", document->study_uid);
  add_string (builder, "kos_id", row->kos_id);
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, cached);
  add_string (builder, "url", document->url);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
ctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}

char *
ctl_format_date_fr (const char *date)
{
  /* The app's formatter: a zoned time is shown on the local calendar day. */
  char *text = cab_date_format_day (date, NULL);

  return text != NULL ? text : g_strdup ("");
}
