/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "cab-mail-hash.h"

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

static char *
hex_digest (gnutls_digest_algorithm_t algorithm, const void *data, gsize len)
{
  static const char hex[] = "0123456789abcdef";
  guint8 digest[32];
  guint n = gnutls_hash_get_len (algorithm);
  char *out;

  g_assert (n <= sizeof digest);
  /* Fails only without the algorithm, which every GnuTLS build has. */
  if (gnutls_hash_fast (algorithm, data != NULL ? data : "", len, digest) < 0)
    g_error ("GnuTLS cannot compute a digest");
  out = g_malloc (2 * n + 1);
  for (guint i = 0; i < n; i++)
    {
      out[2 * i] = hex[digest[i] >> 4];
      out[2 * i + 1] = hex[digest[i] & 0xf];
    }
  out[2 * n] = '\0';
  return out;
}

char *
cab_mail_sha1 (const void *data, gsize len)
{
  return hex_digest (GNUTLS_DIG_SHA1, data, len);
}

char *
cab_mail_sha256 (const void *data, gsize len)
{
  return hex_digest (GNUTLS_DIG_SHA256, data, len);
}

char *
cab_mail_sha1_bytes (GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  return cab_mail_sha1 (data, len);
}
