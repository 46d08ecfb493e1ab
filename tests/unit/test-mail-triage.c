/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test"

/* Triage keywords (pure) and what the store does with the keywords read
 * from the server: the triage follows them unless this desk has a change
 * of its own still in the outbox; an older answer never wins. */

#include <glib/gstdio.h>
#include <string.h>

#include "cab-mail-keywords.h"
#include "cab-mail-seen.h"
#include "cab-mail-store.h"
#include "cab-mail-triage-store.h"
#include "cab-store-private.h"

#define ACCOUNT "alice@example.org"
#define MAILBOX "INBOX"

static void
test_keywords (void)
{
  const char * const server[] = {
    "\\Seen", "$CabinetAssigned-prat-2", "$cabinethandled", "$CabinetPatient-pat-9",
    "$CabinetDismissed-2", "$CabinetDismissed-0", "$CabinetDismissed-999",
    "$CabinetAssigned-bad/id", "$CabinetAssigned-", "NonJunk", "$CabinetFiled", NULL
  };
  CabMailTriage t = { 0 };
  g_auto(GStrv) ours = NULL;
  g_auto(GStrv) triage_only = NULL;
  g_autofree char *joined = NULL;

  cab_mail_triage_from_keywords (server, &t);
  g_assert_true (t.handled);
  g_assert_true (t.filed);
  g_assert_cmpstr (t.assignee, ==, "prat-2");
  g_assert_cmpstr (t.patient_id, ==, "pat-9");
  g_assert_true (t.dismissed[1]);
  g_assert_false (t.dismissed[0]);
  g_assert_cmpstr (cab_mail_triage_status (&t), ==, "handled");

  ours = cab_mail_triage_to_keywords (&t);
  joined = g_strjoinv (" ", ours);
  g_assert_cmpstr (joined, ==, "$CabinetAssigned-prat-2 $CabinetDismissed-2 $CabinetFiled $CabinetHandled"
                               " $CabinetPatient-pat-9");

  triage_only = cab_mail_keywords_triage_only (server);
  g_assert_cmpuint (g_strv_length (triage_only), ==, 9);
  g_assert_false (cab_mail_keywords_equal ((const char * const *) ours, (const char * const *) triage_only));
  {
    const char * const a[] = { "$CabinetHandled", "$cabinetfiled", NULL };
    const char * const b[] = { "$CabinetFiled", "$CABINETHANDLED", NULL };
    g_assert_true (cab_mail_keywords_equal (a, b));
  }
  cab_mail_triage_clear (&t);
  g_assert_cmpstr (cab_mail_triage_status (&t), ==, "new");
  t.assignee = g_strdup ("prat-1");
  g_assert_cmpstr (cab_mail_triage_status (&t), ==, "assigned");
  cab_mail_triage_clear (&t);
}

