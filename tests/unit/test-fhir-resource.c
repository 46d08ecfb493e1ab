/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-fhir-resource"

#include <math.h>
#include <string.h>

#include "cab-fhir-resource.h"
#include "cab-test-json.h"

/* Fixtures are realistic FR Core resources in tests/data. Hostile inputs are
 * built here; the whole file runs under G_DEBUG=fatal-criticals, so a single
 * json-glib type-mismatch critical fails it. */

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("CABINET_TEST_DATA");
  g_autofree char *here = NULL;

  if (dir != NULL)
    return g_build_filename (dir, name, NULL);

  here = g_path_get_dirname (__FILE__);
  return g_build_filename (here, "..", "data", name, NULL);
}

static GBytes *
fixture_bytes (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static JsonNode *
fixture_node (const char *name)
{
  g_autoptr(GBytes) bytes = fixture_bytes (name);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = cab_fhir_parse_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return node;
}

static CabFhirRecord *
fixture_record (const char *name)
{
  g_autoptr(JsonNode) node = fixture_node (name);
  g_autoptr(GError) error = NULL;
  CabFhirRecord *record;

  record = cab_fhir_record_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_nonnull (record->json);

  return record;
}

static JsonNode *
parse_len (const char  *data,
           gsize        len,
           GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  return cab_fhir_parse_bytes (bytes, error);
}

static JsonNode *
parse_string (const char  *data,
              GError     **error)
{
  return parse_len (data, strlen (data), error);
}

static CabFhirRecord *
record_from_string (const char  *data,
                    GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) parse_error = NULL;

  node = parse_string (data, &parse_error);
  g_assert_no_error (parse_error);

  return cab_fhir_record_new_from_json (json_node_get_object (node), error);
}

/* ------------------------------------------------------------------------ */
/* Resources                                                                 */
/* ------------------------------------------------------------------------ */

static void
test_patient_ins (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("patient-ins.json");
  CabPatient *patient = record->patient;

  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_PATIENT);
  g_assert_cmpstr (record->type, ==, "Patient");
  g_assert_cmpstr (record->id, ==, "pat-0042");
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_cmpstr (record->version_id, ==, "3");
  g_assert_cmpstr (record->last_updated, ==, "2024-11-05T09:12:44.120+01:00");
  g_assert_null (record->observation_values);

  /* The NIR wins over the valid NIA listed before it. */
  g_assert_cmpstr (patient->ins, ==, "290032A00401234");
  g_assert_cmpstr (patient->ins_system, ==, CAB_SYSTEM_INS_NIR);
  g_assert_cmpstr (patient->identity_status, ==, "QUAL");
  g_assert_cmpstr (patient->family, ==, "DUPONT-ÉTIENNE");
  g_assert_cmpstr (patient->birth_name, ==, "MARTIN");
  g_assert_cmpstr (patient->given, ==, "Hélène Marie Josée");
  g_assert_cmpstr (patient->sex, ==, "female");
  g_assert_cmpstr (patient->birth_date, ==, "1990-03-21");
  g_assert_cmpstr (patient->birth_place, ==, "2A004");
  g_assert_cmpstr (patient->gp_reference, ==, "Practitioner/gp-1");

  /* The raw JSON is kept, compact, and parses back to the same resource. */
  g_assert_null (strchr (record->json, '\n'));
  {
    g_autoptr(JsonNode) again = parse_string (record->json, NULL);
    g_autoptr(JsonNode) original = fixture_node ("patient-ins.json");

    g_assert_nonnull (again);
    g_assert_true (json_node_equal (again, original));
  }
}

static void
test_patient_unqualified (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("patient-prov.json");
  CabPatient *patient = record->patient;

  /* The only INS has a wrong key: dropped, never stored. */
  g_assert_null (patient->ins);
  g_assert_null (patient->ins_system);
  g_assert_cmpstr (patient->identity_status, ==, "PROV");
  g_assert_cmpstr (patient->family, ==, "Bernard");
  g_assert_cmpstr (patient->birth_name, ==, "Moreau");
  g_assert_cmpstr (patient->given, ==, "Jean-Luc");
  g_assert_cmpstr (patient->sex, ==, "male");
  g_assert_cmpstr (patient->birth_date, ==, "1985-05");
  g_assert_cmpstr (patient->birth_place, ==, "69003");
  g_assert_null (patient->gp_reference);
}

static void
test_patient_ins_systems (void)
{
  g_autoptr(CabFhirRecord) spaced = NULL;
  g_autoptr(CabFhirRecord) test_system = NULL;
  g_autoptr(CabFhirRecord) unknown_status = NULL;

  spaced = record_from_string ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":["
                               "{\"system\":\"urn:oid:1.2.250.1.213.1.4.10\",\"value\":\"1 85 05 78 006 078 97\"}]}",
                               NULL);
  g_assert_cmpstr (spaced->patient->ins, ==, "185057800607897");
  g_assert_cmpstr (spaced->patient->ins_system, ==, CAB_SYSTEM_INS_NIR_TEST);

  /* An INS-looking value under another system is not an INS. */
  test_system = record_from_string ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":["
                                    "{\"system\":\"urn:oid:1.2.250.1.71.4.2.7\",\"value\":\"185057800607897\"},"
                                    "{\"system\":\"urn:oid:1.2.250.1.213.1.4.11\",\"value\":\"290032A00401234\"}]}",
                                    NULL);
  g_assert_cmpstr (test_system->patient->ins, ==, "290032A00401234");
  g_assert_cmpstr (test_system->patient->ins_system, ==, CAB_SYSTEM_INS_NIR_DEMO);

  unknown_status = record_from_string ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"extension\":[{\"url\":\""
                                       CAB_URL_IDENTITY_RELIABILITY "\",\"extension\":[{\"url\":\"identityStatus\","
                                       "\"valueCoding\":{\"code\":\"BOGUS\"}}]}],"
                                       "\"name\":[{\"family\":\"Sans-Usage\",\"given\":[\"A\",7,\"B\"]}]}",
                                       NULL);
  g_assert_null (unknown_status->patient->identity_status);
  g_assert_cmpstr (unknown_status->patient->family, ==, "Sans-Usage");
  g_assert_null (unknown_status->patient->birth_name);
  g_assert_cmpstr (unknown_status->patient->given, ==, "A B");
}

static void
test_document_report (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("document-report.json");
  CabDocument *doc = record->document;

  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_DOCUMENT_REFERENCE);
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_cmpstr (doc->status, ==, "current");
  g_assert_cmpstr (doc->type_code, ==, "11488-4");
  g_assert_cmpstr (doc->type_display, ==, "Compte rendu de consultation");
  g_assert_cmpstr (doc->category_code, ==, "10");
  g_assert_cmpstr (doc->title, ==, "CR consultation cardiologie 12/06/2024");
  g_assert_cmpstr (doc->description, ==, "Consultation de cardiologie");
  g_assert_cmpstr (doc->author_reference, ==, "Practitioner/pr-881");
  g_assert_cmpstr (doc->author_display, ==, "Dr Paul ORSINI");
  g_assert_cmpstr (doc->custodian_display, ==, "DMP");
  g_assert_cmpstr (doc->date, ==, "2024-06-12T14:00:00+02:00");
  g_assert_cmpstr (doc->period_start, ==, "2024-06-12T13:30:00+02:00");
  g_assert_cmpstr (doc->security_labels, ==, "N,INVISIBLE_PATIENT");
  g_assert_false (doc->is_archived);
  g_assert_cmpstr (doc->content_type, ==, "application/pdf");
  g_assert_cmpstr (doc->url, ==, "https://dmp.example/fhir/Binary/bin-0042-17");
  g_assert_cmpint (doc->size, ==, 183422);
  g_assert_cmpstr (doc->hash, ==, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  g_assert_null (doc->study_uid);
  g_assert_false (doc->is_kos);
  g_assert_cmpstr (doc->replaces_id, ==, "doc-0042-11");
}

