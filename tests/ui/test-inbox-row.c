/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Inbox list's row (src/ui/inbox/cab-inbox-row.c), one widget that
 * draws its message: every message gets a row of the same height, whatever
 * its text, and its width asks nothing of the text (a long subject is not
 * measured whole: docs/architecture.md, "Rows draw themselves"); it shows
 * the badge of the message's match and the doctor it is assigned to, and a
 * row bound again shows the new message. A screenshot of the states side
 * by side (inbox-rows-LANG.png), to look at against the Inbox page's, and
 * right to left (inbox-rows-rtl-LANG.png), where every part of a row is at
 * the mirror of its place.
 */
#include <adwaita.h>

#include "cab-test-ui.h"
#include "inbox/cab-inbox-format.h"
#include "inbox/cab-inbox-row.h"

#define LONG_SUBJECT \
  "Compte rendu d'hospitalisation en médecine interne du 3 au 17 mars, avec les résultats " \
  "d'imagerie, la biologie de sortie, le traitement à poursuivre et les rendez-vous de suivi prévus " \
  "en consultation de cardiologie et de néphrologie, à lire avant la prochaine consultation"

static CabInboxItem *
make_item (gint64      id,
           const char *subject,
           const char *state,
           gboolean    unread,
           guint       n_documents,
           gboolean    documents_ok,
           const char *assignee)
{
  CabInboxItemData data = {
    .id = id,
    .date = 1712091900 - id * 86400,
    .from_display = "Dr François Bégué <francois.begue@tilleuls.mssante.fr>",
    .from_address = "francois.begue@tilleuls.mssante.fr",
    .subject = subject,
    .status = assignee != NULL ? "assigned" : "new",
    .match_state = state,
    .match_reason = "traits",
    .patient_qualified = TRUE,
    .n_documents = n_documents,
    .documents_ok = documents_ok,
    .type_labels = n_documents > 0 ? "Compte rendu de consultation" : NULL,
    .unread = unread,
    .assignee = assignee,
    .assignee_prefix = assignee != NULL ? "Dr" : NULL,
    .assignee_given = assignee != NULL ? "Odile" : NULL,
    .assignee_family = assignee != NULL ? "JÉGOU" : NULL,
  };

  return cab_inbox_item_new (&data, 1712091900 / 86400, 0);
}

static int
natural_width (GtkWidget *row)
{
  int minimum, natural;

  gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  return natural;
}

static int
natural_height (GtkWidget *row)
{
  int minimum, natural;

  gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural, NULL, NULL);
  return natural;
}

