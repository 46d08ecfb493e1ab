/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "cab-store.h"

/* ------------------------------------------------------------------ */
/* Records built by hand                                                */
/* ------------------------------------------------------------------ */

static CabFhirRecord *
make_record (CabResourceKind  kind,
             const char      *type,
             const char      *id,
             const char      *patient_id,
             const char      *version,
             const char      *last_updated)
{
  CabFhirRecord *r = g_new0 (CabFhirRecord, 1);

  r->kind = kind;
  r->type = g_strdup (type);
  r->id = g_strdup (id);
  r->patient_id = g_strdup (patient_id);
  r->version_id = g_strdup (version);
  r->last_updated = g_strdup (last_updated);
  r->json = g_strdup_printf ("{\"resourceType\":\"%s\",\"id\":\"%s\","
                             "\"meta\":{\"versionId\":\"%s\",\"lastUpdated\":\"%s\"}}",
                             type, id ? id : "", version ? version : "", last_updated ? last_updated : "");
  return r;
}

static CabFhirRecord *
make_patient (const char *id,
              const char *family,
              const char *birth_name,
              const char *given,
              const char *birth_date,
              const char *ins,
              const char *version,
              const char *last_updated)
{
  CabFhirRecord *r = make_record (CAB_RESOURCE_PATIENT, "Patient", id, id, version, last_updated);

  r->patient = g_new0 (CabPatient, 1);
  r->patient->family = g_strdup (family);
  r->patient->birth_name = g_strdup (birth_name);
  r->patient->given = g_strdup (given);
  r->patient->birth_date = g_strdup (birth_date);
  r->patient->ins = g_strdup (ins);
  r->patient->identity_status = g_strdup (ins != NULL ? "QUAL" : "PROV");
  r->patient->sex = g_strdup ("female");
  return r;
}

static CabFhirRecord *
make_document (const char *id,
               const char *patient_id,
               const char *title,
               const char *author,
               const char *date,
               const char *category,
               const char *type_code,
               const char *study_uid,
               gboolean    is_kos)
{
  CabFhirRecord *r = make_record (CAB_RESOURCE_DOCUMENT_REFERENCE, "DocumentReference",
                                  id, patient_id, "1", "2024-01-01T00:00:00Z");

  r->document = g_new0 (CabDocument, 1);
  r->document->status = g_strdup ("current");
  r->document->title = g_strdup (title);
  r->document->author_display = g_strdup (author);
  r->document->custodian_display = g_strdup ("Hôpital Saint-Éloi");
  r->document->date = g_strdup (date);
  r->document->category_code = g_strdup (category);
  r->document->type_code = g_strdup (type_code);
  r->document->study_uid = g_strdup (study_uid);
  r->document->is_kos = is_kos;
  r->document->content_type = g_strdup (is_kos ? "application/dicom" : "application/pdf");
  r->document->size = 1234;
  r->document->hash = g_strdup ("aGFzaA==");
  return r;
}

static CabObservationValue *
make_value (const char *code,
            const char *effective,
            double      value,
            const char *document_id)
{
  CabObservationValue *v = g_new0 (CabObservationValue, 1);

  v->code = g_strdup (code);
  v->display = g_strdup ("HbA1c");
  v->effective = g_strdup (effective);
  v->value = value;
  v->unit = g_strdup ("%");
  v->low = 4.0;
  v->high = NAN;
  v->document_id = g_strdup (document_id);
  return v;
}

static CabFhirRecord *
make_observation (const char *id,
                  const char *patient_id,
                  const char *version,
                  ...)
{
  CabFhirRecord *r = make_record (CAB_RESOURCE_OBSERVATION, "Observation", id, patient_id,
                                  version, "2024-01-01T00:00:00Z");
  va_list ap;
  CabObservationValue *v;

  r->observation_values = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_observation_value_free);
  va_start (ap, version);
  while ((v = va_arg (ap, CabObservationValue *)) != NULL)
    g_ptr_array_add (r->observation_values, v);
  va_end (ap);
  return r;
}

static GPtrArray *
records_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
}

