/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-outbox-rows.h"

/* ---------------------------------------------------------------------- */
/* a draft, as an object a list model can hold                            */

struct _CabOutboxDraftItem
{
  GObject             parent_instance;
  CabMailDraftRecord *record;
};

G_DEFINE_FINAL_TYPE (CabOutboxDraftItem, cab_outbox_draft_item, G_TYPE_OBJECT)

static void
cab_outbox_draft_item_finalize (GObject *object)
{
  g_clear_pointer (&CAB_OUTBOX_DRAFT_ITEM (object)->record, cab_mail_draft_record_free);
  G_OBJECT_CLASS (cab_outbox_draft_item_parent_class)->finalize (object);
}

static void
cab_outbox_draft_item_class_init (CabOutboxDraftItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_outbox_draft_item_finalize;
}

static void
cab_outbox_draft_item_init (CabOutboxDraftItem *self)
{
}

const CabMailDraftRecord *
cab_outbox_draft_item_get_record (CabOutboxDraftItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_DRAFT_ITEM (self), NULL);
  return self->record;
}

/* What a draft's row shows: the same, its item (and row) is kept. */
static gboolean
same_draft (const CabMailDraftRecord *a,
            const CabMailDraftRecord *b)
{
  guint n_a = a->to != NULL ? g_strv_length (a->to) : 0;
  guint n_b = b->to != NULL ? g_strv_length (b->to) : 0;

  if (a->id != b->id || a->updated_at != b->updated_at || g_strcmp0 (a->subject, b->subject) != 0 || n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    if (g_strcmp0 (a->to[i], b->to[i]) != 0 ||
        g_strcmp0 (a->to_names != NULL ? a->to_names[i] : "", b->to_names != NULL ? b->to_names[i] : "") != 0)
      return FALSE;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* an entry, as one object for as long as it is listed                    */

struct _CabOutboxEntryItem
{
  GObject        parent_instance;
  CabOutboxItem *item;             /* what its row shows now */
};

G_DEFINE_FINAL_TYPE (CabOutboxEntryItem, cab_outbox_entry_item, G_TYPE_OBJECT)

enum {
  ENTRY_PROP_0,
  ENTRY_PROP_ITEM,
  ENTRY_N_PROPS
};

static GParamSpec *entry_properties[ENTRY_N_PROPS];

static void
cab_outbox_entry_item_finalize (GObject *object)
{
  g_clear_object (&CAB_OUTBOX_ENTRY_ITEM (object)->item);
  G_OBJECT_CLASS (cab_outbox_entry_item_parent_class)->finalize (object);
}

static void
cab_outbox_entry_item_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  switch (prop_id)
    {
    case ENTRY_PROP_ITEM:
      g_value_set_object (value, CAB_OUTBOX_ENTRY_ITEM (object)->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_entry_item_class_init (CabOutboxEntryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cab_outbox_entry_item_finalize;
  object_class->get_property = cab_outbox_entry_item_get_property;

  entry_properties[ENTRY_PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, CAB_TYPE_OUTBOX_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ENTRY_N_PROPS, entry_properties);
}

static void
cab_outbox_entry_item_init (CabOutboxEntryItem *self)
{
}

CabOutboxItem *
cab_outbox_entry_item_get_item (CabOutboxEntryItem *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ENTRY_ITEM (self), NULL);
  return self->item;
}

static CabOutboxEntryItem *
entry_item_new (CabOutboxItem *item)
{
  CabOutboxEntryItem *self = g_object_new (CAB_TYPE_OUTBOX_ENTRY_ITEM, NULL);

  self->item = g_object_ref (item);
  return self;
}

static CabOutboxState
entry_state (CabOutboxEntryItem *entry)
{
  return cab_outbox_item_get_state (entry->item);
}

/* ---------------------------------------------------------------------- */
/* the rows                                                               */

enum {
  GROUP_DRAFTS,
  GROUP_NEEDS,
  GROUP_WAITING,
  GROUP_SENT,
  N_GROUPS
};

struct _CabOutboxRows
{
  GObject     parent_instance;

  GListModel *entries;             /* CabOutboxItem */
  GPtrArray  *drafts;              /* CabOutboxDraftItem */
  GHashTable *shown;               /* entry id -> its CabOutboxEntryItem */
  GPtrArray  *items;               /* what is shown, in order */
  guint       n_pending;           /* entries whose shown item is not the model's */
  guint       counts[CAB_OUTBOX_N_STATES]; /* the shown items' states */
  guint       n_read;              /* shown items with a read receipt */
  gboolean    gradual;
};

enum {
  PROP_0,
  PROP_N_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void cab_outbox_rows_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabOutboxRows, cab_outbox_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_outbox_rows_list_model_init))

static guint
group_of (CabOutboxState state)
{
  switch (state)
    {
    case CAB_OUTBOX_STATE_FAILED:
    case CAB_OUTBOX_STATE_CONFLICT:
      return GROUP_NEEDS;
    case CAB_OUTBOX_STATE_PENDING:
    case CAB_OUTBOX_STATE_SENDING:
    case CAB_OUTBOX_STATE_HELD:
      return GROUP_WAITING;
    case CAB_OUTBOX_STATE_DONE:
    case CAB_OUTBOX_STATE_CANCELLED:
    case CAB_OUTBOX_N_STATES:
    default:
      return GROUP_SENT;
    }
}

/* The group of a listed object: a draft's, else its entry's shown item's. */
static guint
group_of_item (gpointer item)
{
  if (CAB_IS_OUTBOX_DRAFT_ITEM (item))
    return GROUP_DRAFTS;
  return group_of (entry_state (item));
}

/* The rows as they should be now: the drafts, then each entry's object
 * in the group of its shown item, in the model's order. */
static GPtrArray *
layout (CabOutboxRows *self)
{
  GPtrArray *groups[N_GROUPS];
  GPtrArray *items = g_ptr_array_new ();
  guint n_entries = self->entries != NULL ? g_list_model_get_n_items (self->entries) : 0;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint g = 0; g < N_GROUPS; g++)
    groups[g] = g_ptr_array_new ();
  for (guint i = 0; i < self->drafts->len; i++)
    g_ptr_array_add (groups[GROUP_DRAFTS], self->drafts->pdata[i]);
  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(CabOutboxItem) item = g_list_model_get_item (self->entries, i);
      gint64 id = cab_outbox_item_get_id (item);
      CabOutboxEntryItem *shown = g_hash_table_lookup (self->shown, &id);

      /* The model reads each state apart: an entry that moved between
       * two of them may come twice; it shows once. */
      if (shown != NULL && g_hash_table_add (seen, shown))
        g_ptr_array_add (groups[group_of (entry_state (shown))], shown);
    }
  for (guint g = 0; g < N_GROUPS; g++)
    {
      g_ptr_array_extend (items, groups[g], NULL, NULL);
      g_ptr_array_unref (groups[g]);
    }
  return items;
}

