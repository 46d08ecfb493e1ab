/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Fault injection on /fhir, set from flags and at run time through
 * /admin/faults. Used on the main thread only. */
typedef struct
{
  guint     latency_ms;
  double    error_rate;      /* 0..1 */
  GArray   *error_statuses;  /* guint; picked at random for an injected error */
  guint     retry_after;     /* seconds, on 429 and 503 */
  double    drop_rate;       /* 0..1: close the connection without an answer */
  double    lose_answer_rate;/* 0..1: do a write (not GET), then close without an
                              * answer: it lands but the client never hears it */
  gboolean  expire_tokens;   /* every token gets 401 "token expired" */
  const char *hostile;       /* NULL, "invalid-json", "outcome-200" or "redirect" (another host) */
  GRand    *rand;
} SandboxFaults;

typedef enum
{
  SANDBOX_FAULT_NONE,
  SANDBOX_FAULT_DROP,
  SANDBOX_FAULT_ERROR,
} SandboxFaultAction;

SandboxFaults      *sandbox_faults_new          (guint32         seed);
void                sandbox_faults_free         (SandboxFaults  *faults);
void                sandbox_faults_clear        (SandboxFaults  *faults);
/* "500,503,429" */
gboolean            sandbox_faults_set_statuses (SandboxFaults  *faults,
                                                 const char     *list,
                                                 GError        **error);
/* Merges the members present in @object (latency_ms, error_rate,
 * error_statuses, retry_after, drop_rate, lose_answer_rate, expire_tokens);
 * 400 on bad values. */
gboolean            sandbox_faults_merge_json   (SandboxFaults  *faults,
                                                 JsonObject     *object,
                                                 GError        **error);
char               *sandbox_faults_to_json      (SandboxFaults  *faults);
/* What to do with the next request; @status is set for an error. */
SandboxFaultAction  sandbox_faults_decide       (SandboxFaults  *faults,
                                                 guint          *status);
/* After the work: whether to lose its answer (lose_answer_rate). */
gboolean            sandbox_faults_lose_answer  (SandboxFaults  *faults);

G_END_DECLS
