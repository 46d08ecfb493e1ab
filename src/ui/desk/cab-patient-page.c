/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patient-page"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "compose/cab-composer.h"
#include "outbox/cab-publish-dialog.h"
#include "prescribing/cab-prescription-editor.h"
#include "cab-patient-page.h"

struct _CabPatientPage
{
  GtkWidget         parent_instance;

  CabSession       *session;
  char             *patient_id;
  GCancellable     *refresh_cancellable;
  gboolean          refreshing;

  GtkWidget        *box;
  CabPatientHeader *header;
  AdwLeaflet       *leaflet;
  CabTimelineView  *timeline;
  CabDocumentPane  *document_pane;

  GBindingGroup    *session_bindings; /* the session's store and outbox, as they come */
  GSignalGroup     *outbox_signals;   /* watched for the timeline's "Pending" */
  guint             outbox_reload_id;
  GSignalGroup     *prefetch_signals; /* watched for the timeline's offline marks */
  guint             prefetch_reload_id;
};

G_DEFINE_FINAL_TYPE (CabPatientPage, cab_patient_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* publishing                                                             */

static CabOutbox *
get_outbox (CabPatientPage *self)
{
  return self->session != NULL ? cab_session_get_outbox (self->session) : NULL;
}

static void
publish_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (widget);
  CabOutbox *outbox = get_outbox (self);

  if (outbox == NULL || self->patient_id == NULL)
    return;

  cab_publish_dialog_choose_file (GTK_WINDOW (gtk_widget_get_root (widget)), outbox, self->patient_id);
}

/* The prescription editor, for the patient shown. */
static void
prescribe_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (widget);
  CabPrescriptionEditor *editor;

  if (self->session == NULL || cab_session_get_store (self->session) == NULL || self->patient_id == NULL)
    return;

  editor = cab_prescription_editor_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session, self->patient_id);
  gtk_window_present (GTK_WINDOW (editor));
}

/* A secure message about the patient shown ("Écrire…"). */
static void
write_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (widget);
  CabComposer *composer;

  if (self->session == NULL || cab_session_get_store (self->session) == NULL || self->patient_id == NULL)
    return;

  composer = cab_composer_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session);
  cab_composer_set_patient (composer, self->patient_id);
  gtk_window_present (GTK_WINDOW (composer));
}

/* A document of the timeline sent ("Envoyer…"): the composer, with it. */
static void
send_requested_cb (CabPatientPage *self,
                   const char     *document_id)
{
  CabComposer *composer;

  if (self->session == NULL || cab_session_get_store (self->session) == NULL || self->patient_id == NULL)
    return;

  composer = cab_composer_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->session);
  cab_composer_set_patient (composer, self->patient_id);
  cab_composer_add_document (composer, document_id);
  gtk_window_present (GTK_WINDOW (composer));
}

/* "Envoyer…" with Ctrl+Shift+E or the document bar's button: the document
 * read in the pane (a folded page shows no timeline to select it in), else
 * the timeline's selection. */
static void
send_document_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (widget);
  const char *document_id = cab_document_pane_get_document_id (self->document_pane);

  if (document_id != NULL)
    send_requested_cb (self, document_id);
  else
    gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.send", NULL);
}

/* A prescription of the timeline renewed: the editor, with its lines. */
static void
renew_requested_cb (CabPatientPage *self,
                    const char     *document_id)
{
  CabPrescriptionEditor *editor;

  if (self->session == NULL || cab_session_get_store (self->session) == NULL || self->patient_id == NULL)
    return;

  editor = cab_prescription_editor_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->session,
                                        self->patient_id);
  cab_prescription_editor_renew_document (editor, document_id);
  gtk_window_present (GTK_WINDOW (editor));
}

