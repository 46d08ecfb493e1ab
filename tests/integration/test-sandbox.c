/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-test-sandbox"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cab-test-sandbox.h"

/* The HTTP API of cabinet-sandbox, exercised over real HTTP(S). */

static CabTestSandbox *sandbox;

#define PDF_URL_PREFIX "Binary/"

/* ------------------------------------------------------------- helpers */

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A request that must answer @expected; its JSON body. */
static JsonObject *
call (const char *method, const char *path, const char *body, guint expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint status = 0;

  text = cab_test_sandbox_call (sandbox, method, path, body, &status, &error);
  g_assert_no_error (error);
  if (status != expected)
    g_test_message ("%s %s -> %u: %s", method, path, status, text);
  g_assert_cmpuint (status, ==, expected);
  return parse (text);
}

/* Full control: extra headers; returns the body and headers. */
static GBytes *
request (const char *method, const char *path, const char * const *headers,
         const char *content_type, const char *body, guint expected, GHashTable **out_headers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request_body = body ? g_bytes_new (body, strlen (body)) : NULL;
  GBytes *bytes;
  guint status = 0;

  bytes = cab_test_sandbox_request (sandbox, method, path, headers, content_type, request_body,
                                    &status, out_headers, &error);
  g_assert_no_error (error);
  if (status != expected)
    g_test_message ("%s %s -> %u: %.*s", method, path, status,
                    (int) g_bytes_get_size (bytes), (const char *) g_bytes_get_data (bytes, NULL));
  g_assert_cmpuint (status, ==, expected);
  return bytes;
}

static JsonObject *
bytes_json (GBytes *bytes)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return parse (text);
}

static void
assert_outcome (JsonObject *o, const char *needle)
{
  JsonArray *issues;
  JsonObject *issue;

  g_assert_cmpstr (json_object_get_string_member (o, "resourceType"), ==, "OperationOutcome");
  issues = json_object_get_array_member (o, "issue");
  g_assert_cmpuint (json_array_get_length (issues), >=, 1);
  issue = json_array_get_object_element (issues, 0);
  g_assert_true (json_object_has_member (issue, "severity"));
  g_assert_true (json_object_has_member (issue, "code"));
  if (needle != NULL)
    g_assert_nonnull (strstr (json_object_get_string_member (issue, "diagnostics"), needle));
}

static gint64
bundle_total (JsonObject *bundle)
{
  g_assert_cmpstr (json_object_get_string_member (bundle, "resourceType"), ==, "Bundle");
  return json_object_get_int_member (bundle, "total");
}

static guint
bundle_n_entries (JsonObject *bundle)
{
  if (!json_object_has_member (bundle, "entry"))
    return 0;
  return json_array_get_length (json_object_get_array_member (bundle, "entry"));
}

static JsonObject *
bundle_resource (JsonObject *bundle, guint i)
{
  JsonArray *entries = json_object_get_array_member (bundle, "entry");
  return json_object_get_object_member (json_array_get_object_element (entries, i), "resource");
}

/* The path (from the server root) of a bundle's next link, or NULL. */
static char *
next_path (JsonObject *bundle)
{
  JsonArray *links = json_object_get_array_member (bundle, "link");

  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      if (g_str_equal (json_object_get_string_member (link, "relation"), "next"))
        {
          const char *url = json_object_get_string_member (link, "url");
          const char *p = strstr (url, "/fhir/");
          g_assert_nonnull (p);
          return g_strdup (p);
        }
    }
  return NULL;
}

static char *
create_patient (const char *nir)
{
  g_autofree char *body = g_strdup_printf (
      "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:1.2.250.1.213.1.4.8\",\"value\":\"%s\"}],"
      "\"name\":[{\"family\":\"Test\"}],\"generalPractitioner\":[{\"reference\":\"Practitioner/gp-1\"}]}", nir);
  g_autoptr(JsonObject) patient = call ("POST", "/fhir/Patient", body, 201);

  return g_strdup (json_object_get_string_member (patient, "id"));
}

static char *
create_observation (const char *patient, const char *date, const char *code)
{
  g_autofree char *body = g_strdup_printf (
      "{\"resourceType\":\"Observation\",\"status\":\"final\","
      "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\"}]},"
      "\"subject\":{\"reference\":\"Patient/%s\"},\"effectiveDateTime\":\"%s\","
      "\"valueQuantity\":{\"value\":7.1,\"unit\":\"%%\"}}", code, patient, date);
  g_autoptr(JsonObject) obs = call ("POST", "/fhir/Observation", body, 201);

  return g_strdup (json_object_get_string_member (obs, "id"));
}

