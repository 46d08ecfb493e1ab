/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Takes "--lang=fr" out of the arguments (before g_test_init sees them),
 * sets the environment for that language and initialises Cabinet's
 * translations. Returns "en" or what --lang named. */
const char *cab_test_language_setup (int   *argc,
                                     char **argv);

G_END_DECLS
