/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The text of every page of the PDF at @path, pages separated by a form feed,
 * for the full-text index. Blocking: call from a worker thread. */
char     *cab_pdf_text_extract        (const char          *path,
                                       GCancellable        *cancellable,
                                       GError             **error);

/* The same on a worker thread. */
void      cab_pdf_text_extract_async  (const char          *path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char     *cab_pdf_text_extract_finish (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
