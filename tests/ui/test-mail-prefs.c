/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-prefs"

/* Preferences → Mail against the real Dovecot and Postfix of tests/common
 * (cab-test-mail.h): the Inbox's "no mailbox" page opens it, "Check"
 * connects and logs in on a worker (IMAP, and SMTP up to AUTH and QUIT,
 * each on its row), "Save" puts the password in the keyring (an in-process
 * one here: the tests run without a secret service) bound to user@host,
 * and the running app follows the new account without a restart, the desk's
 * doctor included; a wrong password, another host without its password and
 * an untrusted certificate each say what to do. Removing the account keeps
 * queued mail queued with the reason, sent once an account is back. A
 * second activation of the app releases the first window's session. */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cab-application.h"
#include "cab-fhir-resource.h"
#include "cab-mail-account.h"
#include "cab-mail-queue-async.h"
#include "cab-mail-watcher.h"
#include "cab-store-outbox.h"
#include "cab-test-mail.h"
#include "cab-test-ui.h"
#include "cab-window-private.h"
#include "inbox/cab-inbox-page.h"
#include "preferences/cab-preferences-window.h"

static CabApplication *app;
static CabTestMail *mail;
/* The session of the window before, gone once a second activation released it. */
static CabSession *previous_session;

#define ALICE "alice@cabinet.test"

static const char practitioner_json[] =
  "{\"resourceType\": \"Practitioner\", \"id\": \"gp-1\","
  " \"meta\": {\"versionId\": \"1\", \"lastUpdated\": \"2020-01-01T00:00:00Z\"},"
  " \"name\": [{\"use\": \"official\", \"family\": \"Leroy\", \"given\": [\"Anne\"], \"prefix\": [\"Dr\"]}]}";

static gboolean
store_open (gpointer data)
{
  return cab_session_get_store (data) != NULL;
}

static gboolean
inbox_in_state (gpointer data)
{
  const char *const *want = data;

  return g_strcmp0 (cab_inbox_page_get_state (cab_window_get_inbox_page (cab_application_get_window (app))),
                    want[0]) == 0;
}

static gboolean
inbox_has_mailbox (gpointer data)
{
  CabInboxPage *page = cab_window_get_inbox_page (cab_application_get_window (app));
  g_autofree char *account = NULL;

  g_object_get (page, "mail-account", &account, NULL);
  return account != NULL && g_strcmp0 (cab_inbox_page_get_state (page), "no-account") != 0;
}

static gboolean
page_idle (gpointer data)
{
  return !cab_prefs_mail_page_get_busy (data);
}

static gboolean
watcher_idle (gpointer data)
{
  CabMailWatcher *watcher = cab_application_get_mail_watcher (app);

  return watcher != NULL && cab_mail_watcher_get_state (watcher) == CAB_MAIL_WATCHER_IDLE;
}

static gboolean
practitioners_loaded (gpointer data)
{
  AdwComboRow *row = data;

  return g_list_model_get_n_items (adw_combo_row_get_model (row)) >= 2;
}

/* The row shows the store's Dr Anne LEROY (before the list is read, a
 * reference the store may not know is shown as is). */
static gboolean
leroy_selected (gpointer data)
{
  AdwComboRow *row = data;
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  return item != NULL && g_strcmp0 (gtk_string_object_get_string (item), "Dr Anne LEROY") == 0;
}

static void
put_practitioner (CabStore *store)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, practitioner_json, -1, &error));
  g_ptr_array_add (records, cab_fhir_record_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                                           &error));
  g_assert_no_error (error);
  g_assert_true (cab_store_put_records (store, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

static GtkWidget *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (CAB_IS_PREFERENCES_WINDOW (toplevel))
        return toplevel;
    }
  return NULL;
}

static gpointer
child (CabPrefsMailPage *page,
       const char       *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), CAB_TYPE_PREFS_MAIL_PAGE, name);

  g_assert_nonnull (object);
  return object;
}

static void
set_text (CabPrefsMailPage *page,
          const char       *row,
          const char       *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (page, row)), text);
}

static void
click (CabPrefsMailPage *page,
       const char       *button)
{
  g_assert_true (gtk_widget_is_sensitive (child (page, button)));
  g_signal_emit_by_name (child (page, button), "clicked");
  cab_test_ui_wait_for (page_idle, page, button);
}

