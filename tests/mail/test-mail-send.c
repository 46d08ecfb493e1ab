/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-send"

/* Secure messages out against real servers (one Postfix + Dovecot for all
 * subtests): cabinetctl mail send queues, cabinetctl outbox drain submits
 * to Postfix (STARTTLS + AUTH), which delivers by LMTP into bob's Dovecot
 * mailbox. Checks: a message arrives once, attachments byte for byte, its
 * IHE_XDM.zip read right by Cabinet's reader and by tests/mail/xdm-check.py;
 * a copy in alice's Sent folder; written offline, sent later; a 450 retried
 * and then sent; a 550 failed with the server's words; a wrong CA refused;
 * a read receipt requested, answered and recorded; drains killed at random
 * moments: every message arrives, a second copy only inside the documented
 * window, each copy with its Message-ID; and header injection refused. */

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <gmime/gmime.h>

#include "cab-gmime-autoptr.h"
#include "cab-mdn.h"
#include "cab-mime.h"
#include "cab-test-mail.h"
#include "cab-test-sandbox.h"
#include "cab-xdm.h"

#define PATIENTS "12"
#define ALICE    "alice@cabinet.test"
#define BOB      "bob@cabinet.test"

static CabTestSandbox *sandbox;
static CabTestMail *mail;
static char *tmp_dir, *data_dir, *imaps_url, *smtp_url, *smtps_url, *pdf_path, *body_path;
static char *qual_ins, *document_id;
static const char *skip_reason;

/* ------------------------------------------------------------------ helpers */

static int
run_argv (GPtrArray *args, char **out, char **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;

  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
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

/* cabinetctl with the data dir, CA and mail servers (@smtp NULL: smtp_url). */
static GPtrArray *
ctl_args (const char *smtp, const char *ca)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) g_getenv ("CABINETCTL"));
  g_ptr_array_add (args, "--data-dir");
  g_ptr_array_add (args, data_dir);
  g_ptr_array_add (args, "--ca");
  g_ptr_array_add (args, (gpointer) (ca != NULL ? ca : mail->ca_file));
  g_ptr_array_add (args, "--imap");
  g_ptr_array_add (args, imaps_url);
  g_ptr_array_add (args, "--smtp");
  g_ptr_array_add (args, (gpointer) (smtp != NULL ? smtp : smtp_url));
  g_ptr_array_add (args, "--mail-user");
  g_ptr_array_add (args, ALICE);
  g_ptr_array_add (args, "--server");
  g_ptr_array_add (args, sandbox->base_url);
  g_ptr_array_add (args, "--token=" CAB_TEST_TOKEN);
  return args;
}

static int
ctl_va (const char *smtp, const char *ca, char **out, char **err, va_list ap)
{
  g_autoptr(GPtrArray) args = ctl_args (smtp, ca);
  const char *arg;

  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  return run_argv (args, out, err);
}

/* Runs cabinetctl, checks its exit code, returns its --json output parsed. */
static JsonNode *
ctl_json (int expected, ...)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;
  int status;
  JsonNode *node;

  va_start (ap, expected);
  status = ctl_va (NULL, NULL, &out, NULL, ap);
  va_end (ap);
  g_assert_cmpint (status, ==, expected);
  node = json_from_string (out, &error);
  g_assert_no_error (error);
  return node;
}

static int
ctl_status (const char *smtp, const char *ca, char **err, ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = ctl_va (smtp, ca, NULL, err, ap);
  va_end (ap);
  return status;
}

static void
fixture_access (const char *line)
{
  const char *args[] = { g_getenv ("CABINET_MAIL_FIXTURE"), "access", mail->dir, line, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_newv (args, G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (p, NULL, &error));
}

/* Queues a message to @to; returns its Message-ID, sets @entry_id. */
static char *
queue (const char *to, const char *subject, gint64 *entry_id)
{
  g_autoptr(JsonNode) node = ctl_json (0, "mail", "send", "--to", to, "--subject", subject,
                                       "--body-file", body_path, "--json", NULL);
  JsonObject *o = json_node_get_object (node);

  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "pending");
  if (entry_id)
    *entry_id = json_object_get_int_member (o, "id");
  return g_strdup (json_object_get_string_member (o, "message_id"));
}

