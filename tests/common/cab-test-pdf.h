/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the tests of a printed prescription share: the PDF read back with
 * poppler's and zbar's command-line tools, as a pharmacist's scanner would. */

/* Runs @argv (searched in PATH) and returns its standard output; fails the
 * test when it cannot start or exits non-zero. */
char *cab_test_run_tool      (const char * const *argv);

/* The text of @pdf (pdftotext; @layout keeps the columns apart). */
char *cab_test_pdf_text      (const char         *pdf,
                              gboolean            layout);

/* Renders @pdf's first page to "@png_root.png" (150 dpi) and fails the test
 * unless the one QR code zbarimg decodes there reads @expected. */
void  cab_test_assert_pdf_qr (const char         *pdf,
                              const char         *png_root,
                              const char         *expected);

G_END_DECLS
