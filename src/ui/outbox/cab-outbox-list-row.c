/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-page"

#include "config.h"

#include "cab-outbox-list-row.h"

struct _CabOutboxListRow
{
  GtkListBoxRow parent_instance;

  guint         in_view : 1;
  guint         stamp;     /* the cull that last found it in view */
};

G_DEFINE_FINAL_TYPE (CabOutboxListRow, cab_outbox_list_row, GTK_TYPE_LIST_BOX_ROW)

/* Out of view, the row's own CSS (none: list.cab-outbox-list > row) and
 * no child: its card's widgets make no render node. */
static void
cab_outbox_list_row_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  if (CAB_OUTBOX_LIST_ROW (widget)->in_view)
    GTK_WIDGET_CLASS (cab_outbox_list_row_parent_class)->snapshot (widget, snapshot);
}

static void
cab_outbox_list_row_class_init (CabOutboxListRowClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = cab_outbox_list_row_snapshot;
}

static void
cab_outbox_list_row_init (CabOutboxListRow *self)
{
}

GtkWidget *
cab_outbox_list_row_new (void)
{
  return g_object_new (CAB_TYPE_OUTBOX_LIST_ROW, NULL);
}

gboolean
cab_outbox_list_row_get_in_view (CabOutboxListRow *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_LIST_ROW (self), FALSE);

  return self->in_view;
}

static void
set_in_view (CabOutboxListRow *row,
             gboolean          in_view)
{
  if (row->in_view == in_view)
    return;
  row->in_view = in_view;
  /* Its render node is cached while it only moves: make it again. */
  gtk_widget_queue_draw (GTK_WIDGET (row));
}

void
cab_outbox_list_cull (GtkListBox *list,
                      double      top,
                      double      bottom,
                      GPtrArray  *in_view)
{
  static guint stamp;
  g_autoptr(GPtrArray) now = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (GTK_IS_LIST_BOX (list));
  g_return_if_fail (in_view != NULL);

  stamp++;
  /* In the list's order, so the walk stops below the view: the rows
   * above it are a comparison each. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkAllocation a;

      if (!CAB_IS_OUTBOX_LIST_ROW (child) || !gtk_widget_get_visible (child))
        continue;
      gtk_widget_get_allocation (child, &a);
      if (a.y >= bottom)
        break;
      if (a.y + a.height <= top)
        continue;
      CAB_OUTBOX_LIST_ROW (child)->stamp = stamp;
      set_in_view (CAB_OUTBOX_LIST_ROW (child), TRUE);
      g_ptr_array_add (now, g_object_ref (child));
    }
  for (guint i = 0; i < in_view->len; i++)
    {
      CabOutboxListRow *row = g_ptr_array_index (in_view, i);

      if (row->stamp != stamp)
        set_in_view (row, FALSE);
    }
  g_ptr_array_set_size (in_view, 0);
  g_ptr_array_extend_and_steal (in_view, g_steal_pointer (&now));
}
