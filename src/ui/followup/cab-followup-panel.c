/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-followup-queries.h"
#include "cab-query.h"
#include "cab-timeline.h"
#include "patients/cab-patient-format.h"
#include "cab-followup-panel.h"
#include "cab-record-dialog.h"

struct _CabFollowupPanel
{
  GtkWidget         parent_instance;

  CabSession       *session;
  CabFollowupRules *rules;
  char             *today;
  char             *patient_id;
  char             *title;

  GCancellable     *query;              /* the plan's, superseded by a new patient */
  gboolean          plan_loading;
  GPtrArray        *cards;              /* CabMeasureCard*, in the plan's order */
  CabTimeline      *documents;          /* the patient's lab reports, for titles */
  GHashTable       *document_titles;    /* id → title, shared with the cards */
  GtkWindow        *dialog;             /* weak */

  GtkStack         *stack;
  GtkSpinner       *spinner;
  AdwStatusPage    *error_page;
  GtkLabel         *name_label;
  GtkLabel         *badge_label;
  GtkLabel         *conditions_label;
  GtkWidget        *record_button;
  GtkBox           *cards_box;
};

G_DEFINE_FINAL_TYPE (CabFollowupPanel, cab_followup_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_RULES,
  PROP_TODAY,
  PROP_PATIENT_ID,
  PROP_LOADING,
  N_PROPS
};

enum {
  RECORDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void load_plan (CabFollowupPanel *self);

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static CabStore *
get_store (CabFollowupPanel *self)
{
  return self->session != NULL ? cab_session_get_store (self->session) : NULL;
}

static void
clear_cards (CabFollowupPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->cards_box))) != NULL)
    gtk_box_remove (self->cards_box, child);
  g_ptr_array_set_size (self->cards, 0);
}

static void
notify_loading (CabFollowupPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
card_loading_cb (CabFollowupPanel *self)
{
  notify_loading (self);
}

static CabMeasureCard *
add_card (CabFollowupPanel *self,
          const char       *measure_id)
{
  CabMeasureCard *card = cab_measure_card_new (get_store (self), self->rules, self->patient_id,
                                               measure_id, self->today, self->document_titles);

  g_ptr_array_add (self->cards, card);
  gtk_box_append (self->cards_box, GTK_WIDGET (card));
  g_signal_connect_object (card, "loaded", G_CALLBACK (card_loading_cb), self, G_CONNECT_SWAPPED);
  return card;
}

static void
update_record_action (CabFollowupPanel *self)
{
  gboolean can = self->patient_id != NULL && self->rules != NULL && self->session != NULL &&
                 cab_session_get_outbox (self->session) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "followup.record", can);
}

/* "Type 2 diabetes · Hypertension", the conditions the rules follow. */
static char *
conditions_text (CabFollowupPanel   *self,
                 CabFollowupPatient *patient)
{
  const char * const *codes = cab_followup_patient_get_conditions (patient);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      const CabFollowupCondition *condition = cab_followup_rules_condition_for_code (self->rules, codes[i]);
      const char *name = condition != NULL ? cab_followup_condition_get_name (condition) : NULL;

      if (name != NULL && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) name);
    }
  if (names->len == 0)
    return g_strdup (_("No chronic condition followed by Cabinet’s rules"));
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" · ", (char **) names->pdata);
}

static void
show_patient (CabFollowupPanel   *self,
              CabFollowupPatient *patient)
{
  const CabPatientRow *row = cab_followup_patient_get_row (patient);
  GPtrArray *all = cab_followup_patient_get_all (patient);
  g_autofree char *conditions = conditions_text (self, patient);

  g_free (self->title);
  self->title = cab_format_patient_name (&row->patient);
  gtk_label_set_text (self->name_label, self->title);
  /* Never qualified when another patient holds the INS (principle 4). */
  cab_identity_badge_update (self->badge_label, cab_identity_status_shown (row));
  gtk_label_set_text (self->conditions_label, conditions);

  clear_cards (self);
  for (guint i = 0; all != NULL && i < all->len; i++)
    add_card (self, cab_followup_status_get_measure_id (g_ptr_array_index (all, i)));
  if (all == NULL || all->len == 0)
    {
      GtkWidget *label = gtk_label_new (_("No measure is due for this patient. You can still record one."));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 24);
      gtk_box_append (self->cards_box, label);
    }

  gtk_stack_set_visible_child_name (self->stack, "patient");
}

