/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-send.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* What the preferences' Mail page reads and writes in the store, on core's
 * reader pool (docs/architecture.md, "Threading"). */

typedef struct
{
  char *reference;   /* "Practitioner/<id>" */
  char *display;     /* "Dr Anne LEROY" */
} CabPractitionerChoice;

void cab_practitioner_choice_free (CabPractitionerChoice *choice);

/* The practitioners the store holds (the practice's, synced from its
 * PractitionerRoles and its patients' doctors), by name. Finish: GPtrArray
 * of CabPractitionerChoice. */
void       cab_mail_prefs_query_practitioners_async  (CabStore            *store,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray *cab_mail_prefs_query_practitioners_finish (GAsyncResult        *result,
                                                      GError             **error);

/* The read-receipt policy, where `cabinetctl mail mdn-policy` keeps it
 * (the store: cab_mail_mdn_policy_get()/set()). */
void             cab_mail_prefs_query_mdn_policy_async   (CabStore            *store,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
CabMailMdnPolicy cab_mail_prefs_query_mdn_policy_finish  (GAsyncResult        *result,
                                                          GError             **error);
void             cab_mail_prefs_set_mdn_policy_async     (CabStore            *store,
                                                          CabMailMdnPolicy     policy,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean         cab_mail_prefs_set_mdn_policy_finish    (GAsyncResult        *result,
                                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabPractitionerChoice, cab_practitioner_choice_free)

G_END_DECLS
