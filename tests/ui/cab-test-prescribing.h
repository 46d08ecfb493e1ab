/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-session.h"
#include "prescribing/cab-prescription-editor-private.h"

G_BEGIN_DECLS

/* What the prescription editor's tests share (test-prescription-editor,
 * test-prescription-walk). */

/* Imports the real BDPM release and the ANSM thesaurus into @store, as the
 * demo and cabinetctl do ($CABINET_DRUG_DATA, else the build's drug data;
 * tests may write the store from the main thread). */
void  cab_test_prescribing_import_drugs         (CabStore              *store);

/* Until the editor's drug results answer @text (whatever was typed before);
 * @what names the wait in a hang. */
void  cab_test_prescribing_wait_search          (CabPrescriptionEditor *editor,
                                                 const char            *text,
                                                 const char            *what);

/* Until the editor has printed @n times (its print path, exported). */
void  cab_test_prescribing_wait_printed         (CabPrescriptionEditor *editor,
                                                 guint                  n,
                                                 const char            *what);

/* @patient_id's e-prescription registrations in @session's outbox, and in
 * @n_done (may be NULL) how many are done. */
guint cab_test_prescribing_count_registrations  (CabSession            *session,
                                                 const char            *patient_id,
                                                 guint                 *n_done);

G_END_DECLS