static void
put (CabStore *store,
     ...)
{
  g_autoptr(GPtrArray) records = records_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;
  CabFhirRecord *r;

  va_start (ap, store);
  while ((r = va_arg (ap, CabFhirRecord *)) != NULL)
    g_ptr_array_add (records, r);
  va_end (ap);

  cab_store_put_records (store, records, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Fixture: a store in a fresh directory                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  char     *dir;
  char     *path;
  CabStore *store;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
      rm_rf (child);
      g_object_unref (info);
    }
  g_remove (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "data", "cabinet", "cabinet.db", NULL);
  f->store = cab_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static char *
sql_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

static void
sql_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* SQLite 3.40's FTS5 integrity-check does not compare an external-content
 * index with its content: rebuild the index from the content in a temporary
 * table and compare both, term by term (documents and occurrences). */
static void
assert_fts_matches_content (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *sql =
    "CREATE VIRTUAL TABLE temp.fresh USING fts5 (title, author, custodian, text,"
    "  tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO temp.fresh (rowid, title, author, custodian, text)"
    "  SELECT docid, title, author, custodian, text FROM documents_fts_content;"
    "CREATE VIRTUAL TABLE temp.v_fresh USING fts5vocab (temp, fresh, row);"
    "CREATE VIRTUAL TABLE temp.v_main USING fts5vocab (main, documents_fts, row);";

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM ("
                                       " SELECT * FROM (SELECT term, doc, cnt FROM v_main EXCEPT SELECT term, doc, cnt FROM v_fresh)"
                                       " UNION ALL"
                                       " SELECT * FROM (SELECT term, doc, cnt FROM v_fresh EXCEPT SELECT term, doc, cnt FROM v_main))",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static char *
ids_of (GPtrArray *rows,
        gboolean   patients)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      const char *id = patients ? ((CabPatientRow *) rows->pdata[i])->id
                                : ((CabDocumentRow *) rows->pdata[i])->id;
      g_string_append_printf (s, "%s%s", i ? " " : "", id);
    }
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Opening and migrations                                               */
/* ------------------------------------------------------------------ */

static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *mode = NULL;
  g_autofree char *fk = NULL;
  g_autofree char *default_path = cab_store_default_path ();
  GStatBuf st;

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  mode = sql_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (cab_store_get_schema_version (f->store), >=, 1);
  g_assert_cmpstr (cab_store_get_path (f->store), ==, f->path);

  g_assert_true (g_str_has_suffix (default_path, "/cabinet/cabinet.db"));
  g_assert_true (g_str_has_prefix (default_path, g_get_user_data_dir ()));

  /* A store left readable by others is made private again. */
  g_clear_object (&f->store);
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);
  f->store = cab_store_open (f->path, NULL);
  g_assert_nonnull (f->store);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_migrations (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) newer = NULL;
  g_autofree char *json = NULL;
  g_autofree char *version = NULL;
  int schema = cab_store_get_schema_version (f->store);

  put (f->store, make_patient ("p1", "Lefèvre", NULL, "Hélène", "1954-03-12", NULL, "1", "2024-01-01"), NULL);
  g_clear_object (&f->store);

  /* Reopening migrates nothing and keeps the data. */
  f->store = cab_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cab_store_get_schema_version (f->store), ==, schema);
  json = cab_store_get_resource_json (f->store, "Patient", "p1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (json, "\"p1\""));
  version = sql_text (f->path, "PRAGMA user_version");
  g_assert_cmpint (atoi (version), ==, schema);
  g_clear_object (&f->store);

  /* A store from a newer Cabinet is refused, not damaged. */
  sql_exec (f->path, "PRAGMA user_version = 999");
  newer = cab_store_open (f->path, &error);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_MIGRATION);
  g_assert_null (newer);
  g_clear_error (&error);

  g_clear_pointer (&version, g_free);
  version = sql_text (f->path, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "999");

  /* Not a store at all. */
  {
    g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
    g_autoptr(CabStore) bad = NULL;

    g_assert_true (g_file_set_contents (junk, "this is not an SQLite database, not at all, really not", -1, NULL));
    bad = cab_store_open (junk, &error);
    g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_CORRUPT);
    g_assert_null (bad);
    g_clear_error (&error);
  }
}

/* ------------------------------------------------------------------ */
/* Writing records                                                      */
/* ------------------------------------------------------------------ */

