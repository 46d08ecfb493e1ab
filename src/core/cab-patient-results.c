/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patient-results"

#include "config.h"

#include "cab-patient-queries.h"
#include "cab-model-items.h"
#include "cab-patient-results.h"
#include "cab-query.h"

/* Enough to pick from while typing; narrowing the query is faster than scrolling. */
#define DEFAULT_LIMIT 100

struct _CabPatientResults
{
  GObject       parent_instance;

  CabStore     *store;
  char         *query;
  guint         limit;
  GPtrArray    *items;          /* CabPatientItem* */
  GCancellable *running;        /* the query in flight, cab_query_supersede()'s slot */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabPatientResults, cab_patient_results, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUERY,
  PROP_LIMIT,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* GListModel                                                             */

static GType
cab_patient_results_get_item_type (GListModel *model)
{
  return CAB_TYPE_PATIENT_ITEM;
}

static guint
cab_patient_results_get_n_items (GListModel *model)
{
  return CAB_PATIENT_RESULTS (model)->items->len;
}

static gpointer
cab_patient_results_get_item (GListModel *model,
                              guint       position)
{
  CabPatientResults *self = CAB_PATIENT_RESULTS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_patient_results_get_item_type;
  iface->get_n_items = cab_patient_results_get_n_items;
  iface->get_item = cab_patient_results_get_item;
}

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static const char *
patient_key (gpointer item)
{
  return cab_patient_item_get_id (item);
}

/* Same record, same sync: the shown object can stay. */
static gboolean
same_patient (gpointer shown,
              gpointer fresh)
{
  const CabPatientRow *a = cab_patient_item_get_row (shown);
  const CabPatientRow *b = cab_patient_item_get_row (fresh);

  return g_strcmp0 (a->last_updated, b->last_updated) == 0 &&
         g_strcmp0 (a->synced_at, b->synced_at) == 0;
}

static void
stop_loading (CabPatientResults *self)
{
  if (self->running == NULL)
    return;
  g_clear_object (&self->running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Called for every query, superseded or not. The task holds the model
 * weakly, so a superseded query still finishing on the pool never keeps a
 * dropped model alive; a superseded one finishes with G_IO_ERROR_CANCELLED
 * and is dropped. */
static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabPatientResults) self = cab_model_hold_take (user_data);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = cab_patient_query_search_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (items == NULL)
    {
      g_warning ("Patient search failed: %s", error->message);
      items = g_ptr_array_new_with_free_func (g_object_unref);
    }

  /* Typing one more letter mostly narrows the results. */
  cab_model_items_reuse (self->items, items, patient_key, same_patient);

  /* Not loading any more before the list changes, so that a handler of
   * items-changed sees a settled model. */
  g_object_freeze_notify (G_OBJECT (self));
  stop_loading (self);
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_steal_pointer (&items));
  g_object_thaw_notify (G_OBJECT (self));
}

static void
run_query (CabPatientResults *self)
{
  gboolean was_loading = self->running != NULL;
  GCancellable *cancellable;

  if (self->store == NULL)
    {
      cab_query_cancel (&self->running);
      if (was_loading)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }

  cancellable = cab_query_supersede (&self->running);
  cab_patient_query_search_async (self->store, self->query, self->limit, cancellable,
                                  search_cb, cab_model_hold_new (self));
  /* A query replacing another: loading already, no notification. */
  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_patient_results_dispose (GObject *object)
{
  CabPatientResults *self = CAB_PATIENT_RESULTS (object);

  cab_query_cancel (&self->running);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_patient_results_parent_class)->dispose (object);
}

static void
cab_patient_results_finalize (GObject *object)
{
  CabPatientResults *self = CAB_PATIENT_RESULTS (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->query);

  G_OBJECT_CLASS (cab_patient_results_parent_class)->finalize (object);
}

static void
cab_patient_results_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CabPatientResults *self = CAB_PATIENT_RESULTS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;
    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, cab_patient_results_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_results_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CabPatientResults *self = CAB_PATIENT_RESULTS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_patient_results_set_store (self, g_value_get_object (value));
      break;
    case PROP_QUERY:
      cab_patient_results_set_query (self, g_value_get_string (value));
      break;
    case PROP_LIMIT:
      cab_patient_results_set_limit (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_results_class_init (CabPatientResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_patient_results_dispose;
  object_class->finalize = cab_patient_results_finalize;
  object_class->get_property = cab_patient_results_get_property;
  object_class->set_property = cab_patient_results_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL, 0, G_MAXUINT, DEFAULT_LIMIT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_patient_results_init (CabPatientResults *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->query = g_strdup ("");
  self->limit = DEFAULT_LIMIT;
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabPatientResults *
cab_patient_results_new (CabStore *store)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);

  return g_object_new (CAB_TYPE_PATIENT_RESULTS, "store", store, NULL);
}

CabStore *
cab_patient_results_get_store (CabPatientResults *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_RESULTS (self), NULL);

  return self->store;
}

void
cab_patient_results_set_store (CabPatientResults *self,
                               CabStore          *store)
{
  g_return_if_fail (CAB_IS_PATIENT_RESULTS (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  run_query (self);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
cab_patient_results_get_query (CabPatientResults *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_RESULTS (self), NULL);

  return self->query;
}

void
cab_patient_results_set_query (CabPatientResults *self,
                               const char        *query)
{
  g_return_if_fail (CAB_IS_PATIENT_RESULTS (self));

  if (query == NULL)
    query = "";
  if (g_strcmp0 (self->query, query) == 0)
    return;

  g_free (self->query);
  self->query = g_strdup (query);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
  run_query (self);
  g_object_thaw_notify (G_OBJECT (self));
}

guint
cab_patient_results_get_limit (CabPatientResults *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_RESULTS (self), 0);

  return self->limit;
}

void
cab_patient_results_set_limit (CabPatientResults *self,
                               guint              limit)
{
  g_return_if_fail (CAB_IS_PATIENT_RESULTS (self));

  if (self->limit == limit)
    return;

  self->limit = limit;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
  run_query (self);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
cab_patient_results_get_loading (CabPatientResults *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_RESULTS (self), FALSE);

  return self->running != NULL;
}

void
cab_patient_results_reload (CabPatientResults *self)
{
  g_return_if_fail (CAB_IS_PATIENT_RESULTS (self));

  run_query (self);
}
