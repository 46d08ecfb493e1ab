/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-patients"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-patient-format.h"
#include "cab-patient-result-row.h"
#include "widgets/cab-row-paint.h"

/* One widget that draws its result: each keystroke can bring up to a hundred
 * new results, and building a row of boxes and labels for each costs more
 * than the query. Same look as the header's labels and badge. */

#define GAP         8
#define LINE_GAP    4
/* Below this a birth name shows as little more than an ellipsis. */
#define MIN_BIRTH_NAME_WIDTH 48

struct _CabPatientResultRow
{
  GtkWidget       parent_instance;

  CabPatientItem *item;
  const char     *status;      /* identity status of the row shown */
  PangoLayout    *name;
  PangoLayout    *birth_name;
  PangoLayout    *details;
  PangoLayout    *badge;
  PangoLayout    *ins;
  gboolean        has_birth_name;
  gboolean        birth_name_fits;   /* room for more than an ellipsis */
  gboolean        has_ins;
  graphene_rect_t badge_rect;
};

G_DEFINE_FINAL_TYPE (CabPatientResultRow, cab_patient_result_row, GTK_TYPE_WIDGET)

static void
ensure_layouts (CabPatientResultRow *self)
{
  if (self->name != NULL)
    return;

  self->name = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_BOLD, 1.0, TRUE);
  self->birth_name = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 1.0, TRUE);
  self->details = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 1.0, TRUE);
  self->badge = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_BOLD, 0.8, FALSE);
  self->ins = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 0.85, FALSE);
}

static GdkRGBA
mix (GdkRGBA a,
     GdkRGBA b,
     float   t)
{
  return (GdkRGBA) { a.red * (1 - t) + b.red * t, a.green * (1 - t) + b.green * t,
                     a.blue * (1 - t) + b.blue * t, 1 };
}

/* The badge colours of style.css (.cab-badge-*), for a row that draws itself. */
static void
badge_colors (GtkWidget  *widget,
              const char *status,
              GdkRGBA    *bg,
              GdkRGBA    *fg)
{
  GdkRGBA text;
  GdkRGBA base;
  float alpha, toward_text;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &text);
  if (g_strcmp0 (status, "QUAL") == 0)
    base = cab_row_paint_named_color (widget, "success_color", "#1b8553"), alpha = 0.18, toward_text = 0.35;
  else if (g_strcmp0 (status, "VALI") == 0)
    base = cab_row_paint_named_color (widget, "accent_color", "#1c71d8"), alpha = 0.15, toward_text = 0.3;
  else if (g_strcmp0 (status, "PROV") == 0 || g_strcmp0 (status, CAB_IDENTITY_SHOWN_CONFLICT) == 0)
    base = cab_row_paint_named_color (widget, "warning_color", "#9c6e03"), alpha = 0.25, toward_text = 0.5;
  else if (g_strcmp0 (status, "RECUP") == 0)
    base = text, alpha = 0.1, toward_text = 0;
  else
    base = cab_row_paint_named_color (widget, "error_color", "#c01c28"), alpha = 0.12, toward_text = 0.35;

  *bg = base;
  bg->alpha = alpha;
  *fg = mix (base, text, toward_text);
}

/* ------------------------------------------------------------------ */
/* GtkWidget                                                            */
/* ------------------------------------------------------------------ */

static GtkSizeRequestMode
cab_patient_result_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
cab_patient_result_row_measure (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline)
{
  CabPatientResultRow *self = CAB_PATIENT_RESULT_ROW (widget);

  ensure_layouts (self);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 2 * CAB_ROW_PAD_X + 200;
      *natural = MAX (*minimum, 460);
      return;
    }

  *minimum = *natural = 2 * CAB_ROW_PAD_Y + cab_row_paint_layout_height (self->name) + LINE_GAP +
                        cab_row_paint_layout_height (self->details);
}

static void
cab_patient_result_row_size_allocate (GtkWidget *widget,
                                      int        width,
                                      int        height,
                                      int        baseline)
{
  CabPatientResultRow *self = CAB_PATIENT_RESULT_ROW (widget);
  int badge_w, badge_h, name_w, text_w, right_w, birth_w;

  ensure_layouts (self);

  cab_row_paint_pill_size (self->badge, &badge_w, &badge_h);
  right_w = MAX (badge_w, self->has_ins ? cab_row_paint_layout_width (self->ins) : 0);
  text_w = MAX (1, width - 2 * CAB_ROW_PAD_X - GAP - right_w);

  /* The name first; the birth name gets what is left on the line. */
  pango_layout_set_width (self->name, -1);
  name_w = MIN (cab_row_paint_layout_width (self->name), text_w);
  pango_layout_set_width (self->name, name_w * PANGO_SCALE);
  /* A long name leaves the birth name a lone "…": then it is left out (the
   * header and the accessible label still give it). */
  birth_w = text_w - name_w - GAP;
  self->birth_name_fits = birth_w >= MIN_BIRTH_NAME_WIDTH;
  pango_layout_set_width (self->birth_name, MAX (1, birth_w) * PANGO_SCALE);
  pango_layout_set_width (self->details, text_w * PANGO_SCALE);

  self->badge_rect = GRAPHENE_RECT_INIT (width - CAB_ROW_PAD_X - badge_w, CAB_ROW_PAD_Y,
                                         badge_w, badge_h);
}

