/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-pane"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cab-document-cache.h"
#include "cab-document-kind.h"
#include "cab-document-pane.h"
#include "cab-imaging-link.h"
#include "patients/cab-patient-format.h"

struct _CabDocumentPane
{
  GtkWidget       parent_instance;

  CabSession     *session;
  char           *link_template;
  char           *document_id;
  char           *images_uri;
  GCancellable   *cancellable;      /* the row, then the download */
  gboolean        busy;

  GtkWidget      *stack;
  GtkWidget      *back_button;
  GtkLabel       *title_label;
  GtkLabel       *byline_label;
  GtkWidget      *images_button;
  GtkPaned       *paned;
  CabPdfViewer   *viewer;
  CabLabTable    *lab_table;
};

G_DEFINE_FINAL_TYPE (CabDocumentPane, cab_document_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the worker thread reads for one document. */
typedef struct
{
  CabStore       *store;
  char           *document_id;
  CabDocumentRow *row;
  CabPatientRow  *patient;        /* for the image link */
  char           *local_path;     /* cached copy still on disk */
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_object (&loaded->store);
  g_free (loaded->document_id);
  g_clear_pointer (&loaded->row, cab_document_row_free);
  g_clear_pointer (&loaded->patient, cab_patient_row_free);
  g_free (loaded->local_path);
  g_free (loaded);
}

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static void
set_busy (CabDocumentPane *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
has_images (const CabDocumentRow *row)
{
  const CabDocument *d = &row->document;

  return d->study_uid != NULL &&
         (row->kos_id != NULL || d->is_kos ||
          cab_document_kind_classify (d) == CAB_DOCUMENT_KIND_IMAGING);
}

static gboolean
is_online (CabDocumentPane *self)
{
  return self->session != NULL &&
         cab_session_get_client (self->session) != NULL &&
         cab_session_get_status (self->session) == CAB_SESSION_STATUS_READY &&
         cab_session_get_sync_state (self->session) != CAB_SYNC_STATE_OFFLINE;
}

static gboolean
is_network_error (const GError *error)
{
  return g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_NETWORK) ||
         error->domain == G_RESOLVER_ERROR ||
         (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_CANCELLED &&
          error->code != G_IO_ERROR_PERMISSION_DENIED && error->code != G_IO_ERROR_NO_SPACE);
}

static void
show_offline (CabDocumentPane *self)
{
  cab_pdf_viewer_show_unavailable (self->viewer,
                                   _("This report will be available once back online."));
}

static void
load_local (CabDocumentPane *self,
            const char      *path,
            const char      *title)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  cab_pdf_viewer_load_file (self->viewer, file);
  /* Right after load_file: it resets the viewer's find state. */
  if (title != NULL)
    {
      g_autofree char *name = g_strconcat (title, ".pdf", NULL);

      g_strdelimit (name, "/\\:", '-');
      cab_pdf_viewer_set_suggested_name (self->viewer, name);
    }
}

/* ---------------------------------------------------------------------- */
/* download                                                               */

static void
download_progress_cb (goffset  received,
                      goffset  total,
                      gpointer user_data)
{
  CabDocumentPane *self = user_data;

  cab_pdf_viewer_show_download (self->viewer, total > 0 ? (double) received / total : -1);
}

typedef struct
{
  CabDocumentPane *self;      /* strong */
  char            *title;
} FetchContext;

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchContext *ctx = user_data;
  CabDocumentPane *self = ctx->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = cab_document_cache_fetch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;  /* a newer document, or the cancel button: they said what to show */
  else
    {
      set_busy (self, FALSE);
      if (path != NULL)
        load_local (self, path, ctx->title);
      else if (g_error_matches (error, CAB_FHIR_ERROR, CAB_FHIR_ERROR_HASH_MISMATCH))
        cab_pdf_viewer_show_unavailable (self->viewer,
                                         _("The downloaded report does not match the one in the health space, so it was not kept. Try again later."));
      else if (is_network_error (error))
        show_offline (self);
      else
        {
          g_autofree char *message = g_strdup_printf (_("The report could not be downloaded: %s"),
                                                      error->message);
          cab_pdf_viewer_show_unavailable (self->viewer, message);
        }
    }

  g_object_unref (ctx->self);
  g_free (ctx->title);
  g_free (ctx);
}

