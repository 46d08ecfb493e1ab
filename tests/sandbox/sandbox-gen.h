/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Fixed ids the tests, the demo and cabinetctl rely on. */
#define SANDBOX_PRACTICE_ID      "org-practice"       /* Organization of the practice */
#define SANDBOX_N_GPS            3                    /* Practitioner/gp-1 .. gp-3, PractitionerRole/role-gp-N */

typedef struct
{
  guint64     seed;
  guint       n_patients;   /* default 300 */
  guint       years;        /* history depth, default 5 */
  const char *today;        /* "YYYY-MM-DD": the practice's present; dates are generated up to it */
} SandboxGenOptions;

/* Called once for every generated resource, in an order where references
 * point backwards (Organization, Practitioner, PractitionerRole, then per
 * patient: Patient, Consent, Condition, Binary, DocumentReference, List,
 * Observation, MedicationRequest).
 * @resource: a complete FHIR R4 resource (resourceType, id; no meta: the
 *   server assigns meta.versionId and meta.lastUpdated).
 * @patient_id: the patient compartment it belongs to, or NULL.
 * @pdf_recipe: for a Binary whose PDF is drawn lazily, the parameters
 *   sandbox_pdf_render() needs (the Binary then has contentType but no data),
 *   else NULL. The DocumentReference pointing at it has no size/hash yet: the
 *   server fills them from the rendered bytes on first use.
 * Both objects are borrowed (json_object_ref() to keep one) and may share
 * sealed sub-objects (codings, references) with other resources: serialise
 * them, or deep-copy before changing anything below the top level. */
typedef void (*SandboxEmitFunc) (const char *type,
                                 const char *id,
                                 const char *patient_id,
                                 JsonObject *resource,
                                 JsonObject *pdf_recipe,
                                 gpointer    user_data);

void sandbox_gen_practice (const SandboxGenOptions *options,
                           SandboxEmitFunc          emit,
                           gpointer                 user_data);

G_END_DECLS
