/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-timeline"

#include "config.h"

#include "desk-fixtures.h"
#include "cab-test-leaks.h"

#include "cab-timeline-item.h"
#include "cab-test-ui.h"
#include "timeline/cab-timeline-row.h"
#include "timeline/cab-timeline-view.h"

#define BIG_TIMELINE 5000

static char *data_dir;
static CabStore *store;

/* ------------------------------------------------------------------------ */
/* One patient's health space                                               */

static const struct {
  const char  *id;
  DeskDocument doc;
} documents[] = {
  { "d-cons", { "11488-4", "Compte rendu de consultation", "10", "CR consultation cardiologie",
                "2026-11-05T10:00:00+01:00", "Dr Paul ORSINI", "CHU d'Ajaccio", NULL, NULL, FALSE } },
  { "d-lab", { "11502-2", "Compte rendu d'examens biologiques", "10", "Bilan lipidique et HbA1c",
               "2026-11-02T08:30:00+01:00", "Laboratoire Biomed", "Laboratoire Biomed", NULL, NULL, FALSE } },
  { "d-img", { "18748-4", "Compte rendu d'imagerie médicale", "31", "Échographie abdominale",
               "2026-10-15T14:00:00+02:00", "Dr Anne LEROY", "Centre d'imagerie du Parc", NULL, "1.2.250.1.999.1", FALSE } },
  { "d-kos", { NULL, NULL, "31", NULL,
               "2026-10-15T14:05:00+02:00", "Dr Anne LEROY", "Centre d'imagerie du Parc", NULL, "1.2.250.1.999.1", TRUE } },
  { "d-rx", { "57833-6", "Prescription de produits de santé", "42", "Ordonnance de sortie",
              "2026-09-20T11:00:00+02:00", "Dr Paul ORSINI", "CHU d'Ajaccio", NULL, NULL, FALSE } },
  { "d-vac", { "87273-9", "Note de vaccination", "10", "Vaccination antigrippale",
               "2025-10-10T09:00:00+02:00", "Mme Claire NOËL, infirmière", "Cabinet infirmier", NULL, NULL, FALSE } },
  { "d-cert", { "89601-9", "Certificat médical", "10", "Certificat de non contre-indication au sport",
                "2025-06-01T17:00:00+02:00", "Dr Jean MARTIN", "Cabinet médical", NULL, NULL, FALSE } },
  { "d-pat", { "51851-4", "Document administratif", "90", "Relevé d'automesure tensionnelle",
               "2025-03-03T20:00:00+01:00", "La patiente", "Mon espace santé", NULL, NULL, FALSE } },
  { "d-masked", { "34112-3", "Compte rendu hospitalier (séjour)", "10", "Hospitalisation en cardiologie",
                  "2024-12-01T16:00:00+01:00", "Dr Paul ORSINI", "CHU d'Ajaccio", "MASQUE_PS", NULL, FALSE } },
  { "d-hidden", { "11488-4", "Compte rendu de consultation", "10", "Consultation d'annonce",
                  "2024-02-14T10:00:00+01:00", "Dr Luc BERNARD", "Institut de cancérologie", "INVISIBLE_PATIENT", NULL, FALSE } },
  { "d-img-old", { "18748-4", "Compte rendu d'imagerie médicale", "31", "Radiographie du thorax",
                   "2024-01-10T09:00:00+01:00", "Dr Anne LEROY", "Centre d'imagerie du Parc", NULL, NULL, FALSE } },
  { "d-kos-alone", { NULL, NULL, "31", NULL,
                     "2023-05-05T09:00:00+02:00", "Dr Anne LEROY", "Centre d'imagerie du Parc", NULL, "1.2.250.1.999.2", TRUE } },
};

/* Newest first, KOS folded into its report (the lone KOS stays). */
static const char * const expected_order[] = {
  "d-cons", "d-lab", "d-img", "d-rx", "d-vac", "d-cert", "d-pat", "d-masked",
  "d-hidden", "d-img-old", "d-kos-alone",
};

