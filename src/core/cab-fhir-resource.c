/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-fhir"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cab-fhir-resource.h"
#include "cab-nir.h"

/* Everything here reads JSON from the network: every member is type-checked
 * before use (json-glib emits criticals on mismatches), a wrong type skips the
 * field, and only a missing/garbled resourceType or id fails the resource.
 * Error messages name fields, never values: they may reach the logs. */

#define MAX_OUTCOME_ISSUES   10
#define MAX_OUTCOME_TEXT     500

#define URL_INSEE_CODE_SUFFIX "fr-core-address-insee-code"

G_DEFINE_QUARK (cab-fhir-error-quark, cab_fhir_error)

/* ------------------------------------------------------------------------ */
/* Safe accessors                                                            */
/* ------------------------------------------------------------------------ */

static JsonObject *
node_object (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  return NULL;
}

static const char *
node_string (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  if (object == NULL)
    return NULL;
  return node_object (json_object_get_member (object, name));
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return json_node_get_array (node);
  return NULL;
}

/* A string member, NULL when absent, not a string or empty. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  const char *s;

  if (object == NULL)
    return NULL;
  s = node_string (json_object_get_member (object, name));
  return (s != NULL && *s != '\0') ? s : NULL;
}

static char *
dup_string (JsonObject *object,
            const char *name)
{
  return g_strdup (get_string (object, name));
}

static gboolean
get_boolean (JsonObject *object,
             const char *name,
             gboolean   *out)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* Numbers come as int64 or double; FHIR decimals are sometimes sent as
 * strings by sloppy servers: accept a fully numeric string too. */
static gboolean
get_number (JsonObject *object,
            const char *name,
            double     *out)
{
  JsonNode *node;
  GType type;

  if (object == NULL)
    return FALSE;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else if (type == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      char *end = NULL;
      double d;

      if (s == NULL || *s == '\0')
        return FALSE;
      d = g_ascii_strtod (s, &end);
      if (end == NULL || *end != '\0')
        return FALSE;
      *out = d;
    }
  else
    return FALSE;

  return isfinite (*out);
}

static JsonObject *
array_object (JsonArray *array,
              guint      index)
{
  return node_object (json_array_get_element (array, index));
}

#define foreach_object(array, var, body)                              \
  G_STMT_START {                                                      \
    guint n_ = (array) != NULL ? json_array_get_length (array) : 0;  \
    for (guint i_ = 0; i_ < n_; i_++)                                 \
      {                                                               \
        JsonObject *var = array_object ((array), i_);                 \
        if (var == NULL)                                              \
          continue;                                                   \
        body                                                          \
      }                                                               \
  } G_STMT_END

/* Joins the string elements of @array, skipping anything else. */
static char *
join_strings (JsonArray  *array,
              const char *separator)
{
  GString *out = NULL;
  guint n;

  if (array == NULL)
    return NULL;

  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      const char *s = node_string (json_array_get_element (array, i));

      if (s == NULL || *s == '\0')
        continue;
      if (out == NULL)
        out = g_string_new (s);
      else
        {
          g_string_append (out, separator);
          g_string_append (out, s);
        }
    }

  return out != NULL ? g_string_free (out, FALSE) : NULL;
}

static JsonObject *
find_extension (JsonObject *object,
                const char *url)
{
  JsonArray *extensions = get_array (object, "extension");

  foreach_object (extensions, ext, {
    if (g_strcmp0 (get_string (ext, "url"), url) == 0)
      return ext;
  });

  return NULL;
}

/* The coding of a CodeableConcept under @system, else its first coding. */
static JsonObject *
pick_coding (JsonObject *concept,
             const char *system)
{
  JsonArray *codings = get_array (concept, "coding");
  JsonObject *first = NULL;

  foreach_object (codings, coding, {
    if (system != NULL && g_strcmp0 (get_string (coding, "system"), system) == 0)
      return coding;
    if (first == NULL)
      first = coding;
  });

  return first;
}

static const char *
concept_code (JsonObject *concept,
              const char *system)
{
  return get_string (pick_coding (concept, system), "code");
}

static const char *
concept_display (JsonObject *concept,
                 JsonObject *coding)
{
  const char *display = get_string (coding, "display");

  return display != NULL ? display : get_string (concept, "text");
}

static const char *
reference_string (JsonObject *object,
                  const char *name)
{
  return get_string (get_object (object, name), "reference");
}

/* FHIR ids: [A-Za-z0-9\-\.]{1,64}. Anything else may end up in a URL or a
 * file name, so it is refused rather than escaped. */
static gboolean
is_valid_id (const char *id,
             gsize       len)
{
  if (len == 0 || len > 64)
    return FALSE;
  if (id[0] == '.' && (len == 1 || (len == 2 && id[1] == '.')))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '.')
      return FALSE;
  return TRUE;
}

gboolean
cab_fhir_id_is_valid (const char *id)
{
  return id != NULL && is_valid_id (id, strlen (id));
}

char *
cab_fhir_reference_id (const char *reference)
{
  const char *start;
  const char *end;
  const char *history;

  if (reference == NULL || *reference == '\0' || *reference == '#')
    return NULL;

  /* A conditional reference is a search, not an id. */
  if (strchr (reference, '?') != NULL)
    return NULL;

  if (g_str_has_prefix (reference, "urn:uuid:"))
    {
      start = reference + strlen ("urn:uuid:");
      return is_valid_id (start, strlen (start)) ? g_strdup (start) : NULL;
    }
  if (g_str_has_prefix (reference, "urn:"))
    return NULL;

  end = reference + strlen (reference);
  history = strstr (reference, "/_history/");
  if (history != NULL)
    end = history;

  start = end;
  while (start > reference && start[-1] != '/')
    start--;

  if (!is_valid_id (start, end - start))
    return NULL;

  /* What precedes the id must be a resource type ("Patient/1"), not "../". */
  if (start > reference)
    {
      const char *type_end = start - 1;
      const char *type = type_end;

      while (type > reference && type[-1] != '/')
        type--;
      if (type == type_end || !g_ascii_isupper (*type))
        return NULL;
      for (const char *p = type; p < type_end; p++)
        if (!g_ascii_isalnum (*p))
          return NULL;
    }

  return g_strndup (start, end - start);
}

/* Reference type ("Patient" in "Patient/1" or ".../fhir/Patient/1"), or
 * NULL when the reference does not name one. */
