/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-triage"

/* Inbox triage against real Dovecot and Postfix, with the sandbox's
 * practice synced into two stores (two desks of one practice): filing an
 * automatic match puts its PDF, byte for byte, in the patient's timeline;
 * a message that is not "auto" is never filed without a person; assign,
 * handle (refused while a document is unaccounted for), reopen and undo;
 * the keywords reach the server through the outbox and the other desk
 * sees them; offline triage waits and is drained later; another desk's
 * keyword set meanwhile is a conflict, never overwritten; a drain killed
 * at random moments neither loses nor doubles a change. One fixture for
 * all: the subtests run in order. */

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cab-imap.h"
#include "cab-inbox-item.h"
#include "cab-inbox-queries.h"
#include "cab-mime.h"
#include "cab-pdf-text.h"
#include "cab-store.h"
#include "cab-test-mail.h"
#include "cab-test-sandbox.h"

#define SEED       "42"
#define PATIENTS   "40"
#define TODAY      "2025-06-30"
#define N_MESSAGES 12

static CabTestSandbox *sandbox;
static CabTestMail *mail;
static char *tmp_dir, *desk_a, *desk_b, *messages_dir, *imap_url;
static const char *skip_reason;

static GSubprocess *
spawn_ctl (const char *data_dir, GSubprocessFlags flags, const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
  g_ptr_array_add (args, (gpointer) g_getenv ("CABINETCTL"));
  g_ptr_array_add (args, (gpointer) "--data-dir");
  g_ptr_array_add (args, (gpointer) data_dir);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Runs cabinetctl on desk @data_dir; returns its exit status. */
static int
ctl (const char *data_dir, char **out, char **err, const char * const *argv)
{
  g_autoptr(GSubprocess) process = spawn_ctl (data_dir, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE, argv);
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;

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

#define CTL(dir, out, err, ...) ctl (dir, out, err, (const char *[]) { __VA_ARGS__, NULL })

static JsonNode *
ctl_json (const char *data_dir, const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_cmpint (ctl (data_dir, &out, NULL, argv), ==, 0);
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  return node;
}

static void
sync_desk (const char *data_dir)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (CTL (data_dir, &out, NULL, "--ca", mail->ca_file, "inbox", "sync", "--imap", imap_url,
                        "--mail-user", "alice"), ==, 0);
}

static JsonObject *
drain (const char *data_dir, const char *url)
{
  const char *argv[] = { "--ca", mail->ca_file, "--imap", url, "--mail-user", "alice",
                         "outbox", "drain", "--json", "--backoff-ms", "50", "--horizon-ms", "2000", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  JsonObject *o;

  /* Exit 3: something still waits for a server (the offline test). */
  if (ctl (data_dir, &out, NULL, argv) != 0)
    {
      g_autofree char *entries = NULL;

      CTL (data_dir, &entries, NULL, "outbox", "list", "--json");
      g_test_message ("outbox: %s", entries);
    }
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  o = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return o;
}

static JsonArray *
inbox_list (const char *data_dir)
{
  const char *argv[] = { "inbox", "list", "--json", NULL };
  JsonNode *node = ctl_json (data_dir, argv);
  JsonArray *array = json_array_ref (json_node_get_array (node));

  json_node_unref (node);
  return array;
}

static JsonObject *
message (JsonArray *list, gint64 id)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);

      if (json_object_get_int_member (m, "id") == id)
        return m;
    }
  g_assert_not_reached ();
}

