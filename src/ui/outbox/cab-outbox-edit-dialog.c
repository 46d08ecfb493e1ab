/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-edit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-document-type-row.h"
#include "cab-outbox-edit-dialog.h"

struct _CabOutboxEditDialog
{
  AdwWindow            parent_instance;

  CabOutbox           *outbox;
  gint64               entry_id;
  GCancellable        *cancellable;

  AdwPreferencesGroup *group;
  AdwEntryRow         *title_row;
  AdwComboRow         *type_row;
  GtkLabel            *error_label;
  GtkBox              *actions;
  GtkWidget           *save_button;
  GtkWidget           *retry_button;     /* failed entries only, else NULL */
  char                *error;
  gboolean             busy;
  gboolean             retrying;         /* the save under way retries too */
};

G_DEFINE_FINAL_TYPE (CabOutboxEditDialog, cab_outbox_edit_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* state of the form                                                      */

static gboolean
is_valid (CabOutboxEditDialog *self)
{
  const char *title = gtk_editable_get_text (GTK_EDITABLE (self->title_row));
  g_autofree char *stripped = g_strstrip (g_strdup (title != NULL ? title : ""));

  return stripped[0] != '\0' && cab_document_type_row_get_code (self->type_row) != NULL;
}

static void
update_sensitivity (CabOutboxEditDialog *self)
{
  gboolean can_save;

  if (self->save_button == NULL)
    return;   /* disposed */
  can_save = !self->busy && is_valid (self);
  gtk_widget_set_sensitive (self->save_button, can_save);
  if (self->retry_button != NULL)
    gtk_widget_set_sensitive (self->retry_button, can_save);
  /* Not insensitive: GtkText would lose its focus without a focus-out. */
  gtk_editable_set_editable (GTK_EDITABLE (self->title_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->type_row), !self->busy);
}

static void
show_error (CabOutboxEditDialog *self,
            const char          *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* What went wrong, in the user's terms; the details go to the log. */
static const char *
plain_message (const GError *error,
               gboolean      saved)
{
  if (saved)
    return _("Your changes were saved, but the document could not be queued again. "
             "Use “Retry” in the outbox.");
  if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_WRONG_STATE))
    return _("This document can no longer be changed: it is being sent, was sent "
             "or was cancelled in the meantime.");
  if (g_error_matches (error, CAB_OUTBOX_ERROR, CAB_OUTBOX_ERROR_BAD_TYPE))
    return _("This type of document cannot be published. Choose another type.");
  return _("Your changes could not be saved. Please try again.");
}

/* ---------------------------------------------------------------------- */
/* saving, through core                                                   */

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabOutboxEditDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = FALSE;

  if (!cab_outbox_edit_publish_finish (CAB_OUTBOX (object), result, &saved, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Codes only: the message may quote the document. A state that
       * moved on meanwhile is no fault of the program. */
      if (error->domain == CAB_OUTBOX_ERROR)
        g_debug ("Cannot %s outbox entry %" G_GINT64_FORMAT ": error %d",
                 saved ? "retry" : "edit", self->entry_id, error->code);
      else
        g_warning ("Cannot %s outbox entry %" G_GINT64_FORMAT ": %s %d",
                   saved ? "retry" : "edit", self->entry_id,
                   g_quark_to_string (error->domain), error->code);
      self->busy = FALSE;
      update_sensitivity (self);
      show_error (self, plain_message (error, saved));
      gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, self->entry_id, (gboolean) self->retrying);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cab_outbox_edit_dialog_save (CabOutboxEditDialog *self,
                             gboolean             retry)
{
  g_autofree char *title = NULL;

  g_return_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self));
  g_return_if_fail (!retry || self->retry_button != NULL);

  if (self->busy || !is_valid (self))
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  show_error (self, NULL);
  self->busy = TRUE;
  update_sensitivity (self);

  self->retrying = retry;
  cab_outbox_edit_publish_async (self->outbox, self->entry_id, title,
                                 cab_document_type_row_get_code (self->type_row), retry,
                                 self->cancellable, save_cb, g_object_ref (self));
}

static void
save_clicked_cb (CabOutboxEditDialog *self)
{
  cab_outbox_edit_dialog_save (self, FALSE);
}