static void
documents_loaded_cb (CabFollowupPanel *self,
                     CabTimeline      *timeline)
{
  GListModel *model = G_LIST_MODEL (timeline);

  g_hash_table_remove_all (self->document_titles);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (cab_timeline_item_is_header (item) || cab_timeline_item_get_title (item) == NULL)
        continue;
      g_hash_table_insert (self->document_titles, g_strdup (cab_timeline_item_get_id (item)),
                           g_strdup (cab_timeline_item_get_title (item)));
    }
  for (guint i = 0; i < self->cards->len; i++)
    cab_measure_card_refresh_sources (g_ptr_array_index (self->cards, i));
}

/* ---------------------------------------------------------------------- */
/* the plan                                                               */

static void
plan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabFollowupPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabFollowupPatient) patient = cab_followup_query_patient_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->plan_loading = FALSE;
  gtk_spinner_stop (self->spinner);
  if (patient == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    show_patient (self, patient);
  notify_loading (self);
}

static void
load_plan (CabFollowupPanel *self)
{
  CabStore *store = get_store (self);
  GCancellable *cancellable;

  update_record_action (self);
  if (self->patient_id == NULL || store == NULL || self->rules == NULL)
    {
      cab_query_cancel (&self->query);
      self->plan_loading = FALSE;
      clear_cards (self);
      gtk_stack_set_visible_child_name (self->stack, "none");
      notify_loading (self);
      return;
    }

  cancellable = cab_query_supersede (&self->query);
  self->plan_loading = TRUE;
  gtk_spinner_start (self->spinner);
  cab_followup_query_patient_async (store, self->rules, self->patient_id, self->today,
                                    cancellable, plan_cb, g_object_ref (self));
  notify_loading (self);
}

/* A new patient: nothing of the last one stays on screen (principle 4). */
static void
reset_patient (CabFollowupPanel *self)
{
  clear_cards (self);
  g_hash_table_remove_all (self->document_titles);
  g_clear_pointer (&self->title, g_free);
  gtk_stack_set_visible_child_name (self->stack, self->patient_id != NULL ? "loading" : "none");
  if (self->documents != NULL)
    cab_timeline_set_patient (self->documents, get_store (self), self->patient_id, NULL);
  load_plan (self);
}

/* ---------------------------------------------------------------------- */
/* recording                                                              */

static void
recorded_cb (CabFollowupPanel *self,
             const char       *measure_id,
             CabRecordDialog  *dialog)
{
  CabMeasureCard *card = cab_followup_panel_get_card (self, measure_id);

  /* A measure outside the plan (a foot examination) gets its card now. */
  if (card == NULL && measure_id != NULL)
    card = add_card (self, measure_id);
  else if (card != NULL)
    cab_measure_card_reload (card);

  g_signal_emit (self, signals[RECORDED], 0, measure_id);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.outbox-queued", NULL);
}

static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cab_followup_panel_record (CAB_FOLLOWUP_PANEL (widget), NULL);
}

static void
session_changed_cb (CabFollowupPanel *self)
{
  if (self->documents != NULL)
    cab_timeline_set_store (self->documents, get_store (self));
  reset_patient (self);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_followup_panel_dispose (GObject *object)
{
  CabFollowupPanel *self = CAB_FOLLOWUP_PANEL (object);

  cab_query_cancel (&self->query);
  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (self->dialog);
      self->dialog = NULL;
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->documents != NULL)
    g_signal_handlers_disconnect_by_data (self->documents, self);
  g_clear_object (&self->documents);
  g_clear_pointer (&self->cards, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_FOLLOWUP_PANEL);

  G_OBJECT_CLASS (cab_followup_panel_parent_class)->dispose (object);
}

static void
cab_followup_panel_finalize (GObject *object)
{
  CabFollowupPanel *self = CAB_FOLLOWUP_PANEL (object);

  g_clear_object (&self->rules);
  g_clear_pointer (&self->document_titles, g_hash_table_unref);
  g_free (self->today);
  g_free (self->patient_id);
  g_free (self->title);

  G_OBJECT_CLASS (cab_followup_panel_parent_class)->finalize (object);
}

static void
cab_followup_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CabFollowupPanel *self = CAB_FOLLOWUP_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_RULES:
      g_value_set_object (value, self->rules);
      break;
    case PROP_TODAY:
      g_value_set_string (value, self->today);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, cab_followup_panel_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_panel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CabFollowupPanel *self = CAB_FOLLOWUP_PANEL (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_followup_panel_set_session (self, g_value_get_object (value));
      break;
    case PROP_RULES:
      cab_followup_panel_set_rules (self, g_value_get_object (value));
      break;
    case PROP_TODAY:
      cab_followup_panel_set_today (self, g_value_get_string (value));
      break;
    case PROP_PATIENT_ID:
      cab_followup_panel_set_patient_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_panel_class_init (CabFollowupPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_followup_panel_dispose;
  object_class->finalize = cab_followup_panel_finalize;
  object_class->get_property = cab_followup_panel_get_property;
  object_class->set_property = cab_followup_panel_set_property;

  properties[PROP_SESSION] = g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION, rw);
  properties[PROP_RULES] = g_param_spec_object ("rules", NULL, NULL, CAB_TYPE_FOLLOWUP_RULES, rw);
  properties[PROP_TODAY] = g_param_spec_string ("today", NULL, NULL, NULL, rw);
  properties[PROP_PATIENT_ID] = g_param_spec_string ("patient-id", NULL, NULL, NULL, rw);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RECORDED] = g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/followup/cab-followup-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, spinner);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, error_page);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, name_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, badge_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, conditions_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, record_button);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPanel, cards_box);

  gtk_widget_class_install_action (widget_class, "followup.record", NULL, record_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "followup.record", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-followup-panel");
}

