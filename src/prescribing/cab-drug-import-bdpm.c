/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import of a BDPM release (docs/domain.md, "Drug database: BDPM"): the
 * files are read and decoded first, then the old release is replaced by
 * the new one in one transaction. */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <time.h>
#include <string.h>

#include "cab-drug-private.h"

#define MAX_FIELDS 16

typedef enum
{
  BDPM_CIS,
  BDPM_CIP,
  BDPM_COMPO,
  BDPM_GENER,
  BDPM_CPD,
  N_BDPM_FILES
} BdpmFile;

typedef struct
{
  const char *name;
  gboolean    required;
  guint       min_fields;  /* columns a line must have */
  guint       max_fields;  /* columns it may have, before an empty trailing one */
  int         sort_field;  /* the table's key, when the file is not in its order; or -1 */
} BdpmFileSpec;

/* Column counts from the ANSM's layouts; CIS_CIP's last column (the
 * reimbursable indications) is missing from older releases. CIS_bdpm is in
 * name order and CIS_CIP in CIS order: their rows are written in the order
 * of their table's key (CIS, CIP13), CIS_COMPO's already is. */
static const BdpmFileSpec specs[N_BDPM_FILES] = {
  [BDPM_CIS]   = { "CIS_bdpm.txt",       TRUE,  12, 12,  0 },
  [BDPM_CIP]   = { "CIS_CIP_bdpm.txt",   TRUE,  12, 13,  6 },
  [BDPM_COMPO] = { "CIS_COMPO_bdpm.txt", TRUE,   8,  8, -1 },
  [BDPM_GENER] = { "CIS_GENER_bdpm.txt", TRUE,   5,  5, -1 },
  [BDPM_CPD]   = { "CIS_CPD_bdpm.txt",   FALSE,  2,  2, -1 },
};

static gboolean
all_digits (const char *text,
            gsize       length)
{
  if (text == NULL)
    return FALSE;
  /* The NUL is not a digit: nothing is read past it. */
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return text[length] == '\0';
}

/* A valid CIS as a number: the import's hash tables key on it. */
static gpointer
cis_key (const char *cis)
{
  return GUINT_TO_POINTER ((guint) g_ascii_strtoull (cis, NULL, 10));
}

