/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 10's "Done when", walked through the app as the demo runs it: the
 * synthetic practice of cabinet-sandbox (its national health directory
 * too), and real Postfix and Dovecot (tests/mail/mail-fixture) with
 * alice's MSSanté account. A patient with a qualified identity is opened
 * from the search, a lab report read on the timeline and sent with
 * "Envoyer…"; the recipient is found by typing a correspondent's name and
 * picking the directory's completion. The submission server is cut before
 * Send: the Outbox page shows the message waiting with the reason. The
 * server returns (GNetworkMonitor says the network is back) and the outbox
 * sends it; the correspondent's mailbox holds it once, the PDF byte for
 * byte and the IHE_XDM.zip naming the patient's INS. A restart and a
 * second drain (cabinetctl, another process) send nothing more.
 * Screenshots at each step in the test's language. Skips without the mail
 * fixture (root, Dovecot, Postfix). */
#define G_LOG_DOMAIN "test-compose-walk"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cab-application.h"
#include "cab-mime.h"
#include "cab-store-private.h"
#include "cab-test-mail.h"
#include "cab-test-sandbox.h"
#include "cab-test-ui.h"
#include "cab-window-private.h"
#include "cab-xdm.h"
#include "compose/cab-composer-private.h"
#include "desk-fixtures.h"
#include "desk/cab-desk.h"
#include "desk/cab-document-pane.h"
#include "desk/cab-patient-page.h"
#include "outbox/cab-outbox-page.h"
#include "patients/cab-patient-header.h"
#include "timeline/cab-timeline-view.h"
#include "viewer/cab-pdf-viewer.h"

#define PRACTICE   "Organization/org-practice"
#define ALICE      "alice@cabinet.test"
#define LAB_REPORT "11502-2"   /* Compte rendu d'examens biologiques */
/* A correspondent of the sandbox's directory (Saint-Nazaire's chest
 * physician), typed as a doctor would, and the mailbox the fixture gives
 * her address (Dovecot finds users by local part). */
#define TYPED      "riou"
#define RIOU       "berenice.riou@ch-saintnazaire.mssante.fr"
#define RIOU_BOX   "berenice.riou"

static CabApplication *app;
static CabTestMail *mail;

/* ------------------------------------------------------------ helpers */

typedef struct
{
  char *id;
  char *query;        /* what the doctor types: no accents */
  char *ins;
  char *document_id;  /* the newest lab report */
} Chosen;

/* A patient with a qualified INS and a lab report on the timeline (tests
 * may read the store from the main thread). */
static gboolean
choose_patient (CabStore *store,
                Chosen   *chosen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_store_search_patients (store, NULL, 0, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      CabPatientRow *row = g_ptr_array_index (rows, i);
      CabTimelineFilter filter = { .type_code = LAB_REPORT };
      g_autoptr(GPtrArray) labs = NULL;

      if (g_strcmp0 (row->patient.identity_status, "QUAL") != 0 || row->patient.ins == NULL ||
          row->patient.birth_date == NULL || strlen (row->patient.birth_date) != 10 ||
          row->patient.given == NULL)
        continue;
      labs = cab_store_list_timeline (store, row->id, &filter, &error);
      g_assert_no_error (error);
      if (labs->len == 0 || ((CabDocumentRow *) labs->pdata[0])->document.url == NULL)
        continue;

      chosen->query = cab_test_ui_search_text (&row->patient);
      chosen->id = g_strdup (row->id);
      chosen->ins = g_strdup (row->patient.ins);
      chosen->document_id = g_strdup (((CabDocumentRow *) labs->pdata[0])->id);
      return TRUE;
    }
  return FALSE;
}

/* The lab report opened as a click would: it shows, so it is on this
 * computer (what a message attaches). */
