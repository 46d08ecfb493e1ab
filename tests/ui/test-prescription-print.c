/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The printed prescription in Cabinet's PDF viewer: it opens, its first page
 * is drawn (screenshot), and the viewer's print path gives back a PDF whose
 * text has the DCI lines and whose QR code still decodes to the identifier. */
#define G_LOG_DOMAIN "test-prescription-print"

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cab-test-pdf.h"
#include "cab-test-ui.h"

#include "cab-prescription.h"
#include "cab-prescription-id.h"
#include "cab-prescription-pdf.h"
#include "viewer/cab-pdf-print.h"
#include "viewer/cab-pdf-private.h"
#include "viewer/cab-pdf-viewer.h"

static const char practitioner_json[] =
  "{\"resourceType\":\"Practitioner\",\"id\":\"gp-1\","
  "\"identifier\":[{\"system\":\"https://rpps.esante.gouv.fr\",\"value\":\"10001234567\"}],"
  "\"name\":[{\"use\":\"official\",\"family\":\"Morvan\",\"given\":[\"Anaïs\"],\"prefix\":[\"Dr\"]}],"
  "\"qualification\":[{\"code\":{\"coding\":[{\"code\":\"SM54\",\"display\":\"Médecine générale\"}]}}]}";

static const char organization_json[] =
  "{\"resourceType\":\"Organization\",\"id\":\"org-practice\",\"name\":\"Cabinet médical des Tilleuls\","
  "\"telecom\":[{\"system\":\"phone\",\"value\":\"02 40 49 12 34\"}],"
  "\"address\":[{\"line\":[\"14 allée des Tilleuls\"],\"postalCode\":\"44300\",\"city\":\"Nantes\"}]}";

static const char prescription_json[] =
  "{\"date\":\"2026-12-05\",\"lines\":["
  "{\"cis\":\"61052830\",\"medicine\":{\"dci\":\"metformine 1000 mg, comprimé pelliculé sécable\","
  " \"brand\":\"GLUCOPHAGE\"}, \"dosage\":{\"quantity\":1,\"unit\":\"comprimé\",\"moments\":[\"matin\",\"soir\"]},"
  " \"duration\":\"3 mois\",\"renewals\":3,\"ald\":true},"
  "{\"cis\":\"69309629\",\"medicine\":{\"dci\":\"paracétamol 1000 mg, gélule\",\"brand\":\"DOLIPRANE\"},"
  " \"dosage\":\"1 gélule jusqu'à 3 fois par jour si douleur\",\"duration\":\"5 jours\",\"ald\":false}]}";

static char *data_dir;

typedef gboolean (*Condition) (gpointer data);

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return condition (data);
}

static gboolean
state_is_final (gpointer data)
{
  CabPdfViewerState state = cab_pdf_viewer_get_state (data);

  return state != CAB_PDF_VIEWER_LOADING && state != CAB_PDF_VIEWER_EMPTY;
}

static gboolean
first_page_ready (gpointer data)
{
  CabPdfView *view = cab_pdf_viewer_get_view (data);
  CabPdfRenderer *renderer = cab_pdf_view_get_renderer (view);
  double scale;

  return renderer != NULL &&
         cab_pdf_renderer_lookup (renderer, 0, &scale) != NULL &&
         G_APPROX_VALUE (scale, cab_pdf_view_get_scale (view) *
                         gtk_widget_get_scale_factor (GTK_WIDGET (view)), 1e-6);
}

typedef struct
{
  GError   *error;
  gboolean  done;
} PrintState;

static void
print_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PrintState *state = user_data;

  cab_pdf_print_finish (result, &state->error);
  state->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((PrintState *) data)->done;
}

static void
test_open_and_print (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPrescription) rx = cab_prescription_from_json (prescription_json, -1, &error);
  g_autoptr(CabPrescriber) prescriber = cab_prescriber_from_json ("gp-1", practitioner_json, "org-practice",
                                                                  organization_json, &error);
  CabPatient patient = { .family = (char *) "Dufour", .given = (char *) "Côme", .sex = (char *) "male",
                         .birth_date = (char *) "1976-10-28" };
  CabPrescriptionPrint print = { NULL, NULL, &patient, TRUE, FALSE };
  g_autofree char *path = g_build_filename (data_dir, "ordonnance.pdf", NULL);
  g_autofree char *printed = g_build_filename (data_dir, "printed.pdf", NULL);
  g_autofree char *png_root = g_build_filename (data_dir, "printed", NULL);
  g_autofree char *shot = cab_test_ui_screenshot_path ("prescription-viewer");
  g_autofree char *text = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  PrintState state = { NULL, FALSE };
  GtkWindow *window;
  CabPdfViewer *viewer;

  g_assert_no_error (error);
  rx->id = cab_prescription_id_generate ();
  print.rx = rx;
  print.prescriber = prescriber;
  g_assert_true (cab_prescription_pdf_write (&print, path, &error));
  g_assert_no_error (error);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 820, 1000);
  viewer = cab_pdf_viewer_new ();
  gtk_window_set_child (window, GTK_WIDGET (viewer));
  gtk_window_present (window);
  file = g_file_new_for_path (path);
  cab_pdf_viewer_load_file (viewer, file);
  g_assert_true (wait_until (state_is_final, viewer, 20000));
  g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_DOCUMENT);
  g_assert_cmpuint (cab_pdf_viewer_get_n_pages (viewer), ==, 1);
  g_assert_true (wait_until (first_page_ready, viewer, 20000));

  texture = cab_test_ui_render (GTK_WIDGET (window));
  g_assert_true (gdk_texture_save_to_png (texture, shot));
  g_test_message ("screenshot: %s", shot);

  /* The viewer's print path (exported, no dialog) keeps text and QR code. */
  cab_pdf_print_async (cab_pdf_viewer_get_document (viewer), window, "ordonnance", printed,
                       print_done_cb, &state);
  g_assert_true (wait_until (is_done, &state, 30000));
  g_assert_no_error (state.error);
  text = cab_test_pdf_text (printed, FALSE);
  g_assert_nonnull (strstr (text, "metformine 1000 mg, comprimé pelliculé sécable (GLUCOPHAGE)"));
  g_assert_nonnull (strstr (text, "AFFECTION EXONÉRANTE"));
  cab_test_assert_pdf_qr (printed, png_root, rx->id);

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_ui_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  data_dir = g_dir_make_tmp ("cab-prescription-print-XXXXXX", NULL);
  g_assert_nonnull (data_dir);
  g_test_add_func ("/prescription-print/open-and-print", test_open_and_print);
  ret = g_test_run ();
  cab_test_ui_remove_tree (data_dir);
  g_free (data_dir);
  return ret;
}
