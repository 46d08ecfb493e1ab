/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-prescription-pdf"

#include <glib.h>
#include <glib/gstdio.h>
#include <poppler.h>
#include <string.h>

#include "cab-prescription.h"
#include "cab-prescription-id.h"
#include "cab-prescription-pdf.h"
#include "cab-test-pdf.h"

/* The printed prescription read back by independent tools: pdftotext for
 * the words, pdftoppm + zbarimg for the QR code, poppler for "it opens". */

static const char practitioner_json[] =
  "{\"resourceType\":\"Practitioner\",\"id\":\"pr-1\","
  "\"identifier\":[{\"system\":\"urn:oid:1.2.250.1.71.4.2.1\",\"value\":\"810001234567\"}],"
  "\"name\":[{\"use\":\"official\",\"family\":\"Lefèvre\",\"given\":[\"Claire\"],\"prefix\":[\"Dr\"]}],"
  "\"telecom\":[{\"system\":\"phone\",\"value\":\"04 72 00 00 00\"}],"
  "\"qualification\":[{\"code\":{\"coding\":[{\"code\":\"SM54\",\"display\":\"Médecine générale\"}]}}]}";

static const char organization_json[] =
  "{\"resourceType\":\"Organization\",\"id\":\"org-1\",\"name\":\"Cabinet médical des Tilleuls\","
  "\"telecom\":[{\"system\":\"phone\",\"value\":\"04 72 11 22 33\"}],"
  "\"address\":[{\"line\":[\"12 rue des Tilleuls\"],\"postalCode\":\"69003\",\"city\":\"Lyon\"}]}";

static const char prescription_json[] =
  "{\"date\":\"2026-12-05\",\"weight_kg\":81.5,\"lines\":["
  "{\"cis\":\"60234100\",\"medicine\":{\"dci\":\"metformine 1000 mg, comprimé pelliculé\","
  " \"brand\":\"GLUCOPHAGE\",\"substances\":[\"METFORMINE (CHLORHYDRATE DE)\"]},"
  " \"dosage\":{\"quantity\":1,\"unit\":\"comprimé\",\"moments\":[\"matin\",\"soir\"]},"
  " \"duration\":\"3 mois\",\"renewals\":3,\"ald\":true},"
  "{\"cis\":\"67812345\",\"medicine\":{\"dci\":\"lévothyroxine sodique 75 µg, comprimé sécable\","
  " \"brand\":\"LEVOTHYROX\",\"substances\":[\"LÉVOTHYROXINE SODIQUE\"]},"
  " \"dosage\":{\"quantity\":1,\"unit\":\"comprimé\",\"moments\":[\"matin\"]},"
  " \"duration\":\"3 mois\",\"non_substitutable\":\"MTE\",\"ald\":true},"
  "{\"cis\":\"61234567\",\"medicine\":{\"dci\":\"paracétamol 1 g, comprimé\",\"brand\":\"DOLIPRANE\","
  " \"substances\":[\"PARACÉTAMOL\"]},"
  " \"dosage\":{\"quantity\":1,\"unit\":\"comprimé\",\"times_per_day\":3},"
  " \"duration\":\"5 jours\",\"quantity\":\"1 boîte de 8\",\"ald\":false}]}";

static CabPrescription *
sample_prescription (void)
{
  g_autoptr(GError) error = NULL;
  CabPrescription *rx = cab_prescription_from_json (prescription_json, -1, &error);

  g_assert_no_error (error);
  rx->id = cab_prescription_id_generate ();
  return rx;
}

static void
sample_patient (CabPatient *patient)
{
  patient->family = (char *) "Martin";
  patient->birth_name = (char *) "Roux";
  patient->given = (char *) "Jeanne Marie";
  patient->sex = (char *) "female";
  patient->birth_date = (char *) "1958-03-07";
}

