/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-composer"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cab-application.h"
#include "cab-composer-private.h"
#include "cab-document-chooser.h"
#include "cab-mail-replace.h"
#include "cab-mail-send.h"
#include "cab-mime-compose.h"
#include "cab-patient-queries.h"
#include "patients/cab-patient-format.h"

/* The composer (docs/architecture.md, "The composer"). Everything it reads
 * or writes goes through core's async calls: the patient's summary, the
 * attachments' details, the draft saved a second after the last change
 * (cab_mail_drafts_save_async(), one save at a time), and Send, which
 * queues the message and deletes the draft in one transaction
 * (cab_mail_drafts_send_async()). The window never talks to a server. */

#define SAVE_DELAY_MS 1000
#define SETTINGS_SCHEMA "io.github.cabinet_sante.Cabinet"

typedef enum
{
  ATTACHMENT_DOCUMENT,
  ATTACHMENT_FILE,
} AttachmentKind;

typedef struct
{
  AttachmentKind  kind;
  char           *key;        /* document id, or file path */
  GtkWidget      *row;        /* AdwActionRow in attachments_list */
} Attachment;

struct _CabComposer
{
  AdwWindow          parent_instance;

  AdwToastOverlay   *toast_overlay;
  AdwWindowTitle    *window_title;
  GtkWidget         *send_button;
  GtkListBox        *fields_list;
  CabRecipientEntry *recipients;
  AdwActionRow      *outside_row;
  AdwActionRow      *patient_row;
  GtkImage          *patient_icon;
  GtkWidget         *patient_mailbox_button;
  AdwEntryRow       *subject_row;
  GtkTextView       *body_view;
  GtkWidget         *attachments_title;
  GtkListBox        *attachments_list;
  GtkSwitch         *receipt_switch;

  CabSession        *session;
  char              *from;
  char              *patient_id;
  CabPatientRow     *patient;          /* once read */
  char              *patient_mailbox;  /* <INS>@patient.mssante.fr when offered */
  GPtrArray         *attachments;      /* Attachment* */
  char              *in_reply_to;
  char              *references;
  GCancellable      *cancellable;      /* reads, cancelled when the window goes */
  guint              n_reading;

  /* Saving. */
  gint64             draft_id;
  guint              filling;          /* > 0: changes made by the program, not the user */
  gboolean           dirty;
  gboolean           saving;
  guint              save_id;
  guint              n_saved;
  gboolean           send_after_save;

  /* Editing a queued message (cab_composer_edit_entry()): no draft; Save
   * replaces the entry's message. */
  gint64             edit_entry_id;
  char              *edit_payload;          /* the queued message as read: Save replaces only it */
  gboolean           edit_locked;           /* refused: sending or sent meanwhile */
  gboolean           subject_from_document; /* the subject may follow the first document */

  /* Sending. */
  gboolean           sending;
  gint64             entry_id;
  char              *send_error;
  GtkWindow         *chooser;          /* weak */
};

G_DEFINE_FINAL_TYPE (CabComposer, cab_composer, ADW_TYPE_WINDOW)

static void schedule_save   (CabComposer *self);
static void send_now        (CabComposer *self);
static void attach_document (CabComposer *self, const char *document_id);
static void attach_file     (CabComposer *self, GFile *file);

static void
attachment_free (Attachment *a)
{
  g_free (a->key);
  g_free (a);
}

static CabStore *
get_store (CabComposer *self)
{
  return self->session != NULL ? cab_session_get_store (self->session) : NULL;
}

static void
toast (CabComposer *self,
       const char  *message)
{
  AdwToast *t = adw_toast_new (message);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
update_title (CabComposer *self)
{
  g_autofree char *name = self->patient != NULL ? cab_format_patient_name (&self->patient->patient) : NULL;
  g_autofree char *about = name != NULL ? g_strdup_printf (_("About %s"), name) : NULL;
  const char *saved = self->edit_entry_id > 0 ? _("Queued in the Outbox, not sent yet")
                      : self->n_saved > 0 && self->draft_id > 0 ? _("Draft saved") : NULL;
  g_autofree char *subtitle = about != NULL && saved != NULL ? g_strdup_printf ("%s · %s", about, saved)
                              : g_strdup (about != NULL ? about : saved);

  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
}

/* ---------------------------------------------------------------------- */
/* the draft                                                              */

static char *
dup_body (CabComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static char **
dup_attachment_keys (CabComposer *self, AttachmentKind kind)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = self->attachments->pdata[i];

      if (a->kind == kind)
        g_strv_builder_add (b, a->key);
    }
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

/* The name in a received From's display form ("Dr Paul Martin
 * <p.martin@…>", quoted when it has specials), or NULL: it goes with the
 * address to the recipient list, and to To when the answer is sent. */
static char *
sender_name (const char *display,
             const char *address)
{
  g_autofree char *suffix = g_strdup_printf (" <%s>", address);
  g_autofree char *name = NULL;
  gsize length;

  if (display == NULL || !g_str_has_suffix (display, suffix))
    return NULL;
  name = g_strndup (display, strlen (display) - strlen (suffix));
  length = strlen (name);
  if (length >= 2 && name[0] == '"' && name[length - 1] == '"')
    {
      memmove (name, name + 1, length - 2);
      name[length - 2] = '\0';
    }
  return *name != '\0' ? g_steal_pointer (&name) : NULL;
}

static CabMailDraftRecord *
build_record (CabComposer *self)
{
  CabMailDraftRecord *r = cab_mail_draft_record_new ();

  r->id = self->draft_id;
  r->patient_id = g_strdup (self->patient_id);
  g_strfreev (r->to);
  r->to = cab_recipient_entry_dup_addresses (self->recipients);
  r->to_names = cab_recipient_entry_dup_names (self->recipients);
  g_free (r->subject);
  r->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row)));
  g_free (r->body);
  r->body = dup_body (self);
  g_strfreev (r->document_ids);
  r->document_ids = dup_attachment_keys (self, ATTACHMENT_DOCUMENT);
  g_strfreev (r->files);
  r->files = dup_attachment_keys (self, ATTACHMENT_FILE);
  r->receipt = gtk_switch_get_active (self->receipt_switch);
  r->in_reply_to = g_strdup (self->in_reply_to);
  r->references = g_strdup (self->references);
  return r;
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = cab_mail_drafts_save_finish (result, &error);

  self->saving = FALSE;
  if (id < 0)
    g_warning ("Cannot save the draft: %s", error->message);
  else
    {
      self->draft_id = id;
      self->n_saved++;
      update_title (self);
    }
  if (self->send_after_save)
    {
      self->send_after_save = FALSE;
      send_now (self);
    }
  else if (self->dirty && !self->sending)
    schedule_save (self);
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  if (!cab_mail_drafts_delete_finish (result, &error))
    g_warning ("Cannot delete the draft: %s", error->message);
  else
    self->draft_id = 0;
  if (self->send_after_save)
    {
      self->send_after_save = FALSE;
      send_now (self);
    }
  else if (self->dirty)
    schedule_save (self);
}

