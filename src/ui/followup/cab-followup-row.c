/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup-row"

#include "config.h"

#include <glib/gi18n.h>

#include "patients/cab-patient-format.h"
#include "widgets/cab-row-paint.h"
#include "cab-followup-row.h"
#include "cab-followup-state.h"

struct _CabFollowupRow
{
  GtkWidget           parent_instance;

  CabFollowupPatient *patient;

  GtkWidget          *box;
  GtkLabel           *name_label;
  GtkLabel           *badge_label;
  GtkLabel           *state_label;
  GtkLabel           *details_label;
  GtkLabel           *measures_label;
};

G_DEFINE_FINAL_TYPE (CabFollowupRow, cab_followup_row, GTK_TYPE_WIDGET)

/* ---------------------------------------------------------------------- */
/* texts                                                                  */

static const char *
group_title (CabFollowupState state)
{
  switch (state)
    {
    case CAB_FOLLOWUP_STATE_OVERDUE: return _("Overdue:");
    case CAB_FOLLOWUP_STATE_NEVER:   return _("Never measured:");
    case CAB_FOLLOWUP_STATE_DUE:     return _("Due:");
    case CAB_FOLLOWUP_STATE_OK:
    default:                         return _("Up to date:");
    }
}

static const char *
group_color (CabFollowupState state)
{
  switch (state)
    {
    case CAB_FOLLOWUP_STATE_OVERDUE: return "error_color";
    case CAB_FOLLOWUP_STATE_DUE:     return "warning_color";
    case CAB_FOLLOWUP_STATE_NEVER:   return "accent_color";
    case CAB_FOLLOWUP_STATE_OK:
    default:                         return "success_color";
    }
}

static void
append_group (GString    *text,
              GtkWidget  *widget,
              const char *title,
              const char *color_name,
              GPtrArray  *names)
{
  g_autofree char *list = NULL;

  if (names->len == 0)
    return;
  g_ptr_array_add (names, NULL);
  list = g_strjoinv (", ", (char **) names->pdata);
  g_ptr_array_remove_index (names, names->len - 1);

  if (text->len > 0)
    g_string_append (text, " · ");
  if (widget != NULL)
    {
      /* The theme's colour now (light or dark): the word carries the meaning. */
      GdkRGBA color = cab_row_paint_named_color (widget, color_name, "#888888");
      g_autofree char *escaped = g_markup_escape_text (list, -1);

      g_string_append_printf (text, "<span foreground=\"#%02x%02x%02x\" weight=\"bold\">%s</span> %s",
                              (guint) (color.red * 255), (guint) (color.green * 255),
                              (guint) (color.blue * 255), title, escaped);
    }
  else
    g_string_append_printf (text, "%s %s", title, list);
}

char *
cab_followup_patient_todo_text (CabFollowupPatient *patient,
                                GtkWidget          *widget)
{
  static const CabFollowupState order[] = {
    CAB_FOLLOWUP_STATE_OVERDUE, CAB_FOLLOWUP_STATE_NEVER, CAB_FOLLOWUP_STATE_DUE, CAB_FOLLOWUP_STATE_OK,
  };
  GListModel *measures;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  g_return_val_if_fail (CAB_IS_FOLLOWUP_PATIENT (patient), NULL);

  measures = cab_followup_patient_get_measures (patient);
  for (guint o = 0; o < G_N_ELEMENTS (order); o++)
    {
      g_ptr_array_set_size (names, 0);
      for (guint i = 0; i < g_list_model_get_n_items (measures); i++)
        {
          g_autoptr(CabFollowupStatus) status = g_list_model_get_item (measures, i);
          const char *name = cab_followup_measure_get_name (cab_followup_status_get_measure (status));

          if (cab_followup_status_get_state (status) == order[o])
            g_ptr_array_add (names, (gpointer) name);
          if (o == 0 && cab_followup_status_get_out_of_target (status))
            g_ptr_array_add (out, (gpointer) name);
        }
      append_group (text, widget, group_title (order[o]), group_color (order[o]), names);
    }
  /* Out of target whatever the state: "⚠" and the words, not a colour alone. */
  append_group (text, widget, _("⚠ Out of target:"), "warning_color", out);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
cab_followup_patient_conditions_text (CabFollowupPatient *patient,
                                      CabFollowupRules   *rules)
{
  const char * const *codes = cab_followup_patient_get_conditions (patient);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      const CabFollowupCondition *condition = rules != NULL ? cab_followup_rules_condition_for_code (rules, codes[i]) : NULL;
      const char *name = condition != NULL ? cab_followup_condition_get_name (condition) : codes[i];

      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) name);
    }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_followup_row_dispose (GObject *object)
{
  CabFollowupRow *self = CAB_FOLLOWUP_ROW (object);

  g_clear_object (&self->patient);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_FOLLOWUP_ROW);

  G_OBJECT_CLASS (cab_followup_row_parent_class)->dispose (object);
}

static void
cab_followup_row_class_init (CabFollowupRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_followup_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/followup/cab-followup-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, box);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, badge_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupRow, measures_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-followup-row");
}

static void
cab_followup_row_init (CabFollowupRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_followup_row_new (void)
{
  return g_object_new (CAB_TYPE_FOLLOWUP_ROW, NULL);
}

void
cab_followup_row_set_patient (CabFollowupRow     *self,
                              CabFollowupPatient *patient,
                              CabFollowupRules   *rules)
{
  const CabPatientRow *row;
  g_autofree char *name = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *age = NULL;
  g_autofree char *conditions = NULL;
  g_autofree char *details = NULL;
  g_autofree char *todo = NULL;

  g_return_if_fail (CAB_IS_FOLLOWUP_ROW (self));

  if (!g_set_object (&self->patient, patient) || patient == NULL)
    return;

  row = cab_followup_patient_get_row (patient);
  name = cab_format_patient_name (&row->patient);
  gtk_label_set_text (self->name_label, name);
  /* Never qualified when another patient holds the INS (principle 4). */
  cab_identity_badge_update (self->badge_label, cab_identity_status_shown (row));
  cab_followup_state_label_update (self->state_label, cab_followup_patient_get_state (patient));

  birth = cab_format_date (row->patient.birth_date);
  age = cab_format_age (row->patient.birth_date, NULL);
  conditions = cab_followup_patient_conditions_text (patient, rules);
  details = g_strjoin (" · ", birth != NULL ? birth : "?", age != NULL ? age : "?", conditions, NULL);
  gtk_label_set_text (self->details_label, details);

  todo = cab_followup_patient_todo_text (patient, GTK_WIDGET (self));
  gtk_label_set_markup (self->measures_label, todo);
}

CabFollowupPatient *
cab_followup_row_get_patient (CabFollowupRow *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_ROW (self), NULL);

  return self->patient;
}
