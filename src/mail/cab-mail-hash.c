/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

#include "cab-mail-hash.h"

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <string.h>

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

struct _CabMailSha1Cache
{
  guint   n;
  GBytes *bytes[CAB_MAIL_SHA1_CACHE_SIZE];
  char   *sha1[CAB_MAIL_SHA1_CACHE_SIZE];
};

CabMailSha1Cache *
cab_mail_sha1_cache_new (void)
{
  return g_new0 (CabMailSha1Cache, 1);
}

void
cab_mail_sha1_cache_free (CabMailSha1Cache *cache)
{
  if (cache == NULL)
    return;
  for (guint i = 0; i < cache->n; i++)
    {
      g_bytes_unref (cache->bytes[i]);
      g_free (cache->sha1[i]);
    }
  g_free (cache);
}

void
cab_mail_sha1_cache_add (CabMailSha1Cache *cache,
                         GBytes           *bytes,
                         const char       *sha1)
{
  g_return_if_fail (cache != NULL && bytes != NULL && sha1 != NULL);

  if (cache->n == CAB_MAIL_SHA1_CACHE_SIZE)
    return;
  cache->bytes[cache->n] = g_bytes_ref (bytes);
  cache->sha1[cache->n] = g_strdup (sha1);
  cache->n++;
}

char *
cab_mail_sha1_cache_get (CabMailSha1Cache *cache,
                         GBytes           *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  for (guint i = 0; cache != NULL && i < cache->n; i++)
    {
      gsize known_len;
      const void *known = g_bytes_get_data (cache->bytes[i], &known_len);

      /* Every byte compared: equal hashes are never assumed. */
      if (known_len == len && (len == 0 || known == data || memcmp (known, data, len) == 0))
        return g_strdup (cache->sha1[i]);
    }
  return cab_mail_sha1 (data, len);
}
