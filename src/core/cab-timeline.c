/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-date-format.h"
#include "cab-model-items.h"
#include "cab-query.h"
#include "cab-store-outbox.h"
#include "cab-timeline.h"

struct _CabTimeline
{
  GObject        parent_instance;

  /* Inputs */
  CabStore      *store;
  char          *patient_id;
  GDateTime     *opened_at;
  CabKindFilter  kind;
  char          *date_from;
  char          *date_to;
  char          *text;
  gboolean       include_kos;
  gboolean       sections;

  /* Output */
  GPtrArray     *items;        /* CabTimelineItem*, headers included */
  guint          n_documents;
  GError        *error;
  gboolean       loading;

  GCancellable  *query;        /* the running query's slot (cab_query_supersede) */
  GPtrArray     *waiters;      /* GTask* of cab_timeline_wait_async */
};

static void cab_timeline_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabTimeline, cab_timeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_timeline_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_PATIENT_ID,
  PROP_OPENED_AT,
  PROP_KIND_FILTER,
  PROP_DATE_FROM,
  PROP_DATE_TO,
  PROP_TEXT,
  PROP_INCLUDE_KOS,
  PROP_SECTIONS,
  PROP_LOADING,
  PROP_N_DOCUMENTS,
  PROP_ERROR,
  N_PROPS
};

enum {
  LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Query on core's reader pool                                          */
/* ------------------------------------------------------------------ */

/* A copy of the inputs: the model may change while the query runs. */
typedef struct
{
  char          *patient_id;
  GDateTime     *opened_at;
  CabKindFilter  kind;
  char          *date_from;
  char          *date_to;
  char          *text;
  gboolean       include_kos;
  gboolean       sections;
} TimelineQuery;

typedef struct
{
  GPtrArray *items;
  guint      n_documents;
} TimelineResult;

static void
timeline_query_free (TimelineQuery *query)
{
  g_free (query->patient_id);
  g_clear_pointer (&query->opened_at, g_date_time_unref);
  g_free (query->date_from);
  g_free (query->date_to);
  g_free (query->text);
  g_free (query);
}

static void
timeline_result_free (TimelineResult *result)
{
  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_free (result);
}

/* "YYYY-MM-DD" as YYYYMMDD, or 0 when absent or not a full day. */
static int
day_key (const char *date)
{
  CabDay day;

  if (date == NULL || strlen (date) != 10 ||
      !cab_date_parse_day (date, NULL, &day) || day.month == 0 || day.day == 0)
    return 0;
  return day.year * 10000 + day.month * 100 + day.day;
}

/* @date ("YYYY-MM-DD") moved by @days, or NULL when it is not a full day. */
static char *
shift_day (const char *date,
           int         days)
{
  int key = day_key (date);
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) shifted = NULL;

  if (key == 0)
    return NULL;
  when = g_date_time_new_utc (key / 10000, key / 100 % 100, key % 100, 0, 0, 0);
  if (when == NULL)
    return NULL;
  shifted = g_date_time_add_days (when, days);
  return g_date_time_format (shifted, "%Y-%m-%d");
}

/* The bounds apply to the local day the entry shows; a partial or
 * unreadable date keeps the stored text's comparison, as SQL made it. */
static gboolean
in_date_range (CabTimelineItem     *item,
               const CabDocumentRow *row,
               const TimelineQuery *query,
               int                  from_day,
               int                  to_day)
{
  CabDay day;
  const char *date = row->sort_date != NULL ? row->sort_date : "";

  if (from_day == 0 && to_day == 0)
    return TRUE;

  if (cab_timeline_item_get_day (item, &day) && day.month != 0 && day.day != 0)
    {
      int key = day.year * 10000 + day.month * 100 + day.day;

      return (from_day == 0 || key >= from_day) && (to_day == 0 || key <= to_day);
    }

  return (query->date_from == NULL || strcmp (date, query->date_from) >= 0) &&
         (query->date_to == NULL || strncmp (date, query->date_to, strlen (query->date_to)) <= 0);
}

