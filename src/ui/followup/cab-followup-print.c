/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup-print"

#include "config.h"

#include <glib/gi18n.h>

#include "patients/cab-patient-format.h"
#include "cab-followup-items.h"
#include "cab-followup-print.h"
#include "cab-followup-row.h"
#include "cab-followup-state.h"

/* Points (1/72 inch) on the page. */
#define BOX_SIZE    10.0
#define ROW_GAP      8.0
#define HEADER_GAP  14.0

/* A round longer than this is not a round: the dialog says so rather than
 * printing hundreds of pages. */
#define MAX_LINES 2000

typedef struct
{
  char *name;        /* "DUPONT Hélène · 12/03/1954" */
  char *identity;    /* "Qualified identity" */
  char *todo;        /* "Overdue: HbA1c · Due: …" */
  char *detail;      /* "HbA1c: last 12/03/2025 · due since …" */
} Line;

typedef struct
{
  GtkPrintOperation *operation;
  GArray            *lines;         /* Line */
  GArray            *page_starts;   /* guint, index of each page's first line */
  char              *title;
  char              *subtitle;
  GCancellable      *cancellable;
  gulong             cancel_id;
  gboolean           done;          /* the task has returned */
} Round;

static int last_n_pages;

static void
line_clear (gpointer data)
{
  Line *line = data;

  g_free (line->name);
  g_free (line->identity);
  g_free (line->todo);
  g_free (line->detail);
}

static void
round_free (Round *round)
{
  if (round->cancel_id != 0)
    g_cancellable_disconnect (round->cancellable, round->cancel_id);
  g_clear_object (&round->cancellable);
  g_clear_object (&round->operation);
  g_clear_pointer (&round->lines, g_array_unref);
  g_clear_pointer (&round->page_starts, g_array_unref);
  g_free (round->title);
  g_free (round->subtitle);
  g_free (round);
}

/* "HbA1c: last 12/03/2025, due since 12/06/2025 · LDL cholesterol: never". */
static char *
detail_text (CabFollowupPatient *patient)
{
  GListModel *measures = cab_followup_patient_get_measures (patient);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (measures); i++)
    {
      g_autoptr(CabFollowupStatus) status = g_list_model_get_item (measures, i);
      g_autofree char *dates = cab_followup_status_dates_text (status);

      if (text->len > 0)
        g_string_append (text, "  ·  ");
      /* Translators: a measure and where it stands, "HbA1c: Last 12/03/2025 · …" */
      g_string_append_printf (text, _("%s: %s"),
                              cab_followup_measure_get_name (cab_followup_status_get_measure (status)), dates);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GArray *
copy_lines (GListModel       *patients,
            CabFollowupRules *rules)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));
  guint n = MIN (g_list_model_get_n_items (patients), MAX_LINES);

  g_array_set_clear_func (lines, line_clear);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (patients, i);
      const CabPatientRow *row = cab_followup_patient_get_row (patient);
      g_autofree char *name = cab_format_patient_name (&row->patient);
      g_autofree char *birth = cab_format_date (row->patient.birth_date);
      g_autofree char *conditions = cab_followup_patient_conditions_text (patient, rules);
      Line line = { 0 };

      line.name = g_strdup_printf ("%s · %s · %s", name, birth != NULL ? birth : "?", conditions);
      line.identity = g_strdup (cab_identity_status_label (cab_identity_status_shown (row)));
      line.todo = cab_followup_patient_todo_text (patient, NULL);
      line.detail = detail_text (patient);
      g_array_append_val (lines, line);
    }
  return lines;
}

static PangoLayout *
text_layout (GtkPrintContext *context,
             const char      *text,
             double           width,
             double           size,
             gboolean         bold)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return (double) height / PANGO_SCALE;
}

/* One line's layouts (name, to do, detail) and its height. */
static double
line_height (GtkPrintContext *context,
             const Line      *line,
             double           width)
{
  g_autoptr(PangoLayout) name = text_layout (context, line->name, width, 10.5, TRUE);
  g_autoptr(PangoLayout) todo = text_layout (context, line->todo, width, 9.5, FALSE);
  g_autoptr(PangoLayout) detail = text_layout (context, line->detail, width, 8, FALSE);

  return layout_height (name) + layout_height (todo) + layout_height (detail) + ROW_GAP;
}

static double
header_height (GtkPrintContext *context,
               Round           *round,
               double           width)
{
  g_autoptr(PangoLayout) title = text_layout (context, round->title, width, 16, TRUE);
  g_autoptr(PangoLayout) subtitle = text_layout (context, round->subtitle, width, 9.5, FALSE);

  return layout_height (title) + layout_height (subtitle) + HEADER_GAP;
}

/* ---------------------------------------------------------------------- */
/* the print operation                                                    */

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                Round             *round)
{
  double page_height = gtk_print_context_get_height (context);
  double width = gtk_print_context_get_width (context) - BOX_SIZE * 2;
  double y = header_height (context, round, width);
  guint first = 0;

  g_array_set_size (round->page_starts, 0);
  g_array_append_val (round->page_starts, first);
  for (guint i = 0; i < round->lines->len; i++)
    {
      double h = line_height (context, &g_array_index (round->lines, Line, i), width);

      /* A line that does not fit starts the next page (never cut in two). */
      if (y + h > page_height && i > g_array_index (round->page_starts, guint, round->page_starts->len - 1))
        {
          g_array_append_val (round->page_starts, i);
          y = 0;
        }
      y += h;
    }
  gtk_print_operation_set_n_pages (operation, (int) round->page_starts->len);
  last_n_pages = (int) round->page_starts->len;
}

