/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store-private.h"
#include "cab-drug-db.h"
#include "cab-drug-import.h"
#include "cab-drug-interactions.h"

G_BEGIN_DECLS

/* What the prescribing library's files share. The drug tables live in the
 * store (migration 3), read and written through core's connections. */

/* A text file of a release, decoded to UTF-8 (cab-drug-text.c). */
typedef struct
{
  char   *name;       /* base name */
  char   *text;       /* UTF-8, NUL-terminated, BOM removed */
  gsize   length;
  const char *encoding;   /* "UTF-8", "Windows-1252" or "ASCII" */
  const char *line_ends;  /* "CRLF", "LF", "CR", "mixed" or "none" */
  /* Iteration. */
  char   *cursor;
  guint   line_number;
} CabDrugTextFile;

/* Reads and decodes @path. CAB_DRUG_ERROR_ENCODING when the bytes are
 * neither UTF-8 nor Windows-1252 (or hold NUL bytes), naming the file;
 * CAB_DRUG_ERROR_INVALID when larger than CAB_DRUG_MAX_FILE_SIZE. */
CabDrugTextFile *cab_drug_text_file_read (const char       *path,
                                          GError          **error);
void             cab_drug_text_file_free (CabDrugTextFile  *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDrugTextFile, cab_drug_text_file_free)

/* Next non-empty line split on tabs (in place; the fields point into the
 * file's text), any of CRLF, LF or CR ending it. *@n_fields is set; at most
 * @max_fields are stored, and the count goes on beyond. FALSE at the end. */
gboolean cab_drug_text_file_next (CabDrugTextFile  *file,
                                  char            **fields,
                                  guint             max_fields,
                                  guint            *n_fields);
/* The same in two steps: the next non-empty line, NUL-terminated in place
 * (NULL at the end), then its fields (the count, beyond @max_fields too). */
char    *cab_drug_text_file_next_line (CabDrugTextFile  *file);
guint    cab_drug_split_fields        (char             *line,
                                       char            **fields,
                                       guint             max_fields);

/* The key a substance name is matched on (thesaurus, allergies): case and
 * accents folded, parts in parentheses (the salt) dropped, a salt written
 * first ("chlorhydrate de") dropped, a trailing "base" or hydrate word
 * dropped, spaces collapsed. "METFORMINE (CHLORHYDRATE DE)" and
 * "CHLORHYDRATE DE METFORMINE" -> "metformine". Lists and reasons in
 * docs/domain.md, "Interaction thesaurus". */
char    *cab_drug_substance_key (const char *name);

/* Adds a malformed line to @report (capped list, full count). */
void     cab_drug_report_malformed (CabDrugImportReport *report,
                                    const char          *file,
                                    guint                line,
                                    const char          *format,
                                    ...) G_GNUC_PRINTF (4, 5);
CabDrugImportReport *cab_drug_import_report_new (void);
CabDrugFileReport   *cab_drug_file_report_new  (const CabDrugTextFile *file);

/* A composition line's substance code and key, in drug_compositions'
 * order (CIS, then line): the BDPM import collects them as it writes the
 * lines, so that relinking does not read them back. */
typedef struct
{
  const char *code;
  const char *key;
} CabDrugCodeKey;

/* Recomputes drug_substance_links inside the writer's transaction; sets
 * the report's link counts. @keys: every composition's substance key, each
 * once, in byte order (strcmp(), SQLite's BINARY); @code_keys: CabDrugCodeKey
 * of every composition with a code. Either NULL: read from
 * drug_compositions. */
gboolean cab_drug_relink_locked (CabStoreWriter       *writer,
                                 const GPtrArray      *keys,
                                 const GArray         *code_keys,
                                 CabDrugImportReport  *report,
                                 GError              **error);
/* Records an import (drug_imports) inside the writer's transaction. */
gboolean cab_drug_record_import_locked (CabStoreWriter            *writer,
                                        const char                *source,
                                        const char                *origin,
                                        const CabDrugImportReport *report,
                                        GError                   **error);

/* Step a statement to its end; CAB_STORE_ERROR_SQL with @what on failure. */
gboolean cab_drug_step_done (CabStoreConn  *conn,
                             sqlite3_stmt  *stmt,
                             const char    *what,
                             GError       **error);

G_END_DECLS
