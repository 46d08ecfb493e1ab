/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-model-items"

#include "config.h"

#include "cab-model-items.h"

gpointer
cab_model_hold_new (gpointer model)
{
  GWeakRef *hold;

  g_return_val_if_fail (G_IS_OBJECT (model), NULL);

  hold = g_new0 (GWeakRef, 1);
  g_weak_ref_init (hold, model);
  return hold;
}

gpointer
cab_model_hold_take (gpointer hold)
{
  GWeakRef *weak = hold;
  gpointer model;

  g_return_val_if_fail (hold != NULL, NULL);

  model = g_weak_ref_get (weak);
  g_weak_ref_clear (weak);
  g_free (weak);
  return model;
}

void
cab_model_items_reuse (GPtrArray        *shown,
                       GPtrArray        *fresh,
                       CabModelItemKey   key,
                       CabModelItemSame  same)
{
  g_autoptr(GHashTable) by_key = NULL;

  g_return_if_fail (shown != NULL && fresh != NULL && key != NULL);

  if (shown->len == 0 || fresh->len == 0)
    return;

  by_key = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < shown->len; i++)
    {
      gpointer item = g_ptr_array_index (shown, i);
      const char *k = key (item);

      if (k != NULL)
        g_hash_table_replace (by_key, (gpointer) k, item);
    }

  for (guint i = 0; i < fresh->len; i++)
    {
      gpointer item = g_ptr_array_index (fresh, i);
      const char *k = key (item);
      gpointer old = k != NULL ? g_hash_table_lookup (by_key, k) : NULL;

      if (old == NULL || old == item || (same != NULL && !same (old, item)))
        continue;
      g_hash_table_remove (by_key, k);
      g_ptr_array_index (fresh, i) = g_object_ref (old);
      g_object_unref (item);
    }
}

void
cab_model_items_replace (GListModel  *model,
                         GPtrArray  **items,
                         GPtrArray   *fresh)
{
  g_autoptr(GPtrArray) old = NULL;

  g_return_if_fail (G_IS_LIST_MODEL (model));
  g_return_if_fail (items != NULL && *items != NULL && fresh != NULL);

  old = g_steal_pointer (items);
  *items = fresh;
  if (old->len > 0 || fresh->len > 0)
    g_list_model_items_changed (model, 0, old->len, fresh->len);
}

gboolean
cab_model_set_text_input (char       **field,
                          const char  *value)
{
  g_return_val_if_fail (field != NULL, FALSE);

  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
cab_model_waiters_add (GPtrArray **waiters,
                       GTask      *task)
{
  g_return_if_fail (G_IS_TASK (task));

  if (*waiters == NULL)
    *waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (*waiters, task);
}

void
cab_model_waiters_complete (GPtrArray    **waiters,
                            const GError  *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (waiters);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

void
cab_model_waiters_cancel (GPtrArray  **waiters,
                          const char  *message)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (waiters);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    g_task_return_new_error (g_ptr_array_index (tasks, i), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "%s", message);
}

void
cab_model_waiters_wait (GPtrArray           **waiters,
                        gpointer              model,
                        gboolean              loading,
                        const GError         *error,
                        gpointer              source_tag,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_OBJECT (model));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (model, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  if (loading)
    {
      cab_model_waiters_add (waiters, g_steal_pointer (&task));
      return;
    }

  /* GTask defers this callback to the next main loop iteration. */
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
cab_model_waiters_finish (gpointer       model,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, model), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
