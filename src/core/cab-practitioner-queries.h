/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The practice's practitioners as the store knows them (the sync keeps
 * them), on core's reader pool: whom a message can be assigned to. */
typedef struct
{
  char *reference;   /* "Practitioner/<id>" */
  char *display;     /* "Dr Jean MARTIN" (the reference's id when nameless) */
} CabPractitionerChoice;

void       cab_practitioner_choice_free         (CabPractitionerChoice *choice);

/* Blocking (worker threads): sorted by family then given name. */
GPtrArray *cab_store_list_practitioners         (CabStore             *store,
                                                 GError              **error);

void       cab_practitioner_query_list_async    (CabStore             *store,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* CabPractitionerChoice*, freed with the array. */
GPtrArray *cab_practitioner_query_list_finish   (GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
