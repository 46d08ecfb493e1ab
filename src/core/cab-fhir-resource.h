/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* FHIR systems and URLs: docs/domain.md, "Identifier systems". */
#define CAB_SYSTEM_INS_NIR        "urn:oid:1.2.250.1.213.1.4.8"
#define CAB_SYSTEM_INS_NIA        "urn:oid:1.2.250.1.213.1.4.9"
#define CAB_SYSTEM_INS_NIR_TEST   "urn:oid:1.2.250.1.213.1.4.10"
#define CAB_SYSTEM_INS_NIR_DEMO   "urn:oid:1.2.250.1.213.1.4.11"
#define CAB_SYSTEM_IDNAT_PS       "urn:oid:1.2.250.1.71.4.2.1"
#define CAB_SYSTEM_RPPS           "https://rpps.esante.gouv.fr"
#define CAB_SYSTEM_ORGANIZATION   "urn:oid:1.2.250.1.71.4.2.2"
#define CAB_SYSTEM_LOINC          "http://loinc.org"
#define CAB_SYSTEM_CLASS_CODE     "urn:oid:1.2.250.1.213.1.1.4.1"
#define CAB_SYSTEM_SECURITY_LABEL "urn:oid:1.2.250.1.213.1.1.4.13"
#define CAB_SYSTEM_CONFIDENTIALITY "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
#define CAB_URL_IDENTITY_RELIABILITY "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability"
#define CAB_URL_IS_ARCHIVED       "http://esante.gouv.fr/ci-sis/fhir/StructureDefinition/PDSm_isArchived"
#define CAB_URL_BIRTH_PLACE       "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
/* No national extension marks an ALD condition: Cabinet and its sandbox use
 * this one (valueBoolean), and also accept the ALD category code below. */
#define CAB_URL_CONDITION_ALD     "https://cabinet-sante.github.io/fhir/StructureDefinition/condition-ald"
#define CAB_SYSTEM_STUDY_UID      "urn:ihe:iti:xds:2016:studyInstanceUID"

#define CAB_FHIR_ERROR (cab_fhir_error_quark ())

typedef enum
{
  CAB_FHIR_ERROR_PARSE,          /* not JSON */
  CAB_FHIR_ERROR_TOO_DEEP,       /* nesting over CAB_FHIR_MAX_DEPTH */
  CAB_FHIR_ERROR_TOO_LARGE,      /* payload over the caller's limit */
  CAB_FHIR_ERROR_INVALID,        /* JSON but not the resource expected (wrong types, missing fields) */
  CAB_FHIR_ERROR_OUTCOME,        /* the server answered an OperationOutcome: message = its diagnostics */
  CAB_FHIR_ERROR_HTTP,           /* HTTP status error without OperationOutcome */
  CAB_FHIR_ERROR_NETWORK,        /* connection failed, dropped or timed out after the retries */
  CAB_FHIR_ERROR_UNAUTHORIZED,   /* 401 after one token refresh */
  CAB_FHIR_ERROR_FORBIDDEN,      /* 403, e.g. the patient blocked this professional */
  CAB_FHIR_ERROR_NOT_FOUND,      /* 404 / 410 */
  CAB_FHIR_ERROR_CONFLICT,       /* 409 / 412: the server's copy changed */
  CAB_FHIR_ERROR_HASH_MISMATCH,  /* downloaded content does not match size or SHA-1 */
  CAB_FHIR_ERROR_REDIRECT,       /* redirect to another host refused */
} CabFhirError;

#define CAB_FHIR_MAX_DEPTH 64

GQuark      cab_fhir_error_quark          (void);

/* Parses JSON with a depth pre-check (no recursion bomb reaches json-glib). */
JsonNode   *cab_fhir_parse_bytes          (GBytes      *bytes,
                                           GError     **error);

/* Builds a GError from an OperationOutcome's issues (diagnostics, details.text). */
GError     *cab_fhir_error_from_outcome   (JsonObject  *outcome,
                                           guint        http_status);

typedef enum
{
  CAB_RESOURCE_OTHER,
  CAB_RESOURCE_PATIENT,
  CAB_RESOURCE_PRACTITIONER,
  CAB_RESOURCE_ORGANIZATION,
  CAB_RESOURCE_DOCUMENT_REFERENCE,
  CAB_RESOURCE_OBSERVATION,
  CAB_RESOURCE_CONDITION,
  CAB_RESOURCE_MEDICATION_REQUEST,
  CAB_RESOURCE_ALLERGY_INTOLERANCE,
} CabResourceKind;

typedef struct
{
  char *ins;              /* NIR (15 chars, key checked) when an INS identifier is present and valid */
  char *ins_system;       /* which INS OID it came under */
  char *identity_status;  /* PROV, RECUP, VALI, QUAL or NULL */
  char *family;           /* usage (official / usual) name */
  char *birth_name;       /* name with use = "maiden" (nom de naissance) */
  char *given;            /* all given names, space separated */
  char *sex;              /* FHIR gender: male, female, other, unknown */
  char *birth_date;       /* YYYY-MM-DD or partial */
  char *birth_place;      /* INSEE code */
  char *gp_reference;     /* first generalPractitioner reference, e.g. "Practitioner/p1" */
} CabPatient;

