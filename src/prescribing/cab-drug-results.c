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

enum {
  ITEM_PROP_0,
  ITEM_PROP_DRUG,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
cab_drug_item_finalize (GObject *object)
{
  g_clear_pointer (&CAB_DRUG_ITEM (object)->drug, cab_drug_free);
  G_OBJECT_CLASS (cab_drug_item_parent_class)->finalize (object);
}

static void
cab_drug_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ITEM_PROP_DRUG:
      g_value_set_pointer (value, CAB_DRUG_ITEM (object)->drug);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_drug_item_class_init (CabDrugItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_drug_item_finalize;
  object_class->get_property = cab_drug_item_get_property;

  item_properties[ITEM_PROP_DRUG] =
    g_param_spec_pointer ("drug", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
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

/* Takes @drug; "drug" tells the row showing this item to show it. */
static void
cab_drug_item_set_drug (CabDrugItem *self,
                        CabDrug     *drug)
{
  g_clear_pointer (&self->drug, cab_drug_free);
  self->drug = drug;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_DRUG]);
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
  char         *query;          /* what the store was asked for @text */
  char         *answered_text;
  GError       *error;
  GPtrArray    *items;          /* CabDrugItem* */
  GPtrArray    *spare;          /* the items an empty text took out, for the next answer */
  GCancellable *slot;
  guint         clear_id;       /* the list emptied when idle */
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

/* The answer lands in the items already shown, so a list view keeps its
 * rows (GTK 4.8 builds a new row for an item it has not seen, and destroys
 * the rows of the items it loses): a medicine still in the answer keeps
 * its item (its row moves, nothing is laid out again), a new medicine
 * takes the item of one that left (its row shows it when the item says
 * so, "drug"), and only a change of count adds or removes items. One
 * items-changed, over the positions between the unchanged ends. After an
 * empty text, the items it took out are the ones the next answer lands in:
 * a view that kept their rows while the field was empty (the prescription
 * editor) shows it in the same rows. Takes @drugs' elements. */
static void
show_drugs (CabDrugResults *self,
            GPtrArray      *drugs)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->items);
  g_autoptr(GPtrArray) pool = NULL;
  g_autoptr(GHashTable) by_cis = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gboolean *kept = NULL;
  g_autofree CabDrug **left = NULL;
  guint n = drugs != NULL ? drugs->len : 0;
  guint spare = 0, prefix = 0, suffix = 0;

  self->items = g_ptr_array_new_full (n, g_object_unref);
  if (n == 0)
    {
      /* Emptied (an empty text, no match, an error): the items kept for
       * the next answer. */
      if (old->len > 0)
        {
          g_clear_pointer (&self->spare, g_ptr_array_unref);
          self->spare = g_ptr_array_ref (old);
          g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
        }
      return;
    }
  /* What is reused: the items shown, or those the empty text took out. */
  pool = old->len == 0 && self->spare != NULL ? g_steal_pointer (&self->spare) : g_ptr_array_ref (old);
  g_clear_pointer (&self->spare, g_ptr_array_unref);
  kept = g_new0 (gboolean, pool->len + 1);
  for (guint i = 0; i < pool->len; i++)
    {
      CabDrugItem *item = g_ptr_array_index (pool, i);

      g_hash_table_insert (by_cis, item->drug->cis, GUINT_TO_POINTER (i + 1));
    }

  /* The medicines still there first, each in its own item. */
  left = g_new0 (CabDrug *, n + 1);
  g_ptr_array_set_size (self->items, n);
  for (guint i = 0; i < n; i++)
    {
      CabDrug *drug = g_ptr_array_index (drugs, i);
      guint at = GPOINTER_TO_UINT (g_hash_table_lookup (by_cis, drug->cis));

      if (at == 0 || kept[at - 1])
        {
          left[i] = drug;
          continue;
        }
      kept[at - 1] = TRUE;
      g_ptr_array_index (self->items, i) = g_object_ref (g_ptr_array_index (pool, at - 1));
      /* The same medicine (the same texts, which GTK does not lay out
       * again), read again in case a new release changed it. */
      cab_drug_item_set_drug (g_ptr_array_index (self->items, i), drug);
    }