static void
test_put_atomic (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = records_new ();
  g_autoptr(GPtrArray) bad = records_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = NULL;
  g_autofree char *state = NULL;
  g_autofree char *missing = NULL;

  g_ptr_array_add (batch, make_patient ("p1", "Dupont", NULL, "Jean", "1980-01-05", NULL, "1", "2024-01-01"));
  g_ptr_array_add (batch, make_document ("d1", "p1", "Compte rendu", "Dr A", "2024-01-02", "10", "11488-4", NULL, FALSE));
  g_assert_true (cab_store_put_records (f->store, batch, "patients", "cursor-1", &error));
  g_assert_no_error (error);
  state = cab_store_get_state (f->store, "patients");
  g_assert_cmpstr (state, ==, "cursor-1");

  /* A failure mid-batch leaves neither the batch nor its state. */
  g_ptr_array_add (bad, make_patient ("p2", "Martin", NULL, "Paul", "1970-02-02", NULL, "1", "2024-01-01"));
  g_ptr_array_add (bad, make_document ("d2", "p2", "Lettre", "Dr B", "2024-01-03", "10", "11490-0", NULL, FALSE));
  g_ptr_array_add (bad, make_document (NULL, "p2", "Sans id", "Dr B", "2024-01-03", "10", "11490-0", NULL, FALSE));
  g_assert_false (cab_store_put_records (f->store, bad, "patients", "cursor-2", &error));
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_SQL);
  g_clear_error (&error);

  g_clear_pointer (&state, g_free);
  state = cab_store_get_state (f->store, "patients");
  g_assert_cmpstr (state, ==, "cursor-1");
  g_assert_cmpuint (cab_store_count_patients (f->store), ==, 1);
  missing = cab_store_get_resource_json (f->store, "Patient", "p2", &error);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);

  counts = cab_store_count_by_type (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "Patient")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "DocumentReference")), ==, 1);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 2);

  /* The store still works after the failed batch. */
  g_assert_true (cab_store_set_state (f->store, "patients", "cursor-3", &error));
  g_assert_no_error (error);
  g_clear_pointer (&state, g_free);
  state = cab_store_get_state (f->store, "patients");
  g_assert_cmpstr (state, ==, "cursor-3");
  g_assert_null (cab_store_get_state (f->store, "nothing"));
}

static void
test_versions (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CabPatientRow *row;

  put (f->store, make_patient ("p1", "Version2", NULL, "A", NULL, NULL, "2", "2024-02-01T10:00:00Z"), NULL);
  put (f->store, make_patient ("p1", "Version1", NULL, "A", NULL, NULL, "1", "2024-01-01T10:00:00Z"), NULL);
  row = cab_store_get_patient (f->store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->patient.family, ==, "Version2");
  cab_patient_row_free (row);

  /* Same instant: versionId decides, as a number ("10" > "9"). */
  put (f->store, make_patient ("p1", "Version10", NULL, "A", NULL, NULL, "10", "2024-02-01T10:00:00Z"), NULL);
  put (f->store, make_patient ("p1", "Version9", NULL, "A", NULL, NULL, "9", "2024-02-01T10:00:00Z"), NULL);
  row = cab_store_get_patient (f->store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->patient.family, ==, "Version10");
  g_assert_cmpstr (row->last_updated, ==, "2024-02-01T10:00:00Z");
  cab_patient_row_free (row);

  put (f->store, make_patient ("p1", "Version11", NULL, "A", NULL, NULL, "11", "2024-03-01T10:00:00Z"), NULL);
  row = cab_store_get_patient (f->store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->patient.family, ==, "Version11");
  cab_patient_row_free (row);

  row = cab_store_get_patient (f->store, "nobody", &error);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_assert_null (row);
}

/* ------------------------------------------------------------------ */
/* Patients                                                             */
/* ------------------------------------------------------------------ */

static char *
search (CabStore   *store,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_store_search_patients (store, query, 50, &error);

  g_assert_no_error (error);
  return ids_of (rows, TRUE);
}

#define assert_search(store, query, expected) G_STMT_START { \
  g_autofree char *got_ = search (store, query);             \
  g_assert_cmpstr (got_, ==, expected);                      \
} G_STMT_END

