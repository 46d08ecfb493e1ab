/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-patient-search"

#include "config.h"

#include "cab-test-ui.h"
#include "desk-fixtures.h"
#include "cab-test-leaks.h"

#include "patients/cab-patient-action-row.h"
#include "patients/cab-patient-format.h"
#include "patients/cab-patient-header.h"
#include "cab-patient-item.h"
#include "patients/cab-patient-result-row.h"
#include "patients/cab-patient-search.h"

static char *data_dir;
static CabStore *store;

/* ------------------------------------------------------------------------ */
/* The practice                                                             */

static void
fill_store (void)
{
  g_autoptr(GPtrArray) records = desk_records_new ();

  desk_add (records, desk_practitioner_json ("gp-1", "Dr", "Jean", "Martin"));
  desk_add (records, desk_patient_json ("p-helene", "Dupont", "Martin", "Hélène Marie", "female",
                                        "1954-03-12", "2540375112345", "QUAL", "Practitioner/gp-1"));
  desk_add (records, desk_patient_json ("p-helena", "Durand", NULL, "Héléna", "female",
                                        "1960-05-01", "2600569123456", "PROV", NULL));
  desk_add (records, desk_patient_json ("p-jean", "Lefèvre", NULL, "jean-pierre", "male",
                                        "1948-11-30", "1481175056789", "VALI", "Practitioner/gp-1"));
  desk_add (records, desk_patient_json ("p-helene2", "Dubois", NULL, "Hélène", "female",
                                        "1990-07-14", "2900713055123", "RECUP", NULL));
  desk_add (records, desk_patient_json ("p-luc", "Petit", NULL, "Luc", "male",
                                        "2001-01-01", NULL, NULL, NULL));
  desk_add (records, desk_condition_json ("c-1", "p-helene", "E11", "Diabète de type 2", TRUE));
  desk_add (records, desk_condition_json ("c-2", "p-helene", "I10", "Hypertension artérielle", FALSE));
  desk_put (store, records);
  g_assert_true (cab_store_mark_patient_synced (store, "p-helene", "2026-11-22T09:42:00Z", NULL));
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

typedef struct
{
  GtkWindow        *window;
  CabPatientSearch *search;
  GtkWidget        *entry;
  char             *activated;
} Fixture;

static void
activated_cb (CabPatientSearch *search,
              const char       *patient_id,
              Fixture          *f)
{
  g_free (f->activated);
  f->activated = g_strdup (patient_id);
}

static gboolean
search_idle (gpointer data)
{
  return !cab_patient_search_get_busy (data);
}

static void
fixture_setup (Fixture *f)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 560, 520);
  f->search = CAB_PATIENT_SEARCH (cab_patient_search_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->search));
  g_signal_connect (f->search, "patient-activated", G_CALLBACK (activated_cb), f);
  cab_patient_search_set_store (f->search, store);
  gtk_window_present (f->window);
  gtk_widget_grab_focus (GTK_WIDGET (f->search));

  f->entry = desk_find_child_of_type (GTK_WIDGET (f->search), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (f->entry);
  g_assert_true (desk_wait_until (search_idle, f->search, DESK_WAIT_LIMIT_MS));
}

