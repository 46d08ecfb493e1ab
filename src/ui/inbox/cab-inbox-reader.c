/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-inbox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cab-inbox-check.h"
#include "cab-inbox-format.h"
#include "cab-inbox-queries.h"
#include "cab-inbox-reader.h"
#include "cab-patient-item.h"
#include "cab-patient-queries.h"
#include "cab-mail-mdn-answer.h"
#include "cab-mail-prefs-queries.h"
#include "cab-query.h"
#include "patients/cab-patient-action-row.h"
#include "patients/cab-patient-format.h"
#include "patients/cab-patient-search.h"
#include "widgets/cab-tooltip.h"

/* A label shows at most this much of a body; the rest is said to be cut
 * (a 4 MiB text laid out in one label would stall the window). */
#define MAX_BODY_SHOWN (64 * 1024)

struct _CabInboxReader
{
  GtkWidget         parent_instance;

  CabStore         *store;
  CabInboxItem     *item;
  CabInboxMessage  *message;
  GCancellable     *message_query;
  GCancellable     *patients_query;
  char             *first_pdf;
  guint             n_patients;
  guint             n_documents;
  guint             n_mismatches;
  GPtrArray        *patient_badges;  /* GtkLabel*, borrowed from the rows */
  GCancellable     *practitioners_query;
  guint             n_practitioners;
  /* A person's choice of patient, checked before it is filed. */
  char             *chosen_id;
  CabInboxCheck    *check;
  CabPatientItem   *chosen;
  GCancellable     *check_query;
  GCancellable     *chosen_query;
  /* Read receipts: the session's outbox and mailbox address, read when
   * used (the outbox exists once the store is open; the account may change). */
  CabSession       *session;
  GCancellable     *receipt_query;
  GCancellable     *pending_query;
  guint             receipt_answers;  /* answers under way */

  GtkStack         *stack;
  GtkWidget        *scroller;
  GtkLabel         *subject_label;
  GtkLabel         *from_label;
  GtkLabel         *meta_label;
  GtkWidget        *reply_button;
  GtkWidget        *reply_all_button;
  GtkWidget        *forward_button;
  GtkMenuButton    *assign_button;
  GtkPopover       *assign_popover;
  GtkListBox       *assign_list;
  GtkWidget        *unread_button;
  GtkWidget        *error_box;
  GtkLabel         *error_label;
  GtkLabel         *match_badge;
  GtkLabel         *reason_label;
  GtkLabel         *traits_label;
  GtkListBox       *patient_list;
  GtkWidget        *confirm_box;
  GtkLabel         *confirm_title;
  GtkGrid          *compare_grid;
  GtkLabel         *confirm_summary;
  GtkButton        *confirm_button;
  GtkToggleButton  *search_toggle;
  CabPatientSearch *patient_search;
  GtkWidget        *documents_group;
  GtkListBox       *documents_list;
  GtkLabel         *body_label;
  GtkWidget        *receipt_box;
  GtkLabel         *receipt_label;
  GtkWidget        *receipt_send_button;
  GtkWidget        *receipt_ignore_button;
};

G_DEFINE_FINAL_TYPE (CabInboxReader, cab_inbox_reader, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ITEM,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_DOCUMENT,
  PATIENT_CHOSEN,
  ASSIGN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
list_box_clear (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* "20250612093000" (XDS creation time, UTC) -> "12/06/2025 09:30". */
static char *
format_creation_time (const char *dtm)
{
  if (dtm == NULL || strlen (dtm) < 8 || strspn (dtm, "0123456789") < 8)
    return g_strdup (dtm);
  if (strlen (dtm) >= 12 && strspn (dtm, "0123456789") >= 12)
    return g_strdup_printf ("%.2s/%.2s/%.4s %.2s:%.2s", dtm + 6, dtm + 4, dtm, dtm + 8, dtm + 10);
  return g_strdup_printf ("%.2s/%.2s/%.4s", dtm + 6, dtm + 4, dtm);
}

/* XCN "id^Family^Given^Middle^Suffix^Prefix" -> "Prefix Given Family". */
static char *
format_author (const char *xcn)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  static const int order[] = { 5, 2, 1 };

  if (xcn == NULL || *xcn == '\0')
    return NULL;
  if (strchr (xcn, '^') == NULL)
    return g_strdup (xcn);
  parts = g_strsplit (xcn, "^", 7);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strv_length (parts) > (guint) order[i] && *parts[order[i]])
      g_string_append_printf (out, "%s%s", out->len ? " " : "", parts[order[i]]);
  return out->len ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static void
open_clicked_cb (GtkButton      *button,
                 CabInboxReader *self)
{
  g_signal_emit (self, signals[OPEN_DOCUMENT], 0,
                 g_object_get_data (G_OBJECT (button), "path"),
                 g_object_get_data (G_OBJECT (button), "title"));
}

static GtkWidget *
document_row (CabInboxReader *self,
              CabInboxPart   *part)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *size = part->size >= 0 ? g_format_size (part->size) : NULL;
  const char *title = part->type_display != NULL && *part->type_display ? part->type_display
                      : part->filename != NULL ? part->filename : _("Unnamed attachment");
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_ptr_array_add (lines, g_strjoin (" · ", part->filename ? part->filename : "", size ? size : "", NULL));
  if (part->from_xdm)
    {
      g_autofree char *created = format_creation_time (part->creation_time);
      g_autofree char *author = format_author (part->author);
      g_autofree char *born = cab_format_date (part->patient_birth_date);
      g_autofree char *who = g_strjoin (" ", part->patient_family ? part->patient_family : "",
                                        part->patient_given ? part->patient_given : "", NULL);

      if (created != NULL || author != NULL)
        /* Translators: an XDM document's metadata: when it was written, by whom */
        g_ptr_array_add (lines, g_strdup_printf (_("Written %s by %s"), created ? created : "—", author ? author : "—"));
      if (part->class_display != NULL)
        g_ptr_array_add (lines, g_strdup (part->class_display));
      /* Translators: the patient an XDM document's metadata names: name, birth date, INS */
      g_ptr_array_add (lines, g_strdup_printf (_("For %s, born %s, INS %s"), g_strstrip (who),
                                               born ? born : "—", part->patient_ins ? part->patient_ins : "—"));
    }
  if (!part->hash_ok)
    {
      g_autofree char *declared = part->declared_size >= 0 ? g_format_size (part->declared_size) : g_strdup ("—");

      g_ptr_array_add (lines, g_strdup_printf (_("Warning: this document is not the one its metadata describes "
                                                 "(declared %s, SHA-1 %s; received %s, SHA-1 %s)."),
                                               declared, part->declared_sha1 ? part->declared_sha1 : "—",
                                               size ? size : "—", part->sha1 ? part->sha1 : "—"));
      gtk_widget_add_css_class (row, "cab-inbox-mismatch");
      {
        GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

        gtk_widget_add_css_class (icon, "error");
        gtk_widget_set_tooltip_text (icon, _("Hash or size mismatch"));
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      }
      self->n_mismatches++;
    }
  else
    adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                               gtk_image_new_from_icon_name (part->path ? "x-office-document-symbolic"
                                                                        : "mail-attachment-symbolic"));
  g_ptr_array_add (lines, NULL);
  subtitle = g_strjoinv ("\n", (char **) lines->pdata);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (part->path != NULL)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Open"));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "path", g_strdup (part->path), g_free);
      g_object_set_data_full (G_OBJECT (button), "title", g_strdup (title), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (open_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
      if (self->first_pdf == NULL)
        self->first_pdf = g_strdup (part->path);
    }
  self->n_documents++;
  return row;
}

