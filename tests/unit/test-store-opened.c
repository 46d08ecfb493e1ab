/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store-opened"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cab-store-opened.h"

static guint
count_audit (const char *path,
             const char *patient_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM audit WHERE action = 'patient-open'"
                                       " AND resource_type = 'Patient' AND resource_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Each opening returns the one before and is traced. */
static void
test_opened (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-test-opened-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cabinet.db", NULL);
  g_autoptr(CabStore) store = NULL;
  /* Not owned: the call must overwrite it (with NULL) without freeing it. */
  char *previous = (char *) "sentinel";
  g_autofree char *first = NULL;
  g_autofree char *now = NULL;

  g_assert_no_error (error);
  store = cab_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_null (cab_store_get_patient_opened (store, "p1", &error));
  g_assert_no_error (error);

  g_assert_true (cab_store_mark_patient_synced (store, "p1", "2026-01-02T03:04:05Z", &error));
  g_assert_no_error (error);

  g_assert_true (cab_store_mark_patient_opened (store, "p1", "2026-02-01T10:00:00Z", &previous, &error));
  g_assert_no_error (error);
  g_assert_null (previous);

  g_assert_true (cab_store_mark_patient_opened (store, "p1", "2026-03-01T10:00:00Z", &first, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "2026-02-01T10:00:00Z");

  /* NULL: now. */
  g_assert_true (cab_store_mark_patient_opened (store, "p1", NULL, NULL, &error));
  g_assert_no_error (error);
  now = cab_store_get_patient_opened (store, "p1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (now);
  g_assert_cmpstr (now, >, "2026-03-01T10:00:00Z");

  g_assert_cmpuint (count_audit (path, "p1"), ==, 3);
  g_assert_cmpuint (count_audit (path, "p2"), ==, 0);

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-opened/mark", test_opened);

  return g_test_run ();
}
