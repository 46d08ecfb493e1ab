/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cab-date-format.h"
#include "cab-timeline-row.h"
#include "cab-timeline-view.h"
#include "patients/cab-patient-format.h"

enum {
  PERIOD_ALL,
  PERIOD_YEAR,
  PERIOD_FIVE_YEARS,
  PERIOD_CUSTOM,
};

struct _CabTimelineView
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkToggleButton    *kind_all;
  GtkToggleButton    *kind_reports;
  GtkToggleButton    *kind_lab;
  GtkToggleButton    *kind_imaging;
  GtkToggleButton    *kind_prescriptions;
  GtkToggleButton    *kind_vaccination;
  GtkToggleButton    *kind_other;
  GtkDropDown        *period_dropdown;
  GtkEntry           *from_entry;
  GtkEntry           *to_entry;
  GtkSearchEntry     *text_entry;
  GtkStack           *stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;
  GtkWidget          *renew_button;
  GtkWidget          *send_button;

  CabTimeline        *timeline;     /* the model: queries, filters, sections */
  GtkSingleSelection *selection;
  gboolean            syncing_widgets;   /* filters set from code, not by the user */
};

G_DEFINE_FINAL_TYPE (CabTimelineView, cab_timeline_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_N_DOCUMENTS,
  PROP_TIMELINE,
  N_PROPS
};

enum {
  DOCUMENT_ACTIVATED,
  RENEW_REQUESTED,
  SEND_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* The model                                                            */
/* ------------------------------------------------------------------ */

static gboolean
filters_active (CabTimelineView *self)
{
  return cab_timeline_get_kind_filter (self->timeline) != CAB_KIND_FILTER_ALL ||
         cab_timeline_get_date_from (self->timeline) != NULL ||
         cab_timeline_get_date_to (self->timeline) != NULL ||
         cab_timeline_get_text (self->timeline) != NULL;
}

static void
show_empty_state (CabTimelineView *self)
{
  if (cab_timeline_get_patient_id (self->timeline) == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No patient open"));
      adw_status_page_set_description (self->empty_page, NULL);
    }
  else if (filters_active (self))
    {
      adw_status_page_set_title (self->empty_page, _("No matching documents"));
      adw_status_page_set_description (self->empty_page, _("Try another kind of document, a wider period or other words."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No documents"));
      adw_status_page_set_description (self->empty_page, _("This patient’s health space holds no document yet."));
    }
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* The model holds the newest query's entries. */
static void
timeline_loaded_cb (CabTimelineView *self,
                    CabTimeline     *timeline)
{
  const GError *error = cab_timeline_get_error (timeline);

  if (error != NULL)
    g_warning ("Cannot read the timeline: %s", error->message);

  if (g_list_model_get_n_items (G_LIST_MODEL (timeline)) > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
    }
  else
    show_empty_state (self);
}

static void
timeline_notify_cb (CabTimelineView *self,
                    GParamSpec      *pspec,
                    CabTimeline     *timeline)
{
  if (g_str_equal (pspec->name, "loading"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  else if (g_str_equal (pspec->name, "n-documents"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DOCUMENTS]);
}

/* ------------------------------------------------------------------ */
/* Filter widgets                                                       */
/* ------------------------------------------------------------------ */

static GtkToggleButton *
kind_button (CabTimelineView *self,
             CabKindFilter    kind)
{
  GtkToggleButton *buttons[] = {
    self->kind_all, self->kind_reports, self->kind_lab, self->kind_imaging,
    self->kind_prescriptions, self->kind_vaccination, self->kind_other,
  };

  return buttons[MIN (kind, CAB_KIND_FILTER_LAST)];
}

static void
kind_toggled_cb (CabTimelineView *self,
                 GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button) || self->syncing_widgets)
    return;

  for (CabKindFilter k = CAB_KIND_FILTER_ALL; k <= CAB_KIND_FILTER_LAST; k++)
    if (kind_button (self, k) == button)
      cab_timeline_view_set_kind_filter (self, k);
}

static void
set_entry_date (GtkEntry   *entry,
                const char *iso)
{
  g_autofree char *text = cab_format_date (iso);

  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
}

static void
apply_range (CabTimelineView *self,
             const char      *from,
             const char      *to)
{
  cab_timeline_set_date_range (self->timeline, from, to);
}

/* An entry holds a date, nothing, or something else (marked, not applied). */
static gboolean
parse_entry (GtkEntry  *entry,
             char     **iso)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  *iso = NULL;
  if (trimmed[0] == '\0')
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      return TRUE;
    }
  *iso = cab_parse_french_date (trimmed);
  if (*iso == NULL)
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  return *iso != NULL;
}

static void
date_entry_changed_cb (CabTimelineView *self)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean from_ok, to_ok;

  if (self->syncing_widgets)
    return;

  from_ok = parse_entry (self->from_entry, &from);
  to_ok = parse_entry (self->to_entry, &to);

  self->syncing_widgets = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown,
                              from == NULL && to == NULL ? PERIOD_ALL : PERIOD_CUSTOM);
  self->syncing_widgets = FALSE;