static gboolean
reference_has_type (const char *reference,
                    const char *type)
{
  gsize type_len = strlen (type);
  const char *p;

  if (reference == NULL)
    return FALSE;
  if (strncmp (reference, type, type_len) == 0 && reference[type_len] == '/')
    return TRUE;

  for (p = strstr (reference, type); p != NULL; p = strstr (p + 1, type))
    if (p > reference && p[-1] == '/' && p[type_len] == '/')
      return TRUE;

  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

/* One pass over the bytes, outside strings, to bound the nesting before the
 * recursive json-glib parser sees it. */
static gboolean
check_depth (const guchar  *data,
             gsize          len,
             GError       **error)
{
  const guchar *p = data;
  const guchar *end = data + len;
  guint depth = 0;

  while (p < end)
    {
      switch (*p++)
        {
        case '"':
          /* Skip the string; memchr keeps long values cheap. */
          for (;;)
            {
              const guchar *q = memchr (p, '"', end - p);
              const guchar *b;
              gsize n_backslashes = 0;

              if (q == NULL)
                {
                  p = end;
                  break;
                }
              for (b = q; b > p && b[-1] == '\\'; b--)
                n_backslashes++;
              p = q + 1;
              if (n_backslashes % 2 == 0)
                break;
            }
          break;

        case '[':
        case '{':
          if (++depth > CAB_FHIR_MAX_DEPTH)
            {
              g_set_error (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_TOO_DEEP,
                           _("The server sent JSON nested more than %d levels deep"),
                           CAB_FHIR_MAX_DEPTH);
              return FALSE;
            }
          break;

        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;

        default:
          break;
        }
    }

  return TRUE;
}

static gboolean
is_surrogate_escape (const char *hex,
                     const char *halves)
{
  return (hex[0] == 'd' || hex[0] == 'D') && hex[1] != '\0' && strchr (halves, hex[1]) != NULL &&
         g_ascii_isxdigit (hex[2]) && g_ascii_isxdigit (hex[3]);
}

/* json-glib 1.6 accepts a "\ud800" without its other half, swallows the next
 * character and puts invalid UTF-8 in the tree: such text is refused. A
 * backslash always starts an escape in valid JSON, so skipping escapes whole
 * keeps the scan in step. */
static gboolean
has_lone_surrogate (const char *data,
                    gsize       len)
{
  const char *p = data;
  const char *end = data + len;

  while (end - p >= 2 && (p = memchr (p, '\\', end - p)) != NULL && end - p >= 2)
    {
      if (p[1] != 'u' || end - p < 6)
        {
          p += 2;
          continue;
        }
      if (is_surrogate_escape (p + 2, "cdefCDEF"))
        return TRUE;
      if (!is_surrogate_escape (p + 2, "89abAB"))
        {
          p += 6;
          continue;
        }
      if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !is_surrogate_escape (p + 8, "cdefCDEF"))
        return TRUE;
      p += 12;
    }
  return FALSE;
}

/* json-glib 1.6 decodes an escaped NUL and then keeps its strings as C
 * strings: "pat-1\u0000evil" reaches the tree as "pat-1", with no length
 * left to notice the cut. The check is therefore made on the text, over its
 * full length, before json-glib sees it: a NUL can only be written as that
 * escape (a raw NUL byte already fails the UTF-8 check). Skipping every
 * escape whole keeps the scan in step ("\\u0000" is a backslash and text). */
static gboolean
has_escaped_nul (const char *data,
                 gsize       len)
{
  const char *p = data;
  const char *end = data + len;

  while (end - p >= 2 && (p = memchr (p, '\\', end - p)) != NULL && end - p >= 2)
    {
      if (p[1] != 'u')
        {
          p += 2;
          continue;
        }
      if (end - p >= 6 && memcmp (p + 2, "0000", 4) == 0)
        return TRUE;
      p += 2;
    }
  return FALSE;
}

JsonNode *
cab_fhir_parse_bytes (GBytes  *bytes,
                      GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE,
                           _("The server sent an empty response where JSON was expected"));
      return NULL;
    }

  if (len > G_MAXSSIZE || !g_utf8_validate_len (data, len, NULL))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE,
                           _("The server sent malformed JSON (not valid UTF-8 text)"));
      return NULL;
    }

  if (!check_depth ((const guchar *) data, len, error))
    return NULL;

  if (has_lone_surrogate (data, len))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE,
                           _("The server sent malformed JSON (a broken Unicode escape)"));
      return NULL;
    }

  /* Ids, references, INS and names become store keys, file names and SQL
   * parameters: a string cut at a NUL would name another record. */
  if (has_escaped_nul (data, len))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The server sent a text value containing a NUL character: refused"));
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_debug ("JSON parse error: %s", local_error->message);
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE,
                           _("The server sent malformed JSON"));
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_PARSE,
                           _("The server sent an empty response where JSON was expected"));
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The server sent JSON that is not a FHIR resource (not an object)"));
      return NULL;
    }

  return g_steal_pointer (&root);
}

/* ------------------------------------------------------------------------ */
/* OperationOutcome                                                          */
/* ------------------------------------------------------------------------ */

static void
append_issue_text (GString    *out,
                   const char *text)
{
  const char *end = text;
  glong n_chars = 0;

  /* A hostile server could send megabytes: cut at a character boundary. */
  while (*end != '\0' && n_chars < MAX_OUTCOME_TEXT)
    {
      end = g_utf8_next_char (end);
      n_chars++;
    }

  if (out->len > 0)
    g_string_append (out, "; ");
  g_string_append_len (out, text, end - text);
  if (*end != '\0')
    g_string_append (out, "…");
}

static const char *
issue_text (JsonObject *issue)
{
  JsonObject *details = get_object (issue, "details");
  const char *text;

  if ((text = get_string (issue, "diagnostics")) != NULL ||
      (text = get_string (details, "text")) != NULL ||
      (text = get_string (pick_coding (details, NULL), "display")) != NULL)
    return text;

  return get_string (issue, "code");
}

static gboolean
issue_is_error (JsonObject *issue)
{
  const char *severity = get_string (issue, "severity");

  return g_strcmp0 (severity, "error") == 0 || g_strcmp0 (severity, "fatal") == 0;
}

GError *
cab_fhir_error_from_outcome (JsonObject *outcome,
                             guint       http_status)
{
  g_autoptr(GString) message = g_string_new (NULL);
  JsonArray *issues = get_array (outcome, "issue");
  JsonObject *first = NULL;
  guint n_issues = 0;
  CabFhirError code;

  switch (http_status)
    {
    case 401: code = CAB_FHIR_ERROR_UNAUTHORIZED; break;
    case 403: code = CAB_FHIR_ERROR_FORBIDDEN; break;
    case 404:
    case 410: code = CAB_FHIR_ERROR_NOT_FOUND; break;
    case 409:
    case 412: code = CAB_FHIR_ERROR_CONFLICT; break;
    default: code = CAB_FHIR_ERROR_OUTCOME; break;
    }

  foreach_object (issues, issue, {
    if (issue_is_error (issue) && issue_text (issue) != NULL)
      {
        first = issue;
        break;
      }
  });

  if (first != NULL)
    {
      append_issue_text (message, issue_text (first));
      n_issues++;
    }

  foreach_object (issues, issue, {
    const char *text = issue_text (issue);

    if (issue == first || text == NULL)
      continue;
    if (n_issues++ >= MAX_OUTCOME_ISSUES)
      break;
    append_issue_text (message, text);
  });

  if (message->len == 0)
    {
      if (http_status != 0)
        g_string_printf (message, _("The server refused the request (HTTP status %u) without saying why"),
                         http_status);
      else
        g_string_assign (message, _("The server reported an error without saying why"));
    }

  return g_error_new_literal (CAB_FHIR_ERROR, code, message->str);
}

/* ------------------------------------------------------------------------ */
/* Free functions                                                            */
/* ------------------------------------------------------------------------ */

void
cab_patient_clear (CabPatient *patient)
{
  if (patient == NULL)
    return;
  g_clear_pointer (&patient->ins, g_free);
  g_clear_pointer (&patient->ins_system, g_free);
  g_clear_pointer (&patient->identity_status, g_free);
  g_clear_pointer (&patient->family, g_free);
  g_clear_pointer (&patient->birth_name, g_free);
  g_clear_pointer (&patient->given, g_free);
  g_clear_pointer (&patient->sex, g_free);
  g_clear_pointer (&patient->birth_date, g_free);
  g_clear_pointer (&patient->birth_place, g_free);
  g_clear_pointer (&patient->gp_reference, g_free);
}

