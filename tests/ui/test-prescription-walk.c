/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 11's "Done when", walked through the app against a real
 * cabinet-sandbox, as the demo runs it: a diabetic patient of the synthetic
 * practice (an ALD) opened from the patient page, the treatment renewed in
 * one action, a medicine added that the thesaurus warns about with the
 * renewed metformin (furosemide: a loop diuretic, "précaution d'emploi"),
 * the bizone prescription printed (to a file through the viewer's print
 * path), its QR code decoded (zbarimg) back to the identifier, and the
 * registration landed once at the sandbox's e-prescription service, even
 * after printing again. Screenshots in English and French. */
#define G_LOG_DOMAIN "test-prescription-walk"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "cab-application.h"
#include "cab-erx-service.h"
#include "cab-prescription-id.h"
#include "cab-store-outbox.h"
#include "cab-test-pdf.h"
#include "cab-test-prescribing.h"
#include "cab-test-sandbox.h"
#include "cab-test-ui.h"
#include "prescribing/cab-prescription-editor-private.h"

#define PRACTICE      "Organization/org-practice"
#define CIS_METFORMIN "69065160"   /* the sandbox's metformin */

static CabApplication *app;

typedef struct
{
  CabTestSandbox  *sandbox;
  char            *data_dir;
  CabSession      *session;
  CabTestSyncWatch watch;
  char            *patient_id;
} Fixture;

/* Whether @patient_id takes metformin now (an active MedicationRequest):
 * the sandbox's are active for 90 days after they were written. */