  if (from_ok && to_ok)
    apply_range (self, from, to);
}

static void
period_changed_cb (CabTimelineView *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autofree char *from = NULL;
  guint period;

  if (self->syncing_widgets)
    return;

  period = gtk_drop_down_get_selected (self->period_dropdown);
  if (period == PERIOD_CUSTOM)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->from_entry));
      return;
    }

  now = g_date_time_new_now_local ();
  if (period == PERIOD_YEAR)
    start = g_date_time_add_years (now, -1);
  else if (period == PERIOD_FIVE_YEARS)
    start = g_date_time_add_years (now, -5);
  if (start != NULL)
    from = g_date_time_format (start, "%Y-%m-%d");

  self->syncing_widgets = TRUE;
  set_entry_date (self->from_entry, from);
  set_entry_date (self->to_entry, NULL);
  self->syncing_widgets = FALSE;

  apply_range (self, from, NULL);
}

static void
text_changed_cb (CabTimelineView *self)
{
  if (self->syncing_widgets)
    return;

  cab_timeline_view_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
}

static void
list_activate_cb (CabTimelineView *self,
                  guint            position)
{
  g_autoptr(CabTimelineItem) item = g_list_model_get_item (G_LIST_MODEL (self->timeline), position);

  if (item != NULL && !cab_timeline_item_is_header (item))
    g_signal_emit (self, signals[DOCUMENT_ACTIVATED], 0, cab_timeline_item_get_id (item));
}

/* ------------------------------------------------------------------ */
/* Renewal: a selected prescription can be renewed ("Renouveler"); the  */
/* view only asks, whoever shows it opens the prescription editor.      */
/* ------------------------------------------------------------------ */

static CabTimelineItem *
selected_prescription (CabTimelineView *self)
{
  CabTimelineItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item == NULL || cab_timeline_item_is_header (item) ||
      cab_timeline_item_get_kind (item) != CAB_DOCUMENT_KIND_PRESCRIPTION)
    return NULL;
  return item;
}

/* Sending: a selected document can be sent in a secure message
 * ("Envoyer…"); whoever shows the view opens the composer. */
static CabTimelineItem *
selected_document (CabTimelineView *self)
{
  CabTimelineItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item == NULL || cab_timeline_item_is_header (item))
    return NULL;
  return item;
}

static void
update_renew (CabTimelineView *self)
{
  gboolean can = selected_prescription (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "timeline.renew", can);
  gtk_widget_set_visible (self->renew_button, can);
  can = selected_document (self) != NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "timeline.send", can);
  gtk_widget_set_visible (self->send_button, can);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (widget);
  CabTimelineItem *item = selected_document (self);

  if (item != NULL)
    g_signal_emit (self, signals[SEND_REQUESTED], 0, cab_timeline_item_get_id (item));
}

static void
renew_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (widget);
  CabTimelineItem *item = selected_prescription (self);

  if (item != NULL)
    g_signal_emit (self, signals[RENEW_REQUESTED], 0, cab_timeline_item_get_id (item));
}

static gboolean
focus_search_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->text_entry));
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, cab_timeline_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  CabTimelineItem *item = gtk_list_item_get_item (list_item);
  gboolean header = cab_timeline_item_is_header (item);

  /* Month headers are read, not opened or selected. */
  gtk_list_item_set_activatable (list_item, !header);
  gtk_list_item_set_selectable (list_item, !header);
  cab_timeline_row_set_item (CAB_TIMELINE_ROW (gtk_list_item_get_child (list_item)), item);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_timeline_view_dispose (GObject *object)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (object);

  /* A running query keeps the model alive past the view: it must not call
   * back into a view that is gone. */
  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_TIMELINE_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (cab_timeline_view_parent_class)->dispose (object);
}

