/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "cab-fhir-resource.h"
#include "cab-test-json.h"

gboolean
cab_test_json_nodes_equal (JsonNode *a,
                           JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) ma = json_object_get_members (oa);
        g_autoptr(GList) mb = json_object_get_members (ob);
        GList *la, *lb;

        for (la = ma, lb = mb; la != NULL && lb != NULL; la = la->next, lb = lb->next)
          if (g_strcmp0 (la->data, lb->data) != 0 ||
              !cab_test_json_nodes_equal (json_object_get_member (oa, la->data),
                                          json_object_get_member (ob, lb->data)))
            return FALSE;
        return la == NULL && lb == NULL;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);

        if (json_array_get_length (aa) != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (aa); i++)
          if (!cab_test_json_nodes_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_INT64:
          return json_node_get_int (a) == json_node_get_int (b);
        case G_TYPE_DOUBLE:
          {
            double da = json_node_get_double (a);
            double db = json_node_get_double (b);

            return da == db || (isnan (da) && isnan (db));
          }
        case G_TYPE_BOOLEAN:
          return json_node_get_boolean (a) == json_node_get_boolean (b);
        case G_TYPE_STRING:
          return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
        default:
          return FALSE;
        }
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

GPtrArray *
cab_test_json_recorded_resources (JsonObject *bundle)
{
  GPtrArray *resources = g_ptr_array_new ();
  JsonNode *entries = json_object_get_member (bundle, "entry");

  if (entries == NULL || !JSON_NODE_HOLDS_ARRAY (entries))
    return resources;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (entries)); i++)
    {
      JsonNode *entry = json_array_get_element (json_node_get_array (entries), i);
      g_autoptr(CabFhirRecord) record = NULL;
      JsonNode *search;
      JsonNode *mode = NULL;
      JsonNode *resource;

      if (!JSON_NODE_HOLDS_OBJECT (entry))
        continue;
      search = json_object_get_member (json_node_get_object (entry), "search");
      if (search != NULL && JSON_NODE_HOLDS_OBJECT (search))
        mode = json_object_get_member (json_node_get_object (search), "mode");
      if (mode != NULL && json_node_get_value_type (mode) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (mode), "outcome") == 0)
        continue;
      resource = json_object_get_member (json_node_get_object (entry), "resource");
      if (resource == NULL || !JSON_NODE_HOLDS_OBJECT (resource))
        continue;
      record = cab_fhir_record_new_from_json (json_node_get_object (resource), NULL);
      if (record != NULL)
        g_ptr_array_add (resources, resource);
    }
  return resources;
}