/* Saves now if something changed and no save is running (the running one
 * schedules the next when it lands). The task holds the window, so a save
 * started while closing still completes. */
static void
flush_save (CabComposer *self)
{
  g_autoptr(CabMailDraftRecord) record = NULL;
  CabStore *store = get_store (self);

  g_clear_handle_id (&self->save_id, g_source_remove);
  /* A queued message is no draft: it changes only on Save. */
  if (!self->dirty || self->saving || self->sending || store == NULL || self->edit_entry_id > 0)
    return;
  record = build_record (self);
  self->dirty = FALSE;
  if (cab_mail_draft_record_is_empty (record))
    {
      /* Everything erased: the draft goes too. */
      if (self->draft_id > 0)
        {
          self->saving = TRUE;
          cab_mail_drafts_delete_async (store, self->draft_id, NULL, delete_cb, g_object_ref (self));
        }
      return;
    }
  self->saving = TRUE;
  cab_mail_drafts_save_async (store, record, NULL, save_cb, g_object_ref (self));
}

static gboolean
save_timeout_cb (gpointer data)
{
  CabComposer *self = data;

  self->save_id = 0;
  flush_save (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (CabComposer *self)
{
  g_clear_handle_id (&self->save_id, g_source_remove);
  self->save_id = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
changed (CabComposer *self)
{
  if (self->filling > 0 || self->sending)
    return;
  self->dirty = TRUE;
  if (self->edit_entry_id == 0)
    schedule_save (self);
}

static void
field_changed_cb (CabComposer *self)
{
  changed (self);
}

static void
body_changed_cb (GtkTextBuffer *buffer,
                 CabComposer   *self)
{
  changed (self);
}

/* ---------------------------------------------------------------------- */
/* recipients                                                             */

static void
update_patient_row (CabComposer *self)
{
  gboolean added = self->patient_mailbox != NULL &&
                   cab_recipient_entry_contains (self->recipients, self->patient_mailbox);

  gtk_widget_set_visible (self->patient_mailbox_button, self->patient_mailbox != NULL && !added);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.add-patient-mailbox",
                                 self->patient_mailbox != NULL && !added);
}

static void
recipients_changed_cb (CabComposer *self)
{
  g_auto(GStrv) outside = cab_recipient_entry_dup_outside (self->recipients);
  guint n = g_strv_length (outside);

  if (n > 0)
    {
      g_autofree char *list = g_strjoinv (", ", outside);
      g_autofree char *subtitle =
        g_strdup_printf (ngettext ("%s is not an MSSanté address: the message leaves the health professionals’ "
                                   "secure network. Send health data only if this is the recipient’s "
                                   "secure mailbox.",
                                   "%s are not MSSanté addresses: the message leaves the health professionals’ "
                                   "secure network. Send health data only if these are the recipients’ "
                                   "secure mailboxes.", n), list);

      adw_action_row_set_subtitle (self->outside_row, subtitle);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->outside_row), n > 0);
  update_patient_row (self);
  changed (self);
}

/* The patient's own mailbox only for the patient named, with an identity
 * shown as qualified (docs/domain.md, "Secure messaging"). */
static char *
check_recipient (const char *address,
                 gpointer    user_data)
{
  CabComposer *self = user_data;
  const char *at = strrchr (address, '@');

  if (at == NULL || g_ascii_strcasecmp (at + 1, CAB_MAIL_PATIENT_DOMAIN) != 0)
    return NULL;
  if (self->patient_mailbox != NULL && g_ascii_strcasecmp (address, self->patient_mailbox) == 0)
    return NULL;
  if (self->patient == NULL)
    return g_strdup (_("A patient’s own mailbox is written to from the patient’s page, once their identity is qualified"));
  if (self->patient_mailbox == NULL)
    return g_strdup (_("This patient’s identity is not qualified: their own mailbox cannot be used"));
  return g_strdup (_("This is not this patient’s mailbox: it is their INS followed by @patient.mssante.fr"));
}

static void
add_patient_mailbox_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  CabComposer *self = CAB_COMPOSER (widget);

  if (self->patient_mailbox != NULL)
    cab_recipient_entry_add (self->recipients, self->patient_mailbox, NULL);
}