/* Marks in @keep the longest run of @pos (the target positions of the
 * rows, in their current order) that is already in order: those rows stay
 * where they are, the others move (patience sorting, n log n). */
static void
in_order (const guint *pos,
          guint        n,
          gboolean    *keep)
{
  g_autofree guint *tails = g_new (guint, n + 1);   /* index in @pos ending a run of each length */
  g_autofree guint *prev = g_new (guint, n);
  guint len = 0;

  for (guint i = 0; i < n; i++)
    {
      guint lo = 0, hi = len;

      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;

          if (pos[tails[mid]] < pos[i])
            lo = mid + 1;
          else
            hi = mid;
        }
      prev[i] = lo > 0 ? tails[lo - 1] : G_MAXUINT;
      tails[lo] = i;
      if (lo == len)
        len++;
    }
  for (guint i = len > 0 ? tails[len - 1] : G_MAXUINT; i != G_MAXUINT; i = prev[i])
    keep[i] = TRUE;
}

/* Turns the rows into @target one object at a time, so a view builds rows
 * only for the objects new to it: first the objects gone leave, then the
 * objects out of order leave (the fewest: those not in the longest run
 * already in order), then the new and the moved ones come in. An entry
 * that changes group during a drain moves alone, not every row between
 * its old and new place: each move is a row the list box takes out and
 * measures again (docs/architecture.md, "The Outbox page while it
 * drains"). */
