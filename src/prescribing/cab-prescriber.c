/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cab-fhir-resource.h"
#include "cab-json-read.h"
#include "cab-prescriber.h"

#define SYSTEM_RPPS "https://rpps.esante.gouv.fr"
#define STATE_PRACTICE_NAME "practice-name"   /* kept by the session (cab-session.c) */

void
cab_prescriber_free (CabPrescriber *p)
{
  if (p == NULL)
    return;
  g_free (p->reference);
  g_free (p->organization);
  g_free (p->display_name);
  g_free (p->specialty);
  g_free (p->rpps);
  g_free (p->practice_name);
  g_free (p->address);
  g_free (p->phone);
  g_free (p);
}

/* The string elements of @a, each after @separator unless @s is empty. */
static void
append_strings (GString    *s,
                JsonArray  *a,
                const char *separator)
{
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      const char *text = cab_json_array_read_string (a, i);

      if (text != NULL)
        g_string_append_printf (s, "%s%s", s->len ? separator : "", text);
    }
}

/* "Dr Claire MARTIN": prefix, given names, family name in capitals. */
static char *
official_name (JsonObject *resource)
{
  JsonArray *names = cab_json_read_array (resource, "name");
  JsonObject *chosen = NULL;
  GString *s = g_string_new (NULL);
  const char *family;
  JsonArray *a;

  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    {
      JsonObject *n = cab_json_array_read_object (names, i);

      if (chosen == NULL || g_strcmp0 (cab_json_read_string (n, "use"), "official") == 0)
        chosen = n;
    }
  if (chosen == NULL)
    return g_string_free (s, TRUE);

  a = cab_json_read_array (chosen, "prefix");
  append_strings (s, a, " ");
  a = cab_json_read_array (chosen, "given");
  append_strings (s, a, " ");
  family = cab_json_read_string (chosen, "family");
  if (family != NULL)
    {
      g_autofree char *upper = g_utf8_strup (family, -1);
      g_string_append_printf (s, "%s%s", s->len ? " " : "", upper);
    }
  if (s->len == 0)
    return g_string_free (s, TRUE);
  return g_string_free (s, FALSE);
}

static char *
concept_text (JsonObject *concept)
{
  JsonObject *coding = cab_json_array_read_object (cab_json_read_array (concept, "coding"), 0);
  const char *text = cab_json_read_string (coding, "display");

  if (text == NULL)
    text = cab_json_read_string (concept, "text");
  return g_strdup (text);
}

static char *
phone_of (JsonObject *resource)
{
  JsonArray *telecom = cab_json_read_array (resource, "telecom");

  for (guint i = 0; telecom != NULL && i < json_array_get_length (telecom); i++)
    {
      JsonObject *t = cab_json_array_read_object (telecom, i);

      if (g_strcmp0 (cab_json_read_string (t, "system"), "phone") == 0 && cab_json_read_string (t, "value") != NULL)
        return g_strdup (cab_json_read_string (t, "value"));
    }
  return NULL;
}

static char *
address_of (JsonObject *resource)
{
  JsonObject *address = cab_json_array_read_object (cab_json_read_array (resource, "address"), 0);
  JsonArray *lines = cab_json_read_array (address, "line");
  const char *postal = cab_json_read_string (address, "postalCode");
  const char *city = cab_json_read_string (address, "city");
  GString *s;

  if (address == NULL)
    return NULL;
  s = g_string_new (NULL);
  append_strings (s, lines, "\n");
  if (postal != NULL || city != NULL)
    g_string_append_printf (s, "%s%s%s%s", s->len ? "\n" : "", postal ? postal : "",
                            postal && city ? " " : "", city ? city : "");
  if (s->len == 0)
    return g_string_free (s, TRUE);
  return g_string_free (s, FALSE);
}

