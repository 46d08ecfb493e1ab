/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

/*
 * The national e-prescription service's stand-in (docs/domain.md,
 * "Prescriptions"), under [base]/erx:
 *
 *   POST erx/Bundle     a prescription: a "collection" Bundle whose
 *                       identifier is the prescription's, holding one
 *                       RequestGroup and its MedicationRequests. Conditional
 *                       create: If-None-Exist must name that identifier;
 *                       when it is already registered the answer is 200 with
 *                       the registered Bundle, else 201. A prescription that
 *                       breaks the model is refused with 422 and an
 *                       OperationOutcome saying what.
 *   GET  erx/Bundle?identifier=system|value   the registered ones (searchset)
 *   GET  erx/Bundle/<id>                      one
 *
 * The real service's API is not public: this follows the ANS ePrescription
 * IG's resources as DOMAIN describes them, and nothing more.
 */

#include "sandbox-erx.h"
#include "sandbox-util.h"

#include <string.h>

#define SYSTEM_CIS "http://data.esante.gouv.fr/ansm/medicament/SpecialitePharmaceutique"
#define MAX_LINES  40

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS erx_prescriptions ("
  "  system      TEXT NOT NULL,"
  "  value       TEXT NOT NULL,"
  "  id          TEXT NOT NULL UNIQUE,"
  "  patient_id  TEXT,"
  "  received_at INTEGER NOT NULL,"
  "  json        TEXT NOT NULL,"
  "  PRIMARY KEY (system, value)"
  ")";

static SandboxResponse *
invalid (const char *what)
{
  g_autofree char *msg = g_strdup_printf ("The prescription is refused: %s", what);

  return sandbox_response_new_error (422, msg);
}

static gboolean
reference_is (JsonObject *resource,
              const char *member,
              const char *type,
              char      **id)
{
  JsonObject *ref = sandbox_json_get_object (resource, member);
  const char *text = ref != NULL ? sandbox_json_get_string (ref, "reference") : NULL;
  g_autofree char *prefix = g_strconcat (type, "/", NULL);

  if (text == NULL || !g_str_has_prefix (text, prefix) || !sandbox_is_valid_id (text + strlen (prefix)))
    return FALSE;
  if (id != NULL)
    *id = g_strdup (text + strlen (prefix));
  return TRUE;
}

static gboolean
identifier_matches (JsonObject *identifier,
                    const char *system,
                    const char *value)
{
  return identifier != NULL &&
         g_strcmp0 (sandbox_json_get_string (identifier, "system"), system) == 0 &&
         g_strcmp0 (sandbox_json_get_string (identifier, "value"), value) == 0;
}

/* Checks the Bundle against the model; on success sets @patient_id. */
static SandboxResponse *
validate (SandboxConn *conn,
          JsonObject  *bundle,
          const char  *system,
          const char  *value,
          char       **patient_id)
{
  JsonArray *entries = sandbox_json_get_array (bundle, "entry");
  guint n_groups = 0, n_requests = 0;
  g_autofree char *subject = NULL;
  g_autofree char *requester = NULL;

  if (g_strcmp0 (sandbox_json_get_string (bundle, "type"), "collection") != 0)
    return invalid ("Bundle.type must be collection");
  if (entries == NULL || json_array_get_length (entries) < 2 ||
      json_array_get_length (entries) > MAX_LINES + 1)
    return invalid ("a RequestGroup and 1 to 40 MedicationRequests are expected");

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *en = json_array_get_element (entries, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en) : NULL;
      JsonObject *r = sandbox_json_get_object (e, "resource");
      const char *type = sandbox_json_get_string (r, "resourceType");
      g_autofree char *this_subject = NULL;
      g_autofree char *this_requester = NULL;

      if (!reference_is (r, "subject", "Patient", &this_subject))
        return invalid ("every resource names its subject (Patient)");
      if (subject != NULL && !g_str_equal (subject, this_subject))
        return invalid ("every resource names the same patient");
      if (subject == NULL)
        subject = g_steal_pointer (&this_subject);

      if (g_strcmp0 (type, "RequestGroup") == 0)
        {
          JsonArray *ids = sandbox_json_get_array (r, "identifier");
          JsonNode *first = ids != NULL && json_array_get_length (ids) > 0 ? json_array_get_element (ids, 0) : NULL;

          n_groups++;
          if (first == NULL || !JSON_NODE_HOLDS_OBJECT (first) ||
              !identifier_matches (json_node_get_object (first), system, value))
            return invalid ("the RequestGroup carries the prescription's identifier");
          if (sandbox_json_get_string (r, "authoredOn") == NULL)
            return invalid ("RequestGroup.authoredOn is required");
        }
      else if (g_strcmp0 (type, "MedicationRequest") == 0)
        {
          JsonObject *medication = sandbox_json_get_object (r, "medicationCodeableConcept");
          JsonArray *codings = sandbox_json_get_array (medication, "coding");
          JsonArray *dosage = sandbox_json_get_array (r, "dosageInstruction");
          gboolean has_cis = FALSE;

          n_requests++;
          if (!identifier_matches (sandbox_json_get_object (r, "groupIdentifier"), system, value))
            return invalid ("each MedicationRequest.groupIdentifier is the prescription's identifier");
          if (g_strcmp0 (sandbox_json_get_string (r, "status"), "active") != 0 ||
              g_strcmp0 (sandbox_json_get_string (r, "intent"), "order") != 0)
            return invalid ("a MedicationRequest is status active, intent order");
          if (sandbox_json_get_string (r, "authoredOn") == NULL)
            return invalid ("MedicationRequest.authoredOn is required");
          if (!reference_is (r, "requester", "Practitioner", &this_requester))
            return invalid ("MedicationRequest.requester is the prescriber (Practitioner)");
          if (requester != NULL && !g_str_equal (requester, this_requester))
            return invalid ("one prescriber per prescription");
          if (requester == NULL)
            requester = g_steal_pointer (&this_requester);
          for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
            {
              JsonNode *cn = json_array_get_element (codings, j);
              JsonObject *c = JSON_NODE_HOLDS_OBJECT (cn) ? json_node_get_object (cn) : NULL;
              const char *code = sandbox_json_get_string (c, "code");

              if (g_strcmp0 (sandbox_json_get_string (c, "system"), SYSTEM_CIS) == 0 &&
                  code != NULL && strlen (code) == 8 && strspn (code, "0123456789") == 8)
                has_cis = TRUE;
            }
          if (!has_cis)
            return invalid ("each medicine is coded by its CIS");
          if (dosage == NULL || json_array_get_length (dosage) == 0)
            return invalid ("each MedicationRequest has a dosageInstruction");
        }
      else
        return invalid ("only a RequestGroup and MedicationRequests are expected");
    }
  if (n_groups != 1 || n_requests == 0)
    return invalid ("one RequestGroup and at least one MedicationRequest are expected");

  {
    g_autoptr(SandboxRow) patient = sandbox_db_get (conn, "Patient", subject);

    if (patient == NULL || patient->deleted)
      return sandbox_response_new_error (422, "The prescription is refused: unknown patient");
  }
  *patient_id = g_steal_pointer (&subject);
  return NULL;
}