static void
start_download (CabDocumentPane      *self,
                const CabDocumentRow *row,
                const char           *title)
{
  g_autofree char *data_dir = cab_session_dup_data_dir (self->session);
  FetchContext *ctx = g_new0 (FetchContext, 1);

  ctx->self = g_object_ref (self);
  ctx->title = g_strdup (title);

  set_busy (self, TRUE);
  cab_pdf_viewer_show_download (self->viewer, 0);
  /* @self outlives the download: the context holds it. */
  cab_document_cache_fetch_async (cab_session_get_client (self->session),
                                  cab_session_get_store (self->session),
                                  data_dir, row,
                                  download_progress_cb, self,
                                  self->cancellable, fetch_cb, ctx);
}

static void
viewer_cancel_cb (CabDocumentPane *self,
                  CabPdfViewer    *viewer)
{
  if (!self->busy)
    return;

  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  cab_pdf_viewer_show_unavailable (self->viewer,
                                   _("The download was cancelled. Open the report again to retry."));
}

/* ---------------------------------------------------------------------- */
/* reading the row, on a worker thread                                    */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Loaded *loaded = task_data;
  GError *error = NULL;

  loaded->row = cab_store_get_document (loaded->store, loaded->document_id, &error);
  if (loaded->row == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND, "No such document");
      g_task_return_error (task, error);
      return;
    }

  /* Principle 5: each access to a record is traced. */
  if (!cab_store_audit (loaded->store, "document-read", "DocumentReference", loaded->document_id, &error))
    {
      g_warning ("Cannot trace a document access: %s", error->message);
      g_clear_error (&error);
    }

  loaded->local_path = cab_document_cache_lookup (loaded->row);

  if (has_images (loaded->row) && loaded->row->patient_id != NULL)
    {
      loaded->patient = cab_store_get_patient (loaded->store, loaded->row->patient_id, &error);
      g_clear_error (&error);
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CabDocumentPane *self = CAB_DOCUMENT_PANE (object);
  Loaded *loaded = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  const CabDocumentRow *row;
  const CabDocument *d;
  g_autofree char *date = NULL;
  g_autofree char *byline = NULL;
  const char *title;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      cab_pdf_viewer_show_unavailable (self->viewer, _("This document is no longer in the local store."));
      return;
    }

  row = loaded->row;
  d = &row->document;
  title = d->title != NULL ? d->title : d->type_display;

  gtk_label_set_text (self->title_label, title != NULL ? title : _("Document"));
  date = cab_format_date (row->sort_date != NULL ? row->sort_date : d->date);
  {
    const char *parts[4] = { NULL };
    guint n = 0;

    if (date != NULL)
      parts[n++] = date;
    if (d->author_display != NULL)
      parts[n++] = d->author_display;
    if (d->custodian_display != NULL)
      parts[n++] = d->custodian_display;
    byline = g_strjoinv (" · ", (char **) parts);
  }
  gtk_label_set_text (self->byline_label, byline);

  g_clear_pointer (&self->images_uri, g_free);
  if (has_images (row))
    self->images_uri = cab_imaging_link_build (self->link_template, d->study_uid,
                                               loaded->patient != NULL ? &loaded->patient->patient : NULL);
  gtk_widget_set_visible (self->images_button, self->images_uri != NULL);

  if (cab_document_kind_classify (d) == CAB_DOCUMENT_KIND_LAB)
    cab_lab_table_load (self->lab_table, cab_session_get_store (self->session), row->id);

  if (loaded->local_path != NULL)
    {
      set_busy (self, FALSE);
      load_local (self, loaded->local_path, title);
    }
  else if (d->url == NULL || (d->content_type != NULL && g_strcmp0 (d->content_type, "application/pdf") != 0))
    {
      set_busy (self, FALSE);
      cab_pdf_viewer_show_unavailable (self->viewer,
                                       d->is_kos ? _("This entry lists the images of the study: open them with “View images”.")
                                                 : _("This document is not a PDF report and cannot be shown here."));
    }
  else if (is_online (self))
    start_download (self, row, title);
  else
    {
      set_busy (self, FALSE);
      show_offline (self);
    }
}

