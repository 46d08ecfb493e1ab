/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The drug database against the real June 2022 BDPM release and the ANSM
 * thesaurus (their directory: $CABINET_DRUG_DATA, meson option drug_data).
 * The release is imported once per program; the UTF-8 copy once more. */
#define G_LOG_DOMAIN "test-drugs"

#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cab-drug-db.h"
#include "cab-prescribe.h"
#include "cab-drug-import.h"
#include "cab-drug-interactions.h"
#include "cab-store.h"
#include "cab-store-private.h"   /* cab_store_fold() */

static const char * const bdpm_files[] = {
  "CIS_bdpm.txt", "CIS_CIP_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_GENER_bdpm.txt", "CIS_CPD_bdpm.txt",
};
/* The columns of each file in the ANSM's layouts (the test's own copy). */
static const guint bdpm_columns[][2] = { { 12, 12 }, { 12, 13 }, { 8, 8 }, { 5, 5 }, { 2, 2 } };
static const char * const bdpm_tables[] = {
  "drugs", "drug_presentations", "drug_compositions", "drug_generics", "drug_conditions",
};

static char *tmp_dir;
static char *bdpm_dir;
static char *thesaurus_dir;
static CabStore *store;            /* the release as published */
static CabDrugImportReport *report;

/* ------------------------------------------------------------ helpers */

/* Lines of the raw bytes, split on CRLF, LF or CR, empty ones dropped:
 * counted here without the importer's reader. */
static GPtrArray *
raw_lines (const char *path)
{
  g_autofree char *text = NULL;
  gsize length;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  for (gsize i = 0; i <= length; i++)
    if (i == length || text[i] == '\n' || text[i] == '\r')
      {
        if (i > start)
          g_ptr_array_add (lines, g_strndup (text + start, i - start));
        if (i + 1 < length && text[i] == '\r' && text[i + 1] == '\n')
          i++;
        start = i + 1;
      }
  return lines;
}

static guint
count_tabs (const char *line)
{
  guint n = 1;

  for (; *line; line++)
    n += *line == '\t';
  return n;
}

/* What the layouts allow: the columns, or one more when it is empty. */
static gboolean
fields_fit (const char *line,
            guint       file)
{
  guint n = count_tabs (line);

  if (n > bdpm_columns[file][1] && g_str_has_suffix (line, "\t"))
    n--;
  return n >= bdpm_columns[file][0] && n <= bdpm_columns[file][1];
}