static gboolean
drop_cb (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         CabPatientPage *self)
{
  CabOutbox *outbox = get_outbox (self);
  GFile *file = NULL;

  if (outbox == NULL || self->patient_id == NULL)
    return FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      file = files != NULL ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;

  gtk_window_present (GTK_WINDOW (cab_publish_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                          outbox, self->patient_id, file)));
  return TRUE;
}

static gboolean
outbox_reload_cb (gpointer data)
{
  CabPatientPage *self = data;

  self->outbox_reload_id = 0;
  if (self->patient_id != NULL)
    cab_timeline_view_reload (self->timeline);
  return G_SOURCE_REMOVE;
}

/* A drain changes many entries in a row: one reload for a burst. */
static void
outbox_changed_cb (CabPatientPage *self,
                   CabOutbox      *outbox)
{
  if (self->outbox_reload_id == 0)
    self->outbox_reload_id = g_timeout_add (250, outbox_reload_cb, self);
}

static gboolean
prefetch_reload_cb (gpointer data)
{
  CabPatientPage *self = data;

  self->prefetch_reload_id = 0;
  if (self->patient_id != NULL)
    cab_timeline_view_reload (self->timeline);
  return G_SOURCE_REMOVE;
}

/* Contents land one after the other during a prefetch: at most one reload
 * a second for the offline marks. */
static void
document_cached_cb (CabPatientPage *self)
{
  if (self->prefetch_reload_id == 0)
    self->prefetch_reload_id = g_timeout_add (1000, prefetch_reload_cb, self);
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabPatientPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_session_refresh_patient_finish (CAB_SESSION (object), result, &error))
    {
      /* Cancelled: another patient is shown, and set_patient reset the header. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The window's header says offline or failed; the store still serves. */
      g_debug ("Patient refresh failed: %s", error->message);
    }

  self->refreshing = FALSE;
  cab_patient_header_set_refreshing (self->header, FALSE);
  cab_patient_page_reload (self);
}

static void
refresh_requested_cb (CabPatientPage   *self,
                      const char       *patient_id,
                      CabPatientHeader *header)
{
  if (self->session == NULL || patient_id == NULL)
    return;

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();

  self->refreshing = TRUE;
  cab_patient_header_set_refreshing (self->header, TRUE);
  cab_session_refresh_patient_async (self->session, patient_id, self->refresh_cancellable,
                                     refresh_cb, g_object_ref (self));
}

static void
document_activated_cb (CabPatientPage  *self,
                       const char      *document_id,
                       CabTimelineView *timeline)
{
  cab_document_pane_show_document (self->document_pane, document_id);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->document_pane));
}

static void
show_timeline_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (widget);

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->timeline));
  gtk_widget_grab_focus (GTK_WIDGET (cab_timeline_view_get_list_view (self->timeline)));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_patient_page_dispose (GObject *object)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (object);

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  if (self->session_bindings != NULL)
    g_binding_group_set_source (self->session_bindings, NULL);
  if (self->outbox_signals != NULL)
    g_signal_group_set_target (self->outbox_signals, NULL);
  if (self->prefetch_signals != NULL)
    g_signal_group_set_target (self->prefetch_signals, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->session);
  g_clear_object (&self->session_bindings);
  g_clear_object (&self->outbox_signals);
  g_clear_handle_id (&self->outbox_reload_id, g_source_remove);
  g_clear_object (&self->prefetch_signals);
  g_clear_handle_id (&self->prefetch_reload_id, g_source_remove);

  G_OBJECT_CLASS (cab_patient_page_parent_class)->dispose (object);
}

static void
cab_patient_page_finalize (GObject *object)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (object);

  g_free (self->patient_id);

  G_OBJECT_CLASS (cab_patient_page_parent_class)->finalize (object);
}

