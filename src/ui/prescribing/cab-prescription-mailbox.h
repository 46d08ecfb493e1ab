/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-prescription.h"
#include "cab-prescriber.h"
#include "cab-session.h"

G_BEGIN_DECLS

/* Sending a written prescription to the patient's Mon espace santé
 * mailbox (<INS>@patient.mssante.fr, docs/architecture.md "Sending mail"),
 * from the prescription editor. */

/* NULL when the prescription may be sent to @patient's mailbox, else why
 * not, translated, to show: no mail account set up, or an identity that is
 * not qualified (cab_mail_patient_mailbox_allowed()). Main thread: reads
 * nothing. */
char    *cab_prescription_mailbox_unavailable (CabSession             *session,
                                               const CabPatient       *patient);

/* Queues the message in the outbox (cab_mail_queue_async()): the written
 * prescription @document_id attached, as a PDF and in an IHE_XDM.zip. */
void     cab_prescription_mailbox_send_async  (CabSession             *session,
                                               const char             *patient_id,
                                               const CabPatient       *patient,
                                               const CabPrescription  *prescription,
                                               const CabPrescriber    *prescriber,
                                               const char             *document_id,
                                               GCancellable           *cancellable,
                                               GAsyncReadyCallback     callback,
                                               gpointer                user_data);
gboolean cab_prescription_mailbox_send_finish (GAsyncResult           *result,
                                               gint64                 *entry_id,
                                               GError                **error);

G_END_DECLS
