/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-row-paint"

#include "config.h"

#include "cab-row-paint.h"

PangoLayout *
cab_row_paint_layout_new (GtkWidget   *widget,
                          PangoWeight  weight,
                          double       scale,
                          gboolean     ellipsize)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, NULL);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (weight != PANGO_WEIGHT_NORMAL)
    pango_attr_list_insert (attrs, pango_attr_weight_new (weight));
  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  /* Dates and numbers line up in a column. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  if (ellipsize)
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  return layout;
}

int
cab_row_paint_layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

int
cab_row_paint_layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

void
cab_row_paint_text_colors (GtkWidget *widget,
                           GdkRGBA   *fg,
                           GdkRGBA   *dim)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  *dim = *fg;
  dim->alpha *= 0.55;
}

GdkRGBA
cab_row_paint_named_color (GtkWidget  *widget,
                           const char *name,
                           const char *fallback)
{
  GdkRGBA color;

  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &color))
    gdk_rgba_parse (&color, fallback);
  return color;
}

gboolean
cab_row_paint_is_rtl (GtkWidget *widget)
{
  return gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
}

graphene_rect_t
cab_row_paint_mirror_rect (GtkWidget             *widget,
                           const graphene_rect_t *rect)
{
  graphene_rect_t mirrored = *rect;

  if (cab_row_paint_is_rtl (widget))
    mirrored.origin.x = gtk_widget_get_width (widget) - rect->origin.x - rect->size.width;
  return mirrored;
}

graphene_point_t
cab_row_paint_point (GtkWidget *widget,
                     double     x,
                     double     y)
{
  if (cab_row_paint_is_rtl (widget))
    x = gtk_widget_get_width (widget) - x;
  return GRAPHENE_POINT_INIT (x, y);
}

void
cab_row_paint_layout (GtkWidget     *widget,
                      GtkSnapshot   *snapshot,
                      PangoLayout   *layout,
                      float          x,
                      float          y,
                      const GdkRGBA *color)
{
  if (cab_row_paint_is_rtl (widget))
    {
      PangoRectangle logical;

      /* The text's right end where its left-to-right start mirrors: what
       * pango's alignment did within the layout's width (a line of the
       * other direction than the context's is aligned to the other side)
       * is in the logical rectangle's x. */
      pango_layout_get_pixel_extents (layout, NULL, &logical);
      x = gtk_widget_get_width (widget) - x - (logical.x + logical.width);
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
cab_row_paint_rounded (GtkWidget             *widget,
                       GtkSnapshot           *snapshot,
                       const graphene_rect_t *rect,
                       float                  radius,
                       const GdkRGBA         *color)
{
  graphene_rect_t shown = cab_row_paint_mirror_rect (widget, rect);
  GskRoundedRect round;

  gsk_rounded_rect_init_from_rect (&round, &shown, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &round);
  gtk_snapshot_append_color (snapshot, color, &shown);
  gtk_snapshot_pop (snapshot);
}

void
cab_row_paint_icon (GtkWidget             *widget,
                    GtkSnapshot           *snapshot,
                    GdkPaintable          *icon,
                    const graphene_rect_t *rect,
                    const GdkRGBA         *color)
{
  graphene_rect_t shown = cab_row_paint_mirror_rect (widget, rect);
  GdkRGBA colors[4] = { *color, *color, *color, *color };

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &shown.origin);
  if (GTK_IS_SYMBOLIC_PAINTABLE (icon))
    gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                              shown.size.width, shown.size.height, colors, 4);
  else
    gdk_paintable_snapshot (icon, snapshot, shown.size.width, shown.size.height);
  gtk_snapshot_restore (snapshot);
}

void
cab_row_paint_pill_size (PangoLayout *layout,
                         int         *width,
                         int         *height)
{
  int text_w, text_h;

  pango_layout_get_pixel_size (layout, &text_w, &text_h);
  if (width != NULL)
    *width = text_w + 2 * CAB_ROW_PILL_PAD_X;
  if (height != NULL)
    *height = text_h + 2;
}

void
cab_row_paint_pill (GtkWidget             *widget,
                    GtkSnapshot           *snapshot,
                    PangoLayout           *layout,
                    const graphene_rect_t *rect,
                    const GdkRGBA         *bg,
                    const GdkRGBA         *fg)
{
  cab_row_paint_rounded (widget, snapshot, rect, rect->size.height / 2, bg);
  cab_row_paint_layout (widget, snapshot, layout, rect->origin.x + CAB_ROW_PILL_PAD_X, rect->origin.y + 1, fg);
}
