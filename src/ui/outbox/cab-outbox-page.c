/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cab-mail-drafts.h"
#include "cab-outbox-model.h"
#include "cab-query.h"
#include "compose/cab-composer.h"
#include "patients/cab-patient-format.h"
#include "cab-outbox-edit-dialog.h"
#include "cab-outbox-list-row.h"
#include "cab-outbox-page.h"
#include "cab-outbox-rows.h"

/* The rows catch up with the model in steps (catch_up_tick_cb ()): up to
 * ROWS_PER_STEP entries a step, a step at most every STEP_US. */
#define ROWS_PER_STEP 2
#define STEP_US       (G_USEC_PER_SEC / 20)

/* The page shows what core's outbox model says (CabOutboxItem): it reads
 * no payload and starts no thread. */

struct _CabOutboxPage
{
  GtkWidget       parent_instance;

  CabSession     *session;
  GSignalGroup   *session_signals;
  CabOutbox      *outbox;
  CabOutboxModel *model;
  GCancellable   *cancellable;     /* user actions under way */

  GtkWidget      *stack;
  GtkWidget      *scroller;
  GtkListBox     *list;
  GPtrArray      *in_view;         /* CabOutboxListRow drawn (cab_outbox_list_cull ()) */
  GdkFrameClock  *clock;           /* while mapped: its "layout" culls */
  gulong          layout_id;
  CabOutboxRows  *rows;            /* drafts and entries, under their headings */
  GCancellable   *drafts_slot;     /* the drafts' read under way */
  guint           n_drafts;
  guint           n_drafts_loads;

  guint           n_pending;       /* the model's */
  guint           n_loads;
  guint           load_waiting : 1; /* a load whose rows are not all shown yet */
  guint           tick;             /* the rows catching up, a step at a time */
  GHashTable     *headings;         /* heading text → its label (update_header_cb ()) */
  guint           headers_moved : 1; /* a header to put before its row */
  gint64          last_step;        /* the frame time of the last step */
};

G_DEFINE_FINAL_TYPE (CabOutboxPage, cab_outbox_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_PENDING,
  PROP_SESSION,
  N_PROPS
};

enum {
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
reload (CabOutboxPage *self)
{
  if (self->model != NULL)
    cab_outbox_model_reload (self->model);
}

/* ---------------------------------------------------------------------- */
/* user actions, through core                                             */

/* The button clicked, weakly: its row may be recycled meanwhile. */
typedef struct
{
  CabOutboxPage *self;
  GWeakRef       button;
} Action;

static void
action_free (Action *a)
{
  g_object_unref (a->self);
  g_weak_ref_clear (&a->button);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Action, action_free)

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Action) a = user_data;
  g_autoptr(GtkWidget) button = g_weak_ref_get (&a->button);
  g_autoptr(GError) error = NULL;

  /* An entry keeps its row, updated in place: the button comes back
   * unless its entry's new state has no such action (then it is hidden). */
  if (button != NULL)
    gtk_widget_set_sensitive (button, TRUE);
  if (!cab_outbox_act_finish (CAB_OUTBOX (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_signal_emit (a->self, signals[TOAST], 0, error->message);
    }
  /* The outbox says "changed"; reload anyway in case the state did not move. */
  reload (a->self);
}

/* The item an entry's button acts on: its entry's current one (the row
 * updates in place, its buttons stay). The entry weakly: the button may
 * outlive it an instant while its row leaves. */
static CabOutboxItem *
button_item (GtkWidget *button)
{
  GWeakRef *ref = g_object_get_data (G_OBJECT (button), "entry");
  g_autoptr(CabOutboxEntryItem) entry = ref != NULL ? g_weak_ref_get (ref) : NULL;

  return entry != NULL ? g_object_ref (cab_outbox_entry_item_get_item (entry)) : NULL;
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
set_button_entry (GtkWidget          *button,
                  CabOutboxEntryItem *entry)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, entry);
  g_object_set_data_full (G_OBJECT (button), "entry", ref, (GDestroyNotify) weak_ref_free);
}

static void
action_clicked_cb (GtkButton     *button,
                   CabOutboxPage *self)
{
  g_autoptr(CabOutboxItem) item = button_item (GTK_WIDGET (button));
  CabOutboxAction action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "action"));
  Action *a;

  if (self->outbox == NULL || item == NULL)
    return;

  a = g_new0 (Action, 1);
  a->self = g_object_ref (self);
  g_weak_ref_init (&a->button, button);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  cab_outbox_act_async (self->outbox, cab_outbox_item_get_id (item), action,
                        self->cancellable, action_cb, a);
}

/* ---------------------------------------------------------------------- */
/* editing a publish not sent yet                                         */

