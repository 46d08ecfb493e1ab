/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-config.h"

G_BEGIN_DECLS

/* For tests only: replaces the keyring lookup (server URL -> token or NULL),
 * as the test machines run no secret service. NULL restores the keyring. */
typedef char *(*CabConfigTokenLookup) (const char *server_url);

void cab_config_set_token_lookup_for_tests (CabConfigTokenLookup lookup);

G_END_DECLS