static void
cab_followup_panel_init (CabFollowupPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cards = g_ptr_array_new ();
  self->document_titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* Lab reports only, without month headers: the titles the tooltips name. */
  self->documents = cab_timeline_new (NULL);
  cab_timeline_set_sections (self->documents, FALSE);
  cab_timeline_set_kind_filter (self->documents, CAB_KIND_FILTER_LAB);
  g_signal_connect_object (self->documents, "loaded", G_CALLBACK (documents_loaded_cb), self, G_CONNECT_SWAPPED);
  update_record_action (self);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_followup_panel_new (void)
{
  return g_object_new (CAB_TYPE_FOLLOWUP_PANEL, NULL);
}

void
cab_followup_panel_set_session (CabFollowupPanel *self,
                                CabSession       *session)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  /* The store and the outbox appear once the store is open. */
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::store", G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::outbox", G_CALLBACK (update_record_action), self, G_CONNECT_SWAPPED);
    }
  session_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
cab_followup_panel_set_rules (CabFollowupPanel *self,
                              CabFollowupRules *rules)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));

  if (!g_set_object (&self->rules, rules))
    return;
  reset_patient (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RULES]);
}

void
cab_followup_panel_set_today (CabFollowupPanel *self,
                              const char       *today)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));

  if (g_strcmp0 (self->today, today) == 0)
    return;
  g_free (self->today);
  self->today = g_strdup (today);
  reset_patient (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TODAY]);
}

void
cab_followup_panel_set_patient_id (CabFollowupPanel *self,
                                   const char       *patient_id)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));

  if (g_strcmp0 (self->patient_id, patient_id) == 0)
    return;
  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);
  reset_patient (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
}

const char *
cab_followup_panel_get_patient_id (CabFollowupPanel *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), NULL);

  return self->patient_id;
}

void
cab_followup_panel_reload (CabFollowupPanel *self)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));

  if (self->documents != NULL && self->patient_id != NULL)
    cab_timeline_reload (self->documents);
  /* The plan may have changed (a new condition): read it again. */
  load_plan (self);
}

gboolean
cab_followup_panel_get_loading (CabFollowupPanel *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), FALSE);

  if (self->plan_loading)
    return TRUE;
  for (guint i = 0; self->cards != NULL && i < self->cards->len; i++)
    if (cab_measure_card_get_loading (g_ptr_array_index (self->cards, i)))
      return TRUE;
  return FALSE;
}

void
cab_followup_panel_record (CabFollowupPanel *self,
                           const char       *measure_id)
{
  GtkRoot *root;
  CabOutbox *outbox;
  CabRecordDialog *dialog;

  g_return_if_fail (CAB_IS_FOLLOWUP_PANEL (self));

  outbox = self->session != NULL ? cab_session_get_outbox (self->session) : NULL;
  if (self->patient_id == NULL || self->rules == NULL || outbox == NULL || self->dialog != NULL)
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = cab_record_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                  outbox, self->rules, self->patient_id, measure_id);
  g_signal_connect_object (dialog, "recorded", G_CALLBACK (recorded_cb), self, G_CONNECT_SWAPPED);
  self->dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

guint
cab_followup_panel_get_n_cards (CabFollowupPanel *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), 0);

  return self->cards->len;
}

CabMeasureCard *
cab_followup_panel_get_card (CabFollowupPanel *self,
                             const char       *measure_id)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), NULL);

  for (guint i = 0; i < self->cards->len; i++)
    if (g_strcmp0 (cab_measure_card_get_measure_id (g_ptr_array_index (self->cards, i)), measure_id) == 0)
      return g_ptr_array_index (self->cards, i);
  return NULL;
}

GtkWindow *
cab_followup_panel_get_dialog (CabFollowupPanel *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), NULL);

  return self->dialog;
}

const char *
cab_followup_panel_get_title (CabFollowupPanel *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PANEL (self), NULL);

  return self->title;
}
