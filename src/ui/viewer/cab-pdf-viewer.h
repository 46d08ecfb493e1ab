/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-pdf-document.h"
#include "cab-pdf-view.h"

G_BEGIN_DECLS

typedef enum {
  CAB_PDF_VIEWER_EMPTY,
  CAB_PDF_VIEWER_LOADING,
  CAB_PDF_VIEWER_DOWNLOADING,
  CAB_PDF_VIEWER_UNAVAILABLE,
  CAB_PDF_VIEWER_ERROR,
  CAB_PDF_VIEWER_DOCUMENT,
} CabPdfViewerState;

#define CAB_TYPE_PDF_VIEWER (cab_pdf_viewer_get_type ())

G_DECLARE_FINAL_TYPE (CabPdfViewer, cab_pdf_viewer, CAB, PDF_VIEWER, GtkWidget)

CabPdfViewer      *cab_pdf_viewer_new                (void);
void               cab_pdf_viewer_load_file          (CabPdfViewer *self,
                                                      GFile        *file);
void               cab_pdf_viewer_show_download      (CabPdfViewer *self,
                                                      double        fraction);
void               cab_pdf_viewer_show_unavailable   (CabPdfViewer *self,
                                                      const char   *message);
void               cab_pdf_viewer_clear              (CabPdfViewer *self);
void               cab_pdf_viewer_set_suggested_name (CabPdfViewer *self,
                                                      const char   *name);

CabPdfViewerState  cab_pdf_viewer_get_state          (CabPdfViewer *self);
const GError      *cab_pdf_viewer_get_error          (CabPdfViewer *self);
guint              cab_pdf_viewer_get_n_pages        (CabPdfViewer *self);
CabPdfDocument    *cab_pdf_viewer_get_document       (CabPdfViewer *self);
CabPdfView        *cab_pdf_viewer_get_view           (CabPdfViewer *self);
void               cab_pdf_viewer_find               (CabPdfViewer *self,
                                                      const char   *text);

G_END_DECLS