static gboolean
is_xdm_zip (const CabInboxPart *part)
{
  return !part->from_xdm && (g_strcmp0 (part->content_type, "application/zip") == 0 ||
                             (part->filename != NULL && g_ascii_strcasecmp (part->filename, "IHE_XDM.zip") == 0));
}

/* A message whose PDFs the indexing pass has not read yet is not found by
 * their text: said discreetly under "Documents", until a round reads them
 * (docs/architecture.md, "The indexing pass"). */
static void
show_text_state (CabInboxReader *self)
{
  gboolean pending = self->message != NULL && self->message->text_pending && self->first_pdf != NULL;

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->documents_group),
                                         pending ? _("Document text is being indexed: a search does not find it yet.")
                                                 : NULL);
}

static void
show_message (CabInboxReader *self)
{
  CabInboxMessage *m = self->message;
  gboolean has_xdm = FALSE;
  g_autofree char *body = NULL;

  list_box_clear (self->documents_list);
  g_clear_pointer (&self->first_pdf, g_free);
  self->n_documents = self->n_mismatches = 0;
  gtk_widget_set_visible (self->error_box, m->error != NULL);
  if (m->error != NULL)
    gtk_label_set_label (self->error_label, m->error);
  for (guint i = 0; i < m->parts->len; i++)
    has_xdm |= ((CabInboxPart *) g_ptr_array_index (m->parts, i))->from_xdm;
  for (guint i = 0; i < m->parts->len; i++)
    {
      CabInboxPart *part = g_ptr_array_index (m->parts, i);

      /* The zip is its documents, when it could be read. */
      if (has_xdm && is_xdm_zip (part))
        continue;
      gtk_list_box_append (self->documents_list, document_row (self, part));
    }
  gtk_widget_set_visible (self->documents_group, self->n_documents > 0);
  show_text_state (self);

  if (m->body_text == NULL || *m->body_text == '\0')
    body = g_strdup (_("This message has no text."));
  else if (strlen (m->body_text) > MAX_BODY_SHOWN)
    {
      const char *end = g_utf8_find_prev_char (m->body_text, m->body_text + MAX_BODY_SHOWN);

      body = g_strdup_printf ("%.*s\n\n%s", (int) (end - m->body_text), m->body_text,
                              _("(The rest of this long text is not shown.)"));
    }
  else
    body = g_strdup (m->body_text);
  gtk_label_set_label (self->body_label, body);
}

/* ------------------------------------------------------ read receipts */

/* Policy, rules and the "asked once" memory are core's
 * (cab-mail-mdn-answer.h); the pane shows the question and passes on the
 * click (docs/architecture.md, "Read receipts"). */

/* The mailbox's address, or NULL: receipts are not answered without one. */
static const char *
receipt_from (CabInboxReader *self)
{
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;

  return config != NULL && config->mail_user != NULL && strchr (config->mail_user, '@') != NULL
         ? config->mail_user : NULL;
}

static CabOutbox *
receipt_outbox (CabInboxReader *self)
{
  return self->session != NULL ? cab_session_get_outbox (self->session) : NULL;
}

static CabMailMdnRequest
receipt_request (CabInboxReader *self)
{
  CabInboxMessage *m = self->message;
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;

  return (CabMailMdnRequest) {
    .from = receipt_from (self), .message_id = m->message_id, .subject = m->subject,
    .notification_to = m->notification_to, .return_path = m->return_path,
    .practitioner = config != NULL ? config->practitioner : NULL,
  };
}

