/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The drug database over the real June 2022 BDPM release and the ANSM
 * thesaurus ($CABINET_DRUG_DATA):
 * - the full import, against a bare SQLite bulk insert of the same rows
 *   (decoded and split here, plain tables, no index) in the same run;
 * - search per keystroke, every prefix of real queries, against a bare
 *   LIKE scan of the medicines' names;
 * - the interaction check of a 10-line prescription against 15 current
 *   treatments, against reading the same 25 medicines' compositions; with
 *   the thread's CPU time per check and the checks the scheduler took the
 *   core from (involuntary context switches), whose wall time is a wait
 *   for a core, not the check's (a loaded machine's p95).
 * Prints figures and ratios; never fails on a timing.
 * "bench-drugs interactions [RUNS]": one import, then the interaction
 * check alone, RUNS times its 200 checks (a profiler, a busy machine);
 * "bench-drugs search": one import, then the search alone.
 */
#define _GNU_SOURCE  /* RUSAGE_THREAD */
#define G_LOG_DOMAIN "cab-bench"

#include <math.h>
#include <sys/resource.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cab-drug-db.h"
#include "cab-drug-import.h"
#include "cab-drug-interactions.h"
#include "cab-store.h"

/* Runs alternate ours and the baseline; the best of each is the figure
 * least disturbed by a loaded machine, the median is printed beside it. */
static guint import_runs = 5;
#define CHECK_RUNS  200
static guint check_rounds = 1;

static const struct { const char *file; guint columns; } files[] = {
  { "CIS_bdpm.txt", 12 }, { "CIS_CIP_bdpm.txt", 13 }, { "CIS_COMPO_bdpm.txt", 8 },
  { "CIS_GENER_bdpm.txt", 5 }, { "CIS_CPD_bdpm.txt", 2 },
};

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *samples,
            double  p)
{
  guint i;

  g_array_sort (samples, compare_double);
  i = (guint) ceil (p * samples->len) - 1;
  return g_array_index (samples, double, MIN (i, samples->len - 1));
}

static double
best (GArray *samples)
{
  g_array_sort (samples, compare_double);
  return g_array_index (samples, double, 0);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *name,
        GArray     *samples,
        GArray     *baseline,
        const char *goal)
{
  double p50 = percentile (samples, 0.50), p95 = percentile (samples, 0.95);
  double b50 = percentile (baseline, 0.50), b95 = percentile (baseline, 0.95);

  g_print ("%s p50=%.2fms p95=%.2fms ratio_to_baseline=%.1f (baseline p50=%.2fms p95=%.2fms, n=%u) goal: %s\n",
           name, p50, p95, b50 > 0 ? p50 / b50 : 0.0, b50, b95, samples->len, goal);
}

/* CPU time of the process (user + system), in ms: steadier than the wall
 * clock on a shared machine, and both imports run on this thread. */
static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* The calling thread's CPU time (getrusage's counts in scheduler ticks)
 * and its involuntary context switches so far. */
static double
thread_cpu_ms (glong *involuntary)
{
  struct rusage usage;
  struct timespec ts;

  getrusage (RUSAGE_THREAD, &usage);
  *involuntary = usage.ru_nivcsw;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static char *
tmp_path (const char *dir,
          const char *name,
          guint       run)
{
  g_autofree char *base = g_strdup_printf ("%s-%u.db", name, run);

  return g_build_filename (dir, base, NULL);
}

/* The baseline: the same files decoded (iconv through g_convert), split on
 * line ends and tabs, inserted row by row into plain tables in one
 * transaction, with the store's pragmas. */
static double
bare_import (const char *bdpm,
             const char *path)
{
  sqlite3 *db;
  double start = now_ms ();

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *file = g_build_filename (bdpm, files[f].file, NULL);
      g_autofree char *raw = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GString) sql = g_string_new (NULL);
      sqlite3_stmt *stmt;
      gsize length;
      char *line, *next;

      g_assert_true (g_file_get_contents (file, &raw, &length, NULL));
      text = g_convert (raw, length, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
      g_assert_nonnull (text);
      g_string_printf (sql, "CREATE TABLE t%u (", f);
      for (guint c = 0; c < files[f].columns; c++)
        g_string_append_printf (sql, "%sc%u TEXT", c ? ", " : "", c);
      g_string_append (sql, ")");
      sqlite3_exec (db, sql->str, NULL, NULL, NULL);
      g_string_printf (sql, "INSERT INTO t%u VALUES (", f);
      for (guint c = 0; c < files[f].columns; c++)
        g_string_append (sql, c ? ", ?" : "?");
      g_string_append (sql, ")");
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL), ==, SQLITE_OK);
      for (line = text; line != NULL && *line != '\0'; line = next)
        {
          char *end = strpbrk (line, "\r\n");
          char *field = line;

          next = end;
          if (end != NULL)
            {
              next = end + 1 + (end[0] == '\r' && end[1] == '\n');
              *end = '\0';
            }
          if (*line == '\0')
            continue;
          for (guint c = 0; c < files[f].columns; c++)
            {
              char *tab = field != NULL ? strchr (field, '\t') : NULL;

              if (tab != NULL)
                *tab = '\0';
              sqlite3_bind_text (stmt, c + 1, field, -1, SQLITE_STATIC);
              field = tab != NULL ? tab + 1 : NULL;
            }
          sqlite3_step (stmt);
          sqlite3_reset (stmt);
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  return now_ms () - start;
}