static gboolean
takes_metformin (CabStore   *store,
                 const char *patient_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  g_assert_cmpint (sqlite3_open_v2 (cab_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT 1 FROM medication_requests WHERE patient_id = ?"
                                           " AND status = 'active' AND medication_code = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, CIS_METFORMIN, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return found;
}

/* A patient with a qualified INS, an active type 2 diabetes in ALD, and
 * metformin among the current treatments (tests may read the store from
 * the main thread). */
static char *
find_diabetic (CabStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cab_store_search_patients (store, NULL, 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < patients->len; i++)
    {
      const CabPatientRow *row = g_ptr_array_index (patients, i);
      g_autoptr(GPtrArray) conditions = NULL;

      if (row->patient.ins == NULL || g_strcmp0 (row->patient.identity_status, "QUAL") != 0)
        continue;
      conditions = cab_store_list_conditions (store, row->id, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < conditions->len; j++)
        {
          const CabCondition *c = g_ptr_array_index (conditions, j);

          if (c->ald && c->code != NULL && g_str_has_prefix (c->code, "E11") &&
              g_strcmp0 (c->clinical_status, "active") == 0 && takes_metformin (store, row->id))
            return g_strdup (row->id);
        }
    }
  return NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const extra[] = { "--patients", "24", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  CabConfig config = { 0 };
  CabStore *store;

  f->sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  f->data_dir = g_dir_make_tmp ("cabinet-test-prescription-walk-XXXXXX", &error);
  g_assert_no_error (error);
  config.server_url = f->sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = f->data_dir;
  f->session = cab_session_new (&config);
  cab_test_ui_watch_session (&f->watch, f->session);
  cab_session_start (f->session);
  cab_test_ui_wait_for_syncs (&f->watch, 1);
  g_assert_true (f->watch.last_success);

  /* The drug database, as the demo imports it (cabinetctl does the same). */
  store = cab_session_get_store (f->session);
  cab_test_prescribing_import_drugs (store);

  f->patient_id = find_diabetic (store);
  g_assert_nonnull (f->patient_id);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cab_test_ui_unwatch_session (&f->watch);
  cab_session_shutdown (f->session);
  g_clear_object (&f->session);
  cab_test_ui_settle (100);
  g_clear_pointer (&f->sandbox, cab_test_sandbox_free);
  cab_test_ui_remove_tree (f->data_dir);
  g_free (f->data_dir);
  g_free (f->patient_id);
}

static gboolean
editor_ready (gpointer data)
{
  CabPrescriptionEditor *editor = cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR);

  return editor != NULL && cab_prescription_editor_is_ready (editor);
}

static gboolean
is_checked (gpointer data)
{
  return cab_prescription_editor_is_checked (data);
}

typedef struct
{
  Fixture *f;
  guint    n_done;
} DoneWait;

static gboolean
registration_done (gpointer data)
{
  DoneWait *wait = data;
  guint n_done = 0;

  cab_test_prescribing_count_registrations (wait->f->session, wait->f->patient_id, &n_done);
  return n_done >= wait->n_done;
}

/* How many prescriptions the sandbox's e-prescription service holds under
 * @id. */
static gint64
registered_at_service (Fixture    *f,
                       const char *id)
{
  return cab_test_sandbox_count_identifier (f->sandbox, "/fhir/erx/Bundle", CAB_ERX_IDENTIFIER_SYSTEM, id);
}

static gboolean
is_furosemide (const CabPrescriptionLine *line)
{
  g_autofree char *dci = line->medicine.dci != NULL ? g_utf8_strdown (line->medicine.dci, -1) : NULL;

  return dci != NULL && strstr (dci, "furosémide") != NULL;
}

static void
test_done_when (Fixture       *f,
                gconstpointer  data)
{
  CabPatientPage *page = NULL;
  GtkWidget *window;
  g_autofree char *pdf = g_build_filename (f->data_dir, "printed.pdf", NULL);
  g_autofree char *png_root = g_build_filename (f->data_dir, "printed", NULL);
  g_autofree char *png = g_strconcat (png_root, ".png", NULL);
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  g_autofree char *id_display = NULL;
  CabPrescriptionEditor *editor;
  DoneWait done = { f, 1 };
  gboolean metformin = FALSE, furosemide = FALSE, warned = FALSE;
  guint n_done = 0;

  /* The GP opens the patient and prescribes. */
  window = cab_test_ui_open_patient_page (f->session, f->patient_id, &page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "patient.prescribe", NULL));
  cab_test_ui_wait_for (editor_ready, NULL, "the editor and the patient's context");
  editor = cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR);
  gtk_window_set_default_size (GTK_WINDOW (editor), 1180, 780);

  /* The diabetic's treatment renewed in one action: metformin among it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew", NULL));
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), >=, 1);
  for (guint i = 0; i < cab_prescription_editor_get_n_lines (editor); i++)
    {
      const CabPrescriptionLine *line = cab_prescription_line_row_get_line (cab_prescription_editor_get_line (editor, i));

      metformin |= g_str_equal (line->medicine.cis, CIS_METFORMIN);
      furosemide |= is_furosemide (line);
      /* Bizone: each line of an ALD treatment in the ALD zone. */
      g_assert_true (line->ald);
    }
  g_assert_true (metformin);
  g_assert_false (furosemide);

  /* A loop diuretic added by search, as typed: the thesaurus warns
   * (précaution d'emploi with metformin). */
  gtk_editable_set_text (cab_prescription_editor_get_search_entry (editor), "lasilix 40");
  cab_test_prescribing_wait_search (editor, "lasilix 40", "the search's answer");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cab_prescription_editor_get_results (editor))), >, 0);
  g_signal_emit_by_name (cab_prescription_editor_get_search_entry (editor), "activate");
  cab_test_ui_wait_for (is_checked, editor, "the interaction check");
  for (guint i = 0; i < cab_prescription_editor_get_n_warnings (editor); i++)
    {
      g_autofree char *warning = cab_prescription_editor_dup_warning_text (editor, i);

      warned |= strstr (warning, "METFORMINE") != NULL && strstr (warning, "FUROS") != NULL;
    }
  g_assert_true (warned);
  /* Not for the diabetes: the GP moves it out of the ALD zone. */
  {
    CabPrescriptionLineRow *added = cab_prescription_editor_get_line (editor, cab_prescription_editor_get_n_lines (editor) - 1);

    g_assert_true (is_furosemide (cab_prescription_line_row_get_line (added)));
    g_assert_true (cab_prescription_line_row_get_line (added)->ald);
    cab_prescription_line_row_set_ald (added, FALSE);
  }
  /* A warning does not forbid printing. */
  g_assert_null (cab_prescription_editor_get_blocker (editor));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-walk-interaction", 300);

  /* Printed: written once, its registration queued, the copy printed. */
  cab_prescription_editor_set_print_export (editor, pdf);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.print", NULL));
  cab_test_prescribing_wait_printed (editor, 1, "the print");
  id = g_strdup (cab_prescription_editor_get_issued_id (editor));
  g_assert_nonnull (id);
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-walk-printed", 300);

  /* The bizone form, in DCI; its QR code decodes to the identifier. */
  text = cab_test_pdf_text (pdf, TRUE);
  g_assert_nonnull (strstr (text, "AFFECTION EXONÉRANTE"));
  g_assert_nonnull (strstr (text, "MALADIES INTERCURRENTES"));
  g_assert_nonnull (strstr (text, "metformine"));
  g_assert_true (strstr (text, "metformine") < strstr (text, "MALADIES INTERCURRENTES"));
  g_assert_true (strstr (text, "MALADIES INTERCURRENTES") < strstr (text, "furosémide 40 mg"));
  g_assert_nonnull (strstr (text, id_display = cab_prescription_id_format (id)));
  cab_test_assert_pdf_qr (pdf, png_root, id);
  {
    g_autofree char *copy = cab_test_ui_screenshot_path ("prescription-walk-pdf");
    g_autofree char *bytes = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (png, &bytes, &length, NULL));
    g_assert_true (g_file_set_contents (copy, bytes, length, NULL));
    g_test_message ("screenshot: %s", copy);
  }

  /* The registration lands at the service, once. */
  cab_test_ui_wait_for (registration_done, &done, "the registration sent");
  g_assert_cmpuint (cab_test_prescribing_count_registrations (f->session, f->patient_id, &n_done), ==, 1);
  g_assert_cmpint (registered_at_service (f, id), ==, 1);

  /* Printed again, then done: nothing registered twice. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.print", NULL));
  cab_test_prescribing_wait_printed (editor, 2, "the second print");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.edit", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.done", NULL));
  cab_test_ui_settle (500);
  g_assert_cmpuint (cab_test_prescribing_count_registrations (f->session, f->patient_id, &n_done), ==, 1);
  g_assert_cmpint (registered_at_service (f, id), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  cab_test_ui_settle (50);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cab_test_ui_init (&argc, &argv);
  app = cab_test_ui_new_application ();
  g_test_add ("/prescription-walk/done-when", Fixture, NULL, fixture_setup, test_done_when, fixture_teardown);
  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
