/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What core tells the outbox page about an entry: one case per kind and
 * state family, and payloads that are damaged or from another version. */
#define G_LOG_DOMAIN "test-outbox-item"

#include "config.h"

#include <locale.h>

#include "cab-outbox-item.h"

static CabOutboxItem *
item_for (const char     *kind,
          CabOutboxState  state,
          const char     *payload,
          const char     *conflict_json,
          guint           attempts,
          const char     *last_error)
{
  CabOutboxEntry entry = { 0 };

  entry.id = 7;
  entry.kind = (char *) kind;
  entry.patient_id = (char *) "p1";
  entry.state = state;
  entry.payload = (char *) payload;
  entry.conflict_json = (char *) conflict_json;
  entry.attempts = attempts;
  entry.last_error = (char *) last_error;

  return cab_outbox_item_new (&entry, "DUPONT Jean");
}

static void
test_publish_pending (void)
{
  g_autoptr(CabOutboxItem) item =
    item_for ("publish", CAB_OUTBOX_STATE_PENDING,
              "{\"title\":\"Lettre de liaison\",\"type_code\":\"34133-9\"}", NULL, 0, NULL);

  g_assert_cmpint (cab_outbox_item_get_id (item), ==, 7);
  g_assert_cmpint (cab_outbox_item_get_kind (item), ==, CAB_OUTBOX_KIND_PUBLISH);
  g_assert_cmpstr (cab_outbox_item_get_title (item), ==, "Publish “Lettre de liaison”");
  g_assert_cmpstr (cab_outbox_item_get_subtitle (item), ==, "DUPONT Jean");
  g_assert_cmpstr (cab_outbox_item_get_patient_id (item), ==, "p1");
  g_assert_cmpstr (cab_outbox_item_get_patient_label (item), ==, "DUPONT Jean");
  g_assert_cmpstr (cab_outbox_item_get_state_text (item), ==, "Waiting to be sent");
  g_assert_cmpstr (cab_outbox_item_get_document_title (item), ==, "Lettre de liaison");
  g_assert_cmpstr (cab_outbox_item_get_type_code (item), ==, "34133-9");
  g_assert_true (cab_outbox_item_get_can_edit (item));
  g_assert_true (cab_outbox_item_get_can_cancel (item));
  g_assert_false (cab_outbox_item_get_can_retry (item));
  g_assert_false (cab_outbox_item_get_can_release (item));
}

static void
test_publish_failed (void)
{
  g_autoptr(CabOutboxItem) item =
    item_for ("publish", CAB_OUTBOX_STATE_FAILED,
              "{\"title\":\"Compte rendu\",\"type_code\":\"11488-4\"}", NULL, 2, "Refused by the server");
  gboolean can_retry = FALSE;
  g_autofree char *subtitle = NULL;

  g_assert_cmpstr (cab_outbox_item_get_subtitle (item), ==,
                   "DUPONT Jean · 2 attempts\nRefused by the server");
  g_assert_cmpstr (cab_outbox_item_get_state_text (item), ==, "Failed — needs you");
  g_assert_true (cab_outbox_item_get_can_edit (item));
  g_assert_true (cab_outbox_item_get_can_retry (item));
  g_assert_true (cab_outbox_item_get_can_cancel (item));

  /* The same through properties, for bindings. */
  g_object_get (item, "can-retry", &can_retry, "subtitle", &subtitle, NULL);
  g_assert_true (can_retry);
  g_assert_cmpstr (subtitle, ==, cab_outbox_item_get_subtitle (item));
}

static void
test_held_and_done (void)
{
  g_autoptr(CabOutboxItem) held =
    item_for ("publish", CAB_OUTBOX_STATE_HELD, "{\"title\":\"Ordonnance\"}", NULL, 0, NULL);
  g_autoptr(CabOutboxItem) done =
    item_for ("publish", CAB_OUTBOX_STATE_DONE, "{\"title\":\"Ordonnance\"}", NULL, 1, "old error");

  g_assert_true (cab_outbox_item_get_can_release (held));
  g_assert_true (cab_outbox_item_get_can_cancel (held));
  g_assert_true (cab_outbox_item_get_can_edit (held));
  /* A type the payload does not give: the form keeps its own choice. */
  g_assert_null (cab_outbox_item_get_type_code (held));

  /* Sent: nothing left to do, and an old error is no longer news. */
  g_assert_cmpstr (cab_outbox_item_get_subtitle (done), ==, "DUPONT Jean · 1 attempt");
  g_assert_false (cab_outbox_item_get_can_edit (done));
  g_assert_false (cab_outbox_item_get_can_cancel (done));
  g_assert_false (cab_outbox_item_get_can_retry (done));
  g_assert_false (cab_outbox_item_get_can_release (done));
  g_assert_cmpstr (cab_outbox_item_get_state_text (done), ==, "Sent");
}