static char *
render_to_file (const CabPrescriptionPrint *print,
                const char                 *dir,
                const char                 *name)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  g_assert_true (cab_prescription_pdf_write (print, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  return path;
}

static void
test_bizone (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-rx-XXXXXX", &error);
  g_autoptr(CabPrescription) rx = sample_prescription ();
  g_autoptr(CabPrescriber) prescriber = cab_prescriber_from_json ("pr-1", practitioner_json,
                                                                  "org-1", organization_json, &error);
  CabPatient patient = { 0 };
  CabPrescriptionPrint print = { rx, prescriber, &patient, TRUE, FALSE };
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *png_root = NULL;
  g_autofree char *png = NULL;
  g_autofree char *id_display = cab_prescription_id_format (rx->id);
  g_autofree char *uri = NULL;
  const char *ald_pos, *other_pos, *metformine_pos, *paracetamol_pos;
  GObject *document;

  g_assert_no_error (error);
  g_assert_cmpstr (prescriber->rpps, ==, "10001234567");
  g_assert_cmpstr (prescriber->display_name, ==, "Dr Claire LEFÈVRE");
  sample_patient (&patient);
  path = render_to_file (&print, dir, "rx.pdf");

  /* It opens in poppler, as Cabinet's viewer does. */
  uri = g_filename_to_uri (path, NULL, NULL);
  document = (GObject *) poppler_document_new_from_file (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (POPPLER_DOCUMENT (document)), ==, 1);
  g_object_unref (document);

  text = cab_test_pdf_text (path, TRUE);
  g_test_message ("%s", text);
  /* Prescriber, patient, date. */
  g_assert_nonnull (strstr (text, "Dr Claire LEFÈVRE"));
  g_assert_nonnull (strstr (text, "Médecine générale"));
  g_assert_nonnull (strstr (text, "10001234567"));
  g_assert_nonnull (strstr (text, "12 rue des Tilleuls"));
  g_assert_nonnull (strstr (text, "04 72 11 22 33"));
  g_assert_nonnull (strstr (text, "Le 5 décembre 2026"));
  g_assert_nonnull (strstr (text, "MARTIN (née ROUX) Jeanne Marie"));
  g_assert_nonnull (strstr (text, "07/03/1958"));
  g_assert_nonnull (strstr (text, "81,5 kg"));
  /* The lines in DCI, with the brand in brackets, each in its zone. */
  ald_pos = strstr (text, "AFFECTION EXONÉRANTE");
  other_pos = strstr (text, "MALADIES INTERCURRENTES");
  metformine_pos = strstr (text, "metformine 1000 mg, comprimé pelliculé (GLUCOPHAGE)");
  paracetamol_pos = strstr (text, "paracétamol 1 g, comprimé (DOLIPRANE)");
  g_assert_nonnull (ald_pos);
  g_assert_nonnull (other_pos);
  g_assert_nonnull (metformine_pos);
  g_assert_nonnull (paracetamol_pos);
  g_assert_true (ald_pos < metformine_pos && metformine_pos < other_pos && other_pos < paracetamol_pos);
  g_assert_nonnull (strstr (text, "1 comprimé matin et soir pendant 3 mois"));
  g_assert_nonnull (strstr (text, "À renouveler 3 fois"));
  g_assert_nonnull (strstr (text, "Non substituable (MTE)"));
  g_assert_nonnull (strstr (text, "Quantité à délivrer : 1 boîte de 8"));
  g_assert_nonnull (strstr (text, id_display));
  g_assert_nonnull (strstr (text, "Signature"));
  g_assert_null (strstr (text, "sera enregistrée"));

  /* The QR code decodes to the identifier. */
  png_root = g_build_filename (dir, "rx", NULL);
  cab_test_assert_pdf_qr (path, png_root, rx->id);
  png = g_strconcat (png_root, ".png", NULL);

  if (g_getenv ("CABINET_SCREENSHOT_DIR") != NULL)
    {
      g_autofree char *keep = g_build_filename (g_getenv ("CABINET_SCREENSHOT_DIR"), "prescription-bizone.png", NULL);
      g_autofree char *contents = NULL;
      gsize len;

      g_mkdir_with_parents (g_getenv ("CABINET_SCREENSHOT_DIR"), 0700);
      g_assert_true (g_file_get_contents (png, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (keep, contents, len, NULL));
    }
  g_unlink (png);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_single_zone_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-rx-XXXXXX", &error);
  g_autoptr(CabPrescription) rx = sample_prescription ();
  g_autoptr(CabPrescriber) prescriber = cab_prescriber_from_json ("pr-1", practitioner_json, NULL, NULL, &error);
  CabPatient patient = { 0 };
  CabPrescriptionPrint print = { rx, prescriber, &patient, FALSE, TRUE };
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < rx->lines->len; i++)
    ((CabPrescriptionLine *) g_ptr_array_index (rx->lines, i))->ald = FALSE;
  sample_patient (&patient);
  patient.birth_name = NULL;
  path = render_to_file (&print, dir, "rx.pdf");
  text = cab_test_pdf_text (path, FALSE);
  g_assert_null (strstr (text, "AFFECTION EXONÉRANTE"));
  g_assert_null (strstr (text, "MALADIES INTERCURRENTES"));
  g_assert_nonnull (strstr (text, "lévothyroxine sodique 75 µg"));
  /* Offline: it says it will be registered. */
  g_assert_nonnull (strstr (text, "sera enregistrée"));
  /* The practitioner's phone when the practice is unknown. */
  g_assert_nonnull (strstr (text, "04 72 00 00 00"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_many_lines_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPrescription) rx = sample_prescription ();
  g_autoptr(CabPrescriber) prescriber = cab_prescriber_from_json ("pr-1", practitioner_json, NULL, NULL, &error);
  CabPatient patient = { 0 };
  CabPrescriptionPrint print = { rx, prescriber, &patient, FALSE, FALSE };
  g_autoptr(GBytes) bytes = NULL;
  GObject *document;

  sample_patient (&patient);
  while (rx->lines->len < CAB_PRESCRIPTION_MAX_LINES)
    {
      CabPrescriptionLine *copy = g_new0 (CabPrescriptionLine, 1);
      const CabPrescriptionLine *first = g_ptr_array_index (rx->lines, 0);

      cab_medicine_copy (&first->medicine, &copy->medicine);
      cab_dosage_copy (&first->dosage, &copy->dosage);
      g_ptr_array_add (rx->lines, copy);
    }
  bytes = cab_prescription_pdf_render (&print, &error);
  g_assert_no_error (error);
  document = (GObject *) poppler_document_new_from_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (poppler_document_get_n_pages (POPPLER_DOCUMENT (document)), >, 1);
  g_object_unref (document);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prescription-pdf/bizone", test_bizone);
  g_test_add_func ("/prescription-pdf/single-zone-offline", test_single_zone_offline);
  g_test_add_func ("/prescription-pdf/many-lines-pages", test_many_lines_pages);
  return g_test_run ();
}
