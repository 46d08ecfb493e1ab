/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-chooser"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-document-chooser.h"
#include "cab-timeline.h"
#include "cab-timeline-item.h"

/* Choosing the patient's documents to attach (docs/architecture.md, "The
 * composer"). The list is the timeline's own async model; what is ticked is
 * kept by document id, so a search that rebuilds the rows loses nothing. */

struct _CabDocumentChooser
{
  AdwWindow      parent_instance;

  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  GtkListBox     *list;
  GtkWidget      *attach_button;

  CabTimeline    *timeline;
  GHashTable     *chosen;          /* document id -> itself, in the order… */
  GPtrArray      *order;           /* …ticked */
};

G_DEFINE_FINAL_TYPE (CabDocumentChooser, cab_document_chooser, ADW_TYPE_WINDOW)

enum {
  DOCUMENTS_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_attach (CabDocumentChooser *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chooser.attach", self->order->len > 0);
}

static void
set_chosen (CabDocumentChooser *self,
            const char         *id,
            gboolean            chosen)
{
  if (chosen && !g_hash_table_contains (self->chosen, id))
    {
      char *copy = g_strdup (id);

      g_hash_table_add (self->chosen, copy);
      g_ptr_array_add (self->order, g_strdup (id));
    }
  else if (!chosen && g_hash_table_remove (self->chosen, id))
    {
      for (guint i = 0; i < self->order->len; i++)
        if (g_str_equal (self->order->pdata[i], id))
          {
            g_ptr_array_remove_index (self->order, i);
            break;
          }
    }
  update_attach (self);
}

static void
check_toggled_cb (GtkCheckButton     *check,
                  CabDocumentChooser *self)
{
  set_chosen (self, g_object_get_data (G_OBJECT (check), "id"), gtk_check_button_get_active (check));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  CabDocumentChooser *self = user_data;
  CabTimelineItem *entry = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *subtitle = NULL;
  gboolean offline = !(cab_timeline_item_get_marks (entry) & CAB_TIMELINE_MARK_NOT_OFFLINE);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cab_timeline_item_get_title (entry));
  subtitle = offline ? g_strdup_printf ("%s · %s", cab_timeline_item_get_date (entry) ? cab_timeline_item_get_date (entry) : "",
                                        cab_timeline_item_get_byline (entry) ? cab_timeline_item_get_byline (entry) : "")
                     : g_strdup_printf (_("%s · not on this computer yet: open it once to download it"),
                                        cab_timeline_item_get_date (entry) ? cab_timeline_item_get_date (entry) : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (check), "id", g_strdup (cab_timeline_item_get_id (entry)), g_free);
  g_object_set_data (G_OBJECT (row), "check", check);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->chosen, cab_timeline_item_get_id (entry)));
  g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  /* A document whose content is not here cannot travel (the queue copies it). */
  gtk_widget_set_sensitive (row, offline);
  return row;
}

static void
items_changed_cb (CabDocumentChooser *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->timeline)) == 0 &&
                   !cab_timeline_get_loading (self->timeline);

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
search_changed_cb (CabDocumentChooser *self)
{
  cab_timeline_set_text (self->timeline, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CabDocumentChooser *self = CAB_DOCUMENT_CHOOSER (widget);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  for (guint i = 0; i < self->order->len; i++)
    g_strv_builder_add (b, self->order->pdata[i]);
  ids = g_strv_builder_end (b);
  g_signal_emit (self, signals[DOCUMENTS_CHOSEN], 0, ids);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cab_document_chooser_dispose (GObject *object)
{
  CabDocumentChooser *self = CAB_DOCUMENT_CHOOSER (object);

  if (self->timeline != NULL)
    g_signal_handlers_disconnect_by_data (self->timeline, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_DOCUMENT_CHOOSER);
  g_clear_object (&self->timeline);
  G_OBJECT_CLASS (cab_document_chooser_parent_class)->dispose (object);
}

static void
cab_document_chooser_finalize (GObject *object)
{
  CabDocumentChooser *self = CAB_DOCUMENT_CHOOSER (object);

  g_hash_table_unref (self->chosen);
  g_ptr_array_unref (self->order);
  G_OBJECT_CLASS (cab_document_chooser_parent_class)->finalize (object);
}

static void
cab_document_chooser_class_init (CabDocumentChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_document_chooser_dispose;
  object_class->finalize = cab_document_chooser_finalize;

  signals[DOCUMENTS_CHOSEN] = g_signal_new ("documents-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/compose/cab-document-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, CabDocumentChooser, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentChooser, stack);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentChooser, list);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentChooser, attach_button);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_install_action (widget_class, "chooser.attach", NULL, attach_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cab_document_chooser_init (CabDocumentChooser *self)
{
  self->chosen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->order = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  update_attach (self);
}

CabDocumentChooser *
cab_document_chooser_new (GtkWindow  *parent,
                          CabStore   *store,
                          const char *patient_id)
{
  CabDocumentChooser *self;

  g_return_val_if_fail (CAB_IS_STORE (store), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  self = g_object_new (CAB_TYPE_DOCUMENT_CHOOSER, "transient-for", parent, NULL);
  self->timeline = cab_timeline_new (store);
  cab_timeline_set_sections (self->timeline, FALSE);
  cab_timeline_set_include_kos (self->timeline, FALSE);
  cab_timeline_set_patient_id (self->timeline, patient_id);
  g_signal_connect_object (self->timeline, "items-changed", G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "notify::loading", G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->timeline), create_row, self, NULL);
  items_changed_cb (self);
  return self;
}

GListModel *
cab_document_chooser_get_model (CabDocumentChooser *self)
{
  return G_LIST_MODEL (self->timeline);
}

gboolean
cab_document_chooser_toggle (CabDocumentChooser *self,
                             const char         *document_id)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");

      if (check != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (check), "id"), document_id) == 0)
        {
          if (!gtk_widget_is_sensitive (row))
            return FALSE;
          gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
          return TRUE;
        }
    }
  return FALSE;
}