static void
screenshot (GtkWidget  *preferences,
            const char *name)
{
  g_autofree char *path = cab_test_ui_screenshot_path (name);
  g_autoptr(GdkTexture) texture = NULL;

  cab_test_ui_settle (400);
  texture = cab_test_ui_render (preferences);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static gboolean
session_gone (gpointer data)
{
  return previous_session == NULL;
}

/* The fixture's Postfix: smtps:// (implicit TLS) or smtp:// (STARTTLS). */
static char *
smtp_url (gboolean implicit_tls)
{
  return implicit_tls ? g_strdup_printf ("smtps://127.0.0.1:%u", mail->smtps_port)
                      : g_strdup_printf ("smtp://127.0.0.1:%u", mail->smtp_port);
}

/* Opens the window on @ca_file (and @smtp and @practitioner, given like a
 * test's configuration: as on the command line) and the Mail page from the
 * Inbox's empty state. */
static CabPrefsMailPage *
open_mail_page (const char   *data_dir,
                const char   *ca_file,
                const char   *smtp,
                const char   *practitioner,
                CabWindow   **window_out,
                GtkWidget   **preferences_out)
{
  CabConfig config = { 0 };
  CabWindow *window;
  GtkWidget *preferences;

  config.data_dir = (char *) data_dir;
  config.ca_file = (char *) ca_file;
  config.smtp_url = (char *) smtp;
  config.practitioner = (char *) practitioner;
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));
  /* The window before is closed: its session goes (not leaked) once the
   * app replaced it. */
  if (previous_session != NULL)
    cab_test_ui_wait_for (session_gone, NULL, "the previous window's session to be released");
  /* Every field of a test's configuration reaches the session. */
  g_assert_cmpstr (cab_session_get_config (cab_window_get_session (window))->smtp_url, ==, smtp);
  cab_test_ui_wait_for (store_open, cab_window_get_session (window), "the store");
  put_practitioner (cab_session_get_store (cab_window_get_session (window)));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "inbox");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.mail-preferences", NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  cab_test_ui_wait_mapped (preferences);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)), ==, "mail");
  *window_out = window;
  *preferences_out = preferences;
  return cab_preferences_window_get_mail_page (CAB_PREFERENCES_WINDOW (preferences));
}

static void
close_all (CabWindow  *window,
           GtkWidget  *preferences,
           const char *data_dir)
{
  g_clear_weak_pointer (&previous_session);
  g_set_weak_pointer (&previous_session, cab_window_get_session (window));
  gtk_window_close (GTK_WINDOW (preferences));
  cab_session_shutdown (cab_window_get_session (window));
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  cab_test_ui_remove_tree (data_dir);
}