static char *
sha1_base64 (GBytes *bytes)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (sum, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_checksum_get_digest (sum, digest, &len);
  return g_base64_encode (digest, len);
}

/* ------------------------------------------------------------- tests */

static void
test_auth (void)
{
  const char *none[] = { "Authorization:", NULL };
  const char *wrong[] = { "Authorization: Bearer nope", NULL };
  g_autoptr(GBytes) a = request ("GET", "/fhir/Patient?_count=1", none, NULL, NULL, 401, NULL);
  g_autoptr(GBytes) b = request ("GET", "/fhir/Patient?_count=1", wrong, NULL, NULL, 401, NULL);
  g_autoptr(GBytes) c = request ("GET", "/admin/health", none, NULL, NULL, 401, NULL);
  g_autoptr(JsonObject) oa = bytes_json (a);
  g_autoptr(JsonObject) ob = bytes_json (b);
  g_autoptr(JsonObject) health = call ("GET", "/admin/health", NULL, 200);

  assert_outcome (oa, "token");
  assert_outcome (ob, "token");
  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "ok");
}

static void
test_read_etag (void)
{
  g_autofree char *id = create_patient ("180017512345678");
  g_autofree char *path = g_strdup_printf ("/fhir/Patient/%s", id);
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(GBytes) body = request ("GET", path, NULL, NULL, NULL, 200, &headers);
  g_autoptr(JsonObject) patient = bytes_json (body);
  g_autoptr(JsonObject) missing = call ("GET", "/fhir/Patient/does-not-exist", NULL, 404);
  g_autoptr(JsonObject) unknown = call ("GET", "/fhir/Banana/1", NULL, 404);
  JsonObject *meta = json_object_get_object_member (patient, "meta");

  g_assert_cmpstr (g_hash_table_lookup (headers, "etag"), ==, "W/\"1\"");
  g_assert_nonnull (g_hash_table_lookup (headers, "last-modified"));
  g_assert_true (g_str_has_prefix (g_hash_table_lookup (headers, "content-type"), "application/fhir+json"));
  g_assert_cmpstr (json_object_get_string_member (meta, "versionId"), ==, "1");
  g_assert_nonnull (json_object_get_string_member (meta, "lastUpdated"));
  assert_outcome (missing, NULL);
  assert_outcome (unknown, NULL);
}

