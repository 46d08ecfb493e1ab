/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-inbox-page"

/* The Inbox page on a store filled by the real mail sync: the sandbox's
 * practice synced, the sandbox's MSSanté messages sent through Postfix,
 * delivered into Dovecot and synced with `cabinetctl inbox sync`. Checks the
 * list and its sidebar count, the filters, the search, the reading pane
 * (headers, text, XDM documents, a PDF in the viewer, a refused XDM shown),
 * a conflict in red with its reason, an identity that is not qualified
 * never shown as qualified, and the keyboard moves. Screenshots in the
 * test's language. Skips without the mail fixture (root, Dovecot, Postfix). */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cab-application.h"
#include "cab-test-mail.h"
#include "cab-test-sandbox.h"
#include "cab-test-ui.h"
#include "cab-inbox-list-private.h"
#include "cab-store-private.h"
#include "cab-window-private.h"
#include "inbox/cab-inbox-format.h"
#include "inbox/cab-inbox-page.h"
#include "inbox/cab-inbox-row.h"
#include "patients/cab-patient-format.h"
#include "viewer/cab-pdf-viewer.h"

#define PRACTICE   "Organization/org-practice"
#define SEED       "42"
#define PATIENTS   "40"
#define TODAY      "2025-06-30"
#define N_MESSAGES 16   /* synced before the window opens; a 17th arrives while it is open */

static CabApplication *app;

static int
run_ctl (const char *data_dir, ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
  g_ptr_array_add (args, (gpointer) g_getenv ("CABINETCTL"));
  g_ptr_array_add (args, (gpointer) "--data-dir");
  g_ptr_array_add (args, (gpointer) data_dir);
  va_start (ap, data_dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  return g_subprocess_get_exit_status (process);
}

/* IMAP APPEND of message @n (1-based) of @messages into alice's INBOX. */
static GSubprocess *
append_message (CabTestMail *mail,
                const char  *messages,
                guint        n)
{
  g_autofree char *folder = g_strdup_printf ("imaps://127.0.0.1:%u/INBOX", mail->imaps_port);
  g_autofree char *name = g_strdup_printf ("%04u.eml", n);
  g_autofree char *path = g_build_filename (messages, name, NULL);
  const char *append[] = { "curl", "-sS", "--max-time", "30", "--cacert", mail->ca_file,
                           "--user", "alice:secret", "--url", folder, "-T", path, NULL };
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_newv (append, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);

  g_assert_no_error (error);
  return process;
}

static char *imap_command (CabTestMail *mail, const char *command);

/* The médecin traitant of the first stored patient who has one: the
 * desk's doctor of the test. */
static char *
some_doctor (const char *data_dir)
{
  const char *args[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "patients", "--json", NULL };
  g_autoptr(GSubprocess) ls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *out = NULL;
  JsonArray *array;

  ls = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (ls, NULL, NULL, &out, NULL, &error));
  list = json_from_string (out, &error);
  g_assert_no_error (error);
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *gp = json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                                  "general_practitioner", NULL);
      if (gp != NULL && g_str_has_prefix (gp, "Practitioner/"))
        return g_strdup (gp);
    }
  g_assert_not_reached ();
}

/* The practice and its mail in @data_dir, through the real servers. */
static void
fill_store (CabTestSandbox *sandbox,
            CabTestMail    *mail,
            const char     *data_dir,
            const char     *tmp_dir)
{
  g_autofree char *messages = g_build_filename (tmp_dir, "messages", NULL);
  g_autofree char *url = cab_test_mail_url (mail, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  const char *gen[] = { g_getenv ("CABINET_SANDBOX_MAIL"), "--seed", SEED, "--patients", PATIENTS,
                        "--today", TODAY, "--count", "17", "--out", messages, NULL };
  g_autoptr(GSubprocess) generator = g_subprocess_newv (gen, G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (generator, NULL, &error));
  g_assert_no_error (error);
  /* Put straight into Dovecot with IMAP APPEND, all at once: the delivery
   * path (Postfix, LMTP) is test-inbox's; this test needs real mail in a
   * real mailbox, synced for real. */
  {
    GSubprocess *senders[N_MESSAGES];

    for (guint i = 0; i < N_MESSAGES; i++)
      senders[i] = append_message (mail, messages, i + 1);
    for (guint i = 0; i < N_MESSAGES; i++)
      {
        g_assert_true (g_subprocess_wait_check (senders[i], NULL, &error));
        g_assert_no_error (error);
        g_object_unref (senders[i]);
      }
  }
  /* curl appends with \Seen: new mail has not been read by anyone. */
  g_free (imap_command (mail, "STORE 1:* -FLAGS (\\Seen)"));
  g_assert_cmpint (run_ctl (data_dir, "sync", "--server", sandbox->base_url, "--token=" CAB_TEST_TOKEN,
                            "--practice", PRACTICE, NULL), ==, 0);
  /* Delivery is asynchronous: sync until every message is stored. */
  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *out = NULL;
      g_autoptr(JsonNode) list = NULL;
      const char *args[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "inbox", "list", "--json", NULL };
      g_autoptr(GSubprocess) ls = NULL;

      g_assert_cmpint (run_ctl (data_dir, "--ca", mail->ca_file, "inbox", "sync", "--imap", url,
                                "--mail-user", "alice", NULL), ==, 0);
      ls = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (ls, NULL, NULL, &out, NULL, &error));
      list = json_from_string (out, &error);
      g_assert_no_error (error);
      if (json_array_get_length (json_node_get_array (list)) == N_MESSAGES)
        break;
      g_test_message ("attempt %u at %.1f s", attempt, g_get_monotonic_time () / 1e6);
      g_assert_cmpuint (attempt, <, 300);
      g_usleep (100000);
    }
}

