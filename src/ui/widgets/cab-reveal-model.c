/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-ui"

#include "config.h"

#include "cab-reveal-model.h"

/* When the rest of a 10,000-message list lands after its first page, GTK
 * 4.8's list view builds a row for each new item up to 200 around the one
 * it shows first, and measures them all in the next frame: 50 to 85 ms of
 * the main thread, a hitch right after the list is opened or filtered. A
 * sync's answer is the same list with new mail in it: applied as one
 * change (the list's differences are one range, cab-inbox-list.c), the
 * view releases every row of that range, takes them back one by one and
 * builds the new ones. Here the items a change keeps are not told to the
 * view at all and its new ones are shown a step a frame, each frame
 * building and measuring a step's rows at most; once a step builds no
 * row (the view has all it keeps) and what is left is one run, that run is
 * shown at once, which builds none either. */

/* Items of the model not shown yet: model positions, sorted, apart. */
typedef struct
{
  guint start;
  guint len;
} Run;

struct _CabRevealModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       first;     /* shown at once in a list that was empty... */
  int         row_height; /* ...no more than fill the view at this height a row (0: first) */
  guint       step;
  GPtrArray  *shown;     /* the items as the view knows them */
  GArray     *hidden;    /* Run */
  guint       n_hidden;
  gboolean    busy;      /* telling the view */
  GtkWidget  *view;      /* weak */
  guint       tick;
  gboolean    shown_now; /* a change showed new items: their rows are the next frame's step */
};

static void cab_reveal_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabRevealModel, cab_reveal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_reveal_model_list_model_init))

static void start_ticking (CabRevealModel *self);
static void stop_ticking (CabRevealModel *self);

/* ------------------------------------------------------------ positions */

/* How many of the model's items before @position are not shown; @hidden:
 * whether the one at @position is not either. */
static guint
hidden_before (CabRevealModel *self,
               guint           position,
               gboolean       *hidden)
{
  guint n = 0;

  if (hidden != NULL)
    *hidden = FALSE;
  for (guint i = 0; i < self->hidden->len; i++)
    {
      const Run *run = &g_array_index (self->hidden, Run, i);

      if (run->start >= position)
        break;
      if (run->start + run->len > position)
        {
          if (hidden != NULL)
            *hidden = TRUE;
          return n + position - run->start;
        }
      n += run->len;
    }
  return n;
}

static guint
model_position (CabRevealModel *self,
                guint           shown)
{
  guint position = shown;

  for (guint i = 0; i < self->hidden->len; i++)
    {
      const Run *run = &g_array_index (self->hidden, Run, i);

      if (run->start > position)
        break;
      position += run->len;
    }
  return position;
}

/* Appends a run of hidden items to @runs (sorted), joined to the last one
 * when they touch. */
static void
add_run (GArray *runs,
         guint   start,
         guint   len)
{
  Run *last = runs->len > 0 ? &g_array_index (runs, Run, runs->len - 1) : NULL;

  if (len == 0)
    return;
  if (last != NULL && last->start + last->len == start)
    last->len += len;
  else
    g_array_append_val (runs, ((Run) { start, len }));
}

/* ------------------------------------------------------------- the view */

/* The view shows the top of the list, and no key moved its focus to a row
 * further down (someone going through the list from the keyboard keeps
 * her place). */
static gboolean
view_at_top (CabRevealModel *self)
{
  GtkAdjustment *adjustment;
  GtkWidget *focus;
  GtkRoot *root;
  graphene_rect_t bounds;

  if (self->view == NULL)
    return FALSE;
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));
  if (adjustment == NULL || gtk_adjustment_get_value (adjustment) > 0.5)
    return FALSE;
  root = gtk_widget_get_root (self->view);
  focus = gtk_widget_get_focus_child (self->view);
  if (focus != NULL && GTK_IS_WINDOW (root) && gtk_window_get_focus_visible (GTK_WINDOW (root)) &&
      (gtk_widget_get_state_flags (self->view) & GTK_STATE_FLAG_FOCUS_WITHIN) &&
      gtk_widget_compute_bounds (focus, self->view, &bounds) && bounds.origin.y > 0.5)
    return FALSE;
  return TRUE;
}