static void
show_patient (CabComposer *self)
{
  const char *shown = cab_identity_status_shown (self->patient);
  g_autofree char *name = cab_format_patient_name (&self->patient->patient);

  g_clear_pointer (&self->patient_mailbox, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->patient_icon), "dim-label");
  if (g_strcmp0 (shown, "QUAL") == 0 && self->patient->patient.ins != NULL)
    {
      g_autofree char *subtitle = NULL;

      self->patient_mailbox = g_strdup_printf ("%s@%s", self->patient->patient.ins, CAB_MAIL_PATIENT_DOMAIN);
      /* Translators: "<INS>@patient.mssante.fr · DUPONT Jean · Qualified INS" */
      subtitle = g_strdup_printf (_("%s · %s · %s"), self->patient_mailbox, name, cab_identity_status_label (shown));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->patient_row), _("The Patient’s Own Mailbox (Mon espace santé)"));
      adw_action_row_set_subtitle (self->patient_row, subtitle);
      gtk_image_set_from_icon_name (self->patient_icon, "avatar-default-symbolic");
    }
  else
    {
      g_autofree char *subtitle =
        g_strdup_printf (_("%s: %s. A patient’s Mon espace santé mailbox is their INS, so it is only offered once "
                           "the identity is qualified (checked against an identity document and the national "
                           "INS service)."),
                         name, cab_identity_status_label (shown));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->patient_row), _("The Patient’s Own Mailbox Is Not Offered"));
      adw_action_row_set_subtitle (self->patient_row, subtitle);
      gtk_image_set_from_icon_name (self->patient_icon, "dialog-information-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->patient_icon), "dim-label");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->patient_row), TRUE);
  update_patient_row (self);
  update_title (self);
}

static void
summary_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPatientSummary) summary = cab_patient_query_summary_finish (result, &error);

  self->n_reading--;
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the message's patient: %s", error->message);
      return;
    }
  if (g_strcmp0 (summary->row->id, self->patient_id) != 0)
    return;
  g_clear_pointer (&self->patient, cab_patient_row_free);
  self->patient = g_steal_pointer (&summary->row);
  show_patient (self);
}

/* ---------------------------------------------------------------------- */
/* attachments                                                            */

static Attachment *
find_attachment (CabComposer *self, AttachmentKind kind, const char *key)
{
  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = self->attachments->pdata[i];

      if (a->kind == kind && g_strcmp0 (a->key, key) == 0)
        return a;
    }
  return NULL;
}

static void
update_attachments (CabComposer *self)
{
  gboolean any = self->attachments->len > 0;

  gtk_widget_set_visible (self->attachments_title, any);
  gtk_widget_set_visible (GTK_WIDGET (self->attachments_list), any);
}

static void
remove_attachment_cb (GtkButton   *button,
                      CabComposer *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "row");

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = self->attachments->pdata[i];

      if (a->row == row)
        {
          gtk_list_box_remove (self->attachments_list, row);
          g_ptr_array_remove_index (self->attachments, i);
          break;
        }
    }
  update_attachments (self);
  changed (self);
}

static Attachment *
add_attachment (CabComposer   *self,
                AttachmentKind kind,
                const char    *key,
                const char    *title)
{
  Attachment *a = find_attachment (self, kind, key);
  GtkWidget *remove, *icon;
  g_autofree char *remove_label = NULL;

  if (a != NULL)
    return NULL;
  if (self->attachments->len >= CAB_MAIL_MAX_ATTACHMENTS)
    {
      toast (self, _("A message carries at most 32 attachments"));
      return NULL;
    }
  a = g_new0 (Attachment, 1);
  a->kind = kind;
  a->key = g_strdup (key);
  a->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (a->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (a->row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (a->row), "…");
  icon = gtk_image_new_from_icon_name (kind == ATTACHMENT_DOCUMENT ? "x-office-document-symbolic"
                                                                   : "mail-attachment-symbolic");
  adw_action_row_add_prefix (ADW_ACTION_ROW (a->row), icon);
  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  remove_label = g_strdup_printf (_("Remove %s"), title);
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "row", a->row);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_attachment_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (a->row), remove);
  gtk_list_box_append (self->attachments_list, a->row);
  g_ptr_array_add (self->attachments, a);
  update_attachments (self);
  return a;
}

typedef struct
{
  CabComposer *self;
  GtkWidget   *row;      /* the row the size is for (may be gone) */
  char        *prefix;   /* "PDF file", "Compte rendu · 12/06/2024" */
} SizeData;

static void
size_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SizeData *data = user_data;
  g_autoptr(CabComposer) self = data->self;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);
  g_autofree char *prefix = data->prefix;
  GtkWidget *row = data->row;

  g_free (data);
  self->n_reading--;
  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *a = self->attachments->pdata[i];

      if (a->row != row)
        continue;
      if (info == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("%s · cannot be read"), prefix);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
          gtk_widget_add_css_class (row, "error");
        }
      else
        {
          g_autofree char *size = g_format_size (g_file_info_get_size (info));
          g_autofree char *text = g_strdup_printf ("%s · %s", prefix, size);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
        }
    }
}

/* File sizes are read by GIO's own async call, off the main thread. */
static void
query_size (CabComposer *self,
            GtkWidget   *row,
            const char  *path,
            const char  *prefix)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SizeData *data = g_new0 (SizeData, 1);

  data->self = g_object_ref (self);
  data->row = row;
  data->prefix = g_strdup (prefix);
  self->n_reading++;
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->cancellable, size_cb, data);
}