static void
fill_store (void)
{
  g_autoptr(GPtrArray) records = desk_records_new ();
  g_autoptr(GError) error = NULL;

  desk_add (records, desk_patient_json ("p-1", "Dupont", "Martin", "Hélène", "female",
                                        "1954-03-12", "2540375112345", "QUAL", NULL));
  desk_add (records, desk_patient_json ("p-empty", "Petit", NULL, "Luc", "male",
                                        "2001-01-01", NULL, NULL, NULL));
  desk_add (records, desk_patient_json ("p-big", "Grand", NULL, "Jeanne", "female",
                                        "1930-01-01", NULL, "PROV", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    desk_add (records, desk_document_json (documents[i].id, "p-1", &documents[i].doc));
  desk_put (store, records);

  g_assert_true (cab_store_set_document_content (store, "d-img", NULL,
                                                 "Le pancréas est normal. Vésicule lithiasique.", &error));
  g_assert_no_error (error);

  /* A long-followed patient: 5,000 entries, one a day back from 2026. */
  g_ptr_array_set_size (records, 0);
  for (guint i = 0; i < BIG_TIMELINE; i++)
    {
      g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 11, 1, 9, 0, 0);
      g_autoptr(GDateTime) when = g_date_time_add_days (start, -(int) i);
      g_autofree char *date = g_date_time_format_iso8601 (when);
      g_autofree char *id = g_strdup_printf ("big-%05u", i);
      g_autofree char *title = g_strdup_printf ("Compte rendu n° %u", i);
      DeskDocument d = documents[i % 3 == 0 ? 0 : 1].doc;

      d.date = date;
      d.title = title;
      desk_add (records, desk_document_json (id, "p-big", &d));
      if (records->len == 500)
        {
          desk_put (store, records);
          g_ptr_array_set_size (records, 0);
        }
    }
  if (records->len > 0)
    desk_put (store, records);
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

typedef struct
{
  GtkWindow       *window;
  CabTimelineView *view;
  char            *activated;
  guint            n_setup;
} Fixture;

static gboolean
view_idle (gpointer data)
{
  return !cab_timeline_view_get_busy (data);
}

static void
activated_cb (CabTimelineView *view,
              const char      *document_id,
              Fixture         *f)
{
  g_free (f->activated);
  f->activated = g_strdup (document_id);
}

static void
count_setup_cb (GtkListItemFactory *factory,
                GtkListItem        *item,
                Fixture            *f)
{
  f->n_setup++;
}

static void
fixture_setup (Fixture    *f,
               const char *patient_id,
               const char *opened_at)
{
  GtkListItemFactory *factory;

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 640);
  f->view = CAB_TIMELINE_VIEW (cab_timeline_view_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  g_signal_connect (f->view, "document-activated", G_CALLBACK (activated_cb), f);
  factory = gtk_list_view_get_factory (cab_timeline_view_get_list_view (f->view));
  g_signal_connect (factory, "setup", G_CALLBACK (count_setup_cb), f);
  gtk_window_present (f->window);

  cab_timeline_view_set_patient (f->view, store, patient_id, opened_at);
  g_assert_true (desk_wait_until (view_idle, f->view, DESK_WAIT_LIMIT_MS));
}

static void
fixture_teardown (Fixture *f)
{
  gpointer view = f->view;

  g_object_add_weak_pointer (G_OBJECT (view), &view);
  gtk_window_destroy (f->window);
  while (view != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_free (f->activated);
}

static CabTimelineItem *
item_at (Fixture *f,
         guint    position)
{
  CabTimelineItem *item = g_list_model_get_item (cab_timeline_view_get_model (f->view), position);

  g_object_unref (item);   /* the model keeps it */
  return item;
}

/* "d-cons d-lab ..." in model order, headers left out. */
static char *
document_ids (Fixture *f)
{
  GListModel *model = cab_timeline_view_get_model (f->view);
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      CabTimelineItem *item = item_at (f, i);

      if (!cab_timeline_item_is_header (item))
        g_string_append_printf (ids, "%s%s", ids->len > 0 ? " " : "", cab_timeline_item_get_id (item));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static CabTimelineItem *
find_document (Fixture    *f,
               const char *id)
{
  GListModel *model = cab_timeline_view_get_model (f->view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (cab_timeline_item_get_id (item_at (f, i)), id) == 0)
      return item_at (f, i);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

static void
test_order_and_headers (void)
{
  Fixture f = { 0 };
  g_autofree char *ids = NULL;
  g_autofree char *expected = g_strjoinv (" ", (char **) expected_order);
  CabTimelineItem *first;

  fixture_setup (&f, "p-1", "2026-10-01T00:00:00Z");
  ids = document_ids (&f);
  g_assert_cmpstr (ids, ==, expected);
  g_assert_cmpuint (cab_timeline_view_get_n_documents (f.view), ==, G_N_ELEMENTS (expected_order));

  /* Month headers, in the user's language, before each month's entries. */
  first = item_at (&f, 0);
  g_assert_true (cab_timeline_item_is_header (first));
  g_assert_cmpstr (cab_timeline_item_get_title (first), ==,
                   desk_is_french () ? "Novembre 2026" : "November 2026");
  g_assert_cmpstr (cab_timeline_item_get_id (item_at (&f, 1)), ==, "d-cons");
  g_assert_cmpstr (cab_timeline_item_get_id (item_at (&f, 2)), ==, "d-lab");
  g_assert_true (cab_timeline_item_is_header (item_at (&f, 3)));
  g_assert_cmpstr (cab_timeline_item_get_title (item_at (&f, 3)), ==,
                   desk_is_french () ? "Octobre 2026" : "October 2026");
  /* 11 documents over 10 months. */
  g_assert_cmpuint (g_list_model_get_n_items (cab_timeline_view_get_model (f.view)), ==, 21);

  g_assert_cmpstr (cab_timeline_item_get_date (item_at (&f, 1)), ==, "05/11/2026");
  g_assert_nonnull (strstr (cab_timeline_item_get_byline (item_at (&f, 1)), "Dr Paul ORSINI"));
  g_assert_cmpstr (cab_timeline_item_get_origin (item_at (&f, 1)), ==, "DMP");

  desk_save_screenshot (GTK_WIDGET (f.view), "timeline");

  /* Right to left: each row's parts mirrored, its text on the right
   * (docs/architecture.md, "Self-drawn rows, right to left"). */
  g_assert_cmpuint (cab_test_ui_assert_rows_mirrored (GTK_WIDGET (f.view), CAB_TYPE_TIMELINE_ROW), >=, 5);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  desk_save_screenshot (GTK_WIDGET (f.view), "timeline-rtl");
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  fixture_teardown (&f);
}

/* The marks other than "not offline yet", which every fixture has. */
static CabTimelineMarks
marks_besides_offline (Fixture    *f,
                       const char *id)
{
  return cab_timeline_item_get_marks (find_document (f, id)) & ~CAB_TIMELINE_MARK_NOT_OFFLINE;
}

static void
test_marks_and_kinds (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, "p-1", "2026-10-01T00:00:00Z");

  g_assert_cmpint (marks_besides_offline (&f, "d-cons"), ==, CAB_TIMELINE_MARK_NEW);
  g_assert_cmpint (marks_besides_offline (&f, "d-img"), ==,
                   CAB_TIMELINE_MARK_NEW | CAB_TIMELINE_MARK_IMAGES);
  g_assert_cmpint (marks_besides_offline (&f, "d-rx"), ==, 0);
  g_assert_cmpint (marks_besides_offline (&f, "d-masked"), ==, CAB_TIMELINE_MARK_MASKED);
  g_assert_cmpint (marks_besides_offline (&f, "d-hidden"), ==,
                   CAB_TIMELINE_MARK_INVISIBLE_PATIENT);
  g_assert_cmpint (marks_besides_offline (&f, "d-pat"), ==, CAB_TIMELINE_MARK_BY_PATIENT);
  g_assert_cmpint (marks_besides_offline (&f, "d-img-old"), ==, 0);
  g_assert_cmpint (marks_besides_offline (&f, "d-kos-alone"), ==, CAB_TIMELINE_MARK_IMAGES);
  /* Nothing downloaded here: every content is marked as not offline yet,
   * except a KOS entry's, whose images live in the imaging network. */
  g_assert_true (cab_timeline_item_get_marks (find_document (&f, "d-rx")) & CAB_TIMELINE_MARK_NOT_OFFLINE);
  g_assert_false (cab_timeline_item_get_marks (find_document (&f, "d-kos-alone")) & CAB_TIMELINE_MARK_NOT_OFFLINE);

  g_assert_cmpint (cab_timeline_item_get_kind (find_document (&f, "d-lab")), ==, CAB_DOCUMENT_KIND_LAB);
  g_assert_cmpint (cab_timeline_item_get_kind (find_document (&f, "d-rx")), ==, CAB_DOCUMENT_KIND_PRESCRIPTION);
  g_assert_cmpint (cab_timeline_item_get_kind (find_document (&f, "d-vac")), ==, CAB_DOCUMENT_KIND_VACCINATION);
  g_assert_cmpint (cab_timeline_item_get_kind (find_document (&f, "d-cert")), ==, CAB_DOCUMENT_KIND_CERTIFICATE);
  g_assert_cmpint (cab_timeline_item_get_kind (find_document (&f, "d-pat")), ==, CAB_DOCUMENT_KIND_PATIENT);

  /* The older half, with its masked, hidden and patient's entries. */
  {
    GtkWidget *list = GTK_WIDGET (cab_timeline_view_get_list_view (f.view));
    GtkAdjustment *adjustment =
      gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (list)));

    desk_wait_for_frame (list);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    desk_save_screenshot (list, "timeline-marks");
  }

  /* Opened before: nothing is new. */
  cab_timeline_view_set_patient (f.view, store, "p-1", NULL);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  g_assert_cmpint (marks_besides_offline (&f, "d-cons"), ==, 0);

  fixture_teardown (&f);
}

static void
test_filters (void)
{
  Fixture f = { 0 };
  g_autofree char *imaging = NULL;
  g_autofree char *lab = NULL;
  g_autofree char *other = NULL;
  g_autofree char *range = NULL;
  g_autofree char *text = NULL;
  g_autofree char *author = NULL;
  g_autofree char *all = NULL;
  g_autofree char *expected = g_strjoinv (" ", (char **) expected_order);

  fixture_setup (&f, "p-1", NULL);

  cab_timeline_view_set_kind_filter (f.view, CAB_KIND_FILTER_IMAGING);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  imaging = document_ids (&f);
  g_assert_cmpstr (imaging, ==, "d-img d-img-old d-kos-alone");
  desk_save_screenshot (GTK_WIDGET (f.view), "timeline-imaging");

  cab_timeline_view_set_kind_filter (f.view, CAB_KIND_FILTER_LAB);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  lab = document_ids (&f);
  g_assert_cmpstr (lab, ==, "d-lab");

  cab_timeline_view_set_kind_filter (f.view, CAB_KIND_FILTER_OTHER);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  other = document_ids (&f);
  g_assert_cmpstr (other, ==, "d-cert d-pat");

  cab_timeline_view_set_kind_filter (f.view, CAB_KIND_FILTER_ALL);
  cab_timeline_view_set_date_range (f.view, "2025-01-01", "2025-12-31");
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  range = document_ids (&f);
  g_assert_cmpstr (range, ==, "d-vac d-cert d-pat");

  /* Words of the report's text, accents left out. */
  cab_timeline_view_set_date_range (f.view, NULL, NULL);
  cab_timeline_view_set_search_text (f.view, "pancreas");
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  text = document_ids (&f);
  g_assert_cmpstr (text, ==, "d-img");

  cab_timeline_view_set_search_text (f.view, "orsini");
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  author = document_ids (&f);
  g_assert_cmpstr (author, ==, "d-cons d-rx d-masked");

  cab_timeline_view_set_search_text (f.view, "introuvable");
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (cab_timeline_view_get_model (f.view)), ==, 0);
  desk_save_screenshot (GTK_WIDGET (f.view), "timeline-no-match");

  cab_timeline_view_set_search_text (f.view, NULL);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  all = document_ids (&f);
  g_assert_cmpstr (all, ==, expected);

  fixture_teardown (&f);
}

/* The filter widgets drive the same filters as the API. */
static void
test_filter_widgets (void)
{
  Fixture f = { 0 };
  GtkWidget *entry;
  GList *buttons = NULL;
  g_autofree char *imaging = NULL;
  g_autofree char *range = NULL;

  fixture_setup (&f, "p-1", NULL);

  /* The fourth kind button is Imaging. */
  for (GtkWidget *w = desk_find_child_of_type (GTK_WIDGET (f.view), GTK_TYPE_TOGGLE_BUTTON);
       w != NULL; w = gtk_widget_get_next_sibling (w))
    buttons = g_list_append (buttons, w);
  g_assert_cmpuint (g_list_length (buttons), ==, 7);
  gtk_toggle_button_set_active (g_list_nth_data (buttons, 3), TRUE);
  g_list_free (buttons);
  g_assert_cmpint (cab_timeline_view_get_kind_filter (f.view), ==, CAB_KIND_FILTER_IMAGING);
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  imaging = document_ids (&f);
  g_assert_cmpstr (imaging, ==, "d-img d-img-old d-kos-alone");
  cab_timeline_view_set_kind_filter (f.view, CAB_KIND_FILTER_ALL);

  /* The "from" entry takes a French date; a wrong one is marked, not applied. */
  entry = desk_find_child_of_type (GTK_WIDGET (f.view), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "31/02/2025");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "01/06/2025");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_true (desk_wait_until (view_idle, f.view, DESK_WAIT_LIMIT_MS));
  range = document_ids (&f);
  g_assert_cmpstr (range, ==, "d-cons d-lab d-img d-rx d-vac d-cert");

  fixture_teardown (&f);
}

