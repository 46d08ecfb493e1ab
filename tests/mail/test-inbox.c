/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-inbox"

/* cabinetctl inbox against real servers: the sandbox's practice synced into
 * a store, the sandbox's MSSanté messages submitted through Postfix,
 * delivered by LMTP into Dovecot, and synced over IMAPS. Checks: what
 * arrives is what was sent (the PDF byte for byte), matches never name the
 * wrong patient, a second sync fetches only new mail, a renumbered folder
 * (UIDVALIDITY change) brings no duplicate, syncs killed at random
 * moments or a connection cut in the middle of a FETCH lose and double
 * nothing, PDFs' text left to the indexing pass is searchable once it has
 * run, even when it was stopped or killed, and a wrong CA, a wrong host
 * name and a server without STARTTLS are refused with the store intact. */

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "cab-imap.h"
#include "cab-mail-index.h"
#include "cab-mime.h"
#include "cab-test-mail.h"
#include "cab-test-sandbox.h"

#define SEED       "42"
#define PATIENTS   "40"
#define TODAY      "2025-06-30"
#define N_FIRST    12
#define N_MESSAGES 16

static CabTestSandbox *sandbox;
static CabTestMail *mail;
static char *tmp_dir, *data_dir, *messages_dir;
static JsonArray *truths;
static const char *skip_reason;

static int
run_ctl (char **out, char **err, ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  const char *arg;
  va_list ap;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
  g_ptr_array_add (args, g_strdup (g_getenv ("CABINETCTL")));
  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (data_dir));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  if (e != NULL && *e != '\0')
    g_test_message ("stderr: %s", e);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_exit_status (process);
}

static JsonNode *
ctl_json (int expected_exit, ...)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;
  int status;
  JsonNode *node;

  va_start (ap, expected_exit);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  /* Up to 12 arguments are enough here. */
  g_assert_cmpuint (args->len, <=, 12);
  while (args->len < 12)
    g_ptr_array_add (args, NULL);
  status = run_ctl (&out, NULL, args->pdata[0], args->pdata[1], args->pdata[2], args->pdata[3],
                    args->pdata[4], args->pdata[5], args->pdata[6], args->pdata[7], args->pdata[8],
                    args->pdata[9], args->pdata[10], args->pdata[11], NULL);
  g_assert_cmpint (status, ==, expected_exit);
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  return node;
}

static JsonNode *
inbox_sync (const char *url, const char *ca)
{
  return ctl_json (0, "--ca", ca, "inbox", "sync", "--imap", url, "--mail-user", "alice", "--json", NULL);
}

static JsonArray *
inbox_list (void)
{
  JsonNode *node = ctl_json (0, "inbox", "list", "--json", NULL);
  JsonArray *array = json_array_ref (json_node_get_array (node));

  json_node_unref (node);
  return array;
}

static void
send_messages (guint from, guint to)
{
  for (guint i = from; i < to; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.eml", i + 1);
      g_autofree char *path = g_build_filename (messages_dir, name, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (cab_test_mail_send (mail, path, &error));
      g_assert_no_error (error);
    }
  cab_test_mail_wait_delivered (mail, to);
}

static JsonObject *
truth_for (const char *message_id)
{
  g_autofree char *bracketed = g_strdup_printf ("<%s>", message_id);

  for (guint i = 0; i < json_array_get_length (truths); i++)
    {
      JsonObject *t = json_array_get_object_element (truths, i);
      if (g_str_equal (json_object_get_string_member (t, "message_id"), bracketed))
        return t;
    }
  g_assert_not_reached ();
}

static GBytes *
pdf_of (GBytes *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabMimeMessage) m = cab_mime_parse (raw, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < m->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (m->attachments, i);
      if (g_str_equal (a->content_type, "application/pdf"))
        return g_bytes_ref (a->content);
    }
  g_assert_not_reached ();
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  return g_bytes_new_take (data, len);
}

/* ---------------------------------------------------------------------- */

