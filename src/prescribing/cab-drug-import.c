/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What both imports share: their report, the substance links to the
 * thesaurus, the record of an import. */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

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

gboolean
cab_drug_relink_locked (CabStoreWriter       *writer,
                        CabDrugImportReport  *report,
                        GError              **error)
{
  /* Exact keys only (README of the data: fold, drop the salt; report the
   * rest instead of guessing). */
  if (!cab_store_conn_exec (writer, "DELETE FROM drug_substance_links", error) ||
      !cab_store_conn_exec (writer,
                            "INSERT INTO drug_substance_links (substance_key, thesaurus_name)"
                            " SELECT k.substance_key, t.name"
                            " FROM (SELECT DISTINCT substance_key FROM drug_compositions) k"
                            " LEFT JOIN thesaurus_substances t ON t.key = k.substance_key",
                            error))
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
