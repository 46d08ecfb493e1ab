/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CAB_TYPE_OUTBOX_LIST_ROW (cab_outbox_list_row_get_type ())
G_DECLARE_FINAL_TYPE (CabOutboxListRow, cab_outbox_list_row, CAB, OUTBOX_LIST_ROW, GtkListBoxRow)

/*
 * CabOutboxListRow: a row of the Outbox page's list box that draws its
 * child only while it is in view. Out of view it is measured, allocated,
 * focusable and read by screen readers like any row; it only adds no
 * render nodes, so a frame's repaint walks the rows in view rather than
 * all 500 (with GTK 4.8's cairo renderer every damaged frame walks the
 * whole render tree: docs/architecture.md, "The Outbox page while it
 * drains").
 *
 * cab_outbox_list_cull() says which rows are in view, after each layout.
 */

GtkWidget *cab_outbox_list_row_new         (void);
/* Whether it draws its child (the last cull found it in view). */
gboolean   cab_outbox_list_row_get_in_view (CabOutboxListRow *self);

/* Marks the rows of @list whose allocation meets [@top, @bottom) (the
 * list's coordinates) in view, and those of @in_view (a GPtrArray of
 * CabOutboxListRow, references; the rows in view from the last call,
 * updated) no longer there out of view. A row whose mark changes is drawn
 * again; the others keep their render nodes. */
void       cab_outbox_list_cull    (GtkListBox *list,
                                    double      top,
                                    double      bottom,
                                    GPtrArray  *in_view);

G_END_DECLS
