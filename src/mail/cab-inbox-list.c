/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "config.h"

#include "cab-inbox-list.h"
#include "cab-inbox-list-private.h"
#include "cab-mail-enums.h"
#include "cab-model-items.h"
#include "cab-query.h"

/* The first answer to a new input holds the newest messages only, so the
 * list draws them at once; the rest follows in a second query
 * (docs/architecture.md, "The Inbox page"). A screenful (a row is about
 * 63 px; 20 fill a 1,200 px list): in GTK 4.8 the list view makes a row
 * for every item up to 200, so each one of the first page is a row built
 * before the first frame (40 cost about twice the time to that frame). */
#define FIRST_PAGE 20

struct _CabInboxList
{
  GObject         parent_instance;

  CabStore       *store;
  CabInboxFilter  filter;
  char           *assignee;
  char           *text;

  GPtrArray      *items;       /* CabInboxItem* */
  GCancellable   *query;       /* the running query's slot: every input feeds the one query */
  GPtrArray      *waiters;
  gboolean        loading;
  GError         *error;
  guint           n_to_triage;
  guint           n_unread;
  guint           n_total;
  guint           n_loads;
  gboolean        partial;     /* the items are the first page of the answer */
  gboolean        complete;    /* the items are the whole answer to the current input */
  guint           rest_source; /* the whole list's query, once the first page is drawn */
  CabInboxListFunc before_apply;  /* tests */
  gpointer        before_apply_data;
};

static void cab_inbox_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabInboxList, cab_inbox_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_inbox_list_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_FILTER,
  PROP_ASSIGNEE,
  PROP_TEXT,
  PROP_LOADING,
  PROP_N_TO_TRIAGE,
  PROP_N_UNREAD,
  PROP_N_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_loading (CabInboxList *self,
             gboolean      loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_count (CabInboxList *self,
           guint        *field,
           guint         value,
           int           prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static const char *
item_key (gpointer item)
{
  return cab_inbox_item_get_key (item);
}

/* The same row to the eye: what the list shows of a message. */
static gboolean
same_item (gpointer shown,
           gpointer fresh)
{
  return cab_inbox_item_get_id (shown) == cab_inbox_item_get_id (fresh) &&
         g_strcmp0 (cab_inbox_item_get_status (shown), cab_inbox_item_get_status (fresh)) == 0 &&
         cab_inbox_item_get_match_state (shown) == cab_inbox_item_get_match_state (fresh) &&
         cab_inbox_item_get_match_reason (shown) == cab_inbox_item_get_match_reason (fresh) &&
         g_strcmp0 (cab_inbox_item_get_patient_id (shown), cab_inbox_item_get_patient_id (fresh)) == 0 &&
         cab_inbox_item_get_unread (shown) == cab_inbox_item_get_unread (fresh) &&
         g_strcmp0 (cab_inbox_item_get_assignee (shown), cab_inbox_item_get_assignee (fresh)) == 0 &&
         g_strcmp0 (cab_inbox_item_get_assignee_display (shown), cab_inbox_item_get_assignee_display (fresh)) == 0 &&
         cab_inbox_item_get_has_problem (shown) == cab_inbox_item_get_has_problem (fresh) &&
         g_strcmp0 (cab_inbox_item_get_date_text (shown), cab_inbox_item_get_date_text (fresh)) == 0;
}

static void
release_items_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  g_ptr_array_unref (task_data);
}

/* Letting go of a whole answer (10,000 items when a filter changes) is
 * thousands of frees: done on a worker, not in the frame the new list is
 * drawn in. The rows' own references keep the items they show alive. */
static void
release_items (GPtrArray *items)
{
  g_autoptr(GTask) task = NULL;

  if (items->len < 500)
    {
      g_ptr_array_unref (items);
      return;
    }
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, release_items);
  g_task_set_task_data (task, items, NULL);
  g_task_run_in_thread (task, release_items_thread);
}

