/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the rows that draw themselves (the timeline's, the patient search
 * results) share, so that they keep the paddings, text and pills of the
 * widgets they stand for, and look alike. */

/* Space around a row's content, and inside a pill on either side of its
 * text (a pill is one pixel taller than its text above and below). */
#define CAB_ROW_PAD_X      12
#define CAB_ROW_PAD_Y       6
#define CAB_ROW_PILL_PAD_X  8

/* A one-line layout for @widget's font, with tabular figures so that dates
 * and numbers line up; @scale 1.0 for the font's size. */
PangoLayout *cab_row_paint_layout_new    (GtkWidget             *widget,
                                          PangoWeight            weight,
                                          double                 scale,
                                          gboolean               ellipsize);
int          cab_row_paint_layout_width  (PangoLayout           *layout);
int          cab_row_paint_layout_height (PangoLayout           *layout);

/* The widget's text colour, and the dimmed one of secondary lines (as
 * .dim-label). */
void         cab_row_paint_text_colors   (GtkWidget             *widget,
                                          GdkRGBA               *fg,
                                          GdkRGBA               *dim);
/* A colour of the theme (@define-color), or @fallback when it has none. */
GdkRGBA      cab_row_paint_named_color   (GtkWidget             *widget,
                                          const char            *name,
                                          const char            *fallback);

/* @layout with its top left corner at (@x, @y). */
void         cab_row_paint_layout        (GtkSnapshot           *snapshot,
                                          PangoLayout           *layout,
                                          float                  x,
                                          float                  y,
                                          const GdkRGBA         *color);
/* @rect filled with rounded corners of @radius. */
void         cab_row_paint_rounded       (GtkSnapshot           *snapshot,
                                          const graphene_rect_t *rect,
                                          float                  radius,
                                          const GdkRGBA         *color);

/* A pill's size around @layout's text, and the pill (as .cab-pill) drawn
 * in @rect: @bg behind, @layout in @fg. */
void         cab_row_paint_pill_size     (PangoLayout           *layout,
                                          int                   *width,
                                          int                   *height);
void         cab_row_paint_pill          (GtkSnapshot           *snapshot,
                                          PangoLayout           *layout,
                                          const graphene_rect_t *rect,
                                          const GdkRGBA         *bg,
                                          const GdkRGBA         *fg);

G_END_DECLS