static void
test_sync_and_match (void)
{
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonArray) list = NULL;
  guint n_auto = 0, n_auto_allowed = 0;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  send_messages (0, N_FIRST);
  url = cab_test_mail_url (mail, TRUE, NULL);
  result = inbox_sync (url, mail->ca_file);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "fetched"), ==, N_FIRST);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "new"), ==, N_FIRST);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (result), "condstore"));

  list = inbox_list ();
  g_assert_cmpuint (json_array_get_length (list), ==, N_FIRST);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *msg = json_array_get_object_element (list, i);
      JsonObject *match = json_object_get_object_member (msg, "match");
      JsonObject *truth = truth_for (json_object_get_string_member (msg, "message_id"));
      const char *state = json_object_get_string_member (match, "state");
      gboolean auto_allowed = json_object_get_boolean_member (truth, "auto_allowed");
      g_autofree char *sent_path = g_build_filename (messages_dir, json_object_get_string_member (truth, "file"), NULL);
      g_autoptr(GBytes) sent = read_file (sent_path);
      g_autoptr(GBytes) stored = read_file (json_object_get_string_member (msg, "raw_path"));
      g_autoptr(GBytes) sent_pdf = pdf_of (sent);
      g_autoptr(GBytes) stored_pdf = pdf_of (stored);
      GStatBuf st;

      /* What arrived is what was sent, and it is private. */
      g_assert_true (g_bytes_equal (sent_pdf, stored_pdf));
      g_assert_cmpint (g_stat (json_object_get_string_member (msg, "raw_path"), &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (msg, "documents")), >, 0);

      n_auto_allowed += auto_allowed;
      if (g_str_equal (state, "auto"))
        {
          g_assert_true (auto_allowed);
          g_assert_cmpstr (json_object_get_string_member (match, "patient_id"), ==,
                           json_object_get_string_member (truth, "patient_id"));
          n_auto++;
        }
      if (g_str_equal (state, "proposed"))
        g_assert_cmpstr (json_object_get_string_member (match, "patient_id"), ==,
                         json_object_get_string_member (truth, "patient_id"));
    }
  g_assert_cmpuint (n_auto, ==, n_auto_allowed);
  g_assert_cmpuint (n_auto, >, 0);

  /* Without XDM, the PDF's identity box still proposes (never files) the
   * patient; and the PDFs' text is in the index: "IPP" is only there. */
  {
    g_autoptr(JsonNode) found = ctl_json (0, "inbox", "list", "--search", "IPP", "--json", NULL);
    g_autoptr(JsonNode) none = ctl_json (0, "inbox", "list", "--search", "zzqxw", "--json", NULL);
    JsonArray *hits = json_node_get_array (found);
    guint n_text_proposed = 0;

    g_assert_cmpuint (json_array_get_length (hits), ==, N_FIRST);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
    for (guint i = 0; i < json_array_get_length (hits); i++)
      {
        JsonObject *msg = json_array_get_object_element (hits, i);
        JsonArray *docs = json_object_get_array_member (msg, "documents");
        JsonObject *match = json_object_get_object_member (msg, "match");
        JsonObject *truth = truth_for (json_object_get_string_member (msg, "message_id"));
        guint n_indexed = 0;

        for (guint d = 0; d < json_array_get_length (docs); d++)
          n_indexed += g_strcmp0 (json_object_get_string_member (json_array_get_object_element (docs, d),
                                                                 "text_state"), "indexed") == 0;
        g_assert_cmpuint (n_indexed, >, 0);
        if (g_str_equal (json_object_get_string_member (truth, "kind"), "no-ins") &&
            g_str_equal (json_object_get_string_member (match, "state"), "proposed"))
          n_text_proposed++;
      }
    g_assert_cmpuint (n_text_proposed, >, 0);
  }
}

static void
test_incremental (void)
{
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) second = NULL, third = NULL;
  g_autoptr(JsonArray) list = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  send_messages (N_FIRST, N_MESSAGES);
  url = cab_test_mail_url (mail, FALSE, NULL);   /* STARTTLS this time */
  second = inbox_sync (url, mail->ca_file);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (second), "fetched"), ==, N_MESSAGES - N_FIRST);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (second), "new"), ==, N_MESSAGES - N_FIRST);
  third = inbox_sync (url, mail->ca_file);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (third), "fetched"), ==, 0);
  list = inbox_list ();
  g_assert_cmpuint (json_array_get_length (list), ==, N_MESSAGES);
}

