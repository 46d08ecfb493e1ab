/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-desk.h"
#include "cab-patient-queries.h"
#include "cab-query.h"

/* Quick links kept in "recent-patients". */
#define MAX_RECENT 8

struct _CabDesk
{
  GtkWidget         parent_instance;

  CabSession       *session;
  GSettings        *settings;
  GSignalGroup     *session_signals;
  GBindingGroup    *session_bindings;
  GCancellable     *open_cancellable;  /* marking the patient opened (a query slot) */
  char             *opening_id;

  GtkWidget        *box;
  GtkRevealer      *search_revealer;
  CabPatientSearch *search;
  GtkStack         *stack;
  GtkWidget        *overview;
  CabPatientPage   *patient_page;
};

G_DEFINE_FINAL_TYPE (CabDesk, cab_desk, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_OVERVIEW,
  PROP_SEARCH_VISIBLE,
  PROP_TITLE,
  PROP_PATIENT_ID,
  N_PROPS
};

enum {
  PATIENT_OPENED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static void
remember_recent (CabDesk    *self,
                 const char *patient_id)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  if (self->settings == NULL)
    return;

  old = g_settings_get_strv (self->settings, "recent-patients");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, patient_id);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (old[i], patient_id) != 0)
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-patients", (const char * const *) recent);
}

static void
update_link_template (CabDesk *self)
{
  g_autofree char *template_ = NULL;

  if (self->settings != NULL)
    template_ = g_settings_get_string (self->settings, "image-viewer-url-template");
  cab_patient_page_set_image_link_template (self->patient_page, template_);
}

/* ---------------------------------------------------------------------- */
/* opening a patient                                                      */

/* Another patient opened meanwhile, or the desk disposed, cancels the
 * query: @user_data is only used once it is known not cancelled. */