static void
retry_clicked_cb (CabOutboxEditDialog *self)
{
  cab_outbox_edit_dialog_save (self, TRUE);
}

/* Enter in the title: the suggested button, as a click would. */
static void
entry_activated_cb (CabOutboxEditDialog *self)
{
  cab_outbox_edit_dialog_save (self, self->retry_button != NULL);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_outbox_edit_dialog_dispose (GObject *object)
{
  CabOutboxEditDialog *self = CAB_OUTBOX_EDIT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  /* Its widgets go with the window's. */
  self->save_button = NULL;
  self->retry_button = NULL;

  G_OBJECT_CLASS (cab_outbox_edit_dialog_parent_class)->dispose (object);
}

static void
cab_outbox_edit_dialog_finalize (GObject *object)
{
  CabOutboxEditDialog *self = CAB_OUTBOX_EDIT_DIALOG (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->cancellable);
  g_free (self->error);

  G_OBJECT_CLASS (cab_outbox_edit_dialog_parent_class)->finalize (object);
}

static void
cab_outbox_edit_dialog_class_init (CabOutboxEditDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_outbox_edit_dialog_dispose;
  object_class->finalize = cab_outbox_edit_dialog_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (CAB_TYPE_DOCUMENT_TYPE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/outbox/cab-outbox-edit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, group);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, actions);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, CabOutboxEditDialog, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, update_sensitivity);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
}

static void
cab_outbox_edit_dialog_init (CabOutboxEditDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_size (GTK_WINDOW (self), 600, -1);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

gboolean
cab_outbox_edit_dialog_can_edit (CabOutboxItem *item)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (item), FALSE);

  return cab_outbox_item_get_can_edit (item);
}

CabOutboxEditDialog *
cab_outbox_edit_dialog_new (GtkWindow     *parent,
                            CabOutbox     *outbox,
                            CabOutboxItem *item)
{
  CabOutboxEditDialog *self;
  GtkWidget *primary;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (CAB_IS_OUTBOX_ITEM (item) && cab_outbox_item_get_can_edit (item), NULL);

  self = g_object_new (CAB_TYPE_OUTBOX_EDIT_DIALOG, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  self->entry_id = cab_outbox_item_get_id (item);

  if (cab_outbox_item_get_can_retry (item))
    {
      gtk_widget_set_visible (self->retry_button, TRUE);
      adw_preferences_group_set_description (self->group,
                                             _("Sending this document failed. Correct its title or type, "
                                               "then save and try again."));
      primary = self->retry_button;
    }
  else
    {
      /* Gone rather than hidden: only a failed entry offers it. */
      gtk_box_remove (self->actions, self->retry_button);
      self->retry_button = NULL;
      adw_preferences_group_set_description (self->group,
                                             _("This document has not been sent yet: your changes "
                                               "apply to what will be sent."));
      primary = self->save_button;
    }
  gtk_widget_add_css_class (primary, "suggested-action");
  gtk_window_set_default_widget (GTK_WINDOW (self), primary);

  /* The title and type as queued, as core read them. */
  cab_document_type_row_set_code (self->type_row, cab_outbox_item_get_type_code (item));
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), cab_outbox_item_get_document_title (item));
  update_sensitivity (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->title_row));

  return self;
}

gint64
cab_outbox_edit_dialog_get_entry_id (CabOutboxEditDialog *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self), 0);

  return self->entry_id;
}

const char *
cab_outbox_edit_dialog_get_document_title (CabOutboxEditDialog *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->title_row));
}

void
cab_outbox_edit_dialog_set_document_title (CabOutboxEditDialog *self,
                                           const char          *title)
{
  g_return_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title != NULL ? title : "");
}

const char *
cab_outbox_edit_dialog_get_type_code (CabOutboxEditDialog *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self), NULL);

  return cab_document_type_row_get_code (self->type_row);
}

void
cab_outbox_edit_dialog_set_type (CabOutboxEditDialog *self,
                                 const char          *type_code)
{
  g_return_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self));

  cab_document_type_row_set_code (self->type_row, type_code);
}

gboolean
cab_outbox_edit_dialog_get_can_retry (CabOutboxEditDialog *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self), FALSE);

  return self->retry_button != NULL;
}

const char *
cab_outbox_edit_dialog_get_error (CabOutboxEditDialog *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self), NULL);

  return self->error;
}