static void
test_uidvalidity_change (void)
{
  g_autofree char *url = NULL, *maildir = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  /* Dovecot renumbers a Maildir whose UID list and indexes are gone. */
  maildir = g_build_filename (mail->dir, "home", "alice", "Maildir", NULL);
  dir = g_dir_open (maildir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "dovecot-uidlist") || g_str_has_prefix (name, "dovecot.index") ||
        g_str_has_prefix (name, "dovecot.list.index"))
      {
        g_autofree char *path = g_build_filename (maildir, name, NULL);
        g_assert_cmpint (g_unlink (path), ==, 0);
      }
  url = cab_test_mail_url (mail, TRUE, NULL);
  result = inbox_sync (url, mail->ca_file);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (result), "uidvalidity_changed"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "fetched"), ==, N_MESSAGES);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "new"), ==, 0);
  list = inbox_list ();
  g_assert_cmpuint (json_array_get_length (list), ==, N_MESSAGES);
}

static void
expect_refused (const char *url, const char *ca, const char *words)
{
  g_autofree char *err = NULL;
  g_autoptr(JsonArray) before = inbox_list ();
  g_autoptr(JsonArray) after = NULL;
  int status = run_ctl (NULL, &err, "--ca", ca, "inbox", "sync", "--imap", url, "--mail-user", "alice", NULL);

  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (err, words));
  after = inbox_list ();
  g_assert_cmpuint (json_array_get_length (after), ==, json_array_get_length (before));
}

static void
test_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabTestMail) plain = NULL;
  g_autofree char *url = NULL, *wrong_host = NULL, *starttls = NULL, *plain_url = NULL;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  url = cab_test_mail_url (mail, TRUE, NULL);
  starttls = cab_test_mail_url (mail, FALSE, NULL);
  wrong_host = cab_test_mail_url (mail, TRUE, "127.0.0.2");
  expect_refused (url, mail->other_ca_file, "not signed by a trusted authority");
  expect_refused (starttls, mail->other_ca_file, "not signed by a trusted authority");
  expect_refused (wrong_host, mail->ca_file, "another host name");

  plain = cab_test_mail_start (TRUE, &error);
  g_assert_no_error (error);
  plain_url = cab_test_mail_url (plain, FALSE, NULL);
  expect_refused (plain_url, mail->ca_file, "does not offer STARTTLS");
}

static guint
count_hits (const char *words)
{
  g_autoptr(JsonNode) found = ctl_json (0, "inbox", "list", "--search", words, "--json", NULL);

  return json_array_get_length (json_node_get_array (found));
}

/* How many PDF documents are in each text state. */
static void
count_text_states (guint *n_pending, guint *n_indexed)
{
  g_autoptr(JsonArray) list = inbox_list ();

  *n_pending = *n_indexed = 0;
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonArray *docs = json_object_get_array_member (json_array_get_object_element (list, i), "documents");

      for (guint d = 0; d < json_array_get_length (docs); d++)
        {
          JsonObject *doc = json_array_get_object_element (docs, d);
          const char *state = json_object_get_null_member (doc, "text_state")
                              ? NULL : json_object_get_string_member (doc, "text_state");

          *n_pending += g_strcmp0 (state, "pending") == 0;
          *n_indexed += g_strcmp0 (state, "indexed") == 0;
        }
    }
}

/* SIGKILL at random moments of 20 syncs into a fresh store, two or three
 * messages per committed batch, then one sync to the end: every message
 * once, each with its raw file. */
#define N_KILLS 20

/* What a killed sync left committed: its watermark and its messages' UIDs
 * in the order they were committed (rowid order). */
typedef struct
{
  gint64  last_uid;
  GArray *uids;   /* gint64 */
} Committed;

static void
committed_free (Committed *c)
{
  g_array_unref (c->uids);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Committed, committed_free)

