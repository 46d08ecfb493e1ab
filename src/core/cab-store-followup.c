/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include "cab-store-followup.h"
#include "cab-store-private.h"

void
cab_store_condition_row_free (CabStoreConditionRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->patient_id);
  g_free (row->code);
  g_free (row->clinical_status);
  g_free (row->verification_status);
  g_free (row);
}

void
cab_store_observation_row_free (CabStoreObservationRow *row)
{
  if (row == NULL)
    return;
  g_free (row->resource_id);
  g_free (row->patient_id);
  g_free (row->code);
  g_free (row->effective);
  g_free (row->unit);
  g_free (row->value_string);
  g_free (row->document_id);
  g_free (row);
}

void
cab_store_medication_row_free (CabStoreMedicationRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->status);
  g_free (row->authored_on);
  g_free (row->medication_code);
  g_free (row->medication_display);
  g_free (row->bounds_end);
  g_free (row->validity_end);
  g_free (row->supply_unit);
  g_free (row);
}

static guint
count_codes (const char * const *codes)
{
  guint n = 0;

  while (codes != NULL && codes[n] != NULL)
    n++;
  return n;
}

static gboolean
check_codes (const char * const  *codes,
             GError             **error)
{
  guint n = count_codes (codes);

  if (n == 0 || n > CAB_STORE_FOLLOWUP_MAX_CODES)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_SQL,
                   "Between 1 and %d codes expected, got %u", CAB_STORE_FOLLOWUP_MAX_CODES, n);
      return FALSE;
    }
  return TRUE;
}

/* "(c.code LIKE ?N || '%' ESCAPE '\' OR ...)" with @first_param onwards:
 * one placeholder per prefix, so the text (and its cached statement) only
 * depends on how many there are. */
static void
append_prefix_test (GString             *sql,
                    const char          *column,
                    const char * const  *prefixes,
                    int                  first_param)
{
  g_string_append_c (sql, '(');
  for (guint i = 0; prefixes[i] != NULL; i++)
    g_string_append_printf (sql, "%s%s LIKE ?%d || '%%' ESCAPE '\\'",
                            i > 0 ? " OR " : "", column, first_param + (int) i);
  g_string_append_c (sql, ')');
}

static void
append_placeholders (GString             *sql,
                     const char * const  *codes,
                     int                  first_param)
{
  g_string_append_c (sql, '(');
  for (guint i = 0; codes[i] != NULL; i++)
    g_string_append_printf (sql, "%s?%d", i > 0 ? ", " : "", first_param + (int) i);
  g_string_append_c (sql, ')');
}

/* LIKE's own wildcards in a prefix match themselves only. */
static GPtrArray *
escaped_prefixes (const char * const *prefixes)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      GString *s = g_string_new (NULL);

      for (const char *p = prefixes[i]; *p != '\0'; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  return out;
}

static void
bind_texts (sqlite3_stmt *stmt,
            GPtrArray    *texts,
            int           first_param)
{
  for (guint i = 0; i < texts->len; i++)
    cab_stmt_bind_text (stmt, first_param + (int) i, g_ptr_array_index (texts, i));
}

static void
bind_strv (sqlite3_stmt        *stmt,
           const char * const  *texts,
           int                  first_param)
{
  for (guint i = 0; texts[i] != NULL; i++)
    cab_stmt_bind_text (stmt, first_param + (int) i, texts[i]);
}

GPtrArray *
cab_store_list_conditions_with_prefixes (CabStore            *self,
                                         const char * const  *prefixes,
                                         const char          *patient_id,
                                         GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) escaped = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) sql = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_codes (prefixes, error))
    return NULL;

  sql = g_string_new ("SELECT c.id, c.patient_id, c.code, c.clinical_status, c.verification_status"
                      " FROM conditions c WHERE (?1 IS NULL OR c.patient_id = ?1) AND ");
  append_prefix_test (sql, "c.code", prefixes, 2);
  g_string_append (sql, " ORDER BY c.patient_id, c.id");

  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;
  escaped = escaped_prefixes (prefixes);
  cab_stmt_bind_text (stmt, 1, patient_id);
  bind_texts (stmt, escaped, 2);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_store_condition_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabStoreConditionRow *row = g_new0 (CabStoreConditionRow, 1);

      row->id = cab_stmt_dup_text (stmt, 0);
      row->patient_id = cab_stmt_dup_text (stmt, 1);
      row->code = cab_stmt_dup_text (stmt, 2);
      row->clinical_status = cab_stmt_dup_text (stmt, 3);
      row->verification_status = cab_stmt_dup_text (stmt, 4);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read conditions");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static GPtrArray *
