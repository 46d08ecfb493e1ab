/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one reading of FHIR dates for display, shared by the app and
 * cabinetctl so they cannot disagree. FHIR gives "2024", "2024-03",
 * "2024-03-31" or a dateTime "2024-03-31T00:30:00+02:00" / "...Z". A
 * dateTime with a zone is an instant: it is shown on the local calendar day
 * (00:30 in Paris on 31 March is 30 March in UTC, and a time written in UTC
 * late at night is the next day in Paris). A date, or a dateTime without a
 * zone, is the day the author wrote.
 *
 * @tz is the zone to show in; NULL means the local zone ($TZ). Callers that
 * format thousands of dates pass one GTimeZone, which saves a lookup per
 * call. Pure functions, any thread. */

/* A calendar day; month and day are 0 when the value stops before them
 * ("2024", "2024-03"). */
typedef struct
{
  int year;
  int month;   /* 1..12, or 0 */
  int day;     /* 1..31, or 0 */
} CabDay;

/* FALSE (and *@out untouched) when @fhir is NULL or not a FHIR date. */
gboolean   cab_date_parse_day    (const char *fhir,
                                  GTimeZone  *tz,
                                  CabDay     *out);
/* The instant, in @tz: a date (or partial date) is its first local midnight,
 * a dateTime without a zone is local. NULL when not a date. */
GDateTime *cab_date_parse        (const char *fhir,
                                  GTimeZone  *tz);
/* Same as cab_date_parse() to Unix seconds, without a GDateTime for zoned
 * values (timelines compare thousands). */
gboolean   cab_date_to_unix      (const char *fhir,
                                  GTimeZone  *tz,
                                  gint64     *out);

/* "31/03/2024", "03/2024" or "2024" (partial dates stay partial). NULL for
 * NULL; a value that is not a FHIR date comes back unchanged, so the odd
 * value a server sent is shown rather than hidden. */
char      *cab_date_format_day   (const char *fhir,
                                  GTimeZone  *tz);
/* The month a timeline section is titled by: "Mars 2024" / "March 2024",
 * in the user's language, capitalised. NULL when @fhir has no month. */
char      *cab_date_format_month (const char *fhir,
                                  GTimeZone  *tz);
/* Same, from a month of a year (1..12). */
char      *cab_date_format_month_of_year (int year,
                                          int month);

/* "dd/mm/yyyy" (or "d/m/yyyy", as typed) to "YYYY-MM-DD"; NULL when not a
 * valid date between 1800 and 2200. */
char      *cab_date_parse_french (const char *text);

G_END_DECLS
