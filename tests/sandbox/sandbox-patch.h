/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Applies an RFC 6902 JSON Patch (add, remove, replace, move, copy, test) to
 * @root in place. Errors are SANDBOX_ERROR 400 (malformed) or 422 (cannot apply). */
gboolean sandbox_json_patch_apply (JsonNode   *root,
                                   JsonArray  *operations,
                                   GError    **error);

/* The first path segment of a JSON pointer ("/securityLabel/0" -> "securityLabel"). */
char    *sandbox_json_pointer_head (const char *pointer);

G_END_DECLS