static void
draw_layout (cairo_t     *cr,
             PangoLayout *layout,
             double       x,
             double       y)
{
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              Round             *round)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double text_x = BOX_SIZE * 2;
  double text_width = width - text_x;
  guint start = g_array_index (round->page_starts, guint, page);
  guint end = (guint) page + 1 < round->page_starts->len
              ? g_array_index (round->page_starts, guint, page + 1) : round->lines->len;
  double y = 0;

  cairo_set_source_rgb (cr, 0, 0, 0);
  if (page == 0)
    {
      g_autoptr(PangoLayout) title = text_layout (context, round->title, text_width, 16, TRUE);
      g_autoptr(PangoLayout) subtitle = text_layout (context, round->subtitle, text_width, 9.5, FALSE);

      draw_layout (cr, title, 0, y);
      y += layout_height (title);
      draw_layout (cr, subtitle, 0, y);
      y += layout_height (subtitle) + HEADER_GAP;
    }

  for (guint i = start; i < end; i++)
    {
      const Line *line = &g_array_index (round->lines, Line, i);
      g_autofree char *name_text = g_strdup_printf ("%s  (%s)", line->name, line->identity);
      g_autoptr(PangoLayout) name = text_layout (context, name_text, text_width, 10.5, TRUE);
      g_autoptr(PangoLayout) todo = text_layout (context, line->todo, text_width, 9.5, FALSE);
      g_autoptr(PangoLayout) detail = text_layout (context, line->detail, text_width, 8, FALSE);

      /* The box the nurse ticks. */
      cairo_set_line_width (cr, 0.8);
      cairo_rectangle (cr, 0.5, y + 2.5, BOX_SIZE, BOX_SIZE);
      cairo_stroke (cr);

      draw_layout (cr, name, text_x, y);
      y += layout_height (name);
      draw_layout (cr, todo, text_x, y);
      y += layout_height (todo);
      cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
      draw_layout (cr, detail, text_x, y);
      cairo_set_source_rgb (cr, 0, 0, 0);
      y += layout_height (detail) + ROW_GAP / 2;

      cairo_set_line_width (cr, 0.3);
      cairo_move_to (cr, text_x, y);
      cairo_line_to (cr, width, y);
      cairo_stroke (cr);
      y += ROW_GAP / 2;
    }
}

static void
done_cb (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GTask                   *task)
{
  Round *round = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (round->done)
    return;
  round->done = TRUE;
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Printing was cancelled");
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
cancelled_cb (GCancellable *cancellable,
              Round        *round)
{
  gtk_print_operation_cancel (round->operation);
}

void
cab_followup_print_round_async (GListModel          *patients,
                                CabFollowupRules    *rules,
                                GtkWindow           *parent,
                                const char          *export_filename,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  Round *round;
  GtkPrintOperationResult result;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = NULL;
  guint n;

  g_return_if_fail (G_IS_LIST_MODEL (patients));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cab_followup_print_round_async);

  n = g_list_model_get_n_items (patients);
  round = g_new0 (Round, 1);
  round->lines = copy_lines (patients, rules);
  round->page_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  /* xgettext:no-c-format */
  /* Translators: the day of the round; see g_date_time_format() */
  day = g_date_time_format (now, _("%A %B %-d, %Y"));
  /* Translators: %s is the day, "Saturday December 5, 2026" */
  round->title = g_strdup_printf (_("Follow-up round — %s"), day);
  round->subtitle = n > MAX_LINES
    ? g_strdup_printf (_("The first %u of %u patients of the worklist, most urgent first."), MAX_LINES, n)
    : g_strdup_printf (ngettext ("%u patient, most urgent first.", "%u patients, most urgent first.", n), n);
  round->operation = gtk_print_operation_new ();
  g_task_set_task_data (task, round, (GDestroyNotify) round_free);

  gtk_print_operation_set_job_name (round->operation, round->title);
  gtk_print_operation_set_unit (round->operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (round->operation, TRUE);
  g_signal_connect (round->operation, "begin-print", G_CALLBACK (begin_print_cb), round);
  g_signal_connect (round->operation, "draw-page", G_CALLBACK (draw_page_cb), round);
  g_signal_connect (round->operation, "done", G_CALLBACK (done_cb), task);
  if (cancellable != NULL)
    {
      round->cancellable = g_object_ref (cancellable);
      round->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), round, NULL);
    }

  if (export_filename != NULL)
    {
      gtk_print_operation_set_export_filename (round->operation, export_filename);
      result = gtk_print_operation_run (round->operation, GTK_PRINT_OPERATION_ACTION_EXPORT, parent, &error);
    }
  else
    {
      gtk_print_operation_set_allow_async (round->operation, TRUE);
      result = gtk_print_operation_run (round->operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                        parent, &error);
    }
  /* "done" may not come when the run fails at once. */
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR && !round->done)
    {
      round->done = TRUE;
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The round could not be printed."));
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
    }
}

gboolean
cab_followup_print_round_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cab_followup_print_round_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

int
cab_followup_print_last_n_pages (void)
{
  return last_n_pages;
}
