/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-index.h"
#include "sandbox-util.h"

#include <string.h>

void
sandbox_index_init (SandboxIndex *index)
{
  memset (index, 0, sizeof *index);
  index->tokens = g_array_sized_new (FALSE, FALSE, sizeof (SandboxToken), 16);
  index->chunk = g_string_chunk_new (256);
  index->blocked = g_ptr_array_new ();
  index->sort_date = SANDBOX_NEVER;
}

void
sandbox_index_clear (SandboxIndex *index)
{
  g_clear_pointer (&index->tokens, g_array_unref);
  g_clear_pointer (&index->chunk, g_string_chunk_free);
  g_clear_pointer (&index->blocked, g_ptr_array_unref);
}

/* ---------------------------------------------------------------- helpers */

static void
add_token (SandboxIndex *ix, const char *param, const char *sys, const char *val)
{
  SandboxToken t = { param, sys, val, 0, 0, FALSE };

  if (val == NULL || *val == '\0')
    return;
  g_array_append_val (ix->tokens, t);
}

static void
add_date (SandboxIndex *ix, const char *param, const char *text)
{
  SandboxToken t = { param, NULL, NULL, 0, 0, TRUE };

  if (!sandbox_parse_date_range (text, &t.lo, &t.hi))
    return;
  g_array_append_val (ix->tokens, t);
  if (g_str_equal (param, "date") && ix->sort_date == SANDBOX_NEVER)
    ix->sort_date = t.lo;
}

static void
add_period (SandboxIndex *ix, const char *param, JsonObject *period)
{
  SandboxToken t = { param, NULL, NULL, SANDBOX_NEVER, SANDBOX_FOREVER, TRUE };
  const char *start = sandbox_json_get_string (period, "start");
  const char *end = sandbox_json_get_string (period, "end");
  gint64 lo, hi;

  if (period == NULL || (start == NULL && end == NULL))
    return;
  if (start != NULL && sandbox_parse_date_range (start, &lo, &hi))
    t.lo = lo;
  if (end != NULL && sandbox_parse_date_range (end, &lo, &hi))
    t.hi = hi;
  g_array_append_val (ix->tokens, t);
  if (g_str_equal (param, "date") && ix->sort_date == SANDBOX_NEVER)
    ix->sort_date = t.lo;
}

static void
add_coding (SandboxIndex *ix, const char *param, JsonObject *coding)
{
  add_token (ix, param, sandbox_json_get_string (coding, "system"),
             sandbox_json_get_string (coding, "code"));
}

static void
add_codeable (SandboxIndex *ix, const char *param, JsonObject *concept)
{
  JsonArray *codings = sandbox_json_get_array (concept, "coding");

  if (codings == NULL)
    return;
  for (guint i = 0; i < json_array_get_length (codings); i++)
    {
      JsonNode *n = json_array_get_element (codings, i);
      if (JSON_NODE_HOLDS_OBJECT (n))
        add_coding (ix, param, json_node_get_object (n));
    }
}

typedef void (*ObjectFunc) (SandboxIndex *ix, const char *param, JsonObject *object);

/* Applies @func to the member when it is an object, or to each object of it
 * when it is an array. */
static void
each_object (SandboxIndex *ix, JsonObject *parent, const char *member,
             const char *param, ObjectFunc func)
{
  JsonNode *node;

  if (parent == NULL || (node = json_object_get_member (parent, member)) == NULL)
    return;
  if (JSON_NODE_HOLDS_OBJECT (node))
    func (ix, param, json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *n = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_OBJECT (n))
            func (ix, param, json_node_get_object (n));
        }
    }
}

static void
add_identifier (SandboxIndex *ix, const char *param, JsonObject *identifier)
{
  add_token (ix, param, sandbox_json_get_string (identifier, "system"),
             sandbox_json_get_string (identifier, "value"));
}

static void
add_reference_string (SandboxIndex *ix, const char *param, const char *ref)
{
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;

  if (!sandbox_parse_reference (ref, &type, &id))
    return;
  add_token (ix, param,
             type ? g_string_chunk_insert_const (ix->chunk, type) : NULL,
             g_string_chunk_insert_const (ix->chunk, id));
}

