/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sandbox-http.h"

G_BEGIN_DECLS

/* The national health directory's stand-in (Annuaire Santé, FHIR R4 API
 * shape; docs/domain.md "The national health directory"), served under
 * /annuaire/fhir beside the health space: Practitioner and PractitionerRole
 * searches over the practice's correspondents (the practice's own staff and
 * their hospitals, labs and imaging centres, plus generated specialists
 * around Nantes, deterministic by the seed), each with MSSanté addresses in
 * telecom (system email). Read-only, in memory, answered on the main
 * thread: a few hundred resources. */

#define SANDBOX_DIRECTORY_PREFIX        "/annuaire/fhir"
#define SANDBOX_DIRECTORY_DEFAULT_KEY   "sandbox-annuaire"
#define SANDBOX_DIRECTORY_API_KEY_HEADER "ESANTE-API-KEY"

typedef struct _SandboxDirectory SandboxDirectory;

/* @n_generated: specialists generated besides the practice's staff. */
SandboxDirectory *sandbox_directory_new    (guint64           seed,
                                            guint             n_generated);
void              sandbox_directory_free   (SandboxDirectory *directory);

/* @path: after SANDBOX_DIRECTORY_PREFIX ("Practitioner"); @query: raw, or
 * NULL; @base_url: "http://host:port/annuaire/fhir", for links. */
SandboxResponse  *sandbox_directory_handle (SandboxDirectory *directory,
                                            const char       *method,
                                            const char       *path,
                                            const char       *query,
                                            const char       *base_url);

G_END_DECLS
