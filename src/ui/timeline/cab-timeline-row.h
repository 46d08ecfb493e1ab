/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-timeline-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_TIMELINE_ROW (cab_timeline_row_get_type ())
G_DECLARE_FINAL_TYPE (CabTimelineRow, cab_timeline_row, CAB, TIMELINE_ROW, GtkWidget)

/* A recycled timeline row: shows a month header or a document. */
GtkWidget *cab_timeline_row_new      (void);
void       cab_timeline_row_set_item (CabTimelineRow  *self,
                                      CabTimelineItem *item);

G_END_DECLS