gboolean
cab_drug_cis_is_valid (const char *cis)
{
  return all_digits (cis, 8);
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* " 12,5 mg " -> "12,5 mg": the files pad some fields with spaces. The
 * start moves forward rather than the text back (g_strstrip()). */
static char *
trimmed (char *text)
{
  char *end;

  if (text == NULL)
    return NULL;
  while (g_ascii_isspace (*text))
    text++;
  end = text + strlen (text);
  while (end > text && g_ascii_isspace (end[-1]))
    end--;
  *end = '\0';
  return text;
}

/* dd/mm/yyyy (day and month of one or two digits) -> yyyy-mm-dd in @out;
 * NULL when it is not a date. Parsed by hand, no allocation: one per row
 * of two files (docs/architecture.md, "Drug database", import figures). */
static const char *
iso_date (const char *text,
          char        out[static 11])
{
  int parts[3] = { 0, 0, 0 };
  const char *p = text;

  if (text == NULL)
    return NULL;
  for (guint i = 0; i < 3; i++)
    {
      guint digits = 0;

      while (*p == ' ')
        p++;
      while (g_ascii_isdigit (*p) && digits < (i == 2 ? 4u : 2u))
        parts[i] = parts[i] * 10 + (*p++ - '0'), digits++;
      if (digits == 0 || (i == 2 && digits != 4) || *p != (i < 2 ? '/' : '\0'))
        return NULL;
      if (i < 2)
        p++;
    }
  if (!g_date_valid_dmy (parts[0], parts[1], parts[2]))
    return NULL;
  /* "%04d-%02d-%02d" by hand: the year has four digits, the others two
   * at most; printf's format parsing was most of this function's time. */
  for (int i = 3, year = parts[2]; i >= 0; i--, year /= 10)
    out[i] = (char) ('0' + year % 10);
  out[4] = '-';
  out[5] = (char) ('0' + parts[1] / 10);
  out[6] = (char) ('0' + parts[1] % 10);
  out[7] = '-';
  out[8] = (char) ('0' + parts[0] / 10);
  out[9] = (char) ('0' + parts[0] % 10);
  out[10] = '\0';
  return out;
}

/* "65 %" and "65%" -> "65%"; "" -> NULL. In place: the field is the
 * file's text, read once. */
static const char *
normalise_rate (char *text)
{
  char *out = text;

  if (text == NULL)
    return NULL;
  for (const char *p = text; *p != '\0'; p++)
    if (*p != ' ')
      *out++ = *p;
  *out = '\0';
  return nonempty (text);
}

/* Checks the column count; an empty trailing column (the trailing tab of
 * real releases) is allowed. */
static gboolean
check_fields (CabDrugImportReport *report,
              CabDrugTextFile     *file,
              const BdpmFileSpec  *spec,
              char               **fields,
              guint                n_fields)
{
  guint n = n_fields;

  if (n > spec->max_fields && n <= MAX_FIELDS && *fields[n - 1] == '\0')
    n--;
  if (n >= spec->min_fields && n <= spec->max_fields)
    return TRUE;
  if (spec->min_fields == spec->max_fields)
    cab_drug_report_malformed (report, file->name, file->line_number,
                               "%u fields, expected %u", n_fields, spec->min_fields);
  else
    cab_drug_report_malformed (report, file->name, file->line_number,
                               "%u fields, expected %u to %u", n_fields,
                               spec->min_fields, spec->max_fields);
  return FALSE;
}

/* The search index's text of each medicine, gathered while its rows are
 * written (cheaper than joining them back in SQL). Codes are not in it:
 * they are found through the tables' indexes (cab-drug-db.c). */
typedef struct
{
  gint64      rowid;
  const char *name;         /* in the file's text */
  GString    *substances;   /* NULL until the medicine's first substance */
} SearchText;

static void
search_text_clear (SearchText *text)
{
  if (text->substances != NULL)
    g_string_free (text->substances, TRUE);
}

/* A medicine's generic group: of its CIS_GENER lines, the first with the
 * smallest group number. */
typedef struct
{
  gint64 number;
  gint64 id;       /* the drug_generics line's id */
} GenericGroup;

/* cis_key() -> index + 1 in search_order, for the import in
 * progress: one BDPM import at a time in a process (import_lock), whatever
 * the store. */
static GHashTable *search_texts;
static GHashTable *generic_groups;   /* cis_key() -> GenericGroup */
static GHashTable *substance_keys;   /* substance name -> cab_drug_substance_key(): a few
                                      * thousand names over 30,000 lines */
static GArray *search_order;      /* SearchText, by rowid */
static SearchText *last_text;     /* the last one appended to: CIS_COMPO is in CIS order */
static const char *last_cis;
/* CabDrugCodeKey of the compositions written, for relinking; NULL when a
 * line came out of drug_compositions' order (CIS, then line): relinking
 * then reads them back. */
static GArray *code_keys;
static const char *last_code_key_cis;
static GMutex import_lock;

static void
search_text_append (const char *cis,
                    const char *text)
{
  SearchText *entry = last_text;

  if (last_cis == NULL || !g_str_equal (cis, last_cis))
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (search_texts, cis_key (cis)));

      entry = index > 0 ? &g_array_index (search_order, SearchText, index - 1) : NULL;
      last_text = entry;
      last_cis = cis;
    }
  if (entry == NULL || text == NULL)
    return;
  if (entry->substances == NULL)
    entry->substances = g_string_new (text);
  else
    {
      g_string_append_c (entry->substances, ' ');
      g_string_append (entry->substances, text);
    }
}

typedef gboolean (*RowFunc) (CabStoreWriter       *writer,
                             CabDrugImportReport  *report,
                             CabDrugTextFile      *file,
                             char                **fields,
                             guint                 n_fields,
                             gboolean             *imported,
                             GError              **error);

static const char sql_drug[] =
  "INSERT INTO drugs (cis, name, form, routes, amm_status, procedure, commercialised,"
  " amm_date, holder, surveillance, generic_id)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static gboolean
