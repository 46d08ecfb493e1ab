/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CabOutboxRows, the Outbox page's rows (docs/architecture.md, "The Outbox
 * page while it drains"): groups under their headings, one object per
 * change, one object an entry while it is listed (its row updated in
 * place), and the gradual catching up a few entries at a time.
 */
#include "config.h"

#include <gtk/gtk.h>

#include "outbox/cab-outbox-rows.h"
#include "cab-test-leaks.h"

static CabOutboxItem *
item_new (gint64 id, CabOutboxState state, const char *error)
{
  CabOutboxEntry entry = { 0 };
  g_autofree char *payload = g_strdup_printf ("{\"summary\":\"Message %" G_GINT64_FORMAT "\"}", id);

  entry.id = id;
  entry.kind = (char *) "mail";
  entry.state = state;
  entry.payload = payload;
  entry.last_error = (char *) error;
  entry.attempts = state == CAB_OUTBOX_STATE_PENDING ? 0 : 1;
  return cab_outbox_item_new (&entry, NULL);
}

/* What the rows show, as text: "H" a heading (before its group's first
 * object), "D" a draft, else the entry id and its state's first letter
 * (p pending, s sending, d done, f failed). */
static char *
describe (CabOutboxRows *rows)
{
  GString *s = g_string_new (NULL);
  static const char letters[] = { [CAB_OUTBOX_STATE_PENDING] = 'p', [CAB_OUTBOX_STATE_SENDING] = 's',
                                  [CAB_OUTBOX_STATE_DONE] = 'd', [CAB_OUTBOX_STATE_FAILED] = 'f' };

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (rows)); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (rows), i);

      if (s->len > 0)
        g_string_append_c (s, ' ');
      /* A heading is no object of the list: the header of its group's first. */
      if (cab_outbox_rows_get_heading (rows, i) != NULL)
        g_string_append (s, "H ");
      if (CAB_IS_OUTBOX_DRAFT_ITEM (item))
        g_string_append_c (s, 'D');
      else
        {
          CabOutboxItem *shown = cab_outbox_entry_item_get_item (CAB_OUTBOX_ENTRY_ITEM (item));

          g_string_append_printf (s, "%" G_GINT64_FORMAT "%c", cab_outbox_item_get_id (shown),
                                  letters[cab_outbox_item_get_state (shown)]);
        }
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  guint n_signals;
  guint max_added;
  guint max_removed;
} Changes;

static void
count_cb (GObject *object, GParamSpec *pspec, guint *n)
{
  (*n)++;
}

static void
changed_cb (GListModel *model, guint position, guint removed, guint added, Changes *c)
{
  c->n_signals++;
  c->max_added = MAX (c->max_added, added);
  c->max_removed = MAX (c->max_removed, removed);
}

/* Replaces the entry at @position in @store with a new snapshot. */
static void
set_state (GListStore *store, guint position, CabOutboxState state)
{
  g_autoptr(CabOutboxItem) old = g_list_model_get_item (G_LIST_MODEL (store), position);
  g_autoptr(CabOutboxItem) item = item_new (cab_outbox_item_get_id (old), state,
                                            state == CAB_OUTBOX_STATE_FAILED ? "550 refused" : NULL);

  g_list_store_splice (store, position, 1, (gpointer *) &item, 1);
}

