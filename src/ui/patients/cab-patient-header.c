/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-patient-format.h"
#include "cab-patient-header.h"

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
  GCancellable *cancellable;
  guint         generation;
  guint         n_conditions;
  guint         n_ald;
  gboolean      loading;
  gboolean      refreshing;
};

G_DEFINE_FINAL_TYPE (CabPatientHeader, cab_patient_header, GTK_TYPE_WIDGET)

enum {
  PROP_0,
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
/* Loading on a worker thread                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  CabStore  *store;
  char      *patient_id;
  guint      generation;
} LoadData;

typedef struct
{
  CabPatientRow *row;
  GPtrArray     *conditions;    /* CabCondition* */
  char          *practitioner;  /* "Dr Jean MARTIN" or NULL */
} LoadResult;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_free (data->patient_id);
  g_free (data);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->row, cab_patient_row_free);
  g_clear_pointer (&result->conditions, g_ptr_array_unref);
  g_free (result->practitioner);
  g_free (result);
}

/* The store keeps practitioners as raw resources: flatten the JSON here. */
static char *
practitioner_display (CabStore   *store,
                      const char *reference)
{
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(CabFhirRecord) record = NULL;
  g_autofree char *family = NULL;
  GString *out;
  JsonNode *root;

  if (reference == NULL || !g_str_has_prefix (reference, "Practitioner/"))
    return NULL;

  id = cab_fhir_reference_id (reference);
  if (id == NULL || !(json = cab_store_get_resource_json (store, "Practitioner", id, NULL)))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(record = cab_fhir_record_new_from_json (json_node_get_object (root), NULL)) ||
      record->kind != CAB_RESOURCE_PRACTITIONER || record->practitioner == NULL)
    return NULL;

  out = g_string_new (NULL);
  if (record->practitioner->prefix != NULL)
    g_string_append_printf (out, "%s ", record->practitioner->prefix);
  if (record->practitioner->given != NULL)
    g_string_append_printf (out, "%s ", record->practitioner->given);
  if (record->practitioner->family != NULL)
    {
      family = g_utf8_strup (record->practitioner->family, -1);
      g_string_append (out, family);
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  LoadResult *result;

  if (g_cancellable_is_cancelled (cancellable))
    return;

  result = g_new0 (LoadResult, 1);
  result->row = cab_store_get_patient (data->store, data->patient_id, &error);
  if (result->row == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result->conditions = cab_store_list_conditions (data->store, data->patient_id, NULL);
  result->practitioner = practitioner_display (data->store, result->row->patient.gp_reference);
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

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
show_result (CabPatientHeader *self,
             LoadResult       *result)
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
  cab_identity_badge_update (self->badge_label, p->identity_status);
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), TRUE);

  if (ins != NULL)
    {
      g_autofree char *with_ins = g_strdup_printf (_("%s · INS %s"), details, ins);

      gtk_label_set_label (self->details_label, with_ins);
    }
  else
    gtk_label_set_label (self->details_label, details);

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
  gtk_label_set_label (self->gp_label, NULL);
  clear_conditions (self);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  CabPatientHeader *self = CAB_PATIENT_HEADER (object);
  LoadData *data = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  LoadResult *result;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (data->generation != self->generation)
    {
      g_clear_pointer (&result, load_result_free);
      return;
    }

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

  g_clear_pointer (&result, load_result_free);
  set_loading (self, FALSE);
  update_refresh_state (self);
}

static void
start_load (CabPatientHeader *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;

  if (self->store == NULL || self->patient_id == NULL)
    {
      show_empty (self, NULL);
      set_loading (self, FALSE);
      update_refresh_state (self);
      return;
    }

  set_loading (self, TRUE);
  update_refresh_state (self);

  self->cancellable = g_cancellable_new ();
  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (self->store);
  data->patient_id = g_strdup (self->patient_id);
  data->generation = self->generation;

  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
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

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
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
cab_patient_header_class_init (CabPatientHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_patient_header_dispose;
  object_class->finalize = cab_patient_header_finalize;
  object_class->get_property = cab_patient_header_get_property;

  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
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

  g_set_object (&self->store, store);
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

guint
cab_patient_header_get_n_conditions (CabPatientHeader *self,
                                     guint            *n_ald)
{
  g_return_val_if_fail (CAB_IS_PATIENT_HEADER (self), 0);

  if (n_ald != NULL)
    *n_ald = self->n_ald;
  return self->n_conditions;
}