static const char *
match_state (JsonObject *m)
{
  return json_object_get_string_member (json_object_get_object_member (m, "match"), "state");
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The message's keywords of ours on the server, sorted, space-separated. */
static char *
server_keywords (gint64 uid)
{
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = cab_imap_connect (imap_url, db, 10, NULL, &error);
  g_autoptr(GPtrArray) ours = g_ptr_array_new ();
  CabImapMailbox state = { 0 };
  CabImapFlags *flags = NULL;
  char *text;

  g_assert_no_error (error);
  g_assert_true (cab_imap_login (imap, "alice", "secret", &error));
  g_assert_true (cab_imap_select (imap, "INBOX", &state, &error));
  g_assert_true (cab_imap_fetch_uid_flags (imap, (guint32) uid, &flags, &error));
  g_assert_nonnull (flags);
  for (guint i = 0; flags->keywords[i] != NULL; i++)
    if (g_str_has_prefix (flags->keywords[i], "$Cabinet"))
      g_ptr_array_add (ours, flags->keywords[i]);
  g_ptr_array_sort (ours, compare_strings);
  g_ptr_array_add (ours, NULL);
  text = g_strjoinv (" ", (char **) ours->pdata);
  cab_imap_flags_free (flags);
  return text;
}

/* Another desk (another program) sets a keyword directly. */
static void
other_desk_adds (gint64 uid, const char *keyword)
{
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = cab_imap_connect (imap_url, db, 10, NULL, &error);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  CabImapMailbox state = { 0 };
  CabImapFlags *flags = NULL;

  g_assert_true (cab_imap_login (imap, "alice", "secret", &error));
  g_assert_true (cab_imap_select (imap, "INBOX", &state, &error));
  g_assert_true (cab_imap_fetch_uid_flags (imap, (guint32) uid, &flags, &error));
  for (guint i = 0; flags->keywords[i] != NULL; i++)
    g_ptr_array_add (all, flags->keywords[i]);
  g_ptr_array_add (all, (gpointer) keyword);
  g_ptr_array_add (all, NULL);
  g_assert_true (cab_imap_store_uid_flags (imap, (guint32) uid, 0, (const char * const *) all->pdata, &error));
  g_assert_no_error (error);
  cab_imap_flags_free (flags);
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

static GBytes *
pdf_of (const char *raw_path)
{
  g_autoptr(GBytes) raw = read_file (raw_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabMimeMessage) m = cab_mime_parse (raw, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < m->attachments->len; i++)
    {
      CabMimeAttachment *a = g_ptr_array_index (m->attachments, i);
      if (g_str_equal (a->content_type, "application/pdf"))
        return g_bytes_ref (a->content);
    }
  return NULL;
}

/* Message ids chosen once the inbox is synced. */
static gint64 auto_id, auto_uid, other_id, other_uid, third_id, third_uid;
/* Messages with a PDF no test before test_second_desk_files triages. */
static gint64 spare_id[3], spare_uid[3];
static char *auto_ins, *auto_patient;

#define SKIP_IF_NEEDED() G_STMT_START { if (skip_reason != NULL) { g_test_skip (skip_reason); return; } } G_STMT_END

static void
test_file_auto (void)
{
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonObject) drained = NULL;
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(CabStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sent_pdf = NULL;
  g_autofree char *out = NULL, *db = NULL, *kw = NULL, *expected = NULL, *id = NULL;
  gboolean found = FALSE;

  SKIP_IF_NEEDED ();
  sync_desk (desk_a);
  list = inbox_list (desk_a);
  g_assert_cmpuint (json_array_get_length (list), ==, N_MESSAGES);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);
      g_autoptr(GBytes) pdf = pdf_of (json_object_get_string_member (m, "raw_path"));

      g_assert_cmpstr (json_object_get_string_member (m, "status"), ==, "new");
      if (pdf == NULL)
        continue;
      if (auto_id == 0 && g_str_equal (match_state (m), "auto"))
        {
          JsonObject *match = json_object_get_object_member (m, "match");

          auto_id = json_object_get_int_member (m, "id");
          auto_uid = json_object_get_int_member (m, "uid");
          auto_ins = g_strdup (json_object_get_string_member (match, "ins"));
          auto_patient = g_strdup (json_object_get_string_member (match, "patient_id"));
        }
      else if (!g_str_equal (match_state (m), "auto") && (other_id == 0 || third_id == 0))
        {
          if (other_id == 0)
            other_id = json_object_get_int_member (m, "id"), other_uid = json_object_get_int_member (m, "uid");
          else if (third_id == 0)
            third_id = json_object_get_int_member (m, "id"), third_uid = json_object_get_int_member (m, "uid");
        }
      else
        for (guint s = 0; s < G_N_ELEMENTS (spare_id); s++)
          if (spare_id[s] == 0)
            {
              spare_id[s] = json_object_get_int_member (m, "id");
              spare_uid[s] = json_object_get_int_member (m, "uid");
              break;
            }
    }
  g_assert_cmpint (auto_id, >, 0);
  g_assert_cmpint (other_id, >, 0);
  g_assert_cmpint (third_id, >, 0);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, auto_id);
  g_assert_cmpint (CTL (desk_a, &out, NULL, "inbox", "file", id, "--json"), ==, 0);
  g_assert_nonnull (strstr (out, "\"filed\""));

  /* In the patient's timeline, MSSanté origin, the bytes as sent. */
  sent_pdf = pdf_of (json_object_get_string_member (message (list, auto_id), "raw_path"));
  db = g_build_filename (desk_a, "cabinet.db", NULL);
  store = cab_store_open (db, &error);
  g_assert_no_error (error);
  timeline = cab_store_list_timeline (store, auto_patient, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      CabDocumentRow *row = g_ptr_array_index (timeline, i);

      if (g_strcmp0 (row->origin, "mssante") == 0)
        {
          g_autoptr(GBytes) filed = read_file (row->local_path);
          GStatBuf st;

          g_assert_true (g_bytes_equal (filed, sent_pdf));
          g_assert_cmpint (g_stat (row->local_path, &st), ==, 0);
          g_assert_cmpint (st.st_mode & 0777, ==, 0600);
          found = TRUE;
        }
    }
  g_assert_true (found);

  /* To the server through the outbox. */
  drained = drain (desk_a, imap_url);
  g_assert_cmpint (json_object_get_int_member (drained, "sent"), >=, 1);
  kw = server_keywords (auto_uid);
  expected = g_strdup_printf ("$CabinetFiled $CabinetPatient-%s", auto_patient);
  g_assert_cmpstr (kw, ==, expected);
}