static void
edit_saved_cb (CabOutboxPage *self,
               gint64         entry_id,
               gboolean       retried,
               CabOutboxEditDialog *dialog)
{
  /* The outbox says "changed" too; this covers an unchanged state. */
  reload (self);
}

static void
edit_clicked_cb (GtkButton     *button,
                 CabOutboxPage *self)
{
  g_autoptr(CabOutboxItem) item = button_item (GTK_WIDGET (button));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CabOutboxEditDialog *dialog;

  if (self->outbox == NULL || item == NULL)
    return;
  /* A message opens in the composer, which saves it over the entry
   * (docs/architecture.md, "Editing a queued message"). */
  if (cab_outbox_item_get_kind (item) == CAB_OUTBOX_KIND_MAIL)
    {
      CabComposer *composer;

      if (self->session == NULL)
        return;
      composer = cab_composer_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session);
      cab_composer_edit_entry (composer, cab_outbox_item_get_id (item));
      gtk_window_present (GTK_WINDOW (composer));
      return;
    }

  dialog = cab_outbox_edit_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       self->outbox, item);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (edit_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The dialog gets the entry's item as it is when clicked. */
static GtkWidget *
edit_button (CabOutboxPage      *self,
             CabOutboxEntryItem *entry)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Edit…"));

  set_button_entry (button, entry);
  g_object_set_data (G_OBJECT (button), "edit", GINT_TO_POINTER (1));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (edit_clicked_cb), self);

  return button;
}

/* ---------------------------------------------------------------------- */
/* rows                                                                   */

const char *
cab_outbox_state_label (CabOutboxState state)
{
  return cab_outbox_state_describe (state);
}

static const char *
state_css (CabOutboxState state)
{
  switch (state)
    {
    case CAB_OUTBOX_STATE_DONE:      return "success";
    case CAB_OUTBOX_STATE_CONFLICT:
    case CAB_OUTBOX_STATE_HELD:      return "warning";
    case CAB_OUTBOX_STATE_FAILED:    return "error";
    case CAB_OUTBOX_STATE_PENDING:
    case CAB_OUTBOX_STATE_SENDING:
    case CAB_OUTBOX_STATE_CANCELLED:
    case CAB_OUTBOX_N_STATES:
    default:                         return "dim-label";
    }
}

static GtkWidget *
action_button (CabOutboxPage      *self,
               CabOutboxEntryItem *entry,
               const char         *label,
               CabOutboxAction     action,
               const char         *css)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  set_button_entry (button, entry);
  g_object_set_data (G_OBJECT (button), "action", GINT_TO_POINTER (action));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (css != NULL)
    gtk_widget_add_css_class (button, css);
  g_signal_connect (button, "clicked", G_CALLBACK (action_clicked_cb), self);

  return button;
}

static GtkWidget *
grid_label (const char *text,
            gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, !heading);
  if (heading)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* "Yours" and "On the health space", side by side, with the two choices. */
static GtkWidget *
conflict_box (CabOutboxPage      *self,
              CabOutboxEntryItem *entry)
{
  CabOutboxItem *item = cab_outbox_entry_item_get_item (entry);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading;

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), FALSE);

  heading = grid_label (_("Your version"), FALSE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (GTK_GRID (grid), heading, 1, 0, 1, 1);
  heading = grid_label (_("On the health space"), FALSE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (GTK_GRID (grid), heading, 2, 0, 1, 1);

  gtk_grid_attach (GTK_GRID (grid), grid_label (_("Title"), TRUE), 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (cab_outbox_item_get_mine_title (item), FALSE), 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (cab_outbox_item_get_server_title (item), FALSE), 2, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (_("Visibility"), TRUE), 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (cab_outbox_item_get_mine_visibility (item), FALSE), 1, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (cab_outbox_item_get_server_visibility (item), FALSE), 2, 2, 1, 1);
  gtk_box_append (GTK_BOX (box), grid);

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons),
                  action_button (self, entry, _("Keep the _Server’s"), CAB_OUTBOX_ACTION_KEEP_SERVER, NULL));
  gtk_box_append (GTK_BOX (buttons),
                  action_button (self, entry, _("Keep _Mine"), CAB_OUTBOX_ACTION_KEEP_MINE, "suggested-action"));
  gtk_box_append (GTK_BOX (box), buttons);

  return box;
}

/* Up and Down at a card's edge: on to the previous or next card, as
 * Shift+Tab and Tab go (a list box then moves the focus so), rather than
 * the error bell a one-row list rings. Each card is a list of its own (its
 * boxed look), so the arrow keys are a card's list's and end at its edge;
 * the page's list box has only cards as rows (headings are their headers),
 * so the focus goes on to the next card's row. */
