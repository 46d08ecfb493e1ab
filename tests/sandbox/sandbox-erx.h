/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sandbox-db.h"
#include "sandbox-http.h"

G_BEGIN_DECLS

/* The e-prescription service under [base]/erx (sandbox-erx.c says what it
 * accepts). @request->path starts with "erx". Worker thread. */
SandboxResponse *sandbox_erx_handle (SandboxDb      *db,
                                     SandboxRequest *request);

G_END_DECLS
