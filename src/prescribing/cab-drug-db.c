/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading the drug database: a medicine by CIS, search as you type, what
 * is imported. */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <string.h>

#include "cab-drug-private.h"

#define DEFAULT_SEARCH_LIMIT 50
#define MAX_SEARCH_LIMIT 1000
#define MAX_SEARCH_WORDS 8
#define MAX_SEARCH_TEXT 256

void
cab_drug_substance_free (CabDrugSubstance *substance)
{
  if (substance == NULL)
    return;
  g_free (substance->code);
  g_free (substance->name);
  g_free (substance->strength);
  g_free (substance->strength_reference);
  g_free (substance->nature);
  g_free (substance->thesaurus_name);
  g_free (substance);
}

void
cab_drug_presentation_free (CabDrugPresentation *presentation)
{
  if (presentation == NULL)
    return;
  g_free (presentation->cip13);
  g_free (presentation->cip7);
  g_free (presentation->label);
  g_free (presentation->reimbursement_rate);
  g_free (presentation->price);
  g_free (presentation);
}

void
cab_drug_free (CabDrug *drug)
{
  if (drug == NULL)
    return;
  g_free (drug->cis);
  g_free (drug->name);
  g_free (drug->form);
  g_strfreev (drug->routes);
  g_free (drug->generic_group);
  g_free (drug->generic_label);
  g_clear_pointer (&drug->substances, g_ptr_array_unref);
  g_clear_pointer (&drug->presentations, g_ptr_array_unref);
  g_strfreev (drug->conditions);
  g_free (drug);
}

char *
cab_drug_strength_tidy (const char *strength)
{
  GString *out;
  const char *p = strength, *comma, *end;

  g_return_val_if_fail (strength != NULL, NULL);

  /* The leading number's decimals: "5,00 mg" -> "5 mg", "2,50 mg" -> "2,5 mg". */
  while (g_ascii_isdigit (*p))
    p++;
  if (p == strength || *p != ',' || !g_ascii_isdigit (p[1]))
    return g_strdup (strength);
  comma = p++;
  while (g_ascii_isdigit (*p))
    p++;
  end = p;
  while (end > comma + 1 && end[-1] == '0')
    end--;
  if (end == comma + 1)
    end = comma;
  out = g_string_new_len (strength, end - strength);
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* The linked moiety (FT) of an active substance (SA), if any. */
static const CabDrugSubstance *
moiety_of (const CabDrug          *drug,
           const CabDrugSubstance *s)
{
  for (guint j = 0; s->link != 0 && j < drug->substances->len; j++)
    {
      const CabDrugSubstance *f = g_ptr_array_index (drug->substances, j);

      if (g_strcmp0 (f->nature, "FT") == 0 && f->link == s->link)
        return f;
    }
  return NULL;
}

char *
cab_drug_dup_dci (const CabDrug *drug)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < drug->substances->len; i++)
    {
      const CabDrugSubstance *s = g_ptr_array_index (drug->substances, i);
      const CabDrugSubstance *moiety;

      if (g_strcmp0 (s->nature, "FT") == 0)
        continue;
      if (out->len > 0)
        g_string_append (out, " + ");
      /* A salt without a strength: the moiety that has one ("AMLODIPINE
       * 5 mg", not "BÉSILATE D'AMLODIPINE"). */
      moiety = s->strength == NULL ? moiety_of (drug, s) : NULL;
      if (moiety != NULL && moiety->strength != NULL)
        {
          g_autofree char *tidy = cab_drug_strength_tidy (moiety->strength);

          g_string_append_printf (out, "%s %s", moiety->name, tidy);
          continue;
        }
      g_string_append (out, s->name);
      if (s->strength != NULL)
        g_string_append_printf (out, " %s", s->strength);
    }
  return g_string_free (out, FALSE);
}