static gboolean
card_keynav_failed_cb (GtkWidget        *list,
                       GtkDirectionType  direction,
                       gpointer          user_data)
{
  if (direction != GTK_DIR_UP && direction != GTK_DIR_DOWN)
    return FALSE;
  g_signal_stop_emission_by_name (list, "keynav-failed");
  return FALSE;
}

/* A row in a list of its own: a card like the boxed lists of the other
 * pages, built alone when its object comes in. */
static GtkWidget *
boxed (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_signal_connect (list, "keynav-failed", G_CALLBACK (card_keynav_failed_cb), NULL);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

/* An entry's card, kept while its entry is listed: its texts and state
 * label are set in place when the entry's item changes, its buttons hidden
 * and shown again as the actions offered change (built again only when an
 * action comes that has no button yet), the whole card only when it turns
 * from an action row into a conflict's expander row or back, or when a
 * conflict's versions change (docs/architecture.md, "The Outbox page while
 * it drains"). */
enum {
  OFFERS_EDIT    = 1 << 0,
  OFFERS_RETRY   = 1 << 1,
  OFFERS_RELEASE = 1 << 2,
  OFFERS_CANCEL  = 1 << 3,
  N_OFFERS       = 4
};

typedef struct
{
  GtkWidget     *card;             /* AdwActionRow or AdwExpanderRow */
  GtkWidget     *state;            /* the state label */
  const char    *state_css;
  GtkWidget     *buttons[N_OFFERS]; /* the suffix buttons, by OFFERS_* bit, or NULL (owned by the card) */
  guint          offers;           /* OFFERS_* the visible buttons offer */
  CabOutboxItem *conflict;         /* the item a conflict's box shows, or NULL */
} EntryRow;

static void
entry_row_free (EntryRow *r)
{
  g_clear_object (&r->conflict);
  g_free (r);
}

static guint
offers_of (CabOutboxItem *item)
{
  return (cab_outbox_item_get_can_edit (item) ? OFFERS_EDIT : 0) |
         (cab_outbox_item_get_can_retry (item) ? OFFERS_RETRY : 0) |
         (cab_outbox_item_get_can_release (item) ? OFFERS_RELEASE : 0) |
         (cab_outbox_item_get_can_cancel (item) ? OFFERS_CANCEL : 0);
}

static gboolean
same_conflict (CabOutboxItem *a,
               CabOutboxItem *b)
{
  return g_strcmp0 (cab_outbox_item_get_mine_title (a), cab_outbox_item_get_mine_title (b)) == 0 &&
         g_strcmp0 (cab_outbox_item_get_server_title (a), cab_outbox_item_get_server_title (b)) == 0 &&
         g_strcmp0 (cab_outbox_item_get_mine_visibility (a), cab_outbox_item_get_mine_visibility (b)) == 0 &&
         g_strcmp0 (cab_outbox_item_get_server_visibility (a), cab_outbox_item_get_server_visibility (b)) == 0;
}

static void
card_add_suffix (GtkWidget *card,
                 GtkWidget *widget)
{
  if (ADW_IS_EXPANDER_ROW (card))
    adw_expander_row_add_action (ADW_EXPANDER_ROW (card), widget);
  else
    adw_action_row_add_suffix (ADW_ACTION_ROW (card), widget);
}

static GtkWidget *
offer_button (CabOutboxPage      *self,
              CabOutboxEntryItem *entry,
              guint               bit)
{
  switch (bit)
    {
    case 0:  return edit_button (self, entry);
    case 1:  return action_button (self, entry, _("_Retry"), CAB_OUTBOX_ACTION_RETRY, NULL);
    case 2:  return action_button (self, entry, _("_Send"), CAB_OUTBOX_ACTION_RELEASE, NULL);
    default: return action_button (self, entry, _("_Cancel"), CAB_OUTBOX_ACTION_CANCEL, NULL);
    }
}

/* Shows the buttons of @offers, in their order. An entry sent goes from
 * Edit and Cancel to none: its buttons are hidden, not destroyed (each
 * button built or destroyed is a widget made and its mnemonic registered
 * with the window, or unregistered); a button not built yet builds them
 * all again, in order. */
static void
set_buttons (CabOutboxPage      *self,
             EntryRow           *r,
             CabOutboxEntryItem *entry,
             guint               offers)
{
  gboolean missing = FALSE;

  for (guint bit = 0; bit < N_OFFERS; bit++)
    missing |= (offers & (1u << bit)) && r->buttons[bit] == NULL;
  if (missing)
    {
      for (guint bit = 0; bit < N_OFFERS; bit++)
        {
          if (r->buttons[bit] == NULL)
            continue;
          if (ADW_IS_EXPANDER_ROW (r->card))
            adw_expander_row_remove (ADW_EXPANDER_ROW (r->card), r->buttons[bit]);
          else
            adw_action_row_remove (ADW_ACTION_ROW (r->card), r->buttons[bit]);
          r->buttons[bit] = NULL;
        }
      for (guint bit = 0; bit < N_OFFERS; bit++)
        if (offers & (1u << bit))
          {
            r->buttons[bit] = offer_button (self, entry, bit);
            card_add_suffix (r->card, r->buttons[bit]);
          }
    }
  else
    for (guint bit = 0; bit < N_OFFERS; bit++)
      if (r->buttons[bit] != NULL)
        gtk_widget_set_visible (r->buttons[bit], (offers & (1u << bit)) != 0);
  r->offers = offers;
}

/* A new card for @entry's item, in @r. */
static void
build_card (CabOutboxPage      *self,
            EntryRow           *r,
            CabOutboxEntryItem *entry)
{
  CabOutboxItem *item = cab_outbox_entry_item_get_item (entry);

  g_clear_object (&r->conflict);
  if (cab_outbox_item_get_state (item) == CAB_OUTBOX_STATE_CONFLICT)
    {
      r->card = adw_expander_row_new ();
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (r->card), TRUE);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (r->card), conflict_box (self, entry));
      r->conflict = g_object_ref (item);
    }
  else
    {
      r->card = adw_action_row_new ();
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (r->card), 4);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r->card), FALSE);
  r->state = gtk_label_new (NULL);
  gtk_widget_set_valign (r->state, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (r->state, "cab-outbox-state");
  r->state_css = NULL;
  card_add_suffix (r->card, r->state);
  memset (r->buttons, 0, sizeof r->buttons);
  r->offers = 0;
}