/* How many items a list that was empty shows at once: its first ones, no
 * more than fill the view (GTK 4.8 builds a row for each before its first
 * frame), as high as its window before it has a height of its own. */
static guint
first_count (CabRevealModel *self)
{
  int height = 0;

  if (self->view == NULL || self->row_height <= 0)
    return self->first;
  height = gtk_widget_get_height (self->view);
  if (height <= 0 && gtk_widget_get_root (self->view) != NULL)
    height = gtk_widget_get_height (GTK_WIDGET (gtk_widget_get_root (self->view)));
  if (height <= 0)
    return self->first;
  return MIN (self->first, (guint) (height / self->row_height) + 1);
}

/* The view learns of a change to what is shown: the shown items first,
 * so that it reads them as they are. */
static void
tell (CabRevealModel *self,
      guint           position,
      guint           removed,
      GPtrArray      *added)
{
  gboolean stick;

  if (removed == 0 && (added == NULL || added->len == 0))
    return;
  stick = position == 0 && added != NULL && added->len > 0 && view_at_top (self);
  g_ptr_array_remove_range (self->shown, position, removed);
  for (guint i = 0; added != NULL && i < added->len; i++)
    g_ptr_array_insert (self->shown, position + i, g_object_ref (g_ptr_array_index (added, i)));
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added != NULL ? added->len : 0);
  /* GTK 4.8 keeps its anchor on the row it showed first: items added
   * above it would be out of sight, above a list that looks unchanged. */
  if (stick)
    gtk_widget_activate_action (self->view, "list.scroll-to-item", "u", 0);
}

/* Shows at most @max hidden items of the model's [@from, @to), the first
 * ones first, in one change of the view: from the first of them to the
 * last, the shown items between them go and come back with them (GTK 4.8
 * updates every row after a change's position: one change a frame, not
 * one per run). Returns how many. */
static guint
show_range (CabRevealModel *self,
            guint           from,
            guint           to,
            guint           max)
{
  g_autoptr(GPtrArray) items = NULL;
  guint a = G_MAXUINT, b = 0, done = 0, i = 0, shown_a, n_shown;

  while (i < self->hidden->len && done < max)
    {
      Run *run = &g_array_index (self->hidden, Run, i);
      guint start = MAX (run->start, from), end = MIN (run->start + run->len, to);

      if (run->start >= to)
        break;
      if (run->start + run->len <= from)
        {
          i++;
          continue;
        }
      if (end - start > max - done)
        end = start + (max - done);
      if (a == G_MAXUINT)
        a = start;
      b = end;
      done += end - start;
      /* Out of the run: all of it, its end, its beginning, or its middle. */
      if (start == run->start && end == run->start + run->len)
        g_array_remove_index (self->hidden, i);
      else if (end == run->start + run->len)
        {
          run->len = start - run->start;
          i++;
        }
      else if (start == run->start)
        {
          run->len -= end - start;
          run->start = end;
        }
      else
        {
          Run rest = { end, run->start + run->len - end };

          run->len = start - run->start;
          g_array_insert_val (self->hidden, i + 1, rest);
          i++;
        }
    }
  if (done == 0)
    return 0;

  /* [a, b) is now shown whole; before, all but the @done just shown. */
  self->n_hidden -= done;
  shown_a = a - hidden_before (self, a, NULL);
  n_shown = b - a - done;
  items = g_ptr_array_new_full (b - a, g_object_unref);
  for (guint p = a; p < b; p++)
    g_ptr_array_add (items, g_list_model_get_item (self->model, p));
  self->busy = TRUE;
  tell (self, shown_a, n_shown, items);
  self->busy = FALSE;
  if (self->n_hidden == 0)
    stop_ticking (self);
  return done;
}

/* ------------------------------------------------------------- changes */

