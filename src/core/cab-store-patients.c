/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-store-followup.h"
#include "cab-store-private.h"

/* Most words a patient query may hold; the rest are ignored. */
#define MAX_QUERY_TOKENS 6

#define PATIENT_COLUMNS \
  "p.id, p.ins, p.ins_system, p.identity_status, p.family, p.birth_name, p.given," \
  " p.sex, p.birth_date, p.birth_place, p.gp_reference, p.last_updated, s.synced_at," \
  " (p.ins IS NOT NULL AND EXISTS (SELECT 1 FROM patients d WHERE d.ins = p.ins AND d.id <> p.id))"
#define PATIENT_FROM \
  " FROM patients p LEFT JOIN patient_sync s ON s.patient_id = p.id"

/* ------------------------------------------------------------------ */
/* Folding                                                              */
/* ------------------------------------------------------------------ */

static char *
fold_any (const char *text,
          gboolean    keep_date_marks)
{
  g_autofree char *valid = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *nfd = NULL;
  GString *out;
  gboolean space = TRUE;

  if (text == NULL || *text == '\0')
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  folded = g_utf8_casefold (valid, -1);
  nfd = g_utf8_normalize (folded, -1, G_NORMALIZE_NFD);
  out = g_string_sized_new (strlen (nfd));

  /* Letters lose their accents ("Hélène" -> "helene"); anything that is not
   * part of a word becomes one space, so words can be matched by prefix. */
  for (const char *p = nfd; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (g_unichar_type (c))
        {
        case G_UNICODE_NON_SPACING_MARK:
        case G_UNICODE_SPACING_MARK:
        case G_UNICODE_ENCLOSING_MARK:
          continue;
        default:
          break;
        }

      if (c == 0x0153) /* œ */
        g_string_append (out, "oe");
      else if (c == 0x00e6) /* æ */
        g_string_append (out, "ae");
      else if (g_unichar_isalnum (c) || (keep_date_marks && (c == '/' || c == '-')))
        g_string_append_unichar (out, c);
      else if (!space)
        g_string_append_c (out, ' ');
      else
        continue;

      space = (out->str[out->len - 1] == ' ');
    }

  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

/* Each Latin-1 character (U+0001 to U+00FF) folded alone by fold_any():
 * "" for one that becomes a space, else its letters ("É" -> "e", "ß" ->
 * "ss"). Case folding and NFD work character by character, and none of
 * these characters is a combining mark, so a text of them folds as the
 * concatenation of its characters' folds, spaces collapsed: the fast path
 * below, for the drug import's substance names and most names typed
 * (docs/architecture.md, "Drug database", Import). */
static const char * const *
latin1_folds (void)
{
  static const char *folds[256];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      folds[0] = "";
      for (gunichar c = 1; c < 256; c++)
        {
          char utf8[8] = { 0 };
          g_autofree char *fold = NULL;

          g_unichar_to_utf8 (c, utf8);
          fold = fold_any (utf8, FALSE);
          folds[c] = g_intern_string (fold);
        }
      g_once_init_leave (&done, 1);
    }
  return folds;
}