static void
fixture_teardown (Fixture *f)
{
  gpointer search = f->search;

  g_object_add_weak_pointer (G_OBJECT (search), &search);
  gtk_window_destroy (f->window);
  while (search != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_free (f->activated);
}

/* Types as a user does, one character at a time. */
static void
type_text (Fixture    *f,
           const char *text)
{
  g_autoptr(GString) typed = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_string_append_unichar (typed, g_utf8_get_char (p));
      cab_patient_search_set_text (f->search, typed->str);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (cab_patient_search_get_busy (f->search));
  g_assert_true (desk_wait_until (search_idle, f->search, DESK_WAIT_LIMIT_MS));
}

static char *
result_ids (CabPatientSearch *search)
{
  GListModel *results = cab_patient_search_get_results (search);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(CabPatientItem) item = g_list_model_get_item (results, i);

      g_string_append_printf (ids, "%s%s", i > 0 ? " " : "", cab_patient_item_get_id (item));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

/* Sends a key to the entry's key controllers, as GTK does for a key press. */
static void
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  g_assert_true (handled);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

/* The identity badge of a patient header. */
static GtkLabel *
find_badge (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "cab-badge"))
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_badge (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_formatting (void)
{
  CabPatient p = {
    .family = (char *) "dupont", .birth_name = (char *) "Martin", .given = (char *) "hélène marie-josé",
    .sex = (char *) "female", .birth_date = (char *) "1954-03-12",
  };
  g_autoptr(GDateTime) today = g_date_time_new_local (2026, 11, 22, 10, 0, 0);
  g_autofree char *name = cab_format_patient_name (&p);
  g_autofree char *birth = cab_format_birth_name (&p);
  g_autofree char *age = cab_format_age (p.birth_date, today);
  g_autofree char *baby = cab_format_age ("2026-02-01", today);
  g_autofree char *date = cab_format_date ("2024-06-12");
  g_autofree char *ins = cab_format_ins ("254037511234567");
  g_autofree char *parsed = cab_parse_french_date ("1/3/2024");
  g_autofree char *bad = cab_parse_french_date ("31/02/2024");

  g_assert_cmpstr (name, ==, "DUPONT Hélène Marie-José");
  g_assert_cmpstr (date, ==, "12/06/2024");
  g_assert_cmpstr (ins, ==, "2 54 03 75 112 345 67");
  g_assert_cmpstr (parsed, ==, "2024-03-01");
  g_assert_null (bad);
  if (desk_is_french ())
    {
      g_assert_cmpstr (birth, ==, "née MARTIN");
      g_assert_cmpstr (age, ==, "72\u00a0ans");
      g_assert_cmpstr (baby, ==, "9\u00a0mois");
      g_assert_cmpstr (cab_identity_status_label ("QUAL"), ==, "INS qualifiée");
      g_assert_cmpstr (cab_identity_status_label ("PROV"), ==, "Identité provisoire");
    }
  else
    {
      g_assert_cmpstr (birth, ==, "née MARTIN");
      g_assert_cmpstr (age, ==, "72 years");
      g_assert_cmpstr (baby, ==, "9 months");
    }

  /* A row offering her (the Inbox's match panel) names her both ways. */
  {
    CabPatientRow row = { .id = (char *) "p-1", .patient = p };
    GtkWidget *action_row = g_object_ref_sink (cab_patient_action_row_new (&row, TRUE, NULL));

    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (action_row)), ==,
                     "DUPONT Hélène Marie-José (née MARTIN)");
    g_object_unref (action_row);
  }

  /* The same name with other accents is no birth name to show. */
  p.birth_name = (char *) "DUPONT";
  g_assert_null (cab_format_birth_name (&p));
}

static void
test_accents (void)
{
  Fixture f = { 0 };
  g_autofree char *ids = NULL;

  fixture_setup (&f);
  /* Everyone, by name, before typing. */
  g_assert_cmpuint (g_list_model_get_n_items (cab_patient_search_get_results (f.search)), ==, 5);

  type_text (&f, "helene");
  ids = result_ids (f.search);
  /* Sorted by name: DUBOIS before DUPONT; Héléna is not Hélène. */
  g_assert_cmpstr (ids, ==, "p-helene2 p-helene");

  g_clear_pointer (&ids, g_free);
  cab_patient_search_set_text (f.search, "");
  type_text (&f, "MARTIN");       /* the birth name finds her too */
  ids = result_ids (f.search);
  g_assert_cmpstr (ids, ==, "p-helene");

  fixture_teardown (&f);
}

static void
test_keyboard (void)
{
  Fixture f = { 0 };

  fixture_setup (&f);
  type_text (&f, "helene");
  g_assert_cmpuint (cab_patient_search_get_selected (f.search), ==, 0);

  /* Down moves in the results while the entry keeps the focus. */
  press_key (f.entry, GDK_KEY_Down);
  g_assert_cmpuint (cab_patient_search_get_selected (f.search), ==, 1);
  press_key (f.entry, GDK_KEY_Down);
  g_assert_cmpuint (cab_patient_search_get_selected (f.search), ==, 1);
  press_key (f.entry, GDK_KEY_Up);
  press_key (f.entry, GDK_KEY_Down);
  g_assert_true (gtk_widget_has_focus (f.entry) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (f.window), f.entry));

  g_signal_emit_by_name (f.entry, "activate");
  g_assert_cmpstr (f.activated, ==, "p-helene");

  /* Enter before the results arrive opens the first one when they do. */
  g_clear_pointer (&f.activated, g_free);
  cab_patient_search_set_text (f.search, "lefev");
  g_signal_emit_by_name (f.entry, "activate");
  g_assert_null (f.activated);
  g_assert_true (desk_wait_until (search_idle, f.search, DESK_WAIT_LIMIT_MS));
  g_assert_cmpstr (f.activated, ==, "p-jean");

  fixture_teardown (&f);
}

