/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cab-store-outbox.h"
#include "cab-timeline-item.h"
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

  CabStore           *store;
  char               *patient_id;
  GDateTime          *opened_at;
  CabKindFilter       kind;
  char               *date_from;
  char               *date_to;
  char               *text;

  GListStore         *items;
  GtkSingleSelection *selection;
  GCancellable       *cancellable;
  guint               generation;
  guint               n_documents;
  gboolean            busy;
  gboolean            syncing_widgets;   /* filters set from code, not by the user */
};

G_DEFINE_FINAL_TYPE (CabTimelineView, cab_timeline_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_N_DOCUMENTS,
  N_PROPS
};

enum {
  DOCUMENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Query on a worker thread                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  CabStore      *store;
  char          *patient_id;
  GDateTime     *opened_at;
  CabKindFilter  kind;
  char          *date_from;
  char          *date_to;
  char          *text;
  guint          generation;
} TimelineQuery;

typedef struct
{
  GPtrArray *items;        /* CabTimelineItem*, headers included */
  guint      n_documents;
} TimelineResult;

static void
timeline_query_free (TimelineQuery *query)
{
  g_clear_object (&query->store);
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

/* "2026-11" -> "Novembre 2026" (the month name from the locale, capitalised). */
static char *
month_label (const char *sort_date)
{
  g_autoptr(GDateTime) month = NULL;
  g_autofree char *text = NULL;
  GString *out;

  if (sort_date == NULL || strlen (sort_date) < 7)
    return g_strdup (_("Undated"));

  month = g_date_time_new_local (atoi (sort_date), atoi (sort_date + 5), 1, 12, 0, 0);
  if (month == NULL)
    return g_strdup (_("Undated"));

  text = g_date_time_format (month, "%B %Y");
  out = g_string_new (NULL);
  g_string_append_unichar (out, g_unichar_totitle (g_utf8_get_char (text)));
  g_string_append (out, g_utf8_next_char (text));
  return g_string_free (out, FALSE);
}

static void
timeline_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  TimelineQuery *query = task_data;
  CabTimelineFilter filter = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TimelineResult *result;
  char last_month[8] = "";

  if (g_cancellable_is_cancelled (cancellable))
    return;

  /* Dates and text narrow the query in SQL; the kind is decided here, from
   * type and class together, which one SQL column cannot say. */
  filter.date_from = query->date_from;
  filter.date_to = query->date_to;
  filter.text = query->text;
  rows = cab_store_list_timeline (query->store, query->patient_id, &filter, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (TimelineResult, 1);
  result->items = g_ptr_array_new_full (rows->len + rows->len / 8 + 1, g_object_unref);
  g_ptr_array_set_free_func (rows, NULL);

  for (guint i = 0; i < rows->len; i++)
    {
      CabDocumentRow *row = g_ptr_array_index (rows, i);
      CabTimelineItem *item;
      const char *date = row->sort_date != NULL ? row->sort_date : "";

      if (g_cancellable_is_cancelled (cancellable))
        {
          /* The rest of the rows are no one's now. */
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
      /* Made here and not sent yet: the outbox still holds it. */
      if (g_strcmp0 (row->origin, "local") == 0)
        {
          g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get_for_document (query->store, row->id, NULL);

          if (entry != NULL)
            cab_timeline_item_set_pending (item);
        }
      if (strlen (date) < 7)
        date = "0000-00";
      if (strncmp (date, last_month, 7) != 0)
        {
          g_autofree char *label = month_label (row->sort_date);

          g_strlcpy (last_month, date, 8);
          g_ptr_array_add (result->items, cab_timeline_item_new_header (label));
        }
      g_ptr_array_add (result->items, item);
      result->n_documents++;
    }

  g_task_return_pointer (task, result, (GDestroyNotify) timeline_result_free);
}

static void
set_busy (CabTimelineView *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
filters_active (CabTimelineView *self)
{
  return self->kind != CAB_KIND_FILTER_ALL || self->date_from != NULL ||
         self->date_to != NULL || (self->text != NULL && self->text[0] != '\0');
}

static void
show_empty_state (CabTimelineView *self)
{
  if (self->patient_id == NULL)
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

static gboolean
same_item (CabTimelineItem *a,
           CabTimelineItem *b)
{
  return cab_timeline_item_is_header (a) == cab_timeline_item_is_header (b) &&
         cab_timeline_item_get_marks (a) == cab_timeline_item_get_marks (b) &&
         g_strcmp0 (cab_timeline_item_get_title (a), cab_timeline_item_get_title (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_byline (a), cab_timeline_item_get_byline (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_date (a), cab_timeline_item_get_date (b)) == 0 &&
         g_strcmp0 (cab_timeline_item_get_origin (a), cab_timeline_item_get_origin (b)) == 0;
}

/* Filtering within a patient shows many of the same entries again: handing
 * the list view the very objects it already shows lets it keep their rows
 * instead of building new ones. */
static void
reuse_items (CabTimelineView *self,
             GPtrArray       *items)
{
  GListModel *model = G_LIST_MODEL (self->items);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GHashTable) shown = NULL;

  if (n == 0 || items->len == 0)
    return;

  shown = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      CabTimelineItem *item = g_list_model_get_item (model, i);
      const char *key = cab_timeline_item_is_header (item) ? cab_timeline_item_get_title (item)
                                                           : cab_timeline_item_get_id (item);

      g_hash_table_replace (shown, (gpointer) key, item);
    }

  for (guint i = 0; i < items->len; i++)
    {
      CabTimelineItem *item = g_ptr_array_index (items, i);
      const char *key = cab_timeline_item_is_header (item) ? cab_timeline_item_get_title (item)
                                                           : cab_timeline_item_get_id (item);
      CabTimelineItem *old = g_hash_table_lookup (shown, key);

      if (old != NULL && old != item && same_item (old, item))
        {
          g_ptr_array_index (items, i) = g_object_ref (old);
          g_object_unref (item);
        }
    }
}

static void
timeline_done_cb (GObject      *object,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (object);
  TimelineQuery *query = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  TimelineResult *result;
  guint n_old;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  /* Superseded by a newer patient or filter: dropped. */
  if (query->generation != self->generation)
    {
      g_clear_pointer (&result, timeline_result_free);
      return;
    }

  if (result == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the timeline: %s", error->message);
      result = g_new0 (TimelineResult, 1);
      result->items = g_ptr_array_new ();
    }

  reuse_items (self, result->items);

  /* One splice, one items-changed: the list view rebuilds only what shows. */
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  g_list_store_splice (self->items, 0, n_old, result->items->pdata, result->items->len);
  if (self->n_documents != result->n_documents)
    {
      self->n_documents = result->n_documents;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DOCUMENTS]);
    }

  if (result->items->len > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
    }
  else
    show_empty_state (self);

  timeline_result_free (result);
  set_busy (self, FALSE);
}

static void
start_query (CabTimelineView *self)
{
  g_autoptr(GTask) task = NULL;
  TimelineQuery *query;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;

  if (self->store == NULL || self->patient_id == NULL)
    {
      g_list_store_remove_all (self->items);
      self->n_documents = 0;
      show_empty_state (self);
      set_busy (self, FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  query = g_new0 (TimelineQuery, 1);
  query->store = g_object_ref (self->store);
  query->patient_id = g_strdup (self->patient_id);
  query->opened_at = self->opened_at != NULL ? g_date_time_ref (self->opened_at) : NULL;
  query->kind = self->kind;
  query->date_from = g_strdup (self->date_from);
  query->date_to = g_strdup (self->date_to);
  query->text = self->text != NULL && self->text[0] != '\0' ? g_strdup (self->text) : NULL;
  query->generation = self->generation;

  task = g_task_new (self, self->cancellable, timeline_done_cb, NULL);
  g_task_set_source_tag (task, start_query);
  g_task_set_task_data (task, query, (GDestroyNotify) timeline_query_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, timeline_thread);
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
  if (g_strcmp0 (from, self->date_from) == 0 && g_strcmp0 (to, self->date_to) == 0)
    return;

  g_free (self->date_from);
  self->date_from = g_strdup (from);
  g_free (self->date_to);
  self->date_to = g_strdup (to);
  start_query (self);
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
  g_autoptr(CabTimelineItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), position);

  if (item != NULL && !cab_timeline_item_is_header (item))
    g_signal_emit (self, signals[DOCUMENT_ACTIVATED], 0, cab_timeline_item_get_id (item));
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

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_TIMELINE_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->items);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_timeline_view_parent_class)->dispose (object);
}

static void
cab_timeline_view_finalize (GObject *object)
{
  CabTimelineView *self = CAB_TIMELINE_VIEW (object);

  g_free (self->patient_id);
  g_clear_pointer (&self->opened_at, g_date_time_unref);
  g_free (self->date_from);
  g_free (self->date_to);
  g_free (self->text);

  G_OBJECT_CLASS (cab_timeline_view_parent_class)->finalize (object);
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
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_N_DOCUMENTS:
      g_value_set_uint (value, self->n_documents);
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
  object_class->finalize = cab_timeline_view_finalize;
  object_class->get_property = cab_timeline_view_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_DOCUMENTS] =
    g_param_spec_uint ("n-documents", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabTimelineView::document-activated:
   * @document_id: the store id of the document to open
   */
  signals[DOCUMENT_ACTIVATED] =
    g_signal_new ("document-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

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
  cab_desk_style_ensure (GTK_WIDGET (self));

  self->items = g_list_store_new (CAB_TYPE_TIMELINE_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->items)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

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
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  g_set_object (&self->store, store);
  g_clear_pointer (&self->opened_at, g_date_time_unref);
  self->opened_at = cab_parse_fhir_datetime (opened_at);

  if (g_strcmp0 (self->patient_id, patient_id) != 0)
    {
      g_free (self->patient_id);
      self->patient_id = g_strdup (patient_id);
      /* Another patient: the previous one's documents go at once, and the
       * text typed for them too. */
      g_list_store_remove_all (self->items);
      g_clear_pointer (&self->text, g_free);
      self->syncing_widgets = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), "");
      self->syncing_widgets = FALSE;
    }

  start_query (self);
}

