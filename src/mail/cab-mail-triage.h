/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-outbox.h"
#include "cab-store.h"

G_BEGIN_DECLS

/* Triage of an inbox message (docs/architecture.md, "Triage"): each action
 * changes the local state at once and, in the same transaction, queues
 * the message's new keywords for the IMAP server as an outbox entry of
 * kind "mailflags" (lane "mail:<id>"; cab-mail-flags.h sends it). The
 * synchronous functions are for worker threads (cabinetctl); the UI uses
 * cab_mail_triage_async(). @outbox may be NULL: the entry is queued all
 * the same and sent by the next drain that knows the kind. */

#define CAB_MAIL_TRIAGE_ERROR (cab_mail_triage_error_quark ())

typedef enum
{
  CAB_MAIL_TRIAGE_ERROR_NOT_FOUND,       /* no such message, patient or document */
  CAB_MAIL_TRIAGE_ERROR_NO_PATIENT,      /* filing needs a person's choice: the message says why */
  CAB_MAIL_TRIAGE_ERROR_UNACCOUNTED,     /* handle: documents neither filed nor dismissed (named) */
  CAB_MAIL_TRIAGE_ERROR_INVALID,         /* a malformed practitioner, an empty reason */
  CAB_MAIL_TRIAGE_ERROR_DOCUMENT,        /* a document cannot be read back, or is not what was declared */
  CAB_MAIL_TRIAGE_ERROR_NOTHING_TO_UNDO,
} CabMailTriageError;

GQuark cab_mail_triage_error_quark (void);

typedef enum
{
  CAB_MAIL_TRIAGE_CHOOSE_PATIENT,  /* patient_id: a person's choice or confirmation */
  CAB_MAIL_TRIAGE_FILE,            /* patient_id, or NULL: only an auto match files */
  CAB_MAIL_TRIAGE_ASSIGN,          /* practitioner "Practitioner/<id>"; NULL: unassign */
  CAB_MAIL_TRIAGE_HANDLE,          /* every document filed or dismissed, else refused */
  CAB_MAIL_TRIAGE_REOPEN,          /* handled -> assigned or new */
  CAB_MAIL_TRIAGE_DISMISS,         /* document (from 1) with a reason */
  CAB_MAIL_TRIAGE_UNDO,            /* the last action on this message not undone yet */
} CabMailTriageAction;

typedef struct
{
  CabMailTriageAction  action;
  gint64               mail_id;
  const char          *patient_id;
  const char          *practitioner;
  guint                document;
  const char          *reason;
} CabMailTriageRequest;

typedef struct
{
  char   *status;        /* "new", "assigned", "handled" after the action */
  gint64  entry_id;      /* the queued outbox entry, 0 when nothing changed */
  guint   n_filed;       /* FILE: documents now in the patient's timeline */
  char   *patient_id;    /* FILE: the patient filed to */
} CabMailTriageResult;

void     cab_mail_triage_result_clear (CabMailTriageResult        *result);

/* Blocking. */
gboolean cab_mail_triage_run    (CabStore                   *store,
                                 CabOutbox                  *outbox,
                                 const CabMailTriageRequest *request,
                                 CabMailTriageResult        *result,
                                 GError                    **error);

/* The same on a worker thread; @request's strings are copied. */
void     cab_mail_triage_async  (CabStore                   *store,
                                 CabOutbox                  *outbox,
                                 const CabMailTriageRequest *request,
                                 GCancellable               *cancellable,
                                 GAsyncReadyCallback         callback,
                                 gpointer                    user_data);
gboolean cab_mail_triage_finish (GAsyncResult               *result,
                                 CabMailTriageResult        *out,
                                 GError                    **error);

G_END_DECLS
