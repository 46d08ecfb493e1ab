/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-receipts"

/* Read receipts in the app, against real Postfix and Dovecot: bob writes
 * to alice asking for receipts; alice's app (its mail watcher, its Inbox
 * reading pane, its outbox with the SMTP account) answers as the
 * preference says: "ask" shows the banner and Send Receipt sends one,
 * "always" sends one on opening, "never" sends none; opening a message
 * again sends nothing more, and bob's mailbox holds one receipt per
 * answered message. Then alice asks bob for one; bob's answer comes back
 * and the Outbox page says "Read on …". Screenshots of the banner and of
 * the Outbox page in the test's language. Skips without the mail fixture
 * (root, Dovecot, Postfix). */

#include "config.h"

#include <glib/gi18n.h>

#include "cab-application.h"
#include "cab-mail-send.h"
#include "cab-mdn.h"
#include "cab-mime.h"
#include "cab-outbox-kind.h"
#include "cab-store-private.h"
#include "cab-test-mail.h"
#include "cab-test-ui.h"
#include "cab-window-private.h"
#include "inbox/cab-inbox-page.h"
#include "outbox/cab-outbox-page.h"

#define ALICE "alice@cabinet.test"
#define BOB   "bob@cabinet.test"

static CabApplication *app;
static CabTestMail *mail;
static char *imaps_url;

/* ------------------------------------------------------------ helpers */

/* Sends bob's message @n to alice through Postfix (envelope sender bob:
 * Return-Path bob), asking for a receipt at bob's address. */
static char *
send_from_bob (const char *dir, guint n, const char *subject)
{
  g_autofree char *path = g_strdup_printf ("%s/bob-%u.eml", dir, n);
  g_autofree char *eml = NULL;
  g_autoptr(GError) error = NULL;
  char *message_id = g_strdup_printf ("receipt-%u-%08x@hopital.cabinet.test", n, g_random_int ());

  eml = g_strdup_printf ("From: Dr Bob Durand <" BOB ">\r\n"
                         "To: " ALICE "\r\n"
                         "Subject: %s\r\n"
                         "Date: Fri, 04 Dec 2026 10:0%u:00 +0100\r\n"
                         "Message-ID: <%s>\r\n"
                         "Disposition-Notification-To: Dr Bob Durand <" BOB ">\r\n"
                         "MIME-Version: 1.0\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "\r\n"
                         "Chère consœur, pouvez-vous me confirmer la lecture ?\r\n", subject, n, message_id);
  g_assert_true (g_file_set_contents (path, eml, -1, &error));
  g_assert_true (cab_test_mail_send (mail, path, &error));
  g_assert_no_error (error);
  return message_id;
}

/* Bob's INBOX: the read receipts in it, by the Message-ID they answer. */
static GHashTable *
receipts_of_bob (void)
{
  g_autoptr(GPtrArray) all = cab_test_mail_fetch_all (mail, "bob", "secret", NULL);
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < all->len; i++)
    {
      g_autofree char *original = NULL, *disposition = NULL;

      if (cab_mdn_parse (all->pdata[i], &original, &disposition))
        g_hash_table_insert (counts, g_strdup (original),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, original)) + 1));
    }
  return counts;
}

static guint
receipts_for (const char *message_id)
{
  g_autoptr(GHashTable) counts = receipts_of_bob ();

  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, message_id));
}

typedef struct
{
  const char *message_id;
} Wanted;

/* Bob's receipt for @message_id has arrived (the app's outbox sent it,
 * Postfix delivered it). */
static gboolean
receipt_arrived (gpointer data)
{
  static gint64 next = 0;

  /* Ask Dovecot a few times a second, not at every main loop turn. */
  if (g_get_monotonic_time () < next)
    return FALSE;
  next = g_get_monotonic_time () + 200 * 1000;
  return receipts_for (((Wanted *) data)->message_id) > 0;
}

static gint64
count (CabStore *store, const char *sql, const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, &error);

  g_assert_no_error (error);
  cab_stmt_bind_text (stmt, 1, arg);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

typedef struct
{
  CabInboxPage *page;
  guint         n;
} ListWait;

static gboolean
list_has (gpointer data)
{
  ListWait *w = data;
  CabInboxList *list = cab_inbox_page_get_list (w->page);

  return !cab_inbox_list_get_loading (list) && cab_inbox_list_get_n_total (list) == w->n &&
         g_list_model_get_n_items (G_LIST_MODEL (list)) == w->n;
}

static gboolean
reader_idle (gpointer data)
{
  return !cab_inbox_reader_get_loading (data);
}

/* Opens the message with @subject in the reading pane. */
static void
open_message (CabInboxPage *page, const char *subject)
{
  GListModel *model = G_LIST_MODEL (cab_inbox_page_get_list (page));
  CabInboxReader *reader = cab_inbox_page_get_reader (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (cab_inbox_item_get_subject (item), subject) == 0)
        {
          cab_inbox_page_select (page, i);
          cab_test_ui_wait_for (reader_idle, reader, "the message read");
          return;
        }
    }
  g_assert_not_reached ();
}

