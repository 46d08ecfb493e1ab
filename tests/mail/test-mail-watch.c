/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-watch"

/* The app's side of the mail sync against real Dovecot (one fixture for
 * every case): the watcher syncs, IDLEs and syncs again when a message
 * arrives; it reports an unreachable server as offline with the reason; an
 * incremental sync sees a keyword another client set (CONDSTORE) without
 * fetching any body again. "Another client" is a raw IMAP session of this
 * test, as a second workstation or a webmail would be. */

#include <string.h>
#include <glib/gstdio.h>

#include "cab-imap.h"
#include "cab-mail-index.h"
#include "cab-mail-store.h"
#include "cab-mail-sync.h"
#include "cab-mail-watcher.h"
#include "cab-store.h"
#include "cab-test-mail.h"

/* Only to end a hung test; no pass/fail depends on time. */
#define HANG_S 60

static CabTestMail *mail;
static char *tmp_dir;
static const char *skip_reason;

/* ---------------------------------------------------------------------- */
/* A raw IMAP client: the other workstation                               */

typedef struct
{
  GSocketConnection *socket;
  GIOStream         *tls;
  GDataInputStream  *in;
  GOutputStream     *out;
  guint              tag;
} RawImap;

static char *
raw_command (RawImap *raw, const char *command, const char *literal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autofree char *tag = g_strdup_printf ("t%u", ++raw->tag);
  g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, command);

  g_assert_true (g_output_stream_write_all (raw->out, line, strlen (line), NULL, NULL, &error));
  if (literal != NULL)
    {
      g_assert_true (g_output_stream_write_all (raw->out, literal, strlen (literal), NULL, NULL, &error));
      g_assert_true (g_output_stream_write_all (raw->out, "\r\n", 2, NULL, NULL, &error));
    }
  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *reply = g_data_input_stream_read_line (raw->in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_string_append_printf (answer, "%s\n", reply);
      if (g_str_has_prefix (reply, tag))
        {
          g_assert_true (g_str_has_prefix (reply + strlen (tag), " OK"));
          return g_string_free (g_steal_pointer (&answer), FALSE);
        }
    }
}

