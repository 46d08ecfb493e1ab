/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include "cab-erx-service.h"

G_DEFINE_INTERFACE (CabErxService, cab_erx_service, G_TYPE_OBJECT)

static void
cab_erx_service_default_init (CabErxServiceInterface *iface)
{
}

const char *
cab_erx_service_get_path (CabErxService *self)
{
  g_return_val_if_fail (CAB_IS_ERX_SERVICE (self), NULL);
  return CAB_ERX_SERVICE_GET_IFACE (self)->get_path (self);
}

const char *
cab_erx_service_get_identifier_system (CabErxService *self)
{
  g_return_val_if_fail (CAB_IS_ERX_SERVICE (self), NULL);
  return CAB_ERX_SERVICE_GET_IFACE (self)->get_identifier_system (self);
}

JsonNode *
cab_erx_service_build_request (CabErxService            *self,
                               const CabErxRegistration *registration)
{
  g_return_val_if_fail (CAB_IS_ERX_SERVICE (self), NULL);
  g_return_val_if_fail (registration != NULL && registration->rx != NULL && registration->rx->id != NULL, NULL);
  return CAB_ERX_SERVICE_GET_IFACE (self)->build_request (self, registration);
}

/* ------------------------------------------------------- the FHIR service */

#define INS_SYSTEM "urn:oid:1.2.250.1.213.1.4.8"
#define NS_SYSTEM "https://cabinet-sante.github.io/fhir/CodeSystem/non-substitution"
#define ALD_EXTENSION "https://cabinet-sante.github.io/fhir/StructureDefinition/ald"
#define UCUM "http://unitsofmeasure.org"

struct _CabErxFhirService
{
  GObject parent_instance;
};

static void cab_erx_fhir_service_iface_init (CabErxServiceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabErxFhirService, cab_erx_fhir_service, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CAB_TYPE_ERX_SERVICE, cab_erx_fhir_service_iface_init))

static void
set_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

static void
add_identifier (JsonBuilder *b,
                const char  *value)
{
  json_builder_begin_object (b);
  set_string (b, "system", CAB_ERX_IDENTIFIER_SYSTEM);
  set_string (b, "value", value);
  json_builder_end_object (b);
}

static void
add_reference (JsonBuilder *b,
               const char  *member,
               const char  *reference,
               const char  *display)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  set_string (b, "reference", reference);
  set_string (b, "display", display);
  json_builder_end_object (b);
}

/* The patient, by INS only for a qualified identity (docs/architecture.md,
 * principle 4). */