static gint64
count_table (CabStore   *s,
             const char *table)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (cab_store_get_path (s), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* The drug tables' definitions, indexes and search index included. */
static char *
drug_schema (CabStore *s)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *sql;

  g_assert_cmpint (sqlite3_open_v2 (cab_store_get_path (s), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT group_concat (type || ' ' || name || ' ' || sql, ';')"
                                           " FROM (SELECT * FROM sqlite_schema WHERE tbl_name LIKE 'drug%'"
                                           "       AND sql IS NOT NULL ORDER BY name)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  sql = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return sql;
}

/* A digest of every drug table's rows, in a stable order. */
static char *
tables_digest (CabStore *s)
{
  static const char * const queries[] = {
    "SELECT * FROM drugs ORDER BY cis",
    "SELECT * FROM drug_presentations ORDER BY cip13",
    "SELECT * FROM drug_compositions ORDER BY cis, seq",
    "SELECT * FROM drug_generics ORDER BY group_id, cis",
    "SELECT * FROM drug_conditions ORDER BY cis, condition",
    "SELECT * FROM drug_substance_links ORDER BY substance_key",
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open_v2 (cab_store_get_path (s), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      sqlite3_stmt *stmt;

      g_assert_cmpint (sqlite3_prepare_v2 (db, queries[q], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const char *v = (const char *) sqlite3_column_text (stmt, c);

            g_checksum_update (sum, (const guchar *) (v ? v : "\x01NULL"), -1);
            g_checksum_update (sum, (const guchar *) "\x1f", 1);
          }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return g_strdup (g_checksum_get_string (sum));
}

static CabStore *
open_store (const char *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CabStore *s = cab_store_open (path, &error);

  g_assert_no_error (error);
  return s;
}

static const CabDrugFileReport *
file_report (const CabDrugImportReport *r,
             const char                *name)
{
  for (guint i = 0; i < r->files->len; i++)
    if (g_str_equal (((CabDrugFileReport *) g_ptr_array_index (r->files, i))->file, name))
      return g_ptr_array_index (r->files, i);
  g_assert_not_reached ();
}

/* ------------------------------------------------------------- import */

static void
test_import_counts (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (bdpm_files); f++)
    {
      g_autofree char *path = g_build_filename (bdpm_dir, bdpm_files[f], NULL);
      g_autoptr(GPtrArray) lines = raw_lines (path);
      const CabDrugFileReport *fr = file_report (report, bdpm_files[f]);
      guint misfit = 0;

      for (guint i = 0; i < lines->len; i++)
        misfit += !fields_fit (g_ptr_array_index (lines, i), f);

      g_test_message ("%s: %u lines, %u with the wrong column count", bdpm_files[f], lines->len, misfit);
      g_assert_cmpuint (fr->n_lines, ==, lines->len);
      /* Every line that does not fit the layout is reported, and only those
       * (the release's other lines are all valid). */
      g_assert_cmpuint (fr->n_malformed, ==, misfit);
      g_assert_cmpuint (fr->n_imported, ==, lines->len - misfit);
      g_assert_cmpint (count_table (store, bdpm_tables[f]), ==, fr->n_imported);
      /* The release is Windows-1252 text: detected, not guessed. */
      g_assert_cmpstr (fr->encoding, ==, "Windows-1252");
    }
  g_assert_cmpstr (file_report (report, "CIS_CIP_bdpm.txt")->line_ends, ==, "LF");
  g_assert_cmpstr (file_report (report, "CIS_bdpm.txt")->line_ends, ==, "CRLF");
  g_assert_cmpint (count_table (store, "drugs_fts"), ==, count_table (store, "drugs"));
}

static void
test_import_malformed_listed (void)
{
  g_autofree char *path = g_build_filename (bdpm_dir, "CIS_COMPO_bdpm.txt", NULL);
  g_autoptr(GPtrArray) lines = raw_lines (path);
  guint listed = 0;

  g_assert_cmpuint (report->malformed->len, ==, report->n_malformed);
  for (guint i = 0; i < report->malformed->len; i++)
    {
      const CabDrugMalformedLine *m = g_ptr_array_index (report->malformed, i);

      g_assert_cmpuint (m->line, >=, 1);
      g_assert_nonnull (m->reason);
      if (g_str_equal (m->file, "CIS_COMPO_bdpm.txt"))
        {
          /* raw_lines keeps no empty line, and the file has none: the
           * number is the line's position. */
          g_assert_false (fields_fit (g_ptr_array_index (lines, m->line - 1), 2));
          listed++;
        }
    }
  g_assert_cmpuint (listed, ==, file_report (report, "CIS_COMPO_bdpm.txt")->n_malformed);
}

/* Writes a copy of the release in UTF-8 with LF line ends (converted with
 * iconv through g_convert, not with the importer's decoder), at most
 * @max_lines lines of each file. */
static void
write_utf8_copy (const char *dir,
                 guint       max_lines)
{
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint f = 0; f < G_N_ELEMENTS (bdpm_files); f++)
    {
      g_autofree char *from = g_build_filename (bdpm_dir, bdpm_files[f], NULL);
      g_autofree char *to = g_build_filename (dir, bdpm_files[f], NULL);
      g_autofree char *raw = NULL;
      g_autofree char *utf8 = NULL;
      g_autoptr(GError) error = NULL;
      gsize length, kept = 0;
      char *lf;

      g_assert_true (g_file_get_contents (from, &raw, &length, NULL));
      utf8 = g_convert (raw, length, "UTF-8", "WINDOWS-1252", NULL, NULL, &error);
      g_assert_no_error (error);
      /* CRLF to LF in one pass, in place: g_strsplit() calls strstr() once
       * a line, and ASan's strstr() measures the whole rest of the text each
       * time: 56 of the test's 61 s of CPU under the sanitizers. */
      lf = utf8;
      for (const char *p = utf8; *p != '\0'; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
          lf[kept++] = *p;
      lf[kept] = '\0';
      if (max_lines != G_MAXUINT)
        {
          char *p = lf;

          for (guint n = 0; p != NULL && n < max_lines; n++)
            p = strchr (p + 1, '\n');
          if (p != NULL)
            p[1] = '\0';
        }
      g_assert_true (g_file_set_contents (to, lf, -1, NULL));
    }
}

static void
test_import_utf8_identical (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "utf8", NULL);
  g_autoptr(CabStore) copy = open_store ("utf8.db");
  g_autoptr(CabDrugImportReport) r = NULL;
  g_autoptr(CabDrugImportReport) thesaurus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest_cp1252 = NULL;
  g_autofree char *digest_utf8 = NULL;

  write_utf8_copy (dir, G_MAXUINT);
  thesaurus = cab_drug_import_thesaurus (copy, thesaurus_dir, &error);
  g_assert_no_error (error);
  r = cab_drug_import_bdpm (copy, dir, &error);
  g_assert_no_error (error);
  for (guint f = 0; f < G_N_ELEMENTS (bdpm_files); f++)
    {
      const CabDrugFileReport *a = file_report (report, bdpm_files[f]);
      const CabDrugFileReport *b = file_report (r, bdpm_files[f]);

      g_assert_cmpstr (b->encoding, ==, "UTF-8");
      g_assert_cmpstr (b->line_ends, ==, "LF");
      g_assert_cmpuint (a->n_lines, ==, b->n_lines);
      g_assert_cmpuint (a->n_imported, ==, b->n_imported);
      g_assert_cmpuint (a->n_malformed, ==, b->n_malformed);
    }
  digest_cp1252 = tables_digest (store);
  digest_utf8 = tables_digest (copy);
  g_assert_cmpstr (digest_cp1252, ==, digest_utf8);
}

/* A broken release: a bad line is reported and the rest imported; bytes
 * that are neither UTF-8 nor Windows-1252 refuse the import and keep the
 * previous release. */
static void
test_import_broken (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "broken", NULL);
  g_autofree char *cis_path = g_build_filename (dir, "CIS_bdpm.txt", NULL);
  g_autoptr(CabStore) s = open_store ("broken.db");
  g_autoptr(CabDrugImportReport) r = NULL;
  g_autoptr(CabDrugImportReport) r_first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) bad = NULL;
  gsize length;

  /* A small release: the lines at its end are what this test is about. */
  write_utf8_copy (dir, 300);
  g_assert_true (g_file_get_contents (cis_path, &text, &length, NULL));
  bad = g_string_new (text);
  /* Line n + 1: a CIS of 7 digits; line n + 2: two columns only. */
  g_string_append (bad, "1234567\tNOM\tcomprimé\torale\tAutorisation active\tProcédure nationale\t"
                        "Commercialisée\t01/01/2000\t\t\t LABO\tNon\n"
                        "12345678\tcolonnes manquantes\n");
  g_assert_true (g_file_set_contents (cis_path, bad->str, bad->len, NULL));

  r = cab_drug_import_bdpm (s, dir, &error);
  g_assert_no_error (error);
  {
    const CabDrugFileReport *fr = file_report (r, "CIS_bdpm.txt");
    const CabDrugMalformedLine *first = NULL, *second = NULL;

    g_assert_cmpuint (fr->n_malformed, ==, 2);
    g_assert_cmpuint (fr->n_imported, ==, fr->n_lines - 2);
    for (guint i = 0; i < r->malformed->len; i++)
      {
        const CabDrugMalformedLine *m = g_ptr_array_index (r->malformed, i);

        if (g_str_equal (m->file, "CIS_bdpm.txt"))
          {
            if (first == NULL)
              first = m;
            else
              second = m;
          }
      }
    g_assert_nonnull (second);
    g_assert_cmpuint (first->line, ==, fr->n_lines - 1);
    g_assert_cmpuint (second->line, ==, fr->n_lines);
    g_assert_nonnull (strstr (first->reason, "CIS"));
    g_assert_nonnull (strstr (second->reason, "fields"));
  }

  /* Imported again over itself: the indexes the import drops and makes
   * again are those of the schema, the search index holds each medicine
   * once. */
  {
    g_autofree char *schema = drug_schema (s);
    g_autofree char *digest = tables_digest (s);
    g_autoptr(CabDrugImportReport) again = cab_drug_import_bdpm (s, dir, &error);
    g_autoptr(GPtrArray) found = NULL;
    g_autofree char *schema_again = NULL;
    g_autofree char *digest_again = NULL;
    g_autofree char *first_cis = NULL;

    g_assert_no_error (error);
    schema_again = drug_schema (s);
    digest_again = tables_digest (s);
    g_assert_nonnull (strstr (schema, "INDEX drug_presentations_cis"));
    g_assert_cmpstr (schema_again, ==, schema);
    g_assert_cmpstr (digest_again, ==, digest);
    g_assert_cmpint (count_table (s, "drugs_fts"), ==, count_table (s, "drugs"));
    /* The release's first medicine, by its CIS: found once. */
    first_cis = g_strndup (text, 8);
    g_assert_true (cab_drug_cis_is_valid (first_cis));
    found = cab_drug_db_search (s, first_cis, 5, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
  }

  /* 0x81 is undefined in Windows-1252 and invalid in UTF-8. */
  g_string_append (bad, "12345679\tNOM \x81\tcomprimé\n");
  g_assert_true (g_file_set_contents (cis_path, bad->str, bad->len, NULL));
  r_first = g_steal_pointer (&r);
  r = cab_drug_import_bdpm (s, dir, &error);
  g_assert_null (r);
  g_assert_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "CIS_bdpm.txt"));
  /* The previous release is intact. */
  g_assert_cmpint (count_table (s, "drugs"), ==, file_report (r_first, "CIS_bdpm.txt")->n_imported);
}