static void
test_outbox_rows_groups (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autofree char *text = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GObject) kept = NULL;
  g_autoptr(GObject) again = NULL;
  Changes c = { 0 };

  /* The model's order: newest first. */
  for (gint64 id = 5; id >= 1; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, id == 1 ? CAB_OUTBOX_STATE_DONE
                                                    : id == 2 ? CAB_OUTBOX_STATE_FAILED
                                                    : CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 2f H 5p 4p 3p H 1d");
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 0);

  /* Not gradual: a change shows at once, one object a signal, the
   * objects kept (the one that moved too). */
  kept = g_list_model_get_item (G_LIST_MODEL (rows), 1);          /* 5p */
  g_signal_connect (rows, "items-changed", G_CALLBACK (changed_cb), &c);
  set_state (G_LIST_STORE (store), 0, CAB_OUTBOX_STATE_DONE);     /* 5 sent */
  after = describe (rows);
  g_assert_cmpstr (after, ==, "H 2f H 4p 3p H 5d 1d");
  g_assert_cmpuint (c.max_added, ==, 1);
  g_assert_cmpuint (c.max_removed, ==, 1);
  again = g_list_model_get_item (G_LIST_MODEL (rows), 3);
  g_assert_true (kept == again);                                   /* 5's object */

  /* The failed one retried and sent: the "Needs You" heading goes. */
  set_state (G_LIST_STORE (store), 3, CAB_OUTBOX_STATE_DONE);
  g_clear_pointer (&after, g_free);
  after = describe (rows);
  g_assert_cmpstr (after, ==, "H 4p 3p H 5d 2d 1d");

  /* An entry read twice (it changed state between two of the model's
   * queries) shows once. */
  {
    g_autoptr(CabOutboxItem) twice = g_list_model_get_item (G_LIST_MODEL (store), 0);

    g_list_store_append (store, twice);
    g_clear_pointer (&after, g_free);
    after = describe (rows);
    g_assert_cmpstr (after, ==, "H 4p 3p H 5d 2d 1d");
  }
}

static void
test_outbox_rows_gradual (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autofree char *text = NULL;
  Changes c = { 0 };

  for (gint64 id = 4; id >= 1; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_gradual (rows, TRUE);
  /* A first fill shows at once. */
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 4p 3p 2p 1p");

  /* Three entries change at once: none shows until a step. */
  g_signal_connect (rows, "items-changed", G_CALLBACK (changed_cb), &c);
  set_state (store, 3, CAB_OUTBOX_STATE_SENDING);
  set_state (store, 2, CAB_OUTBOX_STATE_DONE);
  set_state (store, 1, CAB_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (c.n_signals, ==, 0);
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 3);

  /* A step of two: the first two in the model's order. */
  cab_outbox_rows_step (rows, 2);
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 1);
  g_clear_pointer (&text, g_free);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 3f H 4p 1p H 2d");
  g_assert_cmpuint (c.max_added, ==, 1);

  /* An entry gone leaves in a step too (its row's removal is a layout,
   * like a row that changes): until then its row stays. */
  g_list_store_remove (store, 0);
  g_clear_pointer (&text, g_free);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 3f H 4p 1p H 2d");
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 2);

  /* Off screen: the rest at once. */
  cab_outbox_rows_set_gradual (rows, FALSE);
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 0);
  g_clear_pointer (&text, g_free);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 3f H 1s H 2d");
}

/* An entry keeps its object while listed: a new state is no
 * items-changed while its place stays, only "notify::item" (its row
 * updates in place); a state of another group moves the same object
 * (test_outbox_rows_one_move ()). */
