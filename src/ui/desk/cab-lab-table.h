/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_LAB_TABLE (cab_lab_table_get_type ())
G_DECLARE_FINAL_TYPE (CabLabTable, cab_lab_table, CAB, LAB_TABLE, GtkWidget)

/* The Observations of a lab report as a table: analysis, value, unit,
 * reference range; values out of their range (or flagged H/L by the lab)
 * stand out. Reads them with core's query (cab-document-queries.h) and emits
 * "loaded" when the rows are there (maybe none). */
GtkWidget  *cab_lab_table_new            (void);
void        cab_lab_table_load           (CabLabTable *self,
                                          CabStore    *store,
                                          const char  *document_id);
void        cab_lab_table_clear          (CabLabTable *self);
/* Rows shown, and how many of them are out of range. */
guint       cab_lab_table_get_n_results  (CabLabTable *self,
                                          guint       *n_abnormal);
gboolean    cab_lab_table_get_loading    (CabLabTable *self);

/* Helpers, exposed for tests: "4.2", "12.5 – 17" / "< 5" / "> 60", and
 * whether a value is out of range. */
char       *cab_lab_format_value         (const CabObservationValue *value);
char       *cab_lab_format_range         (const CabObservationValue *value);
gboolean    cab_lab_is_abnormal          (const CabObservationValue *value);

G_END_DECLS
