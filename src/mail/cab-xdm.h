/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-hash.h"
#include "cab-mail-match.h"

G_BEGIN_DECLS

/* IHE XDM reader: an IHE_XDM.zip from memory, its METADATA.XML (XDS
 * submission set and document entries) and the documents it lists. Hostile
 * input (docs/architecture.md, "Rules for hostile input", and "Mail"): the
 * zip is refused whole on a symlink or other non-regular entry, an absolute
 * or climbing (`..`) path, too many entries, or more bytes out than the
 * limits allow (checked while inflating, never trusting the headers); the
 * XML is parsed without network and refused if it has a DTD (no entities). */

#define CAB_XDM_ERROR (cab_xdm_error_quark ())

typedef enum
{
  CAB_XDM_ERROR_NOT_ZIP,       /* not a zip, or damaged */
  CAB_XDM_ERROR_UNSAFE_ENTRY,  /* symlink, device, absolute or `..` path */
  CAB_XDM_ERROR_TOO_LARGE,     /* entries, bytes, or inflation ratio over the limits */
  CAB_XDM_ERROR_NO_METADATA,   /* no IHE_XDM/<subset>/METADATA.XML */
  CAB_XDM_ERROR_BAD_METADATA,  /* not well-formed, has a DTD, or lists nothing readable */
} CabXdmError;

/* Limits; zero fields take the defaults (CAB_XDM_DEFAULT_*). */
typedef struct
{
  guint   max_entries;      /* default 1000 */
  guint64 max_entry_size;   /* bytes of one entry, default 64 MiB */
  guint64 max_total_size;   /* bytes of all entries, default 256 MiB */
  guint   max_ratio;        /* bytes out per byte of zip, default 100 (past the first MiB) */
  guint64 max_metadata_size;/* default 4 MiB */
} CabXdmLimits;

#define CAB_XDM_DEFAULT_MAX_ENTRIES    1000
#define CAB_XDM_DEFAULT_MAX_ENTRY_SIZE (G_GUINT64_CONSTANT (64) << 20)
#define CAB_XDM_DEFAULT_MAX_TOTAL_SIZE (G_GUINT64_CONSTANT (256) << 20)
#define CAB_XDM_DEFAULT_MAX_RATIO      100
#define CAB_XDM_DEFAULT_MAX_METADATA   (G_GUINT64_CONSTANT (4) << 20)

typedef struct
{
  char   *entry_id;        /* ExtrinsicObject id */
  char   *uri;             /* file name in the subset folder, as listed */
  char   *mime_type;
  char   *type_code;       /* LOINC, e.g. 11502-2 */
  char   *type_display;
  char   *class_code;
  char   *class_display;
  char   *creation_time;   /* as written, e.g. 20250612093000 */
  char   *author;          /* authorPerson, as written (XCN) */
  char   *unique_id;
  char   *declared_sha1;   /* lower-case hex, or NULL */
  gint64  declared_size;   /* -1: not given */
  /* The patient, from patientId and sourcePatientInfo. */
  char   *ins;
  char   *ins_oid;
  char   *birth_family;
  char   *usage_family;
  char   *given;
  char   *birth_date;      /* YYYY-MM-DD */
  char    sex;             /* 'F', 'M' or 0 */
  /* The document itself. */
  GBytes *content;         /* NULL: not in the zip */
  char   *sha1;            /* of content */
  gboolean hash_ok;        /* content present, and its SHA-1 and size are the declared ones */
} CabXdmDocument;

typedef struct
{
  char      *subset;           /* "IHE_XDM/SUBSET01" */
  char      *submission_ins;   /* SubmissionSet.patientId, or NULL */
  GPtrArray *documents;        /* CabXdmDocument* */
} CabXdm;

GQuark  cab_xdm_error_quark (void);

CabXdm *cab_xdm_read        (GBytes              *zip,
                             const CabXdmLimits  *limits,   /* NULL: defaults */
                             GError             **error);
/* The same, taking a document's SHA-1 from @hashes when it holds the same
 * bytes (the message's attachments, cab-mail-read.c); NULL: each hashed. */
CabXdm *cab_xdm_read_with_hashes (GBytes              *zip,
                                  const CabXdmLimits  *limits,
                                  CabMailSha1Cache    *hashes,
                                  GError             **error);
void    cab_xdm_free        (CabXdm              *xdm);

/* The document's patient as the matcher reads it; borrows from @doc. */
void    cab_xdm_document_get_traits (const CabXdmDocument *doc,
                                     CabMatchTraits       *traits);

/* METADATA.XML alone (exposed for the fuzz target and tests). */
GPtrArray *cab_xdm_parse_metadata (const char  *xml,
                                   gsize        length,
                                   char       **submission_ins,
                                   GError     **error);

/* Whether a zip entry's path is safe to take (relative, no `..`, no
 * backslash, no control characters). */
gboolean cab_xdm_path_is_safe (const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabXdm, cab_xdm_free)

G_END_DECLS
