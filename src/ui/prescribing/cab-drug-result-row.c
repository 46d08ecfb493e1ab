/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-drug-result-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-drug-result-row.h"

struct _CabDrugResultRow
{
  GtkBox       parent_instance;

  CabDrugItem *item;
  GtkLabel    *title;
  GtkLabel    *brand;
  GtkLabel    *form;
  GtkWidget   *not_marketed;
  GtkLabel    *generic;
  GtkLabel    *reimbursed;
  GtkWidget   *not_reimbursed;
};

G_DEFINE_FINAL_TYPE (CabDrugResultRow, cab_drug_result_row, GTK_TYPE_BOX)

static GtkLabel *
line_label (GtkBox     *box,
            const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return GTK_LABEL (label);
}

static GtkWidget *
badge (GtkBox     *box,
       const char *text,
       const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "cab-drug-badge");
  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_box_append (box, label);
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

/* Tooltips are asked for when shown: gtk_widget_set_tooltip_text() at each
 * bind would ask the display where the pointer is, a round trip to the X
 * server for every row of every keystroke. */
static gboolean
query_tooltip_cb (GtkWidget        *widget,
                  int               x,
                  int               y,
                  gboolean          keyboard,
                  GtkTooltip       *tooltip,
                  CabDrugResultRow *self)
{
  const CabDrug *drug = self->item != NULL ? cab_drug_item_get_drug (self->item) : NULL;
  const char *text = NULL;

  if (drug == NULL)
    return FALSE;
  if (widget == GTK_WIDGET (self))
    text = drug->name;
  else if (widget == GTK_WIDGET (self->generic))
    text = drug->generic_label;
  if (text == NULL || *text == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
show_drug (CabDrugResultRow *self)
{
  const CabDrug *drug = cab_drug_item_get_drug (self->item);
  g_autofree char *dci = NULL;
  g_autofree char *brand = NULL;
  const char *rate, *generic;

  if (drug == NULL)
    return;
  dci = cab_drug_dup_dci (drug);
  brand = g_strdup_printf ("[%s]", drug->name);
  rate = reimbursement (drug);
  generic = generic_text (drug->generic_type);

  gtk_label_set_text (self->title, *dci != '\0' ? dci : drug->name);
  gtk_label_set_text (self->brand, brand);
  gtk_label_set_text (self->form, drug->form != NULL ? drug->form : "");
  gtk_widget_set_visible (self->not_marketed, !drug->commercialised);
  gtk_widget_set_visible (GTK_WIDGET (self->generic), generic != NULL);
  gtk_label_set_text (self->generic, generic != NULL ? generic : "");
  if (rate != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Reimbursed %s"), rate);

      gtk_label_set_text (self->reimbursed, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reimbursed), rate != NULL);
  gtk_widget_set_visible (self->not_reimbursed, rate == NULL);
}

static void
cab_drug_result_row_dispose (GObject *object)
{
  CabDrugResultRow *self = CAB_DRUG_RESULT_ROW (object);

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, show_drug, self);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (cab_drug_result_row_parent_class)->dispose (object);
}

static void
cab_drug_result_row_class_init (CabDrugResultRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cab_drug_result_row_dispose;
}

static void
cab_drug_result_row_init (CabDrugResultRow *self)
{
  GtkWidget *bottom;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 2);
  gtk_widget_add_css_class (GTK_WIDGET (self), "cab-drug-result");

  self->title = line_label (GTK_BOX (self), "cab-drug-dci");
  self->brand = line_label (GTK_BOX (self), NULL);
  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self), bottom);
  /* Dimmed by its colour, not "dim-label": an opacity draws each row's
   * label into a surface of its own first, at every frame the results
   * change (docs/architecture.md, "Prescription editor"). */
  self->form = line_label (GTK_BOX (bottom), "cab-drug-form");
  gtk_widget_set_hexpand (GTK_WIDGET (self->form), TRUE);
  self->not_marketed = badge (GTK_BOX (bottom), _("Not marketed"), "cab-not-marketed");
  self->generic = GTK_LABEL (badge (GTK_BOX (bottom), NULL, "cab-generic"));
  self->reimbursed = GTK_LABEL (badge (GTK_BOX (bottom), NULL, "cab-reimbursed"));
  self->not_reimbursed = badge (GTK_BOX (bottom), _("Not reimbursed"), "cab-not-reimbursed");

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->generic), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  g_signal_connect (self->generic, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
}

GtkWidget *
cab_drug_result_row_new (void)
{
  return g_object_new (CAB_TYPE_DRUG_RESULT_ROW, NULL);
}

void
cab_drug_result_row_set_item (CabDrugResultRow *self,
                              CabDrugItem      *item)
{
  g_return_if_fail (CAB_IS_DRUG_RESULT_ROW (self));
  g_return_if_fail (item == NULL || CAB_IS_DRUG_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_func (self->item, show_drug, self);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  /* The model puts the next answer's medicine in the same item. */
  g_signal_connect_swapped (item, "notify::drug", G_CALLBACK (show_drug), self);
  show_drug (self);
}

const char *
cab_drug_result_row_get_title (CabDrugResultRow *self)
{
  g_return_val_if_fail (CAB_IS_DRUG_RESULT_ROW (self), NULL);

  return gtk_label_get_text (self->title);
}
