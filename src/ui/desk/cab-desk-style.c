/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-desk"

#include "config.h"

#include "cab-desk-style.h"
#include "patients/cab-patient-format.h"

void
cab_desk_shell_style_ensure (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;

  cab_desk_style_ensure (widget);

  if (display == NULL || g_object_get_data (G_OBJECT (display), "cab-desk-shell-style") != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/cabinet_sante/Cabinet/desk/cab-desk-shell.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "cab-desk-shell-style",
                          g_steal_pointer (&provider), g_object_unref);
}