static void
test_visibility (void)
{
  g_autoptr(CabOutboxItem) item =
    item_for ("visibility", CAB_OUTBOX_STATE_PENDING,
              "{\"masked\":false,\"hidden\":true,\"archived\":true}", NULL, 0, NULL);
  g_autoptr(CabOutboxItem) all =
    item_for ("visibility", CAB_OUTBOX_STATE_PENDING,
              "{\"masked\":false,\"hidden\":false,\"archived\":false}", NULL, 0, NULL);

  g_assert_cmpint (cab_outbox_item_get_kind (item), ==, CAB_OUTBOX_KIND_VISIBILITY);
  g_assert_cmpstr (cab_outbox_item_get_title (item), ==,
                   "Change visibility: hidden from the patient archived");
  g_assert_cmpstr (cab_outbox_item_get_mine_title (item), ==, "unchanged");
  g_assert_cmpstr (cab_outbox_item_get_mine_visibility (item), ==, "hidden from the patient, archived");
  g_assert_cmpstr (cab_outbox_item_get_title (all), ==, "Change visibility: visible to all");
  /* Not a publish: no edit form. */
  g_assert_false (cab_outbox_item_get_can_edit (item));
  g_assert_null (cab_outbox_item_get_document_title (item));
  g_assert_true (cab_outbox_item_get_can_cancel (item));
}

static void
test_conflict (void)
{
  const char *server =
    "{\"resourceType\":\"DocumentReference\",\"description\":\"Modifié sur le serveur\","
    "\"securityLabel\":[{\"coding\":[{\"code\":\"INVISIBLE_PATIENT\"}]}],"
    "\"extension\":[{\"url\":\"https://example.org/isArchived\",\"valueBoolean\":true}]}";
  g_autoptr(CabOutboxItem) item =
    item_for ("visibility", CAB_OUTBOX_STATE_CONFLICT, "{\"masked\":true}", server, 1, "Changed meanwhile");

  g_assert_cmpstr (cab_outbox_item_get_state_text (item), ==, "Conflict");
  g_assert_cmpstr (cab_outbox_item_get_mine_visibility (item), ==, "masked from professionals");
  g_assert_cmpstr (cab_outbox_item_get_server_title (item), ==, "Modifié sur le serveur");
  g_assert_cmpstr (cab_outbox_item_get_server_visibility (item), ==, "hidden from the patient, archived");
  g_assert_true (cab_outbox_item_get_can_cancel (item));
  g_assert_false (cab_outbox_item_get_can_retry (item));
}

/* Damaged or foreign payloads: a description, never a critical (the test
 * runs with fatal-criticals) nor an edit form filled from garbage. */
static void
test_malformed (void)
{
  const char *payloads[] = {
    NULL,
    "",
    "not json",
    "[1, 2, 3]",
    "\"just a string\"",
    "{\"title\": 42, \"type_code\": [\"x\"], \"masked\": \"yes\", \"hidden\": null}",
    "{\"title\": {\"nested\": true}}",
  };
  const char *kinds[] = { "publish", "visibility", "prescription", NULL };
  const char *servers[] = {
    NULL, "garbage", "{\"securityLabel\": 3, \"extension\": {\"url\": 1}, \"type\": []}",
    "{\"securityLabel\": [1, {\"coding\": \"x\"}, {\"coding\": [2, {\"code\": 5}]}]}",
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint p = 0; p < G_N_ELEMENTS (payloads); p++)
      for (guint s = 0; s < G_N_ELEMENTS (servers); s++)
        {
          g_autoptr(CabOutboxItem) item =
            item_for (kinds[k], CAB_OUTBOX_STATE_CONFLICT, payloads[p], servers[s], 0, NULL);

          g_assert_nonnull (cab_outbox_item_get_title (item));
          g_assert_nonnull (cab_outbox_item_get_subtitle (item));
          g_assert_nonnull (cab_outbox_item_get_mine_title (item));
          g_assert_nonnull (cab_outbox_item_get_mine_visibility (item));
          g_assert_nonnull (cab_outbox_item_get_server_title (item));
          g_assert_nonnull (cab_outbox_item_get_server_visibility (item));
          g_assert_false (cab_outbox_item_get_can_edit (item));
        }

  {
    /* A publish whose payload is unreadable: titled, but not editable. */
    g_autoptr(CabOutboxItem) item = item_for ("publish", CAB_OUTBOX_STATE_FAILED, "{", NULL, 0, NULL);
    /* An unknown kind and a state from a newer version. */
    g_autoptr(CabOutboxItem) future = item_for ("prescription", 99, "{}", NULL, 0, NULL);

    g_assert_cmpstr (cab_outbox_item_get_title (item), ==, "Publish “”");
    g_assert_false (cab_outbox_item_get_can_edit (item));
    g_assert_true (cab_outbox_item_get_can_retry (item));
    g_assert_cmpint (cab_outbox_item_get_kind (future), ==, CAB_OUTBOX_KIND_OTHER);
    g_assert_cmpstr (cab_outbox_item_get_title (future), ==, "prescription");
    g_assert_cmpint (cab_outbox_item_get_state (future), ==, CAB_OUTBOX_STATE_FAILED);
    g_assert_false (cab_outbox_item_get_can_edit (future));
  }
}