static void
receipt_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *text = NULL;
  CabMailMdnDecision decision = CAB_MAIL_MDN_DECISION_NONE;
  const char *sender;

  if (!cab_mail_mdn_check_finish (result, &decision, &address, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Cannot read the read receipt's state: %s", error->message);
    }
  g_clear_object (&self->receipt_query);
  if (decision == CAB_MAIL_MDN_DECISION_ASK || decision == CAB_MAIL_MDN_DECISION_ASK_ELSEWHERE)
    {
      sender = self->message->from != NULL && *self->message->from ? self->message->from : self->message->from_address;
      if (decision == CAB_MAIL_MDN_DECISION_ASK)
        /* Translators: a banner in the reading pane; %s is the sender's name */
        text = g_strdup_printf (_("%s asked for a read receipt."), sender != NULL ? sender : address);
      else
        /* Translators: a banner; the first %s is the sender, the second the address the receipt would go to */
        text = g_strdup_printf (_("%s asked for a read receipt, to be sent to another address: %s."),
                                sender != NULL ? sender : "", address);
      gtk_label_set_label (self->receipt_label, text);
      gtk_widget_set_sensitive (self->receipt_send_button, TRUE);
      gtk_widget_set_sensitive (self->receipt_ignore_button, TRUE);
      gtk_widget_set_visible (self->receipt_box, TRUE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
check_receipt (CabInboxReader *self)
{
  CabMailMdnRequest request;

  if (self->message == NULL || self->message->notification_to == NULL || receipt_from (self) == NULL ||
      self->store == NULL)
    return;
  request = receipt_request (self);
  cab_mail_mdn_check_async (self->store, receipt_outbox (self), &request, cab_query_supersede (&self->receipt_query),
                            receipt_checked_cb, g_object_ref (self));
}

static void
receipt_answered_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;

  self->receipt_answers--;
  if (!cab_mail_mdn_answer_finish (result, NULL, &error))
    {
      /* Still unanswered: the question stays, with why. */
      gtk_label_set_label (self->receipt_label, error->message);
      gtk_widget_set_visible (self->receipt_box, TRUE);
      gtk_widget_set_sensitive (self->receipt_send_button, TRUE);
      gtk_widget_set_sensitive (self->receipt_ignore_button, TRUE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
answer_receipt (CabInboxReader   *self,
                CabMailMdnAnswer  answer)
{
  CabMailMdnRequest request;

  if (self->message == NULL || !gtk_widget_get_visible (self->receipt_box))
    return;
  request = receipt_request (self);
  gtk_widget_set_sensitive (self->receipt_send_button, FALSE);
  gtk_widget_set_sensitive (self->receipt_ignore_button, FALSE);
  gtk_widget_set_visible (self->receipt_box, FALSE);
  self->receipt_answers++;
  cab_mail_mdn_answer_async (self->store, receipt_outbox (self), &request, answer, NULL,
                             receipt_answered_cb, g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
receipt_send_cb (CabInboxReader *self)
{
  answer_receipt (self, CAB_MAIL_MDN_ANSWER_MANUAL);
}

static void
receipt_ignore_cb (CabInboxReader *self)
{
  answer_receipt (self, CAB_MAIL_MDN_ANSWER_IGNORED);
}

static void
message_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  CabInboxMessage *message = cab_inbox_query_message_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->message_query);
  g_clear_pointer (&self->message, cab_inbox_message_free);
  if (message == NULL)
    {
      message = g_new0 (CabInboxMessage, 1);
      message->parts = g_ptr_array_new ();
      message->error = g_strdup (error->message);
    }
  self->message = message;
  show_message (self);
  check_receipt (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* ------------------------------------------------ choosing a patient */

/* Principle 4: a patient a person chooses for a message that was not
 * matched to them (a conflict, no match, another patient) is not filed at
 * once. The pane shows the patient, what the message says beside their
 * record and what disagrees; only "File to ..." files, and it is not
 * clickable before that comparison is on screen. */

static void
hide_confirm (CabInboxReader *self)
{
  cab_query_cancel (&self->check_query);
  cab_query_cancel (&self->chosen_query);
  g_clear_pointer (&self->chosen_id, g_free);
  g_clear_pointer (&self->check, cab_inbox_check_free);
  g_clear_object (&self->chosen);
  gtk_widget_set_visible (self->confirm_box, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), FALSE);
}

static char *
sex_text (char sex)
{
  return g_strdup (sex == 'F' ? _("Female") : sex == 'M' ? _("Male") : "—");
}

static char *
family_text (const CabInboxTraits *t)
{
  if (t->family == NULL)
    return g_strdup ("—");
  if (t->usage_family != NULL)
    /* Translators: a birth name, then the name used ("DUPONT, used name MARTIN") */
    return g_strdup_printf (_("%s, used name %s"), t->family, t->usage_family);
  return g_strdup (t->family);
}

static void
compare_row (CabInboxReader *self,
             int             row,
             const char     *what,
             char           *message,   /* taken */
             char           *patient,   /* taken */
             gboolean        disagrees)
{
  GtkWidget *labels[3] = {
    gtk_label_new (what),
    gtk_label_new (message != NULL && *message ? message : "—"),
    gtk_label_new (patient != NULL && *patient ? patient : "—"),
  };

  for (int i = 0; i < 3; i++)
    {
      gtk_label_set_xalign (GTK_LABEL (labels[i]), 0);
      gtk_label_set_wrap (GTK_LABEL (labels[i]), TRUE);
      gtk_label_set_selectable (GTK_LABEL (labels[i]), i > 0);
      if (i == 0)
        gtk_widget_add_css_class (labels[i], "dim-label");
      if (row == 0)
        gtk_widget_add_css_class (labels[i], "caption-heading");
      if (disagrees && i > 0)
        {
          gtk_widget_add_css_class (labels[i], "error");
          gtk_widget_add_css_class (labels[i], "heading");
        }
      gtk_grid_attach (self->compare_grid, labels[i], i, row, 1, 1);
    }
  if (disagrees)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "error");
      /* Translators: tooltip of the warning beside a trait that differs */
      gtk_widget_set_tooltip_text (icon, _("Differs"));
      gtk_grid_attach (self->compare_grid, icon, 3, row, 1, 1);
    }
  g_free (message);
  g_free (patient);
}

static void
show_confirm (CabInboxReader *self)
{
  const CabInboxCheck *c = self->check;
  g_autofree char *name = self->chosen != NULL ? cab_format_patient_name (&cab_patient_item_get_row (self->chosen)->patient)
                                                   : g_strdup (_("this patient"));
  g_autofree char *title = NULL, *button = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->compare_grid))) != NULL)
    gtk_grid_remove (self->compare_grid, child);
  gtk_widget_set_visible (self->confirm_box, TRUE);
  /* Translators: above the comparison, before filing; %s is the patient */
  title = g_strdup_printf (_("File this message to %s?"), name);
  gtk_label_set_label (self->confirm_title, title);
  /* Translators: the button that files a message to the chosen patient */
  button = g_strdup_printf (_("_File to %s"), name);
  gtk_button_set_label (self->confirm_button, button);
  gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_summary), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_summary), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_summary), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_button), "suggested-action");
  gtk_widget_remove_css_class (GTK_WIDGET (self->confirm_button), "destructive-action");
  if (c == NULL || self->chosen == NULL)
    {
      gtk_label_set_label (self->confirm_summary, _("Comparing the message with this patient’s record…"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), FALSE);
      return;
    }

  compare_row (self, 0, "", g_strdup (_("The message says")), g_strdup (_("The patient’s record")), FALSE);
  compare_row (self, 1, _("Family name"), family_text (&c->message), family_text (&c->patient),
               c->disagreeing & CAB_MATCH_TRAIT_FAMILY);
  compare_row (self, 2, _("First name"), g_strdup (c->message.given), g_strdup (c->patient.given),
               c->disagreeing & CAB_MATCH_TRAIT_GIVEN);
  compare_row (self, 3, _("Birth date"), cab_format_date (c->message.birth_date), cab_format_date (c->patient.birth_date),
               c->disagreeing & CAB_MATCH_TRAIT_BIRTH_DATE);
  compare_row (self, 4, _("Sex"), sex_text (c->message.sex), sex_text (c->patient.sex),
               c->disagreeing & CAB_MATCH_TRAIT_SEX);
  compare_row (self, 5, _("INS"), cab_format_ins (c->message.ins), cab_format_ins (c->patient.ins),
               c->disagreeing & CAB_MATCH_TRAIT_INS);
  /* The identity's status, as everywhere a patient is named. */
  {
    GtkWidget *badge = gtk_label_new (NULL);

    gtk_widget_add_css_class (badge, "cab-badge");
    gtk_widget_set_halign (badge, GTK_ALIGN_START);
    cab_identity_badge_update (GTK_LABEL (badge), cab_identity_status_shown (cab_patient_item_get_row (self->chosen)));
    gtk_grid_attach (self->compare_grid, badge, 2, 6, 1, 1);
  }

  if (c->disagreeing != 0)
    {
      g_autofree char *traits = cab_inbox_match_traits (c->disagreeing);
      g_autofree char *text = g_strdup_printf (_("The message disagrees with this patient’s record on: %s. "
                                                 "File it only if you are sure its documents are this patient’s."),
                                               traits);

      gtk_label_set_label (self->confirm_summary, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_summary), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_button), "destructive-action");
    }
  else if (!c->named)
    {
      gtk_label_set_label (self->confirm_summary, _("The message does not name its patient: "
                                                    "check its documents before filing."));
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_summary), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_button), "suggested-action");
    }
  else
    {
      gtk_label_set_label (self->confirm_summary, c->from_text
                           ? _("What the message’s text says of its patient agrees with this record.")
                           : _("What the message says of its patient agrees with this record."));
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_summary), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_button), "suggested-action");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), TRUE);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  CabInboxCheck *check = cab_inbox_query_check_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->check_query);
  if (check == NULL)
    {
      /* Nothing to compare: nothing to file. */
      gtk_label_set_label (self->confirm_summary, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->confirm_summary), "error");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }
  g_clear_pointer (&self->check, cab_inbox_check_free);
  self->check = check;
  show_confirm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