static void
cab_patient_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CabPatientPage *self = CAB_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_patient_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_page_class_init (CabPatientPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_patient_page_dispose;
  object_class->finalize = cab_patient_page_finalize;
  object_class->get_property = cab_patient_page_get_property;
  object_class->set_property = cab_patient_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabpatientpage");

  gtk_widget_class_install_action (widget_class, "patient.show-timeline", NULL, show_timeline_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "patient.show-timeline", NULL);
  gtk_widget_class_install_action (widget_class, "patient.publish", NULL, publish_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK,
                                       "patient.publish", NULL);
  gtk_widget_class_install_action (widget_class, "patient.write", NULL, write_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "patient.write", NULL);
  gtk_widget_class_install_action (widget_class, "patient.send-document", NULL, send_document_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "patient.send-document", NULL);
  gtk_widget_class_install_action (widget_class, "patient.prescribe", NULL, prescribe_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "patient.prescribe", NULL);
}

static void
cab_patient_page_init (CabPatientPage *self)
{
  AdwLeafletPage *page;
  GtkDropTarget *drop;
  GtkWidget *bar, *publish, *hint, *prescribe, *write;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->header = CAB_PATIENT_HEADER (cab_patient_header_new ());
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->header));
  g_signal_connect_object (self->header, "refresh-requested",
                           G_CALLBACK (refresh_requested_cb), self, G_CONNECT_SWAPPED);

  gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->leaflet = ADW_LEAFLET (adw_leaflet_new ());
  adw_leaflet_set_can_navigate_back (self->leaflet, TRUE);
  adw_leaflet_set_transition_type (self->leaflet, ADW_LEAFLET_TRANSITION_TYPE_OVER);
  gtk_widget_set_vexpand (GTK_WIDGET (self->leaflet), TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->leaflet));

  self->timeline = CAB_TIMELINE_VIEW (cab_timeline_view_new ());
  page = adw_leaflet_append (self->leaflet, GTK_WIDGET (self->timeline));
  adw_leaflet_page_set_name (page, "timeline");
  g_signal_connect_object (self->timeline, "document-activated",
                           G_CALLBACK (document_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "renew-requested",
                           G_CALLBACK (renew_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "send-requested",
                           G_CALLBACK (send_requested_cb), self, G_CONNECT_SWAPPED);

  page = adw_leaflet_append (self->leaflet, gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  adw_leaflet_page_set_navigatable (page, FALSE);

  self->document_pane = CAB_DOCUMENT_PANE (cab_document_pane_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->document_pane), TRUE);
  page = adw_leaflet_append (self->leaflet, GTK_WIDGET (self->document_pane));
  adw_leaflet_page_set_name (page, "document");

  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->timeline));
  /* Folded, the pane takes the whole width and needs a way back. */
  g_object_bind_property (self->leaflet, "folded", self->document_pane, "show-back", G_BINDING_SYNC_CREATE);

  /* A PDF dropped on the timeline is published to this patient's DMP. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->timeline), GTK_EVENT_CONTROLLER (drop));

  bar = gtk_action_bar_new ();
  prescribe = gtk_button_new_with_mnemonic (_("P_rescribe…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (prescribe), "patient.prescribe");
  gtk_widget_set_tooltip_text (prescribe, _("Write a prescription for this patient (Ctrl+Shift+P)"));
  gtk_action_bar_pack_end (GTK_ACTION_BAR (bar), prescribe);
  write = gtk_button_new_with_mnemonic (_("_Write…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (write), "patient.write");
  gtk_widget_set_tooltip_text (write, _("Write a secure message about this patient (Ctrl+Shift+N)"));
  gtk_action_bar_pack_end (GTK_ACTION_BAR (bar), write);
  publish = gtk_button_new_with_mnemonic (_("_Publish a Document…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (publish), "patient.publish");
  gtk_widget_set_tooltip_text (publish, _("Send a PDF to the patient’s DMP (Ctrl+U)"));
  gtk_action_bar_pack_start (GTK_ACTION_BAR (bar), publish);
  hint = gtk_label_new (_("or drop a PDF on the timeline"));
  gtk_widget_add_css_class (hint, "dim-label");
  /* The hint gives way first: at its full width (long in French) the bar
   * would be wider than the page and fold the window down to its sidebar. */
  gtk_label_set_ellipsize (GTK_LABEL (hint), PANGO_ELLIPSIZE_END);
  gtk_action_bar_pack_start (GTK_ACTION_BAR (bar), hint);
  gtk_box_append (GTK_BOX (self->box), bar);

  /* What follows the session: the document pane gets it, the header its
   * store, and the outbox's changes reload the timeline. */
  g_object_bind_property (self, "session", self->document_pane, "session", G_BINDING_SYNC_CREATE);

  self->outbox_signals = g_signal_group_new (CAB_TYPE_OUTBOX);
  g_signal_group_connect_object (self->outbox_signals, "changed",
                                 G_CALLBACK (outbox_changed_cb), self, G_CONNECT_SWAPPED);

  self->prefetch_signals = g_signal_group_new (CAB_TYPE_PREFETCH);
  g_signal_group_connect_object (self->prefetch_signals, "document-cached",
                                 G_CALLBACK (document_cached_cb), self, G_CONNECT_SWAPPED);

  self->session_bindings = g_binding_group_new ();
  g_binding_group_bind (self->session_bindings, "store", self->header, "store", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->session_bindings, "outbox", self->outbox_signals, "target", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->session_bindings, "prefetch", self->prefetch_signals, "target", G_BINDING_SYNC_CREATE);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_patient_page_new (void)
{
  return g_object_new (CAB_TYPE_PATIENT_PAGE, NULL);
}