static void
mark_opened_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CabDesk *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *patient_id = NULL;
  CabSync *sync;

  cab_patient_query_mark_opened_finish (result, &previous, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CAB_DESK (user_data);
  g_clear_object (&self->open_cancellable);

  /* Not recorded is no reason to keep the doctor from the record. */
  if (error != NULL)
    g_warning ("Cannot record the opening of a patient: %s", error->message);

  patient_id = g_steal_pointer (&self->opening_id);
  cab_patient_page_set_patient (self->patient_page, patient_id, previous);
  gtk_stack_set_visible_child_name (self->stack, "patient");
  cab_desk_set_search_visible (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (cab_timeline_view_get_list_view (cab_patient_page_get_timeline (self->patient_page))));

  /* The patient on screen goes first in a running sync. */
  sync = cab_session_get_sync (self->session);
  if (sync != NULL && cab_sync_get_state (sync) == CAB_SYNC_STATE_RUNNING)
    cab_sync_prioritize_patient (sync, patient_id);

  remember_recent (self, patient_id);
  /* The next search starts afresh. */
  cab_patient_search_set_text (self->search, "");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_signal_emit (self, signals[PATIENT_OPENED], 0, patient_id);
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

static void
patient_activated_cb (CabDesk          *self,
                      const char       *patient_id,
                      CabPatientSearch *search)
{
  cab_desk_open_patient (self, patient_id);
}

static void
header_loading_cb (CabDesk *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
settings_changed_cb (CabDesk    *self,
                     const char *key,
                     GSettings  *settings)
{
  if (g_strcmp0 (key, "image-viewer-url-template") == 0)
    update_link_template (self);
}

static void
sync_finished_cb (CabDesk    *self,
                  gboolean    success,
                  CabSession *session)
{
  /* New patients, or new documents for the one on screen. */
  cab_patient_search_refresh (self->search);
  if (success)
    cab_patient_page_reload (self->patient_page);
}

static void
set_session (CabDesk    *self,
             CabSession *session)
{
  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  g_binding_group_set_source (self->session_bindings, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  cab_desk_focus_search (CAB_DESK (widget));
}

static void
home_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  cab_desk_show_home (CAB_DESK (widget));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_desk_dispose (GObject *object)
{
  CabDesk *self = CAB_DESK (object);

  cab_query_cancel (&self->open_cancellable);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->session_bindings != NULL)
    g_binding_group_set_source (self->session_bindings, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session_bindings);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cab_desk_parent_class)->dispose (object);
}

static void
cab_desk_finalize (GObject *object)
{
  CabDesk *self = CAB_DESK (object);

  g_free (self->opening_id);

  G_OBJECT_CLASS (cab_desk_parent_class)->finalize (object);
}

static void
cab_desk_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CabDesk *self = CAB_DESK (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_OVERVIEW:
      g_value_set_object (value, self->overview);
      break;
    case PROP_SEARCH_VISIBLE:
      g_value_set_boolean (value, cab_desk_get_search_visible (self));
      break;
    case PROP_TITLE:
      g_value_set_string (value, cab_desk_get_title (self));
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, cab_desk_get_patient_id (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_desk_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CabDesk *self = CAB_DESK (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      set_session (self, g_value_get_object (value));
      break;
    case PROP_OVERVIEW:
      cab_desk_set_overview (self, g_value_get_object (value));
      break;
    case PROP_SEARCH_VISIBLE:
      cab_desk_set_search_visible (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_desk_class_init (CabDeskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_desk_dispose;
  object_class->finalize = cab_desk_finalize;
  object_class->get_property = cab_desk_get_property;
  object_class->set_property = cab_desk_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERVIEW] =
    g_param_spec_object ("overview", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_VISIBLE] =
    g_param_spec_boolean ("search-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PATIENT_OPENED] =
    g_signal_new ("patient-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabdesk");

  gtk_widget_class_install_action (widget_class, "desk.find-patient", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "desk.home", NULL, home_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "desk.find-patient", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "desk.find-patient", NULL);
}

static void
cab_desk_init (CabDesk *self)
{
  GtkWidget *column;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->search_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->search_revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_RIGHT);
  gtk_revealer_set_reveal_child (self->search_revealer, TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->search_revealer));

  column = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_revealer_set_child (self->search_revealer, column);

  self->search = CAB_PATIENT_SEARCH (cab_patient_search_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->search), 360, -1);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->search));
  gtk_box_append (GTK_BOX (column), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  g_signal_connect_object (self->search, "patient-activated",
                           G_CALLBACK (patient_activated_cb), self, G_CONNECT_SWAPPED);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  /* The overview must not take the patient page's minimum width. */
  gtk_stack_set_hhomogeneous (self->stack, FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->stack));

  self->patient_page = CAB_PATIENT_PAGE (cab_patient_page_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->patient_page), "patient");
  g_signal_connect_object (cab_patient_page_get_header (self->patient_page), "notify::loading",
                           G_CALLBACK (header_loading_cb), self, G_CONNECT_SWAPPED);

  /* What follows the session: the patient page gets it, the search its
   * store, and each sync's end refreshes what is shown. */
  g_object_bind_property (self, "session", self->patient_page, "session", G_BINDING_SYNC_CREATE);

  self->session_bindings = g_binding_group_new ();
  g_binding_group_bind (self->session_bindings, "store", self->search, "store", G_BINDING_SYNC_CREATE);

  self->session_signals = g_signal_group_new (CAB_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "sync-finished",
                                 G_CALLBACK (sync_finished_cb), self, G_CONNECT_SWAPPED);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_desk_new (void)
{
  return g_object_new (CAB_TYPE_DESK, NULL);
}

