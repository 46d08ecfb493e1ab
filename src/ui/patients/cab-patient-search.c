/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cab-patient-format.h"
#include "cab-patient-item.h"
#include "cab-patient-result-row.h"
#include "cab-patient-search.h"

/* Enough to pick from while typing; narrowing the query is faster than scrolling. */
#define RESULT_LIMIT 100
#define DEFAULT_DELAY_MS 80

struct _CabPatientSearch
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;

  CabStore           *store;
  GListStore         *results;
  GtkSingleSelection *selection;
  GCancellable       *cancellable;
  guint               generation;
  gboolean            query_pending;     /* the newest query has not answered */
  gboolean            typing;            /* a keystroke waits for its debounce */
  gboolean            activate_pending;  /* Enter came before the results */
};

G_DEFINE_FINAL_TYPE (CabPatientSearch, cab_patient_search, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_BUSY,
  N_PROPS
};

enum {
  PATIENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Queries on a worker thread                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  CabStore *store;
  char     *query;
  guint     generation;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_clear_object (&data->store);
  g_free (data->query);
  g_free (data);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *items;

  if (g_cancellable_is_cancelled (cancellable))
    return;

  rows = cab_store_search_patients (data->store, data->query, RESULT_LIMIT, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The items are built here too: the main thread only splices them in. */
  g_ptr_array_set_free_func (rows, NULL);
  items = g_ptr_array_new_full (rows->len, g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (items, cab_patient_item_new_take (g_ptr_array_index (rows, i)));

  g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

static void
notify_busy_if_changed (CabPatientSearch *self,
                        gboolean          was_busy)
{
  if (was_busy != cab_patient_search_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
activate_position (CabPatientSearch *self,
                   guint             position)
{
  g_autoptr(CabPatientItem) item = NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->results), position);
  if (item != NULL)
    g_signal_emit (self, signals[PATIENT_ACTIVATED], 0, cab_patient_item_get_id (item));
}

/* Typing one more letter mostly narrows the results: giving the list view
 * the objects it already shows lets it keep their rows. */
static void
reuse_items (CabPatientSearch *self,
             GPtrArray        *items)
{
  GListModel *model = G_LIST_MODEL (self->results);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GHashTable) shown = NULL;

  if (n == 0 || items->len == 0)
    return;

  shown = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      CabPatientItem *item = g_list_model_get_item (model, i);

      g_hash_table_replace (shown, (gpointer) cab_patient_item_get_id (item), item);
    }

  for (guint i = 0; i < items->len; i++)
    {
      CabPatientItem *item = g_ptr_array_index (items, i);
      CabPatientItem *old = g_hash_table_lookup (shown, cab_patient_item_get_id (item));
      const CabPatientRow *a, *b;

      if (old == NULL || old == item)
        continue;
      a = cab_patient_item_get_row (old);
      b = cab_patient_item_get_row (item);
      if (g_strcmp0 (a->last_updated, b->last_updated) == 0 &&
          g_strcmp0 (a->synced_at, b->synced_at) == 0)
        {
          g_ptr_array_index (items, i) = g_object_ref (old);
          g_object_unref (item);
        }
    }
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CabPatientSearch *self = CAB_PATIENT_SEARCH (object);
  SearchData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  guint n_old;

  gboolean was_busy;

  items = g_task_propagate_pointer (G_TASK (result), &error);

  /* A newer keystroke superseded this query: its results are dropped. */
  if (data->generation != self->generation)
    return;

  if (items == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Patient search failed: %s", error->message);
      items = g_ptr_array_new ();
    }

  reuse_items (self, items);
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  g_list_store_splice (self->results, 0, n_old, items->pdata, items->len);

  if (items->len > 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
    }
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "results" : "empty");

  was_busy = cab_patient_search_get_busy (self);
  self->query_pending = FALSE;
  notify_busy_if_changed (self, was_busy);

  if (self->activate_pending && !cab_patient_search_get_busy (self))
    {
      self->activate_pending = FALSE;
      if (items->len > 0)
        activate_position (self, 0);
    }
}