put_drug (CabStoreWriter       *writer,
          CabDrugImportReport  *report,
          CabDrugTextFile      *file,
          char                **f,
          guint                 n_fields,
          gboolean             *imported,
          GError              **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  char date[11];
  const GenericGroup *generic;
  int rc;

  if (!cab_drug_cis_is_valid (f[0]))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS is not 8 digits");
      return TRUE;
    }
  if (nonempty (f[1] = trimmed (f[1])) == NULL)
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "empty name");
      return TRUE;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql_drug, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, f[0]);
  cab_stmt_bind_text (stmt, 2, f[1]);
  cab_stmt_bind_text (stmt, 3, nonempty (trimmed (f[2])));
  cab_stmt_bind_text (stmt, 4, nonempty (trimmed (f[3])));
  cab_stmt_bind_text (stmt, 5, nonempty (trimmed (f[4])));
  cab_stmt_bind_text (stmt, 6, nonempty (trimmed (f[5])));
  sqlite3_bind_int (stmt, 7, g_str_equal (trimmed (f[6]), "Commercialisée"));
  cab_stmt_bind_text (stmt, 8, iso_date (f[7], date));
  cab_stmt_bind_text (stmt, 9, nonempty (trimmed (f[10])));
  sqlite3_bind_int (stmt, 10, g_ascii_strcasecmp (trimmed (f[11]), "oui") == 0);
  generic = g_hash_table_lookup (generic_groups, cis_key (f[0]));
  if (generic != NULL)
    sqlite3_bind_int64 (stmt, 11, generic->id);
  else
    sqlite3_bind_null (stmt, 11);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS already listed");
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot store a medicine");
      return FALSE;
    }
  {
    SearchText text = { sqlite3_last_insert_rowid (writer->db), f[1], NULL };

    g_array_append_val (search_order, text);
    last_cis = NULL;  /* last_text may have moved */
    g_hash_table_insert (search_texts, cis_key (f[0]), GUINT_TO_POINTER (search_order->len));
  }
  *imported = TRUE;
  return TRUE;
}

static const char sql_presentation[] =
  "INSERT INTO drug_presentations (cip13, cis, cip7, label, status, commercialised, date,"
  " collectivities, reimbursement_rate, price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static gboolean
put_presentation (CabStoreWriter       *writer,
                  CabDrugImportReport  *report,
                  CabDrugTextFile      *file,
                  char                **f,
                  guint                 n_fields,
                  gboolean             *imported,
                  GError              **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  char date[11];
  int rc;

  if (!cab_drug_cis_is_valid (f[0]))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS is not 8 digits");
      return TRUE;
    }
  if (!all_digits (f[6], 13))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIP13 is not 13 digits");
      return TRUE;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql_presentation, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, f[6]);
  cab_stmt_bind_text (stmt, 2, f[0]);
  cab_stmt_bind_text (stmt, 3, nonempty (trimmed (f[1])));
  cab_stmt_bind_text (stmt, 4, nonempty (trimmed (f[2])));
  cab_stmt_bind_text (stmt, 5, nonempty (trimmed (f[3])));
  /* "Déclaration de commercialisation" (on the market) vs "... d'arrêt ...". */
  sqlite3_bind_int (stmt, 6, g_str_equal (trimmed (f[4]), "Déclaration de commercialisation"));
  cab_stmt_bind_text (stmt, 7, iso_date (f[5], date));
  sqlite3_bind_int (stmt, 8, g_ascii_strcasecmp (trimmed (f[7]), "oui") == 0);
  cab_stmt_bind_text (stmt, 9, normalise_rate (f[8]));
  cab_stmt_bind_text (stmt, 10, nonempty (trimmed (f[9])));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIP13 already listed");
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot store a presentation");
      return FALSE;
    }
  *imported = TRUE;
  return TRUE;
}

static const char sql_composition[] =
  "INSERT INTO drug_compositions (cis, seq, element, substance_code, substance_name,"
  " substance_key, strength, strength_reference, nature, link)"
  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static gboolean
