/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-composer"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cab-application.h"
#include "cab-mail-drafts.h"
#include "cab-mail-send.h"
#include "cab-mail-store.h"
#include "cab-mail-triage.h"
#include "cab-store-outbox.h"
#include "cab-test-ui.h"
#include "compose/cab-composer-private.h"
#include "compose/cab-document-chooser.h"
#include "desk-fixtures.h"
#include "desk/cab-patient-page.h"
#include "outbox/cab-outbox-page.h"
#include "timeline/cab-timeline-view.h"

/* The secure-message composer over a real store: completion from the
 * practice's learned correspondents, the patient's own mailbox refused for
 * a provisional identity and offered for a qualified one, a timeline
 * document attached (chooser and the timeline's Send…), Send queueing one
 * outbox "mail" entry with its recipients and attachments, and a draft
 * that survives the window and the store being closed. */

#define FROM          "dr.martin@cabinet-martin.mssante.fr"
#define LEARNED       "yann.henaff@chu-brest.mssante.fr"
#define NIR_QUAL      "1540375112345"
#define NIR_PROV      "2680575112345"

static CabApplication *app;
static CabSession *session;
static char *data_dir;
static char *pdf_path;

static CabSession *
open_session (void)
{
  CabConfig config = { 0 };

  config.data_dir = data_dir;
  config.mail_user = (char *) FROM;
  /* The desk's doctor: their name goes before the address in From. */
  config.practitioner = (char *) "Practitioner/pr-1";
  return cab_test_ui_open_session (&config);
}

/* A minimal PDF, as the queue checks only the "%PDF-" header. */
static char *
write_pdf (const char *name)
{
  static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
  char *path = g_build_filename (data_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, pdf, sizeof pdf - 1, &error);
  g_assert_no_error (error);
  return path;
}

static void
setup_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = desk_records_new ();
  g_autofree char *doc_path = NULL;
  DeskDocument report = {
    .type_code = "11526-1", .type_display = "Compte rendu d'anatomo-pathologie", .category = "11",
    .date = "2026-10-02T09:30:00+02:00", .author = "Dr Anne LE GALL", .custodian = "CHU de Brest",
    .title = "Biopsie cutanée",
  };
  const char *to[] = { LEARNED, NULL };
  CabMailDraft learned = { .from = FROM, .to = to, .subject = "Avis", .body = "Bonjour" };
  gint64 entry_id = 0;
  CabStore *store;

  data_dir = g_dir_make_tmp ("cabinet-test-composer-XXXXXX", &error);
  g_assert_no_error (error);
  session = open_session ();
  store = cab_session_get_store (session);

  desk_add (records, desk_practitioner_json ("pr-1", "Dr", "Claire", "MARTIN"));
  desk_add (records, desk_patient_json ("pat-qual", "DURAND", NULL, "Paul", "male", "1954-03-12",
                                        NIR_QUAL, "QUAL", "Practitioner/pr-1"));
  desk_add (records, desk_patient_json ("pat-prov", "LEROY", NULL, "Sophie", "female", "1968-05-20",
                                        NIR_PROV, "PROV", "Practitioner/pr-1"));
  desk_add (records, desk_document_json ("doc-1", "pat-qual", &report));
  desk_put (store, records);
  /* The report's content is on this computer (it can travel). */
  doc_path = write_pdf ("doc-1.pdf");
  g_assert_true (cab_store_set_document_content (store, "doc-1", doc_path, NULL, &error));
  g_assert_no_error (error);
  /* A message already sent to a hospital doctor: a learned correspondent. */
  g_assert_true (cab_mail_queue (store, &learned, &entry_id, NULL, &error));
  g_assert_no_error (error);
  pdf_path = write_pdf ("lettre.pdf");
}

static CabComposer *
open_composer (const char *patient_id)
{
  CabComposer *composer = cab_composer_new (NULL, session);

  if (patient_id != NULL)
    cab_composer_set_patient (composer, patient_id);
  gtk_window_set_default_size (GTK_WINDOW (composer), 780, 760);
  gtk_window_present (GTK_WINDOW (composer));
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  cab_test_ui_wait_for ((CabTestCondition) cab_composer_is_ready, composer, "the patient and attachments");
  return composer;
}