void
cab_patient_page_set_session (CabPatientPage *self,
                              CabSession     *session)
{
  g_return_if_fail (CAB_IS_PATIENT_PAGE (self));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_binding_group_set_source (self->session_bindings, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
cab_patient_page_set_image_link_template (CabPatientPage *self,
                                          const char     *template_)
{
  g_return_if_fail (CAB_IS_PATIENT_PAGE (self));

  cab_document_pane_set_image_link_template (self->document_pane, template_);
}

void
cab_patient_page_set_patient (CabPatientPage *self,
                              const char     *patient_id,
                              const char     *opened_at)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_PATIENT_PAGE (self));
  g_return_if_fail (patient_id != NULL);
  g_return_if_fail (self->session != NULL);

  store = cab_session_get_store (self->session);
  g_return_if_fail (store != NULL);

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refreshing = FALSE;
  cab_patient_header_set_refreshing (self->header, FALSE);

  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);

  cab_document_pane_clear (self->document_pane);
  cab_patient_header_set_patient (self->header, store, patient_id);
  /* A new patient starts from the whole timeline. */
  cab_timeline_view_set_kind_filter (self->timeline, CAB_KIND_FILTER_ALL);
  cab_timeline_view_set_date_range (self->timeline, NULL, NULL);
  cab_timeline_view_set_search_text (self->timeline, NULL);
  cab_timeline_view_set_patient (self->timeline, store, patient_id, opened_at);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->timeline));
}

const char *
cab_patient_page_get_patient_id (CabPatientPage *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_PAGE (self), NULL);

  return self->patient_id;
}

void
cab_patient_page_reload (CabPatientPage *self)
{
  g_return_if_fail (CAB_IS_PATIENT_PAGE (self));

  if (self->patient_id == NULL)
    return;

  cab_patient_header_reload (self->header);
  cab_timeline_view_reload (self->timeline);
}

gboolean
cab_patient_page_get_refreshing (CabPatientPage *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_PAGE (self), FALSE);

  return self->refreshing;
}

CabPatientHeader *
cab_patient_page_get_header (CabPatientPage *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_PAGE (self), NULL);

  return self->header;
}

CabTimelineView *
cab_patient_page_get_timeline (CabPatientPage *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_PAGE (self), NULL);

  return self->timeline;
}

CabDocumentPane *
cab_patient_page_get_document_pane (CabPatientPage *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_PAGE (self), NULL);

  return self->document_pane;
}
