/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cab-drug-import.h"
#include "cab-store-outbox.h"
#include "cab-test-prescribing.h"
#include "cab-test-ui.h"

void
cab_test_prescribing_import_drugs (CabStore *store)
{
  const char *drug_data = g_getenv ("CABINET_DRUG_DATA") != NULL ? g_getenv ("CABINET_DRUG_DATA")
                                                                  : CAB_DRUG_DATA_DEFAULT;
  g_autofree char *bdpm = g_build_filename (drug_data, "bdpm-2022-06", NULL);
  g_autofree char *thesaurus = g_build_filename (drug_data, "ansm-interactions-2016-08", NULL);
  g_autoptr(CabDrugImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = cab_drug_import_bdpm (store, bdpm, &error);
  g_assert_no_error (error);
  g_clear_pointer (&report, cab_drug_import_report_free);
  report = cab_drug_import_thesaurus (store, thesaurus, &error);
  g_assert_no_error (error);
}

typedef struct
{
  CabPrescriptionEditor *editor;
  const char            *text;
} SearchWait;

static gboolean
search_landed (gpointer data)
{
  SearchWait *wait = data;

  return g_strcmp0 (cab_drug_results_get_answered_text (cab_prescription_editor_get_results (wait->editor)),
                    wait->text) == 0;
}

void
cab_test_prescribing_wait_search (CabPrescriptionEditor *editor,
                                  const char            *text,
                                  const char            *what)
{
  SearchWait wait = { editor, text };

  cab_test_ui_wait_for (search_landed, &wait, what);
}

typedef struct
{
  CabPrescriptionEditor *editor;
  guint                  n;
} PrintWait;

static gboolean
printed (gpointer data)
{
  PrintWait *wait = data;

  return cab_prescription_editor_get_n_printed (wait->editor) >= wait->n;
}

void
cab_test_prescribing_wait_printed (CabPrescriptionEditor *editor,
                                   guint                  n,
                                   const char            *what)
{
  PrintWait wait = { editor, n };

  cab_test_ui_wait_for (printed, &wait, what);
}

guint
cab_test_prescribing_count_registrations (CabSession *session,
                                          const char *patient_id,
                                          guint      *n_done)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cab_store_outbox_list (cab_session_get_store (session), -1, 0, &error);
  guint n = 0, done = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      const CabOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->kind, "eprescription") && g_strcmp0 (entry->patient_id, patient_id) == 0)
        {
          n++;
          done += entry->state == CAB_OUTBOX_STATE_DONE;
        }
    }
  if (n_done != NULL)
    *n_done = done;
  return n;
}
