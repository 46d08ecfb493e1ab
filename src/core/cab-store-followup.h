/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* The store reads of chronic-disease follow-up (src/followup/ computes on
 * them; docs/architecture.md, "Follow-up"). Synchronous: worker threads
 * only. Values are bound, never formatted into SQL. */

/* At most this many ICD-10 prefixes or LOINC codes per read (a rules file
 * with more is refused when it is loaded). */
#define CAB_STORE_FOLLOWUP_MAX_CODES 64

typedef struct
{
  char *id;
  char *patient_id;
  char *code;                 /* as stored: ICD-10 "E11.9" */
  char *clinical_status;      /* active, resolved... or NULL */
  char *verification_status; /* confirmed, entered-in-error... or NULL */
} CabStoreConditionRow;

typedef struct
{
  char   *resource_id;        /* the Observation's id */
  char   *patient_id;
  char   *code;               /* LOINC of the value (a panel's component) */
  char   *effective;          /* as the server sent it */
  double  value;              /* NAN when not a number */
  char   *unit;               /* unit text, else the UCUM code, or NULL */
  char   *value_string;
  char   *document_id;        /* the lab report it came from, or NULL */
} CabStoreObservationRow;

typedef struct
{
  char   *id;
  char   *status;             /* active, completed, stopped, entered-in-error... */
  char   *authored_on;
  char   *medication_code;
  char   *medication_display;
  char   *bounds_end;         /* dosageInstruction[0].timing.repeat.boundsPeriod.end, or NULL */
  char   *validity_end;       /* dispenseRequest.validityPeriod.end, or NULL */
  double  supply_value;       /* dispenseRequest.expectedSupplyDuration.value, NAN when absent */
  char   *supply_unit;        /* its UCUM code (d, wk, mo, a) or unit text */
  int     repeats;            /* dispenseRequest.numberOfRepeatsAllowed, 0 when absent */
} CabStoreMedicationRow;

void cab_store_condition_row_free   (CabStoreConditionRow   *row);
void cab_store_observation_row_free (CabStoreObservationRow *row);
void cab_store_medication_row_free  (CabStoreMedicationRow  *row);

/* Conditions whose code starts with one of @prefixes, whatever their
 * status, of one patient (@patient_id) or of every patient (NULL); sorted
 * by patient. Array of CabStoreConditionRow*. */
GPtrArray *cab_store_list_conditions_with_prefixes (CabStore            *self,
                                                    const char * const  *prefixes,
                                                    const char          *patient_id,
                                                    GError             **error);

/* Values with one of @codes of one patient (@patient_id), or (NULL) of every
 * patient who has a Condition starting with one of @prefixes. Observations
 * entered in error, cancelled or only registered are left out. Sorted by
 * patient, code, effective. Array of CabStoreObservationRow*. */
GPtrArray *cab_store_list_observations_with_codes  (CabStore            *self,
                                                    const char * const  *codes,
                                                    const char          *patient_id,
                                                    const char * const  *prefixes,
                                                    GError             **error);

/* For the worklist: of every patient who has a Condition starting with one
 * of @prefixes, the latest value (greatest effective, as written) of each
 * of @codes dated before @before ("YYYY-MM-DD", compared as text), with the
 * same exclusions as above. Sorted by patient and code. Array of
 * CabStoreObservationRow*. */
GPtrArray *cab_store_list_latest_observations      (CabStore            *self,
                                                    const char * const  *codes,
                                                    const char * const  *prefixes,
                                                    const char          *before,
                                                    GError             **error);

/* Patients with a Condition starting with one of @prefixes (any status),
 * sorted by name. Array of CabPatientRow*. */
GPtrArray *cab_store_list_patients_with_conditions (CabStore            *self,
                                                    const char * const  *prefixes,
                                                    GError             **error);

/* A patient's MedicationRequests, oldest first. Array of CabStoreMedicationRow*. */
GPtrArray *cab_store_list_medication_requests      (CabStore            *self,
                                                    const char          *patient_id,
                                                    GError             **error);

G_END_DECLS