static void
test_outbox_rows_in_place (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autoptr(GObject) entry = NULL;
  g_autoptr(GObject) moved = NULL;
  g_autofree char *text = NULL;
  Changes c = { 0 };
  guint n_notify = 0;

  for (gint64 id = 2; id >= 1; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_gradual (rows, TRUE);
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  entry = g_list_model_get_item (G_LIST_MODEL (rows), 1);          /* 1p */
  g_assert_true (CAB_IS_OUTBOX_ENTRY_ITEM (entry));
  g_signal_connect (rows, "items-changed", G_CALLBACK (changed_cb), &c);
  g_signal_connect (entry, "notify::item", G_CALLBACK (count_cb), &n_notify);

  /* pending → sending: same group, same place. */
  set_state (store, 1, CAB_OUTBOX_STATE_SENDING);
  g_assert_cmpuint (n_notify, ==, 0);                               /* not shown yet */
  cab_outbox_rows_step (rows, 1);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 2p 1s");
  g_assert_cmpuint (c.n_signals, ==, 0);
  g_assert_cmpuint (n_notify, ==, 1);

  /* sending → done: under "Recently Sent", the same object in the same
   * place: no items-changed, its heading changes with "notify::item"
   * (the page then asks the list box for its headers again). */
  set_state (store, 1, CAB_OUTBOX_STATE_DONE);
  cab_outbox_rows_step (rows, 1);
  g_clear_pointer (&text, g_free);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 2p H 1d");
  g_assert_cmpuint (c.n_signals, ==, 0);
  g_assert_cmpuint (n_notify, ==, 2);
  moved = g_list_model_get_item (G_LIST_MODEL (rows), 1);
  g_assert_true (moved == entry);
  g_assert_cmpint (cab_outbox_item_get_state (cab_outbox_entry_item_get_item (CAB_OUTBOX_ENTRY_ITEM (moved))),
                   ==, CAB_OUTBOX_STATE_DONE);
}

/* An entry that changes group moves alone: one removal and one insertion,
 * not every row between its old and its new place (each a row the list
 * box takes out and measures again, tens a frame during a drain). */
static void
test_outbox_rows_one_move (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autofree char *text = NULL;
  Changes c = { 0 };

  for (gint64 id = 10; id >= 0; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, id == 0 ? CAB_OUTBOX_STATE_DONE : CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  g_signal_connect (rows, "items-changed", G_CALLBACK (changed_cb), &c);

  /* The first waiting entry is sent: it goes to the end of the list. */
  set_state (store, 0, CAB_OUTBOX_STATE_DONE);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 9p 8p 7p 6p 5p 4p 3p 2p 1p H 10d 0d");
  g_assert_cmpuint (c.n_signals, ==, 2);

  /* Two at once, from both ends of the group, gradually: the first one
   * failed stays first (under "Needs You", no object: its header), the
   * last one sent goes after 10, a move. */
  c.n_signals = 0;
  cab_outbox_rows_set_gradual (rows, TRUE);
  set_state (store, 1, CAB_OUTBOX_STATE_FAILED);
  set_state (store, 9, CAB_OUTBOX_STATE_DONE);
  cab_outbox_rows_step (rows, 2);
  g_clear_pointer (&text, g_free);
  text = describe (rows);
  g_assert_cmpstr (text, ==, "H 9f H 8p 7p 6p 5p 4p 3p 2p H 10d 1d 0d");
  g_assert_cmpuint (c.n_signals, ==, 2);
}

/* The rows' counts, as text: pending, sending, done, failed. */
static char *
counts (CabOutboxRows *rows)
{
  return g_strdup_printf ("%up %us %ud %uf",
                          cab_outbox_rows_count (rows, CAB_OUTBOX_STATE_PENDING),
                          cab_outbox_rows_count (rows, CAB_OUTBOX_STATE_SENDING),
                          cab_outbox_rows_count (rows, CAB_OUTBOX_STATE_DONE),
                          cab_outbox_rows_count (rows, CAB_OUTBOX_STATE_FAILED));
}

/* The counts are the rows' (what is shown, not what the model says yet),
 * changed with them. */
static void
test_outbox_rows_counts (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autofree char *text = NULL;
  for (gint64 id = 3; id >= 1; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_gradual (rows, TRUE);
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  text = counts (rows);
  g_assert_cmpstr (text, ==, "3p 0s 0d 0f");

  /* Two change: the counts wait for the rows. */
  set_state (store, 2, CAB_OUTBOX_STATE_SENDING);
  set_state (store, 1, CAB_OUTBOX_STATE_DONE);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "3p 0s 0d 0f");
  cab_outbox_rows_step (rows, 1);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "2p 0s 1d 0f");
  cab_outbox_rows_step (rows, 1);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "1p 1s 1d 0f");

  /* A step that shows nothing new changes nothing. */
  cab_outbox_rows_step (rows, 1);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "1p 1s 1d 0f");

  /* An entry read twice counts once; an entry gone leaves the counts with
   * its row, at the next step. */
  {
    g_autoptr(CabOutboxItem) twice = g_list_model_get_item (G_LIST_MODEL (store), 0);

    g_list_store_append (store, twice);
    g_clear_pointer (&text, g_free);
    text = counts (rows);
    g_assert_cmpstr (text, ==, "1p 1s 1d 0f");
  }
  g_list_store_remove_all (store);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "1p 1s 1d 0f");
  cab_outbox_rows_step (rows, 1);
  g_clear_pointer (&text, g_free);
  text = counts (rows);
  g_assert_cmpstr (text, ==, "0p 0s 0d 0f");
}

