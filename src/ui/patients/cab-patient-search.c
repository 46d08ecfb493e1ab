/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cab-patient-format.h"
#include "cab-patient-result-row.h"
#include "cab-patient-results.h"
#include "cab-patient-search.h"

#define DEFAULT_DELAY_MS 80

struct _CabPatientSearch
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;

  CabPatientResults  *results;           /* queries run in core */
  GtkSingleSelection *selection;
  gboolean            typing;            /* a keystroke waits for its debounce */
  gboolean            busy;              /* as last notified */
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
/* Results                                                              */
/* ------------------------------------------------------------------ */

static void
update_busy (CabPatientSearch *self)
{
  gboolean busy = cab_patient_search_get_busy (self);

  if (self->busy == busy)
    return;
  self->busy = busy;
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

/* The model notifies "loading" once per query it starts (when none was
 * running) and once per answer, after its items changed. */
static void
results_loading_cb (CabPatientSearch  *self,
                    GParamSpec        *pspec,
                    CabPatientResults *results)
{
  guint n;

  if (cab_patient_results_get_loading (results))
    {
      /* Busy already since the keystroke; a new store or a refresh was not. */
      update_busy (self);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (results));
  if (n > 0)
    {
      gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
    }
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "results" : "empty");

  update_busy (self);

  if (self->activate_pending && !cab_patient_search_get_busy (self))
    {
      self->activate_pending = FALSE;
      if (n > 0)
        activate_position (self, 0);
    }
}

static void
run_query (CabPatientSearch *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  self->typing = FALSE;
  /* The same text after a debounce still asks again: the store may have
   * changed since, and Enter waits for an answer. */
  if (g_strcmp0 (cab_patient_results_get_query (self->results), text) != 0)
    cab_patient_results_set_query (self->results, text);
  else
    cab_patient_results_reload (self->results);
  update_busy (self);
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                            */
/* ------------------------------------------------------------------ */

static void
text_changed_cb (CabPatientSearch *self)
{
  self->typing = TRUE;
  update_busy (self);
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

  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PATIENT_SEARCH);
  g_clear_object (&self->selection);
  /* Its query, if one runs, is cancelled and answers into nothing. */
  if (self->results != NULL)
    g_signal_handlers_disconnect_by_data (self->results, self);
  g_clear_object (&self->results);

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
      g_value_set_object (value, cab_patient_results_get_store (self->results));
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
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
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

  self->results = cab_patient_results_new (NULL);
  g_signal_connect_object (self->results, "notify::loading",
                           G_CALLBACK (results_loading_cb), self, G_CONNECT_SWAPPED);
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

  if (cab_patient_results_get_store (self->results) == store)
    return;

  /* The model runs the current query against the new store. */
  cab_patient_results_set_query (self->results, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  cab_patient_results_set_store (self->results, store);
  self->typing = FALSE;
  update_busy (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

CabStore *
cab_patient_search_get_store (CabPatientSearch *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_SEARCH (self), NULL);

  return cab_patient_results_get_store (self->results);
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

  cab_patient_results_reload (self->results);
  update_busy (self);
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

  return self->typing || cab_patient_results_get_loading (self->results);
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
