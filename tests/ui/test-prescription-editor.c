/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-prescription-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cab-application.h"
#include "cab-store-outbox.h"
#include <json-glib/json-glib.h>
#include "cab-test-prescribing.h"
#include "cab-test-ui.h"
#include "desk-fixtures.h"
#include "desk/cab-patient-page.h"
#include "timeline/cab-timeline-view.h"
#include "prescribing/cab-drug-result-row.h"
#include "prescribing/cab-prescription-editor-private.h"

/* The prescription editor over the real June 2022 BDPM release and the
 * ANSM thesaurus (imported once for the program), a real store and a real
 * window: search as you type, renewal, an interaction warning, the rules
 * greyed and refused with their reason, the bizone switch, preview and
 * print to a file. */

/* Real CIS codes of that release. */
#define CIS_GLUCOPHAGE_1000  "61052830"   /* metformine */
#define CIS_SIMVASTATINE_20  "62039768"
#define CIS_CLARITHRO_500    "64888574"   /* CI with simvastatine */
#define CIS_LEVOTHYROX_100   "68416845"   /* on the MTE list */

static CabApplication *app;
static CabSession *session;
static char *data_dir;

/* ---------------------------------------------------------------------- */
/* fixtures                                                               */

static char *
medication_request_json (const char *id,
                         const char *patient_id,
                         const char *cis,
                         const char *display,
                         const char *dosage)
{
  return g_strdup_printf ("{\"resourceType\":\"MedicationRequest\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"status\":\"active\",\"intent\":\"order\","
                          "\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"http://smt.esante.gouv.fr/terminologie-cis\","
                          "\"code\":\"%s\",\"display\":\"%s\"}],\"text\":\"%s\"},"
                          "\"subject\":{\"reference\":\"Patient/%s\"},\"authoredOn\":\"2026-09-01\","
                          "\"requester\":{\"reference\":\"Practitioner/pr-1\"},"
                          "\"dosageInstruction\":[{\"text\":\"%s\"}]}",
                          id, cis, display, display, patient_id, dosage);
}

static char *
allergy_json (const char *id,
              const char *patient_id,
              const char *substance,
              const char *type)
{
  return g_strdup_printf ("{\"resourceType\":\"AllergyIntolerance\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"clinicalStatus\":{\"coding\":[{\"system\":"
                          "\"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical\",\"code\":\"active\"}]},"
                          "\"type\":\"%s\",\"category\":[\"medication\"],\"criticality\":\"high\","
                          "\"code\":{\"text\":\"%s\"},\"patient\":{\"reference\":\"Patient/%s\"}}",
                          id, type, substance, patient_id);
}

/* A store with the drug database and two patients: an adult diabetic in
 * ALD with two current treatments, and a child of 3. */
static void
setup_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = desk_records_new ();
  CabConfig config = { 0 };
  CabStore *store;

  data_dir = g_dir_make_tmp ("cabinet-test-prescription-XXXXXX", &error);
  g_assert_no_error (error);
  config.data_dir = data_dir;
  /* A mail account, for sending to the patient's mailbox (only queued
   * here: the outbox is not started). */
  config.mail_user = (char *) "claire.martin@cabinet-martin.mssante.fr";
  config.smtp_url = (char *) "smtps://smtp.invalid:465";
  session = cab_test_ui_open_session (&config);
  store = cab_session_get_store (session);

  /* Tests may write the store from the main thread. */
  cab_test_prescribing_import_drugs (store);

  desk_add (records, desk_practitioner_json ("pr-1", "Dr", "Claire", "MARTIN"));
  desk_add (records, desk_patient_json ("pat-ald", "DURAND", NULL, "Paul", "male", "1954-03-12",
                                        "1540375112345", "QUAL", "Practitioner/pr-1"));
  desk_add (records, desk_condition_json ("cond-1", "pat-ald", "E11", "Diabète de type 2", TRUE));
  desk_add (records, medication_request_json ("mr-1", "pat-ald", CIS_GLUCOPHAGE_1000,
                                              "GLUCOPHAGE 1000 mg, comprimé pelliculé sécable",
                                              "1 comprimé matin et soir"));
  desk_add (records, medication_request_json ("mr-2", "pat-ald", CIS_SIMVASTATINE_20,
                                              "SIMVASTATINE ALMUS 20 mg, comprimé pelliculé",
                                              "1 comprimé le soir"));
  desk_add (records, desk_patient_json ("pat-child", "PETIT", NULL, "Léa", "female", "2023-06-01",
                                        "2230675112345", "QUAL", "Practitioner/pr-1"));
  /* Two adults for the patient's mailbox: a qualified identity, and a
   * provisional one. */
  desk_add (records, desk_patient_json ("pat-mail", "LEROY", NULL, "Anne", "female", "1968-02-20",
                                        "2680275112345", "QUAL", "Practitioner/pr-1"));
  desk_add (records, desk_patient_json ("pat-prov", "ROUX", NULL, "Marc", "male", "1971-09-04",
                                        "1710975112345", "PROV", "Practitioner/pr-1"));
  /* The child: allergic to clarithromycin, intolerant to lactose (an
   * excipient: what justifies CIF). */
  desk_add (records, allergy_json ("al-1", "pat-child", "Clarithromycine", "allergy"));
  desk_add (records, allergy_json ("al-2", "pat-child", "Lactose", "intolerance"));
  desk_put (store, records);
}

