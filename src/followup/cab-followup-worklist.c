/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup"

#include "config.h"

#include "cab-followup-enums.h"
#include "cab-followup-queries.h"
#include "cab-followup-worklist.h"
#include "cab-model-items.h"
#include "cab-patient-queries.h"
#include "cab-query.h"

struct _CabFollowupWorklist
{
  GObject            parent_instance;

  CabStore          *store;
  CabFollowupRules  *rules;
  char              *today;
  char              *condition;
  CabFollowupStates  states;
  char              *gp;
  char              *text;

  GPtrArray         *practice;     /* CabFollowupPatient*: the last computed worklist, or NULL */
  GPtrArray         *items;        /* CabFollowupPatient*: what the model shows */
  GCancellable      *query;        /* the running query's slot */
  GPtrArray         *waiters;
  gboolean           loading;
  GError            *error;
  guint              n_overdue;
  guint              n_due;
  guint              n_never;
  GStrv              gps;
  GHashTable        *gp_names;     /* reference -> display */
};

static void cab_followup_worklist_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CabFollowupWorklist, cab_followup_worklist, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, cab_followup_worklist_list_model_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_RULES,
  PROP_TODAY,
  PROP_CONDITION,
  PROP_STATES,
  PROP_GP,
  PROP_TEXT,
  PROP_LOADING,
  PROP_N_OVERDUE,
  PROP_N_DUE,
  PROP_N_NEVER,
  PROP_GPS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ----------------------------------------------------------------- query */

typedef struct
{
  CabFollowupRules  *rules;
  char              *today;
  GPtrArray         *practice;     /* NULL: compute it */
  char              *condition;
  CabFollowupStates  states;
  char              *gp;
  char              *text;
} WorklistQuery;

typedef struct
{
  GPtrArray  *practice;
  GPtrArray  *items;
  guint       n_overdue;
  guint       n_due;
  guint       n_never;
  GStrv       gps;        /* when the practice was computed now, else NULL */
  GHashTable *gp_names;
} WorklistResult;

static void
worklist_query_free (WorklistQuery *q)
{
  g_clear_object (&q->rules);
  g_free (q->today);
  g_clear_pointer (&q->practice, g_ptr_array_unref);
  g_free (q->condition);
  g_free (q->gp);
  g_free (q->text);
  g_free (q);
}

static void
worklist_result_free (WorklistResult *r)
{
  g_clear_pointer (&r->practice, g_ptr_array_unref);
  g_clear_pointer (&r->items, g_ptr_array_unref);
  g_strfreev (r->gps);
  g_clear_pointer (&r->gp_names, g_hash_table_unref);
  g_free (r);
}

static int
compare_gp_names (gconstpointer a,
                  gconstpointer b,
                  gpointer      names)
{
  const char *ra = *(const char * const *) a, *rb = *(const char * const *) b;

  return g_utf8_collate (g_hash_table_lookup (names, ra), g_hash_table_lookup (names, rb));
}

/* The médecins traitants of the practice's followed patients, by name. */
static void
collect_gps (WorklistResult *r,
             CabStore       *store)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new ();

  r->gp_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < r->practice->len; i++)
    {
      const char *ref = cab_followup_patient_get_row (g_ptr_array_index (r->practice, i))->patient.gp_reference;
      char *name;

      if (ref == NULL || g_hash_table_contains (r->gp_names, ref))
        continue;
      name = cab_practitioner_display (store, ref);
      g_hash_table_insert (r->gp_names, g_strdup (ref), name != NULL ? name : g_strdup (ref));
      g_ptr_array_add (refs, g_strdup (ref));
    }
  g_ptr_array_sort_with_data (refs, compare_gp_names, r->gp_names);
  g_ptr_array_add (refs, NULL);
  r->gps = (GStrv) g_ptr_array_steal (refs, NULL);
}

