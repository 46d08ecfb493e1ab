/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-viewer"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cab-pdf-print.h"
#include "cab-ui-enums.h"
#include "cab-pdf-viewer.h"

struct _CabPdfViewer
{
  GtkWidget          parent_instance;

  GFile             *file;
  CabPdfDocument    *document;
  GCancellable      *cancellable;
  GError            *error;
  char              *suggested_name;
  char              *last_query;
  CabPdfViewerState  state;
  GtkNativeDialog   *chooser;
  guint              pulse_id;

  /* Template widgets */
  GtkWidget         *box;
  GtkWidget         *toolbar;
  GtkWidget         *doc_tools;
  GtkWidget         *doc_actions;
  GtkLabel          *zoom_label;
  GtkEntry          *page_entry;
  GtkLabel          *n_pages_label;
  GtkToggleButton   *find_button;
  GtkSearchBar      *search_bar;
  GtkSearchEntry    *search_entry;
  GtkLabel          *match_label;
  GtkStack          *stack;
  GtkSpinner        *spinner;
  GtkProgressBar    *progress_bar;
  AdwStatusPage     *unavailable_page;
  AdwStatusPage     *error_page;
  CabPdfView        *view;
};

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  LOADED,
  CANCEL,
  PAGE_RENDERED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CabPdfViewer, cab_pdf_viewer, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------------ */
/* Auxiliary functions                                                      */

static GtkWindow *
parent_window (CabPdfViewer *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
update_actions (CabPdfViewer *self)
{
  gboolean has_doc = self->state == CAB_PDF_VIEWER_DOCUMENT;
  gboolean has_file = self->file != NULL &&
                      (has_doc || self->state == CAB_PDF_VIEWER_ERROR);
  static const char * const doc_actions[] = {
    "viewer.zoom-in", "viewer.zoom-out", "viewer.zoom-fit-width",
    "viewer.zoom-fit-page", "viewer.find", "viewer.find-next",
    "viewer.find-previous", "viewer.print",
  };

  for (guint i = 0; i < G_N_ELEMENTS (doc_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), doc_actions[i], has_doc);
  /* A protected or damaged file may still open elsewhere. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.save-copy", has_file);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.open-external", has_file);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.cancel-download",
                                 self->state == CAB_PDF_VIEWER_DOWNLOADING);

  /* Without a document only "save a copy" and "open elsewhere" make sense. */
  gtk_widget_set_visible (self->doc_tools, has_doc);
  gtk_widget_set_visible (self->doc_actions, has_doc);
  gtk_widget_set_visible (self->toolbar, has_file);
}

static gboolean
pulse_cb (gpointer data)
{
  CabPdfViewer *self = data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
set_state (CabPdfViewer      *self,
           CabPdfViewerState  state)
{
  static const char * const pages[] = {
    "empty", "loading", "download", "unavailable", "error", "document",
  };

  if (state != CAB_PDF_VIEWER_DOWNLOADING)
    g_clear_handle_id (&self->pulse_id, g_source_remove);
  gtk_spinner_set_spinning (self->spinner, state == CAB_PDF_VIEWER_LOADING);
  gtk_stack_set_visible_child_name (self->stack, pages[state]);
  if (state != CAB_PDF_VIEWER_DOCUMENT)
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  if (self->state != state)
    {
      self->state = state;
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* Forgets the document, the file and any load in progress. */
static void
reset (CabPdfViewer *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_clear_error (&self->error);
  cab_pdf_view_set_document (self->view, NULL);
  g_clear_object (&self->document);
  g_clear_object (&self->file);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_clear_pointer (&self->last_query, g_free);
}

static void
show_error (CabPdfViewer *self,
            GError       *error)
{
  const char *title, *description;
  const char *icon = "dialog-warning-symbolic";

  if (g_error_matches (error, CAB_PDF_ERROR, CAB_PDF_ERROR_ENCRYPTED))
    {
      icon = "system-lock-screen-symbolic";
      title = _("This document is protected by a password");
      description = _("Cabinet cannot open protected documents. Save a copy or open it in another application.");
    }
  else if (g_error_matches (error, CAB_PDF_ERROR, CAB_PDF_ERROR_DAMAGED))
    {
      title = _("This document is damaged and cannot be displayed");
      description = _("The file may be incomplete. Try downloading it again.");
    }
  else
    {
      title = _("This document cannot be opened");
      description = _("The file could not be read.");
    }

  adw_status_page_set_icon_name (self->error_page, icon);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  g_clear_error (&self->error);
  self->error = error;
  set_state (self, CAB_PDF_VIEWER_ERROR);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */

static void view_page_changed_cb (CabPdfViewer *self);

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabPdfViewer) self = user_data;
  g_autoptr(CabPdfDocument) document = NULL;
  g_autofree char *n_pages = NULL;
  GError *error = NULL;

  document = cab_pdf_document_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }
  g_clear_object (&self->cancellable);

  if (document == NULL)
    {
      show_error (self, error);
      return;
    }

  self->document = g_steal_pointer (&document);
  cab_pdf_view_set_document (self->view, self->document);
  cab_pdf_view_set_zoom_mode (self->view, CAB_PDF_ZOOM_FIT_WIDTH);

  /* Translators: after the page entry, as in "3 / 12" */
  n_pages = g_strdup_printf (_("/ %u"), cab_pdf_document_get_n_pages (self->document));
  gtk_label_set_text (self->n_pages_label, n_pages);
  gtk_editable_set_text (GTK_EDITABLE (self->page_entry), "1");

  set_state (self, CAB_PDF_VIEWER_DOCUMENT);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
  g_signal_emit (self, signals[LOADED], 0);
}

static void
page_entry_activate_cb (CabPdfViewer *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->page_entry)));
  guint64 page;

  if (self->document != NULL &&
      g_ascii_string_to_unsigned (g_strstrip (text), 10, 1,
                                  cab_pdf_document_get_n_pages (self->document),
                                  &page, NULL))
    cab_pdf_view_set_page (self->view, page - 1);
  else
    {
      gtk_widget_error_bell (GTK_WIDGET (self->page_entry));
      view_page_changed_cb (self);
    }

  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
