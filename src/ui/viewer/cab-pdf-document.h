/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <poppler.h>

G_BEGIN_DECLS

#define CAB_PDF_ERROR (cab_pdf_error_quark ())

typedef enum {
  CAB_PDF_ERROR_DAMAGED,
  CAB_PDF_ERROR_ENCRYPTED,
} CabPdfError;

GQuark cab_pdf_error_quark (void);

#define CAB_TYPE_PDF_DOCUMENT (cab_pdf_document_get_type ())

G_DECLARE_FINAL_TYPE (CabPdfDocument, cab_pdf_document, CAB, PDF_DOCUMENT, GObject)

void            cab_pdf_document_load_async   (GFile                *file,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
CabPdfDocument *cab_pdf_document_load_finish  (GAsyncResult         *result,
                                               GError              **error);
/* Blocking: only for worker threads, tests and benchmarks. */
CabPdfDocument *cab_pdf_document_load         (GFile                *file,
                                               GCancellable         *cancellable,
                                               GError              **error);

GFile          *cab_pdf_document_get_file      (CabPdfDocument *self);
guint           cab_pdf_document_get_n_pages   (CabPdfDocument *self);
void            cab_pdf_document_get_page_size (CabPdfDocument *self,
                                                guint           page,
                                                double         *width,
                                                double         *height);
void            cab_pdf_document_get_max_size  (CabPdfDocument *self,
                                                double         *width,
                                                double         *height);

/* The poppler objects of one document are never used from two threads at
 * once: take the lock around any use of the PopplerDocument or its pages. */
void             cab_pdf_document_lock          (CabPdfDocument *self);
void             cab_pdf_document_unlock        (CabPdfDocument *self);
PopplerDocument *cab_pdf_document_get_poppler   (CabPdfDocument *self);

G_END_DECLS
