/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the rows that draw themselves (the Inbox's, the timeline's, the
 * patient search results) share, so that they keep the paddings, text and
 * pills of the widgets they stand for, and look alike.
 *
 * Right to left (docs/architecture.md, "Self-drawn rows, right to
 * left"): a row places its parts in left-to-right coordinates, x from its
 * left edge, and paints and hit-tests them through the functions below
 * that take the widget: in a widget whose direction is right to left they
 * mirror every rectangle in the widget's width and end each text where
 * its mirrored place ends, aligned to the right. They ask the direction
 * at each paint, so a direction change (GTK allocates and paints again)
 * needs nothing more. */

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

/* Whether @widget's parts are mirrored (its direction is right to left). */
gboolean     cab_row_paint_is_rtl        (GtkWidget             *widget);
/* @rect of the row's left-to-right places, where @widget shows it. */
graphene_rect_t cab_row_paint_mirror_rect (GtkWidget            *widget,
                                          const graphene_rect_t *rect);
/* A point of @widget (a tooltip's) in the row's left-to-right places. */
graphene_point_t cab_row_paint_point     (GtkWidget             *widget,
                                          double                 x,
                                          double                 y);

/* @layout with its top left corner at (@x, @y); right to left, its text
 * ends at the mirror of @x. */
void         cab_row_paint_layout        (GtkWidget             *widget,
                                          GtkSnapshot           *snapshot,
                                          PangoLayout           *layout,
                                          float                  x,
                                          float                  y,
                                          const GdkRGBA         *color);
/* @rect filled with rounded corners of @radius. */
void         cab_row_paint_rounded       (GtkWidget             *widget,
                                          GtkSnapshot           *snapshot,
                                          const graphene_rect_t *rect,
                                          float                  radius,
                                          const GdkRGBA         *color);
/* @icon in @rect, a symbolic one in @color. */
void         cab_row_paint_icon          (GtkWidget             *widget,
                                          GtkSnapshot           *snapshot,
                                          GdkPaintable          *icon,
                                          const graphene_rect_t *rect,
                                          const GdkRGBA         *color);

/* A pill's size around @layout's text, and the pill (as .cab-pill) drawn
 * in @rect: @bg behind, @layout in @fg. */
void         cab_row_paint_pill_size     (PangoLayout           *layout,
                                          int                   *width,
                                          int                   *height);
void         cab_row_paint_pill          (GtkWidget             *widget,
                                          GtkSnapshot           *snapshot,
                                          PangoLayout           *layout,
                                          const graphene_rect_t *rect,
                                          const GdkRGBA         *bg,
                                          const GdkRGBA         *fg);

G_END_DECLS
