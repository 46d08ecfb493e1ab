/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "cab-core-enums.h"
#include "cab-fhir-resource.h"

G_BEGIN_DECLS

/* What a timeline entry is, from its LOINC type and class code (docs/domain.md, "Document types"). */
typedef enum
{
  CAB_DOCUMENT_KIND_REPORT,        /* comptes rendus: consultation, hospital, operative, ER */
  CAB_DOCUMENT_KIND_LAB,           /* 11502-2 */
  CAB_DOCUMENT_KIND_IMAGING,       /* 18748-4, class 31, KOS */
  CAB_DOCUMENT_KIND_PRESCRIPTION,  /* 57833-6, class 42 / 43 */
  CAB_DOCUMENT_KIND_VACCINATION,   /* 87273-9 */
  CAB_DOCUMENT_KIND_CERTIFICATE,   /* 89601-9 */
  CAB_DOCUMENT_KIND_SUMMARY,       /* 60591-5, class 11 */
  CAB_DOCUMENT_KIND_PATIENT,       /* class 90: written by the patient */
  CAB_DOCUMENT_KIND_OTHER,
} CabDocumentKind;

/* The timeline's kind filter (its buttons, in this order). */
typedef enum
{
  CAB_KIND_FILTER_ALL,
  CAB_KIND_FILTER_REPORTS,
  CAB_KIND_FILTER_LAB,
  CAB_KIND_FILTER_IMAGING,
  CAB_KIND_FILTER_PRESCRIPTIONS,
  CAB_KIND_FILTER_VACCINATION,
  CAB_KIND_FILTER_OTHER,
} CabKindFilter;

#define CAB_KIND_FILTER_LAST CAB_KIND_FILTER_OTHER

/* Both have a GEnum type from cab-core-enums.h (CAB_TYPE_DOCUMENT_KIND,
 * CAB_TYPE_KIND_FILTER), so they can be properties; the nicks ("lab",
 * "imaging"...) are what cabinetctl's --kind takes. */

/* The one table of LOINC document types the practice knows (docs/domain.md, "Document types"): the
 * timeline classifies with it and the outbox publishes from it. */
typedef struct
{
  const char      *code;        /* LOINC */
  const char      *display;     /* French, as practitioners say it; sent as the coding's display */
  const char      *class_code;  /* category (class code) a publication gets */
  CabDocumentKind  kind;
} CabLoincType;

/* NULL-terminated (code NULL), in the order a user picks from. */
const CabLoincType *cab_loinc_types             (void);
const CabLoincType *cab_loinc_type_lookup       (const char        *code);

CabDocumentKind  cab_document_kind_classify  (const CabDocument *document);
const char      *cab_document_kind_icon_name (CabDocumentKind    kind);
/* Translated, for tooltips: "Lab results", "Imaging"... */
const char      *cab_document_kind_label     (CabDocumentKind    kind);
gboolean         cab_kind_filter_matches     (CabKindFilter      filter,
                                              CabDocumentKind    kind);

/* DMP confidentiality codes (urn:oid:1.2.250.1.213.1.1.4.13). */
#define CAB_SECURITY_LABEL_MASKED            "MASQUE_PS"          /* masked from professionals */
#define CAB_SECURITY_LABEL_INVISIBLE_PATIENT "INVISIBLE_PATIENT"  /* hidden from the patient */

/* Security labels, as the store keeps them ("N,MASQUE_PS"). */
gboolean         cab_document_has_label      (const CabDocument *document,
                                              const char        *label);

G_END_DECLS