static void
documents_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = cab_mail_drafts_documents_finish (result, &error);

  self->n_reading--;
  if (rows == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the attached documents: %s", error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      CabDocumentRow *row = rows->pdata[i];
      Attachment *a = find_attachment (self, ATTACHMENT_DOCUMENT, row->id);
      g_autofree char *date = NULL, *prefix = NULL;
      const char *kind;

      if (a == NULL)
        continue;
      /* A document names its patient: the message is about them. */
      if (self->patient_id == NULL && row->patient_id != NULL)
        cab_composer_set_patient (self, row->patient_id);
      date = cab_format_date (row->document.date);
      kind = row->document.type_display != NULL ? row->document.type_display : _("Document");
      if (self->subject_from_document)
        {
          g_autofree char *subject = cab_composer_document_subject (row->document.title != NULL ? row->document.title
                                                                                                 : kind,
                                                                    date);

          self->subject_from_document = FALSE;
          /* Only into a subject nobody typed. */
          if (*gtk_editable_get_text (GTK_EDITABLE (self->subject_row)) == '\0')
            {
              self->filling++;
              gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject);
              self->filling--;
            }
        }
      prefix = date != NULL ? g_strdup_printf ("%s · %s", kind, date) : g_strdup (kind);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (a->row),
                                     row->document.title != NULL ? row->document.title : kind);
      if (row->local_path == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("%s · not on this computer yet: open it once to download it"), prefix);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (a->row), text);
          gtk_widget_add_css_class (a->row, "warning");
        }
      else
        query_size (self, a->row, row->local_path, prefix);
    }
}

static void
read_documents (CabComposer *self, const char * const *ids)
{
  CabStore *store = get_store (self);

  if (store == NULL || ids == NULL || ids[0] == NULL)
    return;
  self->n_reading++;
  cab_mail_drafts_documents_async (store, ids, self->cancellable, documents_cb, g_object_ref (self));
}

static gboolean
is_pdf_name (const char *path)
{
  g_autofree char *lower = path != NULL ? g_ascii_strdown (path, -1) : NULL;

  return lower != NULL && g_str_has_suffix (lower, ".pdf");
}

/* ---------------------------------------------------------------------- */
/* actions                                                                */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     CabComposer     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          attach_file (self, file);
        }
      changed (self);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
attach_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CabComposer *self = CAB_COMPOSER (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Attach PDF Files"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Attach"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}


static void
documents_chosen_cb (CabComposer        *self,
                     const char * const *ids)
{
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    attach_document (self, ids[i]);
  changed (self);
}

static void
attach_document_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CabComposer *self = CAB_COMPOSER (widget);
  CabStore *store = get_store (self);
  CabDocumentChooser *chooser;

  if (store == NULL)
    return;
  if (self->patient_id == NULL)
    {
      toast (self, _("Patient documents are attached from the patient’s page: open the patient, then Write…"));
      return;
    }
  chooser = cab_document_chooser_new (GTK_WINDOW (self), store, self->patient_id);
  g_signal_connect_object (chooser, "documents-chosen", G_CALLBACK (documents_chosen_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->chooser, GTK_WINDOW (chooser));
  gtk_window_present (GTK_WINDOW (chooser));
}

/* ---------------------------------------------------------------------- */
/* sending                                                                */

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 entry_id = cab_mail_drafts_send_finish (result, &error);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  self->sending = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", TRUE);
  if (entry_id <= 0)
    {
      g_free (self->send_error);
      self->send_error = g_strdup (error->message);
      toast (self, error->message);
      /* Still a draft: saved again as it is. */
      self->dirty = TRUE;
      schedule_save (self);
      return;
    }
  self->entry_id = entry_id;
  self->draft_id = 0;
  self->dirty = FALSE;
  /* The main window says whether it can leave now (toast when offline). */
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.mail-queued", NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
replace_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  self->sending = FALSE;
  if (!cab_mail_replace_finish (result, &error))
    {
      g_free (self->send_error);
      self->send_error = g_strdup (error->message);
      self->dirty = TRUE;
      /* Sent or being sent meanwhile: nothing here can change it any more.
       * The window stays, with the text, until the user closes it. */
      gboolean changed = g_error_matches (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_CHANGED);

      if (changed || g_error_matches (error, CAB_MAIL_SEND_ERROR, CAB_MAIL_SEND_ERROR_STARTED))
        {
          /* Said in a dialog, not a toast: the user must know the queued
           * message went out as it was, not as written here. */
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Message Not Changed"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
          self->edit_locked = TRUE;
          /* Saved meanwhile elsewhere (another window, cabinetctl): this
           * window's version would silently undo that one. */
          adw_window_title_set_subtitle (self->window_title,
                                         changed ? _("Changed elsewhere: open it again from the Outbox")
                                                 : _("No longer editable: already being sent"));
        }
      else
        {
          toast (self, error->message);
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", TRUE);
        }
      return;
    }
  self->entry_id = self->edit_entry_id;
  self->dirty = FALSE;
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.mail-queued", NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Save of a queued message: replaces it, or says why it cannot. */
static void
replace_now (CabComposer *self)
{
  g_autoptr(CabMailDraftRecord) record = build_record (self);

  self->sending = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
  cab_mail_replace_async (get_store (self), cab_session_get_outbox (self->session), self->edit_entry_id, record,
                          self->edit_payload, NULL, replace_cb, g_object_ref (self));
}

