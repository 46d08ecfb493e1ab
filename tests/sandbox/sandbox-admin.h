/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sandbox-db.h"
#include "sandbox-http.h"

G_BEGIN_DECLS

/* POST /admin/touch {"type": T, "count": N}: gives N resources of type T a
 * new version (content slightly changed) and answers {"ids": [...]}.
 * Runs on a worker thread. */
SandboxResponse *sandbox_admin_touch (SandboxDb      *db,
                                      SandboxRequest *request);

G_END_DECLS