/* A message is edited in the composer while not sent; a read receipt
 * never (it is built from the request it answers), nor a message being
 * sent, sent or cancelled. */
static void
test_mail (void)
{
  const char *letter = "{\"subject\":\"Avis\",\"to\":[\"a@b.mssante.fr\"]}";
  const char *receipt = "{\"subject\":\"Lu\",\"mdn\":{\"original_message_id\":\"1@b.fr\"}}";
  const CabOutboxState editable[] = { CAB_OUTBOX_STATE_PENDING, CAB_OUTBOX_STATE_HELD, CAB_OUTBOX_STATE_FAILED };
  const CabOutboxState fixed[] = { CAB_OUTBOX_STATE_SENDING, CAB_OUTBOX_STATE_DONE, CAB_OUTBOX_STATE_CANCELLED };

  for (guint i = 0; i < G_N_ELEMENTS (editable); i++)
    {
      g_autoptr(CabOutboxItem) item = item_for ("mail", editable[i], letter, NULL, 0, NULL);
      g_autoptr(CabOutboxItem) mdn = item_for ("mail", editable[i], receipt, NULL, 0, NULL);

      g_assert_cmpint (cab_outbox_item_get_kind (item), ==, CAB_OUTBOX_KIND_MAIL);
      g_assert_false (cab_outbox_item_get_is_receipt (item));
      g_assert_true (cab_outbox_item_get_can_edit (item));
      g_assert_true (cab_outbox_item_get_is_receipt (mdn));
      g_assert_false (cab_outbox_item_get_can_edit (mdn));
      g_assert_true (cab_outbox_item_get_can_cancel (mdn));
    }
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autoptr(CabOutboxItem) item = item_for ("mail", fixed[i], letter, NULL, 0, NULL);

      g_assert_false (cab_outbox_item_get_can_edit (item));
    }
  {
    /* Unreadable: not edited (the composer could not fill in). */
    g_autoptr(CabOutboxItem) item = item_for ("mail", CAB_OUTBOX_STATE_PENDING, "{", NULL, 0, NULL);

    g_assert_false (cab_outbox_item_get_can_edit (item));
  }
}

/* A message's row: the title made when shown from the subject and the
 * names picked, else the addresses (cab_outbox_entry_describe()), their
 * addresses under it ("detail"), read as one bounded line; a payload from
 * before names were kept shows its addresses in the title only; one from
 * before titles were made when shown (its "summary" alone) still shows. */