static CabMailRow *
find_row (CabStore *store, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_mail_store_list (store, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    if (((CabMailRow *) g_ptr_array_index (rows, i))->id == id)
      return g_ptr_array_steal_index (rows, i);
  g_assert_not_reached ();
}

static char *
read_text (CabStore *store, const char *sql, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, &error);

  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_server_keywords (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-mail-triage-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cabinet.db", NULL);
  g_autoptr(CabStore) store = cab_store_open (path, &error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  CabMailFolder folder = { .uidvalidity = 7, .last_uid = 3, .highestmodseq = 10 };
  CabMailRow *row = cab_mail_row_new ();
  CabMailDocument *doc = cab_mail_document_new ();
  g_autoptr(CabMailRow) read = NULL;
  g_autofree char *text = NULL;
  gint64 id;

  g_assert_no_error (error);
  row->uidvalidity = 7;
  row->uid = 3;
  row->message_id = g_strdup ("<m1@example.org>");
  row->body_hash = g_strdup ("abc");
  row->raw_path = g_strdup ("/nonexistent");
  row->match_state = g_strdup ("none");
  row->match_reason = g_strdup ("no-candidate");
  doc->source = g_strdup ("attachment");
  doc->sha1 = g_strdup ("0");
  g_ptr_array_add (row->documents, doc);
  g_ptr_array_add (rows, row);
  g_assert_true (cab_mail_store_put_batch (store, ACCOUNT, MAILBOX, &folder, rows, NULL, &error));
  g_assert_no_error (error);
  id = row->id;

  /* Assigned at another desk, then handled there. */
  {
    const char * const k[] = { "\\Seen", "$CabinetAssigned-prat-2", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 11, &error));
    g_assert_no_error (error);
  }
  read = find_row (store, id);
  g_assert_cmpstr (read->status, ==, "assigned");
  g_clear_pointer (&read, cab_mail_row_free);
  text = read_text (store, "SELECT assignee || '|' || keywords || '|' || server_keywords FROM mail_messages WHERE id = ?1", id);
  g_assert_cmpstr (text, ==, "Practitioner/prat-2|$CabinetAssigned-prat-2|$CabinetAssigned-prat-2 \\Seen");
  g_clear_pointer (&text, g_free);

  /* An older answer (a sync that read before) does not win. */
  {
    const char * const k[] = { NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 9, &error));
  }
  /* Another UIDVALIDITY or an unknown UID: nothing. */
  {
    const char * const k[] = { "$CabinetHandled", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 8, 3, k, 50, &error));
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 4, k, 50, &error));
    g_assert_no_error (error);
  }
  read = find_row (store, id);
  g_assert_cmpstr (read->status, ==, "assigned");
  g_clear_pointer (&read, cab_mail_row_free);

  /* Dismissed elsewhere: no reason here, but dismissed. */
  {
    const char * const k[] = { "$CabinetAssigned-prat-2", "$CabinetDismissed-1", "$CabinetHandled", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 12, &error));
  }
  read = find_row (store, id);
  g_assert_cmpstr (read->status, ==, "handled");
  g_clear_pointer (&read, cab_mail_row_free);
  text = read_text (store, "SELECT dismissed_reason IS NOT NULL FROM mail_documents WHERE mail_id = ?1", id);
  g_assert_cmpstr (text, ==, "1");
  g_clear_pointer (&text, g_free);

  /* A change of this desk waiting in the outbox: the server's keywords are
   * recorded, the local triage stays until the change is settled. */
  {
    g_autofree char *lane = cab_mail_triage_lane (id);
    CabOutboxEntry entry = { .kind = "mailflags", .lane = lane, .key = "k-1", .payload = "{}",
                             .state = CAB_OUTBOX_STATE_PENDING };
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
    gint64 entry_id;

    g_assert_true (cab_store_begin (writer, &error));
    g_assert_true (cab_store_outbox_insert_locked (writer, &entry, &entry_id, &error));
    g_assert_true (cab_store_commit (writer, &error));
    g_assert_no_error (error);
  }
  {
    const char * const k[] = { NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 13, &error));
  }
  read = find_row (store, id);
  g_assert_cmpstr (read->status, ==, "handled");
  text = read_text (store, "SELECT server_keywords || '|' || server_modseq FROM mail_messages WHERE id = ?1", id);
  g_assert_cmpstr (text, ==, "|13");

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* "Keep mine": my change carried onto the server's keywords. */
static void
test_keywords_rebase (void)
{
  static const struct { const char *theirs, *base, *want, *expected; } cases[] = {
    /* theirs added Handled, mine assigns: both */
    { "$CabinetHandled", "", "$CabinetAssigned-prat-1", "$CabinetAssigned-prat-1 $CabinetHandled" },
    /* both assigned: mine replaces theirs (one assignee) */
    { "$CabinetAssigned-prat-2", "", "$CabinetAssigned-prat-1", "$CabinetAssigned-prat-1" },
    /* both filed, to different patients: mine replaces theirs (one patient) */
    { "$CabinetFiled $CabinetPatient-p2", "", "$CabinetFiled $CabinetPatient-p1", "$CabinetFiled $CabinetPatient-p1" },
    /* mine took Handled away (reopen); theirs assigned meanwhile */
    { "$CabinetAssigned-prat-3 $CabinetHandled", "$CabinetHandled", "", "$CabinetAssigned-prat-3" },
    /* mine changes nothing theirs has: theirs stays whole */
    { "$CabinetDismissed-2 $CabinetFiled", "$CabinetFiled", "$CabinetFiled", "$CabinetDismissed-2 $CabinetFiled" },
    /* other flags never enter */
    { "\\Seen $CabinetHandled", "", "$CabinetDismissed-1", "$CabinetDismissed-1 $CabinetHandled" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) theirs = cab_mail_keywords_split (cases[i].theirs);
      g_auto(GStrv) base = cab_mail_keywords_split (cases[i].base);
      g_auto(GStrv) want = cab_mail_keywords_split (cases[i].want);
      g_auto(GStrv) got = cab_mail_keywords_rebase ((const char * const *) theirs, (const char * const *) base,
                                                    (const char * const *) want);
      g_autofree char *joined = cab_mail_keywords_join ((const char * const *) got);

      g_test_message ("case %u", i);
      g_assert_cmpstr (joined, ==, cases[i].expected);
    }
}

