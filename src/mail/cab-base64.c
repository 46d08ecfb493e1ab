/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet-mail"

/* Base64 decoding as GMime does it, faster (cab-base64.h). */

#include "cab-base64.h"

#include <string.h>

/* A digit's value, NOT_DIGIT for anything else ('=' included). */
#define NOT_DIGIT 0xff

static guint8 values[256];

static void
init_values (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

      memset (values, NOT_DIGIT, sizeof values);
      for (guint i = 0; i < 64; i++)
        values[(guint8) alphabet[i]] = i;
      g_once_init_leave (&done, 1);
    }
}

gsize
cab_base64_decode (const guint8 *in,
                   gsize         len,
                   guint8       *out)
{
  const guint8 *p = in, *end = in + len;
  guint8 *o = out;
  guint32 bits = 0;
  guint n = 0;   /* digits in @bits */

  init_values ();
  while (p < end)
    {
      guint8 c, v;

      /* Between quartets, whole quartets four digits at a time: a line
       * of 76 is 19 of them. */
      while (n == 0 && end - p >= 4)
        {
          guint32 a = values[p[0]], b = values[p[1]], c4 = values[p[2]], d = values[p[3]];
          guint32 q;

          if (((a | b | c4 | d) & 0x80) != 0)   /* one is not a digit */
            break;
          q = a << 18 | b << 12 | c4 << 6 | d;
          o[0] = q >> 16;
          o[1] = q >> 8;
          o[2] = q;
          o += 3;
          p += 4;
        }
      if (p == end)
        break;
      c = *p++;
      v = values[c];
      if (v != NOT_DIGIT)
        {
          bits = bits << 6 | v;
          if (++n == 4)
            {
              o[0] = bits >> 16;
              o[1] = bits >> 8;
              o[2] = bits;
              o += 3;
              bits = 0;
              n = 0;
            }
        }
      else if (c == '=')
        {
          /* The end: what the last quartet holds (two or three digits
           * give one or two bytes); anything after is ignored. */
          if (n > 1)
            {
              bits <<= 6 * (4 - n);
              *o++ = bits >> 16;
              if (n > 2)
                *o++ = bits >> 8;
            }
          break;
        }
    }
  /* A last quartet left short without '=' gives nothing. */
  return o - out;
}