put_composition (CabStoreWriter       *writer,
                 CabDrugImportReport  *report,
                 CabDrugTextFile      *file,
                 char                **f,
                 guint                 n_fields,
                 gboolean             *imported,
                 GError              **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  const char *key;
  const char *code = nonempty (trimmed (f[2]));
  const char *name = nonempty (trimmed (f[3]));

  if (!cab_drug_cis_is_valid (f[0]))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS is not 8 digits");
      return TRUE;
    }
  if (name == NULL)
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "empty substance name");
      return TRUE;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql_composition, error)))
    return FALSE;
  key = g_hash_table_lookup (substance_keys, name);
  if (key == NULL)
    {
      key = cab_drug_substance_key (name);
      g_hash_table_insert (substance_keys, (gpointer) name, (gpointer) key);
    }
  cab_stmt_bind_text (stmt, 1, f[0]);
  /* The line number orders a medicine's substances as published. */
  sqlite3_bind_int (stmt, 2, (int) file->line_number);
  cab_stmt_bind_text (stmt, 3, nonempty (trimmed (f[1])));
  cab_stmt_bind_text (stmt, 4, code);
  cab_stmt_bind_text (stmt, 5, name);
  cab_stmt_bind_text (stmt, 6, key);
  cab_stmt_bind_text (stmt, 7, nonempty (trimmed (f[4])));
  cab_stmt_bind_text (stmt, 8, nonempty (trimmed (f[5])));
  cab_stmt_bind_text (stmt, 9, nonempty (trimmed (f[6])));
  sqlite3_bind_int (stmt, 10, (int) g_ascii_strtoll (f[7], NULL, 10));
  if (!cab_drug_step_done (writer, stmt, "Cannot store a composition", error))
    return FALSE;
  search_text_append (f[0], name);
  /* Lines come in file order, so the same CIS with a later line number. */
  if (code_keys != NULL && last_code_key_cis != NULL && strcmp (f[0], last_code_key_cis) < 0)
    g_clear_pointer (&code_keys, g_array_unref);
  last_code_key_cis = f[0];
  if (code_keys != NULL && code != NULL)
    {
      CabDrugCodeKey pair = { code, key };

      g_array_append_val (code_keys, pair);
    }
  *imported = TRUE;
  return TRUE;
}

static const char sql_generic[] =
  "INSERT INTO drug_generics (group_id, label, cis, type, rank) VALUES (?, ?, ?, ?, ?)";

static gboolean
put_generic (CabStoreWriter       *writer,
             CabDrugImportReport  *report,
             CabDrugTextFile      *file,
             char                **f,
             guint                 n_fields,
             gboolean             *imported,
             GError              **error)
{
  g_autoptr(CabStmt) stmt = NULL;
  const char *group = trimmed (f[0]);
  GenericGroup *known;
  gint64 number;

  if (*group == '\0' || strlen (group) > 8 || !all_digits (group, strlen (group)))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "generic group id is not a number");
      return TRUE;
    }
  if (!cab_drug_cis_is_valid (f[2]))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS is not 8 digits");
      return TRUE;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql_generic, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, group);
  cab_stmt_bind_text (stmt, 2, nonempty (f[1] = trimmed (f[1])));
  cab_stmt_bind_text (stmt, 3, f[2]);
  sqlite3_bind_int (stmt, 4, (int) g_ascii_strtoll (f[3], NULL, 10));
  sqlite3_bind_int (stmt, 5, (int) g_ascii_strtoll (f[4], NULL, 10));
  if (!cab_drug_step_done (writer, stmt, "Cannot store a generic group", error))
    return FALSE;
  /* The medicine's group, linked from its row: its smallest group
   * number, the first line of that number (migration 20). */
  number = g_ascii_strtoll (group, NULL, 10);
  known = g_hash_table_lookup (generic_groups, cis_key (f[2]));
  if (known == NULL || number < known->number)
    {
      if (known == NULL)
        {
          known = g_new0 (GenericGroup, 1);
          g_hash_table_insert (generic_groups, cis_key (f[2]), known);
        }
      known->number = number;
      known->id = sqlite3_last_insert_rowid (writer->db);
    }
  *imported = TRUE;
  return TRUE;
}