static void
send_now (CabComposer *self)
{
  g_autoptr(CabMailDraftRecord) record = build_record (self);
  CabStore *store = get_store (self);

  self->sending = TRUE;
  self->dirty = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
  cab_mail_drafts_send_async (store, cab_session_get_outbox (self->session), self->from,
                              cab_session_get_config (self->session) != NULL
                              ? cab_session_get_config (self->session)->practitioner : NULL, record,
                              NULL, send_cb, g_object_ref (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabComposer *self = CAB_COMPOSER (widget);
  g_auto(GStrv) to = NULL;

  if (self->sending || get_store (self) == NULL)
    return;
  g_clear_pointer (&self->send_error, g_free);
  if (!cab_recipient_entry_commit_text (self->recipients))
    {
      self->send_error = g_strdup (cab_recipient_entry_get_error (self->recipients));
      gtk_widget_grab_focus (GTK_WIDGET (self->recipients));
      return;
    }
  to = cab_recipient_entry_dup_addresses (self->recipients);
  if (to[0] == NULL)
    {
      self->send_error = g_strdup (_("Add a recipient first"));
      toast (self, self->send_error);
      gtk_widget_grab_focus (GTK_WIDGET (self->recipients));
      return;
    }
  if (self->edit_entry_id > 0)
    {
      if (!self->edit_locked && !cab_composer_is_ready (self))
        return;
      if (!self->edit_locked)
        replace_now (self);
      return;
    }
  if (self->from == NULL)
    {
      self->send_error = g_strdup (_("No MSSanté mailbox is set up: enter its address in Preferences. "
                                     "The message is kept as a draft."));
      toast (self, self->send_error);
      self->dirty = TRUE;
      flush_save (self);
      return;
    }
  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->saving)
    {
      /* The save running knows the draft's id: send when it lands. */
      self->send_after_save = TRUE;
      self->sending = TRUE;
      return;
    }
  send_now (self);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Closing keeps what was written: it is saved now (the save holds the
 * window until it lands); nothing to ask. */
static void
close_idle_cb (gpointer data)
{
  g_autoptr(CabComposer) self = data;

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     CabComposer      *self)
{
  if (g_str_equal (response, "save"))
    gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
  else if (g_str_equal (response, "discard"))
    {
      /* Once the dialog, which belongs to this window, has closed. */
      self->dirty = FALSE;
      g_idle_add_once (close_idle_cb, g_object_ref (self));
    }
}

static gboolean
cab_composer_close_request (GtkWindow *window)
{
  CabComposer *self = CAB_COMPOSER (window);

  if (self->sending)
    return TRUE;
  /* A queued message has no draft to keep the changes: ask. */
  if (self->edit_entry_id > 0 && self->dirty && !self->edit_locked)
    {
      GtkWidget *dialog = adw_message_dialog_new (window, _("Discard Changes?"),
                                                  _("The message waiting in the Outbox stays as it was."));

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Keep Editing"),
                                        "discard", _("_Discard"), "save", _("_Save"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }
  flush_save (self);
  return GTK_WINDOW_CLASS (cab_composer_parent_class)->close_request (window);
}

/* Ctrl+Enter sends from anywhere in the window: caught before the text
 * view, which would take it as a new line. */
static gboolean
key_capture_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CabComposer           *self)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & GDK_CONTROL_MASK) != 0)
    return gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
  return FALSE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CabComposer   *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
        attach_file (self, l->data);
      changed (self);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      attach_file (self, g_value_get_object (value));
      changed (self);
      return TRUE;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
cab_composer_dispose (GObject *object)
{
  CabComposer *self = CAB_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_window_destroy (self->chooser);
  g_clear_weak_pointer (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_COMPOSER);
  G_OBJECT_CLASS (cab_composer_parent_class)->dispose (object);
}

static void
cab_composer_finalize (GObject *object)
{
  CabComposer *self = CAB_COMPOSER (object);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_free (self->from);
  g_free (self->patient_id);
  g_clear_pointer (&self->patient, cab_patient_row_free);
  g_free (self->patient_mailbox);
  g_ptr_array_unref (self->attachments);
  g_free (self->in_reply_to);
  g_free (self->references);
  g_free (self->send_error);
  g_free (self->edit_payload);
  G_OBJECT_CLASS (cab_composer_parent_class)->finalize (object);
}

static void
cab_composer_class_init (CabComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cab_composer_dispose;
  object_class->finalize = cab_composer_finalize;
  window_class->close_request = cab_composer_close_request;

  g_type_ensure (CAB_TYPE_RECIPIENT_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cabinet_sante/Cabinet/compose/cab-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, CabComposer, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, window_title);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, fields_list);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, recipients);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, outside_row);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, patient_row);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, patient_icon);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, patient_mailbox_button);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, subject_row);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, body_view);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, attachments_title);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, attachments_list);
  gtk_widget_class_bind_template_child (widget_class, CabComposer, receipt_switch);
  gtk_widget_class_bind_template_callback (widget_class, recipients_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "composer.attach-file", NULL, attach_file_action);
  gtk_widget_class_install_action (widget_class, "composer.attach-document", NULL, attach_document_action);
  gtk_widget_class_install_action (widget_class, "composer.add-patient-mailbox", NULL, add_patient_mailbox_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "composer.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "composer.attach-document", NULL);
}

static void
cab_composer_init (CabComposer *self)
{
  GtkEventController *key;
  GtkDropTarget *drop;

  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  cab_recipient_entry_set_check (self->recipients, check_recipient, self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->body_view), "changed",
                           G_CALLBACK (body_changed_cb), self, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.add-patient-mailbox", FALSE);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_capture_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  /* PDFs dropped anywhere on the window are attached. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[2]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->toast_overlay), GTK_EVENT_CONTROLLER (drop));
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

/* The signature of the preferences (mail-signature, when this build's
 * schema has it), after the usual "-- " line. */
static char *
signature_block (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source != NULL ? g_settings_schema_source_lookup (source, SETTINGS_SCHEMA, TRUE)
                                                     : NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *signature = NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, "mail-signature"))
    return NULL;
  settings = g_settings_new (SETTINGS_SCHEMA);
  signature = g_settings_get_string (settings, "mail-signature");
  g_strstrip (signature);
  if (*signature == '\0')
    return NULL;
  return g_strconcat ("\n\n-- \n", signature, NULL);
}