static void
set_subtitle (GtkWidget  *card,
              const char *subtitle)
{
  const char *now = ADW_IS_EXPANDER_ROW (card) ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (card))
                                               : adw_action_row_get_subtitle (ADW_ACTION_ROW (card));

  if (g_strcmp0 (now, subtitle) == 0)
    return;
  if (ADW_IS_EXPANDER_ROW (card))
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (card), subtitle != NULL ? subtitle : "");
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (card), subtitle != NULL ? subtitle : "");
}

/* Shows @entry's current item on @row, changing only what differs. */
static void
update_entry_row (CabOutboxPage      *self,
                  GtkWidget          *row,
                  CabOutboxEntryItem *entry)
{
  EntryRow *r = g_object_get_data (G_OBJECT (row), "entry-row");
  CabOutboxItem *item = cab_outbox_entry_item_get_item (entry);
  gboolean conflict = cab_outbox_item_get_state (item) == CAB_OUTBOX_STATE_CONFLICT;
  g_autofree char *read = cab_outbox_item_dup_read_text (item);
  const char *state_text = read != NULL ? read : cab_outbox_item_get_state_text (item);
  const char *css = state_css (cab_outbox_item_get_state (item));
  const char *title = cab_outbox_item_get_title (item);
  guint offers = offers_of (item);

  if (r->card == NULL || conflict != ADW_IS_EXPANDER_ROW (r->card) ||
      (r->conflict != NULL && !same_conflict (r->conflict, item)))
    {
      build_card (self, r, entry);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), boxed (r->card));
    }
  if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (r->card)), title) != 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->card), title != NULL ? title : "");
  set_subtitle (r->card, cab_outbox_item_get_subtitle (item));
  g_object_set_data_full (G_OBJECT (r->card), "patient-id",
                          g_strdup (cab_outbox_item_get_patient_id (item)), g_free);

  /* A sent message whose receipt came back says when it was read ("Lu le …"). */
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (r->state)), state_text) != 0)
    gtk_label_set_text (GTK_LABEL (r->state), state_text);
  if (r->state_css != css)
    {
      if (r->state_css != NULL)
        gtk_widget_remove_css_class (r->state, r->state_css);
      gtk_widget_add_css_class (r->state, css);
      r->state_css = css;
    }
  if (offers != r->offers)
    set_buttons (self, r, entry, offers);
}

static void
entry_changed_cb (CabOutboxEntryItem *entry,
                  GParamSpec         *pspec,
                  GtkWidget          *row)
{
  CabOutboxPage *self = g_object_get_data (G_OBJECT (row), "page");
  GtkWidget *header;
  const char *heading;

  update_entry_row (self, row, entry);
  /* An entry of another group in the same place (the last waiting one
   * sent) moved no row: its heading and the next row's change here. */
  if (gtk_widget_get_parent (row) != GTK_WIDGET (self->list))
    return;
  header = gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (row));
  heading = cab_outbox_rows_get_heading (self->rows, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));
  if (g_strcmp0 (header != NULL ? gtk_label_get_text (GTK_LABEL (header)) : NULL, heading) != 0)
    gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
}

