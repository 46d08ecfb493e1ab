/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-fhir-resource.h"
#include "cab-prescriber.h"
#include "cab-prescription.h"

G_BEGIN_DECLS

/*
 * The printed prescription: an A4 PDF drawn with cairo in the French legal
 * layout (docs/domain.md, "Prescriptions"): prescriber, date, patient,
 * lines in DCI, the bizone form's two zones for a patient with an ALD,
 * NS mentions, renewals, the identifier in clear and as a QR code, and a
 * place to sign. Always in French: it is a French legal document.
 */
typedef struct
{
  const CabPrescription *rx;          /* with its id */
  const CabPrescriber   *prescriber;
  const CabPatient      *patient;
  gboolean               bizone;      /* the patient has an ALD */
  /* Printed before the national service confirmed it (offline): say it
   * will be registered. */
  gboolean               pending_registration;
} CabPrescriptionPrint;

/* Writes the PDF to @path (0600, replaced atomically). Any thread. */
gboolean  cab_prescription_pdf_write  (const CabPrescriptionPrint *print,
                                       const char                 *path,
                                       GError                    **error);
/* The same PDF as bytes. */
GBytes   *cab_prescription_pdf_render (const CabPrescriptionPrint *print,
                                       GError                    **error);

/* "5 décembre 2026" from "2026-12-05". */
char     *cab_prescription_format_date_long (const char *date);

G_END_DECLS
