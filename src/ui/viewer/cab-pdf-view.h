/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-pdf-document.h"
#include "cab-pdf-renderer.h"

G_BEGIN_DECLS

typedef enum {
  CAB_PDF_ZOOM_FIT_WIDTH,
  CAB_PDF_ZOOM_FIT_PAGE,
  CAB_PDF_ZOOM_FREE,
} CabPdfZoomMode;

#define CAB_TYPE_PDF_VIEW (cab_pdf_view_get_type ())

G_DECLARE_FINAL_TYPE (CabPdfView, cab_pdf_view, CAB, PDF_VIEW, GtkWidget)

GtkWidget      *cab_pdf_view_new                (void);
void            cab_pdf_view_set_document       (CabPdfView     *self,
                                                 CabPdfDocument *document);
CabPdfDocument *cab_pdf_view_get_document       (CabPdfView     *self);
CabPdfRenderer *cab_pdf_view_get_renderer       (CabPdfView     *self);

CabPdfZoomMode  cab_pdf_view_get_zoom_mode      (CabPdfView     *self);
void            cab_pdf_view_set_zoom_mode      (CabPdfView     *self,
                                                 CabPdfZoomMode  mode);
double          cab_pdf_view_get_scale          (CabPdfView     *self);
void            cab_pdf_view_set_scale          (CabPdfView     *self,
                                                 double          scale);
void            cab_pdf_view_zoom_in            (CabPdfView     *self);
void            cab_pdf_view_zoom_out           (CabPdfView     *self);

guint           cab_pdf_view_get_page           (CabPdfView     *self);
void            cab_pdf_view_set_page           (CabPdfView     *self,
                                                 guint           page);
gboolean        cab_pdf_view_get_page_rect      (CabPdfView     *self,
                                                 guint           page,
                                                 graphene_rect_t *rect);

void            cab_pdf_view_find               (CabPdfView     *self,
                                                 const char     *text);
void            cab_pdf_view_find_next          (CabPdfView     *self);
void            cab_pdf_view_find_previous      (CabPdfView     *self);
guint           cab_pdf_view_get_n_matches      (CabPdfView     *self);
int             cab_pdf_view_get_current_match  (CabPdfView     *self,
                                                 guint          *page);
gboolean        cab_pdf_view_get_find_busy      (CabPdfView     *self);

void            cab_pdf_view_select_area        (CabPdfView     *self,
                                                 guint           page,
                                                 const PopplerRectangle *area);
const char     *cab_pdf_view_get_selected_text  (CabPdfView     *self);
void            cab_pdf_view_copy               (CabPdfView     *self);

G_END_DECLS