static void
test_document_kos (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("document-kos.json");
  CabDocument *doc = record->document;

  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_true (doc->is_kos);
  g_assert_true (doc->is_archived);
  g_assert_cmpstr (doc->type_code, ==, "IMG-KOS");
  g_assert_cmpstr (doc->category_code, ==, "31");
  g_assert_cmpstr (doc->study_uid, ==, "1.2.250.1.999.7.20230930.42");
  g_assert_cmpstr (doc->security_labels, ==, "MASQUE_PS,N");
  g_assert_cmpstr (doc->author_reference, ==, "Organization/org-imagerie");
  g_assert_cmpstr (doc->author_display, ==, "Organization/org-imagerie");
  g_assert_null (doc->custodian_display);
  g_assert_cmpint (doc->size, ==, 5120);   /* integer64 as a string */
  /* No title, no description: the type's display stands in. */
  g_assert_cmpstr (doc->title, ==, "Référence d'objets d'un examen d'imagerie");
  g_assert_null (doc->replaces_id);
}

static void
test_observation_lab (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("observation-hba1c.json");
  CabObservationValue *value;

  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_OBSERVATION);
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_nonnull (record->observation_values);
  g_assert_cmpuint (record->observation_values->len, ==, 1);

  value = g_ptr_array_index (record->observation_values, 0);
  g_assert_cmpstr (value->code, ==, "4548-4");
  g_assert_cmpstr (value->display, ==, "Hémoglobine A1c/hémoglobine totale");
  g_assert_cmpstr (value->effective, ==, "2024-04-02T08:15:00+02:00");
  g_assert_cmpfloat_with_epsilon (value->value, 7.4, 1e-9);
  g_assert_cmpstr (value->unit, ==, "%");
  g_assert_null (value->value_string);
  g_assert_cmpfloat_with_epsilon (value->low, 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (value->high, 6.0, 1e-9);
  g_assert_cmpstr (value->interpretation, ==, "H");
  g_assert_cmpstr (value->document_id, ==, "doc-0042-lab-5");
}

static void
test_observation_panel (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("observation-bp.json");
  CabObservationValue *v;

  /* The panel itself has no value: one entry per valued component. */
  g_assert_cmpuint (record->observation_values->len, ==, 4);

  v = g_ptr_array_index (record->observation_values, 0);
  g_assert_cmpstr (v->code, ==, "8480-6");
  g_assert_cmpfloat (v->value, ==, 142);
  g_assert_cmpstr (v->unit, ==, "mmHg");
  g_assert_cmpstr (v->interpretation, ==, "H");
  g_assert_cmpstr (v->effective, ==, "2024-05-10T10:30:00+02:00");
  g_assert_true (isnan (v->low));
  g_assert_true (isnan (v->high));
  g_assert_null (v->document_id);

  v = g_ptr_array_index (record->observation_values, 1);
  g_assert_cmpstr (v->code, ==, "8462-4");
  g_assert_cmpfloat (v->value, ==, 88);
  g_assert_cmpstr (v->unit, ==, "mm[Hg]");
  g_assert_null (v->interpretation);

  v = g_ptr_array_index (record->observation_values, 2);
  g_assert_null (v->code);
  g_assert_cmpstr (v->display, ==, "Commentaire");
  g_assert_true (isnan (v->value));
  g_assert_cmpstr (v->value_string, ==, "Mesure au repos, bras gauche");

  v = g_ptr_array_index (record->observation_values, 3);
  g_assert_cmpstr (v->code, ==, "246153002");
  g_assert_cmpstr (v->value_string, ==, "Bras droit");
}

static void
test_condition (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("condition-ald.json");
  g_autoptr(CabFhirRecord) by_category = fixture_record ("condition-category-ald.json");

  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_CONDITION);
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_cmpstr (record->condition->code, ==, "E11");
  g_assert_cmpstr (record->condition->system, ==, "http://hl7.org/fhir/sid/icd-10");
  g_assert_cmpstr (record->condition->display, ==, "Diabète sucré de type 2");
  g_assert_cmpstr (record->condition->clinical_status, ==, "active");
  g_assert_cmpstr (record->condition->onset, ==, "2015-09-01");
  g_assert_true (record->condition->ald);

  /* No ICD-10 coding: the first one; no extension: the ALD category. */
  g_assert_cmpstr (by_category->condition->code, ==, "38341003");
  g_assert_cmpstr (by_category->condition->display, ==, "Hypertensive disorder");
  g_assert_cmpstr (by_category->condition->onset, ==, "2012");
  g_assert_true (by_category->condition->ald);
  g_assert_null (by_category->version_id);
}

static void
test_medication_request (void)
{
  g_autoptr(CabFhirRecord) record = fixture_record ("medication-request.json");
  CabMedicationRequest *mr = record->medication_request;

  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_MEDICATION_REQUEST);
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_cmpstr (mr->status, ==, "active");
  g_assert_cmpstr (mr->authored_on, ==, "2024-06-12");
  g_assert_cmpstr (mr->medication_code, ==, "60234100");
  g_assert_cmpstr (mr->medication_display, ==, "METFORMINE 1000 mg, comprimé pelliculé");
  g_assert_cmpstr (mr->dosage_text, ==, "1 comprimé matin et soir au milieu du repas; pendant 3 mois");
  g_assert_cmpstr (mr->requester_reference, ==, "Practitioner/gp-1");
}

static void
test_practitioner_organization (void)
{
  g_autoptr(CabFhirRecord) pr = fixture_record ("practitioner.json");
  g_autoptr(CabFhirRecord) org = fixture_record ("organization.json");

  g_assert_cmpint (pr->kind, ==, CAB_RESOURCE_PRACTITIONER);
  g_assert_null (pr->patient_id);
  g_assert_cmpstr (pr->practitioner->idnat_ps, ==, "810002345678");
  g_assert_cmpstr (pr->practitioner->rpps, ==, "10002345678");
  g_assert_cmpstr (pr->practitioner->family, ==, "LEROY");
  g_assert_cmpstr (pr->practitioner->given, ==, "Anne Sophie");
  g_assert_cmpstr (pr->practitioner->prefix, ==, "Dr");

  g_assert_cmpint (org->kind, ==, CAB_RESOURCE_ORGANIZATION);
  g_assert_cmpstr (org->organization->name, ==, "Cabinet médical des Îles Sanguinaires");
  g_assert_cmpstr (org->organization->identifier, ==, "3-2A0001234");
}

