/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_PRESCRIPTION_EDITOR (cab_prescription_editor_get_type ())

G_DECLARE_FINAL_TYPE (CabPrescriptionEditor, cab_prescription_editor, CAB, PRESCRIPTION_EDITOR, AdwWindow)

/* The prescription editor for @patient_id, reading the session's store and
 * queuing through its outbox (docs/architecture.md, "Prescription editor"). */
CabPrescriptionEditor *cab_prescription_editor_new            (GtkWindow             *parent,
                                                               CabSession            *session,
                                                               const char            *patient_id);

/* Renewal ("Renouveler") from the timeline: adds the lines, as written, of
 * the patient's prescription whose printed copy is the document
 * @document_id. The new prescription is dated today and gets its own
 * identifier when written; the status bar says what was renewed, or why
 * nothing was (a prescription not written in Cabinet). */
void                   cab_prescription_editor_renew_document (CabPrescriptionEditor *self,
                                                               const char            *document_id);

CabSession            *cab_prescription_editor_get_session    (CabPrescriptionEditor *self);
const char            *cab_prescription_editor_get_patient_id (CabPrescriptionEditor *self);

G_END_DECLS
