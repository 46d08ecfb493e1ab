/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * gtk_widget_set_tooltip_text() without asking the X server where the
 * pointer is: GTK 4.8 does, a round trip, for any visible widget, even
 * one in no window yet (a template's "tooltip-text" too). A widget not
 * shown yet has no tooltip to update; for it the text is set while it is
 * hidden for a moment, which asks nothing. Shown (mapped), it is set as
 * GTK does. Same text as before: nothing. (docs/architecture.md, "The
 * Inbox page".)
 */
void cab_tooltip_set_text (GtkWidget  *widget,
                           const char *text);

G_END_DECLS