static RawImap *
raw_open (void)
{
  RawImap *raw = g_new0 (RawImap, 1);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", mail->imaps_port);
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL, *login = NULL, *select = NULL;

  raw->socket = g_socket_client_connect_to_host (client, "127.0.0.1", mail->imaps_port, NULL, &error);
  g_assert_no_error (error);
  raw->tls = g_tls_client_connection_new (G_IO_STREAM (raw->socket), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (raw->tls), db);
  raw->in = g_data_input_stream_new (g_io_stream_get_input_stream (raw->tls));
  g_data_input_stream_set_newline_type (raw->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  raw->out = g_io_stream_get_output_stream (raw->tls);
  greeting = g_data_input_stream_read_line (raw->in, NULL, NULL, &error);
  g_assert_no_error (error);
  login = raw_command (raw, "LOGIN alice secret", NULL);
  select = raw_command (raw, "SELECT INBOX", NULL);
  return raw;
}

static void
raw_close (RawImap *raw)
{
  g_object_unref (raw->in);
  g_io_stream_close (raw->tls, NULL, NULL);
  g_object_unref (raw->tls);
  g_object_unref (raw->socket);
  g_free (raw);
}

/* Appends a small message (LITERAL+: no round trip for the literal). */
static void
raw_append (RawImap *raw, const char *message_id)
{
  g_autofree char *eml = g_strdup_printf ("From: Labo <labo@example.org>\r\nTo: alice@example.org\r\n"
                                          "Subject: CR %s\r\nMessage-ID: <%s>\r\n"
                                          "Date: Mon, 30 Jun 2025 10:00:00 +0200\r\n"
                                          "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour.\r\n",
                                          message_id, message_id);
  g_autofree char *command = g_strdup_printf ("APPEND INBOX {%zu+}", strlen (eml));
  g_autofree char *answer = raw_command (raw, command, eml);
}

/* ---------------------------------------------------------------------- */

static CabStore *
open_store (const char *name, char **data_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  CabStore *store;

  *data_dir = g_build_filename (tmp_dir, name, NULL);
  g_mkdir_with_parents (*data_dir, 0700);
  path = g_build_filename (*data_dir, "cabinet.db", NULL);
  store = cab_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static guint
count_messages (CabStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_mail_store_list (store, NULL, &error);

  g_assert_no_error (error);
  return rows->len;
}

static void
wait_for_state (CabMailWatcher *watcher, CabMailWatcherState state)
{
  gint64 hang = g_get_monotonic_time () + HANG_S * G_USEC_PER_SEC;

  while (cab_mail_watcher_get_state (watcher) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, hang);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
changed_cb (CabMailWatcher *watcher, guint *n_changed)
{
  (*n_changed)++;
}

/* A message appended by another client while the watcher IDLEs is stored
 * without anyone asking for a sync. */
static void
test_watch_idle (void)
{
  g_autofree char *data_dir = NULL, *url = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(CabMailWatcher) watcher = NULL;
  RawImap *raw;
  guint n_changed = 0;
  gint64 hang;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  raw = raw_open ();
  raw_append (raw, "first@watch.test");
  store = open_store ("watch", &data_dir);
  url = cab_test_mail_url (mail, TRUE, NULL);
  watcher = cab_mail_watcher_new (store, url, "alice", mail->ca_file, data_dir);
  g_signal_connect (watcher, "changed", G_CALLBACK (changed_cb), &n_changed);
  cab_mail_watcher_start (watcher);

  /* The first sync, then IDLE. */
  wait_for_state (watcher, CAB_MAIL_WATCHER_IDLE);
  g_assert_cmpuint (n_changed, ==, 1);
  g_assert_cmpuint (count_messages (store), ==, 1);
  g_assert_cmpint (cab_mail_watcher_get_last_synced (watcher), >, 0);
  g_assert_null (cab_mail_watcher_get_error_message (watcher));

  /* The server's EXISTS wakes the watcher up. */
  raw_append (raw, "second@watch.test");
  hang = g_get_monotonic_time () + HANG_S * G_USEC_PER_SEC;
  while (n_changed < 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, hang);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (count_messages (store), ==, 2);

  cab_mail_watcher_stop (watcher);
  wait_for_state (watcher, CAB_MAIL_WATCHER_STOPPED);
  raw_close (raw);
}

static CabMailSyncResult
sync_once (CabStore *store, const char *data_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autofree char *url = cab_test_mail_url (mail, TRUE, NULL);
  CabMailSyncOptions options = {
    .url = url, .user = "alice", .password = "secret", .database = db, .data_dir = data_dir,
  };
  CabMailSyncResult result;

  g_assert_true (cab_mail_sync_run (store, &options, &result, NULL, &error));
  g_assert_no_error (error);
  return result;
}

static CabMailRow *
find_row (GPtrArray *rows, const char *message_id)
{
  for (guint i = 0; i < rows->len; i++)
    {
      CabMailRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->message_id, message_id) == 0)
        return row;
    }
  g_assert_not_reached ();
}

/* Another desk marks a message handled (a keyword, RFC 3501 STORE): the
 * next sync sees it through CONDSTORE without fetching a body again, and
 * sees nothing when nothing changed. */
static void
test_keywords_from_another_desk (void)
{
  g_autofree char *data_dir = NULL, *store_answer = NULL, *search = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  CabMailSyncResult first, second, third;
  RawImap *raw;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  raw = raw_open ();
  raw_append (raw, "keyword@watch.test");
  store = open_store ("keywords", &data_dir);
  first = sync_once (store, data_dir);
  g_assert_true (first.condstore);
  g_assert_cmpuint (first.n_new, >=, 1);
  before = cab_mail_store_list (store, NULL, &error);
  g_assert_cmpstr (find_row (before, "keyword@watch.test")->status, ==, "new");

  search = raw_command (raw, "UID SEARCH HEADER Message-ID keyword@watch.test", NULL);
  {
    /* "* SEARCH 7" */
    const char *hit = strstr (search, "* SEARCH ");
    g_autofree char *command = NULL;

    g_assert_nonnull (hit);
    command = g_strdup_printf ("UID STORE %u +FLAGS ($CabinetHandled)", (guint) g_ascii_strtoull (hit + 9, NULL, 10));
    store_answer = raw_command (raw, command, NULL);
  }

  second = sync_once (store, data_dir);
  g_assert_cmpuint (second.n_fetched, ==, 0);
  g_assert_cmpuint (second.n_flags_changed, ==, 1);
  after = cab_mail_store_list (store, NULL, &error);
  g_assert_cmpstr (find_row (after, "keyword@watch.test")->status, ==, "handled");

  third = sync_once (store, data_dir);
  g_assert_cmpuint (third.n_fetched, ==, 0);
  g_assert_cmpuint (third.n_flags_changed, ==, 0);
  raw_close (raw);
}

/* A PDF poppler cannot open is recorded as unreadable; the message is
 * stored and its readable parts indexed all the same. */
static void
test_broken_pdf (void)
{
  static const char eml[] =
    "From: Labo <labo@example.org>\r\nTo: alice@example.org\r\nSubject: CR cassé\r\n"
    "Message-ID: <broken-pdf@watch.test>\r\nDate: Mon, 30 Jun 2025 10:00:00 +0200\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCompte rendu zorglub joint.\r\n"
    "--b\r\nContent-Type: application/pdf; name=\"cr.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"cr.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0Zp\r\n"
    "--b--\r\n";
  g_autofree char *data_dir = NULL, *command = NULL, *answer = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL, found = NULL;
  g_autoptr(GError) error = NULL;
  CabMailRow *row;
  RawImap *raw;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  raw = raw_open ();
  command = g_strdup_printf ("APPEND INBOX {%zu+}", strlen (eml));
  answer = raw_command (raw, command, eml);
  raw_close (raw);
  store = open_store ("broken-pdf", &data_dir);
  sync_once (store, data_dir);
  rows = cab_mail_store_list (store, NULL, &error);
  g_assert_no_error (error);
  row = find_row (rows, "broken-pdf@watch.test");
  g_assert_cmpuint (row->documents->len, ==, 1);
  g_assert_cmpstr (((CabMailDocument *) g_ptr_array_index (row->documents, 0))->text_state, ==, "unreadable");
  found = cab_mail_store_search (store, NULL, "zorglub", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
}

typedef struct
{
  CabStore *store;
  GArray   *states;       /* CabMailWatcherState, each one the watcher went to */
  guint     n_changed;
  guint     n_pending;     /* messages left to index at the last "changed" */
} Rounds;

static void
rounds_state_cb (CabMailWatcher *watcher, GParamSpec *pspec, Rounds *r)
{
  CabMailWatcherState state = cab_mail_watcher_get_state (watcher);

  g_array_append_val (r->states, state);
}

static void
rounds_changed_cb (CabMailWatcher *watcher, Rounds *r)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_mail_index_n_pending (r->store, &r->n_pending, &error));
  g_assert_no_error (error);
  r->n_changed++;
}