static void
add_subject (JsonBuilder              *b,
             const CabErxRegistration *reg)
{
  g_autofree char *reference = g_strconcat ("Patient/", reg->patient_id, NULL);

  json_builder_set_member_name (b, "subject");
  json_builder_begin_object (b);
  set_string (b, "reference", reference);
  if (reg->patient != NULL && reg->patient->ins != NULL &&
      g_strcmp0 (reg->patient->identity_status, "QUAL") == 0)
    {
      json_builder_set_member_name (b, "identifier");
      json_builder_begin_object (b);
      set_string (b, "system", reg->patient->ins_system != NULL ? reg->patient->ins_system : INS_SYSTEM);
      set_string (b, "value", reg->patient->ins);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static char *
line_urn (const char *id,
          guint       index)
{
  g_autofree char *seed = g_strdup_printf ("%s/%u", id, index);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA1, seed, -1);

  hex[12] = '5';
  return g_strdup_printf ("urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void
add_dosage (JsonBuilder     *b,
            const CabDosage *d)
{
  static const char * const when_codes[] = { "MORN", "NOON", "EVE", "HS" };
  static const char * const duration_codes[] = { NULL, "d", "wk", "mo" };
  g_autofree char *text = cab_dosage_to_french (d);

  json_builder_begin_object (b);
  set_string (b, "text", text);
  if (d->text == NULL || d->duration > 0)
    {
      json_builder_set_member_name (b, "timing");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "repeat");
      json_builder_begin_object (b);
      if (d->duration > 0 && d->duration_unit < G_N_ELEMENTS (duration_codes))
        {
          json_builder_set_member_name (b, "boundsDuration");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "value");
          json_builder_add_int_value (b, d->duration);
          set_string (b, "system", UCUM);
          set_string (b, "code", duration_codes[d->duration_unit]);
          json_builder_end_object (b);
        }
      if (d->text == NULL && d->moments != 0)
        {
          json_builder_set_member_name (b, "when");
          json_builder_begin_array (b);
          for (guint i = 0; i < G_N_ELEMENTS (when_codes); i++)
            if (d->moments & (1u << i))
              json_builder_add_string_value (b, when_codes[i]);
          json_builder_end_array (b);
        }
      else if (d->text == NULL && d->times_per_day > 0)
        {
          json_builder_set_member_name (b, "frequency");
          json_builder_add_int_value (b, d->times_per_day);
          json_builder_set_member_name (b, "period");
          json_builder_add_int_value (b, 1);
          set_string (b, "periodUnit", "d");
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  if (d->text == NULL && d->numerator > 0)
    {
      json_builder_set_member_name (b, "doseAndRate");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "doseQuantity");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, (double) d->numerator / (double) d->denominator);
      set_string (b, "unit", d->unit);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
add_medication_request (JsonBuilder               *b,
                        const CabErxRegistration  *reg,
                        guint                      index,
                        const CabPrescriptionLine *line)
{
  const CabPrescription *rx = reg->rx;
  g_autofree char *urn = line_urn (rx->id, index);
  g_autofree char *line_id = g_strdup_printf ("%s-%u", rx->id, index + 1);
  g_autofree char *label = cab_prescription_line_label (line);

  json_builder_begin_object (b);
  set_string (b, "fullUrl", urn);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  set_string (b, "resourceType", "MedicationRequest");
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_identifier (b, line_id);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "groupIdentifier");
  add_identifier (b, rx->id);
  set_string (b, "status", "active");
  set_string (b, "intent", "order");

  json_builder_set_member_name (b, "extension");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "url", ALD_EXTENSION);
  json_builder_set_member_name (b, "valueBoolean");
  json_builder_add_boolean_value (b, line->ald);
  json_builder_end_object (b);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "medicationCodeableConcept");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "coding");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  set_string (b, "system", CAB_ERX_SYSTEM_CIS);
  set_string (b, "code", line->medicine.cis);
  set_string (b, "display", line->medicine.brand);
  json_builder_end_object (b);
  json_builder_end_array (b);
  set_string (b, "text", label);
  json_builder_end_object (b);

  add_subject (b, reg);
  set_string (b, "authoredOn", rx->date);
  add_reference (b, "requester", reg->prescriber->reference, reg->prescriber->display_name);

  json_builder_set_member_name (b, "dosageInstruction");
  json_builder_begin_array (b);
  add_dosage (b, &line->dosage);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "dispenseRequest");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "numberOfRepeatsAllowed");
  json_builder_add_int_value (b, line->renewals);
  if (line->quantity != NULL)
    {
      json_builder_set_member_name (b, "quantity");
      json_builder_begin_object (b);
      set_string (b, "unit", line->quantity);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "substitution");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "allowedBoolean");
  json_builder_add_boolean_value (b, line->non_substitutable == CAB_NON_SUBSTITUTABLE_NONE);
  if (line->non_substitutable != CAB_NON_SUBSTITUTABLE_NONE)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "coding");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      set_string (b, "system", NS_SYSTEM);
      set_string (b, "code", cab_non_substitutable_to_string (line->non_substitutable));
      json_builder_end_object (b);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_end_object (b);
  json_builder_end_object (b);
}

static JsonNode *
fhir_build_request (CabErxService            *service,
                    const CabErxRegistration *reg)
{
  const CabPrescription *rx = reg->rx;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *group_urn = line_urn (rx->id, G_MAXUINT);

  json_builder_begin_object (b);
  set_string (b, "resourceType", "Bundle");
  json_builder_set_member_name (b, "identifier");
  add_identifier (b, rx->id);
  set_string (b, "type", "collection");
  json_builder_set_member_name (b, "entry");
  json_builder_begin_array (b);

  json_builder_begin_object (b);
  set_string (b, "fullUrl", group_urn);
  json_builder_set_member_name (b, "resource");
  json_builder_begin_object (b);
  set_string (b, "resourceType", "RequestGroup");
  json_builder_set_member_name (b, "identifier");
  json_builder_begin_array (b);
  add_identifier (b, rx->id);
  json_builder_end_array (b);
  set_string (b, "status", "active");
  set_string (b, "intent", "order");
  add_subject (b, reg);
  set_string (b, "authoredOn", rx->date);
  add_reference (b, "author", reg->prescriber->reference, reg->prescriber->display_name);
  json_builder_set_member_name (b, "action");
  json_builder_begin_array (b);
  for (guint i = 0; i < rx->lines->len; i++)
    {
      g_autofree char *urn = line_urn (rx->id, i);

      json_builder_begin_object (b);
      add_reference (b, "resource", urn, NULL);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  for (guint i = 0; i < rx->lines->len; i++)
    add_medication_request (b, reg, i, g_ptr_array_index (rx->lines, i));

  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static const char *
fhir_get_path (CabErxService *service)
{
  return "erx/Bundle";
}

static const char *
fhir_get_identifier_system (CabErxService *service)
{
  return CAB_ERX_IDENTIFIER_SYSTEM;
}

static void
cab_erx_fhir_service_iface_init (CabErxServiceInterface *iface)
{
  iface->get_path = fhir_get_path;
  iface->get_identifier_system = fhir_get_identifier_system;
  iface->build_request = fhir_build_request;
}

static void
cab_erx_fhir_service_class_init (CabErxFhirServiceClass *klass)
{
}

static void
cab_erx_fhir_service_init (CabErxFhirService *self)
{
}

CabErxService *
cab_erx_fhir_service_new (void)
{
  return g_object_new (CAB_TYPE_ERX_FHIR_SERVICE, NULL);
}
