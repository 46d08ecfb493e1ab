/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Reading members of JSON that the app did not just build itself: payloads
 * kept in the store, answers from servers (docs/architecture.md, "Hostile
 * input"). Every reader checks the node's type and answers "nothing" (NULL,
 * or the caller's fallback) when the object is NULL, the member is missing,
 * is null, or holds another type: no g_critical, unlike
 * json_object_get_string_member() and its kin on a wrong type. A NULL
 * @object is allowed so that lookups chain (an absent "meta" gives an absent
 * "versionId").
 *
 * Strings: json-glib cuts a string at its first "\u0000" when it parses, so
 * a string read here never holds a NUL; a caller that turns one into a key,
 * a path or a SQL parameter still checks its length and characters.
 * Returned strings and containers belong to @object: no copy. Pure
 * functions, any thread (the object itself is not locked). */

const char *cab_json_read_string         (JsonObject *object,
                                          const char *member);
/* A string of at most @max_length bytes; NULL when longer. */
const char *cab_json_read_string_at_most (JsonObject *object,
                                          const char *member,
                                          gsize       max_length);
/* An integer; a double, a string or a boolean is not one: @fallback. */
gint64      cab_json_read_int            (JsonObject *object,
                                          const char *member,
                                          gint64      fallback);
/* true or false; anything else: @fallback. */
gboolean    cab_json_read_boolean        (JsonObject *object,
                                          const char *member,
                                          gboolean    fallback);
JsonObject *cab_json_read_object         (JsonObject *object,
                                          const char *member);
JsonArray  *cab_json_read_array          (JsonObject *object,
                                          const char *member);
/* The string elements of an array member, copied, in order; other elements
 * are skipped. Only the first @max_elements elements are looked at (a cap
 * on hostile input; G_MAXUINT for none). Never NULL: an empty vector when
 * the member is missing or not an array. Free with g_strfreev(). */
char      **cab_json_read_strv           (JsonObject *object,
                                          const char *member,
                                          guint       max_elements);

/* The object at the root of JSON @text, parsed by @parser (it owns the
 * object: no copy). NULL when @text is NULL, is not JSON, is empty (it
 * parses, to no root at all) or holds something else: a stored payload
 * that is damaged or from another version gives NULL, never a critical. */
JsonObject *cab_json_parse_object        (JsonParser *parser,
                                          const char *text);

/* Elements of an array, with the same checks: NULL when @array is NULL,
 * @index is past its end, or the element is of another type. */
JsonObject *cab_json_array_read_object   (JsonArray  *array,
                                          guint       index);
const char *cab_json_array_read_string   (JsonArray  *array,
                                          guint       index);

G_END_DECLS