/* ------------------------------------------------------------- search */

typedef struct
{
  const char *query;
  const char *first_cis;        /* the first result, or NULL */
  const char *words;            /* every result has each word in its name or substances, or NULL */
  const char *name_prefix;      /* the first result's name starts with it, or NULL */
} SearchCase;

static const SearchCase search_cases[] = {
  /* DCI, with and without accents, any case, words in any order. */
  { "metformine", NULL, "metformine", NULL },
  { "METFORMINE", NULL, "metformine", NULL },
  { "paracétamol", NULL, "paracetamol", NULL },
  { "paracetamol 1000", NULL, "paracetamol 1000", NULL },
  { "lévothyroxine", NULL, "levothyroxine", NULL },
  { "acide acetylsal", NULL, "acide acetylsal", NULL },
  /* Brands. */
  { "doliprane", NULL, "paracetamol", "DOLIPRANE" },
  { "kardegic", NULL, "acetylsalicyl", "KARDEGIC" },
  { "levothyrox", NULL, "levothyroxine", "LEVOTHYROX" },
  { "glucophage", NULL, "metformine", "GLUCOPHAGE" },
  /* Codes: CIS, CIP13, a CIP13 being typed, a CIP7 (through the tables'
   * indexes, not the search index). */
  { "60002283", "60002283", "anastrozole", NULL },
  { "3400949497294", "60002283", "anastrozole", NULL },
  { "340094949729", "60002283", "anastrozole", NULL },
  { "4949729", "60002283", "anastrozole", NULL },
  { "600022", "60002283", "anastrozole", NULL },
  /* A number alone is also a strength in the names. */
  { "1000", NULL, "1000", NULL },
};