static Committed *
read_committed (void)
{
  g_autofree char *path = g_build_filename (data_dir, "cabinet.db", NULL);
  Committed *c = g_new0 (Committed, 1);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  c->uids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return c;   /* killed before the store was made */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  /* Killed before the mail tables existed: nothing committed. */
  if (sqlite3_prepare_v2 (db, "SELECT last_uid FROM mail_folders", -1, &stmt, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        c->last_uid = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT uid FROM mail_messages ORDER BY id", -1, &stmt, NULL),
                       ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 uid = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (c->uids, uid);
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return c;
}

/* The pipeline's contract (docs/architecture.md, "Mail", "The pipeline"),
 * whatever order its parsers finish in: messages are committed in UID
 * order, and the watermark never passes a message that is not committed,
 * so what a kill leaves is every UID of the server up to the watermark,
 * each once, and nothing above it. @server: every UID, from the last sync. */
static void
assert_committed (const Committed *c, GHashTable *server)
{
  guint n_below = 0;
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < c->uids->len; i++)
    {
      gint64 uid = g_array_index (c->uids, gint64, i);

      if (i > 0)
        g_assert_cmpint (uid, >, g_array_index (c->uids, gint64, i - 1));
      g_assert_cmpint (uid, <=, c->last_uid);
      g_assert_true (g_hash_table_contains (server, GINT_TO_POINTER ((gint) uid)));
    }
  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    n_below += GPOINTER_TO_INT (key) <= c->last_uid;
  g_assert_cmpuint (c->uids->len, ==, n_below);
}

static void
test_kill_and_resume (void)
{
  g_autofree char *url = NULL, *saved_dir = NULL;
  g_autoptr(JsonNode) last = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) server = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) committed_free);
  guint n_killed = 0;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  saved_dir = data_dir;
  data_dir = g_build_filename (tmp_dir, "killed", NULL);
  url = cab_test_mail_url (mail, TRUE, NULL);
  for (guint i = 0; i < N_KILLS; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      const char *args[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "--ca", mail->ca_file,
                             "inbox", "sync", "--imap", url, "--mail-user", "alice", "--batch",
                             i % 2 ? "3" : "2", NULL };
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;

      g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
      g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
      process = g_subprocess_launcher_spawnv (launcher, args, &error);
      g_assert_no_error (error);
      if (i % 4 == 0)
        /* From before the first batch to near the end of a whole sync. */
        g_usleep ((i * 60 + g_random_int_range (0, 60)) * 1000);
      else
        {
          /* Once this run committed a batch (however loaded the machine),
           * at a random moment of the batches after it: parsers busy,
           * files written, a transaction under way. */
          g_autoptr(Committed) before = read_committed ();
          gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

          while (g_get_monotonic_time () < deadline)
            {
              g_autoptr(Committed) now = read_committed ();

              if (now->uids->len > before->uids->len || now->last_uid > before->last_uid ||
                  g_subprocess_get_identifier (process) == NULL)
                break;
              g_usleep (5000);
            }
          g_usleep (g_random_int_range (0, 80) * 1000);
        }
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      n_killed += g_subprocess_get_if_signaled (process);
      g_ptr_array_add (snapshots, read_committed ());
    }
  list = inbox_list ();
  g_test_message ("%u of %u syncs killed before they ended, %u messages stored by then",
                  n_killed, N_KILLS, json_array_get_length (list));
  g_clear_pointer (&list, json_array_unref);

  last = ctl_json (0, "--ca", mail->ca_file, "inbox", "sync", "--imap", url, "--mail-user", "alice",
                   "--batch", "2", "--json", NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (last), "last_uid"), >=, N_MESSAGES);
  /* Kills during the indexing pass too: every message found by its PDF's text. */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (last), "index_pending"), ==, 0);
  g_assert_cmpuint (count_hits ("IPP"), ==, N_MESSAGES);
  list = inbox_list ();
  g_assert_cmpuint (json_array_get_length (list), ==, N_MESSAGES);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *msg = json_array_get_object_element (list, i);
      g_autoptr(GBytes) raw = read_file (json_object_get_string_member (msg, "raw_path"));

      g_assert_true (g_hash_table_add (seen, (gpointer) json_object_get_string_member (msg, "message_id")));
      g_assert_cmpuint (g_bytes_get_size (raw), ==, json_object_get_int_member (msg, "size"));
    }
  {
    g_autoptr(Committed) all = read_committed ();

    for (guint i = 0; i < all->uids->len; i++)
      g_hash_table_add (server, GINT_TO_POINTER ((gint) g_array_index (all->uids, gint64, i)));
    g_assert_cmpuint (g_hash_table_size (server), ==, N_MESSAGES);
    assert_committed (all, server);
  }
  for (guint i = 0; i < snapshots->len; i++)
    assert_committed (g_ptr_array_index (snapshots, i), server);
  g_free (data_dir);
  data_dir = g_steal_pointer (&saved_dir);
}

/* The sync leaves the PDFs' text of messages whose XDM names the patient
 * to the indexing pass: until it runs, their PDF text ("IPP" is only
 * there) finds nothing; a pass stopped after one message, then passes
 * killed at random moments, then one to the end: every message is found by
 * its PDF text, every PDF document indexed, nothing left pending. */
