/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store.h"

G_BEGIN_DECLS

/* This desk follows the triage another desk did (docs/architecture.md,
 * "Triage"): a message the server says is filed to a patient has its
 * documents filed here too, with the same checks as filing here (the
 * patient must be in this store under exactly that id, each document's
 * SHA-1 as the inbox listed it); documents filed here that the server's
 * triage no longer files to that patient are taken back. A message this
 * desk cannot follow is left for a person (filing_state, shown as a
 * conflict in the inbox), never filed by a guess. */

typedef struct
{
  guint n_filed;        /* documents filed to a patient here */
  guint n_taken_back;   /* documents taken back from a patient */
  guint n_attention;    /* messages left for a person */
} CabMailFollowResult;

/* Every message whose filing_state says so (migration 13): files, takes
 * back, or records why it cannot. A message with a change of this desk
 * still in the outbox waits for it. Worker thread (file I/O, PDF text). */
gboolean cab_mail_follow_server (CabStore            *store,
                                 CabMailFollowResult *result,
                                 GError             **error);

G_END_DECLS