static void
close_composer (CabComposer *composer)
{
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.close", NULL);
  while (composer != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static char *
patient_mailbox (const char *nir13)
{
  g_autofree char *nir = desk_nir (nir13);

  return g_strdup_printf ("%s@patient.mssante.fr", nir);
}

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

static void
test_empty (void)
{
  CabComposer *composer = open_composer (NULL);
  const char *title, *subtitle;
  gboolean offered;

  g_assert_false (cab_composer_get_patient_mailbox (composer, &title, &subtitle, &offered));
  g_assert_null (cab_composer_get_outside_warning (composer));
  cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-empty", 300);
  /* Nothing written: nothing saved. */
  close_composer (composer);
}

static void
test_patient_mailbox_refused (void)
{
  CabComposer *composer = open_composer ("pat-prov");
  CabRecipientEntry *recipients = cab_composer_get_recipients (composer);
  g_autofree char *address = patient_mailbox (NIR_PROV);
  const char *title, *subtitle;
  gboolean offered;

  g_assert_true (cab_composer_get_patient_mailbox (composer, &title, &subtitle, &offered));
  g_assert_false (offered);
  g_assert_nonnull (strstr (subtitle, _("Provisional identity")));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.add-patient-mailbox", NULL) &&
                  cab_recipient_entry_contains (recipients, address));
  /* Typed by hand: refused with the reason, left in the field. */
  gtk_editable_set_text (cab_recipient_entry_get_text_field (recipients), address);
  g_assert_false (cab_recipient_entry_commit_text (recipients));
  g_assert_false (cab_recipient_entry_contains (recipients, address));
  g_assert_nonnull (cab_recipient_entry_get_error (recipients));
  cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-patient-mailbox-refused", 300);
  close_composer (composer);
}

static void
test_patient_mailbox_offered (void)
{
  CabComposer *composer = open_composer ("pat-qual");
  CabRecipientEntry *recipients = cab_composer_get_recipients (composer);
  g_autofree char *address = patient_mailbox (NIR_QUAL);
  g_autofree char *other = patient_mailbox (NIR_PROV);
  const char *title, *subtitle;
  gboolean offered;

  g_assert_true (cab_composer_get_patient_mailbox (composer, &title, &subtitle, &offered));
  g_assert_true (offered);
  g_assert_nonnull (strstr (subtitle, address));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.add-patient-mailbox", NULL));
  g_assert_true (cab_recipient_entry_contains (recipients, address));
  g_assert_true (cab_composer_get_patient_mailbox (composer, &title, &subtitle, &offered));
  g_assert_false (offered);
  /* Another patient's INS is never this patient's mailbox. */
  g_assert_false (cab_recipient_entry_add (recipients, other, NULL));
  close_composer (composer);
  /* Closed with a recipient: the draft was saved; it goes now. */
}

typedef struct
{
  CabRecipientEntry *entry;
  const char        *text;
} CompletionWait;

static gboolean
completion_answered (gpointer data)
{
  CompletionWait *wait = data;

  return g_strcmp0 (cab_recipient_entry_get_answered_text (wait->entry), wait->text) == 0;
}

static void
test_completion (void)
{
  CabComposer *composer = open_composer (NULL);
  CabRecipientEntry *recipients = cab_composer_get_recipients (composer);
  GtkEditable *field = cab_recipient_entry_get_text_field (recipients);
  CompletionWait wait = { recipients, "henaf" };
  g_auto(GStrv) shown = NULL;
  g_auto(GStrv) outside = NULL;

  gtk_widget_grab_focus (GTK_WIDGET (field));
  /* Typed one letter at a time: only the last answer lands. */
  for (const char *p = wait.text; *p; p++)
    {
      g_autofree char *prefix = g_strndup (wait.text, p - wait.text + 1);

      gtk_editable_set_text (field, prefix);
      g_main_context_iteration (NULL, FALSE);
    }
  cab_test_ui_wait_for (completion_answered, &wait, "the completion's answer");
  shown = cab_recipient_entry_dup_suggestions (recipients);
  g_assert_nonnull (shown);
  g_assert_cmpstr (shown[0], ==, LEARNED);
  cab_test_ui_screenshot_with_popover (GTK_WIDGET (composer),
                                       desk_find_child_of_type (GTK_WIDGET (recipients), GTK_TYPE_POPOVER),
                                       "composer-completion");
  g_assert_true (cab_recipient_entry_choose_suggestion (recipients, 0));
  g_assert_true (cab_recipient_entry_contains (recipients, LEARNED));
  g_assert_cmpstr (gtk_editable_get_text (field), ==, "");
  g_assert_null (cab_composer_get_outside_warning (composer));

  /* Any address is accepted; outside MSSanté, with a warning. */
  gtk_editable_set_text (field, "secretariat@clinique-exemple.fr,");
  g_assert_true (cab_recipient_entry_contains (recipients, "secretariat@clinique-exemple.fr"));
  g_assert_nonnull (cab_composer_get_outside_warning (composer));
  outside = cab_recipient_entry_dup_outside (recipients);
  g_assert_cmpuint (g_strv_length (outside), ==, 1);
  /* Not an address: refused, kept in the field. */
  gtk_editable_set_text (field, "dupont");
  g_assert_false (cab_recipient_entry_commit_text (recipients));
  g_assert_cmpstr (gtk_editable_get_text (field), ==, "dupont");
  gtk_editable_set_text (field, "");
  close_composer (composer);
}

static gboolean
composer_ready (gpointer data)
{
  return cab_composer_is_ready (data) && cab_composer_get_n_attachments (data) > 0;
}

static gboolean
composer_shown (gpointer data)
{
  return cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER) != NULL;
}

/* From the patient's timeline: the document selected, Send…. */
static void
test_send_from_timeline (void)
{
  CabPatientPage *page;
  GtkWidget *window = cab_test_ui_open_patient_page (session, "pat-qual", &page);
  CabTimelineView *view = cab_patient_page_get_timeline (page);
  GListModel *model;
  GtkSingleSelection *selection;
  CabComposer *composer;
  g_auto(GStrv) documents = NULL;
  guint position = G_MAXUINT;

  selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (cab_timeline_view_get_list_view (view)));
  model = G_LIST_MODEL (selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item) && g_strcmp0 (cab_timeline_item_get_id (item), "doc-1") == 0)
        position = i;
    }
  g_assert_cmpuint (position, !=, G_MAXUINT);
  gtk_single_selection_set_selected (selection, position);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "timeline.send", NULL));
  cab_test_ui_wait_for (composer_shown, NULL, "the composer");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  cab_test_ui_wait_for (composer_ready, composer, "the attachment's details");
  documents = cab_composer_dup_document_ids (composer);
  g_assert_cmpstrv (documents, ((const char *[]) { "doc-1", NULL }));
  /* The subject names the document and its date, never the patient. */
  {
    const char *subject = gtk_editable_get_text (cab_composer_get_subject_field (composer));
    g_autofree char *expected = cab_composer_document_subject ("Biopsie cutanée", "02/10/2026");

    g_assert_cmpstr (subject, ==, expected);
    g_assert_null (strstr (subject, "DURAND"));
    g_assert_null (strstr (subject, "Paul"));
    /* Filled by the program: nothing to save as a draft. */
    g_assert_true (cab_composer_is_saved (composer));
  }
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (composer)) == GTK_WINDOW (window));
  close_composer (composer);
  gtk_window_destroy (GTK_WINDOW (window));
  cab_test_ui_settle (50);
}

