/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox"

#include "config.h"

#include <string.h>

#include "cab-model-items.h"
#include "cab-outbox-model.h"
#include "cab-query.h"

/* Done and cancelled entries shown as recent history. */
#define N_RECENT_DONE 30
#define N_RECENT_CANCELLED 10
#define N_ACTIVE_MAX 500

struct _CabOutboxModel
{
  GObject              parent_instance;

  CabOutbox           *outbox;
  CabPatientLabelFunc  label_func;
  GCancellable        *cancellable;   /* the read under way */

  GPtrArray           *items;         /* CabOutboxItem*, newest first */
  guint                counts[CAB_OUTBOX_N_STATES];
  guint                n_loads;
  guint                loading : 1;
  guint                dirty : 1;     /* changed while a read ran */
};

static void cab_outbox_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabOutboxModel, cab_outbox_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cab_outbox_model_list_model_init))

enum {
  PROP_0,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* reading, on core's reader pool                                         */

typedef struct
{
  CabPatientLabelFunc  label_func;
  GPtrArray           *items;
  guint                counts[CAB_OUTBOX_N_STATES];
} Load;

static void
load_free (Load *load)
{
  g_clear_pointer (&load->items, g_ptr_array_unref);
  g_free (load);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const CabOutboxEntry *ea = *(CabOutboxEntry * const *) a;
  const CabOutboxEntry *eb = *(CabOutboxEntry * const *) b;

  return ea->id < eb->id ? 1 : ea->id > eb->id ? -1 : 0;
}

/* Items are made here too: parsing payloads stays off the main thread. */
static void
load_query (GTask        *task,
            CabStore     *store,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_outbox_entry_free);
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) read = NULL;
  GError *error = NULL;

  for (int state = 0; state < CAB_OUTBOX_N_STATES; state++)
    {
      guint limit = state == CAB_OUTBOX_STATE_DONE ? N_RECENT_DONE
                  : state == CAB_OUTBOX_STATE_CANCELLED ? N_RECENT_CANCELLED
                  : N_ACTIVE_MAX;
      g_autoptr(GPtrArray) part = cab_store_outbox_list_shown (store, state, limit, &error);

      if (part == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_set_free_func (part, NULL);
      g_ptr_array_extend_and_steal (entries, g_steal_pointer (&part));
    }
  g_ptr_array_sort (entries, compare_newest_first);

  if (!cab_store_outbox_count_shown (store, load->counts, &error) ||
      !(read = cab_store_outbox_read_receipts (store, N_RECENT_DONE, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  load->items = g_ptr_array_new_full (entries->len, g_object_unref);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabOutboxEntry *entry = g_ptr_array_index (entries, i);
      const char *label = NULL;

      if (entry->patient_id != NULL)
        {
          label = g_hash_table_lookup (labels, entry->patient_id);
          if (label == NULL)
            {
              g_autoptr(CabPatientRow) row = cab_store_get_patient (store, entry->patient_id, NULL);
              char *made = row != NULL && load->label_func != NULL
                           ? load->label_func (&row->patient) : g_strdup (entry->patient_id);

              g_hash_table_insert (labels, g_strdup (entry->patient_id), made);
              label = made;
            }
        }
      {
        CabOutboxItem *item = cab_outbox_item_new (entry, label);
        gint64 *read_at = g_hash_table_lookup (read, &entry->id);

        if (read_at != NULL)
          cab_outbox_item_set_read_at (item, *read_at);
        g_ptr_array_add (load->items, item);
      }
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabOutboxModel) self = user_data;
  g_autoptr(GError) error = NULL;
  Load *load = g_task_get_task_data (G_TASK (result));
  guint old_pending;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Cancelled: superseded or disposed; the newer read owns the flags. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Cannot read the outbox: %s", error->message);
    }
  else
    {
      old_pending = cab_outbox_model_get_n_pending (self);
      memcpy (self->counts, load->counts, sizeof self->counts);
      /* A drain changes a few entries at a time: the others keep their
       * items, and a list view their rows (docs/architecture.md, "The
       * Outbox page while it drains"). */
      cab_model_items_reuse (self->items, load->items, (CabModelItemKey) cab_outbox_item_get_key,
                             (CabModelItemSame) cab_outbox_item_same);
      cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_steal_pointer (&load->items));
      if (old_pending != cab_outbox_model_get_n_pending (self))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }

  self->loading = FALSE;
  g_clear_object (&self->cancellable);
  self->n_loads++;
  g_signal_emit (self, signals[LOADED], 0);

  /* Changes came in meanwhile: one more read covers them all. */
  if (self->dirty)
    cab_outbox_model_reload (self);
}

