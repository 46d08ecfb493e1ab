/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CAB_TYPE_PREFERENCES_WINDOW (cab_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CabPreferencesWindow, cab_preferences_window, CAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The user's settings, written to @settings as they change (GSettings). */
GtkWidget *cab_preferences_window_new (GtkWindow *parent,
                                       GSettings *settings);

G_END_DECLS
