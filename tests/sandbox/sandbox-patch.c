/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-sandbox"

#include "sandbox-patch.h"
#include "sandbox-util.h"

#include <string.h>

static GPtrArray *
split_pointer (const char *pointer, GError **error)
{
  GPtrArray *tokens;
  g_auto(GStrv) parts = NULL;

  if (pointer == NULL || (*pointer != '\0' && *pointer != '/'))
    {
      g_set_error (error, SANDBOX_ERROR, 400, "Invalid JSON pointer '%s'", pointer ? pointer : "(null)");
      return NULL;
    }
  tokens = g_ptr_array_new_with_free_func (g_free);
  if (*pointer == '\0')
    return tokens;
  parts = g_strsplit (pointer + 1, "/", -1);
  for (guint i = 0; parts[i]; i++)
    {
      GString *s = g_string_new (NULL);
      for (const char *p = parts[i]; *p; p++)
        {
          if (p[0] == '~' && p[1] == '1')
            g_string_append_c (s, '/'), p++;
          else if (p[0] == '~' && p[1] == '0')
            g_string_append_c (s, '~'), p++;
          else
            g_string_append_c (s, *p);
        }
      g_ptr_array_add (tokens, g_string_free (s, FALSE));
    }
  return tokens;
}

char *
sandbox_json_pointer_head (const char *pointer)
{
  g_autoptr(GPtrArray) tokens = split_pointer (pointer, NULL);

  if (tokens == NULL || tokens->len == 0)
    return NULL;
  return g_strdup (g_ptr_array_index (tokens, 0));
}

static gboolean
parse_index (const char *token, guint length, gboolean allow_end, guint *index)
{
  char *end = NULL;
  guint64 v;

  if (allow_end && g_str_equal (token, "-"))
    {
      *index = length;
      return TRUE;
    }
  if (!g_ascii_isdigit (token[0]) || (token[0] == '0' && token[1] != '\0'))
    return FALSE;
  v = g_ascii_strtoull (token, &end, 10);
  if (*end != '\0' || v > (allow_end ? length : length - 1) || (!allow_end && length == 0))
    return FALSE;
  *index = (guint) v;
  return TRUE;
}

/* Walks to the container of the pointer's last token. */
static JsonNode *
find_parent (JsonNode *root, GPtrArray *tokens, GError **error)
{
  JsonNode *node = root;

  for (guint i = 0; i + 1 < tokens->len; i++)
    {
      const char *t = g_ptr_array_index (tokens, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), t);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *a = json_node_get_array (node);
          guint idx;
          node = parse_index (t, json_array_get_length (a), FALSE, &idx) ? json_array_get_element (a, idx) : NULL;
        }
      else
        node = NULL;
      if (node == NULL)
        {
          g_set_error (error, SANDBOX_ERROR, 422, "Path not found at '%s'", t);
          return NULL;
        }
    }
  return node;
}

/* json-glib arrays cannot insert or drop in the middle: rebuild in place. */
static void
array_splice (JsonNode *array_node, guint index, gboolean remove, JsonNode *insert)
{
  JsonArray *old = json_node_get_array (array_node);
  JsonArray *new = json_array_new ();
  guint len = json_array_get_length (old);

  for (guint i = 0; i <= len; i++)
    {
      if (i == index && insert != NULL)
        json_array_add_element (new, json_node_copy (insert));
      if (i == len)
        break;
      if (i == index && remove)
        continue;
      json_array_add_element (new, json_node_copy (json_array_get_element (old, i)));
    }
  json_node_take_array (array_node, new);
}

static JsonNode *
get_value (JsonNode *root, const char *pointer, GError **error)
{
  g_autoptr(GPtrArray) tokens = split_pointer (pointer, error);
  JsonNode *parent;
  const char *last;

  if (tokens == NULL)
    return NULL;
  if (tokens->len == 0)
    return root;
  parent = find_parent (root, tokens, error);
  if (parent == NULL)
    return NULL;
  last = g_ptr_array_index (tokens, tokens->len - 1);
  if (JSON_NODE_HOLDS_OBJECT (parent) && json_object_has_member (json_node_get_object (parent), last))
    return json_object_get_member (json_node_get_object (parent), last);
  if (JSON_NODE_HOLDS_ARRAY (parent))
    {
      guint idx;
      JsonArray *a = json_node_get_array (parent);
      if (parse_index (last, json_array_get_length (a), FALSE, &idx))
        return json_array_get_element (a, idx);
    }
  g_set_error (error, SANDBOX_ERROR, 422, "Path '%s' not found", pointer);
  return NULL;
}

