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

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* A zone and the range of its UTC offsets over its whole history. */
typedef struct
{
  GTimeZone *tz;
  char      *tz_env;      /* $TZ it was read under, for the local zone */
  int        min_offset;
  int        max_offset;
} ZoneInfo;

static GMutex zone_lock;
static ZoneInfo local_zone;   /* for tz == NULL */
static ZoneInfo given_zone;   /* the last zone a caller passed */

static void
zone_info_set (ZoneInfo   *info,
               GTimeZone  *tz,
               const char *tz_env)
{
  int last = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, G_MAXINT64 / 2);

  g_clear_pointer (&info->tz, g_time_zone_unref);
  g_free (info->tz_env);
  info->tz = tz;
  info->tz_env = g_strdup (tz_env);
  info->min_offset = info->max_offset = g_time_zone_get_offset (tz, 0);
  for (int i = 1; i <= last; i++)
    {
      int offset = g_time_zone_get_offset (tz, i);

      info->min_offset = MIN (info->min_offset, offset);
      info->max_offset = MAX (info->max_offset, offset);
    }
}

/* GLib re-reads /etc/localtime for every g_time_zone_new_local() when $TZ is
 * unset (tens of microseconds), and g_time_zone_find_interval() walks every
 * transition: a timeline of thousands of entries cannot afford either. The
 * local zone is kept until $TZ changes, and each zone's offset range comes
 * with it (see local_days()). */
static ZoneInfo
zone_lookup (GTimeZone *tz)
{
  ZoneInfo info;

  g_mutex_lock (&zone_lock);
  if (tz == NULL)
    {
      const char *env = g_getenv ("TZ");

      if (local_zone.tz == NULL || g_strcmp0 (env, local_zone.tz_env) != 0)
        zone_info_set (&local_zone, g_time_zone_new_local (), env);
      info = local_zone;
    }
  else
    {
      if (given_zone.tz != tz)
        zone_info_set (&given_zone, g_time_zone_ref (tz), NULL);
      info = given_zone;
    }
  info.tz = g_time_zone_ref (info.tz);
  info.tz_env = NULL;
  g_mutex_unlock (&zone_lock);

  return info;
}

/* The local day (days since 1970-01-01) of instant @t. When every offset
 * the zone ever had puts @t on the same day (any time of day but the
 * hours around midnight), no lookup is needed. */
static gint64
local_days (GTimeZone *tz,
            gint64     t)
{
  ZoneInfo zone = zone_lookup (tz);
  gint64 lo = floor_div (t + zone.min_offset, 86400);
  gint64 hi = floor_div (t + zone.max_offset, 86400);

  if (lo != hi)
    {
      int interval = g_time_zone_find_interval (zone.tz, G_TIME_TYPE_UNIVERSAL, t);

      lo = floor_div (t + (interval >= 0 ? g_time_zone_get_offset (zone.tz, interval) : 0), 86400);
    }
  g_time_zone_unref (zone.tz);
  return lo;
}

static GTimeZone *
zone_or_local (GTimeZone *tz)
{
  return tz != NULL ? g_time_zone_ref (tz) : zone_lookup (NULL).tz;
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
      civil_from_days (local_days (tz, zoned_unix (&d)), out);
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
