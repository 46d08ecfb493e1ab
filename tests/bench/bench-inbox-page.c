/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Inbox page at 10,000 messages:
 *   (a) opening it: from the page given its session to the first frame
 *       drawn with messages in the list, against opening the Outbox page
 *       (also a list over the store, read on core's pool) and an empty
 *       AdwStatusPage, in the same window and the same run;
 *   (b) a filter change (to triage -> all, all -> handled -> to triage):
 *       from the click to the first frame with the new list, against the
 *       bare store listing of the same filter (cab_inbox_store_list()) on
 *       this thread.
 * Goal: (a) and (b) 50 ms to the first frame.
 *
 * The messages are real: the sandbox's MSSanté messages put into a real
 * Dovecot (mail-fixture) and synced with cab_mail_sync_run(); the store's
 * rows are then copied, under new Message-IDs, up to 10,000 (with their
 * documents and their full-text rows), since syncing 10,000 messages would
 * take minutes and measure the sync, not the page. Needs the mail fixture
 * (root, Dovecot, Postfix) and a display (xvfb-run -a); prints figures,
 * never fails on a timing.
 */
#define G_LOG_DOMAIN "cab-bench"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cab-mail-sync.h"
#include "cab-test-mail.h"
#include "cab-store-private.h"
#include "desk-fixtures.h"
#include "inbox/cab-inbox-page.h"
#include "outbox/cab-outbox-page.h"

#define N_REAL      60
#define N_MESSAGES  10000
#define RUNS        7   /* CABINET_BENCH_RUNS overrides */

/* ------------------------------------------------------------ figures */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return values->len ? g_array_index (values, double, values->len / 2) : NAN;
}

static double
max_of (GArray *values)
{
  g_array_sort (values, compare_double);
  return values->len ? g_array_index (values, double, values->len - 1) : NAN;
}

/* ---------------------------------------------------------- the store */

static void
append_all (CabTestMail *mail, const char *messages)
{
  g_autofree char *folder = g_strdup_printf ("imaps://127.0.0.1:%u/INBOX", mail->imaps_port);
  GSubprocess *senders[N_REAL];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_REAL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.eml", i + 1);
      g_autofree char *path = g_build_filename (messages, name, NULL);
      const char *append[] = { "curl", "-sS", "--max-time", "60", "--cacert", mail->ca_file,
                               "--user", "alice:secret", "--url", folder, "-T", path, NULL };

      senders[i] = g_subprocess_newv (append, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < N_REAL; i++)
    {
      g_assert_true (g_subprocess_wait_check (senders[i], NULL, &error));
      g_assert_no_error (error);
      g_object_unref (senders[i]);
    }
}

/* Copies of the synced rows under new keys, up to N_MESSAGES; one in
 * three handled, so the filters differ. */
static void
scale_up (CabStore *store)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
  g_autoptr(GError) error = NULL;
  char *message = NULL;
  const char *sql =
    "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?1)"
    " INSERT INTO mail_messages (account, mailbox, uidvalidity, uid, message_key, message_id, body_hash, date,"
    "  from_display, from_address, subject, size, raw_path, status, match_state, match_reason, match_ins,"
    "  match_patient_id, match_candidates, match_disagreeing, mss_ins, mss_codecda, mss_fin, smime_signed,"
    "  xdm_error, received_at)"
    " SELECT account, mailbox, uidvalidity, 100000 + n.k * 1000 + m.uid, message_key || '#' || n.k,"
    "  'copy' || n.k || '-' || message_id, body_hash, date - n.k * 3600, from_display, from_address, subject,"
    "  size, raw_path, CASE WHEN (n.k + m.id) % 3 = 0 THEN 'handled' ELSE status END, match_state,"
    "  match_reason, match_ins, match_patient_id, match_candidates, match_disagreeing, mss_ins, mss_codecda,"
    "  mss_fin, smime_signed, xdm_error, received_at"
    " FROM mail_messages m, n WHERE m.id <= ?2";
  g_autoptr(CabStmt) stmt = NULL;
  int copies;
  sqlite3_int64 originals;

  g_assert_true (cab_store_begin (writer, &error));
  originals = N_REAL;
  copies = (N_MESSAGES - N_REAL + N_REAL - 1) / N_REAL;
  stmt = cab_store_conn_prepare (writer, sql, &error);
  g_assert_no_error (error);
  sqlite3_bind_int (stmt, 1, copies);
  sqlite3_bind_int64 (stmt, 2, originals);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_exec (writer->db,
    "DELETE FROM mail_messages WHERE id > " G_STRINGIFY (N_MESSAGES) ";"
    "INSERT INTO mail_documents (mail_id, position, source, filename, content_type, size, sha1, hash_ok,"
    " type_code, type_display)"
    " SELECT c.id, d.position, d.source, d.filename, d.content_type, d.size, d.sha1, d.hash_ok, d.type_code,"
    " d.type_display FROM mail_messages c JOIN mail_messages o"
    "  ON o.message_key = substr (c.message_key, 1, instr (c.message_key, '#') - 1)"
    " JOIN mail_documents d ON d.mail_id = o.id WHERE c.id > " G_STRINGIFY (N_REAL) ";"
    "INSERT INTO mail_fts (rowid, subject, sender, body, attachments)"
    " SELECT c.id, f.subject, f.sender, f.body, f.attachments FROM mail_messages c JOIN mail_messages o"
    "  ON o.message_key = substr (c.message_key, 1, instr (c.message_key, '#') - 1)"
    " JOIN mail_fts f ON f.rowid = o.id WHERE c.id > " G_STRINGIFY (N_REAL) ";",
    NULL, NULL, &message), ==, SQLITE_OK);
  g_assert_true (cab_store_commit (writer, &error));
}