static char *
fold (const char *text)
{
  g_autofree char *nfd = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  GString *out = g_string_new (NULL);

  for (const char *p = nfd; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (out, g_unichar_tolower (c));
    }
  return g_string_free (out, FALSE);
}

static void
test_search_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (search_cases); i++)
    {
      const SearchCase *c = &search_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) results = cab_drug_db_search (store, c->query, 30, &error);
      gboolean seen_uncommercialised = FALSE;

      g_assert_no_error (error);
      g_test_message ("%s: %u results, first %s", c->query, results->len,
                      results->len ? ((CabDrug *) g_ptr_array_index (results, 0))->name : "-");
      g_assert_cmpuint (results->len, >, 0);
      if (c->first_cis != NULL)
        g_assert_cmpstr (((CabDrug *) g_ptr_array_index (results, 0))->cis, ==, c->first_cis);
      if (c->name_prefix != NULL)
        g_assert_true (g_str_has_prefix (((CabDrug *) g_ptr_array_index (results, 0))->name, c->name_prefix));
      for (guint r = 0; r < results->len; r++)
        {
          const CabDrug *drug = g_ptr_array_index (results, r);
          g_autoptr(GString) text = g_string_new (drug->name);
          g_autofree char *folded = NULL;
          g_auto(GStrv) words = g_strsplit (c->words, " ", -1);

          /* Commercialised medicines first. */
          if (!drug->commercialised)
            seen_uncommercialised = TRUE;
          else
            g_assert_false (seen_uncommercialised);
          for (guint s = 0; s < drug->substances->len; s++)
            {
              const CabDrugSubstance *sub = g_ptr_array_index (drug->substances, s);

              g_string_append_printf (text, " %s %s", sub->name, sub->strength ? sub->strength : "");
            }
          folded = fold (text->str);
          for (guint w = 0; words[w] != NULL; w++)
            g_assert_nonnull (strstr (folded, words[w]));
          g_assert_nonnull (drug->form);
          g_assert_nonnull (drug->presentations);
        }
    }
}

/* "metformine" finds the medicines whose substance is written
 * "METFORMINE (CHLORHYDRATE DE)". */
static void
test_search_salt_in_parentheses (void)
{
  g_autoptr(GPtrArray) results = cab_drug_db_search (store, "metformine", 200, NULL);
  gboolean found = FALSE;

  for (guint r = 0; r < results->len && !found; r++)
    {
      const CabDrug *drug = g_ptr_array_index (results, r);

      for (guint s = 0; s < drug->substances->len; s++)
        found |= g_str_equal (((CabDrugSubstance *) g_ptr_array_index (drug->substances, s))->name,
                              "METFORMINE (CHLORHYDRATE DE)");
    }
  g_assert_true (found);
}

/* A medicine in two groups has the smallest, from that group's line. */
static void
test_get_two_groups (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDrug) drug = cab_drug_db_get (store, "60010885", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (drug->generic_group, ==, "188");
  g_assert_cmpstr (drug->generic_label, ==, "CIPROFLOXACINE (CHLORHYDRATE DE) équivalant à "
                   "CIPROFLOXACINE 250 mg - CIFLOX 250 mg, comprimé pelliculé sécable.");
  g_assert_cmpint (drug->generic_type, ==, 1);
}

/* A release imported before migration 20 keeps its medicines' groups: the
 * migration links each row to its group's first line for that CIS. */
