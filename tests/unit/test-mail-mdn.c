/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Answering read receipt requests (cab-mail-mdn-answer.h): RFC 8098's
 * rules as a table, answered once per message, the receipt's outbox entry;
 * the Outbox page's quiet read-state entries and "Read on …". */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "cab-fhir-resource.h"
#include "cab-mail-mdn-answer.h"
#include "cab-mail-seen.h"
#include "cab-mail-send.h"
#include "cab-mail-store.h"
#include "cab-outbox-item.h"
#include "cab-store-outbox.h"
#include "cab-store-private.h"

#define ME     "dr.martin@cabinet.mssante.fr"
#define SENDER "dr.durand@hopital.mssante.fr"

typedef struct
{
  const char        *name;
  CabMailMdnPolicy   policy;
  const char        *notification_to;
  const char        *return_path;
  const char        *message_id;
  gboolean           answered;
  CabMailMdnDecision expected;
  const char        *address;
} DecideCase;

static const DecideCase decide_cases[] = {
  { "ask, same address", CAB_MAIL_MDN_ASK, SENDER, "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_ASK, SENDER },
  { "always, same address", CAB_MAIL_MDN_ALWAYS, SENDER, "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_SEND, SENDER },
  { "never", CAB_MAIL_MDN_NEVER, SENDER, "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "never, other address", CAB_MAIL_MDN_NEVER, "x@y.fr", "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "ask, answered", CAB_MAIL_MDN_ASK, SENDER, "<" SENDER ">", "m1@h.fr", TRUE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "always, answered", CAB_MAIL_MDN_ALWAYS, SENDER, "<" SENDER ">", "m1@h.fr", TRUE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "no request", CAB_MAIL_MDN_ALWAYS, NULL, "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "no Message-ID", CAB_MAIL_MDN_ALWAYS, SENDER, "<" SENDER ">", NULL, FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "display name", CAB_MAIL_MDN_ALWAYS, "Dr Durand <" SENDER ">", "<" SENDER ">", "m1@h.fr", FALSE,
    CAB_MAIL_MDN_DECISION_SEND, SENDER },
  { "case of the address", CAB_MAIL_MDN_ALWAYS, "Dr.Durand@Hopital.MSSante.fr", "<" SENDER ">", "m1@h.fr", FALSE,
    CAB_MAIL_MDN_DECISION_SEND, "Dr.Durand@Hopital.MSSante.fr" },
  /* RFC 8098 2.1: elsewhere than the Return-Path, the person is asked, even on "always". */
  { "always, other address", CAB_MAIL_MDN_ALWAYS, "collect@tracker.example", "<" SENDER ">", "m1@h.fr", FALSE,
    CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE, "collect@tracker.example" },
  { "ask, other address", CAB_MAIL_MDN_ASK, "collect@tracker.example", "<" SENDER ">", "m1@h.fr", FALSE,
    CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE, "collect@tracker.example" },
  { "always, no Return-Path", CAB_MAIL_MDN_ALWAYS, SENDER, NULL, "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE, SENDER },
  { "always, empty Return-Path", CAB_MAIL_MDN_ALWAYS, SENDER, "<>", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE, SENDER },
  { "several addresses", CAB_MAIL_MDN_ALWAYS, SENDER ", x@y.fr", "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "not an address", CAB_MAIL_MDN_ASK, "nobody", "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "header injection", CAB_MAIL_MDN_ASK, SENDER "\r\nBcc: x@y.fr", "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
  { "group", CAB_MAIL_MDN_ASK, "team: " SENDER ";", "<" SENDER ">", "m1@h.fr", FALSE, CAB_MAIL_MDN_DECISION_NONE, NULL },
};

static void
test_decide (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (decide_cases); i++)
    {
      const DecideCase *c = &decide_cases[i];
      CabMailMdnRequest request = {
        .from = ME, .message_id = c->message_id, .subject = "Résultats",
        .notification_to = c->notification_to, .return_path = c->return_path,
      };
      g_autofree char *address = NULL;
      CabMailMdnDecision decision = cab_mail_mdn_decide (c->policy, &request, c->answered, &address);

      g_test_message ("case: %s", c->name);
      g_assert_cmpint (decision, ==, c->expected);
      g_assert_cmpstr (address, ==, c->address);
    }
}

typedef struct
{
  char     *dir;
  CabStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-mail-mdn-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cabinet.db", NULL);
  f->store = cab_store_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
  GFileInfo *info;

  g_clear_object (&f->store);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));
      g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_file_delete (dir, NULL, NULL);
  g_free (f->dir);
}

static char *
read_text (Fixture *f, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStoreReader) reader = cab_store_reader_acquire (f->store, &error);
  g_autoptr(CabStmt) stmt = cab_store_conn_prepare (reader, sql, &error);

  g_assert_no_error (error);
  return sqlite3_step (stmt) == SQLITE_ROW ? cab_stmt_dup_text (stmt, 0) : NULL;
}

