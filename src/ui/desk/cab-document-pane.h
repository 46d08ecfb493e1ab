/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-lab-table.h"
#include "viewer/cab-pdf-viewer.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_DOCUMENT_PANE (cab_document_pane_get_type ())
G_DECLARE_FINAL_TYPE (CabDocumentPane, cab_document_pane, CAB, DOCUMENT_PANE, GtkWidget)

/* One document of the open patient: its title, the report in the viewer
 * (from the local cache, else downloaded with progress and cancel, else "it
 * will be available once back online"), the lab results beside a lab report
 * and "View images" for an imaging study. "View images" activates the
 * window's "win.open-uri" action with the viewer link, so the window (and
 * tests) decide how a link is opened. Store reads and downloads never block
 * the main thread: the document is read with core's query, which traces
 * the access. Properties: session, show-back, busy. */
GtkWidget    *cab_document_pane_new                 (void);
void          cab_document_pane_set_session         (CabDocumentPane *self,
                                                     CabSession      *session);
/* The GSettings "image-viewer-url-template". */
void          cab_document_pane_set_image_link_template (CabDocumentPane *self,
                                                     const char      *template_);
void          cab_document_pane_show_document       (CabDocumentPane *self,
                                                     const char      *document_id);
void          cab_document_pane_clear               (CabDocumentPane *self);

/* A back button at the start of the title bar, activating
 * "patient.show-timeline", for when the pane takes the whole width. */
void          cab_document_pane_set_show_back       (CabDocumentPane *self,
                                                     gboolean         show_back);

const char   *cab_document_pane_get_document_id     (CabDocumentPane *self);
/* TRUE while the document's row is read or its content downloaded. */
gboolean      cab_document_pane_get_busy            (CabDocumentPane *self);
/* The image viewer link of the document shown, NULL when it has none. */
const char   *cab_document_pane_get_images_uri      (CabDocumentPane *self);
/* TRUE when the lab results are shown beside the report. */
gboolean      cab_document_pane_get_shows_results   (CabDocumentPane *self);
CabPdfViewer *cab_document_pane_get_viewer          (CabDocumentPane *self);
CabLabTable  *cab_document_pane_get_lab_table       (CabDocumentPane *self);

G_END_DECLS
