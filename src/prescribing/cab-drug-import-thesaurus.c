/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import of the ANSM interaction thesaurus, as a tab-separated extraction
 * (docs/domain.md, "Interaction thesaurus"). */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include "cab-drug-private.h"

#define MAX_FIELDS 16

enum { COL_P1, COL_P2, COL_DESCRIPTION, COL_MEDOC, COL_MECHANISM, COL_CI, COL_AD, COL_PE, COL_PC, N_COLS };

static const char * const column_names[N_COLS] = {
  "protagoniste1", "protagoniste2", "description_interaction", "description_medoc",
  "mecanisme", "CI", "AD", "PE", "PC",
};

/* The first file in @dir whose name starts with @prefix and ends in .tsv. */
static char *
find_file (const char  *dir,
           const char  *prefix,
           GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, ".tsv"))
      g_ptr_array_add (names, g_strdup (name));
  if (names->len == 0)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "No %s*.tsv file: not a thesaurus extraction", prefix);
      return NULL;
    }
  if (names->len > 1)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "Several %s*.tsv files: keep one edition in the directory", prefix);
      return NULL;
    }
  return g_build_filename (dir, g_ptr_array_index (names, 0), NULL);
}

static gboolean
has_text (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return TRUE;
  return FALSE;
}

/* The levels an entry gives: its non-empty level columns, and the words its
 * text starts with ("CONTRE-INDICATION", "Association DECONSEILLEE",
 * "Precaution d'emploi", "A prendre en compte", or the abbreviations of a
 * conditional entry "CI - ASDEC - APEC ..."). A bit per CabInteractionLevel. */
static guint
entry_levels (char **f)
{
  g_autofree char *head = g_ascii_strup (f[COL_DESCRIPTION], MIN (strlen (f[COL_DESCRIPTION]), 80));
  const char *p = head;
  guint levels = 0;

  for (guint i = 0; i < 4; i++)
    if (has_text (f[COL_CI + i]))
      levels |= 1u << i;

  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "CONTRE-INDICATION"))
    levels |= 1u << CAB_INTERACTION_CI;
  else if (g_str_has_prefix (p, "ASSOCIATION DECONSEILLEE"))
    levels |= 1u << CAB_INTERACTION_AD;
  else if (g_str_has_prefix (p, "PRECAUTION D'EMPLOI"))
    levels |= 1u << CAB_INTERACTION_PE;
  else if (g_str_has_prefix (p, "A PRENDRE EN COMPTE"))
    levels |= 1u << CAB_INTERACTION_PC;
  else
    {
      /* "CI - ASDEC - APEC Contre-indication avec : ..." */
      for (guint guard = 0; guard < 4; guard++)
        {
          if (g_str_has_prefix (p, "CI"))
            levels |= 1u << CAB_INTERACTION_CI, p += 2;
          else if (g_str_has_prefix (p, "ASDEC"))
            levels |= 1u << CAB_INTERACTION_AD, p += 5;
          else if (g_str_has_prefix (p, "APEC"))
            levels |= 1u << CAB_INTERACTION_PC, p += 4;
          else if (g_str_has_prefix (p, "PE"))
            levels |= 1u << CAB_INTERACTION_PE, p += 2;
          else
            break;
          if (!g_str_has_prefix (p, " - "))
            break;
          p += 3;
        }
    }
  return levels;
}