static void
run_query (CabPatientSearch *self)
{
  g_autoptr(GTask) task = NULL;
  SearchData *data;
  gboolean was_busy = cab_patient_search_get_busy (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;
  self->typing = FALSE;
  self->query_pending = self->store != NULL;
  notify_busy_if_changed (self, was_busy);

  if (self->store == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  data = g_new0 (SearchData, 1);
  data->store = g_object_ref (self->store);
  data->query = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  data->generation = self->generation;

  task = g_task_new (self, self->cancellable, search_done_cb, NULL);
  g_task_set_source_tag (task, run_query);
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  g_task_run_in_thread (task, search_thread);
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                            */
/* ------------------------------------------------------------------ */

static void
text_changed_cb (CabPatientSearch *self)
{
  gboolean was_busy = cab_patient_search_get_busy (self);

  self->typing = TRUE;
  if (!was_busy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
search_changed_cb (CabPatientSearch *self)
{
  run_query (self);
}

static void
entry_activate_cb (CabPatientSearch *self)
{
  guint position;

  if (cab_patient_search_get_busy (self))
    {
      self->activate_pending = TRUE;
      return;
    }

  position = gtk_single_selection_get_selected (self->selection);
  if (position != GTK_INVALID_LIST_POSITION)
    activate_position (self, position);
}

static void
stop_search_cb (CabPatientSearch *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
list_activate_cb (CabPatientSearch *self,
                  guint             position)
{
  activate_position (self, position);
}

static void
move_selection (CabPatientSearch *self,
                int               delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  guint current = gtk_single_selection_get_selected (self->selection);
  int target;

  if (n == 0)
    return;

  target = current == GTK_INVALID_LIST_POSITION ? 0 : (int) current + delta;
  target = CLAMP (target, 0, (int) n - 1);
  gtk_single_selection_set_selected (self->selection, target);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", (guint) target);
}

/* Arrows move in the results while the focus stays in the entry, so the
 * doctor can keep typing. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CabPatientSearch      *self)
{
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return TRUE;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      move_selection (self, 10);
      return TRUE;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      move_selection (self, -10);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, cab_patient_result_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  cab_patient_result_row_set_item (CAB_PATIENT_RESULT_ROW (gtk_list_item_get_child (list_item)),
                                   gtk_list_item_get_item (list_item));
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static gboolean
cab_patient_search_grab_focus (GtkWidget *widget)
{
  CabPatientSearch *self = CAB_PATIENT_SEARCH (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
cab_patient_search_dispose (GObject *object)
{
  CabPatientSearch *self = CAB_PATIENT_SEARCH (object);

  /* A query still running answers into nothing. */
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PATIENT_SEARCH);
  g_clear_object (&self->selection);
  g_clear_object (&self->results);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_patient_search_parent_class)->dispose (object);
}

static void
cab_patient_search_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CabPatientSearch *self = CAB_PATIENT_SEARCH (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, cab_patient_search_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_search_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CabPatientSearch *self = CAB_PATIENT_SEARCH (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_patient_search_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_search_class_init (CabPatientSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_patient_search_dispose;
  object_class->get_property = cab_patient_search_get_property;
  object_class->set_property = cab_patient_search_set_property;
  widget_class->grab_focus = cab_patient_search_grab_focus;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabPatientSearch::patient-activated:
   * @patient_id: the store id of the patient to open
   */
  signals[PATIENT_ACTIVATED] =
    g_signal_new ("patient-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/patients/cab-patient-search.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPatientSearch, box);
  gtk_widget_class_bind_template_child (widget_class, CabPatientSearch, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabPatientSearch, stack);
  gtk_widget_class_bind_template_child (widget_class, CabPatientSearch, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabpatientsearch");
}

static void
cab_patient_search_init (CabPatientSearch *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_entry_set_search_delay (self->search_entry, DEFAULT_DELAY_MS);

  self->results = g_list_store_new (CAB_TYPE_PATIENT_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* Capture: the entry's text would take Up/Down for itself. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

GtkWidget *
cab_patient_search_new (void)
{
  return g_object_new (CAB_TYPE_PATIENT_SEARCH, NULL);
}

void
cab_patient_search_set_store (CabPatientSearch *self,
                              CabStore         *store)
{
  g_return_if_fail (CAB_IS_PATIENT_SEARCH (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  run_query (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

CabStore *
cab_patient_search_get_store (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), NULL);

  return self->store;
}

void
cab_patient_search_set_text (CabPatientSearch *self,
                             const char       *text)
{
  g_return_if_fail (CAB_IS_PATIENT_SEARCH (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

const char *
cab_patient_search_get_text (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
}

void
cab_patient_search_refresh (CabPatientSearch *self)
{
  g_return_if_fail (CAB_IS_PATIENT_SEARCH (self));

  run_query (self);
}

GListModel *
cab_patient_search_get_results (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), NULL);

  return G_LIST_MODEL (self->results);
}

guint
cab_patient_search_get_selected (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), GTK_INVALID_LIST_POSITION);

  return gtk_single_selection_get_selected (self->selection);
}

gboolean
cab_patient_search_get_busy (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), FALSE);

  return self->typing || self->query_pending;
}

void
cab_patient_search_set_search_delay (CabPatientSearch *self,
                                     guint             delay_ms)
{
  g_return_if_fail (CAB_IS_PATIENT_SEARCH (self));

  gtk_search_entry_set_search_delay (self->search_entry, delay_ms);
}

void
cab_patient_search_set_key_capture_widget (CabPatientSearch *self,
                                           GtkWidget        *widget)
{
  g_return_if_fail (CAB_IS_PATIENT_SEARCH (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, widget);
}