chosen_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cab_patient_query_by_ids_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->chosen_query);
  if (patients != NULL && patients->len > 0)
    {
      g_clear_object (&self->chosen);
      self->chosen = g_object_ref (g_ptr_array_index (patients, 0));
    }
  show_confirm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
start_check (CabInboxReader *self,
             const char     *patient_id)
{
  const char *ids[] = { patient_id, NULL };

  if (self->item == NULL || self->store == NULL || patient_id == NULL)
    return;
  hide_confirm (self);
  self->chosen_id = g_strdup (patient_id);
  gtk_toggle_button_set_active (self->search_toggle, FALSE);
  show_confirm (self);
  cab_inbox_query_check_async (self->store, cab_inbox_item_get_id (self->item), patient_id,
                               cab_query_supersede (&self->check_query), check_done_cb, g_object_ref (self));
  cab_patient_query_by_ids_async (self->store, ids, cab_query_supersede (&self->chosen_query),
                                  chosen_done_cb, g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
confirm_clicked_cb (CabInboxReader *self)
{
  g_autofree char *patient_id = NULL;

  /* Never before the comparison is shown. */
  if (self->chosen_id == NULL || self->check == NULL || self->chosen == NULL)
    return;
  patient_id = g_strdup (self->chosen_id);
  hide_confirm (self);
  g_signal_emit (self, signals[PATIENT_CHOSEN], 0, patient_id);
}

static void
confirm_cancel_cb (CabInboxReader *self)
{
  hide_confirm (self);
}

/* ------------------------------------------------------------ assigning */

static void
practitioners_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cab_mail_prefs_query_practitioners_finish (result, &error);
  const char *current = self->item != NULL ? cab_inbox_item_get_assignee (self->item) : NULL;
  GtkWidget *row;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->practitioners_query);
  list_box_clear (self->assign_list);
  self->n_practitioners = 0;
  if (list == NULL)
    {
      g_debug ("Cannot list practitioners: %s", error->message);
      list = g_ptr_array_new ();
    }
  for (guint i = 0; i < list->len; i++)
    {
      CabPractitionerChoice *p = g_ptr_array_index (list, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *label = gtk_label_new (p->display);
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), label);
      gtk_widget_set_opacity (check, g_strcmp0 (p->reference, current) == 0 ? 1 : 0);
      gtk_box_append (GTK_BOX (box), check);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data_full (G_OBJECT (row), "practitioner", g_strdup (p->reference), g_free);
      g_object_set_data_full (G_OBJECT (row), "display", g_strdup (p->display), g_free);
      gtk_list_box_append (self->assign_list, row);
      self->n_practitioners++;
    }
  if (list->len == 0)
    {
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row),
                                  gtk_label_new (_("No practitioner is known yet: synchronize the practice first.")));
      gtk_list_box_append (self->assign_list, row);
    }
  /* Unassigning goes back to the secretaries' list. */
  if (current != NULL)
    {
      GtkWidget *label = gtk_label_new (_("Nobody (back to triage)"));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_list_box_append (self->assign_list, row);
    }
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->assign_list, 0));
  if (row != NULL && gtk_widget_get_visible (GTK_WIDGET (self->assign_popover)))
    gtk_widget_grab_focus (row);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Read when the popover opens: the practitioners synced since show. */