static void
test_search_patients (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) all = NULL;
  CabPatientRow *row;

  put (f->store,
       make_patient ("p1", "Lefèvre", "Moreau", "Hélène Marie", "1954-03-12", "254037512345678", "1", "2024-01-01"),
       make_patient ("p2", "Dupont", NULL, "Jean-Pierre", "1980-01-05", "180017512345611", "1", "2024-01-01"),
       make_patient ("p3", "Dupont", "Martin", "Zoé", "1954-11-30", NULL, "1", "2024-01-01"),
       make_patient ("p4", "Durand", NULL, "Œdipe", "2001-03-12", "101032A12345622", "1", "2024-01-01"),
       NULL);

  assert_search (f->store, "helene", "p1");
  assert_search (f->store, "HÉLÈNE", "p1");
  assert_search (f->store, "lefevre", "p1");
  assert_search (f->store, "lef", "p1");
  assert_search (f->store, "moreau", "p1");       /* birth name */
  assert_search (f->store, "marie", "p1");        /* second given name */
  assert_search (f->store, "12/03/1954", "p1");
  assert_search (f->store, "1954-03-12", "p1");
  assert_search (f->store, "03/1954", "p1");
  assert_search (f->store, "12/03", "p4 p1");     /* sorted by family: Durand before Lefèvre */
  assert_search (f->store, "1954", "p3 p1");
  assert_search (f->store, "2540375", "p1");      /* INS prefix */
  assert_search (f->store, "2 54 03 75 123", "p1"); /* INS typed in groups */
  assert_search (f->store, "75123", "");          /* not a prefix */
  assert_search (f->store, "1010 32a", "p4");     /* Corsica */
  assert_search (f->store, "dupont", "p2 p3");
  assert_search (f->store, "dupont zoe", "p3");   /* several words: all must match */
  assert_search (f->store, "zoe dupont", "p3");
  assert_search (f->store, "dupont 1980", "p2");
  assert_search (f->store, "jean-pierre", "p2");
  assert_search (f->store, "pierre", "p2");
  assert_search (f->store, "martin", "p3");
  assert_search (f->store, "oedipe", "p4");
  assert_search (f->store, "upont", "");          /* words match by prefix */
  assert_search (f->store, "dupont helene", "");
  assert_search (f->store, "'%_\"", "p2 p3 p4 p1"); /* no word: everyone, no SQL trouble */
  assert_search (f->store, "", "p2 p3 p4 p1");

  all = cab_store_search_patients (f->store, NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);

  row = cab_store_find_patient_by_ins (f->store, "2 54 03 75 123 456 78", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->id, ==, "p1");
  g_assert_cmpstr (row->patient.given, ==, "Hélène Marie");
  g_assert_cmpstr (row->patient.identity_status, ==, "QUAL");
  g_assert_null (row->synced_at);
  cab_patient_row_free (row);

  row = cab_store_find_patient_by_ins (f->store, "101032a12345622", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->id, ==, "p4");
  cab_patient_row_free (row);

  g_assert_true (cab_store_mark_patient_synced (f->store, "p1", "2024-05-01T08:00:00Z", &error));
  g_assert_no_error (error);
  row = cab_store_get_patient (f->store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->synced_at, ==, "2024-05-01T08:00:00Z");
  cab_patient_row_free (row);

  ids = cab_store_list_patient_ids (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 4);
  g_assert_cmpstr (ids->pdata[0], ==, "p1");
  g_assert_cmpuint (cab_store_count_patients (f->store), ==, 4);
}

/* ------------------------------------------------------------------ */
/* Documents                                                            */
/* ------------------------------------------------------------------ */

