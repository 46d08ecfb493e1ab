/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Outbox page with more entries than fit in its window, from the
 * keyboard: Tab, Shift+Tab and the arrow keys reach every entry's card and
 * its buttons, in the list's order, and the entry focused is scrolled into
 * view and drawn, while the rows out of view draw nothing
 * (docs/architecture.md, "The Outbox page while it drains": rows out of
 * view are culled from the repaint, not from the focus chain).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cab-application.h"
#include "cab-mail-send.h"
#include "cab-outbox.h"
#include "cab-store.h"
#include "cab-test-ui.h"
#include "outbox/cab-outbox-list-row.h"
#include "outbox/cab-outbox-page.h"

#define N_ENTRIES 20

typedef struct
{
  CabApplication *app;
  char           *dir;
  CabStore       *store;
  CabOutbox      *outbox;
  GtkWidget      *window;
  CabOutboxPage  *page;
  gint64          ids[N_ENTRIES];  /* oldest first: the list's last first */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const char *to[] = { "bob@cabinet.test", NULL };

  f->app = cab_test_ui_new_application ();
  f->dir = g_dir_make_tmp ("cab-outbox-keyboard-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
  /* Queued offline (no client): they stay waiting, each with Edit… and Cancel. */
  for (guint i = 0; i < N_ENTRIES; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Compte rendu %02u", i);
      g_autofree char *message_id = NULL;
      CabMailDraft draft = { .from = "alice@cabinet.test", .to = to, .subject = subject, .body = "Bonjour.\n" };
      g_assert_true (cab_mail_queue (f->store, &draft, &f->ids[i], &message_id, &error));
      g_assert_no_error (error);
    }
  f->outbox = cab_outbox_new (f->store, NULL);

  f->window = gtk_window_new ();
  gtk_window_set_application (GTK_WINDOW (f->window), GTK_APPLICATION (f->app));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 600);
  f->page = CAB_OUTBOX_PAGE (cab_outbox_page_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->page));
  cab_outbox_page_set_outbox (f->page, f->outbox);
  gtk_window_present (GTK_WINDOW (f->window));
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_PENDING, N_ENTRIES, "the entries to show");
  cab_test_ui_settle (200);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  cab_test_ui_settle (50);
  cab_test_ui_remove_tree (f->dir);
  g_free (f->dir);
  g_application_release (G_APPLICATION (f->app));
  g_clear_object (&f->app);
}

/* The entry number of the card holding @widget ("Compte rendu 07" -> 7), or -1. */
static int
entry_of (GtkWidget *widget)
{
  GtkWidget *row = widget != NULL ? gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW) : NULL;
  const char *title = row != NULL ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : NULL;
  const char *number = title != NULL ? strstr (title, "Compte rendu ") : NULL;

  return number != NULL ? atoi (number + strlen ("Compte rendu ")) : -1;
}

/* What has the focus: 'R' a card's row, 'E' an Edit… button, 'C' a Cancel
 * button, '?' anything else. */
static char
focus_kind (GtkWidget *focus)
{
  const char *label;

  if (ADW_IS_ACTION_ROW (focus))
    return 'R';
  if (!GTK_IS_BUTTON (focus) || (label = gtk_button_get_label (GTK_BUTTON (focus))) == NULL)
    return '?';
  if (g_str_equal (label, _("_Edit…")))
    return 'E';
  if (g_str_equal (label, _("_Cancel")))
    return 'C';
  return '?';
}

static GtkWidget *
focus_of (Fixture *f)
{
  return gtk_root_get_focus (GTK_ROOT (f->window));
}

/* The focused widget's list row draws (the page culls after the frame's
 * layout that scrolled it into view). */
static gboolean
focus_drawn (gpointer data)
{
  Fixture *f = data;
  GtkWidget *row = gtk_widget_get_ancestor (focus_of (f), CAB_TYPE_OUTBOX_LIST_ROW);

  return row != NULL && cab_outbox_list_row_get_in_view (CAB_OUTBOX_LIST_ROW (row));
}

static GtkWidget *
find_card (GtkWidget *widget)
{
  if (ADW_IS_ACTION_ROW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = find_card (child);

      if (card != NULL)
        return card;
    }
  return NULL;
}