static void
test_rows (void)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *rows[6];
  int height, width;

  g_ptr_array_add (items, make_item (1, "Courrier de sortie d’hospitalisation", "proposed", FALSE, 1, TRUE, NULL));
  g_ptr_array_add (items, make_item (2, "Résultats d'analyses biologiques", "auto", TRUE, 1, TRUE, NULL));
  g_ptr_array_add (items, make_item (3, LONG_SUBJECT, "conflict", TRUE, 2, TRUE, NULL));
  g_ptr_array_add (items, make_item (4, "Courrier de sortie d’hospitalisation", "none", FALSE, 1, FALSE, NULL));
  g_ptr_array_add (items, make_item (5, "", "proposed", TRUE, 0, TRUE, "Practitioner/jegou"));
  g_ptr_array_add (items, make_item (6, "Lettre de liaison", "auto", FALSE, 1, FALSE, "Practitioner/jegou"));

  gtk_window_set_default_size (GTK_WINDOW (window), 400, -1);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_widget_add_css_class (box, "navigation-sidebar");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      rows[i] = cab_inbox_row_new ();
      gtk_box_append (GTK_BOX (box), rows[i]);
      cab_inbox_row_set_item (CAB_INBOX_ROW (rows[i]), g_ptr_array_index (items, i));
    }
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_wait_mapped (rows[G_N_ELEMENTS (rows) - 1]);
  cab_test_ui_settle (200);

  /* One height for every message: a line of each font, never the text's. */
  height = natural_height (rows[0]);
  g_assert_cmpint (height, >=, 40);
  width = natural_width (rows[0]);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_assert_cmpint (natural_height (rows[i]), ==, height);
      g_assert_cmpint (gtk_widget_get_height (rows[i]), ==, height);
      /* The long subject is not measured whole: the window stays 400 wide. */
      g_assert_cmpint (natural_width (rows[i]), ==, width);
    }
  g_assert_cmpint (gtk_widget_get_width (window), <, 600);

  /* What each row shows. */
  g_assert_cmpstr (cab_inbox_row_get_badge_text (CAB_INBOX_ROW (rows[0])), ==, cab_inbox_match_label (CAB_MATCH_PROPOSED));
  g_assert_cmpstr (cab_inbox_row_get_badge_text (CAB_INBOX_ROW (rows[2])), ==, cab_inbox_match_label (CAB_MATCH_CONFLICT));
  g_assert_cmpstr (cab_inbox_row_get_badge_text (CAB_INBOX_ROW (rows[3])), ==, cab_inbox_match_label (CAB_MATCH_NONE));
  g_assert_null (cab_inbox_row_get_assignee_text (CAB_INBOX_ROW (rows[0])));
  g_assert_nonnull (cab_inbox_row_get_assignee_text (CAB_INBOX_ROW (rows[4])));
  g_assert_true (strstr (cab_inbox_row_get_assignee_text (CAB_INBOX_ROW (rows[4])), "JÉGOU") != NULL);
  g_assert_true (cab_inbox_row_get_item (CAB_INBOX_ROW (rows[1])) == g_ptr_array_index (items, 1));

  cab_test_ui_screenshot_widget (window, "inbox-rows", 100);

  /* Right to left, every row's parts mirrored, its text ending on the
   * right (docs/architecture.md, "Self-drawn rows, right to left"); and back. */
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpuint (cab_test_ui_assert_row_mirrored (rows[i]), >=, 5);
  /* The badge's tooltip where the badge shows: on the left, then on the
   * right. */
  {
    GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
    int w = gtk_widget_get_width (rows[0]), y = natural_height (rows[0]) - 12;
    gboolean shown = FALSE;

    g_signal_emit_by_name (rows[0], "query-tooltip", 20, y, FALSE, tooltip, &shown);
    g_assert_true (shown);
    gtk_widget_set_direction (rows[0], GTK_TEXT_DIR_RTL);
    cab_test_ui_settle (50);
    g_signal_emit_by_name (rows[0], "query-tooltip", 20, y, FALSE, tooltip, &shown);
    g_assert_false (shown);
    g_signal_emit_by_name (rows[0], "query-tooltip", w - 20, y, FALSE, tooltip, &shown);
    g_assert_true (shown);
    gtk_widget_set_direction (rows[0], GTK_TEXT_DIR_NONE);
    g_object_unref (tooltip);
  }
  gtk_widget_set_default_direction (GTK_TEXT_DIR_RTL);
  cab_test_ui_screenshot_widget (window, "inbox-rows-rtl", 100);
  gtk_widget_set_default_direction (GTK_TEXT_DIR_LTR);
  cab_test_ui_settle (50);

  /* Read, then unread again in place: the same height. */
  cab_inbox_item_set_unread (g_ptr_array_index (items, 1), FALSE);
  g_assert_cmpint (natural_height (rows[1]), ==, height);
  cab_inbox_item_set_unread (g_ptr_array_index (items, 1), TRUE);

  /* A row bound again (a list view's row, scrolled) shows its new message. */
  cab_inbox_row_set_item (CAB_INBOX_ROW (rows[0]), g_ptr_array_index (items, 5));
  g_assert_cmpstr (cab_inbox_row_get_badge_text (CAB_INBOX_ROW (rows[0])), ==, cab_inbox_match_label (CAB_MATCH_AUTO));
  g_assert_nonnull (cab_inbox_row_get_assignee_text (CAB_INBOX_ROW (rows[0])));
  cab_inbox_row_set_item (CAB_INBOX_ROW (rows[4]), g_ptr_array_index (items, 2));
  g_assert_null (cab_inbox_row_get_assignee_text (CAB_INBOX_ROW (rows[4])));
  cab_test_ui_settle (50);
  g_assert_cmpint (gtk_widget_get_height (rows[0]), ==, height);
  cab_inbox_row_set_item (CAB_INBOX_ROW (rows[0]), NULL);
  g_assert_null (cab_inbox_row_get_item (CAB_INBOX_ROW (rows[0])));
  cab_test_ui_settle (50);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  cab_test_ui_init (&argc, &argv);
  /* libadwaita's stylesheet: the colours the row draws with are its. */
  adw_init ();
  g_test_add_func ("/inbox-row/rows", test_rows);
  return g_test_run ();
}