static void
test_other_resource (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFhirRecord) record = NULL;

  record = record_from_string ("{\"resourceType\":\"Consent\",\"id\":\"c-1\",\"meta\":{\"versionId\":\"7\"},"
                               "\"patient\":{\"reference\":\"Patient/pat-0042\"}}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_OTHER);
  g_assert_cmpstr (record->type, ==, "Consent");
  g_assert_cmpstr (record->version_id, ==, "7");
  g_assert_cmpstr (record->patient_id, ==, "pat-0042");
  g_assert_null (record->patient);
  g_assert_null (record->observation_values);
  g_clear_pointer (&record, cab_fhir_record_free);

  /* A subject that is not a Patient is no patient compartment. */
  record = record_from_string ("{\"resourceType\":\"List\",\"id\":\"l-1\",\"subject\":{\"reference\":\"Group/g1\"}}",
                               &error);
  g_assert_no_error (error);
  g_assert_null (record->patient_id);
}

static void
test_reference_id (void)
{
  static const struct {
    const char *reference;
    const char *id;
  } cases[] = {
    { "Patient/123", "123" },
    { "https://x/fhir/Patient/123/_history/2", "123" },
    { "https://x/fhir/Patient/123", "123" },
    { "Patient/123/", NULL },
    { "urn:uuid:0b4f6fe8-7a20-4a73-93a1-54cfd3c5e2b7", "0b4f6fe8-7a20-4a73-93a1-54cfd3c5e2b7" },
    { "#contained-1", NULL },
    { "urn:oid:1.2.3", NULL },
    { "Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|185057800607897", NULL },
    { "Patient/../../etc", NULL },
    { "Patient/a b", NULL },
    { "Patient/", NULL },
    { "patient/123", NULL },
    { "/123", NULL },
    { "123", "123" },
    { "", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = cab_fhir_reference_id (cases[i].reference);

      g_assert_cmpstr (id, ==, cases[i].id);
    }
}

/* ------------------------------------------------------------------------ */
/* Bundles and OperationOutcome                                              */
/* ------------------------------------------------------------------------ */

static void
test_bundle (void)
{
  g_autoptr(JsonNode) node = fixture_node ("bundle-searchset.json");
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_url = NULL;
  guint n_invalid = 99;
  CabFhirRecord *record;

  records = cab_fhir_bundle_get_records (json_node_get_object (node), &next_url, &n_invalid, &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);

  /* Patient, Consent, Observation; three bad entries; the outcome and the
   * deletion are neither records nor errors. */
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpuint (n_invalid, ==, 3);
  g_assert_cmpstr (next_url, ==, "https://dmp.example/fhir/DocumentReference?patient=pat-0042&_count=3&_page=2");

  record = g_ptr_array_index (records, 0);
  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_PATIENT);
  g_assert_cmpstr (record->patient->birth_name, ==, "MARTIN");
  record = g_ptr_array_index (records, 1);
  g_assert_cmpstr (record->type, ==, "Consent");
  record = g_ptr_array_index (records, 2);
  g_assert_cmpint (record->kind, ==, CAB_RESOURCE_OBSERVATION);
  g_assert_cmpstr (record->patient_id, ==, "0b4f6fe8-7a20-4a73-93a1-54cfd3c5e2b7");
  g_assert_cmpfloat (((CabObservationValue *) g_ptr_array_index (record->observation_values, 0))->value, ==, 81.5);
}

static void
test_bundle_edge_cases (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonNode) empty = parse_string ("{\"resourceType\":\"Bundle\",\"type\":\"history\",\"entry\":\"nope\","
                                            "\"link\":[{\"relation\":\"next\",\"url\":5},7]}", NULL);
  g_autoptr(JsonNode) patient = fixture_node ("patient-ins.json");
  g_autoptr(JsonNode) outcome = fixture_node ("operation-outcome.json");
  char *next_url = (char *) "untouched";
  guint n_invalid = 42;

  records = cab_fhir_bundle_get_records (json_node_get_object (empty), &next_url, &n_invalid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);
  g_assert_null (next_url);
  g_assert_cmpuint (n_invalid, ==, 0);
  g_clear_pointer (&records, g_ptr_array_unref);

  records = cab_fhir_bundle_get_records (json_node_get_object (patient), NULL, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
  g_clear_error (&error);

  records = cab_fhir_bundle_get_records (json_node_get_object (outcome), NULL, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_OUTCOME);
  g_assert_true (g_str_has_prefix (error->message, "The patient has blocked access"));
}

static void
test_outcome (void)
{
  g_autoptr(JsonNode) node = fixture_node ("operation-outcome.json");
  JsonObject *outcome = json_node_get_object (node);
  static const struct {
    guint status;
    int code;
  } statuses[] = {
    { 401, CAB_FHIR_ERROR_UNAUTHORIZED },
    { 403, CAB_FHIR_ERROR_FORBIDDEN },
    { 404, CAB_FHIR_ERROR_NOT_FOUND },
    { 410, CAB_FHIR_ERROR_NOT_FOUND },
    { 409, CAB_FHIR_ERROR_CONFLICT },
    { 412, CAB_FHIR_ERROR_CONFLICT },
    { 400, CAB_FHIR_ERROR_OUTCOME },
    { 422, CAB_FHIR_ERROR_OUTCOME },
    { 500, CAB_FHIR_ERROR_OUTCOME },
    { 0, CAB_FHIR_ERROR_OUTCOME },
  };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = cab_fhir_error_from_outcome (outcome, statuses[i].status);

      g_assert_error (error, CAB_FHIR_ERROR, statuses[i].code);
      /* The first error first, then the other issues in order. */
      g_assert_cmpstr (error->message, ==,
                       "The patient has blocked access to their record for this professional; "
                       "Search parameter _foo ignored; "
                       "Access mode normal not allowed; "
                       "processing");
    }
}

static void
test_outcome_degenerate (void)
{
  g_autoptr(JsonNode) empty = parse_string ("{\"resourceType\":\"OperationOutcome\",\"issue\":[1,\"x\",{\"severity\":5}]}", NULL);
  g_autoptr(JsonNode) huge_node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) huge = g_string_new ("{\"resourceType\":\"OperationOutcome\",\"issue\":[");

  error = cab_fhir_error_from_outcome (json_node_get_object (empty), 503);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_OUTCOME);
  g_assert_nonnull (strstr (error->message, "503"));
  g_clear_error (&error);

  error = cab_fhir_error_from_outcome (NULL, 404);
  g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A hostile server's novel-length diagnostics are cut. */
  for (guint i = 0; i < 100; i++)
    {
      g_string_append_printf (huge, "%s{\"severity\":\"error\",\"diagnostics\":\"", i > 0 ? "," : "");
      for (guint j = 0; j < 2000; j++)
        g_string_append (huge, "é");
      g_string_append (huge, "\"}");
    }
  g_string_append (huge, "]}");
  huge_node = parse_string (huge->str, NULL);
  error = cab_fhir_error_from_outcome (json_node_get_object (huge_node), 400);
  g_assert_cmpuint (strlen (error->message), <, 20000);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* ------------------------------------------------------------------------ */
/* Hostile input                                                             */
/* ------------------------------------------------------------------------ */