static void
test_search_dates (void)
{
  g_autofree char *patient = create_patient ("290017512345622");
  const char *dates[] = { "2020-01-15", "2020-06-01T10:00:00Z", "2021-03-03", "2022-12-31T23:00:00+01:00" };
  struct { const char *query; gint64 expected; } cases[] = {
    { "date=2020", 2 },
    { "date=eq2020-06", 1 },
    { "date=ge2021", 2 },
    { "date=gt2021-03-03", 1 },
    { "date=lt2020-06-01T10:00:00Z", 1 },
    { "date=le2020-06-01T10:00:00Z", 2 },
    { "date=ge2020-02&date=lt2022", 2 },
    { "date=2020-01-15,2021-03-03", 2 },
    { "date=ne2020", 2 },
    { "date=2022-12-31", 1 },
    { "code=http://loinc.org|4548-4", 3 },
    { "code=4548-4,8480-6", 4 },
    { "code=http://snomed.info/sct|4548-4", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    g_free (create_observation (patient, dates[i], i == 1 ? "8480-6" : "4548-4"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fhir/Observation?patient=Patient/%s&%s", patient, cases[i].query);
      g_autoptr(JsonObject) bundle = call ("GET", path, NULL, 200);

      g_test_message ("%s", cases[i].query);
      g_assert_cmpint (bundle_total (bundle), ==, cases[i].expected);
    }

  {
    g_autofree char *path = g_strdup_printf ("/fhir/Observation?subject=%s&_sort=-date", patient);
    g_autoptr(JsonObject) bundle = call ("GET", path, NULL, 200);
    g_assert_cmpuint (bundle_n_entries (bundle), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (bundle_resource (bundle, 0), "effectiveDateTime"), ==,
                     "2022-12-31T23:00:00+01:00");
    g_assert_cmpstr (json_object_get_string_member (bundle_resource (bundle, 3), "effectiveDateTime"), ==,
                     "2020-01-15");
  }
  {
    g_autofree char *path = g_strdup_printf ("/fhir/Observation?patient=%s&_summary=count", patient);
    g_autoptr(JsonObject) bundle = call ("GET", path, NULL, 200);
    g_assert_cmpint (bundle_total (bundle), ==, 4);
    g_assert_cmpuint (bundle_n_entries (bundle), ==, 0);
  }
  {
    g_autoptr(JsonObject) o = call ("GET", "/fhir/Observation?colour=blue", NULL, 400);
    g_autoptr(JsonObject) d = call ("GET", "/fhir/Observation?date=yesterday", NULL, 400);
    g_autoptr(JsonObject) dmp = call ("GET", "/fhir/DocumentReference?status=current", NULL, 400);
    assert_outcome (o, "colour");
    assert_outcome (d, NULL);
    assert_outcome (dmp, "patient");
  }
}

/* Keyset paging: resources updated between pages move to the end (sorted by
 * _lastUpdated) and are met again; nothing is skipped. */
static void
test_paging_stable (void)
{
  g_autofree char *patient = create_patient ("170017512345699");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = NULL;
  guint pages = 0, entries = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *date = g_strdup_printf ("2023-01-%02u", i + 1);
      g_ptr_array_add (ids, create_observation (patient, date, "4548-4"));
    }

  path = g_strdup_printf ("/fhir/Observation?patient=%s&_sort=_lastUpdated&_count=3", patient);
  while (path != NULL)
    {
      g_autoptr(JsonObject) bundle = call ("GET", path, NULL, 200);

      g_assert_cmpint (bundle_total (bundle), ==, 10);
      for (guint i = 0; i < bundle_n_entries (bundle); i++)
        {
          const char *id = json_object_get_string_member (bundle_resource (bundle, i), "id");
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, id));
          g_hash_table_insert (seen, g_strdup (id), GUINT_TO_POINTER (n + 1));
          entries++;
        }
      if (pages == 0)
        {
          /* Update one already seen and one not yet seen. */
          for (guint k = 0; k < 2; k++)
            {
              const char *id = g_ptr_array_index (ids, k == 0 ? 0 : 8);
              g_autofree char *p = g_strdup_printf ("/fhir/Observation/%s", id);
              g_autoptr(JsonObject) obs = call ("GET", p, NULL, 200);
              g_autofree char *text = NULL;

              json_object_set_string_member (obs, "status", "amended");
              {
                g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
                json_node_set_object (node, obs);
                text = json_to_string (node, FALSE);
              }
              g_autoptr(JsonObject) updated = call ("PUT", p, text, 200);
            }
        }
      g_free (path);
      path = next_path (bundle);
      pages++;
      g_assert_cmpuint (pages, <, 20);
    }

  for (guint i = 0; i < ids->len; i++)
    g_assert_true (g_hash_table_contains (seen, g_ptr_array_index (ids, i)));
  /* The one updated after being seen comes again at the end. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, g_ptr_array_index (ids, 0))), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, g_ptr_array_index (ids, 8))), ==, 1);
  g_assert_cmpuint (entries, ==, 11);
}

static void
test_last_updated (void)
{
  g_autofree char *patient = create_patient ("180017512345111");
  g_autofree char *first = create_observation (patient, "2024-01-01", "4548-4");
  g_autofree char *path = g_strdup_printf ("/fhir/Observation/%s", first);
  g_autoptr(JsonObject) obs = call ("GET", path, NULL, 200);
  const char *last = json_object_get_string_member (json_object_get_object_member (obs, "meta"), "lastUpdated");
  g_autofree char *second = create_observation (patient, "2024-02-01", "4548-4");
  g_autofree char *escaped = g_uri_escape_string (last, NULL, FALSE);
  g_autofree char *q1 = g_strdup_printf ("/fhir/Observation?patient=%s&_lastUpdated=gt%s", patient, escaped);
  g_autofree char *q2 = g_strdup_printf ("/fhir/Observation?patient=%s&_lastUpdated=le%s", patient, escaped);
  g_autoptr(JsonObject) after = call ("GET", q1, NULL, 200);
  g_autoptr(JsonObject) before = call ("GET", q2, NULL, 200);

  g_assert_cmpint (bundle_total (after), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (bundle_resource (after, 0), "id"), ==, second);
  g_assert_cmpint (bundle_total (before), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (bundle_resource (before, 0), "id"), ==, first);
}

static void
test_conditional_create (void)
{
  const char *body = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:oid:1.2.250.1.213.1.4.8\","
                     "\"value\":\"299017512345644\"}]}";
  const char *cond[] = { "If-None-Exist: identifier=urn:oid:1.2.250.1.213.1.4.8|299017512345644", NULL };
  g_autoptr(GBytes) a = request ("POST", "/fhir/Patient", cond, "application/fhir+json", body, 201, NULL);
  g_autoptr(GBytes) b = request ("POST", "/fhir/Patient", cond, "application/fhir+json", body, 200, NULL);
  g_autoptr(JsonObject) pa = bytes_json (a);
  g_autoptr(JsonObject) pb = bytes_json (b);
  g_autoptr(JsonObject) bundle = call ("GET", "/fhir/Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|299017512345644",
                                       NULL, 200);

  g_assert_cmpstr (json_object_get_string_member (pa, "id"), ==, json_object_get_string_member (pb, "id"));
  g_assert_cmpint (bundle_total (bundle), ==, 1);

  /* A second copy created without condition: the condition is now ambiguous. */
  {
    g_autoptr(JsonObject) dup = call ("POST", "/fhir/Patient", body, 201);
    g_autoptr(GBytes) c = request ("POST", "/fhir/Patient", cond, "application/fhir+json", body, 412, NULL);
    g_autoptr(JsonObject) oc = bytes_json (c);
    assert_outcome (oc, NULL);
  }
}