static JsonNode *
drain (const char *smtp, const char *ca)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = ctl_status (smtp, ca, NULL, "outbox", "drain", "--json", "--backoff-ms", "1",
                           "--horizon-ms", "0", NULL);
  g_autofree char *unused = out;

  (void) unused;
  /* 0 sent, 3 some still queued, 5 some failed: the rows say which. */
  g_assert_true (status == 0 || status == 3 || status == 5);
  return NULL;
}

/* The row of entry @id in @rows (cabinetctl mail sent --json). */
static JsonObject *
row_of (JsonArray *rows, gint64 id)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);

      if (json_object_get_int_member (r, "id") == id)
        return json_object_ref (r);
    }
  g_assert_not_reached ();
}

static JsonArray *
sent_rows (void)
{
  g_autoptr(JsonNode) node = ctl_json (0, "mail", "sent", "--json", NULL);

  return json_array_ref (json_node_get_array (node));
}

static JsonObject *
sent_row (gint64 id)
{
  g_autoptr(JsonArray) rows = sent_rows ();

  return row_of (rows, id);
}

/* cabinetctl's language from here on (@lang "fr" or NULL: the C locale). */
static void
ctl_language (const char *lang)
{
  if (lang != NULL)
    {
      g_setenv ("LANGUAGE", lang, TRUE);
      g_setenv ("LC_ALL", "fr_FR.UTF-8", TRUE);
    }
  else
    {
      g_unsetenv ("LANGUAGE");
      g_setenv ("LC_ALL", "C", TRUE);
    }
}

/* Entry @id of cabinetctl outbox list --json. */
static JsonObject *
outbox_row (gint64 id)
{
  g_autoptr(JsonNode) node = ctl_json (0, "outbox", "list", "--json", NULL);

  return row_of (json_node_get_array (node), id);
}

/* Every message of @user's @folder: Message-ID -> GPtrArray of raw GBytes. */
static GHashTable *
mailbox (const char *user, const char *folder)
{
  g_autoptr(GPtrArray) all = cab_test_mail_fetch_all (mail, user, "secret", folder);
  GHashTable *by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < all->len; i++)
    {
      g_autoptr(CabMimeMessage) m = cab_mime_parse (all->pdata[i], NULL);
      GPtrArray *copies;

      if (m == NULL || m->message_id == NULL)
        continue;
      copies = g_hash_table_lookup (by_id, m->message_id);
      if (copies == NULL)
        {
          copies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
          g_hash_table_insert (by_id, g_strdup (m->message_id), copies);
        }
      g_ptr_array_add (copies, g_bytes_ref (all->pdata[i]));
    }
  return by_id;
}

static guint
copies_of (GHashTable *box, const char *message_id)
{
  GPtrArray *c = g_hash_table_lookup (box, message_id);

  return c != NULL ? c->len : 0;
}

/* Waits until every Message-ID of @ids is in @user's INBOX. */
static GHashTable *
wait_for (const char *user, const char * const *ids)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      GHashTable *box = mailbox (user, "INBOX");
      gboolean all = TRUE;

      for (guint i = 0; ids[i] != NULL; i++)
        all &= copies_of (box, ids[i]) > 0;
      if (all)
        return box;
      g_hash_table_unref (box);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100000);
    }
}

static GBytes *
read_file (const char *path)
{
  char *data = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));
  return g_bytes_new_take (data, size);
}

/* -------------------------------------------------------------------- tests */