static GPtrArray *
drafts_new (const char *subject)
{
  GPtrArray *drafts = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_draft_record_free);
  CabMailDraftRecord *record = cab_mail_draft_record_new ();

  record->id = 7;
  g_free (record->subject);
  record->subject = g_strdup (subject);
  g_ptr_array_add (drafts, record);
  return drafts;
}

/* The page reads the drafts again at each load of the outbox model: the
 * same drafts again change nothing, not even an entry gone (it leaves at
 * a step, like the others), and other drafts show at once. */
static void
test_outbox_rows_same_drafts (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CAB_TYPE_OUTBOX_ITEM);
  g_autoptr(CabOutboxRows) rows = cab_outbox_rows_new ();
  g_autoptr(GPtrArray) drafts = drafts_new ("Lettre");
  g_autoptr(GPtrArray) again = drafts_new ("Lettre");
  g_autoptr(GPtrArray) other = drafts_new ("Courrier");
  g_autoptr(GObject) first = NULL;
  Changes c = { 0 };

  for (gint64 id = 2; id >= 1; id--)
    {
      g_autoptr(CabOutboxItem) item = item_new (id, CAB_OUTBOX_STATE_PENDING, NULL);
      g_list_store_append (store, item);
    }
  cab_outbox_rows_set_gradual (rows, TRUE);
  cab_outbox_rows_set_entries (rows, G_LIST_MODEL (store));
  cab_outbox_rows_set_drafts (rows, drafts);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 3);   /* draft 2p 1p */
  first = g_list_model_get_item (G_LIST_MODEL (rows), 0);

  g_signal_connect (rows, "items-changed", G_CALLBACK (changed_cb), &c);
  g_list_store_remove (store, 0);
  cab_outbox_rows_set_drafts (rows, again);
  g_assert_cmpuint (c.n_signals, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 3);
  g_assert_cmpuint (cab_outbox_rows_get_n_pending (rows), ==, 1);

  cab_outbox_rows_set_drafts (rows, other);
  g_assert_cmpuint (c.n_signals, >, 0);
  {
    g_autoptr(GObject) now = g_list_model_get_item (G_LIST_MODEL (rows), 0);

    g_assert_true (now != first);
    g_assert_cmpstr (cab_outbox_draft_item_get_record (CAB_OUTBOX_DRAFT_ITEM (now))->subject, ==, "Courrier");
  }
}

int
main (int argc, char *argv[])
{
  cab_test_leaks_ignore_quark_block ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outbox-rows/groups", test_outbox_rows_groups);
  g_test_add_func ("/outbox-rows/gradual", test_outbox_rows_gradual);
  g_test_add_func ("/outbox-rows/in-place", test_outbox_rows_in_place);
  g_test_add_func ("/outbox-rows/one-move", test_outbox_rows_one_move);
  g_test_add_func ("/outbox-rows/counts", test_outbox_rows_counts);
  g_test_add_func ("/outbox-rows/same-drafts", test_outbox_rows_same_drafts);
  return g_test_run ();
}
