/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-recent-patients-model"

#include "config.h"

#include "cab-patient-queries.h"
#include "cab-query.h"
#include "cab-model-items.h"
#include "cab-recent-patients-model.h"

struct _CabRecentPatientsModel
{
  GObject       parent_instance;

  CabStore     *store;
  char        **patient_ids;
  GPtrArray    *items;          /* CabPatientItem* */
  GCancellable *running;        /* the read in flight, cab_query_supersede()'s slot */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabRecentPatientsModel, cab_recent_patients_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_PATIENT_IDS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* GListModel                                                             */

static GType
cab_recent_patients_model_get_item_type (GListModel *model)
{
  return CAB_TYPE_PATIENT_ITEM;
}

static guint
cab_recent_patients_model_get_n_items (GListModel *model)
{
  return CAB_RECENT_PATIENTS_MODEL (model)->items->len;
}

static gpointer
cab_recent_patients_model_get_item (GListModel *model,
                                    guint       position)
{
  CabRecentPatientsModel *self = CAB_RECENT_PATIENTS_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_recent_patients_model_get_item_type;
  iface->get_n_items = cab_recent_patients_model_get_n_items;
  iface->get_item = cab_recent_patients_model_get_item;
}

/* ---------------------------------------------------------------------- */
/* reading the patients                                                   */

/* As in CabPatientResults: the task holds the model weakly, and a
 * superseded read finishes cancelled and is dropped. */
static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabRecentPatientsModel) self = cab_model_hold_take (user_data);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = cab_patient_query_by_ids_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (items == NULL)
    {
      g_warning ("Cannot read the recent patients: %s", error->message);
      items = g_ptr_array_new_with_free_func (g_object_unref);
    }

  g_object_freeze_notify (G_OBJECT (self));
  g_clear_object (&self->running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_steal_pointer (&items));
  g_object_thaw_notify (G_OBJECT (self));
}

static void
run_read (CabRecentPatientsModel *self)
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
  cab_patient_query_by_ids_async (self->store, (const char * const *) self->patient_ids,
                                  cancellable, read_cb, cab_model_hold_new (self));
  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_recent_patients_model_dispose (GObject *object)
{
  CabRecentPatientsModel *self = CAB_RECENT_PATIENTS_MODEL (object);

  cab_query_cancel (&self->running);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_recent_patients_model_parent_class)->dispose (object);
}

static void
cab_recent_patients_model_finalize (GObject *object)
{
  CabRecentPatientsModel *self = CAB_RECENT_PATIENTS_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_strfreev (self->patient_ids);

  G_OBJECT_CLASS (cab_recent_patients_model_parent_class)->finalize (object);
}

static void
cab_recent_patients_model_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  CabRecentPatientsModel *self = CAB_RECENT_PATIENTS_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PATIENT_IDS:
      g_value_set_boxed (value, self->patient_ids);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->running != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_recent_patients_model_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  CabRecentPatientsModel *self = CAB_RECENT_PATIENTS_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_recent_patients_model_set_store (self, g_value_get_object (value));
      break;
    case PROP_PATIENT_IDS:
      cab_recent_patients_model_set_patient_ids (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_recent_patients_model_class_init (CabRecentPatientsModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_recent_patients_model_dispose;
  object_class->finalize = cab_recent_patients_model_finalize;
  object_class->get_property = cab_recent_patients_model_get_property;
  object_class->set_property = cab_recent_patients_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_IDS] =
    g_param_spec_boxed ("patient-ids", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_recent_patients_model_init (CabRecentPatientsModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->patient_ids = g_new0 (char *, 1);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabRecentPatientsModel *
cab_recent_patients_model_new (CabStore *store)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);

  return g_object_new (CAB_TYPE_RECENT_PATIENTS_MODEL, "store", store, NULL);
}

CabStore *
cab_recent_patients_model_get_store (CabRecentPatientsModel *self)
{
  g_return_val_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self), NULL);

  return self->store;
}

void
cab_recent_patients_model_set_store (CabRecentPatientsModel *self,
                                     CabStore               *store)
{
  g_return_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  run_read (self);
  g_object_thaw_notify (G_OBJECT (self));
}

const char * const *
cab_recent_patients_model_get_patient_ids (CabRecentPatientsModel *self)
{
  g_return_val_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self), NULL);

  return (const char * const *) self->patient_ids;
}

void
cab_recent_patients_model_set_patient_ids (CabRecentPatientsModel *self,
                                           const char * const     *patient_ids)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self));

  if (patient_ids == NULL)
    patient_ids = none;
  if (g_strv_equal ((const char * const *) self->patient_ids, patient_ids))
    return;

  g_strfreev (self->patient_ids);
  self->patient_ids = g_strdupv ((char **) patient_ids);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_IDS]);
  run_read (self);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
cab_recent_patients_model_get_loading (CabRecentPatientsModel *self)
{
  g_return_val_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self), FALSE);

  return self->running != NULL;
}

void
cab_recent_patients_model_reload (CabRecentPatientsModel *self)
{
  g_return_if_fail (CAB_IS_RECENT_PATIENTS_MODEL (self));

  run_read (self);
}