static void
test_refuse_without_person (void)
{
  g_autofree char *err = NULL, *id = NULL, *out = NULL;
  g_autoptr(JsonArray) list = NULL;

  SKIP_IF_NEEDED ();
  id = g_strdup_printf ("%" G_GINT64_FORMAT, other_id);
  g_assert_cmpint (CTL (desk_a, NULL, &err, "inbox", "file", id), ==, 5);
  g_assert_nonnull (strstr (err, "not matched automatically"));
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, other_id), "keywords"), ==, "");

  /* A person chose: filed. */
  g_assert_cmpint (CTL (desk_a, &out, NULL, "inbox", "file", id, "--patient", auto_ins), ==, 0);
}

static void
test_assign_handle_reopen (void)
{
  g_autofree char *err = NULL, *id = NULL, *kw = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonObject) drained = NULL;
  JsonArray *docs;

  SKIP_IF_NEEDED ();
  id = g_strdup_printf ("%" G_GINT64_FORMAT, third_id);
  /* Nothing filed nor dismissed: refused, naming what is left. */
  g_assert_cmpint (CTL (desk_a, NULL, &err, "inbox", "handle", id), ==, 5);
  g_assert_nonnull (strstr (err, "dismiss each of these documents"));
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "assign", id, "--to", "Practitioner/prat-1"), ==, 0);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "assign", id, "--to", "prat-1"), ==, 1);

  list = inbox_list (desk_a);
  docs = json_object_get_array_member (message (list, third_id), "documents");
  for (guint i = 0; i < json_array_get_length (docs); i++)
    {
      g_autofree char *n = g_strdup_printf ("%u", i + 1);

      g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "dismiss", id, "--document", n,
                            "--reason", "Doublon du courrier papier"), ==, 0);
    }
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "dismiss", id, "--document", "1", "--reason", " "), ==, 1);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "handle", id), ==, 0);
  g_clear_pointer (&list, json_array_unref);
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "status"), ==, "handled");
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "assignee"), ==, "Practitioner/prat-1");

  drained = drain (desk_a, imap_url);
  g_assert_cmpint (json_object_get_int_member (drained, "sent"), >=, 1);
  kw = server_keywords (third_uid);
  g_assert_nonnull (strstr (kw, "$CabinetHandled"));
  g_assert_nonnull (strstr (kw, "$CabinetAssigned-prat-1"));
  g_assert_nonnull (strstr (kw, "$CabinetDismissed-1"));

  /* Reopen, then undo the reopening. */
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "reopen", id), ==, 0);
  g_clear_pointer (&list, json_array_unref);
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "status"), ==, "assigned");
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "undo", id), ==, 0);
  g_clear_pointer (&list, json_array_unref);
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "status"), ==, "handled");
  g_clear_pointer (&drained, json_object_unref);
  drained = drain (desk_a, imap_url);
  g_clear_pointer (&kw, g_free);
  kw = server_keywords (third_uid);
  g_assert_nonnull (strstr (kw, "$CabinetHandled"));
}

static void
test_second_desk (void)
{
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *expected = NULL;

  SKIP_IF_NEEDED ();
  sync_desk (desk_b);
  list = inbox_list (desk_b);
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "status"), ==, "handled");
  g_assert_cmpstr (json_object_get_string_member (message (list, third_id), "assignee"), ==, "Practitioner/prat-1");
  g_assert_cmpstr (json_object_get_string_member (message (list, auto_id), "patient_id"), ==, auto_patient);
  expected = g_strdup_printf ("$CabinetFiled $CabinetPatient-%s", auto_patient);
  g_assert_cmpstr (json_object_get_string_member (message (list, auto_id), "keywords"), ==, expected);
}