void
cab_patient_free (CabPatient *patient)
{
  if (patient == NULL)
    return;
  cab_patient_clear (patient);
  g_free (patient);
}

void
cab_document_clear (CabDocument *document)
{
  if (document == NULL)
    return;
  g_clear_pointer (&document->status, g_free);
  g_clear_pointer (&document->type_code, g_free);
  g_clear_pointer (&document->type_display, g_free);
  g_clear_pointer (&document->category_code, g_free);
  g_clear_pointer (&document->title, g_free);
  g_clear_pointer (&document->description, g_free);
  g_clear_pointer (&document->author_reference, g_free);
  g_clear_pointer (&document->author_display, g_free);
  g_clear_pointer (&document->custodian_display, g_free);
  g_clear_pointer (&document->date, g_free);
  g_clear_pointer (&document->period_start, g_free);
  g_clear_pointer (&document->security_labels, g_free);
  g_clear_pointer (&document->content_type, g_free);
  g_clear_pointer (&document->url, g_free);
  g_clear_pointer (&document->hash, g_free);
  g_clear_pointer (&document->study_uid, g_free);
  g_clear_pointer (&document->replaces_id, g_free);
}

void
cab_document_free (CabDocument *document)
{
  if (document == NULL)
    return;
  cab_document_clear (document);
  g_free (document);
}

void
cab_observation_value_free (CabObservationValue *value)
{
  if (value == NULL)
    return;
  g_free (value->code);
  g_free (value->display);
  g_free (value->effective);
  g_free (value->unit);
  g_free (value->value_string);
  g_free (value->interpretation);
  g_free (value->document_id);
  g_free (value->status);
  g_free (value);
}

void
cab_condition_free (CabCondition *condition)
{
  if (condition == NULL)
    return;
  g_free (condition->code);
  g_free (condition->system);
  g_free (condition->display);
  g_free (condition->clinical_status);
  g_free (condition->verification_status);
  g_free (condition->onset);
  g_free (condition);
}

void
cab_medication_request_free (CabMedicationRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->status);
  g_free (request->authored_on);
  g_free (request->medication_code);
  g_free (request->medication_display);
  g_free (request->dosage_text);
  g_free (request->requester_reference);
  g_free (request);
}

void
cab_allergy_intolerance_free (CabAllergyIntolerance *allergy)
{
  if (allergy == NULL)
    return;
  g_free (allergy->code);
  g_free (allergy->system);
  g_free (allergy->display);
  g_free (allergy->clinical_status);
  g_free (allergy->verification_status);
  g_free (allergy->type);
  g_free (allergy->category);
  g_free (allergy->criticality);
  g_free (allergy->recorded);
  g_free (allergy);
}

void
cab_practitioner_free (CabPractitioner *practitioner)
{
  if (practitioner == NULL)
    return;
  g_free (practitioner->idnat_ps);
  g_free (practitioner->rpps);
  g_free (practitioner->family);
  g_free (practitioner->given);
  g_free (practitioner->prefix);
  g_free (practitioner);
}

void
cab_organization_free (CabOrganization *organization)
{
  if (organization == NULL)
    return;
  g_free (organization->name);
  g_free (organization->identifier);
  g_free (organization);
}

void
cab_fhir_record_free (CabFhirRecord *record)
{
  if (record == NULL)
    return;

  switch (record->kind)
    {
    case CAB_RESOURCE_PATIENT:
      cab_patient_free (record->patient);
      break;
    case CAB_RESOURCE_DOCUMENT_REFERENCE:
      cab_document_free (record->document);
      break;
    case CAB_RESOURCE_CONDITION:
      cab_condition_free (record->condition);
      break;
    case CAB_RESOURCE_MEDICATION_REQUEST:
      cab_medication_request_free (record->medication_request);
      break;
    case CAB_RESOURCE_ALLERGY_INTOLERANCE:
      cab_allergy_intolerance_free (record->allergy_intolerance);
      break;
    case CAB_RESOURCE_PRACTITIONER:
      cab_practitioner_free (record->practitioner);
      break;
    case CAB_RESOURCE_ORGANIZATION:
      cab_organization_free (record->organization);
      break;
    case CAB_RESOURCE_OBSERVATION:
    case CAB_RESOURCE_OTHER:
    default:
      break;
    }

  g_clear_pointer (&record->observation_values, g_ptr_array_unref);
  g_free (record->type);
  g_free (record->id);
  g_free (record->version_id);
  g_free (record->last_updated);
  g_free (record->patient_id);
  g_free (record->json);
  g_free (record);
}

/* ------------------------------------------------------------------------ */
/* Patient                                                                   */
/* ------------------------------------------------------------------------ */

static int
ins_system_rank (const char *system)
{
  static const char * const systems[] = {
    CAB_SYSTEM_INS_NIR, CAB_SYSTEM_INS_NIR_TEST, CAB_SYSTEM_INS_NIR_DEMO, CAB_SYSTEM_INS_NIA,
  };

  for (guint i = 0; i < G_N_ELEMENTS (systems); i++)
    if (g_strcmp0 (system, systems[i]) == 0)
      return (int) i;
  return -1;
}

static void
flatten_patient_ins (CabPatient *patient,
                     JsonObject *resource)
{
  JsonArray *identifiers = get_array (resource, "identifier");
  int best_rank = G_MAXINT;

  foreach_object (identifiers, identifier, {
    const char *system = get_string (identifier, "system");
    const char *value = get_string (identifier, "value");
    int rank = ins_system_rank (system);
    g_autofree char *nir = NULL;

    if (rank < 0 || rank >= best_rank || value == NULL)
      continue;

    /* The key check guards every INS that enters the store. */
    nir = cab_nir_normalize (value);
    if (!cab_nir_validate (nir, NULL))
      continue;

    g_free (patient->ins);
    g_free (patient->ins_system);
    patient->ins = g_steal_pointer (&nir);
    patient->ins_system = g_strdup (system);
    best_rank = rank;
  });
}

