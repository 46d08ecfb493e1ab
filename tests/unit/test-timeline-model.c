/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-timeline-model"

#include <locale.h>
#include <glib/gstdio.h>

#include "cab-store-outbox.h"
#include "cab-timeline.h"

#define BIG_TIMELINE 3000

/* ------------------------------------------------------------------ */
/* Records built by hand                                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *id;
  const char *type_code;
  const char *category;
  const char *title;
  const char *author;
  const char *date;
  const char *labels;
  const char *study_uid;
  gboolean    is_kos;
} Doc;

/* One patient's documents, newest first by their sort date. The local
 * documents (made here, in the outbox) are added apart. */
static const Doc documents[] = {
  { "d-cons", "11488-4", "10", "CR consultation cardiologie", "Dr Paul ORSINI",
    "2026-11-05T10:00:00+01:00", NULL, NULL, FALSE },
  { "d-lab", "11502-2", "10", "Bilan lipidique", "Laboratoire Biomed",
    "2026-11-02T08:30:00+01:00", NULL, NULL, FALSE },
  { "d-img", "18748-4", "31", "Échographie abdominale", "Dr Anne LEROY",
    "2026-10-15T14:00:00+02:00", NULL, "1.2.250.1.999.1", FALSE },
  { "d-kos", NULL, "31", NULL, "Dr Anne LEROY",
    "2026-10-15T14:05:00+02:00", NULL, "1.2.250.1.999.1", TRUE },
  { "d-rx", "57833-6", "42", "Ordonnance de sortie", "Dr Paul ORSINI",
    "2026-09-20T11:00:00+02:00", NULL, NULL, FALSE },
  /* 23:30 UTC on 31 August is 01:30 on 1 September in Paris: a September
   * entry, though its text starts with "2026-08". */
  { "d-midnight", "11490-0", "10", "Lettre de liaison", "Dr Luc BERNARD",
    "2026-08-31T23:30:00Z", NULL, NULL, FALSE },
  { "d-masked", "34112-3", "10", "Hospitalisation en cardiologie", "Dr Paul ORSINI",
    "2025-02-01T10:00:00+01:00", "MASQUE_PS", NULL, FALSE },
  { "d-undated", "51851-4", "90", "Relevé d'automesure", "La patiente",
    NULL, NULL, NULL, FALSE },
};

static CabFhirRecord *
make_document (const char *patient_id,
               const Doc  *doc)
{
  CabFhirRecord *r = g_new0 (CabFhirRecord, 1);

  r->kind = CAB_RESOURCE_DOCUMENT_REFERENCE;
  r->type = g_strdup ("DocumentReference");
  r->id = g_strdup (doc->id);
  r->patient_id = g_strdup (patient_id);
  r->version_id = g_strdup ("1");
  r->last_updated = g_strdup ("2026-01-01T00:00:00Z");
  r->json = g_strdup_printf ("{\"resourceType\":\"DocumentReference\",\"id\":\"%s\"}", doc->id);
  r->document = g_new0 (CabDocument, 1);
  r->document->status = g_strdup ("current");
  r->document->type_code = g_strdup (doc->type_code);
  r->document->category_code = g_strdup (doc->category);
  r->document->title = g_strdup (doc->title);
  r->document->author_display = g_strdup (doc->author);
  r->document->custodian_display = g_strdup ("CHU d'Ajaccio");
  r->document->date = g_strdup (doc->date);
  r->document->security_labels = g_strdup (doc->labels);
  r->document->study_uid = g_strdup (doc->study_uid);
  r->document->is_kos = doc->is_kos;
  r->document->content_type = g_strdup (doc->is_kos ? "application/dicom" : "application/pdf");
  r->document->size = 1234;
  return r;
}

static CabFhirRecord *
make_patient (const char *id)
{
  CabFhirRecord *r = g_new0 (CabFhirRecord, 1);

  r->kind = CAB_RESOURCE_PATIENT;
  r->type = g_strdup ("Patient");
  r->id = g_strdup (id);
  r->patient_id = g_strdup (id);
  r->version_id = g_strdup ("1");
  r->last_updated = g_strdup ("2026-01-01T00:00:00Z");
  r->json = g_strdup_printf ("{\"resourceType\":\"Patient\",\"id\":\"%s\"}", id);
  r->patient = g_new0 (CabPatient, 1);
  r->patient->family = g_strdup ("Dupont");
  r->patient->given = g_strdup ("Hélène");
  r->patient->sex = g_strdup ("female");
  return r;
}