static void
test_required_fields (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"id\":\"x\"}", "resourceType" },
    { "{\"resourceType\":5,\"id\":\"x\"}", "resourceType" },
    { "{\"resourceType\":\"\",\"id\":\"x\"}", "resourceType" },
    { "{\"resourceType\":null,\"id\":\"x\"}", "resourceType" },
    { "{\"resourceType\":[\"Patient\"],\"id\":\"x\"}", "resourceType" },
    { "{\"resourceType\":\"Patient\"}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":12}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":\"\"}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":{\"value\":\"x\"}}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":\"../../x\"}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":\"a/b\"}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":\"..\"}", "id" },
    { "{\"resourceType\":\"Patient\",\"id\":\"01234567890123456789012345678901234567890123456789012345678901234\"}", "id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirRecord) record = record_from_string (cases[i].json, &error);

      g_assert_null (record);
      g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].field));
    }
}

static void
test_wrong_types (void)
{
  static const char * const cases[] = {
    "{\"resourceType\":\"Patient\",\"id\":\"p\",\"meta\":\"x\",\"identifier\":\"185057800607897\",\"name\":5,"
    "\"extension\":{\"url\":\"x\"},\"gender\":1,\"birthDate\":[],\"generalPractitioner\":{\"reference\":\"x\"}}",
    "{\"resourceType\":\"Patient\",\"id\":\"p\",\"identifier\":[null,1,\"x\",{\"system\":5,\"value\":[]},"
    "{\"system\":\"urn:oid:1.2.250.1.213.1.4.8\",\"value\":185057800607897}],\"name\":[null,{\"use\":\"official\","
    "\"family\":[\"x\"],\"given\":\"Jean\"}],\"extension\":[{\"url\":\"" CAB_URL_IDENTITY_RELIABILITY "\","
    "\"extension\":{\"url\":\"identityStatus\"}},{\"url\":\"" CAB_URL_BIRTH_PLACE "\",\"valueAddress\":"
    "{\"extension\":[{\"url\":7}],\"postalCode\":75001}}],\"generalPractitioner\":[{\"reference\":3}]}",
    "{\"resourceType\":\"DocumentReference\",\"id\":\"d\",\"type\":\"x\",\"category\":{},\"content\":[1,\"a\","
    "{\"attachment\":\"str\"},{\"attachment\":{\"size\":\"abc\",\"title\":false,\"url\":{}}}],\"context\":[],"
    "\"author\":\"str\",\"securityLabel\":[{\"coding\":{}},{\"coding\":[7,{\"code\":[]}]}],\"relatesTo\":[{\"code\":1,"
    "\"target\":\"x\"},{\"code\":\"replaces\",\"target\":{\"reference\":\"#c\"}}],\"extension\":[{\"url\":5},"
    "{\"url\":\"" CAB_URL_IS_ARCHIVED "\",\"valueBoolean\":\"true\"}],\"subject\":[]}",
    "{\"resourceType\":\"DocumentReference\",\"id\":\"d\",\"content\":[{\"attachment\":{\"size\":-5}}],"
    "\"context\":{\"period\":\"2024\",\"related\":{\"identifier\":1}},\"custodian\":\"DMP\"}",
    "{\"resourceType\":\"DocumentReference\",\"id\":\"d\",\"content\":[{\"attachment\":{\"size\":1e300}}],"
    "\"context\":{\"related\":[5,{\"identifier\":{\"system\":\"" CAB_SYSTEM_STUDY_UID "\",\"value\":5}}]}}",
    "{\"resourceType\":\"Observation\",\"id\":\"o\",\"code\":[],\"valueQuantity\":{\"value\":\"abc\",\"unit\":5},"
    "\"component\":\"x\",\"referenceRange\":[{\"low\":5,\"high\":{\"value\":null}}],\"effectivePeriod\":\"x\","
    "\"interpretation\":{},\"derivedFrom\":\"DocumentReference/x\"}",
    "{\"resourceType\":\"Observation\",\"id\":\"o\",\"component\":[1,null,{\"code\":\"x\",\"valueString\":5},"
    "{\"valueCodeableConcept\":\"x\"},{\"valueQuantity\":[]}],\"referenceRange\":\"x\",\"derivedFrom\":[{\"reference\":5}]}",
    "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":[],\"extension\":[{\"url\":\"" CAB_URL_CONDITION_ALD "\","
    "\"valueBoolean\":\"yes\"}],\"category\":[{\"coding\":[{\"code\":5}]}],\"clinicalStatus\":\"active\","
    "\"onsetDateTime\":20150901,\"onsetPeriod\":[]}",
    "{\"resourceType\":\"MedicationRequest\",\"id\":\"m\",\"dosageInstruction\":{},\"medicationCodeableConcept\":\"x\","
    "\"requester\":\"Practitioner/1\",\"authoredOn\":true,\"medicationReference\":5}",
    "{\"resourceType\":\"Practitioner\",\"id\":\"pr\",\"identifier\":[{\"system\":1,\"value\":{}}],"
    "\"name\":[null,1,{\"family\":[\"x\"],\"given\":{},\"prefix\":\"Dr\"}]}",
    "{\"resourceType\":\"Organization\",\"id\":\"org\",\"name\":5,\"identifier\":{}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirRecord) record = NULL;

      g_test_message ("case %u", i);
      record = record_from_string (cases[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_assert_nonnull (record->json);
    }

  /* Spot checks: bad fields are skipped, not guessed. */
  {
    g_autoptr(CabFhirRecord) record = record_from_string (cases[1], NULL);

    g_assert_null (record->patient->ins);
    g_assert_null (record->patient->family);
    g_assert_null (record->patient->given);
    g_assert_null (record->patient->identity_status);
    g_assert_null (record->patient->birth_place);
    g_assert_null (record->patient->gp_reference);
  }
  {
    g_autoptr(CabFhirRecord) record = record_from_string (cases[2], NULL);

    g_assert_cmpint (record->document->size, ==, -1);
    g_assert_false (record->document->is_archived);
    g_assert_null (record->document->replaces_id);
    g_assert_null (record->document->security_labels);
    g_assert_null (record->patient_id);
  }
  {
    g_autoptr(CabFhirRecord) record = record_from_string (cases[3], NULL);

    g_assert_cmpint (record->document->size, ==, -1);
  }
  {
    g_autoptr(CabFhirRecord) record = record_from_string (cases[5], NULL);
    CabObservationValue *value = g_ptr_array_index (record->observation_values, 0);

    g_assert_cmpuint (record->observation_values->len, ==, 1);
    g_assert_true (isnan (value->value));
    g_assert_true (isnan (value->low));
    g_assert_true (isnan (value->high));
    g_assert_null (value->document_id);
  }
  {
    g_autoptr(CabFhirRecord) record = record_from_string (cases[7], NULL);

    g_assert_false (record->condition->ald);
    g_assert_null (record->condition->onset);
  }
}

static JsonNode *
wrong_node (guint kind)
{
  JsonNode *node = json_node_alloc ();

  switch (kind)
    {
    case 0: return json_node_init_string (node, "x");
    case 1: return json_node_init_int (node, -7);
    case 2: return json_node_init_double (node, 1e308);
    case 3: return json_node_init_boolean (node, TRUE);
    case 4: return json_node_init_null (node);
    case 5:
      {
        g_autoptr(JsonObject) object = json_object_new ();

        return json_node_init_object (node, object);
      }
    case 6:
      {
        g_autoptr(JsonArray) array = json_array_new ();

        json_array_add_null_element (array);
        json_array_add_string_element (array, "y");
        return json_node_init_array (node, array);
      }
    default:
      g_assert_not_reached ();
    }
}

/* A deep copy of @node where the @target-th node (pre-order) is replaced by
 * a node of the wrong type @kind. */
static JsonNode *
mutated_copy (JsonNode *node,
              guint     target,
              guint     kind,
              guint    *counter)
{
  guint index = (*counter)++;

  if (index == target)
    {
      g_autoptr(JsonNode) skipped = NULL;
      guint unused = 0;

      /* Count the replaced subtree so the numbering stays the same. */
      skipped = mutated_copy (node, G_MAXUINT, 0, &unused);
      *counter += unused - 1;
      return wrong_node (kind);
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(JsonObject) copy = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (copy, l->data,
                                mutated_copy (json_object_get_member (object, l->data), target, kind, counter));
      return json_node_init_object (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, mutated_copy (json_array_get_element (array, i), target, kind, counter));
      return json_node_init_array (json_node_alloc (), copy);
    }

  return json_node_copy (node);
}

static gboolean
same_member (JsonObject *a,
             JsonObject *b,
             const char *name)
{
  JsonNode *na = json_object_get_member (a, name);
  JsonNode *nb = json_object_get_member (b, name);

  if (na == NULL || nb == NULL)
    return na == nb;
  return json_node_equal (na, nb);
}

/* Every node of every fixture, replaced in turn by every JSON type: the
 * flattening must succeed, or fail with INVALID when the node is the
 * resource's resourceType or id. */
static void
test_mutations (void)
{
  static const char * const fixtures[] = {
    "patient-ins.json", "patient-prov.json", "document-report.json", "document-kos.json",
    "observation-hba1c.json", "observation-bp.json", "condition-ald.json",
    "condition-category-ald.json", "medication-request.json", "practitioner.json",
    "organization.json", "bundle-searchset.json", "operation-outcome.json",
  };
  guint n_runs = 0;

  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autoptr(JsonNode) root = fixture_node (fixtures[f]);
      JsonObject *original;
      guint n_nodes = 0;

      json_node_unref (mutated_copy (root, G_MAXUINT, 0, &n_nodes));
      original = json_node_get_object (root);

      /* Node 0 is the root itself: it stays an object. */
      for (guint target = 1; target < n_nodes; target++)
        for (guint kind = 0; kind < 7; kind++)
          {
            g_autoptr(GError) error = NULL;
            g_autoptr(GError) bundle_error = NULL;
            g_autoptr(GError) outcome = NULL;
            g_autoptr(CabFhirRecord) record = NULL;
            g_autoptr(GPtrArray) records = NULL;
            g_autofree char *next_url = NULL;
            g_autoptr(JsonNode) mutated = NULL;
            JsonObject *object;
            guint counter = 0;
            guint n_invalid;
            gboolean is_required;

            mutated = mutated_copy (root, target, kind, &counter);
            g_assert_cmpuint (counter, ==, n_nodes);
            object = json_node_get_object (mutated);
            is_required = !same_member (object, original, "resourceType") ||
                          !same_member (object, original, "id");

            record = cab_fhir_record_new_from_json (object, &error);
            if (record == NULL)
              {
                g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
                g_assert_true (is_required || json_object_get_member (original, "id") == NULL);
              }
            else if (is_required)
              {
                /* "x" is a valid id and type name. */
                g_assert_cmpuint (kind, ==, 0);
              }

            records = cab_fhir_bundle_get_records (object, &next_url, &n_invalid, &bundle_error);
            g_assert_true ((records == NULL) != (bundle_error == NULL));
            outcome = cab_fhir_error_from_outcome (object, 500);
            g_assert_nonnull (outcome->message);
            n_runs++;
          }
    }

  g_test_message ("%u mutated resources flattened", n_runs);
  g_assert_cmpuint (n_runs, >, 1000);
}

static void
assert_parse_error (const char *data,
                    gssize      len,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse_len (data, len < 0 ? strlen (data) : (gsize) len, &error);

  g_assert_null (node);
  g_assert_error (error, CAB_FHIR_ERROR, code);
}

static char *
nested (char   open,
        char   close,
        guint  depth,
        const char *inner)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    {
      if (open == '{')
        g_string_append (out, "{\"a\":");
      else
        g_string_append_c (out, open);
    }
  g_string_append (out, inner);
  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, close);

  return g_string_free (out, FALSE);
}

