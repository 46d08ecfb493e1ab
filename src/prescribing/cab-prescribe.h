/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-erx-service.h"
#include "cab-outbox.h"
#include "cab-prescriber.h"
#include "cab-prescription.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * Writing a prescription, from the lines typed to the queued registration
 * (docs/domain.md, "Prescriptions"): the medicines' labels captured from the
 * drug database, the rules checked against the patient's record (ALD,
 * birth date, excipient intolerances), a fresh identifier, the PDF drawn,
 * then in one store transaction the prescription, its printed copy in the
 * timeline, its registration with the e-prescription service and its DMP
 * publication. Nothing here waits for the network: the outbox sends later.
 */

typedef struct
{
  const char            *patient_id;
  const CabPrescription *prescription;   /* lines by CIS; date NULL for today */
  const char            *prescriber;     /* "Practitioner/<id>", NULL: the patient's médecin traitant */
  const char            *organization;   /* "Organization/<id>" of the practice, or NULL */
  /* The printed copy says it will be registered once online. */
  gboolean               pending_registration;
} CabPrescribeRequest;

typedef struct
{
  CabPrescription *prescription;        /* as written: id, date, captured labels */
  GBytes          *pdf;                 /* the printed copy */
  gint64           registration_entry;  /* outbox entries */
  gint64           publish_entry;
  char            *document_id;         /* the printed copy in the timeline */
  /* What the copy was drawn from, to draw it again. */
  CabPrescriber   *prescriber;
  CabPatientRow   *patient;
  gboolean         bizone;
} CabPrescribeResult;

void     cab_prescribe_result_clear (CabPrescribeResult *result);

/* The printed copy again, saying (or not) that it will be registered once
 * online: for a copy printed when the service turned out to be unreachable. */
GBytes  *cab_prescribe_result_render (const CabPrescribeResult *result,
                                      gboolean                  pending_registration,
                                      GError                  **error);

/* Worker thread only. Errors: CAB_PRESCRIPTION_ERROR (a broken rule, an
 * unknown medicine: the message says which line and why), CAB_STORE_ERROR
 * (unknown patient or prescriber), CAB_OUTBOX_ERROR. */
gboolean cab_prescribe              (CabStore                  *store,
                                     CabOutbox                 *outbox,
                                     CabErxService             *service,
                                     const CabPrescribeRequest *request,
                                     CabPrescribeResult        *result,
                                     GError                   **error);

/* The same on a worker thread, for the editor. @request is copied. */
void     cab_prescribe_async        (CabStore                  *store,
                                     CabOutbox                 *outbox,
                                     CabErxService             *service,
                                     const CabPrescribeRequest *request,
                                     GCancellable              *cancellable,
                                     GAsyncReadyCallback        callback,
                                     gpointer                   user_data);
/* Fills @result; FALSE with @error. */
gboolean cab_prescribe_finish       (GAsyncResult              *result,
                                     CabPrescribeResult        *out,
                                     GError                   **error);

/* Labels of one medicine as a prescription prints them, from the drug
 * database: DCI first (the therapeutic moiety when the database names one,
 * in lower case) with strength and form, the brand name alone. Worker
 * thread. FALSE with CAB_PRESCRIPTION_ERROR_UNKNOWN_MEDICINE when the
 * database does not know the CIS. */
gboolean cab_prescribe_capture_medicine (CabStore    *store,
                                         const char  *cis,
                                         CabMedicine *medicine,
                                         GError     **error);

G_END_DECLS