/* PDFs indexed a round at a time after the sync: each round is announced
 * ("changed": a search shown finds their text), and between rounds the
 * watcher is idle, not receiving. */
static void
test_index_rounds (void)
{
  g_autofree char *data_dir = NULL, *url = NULL, *messages = NULL;
  g_autoptr(CabMailWatcher) watcher = NULL;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (CabMailWatcherState));
  g_autoptr(GError) error = NULL;
  Rounds r = { NULL, states, 0, G_MAXUINT };
  RawImap *raw;
  gint64 hang;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  /* The sandbox's lab results: their XDM names the patient, so their PDFs'
   * text is left to the indexing pass. */
  messages = g_build_filename (tmp_dir, "rounds-messages", NULL);
  g_assert_true (cab_test_mail_generate ("42", "40", "2025-06-30", 8, messages, &error));
  g_assert_no_error (error);
  raw = raw_open ();
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.eml", i + 1);
      g_autofree char *path = g_build_filename (messages, name, NULL);
      g_autofree char *eml = NULL, *command = NULL, *answer = NULL;

      g_assert_true (g_file_get_contents (path, &eml, NULL, &error));
      command = g_strdup_printf ("APPEND INBOX {%zu+}", strlen (eml));
      answer = raw_command (raw, command, eml);
    }
  raw_close (raw);
  r.store = open_store ("rounds", &data_dir);
  url = cab_test_mail_url (mail, TRUE, NULL);
  watcher = cab_mail_watcher_new (r.store, url, "alice", mail->ca_file, data_dir);
  cab_mail_watcher_set_index_round (watcher, 1);
  g_signal_connect (watcher, "notify::state", G_CALLBACK (rounds_state_cb), &r);
  g_signal_connect (watcher, "changed", G_CALLBACK (rounds_changed_cb), &r);
  cab_mail_watcher_start (watcher);

  /* Until a "changed" finds nothing left to index. */
  hang = g_get_monotonic_time () + HANG_S * G_USEC_PER_SEC;
  while (r.n_pending != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, hang);
      g_main_context_iteration (NULL, TRUE);
    }
  /* The first sync's, then one a round: two rounds at least. */
  g_assert_cmpuint (r.n_changed, >=, 3);
  /* Receiving once, then idle through every round. */
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, CabMailWatcherState, 0), ==, CAB_MAIL_WATCHER_SYNCING);
  g_assert_cmpint (g_array_index (states, CabMailWatcherState, 1), ==, CAB_MAIL_WATCHER_IDLE);

  cab_mail_watcher_stop (watcher);
  wait_for_state (watcher, CAB_MAIL_WATCHER_STOPPED);
  g_clear_object (&watcher);
  g_object_unref (r.store);
}