collect_observation_rows (CabStoreReader  *reader,
                          sqlite3_stmt    *stmt,
                          GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_store_observation_row_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabStoreObservationRow *row = g_new0 (CabStoreObservationRow, 1);

      row->resource_id = cab_stmt_dup_text (stmt, 0);
      row->patient_id = cab_stmt_dup_text (stmt, 1);
      row->code = cab_stmt_dup_text (stmt, 2);
      row->effective = cab_stmt_dup_text (stmt, 3);
      row->value = cab_stmt_get_double (stmt, 4);
      row->unit = cab_stmt_dup_text (stmt, 5);
      row->value_string = cab_stmt_dup_text (stmt, 6);
      row->document_id = cab_stmt_dup_text (stmt, 7);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read observations");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
cab_store_list_observations_with_codes (CabStore            *self,
                                        const char * const  *codes,
                                        const char          *patient_id,
                                        const char * const  *prefixes,
                                        GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) escaped = NULL;
  g_autoptr(GString) sql = NULL;
  guint n_codes = count_codes (codes);

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL || prefixes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_codes (codes, error) || (patient_id == NULL && !check_codes (prefixes, error)))
    return NULL;

  sql = g_string_new ("SELECT o.resource_id, o.patient_id, o.code, o.effective, o.value, o.unit,"
                      " o.value_string, o.document_id FROM observations o WHERE o.code IN ");
  append_placeholders (sql, codes, 2);
  g_string_append (sql, " AND coalesce (o.status, '') NOT IN ('entered-in-error', 'cancelled', 'registered')");
  if (patient_id != NULL)
    g_string_append (sql, " AND o.patient_id = ?1");
  else
    {
      g_string_append (sql, " AND ?1 IS NULL AND o.patient_id IN (SELECT c.patient_id FROM conditions c WHERE ");
      append_prefix_test (sql, "c.code", prefixes, 2 + (int) n_codes);
      g_string_append_c (sql, ')');
    }
  g_string_append (sql, " ORDER BY o.patient_id, o.code, o.effective, o.resource_id");

  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, patient_id);
  bind_strv (stmt, codes, 2);
  if (patient_id == NULL)
    {
      escaped = escaped_prefixes (prefixes);
      bind_texts (stmt, escaped, 2 + (int) n_codes);
    }

  return collect_observation_rows (reader, stmt, error);
}

GPtrArray *
cab_store_list_latest_observations (CabStore            *self,
                                    const char * const  *codes,
                                    const char * const  *prefixes,
                                    const char          *before,
                                    GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) escaped = NULL;
  g_autoptr(GString) sql = NULL;
  guint n_codes = count_codes (codes);

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (before != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_codes (codes, error) || !check_codes (prefixes, error))
    return NULL;

  /* SQLite takes the other columns from the row that has the max(): one
   * row per (patient, code), read along the (patient_id, code, effective)
   * index, without reading a patient's whole history. */
  sql = g_string_new ("SELECT o.resource_id, o.patient_id, o.code, max (o.effective), o.value, o.unit,"
                      " o.value_string, o.document_id FROM observations o WHERE o.code IN ");
  append_placeholders (sql, codes, 2);
  g_string_append (sql, " AND coalesce (o.status, '') NOT IN ('entered-in-error', 'cancelled', 'registered')"
                        " AND o.effective < ?1"
                        " AND o.patient_id IN (SELECT c.patient_id FROM conditions c WHERE ");
  append_prefix_test (sql, "c.code", prefixes, 2 + (int) n_codes);
  g_string_append (sql, ") GROUP BY o.patient_id, o.code ORDER BY o.patient_id, o.code");

  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, before);
  bind_strv (stmt, codes, 2);
  escaped = escaped_prefixes (prefixes);
  bind_texts (stmt, escaped, 2 + (int) n_codes);
  return collect_observation_rows (reader, stmt, error);
}

GPtrArray *
cab_store_list_medication_requests (CabStore    *self,
                                    const char  *patient_id,
                                    GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The periods are read from the resource: a patient has a few hundred
   * requests at most, and only the chart needs them. */
  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader,
                                       "SELECT m.id, m.status, m.authored_on, m.medication_code,"
                                       " m.medication_display,"
                                       " json_extract (r.json, '$.dosageInstruction[0].timing.repeat.boundsPeriod.end'),"
                                       " json_extract (r.json, '$.dispenseRequest.validityPeriod.end'),"
                                       " json_extract (r.json, '$.dispenseRequest.expectedSupplyDuration.value'),"
                                       " coalesce (json_extract (r.json, '$.dispenseRequest.expectedSupplyDuration.code'),"
                                       "           json_extract (r.json, '$.dispenseRequest.expectedSupplyDuration.unit')),"
                                       " json_extract (r.json, '$.dispenseRequest.numberOfRepeatsAllowed')"
                                       " FROM medication_requests m"
                                       " LEFT JOIN resources r ON r.type = 'MedicationRequest' AND r.id = m.id"
                                       " WHERE m.patient_id = ?1 ORDER BY m.authored_on, m.id",
                                       error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, patient_id);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_store_medication_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabStoreMedicationRow *row = g_new0 (CabStoreMedicationRow, 1);

      row->id = cab_stmt_dup_text (stmt, 0);
      row->status = cab_stmt_dup_text (stmt, 1);
      row->authored_on = cab_stmt_dup_text (stmt, 2);
      row->medication_code = cab_stmt_dup_text (stmt, 3);
      row->medication_display = cab_stmt_dup_text (stmt, 4);
      /* json_extract gives whatever type the server sent: only text dates. */
      if (sqlite3_column_type (stmt, 5) == SQLITE_TEXT)
        row->bounds_end = cab_stmt_dup_text (stmt, 5);
      if (sqlite3_column_type (stmt, 6) == SQLITE_TEXT)
        row->validity_end = cab_stmt_dup_text (stmt, 6);
      row->supply_value = sqlite3_column_type (stmt, 7) == SQLITE_INTEGER ||
                          sqlite3_column_type (stmt, 7) == SQLITE_FLOAT
                          ? sqlite3_column_double (stmt, 7) : NAN;
      if (sqlite3_column_type (stmt, 8) == SQLITE_TEXT)
        row->supply_unit = cab_stmt_dup_text (stmt, 8);
      row->repeats = sqlite3_column_type (stmt, 9) == SQLITE_INTEGER
                     ? (int) CLAMP (sqlite3_column_int64 (stmt, 9), 0, 100) : 0;
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read medication requests");
      return NULL;
    }
  return g_steal_pointer (&rows);
}
