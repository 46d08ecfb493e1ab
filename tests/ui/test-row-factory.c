/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list item factory that keeps rows (src/ui/widgets/cab-row-factory.c)
 * in a real list view: a whole list replaced by another builds no new row
 * (the old ones show the new items), a shorter one keeps the rest aside
 * unbound and no more than asked, and every row goes with the view.
 */
#include "cab-test-ui.h"
#include "widgets/cab-row-factory.h"

static guint n_built;
static guint n_alive;

static void
row_finalized_cb (gpointer data, GObject *row)
{
  n_alive--;
}

static GtkWidget *
new_row (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  n_built++;
  n_alive++;
  g_object_weak_ref (G_OBJECT (label), row_finalized_cb, NULL);
  return label;
}

static void
bind_row (GtkWidget *row, gpointer item)
{
  gtk_label_set_label (GTK_LABEL (row), item != NULL ? gtk_string_object_get_string (item) : "");
}

static void
fill (GListStore *store, const char *prefix, guint n)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s%u", prefix, i);
      g_ptr_array_add (items, gtk_string_object_new (text));
    }
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), items->pdata, items->len);
}

/* The rows the view shows now, and how many of them show @prefix. */
static guint
count_rows (GtkWidget *view, const char *prefix, guint *n_rows)
{
  guint n = 0;

  *n_rows = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (!GTK_IS_LABEL (row))
        continue;
      (*n_rows)++;
      n += g_str_has_prefix (gtk_label_get_label (GTK_LABEL (row)), prefix);
    }
  return n;
}

static void
test_rows_kept (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  GtkListItemFactory *factory = cab_row_factory_new (new_row, bind_row, 60);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view;
  guint n_rows, first_built;

  fill (store, "a", 1000);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (store)))), factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), 300, 400);
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_settle (300);
  cab_test_ui_wait_frames (view, 2);
  g_assert_cmpuint (count_rows (view, "a", &n_rows), ==, n_rows);
  g_assert_cmpuint (n_rows, >, 50);
  first_built = n_built;
  g_assert_cmpuint (first_built, ==, n_rows);
  g_assert_cmpuint (cab_row_factory_n_spare (factory), ==, 0);

  /* A short list: GTK builds its rows before it lets the old ones go,
   * which are kept aside, unbound, sixty at most. */
  fill (store, "c", 5);
  cab_test_ui_settle (300);
  cab_test_ui_wait_frames (view, 2);
  g_assert_cmpuint (count_rows (view, "c", &n_rows), ==, 5);
  g_assert_cmpuint (n_rows, ==, 5);
  g_assert_cmpuint (n_built, ==, first_built + 5);
  g_assert_cmpuint (cab_row_factory_n_spare (factory), ==, 60);
  g_assert_cmpuint (n_alive, ==, 65);

  /* A long one again: the sixty kept come back before any is built. */
  fill (store, "d", 1000);
  cab_test_ui_settle (300);
  cab_test_ui_wait_frames (view, 2);
  g_assert_cmpuint (count_rows (view, "d", &n_rows), ==, n_rows);
  g_assert_cmpuint (n_rows, ==, first_built);
  g_assert_cmpuint (n_built, ==, first_built + 5 + n_rows - 60);
  g_assert_cmpuint (cab_row_factory_n_spare (factory), ==, 5);

  /* A short one again: built from the five kept, none new. */
  fill (store, "e", 5);
  cab_test_ui_settle (300);
  cab_test_ui_wait_frames (view, 2);
  g_assert_cmpuint (count_rows (view, "e", &n_rows), ==, 5);
  g_assert_cmpuint (n_rows, ==, 5);
  g_assert_cmpuint (n_built, ==, 2 * first_built + 5 - 60);
  g_assert_cmpuint (cab_row_factory_n_spare (factory), ==, 60);

  gtk_window_destroy (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  g_assert_cmpuint (n_alive, ==, 0);
}

int
main (int argc, char *argv[])
{
  cab_test_ui_init (&argc, &argv);
  gtk_init ();
  g_test_add_func ("/row-factory/rows-kept", test_rows_kept);
  return g_test_run ();
}