static void
test_too_deep (void)
{
  g_autofree char *arrays = nested ('[', ']', 10000, "1");
  g_autofree char *objects = nested ('{', '}', 10000, "1");
  g_autofree char *unclosed = g_strnfill (100000, '[');
  g_autofree char *limit = nested ('{', '}', CAB_FHIR_MAX_DEPTH, "1");
  g_autofree char *over = nested ('{', '}', CAB_FHIR_MAX_DEPTH + 1, "1");
  g_autofree char *deep_resource = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  assert_parse_error (arrays, -1, CAB_FHIR_ERROR_TOO_DEEP);
  assert_parse_error (objects, -1, CAB_FHIR_ERROR_TOO_DEEP);
  assert_parse_error (unclosed, -1, CAB_FHIR_ERROR_TOO_DEEP);
  assert_parse_error (over, -1, CAB_FHIR_ERROR_TOO_DEEP);

  node = parse_string (limit, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);

  /* Deep nesting inside a resource's extension. */
  deep_resource = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"extension\":%s}", arrays);
  assert_parse_error (deep_resource, -1, CAB_FHIR_ERROR_TOO_DEEP);

  /* Brackets inside strings, escaped quotes included, do not count. */
  {
    g_autofree char *brackets = g_strnfill (10000, '[');
    g_autofree char *in_string = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"p\","
                                                  "\"text\":{\"div\":\"\\\"\\\\%s\\\"\"}}", brackets);

    node = parse_string (in_string, &error);
    g_assert_no_error (error);
    g_assert_nonnull (node);
  }
}

static void
test_large_string (void)
{
  const gsize size = 50 * 1024 * 1024;
  const char *head = "{\"resourceType\":\"Patient\",\"id\":\"big\",\"name\":[{\"use\":\"official\",\"family\":\"";
  const char *tail = "\"}]}";
  gsize head_len = strlen (head);
  gsize tail_len = strlen (tail);
  char *data = g_malloc (head_len + size + tail_len);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CabFhirRecord) record = NULL;

  memcpy (data, head, head_len);
  memset (data + head_len, 'A', size);
  memcpy (data + head_len + size, tail, tail_len);
  bytes = g_bytes_new_take (data, head_len + size + tail_len);

  node = cab_fhir_parse_bytes (bytes, &error);
  g_clear_pointer (&bytes, g_bytes_unref);
  if (node == NULL)
    {
      /* Refusing is allowed; crashing or a vague error is not. */
      g_assert_true (error->domain == CAB_FHIR_ERROR);
      return;
    }

  record = cab_fhir_record_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (record->patient->family), ==, size);
  g_assert_cmpuint (strlen (record->json), >, size);
}

