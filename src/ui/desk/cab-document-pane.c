/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-document-pane"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cab-document-cache.h"
#include "cab-document-kind.h"
#include "cab-document-pane.h"
#include "cab-document-queries.h"
#include "cab-imaging-link.h"
#include "cab-query.h"
#include "patients/cab-patient-format.h"

struct _CabDocumentPane
{
  GtkWidget       parent_instance;

  CabSession     *session;
  char           *link_template;
  char           *document_id;
  CabPrefetch    *held_by;          /* keeps the document shown from eviction */
  char           *images_uri;
  GCancellable   *cancellable;      /* the read, then the download (a query slot) */
  gboolean        busy;

  GtkWidget      *stack;
  GtkWidget      *back_button;
  GtkLabel       *title_label;
  GtkLabel       *byline_label;
  GtkWidget      *images_button;
  GtkWidget      *send_button;
  GtkPaned       *paned;
  CabPdfViewer   *viewer;
  CabLabTable    *lab_table;
};

G_DEFINE_FINAL_TYPE (CabDocumentPane, cab_document_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SHOW_BACK,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* Never evicted while on screen (cab-prefetch.h). */
static void
hold_document (CabDocumentPane *self,
               const char      *document_id)
{
  CabPrefetch *prefetch = self->session != NULL ? cab_session_get_prefetch (self->session) : NULL;

  if (self->held_by != NULL && self->document_id != NULL)
    cab_prefetch_release (self->held_by, self->document_id);
  g_clear_object (&self->held_by);
  if (prefetch != NULL && document_id != NULL)
    {
      self->held_by = g_object_ref (prefetch);
      cab_prefetch_hold (prefetch, document_id);
    }
}

static void
show_offline (CabDocumentPane *self)
{
  CabPrefetch *prefetch = self->session != NULL ? cab_session_get_prefetch (self->session) : NULL;
  int position = -1;

  if (prefetch != NULL && self->document_id != NULL)
    position = cab_prefetch_get_queue_position (prefetch, self->document_id);

  if (position < 0)
    cab_pdf_viewer_show_unavailable (self->viewer,
                                     _("This report will be available once back online."));
  else if (position == 0)
    cab_pdf_viewer_show_unavailable (self->viewer,
                                     _("This report is next in the queue for offline use. It will open here once downloaded, as soon as the health space is reachable."));
  else
    {
      g_autofree char *message =
        g_strdup_printf (ngettext ("This report is queued for offline use, after %d other document. It will open here once downloaded, as soon as the health space is reachable.",
                                   "This report is queued for offline use, after %d other documents. It will open here once downloaded, as soon as the health space is reachable.",
                                   position),
                         position);

      cab_pdf_viewer_show_unavailable (self->viewer, message);
    }
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

  if (g_async_result_is_tagged (result, cab_prefetch_fetch_async))
    path = cab_prefetch_fetch_finish (CAB_PREFETCH (object), result, &error);
  else
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
  /* @self outlives the download: the context holds it. Through the
   * prefetch when there is one: ahead of its queue, never twice. */
  if (cab_session_get_prefetch (self->session) != NULL)
    cab_prefetch_fetch_async (cab_session_get_prefetch (self->session), row,
                              download_progress_cb, self,
                              self->cancellable, fetch_cb, ctx);
  else
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
/* reading the document (core's query, which traces the access)           */

/* A read superseded by another document, cancelled by the viewer, or still
 * running when the pane was disposed finishes cancelled: @user_data is
 * only used after that check. */
static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CabDocumentPane *self;
  g_autoptr(CabDocumentRead) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const CabDocumentRow *row;
  const CabDocument *d;
  g_autofree char *date = NULL;
  g_autofree char *byline = NULL;
  const char *title;

  loaded = cab_document_query_read_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = CAB_DOCUMENT_PANE (user_data);
  if (loaded == NULL)
    {
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
  gtk_widget_set_visible (self->send_button, TRUE);

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

  cab_query_cancel (&self->cancellable);
  hold_document (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_DOCUMENT_PANE);
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
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SHOW_BACK:
      g_value_set_boolean (value, gtk_widget_get_visible (self->back_button));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_document_pane_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CabDocumentPane *self = CAB_DOCUMENT_PANE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_document_pane_set_session (self, g_value_get_object (value));
      break;
    case PROP_SHOW_BACK:
      cab_document_pane_set_show_back (self, g_value_get_boolean (value));
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
  object_class->set_property = cab_document_pane_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_BACK] =
    g_param_spec_boolean ("show-back", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  g_type_ensure (CAB_TYPE_PDF_VIEWER);
  g_type_ensure (CAB_TYPE_LAB_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/desk/cab-document-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, stack);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, byline_label);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, images_button);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, send_button);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, paned);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, viewer);
  gtk_widget_class_bind_template_child (widget_class, CabDocumentPane, lab_table);
  gtk_widget_class_bind_template_callback (widget_class, images_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, viewer_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, lab_loaded_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cabdocumentpane");
}

static void
cab_document_pane_init (CabDocumentPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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

  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
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

  cab_query_cancel (&self->cancellable);
  hold_document (self, NULL);
  g_clear_pointer (&self->document_id, g_free);
  g_clear_pointer (&self->images_uri, g_free);
  set_busy (self, FALSE);
  cab_pdf_viewer_clear (self->viewer);
  cab_lab_table_clear (self->lab_table);
  gtk_widget_set_visible (GTK_WIDGET (self->lab_table), FALSE);
  gtk_widget_set_visible (self->images_button, FALSE);
  gtk_widget_set_visible (self->send_button, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

void
cab_document_pane_show_document (CabDocumentPane *self,
                                 const char      *document_id)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));
  g_return_if_fail (document_id != NULL);
  g_return_if_fail (self->session != NULL);

  store = cab_session_get_store (self->session);
  g_return_if_fail (store != NULL);

  cab_document_pane_clear (self);
  hold_document (self, document_id);
  self->document_id = g_strdup (document_id);
  gtk_label_set_text (self->title_label, "");
  gtk_label_set_text (self->byline_label, "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "document");
  set_busy (self, TRUE);

  /* The query traces the access (CAB_AUDIT_DOCUMENT_READ) as it reads. */
  cab_document_query_read_async (store, document_id, cab_query_supersede (&self->cancellable),
                                 load_cb, self);
}

void
cab_document_pane_set_show_back (CabDocumentPane *self,
                                 gboolean         show_back)
{
  g_return_if_fail (CAB_IS_DOCUMENT_PANE (self));

  show_back = !!show_back;
  if (gtk_widget_get_visible (self->back_button) == show_back)
    return;
  gtk_widget_set_visible (self->back_button, show_back);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_BACK]);
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
