/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Search tokens extracted from a resource at write time. Strings point into
 * the resource or into the index's chunk: valid while both live. */
typedef struct
{
  const char *param;
  const char *sys;      /* token system, or reference type; may be NULL */
  const char *val;      /* token code/value, or reference id; NULL for dates */
  gint64      lo;       /* date range [lo, hi) */
  gint64      hi;
  gboolean    is_date;
} SandboxToken;

typedef struct
{
  GArray       *tokens;       /* SandboxToken */
  GStringChunk *chunk;
  const char   *patient_id;   /* compartment, or NULL */
  gint64        sort_date;    /* first "date" value, SANDBOX_NEVER when none */
  gboolean      pending;      /* a DocumentReference whose size/hash is still to fill */
  GPtrArray    *blocked;      /* Consent: practitioner ids the patient blocks (const char *) */
} SandboxIndex;

#define SANDBOX_ISARCHIVED_URL "http://esante.gouv.fr/ci-sis/fhir/StructureDefinition/PDSm_isArchived"

void sandbox_index_init    (SandboxIndex *index);
void sandbox_index_clear   (SandboxIndex *index);
/* @patient_hint: compartment given by the caller (generator), else derived. */
void sandbox_index_extract (SandboxIndex *index,
                            const char   *type,
                            const char   *id,
                            JsonObject   *resource,
                            const char   *patient_hint);

/* The Binary id an attachment url names ("Binary/x", or absolute), else NULL. */
char *sandbox_attachment_binary_id (const char *url);

G_END_DECLS
