/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The desk shell's style sheet (lab table, document pane, home), installed
 * once per display, with the patients' one (badges) it builds on. */
void cab_desk_shell_style_ensure (GtkWidget *widget);

G_END_DECLS
