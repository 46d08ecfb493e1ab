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

/* The SHA-1 of buffers hashed already, found again by size and a full
 * comparison of the bytes: an XDM document is most often the same bytes as
 * the PDF attached beside the zip, and comparing is several times cheaper
 * than hashing. Holds at most CAB_MAIL_SHA1_CACHE_SIZE buffers, so a
 * lookup compares at most that many (rule 3 of "Rules for hostile
 * input"); one per message read, never shared between threads. */
#define CAB_MAIL_SHA1_CACHE_SIZE 8

typedef struct _CabMailSha1Cache CabMailSha1Cache;

CabMailSha1Cache *cab_mail_sha1_cache_new    (void);
void              cab_mail_sha1_cache_free   (CabMailSha1Cache *cache);
/* Remembers @bytes (referenced) with its @sha1; ignored once full. */
void              cab_mail_sha1_cache_add    (CabMailSha1Cache *cache,
                                              GBytes           *bytes,
                                              const char       *sha1);
/* The SHA-1 of @bytes, remembered or computed (not remembered). */
char             *cab_mail_sha1_cache_get    (CabMailSha1Cache *cache,
                                              GBytes           *bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabMailSha1Cache, cab_mail_sha1_cache_free)

G_END_DECLS