view_page_changed_cb (CabPdfViewer *self)
{
  g_autofree char *text = NULL;

  if (self->document == NULL)
    return;

  text = g_strdup_printf ("%u", cab_pdf_view_get_page (self->view) + 1);
  gtk_editable_set_text (GTK_EDITABLE (self->page_entry), text);
}

static void
view_scale_changed_cb (CabPdfViewer *self)
{
  g_autofree char *text = NULL;
  /* 100 % is the paper size: one point is 96/72 CSS pixels. */
  int percent = (int) (cab_pdf_view_get_scale (self->view) * 72.0 / 96.0 * 100 + 0.5);

  /* Translators: a zoom level */
  text = g_strdup_printf (_("%d%%"), percent);
  gtk_label_set_text (self->zoom_label, text);
}

static void
view_matches_changed_cb (CabPdfViewer *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = cab_pdf_view_get_n_matches (self->view);
  int current = cab_pdf_view_get_current_match (self->view, NULL);
  g_autofree char *text = NULL;

  if (query[0] == '\0')
    text = g_strdup ("");
  else if (n == 0 && cab_pdf_view_get_find_busy (self->view))
    text = g_strdup (_("Searching…"));
  else if (n == 0)
    text = g_strdup (_("No matches"));
  else
    /* Translators: the current match and how many were found, as in "3 of 12" */
    text = g_strdup_printf (_("%d of %u"), current + 1, n);

  gtk_label_set_text (self->match_label, text);
}

static void
view_page_rendered_cb (CabPdfViewer *self,
                       guint         page)
{
  g_signal_emit (self, signals[PAGE_RENDERED], 0, page);
}

static void
search_changed_cb (CabPdfViewer *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* The entry reports a change again after its delay: same text, same search. */
  if (g_strcmp0 (text, self->last_query) == 0)
    return;

  g_free (self->last_query);
  self->last_query = g_strdup (text);
  cab_pdf_view_find (self->view, text);
  view_matches_changed_cb (self);
}

static void
search_next_cb (CabPdfViewer *self)
{
  cab_pdf_view_find_next (self->view);
}

static void
search_previous_cb (CabPdfViewer *self)
{
  cab_pdf_view_find_previous (self->view);
}

static void
search_mode_changed_cb (CabPdfViewer *self)
{
  if (gtk_search_bar_get_search_mode (self->search_bar))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      if (self->state == CAB_PDF_VIEWER_DOCUMENT)
        gtk_widget_grab_focus (GTK_WIDGET (self->view));
    }
}

static void
print_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cab_pdf_print_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Printing failed: %s", error->message);
}