static void
test_mail_recipients (void)
{
  g_autoptr(CabOutboxItem) named =
    item_for ("mail", CAB_OUTBOX_STATE_PENDING,
              "{\"subject\":\"Avis\",\"detail\":\"claire.martin@medecin.mssante.fr\","
              "\"to\":[\"claire.martin@medecin.mssante.fr\"],\"to_names\":[\"Dr Claire Martin\"]}", NULL, 2, NULL);
  g_autoptr(CabOutboxItem) older =
    item_for ("mail", CAB_OUTBOX_STATE_PENDING,
              "{\"summary\":\"Message « Avis » à claire.martin@medecin.mssante.fr\",\"subject\":\"Avis\","
              "\"to\":[\"claire.martin@medecin.mssante.fr\"]}", NULL, 0, NULL);
  g_autoptr(CabOutboxItem) summary_only =
    item_for ("mail", CAB_OUTBOX_STATE_PENDING, "{\"summary\":\"Message « Avis » à X\"}", NULL, 0, NULL);
  g_autoptr(CabOutboxItem) receipt =
    item_for ("mail", CAB_OUTBOX_STATE_PENDING,
              "{\"to\":[\"bob@b.mssante.fr\"],\"subject\":\"\",\"mdn\":{}}", NULL, 0, NULL);
  /* Hostile: a name or a subject that is not one line is not shown; an
   * address that is not is skipped; names not as long as the addresses
   * are ignored. */
  const struct { const char *payload, *title; } made[] = {
    { "{\"subject\":\"A\\nBcc: x\",\"to\":[\"a@b.fr\"],\"to_names\":[\"Dr A\\nB\"]}", "Message “” to a@b.fr" },
    { "{\"subject\":\"A\",\"to\":[\"a@b.fr\",\"c\\r@d.fr\",42],\"to_names\":[\" \",\"\",\"\"]}",
      "Message “A” to a@b.fr" },
    { "{\"subject\":\"A\",\"to\":[\"a@b.fr\",\"c@d.fr\"],\"to_names\":[\"Dr X\"]}", "Message “A” to a@b.fr, c@d.fr" },
    { "{\"subject\":42,\"summary\":\"S\",\"to\":[\"a@b.fr\"]}", "S" },
    { "{\"subject\":\"A\",\"to\":[]}", "mail" },
  };
  const char *hostile[] = {
    "{\"summary\":\"x\",\"detail\":\"a@b.fr\\nInjected line\"}",
    "{\"summary\":\"x\",\"detail\":42}",
    "{\"summary\":\"x\",\"detail\":[\"a@b.fr\"]}",
    "{\"summary\":\"x\",\"detail\":\"\"}",
  };

  g_assert_cmpstr (cab_outbox_item_get_title (named), ==, "Message “Avis” to Dr Claire Martin");
  g_assert_cmpstr (cab_outbox_item_get_subtitle (named), ==,
                   "DUPONT Jean · claire.martin@medecin.mssante.fr · 2 attempts");
  /* In the language of now, not the one it was queued in. */
  g_assert_cmpstr (cab_outbox_item_get_title (older), ==, "Message “Avis” to claire.martin@medecin.mssante.fr");
  g_assert_cmpstr (cab_outbox_item_get_subtitle (older), ==, "DUPONT Jean");
  g_assert_cmpstr (cab_outbox_item_get_title (summary_only), ==, "Message « Avis » à X");
  g_assert_cmpstr (cab_outbox_item_get_title (receipt), ==, "Read receipt to bob@b.mssante.fr");
  g_assert_true (cab_outbox_item_get_is_receipt (receipt));
  for (guint i = 0; i < G_N_ELEMENTS (made); i++)
    {
      g_autoptr(CabOutboxItem) item = item_for ("mail", CAB_OUTBOX_STATE_PENDING, made[i].payload, NULL, 0, NULL);

      g_assert_cmpstr (cab_outbox_item_get_title (item), ==, made[i].title);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(CabOutboxItem) item = item_for ("mail", CAB_OUTBOX_STATE_PENDING, hostile[i], NULL, 0, NULL);

      g_assert_cmpstr (cab_outbox_item_get_subtitle (item), ==, "DUPONT Jean");
    }
  {
    /* Bounded: a detail longer than 100 addresses is not shown. */
    g_autofree char *big = g_strnfill (100 * 256 + 1, 'a');
    g_autofree char *payload = g_strdup_printf ("{\"summary\":\"x\",\"detail\":\"%s\"}", big);
    g_autoptr(CabOutboxItem) item = item_for ("mail", CAB_OUTBOX_STATE_PENDING, payload, NULL, 0, NULL);

    g_assert_cmpstr (cab_outbox_item_get_subtitle (item), ==, "DUPONT Jean");
  }
}

/* An inbox triage or read state change ("mailflags", src/mail): the title
 * made when shown from "action" or "seen"; one queued before (its
 * "summary" alone, in the language of then) still shows it; hostile
 * members give a generic title or the summary, never a critical. */
static void
test_mailflags (void)
{
  const struct { const char *payload, *title; } cases[] = {
    { "{\"mail_id\":3,\"action\":\"assign\",\"base\":\"\",\"want\":\"$CabinetAssigned-pr-1\"}",
      "Inbox: message assigned" },
    { "{\"action\":\"handle\"}", "Inbox: message handled" },
    { "{\"action\":\"undo\"}", "Inbox: action undone" },
    { "{\"seen\":true}", "Inbox: message read" },
    { "{\"seen\":false}", "Inbox: message marked unread" },
    /* Older, queued in French: read state from "seen", triage as stored. */
    { "{\"summary\":\"Messagerie : message lu\",\"seen\":true}", "Inbox: message read" },
    { "{\"summary\":\"Messagerie : message classé\",\"base\":\"\",\"want\":\"\"}",
      "Messagerie : message classé" },
    /* Newer or hostile. */
    { "{\"action\":\"rename\"}", "Inbox: triage" },
    { "{\"action\":42,\"summary\":\"S\"}", "S" },
    { "{\"seen\":\"yes\",\"action\":\"file\"}", "Inbox: message filed" },
    { "{\"seen\":1}", "mailflags" },
    { "[]", "mailflags" },
    { "{", "mailflags" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CabOutboxItem) item = item_for ("mailflags", CAB_OUTBOX_STATE_PENDING, cases[i].payload, NULL, 0, NULL);

      g_assert_cmpstr (cab_outbox_item_get_title (item), ==, cases[i].title);
      g_assert_cmpstr (cab_outbox_item_get_subtitle (item), ==, "DUPONT Jean");
    }
}

