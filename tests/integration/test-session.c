/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CabSession as cabinetctl uses it (manual mode: the caller drives), and
 * core's outbox model over the session's outbox. */
#define G_LOG_DOMAIN "test-session"

#include "config.h"

#include <locale.h>

#include "cab-outbox-model.h"
#include "cab-session.h"
#include "test-outbox-common.h"

#define PRACTICE "Organization/org-cabinet"

/* ---------------------------------------------------------------- helpers */

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
open_session (CabSession  *session,
              GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  cab_session_open_async (session, NULL, async_cb, &result);
  ok = cab_session_open_finish (session, wait_result (&result), error);
  g_object_unref (result);
  return ok;
}

/* Turns the main loop for @ms: time for anything automatic to start. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* ------------------------------------------------------------------ tests */

static void
count_cb (guint *count)
{
  (*count)++;
}

/* Without a server: the store and a queue-only outbox, nothing else. */
static void
test_manual_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-test-session-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  CabConfig config = { .data_dir = data_dir };
  g_autoptr(CabSession) session = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);
  GAsyncResult *first = NULL, *second = NULL;
  guint store_notified = 0, outbox_notified = 0;
  g_autoptr(CabStore) bound_store = NULL;

  g_assert_cmpint (cab_session_get_flags (session), ==, CAB_SESSION_FLAGS_MANUAL);
  g_assert_null (cab_session_get_store (session));
  /* Widgets bind to these: each notifies once, when it appears. */
  g_signal_connect_swapped (session, "notify::store", G_CALLBACK (count_cb), &store_notified);
  g_signal_connect_swapped (session, "notify::outbox", G_CALLBACK (count_cb), &outbox_notified);

  /* Two callers at once share one opening. */
  cab_session_open_async (session, NULL, async_cb, &first);
  cab_session_open_async (session, NULL, async_cb, &second);
  g_assert_true (cab_session_open_finish (session, wait_result (&first), &error));
  g_assert_no_error (error);
  g_assert_true (cab_session_open_finish (session, wait_result (&second), &error));
  g_assert_no_error (error);
  g_clear_object (&first);
  g_clear_object (&second);

  g_assert_nonnull (cab_session_get_store (session));
  g_assert_nonnull (cab_session_get_outbox (session));
  g_assert_cmpuint (store_notified, ==, 1);
  g_assert_cmpuint (outbox_notified, ==, 1);
  g_object_get (session, "store", &bound_store, NULL);
  g_assert_true (bound_store == cab_session_get_store (session));
  g_assert_true (cab_outbox_get_store (cab_session_get_outbox (session)) == cab_session_get_store (session));
  g_assert_null (cab_session_get_client (session));
  g_assert_null (cab_session_get_sync (session));
  g_assert_cmpint (cab_session_get_status (session), ==, CAB_SESSION_STATUS_UNCONFIGURED);
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));

  /* Open already: finishes at once, same parts. */
  g_assert_true (open_session (session, &error));
  g_assert_no_error (error);

  g_assert_false (cab_session_connect (session, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);

  g_clear_object (&session);
  outbox_test_remove_tree (dir);
}