static void
put_records (CabStore  *store,
             GPtrArray *records)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_store_put_records (store, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A document made in the practice, with its publish entry. */
static void
add_local (CabStore       *store,
           const char     *id,
           const char     *date,
           CabOutboxState  state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = g_uuid_string_random ();
  CabOutboxEntry entry = { 0 };
  CabOutboxLocalDocument doc = { 0 };
  gint64 entry_id = 0;

  entry.kind = (char *) "publish";
  entry.patient_id = (char *) "p-1";
  entry.document_id = (char *) id;
  entry.state = state;
  entry.key = key;
  entry.payload = (char *) "{}";

  doc.id = id;
  doc.patient_id = "p-1";
  doc.type_code = "11488-4";
  doc.type_display = "Compte rendu de consultation";
  doc.category_code = "10";
  doc.title = id;
  doc.author_reference = "Practitioner/me";
  doc.date = date;
  doc.local_path = "/nonexistent.pdf";
  doc.size = 10;
  doc.hash = "aGFzaA==";
  g_assert_true (cab_store_outbox_enqueue_publish (store, &entry, &doc, &entry_id, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------ */
/* Fixture: a store in a fresh directory                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  char        *dir;
  CabStore    *store;
  CabTimeline *timeline;
  guint        n_loaded;
  guint        n_changed;
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
loaded_cb (CabTimeline *timeline,
           Fixture     *f)
{
  f->n_loaded++;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->n_changed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-timeline-model-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);

  g_ptr_array_add (records, make_patient ("p-1"));
  g_ptr_array_add (records, make_patient ("p-big"));
  g_ptr_array_add (records, make_patient ("p-empty"));
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    g_ptr_array_add (records, make_document ("p-1", &documents[i]));
  put_records (f->store, records);
  g_assert_true (cab_store_set_document_content (f->store, "d-img", NULL,
                                                 "Le pancréas est normal.", &error));
  g_assert_no_error (error);

  /* Newest of all, waiting in the outbox; and an older one already sent. */
  add_local (f->store, "local-pending", "2026-11-06T09:00:00+01:00", CAB_OUTBOX_STATE_PENDING);
  add_local (f->store, "local-sent", "2025-02-02T09:00:00+01:00", CAB_OUTBOX_STATE_DONE);

  /* A long-followed patient, one entry a day, every third a lab result. */
  g_ptr_array_set_size (records, 0);
  for (guint i = 0; i < BIG_TIMELINE; i++)
    {
      g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 11, 1, 9, 0, 0);
      g_autoptr(GDateTime) when = g_date_time_add_days (start, -(int) i);
      g_autofree char *date = g_date_time_format_iso8601 (when);
      g_autofree char *id = g_strdup_printf ("big-%05u", i);
      Doc d = documents[i % 3 == 0 ? 1 : 0];

      d.id = id;
      d.date = date;
      g_ptr_array_add (records, make_document ("p-big", &d));
    }
  put_records (f->store, records);

  f->timeline = cab_timeline_new (f->store);
  g_signal_connect (f->timeline, "loaded", G_CALLBACK (loaded_cb), f);
  g_signal_connect (f->timeline, "items-changed", G_CALLBACK (items_changed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->timeline));
  g_clear_object (&f->store);
  rm_rf (f->dir);
  g_free (f->dir);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Turns the main loop until the model holds the newest inputs' entries. */
static void
wait_loaded (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  cab_timeline_wait_async (f->timeline, NULL, wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cab_timeline_wait_finish (f->timeline, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_false (cab_timeline_get_loading (f->timeline));
}

static CabTimelineItem *
item_at (Fixture *f,
         guint    position)
{
  CabTimelineItem *item = g_list_model_get_item (G_LIST_MODEL (f->timeline), position);

  g_object_unref (item);   /* the model keeps it */
  return item;
}

/* "[November 2026] local-pending d-cons ..." in model order. */
static char *
describe (Fixture *f)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->timeline)); i++)
    {
      CabTimelineItem *item = item_at (f, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');
      if (cab_timeline_item_is_header (item))
        g_string_append_printf (out, "[%s]", cab_timeline_item_get_title (item));
      else
        g_string_append (out, cab_timeline_item_get_id (item));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static CabTimelineItem *
find_document (Fixture    *f,
               const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->timeline)); i++)
    if (g_strcmp0 (cab_timeline_item_get_id (item_at (f, i)), id) == 0)
      return item_at (f, i);
  return NULL;
}

static void
assert_shows (Fixture    *f,
              const char *expected)
{
  g_autofree char *shown = describe (f);

  g_assert_cmpstr (shown, ==, expected);
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void
test_sections (Fixture       *f,
               gconstpointer  data)
{
  g_assert_true (g_type_is_a (cab_timeline_get_type (), G_TYPE_LIST_MODEL));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (f->timeline)) == CAB_TYPE_TIMELINE_ITEM);

  cab_timeline_set_patient_id (f->timeline, "p-1");
  g_assert_true (cab_timeline_get_loading (f->timeline));
  wait_loaded (f);

  /* Month sections on the local (Paris) calendar: the UTC night of 31
   * August is September; the undated entry comes last, apart. */
  assert_shows (f, "[November 2026] local-pending d-cons d-lab [October 2026] d-img "
                   "[September 2026] d-rx d-midnight [February 2025] local-sent d-masked "
                   "[Undated] d-undated");
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 9);
  g_assert_cmpstr (cab_timeline_item_get_date (find_document (f, "d-midnight")), ==, "01/09/2026");
  g_assert_cmpstr (cab_timeline_item_get_date (find_document (f, "d-cons")), ==, "05/11/2026");
  g_assert_null (cab_timeline_get_error (f->timeline));
  /* One query, one items-changed, one "loaded". */
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_cmpuint (f->n_loaded, ==, 1);

  /* Without sections, documents only; KOS entries when asked. */
  cab_timeline_set_sections (f->timeline, FALSE);
  cab_timeline_set_include_kos (f->timeline, TRUE);
  wait_loaded (f);
  assert_shows (f, "local-pending d-cons d-lab d-kos d-img d-rx d-midnight local-sent d-masked d-undated");
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 10);
}

