/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-date-format"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cab-date-format.h"

/* ------------------------------------------------------------------ */
/* Auxiliary functions                                                  */
/* ------------------------------------------------------------------ */

typedef struct
{
  int      year, month, day;        /* month, day 0 when absent */
  gboolean has_time;
  int      hour, minute;
  double   second;
  gboolean has_zone;
  int      offset;                  /* seconds east of UTC */
} FhirDate;

/* Timelines format thousands of dates on a worker thread: read them by hand,
 * without a GDateTime (time zone lookups cost microseconds per call). */
static gboolean
digits (const char *s,
        guint       n,
        int        *value)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *value = v;
  return TRUE;
}

/* "YYYY[-MM[-DD[Thh:mm[:ss[.fff]][Z|(+|-)hh:mm]]]]", each part in range. */
static gboolean
parse_fhir (const char *s,
            FhirDate   *out)
{
  FhirDate d = { 0 };
  const char *p;

  if (s == NULL || !digits (s, 4, &d.year) || d.year < 1)
    return FALSE;
  p = s + 4;
  if (*p == '\0')
    goto done;
  if (*p != '-' || !digits (p + 1, 2, &d.month) || d.month < 1 || d.month > 12)
    return FALSE;
  p += 3;
  if (*p == '\0')
    goto done;
  if (*p != '-' || !digits (p + 1, 2, &d.day) || !g_date_valid_dmy (d.day, d.month, d.year))
    return FALSE;
  p += 3;
  if (*p == '\0')
    goto done;

  if (*p != 'T' || !digits (p + 1, 2, &d.hour) || d.hour > 23 || p[3] != ':' ||
      !digits (p + 4, 2, &d.minute) || d.minute > 59)
    return FALSE;
  d.has_time = TRUE;
  p += 6;
  if (*p == ':')
    {
      int sec;

      if (!digits (p + 1, 2, &sec) || sec > 59)
        return FALSE;
      d.second = sec;
      p += 3;
      if (*p == '.')
        {
          double scale = 0.1;

          if (!g_ascii_isdigit (p[1]))
            return FALSE;
          for (p++; g_ascii_isdigit (*p); p++, scale /= 10)
            d.second += (*p - '0') * scale;
        }
    }

  if (*p == 'Z')
    {
      d.has_zone = TRUE;
      p++;
    }
  else if (*p == '+' || *p == '-')
    {
      int oh, om;

      if (!digits (p + 1, 2, &oh) || oh > 23 || p[3] != ':' || !digits (p + 4, 2, &om) || om > 59)
        return FALSE;
      d.has_zone = TRUE;
      d.offset = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      p += 6;
    }
  if (*p != '\0')
    return FALSE;

done:
  *out = d;
  return TRUE;
}

/* Days since 1970-01-01 of a civil date, and back (Howard Hinnant's
 * algorithms, proleptic Gregorian). */
static gint64
days_from_civil (int y,
                 int m,
                 int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 CabDay *out)
{
  gint64 era, doe, yoe, y, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  out->day = doy - (153 * mp + 2) / 5 + 1;
  out->month = mp < 10 ? mp + 3 : mp - 9;
  out->year = y + (out->month <= 2);
}

/* Whole seconds of a zoned dateTime. */
static gint64
zoned_unix (const FhirDate *d)
{
  return days_from_civil (d->year, d->month, d->day) * 86400 +
         d->hour * 3600 + d->minute * 60 + (int) d->second - d->offset;
}

static GTimeZone *
zone_or_local (GTimeZone *tz)
{
  return tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

gboolean
cab_date_parse_day (const char *fhir,
                    GTimeZone  *tz,
                    CabDay     *out)
{
  FhirDate d;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!parse_fhir (fhir, &d))
    return FALSE;

  if (d.has_zone)
    {
      g_autoptr(GTimeZone) zone = zone_or_local (tz);
      gint64 t = zoned_unix (&d);
      int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, t);
      gint64 local = t + (interval >= 0 ? g_time_zone_get_offset (zone, interval) : 0);
      gint64 days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);

      civil_from_days (days, out);
      return TRUE;
    }

  out->year = d.year;
  out->month = d.month;
  out->day = d.day;
  return TRUE;
}