static void
flatten_identity_status (CabPatient *patient,
                         JsonObject *resource)
{
  static const char * const statuses[] = { "PROV", "RECUP", "VALI", "QUAL" };
  JsonObject *reliability = find_extension (resource, CAB_URL_IDENTITY_RELIABILITY);
  JsonObject *status = find_extension (reliability, "identityStatus");
  const char *code;

  if (status == NULL)
    return;

  code = get_string (get_object (status, "valueCoding"), "code");
  if (code == NULL)
    code = get_string (status, "valueCode");
  if (code == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (g_ascii_strcasecmp (code, statuses[i]) == 0)
      patient->identity_status = g_strdup (statuses[i]);
}

static JsonObject *
find_name (JsonArray  *names,
           const char *use)
{
  foreach_object (names, name, {
    if (g_strcmp0 (get_string (name, "use"), use) == 0)
      return name;
  });
  return NULL;
}

static JsonObject *
first_name_with (JsonArray  *names,
                 const char *member)
{
  foreach_object (names, name, {
    if (json_object_has_member (name, member))
      return name;
  });
  return NULL;
}

static void
flatten_patient_names (CabPatient *patient,
                       JsonObject *resource)
{
  JsonArray *names = get_array (resource, "name");
  JsonObject *official = find_name (names, "official");
  JsonObject *usual = find_name (names, "usual");
  JsonObject *maiden = find_name (names, "maiden");
  JsonObject *given_name;

  patient->family = dup_string (usual, "family");
  if (patient->family == NULL)
    patient->family = dup_string (official, "family");
  if (patient->family == NULL)
    patient->family = dup_string (first_name_with (names, "family"), "family");

  /* FR Core: the official name carries the birth name. */
  patient->birth_name = dup_string (official, "family");
  if (patient->birth_name == NULL)
    patient->birth_name = dup_string (maiden, "family");

  given_name = official != NULL && get_array (official, "given") != NULL ? official : NULL;
  if (given_name == NULL && usual != NULL && get_array (usual, "given") != NULL)
    given_name = usual;
  if (given_name == NULL)
    given_name = first_name_with (names, "given");
  patient->given = join_strings (get_array (given_name, "given"), " ");
}

static void
flatten_birth_place (CabPatient *patient,
                     JsonObject *resource)
{
  JsonObject *ext = find_extension (resource, CAB_URL_BIRTH_PLACE);
  JsonObject *address = get_object (ext, "valueAddress");
  JsonArray *address_extensions = get_array (address, "extension");
  const char *code = NULL;

  foreach_object (address_extensions, sub, {
    const char *url = get_string (sub, "url");

    if (url != NULL && g_str_has_suffix (url, URL_INSEE_CODE_SUFFIX))
      {
        code = get_string (get_object (sub, "valueCoding"), "code");
        if (code == NULL)
          code = get_string (sub, "valueCode");
        if (code != NULL)
          break;
      }
  });

  if (code == NULL)
    code = get_string (address, "postalCode");
  if (code == NULL)
    code = get_string (address, "city");

  patient->birth_place = g_strdup (code);
}

static CabPatient *
flatten_patient (JsonObject *resource)
{
  CabPatient *patient = g_new0 (CabPatient, 1);
  JsonArray *gps = get_array (resource, "generalPractitioner");

  flatten_patient_ins (patient, resource);
  flatten_identity_status (patient, resource);
  /* QUAL means "validated, with its INS": without a usable INS (refused by
   * the key check, or none sent) it is at most validated. */
  if (g_strcmp0 (patient->identity_status, "QUAL") == 0 && patient->ins == NULL)
    {
      g_free (patient->identity_status);
      patient->identity_status = g_strdup ("VALI");
    }
  flatten_patient_names (patient, resource);
  patient->sex = dup_string (resource, "gender");
  patient->birth_date = dup_string (resource, "birthDate");
  flatten_birth_place (patient, resource);

  foreach_object (gps, gp, {
    const char *reference = get_string (gp, "reference");

    if (reference != NULL)
      {
        patient->gp_reference = g_strdup (reference);
        break;
      }
  });

  return patient;
}

/* ------------------------------------------------------------------------ */
/* DocumentReference                                                         */
/* ------------------------------------------------------------------------ */

static gboolean
concept_has_code (JsonObject *concept,
                  const char *code)
{
  JsonArray *codings = get_array (concept, "coding");

  foreach_object (codings, coding, {
    if (g_strcmp0 (get_string (coding, "code"), code) == 0)
      return TRUE;
  });
  return FALSE;
}

static gboolean
concept_mentions (JsonObject *concept,
                  const char *value)
{
  JsonArray *codings = get_array (concept, "coding");

  if (g_strcmp0 (get_string (concept, "text"), value) == 0)
    return TRUE;

  foreach_object (codings, coding, {
    if (g_strcmp0 (get_string (coding, "code"), value) == 0 ||
        g_strcmp0 (get_string (coding, "system"), value) == 0)
      return TRUE;
  });
  return FALSE;
}

static char *
flatten_security_labels (JsonObject *resource)
{
  JsonArray *labels = get_array (resource, "securityLabel");
  GString *out = NULL;

  foreach_object (labels, label, {
    JsonArray *codings = get_array (label, "coding");
    guint n_codings = codings != NULL ? json_array_get_length (codings) : 0;

    for (guint j = 0; j < n_codings; j++)
      {
        const char *code = get_string (array_object (codings, j), "code");

        if (code == NULL)
          continue;
        if (out == NULL)
          out = g_string_new (code);
        else
          {
            g_string_append_c (out, ',');
            g_string_append (out, code);
          }
      }
  });

  return out != NULL ? g_string_free (out, FALSE) : NULL;
}

static char *
flatten_study_uid (JsonObject *context)
{
  JsonArray *related = get_array (context, "related");

  foreach_object (related, ref, {
    JsonObject *identifier = get_object (ref, "identifier");
    const char *value = get_string (identifier, "value");

    if (value == NULL)
      continue;

    if (g_strcmp0 (get_string (identifier, "system"), CAB_SYSTEM_STUDY_UID) == 0 ||
        concept_mentions (get_object (identifier, "type"), CAB_SYSTEM_STUDY_UID))
      {
        /* A DICOM UID is plain dotted digits; FHIR often wraps it as an OID URN. */
        if (g_str_has_prefix (value, "urn:oid:"))
          value += strlen ("urn:oid:");
        return g_strdup (value);
      }
  });

  return NULL;
}

static void
flatten_author (CabDocument *document,
                JsonObject  *resource)
{
  JsonArray *authors = get_array (resource, "author");
  JsonObject *chosen = NULL;

  /* Several authors: the professional, then their organisation. */
  foreach_object (authors, author, {
    const char *reference = get_string (author, "reference");

    if (get_string (author, "display") == NULL && reference == NULL)
      continue;
    if (chosen == NULL)
      chosen = author;
    if (reference_has_type (reference, "Practitioner") ||
        reference_has_type (reference, "PractitionerRole"))
      {
        chosen = author;
        break;
      }
  });

  if (chosen == NULL)
    return;

  document->author_reference = dup_string (chosen, "reference");
  document->author_display = dup_string (chosen, "display");
  if (document->author_display == NULL)
    document->author_display = g_strdup (document->author_reference);
}

static gboolean
get_size (JsonObject *attachment,
          gint64     *out)
{
  double d;

  /* unsignedInt in R4, integer64 (a JSON string) in R5. */
  if (!get_number (attachment, "size", &d) || d < 0 || d > (double) G_MAXINT64 / 2 || d != floor (d))
    return FALSE;
  *out = (gint64) d;
  return TRUE;
}

static CabDocument *
flatten_document (JsonObject *resource)
{
  CabDocument *document = g_new0 (CabDocument, 1);
  JsonObject *type = get_object (resource, "type");
  JsonObject *type_coding = pick_coding (type, CAB_SYSTEM_LOINC);
  JsonArray *categories = get_array (resource, "category");
  JsonArray *contents = get_array (resource, "content");
  JsonArray *relates_to = get_array (resource, "relatesTo");
  JsonObject *context = get_object (resource, "context");
  JsonObject *custodian = get_object (resource, "custodian");
  JsonObject *archived = find_extension (resource, CAB_URL_IS_ARCHIVED);
  JsonObject *attachment = NULL;
  const char *title;

  document->size = -1;
  document->status = dup_string (resource, "status");
  document->type_code = dup_string (type_coding, "code");
  document->type_display = g_strdup (concept_display (type, type_coding));
  document->description = dup_string (resource, "description");
  document->date = dup_string (resource, "date");

  foreach_object (categories, category, {
    const char *code = concept_code (category, CAB_SYSTEM_CLASS_CODE);

    if (code != NULL)
      {
        document->category_code = g_strdup (code);
        break;
      }
  });

  foreach_object (contents, content, {
    attachment = get_object (content, "attachment");
    if (attachment != NULL)
      break;
  });

  document->content_type = dup_string (attachment, "contentType");
  document->url = dup_string (attachment, "url");
  document->hash = dup_string (attachment, "hash");
  get_size (attachment, &document->size);

  title = get_string (attachment, "title");
  if (title == NULL)
    title = document->description;
  if (title == NULL)
    title = document->type_display;
  document->title = g_strdup (title);

  flatten_author (document, resource);
  document->custodian_display = dup_string (custodian, "display");
  if (document->custodian_display == NULL)
    document->custodian_display = dup_string (custodian, "reference");

  document->period_start = dup_string (get_object (context, "period"), "start");
  document->study_uid = flatten_study_uid (context);
  document->security_labels = flatten_security_labels (resource);
  get_boolean (archived, "valueBoolean", &document->is_archived);

  document->is_kos = g_strcmp0 (document->content_type, "application/dicom") == 0 ||
                     concept_has_code (type, "IMG-KOS");

  foreach_object (relates_to, relation, {
    if (g_strcmp0 (get_string (relation, "code"), "replaces") == 0)
      {
        document->replaces_id = cab_fhir_reference_id (reference_string (relation, "target"));
        if (document->replaces_id != NULL)
          break;
      }
  });

  return document;
}

/* ------------------------------------------------------------------------ */
/* Observation                                                               */
/* ------------------------------------------------------------------------ */

/* Fills value, unit and value_string from the value[x] of @object (the
 * Observation or one of its components); FALSE when it has none. */
static gboolean
flatten_value (CabObservationValue *value,
               JsonObject          *object)
{
  JsonObject *quantity = get_object (object, "valueQuantity");
  JsonObject *concept = get_object (object, "valueCodeableConcept");
  const char *s;
  double d;

  if (quantity != NULL)
    {
      if (get_number (quantity, "value", &d))
        value->value = d;
      value->unit = dup_string (quantity, "unit");
      if (value->unit == NULL)
        value->unit = dup_string (quantity, "code");
      return TRUE;
    }

  if ((s = get_string (object, "valueString")) != NULL)
    {
      value->value_string = g_strdup (s);
      return TRUE;
    }

  if (concept != NULL)
    {
      JsonObject *coding = pick_coding (concept, NULL);

      s = concept_display (concept, coding);
      if (s == NULL)
        s = get_string (coding, "code");
      value->value_string = g_strdup (s);
      return TRUE;
    }

  if (get_number (object, "valueInteger", &d))
    {
      value->value = d;
      return TRUE;
    }

  return FALSE;
}

static void
flatten_range_and_interpretation (CabObservationValue *value,
                                  JsonObject          *object)
{
  JsonArray *ranges = get_array (object, "referenceRange");
  JsonArray *interpretations = get_array (object, "interpretation");
  JsonObject *range;
  JsonObject *interpretation;

  range = ranges != NULL && json_array_get_length (ranges) > 0 ? array_object (ranges, 0) : NULL;
  get_number (get_object (range, "low"), "value", &value->low);
  get_number (get_object (range, "high"), "value", &value->high);

  interpretation = interpretations != NULL && json_array_get_length (interpretations) > 0
                   ? array_object (interpretations, 0) : NULL;
  value->interpretation = g_strdup (concept_code (interpretation, NULL));
}

static CabObservationValue *
observation_value_new (JsonObject *object,
                       const char *effective,
                       const char *document_id,
                       const char *status)
{
  CabObservationValue *value = g_new0 (CabObservationValue, 1);
  JsonObject *code = get_object (object, "code");
  JsonObject *coding = pick_coding (code, CAB_SYSTEM_LOINC);

  value->value = NAN;
  value->low = NAN;
  value->high = NAN;
  value->code = dup_string (coding, "code");
  value->display = g_strdup (concept_display (code, coding));
  value->effective = g_strdup (effective);
  value->document_id = g_strdup (document_id);
  value->status = g_strdup (status);
  flatten_value (value, object);
  flatten_range_and_interpretation (value, object);

  return value;
}

static gboolean
has_value (JsonObject *object)
{
  static const char * const members[] = {
    "valueQuantity", "valueString", "valueCodeableConcept", "valueInteger",
  };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (json_object_has_member (object, members[i]))
      return TRUE;
  return FALSE;
}

static GPtrArray *
flatten_observation (JsonObject *resource)
{
  GPtrArray *values = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_observation_value_free);
  JsonArray *components = get_array (resource, "component");
  JsonArray *derived_from = get_array (resource, "derivedFrom");
  g_autofree char *document_id = NULL;
  const char *effective;
  const char *status = get_string (resource, "status");

  effective = get_string (resource, "effectiveDateTime");
  if (effective == NULL)
    effective = get_string (get_object (resource, "effectivePeriod"), "start");
  if (effective == NULL)
    effective = get_string (resource, "effectiveInstant");

  foreach_object (derived_from, ref, {
    const char *reference = get_string (ref, "reference");

    if (reference_has_type (reference, "DocumentReference"))
      {
        document_id = cab_fhir_reference_id (reference);
        if (document_id != NULL)
          break;
      }
  });

  if (has_value (resource))
    g_ptr_array_add (values, observation_value_new (resource, effective, document_id, status));

  foreach_object (components, component, {
    if (has_value (component))
      g_ptr_array_add (values, observation_value_new (component, effective, document_id, status));
  });

  return values;
}