static void
set_body (CabComposer *self, const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start;

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

CabComposer *
cab_composer_new (GtkWindow  *parent,
                  CabSession *session)
{
  CabComposer *self;
  const CabConfig *config;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (CAB_IS_SESSION (session), NULL);

  self = g_object_new (CAB_TYPE_COMPOSER, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  config = cab_session_get_config (session);
  if (config != NULL && config->mail_user != NULL && strchr (config->mail_user, '@') != NULL)
    self->from = g_strdup (config->mail_user);
  cab_recipient_entry_set_store (self->recipients, get_store (self));
  /* The app's directory, when one is configured: completion asks it when
   * the offline answer is short (docs/architecture.md, "Sending mail:
   * directory and completion"). */
  if (CAB_IS_APPLICATION (g_application_get_default ()))
    cab_recipient_entry_set_directory (self->recipients,
                                       cab_application_get_directory (CAB_APPLICATION (g_application_get_default ())));
  self->filling++;
  signature = signature_block ();
  if (signature != NULL)
    set_body (self, signature);
  self->filling--;
  return self;
}

void
cab_composer_set_patient (CabComposer *self,
                          const char  *patient_id)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_COMPOSER (self));

  if (g_strcmp0 (self->patient_id, patient_id) == 0)
    return;
  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);
  g_clear_pointer (&self->patient, cab_patient_row_free);
  g_clear_pointer (&self->patient_mailbox, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->patient_row), FALSE);
  update_patient_row (self);
  store = get_store (self);
  if (patient_id == NULL || store == NULL)
    return;
  self->n_reading++;
  cab_patient_query_summary_async (store, patient_id, self->cancellable, summary_cb, g_object_ref (self));
}

static void
attach_document (CabComposer *self,
                 const char  *document_id)
{
  const char *ids[] = { document_id, NULL };

  if (add_attachment (self, ATTACHMENT_DOCUMENT, document_id, _("Patient document")) == NULL)
    return;
  read_documents (self, ids);
}

/* What the window was opened with is not a change of the user's: a
 * message opened from a document and closed untouched leaves no draft. */
void
cab_composer_add_document (CabComposer *self,
                           const char  *document_id)
{
  g_return_if_fail (CAB_IS_COMPOSER (self));
  g_return_if_fail (document_id != NULL);

  /* Opened from a document: its title becomes the subject once read. */
  if (self->attachments->len == 0 && self->edit_entry_id == 0 &&
      *gtk_editable_get_text (GTK_EDITABLE (self->subject_row)) == '\0')
    self->subject_from_document = TRUE;
  attach_document (self, document_id);
}

/* The subject a document sent on its own gets: what it is and its date,
 * never the patient's name. The subject is the part of a message shown
 * outside it (mailbox lists, phone notifications, the Outbox's titles,
 * cabinetctl's listings, some servers' logs); the patient travels inside,
 * in the XDM and X-MSS-INS, where the recipient's software files it. */
char *
cab_composer_document_subject (const char *title,
                               const char *date)
{
  g_return_val_if_fail (title != NULL, NULL);

  if (date == NULL || *date == '\0')
    return g_strdup (title);
  /* Translators: a message's subject: "<document title> of <date>",
   * e.g. "Biopsie cutanée du 02/10/2026" */
  return g_strdup_printf (_("%s of %s"), title, date);
}

void
cab_composer_add_file (CabComposer *self,
                       GFile       *file)
{
  g_return_if_fail (CAB_IS_COMPOSER (self));
  g_return_if_fail (G_IS_FILE (file));

  attach_file (self, file);
}

static void
attach_file (CabComposer *self,
             GFile       *file)
{
  g_autofree char *path = NULL, *name = NULL;
  Attachment *a;

  path = g_file_get_path (file);
  if (path == NULL || !is_pdf_name (path))
    {
      toast (self, _("Only PDF files on this computer can be attached"));
      return;
    }
  name = g_path_get_basename (path);
  a = add_attachment (self, ATTACHMENT_FILE, path, name);
  if (a == NULL)
    return;
  query_size (self, a->row, path, _("PDF file"));
}

/* "Re:" and "Fwd:" are written as the standards and most mail programs
 * write them, in every language: French clients' "RE :" and "TR :" are
 * understood when reading (so prefixes never pile up), but the subject
 * travels to other software whose threading looks for "Re:". */
static const char *
strip_prefixes (const char *subject)
{
  static const char *prefixes[] = { "re", "fwd", "fw", "tr", "aw", "wg", NULL };
  const char *p = subject;
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      while (*p == ' ')
        p++;
      for (guint i = 0; prefixes[i] != NULL; i++)
        {
          gsize n = strlen (prefixes[i]);
          const char *q = p + n;

          if (g_ascii_strncasecmp (p, prefixes[i], n) != 0)
            continue;
          while (*q == ' ')
            q++;
          if (*q != ':')
            continue;
          p = q + 1;
          again = TRUE;
          break;
        }
    }
  return p;
}

char *
cab_composer_reply_subject (const char *subject)
{
  return g_strconcat ("Re: ", strip_prefixes (subject != NULL ? subject : ""), NULL);
}

char *
cab_composer_forward_subject (const char *subject)
{
  return g_strconcat ("Fwd: ", strip_prefixes (subject != NULL ? subject : ""), NULL);
}

static char *
quote (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GString *s = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* The trailing empty line of a text that ends with a newline. */
      if (lines[i + 1] == NULL && *lines[i] == '\0')
        break;
      g_string_append_printf (s, ">%s%s\n", *lines[i] == '>' || *lines[i] == '\0' ? "" : " ", lines[i]);
    }
  return g_string_free (s, FALSE);
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = unix_time > 0 ? g_date_time_new_from_unix_local (unix_time) : NULL;

  /* Translators: the date of a message quoted in a reply, strftime format */
  return dt != NULL ? g_date_time_format (dt, _("%d/%m/%Y at %H:%M")) : g_strdup ("");
}

