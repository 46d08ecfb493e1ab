/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* IHE XDM writer: the IHE_XDM.zip sent with clinical documents
 * (docs/domain.md, "Secure messaging"): README.TXT and INDEX.HTM at the
 * top, IHE_XDM/SUBSET01/ with METADATA.XML (one XDS submission set, one
 * document entry per document) and the documents. cab-xdm.c reads it back. */

typedef struct
{
  const char *ins;            /* 15 characters, only for a qualified identity; NULL: none */
  const char *ins_oid;        /* "1.2.250.1.213.1.4.8" (or .10, .11 for test identities) */
  const char *birth_family;
  const char *usage_family;   /* NULL: none */
  const char *given;
  const char *birth_date;     /* YYYY-MM-DD */
  char        sex;            /* 'F', 'M' or 0 */
} CabXdmPatient;

typedef struct
{
  const char *file_name;      /* in the subset folder, e.g. "DOC0001.PDF" */
  const char *mime_type;      /* "application/pdf" */
  const char *title;
  const char *type_code;      /* LOINC */
  const char *type_display;
  const char *class_code;
  const char *class_display;
  const char *creation_time;  /* YYYYMMDDHHMMSS, UTC */
  GBytes     *content;
} CabXdmOutDocument;

typedef struct
{
  const CabXdmPatient *patient;
  const char          *author;           /* XCN, e.g. "810000000001^MARTIN^Claire^^^^^^&1.2.250.1.71.4.2.1&ISO" */
  const char          *submission_time;  /* YYYYMMDDHHMMSS, UTC */
  const char          *software;         /* named in README.TXT */
} CabXdmSubmission;

/* The zip, in memory. G_IO_ERROR_INVALID_ARGUMENT for a file name that
 * cab_xdm_path_is_safe() refuses or that is not unique. */
GBytes *cab_xdm_write (const CabXdmSubmission  *submission,
                       const CabXdmOutDocument *documents,
                       guint                    n_documents,
                       GError                 **error);

/* The METADATA.XML alone (tests). */
char   *cab_xdm_write_metadata (const CabXdmSubmission  *submission,
                                const CabXdmOutDocument *documents,
                                guint                    n_documents);

G_END_DECLS