static void
test_offline_then_drained (void)
{
  g_autofree char *id = NULL, *dead = NULL, *kw = NULL;
  g_autoptr(JsonObject) first = NULL, second = NULL;

  SKIP_IF_NEEDED ();
  id = g_strdup_printf ("%" G_GINT64_FORMAT, other_id);
  g_assert_cmpint (CTL (desk_b, NULL, NULL, "inbox", "assign", id, "--to", "Practitioner/prat-2"), ==, 0);
  /* The IMAP server cannot be reached: the change waits. */
  dead = g_strdup ("imaps://127.0.0.1:1");
  first = drain (desk_b, dead);
  g_assert_true (json_object_get_boolean_member (first, "offline"));
  g_assert_cmpint (json_object_get_int_member (first, "sent"), ==, 0);
  kw = server_keywords (other_uid);
  g_assert_null (strstr (kw, "prat-2"));
  second = drain (desk_b, imap_url);
  g_assert_false (json_object_get_boolean_member (second, "offline"));
  g_assert_cmpint (json_object_get_int_member (second, "sent"), ==, 1);
  g_clear_pointer (&kw, g_free);
  kw = server_keywords (other_uid);
  g_assert_nonnull (strstr (kw, "$CabinetAssigned-prat-2"));
}

static void
test_conflict_shown (void)
{
  g_autofree char *id = NULL, *kw = NULL, *out = NULL;
  g_autoptr(JsonObject) drained = NULL;
  g_autoptr(JsonNode) entries = NULL;
  const char *argv[] = { "outbox", "list", "--json", NULL };
  gboolean seen = FALSE;

  SKIP_IF_NEEDED ();
  /* Desk A has not seen desk B's assignment: it assigns to someone else. */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, other_id);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "assign", id, "--to", "Practitioner/prat-3"), ==, 0);
  other_desk_adds (other_uid, "$CabinetHandled");
  drained = drain (desk_a, imap_url);
  kw = server_keywords (other_uid);
  /* Never overwritten: the other desks' keywords stay. */
  g_assert_nonnull (strstr (kw, "$CabinetAssigned-prat-2"));
  g_assert_nonnull (strstr (kw, "$CabinetHandled"));
  g_assert_null (strstr (kw, "prat-3"));
  entries = ctl_json (desk_a, argv);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (entries)); i++)
    {
      JsonObject *e = json_array_get_object_element (json_node_get_array (entries), i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "state", NULL), "conflict") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "kind", NULL), "mailflags") == 0)
        seen = TRUE;
    }
  g_assert_true (seen);
}

static void
test_kill_during_drain (void)
{
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonObject) last = NULL;
  g_autofree char *kw = NULL, *id = NULL;
  guint n_conflicts_before = 0;

  SKIP_IF_NEEDED ();
  /* Several changes of one message, then drains killed at random times. */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, auto_id);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "assign", id, "--to", "Practitioner/prat-4"), ==, 0);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "handle", id), ==, 0);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "reopen", id), ==, 0);
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "inbox", "handle", id), ==, 0);
  for (guint round = 0; round < 6; round++)
    {
      const char *argv[] = { "--ca", mail->ca_file, "--imap", imap_url, "--mail-user", "alice",
                             "outbox", "drain", NULL };
      g_autoptr(GSubprocess) p = spawn_ctl (desk_a, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE, argv);

      g_usleep (g_random_int_range (20000, 400000));
      g_subprocess_send_signal (p, SIGKILL);
      g_subprocess_wait (p, NULL, NULL);
    }
  last = drain (desk_a, imap_url);
  g_assert_cmpint (json_object_get_int_member (last, "pending"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (last, "sending"), ==, 0);
  /* Only the conflict of the test before: no change of this message was
   * taken for another desk's (which a second STORE would have been). */
  n_conflicts_before = 1;
  g_assert_cmpint (json_object_get_int_member (last, "conflict"), ==,
                   n_conflicts_before);
  kw = server_keywords (auto_uid);
  g_assert_nonnull (strstr (kw, "$CabinetHandled"));
  g_assert_nonnull (strstr (kw, "$CabinetAssigned-prat-4"));
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, auto_id), "status"), ==, "handled");
}

/* ---------------------------------------------- following another desk */

/* Another desk (another program) sets the message's triage keywords to
 * @keywords (NULL-terminated), keeping every other flag. */
