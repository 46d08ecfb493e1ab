/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-record-dialog"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cab-date-format.h"
#include "cab-followup-queries.h"
#include "cab-followup-record.h"
#include "cab-measure-card.h"
#include "cab-record-dialog.h"

/* What a nurse records at the patient's side (cab-followup-record.h). */
static const char * const recordable[] = { "bp", "weight", "foot" };

struct _CabRecordDialog
{
  AdwWindow         parent_instance;

  CabOutbox        *outbox;
  CabFollowupRules *rules;
  char             *patient_id;
  GPtrArray        *measures;     /* const CabFollowupMeasure*, as in the combo */
  GCancellable     *cancellable;
  gboolean          busy;

  GtkWidget        *save_button;
  AdwComboRow      *measure_row;
  AdwEntryRow      *value_row;
  GtkLabel         *unit_label;
  AdwEntryRow      *date_row;
  GtkLabel         *hint_label;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (CabRecordDialog, cab_record_dialog, ADW_TYPE_WINDOW)

enum {
  RECORDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static const CabFollowupMeasure *
selected_measure (CabRecordDialog *self)
{
  guint i = adw_combo_row_get_selected (self->measure_row);

  if (self->measures == NULL || i >= self->measures->len)
    return NULL;
  return g_ptr_array_index (self->measures, i);
}

static const char *
measure_hint (const CabFollowupMeasure *measure)
{
  switch (measure->kind)
    {
    case CAB_FOLLOWUP_VALUE_BLOOD_PRESSURE:
      return _("Systolic/diastolic in mmHg, for example 135/85.");
    case CAB_FOLLOWUP_VALUE_GRADE:
      return _("The foot’s risk grade, from 0 (no neuropathy) to 3 (past ulcer or amputation).");
    case CAB_FOLLOWUP_VALUE_QUANTITY:
    default:
      return _("A number, for example 72.5 or 72,5.");
    }
}

static void
show_error (CabRecordDialog *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (CabRecordDialog *self,
          gboolean         busy)
{
  /* Only the button: an entry made insensitive while focused keeps its
   * cursor blinking without focus, which GtkText reports. A second Enter
   * is ignored while busy. */
  self->busy = busy;
  gtk_widget_set_sensitive (self->save_button, !busy);
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

static void
measure_changed_cb (CabRecordDialog *self)
{
  const CabFollowupMeasure *measure = selected_measure (self);

  if (measure == NULL)
    return;
  gtk_label_set_text (self->unit_label, cab_followup_unit_display (measure));
  gtk_label_set_text (self->hint_label, measure_hint (measure));
  show_error (self, NULL);
}

/* What was wrong is no longer what is typed. */
static void
typed_cb (CabRecordDialog *self)
{
  if (!self->busy)
    show_error (self, NULL);
}

static void
record_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabRecordDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  const CabFollowupMeasure *measure;

  if (cab_followup_record_finish (result, &error) == 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }

  measure = selected_measure (self);
  set_busy (self, FALSE);
  g_signal_emit (self, signals[RECORDED], 0, measure != NULL ? measure->id : NULL);
  /* The entry loses focus before its window goes: GtkText warns when it is
   * destroyed still focused. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_clicked_cb (CabRecordDialog *self)
{
  const CabFollowupMeasure *measure = selected_measure (self);
  const char *date_text = gtk_editable_get_text (GTK_EDITABLE (self->date_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  g_autofree char *typed_date = g_strstrip (g_strdup (date_text));
  double value = NAN, diastolic = NAN;

  if (self->busy || measure == NULL || self->outbox == NULL)
    return;

  if (!cab_followup_parse_value (measure, gtk_editable_get_text (GTK_EDITABLE (self->value_row)),
                                 &value, &diastolic, &error))
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->value_row));
      return;
    }

  date = cab_date_parse_french (typed_date);
  if (date == NULL)
    {
      show_error (self, _("The date is not a valid day: write it as dd/mm/yyyy."));
      gtk_widget_grab_focus (GTK_WIDGET (self->date_row));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  cab_followup_record_async (self->outbox, measure, self->patient_id, value, diastolic,
                             date, NULL, self->cancellable, record_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_record_dialog_dispose (GObject *object)
{
  CabRecordDialog *self = CAB_RECORD_DIALOG (object);

  /* A recording already in the store stays there: cancelling only drops
   * the answer. */
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_RECORD_DIALOG);

  G_OBJECT_CLASS (cab_record_dialog_parent_class)->dispose (object);
}

static void
cab_record_dialog_finalize (GObject *object)
{
  CabRecordDialog *self = CAB_RECORD_DIALOG (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->rules);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->measures, g_ptr_array_unref);
  g_free (self->patient_id);