static gboolean
chooser_loaded (gpointer data)
{
  CabDocumentChooser *chooser = data;

  return g_list_model_get_n_items (cab_document_chooser_get_model (chooser)) > 0;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
attachments_read (gpointer data)
{
  CabComposer *composer = data;

  if (!cab_composer_is_ready (composer))
    return FALSE;
  for (guint i = 0; i < cab_composer_get_n_attachments (composer); i++)
    {
      g_autofree char *text = cab_composer_dup_attachment_text (composer, i);

      if (g_str_has_suffix (text, "…"))
        return FALSE;
    }
  return TRUE;
}

/* Written, attached from the chooser and a PDF file, sent: one outbox
 * entry with what was written, and no draft left. */
static void
test_send_queues (void)
{
  CabComposer *composer = open_composer ("pat-qual");
  CabRecipientEntry *recipients = cab_composer_get_recipients (composer);
  CabDocumentChooser *chooser;
  g_autoptr(GFile) file = g_file_new_for_path (pdf_path);
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *patient_address = patient_mailbox (NIR_QUAL);
  g_autofree char *text = NULL;
  JsonObject *payload;
  JsonArray *to;
  gint64 entry_id;

  g_assert_true (cab_recipient_entry_add (recipients, LEARNED, "Dr Yann HÉNAFF"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.add-patient-mailbox", NULL));
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Résultat de la biopsie");
  gtk_text_buffer_set_text (cab_composer_get_body (composer), "Cher confrère,\nci-joint le compte rendu.\n", -1);
  gtk_switch_set_active (cab_composer_get_receipt_switch (composer), TRUE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.attach-document", NULL));
  chooser = CAB_DOCUMENT_CHOOSER (cab_composer_get_document_chooser (composer));
  g_assert_nonnull (chooser);
  cab_test_ui_wait_for (chooser_loaded, chooser, "the patient's documents");
  cab_test_ui_screenshot_widget (GTK_WIDGET (chooser), "composer-document-chooser", 300);
  g_assert_true (cab_document_chooser_toggle (chooser, "doc-1"));
  g_object_add_weak_pointer (G_OBJECT (chooser), (gpointer *) &chooser);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chooser), "chooser.attach", NULL));
  cab_test_ui_wait_for (is_null, &chooser, "the chooser to close");
  cab_composer_add_file (composer, file);
  cab_test_ui_wait_for (attachments_read, composer, "the attachments' sizes");
  g_assert_cmpuint (cab_composer_get_n_attachments (composer), ==, 2);
  text = cab_composer_dup_attachment_text (composer, 0);
  g_assert_nonnull (strstr (text, "Biopsie cutanée"));
  /* "Compte rendu… · 02/10/2026 · 69 bytes": the size read from the file. */
  {
    GStatBuf st;
    g_autofree char *doc_path = g_build_filename (data_dir, "doc-1.pdf", NULL);
    g_autofree char *size = NULL;

    g_assert_cmpint (g_stat (doc_path, &st), ==, 0);
    size = g_format_size (st.st_size);
    g_assert_true (g_str_has_suffix (text, size));
  }
  cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-recipients-attachment", 300);

  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  entry_id = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  /* Sent: the window closes by itself. */
  cab_test_ui_wait_for (is_null, &composer, "the composer to close");

  {
    g_autoptr(GPtrArray) entries = cab_store_outbox_list (cab_session_get_store (session), -1, 0, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < entries->len; i++)
      {
        CabOutboxEntry *e = entries->pdata[i];

        if (g_strcmp0 (e->kind, CAB_MAIL_KIND) == 0 && strstr (e->payload, "biopsie") != NULL)
          entry_id = e->id;
      }
  }
  g_assert_cmpint (entry_id, >, 0);
  entry = cab_store_outbox_get (cab_session_get_store (session), entry_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->patient_id, ==, "pat-qual");
  g_assert_true (json_parser_load_from_data (parser, entry->payload, -1, &error));
  payload = json_node_get_object (json_parser_get_root (parser));
  to = json_object_get_array_member (payload, "to");
  g_assert_cmpuint (json_array_get_length (to), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (to, 0), ==, LEARNED);
  g_assert_cmpstr (json_array_get_string_element (to, 1), ==, patient_address);
  /* The name picked goes with its address (the patient's mailbox: none). */
  to = json_object_get_array_member (payload, "to_names");
  g_assert_cmpuint (json_array_get_length (to), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (to, 0), ==, "Dr Yann HÉNAFF");
  g_assert_cmpstr (json_array_get_string_element (to, 1), ==, "");
  {
    /* The Outbox's title: by the name picked, made when shown. */
    g_autofree char *title = cab_outbox_entry_describe (entry);

    g_assert_false (json_object_has_member (payload, "summary"));
    g_assert_nonnull (strstr (title, "Dr Yann HÉNAFF"));
    g_assert_null (strstr (title, LEARNED));
  }
  g_assert_cmpstr (json_object_get_string_member (payload, "detail"), ==, LEARNED);
  g_assert_cmpstr (json_object_get_string_member (payload, "subject"), ==, "Résultat de la biopsie");
  g_assert_true (json_object_get_boolean_member (payload, "receipt"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (payload, "files")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (payload, "xdm"), "documents")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (payload, "mss_ins"), ==, "O");
  /* From: "Dr Claire MARTIN <address>" (the desk's practitioner). */
  g_assert_cmpstr (json_object_get_string_member (payload, "from_name"), ==, "Dr Claire MARTIN");

  drafts = cab_mail_drafts_list (cab_session_get_store (session), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < drafts->len; i++)
    g_assert_cmpstr (((CabMailDraftRecord *) drafts->pdata[i])->subject, !=, "Résultat de la biopsie");
}

typedef struct
{
  CabOutboxPage *page;
  gint64         entry_id;
} EditWait;

static gboolean
saved (gpointer data)
{
  return cab_composer_get_draft_id (data) > 0 && cab_composer_is_saved (data);
}

static gboolean
drafts_listed (gpointer data)
{
  return cab_outbox_page_get_n_drafts_loads (data) > 0 && cab_outbox_page_get_n_drafts (data) > 0;
}

/* Written, never sent: the draft is in the store, and still there after
 * the window and the store were closed. */
static void
test_draft_survives (void)
{
  CabComposer *composer = open_composer ("pat-qual");
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  CabMailDraftRecord *draft = NULL;
  gint64 id;

  cab_recipient_entry_add (cab_composer_get_recipients (composer), LEARNED, "Dr Yann HÉNAFF");
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Brouillon à finir");
  gtk_text_buffer_set_text (cab_composer_get_body (composer), "Début de la lettre", -1);
  cab_test_ui_wait_for (saved, composer, "the draft to be saved");
  id = cab_composer_get_draft_id (composer);
  /* As after a crash: the window goes without closing. */
  gtk_window_destroy (GTK_WINDOW (composer));
  cab_test_ui_settle (50);

  cab_session_shutdown (session);
  g_clear_object (&session);
  session = open_session ();

  drafts = cab_mail_drafts_list (cab_session_get_store (session), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < drafts->len; i++)
    if (((CabMailDraftRecord *) drafts->pdata[i])->id == id)
      draft = drafts->pdata[i];
  g_assert_nonnull (draft);
  g_assert_cmpstr (draft->subject, ==, "Brouillon à finir");
  g_assert_cmpstr (draft->body, ==, "Début de la lettre");
  g_assert_cmpstr (draft->patient_id, ==, "pat-qual");
  g_assert_cmpstrv (draft->to, ((const char *[]) { LEARNED, NULL }));
  g_assert_cmpstrv (draft->to_names, ((const char *[]) { "Dr Yann HÉNAFF", NULL }));

  /* Listed on the Outbox page, and opened again from there. */
  {
    GtkWidget *window = gtk_window_new ();
    CabOutboxPage *page = CAB_OUTBOX_PAGE (cab_outbox_page_new ());

    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
    gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
    cab_outbox_page_set_session (page, session);
    gtk_window_present (GTK_WINDOW (window));
    cab_test_ui_wait_mapped (window);
    cab_test_ui_wait_for (drafts_listed, page, "the drafts");
    g_assert_cmpuint (cab_outbox_page_get_n_drafts (page), ==, drafts->len);
    cab_test_ui_screenshot_widget (window, "outbox-drafts", 300);
    g_assert_true (cab_outbox_page_open_draft (page, 0));
    cab_test_ui_wait_for (composer_shown, NULL, "the composer");
    composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
    gtk_window_destroy (GTK_WINDOW (window));
  }
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  cab_test_ui_wait_for ((CabTestCondition) cab_composer_is_ready, composer, "the draft's patient");
  g_assert_cmpstr (gtk_editable_get_text (cab_composer_get_subject_field (composer)), ==, "Brouillon à finir");
  g_assert_cmpint (cab_composer_get_draft_id (composer), ==, id);
  {
    g_auto(GStrv) names = cab_recipient_entry_dup_names (cab_composer_get_recipients (composer));

    g_assert_cmpstrv (names, ((const char *[]) { "Dr Yann HÉNAFF", NULL }));
  }
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Brouillon fini");
  cab_test_ui_wait_for (saved, composer, "the draft to be saved again");
  g_assert_cmpint (cab_composer_get_draft_id (composer), ==, id);
  close_composer (composer);
}

static gboolean
edit_clicked (gpointer data)
{
  EditWait *w = data;

  return cab_outbox_page_edit_entry (w->page, w->entry_id);
}

static gboolean
dialog_shown (gpointer data)
{
  return cab_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
edit_offered (gpointer data)
{
  EditWait *w = data;

  return cab_outbox_page_offers_edit (w->page, w->entry_id);
}

/* @w's page in @window, shown until the entry's row (its Edit… button) is
 * there; a screenshot @name of it. */
static void
show_outbox (GtkWidget  *window,
             EditWait   *w,
             const char *name)
{
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (w->page));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  cab_outbox_page_set_session (w->page, session);
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_wait_mapped (window);
  cab_test_ui_wait_for (edit_offered, w, "the entry's row and its Edit… button");
  cab_test_ui_screenshot_widget (window, name, 300);
}

static gboolean
dialog_gone (gpointer data)
{
  return cab_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static gboolean
edit_gone (gpointer data)
{
  EditWait *w = data;

  return !cab_outbox_page_offers_edit (w->page, w->entry_id);
}

static gboolean
has_send_error (gpointer data)
{
  return cab_composer_get_send_error (data) != NULL && cab_composer_is_ready (data);
}

static char *
payload_of (gint64 entry_id, CabOutboxState *state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (cab_session_get_store (session), entry_id, &error);

  g_assert_no_error (error);
  if (state != NULL)
    *state = entry->state;
  return g_strdup (entry->payload);
}

/* A message waiting in the Outbox, opened from its Edit… button, changed
 * and saved: the same entry and Message-ID with the new text, recipients,
 * receipt and attachments (the kept copy as it was, the new file copied);
 * then, the entry claimed by the drain meanwhile, Save is refused and the
 * entry stays as it was. */
static void
test_edit_queued (void)
{
  CabStore *store = cab_session_get_store (session);
  const char *to[] = { LEARNED, NULL };
  const char *names[] = { "Dr Yann HÉNAFF", NULL };
  const char *files[] = { pdf_path, NULL };
  const char *docs[] = { "doc-1", NULL };
  CabMailDraft draft = {
    .from = FROM, .practitioner = "Practitioner/pr-1", .to = to, .to_names = names, .subject = "Biopsie à corriger",
    .body = "Cher confrère,\nvoici la biopsie.\n", .files = files, .document_ids = docs, .patient_id = "pat-qual",
  };
  g_autofree char *message_id = NULL, *extra = write_pdf ("complement.pdf");
  g_autofree char *before = NULL, *kept_path = NULL;
  g_autoptr(GFile) extra_file = g_file_new_for_path (extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GtkWidget *window = gtk_window_new ();
  CabOutboxPage *page = CAB_OUTBOX_PAGE (cab_outbox_page_new ());
  EditWait wait = { page, 0 };
  CabComposer *composer;
  CabOutboxState state;
  JsonObject *payload;
  JsonArray *array;

  g_assert_true (cab_mail_queue (store, &draft, &wait.entry_id, &message_id, &error));
  g_assert_no_error (error);
  cab_outbox_notify_queued (cab_session_get_outbox (session));

  show_outbox (window, &wait, "outbox-mail-edit");
  {
    /* The row says whom by the name picked, the address under it. */
    g_autofree char *subtitle = NULL;
    g_autofree char *title = cab_outbox_page_dup_entry_text (page, wait.entry_id, &subtitle);

    g_test_message ("row: %s / %s", title, subtitle);
    g_assert_nonnull (strstr (title, "Dr Yann HÉNAFF"));
    g_assert_null (strstr (title, LEARNED));
    g_assert_nonnull (strstr (subtitle, LEARNED));
  }
  g_assert_true (cab_outbox_page_edit_entry (page, wait.entry_id));
  cab_test_ui_wait_for (composer_shown, NULL, "the composer");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  gtk_window_set_default_size (GTK_WINDOW (composer), 780, 760);
  cab_test_ui_wait_for (attachments_read, composer, "the queued message");
  g_assert_cmpint (cab_composer_get_edit_entry_id (composer), ==, wait.entry_id);
  g_assert_cmpstr (gtk_editable_get_text (cab_composer_get_subject_field (composer)), ==, "Biopsie à corriger");
  {
    GtkTextIter start, end;
    g_autofree char *body = NULL;

    gtk_text_buffer_get_bounds (cab_composer_get_body (composer), &start, &end);
    body = gtk_text_buffer_get_text (cab_composer_get_body (composer), &start, &end, FALSE);
    g_assert_cmpstr (body, ==, "Cher confrère,\nvoici la biopsie.\n");
  }
  {
    g_auto(GStrv) addresses = cab_recipient_entry_dup_addresses (cab_composer_get_recipients (composer));
    g_auto(GStrv) ids = cab_composer_dup_document_ids (composer);
    g_auto(GStrv) copies = cab_composer_dup_files (composer);
    g_autofree char *text = cab_composer_dup_attachment_text (composer, 1);

    g_auto(GStrv) shown = cab_recipient_entry_dup_names (cab_composer_get_recipients (composer));

    g_assert_cmpstrv (addresses, to);
    /* Kept through "Edit…". */
    g_assert_cmpstrv (shown, names);
    g_assert_cmpstrv (ids, docs);
    g_assert_cmpuint (g_strv_length (copies), ==, 1);
    /* The queued copy, under the name the recipient sees. */
    g_assert_true (g_str_has_prefix (text, "A01-lettre.pdf\n"));
    kept_path = g_strdup (copies[0]);
  }
  g_assert_false (gtk_switch_get_active (cab_composer_get_receipt_switch (composer)));

  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Biopsie cutanée : résultat définitif");
  gtk_text_buffer_set_text (cab_composer_get_body (composer), "Cher confrère,\nvoici le résultat définitif.\n", -1);
  g_assert_true (cab_recipient_entry_add (cab_composer_get_recipients (composer),
                                          "secretariat@chu-brest.mssante.fr", NULL));
  gtk_switch_set_active (cab_composer_get_receipt_switch (composer), TRUE);
  cab_composer_add_file (composer, extra_file);
  cab_test_ui_wait_for (attachments_read, composer, "the new file's size");
  cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-edit-queued", 300);
  /* Nothing goes to the drafts meanwhile. */
  g_assert_cmpint (cab_composer_get_draft_id (composer), ==, 0);

  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  cab_test_ui_wait_for (is_null, &composer, "the composer to close");

  before = payload_of (wait.entry_id, &state);
  g_assert_cmpint (state, ==, CAB_OUTBOX_STATE_PENDING);
  g_assert_true (json_parser_load_from_data (parser, before, -1, &error));
  payload = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (payload, "message_id"), ==, message_id);
  g_assert_cmpstr (json_object_get_string_member (payload, "subject"), ==, "Biopsie cutanée : résultat définitif");
  g_assert_cmpstr (json_object_get_string_member (payload, "body"), ==, "Cher confrère,\nvoici le résultat définitif.\n");
  g_assert_cmpstr (json_object_get_string_member (payload, "from_name"), ==, "Dr Claire MARTIN");
  g_assert_true (json_object_get_boolean_member (payload, "receipt"));
  array = json_object_get_array_member (payload, "to");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "secretariat@chu-brest.mssante.fr");
  array = json_object_get_array_member (payload, "to_names");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "Dr Yann HÉNAFF");
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "");
  {
    g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (store, wait.entry_id, &error);
    g_autofree char *title = cab_outbox_entry_describe (entry);

    g_assert_nonnull (strstr (title, "Dr Yann HÉNAFF, secretariat@"));
  }
  array = json_object_get_array_member (payload, "files");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "path"), ==, kept_path);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "name"), ==,
                   "A02-complement.pdf");
  g_assert_true (g_file_test (json_object_get_string_member (json_array_get_object_element (array, 1), "path"),
                              G_FILE_TEST_IS_REGULAR));
  array = json_object_get_array_member (json_object_get_object_member (payload, "xdm"), "documents");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "document_id"), ==, "doc-1");

  /* Opened again, changed and closed: asked; Discard leaves it as it was. */
  cab_test_ui_wait_for (edit_clicked, &wait, "the entry's Edit… button again");
  cab_test_ui_wait_for (composer_shown, NULL, "the composer");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  cab_test_ui_wait_for (attachments_read, composer, "the queued message");
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Changé puis abandonné");
  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.close", NULL);
  cab_test_ui_wait_for (dialog_shown, NULL, "the question");
  g_assert_nonnull (composer);
  {
    AdwMessageDialog *dialog = cab_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

    cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "composer-edit-discard", 300);
    /* As a click: the answer, then the dialog closes (then the composer). */
    adw_message_dialog_response (dialog, "discard");
    gtk_window_close (GTK_WINDOW (dialog));
  }
  cab_test_ui_wait_for (is_null, &composer, "the composer to close");
  {
    g_autofree char *after = payload_of (wait.entry_id, NULL);

    g_assert_cmpstr (after, ==, before);
  }

  /* Opened again; changed meanwhile by cabinetctl mail edit: Save is
   * refused rather than undoing that change, which stays. */
  cab_test_ui_wait_for (edit_clicked, &wait, "the entry's Edit… button again");
  cab_test_ui_wait_for (composer_shown, NULL, "the composer");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  cab_test_ui_wait_for (attachments_read, composer, "the queued message");
  {
    CabMailChanges changes = { .subject = "Changé par cabinetctl", .receipt = -1 };

    g_assert_true (cab_mail_edit (store, wait.entry_id, &changes, &error));
    g_assert_no_error (error);
  }
  g_free (before);
  before = payload_of (wait.entry_id, NULL);
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Écrasé ?");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  cab_test_ui_wait_for (has_send_error, composer, "Save to be refused");
  g_assert_cmpstr (cab_composer_get_send_error (composer), ==,
                   g_dgettext (GETTEXT_PACKAGE, "This message was changed elsewhere meanwhile: open it again "
                                                "from the Outbox"));
  {
    AdwMessageDialog *dialog;
    g_autofree char *after = payload_of (wait.entry_id, NULL);

    g_assert_cmpstr (after, ==, before);
    g_assert_nonnull (strstr (after, "Changé par cabinetctl"));
    cab_test_ui_wait_for (dialog_shown, NULL, "the refusal's dialog");
    dialog = cab_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-edit-changed-elsewhere", 300);
    adw_message_dialog_response (dialog, "close");
    gtk_window_close (GTK_WINDOW (dialog));
    cab_test_ui_wait_for (dialog_gone, NULL, "the dialog to close");
  }
  close_composer (composer);

  /* Opened again; the drain claims the entry before Save. */
  cab_test_ui_wait_for (edit_clicked, &wait, "the entry's Edit… button again");
  cab_test_ui_wait_for (composer_shown, NULL, "the composer");
  composer = cab_test_ui_find_toplevel (CAB_TYPE_COMPOSER);
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  cab_test_ui_wait_for (attachments_read, composer, "the queued message");
  g_assert_true (cab_store_outbox_transition (store, wait.entry_id, 1u << CAB_OUTBOX_STATE_PENDING,
                                              CAB_OUTBOX_STATE_SENDING, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
  gtk_editable_set_text (cab_composer_get_subject_field (composer), "Trop tard");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  cab_test_ui_wait_for (has_send_error, composer, "Save to be refused");
  g_assert_cmpstr (cab_composer_get_send_error (composer), ==,
                   g_dgettext (GETTEXT_PACKAGE, "This message can no longer be changed: it is being sent or was "
                                                "sent. It was left as it is."));
  {
    AdwMessageDialog *dialog;

    cab_test_ui_wait_for (dialog_shown, NULL, "the refusal's dialog");
    dialog = cab_test_ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, cab_composer_get_send_error (composer));
    cab_test_ui_screenshot_widget (GTK_WIDGET (composer), "composer-edit-refused", 300);
    cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "composer-edit-refused-dialog", 300);
    adw_message_dialog_response (dialog, "close");
    gtk_window_close (GTK_WINDOW (dialog));
    cab_test_ui_wait_for (dialog_gone, NULL, "the dialog to close");
  }
  {
    g_autofree char *after = payload_of (wait.entry_id, &state);

    g_assert_cmpint (state, ==, CAB_OUTBOX_STATE_SENDING);
    g_assert_cmpstr (after, ==, before);
  }
  /* Being sent: no Edit… on the page any more. */
  cab_outbox_notify_queued (cab_session_get_outbox (session));
  cab_test_ui_wait_for (edit_gone, &wait, "Edit… to go");
  g_assert_false (cab_outbox_page_edit_entry (page, wait.entry_id));
  close_composer (composer);
  /* Out of the way of the tests after. */
  g_assert_true (cab_store_outbox_transition (store, wait.entry_id, 1u << CAB_OUTBOX_STATE_SENDING,
                                              CAB_OUTBOX_STATE_CANCELLED, FALSE, NULL, NULL, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (window));
  cab_test_ui_settle (50);
}