static void
other_desk_sets (gint64 uid, const char * const *keywords)
{
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (mail->ca_file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabImap) imap = cab_imap_connect (imap_url, db, 10, NULL, &error);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  CabImapMailbox state = { 0 };
  CabImapFlags *flags = NULL;

  g_assert_true (cab_imap_login (imap, "alice", "secret", &error));
  g_assert_true (cab_imap_select (imap, "INBOX", &state, &error));
  g_assert_true (cab_imap_fetch_uid_flags (imap, (guint32) uid, &flags, &error));
  for (guint i = 0; flags->keywords[i] != NULL; i++)
    if (!g_str_has_prefix (flags->keywords[i], "$Cabinet"))
      g_ptr_array_add (all, flags->keywords[i]);
  for (guint i = 0; keywords[i] != NULL; i++)
    g_ptr_array_add (all, (gpointer) keywords[i]);
  g_ptr_array_add (all, NULL);
  g_assert_true (cab_imap_store_uid_flags (imap, (guint32) uid, 0, (const char * const *) all->pdata, &error));
  g_assert_no_error (error);
  cab_imap_flags_free (flags);
}

/* The desk's documents filed from message @mail_id ("mss-<id>-<n>"), with
 * the patient each went to; their bytes in @bytes when not NULL. */
static guint
filed_from (const char *desk, gint64 mail_id, const char *patient_id, GBytes **bytes)
{
  g_autofree char *db = g_build_filename (desk, "cabinet.db", NULL);
  g_autofree char *prefix = g_strdup_printf ("mss-%" G_GINT64_FORMAT "-", mail_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabStore) store = cab_store_open (db, &error);
  g_autoptr(GPtrArray) timeline = NULL;
  guint n = 0;

  g_assert_no_error (error);
  timeline = cab_store_list_timeline (store, patient_id, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      CabDocumentRow *row = g_ptr_array_index (timeline, i);

      if (g_str_has_prefix (row->id, prefix))
        {
          g_assert_cmpstr (row->origin, ==, "mssante");
          if (bytes != NULL && *bytes == NULL)
            *bytes = read_file (row->local_path);
          n++;
        }
    }
  return n;
}

static JsonObject *
sync_json (const char *desk)
{
  const char *argv[] = { "--ca", mail->ca_file, "inbox", "sync", "--imap", imap_url, "--mail-user", "alice",
                         "--json", NULL };
  JsonNode *node = ctl_json (desk, argv);
  JsonObject *o = json_object_ref (json_node_get_object (node));

  json_node_unref (node);
  return o;
}


static void
test_second_desk_files (void)
{
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GBytes) filed = NULL, sent = NULL;

  SKIP_IF_NEEDED ();
  /* Desk A filed auto_id (an automatic match) and other_id (a person's
   * choice) to the same patient; desk B synced since: both are in B's
   * timeline, byte for byte, from the MSSanté origin. */
  list = inbox_list (desk_b);
  g_assert_cmpuint (filed_from (desk_b, auto_id, auto_patient, &filed), >=, 1);
  sent = pdf_of (json_object_get_string_member (message (list, auto_id), "raw_path"));
  g_assert_true (g_bytes_equal (filed, sent));
  g_assert_cmpuint (filed_from (desk_b, other_id, auto_patient, NULL), >=, 1);
  g_assert_null (json_object_get_string_member (message (list, auto_id), "filing_state"));
  /* Searchable there too: a word of the PDF's text finds it. */
  {
    g_autofree char *db = g_build_filename (desk_b, "cabinet.db", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(CabStore) store = cab_store_open (db, &error);
    gboolean truncated = FALSE;
    g_autofree char *text = cab_pdf_text_extract_bytes (sent, 5, 65536, &truncated, &error);
    g_auto(GStrv) words = NULL;
    g_autoptr(GPtrArray) found = NULL;
    const char *word = NULL;
    gboolean hit = FALSE;

    g_assert_no_error (error);
    g_assert_nonnull (text);
    words = g_regex_split_simple ("[^[:alpha:]]+", text, 0, 0);
    for (guint i = 0; words[i] != NULL && word == NULL; i++)
      if (g_utf8_strlen (words[i], -1) >= 6)
        word = words[i];
    g_assert_nonnull (word);
    found = cab_store_search_documents (store, word, auto_patient, 50, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < found->len; i++)
      hit |= g_strcmp0 (((CabDocumentRow *) g_ptr_array_index (found, i))->origin, "mssante") == 0;
    g_assert_true (hit);
  }
}