/* A measure recorded with its title in each language: shown in the
 * reader's, English in any other, an older entry's "summary" as written;
 * damaged "summaries" fall back without a critical. */
static void
test_create_titles (void)
{
  const char *payload = "{\"type\":\"Observation\",\"summary\":\"Weight 72.5 kg\","
                        "\"summaries\":{\"en\":\"Weight 72.5 kg\",\"fr\":\"Poids 72,5 kg\"}}";
  struct { const char *language; const char *payload; const char *title; } cases[] = {
    { "fr", payload, "Send “Poids 72,5 kg”" },
    { "C", payload, "Send “Weight 72.5 kg”" },
    { "de", payload, "Send “Weight 72.5 kg”" },
    { "fr", "{\"summary\":\"Poids 80 kg\"}", "Send “Poids 80 kg”" },
    { "fr", "{\"summary\":\"Weight 1 kg\",\"summaries\":[1]}", "Send “Weight 1 kg”" },
    { "fr", "{\"summary\":\"Weight 1 kg\",\"summaries\":{\"fr\":7,\"en\":\"Weight 2 kg\"}}", "Send “Weight 2 kg”" },
    { "fr", "{\"summary\":\"Weight 1 kg\",\"summaries\":{\"fr\":\"a\\nb\"}}", "Send “Weight 1 kg”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CabOutboxItem) item = NULL;

      g_setenv ("LANGUAGE", cases[i].language, TRUE);
      item = item_for ("create", CAB_OUTBOX_STATE_PENDING, cases[i].payload, NULL, 0, NULL);
      g_assert_cmpstr (cab_outbox_item_get_title (item), ==, cases[i].title);
    }
  g_setenv ("LANGUAGE", "C", TRUE);
}

/* An entry's last error: a code's sentence with the server's words, an
 * older entry's text as written, an unknown code its detail. */
static void
test_error_codes (void)
{
  CabOutboxEntry entry = { .id = 7, .kind = (char *) "mail", .state = CAB_OUTBOX_STATE_FAILED,
                           .payload = (char *) "{}", .attempts = 1 };
  struct { const char *code; const char *detail; const char *text; const char *shown; } cases[] = {
    { "mail-refused", "550 5.1.1 no such mailbox", "Le serveur de messagerie a refusé le message : 550",
      "The mail server refused the message: 550 5.1.1 no such mailbox" },
    { "mail-dns", NULL, "Impossible", "Cannot reach the mail server: its name cannot be found (is this computer online?)" },
    { NULL, NULL, "Le serveur a refusé", "Le serveur a refusé" },
    { "from-a-newer-version", "451 later", "Plus tard", "451 later" },
    { "from-a-newer-version", NULL, "Plus tard", "Plus tard" },
    { NULL, NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = NULL;

      entry.last_error_code = (char *) cases[i].code;
      entry.last_error_detail = (char *) cases[i].detail;
      entry.last_error = (char *) cases[i].text;
      shown = cab_outbox_entry_dup_error (&entry);
      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

int
main (int    argc,
      char **argv)
{
  /* The English source strings. */
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outbox-item/publish-pending", test_publish_pending);
  g_test_add_func ("/outbox-item/publish-failed", test_publish_failed);
  g_test_add_func ("/outbox-item/held-and-done", test_held_and_done);
  g_test_add_func ("/outbox-item/visibility", test_visibility);
  g_test_add_func ("/outbox-item/conflict", test_conflict);
  g_test_add_func ("/outbox-item/malformed", test_malformed);
  g_test_add_func ("/outbox-item/mail", test_mail);
  g_test_add_func ("/outbox-item/mail-recipients", test_mail_recipients);
  g_test_add_func ("/outbox-item/mailflags", test_mailflags);
  g_test_add_func ("/outbox-item/create-titles", test_create_titles);
  g_test_add_func ("/outbox-item/error-codes", test_error_codes);

  return g_test_run ();
}