/* An answer replaces the list with the fewest changes: the messages kept
 * at both ends stay the same objects (the list view keeps their rows) and
 * only the middle is replaced, reusing the objects of messages shown as
 * they were. A sync's new mail is then one insertion at the top, not a new
 * list of 10,000 rows that the list view would build again.
 *
 * Works on arrays only, on a worker (against the list as it was when the
 * query started) or, when that list changed since, on the main thread.
 * Returns the list to show (@fresh's messages, some of them the shown
 * objects) and the change in *@position, *@removed, *@added; NULL when the
 * answer is the list shown. @fresh is left as it is. */
static GPtrArray *
plan_answer (GPtrArray *shown,
             GPtrArray *fresh,
             guint     *position,
             guint     *removed,
             guint     *added)
{
  GPtrArray *items;
  g_autoptr(GHashTable) by_key = NULL;
  guint n_old = shown->len, n_new = fresh->len, prefix = 0, suffix = 0;

  while (prefix < n_old && prefix < n_new &&
         same_item (g_ptr_array_index (shown, prefix), g_ptr_array_index (fresh, prefix)))
    prefix++;
  if (prefix == n_old && prefix == n_new)
    return NULL;
  while (suffix < n_old - prefix && suffix < n_new - prefix &&
         same_item (g_ptr_array_index (shown, n_old - 1 - suffix), g_ptr_array_index (fresh, n_new - 1 - suffix)))
    suffix++;

  items = g_ptr_array_new_full (n_new, g_object_unref);
  by_key = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = prefix; i < n_old - suffix; i++)
    {
      const char *key = item_key (g_ptr_array_index (shown, i));

      if (key != NULL)
        g_hash_table_replace (by_key, (gpointer) key, g_ptr_array_index (shown, i));
    }
  for (guint i = 0; i < n_new; i++)
    {
      gpointer item = g_ptr_array_index (fresh, i);
      gpointer old = NULL;

      if (i < prefix)
        old = g_ptr_array_index (shown, i);
      else if (i >= n_new - suffix)
        old = g_ptr_array_index (shown, n_old - (n_new - i));
      else if (item_key (item) != NULL)
        {
          old = g_hash_table_lookup (by_key, item_key (item));
          if (old != NULL && !same_item (old, item))
            old = NULL;
          if (old != NULL)
            g_hash_table_remove (by_key, item_key (item));
        }
      g_ptr_array_add (items, g_object_ref (old != NULL ? old : item));
    }
  *position = prefix;
  *removed = n_old - prefix - suffix;
  *added = n_new - prefix - suffix;
  return items;
}

/* The list is only ever replaced, never changed in place: a query's
 * worker reads the array it was given while the main thread goes on. */
static void
show_items (CabInboxList *self,
            GPtrArray    *items,
            guint         position,
            guint         removed,
            guint         added)
{
  GPtrArray *shown = self->items;

  self->items = items;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  release_items (shown);
}

/* Nothing changed (a sync round that brought nothing for this list):
 * the answer goes, the list stays. The fresh objects a shown one replaces
 * were built on a worker and never shown: they are freed on one too
 * (10,000 finalizations are a frame's worth of the main thread). */
static void
apply_answer (CabInboxList *self,
              GPtrArray    *fresh)
{
  guint position = 0, removed = 0, added = 0;
  GPtrArray *items = plan_answer (self->items, fresh, &position, &removed, &added);

  if (items != NULL)
    show_items (self, items, position, removed, added);
  release_items (fresh);
}

/* ------------------------------------------------------------ the query */

/* The diff of an answer against the list shown is 10,000 comparisons, a
 * third of a sync's frame: it is made on the query's worker against the
 * list as it was when the query started, and the main thread only checks
 * that list is still the one shown and no shown item changed since
 * (docs/architecture.md, "The Inbox page"). */
typedef struct
{
  CabInboxFilter   filter;
  char            *assignee;
  char            *text;
  guint            limit;
  GPtrArray       *shown;     /* the list when the query started, read only */
  guint            stamp;     /* cab_inbox_item_get_n_changes () then */
} ListJob;

typedef struct
{
  CabInboxListing *listing;   /* its items: the answer as read */
  GPtrArray       *shown;
  guint            stamp;
  GPtrArray       *items;     /* NULL: the answer is @shown */
  guint            position;
  guint            removed;
  guint            added;
} Answer;