static gint64
count_sql (CabStore *store, const char *sql, gint64 id)
{
  g_autofree char *text = read_text (store, sql, id);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

/* Read and unread (cab-mail-seen.h): local at once, one light outbox entry
 * in a lane of its own, nothing written when already so, and the server's
 * \Seen followed again once the change is settled. */
static void
test_seen (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-mail-seen-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cabinet.db", NULL);
  g_autoptr(CabStore) store = cab_store_open (path, &error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  CabMailFolder folder = { .uidvalidity = 7, .last_uid = 3, .highestmodseq = 10 };
  CabMailRow *row = cab_mail_row_new ();
  g_autofree char *payload = NULL;
  const char *unread = "SELECT " CAB_MAIL_UNREAD_SQL ("") " FROM mail_messages WHERE id = ?1";
  const char *entries = "SELECT count (*) FROM outbox WHERE lane = 'mailseen:' || ?1";
  gboolean changed = FALSE;
  gint64 id;

  g_assert_no_error (error);
  row->uidvalidity = 7;
  row->uid = 3;
  row->message_id = g_strdup ("<m1@example.org>");
  row->body_hash = g_strdup ("abc");
  row->raw_path = g_strdup ("/nonexistent");
  row->match_state = g_strdup ("none");
  row->match_reason = g_strdup ("no-candidate");
  g_ptr_array_add (rows, row);
  g_assert_true (cab_mail_store_put_batch (store, ACCOUNT, MAILBOX, &folder, rows, NULL, &error));
  g_assert_no_error (error);
  id = row->id;
  g_assert_cmpint (count_sql (store, unread, id), ==, 1);

  /* Opened: read here at once, one entry queued in its own lane. */
  g_assert_true (cab_mail_seen_set (store, NULL, id, TRUE, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_cmpint (count_sql (store, unread, id), ==, 0);
  g_assert_cmpint (count_sql (store, entries, id), ==, 1);
  payload = read_text (store, "SELECT payload FROM outbox WHERE lane = 'mailseen:' || ?1", id);
  g_assert_nonnull (strstr (payload, "\"seen\":true"));
  g_assert_null (strstr (payload, "\"want\""));
  /* Opened again: nothing written. */
  g_assert_true (cab_mail_seen_set (store, NULL, id, TRUE, &changed, &error));
  g_assert_false (changed);
  g_assert_cmpint (count_sql (store, entries, id), ==, 1);

  /* A sync that read before the change reached the server: still read
   * here; another desk's triage is followed all the same (another lane). */
  {
    const char * const k[] = { "$CabinetHandled", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 11, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (count_sql (store, unread, id), ==, 0);
  g_assert_cmpint (count_sql (store, "SELECT status = 'handled' FROM mail_messages WHERE id = ?1", id), ==, 1);

  /* Sent: the server's \Seen is followed again, also when another desk
   * later marks it unread. */
  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (store);
    g_assert_cmpint (sqlite3_exec (writer->db, "UPDATE outbox SET state = 'done'", NULL, NULL, NULL), ==, SQLITE_OK);
  }
  {
    const char * const k[] = { "$CabinetHandled", "\\Seen", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 12, &error));
  }
  g_assert_cmpint (count_sql (store, "SELECT seen_local IS NULL FROM mail_messages WHERE id = ?1", id), ==, 1);
  g_assert_cmpint (count_sql (store, unread, id), ==, 0);
  {
    const char * const k[] = { "$CabinetHandled", NULL };
    g_assert_true (cab_mail_store_set_server_keywords (store, ACCOUNT, MAILBOX, 7, 3, k, 13, &error));
  }
  g_assert_cmpint (count_sql (store, unread, id), ==, 1);

  /* Marked unread here: unread at once, a second entry. */
  g_assert_true (cab_mail_seen_set (store, NULL, id, FALSE, &changed, &error));
  g_assert_false (changed);
  g_assert_true (cab_mail_seen_set (store, NULL, id, TRUE, &changed, &error));
  g_assert_true (changed);
  g_assert_true (cab_mail_seen_set (store, NULL, id, FALSE, &changed, &error));
  g_assert_true (changed);
  g_assert_cmpint (count_sql (store, unread, id), ==, 1);
  g_assert_cmpint (count_sql (store, entries, id), ==, 3);

  /* No such message. */
  g_assert_false (cab_mail_seen_set (store, NULL, id + 100, TRUE, &changed, &error));
  g_assert_nonnull (error);

  g_clear_object (&store);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail-triage/keywords", test_keywords);
  g_test_add_func ("/mail-triage/server-keywords", test_server_keywords);
  g_test_add_func ("/mail-triage/keywords-rebase", test_keywords_rebase);
  g_test_add_func ("/mail-triage/seen", test_seen);
  return g_test_run ();
}