static void
outbox_changed_cb (CabOutboxModel *self,
                   CabOutbox      *outbox)
{
  cab_outbox_model_reload (self);
}

/* ---------------------------------------------------------------------- */
/* GListModel                                                             */

static GType
cab_outbox_model_get_item_type (GListModel *model)
{
  return CAB_TYPE_OUTBOX_ITEM;
}

static guint
cab_outbox_model_get_n_items (GListModel *model)
{
  return CAB_OUTBOX_MODEL (model)->items->len;
}

static gpointer
cab_outbox_model_get_item (GListModel *model,
                           guint       position)
{
  CabOutboxModel *self = CAB_OUTBOX_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cab_outbox_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_outbox_model_get_item_type;
  iface->get_n_items = cab_outbox_model_get_n_items;
  iface->get_item = cab_outbox_model_get_item;
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_outbox_model_dispose (GObject *object)
{
  CabOutboxModel *self = CAB_OUTBOX_MODEL (object);

  cab_query_cancel (&self->cancellable);
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  g_clear_object (&self->outbox);

  G_OBJECT_CLASS (cab_outbox_model_parent_class)->dispose (object);
}

static void
cab_outbox_model_finalize (GObject *object)
{
  CabOutboxModel *self = CAB_OUTBOX_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (cab_outbox_model_parent_class)->finalize (object);
}

static void
cab_outbox_model_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CabOutboxModel *self = CAB_OUTBOX_MODEL (object);

  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, cab_outbox_model_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_model_class_init (CabOutboxModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_outbox_model_dispose;
  object_class->finalize = cab_outbox_model_finalize;
  object_class->get_property = cab_outbox_model_get_property;

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabOutboxModel::loaded:
   *
   * A read completed (its items, if any changed, are in the model).
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_outbox_model_init (CabOutboxModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabOutboxModel *
cab_outbox_model_new (CabOutbox           *outbox,
                      CabPatientLabelFunc  label_func)
{
  CabOutboxModel *self;

  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), NULL);

  self = g_object_new (CAB_TYPE_OUTBOX_MODEL, NULL);
  self->outbox = g_object_ref (outbox);
  self->label_func = label_func;
  g_signal_connect_object (outbox, "changed", G_CALLBACK (outbox_changed_cb), self, G_CONNECT_SWAPPED);
  cab_outbox_model_reload (self);

  return self;
}

CabOutbox *
cab_outbox_model_get_outbox (CabOutboxModel *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_MODEL (self), NULL);

  return self->outbox;
}

void
cab_outbox_model_reload (CabOutboxModel *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  g_return_if_fail (CAB_IS_OUTBOX_MODEL (self));

  if (self->outbox == NULL)
    return;
  if (self->loading)
    {
      self->dirty = TRUE;
      return;
    }

  self->loading = TRUE;
  self->dirty = FALSE;
  load = g_new0 (Load, 1);
  load->label_func = self->label_func;
  task = g_task_new (NULL, cab_query_supersede (&self->cancellable), load_cb, g_object_ref (self));
  g_task_set_source_tag (task, cab_outbox_model_reload);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  cab_query_run (task, cab_outbox_get_store (self->outbox), load_query);
}

guint
cab_outbox_model_get_count (CabOutboxModel *self,
                            CabOutboxState  state)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_MODEL (self), 0);
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, 0);

  return self->counts[state];
}

guint
cab_outbox_model_get_n_pending (CabOutboxModel *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_MODEL (self), 0);

  return self->counts[CAB_OUTBOX_STATE_PENDING] + self->counts[CAB_OUTBOX_STATE_SENDING];
}

guint
cab_outbox_model_get_n_loads (CabOutboxModel *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_MODEL (self), 0);

  return self->n_loads;
}