static void
test_round_trip (void)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) box = NULL, sent = NULL;
  g_autoptr(CabMimeMessage) m = NULL;
  g_autoptr(CabXdm) xdm = NULL;
  g_autoptr(GBytes) pdf = NULL, doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) row = NULL;
  g_autofree char *zip_path = NULL, *doc_path = NULL, *py_out = NULL, *py_err = NULL, *script_dir = NULL, *script = NULL;
  const char *message_id;
  const char *ids[2] = { NULL, NULL };
  CabXdmDocument *d;
  int status;

  if (skip_reason) { g_test_skip (skip_reason); return; }
  node = ctl_json (0, "mail", "send", "--to", BOB, "--subject", "Résultats — suite", "--body-file", body_path,
                   "--attach", pdf_path, "--attach", document_id, "--patient", qual_ins, "--receipt", "--json", NULL);
  message_id = json_object_get_string_member (json_node_get_object (node), "message_id");
  ids[0] = message_id;
  drain (NULL, NULL);

  box = wait_for ("bob", ids);
  g_assert_cmpuint (copies_of (box, message_id), ==, 1);
  m = cab_mime_parse (((GPtrArray *) g_hash_table_lookup (box, message_id))->pdata[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->subject, ==, "Résultats — suite");
  g_assert_cmpstr (m->from_address, ==, ALICE);
  g_assert_cmpstr (m->mss_ins, ==, "O");
  g_assert_nonnull (m->notification_to);
  /* The file, the document's PDF copy, the IHE_XDM.zip. */
  g_assert_cmpuint (m->attachments->len, ==, 3);
  pdf = read_file (pdf_path);
  g_assert_true (g_bytes_equal (((CabMimeAttachment *) m->attachments->pdata[0])->content, pdf));
  doc_path = g_build_filename (tmp_dir, "document.pdf", NULL);
  doc = read_file (doc_path);
  g_assert_true (g_bytes_equal (((CabMimeAttachment *) m->attachments->pdata[1])->content, doc));
  g_assert_cmpstr (((CabMimeAttachment *) m->attachments->pdata[2])->filename, ==, "IHE_XDM.zip");

  xdm = cab_xdm_read (((CabMimeAttachment *) m->attachments->pdata[2])->content, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xdm->submission_ins, ==, qual_ins);
  g_assert_cmpuint (xdm->documents->len, ==, 1);
  d = xdm->documents->pdata[0];
  g_assert_true (d->hash_ok);
  g_assert_true (g_bytes_equal (d->content, doc));
  g_assert_cmpstr (d->ins, ==, qual_ins);
  g_assert_nonnull (d->birth_date);
  g_assert_nonnull (d->birth_family);
  g_assert_nonnull (d->type_code);
  g_assert_cmpstr (m->mss_codecda[0], ==, d->type_code);

  /* The independent reader. */
  zip_path = g_build_filename (tmp_dir, "IHE_XDM.zip", NULL);
  g_assert_true (g_file_set_contents (zip_path, g_bytes_get_data (((CabMimeAttachment *) m->attachments->pdata[2])->content, NULL),
                                      g_bytes_get_size (((CabMimeAttachment *) m->attachments->pdata[2])->content), NULL));
  script_dir = g_path_get_dirname (g_getenv ("CABINET_MAIL_FIXTURE"));
  script = g_build_filename (script_dir, "xdm-check.py", NULL);
  {
    const char *argv[] = { "python3", script, zip_path, NULL };
    g_autoptr(JsonNode) py = NULL;
    JsonObject *entry;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &py_out, &py_err, &status, &error));
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("xdm-check.py: %s", py_err);
    py = json_from_string (py_out, &error);
    g_assert_no_error (error);
    entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (py), "documents"), 0);
    g_assert_cmpstr (json_object_get_string_member (entry, "sha1"), ==, d->sha1);
    g_assert_cmpstr (json_object_get_string_member (entry, "type_code"), ==, d->type_code);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (entry, "patient_id"), qual_ins));
  }

  /* Recorded, with its copy in alice's Sent folder (once). */
  row = sent_row (json_object_get_int_member (json_node_get_object (node), "id"));
  g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "done");
  g_assert_true (json_object_get_boolean_member (row, "sent_copy"));
  g_assert_nonnull (json_object_get_string_member (row, "accepted_at"));
  sent = mailbox ("alice", "Sent");
  g_assert_cmpuint (copies_of (sent, message_id), ==, 1);
}

static void
test_offline_then_drain (void)
{
  g_autofree char *a = NULL, *b = NULL;
  gint64 ia = 0, ib = 0;
  g_autoptr(JsonObject) ra = NULL, rb = NULL;
  g_autoptr(GHashTable) box = NULL;
  const char *ids[3];

  if (skip_reason) { g_test_skip (skip_reason); return; }
  a = queue (BOB, "Hors ligne 1", &ia);
  b = queue (BOB, "Hors ligne 2", &ib);
  /* No server there: both stay queued, with the reason. */
  drain ("smtp://127.0.0.1:1", NULL);
  ra = sent_row (ia);
  g_assert_cmpstr (json_object_get_string_member (ra, "state"), ==, "pending");
  g_assert_nonnull (json_object_get_string_member (ra, "last_error"));
  g_assert_cmpint (json_object_get_int_member (ra, "data_started"), ==, 0);
  drain (NULL, NULL);
  ids[0] = a; ids[1] = b; ids[2] = NULL;
  box = wait_for ("bob", ids);
  g_assert_cmpuint (copies_of (box, a), ==, 1);
  g_assert_cmpuint (copies_of (box, b), ==, 1);
  rb = sent_row (ib);
  g_assert_cmpstr (json_object_get_string_member (rb, "state"), ==, "done");
}