typedef struct
{
  char *status;            /* current, superseded, entered-in-error */
  char *type_code;         /* LOINC */
  char *type_display;
  char *category_code;     /* class code (10, 11, 31...) */
  char *title;             /* content.attachment.title, else description, else type display */
  char *description;
  char *author_reference;
  char *author_display;
  char *custodian_display;
  char *date;              /* DocumentReference.date */
  char *period_start;      /* context.period.start */
  char *security_labels;   /* codes, comma separated */
  gboolean is_archived;
  char *content_type;
  char *url;
  gint64 size;             /* -1 when absent */
  char *hash;              /* base64 SHA-1 as in the resource */
  char *study_uid;         /* context.related studyInstanceUID */
  gboolean is_kos;         /* imaging KOS entry (IMG-KOS / application/dicom) */
  char *replaces_id;       /* relatesTo code = replaces, target id */
} CabDocument;

typedef struct
{
  char *code;              /* LOINC of the value (component code for panels) */
  char *display;
  char *effective;         /* effectiveDateTime or period start */
  double value;            /* NAN when not a quantity */
  char *unit;
  char *value_string;
  double low;              /* referenceRange, NAN when absent */
  double high;
  char *interpretation;    /* H, L, N... */
  char *document_id;       /* derivedFrom DocumentReference id (lab report) */
  char *status;            /* the Observation's status (final, amended, entered-in-error...) */
} CabObservationValue;

typedef struct
{
  char *code;
  char *system;
  char *display;
  char *clinical_status;
  char *verification_status; /* confirmed, refuted, entered-in-error... or NULL */
  char *onset;
  gboolean ald;
} CabCondition;

typedef struct
{
  char *status;
  char *authored_on;
  char *medication_code;
  char *medication_display;
  char *dosage_text;
  char *requester_reference;
} CabMedicationRequest;

/* AllergyIntolerance: the substance as coded (first coding, or the text). */
typedef struct
{
  char *code;
  char *system;
  char *display;               /* coding display, else code.text */
  char *clinical_status;       /* active, inactive, resolved */
  char *verification_status;   /* unconfirmed, confirmed, refuted, entered-in-error */
  char *type;                  /* allergy, intolerance */
  char *category;              /* first category: food, medication, environment, biologic */
  char *criticality;           /* low, high, unable-to-assess */
  char *recorded;              /* recordedDate */
} CabAllergyIntolerance;

typedef struct
{
  char *idnat_ps;
  char *rpps;
  char *family;
  char *given;
  char *prefix;
} CabPractitioner;

typedef struct
{
  char *name;
  char *identifier;
} CabOrganization;

/* One resource, flattened for the store. The raw JSON is kept as received. */
typedef struct
{
  CabResourceKind kind;
  char *type;             /* resourceType */
  char *id;
  char *version_id;       /* meta.versionId */
  char *last_updated;     /* meta.lastUpdated */
  char *patient_id;       /* subject / patient reference id (Patient id for a Patient) */
  char *json;             /* compact JSON text of the resource */
  union {
    CabPatient *patient;
    CabDocument *document;
    CabCondition *condition;
    CabMedicationRequest *medication_request;
    CabAllergyIntolerance *allergy_intolerance;
    CabPractitioner *practitioner;
    CabOrganization *organization;
  };
  GPtrArray *observation_values; /* of CabObservationValue, for an Observation */
} CabFhirRecord;

/* Flattens one resource. Missing required fields (resourceType, id) or wrong
 * JSON types give CAB_FHIR_ERROR_INVALID with a message that names the field. */
CabFhirRecord *cab_fhir_record_new_from_json (JsonObject     *resource,
                                              GError        **error);
void           cab_fhir_record_free          (CabFhirRecord  *record);

/* The resources of a searchset/transaction-response Bundle, flattened; entries
 * that fail to flatten are skipped and counted in @n_invalid. */
GPtrArray     *cab_fhir_bundle_get_records   (JsonObject     *bundle,
                                              char          **next_url,
                                              guint          *n_invalid,
                                              GError        **error);

/* The same, with @text the bytes @bundle was parsed from: each resource's JSON
 * is cut out of @text (whitespace dropped) rather than written again. */
GPtrArray     *cab_fhir_bundle_get_records_from_text (JsonObject  *bundle,
                                                      GBytes      *text,
                                                      char       **next_url,
                                                      guint       *n_invalid,
                                                      GError     **error);

void cab_patient_free                (CabPatient *patient);
void cab_patient_clear               (CabPatient *patient);   /* frees the fields, not the struct */
void cab_document_clear              (CabDocument *document);
void cab_document_free               (CabDocument *document);
void cab_observation_value_free      (CabObservationValue *value);
void cab_condition_free              (CabCondition *condition);
void cab_medication_request_free     (CabMedicationRequest *request);
void cab_allergy_intolerance_free    (CabAllergyIntolerance *allergy);
void cab_practitioner_free           (CabPractitioner *practitioner);
void cab_organization_free           (CabOrganization *organization);

/* A FHIR id: [A-Za-z0-9\-\.]{1,64}, and neither "." nor "..". The sync
 * refuses resources with any other id; ids typed by a user get the same
 * check before they reach a URL or a file name. */
gboolean cab_fhir_id_is_valid        (const char *id);

/* Id part of a reference: "Patient/123" -> "123", "https://x/fhir/Patient/123/_history/2" -> "123". */
char *cab_fhir_reference_id          (const char *reference);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabFhirRecord, cab_fhir_record_free)

G_END_DECLS