static void
test_malformed (void)
{
  g_autoptr(GBytes) fixture = fixture_bytes ("patient-ins.json");
  gsize len;
  const char *data = g_bytes_get_data (fixture, &len);
  const char *last_brace = strrchr (data, '}');

  g_assert_nonnull (last_brace);

  /* Every truncation of a valid resource is refused. */
  for (gsize cut = 0; cut < (gsize) (last_brace - data); cut++)
    assert_parse_error (data, cut, CAB_FHIR_ERROR_PARSE);

  /* Invalid UTF-8: a lone continuation byte, an overlong '/', a surrogate, a NUL. */
  assert_parse_error ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"\x80\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"\xc0\xaf\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"\xed\xa0\x80\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"\xff\xfe\"}", -1, CAB_FHIR_ERROR_PARSE);
  {
    static const char with_nul[] = "{\"resourceType\":\"Patient\",\0\"id\":\"p\"}";

    assert_parse_error (with_nul, sizeof with_nul - 1, CAB_FHIR_ERROR_PARSE);
  }

  /* Not JSON at all, or broken JSON. */
  assert_parse_error ("", 0, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("   \n", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("<html><body>502 Bad Gateway</body></html>", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":1,}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":1}}}]]]", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("]]]]]]", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"unterminated", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"\\", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"\\uD800\"}", -1, CAB_FHIR_ERROR_PARSE);
  /* Lone surrogate halves, which json-glib would turn into invalid UTF-8. */
  assert_parse_error ("{\"a\":\"\\ud800-\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"\\uDBFF\\u0041\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"\\udc00x\"}", -1, CAB_FHIR_ERROR_PARSE);
  assert_parse_error ("{\"a\":\"x\\ud83d\"}", -1, CAB_FHIR_ERROR_PARSE);
  /* A pair, and an escaped backslash before "ud800" text, are fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) pair = parse_string ("{\"a\":\"\\ud83d\\ude00\"}", &error);
    g_autoptr(JsonNode) text = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (pair);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (pair), "a"), ==, "\xf0\x9f\x98\x80");
    text = parse_string ("{\"a\":\"\\\\ud800\"}", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (text), "a"), ==, "\\ud800");
  }

  /* JSON, but not an object. */
  assert_parse_error ("[{\"resourceType\":\"Patient\",\"id\":\"p\"}]", -1, CAB_FHIR_ERROR_INVALID);
  assert_parse_error ("42", -1, CAB_FHIR_ERROR_INVALID);
  assert_parse_error ("\"Patient\"", -1, CAB_FHIR_ERROR_INVALID);
  assert_parse_error ("null", -1, CAB_FHIR_ERROR_INVALID);

  /* The message says what happened, without quoting the payload. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = parse_string ("{\"family\": \"SECRETNAME\" oops}", &error);

    g_assert_null (node);
    g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "malformed JSON"));
    g_assert_null (strstr (error->message, "SECRETNAME"));
    g_assert_null (strstr (error->message, "oops"));
  }
}

/* ------------------------------------------------------------------------ */
/* Records cut out of the Bundle text                                       */
/* ------------------------------------------------------------------------ */

static void
test_nodes_equal (void)
{
  static const char * const differ[][2] = {
    { "{\"a\":1}", "{\"a\":1.0}" },
    { "{\"a\":1}", "{\"a\":2}" },
    { "{\"a\":\"x\"}", "{\"a\":\"y\"}" },
    { "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}" },
    { "{\"a\":1}", "{\"a\":1,\"b\":2}" },
    { "{\"a\":[1,[2]]}", "{\"a\":[1,[3]]}" },
    { "{\"a\":[1]}", "{\"a\":[1,1]}" },
    { "{\"a\":null}", "{\"a\":false}" },
    { "{\"a\":{}}", "{\"a\":[]}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (differ); i++)
    {
      g_autoptr(JsonNode) a = json_from_string (differ[i][0], NULL);
      g_autoptr(JsonNode) b = json_from_string (differ[i][1], NULL);
      g_autoptr(JsonNode) a2 = json_from_string (differ[i][0], NULL);

      g_assert_false (cab_test_json_nodes_equal (a, b));
      g_assert_true (cab_test_json_nodes_equal (a, a2));
    }
}

/* From the tree and from the text: same records, and each cut record's JSON
 * reads back as the resource. Returns the records from the text. */
static GPtrArray *
assert_same_records (JsonObject *bundle,
                     GBytes     *text)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) cut = NULL;
  g_autoptr(GPtrArray) resources = cab_test_json_recorded_resources (bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cut_error = NULL;
  g_autofree char *next_url = NULL;
  g_autofree char *cut_next_url = NULL;
  guint n_invalid = 0;
  guint cut_n_invalid = 0;

  records = cab_fhir_bundle_get_records (bundle, &next_url, &n_invalid, &error);
  g_assert_no_error (error);
  cut = cab_fhir_bundle_get_records_from_text (bundle, text, &cut_next_url, &cut_n_invalid, &cut_error);
  g_assert_no_error (cut_error);

  g_assert_cmpstr (cut_next_url, ==, next_url);
  g_assert_cmpuint (cut_n_invalid, ==, n_invalid);
  g_assert_cmpuint (cut->len, ==, records->len);
  g_assert_cmpuint (resources->len, ==, records->len);

  for (guint i = 0; i < records->len; i++)
    {
      CabFhirRecord *a = g_ptr_array_index (records, i);
      CabFhirRecord *b = g_ptr_array_index (cut, i);
      g_autoptr(JsonNode) tree = json_from_string (b->json, NULL);

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->type, ==, b->type);
      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->version_id, ==, b->version_id);
      g_assert_cmpstr (a->last_updated, ==, b->last_updated);
      g_assert_cmpstr (a->patient_id, ==, b->patient_id);
      if (a->kind == CAB_RESOURCE_PATIENT)
        {
          g_assert_cmpstr (a->patient->family, ==, b->patient->family);
          g_assert_cmpstr (a->patient->given, ==, b->patient->given);
        }
      if (a->kind == CAB_RESOURCE_OBSERVATION)
        g_assert_cmpuint (a->observation_values->len, ==, b->observation_values->len);

      /* json-glib 1.6 keeps a lone surrogate as invalid UTF-8, and writes
       * that: such JSON does not read back, and must come from the tree. */
      if (tree == NULL)
        g_assert_cmpstr (b->json, ==, a->json);
      else
        g_assert_true (cab_test_json_nodes_equal (tree, g_ptr_array_index (resources, i)));
    }

  return g_steal_pointer (&cut);
}

typedef enum
{
  CUT,          /* @marker, which the tree would not write, is in a record */
  WRITTEN,      /* every record written from the tree */
  NOT_PARSED,   /* cab_fhir_parse_bytes refuses it */
} CutExpect;

