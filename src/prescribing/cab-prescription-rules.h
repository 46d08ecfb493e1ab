/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-prescription.h"

G_BEGIN_DECLS

/*
 * The rules a prescription must follow before it is printed or sent
 * (docs/domain.md, "Prescriptions"): non-substitution justified by exactly
 * one of MTE, EFG, CIF, each only where it applies; the ALD zone only for a
 * patient with an ALD; renewals within a year. Pure functions over the
 * prescription and the facts about the patient the caller looked up.
 */

typedef struct
{
  const char     *birth_date;    /* YYYY-MM-DD (or partial YYYY, YYYY-MM), NULL when unknown */
  gboolean        has_ald;       /* the patient has an active ALD condition */
  /* One per line, in order: the patient has a recorded intolerance to an
   * excipient of this line's medicine (what justifies CIF). NULL: none. */
  const gboolean *intolerance;
} CabPrescriptionFacts;

/* The first broken rule as a CAB_PRESCRIPTION_ERROR (user-facing French or
 * English message naming the line by its number), or TRUE. */
gboolean   cab_prescription_check           (const CabPrescription      *rx,
                                             const CabPrescriptionFacts *facts,
                                             GError                    **error);
/* Every broken rule: an array of GError*, empty when the prescription is fine. */
GPtrArray *cab_prescription_check_all       (const CabPrescription      *rx,
                                             const CabPrescriptionFacts *facts);

/* A substance on the closed MTE list (accents and case folded; "LÉVOTHYROXINE
 * SODIQUE" is lévothyroxine). */
gboolean   cab_substance_is_mte             (const char *substance);
/* The patient is under 6 on @date (YYYY-MM-DD) for certain, even at the
 * earliest day a partial birth date allows. */
gboolean   cab_prescription_is_under_six    (const char *birth_date,
                                             const char *date);

G_END_DECLS