static void
model_changed_cb (CabRevealModel *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *model)
{
  guint n_before = g_list_model_get_n_items (model) - added + removed;
  guint shown_at = position - hidden_before (self, position, NULL);
  guint shown_removed = removed - (hidden_before (self, position + removed, NULL) - (position - shown_at));
  gboolean after_hidden = FALSE, before_hidden = FALSE;
  g_autoptr(GHashTable) old = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (added, g_object_unref);
  g_autofree guint *kept = g_new (guint, MAX (added, 1));
  g_autofree gboolean *show = g_new0 (gboolean, MAX (added, 1));
  g_autoptr(GPtrArray) pending = g_ptr_array_new_full (16, g_object_unref);
  GArray *runs;
  guint n_new = 0, n_kept, next = 0, n_late = 0, at, done, first;
  gboolean filling;

  g_return_if_fail (!self->busy);

  /* Added between two items not shown yet: not shown yet either. */
  if (position > 0)
    hidden_before (self, position - 1, &before_hidden);
  if (position + removed < n_before)
    hidden_before (self, position + removed, &after_hidden);

  /* The items kept: the shown ones the change removed and added again,
   * in the same order. */
  if (shown_removed > 0 && added > 0)
    {
      old = g_hash_table_new (NULL, NULL);
      for (guint k = 0; k < shown_removed; k++)
        g_hash_table_insert (old, g_ptr_array_index (self->shown, shown_at + k), GUINT_TO_POINTER (k + 1));
    }
  for (guint j = 0; j < added; j++)
    {
      gpointer item = g_list_model_get_item (model, position + j);
      guint k = old != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (old, item)) : 0;

      g_ptr_array_add (items, item);
      if (k > next)
        {
          kept[j] = k - 1;
          next = k;
        }
      else
        {
          kept[j] = G_MAXUINT;
          n_new++;
        }
    }
  n_kept = added - n_new;

  /* The new ones: a list that shows (nearly) none shows its first items
   * now; a few new ones are shown now; more are shown a step a frame. */
  first = first_count (self);
  filling = self->shown->len - shown_removed + n_kept < first;
  for (guint j = 0; j < added; j++)
    if (kept[j] == G_MAXUINT)
      {
        show[j] = filling && position + j < first;
        n_late += !show[j];
      }
  /* Not past what fills the view of a list that shows (nearly) none. */
  if (!(before_hidden && after_hidden) && n_late <= self->step && (!filling || first == self->first))
    for (guint j = 0; j < added; j++)
      show[j] = show[j] || kept[j] == G_MAXUINT;

  /* What is hidden after the change, in the model's new positions. */
  runs = g_array_new (FALSE, FALSE, sizeof (Run));
  for (guint i = 0; i < self->hidden->len; i++)
    {
      const Run *run = &g_array_index (self->hidden, Run, i);

      if (run->start < position)
        add_run (runs, run->start, MIN (run->start + run->len, position) - run->start);
    }
  for (guint j = 0; j < added; j++)
    if (kept[j] == G_MAXUINT && !show[j])
      add_run (runs, position + j, 1);
  for (guint i = 0; i < self->hidden->len; i++)
    {
      const Run *run = &g_array_index (self->hidden, Run, i);
      guint from = MAX (run->start, position + removed);

      if (run->start + run->len > from)
        add_run (runs, from + added - removed, run->start + run->len - from);
    }
  g_array_unref (self->hidden);
  self->hidden = runs;
  self->n_hidden = 0;
  for (guint i = 0; i < runs->len; i++)
    self->n_hidden += g_array_index (runs, Run, i).len;

  /* The view: the shown items the change dropped go, the new ones shown
   * now come, between the kept ones, which it is not told of. */
  self->busy = TRUE;
  at = shown_at;
  done = 0;
  for (guint j = 0; j <= added; j++)
    {
      if (j == added || kept[j] != G_MAXUINT)
        {
          guint upto = j == added ? shown_removed : kept[j];

          self->shown_now = self->shown_now || pending->len > 0;
          tell (self, at, upto - done, pending);
          at += pending->len + 1;
          done = upto + 1;
          g_ptr_array_set_size (pending, 0);
        }
      else if (show[j])
        g_ptr_array_add (pending, g_object_ref (g_ptr_array_index (items, j)));
    }
  self->busy = FALSE;

  if (self->n_hidden > 0)
    start_ticking (self);
  else
    {
      stop_ticking (self);
      self->shown_now = FALSE;
    }
}

/* ---------------------------------------------------------------- frames */

static guint
count_rows (GtkWidget *view)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* The next step of what is not shown yet; once a step builds no row and
 * what is left is the end of the list (the rest of it after its first
 * page), all of it. Not a run above or among the rows: the view may keep
 * rows for them all, and the step would build none only because it took
 * rows it had. */