static void
test_index_pass (void)
{
  g_autofree char *url = NULL, *saved_dir = NULL, *db_path = NULL;
  g_autoptr(JsonNode) synced = NULL, last = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint n_pending_messages, n_found, n_pending, n_indexed, n_done = 0, left = 0;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  saved_dir = data_dir;
  data_dir = g_build_filename (tmp_dir, "deferred", NULL);
  url = cab_test_mail_url (mail, TRUE, NULL);
  synced = ctl_json (0, "--ca", mail->ca_file, "inbox", "sync", "--imap", url, "--mail-user", "alice",
                     "--no-index", "--json", NULL);
  n_pending_messages = json_object_get_int_member (json_node_get_object (synced), "index_pending");
  g_assert_cmpuint (json_object_get_int_member (json_node_get_object (synced), "indexed"), ==, 0);
  /* The sandbox's lab results and letters carry an XDM naming the patient. */
  g_assert_cmpuint (n_pending_messages, >, 1);
  n_found = count_hits ("IPP");
  g_assert_cmpuint (n_found, ==, N_MESSAGES - n_pending_messages);
  count_text_states (&n_pending, &n_indexed);
  g_assert_cmpuint (n_pending, >=, n_pending_messages);

  /* A pass stopped after one message (a watcher cancelled): one indexed,
   * the rest still pending. */
  db_path = g_build_filename (data_dir, "cabinet.db", NULL);
  store = cab_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (cab_mail_index_pending (store, 1, &n_done, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_done, ==, 1);
  g_assert_true (cab_mail_index_n_pending (store, &left, &error));
  g_assert_cmpuint (left, ==, n_pending_messages - 1);
  g_clear_object (&store);
  g_assert_cmpuint (count_hits ("IPP"), ==, n_found + 1);

  /* Passes killed at random moments. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      const char *args[] = { g_getenv ("CABINETCTL"), "--data-dir", data_dir, "inbox", "index", NULL };
      g_autoptr(GSubprocess) process = NULL;

      g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
      process = g_subprocess_launcher_spawnv (launcher, args, &error);
      g_assert_no_error (error);
      g_usleep (g_random_int_range (20, 200) * 1000);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
    }

  last = ctl_json (0, "inbox", "index", "--json", NULL);
  g_assert_cmpuint (json_object_get_int_member (json_node_get_object (last), "index_pending"), ==, 0);
  g_assert_cmpuint (count_hits ("IPP"), ==, N_MESSAGES);
  count_text_states (&n_pending, &n_indexed);
  g_assert_cmpuint (n_pending, ==, 0);
  g_assert_cmpuint (n_indexed, >=, N_MESSAGES);
  g_free (data_dir);
  data_dir = g_steal_pointer (&saved_dir);
}

/* A TCP relay to Dovecot's IMAPS port that cuts the connection once the
 * server has sent @cutoff bytes: a connection dropped in the middle of a
 * FETCH (TLS passes through, so the client still verifies Dovecot). */
typedef struct
{
  GSocketListener *listener;
  guint16          port;
  guint16          target;
  gsize            cutoff;
  GThread         *thread;
} Relay;

typedef struct
{
  GSocketConnection *from, *to;
  gsize              limit;   /* 0: none */
} Pipe;

static gpointer
pipe_run (gpointer data)
{
  Pipe *p = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (p->from));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (p->to));
  char buffer[4096];
  gsize total = 0;

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      if (p->limit != 0 && total + n > p->limit)
        n = p->limit - total;
      if (n > 0 && !g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL))
        break;
      total += n;
      if (p->limit != 0 && total >= p->limit)
        break;
    }
  /* Cut both ways at once. */
  g_socket_shutdown (g_socket_connection_get_socket (p->from), TRUE, TRUE, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (p->to), TRUE, TRUE, NULL);
  return NULL;
}

static gpointer
relay_run (gpointer data)
{
  Relay *r = data;
  g_autoptr(GSocketConnection) client = g_socket_listener_accept (r->listener, NULL, NULL, NULL);
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnection) server = NULL;
  Pipe up, down;
  GThread *t1, *t2;

  if (client == NULL)
    return NULL;
  server = g_socket_client_connect_to_host (connector, "127.0.0.1", r->target, NULL, NULL);
  g_assert_nonnull (server);
  up = (Pipe) { client, server, 0 };
  down = (Pipe) { server, client, r->cutoff };
  t1 = g_thread_new ("relay-up", pipe_run, &up);
  t2 = g_thread_new ("relay-down", pipe_run, &down);
  g_thread_join (t1);
  g_thread_join (t2);
  return NULL;
}

