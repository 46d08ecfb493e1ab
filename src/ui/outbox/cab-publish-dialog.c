/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-publish-dialog"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cab-document-type-row.h"
#include "cab-publish-dialog.h"

struct _CabPublishDialog
{
  AdwWindow     parent_instance;

  CabOutbox    *outbox;
  char         *patient_id;
  GFile        *file;
  GCancellable *cancellable;

  AdwComboRow  *type_row;
  AdwEntryRow  *title_row;
  GtkSwitch    *hold_switch;
  GtkWidget    *publish_button;
  GtkLabel     *error_label;
  char         *error;
};

G_DEFINE_FINAL_TYPE (CabPublishDialog, cab_publish_dialog, ADW_TYPE_WINDOW)

enum {
  QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (CabPublishDialog *self,
            const char       *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
publish_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabPublishDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = cab_outbox_enqueue_finish (CAB_OUTBOX (object), result, &error);
  GtkWindow *parent;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_sensitive (self->publish_button, TRUE);
  /* Not "id == 0": g_task_propagate_int() gives -1 on error. */
  if (error != NULL || id <= 0)
    {
      show_error (self, error != NULL ? error->message : _("The document could not be queued."));
      return;
    }

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.outbox-queued", NULL);
  g_signal_emit (self, signals[QUEUED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cab_publish_dialog_publish (CabPublishDialog *self)
{
  const CabDocumentType *type;
  const char *title;
  g_autofree char *path = NULL;

  g_return_if_fail (CAB_IS_PUBLISH_DIALOG (self));

  type = cab_document_type_lookup (cab_document_type_row_get_code (self->type_row));
  g_return_if_fail (type != NULL);
  title = gtk_editable_get_text (GTK_EDITABLE (self->title_row));
  if (title == NULL || title[0] == '\0')
    title = type->display;
  path = g_file_get_path (self->file);
  if (path == NULL)
    {
      show_error (self, _("Only local files can be published."));
      return;
    }

  show_error (self, NULL);
  gtk_widget_set_sensitive (self->publish_button, FALSE);
  cab_outbox_publish_document_async (self->outbox, self->patient_id, path,
                                     type->code, title,
                                     gtk_switch_get_active (self->hold_switch),
                                     self->cancellable, publish_cb, g_object_ref (self));
}

static void
publish_clicked_cb (CabPublishDialog *self)
{
  cab_publish_dialog_publish (self);
}

static void
cab_publish_dialog_dispose (GObject *object)
{
  CabPublishDialog *self = CAB_PUBLISH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cab_publish_dialog_parent_class)->dispose (object);
}

static void
cab_publish_dialog_finalize (GObject *object)
{
  CabPublishDialog *self = CAB_PUBLISH_DIALOG (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_free (self->patient_id);
  g_free (self->error);

  G_OBJECT_CLASS (cab_publish_dialog_parent_class)->finalize (object);
}

static void
cab_publish_dialog_class_init (CabPublishDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_publish_dialog_dispose;
  object_class->finalize = cab_publish_dialog_finalize;

  signals[QUEUED] = g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (CAB_TYPE_DOCUMENT_TYPE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/outbox/cab-publish-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPublishDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, CabPublishDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, CabPublishDialog, hold_switch);
  gtk_widget_class_bind_template_child (widget_class, CabPublishDialog, publish_button);
  gtk_widget_class_bind_template_child (widget_class, CabPublishDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, publish_clicked_cb);
}

static void
cab_publish_dialog_init (CabPublishDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, -1);
}

CabPublishDialog *
cab_publish_dialog_new (GtkWindow  *parent,
                        CabOutbox  *outbox,
                        const char *patient_id,
                        GFile      *file)
{
  CabPublishDialog *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (CAB_TYPE_PUBLISH_DIALOG, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  self->patient_id = g_strdup (patient_id);
  self->file = g_object_ref (file);

  /* The file's name as the first guess of a title. */
  name = g_file_get_basename (file);
  if (name != NULL)
    {
      char *dot = strrchr (name, '.');

      if (dot != NULL && g_ascii_strcasecmp (dot, ".pdf") == 0)
        *dot = '\0';
      gtk_editable_set_text (GTK_EDITABLE (self->title_row), name);
    }

  return self;
}

void
cab_publish_dialog_set_type (CabPublishDialog *self,
                             const char       *type_code)
{
  g_return_if_fail (CAB_IS_PUBLISH_DIALOG (self));

  cab_document_type_row_set_code (self->type_row, type_code);
}

const char *
cab_publish_dialog_get_type_code (CabPublishDialog *self)
{
  g_return_val_if_fail (CAB_IS_PUBLISH_DIALOG (self), NULL);

  return cab_document_type_row_get_code (self->type_row);
}

void
cab_publish_dialog_set_document_title (CabPublishDialog *self,
                                       const char       *title)
{
  g_return_if_fail (CAB_IS_PUBLISH_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title != NULL ? title : "");
}

void
cab_publish_dialog_set_hold (CabPublishDialog *self,
                             gboolean          hold)
{
  g_return_if_fail (CAB_IS_PUBLISH_DIALOG (self));

  gtk_switch_set_active (self->hold_switch, hold);
}

const char *
cab_publish_dialog_get_error (CabPublishDialog *self)
{
  g_return_val_if_fail (CAB_IS_PUBLISH_DIALOG (self), NULL);

  return self->error;
}

/* ---------------------------------------------------------------------- */
/* choosing the file                                                      */

typedef struct
{
  GtkWindow *parent;
  CabOutbox *outbox;
  char      *patient_id;
} Choice;

static void
choice_free (Choice *choice)
{
  g_clear_object (&choice->parent);
  g_clear_object (&choice->outbox);
  g_free (choice->patient_id);
  g_free (choice);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     Choice          *choice)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        gtk_window_present (GTK_WINDOW (cab_publish_dialog_new (choice->parent, choice->outbox,
                                                                choice->patient_id, file)));
    }

  choice_free (choice);
  g_object_unref (chooser);
}

void
cab_publish_dialog_choose_file (GtkWindow  *parent,
                                CabOutbox  *outbox,
                                const char *patient_id)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  Choice *choice;

  g_return_if_fail (CAB_IS_OUTBOX (outbox));
  g_return_if_fail (patient_id != NULL);

  chooser = gtk_file_chooser_native_new (_("Publish a Document"), parent,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  choice = g_new0 (Choice, 1);
  choice->parent = parent != NULL ? g_object_ref (parent) : NULL;
  choice->outbox = g_object_ref (outbox);
  choice->patient_id = g_strdup (patient_id);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
