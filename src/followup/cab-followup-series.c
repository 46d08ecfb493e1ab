/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include "cab-followup-queries.h"
#include "cab-followup-series.h"
#include "cab-model-items.h"
#include "cab-query.h"

struct _CabFollowupSeries
{
  GObject             parent_instance;

  CabStore           *store;
  CabFollowupRules   *rules;
  char               *patient_id;
  char               *measure_id;
  char               *today;

  GPtrArray          *items;        /* CabFollowupPoint* */
  GListStore         *medications;  /* CabFollowupMedicationEvent */
  CabFollowupStatus  *status;
  GCancellable       *query;
  GPtrArray          *waiters;
  gboolean            loading;
  GError             *error;
};

static void cab_followup_series_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabFollowupSeries, cab_followup_series, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_followup_series_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_RULES,
  PROP_PATIENT_ID,
  PROP_MEASURE_ID,
  PROP_TODAY,
  PROP_LOADING,
  PROP_STATUS,
  PROP_MEDICATIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_loading (CabFollowupSeries *self,
             gboolean           loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_status (CabFollowupSeries *self,
            CabFollowupStatus *status)
{
  if (g_set_object (&self->status, status))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_medications (CabFollowupSeries *self,
                 GPtrArray         *events)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->medications));

  if (n == 0 && (events == NULL || events->len == 0))
    return;
  g_list_store_splice (self->medications, 0, n, events != NULL ? events->pdata : NULL,
                       events != NULL ? events->len : 0);
}

static void
clear (CabFollowupSeries *self)
{
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_ptr_array_new_with_free_func (g_object_unref));
  set_medications (self, NULL);
  set_status (self, NULL);
}

static void
settle (CabFollowupSeries *self)
{
  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0);
  cab_model_waiters_complete (&self->waiters, self->error);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(CabFollowupSeries) self = cab_model_hold_take (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFollowupSeriesData) data = NULL;

  data = cab_followup_query_series_finish (res, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->query);
  g_clear_error (&self->error);
  if (data == NULL)
    {
      g_debug ("Cannot read a follow-up series: %s", error->message);
      clear (self);
      self->error = g_steal_pointer (&error);
    }
  else
    {
      cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_steal_pointer (&data->points));
      set_medications (self, data->medications);
      set_status (self, data->status);
    }
  settle (self);
}

static void
start_query (CabFollowupSeries *self)
{
  GCancellable *cancellable;

  if (self->store == NULL || self->rules == NULL || self->patient_id == NULL || self->measure_id == NULL)
    {
      cab_query_cancel (&self->query);
      clear (self);
      g_clear_error (&self->error);
      settle (self);
      return;
    }

  cancellable = cab_query_supersede (&self->query);
  set_loading (self, TRUE);
  /* Held weakly: a superseded query finishing on the pool never keeps a
   * dropped model alive. */
  cab_followup_query_series_async (self->store, self->rules, self->patient_id, self->measure_id,
                                   self->today, cancellable, query_done_cb, cab_model_hold_new (self));
}

/* ------------------------------------------------------------ list model */

static GType
cab_followup_series_get_item_type (GListModel *model)
{
  return CAB_TYPE_FOLLOWUP_POINT;
}

static guint
cab_followup_series_get_n_items (GListModel *model)
{
  return CAB_FOLLOWUP_SERIES (model)->items->len;
}

static gpointer
cab_followup_series_get_item (GListModel *model,
                              guint       position)
{
  CabFollowupSeries *self = CAB_FOLLOWUP_SERIES (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cab_followup_series_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_followup_series_get_item_type;
  iface->get_n_items = cab_followup_series_get_n_items;
  iface->get_item = cab_followup_series_get_item;
}

/* --------------------------------------------------------------- GObject */

static void
cab_followup_series_dispose (GObject *object)
{
  CabFollowupSeries *self = CAB_FOLLOWUP_SERIES (object);

  cab_query_cancel (&self->query);
  cab_model_waiters_cancel (&self->waiters, "The series was disposed");
  g_clear_object (&self->store);
  g_clear_object (&self->rules);
  g_clear_object (&self->status);

  G_OBJECT_CLASS (cab_followup_series_parent_class)->dispose (object);
}

static void
cab_followup_series_finalize (GObject *object)
{
  CabFollowupSeries *self = CAB_FOLLOWUP_SERIES (object);

  g_free (self->patient_id);
  g_free (self->measure_id);
  g_free (self->today);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->medications);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cab_followup_series_parent_class)->finalize (object);
}