static void
test_if_match (void)
{
  g_autofree char *id = create_patient ("180017512345222");
  g_autofree char *path = g_strdup_printf ("/fhir/Patient/%s", id);
  g_autofree char *body = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"%s\",\"gender\":\"female\"}", id);
  const char *v1[] = { "If-Match: W/\"1\"", NULL };
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(GBytes) ok = request ("PUT", path, v1, "application/fhir+json", body, 200, &headers);
  g_autoptr(GBytes) stale = request ("PUT", path, v1, "application/fhir+json", body, 412, NULL);
  g_autoptr(JsonObject) outcome = bytes_json (stale);
  g_autoptr(JsonObject) current = call ("GET", path, NULL, 200);

  g_assert_cmpstr (g_hash_table_lookup (headers, "etag"), ==, "W/\"2\"");
  assert_outcome (outcome, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (current, "meta"), "versionId"),
                   ==, "2");
  g_assert_cmpstr (json_object_get_string_member (current, "gender"), ==, "female");

  /* Update as create, and a mismatching id. */
  {
    g_autoptr(JsonObject) created = call ("PUT", "/fhir/Patient/made-by-put",
                                          "{\"resourceType\":\"Patient\",\"id\":\"made-by-put\"}", 201);
    g_autoptr(JsonObject) bad = call ("PUT", "/fhir/Patient/other",
                                      "{\"resourceType\":\"Patient\",\"id\":\"made-by-put\"}", 400);
    assert_outcome (bad, NULL);
  }
}

static char *
document_body (const char *patient, const char *binary_url, const char *identifier)
{
  return g_strdup_printf (
      "{\"resourceType\":\"DocumentReference\",\"status\":\"current\","
      "\"masterIdentifier\":{\"system\":\"urn:ietf:rfc:3986\",\"value\":\"%s\"},"
      "\"type\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"11488-4\"}]},"
      "\"category\":[{\"coding\":[{\"system\":\"urn:oid:1.2.250.1.213.1.1.4.1\",\"code\":\"10\"}]}],"
      "\"subject\":{\"reference\":\"Patient/%s\"},\"date\":\"2024-05-01T10:00:00Z\","
      "\"securityLabel\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-Confidentiality\",\"code\":\"N\"}]}],"
      "\"content\":[{\"attachment\":{\"contentType\":\"application/pdf\",\"url\":\"%s\",\"title\":\"CR\"}}],"
      "\"context\":{\"period\":{\"start\":\"2024-05-01\"}}}", identifier, patient, binary_url);
}

