/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CAB_TYPE_REVEAL_MODEL (cab_reveal_model_get_type ())
G_DECLARE_FINAL_TYPE (CabRevealModel, cab_reveal_model, CAB, REVEAL_MODEL, GObject)

/*
 * A GListModel that shows another, except the items of a change that
 * brings more than @step new ones (the rest of a list after its first
 * page, a sync's new mail at the top or in the middle): those it shows
 * @step a frame of its view (docs/architecture.md, "The Inbox page": GTK
 * 4.8's list view builds and measures a row for each of up to 200 items
 * added near what it shows, in one frame). Items a change keeps (the same
 * objects, in the same order) stay shown as they were: their rows, the
 * view's scroll anchor and its selection stay. A list that was empty
 * shows its first @first items at once, or fewer: no more than fill the
 * view, when a row height is set. A view at its very top stays there:
 * items shown above its first row come into sight (GTK 4.8 would keep
 * that row at the top), unless a key moved the focus to a row further
 * down. What it shows is always the
 * model's items in the model's order, less the ones not shown yet; once
 * whole, the model itself.
 *
 * The view (a GtkListView of this model) paces it: one step in each of its
 * frames. Keys that move in the view (arrows, Page Up/Down, Home, End)
 * show the items between the current one and where they go first, so that
 * they reach the list's next item, not the next one shown. Main thread
 * only; not to be called from a handler of its own items-changed.
 */
CabRevealModel *cab_reveal_model_new         (GListModel     *model,
                                              guint           first,
                                              guint           step);
GListModel     *cab_reveal_model_get_model   (CabRevealModel *self);
void            cab_reveal_model_set_view    (CabRevealModel *self,
                                              GtkWidget      *view);
/* The least height of a row (px): a list that was empty shows at once no
 * more items than fill the view (its window's height before it has its
 * own), the rest a step a frame. 0 (the default): @first items. */
void            cab_reveal_model_set_row_height (CabRevealModel *self,
                                                 int             height);
/* TRUE when every item of the model is shown. */
gboolean        cab_reveal_model_is_whole    (CabRevealModel *self);
/* Shows at least the model's first @n items (G_MAXUINT: all) now. */
void            cab_reveal_model_reveal      (CabRevealModel *self,
                                              guint           n);
/* Shows the model's item at @position now (only it, when it was not) and
 * returns its position in this model (GTK_INVALID_LIST_POSITION past the
 * model's end). */
guint           cab_reveal_model_show        (CabRevealModel *self,
                                              guint           position);
/* The position in the model of this model's item at @position. */
guint           cab_reveal_model_get_model_position (CabRevealModel *self,
                                                     guint           position);

G_END_DECLS
