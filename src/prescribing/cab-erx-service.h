/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cab-fhir-resource.h"
#include "cab-prescriber.h"
#include "cab-prescription.h"

G_BEGIN_DECLS

/*
 * CabErxService: the national e-prescription service as Cabinet sees it
 * (docs/domain.md, "Prescriptions"). Its real API is not public, so
 * everything that depends on it is behind this one interface: where a
 * registration goes, under which identifier system, and the request body.
 * The outbox sends that request as it is (a conditional create on the
 * identifier) and retries it; it knows nothing else of the service.
 *
 * CabErxFhirService is the implementation for the service the sandbox
 * stands in for: a FHIR "collection" Bundle of one RequestGroup and its
 * MedicationRequests (ANS ePrescription IG), posted to [base]/erx/Bundle.
 */

#define CAB_TYPE_ERX_SERVICE (cab_erx_service_get_type ())
G_DECLARE_INTERFACE (CabErxService, cab_erx_service, CAB, ERX_SERVICE, GObject)

/* What a registration says about the patient and the prescriber. */
typedef struct
{
  const CabPrescription *rx;          /* with its id and date */
  const char            *patient_id;  /* the store's (and the server's) Patient id */
  const CabPatient      *patient;     /* INS sent only for a qualified identity */
  const CabPrescriber   *prescriber;
} CabErxRegistration;

struct _CabErxServiceInterface
{
  GTypeInterface parent_iface;

  /* Relative to the FHIR base: "erx/Bundle". */
  const char *(*get_path)              (CabErxService            *self);
  /* The system of the prescription identifier in requests. */
  const char *(*get_identifier_system) (CabErxService            *self);
  /* The request body for one prescription. */
  JsonNode   *(*build_request)         (CabErxService            *self,
                                        const CabErxRegistration *registration);
};

const char *cab_erx_service_get_path              (CabErxService            *self);
const char *cab_erx_service_get_identifier_system (CabErxService            *self);
JsonNode   *cab_erx_service_build_request         (CabErxService            *self,
                                                   const CabErxRegistration *registration);

#define CAB_TYPE_ERX_FHIR_SERVICE (cab_erx_fhir_service_get_type ())
G_DECLARE_FINAL_TYPE (CabErxFhirService, cab_erx_fhir_service, CAB, ERX_FHIR_SERVICE, GObject)

CabErxService *cab_erx_fhir_service_new (void);

/* The system of the identifier (unverified: the national one is not public). */
#define CAB_ERX_IDENTIFIER_SYSTEM "https://cabinet-sante.github.io/fhir/sid/ordonnance-numerique"
#define CAB_ERX_SYSTEM_CIS "http://data.esante.gouv.fr/ansm/medicament/SpecialitePharmaceutique"

G_END_DECLS