/* Editable and cancellable while not sent. */
static void
test_edit_and_cancel (void)
{
  g_autofree char *edited = NULL, *cancelled = NULL, *err = NULL;
  gint64 ie = 0, ic = 0;
  g_autofree char *ie_text = NULL, *ic_text = NULL;
  g_autoptr(JsonObject) re = NULL, rc = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GHashTable) box = NULL;
  g_autoptr(CabMimeMessage) m = NULL;
  const char *ids[2];

  if (skip_reason) { g_test_skip (skip_reason); return; }
  edited = queue (BOB, "Brouillon", &ie);
  cancelled = queue (BOB, "Annulé", &ic);
  ie_text = g_strdup_printf ("%" G_GINT64_FORMAT, ie);
  ic_text = g_strdup_printf ("%" G_GINT64_FORMAT, ic);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", ie_text, "--subject", "Version corrigée", NULL), ==, 0);
  g_assert_cmpint (ctl_status (NULL, NULL, &err, "mail", "edit", ie_text, "--subject", "a\r\nBcc: spy@evil.test", NULL), ==, 1);
  /* Attachments and the receipt flag change too, through the same check
   * as the composer's Save: a file added, then removed by the name the
   * recipient sees, then added again; a name the message lacks is refused. */
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", ie_text, "--attach", pdf_path, "--receipt", NULL), ==, 0);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", ie_text, "--detach", "A01-lettre.pdf", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl_status (NULL, NULL, &err, "mail", "edit", ie_text, "--detach", "A09-absent.pdf", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "A09-absent.pdf"));
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", ie_text, "--attach", pdf_path, NULL), ==, 0);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "outbox", "cancel", ic_text, NULL), ==, 0);
  drain (NULL, NULL);
  rows = sent_rows ();
  re = row_of (rows, ie);
  rc = row_of (rows, ic);
  g_assert_cmpstr (json_object_get_string_member (re, "state"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (re, "subject"), ==, "Version corrigée");
  g_assert_cmpstr (json_object_get_string_member (rc, "state"), ==, "cancelled");
  g_assert_cmpint (json_object_get_int_member (rc, "data_started"), ==, 0);
  ids[0] = edited; ids[1] = NULL;
  box = wait_for ("bob", ids);
  m = cab_mime_parse (((GPtrArray *) g_hash_table_lookup (box, edited))->pdata[0], NULL);
  g_assert_cmpstr (m->subject, ==, "Version corrigée");
  g_assert_cmpuint (m->attachments->len, ==, 1);
  g_assert_nonnull (m->notification_to);
  /* Sent: no longer editable. */
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", ie_text, "--subject", "Trop tard", NULL), ==, 6);
  g_assert_cmpuint (copies_of (box, cancelled), ==, 0);
}

static void
test_deferred_then_sent (void)
{
  g_autofree char *id = NULL;
  gint64 entry = 0;
  g_autoptr(JsonObject) r1 = NULL, r2 = NULL;
  g_autoptr(GHashTable) box = NULL;
  const char *ids[2];

  if (skip_reason) { g_test_skip (skip_reason); return; }
  fixture_access (BOB " 450 4.2.0 <" BOB ">: Mailbox busy, try later (test)");
  id = queue (BOB, "Différé", &entry);
  /* Drained on a French desk, read in the C locale: the sentence in
   * English, the server's words as they came (docs/architecture.md, "An
   * entry's last error"). */
  ctl_language ("fr");
  drain (NULL, NULL);
  ctl_language (NULL);
  r1 = sent_row (entry);
  g_assert_cmpstr (json_object_get_string_member (r1, "state"), ==, "pending");
  g_test_message ("deferred: %s", json_object_get_string_member (r1, "last_error"));
  g_assert_nonnull (strstr (json_object_get_string_member (r1, "last_error"), "try later (test)"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (r1, "last_error"),
                                   "The mail server asks to try again later: 450"));
  {
    g_autoptr(JsonObject) o = outbox_row (entry);

    g_assert_cmpstr (json_object_get_string_member (o, "error_code"), ==, "mail-later");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "error_detail"), "450 "));
    g_assert_nonnull (strstr (json_object_get_string_member (o, "error_detail"), "Mailbox busy, try later (test)"));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "last_error"),
                                     "The mail server asks to try again later: 450"));
  }
  fixture_access (NULL);
  drain (NULL, NULL);
  r2 = sent_row (entry);
  g_assert_cmpstr (json_object_get_string_member (r2, "state"), ==, "done");
  ids[0] = id; ids[1] = NULL;
  box = wait_for ("bob", ids);
  g_assert_cmpuint (copies_of (box, id), ==, 1);
}

