/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-recent-patients"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "patients/cab-patient-action-row.h"
#include "patients/cab-patient-format.h"
#include "cab-recent-patients.h"
#include "cab-recent-patients-model.h"

struct _CabRecentPatients
{
  GtkWidget               parent_instance;

  GtkWidget              *box;
  GtkListBox             *list;
  CabRecentPatientsModel *model;   /* read in core */
};

G_DEFINE_FINAL_TYPE (CabRecentPatients, cab_recent_patients, GTK_TYPE_WIDGET)

enum {
  PATIENT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
make_row (gpointer item,
          gpointer user_data)
{
  const CabPatientRow *row = cab_patient_item_get_row (item);
  GtkWidget *action_row = cab_patient_action_row_new (row, FALSE, NULL);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (action_row), TRUE);
  gtk_widget_set_name (action_row, row->id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), gtk_image_new_from_icon_name ("go-next-symbolic"));

  return action_row;
}

/* One change per answer of the model: the list box has rebuilt its rows. */
static void
items_changed_cb (CabRecentPatients *self,
                  guint              position,
                  guint              removed,
                  guint              added,
                  GListModel        *model)
{
  gtk_widget_set_visible (self->box, g_list_model_get_n_items (model) > 0);
}

static void
row_activated_cb (CabRecentPatients *self,
                  GtkListBoxRow     *row,
                  GtkListBox        *list)
{
  g_signal_emit (self, signals[PATIENT_ACTIVATED], 0, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
cab_recent_patients_dispose (GObject *object)
{
  CabRecentPatients *self = CAB_RECENT_PATIENTS (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  /* A read still running is cancelled and answers into nothing. */
  g_clear_object (&self->model);

  G_OBJECT_CLASS (cab_recent_patients_parent_class)->dispose (object);
}

static void
cab_recent_patients_class_init (CabRecentPatientsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_recent_patients_dispose;

  signals[PATIENT_ACTIVATED] =
    g_signal_new ("patient-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cab_recent_patients_init (CabRecentPatients *self)
{
  GtkWidget *title;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_widget_set_visible (self->box, FALSE);

  title = gtk_label_new (_("Recent Patients"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (self->box), title);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recent Patients"), -1);
  g_signal_connect_object (self->list, "row-activated",
                           G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->list));

  self->model = cab_recent_patients_model_new (NULL);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->model), make_row, NULL, NULL);
  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
cab_recent_patients_new (void)
{
  return g_object_new (CAB_TYPE_RECENT_PATIENTS, NULL);
}

guint
cab_recent_patients_get_n (CabRecentPatients *self)
{
  g_return_val_if_fail (CAB_IS_RECENT_PATIENTS (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->model));
}

GListModel *
cab_recent_patients_get_model (CabRecentPatients *self)
{
  g_return_val_if_fail (CAB_IS_RECENT_PATIENTS (self), NULL);

  return G_LIST_MODEL (self->model);
}