static gboolean
tick_cb (GtkWidget     *view,
         GdkFrameClock *clock,
         gpointer       data)
{
  CabRevealModel *self = data;
  guint before = count_rows (view);

  /* This frame lays out the items a change just showed (a first page):
   * the next step waits for the next frame. */
  if (self->shown_now)
    {
      self->shown_now = FALSE;
      return G_SOURCE_CONTINUE;
    }
  /* GTK 4.8 builds the rows of new items in their items-changed. */
  show_range (self, 0, G_MAXUINT, self->step);
  if (self->n_hidden > 0 && self->hidden->len == 1 && count_rows (view) == before &&
      g_array_index (self->hidden, Run, 0).start + self->n_hidden == g_list_model_get_n_items (self->model))
    show_range (self, 0, G_MAXUINT, G_MAXUINT);
  if (self->n_hidden > 0)
    return G_SOURCE_CONTINUE;
  self->tick = 0;
  return G_SOURCE_REMOVE;
}

static void
start_ticking (CabRevealModel *self)
{
  if (self->tick == 0 && self->view != NULL)
    self->tick = gtk_widget_add_tick_callback (self->view, tick_cb, self, NULL);
}

static void
stop_ticking (CabRevealModel *self)
{
  if (self->tick != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (self->view, self->tick);
  self->tick = 0;
}

/* The item the view's keys move from: the selected one, else none. */
static guint
current_position (CabRevealModel *self)
{
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (self->view));
  g_autoptr(GtkBitset) selected = NULL;

  if (selection == NULL || self->shown->len == 0)
    return GTK_INVALID_LIST_POSITION;
  selected = gtk_selection_model_get_selection_in_range (selection, 0, self->shown->len);
  if (gtk_bitset_is_empty (selected))
    return GTK_INVALID_LIST_POSITION;
  return model_position (self, gtk_bitset_get_minimum (selected));
}

/* A page of rows, more than Page Down moves by in any list view: rows are
 * at least 20 px, a list at most a screen's height. */
#define PAGE 80

/* Keys that move go to the list's item they aim at, not to the one shown
 * so far: what lies between is shown first, then the view's own binding
 * runs (on the item they aim at). End shows all. */
static gboolean
key_pressed_cb (CabRevealModel        *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  guint current;

  if (self->n_hidden == 0)
    return GDK_EVENT_PROPAGATE;
  if (keyval == GDK_KEY_End || keyval == GDK_KEY_KP_End)
    {
      show_range (self, 0, G_MAXUINT, G_MAXUINT);
      return GDK_EVENT_PROPAGATE;
    }
  current = current_position (self);
  if (current == GTK_INVALID_LIST_POSITION)
    current = model_position (self, self->shown->len > 0 ? self->shown->len - 1 : 0);
  switch (keyval)
    {
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      show_range (self, current, current + 2, G_MAXUINT);
      break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      show_range (self, current > 0 ? current - 1 : 0, current, G_MAXUINT);
      break;
    case GDK_KEY_Page_Down: case GDK_KEY_KP_Page_Down:
      show_range (self, current, current + PAGE, G_MAXUINT);
      break;
    case GDK_KEY_Page_Up: case GDK_KEY_KP_Page_Up:
      show_range (self, current > PAGE ? current - PAGE : 0, current, G_MAXUINT);
      break;
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      show_range (self, 0, current, G_MAXUINT);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
view_gone_cb (gpointer  data,
              GObject  *view)
{
  CabRevealModel *self = data;

  /* Its tick callbacks went with it. */
  self->view = NULL;
  self->tick = 0;
}

/* ------------------------------------------------------------ list model */

static GType
cab_reveal_model_get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (CAB_REVEAL_MODEL (model)->model);
}

static guint
cab_reveal_model_get_n_items (GListModel *model)
{
  return CAB_REVEAL_MODEL (model)->shown->len;
}

static gpointer
cab_reveal_model_get_item (GListModel *model,
                           guint       position)
{
  CabRevealModel *self = CAB_REVEAL_MODEL (model);

  return position < self->shown->len ? g_object_ref (g_ptr_array_index (self->shown, position)) : NULL;
}

static void
cab_reveal_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_reveal_model_get_item_type;
  iface->get_n_items = cab_reveal_model_get_n_items;
  iface->get_item = cab_reveal_model_get_item;
}