/* An entry's row (a GtkListBoxRow), kept on its entry: an entry that
 * moves to another group comes back to the same row. */
static GtkWidget *
entry_row (CabOutboxPage      *self,
           CabOutboxEntryItem *entry)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (entry), "cab-outbox-row");
  EntryRow *r;

  if (row != NULL && gtk_widget_get_parent (row) == NULL &&
      g_object_get_data (G_OBJECT (row), "page") == self)
    {
      update_entry_row (self, row, entry);
      return g_object_ref (row);
    }

  row = cab_outbox_list_row_new ();
  r = g_new0 (EntryRow, 1);
  g_object_set_data_full (G_OBJECT (row), "entry-row", r, (GDestroyNotify) entry_row_free);
  g_object_set_data (G_OBJECT (row), "page", self);
  update_entry_row (self, row, entry);
  /* The entry holds its row; the row follows the entry weakly (a signal
   * connected to it), no cycle. */
  g_signal_connect_object (entry, "notify::item", G_CALLBACK (entry_changed_cb), row, 0);
  g_object_set_data_full (G_OBJECT (entry), "cab-outbox-row", g_object_ref (row), g_object_unref);
  return row;
}

/* ---------------------------------------------------------------------- */
/* drafts: messages being written (docs/architecture.md, "The composer")   */

static void
update_stack (CabOutboxPage *self)
{
  guint n_items = self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), n_items + self->n_drafts > 0 ? "entries" : "empty");
}

static void reload_drafts (CabOutboxPage *self);

static void
draft_deleted_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CabOutboxPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_mail_drafts_delete_finish (result, &error))
    g_signal_emit (self, signals[TOAST], 0, error->message);
  reload_drafts (self);
}

static void
draft_delete_cb (GtkButton     *button,
                 CabOutboxPage *self)
{
  CabMailDraftRecord *draft = g_object_get_data (G_OBJECT (button), "draft");
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;

  if (store != NULL)
    cab_mail_drafts_delete_async (store, draft->id, NULL, draft_deleted_cb, g_object_ref (self));
}

/* "Dr Claire Martin, bob@example.fr": each by the name picked, else its
 * address (the draft's names are checked when read, cab-mail-drafts.c). */
static char *
draft_recipients (const CabMailDraftRecord *draft)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();

  for (guint i = 0; draft->to != NULL && draft->to[i] != NULL; i++)
    g_ptr_array_add (shown, draft->to_names != NULL && *draft->to_names[i] != '\0' ? draft->to_names[i] : draft->to[i]);
  if (shown->len == 0)
    return NULL;
  g_ptr_array_add (shown, NULL);
  return g_strjoinv (", ", (char **) shown->pdata);
}

static GtkWidget *
draft_row (CabOutboxPage            *self,
           const CabMailDraftRecord *draft)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *delete;
  g_autofree char *to = draft_recipients (draft);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (draft->updated_at);
  /* Translators: when a draft was last saved, strftime format */
  g_autofree char *date = g_date_time_format (when, _("%d/%m/%Y %H:%M"));
  g_autofree char *subtitle = g_strdup_printf (_("To %s · saved %s"), to != NULL ? to : _("no recipient yet"), date);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 draft->subject != NULL && *draft->subject ? draft->subject : _("(No subject)"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-unread-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_tooltip_text (delete, _("Delete this draft"));
  g_object_set_data_full (G_OBJECT (delete), "draft", cab_mail_draft_record_copy (draft),
                          (GDestroyNotify) cab_mail_draft_record_free);
  g_signal_connect (delete, "clicked", G_CALLBACK (draft_delete_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "draft", cab_mail_draft_record_copy (draft),
                          (GDestroyNotify) cab_mail_draft_record_free);
  return row;
}

static void
drafts_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabOutboxPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = cab_mail_drafts_list_finish (result, &error);

  if (drafts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the drafts: %s", error->message);
      return;
    }
  cab_outbox_rows_set_drafts (self->rows, drafts);
  self->n_drafts = drafts->len;
  self->n_drafts_loads++;
  update_stack (self);
}

static void
reload_drafts (CabOutboxPage *self)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;

  if (store == NULL)
    return;
  cab_mail_drafts_list_async (store, cab_query_supersede (&self->drafts_slot), drafts_cb, g_object_ref (self));
}

static void
open_draft (CabOutboxPage            *self,
            const CabMailDraftRecord *draft)
{
  CabComposer *composer;

  if (draft == NULL || self->session == NULL)
    return;
  composer = cab_composer_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->session);
  cab_composer_load_draft (composer, draft);
  /* Its saves show here when it closes. */
  g_signal_connect_object (composer, "destroy", G_CALLBACK (reload_drafts), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (composer));
}