static CabPrescriptionEditor *
open_editor (const char *patient_id)
{
  CabPrescriptionEditor *editor = cab_prescription_editor_new (NULL, session, patient_id);

  gtk_window_set_default_size (GTK_WINDOW (editor), 1180, 780);
  gtk_window_present (GTK_WINDOW (editor));
  cab_test_ui_wait_mapped (GTK_WIDGET (editor));
  cab_test_ui_wait_for ((CabTestCondition) cab_prescription_editor_is_ready, editor, "the patient's context");
  return editor;
}

static void
close_editor (CabPrescriptionEditor *editor)
{
  gtk_window_destroy (GTK_WINDOW (editor));
  cab_test_ui_settle (50);
}

/* Types @text one character at a time, as a user does, without waiting
 * between keystrokes; then waits for the answer to the whole text. */
static void
type_search (CabPrescriptionEditor *editor,
             const char            *text)
{
  GtkEditable *entry = cab_prescription_editor_get_search_entry (editor);

  gtk_editable_set_text (entry, "");
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_autofree char *prefix = g_strndup (text, g_utf8_next_char (p) - text);

      gtk_editable_set_text (entry, prefix);
      g_main_context_iteration (NULL, FALSE);
    }
  cab_test_prescribing_wait_search (editor, text, "the search's answer");
}

static void
add_by_search (CabPrescriptionEditor *editor,
               const char            *text,
               const char            *cis)
{
  GListModel *results = G_LIST_MODEL (cab_prescription_editor_get_results (editor));
  guint n_lines = cab_prescription_editor_get_n_lines (editor);
  guint i;

  type_search (editor, text);
  /* Choose the wanted medicine, then Enter. */
  for (i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CabDrugItem) item = g_list_model_get_item (results, i);

      if (g_str_equal (cab_drug_item_get_drug (item)->cis, cis))
        break;
    }
  g_assert_cmpuint (i, <, g_list_model_get_n_items (results));
  gtk_single_selection_set_selected (cab_prescription_editor_get_selection (editor), i);
  g_signal_emit_by_name (cab_prescription_editor_get_search_entry (editor), "activate");
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, n_lines + 1);
  g_assert_cmpstr (gtk_editable_get_text (cab_prescription_editor_get_search_entry (editor)), ==, "");
}

static gboolean
is_checked (gpointer data)
{
  return cab_prescription_editor_is_checked (data);
}