static char **
split_routes (const char *routes)
{
  g_auto(GStrv) parts = NULL;
  GPtrArray *out = g_ptr_array_new ();

  if (routes != NULL)
    {
      parts = g_strsplit (routes, ";", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            g_ptr_array_add (out, g_strdup (parts[i]));
        }
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static const char sql_drug[] =
  "SELECT d.cis, d.name, d.form, d.routes, d.commercialised, g.group_id, g.label,"
  " coalesce (g.type, -1) FROM drugs d LEFT JOIN drug_generics g ON g.id = d.generic_id"
  " WHERE d.cis = ?";
static const char sql_substances[] =
  "SELECT c.substance_code, c.substance_name, c.strength, c.strength_reference, c.nature,"
  " c.link, l.thesaurus_name FROM drug_compositions c"
  " LEFT JOIN drug_substance_links l ON l.substance_key = c.substance_key"
  " WHERE c.cis = ? ORDER BY c.seq";
static const char sql_presentations[] =
  "SELECT cip13, cip7, label, commercialised, reimbursement_rate, price"
  " FROM drug_presentations WHERE cis = ? ORDER BY commercialised DESC, cip13";
static const char sql_conditions[] =
  "SELECT condition FROM drug_conditions WHERE cis = ? ORDER BY rowid";

/* NULL with no error when there is no such medicine. */
static CabDrug *
read_drug (CabStoreConn  *conn,
           const char    *cis,
           GError       **error)
{
  g_autoptr(CabDrug) drug = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  g_autoptr(CabStmt) stmt = NULL;
  int rc;

  if (!(stmt = cab_store_conn_prepare_static (conn, sql_drug, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, cis);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a medicine");
      return NULL;
    }
  drug = g_new0 (CabDrug, 1);
  drug->cis = cab_stmt_dup_text (stmt, 0);
  drug->name = cab_stmt_dup_text (stmt, 1);
  drug->form = cab_stmt_dup_text (stmt, 2);
  drug->routes = split_routes ((const char *) sqlite3_column_text (stmt, 3));
  drug->commercialised = sqlite3_column_int (stmt, 4) != 0;
  drug->generic_group = cab_stmt_dup_text (stmt, 5);
  drug->generic_label = cab_stmt_dup_text (stmt, 6);
  drug->generic_type = sqlite3_column_int (stmt, 7);
  g_clear_pointer (&stmt, cab_stmt_release);

  drug->substances = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_substance_free);
  if (!(stmt = cab_store_conn_prepare_static (conn, sql_substances, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, cis);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabDrugSubstance *s = g_new0 (CabDrugSubstance, 1);

      s->code = cab_stmt_dup_text (stmt, 0);
      s->name = cab_stmt_dup_text (stmt, 1);
      s->strength = cab_stmt_dup_text (stmt, 2);
      s->strength_reference = cab_stmt_dup_text (stmt, 3);
      s->nature = cab_stmt_dup_text (stmt, 4);
      s->link = sqlite3_column_int (stmt, 5);
      s->thesaurus_name = cab_stmt_dup_text (stmt, 6);
      g_ptr_array_add (drug->substances, s);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a composition");
      return NULL;
    }
  g_clear_pointer (&stmt, cab_stmt_release);

  drug->presentations = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_presentation_free);
  if (!(stmt = cab_store_conn_prepare_static (conn, sql_presentations, error)))
    return NULL;
  cab_stmt_bind_text (stmt, 1, cis);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CabDrugPresentation *p = g_new0 (CabDrugPresentation, 1);

      p->cip13 = cab_stmt_dup_text (stmt, 0);
      p->cip7 = cab_stmt_dup_text (stmt, 1);
      p->label = cab_stmt_dup_text (stmt, 2);
      p->commercialised = sqlite3_column_int (stmt, 3) != 0;
      p->reimbursement_rate = cab_stmt_dup_text (stmt, 4);
      p->price = cab_stmt_dup_text (stmt, 5);
      g_ptr_array_add (drug->presentations, p);
    }
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read a presentation");
      return NULL;
    }
  g_clear_pointer (&stmt, cab_stmt_release);

  conditions = g_ptr_array_new ();
  if (!(stmt = cab_store_conn_prepare_static (conn, sql_conditions, error)))
    {
      g_ptr_array_set_free_func (conditions, g_free);
      return NULL;
    }
  cab_stmt_bind_text (stmt, 1, cis);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (conditions, cab_stmt_dup_text (stmt, 0));
  g_ptr_array_add (conditions, NULL);
  drug->conditions = (char **) g_ptr_array_free (g_steal_pointer (&conditions), FALSE);

  return g_steal_pointer (&drug);
}