static void
assign_popover_show_cb (CabInboxReader *self)
{
  if (self->store == NULL)
    return;
  cab_mail_prefs_query_practitioners_async (self->store, cab_query_supersede (&self->practitioners_query),
                                     practitioners_done_cb, g_object_ref (self));
}

static void
assign_row_activated_cb (CabInboxReader *self,
                         GtkListBoxRow  *row)
{
  const char *practitioner = g_object_get_data (G_OBJECT (row), "practitioner");

  gtk_popover_popdown (self->assign_popover);
  if (self->item == NULL || g_strcmp0 (practitioner, cab_inbox_item_get_assignee (self->item)) == 0)
    return;
  g_signal_emit (self, signals[ASSIGN], 0, practitioner);
}

static void
choose_clicked_cb (GtkButton      *button,
                   CabInboxReader *self)
{
  const char *patient_id = g_object_get_data (G_OBJECT (button), "patient-id");
  CabMatchState state = self->item != NULL ? cab_inbox_item_get_match_state (self->item) : CAB_MATCH_NONE;

  /* The patient the matching proposed: one click confirms (its traits
   * agree, that is why it was proposed). Any other choice is checked. */
  if ((state == CAB_MATCH_AUTO || state == CAB_MATCH_PROPOSED) &&
      g_strcmp0 (patient_id, cab_inbox_item_get_patient_id (self->item)) == 0)
    g_signal_emit (self, signals[PATIENT_CHOSEN], 0, patient_id);
  else
    start_check (self, patient_id);
}

static GtkWidget *
patient_row (CabInboxReader      *self,
             const CabPatientRow *row,
             gboolean             matched)
{
  GtkLabel *badge = NULL;
  GtkWidget *action_row = cab_patient_action_row_new (row, TRUE, &badge);
  GtkWidget *button;

  g_ptr_array_add (self->patient_badges, badge);
  button = gtk_button_new_with_mnemonic (matched ? _("_Confirm") : _("C_hoose"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (matched)
    gtk_widget_add_css_class (button, "suggested-action");
  g_object_set_data_full (G_OBJECT (button), "patient-id", g_strdup (row->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), button);
  return action_row;
}

static void
patients_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = cab_patient_query_by_ids_finish (result, &error);
  const char *matched;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->patients_query);
  if (patients == NULL)
    {
      g_debug ("Cannot read a message's candidates: %s", error->message);
      return;
    }
  matched = self->item ? cab_inbox_item_get_patient_id (self->item) : NULL;
  for (guint i = 0; i < patients->len; i++)
    {
      const CabPatientRow *row = cab_patient_item_get_row (g_ptr_array_index (patients, i));

      gtk_list_box_append (self->patient_list, patient_row (self, row, g_strcmp0 (row->id, matched) == 0));
      self->n_patients++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->patient_list), self->n_patients > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
show_match (CabInboxReader *self)
{
  CabInboxItem *item = self->item;
  CabMatchState state = cab_inbox_item_get_match_state (item);
  g_autofree char *traits = cab_inbox_match_traits (cab_inbox_item_get_match_disagreeing (item));
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  const char *matched = cab_inbox_item_get_patient_id (item);
  const char * const *candidates = cab_inbox_item_get_candidates (item);

  cab_inbox_match_badge_update (self->match_badge, item);
  gtk_label_set_label (self->reason_label, cab_inbox_match_reason (cab_inbox_item_get_match_reason (item)));
  if (state == CAB_MATCH_CONFLICT)
    gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->reason_label), "error");
  if (state == CAB_MATCH_CONFLICT && traits != NULL)
    {
      /* Translators: what disagrees between the message and the patient, e.g. "birth date, first name" */
      g_autofree char *text = g_strdup_printf (_("Disagrees: %s"), traits);
      gtk_label_set_label (self->traits_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->traits_label), state == CAB_MATCH_CONFLICT && traits != NULL);

  list_box_clear (self->patient_list);
  g_ptr_array_set_size (self->patient_badges, 0);
  self->n_patients = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->patient_list), FALSE);
  if (matched != NULL)
    g_ptr_array_add (ids, (gpointer) matched);
  for (guint i = 0; candidates[i] != NULL; i++)
    if (g_strcmp0 (candidates[i], matched) != 0 && *candidates[i])
      g_ptr_array_add (ids, (gpointer) candidates[i]);
  if (ids->len > 0 && self->store != NULL)
    {
      g_ptr_array_add (ids, NULL);
      cab_patient_query_by_ids_async (self->store, (const char * const *) ids->pdata,
                                      cab_query_supersede (&self->patients_query),
                                      patients_done_cb, g_object_ref (self));
    }
  else
    cab_query_cancel (&self->patients_query);
}