static void
test_refused (void)
{
  g_autofree char *id = NULL;
  gint64 entry = 0;
  g_autoptr(JsonObject) r = NULL;

  if (skip_reason) { g_test_skip (skip_reason); return; }
  id = queue ("reject@cabinet.test", "Refusé", &entry);
  /* Drained in the C locale, read on a French desk: the sentence in
   * French, the server's words verbatim. */
  ctl_language (NULL);
  drain (NULL, NULL);
  ctl_language ("fr");
  r = sent_row (entry);
  ctl_language (NULL);
  g_assert_cmpstr (json_object_get_string_member (r, "state"), ==, "failed");
  g_test_message ("refused, read in French: %s", json_object_get_string_member (r, "last_error"));
  g_assert_nonnull (strstr (json_object_get_string_member (r, "last_error"), "no such mailbox (test)"));
  g_assert_nonnull (strstr (json_object_get_string_member (r, "last_error"), "550"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (r, "last_error"),
                                   "Le serveur de messagerie a refusé le message : 550"));
  {
    g_autoptr(JsonObject) o = NULL;

    ctl_language ("fr");
    o = outbox_row (entry);
    g_assert_cmpint (ctl_status (NULL, NULL, NULL, "outbox", "list", NULL), ==, 0);
    ctl_language (NULL);
    g_assert_cmpstr (json_object_get_string_member (o, "error_code"), ==, "mail-refused");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "error_detail"), "550"));
    g_assert_nonnull (strstr (json_object_get_string_member (o, "error_detail"), "no such mailbox (test)"));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "last_error"),
                                     "Le serveur de messagerie a refusé le message : 550"));
  }
}

static void
test_wrong_certificate (void)
{
  g_autofree char *id = NULL;
  gint64 entry = 0;
  g_autoptr(JsonObject) r = NULL, r2 = NULL;
  g_autoptr(GHashTable) box = NULL;
  const char *ids[2];

  if (skip_reason) { g_test_skip (skip_reason); return; }
  id = queue (BOB, "Mauvais certificat", &entry);
  drain (smtps_url, mail->other_ca_file);
  r = sent_row (entry);
  g_assert_cmpstr (json_object_get_string_member (r, "state"), ==, "pending");
  g_assert_nonnull (strstr (json_object_get_string_member (r, "last_error"), "certificate"));
  g_assert_cmpint (json_object_get_int_member (r, "data_started"), ==, 0);
  /* Implicit TLS with the right CA sends it. */
  drain (smtps_url, NULL);
  r2 = sent_row (entry);
  g_assert_cmpstr (json_object_get_string_member (r2, "state"), ==, "done");
  ids[0] = id; ids[1] = NULL;
  box = wait_for ("bob", ids);
  g_assert_cmpuint (copies_of (box, id), ==, 1);
}

static void
test_read_receipt (void)
{
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) box = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 entry;
  const char *ids[2];
  CabSmtpAccount bob;

  if (skip_reason) { g_test_skip (skip_reason); return; }
  bob = (CabSmtpAccount) { .url = smtp_url, .user = "bob", .password = "secret", .ca_file = mail->ca_file };
  node = ctl_json (0, "mail", "send", "--to", BOB, "--subject", "Accusé demandé", "--body-file", body_path,
                   "--receipt", "--json", NULL);
  id = g_strdup (json_object_get_string_member (json_node_get_object (node), "message_id"));
  entry = json_object_get_int_member (json_node_get_object (node), "id");
  drain (NULL, NULL);
  ids[0] = id; ids[1] = NULL;
  box = wait_for ("bob", ids);
  /* Bob's software answers the request (the core function Cabinet's own
   * "Send a read receipt" uses). */
  g_assert_true (cab_mdn_send (&bob, BOB, NULL, ((GPtrArray *) g_hash_table_lookup (box, id))->pdata[0], FALSE, &error));
  g_assert_no_error (error);

  /* Alice's inbox gets it; it is matched to the sent message. */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;;)
    {
      g_autoptr(JsonNode) s = ctl_json (0, "inbox", "sync", "--json", NULL);

      g_clear_pointer (&r, json_object_unref);
      r = sent_row (entry);
      if (json_object_get_string_member (r, "read_at") != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200000);
    }
  g_assert_cmpstr (json_object_get_string_member (r, "disposition"), ==, "displayed");
}

