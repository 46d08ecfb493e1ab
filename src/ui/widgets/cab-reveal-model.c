/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-ui"

#include "config.h"

#include "cab-reveal-model.h"

/* When the rest of a 10,000-message list lands after its first page, GTK
 * 4.8's list view builds a row for each new item up to 200 around the one
 * it shows first, and measures them all in the next frame: 50 to 85 ms of
 * the main thread, a hitch right after the list is opened or filtered.
 * Shown a step a frame, each frame builds and measures a step's rows; once
 * a step builds no row (the view has all it keeps), the rest is shown at
 * once, which builds none either. */

struct _CabRevealModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       first;     /* shown at once in a list that was empty */
  guint       step;
  guint       limit;     /* items shown at most; G_MAXUINT: all */
  guint       n_shown;   /* what get_n_items() says, as the view knows it */
  GtkWidget  *view;      /* weak */
  guint       tick;
};

static void cab_reveal_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabRevealModel, cab_reveal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_reveal_model_list_model_init))

static void start_ticking (CabRevealModel *self);

/* -------------------------------------------------------------- changes */

static void
emit (CabRevealModel *self,
      guint           position,
      guint           removed,
      guint           added)
{
  self->n_shown = self->n_shown - removed + added;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* The view shows the first n_shown items of the model: grows or shrinks
 * it at its end to the limit. */
static void
follow_limit (CabRevealModel *self)
{
  guint n = g_list_model_get_n_items (self->model);
  guint shown = MIN (n, self->limit);

  if (self->limit != G_MAXUINT && self->limit >= n)
    self->limit = G_MAXUINT;
  if (shown > self->n_shown)
    emit (self, self->n_shown, 0, shown - self->n_shown);
  else if (shown < self->n_shown)
    emit (self, shown, self->n_shown - shown, 0);
}

static void
model_changed_cb (CabRevealModel *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *model)
{
  guint n_after = g_list_model_get_n_items (model);
  guint n_before = n_after - added + removed;

  /* A long run added at the end: shown from the next frame on, a step a
   * frame; a list that had none shows its first items now. */
  if (position + removed == n_before && position + added > MAX (position, self->first) + self->step)
    self->limit = MIN (self->limit, MAX (position, self->first));

  if (position < self->n_shown)
    {
      guint shown_after = MIN (n_after, self->limit);
      guint r = MIN (removed, self->n_shown - position);
      guint a = position < shown_after ? MIN (added, shown_after - position) : 0;

      /* Only part of what was added is shown: the items after it, shown
       * before, go too, so that the view keeps a beginning of the list. */
      if (a < added)
        r = self->n_shown - position;
      emit (self, position, r, a);
    }
  /* Then the end to the limit (whole: nothing left to do). */
  follow_limit (self);
  if (self->limit != G_MAXUINT)
    start_ticking (self);
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

static gboolean
tick_cb (GtkWidget     *view,
         GdkFrameClock *clock,
         gpointer       data)
{
  CabRevealModel *self = data;
  guint before = count_rows (view);

  /* GTK 4.8 builds the rows of new items in their items-changed. */
  cab_reveal_model_reveal (self, self->n_shown + self->step);
  if (self->limit != G_MAXUINT && count_rows (view) == before)
    cab_reveal_model_reveal (self, G_MAXUINT);
  if (self->limit != G_MAXUINT)
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

/* End goes to the last item of the list, not of what is shown so far;
 * the view's own binding then runs on the whole list. */
static gboolean
key_pressed_cb (CabRevealModel        *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_End || keyval == GDK_KEY_KP_End)
    cab_reveal_model_reveal (self, G_MAXUINT);
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
  return CAB_REVEAL_MODEL (model)->n_shown;
}

static gpointer
cab_reveal_model_get_item (GListModel *model,
                           guint       position)
{
  CabRevealModel *self = CAB_REVEAL_MODEL (model);

  return position < self->n_shown ? g_list_model_get_item (self->model, position) : NULL;
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
cab_reveal_model_class_init (CabRevealModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cab_reveal_model_dispose;
}

static void
cab_reveal_model_init (CabRevealModel *self)
{
  self->limit = G_MAXUINT;
}

/* ------------------------------------------------------------ public API */

CabRevealModel *
cab_reveal_model_new (GListModel *model,
                      guint       first,
                      guint       step)
{
  CabRevealModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (step > 0, NULL);

  self = g_object_new (CAB_TYPE_REVEAL_MODEL, NULL);
  self->model = g_object_ref (model);
  self->first = first;
  self->step = step;
  self->n_shown = g_list_model_get_n_items (model);
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
  g_return_if_fail (GTK_IS_WIDGET (view));
  g_return_if_fail (self->view == NULL);

  self->view = view;
  g_object_weak_ref (G_OBJECT (view), view_gone_cb, self);
  /* Before the view's own bindings, which run when the key bubbles up. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (view, keys);
  if (self->limit != G_MAXUINT)
    start_ticking (self);
}

gboolean
cab_reveal_model_is_whole (CabRevealModel *self)
{
  g_return_val_if_fail (CAB_IS_REVEAL_MODEL (self), FALSE);
  return self->limit == G_MAXUINT;
}

void
cab_reveal_model_reveal (CabRevealModel *self,
                         guint           n)
{
  g_return_if_fail (CAB_IS_REVEAL_MODEL (self));

  if (self->limit == G_MAXUINT || n <= self->limit)
    return;
  self->limit = n;
  follow_limit (self);
  if (self->limit == G_MAXUINT)
    stop_ticking (self);
}