static void
list_job_free (ListJob *job)
{
  g_free (job->assignee);
  g_free (job->text);
  if (job->shown != NULL)
    release_items (job->shown);
  g_free (job);
}

static void
answer_free (Answer *answer)
{
  if (answer->listing->items != NULL)
    release_items (g_steal_pointer (&answer->listing->items));
  cab_inbox_listing_free (answer->listing);
  if (answer->items != NULL)
    release_items (answer->items);
  release_items (answer->shown);
  g_free (answer);
}

static void
list_job_run (GTask *task, CabStore *store, gpointer task_data, GCancellable *cancellable)
{
  ListJob *job = task_data;
  CabInboxQuery query = { job->filter, job->assignee, job->text, job->limit };
  GError *error = NULL;
  CabInboxListing *listing = cab_inbox_store_list (store, &query, &error);
  Answer *answer;

  if (listing == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  answer = g_new0 (Answer, 1);
  answer->listing = listing;
  answer->shown = g_steal_pointer (&job->shown);
  answer->stamp = job->stamp;
  answer->items = plan_answer (answer->shown, listing->items,
                               &answer->position, &answer->removed, &answer->added);
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

static void
settle (CabInboxList *self)
{
  self->n_loads++;
  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0);
  cab_model_waiters_complete (&self->waiters, self->error);
}

static void start_full_query (CabInboxList *self);

static gboolean
rest_idle_cb (gpointer data)
{
  CabInboxList *self = data;

  self->rest_source = 0;
  start_full_query (self);
  return G_SOURCE_REMOVE;
}

static void
query_done (GAsyncResult *res,
            gpointer      hold,
            gboolean      first_page)
{
  g_autoptr(CabInboxList) self = cab_model_hold_take (hold);
  g_autoptr(GError) error = NULL;
  Answer *answer = cab_query_finish_pointer (res, list_job_run, &error);
  CabInboxListing *listing = answer != NULL ? answer->listing : NULL;

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&answer, answer_free);
      return;
    }

  g_clear_object (&self->query);
  g_clear_error (&self->error);
  if (listing == NULL)
    {
      /* SQLite's words only: no message content in them. */
      g_debug ("Cannot list the inbox: %s", error->message);
      cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_ptr_array_new_with_free_func (g_object_unref));
      self->error = g_steal_pointer (&error);
      self->partial = FALSE;
      self->complete = FALSE;
      settle (self);
      return;
    }
  /* A full first page comes without the counts; the rest brings them. */
  if (listing->counted)
    {
      set_count (self, &self->n_to_triage, listing->n_to_triage, PROP_N_TO_TRIAGE);
      set_count (self, &self->n_unread, listing->n_unread, PROP_N_UNREAD);
      set_count (self, &self->n_total, listing->n_total, PROP_N_TOTAL);
    }
  if (self->before_apply != NULL)
    self->before_apply (self, self->before_apply_data);
  if (answer->shown == self->items && answer->stamp == cab_inbox_item_get_n_changes ())
    {
      if (answer->items != NULL)
        show_items (self, g_steal_pointer (&answer->items), answer->position, answer->removed, answer->added);
    }
  else
    apply_answer (self, g_steal_pointer (&listing->items));
  g_clear_pointer (&answer, answer_free);
  if (first_page && self->items->len >= FIRST_PAGE)
    {
      /* More may follow: still loading. The rest is asked for once the
       * main loop has nothing more urgent (the first page's layout and
       * frame), so reading 10,000 rows does not take a core from them. */
      self->partial = TRUE;
      g_clear_handle_id (&self->rest_source, g_source_remove);
      self->rest_source = g_idle_add_full (G_PRIORITY_LOW, rest_idle_cb, self, NULL);
      return;
    }
  self->partial = FALSE;
  self->complete = TRUE;
  settle (self);
}

static void
first_page_done_cb (GObject *object, GAsyncResult *res, gpointer hold)
{
  query_done (res, hold, TRUE);
}

