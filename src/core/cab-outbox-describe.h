/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * cab_outbox_entry_describe() on a payload already parsed (NULL when it is
 * not a JSON object): the Outbox's items read each payload once for their
 * title and the rest of what they show (cab-outbox-item.c).
 */
char *cab_outbox_payload_describe (const char *kind,
                                   JsonObject *payload);

G_END_DECLS
