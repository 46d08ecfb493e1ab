/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model that shows the rest of a long list a step a frame
 * (src/ui/widgets/cab-reveal-model.c), in a real list view: the rest of a
 * list after its first page never makes the view build more than a step
 * of rows in a frame, yet the whole list is shown in the end and its last
 * item can be selected; End before the whole list is shown goes to the
 * last item of the list, not of what was shown, and Down or Page Down on
 * the last row shown to the items beyond; a sync's new items at the top or
 * among the others are shown a step a frame too, the selected item staying
 * selected, her row where it was when she scrolled down or goes through
 * the list from the keyboard, the new mail in sight when the view is at
 * its top; and whatever the list does meanwhile, what
 * the model says it holds is always the list's items in its order (less
 * the ones not shown yet), item for item, as its items-changed told it.
 */
#include "cab-test-ui.h"
#include "widgets/cab-reveal-model.h"
#include "widgets/cab-row-factory.h"

#define FIRST 20
#define STEP  12
#define N     2000

static GtkWidget *
new_row (void)
{
  return gtk_label_new (NULL);
}

static guint n_binds;

/* Rows bound to another item than the one they showed: GTK 4.8 binds a
 * row again at each change of its position, the same item (which the
 * Inbox's rows, cab-inbox-row.c, take as nothing to do). */
static void
bind_row (GtkWidget *row, gpointer item)
{
  const char *text = item != NULL ? gtk_string_object_get_string (item) : "";

  if (item != NULL && g_strcmp0 (gtk_label_get_label (GTK_LABEL (row)), text) != 0)
    n_binds++;
  gtk_label_set_label (GTK_LABEL (row), text);
}

static GPtrArray *
make_items (const char *prefix, guint first, guint n)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s%u", prefix, i);
      g_ptr_array_add (items, gtk_string_object_new (text));
    }
  return items;
}

static void
splice (GListStore *store, guint position, guint removed, const char *prefix, guint added)
{
  g_autoptr(GPtrArray) items = make_items (prefix, position, added);

  g_list_store_splice (store, position, removed, items->pdata, items->len);
}

typedef struct
{
  GListStore         *store;
  CabRevealModel     *reveal;
  GtkSingleSelection *selection;
  GtkWidget          *window;
  GtkWidget          *view;
  guint               last_rows;
  guint               most_rows_a_frame;  /* the most rows the view built between two frames */
  guint               last_binds;
  guint               most_binds_a_frame; /* the most items bound to rows between two frames */
  gboolean            counting;
} Fixture;

static guint
count_rows (GtkWidget *view)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

static void
after_paint_cb (GdkFrameClock *clock, Fixture *f)
{
  guint rows = count_rows (f->view);

  if (f->counting && rows > f->last_rows)
    f->most_rows_a_frame = MAX (f->most_rows_a_frame, rows - f->last_rows);
  if (f->counting)
    f->most_binds_a_frame = MAX (f->most_binds_a_frame, n_binds - f->last_binds);
  f->last_rows = rows;
  f->last_binds = n_binds;
}

static void
fixture_set_up (Fixture *f)
{
  GtkListItemFactory *factory = cab_row_factory_new (new_row, bind_row, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  f->store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  f->reveal = cab_reveal_model_new (G_LIST_MODEL (f->store), FIRST, STEP);
  f->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (f->reveal)));
  gtk_single_selection_set_autoselect (f->selection, FALSE);
  f->view = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (f->selection)), factory);
  cab_reveal_model_set_view (f->reveal, f->view);
  f->window = gtk_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), f->view);
  gtk_window_set_child (GTK_WINDOW (f->window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 300, 400);
  gtk_window_present (GTK_WINDOW (f->window));
  cab_test_ui_settle (200);
  g_signal_connect (gtk_widget_get_frame_clock (f->window), "after-paint", G_CALLBACK (after_paint_cb), f);

  /* A first page, shown whole and at once. */
  splice (f->store, 0, 0, "a", FIRST);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->selection)), ==, FIRST);
  g_assert_true (cab_reveal_model_is_whole (f->reveal));
  cab_test_ui_settle (200);
  /* Its rows built: the view builds them in a frame's layout, which a
   * loaded machine draws later than 200 ms. */
  cab_test_ui_wait_frames (f->view, 2);
}