/* The page's list box (the rows' parent). */
static GtkWidget *
find_list (Fixture *f)
{
  GtkWidget *card = find_card (GTK_WIDGET (f->page));
  GtkWidget *row = gtk_widget_get_ancestor (card, CAB_TYPE_OUTBOX_LIST_ROW);

  return gtk_widget_get_parent (row);
}

/* Whether entry @n's list row draws. */
static gboolean
entry_drawn (Fixture *f,
             int      n)
{
  GtkWidget *row = gtk_widget_get_ancestor (focus_of (f), CAB_TYPE_OUTBOX_LIST_ROW);

  for (GtkWidget *w = gtk_widget_get_first_child (gtk_widget_get_parent (row)); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (CAB_IS_OUTBOX_LIST_ROW (w) && entry_of (find_card (w)) == n)
      return cab_outbox_list_row_get_in_view (CAB_OUTBOX_LIST_ROW (w));
  g_assert_not_reached ();
}

/* Moves the focus as the window's Tab or Shift+Tab binding does. */
static void
tab (Fixture          *f,
     GtkDirectionType  direction)
{
  g_assert_true (gtk_widget_child_focus (f->window, direction));
}

/* Tab walks every card and its two buttons in order (the list's order:
 * newest first), Shift+Tab the same way back; the entry focused is drawn,
 * the first ones out of view are not once the focus is at the end. */
static void
test_tab (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GString) walk = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);

  for (int i = N_ENTRIES - 1; i >= 0; i--)
    g_string_append_printf (expected, "%02dR %02dE %02dC ", i, i, i);
  gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
  for (guint n = 0; n < 3 * N_ENTRIES; n++)
    {
      tab (f, GTK_DIR_TAB_FORWARD);
      g_string_append_printf (walk, "%02d%c ", entry_of (focus_of (f)), focus_kind (focus_of (f)));
      /* Scrolled into view and drawn at the next frames. */
      cab_test_ui_wait_for (focus_drawn, f, "the focused entry to be drawn");
    }
  g_assert_cmpstr (walk->str, ==, expected->str);

  /* At the last card's Cancel: the first cards are culled. */
  g_assert_false (entry_drawn (f, N_ENTRIES - 1));
  cab_test_ui_screenshot_widget (f->window, "outbox-keyboard-end", 200);

  /* Shift+Tab all the way back to the first card's row. */
  g_string_truncate (walk, 0);
  g_string_truncate (expected, 0);
  for (int i = 0; i < N_ENTRIES; i++)
    {
      if (i > 0)
        g_string_append_printf (expected, "%02dC ", i);
      g_string_append_printf (expected, "%02dE %02dR ", i, i);
    }
  for (guint n = 0; n < 3 * N_ENTRIES - 1; n++)
    {
      tab (f, GTK_DIR_TAB_BACKWARD);
      g_string_append_printf (walk, "%02d%c ", entry_of (focus_of (f)), focus_kind (focus_of (f)));
      cab_test_ui_wait_for (focus_drawn, f, "the focused entry to be drawn");
    }
  g_assert_cmpstr (walk->str, ==, expected->str);
  g_assert_false (entry_drawn (f, 0));
}

/* The arrow keys (a list box's "move-cursor", as Down and Up): each card
 * is a one-row list, so at its edge the cursor moves the focus as Tab and
 * Shift+Tab do, through the card's buttons to the next card. */
