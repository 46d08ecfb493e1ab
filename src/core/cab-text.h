/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text read from somewhere the app does not control (a directory's answer,
 * a stored payload, a received header: docs/architecture.md, "Hostile
 * input") that is going to be shown on one line or written into a header.
 * Pure functions, any thread. */

/* TRUE when @text is one line: not NULL, at most @max_bytes bytes of valid
 * UTF-8, without a control character (below U+0020, or DEL). An empty
 * string is one line: callers that need a word check it themselves. */
gboolean cab_text_is_one_line (const char *text,
                               gsize       max_bytes);

G_END_DECLS