static void
test_marks (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GDateTime) opened = g_date_time_new_utc (2026, 10, 1, 0, 0, 0);
  CabTimelineItem *pending, *sent;

  cab_timeline_set_patient (f->timeline, f->store, "p-1", opened);
  wait_loaded (f);

  /* The outbox holds one local document; the other was sent. */
  pending = find_document (f, "local-pending");
  sent = find_document (f, "local-sent");
  g_assert_true (cab_timeline_item_get_pending (pending));
  g_assert_cmpstr (cab_timeline_item_get_origin (pending), ==, "Pending");
  g_assert_false (cab_timeline_item_get_pending (sent));
  g_assert_cmpstr (cab_timeline_item_get_origin (sent), ==, "Local");
  g_assert_false (cab_timeline_item_get_pending (find_document (f, "d-cons")));

  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-cons")), ==, CAB_TIMELINE_MARK_NEW);
  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-img")), ==,
                   CAB_TIMELINE_MARK_NEW | CAB_TIMELINE_MARK_IMAGES);
  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-rx")), ==, 0);
  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-masked")), ==, CAB_TIMELINE_MARK_MASKED);
  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-undated")), ==,
                   CAB_TIMELINE_MARK_BY_PATIENT);
  g_assert_cmpint (cab_timeline_item_get_kind (find_document (f, "d-undated")), ==, CAB_DOCUMENT_KIND_PATIENT);

  /* Not opened before: nothing is new. */
  cab_timeline_set_opened_at (f->timeline, NULL);
  wait_loaded (f);
  g_assert_cmpint (cab_timeline_item_get_marks (find_document (f, "d-cons")), ==, 0);
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  GValue value = G_VALUE_INIT;

  cab_timeline_set_patient_id (f->timeline, "p-1");
  wait_loaded (f);

  /* The kind filter is a GEnum property. */
  g_object_set (f->timeline, "kind-filter", CAB_KIND_FILTER_IMAGING, NULL);
  wait_loaded (f);
  assert_shows (f, "[October 2026] d-img");

  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_REPORTS);
  wait_loaded (f);
  assert_shows (f, "[November 2026] local-pending d-cons [September 2026] d-midnight "
                   "[February 2025] local-sent d-masked");

  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_OTHER);
  wait_loaded (f);
  assert_shows (f, "[Undated] d-undated");

  /* Inclusive day bounds. */
  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_ALL);
  cab_timeline_set_date_range (f->timeline, "2026-09-20", "2026-11-02");
  wait_loaded (f);
  assert_shows (f, "[November 2026] d-lab [October 2026] d-img [September 2026] d-rx");
  g_value_init (&value, G_TYPE_STRING);
  g_object_get_property (G_OBJECT (f->timeline), "date-to", &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "2026-11-02");
  g_value_unset (&value);

  /* Bounds apply to the day shown: the entry stored as "2026-08-31T23:30Z"
   * is on 1 September in Paris, so it is in September and not in August. */
  cab_timeline_set_date_range (f->timeline, "2026-09-01", "2026-09-01");
  wait_loaded (f);
  assert_shows (f, "[September 2026] d-midnight");
  cab_timeline_set_date_range (f->timeline, "2026-08-01", "2026-08-31");
  wait_loaded (f);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 0);

  /* Words of the text, accents left out; of the author. */
  cab_timeline_set_date_range (f->timeline, NULL, NULL);
  cab_timeline_set_text (f->timeline, "pancreas");
  wait_loaded (f);
  assert_shows (f, "[October 2026] d-img");
  cab_timeline_set_text (f->timeline, "orsini");
  wait_loaded (f);
  assert_shows (f, "[November 2026] d-cons [September 2026] d-rx [February 2025] d-masked");
  cab_timeline_set_text (f->timeline, "introuvable");
  wait_loaded (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->timeline)), ==, 0);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 0);

  /* "" is no text. */
  cab_timeline_set_text (f->timeline, "");
  g_assert_null (cab_timeline_get_text (f->timeline));
  wait_loaded (f);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 9);
}

