/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-query"

#include "config.h"

#include "cab-query.h"

/* Enough for a search, a timeline, a header and a document to load at once;
 * each thread borrows one reader connection from the store for one query. */
#define QUERY_THREADS 4

typedef struct
{
  GTask        *task;
  CabStore     *store;
  CabQueryFunc  func;
} QueryJob;

static void
query_job_free (QueryJob *job)
{
  g_clear_object (&job->task);
  g_clear_object (&job->store);
  g_free (job);
}

static void
query_thread (gpointer data,
              gpointer pool_data)
{
  QueryJob *job = data;
  GCancellable *cancellable = g_task_get_cancellable (job->task);

  if (!g_task_return_error_if_cancelled (job->task))
    job->func (job->task, job->store, g_task_get_task_data (job->task), cancellable);

  query_job_free (job);
}

static GThreadPool *
query_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      g_autoptr(GError) error = NULL;
      GThreadPool *new_pool = g_thread_pool_new (query_thread, NULL, QUERY_THREADS, FALSE, &error);

      /* Only fails for exclusive pools. */
      g_assert_no_error (error);
      g_once_init_leave (&pool, new_pool);
    }

  return pool;
}

void
cab_query_run (GTask        *task,
               CabStore     *store,
               CabQueryFunc  func)
{
  QueryJob *job;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (func != NULL);

  job = g_new0 (QueryJob, 1);
  job->task = g_object_ref (task);
  job->store = g_object_ref (store);
  job->func = func;
  /* A non-exclusive pool push cannot fail. */
  g_thread_pool_push (query_pool (), job, NULL);
}

void
cab_query_start (CabStore            *store,
                 gpointer             source_tag,
                 gpointer             task_data,
                 GDestroyNotify       task_data_free,
                 CabQueryFunc         func,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CAB_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  cab_query_run (task, store, func);
}

gpointer
cab_query_finish_pointer (GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GCancellable *
cab_query_supersede (GCancellable **slot)
{
  g_return_val_if_fail (slot != NULL, NULL);

  cab_query_cancel (slot);
  *slot = g_cancellable_new ();

  return *slot;
}

void
cab_query_cancel (GCancellable **slot)
{
  g_return_if_fail (slot != NULL);

  if (*slot != NULL)
    {
      g_cancellable_cancel (*slot);
      g_clear_object (slot);
    }
}
