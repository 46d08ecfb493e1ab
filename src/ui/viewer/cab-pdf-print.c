/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-print"

#include "config.h"

#include "cab-pdf-print.h"
#include "cab-pdf-private.h"

typedef struct {
  CabPdfDocument    *document;
  GtkPrintOperation *operation;
  GtkPrintContext   *context;
  int                page;
} DrawData;

static void
draw_data_free (DrawData *data)
{
  g_clear_object (&data->document);
  g_clear_object (&data->operation);
  g_clear_object (&data->context);
  g_free (data);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */

static void
draw_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  DrawData *data = task_data;
  cairo_t *cr = gtk_print_context_get_cairo_context (data->context);
  double width = gtk_print_context_get_width (data->context);
  double height = gtk_print_context_get_height (data->context);
  double page_w, page_h, scale;

  cab_pdf_document_get_page_size (data->document, data->page, &page_w, &page_h);
  /* Fit the page in the printable area, centred, never enlarged. */
  scale = MIN (1.0, MIN (width / page_w, height / page_h));

  cairo_save (cr);
  cairo_translate (cr, (width - page_w * scale) / 2, (height - page_h * scale) / 2);
  cairo_scale (cr, scale, scale);

  cab_pdf_document_lock (data->document);
  {
    g_autoptr(PopplerPage) ppage = NULL;

    ppage = poppler_document_get_page (cab_pdf_document_get_poppler (data->document), data->page);
    if (ppage != NULL)
      poppler_page_render_for_printing (ppage, cr);
    g_clear_object (&ppage);
  }
  cab_pdf_document_unlock (data->document);

  cairo_restore (cr);
  g_task_return_boolean (task, TRUE);
}

static void
draw_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  DrawData *data = g_task_get_task_data (G_TASK (result));

  gtk_print_operation_draw_page_finish (data->operation);
}

/* Deferred drawing: the print operation waits while a worker draws the page
 * into its cairo context, so the main thread keeps drawing frames. */
static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              GTask             *print_task)
{
  g_autoptr(GTask) task = NULL;
  DrawData *data;

  gtk_print_operation_set_defer_drawing (operation);

  data = g_new0 (DrawData, 1);
  data->document = g_object_ref (g_task_get_task_data (print_task));
  data->operation = g_object_ref (operation);
  data->context = g_object_ref (context);
  data->page = page;

  task = g_task_new (NULL, NULL, draw_done_cb, NULL);
  g_task_set_source_tag (task, draw_page_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) draw_data_free);
  g_task_run_in_thread (task, draw_thread);
}

static void
done_cb (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GTask                   *task)
{
  GError *error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      g_task_return_error (task, error != NULL ? error :
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Printing failed"));
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Printing cancelled");
  else
    g_task_return_boolean (task, TRUE);

  g_signal_handlers_disconnect_by_data (operation, task);
  g_object_unref (task);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

void
cab_pdf_print_async (CabPdfDocument      *document,
                     GtkWindow           *parent,
                     const char          *job_name,
                     const char          *export_filename,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;

  g_return_if_fail (CAB_IS_PDF_DOCUMENT (document));
  g_return_if_fail (!parent || GTK_IS_WINDOW (parent));

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, cab_pdf_print_async);
  g_task_set_task_data (task, g_object_ref (document), g_object_unref);

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_n_pages (operation, cab_pdf_document_get_n_pages (document));
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  if (job_name != NULL)
    gtk_print_operation_set_job_name (operation, job_name);
  if (export_filename != NULL)
    gtk_print_operation_set_export_filename (operation, export_filename);

  /* The task holds itself until "done"; the handlers are disconnected there. */
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), task);
  g_signal_connect (operation, "done", G_CALLBACK (done_cb), g_object_ref (task));

  result = gtk_print_operation_run (operation,
                                    export_filename != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                            : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    parent, &error);
  /* When "done" did not run, its handler (and the reference it held) is
   * still there. */
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR &&
      g_signal_handler_find (operation, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA,
                             0, 0, NULL, done_cb, task) != 0)
    {
      g_signal_handlers_disconnect_by_data (operation, task);
      g_object_unref (task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

gboolean
cab_pdf_print_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