  /* The new ones in the items of those that left, else in new items. */
  for (guint i = 0; i < n; i++)
    {
      CabDrugItem *item = NULL;

      if (left[i] == NULL)
        continue;
      while (spare < pool->len && kept[spare])
        spare++;
      if (spare < pool->len)
        {
          item = g_object_ref (g_ptr_array_index (pool, spare++));
          cab_drug_item_set_drug (item, left[i]);
        }
      else
        item = cab_drug_item_new (left[i]);
      g_ptr_array_index (self->items, i) = item;
    }

  while (prefix < MIN (old->len, n) &&
         g_ptr_array_index (old, prefix) == g_ptr_array_index (self->items, prefix))
    prefix++;
  while (suffix < MIN (old->len, n) - prefix &&
         g_ptr_array_index (old, old->len - 1 - suffix) == g_ptr_array_index (self->items, n - 1 - suffix))
    suffix++;
  if (old->len != prefix + suffix || n != prefix + suffix)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old->len - prefix - suffix,
                                n - prefix - suffix);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabDrugResults) self = cab_model_hold_take (user_data);
  g_autoptr(GPtrArray) drugs = NULL;
  g_autoptr(GError) error = NULL;

  drugs = cab_drug_query_search_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_error (&self->error);
  if (drugs == NULL)
    self->error = g_steal_pointer (&error);
  else
    g_ptr_array_set_free_func (drugs, NULL);
  /* Only the latest query lands (the others were cancelled), and the text
   * may have changed since without changing the query. */
  g_free (self->answered_text);
  self->answered_text = g_strdup (self->text);

  show_drugs (self, drugs);
  self->n_loaded++;
  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0);
}

static gboolean
clear_cb (gpointer data)
{
  CabDrugResults *self = data;

  self->clear_id = 0;
  g_free (self->answered_text);
  self->answered_text = g_strdup (self->text);
  show_drugs (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_search (CabDrugResults *self)
{
  g_autofree char *query = NULL;
  GCancellable *cancellable;

  if (self->text != NULL)
    query = g_strstrip (g_utf8_substring (self->text, 0, MIN (g_utf8_strlen (self->text, -1),
                                                                CAB_DRUG_RESULTS_MAX_TEXT)));

  /* A space typed after a word asks the same: the answer in flight, or
   * the one shown, is already the answer. */
  if (self->store != NULL && query != NULL && *query != '\0' && g_strcmp0 (query, self->query) == 0 &&
      (self->loading || self->error == NULL))
    {
      if (!self->loading)
        {
          g_free (self->answered_text);
          self->answered_text = g_strdup (self->text);
        }
      return;
    }

  g_clear_handle_id (&self->clear_id, g_source_remove);
  g_free (self->query);
  self->query = g_steal_pointer (&query);
  cancellable = cab_query_supersede (&self->slot);
  if (self->store == NULL || self->query == NULL || *self->query == '\0')
    {
      /* Nothing to look for: nothing left running, and the list empty
       * when the main loop turns, before anything else. Not at once: replacing the text (select
       * all, type) empties it first, and the list would lose all its rows
       * to build them again for the next answer. */
      cab_query_cancel (&self->slot);
      g_clear_pointer (&self->query, g_free);
      g_clear_error (&self->error);
      set_loading (self, FALSE);
      self->clear_id = g_idle_add_full (G_PRIORITY_HIGH, clear_cb, self, NULL);
      return;
    }

  set_loading (self, TRUE);
  cab_drug_query_search_async (self->store, self->query, CAB_DRUG_RESULTS_LIMIT, cancellable, search_cb,
                               cab_model_hold_new (self));
}

static void
cab_drug_results_dispose (GObject *object)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  cab_query_cancel (&self->slot);
  g_clear_handle_id (&self->clear_id, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_drug_results_parent_class)->dispose (object);
}

static void
cab_drug_results_finalize (GObject *object)
{
  CabDrugResults *self = CAB_DRUG_RESULTS (object);

  g_free (self->text);
  g_free (self->query);
  g_free (self->answered_text);
  g_clear_error (&self->error);
  g_ptr_array_unref (self->items);
  g_clear_pointer (&self->spare, g_ptr_array_unref);

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
  g_clear_pointer (&self->query, g_free);   /* another store: ask again */
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
