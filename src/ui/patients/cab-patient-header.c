/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-patient-format.h"
#include "cab-patient-header.h"
#include "cab-patient-queries.h"
#include "cab-query.h"

struct _CabPatientHeader
{
  GtkWidget     parent_instance;

  GtkWidget    *box;
  GtkLabel     *name_label;
  GtkLabel     *birth_name_label;
  GtkLabel     *badge_label;
  GtkLabel     *updated_label;
  GtkButton    *refresh_button;
  GtkLabel     *details_label;
  GtkLabel     *gp_label;
  GtkFlowBox   *conditions_box;

  CabStore     *store;
  char         *patient_id;
  char         *title;
  char         *practitioner;
  char         *synced_at;
  GCancellable *loading_patient;   /* the summary query in flight (its slot) */
  guint         n_conditions;
  guint         n_ald;
  gboolean      loading;
  gboolean      refreshing;
  gboolean      ins_duplicate;
};

G_DEFINE_FINAL_TYPE (CabPatientHeader, cab_patient_header, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PATIENT_ID,
  PROP_LOADING,
  N_PROPS
};

enum {
  REFRESH_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Showing                                                              */
/* ------------------------------------------------------------------ */

static void
set_loading (CabPatientHeader *self,
             gboolean          loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
update_refresh_state (CabPatientHeader *self)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button),
                            !self->refreshing && self->patient_id != NULL);

  if (self->refreshing)
    text = g_strdup (_("Refreshing…"));
  else if (self->patient_id == NULL || self->loading)
    text = NULL;
  else if (self->synced_at == NULL || !(when = cab_parse_fhir_datetime (self->synced_at)))
    text = g_strdup (_("Never refreshed from the health space"));
  else
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *time = g_date_time_format (local, "%H:%M");

      if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
          g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
        /* Translators: when the patient's data was last refreshed, e.g. "Updated at 10:42" */
        text = g_strdup_printf (_("Updated at %s"), time);
      else
        {
          g_autofree char *date = g_date_time_format (local, "%d/%m/%Y");

          /* Translators: e.g. "Updated on 12/03/2026 at 10:42" */
          text = g_strdup_printf (_("Updated on %s at %s"), date, time);
        }
    }

  gtk_label_set_label (self->updated_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->updated_label), text != NULL);
}

static void
clear_conditions (CabPatientHeader *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conditions_box))) != NULL)
    gtk_flow_box_remove (self->conditions_box, child);
  self->n_conditions = 0;
  self->n_ald = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->conditions_box), FALSE);
}

static void
add_condition (CabPatientHeader   *self,
               const CabCondition *condition)
{
  GtkWidget *flow_child = gtk_flow_box_child_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (condition->display != NULL ? condition->display : condition->code);

  gtk_widget_add_css_class (box, "cab-condition");
  /* The flow box's columns are as wide as the widest: the pill keeps its own size. */
  gtk_widget_set_halign (box, GTK_ALIGN_START);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_box_append (GTK_BOX (box), label);

  if (condition->ald)
    {
      GtkWidget *pill = gtk_label_new (_("ALD"));

      gtk_widget_add_css_class (pill, "cab-pill");
      gtk_widget_add_css_class (pill, "cab-pill-ald");
      gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (pill, _("Long-term condition (ALD): care for this condition is fully covered"));
      gtk_box_append (GTK_BOX (box), pill);
      self->n_ald++;
    }

  /* Not a Tab stop: the conditions are read, not acted on. */
  gtk_widget_set_focusable (flow_child, FALSE);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (flow_child), box);
  gtk_flow_box_append (self->conditions_box, flow_child);
  self->n_conditions++;
}

static void
show_result (CabPatientHeader        *self,
             const CabPatientSummary *result)
{
  const CabPatient *p = &result->row->patient;
  g_autofree char *birth = cab_format_birth_name (p);
  g_autofree char *details = cab_format_patient_details (p);
  g_autofree char *ins = cab_format_ins (p->ins);
  g_autofree char *gp = NULL;

  g_free (self->title);
  self->title = cab_format_patient_name (p);
  g_free (self->practitioner);
  self->practitioner = g_strdup (result->practitioner);
  g_free (self->synced_at);
  self->synced_at = g_strdup (result->row->synced_at);

  gtk_label_set_label (self->name_label, self->title);
  gtk_label_set_label (self->birth_name_label, birth);
  gtk_widget_set_visible (GTK_WIDGET (self->birth_name_label), birth != NULL);
  cab_identity_badge_update (self->badge_label, cab_identity_status_shown (result->row));
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), TRUE);

  self->ins_duplicate = ins != NULL && result->row->ins_duplicate;
  if (self->ins_duplicate)
    {
      g_autofree char *with_ins =
          g_strdup_printf (_("%s · INS %s, also held by another patient: check the identity"),
                           details, ins);

      gtk_label_set_label (self->details_label, with_ins);
    }
  else if (ins != NULL)
    {
      g_autofree char *with_ins = g_strdup_printf (_("%s · INS %s"), details, ins);

      gtk_label_set_label (self->details_label, with_ins);
    }
  else
    gtk_label_set_label (self->details_label, details);
  if (self->ins_duplicate)
    gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->details_label), "warning");

  if (self->practitioner != NULL)
    gp = g_strdup_printf (_("Primary care physician: %s"), self->practitioner);
  else
    gp = g_strdup (_("No primary care physician declared"));
  gtk_label_set_label (self->gp_label, gp);

  clear_conditions (self);
  for (guint i = 0; result->conditions != NULL && i < result->conditions->len; i++)
    add_condition (self, g_ptr_array_index (result->conditions, i));
  gtk_widget_set_visible (GTK_WIDGET (self->conditions_box), self->n_conditions > 0);
}

