/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-prefs-mail-page.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_PREFERENCES_WINDOW (cab_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CabPreferencesWindow, cab_preferences_window, CAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* The user's settings, written to @settings as they change (GSettings). */
GtkWidget *cab_preferences_window_new (GtkWindow *parent,
                                       GSettings *settings);
/* With the Mail page's store-backed rows (practitioners, read receipts)
 * and the session's CA for "Check"; @session may be NULL. */
GtkWidget *cab_preferences_window_new_for_session (GtkWindow  *parent,
                                                   GSettings  *settings,
                                                   CabSession *session);
CabPrefsMailPage *cab_preferences_window_get_mail_page (CabPreferencesWindow *self);

G_END_DECLS