static void
put_timeline (CabStore *store)
{
  CabFhirRecord *undated = make_document ("d6", "p1", "Ancienne lettre", "Dr Roux", NULL, "10", "11490-0", NULL, FALSE);

  g_clear_pointer (&undated->document->date, g_free);
  undated->document->period_start = g_strdup ("2019-03-03");

  put (store,
       make_document ("d1", "p1", "Compte rendu de consultation", "Dr Hélène Martin", "2020-01-10", "10", "11488-4", NULL, FALSE),
       make_document ("d0", "p1", "Certificat médical", "Dr Paul Roux", "2020-01-10", "10", "89601-9", NULL, FALSE),
       make_document ("d2", "p1", "Bilan biologique", "Laboratoire Cerballiance", "2021-05-03", "10", "11502-2", NULL, FALSE),
       make_document ("d3", "p1", "Radiographie du thorax", "Dr Imagerie", "2022-07-01T10:00:00+02:00", "10", "18748-4", "1.2.3", FALSE),
       make_document ("d4", "p1", "Images radiographie du thorax", "Dr Imagerie", "2022-07-01T09:00:00+02:00", "31", "IMG-KOS", "1.2.3", TRUE),
       make_document ("d5", "p1", "Images sans compte rendu", "Dr Imagerie", "2022-01-01", "31", "IMG-KOS", "9.9.9", TRUE),
       undated,
       make_document ("e1", "p2", "Radiographie du genou", "Dr Imagerie", "2023-01-01", "10", "18748-4", NULL, FALSE),
       NULL);
}

static char *
timeline (CabStore                *store,
          const CabTimelineFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_store_list_timeline (store, "p1", filter, &error);

  g_assert_no_error (error);
  return ids_of (rows, FALSE);
}

#define assert_timeline(store, filter, expected) G_STMT_START { \
  g_autofree char *got_ = timeline (store, filter);            \
  g_assert_cmpstr (got_, ==, expected);                        \
} G_STMT_END