static void
add_reference (SandboxIndex *ix, const char *param, JsonObject *reference)
{
  add_reference_string (ix, param, sandbox_json_get_string (reference, "reference"));
}

static void
add_string_member (SandboxIndex *ix, const char *param, JsonObject *o, const char *member)
{
  add_token (ix, param, NULL, sandbox_json_get_string (o, member));
}

/* The patient a Reference names, kept in the chunk. */
static const char *
patient_of (SandboxIndex *ix, JsonObject *reference)
{
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;

  if (!sandbox_parse_reference (sandbox_json_get_string (reference, "reference"), &type, &id))
    return NULL;
  if (type != NULL && !g_str_equal (type, "Patient"))
    return NULL;
  return g_string_chunk_insert_const (ix->chunk, id);
}

static void
add_date_member (SandboxIndex *ix, const char *param, JsonObject *o, const char *member)
{
  add_date (ix, param, sandbox_json_get_string (o, member));
}

/* ---------------------------------------------------------- per resource */

static void
index_patient (SandboxIndex *ix, const char *id, JsonObject *r)
{
  ix->patient_id = id;
  each_object (ix, r, "identifier", "identifier", add_identifier);
  each_object (ix, r, "generalPractitioner", "general-practitioner", add_reference);
  each_object (ix, r, "managingOrganization", "organization", add_reference);
  add_string_member (ix, "gender", r, "gender");
  add_date_member (ix, "birthdate", r, "birthDate");
}

static void
index_document_reference (SandboxIndex *ix, JsonObject *r)
{
  JsonObject *context = sandbox_json_get_object (r, "context");
  JsonArray *content = sandbox_json_get_array (r, "content");
  JsonArray *extensions = sandbox_json_get_array (r, "extension");
  const char *archived = "false";
  gboolean has_creation = FALSE;

  each_object (ix, r, "masterIdentifier", "identifier", add_identifier);
  each_object (ix, r, "identifier", "identifier", add_identifier);
  add_string_member (ix, "status", r, "status");
  each_object (ix, r, "type", "type", add_codeable);
  each_object (ix, r, "category", "category", add_codeable);
  each_object (ix, r, "author", "author", add_reference);
  each_object (ix, r, "custodian", "custodian", add_reference);
  each_object (ix, r, "securityLabel", "security-label", add_codeable);
  add_date_member (ix, "date", r, "date");
  if (context != NULL)
    {
      each_object (ix, context, "period", "period", add_period);
      each_object (ix, context, "event", "event", add_codeable);
      each_object (ix, context, "facilityType", "facility", add_codeable);
      each_object (ix, context, "practiceSetting", "setting", add_codeable);
    }
  for (guint i = 0; content != NULL && i < json_array_get_length (content); i++)
    {
      JsonNode *n = json_array_get_element (content, i);
      JsonObject *c, *attachment;
      const char *url;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      c = json_node_get_object (n);
      each_object (ix, c, "format", "format", add_coding);
      attachment = sandbox_json_get_object (c, "attachment");
      if (attachment == NULL)
        continue;
      add_string_member (ix, "contenttype", attachment, "contentType");
      if (sandbox_json_get_string (attachment, "creation") != NULL)
        {
          add_date_member (ix, "creation", attachment, "creation");
          has_creation = TRUE;
        }
      url = sandbox_json_get_string (attachment, "url");
      if (url != NULL &&
          (!json_object_has_member (attachment, "size") || !json_object_has_member (attachment, "hash")))
        {
          g_autofree char *binary = sandbox_attachment_binary_id (url);
          if (binary != NULL)
            ix->pending = TRUE;
        }
    }
  if (!has_creation)
    add_date_member (ix, "creation", r, "date");
  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonNode *n = json_array_get_element (extensions, i);
      JsonObject *e;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      e = json_node_get_object (n);
      if (g_strcmp0 (sandbox_json_get_string (e, "url"), SANDBOX_ISARCHIVED_URL) == 0 &&
          json_object_has_member (e, "valueBoolean"))
        archived = json_object_get_boolean_member (e, "valueBoolean") ? "true" : "false";
    }
  add_token (ix, "isarchived", NULL, archived);
  {
    JsonArray *relates = sandbox_json_get_array (r, "relatesTo");
    for (guint i = 0; relates != NULL && i < json_array_get_length (relates); i++)
      {
        JsonNode *n = json_array_get_element (relates, i);
        if (JSON_NODE_HOLDS_OBJECT (n))
          each_object (ix, json_node_get_object (n), "target", "relatesto", add_reference);
      }
  }
}

