/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What core's list models share (docs/architecture.md, "Models"). */

/* The hold a query's callback has on the model that started it: weak, so a
 * superseded query still finishing on the pool never keeps alive a model
 * its owner dropped. cab_model_hold_take() frees the hold and returns a new
 * reference to the model, or NULL when it is gone. */
gpointer  cab_model_hold_new         (gpointer        model);
gpointer  cab_model_hold_take        (gpointer        hold);

typedef const char *(*CabModelItemKey)  (gpointer item);
typedef gboolean    (*CabModelItemSame) (gpointer shown,
                                         gpointer fresh);

/* In @fresh, puts back the very objects of @shown that have the same key
 * and are the same to the eye (@same NULL: the key is enough), so a list
 * view keeps their rows instead of building new ones. Each shown object is
 * reused once at most: one object never sits at two positions. */
void      cab_model_items_reuse      (GPtrArray      *shown,
                                      GPtrArray      *fresh,
                                      CabModelItemKey  key,
                                      CabModelItemSame same);

/* Puts @fresh (taken) in place of *@items and tells @model's views in one
 * items-changed, so a list view rebuilds only what shows. */
void      cab_model_items_replace    (GListModel     *model,
                                      GPtrArray     **items,
                                      GPtrArray      *fresh);

/* Sets a text input of a model (a patient id, a date, a search text) to a
 * copy of @value, an empty string being no input (NULL), so that "" after
 * NULL does not start a query again. TRUE when the input changed. */
gboolean  cab_model_set_text_input   (char          **field,
                                      const char     *value);

/* The tasks of a model's _wait_async() while it loads. add takes @task;
 * complete returns @error (a copy) or TRUE to each, skipping the cancelled
 * ones; cancel fails them all with G_IO_ERROR_CANCELLED (at dispose). Each
 * empties *@waiters first, so a callback may add a new waiter. */
void      cab_model_waiters_add      (GPtrArray     **waiters,
                                      GTask          *task);
void      cab_model_waiters_complete (GPtrArray     **waiters,
                                      const GError   *error);
void      cab_model_waiters_cancel   (GPtrArray     **waiters,
                                      const char     *message);

/* A model's _wait_async()/_wait_finish() in one place, so every model waits
 * the same way: while @loading, the task joins *@waiters (see above);
 * otherwise it returns @error (a copy) or TRUE, from the next main loop
 * iteration. @source_tag is the model's _wait_async, checked by finish. */
void      cab_model_waiters_wait     (GPtrArray          **waiters,
                                      gpointer             model,
                                      gboolean             loading,
                                      const GError        *error,
                                      gpointer             source_tag,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  cab_model_waiters_finish   (gpointer             model,
                                      GAsyncResult        *result,
                                      gpointer             source_tag,
                                      GError             **error);

G_END_DECLS