/* An IMAP command on alice's INBOX with curl (another client than
 * Cabinet's): its untagged answer, e.g. "* SEARCH 3 5". */
static char *
imap_command (CabTestMail *mail,
              const char  *command)
{
  g_autofree char *folder = g_strdup_printf ("imaps://127.0.0.1:%u/INBOX", mail->imaps_port);
  const char *args[] = { "curl", "-sS", "--max-time", "30", "--cacert", mail->ca_file,
                         "--user", "alice:secret", "--url", folder, "-X", command, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_strstrip (out);
  return out;
}

/* How many messages a SEARCH finds on the server. */
/* Changes the first shown message between the worker's diff and its use. */
static void
flip_first_unread (CabInboxList *list,
                   gpointer      data)
{
  g_autoptr(CabInboxItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);

  cab_inbox_list_set_before_apply (list, NULL, NULL);
  cab_inbox_item_set_unread (first, !cab_inbox_item_get_unread (first));
}

static guint
imap_count (CabTestMail *mail,
            const char  *search)
{
  g_autofree char *command = g_strdup_printf ("SEARCH %s", search);
  g_autofree char *out = imap_command (mail, command);
  g_auto(GStrv) words = NULL;

  g_assert_true (g_str_has_prefix (out, "* SEARCH"));
  words = g_strsplit (g_strstrip (out + strlen ("* SEARCH")), " ", -1);
  return words[0] != NULL && *words[0] ? g_strv_length (words) : 0;
}

typedef struct
{
  CabInboxPage *page;
  guint         n;
} Seen;

static gboolean
seen_done (gpointer data)
{
  Seen *s = data;

  return cab_inbox_page_get_n_seen (s->page) >= s->n;
}

static gboolean
unread_is (gpointer data)
{
  Seen *s = data;

  return cab_inbox_page_get_n_unread (s->page) == s->n;
}

static gboolean
practitioners_stored (gpointer data)
{
  CabStoreReader *reader = cab_store_reader_acquire (data, NULL);
  sqlite3_stmt *stmt = reader != NULL ? cab_store_conn_prepare (reader, "SELECT count (*) FROM practitioners", NULL) : NULL;
  gboolean some = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) > 0;

  g_clear_pointer (&stmt, cab_stmt_release);
  g_clear_pointer (&reader, cab_store_reader_release);
  return some;
}

static gboolean
practitioners_listed (gpointer data)
{
  return cab_inbox_reader_get_n_practitioners (data) > 0 && !cab_inbox_reader_get_loading (data);
}

static gboolean
list_loaded (gpointer data)
{
  CabInboxList *list = data;

  return !cab_inbox_list_get_loading (list) && cab_inbox_list_get_n_loads (list) > 0 &&
         cab_inbox_list_get_store (list) != NULL;
}

static gboolean
list_has_all (gpointer data)
{
  return list_loaded (data) && cab_inbox_list_get_n_total (data) == N_MESSAGES;
}

typedef struct
{
  CabInboxPage *page;
  guint         n;
} Triaged;

static gboolean
triaged (gpointer data)
{
  Triaged *t = data;

  return cab_inbox_page_get_n_triaged (t->page) >= t->n;
}

static gboolean
list_has_more (gpointer data)
{
  return list_loaded (data) && cab_inbox_list_get_n_total (data) > N_MESSAGES;
}

static gboolean
sync_problem_shown (gpointer data)
{
  return cab_inbox_page_get_sync_problem (data) != NULL;
}

static gboolean
reader_idle (gpointer data)
{
  return !cab_inbox_reader_get_loading (data);
}

/* Puts message @id back among those whose PDFs' text the indexing pass
 * has to read (as a sync that deferred it leaves it). */
