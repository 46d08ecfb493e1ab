/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAB_NIR_ERROR (cab_nir_error_quark ())

typedef enum
{
  CAB_NIR_ERROR_SYNTAX,   /* not 13 characters + 2-digit key, bad sex digit, bad department... */
  CAB_NIR_ERROR_KEY,      /* well formed but the key does not match: a typing error */
} CabNirError;

GQuark    cab_nir_error_quark    (void);

/* Removes spaces, dots and dashes people type; upper-cases 2a/2b. Never NULL. */
char     *cab_nir_normalize      (const char  *input);

/* Validates a normalised 15-character NIR (13 + key), Corsica 2A/2B included.
 * The error message is user-facing (translatable) and says what is wrong. */
gboolean  cab_nir_validate       (const char  *nir,
                                  GError     **error);

/* Key for the 13 first characters; -1 with @error when they are malformed. */
int       cab_nir_compute_key    (const char  *nir13,
                                  GError     **error);

G_END_DECLS