static void
copy_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_copy_finish (G_FILE (object), result, &error))
    g_warning ("Could not save a copy: %s", error->message);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     CabPdfViewer    *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->file != NULL)
    {
      g_autoptr(GFile) dest = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (dest != NULL)
        g_file_copy_async (self->file, dest, G_FILE_COPY_OVERWRITE,
                           G_PRIORITY_DEFAULT, NULL, NULL, NULL,
                           copy_done_cb, NULL);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("Could not open the document in another application: %s", error->message);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (widget);

  if (g_str_equal (action_name, "viewer.zoom-in"))
    cab_pdf_view_zoom_in (self->view);
  else if (g_str_equal (action_name, "viewer.zoom-out"))
    cab_pdf_view_zoom_out (self->view);
  else if (g_str_equal (action_name, "viewer.zoom-fit-page"))
    cab_pdf_view_set_zoom_mode (self->view, CAB_PDF_ZOOM_FIT_PAGE);
  else
    cab_pdf_view_set_zoom_mode (self->view, CAB_PDF_ZOOM_FIT_WIDTH);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (widget);

  if (g_str_equal (action_name, "viewer.find"))
    {
      gtk_search_bar_set_search_mode (self->search_bar, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else if (g_str_equal (action_name, "viewer.find-next"))
    cab_pdf_view_find_next (self->view);
  else
    cab_pdf_view_find_previous (self->view);
}

static void
cancel_download_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  g_signal_emit (widget, signals[CANCEL], 0);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (widget);

  if (self->document == NULL)
    return;

  cab_pdf_print_async (self->document, parent_window (self),
                       self->suggested_name, NULL, print_done_cb, NULL);
}

static void
save_copy_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (widget);
  g_autofree char *basename = NULL;
  GtkFileChooserNative *chooser;

  if (self->file == NULL || self->chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save a Copy"), parent_window (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (self->suggested_name == NULL)
    basename = g_file_get_basename (self->file);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     self->suggested_name ? self->suggested_name : basename);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);

  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
open_external_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (widget);
  g_autoptr(GdkAppLaunchContext) context = NULL;
  g_autofree char *uri = NULL;

  if (self->file == NULL)
    return;

  uri = g_file_get_uri (self->file);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context),
                                           NULL, launch_done_cb, NULL);
}

/* ------------------------------------------------------------------------ */
/* GObject overrides                                                        */

static void
cab_pdf_viewer_dispose (GObject *object)
{
  CabPdfViewer *self = (CabPdfViewer *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PDF_VIEWER);

  g_clear_object (&self->document);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (cab_pdf_viewer_parent_class)->dispose (object);
}

static void
cab_pdf_viewer_finalize (GObject *object)
{
  CabPdfViewer *self = (CabPdfViewer *)object;

  g_clear_error (&self->error);
  g_free (self->suggested_name);
  g_free (self->last_query);

  G_OBJECT_CLASS (cab_pdf_viewer_parent_class)->finalize (object);
}

static void
cab_pdf_viewer_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CabPdfViewer *self = CAB_PDF_VIEWER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_pdf_viewer_class_init (CabPdfViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_pdf_viewer_dispose;
  object_class->finalize = cab_pdf_viewer_finalize;
  object_class->get_property = cab_pdf_viewer_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CAB_TYPE_PDF_VIEWER_STATE, CAB_PDF_VIEWER_EMPTY,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CabPdfViewer::loaded:
   *
   * The document is open and laid out; pages render as they show.
   */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * CabPdfViewer::cancel:
   *
   * The user cancelled the download shown by cab_pdf_viewer_show_download().
   */
  signals[CANCEL] =
    g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[PAGE_RENDERED] =
    g_signal_new ("page-rendered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (CAB_TYPE_PDF_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/viewer/cab-pdf-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, box);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, doc_tools);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, doc_actions);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, page_entry);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, n_pages_label);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, find_button);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, match_label);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, spinner);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, error_page);
  gtk_widget_class_bind_template_child (widget_class, CabPdfViewer, view);
  gtk_widget_class_bind_template_callback (widget_class, page_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_scale_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_matches_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_page_rendered_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_previous_cb);

  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit-width", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit-page", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "viewer.find-next", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "viewer.find-previous", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "viewer.cancel-download", NULL, cancel_download_action);
  gtk_widget_class_install_action (widget_class, "viewer.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "viewer.save-copy", NULL, save_copy_action);
  gtk_widget_class_install_action (widget_class, "viewer.open-external", NULL, open_external_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "viewer.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "viewer.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "viewer.zoom-fit-width", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "viewer.zoom-fit-width", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "viewer.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "viewer.find-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F3, 0, "viewer.find-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "viewer.find-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F3, GDK_SHIFT_MASK, "viewer.find-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "viewer.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "viewer.save-copy", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabpdfviewer");
}

static void
cab_pdf_viewer_init (CabPdfViewer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (search_mode_changed_cb), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  view_scale_changed_cb (self);
  update_actions (self);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

CabPdfViewer *
cab_pdf_viewer_new (void)
{
  return g_object_new (CAB_TYPE_PDF_VIEWER, NULL);
}

/**
 * cab_pdf_viewer_load_file:
 * @self: a viewer
 * @file: a local PDF file
 *
 * Opens @file on a worker thread. #CabPdfViewer::loaded says when it shows;
 * a damaged or protected file ends in %CAB_PDF_VIEWER_ERROR with a message.
 */
void
cab_pdf_viewer_load_file (CabPdfViewer *self,
                          GFile        *file)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));
  g_return_if_fail (G_IS_FILE (file));

  reset (self);
  self->file = g_object_ref (file);
  self->cancellable = g_cancellable_new ();
  set_state (self, CAB_PDF_VIEWER_LOADING);

  cab_pdf_document_load_async (file, self->cancellable, load_cb, g_object_ref (self));
}

