/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patient-item"

#include "config.h"

#include "cab-patient-item.h"

struct _CabPatientItem
{
  GObject        parent_instance;
  CabPatientRow *row;
};

G_DEFINE_FINAL_TYPE (CabPatientItem, cab_patient_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cab_patient_item_finalize (GObject *object)
{
  CabPatientItem *self = CAB_PATIENT_ITEM (object);

  g_clear_pointer (&self->row, cab_patient_row_free);

  G_OBJECT_CLASS (cab_patient_item_parent_class)->finalize (object);
}

static void
cab_patient_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CabPatientItem *self = CAB_PATIENT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->row != NULL ? self->row->id : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_item_class_init (CabPatientItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_patient_item_finalize;
  object_class->get_property = cab_patient_item_get_property;

  /* Read-only: the item never changes; a newer row is a new item. */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_patient_item_init (CabPatientItem *self)
{
}

/**
 * cab_patient_item_new_take:
 * @row: (transfer full): a row from cab_store_search_patients()
 *
 * May be called from a worker thread: the item holds plain data only.
 */
CabPatientItem *
cab_patient_item_new_take (CabPatientRow *row)
{
  CabPatientItem *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (CAB_TYPE_PATIENT_ITEM, NULL);
  self->row = row;
  return self;
}

const CabPatientRow *
cab_patient_item_get_row (CabPatientItem *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_ITEM (self), NULL);

  return self->row;
}

const char *
cab_patient_item_get_id (CabPatientItem *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_ITEM (self), NULL);

  return self->row->id;
}
