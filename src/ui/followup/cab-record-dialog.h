/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-followup-rules.h"
#include "cab-outbox.h"

G_BEGIN_DECLS

#define CAB_TYPE_RECORD_DIALOG (cab_record_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CabRecordDialog, cab_record_dialog, CAB, RECORD_DIALOG, AdwWindow)

/* Recording a blood pressure, a weight or a foot examination for one
 * patient: the measure, the value as the nurse types it ("135/85",
 * "72,5", "0".."3"), the day (today by default). Checks the value with
 * core's parser, then records through core (cab-followup-record.h: the
 * store and the outbox in one transaction). Enter records, Escape cancels.
 *
 * Signal "recorded" (measure id, string): the store holds the measure and
 * the outbox its entry; the dialog then closes. */
CabRecordDialog *cab_record_dialog_new          (GtkWindow        *parent,
                                                 CabOutbox        *outbox,
                                                 CabFollowupRules *rules,
                                                 const char       *patient_id,
                                                 const char       *measure_id);

/* For tests: choose the measure, fill the fields, press Record. */
gboolean         cab_record_dialog_select_measure (CabRecordDialog *self,
                                                   const char      *measure_id);
void             cab_record_dialog_set_value     (CabRecordDialog *self,
                                                  const char      *value);
void             cab_record_dialog_set_date      (CabRecordDialog *self,
                                                  const char      *date);
void             cab_record_dialog_save          (CabRecordDialog *self);
/* The error shown, or NULL. */
const char      *cab_record_dialog_get_error     (CabRecordDialog *self);
gboolean         cab_record_dialog_get_busy      (CabRecordDialog *self);

G_END_DECLS