static void
test_birth_date_and_ins (void)
{
  Fixture f = { 0 };
  g_autofree char *by_date = NULL;
  g_autofree char *by_month = NULL;
  g_autofree char *by_ins = NULL;

  fixture_setup (&f);
  type_text (&f, "12/03/1954");
  by_date = result_ids (f.search);
  g_assert_cmpstr (by_date, ==, "p-helene");

  cab_patient_search_set_text (f.search, "");
  type_text (&f, "11/1948");
  by_month = result_ids (f.search);
  g_assert_cmpstr (by_month, ==, "p-jean");

  cab_patient_search_set_text (f.search, "");
  type_text (&f, "2 60 05");
  by_ins = result_ids (f.search);
  g_assert_cmpstr (by_ins, ==, "p-helena");

  fixture_teardown (&f);
}

static void
test_empty_and_screenshots (void)
{
  Fixture f = { 0 };

  fixture_setup (&f);
  type_text (&f, "hél");
  g_assert_cmpuint (g_list_model_get_n_items (cab_patient_search_get_results (f.search)), ==, 3);
  desk_save_screenshot (GTK_WIDGET (f.search), "patient-search");
  /* Right to left: each result's parts mirrored, its text on the right
   * (docs/architecture.md, "Self-drawn rows, right to left"). */
  g_assert_cmpuint (cab_test_ui_assert_rows_mirrored (GTK_WIDGET (f.search), CAB_TYPE_PATIENT_RESULT_ROW), ==, 3);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  desk_save_screenshot (GTK_WIDGET (f.search), "patient-search-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);

  type_text (&f, "zzz");
  g_assert_cmpuint (g_list_model_get_n_items (cab_patient_search_get_results (f.search)), ==, 0);
  desk_save_screenshot (GTK_WIDGET (f.search), "patient-search-empty");

  fixture_teardown (&f);
}

/* A slow query for "h" must not overwrite the answer for "helene". */
static void
test_superseded (void)
{
  Fixture f = { 0 };
  g_autofree char *ids = NULL;

  fixture_setup (&f);
  cab_patient_search_set_search_delay (f.search, 0);
  for (guint i = 0; i < 20; i++)
    {
      cab_patient_search_set_text (f.search, i % 2 ? "h" : "lu");
      g_main_context_iteration (NULL, FALSE);
    }
  cab_patient_search_set_text (f.search, "helene dup");
  g_assert_true (desk_wait_until (search_idle, f.search, DESK_WAIT_LIMIT_MS));
  desk_spin (100);
  ids = result_ids (f.search);
  g_assert_cmpstr (ids, ==, "p-helene");

  fixture_teardown (&f);
}

static gboolean
header_loaded (gpointer data)
{
  return !cab_patient_header_get_loading (data);
}

static void
refresh_cb (CabPatientHeader *header,
            const char       *patient_id,
            char            **out)
{
  g_free (*out);
  *out = g_strdup (patient_id);
}

static void
test_header (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  CabPatientHeader *header = CAB_PATIENT_HEADER (cab_patient_header_new ());
  g_autofree char *refresh = NULL;
  GtkWidget *button;
  guint n_ald = 0;
  gpointer weak = header;

  gtk_window_set_default_size (window, 820, 160);
  gtk_window_set_child (window, GTK_WIDGET (header));
  g_signal_connect (header, "refresh-requested", G_CALLBACK (refresh_cb), &refresh);
  gtk_window_present (window);

  cab_patient_header_set_patient (header, store, "p-helene");
  g_assert_true (cab_patient_header_get_loading (header));
  g_assert_true (desk_wait_until (header_loaded, header, DESK_WAIT_LIMIT_MS));

  g_assert_cmpstr (cab_patient_header_get_title (header), ==, "DUPONT Hélène Marie");
  g_assert_cmpstr (gtk_label_get_label (find_badge (GTK_WIDGET (header))), ==, _("Qualified INS"));
  g_assert_cmpstr (cab_patient_header_get_practitioner (header), ==, "Dr Jean MARTIN");
  g_assert_cmpuint (cab_patient_header_get_n_conditions (header, &n_ald), ==, 2);
  g_assert_cmpuint (n_ald, ==, 1);
  desk_save_screenshot (GTK_WIDGET (header), "patient-header");

  button = desk_find_child_of_type (GTK_WIDGET (header), GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (refresh, ==, "p-helene");

  /* Another patient: no conditions, no médecin traitant, provisional identity. */
  cab_patient_header_set_patient (header, store, "p-helena");
  g_assert_true (desk_wait_until (header_loaded, header, DESK_WAIT_LIMIT_MS));
  g_assert_null (cab_patient_header_get_practitioner (header));
  g_assert_cmpuint (cab_patient_header_get_n_conditions (header, NULL), ==, 0);
  desk_save_screenshot (GTK_WIDGET (header), "patient-header-provisional");

  cab_patient_header_set_patient (header, store, "no-such-patient");
  g_assert_true (desk_wait_until (header_loaded, header, DESK_WAIT_LIMIT_MS));
  g_assert_null (cab_patient_header_get_title (header));

  /* A second record with Hélène's INS (a broken server): both headers warn.
   * Last, as it changes the shared store. */
  g_assert_false (cab_patient_header_get_ins_duplicate (header));
  {
    g_autoptr(GPtrArray) records = desk_records_new ();

    desk_add (records, desk_patient_json ("p-twin", "Dupont", NULL, "Hélène", "female",
                                          "1954-03-12", "2540375112345", "QUAL", NULL));
    desk_put (store, records);
  }
  cab_patient_header_set_patient (header, store, "p-helene");
  g_assert_true (desk_wait_until (header_loaded, header, DESK_WAIT_LIMIT_MS));
  g_assert_true (cab_patient_header_get_ins_duplicate (header));
  /* Never shown as qualified while another patient holds the INS. */
  g_assert_cmpstr (gtk_label_get_label (find_badge (GTK_WIDGET (header))), ==, _("INS held twice"));
  g_assert_cmpstr (_("INS held twice"), !=, _("Qualified INS"));
  desk_save_screenshot (GTK_WIDGET (header), "patient-header-duplicate-ins");
  cab_patient_header_set_patient (header, store, "p-helena");
  g_assert_true (desk_wait_until (header_loaded, header, DESK_WAIT_LIMIT_MS));
  g_assert_false (cab_patient_header_get_ins_duplicate (header));

  g_object_add_weak_pointer (G_OBJECT (header), &weak);
  gtk_window_destroy (window);
  while (weak != NULL)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_leaks_ignore_quark_block ();
  desk_init_lang (&argc, argv);
  g_test_init (&argc, &argv, NULL);
  desk_init_toolkit ();
  desk_init_screenshots ();
  if (desk_is_french ())
    g_assert_cmpstr (_("No patient found"), ==, "Aucun patient trouvé");

  data_dir = g_dir_make_tmp ("cab-patient-search-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  store = desk_store_new (data_dir);
  fill_store ();

  g_test_add_func ("/patient-search/formatting", test_formatting);
  g_test_add_func ("/patient-search/accents", test_accents);
  g_test_add_func ("/patient-search/keyboard", test_keyboard);
  g_test_add_func ("/patient-search/birth-date-and-ins", test_birth_date_and_ins);
  g_test_add_func ("/patient-search/empty-and-screenshots", test_empty_and_screenshots);
  g_test_add_func ("/patient-search/superseded", test_superseded);
  g_test_add_func ("/patient-header/identity", test_header);

  ret = g_test_run ();

  g_clear_object (&store);
  desk_remove_dir (data_dir);
  g_free (data_dir);
  g_free (desk_screenshot_dir);
  return ret;
}