static void
fixture_tear_down (Fixture *f)
{
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (f->window), f);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->selection);
  g_clear_object (&f->store);
  cab_test_ui_settle (50);
  /* The view had the last reference but ours. */
  g_assert_finalize_object (f->reveal);
}

static gboolean
is_whole (gpointer data)
{
  return cab_reveal_model_is_whole (data);
}

/* The rest of the list: a step of rows a frame, then the whole list, its
 * last item selectable. */
static void
test_rest (void)
{
  Fixture f = { 0 };
  g_autoptr(GObject) last = NULL;
  guint rows;

  fixture_set_up (&f);
  rows = count_rows (f.view);
  g_assert_cmpuint (rows, >=, FIRST);
  f.last_rows = rows;
  f.counting = TRUE;
  splice (f.store, FIRST, 0, "a", N - FIRST);
  /* Nothing of it yet: the view built no row in this items-changed. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.selection)), ==, FIRST);
  g_assert_cmpuint (count_rows (f.view), ==, rows);
  g_assert_false (cab_reveal_model_is_whole (f.reveal));

  cab_test_ui_wait_for (is_whole, f.reveal, "the whole list shown");
  cab_test_ui_settle (100);
  cab_test_ui_wait_frames (f.view, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.selection)), ==, N);
  /* GTK 4.8 built its 200 rows, never more than a step in one frame. */
  g_assert_cmpuint (count_rows (f.view), >, 150);
  g_assert_cmpuint (f.most_rows_a_frame, >, 0);
  g_assert_cmpuint (f.most_rows_a_frame, <=, STEP);

  gtk_single_selection_set_selected (f.selection, N - 1);
  last = g_list_model_get_item (G_LIST_MODEL (f.store), N - 1);
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == (gpointer) last);
  gtk_widget_activate_action (f.view, "list.scroll-to-item", "u", N - 1);
  cab_test_ui_settle (200);
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == (gpointer) last);

  /* A new list (a filter changed): its first page at once, then its rest
   * the same way. */
  splice (f.store, 0, N, "b", FIRST);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.selection)), ==, FIRST);
  splice (f.store, FIRST, 0, "b", N - FIRST);
  g_assert_false (cab_reveal_model_is_whole (f.reveal));
  cab_test_ui_wait_for (is_whole, f.reveal, "the new list shown");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.selection)), ==, N);

  fixture_tear_down (&f);
}

/* A key as GTK dispatches it in the view: its capture-phase key
 * controllers, then its own bindings (the End of GtkListView). */
static void
press_in_view (GtkWidget *view, guint keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  g_autoptr(GtkShortcutTrigger) trigger = gtk_keyval_trigger_new (keyval, 0);
  gboolean handled = FALSE, found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  g_assert_false (handled);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !found; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_BUBBLE)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !found; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (!gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            continue;
          found = TRUE;
          g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                       GTK_SHORTCUT_ACTION_EXCLUSIVE, view,
                                                       gtk_shortcut_get_arguments (shortcut)));
        }
    }
  g_assert_true (found);
}

/* End right after the rest landed: the last item of the whole list. */
static void
test_end (void)
{
  Fixture f = { 0 };
  g_autoptr(GObject) last = NULL;

  fixture_set_up (&f);
  gtk_single_selection_set_selected (f.selection, 0);
  gtk_widget_grab_focus (gtk_widget_get_first_child (f.view));
  splice (f.store, FIRST, 0, "a", N - FIRST);
  g_assert_false (cab_reveal_model_is_whole (f.reveal));

  press_in_view (f.view, GDK_KEY_End);
  g_assert_true (cab_reveal_model_is_whole (f.reveal));
  last = g_list_model_get_item (G_LIST_MODEL (f.store), N - 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (f.selection), ==, N - 1);
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == (gpointer) last);
  cab_test_ui_settle (200);
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == (gpointer) last);

  fixture_tear_down (&f);
}

/* The row that shows @item, or NULL. */
static GtkWidget *
row_of (Fixture *f, gpointer item)
{
  const char *text = gtk_string_object_get_string (item);

  for (GtkWidget *child = gtk_widget_get_first_child (f->view); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *label = gtk_widget_get_first_child (child);

      if (GTK_IS_LABEL (label) && g_str_equal (gtk_label_get_label (GTK_LABEL (label)), text) &&
          gtk_widget_get_child_visible (child))
        return child;
    }
  return NULL;
}