static void
show_item (CabInboxReader *self)
{
  CabInboxItem *item = self->item;
  g_autofree char *from = NULL, *when = NULL, *meta = NULL;
  const char *subject, *address, *sender;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  cab_query_cancel (&self->message_query);
  cab_query_cancel (&self->patients_query);
  cab_query_cancel (&self->receipt_query);
  cab_query_cancel (&self->pending_query);
  gtk_widget_set_visible (self->receipt_box, FALSE);
  g_clear_pointer (&self->message, cab_inbox_message_free);
  gtk_toggle_button_set_active (self->search_toggle, FALSE);
  hide_confirm (self);
  gtk_popover_popdown (self->assign_popover);
  if (item == NULL || self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  subject = cab_inbox_item_get_subject (item);
  sender = cab_inbox_item_get_sender (item);
  address = cab_inbox_item_get_from_address (item);
  gtk_label_set_label (self->subject_label, *subject ? subject : _("(no subject)"));
  from = address != NULL && g_strcmp0 (address, sender) != 0 ? g_strdup_printf ("%s <%s>", sender, address)
                                                              : g_strdup (sender);
  gtk_label_set_label (self->from_label, from);
  if (cab_inbox_item_get_date (item) > 0)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (cab_inbox_item_get_date (item));
      g_ptr_array_add (parts, g_date_time_format (date, "%d/%m/%Y %H:%M"));
    }
  /* "Assigned to Dr ..." says the status too. */
  if (cab_inbox_item_get_assignee (item) == NULL || g_strcmp0 (cab_inbox_item_get_status (item), "assigned") != 0)
    g_ptr_array_add (parts, g_strdup (cab_inbox_status_label (cab_inbox_item_get_status (item))));
  if (cab_inbox_item_get_assignee (item) != NULL)
    /* Translators: in the reading pane's header: "Assigned to Dr Jean MARTIN" */
    g_ptr_array_add (parts, g_strdup_printf (_("Assigned to %s"), cab_inbox_item_get_assignee_display (item)
                                             ? cab_inbox_item_get_assignee_display (item)
                                             : cab_inbox_item_get_assignee (item)));
  if (cab_inbox_item_get_smime_signed (item))
    g_ptr_array_add (parts, g_strdup (_("Signed (signature not checked)")));
  g_ptr_array_add (parts, NULL);
  meta = g_strjoinv (" · ", (char **) parts->pdata);
  gtk_label_set_label (self->meta_label, meta);
  /* What the list knows shows at once; the rest when the file is read. */
  show_match (self);
  gtk_widget_set_visible (self->error_box, cab_inbox_item_get_xdm_error (item) != NULL);
  if (cab_inbox_item_get_xdm_error (item) != NULL)
    gtk_label_set_label (self->error_label, cab_inbox_item_get_xdm_error (item));
  gtk_label_set_label (self->body_label, "");
  list_box_clear (self->documents_list);
  gtk_widget_set_visible (self->documents_group, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "message");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
  cab_inbox_query_message_async (self->store, cab_inbox_item_get_id (item),
                                 cab_query_supersede (&self->message_query),
                                 message_done_cb, g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
patient_search_activated_cb (CabInboxReader *self,
                             const char     *patient_id)
{
  start_check (self, patient_id);
}

/* ------------------------------------------------------------- GObject */

static void
cab_inbox_reader_dispose (GObject *object)
{
  CabInboxReader *self = CAB_INBOX_READER (object);

  cab_query_cancel (&self->message_query);
  cab_query_cancel (&self->patients_query);
  cab_query_cancel (&self->practitioners_query);
  cab_query_cancel (&self->check_query);
  cab_query_cancel (&self->chosen_query);
  cab_query_cancel (&self->receipt_query);
  cab_query_cancel (&self->pending_query);
  g_clear_object (&self->chosen);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->item);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_INBOX_READER);
  G_OBJECT_CLASS (cab_inbox_reader_parent_class)->dispose (object);
}

static void
cab_inbox_reader_finalize (GObject *object)
{
  CabInboxReader *self = CAB_INBOX_READER (object);

  g_clear_pointer (&self->message, cab_inbox_message_free);
  g_clear_pointer (&self->first_pdf, g_free);
  g_clear_pointer (&self->patient_badges, g_ptr_array_unref);
  g_clear_pointer (&self->chosen_id, g_free);
  g_clear_pointer (&self->check, cab_inbox_check_free);
  G_OBJECT_CLASS (cab_inbox_reader_parent_class)->finalize (object);
}