static void
cab_followup_series_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CabFollowupSeries *self = CAB_FOLLOWUP_SERIES (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_RULES:
      g_value_set_object (value, self->rules);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_MEASURE_ID:
      g_value_set_string (value, self->measure_id);
      break;
    case PROP_TODAY:
      g_value_set_string (value, self->today);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_STATUS:
      g_value_set_object (value, self->status);
      break;
    case PROP_MEDICATIONS:
      g_value_set_object (value, self->medications);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_series_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CabFollowupSeries *self = CAB_FOLLOWUP_SERIES (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_followup_series_set_store (self, g_value_get_object (value));
      break;
    case PROP_RULES:
      cab_followup_series_set_rules (self, g_value_get_object (value));
      break;
    case PROP_PATIENT_ID:
      cab_followup_series_set_patient_id (self, g_value_get_string (value));
      break;
    case PROP_MEASURE_ID:
      cab_followup_series_set_measure_id (self, g_value_get_string (value));
      break;
    case PROP_TODAY:
      cab_followup_series_set_today (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_series_class_init (CabFollowupSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_followup_series_dispose;
  object_class->finalize = cab_followup_series_finalize;
  object_class->get_property = cab_followup_series_get_property;
  object_class->set_property = cab_followup_series_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE, rw);
  properties[PROP_RULES] = g_param_spec_object ("rules", NULL, NULL, CAB_TYPE_FOLLOWUP_RULES, rw);
  properties[PROP_PATIENT_ID] = g_param_spec_string ("patient-id", NULL, NULL, NULL, rw);
  properties[PROP_MEASURE_ID] = g_param_spec_string ("measure-id", NULL, NULL, NULL, rw);
  properties[PROP_TODAY] = g_param_spec_string ("today", NULL, NULL, NULL, rw);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_STATUS] = g_param_spec_object ("status", NULL, NULL, CAB_TYPE_FOLLOWUP_STATUS, ro);
  properties[PROP_MEDICATIONS] = g_param_spec_object ("medications", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabFollowupSeries::loaded:
   *
   * Points, medications and status reflect the newest inputs.
   */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_followup_series_init (CabFollowupSeries *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->medications = g_list_store_new (CAB_TYPE_FOLLOWUP_MEDICATION_EVENT);
}

/* ------------------------------------------------------------------ API */

CabFollowupSeries *
cab_followup_series_new (CabStore         *store,
                         CabFollowupRules *rules)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (rules == NULL || CAB_IS_FOLLOWUP_RULES (rules), NULL);

  return g_object_new (CAB_TYPE_FOLLOWUP_SERIES, "store", store, "rules", rules, NULL);
}

CabStore *
cab_followup_series_get_store (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->store;
}

void
cab_followup_series_set_store (CabFollowupSeries *self,
                               CabStore          *store)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  start_query (self);
}

CabFollowupRules *
cab_followup_series_get_rules (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->rules;
}

void
cab_followup_series_set_rules (CabFollowupSeries *self,
                               CabFollowupRules  *rules)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));
  g_return_if_fail (rules == NULL || CAB_IS_FOLLOWUP_RULES (rules));

  if (!g_set_object (&self->rules, rules))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RULES]);
  start_query (self);
}

const char *
cab_followup_series_get_patient_id (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->patient_id;
}

void
cab_followup_series_set_patient_id (CabFollowupSeries *self,
                                    const char        *patient_id)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));

  if (!cab_model_set_text_input (&self->patient_id, patient_id))
    return;
  /* Another patient's points never show under this one's name. */
  clear (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
  start_query (self);
}

const char *
cab_followup_series_get_measure_id (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->measure_id;
}

void
cab_followup_series_set_measure_id (CabFollowupSeries *self,
                                    const char        *measure_id)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));

  if (!cab_model_set_text_input (&self->measure_id, measure_id))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEASURE_ID]);
  start_query (self);
}

const char *
cab_followup_series_get_today (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->today;
}

void
cab_followup_series_set_today (CabFollowupSeries *self,
                               const char        *today)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));

  if (!cab_model_set_text_input (&self->today, today))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TODAY]);
  start_query (self);
}

const CabFollowupMeasure *
cab_followup_series_get_measure (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  if (self->rules == NULL || self->measure_id == NULL)
    return NULL;
  return cab_followup_rules_lookup_measure (self->rules, self->measure_id);
}

CabFollowupStatus *
cab_followup_series_get_status (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->status;
}

GListModel *
cab_followup_series_get_medications (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return G_LIST_MODEL (self->medications);
}

void
cab_followup_series_reload (CabFollowupSeries *self)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));
  start_query (self);
}

gboolean
cab_followup_series_get_loading (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), FALSE);
  return self->loading;
}

const GError *
cab_followup_series_get_error (CabFollowupSeries *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), NULL);
  return self->error;
}

void
cab_followup_series_wait_async (CabFollowupSeries   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_SERIES (self));

  cab_model_waiters_wait (&self->waiters, self, self->loading, self->error, cab_followup_series_wait_async,
                          cancellable, callback, user_data);
}

gboolean
cab_followup_series_wait_finish (CabFollowupSeries  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_SERIES (self), FALSE);

  return cab_model_waiters_finish (self, result, cab_followup_series_wait_async, error);
}