static void
test_second_desk_never_guesses (void)
{
  g_autofree char *cut = NULL, *unknown_kw = NULL, *cut_kw = NULL, *long_kw = NULL;
  g_autoptr(JsonObject) synced = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autofree char *db = g_build_filename (desk_b, "cabinet.db", NULL);

  SKIP_IF_NEEDED ();
  g_assert_cmpint (spare_id[2], >, 0);
  /* A patient this desk does not have; the filed patient's id with its
   * last character changed (never a prefix or near match); the patient's
   * id with characters an id may not have (ignored whole, never cut to
   * the valid part; Dovecot itself refuses keywords over 50 bytes). */
  unknown_kw = g_strdup ("$CabinetPatient-nobody-here");
  cut = g_strndup (auto_patient, strlen (auto_patient) - 1);
  cut_kw = g_strconcat ("$CabinetPatient-", cut, "x", NULL);
  long_kw = g_strdup_printf ("$CabinetPatient-%s+1", auto_patient);
  other_desk_sets (spare_uid[0], (const char *[]) { "$CabinetFiled", unknown_kw, NULL });
  other_desk_sets (spare_uid[1], (const char *[]) { "$CabinetFiled", cut_kw, NULL });
  other_desk_sets (spare_uid[2], (const char *[]) { "$CabinetFiled", long_kw, NULL });
  synced = sync_json (desk_b);
  g_assert_cmpint (json_object_get_int_member (synced, "attention"), ==, 3);
  list = inbox_list (desk_b);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *m = message (list, spare_id[i]);
      JsonArray *docs = json_object_get_array_member (m, "documents");

      g_assert_cmpstr (json_object_get_string_member (m, "filing_state"), ==, "unknown-patient");
      for (guint d = 0; d < json_array_get_length (docs); d++)
        g_assert_null (json_object_get_string_member (json_array_get_object_element (docs, d),
                                                      "filed_document_id"));
    }
  /* Nothing of them in the patient's timeline. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (filed_from (desk_b, spare_id[i], auto_patient, NULL), ==, 0);
  /* Shown as a conflict on the Inbox page's listing, with why. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CabStore) store = cab_store_open (db, &error);
    CabInboxQuery query = { CAB_INBOX_FILTER_ALL, NULL, NULL, 0 };
    g_autoptr(CabInboxListing) listing = cab_inbox_store_list (store, &query, &error);
    guint seen = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < listing->items->len; i++)
      {
        CabInboxItem *item = g_ptr_array_index (listing->items, i);

        if (cab_inbox_item_get_id (item) == spare_id[0])
          {
            g_assert_cmpint (cab_inbox_item_get_match_state (item), ==, CAB_MATCH_CONFLICT);
            g_assert_cmpint (cab_inbox_item_get_match_reason (item), ==, CAB_MATCH_REASON_FILED_UNKNOWN_PATIENT);
            seen++;
          }
      }
    g_assert_cmpuint (seen, ==, 1);
  }
}

static void
test_second_desk_takes_back (void)
{
  g_autofree char *patient_kw = NULL;
  g_autoptr(JsonObject) first = NULL, second = NULL;
  g_autoptr(JsonArray) list = NULL;

  SKIP_IF_NEEDED ();
  /* Another desk files spare 0 to the right patient: done here, the
   * message needs no one any more. */
  patient_kw = g_strconcat ("$CabinetPatient-", auto_patient, NULL);
  other_desk_sets (spare_uid[0], (const char *[]) { "$CabinetFiled", patient_kw, NULL });
  first = sync_json (desk_b);
  g_assert_cmpint (json_object_get_int_member (first, "filed_here"), >=, 1);
  list = inbox_list (desk_b);
  g_assert_null (json_object_get_string_member (message (list, spare_id[0]), "filing_state"));
  g_assert_cmpuint (filed_from (desk_b, spare_id[0], auto_patient, NULL), >=, 1);

  /* Then undoes it: the document leaves the patient's timeline here too. */
  other_desk_sets (spare_uid[0], (const char *[]) { NULL });
  second = sync_json (desk_b);
  g_assert_cmpint (json_object_get_int_member (second, "taken_back"), >=, 1);
  g_assert_cmpuint (filed_from (desk_b, spare_id[0], auto_patient, NULL), ==, 0);
}

/* --------------------------------------- cancel and conflicts (mailflags) */

static gint64
queued_entry (JsonObject *triage_answer)
{
  return json_object_get_int_member (triage_answer, "queued");
}

static const char *
entry_state (const char *desk, gint64 entry_id, JsonNode **keep)
{
  const char *argv[] = { "outbox", "list", "--json", NULL };
  JsonArray *entries;

  g_clear_pointer (keep, json_node_unref);
  *keep = ctl_json (desk, argv);
  entries = json_node_get_array (*keep);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (json_object_get_int_member (e, "id") == entry_id)
        return json_object_get_string_member (e, "state");
    }
  return NULL;
}

