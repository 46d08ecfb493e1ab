/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-document"

#include "config.h"

#include "cab-pdf-document.h"
#include "cab-pdf-private.h"

typedef struct {
  double width;
  double height;
} PageSize;

struct _CabPdfDocument
{
  GObject          parent_instance;

  GMutex           mutex;
  PopplerDocument *poppler;
  GFile           *file;
  GArray          *sizes;       /* PageSize, read-only after load */
  double           max_width;
  double           max_height;
};

G_DEFINE_TYPE (CabPdfDocument, cab_pdf_document, G_TYPE_OBJECT)

G_DEFINE_QUARK (cab-pdf-error-quark, cab_pdf_error)

static void
cab_pdf_document_finalize (GObject *object)
{
  CabPdfDocument *self = (CabPdfDocument *)object;

  g_clear_object (&self->poppler);
  g_clear_object (&self->file);
  g_clear_pointer (&self->sizes, g_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (cab_pdf_document_parent_class)->finalize (object);
}

static void
cab_pdf_document_class_init (CabPdfDocumentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_pdf_document_finalize;
}

static void
cab_pdf_document_init (CabPdfDocument *self)
{
  g_mutex_init (&self->mutex);
  self->sizes = g_array_new (FALSE, TRUE, sizeof (PageSize));
}

/* Poppler's own messages say "damaged" in many ways; the UI only needs to
 * know whether the file is missing, damaged or wants a password. */
static GError *
translate_error (const GError *error)
{
  if (g_error_matches (error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
    return g_error_new_literal (CAB_PDF_ERROR, CAB_PDF_ERROR_ENCRYPTED,
                                "The document is protected by a password");
  if (error != NULL && (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR))
    return g_error_copy (error);
  return g_error_new_literal (CAB_PDF_ERROR, CAB_PDF_ERROR_DAMAGED,
                              "The document is damaged");
}

CabPdfDocument *
cab_pdf_document_load (GFile         *file,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(CabPdfDocument) self = NULL;
  g_autoptr(PopplerDocument) poppler = NULL;
  g_autoptr(GError) local_error = NULL;
  int n_pages;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  poppler = poppler_document_new_from_gfile (file, NULL, cancellable, &local_error);
  if (poppler == NULL)
    {
      g_propagate_error (error, translate_error (local_error));
      return NULL;
    }

  n_pages = poppler_document_get_n_pages (poppler);
  if (n_pages <= 0)
    {
      g_set_error_literal (error, CAB_PDF_ERROR, CAB_PDF_ERROR_DAMAGED,
                           "The document has no pages");
      return NULL;
    }

  self = g_object_new (CAB_TYPE_PDF_DOCUMENT, NULL);
  self->file = g_object_ref (file);
  g_array_set_size (self->sizes, n_pages);

  /* Sizes are known up front so the view can lay out placeholders for every
   * page before anything is rendered. */
  for (int i = 0; i < n_pages; i++)
    {
      g_autoptr(PopplerPage) page = poppler_document_get_page (poppler, i);
      PageSize *size = &g_array_index (self->sizes, PageSize, i);

      if (page != NULL)
        poppler_page_get_size (page, &size->width, &size->height);
      if (size->width < 1 || size->height < 1)
        {
          /* A broken page keeps an A4 slot rather than a zero-height one. */
          size->width = 595;
          size->height = 842;
        }
      self->max_width = MAX (self->max_width, size->width);
      self->max_height = MAX (self->max_height, size->height);
    }

  self->poppler = g_steal_pointer (&poppler);
  return g_steal_pointer (&self);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CabPdfDocument *doc = cab_pdf_document_load (task_data, cancellable, &error);

  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, g_object_unref);
}

/**
 * cab_pdf_document_load_async:
 * @file: a PDF file
 *
 * Opens @file on a worker thread and reads every page size.
 */
void
cab_pdf_document_load_async (GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_pdf_document_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

CabPdfDocument *
cab_pdf_document_load_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GFile *
cab_pdf_document_get_file (CabPdfDocument *self)
{
  g_return_val_if_fail (CAB_IS_PDF_DOCUMENT (self), NULL);
  return self->file;
}

guint
cab_pdf_document_get_n_pages (CabPdfDocument *self)
{
  g_return_val_if_fail (CAB_IS_PDF_DOCUMENT (self), 0);
  return self->sizes->len;
}

void
cab_pdf_document_get_page_size (CabPdfDocument *self,
                                guint           page,
                                double         *width,
                                double         *height)
{
  const PageSize *size;

  g_return_if_fail (CAB_IS_PDF_DOCUMENT (self));
  g_return_if_fail (page < self->sizes->len);

  size = &g_array_index (self->sizes, PageSize, page);
  if (width)
    *width = size->width;
  if (height)
    *height = size->height;
}

void
cab_pdf_document_get_max_size (CabPdfDocument *self,
                               double         *width,
                               double         *height)
{
  g_return_if_fail (CAB_IS_PDF_DOCUMENT (self));

  if (width)
    *width = self->max_width;
  if (height)
    *height = self->max_height;
}

void
cab_pdf_document_lock (CabPdfDocument *self)
{
  g_return_if_fail (CAB_IS_PDF_DOCUMENT (self));
  g_mutex_lock (&self->mutex);
}

void
cab_pdf_document_unlock (CabPdfDocument *self)
{
  g_return_if_fail (CAB_IS_PDF_DOCUMENT (self));
  g_mutex_unlock (&self->mutex);
}

PopplerDocument *
cab_pdf_document_get_poppler (CabPdfDocument *self)
{
  g_return_val_if_fail (CAB_IS_PDF_DOCUMENT (self), NULL);
  return self->poppler;
}