/* ------------------------------------------------------------------------ */
/* Condition, MedicationRequest, Practitioner, Organization                  */
/* ------------------------------------------------------------------------ */

static gboolean
is_icd10_system (const char *system)
{
  return system != NULL &&
         (strstr (system, "icd-10") != NULL ||
          strstr (system, "icd10") != NULL ||
          strcmp (system, "urn:oid:2.16.840.1.113883.6.3") == 0);
}

static CabCondition *
flatten_condition (JsonObject *resource)
{
  CabCondition *condition = g_new0 (CabCondition, 1);
  JsonObject *code = get_object (resource, "code");
  JsonArray *codings = get_array (code, "coding");
  JsonArray *categories = get_array (resource, "category");
  JsonObject *ald = find_extension (resource, CAB_URL_CONDITION_ALD);
  JsonObject *chosen = NULL;
  const char *onset;

  foreach_object (codings, coding, {
    if (is_icd10_system (get_string (coding, "system")))
      {
        chosen = coding;
        break;
      }
    if (chosen == NULL)
      chosen = coding;
  });

  condition->code = dup_string (chosen, "code");
  condition->system = dup_string (chosen, "system");
  condition->display = g_strdup (concept_display (code, chosen));
  condition->clinical_status = g_strdup (concept_code (get_object (resource, "clinicalStatus"), NULL));
  condition->verification_status = g_strdup (concept_code (get_object (resource, "verificationStatus"), NULL));

  onset = get_string (resource, "onsetDateTime");
  if (onset == NULL)
    onset = get_string (get_object (resource, "onsetPeriod"), "start");
  condition->onset = g_strdup (onset);

  if (!get_boolean (ald, "valueBoolean", &condition->ald))
    {
      foreach_object (categories, category, {
        if (concept_has_code (category, "ALD"))
          {
            condition->ald = TRUE;
            break;
          }
      });
    }

  return condition;
}

