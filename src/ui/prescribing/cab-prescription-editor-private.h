/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-drug-results.h"
#include "cab-prescription-editor.h"
#include "cab-prescription-line-row.h"
#include "viewer/cab-pdf-viewer.h"

G_BEGIN_DECLS

/* What the editor's tests and benchmark look at; the rest of the UI uses
 * the editor's actions only. */

GtkEditable             *cab_prescription_editor_get_search_entry (CabPrescriptionEditor *self);
/* The search's model (n_loaded, answered text) and the list's selection. */
CabDrugResults          *cab_prescription_editor_get_results      (CabPrescriptionEditor *self);
GtkSingleSelection      *cab_prescription_editor_get_selection    (CabPrescriptionEditor *self);
gboolean                 cab_prescription_editor_is_ready         (CabPrescriptionEditor *self);

guint                    cab_prescription_editor_get_n_lines      (CabPrescriptionEditor *self);
CabPrescriptionLineRow  *cab_prescription_editor_get_line         (CabPrescriptionEditor *self,
                                                                   guint                  index);
/* TRUE once the interaction and allergy checks of the current lines landed. */
gboolean                 cab_prescription_editor_is_checked       (CabPrescriptionEditor *self);
guint                    cab_prescription_editor_get_n_warnings   (CabPrescriptionEditor *self);
/* The text of warning @index as shown (level, substances, thesaurus text). */
char                    *cab_prescription_editor_dup_warning_text (CabPrescriptionEditor *self,
                                                                   guint                  index);
/* The identifier of the prescription once written, else NULL. */
const char              *cab_prescription_editor_get_issued_id    (CabPrescriptionEditor *self);
/* NULL when the prescription can be printed, else why not (as shown). */
const char              *cab_prescription_editor_get_blocker      (CabPrescriptionEditor *self);

/* Sensitive exactly when "editor.print" is enabled. */
GtkWidget               *cab_prescription_editor_get_print_button (CabPrescriptionEditor *self);
CabPdfViewer            *cab_prescription_editor_get_viewer       (CabPrescriptionEditor *self);
/* Print to this PDF file instead of the print dialog (tests). */
void                     cab_prescription_editor_set_print_export (CabPrescriptionEditor *self,
                                                                   const char            *path);
/* Prints that finished (with the file written when exporting). */
guint                    cab_prescription_editor_get_n_printed    (CabPrescriptionEditor *self);
/* What the editor says under the written copy about sending it to the
 * patient's mailbox ("editor.send-to-patient"), and whether it was queued. */
GtkWidget               *cab_prescription_editor_get_send_button  (CabPrescriptionEditor *self);
const char              *cab_prescription_editor_get_send_status  (CabPrescriptionEditor *self);
gboolean                 cab_prescription_editor_get_sent         (CabPrescriptionEditor *self);

G_END_DECLS