static void
cab_timeline_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, cab_timeline_get_loading (self->timeline));
      break;
    case PROP_N_DOCUMENTS:
      g_value_set_uint (value, cab_timeline_get_n_documents (self->timeline));
      break;
    case PROP_TIMELINE:
      g_value_set_object (value, self->timeline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_timeline_view_class_init (CabTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_timeline_view_dispose;
  object_class->get_property = cab_timeline_view_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_DOCUMENTS] =
    g_param_spec_uint ("n-documents", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMELINE] =
    g_param_spec_object ("timeline", NULL, NULL, CAB_TYPE_TIMELINE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabTimelineView::document-activated:
   * @document_id: the store id of the document to open
   */
  signals[DOCUMENT_ACTIVATED] =
    g_signal_new ("document-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * CabTimelineView::renew-requested:
   * @document_id: the store id of the prescription's printed copy
   *
   * The user asked to renew the selected prescription (the Renew button
   * or Ctrl+Shift+R).
   */
  signals[RENEW_REQUESTED] =
    g_signal_new ("renew-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * CabTimelineView::send-requested:
   * @document_id: the selected document
   *
   * The user asked to send the selected document in a secure message.
   */
  signals[SEND_REQUESTED] =
    g_signal_new ("send-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_install_action (widget_class, "timeline.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "timeline.renew", NULL, renew_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "timeline.renew", NULL);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/timeline/cab-timeline-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, box);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_all);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_reports);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_lab);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_imaging);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_prescriptions);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_vaccination);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, kind_other);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, text_entry);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, stack);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, list_view);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, renew_button);
  gtk_widget_class_bind_template_child (widget_class, CabTimelineView, send_button);
  gtk_widget_class_bind_template_callback (widget_class, kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, period_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, date_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  /* Ctrl+F searches this patient's documents. */
  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, focus_search_cb, NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabtimelineview");
}

static void
cab_timeline_view_init (CabTimelineView *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->timeline = cab_timeline_new (NULL);
  g_signal_connect_object (self->timeline, "loaded", G_CALLBACK (timeline_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "notify", G_CALLBACK (timeline_notify_cb), self, G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->timeline)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (update_renew), self,
                           G_CONNECT_SWAPPED);
  update_renew (self);

  show_empty_state (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

GtkWidget *
cab_timeline_view_new (void)
{
  return g_object_new (CAB_TYPE_TIMELINE_VIEW, NULL);
}

void
cab_timeline_view_set_patient (CabTimelineView *self,
                               CabStore        *store,
                               const char      *patient_id,
                               const char      *opened_at)
{
  g_autoptr(GDateTime) opened = NULL;

  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (g_strcmp0 (cab_timeline_get_patient_id (self->timeline), patient_id) != 0)
    {
      /* Another patient: the text typed for the previous one goes too (the
       * model drops that patient's entries itself; the query this starts is
       * superseded by the next line's). */
      self->syncing_widgets = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), "");
      self->syncing_widgets = FALSE;
      cab_timeline_set_text (self->timeline, NULL);
    }

  opened = cab_date_parse (opened_at, NULL);
  cab_timeline_set_patient (self->timeline, store, patient_id, opened);
}

const char *
cab_timeline_view_get_patient_id (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return cab_timeline_get_patient_id (self->timeline);
}

void
cab_timeline_view_reload (CabTimelineView *self)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));

  cab_timeline_reload (self->timeline);
}

void
cab_timeline_view_set_kind_filter (CabTimelineView *self,
                                   CabKindFilter    kind)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));
  g_return_if_fail (kind <= CAB_KIND_FILTER_LAST);

  if (cab_timeline_get_kind_filter (self->timeline) == kind)
    return;

  self->syncing_widgets = TRUE;
  gtk_toggle_button_set_active (kind_button (self, kind), TRUE);
  self->syncing_widgets = FALSE;
  cab_timeline_set_kind_filter (self->timeline, kind);
}

CabKindFilter
cab_timeline_view_get_kind_filter (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), CAB_KIND_FILTER_ALL);

  return cab_timeline_get_kind_filter (self->timeline);
}

void
cab_timeline_view_set_date_range (CabTimelineView *self,
                                  const char      *from,
                                  const char      *to)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));

  self->syncing_widgets = TRUE;
  set_entry_date (self->from_entry, from);
  set_entry_date (self->to_entry, to);
  gtk_drop_down_set_selected (self->period_dropdown,
                              from == NULL && to == NULL ? PERIOD_ALL : PERIOD_CUSTOM);
  self->syncing_widgets = FALSE;

  apply_range (self, from, to);
}

void
cab_timeline_view_set_search_text (CabTimelineView *self,
                                   const char      *text)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));

  if (text != NULL && text[0] == '\0')
    text = NULL;
  if (g_strcmp0 (cab_timeline_get_text (self->timeline), text) == 0)
    return;

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)), text != NULL ? text : "") != 0)
    {
      self->syncing_widgets = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text != NULL ? text : "");
      self->syncing_widgets = FALSE;
    }
  cab_timeline_set_text (self->timeline, text);
}

GListModel *
cab_timeline_view_get_model (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return G_LIST_MODEL (self->timeline);
}

CabTimeline *
cab_timeline_view_get_timeline (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return self->timeline;
}

guint
cab_timeline_view_get_n_documents (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), 0);

  return cab_timeline_get_n_documents (self->timeline);
}

gboolean
cab_timeline_view_get_busy (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), FALSE);

  return cab_timeline_get_loading (self->timeline);
}

GtkListView *
cab_timeline_view_get_list_view (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return self->list_view;
}