static gboolean
warning_mentions (CabPrescriptionEditor *editor,
                  const char            *a,
                  const char            *b)
{
  for (guint i = 0; i < cab_prescription_editor_get_n_warnings (editor); i++)
    {
      g_autofree char *text = cab_prescription_editor_dup_warning_text (editor, i);

      if (strstr (text, a) != NULL && strstr (text, b) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

static const CabDrug *
result_drug (CabPrescriptionEditor *editor,
             guint                  position)
{
  g_autoptr(CabDrugItem) item = g_list_model_get_item (G_LIST_MODEL (cab_prescription_editor_get_results (editor)),
                                                       position);

  /* The model keeps its items alive while it shows them. */
  return cab_drug_item_get_drug (item);
}

static guint
n_results (CabPrescriptionEditor *editor)
{
  return g_list_model_get_n_items (G_LIST_MODEL (cab_prescription_editor_get_results (editor)));
}

/* Rows that show @title, among the list view's. */
static guint
count_rows_showing (GtkWidget  *widget,
                    const char *title)
{
  guint n = 0;

  if (CAB_IS_DRUG_RESULT_ROW (widget))
    return g_strcmp0 (cab_drug_result_row_get_title (CAB_DRUG_RESULT_ROW (widget)), title) == 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows_showing (child, title);
  return n;
}

/* The next answer lands in the same items (so the list view keeps its
 * rows; a cleared field has none to keep), and the rows show the new medicines; a trailing space asks
 * nothing new. */
static void
check_rows_reused (CabPrescriptionEditor *editor)
{
  CabDrugResults *results = cab_prescription_editor_get_results (editor);
  GtkWidget *view = desk_find_child_of_type (GTK_WIDGET (editor), GTK_TYPE_LIST_VIEW);
  g_autoptr(CabDrugItem) first = g_list_model_get_item (G_LIST_MODEL (results), 0);
  g_autoptr(CabDrugItem) again = NULL;
  g_autofree char *cis_before = g_strdup (cab_drug_item_get_drug (first)->cis);
  g_autofree char *dci = NULL;
  guint n_loaded;
  int position;

  /* The word replaced without clearing the field first. */
  gtk_editable_set_text (cab_prescription_editor_get_search_entry (editor), "amoxicilline");
  cab_test_prescribing_wait_search (editor, "amoxicilline", "the search's answer");
  again = g_list_model_get_item (G_LIST_MODEL (results), 0);
  g_assert_true (again == first);
  g_assert_cmpstr (cab_drug_item_get_drug (again)->cis, !=, cis_before);
  dci = cab_drug_dup_dci (cab_drug_item_get_drug (again));
  desk_wait_for_frame (GTK_WIDGET (editor));
  g_assert_cmpuint (count_rows_showing (view, dci), >, 0);

  n_loaded = cab_drug_results_get_n_loaded (results);
  position = -1;
  gtk_editable_insert_text (cab_prescription_editor_get_search_entry (editor), " ", 1, &position);
  g_assert_cmpstr (cab_drug_results_get_answered_text (results), ==, "amoxicilline ");
  g_assert_false (cab_drug_results_get_loading (results));
  g_assert_cmpuint (cab_drug_results_get_n_loaded (results), ==, n_loaded);
}

static void
test_search_as_you_type (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-ald");
  CabDrugResults *results = cab_prescription_editor_get_results (editor);
  guint n_before = cab_drug_results_get_n_loaded (results);
  gboolean seen_not_marketed = FALSE;

  /* Lower case, no accent, finds the DCI "METFORMINE (CHLORHYDRATE DE)". */
  type_search (editor, "metformine 1000");
  /* Superseded keystrokes never land: no more answers than keystrokes. */
  g_assert_cmpuint (cab_drug_results_get_n_loaded (results) - n_before, <=, strlen ("metformine 1000"));
  g_assert_cmpuint (n_results (editor), >, 0);
  g_assert_true (result_drug (editor, 0)->commercialised);
  for (guint i = 0; i < n_results (editor); i++)
    {
      const CabDrug *drug = result_drug (editor, i);
      g_autofree char *dci = cab_drug_dup_dci (drug);
      g_autofree char *folded = g_utf8_strdown (dci, -1);

      g_assert_nonnull (strstr (folded, "metformine"));
      /* Marketed medicines first. */
      if (!drug->commercialised)
        seen_not_marketed = TRUE;
      else
        g_assert_false (seen_not_marketed);
    }
  /* The first result is selected: Enter would add it. */
  g_assert_cmpuint (gtk_single_selection_get_selected (cab_prescription_editor_get_selection (editor)), ==, 0);
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-search", 300);

  /* A brand name and a CIS find their medicine too. */
  type_search (editor, "glucophage");
  g_assert_cmpuint (n_results (editor), >, 0);
  check_rows_reused (editor);
  type_search (editor, CIS_CLARITHRO_500);
  g_assert_cmpuint (n_results (editor), ==, 1);
  g_assert_cmpstr (result_drug (editor, 0)->cis, ==, CIS_CLARITHRO_500);

  /* Cleared: no query left running, and no result once the main loop
   * turns; the list hidden, its rows kept, and Enter adds nothing. */
  {
    const char *next = "doliprane";
    GtkWidget *view = desk_find_child_of_type (GTK_WIDGET (editor), GTK_TYPE_LIST_VIEW);
    GtkWidget *row = desk_find_child_of_type (view, CAB_TYPE_DRUG_RESULT_ROW);
    guint n_lines = cab_prescription_editor_get_n_lines (editor);
    int position;

    g_assert_nonnull (row);
    g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &row);
    type_search (editor, "glucophage");
    gtk_editable_set_text (cab_prescription_editor_get_search_entry (editor), "");
    g_assert_false (cab_drug_results_get_loading (results));
    cab_test_prescribing_wait_search (editor, "", "the list emptied");
    g_assert_cmpuint (n_results (editor), ==, 0);
    desk_wait_for_frame (GTK_WIDGET (editor));
    g_assert_false (gtk_widget_get_visible (view));
    g_signal_emit_by_name (cab_prescription_editor_get_search_entry (editor), "activate");
    g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, n_lines);

    /* The next word, typed as keys do, lands in the same rows. */
    for (const char *p = next; *p != '\0'; p++)
      {
        position = -1;
        gtk_editable_insert_text (cab_prescription_editor_get_search_entry (editor), p, 1, &position);
      }
    g_assert_cmpstr (gtk_editable_get_text (cab_prescription_editor_get_search_entry (editor)), ==, next);
    cab_test_prescribing_wait_search (editor, next, "the next word's answer");
    desk_wait_for_frame (GTK_WIDGET (editor));
    g_assert_true (gtk_widget_get_visible (view));
    g_assert_cmpuint (n_results (editor), >, 0);
    g_assert_nonnull (row);
    g_assert_true (row == desk_find_child_of_type (view, CAB_TYPE_DRUG_RESULT_ROW));
    {
      g_autofree char *dci = cab_drug_dup_dci (result_drug (editor, 0));

      g_assert_cmpstr (cab_drug_result_row_get_title (CAB_DRUG_RESULT_ROW (row)), ==,
                       *dci != '\0' ? dci : result_drug (editor, 0)->name);
    }
    g_object_remove_weak_pointer (G_OBJECT (row), (gpointer *) &row);
  }
  close_editor (editor);
}

static void
test_renew_and_interaction (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-ald");
  CabPrescriptionLineRow *line;

  /* The patient's two current treatments, renewed in one action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew", NULL));
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 2);
  line = cab_prescription_editor_get_line (editor, 0);
  g_assert_cmpstr (cab_prescription_line_row_get_line (line)->medicine.cis, ==, CIS_GLUCOPHAGE_1000);
  g_assert_cmpstr (cab_prescription_line_row_get_french (line), ==, "1 comprimé matin et soir pendant 3 mois");
  /* Renewing again adds nothing twice. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew", NULL));
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 2);

  /* Bizone: the patient has an ALD, each line has its zone switch, on by default. */
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (cab_prescription_line_row_get_ald_switch (line))));
  g_assert_true (cab_prescription_line_row_get_line (line)->ald);
  cab_prescription_line_row_set_ald (line, FALSE);
  g_assert_false (cab_prescription_line_row_get_line (line)->ald);
  cab_prescription_line_row_set_ald (line, TRUE);

  /* Clarithromycin is contraindicated with the simvastatin on the list. */
  add_by_search (editor, "clarithromycine 500", CIS_CLARITHRO_500);
  line = cab_prescription_editor_get_line (editor, 2);
  /* The dosage defaulted from the form ("comprimé"), in French as printed. */
  g_assert_cmpstr (cab_prescription_line_row_get_line (line)->dosage.unit, ==, "comprimé");
  g_assert_cmpstr (cab_prescription_line_row_get_french (line), ==, "1 comprimé le matin pendant 1 mois");
  cab_test_ui_wait_for (is_checked, editor, "the interaction check");
  g_assert_true (warning_mentions (editor, "CI", "SIMVASTATINE"));
  g_assert_true (warning_mentions (editor, "SIMVASTATINE", "CLARITHROMYCINE"));
  /* An interaction warns; it does not forbid printing. */
  g_assert_null (cab_prescription_editor_get_blocker (editor));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-interaction", 300);

  /* Delete, from the line (not from a text field), removes it: the warning goes. */
  gtk_widget_grab_focus (cab_prescription_line_row_get_ald_switch (line));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.remove-line", NULL));
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 2);
  cab_test_ui_wait_for (is_checked, editor, "the check after removal");
  g_assert_false (warning_mentions (editor, "SIMVASTATINE", "CLARITHROMYCINE"));
  close_editor (editor);
}