static void
apply (CabOutboxRows *self,
       GPtrArray     *target)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (NULL, NULL);
  g_autofree guint *pos = NULL;
  g_autofree gboolean *keep = NULL;

  /* A first fill in one go: nothing to keep. */
  if (self->items->len == 0)
    {
      for (guint i = 0; i < target->len; i++)
        g_ptr_array_add (self->items, g_object_ref (target->pdata[i]));
      if (target->len > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, target->len);
      return;
    }

  for (guint i = 0; i < target->len; i++)
    g_hash_table_insert (wanted, target->pdata[i], GUINT_TO_POINTER (i + 1));
  for (guint i = self->items->len; i-- > 0;)
    if (!g_hash_table_contains (wanted, self->items->pdata[i]))
      {
        g_ptr_array_remove_index (self->items, i);
        g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
      }

  pos = g_new (guint, self->items->len + 1);
  keep = g_new0 (gboolean, self->items->len + 1);
  for (guint i = 0; i < self->items->len; i++)
    pos[i] = GPOINTER_TO_UINT (g_hash_table_lookup (wanted, self->items->pdata[i]));
  in_order (pos, self->items->len, keep);
  for (guint i = self->items->len; i-- > 0;)
    if (!keep[i])
      {
        g_ptr_array_remove_index (self->items, i);
        g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
      }

  /* What is left is in @target's order: insert the rest in place. */
  for (guint i = 0; i < target->len; i++)
    {
      if (i < self->items->len && self->items->pdata[i] == target->pdata[i])
        continue;
      g_ptr_array_insert (self->items, i, g_object_ref (target->pdata[i]));
      g_list_model_items_changed (G_LIST_MODEL (self), i, 0, 1);
    }
  g_assert (self->items->len == target->len);
}

/* The counts follow the items shown, changed where an entry's shown item
 * is: @sign +1 for an item that comes, -1 for one that goes. */
static void
count_item (CabOutboxRows *self,
            CabOutboxItem *item,
            int            sign)
{
  self->counts[cab_outbox_item_get_state (item)] += sign;
  if (cab_outbox_item_get_read_at (item) > 0)
    self->n_read += sign;
}

static void
set_n_pending (CabOutboxRows *self,
               guint          n_pending)
{
  if (self->n_pending == n_pending)
    return;
  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

/* Shows the model's item of up to @max entries not shown as the model
 * says (G_MAXUINT: all), in the model's order; entries gone leave at once
 * (no row to build). An entry already listed keeps its object, given the
 * new item: its row updates in place ("notify::item", once the object is
 * where its group says). */
static void
catch_up (CabOutboxRows *self,
          guint          max)
{
  guint n_entries = self->entries != NULL ? g_list_model_get_n_items (self->entries) : 0;
  g_autoptr(GHashTable) alive = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) target = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint n_pending = 0;

  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(CabOutboxItem) item = g_list_model_get_item (self->entries, i);
      gint64 id = cab_outbox_item_get_id (item);
      CabOutboxEntryItem *shown = g_hash_table_lookup (self->shown, &id);

      if (shown != NULL && shown->item == item)
        ;
      else if (max > 0 && shown != NULL)
        {
          count_item (self, shown->item, -1);
          count_item (self, item, +1);
          g_set_object (&shown->item, item);
          g_ptr_array_add (updated, g_object_ref (shown));
          max--;
        }
      else if (max > 0)
        {
          gint64 *k = g_new (gint64, 1);

          *k = id;
          g_hash_table_replace (self->shown, k, entry_item_new (item));
          count_item (self, item, +1);
          max--;
        }
      else
        n_pending++;
      if (g_hash_table_lookup_extended (self->shown, &id, &key, NULL))
        g_hash_table_add (alive, key);
    }
  g_hash_table_iter_init (&iter, self->shown);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (alive, key))
      {
        count_item (self, ((CabOutboxEntryItem *) value)->item, -1);
        g_hash_table_iter_remove (&iter);
      }

  target = layout (self);
  apply (self, target);
  for (guint i = 0; i < updated->len; i++)
    g_object_notify_by_pspec (updated->pdata[i], entry_properties[ENTRY_PROP_ITEM]);
  set_n_pending (self, n_pending);
}