static void
cab_patient_result_row_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  CabPatientResultRow *self = CAB_PATIENT_RESULT_ROW (widget);
  int width = gtk_widget_get_width (widget);
  GdkRGBA fg, dim, badge_bg, badge_fg;
  int name_w, name_h, details_y;

  if (self->item == NULL)
    return;

  cab_row_paint_text_colors (widget, &fg, &dim);

  name_w = cab_row_paint_layout_width (self->name);
  name_h = cab_row_paint_layout_height (self->name);
  details_y = CAB_ROW_PAD_Y + name_h + LINE_GAP;
  cab_row_paint_layout (widget, snapshot, self->name, CAB_ROW_PAD_X, CAB_ROW_PAD_Y, &fg);
  if (self->has_birth_name && self->birth_name_fits)
    cab_row_paint_layout (widget, snapshot, self->birth_name, CAB_ROW_PAD_X + name_w + GAP, CAB_ROW_PAD_Y, &dim);
  cab_row_paint_layout (widget, snapshot, self->details, CAB_ROW_PAD_X, details_y, &dim);

  badge_colors (widget, self->status, &badge_bg, &badge_fg);
  cab_row_paint_pill (widget, snapshot, self->badge, &self->badge_rect, &badge_bg, &badge_fg);

  if (self->has_ins)
    cab_row_paint_layout (widget, snapshot, self->ins, width - CAB_ROW_PAD_X - cab_row_paint_layout_width (self->ins),
                          details_y, &fg);
}

static gboolean
cab_patient_result_row_query_tooltip (GtkWidget  *widget,
                                      int         x,
                                      int         y,
                                      gboolean    keyboard,
                                      GtkTooltip *tooltip)
{
  CabPatientResultRow *self = CAB_PATIENT_RESULT_ROW (widget);
  /* The places are left-to-right ones (cab-row-paint.h). */
  graphene_point_t point = cab_row_paint_point (widget, x, y);

  if (self->item == NULL || !graphene_rect_contains_point (&self->badge_rect, &point))
    return FALSE;

  gtk_tooltip_set_text (tooltip, cab_identity_status_tooltip (self->status));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_patient_result_row_dispose (GObject *object)
{
  CabPatientResultRow *self = CAB_PATIENT_RESULT_ROW (object);

  g_clear_object (&self->item);
  g_clear_object (&self->name);
  g_clear_object (&self->birth_name);
  g_clear_object (&self->details);
  g_clear_object (&self->badge);
  g_clear_object (&self->ins);

  G_OBJECT_CLASS (cab_patient_result_row_parent_class)->dispose (object);
}

static void
cab_patient_result_row_class_init (CabPatientResultRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_patient_result_row_dispose;
  widget_class->get_request_mode = cab_patient_result_row_get_request_mode;
  widget_class->measure = cab_patient_result_row_measure;
  widget_class->size_allocate = cab_patient_result_row_size_allocate;
  widget_class->snapshot = cab_patient_result_row_snapshot;
  widget_class->query_tooltip = cab_patient_result_row_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "cabpatientresultrow");
}

static void
cab_patient_result_row_init (CabPatientResultRow *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
cab_patient_result_row_new (void)
{
  return g_object_new (CAB_TYPE_PATIENT_RESULT_ROW, NULL);
}

void
cab_patient_result_row_set_item (CabPatientResultRow *self,
                                 CabPatientItem      *item)
{
  const CabPatientRow *row;
  g_autofree char *name = NULL;
  g_autofree char *birth = NULL;
  g_autofree char *details = NULL;
  g_autofree char *ins = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (CAB_IS_PATIENT_RESULT_ROW (self));
  g_return_if_fail (item == NULL || CAB_IS_PATIENT_ITEM (item));

  if (!g_set_object (&self->item, item) || item == NULL)
    return;

  ensure_layouts (self);
  row = cab_patient_item_get_row (item);
  name = cab_format_patient_name (&row->patient);
  birth = cab_format_birth_name (&row->patient);
  details = cab_format_patient_details (&row->patient);
  ins = cab_format_ins (row->patient.ins);
  self->status = cab_identity_status_shown (row);

  pango_layout_set_text (self->name, name, -1);
  pango_layout_set_text (self->birth_name, birth != NULL ? birth : "", -1);
  pango_layout_set_text (self->details, details, -1);
  pango_layout_set_text (self->badge, cab_identity_status_label (self->status), -1);
  self->has_birth_name = birth != NULL;
  self->has_ins = ins != NULL;
  if (ins != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("INS %s"), ins);

      pango_layout_set_text (self->ins, text, -1);
    }

  label = g_strdup_printf ("%s%s%s, %s, %s", name, birth != NULL ? ", " : "", birth != NULL ? birth : "",
                           details, cab_identity_status_label (self->status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
