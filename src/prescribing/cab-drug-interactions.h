/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* Interaction and allergy checks of a prescription (docs/domain.md,
 * "Interaction thesaurus"). Synchronous store reads: call from a worker
 * thread; the UI uses the _async variants on core's reader pool. */

/* The thesaurus's four levels, most severe first. */
typedef enum
{
  CAB_INTERACTION_CI = 0,  /* contre-indication */
  CAB_INTERACTION_AD = 1,  /* association déconseillée */
  CAB_INTERACTION_PE = 2,  /* précaution d'emploi */
  CAB_INTERACTION_PC = 3,  /* à prendre en compte */
} CabInteractionLevel;

/* "CI", "AD", "PE", "PC". */
const char *cab_interaction_level_to_code  (CabInteractionLevel level);
/* "Contre-indication", ... translated. */
const char *cab_interaction_level_to_label (CabInteractionLevel level);

/* One interacting pair. "a" is always a line of the prescription; "b" is
 * another line or one of the patient's current treatments. */
typedef struct
{
  CabInteractionLevel level;       /* the most severe level the thesaurus gives */
  char     *levels;                /* every level the entry gives, "CI,AD" (conditional entries) */
  char     *cis_a;
  char     *substance_a;           /* BDPM substance name of line a */
  char     *protagonist_a;         /* thesaurus name it matched: the substance or its class */
  char     *cis_b;
  char     *substance_b;
  char     *protagonist_b;
  gboolean  b_is_current;          /* b is a current treatment, not a new line */
  char     *b_request_id;          /* its MedicationRequest id when b_is_current */
  char     *description;           /* the thesaurus text (level and risk) */
  char     *mechanism;             /* or NULL */
  char     *conduct;               /* the conduct to hold, or NULL */
} CabDrugInteraction;

/* A line or a current treatment that could not be checked. */
typedef struct
{
  char     *cis;                   /* as given, or the treatment's code */
  char     *request_id;            /* for a current treatment, else NULL */
  char     *reason;                /* "not in the drug database", "no substance linked to the thesaurus" */
} CabDrugUnchecked;

typedef struct
{
  GPtrArray *interactions;         /* CabDrugInteraction*, most severe first */
  GPtrArray *unchecked;            /* CabDrugUnchecked* */
  guint      n_current;            /* current treatments taken into account */
} CabDrugInteractionReport;

void cab_drug_interaction_free        (CabDrugInteraction       *interaction);
void cab_drug_unchecked_free          (CabDrugUnchecked         *unchecked);
void cab_drug_interaction_report_free (CabDrugInteractionReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDrugInteractionReport, cab_drug_interaction_report_free)

/* Checks every line of @cis (NULL-terminated CIS codes of the new
 * prescription) against the others and, when @patient_id is not NULL,
 * against the patient's current treatments: their MedicationRequests in
 * the store with status "active" whose medication code is a CIS. A pair of
 * substances is reported once, at its most severe entry; two lines with
 * the same substance are not an interaction. Errors: CAB_DRUG_ERROR_INVALID
 * for a CIS that is not 8 digits. */
CabDrugInteractionReport *cab_drug_check_interactions (CabStore            *store,
                                                       const char * const  *cis,
                                                       const char          *patient_id,
                                                       GError             **error);

void                      cab_drug_query_interactions_async  (CabStore            *store,
                                                              const char * const  *cis,
                                                              const char          *patient_id,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
CabDrugInteractionReport *cab_drug_query_interactions_finish (GAsyncResult        *result,
                                                              GError             **error);

/* A patient's AllergyIntolerance (synced from the health space). */
typedef struct
{
  char     *id;
  char     *substance;          /* the coded substance's display (or text) */
  char     *code;               /* its code, or NULL */
  char     *category;           /* "medication", "food", ... or NULL */
  char     *criticality;        /* "low", "high", "unable-to-assess" or NULL */
  char     *type;               /* "allergy" or "intolerance" or NULL */
  char     *verification_status;/* "confirmed", "unconfirmed", ... or NULL */
  gboolean  is_excipient;       /* the substance is a known excipient (lactose, ...) */
} CabAllergy;

void       cab_allergy_free (CabAllergy *allergy);

/* The patient's active allergies and intolerances (clinicalStatus active or
 * absent, not refuted nor entered-in-error). GPtrArray of CabAllergy*. */
GPtrArray *cab_drug_list_allergies (CabStore    *store,
                                    const char  *patient_id,
                                    GError     **error);

/* A line of the prescription that contains a substance the patient is
 * allergic or intolerant to: same substance after folding (case, accents,
 * salt in parentheses), or a thesaurus class the substance belongs to. */
typedef struct
{
  char       *cis;
  char       *substance;        /* the BDPM substance that matched */
  CabAllergy *allergy;
} CabDrugAllergyMatch;

void       cab_drug_allergy_match_free (CabDrugAllergyMatch *match);

/* GPtrArray of CabDrugAllergyMatch* for the lines @cis of @patient_id. */
GPtrArray *cab_drug_check_allergies (CabStore            *store,
                                     const char          *patient_id,
                                     const char * const  *cis,
                                     GError             **error);

/* For the CIF justification of non-substitution: TRUE when the patient has
 * a documented intolerance or allergy to an excipient (@excipient, folded
 * like substances, or any excipient when NULL). @allergy_id (out,
 * nullable): the AllergyIntolerance that documents it. */
gboolean   cab_drug_has_excipient_intolerance (CabStore    *store,
                                               const char  *patient_id,
                                               const char  *excipient,
                                               char       **allergy_id,
                                               GError     **error);

G_END_DECLS