/* A server that does not answer: offline, with a reason the page can show,
 * and the watcher tries again rather than giving up. */
static void
test_watch_offline (void)
{
  g_autofree char *data_dir = NULL, *url = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(CabMailWatcher) watcher = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL, bound = NULL;
  guint n_offline = 0;
  gint64 hang;

  /* A port that was free a moment ago: nothing listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("imaps://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  store = open_store ("offline", &data_dir);
  watcher = cab_mail_watcher_new (store, url, "alice", NULL, data_dir);
  cab_mail_watcher_set_timing (watcher, 60, 1, 1);
  cab_mail_watcher_start (watcher);
  /* Offline twice: it tried again after the back-off. */
  hang = g_get_monotonic_time () + HANG_S * G_USEC_PER_SEC;
  while (n_offline < 2)
    {
      CabMailWatcherState before = cab_mail_watcher_get_state (watcher);

      g_assert_cmpint (g_get_monotonic_time (), <, hang);
      g_main_context_iteration (NULL, TRUE);
      if (before != CAB_MAIL_WATCHER_OFFLINE && cab_mail_watcher_get_state (watcher) == CAB_MAIL_WATCHER_OFFLINE)
        {
          n_offline++;
          g_assert_nonnull (cab_mail_watcher_get_error_message (watcher));
          g_assert_cmpstr (cab_mail_watcher_get_error_message (watcher), !=, "");
        }
    }
  g_assert_cmpint (cab_mail_watcher_get_last_synced (watcher), ==, 0);
  cab_mail_watcher_stop (watcher);
  wait_for_state (watcher, CAB_MAIL_WATCHER_STOPPED);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("cabinet-mail-watch-XXXXXX", NULL);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("CABINET_MAIL_PASSWORD", "secret", TRUE);
  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    skip_reason = error->message;

  g_test_add_func ("/mail-watch/idle", test_watch_idle);
  g_test_add_func ("/mail-watch/offline", test_watch_offline);
  g_test_add_func ("/mail-watch/keywords-from-another-desk", test_keywords_from_another_desk);
  g_test_add_func ("/mail-watch/broken-pdf", test_broken_pdf);
  g_test_add_func ("/mail-watch/index-rounds", test_index_rounds);
  status = g_test_run ();

  g_clear_pointer (&mail, cab_test_mail_free);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    (void) !system (cmd);
  }
  g_free (tmp_dir);
  return status;
}