static void
test_patch (void)
{
  g_autofree char *patient = create_patient ("180017512345333");
  g_autofree char *body = document_body (patient, "Binary/none", "urn:oid:1.2.3.4");
  g_autoptr(JsonObject) doc = call ("POST", "/fhir/DocumentReference", body, 201);
  const char *id = json_object_get_string_member (doc, "id");
  g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference/%s", id);
  g_autofree char *ppath = g_strdup_printf ("/fhir/Patient/%s", patient);
  const char *mask = "[{\"op\":\"add\",\"path\":\"/securityLabel/-\",\"value\":{\"coding\":[{"
                     "\"system\":\"urn:oid:1.2.250.1.213.1.1.4.13\",\"code\":\"MASQUE_PS\"}]}},"
                     "{\"op\":\"add\",\"path\":\"/extension\",\"value\":[{\"url\":"
                     "\"http://esante.gouv.fr/ci-sis/fhir/StructureDefinition/PDSm_isArchived\",\"valueBoolean\":true}]}]";
  const char *status = "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"superseded\"}]";
  const char *subject = "[{\"op\":\"replace\",\"path\":\"/subject/reference\",\"value\":\"Patient/x\"}]";
  const char *v1[] = { "If-Match: W/\"1\"", NULL };
  const char *v2[] = { "If-Match: W/\"2\"", NULL };
  const char *jp = "application/json-patch+json";

  {
    g_autoptr(GBytes) r = request ("PATCH", path, v1, jp, mask, 200, NULL);
    g_autoptr(JsonObject) o = bytes_json (r);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "securityLabel")), ==, 2);
  }
  {
    g_autoptr(GBytes) r = request ("PATCH", path, v1, jp, status, 412, NULL);
    g_autoptr(GBytes) s = request ("PATCH", path, v2, jp, status, 200, NULL);
    g_autoptr(JsonObject) o = bytes_json (s);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "superseded");
  }
  {
    g_autoptr(GBytes) r = request ("PATCH", path, NULL, jp, subject, 405, NULL);
    g_autoptr(GBytes) s = request ("PATCH", ppath, NULL, jp, status, 405, NULL);
    g_autoptr(JsonObject) o = bytes_json (r);
    assert_outcome (o, "securityLabel");
  }
  {
    g_autofree char *q = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=superseded"
                                          "&security-label=MASQUE_PS&isArchived=true", patient);
    g_autoptr(JsonObject) bundle = call ("GET", q, NULL, 200);
    g_assert_cmpint (bundle_total (bundle), ==, 1);
  }
}

static const char transaction_template[] =
  "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
  "{\"fullUrl\":\"urn:uuid:11111111-1111-1111-1111-111111111111\","
  " \"resource\":{\"resourceType\":\"List\",\"status\":\"current\",\"mode\":\"working\","
  "  \"subject\":{\"reference\":\"Patient/%s\"},"
  "  \"entry\":[{\"item\":{\"reference\":\"urn:uuid:22222222-2222-2222-2222-222222222222\"}}]},"
  " \"request\":{\"method\":\"POST\",\"url\":\"List\"}},"
  "{\"fullUrl\":\"urn:uuid:22222222-2222-2222-2222-222222222222\","
  " \"resource\":{\"resourceType\":\"DocumentReference\",\"status\":\"%s\","
  "  \"masterIdentifier\":{\"value\":\"%s\"},"
  "  \"subject\":{\"reference\":\"Patient/%s\"},\"date\":\"2024-06-01T09:00:00Z\","
  "  \"content\":[{\"attachment\":{\"contentType\":\"application/pdf\","
  "   \"url\":\"urn:uuid:33333333-3333-3333-3333-333333333333\"}}]},"
  " \"request\":{\"method\":\"POST\",\"url\":\"DocumentReference\"}},"
  "{\"fullUrl\":\"urn:uuid:33333333-3333-3333-3333-333333333333\","
  " \"resource\":{\"resourceType\":\"Binary\",\"contentType\":\"application/pdf\",\"data\":\"%s\"},"
  " \"request\":{\"method\":\"POST\",\"url\":\"Binary\"}}]}";