static void
lab_loaded_cb (CabDocumentPane *self,
               CabLabTable     *table)
{
  gtk_widget_set_visible (GTK_WIDGET (table), cab_lab_table_get_n_results (table, NULL) > 0);
}

static void
images_clicked_cb (CabDocumentPane *self,
                   GtkButton       *button)
{
  if (self->images_uri == NULL)
    return;

  /* The window opens links (and tests intercept them there). */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.open-uri", "s", self->images_uri))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->images_uri, GDK_CURRENT_TIME);
    }
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_document_pane_dispose (GObject *object)
{
  CabDocumentPane *self = CAB_DOCUMENT_PANE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cab_document_pane_parent_class)->dispose (object);
}

static void
cab_document_pane_finalize (GObject *object)
{
  CabDocumentPane *self = CAB_DOCUMENT_PANE (object);

  g_free (self->link_template);
  g_free (self->document_id);
  g_free (self->images_uri);

  G_OBJECT_CLASS (cab_document_pane_parent_class)->finalize (object);
}

static void
cab_document_pane_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CabDocumentPane *self = CAB_DOCUMENT_PANE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_document_pane_class_init (CabDocumentPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_document_pane_dispose;
  object_class->finalize = cab_document_pane_finalize;
  object_class->get_property = cab_document_pane_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabdocumentpane");
}

static void
cab_document_pane_init (CabDocumentPane *self)
{
  GtkWidget *placeholder;
  GtkWidget *box;
  GtkWidget *bar;
  GtkWidget *titles;

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  placeholder = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (placeholder), "x-office-document-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("No Document Open"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Choose a document in the timeline to read it here."));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_widget_add_css_class (placeholder, "cab-document-placeholder");
  gtk_stack_add_named (GTK_STACK (self->stack), placeholder, "empty");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_stack_add_named (GTK_STACK (self->stack), box, "document");

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (bar, "cab-document-bar");
  gtk_box_append (GTK_BOX (box), bar);

  self->back_button = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_valign (self->back_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->back_button, _("Back to the timeline"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->back_button), "patient.show-timeline");
  gtk_widget_add_css_class (self->back_button, "flat");
  gtk_widget_set_visible (self->back_button, FALSE);
  gtk_box_append (GTK_BOX (bar), self->back_button);

  titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_widget_set_valign (titles, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (bar), titles);

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->title_label));

  self->byline_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->byline_label, 0);
  gtk_label_set_ellipsize (self->byline_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->byline_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->byline_label), "dim-label");
  gtk_box_append (GTK_BOX (titles), GTK_WIDGET (self->byline_label));

  self->images_button = gtk_button_new_with_mnemonic (_("View _Images"));
  gtk_widget_set_valign (self->images_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->images_button,
                               _("Open the study in the imaging network’s viewer, in the web browser"));
  gtk_widget_add_css_class (self->images_button, "suggested-action");
  gtk_widget_add_css_class (self->images_button, "pill");
  gtk_widget_set_visible (self->images_button, FALSE);
  g_signal_connect_object (self->images_button, "clicked",
                           G_CALLBACK (images_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (bar), self->images_button);

  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  self->paned = GTK_PANED (gtk_paned_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_widget_set_vexpand (GTK_WIDGET (self->paned), TRUE);
  gtk_paned_set_shrink_start_child (self->paned, FALSE);
  gtk_paned_set_shrink_end_child (self->paned, FALSE);
  gtk_paned_set_resize_end_child (self->paned, FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->paned));

  self->viewer = cab_pdf_viewer_new ();
  gtk_widget_set_size_request (GTK_WIDGET (self->viewer), 280, -1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->viewer), TRUE);
  gtk_paned_set_start_child (self->paned, GTK_WIDGET (self->viewer));
  g_signal_connect_object (self->viewer, "cancel",
                           G_CALLBACK (viewer_cancel_cb), self, G_CONNECT_SWAPPED);

  self->lab_table = CAB_LAB_TABLE (cab_lab_table_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->lab_table), 420, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->lab_table), FALSE);
  gtk_paned_set_end_child (self->paned, GTK_WIDGET (self->lab_table));
  g_signal_connect_object (self->lab_table, "loaded",
                           G_CALLBACK (lab_loaded_cb), self, G_CONNECT_SWAPPED);

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_document_pane_new (void)
{
  return g_object_new (CAB_TYPE_DOCUMENT_PANE, NULL);
}