/* The entries whose rows are not as the model says: shown with another
 * item, not shown yet, or shown and gone from the model. */
static guint
count_pending (CabOutboxRows *self)
{
  guint n_entries = g_list_model_get_n_items (self->entries);
  g_autoptr(GHashTable) alive = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint n_pending = 0;

  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(CabOutboxItem) item = g_list_model_get_item (self->entries, i);
      gint64 id = cab_outbox_item_get_id (item);
      gpointer key;
      CabOutboxEntryItem *shown;

      if (!g_hash_table_lookup_extended (self->shown, &id, &key, (gpointer *) &shown))
        n_pending++;
      else if (g_hash_table_add (alive, key) && shown->item != item)
        n_pending++;
    }
  return n_pending + g_hash_table_size (self->shown) - g_hash_table_size (alive);
}

static void
entries_changed_cb (GListModel    *entries,
                    guint          position,
                    guint          removed,
                    guint          added,
                    CabOutboxRows *self)
{
  /* Gradually, once rows are shown: nothing changes now, the steps show
   * the changes, rows gone included (a row removed is a layout and the
   * rows after it repainted: in a step, with the others). */
  if (self->gradual && self->items->len > 0)
    set_n_pending (self, count_pending (self));
  else
    catch_up (self, G_MAXUINT);
}

/* ---------------------------------------------------------------------- */
/* GListModel                                                             */

static GType
cab_outbox_rows_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
cab_outbox_rows_get_n_items (GListModel *model)
{
  return CAB_OUTBOX_ROWS (model)->items->len;
}

static gpointer
cab_outbox_rows_get_item (GListModel *model,
                          guint       position)
{
  CabOutboxRows *self = CAB_OUTBOX_ROWS (model);

  return position < self->items->len ? g_object_ref (self->items->pdata[position]) : NULL;
}

static void
cab_outbox_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_outbox_rows_get_item_type;
  iface->get_n_items = cab_outbox_rows_get_n_items;
  iface->get_item = cab_outbox_rows_get_item;
}

static void
cab_outbox_rows_dispose (GObject *object)
{
  CabOutboxRows *self = CAB_OUTBOX_ROWS (object);

  cab_outbox_rows_set_entries (self, NULL);
  G_OBJECT_CLASS (cab_outbox_rows_parent_class)->dispose (object);
}