static gboolean
do_remove (JsonNode *root, const char *pointer, GError **error)
{
  g_autoptr(GPtrArray) tokens = split_pointer (pointer, error);
  JsonNode *parent;
  const char *last;

  if (tokens == NULL)
    return FALSE;
  if (tokens->len == 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 422, "Cannot remove the whole resource");
      return FALSE;
    }
  parent = find_parent (root, tokens, error);
  if (parent == NULL)
    return FALSE;
  last = g_ptr_array_index (tokens, tokens->len - 1);
  if (JSON_NODE_HOLDS_OBJECT (parent) && json_object_has_member (json_node_get_object (parent), last))
    {
      json_object_remove_member (json_node_get_object (parent), last);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (parent))
    {
      guint idx;
      if (parse_index (last, json_array_get_length (json_node_get_array (parent)), FALSE, &idx))
        {
          array_splice (parent, idx, TRUE, NULL);
          return TRUE;
        }
    }
  g_set_error (error, SANDBOX_ERROR, 422, "Path '%s' not found", pointer);
  return FALSE;
}

static gboolean
do_add (JsonNode *root, const char *pointer, JsonNode *value, gboolean replace, GError **error)
{
  g_autoptr(GPtrArray) tokens = split_pointer (pointer, error);
  JsonNode *parent;
  const char *last;

  if (tokens == NULL)
    return FALSE;
  if (tokens->len == 0)
    {
      g_set_error_literal (error, SANDBOX_ERROR, 422, "Cannot replace the whole resource");
      return FALSE;
    }
  parent = find_parent (root, tokens, error);
  if (parent == NULL)
    return FALSE;
  last = g_ptr_array_index (tokens, tokens->len - 1);
  if (JSON_NODE_HOLDS_OBJECT (parent))
    {
      JsonObject *o = json_node_get_object (parent);
      if (replace && !json_object_has_member (o, last))
        {
          g_set_error (error, SANDBOX_ERROR, 422, "Path '%s' not found", pointer);
          return FALSE;
        }
      json_object_set_member (o, last, json_node_copy (value));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (parent))
    {
      guint idx;
      if (!parse_index (last, json_array_get_length (json_node_get_array (parent)), !replace, &idx))
        {
          g_set_error (error, SANDBOX_ERROR, 422, "Bad array index in '%s'", pointer);
          return FALSE;
        }
      array_splice (parent, idx, replace, value);
      return TRUE;
    }
  g_set_error (error, SANDBOX_ERROR, 422, "Path '%s' does not name a container", pointer);
  return FALSE;
}

gboolean
sandbox_json_patch_apply (JsonNode   *root,
                          JsonArray  *operations,
                          GError    **error)
{
  for (guint i = 0; i < json_array_get_length (operations); i++)
    {
      JsonNode *n = json_array_get_element (operations, i);
      JsonObject *op;
      const char *name, *path, *from;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "A JSON Patch operation must be an object");
          return FALSE;
        }
      op = json_node_get_object (n);
      name = sandbox_json_get_string (op, "op");
      path = sandbox_json_get_string (op, "path");
      from = sandbox_json_get_string (op, "from");
      value = json_object_get_member (op, "value");
      if (name == NULL || path == NULL)
        {
          g_set_error_literal (error, SANDBOX_ERROR, 400, "A JSON Patch operation needs 'op' and 'path'");
          return FALSE;
        }

      if (g_str_equal (name, "add") || g_str_equal (name, "replace"))
        {
          if (value == NULL)
            {
              g_set_error (error, SANDBOX_ERROR, 400, "'%s' needs a value", name);
              return FALSE;
            }
          if (!do_add (root, path, value, g_str_equal (name, "replace"), error))
            return FALSE;
        }
      else if (g_str_equal (name, "remove"))
        {
          if (!do_remove (root, path, error))
            return FALSE;
        }
      else if (g_str_equal (name, "test"))
        {
          JsonNode *current = get_value (root, path, error);
          if (current == NULL)
            return FALSE;
          if (value == NULL || !json_node_equal (current, value))
            {
              g_set_error (error, SANDBOX_ERROR, 422, "Test failed at '%s'", path);
              return FALSE;
            }
        }
      else if (g_str_equal (name, "move") || g_str_equal (name, "copy"))
        {
          g_autoptr(JsonNode) copy = NULL;
          JsonNode *src;

          if (from == NULL)
            {
              g_set_error (error, SANDBOX_ERROR, 400, "'%s' needs 'from'", name);
              return FALSE;
            }
          src = get_value (root, from, error);
          if (src == NULL)
            return FALSE;
          copy = json_node_copy (src);
          if (g_str_equal (name, "move") && !do_remove (root, from, error))
            return FALSE;
          if (!do_add (root, path, copy, FALSE, error))
            return FALSE;
        }
      else
        {
          g_set_error (error, SANDBOX_ERROR, 400, "Unknown JSON Patch operation '%s'", name);
          return FALSE;
        }
    }
  return TRUE;
}