CabDrug *
cab_drug_db_get (CabStore    *store,
                 const char  *cis,
                 GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  GError *local_error = NULL;
  CabDrug *drug;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  if (!cab_drug_cis_is_valid (cis))
    {
      g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID, "A CIS is 8 digits");
      return NULL;
    }
  if (!(reader = cab_store_reader_acquire (store, error)))
    return NULL;
  drug = read_drug (reader, cis, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (drug == NULL)
    g_set_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NOT_FOUND,
                 "No medicine with CIS %s in the drug database", cis);
  return drug;
}

/* "metformine 1000" -> "\"metformine\"* \"1000\"*"; NULL when no word. The
 * words are folded like the index (unicode61, diacritics removed). */
static char *
fts_query (const char *text)
{
  g_autofree char *folded = cab_store_fold (text, FALSE);
  g_auto(GStrv) words = g_strsplit (folded, " ", -1);
  GString *query = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; words[i] != NULL && n < MAX_SEARCH_WORDS; i++)
    {
      if (*words[i] == '\0')
        continue;
      /* cab_store_fold keeps only letters and digits: no quote to escape. */
      g_string_append_printf (query, "%s\"%s\"*", n > 0 ? " " : "", words[i]);
      n++;
    }
  if (n == 0)
    return g_string_free (query, TRUE), NULL;
  return g_string_free (query, FALSE);
}

/* Commercialised first, then the best match: a brand-name match counts
 * more than a substance (bm25 weights); then the name. */
static const char sql_search[] =
  "SELECT d.cis FROM drugs_fts f JOIN drugs d ON d.id = f.rowid"
  " WHERE drugs_fts MATCH ?"
  " ORDER BY d.commercialised DESC, bm25 (drugs_fts, 10.0, 5.0), d.name"
  " LIMIT ?";

/* Digits alone: the start of a CIS, a CIP13 or a CIP7, through the
 * tables' B-tree indexes (codes are not in the search index), and the
 * names with that number. Each source gives at most CODE_CANDIDATES
 * medicines: "34009" starts every CIP13, and ranking them all costs more
 * than a keystroke allows for a code that identifies nothing yet. */
#define CODE_CANDIDATES 200
#define MAX_CODE_LENGTH 13
static const char sql_search_code[] =
  "SELECT d.cis FROM drugs d JOIN ("
  "  SELECT cis FROM (SELECT cis FROM drugs WHERE cis >= ?1 AND cis < ?2 LIMIT ?4)"
  "  UNION SELECT cis FROM (SELECT cis FROM drug_presentations"
  "                         WHERE cip13 >= ?1 AND cip13 < ?2 LIMIT ?4)"
  "  UNION SELECT cis FROM (SELECT cis FROM drug_presentations"
  "                         WHERE cip7 >= ?1 AND cip7 < ?2 LIMIT ?4)"
  "  UNION SELECT cis FROM (SELECT d2.cis FROM drugs_fts f JOIN drugs d2 ON d2.id = f.rowid"
  "                         WHERE drugs_fts MATCH ?5 LIMIT ?4)"
  ") k ON k.cis = d.cis"
  " ORDER BY d.commercialised DESC, d.name LIMIT ?3";

/* One or two letters match thousands of words: ranking them all costs more
 * than a keystroke allows, so they list the brand names they start, in the
 * same order (commercialised first). A code that short identifies nothing. */
#define SHORT_QUERY 3
static const char sql_search_short[] =
  "SELECT cis FROM drugs WHERE name >= ?1 AND name < ?2"
  " ORDER BY commercialised DESC, name LIMIT ?3";

static gboolean
is_short_query (const char *folded)
{
  return *folded != '\0' && strchr (folded, ' ') == NULL && g_utf8_strlen (folded, -1) < SHORT_QUERY;
}