static void
draft_activated_cb (GtkListBox    *list,
                    GtkListBoxRow *row,
                    CabOutboxPage *self)
{
  open_draft (self, g_object_get_data (G_OBJECT (row), "draft"));
}

/* ---------------------------------------------------------------------- */
/* the rows: a draft or an entry each, a group's heading as its header     */

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  CabOutboxPage *self = user_data;
  GtkWidget *row;

  if (CAB_IS_OUTBOX_ENTRY_ITEM (item))
    row = entry_row (self, CAB_OUTBOX_ENTRY_ITEM (item));
  else
    {
      GtkWidget *child = boxed (draft_row (self, cab_outbox_draft_item_get_record (CAB_OUTBOX_DRAFT_ITEM (item))));

      row = cab_outbox_list_row_new ();
      g_signal_connect (child, "row-activated", G_CALLBACK (draft_activated_cb), self);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), child);
    }
  /* The card's own row and buttons take the focus and act. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

/* A group's heading ("Waiting to Be Sent"), the header of its first row:
 * a list box header is no row, so the focus goes from card to card past
 * it, and it is a sensitive label a screen reader reads as a heading
 * (a heading row had to be insensitive, read as disabled). One label a
 * heading, made once and handed from row to row: during a drain each entry
 * sent becomes the first of "Recently Sent", and a label made for it each
 * time was a widget styled and shaped in that frame (docs/architecture.md,
 * "The Outbox page while it drains"). GtkListBox takes a header from the
 * row that had it when another row is given it, and leaves it to the new
 * row when the old one's header is then cleared. */
static GtkWidget *
heading_label (CabOutboxPage *self,
               const char    *heading)
{
  GtkWidget *label = g_hash_table_lookup (self->headings, heading);

  if (label != NULL)
    return label;
  label = g_object_new (GTK_TYPE_LABEL,
                        "label", heading,
                        "xalign", 0.0f,
                        "wrap", TRUE,
                        "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING,
                        NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "cab-outbox-heading");
  g_hash_table_insert (self->headings, g_strdup (heading), g_object_ref_sink (label));
  return label;
}

static void
update_header_cb (GtkListBoxRow *row,
                  GtkListBoxRow *before,
                  gpointer       user_data)
{
  CabOutboxPage *self = user_data;
  const char *heading = cab_outbox_rows_get_heading (self->rows, gtk_list_box_row_get_index (row));
  GtkWidget *header = gtk_list_box_row_get_header (row);
  GtkWidget *label;

  if (heading == NULL)
    {
      if (header != NULL)
        gtk_list_box_row_set_header (row, NULL);
      return;
    }
  label = heading_label (self, heading);
  if (header == label)
    return;
  gtk_list_box_row_set_header (row, label);
  /* The list box appends a header it parents to its children; it goes
   * before its row at the next layout (frame_layout_cb ()). */
  self->headers_moved = TRUE;
}

/* Puts each header just before its row among the list box's children:
 * screen readers read the children in that order, and a header the list
 * box appended at the end would be read after every card. */
static void
place_headers (CabOutboxPage *self)
{
  GtkWidget *list = GTK_WIDGET (self->list);

  self->headers_moved = FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *header = GTK_IS_LIST_BOX_ROW (child) ? gtk_list_box_row_get_header (GTK_LIST_BOX_ROW (child)) : NULL;

      if (header != NULL && gtk_widget_get_parent (header) == list &&
          gtk_widget_get_next_sibling (header) != child)
        gtk_widget_insert_before (header, list, child);
    }
}

/* The badge: the entries waiting, as core counts them (not the rows,
 * which may be a few frames behind). */
static void
set_n_pending (CabOutboxPage *self,
               guint          n_pending)
{
  if (n_pending == self->n_pending)
    return;
  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

static void
model_pending_cb (CabOutboxPage  *self,
                  GParamSpec     *pspec,
                  CabOutboxModel *model)
{
  set_n_pending (self, cab_outbox_model_get_n_pending (model));
}

static void
model_loaded_cb (CabOutboxPage  *self,
                 CabOutboxModel *model)
{
  /* A message queued took its draft with it. */
  reload_drafts (self);
  update_stack (self);
  /* A load counts once its rows show (the tests look at them). */
  if (cab_outbox_rows_get_n_pending (self->rows) > 0)
    {
      self->load_waiting = TRUE;
      return;
    }
  self->n_loads++;
}

/* A step every few frames: a step's changes take one layout and one
 * repaint, where a row a frame took one each. Each layout of the window is
 * X11 round trips (GTK 4.8 computes the toplevel's size and monitor again,
 * about 11 round trips) and each row that moves repaints the rows after
 * it, so rows changed one a frame made every frame of a drain a layout
 * and most of them a whole repaint. The step's rows are few enough for
 * one frame: updated in place, they are measured again, not built
 * (docs/architecture.md, "The Outbox page while it drains"). */
static gboolean
catch_up_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  CabOutboxPage *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (now - self->last_step < STEP_US)
    return G_SOURCE_CONTINUE;
  self->last_step = now;
  cab_outbox_rows_step (self->rows, ROWS_PER_STEP);
  if (cab_outbox_rows_get_n_pending (self->rows) > 0)
    return G_SOURCE_CONTINUE;
  self->tick = 0;
  return G_SOURCE_REMOVE;
}