static void
timeline_query_run (GTask        *task,
                    CabStore     *store,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TimelineQuery *query = task_data;
  CabTimelineFilter filter = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TimelineResult *result;
  int last_month = -1;
  g_autofree char *wide_from = NULL;
  g_autofree char *wide_to = NULL;
  int from_day, to_day;

  /* Dates and text narrow the query in SQL; the kind is decided here, from
   * type and class together, which one SQL column cannot say. SQL compares
   * the stored text, so it gets a day of margin each side and the bounds
   * are applied below to the local day each entry shows. */
  from_day = day_key (query->date_from);
  to_day = day_key (query->date_to);
  wide_from = shift_day (query->date_from, -1);
  wide_to = shift_day (query->date_to, +1);
  filter.date_from = wide_from != NULL ? wide_from : query->date_from;
  filter.date_to = wide_to != NULL ? wide_to : query->date_to;
  filter.text = query->text;
  filter.include_kos = query->include_kos;
  rows = cab_store_list_timeline (store, query->patient_id, &filter, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (TimelineResult, 1);
  result->items = g_ptr_array_new_full (rows->len + rows->len / 8 + 1, g_object_unref);
  /* Each row goes to its item, or is freed here. */
  g_ptr_array_set_free_func (rows, NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      CabDocumentRow *row = g_ptr_array_index (rows, i);
      CabTimelineItem *item;
      CabDay day;
      int month;

      if (g_cancellable_is_cancelled (cancellable))
        {
          /* Superseded: the rest of the rows are no one's now. */
          for (guint j = i; j < rows->len; j++)
            cab_document_row_free (g_ptr_array_index (rows, j));
          break;
        }

      if (query->kind != CAB_KIND_FILTER_ALL &&
          !cab_kind_filter_matches (query->kind, cab_document_kind_classify (&row->document)))
        {
          cab_document_row_free (row);
          continue;
        }

      item = cab_timeline_item_new_document (row, query->opened_at);
      if (!in_date_range (item, row, query, from_day, to_day))
        {
          g_object_unref (item);
          continue;
        }
      /* Made here and not sent yet: the outbox still holds it. */
      if (g_strcmp0 (row->origin, "local") == 0)
        {
          g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get_for_document (store, row->id, NULL);

          if (entry != NULL)
            cab_timeline_item_set_pending (item);
        }

      /* Sections follow the local calendar day the entry shows. */
      month = cab_timeline_item_get_day (item, &day) && day.month != 0 ? day.year * 100 + day.month : 0;
      if (query->sections && month != last_month)
        {
          g_autofree char *label = month != 0 ? cab_date_format_month_of_year (day.year, day.month) : NULL;

          last_month = month;
          g_ptr_array_add (result->items, cab_timeline_item_new_header (label != NULL ? label : _("Undated")));
        }
      g_ptr_array_add (result->items, item);
      result->n_documents++;
    }

  g_task_return_pointer (task, result, (GDestroyNotify) timeline_result_free);
}

/* ------------------------------------------------------------------ */
/* Auxiliary functions                                                  */
/* ------------------------------------------------------------------ */

static void
set_loading (CabTimeline *self,
             gboolean     loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (CabTimeline *self,
           GError      *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static gboolean
same_item (gpointer shown,
           gpointer fresh)
{
  CabTimelineItem *a = shown;
  CabTimelineItem *b = fresh;

  return cab_timeline_item_is_header (a) == cab_timeline_item_is_header (b) &&
         cab_timeline_item_get_marks (a) == cab_timeline_item_get_marks (b) &&
         cab_timeline_item_get_pending (a) == cab_timeline_item_get_pending (b) &&
         g_strcmp0 (cab_timeline_item_get_title (a), cab_timeline_item_get_title (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_byline (a), cab_timeline_item_get_byline (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_date (a), cab_timeline_item_get_date (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_origin (a), cab_timeline_item_get_origin (b)) == 0;
}

static const char *
item_key (gpointer data)
{
  CabTimelineItem *item = data;

  return cab_timeline_item_is_header (item) ? cab_timeline_item_get_title (item)
                                            : cab_timeline_item_get_id (item);
}

static void
replace_items (CabTimeline *self,
               GPtrArray   *items,
               guint        n_documents)
{
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, g_ptr_array_ref (items));

  if (self->n_documents != n_documents)
    {
      self->n_documents = n_documents;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DOCUMENTS]);
    }
}

static void
clear_items (CabTimeline *self)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func (g_object_unref);

  replace_items (self, none, 0);
}

/* The model holds what it should: tell whoever waits. */
static void
settle (CabTimeline *self)
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
  g_autoptr(CabTimeline) self = cab_model_hold_take (user_data);
  g_autoptr(GError) error = NULL;
  TimelineResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  /* Superseded by newer inputs, or the model went away: core cancelled it,
   * and GTask reports a cancelled task as such whatever it returned. */
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&result, timeline_result_free);
      return;
    }

  g_clear_object (&self->query);
  if (result == NULL)
    {
      /* No patient data in the message: SQLite's text only. */
      g_debug ("Cannot read the timeline: %s", error->message);
      clear_items (self);
      set_error (self, g_steal_pointer (&error));
    }
  else
    {
      /* Filtering within a patient shows many of the same entries again;
       * with mixed zones a month can head two sections: each shown object
       * is reused once. */
      cab_model_items_reuse (self->items, result->items, item_key, same_item);
      replace_items (self, result->items, result->n_documents);
      set_error (self, NULL);
      timeline_result_free (result);
    }
  settle (self);
}