static gboolean
store_open (gpointer data)
{
  return cab_session_get_store (data) != NULL;
}

/* ------------------------------------------------------- frame timing */

static gint64 model_at;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  model_at = g_get_monotonic_time ();
}

typedef struct
{
  gint64    start;
  gint64    painted_at;
  gboolean  (*ready) (gpointer data);
  gpointer  data;
} Frame;

static void
after_paint_cb (GdkFrameClock *clock, Frame *f)
{
  if (f->painted_at == 0 && f->ready (f->data))
    f->painted_at = g_get_monotonic_time ();
}

static gboolean
frame_done (gpointer data)
{
  return ((Frame *) data)->painted_at != 0;
}

/* Runs @change, then waits for the first frame drawn once @ready holds. */
static double
time_to_frame (GtkWindow *window, void (*change) (gpointer), gpointer change_data,
               gboolean (*ready) (gpointer), gpointer ready_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  Frame f = { 0, 0, ready, ready_data };
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &f);

  f.start = g_get_monotonic_time ();
  change (change_data);
  g_assert_true (desk_wait_until (frame_done, &f, 30000));
  g_signal_handler_disconnect (clock, id);

  return (f.painted_at - f.start) / 1000.0;
}

typedef struct
{
  GtkWindow  *window;
  CabSession *session;
  GtkWidget  *page;
} Open;

static void
open_inbox (gpointer data)
{
  Open *o = data;

  o->page = cab_inbox_page_new ();
  cab_inbox_page_set_filter (CAB_INBOX_PAGE (o->page), CAB_INBOX_FILTER_ALL);
  g_signal_connect (cab_inbox_page_get_list (CAB_INBOX_PAGE (o->page)), "items-changed",
                    G_CALLBACK (items_changed_cb), NULL);
  cab_inbox_page_set_session (CAB_INBOX_PAGE (o->page), o->session);
  gtk_window_set_child (o->window, o->page);
}

/* Messages in the list, and the list on screen: the page draws the first
 * ones before the rest is read. */
static gboolean
inbox_shown (gpointer data)
{
  Open *o = data;
  CabInboxList *list = cab_inbox_page_get_list (CAB_INBOX_PAGE (o->page));

  return g_list_model_get_n_items (G_LIST_MODEL (list)) > 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (cab_inbox_page_get_list_view (CAB_INBOX_PAGE (o->page))));
}

static gboolean
list_complete (gpointer data)
{
  return !cab_inbox_list_get_loading (data);
}

static void
open_outbox (gpointer data)
{
  Open *o = data;

  o->page = cab_outbox_page_new ();
  cab_outbox_page_set_session (CAB_OUTBOX_PAGE (o->page), o->session);
  gtk_window_set_child (o->window, o->page);
}

static gboolean
outbox_shown (gpointer data)
{
  Open *o = data;

  return cab_outbox_page_get_n_loads (CAB_OUTBOX_PAGE (o->page)) > 0 && gtk_widget_get_mapped (o->page);
}

static void
open_empty (gpointer data)
{
  Open *o = data;

  o->page = adw_status_page_new ();
  adw_status_page_set_title (ADW_STATUS_PAGE (o->page), "Inbox");
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (o->page), "mail-unread-symbolic");
  gtk_window_set_child (o->window, o->page);
}

static gboolean
empty_shown (gpointer data)
{
  return gtk_widget_get_mapped (((Open *) data)->page);
}

static void
close_page (Open *o)
{
  gtk_window_set_child (o->window, NULL);
  o->page = NULL;
  desk_wait_for_frame (GTK_WIDGET (o->window));
}

typedef struct
{
  CabInboxPage  *page;
  CabInboxFilter filter;
  gint64         start;
} Filter;

static void
set_filter (gpointer data)
{
  Filter *f = data;

  f->start = g_get_monotonic_time ();
  cab_inbox_page_set_filter (f->page, f->filter);
}

/* The list changed after the click: the first messages of the new filter
 * (or none, when the filter has none). */
static gboolean
filter_shown (gpointer data)
{
  Filter *f = data;
  CabInboxList *list = cab_inbox_page_get_list (f->page);

  return model_at > f->start && cab_inbox_list_get_filter (list) == f->filter;
}