static void
rows_pending_cb (CabOutboxPage *self,
                 GParamSpec    *pspec,
                 CabOutboxRows *rows)
{
  if (cab_outbox_rows_get_n_pending (rows) > 0)
    {
      if (self->tick == 0)
        self->tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list), catch_up_tick_cb, self, NULL);
      return;
    }
  if (self->load_waiting)
    {
      self->load_waiting = FALSE;
      self->n_loads++;
    }
}

/* After each layout (connected after GTK's own), the rows in view draw
 * and the others do not: the scrolled window's view in the list's
 * coordinates. Rows change places only in a layout (a step, a scroll, a
 * resize), so a frame without one keeps what it drew. */
static void
frame_layout_cb (GdkFrameClock *clock,
                 CabOutboxPage *self)
{
  graphene_point_t top;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->list)) ||
      !gtk_widget_compute_point (self->scroller, GTK_WIDGET (self->list), &GRAPHENE_POINT_INIT (0, 0), &top))
    return;
  if (self->headers_moved)
    place_headers (self);
  cab_outbox_list_cull (self->list, top.y, top.y + gtk_widget_get_height (self->scroller), self->in_view);
}

static void
stop_culling (CabOutboxPage *self)
{
  if (self->clock != NULL)
    g_clear_signal_handler (&self->layout_id, self->clock);
  g_clear_object (&self->clock);
}

/* On screen, the rows catch up a frame at a time; off screen, at once. */
static void
mapped_cb (CabOutboxPage *self)
{
  gboolean mapped = gtk_widget_get_mapped (GTK_WIDGET (self));

  cab_outbox_rows_set_gradual (self->rows, mapped);
  stop_culling (self);
  if (mapped)
    {
      self->clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (self)));
      self->layout_id = g_signal_connect_after (self->clock, "layout", G_CALLBACK (frame_layout_cb), self);
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }
}

/* The session's outbox appears once its store is open. */
static void
session_outbox_cb (CabOutboxPage *self,
                   GParamSpec    *pspec,
                   CabSession    *session)
{
  cab_outbox_page_set_outbox (self, cab_session_get_outbox (session));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_outbox_page_dispose (GObject *object)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  cab_query_cancel (&self->drafts_slot);
  cab_outbox_page_set_outbox (self, NULL);
  g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session);
  stop_culling (self);
  if (self->tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list), self->tick);
  self->tick = 0;
  if (self->rows != NULL)
    g_signal_handlers_disconnect_by_data (self->rows, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_OUTBOX_PAGE);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->in_view, g_ptr_array_unref);
  g_clear_pointer (&self->headings, g_hash_table_unref);

  G_OBJECT_CLASS (cab_outbox_page_parent_class)->dispose (object);
}

static void
cab_outbox_page_finalize (GObject *object)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cab_outbox_page_parent_class)->finalize (object);
}

static void
cab_outbox_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_outbox_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_page_class_init (CabOutboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_outbox_page_dispose;
  object_class->finalize = cab_outbox_page_finalize;
  object_class->get_property = cab_outbox_page_get_property;
  object_class->set_property = cab_outbox_page_set_property;

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/outbox/cab-outbox-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CabOutboxPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxPage, list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-outbox-page");
}

static void
cab_outbox_page_init (CabOutboxPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->headings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->rows = cab_outbox_rows_new ();
  self->in_view = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_list_box_set_header_func (self->list, update_header_cb, self, NULL);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->rows), create_row_cb, self, NULL);
  g_signal_connect_swapped (self->rows, "notify::n-pending", G_CALLBACK (rows_pending_cb), self);

  self->session_signals = g_signal_group_new (CAB_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::outbox",
                                 G_CALLBACK (session_outbox_cb), self, G_CONNECT_SWAPPED);
  /* Drafts are saved by composer windows, read receipts arrive with the
   * inbox (not through the outbox): read again whenever shown. */
  g_signal_connect (self, "map", G_CALLBACK (reload_drafts), NULL);
  g_signal_connect (self, "map", G_CALLBACK (reload), NULL);
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (mapped_cb), NULL);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_outbox_page_new (void)
{
  return g_object_new (CAB_TYPE_OUTBOX_PAGE, NULL);
}