static void
cab_inbox_reader_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CabInboxReader *self = CAB_INBOX_READER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, cab_inbox_reader_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_reader_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CabInboxReader *self = CAB_INBOX_READER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      cab_inbox_reader_set_store (self, g_value_get_object (value));
      break;
    case PROP_ITEM:
      cab_inbox_reader_set_item (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_reader_class_init (CabInboxReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_inbox_reader_dispose;
  object_class->finalize = cab_inbox_reader_finalize;
  object_class->get_property = cab_inbox_reader_get_property;
  object_class->set_property = cab_inbox_reader_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CAB_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEM] = g_param_spec_object ("item", NULL, NULL, CAB_TYPE_INBOX_ITEM,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[OPEN_DOCUMENT] = g_signal_new ("open-document", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[PATIENT_CHOSEN] = g_signal_new ("patient-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ASSIGN] = g_signal_new ("assign", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CAB_TYPE_PATIENT_SEARCH);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cabinet_sante/Cabinet/inbox/cab-inbox-reader.ui");
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, stack);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, scroller);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, subject_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, from_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, meta_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, reply_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, reply_all_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, forward_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, assign_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, assign_popover);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, assign_list);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, unread_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, confirm_box);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, confirm_title);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, compare_grid);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, confirm_summary);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, error_box);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, error_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, match_badge);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, reason_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, traits_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, patient_list);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, search_toggle);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, patient_search);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, documents_group);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, documents_list);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, body_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, receipt_box);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, receipt_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, receipt_send_button);
  gtk_widget_class_bind_template_child (widget_class, CabInboxReader, receipt_ignore_button);
  gtk_widget_class_bind_template_callback (widget_class, receipt_send_cb);
  gtk_widget_class_bind_template_callback (widget_class, receipt_ignore_cb);
  gtk_widget_class_bind_template_callback (widget_class, patient_search_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, assign_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, assign_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_cancel_cb);
}

static void
cab_inbox_reader_init (CabInboxReader *self)
{
  self->patient_badges = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  /* Here, not in the template: a template's tooltip is a round trip to the
   * X server each (cab-tooltip.h), a dozen before the Inbox's first frame. */
  cab_tooltip_set_text (self->reply_button, _("Reply"));
  cab_tooltip_set_text (self->reply_all_button, _("Reply to All"));
  cab_tooltip_set_text (self->forward_button, _("Forward"));
  cab_tooltip_set_text (GTK_WIDGET (self->assign_button),
                        _("Give this message to one of the practice’s doctors (Ctrl+I)"));
  cab_tooltip_set_text (self->unread_button, _("Ctrl+U"));
  cab_tooltip_set_text (GTK_WIDGET (self->receipt_ignore_button),
                        _("Send no read receipt for this message; Cabinet will not ask again"));
  cab_tooltip_set_text (GTK_WIDGET (self->receipt_send_button),
                        _("Tell the sender that the message was displayed here (through the Outbox)"));
  cab_tooltip_set_text (GTK_WIDGET (self->search_toggle), _("Search the practice’s patients (Ctrl+Shift+P)"));
}

/* ---------------------------------------------------------- public API */

GtkWidget *
cab_inbox_reader_new (void)
{
  return g_object_new (CAB_TYPE_INBOX_READER, NULL);
}

void
cab_inbox_reader_set_store (CabInboxReader *self,
                            CabStore       *store)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  if (!g_set_object (&self->store, store))
    return;
  cab_patient_search_set_store (self->patient_search, store);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  show_item (self);
}

void
cab_inbox_reader_set_item (CabInboxReader *self,
                           CabInboxItem   *item)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  if (self->item == item)
    return;
  /* The same message again after a reload: keep what is shown. */
  if (self->item != NULL && item != NULL && cab_inbox_item_get_id (self->item) == cab_inbox_item_get_id (item) &&
      cab_inbox_item_get_match_state (self->item) == cab_inbox_item_get_match_state (item) &&
      g_strcmp0 (cab_inbox_item_get_status (self->item), cab_inbox_item_get_status (item)) == 0 &&
      g_strcmp0 (cab_inbox_item_get_assignee (self->item), cab_inbox_item_get_assignee (item)) == 0)
    {
      g_set_object (&self->item, item);
      return;
    }
  g_set_object (&self->item, item);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  show_item (self);
}

void
cab_inbox_reader_set_session (CabInboxReader *self,
                              CabSession     *session)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  g_set_object (&self->session, session);
}

const char *
cab_inbox_reader_get_receipt_text (CabInboxReader *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_READER (self), NULL);
  return gtk_widget_get_visible (self->receipt_box) ? gtk_label_get_label (self->receipt_label) : NULL;
}

void
cab_inbox_reader_answer_receipt (CabInboxReader *self,
                                 gboolean        send)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));
  answer_receipt (self, send ? CAB_MAIL_MDN_ANSWER_MANUAL : CAB_MAIL_MDN_ANSWER_IGNORED);
}

GtkWidget *
cab_inbox_reader_get_receipt_box (CabInboxReader *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_READER (self), NULL);
  return self->receipt_box;
}

CabInboxItem *
cab_inbox_reader_get_item (CabInboxReader *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_READER (self), NULL);
  return self->item;
}

gboolean
cab_inbox_reader_get_loading (CabInboxReader *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_READER (self), FALSE);
  return self->message_query != NULL || self->patients_query != NULL || self->practitioners_query != NULL ||
         self->check_query != NULL || self->chosen_query != NULL || self->receipt_query != NULL ||
         self->receipt_answers > 0;
}