static void
test_activate (void)
{
  Fixture f = { 0 };
  GtkListView *list = NULL;

  fixture_setup (&f, "p-1", NULL);
  list = cab_timeline_view_get_list_view (f.view);

  /* A header opens nothing; a document emits its id. */
  g_signal_emit_by_name (list, "activate", 0);
  g_assert_null (f.activated);
  g_signal_emit_by_name (list, "activate", 2);
  g_assert_cmpstr (f.activated, ==, "d-lab");

  fixture_teardown (&f);
}

static void
test_empty (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, "p-empty", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (cab_timeline_view_get_model (f.view)), ==, 0);
  desk_save_screenshot (GTK_WIDGET (f.view), "timeline-empty");
  fixture_teardown (&f);
}

/* 5,000 entries: a few dozen row widgets, recycled while scrolling. */
static void
test_big_timeline (void)
{
  Fixture f = { 0 };
  GtkScrolledWindow *scrolled;
  GtkAdjustment *adjustment;
  guint n_items, setup_after_open;

  fixture_setup (&f, "p-big", NULL);
  g_assert_cmpuint (cab_timeline_view_get_n_documents (f.view), ==, BIG_TIMELINE);
  n_items = g_list_model_get_n_items (cab_timeline_view_get_model (f.view));
  /* 5,000 days are about 165 months. */
  g_assert_cmpuint (n_items, >, BIG_TIMELINE + 150);
  desk_wait_for_frame (GTK_WIDGET (f.view));
  setup_after_open = f.n_setup;
  /* GTK 4.8's list view keeps up to 200 rows around what shows
   * (GTK_LIST_VIEW_MAX_LIST_ITEMS), whatever the model's length. */
  g_assert_cmpuint (setup_after_open, >, 0);
  g_assert_cmpuint (setup_after_open, <=, 250);

  scrolled = GTK_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (cab_timeline_view_get_list_view (f.view))));
  adjustment = gtk_scrolled_window_get_vadjustment (scrolled);
  for (guint step = 0; step < 60; step++)
    {
      double upper = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

      gtk_adjustment_set_value (adjustment, upper * (step + 1) / 60.0);
      desk_wait_for_frame (GTK_WIDGET (f.view));
    }
  g_test_message ("scrolled to %.0f of %.0f (page %.0f)", gtk_adjustment_get_value (adjustment),
                  gtk_adjustment_get_upper (adjustment), gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  g_test_message ("row widgets: %u after opening, %u after scrolling %u items", setup_after_open, f.n_setup, n_items);
  /* Scrolling recycles those rows. */
  g_assert_cmpuint (f.n_setup, <=, setup_after_open + 20);
  desk_save_screenshot (GTK_WIDGET (f.view), "timeline-big-end");

  fixture_teardown (&f);
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
    g_assert_cmpstr (_("Imaging"), ==, "Imagerie");

  data_dir = g_dir_make_tmp ("cab-timeline-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  store = desk_store_new (data_dir);
  fill_store ();

  g_test_add_func ("/timeline/order-and-headers", test_order_and_headers);
  g_test_add_func ("/timeline/marks-and-kinds", test_marks_and_kinds);
  g_test_add_func ("/timeline/filters", test_filters);
  g_test_add_func ("/timeline/filter-widgets", test_filter_widgets);
  g_test_add_func ("/timeline/activate", test_activate);
  g_test_add_func ("/timeline/empty", test_empty);
  g_test_add_func ("/timeline/big", test_big_timeline);

  ret = g_test_run ();

  g_clear_object (&store);
  desk_remove_dir (data_dir);
  g_free (data_dir);
  g_free (desk_screenshot_dir);
  return ret;
}
