/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What both imports share: their report, the substance links to the
 * thesaurus, the record of an import. */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cab-drug-private.h"

static void
file_report_free (CabDrugFileReport *file)
{
  g_free (file->file);
  g_free (file->encoding);
  g_free (file->line_ends);
  g_free (file);
}

static void
malformed_free (CabDrugMalformedLine *line)
{
  g_free (line->file);
  g_free (line->reason);
  g_free (line);
}

CabDrugImportReport *
cab_drug_import_report_new (void)
{
  CabDrugImportReport *report = g_new0 (CabDrugImportReport, 1);

  report->files = g_ptr_array_new_with_free_func ((GDestroyNotify) file_report_free);
  report->malformed = g_ptr_array_new_with_free_func ((GDestroyNotify) malformed_free);
  return report;
}

void
cab_drug_import_report_free (CabDrugImportReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->files);
  g_ptr_array_unref (report->malformed);
  g_free (report);
}

CabDrugFileReport *
cab_drug_file_report_new (const CabDrugTextFile *file)
{
  CabDrugFileReport *report = g_new0 (CabDrugFileReport, 1);

  report->file = g_strdup (file->name);
  report->encoding = g_strdup (file->encoding);
  report->line_ends = g_strdup (file->line_ends);
  return report;
}

void
cab_drug_report_malformed (CabDrugImportReport *report,
                           const char          *file,
                           guint                line,
                           const char          *format,
                           ...)
{
  CabDrugMalformedLine *entry;
  va_list args;

  report->n_malformed++;
  if (report->malformed->len >= CAB_DRUG_MAX_MALFORMED_LISTED)
    return;
  entry = g_new0 (CabDrugMalformedLine, 1);
  entry->file = g_strdup (file);
  entry->line = line;
  va_start (args, format);
  entry->reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->malformed, entry);
}

char *
cab_drug_import_report_to_json (const CabDrugImportReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->files->len; i++)
    {
      const CabDrugFileReport *f = g_ptr_array_index (report->files, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, f->file);
      json_builder_set_member_name (builder, "encoding");
      json_builder_add_string_value (builder, f->encoding);
      json_builder_set_member_name (builder, "line_ends");
      json_builder_add_string_value (builder, f->line_ends);
      json_builder_set_member_name (builder, "lines");
      json_builder_add_int_value (builder, f->n_lines);
      json_builder_set_member_name (builder, "imported");
      json_builder_add_int_value (builder, f->n_imported);
      json_builder_set_member_name (builder, "malformed");
      json_builder_add_int_value (builder, f->n_malformed);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "malformed_count");
  json_builder_add_int_value (builder, report->n_malformed);
  json_builder_set_member_name (builder, "malformed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->malformed->len; i++)
    {
      const CabDrugMalformedLine *m = g_ptr_array_index (report->malformed, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, m->file);
      json_builder_set_member_name (builder, "line");
      json_builder_add_int_value (builder, m->line);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, m->reason);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
cab_drug_step_done (CabStoreConn  *conn,
                    sqlite3_stmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, what);
      return FALSE;
    }
  return TRUE;
}

static guint
count_rows (CabStoreConn *conn,
            const char   *sql)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql, NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

/* A counter-ion or ester written after the substance ("WARFARINE
 * SODIQUE", "OLMÉSARTAN MÉDOXOMIL"). Tried only when the exact key did not
 * link: the thesaurus itself names some salts apart ("HEPARINE SODIQUE"
 * and "HEPARINE CALCIQUE"), and those keep their exact link. */
static const char * const counter_ions[] = {
  " sodique", " disodique", " potassique", " dipotassique", " calcique",
  " magnesique", " etexilate", " medoxomil",
};