/* Reply to all: the sender and the other recipients but the practice,
 * "Re:", the text quoted, and the thread's headers in the queued payload. */
static void
test_reply_all (void)
{
  CabComposer *composer = cab_composer_new (NULL, session);
  char *to[] = { FROM, "secretariat@chu-brest.mssante.fr", NULL };
  char *cc[] = { "dr.roux@cabinet-roux.mssante.fr", NULL };
  CabInboxMessage message = {
    .from = "Dr Anne LE GALL", .from_address = "anne.legall@chu-brest.mssante.fr",
    .subject = "RE : Biopsie de M. Durand", .date = 1790000000,
    .body_text = "Bonjour,\nle résultat est normal.\n", .parts = NULL,
    .message_id = "abc.123@chu-brest.mssante.fr", .references = "first.1@cabinet-martin.mssante.fr",
    .to_addresses = to, .cc_addresses = cc,
  };
  g_auto(GStrv) recipients = NULL;
  g_autofree char *body = NULL;
  g_autoptr(CabOutboxEntry) entry = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GtkTextIter start, end;
  JsonObject *payload;

  cab_composer_set_message (composer, &message, CAB_COMPOSER_REPLY_ALL);
  gtk_window_present (GTK_WINDOW (composer));
  cab_test_ui_wait_mapped (GTK_WIDGET (composer));
  recipients = cab_recipient_entry_dup_addresses (cab_composer_get_recipients (composer));
  g_assert_cmpstrv (recipients, ((const char *[]) { "anne.legall@chu-brest.mssante.fr", "secretariat@chu-brest.mssante.fr",
                                                    "dr.roux@cabinet-roux.mssante.fr", NULL }));
  g_assert_cmpstr (gtk_editable_get_text (cab_composer_get_subject_field (composer)), ==, "Re: Biopsie de M. Durand");
  gtk_text_buffer_get_bounds (cab_composer_get_body (composer), &start, &end);
  body = gtk_text_buffer_get_text (cab_composer_get_body (composer), &start, &end, FALSE);
  g_assert_nonnull (strstr (body, "> le résultat est normal.\n"));
  /* Untouched: nothing saved yet. */
  g_assert_cmpint (cab_composer_get_draft_id (composer), ==, 0);

  g_object_add_weak_pointer (G_OBJECT (composer), (gpointer *) &composer);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  cab_test_ui_wait_for (is_null, &composer, "the composer to close");
  {
    g_autoptr(GPtrArray) entries = cab_store_outbox_list (cab_session_get_store (session), -1, 1, &error);

    g_assert_no_error (error);
    entry = cab_store_outbox_get (cab_session_get_store (session), ((CabOutboxEntry *) entries->pdata[0])->id, &error);
  }
  g_assert_true (json_parser_load_from_data (parser, entry->payload, -1, &error));
  payload = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (payload, "in_reply_to"), ==, "abc.123@chu-brest.mssante.fr");
  g_assert_cmpstr (json_object_get_string_member (payload, "references"), ==,
                   "first.1@cabinet-martin.mssante.fr abc.123@chu-brest.mssante.fr");
}