/* The folder cannot be made: G_IO_ERROR, every time it is asked. */
static void
test_manual_open_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-test-session-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "not-a-dir", NULL);
  g_autofree char *data_dir = g_build_filename (file, "data", NULL);
  CabConfig config = { .data_dir = data_dir };
  g_autoptr(CabSession) session = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));

  g_assert_false (open_session (session, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_clear_error (&error);
  g_assert_false (open_session (session, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_assert_null (cab_session_get_store (session));
  g_assert_null (cab_session_get_outbox (session));

  g_clear_object (&session);
  outbox_test_remove_tree (dir);
}

/* Connecting: the client, then the sync and the outbox's client; nothing
 * syncs or drains by itself. Bad settings say which one is wrong. */
static void
test_manual_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-test-session-XXXXXX", &error);
  g_autofree char *missing_ca = g_build_filename (dir, "missing.pem", NULL);
  CabConfig config = { .token = (char *) CAB_TEST_TOKEN, .practice = (char *) PRACTICE, .data_dir = dir };
  g_autoptr(CabSession) session = NULL;
  g_autoptr(CabSession) bad_url = NULL;
  g_autoptr(CabSession) bad_ca = NULL;
  g_autoptr(CabOutbox) outbox = NULL;
  GAsyncResult *result = NULL;
  CabOutboxDrainResult drained = { 0 };

  sandbox = cab_test_sandbox_start (NULL, FALSE, &error);
  g_assert_no_error (error);
  config.server_url = sandbox->base_url;

  /* Client first (as cabinetctl sync does), then the store. */
  session = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);
  g_assert_true (cab_session_connect (session, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cab_session_get_client (session));
  g_assert_null (cab_session_get_sync (session));
  g_assert_true (open_session (session, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cab_session_get_sync (session));
  g_assert_cmpint (cab_session_get_status (session), ==, CAB_SESSION_STATUS_READY);

  spin (300);
  g_assert_cmpuint (cab_session_get_n_syncs (session), ==, 0);
  g_assert_cmpint (cab_session_get_sync_state (session), ==, CAB_SYNC_STATE_IDLE);

  /* The outbox got the client: a drain reaches the server (nothing to send). */
  outbox = g_object_ref (cab_session_get_outbox (session));
  cab_outbox_drain_async (outbox, NULL, async_cb, &result);
  g_assert_true (cab_outbox_drain_finish (outbox, wait_result (&result), &drained, &error));
  g_assert_no_error (error);
  g_assert_false (drained.offline);
  g_clear_object (&result);

  config.server_url = (char *) "not a url";
  bad_url = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);
  g_assert_false (cab_session_connect (bad_url, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  config.server_url = sandbox->base_url;
  config.ca_file = missing_ca;
  bad_ca = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);
  g_assert_false (cab_session_connect (bad_ca, &error));
  g_assert_error (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
  g_assert_null (cab_session_get_client (bad_ca));

  g_clear_object (&outbox);
  g_clear_object (&session);
  outbox_test_remove_tree (dir);
}

static char *
label_for_test (const CabPatient *patient)
{
  return g_strdup_printf ("label:%s", patient->family != NULL ? patient->family : "?");
}

static gboolean
model_has (CabOutboxModel *model,
           guint           n_items,
           CabOutboxState  state)
{
  g_autoptr(CabOutboxItem) first = NULL;

  if (g_list_model_get_n_items (G_LIST_MODEL (model)) != n_items)
    return FALSE;
  if (n_items == 0)
    return TRUE;
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  return cab_outbox_item_get_state (first) == state;
}

static void
wait_model (CabOutboxModel *model,
            guint           n_items,
            CabOutboxState  state)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!model_has (model, n_items, state))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The model follows the outbox: a held publish appears with what the page
 * shows, and goes to the history once cancelled through core. */
static void
test_outbox_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cabinet-test-session-XXXXXX", &error);
  g_autofree char *pdf = NULL;
  CabConfig config = { .token = (char *) CAB_TEST_TOKEN, .practice = (char *) PRACTICE, .data_dir = dir };
  g_autoptr(CabSession) session = NULL;
  g_autoptr(CabOutboxModel) model = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(CabOutboxItem) item = NULL;
  g_autoptr(CabPatientRow) row = NULL;
  g_autofree char *expected_label = NULL;
  CabOutbox *outbox;
  GAsyncResult *result = NULL;
  gint64 id;

  sandbox = cab_test_sandbox_start ((const char * const[]) { "--patients", "2", "--years", "1", NULL },
                                    FALSE, &error);
  g_assert_no_error (error);
  config.server_url = sandbox->base_url;
  pdf = outbox_test_make_pdf (dir);

  session = cab_session_new_full (&config, CAB_SESSION_FLAGS_MANUAL);
  g_assert_true (open_session (session, &error));
  g_assert_no_error (error);
  outbox = cab_session_get_outbox (session);
  patients = outbox_test_import_patients (sandbox, cab_session_get_store (session));
  g_assert_cmpuint (patients->len, >, 0);

  model = cab_outbox_model_new (outbox, label_for_test);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == CAB_TYPE_OUTBOX_ITEM);
  while (cab_outbox_model_get_n_loads (model) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  cab_outbox_publish_document_async (outbox, g_ptr_array_index (patients, 0), pdf, "11488-4",
                                     "Compte rendu", TRUE, NULL, async_cb, &result);
  id = cab_outbox_enqueue_finish (outbox, wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  wait_model (model, 1, CAB_OUTBOX_STATE_HELD);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  row = cab_store_get_patient (cab_session_get_store (session), g_ptr_array_index (patients, 0), NULL);
  expected_label = label_for_test (&row->patient);
  g_assert_cmpint (cab_outbox_item_get_id (item), ==, id);
  g_assert_cmpint (cab_outbox_item_get_kind (item), ==, CAB_OUTBOX_KIND_PUBLISH);
  g_assert_cmpstr (cab_outbox_item_get_title (item), ==, "Publish “Compte rendu”");
  g_assert_cmpstr (cab_outbox_item_get_patient_label (item), ==, expected_label);
  g_assert_cmpstr (cab_outbox_item_get_document_title (item), ==, "Compte rendu");
  g_assert_cmpstr (cab_outbox_item_get_type_code (item), ==, "11488-4");
  g_assert_true (cab_outbox_item_get_can_release (item));
  g_assert_true (cab_outbox_item_get_can_edit (item));
  g_assert_cmpuint (cab_outbox_model_get_count (model, CAB_OUTBOX_STATE_HELD), ==, 1);
  g_assert_cmpuint (cab_outbox_model_get_n_pending (model), ==, 0);

  /* Edited through core, then cancelled through core. */
  cab_outbox_edit_publish_async (outbox, id, "Compte rendu corrigé", NULL, FALSE, NULL, async_cb, &result);
  g_assert_true (cab_outbox_edit_publish_finish (outbox, wait_result (&result), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cab_outbox_act_async (outbox, id, CAB_OUTBOX_ACTION_CANCEL, NULL, async_cb, &result);
  g_assert_true (cab_outbox_act_finish (outbox, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  wait_model (model, 1, CAB_OUTBOX_STATE_CANCELLED);
  g_clear_object (&item);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (cab_outbox_item_get_title (item), ==, "Publish “Compte rendu corrigé”");
  g_assert_false (cab_outbox_item_get_can_cancel (item));

  /* A second cancel is refused by the state, not by a crash. */
  cab_outbox_act_async (outbox, id, CAB_OUTBOX_ACTION_CANCEL, NULL, async_cb, &result);
  g_assert_false (cab_outbox_act_finish (outbox, wait_result (&result), &error));
  g_assert_error (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE);
  g_clear_object (&result);

  g_clear_object (&model);
  g_clear_object (&session);
  outbox_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  /* No G_TEST_OPTION_ISOLATE_DIRS: every test works in its own temporary
   * directory, and the sanitizer build cannot match its allocations to the
   * suppression list with the fast unwinder. */
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/manual/offline", test_manual_offline);
  g_test_add_func ("/session/manual/open-error", test_manual_open_error);
  g_test_add_func ("/session/manual/connect", test_manual_connect);
  g_test_add_func ("/session/outbox-model", test_outbox_model);

  return g_test_run ();
}