static gboolean
put_condition (CabStoreWriter       *writer,
               CabDrugImportReport  *report,
               CabDrugTextFile      *file,
               char                **f,
               guint                 n_fields,
               gboolean             *imported,
               GError              **error)
{
  static const char sql[] = "INSERT INTO drug_conditions (cis, condition) VALUES (?, ?)";
  g_autoptr(CabStmt) stmt = NULL;
  const char *condition = nonempty (trimmed (f[1]));

  if (!cab_drug_cis_is_valid (f[0]))
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "CIS is not 8 digits");
      return TRUE;
    }
  if (condition == NULL)
    {
      cab_drug_report_malformed (report, file->name, file->line_number, "empty condition");
      return TRUE;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql, error)))
    return FALSE;
  cab_stmt_bind_text (stmt, 1, f[0]);
  cab_stmt_bind_text (stmt, 2, condition);
  if (!cab_drug_step_done (writer, stmt, "Cannot store a prescribing condition", error))
    return FALSE;
  *imported = TRUE;
  return TRUE;
}

static const RowFunc row_funcs[N_BDPM_FILES] = {
  [BDPM_CIS] = put_drug,
  [BDPM_CIP] = put_presentation,
  [BDPM_COMPO] = put_composition,
  [BDPM_GENER] = put_generic,
  [BDPM_CPD] = put_condition,
};

static const BdpmFile import_order[N_BDPM_FILES] = {
  BDPM_GENER, BDPM_CIS, BDPM_CIP, BDPM_COMPO, BDPM_CPD,
};

/* A line kept to be written in key order: split into its fields only
 * then, so that what is sorted is small. */
typedef struct
{
  guint64  key;           /* the key's digits as a number; G_MAXUINT64 when not digits */
  char    *line;
  guint    line_number;
} SortedLine;

/* The keys are codes of a fixed number of digits: their numbers sort as
 * their text, without reading the text again. Not digits, or no such field
 * (the line will be reported): last. */
static guint64
sort_key (const char *line,
          guint       field)
{
  guint64 key = 0;
  guint n = 0;

  for (guint i = 0; i < field; i++)
    if ((line = strchr (line, '\t')) == NULL)
      return G_MAXUINT64;
    else
      line++;
  for (; g_ascii_isdigit (*line) && n < 19; line++, n++)
    key = key * 10 + (guint64) (*line - '0');
  return n == 0 || (*line != '\0' && *line != '\t') ? G_MAXUINT64 : key;
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  const SortedLine *x = a, *y = b;

  /* Equal keys in file order: the first one is written, the next ones are
   * reported as already listed, as when written in file order. */
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->line_number > y->line_number) - (x->line_number < y->line_number);
}

static int
compare_malformed (gconstpointer a,
                   gconstpointer b)
{
  const CabDrugMalformedLine *x = *(CabDrugMalformedLine * const *) a;
  const CabDrugMalformedLine *y = *(CabDrugMalformedLine * const *) b;

  return (x->line > y->line) - (x->line < y->line);
}

/* Rows inserted in their table's key order land at the end of its B-tree:
 * no search down the tree from the root for each, pages filled instead of
 * split in half. */