void
cab_composer_set_message (CabComposer           *self,
                          const CabInboxMessage *message,
                          CabComposerMode        mode)
{
  g_autofree char *subject = NULL, *quoted = NULL, *date = NULL, *intro = NULL, *body = NULL;
  g_autofree char *signature = signature_block ();
  const char *from = message->from != NULL ? message->from : message->from_address;

  g_return_if_fail (CAB_IS_COMPOSER (self));
  g_return_if_fail (message != NULL);

  self->filling++;
  date = format_date (message->date);
  if (mode == CAB_COMPOSER_FORWARD)
    {
      subject = cab_composer_forward_subject (message->subject);
      adw_window_title_set_title (self->window_title, _("Forward"));
      intro = g_strdup_printf (_("-------- Forwarded message --------\nFrom: %s\nDate: %s\nSubject: %s\n\n"),
                               from != NULL ? from : "", date, message->subject != NULL ? message->subject : "");
      body = g_strconcat ("\n", signature != NULL ? signature : "", "\n\n", intro,
                          message->body_text != NULL ? message->body_text : "", NULL);
      /* The PDFs travel on with it (those Cabinet saved for the viewer). */
      for (guint i = 0; message->parts != NULL && i < message->parts->len; i++)
        {
          CabInboxPart *part = message->parts->pdata[i];

          if (part->path != NULL && !part->from_xdm)
            {
              Attachment *a = add_attachment (self, ATTACHMENT_FILE, part->path,
                                              part->filename != NULL ? part->filename : _("document.pdf"));

              if (a != NULL)
                query_size (self, a->row, part->path, _("PDF file"));
            }
        }
    }
  else
    {
      subject = cab_composer_reply_subject (message->subject);
      adw_window_title_set_title (self->window_title, mode == CAB_COMPOSER_REPLY_ALL ? _("Reply to All") : _("Reply"));
      if (message->from_address != NULL)
        {
          g_autofree char *name = sender_name (message->from, message->from_address);

          cab_recipient_entry_add (self->recipients, message->from_address, name);
        }
      if (mode == CAB_COMPOSER_REPLY_ALL)
        {
          for (guint i = 0; message->to_addresses != NULL && message->to_addresses[i] != NULL; i++)
            if (self->from == NULL || g_ascii_strcasecmp (message->to_addresses[i], self->from) != 0)
              cab_recipient_entry_add (self->recipients, message->to_addresses[i], NULL);
          for (guint i = 0; message->cc_addresses != NULL && message->cc_addresses[i] != NULL; i++)
            if (self->from == NULL || g_ascii_strcasecmp (message->cc_addresses[i], self->from) != 0)
              cab_recipient_entry_add (self->recipients, message->cc_addresses[i], NULL);
        }
      /* Translators: "On 12/06/2026 at 09:30, Dr Paul Martin wrote:" */
      intro = g_strdup_printf (_("On %s, %s wrote:"), date, from != NULL ? from : "");
      quoted = quote (message->body_text);
      body = g_strconcat ("\n", signature != NULL ? signature : "", "\n\n", intro, "\n", quoted, NULL);
      g_free (self->in_reply_to);
      self->in_reply_to = g_strdup (message->message_id);
      g_free (self->references);
      if (message->message_id != NULL)
        self->references = message->references != NULL
                           ? g_strconcat (message->references, " ", message->message_id, NULL)
                           : g_strdup (message->message_id);
      else
        self->references = g_strdup (message->references);
      if (!cab_mime_message_ids_are_valid (self->in_reply_to))
        g_clear_pointer (&self->in_reply_to, g_free);
      if (!cab_mime_message_ids_are_valid (self->references))
        g_clear_pointer (&self->references, g_free);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject);
  set_body (self, body);
  self->filling--;
  gtk_widget_grab_focus (mode == CAB_COMPOSER_FORWARD ? GTK_WIDGET (self->recipients) : GTK_WIDGET (self->body_view));
}

