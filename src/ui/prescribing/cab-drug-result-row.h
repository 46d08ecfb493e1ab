/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-drug-results.h"

G_BEGIN_DECLS

#define CAB_TYPE_DRUG_RESULT_ROW (cab_drug_result_row_get_type ())

G_DECLARE_FINAL_TYPE (CabDrugResultRow, cab_drug_result_row, CAB, DRUG_RESULT_ROW, GtkBox)

/* One search result, recycled by the editor's list view: DCI first, the
 * brand in brackets, the form, whether it is marketed, its generic group
 * and reimbursement. Built once, filled at each bind and again when its
 * item's "drug" changes (the model reuses its items). */
GtkWidget *cab_drug_result_row_new      (void);
void       cab_drug_result_row_set_item (CabDrugResultRow *self,
                                         CabDrugItem      *item);
/* What the row shows on its first line, for tests. */
const char *cab_drug_result_row_get_title (CabDrugResultRow *self);

G_END_DECLS