static void
worklist_query_run (GTask        *task,
                    CabStore     *store,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  WorklistQuery *q = task_data;
  g_autoptr(GError) error = NULL;
  WorklistResult *r = g_new0 (WorklistResult, 1);
  CabFollowupFilter filter = { q->condition, q->states, q->gp, q->text };

  r->practice = q->practice != NULL ? g_ptr_array_ref (q->practice)
                                    : cab_followup_compute_worklist (store, q->rules, q->today, &error);
  if (r->practice == NULL)
    {
      worklist_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (q->practice == NULL)
    collect_gps (r, store);
  for (guint i = 0; i < r->practice->len; i++)
    {
      CabFollowupPatient *p = g_ptr_array_index (r->practice, i);

      r->n_overdue += cab_followup_patient_get_n_overdue (p) > 0;
      r->n_due += cab_followup_patient_get_n_due (p) > 0;
      r->n_never += cab_followup_patient_get_n_never (p) > 0;
    }
  r->items = cab_followup_filter_worklist (q->rules, r->practice, &filter);
  g_task_return_pointer (task, r, (GDestroyNotify) worklist_result_free);
}

static void
set_loading (CabFollowupWorklist *self,
             gboolean             loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_count (CabFollowupWorklist *self,
           guint               *field,
           guint                value,
           int                  prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static const char *
item_key (gpointer item)
{
  return cab_followup_patient_get_id (item);
}

/* The same row to the eye: same statuses shown. */
static gboolean
same_item (gpointer shown,
           gpointer fresh)
{
  GListModel *a = cab_followup_patient_get_measures (shown);
  GListModel *b = cab_followup_patient_get_measures (fresh);
  guint n = g_list_model_get_n_items (a);

  if (cab_followup_patient_get_all (shown) != cab_followup_patient_get_all (fresh) ||
      n != g_list_model_get_n_items (b))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) x = g_list_model_get_item (a, i);
      g_autoptr(GObject) y = g_list_model_get_item (b, i);

      if (x != y)
        return FALSE;
    }
  return TRUE;
}

static void
settle (CabFollowupWorklist *self)
{
  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0);
  cab_model_waiters_complete (&self->waiters, self->error);
}

static void
replace_items (CabFollowupWorklist *self,
               GPtrArray           *items)
{
  cab_model_items_replace (G_LIST_MODEL (self), &self->items, items);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(CabFollowupWorklist) self = cab_model_hold_take (user_data);
  g_autoptr(GError) error = NULL;
  WorklistResult *r;

  r = g_task_propagate_pointer (G_TASK (res), &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&r, worklist_result_free);
      return;
    }

  g_clear_object (&self->query);
  g_clear_error (&self->error);
  if (r == NULL)
    {
      /* SQLite's words only: no patient data in the message. */
      g_debug ("Cannot compute the follow-up worklist: %s", error->message);
      g_clear_pointer (&self->practice, g_ptr_array_unref);
      replace_items (self, g_ptr_array_new_with_free_func (g_object_unref));
      self->error = g_steal_pointer (&error);
    }
  else
    {
      if (self->practice != r->practice)
        {
          g_clear_pointer (&self->practice, g_ptr_array_unref);
          self->practice = g_ptr_array_ref (r->practice);
        }
      cab_model_items_reuse (self->items, r->items, item_key, same_item);
      replace_items (self, g_steal_pointer (&r->items));
      set_count (self, &self->n_overdue, r->n_overdue, PROP_N_OVERDUE);
      set_count (self, &self->n_due, r->n_due, PROP_N_DUE);
      set_count (self, &self->n_never, r->n_never, PROP_N_NEVER);
      if (r->gps != NULL &&
          (self->gps == NULL || !g_strv_equal ((const char * const *) self->gps, (const char * const *) r->gps)))
        {
          g_strfreev (self->gps);
          self->gps = g_steal_pointer (&r->gps);
          g_clear_pointer (&self->gp_names, g_hash_table_unref);
          self->gp_names = g_steal_pointer (&r->gp_names);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GPS]);
        }
      worklist_result_free (r);
    }
  settle (self);
}

static void
start_query (CabFollowupWorklist *self)
{
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  WorklistQuery *q;

  if (self->store == NULL || self->rules == NULL)
    {
      cab_query_cancel (&self->query);
      g_clear_pointer (&self->practice, g_ptr_array_unref);
      replace_items (self, g_ptr_array_new_with_free_func (g_object_unref));
      g_clear_error (&self->error);
      settle (self);
      return;
    }

  cancellable = cab_query_supersede (&self->query);
  q = g_new0 (WorklistQuery, 1);
  q->rules = g_object_ref (self->rules);
  q->today = g_strdup (self->today);
  q->practice = self->practice != NULL ? g_ptr_array_ref (self->practice) : NULL;
  q->condition = g_strdup (self->condition);
  q->states = self->states;
  q->gp = g_strdup (self->gp);
  q->text = g_strdup (self->text);

  task = g_task_new (NULL, cancellable, query_done_cb, cab_model_hold_new (self));
  g_task_set_source_tag (task, start_query);
  g_task_set_name (task, "cab-followup-worklist query");
  g_task_set_task_data (task, q, (GDestroyNotify) worklist_query_free);
  set_loading (self, TRUE);
  cab_query_run (task, self->store, worklist_query_run);
}