/* Where @item's row is in the window. */
static float
row_y (Fixture *f, gpointer item)
{
  GtkWidget *row = row_of (f, item);
  graphene_point_t point;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_compute_point (row, f->window, &GRAPHENE_POINT_INIT (0, 0), &point));
  return point.y;
}

/* The whole list shown, the third item selected, as someone reads it. */
static gpointer
set_up_reading (Fixture *f)
{
  fixture_set_up (f);
  splice (f->store, FIRST, 0, "a", N - FIRST);
  cab_test_ui_wait_for (is_whole, f->reveal, "the whole list shown");
  gtk_single_selection_set_selected (f->selection, 2);
  cab_test_ui_settle (200);
  cab_test_ui_wait_frames (f->view, 2);
  return gtk_single_selection_get_selected_item (f->selection);
}

/* The model holds the store's items, in its order (some not yet). */
static void
check_order (Fixture *f)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->reveal));
  guint j = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) shown = g_list_model_get_item (G_LIST_MODEL (f->reveal), i);

      while (j < g_list_model_get_n_items (G_LIST_MODEL (f->store)))
        {
          g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (f->store), j++);

          if (item == shown)
            break;
        }
      g_assert_true (cab_reveal_model_get_model_position (f->reveal, i) == j - 1);
    }
}

/* Where the sync's new mail goes and where she is. */
typedef enum
{
  SYNC_TOP,          /* new at the top, the view at its top */
  SYNC_SPREAD,       /* new among the others, the view at its top */
  SYNC_TOP_SCROLLED, /* new at the top, the view scrolled down to her message */
  SYNC_TOP_KEYS,     /* new at the top, the view at its top, her row focused from the keyboard */
} Sync;

/* A sync's new mail while someone reads a message: @n_new new items, as
 * the inbox list tells them (cab-inbox-list.c): at the top, one
 * insertion; or among the others, one change of the whole range that
 * adds the same objects again with the new ones between them. Nothing new
 * is shown in that change; then a step a frame at most, her selection
 * staying, until the list is whole. Scrolled down (or going through the
 * list from the keyboard), her row stays where it was; at the very top,
 * the view stays at the top and shows the new mail there (GTK 4.8 alone
 * keeps the row it showed first at the top, the new mail above, out of
 * sight). */
static void
check_sync (Sync where)
{
  Fixture f = { 0 };
  gpointer reading = set_up_reading (&f);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f.store));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GObject) top = g_list_model_get_item (G_LIST_MODEL (f.store), 0);
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (f.view));
  guint n_new = 200, selected;
  float y, top_y = row_y (&f, top);

  if (where == SYNC_TOP_SCROLLED)
    {
      gtk_single_selection_set_selected (f.selection, 500);
      reading = gtk_single_selection_get_selected_item (f.selection);
      gtk_widget_activate_action (f.view, "list.scroll-to-item", "u", 500);
      cab_test_ui_settle (200);
      cab_test_ui_wait_frames (f.view, 2);
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
    }
  if (where == SYNC_TOP_KEYS)
    {
      gtk_widget_grab_focus (row_of (&f, reading));
      gtk_window_set_focus_visible (GTK_WINDOW (f.window), TRUE);
      cab_test_ui_settle (100);
      cab_test_ui_wait_frames (f.view, 2);
    }
  selected = gtk_single_selection_get_selected (f.selection);
  y = row_y (&f, reading);

  f.counting = TRUE;
  f.most_binds_a_frame = 0;
  f.last_binds = n_binds;
  if (where == SYNC_SPREAD)
    {
      /* One before each item from the fifth on. */
      for (guint i = 0; i < n; i++)
        {
          if (i >= 4 && i < 4 + n_new)
            g_ptr_array_add (items, gtk_string_object_new ("new"));
          g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (f.store), i));
        }
      g_list_store_splice (f.store, 0, n, items->pdata, items->len);
    }
  else
    splice (f.store, 0, 0, "new", n_new);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.reveal)), ==, N);
  g_assert_false (cab_reveal_model_is_whole (f.reveal));
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == reading);
  g_assert_cmpuint (gtk_single_selection_get_selected (f.selection), ==, selected);
  check_order (&f);

  while (!cab_reveal_model_is_whole (f.reveal))
    {
      cab_test_ui_settle (20);
      g_assert_true (gtk_single_selection_get_selected_item (f.selection) == reading);
      check_order (&f);
    }
  cab_test_ui_settle (200);
  cab_test_ui_wait_frames (f.view, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f.reveal)), ==, N + n_new);
  check_order (&f);
  g_assert_true (gtk_single_selection_get_selected_item (f.selection) == reading);
  if (where == SYNC_TOP)
    {
      g_autoptr(GObject) newest = g_list_model_get_item (G_LIST_MODEL (f.store), 0);

      /* The newest mail where the first row was, the view at its top. */
      g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
      g_assert_cmpfloat (row_y (&f, newest), ==, top_y);
    }
  else
    /* Her row did not move. */
    g_assert_cmpfloat (row_y (&f, reading), ==, y);
  /* The view bound a step's rows a frame (none far above her rows). */
  g_assert_cmpuint (f.most_binds_a_frame, <=, STEP);
  if (where != SYNC_TOP_SCROLLED)
    g_assert_cmpuint (f.most_binds_a_frame, >, 0);

  fixture_tear_down (&f);
}

