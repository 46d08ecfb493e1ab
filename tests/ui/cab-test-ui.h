/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-types.h"

G_BEGIN_DECLS

/* What the UI tests that drive a whole window share. */

/* Before anything else in main(): takes "--lang=fr" out of the arguments,
 * sets the environment for that language and initialises Cabinet's
 * translations, leaves the application without a session bus (as in a
 * sandbox), calls g_test_init() and creates the screenshot directory. */
void            cab_test_ui_init            (int    *argc,
                                             char ***argv);
/* "en", or what --lang named. */
const char     *cab_test_ui_get_language    (void);
/* "<screenshot dir>/<name>-<language>.png". */
char           *cab_test_ui_screenshot_path (const char *name);
/* The application, registered non-unique and held: tests drive it
 * without g_application_run(). */
CabApplication *cab_test_ui_new_application (void);

typedef gboolean (*CabTestCondition) (gpointer data);

/* Runs the main loop until @condition holds; a hang guard (two minutes),
 * not a timing assertion. */
void        cab_test_ui_wait_for       (CabTestCondition  condition,
                                        gpointer          data,
                                        const char       *what);

/* Lets animations (revealer, toast) run their course and frames be drawn. */
void        cab_test_ui_settle         (guint             ms);

/* Saves @window at cab_test_ui_screenshot_path (@name), retrying while no
 * frame has been drawn yet (right after a dialog closed). */
void        cab_test_ui_screenshot     (CabWindow        *window,
                                        const char       *name);

G_END_DECLS
