/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SHA-1 and SHA-256 of received mail, as lowercase hex (what
 * g_compute_checksum_for_data() gives), through GnuTLS: it uses the CPU's
 * SHA instructions, about five times GLib's speed on SHA-256, and a sync
 * hashes every byte it receives (docs/architecture.md, "Mail"). */
char *cab_mail_sha1   (const void *data,
                       gsize       len);
char *cab_mail_sha256 (const void *data,
                       gsize       len);
char *cab_mail_sha1_bytes (GBytes *bytes);

G_END_DECLS