static void
test_arrows (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GString) walk = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);

  /* The first card's row. */
  gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
  tab (f, GTK_DIR_TAB_FORWARD);
  g_assert_cmpint (entry_of (focus_of (f)), ==, N_ENTRIES - 1);
  g_assert_cmpint (focus_kind (focus_of (f)), ==, 'R');

  for (int i = N_ENTRIES - 1; i >= 0; i--)
    g_string_append_printf (expected, "%02dR %02dE %02dC ", i, i, i);
  for (guint n = 0; n < 3 * N_ENTRIES; n++)
    {
      g_string_append_printf (walk, "%02d%c ", entry_of (focus_of (f)), focus_kind (focus_of (f)));
      cab_test_ui_wait_for (focus_drawn, f, "the focused entry to be drawn");
      if (n + 1 < 3 * N_ENTRIES)
        g_signal_emit_by_name (gtk_widget_get_ancestor (focus_of (f), GTK_TYPE_LIST_BOX), "move-cursor",
                               GTK_MOVEMENT_DISPLAY_LINES, 1, FALSE, FALSE);
    }
  g_assert_cmpstr (walk->str, ==, expected->str);
  g_assert_false (entry_drawn (f, N_ENTRIES - 1));

  /* And up again to the first card. */
  for (guint n = 0; n < 3 * N_ENTRIES - 1; n++)
    g_signal_emit_by_name (gtk_widget_get_ancestor (focus_of (f), GTK_TYPE_LIST_BOX), "move-cursor",
                           GTK_MOVEMENT_DISPLAY_LINES, -1, FALSE, FALSE);
  g_assert_cmpint (entry_of (focus_of (f)), ==, N_ENTRIES - 1);
  g_assert_cmpint (focus_kind (focus_of (f)), ==, 'R');
  cab_test_ui_wait_for (focus_drawn, f, "the first entry to be drawn");
  g_assert_false (entry_drawn (f, 0));
}

/* The list box's row @n (0: the first) and its header, or NULL. */
static GtkWidget *
list_row_header (Fixture *f,
                 int      n)
{
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (find_list (f)), n));

  g_assert_nonnull (row);
  return gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row));
}

static void
acted_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_outbox_act_finish (CAB_OUTBOX (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

typedef struct
{
  Fixture *f;
  int      row;
} Placed;

/* The header of the row is the widget just before it (the order screen
 * readers read the list box's children in). */
static gboolean
header_placed (gpointer data)
{
  Placed *p = data;
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (find_list (p->f)), p->row));
  GtkWidget *header = gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row));

  return header != NULL && gtk_widget_get_next_sibling (header) == row;
}

/* Headings are the list box's headers, not rows: every row is a card,
 * each heading a sensitive label of the heading role, read before its
 * group (just before its first row among the list box's children). The
 * last waiting entry cancelled stays in its place, under a heading of
 * its own ("Recently Sent"), with no row moved. */
static void
test_headings (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *list = find_list (f);
  GtkWidget *header, *sent_heading;
  GtkAdjustment *adj;
  guint n_sent_headings = 0;
  gboolean done = FALSE;
  Placed placed = { f, 0 };
  guint n_rows = 0;

  for (GtkWidget *w = gtk_widget_get_first_child (list); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_LIST_BOX_ROW (w))
      {
        g_assert_nonnull (find_card (w));
        g_assert_true (gtk_widget_get_sensitive (w));
        n_rows++;
      }
  g_assert_cmpuint (n_rows, ==, N_ENTRIES);

  header = list_row_header (f, 0);
  g_assert_true (GTK_IS_LABEL (header));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (header)), ==, _("Waiting to Be Sent"));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (header)), ==, GTK_ACCESSIBLE_ROLE_HEADING);
  g_assert_true (gtk_widget_is_sensitive (header));
  g_assert_false (gtk_widget_get_focusable (header));
  cab_test_ui_wait_for (header_placed, &placed, "the heading before its row");
  for (int n = 1; n < N_ENTRIES; n++)
    g_assert_null (list_row_header (f, n));

  /* The oldest entry, the last row, cancelled: "Recently Sent" over it. */
  cab_outbox_act_async (f->outbox, f->ids[0], CAB_OUTBOX_ACTION_CANCEL, NULL, acted_cb, &done);
  cab_test_ui_wait_for (flag_set, &done, "the entry to be cancelled");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_CANCELLED, 1, "the entry cancelled to show");
  header = list_row_header (f, N_ENTRIES - 1);
  g_assert_true (GTK_IS_LABEL (header));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (header)), ==, _("Recently Sent"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (list_row_header (f, 0))), ==, _("Waiting to Be Sent"));
  for (int n = 1; n < N_ENTRIES - 1; n++)
    g_assert_null (list_row_header (f, n));
  placed.row = N_ENTRIES - 1;
  cab_test_ui_wait_for (header_placed, &placed, "the new heading before its row");
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW)));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  cab_test_ui_screenshot_widget (f->window, "outbox-headings-end", 200);

  /* Another entry cancelled heads "Recently Sent" now, under the same
   * label: a heading is made once and handed from row to row. */
  sent_heading = header;
  done = FALSE;
  cab_outbox_act_async (f->outbox, f->ids[1], CAB_OUTBOX_ACTION_CANCEL, NULL, acted_cb, &done);
  cab_test_ui_wait_for (flag_set, &done, "the second entry to be cancelled");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_CANCELLED, 2, "the second entry cancelled to show");
  for (int n = 0; n < N_ENTRIES; n++)
    {
      header = list_row_header (f, n);
      if (header != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (header)), _("Recently Sent")) == 0)
        {
          g_assert_true (header == sent_heading);
          g_assert_true (gtk_widget_get_parent (header) == list);
          placed.row = n;
          n_sent_headings++;
        }
    }
  g_assert_cmpuint (n_sent_headings, ==, 1);
  cab_test_ui_wait_for (header_placed, &placed, "the heading before its new row");
}

