/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sandbox-fhir.h"

G_BEGIN_DECLS

/* Reads and searches (sandbox-fhir.c). */
SandboxResponse *sandbox_fhir_read        (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type, const char *id);
SandboxResponse *sandbox_fhir_search      (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type, const char *query);

/* Writes (sandbox-fhir-write.c). */
SandboxResponse *sandbox_fhir_create      (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type);
SandboxResponse *sandbox_fhir_update      (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type, const char *id);
SandboxResponse *sandbox_fhir_patch       (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type, const char *id);
SandboxResponse *sandbox_fhir_delete      (SandboxDb *db, SandboxConn *conn, SandboxRequest *request,
                                           const char *type, const char *id);
SandboxResponse *sandbox_fhir_transaction (SandboxDb *db, SandboxConn *conn, SandboxRequest *request);

/* A resource answer with ETag, Last-Modified and, for creates, Location. */
SandboxResponse *sandbox_fhir_resource_response (guint           status,
                                                 SandboxRow     *row,
                                                 SandboxRequest *request,
                                                 gboolean        with_location);
/* 403 when @patient_id has blocked the requesting professional. */
gboolean         sandbox_fhir_check_access     (SandboxConn     *conn,
                                                SandboxRequest  *request,
                                                const char      *patient_id,
                                                GError         **error);
/* One AuditEvent per patient in @patient_ids for this request. */
void             sandbox_fhir_audit            (SandboxDb       *db,
                                                SandboxConn     *conn,
                                                SandboxRequest  *request,
                                                GPtrArray       *patient_ids,
                                                const char      *action,
                                                const char      *subtype,
                                                const char      *what);
char            *sandbox_fhir_etag             (gint64           version);

/* Inside a write: validates (422), checks blocking (403), moves inline data
 * into blobs and stores the next version. */
SandboxRow      *sandbox_fhir_store_resource   (SandboxDb       *db,
                                                SandboxConn     *conn,
                                                SandboxRequest  *request,
                                                const char      *type,
                                                const char      *id,
                                                JsonObject      *resource,
                                                GError         **error);
/* Inside a write: runs an If-None-Exist query; @match is the single match or
 * NULL when none; 412 when several match. */
gboolean         sandbox_fhir_conditional_match (SandboxConn    *conn,
                                                 const char     *type,
                                                 const char     *query,
                                                 SandboxRow    **match,
                                                 GError        **error);
/* 412 unless @if_match (may be NULL: no condition) names the current version. */
gboolean         sandbox_fhir_check_if_match   (const char      *if_match,
                                                SandboxRow      *current,
                                                const char      *type,
                                                const char      *id,
                                                GError         **error);

G_END_DECLS