static void
test_rules_refused_with_reason (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-ald");
  CabPrescriptionLineRow *line;
  const char *reason = NULL;

  add_by_search (editor, "simvastatine 20", CIS_SIMVASTATINE_20);
  line = cab_prescription_editor_get_line (editor, 0);
  g_assert_null (cab_prescription_editor_get_blocker (editor));

  /* An adult: EFG is greyed, with its reason; simvastatin is no MTE; no
   * intolerance is recorded, so no CIF. */
  g_assert_false (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_EFG, &reason));
  g_assert_nonnull (reason);
  g_assert_false (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_MTE, NULL));
  g_assert_false (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_CIF, NULL));

  /* Forced anyway (as a script could): the rule refuses it, where it
   * applies and on the print action. */
  cab_prescription_line_row_set_non_substitutable (line, CAB_NON_SUBSTITUTABLE_EFG);
  g_assert_cmpint (cab_prescription_line_row_get_line (line)->non_substitutable, ==, CAB_NON_SUBSTITUTABLE_EFG);
  g_assert_nonnull (cab_prescription_editor_get_blocker (editor));
  g_assert_nonnull (strstr (cab_prescription_editor_get_blocker (editor), "EFG"));
  g_assert_false (gtk_widget_get_sensitive (cab_prescription_editor_get_print_button (editor)));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-ns-refused", 300);

  /* Back to substitutable: printable again. */
  cab_prescription_line_row_set_non_substitutable (line, CAB_NON_SUBSTITUTABLE_NONE);
  g_assert_null (cab_prescription_editor_get_blocker (editor));

  /* Levothyroxine is on the MTE list: MTE is allowed and passes the rules. */
  add_by_search (editor, "levothyrox 100", CIS_LEVOTHYROX_100);
  line = cab_prescription_editor_get_line (editor, 1);
  g_assert_true (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_MTE, NULL));
  cab_prescription_line_row_set_non_substitutable (line, CAB_NON_SUBSTITUTABLE_MTE);
  g_assert_null (cab_prescription_editor_get_blocker (editor));

  g_assert_true (gtk_widget_get_sensitive (cab_prescription_editor_get_print_button (editor)));
  close_editor (editor);
}

