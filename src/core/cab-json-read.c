/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-json-read"

#include "config.h"

#include <string.h>

#include "cab-json-read.h"

/* The one place that reads members of stored and received JSON with type
 * checks (cab-json-read.h says what each reader answers). */

static JsonNode *
get_member (JsonObject *object,
            const char *member)
{
  return object != NULL ? json_object_get_member (object, member) : NULL;
}

static gboolean
holds_value_of (JsonNode *node,
                GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

const char *
cab_json_read_string (JsonObject *object,
                      const char *member)
{
  JsonNode *node = get_member (object, member);

  return holds_value_of (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

const char *
cab_json_read_string_at_most (JsonObject *object,
                              const char *member,
                              gsize       max_length)
{
  const char *s = cab_json_read_string (object, member);

  /* strnlen: a long string is not walked past the cap. */
  return s != NULL && strnlen (s, max_length + 1) <= max_length ? s : NULL;
}

gint64
cab_json_read_int (JsonObject *object,
                   const char *member,
                   gint64      fallback)
{
  JsonNode *node = get_member (object, member);

  return holds_value_of (node, G_TYPE_INT64) ? json_node_get_int (node) : fallback;
}

gboolean
cab_json_read_boolean (JsonObject *object,
                       const char *member,
                       gboolean    fallback)
{
  JsonNode *node = get_member (object, member);

  return holds_value_of (node, G_TYPE_BOOLEAN) ? json_node_get_boolean (node) : fallback;
}

JsonObject *
cab_json_read_object (JsonObject *object,
                      const char *member)
{
  JsonNode *node = get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
cab_json_read_array (JsonObject *object,
                     const char *member)
{
  JsonNode *node = get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

char **
cab_json_read_strv (JsonObject *object,
                    const char *member,
                    guint       max_elements)
{
  JsonArray *array = cab_json_read_array (object, member);
  guint length = array != NULL ? MIN (json_array_get_length (array), max_elements) : 0;
  GStrvBuilder *builder = g_strv_builder_new ();
  char **strv;

  for (guint i = 0; i < length; i++)
    {
      const char *s = cab_json_array_read_string (array, i);

      if (s != NULL)
        g_strv_builder_add (builder, s);
    }
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return strv;
}

static JsonNode *
get_element (JsonArray *array,
             guint      index)
{
  return array != NULL && index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
}

JsonObject *
cab_json_array_read_object (JsonArray *array,
                            guint      index)
{
  JsonNode *node = get_element (array, index);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
cab_json_array_read_string (JsonArray *array,
                            guint      index)
{
  JsonNode *node = get_element (array, index);

  return holds_value_of (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

JsonObject *
cab_json_parse_object (JsonParser *parser,
                       const char *text)
{
  JsonNode *root;

  g_return_val_if_fail (JSON_IS_PARSER (parser), NULL);

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}