void
cab_document_pane_set_session (CabDocumentPane *self,
                               CabSession      *session)
{
  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));

  g_set_object (&self->session, session);
}

void
cab_document_pane_set_image_link_template (CabDocumentPane *self,
                                           const char      *template_)
{
  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));

  g_free (self->link_template);
  self->link_template = g_strdup (template_);
}

void
cab_document_pane_clear (CabDocumentPane *self)
{
  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->document_id, g_free);
  g_clear_pointer (&self->images_uri, g_free);
  set_busy (self, FALSE);
  cab_pdf_viewer_clear (self->viewer);
  cab_lab_table_clear (self->lab_table);
  gtk_widget_set_visible (GTK_WIDGET (self->lab_table), FALSE);
  gtk_widget_set_visible (self->images_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

void
cab_document_pane_show_document (CabDocumentPane *self,
                                 const char      *document_id)
{
  g_autoptr(GTask) task = NULL;
  CabStore *store;
  Loaded *loaded;

  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));
  g_return_if_fail (document_id != NULL);
  g_return_if_fail (self->session != NULL);

  store = cab_session_get_store (self->session);
  g_return_if_fail (store != NULL);

  cab_document_pane_clear (self);
  self->document_id = g_strdup (document_id);
  self->cancellable = g_cancellable_new ();
  gtk_label_set_text (self->title_label, "");
  gtk_label_set_text (self->byline_label, "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "document");
  set_busy (self, TRUE);

  loaded = g_new0 (Loaded, 1);
  loaded->store = g_object_ref (store);
  loaded->document_id = g_strdup (document_id);

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, cab_document_pane_show_document);
  g_task_set_task_data (task, loaded, (GDestroyNotify) loaded_free);
  g_task_run_in_thread (task, load_thread);
}

void
cab_document_pane_set_show_back (CabDocumentPane *self,
                                 gboolean         show_back)
{
  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));

  gtk_widget_set_visible (self->back_button, show_back);
}

const char *
cab_document_pane_get_document_id (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), NULL);

  return self->document_id;
}

gboolean
cab_document_pane_get_busy (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), FALSE);

  return self->busy;
}

const char *
cab_document_pane_get_images_uri (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), NULL);

  return self->images_uri;
}

gboolean
cab_document_pane_get_shows_results (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->lab_table));
}

CabPdfViewer *
cab_document_pane_get_viewer (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), NULL);

  return self->viewer;
}

CabLabTable *
cab_document_pane_get_lab_table (CabDocumentPane *self)
{
  g_return_val_if_fail (CAB_IS_DOCUMENT_PANE (self), NULL);

  return self->lab_table;
}