static void
cab_outbox_rows_finalize (GObject *object)
{
  CabOutboxRows *self = CAB_OUTBOX_ROWS (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  G_OBJECT_CLASS (cab_outbox_rows_parent_class)->finalize (object);
}

static void
cab_outbox_rows_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, CAB_OUTBOX_ROWS (object)->n_pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_rows_class_init (CabOutboxRowsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_outbox_rows_dispose;
  object_class->finalize = cab_outbox_rows_finalize;
  object_class->get_property = cab_outbox_rows_get_property;

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cab_outbox_rows_init (CabOutboxRows *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->shown = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->drafts = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabOutboxRows *
cab_outbox_rows_new (void)
{
  return g_object_new (CAB_TYPE_OUTBOX_ROWS, NULL);
}

void
cab_outbox_rows_set_entries (CabOutboxRows *self,
                             GListModel    *entries)
{
  g_return_if_fail (CAB_IS_OUTBOX_ROWS (self));
  g_return_if_fail (entries == NULL || G_IS_LIST_MODEL (entries));

  if (self->entries == entries)
    return;
  if (self->entries != NULL)
    g_signal_handlers_disconnect_by_func (self->entries, entries_changed_cb, self);
  g_set_object (&self->entries, entries);
  if (entries != NULL)
    g_signal_connect_object (entries, "items-changed", G_CALLBACK (entries_changed_cb), self, 0);
  catch_up (self, G_MAXUINT);
}

void
cab_outbox_rows_set_drafts (CabOutboxRows *self,
                            GPtrArray     *drafts)
{
  g_autoptr(GPtrArray) old = NULL;
  gboolean same;

  g_return_if_fail (CAB_IS_OUTBOX_ROWS (self));
  g_return_if_fail (drafts != NULL);

  old = g_steal_pointer (&self->drafts);
  self->drafts = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < drafts->len; i++)
    {
      const CabMailDraftRecord *record = drafts->pdata[i];
      CabOutboxDraftItem *item = NULL;

      for (guint j = 0; j < old->len && item == NULL; j++)
        if (same_draft (((CabOutboxDraftItem *) old->pdata[j])->record, record))
          item = g_object_ref (old->pdata[j]);
      if (item == NULL)
        {
          item = g_object_new (CAB_TYPE_OUTBOX_DRAFT_ITEM, NULL);
          item->record = cab_mail_draft_record_copy (record);
        }
      g_ptr_array_add (self->drafts, item);
    }
  /* The page reads the drafts again at each load of the outbox model
   * (about twice a second while it drains): the same drafts change
   * nothing, where catch_up () walks every entry and would take the rows
   * of entries gone out between two steps (docs/architecture.md, "The
   * Outbox page while it drains"). */
  same = self->drafts->len == old->len;
  for (guint i = 0; i < self->drafts->len && same; i++)
    same = self->drafts->pdata[i] == old->pdata[i];
  if (same)
    return;
  /* Drafts are few: shown at once. */
  catch_up (self, 0);
}

const CabMailDraftRecord *
cab_outbox_rows_get_draft (CabOutboxRows *self,
                           guint          index)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ROWS (self), NULL);

  return index < self->drafts->len ? ((CabOutboxDraftItem *) self->drafts->pdata[index])->record : NULL;
}

void
cab_outbox_rows_set_gradual (CabOutboxRows *self,
                             gboolean       gradual)
{
  g_return_if_fail (CAB_IS_OUTBOX_ROWS (self));

  self->gradual = gradual;
  if (!gradual && self->n_pending > 0)
    catch_up (self, G_MAXUINT);
}

guint
cab_outbox_rows_get_n_pending (CabOutboxRows *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ROWS (self), 0);
  return self->n_pending;
}

void
cab_outbox_rows_step (CabOutboxRows *self,
                      guint          max)
{
  g_return_if_fail (CAB_IS_OUTBOX_ROWS (self));

  if (self->n_pending > 0)
    catch_up (self, max);
}

guint
cab_outbox_rows_count (CabOutboxRows  *self,
                       CabOutboxState  state)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ROWS (self), 0);
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, 0);
  return self->counts[state];
}

guint
cab_outbox_rows_get_n_read (CabOutboxRows *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ROWS (self), 0);
  return self->n_read;
}

const char *
cab_outbox_rows_get_heading (CabOutboxRows *self,
                             guint          position)
{
  static const char *headings[N_GROUPS] = {
    [GROUP_DRAFTS]  = N_("Drafts"),
    [GROUP_NEEDS]   = N_("Needs You"),
    [GROUP_WAITING] = N_("Waiting to Be Sent"),
    [GROUP_SENT]    = N_("Recently Sent"),
  };
  guint group;

  g_return_val_if_fail (CAB_IS_OUTBOX_ROWS (self), NULL);

  if (position >= self->items->len)
    return NULL;
  group = group_of_item (self->items->pdata[position]);
  if (position > 0 && group_of_item (self->items->pdata[position - 1]) == group)
    return NULL;
  return _(headings[group]);
}