static void
full_done_cb (GObject *object, GAsyncResult *res, gpointer hold)
{
  query_done (res, hold, FALSE);
}

static void
run_query (CabInboxList *self,
           guint         limit)
{
  ListJob *job = g_new0 (ListJob, 1);

  job->filter = self->filter;
  job->assignee = g_strdup (self->assignee);
  job->text = g_strdup (self->text);
  job->limit = limit;
  job->shown = g_ptr_array_ref (self->items);
  job->stamp = cab_inbox_item_get_n_changes ();
  /* A new input supersedes the rest of the previous one. */
  g_clear_handle_id (&self->rest_source, g_source_remove);
  set_loading (self, TRUE);
  cab_query_start (self->store, list_job_run, job, (GDestroyNotify) list_job_free, list_job_run,
                   cab_query_supersede (&self->query),
                   limit > 0 ? first_page_done_cb : full_done_cb, cab_model_hold_new (self));
}

static void
start_full_query (CabInboxList *self)
{
  run_query (self, 0);
}

static void
start_query (CabInboxList *self)
{
  self->complete = FALSE;
  if (self->store == NULL)
    {
      g_clear_handle_id (&self->rest_source, g_source_remove);
      cab_query_cancel (&self->query);
      cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_ptr_array_new_with_free_func (g_object_unref));
      g_clear_error (&self->error);
      set_count (self, &self->n_to_triage, 0, PROP_N_TO_TRIAGE);
      set_count (self, &self->n_unread, 0, PROP_N_UNREAD);
      set_count (self, &self->n_total, 0, PROP_N_TOTAL);
      self->partial = FALSE;
      settle (self);
      return;
    }
  run_query (self, FIRST_PAGE);
}

/* ------------------------------------------------------------ list model */

static GType
cab_inbox_list_get_item_type (GListModel *model)
{
  return CAB_TYPE_INBOX_ITEM;
}

static guint
cab_inbox_list_get_n_items (GListModel *model)
{
  return CAB_INBOX_LIST (model)->items->len;
}

static gpointer
cab_inbox_list_get_item (GListModel *model,
                         guint       position)
{
  CabInboxList *self = CAB_INBOX_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cab_inbox_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_inbox_list_get_item_type;
  iface->get_n_items = cab_inbox_list_get_n_items;
  iface->get_item = cab_inbox_list_get_item;
}

/* --------------------------------------------------------------- GObject */

static void
cab_inbox_list_dispose (GObject *object)
{
  CabInboxList *self = CAB_INBOX_LIST (object);

  g_clear_handle_id (&self->rest_source, g_source_remove);
  cab_query_cancel (&self->query);
  cab_model_waiters_cancel (&self->waiters, "The inbox list was disposed");
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_inbox_list_parent_class)->dispose (object);
}

static void
cab_inbox_list_finalize (GObject *object)
{
  CabInboxList *self = CAB_INBOX_LIST (object);

  g_free (self->assignee);
  g_free (self->text);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cab_inbox_list_parent_class)->finalize (object);
}

static void
cab_inbox_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CabInboxList *self = CAB_INBOX_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_FILTER:
      g_value_set_enum (value, self->filter);
      break;
    case PROP_ASSIGNEE:
      g_value_set_string (value, self->assignee);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_N_TO_TRIAGE:
      g_value_set_uint (value, self->n_to_triage);
      break;
    case PROP_N_UNREAD:
      g_value_set_uint (value, self->n_unread);
      break;
    case PROP_N_TOTAL:
      g_value_set_uint (value, self->n_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CabInboxList *self = CAB_INBOX_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_inbox_list_set_store (self, g_value_get_object (value));
      break;
    case PROP_FILTER:
      cab_inbox_list_set_filter (self, g_value_get_enum (value));
      break;
    case PROP_ASSIGNEE:
      cab_inbox_list_set_assignee (self, g_value_get_string (value));
      break;
    case PROP_TEXT:
      cab_inbox_list_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_list_class_init (CabInboxListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_inbox_list_dispose;
  object_class->finalize = cab_inbox_list_finalize;
  object_class->get_property = cab_inbox_list_get_property;
  object_class->set_property = cab_inbox_list_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE, rw);
  properties[PROP_FILTER] = g_param_spec_enum ("filter", NULL, NULL, CAB_TYPE_INBOX_FILTER,
                                               CAB_INBOX_FILTER_TO_TRIAGE, rw);
  properties[PROP_ASSIGNEE] = g_param_spec_string ("assignee", NULL, NULL, NULL, rw);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, rw);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_N_TO_TRIAGE] = g_param_spec_uint ("n-to-triage", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_UNREAD] = g_param_spec_uint ("n-unread", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_TOTAL] = g_param_spec_uint ("n-total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_inbox_list_init (CabInboxList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->filter = CAB_INBOX_FILTER_TO_TRIAGE;
}