static void
test_sync_top (void)
{
  check_sync (SYNC_TOP);
}

static void
test_sync_spread (void)
{
  check_sync (SYNC_SPREAD);
}

static void
test_sync_top_scrolled (void)
{
  check_sync (SYNC_TOP_SCROLLED);
}

static void
test_sync_top_keys (void)
{
  check_sync (SYNC_TOP_KEYS);
}

/* Down and Page Down on the last row shown before the rest is: the
 * list's next item, and a page further on. */
static void
check_move_past (guint keyval)
{
  Fixture f = { 0 };
  GtkWidget *row;
  g_autoptr(GObject) last = NULL;
  guint selected;

  fixture_set_up (&f);
  gtk_single_selection_set_selected (f.selection, FIRST - 1);
  splice (f.store, FIRST, 0, "a", N - FIRST);
  g_assert_false (cab_reveal_model_is_whole (f.reveal));
  last = g_list_model_get_item (G_LIST_MODEL (f.store), FIRST - 1);
  row = row_of (&f, last);
  g_assert_nonnull (row);
  gtk_widget_grab_focus (row);

  press_in_view (f.view, keyval);
  selected = gtk_single_selection_get_selected (f.selection);
  g_assert_cmpuint (selected, >=, FIRST);
  if (keyval == GDK_KEY_Down)
    g_assert_cmpuint (selected, ==, FIRST);
  {
    g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (f.store), selected);

    g_assert_true (gtk_single_selection_get_selected_item (f.selection) == (gpointer) item);
  }
  fixture_tear_down (&f);
}

static void
test_down (void)
{
  check_move_past (GDK_KEY_Down);
}

static void
test_page_down (void)
{
  check_move_past (GDK_KEY_Page_Down);
}

/* ------------------------------------------------- the model's changes */

typedef struct
{
  GListModel *model;
  GPtrArray  *mirror;   /* what items-changed told, applied */
} Mirror;

static void
mirror_changed_cb (GListModel *model, guint position, guint removed, guint added, Mirror *m)
{
  g_assert_cmpuint (position + removed, <=, m->mirror->len);
  g_ptr_array_remove_range (m->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (m->mirror, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (m->mirror->len, ==, g_list_model_get_n_items (model));
}

/* The model holds the store's items in the store's order, less the ones
 * not shown yet, as its changes said; whole, all of them. */
static void
check_mirror (Mirror *m, GListModel *store, CabRevealModel *reveal)
{
  guint n = g_list_model_get_n_items (m->model);
  guint last = 0;

  g_assert_cmpuint (m->mirror->len, ==, n);
  g_assert_cmpuint (n, <=, g_list_model_get_n_items (store));
  if (cab_reveal_model_is_whole (reveal))
    g_assert_cmpuint (n, ==, g_list_model_get_n_items (store));
  for (guint i = 0; i < n; i++)
    {
      guint position = cab_reveal_model_get_model_position (reveal, i);
      g_autoptr(GObject) item = g_list_model_get_item (store, position);
      g_autoptr(GObject) shown = g_list_model_get_item (m->model, i);

      g_assert_true (i == 0 || position > last);
      last = position;
      g_assert_true (g_ptr_array_index (m->mirror, i) == (gpointer) item);
      g_assert_true (shown == item);
    }
  g_assert_null (g_list_model_get_item (m->model, n));
}

/* A sync's answer to the store's [@position, +@len): the same objects
 * again, some gone, new ones between them, as one change. */
static void
resplice (GListStore *store, GRand *rand, guint position, guint len, const char *prefix)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint odds = g_rand_int_range (rand, 1, 20);

  for (guint i = position; i <= position + len; i++)
    {
      while (g_rand_int_range (rand, 0, odds + 1) == 0)
        g_ptr_array_add (items, gtk_string_object_new (prefix));
      if (i < position + len && g_rand_int_range (rand, 0, 10) > 0)
        g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (store), i));
    }
  g_list_store_splice (store, position, len, items->pdata, items->len);
}