static void
checkpoint (const char *path)
{
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static CabStore *
bench_import (const char *dir,
              const char *bdpm,
              const char *thesaurus)
{
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ours_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  CabStore *kept = NULL;

  for (guint run = 0; run < import_runs; run++)
    {
      g_autofree char *path = tmp_path (dir, "store", run);
      g_autofree char *bare_path = tmp_path (dir, "bare", run);
      g_autoptr(CabStore) store = cab_store_open (path, NULL);
      g_autoptr(GError) error = NULL;
      double start, elapsed, cpu;

      g_assert_nonnull (store);
      cab_drug_import_report_free (cab_drug_import_thesaurus (store, thesaurus, &error));
      g_assert_no_error (error);
      /* Both start from an empty write-ahead log: the bare insert's file is
       * new, the store's log holds its schema and the thesaurus, which the
       * import's commit would otherwise copy into the file too. */
      checkpoint (path);
      start = now_ms ();
      cpu = cpu_ms ();
      cab_drug_import_report_free (cab_drug_import_bdpm (store, bdpm, &error));
      elapsed = now_ms () - start;
      cpu = cpu_ms () - cpu;
      g_assert_no_error (error);
      g_array_append_val (ours, elapsed);
      g_array_append_val (ours_cpu, cpu);

      cpu = cpu_ms ();
      elapsed = bare_import (bdpm, bare_path);
      cpu = cpu_ms () - cpu;
      g_array_append_val (bare, elapsed);
      g_array_append_val (bare_cpu, cpu);
      if (run == import_runs - 1)
        kept = g_steal_pointer (&store);
    }
  report ("import_bdpm (wall)", ours, bare, "ratio <= 2");
  report ("import_bdpm (cpu)", ours_cpu, bare_cpu, "ratio <= 2");
  g_print ("import_bdpm best of %u: wall %.0fms vs %.0fms ratio=%.2f; cpu %.0fms vs %.0fms ratio=%.2f\n",
           import_runs, best (ours), best (bare),
           best (ours) / best (bare), best (ours_cpu),
           best (bare_cpu), best (ours_cpu) / best (bare_cpu));
  return kept;
}

static const char * const typed[] = {
  "metformine", "doliprane", "amoxicilline", "paracetamol 1000", "levothyrox",
  "kardegic", "3400949497294", "acide acetylsalicylique", "simvastatine 20",
  "lévothyroxine", "ibuprofene 400", "glucophage",
};

static void
bench_search (CabStore   *store,
              const char *path)
{
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db;
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT cis, name FROM drugs WHERE name LIKE ?"
                                           " ORDER BY commercialised DESC, name LIMIT 20",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint round = 0; round < 3; round++)
    for (guint q = 0; q < G_N_ELEMENTS (typed); q++)
      for (glong n = 1; n <= g_utf8_strlen (typed[q], -1); n++)
        {
          g_autofree char *prefix = g_utf8_substring (typed[q], 0, n);
          g_autofree char *like = g_strdup_printf ("%%%s%%", prefix);
          g_autoptr(GPtrArray) results = NULL;
          double start = now_ms (), elapsed;

          results = cab_drug_db_search (store, prefix, 20, NULL);
          elapsed = now_ms () - start;
          g_assert_nonnull (results);
          g_array_append_val (ours, elapsed);

          start = now_ms ();
          sqlite3_bind_text (stmt, 1, like, -1, SQLITE_STATIC);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            ;
          sqlite3_reset (stmt);
          elapsed = now_ms () - start;
          g_array_append_val (bare, elapsed);
        }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  report ("search_keystroke", ours, bare, "p95 <= 10 ms");
}

static const char * const new_lines[] = {
  "69166540", "61158602", "62611169", "62514713", "65009278",
  "61471344", "62005883", "60152411", "68356362", "68066715", NULL,
};
static const char * const current[] = {
  "69065160", "69739716", "65602428", "63787647", "62042102", "60168465", "62782120",
  "64740636", "68125932", "62080626", "66720194", "63076303", "61902218", "60863367",
  "64631925",
};

