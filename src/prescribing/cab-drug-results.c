/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The drug search's GListModel, for the prescription editor. */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include "cab-drug-results.h"
#include "cab-model-items.h"
#include "cab-query.h"

/* ------------------------------------------------------------------ item */

struct _CabDrugItem
{
  GObject  parent_instance;
  CabDrug *drug;
};

G_DEFINE_FINAL_TYPE (CabDrugItem, cab_drug_item, G_TYPE_OBJECT)

static void
cab_drug_item_finalize (GObject *object)
{
  g_clear_pointer (&CAB_DRUG_ITEM (object)->drug, cab_drug_free);
  G_OBJECT_CLASS (cab_drug_item_parent_class)->finalize (object);
}

static void
cab_drug_item_class_init (CabDrugItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_drug_item_finalize;
}

static void
cab_drug_item_init (CabDrugItem *self)
{
}

/* Takes @drug. */
static CabDrugItem *
cab_drug_item_new (CabDrug *drug)
{
  CabDrugItem *self = g_object_new (CAB_TYPE_DRUG_ITEM, NULL);

  self->drug = drug;
  return self;
}

const CabDrug *
cab_drug_item_get_drug (CabDrugItem *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_ITEM (self), NULL);

  return self->drug;
}

/* ---------------------------------------------------------------- model */

struct _CabDrugResults
{
  GObject       parent_instance;

  CabStore     *store;
  char         *text;
  char         *answered_text;
  GError       *error;
  GPtrArray    *items;          /* CabDrugItem* */
  GCancellable *slot;
  gboolean      loading;
  guint         n_loaded;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabDrugResults, cab_drug_results, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_TEXT,
  PROP_LOADING,
  N_PROPS
};

enum {
  LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
get_item_type (GListModel *model)
{
  return CAB_TYPE_DRUG_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return CAB_DRUG_RESULTS (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (model);

  return position < self->items->len ? g_object_ref (g_ptr_array_index (self->items, position)) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
set_loading (CabDrugResults *self,
             gboolean        loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static const char *
item_key (gpointer item)
{
  return CAB_DRUG_ITEM (item)->drug->cis;
}

/* One splice for the whole answer; a medicine still there keeps its item,
 * so a list view keeps its row as the user types on. */
static void
replace_items (CabDrugResults *self,
               GPtrArray      *items)
{
  cab_model_items_reuse (self->items, items, item_key, NULL);
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, items);
}

typedef struct
{
  gpointer  hold;   /* weak, on the model (cab-model-items.h) */
  char     *text;
} SearchCall;

static void
search_call_free (SearchCall *call)
{
  g_free (call->text);
  g_free (call);
}


static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SearchCall *call = user_data;
  g_autoptr(CabDrugResults) self = cab_model_hold_take (g_steal_pointer (&call->hold));
  g_autoptr(GPtrArray) drugs = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;

  drugs = cab_drug_query_search_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      search_call_free (call);
      return;
    }

  g_clear_error (&self->error);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  if (drugs == NULL)
    self->error = g_steal_pointer (&error);
  else
    {
      g_ptr_array_set_free_func (drugs, NULL);
      for (guint i = 0; i < drugs->len; i++)
        g_ptr_array_add (items, cab_drug_item_new (g_ptr_array_index (drugs, i)));
    }
  g_free (self->answered_text);
  self->answered_text = g_steal_pointer (&call->text);
  search_call_free (call);

  replace_items (self, items);
  self->n_loaded++;
  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0);
}

static void
start_search (CabDrugResults *self)
{
  g_autofree char *query = NULL;
  SearchCall *call;
  GCancellable *cancellable;

  if (self->text != NULL)
    query = g_strstrip (g_utf8_substring (self->text, 0, MIN (g_utf8_strlen (self->text, -1),
                                                                CAB_DRUG_RESULTS_MAX_TEXT)));

  cancellable = cab_query_supersede (&self->slot);
  if (self->store == NULL || query == NULL || *query == '\0')
    {
      /* Nothing to look for: empty at once, and nothing left running. */
      cab_query_cancel (&self->slot);
      g_clear_error (&self->error);
      g_free (self->answered_text);
      self->answered_text = g_strdup (self->text);
      replace_items (self, g_ptr_array_new_with_free_func (g_object_unref));
      set_loading (self, FALSE);
      return;
    }

  call = g_new0 (SearchCall, 1);
  call->hold = cab_model_hold_new (self);
  call->text = g_strdup (self->text);
  set_loading (self, TRUE);
  cab_drug_query_search_async (self->store, query, CAB_DRUG_RESULTS_LIMIT, cancellable, search_cb, call);
}

static void
cab_drug_results_dispose (GObject *object)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  cab_query_cancel (&self->slot);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_drug_results_parent_class)->dispose (object);
}

static void
cab_drug_results_finalize (GObject *object)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  g_free (self->text);
  g_free (self->answered_text);
  g_clear_error (&self->error);
  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (cab_drug_results_parent_class)->finalize (object);
}

static void
cab_drug_results_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_drug_results_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_drug_results_set_store (self, g_value_get_object (value));
      break;
    case PROP_TEXT:
      cab_drug_results_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_drug_results_class_init (CabDrugResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_drug_results_dispose;
  object_class->finalize = cab_drug_results_finalize;
  object_class->get_property = cab_drug_results_get_property;
  object_class->set_property = cab_drug_results_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_drug_results_init (CabDrugResults *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

CabDrugResults *
cab_drug_results_new (void)
{
  return g_object_new (CAB_TYPE_DRUG_RESULTS, NULL);
}

void
cab_drug_results_set_store (CabDrugResults *self,
                            CabStore       *store)
{
  g_return_if_fail (CAB_IS_DRUG_RESULTS (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  start_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
cab_drug_results_set_text (CabDrugResults *self,
                           const char     *text)
{
  g_return_if_fail (CAB_IS_DRUG_RESULTS (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  start_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

const char *
cab_drug_results_get_text (CabDrugResults *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULTS (self), NULL);

  return self->text;
}

gboolean
cab_drug_results_get_loading (CabDrugResults *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULTS (self), FALSE);

  return self->loading;
}

const char *
cab_drug_results_get_answered_text (CabDrugResults *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULTS (self), NULL);

  return self->answered_text;
}

const GError *
cab_drug_results_get_error (CabDrugResults *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULTS (self), NULL);

  return self->error;
}

guint
cab_drug_results_get_n_loaded (CabDrugResults *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULTS (self), 0);

  return self->n_loaded;
}