static gboolean
read_header (CabDrugTextFile  *file,
             const char * const *expected,
             guint             n_expected,
             int              *columns,
             GError          **error)
{
  char *fields[MAX_FIELDS];
  guint n_fields;

  if (!cab_drug_text_file_next (file, fields, MAX_FIELDS, &n_fields))
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID, "%s is empty", file->name);
      return FALSE;
    }
  for (guint c = 0; c < n_expected; c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < MIN (n_fields, MAX_FIELDS); i++)
        if (g_ascii_strcasecmp (g_strstrip (fields[i]), expected[c]) == 0)
          columns[c] = (int) i;
      if (columns[c] < 0)
        {
          g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                       "%s has no column %s", file->name, expected[c]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
import_classes (CabStoreWriter       *writer,
                CabDrugImportReport  *report,
                CabDrugTextFile      *file,
                GError              **error)
{
  static const char * const names[] = { "molecule", "famille" };
  static const char sql[] = "INSERT OR IGNORE INTO thesaurus_classes (substance, class) VALUES (?, ?)";
  CabDrugFileReport *file_report = cab_drug_file_report_new (file);
  int columns[2];
  char *fields[MAX_FIELDS];
  guint n_fields;

  g_ptr_array_add (report->files, file_report);
  if (!read_header (file, names, 2, columns, error))
    return FALSE;
  while (cab_drug_text_file_next (file, fields, MAX_FIELDS, &n_fields))
    {
      g_autoptr(CabStmt) stmt = NULL;
      const char *substance, *class;

      file_report->n_lines++;
      if (n_fields != 2 || n_fields > MAX_FIELDS)
        {
          cab_drug_report_malformed (report, file->name, file->line_number,
                                     "%u fields, expected 2", n_fields);
          file_report->n_malformed++;
          continue;
        }
      substance = g_strstrip (fields[columns[0]]);
      class = g_strstrip (fields[columns[1]]);
      if (*substance == '\0' || *class == '\0')
        {
          cab_drug_report_malformed (report, file->name, file->line_number, "empty substance or class");
          file_report->n_malformed++;
          continue;
        }
      if (!(stmt = cab_store_conn_prepare_static (writer, sql, error)))
        return FALSE;
      cab_stmt_bind_text (stmt, 1, substance);
      cab_stmt_bind_text (stmt, 2, class);
      if (!cab_drug_step_done (writer, stmt, "Cannot store a thesaurus class", error))
        return FALSE;
      file_report->n_imported++;
    }
  return TRUE;
}

static gboolean
import_interactions (CabStoreWriter       *writer,
                     CabDrugImportReport  *report,
                     CabDrugTextFile      *file,
                     GError              **error)
{
  static const char sql[] =
    "INSERT INTO thesaurus_interactions (protagonist1, protagonist2, level, levels,"
    " description, mechanism, conduct) VALUES (?, ?, ?, ?, ?, ?, ?)";
  CabDrugFileReport *file_report = cab_drug_file_report_new (file);
  int columns[N_COLS];
  char *fields[MAX_FIELDS];
  guint n_fields;

  g_ptr_array_add (report->files, file_report);
  if (!read_header (file, column_names, N_COLS, columns, error))
    return FALSE;
  while (cab_drug_text_file_next (file, fields, MAX_FIELDS, &n_fields))
    {
      g_autoptr(CabStmt) stmt = NULL;
      g_autoptr(GString) level_codes = g_string_new (NULL);
      g_autoptr(GString) conduct = g_string_new (NULL);
      char *f[N_COLS];
      guint levels;
      int level = -1;

      file_report->n_lines++;
      if (n_fields != N_COLS)
        {
          cab_drug_report_malformed (report, file->name, file->line_number,
                                     "%u fields, expected %d", n_fields, N_COLS);
          file_report->n_malformed++;
          continue;
        }
      for (guint c = 0; c < N_COLS; c++)
        f[c] = g_strstrip (fields[columns[c]]);
      if (*f[COL_P1] == '\0' || *f[COL_P2] == '\0')
        {
          cab_drug_report_malformed (report, file->name, file->line_number, "empty protagonist");
          file_report->n_malformed++;
          continue;
        }
      levels = entry_levels (f);
      for (int l = CAB_INTERACTION_PC; l >= CAB_INTERACTION_CI; l--)
        if (levels & (1u << l))
          level = l;
      if (level < 0)
        {
          cab_drug_report_malformed (report, file->name, file->line_number, "no level given");
          file_report->n_malformed++;
          continue;
        }
      for (int l = CAB_INTERACTION_CI; l <= CAB_INTERACTION_PC; l++)
        {
          if (levels & (1u << l))
            g_string_append_printf (level_codes, "%s%s", level_codes->len ? "," : "",
                                    cab_interaction_level_to_code (l));
          /* Conditional entries repeat one text in several columns. */
          if (has_text (f[COL_CI + l]) && strstr (conduct->str, f[COL_CI + l]) == NULL)
            g_string_append_printf (conduct, "%s%s", conduct->len ? " " : "", f[COL_CI + l]);
        }

      if (!(stmt = cab_store_conn_prepare_static (writer, sql, error)))
        return FALSE;
      cab_stmt_bind_text (stmt, 1, f[COL_P1]);
      cab_stmt_bind_text (stmt, 2, f[COL_P2]);
      sqlite3_bind_int (stmt, 3, level);
      cab_stmt_bind_text (stmt, 4, level_codes->str);
      cab_stmt_bind_text (stmt, 5, *f[COL_DESCRIPTION] ? f[COL_DESCRIPTION] : NULL);
      cab_stmt_bind_text (stmt, 6, *f[COL_MECHANISM] ? f[COL_MECHANISM] : NULL);
      cab_stmt_bind_text (stmt, 7, conduct->len ? conduct->str : NULL);
      if (!cab_drug_step_done (writer, stmt, "Cannot store an interaction", error))
        return FALSE;
      file_report->n_imported++;
    }
  return TRUE;
}

/* The thesaurus's substances: every molecule of the class file, and every
 * protagonist that is not a class. */
static gboolean
collect_substances (CabStoreWriter  *writer,
                    GError         **error)
{
  static const char sql_names[] =
    "SELECT substance FROM thesaurus_classes"
    " UNION SELECT protagonist1 FROM thesaurus_interactions"
    " UNION SELECT protagonist2 FROM thesaurus_interactions"
    " EXCEPT SELECT class FROM thesaurus_classes";
  static const char sql_insert[] =
    "INSERT OR IGNORE INTO thesaurus_substances (key, name) VALUES (?, ?)";
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (writer, sql_names, error);

  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (names, cab_stmt_dup_text (stmt, 0));

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(CabStmt) insert = cab_store_conn_prepare_static (writer, sql_insert, error);
      g_autofree char *key = NULL;

      if (insert == NULL)
        return FALSE;
      key = cab_drug_substance_key (g_ptr_array_index (names, i));
      if (*key == '\0')
        continue;
      cab_stmt_bind_text (insert, 1, key);
      cab_stmt_bind_text (insert, 2, g_ptr_array_index (names, i));
      if (!cab_drug_step_done (writer, insert, "Cannot store a thesaurus substance", error))
        return FALSE;
    }
  return TRUE;
}