/* The entries that stay are the same objects (a list view keeps their rows). */
static void
test_reuse (Fixture       *f,
            gconstpointer  data)
{
  CabTimelineItem *before;

  cab_timeline_set_patient_id (f->timeline, "p-1");
  wait_loaded (f);
  before = find_document (f, "d-img");

  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_IMAGING);
  wait_loaded (f);
  g_assert_true (find_document (f, "d-img") == before);

  /* Another patient: the entries go at once, before the query lands. */
  f->n_changed = 0;
  cab_timeline_set_patient_id (f->timeline, "p-empty");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->timeline)), ==, 0);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 0);
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_true (cab_timeline_get_loading (f->timeline));
  wait_loaded (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->timeline)), ==, 0);
  /* Nothing to remove and nothing to add: no signal. */
  g_assert_cmpuint (f->n_changed, ==, 1);
}

/* A new input while a query runs: core cancels the running query and only
 * the newest result lands. */
static void
test_supersede (Fixture       *f,
                gconstpointer  data)
{
  cab_timeline_set_patient_id (f->timeline, "p-big");
  /* Let a pool thread start on the 3,000 entries. */
  g_usleep (2 * G_TIME_SPAN_MILLISECOND);
  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_LAB);
  cab_timeline_set_text (f->timeline, "bilan");
  g_assert_true (cab_timeline_get_loading (f->timeline));
  wait_loaded (f);

  g_assert_cmpuint (f->n_loaded, ==, 1);
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, BIG_TIMELINE / 3);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (f->timeline)); i++)
    {
      CabTimelineItem *item = item_at (f, i);

      if (!cab_timeline_item_is_header (item))
        g_assert_cmpint (cab_timeline_item_get_kind (item), ==, CAB_DOCUMENT_KIND_LAB);
    }

  /* Superseded by "no patient": nothing lands afterwards. */
  cab_timeline_set_kind_filter (f->timeline, CAB_KIND_FILTER_ALL);
  g_assert_true (cab_timeline_get_loading (f->timeline));
  cab_timeline_set_patient_id (f->timeline, NULL);
  g_assert_false (cab_timeline_get_loading (f->timeline));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->timeline)), ==, 0);
  g_assert_cmpuint (f->n_loaded, ==, 2);
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (G_TIME_SPAN_MILLISECOND);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->timeline)), ==, 0);
  g_assert_cmpuint (f->n_loaded, ==, 2);
}