static void
test_child_no_ald (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-child");
  CabPrescriptionLineRow *line;

  /* No current treatment to renew. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew", NULL);
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 0);
  add_by_search (editor, "clarithromycine 500", CIS_CLARITHRO_500);
  line = cab_prescription_editor_get_line (editor, 0);
  /* Under 6: EFG allowed; a recorded lactose intolerance: CIF allowed;
   * no ALD: no zone switch, never in the ALD zone. */
  g_assert_true (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_EFG, NULL));
  g_assert_true (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_CIF, NULL));
  g_assert_false (cab_prescription_line_row_ns_allowed (line, CAB_NON_SUBSTITUTABLE_MTE, NULL));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (cab_prescription_line_row_get_ald_switch (line))));
  cab_prescription_line_row_set_non_substitutable (line, CAB_NON_SUBSTITUTABLE_EFG);
  g_assert_null (cab_prescription_editor_get_blocker (editor));
  g_assert_false (cab_prescription_line_row_get_line (line)->ald);

  /* The recorded allergy to clarithromycin is a warning on the line. */
  cab_test_ui_wait_for (is_checked, editor, "the allergy check");
  g_assert_true (warning_mentions (editor, "CLARITHROMYCINE", "Clarithromycine"));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-allergy", 300);
  close_editor (editor);
}

static gboolean
viewer_has_document (gpointer data)
{
  return cab_pdf_viewer_get_state (data) == CAB_PDF_VIEWER_DOCUMENT;
}

static void
count_rendered (guint *n)
{
  (*n)++;
}