/* kill -9 of the drain at random moments, then one drain to the end. */
#define N_KILL_MESSAGES 6
#define N_KILLS         20

static void
test_killed_drains (void)
{
  char *ids[N_KILL_MESSAGES + 1] = { NULL };
  gint64 entries[N_KILL_MESSAGES];
  g_autoptr(GHashTable) box = NULL;
  g_autoptr(JsonArray) rows = NULL;
  guint extra_copies = 0, window = 0, killed = 0;
  gboolean asan = g_getenv ("ASAN_OPTIONS") != NULL;
  guint n_kills = asan ? N_KILLS / 2 : N_KILLS;

  if (skip_reason) { g_test_skip (skip_reason); return; }
  for (guint i = 0; i < N_KILL_MESSAGES; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Interrompu %u", i);
      ids[i] = queue (BOB, subject, &entries[i]);
    }
  for (guint k = 0; k < n_kills; k++)
    {
      g_autoptr(GPtrArray) args = ctl_args (NULL, NULL);
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) p = NULL;
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (args, "outbox");
      g_ptr_array_add (args, "drain");
      g_ptr_array_add (args, "--backoff-ms");
      g_ptr_array_add (args, "1");
      g_ptr_array_add (args, "--horizon-ms");
      g_ptr_array_add (args, "0");
      g_ptr_array_add (args, NULL);
      g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
      g_subprocess_launcher_setenv (launcher, "CABINET_MAIL_PASSWORD", "secret", TRUE);
      p = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
      g_assert_no_error (error);
      /* From start-up to the middle of a submission (SIGKILL). */
      g_usleep (g_random_int_range (asan ? 100 : 20, asan ? 900 : 260) * 1000);
      g_subprocess_force_exit (p);
      g_subprocess_wait (p, NULL, NULL);
      killed += g_subprocess_get_if_signaled (p);
    }
  drain (NULL, NULL);
  box = wait_for ("bob", (const char * const *) ids);
  rows = sent_rows ();
  for (guint i = 0; i < N_KILL_MESSAGES; i++)
    {
      g_autoptr(JsonObject) r = row_of (rows, entries[i]);
      GPtrArray *copies = g_hash_table_lookup (box, ids[i]);

      g_assert_cmpstr (json_object_get_string_member (r, "state"), ==, "done");
      /* Every copy carries the Message-ID it was queued with (the lookup is by it). */
      g_assert_cmpuint (copies->len, >=, 1);
      /* A second copy only when a resend followed an attempt that reached
       * DATA and left no trace in the Sent folder. */
      g_assert_cmpuint (copies->len - 1, <=, json_object_get_int_member (r, "window_resends"));
      extra_copies += copies->len - 1;
      window += json_object_get_int_member (r, "window_resends");
    }
  /* No copy under another Message-ID: every "Interrompu" message in the
   * mailbox is one of those queued. */
  {
    GHashTableIter it;
    gpointer key, value;
    guint total = 0, ours = 0;

    g_hash_table_iter_init (&it, box);
    while (g_hash_table_iter_next (&it, &key, &value))
      {
        GPtrArray *copies = value;

        for (guint c = 0; c < copies->len; c++)
          {
            g_autoptr(CabMimeMessage) m = cab_mime_parse (copies->pdata[c], NULL);

            if (m != NULL && g_str_has_prefix (m->subject, "Interrompu "))
              {
                total++;
                for (guint i = 0; i < N_KILL_MESSAGES; i++)
                  ours += g_str_equal (key, ids[i]);
              }
          }
      }
    g_assert_cmpuint (total, ==, ours);
    g_assert_cmpuint (total, ==, N_KILL_MESSAGES + extra_copies);
  }
  g_test_message ("%u of %u drains killed; %u resends after the window, %u extra copies",
                  killed, n_kills, window, extra_copies);
  for (guint i = 0; i < N_KILL_MESSAGES; i++)
    g_free (ids[i]);
}