static void
set_text_pending (CabStore *store, gint64 id)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO mail_text_pending (mail_id) VALUES (%" G_GINT64_FORMAT ")", id);

  g_assert_cmpint (sqlite3_exec (writer->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static gboolean
watcher_stopped (gpointer data)
{
  return cab_mail_watcher_get_state (data) == CAB_MAIL_WATCHER_STOPPED;
}

static gboolean
no_text_hint (gpointer data)
{
  return cab_inbox_reader_get_text_hint (data) == NULL;
}

static gboolean
stack_settled (gpointer data)
{
  GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (data), GTK_TYPE_STACK);

  return stack != NULL && !gtk_stack_get_transition_running (GTK_STACK (stack)) &&
         gtk_stack_get_visible_child (GTK_STACK (stack)) == GTK_WIDGET (data);
}

static gboolean
viewer_done (gpointer data)
{
  CabPdfViewerState state = cab_pdf_viewer_get_state (data);

  return state == CAB_PDF_VIEWER_DOCUMENT || state == CAB_PDF_VIEWER_ERROR;
}

static void
set_filter (CabInboxPage *page, CabInboxFilter filter)
{
  CabInboxList *list = cab_inbox_page_get_list (page);
  guint loads = cab_inbox_list_get_n_loads (list);

  gtk_widget_activate_action (GTK_WIDGET (page), "inbox.filter", "i", (int) filter);
  g_assert_cmpint (cab_inbox_list_get_filter (list), ==, filter);
  while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
    g_main_context_iteration (NULL, TRUE);
}

static void
count_changes_cb (GListModel *model, guint position, guint removed, guint added, guint *n_changes)
{
  (*n_changes)++;
}

/* Every triage change made on the page has reached the mail server: the
 * app registered the "mailflags" kind and its entries are all sent. */
static gboolean
triage_sent (gpointer data)
{
  CabStore *store = cab_session_get_store (data);
  g_autoptr(GPtrArray) entries = cab_store_outbox_list (store, -1, 100, NULL);
  guint n_flags = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      CabOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->kind, "mailflags") != 0)
        continue;
      if (entry->state == CAB_OUTBOX_STATE_FAILED || entry->state == CAB_OUTBOX_STATE_CONFLICT)
        g_error ("a triage change was refused: %s", entry->last_error);
      if (entry->state != CAB_OUTBOX_STATE_DONE && entry->state != CAB_OUTBOX_STATE_CANCELLED)
        return FALSE;
      n_flags++;
    }
  return n_flags > 0;
}

/* Selects the first message whose shown match is @state (and, when not
 * -1, whose reason is @reason); its position, or G_MAXUINT. */
static guint
select_match (CabInboxPage *page, CabMatchState state, int reason)
{
  GListModel *model = G_LIST_MODEL (cab_inbox_page_get_list (page));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);

      if (cab_inbox_item_get_match_state (item) == state &&
          (reason < 0 || cab_inbox_item_get_match_reason (item) == (CabMatchReason) reason))
        {
          cab_inbox_page_select (page, i);
          cab_test_ui_wait_for (reader_idle, cab_inbox_page_get_reader (page), "the message read");
          return i;
        }
    }
  return G_MAXUINT;
}