static gboolean
import_sorted (CabStoreWriter       *writer,
               CabDrugImportReport  *report,
               CabDrugTextFile      *file,
               const BdpmFileSpec   *spec,
               RowFunc               func,
               CabDrugFileReport    *file_report,
               GError              **error)
{
  /* Sized for lines of 150 bytes (real ones: 170 to 190 on average): one
   * allocation instead of a dozen copies of a growing array. */
  g_autoptr(GArray) lines = g_array_sized_new (FALSE, FALSE, sizeof (SortedLine),
                                               (guint) MIN (file->length / 150, 1u << 20));
  guint listed_before = report->malformed->len;
  SortedLine line;

  while ((line.line = cab_drug_text_file_next_line (file)) != NULL)
    {
      line.line_number = file->line_number;
      line.key = sort_key (line.line, (guint) spec->sort_field);
      g_array_append_val (lines, line);
    }
  file_report->n_lines = lines->len;
  g_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      SortedLine *l = &g_array_index (lines, SortedLine, i);
      char *fields[MAX_FIELDS];
      guint n_fields = cab_drug_split_fields (l->line, fields, MAX_FIELDS);
      gboolean imported = FALSE;

      file->line_number = l->line_number;
      if (!check_fields (report, file, spec, fields, n_fields))
        continue;
      if (!func (writer, report, file, fields, n_fields, &imported, error))
        return FALSE;
      if (imported)
        file_report->n_imported++;
    }
  /* The report lists the file's malformed lines in line order (an empty
   * list has no array to give qsort()). */
  if (report->malformed->len > listed_before + 1)
    qsort (report->malformed->pdata + listed_before, report->malformed->len - listed_before,
           sizeof (gpointer), compare_malformed);
  return TRUE;
}

static gboolean
import_file (CabStoreWriter       *writer,
             CabDrugImportReport  *report,
             CabDrugTextFile      *file,
             const BdpmFileSpec   *spec,
             RowFunc               func,
             GError              **error)
{
  CabDrugFileReport *file_report = cab_drug_file_report_new (file);
  guint malformed_before = report->n_malformed;
  char *fields[MAX_FIELDS];
  guint n_fields;

  g_ptr_array_add (report->files, file_report);
  if (spec->sort_field >= 0)
    {
      if (!import_sorted (writer, report, file, spec, func, file_report, error))
        return FALSE;
    }
  else
    while (cab_drug_text_file_next (file, fields, MAX_FIELDS, &n_fields))
      {
        gboolean imported = FALSE;

        file_report->n_lines++;
        if (!check_fields (report, file, spec, fields, n_fields))
          continue;
        if (!func (writer, report, file, fields, n_fields, &imported, error))
          return FALSE;
        if (imported)
          file_report->n_imported++;
      }
  file_report->n_malformed = report->n_malformed - malformed_before;
  return TRUE;
}

static gboolean
write_search_index (CabStoreWriter  *writer,
                    GError         **error)
{
  /* One row, VALUES: an INSERT ... SELECT may write several rows, so it
   * opens a statement savepoint, and FTS5 (SQLite 3.40) flushes its
   * pending terms to a new segment at each savepoint, then merges them:
   * one segment per medicine was most of the import's time. */
  static const char sql[] =
    "INSERT INTO drugs_fts (rowid, name, substances) VALUES (?1, ?2, ?3)";
  /* In rowid order: FTS5 flushes its pending terms on a smaller rowid. */
  for (guint i = 0; i < search_order->len; i++)
    {
      SearchText *text = &g_array_index (search_order, SearchText, i);
      g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (writer, sql, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, text->rowid);
      cab_stmt_bind_text (stmt, 2, text->name);
      if (text->substances != NULL)
        sqlite3_bind_text (stmt, 3, text->substances->str, (int) text->substances->len, SQLITE_STATIC);
      else
        sqlite3_bind_text (stmt, 3, "", 0, SQLITE_STATIC);
      if (!cab_drug_step_done (writer, stmt, "Cannot index a medicine", error))
        return FALSE;
    }
  return TRUE;
}

/* The release's secondary indexes and its search index are dropped before
 * the rows and made again after them, from their own definitions (those of
 * the schema's migrations, read back from sqlite_schema): one sort per index
 * instead of a B-tree insert per row, and no row-by-row delete from the
 * FTS5 table (whose DELETE removes each row's terms one by one). All in the
 * import's transaction: readers see the old release or the new one. */
static const char sql_rebuilt[] =
  "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND"
  " ((type = 'index' AND tbl_name IN ('drug_presentations', 'drug_compositions',"
  "                                   'drug_generics', 'drug_conditions'))"
  "  OR (type = 'table' AND name = 'drugs_fts'))";

typedef struct
{
  GPtrArray *indexes;     /* CREATE INDEX statements */
  char      *search;      /* CREATE VIRTUAL TABLE drugs_fts */
} Rebuilt;