static gboolean
link_counter_ions (CabStoreWriter  *writer,
                   GError         **error)
{
  static const char sql_unlinked[] =
    "SELECT substance_key FROM drug_substance_links WHERE thesaurus_name IS NULL";
  static const char sql_link[] =
    "UPDATE drug_substance_links SET thesaurus_name ="
    " (SELECT name FROM thesaurus_substances WHERE key = ?2)"
    " WHERE substance_key = ?1";
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (writer, sql_unlinked, error);

  if (stmt == NULL)
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (keys, cab_stmt_dup_text (stmt, 0));
  g_clear_pointer (&stmt, cab_stmt_release);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      for (guint j = 0; j < G_N_ELEMENTS (counter_ions); j++)
        {
          g_autofree char *shorter = NULL;

          if (!g_str_has_suffix (key, counter_ions[j]) || strlen (key) <= strlen (counter_ions[j]))
            continue;
          shorter = g_strndup (key, strlen (key) - strlen (counter_ions[j]));
          if (!(stmt = cab_store_conn_prepare_static (writer, sql_link, error)))
            return FALSE;
          cab_stmt_bind_text (stmt, 1, key);
          cab_stmt_bind_text (stmt, 2, shorter);
          if (!cab_drug_step_done (writer, stmt, "Cannot link a substance", error))
            return FALSE;
          g_clear_pointer (&stmt, cab_stmt_release);
          break;
        }
    }
  return TRUE;
}

/* One BDPM substance code is one substance, however its lines write it
 * ("ACIDE ACÉTYLSALICYLIQUE" and "ACÉTYLSALICYLIQUE (ACIDE)" are both code
 * 00005): a name left unlinked takes the link of another name of its code,
 * when all of that code's linked names agree. A pair listed twice changes
 * nothing; the first line of a name decides between its codes. */
static gboolean
link_same_code (CabStoreWriter  *writer,
                const GArray    *code_keys,
                GError         **error)
{
  static const char sql_code_keys[] =
    "SELECT DISTINCT substance_code, substance_key FROM drug_compositions"
    " WHERE substance_code IS NOT NULL";
  /* A few thousand links read once, not one lookup per pair. */
  static const char sql_links[] =
    "SELECT substance_key, thesaurus_name FROM drug_substance_links";
  static const char sql_link[] =
    "UPDATE drug_substance_links SET thesaurus_name = ?2 WHERE substance_key = ?1";
  g_autoptr(GStringChunk) strings = g_string_chunk_new (4096);
  g_autoptr(GArray) read_back = NULL;
  g_autoptr(GHashTable) links = g_hash_table_new (g_str_hash, g_str_equal);  /* key -> name or NULL */
  g_autoptr(GHashTable) by_code = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ambiguous = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) unlinked = g_ptr_array_new ();  /* code, key pairs */
  g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CabStmt) stmt = NULL;

  if (code_keys == NULL)
    {
      if (!(stmt = cab_store_conn_prepare_static (writer, sql_code_keys, error)))
        return FALSE;
      read_back = g_array_new (FALSE, FALSE, sizeof (CabDrugCodeKey));
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          CabDrugCodeKey pair = {
            g_string_chunk_insert (strings, (const char *) sqlite3_column_text (stmt, 0)),
            g_string_chunk_insert (strings, (const char *) sqlite3_column_text (stmt, 1)),
          };

          g_array_append_val (read_back, pair);
        }
      g_clear_pointer (&stmt, cab_stmt_release);
      code_keys = read_back;
    }
  if (!(stmt = cab_store_conn_prepare_static (writer, sql_links, error)))
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      g_hash_table_insert (links,
                           g_string_chunk_insert (strings, (const char *) sqlite3_column_text (stmt, 0)),
                           name != NULL ? g_string_chunk_insert (strings, name) : NULL);
    }
  g_clear_pointer (&stmt, cab_stmt_release);

  for (guint i = 0; i < code_keys->len; i++)
    {
      const CabDrugCodeKey *pair = &g_array_index (code_keys, CabDrugCodeKey, i);
      gpointer name;
      const char *known;

      if (!g_hash_table_lookup_extended (links, pair->key, NULL, &name))
        continue;
      if (name == NULL)
        {
          g_ptr_array_add (unlinked, (gpointer) pair->code);
          g_ptr_array_add (unlinked, (gpointer) pair->key);
          continue;
        }
      known = g_hash_table_lookup (by_code, pair->code);
      if (known == NULL)
        g_hash_table_insert (by_code, (gpointer) pair->code, name);
      else if (!g_str_equal (known, name))
        g_hash_table_add (ambiguous, (gpointer) pair->code);
    }

  for (guint i = 0; i < unlinked->len; i += 2)
    {
      const char *code = g_ptr_array_index (unlinked, i);
      const char *key = g_ptr_array_index (unlinked, i + 1);
      const char *name = g_hash_table_lookup (by_code, code);

      if (name == NULL || g_hash_table_contains (ambiguous, code) || g_hash_table_contains (done, key))
        continue;
      g_hash_table_add (done, (gpointer) key);
      if (!(stmt = cab_store_conn_prepare_static (writer, sql_link, error)))
        return FALSE;
      cab_stmt_bind_text (stmt, 1, key);
      cab_stmt_bind_text (stmt, 2, name);
      if (!cab_drug_step_done (writer, stmt, "Cannot link a substance", error))
        return FALSE;
      g_clear_pointer (&stmt, cab_stmt_release);
    }
  return TRUE;
}

