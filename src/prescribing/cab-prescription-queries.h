/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-drug-db.h"
#include "cab-drug-interactions.h"
#include "cab-prescriber.h"
#include "cab-prescription.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * What the prescription editor reads, as async queries on core's reader
 * pool (docs/architecture.md, "Async queries"): the patient's facts when
 * it opens, the safety checks of the lines as they change, and the preview
 * of the printed copy. The editor never reads the store itself.
 */

/* A current treatment: an active MedicationRequest of the patient. */
typedef struct
{
  char    *request_id;
  char    *code;           /* the medication code as stored (a CIS when it is one) */
  char    *display;        /* the medication's text as the health space sent it */
  char    *dosage_text;    /* or NULL */
  char    *authored_on;    /* or NULL */
  CabDrug *drug;           /* the drug database's medicine for a known CIS, else NULL */
} CabCurrentTreatment;

void cab_current_treatment_free (CabCurrentTreatment *treatment);

/* What the editor needs to know about the patient. */
typedef struct
{
  CabPatientRow *patient;
  gboolean       has_ald;               /* an active ALD condition: bizone form */
  gboolean       excipient_intolerance; /* a documented excipient intolerance (justifies CIF) */
  GPtrArray     *allergies;             /* CabAllergy* */
  GPtrArray     *treatments;            /* CabCurrentTreatment*, newest first */
  CabPrescriber *prescriber;            /* the patient's médecin traitant, or NULL when not in the store */
  gboolean       has_drug_database;     /* a BDPM release is imported */
  CabPrescription *last_prescription;   /* the patient's latest written one, as stored, or NULL */
} CabPrescriptionContext;

void cab_prescription_context_free (CabPrescriptionContext *context);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPrescriptionContext, cab_prescription_context_free)

/* Caps what a hostile or huge record may put in front of the prescriber. */
#define CAB_PRESCRIPTION_MAX_TREATMENTS 100

void                    cab_prescription_query_context_async  (CabStore            *store,
                                                               const char          *patient_id,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
CabPrescriptionContext *cab_prescription_query_context_finish (GAsyncResult        *result,
                                                               GError             **error);

/* The prescription of @patient_id whose printed copy is the timeline's
 * document @document_id, as written (to renew it). CAB_STORE_ERROR_NOT_FOUND
 * when no prescription written here has that copy (a prescription from
 * elsewhere, or another patient's). */
void             cab_prescription_query_by_document_async  (CabStore            *store,
                                                            const char          *patient_id,
                                                            const char          *document_id,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
CabPrescription *cab_prescription_query_by_document_finish (GAsyncResult        *result,
                                                            GError             **error);

/* The safety checks of the lines @cis: interactions between them and with
 * the patient's current treatments, and allergy matches. */
typedef struct
{
  CabDrugInteractionReport *interactions;
  GPtrArray                *allergies;   /* CabDrugAllergyMatch* */
} CabPrescriptionCheck;

void cab_prescription_check_free (CabPrescriptionCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPrescriptionCheck, cab_prescription_check_free)

void                  cab_prescription_query_check_async  (CabStore            *store,
                                                           const char          *patient_id,
                                                           const char * const  *cis,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
CabPrescriptionCheck *cab_prescription_query_check_finish (GAsyncResult        *result,
                                                           GError             **error);

/* The printed copy of a draft, drawn to @path (0600): what "Preview"
 * shows. @rx must carry an identifier. The patient and prescriber are read
 * again, so the preview shows what the store holds now. Finish: TRUE. */
void     cab_prescription_query_preview_async  (CabStore               *store,
                                                const char             *patient_id,
                                                const CabPrescription  *rx,
                                                const char             *path,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gboolean cab_prescription_query_preview_finish (GAsyncResult           *result,
                                                GError                **error);

/* Writes an issued prescription's printed copy (cab_prescribe()) to @path
 * (0600, its directory 0700), for the viewer. Finish: TRUE. */
void     cab_prescription_query_save_pdf_async  (CabStore            *store,
                                                 GBytes              *pdf,
                                                 const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean cab_prescription_query_save_pdf_finish (GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