/* ------------------------------------------------------------ public API */

CabInboxList *
cab_inbox_list_new (CabStore *store)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);

  return g_object_new (CAB_TYPE_INBOX_LIST, "store", store, NULL);
}

CabStore *
cab_inbox_list_get_store (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), NULL);
  return self->store;
}

void
cab_inbox_list_set_store (CabInboxList *self,
                          CabStore     *store)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  start_query (self);
}

CabInboxFilter
cab_inbox_list_get_filter (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), CAB_INBOX_FILTER_ALL);
  return self->filter;
}

void
cab_inbox_list_set_filter (CabInboxList   *self,
                           CabInboxFilter  filter)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  if (self->filter == filter)
    return;
  self->filter = filter;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
  start_query (self);
}

const char *
cab_inbox_list_get_assignee (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), NULL);
  return self->assignee;
}

void
cab_inbox_list_set_assignee (CabInboxList *self,
                             const char   *assignee)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  if (!cab_model_set_text_input (&self->assignee, assignee))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSIGNEE]);
  if (self->filter == CAB_INBOX_FILTER_ASSIGNED_TO_ME)
    start_query (self);
}

const char *
cab_inbox_list_get_text (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), NULL);
  return self->text;
}

void
cab_inbox_list_set_text (CabInboxList *self,
                         const char   *text)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  if (!cab_model_set_text_input (&self->text, text))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  start_query (self);
}

void
cab_inbox_list_reload (CabInboxList *self)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  /* The same input read again (a sync's batch, a triage): the whole list
   * at once, applied as its differences, rather than a first page that
   * would drop every row after it for a moment. */
  if (self->complete && self->store != NULL)
    run_query (self, 0);
  else
    start_query (self);
}

gboolean
cab_inbox_list_get_loading (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), FALSE);
  return self->loading;
}

const GError *
cab_inbox_list_get_error (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), NULL);
  return self->error;
}

guint
cab_inbox_list_get_n_to_triage (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), 0);
  return self->n_to_triage;
}

guint
cab_inbox_list_get_n_unread (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), 0);
  return self->n_unread;
}

guint
cab_inbox_list_get_n_total (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), 0);
  return self->n_total;
}

guint
cab_inbox_list_get_n_loads (CabInboxList *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), 0);
  return self->n_loads;
}

guint
cab_inbox_list_find (CabInboxList *self,
                     gint64        id)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), G_MAXUINT);

  for (guint i = 0; i < self->items->len; i++)
    if (cab_inbox_item_get_id (g_ptr_array_index (self->items, i)) == id)
      return i;
  return G_MAXUINT;
}

void
cab_inbox_list_wait_async (CabInboxList        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  cab_model_waiters_wait (&self->waiters, self, self->loading, self->error, cab_inbox_list_wait_async,
                          cancellable, callback, user_data);
}

gboolean
cab_inbox_list_wait_finish (CabInboxList  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CAB_IS_INBOX_LIST (self), FALSE);

  return cab_model_waiters_finish (self, result, cab_inbox_list_wait_async, error);
}

void
cab_inbox_list_set_before_apply (CabInboxList     *self,
                                 CabInboxListFunc  func,
                                 gpointer          data)
{
  g_return_if_fail (CAB_IS_INBOX_LIST (self));

  self->before_apply = func;
  self->before_apply_data = data;
}