/* Exact keys only (README of the data: fold, drop the salt; report the
 * rest instead of guessing). From @keys when the import collected them:
 * drug_compositions has no index on its keys (migration 19), and a SELECT
 * DISTINCT over it would sort its 30,000 rows again. */
static gboolean
link_exact (CabStoreWriter   *writer,
            const GPtrArray  *keys,
            GError          **error)
{
  static const char sql_link[] =
    "INSERT INTO drug_substance_links (substance_key, thesaurus_name)"
    " VALUES (?1, (SELECT name FROM thesaurus_substances WHERE key = ?1))";

  if (!cab_store_conn_exec (writer, "DELETE FROM drug_substance_links", error))
    return FALSE;
  if (keys == NULL)
    return cab_store_conn_exec (writer,
                                "INSERT INTO drug_substance_links (substance_key, thesaurus_name)"
                                " SELECT k.substance_key, t.name"
                                " FROM (SELECT DISTINCT substance_key FROM drug_compositions) k"
                                " LEFT JOIN thesaurus_substances t ON t.key = k.substance_key",
                                error);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (writer, sql_link, error);

      if (stmt == NULL)
        return FALSE;
      cab_stmt_bind_text (stmt, 1, g_ptr_array_index (keys, i));
      if (!cab_drug_step_done (writer, stmt, "Cannot link a substance", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cab_drug_relink_locked (CabStoreWriter       *writer,
                        const GPtrArray      *keys,
                        const GArray         *code_keys,
                        CabDrugImportReport  *report,
                        GError              **error)
{
  if (!link_exact (writer, keys, error))
    return FALSE;

  if (!link_counter_ions (writer, error) ||
      !link_same_code (writer, code_keys, error))
    return FALSE;

  report->n_linked = count_rows (writer, "SELECT count(*) FROM drug_substance_links WHERE thesaurus_name IS NOT NULL");
  report->n_unlinked = count_rows (writer, "SELECT count(*) FROM drug_substance_links WHERE thesaurus_name IS NULL");
  return TRUE;
}

gboolean
cab_drug_record_import_locked (CabStoreWriter            *writer,
                               const char                *source,
                               const char                *origin,
                               const CabDrugImportReport *report,
                               GError                   **error)
{
  static const char sql[] =
    "INSERT OR REPLACE INTO drug_imports (source, imported_at, origin, report)"
    " VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?, ?)";
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (writer, sql, error);
  g_autofree char *json = NULL;

  if (stmt == NULL)
    return FALSE;
  json = cab_drug_import_report_to_json (report);
  cab_stmt_bind_text (stmt, 1, source);
  cab_stmt_bind_text (stmt, 2, origin);
  cab_stmt_bind_text (stmt, 3, json);
  return cab_drug_step_done (writer, stmt, "Cannot record the import", error);
}