static void
test_transaction (void)
{
  g_autofree char *patient = create_patient ("180017512345444");
  const char pdf[] = "%PDF-1.4\n% a tiny test document\n%%EOF\n";
  g_autofree char *data = g_base64_encode ((const guchar *) pdf, strlen (pdf));
  g_autofree char *good = g_strdup_printf (transaction_template, patient, "current", "urn:oid:9.9.1", patient, data);
  g_autofree char *bad = g_strdup_printf (transaction_template, patient, "bogus", "urn:oid:9.9.2", patient, data);
  g_autoptr(JsonObject) response = call ("POST", "/fhir", good, 200);
  g_autoptr(JsonObject) failed = call ("POST", "/fhir", bad, 422);
  g_autofree char *q_good = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=current"
                                             "&identifier=urn:oid:9.9.1", patient);
  g_autofree char *q_lists = g_strdup_printf ("/fhir/List?patient=%s", patient);
  g_autoptr(JsonObject) docs = call ("GET", q_good, NULL, 200);
  g_autoptr(JsonObject) lists = call ("GET", q_lists, NULL, 200);
  JsonArray *entries = json_object_get_array_member (response, "entry");
  JsonObject *doc, *attachment, *list;
  const char *url;

  g_assert_cmpstr (json_object_get_string_member (response, "type"), ==, "transaction-response");
  g_assert_cmpuint (json_array_get_length (entries), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *r = json_object_get_object_member (json_array_get_object_element (entries, i), "response");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (r, "status"), "201"));
      g_assert_nonnull (json_object_get_string_member (r, "location"));
      g_assert_nonnull (json_object_get_string_member (r, "etag"));
    }
  assert_outcome (failed, NULL);

  /* Nothing of the failed bundle was kept: one List, one document. */
  g_assert_cmpint (bundle_total (lists), ==, 1);
  g_assert_cmpint (bundle_total (docs), ==, 1);
  doc = bundle_resource (docs, 0);
  list = bundle_resource (lists, 0);
  attachment = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (doc, "content"), 0), "attachment");
  url = json_object_get_string_member (attachment, "url");
  g_assert_true (g_str_has_prefix (url, PDF_URL_PREFIX));
  {
    JsonObject *item = json_object_get_object_member (
        json_array_get_object_element (json_object_get_array_member (list, "entry"), 0), "item");
    g_autofree char *expected = g_strconcat ("DocumentReference/", json_object_get_string_member (doc, "id"), NULL);
    g_assert_cmpstr (json_object_get_string_member (item, "reference"), ==, expected);
  }

  /* The Binary came back as its bytes; size and hash were filled from them. */
  {
    g_autofree char *path = g_strconcat ("/fhir/", url, NULL);
    const char *accept_pdf[] = { "Accept: application/pdf", NULL };
    const char *accept_json[] = { "Accept: application/fhir+json", NULL };
    g_autoptr(GHashTable) headers = NULL;
    g_autoptr(GBytes) bytes = request ("GET", path, accept_pdf, NULL, NULL, 200, &headers);
    g_autoptr(GBytes) json = request ("GET", path, accept_json, NULL, NULL, 200, NULL);
    g_autoptr(JsonObject) binary = bytes_json (json);
    g_autofree char *sha1 = sha1_base64 (bytes);

    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), pdf, strlen (pdf));
    g_assert_cmpstr (g_hash_table_lookup (headers, "content-type"), ==, "application/pdf");
    g_assert_cmpstr (json_object_get_string_member (binary, "data"), ==, data);
    g_assert_cmpint (json_object_get_int_member (attachment, "size"), ==, strlen (pdf));
    g_assert_cmpstr (json_object_get_string_member (attachment, "hash"), ==, sha1);
  }
}

/* A generated document: its PDF is drawn on first use and described exactly. */
static void
test_generated_pdf (void)
{
  g_autoptr(JsonObject) patients = call ("GET", "/fhir/Patient?general-practitioner=Practitioner/gp-1&_count=50",
                                         NULL, 200);
  gboolean checked = FALSE;

  g_assert_cmpuint (bundle_n_entries (patients), >, 0);
  for (guint i = 0; i < bundle_n_entries (patients) && !checked; i++)
    {
      const char *pid = json_object_get_string_member (bundle_resource (patients, i), "id");
      g_autofree char *q = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=current&_count=5", pid);
      g_autoptr(JsonObject) docs = call ("GET", q, NULL, 200);

      for (guint j = 0; j < bundle_n_entries (docs) && !checked; j++)
        {
          JsonObject *doc = bundle_resource (docs, j);
          JsonObject *attachment = json_object_get_object_member (
              json_array_get_object_element (json_object_get_array_member (doc, "content"), 0), "attachment");
          const char *url = json_object_get_string_member (attachment, "url");
          const char *type = json_object_get_string_member (attachment, "contentType");
          g_autofree char *path = NULL;
          g_autofree char *accept = NULL;
          g_autofree char *sha1 = NULL;
          g_autoptr(GBytes) bytes = NULL;
          const char *headers[2] = { NULL, NULL };

          if (url == NULL || g_strcmp0 (type, "application/pdf") != 0)
            continue;
          path = g_strconcat ("/fhir/", url, NULL);
          accept = g_strconcat ("Accept: ", type, NULL);
          headers[0] = accept;
          bytes = request ("GET", path, headers, NULL, NULL, 200, NULL);
          sha1 = sha1_base64 (bytes);
          g_assert_cmpuint (g_bytes_get_size (bytes), >, 4);
          g_assert_cmpmem (g_bytes_get_data (bytes, NULL), 4, "%PDF", 4);
          g_assert_true (json_object_has_member (attachment, "size"));
          g_assert_cmpint (json_object_get_int_member (attachment, "size"), ==, g_bytes_get_size (bytes));
          g_assert_cmpstr (json_object_get_string_member (attachment, "hash"), ==, sha1);
          checked = TRUE;
        }
    }
  g_assert_true (checked);
}