static void
test_dropped_mid_fetch (void)
{
  g_autofree char *url = NULL, *saved_dir = NULL, *err = NULL, *direct = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonNode) resumed = NULL;
  Relay relay = { 0 };
  int status;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  saved_dir = data_dir;
  data_dir = g_build_filename (tmp_dir, "dropped", NULL);
  relay.listener = g_socket_listener_new ();
  relay.port = g_socket_listener_add_any_inet_port (relay.listener, NULL, &error);
  g_assert_no_error (error);
  relay.target = mail->imaps_port;
  /* Past the login and the listing, inside the second batch's bodies. */
  relay.cutoff = 300000;
  relay.thread = g_thread_new ("relay", relay_run, &relay);

  url = g_strdup_printf ("imaps://127.0.0.1:%u", relay.port);
  status = run_ctl (NULL, &err, "--ca", mail->ca_file, "inbox", "sync", "--imap", url,
                    "--mail-user", "alice", "--batch", "2", NULL);
  g_thread_join (relay.thread);
  g_socket_listener_close (relay.listener);
  g_object_unref (relay.listener);
  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (err, "connection to the mail server failed"));

  /* What was committed before the cut is whole; the rest comes next time. */
  list = inbox_list ();
  g_test_message ("%u messages committed before the cut", json_array_get_length (list));
  g_assert_cmpuint (json_array_get_length (list), <, N_MESSAGES);
  direct = cab_test_mail_url (mail, TRUE, NULL);
  resumed = ctl_json (0, "--ca", mail->ca_file, "inbox", "sync", "--imap", direct, "--mail-user", "alice", "--json", NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (resumed), "new"), ==,
                   N_MESSAGES - json_array_get_length (list));
  g_clear_pointer (&list, json_array_unref);
  list = inbox_list ();
  g_assert_cmpuint (json_array_get_length (list), ==, N_MESSAGES);
  g_free (data_dir);
  data_dir = g_steal_pointer (&saved_dir);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  const char *sandbox_args[] = { "--patients", PATIENTS, "--today", TODAY, NULL };
  g_autofree char *truth_path = NULL, *truth_text = NULL, *out = NULL;
  g_autoptr(JsonNode) truth_node = NULL;
  g_autofree char *server = NULL;
  int status;

  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    {
      skip_reason = "no mail fixture here (needs root, Dovecot and Postfix)";
      g_test_message ("%s: %s", skip_reason, error->message);
      return;
    }
  tmp_dir = g_dir_make_tmp ("test-inbox-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  messages_dir = g_build_filename (tmp_dir, "messages", NULL);

  /* The practice, synced into the store the inbox matches against. */
  sandbox = cab_test_sandbox_start (sandbox_args, FALSE, &error);
  g_assert_no_error (error);
  status = run_ctl (NULL, NULL, "sync", "--server", sandbox->base_url, "--token=" CAB_TEST_TOKEN,
                    "--practice", "Organization/org-practice", NULL);
  g_assert_cmpint (status, ==, 0);

  /* Its mail, from the same seed. */
  g_assert_true (cab_test_mail_generate (SEED, PATIENTS, TODAY, N_MESSAGES, messages_dir, &error));
  g_assert_no_error (error);
  truth_path = g_build_filename (messages_dir, "truth.json", NULL);
  g_assert_true (g_file_get_contents (truth_path, &truth_text, NULL, &error));
  truth_node = json_from_string (truth_text, &error);
  g_assert_no_error (error);
  truths = json_array_ref (json_node_get_array (truth_node));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/mail/inbox/sync-and-match", test_sync_and_match);
  g_test_add_func ("/mail/inbox/incremental", test_incremental);
  g_test_add_func ("/mail/inbox/uidvalidity-change", test_uidvalidity_change);
  g_test_add_func ("/mail/inbox/kill-and-resume", test_kill_and_resume);
  g_test_add_func ("/mail/inbox/index-pass", test_index_pass);
  g_test_add_func ("/mail/inbox/dropped-mid-fetch", test_dropped_mid_fetch);
  g_test_add_func ("/mail/inbox/refusals", test_refusals);
  status = g_test_run ();

  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_clear_pointer (&mail, cab_test_mail_free);
  g_clear_pointer (&truths, json_array_unref);
  if (tmp_dir != NULL)
    cab_test_mail_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (data_dir);
  g_free (messages_dir);
  return status;
}
