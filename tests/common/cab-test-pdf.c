/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cab-test-pdf.h"

char *
cab_test_run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

char *
cab_test_pdf_text (const char *pdf,
                   gboolean    layout)
{
  if (layout)
    return cab_test_run_tool ((const char *[]) { "pdftotext", "-layout", pdf, "-", NULL });
  return cab_test_run_tool ((const char *[]) { "pdftotext", pdf, "-", NULL });
}

void
cab_test_assert_pdf_qr (const char *pdf,
                        const char *png_root,
                        const char *expected)
{
  g_autofree char *png = g_strconcat (png_root, ".png", NULL);
  g_autofree char *qr = NULL;
  g_autofree char *want = g_strconcat ("QR-Code:", expected, "\n", NULL);

  g_free (cab_test_run_tool ((const char *[]) { "pdftoppm", "-r", "150", "-png", "-singlefile", pdf, png_root, NULL }));
  qr = cab_test_run_tool ((const char *[]) { "zbarimg", "--quiet", png, NULL });
  g_assert_cmpstr (qr, ==, want);
}