static void
test_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GHashTable) keyring = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *data_dir = NULL, *url = NULL, *other_host = NULL;
  CabWindow *window;
  GtkWidget *preferences;
  CabPrefsMailPage *page;
  AdwComboRow *practitioner_row;

  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  data_dir = g_dir_make_tmp ("cabinet-test-mail-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  url = cab_test_mail_url (mail, TRUE, NULL);
  cab_mail_account_set_keyring_for_tests (keyring);
  g_settings_set_int (settings, "window-width", 1100);
  g_settings_set_int (settings, "window-height", 760);

  page = open_mail_page (data_dir, mail->ca_file, NULL, NULL, &window, &preferences);
  g_assert_null (cab_application_get_mail_watcher (app));
  cab_test_ui_wait_for (inbox_in_state, (gpointer) (const char *[]) { "no-account" }, "the inbox without a mailbox");

  /* Inline validation: only imaps:// or imap://. */
  set_text (page, "imap_row", "https://imap.example.fr");
  g_assert_true (gtk_widget_has_css_class (child (page, "imap_row"), "error"));
  g_assert_false (gtk_widget_is_sensitive (child (page, "save_button")));
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("The IMAP server is imaps://host:port (TLS) or imap://host:port (STARTTLS), "
                     "for example imaps://imap.example.fr:993"));

  /* A wrong password: the server's refusal, in words. */
  set_text (page, "imap_row", url);
  set_text (page, "user_row", "alice");
  set_text (page, "password_row", "not-the-password");
  g_assert_false (gtk_widget_has_css_class (child (page, "imap_row"), "error"));
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("The server refused the mailbox address or the password: check them."));
  screenshot (preferences, "mail-prefs-wrong-password");

  /* The right one: connected, then saved to the keyring under user@host. */
  set_text (page, "password_row", "secret");
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("Connected: the server accepted the mailbox and its password"));
  screenshot (preferences, "mail-prefs-connected");
  click (page, "save_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==, _("Saved: Cabinet uses this mailbox now"));
  g_assert_cmpstr (g_hash_table_lookup (keyring, "alice@127.0.0.1"), ==, "secret");
  g_assert_cmpuint (g_hash_table_size (keyring), ==, 1);
  {
    g_autofree char *saved_url = g_settings_get_string (settings, "imap-url");
    g_autofree char *saved_user = g_settings_get_string (settings, "mail-user");
    g_assert_cmpstr (saved_url, ==, url);
    g_assert_cmpstr (saved_user, ==, "alice");
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (page, "password_row"))), ==, "");

  /* The running app follows the new account: its watcher logs in with the
   * saved password, and the Inbox has a mailbox. */
  cab_test_ui_wait_for (watcher_idle, NULL, "the watcher on the new account");
  g_assert_cmpstr (cab_session_get_config (cab_window_get_session (window))->imap_url, ==, url);
  cab_test_ui_wait_for (inbox_has_mailbox, NULL, "the inbox with a mailbox");

  /* This desk: the practitioners of the store, written to the setting and
   * to the session ("Assigned to me"). */
  practitioner_row = child (page, "practitioner_row");
  cab_test_ui_wait_for (practitioners_loaded, practitioner_row, "the practitioners");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (practitioner_row)), 1),
                   ==, "Dr Anne LEROY");
  adw_combo_row_set_selected (practitioner_row, 1);
  {
    g_autofree char *practitioner = g_settings_get_string (settings, "practitioner");
    g_assert_cmpstr (practitioner, ==, "Practitioner/gp-1");
    g_assert_cmpstr (cab_session_get_config (cab_window_get_session (window))->practitioner, ==,
                     "Practitioner/gp-1");
  }
  /* The running Inbox follows at once: "Mine" lists this doctor's mail. */
  {
    CabInboxPage *inbox = cab_window_get_inbox_page (window);
    GtkWidget *mine = cab_inbox_page_get_filter_button (inbox, CAB_INBOX_FILTER_ASSIGNED_TO_ME);

    g_assert_true (gtk_widget_get_sensitive (mine));
    g_assert_cmpstr (cab_inbox_list_get_assignee (cab_inbox_page_get_list (inbox)), ==, "Practitioner/gp-1");
    cab_inbox_page_set_filter (inbox, CAB_INBOX_FILTER_ASSIGNED_TO_ME);
    /* Back to the front desk: nobody's mail, "Mine" off and insensitive. */
    adw_combo_row_set_selected (practitioner_row, 0);
    g_assert_false (gtk_widget_get_sensitive (mine));
    g_assert_null (cab_inbox_list_get_assignee (cab_inbox_page_get_list (inbox)));
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (mine)));
    adw_combo_row_set_selected (practitioner_row, 1);
    g_assert_cmpstr (cab_inbox_list_get_assignee (cab_inbox_page_get_list (inbox)), ==, "Practitioner/gp-1");
  }
  screenshot (preferences, "mail-prefs-saved");

  /* The signature is this desk's setting, kept as typed. */
  {
    GtkTextView *view = child (page, "signature_view");
    g_autofree char *signature = NULL;

    gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), "Dr Anne LEROY\nCabinet des Tilleuls", -1);
    signature = g_settings_get_string (settings, "mail-signature");
    g_assert_cmpstr (signature, ==, "Dr Anne LEROY\nCabinet des Tilleuls");
    gtk_widget_grab_focus (GTK_WIDGET (view));
    screenshot (preferences, "mail-prefs-signature");
  }

  /* Another host: the saved password stays with 127.0.0.1, never tried
   * there; saving asks for the new host's. */
  other_host = cab_test_mail_url (mail, TRUE, "localhost");
  set_text (page, "imap_row", other_host);
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("Type the password: none is saved for this mailbox on this server."));
  click (page, "save_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("Type the password of this mailbox: the saved one belongs to the previous server"));
  g_assert_true (gtk_widget_has_css_class (child (page, "password_row"), "error"));
  {
    g_autofree char *saved_url = g_settings_get_string (settings, "imap-url");
    g_assert_cmpstr (saved_url, ==, url);
  }
  screenshot (preferences, "mail-prefs-other-host");

  close_all (window, preferences, data_dir);
  cab_mail_account_set_keyring_for_tests (NULL);
  g_settings_reset (settings, "imap-url");
  g_settings_reset (settings, "mail-user");
  g_settings_reset (settings, "practitioner");
  g_settings_reset (settings, "mail-signature");
}