static void
read_document (CabPatientPage *page,
               const char     *document_id)
{
  CabTimelineView *timeline = cab_patient_page_get_timeline (page);
  GListModel *model = cab_timeline_view_get_model (timeline);
  CabDocumentPane *pane = cab_patient_page_get_document_pane (page);
  guint position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < g_list_model_get_n_items (model) && position == GTK_INVALID_LIST_POSITION; i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item) && g_strcmp0 (cab_timeline_item_get_id (item), document_id) == 0)
        position = i;
    }
  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  g_signal_emit_by_name (cab_timeline_view_get_list_view (timeline), "activate", position);
  g_assert_cmpint (cab_test_ui_wait_document (pane, "the lab report to show"), ==, CAB_PDF_VIEWER_DOCUMENT);
}

static gboolean
composer_ready (gpointer data)
{
  CabComposer *composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);

  if (composer == NULL || !cab_composer_is_ready (composer) || cab_composer_get_n_attachments (composer) == 0)
    return FALSE;
  for (guint i = 0; i < cab_composer_get_n_attachments (composer); i++)
    {
      g_autofree char *text = cab_composer_dup_attachment_text (composer, i);

      if (g_str_has_suffix (text, "…"))
        return FALSE;
    }
  return TRUE;
}

static gboolean
suggests_riou (gpointer data)
{
  g_auto(GStrv) shown = cab_recipient_entry_dup_suggestions (data);

  return shown != NULL && g_strv_contains ((const char * const *) shown, RIOU);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gint64
count (CabStore *store, const char *sql, gint64 arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, arg);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
message_id_of (CabStore *store, gint64 entry_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, "SELECT message_id FROM mail_sent WHERE entry_id = ?", &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, entry_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

typedef struct
{
  CabStore   *store;
  gint64      entry_id;
  const char *state;
} EntryWait;

/* The entry is in @state, with a reason when pending (an attempt made). */
static gboolean
entry_in_state (gpointer data)
{
  EntryWait *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (w->store, w->entry_id, &error);

  g_assert_no_error (error);
  if (g_str_equal (w->state, "pending"))
    return entry->state == CAB_OUTBOX_STATE_PENDING && entry->last_error != NULL;
  return entry->state == CAB_OUTBOX_STATE_DONE;
}

/* The correspondent's INBOX: the raw messages whose Message-ID is @id. */
static GPtrArray *
copies_in_mailbox (const char *id)
{
  g_autoptr(GPtrArray) all = cab_test_mail_fetch_all (mail, RIOU_BOX, "secret", NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < all->len; i++)
    {
      g_autoptr(CabMimeMessage) m = cab_mime_parse (all->pdata[i], NULL);

      if (m != NULL && g_strcmp0 (m->message_id, id) == 0)
        g_ptr_array_add (found, g_bytes_ref (all->pdata[i]));
    }
  return found;
}

static gboolean
delivered (gpointer data)
{
  static gint64 next = 0;
  g_autoptr(GPtrArray) copies = NULL;

  /* Ask Dovecot a few times a second, not at every main loop turn. */
  if (g_get_monotonic_time () < next)
    return FALSE;
  next = g_get_monotonic_time () + 200 * 1000;
  copies = copies_in_mailbox (data);
  return copies->len > 0;
}

/* cabinetctl (another process: the app restarted) drains the outbox with
 * the same account; its JSON answer. */
static JsonObject *
drain_again (const char *data_dir,
             const char *smtp_url,
             const char *imap_url)
{
  const char *argv[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "--ca", mail->ca_file,
                         "outbox", "drain", "--json", "--smtp", smtp_url, "--imap", imap_url,
                         "--mail-user", ALICE, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("cabinetctl outbox drain failed: %s", err);
  g_test_message ("second drain: %s", out);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* --------------------------------------------------------------- test */

static void
test_done_when (void)
{
  const char * const extra[] = { "--patients", "24", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *data_dir = NULL, *directory_url = NULL, *smtp_url = NULL, *imap_url = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *document_bytes = NULL;
  gsize document_length = 0;
  g_autoptr(CabDocumentRow) document = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  g_autoptr(CabMimeMessage) received = NULL;
  g_autoptr(JsonObject) again = NULL;
  CabConfig config = { 0 };
  CabTestSyncWatch watch = { 0 };
  Chosen chosen = { 0 };
  CabWindow *window;
  CabSession *session;
  CabStore *store;
  CabPatientPage *page;
  CabComposer *composer;
  CabRecipientEntry *recipients;
  CabOutboxPage *outbox_page;
  g_autofree char *picked = NULL;
  gint64 entry_id;

  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  g_assert_true (cab_test_mail_add_user (mail, RIOU_BOX, &error));
  g_assert_no_error (error);

  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  directory_url = g_strdup_printf ("%.*s/annuaire/fhir",
                                   (int) (strlen (sandbox->base_url) - strlen ("/fhir")), sandbox->base_url);
  data_dir = g_dir_make_tmp ("cabinet-test-compose-walk-XXXXXX", &error);
  g_assert_no_error (error);

  /* The app as build-aux/demo starts it. */
  g_settings_set_int (settings, "window-width", 1400);
  g_settings_set_int (settings, "window-height", 900);
  g_settings_set_strv (settings, "recent-patients", NULL);
  smtp_url = g_strdup_printf ("smtps://127.0.0.1:%u", mail->smtps_port);
  imap_url = cab_test_mail_url (mail, TRUE, NULL);
  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  config.imap_url = imap_url;
  config.smtp_url = smtp_url;
  config.mail_user = (char *) ALICE;
  config.ca_file = mail->ca_file;
  config.directory_url = directory_url;
  config.directory_key = (char *) "sandbox-annuaire";
  g_setenv ("CABINET_MAIL_PASSWORD", "secret", TRUE);
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  session = cab_window_get_session (window);
  cab_test_ui_watch_session (&watch, session);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));
  cab_test_ui_wait_for_syncs (&watch, 1);
  g_assert_true (watch.last_success);
  store = cab_session_get_store (session);
  g_assert_true (choose_patient (store, &chosen));

  /* The patient from the search; the lab report read on the timeline. */
  cab_test_ui_open_by_search (cab_window_get_desk (window), chosen.query, chosen.id);
  page = cab_desk_get_patient_page (cab_window_get_desk (window));
  read_document (page, chosen.document_id);
  cab_test_ui_settle (300);
  cab_test_ui_screenshot (window, "compose-walk-patient");

  /* "Envoyer…" on the report read: the composer, the report attached. */
  {
    GtkWidget *send = cab_test_ui_find_button (GTK_WIDGET (cab_patient_page_get_document_pane (page)), _("_Send…"));

    g_assert_nonnull (send);
    g_signal_emit_by_name (send, "clicked");
  }
  cab_test_ui_wait_for (composer_ready, NULL, "the composer with the report");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  gtk_window_set_default_size (GTK_WINDOW (composer), 780, 760);
  {
    g_auto(GStrv) documents = cab_composer_dup_document_ids (composer);

    g_assert_cmpstrv (documents, ((const char *[]) { chosen.document_id, NULL }));
  }

  /* The correspondent by name: the directory's completion, picked. */
  recipients = cab_composer_get_recipients (composer);
  gtk_widget_grab_focus (GTK_WIDGET (cab_recipient_entry_get_text_field (recipients)));
  gtk_editable_set_text (cab_recipient_entry_get_text_field (recipients), TYPED);
  cab_test_ui_wait_for (suggests_riou, recipients, "the directory's completion");
  cab_test_ui_screenshot_with_popover (GTK_WIDGET (composer),
                                       desk_find_child_of_type (GTK_WIDGET (recipients), GTK_TYPE_POPOVER),
                                       "compose-walk-completion");
  {
    g_auto(GStrv) shown = cab_recipient_entry_dup_suggestions (recipients);
    guint index = 0;

    while (g_strcmp0 (shown[index], RIOU) != 0)
      index++;
    g_assert_true (cab_recipient_entry_choose_suggestion (recipients, index));
  }
  {
    g_auto(GStrv) to = cab_recipient_entry_dup_addresses (recipients);
    g_auto(GStrv) names = cab_recipient_entry_dup_names (recipients);

    g_assert_cmpstrv (to, ((const char *[]) { RIOU, NULL }));
    /* The directory's name for her, kept with the address. */
    g_assert_nonnull (strstr (names[0], "Bérénice"));
    picked = g_strdup (names[0]);
  }
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Bilan biologique de votre patient");
  gtk_text_buffer_set_text (cab_composer_get_body (composer),
                            "Chère consœur,\nJe vous adresse le bilan biologique de notre patient commun.\n", -1);
  cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "compose-walk-written", 300);

  /* The network is cut: the submission server is unreachable. Send queues
   * the message; the composer closes. */
  g_assert_true (cab_test_mail_set_smtp (mail, FALSE, &error));
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  entry_id = cab_composer_get_entry_id (composer);
  cab_test_ui_wait_for (is_null, &composer, "the composer to close");
  if (entry_id == 0)
    entry_id = count (store, "SELECT max (entry_id) FROM mail_sent WHERE ?1 IS NOT NULL", 0);
  g_assert_cmpint (entry_id, >, 0);
  message_id = message_id_of (store, entry_id);
  g_test_message ("queued entry %" G_GINT64_FORMAT ", Message-ID <%s>", entry_id, message_id);
  g_assert_nonnull (cab_window_get_last_toast (window));
  g_test_message ("toast: %s", cab_window_get_last_toast (window));

  /* Waiting, with the reason, on the Outbox page. */
  {
    EntryWait w = { store, entry_id, "pending" };

    cab_test_ui_wait_for (entry_in_state, &w, "an attempt that found the server away");
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "outbox");
    outbox_page = cab_window_get_outbox_page (window);
    cab_test_ui_wait_outbox_shown (outbox_page, CAB_OUTBOX_STATE_PENDING, 1, "the message waiting on the Outbox page");
  }
  {
    g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (store, entry_id, &error);

    g_autofree char *subtitle = NULL;
    g_autofree char *title = cab_outbox_page_dup_entry_text (outbox_page, entry_id, &subtitle);

    g_test_message ("waiting: %s", entry->last_error);
    /* Shown by the name picked in the composer, the address under it. */
    g_assert_nonnull (title);
    g_assert_nonnull (strstr (title, picked));
    g_assert_null (strstr (title, RIOU));
    g_assert_nonnull (strstr (subtitle, RIOU));
    /* In the user's words and language, not libcurl's. */
    g_assert_cmpstr (entry->last_error, ==,
                     _("Cannot reach the mail server: the connection was refused or the network is down"));
    g_assert_cmpint (count (store, "SELECT data_started FROM mail_sent WHERE entry_id = ?", entry_id), ==, 0);
  }
  cab_test_ui_settle (300);
  cab_test_ui_screenshot (window, "compose-walk-outbox-waiting");

  /* The network returns: the outbox sends it at once. */
  g_assert_true (cab_test_mail_set_smtp (mail, TRUE, &error));
  g_assert_no_error (error);
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
  {
    EntryWait w = { store, entry_id, "done" };

    cab_test_ui_wait_for (entry_in_state, &w, "the message sent");
  }
  cab_test_ui_wait_for (delivered, message_id, "the message in the correspondent's mailbox");
  cab_test_ui_wait_outbox_shown (outbox_page, CAB_OUTBOX_STATE_DONE, 1, "the message sent on the Outbox page");
  cab_test_ui_settle (300);
  cab_test_ui_screenshot (window, "compose-walk-outbox-sent");

  /* Once, the report byte for byte, the XDM naming the patient's INS. */
  copies = copies_in_mailbox (message_id);
  g_assert_cmpuint (copies->len, ==, 1);
  {
    /* To names her as picked, in encoded words (7-bit headers). */
    gsize size;
    const char *data = g_bytes_get_data (copies->pdata[0], &size);
    g_autofree char *text = g_strndup (data, size);
    const char *to_line = strstr (text, "\r\nTo: ");
    g_autofree char *line = NULL;
    const char *end;

    g_assert_nonnull (to_line);
    /* The header unfolded (a long one continues on lines starting with a space). */
    for (end = to_line + 2; *end != '\0' && !(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' && end[2] != '\t'); end++);
    line = g_strndup (to_line + 2, end - (to_line + 2));
    g_test_message ("%s", line);
    g_assert_nonnull (strstr (line, "=?"));
    g_assert_nonnull (strstr (line, "<" RIOU ">"));
  }
  received = cab_mime_parse (copies->pdata[0], &error);
  g_assert_no_error (error);
  document = cab_store_get_document (store, chosen.document_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document->local_path);
  g_assert_true (g_file_get_contents (document->local_path, &document_bytes, &document_length, &error));
  {
    guint n_pdf = 0, n_xdm = 0;

    for (guint i = 0; i < received->attachments->len; i++)
      {
        CabMimeAttachment *a = received->attachments->pdata[i];

        if (g_strcmp0 (a->filename, "IHE_XDM.zip") == 0)
          {
            g_autoptr(CabXdm) xdm = cab_xdm_read (a->content, NULL, &error);
            CabXdmDocument *doc;

            g_assert_no_error (error);
            g_assert_cmpuint (xdm->documents->len, ==, 1);
            doc = xdm->documents->pdata[0];
            g_test_message ("XDM patient: %s (%s), submission %s", doc->ins, doc->ins_oid, xdm->submission_ins);
            g_assert_cmpstr (doc->ins, ==, chosen.ins);
            g_assert_nonnull (xdm->submission_ins);
            g_assert_nonnull (strstr (xdm->submission_ins, chosen.ins));
            g_assert_true (doc->hash_ok);
            g_assert_cmpstr (doc->type_code, ==, LAB_REPORT);
            g_assert_true (g_bytes_get_size (doc->content) == document_length &&
                           memcmp (g_bytes_get_data (doc->content, NULL), document_bytes, document_length) == 0);
            n_xdm++;
          }
        else if (g_strcmp0 (a->content_type, "application/pdf") == 0)
          {
            /* Named for the recipient, not "DOC0001.PDF". */
            g_test_message ("PDF attached as \"%s\"", a->filename);
            g_assert_true (g_str_has_prefix (a->filename, document->document.title));
            g_assert_true (g_str_has_suffix (a->filename, ".pdf"));
            g_assert_cmpuint (g_bytes_get_size (a->content), ==, document_length);
            g_assert_true (memcmp (g_bytes_get_data (a->content, NULL), document_bytes, document_length) == 0);
            n_pdf++;
          }
      }
    g_assert_cmpuint (n_pdf, ==, 1);
    g_assert_cmpuint (n_xdm, ==, 1);
  }

  /* Restarted, drained again: nothing is sent a second time. */
  cab_test_ui_unwatch_session (&watch);
  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  again = drain_again (data_dir, smtp_url, imap_url);
  g_assert_cmpint (json_object_get_int_member (again, "sent"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (again, "attempts"), ==, 0);
  g_clear_pointer (&copies, g_ptr_array_unref);
  copies = copies_in_mailbox (message_id);
  g_assert_cmpuint (copies->len, ==, 1);

  cab_test_ui_remove_tree (data_dir);
  g_free (chosen.id);
  g_free (chosen.query);
  g_free (chosen.ins);
  g_free (chosen.document_id);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  cab_test_ui_init (&argc, &argv);
  app = cab_test_ui_new_application ();
  mail = cab_test_mail_start (FALSE, &error);

  g_test_add_func ("/compose-walk/done-when", test_done_when);
  ret = g_test_run ();

  cab_test_ui_stop_mail_watcher (app);
  g_clear_pointer (&mail, cab_test_mail_free);
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