static void
start_query (CabTimeline *self)
{
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  TimelineQuery *query;

  if (self->store == NULL || self->patient_id == NULL)
    {
      cab_query_cancel (&self->query);
      clear_items (self);
      set_error (self, NULL);
      settle (self);
      return;
    }

  cancellable = cab_query_supersede (&self->query);
  query = g_new0 (TimelineQuery, 1);
  query->patient_id = g_strdup (self->patient_id);
  query->opened_at = self->opened_at != NULL ? g_date_time_ref (self->opened_at) : NULL;
  query->kind = self->kind;
  query->date_from = g_strdup (self->date_from);
  query->date_to = g_strdup (self->date_to);
  query->text = g_strdup (self->text);
  query->include_kos = self->include_kos;
  query->sections = self->sections;

  /* The task holds the model weakly: a superseded query still finishing on
   * the pool must not keep a model alive that its owner dropped. */
  task = g_task_new (NULL, cancellable, query_done_cb, cab_model_hold_new (self));
  g_task_set_source_tag (task, start_query);
  g_task_set_name (task, "cab-timeline query");
  g_task_set_task_data (task, query, (GDestroyNotify) timeline_query_free);
  set_loading (self, TRUE);
  cab_query_run (task, self->store, timeline_query_run);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Another patient: the previous one's entries go now, not when the query
 * lands. */
static gboolean
change_patient (CabTimeline *self,
                const char  *patient_id)
{
  if (!set_string (&self->patient_id, patient_id))
    return FALSE;
  clear_items (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
  return TRUE;
}

static gboolean
change_store (CabTimeline *self,
              CabStore    *store)
{
  if (!g_set_object (&self->store, store))
    return FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  return TRUE;
}

static gboolean
change_opened_at (CabTimeline *self,
                  GDateTime   *opened_at)
{
  if (self->opened_at == opened_at ||
      (self->opened_at != NULL && opened_at != NULL && g_date_time_equal (self->opened_at, opened_at)))
    return FALSE;
  g_clear_pointer (&self->opened_at, g_date_time_unref);
  self->opened_at = opened_at != NULL ? g_date_time_ref (opened_at) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPENED_AT]);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GListModel                                                           */
/* ------------------------------------------------------------------ */

static GType
cab_timeline_get_item_type (GListModel *model)
{
  return CAB_TYPE_TIMELINE_ITEM;
}

static guint
cab_timeline_get_n_items (GListModel *model)
{
  return CAB_TIMELINE (model)->items->len;
}

static gpointer
cab_timeline_get_item (GListModel *model,
                       guint       position)
{
  CabTimeline *self = CAB_TIMELINE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cab_timeline_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_timeline_get_item_type;
  iface->get_n_items = cab_timeline_get_n_items;
  iface->get_item = cab_timeline_get_item;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_timeline_dispose (GObject *object)
{
  CabTimeline *self = CAB_TIMELINE (object);

  cab_query_cancel (&self->query);
  cab_model_waiters_cancel (&self->waiters, "The timeline was disposed");
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_timeline_parent_class)->dispose (object);
}

static void
cab_timeline_finalize (GObject *object)
{
  CabTimeline *self = CAB_TIMELINE (object);

  g_free (self->patient_id);
  g_clear_pointer (&self->opened_at, g_date_time_unref);
  g_free (self->date_from);
  g_free (self->date_to);
  g_free (self->text);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cab_timeline_parent_class)->finalize (object);
}

