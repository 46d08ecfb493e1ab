/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-edit-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

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
  GtkWidget           *retry_button;     /* failed entries only */
  char                *error;
  gboolean             busy;
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
/* saving, on a worker thread                                             */

typedef struct
{
  CabOutbox *outbox;
  gint64     id;
  char      *title;
  char      *type_code;
  gboolean   retry;
  gboolean   saved;     /* set by the worker, read once the task is done */
} Save;

static void
save_free (Save *save)
{
  g_object_unref (save->outbox);
  g_free (save->title);
  g_free (save->type_code);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  GError *error = NULL;

  if (!cab_outbox_edit_publish (save->outbox, save->id, save->title, save->type_code, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  save->saved = TRUE;

  if (save->retry && !cab_outbox_retry (save->outbox, save->id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabOutboxEditDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  Save *save = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Codes only: the message may quote the document. A state that
       * moved on meanwhile is no fault of the program. */
      if (error->domain == CAB_OUTBOX_ERROR)
        g_debug ("Cannot %s outbox entry %" G_GINT64_FORMAT ": error %d",
                 save->saved ? "retry" : "edit", save->id, error->code);
      else
        g_warning ("Cannot %s outbox entry %" G_GINT64_FORMAT ": %s %d",
                   save->saved ? "retry" : "edit", save->id,
                   g_quark_to_string (error->domain), error->code);
      self->busy = FALSE;
      update_sensitivity (self);
      show_error (self, plain_message (error, save->saved));
      gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, save->id, save->retry);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cab_outbox_edit_dialog_save (CabOutboxEditDialog *self,
                             gboolean             retry)
{
  g_autoptr(GTask) task = NULL;
  Save *save;

  g_return_if_fail (CAB_IS_OUTBOX_EDIT_DIALOG (self));
  g_return_if_fail (!retry || self->retry_button != NULL);

  if (self->busy || !is_valid (self))
    return;

  save = g_new0 (Save, 1);
  save->outbox = g_object_ref (self->outbox);
  save->id = self->entry_id;
  save->title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  save->type_code = g_strdup (cab_document_type_row_get_code (self->type_row));
  save->retry = retry;

  show_error (self, NULL);
  self->busy = TRUE;
  update_sensitivity (self);

  task = g_task_new (NULL, self->cancellable, save_cb, g_object_ref (self));
  g_task_set_source_tag (task, cab_outbox_edit_dialog_save);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  g_task_run_in_thread (task, save_thread);
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
}

static void
cab_outbox_edit_dialog_init (CabOutboxEditDialog *self)
{
  GtkWidget *toolbar, *header, *cancel, *clamp, *box;

  self->cancellable = g_cancellable_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Publication"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 600, -1);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_box_append (GTK_BOX (toolbar), header);

  /* Below the form rather than in the header: "Save and Retry" is long in
   * French and would squeeze the title. */
  self->actions = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  gtk_widget_set_halign (GTK_WIDGET (self->actions), GTK_ALIGN_END);
  gtk_widget_set_margin_top (GTK_WIDGET (self->actions), 24);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  gtk_box_append (self->actions, cancel);
  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  gtk_box_append (self->actions, self->save_button);

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  self->title_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->title_row), _("_Title"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->title_row), TRUE);
  g_signal_connect_swapped (self->title_row, "changed", G_CALLBACK (update_sensitivity), self);
  g_signal_connect_swapped (self->title_row, "entry-activated", G_CALLBACK (entry_activated_cb), self);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->title_row));

  self->type_row = ADW_COMBO_ROW (cab_document_type_row_new ());
  g_signal_connect_swapped (self->type_row, "notify::selected", G_CALLBACK (update_sensitivity), self);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->type_row));

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_margin_top (GTK_WIDGET (self->error_label), 12);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->error_label));

  /* Not a scrolling page: the window grows to show an error. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->group));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->actions));
  clamp = adw_clamp_new ();
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_widget_set_vexpand (clamp, TRUE);
  gtk_box_append (GTK_BOX (toolbar), clamp);
  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

gboolean
cab_outbox_edit_dialog_can_edit (const CabOutboxEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);

  return g_strcmp0 (entry->kind, "publish") == 0 &&
         (entry->state == CAB_OUTBOX_STATE_PENDING ||
          entry->state == CAB_OUTBOX_STATE_HELD ||
          entry->state == CAB_OUTBOX_STATE_FAILED);
}

/* The title and type as queued, from the entry's payload. */
static void
prefill (CabOutboxEditDialog  *self,
         const CabOutboxEntry *entry)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *p = NULL;

  if (entry->payload != NULL && json_parser_load_from_data (parser, entry->payload, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    p = json_node_get_object (json_parser_get_root (parser));
  if (p == NULL)
    return;

  cab_document_type_row_set_code (self->type_row,
                                  json_object_get_string_member_with_default (p, "type_code", NULL));
  gtk_editable_set_text (GTK_EDITABLE (self->title_row),
                         json_object_get_string_member_with_default (p, "title", ""));
}

CabOutboxEditDialog *
cab_outbox_edit_dialog_new (GtkWindow            *parent,
                            CabOutbox            *outbox,
                            const CabOutboxEntry *entry)
{
  CabOutboxEditDialog *self;
  GtkWidget *primary;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CAB_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (entry != NULL && cab_outbox_edit_dialog_can_edit (entry), NULL);

  self = g_object_new (CAB_TYPE_OUTBOX_EDIT_DIALOG, "transient-for", parent, NULL);
  self->outbox = g_object_ref (outbox);
  self->entry_id = entry->id;

  if (entry->state == CAB_OUTBOX_STATE_FAILED)
    {
      /* Last: where the main action goes. */
      self->retry_button = gtk_button_new_with_mnemonic (_("Save and _Retry"));
      g_signal_connect_swapped (self->retry_button, "clicked", G_CALLBACK (retry_clicked_cb), self);
      gtk_box_append (self->actions, self->retry_button);
      adw_preferences_group_set_description (self->group,
                                             _("Sending this document failed. Correct its title or type, "
                                               "then save and try again."));
      primary = self->retry_button;
    }
  else
    {
      adw_preferences_group_set_description (self->group,
                                             _("This document has not been sent yet: your changes "
                                               "apply to what will be sent."));
      primary = self->save_button;
    }
  gtk_widget_add_css_class (primary, "suggested-action");
  gtk_window_set_default_widget (GTK_WINDOW (self), primary);

  prefill (self, entry);
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