static void
test_generic_migration (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "version-19.db", NULL);
  g_autoptr(CabStore) migrated = NULL;
  g_autoptr(CabDrug) grouped = NULL;
  g_autoptr(CabDrug) alone = NULL;

  {
    g_autoptr(CabStore) old = cab_store_open_at_version (path, 19, &error);
    sqlite3 *db;

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db,
      "INSERT INTO drug_generics (group_id, label, cis, type, rank) VALUES"
      " ('8', 'Eight', '11111111', 0, 1), ('7', 'Other CIS', '22222222', 0, 1),"
      " ('7', 'Seven', '11111111', 2, 3), ('7', 'Seven again', '11111111', 2, 4);"
      "INSERT INTO drugs (cis, name, commercialised, generic_group, generic_label, generic_type)"
      " VALUES ('11111111', 'A', 1, '7', 'Seven', 2), ('33333333', 'B', 1, NULL, NULL, NULL);",
      NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  migrated = cab_store_open (path, &error);
  g_assert_no_error (error);
  grouped = cab_drug_db_get (migrated, "11111111", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (grouped->generic_group, ==, "7");
  g_assert_cmpstr (grouped->generic_label, ==, "Seven");
  g_assert_cmpint (grouped->generic_type, ==, 2);
  alone = cab_drug_db_get (migrated, "33333333", &error);
  g_assert_no_error (error);
  g_assert_null (alone->generic_group);
  g_assert_null (alone->generic_label);
  g_assert_cmpint (alone->generic_type, ==, -1);
}

static void
test_get_details (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDrug) drug = cab_drug_db_get (store, "60002283", &error);
  g_autofree char *dci = NULL;
  const CabDrugPresentation *p;

  g_assert_no_error (error);
  g_assert_cmpstr (drug->name, ==, "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé");
  g_assert_cmpstr (drug->form, ==, "comprimé pelliculé");
  g_assert_cmpstr (drug->routes[0], ==, "orale");
  g_assert_true (drug->commercialised);
  /* Its group read through its CIS_GENER line (migration 20). */
  g_assert_cmpstr (drug->generic_group, ==, "659");
  g_assert_cmpstr (drug->generic_label, ==, "ANASTROZOLE 1 mg - ARIMIDEX 1 mg, comprimé pelliculé.");
  g_assert_cmpint (drug->generic_type, ==, 1);
  dci = cab_drug_dup_dci (drug);
  g_assert_cmpstr (dci, ==, "ANASTROZOLE 1,00 mg");
  p = g_ptr_array_index (drug->presentations, 0);
  g_assert_cmpstr (p->cip13, ==, "3400949497294");
  /* "100%" as published; "65 %" and "65%" both read "65%". */
  g_assert_cmpstr (p->reimbursement_rate, ==, "100%");

  g_assert_null (cab_drug_db_get (store, "99999999", &error));
  g_assert_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (cab_drug_db_get (store, "6000228", &error));
  g_assert_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID);
}

/* -------------------------------------------------------- interactions */

typedef struct
{
  const char *cis_a, *cis_b;
  CabInteractionLevel level;
  const char *thesaurus_a, *thesaurus_b;  /* what matched: a substance or a class */
} PairCase;

/* ZOCOR (simvastatine), CLARITHROMYCINE ACCORD, RAMIPRIL ALMUS,
 * SPIRONOLACTONE CRISTERS, COUMADINE (warfarine), SERTRALINE ALTER,
 * COLCHICINE OPOCALCIUM. */
static const PairCase pair_cases[] = {
  /* substance to substance */
  { "67037301", "68356362", CAB_INTERACTION_CI, "SIMVASTATINE", "CLARITHROMYCINE" },
  /* class to substance */
  { "68356362", "68066715", CAB_INTERACTION_CI, "INHIBITEURS PUISSANTS DU CYP3A4", "COLCHICINE" },
  /* class to class */
  { "63624696", "68916754", CAB_INTERACTION_AD, "INHIBITEURS DE L'ENZYME DE CONVERSION",
    "DIURETIQUES EPARGNEURS DE POTASSIUM (SEULS OU ASSOCIES)" },
  { "64631925", "60863367", CAB_INTERACTION_PE, "ANTICOAGULANTS ORAUX",
    "INHIBITEURS SELECTIFS DE LA RECAPTURE DE LA SEROTONINE" },
  { "68916754", "60863367", CAB_INTERACTION_PC, "HYPONATREMIANTS", "HYPONATREMIANTS" },
};