static void
cab_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CabTimeline *self = CAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_OPENED_AT:
      g_value_set_boxed (value, self->opened_at);
      break;
    case PROP_KIND_FILTER:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_DATE_FROM:
      g_value_set_string (value, self->date_from);
      break;
    case PROP_DATE_TO:
      g_value_set_string (value, self->date_to);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_INCLUDE_KOS:
      g_value_set_boolean (value, self->include_kos);
      break;
    case PROP_SECTIONS:
      g_value_set_boolean (value, self->sections);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_N_DOCUMENTS:
      g_value_set_uint (value, self->n_documents);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CabTimeline *self = CAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_timeline_set_store (self, g_value_get_object (value));
      break;
    case PROP_PATIENT_ID:
      cab_timeline_set_patient_id (self, g_value_get_string (value));
      break;
    case PROP_OPENED_AT:
      cab_timeline_set_opened_at (self, g_value_get_boxed (value));
      break;
    case PROP_KIND_FILTER:
      cab_timeline_set_kind_filter (self, g_value_get_enum (value));
      break;
    case PROP_DATE_FROM:
      cab_timeline_set_date_range (self, g_value_get_string (value), self->date_to);
      break;
    case PROP_DATE_TO:
      cab_timeline_set_date_range (self, self->date_from, g_value_get_string (value));
      break;
    case PROP_TEXT:
      cab_timeline_set_text (self, g_value_get_string (value));
      break;
    case PROP_INCLUDE_KOS:
      cab_timeline_set_include_kos (self, g_value_get_boolean (value));
      break;
    case PROP_SECTIONS:
      cab_timeline_set_sections (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_timeline_class_init (CabTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_timeline_dispose;
  object_class->finalize = cab_timeline_finalize;
  object_class->get_property = cab_timeline_get_property;
  object_class->set_property = cab_timeline_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE, rw);
  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL, rw);
  properties[PROP_OPENED_AT] =
    g_param_spec_boxed ("opened-at", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_KIND_FILTER] =
    g_param_spec_enum ("kind-filter", NULL, NULL, CAB_TYPE_KIND_FILTER, CAB_KIND_FILTER_ALL, rw);
  properties[PROP_DATE_FROM] =
    g_param_spec_string ("date-from", NULL, NULL, NULL, rw);
  properties[PROP_DATE_TO] =
    g_param_spec_string ("date-to", NULL, NULL, NULL, rw);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL, rw);
  properties[PROP_INCLUDE_KOS] =
    g_param_spec_boolean ("include-kos", NULL, NULL, FALSE, rw);
  properties[PROP_SECTIONS] =
    g_param_spec_boolean ("sections", NULL, NULL, TRUE, rw);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_N_DOCUMENTS] =
    g_param_spec_uint ("n-documents", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabTimeline::loaded:
   *
   * The items reflect the newest inputs. Not emitted for superseded queries.
   */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_timeline_init (CabTimeline *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->sections = TRUE;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

/**
 * cab_timeline_new:
 * @store: (nullable): the store to read
 */
CabTimeline *
cab_timeline_new (CabStore *store)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);

  return g_object_new (CAB_TYPE_TIMELINE, "store", store, NULL);
}