static void
test_timeline (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CabTimelineFilter filter = { 0 };
  CabDocumentRow *row;

  put_timeline (f->store);

  /* Newest first, ties by id, the KOS folded into its report (an orphan KOS stays). */
  assert_timeline (f->store, NULL, "d3 d5 d2 d0 d1 d6");

  rows = cab_store_list_timeline (f->store, "p1", NULL, &error);
  g_assert_no_error (error);
  row = rows->pdata[0];
  g_assert_cmpstr (row->kos_id, ==, "d4");
  g_assert_cmpstr (row->sort_date, ==, "2022-07-01T10:00:00+02:00");
  g_assert_cmpstr (row->origin, ==, "dmp");
  g_assert_cmpstr (row->document.title, ==, "Radiographie du thorax");
  g_assert_cmpstr (row->document.custodian_display, ==, "Hôpital Saint-Éloi");
  g_assert_cmpint (row->document.size, ==, 1234);
  g_assert_false (row->document.is_kos);
  g_assert_null (row->local_path);
  row = rows->pdata[5];
  g_assert_cmpstr (row->sort_date, ==, "2019-03-03");
  g_assert_null (row->kos_id);

  filter.include_kos = TRUE;
  assert_timeline (f->store, &filter, "d3 d4 d5 d2 d0 d1 d6");
  filter.include_kos = FALSE;

  filter.category_code = "31";
  assert_timeline (f->store, &filter, "d5");
  filter.category_code = NULL;

  filter.type_code = "11488-4";
  assert_timeline (f->store, &filter, "d1");
  filter.type_code = NULL;

  filter.date_from = "2021-01-01";
  filter.date_to = "2022-07-01";   /* inclusive, whatever the time of day */
  assert_timeline (f->store, &filter, "d3 d5 d2");
  filter.date_from = NULL;
  filter.date_to = "2020-01-10";
  assert_timeline (f->store, &filter, "d0 d1 d6");
  filter.date_to = NULL;

  /* Full text within the patient, accents and case folded, words as prefixes. */
  filter.text = "helene";
  assert_timeline (f->store, &filter, "d1");
  filter.text = "RADIO thor";
  assert_timeline (f->store, &filter, "d3");
  filter.text = "saint eloi";
  assert_timeline (f->store, &filter, "d3 d5 d2 d0 d1 d6");
  filter.text = "\"* OR NEAR( -";   /* FTS5 syntax in user text is only words */
  assert_timeline (f->store, &filter, "");
  filter.text = "  ";
  assert_timeline (f->store, &filter, "d3 d5 d2 d0 d1 d6");

  /* Extracted text joins the index; replacing it forgets the old words. */
  g_assert_true (cab_store_set_document_content (f->store, "d2", "/tmp/d2.pdf",
                                                 "Hémoglobine glyquée 7,2 %", &error));
  g_assert_no_error (error);
  filter.text = "hemoglobine";
  assert_timeline (f->store, &filter, "d2");
  g_assert_true (cab_store_set_document_content (f->store, "d2", NULL, "Créatinine 80 µmol/l", &error));
  g_assert_no_error (error);
  assert_timeline (f->store, &filter, "");
  filter.text = "creatinine";
  assert_timeline (f->store, &filter, "d2");

  row = cab_store_get_document (f->store, "d2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->local_path, ==, "/tmp/d2.pdf");
  cab_document_row_free (row);

  g_assert_false (cab_store_set_document_content (f->store, "nope", "/x", "y", &error));
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A new version of a document re-indexes its title, keeps its text and file. */
  {
    CabFhirRecord *r = make_document ("d2", "p1", "Bilan rénal", "Laboratoire Cerballiance", "2021-05-03", "10", "11502-2", NULL, FALSE);
    g_free (r->last_updated);
    r->last_updated = g_strdup ("2024-06-01T00:00:00Z");
    put (f->store, r, NULL);
  }
  filter.text = "biologique";
  assert_timeline (f->store, &filter, "");
  filter.text = "renal";
  assert_timeline (f->store, &filter, "d2");
  filter.text = "creatinine";
  assert_timeline (f->store, &filter, "d2");
  row = cab_store_get_document (f->store, "d2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->local_path, ==, "/tmp/d2.pdf");
  cab_document_row_free (row);

  row = cab_store_get_document (f->store, "missing", &error);
  g_assert_error (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND);
  g_assert_null (row);
  g_clear_error (&error);

  g_assert_true (cab_store_check_integrity (f->store, &error));
  g_assert_no_error (error);
  assert_fts_matches_content (f->path);
}

static void
test_search_documents (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *ids = NULL;

  put_timeline (f->store);

  /* Practice-wide: both patients; the title match ranks first. */
  rows = cab_store_search_documents (f->store, "radiographie", NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = cab_store_search_documents (f->store, "genou", NULL, 10, &error);
  g_assert_no_error (error);
  ids = ids_of (rows, FALSE);
  g_assert_cmpstr (ids, ==, "e1");
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&ids, g_free);

  rows = cab_store_search_documents (f->store, "radio", "p2", 10, &error);
  g_assert_no_error (error);
  ids = ids_of (rows, FALSE);
  g_assert_cmpstr (ids, ==, "e1");
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&ids, g_free);

  rows = cab_store_search_documents (f->store, "thorax", NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* "Hélène" in an author name, searched without accents. */
  rows = cab_store_search_documents (f->store, "Helene martin", NULL, 10, &error);
  g_assert_no_error (error);
  ids = ids_of (rows, FALSE);
  g_assert_cmpstr (ids, ==, "d1");
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = cab_store_search_documents (f->store, "()", NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Observations, conditions, misc                                       */
/* ------------------------------------------------------------------ */

static void
test_observations (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GPtrArray) conditions = NULL;
  CabObservationValue *v;
  CabFhirRecord *cond;

  put (f->store,
       make_observation ("o2", "p1", "1", make_value ("4548-4", "2021-05-03", 7.2, "d2"), NULL),
       make_observation ("o1", "p1", "1", make_value ("4548-4", "2020-01-01", 6.8, NULL), NULL),
       make_observation ("o3", "p1", "1",
                         make_value ("2345-7", "2021-05-03", 1.3, "d2"),
                         make_value ("2160-0", "2021-05-03", 80, "d2"), NULL),
       make_observation ("o9", "p2", "1", make_value ("4548-4", "2021-01-01", 9.9, NULL), NULL),
       NULL);

  values = cab_store_list_observations (f->store, "p1", "4548-4", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 2);
  v = values->pdata[0];
  g_assert_cmpstr (v->effective, ==, "2020-01-01");
  g_assert_cmpfloat (v->value, ==, 6.8);
  g_assert_cmpfloat (v->low, ==, 4.0);
  g_assert_true (isnan (v->high));
  g_assert_cmpstr (v->unit, ==, "%");
  v = values->pdata[1];
  g_assert_cmpfloat (v->value, ==, 7.2);
  g_assert_cmpstr (v->document_id, ==, "d2");
  g_clear_pointer (&values, g_ptr_array_unref);

  values = cab_store_list_observations (f->store, "p1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 4);
  g_clear_pointer (&values, g_ptr_array_unref);

  values = cab_store_list_document_observations (f->store, "d2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 3);
  g_clear_pointer (&values, g_ptr_array_unref);

  /* A new version replaces all the values of the old one. */
  put (f->store, make_observation ("o3", "p1", "2", make_value ("2345-7", "2021-05-03", 1.1, "d2"), NULL), NULL);
  values = cab_store_list_document_observations (f->store, "d2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 2);
  g_clear_pointer (&values, g_ptr_array_unref);

  cond = make_record (CAB_RESOURCE_CONDITION, "Condition", "c1", "p1", "1", "2024-01-01");
  cond->condition = g_new0 (CabCondition, 1);
  cond->condition->code = g_strdup ("E11");
  cond->condition->display = g_strdup ("Diabète de type 2");
  cond->condition->onset = g_strdup ("2015-01-01");
  cond->condition->ald = TRUE;
  put (f->store, cond, NULL);

  conditions = cab_store_list_conditions (f->store, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conditions->len, ==, 1);
  g_assert_cmpstr (((CabCondition *) conditions->pdata[0])->display, ==, "Diabète de type 2");
  g_assert_true (((CabCondition *) conditions->pdata[0])->ald);

  g_assert_true (cab_store_audit (f->store, "read", "DocumentReference", "d2", &error));
  g_assert_no_error (error);
  {
    g_autofree char *n = sql_text (f->path, "SELECT count(*) FROM audit WHERE resource_id = 'd2'");
    g_assert_cmpstr (n, ==, "1");
  }

  g_assert_true (cab_store_check_integrity (f->store, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */
/* ------------------------------------------------------------------ */

#define WRITER_BATCHES 60

static gpointer
writer_thread (gpointer data)
{
  CabStore *store = data;

  for (guint b = 0; b < WRITER_BATCHES; b++)
    {
      g_autoptr(GPtrArray) records = records_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *state = g_strdup_printf ("%u", b);

      for (guint i = 0; i < 20; i++)
        {
          g_autofree char *id = g_strdup_printf ("w%u-%u", b, i);
          g_autofree char *pid = g_strdup_printf ("wp%u", i);
          g_ptr_array_add (records, make_document (id, "p1", "Compte rendu de passage", "Dr Écrivain",
                                                   "2023-01-01", "10", "11488-4", NULL, FALSE));
          g_ptr_array_add (records, make_patient (pid, "Écrivain", NULL, "Thread", "1960-01-01", NULL,
                                                  state, "2024-01-01"));
        }
      cab_store_put_records (store, records, "writer", state, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

static gpointer
reader_thread (gpointer data)
{
  CabStore *store = data;
  guint last = 0;

  for (guint round = 0; round < 10000; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) docs = cab_store_list_timeline (store, "p1", NULL, &error);
      g_autoptr(GPtrArray) patients = NULL;

      g_assert_no_error (error);
      /* A reader sees whole batches, never half of one, and never goes back. */
      g_assert_cmpuint (docs->len % 20, ==, 0);
      g_assert_cmpuint (docs->len, >=, last);
      last = docs->len;

      patients = cab_store_search_patients (store, "ecri", 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (patients->len, <=, 20);

      if (docs->len == 20 * WRITER_BATCHES)
        break;
    }
  return GUINT_TO_POINTER (last);
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  GThread *writer = g_thread_new ("writer", writer_thread, f->store);
  GThread *reader1 = g_thread_new ("reader1", reader_thread, f->store);
  GThread *reader2 = g_thread_new ("reader2", reader_thread, f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) docs = NULL;

  g_thread_join (writer);
  g_thread_join (reader1);
  g_thread_join (reader2);

  docs = cab_store_list_timeline (f->store, "p1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, 20 * WRITER_BATCHES);
  g_assert_true (cab_store_check_integrity (f->store, &error));
  g_assert_no_error (error);
  assert_fts_matches_content (f->path);
}

/* ------------------------------------------------------------------ */
/* kill -9                                                              */
/* ------------------------------------------------------------------ */

#define KILL_BATCH 60
#define KILL_ROUNDS 10

/* The child: writes batch after batch, each with the state that names it,
 * until it is killed. Every record of batch N carries versionId N. */
static int
kill_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = cab_store_open (path, &error);
  g_autofree char *start = NULL;
  guint64 n;

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }

  start = cab_store_get_state (store, "batch");
  n = start != NULL ? g_ascii_strtoull (start, NULL, 10) : 0;

  for (;;)
    {
      g_autoptr(GPtrArray) records = records_new ();
      g_autofree char *version = g_strdup_printf ("%" G_GUINT64_FORMAT, ++n);

      for (guint i = 0; i < KILL_BATCH; i++)
        {
          g_autofree char *id = g_strdup_printf ("k%u", i);
          CabFhirRecord *r;

          if (i % 3 == 0)
            r = make_patient (id, "Tué", NULL, version, "1950-01-01", NULL, version, "2024-01-01T00:00:00Z");
          else if (i % 3 == 1)
            r = make_document (id, "k0", version, "Dr Kill", "2024-01-01", "10", "11488-4", NULL, FALSE);
          else
            r = make_observation (id, "k0", version, make_value ("4548-4", version, (double) n, NULL),
                                  make_value ("2345-7", version, (double) n, NULL), NULL);
          g_free (r->version_id);
          r->version_id = g_strdup (version);
          g_ptr_array_add (records, r);
        }

      if (!cab_store_put_records (store, records, "batch", version, &error))
        {
          g_printerr ("child: %s\n", error->message);
          return 1;
        }

      /* Churn the full-text index outside the batches too. */
      if (n % 3 == 0 && !cab_store_set_document_content (store, "k1", NULL, version, &error))
        {
          g_printerr ("child: %s\n", error->message);
          return 1;
        }
    }
  return 0;
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  guint64 last = 0;

  g_assert_nonnull (self_exe);
  g_clear_object (&f->store);

  for (guint round = 0; round < KILL_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(CabStore) store = NULL;
      g_autofree char *state = NULL;
      g_autofree char *stale = NULL;
      g_autofree char *total = NULL;
      g_autofree char *sql = NULL;
      guint64 batch;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                self_exe, "--kill-child", f->path, NULL);
      g_assert_no_error (error);
      g_usleep (g_test_rand_int_range (150, 700) * 1000);
      g_subprocess_force_exit (child);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (child));

      store = cab_store_open (f->path, &error);
      g_assert_no_error (error);
      g_assert_true (cab_store_check_integrity (store, &error));
      g_assert_no_error (error);
      assert_fts_matches_content (f->path);

      /* The state names exactly the batch whose records are there. */
      state = cab_store_get_state (store, "batch");
      total = sql_text (f->path, "SELECT count(*) FROM resources");
      if (state == NULL)
        {
          g_assert_cmpstr (total, ==, "0");
          continue;
        }
      batch = g_ascii_strtoull (state, NULL, 10);
      g_assert_cmpuint (batch, >=, last);
      last = batch;
      g_assert_cmpint (atoi (total), ==, KILL_BATCH);
      sql = g_strdup_printf ("SELECT count(*) FROM resources WHERE version_id IS NOT '%s'", state);
      stale = sql_text (f->path, sql);
      g_assert_cmpstr (stale, ==, "0");
      g_clear_pointer (&sql, g_free);
      g_clear_pointer (&stale, g_free);
      sql = g_strdup_printf ("SELECT count(*) FROM observations WHERE effective IS NOT '%s'", state);
      stale = sql_text (f->path, sql);
      g_assert_cmpstr (stale, ==, "0");
    }

  g_test_message ("%" G_GUINT64_FORMAT " batches written across %u kills", last, KILL_ROUNDS);
  g_assert_cmpuint (last, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_strcmp0 (argv[1], "--kill-child") == 0)
    return kill_child (argv[2]);

  /* No G_TEST_OPTION_ISOLATE_DIRS: every store lives in its own temporary
   * directory, and GLib 2.74 leaks the isolated paths (LeakSanitizer). */
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store/open", test_open);
  ADD ("/store/migrations", test_migrations);
  ADD ("/store/put-atomic", test_put_atomic);
  ADD ("/store/versions", test_versions);
  ADD ("/store/search-patients", test_search_patients);
  ADD ("/store/timeline", test_timeline);
  ADD ("/store/search-documents", test_search_documents);
  ADD ("/store/observations", test_observations);
  ADD ("/store/concurrent", test_concurrent);
  ADD ("/store/kill", test_kill);

  return g_test_run ();
}
