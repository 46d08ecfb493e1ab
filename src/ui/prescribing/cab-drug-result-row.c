/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-drug-result-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-drug-result-row.h"

struct _CabDrugResultRow
{
  GtkListBoxRow  parent_instance;

  CabDrug       *drug;
};

G_DEFINE_FINAL_TYPE (CabDrugResultRow, cab_drug_result_row, GTK_TYPE_LIST_BOX_ROW)

static GtkWidget *
badge (const char *text,
       const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "cab-drug-badge");
  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

/* The best reimbursement among its boxes (commercialised first). */
static const char *
reimbursement (const CabDrug *drug)
{
  for (guint i = 0; drug->presentations != NULL && i < drug->presentations->len; i++)
    {
      const CabDrugPresentation *p = g_ptr_array_index (drug->presentations, i);

      if (p->reimbursement_rate != NULL && *p->reimbursement_rate != '\0')
        return p->reimbursement_rate;
    }
  return NULL;
}

static const char *
generic_text (CabDrugGenericType type)
{
  switch (type)
    {
    case CAB_DRUG_GENERIC_REFERENCE:
      return _("Reference");
    case CAB_DRUG_GENERIC_GENERIC:
    case CAB_DRUG_GENERIC_COMPLEMENTARY:
    case CAB_DRUG_GENERIC_SUBSTITUTABLE:
      return _("Generic");
    case CAB_DRUG_GENERIC_NONE:
    default:
      return NULL;
    }
}

static void
build (CabDrugResultRow *self)
{
  const CabDrug *drug = self->drug;
  g_autofree char *dci = cab_drug_dup_dci (drug);
  g_autofree char *title = NULL;
  const char *rate = reimbursement (drug);
  const char *generic = generic_text (drug->generic_type);
  GtkWidget *box, *top, *bottom, *label;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_add_css_class (box, "cab-drug-result");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);

  top = gtk_label_new (NULL);
  title = g_markup_printf_escaped ("<b>%s</b> [%s]", *dci != '\0' ? dci : drug->name, drug->name);
  gtk_label_set_markup (GTK_LABEL (top), title);
  gtk_label_set_xalign (GTK_LABEL (top), 0);
  gtk_label_set_wrap (GTK_LABEL (top), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (top), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (top), 2);
  gtk_label_set_ellipsize (GTK_LABEL (top), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), top);

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), bottom);
  label = gtk_label_new (drug->form);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (bottom), label);
  if (!drug->commercialised)
    gtk_box_append (GTK_BOX (bottom), badge (_("Not marketed"), "cab-not-marketed"));
  if (generic != NULL)
    {
      label = badge (generic, "cab-generic");
      if (drug->generic_label != NULL)
        gtk_widget_set_tooltip_text (label, drug->generic_label);
      gtk_box_append (GTK_BOX (bottom), label);
    }
  if (rate != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Reimbursed %s"), rate);

      gtk_box_append (GTK_BOX (bottom), badge (text, "cab-reimbursed"));
    }
  else
    gtk_box_append (GTK_BOX (bottom), badge (_("Not reimbursed"), "cab-not-reimbursed"));
}

static void
cab_drug_result_row_finalize (GObject *object)
{
  CabDrugResultRow *self = CAB_DRUG_RESULT_ROW (object);

  g_clear_pointer (&self->drug, cab_drug_free);

  G_OBJECT_CLASS (cab_drug_result_row_parent_class)->finalize (object);
}

static void
cab_drug_result_row_class_init (CabDrugResultRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_drug_result_row_finalize;
}

static void
cab_drug_result_row_init (CabDrugResultRow *self)
{
}

GtkWidget *
cab_drug_result_row_new (CabDrug *drug)
{
  CabDrugResultRow *self;

  g_return_val_if_fail (drug != NULL, NULL);

  self = g_object_new (CAB_TYPE_DRUG_RESULT_ROW, NULL);
  self->drug = drug;
  build (self);
  return GTK_WIDGET (self);
}

const CabDrug *
cab_drug_result_row_get_drug (CabDrugResultRow *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULT_ROW (self), NULL);

  return self->drug;
}