void
cab_desk_set_session (CabDesk    *self,
                      CabSession *session,
                      GSettings  *settings)
{
  g_return_if_fail (CAB_IS_DESK (self));
  g_return_if_fail (CAB_IS_SESSION (session));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (self->settings != settings)
    {
      if (self->settings != NULL)
        g_signal_handlers_disconnect_by_data (self->settings, self);
      g_set_object (&self->settings, settings);
      if (settings != NULL)
        g_signal_connect_object (settings, "changed",
                                 G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
      update_link_template (self);
    }

  set_session (self, session);
}

void
cab_desk_set_overview (CabDesk   *self,
                       GtkWidget *overview)
{
  gboolean home;

  g_return_if_fail (CAB_IS_DESK (self));
  g_return_if_fail (overview == NULL || GTK_IS_WIDGET (overview));

  if (self->overview == overview)
    return;

  home = self->overview == NULL ||
         gtk_stack_get_visible_child (self->stack) == self->overview;
  if (self->overview != NULL)
    gtk_stack_remove (self->stack, self->overview);
  self->overview = overview;
  if (overview != NULL)
    {
      gtk_stack_add_named (self->stack, overview, "home");
      if (home)
        gtk_stack_set_visible_child (self->stack, overview);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERVIEW]);
}

void
cab_desk_open_patient (CabDesk    *self,
                       const char *patient_id)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_DESK (self));
  g_return_if_fail (patient_id != NULL);

  if (self->session == NULL || (store = cab_session_get_store (self->session)) == NULL)
    return;

  g_free (self->opening_id);
  self->opening_id = g_strdup (patient_id);

  /* A patient chosen before the last one was shown takes its place: the
   * first is neither shown nor, when its query has not started, recorded. */
  cab_patient_query_mark_opened_async (store, patient_id, cab_query_supersede (&self->open_cancellable),
                                       mark_opened_cb, self);
}

void
cab_desk_show_home (CabDesk *self)
{
  g_return_if_fail (CAB_IS_DESK (self));

  cab_desk_set_search_visible (self, TRUE);
  if (self->overview != NULL)
    gtk_stack_set_visible_child (self->stack, self->overview);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
cab_desk_focus_search (CabDesk *self)
{
  g_return_if_fail (CAB_IS_DESK (self));

  cab_desk_set_search_visible (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search));
}

const char *
cab_desk_get_patient_id (CabDesk *self)
{
  g_return_val_if_fail (CAB_IS_DESK (self), NULL);

  if (gtk_stack_get_visible_child (self->stack) != GTK_WIDGET (self->patient_page))
    return NULL;
  return cab_patient_page_get_patient_id (self->patient_page);
}

const char *
cab_desk_get_title (CabDesk *self)
{
  CabPatientHeader *header;

  g_return_val_if_fail (CAB_IS_DESK (self), NULL);

  if (cab_desk_get_patient_id (self) == NULL)
    return NULL;
  header = cab_patient_page_get_header (self->patient_page);
  if (cab_patient_header_get_loading (header))
    return NULL;
  return cab_patient_header_get_title (header);
}

gboolean
cab_desk_get_opening (CabDesk *self)
{
  g_return_val_if_fail (CAB_IS_DESK (self), FALSE);

  return self->opening_id != NULL;
}

gboolean
cab_desk_get_search_visible (CabDesk *self)
{
  g_return_val_if_fail (CAB_IS_DESK (self), FALSE);

  return gtk_revealer_get_reveal_child (self->search_revealer);
}

void
cab_desk_set_search_visible (CabDesk  *self,
                             gboolean  visible)
{
  g_return_if_fail (CAB_IS_DESK (self));

  /* With no patient open, the search is the page. */
  if (!visible && gtk_stack_get_visible_child (self->stack) != GTK_WIDGET (self->patient_page))
    visible = TRUE;

  if (gtk_revealer_get_reveal_child (self->search_revealer) == visible)
    return;
  gtk_revealer_set_reveal_child (self->search_revealer, visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_VISIBLE]);
}

CabPatientSearch *
cab_desk_get_search (CabDesk *self)
{
  g_return_val_if_fail (CAB_IS_DESK (self), NULL);

  return self->search;
}

CabPatientPage *
cab_desk_get_patient_page (CabDesk *self)
{
  g_return_val_if_fail (CAB_IS_DESK (self), NULL);

  return self->patient_page;
}