static gboolean
is_code_query (const char *folded)
{
  gsize length = strlen (folded);

  if (length < SHORT_QUERY || length > MAX_CODE_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (folded[i]))
      return FALSE;
  return TRUE;
}

/* [from, to): every text that starts with @prefix ("ME" -> "MF", "340" ->
 * "34:"). */
static char *
prefix_end (const char *prefix)
{
  char *to = g_strdup (prefix);

  to[strlen (to) - 1]++;
  return to;
}

static GPtrArray *
search_in (CabStoreReader  *reader,
           const char      *folded,
           const char      *query,
           guint            limit,
           GError         **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_free);
  g_autoptr(GPtrArray) cis = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CabStmt) stmt = NULL;
  /* Bound without a copy (cab_stmt_bind_text): they live as long as stmt. */
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  int rc;

  if (is_short_query (folded))
    {
      from = g_ascii_strup (folded, -1);
      to = prefix_end (from);
      if (!(stmt = cab_store_conn_prepare_static (reader, sql_search_short, error)))
        return NULL;
      cab_stmt_bind_text (stmt, 1, from);
      cab_stmt_bind_text (stmt, 2, to);
      sqlite3_bind_int (stmt, 3, (int) limit);
    }
  else if (is_code_query (folded))
    {
      from = g_strdup (folded);
      to = prefix_end (from);
      if (!(stmt = cab_store_conn_prepare_static (reader, sql_search_code, error)))
        return NULL;
      cab_stmt_bind_text (stmt, 1, from);
      cab_stmt_bind_text (stmt, 2, to);
      sqlite3_bind_int (stmt, 3, (int) limit);
      sqlite3_bind_int (stmt, 4, CODE_CANDIDATES);
      cab_stmt_bind_text (stmt, 5, query);
    }
  else
    {
      if (!(stmt = cab_store_conn_prepare_static (reader, sql_search, error)))
        return NULL;
      cab_stmt_bind_text (stmt, 1, query);
      sqlite3_bind_int (stmt, 2, (int) limit);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (cis, cab_stmt_dup_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, reader->db, "Cannot search the drug database");
      return NULL;
    }
  g_clear_pointer (&stmt, cab_stmt_release);

  for (guint i = 0; i < cis->len; i++)
    {
      GError *local_error = NULL;
      CabDrug *drug = read_drug (reader, g_ptr_array_index (cis, i), &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (drug != NULL)
        g_ptr_array_add (results, drug);
    }
  return g_steal_pointer (&results);
}

GPtrArray *
cab_drug_db_search (CabStore    *store,
                    const char  *text,
                    guint        limit,
                    GError     **error)
{
  g_autoptr(CabStoreReader) reader = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_drug_free);
  g_autofree char *query = NULL;
  g_autofree char *bounded = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  if (text == NULL)
    return g_steal_pointer (&results);
  /* Typed text: bounded and made valid before it is folded (rule 4). */
  bounded = g_utf8_make_valid (text, MIN (strlen (text), MAX_SEARCH_TEXT));
  folded = g_strstrip (cab_store_fold (bounded, FALSE));
  query = fts_query (bounded);
  if (query == NULL)
    return g_steal_pointer (&results);
  if (limit == 0)
    limit = DEFAULT_SEARCH_LIMIT;
  limit = MIN (limit, MAX_SEARCH_LIMIT);

  if (is_short_query (folded) && g_ascii_isdigit (*folded))
    return g_steal_pointer (&results);
  if (!(reader = cab_store_reader_acquire (store, error)))
    return NULL;
  /* One read transaction for the search and the 4 statements of each
   * medicine it finds (81 for 20): one snapshot, so a release imported
   * meanwhile cannot take a medicine found from under its reading, and
   * one lock of the write-ahead log instead of one per statement. The
   * statements are all reset when search_in() returns. */
  if (!cab_store_conn_exec (reader, "BEGIN", error))
    return NULL;
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search_in (reader, folded, query, limit, error);
  if (!cab_store_conn_exec (reader, "COMMIT", NULL))
    cab_store_conn_exec (reader, "ROLLBACK", NULL);
  return g_steal_pointer (&results);
}