/* A certificate from an authority the desk does not trust: nothing is
 * sent, and the page says why. */
static void
test_untrusted_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL, *url = NULL, *smtps = NULL;
  CabWindow *window;
  GtkWidget *preferences;
  CabPrefsMailPage *page;

  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  data_dir = g_dir_make_tmp ("cabinet-test-mail-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  url = cab_test_mail_url (mail, TRUE, NULL);

  smtps = smtp_url (TRUE);
  /* The SMTP server given as a test's configuration is kept (it was dropped). */
  page = open_mail_page (data_dir, mail->other_ca_file, smtps, NULL, &window, &preferences);
  set_text (page, "imap_row", url);
  set_text (page, "smtp_row", smtps);
  set_text (page, "user_row", "alice");
  set_text (page, "password_row", "secret");
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("The server’s certificate is not signed by an authority this computer trusts: "
                     "nothing was sent. Check the server address, or ask for the practice’s "
                     "certificate authority file."));
  g_assert_cmpstr (cab_prefs_mail_page_get_smtp_status (page), ==,
                   _("The sending server’s certificate is not signed by an authority this computer "
                     "trusts, or is for another name: nothing was sent. Check the server address, or "
                     "ask for the practice’s certificate authority file."));
  screenshot (preferences, "mail-prefs-untrusted");
  close_all (window, preferences, data_dir);
}

/* A practitioner given at start-up (--practitioner; a test's configuration
 * stands for it) wins over the setting: "Working Here" shows that doctor,
 * says where the choice comes from and cannot be changed here; the setting
 * stays as it was. */
static void
test_practitioner_from_command_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *data_dir = NULL, *saved = NULL;
  CabWindow *window;
  GtkWidget *preferences;
  CabPrefsMailPage *page;
  AdwComboRow *row;

  data_dir = g_dir_make_tmp ("cabinet-test-mail-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  page = open_mail_page (data_dir, NULL, NULL, "Practitioner/gp-1", &window, &preferences);
  row = child (page, "practitioner_row");
  cab_test_ui_wait_for (leroy_selected, row, "the practitioner given at start-up, by name");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   _("Set from the command line (--practitioner)"));
  saved = g_settings_get_string (settings, "practitioner");
  g_assert_cmpstr (saved, ==, "");
  g_assert_cmpstr (cab_session_get_config (cab_window_get_session (window))->practitioner, ==, "Practitioner/gp-1");
  screenshot (preferences, "mail-prefs-practitioner-command-line");
  close_all (window, preferences, data_dir);
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_mail_queue_finish (result, user_data, &error));
  g_assert_no_error (error);
}

static gboolean
entry_queued (gpointer data)
{
  return *(gint64 *) data > 0;
}

typedef struct
{
  CabStore       *store;
  gint64          id;
  CabOutboxState  state;
  const char     *error;   /* NULL: any */
} EntryWant;

static gboolean
entry_is (gpointer data)
{
  EntryWant *want = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (want->store, want->id, &error);

  g_assert_no_error (error);
  return entry->state == want->state && (want->error == NULL || g_strcmp0 (entry->last_error, want->error) == 0);
}