static void
test_refusals (void)
{
  g_autofree char *err = NULL, *err2 = NULL, *err3 = NULL, *patient_box = NULL, *other_box = NULL;

  if (skip_reason) { g_test_skip (skip_reason); return; }
  /* Header injection through a recipient or the subject. */
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "send", "--to", BOB "\r\nBcc: spy@evil.test", "--subject", "x",
                               "--body-file", body_path, NULL), ==, 1);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "send", "--to", BOB ">\r\nRCPT TO:<spy@evil.test", "--subject", "x",
                               "--body-file", body_path, NULL), ==, 1);
  g_assert_cmpint (ctl_status (NULL, NULL, &err, "mail", "send", "--to", BOB, "--subject", "x\r\nBcc: spy@evil.test",
                               "--body-file", body_path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "one line"));
  /* A patient's own mailbox: only for the patient named, whose identity is
   * qualified (the store holds an INS for qualified identities only; the
   * other statuses are refused in tests/unit/test-mail-out.c). */
  patient_box = g_strdup_printf ("%s@patient.mssante.fr", qual_ins);
  g_assert_cmpint (ctl_status (NULL, NULL, &err2, "mail", "send", "--to", patient_box,
                               "--subject", "x", "--body-file", body_path, NULL), ==, 6);
  g_assert_nonnull (strstr (err2, "qualified"));
  other_box = g_strdup ("100000000000042@patient.mssante.fr");
  g_assert_cmpint (ctl_status (NULL, NULL, &err3, "mail", "send", "--to", other_box, "--patient", qual_ins,
                               "--subject", "x", "--body-file", body_path, NULL), ==, 6);
  g_assert_nonnull (strstr (err3, "not the patient's"));
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "send", "--to", patient_box, "--patient", qual_ins,
                               "--subject", "x", "--body-file", body_path, NULL), ==, 0);
}

/* The To header's one mailbox of raw message @raw: its name (decoded) and
 * address. */
static void
to_header (GBytes *raw, char **name, char **address)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  InternetAddressList *to;
  InternetAddress *a;

  cab_mime_init ();
  stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  to = g_mime_message_get_to (message);
  g_assert_cmpint (internet_address_list_length (to), ==, 1);
  a = internet_address_list_get_address (to, 0);
  *name = g_strdup (internet_address_get_name (a));
  *address = g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a)));
}

/* --to "Name <address>": the name goes with the address (to_names), the
 * Outbox's title says it, the message's To carries it; input that is not
 * one mailbox is refused with exit 1 and a reason, nothing queued. */
static void
test_named_recipient (void)
{
  g_autoptr(JsonNode) node = NULL, list = NULL;
  g_autoptr(GHashTable) box = NULL;
  g_autofree char *name = NULL, *address = NULL, *id_text = NULL;
  const char *ids[2] = { NULL, NULL };
  JsonObject *o;
  JsonArray *entries;
  gint64 id;
  const struct { const char *to, *says; } refused[] = {
    { "Dr Bérénice Riou <" BOB ">, carol@cabinet.test", "One recipient" },
    { "Dr Bérénice Riou <bob at cabinet.test>", "Not a mail address" },
    { "Dr Bérénice Riou\r\nBcc: spy@evil.test <" BOB ">", "one line" },
    { "\"Dr Bérénice\r\nRiou\" <" BOB ">", "one line" },
    { "Médecins: " BOB ", " ALICE ";", "group" },
    { "", "Not a mail address" },
  };

  if (skip_reason) { g_test_skip (skip_reason); return; }
  node = ctl_json (0, "mail", "send", "--to", "Dr Bérénice Riou <" BOB ">", "--subject", "Avis",
                   "--body-file", body_path, "--json", NULL);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "to"), 0), ==, BOB);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "to_names"), 0), ==,
                   "Dr Bérénice Riou");
  id = json_object_get_int_member (o, "id");
  ids[0] = json_object_get_string_member (o, "message_id");

  list = ctl_json (0, "outbox", "list", "--json", NULL);
  entries = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    if (json_object_get_int_member (json_array_get_object_element (entries, i), "id") == id)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, i), "description"), ==,
                       "Message “Avis” to Dr Bérénice Riou");

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (ctl_status (NULL, NULL, &err, "mail", "send", "--to", refused[i].to, "--subject", "x",
                                   "--body-file", body_path, NULL), ==, 1);
      g_assert_nonnull (strstr (err, refused[i].says));
    }
  /* mail edit takes the same form: a new name for the same address. */
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", id_text, "--to", "\"Riou, Bérénice\" <" BOB ">",
                               NULL), ==, 0);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "mail", "edit", id_text, "--to", "Riou <" BOB,
                               NULL), ==, 1);

  drain (NULL, NULL);
  box = wait_for ("bob", ids);
  g_assert_cmpuint (copies_of (box, ids[0]), ==, 1);
  to_header (((GPtrArray *) g_hash_table_lookup (box, ids[0]))->pdata[0], &name, &address);
  g_assert_cmpstr (name, ==, "Riou, Bérénice");
  g_assert_cmpstr (address, ==, BOB);
}

