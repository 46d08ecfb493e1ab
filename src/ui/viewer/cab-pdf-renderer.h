/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-pdf-document.h"

G_BEGIN_DECLS

typedef enum {
  CAB_PDF_RENDER_URGENT,     /* on screen */
  CAB_PDF_RENDER_PREFETCH,   /* next to the screen */
} CabPdfRenderPriority;

#define CAB_TYPE_PDF_RENDERER (cab_pdf_renderer_get_type ())

G_DECLARE_FINAL_TYPE (CabPdfRenderer, cab_pdf_renderer, CAB, PDF_RENDERER, GObject)

CabPdfRenderer *cab_pdf_renderer_new              (CabPdfDocument       *document);
CabPdfDocument *cab_pdf_renderer_get_document     (CabPdfRenderer       *self);
void            cab_pdf_renderer_request          (CabPdfRenderer       *self,
                                                   guint                 page,
                                                   double                scale,
                                                   CabPdfRenderPriority  priority);
GdkTexture     *cab_pdf_renderer_lookup           (CabPdfRenderer       *self,
                                                   guint                 page,
                                                   double               *scale);
cairo_surface_t *cab_pdf_renderer_lookup_surface (CabPdfRenderer      *self,
                                                  guint                page,
                                                  double              *scale);
void            cab_pdf_renderer_set_keep_range   (CabPdfRenderer       *self,
                                                   guint                 first,
                                                   guint                 last);
void            cab_pdf_renderer_set_cache_budget (CabPdfRenderer       *self,
                                                   gsize                 bytes);
gsize           cab_pdf_renderer_get_cache_size   (CabPdfRenderer       *self);
guint           cab_pdf_renderer_get_n_rendered   (CabPdfRenderer       *self);
guint           cab_pdf_renderer_get_n_pending    (CabPdfRenderer       *self);

/* Blocking render of one page into an ARGB32 surface with white behind:
 * takes the document lock itself. For worker threads and benchmarks. */
cairo_surface_t *cab_pdf_render_page_surface      (CabPdfDocument       *document,
                                                   guint                 page,
                                                   double                scale);
GdkTexture      *cab_pdf_texture_new_for_surface  (cairo_surface_t      *surface);

G_END_DECLS
