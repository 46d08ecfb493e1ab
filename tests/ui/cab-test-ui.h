/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-window.h"

G_BEGIN_DECLS

/* What the UI tests that drive a whole window share. */

/* Takes "--lang=fr" out of the arguments (before g_test_init sees them),
 * sets the environment for that language and initialises Cabinet's
 * translations. Returns "en" or what --lang named. */
const char *cab_test_ui_setup_language (int   *argc,
                                        char **argv);

typedef gboolean (*CabTestCondition) (gpointer data);

/* Runs the main loop until @condition holds; a hang guard (two minutes),
 * not a timing assertion. */
void        cab_test_ui_wait_for       (CabTestCondition  condition,
                                        gpointer          data,
                                        const char       *what);

/* Lets animations (revealer, toast) run their course and frames be drawn. */
void        cab_test_ui_settle         (guint             ms);

/* Saves @window as "<dir>/<name>-<lang>.png", retrying while no frame has
 * been drawn yet (right after a dialog closed). */
void        cab_test_ui_screenshot     (CabWindow        *window,
                                        const char       *dir,
                                        const char       *name,
                                        const char       *lang);

G_END_DECLS
