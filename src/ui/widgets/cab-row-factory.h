/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A list item factory whose rows outlive their list items: when the list
 * view lets go of a row (its item was removed), the row is kept, unbound,
 * and given to the next list item the view makes, instead of being
 * destroyed now and another built then (docs/architecture.md, "The Inbox
 * page": a filter change replaces the 200 rows GTK 4.8 keeps for a long
 * list).
 *
 * @new_row makes a row; @bind shows @item in it, and is called with NULL
 * when the row is put aside, so that it holds no item. At most @max_spare
 * rows are kept aside; the others are destroyed as usual. */
typedef GtkWidget *(*CabRowNewFunc)  (void);
typedef void       (*CabRowBindFunc) (GtkWidget *row,
                                      gpointer   item);

GtkListItemFactory *cab_row_factory_new     (CabRowNewFunc   new_row,
                                             CabRowBindFunc  bind,
                                             guint           max_spare);
/* Rows kept aside now (tests). */
guint               cab_row_factory_n_spare (GtkListItemFactory *factory);

G_END_DECLS