char *
cab_store_fold (const char *text,
                gboolean    keep_date_marks)
{
  const char * const *folds;
  GString *out;
  gboolean space = TRUE;

  if (text == NULL || *text == '\0')
    return g_strdup ("");
  /* Latin-1 only (as UTF-8: ASCII bytes, or 0xC2/0xC3 and a continuation
   * byte); anything else takes the whole way. */
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (*p >= 0x80)
      {
        if ((*p != 0xC2 && *p != 0xC3) || (p[1] & 0xC0) != 0x80)
          return fold_any (text, keep_date_marks);
        p++;
      }

  folds = latin1_folds ();
  out = g_string_sized_new (strlen (text));
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      guint c = *p < 0x80 ? *p : ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
      const char *fold = folds[c];

      if (*p >= 0x80)
        p++;
      if (keep_date_marks && (c == '/' || c == '-'))
        fold = c == '/' ? "/" : "-";
      if (*fold != '\0')
        {
          g_string_append (out, fold);
          space = FALSE;
        }
      else if (!space)
        {
          g_string_append_c (out, ' ');
          space = TRUE;
        }
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* " family birth_name given " folded: each word is found as " prefix". */
char *
cab_store_patient_search_text (const CabPatient *patient)
{
  g_autofree char *family = cab_store_fold (patient->family, FALSE);
  g_autofree char *birth = cab_store_fold (patient->birth_name, FALSE);
  g_autofree char *given = cab_store_fold (patient->given, FALSE);

  return g_strdup_printf (" %s %s %s ", family, birth, given);
}

char *
cab_store_patient_sort_key (const CabPatient *patient)
{
  g_autofree char *family = cab_store_fold (patient->family != NULL ? patient->family
                                                                    : patient->birth_name, FALSE);
  g_autofree char *given = cab_store_fold (patient->given, FALSE);

  /* \x1f sorts before any letter: "Le Roy" stays next to "Le", before "Leroy". */
  return g_strdup_printf ("%s\x1f%s", family, given);
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */
/* ------------------------------------------------------------------ */

static CabPatientRow *
patient_row_from_stmt (sqlite3_stmt *stmt)
{
  CabPatientRow *row = g_new0 (CabPatientRow, 1);

  row->id = cab_stmt_dup_text (stmt, 0);
  row->patient.ins = cab_stmt_dup_text (stmt, 1);
  row->patient.ins_system = cab_stmt_dup_text (stmt, 2);
  row->patient.identity_status = cab_stmt_dup_text (stmt, 3);
  row->patient.family = cab_stmt_dup_text (stmt, 4);
  row->patient.birth_name = cab_stmt_dup_text (stmt, 5);
  row->patient.given = cab_stmt_dup_text (stmt, 6);
  row->patient.sex = cab_stmt_dup_text (stmt, 7);
  row->patient.birth_date = cab_stmt_dup_text (stmt, 8);
  row->patient.birth_place = cab_stmt_dup_text (stmt, 9);
  row->patient.gp_reference = cab_stmt_dup_text (stmt, 10);
  row->last_updated = cab_stmt_dup_text (stmt, 11);
  row->synced_at = cab_stmt_dup_text (stmt, 12);
  row->ins_duplicate = sqlite3_column_int (stmt, 13) != 0;
  return row;
}

static GPtrArray *
collect_patients (CabStoreReader  *reader,
                  sqlite3_stmt    *stmt,
                  GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_patient_row_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, patient_row_from_stmt (stmt));

  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot read patients");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* Splits the folded query into words: "Dupont-Martin 12/03" -> dupont,
 * martin, 12/03. Words with a digit are dates or INS and keep '/' and '-'. */
static GPtrArray *
query_tokens (const char *query)
{
  g_autofree char *folded = cab_store_fold (query, TRUE);
  g_auto(GStrv) words = g_strsplit (folded, " ", -1);
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      gboolean has_digit = FALSE;

      for (const char *p = w; *p; p++)
        has_digit |= g_ascii_isdigit (*p);

      if (has_digit)
        g_ptr_array_add (tokens, g_strdup (w));
      else
        {
          g_auto(GStrv) parts = g_strsplit_set (w, "/-", -1);
          for (guint j = 0; parts[j] != NULL; j++)
            if (parts[j][0] != '\0')
              g_ptr_array_add (tokens, g_strdup (parts[j]));
        }
    }

  if (tokens->len > MAX_QUERY_TOKENS)
    g_ptr_array_set_size (tokens, MAX_QUERY_TOKENS);
  return tokens;
}

/* "1 54 03 75..." typed in groups: the digits joined, tried as an INS prefix. */
static char *
joined_digits (GPtrArray *tokens)
{
  GString *joined;

  if (tokens->len < 2)
    return NULL;

  joined = g_string_new (NULL);
  for (guint i = 0; i < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);

      /* Digits only, or Corsica's 2A / 2B department. */
      for (const char *p = t; *p; p++)
        {
          if (!g_ascii_isdigit (*p) && *p != 'a' && *p != 'b')
            {
              g_string_free (joined, TRUE);
              return NULL;
            }
        }
      g_string_append (joined, t);
    }
  return g_string_free (joined, FALSE);
}

GPtrArray *
cab_store_search_patients (CabStore    *self,
                           const char  *query,
                           guint        limit,
                           GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) prefixed = NULL;
  g_autoptr(GString) sql = NULL;
  g_autofree char *joined = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tokens = query_tokens (query);
  joined = joined_digits (tokens);

  /* Each word must match (AND): a name word by prefix (" dup" in " dupont "),
   * a date by substring (" 12/03/1954 1954-03-12 "), an INS by prefix. Names
   * hold no digits and dates no letters, so one test per word covers all. */
  sql = g_string_new ("SELECT " PATIENT_COLUMNS PATIENT_FROM);
  if (tokens->len > 0)
    {
      g_string_append (sql, " WHERE (instr (lower (p.ins), ?2) = 1 OR (");
      for (guint i = 0; i < tokens->len; i++)
        g_string_append_printf (sql,
                                "%s(instr (p.search_names, ?%u) > 0"
                                " OR instr (p.search_dates, ?%u) > 0"
                                " OR instr (lower (p.ins), ?%u) = 1)",
                                i > 0 ? " AND " : "", 2 * i + 3, 2 * i + 4, 2 * i + 4);
      g_string_append (sql, "))");
    }
  g_string_append (sql, " ORDER BY p.sort_key, p.id LIMIT ?1");

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;

  prefixed = g_ptr_array_new_with_free_func (g_free);
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
  if (tokens->len > 0)
    cab_stmt_bind_text (stmt, 2, joined);
  for (guint i = 0; i < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);
      char *with_space = g_strconcat (" ", t, NULL);

      g_ptr_array_add (prefixed, with_space);
      cab_stmt_bind_text (stmt, 2 * i + 3, with_space);
      cab_stmt_bind_text (stmt, 2 * i + 4, t);
    }

  return collect_patients (reader, stmt, error);
}

