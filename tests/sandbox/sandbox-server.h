/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sandbox-db.h"
#include "sandbox-faults.h"

G_BEGIN_DECLS

/* The HTTP side: /fhir (FHIR R4 JSON) and /admin, bearer tokens, fault
 * injection. The main loop only moves requests in and answers out; the work
 * runs on a pool of worker threads. */
typedef struct _SandboxServer SandboxServer;
typedef struct _SandboxDirectory SandboxDirectory;

/* @tokens: bearer token -> Practitioner id (referenced).
 * @faults: taken. */
SandboxServer *sandbox_server_new          (SandboxDb      *db,
                                            GHashTable     *tokens,
                                            SandboxFaults  *faults);
/* Logs every /fhir request line to @path (benchmarks replay them with curl). */
gboolean       sandbox_server_set_access_log (SandboxServer *server,
                                            const char     *path,
                                            GError        **error);
/* Serves @directory (taken) under /annuaire/fhir to requests that carry
 * @api_key in the ESANTE-API-KEY header, as the Annuaire Santé API does. */
void           sandbox_server_set_directory (SandboxServer    *server,
                                             SandboxDirectory *directory,
                                             const char       *api_key);
/* Listens on @host:@port (0: a free port); HTTPS when @tls_cert is given. */
gboolean       sandbox_server_listen       (SandboxServer  *server,
                                            const char     *host,
                                            guint           port,
                                            const char     *tls_cert,
                                            const char     *tls_key,
                                            GError        **error);
/* "http://127.0.0.1:41234/fhir" once listening. */
const char    *sandbox_server_get_base_url (SandboxServer  *server);
/* Stops listening, lets running work finish and frees. */
void           sandbox_server_free         (SandboxServer  *server);

G_END_DECLS