static void
test_page (void)
{
  const char * const extra[] = { "--patients", PATIENTS, "--today", TODAY, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestSandbox) sandbox = NULL;
  g_autoptr(CabTestMail) mail = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *tmp_dir = NULL, *data_dir = NULL, *messages = NULL, *url = NULL, *doctor = NULL;
  CabConfig config = { 0 };
  CabWindow *window;
  CabSession *session;
  CabInboxPage *page;
  CabInboxList *list;
  CabInboxReader *reader;
  GListModel *model;
  guint n_all, position;
  const char *qualified = cab_identity_status_label ("QUAL");

  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    {
      g_test_skip ("no mail fixture here (needs root, Dovecot and Postfix)");
      return;
    }
  sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  tmp_dir = g_dir_make_tmp ("cabinet-test-inbox-page-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  fill_store (sandbox, mail, data_dir, tmp_dir);
  messages = g_build_filename (tmp_dir, "messages", NULL);
  url = cab_test_mail_url (mail, TRUE, NULL);

  g_settings_set_int (settings, "window-width", 1400);
  g_settings_set_int (settings, "window-height", 900);
  /* The health-space server: the window syncs at start and stores the
   * practice's doctors (whom a message is assigned to). The mailbox: the
   * app's watcher follows it. */
  config.server_url = sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = data_dir;
  /* A doctor's desk: "Mine" is their mail. */
  doctor = some_doctor (data_dir);
  config.practitioner = doctor;
  config.imap_url = url;
  config.mail_user = (char *) "alice";
  config.ca_file = mail->ca_file;
  g_setenv ("CABINET_MAIL_PASSWORD", "secret", TRUE);
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  session = cab_window_get_session (window);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));

  page = cab_window_get_inbox_page (window);
  list = cab_inbox_page_get_list (page);
  model = G_LIST_MODEL (list);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "inbox");
  g_assert_cmpstr (cab_window_get_page (window), ==, "inbox");
  cab_test_ui_wait_for (list_has_all, list, "the inbox");

  /* Every message is new: all to triage, counted on the sidebar. */
  g_assert_cmpint (cab_inbox_list_get_filter (list), ==, CAB_INBOX_FILTER_TO_TRIAGE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_MESSAGES);
  g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES);
  g_assert_cmpstr (cab_window_get_inbox_badge (window), ==, G_STRINGIFY (N_MESSAGES));
  g_assert_cmpstr (cab_inbox_page_get_state (page), ==, "list");
  /* A reload that finds the same messages changes nothing in the list:
   * the list view keeps its rows (docs/architecture.md, "The Inbox
   * page", reloads change what changed). */
  {
    guint n_changes = 0, loads = cab_inbox_list_get_n_loads (list);
    gulong id = g_signal_connect (model, "items-changed", G_CALLBACK (count_changes_cb), &n_changes);
    gpointer first = g_list_model_get_item (model, 0);

    cab_inbox_page_reload (page);
    while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handler_disconnect (model, id);
    g_assert_cmpuint (n_changes, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_MESSAGES);
    g_assert_true (g_list_model_get_item (model, 0) == first);
    g_object_unref (first);
    g_object_unref (first);
  }

  /* Nothing read yet (the sync peeks): every row unread, counted. */
  g_assert_cmpuint (cab_inbox_page_get_n_unread (page), ==, N_MESSAGES);
  g_assert_nonnull (cab_window_get_inbox_unread (window));
  g_assert_nonnull (strstr (cab_window_get_inbox_unread (window), G_STRINGIFY (N_MESSAGES)));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);
      g_assert_true (cab_inbox_item_get_unread (item));
    }
  g_assert_cmpuint (imap_count (mail, "SEEN"), ==, 0);
  /* Newest first. */
  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) a = g_list_model_get_item (model, i - 1);
      g_autoptr(CabInboxItem) b = g_list_model_get_item (model, i);

      g_assert_cmpint (cab_inbox_item_get_date (a), >=, cab_inbox_item_get_date (b));
    }

  /* Filters: nothing handled yet; all is the whole inbox. */
  set_filter (page, CAB_INBOX_FILTER_HANDLED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_cmpstr (cab_inbox_page_get_state (page), ==, "empty");
  set_filter (page, CAB_INBOX_FILTER_ALL);
  n_all = g_list_model_get_n_items (model);
  g_assert_cmpuint (n_all, ==, N_MESSAGES);

  /* Nothing selected yet: the reading pane says how to choose, and is
   * not built (its template cost the page's first frame 3-4.5 ms at
   * 10,000 messages); the first message chosen builds it. */
  g_assert_null (cab_inbox_page_get_selected (page));
  cab_test_ui_wait_for (stack_settled, page, "the inbox page shown");
  g_assert_false (cab_inbox_page_has_reader (page));
  /* The filter toggled to All drawn (its frame may come after the list's
   * answer on a loaded machine). */
  cab_test_ui_settle (200);
  cab_test_ui_screenshot (window, "inbox-none-selected");
  /* The message shortcuts with no message chosen do nothing, and build
   * nothing. */
  {
    guint n_triaged = cab_inbox_page_get_n_triaged (page);

    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.assign", NULL);
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.choose-patient", NULL);
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.file", NULL);
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.handle", NULL);
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.reply", NULL);
    cab_test_ui_settle (100);
    g_assert_false (cab_inbox_page_has_reader (page));
    g_assert_cmpuint (cab_inbox_page_get_n_triaged (page), ==, n_triaged);
  }

  /* Keyboard: Ctrl+↓ from nothing reads the first, then the second;
   * Ctrl+↑ goes back. */
  gtk_widget_activate_action (GTK_WIDGET (page), "inbox.move", "i", 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (cab_inbox_page_get_list_view (page)))), ==, 0);
  g_assert_true (cab_inbox_page_has_reader (page));
  reader = cab_inbox_page_get_reader (page);
  g_assert_true (cab_inbox_reader_get_item (reader) == cab_inbox_page_get_selected (page));
  gtk_widget_activate_action (GTK_WIDGET (page), "inbox.move", "i", 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (cab_inbox_page_get_list_view (page)))), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "inbox.move", "i", -1);
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (cab_inbox_page_get_list_view (page)))), ==, 0);
  g_assert_true (cab_inbox_reader_get_item (reader) == cab_inbox_page_get_selected (page));

  /* Opening a message read it: the row at once, the count, then the
   * server's \Seen; the others stay unread (bold) for the screenshot. */
  {
    g_autoptr(CabInboxItem) first = g_list_model_get_item (model, 0);
    g_autoptr(CabInboxItem) second = g_list_model_get_item (model, 1);
    g_autoptr(CabInboxItem) third = g_list_model_get_item (model, 2);

    g_assert_false (cab_inbox_item_get_unread (first));
    g_assert_false (cab_inbox_item_get_unread (second));
    g_assert_true (cab_inbox_item_get_unread (third));
    cab_test_ui_wait_for (seen_done, &(Seen) { page, 2 }, "the messages marked read");
    cab_test_ui_wait_for (unread_is, &(Seen) { page, N_MESSAGES - 2 }, "the unread count");
    cab_test_ui_wait_for (reader_idle, reader, "the message read");
    cab_test_ui_wait_for (stack_settled, page, "the inbox page shown");
    cab_test_ui_screenshot (window, "inbox-unread");
    cab_test_ui_wait_for (triage_sent, session, "\\Seen sent to the mail server");
    g_assert_cmpuint (imap_count (mail, "SEEN"), ==, 2);

    /* Mark as Unread (Ctrl+U): bold again, counted, \Seen taken off. */
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.mark-unread", NULL);
    g_assert_true (cab_inbox_item_get_unread (first));
    cab_test_ui_wait_for (seen_done, &(Seen) { page, 3 }, "the message marked unread");
    cab_test_ui_wait_for (unread_is, &(Seen) { page, N_MESSAGES - 1 }, "the unread count");
    cab_test_ui_wait_for (triage_sent, session, "\\Seen taken off on the mail server");
    g_assert_cmpuint (imap_count (mail, "SEEN"), ==, 1);
  }

  /* Assign from the page (Ctrl+I): the practice's doctors in a popover;
   * the row names the doctor, the keyword reaches the server, Undo. */
  {
    g_autoptr(CabInboxItem) item = g_object_ref (cab_inbox_page_get_selected (page));
    gint64 id = cab_inbox_item_get_id (item);
    guint n_triaged = cab_inbox_page_get_n_triaged (page);
    g_autofree char *practitioner = NULL, *keyword = NULL, *search = NULL;

    cab_test_ui_wait_for (practitioners_stored, cab_session_get_store (session), "the practitioners synced");
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.assign", NULL);
    cab_test_ui_wait_for (practitioners_listed, reader, "the practice's doctors");
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (cab_inbox_reader_get_assign_popover (reader))));
    cab_test_ui_settle (200);
    cab_test_ui_screenshot (window, "inbox-assign");
    g_assert_true (g_str_has_prefix (cab_inbox_reader_get_practitioner (reader, 0), "Practitioner/"));
    /* To the desk's doctor, so that it is theirs under "Mine". */
    practitioner = g_strdup (doctor);
    g_assert_true (cab_inbox_reader_activate_practitioner (reader, practitioner));
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 1 }, "the message assigned");
    cab_test_ui_wait_for (list_loaded, list, "the list after assigning");
    {
      g_autoptr(CabInboxItem) assigned = g_list_model_get_item (model, cab_inbox_list_find (list, id));

      g_assert_cmpstr (cab_inbox_item_get_status (assigned), ==, "assigned");
      g_assert_cmpstr (cab_inbox_item_get_assignee (assigned), ==, practitioner);
      g_assert_nonnull (cab_inbox_item_get_assignee_display (assigned));
      g_assert_true (g_str_has_prefix (cab_inbox_item_get_assignee_display (assigned), "Dr") ||
                     strchr (cab_inbox_item_get_assignee_display (assigned), ' ') != NULL);
    }
    g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES - 1);
    cab_test_ui_wait_for (triage_sent, session, "the assignment sent to the mail server");
    keyword = g_strconcat ("$CabinetAssigned-", practitioner + strlen ("Practitioner/"), NULL);
    search = g_strdup_printf ("KEYWORD %s", keyword);
    g_assert_cmpuint (imap_count (mail, search), ==, 1);
    cab_test_ui_screenshot (window, "inbox-assigned");
    /* Assigned to me: this desk's doctor has it, and only it. */
    g_assert_true (gtk_widget_get_sensitive (cab_inbox_page_get_filter_button (page, CAB_INBOX_FILTER_ASSIGNED_TO_ME)));
    set_filter (page, CAB_INBOX_FILTER_ASSIGNED_TO_ME);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
    {
      g_autoptr(CabInboxItem) mine = g_list_model_get_item (model, 0);
      g_assert_cmpint (cab_inbox_item_get_id (mine), ==, id);
    }
    set_filter (page, CAB_INBOX_FILTER_ALL);
    cab_inbox_page_select (page, cab_inbox_list_find (list, id));
    /* Undo: back to triage, on the server too. */
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.undo", NULL);
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 2 }, "the assignment undone");
    cab_test_ui_wait_for (list_loaded, list, "the list after the undo");
    g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES);
    cab_test_ui_wait_for (triage_sent, session, "the undo sent to the mail server");
    g_assert_cmpuint (imap_count (mail, search), ==, 0);
  }

  /* The reading pane of a lab result matched automatically: its XDM
   * documents with their metadata, its PDF in the viewer, the patient
   * qualified. */
  position = select_match (page, CAB_MATCH_AUTO, -1);
  g_assert_cmpuint (position, !=, G_MAXUINT);
  g_assert_cmpstr (cab_inbox_reader_get_badge_text (reader), ==, cab_inbox_match_label (CAB_MATCH_AUTO));
  g_assert_cmpuint (cab_inbox_reader_get_n_documents (reader), >, 0);
  g_assert_cmpuint (cab_inbox_reader_get_n_mismatches (reader), ==, 0);
  g_assert_cmpuint (cab_inbox_reader_get_n_patients (reader), ==, 1);
  g_assert_cmpstr (cab_inbox_reader_get_patient_status (reader, 0), ==, qualified);
  g_assert_cmpuint (strlen (cab_inbox_reader_get_body_text (reader)), >, 20);
  cab_test_ui_wait_for (stack_settled, page, "the inbox page shown");
  cab_test_ui_screenshot (window, "inbox-auto");
  /* Its PDFs' text not indexed yet: said under "Documents" (a search does
   * not find it); the watcher, started again, indexes it in its next round
   * and says so, and the hint goes. Stopped meanwhile, so that no round
   * (a sync woken by the \Seen of a message opened) reads it first. */
  g_assert_null (cab_inbox_reader_get_text_hint (reader));
  {
    g_autoptr(CabInboxItem) item = g_list_model_get_item (model, position);
    CabMailWatcher *watcher = cab_application_get_mail_watcher (app);

    g_assert_nonnull (watcher);
    cab_mail_watcher_stop (watcher);
    cab_test_ui_wait_for (watcher_stopped, watcher, "the mail watcher stopped");
    set_text_pending (cab_session_get_store (session), cab_inbox_item_get_id (item));
    cab_inbox_page_select (page, position == 0 ? 1 : 0);
    cab_test_ui_wait_for (reader_idle, reader, "another message read");
    cab_inbox_page_select (page, position);
    cab_test_ui_wait_for (reader_idle, reader, "the message read again");
    g_assert_cmpstr (cab_inbox_reader_get_text_hint (reader), ==,
                     _("Document text is being indexed: a search does not find it yet."));
    cab_test_ui_settle (300);
    cab_test_ui_screenshot (window, "inbox-text-pending");
    cab_mail_watcher_start (watcher);
    cab_test_ui_wait_for (no_text_hint, reader, "the hint gone once the watcher indexed the text");
  }
  g_assert_nonnull (cab_inbox_reader_get_first_pdf (reader));
  cab_inbox_page_open_document (page, cab_inbox_reader_get_first_pdf (reader), "report");
  {
    GtkWindow *viewer_window = cab_inbox_page_get_viewer_window (page);
    GtkWidget *box = adw_window_get_content (ADW_WINDOW (viewer_window));
    CabPdfViewer *viewer = CAB_PDF_VIEWER (gtk_widget_get_last_child (box));

    cab_test_ui_wait_for (viewer_done, viewer, "the PDF in the viewer");
    g_assert_cmpint (cab_pdf_viewer_get_state (viewer), ==, CAB_PDF_VIEWER_DOCUMENT);
    g_assert_cmpuint (cab_pdf_viewer_get_n_pages (viewer), >, 0);
    gtk_window_destroy (viewer_window);
  }

  /* Triage from the keyboard: file the auto match (Ctrl+Return), mark it
   * handled (Ctrl+D): it leaves the list to triage; undo (Ctrl+Z) brings it
   * back. */
  {
    gint64 id = cab_inbox_item_get_id (cab_inbox_page_get_selected (page));
    guint n_triaged = cab_inbox_page_get_n_triaged (page);

    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.file", NULL);
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 1 }, "the message filed");
    cab_test_ui_wait_for (list_loaded, list, "the list after filing");
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.handle", NULL);
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 2 }, "the message handled");
    cab_test_ui_wait_for (list_loaded, list, "the list after handling");
    g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES - 1);
    {
      g_autoptr(CabInboxItem) handled = g_list_model_get_item (model, cab_inbox_list_find (list, id));

      g_assert_cmpstr (cab_inbox_item_get_status (handled), ==, "handled");
    }
    cab_test_ui_screenshot (window, "inbox-handled");
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.undo", NULL);
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 3 }, "the undo");
    cab_test_ui_wait_for (list_loaded, list, "the list after the undo");
    g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES);
    cab_test_ui_wait_for (triage_sent, session, "the triage sent to the mail server");
  }

  /* A conflict: red, with its reason and what disagrees. */
  position = select_match (page, CAB_MATCH_CONFLICT, -1);
  g_assert_cmpuint (position, !=, G_MAXUINT);
  g_assert_cmpstr (cab_inbox_reader_get_badge_text (reader), ==, cab_inbox_match_label (CAB_MATCH_CONFLICT));
  g_assert_true (gtk_widget_has_css_class (cab_inbox_reader_get_badge (reader), "cab-match-conflict"));
  {
    g_autoptr(CabInboxItem) item = g_list_model_get_item (model, position);
    g_autofree char *traits = cab_inbox_match_traits (cab_inbox_item_get_match_disagreeing (item));

    g_assert_cmpstr (cab_inbox_reader_get_reason_text (reader), ==,
                     cab_inbox_match_reason (cab_inbox_item_get_match_reason (item)));
    if (traits != NULL)
      g_assert_nonnull (strstr (cab_inbox_reader_get_traits_text (reader), traits));
  }
  /* The conflict that names what disagrees, for the screenshot. */
  if (select_match (page, CAB_MATCH_CONFLICT, CAB_MATCH_REASON_TRAITS_DISAGREE) != G_MAXUINT)
    g_assert_nonnull (cab_inbox_reader_get_traits_text (reader));
  cab_test_ui_screenshot (window, "inbox-conflict");

  /* Choosing a patient for a conflict does not file it: the pane shows
   * the patient beside what the message says, what disagrees in red, and
   * only "File to ..." files. */
  {
    /* Held: a reload while we wait may replace the list's object. */
    g_autoptr(CabInboxItem) item = g_object_ref (cab_inbox_page_get_selected (page));
    gint64 id = cab_inbox_item_get_id (item);
    const char * const *candidates = cab_inbox_item_get_candidates (item);
    guint n_triaged = cab_inbox_page_get_n_triaged (page);
    g_autofree char *chosen = NULL;

    /* The patient the conflict points at, else any patient of the practice. */
    if (candidates[0] != NULL)
      chosen = g_strdup (candidates[0]);
    else
      {
        g_autoptr(GPtrArray) rows = cab_store_search_patients (cab_session_get_store (session), NULL, 1, NULL);
        g_assert_nonnull (rows);
        g_assert_cmpuint (rows->len, >, 0);
        chosen = g_strdup (((CabPatientRow *) g_ptr_array_index (rows, 0))->id);
      }
    cab_inbox_reader_choose_patient (reader, chosen);
    g_assert_cmpstr (cab_inbox_reader_get_chosen_patient (reader), ==, chosen);
    /* Not before the comparison is on screen. */
    g_assert_false (cab_inbox_reader_get_can_confirm (reader));
    cab_test_ui_wait_for (reader_idle, reader, "the choice compared");
    g_assert_true (cab_inbox_reader_get_can_confirm (reader));
    g_assert_cmpuint (cab_inbox_page_get_n_triaged (page), ==, n_triaged);
    g_assert_cmpstr (cab_inbox_item_get_status (item), ==, "new");
    /* The conflict's own disagreement is there before the click. */
    if (cab_inbox_item_get_match_reason (item) == CAB_MATCH_REASON_TRAITS_DISAGREE)
      g_assert_cmpuint (cab_inbox_reader_get_chosen_disagreeing (reader), !=, 0);
    g_assert_nonnull (cab_inbox_reader_get_confirm_summary (reader));
    {
      GtkWidget *box = cab_inbox_reader_get_confirm_box (reader);
      GtkWidget *scroller = gtk_widget_get_ancestor (box, GTK_TYPE_SCROLLED_WINDOW);
      graphene_point_t at;

      /* Scroll the comparison into view for the screenshot. */
      if (scroller != NULL &&
          gtk_widget_compute_point (box, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                    &GRAPHENE_POINT_INIT (0, 0), &at))
        gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                                  MAX (0, at.y - 200));
    }
    cab_test_ui_settle (200);
    cab_test_ui_screenshot (window, "inbox-confirm-conflict");
    /* Nothing filed while the person has not clicked. */
    {
      g_autoptr(CabInboxItem) still = g_list_model_get_item (model, cab_inbox_list_find (list, id));
      g_assert_cmpstr (cab_inbox_item_get_status (still), ==, "new");
    }
    cab_inbox_reader_confirm (reader);
    g_assert_null (cab_inbox_reader_get_chosen_patient (reader));
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 1 }, "the conflict filed after confirming");
    cab_test_ui_wait_for (list_loaded, list, "the list after filing");
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.undo", NULL);
    cab_test_ui_wait_for (triaged, &(Triaged) { page, n_triaged + 2 }, "the filing undone");
    cab_test_ui_wait_for (list_loaded, list, "the list after the undo");
  }

  /* Never qualified when the identity is not: every patient a message
   * proposes, and every auto match, as the stored status says. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);
      CabMatchState state = cab_inbox_item_get_match_state (item);

      if (state != CAB_MATCH_AUTO && state != CAB_MATCH_PROPOSED)
        continue;
      cab_inbox_page_select (page, i);
      cab_test_ui_wait_for (reader_idle, reader, "the message read");
      g_assert_cmpuint (cab_inbox_reader_get_n_patients (reader), >=, 1);
      if (state == CAB_MATCH_AUTO)
        g_assert_cmpstr (cab_inbox_reader_get_patient_status (reader, 0), ==, qualified);
      else if (cab_inbox_item_get_match_reason (item) == CAB_MATCH_REASON_NOT_QUALIFIED)
        g_assert_cmpstr (cab_inbox_reader_get_patient_status (reader, 0), !=, qualified);
    }
  if (select_match (page, CAB_MATCH_PROPOSED, CAB_MATCH_REASON_NOT_QUALIFIED) != G_MAXUINT)
    cab_test_ui_screenshot (window, "inbox-not-qualified");

  /* The hostile message: its refused XDM is said, not hidden. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);

      if (cab_inbox_item_get_xdm_error (item) == NULL)
        continue;
      g_assert_true (cab_inbox_item_get_has_problem (item));
      cab_inbox_page_select (page, i);
      cab_test_ui_wait_for (reader_idle, reader, "the hostile message read");
      break;
    }

  /* Search: a word of one subject finds fewer messages; nonsense none. */
  {
    g_autoptr(CabInboxItem) first = g_list_model_get_item (model, 0);
    g_auto(GStrv) words = g_strsplit (cab_inbox_item_get_sender (first), " ", -1);
    guint loads = cab_inbox_list_get_n_loads (list);

    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.search", NULL);
    cab_inbox_list_set_text (list, words[0]);
    while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), <=, n_all);
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(CabInboxItem) item = g_list_model_get_item (model, i);
        g_assert_nonnull (item);
      }
    loads = cab_inbox_list_get_n_loads (list);
    cab_inbox_list_set_text (list, "zzqxwv");
    while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    g_assert_cmpstr (cab_inbox_page_get_state (page), ==, "empty");
    cab_test_ui_screenshot (window, "inbox-search-empty");
    loads = cab_inbox_list_get_n_loads (list);
    cab_inbox_list_set_text (list, NULL);
    while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_all);
  }

  /* An answer diffed on a worker against the list as it was is not
   * applied as such when a shown item changed since: the list must still
   * end up equal to the answer (the store's unread, not the local flip). */
  {
    g_autoptr(CabInboxItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);
    gboolean unread = cab_inbox_item_get_unread (first);
    gint64 id = cab_inbox_item_get_id (first);
    guint loads = cab_inbox_list_get_n_loads (list);

    cab_inbox_list_set_before_apply (list, flip_first_unread, NULL);
    cab_inbox_list_reload (list);
    while (cab_inbox_list_get_loading (list) || cab_inbox_list_get_n_loads (list) == loads)
      g_main_context_iteration (NULL, TRUE);
    g_clear_object (&first);
    first = g_list_model_get_item (G_LIST_MODEL (list), cab_inbox_list_find (list, id));
    g_assert_nonnull (first);
    g_assert_cmpint (cab_inbox_item_get_unread (first), ==, unread);
  }

  /* A message arrives while the window is open: the watcher syncs it and
   * the list shows it, counted on the sidebar. */
  {
    g_autoptr(GSubprocess) append = append_message (mail, messages, N_MESSAGES + 1);

    g_assert_true (g_subprocess_wait_check (append, NULL, &error));
    g_assert_no_error (error);
    cab_test_ui_wait_for (list_has_more, list, "the message that arrived");
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_MESSAGES + 1);
    g_assert_cmpuint (cab_inbox_page_get_n_to_triage (page), ==, N_MESSAGES + 1);
    g_assert_cmpstr (cab_window_get_inbox_badge (window), ==, "17");
  }

  /* The mail server goes away: the page says so, and keeps the messages.
   * Its directory stays until the watcher has stopped: its retries read
   * the CA file named in its settings. The triage changes reach it first,
   * so no push is connecting while it goes. */
  cab_test_ui_wait_for (triage_sent, session, "every triage change sent");
  cab_test_mail_stop (mail);
  cab_test_ui_wait_for (sync_problem_shown, page, "the offline banner");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_MESSAGES + 1);
  cab_test_ui_settle (300);
  cab_test_ui_screenshot (window, "inbox-offline");

  cab_session_shutdown (session);
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_stop_mail_watcher (app);
  cab_test_ui_settle (100);
  g_clear_pointer (&mail, cab_test_mail_free);
  cab_test_ui_remove_tree (tmp_dir);
  g_unsetenv ("CABINET_MAIL_PASSWORD");
}

