/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-pdf-document.h"

G_BEGIN_DECLS

/* Prints with the print dialog, or straight to a PDF file when
 * @export_filename is set (tests). Pages are drawn on a worker thread. */
void     cab_pdf_print_async  (CabPdfDocument       *document,
                               GtkWindow            *parent,
                               const char           *job_name,
                               const char           *export_filename,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data);
gboolean cab_pdf_print_finish (GAsyncResult         *result,
                               GError              **error);

G_END_DECLS
