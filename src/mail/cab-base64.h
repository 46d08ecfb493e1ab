/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Base64 decoding of a whole MIME part in one call, byte for byte what
 * GMime 3.2.13's decoder (Debian 12) gives for the same input in one step
 * (g_mime_encoding_flush()): characters outside the alphabet are skipped,
 * the first '=' ends the data (a last quartet of two or three digits
 * gives one or two bytes; what follows is ignored), a last quartet short
 * of digits without '=' gives nothing. Four digits are read at a time
 * where they allow it: GMime's decoder, a digit at a time, was the largest
 * single cost of reading a message (docs/architecture.md, "What the sync
 * relies on"). */

/* At most this many bytes are written for @len input bytes. */
#define CAB_BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

gsize cab_base64_decode (const guint8 *in,
                         gsize         len,
                         guint8       *out);

G_END_DECLS