static void
bench_interactions (CabStore   *store,
                    const char *path)
{
  g_autoptr(GArray) ours = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) undisturbed = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autofree char *loadavg = NULL;
  guint found = 0;
  sqlite3 *db;
  sqlite3_stmt *stmt;

  for (guint i = 0; i < G_N_ELEMENTS (current); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"resourceType\":\"MedicationRequest\",\"id\":\"mr-%u\",\"status\":\"active\","
        "\"intent\":\"order\",\"medicationCodeableConcept\":{\"coding\":[{\"code\":\"%s\"}]},"
        "\"subject\":{\"reference\":\"Patient/pat-bench\"},\"authoredOn\":\"2026-10-01\"}",
        i, current[i]);
      g_autoptr(JsonNode) node = json_from_string (json, NULL);

      g_ptr_array_add (records, cab_fhir_record_new_from_json (json_node_get_object (node), NULL));
    }
  g_assert_true (cab_store_put_records (store, records, NULL, NULL, NULL));

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT substance_key FROM drug_compositions WHERE cis = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint run = 0; run < CHECK_RUNS * check_rounds; run++)
    {
      g_autoptr(CabDrugInteractionReport) r = NULL;
      glong switches_before, switches_after;
      double cpu_start = thread_cpu_ms (&switches_before);
      double start = now_ms (), elapsed, cpu_elapsed;

      r = cab_drug_check_interactions (store, new_lines, "pat-bench", NULL);
      elapsed = now_ms () - start;
      cpu_elapsed = thread_cpu_ms (&switches_after) - cpu_start;
      g_assert_nonnull (r);
      g_assert_cmpuint (r->n_current, ==, G_N_ELEMENTS (current));
      found = r->interactions->len;
      g_array_append_val (ours, elapsed);
      g_array_append_val (cpu, cpu_elapsed);
      if (switches_after == switches_before)
        g_array_append_val (undisturbed, elapsed);

      start = now_ms ();
      for (guint i = 0; i < 25; i++)
        {
          sqlite3_bind_text (stmt, 1, i < 10 ? new_lines[i] : current[i - 10], -1, SQLITE_STATIC);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            ;
          sqlite3_reset (stmt);
        }
      elapsed = now_ms () - start;
      g_array_append_val (bare, elapsed);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_print ("interactions found: %u\n", found);
  report ("interaction_check_10_vs_15", ours, bare, "p95 <= 5 ms");
  g_print ("interaction_check_10_vs_15 thread CPU p50=%.2fms p95=%.2fms;"
           " checks the scheduler never interrupted: %u of %u, wall p50=%.2fms p95=%.2fms\n",
           percentile (cpu, 0.50), percentile (cpu, 0.95), undisturbed->len, ours->len,
           undisturbed->len > 0 ? percentile (undisturbed, 0.50) : 0.0,
           undisturbed->len > 0 ? percentile (undisturbed, 0.95) : 0.0);
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    g_print ("load average: %s", loadavg);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  const char *data = g_getenv ("CABINET_DRUG_DATA");
  g_autofree char *bdpm = NULL;
  g_autofree char *thesaurus = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(CabStore) store = NULL;

  if (data == NULL || !g_file_test (data, G_FILE_TEST_IS_DIR))
    g_error ("The reference data is not at CABINET_DRUG_DATA: set the meson option drug_data");
  bdpm = g_build_filename (data, "bdpm-2022-06", NULL);
  thesaurus = g_build_filename (data, "ansm-interactions-2016-08", NULL);
  dir = g_dir_make_tmp ("bench-drugs-XXXXXX", NULL);

  /* "import [RUNS]" alone: for a profiler (perf record -g), or more runs
   * on a busy machine. */
  if (argc > 1 && (g_str_equal (argv[1], "interactions") || g_str_equal (argv[1], "search")))
    {
      import_runs = 1;
      if (argc > 2)
        check_rounds = CLAMP (g_ascii_strtoull (argv[2], NULL, 10), 1, 100);
    }
  else if (argc > 2)
    import_runs = CLAMP (g_ascii_strtoull (argv[2], NULL, 10), 1, 100);
  store = bench_import (dir, bdpm, thesaurus);
  if (argc < 2 || !g_str_equal (argv[1], "import"))
    {
      if (argc < 2 || !g_str_equal (argv[1], "interactions"))
        bench_search (store, cab_store_get_path (store));
      if (argc < 2 || !g_str_equal (argv[1], "search"))
        bench_interactions (store, cab_store_get_path (store));
    }

  g_clear_object (&store);
  remove_tree (dir);
  return 0;
}