void
cab_inbox_reader_search_patient (CabInboxReader *self)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  if (self->item == NULL)
    return;
  gtk_toggle_button_set_active (self->search_toggle, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->patient_search));
}

void
cab_inbox_reader_popup_assign (CabInboxReader *self)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  if (self->item != NULL)
    gtk_menu_button_popup (self->assign_button);
}

void
cab_inbox_reader_choose_patient (CabInboxReader *self,
                                 const char     *patient_id)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));
  start_check (self, patient_id);
}

guint
cab_inbox_reader_get_n_practitioners (CabInboxReader *self)
{
  return self->n_practitioners;
}

GtkPopover *
cab_inbox_reader_get_assign_popover (CabInboxReader *self)
{
  return self->assign_popover;
}

gboolean
cab_inbox_reader_activate_practitioner (CabInboxReader *self,
                                        const char     *practitioner)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->assign_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "practitioner"), practitioner) == 0)
      {
        g_signal_emit_by_name (row, "activate");
        return TRUE;
      }
  return FALSE;
}

const char *
cab_inbox_reader_get_practitioner (CabInboxReader *self,
                                   guint           index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->assign_list, index);

  return row != NULL ? g_object_get_data (G_OBJECT (row), "practitioner") : NULL;
}

char *
cab_inbox_reader_get_practitioner_name (CabInboxReader *self,
                                        const char     *practitioner)
{
  if (practitioner == NULL)
    return NULL;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->assign_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "practitioner"), practitioner) == 0)
      return g_strdup (g_object_get_data (G_OBJECT (row), "display"));
  return g_strdup (practitioner);
}

const char *
cab_inbox_reader_get_chosen_patient (CabInboxReader *self)
{
  return gtk_widget_get_visible (self->confirm_box) ? self->chosen_id : NULL;
}

guint
cab_inbox_reader_get_chosen_disagreeing (CabInboxReader *self)
{
  return self->check != NULL ? self->check->disagreeing : 0;
}

const char *
cab_inbox_reader_get_confirm_summary (CabInboxReader *self)
{
  return gtk_widget_get_visible (self->confirm_box) ? gtk_label_get_label (self->confirm_summary) : NULL;
}

gboolean
cab_inbox_reader_get_can_confirm (CabInboxReader *self)
{
  return gtk_widget_get_visible (self->confirm_box) && gtk_widget_get_sensitive (GTK_WIDGET (self->confirm_button));
}

void
cab_inbox_reader_confirm (CabInboxReader *self)
{
  if (cab_inbox_reader_get_can_confirm (self))
    g_signal_emit_by_name (self->confirm_button, "clicked");
}

GtkWidget *
cab_inbox_reader_get_confirm_box (CabInboxReader *self)
{
  return self->confirm_box;
}

const char *
cab_inbox_reader_get_reason_text (CabInboxReader *self)
{
  return gtk_label_get_label (self->reason_label);
}

const char *
cab_inbox_reader_get_traits_text (CabInboxReader *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->traits_label)) ? gtk_label_get_label (self->traits_label) : NULL;
}

const char *
cab_inbox_reader_get_badge_text (CabInboxReader *self)
{
  return gtk_label_get_label (self->match_badge);
}

GtkWidget *
cab_inbox_reader_get_badge (CabInboxReader *self)
{
  return GTK_WIDGET (self->match_badge);
}

const char *
cab_inbox_reader_get_body_text (CabInboxReader *self)
{
  return gtk_label_get_label (self->body_label);
}

guint
cab_inbox_reader_get_n_patients (CabInboxReader *self)
{
  return self->n_patients;
}

const char *
cab_inbox_reader_get_patient_status (CabInboxReader *self,
                                     guint           index)
{
  g_return_val_if_fail (index < self->patient_badges->len, NULL);
  return gtk_label_get_label (g_ptr_array_index (self->patient_badges, index));
}

guint
cab_inbox_reader_get_n_documents (CabInboxReader *self)
{
  return self->n_documents;
}

guint
cab_inbox_reader_get_n_mismatches (CabInboxReader *self)
{
  return self->n_mismatches;
}

const char *
cab_inbox_reader_get_first_pdf (CabInboxReader *self)
{
  return self->first_pdf;
}

static void
text_pending_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CabInboxReader) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean pending = TRUE;

  if (!cab_inbox_query_text_pending_finish (result, &pending, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot read a message's indexing state: %s", error->message);
      return;
    }
  g_clear_object (&self->pending_query);
  if (self->message != NULL && !pending)
    {
      self->message->text_pending = FALSE;
      show_text_state (self);
    }
}

void
cab_inbox_reader_refresh_text_state (CabInboxReader *self)
{
  g_return_if_fail (CAB_IS_INBOX_READER (self));

  if (self->message == NULL || !self->message->text_pending || self->store == NULL)
    return;
  cab_inbox_query_text_pending_async (self->store, self->message->id, cab_query_supersede (&self->pending_query),
                                      text_pending_done_cb, g_object_ref (self));
}

const char *
cab_inbox_reader_get_text_hint (CabInboxReader *self)
{
  const char *text;

  g_return_val_if_fail (CAB_IS_INBOX_READER (self), NULL);
  text = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (self->documents_group));
  return text != NULL && *text != '\0' ? text : NULL;
}

const CabInboxMessage *
cab_inbox_reader_get_message (CabInboxReader *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_READER (self), NULL);

  return self->message != NULL && self->message->error == NULL ? self->message : NULL;
}
