/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Strict tree equality: same node types (1 is not 1.0), same values (NaN
 * equals NaN), object members with the same names in the same order. */
gboolean cab_test_json_nodes_equal (JsonNode *a,
                                    JsonNode *b);

/* The Bundle entries' resources that get a record (search mode "outcome"
 * and non-objects skipped), in the order of the records; borrowed from
 * @bundle. */
GPtrArray *cab_test_json_recorded_resources (JsonObject *bundle);

G_END_DECLS
