/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GLib keeps its quarks in a block that it replaces, without freeing the
 * old one (by design: lookups take no lock), each time 2,048 more quarks
 * are interned; a GTK program interns more than 2,048, so LeakSanitizer
 * reports the first block, allocated by GLib's load-time constructor.
 * This tells LeakSanitizer to ignore that one block, found by its size and
 * its content, so the test can run with the fast unwinder and no
 * suppression that would hide anything else (docs/architecture.md,
 * "What the sanitizer build runs"). Call it first thing in main(), before
 * GTK registers its types. A no-op without AddressSanitizer; returns
 * whether the block was found (always TRUE without it). */
gboolean    cab_test_leaks_ignore_quark_block (void);

G_END_DECLS