static void
exec_sql (Fixture *f, const char *sql)
{
  g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);

  g_assert_cmpint (sqlite3_exec (writer->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static gint64
count (Fixture *f, const char *sql)
{
  g_autofree char *text = read_text (f, sql);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

/* "always": queued on the first check only, automatic-action. */
static void
test_always_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CabMailMdnRequest request = {
    .from = ME, .message_id = "m1@hopital.mssante.fr", .subject = "Résultats",
    .notification_to = SENDER, .return_path = "<" SENDER ">",
  };
  CabMailMdnDecision decision;
  g_autofree char *address = NULL, *payload = NULL;
  gint64 queued = 0;

  g_assert_true (cab_mail_mdn_policy_set (f->store, CAB_MAIL_MDN_ALWAYS, &error));
  g_assert_true (cab_mail_mdn_check (f->store, &request, &decision, &address, &queued, &error));
  g_assert_no_error (error);
  g_assert_cmpint (decision, ==, CAB_MAIL_MDN_DECISION_SEND);
  g_assert_cmpint (queued, >, 0);
  g_clear_pointer (&address, g_free);

  payload = read_text (f, "SELECT payload FROM outbox WHERE kind = 'mail'");
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o, *mdn;

    g_assert_true (json_parser_load_from_data (parser, payload, -1, NULL));
    o = json_node_get_object (json_parser_get_root (parser));
    mdn = json_object_get_object_member (o, "mdn");
    g_assert_cmpstr (json_object_get_string_member (mdn, "original_message_id"), ==, "m1@hopital.mssante.fr");
    g_assert_true (json_object_get_boolean_member (mdn, "automatic"));
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "to"), 0), ==, SENDER);
    g_assert_cmpstr (json_object_get_string_member (o, "from"), ==, ME);
    /* Its own Message-ID, in mail_sent for the send path's guarantees. */
    g_assert_cmpint (count (f, "SELECT count(*) FROM mail_sent s JOIN outbox o ON o.id = s.entry_id"
                               " WHERE s.message_id = json_extract (o.payload, '$.message_id')"), ==, 1);
  }

  /* Opened again: nothing more. */
  g_assert_true (cab_mail_mdn_check (f->store, &request, &decision, &address, &queued, &error));
  g_assert_cmpint (decision, ==, CAB_MAIL_MDN_DECISION_NONE);
  g_assert_cmpint (queued, ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM outbox WHERE kind = 'mail'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM mail_mdn_answers WHERE answer = 'automatic'"), ==, 1);
}

/* "ask": asked until answered; Send Receipt once, manual-action; Ignore
 * sends nothing; a second click is no second receipt. */