static void
index_observation (SandboxIndex *ix, JsonObject *r)
{
  each_object (ix, r, "identifier", "identifier", add_identifier);
  add_string_member (ix, "status", r, "status");
  each_object (ix, r, "code", "code", add_codeable);
  each_object (ix, r, "category", "category", add_codeable);
  each_object (ix, r, "performer", "performer", add_reference);
  add_date_member (ix, "date", r, "effectiveDateTime");
  add_date_member (ix, "date", r, "effectiveInstant");
  each_object (ix, r, "effectivePeriod", "date", add_period);
}

static void
index_condition (SandboxIndex *ix, JsonObject *r)
{
  each_object (ix, r, "identifier", "identifier", add_identifier);
  each_object (ix, r, "code", "code", add_codeable);
  each_object (ix, r, "category", "category", add_codeable);
  each_object (ix, r, "clinicalStatus", "clinical-status", add_codeable);
  each_object (ix, r, "verificationStatus", "verification-status", add_codeable);
  add_date_member (ix, "date", r, "onsetDateTime");
  each_object (ix, r, "onsetPeriod", "date", add_period);
  add_date_member (ix, "recorded-date", r, "recordedDate");
}

static void
index_medication_request (SandboxIndex *ix, JsonObject *r)
{
  each_object (ix, r, "identifier", "identifier", add_identifier);
  add_string_member (ix, "status", r, "status");
  add_string_member (ix, "intent", r, "intent");
  each_object (ix, r, "medicationCodeableConcept", "code", add_codeable);
  each_object (ix, r, "requester", "requester", add_reference);
  add_date_member (ix, "date", r, "authoredOn");
}

static void
index_list (SandboxIndex *ix, JsonObject *r)
{
  JsonArray *entries = sandbox_json_get_array (r, "entry");

  each_object (ix, r, "identifier", "identifier", add_identifier);
  add_string_member (ix, "status", r, "status");
  each_object (ix, r, "code", "code", add_codeable);
  each_object (ix, r, "source", "source", add_reference);
  add_date_member (ix, "date", r, "date");
  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonNode *n = json_array_get_element (entries, i);
      if (JSON_NODE_HOLDS_OBJECT (n))
        each_object (ix, json_node_get_object (n), "item", "item", add_reference);
    }
}

static void
index_audit_event (SandboxIndex *ix, JsonObject *r)
{
  JsonArray *agents = sandbox_json_get_array (r, "agent");
  JsonArray *entities = sandbox_json_get_array (r, "entity");

  each_object (ix, r, "type", "type", add_coding);
  each_object (ix, r, "subtype", "subtype", add_coding);
  add_string_member (ix, "action", r, "action");
  add_date_member (ix, "date", r, "recorded");
  for (guint i = 0; agents != NULL && i < json_array_get_length (agents); i++)
    {
      JsonNode *n = json_array_get_element (agents, i);
      if (JSON_NODE_HOLDS_OBJECT (n))
        each_object (ix, json_node_get_object (n), "who", "agent", add_reference);
    }
  for (guint i = 0; entities != NULL && i < json_array_get_length (entities); i++)
    {
      JsonNode *n = json_array_get_element (entities, i);
      JsonObject *what;
      const char *patient;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      what = sandbox_json_get_object (json_node_get_object (n), "what");
      if (what == NULL)
        continue;
      add_reference (ix, "entity", what);
      if (ix->patient_id == NULL &&
          g_str_has_prefix (sandbox_json_get_string (what, "reference") ?: "", "Patient/") &&
          (patient = patient_of (ix, what)) != NULL)
        ix->patient_id = patient;
    }
}