static void
rebuilt_clear (Rebuilt *rebuilt)
{
  g_clear_pointer (&rebuilt->indexes, g_ptr_array_unref);
  g_clear_pointer (&rebuilt->search, g_free);
}

static gboolean
drop_rebuilt (CabStoreWriter  *writer,
              Rebuilt         *rebuilt,
              GError         **error)
{
  g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func (sqlite3_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rebuilt->indexes = g_ptr_array_new_with_free_func (g_free);
  if (sqlite3_prepare_v2 (writer->db, sql_rebuilt, -1, &stmt, NULL) != SQLITE_OK)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot read the drug tables' indexes");
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *sql = (const char *) sqlite3_column_text (stmt, 1);
      gboolean search = g_str_equal (name, "drugs_fts");

      if (search)
        rebuilt->search = g_strdup (sql);
      else
        g_ptr_array_add (rebuilt->indexes, g_strdup (sql));
      g_ptr_array_add (drops, sqlite3_mprintf (search ? "DROP TABLE \"%w\"" : "DROP INDEX \"%w\"", name));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || rebuilt->search == NULL)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_SQL, "The drug search index is missing");
      return FALSE;
    }
  for (guint i = 0; i < drops->len; i++)
    if (!cab_store_conn_exec (writer, g_ptr_array_index (drops, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
create_rebuilt (CabStoreWriter  *writer,
                Rebuilt         *rebuilt,
                GError         **error)
{
  for (guint i = 0; i < rebuilt->indexes->len; i++)
    if (!cab_store_conn_exec (writer, g_ptr_array_index (rebuilt->indexes, i), error))
      return FALSE;
  return cab_store_conn_exec (writer, rebuilt->search, error);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The substance keys of the compositions written, each once, in byte
 * order (relinking's first step, cab_drug_relink_locked()): a few thousand
 * names, read from the table that folded them. The strings are that
 * table's. */
static GPtrArray *
collected_keys (void)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (substance_keys));
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_hash_table_iter_init (&iter, substance_keys);
  while (g_hash_table_iter_next (&iter, NULL, &key))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    if (n == 0 || strcmp (g_ptr_array_index (keys, i), g_ptr_array_index (keys, n - 1)) != 0)
      keys->pdata[n++] = keys->pdata[i];
  g_ptr_array_set_size (keys, n);
  return keys;
}

/* This thread's CPU time, in ms, for the debug log's phases: steadier
 * than the wall clock on a loaded machine. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static const char sql_clear[] =
  "DELETE FROM drugs;"
  "DELETE FROM drug_presentations;"
  "DELETE FROM drug_compositions;"
  "DELETE FROM drug_generics;"
  "DELETE FROM drug_conditions;";

CabDrugImportReport *
cab_drug_import_bdpm (CabStore    *store,
                      const char  *dir,
                      GError     **error)
{
  g_autoptr(CabDrugImportReport) report = cab_drug_import_report_new ();
  CabDrugTextFile *files[N_BDPM_FILES] = { NULL };
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autofree char *origin = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  gboolean ok = FALSE;
  guint n_lines = 0;
  gint64 started = g_get_monotonic_time ();
  double cpu_started = cpu_ms ();
  gboolean locked = FALSE;
  Rebuilt rebuilt = { NULL };

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (dir != NULL, NULL);

  /* Read and decode every file before the store is locked. */
  for (guint i = 0; i < N_BDPM_FILES; i++)
    {
      g_autofree char *path = g_build_filename (dir, specs[i].name, NULL);

      if (!specs[i].required && !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                       "%s is missing: not a BDPM release", specs[i].name);
          goto out;
        }
      files[i] = cab_drug_text_file_read (path, error);
      if (files[i] == NULL)
        goto out;
    }

  g_debug ("BDPM files read in %.0f ms (CPU %.0f ms)", (g_get_monotonic_time () - started) / 1000.0,
           cpu_ms () - cpu_started);
  origin = g_canonicalize_filename (dir, NULL);
  writer = cab_store_writer_lock (store);
  g_mutex_lock (&import_lock);
  locked = TRUE;
  search_texts = g_hash_table_new (NULL, NULL);
  search_order = g_array_new (FALSE, FALSE, sizeof (SearchText));
  g_array_set_clear_func (search_order, (GDestroyNotify) search_text_clear);
  last_text = NULL;
  last_cis = NULL;
  generic_groups = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  substance_keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  code_keys = g_array_new (FALSE, FALSE, sizeof (CabDrugCodeKey));
  last_code_key_cis = NULL;
  /* The release's pages fit in memory for the transaction: no spilling to
   * the WAL and reading back (the store's cache is set back after). */
  cab_store_conn_exec (writer, "PRAGMA cache_size = -262144", NULL);
  if (!cab_store_begin (writer, error))
    goto out;

  if (!drop_rebuilt (writer, &rebuilt, error) ||
      !cab_store_conn_exec (writer, sql_clear, error))
    goto rollback;
  /* The generic groups first: each medicine's row is written with its
   * group, no second pass over the medicines. */
  for (guint i = 0; i < N_BDPM_FILES; i++)
    {
      BdpmFile f = import_order[i];

      if (files[f] != NULL &&
          !import_file (writer, report, files[f], &specs[f], row_funcs[f], error))
        goto rollback;
    }

  for (guint i = 0; i < report->files->len; i++)
    n_lines += ((CabDrugFileReport *) g_ptr_array_index (report->files, i))->n_lines;
  /* A file that is mostly not BDPM lines is not a release: keep the old one. */
  if (report->n_malformed > CAB_DRUG_MAX_MALFORMED_LISTED || report->n_malformed * 2 > n_lines)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "%u malformed lines of %u: not a BDPM release; the previous one is kept",
                   report->n_malformed, n_lines);
      goto rollback;
    }

  g_debug ("BDPM rows written at %.0f ms (CPU %.0f ms)", (g_get_monotonic_time () - started) / 1000.0,
           cpu_ms () - cpu_started);
  if (!create_rebuilt (writer, &rebuilt, error))
    goto rollback;
  g_debug ("BDPM indexes made at %.0f ms (CPU %.0f ms)", (g_get_monotonic_time () - started) / 1000.0,
           cpu_ms () - cpu_started);
  if (!write_search_index (writer, error))
    goto rollback;
  g_debug ("BDPM index built at %.0f ms (CPU %.0f ms)", (g_get_monotonic_time () - started) / 1000.0,
           cpu_ms () - cpu_started);
  keys = collected_keys ();
  if (!cab_drug_relink_locked (writer, keys, code_keys, report, error) ||
      !cab_drug_record_import_locked (writer, "bdpm", origin, report, error))
    goto rollback;
  g_debug ("BDPM relinked at %.0f ms (CPU %.0f ms)", (g_get_monotonic_time () - started) / 1000.0,
           cpu_ms () - cpu_started);
  if (!cab_store_commit (writer, error))
    goto rollback;

  g_debug ("BDPM release imported in %.0f ms (CPU %.0f ms): %u files, %u malformed lines",
           (g_get_monotonic_time () - started) / 1000.0, cpu_ms () - cpu_started, report->files->len, report->n_malformed);
  ok = TRUE;
  goto out;

rollback:
  cab_store_rollback (writer);
out:
  if (locked)
    {
      cab_store_conn_exec (writer, "PRAGMA cache_size = -16000", NULL);
      g_clear_pointer (&search_order, g_array_unref);
      last_text = NULL;
      last_cis = NULL;
      g_clear_pointer (&search_texts, g_hash_table_unref);
      g_clear_pointer (&generic_groups, g_hash_table_unref);
      g_clear_pointer (&substance_keys, g_hash_table_unref);
      g_clear_pointer (&code_keys, g_array_unref);
      last_code_key_cis = NULL;
      g_mutex_unlock (&import_lock);
    }
  rebuilt_clear (&rebuilt);
  for (guint i = 0; i < N_BDPM_FILES; i++)
    cab_drug_text_file_free (files[i]);
  return ok ? g_steal_pointer (&report) : NULL;
}