static void
test_ask_answers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CabMailMdnRequest one = {
    .from = ME, .message_id = "m1@hopital.mssante.fr", .subject = "Résultats",
    .notification_to = SENDER, .return_path = "<" SENDER ">",
  };
  CabMailMdnRequest two = one;
  CabMailMdnDecision decision;
  g_autofree char *address = NULL;
  gint64 queued = 0;

  two.message_id = "m2@hopital.mssante.fr";
  g_assert_true (cab_mail_mdn_check (f->store, &one, &decision, &address, &queued, &error));
  g_assert_cmpint (decision, ==, CAB_MAIL_MDN_DECISION_ASK);
  g_assert_cmpint (queued, ==, 0);
  g_clear_pointer (&address, g_free);
  g_assert_true (cab_mail_mdn_check (f->store, &one, &decision, &address, &queued, &error));
  g_assert_cmpint (decision, ==, CAB_MAIL_MDN_DECISION_ASK);
  g_clear_pointer (&address, g_free);
  g_assert_cmpint (count (f, "SELECT count(*) FROM outbox"), ==, 0);

  g_assert_true (cab_mail_mdn_answer (f->store, &one, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));
  g_assert_no_error (error);
  g_assert_cmpint (queued, >, 0);
  g_assert_true (cab_mail_mdn_answer (f->store, &one, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));
  g_assert_cmpint (queued, ==, 0);
  g_assert_true (cab_mail_mdn_answer (f->store, &one, CAB_MAIL_MDN_ANSWER_IGNORED, &queued, &error));
  g_assert_cmpint (count (f, "SELECT count(*) FROM outbox WHERE kind = 'mail'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT json_extract (payload, '$.mdn.automatic') FROM outbox"), ==, 0);

  g_assert_true (cab_mail_mdn_answer (f->store, &two, CAB_MAIL_MDN_ANSWER_IGNORED, &queued, &error));
  g_assert_cmpint (queued, ==, 0);
  g_assert_true (cab_mail_mdn_check (f->store, &two, &decision, &address, &queued, &error));
  g_assert_cmpint (decision, ==, CAB_MAIL_MDN_DECISION_NONE);
  g_assert_cmpint (count (f, "SELECT count(*) FROM outbox"), ==, 1);

  /* A request that cannot be answered is refused, not recorded. */
  {
    CabMailMdnRequest bad = one;

    bad.message_id = "m3@hopital.mssante.fr";
    bad.notification_to = "nobody";
    g_assert_false (cab_mail_mdn_answer (f->store, &bad, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_cmpint (count (f, "SELECT count(*) FROM mail_mdn_answers"), ==, 2);
  }
}

/* A receipt's From names the desk's practitioner as a message's does
 * (cab_mail_from_name()); without one known, the address alone. */
static void
test_from_name (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
  CabMailMdnRequest request = {
    .from = ME, .message_id = "m1@hopital.mssante.fr", .subject = "Résultats",
    .notification_to = SENDER, .return_path = "<" SENDER ">", .practitioner = "Practitioner/pr-1",
  };
  CabMailMdnRequest unknown = request;
  g_autofree char *payload = NULL, *bare = NULL;
  gint64 queued = 0;

  g_assert_true (json_parser_load_from_data (parser,
    "{\"resourceType\":\"Practitioner\",\"id\":\"pr-1\","
    "\"name\":[{\"prefix\":[\"Dr\"],\"given\":[\"Hélène\"],\"family\":\"DURAND\"}]}", -1, &error));
  g_ptr_array_add (records, cab_fhir_record_new_from_json (json_node_get_object (json_parser_get_root (parser)), &error));
  g_assert_no_error (error);
  g_assert_true (cab_store_put_records (f->store, records, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (cab_mail_mdn_answer (f->store, &request, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));
  g_assert_no_error (error);
  payload = read_text (f, "SELECT json_extract (payload, '$.from_name') FROM outbox WHERE kind = 'mail'");
  g_assert_cmpstr (payload, ==, "Dr Hélène DURAND");

  unknown.message_id = "m2@hopital.mssante.fr";
  unknown.practitioner = "Practitioner/nobody";
  g_assert_true (cab_mail_mdn_answer (f->store, &unknown, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));
  g_assert_no_error (error);
  bare = read_text (f, "SELECT coalesce (json_extract (payload, '$.from_name'), 'none') FROM outbox"
                       " WHERE json_extract (payload, '$.mdn.original_message_id') = 'm2@hopital.mssante.fr'");
  g_assert_cmpstr (bare, ==, "none");
}

/* Read-state entries stay off the Outbox page unless they fail; a sent
 * message's receipt reads "Read on …". */
static void
test_outbox_page_data (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  g_autoptr(GPtrArray) shown = NULL, all = NULL;
  g_autoptr(GHashTable) read = NULL;
  CabMailFolder folder = { .uidvalidity = 7, .last_uid = 3, .highestmodseq = 10 };
  CabMailRow *row = cab_mail_row_new ();
  CabMailMdnRequest request = {
    .from = ME, .message_id = "m1@hopital.mssante.fr", .subject = "Résultats",
    .notification_to = SENDER, .return_path = "<" SENDER ">",
  };
  guint counts[CAB_OUTBOX_N_STATES];
  gboolean changed = FALSE;
  gint64 queued = 0;

  row->uidvalidity = 7;
  row->uid = 3;
  row->message_id = g_strdup ("<m1@example.org>");
  row->body_hash = g_strdup ("abc");
  row->raw_path = g_strdup ("/nonexistent");
  row->match_state = g_strdup ("none");
  row->match_reason = g_strdup ("no-candidate");
  g_ptr_array_add (rows, row);
  g_assert_true (cab_mail_store_put_batch (f->store, "me@example.org", "INBOX", &folder, rows, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cab_mail_seen_set (f->store, NULL, row->id, TRUE, &changed, &error));
  g_assert_true (changed);
  g_assert_true (cab_mail_mdn_answer (f->store, &request, CAB_MAIL_MDN_ANSWER_MANUAL, &queued, &error));

  /* A receipt is built from the request it answers: an edit is refused,
   * not accepted and ignored. */
  {
    const char *to[] = { "autre@hopital.mssante.fr", NULL };
    CabMailChanges changes = { .to = to, .subject = "Autre", .body = "Autre texte", .receipt = -1 };

    g_assert_false (cab_mail_edit (f->store, queued, &changes, &error));
    g_assert_error (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* An entry without a lane (a publication) is shown too. */
  {
    g_autoptr(CabStoreWriter) writer = cab_store_writer_lock (f->store);
    CabOutboxEntry entry = { .kind = (char *) "publish", .key = (char *) "k1", .payload = (char *) "{}",
                             .state = CAB_OUTBOX_STATE_PENDING };
    gint64 id = 0;

    g_assert_true (cab_store_outbox_insert_locked (writer, &entry, &id, &error));
    g_assert_no_error (error);
  }
  all = cab_store_outbox_list (f->store, -1, 0, &error);
  shown = cab_store_outbox_list_shown (f->store, -1, 0, &error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpuint (shown->len, ==, 2);
  g_assert_cmpint (((CabOutboxEntry *) shown->pdata[1])->id, ==, queued);
  g_assert_true (cab_store_outbox_count_shown (f->store, counts, &error));
  g_assert_cmpuint (counts[CAB_OUTBOX_STATE_PENDING], ==, 2);
  g_clear_pointer (&shown, g_ptr_array_unref);

  /* A read that failed needs the user: shown. */
  exec_sql (f, "UPDATE outbox SET state = 'failed' WHERE lane GLOB 'mailseen:*'");
  shown = cab_store_outbox_list_shown (f->store, -1, 0, &error);
  g_assert_cmpuint (shown->len, ==, 3);
  g_assert_true (cab_store_outbox_count_shown (f->store, counts, &error));
  g_assert_cmpuint (counts[CAB_OUTBOX_STATE_FAILED], ==, 1);

  /* The receipt's own entry sent, and a receipt for it came back. */
  read = cab_store_outbox_read_receipts (f->store, 30, &error);
  g_assert_cmpuint (g_hash_table_size (read), ==, 0);
  g_clear_pointer (&read, g_hash_table_unref);
  exec_sql (f, "UPDATE outbox SET state = 'done' WHERE kind = 'mail';"
               "UPDATE mail_sent SET read_at = 1764944580, disposition = 'displayed'");
  read = cab_store_outbox_read_receipts (f->store, 30, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (read), ==, 1);
  g_assert_cmpint (*(gint64 *) g_hash_table_lookup (read, &queued), ==, 1764944580);
  {
    g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (f->store, queued, &error);
    g_autoptr(CabOutboxItem) item = cab_outbox_item_new (entry, NULL);
    g_autofree char *text = NULL;

    g_assert_null (cab_outbox_item_dup_read_text (item));
    cab_outbox_item_set_read_at (item, 1764944580);
    text = cab_outbox_item_dup_read_text (item);
    g_assert_true (g_str_has_prefix (text, "Read on "));
    g_assert_nonnull (strstr (text, "/12/2025"));
  }
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "Europe/Paris", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail-mdn/decide", test_decide);
  g_test_add ("/mail-mdn/always-once", Fixture, NULL, fixture_setup, test_always_once, fixture_teardown);
  g_test_add ("/mail-mdn/ask-answers", Fixture, NULL, fixture_setup, test_ask_answers, fixture_teardown);
  g_test_add ("/mail-mdn/from-name", Fixture, NULL, fixture_setup, test_from_name, fixture_teardown);
  g_test_add ("/mail-mdn/outbox-page-data", Fixture, NULL, fixture_setup, test_outbox_page_data, fixture_teardown);
  return g_test_run ();
}
