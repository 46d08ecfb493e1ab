/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cab-followup-rules.h"
#include "cab-outbox.h"

G_BEGIN_DECLS

/*
 * Recording a measure at the patient's side (docs/domain.md, "Recorded
 * measures"): the Observation goes into the store at once (the worklist and
 * the charts see it after their reload, offline too) and into the outbox in
 * the same transaction, as a conditional create sent exactly once
 * (cab_outbox_create_resource()). Measures that can be recorded: "bp"
 * (panel 85354-9 with 8480-6 / 8462-4), "weight" (29463-7), "foot" (the
 * foot examination's risk grade 0-3, a local code).
 */

/* Reads what a nurse types for @measure: "135/85" (blood pressure), "72.5"
 * or "72,5" (weight, kg), "0".."3" (foot grade). CAB_FOLLOWUP_ERROR_VALUE
 * with a message that says what is expected (never quoting the input) when
 * it does not parse or lies outside the measure's plausible range;
 * CAB_FOLLOWUP_ERROR_MEASURE when the measure cannot be recorded. */
gboolean cab_followup_parse_value   (const CabFollowupMeasure *measure,
                                     const char               *text,
                                     double                   *value,
                                     double                   *diastolic,
                                     GError                  **error);

/* The FHIR Observation for a recording (no id: the outbox gives it one).
 * @effective: "YYYY-MM-DD" or a FHIR dateTime, NULL for now. @performer:
 * "Practitioner/id" or NULL. NULL with CAB_FOLLOWUP_ERROR_* when a value or
 * the date is wrong (a date in the future is refused). */
JsonObject *cab_followup_build_observation (const CabFollowupMeasure *measure,
                                            const char               *patient_id,
                                            double                    value,
                                            double                    diastolic,
                                            const char               *effective,
                                            const char               *performer,
                                            GError                  **error);

/* Builds the Observation and queues it (worker thread). @entry_id: the
 * outbox entry. */
gboolean cab_followup_record        (CabOutbox                *outbox,
                                     const CabFollowupMeasure *measure,
                                     const char               *patient_id,
                                     double                    value,
                                     double                    diastolic,
                                     const char               *effective,
                                     const char               *performer,
                                     gint64                   *entry_id,
                                     GError                  **error);

/* The same off the main thread; @measure must outlive the call (it does
 * when it comes from a CabFollowupRules the caller holds). Finish: the
 * outbox entry id, 0 with @error set. The store holds the measure when the
 * callback runs: reload the models then. */
void     cab_followup_record_async  (CabOutbox                *outbox,
                                     const CabFollowupMeasure *measure,
                                     const char               *patient_id,
                                     double                    value,
                                     double                    diastolic,
                                     const char               *effective,
                                     const char               *performer,
                                     GCancellable             *cancellable,
                                     GAsyncReadyCallback       callback,
                                     gpointer                  user_data);
gint64   cab_followup_record_finish (GAsyncResult             *result,
                                     GError                  **error);

G_END_DECLS
