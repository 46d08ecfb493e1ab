/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-drug-db.h"
#include "cab-drug-interactions.h"
#include "cab-prescription.h"

G_BEGIN_DECLS

/* What a line may say about non-substitution and the ALD zone, from the
 * patient's facts (docs/domain.md, "Prescriptions"). */
typedef struct
{
  gboolean    has_ald;                 /* bizone: the line gets an ALD switch */
  gboolean    under_six;               /* EFG allowed */
  gboolean    excipient_intolerance;   /* CIF allowed */
} CabLineFacts;

#define CAB_TYPE_PRESCRIPTION_LINE_ROW (cab_prescription_line_row_get_type ())

G_DECLARE_FINAL_TYPE (CabPrescriptionLineRow, cab_prescription_line_row, CAB, PRESCRIPTION_LINE_ROW, GtkListBoxRow)

/* A new line for @drug, its dosage defaulted from the form. */
GtkWidget                 *cab_prescription_line_row_new       (const CabDrug       *drug,
                                                                const CabLineFacts  *facts);
/* A line renewing a current treatment: @dosage_text kept as written. */
GtkWidget                 *cab_prescription_line_row_new_renewal (const CabDrug     *drug,
                                                                  const char        *dosage_text,
                                                                  const CabLineFacts *facts);
/* A line of a stored prescription, renewed as it was written. */
GtkWidget                 *cab_prescription_line_row_new_from_line (const CabPrescriptionLine *line,
                                                                    const CabLineFacts        *facts);

/* The line as it reads now (owned by the row, updated on each edit). */
const CabPrescriptionLine *cab_prescription_line_row_get_line  (CabPrescriptionLineRow *self);
/* NULL, or why the line cannot be printed as typed ("the quantity is not a number"). */
const char                *cab_prescription_line_row_get_problem (CabPrescriptionLineRow *self);
/* The dosage in French, as printed. */
const char                *cab_prescription_line_row_get_french  (CabPrescriptionLineRow *self);

void                       cab_prescription_line_row_set_number  (CabPrescriptionLineRow *self,
                                                                  guint                   number);
/* The most severe interaction the line is part of, or -1. */
void                       cab_prescription_line_row_set_alert   (CabPrescriptionLineRow *self,
                                                                  int                     level,
                                                                  gboolean                allergy);
/* Shows a broken rule under the line (NULL: none). */
void                       cab_prescription_line_row_set_rule_error (CabPrescriptionLineRow *self,
                                                                     const char             *message);

/* Editing, for keyboard users and tests: what the widgets do. */
void                       cab_prescription_line_row_set_non_substitutable (CabPrescriptionLineRow *self,
                                                                            CabNonSubstitutable     ns);
/* Whether the form lets the user choose @ns, and why not. */
gboolean                   cab_prescription_line_row_ns_allowed (CabPrescriptionLineRow *self,
                                                                 CabNonSubstitutable     ns,
                                                                 const char            **reason);
void                       cab_prescription_line_row_set_ald    (CabPrescriptionLineRow *self,
                                                                 gboolean                ald);
GtkWidget                 *cab_prescription_line_row_get_ald_switch (CabPrescriptionLineRow *self);
void                       cab_prescription_line_row_focus_dosage   (CabPrescriptionLineRow *self);

/* The unit a dose of @form is counted in ("comprimé", "gélule", "mL"...). */
const char                *cab_dosage_unit_for_form (const char *form);

G_END_DECLS
