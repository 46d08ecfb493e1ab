/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-patient-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_RESULT_ROW (cab_patient_result_row_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientResultRow, cab_patient_result_row, CAB, PATIENT_RESULT_ROW, GtkWidget)

/* One patient search result; recycled by the list view (set_item(NULL) on unbind). */
GtkWidget *cab_patient_result_row_new      (void);
void       cab_patient_result_row_set_item (CabPatientResultRow *self,
                                            CabPatientItem      *item);

G_END_DECLS
