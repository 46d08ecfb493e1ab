/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A request as a worker thread sees it: copied out of libsoup on the main
 * thread, so no libsoup object crosses threads. */
typedef struct
{
  char       *method;
  char       *path;          /* after the /fhir or /admin prefix, no leading '/' */
  char       *query;         /* raw query string, or NULL */
  GHashTable *headers;       /* lower-case name -> value */
  GBytes     *body;
  char       *content_type;  /* media type without parameters, or NULL */
  char       *base_url;      /* "http://127.0.0.1:41234/fhir" */
  char       *practitioner;  /* acting Practitioner id */
} SandboxRequest;

typedef struct
{
  guint      status;
  char      *content_type;
  GBytes    *body;
  GPtrArray *headers;        /* name, value, name, value... */
  guint      n_resources;    /* resources it carries, for statistics */
} SandboxResponse;

#define SANDBOX_FHIR_JSON "application/fhir+json"

void             sandbox_request_free        (SandboxRequest  *request);
const char      *sandbox_request_get_header  (SandboxRequest  *request,
                                              const char      *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxRequest, sandbox_request_free)

SandboxResponse *sandbox_response_new        (guint            status,
                                              const char      *content_type,
                                              GBytes          *body);
/* Takes @json. */
SandboxResponse *sandbox_response_new_json   (guint            status,
                                              char            *json);
/* An OperationOutcome (error severity) with the status and diagnostics. */
SandboxResponse *sandbox_response_new_error  (guint            status,
                                              const char      *diagnostics);
SandboxResponse *sandbox_response_new_gerror (const GError    *error);
void             sandbox_response_add_header (SandboxResponse *response,
                                              const char      *name,
                                              const char      *value);
void             sandbox_response_free       (SandboxResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SandboxResponse, sandbox_response_free)

/* Appends @text as a JSON string literal (quoted, escaped). */
void             sandbox_append_json_string  (GString         *out,
                                              const char      *text);

G_END_DECLS
