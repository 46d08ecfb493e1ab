/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json-read"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cab-json-read.h"
#include "cab-text.h"

/* One object with a member of each JSON type, read by every reader: each
 * answers only for its own type (tests run with fatal criticals, so a
 * reader that let json-glib complain would fail here too). */
static const char sample[] =
  "{ \"s\": \"text\", \"empty\": \"\", \"i\": 42, \"neg\": -7, \"d\": 1.5,"
  "  \"t\": true, \"f\": false, \"n\": null,"
  "  \"o\": { \"inner\": \"deep\" },"
  "  \"a\": [ \"one\", 2, \"three\", null, { \"x\": 1 }, [ \"nested\" ], false, \"four\" ],"
  "  \"nul\": \"before\\u0000after\" }";

typedef struct
{
  JsonParser *parser;
  JsonObject *o;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->parser = json_parser_new ();
  json_parser_load_from_data (f->parser, sample, -1, &error);
  g_assert_no_error (error);
  f->o = json_node_get_object (json_parser_get_root (f->parser));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->parser);
}

static const char * const all_members[] = { "s", "empty", "i", "neg", "d", "t", "f", "n", "o", "a", "missing" };

static void
test_string (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (cab_json_read_string (f->o, "s"), ==, "text");
  g_assert_cmpstr (cab_json_read_string (f->o, "empty"), ==, "");
  for (guint i = 0; i < G_N_ELEMENTS (all_members); i++)
    if (!g_str_equal (all_members[i], "s") && !g_str_equal (all_members[i], "empty"))
      g_assert_null (cab_json_read_string (f->o, all_members[i]));
  g_assert_null (cab_json_read_string (NULL, "s"));
}

static void
test_string_at_most (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (cab_json_read_string_at_most (f->o, "s", 4), ==, "text");
  g_assert_cmpstr (cab_json_read_string_at_most (f->o, "s", 100), ==, "text");
  g_assert_null (cab_json_read_string_at_most (f->o, "s", 3));
  g_assert_cmpstr (cab_json_read_string_at_most (f->o, "empty", 0), ==, "");
  g_assert_null (cab_json_read_string_at_most (f->o, "i", 100));
  g_assert_null (cab_json_read_string_at_most (f->o, "missing", 100));
  g_assert_null (cab_json_read_string_at_most (NULL, "s", 100));
}

/* json-glib cuts a string at "\u0000" when it parses: what a reader gives
 * holds no NUL, and its length is what strlen() says (the header promises
 * this to callers that check lengths). */
static void
test_embedded_nul (Fixture *f, gconstpointer data)
{
  const char *s = cab_json_read_string (f->o, "nul");

  g_assert_nonnull (s);
  g_assert_cmpstr (s, ==, "before");
  g_assert_null (cab_json_read_string_at_most (f->o, "nul", 5));
  g_assert_cmpstr (cab_json_read_string_at_most (f->o, "nul", 6), ==, "before");
}

static void
test_int (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (cab_json_read_int (f->o, "i", -1), ==, 42);
  g_assert_cmpint (cab_json_read_int (f->o, "neg", 0), ==, -7);
  for (guint i = 0; i < G_N_ELEMENTS (all_members); i++)
    if (!g_str_equal (all_members[i], "i") && !g_str_equal (all_members[i], "neg"))
      g_assert_cmpint (cab_json_read_int (f->o, all_members[i], 99), ==, 99);
  g_assert_cmpint (cab_json_read_int (NULL, "i", 99), ==, 99);
}

static void
test_boolean (Fixture *f, gconstpointer data)
{
  g_assert_true (cab_json_read_boolean (f->o, "t", FALSE));
  g_assert_false (cab_json_read_boolean (f->o, "f", TRUE));
  /* 42 and "text" are not true: the fallback, either way. */
  for (guint i = 0; i < G_N_ELEMENTS (all_members); i++)
    if (!g_str_equal (all_members[i], "t") && !g_str_equal (all_members[i], "f"))
      {
        g_assert_false (cab_json_read_boolean (f->o, all_members[i], FALSE));
        g_assert_true (cab_json_read_boolean (f->o, all_members[i], TRUE));
      }
  g_assert_true (cab_json_read_boolean (NULL, "t", TRUE));
}

static void
test_object_and_array (Fixture *f, gconstpointer data)
{
  JsonObject *inner = cab_json_read_object (f->o, "o");
  JsonArray *a = cab_json_read_array (f->o, "a");

  g_assert_nonnull (inner);
  g_assert_cmpstr (cab_json_read_string (inner, "inner"), ==, "deep");
  g_assert_nonnull (a);
  g_assert_cmpuint (json_array_get_length (a), ==, 8);
  for (guint i = 0; i < G_N_ELEMENTS (all_members); i++)
    {
      if (!g_str_equal (all_members[i], "o"))
        g_assert_null (cab_json_read_object (f->o, all_members[i]));
      if (!g_str_equal (all_members[i], "a"))
        g_assert_null (cab_json_read_array (f->o, all_members[i]));
    }
  /* Lookups chain through a missing level. */
  g_assert_null (cab_json_read_string (cab_json_read_object (f->o, "missing"), "inner"));
  g_assert_null (cab_json_read_array (NULL, "a"));
  g_assert_null (cab_json_read_object (NULL, "o"));
}

