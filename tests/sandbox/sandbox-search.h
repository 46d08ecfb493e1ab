/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sandbox-db.h"

G_BEGIN_DECLS

#define SANDBOX_DEFAULT_COUNT 50
#define SANDBOX_MAX_COUNT     1000

/* A parsed FHIR search: parameters checked against what the type supports
 * (unknown ones are a 400), sort keys and the keyset cursor of a next page. */
typedef struct _SandboxQuery SandboxQuery;

typedef enum
{
  SANDBOX_QUERY_SEARCH      = 0,
  /* If-None-Exist: no paging or result parameters, no DMP rule. */
  SANDBOX_QUERY_CONDITIONAL = 1 << 0,
} SandboxQueryFlags;

SandboxQuery *sandbox_query_parse          (const char        *type,
                                            const char        *raw_query,
                                            SandboxQueryFlags  flags,
                                            GError           **error);
void          sandbox_query_free           (SandboxQuery      *query);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxQuery, sandbox_query_free)

const char   *sandbox_query_get_type       (SandboxQuery      *query);
guint         sandbox_query_get_count      (SandboxQuery      *query);
gboolean      sandbox_query_is_count_only  (SandboxQuery      *query);
/* Whether it names patients (patient, subject, patient.identifier). */
gboolean      sandbox_query_names_patient  (SandboxQuery      *query);
/* Ids of the patients it names, identifiers resolved. */
GPtrArray    *sandbox_query_named_patients (SandboxQuery      *query,
                                            SandboxConn       *conn);

/* Runs the query: up to count rows after the cursor in sort order (SandboxRow*),
 * the total number of matches, and whether more follow.
 * @hide_blocked_for: a practitioner id whose blocking patients' compartment
 * resources are left out, or NULL. */
gboolean      sandbox_query_run            (SandboxQuery      *query,
                                            SandboxConn       *conn,
                                            const char        *hide_blocked_for,
                                            GPtrArray        **rows,
                                            gint64            *total,
                                            gboolean          *has_more,
                                            GError           **error);

/* Query strings (without '?') of this page and of the page after @last. */
char         *sandbox_query_self_string    (SandboxQuery      *query);
char         *sandbox_query_next_string    (SandboxQuery      *query,
                                            SandboxRow        *last);

G_END_DECLS