static void
save_account (CabPrefsMailPage *page,
              const char       *imap,
              const char       *smtp,
              const char       *user,
              const char       *password)
{
  set_text (page, "imap_row", imap);
  set_text (page, "smtp_row", smtp);
  set_text (page, "user_row", user);
  set_text (page, "password_row", password);
  click (page, "save_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==, _("Saved: Cabinet uses this mailbox now"));
}

/* "Check" also signs in to the SMTP server (implicit TLS and STARTTLS),
 * each server on its row; removing the account keeps a queued message
 * queued, with the reason, never sent to the old server; the account back,
 * it goes. */
static void
test_sending (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GHashTable) keyring = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *data_dir = NULL, *imaps = NULL, *smtps = NULL, *smtp = NULL;
  const char *to[] = { "bob@cabinet.test", NULL };
  CabMailDraft draft = { .from = ALICE, .to = to, .subject = "Compte rendu", .body = "Bonjour" };
  CabWindow *window;
  GtkWidget *preferences;
  CabPrefsMailPage *page;
  CabSession *session;
  EntryWant want = { 0 };

  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  data_dir = g_dir_make_tmp ("cabinet-test-mail-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  imaps = cab_test_mail_url (mail, TRUE, NULL);
  smtps = smtp_url (TRUE);
  smtp = smtp_url (FALSE);
  cab_mail_account_set_keyring_for_tests (keyring);

  page = open_mail_page (data_dir, mail->ca_file, NULL, NULL, &window, &preferences);
  session = cab_window_get_session (window);

  /* A wrong password: each server refuses it, in words. */
  set_text (page, "imap_row", imaps);
  set_text (page, "smtp_row", smtps);
  set_text (page, "user_row", ALICE);
  set_text (page, "password_row", "not-the-password");
  g_assert_true (gtk_widget_get_visible (child (page, "smtp_status_row")));
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("The server refused the mailbox address or the password: check them."));
  g_assert_cmpstr (cab_prefs_mail_page_get_smtp_status (page), ==,
                   _("The sending server refused the mailbox address or the password: check them."));

  /* The right one: both sign in; nothing is sent. Then STARTTLS on smtp://. */
  set_text (page, "password_row", "secret");
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_status (page), ==,
                   _("Connected: the server accepted the mailbox and its password"));
  g_assert_cmpstr (cab_prefs_mail_page_get_smtp_status (page), ==,
                   _("Connected: the sending server accepted the mailbox and its password; nothing was sent"));
  screenshot (preferences, "mail-prefs-check-smtp");
  set_text (page, "smtp_row", smtp);
  click (page, "check_button");
  g_assert_cmpstr (cab_prefs_mail_page_get_smtp_status (page), ==,
                   _("Connected: the sending server accepted the mailbox and its password; nothing was sent"));

  /* Saved, then removed: the watcher stops and a message queued now waits
   * with the reason instead of going to the servers of before. */
  save_account (page, imaps, smtps, ALICE, "secret");
  cab_test_ui_wait_for (watcher_idle, NULL, "the watcher on the new account");
  save_account (page, "", "", "", "");
  g_assert_null (cab_application_get_mail_watcher (app));
  g_assert_null (cab_session_get_config (session)->smtp_url);

  want.store = cab_session_get_store (session);
  cab_mail_queue_async (want.store, cab_session_get_outbox (session), &draft, NULL, queued_cb, &want.id);
  cab_test_ui_wait_for (entry_queued, &want.id, "the message queued");
  want.state = CAB_OUTBOX_STATE_PENDING;
  want.error = _("No mailbox is set up (Preferences → Mail): the message waits here until one is");
  cab_test_ui_wait_for (entry_is, &want, "the message kept waiting with the reason");

  /* An account again: the message goes at once, not at its backoff's end. */
  save_account (page, imaps, smtps, ALICE, "secret");
  want.state = CAB_OUTBOX_STATE_DONE;
  want.error = NULL;
  cab_test_ui_wait_for (entry_is, &want, "the message sent once the account is back");

  close_all (window, preferences, data_dir);
  cab_mail_account_set_keyring_for_tests (NULL);
  g_settings_reset (settings, "imap-url");
  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "mail-user");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  cab_test_ui_init (&argc, &argv);
  g_unsetenv ("CABINET_MAIL_PASSWORD");
  app = cab_test_ui_new_application ();
  mail = cab_test_mail_start (FALSE, &error);

  g_test_add_func ("/mail-prefs/account", test_account);
  g_test_add_func ("/mail-prefs/sending", test_sending);
  g_test_add_func ("/mail-prefs/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/mail-prefs/practitioner-from-command-line", test_practitioner_from_command_line);

  ret = g_test_run ();

  g_clear_weak_pointer (&previous_session);
  cab_test_ui_stop_mail_watcher (app);
  g_clear_pointer (&mail, cab_test_mail_free);
  g_application_release (G_APPLICATION (app));
  g_object_unref (app);
  return ret;
}