void
cab_composer_load_draft (CabComposer              *self,
                         const CabMailDraftRecord *draft)
{
  g_return_if_fail (CAB_IS_COMPOSER (self));
  g_return_if_fail (draft != NULL);

  self->filling++;
  self->draft_id = draft->id;
  cab_composer_set_patient (self, draft->patient_id);
  {
    /* Added as saved: the patient mailbox was checked when it was added
     * (the patient is not read yet), and is checked again when queued. */
    cab_recipient_entry_set_check (self->recipients, NULL, NULL);
    for (guint i = 0; draft->to != NULL && draft->to[i] != NULL; i++)
      cab_recipient_entry_add (self->recipients, draft->to[i], draft->to_names != NULL ? draft->to_names[i] : NULL);
    cab_recipient_entry_set_check (self->recipients, check_recipient, self);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), draft->subject != NULL ? draft->subject : "");
  set_body (self, draft->body != NULL ? draft->body : "");
  gtk_switch_set_active (self->receipt_switch, draft->receipt);
  g_free (self->in_reply_to);
  self->in_reply_to = g_strdup (draft->in_reply_to);
  g_free (self->references);
  self->references = g_strdup (draft->references);
  for (guint i = 0; draft->document_ids != NULL && draft->document_ids[i] != NULL; i++)
    add_attachment (self, ATTACHMENT_DOCUMENT, draft->document_ids[i], _("Patient document"));
  read_documents (self, (const char * const *) draft->document_ids);
  for (guint i = 0; draft->files != NULL && draft->files[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (draft->files[i]);
      Attachment *a = add_attachment (self, ATTACHMENT_FILE, draft->files[i], name);

      if (a != NULL)
        query_size (self, a->row, draft->files[i], _("PDF file"));
    }
  self->n_saved = 1;
  update_title (self);
  self->filling--;
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabMailQueued) queued = cab_mail_queued_read_finish (result, &error);
  CabMailDraftRecord *r;

  self->n_reading--;
  if (queued == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_free (self->send_error);
      self->send_error = g_strdup (error->message);
      toast (self, error->message);
      self->edit_locked = TRUE;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
      return;
    }
  r = queued->record;
  g_free (self->edit_payload);
  self->edit_payload = g_strdup (queued->payload);
  self->filling++;
  cab_composer_set_patient (self, r->patient_id);
  /* Added as queued: checked when queued, and again on Save. */
  cab_recipient_entry_set_check (self->recipients, NULL, NULL);
  for (guint i = 0; r->to != NULL && r->to[i] != NULL; i++)
    cab_recipient_entry_add (self->recipients, r->to[i], r->to_names != NULL ? r->to_names[i] : NULL);
  cab_recipient_entry_set_check (self->recipients, check_recipient, self);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), r->subject != NULL ? r->subject : "");
  set_body (self, r->body != NULL ? r->body : "");
  gtk_switch_set_active (self->receipt_switch, r->receipt);
  g_free (self->in_reply_to);
  self->in_reply_to = g_strdup (r->in_reply_to);
  g_free (self->references);
  self->references = g_strdup (r->references);
  for (guint i = 0; r->document_ids != NULL && r->document_ids[i] != NULL; i++)
    add_attachment (self, ATTACHMENT_DOCUMENT, r->document_ids[i],
                    queued->document_titles[i] != NULL && *queued->document_titles[i] != '\0'
                    ? queued->document_titles[i] : _("Patient document"));
  read_documents (self, (const char * const *) r->document_ids);
  for (guint i = 0; r->files != NULL && r->files[i] != NULL; i++)
    {
      Attachment *a = add_attachment (self, ATTACHMENT_FILE, r->files[i], queued->file_names[i]);

      if (a != NULL)
        query_size (self, a->row, r->files[i], _("PDF file"));
    }
  update_title (self);
  self->filling--;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", TRUE);
}

void
cab_composer_edit_entry (CabComposer *self,
                         gint64       entry_id)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_COMPOSER (self));
  g_return_if_fail (entry_id > 0);
  g_return_if_fail (self->edit_entry_id == 0 && self->draft_id == 0);

  store = get_store (self);
  self->edit_entry_id = entry_id;
  adw_window_title_set_title (self->window_title, _("Edit Queued Message"));
  gtk_button_set_label (GTK_BUTTON (self->send_button), _("_Save"));
  gtk_widget_set_tooltip_text (self->send_button, _("Replace the message waiting in the Outbox (Ctrl+Enter)"));
  /* The signature is already in the queued text. */
  self->filling++;
  set_body (self, "");
  self->filling--;
  update_title (self);
  /* Save waits for the message to be read. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
  if (store == NULL)
    return;
  self->n_reading++;
  cab_mail_queued_read_async (store, entry_id, self->cancellable, queued_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

CabRecipientEntry *
cab_composer_get_recipients (CabComposer *self)
{
  return self->recipients;
}

GtkEditable *
cab_composer_get_subject_field (CabComposer *self)
{
  return GTK_EDITABLE (self->subject_row);
}

GtkTextBuffer *
cab_composer_get_body (CabComposer *self)
{
  return gtk_text_view_get_buffer (self->body_view);
}

GtkSwitch *
cab_composer_get_receipt_switch (CabComposer *self)
{
  return self->receipt_switch;
}

gint64
cab_composer_get_draft_id (CabComposer *self)
{
  return self->draft_id;
}

guint
cab_composer_get_n_saved (CabComposer *self)
{
  return self->n_saved;
}

gboolean
cab_composer_is_saved (CabComposer *self)
{
  return !self->dirty && !self->saving && self->save_id == 0;
}

gboolean
cab_composer_is_ready (CabComposer *self)
{
  return self->n_reading == 0 && (self->patient_id == NULL || self->patient != NULL);
}

gboolean
cab_composer_get_patient_mailbox (CabComposer *self,
                                  const char **title,
                                  const char **subtitle,
                                  gboolean    *offered)
{
  *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->patient_row));
  *subtitle = adw_action_row_get_subtitle (self->patient_row);
  *offered = gtk_widget_get_visible (self->patient_mailbox_button);
  return gtk_widget_get_visible (GTK_WIDGET (self->patient_row));
}

const char *
cab_composer_get_outside_warning (CabComposer *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->outside_row)) ? adw_action_row_get_subtitle (self->outside_row)
                                                                 : NULL;
}

char **
cab_composer_dup_document_ids (CabComposer *self)
{
  return dup_attachment_keys (self, ATTACHMENT_DOCUMENT);
}

char **
cab_composer_dup_files (CabComposer *self)
{
  return dup_attachment_keys (self, ATTACHMENT_FILE);
}

guint
cab_composer_get_n_attachments (CabComposer *self)
{
  return self->attachments->len;
}

char *
cab_composer_dup_attachment_text (CabComposer *self,
                                  guint        index)
{
  Attachment *a = self->attachments->pdata[index];

  return g_strdup_printf ("%s\n%s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (a->row)),
                          adw_action_row_get_subtitle (ADW_ACTION_ROW (a->row)));
}

gint64
cab_composer_get_edit_entry_id (CabComposer *self)
{
  return self->edit_entry_id;
}

gint64
cab_composer_get_entry_id (CabComposer *self)
{
  return self->entry_id;
}

const char *
cab_composer_get_send_error (CabComposer *self)
{
  return self->send_error;
}

GtkWindow *
cab_composer_get_document_chooser (CabComposer *self)
{
  return self->chooser;
}
