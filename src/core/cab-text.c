/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-text"

#include "config.h"

#include <string.h>

#include "cab-text.h"

gboolean
cab_text_is_one_line (const char *text,
                      gsize       max_bytes)
{
  if (text == NULL || strlen (text) > max_bytes || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  /* Bytes: in valid UTF-8, these values never occur inside a longer sequence. */
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}
