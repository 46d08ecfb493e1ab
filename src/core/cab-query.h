/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* Core's reader pool: every store query the UI needs runs here, never on the
 * main thread and never on a thread a widget starts (docs/architecture.md,
 * "Threading"). The pool is core's own, apart from GIO's default one, so a
 * search typed at the desk does not queue behind sync's work.
 *
 * A query function runs on a pool thread with the store and must return the
 * task (g_task_return_*). When the task's cancellable is cancelled before the
 * function starts, the task returns G_IO_ERROR_CANCELLED without running it. */
typedef void (*CabQueryFunc) (GTask        *task,
                              CabStore     *store,
                              gpointer      task_data,
                              GCancellable *cancellable);

/* Takes a reference to @task and @store for as long as the query runs. */
void          cab_query_run        (GTask        *task,
                                    CabStore     *store,
                                    CabQueryFunc  func);

/* The body of a query's _async: a task tagged @source_tag that owns
 * @task_data, run with @func on the pool. */
void          cab_query_start      (CabStore            *store,
                                    gpointer             source_tag,
                                    gpointer             task_data,
                                    GDestroyNotify       task_data_free,
                                    CabQueryFunc         func,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);

/* The body of a query's _finish when it returns a pointer: NULL with
 * @error set when it failed or was cancelled. */
gpointer      cab_query_finish_pointer (GAsyncResult  *result,
                                        gpointer       source_tag,
                                        GError       **error);

/* For inputs that change as the user types: cancels the query held in
 * *@slot, if any, and puts a new cancellable there. Returns it (owned by
 * the slot). A model keeps one slot per input and clears it in dispose. */
GCancellable *cab_query_supersede  (GCancellable **slot);

/* Cancels and clears the query held in *@slot. */
void          cab_query_cancel     (GCancellable **slot);

G_END_DECLS