/* Random changes to the store, shown partly or whole (no view: the test
 * reveals by hand), against what the model's items-changed said. */
static void
test_changes (void)
{
  g_autoptr(GListStore) store = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  g_autoptr(CabRevealModel) reveal = cab_reveal_model_new (G_LIST_MODEL (store), FIRST, STEP);
  Mirror m = { G_LIST_MODEL (reveal), g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261205);
  guint partial = 0;

  g_signal_connect (reveal, "items-changed", G_CALLBACK (mirror_changed_cb), &m);
  for (guint round = 0; round < 1500; round++)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
      guint kind = g_rand_int_range (rand, 0, 9);
      g_autofree char *prefix = g_strdup_printf ("r%u-", round);

      if (kind == 0)       /* a new list: its first page, then its rest */
        {
          splice (store, 0, n, prefix, FIRST);
          splice (store, g_list_model_get_n_items (G_LIST_MODEL (store)), 0, prefix, g_rand_int_range (rand, 0, 400));
        }
      else if (kind == 1)  /* a step shown, or all, as frames and End do */
        cab_reveal_model_reveal (reveal, g_rand_boolean (rand) ? G_MAXUINT
                                 : g_list_model_get_n_items (m.model) + STEP);
      else if (kind == 6)  /* a sync's answer: new mail among the same items */
        {
          guint position = g_rand_int_range (rand, 0, n + 1);

          resplice (store, rand, position, g_rand_int_range (rand, 0, n - position + 1), prefix);
        }
      else if (kind == 7)  /* an item shown now, as a selection does */
        {
          guint position = g_rand_int_range (rand, 0, n + 1);
          guint shown = cab_reveal_model_show (reveal, position);

          if (position == n)
            g_assert_cmpuint (shown, ==, GTK_INVALID_LIST_POSITION);
          else
            {
              g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), position);
              g_autoptr(GObject) there = g_list_model_get_item (m.model, shown);

              g_assert_true (item == there);
            }
        }
      else                 /* anything anywhere: new mail, a triage, a reload */
        {
          guint position = g_rand_int_range (rand, 0, n + 1);
          guint removed = g_rand_int_range (rand, 0, MIN (n - position, 60) + 1);

          splice (store, position, removed, prefix, g_rand_int_range (rand, 0, kind == 2 ? 200 : 40));
        }
      partial += !cab_reveal_model_is_whole (reveal);
      check_mirror (&m, G_LIST_MODEL (store), reveal);
    }
  /* The partly shown states were tried too. */
  g_assert_cmpuint (partial, >, 150);
  cab_reveal_model_reveal (reveal, G_MAXUINT);
  check_mirror (&m, G_LIST_MODEL (store), reveal);
  g_assert_true (cab_reveal_model_is_whole (reveal));
  g_signal_handlers_disconnect_by_data (reveal, &m);
  g_ptr_array_unref (m.mirror);
}

int
main (int argc, char *argv[])
{
  cab_test_ui_init (&argc, &argv);
  gtk_init ();
  g_test_add_func ("/reveal-model/changes", test_changes);
  g_test_add_func ("/reveal-model/rest", test_rest);
  g_test_add_func ("/reveal-model/end", test_end);
  g_test_add_func ("/reveal-model/down", test_down);
  g_test_add_func ("/reveal-model/page-down", test_page_down);
  g_test_add_func ("/reveal-model/sync-top", test_sync_top);
  g_test_add_func ("/reveal-model/sync-spread", test_sync_spread);
  g_test_add_func ("/reveal-model/sync-top-scrolled", test_sync_top_scrolled);
  g_test_add_func ("/reveal-model/sync-top-keys", test_sync_top_keys);
  return g_test_run ();
}