static gboolean
is_positive (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_preview_and_print (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-ald");
  g_autofree char *export = g_build_filename (data_dir, "printed.pdf", NULL);
  CabPdfViewer *viewer = cab_prescription_editor_get_viewer (editor);
  g_autofree char *contents = NULL;
  gsize length = 0;
  guint n_rendered = 0;

  /* Nothing to print yet, and the editor says why. */
  g_assert_nonnull (cab_prescription_editor_get_blocker (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew", NULL));
  g_assert_null (cab_prescription_editor_get_blocker (editor));

  g_signal_connect_swapped (viewer, "page-rendered", G_CALLBACK (count_rendered), &n_rendered);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.preview", NULL));
  cab_test_ui_wait_for (viewer_has_document, viewer, "the preview");
  cab_test_ui_wait_for (is_positive, &n_rendered, "the preview's page drawn");
  g_signal_handlers_disconnect_by_func (viewer, count_rendered, &n_rendered);
  g_assert_cmpuint (cab_pdf_viewer_get_n_pages (viewer), ==, 1);
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-preview", 300);

  /* Print writes the prescription (once), then prints the written copy
   * through the viewer's print path (to a file here). */
  cab_prescription_editor_set_print_export (editor, export);
  g_assert_cmpuint (cab_test_prescribing_count_registrations (session, "pat-ald", NULL), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.print", NULL));
  cab_test_prescribing_wait_printed (editor, 1, "the print");
  g_assert_nonnull (cab_prescription_editor_get_issued_id (editor));
  g_assert_true (g_file_get_contents (export, &contents, &length, NULL));
  g_assert_true (length > 4 && memcmp (contents, "%PDF", 4) == 0);
  g_assert_cmpuint (cab_test_prescribing_count_registrations (session, "pat-ald", NULL), ==, 1);
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-printed", 300);

  /* Printed again, then done: still one registration. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.print", NULL));
  cab_test_prescribing_wait_printed (editor, 2, "the second print");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.edit", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.done", NULL));
  cab_test_ui_settle (50);
  g_assert_cmpuint (cab_test_prescribing_count_registrations (session, "pat-ald", NULL), ==, 1);
}

static void
editor_destroyed_cb (gboolean *destroyed)
{
  *destroyed = TRUE;
}

/* Done without printing writes the prescription, queues its
 * registration, and closes. */
static void
test_done_queues_once (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-child");
  gboolean destroyed = FALSE;
  guint before = cab_test_prescribing_count_registrations (session, "pat-child", NULL);

  add_by_search (editor, "clarithromycine 500", CIS_CLARITHRO_500);
  g_signal_connect_swapped (editor, "destroy", G_CALLBACK (editor_destroyed_cb), &destroyed);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.done", NULL));
  /* A second press while it is written does nothing more. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.done", NULL);
  cab_test_ui_wait_for (cab_test_ui_is_true, &destroyed, "the editor to close");
  g_assert_cmpuint (cab_test_prescribing_count_registrations (session, "pat-child", NULL), ==, before + 1);
}

/* The outbox's "mail" entries about @patient_id. */
static GPtrArray *
mail_entries (const char *patient_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cab_store_outbox_list (cab_session_get_store (session), -1, 0, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_outbox_entry_free);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      CabOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->kind, "mail") && g_strcmp0 (entry->patient_id, patient_id) == 0)
        g_ptr_array_add (out, g_steal_pointer (&entries->pdata[i]));
    }
  return out;
}

static gboolean
is_sent (gpointer data)
{
  return cab_prescription_editor_get_sent (data);
}

/* Writes a one-line prescription for @patient_id and prints it (to a file). */
static CabPrescriptionEditor *
write_and_print (const char *patient_id)
{
  CabPrescriptionEditor *editor = open_editor (patient_id);
  g_autofree char *export = g_strdup_printf ("%s/printed-%s.pdf", data_dir, patient_id);

  add_by_search (editor, "clarithromycine 500", CIS_CLARITHRO_500);
  /* Not offered before the prescription is written. */
  g_assert_false (gtk_widget_get_visible (cab_prescription_editor_get_send_button (editor)));
  cab_prescription_editor_set_print_export (editor, export);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.print", NULL));
  cab_test_prescribing_wait_printed (editor, 1, "the print");
  g_assert_nonnull (cab_prescription_editor_get_issued_id (editor));
  return editor;
}

/* Once written, the prescription goes to a qualified patient's Mon espace
 * santé mailbox: one "mail" entry in the outbox, to <INS>@patient.mssante.fr,
 * with the printed copy attached as a PDF in its XDM. */
static void
test_send_to_patient_mailbox (void)
{
  CabPrescriptionEditor *editor = write_and_print ("pat-mail");
  GtkWidget *button = cab_prescription_editor_get_send_button (editor);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *pdf = NULL;
  g_autofree char *expected_to = NULL;
  JsonObject *payload, *xdm, *document;
  JsonArray *to, *documents;
  gsize length = 0;

  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_sensitive (button));
  entries = mail_entries ("pat-mail");
  g_assert_cmpuint (entries->len, ==, 0);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.send-to-patient", NULL));
  cab_test_ui_wait_for (is_sent, editor, "the message queued");
  g_assert_false (gtk_widget_get_sensitive (button));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-sent-to-patient", 300);
  /* Once only. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.send-to-patient", NULL);
  cab_test_ui_settle (100);

  entries = mail_entries ("pat-mail");
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_true (json_parser_load_from_data (parser, ((CabOutboxEntry *) entries->pdata[0])->payload, -1, NULL));
  payload = json_node_get_object (json_parser_get_root (parser));
  to = json_object_get_array_member (payload, "to");
  /* The INS as stored: NIR and key. */
  expected_to = g_strdup ("268027511234585@patient.mssante.fr");
  g_assert_cmpuint (json_array_get_length (to), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (to, 0), ==, expected_to);
  g_assert_cmpstr (json_object_get_string_member (payload, "from"), ==, "claire.martin@cabinet-martin.mssante.fr");
  g_assert_cmpstr (json_object_get_string_member (payload, "mss_ins"), ==, "O");
  xdm = json_object_get_object_member (payload, "xdm");
  g_assert_nonnull (xdm);
  documents = json_object_get_array_member (xdm, "documents");
  g_assert_cmpuint (json_array_get_length (documents), ==, 1);
  document = json_array_get_object_element (documents, 0);
  g_assert_cmpstr (json_object_get_string_member (document, "mime"), ==, "application/pdf");
  g_assert_cmpstr (json_object_get_string_member (document, "type_code"), ==, "57833-6");
  g_assert_true (g_file_get_contents (json_object_get_string_member (document, "path"), &pdf, &length, NULL));
  g_assert_true (length > 4 && memcmp (pdf, "%PDF", 4) == 0);
  close_editor (editor);
}

/* A provisional identity: the action is off, the reason is shown, and
 * nothing is queued. */
static void
test_send_refused_provisional (void)
{
  CabPrescriptionEditor *editor = write_and_print ("pat-prov");
  GtkWidget *button = cab_prescription_editor_get_send_button (editor);
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_true (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_nonnull (strstr (cab_prescription_editor_get_send_status (editor), "PROV"));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.send-to-patient", NULL);
  cab_test_ui_settle (100);
  g_assert_false (cab_prescription_editor_get_sent (editor));
  entries = mail_entries ("pat-prov");
  g_assert_cmpuint (entries->len, ==, 0);
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-send-provisional", 300);
  close_editor (editor);
}

/* After preview-and-print wrote one: the patient's last prescription,
 * renewed in one action with its lines as written. */
static void
test_renew_last_prescription (void)
{
  CabPrescriptionEditor *editor = open_editor ("pat-ald");
  CabPrescriptionLineRow *line;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.renew-last", NULL));
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 2);
  line = cab_prescription_editor_get_line (editor, 0);
  g_assert_cmpstr (cab_prescription_line_row_get_line (line)->medicine.cis, ==, CIS_GLUCOPHAGE_1000);
  g_assert_cmpstr (cab_prescription_line_row_get_french (line), ==, "1 comprimé matin et soir pendant 3 mois");
  g_assert_true (cab_prescription_line_row_get_line (line)->ald);
  g_assert_null (cab_prescription_editor_get_blocker (editor));
  close_editor (editor);
}

static gboolean
editor_open (gpointer data)
{
  return cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR) != NULL;
}

static void
test_opened_from_patient_page (void)
{
  GtkWidget *window = gtk_window_new ();
  CabPatientPage *page = CAB_PATIENT_PAGE (cab_patient_page_new ());
  CabPrescriptionEditor *editor;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  cab_patient_page_set_session (page, session);
  cab_patient_page_set_patient (page, "pat-ald", NULL);
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_wait_mapped (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "patient.prescribe", NULL));
  cab_test_ui_wait_for (editor_open, NULL, "the editor");
  editor = cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR);
  g_assert_cmpstr (cab_prescription_editor_get_patient_id (editor), ==, "pat-ald");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == GTK_WINDOW (window));
  close_editor (editor);
  gtk_window_destroy (GTK_WINDOW (window));
  cab_test_ui_settle (50);
}

