/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CAB_TYPE_REVEAL_MODEL (cab_reveal_model_get_type ())
G_DECLARE_FINAL_TYPE (CabRevealModel, cab_reveal_model, CAB, REVEAL_MODEL, GObject)

/*
 * A GListModel that shows another whole, except a long run of items added
 * at its end (the rest of a list after its first page), which it shows
 * @step items a frame of its view until the view builds no row for them,
 * then all at once (docs/architecture.md, "The Inbox page": GTK 4.8's list
 * view builds and measures a row for each of up to 200 items added near
 * what it shows, in one frame). A list that was empty shows its first
 * @first items at once. Every other change is passed through as it is;
 * once whole, the model is the one it shows.
 *
 * The view (a GtkListView of this model) paces it: one step in each of its
 * frames. End in the view shows the whole list first, so that it goes to
 * the last item, not to the last one shown so far. Main thread only.
 */
CabRevealModel *cab_reveal_model_new         (GListModel     *model,
                                              guint           first,
                                              guint           step);
GListModel     *cab_reveal_model_get_model   (CabRevealModel *self);
void            cab_reveal_model_set_view    (CabRevealModel *self,
                                              GtkWidget      *view);
/* TRUE when every item of the model is shown. */
gboolean        cab_reveal_model_is_whole    (CabRevealModel *self);
/* Shows at least the first @n items (G_MAXUINT: all) now. */
void            cab_reveal_model_reveal      (CabRevealModel *self,
                                              guint           n);

G_END_DECLS
