/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* Imports of the drug database's two sources. Synchronous, on a worker
 * thread. A release replaces the previous one in one store transaction:
 * readers see the old release or the new one, never a mix, and a failed
 * import leaves the old one intact. Stored prescriptions are not touched. */

/* How one file was read. */
typedef struct
{
  char  *file;        /* base name, "CIS_bdpm.txt" */
  char  *encoding;    /* "UTF-8", "Windows-1252" or "ASCII" (what was detected) */
  char  *line_ends;   /* "CRLF", "LF", "mixed" or "none" */
  guint  n_lines;     /* non-empty lines read */
  guint  n_imported;  /* rows imported */
  guint  n_malformed; /* lines skipped (listed in CabDrugImportReport.malformed) */
} CabDrugFileReport;

/* A line that was not imported. */
typedef struct
{
  char  *file;
  guint  line;        /* 1-based line number in the file */
  char  *reason;      /* "9 fields, expected 8 or 9", never the line's text */
} CabDrugMalformedLine;

typedef struct
{
  GPtrArray *files;      /* CabDrugFileReport* in import order */
  GPtrArray *malformed;  /* CabDrugMalformedLine*, at most CAB_DRUG_MAX_MALFORMED_LISTED */
  guint      n_malformed;/* all of them, even beyond the list's cap */
  guint      n_linked;   /* BDPM substances linked to the thesaurus after the import */
  guint      n_unlinked; /* ... and those not linked */
} CabDrugImportReport;

/* A release with more malformed lines than this is refused (it is not a
 * BDPM release, or a broken download); the list keeps at most this many. */
#define CAB_DRUG_MAX_MALFORMED_LISTED 1000
/* A file larger than this is refused before it is read (real ones are < 5 MiB). */
#define CAB_DRUG_MAX_FILE_SIZE (256 * 1024 * 1024)

void  cab_drug_import_report_free    (CabDrugImportReport       *report);
/* {"files": [{"file", "encoding", "line_ends", "lines", "imported",
 * "malformed"}], "malformed_count", "malformed": [{"file", "line",
 * "reason"}]}: stored with the import, printed by cabinetctl. */
char *cab_drug_import_report_to_json (const CabDrugImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDrugImportReport, cab_drug_import_report_free)

/* Imports the BDPM release in @dir: CIS_bdpm.txt, CIS_CIP_bdpm.txt,
 * CIS_COMPO_bdpm.txt and CIS_GENER_bdpm.txt are required, CIS_CPD_bdpm.txt
 * is optional. Each file's encoding is detected (UTF-8 or Windows-1252,
 * with or without a UTF-8 BOM) and reported; a file that is neither fails
 * the import with CAB_DRUG_ERROR_ENCODING naming the file. Malformed lines
 * are skipped and reported with their file and line number; the rest is
 * imported. Links to the thesaurus are recomputed when one is imported. */
CabDrugImportReport *cab_drug_import_bdpm      (CabStore    *store,
                                                const char  *dir,
                                                GError     **error);

/* Imports the ANSM interaction thesaurus in @dir: thesaurusAout2016.tsv
 * (or any thesaurus*.tsv) and moleculesfamilles*.tsv, with header rows.
 * Replaces the previous thesaurus and relinks BDPM substances. */
CabDrugImportReport *cab_drug_import_thesaurus (CabStore    *store,
                                                const char  *dir,
                                                GError     **error);

G_END_DECLS
