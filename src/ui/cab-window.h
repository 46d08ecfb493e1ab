/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-session.h"
#include "cab-types.h"

G_BEGIN_DECLS

#define CAB_TYPE_WINDOW (cab_window_get_type ())
G_DECLARE_FINAL_TYPE (CabWindow, cab_window, CAB, WINDOW, AdwApplicationWindow)

/* @application may be NULL. */
CabWindow  *cab_window_new               (GtkApplication *application,
                                          CabSession     *session);
CabSession *cab_window_get_session       (CabWindow      *self);

/* Shows a sidebar page: "patients", "inbox", "follow-up" or "outbox". */
void        cab_window_show_page         (CabWindow      *self,
                                          const char     *name);
const char *cab_window_get_page          (CabWindow      *self);

G_END_DECLS