static void
index_consent (SandboxIndex *ix, JsonObject *r)
{
  JsonObject *provision = sandbox_json_get_object (r, "provision");
  JsonArray *actors = sandbox_json_get_array (provision, "actor");
  gboolean deny = g_strcmp0 (sandbox_json_get_string (provision, "type"), "deny") == 0;
  gboolean active = g_strcmp0 (sandbox_json_get_string (r, "status"), "active") == 0;

  each_object (ix, r, "identifier", "identifier", add_identifier);
  add_string_member (ix, "status", r, "status");
  each_object (ix, r, "category", "category", add_codeable);
  each_object (ix, r, "scope", "scope", add_codeable);
  add_date_member (ix, "date", r, "dateTime");
  for (guint i = 0; actors != NULL && i < json_array_get_length (actors); i++)
    {
      JsonNode *n = json_array_get_element (actors, i);
      JsonObject *ref;
      g_autofree char *type = NULL;
      g_autofree char *id = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      ref = sandbox_json_get_object (json_node_get_object (n), "reference");
      if (ref == NULL)
        continue;
      add_reference (ix, "actor", ref);
      if (deny && active &&
          sandbox_parse_reference (sandbox_json_get_string (ref, "reference"), &type, &id) &&
          g_strcmp0 (type, "Practitioner") == 0)
        g_ptr_array_add (ix->blocked, (gpointer) g_string_chunk_insert_const (ix->chunk, id));
    }
}

void
sandbox_index_extract (SandboxIndex *ix,
                       const char   *type,
                       const char   *id,
                       JsonObject   *r,
                       const char   *patient_hint)
{
  if (g_str_equal (type, "Patient"))
    index_patient (ix, id, r);
  else if (g_str_equal (type, "Practitioner"))
    each_object (ix, r, "identifier", "identifier", add_identifier);
  else if (g_str_equal (type, "PractitionerRole"))
    {
      each_object (ix, r, "identifier", "identifier", add_identifier);
      each_object (ix, r, "organization", "organization", add_reference);
      each_object (ix, r, "practitioner", "practitioner", add_reference);
    }
  else if (g_str_equal (type, "Organization"))
    each_object (ix, r, "identifier", "identifier", add_identifier);
  else if (g_str_equal (type, "DocumentReference"))
    index_document_reference (ix, r);
  else if (g_str_equal (type, "Observation"))
    index_observation (ix, r);
  else if (g_str_equal (type, "Condition"))
    index_condition (ix, r);
  else if (g_str_equal (type, "MedicationRequest"))
    index_medication_request (ix, r);
  else if (g_str_equal (type, "List"))
    index_list (ix, r);
  else if (g_str_equal (type, "AuditEvent"))
    index_audit_event (ix, r);
  else if (g_str_equal (type, "Consent"))
    index_consent (ix, r);

  if (patient_hint != NULL)
    ix->patient_id = g_string_chunk_insert_const (ix->chunk, patient_hint);
  else if (ix->patient_id == NULL)
    {
      /* subject for clinical resources, patient for Consent, securityContext for Binary */
      JsonObject *ref = sandbox_json_get_object (r, "subject");
      if (ref == NULL)
        ref = sandbox_json_get_object (r, "patient");
      if (ref == NULL)
        ref = sandbox_json_get_object (r, "securityContext");
      if (ref != NULL)
        ix->patient_id = patient_of (ix, ref);
    }
}

char *
sandbox_attachment_binary_id (const char *url)
{
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;

  if (url == NULL || !sandbox_parse_reference (url, &type, &id) ||
      g_strcmp0 (type, "Binary") != 0)
    return NULL;
  return g_steal_pointer (&id);
}
