/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sandbox-db.h"
#include "sandbox-http.h"

G_BEGIN_DECLS

/* Answers one FHIR request (path relative to the base). Runs on a worker
 * thread; may block on SQLite and PDF drawing. */
SandboxResponse *sandbox_fhir_handle (SandboxDb      *db,
                                      SandboxRequest *request);

G_END_DECLS
