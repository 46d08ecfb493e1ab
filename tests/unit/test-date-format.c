/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-date-format"

#include <locale.h>

#include "cab-date-format.h"

/* Paris: UTC+1 in winter, UTC+2 in summer. In 2024 the clocks went forward
 * on 31 March at 01:00 UTC (02:00 -> 03:00) and back on 27 October at
 * 01:00 UTC (03:00 -> 02:00). */
static GTimeZone *paris;
static GTimeZone *utc;

static void
assert_day (const char *fhir,
            GTimeZone  *tz,
            const char *expected)
{
  g_autofree char *day = cab_date_format_day (fhir, tz);

  g_assert_cmpstr (day, ==, expected);
}

static void
test_zoned_midnight (void)
{
  /* Written in Paris just after midnight in summer: still the 12th there,
   * the 11th in UTC. Cutting the string would say the 12th everywhere. */
  assert_day ("2024-06-12T00:30:00+02:00", paris, "12/06/2024");
  assert_day ("2024-06-12T00:30:00+02:00", utc, "11/06/2024");
  /* 00:30+02:00 on 31 March is 22:30 UTC on the 30th, when Paris was still
   * on winter time (+01:00): 23:30 on the 30th there. */
  assert_day ("2024-03-31T00:30:00+02:00", paris, "30/03/2024");
  assert_day ("2024-03-31T00:30:00+02:00", utc, "30/03/2024");
  assert_day ("2024-03-31T00:30:00+01:00", paris, "31/03/2024");
  /* Written in UTC late at night: the next day in Paris. */
  assert_day ("2024-03-30T23:30:00Z", paris, "31/03/2024");
  assert_day ("2024-03-30T23:30:00Z", utc, "30/03/2024");
  assert_day ("2024-03-30T23:30:00.125Z", paris, "31/03/2024");
  /* Another zone altogether: 20:30 in New York is 01:30 UTC, 03:30 in Paris. */
  assert_day ("2024-03-30T20:30:00-05:00", paris, "31/03/2024");
  /* One second either side of midnight. */
  assert_day ("2024-06-11T21:59:59Z", paris, "11/06/2024");
  assert_day ("2024-06-11T22:00:00Z", paris, "12/06/2024");
  /* Before 1970 (days counted backwards), when France had no summer time. */
  assert_day ("1954-03-12T23:30:00Z", paris, "13/03/1954");
  assert_day ("1954-03-12T22:59:59Z", paris, "12/03/1954");
}

static void
test_dst_spring_forward (void)
{
  /* 31 March 2024: the day has 23 hours in Paris. */
  assert_day ("2024-03-30T22:59:59Z", paris, "30/03/2024");   /* 23:59:59 +01:00 */
  assert_day ("2024-03-30T23:00:00Z", paris, "31/03/2024");   /* 00:00 +01:00 */
  assert_day ("2024-03-31T00:59:59Z", paris, "31/03/2024");   /* 01:59:59 +01:00 */
  assert_day ("2024-03-31T01:00:00Z", paris, "31/03/2024");   /* 03:00 +02:00 */
  assert_day ("2024-03-31T21:59:59Z", paris, "31/03/2024");   /* 23:59:59 +02:00 */
  assert_day ("2024-03-31T22:00:00Z", paris, "01/04/2024");   /* 00:00 +02:00 */
  assert_day ("2024-03-31T22:30:00Z", paris, "01/04/2024");

  /* The month a timeline section shows follows the day. */
  {
    g_autofree char *march = cab_date_format_month ("2024-03-31T21:30:00Z", paris);
    g_autofree char *april = cab_date_format_month ("2024-03-31T22:30:00Z", paris);
    g_autofree char *april_utc = cab_date_format_month ("2024-03-31T22:30:00Z", utc);

    g_assert_cmpstr (march, ==, "March 2024");
    g_assert_cmpstr (april, ==, "April 2024");
    g_assert_cmpstr (april_utc, ==, "March 2024");
  }
}

static void
test_dst_fall_back (void)
{
  /* 27 October 2024: the day has 25 hours in Paris. */
  assert_day ("2024-10-26T21:59:59Z", paris, "26/10/2024");   /* 23:59:59 +02:00 */
  assert_day ("2024-10-26T22:00:00Z", paris, "27/10/2024");   /* 00:00 +02:00 */
  assert_day ("2024-10-27T00:30:00Z", paris, "27/10/2024");   /* 02:30 +02:00 */
  assert_day ("2024-10-27T01:30:00Z", paris, "27/10/2024");   /* 02:30 +01:00, again */
  assert_day ("2024-10-27T22:59:59Z", paris, "27/10/2024");   /* 23:59:59 +01:00 */
  assert_day ("2024-10-27T23:00:00Z", paris, "28/10/2024");   /* 00:00 +01:00 */
  /* The same instant written with either offset is the same day. */
  assert_day ("2024-10-27T02:30:00+02:00", paris, "27/10/2024");
  assert_day ("2024-10-27T02:30:00+01:00", paris, "27/10/2024");
}

static void
test_unzoned (void)
{
  CabDay day = { 0 };

  /* A date, or a time without a zone, is the day written, in any zone. */
  assert_day ("2024-03-31", paris, "31/03/2024");
  assert_day ("2024-03-31", utc, "31/03/2024");
  assert_day ("2024-03-31T00:30:00", utc, "31/03/2024");
  assert_day ("2024-03-31T23:30", paris, "31/03/2024");
  /* Partial dates stay partial. */
  assert_day ("2024-03", paris, "03/2024");
  assert_day ("2024", paris, "2024");

  g_assert_true (cab_date_parse_day ("2024-03", paris, &day));
  g_assert_cmpint (day.year, ==, 2024);
  g_assert_cmpint (day.month, ==, 3);
  g_assert_cmpint (day.day, ==, 0);
  {
    g_autofree char *month = cab_date_format_month ("2024-03", paris);
    g_autofree char *none = cab_date_format_month ("2024", paris);

    g_assert_cmpstr (month, ==, "March 2024");
    g_assert_null (none);
  }
}