static void
show_empty (CabPatientHeader *self,
            const char       *message)
{
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->practitioner, g_free);
  g_clear_pointer (&self->synced_at, g_free);
  gtk_label_set_label (self->name_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->birth_name_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), FALSE);
  gtk_label_set_label (self->details_label, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->details_label), "warning");
  self->ins_duplicate = FALSE;
  gtk_label_set_label (self->gp_label, NULL);
  clear_conditions (self);
}

/* A superseded load, and one still running when the header was disposed,
 * finishes cancelled: @user_data is only used after that check. */
static void
load_done_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  CabPatientHeader *self;
  g_autoptr(CabPatientSummary) result = NULL;
  g_autoptr(GError) error = NULL;

  result = cab_patient_query_summary_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CAB_PATIENT_HEADER (user_data);
  g_clear_object (&self->loading_patient);

  if (result != NULL)
    show_result (self, result);
  else if (g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND))
    show_empty (self, _("Patient not found in the local store"));
  else
    {
      if (error != NULL)
        g_warning ("Cannot read a patient: %s", error->message);
      show_empty (self, _("Cannot read this patient"));
    }

  set_loading (self, FALSE);
  update_refresh_state (self);
}

static void
start_load (CabPatientHeader *self)
{
  GCancellable *cancellable;

  if (self->store == NULL || self->patient_id == NULL)
    {
      cab_query_cancel (&self->loading_patient);
      show_empty (self, NULL);
      set_loading (self, FALSE);
      update_refresh_state (self);
      return;
    }

  set_loading (self, TRUE);
  update_refresh_state (self);

  /* A newer load cancels the older one: its answer never lands. */
  cancellable = cab_query_supersede (&self->loading_patient);
  cab_patient_query_summary_async (self->store, self->patient_id, cancellable,
                                   load_done_cb, self);
}

static void
refresh_clicked_cb (CabPatientHeader *self)
{
  if (self->patient_id != NULL)
    g_signal_emit (self, signals[REFRESH_REQUESTED], 0, self->patient_id);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_patient_header_dispose (GObject *object)
{
  CabPatientHeader *self = CAB_PATIENT_HEADER (object);

  cab_query_cancel (&self->loading_patient);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PATIENT_HEADER);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cab_patient_header_parent_class)->dispose (object);
}

static void
cab_patient_header_finalize (GObject *object)
{
  CabPatientHeader *self = CAB_PATIENT_HEADER (object);

  g_free (self->patient_id);
  g_free (self->title);
  g_free (self->practitioner);
  g_free (self->synced_at);

  G_OBJECT_CLASS (cab_patient_header_parent_class)->finalize (object);
}

static void
cab_patient_header_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CabPatientHeader *self = CAB_PATIENT_HEADER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_header_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CabPatientHeader *self = CAB_PATIENT_HEADER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_patient_header_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_patient_header_class_init (CabPatientHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_patient_header_dispose;
  object_class->finalize = cab_patient_header_finalize;
  object_class->get_property = cab_patient_header_get_property;
  object_class->set_property = cab_patient_header_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabPatientHeader::refresh-requested:
   * @patient_id: the patient to put first in the sync
   */
  signals[REFRESH_REQUESTED] =
    g_signal_new ("refresh-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/patients/cab-patient-header.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, box);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, name_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, birth_name_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, badge_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, updated_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, details_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, gp_label);
  gtk_widget_class_bind_template_child (widget_class, CabPatientHeader, conditions_box);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabpatientheader");
}

static void
cab_patient_header_init (CabPatientHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_empty (self, NULL);
  update_refresh_state (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

GtkWidget *
cab_patient_header_new (void)
{
  return g_object_new (CAB_TYPE_PATIENT_HEADER, NULL);
}

void
cab_patient_header_set_patient (CabPatientHeader *self,
                                CabStore         *store,
                                const char       *patient_id)
{
  g_return_if_fail (CAB_IS_PATIENT_HEADER (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  if (g_strcmp0 (self->patient_id, patient_id) != 0)
    {
      g_free (self->patient_id);
      self->patient_id = g_strdup (patient_id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATIENT_ID]);
      /* Never show one patient's data under another's name while loading. */
      show_empty (self, NULL);
    }
  start_load (self);
}

CabStore *
cab_patient_header_get_store (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), NULL);

  return self->store;
}

void
cab_patient_header_set_store (CabPatientHeader *self,
                              CabStore         *store)
{
  g_return_if_fail (CAB_IS_PATIENT_HEADER (self));
  g_return_if_fail (store == NULL || CAB_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  if (self->patient_id != NULL)
    start_load (self);
}

const char *
cab_patient_header_get_patient_id (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), NULL);

  return self->patient_id;
}

void
cab_patient_header_reload (CabPatientHeader *self)
{
  g_return_if_fail (CAB_IS_PATIENT_HEADER (self));

  start_load (self);
}

void
cab_patient_header_set_refreshing (CabPatientHeader *self,
                                   gboolean          refreshing)
{
  g_return_if_fail (CAB_IS_PATIENT_HEADER (self));

  self->refreshing = !!refreshing;
  update_refresh_state (self);
}

gboolean
cab_patient_header_get_loading (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), FALSE);

  return self->loading;
}

const char *
cab_patient_header_get_title (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), NULL);

  return self->title;
}

const char *
cab_patient_header_get_practitioner (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), NULL);

  return self->practitioner;
}

gboolean
cab_patient_header_get_ins_duplicate (CabPatientHeader *self)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), FALSE);

  return self->ins_duplicate;
}

guint
cab_patient_header_get_n_conditions (CabPatientHeader *self,
                                     guint            *n_ald)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), 0);

  if (n_ald != NULL)
    *n_ald = self->n_ald;
  return self->n_conditions;
}
