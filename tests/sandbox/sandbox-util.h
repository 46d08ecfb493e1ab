/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors carry the HTTP status they answer with as their code. */
#define SANDBOX_ERROR (sandbox_error_quark ())
GQuark sandbox_error_quark (void);

#define SANDBOX_FOREVER G_MAXINT64
#define SANDBOX_NEVER   G_MININT64

gint64   sandbox_now_ms            (void);
/* "2024-05-01T10:00:00.123Z" */
char    *sandbox_format_instant    (gint64       ms);
/* "Wed, 01 May 2024 10:00:00 GMT" */
char    *sandbox_format_http_date  (gint64       ms);
/* FHIR date, dateTime or instant, partial or not, as the range [lo, hi) in ms
 * since the epoch it covers (2024 covers the whole year). UTC unless an offset
 * is given. */
gboolean sandbox_parse_date_range  (const char  *text,
                                    gint64      *lo,
                                    gint64      *hi);
/* "Patient/x", "x", "http://host/fhir/Patient/x" or "Patient/x/_history/2":
 * fills @type (may be NULL when absent) and @id. */
gboolean sandbox_parse_reference   (const char  *text,
                                    char       **type,
                                    char       **id);
gboolean sandbox_is_valid_id       (const char  *id);
gboolean sandbox_is_known_type     (const char  *type);
gboolean sandbox_is_compartment_type (const char *type);

char    *sandbox_json_to_string    (JsonNode    *node);
char    *sandbox_object_to_string  (JsonObject  *object);
/* Parses a JSON object; a 400 error otherwise. */
JsonObject *sandbox_parse_object   (const char  *data,
                                    gssize       length,
                                    GError     **error);
/* Member lookup helpers that tolerate wrong types (returning NULL). */
const char *sandbox_json_get_string (JsonObject *object,
                                     const char *member);
JsonObject *sandbox_json_get_object (JsonObject *object,
                                     const char *member);
JsonArray  *sandbox_json_get_array  (JsonObject *object,
                                     const char *member);

/* OperationOutcome JSON for @status (maps the issue code) and @diagnostics. */
char    *sandbox_outcome_new       (guint        status,
                                    const char  *severity,
                                    const char  *diagnostics);
const char *sandbox_issue_code_for_status (guint status);

char    *sandbox_base64url_encode  (const char  *text);
char    *sandbox_base64url_decode  (const char  *text);
char    *sandbox_sha1_base64       (GBytes      *bytes);
/* A fresh id for created resources. */
char    *sandbox_new_id            (void);

G_END_DECLS