static gboolean
editor_has_lines (gpointer data)
{
  CabPrescriptionEditor *editor = cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR);

  return editor != NULL && cab_prescription_editor_get_n_lines (editor) > 0;
}

/* The position of the first document of @kind in the timeline, or -1. */
static int
find_kind (CabTimelineView *view,
           CabDocumentKind  kind,
           gboolean         same)
{
  GListModel *model = cab_timeline_view_get_model (view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item) && (cab_timeline_item_get_kind (item) == kind) == same)
        return (int) i;
    }
  return -1;
}

/* After preview-and-print wrote one: its printed copy in the timeline is
 * renewed ("Renouveler") into a new prescription in the editor, with the
 * same lines and a new identifier. Another document cannot be. */
static void
test_renew_from_timeline (void)
{
  CabPatientPage *page;
  GtkWidget *window = cab_test_ui_open_patient_page (session, "pat-ald", &page);
  CabTimelineView *view = cab_patient_page_get_timeline (page);
  GtkSingleSelection *selection;
  CabPrescriptionEditor *editor;
  CabPrescriptionLineRow *line;
  int position;

  selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (cab_timeline_view_get_list_view (view)));

  /* Not a prescription: nothing to renew. */
  position = find_kind (view, CAB_DOCUMENT_KIND_PRESCRIPTION, FALSE);
  if (position >= 0)
    {
      gtk_single_selection_set_selected (selection, position);
      g_assert_false (gtk_widget_activate_action (GTK_WIDGET (view), "timeline.renew", NULL) &&
                      cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR) != NULL);
    }

  position = find_kind (view, CAB_DOCUMENT_KIND_PRESCRIPTION, TRUE);
  g_assert_cmpint (position, >=, 0);
  gtk_single_selection_set_selected (selection, position);
  cab_test_ui_screenshot_widget (window, "timeline-renew", 100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "timeline.renew", NULL));
  cab_test_ui_wait_for (editor_has_lines, NULL, "the renewed lines");
  editor = cab_test_ui_find_toplevel (CAB_TYPE_PRESCRIPTION_EDITOR);
  g_assert_cmpuint (cab_prescription_editor_get_n_lines (editor), ==, 2);
  line = cab_prescription_editor_get_line (editor, 0);
  g_assert_cmpstr (cab_prescription_line_row_get_line (line)->medicine.cis, ==, CIS_GLUCOPHAGE_1000);
  g_assert_cmpstr (cab_prescription_line_row_get_french (line), ==, "1 comprimé matin et soir pendant 3 mois");
  g_assert_null (cab_prescription_editor_get_blocker (editor));
  /* A new prescription: not written yet, its identifier comes when it is. */
  g_assert_null (cab_prescription_editor_get_issued_id (editor));
  cab_test_ui_screenshot_widget (GTK_WIDGET (editor), "prescription-renewed-from-timeline", 300);
  close_editor (editor);
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
  setup_store ();

  g_test_add_func ("/prescription-editor/search-as-you-type", test_search_as_you_type);
  g_test_add_func ("/prescription-editor/renew-and-interaction", test_renew_and_interaction);
  g_test_add_func ("/prescription-editor/rules-refused-with-reason", test_rules_refused_with_reason);
  g_test_add_func ("/prescription-editor/child-no-ald", test_child_no_ald);
  g_test_add_func ("/prescription-editor/preview-and-print", test_preview_and_print);
  g_test_add_func ("/prescription-editor/renew-last-prescription", test_renew_last_prescription);
  g_test_add_func ("/prescription-editor/done-queues-once", test_done_queues_once);
  g_test_add_func ("/prescription-editor/opened-from-patient-page", test_opened_from_patient_page);
  g_test_add_func ("/prescription-editor/renew-from-timeline", test_renew_from_timeline);
  g_test_add_func ("/prescription-editor/send-to-patient-mailbox", test_send_to_patient_mailbox);
  g_test_add_func ("/prescription-editor/send-refused-provisional", test_send_refused_provisional);

  status = g_test_run ();

  cab_test_ui_close_session (&session, &data_dir);
  g_clear_object (&app);
  return status;
}