const char *
cab_timeline_view_get_patient_id (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return self->patient_id;
}

void
cab_timeline_view_reload (CabTimelineView *self)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));

  start_query (self);
}

void
cab_timeline_view_set_kind_filter (CabTimelineView *self,
                                   CabKindFilter    kind)
{
  g_return_if_fail (CAB_IS_TIMELINE_VIEW (self));
  g_return_if_fail (kind <= CAB_KIND_FILTER_LAST);

  if (self->kind == kind)
    return;

  self->kind = kind;
  self->syncing_widgets = TRUE;
  gtk_toggle_button_set_active (kind_button (self, kind), TRUE);
  self->syncing_widgets = FALSE;
  start_query (self);
}

CabKindFilter
cab_timeline_view_get_kind_filter (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), CAB_KIND_FILTER_ALL);

  return self->kind;
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
  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)), text != NULL ? text : "") != 0)
    {
      self->syncing_widgets = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->text_entry), text != NULL ? text : "");
      self->syncing_widgets = FALSE;
    }
  start_query (self);
}

GListModel *
cab_timeline_view_get_model (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return G_LIST_MODEL (self->items);
}

guint
cab_timeline_view_get_n_documents (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), 0);

  return self->n_documents;
}

gboolean
cab_timeline_view_get_busy (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), FALSE);

  return self->busy;
}

GtkListView *
cab_timeline_view_get_list_view (CabTimelineView *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_VIEW (self), NULL);

  return self->list_view;
}