static void
test_blocked (void)
{
  g_autofree char *patient = create_patient ("280017512345555");
  g_autofree char *obs = create_observation (patient, "2024-01-01", "4548-4");
  g_autofree char *consent = g_strdup_printf (
      "{\"resourceType\":\"Consent\",\"status\":\"active\",\"patient\":{\"reference\":\"Patient/%s\"},"
      "\"scope\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/consentscope\",\"code\":\"patient-privacy\"}]},"
      "\"category\":[{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"59284-0\"}]}],"
      "\"provision\":{\"type\":\"deny\",\"actor\":[{\"reference\":{\"reference\":\"Practitioner/gp-2\"}}]}}", patient);
  g_autoptr(JsonObject) created = call ("POST", "/fhir/Consent", consent, 201);
  const char *other[] = { "Authorization: Bearer other-token", NULL };
  g_autofree char *ppath = g_strdup_printf ("/fhir/Patient/%s", patient);
  g_autofree char *opath = g_strdup_printf ("/fhir/Observation/%s", obs);
  g_autofree char *search = g_strdup_printf ("/fhir/Observation?patient=%s", patient);
  g_autofree char *audit = g_strdup_printf ("/fhir/AuditEvent?patient=%s&_summary=count", patient);
  g_autoptr(GBytes) a = request ("GET", ppath, other, NULL, NULL, 403, NULL);
  g_autoptr(GBytes) b = request ("GET", opath, other, NULL, NULL, 403, NULL);
  g_autoptr(GBytes) c = request ("GET", search, other, NULL, NULL, 403, NULL);
  g_autoptr(JsonObject) oa = bytes_json (a);
  g_autoptr(JsonObject) before = call ("GET", audit, NULL, 200);
  g_autoptr(JsonObject) allowed = call ("GET", ppath, NULL, 200);
  g_autoptr(JsonObject) after = call ("GET", audit, NULL, 200);

  assert_outcome (oa, "blocked");
  /* Practice-wide, the patient still exists. */
  {
    g_autoptr(GBytes) d = request ("GET", "/fhir/Patient?general-practitioner=gp-1&_summary=count",
                                   other, NULL, NULL, 200, NULL);
  }
  /* Every read of the record leaves a trace. */
  g_assert_cmpint (bundle_total (after), ==, bundle_total (before) + 1);
}