static void
test_cancel_restores (void)
{
  g_autofree char *id = NULL, *out = NULL, *entry = NULL, *kw_before = NULL;
  g_autoptr(JsonNode) answer = NULL, entries = NULL;
  g_autoptr(JsonArray) list = NULL, after = NULL;
  g_autoptr(JsonObject) drained = NULL;

  SKIP_IF_NEEDED ();
  /* Desk A files spare 1 to a person's choice, offline: in the timeline
   * at once, the keywords waiting in the outbox. */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, spare_id[1]);
  kw_before = server_keywords (spare_uid[1]);
  answer = ctl_json (desk_a, (const char *[]) { "inbox", "file", id, "--patient", auto_ins, "--json", NULL });
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, queued_entry (json_node_get_object (answer)));
  g_assert_cmpuint (filed_from (desk_a, spare_id[1], auto_patient, NULL), >=, 1);
  list = inbox_list (desk_a);
  g_assert_nonnull (strstr (json_object_get_string_member (message (list, spare_id[1]), "keywords"),
                            "$CabinetFiled"));

  /* Cancelled before it left: the message is as the server has it again,
   * and its documents are no longer the patient's. */
  g_assert_cmpint (CTL (desk_a, &out, NULL, "outbox", "cancel", entry), ==, 0);
  after = inbox_list (desk_a);
  g_assert_null (strstr (json_object_get_string_member (message (after, spare_id[1]), "keywords"),
                         "$CabinetFiled"));
  g_assert_cmpstr (json_object_get_string_member (message (after, spare_id[1]), "status"), ==, "new");
  g_assert_cmpuint (filed_from (desk_a, spare_id[1], auto_patient, NULL), ==, 0);
  g_assert_cmpstr (entry_state (desk_a, queued_entry (json_node_get_object (answer)), &entries), ==, "cancelled");
  /* And nothing reaches the server. */
  drained = drain (desk_a, imap_url);
  g_clear_pointer (&out, g_free);
  out = server_keywords (spare_uid[1]);
  g_assert_cmpstr (out, ==, kw_before);
}

/* Desk A assigns @mail_id to @mine while another desk assigned it to
 * @theirs: the drain meets a conflict; returns the entry's id. */
static gint64
make_conflict (gint64 mail_id, gint64 uid, const char *mine, const char *theirs)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, mail_id);
  g_autofree char *practitioner = g_strconcat ("Practitioner/", mine, NULL);
  g_autofree char *keyword = g_strconcat ("$CabinetAssigned-", theirs, NULL);
  g_autoptr(JsonNode) answer = NULL, entries = NULL;
  g_autoptr(JsonObject) drained = NULL;
  gint64 entry;

  answer = ctl_json (desk_a, (const char *[]) { "inbox", "assign", id, "--to", practitioner, "--json", NULL });
  entry = queued_entry (json_node_get_object (answer));
  other_desk_adds (uid, keyword);
  drained = drain (desk_a, imap_url);
  g_assert_cmpstr (entry_state (desk_a, entry, &entries), ==, "conflict");
  return entry;
}

static void
test_conflict_keep_mine (void)
{
  g_autofree char *entry = NULL, *kw = NULL;
  g_autoptr(JsonObject) drained = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonNode) entries = NULL;
  gint64 entry_id;

  SKIP_IF_NEEDED ();
  entry_id = make_conflict (spare_id[1], spare_uid[1], "prat-7", "prat-8");
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, entry_id);
  /* Keep mine: sent again over the server's keywords as this desk last
   * read them. The other desk changed them once more since: a conflict
   * again, nothing overwritten. */
  other_desk_adds (spare_uid[1], "$CabinetHandled");
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "outbox", "resolve", entry, "--keep", "mine"), ==, 0);
  g_assert_cmpstr (entry_state (desk_a, entry_id, &entries), ==, "pending");
  drained = drain (desk_a, imap_url);
  g_assert_cmpstr (entry_state (desk_a, entry_id, &entries), ==, "conflict");
  g_clear_pointer (&drained, json_object_unref);
  /* Kept again, over what that conflict read: sent; the other desk's
   * keyword that mine does not replace stays. */
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "outbox", "resolve", entry, "--keep", "mine"), ==, 0);
  drained = drain (desk_a, imap_url);
  g_assert_cmpstr (entry_state (desk_a, entry_id, &entries), ==, "done");
  kw = server_keywords (spare_uid[1]);
  g_assert_nonnull (strstr (kw, "$CabinetAssigned-prat-7"));
  g_assert_null (strstr (kw, "prat-8"));
  g_assert_nonnull (strstr (kw, "$CabinetHandled"));
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, spare_id[1]), "assignee"), ==,
                   "Practitioner/prat-7");
  g_assert_cmpstr (json_object_get_string_member (message (list, spare_id[1]), "status"), ==, "handled");
}