CabPrescriber *
cab_prescriber_from_json (const char *practitioner_id,
                          const char *practitioner_json,
                          const char *organization_id,
                          const char *organization_json,
                          GError    **error)
{
  g_autoptr(JsonParser) pp = json_parser_new ();
  g_autoptr(JsonParser) op = json_parser_new ();
  g_autoptr(CabPrescriber) p = g_new0 (CabPrescriber, 1);
  JsonObject *practitioner = cab_json_parse_object (pp, practitioner_json);
  JsonObject *organization = cab_json_parse_object (op, organization_json);
  JsonArray *ids, *qualifications;

  if (practitioner == NULL || g_strcmp0 (cab_json_read_string (practitioner, "resourceType"), "Practitioner") != 0)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_CORRUPT,
                           _("The prescriber’s record in the local store cannot be read"));
      return NULL;
    }

  p->reference = g_strconcat ("Practitioner/", practitioner_id, NULL);
  p->display_name = official_name (practitioner);
  ids = cab_json_read_array (practitioner, "identifier");
  for (guint i = 0; ids != NULL && i < json_array_get_length (ids) && p->rpps == NULL; i++)
    {
      JsonObject *id = cab_json_array_read_object (ids, i);
      const char *value = cab_json_read_string (id, "value");

      if (g_strcmp0 (cab_json_read_string (id, "system"), SYSTEM_RPPS) == 0 && value != NULL)
        p->rpps = g_strdup (value);
      /* idNat_PS of an RPPS holder: "8" + the 11 RPPS digits (docs/domain.md). */
      else if (g_strcmp0 (cab_json_read_string (id, "system"), "urn:oid:1.2.250.1.71.4.2.1") == 0 &&
               value != NULL && strlen (value) == 12 && value[0] == '8')
        p->rpps = g_strdup (value + 1);
    }
  qualifications = cab_json_read_array (practitioner, "qualification");
  if (qualifications != NULL)
    p->specialty = concept_text (cab_json_read_object (cab_json_array_read_object (qualifications, 0), "code"));

  if (organization != NULL && g_strcmp0 (cab_json_read_string (organization, "resourceType"), "Organization") == 0)
    {
      p->organization = g_strconcat ("Organization/", organization_id, NULL);
      p->practice_name = g_strdup (cab_json_read_string (organization, "name"));
      p->address = address_of (organization);
      p->phone = phone_of (organization);
    }
  else if (organization_id != NULL)
    p->organization = g_strconcat ("Organization/", organization_id, NULL);
  /* The practice's address first; the practitioner's own when it has none. */
  if (p->address == NULL)
    p->address = address_of (practitioner);
  if (p->phone == NULL)
    p->phone = phone_of (practitioner);
  return g_steal_pointer (&p);
}

CabPrescriber *
cab_prescriber_load (CabStore   *store,
                     const char *practitioner,
                     const char *organization,
                     GError    **error)
{
  g_autofree char *pid = cab_fhir_reference_id (practitioner);
  g_autofree char *oid = organization != NULL ? cab_fhir_reference_id (organization) : NULL;
  g_autofree char *pjson = NULL;
  g_autofree char *ojson = NULL;
  CabPrescriber *p;

  if (practitioner == NULL || !g_str_has_prefix (practitioner, "Practitioner/") ||
      pid == NULL || !cab_fhir_id_is_valid (pid))
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                           _("No prescriber: the patient has no médecin traitant and none was given"));
      return NULL;
    }
  pjson = cab_store_get_resource_json (store, "Practitioner", pid, error);
  if (pjson == NULL)
    return NULL;
  if (oid != NULL && cab_fhir_id_is_valid (oid))
    ojson = cab_store_get_resource_json (store, "Organization", oid, NULL);
  else
    g_clear_pointer (&oid, g_free);

  p = cab_prescriber_from_json (pid, pjson, oid, ojson, error);
  if (p != NULL && p->practice_name == NULL)
    p->practice_name = cab_store_get_state (store, STATE_PRACTICE_NAME);
  return p;
}