/* The practice must be computed again (store, rules or day changed). */
static void
recompute (CabFollowupWorklist *self)
{
  g_clear_pointer (&self->practice, g_ptr_array_unref);
  start_query (self);
}

/* ------------------------------------------------------------ list model */

static GType
cab_followup_worklist_get_item_type (GListModel *model)
{
  return CAB_TYPE_FOLLOWUP_PATIENT;
}

static guint
cab_followup_worklist_get_n_items (GListModel *model)
{
  return CAB_FOLLOWUP_WORKLIST (model)->items->len;
}

static gpointer
cab_followup_worklist_get_item (GListModel *model,
                                guint       position)
{
  CabFollowupWorklist *self = CAB_FOLLOWUP_WORKLIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
cab_followup_worklist_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cab_followup_worklist_get_item_type;
  iface->get_n_items = cab_followup_worklist_get_n_items;
  iface->get_item = cab_followup_worklist_get_item;
}

/* --------------------------------------------------------------- GObject */

static void
cab_followup_worklist_dispose (GObject *object)
{
  CabFollowupWorklist *self = CAB_FOLLOWUP_WORKLIST (object);

  cab_query_cancel (&self->query);
  cab_model_waiters_cancel (&self->waiters, "The worklist was disposed");
  g_clear_object (&self->store);
  g_clear_object (&self->rules);
  g_clear_pointer (&self->practice, g_ptr_array_unref);

  G_OBJECT_CLASS (cab_followup_worklist_parent_class)->dispose (object);
}

static void
cab_followup_worklist_finalize (GObject *object)
{
  CabFollowupWorklist *self = CAB_FOLLOWUP_WORKLIST (object);

  g_free (self->today);
  g_free (self->condition);
  g_free (self->gp);
  g_free (self->text);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_strfreev (self->gps);
  g_clear_pointer (&self->gp_names, g_hash_table_unref);

  G_OBJECT_CLASS (cab_followup_worklist_parent_class)->finalize (object);
}

static void
cab_followup_worklist_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CabFollowupWorklist *self = CAB_FOLLOWUP_WORKLIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_RULES:
      g_value_set_object (value, self->rules);
      break;
    case PROP_TODAY:
      g_value_set_string (value, self->today);
      break;
    case PROP_CONDITION:
      g_value_set_string (value, self->condition);
      break;
    case PROP_STATES:
      g_value_set_flags (value, self->states);
      break;
    case PROP_GP:
      g_value_set_string (value, self->gp);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_N_OVERDUE:
      g_value_set_uint (value, self->n_overdue);
      break;
    case PROP_N_DUE:
      g_value_set_uint (value, self->n_due);
      break;
    case PROP_N_NEVER:
      g_value_set_uint (value, self->n_never);
      break;
    case PROP_GPS:
      g_value_set_boxed (value, self->gps);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_worklist_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CabFollowupWorklist *self = CAB_FOLLOWUP_WORKLIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_followup_worklist_set_store (self, g_value_get_object (value));
      break;
    case PROP_RULES:
      cab_followup_worklist_set_rules (self, g_value_get_object (value));
      break;
    case PROP_TODAY:
      cab_followup_worklist_set_today (self, g_value_get_string (value));
      break;
    case PROP_CONDITION:
      cab_followup_worklist_set_condition (self, g_value_get_string (value));
      break;
    case PROP_STATES:
      cab_followup_worklist_set_states (self, g_value_get_flags (value));
      break;
    case PROP_GP:
      cab_followup_worklist_set_gp (self, g_value_get_string (value));
      break;
    case PROP_TEXT:
      cab_followup_worklist_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_worklist_class_init (CabFollowupWorklistClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_followup_worklist_dispose;
  object_class->finalize = cab_followup_worklist_finalize;
  object_class->get_property = cab_followup_worklist_get_property;
  object_class->set_property = cab_followup_worklist_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE, rw);
  properties[PROP_RULES] = g_param_spec_object ("rules", NULL, NULL, CAB_TYPE_FOLLOWUP_RULES, rw);
  properties[PROP_TODAY] = g_param_spec_string ("today", NULL, NULL, NULL, rw);
  properties[PROP_CONDITION] = g_param_spec_string ("condition", NULL, NULL, NULL, rw);
  properties[PROP_STATES] = g_param_spec_flags ("states", NULL, NULL, CAB_TYPE_FOLLOWUP_STATES,
                                                CAB_FOLLOWUP_STATES_TO_DO, rw);
  properties[PROP_GP] = g_param_spec_string ("gp", NULL, NULL, NULL, rw);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, rw);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_N_OVERDUE] = g_param_spec_uint ("n-overdue", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_DUE] = g_param_spec_uint ("n-due", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_NEVER] = g_param_spec_uint ("n-never", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_GPS] = g_param_spec_boxed ("gps", NULL, NULL, G_TYPE_STRV, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabFollowupWorklist::loaded:
   *
   * The items reflect the newest inputs. Not emitted for superseded queries.
   */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cab_followup_worklist_init (CabFollowupWorklist *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->states = CAB_FOLLOWUP_STATES_TO_DO;
}

/* ------------------------------------------------------------------ API */

CabFollowupWorklist *
cab_followup_worklist_new (CabStore         *store,
                           CabFollowupRules *rules)
{
  g_return_val_if_fail (store == NULL || CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (rules == NULL || CAB_IS_FOLLOWUP_RULES (rules), NULL);

  return g_object_new (CAB_TYPE_FOLLOWUP_WORKLIST, "store", store, "rules", rules, NULL);
}

CabStore *
cab_followup_worklist_get_store (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->store;
}

void
cab_followup_worklist_set_store (CabFollowupWorklist *self,
                                 CabStore            *store)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  recompute (self);
}

CabFollowupRules *
cab_followup_worklist_get_rules (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->rules;
}

void
cab_followup_worklist_set_rules (CabFollowupWorklist *self,
                                 CabFollowupRules    *rules)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));
  g_return_if_fail (rules == NULL || CAB_IS_FOLLOWUP_RULES (rules));

  if (!g_set_object (&self->rules, rules))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RULES]);
  recompute (self);
}