/**
 * cab_pdf_viewer_show_download:
 * @self: a viewer
 * @fraction: how much is fetched, 0 to 1, or negative when unknown
 *
 * Shows download progress and a cancel button (#CabPdfViewer::cancel) while
 * the caller fetches the file, which it then passes to
 * cab_pdf_viewer_load_file().
 */
void
cab_pdf_viewer_show_download (CabPdfViewer *self,
                              double        fraction)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));

  if (self->state != CAB_PDF_VIEWER_DOWNLOADING)
    reset (self);

  set_state (self, CAB_PDF_VIEWER_DOWNLOADING);

  if (fraction < 0)
    {
      if (self->pulse_id == 0)
        self->pulse_id = g_timeout_add (100, pulse_cb, self);
    }
  else
    {
      g_clear_handle_id (&self->pulse_id, g_source_remove);
      gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
    }
}

/**
 * cab_pdf_viewer_show_unavailable:
 * @self: a viewer
 * @message: (nullable): why, or %NULL for the offline message
 *
 * Says the report cannot be shown now, typically because it is not
 * downloaded yet and the network is down.
 */
void
cab_pdf_viewer_show_unavailable (CabPdfViewer *self,
                                 const char   *message)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));

  reset (self);
  adw_status_page_set_description (self->unavailable_page,
                                   message ? message
                                           : _("This report will be available once the connection is back."));
  set_state (self, CAB_PDF_VIEWER_UNAVAILABLE);
}

void
cab_pdf_viewer_clear (CabPdfViewer *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));

  reset (self);
  set_state (self, CAB_PDF_VIEWER_EMPTY);
}

/* The file name offered by "Save a Copy" and used as the print job name. */
void
cab_pdf_viewer_set_suggested_name (CabPdfViewer *self,
                                   const char   *name)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));

  g_free (self->suggested_name);
  self->suggested_name = g_strdup (name);
}

CabPdfViewerState
cab_pdf_viewer_get_state (CabPdfViewer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEWER (self), CAB_PDF_VIEWER_EMPTY);
  return self->state;
}

/* Returns: (nullable): why the last load failed */
const GError *
cab_pdf_viewer_get_error (CabPdfViewer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEWER (self), NULL);
  return self->error;
}

guint
cab_pdf_viewer_get_n_pages (CabPdfViewer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEWER (self), 0);
  return self->document ? cab_pdf_document_get_n_pages (self->document) : 0;
}

CabPdfDocument *
cab_pdf_viewer_get_document (CabPdfViewer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEWER (self), NULL);
  return self->document;
}

CabPdfView *
cab_pdf_viewer_get_view (CabPdfViewer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEWER (self), NULL);
  return self->view;
}

/* Opens the find bar with @text, as if typed. */
void
cab_pdf_viewer_find (CabPdfViewer *self,
                     const char   *text)
{
  g_return_if_fail (CAB_IS_PDF_VIEWER (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* Not waiting for the entry's search delay. */
  search_changed_cb (self);
}