static SandboxResponse *
stored_response (guint           status,
                 const char     *id,
                 const char     *json,
                 SandboxRequest *request)
{
  SandboxResponse *response = sandbox_response_new_json (status, g_strdup (json));

  if (status == 201)
    {
      g_autofree char *location = g_strdup_printf ("%s/erx/Bundle/%s", request->base_url, id);
      sandbox_response_add_header (response, "Location", location);
    }
  response->n_resources = 1;
  return response;
}

static SandboxResponse *
register_prescription (SandboxDb      *db,
                       SandboxConn    *conn,
                       SandboxRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bundle = NULL;
  g_autoptr(SandboxResponse) refused = NULL;
  g_autofree char *patient_id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *existing_id = NULL;
  g_autofree char *existing_json = NULL;
  g_autofree char *json = NULL;
  g_autofree char *id = NULL;
  g_autofree char *decoded = NULL;
  const char *if_none_exist = sandbox_request_get_header (request, "if-none-exist");
  const char *system, *value;
  JsonObject *identifier, *meta;
  sqlite3_stmt *stmt;
  gint64 ts;
  gboolean ok;

  if (request->body == NULL ||
      (bundle = sandbox_parse_object (g_bytes_get_data (request->body, NULL),
                                      g_bytes_get_size (request->body), &error)) == NULL)
    return sandbox_response_new_gerror (error);
  if (g_strcmp0 (sandbox_json_get_string (bundle, "resourceType"), "Bundle") != 0)
    return sandbox_response_new_error (400, "A prescription is posted as a Bundle");

  identifier = sandbox_json_get_object (bundle, "identifier");
  system = sandbox_json_get_string (identifier, "system");
  value = sandbox_json_get_string (identifier, "value");
  if (system == NULL || value == NULL || *value == '\0' || strlen (value) > 64)
    return invalid ("Bundle.identifier (system and value) is the prescription's identifier");

  /* Conditional create only: a resend must be recognisable. */
  expected = g_strconcat ("identifier=", system, "|", value, NULL);
  decoded = if_none_exist != NULL ? g_uri_unescape_string (if_none_exist, NULL) : NULL;
  if (decoded == NULL || !g_str_equal (decoded, expected))
    return sandbox_response_new_error (400, "If-None-Exist must name the prescription's identifier");

  if ((refused = validate (conn, bundle, system, value, &patient_id)) != NULL)
    return g_steal_pointer (&refused);

  id = sandbox_new_id ();
  sandbox_db_write_begin (db, conn);
  ok = sandbox_conn_exec (conn, schema, &error);
  if (ok)
    {
      stmt = sandbox_conn_prepare (conn, "SELECT id, json FROM erx_prescriptions WHERE system = ?1 AND value = ?2");
      sqlite3_bind_text (stmt, 1, system, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          existing_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          existing_json = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_reset (stmt);
    }
  if (ok && existing_id == NULL)
    {
      g_autofree char *updated = NULL;

      ts = sandbox_db_next_timestamp (db);
      updated = sandbox_format_instant (ts);
      json_object_set_string_member (bundle, "id", id);
      meta = json_object_new ();
      json_object_set_string_member (meta, "versionId", "1");
      json_object_set_string_member (meta, "lastUpdated", updated);
      json_object_set_object_member (bundle, "meta", meta);
      json = sandbox_object_to_string (bundle);

      stmt = sandbox_conn_prepare (conn, "INSERT INTO erx_prescriptions (system, value, id, patient_id,"
                                         " received_at, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      sqlite3_bind_text (stmt, 1, system, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, patient_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, ts);
      sqlite3_bind_text (stmt, 6, json, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sandbox_conn_set_error (conn, &error);
          ok = FALSE;
        }
      sqlite3_reset (stmt);
    }
  if (!sandbox_db_write_end (db, conn, ok, ok ? &error : NULL) || !ok)
    return sandbox_response_new_gerror (error);

  if (existing_id != NULL)
    return stored_response (200, existing_id, existing_json, request);
  g_message ("e-prescription registered (Bundle/%s)", id);
  return stored_response (201, id, json, request);
}

static SandboxResponse *
search (SandboxDb      *db,
        SandboxConn    *conn,
        SandboxRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = request->query != NULL ? g_uri_parse_params (request->query, -1, "&",
                                                                             G_URI_PARAMS_NONE, NULL)
                                                        : NULL;
  const char *wanted = params != NULL ? g_hash_table_lookup (params, "identifier") : NULL;
  const char *bar = wanted != NULL ? strchr (wanted, '|') : NULL;
  g_autofree char *system = bar != NULL ? g_strndup (wanted, (gsize) (bar - wanted)) : NULL;
  GString *out;
  sqlite3_stmt *stmt;
  guint total = 0;

  if (bar == NULL)
    return sandbox_response_new_error (400, "Search registered prescriptions by identifier=system|value");

  /* Read under the write lock: the table may not exist yet. */
  sandbox_db_write_begin (db, conn);
  if (!sandbox_conn_exec (conn, schema, &error))
    {
      sandbox_db_write_end (db, conn, FALSE, NULL);
      return sandbox_response_new_gerror (error);
    }
  out = g_string_new ("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[");
  stmt = sandbox_conn_prepare (conn, "SELECT json FROM erx_prescriptions WHERE system = ?1 AND value = ?2");
  sqlite3_bind_text (stmt, 1, system, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, bar + 1, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_string_append_printf (out, "%s{\"resource\":%s}", total > 0 ? "," : "",
                              (const char *) sqlite3_column_text (stmt, 0));
      total++;
    }
  sqlite3_reset (stmt);
  sandbox_db_write_end (db, conn, TRUE, NULL);
  g_string_append_printf (out, "],\"total\":%u}", total);
  return sandbox_response_new_json (200, g_string_free (out, FALSE));
}

static SandboxResponse *
read_one (SandboxDb      *db,
          SandboxConn    *conn,
          const char     *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  sqlite3_stmt *stmt;

  sandbox_db_write_begin (db, conn);
  if (!sandbox_conn_exec (conn, schema, &error))
    {
      sandbox_db_write_end (db, conn, FALSE, NULL);
      return sandbox_response_new_gerror (error);
    }
  stmt = sandbox_conn_prepare (conn, "SELECT json FROM erx_prescriptions WHERE id = ?1");
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  sandbox_db_write_end (db, conn, TRUE, NULL);
  if (json == NULL)
    return sandbox_response_new_error (404, "No such registered prescription");
  return sandbox_response_new_json (200, g_steal_pointer (&json));
}

SandboxResponse *
sandbox_erx_handle (SandboxDb      *db,
                    SandboxRequest *request)
{
  g_auto(GStrv) parts = g_strsplit (request->path, "/", -1);
  guint n = g_strv_length (parts);
  SandboxConn *conn;
  SandboxResponse *response;

  /* parts[0] is "erx". */
  if (n < 2 || !g_str_equal (parts[1], "Bundle") || n > 3 || (n == 3 && !sandbox_is_valid_id (parts[2])))
    return sandbox_response_new_error (404, "The e-prescription service knows erx/Bundle only");

  conn = sandbox_db_acquire (db);
  if (n == 2 && g_str_equal (request->method, "POST"))
    response = register_prescription (db, conn, request);
  else if (n == 2 && g_str_equal (request->method, "GET"))
    response = search (db, conn, request);
  else if (n == 3 && g_str_equal (request->method, "GET"))
    response = read_one (db, conn, parts[2]);
  else
    response = sandbox_response_new_error (405, "Registered prescriptions are never changed");
  sandbox_db_release (db, conn);
  return response;
}