/* No mailbox and nothing stored: the page says where to set one up. */
static void
test_no_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = g_dir_make_tmp ("cabinet-test-inbox-empty-XXXXXX", &error);
  CabConfig config = { 0 };
  CabWindow *window;
  CabInboxPage *page;

  g_assert_no_error (error);
  config.data_dir = data_dir;
  cab_application_set_config (app, &config);
  g_application_activate (G_APPLICATION (app));
  window = cab_application_get_window (app);
  cab_test_ui_wait_mapped (GTK_WIDGET (window));
  page = cab_window_get_inbox_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "inbox");
  cab_test_ui_wait_for (list_loaded, cab_inbox_page_get_list (page), "the empty inbox");
  g_assert_cmpstr (cab_inbox_page_get_state (page), ==, "no-account");
  g_assert_null (cab_window_get_inbox_badge (window));
  /* A front desk (no practitioner set): "Mine" cannot be chosen, and says why. */
  {
    GtkWidget *mine = cab_inbox_page_get_filter_button (page, CAB_INBOX_FILTER_ASSIGNED_TO_ME);

    g_assert_false (gtk_widget_get_sensitive (mine));
    g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (mine), _("Preferences")));
    gtk_widget_activate_action (GTK_WIDGET (page), "inbox.filter", "i", (int) CAB_INBOX_FILTER_ASSIGNED_TO_ME);
    g_assert_cmpint (cab_inbox_list_get_filter (cab_inbox_page_get_list (page)), ==, CAB_INBOX_FILTER_TO_TRIAGE);
  }
  cab_test_ui_wait_for (stack_settled, page, "the inbox page shown");
  cab_test_ui_screenshot (window, "inbox-no-account");

  /* Ctrl+? (win.show-help-overlay) has the shortcuts of every page. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  cab_session_shutdown (cab_window_get_session (window));
  gtk_window_close (GTK_WINDOW (window));
  cab_test_ui_settle (100);
  cab_test_ui_remove_tree (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_ui_init (&argc, &argv);
  app = cab_test_ui_new_application ();

  g_test_add_func ("/inbox/no-account", test_no_account);
  g_test_add_func ("/inbox/page", test_page);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