static void
test_elements (Fixture *f, gconstpointer data)
{
  JsonArray *a = cab_json_read_array (f->o, "a");

  g_assert_cmpstr (cab_json_array_read_string (a, 0), ==, "one");
  g_assert_null (cab_json_array_read_string (a, 1));     /* 2 */
  g_assert_cmpstr (cab_json_array_read_string (a, 2), ==, "three");
  g_assert_null (cab_json_array_read_string (a, 3));     /* null */
  g_assert_null (cab_json_array_read_string (a, 4));     /* object */
  g_assert_null (cab_json_array_read_string (a, 5));     /* array */
  g_assert_null (cab_json_array_read_string (a, 6));     /* false */
  g_assert_null (cab_json_array_read_string (a, 8));     /* past the end */
  g_assert_null (cab_json_array_read_string (a, G_MAXUINT));
  g_assert_null (cab_json_array_read_string (NULL, 0));

  g_assert_nonnull (cab_json_array_read_object (a, 4));
  g_assert_cmpint (cab_json_read_int (cab_json_array_read_object (a, 4), "x", 0), ==, 1);
  for (guint i = 0; i < 9; i++)
    if (i != 4)
      g_assert_null (cab_json_array_read_object (a, i));
  g_assert_null (cab_json_array_read_object (NULL, 0));
}

static void
test_strv (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) all = cab_json_read_strv (f->o, "a", G_MAXUINT);
  g_auto(GStrv) first_three = cab_json_read_strv (f->o, "a", 3);
  g_auto(GStrv) none = cab_json_read_strv (f->o, "a", 0);
  g_auto(GStrv) missing = cab_json_read_strv (f->o, "missing", 10);
  g_auto(GStrv) not_array = cab_json_read_strv (f->o, "s", 10);
  g_auto(GStrv) no_object = cab_json_read_strv (NULL, "a", 10);
  const char * const expected[] = { "one", "three", "four", NULL };
  const char * const expected_three[] = { "one", "three", NULL };

  /* Other elements are skipped, the order kept. */
  g_assert_true (g_strv_equal ((const char * const *) all, expected));
  /* The cap counts elements looked at, not strings kept. */
  g_assert_true (g_strv_equal ((const char * const *) first_three, expected_three));
  g_assert_nonnull (none);
  g_assert_null (none[0]);
  g_assert_nonnull (missing);
  g_assert_null (missing[0]);
  g_assert_nonnull (not_array);
  g_assert_null (not_array[0]);
  g_assert_nonnull (no_object);
  g_assert_null (no_object[0]);
}

/* A stored payload's object: NULL for anything else, never a critical
 * (the tests run with fatal criticals). */
static void
test_parse_object (void)
{
  const char *none[] = { "", "   ", "not json", "[1, 2]", "\"text\"", "42", "null", "{\"a\":", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  for (guint i = 0; none[i] != NULL; i++)
    g_assert_null (cab_json_parse_object (parser, none[i]));
  g_assert_null (cab_json_parse_object (parser, NULL));
  o = cab_json_parse_object (parser, "{\"title\": \"Lettre\"}");
  g_assert_nonnull (o);
  g_assert_cmpstr (cab_json_read_string (o, "title"), ==, "Lettre");
}

/* One line: valid UTF-8, no control character, bounded in bytes. */
static void
test_one_line (void)
{
  const char *not_one[] = { "a\nb", "a\rb", "a\tb", "a\x7f", "\x1b[31m", "caf\xc3", "\xff", NULL };

  g_assert_true (cab_text_is_one_line ("", 0));
  g_assert_true (cab_text_is_one_line ("Dr Bérénice Riou", 200));
  g_assert_true (cab_text_is_one_line ("é", 2));
  g_assert_false (cab_text_is_one_line ("é", 1));
  g_assert_false (cab_text_is_one_line (NULL, 200));
  for (guint i = 0; not_one[i] != NULL; i++)
    g_assert_false (cab_text_is_one_line (not_one[i], 200));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/json-read/string", test_string);
  ADD ("/json-read/string-at-most", test_string_at_most);
  ADD ("/json-read/embedded-nul", test_embedded_nul);
  ADD ("/json-read/int", test_int);
  ADD ("/json-read/boolean", test_boolean);
  ADD ("/json-read/object-and-array", test_object_and_array);
  ADD ("/json-read/elements", test_elements);
  ADD ("/json-read/strv", test_strv);
#undef ADD
  g_test_add_func ("/json-read/parse-object", test_parse_object);
  g_test_add_func ("/text/one-line", test_one_line);

  return g_test_run ();
}