GDateTime *
cab_date_parse (const char *fhir,
                GTimeZone  *tz)
{
  g_autoptr(GTimeZone) zone = NULL;
  FhirDate d;

  if (!parse_fhir (fhir, &d))
    return NULL;

  zone = zone_or_local (tz);
  if (d.has_zone)
    {
      g_autoptr(GTimeZone) written = g_time_zone_new_offset (d.offset);
      g_autoptr(GDateTime) instant = g_date_time_new (written, d.year, d.month, d.day,
                                                      d.hour, d.minute, d.second);

      return instant != NULL ? g_date_time_to_timezone (instant, zone) : NULL;
    }

  return g_date_time_new (zone, d.year, MAX (d.month, 1), MAX (d.day, 1),
                          d.hour, d.minute, d.second);
}

gboolean
cab_date_to_unix (const char *fhir,
                  GTimeZone  *tz,
                  gint64     *out)
{
  g_autoptr(GDateTime) dt = NULL;
  FhirDate d;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!parse_fhir (fhir, &d))
    return FALSE;
  if (d.has_zone)
    {
      *out = zoned_unix (&d);
      return TRUE;
    }

  dt = cab_date_parse (fhir, tz);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

char *
cab_date_format_day (const char *fhir,
                     GTimeZone  *tz)
{
  CabDay day;

  if (fhir == NULL)
    return NULL;
  if (!cab_date_parse_day (fhir, tz, &day))
    return g_strdup (fhir);

  if (day.day != 0)
    return g_strdup_printf ("%02d/%02d/%04d", day.day, day.month, day.year);
  if (day.month != 0)
    return g_strdup_printf ("%02d/%04d", day.month, day.year);
  return g_strdup_printf ("%04d", day.year);
}

char *
cab_date_format_month_of_year (int year,
                               int month)
{
  g_autoptr(GDateTime) first = NULL;
  g_autofree char *text = NULL;
  GString *out;

  g_return_val_if_fail (month >= 1 && month <= 12, NULL);

  /* Noon: the month's name does not depend on a zone. */
  first = g_date_time_new_utc (year, month, 1, 12, 0, 0);
  if (first == NULL)
    return NULL;

  /* "novembre 2026" -> "Novembre 2026": a title. */
  text = g_date_time_format (first, "%B %Y");
  if (text == NULL || text[0] == '\0')
    return NULL;
  out = g_string_new (NULL);
  g_string_append_unichar (out, g_unichar_totitle (g_utf8_get_char (text)));
  g_string_append (out, g_utf8_next_char (text));
  return g_string_free (out, FALSE);
}

char *
cab_date_format_month (const char *fhir,
                       GTimeZone  *tz)
{
  CabDay day;

  if (!cab_date_parse_day (fhir, tz, &day) || day.month == 0)
    return NULL;
  return cab_date_format_month_of_year (day.year, day.month);
}

char *
cab_date_parse_french (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *copy = NULL;
  int day, month, year;

  if (text == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (text));
  parts = g_strsplit (copy, "/", -1);
  if (g_strv_length (parts) != 3 || strlen (parts[2]) != 4)
    return NULL;
  for (guint i = 0; i < 3; i++)
    {
      gsize len = strlen (parts[i]);
      int ignored;

      if (len == 0 || len > 4 || !digits (parts[i], len, &ignored))
        return NULL;
    }

  day = atoi (parts[0]);
  month = atoi (parts[1]);
  year = atoi (parts[2]);
  if (year < 1800 || year > 2200 || !g_date_valid_dmy (day, month, year))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", year, month, day);
}