static void
test_faults (void)
{
  g_autoptr(GHashTable) headers = NULL;

  {
    g_autoptr(JsonObject) set = call ("POST", "/admin/faults",
                                      "{\"error_rate\":1.0,\"error_statuses\":[503],\"retry_after\":7}", 200);
    g_autoptr(GBytes) r = request ("GET", "/fhir/Patient?_count=1", NULL, NULL, NULL, 503, &headers);
    g_autoptr(JsonObject) o = bytes_json (r);
    assert_outcome (o, NULL);
    g_assert_cmpstr (g_hash_table_lookup (headers, "retry-after"), ==, "7");
  }
  {
    g_autoptr(JsonObject) set = call ("POST", "/admin/faults", "{\"error_statuses\":[429]}", 200);
    g_autoptr(GBytes) r = request ("GET", "/fhir/Patient?_count=1", NULL, NULL, NULL, 429, NULL);
    g_autoptr(JsonObject) cleared = call ("DELETE", "/admin/faults", NULL, 200);
    g_autoptr(JsonObject) ok = call ("GET", "/fhir/Patient?_count=1", NULL, 200);
  }
  {
    g_autoptr(JsonObject) set = call ("POST", "/admin/faults", "{\"expire_tokens\":true}", 200);
    g_autoptr(GBytes) r = request ("GET", "/fhir/Patient?_count=1", NULL, NULL, NULL, 401, NULL);
    g_autoptr(JsonObject) o = bytes_json (r);
    g_autoptr(JsonObject) cleared = call ("DELETE", "/admin/faults", NULL, 200);
    assert_outcome (o, "expired");
  }
  {
    g_autoptr(JsonObject) set = call ("POST", "/admin/faults", "{\"drop_rate\":1.0}", 200);
    g_autoptr(GError) error = NULL;
    guint status = 0;
    g_autofree char *body = cab_test_sandbox_call (sandbox, "GET", "/fhir/Patient?_count=1", NULL, &status, &error);
    g_autoptr(JsonObject) cleared = call ("DELETE", "/admin/faults", NULL, 200);

    g_assert_nonnull (error);
    g_assert_null (body);
  }
  {
    g_autoptr(JsonObject) bad = call ("POST", "/admin/faults", "{\"error_rate\":3}", 400);
    g_autoptr(JsonObject) stats = call ("GET", "/admin/stats", NULL, 200);
    JsonObject *by_status = json_object_get_object_member (stats, "by_status");

    assert_outcome (bad, NULL);
    g_assert_cmpint (json_object_get_int_member (stats, "requests"), >, 0);
    g_assert_cmpint (json_object_get_int_member (by_status, "503"), >=, 1);
    g_assert_cmpint (json_object_get_int_member (stats, "resources_served"), >, 0);
  }
}

static void
test_touch (void)
{
  g_autoptr(JsonObject) touched = call ("POST", "/admin/touch", "{\"type\":\"Patient\",\"count\":3}", 200);
  JsonArray *ids = json_object_get_array_member (touched, "ids");

  g_assert_cmpuint (json_array_get_length (ids), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("/fhir/Patient/%s", json_array_get_string_element (ids, i));
      g_autoptr(JsonObject) p = call ("GET", path, NULL, 200);
      const char *version = json_object_get_string_member (json_object_get_object_member (p, "meta"), "versionId");
      g_assert_cmpint (g_ascii_strtoll (version, NULL, 10), >=, 2);
    }
}

static void
test_https (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) secure = cab_test_sandbox_start (NULL, TRUE, &error);
  g_autofree char *body = NULL;
  guint status = 0;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (secure->base_url, "https://127.0.0.1:"));
  body = cab_test_sandbox_call (secure, "GET", "/fhir/Patient?_count=1", NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* Without the test CA, the certificate is refused. */
  {
    g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
    g_autofree char *url = g_strconcat (secure->base_url, "/Patient", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) bytes = soup_session_send_and_read (session, msg, NULL, &error);

    g_assert_null (bytes);
    g_assert_nonnull (error);
  }
}

int
main (int argc, char *argv[])
{
  const char *args[] = { "--patients=12", "--token=other-token=gp-2", "--today=2025-06-30", NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  /* No G_TEST_OPTION_ISOLATE_DIRS: every test works in its own temporary
   * directory already, and GLib keeps each replaced set of user dirs alive on
   * purpose, which LeakSanitizer reports without a usable stack. */
  g_test_init (&argc, &argv, NULL);

  sandbox = cab_test_sandbox_start (args, FALSE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/sandbox/auth", test_auth);
  g_test_add_func ("/sandbox/read-etag", test_read_etag);
  g_test_add_func ("/sandbox/search-dates", test_search_dates);
  g_test_add_func ("/sandbox/paging-stable", test_paging_stable);
  g_test_add_func ("/sandbox/last-updated", test_last_updated);
  g_test_add_func ("/sandbox/conditional-create", test_conditional_create);
  g_test_add_func ("/sandbox/if-match", test_if_match);
  g_test_add_func ("/sandbox/patch", test_patch);
  g_test_add_func ("/sandbox/transaction", test_transaction);
  g_test_add_func ("/sandbox/generated-pdf", test_generated_pdf);
  g_test_add_func ("/sandbox/blocked", test_blocked);
  g_test_add_func ("/sandbox/faults", test_faults);
  g_test_add_func ("/sandbox/touch", test_touch);
  g_test_add_func ("/sandbox/https", test_https);

  ret = g_test_run ();
  cab_test_sandbox_free (sandbox);
  return ret;
}