static void
test_instants (void)
{
  gint64 t = 0;
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) date = NULL;

  g_assert_true (cab_date_to_unix ("2024-03-31T00:30:00+02:00", paris, &t));
  g_assert_cmpint (t, ==, 1711837800);
  g_assert_true (cab_date_to_unix ("2024-03-30T22:30:00Z", utc, &t));
  g_assert_cmpint (t, ==, 1711837800);
  /* A date is its local midnight: 31 March 00:00 +01:00. */
  g_assert_true (cab_date_to_unix ("2024-03-31", paris, &t));
  g_assert_cmpint (t, ==, 1711839600);

  dt = cab_date_parse ("2024-03-30T23:30:00Z", paris);
  g_assert_nonnull (dt);
  g_assert_cmpint (g_date_time_get_day_of_month (dt), ==, 31);
  g_assert_cmpint (g_date_time_get_hour (dt), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, G_TIME_SPAN_HOUR);

  date = cab_date_parse ("2024-07-14", paris);
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_get_hour (date), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (date), ==, 2 * G_TIME_SPAN_HOUR);
}

/* TZ is Europe/Paris (set in main before any zone was read). */
static void
test_local_zone (void)
{
  assert_day ("2024-03-31T22:30:00Z", NULL, "01/04/2024");
  assert_day ("2024-10-27T22:30:00Z", NULL, "27/10/2024");
  assert_day ("2024-03-31T00:30:00+02:00", NULL, "30/03/2024");
  assert_day ("2024-06-12T00:30:00+02:00", NULL, "12/06/2024");

  /* The local zone follows $TZ when it changes. */
  g_setenv ("TZ", "UTC", TRUE);
  assert_day ("2024-06-12T00:30:00+02:00", NULL, "11/06/2024");
  g_setenv ("TZ", "Europe/Paris", TRUE);
  assert_day ("2024-06-12T00:30:00+02:00", NULL, "12/06/2024");
}

static void
test_garbage (void)
{
  static const char * const bad[] = {
    "", "yesterday", "2024-3-31", "2024/03/31", "24-03-31", "2024-02-30", "2023-02-29",
    "2024-13-01", "2024-00-10", "2024-03-32", "2024-03-31T", "2024-03-31T25:00:00Z",
    "2024-03-31T10:60:00Z", "2024-03-31T10:00:61Z", "2024-03-31T10:00:00+02",
    "2024-03-31T10:00:00+0200", "2024-03-31T10:00:00.Z", "2024-03-31T10:00:00Zjunk",
    "2024-03-31 10:00:00", "0000-01-01", "２０２４-03-31",
  };
  CabDay day = { 1, 2, 3 };
  gint64 t = 42;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *shown = cab_date_format_day (bad[i], paris);
      g_autoptr(GDateTime) dt = cab_date_parse (bad[i], paris);
      g_autofree char *month = cab_date_format_month (bad[i], paris);

      g_test_message ("%s", bad[i]);
      g_assert_false (cab_date_parse_day (bad[i], paris, &day));
      g_assert_false (cab_date_to_unix (bad[i], paris, &t));
      g_assert_null (dt);
      g_assert_null (month);
      /* Shown as the server sent it, never as a made-up day. */
      g_assert_cmpstr (shown, ==, bad[i]);
    }
  /* Untouched on failure. */
  g_assert_cmpint (day.year, ==, 1);
  g_assert_cmpint (t, ==, 42);

  g_assert_null (cab_date_format_day (NULL, paris));
  g_assert_null (cab_date_parse (NULL, paris));
  g_assert_null (cab_date_format_month (NULL, paris));
  g_assert_false (cab_date_parse_day (NULL, paris, &day));
}

static void
test_french_input (void)
{
  static const struct { const char *text; const char *iso; } cases[] = {
    { "12/06/2024", "2024-06-12" },
    { "1/3/2024", "2024-03-01" },
    { " 29/02/2024 ", "2024-02-29" },
    { "29/02/2023", NULL },
    { "31/02/2024", NULL },
    { "12/06/24", NULL },
    { "12/06/1799", NULL },
    { "12-06-2024", NULL },
    { "aa/06/2024", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *iso = cab_date_parse_french (cases[i].text);

      g_assert_cmpstr (iso, ==, cases[i].iso);
    }
  g_assert_null (cab_date_parse_french (NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Before GLib reads the local zone for the first time. */
  g_setenv ("TZ", "Europe/Paris", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* Month names in English, whatever the machine's language. */
  setlocale (LC_ALL, "C.UTF-8");

  paris = g_time_zone_new_identifier ("Europe/Paris");
  g_assert_nonnull (paris);
  utc = g_time_zone_new_utc ();

  g_test_add_func ("/date-format/zoned-midnight", test_zoned_midnight);
  g_test_add_func ("/date-format/dst-spring-forward", test_dst_spring_forward);
  g_test_add_func ("/date-format/dst-fall-back", test_dst_fall_back);
  g_test_add_func ("/date-format/unzoned", test_unzoned);
  g_test_add_func ("/date-format/instants", test_instants);
  g_test_add_func ("/date-format/local-zone", test_local_zone);
  g_test_add_func ("/date-format/garbage", test_garbage);
  g_test_add_func ("/date-format/french-input", test_french_input);

  ret = g_test_run ();

  g_time_zone_unref (paris);
  g_time_zone_unref (utc);
  return ret;
}