static CabAllergyIntolerance *
flatten_allergy_intolerance (JsonObject *resource)
{
  CabAllergyIntolerance *allergy = g_new0 (CabAllergyIntolerance, 1);
  JsonObject *code = get_object (resource, "code");
  JsonObject *coding = pick_coding (code, NULL);
  JsonArray *categories = get_array (resource, "category");

  allergy->code = dup_string (coding, "code");
  allergy->system = dup_string (coding, "system");
  allergy->display = g_strdup (concept_display (code, coding));
  allergy->clinical_status = g_strdup (concept_code (get_object (resource, "clinicalStatus"), NULL));
  allergy->verification_status = g_strdup (concept_code (get_object (resource, "verificationStatus"), NULL));
  allergy->type = dup_string (resource, "type");
  allergy->criticality = dup_string (resource, "criticality");
  allergy->recorded = dup_string (resource, "recordedDate");
  if (categories != NULL && json_array_get_length (categories) > 0)
    allergy->category = g_strdup (node_string (json_array_get_element (categories, 0)));
  return allergy;
}

static CabMedicationRequest *
flatten_medication_request (JsonObject *resource)
{
  CabMedicationRequest *request = g_new0 (CabMedicationRequest, 1);
  JsonObject *medication = get_object (resource, "medicationCodeableConcept");
  JsonObject *coding = pick_coding (medication, NULL);
  JsonArray *dosages = get_array (resource, "dosageInstruction");
  GString *dosage = NULL;

  request->status = dup_string (resource, "status");
  request->authored_on = dup_string (resource, "authoredOn");
  request->medication_code = dup_string (coding, "code");
  request->medication_display = g_strdup (concept_display (medication, coding));
  if (request->medication_display == NULL)
    request->medication_display = dup_string (get_object (resource, "medicationReference"), "display");
  request->requester_reference = g_strdup (reference_string (resource, "requester"));

  foreach_object (dosages, instruction, {
    const char *text = get_string (instruction, "text");

    if (text == NULL)
      continue;
    if (dosage == NULL)
      dosage = g_string_new (text);
    else
      {
        g_string_append (dosage, "; ");
        g_string_append (dosage, text);
      }
  });
  request->dosage_text = dosage != NULL ? g_string_free (dosage, FALSE) : NULL;

  return request;
}

static const char *
find_identifier (JsonObject *resource,
                 const char *system)
{
  JsonArray *identifiers = get_array (resource, "identifier");

  foreach_object (identifiers, identifier, {
    const char *value = get_string (identifier, "value");

    if (value != NULL && (system == NULL || g_strcmp0 (get_string (identifier, "system"), system) == 0))
      return value;
  });
  return NULL;
}

static CabPractitioner *
flatten_practitioner (JsonObject *resource)
{
  CabPractitioner *practitioner = g_new0 (CabPractitioner, 1);
  JsonArray *names = get_array (resource, "name");
  JsonObject *name = find_name (names, "official");

  if (name == NULL)
    name = first_name_with (names, "family");
  if (name == NULL && names != NULL && json_array_get_length (names) > 0)
    name = array_object (names, 0);

  practitioner->idnat_ps = g_strdup (find_identifier (resource, CAB_SYSTEM_IDNAT_PS));
  practitioner->rpps = g_strdup (find_identifier (resource, CAB_SYSTEM_RPPS));
  practitioner->family = dup_string (name, "family");
  practitioner->given = join_strings (get_array (name, "given"), " ");
  practitioner->prefix = join_strings (get_array (name, "prefix"), " ");

  return practitioner;
}

static CabOrganization *
flatten_organization (JsonObject *resource)
{
  CabOrganization *organization = g_new0 (CabOrganization, 1);
  const char *identifier = find_identifier (resource, CAB_SYSTEM_ORGANIZATION);

  if (identifier == NULL)
    identifier = find_identifier (resource, NULL);
  organization->name = dup_string (resource, "name");
  organization->identifier = g_strdup (identifier);

  return organization;
}

/* ------------------------------------------------------------------------ */
/* Raw entry text                                                            */
/* ------------------------------------------------------------------------ */

/* Writing each resource back out of the json-glib tree took a tenth of a
 * full sync's CPU: a Bundle's resources are rather cut out of the text it
 * was parsed from. A light structural scan finds where each entry's "resource"
 * lies; anything it does not follow (escaped keys where it looks, comments,
 * stray bytes, what json-glib takes but RFC 8259 does not) makes it give up,
 * and the tree is written out as before. */

typedef struct
{
  gsize start;
  gsize end;    /* 0: unknown, write it from the tree */
} TextSlice;

typedef struct
{
  const char *base;
  const char *p;
  const char *end;
} Scan;

static inline void
scan_ws (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

/* The code unit of the "backslash u, four hex digits" escape at @p, or -1. */
static int
escape_code_unit (const char *p,
                  const char *end)
{
  int code = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      code = code * 16 + digit;
    }
  return code;
}

/* The length of the escape at @p (on the backslash), 0 unless RFC 8259
 * allows it. json-glib reads a u escape of fewer than four digits or a lone
 * surrogate past the closing quote, and ends a string at an escaped NUL: its
 * tree would not match the text, so these are left to the tree. */
static gsize
escape_len (const char *p,
            const char *end)
{
  int code;

  if (end - p < 2)
    return 0;
  if (p[1] != 'u')
    return memchr ("\"\\/bfnrt", p[1], 8) != NULL ? 2 : 0;

  code = escape_code_unit (p, end);
  if (code <= 0 || (code >= 0xdc00 && code <= 0xdfff))
    return 0;
  if (code < 0xd800 || code > 0xdbff)
    return 6;
  code = escape_code_unit (p + 6, end);
  return code >= 0xdc00 && code <= 0xdfff ? 12 : 0;
}

/* On the opening quote; leaves s->p after the closing one. */
static gboolean
scan_string (Scan     *s,
             gboolean *escaped)
{
  const char *p = s->p + 1;

  *escaped = FALSE;
  for (;;)
    {
      const char *q = memchr (p, '"', s->end - p);
      const char *bs;
      gsize len;

      if (q == NULL)
        return FALSE;
      bs = memchr (p, '\\', q - p);
      if (bs == NULL)
        {
          s->p = q + 1;
          return TRUE;
        }
      len = escape_len (bs, s->end);
      if (len == 0)
        return FALSE;
      *escaped = TRUE;
      p = bs + len;
    }
}

static gboolean
scan_digits (Scan *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

/* true, false, null or an RFC 8259 number. json-glib also takes hex, octal,
 * ".5" or "1." and wraps integers past 64 bits: those are left to the tree. */
static gboolean
scan_literal (Scan *s)
{
  static const char * const words[] = { "true", "false", "null" };
  const char *int_start;
  gboolean fits = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize len = strlen (words[i]);

      if ((gsize) (s->end - s->p) >= len && memcmp (s->p, words[i], len) == 0)
        {
          s->p += len;
          return TRUE;
        }
    }

  if (s->p < s->end && *s->p == '-')
    s->p++;
  int_start = s->p;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !scan_digits (s))
    return FALSE;
  if (s->p - int_start > 18)
    fits = FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
      fits = TRUE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
      fits = TRUE;
    }
  return fits;
}

static gboolean scan_value (Scan *s, guint depth);

/* What follows a member of an object or an element of an array: @close,
 * which ends the container (*@closed), or a comma and the next one. Written
 * once so objects and arrays cannot drift apart on hostile input. */
static gboolean
scan_after_item (Scan     *s,
                 char      close,
                 gboolean *closed)
{
  scan_ws (s);
  if (s->p >= s->end)
    return FALSE;
  *closed = *s->p == close;
  if (*closed)
    {
      s->p++;
      return TRUE;
    }
  if (*s->p != ',')
    return FALSE;
  s->p++;
  scan_ws (s);
  return TRUE;
}