static void
test_reload (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  Doc late = documents[0];

  cab_timeline_set_patient_id (f->timeline, "p-1");
  wait_loaded (f);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 9);

  /* A sync brings a document: it shows after a reload. */
  late.id = "d-late";
  late.date = "2026-12-01T10:00:00+01:00";
  g_ptr_array_add (records, make_document ("p-1", &late));
  put_records (f->store, records);
  cab_timeline_reload (f->timeline);
  wait_loaded (f);
  g_assert_cmpuint (cab_timeline_get_n_documents (f->timeline), ==, 10);
  g_assert_cmpstr (cab_timeline_item_get_title (item_at (f, 0)), ==, "December 2026");
  g_assert_cmpstr (cab_timeline_item_get_id (item_at (f, 1)), ==, "d-late");

  /* Idle: the wait completes at once (in a later main loop iteration). */
  wait_loaded (f);
}

static void
test_no_store (void)
{
  g_autoptr(CabTimeline) timeline = cab_timeline_new (NULL);

  cab_timeline_set_patient_id (timeline, "p-1");
  g_assert_false (cab_timeline_get_loading (timeline));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (timeline)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (timeline), 0));
  g_assert_finalize_object (g_steal_pointer (&timeline));
}

static void
test_kinds (void)
{
  GEnumClass *klass = g_type_class_ref (CAB_TYPE_KIND_FILTER);
  CabDocument d = { 0 };

  g_assert_cmpint (g_enum_get_value_by_nick (klass, "imaging")->value, ==, CAB_KIND_FILTER_IMAGING);
  g_assert_cmpuint (klass->n_values, ==, CAB_KIND_FILTER_LAST + 1);
  g_type_class_unref (klass);

  /* One LOINC table: every type the outbox publishes is classified by it. */
  for (const CabLoincType *t = cab_loinc_types (); t->code != NULL; t++)
    {
      d.type_code = (char *) t->code;
      d.category_code = (char *) t->class_code;
      g_assert_cmpint (cab_document_kind_classify (&d), ==, t->kind);
      g_assert_true (cab_loinc_type_lookup (t->code) == t);
    }
  g_assert_null (cab_loinc_type_lookup ("00000-0"));

  /* The class code decides when the type is unknown; a patient's own
   * document stays the patient's. */
  d.type_code = (char *) "51851-4";
  d.category_code = (char *) "90";
  g_assert_cmpint (cab_document_kind_classify (&d), ==, CAB_DOCUMENT_KIND_PATIENT);
  d.category_code = (char *) "31";
  g_assert_cmpint (cab_document_kind_classify (&d), ==, CAB_DOCUMENT_KIND_IMAGING);
  /* A lab report filed under imaging's class is still a lab report. */
  d.type_code = (char *) "11502-2";
  g_assert_cmpint (cab_document_kind_classify (&d), ==, CAB_DOCUMENT_KIND_LAB);

  d.security_labels = (char *) "N,MASQUE_PS";
  g_assert_true (cab_document_has_label (&d, CAB_SECURITY_LABEL_MASKED));
  g_assert_true (cab_document_has_label (&d, "N"));
  g_assert_false (cab_document_has_label (&d, CAB_SECURITY_LABEL_INVISIBLE_PATIENT));
  d.security_labels = (char *) "MASQUE_PS_X";
  g_assert_false (cab_document_has_label (&d, CAB_SECURITY_LABEL_MASKED));
}

int
main (int   argc,
      char *argv[])
{
  /* Month sections on the Paris calendar, named in English. */
  g_setenv ("TZ", "Europe/Paris", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  setlocale (LC_ALL, "C.UTF-8");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/timeline-model/sections", test_sections);
  ADD ("/timeline-model/marks", test_marks);
  ADD ("/timeline-model/filters", test_filters);
  ADD ("/timeline-model/reuse", test_reuse);
  ADD ("/timeline-model/supersede", test_supersede);
  ADD ("/timeline-model/reload", test_reload);
  g_test_add_func ("/timeline-model/no-store", test_no_store);
  g_test_add_func ("/timeline-model/kinds", test_kinds);

  return g_test_run ();
}