void
cab_drug_db_status_free (CabDrugDbStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->bdpm_imported_at);
  g_free (status->bdpm_source);
  g_free (status->thesaurus_imported_at);
  g_free (status->thesaurus_source);
  g_clear_pointer (&status->unlinked_thesaurus, g_ptr_array_unref);
  g_clear_pointer (&status->unlinked_bdpm, g_ptr_array_unref);
  g_free (status);
}

static guint
count (CabStoreConn *conn,
       const char   *sql)
{
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql, NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

static GPtrArray *
list_strings (CabStoreConn  *conn,
              const char    *sql,
              GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, cab_stmt_dup_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      cab_store_set_sql_error (error, conn->db, "Cannot read the drug database's status");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static gboolean
read_import (CabStoreConn  *conn,
             const char    *source,
             char         **imported_at,
             char         **origin)
{
  static const char sql[] = "SELECT imported_at, origin FROM drug_imports WHERE source = ?";
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare_static (conn, sql, NULL);

  if (stmt == NULL)
    return FALSE;
  cab_stmt_bind_text (stmt, 1, source);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  *imported_at = cab_stmt_dup_text (stmt, 0);
  *origin = cab_stmt_dup_text (stmt, 1);
  return TRUE;
}

CabDrugDbStatus *
cab_drug_db_get_status (CabStore  *store,
                        GError   **error)
{
  g_autoptr(CabDrugDbStatus) status = g_new0 (CabDrugDbStatus, 1);
  g_autoptr(CabStoreReader) reader = NULL;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);

  if (!(reader = cab_store_reader_acquire (store, error)))
    return NULL;
  status->has_bdpm = read_import (reader, "bdpm", &status->bdpm_imported_at, &status->bdpm_source);
  status->has_thesaurus = read_import (reader, "thesaurus", &status->thesaurus_imported_at,
                                       &status->thesaurus_source);
  status->n_drugs = count (reader, "SELECT count(*) FROM drugs");
  status->n_commercialised = count (reader, "SELECT count(*) FROM drugs WHERE commercialised");
  status->n_presentations = count (reader, "SELECT count(*) FROM drug_presentations");
  status->n_compositions = count (reader, "SELECT count(*) FROM drug_compositions");
  status->n_generic_rows = count (reader, "SELECT count(*) FROM drug_generics");
  status->n_conditions = count (reader, "SELECT count(*) FROM drug_conditions");
  status->n_interactions = count (reader, "SELECT count(*) FROM thesaurus_interactions");
  status->n_thesaurus_substances = count (reader, "SELECT count(*) FROM thesaurus_substances");
  status->n_thesaurus_classes = count (reader, "SELECT count(DISTINCT class) FROM thesaurus_classes");
  status->n_linked_substances =
    count (reader, "SELECT count(*) FROM drug_substance_links WHERE thesaurus_name IS NOT NULL");

  /* Only meaningful with both sources. */
  if (status->has_bdpm && status->has_thesaurus)
    {
      status->unlinked_thesaurus =
        list_strings (reader,
                      "SELECT t.name FROM thesaurus_substances t"
                      " WHERE NOT EXISTS (SELECT 1 FROM drug_substance_links l"
                      "                   WHERE l.thesaurus_name = t.name)"
                      " ORDER BY t.name", error);
      if (status->unlinked_thesaurus == NULL)
        return NULL;
      status->unlinked_bdpm =
        list_strings (reader,
                      "SELECT DISTINCT c.substance_name FROM drug_compositions c"
                      " JOIN drugs d ON d.cis = c.cis AND d.commercialised"
                      " JOIN drug_substance_links l ON l.substance_key = c.substance_key"
                      " WHERE l.thesaurus_name IS NULL AND c.nature = 'SA'"
                      " ORDER BY c.substance_name", error);
      if (status->unlinked_bdpm == NULL)
        return NULL;
    }
  else
    {
      status->unlinked_thesaurus = g_ptr_array_new_with_free_func (g_free);
      status->unlinked_bdpm = g_ptr_array_new_with_free_func (g_free);
    }
  return g_steal_pointer (&status);
}