void
cab_outbox_page_set_session (CabOutboxPage *self,
                             CabSession    *session)
{
  g_return_if_fail (CAB_IS_OUTBOX_PAGE (self));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  cab_outbox_page_set_outbox (self, session != NULL ? cab_session_get_outbox (session) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

CabSession *
cab_outbox_page_get_session (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), NULL);

  return self->session;
}

void
cab_outbox_page_set_outbox (CabOutboxPage *self,
                            CabOutbox     *outbox)
{
  g_return_if_fail (CAB_IS_OUTBOX_PAGE (self));
  g_return_if_fail (outbox == NULL || CAB_IS_OUTBOX (outbox));

  if (self->outbox == outbox)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->rows != NULL)
    cab_outbox_rows_set_entries (self->rows, NULL);
  g_clear_object (&self->model);
  g_set_object (&self->outbox, outbox);
  set_n_pending (self, 0);

  /* An action in flight belongs to the old outbox. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (outbox != NULL)
    {
      /* The lists' name rule, run by the model on its pool thread. */
      self->model = cab_outbox_model_new (outbox, cab_format_patient_name);
      g_signal_connect_object (self->model, "loaded", G_CALLBACK (model_loaded_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->model, "notify::n-pending", G_CALLBACK (model_pending_cb), self, G_CONNECT_SWAPPED);
      cab_outbox_rows_set_entries (self->rows, G_LIST_MODEL (self->model));
    }
}

CabOutbox *
cab_outbox_page_get_outbox (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), NULL);

  return self->outbox;
}

guint
cab_outbox_page_get_n_pending (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_pending;
}

guint
cab_outbox_page_get_n_loads (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_loads;
}

guint
cab_outbox_page_count_shown (CabOutboxPage  *self,
                             CabOutboxState  state)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, 0);

  return cab_outbox_rows_count (self->rows, state);
}

guint
cab_outbox_page_get_n_read (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);
  return cab_outbox_rows_get_n_read (self->rows);
}

guint
cab_outbox_page_get_n_drafts (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_drafts;
}

guint
cab_outbox_page_get_n_drafts_loads (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_drafts_loads;
}

gboolean
cab_outbox_page_open_draft (CabOutboxPage *self,
                            guint          index)
{
  const CabMailDraftRecord *draft;

  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), FALSE);

  draft = self->rows != NULL ? cab_outbox_rows_get_draft (self->rows, index) : NULL;
  if (draft == NULL)
    return FALSE;
  open_draft (self, draft);
  return TRUE;
}

/* A button of entry @entry_id's row: its Edit… button when @edit, else
 * any (Edit…, Retry, Cancel...). */
static GtkWidget *
find_entry_button (GtkWidget *widget,
                   gint64     entry_id,
                   gboolean   edit)
{
  /* A hidden button is an action its entry no longer offers. */
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget) && g_object_get_data (G_OBJECT (widget), "entry") != NULL &&
      (!edit || g_object_get_data (G_OBJECT (widget), "edit") != NULL))
    {
      g_autoptr(CabOutboxItem) item = button_item (widget);

      if (item != NULL && cab_outbox_item_get_id (item) == entry_id)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_button (child, entry_id, edit);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_edit_button (GtkWidget *widget,
                  gint64     entry_id)
{
  return find_entry_button (widget, entry_id, TRUE);
}

gboolean
cab_outbox_page_edit_entry (CabOutboxPage *self,
                            gint64         entry_id)
{
  GtkWidget *button;

  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), FALSE);

  button = find_edit_button (GTK_WIDGET (self), entry_id);
  if (button == NULL)
    return FALSE;
  g_signal_emit_by_name (button, "clicked");
  return TRUE;
}

gboolean
cab_outbox_page_offers_edit (CabOutboxPage *self,
                             gint64         entry_id)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), FALSE);

  return find_edit_button (GTK_WIDGET (self), entry_id) != NULL;
}

char *
cab_outbox_page_dup_entry_text (CabOutboxPage  *self,
                                gint64          entry_id,
                                char          **subtitle)
{
  GtkWidget *button, *row;

  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), NULL);

  button = find_entry_button (GTK_WIDGET (self), entry_id, FALSE);
  row = button != NULL ? gtk_widget_get_ancestor (button, ADW_TYPE_ACTION_ROW) : NULL;
  if (row == NULL)
    return NULL;
  if (subtitle != NULL)
    *subtitle = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  return g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}
