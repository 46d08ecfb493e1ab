/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescribing"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "cab-prescription-id.h"

/* Crockford's base 32: no I, L, O, U, so nothing reads as another symbol. */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
#define RADIX 32

static int
symbol_value (char c)
{
  const char *p = c != '\0' ? strchr (alphabet, c) : NULL;

  return p != NULL ? (int) (p - alphabet) : -1;
}

/* Luhn mod N over the symbols' values, N = 32: catches every single wrong
 * symbol and every swap of two neighbours except 0 with Z (as 09/90 in
 * base 10). */
static int
luhn_sum (const char *text,
          gsize       len,
          gboolean    double_last)
{
  int sum = 0;
  gboolean twice = double_last;

  for (gsize i = len; i > 0; i--)
    {
      int v = symbol_value (text[i - 1]);
      int addend;

      if (v < 0)
        return -1;
      addend = twice ? v * 2 : v;
      sum += addend / RADIX + addend % RADIX;
      twice = !twice;
    }
  return sum;
}

char
cab_prescription_id_check_char (const char *body)
{
  int sum;

  if (body == NULL || strlen (body) != CAB_PRESCRIPTION_ID_BODY)
    return '\0';
  sum = luhn_sum (body, CAB_PRESCRIPTION_ID_BODY, TRUE);
  if (sum < 0)
    return '\0';
  return alphabet[(RADIX - sum % RADIX) % RADIX];
}

char *
cab_prescription_id_generate (void)
{
  guint8 bytes[13];
  char id[CAB_PRESCRIPTION_ID_LENGTH + 1];
  gsize got = 0;
  guint64 acc = 0;
  guint bits = 0, n = 0;

  /* getrandom() blocks only before the kernel's pool is first seeded. */
  while (got < sizeof bytes)
    {
      ssize_t r = getrandom (bytes + got, sizeof bytes - got, 0);

      if (r < 0 && errno != EINTR)
        g_error ("The system's random generator failed: %s", g_strerror (errno));
      if (r > 0)
        got += (gsize) r;
    }

  /* 20 symbols of 5 bits from the first 100 bits. */
  for (guint i = 0; i < sizeof bytes && n < CAB_PRESCRIPTION_ID_BODY; i++)
    {
      acc = (acc << 8) | bytes[i];
      bits += 8;
      while (bits >= 5 && n < CAB_PRESCRIPTION_ID_BODY)
        {
          id[n++] = alphabet[(acc >> (bits - 5)) & 0x1f];
          bits -= 5;
        }
    }
  id[CAB_PRESCRIPTION_ID_BODY] = '\0';
  id[CAB_PRESCRIPTION_ID_BODY] = cab_prescription_id_check_char (id);
  id[CAB_PRESCRIPTION_ID_LENGTH] = '\0';
  return g_strdup (id);
}

gboolean
cab_prescription_id_is_valid (const char *id)
{
  int sum;

  if (id == NULL || strlen (id) != CAB_PRESCRIPTION_ID_LENGTH)
    return FALSE;
  sum = luhn_sum (id, CAB_PRESCRIPTION_ID_LENGTH, FALSE);
  return sum >= 0 && sum % RADIX == 0;
}

char *
cab_prescription_id_normalize (const char *text)
{
  GString *s;

  if (text == NULL)
    return NULL;
  s = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (c == '-' || c == ' ')
        continue;
      if (c == 'I' || c == 'L')
        c = '1';
      else if (c == 'O')
        c = '0';
      if (symbol_value (c) < 0 || s->len >= CAB_PRESCRIPTION_ID_LENGTH)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append_c (s, c);
    }
  if (!cab_prescription_id_is_valid (s->str))
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

char *
cab_prescription_id_format (const char *id)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; id != NULL && id[i] != '\0'; i++)
    {
      if (i > 0 && i % 5 == 0)
        g_string_append_c (s, '-');
      g_string_append_c (s, id[i]);
    }
  return g_string_free (s, FALSE);
}