static void
assert_cut (const char *text,
            gssize      text_len,
            CutExpect   expect,
            const char *marker)
{
  gsize len = text_len < 0 ? strlen (text) : (gsize) text_len;
  /* A copy of exactly @len bytes, so that ASan sees reads past the end. */
  g_autoptr(GBytes) bytes = g_bytes_new (text, len);
  g_autoptr(GBytes) full = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) cut = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *copy = NULL;
  gboolean marked = FALSE;

  root = cab_fhir_parse_bytes (bytes, &error);
  if (expect == NOT_PARSED)
    {
      g_assert_null (root);
      g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE);
      return;
    }
  g_assert_no_error (error);

  cut = assert_same_records (json_node_get_object (root), bytes);
  records = cab_fhir_bundle_get_records (json_node_get_object (root), NULL, NULL, NULL);
  for (guint i = 0; i < cut->len; i++)
    {
      CabFhirRecord *a = g_ptr_array_index (records, i);
      CabFhirRecord *b = g_ptr_array_index (cut, i);

      if (expect == WRITTEN)
        g_assert_cmpstr (b->json, ==, a->json);
      if (marker != NULL && strstr (b->json, marker) != NULL)
        {
          g_assert_null (strstr (a->json, marker));
          marked = TRUE;
        }
    }
  g_assert_true (expect != CUT || marker == NULL || marked);

  /* Text that is not quite what the tree was parsed from: every prefix
   * (json-glib stops after a first object, so one may still be cut), and
   * every byte in turn made a NUL, on which the scan gives up. */
  copy = g_memdup2 (text, len);
  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (text, i);
      g_autoptr(GBytes) with_nul = NULL;
      g_autoptr(GPtrArray) from_prefix = assert_same_records (json_node_get_object (root), prefix);
      g_autoptr(GPtrArray) from_nul = NULL;
      char saved = copy[i];

      copy[i] = '\0';
      with_nul = g_bytes_new (copy, len);
      copy[i] = saved;

      from_nul = cab_fhir_bundle_get_records_from_text (json_node_get_object (root), with_nul,
                                                        NULL, NULL, NULL);
      g_assert_cmpuint (from_nul->len, ==, records->len);
      for (guint r = 0; r < records->len; r++)
        {
          const char *json = ((CabFhirRecord *) g_ptr_array_index (records, r))->json;

          g_assert_cmpstr (((CabFhirRecord *) g_ptr_array_index (from_nul, r))->json, ==, json);
        }
    }
}

#define CUT_PATIENT "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"2\"," \
                    "\"lastUpdated\":\"2024-01-01T00:00:00Z\"},\"name\":[{\"family\":\"Dupont\",\"given\":[\"Jean\"]}]}"
#define CUT_OBSERVATION "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"subject\":{\"reference\":\"Patient/p1\"}," \
                        "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\"}]}," \
                        "\"valueQuantity\":{\"value\":2.5e3,\"unit\":\"mg\"},\"x\":-0,\"y\":[true,false,null,1E-2,0.5,-12]}"
#define CUT_BUNDLE(entries) "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" entries "]," \
                            "\"link\":[{\"relation\":\"next\",\"url\":\"http://h/next\"}]}"

static void
test_cut_layouts (void)
{
  /* Compact, keys in any order around "resource". */
  assert_cut (CUT_BUNDLE ("{\"fullUrl\":\"http://h/Patient/p1\",\"resource\":" CUT_PATIENT ",\"search\":{\"mode\":\"match\"}},"
                          "{\"resource\":" CUT_OBSERVATION "}"), -1, CUT, "2.5e3");
  assert_cut (CUT_BUNDLE ("{\"resource\":" CUT_PATIENT ",\"fullUrl\":\"x\",\"search\":{\"mode\":\"include\"}},"
                          "{\"search\":{\"mode\":\"match\"},\"fullUrl\":\"y\",\"resource\":" CUT_OBSERVATION "}"),
              -1, CUT, "2.5e3");

  /* Pretty-printed with tabs and CRLF: the whitespace goes, not in strings. */
  {
    const char *text = "\r\n{ \"resourceType\" : \"Bundle\" ,\r\n\t\"entry\" : [ {\r\n\t\"resource\" :\t"
                       "{ \"resourceType\" : \"Patient\" ,\r\n\t\t\"id\":\"p1\", \"name\" : [ { \"family\" : \"A b\\t\" } ] }"
                       "\r\n} ,\n\t{ \"resource\" :\n" CUT_OBSERVATION "\n}\r\n]\r\n}\r\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
    g_autoptr(JsonNode) root = parse_string (text, NULL);
    g_autoptr(GPtrArray) cut = assert_same_records (json_node_get_object (root), bytes);

    g_assert_cmpstr (((CabFhirRecord *) g_ptr_array_index (cut, 0))->json, ==,
                     "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"A b\\t\"}]}");
    assert_cut (text, -1, CUT, "2.5e3");
  }

  /* Escapes are kept as sent. */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"e\":\"p\\u00e9\",\"name\":[{\"family\":"
                          "\"\\u00e9\\\"\\\\\\/ \\ud83d\\ude00\\uD83D\\uDE00\\b\\f\\n\\r\\t\"}]}}"),
              -1, CUT, "\\u00e9\\\"\\\\\\/ \\ud83d\\ude00");

  /* Braces, brackets and quotes inside strings, nested containers. */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p1\",\"n\":1E2,\"m\":\"p{\","
                          "\"text\":{\"div\":\"<div>}]{[\\\"}\\\\</div>\"},"
                          "\"extension\":[{\"url\":\"[{\\\"\",\"valueString\":\"]}\\\\\"},[[{}],[]],\"\\\\\"]}}"),
              -1, CUT, "1E2");

  /* json-glib 1.6 writes 1e308 as 1e+308.0: the text is kept. */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"big\":1e308}}"), -1, CUT, "1e308");

  /* json-glib reads these back as it read them from the Bundle: duplicate
   * keys inside a resource (the last one wins), raw control characters. */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"a\",\"id\":\"b\","
                          "\"meta\":{\"versionId\":\"1\",\"versionId\":\"2\"}}}"), -1, CUT, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"a\tb\"}}"), -1, CUT, "a\tb");

  /* No entries, entries without a resource or with something else. */
  assert_cut (CUT_BUNDLE (""), -1, CUT, NULL);
  assert_cut ("{\"resourceType\":\"Bundle\"}", -1, CUT, NULL);
  assert_cut (CUT_BUNDLE ("{\"request\":{\"method\":\"DELETE\",\"url\":\"Patient/x\"}},{\"fullUrl\":\"x\"},"
                          "{\"resource\":\"Patient\"},{\"resource\":[1]},{\"resource\":null},7,[],"
                          "{\"resource\":{\"resourceType\":\"Patient\"}},"
                          "{\"resource\":" CUT_PATIENT ",\"search\":{\"mode\":\"outcome\"}},"
                          "{\"resource\":" CUT_OBSERVATION "}"), -1, CUT, "2.5e3");
}