CabDrugImportReport *
cab_drug_import_thesaurus (CabStore    *store,
                           const char  *dir,
                           GError     **error)
{
  g_autoptr(CabDrugImportReport) report = cab_drug_import_report_new ();
  g_autoptr(CabDrugTextFile) interactions = NULL;
  g_autoptr(CabDrugTextFile) classes = NULL;
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autofree char *interactions_path = NULL;
  g_autofree char *classes_path = NULL;
  g_autofree char *origin = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  if (!(interactions_path = find_file (dir, "thesaurus", error)) ||
      !(classes_path = find_file (dir, "moleculesfamilles", error)) ||
      !(interactions = cab_drug_text_file_read (interactions_path, error)) ||
      !(classes = cab_drug_text_file_read (classes_path, error)))
    return NULL;

  origin = g_canonicalize_filename (dir, NULL);
  writer = cab_store_writer_lock (store);
  if (!cab_store_begin (writer, error))
    return NULL;
  if (!cab_store_conn_exec (writer,
                            "DELETE FROM thesaurus_interactions;"
                            "DELETE FROM thesaurus_classes;"
                            "DELETE FROM thesaurus_substances;", error) ||
      !import_classes (writer, report, classes, error) ||
      !import_interactions (writer, report, interactions, error))
    goto rollback;

  if (report->n_malformed > CAB_DRUG_MAX_MALFORMED_LISTED)
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID,
                   "%u malformed lines: not a thesaurus extraction; the previous one is kept",
                   report->n_malformed);
      goto rollback;
    }

  if (!collect_substances (writer, error) ||
      !cab_drug_relink_locked (writer, NULL, NULL, report, error) ||
      !cab_drug_record_import_locked (writer, "thesaurus", origin, report, error) ||
      !cab_store_commit (writer, error))
    goto rollback;
  return g_steal_pointer (&report);

rollback:
  cab_store_rollback (writer);
  return NULL;
}