/* The signature of the preferences, under "-- ", the cursor above it. */
static void
test_signature (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.cabinet_sante.Cabinet");
  CabComposer *composer;
  g_autofree char *body = NULL;
  GtkTextIter start, end;

  g_settings_set_string (settings, "mail-signature", "Dr Claire MARTIN\nMédecin généraliste");
  composer = open_composer (NULL);
  gtk_text_buffer_get_bounds (cab_composer_get_body (composer), &start, &end);
  body = gtk_text_buffer_get_text (cab_composer_get_body (composer), &start, &end, FALSE);
  g_assert_cmpstr (body, ==, "\n\n-- \nDr Claire MARTIN\nMédecin généraliste");
  /* Not a change of the user's: nothing saved. */
  g_assert_true (cab_composer_is_saved (composer));
  g_assert_cmpint (cab_composer_get_draft_id (composer), ==, 0);
  g_settings_reset (settings, "mail-signature");
  close_composer (composer);
}

/* The messages' language of a user who starts Cabinet with LANG set to
 * @lang ("fr", or the English of the source). setlocale() also tells
 * gettext that the translations it cached are stale. */
static void
speak (const char *lang)
{
  g_setenv ("LANGUAGE", g_str_equal (lang, "fr") ? "fr" : "C", TRUE);
  setlocale (LC_ALL, "");
}