static void
test_conflict_take_theirs (void)
{
  g_autofree char *entry = NULL, *kw = NULL, *kw_before = NULL;
  g_autoptr(JsonObject) drained = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonNode) entries = NULL;
  gint64 entry_id;

  SKIP_IF_NEEDED ();
  entry_id = make_conflict (spare_id[2], spare_uid[2], "prat-5", "prat-6");
  entry = g_strdup_printf ("%" G_GINT64_FORMAT, entry_id);
  kw_before = server_keywords (spare_uid[2]);
  /* Take theirs: nothing written; this desk shows the server's triage. */
  g_assert_cmpint (CTL (desk_a, NULL, NULL, "outbox", "resolve", entry, "--keep", "server"), ==, 0);
  g_assert_cmpstr (entry_state (desk_a, entry_id, &entries), ==, "cancelled");
  list = inbox_list (desk_a);
  g_assert_cmpstr (json_object_get_string_member (message (list, spare_id[2]), "assignee"), ==,
                   "Practitioner/prat-6");
  drained = drain (desk_a, imap_url);
  kw = server_keywords (spare_uid[2]);
  g_assert_cmpstr (kw, ==, kw_before);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  const char *sandbox_args[] = { "--patients", PATIENTS, "--today", TODAY, NULL };
  const char *desks[2];

  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    {
      skip_reason = "no mail fixture here (needs root, Dovecot and Postfix)";
      g_test_message ("%s: %s", skip_reason, error->message);
      return;
    }
  imap_url = cab_test_mail_url (mail, TRUE, NULL);
  tmp_dir = g_dir_make_tmp ("test-triage-XXXXXX", &error);
  g_assert_no_error (error);
  desk_a = g_build_filename (tmp_dir, "desk-a", NULL);
  desk_b = g_build_filename (tmp_dir, "desk-b", NULL);
  messages_dir = g_build_filename (tmp_dir, "messages", NULL);
  desks[0] = desk_a;
  desks[1] = desk_b;

  sandbox = cab_test_sandbox_start (sandbox_args, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (CTL (desks[i], NULL, NULL, "sync", "--server", sandbox->base_url,
                          "--token=" CAB_TEST_TOKEN, "--practice", "Organization/org-practice"), ==, 0);
  g_assert_true (cab_test_mail_generate (SEED, PATIENTS, TODAY, N_MESSAGES, messages_dir, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.eml", i + 1);
      g_autofree char *path = g_build_filename (messages_dir, name, NULL);

      g_assert_true (cab_test_mail_send (mail, path, &error));
      g_assert_no_error (error);
    }
  cab_test_mail_wait_delivered (mail, N_MESSAGES);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/mail/triage/file-auto", test_file_auto);
  g_test_add_func ("/mail/triage/refuse-without-person", test_refuse_without_person);
  g_test_add_func ("/mail/triage/assign-handle-reopen", test_assign_handle_reopen);
  g_test_add_func ("/mail/triage/second-desk", test_second_desk);
  g_test_add_func ("/mail/triage/offline-then-drained", test_offline_then_drained);
  g_test_add_func ("/mail/triage/conflict-shown", test_conflict_shown);
  g_test_add_func ("/mail/triage/kill-during-drain", test_kill_during_drain);
  g_test_add_func ("/mail/triage/second-desk-files", test_second_desk_files);
  g_test_add_func ("/mail/triage/second-desk-never-guesses", test_second_desk_never_guesses);
  g_test_add_func ("/mail/triage/second-desk-takes-back", test_second_desk_takes_back);
  g_test_add_func ("/mail/triage/cancel-restores", test_cancel_restores);
  g_test_add_func ("/mail/triage/conflict-keep-mine", test_conflict_keep_mine);
  g_test_add_func ("/mail/triage/conflict-take-theirs", test_conflict_take_theirs);
  status = g_test_run ();

  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_clear_pointer (&mail, cab_test_mail_free);
  if (tmp_dir != NULL)
    cab_test_mail_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (desk_a);
  g_free (desk_b);
  g_free (messages_dir);
  g_free (imap_url);
  g_free (auto_ins);
  g_free (auto_patient);
  return status;
}
