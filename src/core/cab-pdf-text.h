/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The text of every page of the PDF at @path, pages separated by a form feed,
 * for the full-text index. Blocking: call from a worker thread. */
char     *cab_pdf_text_extract        (const char          *path,
                                       GCancellable        *cancellable,
                                       GError             **error);

/* The text of the PDF in @pdf (an attachment held in memory), at most
 * @max_pages pages and @max_chars bytes of text (*@truncated says whether
 * either cap cut it). NULL with @error for a PDF poppler cannot open: a
 * broken attachment is reported, never fatal to its message. Blocking. */
char     *cab_pdf_text_extract_bytes  (GBytes              *pdf,
                                       guint                max_pages,
                                       gsize                max_chars,
                                       gboolean            *truncated,
                                       GError             **error);

/* The same on a worker thread. */
void      cab_pdf_text_extract_async  (const char          *path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
char     *cab_pdf_text_extract_finish (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