/* Calls @member for each member, on its value (whitespace skipped). */
typedef gboolean (*ScanMemberFunc) (Scan       *s,
                                    const char *key,
                                    gsize       key_len,
                                    gboolean    escaped,
                                    guint       depth,
                                    gpointer    user_data);

static gboolean
scan_object (Scan           *s,
             guint           depth,
             ScanMemberFunc  member,
             gpointer        user_data)
{
  if (depth > CAB_FHIR_MAX_DEPTH + 1)
    return FALSE;

  s->p++;
  scan_ws (s);
  if (s->p < s->end && *s->p == '}')
    {
      s->p++;
      return TRUE;
    }

  for (;;)
    {
      const char *key;
      gsize key_len;
      gboolean escaped;
      gboolean closed;

      if (s->p >= s->end || *s->p != '"')
        return FALSE;
      key = s->p + 1;
      if (!scan_string (s, &escaped))
        return FALSE;
      key_len = s->p - key;
      scan_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return FALSE;
      s->p++;
      scan_ws (s);
      if (member != NULL)
        {
          if (!member (s, key, key_len, escaped, depth, user_data))
            return FALSE;
        }
      else if (!scan_value (s, depth + 1))
        return FALSE;
      if (!scan_after_item (s, '}', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

static gboolean
scan_array (Scan *s,
            guint depth,
            gboolean (*element) (Scan *s, guint depth, gpointer user_data),
            gpointer user_data)
{
  if (depth > CAB_FHIR_MAX_DEPTH + 1)
    return FALSE;

  s->p++;
  scan_ws (s);
  if (s->p < s->end && *s->p == ']')
    {
      s->p++;
      return TRUE;
    }

  for (;;)
    {
      gboolean closed;

      if (element != NULL)
        {
          if (!element (s, depth, user_data))
            return FALSE;
        }
      else if (!scan_value (s, depth + 1))
        return FALSE;
      if (!scan_after_item (s, ']', &closed))
        return FALSE;
      if (closed)
        return TRUE;
    }
}

static gboolean
scan_value (Scan  *s,
            guint  depth)
{
  gboolean escaped;

  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '{':
      return scan_object (s, depth, NULL, NULL);
    case '[':
      return scan_array (s, depth, NULL, NULL);
    case '"':
      return scan_string (s, &escaped);
    default:
      return scan_literal (s);
    }
}

/* @key_len counts the closing quote. */
static inline gboolean
key_is (const char *key,
        gsize       key_len,
        const char *name)
{
  gsize len = strlen (name);

  return key_len == len + 1 && memcmp (key, name, len) == 0;
}

static gboolean
scan_entry_member (Scan       *s,
                   const char *key,
                   gsize       key_len,
                   gboolean    escaped,
                   guint       depth,
                   gpointer    user_data)
{
  TextSlice *slice = user_data;
  gsize start = s->p - s->base;

  if (!scan_value (s, depth + 1))
    return FALSE;

  /* An escaped key might spell "resource", and which of duplicate keys
   * the tree keeps is json-glib's business: the tree decides then. */
  if (escaped || (key_is (key, key_len, "resource") && slice->end > 0))
    slice->start = G_MAXSIZE;
  else if (key_is (key, key_len, "resource") && slice->start != G_MAXSIZE)
    {
      slice->start = start;
      slice->end = s->p - s->base;
    }
  return TRUE;
}

static gboolean
scan_entry (Scan     *s,
            guint     depth,
            gpointer  user_data)
{
  GArray *slices = user_data;
  TextSlice slice = { 0, 0 };

  if (s->p < s->end && *s->p == '{')
    {
      if (!scan_object (s, depth + 1, scan_entry_member, &slice))
        return FALSE;
    }
  else if (!scan_value (s, depth + 1))
    return FALSE;

  if (slice.start == G_MAXSIZE)
    slice.end = 0;
  g_array_append_val (slices, slice);
  return TRUE;
}

typedef struct
{
  GArray   *slices;
  gboolean  seen_entry;
} BundleScan;

static gboolean
scan_bundle_member (Scan       *s,
                    const char *key,
                    gsize       key_len,
                    gboolean    escaped,
                    guint       depth,
                    gpointer    user_data)
{
  BundleScan *bundle = user_data;

  if (escaped)
    return FALSE;
  if (!key_is (key, key_len, "entry"))
    return scan_value (s, depth + 1);

  /* A second "entry": which one the tree kept is json-glib's business. */
  if (bundle->seen_entry)
    return FALSE;
  bundle->seen_entry = TRUE;
  if (s->p < s->end && *s->p == '[')
    return scan_array (s, depth + 1, scan_entry, bundle->slices);
  return scan_value (s, depth + 1);
}

/* Where each Bundle entry's resource lies in @text, in entry order; NULL
 * when the scan gives up. */
static GArray *
scan_bundle_entries (GBytes *text)
{
  g_autoptr(GArray) slices = g_array_new (FALSE, FALSE, sizeof (TextSlice));
  BundleScan bundle = { slices, FALSE };
  gsize len;
  Scan s;

  s.base = g_bytes_get_data (text, &len);
  s.p = s.base;
  s.end = s.base + len;
  /* A NUL would end the record's JSON early. */
  if (s.base == NULL || memchr (s.base, '\0', len) != NULL)
    return NULL;

  scan_ws (&s);
  if (s.p >= s.end || *s.p != '{' || !scan_object (&s, 0, scan_bundle_member, &bundle))
    return NULL;
  scan_ws (&s);
  if (s.p != s.end)
    return NULL;

  return g_steal_pointer (&slices);
}

/* The resource text without the whitespace between tokens, like the
 * generator's compact output. */
static char *
compact_json (const char *text,
              gsize       len)
{
  char *out = g_malloc (len + 1);
  char *o = out;
  Scan s = { text, text, text + len };

  while (s.p < s.end)
    {
      char c = *s.p;

      if (c == '"')
        {
          const char *start = s.p;
          gboolean escaped;

          /* The text was parsed already: strings are closed. */
          if (!scan_string (&s, &escaped))
            s.p = s.end;
          memcpy (o, start, s.p - start);
          o += s.p - start;
        }
      else
        {
          if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            *o++ = c;
          s.p++;
        }
    }
  *o = '\0';
  return out;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */
/* ------------------------------------------------------------------------ */

static CabResourceKind
kind_from_type (const char *type)
{
  static const struct {
    const char *type;
    CabResourceKind kind;
  } kinds[] = {
    { "Patient", CAB_RESOURCE_PATIENT },
    { "Practitioner", CAB_RESOURCE_PRACTITIONER },
    { "Organization", CAB_RESOURCE_ORGANIZATION },
    { "DocumentReference", CAB_RESOURCE_DOCUMENT_REFERENCE },
    { "Observation", CAB_RESOURCE_OBSERVATION },
    { "Condition", CAB_RESOURCE_CONDITION },
    { "MedicationRequest", CAB_RESOURCE_MEDICATION_REQUEST },
    { "AllergyIntolerance", CAB_RESOURCE_ALLERGY_INTOLERANCE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (type, kinds[i].type) == 0)
      return kinds[i].kind;
  return CAB_RESOURCE_OTHER;
}

static char *
patient_id_of (CabResourceKind  kind,
               const char      *id,
               JsonObject      *resource)
{
  static const char * const members[] = { "subject", "patient", "beneficiary" };

  if (kind == CAB_RESOURCE_PATIENT)
    return g_strdup (id);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      const char *reference = reference_string (resource, members[i]);

      /* Only a Patient compartment: a subject may also be a Group or a Device. */
      if (reference == NULL)
        continue;
      if (reference_has_type (reference, "Patient") || g_str_has_prefix (reference, "urn:uuid:"))
        return cab_fhir_reference_id (reference);
    }

  return NULL;
}

static gboolean
check_required (JsonObject   *resource,
                const char  **type_out,
                const char  **id_out,
                GError      **error)
{
  JsonNode *type_node = json_object_get_member (resource, "resourceType");
  JsonNode *id_node = json_object_get_member (resource, "id");
  const char *type = node_string (type_node);
  const char *id = node_string (id_node);

  if (type_node == NULL)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The resource has no “resourceType”"));
      return FALSE;
    }
  if (type == NULL || *type == '\0' || !is_valid_id (type, strlen (type)))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The resource’s “resourceType” is not a valid type name"));
      return FALSE;
    }
  if (id_node == NULL)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The resource has no “id”"));
      return FALSE;
    }
  if (id == NULL || !is_valid_id (id, strlen (id)))
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The resource’s “id” is not a valid FHIR id"));
      return FALSE;
    }

  *type_out = type;
  *id_out = id;
  return TRUE;
}