const char *
cab_followup_worklist_get_today (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->today;
}

void
cab_followup_worklist_set_today (CabFollowupWorklist *self,
                                 const char          *today)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  if (!cab_model_set_text_input (&self->today, today))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TODAY]);
  recompute (self);
}

const char *
cab_followup_worklist_get_condition (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->condition;
}

void
cab_followup_worklist_set_condition (CabFollowupWorklist *self,
                                     const char          *prefix)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  if (!cab_model_set_text_input (&self->condition, prefix))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDITION]);
  start_query (self);
}

CabFollowupStates
cab_followup_worklist_get_states (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), 0);
  return self->states;
}

void
cab_followup_worklist_set_states (CabFollowupWorklist *self,
                                  CabFollowupStates    states)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  if (self->states == states)
    return;
  self->states = states;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATES]);
  start_query (self);
}

const char *
cab_followup_worklist_get_gp (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->gp;
}

void
cab_followup_worklist_set_gp (CabFollowupWorklist *self,
                              const char          *gp_reference)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  if (!cab_model_set_text_input (&self->gp, gp_reference))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GP]);
  start_query (self);
}

const char *
cab_followup_worklist_get_text (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->text;
}

void
cab_followup_worklist_set_text (CabFollowupWorklist *self,
                                const char          *text)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  if (!cab_model_set_text_input (&self->text, text))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  start_query (self);
}

void
cab_followup_worklist_reload (CabFollowupWorklist *self)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));
  recompute (self);
}

gboolean
cab_followup_worklist_get_loading (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), FALSE);
  return self->loading;
}

const GError *
cab_followup_worklist_get_error (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->error;
}

guint
cab_followup_worklist_get_n_overdue (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), 0);
  return self->n_overdue;
}

guint
cab_followup_worklist_get_n_due (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), 0);
  return self->n_due;
}

guint
cab_followup_worklist_get_n_never (CabFollowupWorklist *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), 0);
  return self->n_never;
}

const char * const *
cab_followup_worklist_get_gps (CabFollowupWorklist *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);
  return self->gps != NULL ? (const char * const *) self->gps : none;
}

const char *
cab_followup_worklist_get_gp_name (CabFollowupWorklist *self,
                                   const char          *gp_reference)
{
  const char *name;

  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), NULL);

  name = self->gp_names != NULL && gp_reference != NULL ? g_hash_table_lookup (self->gp_names, gp_reference) : NULL;
  return name != NULL ? name : gp_reference;
}

void
cab_followup_worklist_wait_async (CabFollowupWorklist *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self));

  cab_model_waiters_wait (&self->waiters, self, self->loading, self->error, cab_followup_worklist_wait_async,
                          cancellable, callback, user_data);
}

gboolean
cab_followup_worklist_wait_finish (CabFollowupWorklist  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_WORKLIST (self), FALSE);

  return cab_model_waiters_finish (self, result, cab_followup_worklist_wait_async, error);
}
