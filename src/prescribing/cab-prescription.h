/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "cab-dosage.h"

G_BEGIN_DECLS

/*
 * A prescription (ordonnance) as written: its lines, each naming a medicine
 * by CIS with the labels captured when it was written (a later drug
 * database never rewrites them), its dosage, renewals, non-substitution and
 * ALD zone. Plain data, safe to hand between threads. See docs/domain.md,
 * "Prescriptions".
 */

#define CAB_PRESCRIPTION_ERROR (cab_prescription_error_quark ())

typedef enum
{
  CAB_PRESCRIPTION_ERROR_INVALID,          /* the JSON is not a prescription (message says where) */
  CAB_PRESCRIPTION_ERROR_EMPTY,            /* no line */
  CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE, /* a CIS the drug database does not know */
  CAB_PRESCRIPTION_ERROR_NS_JUSTIFICATION, /* NS without one of MTE, EFG, CIF */
  CAB_PRESCRIPTION_ERROR_MTE,              /* MTE for a substance outside the list */
  CAB_PRESCRIPTION_ERROR_EFG,              /* EFG for a patient of 6 or more */
  CAB_PRESCRIPTION_ERROR_CIF,              /* CIF without a recorded intolerance */
  CAB_PRESCRIPTION_ERROR_ALD,              /* ALD zone for a patient without an ALD */
  CAB_PRESCRIPTION_ERROR_RENEWALS,         /* renewals beyond the legal twelve months */
} CabPrescriptionError;

GQuark cab_prescription_error_quark (void);

typedef enum
{
  CAB_NON_SUBSTITUTABLE_NONE,
  CAB_NON_SUBSTITUTABLE_MTE,   /* marge thérapeutique étroite (closed list) */
  CAB_NON_SUBSTITUTABLE_EFG,   /* enfant de moins de 6 ans, pas de forme générique adaptée */
  CAB_NON_SUBSTITUTABLE_CIF,   /* contre-indication formelle à un excipient */
} CabNonSubstitutable;

const char *cab_non_substitutable_to_string   (CabNonSubstitutable ns);
/* NULL or JSON null -> NONE; "MTE", "EFG", "CIF" exactly; FALSE otherwise. */
gboolean    cab_non_substitutable_from_string (const char          *text,
                                               CabNonSubstitutable *ns);

/* Limits on a prescription read from a file (docs/architecture.md, "Rules
 * for hostile input"): a real ordonnance has a dozen lines at most. */
#define CAB_PRESCRIPTION_MAX_LINES       40
#define CAB_PRESCRIPTION_MAX_RENEWALS    11     /* a year of monthly boxes */
#define CAB_PRESCRIPTION_MAX_SUBSTANCES  20
#define CAB_PRESCRIPTION_MAX_LABEL       400    /* characters of a captured label */
#define CAB_PRESCRIPTION_MAX_JSON        (1024 * 1024)

/* What the drug database said about a medicine when the line was written. */
typedef struct
{
  char  *cis;            /* 8 digits */
  char  *dci;            /* common name with strength: "metformine 1000 mg" */
  char  *brand;          /* the speciality's name: "GLUCOPHAGE 1000 mg, comprimé pelliculé" */
  char  *form;           /* "comprimé pelliculé" */
  char  *strength;       /* "1000 mg" */
  char **substances;     /* DCI names, NULL-terminated */
} CabMedicine;

void cab_medicine_clear (CabMedicine       *medicine);
void cab_medicine_copy  (const CabMedicine *src,
                         CabMedicine       *dest);

typedef struct
{
  CabMedicine          medicine;
  CabDosage            dosage;
  guint                renewals;          /* number of renewals (0: none) */
  char                *quantity;          /* to dispense, free text ("2 boîtes"), or NULL */
  CabNonSubstitutable  non_substitutable;
  gboolean             ald;               /* in the ALD zone of a bizone form */
} CabPrescriptionLine;

void cab_prescription_line_free (CabPrescriptionLine *line);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPrescriptionLine, cab_prescription_line_free)

typedef struct
{
  char      *id;            /* the unique identifier (cab-prescription-id.h), NULL until issued */
  char      *date;          /* YYYY-MM-DD, the date it was written */
  double     weight_kg;     /* 0 when not entered */
  GPtrArray *lines;         /* CabPrescriptionLine* */
} CabPrescription;

CabPrescription *cab_prescription_new   (void);
void             cab_prescription_free  (CabPrescription *rx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPrescription, cab_prescription_free)

/* The line's name as printed: DCI first, the brand in brackets. */
char *cab_prescription_line_label (const CabPrescriptionLine *line);

/*
 * JSON. The input format (`cabinetctl prescribe --from`, docs/cabinetctl.md):
 *   { "date"?: "YYYY-MM-DD", "weight_kg"?: number,
 *     "lines": [ { "cis": "8 digits",
 *                  "dosage": "text" | { "quantity": 1 | "1/2" | "½",
 *                                       "unit": "comprimé",
 *                                       "times_per_day"?: n,
 *                                       "moments"?: ["matin","midi","soir","coucher"] },
 *                  "duration"?: "3 mois" | { "value": 3, "unit": "month" },
 *                  "renewals"?: n, "quantity"?: "2 boîtes",
 *                  "non_substitutable"?: null | "MTE" | "EFG" | "CIF",
 *                  "ald"?: false } ] }
 * The stored format is the same with "id" and, per line, "medicine" (the
 * captured labels) and the dosage always structured or text.
 * Unknown members are refused, so a typo never silently drops a mention.
 */
CabPrescription *cab_prescription_from_json   (const char             *json,
                                               gssize                  length,
                                               GError                **error);
CabPrescription *cab_prescription_from_object (JsonObject             *object,
                                               GError                **error);
JsonNode        *cab_prescription_to_json     (const CabPrescription  *rx);
char            *cab_prescription_to_string   (const CabPrescription  *rx);

G_END_DECLS
