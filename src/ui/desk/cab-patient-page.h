/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-document-pane.h"
#include "patients/cab-patient-header.h"
#include "cab-session.h"
#include "timeline/cab-timeline-view.h"

G_BEGIN_DECLS

#define CAB_TYPE_PATIENT_PAGE (cab_patient_page_get_type ())
G_DECLARE_FINAL_TYPE (CabPatientPage, cab_patient_page, CAB, PATIENT_PAGE, GtkWidget)

/* One patient on the desk: the header (identity, médecin traitant,
 * conditions, refresh), the timeline and the document pane, side by side
 * when the width allows, else the document over the timeline with a way
 * back. Property: session (handed on to the document pane; the header
 * follows its store, the timeline's "Pending" its outbox). */
GtkWidget        *cab_patient_page_new                (void);
void              cab_patient_page_set_session        (CabPatientPage *self,
                                                       CabSession     *session);
void              cab_patient_page_set_image_link_template (CabPatientPage *self,
                                                       const char     *template_);
/* @opened_at: when the doctor opened this patient before (marks what is new). */
void              cab_patient_page_set_patient        (CabPatientPage *self,
                                                       const char     *patient_id,
                                                       const char     *opened_at);
const char       *cab_patient_page_get_patient_id     (CabPatientPage *self);
/* Reads the header and the timeline again (after a sync). */
void              cab_patient_page_reload             (CabPatientPage *self);
/* TRUE while the patient's refresh from the health space runs. */
gboolean          cab_patient_page_get_refreshing     (CabPatientPage *self);

CabPatientHeader *cab_patient_page_get_header         (CabPatientPage *self);
CabTimelineView  *cab_patient_page_get_timeline       (CabPatientPage *self);
CabDocumentPane  *cab_patient_page_get_document_pane  (CabPatientPage *self);

G_END_DECLS