static void
test_interaction_pairs (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (pair_cases); i++)
    {
      const PairCase *c = &pair_cases[i];
      const char *cis[] = { c->cis_a, c->cis_b, NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(CabDrugInteractionReport) r = cab_drug_check_interactions (store, cis, NULL, &error);
      const CabDrugInteraction *x;

      g_assert_no_error (error);
      g_assert_cmpuint (r->interactions->len, ==, 1);
      x = g_ptr_array_index (r->interactions, 0);
      g_assert_cmpint (x->level, ==, c->level);
      g_assert_cmpstr (x->cis_a, ==, c->cis_a);
      g_assert_cmpstr (x->cis_b, ==, c->cis_b);
      g_assert_cmpstr (x->protagonist_a, ==, c->thesaurus_a);
      g_assert_cmpstr (x->protagonist_b, ==, c->thesaurus_b);
      g_assert_nonnull (x->description);
      g_assert_false (x->b_is_current);
    }
}

static void
test_interaction_none_and_unknown (void)
{
  /* A medicine with itself is no interaction; an unknown CIS is said. */
  const char *cis[] = { "67037301", "67037301", "99999999", NULL };
  g_autoptr(CabDrugInteractionReport) r = cab_drug_check_interactions (store, cis, NULL, NULL);
  const char *bad[] = { "67037301", "ZOCOR", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (r->interactions->len, ==, 0);
  g_assert_cmpuint (r->unchecked->len, ==, 1);
  g_assert_cmpstr (((CabDrugUnchecked *) g_ptr_array_index (r->unchecked, 0))->cis, ==, "99999999");
  g_assert_null (cab_drug_check_interactions (store, bad, NULL, &error));
  g_assert_error (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_INVALID);
}

static void
put_json (CabStore   *s,
          const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (node);
  g_ptr_array_add (records, cab_fhir_record_new_from_json (json_node_get_object (node), &error));
  g_assert_no_error (error);
  g_assert_true (cab_store_put_records (s, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
put_medication (const char *id,
                const char *patient,
                const char *status,
                const char *cis)
{
  g_autofree char *json = g_strdup_printf (
    "{\"resourceType\":\"MedicationRequest\",\"id\":\"%s\",\"meta\":{\"versionId\":\"1\","
    "\"lastUpdated\":\"2026-10-01T10:00:00Z\"},\"status\":\"%s\",\"intent\":\"order\","
    "\"medicationCodeableConcept\":{\"coding\":[{\"system\":"
    "\"http://data.esante.gouv.fr/ansm/medicament/SpecialitePharmaceutique\",\"code\":\"%s\"}]},"
    "\"subject\":{\"reference\":\"Patient/%s\"},\"authoredOn\":\"2026-10-01\"}",
    id, status, cis, patient);

  put_json (store, json);
}

static void
put_allergy (const char *id,
             const char *patient,
             const char *substance,
             const char *type,
             const char *clinical)
{
  g_autofree char *json = g_strdup_printf (
    "{\"resourceType\":\"AllergyIntolerance\",\"id\":\"%s\",\"meta\":{\"versionId\":\"1\","
    "\"lastUpdated\":\"2026-10-01T10:00:00Z\"},\"clinicalStatus\":{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical\",\"code\":\"%s\"}]},"
    "\"type\":\"%s\",\"category\":[\"medication\"],\"criticality\":\"high\","
    "\"code\":{\"text\":\"%s\"},\"patient\":{\"reference\":\"Patient/%s\"}}",
    id, clinical, type, substance, patient);

  put_json (store, json);
}

/* The patient's active treatments take part; completed ones do not. */
static void
test_interaction_current_treatments (void)
{
  const char *cis[] = { "67037301", NULL };   /* ZOCOR */
  g_autoptr(CabDrugInteractionReport) r = NULL;
  const CabDrugInteraction *x;

  put_medication ("mr-clari", "pat-drugs-1", "active", "68356362");
  put_medication ("mr-warfarine-old", "pat-drugs-1", "completed", "64631925");
  put_medication ("mr-uncoded", "pat-drugs-1", "active", "not-a-cis");

  r = cab_drug_check_interactions (store, cis, "pat-drugs-1", NULL);
  g_assert_cmpuint (r->n_current, ==, 2);
  g_assert_cmpuint (r->interactions->len, ==, 1);
  x = g_ptr_array_index (r->interactions, 0);
  g_assert_cmpint (x->level, ==, CAB_INTERACTION_CI);
  g_assert_true (x->b_is_current);
  g_assert_cmpstr (x->b_request_id, ==, "mr-clari");
  g_assert_cmpuint (r->unchecked->len, ==, 1);
  g_assert_cmpstr (((CabDrugUnchecked *) g_ptr_array_index (r->unchecked, 0))->request_id, ==, "mr-uncoded");
}

/* --------------------------------------------------------------- allergies */

static void
test_allergies (void)
{
  const char *amoxicillin[] = { "69166540", NULL };   /* AMOXICILLINE ARROW LAB 1 g */
  const char *simvastatin[] = { "67037301", NULL };
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) by_class = NULL;
  g_autofree char *allergy_id = NULL;
  const CabDrugAllergyMatch *m;

  put_allergy ("al-amox", "pat-drugs-2", "Amoxicilline", "allergy", "active");
  put_allergy ("al-old", "pat-drugs-2", "Simvastatine", "allergy", "resolved");
  put_allergy ("al-lactose", "pat-drugs-2", "Lactose", "intolerance", "active");
  put_allergy ("al-peni", "pat-drugs-3", "Pénicillines", "allergy", "active");

  matches = cab_drug_check_allergies (store, "pat-drugs-2", amoxicillin, NULL);
  g_assert_cmpuint (matches->len, ==, 1);
  m = g_ptr_array_index (matches, 0);
  g_assert_cmpstr (m->allergy->id, ==, "al-amox");
  g_assert_cmpstr (m->cis, ==, "69166540");
  g_assert_false (m->allergy->is_excipient);

  /* A resolved allergy is not one. */
  none = cab_drug_check_allergies (store, "pat-drugs-2", simvastatin, NULL);
  g_assert_cmpuint (none->len, ==, 0);

  /* An allergy to a class (the thesaurus's "PENICILLINES"). */
  by_class = cab_drug_check_allergies (store, "pat-drugs-3", amoxicillin, NULL);
  g_assert_cmpuint (by_class->len, ==, 1);

  /* The excipient intolerance that justifies CIF. */
  g_assert_true (cab_drug_has_excipient_intolerance (store, "pat-drugs-2", NULL, &allergy_id, NULL));
  g_assert_cmpstr (allergy_id, ==, "al-lactose");
  g_assert_true (cab_drug_has_excipient_intolerance (store, "pat-drugs-2", "LACTOSE", NULL, NULL));
  g_assert_false (cab_drug_has_excipient_intolerance (store, "pat-drugs-2", "aspartame", NULL, NULL));
  g_assert_false (cab_drug_has_excipient_intolerance (store, "pat-drugs-3", NULL, NULL, NULL));
}

/* ------------------------------------------------------------- status */

static void
test_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDrugDbStatus) s = cab_drug_db_get_status (store, &error);

  g_assert_no_error (error);
  g_assert_true (s->has_bdpm);
  g_assert_true (s->has_thesaurus);
  g_assert_cmpuint (s->n_drugs, ==, file_report (report, "CIS_bdpm.txt")->n_imported);
  g_assert_cmpuint (s->n_interactions, >, 1000);
  g_assert_cmpuint (s->n_linked_substances, >, 0);
  /* What did not link is listed, never dropped. */
  g_assert_cmpuint (s->unlinked_thesaurus->len, >, 0);
  g_assert_cmpuint (s->unlinked_thesaurus->len, <, s->n_thesaurus_substances);
}

/* Substance keys fold the salt whichever way it is written. */
static void
test_links_salts (void)
{
  static const char * const linked[] = {
    "65265765",   /* ASPIRINE UPSA: "ACÉTYLSALICYLIQUE (ACIDE)", by its substance code */
    "68066715",   /* COLCHICINE */
    "69364999",   /* CHLORHYDRATE D'AMIODARONE */
    "64631925",   /* WARFARINE SODIQUE */
  };

  for (guint i = 0; i < G_N_ELEMENTS (linked); i++)
    {
      g_autoptr(CabDrug) drug = cab_drug_db_get (store, linked[i], NULL);
      gboolean any = FALSE;

      for (guint s = 0; s < drug->substances->len; s++)
        any |= ((CabDrugSubstance *) g_ptr_array_index (drug->substances, s))->thesaurus_name != NULL;
      g_assert_true (any);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* AMLODIPINE ALMUS 5 mg, gélule: the BDPM gives the strength on the moiety
 * (FT "AMLODIPINE 5,00 mg") and none on the salt (SA "BÉSILATE
 * D'AMLODIPINE"); the line in DCI states it. Metformin keeps the salt's
 * strength (1000 mg, what the box says). */
static void
test_label_moiety_strength (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabDrug) amlodipine = cab_drug_db_get (store, "62042102", &error);
  g_autofree char *dci = NULL;
  g_autofree char *tidy = NULL;
  CabMedicine medicine = { 0 };

  g_assert_no_error (error);
  dci = cab_drug_dup_dci (amlodipine);
  g_assert_cmpstr (dci, ==, "AMLODIPINE 5 mg");
  g_assert_true (cab_prescribe_capture_medicine (store, "62042102", &medicine, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (medicine.dci, ==, "amlodipine 5 mg, gélule");
  g_assert_cmpstr (medicine.strength, ==, "5 mg");
  cab_medicine_clear (&medicine);
  g_assert_true (cab_prescribe_capture_medicine (store, "61052830", &medicine, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (medicine.dci, ==, "metformine 1000 mg, comprimé pelliculé sécable");
  cab_medicine_clear (&medicine);

  tidy = cab_drug_strength_tidy ("2,50 mg");
  g_assert_cmpstr (tidy, ==, "2,5 mg");
  g_free (tidy);
  tidy = cab_drug_strength_tidy ("1000 mg");
  g_assert_cmpstr (tidy, ==, "1000 mg");
  g_free (tidy);
  tidy = cab_drug_strength_tidy ("10,0 microgrammes/dose");
  g_assert_cmpstr (tidy, ==, "10 microgrammes/dose");
}

/* Folding: Latin-1 texts take a per-character table, the rest the whole
 * way (NFD, case folding); both give the same, in both modes. */
static void
test_fold (void)
{
  static const struct { const char *text, *folded, *with_date_marks; } cases[] = {
    { "Hélène", "helene", "helene" },
    { "ACÉTATE DE CYPROTÉRONE", "acetate de cyproterone", "acetate de cyproterone" },
    { "ÆSOP œuf Œuvre", "aesop oeuf oeuvre", "aesop oeuf oeuvre" },
    { "straße", "strasse", "strasse" },
    { "1000 µg/4 ml", "1000 μg 4 ml", "1000 μg/4 ml" },
    { "½ dose", "½ dose", "½ dose" },
    { "ØRSTED", "ørsted", "ørsted" },
    { "  A/B-C  12/03/1990 ", "a b c 12 03 1990", "a/b-c 12/03/1990" },
    { "e\xcc\x81" "cole", "ecole", "ecole" },           /* a combining accent: not Latin-1 */
    { "ÉCOLE \xc3", "ecole", "ecole" },                   /* cut in a character */
    { "日本語 Test", "日本語 test", "日本語 test" },
    { "« ÉTÉ » — été", "ete ete", "ete ete" },
    { "", "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folded = cab_store_fold (cases[i].text, FALSE);
      g_autofree char *with_date_marks = cab_store_fold (cases[i].text, TRUE);

      g_assert_cmpstr (folded, ==, cases[i].folded);
      g_assert_cmpstr (with_date_marks, ==, cases[i].with_date_marks);
    }
}

int
main (int argc, char **argv)
{
  const char *data = g_getenv ("CABINET_DRUG_DATA");
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (data == NULL || !g_file_test (data, G_FILE_TEST_IS_DIR))
    g_error ("The reference data (bdpm-2022-06/, ansm-interactions-2016-08/) is not at "
             "CABINET_DRUG_DATA=%s: set the meson option drug_data", data ? data : "(unset)");
  bdpm_dir = g_build_filename (data, "bdpm-2022-06", NULL);
  thesaurus_dir = g_build_filename (data, "ansm-interactions-2016-08", NULL);
  tmp_dir = g_dir_make_tmp ("test-drugs-XXXXXX", &error);
  g_assert_no_error (error);

  /* Once for the whole program: the release as published. */
  store = open_store ("store.db");
  cab_drug_import_report_free (cab_drug_import_thesaurus (store, thesaurus_dir, &error));
  g_assert_no_error (error);
  report = cab_drug_import_bdpm (store, bdpm_dir, &error);
  g_assert_no_error (error);

  g_test_add_func ("/drugs/fold", test_fold);
  g_test_add_func ("/drugs/import/counts", test_import_counts);
  g_test_add_func ("/drugs/import/malformed-listed", test_import_malformed_listed);
  g_test_add_func ("/drugs/import/utf8-identical", test_import_utf8_identical);
  g_test_add_func ("/drugs/import/broken", test_import_broken);
  g_test_add_func ("/drugs/search/table", test_search_table);
  g_test_add_func ("/drugs/search/salt-in-parentheses", test_search_salt_in_parentheses);
  g_test_add_func ("/drugs/get", test_get_details);
  g_test_add_func ("/drugs/get/two-groups", test_get_two_groups);
  g_test_add_func ("/drugs/get/generic-migration", test_generic_migration);
  g_test_add_func ("/drugs/links/salts", test_links_salts);
  g_test_add_func ("/drugs/interactions/pairs", test_interaction_pairs);
  g_test_add_func ("/drugs/interactions/none-and-unknown", test_interaction_none_and_unknown);
  g_test_add_func ("/drugs/interactions/current-treatments", test_interaction_current_treatments);
  g_test_add_func ("/drugs/allergies", test_allergies);
  g_test_add_func ("/drugs/status", test_status);
  g_test_add_func ("/drugs/label/moiety-strength", test_label_moiety_strength);
  status = g_test_run ();

  cab_drug_import_report_free (report);
  g_clear_object (&store);
  remove_tree (tmp_dir);
  g_free (bdpm_dir);
  g_free (thesaurus_dir);
  g_free (tmp_dir);
  return status;
}