/* Leaves the message for @other and opens it again: a second look. */
static void
reopen_message (CabInboxPage *page, const char *other, const char *subject)
{
  open_message (page, other);
  open_message (page, subject);
}

static gboolean
mail_entries_sent (gpointer data)
{
  return count (data, "SELECT count(*) FROM outbox WHERE kind = 'mail' AND state != 'done' AND ?1 IS NULL", NULL) == 0;
}

typedef struct
{
  CabWindow     *window;
  CabOutboxPage *page;
} ReadShown;

/* The Outbox page reads receipts again when shown: go and look. */
static gboolean
read_shown (gpointer data)
{
  ReadShown *r = data;
  static gint64 next = 0;

  if (cab_outbox_page_get_n_read (r->page) > 0)
    return TRUE;
  if (g_get_monotonic_time () < next)
    return FALSE;
  next = g_get_monotonic_time () + 300 * 1000;
  gtk_widget_activate_action (GTK_WIDGET (r->window), "win.show-page", "s", "inbox");
  gtk_widget_activate_action (GTK_WIDGET (r->window), "win.show-page", "s", "outbox");
  return FALSE;
}

/* --------------------------------------------------------------- test */

static void
test_receipts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *tmp_dir = NULL, *data_dir = NULL, *smtp_url = NULL;
  g_autofree char *ask_id = NULL, *always_id = NULL, *never_id = NULL, *elsewhere_id = NULL;
  const char *ask_subject = "Avis demandé — accusé de lecture";
  const char *always_subject = "Résultats — accusé de lecture";
  const char *never_subject = "Compte rendu — accusé de lecture";
  CabConfig config = { 0 };
  CabWindow *window;
  CabStore *store;
  CabInboxPage *page;
  CabInboxReader *reader;
  ListWait all = { 0 };

  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  tmp_dir = g_dir_make_tmp ("cabinet-test-receipts-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  ask_id = send_from_bob (tmp_dir, 1, ask_subject);
  always_id = send_from_bob (tmp_dir, 2, always_subject);
  never_id = send_from_bob (tmp_dir, 3, never_subject);

  g_settings_set_int (settings, "window-width", 1400);
  g_settings_set_int (settings, "window-height", 900);
  smtp_url = g_strdup_printf ("smtp://127.0.0.1:%u", mail->smtp_port);
  config.data_dir = data_dir;
  config.imap_url = imaps_url;
  config.smtp_url = smtp_url;
  config.mail_user = (char *) ALICE;
  config.ca_file = mail->ca_file;
  g_setenv ("CABINET_MAIL_PASSWORD", "secret", TRUE);
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));
  page = cab_window_get_inbox_page (window);
  reader = cab_inbox_page_get_reader (page);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "inbox");
  /* The watcher syncs bob's three messages in. */
  all.page = page;
  all.n = 3;
  cab_test_ui_wait_for (list_has, &all, "bob's messages");
  store = cab_session_get_store (cab_window_get_session (window));

  /* "ask" (the default): the banner, until answered. */
  g_assert_cmpint (cab_mail_mdn_policy_get (store), ==, CAB_MAIL_MDN_ASK);
  open_message (page, ask_subject);
  g_test_message ("request: %s, return path: %s",
                  cab_inbox_reader_get_message (reader)->notification_to,
                  cab_inbox_reader_get_message (reader)->return_path);
  g_assert_nonnull (cab_inbox_reader_get_receipt_text (reader));
  g_assert_nonnull (strstr (cab_inbox_reader_get_receipt_text (reader), "Bob Durand"));
  g_assert_true (gtk_widget_is_drawable (cab_inbox_reader_get_receipt_box (reader)));
  cab_test_ui_settle (300);
  cab_test_ui_screenshot (window, "receipt-banner");
  /* Nothing is sent before the click. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM outbox WHERE kind = 'mail' AND ?1 IS NULL", NULL), ==, 0);
  {
    /* The "Send Receipt" button (the last of the banner's buttons),
     * clicked as a person would. */
    GtkWidget *buttons = gtk_widget_get_last_child (cab_inbox_reader_get_receipt_box (reader));
    GtkWidget *send = gtk_widget_get_last_child (buttons);

    g_assert_true (GTK_IS_BUTTON (send));
    g_signal_emit_by_name (send, "clicked");
  }
  cab_test_ui_wait_for (reader_idle, reader, "the answer recorded");
  g_assert_null (cab_inbox_reader_get_receipt_text (reader));
  {
    Wanted w = { ask_id };
    cab_test_ui_wait_for (receipt_arrived, &w, "the receipt in bob's mailbox");
  }
  /* Opened again: not asked again, nothing more queued. */
  reopen_message (page, never_subject, ask_subject);
  g_assert_null (cab_inbox_reader_get_receipt_text (reader));
  g_assert_cmpint (count (store, "SELECT count(*) FROM mail_mdn_answers WHERE message_id = ?1 AND answer = 'manual'", ask_id),
                   ==, 1);

  /* "always": sent on the first opening, marked automatic. */
  g_assert_true (cab_mail_mdn_policy_set (store, CAB_MAIL_MDN_ALWAYS, &error));
  open_message (page, always_subject);
  g_assert_null (cab_inbox_reader_get_receipt_text (reader));
  {
    Wanted w = { always_id };
    cab_test_ui_wait_for (receipt_arrived, &w, "the automatic receipt in bob's mailbox");
  }
  g_assert_cmpint (count (store, "SELECT count(*) FROM mail_mdn_answers WHERE message_id = ?1 AND answer = 'automatic'",
                          always_id), ==, 1);
  reopen_message (page, ask_subject, always_subject);

  /* "never": nothing asked, nothing queued. */
  g_assert_true (cab_mail_mdn_policy_set (store, CAB_MAIL_MDN_NEVER, &error));
  open_message (page, never_subject);
  g_assert_null (cab_inbox_reader_get_receipt_text (reader));
  g_assert_cmpint (count (store, "SELECT count(*) FROM mail_mdn_answers WHERE message_id = ?1", never_id), ==, 0);

  /* Every receipt queued went out once: two entries, both sent, none
   * resent; bob holds one receipt for each answered message and none for
   * the third (no entry exists that could send it). */
  cab_test_ui_wait_for (mail_entries_sent, store, "the receipts' entries done");
  g_assert_cmpint (count (store, "SELECT count(*) FROM outbox WHERE kind = 'mail' AND ?1 IS NULL", NULL), ==, 2);
  g_assert_cmpint (count (store, "SELECT sum (window_resends) FROM mail_sent WHERE ?1 IS NULL", NULL), ==, 0);
  g_assert_cmpuint (receipts_for (ask_id), ==, 1);
  g_assert_cmpuint (receipts_for (always_id), ==, 1);
  g_assert_cmpuint (receipts_for (never_id), ==, 0);
  (void) elsewhere_id;

  /* Alice asks bob for a receipt; bob's answer comes back: "Read on …". */
  {
    const char *to[] = { BOB, NULL };
    CabMailDraft draft = { .from = ALICE, .to = to, .subject = "Lettre de liaison", .body = "Bonjour,\n",
                           .receipt = TRUE };
    CabSmtpAccount bob = { .url = smtp_url, .user = "bob", .password = "secret", .ca_file = mail->ca_file };
    g_autofree char *sent_id = NULL;
    gint64 entry = 0;
    ReadShown r = { window, cab_window_get_outbox_page (window) };

    g_assert_true (cab_mail_queue (store, &draft, &entry, &sent_id, &error));
    g_assert_no_error (error);
    cab_outbox_queued (cab_session_get_outbox (cab_window_get_session (window)));
    cab_test_ui_wait_for (mail_entries_sent, store, "alice's letter sent");
    for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;; g_usleep (200000))
      {
        /* Bob's mail program answers (the core of "send a read receipt"). */
        g_autoptr(GPtrArray) box = cab_test_mail_fetch_all (mail, "bob", "secret", NULL);
        gboolean answered = FALSE;

        for (guint i = 0; i < box->len && !answered; i++)
          {
            g_autoptr(CabMimeMessage) m = cab_mime_parse (box->pdata[i], NULL);

            if (m != NULL && g_strcmp0 (m->message_id, sent_id) == 0)
              {
                g_assert_true (cab_mdn_send (&bob, BOB, NULL, box->pdata[i], FALSE, &error));
                g_assert_no_error (error);
                answered = TRUE;
              }
          }
        if (answered)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      }
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "outbox");
    cab_test_ui_wait_for (read_shown, &r, "\"Read on\" on the Outbox page");
    g_assert_cmpuint (cab_outbox_page_get_n_read (r.page), ==, 1);
    g_assert_cmpint (count (store, "SELECT count(*) FROM mail_sent WHERE message_id = ?1 AND read_at > 0", sent_id), ==, 1);
    cab_test_ui_settle (300);
    cab_test_ui_screenshot (window, "outbox-read");
  }

  cab_session_shutdown (cab_window_get_session (window));
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  cab_test_ui_remove_tree (tmp_dir);
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
  if (mail != NULL)
    imaps_url = cab_test_mail_url (mail, TRUE, NULL);

  g_test_add_func ("/mail-receipts/app", test_receipts);
  ret = g_test_run ();

  cab_test_ui_stop_mail_watcher (app);
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_pointer (&mail, cab_test_mail_free);
  g_free (imaps_url);
  return ret;
}