/* ---------------------------------------------------------------- main */

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestMail) mail = NULL;
  g_autoptr(CabSession) session = NULL;
  g_autoptr(GArray) inbox_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) outbox_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL, *data_dir = NULL, *messages = NULL, *url = NULL;
  CabConfig config = { 0 };
  CabMailSyncOptions options = { 0 };
  CabMailSyncResult result;
  GtkWindow *window;
  CabStore *store;
  Open o = { 0 };
  double i50, x50, e50, f50, b50;
  guint runs = g_getenv ("CABINET_BENCH_RUNS") ? (guint) atoi (g_getenv ("CABINET_BENCH_RUNS")) : RUNS;

  desk_init_lang (&argc, argv);
  desk_init_toolkit ();
  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    {
      g_print ("bench-inbox-page: skipped, no mail fixture here (%s)\n", error->message);
      return 77;
    }

  dir = g_dir_make_tmp ("cab-bench-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (dir, "data", NULL);
  messages = g_build_filename (dir, "messages", NULL);
  {
    const char *gen[] = { g_getenv ("CABINET_SANDBOX_MAIL"), "--seed", "42", "--patients", "40",
                          "--count", G_STRINGIFY (N_REAL), "--out", messages, NULL };
    g_autoptr(GSubprocess) generator = g_subprocess_newv (gen, G_SUBPROCESS_FLAGS_NONE, &error);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (generator, NULL, &error));
  }
  append_all (mail, messages);

  config.data_dir = data_dir;
  session = cab_session_new (&config);
  cab_session_start (session);
  g_assert_true (desk_wait_until (store_open, session, 30000));
  store = cab_session_get_store (session);
  url = cab_test_mail_url (mail, TRUE, NULL);
  options.url = url;
  options.user = "alice";
  options.password = "secret";
  options.database = g_tls_file_database_new (mail->ca_file, &error);
  g_assert_no_error (error);
  options.data_dir = data_dir;
  g_assert_true (cab_mail_sync_run (store, &options, &result, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.n_new, ==, N_REAL);
  g_clear_object (&options.database);
  scale_up (store);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1200, 800);
  gtk_window_present (window);
  desk_wait_for_frame (GTK_WIDGET (window));
  o.window = window;
  o.session = session;

  /* (a) open: the inbox, the outbox, an empty page, in turns; the first
   * round warms the caches. */
  for (guint run = 0; run < runs + 1; run++)
    {
      double ms;

      ms = time_to_frame (window, open_inbox, &o, inbox_shown, &o);
      g_assert_true (desk_wait_until (list_complete, cab_inbox_page_get_list (CAB_INBOX_PAGE (o.page)), 30000));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cab_inbox_page_get_list (CAB_INBOX_PAGE (o.page)))),
                        ==, N_MESSAGES);
      if (run > 0)
        g_array_append_val (inbox_ms, ms);

      /* (b) filters on the open page, against the bare listing. */
      if (run > 0)
        {
          static const CabInboxFilter order[] = { CAB_INBOX_FILTER_TO_TRIAGE, CAB_INBOX_FILTER_HANDLED,
                                                  CAB_INBOX_FILTER_ALL };

          for (guint i = 0; i < G_N_ELEMENTS (order); i++)
            {
              Filter f = { CAB_INBOX_PAGE (o.page), order[i] };
              CabInboxQuery query = { order[i], NULL, NULL, 0 };
              gint64 start;
              g_autoptr(CabInboxListing) listing = NULL;

              ms = time_to_frame (window, set_filter, &f, filter_shown, &f);
              g_array_append_val (filter_ms, ms);
              g_assert_true (desk_wait_until (list_complete, cab_inbox_page_get_list (f.page), 30000));
              start = g_get_monotonic_time ();
              listing = cab_inbox_store_list (store, &query, &error);
              g_assert_no_error (error);
              ms = (g_get_monotonic_time () - start) / 1000.0;
              g_array_append_val (bare_ms, ms);
            }
        }
      close_page (&o);

      ms = time_to_frame (window, open_outbox, &o, outbox_shown, &o);
      if (run > 0)
        g_array_append_val (outbox_ms, ms);
      close_page (&o);

      ms = time_to_frame (window, open_empty, &o, empty_shown, &o);
      if (run > 0)
        g_array_append_val (empty_ms, ms);
      close_page (&o);
    }

  i50 = median (inbox_ms);
  x50 = median (outbox_ms);
  e50 = median (empty_ms);
  f50 = median (filter_ms);
  b50 = median (bare_ms);
  g_print ("(a) open the Inbox page at %u messages, to the first frame with them, %u runs: p50 %.1f ms, "
           "max %.1f ms (goal 50 ms); Outbox page p50 %.1f ms (ratio %.2fx); empty page p50 %.1f ms "
           "(ratio %.2fx)\n",
           N_MESSAGES, inbox_ms->len, i50, max_of (inbox_ms), x50, i50 / x50, e50, i50 / e50);
  g_print ("(b) filter change to the first frame with the new list, %u changes: p50 %.1f ms, max %.1f ms "
           "(goal 50 ms); bare store listing of the same filter p50 %.1f ms (ratio %.2fx)\n",
           filter_ms->len, f50, max_of (filter_ms), b50, f50 / b50);

  gtk_window_destroy (window);
  cab_session_shutdown (session);
  g_clear_object (&session);
  desk_remove_dir (dir);
  return 0;
}