/* An entry's last error reads in the language of the page, whoever
 * failed the send (docs/architecture.md, "An entry's last error"): stored
 * as a code and the server's words, with the sentence as the failing
 * process worded it in the other language, it shows the sentence made now
 * (French under --lang=fr, English otherwise) and the server's words as
 * they came. */
static void
test_error_language (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) stepped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  g_autofree char *expected = NULL;
  const char *reply = "550 5.1.1 <bob@cabinet.test>: Recipient address rejected: no such mailbox (test)";
  gboolean french = g_strcmp0 (g_getenv ("LANGUAGE"), "fr") == 0;
  CabOutboxOutcome outcome = { .state = CAB_OUTBOX_STATE_FAILED };
  const CabOutboxEntry *entries[1];
  const CabOutboxOutcome *outcomes[1] = { &outcome };
  gint64 next_due = 0;

  /* The oldest entry claimed and failed as a drain in the other language
   * records it. */
  claimed = cab_store_outbox_claim (f->store, "[\"mail\"]", g_get_real_time (), NULL, 1, &next_due, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (((CabOutboxEntry *) claimed->pdata[0])->id, ==, f->ids[0]);
  outcome.error = g_strdup_printf (french ? "The mail server refused the message: %s"
                                          : "Le serveur de messagerie a refusé le message : %s", reply);
  outcome.error_code = g_strdup ("mail-refused");
  outcome.error_detail = g_strdup (reply);
  entries[0] = claimed->pdata[0];
  stepped = cab_store_outbox_step (f->store, entries, outcomes, 1, "[]", g_get_real_time (), NULL, 0,
                                   &next_due, &error);
  g_assert_no_error (error);
  cab_outbox_outcome_clear (&outcome);
  /* The store was written to behind the outbox's back: it says so. */
  g_signal_emit_by_name (f->outbox, "changed");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_FAILED, 1, "the entry failed to show");

  title = cab_outbox_page_dup_entry_text (f->page, f->ids[0], &subtitle);
  g_assert_nonnull (title);
  expected = g_strdup_printf (_("The mail server refused the message: %s"), reply);
  g_test_message ("subtitle: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, expected));
  g_assert_nonnull (strstr (subtitle, french ? "Le serveur de messagerie a refusé le message : 550 5.1.1"
                                             : "The mail server refused the message: 550 5.1.1"));
  cab_test_ui_screenshot_widget (f->window, "outbox-error-language", 200);
}

int
main (int   argc,
      char *argv[])
{
  cab_test_ui_init (&argc, &argv);

  g_test_add ("/outbox-keyboard/tab", Fixture, NULL, fixture_set_up, test_tab, fixture_tear_down);
  g_test_add ("/outbox-keyboard/arrows", Fixture, NULL, fixture_set_up, test_arrows, fixture_tear_down);
  g_test_add ("/outbox-keyboard/headings", Fixture, NULL, fixture_set_up, test_headings, fixture_tear_down);
  g_test_add ("/outbox-keyboard/error-language", Fixture, NULL, fixture_set_up, test_error_language, fixture_tear_down);

  return g_test_run ();
}