/* A message queued in one language (cabinetctl under LANG=en, say) and
 * shown by the app in the other: its Outbox row speaks the language shown,
 * the title being made from the payload's subject and names when shown. */
static void
test_title_language (void)
{
  const char *shown = cab_test_ui_get_language ();
  gboolean fr = g_str_equal (shown, "fr");
  const char *to[] = { LEARNED, "secretariat@chu-brest.mssante.fr", NULL };
  const char *names[] = { "Dr Yann HÉNAFF", "", NULL };
  CabMailDraft draft = {
    .from = FROM, .practitioner = "Practitioner/pr-1", .to = to, .to_names = names,
    .subject = "Avis de cardiologie", .body = "Cher confrère,\n", .patient_id = "pat-qual",
  };
  const char *english = "Message “Avis de cardiologie” to Dr Yann HÉNAFF, secretariat@chu-brest.mssante.fr";
  const char *french = "Message « Avis de cardiologie » à Dr Yann HÉNAFF, secretariat@chu-brest.mssante.fr";
  g_autofree char *message_id = NULL, *title = NULL, *subtitle = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  CabOutboxPage *page = CAB_OUTBOX_PAGE (cab_outbox_page_new ());
  EditWait wait = { page, 0 };

  speak (fr ? "en" : "fr");
  /* As the library translates (g_dgettext()). GLib translates nothing in a
   * process started under C.UTF-8 (it decides once): there, the French
   * queueing cannot be seen, only the English row. */
  if (fr)
    g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Message “%s” to %s"), ==, "Message “%s” to %s");
  else if (g_str_equal (g_dgettext (GETTEXT_PACKAGE, "Message “%s” to %s"), "Message “%s” to %s"))
    g_test_message ("not translated in this process: queued in English too");
  g_assert_true (cab_mail_queue (cab_session_get_store (session), &draft, &wait.entry_id, &message_id, &error));
  g_assert_no_error (error);
  speak (shown);
  cab_outbox_notify_queued (cab_session_get_outbox (session));

  show_outbox (window, &wait, "outbox-message-row");
  title = cab_outbox_page_dup_entry_text (page, wait.entry_id, &subtitle);
  g_test_message ("row: %s / %s", title, subtitle);
  g_assert_cmpstr (title, ==, fr ? french : english);
  g_assert_nonnull (strstr (subtitle, LEARNED));

  /* Gone, for the tests after this one. */
  g_assert_true (cab_outbox_cancel (cab_session_get_outbox (session), wait.entry_id, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
entry_shown (gpointer data)
{
  EditWait *w = data;
  g_autofree char *title = cab_outbox_page_dup_entry_text (w->page, w->entry_id, NULL);

  return title != NULL;
}

/* The same for an inbox triage action (a "mailflags" entry): assigned in
 * one language, its Outbox row says so in the language shown. */
static void
test_title_language_triage (void)
{
  const char *shown = cab_test_ui_get_language ();
  gboolean fr = g_str_equal (shown, "fr");
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_mail_row_free);
  CabMailFolder folder = { .uidvalidity = 9, .last_uid = 4, .highestmodseq = 1 };
  CabMailRow *row = cab_mail_row_new ();
  CabMailTriageRequest request = { .action = CAB_MAIL_TRIAGE_ASSIGN, .practitioner = "Practitioner/pr-1" };
  CabMailTriageResult result = { 0 };
  g_autofree char *title = NULL, *subtitle = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  CabOutboxPage *page = CAB_OUTBOX_PAGE (cab_outbox_page_new ());
  EditWait wait = { page, 0 };

  row->uidvalidity = 9;
  row->uid = 4;
  row->message_id = g_strdup ("<triage-title@chu-brest.mssante.fr>");
  row->body_hash = g_strdup ("triage-title");
  row->raw_path = g_strdup ("/nonexistent");
  row->match_state = g_strdup ("none");
  row->match_reason = g_strdup ("no-candidate");
  g_ptr_array_add (rows, row);
  g_assert_true (cab_mail_store_put_batch (cab_session_get_store (session), FROM, "INBOX", &folder, rows,
                                           NULL, &error));
  g_assert_no_error (error);
  request.mail_id = row->id;

  speak (fr ? "en" : "fr");
  if (!fr && g_str_equal (g_dgettext (GETTEXT_PACKAGE, "Inbox: message assigned"), "Inbox: message assigned"))
    g_test_message ("not translated in this process: queued in English too");
  g_assert_true (cab_mail_triage_run (cab_session_get_store (session), cab_session_get_outbox (session),
                                      &request, &result, &error));
  g_assert_no_error (error);
  wait.entry_id = result.entry_id;
  g_assert_cmpint (wait.entry_id, >, 0);
  cab_mail_triage_result_clear (&result);
  speak (shown);
  cab_outbox_notify_queued (cab_session_get_outbox (session));

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  cab_outbox_page_set_session (page, session);
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_wait_mapped (window);
  cab_test_ui_wait_for (entry_shown, &wait, "the triage entry's row");
  cab_test_ui_screenshot_widget (window, "outbox-triage-row", 300);
  title = cab_outbox_page_dup_entry_text (page, wait.entry_id, &subtitle);
  g_test_message ("row: %s / %s", title, subtitle);
  g_assert_cmpstr (title, ==, fr ? "Messagerie : message attribué" : "Inbox: message assigned");

  /* Gone, for the tests after this one. */
  g_assert_true (cab_outbox_cancel (cab_session_get_outbox (session), wait.entry_id, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_reply_subjects (void)
{
  const struct { const char *in, *reply, *forward; } cases[] = {
    { "Biopsie", "Re: Biopsie", "Fwd: Biopsie" },
    { "RE : Biopsie", "Re: Biopsie", "Fwd: Biopsie" },
    { "TR: Re: Biopsie", "Re: Biopsie", "Fwd: Biopsie" },
    { "Fwd:Re:  Biopsie", "Re: Biopsie", "Fwd: Biopsie" },
    { "Retour de biopsie", "Re: Retour de biopsie", "Fwd: Retour de biopsie" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reply = cab_composer_reply_subject (cases[i].in);
      g_autofree char *forward = cab_composer_forward_subject (cases[i].in);

      g_assert_cmpstr (reply, ==, cases[i].reply);
      g_assert_cmpstr (forward, ==, cases[i].forward);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cab_test_ui_init (&argc, &argv);
  app = cab_test_ui_new_application ();
  setup_store ();

  g_test_add_func ("/composer/empty", test_empty);
  g_test_add_func ("/composer/reply-subjects", test_reply_subjects);
  g_test_add_func ("/composer/patient-mailbox-refused", test_patient_mailbox_refused);
  g_test_add_func ("/composer/patient-mailbox-offered", test_patient_mailbox_offered);
  g_test_add_func ("/composer/completion", test_completion);
  g_test_add_func ("/composer/send-from-timeline", test_send_from_timeline);
  g_test_add_func ("/composer/send-queues", test_send_queues);
  g_test_add_func ("/composer/draft-survives", test_draft_survives);
  g_test_add_func ("/composer/edit-queued", test_edit_queued);
  g_test_add_func ("/composer/reply-all", test_reply_all);
  g_test_add_func ("/composer/signature", test_signature);
  g_test_add_func ("/composer/title-language", test_title_language);
  g_test_add_func ("/composer/title-language-triage", test_title_language_triage);

  status = g_test_run ();

  cab_test_ui_close_session (&session, &data_dir);
  g_free (pdf_path);
  g_clear_object (&app);
  return status;
}