static CabPatientRow *
get_one_patient (CabStore    *self,
                 const char  *sql,
                 const char  *value,
                 GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, sql, error)))
    return NULL;

  cab_stmt_bind_text (stmt, 1, value);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return patient_row_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND,
                         "No such patient in the store");
  else
    cab_store_set_sql_error (error, reader->db, "Cannot read a patient");
  return NULL;
}

CabPatientRow *
cab_store_get_patient (CabStore    *self,
                       const char  *patient_id,
                       GError     **error)
{
  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return get_one_patient (self,
                          "SELECT " PATIENT_COLUMNS PATIENT_FROM " WHERE p.id = ?1",
                          patient_id, error);
}

CabPatientRow *
cab_store_find_patient_by_ins (CabStore    *self,
                               const char  *ins,
                               GError     **error)
{
  g_autoptr(GString) normal = NULL;
  g_autoptr(CabPatientRow) row = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (ins != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* As typed: "1 54 03 2A 123 456 78" -> "154032A12345678". */
  normal = g_string_new (NULL);
  for (const char *p = ins; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (normal, g_ascii_toupper (*p));

  row = get_one_patient (self,
                         "SELECT " PATIENT_COLUMNS PATIENT_FROM
                         " WHERE p.ins = ?1 ORDER BY p.last_updated DESC LIMIT 1",
                         normal->str, error);
  /* Two records for one INS: a broken server or a merge to do by hand.
   * Choosing one would file a document under the wrong person. */
  if (row != NULL && row->ins_duplicate)
    {
      g_set_error_literal (error, CAB_STORE_ERROR, CAB_STORE_ERROR_AMBIGUOUS,
                           _("Several patients have this INS: check their identities before going on"));
      return NULL;
    }
  return g_steal_pointer (&row);
}

guint
cab_store_count_duplicate_ins (CabStore  *self,
                               GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return 0;
  if (!(stmt = cab_store_conn_prepare (reader,
                                       "SELECT count(*) FROM patients p WHERE p.ins IS NOT NULL AND EXISTS"
                                       " (SELECT 1 FROM patients d WHERE d.ins = p.ins AND d.id <> p.id)",
                                       error)))
    return 0;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot count duplicate INS");
      return 0;
    }
  return (guint) sqlite3_column_int (stmt, 0);
}

GPtrArray *
cab_store_list_patient_ids (CabStore  *self,
                            GError   **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  int rc;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(reader = cab_store_reader_acquire (self, error)))
    return NULL;
  if (!(stmt = cab_store_conn_prepare (reader, "SELECT id FROM patients ORDER BY id", error)))
    return NULL;

  ids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, cab_stmt_dup_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot list patients");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

gboolean
cab_store_mark_patient_synced (CabStore    *self,
                               const char  *patient_id,
                               const char  *when,
                               GError     **error)
{
  g_autoptr(CabStoreWriter) writer = NULL;
  g_autoptr(CabStmt) stmt = NULL;

  g_return_val_if_fail (CAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  writer = cab_store_writer_lock (self);
  if (!(stmt = cab_store_conn_prepare (writer,
                                       "INSERT INTO patient_sync (patient_id, synced_at)"
                                       " VALUES (?1, coalesce (?2, strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')))"
                                       " ON CONFLICT (patient_id) DO UPDATE SET synced_at = excluded.synced_at",
                                       error)))
    return FALSE;

  cab_stmt_bind_text (stmt, 1, patient_id);
  cab_stmt_bind_text (stmt, 2, when);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, writer->db, "Cannot mark a patient synced");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cab_store_list_patients_with_conditions (CabStore            *self,
                                         const char * const  *prefixes,
                                         GError             **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  g_autoptr(GString) sql = NULL;
  guint n = 0;

  g_return_val_if_fail (CAB_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (prefixes != NULL && prefixes[n] != NULL)
    n++;
  if (n == 0 || n > CAB_STORE_FOLLOWUP_MAX_CODES)
    {
      g_set_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_SQL,
                   "Between 1 and %d prefixes expected, got %u", CAB_STORE_FOLLOWUP_MAX_CODES, n);
      return NULL;
    }

  /* One placeholder per prefix; LIKE's wildcards escaped in the values. */
  sql = g_string_new ("SELECT " PATIENT_COLUMNS PATIENT_FROM
                      " WHERE p.id IN (SELECT c.patient_id FROM conditions c WHERE ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%sc.code LIKE ?%u || '%%' ESCAPE '\\'", i > 0 ? " OR " : "", i + 1);
  g_string_append (sql, ") ORDER BY p.sort_key, p.id");

  if (!(reader = cab_store_reader_acquire (self, error)) ||
      !(stmt = cab_store_conn_prepare (reader, sql->str, error)))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      GString *escaped = g_string_new (NULL);

      for (const char *p = prefixes[i]; *p != '\0'; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (escaped, '\\');
          g_string_append_c (escaped, *p);
        }
      /* Bound by copy: the string goes before the step. */
      sqlite3_bind_text (stmt, (int) i + 1, escaped->str, -1, SQLITE_TRANSIENT);
      g_string_free (escaped, TRUE);
    }
  return collect_patients (reader, stmt, error);
}
