/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-drug-db.h"

G_BEGIN_DECLS

#define CAB_TYPE_DRUG_RESULT_ROW (cab_drug_result_row_get_type ())

G_DECLARE_FINAL_TYPE (CabDrugResultRow, cab_drug_result_row, CAB, DRUG_RESULT_ROW, GtkListBoxRow)

/* One search result: DCI first, the brand in brackets, the form, the
 * strength, whether it is marketed, its generic group and reimbursement.
 * Takes @drug. */
GtkWidget     *cab_drug_result_row_new      (CabDrug          *drug);
const CabDrug *cab_drug_result_row_get_drug (CabDrugResultRow *self);

G_END_DECLS