CabStore *
cab_timeline_get_store (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->store;
}

void
cab_timeline_set_store (CabTimeline *self,
                        CabStore    *store)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (change_store (self, store))
    start_query (self);
}

const char *
cab_timeline_get_patient_id (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->patient_id;
}

void
cab_timeline_set_patient_id (CabTimeline *self,
                             const char  *patient_id)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  if (change_patient (self, patient_id))
    start_query (self);
}

GDateTime *
cab_timeline_get_opened_at (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->opened_at;
}

void
cab_timeline_set_opened_at (CabTimeline *self,
                            GDateTime   *opened_at)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  if (change_opened_at (self, opened_at))
    start_query (self);
}

void
cab_timeline_set_patient (CabTimeline *self,
                          CabStore    *store,
                          const char  *patient_id,
                          GDateTime   *opened_at)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  g_object_freeze_notify (G_OBJECT (self));
  change_store (self, store);
  change_patient (self, patient_id);
  change_opened_at (self, opened_at);
  /* The same patient opened anew is read again all the same. */
  start_query (self);
  g_object_thaw_notify (G_OBJECT (self));
}

CabKindFilter
cab_timeline_get_kind_filter (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), CAB_KIND_FILTER_ALL);

  return self->kind;
}

void
cab_timeline_set_kind_filter (CabTimeline   *self,
                              CabKindFilter  kind)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));
  g_return_if_fail (kind <= CAB_KIND_FILTER_LAST);

  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND_FILTER]);
  start_query (self);
}

const char *
cab_timeline_get_date_from (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->date_from;
}

const char *
cab_timeline_get_date_to (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->date_to;
}

void
cab_timeline_set_date_range (CabTimeline *self,
                             const char  *from,
                             const char  *to)
{
  gboolean changed = FALSE;

  g_return_if_fail (CAB_IS_TIMELINE (self));

  if (set_string (&self->date_from, from))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE_FROM]);
      changed = TRUE;
    }
  if (set_string (&self->date_to, to))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE_TO]);
      changed = TRUE;
    }
  if (changed)
    start_query (self);
}

const char *
cab_timeline_get_text (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->text;
}

void
cab_timeline_set_text (CabTimeline *self,
                       const char  *text)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  if (!cab_model_set_text_input (&self->text, text))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  start_query (self);
}

gboolean
cab_timeline_get_include_kos (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), FALSE);

  return self->include_kos;
}

void
cab_timeline_set_include_kos (CabTimeline *self,
                              gboolean     include_kos)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  include_kos = !!include_kos;
  if (self->include_kos == include_kos)
    return;
  self->include_kos = include_kos;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCLUDE_KOS]);
  start_query (self);
}

gboolean
cab_timeline_get_sections (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), FALSE);

  return self->sections;
}

void
cab_timeline_set_sections (CabTimeline *self,
                           gboolean     sections)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  sections = !!sections;
  if (self->sections == sections)
    return;
  self->sections = sections;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECTIONS]);
  start_query (self);
}

void
cab_timeline_reload (CabTimeline *self)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  start_query (self);
}

gboolean
cab_timeline_get_loading (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), FALSE);

  return self->loading;
}

guint
cab_timeline_get_n_documents (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), 0);

  return self->n_documents;
}

const GError *
cab_timeline_get_error (CabTimeline *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), NULL);

  return self->error;
}

void
cab_timeline_wait_async (CabTimeline         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (CAB_IS_TIMELINE (self));

  cab_model_waiters_wait (&self->waiters, self, self->loading, self->error, cab_timeline_wait_async,
                          cancellable, callback, user_data);
}

gboolean
cab_timeline_wait_finish (CabTimeline   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CAB_IS_TIMELINE (self), FALSE);

  return cab_model_waiters_finish (self, result, cab_timeline_wait_async, error);
}
