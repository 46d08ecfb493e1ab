/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/*
 * Who signs a prescription, as the law wants it printed (docs/domain.md,
 * "Prescriptions"): name, specialty, RPPS, the practice's address and
 * phone. Read from the Practitioner and Organization resources the store
 * holds, as the health space sent them.
 */
typedef struct
{
  char *reference;        /* "Practitioner/<id>" */
  char *organization;     /* "Organization/<id>", or NULL */
  char *display_name;     /* "Dr Claire MARTIN" */
  char *specialty;        /* "Médecine générale", or NULL */
  char *rpps;             /* 11 digits, or NULL */
  char *practice_name;    /* or NULL */
  char *address;          /* lines, one per line ("12 rue…\n75011 Paris"), or NULL */
  char *phone;            /* or NULL */
} CabPrescriber;

void           cab_prescriber_free (CabPrescriber *prescriber);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPrescriber, cab_prescriber_free)

/* Worker thread only (store reads). @practitioner: "Practitioner/<id>";
 * @organization: "Organization/<id>" or NULL. CAB_STORE_ERROR_NOT_FOUND
 * when the store does not hold the Practitioner (sync first). */
CabPrescriber *cab_prescriber_load (CabStore   *store,
                                    const char *practitioner,
                                    const char *organization,
                                    GError    **error);

/* The same from the resources' JSON (tests, and what load uses);
 * @organization_json may be NULL. */
CabPrescriber *cab_prescriber_from_json (const char *practitioner_id,
                                         const char *practitioner_json,
                                         const char *organization_id,
                                         const char *organization_json,
                                         GError    **error);

G_END_DECLS
