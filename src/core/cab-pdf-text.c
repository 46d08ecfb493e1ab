/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-text"

#include <poppler.h>

#include "cab-pdf-text.h"

/* poppler-glib builds its GlobalParams (encodings, Unicode maps, font
 * directories scanned) when the first document of the process opens and
 * frees them when the last one closes: a sync reading one PDF at a time
 * paid that for every PDF (a third of the indexing pass's time under perf,
 * docs/architecture.md "The indexing pass"). One blank one-page document,
 * opened once and never closed, keeps them for the process. */
static void
keep_global_params (void)
{
  static const char blank[] =
    "%PDF-1.4\n"
    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1 1] >>\nendobj\n"
    "xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n182\n%%EOF\n";
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (blank, sizeof blank - 1);
      /* Held on purpose until the process ends. */
      static PopplerDocument *kept;

      kept = poppler_document_new_from_bytes (bytes, NULL, NULL);
      g_warn_if_fail (kept != NULL);
      g_once_init_leave (&done, 1);
    }
}

char *
cab_pdf_text_extract (const char    *path,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GFile) file = NULL;
  /* poppler 22.12 declares no autoptr cleanups: GObject's does the job. */
  g_autoptr(GObject) document = NULL;
  g_autoptr(GString) text = NULL;
  int n_pages;

  g_return_val_if_fail (path != NULL, NULL);

  keep_global_params ();
  file = g_file_new_for_path (path);
  document = (GObject *) poppler_document_new_from_gfile (file, NULL, cancellable, error);
  if (document == NULL)
    return NULL;

  text = g_string_new (NULL);
  n_pages = poppler_document_get_n_pages (POPPLER_DOCUMENT (document));
  for (int i = 0; i < n_pages; i++)
    {
      g_autoptr(GObject) page = NULL;
      g_autofree char *page_text = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      page = (GObject *) poppler_document_get_page (POPPLER_DOCUMENT (document), i);
      if (page == NULL)
        continue;
      page_text = poppler_page_get_text (POPPLER_PAGE (page));
      if (i > 0)
        g_string_append_c (text, '\f');
      if (page_text != NULL)
        g_string_append (text, page_text);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
cab_pdf_text_extract_bytes (GBytes    *pdf,
                            guint      max_pages,
                            gsize      max_chars,
                            gboolean  *truncated,
                            GError   **error)
{
  g_autoptr(GObject) document = NULL;
  g_autoptr(GString) text = NULL;
  int n_pages;

  g_return_val_if_fail (pdf != NULL, NULL);

  *truncated = FALSE;
  keep_global_params ();
  document = (GObject *) poppler_document_new_from_bytes (pdf, NULL, error);
  if (document == NULL)
    return NULL;
  text = g_string_new (NULL);
  n_pages = poppler_document_get_n_pages (POPPLER_DOCUMENT (document));
  if (n_pages < 0 || (guint) n_pages > max_pages)
    {
      *truncated = n_pages > 0;
      n_pages = MAX (0, MIN (n_pages, (int) max_pages));
    }
  for (int i = 0; i < n_pages && text->len < max_chars; i++)
    {
      g_autoptr(GObject) page = (GObject *) poppler_document_get_page (POPPLER_DOCUMENT (document), i);
      g_autofree char *page_text = NULL;

      if (page == NULL)
        continue;
      page_text = poppler_page_get_text (POPPLER_PAGE (page));
      if (i > 0)
        g_string_append_c (text, '\f');
      if (page_text != NULL)
        g_string_append (text, page_text);
    }
  if (text->len > max_chars)
    {
      /* Cut on a character boundary. */
      const char *end = g_utf8_find_prev_char (text->str, text->str + max_chars + 1);

      g_string_truncate (text, end != NULL ? (gsize) (end - text->str) : 0);
      *truncated = TRUE;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
extract_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  char *text = cab_pdf_text_extract (task_data, cancellable, &error);

  if (text == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, text, g_free);
}

void
cab_pdf_text_extract_async (const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_pdf_text_extract_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, extract_thread);
}

char *
cab_pdf_text_extract_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