/* --------------------------------------------------------------- GObject */

static void
cab_reveal_model_dispose (GObject *object)
{
  CabRevealModel *self = CAB_REVEAL_MODEL (object);

  stop_ticking (self);
  if (self->view != NULL)
    {
      g_object_weak_unref (G_OBJECT (self->view), view_gone_cb, self);
      self->view = NULL;
    }
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (cab_reveal_model_parent_class)->dispose (object);
}

static void
cab_reveal_model_finalize (GObject *object)
{
  CabRevealModel *self = CAB_REVEAL_MODEL (object);

  g_ptr_array_unref (self->shown);
  g_array_unref (self->hidden);
  G_OBJECT_CLASS (cab_reveal_model_parent_class)->finalize (object);
}

static void
cab_reveal_model_class_init (CabRevealModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cab_reveal_model_dispose;
  G_OBJECT_CLASS (klass)->finalize = cab_reveal_model_finalize;
}

static void
cab_reveal_model_init (CabRevealModel *self)
{
  self->shown = g_ptr_array_new_with_free_func (g_object_unref);
  self->hidden = g_array_new (FALSE, FALSE, sizeof (Run));
}

/* ------------------------------------------------------------ public API */

CabRevealModel *
cab_reveal_model_new (GListModel *model,
                      guint       first,
                      guint       step)
{
  CabRevealModel *self;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (step > 0, NULL);

  self = g_object_new (CAB_TYPE_REVEAL_MODEL, NULL);
  self->model = g_object_ref (model);
  self->first = first;
  self->step = step;
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->shown, g_list_model_get_item (model, i));
  g_signal_connect_object (model, "items-changed", G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

GListModel *
cab_reveal_model_get_model (CabRevealModel *self)
{
  g_return_val_if_fail (CAB_IS_REVEAL_MODEL (self), NULL);
  return self->model;
}

void
cab_reveal_model_set_view (CabRevealModel *self,
                           GtkWidget      *view)
{
  GtkEventController *keys;

  g_return_if_fail (CAB_IS_REVEAL_MODEL (self));
  g_return_if_fail (GTK_IS_LIST_VIEW (view));
  g_return_if_fail (self->view == NULL);

  self->view = view;
  g_object_weak_ref (G_OBJECT (view), view_gone_cb, self);
  /* Before the view's own bindings, which run when the key bubbles up. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (view, keys);
  if (self->n_hidden > 0)
    start_ticking (self);
}

void
cab_reveal_model_set_row_height (CabRevealModel *self,
                                 int             height)
{
  g_return_if_fail (CAB_IS_REVEAL_MODEL (self));
  g_return_if_fail (height >= 0);

  self->row_height = height;
}

gboolean
cab_reveal_model_is_whole (CabRevealModel *self)
{
  g_return_val_if_fail (CAB_IS_REVEAL_MODEL (self), FALSE);
  return self->n_hidden == 0;
}

void
cab_reveal_model_reveal (CabRevealModel *self,
                         guint           n)
{
  g_return_if_fail (CAB_IS_REVEAL_MODEL (self));
  g_return_if_fail (!self->busy);

  if (self->n_hidden > 0)
    show_range (self, 0, n, G_MAXUINT);
}

guint
cab_reveal_model_show (CabRevealModel *self,
                       guint           position)
{
  g_return_val_if_fail (CAB_IS_REVEAL_MODEL (self), GTK_INVALID_LIST_POSITION);
  g_return_val_if_fail (!self->busy, GTK_INVALID_LIST_POSITION);

  if (position >= g_list_model_get_n_items (self->model))
    return GTK_INVALID_LIST_POSITION;
  if (self->n_hidden > 0)
    show_range (self, position, position + 1, 1);
  return position - hidden_before (self, position, NULL);
}

guint
cab_reveal_model_get_model_position (CabRevealModel *self,
                                     guint           position)
{
  g_return_val_if_fail (CAB_IS_REVEAL_MODEL (self), GTK_INVALID_LIST_POSITION);

  if (position >= self->shown->len)
    return GTK_INVALID_LIST_POSITION;
  return model_position (self, position);
}