/* -------------------------------------------------------------------- setup */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  const char *sandbox_args[] = { "--patients", PATIENTS, "--today", "2025-06-30", NULL };
  g_autoptr(JsonNode) patients = NULL;
  g_autofree char *doc_path = NULL;
  JsonArray *list;

  mail = cab_test_mail_start (FALSE, &error);
  if (mail == NULL)
    {
      skip_reason = "no mail fixture here (needs root, Dovecot and Postfix)";
      g_test_message ("%s: %s", skip_reason, error->message);
      return;
    }
  imaps_url = cab_test_mail_url (mail, TRUE, NULL);
  smtp_url = g_strdup_printf ("smtp://127.0.0.1:%u", mail->smtp_port);
  smtps_url = g_strdup_printf ("smtps://127.0.0.1:%u", mail->smtps_port);

  tmp_dir = g_dir_make_tmp ("test-mail-send-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  body_path = g_build_filename (tmp_dir, "body.txt", NULL);
  g_assert_true (g_file_set_contents (body_path, "Chère consœur,\nci-joint le compte rendu.\nBien à vous\n", -1, NULL));
  pdf_path = g_build_filename (tmp_dir, "lettre.pdf", NULL);
  {
    GString *pdf = g_string_new ("%PDF-1.4\n");
    for (guint i = 0; i < 20000; i++)
      g_string_append_c (pdf, (char) (g_random_int () & 0xff));
    g_assert_true (g_file_set_contents (pdf_path, pdf->str, pdf->len, NULL));
    g_string_free (pdf, TRUE);
  }

  sandbox = cab_test_sandbox_start (sandbox_args, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "sync", "--practice", "Organization/org-practice", NULL), ==, 0);

  /* A qualified patient with a PDF document, and a provisional one. */
  patients = ctl_json (0, "patients", "--json", NULL);
  list = json_node_get_array (patients);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *p = json_array_get_object_element (list, i);
      const char *ins = json_object_get_string_member_with_default (p, "ins", NULL);
      const char *status = json_object_get_string_member_with_default (p, "identity_status", NULL);

      if (ins == NULL)
        continue;
      if (g_strcmp0 (status, "QUAL") == 0 && document_id == NULL)
        {
          g_autoptr(JsonNode) timeline = ctl_json (0, "timeline", ins, "--json", NULL);
          JsonArray *docs = json_object_get_array_member (json_node_get_object (timeline), "documents");

          for (guint j = 0; j < json_array_get_length (docs) && document_id == NULL; j++)
            {
              JsonObject *d = json_array_get_object_element (docs, j);

              if (g_strcmp0 (json_object_get_string_member_with_default (d, "content_type", NULL), "application/pdf") == 0)
                {
                  document_id = g_strdup (json_object_get_string_member (d, "id"));
                  qual_ins = g_strdup (ins);
                }
            }
        }
    }
  g_assert_nonnull (document_id);
  doc_path = g_build_filename (tmp_dir, "document.pdf", NULL);
  g_assert_cmpint (ctl_status (NULL, NULL, NULL, "document", "fetch", document_id, "-o", doc_path, NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/mail/send/round-trip", test_round_trip);
  g_test_add_func ("/mail/send/offline-then-drain", test_offline_then_drain);
  g_test_add_func ("/mail/send/edit-and-cancel", test_edit_and_cancel);
  g_test_add_func ("/mail/send/deferred-then-sent", test_deferred_then_sent);
  g_test_add_func ("/mail/send/refused", test_refused);
  g_test_add_func ("/mail/send/wrong-certificate", test_wrong_certificate);
  g_test_add_func ("/mail/send/read-receipt", test_read_receipt);
  g_test_add_func ("/mail/send/killed-drains", test_killed_drains);
  g_test_add_func ("/mail/send/refusals", test_refusals);
  g_test_add_func ("/mail/send/named-recipient", test_named_recipient);
  status = g_test_run ();

  g_clear_pointer (&sandbox, cab_test_sandbox_free);
  g_clear_pointer (&mail, cab_test_mail_free);
  if (tmp_dir != NULL)
    cab_test_mail_remove_tree (tmp_dir);
  return status;
}
