/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-ui"

#include "config.h"

#include "cab-row-factory.h"

/* GTK 4.8 destroys the row of every item removed from the model, and
 * builds one for every item added: replacing a 10,000-message list by
 * another is 200 rows torn down (their templates, labels, controllers) and
 * as many built again once the new list is whole. Rows here are kept
 * aside when their list item goes, and set up again for the next one;
 * binding them is what GTK does anyway when it scrolls. */

typedef struct
{
  CabRowNewFunc  new_row;
  CabRowBindFunc bind;
  guint          max_spare;
  GPtrArray     *spare;   /* unbound rows, a strong reference each */
} Pool;

#define ROW_KEY "cab-row-factory-row"

static void
pool_free (gpointer data)
{
  Pool *pool = data;

  g_ptr_array_unref (pool->spare);
  g_free (pool);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          Pool                     *pool)
{
  GtkWidget *row;

  if (pool->spare->len > 0)
    row = g_ptr_array_steal_index_fast (pool->spare, pool->spare->len - 1);
  else
    row = g_object_ref_sink (pool->new_row ());
  gtk_list_item_set_child (list_item, row);
  /* Our own reference: the list item drops its child before "teardown". */
  g_object_set_data_full (G_OBJECT (list_item), ROW_KEY, row, g_object_unref);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         Pool                     *pool)
{
  pool->bind (gtk_list_item_get_child (list_item), gtk_list_item_get_item (list_item));
}

static void
teardown_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             Pool                     *pool)
{
  GtkWidget *row = g_object_steal_data (G_OBJECT (list_item), ROW_KEY);

  if (row == NULL)
    return;
  /* Already taken out of the list item's widget by GTK: kept unbound, so
   * that it holds no item, or let go when enough are kept. */
  if (pool->spare->len < pool->max_spare && gtk_widget_get_parent (row) == NULL)
    {
      pool->bind (row, NULL);
      g_ptr_array_add (pool->spare, row);
    }
  else
    g_object_unref (row);
}

GtkListItemFactory *
cab_row_factory_new (CabRowNewFunc  new_row,
                     CabRowBindFunc bind,
                     guint          max_spare)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  Pool *pool = g_new0 (Pool, 1);

  g_return_val_if_fail (new_row != NULL && bind != NULL, NULL);

  pool->new_row = new_row;
  pool->bind = bind;
  pool->max_spare = max_spare;
  pool->spare = g_ptr_array_new_with_free_func (g_object_unref);
  /* The list items hold the factory: the pool outlives every row's
   * teardown, and goes with the factory. */
  g_object_set_data_full (G_OBJECT (factory), "cab-row-factory-pool", pool, pool_free);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), pool);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), pool);
  g_signal_connect (factory, "teardown", G_CALLBACK (teardown_cb), pool);
  return factory;
}

guint
cab_row_factory_n_spare (GtkListItemFactory *factory)
{
  Pool *pool = g_object_get_data (G_OBJECT (factory), "cab-row-factory-pool");

  g_return_val_if_fail (pool != NULL, 0);
  return pool->spare->len;
}
