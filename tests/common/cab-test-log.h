/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_test_init() makes every warning fatal. Some tests provoke one on
 * purpose (a send that cannot start says why in the log): while such a
 * test expects warnings, they are kept here instead of ending it. Other
 * warnings stay fatal. Call cab_test_log_init() before g_test_init().
 * Warnings may come from any thread. */
void        cab_test_log_init             (void);
void        cab_test_log_expect_warnings  (gboolean    expect);
guint       cab_test_log_get_n_warnings   (void);
/* The last warning kept, or NULL; a copy. */
char       *cab_test_log_dup_last_warning (void);

/* A warning of @domain starting with @prefix is printed and not fatal,
 * for the whole run: for a library's known, harmless complaint (the
 * test says which and why). One such pattern at most. */
void        cab_test_log_tolerate         (const char *domain,
                                           const char *prefix);

G_END_DECLS