  G_OBJECT_CLASS (cab_record_dialog_parent_class)->finalize (object);
}

static void
cab_record_dialog_class_init (CabRecordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_record_dialog_dispose;
  object_class->finalize = cab_record_dialog_finalize;

  signals[RECORDED] = g_signal_new ("recorded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/followup/cab-record-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, measure_row);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, value_row);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, unit_label);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, hint_label);
  gtk_widget_class_bind_template_child (widget_class, CabRecordDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, measure_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, typed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cab_record_dialog_init (CabRecordDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%d/%m/%Y");

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), today);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabRecordDialog *
cab_record_dialog_new (GtkWindow        *parent,
                       CabOutbox        *outbox,
                       CabFollowupRules *rules,
                       const char       *patient_id,
                       const char       *measure_id)
{
  CabRecordDialog *self;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (CAB_IS_FOLLOWUP_RULES (rules), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  self = g_object_new (CAB_TYPE_RECORD_DIALOG, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  self->rules = g_object_ref (rules);
  self->patient_id = g_strdup (patient_id);
  self->measures = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (recordable); i++)
    {
      const CabFollowupMeasure *measure = cab_followup_rules_lookup_measure (rules, recordable[i]);

      if (measure == NULL)
        continue;
      g_ptr_array_add (self->measures, (gpointer) measure);
      gtk_string_list_append (names, cab_followup_measure_get_name (measure));
    }
  adw_combo_row_set_model (self->measure_row, G_LIST_MODEL (names));
  if (measure_id == NULL || !cab_record_dialog_select_measure (self, measure_id))
    adw_combo_row_set_selected (self->measure_row, 0);
  measure_changed_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->value_row));
  return self;
}

gboolean
cab_record_dialog_select_measure (CabRecordDialog *self,
                                  const char      *measure_id)
{
  g_return_val_if_fail (CAB_IS_RECORD_DIALOG (self), FALSE);

  for (guint i = 0; i < self->measures->len; i++)
    if (g_strcmp0 (((const CabFollowupMeasure *) self->measures->pdata[i])->id, measure_id) == 0)
      {
        adw_combo_row_set_selected (self->measure_row, i);
        return TRUE;
      }
  return FALSE;
}

void
cab_record_dialog_set_value (CabRecordDialog *self,
                             const char      *value)
{
  g_return_if_fail (CAB_IS_RECORD_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->value_row), value);
}

void
cab_record_dialog_set_date (CabRecordDialog *self,
                            const char      *date)
{
  g_return_if_fail (CAB_IS_RECORD_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
}

void
cab_record_dialog_save (CabRecordDialog *self)
{
  g_return_if_fail (CAB_IS_RECORD_DIALOG (self));

  save_clicked_cb (self);
}

const char *
cab_record_dialog_get_error (CabRecordDialog *self)
{
  g_return_val_if_fail (CAB_IS_RECORD_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
cab_record_dialog_get_busy (CabRecordDialog *self)
{
  g_return_val_if_fail (CAB_IS_RECORD_DIALOG (self), FALSE);

  return self->busy;
}
