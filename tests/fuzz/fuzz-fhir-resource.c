/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-fhir"

/* Feeds arbitrary bytes through what a FHIR response goes through: parse,
 * flatten as a resource, flatten as a Bundle (from the tree, and cut out of
 * the text, which must say the same). Built with -fsanitize=fuzzer
 * it is a libFuzzer target; otherwise fuzz-replay.c's main() replays the
 * corpus through it, so CI keeps the corpus passing. */

#include <stdint.h>
#include <stdio.h>

#include "cab-fhir-resource.h"
#include "cab-test-json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);


/* NULL when json-glib refuses @json. */
static JsonNode *
parse_record_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

/* The records cut out of the text say what the tree's records say, and
 * their JSON reads back as the Bundle's resource. */
static void
check_from_text (JsonObject *object,
                 GPtrArray  *records,
                 const char *next_url,
                 guint       n_invalid,
                 GBytes     *bytes)
{
  g_autoptr(GPtrArray) cut = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) resources = NULL;
  g_autofree char *cut_next_url = NULL;
  guint cut_n_invalid = 0;

  cut = cab_fhir_bundle_get_records_from_text (object, bytes, &cut_next_url, &cut_n_invalid, &error);
  g_assert_true ((cut == NULL) == (records == NULL));
  if (cut == NULL)
    return;

  g_assert_cmpstr (cut_next_url, ==, next_url);
  g_assert_cmpuint (cut_n_invalid, ==, n_invalid);
  g_assert_cmpuint (cut->len, ==, records->len);
  resources = cab_test_json_recorded_resources (object);
  g_assert_cmpuint (resources->len, ==, records->len);
  for (guint i = 0; i < records->len; i++)
    {
      CabFhirRecord *a = g_ptr_array_index (records, i);
      CabFhirRecord *b = g_ptr_array_index (cut, i);
      g_autoptr(JsonNode) tree = parse_record_json (b->json);

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->type, ==, b->type);
      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->version_id, ==, b->version_id);
      g_assert_cmpstr (a->last_updated, ==, b->last_updated);
      g_assert_cmpstr (a->patient_id, ==, b->patient_id);
      /* json-glib 1.6 keeps a lone surrogate as invalid UTF-8 and writes
       * 1e308 as "1e+308.0": what the tree wrote may not read back, but
       * what was cut out must, unless it was written from the tree too. */
      if (tree == NULL)
        g_assert_cmpstr (a->json, ==, b->json);
      else
        g_assert_true (cab_test_json_nodes_equal (tree, g_ptr_array_index (resources, i)));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  root = cab_fhir_parse_bytes (bytes, &error);
  if (root == NULL)
    {
      g_assert_true (error != NULL && error->domain == CAB_FHIR_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  object = json_node_get_object (root);

  {
    g_autoptr(CabFhirRecord) record = NULL;
    g_autoptr(GError) record_error = NULL;

    record = cab_fhir_record_new_from_json (object, &record_error);
    g_assert_true ((record == NULL) != (record_error == NULL));
    if (record != NULL)
      g_assert_nonnull (record->json);
  }

  {
    g_autoptr(GPtrArray) records = NULL;
    g_autoptr(GError) bundle_error = NULL;
    g_autofree char *next_url = NULL;
    guint n_invalid = 0;

    records = cab_fhir_bundle_get_records (object, &next_url, &n_invalid, &bundle_error);
    g_assert_true ((records == NULL) != (bundle_error == NULL));
    check_from_text (object, records, next_url, n_invalid, bytes);
  }

  {
    g_autoptr(GError) outcome_error = cab_fhir_error_from_outcome (object, 400);

    g_assert_nonnull (outcome_error->message);
  }

  return 0;
}