static void
test_cut_refused (void)
{
  static const char * const literals[] = {
    "0x1F", "0777", ".5", "1.", "-.5", "-0x10", "0b1", "99999999999999999999", "- 5", "$10",
  };
  /* And those cut out as they are; the tree writes the first ones otherwise. */
  static const char * const good_literals[] = {
    "-0", "1E-2", "2.5e+3", "12345678901234567890.5", "1e308", "0", "-0.0", "123456789012345678",
  };

  /* Keys the scan does not follow: the tree is written. */
  assert_cut (CUT_BUNDLE ("{\"res\\u006furce\":" CUT_PATIENT "},{\"fullUr\\u006c\":\"x\",\"resource\":" CUT_OBSERVATION "}"),
              -1, WRITTEN, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":" CUT_PATIENT ",\"resource\":" CUT_OBSERVATION "}"), -1, WRITTEN, NULL);
  assert_cut ("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":" CUT_PATIENT "}],"
              "\"entry\":[{\"resource\":" CUT_OBSERVATION "}]}", -1, WRITTEN, NULL);
  assert_cut ("{\"resourceType\":\"Bundle\",\"\\u0065ntry\":[{\"resource\":" CUT_OBSERVATION "}]}", -1, WRITTEN, NULL);

  /* What json-glib takes and JSON does not. */
  assert_cut ("\357\273\277" CUT_BUNDLE ("{\"resource\":" CUT_OBSERVATION "}"), -1, WRITTEN, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":" CUT_OBSERVATION "}") "{}", -1, WRITTEN, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":/* \" */" CUT_OBSERVATION "}"), -1, WRITTEN, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":'\"}'}}"), -1, WRITTEN, NULL);
  /* An escaped NUL is refused whole (see test_nul). */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\x41\\q\"}}"), -1, WRITTEN, NULL);
  /* json-glib reads a short \u escape past what follows; a lone surrogate is refused. */
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\u\",\"y\":1}}"), -1, WRITTEN, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\ud83dz\"}}"), -1, NOT_PARSED, NULL);
  assert_cut (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\ud83d\\\"\"}}"), -1, NOT_PARSED, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      g_autofree char *text = g_strdup_printf (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":[%s]}}"),
                                               literals[i]);

      assert_cut (text, -1, WRITTEN, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good_literals); i++)
    {
      g_autofree char *text = g_strdup_printf (CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":[%s]}}"),
                                               good_literals[i]);
      g_autofree char *marker = g_strdup_printf ("[%s]", good_literals[i]);

      assert_cut (text, -1, CUT, i < 5 ? marker : NULL);
    }

  /* Not parsed at all: the scan never sees these. */
  {
    const char nul[] = CUT_BUNDLE ("{\"resource\":{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"a\0b\"}}");

    assert_cut (nul, sizeof nul - 1, NOT_PARSED, NULL);
  }
  assert_cut (CUT_BUNDLE ("{\"resource\":" CUT_OBSERVATION "}") "x", -1, NOT_PARSED, NULL);
  assert_cut ("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":" CUT_OBSERVATION, -1, NOT_PARSED, NULL);
}

/* json-glib 1.6 cuts a string at an escaped NUL and gives no length: an id
 * "pat-1\u0000evil" became "pat-1" and replaced that patient. Any text with
 * a NUL in a string is refused; an escaped backslash before "u0000" is not
 * a NUL. */
static void
test_nul (void)
{
  static const char * const refused[] = {
    "{\"resourceType\":\"Patient\",\"id\":\"pat-1\\u0000evil\"}",
    "{\"resourceType\":\"Patient\",\"id\":\"pat-1\",\"name\":[{\"family\":\"Dupont\\u0000X\"}]}",
    "{\"resourceType\":\"Patient\",\"id\":\"pat-1\",\"identifier\":[{\"system\":\"" CAB_SYSTEM_INS_NIR "\","
    "\"value\":\"180037512345631\\u0000\"}]}",
    "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"subject\":{\"reference\":\"Patient/p1\\u0000x\"}}",
    "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"a\\u0000\"}}]}",
    "{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\\u0000y\":1}",
    "{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\\\\\u0000\"}",
  };
  static const char * const accepted[] = {
    "{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\\\u0000\"}",
    "{\"resourceType\":\"Basic\",\"id\":\"b\",\"x\":\"\\u0001 u0000 \\u1000\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse_string (refused[i], &error);

      g_assert_null (node);
      g_assert_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = parse_string (accepted[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
}

/* QUAL says "validated, with its INS": an INS refused by the key check (or
 * none) cannot leave the patient qualified. */
static void
test_qual_without_ins (void)
{
  static const char * const texts[] = {
    "{\"resourceType\":\"Patient\",\"id\":\"q1\",\"identifier\":[{\"system\":\"" CAB_SYSTEM_INS_NIR "\","
    "\"value\":\"180037512345600\"}],\"extension\":[{\"url\":\"" CAB_URL_IDENTITY_RELIABILITY "\","
    "\"extension\":[{\"url\":\"identityStatus\",\"valueCoding\":{\"code\":\"QUAL\"}}]}]}",
    "{\"resourceType\":\"Patient\",\"id\":\"q2\",\"extension\":[{\"url\":\"" CAB_URL_IDENTITY_RELIABILITY "\","
    "\"extension\":[{\"url\":\"identityStatus\",\"valueCoding\":{\"code\":\"QUAL\"}}]}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CabFhirRecord) record = record_from_string (texts[i], &error);

      g_assert_no_error (error);
      g_assert_null (record->patient->ins);
      g_assert_cmpstr (record->patient->identity_status, ==, "VALI");
    }
}

/* The rule for ids typed by a user or taken from a server's answer. */
static void
test_id_is_valid (void)
{
  static const char * const valid[] = { "a", "pat-1", "1.2.3", "A-b.C", "..a", ".a" };
  static const char * const invalid[] = { "", ".", "..", "a/b", "a b", "a?b", "é", "%2e",
    "12345678901234567890123456789012345678901234567890123456789012345" };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (cab_fhir_id_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_false (cab_fhir_id_is_valid (invalid[i]));
  g_assert_false (cab_fhir_id_is_valid (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir-resource/patient/ins", test_patient_ins);
  g_test_add_func ("/fhir-resource/patient/unqualified", test_patient_unqualified);
  g_test_add_func ("/fhir-resource/patient/ins-systems", test_patient_ins_systems);
  g_test_add_func ("/fhir-resource/document/report", test_document_report);
  g_test_add_func ("/fhir-resource/document/kos", test_document_kos);
  g_test_add_func ("/fhir-resource/observation/lab", test_observation_lab);
  g_test_add_func ("/fhir-resource/observation/panel", test_observation_panel);
  g_test_add_func ("/fhir-resource/condition", test_condition);
  g_test_add_func ("/fhir-resource/medication-request", test_medication_request);
  g_test_add_func ("/fhir-resource/practitioner-organization", test_practitioner_organization);
  g_test_add_func ("/fhir-resource/other", test_other_resource);
  g_test_add_func ("/fhir-resource/reference-id", test_reference_id);
  g_test_add_func ("/fhir-resource/bundle/searchset", test_bundle);
  g_test_add_func ("/fhir-resource/bundle/edge-cases", test_bundle_edge_cases);
  g_test_add_func ("/fhir-resource/bundle/nodes-equal", test_nodes_equal);
  g_test_add_func ("/fhir-resource/bundle/cut-layouts", test_cut_layouts);
  g_test_add_func ("/fhir-resource/bundle/cut-refused", test_cut_refused);
  g_test_add_func ("/fhir-resource/outcome/issues", test_outcome);
  g_test_add_func ("/fhir-resource/outcome/degenerate", test_outcome_degenerate);
  g_test_add_func ("/fhir-resource/hostile/required-fields", test_required_fields);
  g_test_add_func ("/fhir-resource/hostile/wrong-types", test_wrong_types);
  g_test_add_func ("/fhir-resource/hostile/mutations", test_mutations);
  g_test_add_func ("/fhir-resource/hostile/too-deep", test_too_deep);
  g_test_add_func ("/fhir-resource/hostile/large-string", test_large_string);
  g_test_add_func ("/fhir-resource/hostile/malformed", test_malformed);
  g_test_add_func ("/fhir-resource/hostile/nul", test_nul);
  g_test_add_func ("/fhir-resource/hostile/id-rule", test_id_is_valid);
  g_test_add_func ("/fhir-resource/patient/qual-without-ins", test_qual_without_ins);

  return g_test_run ();
}
