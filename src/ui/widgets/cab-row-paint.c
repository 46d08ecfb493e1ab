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

void
cab_row_paint_layout (GtkSnapshot   *snapshot,
                      PangoLayout   *layout,
                      float          x,
                      float          y,
                      const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
cab_row_paint_rounded (GtkSnapshot           *snapshot,
                       const graphene_rect_t *rect,
                       float                  radius,
                       const GdkRGBA         *color)
{
  GskRoundedRect round;

  gsk_rounded_rect_init_from_rect (&round, rect, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &round);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
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
cab_row_paint_pill (GtkSnapshot           *snapshot,
                    PangoLayout           *layout,
                    const graphene_rect_t *rect,
                    const GdkRGBA         *bg,
                    const GdkRGBA         *fg)
{
  cab_row_paint_rounded (snapshot, rect, rect->size.height / 2, bg);
  cab_row_paint_layout (snapshot, layout, rect->origin.x + CAB_ROW_PILL_PAD_X, rect->origin.y + 1, fg);
}
