/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-match.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* A person chose a patient for a message: before anything is filed, what
 * the message says of its patient beside the patient's record, and what
 * disagrees (principle 4; docs/architecture.md, "The Inbox page"). Read on
 * core's reader pool: the message again from its raw file (each XDM
 * document's patient, else the labelled traits of its text), the patient
 * from the store, compared by the matching's own rules
 * (cab_match_check_patient()). */

typedef struct
{
  char *ins;
  char *family;        /* birth name, else the used name */
  char *usage_family;  /* the used name when it differs, or NULL */
  char *given;
  char *birth_date;    /* YYYY-MM-DD */
  char  sex;           /* 'F', 'M' or 0 */
} CabInboxTraits;

typedef struct
{
  char               *patient_id;
  CabMatchTraitFlags  disagreeing;
  gboolean            named;        /* the message names a patient at all */
  gboolean            from_text;    /* ...only in its text, not in XDM metadata */
  CabInboxTraits      message;      /* the first document that names one */
  CabInboxTraits      patient;
} CabInboxCheck;

void           cab_inbox_check_free          (CabInboxCheck       *check);

/* Blocking (worker threads). */
CabInboxCheck *cab_inbox_store_check         (CabStore            *store,
                                              gint64               mail_id,
                                              const char          *patient_id,
                                              GError             **error);

void           cab_inbox_query_check_async   (CabStore            *store,
                                              gint64               mail_id,
                                              const char          *patient_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
CabInboxCheck *cab_inbox_query_check_finish  (GAsyncResult        *result,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabInboxCheck, cab_inbox_check_free)

G_END_DECLS