/* @text, when not NULL, is the resource as received (@text_len bytes). */
static CabFhirRecord *
record_new (JsonNode    *node,
            JsonObject  *resource,
            const char  *text,
            gsize        text_len,
            GError     **error)
{
  CabFhirRecord *record;
  JsonObject *meta;
  const char *type;
  const char *id;

  if (!check_required (resource, &type, &id, error))
    return NULL;

  record = g_new0 (CabFhirRecord, 1);
  record->kind = kind_from_type (type);
  record->type = g_strdup (type);
  record->id = g_strdup (id);

  meta = get_object (resource, "meta");
  record->version_id = dup_string (meta, "versionId");
  record->last_updated = dup_string (meta, "lastUpdated");
  record->patient_id = patient_id_of (record->kind, id, resource);

  switch (record->kind)
    {
    case CAB_RESOURCE_PATIENT:
      record->patient = flatten_patient (resource);
      break;
    case CAB_RESOURCE_DOCUMENT_REFERENCE:
      record->document = flatten_document (resource);
      break;
    case CAB_RESOURCE_OBSERVATION:
      record->observation_values = flatten_observation (resource);
      break;
    case CAB_RESOURCE_CONDITION:
      record->condition = flatten_condition (resource);
      break;
    case CAB_RESOURCE_MEDICATION_REQUEST:
      record->medication_request = flatten_medication_request (resource);
      break;
    case CAB_RESOURCE_ALLERGY_INTOLERANCE:
      record->allergy_intolerance = flatten_allergy_intolerance (resource);
      break;
    case CAB_RESOURCE_PRACTITIONER:
      record->practitioner = flatten_practitioner (resource);
      break;
    case CAB_RESOURCE_ORGANIZATION:
      record->organization = flatten_organization (resource);
      break;
    case CAB_RESOURCE_OTHER:
    default:
      break;
    }

  if (text != NULL)
    record->json = compact_json (text, text_len);
  else
    record->json = json_to_string (node, FALSE);

  return record;
}

CabFhirRecord *
cab_fhir_record_new_from_json (JsonObject  *resource,
                               GError     **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = json_node_init_object (json_node_alloc (), resource);

  return record_new (node, resource, NULL, 0, error);
}

/* ------------------------------------------------------------------------ */
/* Bundle                                                                    */
/* ------------------------------------------------------------------------ */

static GPtrArray *
bundle_get_records (JsonObject  *bundle,
                    GBytes      *text,
                    char       **next_url,
                    guint       *n_invalid,
                    GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GArray) slices = NULL;
  const char *base = NULL;
  const char *type;
  JsonArray *entries;
  JsonArray *links;
  guint n_bad = 0;
  guint n;

  if (next_url != NULL)
    *next_url = NULL;
  if (n_invalid != NULL)
    *n_invalid = 0;

  type = get_string (bundle, "resourceType");
  if (g_strcmp0 (type, "OperationOutcome") == 0)
    {
      g_propagate_error (error, cab_fhir_error_from_outcome (bundle, 0));
      return NULL;
    }
  if (g_strcmp0 (type, "Bundle") != 0)
    {
      g_set_error_literal (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_INVALID,
                           _("The server sent something else where a Bundle was expected"));
      return NULL;
    }

  entries = get_array (bundle, "entry");
  n = entries != NULL ? json_array_get_length (entries) : 0;
  records = g_ptr_array_new_full (n, (GDestroyNotify) cab_fhir_record_free);
  if (text != NULL && n > 0 && (slices = scan_bundle_entries (text)) != NULL)
    {
      base = g_bytes_get_data (text, NULL);
      /* The scan and the tree disagree: trust neither slice. */
      if (slices->len != n)
        g_clear_pointer (&slices, g_array_unref);
    }

  for (guint i = 0; i < n; i++)
    {
      JsonObject *entry = array_object (entries, i);
      JsonNode *resource_node;
      JsonObject *resource;
      g_autoptr(GError) entry_error = NULL;
      CabFhirRecord *record;

      if (entry == NULL)
        {
          n_bad++;
          continue;
        }

      if (g_strcmp0 (get_string (get_object (entry, "search"), "mode"), "outcome") == 0)
        continue;

      resource_node = json_object_get_member (entry, "resource");
      resource = node_object (resource_node);
      if (resource == NULL)
        {
          /* History deletions and minimal transaction responses carry no resource. */
          if (resource_node == NULL &&
              (get_object (entry, "request") != NULL || get_object (entry, "response") != NULL))
            continue;
          n_bad++;
          continue;
        }

      if (slices != NULL && g_array_index (slices, TextSlice, i).end > 0)
        {
          const TextSlice *slice = &g_array_index (slices, TextSlice, i);

          record = record_new (resource_node, resource, base + slice->start,
                               slice->end - slice->start, &entry_error);
        }
      else
        record = record_new (resource_node, resource, NULL, 0, &entry_error);
      if (record == NULL)
        {
          g_debug ("Skipping bundle entry %u: %s", i, entry_error->message);
          n_bad++;
          continue;
        }

      g_ptr_array_add (records, record);
    }

  links = get_array (bundle, "link");
  if (next_url != NULL)
    {
      foreach_object (links, link, {
        const char *url = get_string (link, "url");

        if (url != NULL && g_strcmp0 (get_string (link, "relation"), "next") == 0)
          {
            *next_url = g_strdup (url);
            break;
          }
      });
    }

  if (n_invalid != NULL)
    *n_invalid = n_bad;

  return g_steal_pointer (&records);
}

GPtrArray *
cab_fhir_bundle_get_records (JsonObject  *bundle,
                             char       **next_url,
                             guint       *n_invalid,
                             GError     **error)
{
  g_return_val_if_fail (bundle != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return bundle_get_records (bundle, NULL, next_url, n_invalid, error);
}

GPtrArray *
cab_fhir_bundle_get_records_from_text (JsonObject  *bundle,
                                       GBytes      *text,
                                       char       **next_url,
                                       guint       *n_invalid,
                                       GError     **error)
{
  g_return_val_if_fail (bundle != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return bundle_get_records (bundle, text, next_url, n_invalid, error);
}
