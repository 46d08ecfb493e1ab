/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prescription-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cab-drug-results.h"
#include "cab-mail-send.h"
#include "cab-prescribe.h"
#include "cab-prescription-id.h"
#include "cab-prescription-queries.h"
#include "cab-prescription-rules.h"
#include "cab-query.h"
#include "patients/cab-patient-format.h"
#include "viewer/cab-pdf-print.h"
#include "cab-drug-result-row.h"
#include "cab-prescription-warning.h"
#include "cab-prescription-mailbox.h"
#include "cab-prescription-editor-private.h"

/*
 * The prescription editor (docs/architecture.md, "Prescription editor"):
 * a search on the left, results as the user types (each keystroke
 * supersedes the previous query on core's reader pool), the lines on the
 * right with their dosage, the rules' verdicts where they apply, and the
 * interaction and allergy warnings below them. Every store read is an
 * async query of src/prescribing/cab-prescription-queries.h.
 */


struct _CabPrescriptionEditor
{
  AdwWindow               parent_instance;

  CabSession             *session;
  char                   *patient_id;
  CabPrescriptionContext *context;
  CabPrescriptionCheck   *check;
  char                   *checked_key;     /* the CIS list the check is for */
  char                   *draft_id;
  char                   *preview_path;
  char                   *print_export;
  CabDrugResults         *results;
  /* What the list view shows: the results, kept (the list hidden) while
   * there are none, so the next answer lands in the same rows. */
  GListStore             *shown;
  GtkSingleSelection     *selection;
  char                   *blocker;
  gboolean                print_after_preview;
  /* Once written (cab_prescribe()), the prescription is what it is:
   * printing prints that copy, and nothing is registered twice. */
  CabPrescription        *issued;
  char                   *issued_path;
  char                   *issued_document;   /* its printed copy in the timeline */
  CabPrescriber          *issued_prescriber;
  /* Sending it to the patient's mailbox (cab-prescription-mailbox.h). */
  GCancellable           *send_cancellable;
  gboolean                sending;
  gboolean                sent;
  gboolean                issuing;
  gboolean                close_after_issue;
  CabErxService          *erx_service;
  GCancellable           *issue_cancellable;
  gboolean                preview_ready;
  guint                   n_printed;

  GCancellable           *context_slot;
  GCancellable           *renew_slot;
  CabPrescription        *renewal;         /* to add once the context is read */
  GCancellable           *check_slot;
  GCancellable           *preview_slot;

  /* Template widgets */
  AdwWindowTitle         *window_title;
  GtkWidget              *back_button;
  GtkWidget              *renew_button;
  GtkWidget              *renew_last_button;
  GtkWidget              *done_button;
  GtkWidget              *print_button;
  GtkWidget              *preview_button;
  GtkWidget              *send_button;
  AdwToastOverlay        *toast_overlay;
  GtkWidget              *send_status;
  GtkImage               *send_icon;
  GtkLabel               *send_label;
  GtkStack               *stack;
  GtkSearchEntry         *search_entry;
  GtkLabel               *search_status;
  GtkListView            *results_view;
  GtkLabel               *context_label;
  GtkLabel               *empty_label;
  GtkListBox             *lines_list;
  GtkLabel               *warnings_heading;
  GtkListBox             *warnings_list;
  GtkLabel               *treatments_heading;
  GtkListBox             *treatments_list;
  GtkImage               *status_icon;
  GtkLabel               *status_label;
  CabPdfViewer           *viewer;
};

G_DEFINE_FINAL_TYPE (CabPrescriptionEditor, cab_prescription_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_PATIENT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lines_changed (CabPrescriptionEditor *self);
static void issue         (CabPrescriptionEditor *self,
                           gboolean               close_after);

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static CabStore *
get_store (CabPrescriptionEditor *self)
{
  return self->session != NULL ? cab_session_get_store (self->session) : NULL;
}

static void
list_box_clear (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static GPtrArray *
line_rows (CabPrescriptionEditor *self)
{
  GPtrArray *rows = g_ptr_array_new ();
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (self->lines_list, i)) != NULL; i++)
    g_ptr_array_add (rows, row);
  return rows;
}

/* The draft as the rules and the preview see it: the rows' lines,
 * borrowed (the array does not free them). */
static CabPrescription *
build_draft (CabPrescriptionEditor *self,
             GPtrArray             *rows)
{
  CabPrescription *rx = cab_prescription_new ();

  g_ptr_array_set_free_func (rx->lines, NULL);
  rx->id = g_strdup (self->draft_id);
  rx->date = today ();
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (rx->lines, (gpointer) cab_prescription_line_row_get_line (g_ptr_array_index (rows, i)));
  return rx;
}

static void
set_status (CabPrescriptionEditor *self,
            const char            *blocker,
            const char            *ok_text)
{
  g_free (self->blocker);
  self->blocker = g_strdup (blocker);
  gtk_label_set_text (self->status_label, blocker != NULL ? blocker : ok_text);
  gtk_image_set_from_icon_name (self->status_icon, blocker != NULL ? "action-unavailable-symbolic"
                                                                    : "emblem-ok-symbolic");
  if (blocker != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.print", blocker == NULL && !self->issuing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.preview", blocker == NULL && !self->issuing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.done", blocker == NULL && !self->issuing);
  gtk_widget_set_tooltip_text (self->done_button,
                               blocker != NULL ? blocker
                                               : self->issued != NULL ? _("Close (Ctrl+Enter)")
                                                                      : _("Write the prescription and queue its registration (Ctrl+Enter)"));
  gtk_widget_set_tooltip_text (self->print_button, blocker != NULL ? blocker : _("Print the prescription (Ctrl+P)"));
  gtk_widget_set_tooltip_text (self->preview_button, blocker != NULL ? blocker : _("Show the printed copy (Ctrl+Shift+P)"));
}

/* ---------------------------------------------------------------------- */
/* search                                                                 */

static void
select_result (CabPrescriptionEditor *self,
               guint                  position)
{
  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->results)))
    return;
  gtk_single_selection_set_selected (self->selection, position);
  /* Keep the choice visible while the focus stays in the search field. */
  gtk_widget_activate_action (GTK_WIDGET (self->results_view), "list.scroll-to-item", "u", position);
}

/* The results into the rows shown. A field emptied (or no match) hides the
 * list and keeps its rows: the model lands its next answer in the same
 * items (cab-drug-results.c), so the first letter typed after a cleared
 * field fills 20 rows instead of building them (widgets, styles), the
 * slowest keystroke (docs/architecture.md, "Prescription editor"). */
static void
results_changed_cb (GListModel            *results,
                    guint                  position,
                    guint                  removed,
                    guint                  added,
                    CabPrescriptionEditor *self)
{
  GListModel *shown = G_LIST_MODEL (self->shown);
  guint n = g_list_model_get_n_items (results);
  guint n_shown = g_list_model_get_n_items (shown);
  guint prefix = 0, suffix = 0;
  g_autoptr(GPtrArray) added_items = NULL;

  if (n == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->results_view), FALSE);
      return;
    }
  while (prefix < MIN (n, n_shown))
    {
      g_autoptr(GObject) a = g_list_model_get_item (results, prefix);
      g_autoptr(GObject) b = g_list_model_get_item (shown, prefix);

      if (a != b)
        break;
      prefix++;
    }
  while (suffix < MIN (n, n_shown) - prefix)
    {
      g_autoptr(GObject) a = g_list_model_get_item (results, n - 1 - suffix);
      g_autoptr(GObject) b = g_list_model_get_item (shown, n_shown - 1 - suffix);

      if (a != b)
        break;
      suffix++;
    }
  if (prefix + suffix < MAX (n, n_shown))
    {
      added_items = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = prefix; i < n - suffix; i++)
        g_ptr_array_add (added_items, g_list_model_get_item (results, i));
      g_list_store_splice (self->shown, prefix, n_shown - prefix - suffix,
                           added_items->pdata, added_items->len);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->results_view), TRUE);
}

static void
results_loaded_cb (CabPrescriptionEditor *self)
{
  const GError *error = cab_drug_results_get_error (self->results);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  g_autofree char *status = NULL;

  if (error != NULL)
    {
      g_debug ("Drug search failed: %s", error->message);
      gtk_label_set_text (self->search_status,
                          g_error_matches (error, CAB_DRUG_ERROR, CAB_DRUG_ERROR_NO_DATABASE)
                            ? _("No drug database is imported: run “cabinetctl drugs import”.")
                            : _("The search failed. Try again."));
      return;
    }
  if (n == 0)
    status = g_strdup (_("No medicine matches."));
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u medicine — Enter adds the selected one",
                                           "%u medicines — Enter adds the selected one", n),
                              n);
  gtk_label_set_text (self->search_status, status);
  if (n > 0)
    select_result (self, 0);
}

static void
search_changed_cb (CabPrescriptionEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  cab_drug_results_set_text (self->results, text);
  if (*text == '\0')
    gtk_label_set_text (self->search_status,
                        _("Type a brand name, a substance (DCI), a CIS or a CIP13 code.\nUp and Down choose, Enter adds the line."));
}

static gboolean
search_key_cb (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               CabPrescriptionEditor *self)
{
  guint selected = gtk_single_selection_get_selected (self->selection);

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      select_result (self, selected == GTK_INVALID_LIST_POSITION ? 0 : selected + 1);
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
        select_result (self, selected - 1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, cab_drug_result_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  cab_drug_result_row_set_item (CAB_DRUG_RESULT_ROW (gtk_list_item_get_child (list_item)),
                                gtk_list_item_get_item (list_item));
}

/* ---------------------------------------------------------------------- */
/* lines                                                                  */

static CabLineFacts
line_facts (CabPrescriptionEditor *self)
{
  CabLineFacts facts = { 0 };
  g_autofree char *date = today ();

  if (self->context != NULL)
    {
      facts.has_ald = self->context->has_ald;
      facts.excipient_intolerance = self->context->excipient_intolerance;
      facts.under_six = cab_prescription_is_under_six (self->context->patient->patient.birth_date, date);
    }
  return facts;
}

static void
line_remove_cb (CabPrescriptionLineRow *row,
                CabPrescriptionEditor  *self)
{
  int index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  GtkListBoxRow *next;

  gtk_list_box_remove (self->lines_list, GTK_WIDGET (row));
  lines_changed (self);

  /* The focus goes to the line that took its place, else back to the search. */
  next = gtk_list_box_get_row_at_index (self->lines_list, index);
  if (next == NULL && index > 0)
    next = gtk_list_box_get_row_at_index (self->lines_list, index - 1);
  if (next != NULL)
    cab_prescription_line_row_focus_dosage (CAB_PRESCRIPTION_LINE_ROW (next));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
append_line (CabPrescriptionEditor *self,
             GtkWidget             *row)
{
  g_signal_connect_object (row, "changed", G_CALLBACK (lines_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove-requested", G_CALLBACK (line_remove_cb), self, 0);
  gtk_list_box_append (self->lines_list, row);
}

static gboolean
can_add (CabPrescriptionEditor *self)
{
  return self->context != NULL &&
         gtk_list_box_get_row_at_index (self->lines_list, CAB_PRESCRIPTION_MAX_LINES - 1) == NULL;
}

static void
add_selected_result (CabPrescriptionEditor *self)
{
  CabDrugItem *selected = gtk_single_selection_get_selected_item (self->selection);
  CabLineFacts facts;

  /* No result: the hidden list's rows are the last word's. */
  if (selected == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0 || !can_add (self))
    return;

  facts = line_facts (self);
  append_line (self, cab_prescription_line_row_new (cab_drug_item_get_drug (selected), &facts));
  /* Ready for the next medicine. */
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  lines_changed (self);
}

static void
search_activate_cb (CabPrescriptionEditor *self)
{
  add_selected_result (self);
}

static void
result_activated_cb (CabPrescriptionEditor *self,
                     guint                  position)
{
  gtk_single_selection_set_selected (self->selection, position);
  add_selected_result (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ---------------------------------------------------------------------- */
/* checks                                                                 */

static gboolean
is_line (GPtrArray  *rows,
         const char *cis)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (cab_prescription_line_row_get_line (g_ptr_array_index (rows, i))->medicine.cis, cis) == 0)
      return TRUE;
  return FALSE;
}

static void
show_warnings (CabPrescriptionEditor *self,
               GPtrArray             *rows)
{
  const CabPrescriptionCheck *check = self->check;
  guint n = 0;

  list_box_clear (self->warnings_list);
  for (guint i = 0; i < rows->len; i++)
    cab_prescription_line_row_set_alert (g_ptr_array_index (rows, i), -1, FALSE);
  if (check == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_list), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_heading), FALSE);
      return;
    }

  /* Allergies first: they are never a matter of judgement. */
  for (guint i = 0; i < check->allergies->len; i++)
    {
      const CabDrugAllergyMatch *match = g_ptr_array_index (check->allergies, i);

      gtk_list_box_append (self->warnings_list, cab_prescription_warning_new_allergy (match, rows));
      n++;
    }
  for (guint i = 0; i < check->interactions->interactions->len; i++)
    {
      const CabDrugInteraction *interaction = g_ptr_array_index (check->interactions->interactions, i);

      /* A current treatment renewed on this prescription is already a line. */
      if (interaction->b_is_current && is_line (rows, interaction->cis_b))
        continue;
      gtk_list_box_append (self->warnings_list, cab_prescription_warning_new_interaction (interaction, rows));
      n++;
    }
  for (guint i = 0; i < check->interactions->unchecked->len; i++)
    {
      const CabDrugUnchecked *unchecked = g_ptr_array_index (check->interactions->unchecked, i);

      /* A current treatment not coded with a CIS is not the prescriber's to fix here. */
      if (unchecked->request_id != NULL)
        continue;
      gtk_list_box_append (self->warnings_list, cab_prescription_warning_new_unchecked (unchecked, rows));
      n++;
    }

  /* Each line shows the worst that concerns it. */
  for (guint r = 0; r < rows->len; r++)
    {
      CabPrescriptionLineRow *row = g_ptr_array_index (rows, r);
      const char *cis = cab_prescription_line_row_get_line (row)->medicine.cis;
      int level = -1;
      gboolean allergy = FALSE;

      for (guint i = 0; i < check->allergies->len; i++)
        allergy |= g_strcmp0 (((CabDrugAllergyMatch *) g_ptr_array_index (check->allergies, i))->cis, cis) == 0;
      for (guint i = 0; i < check->interactions->interactions->len; i++)
        {
          const CabDrugInteraction *x = g_ptr_array_index (check->interactions->interactions, i);

          if ((g_strcmp0 (x->cis_a, cis) == 0 || (!x->b_is_current && g_strcmp0 (x->cis_b, cis) == 0)) &&
              (level < 0 || (int) x->level < level))
            level = x->level;
        }
      cab_prescription_line_row_set_alert (row, level, allergy);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->warnings_list), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_heading), n > 0);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CabPrescriptionCheck *check;

  check = cab_prescription_query_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->check, cab_prescription_check_free);
  self->check = check;
  if (check == NULL)
    g_debug ("Prescription check failed: %s", error->message);

  rows = line_rows (self);
  show_warnings (self, rows);
}

static void
start_check (CabPrescriptionEditor *self,
             GPtrArray             *rows)
{
  g_autoptr(GPtrArray) cis = g_ptr_array_new ();
  g_autofree char *key = NULL;
  CabStore *store = get_store (self);

  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (cis, cab_prescription_line_row_get_line (g_ptr_array_index (rows, i))->medicine.cis);
  g_ptr_array_add (cis, NULL);
  key = g_strjoinv (",", (char **) cis->pdata);

  /* A dosage edit does not change what interacts. */
  if (g_strcmp0 (key, self->checked_key) == 0)
    return;
  g_free (self->checked_key);
  self->checked_key = g_steal_pointer (&key);
  g_clear_pointer (&self->check, cab_prescription_check_free);
  show_warnings (self, rows);

  if (store == NULL || rows->len == 0)
    {
      cab_query_cancel (&self->check_slot);
      return;
    }
  cab_prescription_query_check_async (store, self->patient_id, (const char * const *) cis->pdata,
                                      cab_query_supersede (&self->check_slot), check_cb, g_object_ref (self));
}

/* The rules, line by line, shown where they are broken; the first broken
 * one is why the prescription cannot be printed. */
static char *
apply_rules (CabPrescriptionEditor *self,
             GPtrArray             *rows)
{
  g_autoptr(CabPrescription) rx = build_draft (self, rows);
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree gboolean *intolerance = g_new0 (gboolean, rows->len + 1);
  CabPrescriptionFacts facts = { 0 };
  char *first = NULL;
  guint next = 0;

  facts.birth_date = self->context->patient->patient.birth_date;
  facts.has_ald = self->context->has_ald;
  for (guint i = 0; i < rows->len; i++)
    intolerance[i] = self->context->excipient_intolerance;
  facts.intolerance = intolerance;
  errors = cab_prescription_check_all (rx, &facts);

  /* The errors come line after line: count each line's alone to know
   * which are its own. */
  for (guint i = 0; i < rows->len; i++)
    {
      CabPrescriptionLineRow *row = g_ptr_array_index (rows, i);
      g_autoptr(CabPrescription) one = cab_prescription_new ();
      g_autoptr(GPtrArray) own = NULL;
      g_autoptr(GString) text = g_string_new (NULL);
      const char *problem = cab_prescription_line_row_get_problem (row);

      g_ptr_array_set_free_func (one->lines, NULL);
      one->date = g_strdup (rx->date);
      g_ptr_array_add (one->lines, (gpointer) cab_prescription_line_row_get_line (row));
      facts.intolerance = &intolerance[i];
      own = cab_prescription_check_all (one, &facts);

      if (problem != NULL)
        g_string_append_printf (text, _("Line %u: %s"), i + 1, problem);
      for (guint k = 0; k < own->len && next < errors->len; k++, next++)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, ((GError *) g_ptr_array_index (errors, next))->message);
        }
      cab_prescription_line_row_set_rule_error (row, text->len > 0 ? text->str : NULL);
      if (first == NULL && text->len > 0)
        {
          char *newline = strchr (text->str, '\n');

          first = g_strndup (text->str, newline != NULL ? (gsize) (newline - text->str) : text->len);
        }
    }
  return first;
}

static void
lines_changed (CabPrescriptionEditor *self)
{
  g_autoptr(GPtrArray) rows = line_rows (self);
  g_autofree char *blocker = NULL;

  for (guint i = 0; i < rows->len; i++)
    cab_prescription_line_row_set_number (g_ptr_array_index (rows, i), i + 1);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), rows->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->lines_list), rows->len > 0);

  /* Written: the lines no longer change. */
  if (self->issued != NULL)
    return;

  /* Anything printed before is not this prescription any more. */
  self->preview_ready = FALSE;

  if (self->context == NULL)
    blocker = g_strdup (_("Reading the patient’s record…"));
  else
    {
      blocker = apply_rules (self, rows);
      if (blocker == NULL && rows->len == 0)
        blocker = g_strdup (_("Add a line to print the prescription."));
      else if (blocker == NULL && self->context->prescriber == NULL)
        blocker = g_strdup (_("The patient’s médecin traitant is not in the local store: synchronize first."));
      start_check (self, rows);
    }
  set_status (self, blocker, _("Ready to print."));
}

/* ---------------------------------------------------------------------- */
/* the patient's context                                                  */

static void
renew_treatment (CabPrescriptionEditor     *self,
                 const CabCurrentTreatment *treatment)
{
  CabLineFacts facts = line_facts (self);

  if (treatment->drug == NULL || !can_add (self))
    return;
  append_line (self, cab_prescription_line_row_new_renewal (treatment->drug, treatment->dosage_text, &facts));
}

static void
show_context (CabPrescriptionEditor *self)
{
  const CabPrescriptionContext *context = self->context;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *name = NULL;
  guint n_renewable = 0;

  name = g_strdup_printf ("%s %s", context->patient->patient.family != NULL ? context->patient->patient.family : "",
                          context->patient->patient.given != NULL ? context->patient->patient.given : "");
  adw_window_title_set_subtitle (self->window_title, g_strstrip (name));

  if (context->has_ald)
    g_string_append (text, _("Long-term condition (ALD): bizone form, choose each line’s zone."));
  if (context->allergies->len > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _("Allergies and intolerances:"));
      for (guint i = 0; i < context->allergies->len; i++)
        {
          const CabAllergy *a = g_ptr_array_index (context->allergies, i);

          g_string_append_printf (text, "%s %s", i > 0 ? "," : "", a->substance != NULL ? a->substance : "?");
        }
    }
  if (!context->has_drug_database)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _("No drug database is imported: run “cabinetctl drugs import”."));
    }
  gtk_label_set_text (self->context_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->context_label), text->len > 0);

  list_box_clear (self->treatments_list);
  for (guint i = 0; i < context->treatments->len; i++)
    {
      const CabCurrentTreatment *t = g_ptr_array_index (context->treatments, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;

      if (t->drug != NULL)
        {
          g_autofree char *dci = cab_drug_dup_dci (t->drug);

          title = g_markup_printf_escaped ("%s [%s]", dci, t->drug->name);
          n_renewable++;
        }
      else
        title = g_markup_escape_text (t->display != NULL ? t->display : _("Unnamed medicine"), -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (t->dosage_text != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), t->dosage_text);
      gtk_list_box_append (self->treatments_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->treatments_list), context->treatments->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->treatments_heading), context->treatments->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew", n_renewable > 0);

  gtk_widget_set_visible (self->renew_last_button, context->last_prescription != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew-last", context->last_prescription != NULL);
  if (context->last_prescription != NULL && context->last_prescription->date != NULL)
    {
      g_autofree char *date = cab_format_date (context->last_prescription->date);
      g_autofree char *tip = g_strdup_printf (_("Add the lines of the prescription of %s, as written (Ctrl+Shift+L)"),
                                              date);

      gtk_widget_set_tooltip_text (self->renew_last_button, tip);
    }
}

static void add_lines_of (CabPrescriptionEditor *self, const CabPrescription *prescription);

/* A renewal asked for when the editor opened lands once both the patient's
 * context (the facts a line needs) and the prescription are read. */
static void
add_renewal (CabPrescriptionEditor *self)
{
  g_autoptr(CabPrescription) renewal = NULL;
  g_autofree char *date = NULL;
  g_autofree char *status = NULL;

  if (self->context == NULL || self->renewal == NULL || self->issued != NULL)
    return;
  renewal = g_steal_pointer (&self->renewal);
  add_lines_of (self, renewal);
  if (self->blocker != NULL)
    return;
  date = renewal->date != NULL ? cab_format_date (renewal->date) : g_strdup ("?");
  status = g_strdup_printf (_("Renewal of the prescription of %s: its lines as written, dated today, "
                              "with a new identifier once printed."), date);
  set_status (self, NULL, status);
}

static void
renewal_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  CabPrescription *prescription = cab_prescription_query_by_document_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (prescription == NULL)
    {
      g_debug ("Cannot read the prescription to renew: %s", error->message);
      set_status (self, g_error_matches (error, CAB_STORE_ERROR, CAB_STORE_ERROR_NOT_FOUND)
                          ? _("This document is not a prescription written in Cabinet: its lines cannot be "
                              "renewed. Add them from the search.")
                          : _("The prescription to renew could not be read from the local store."),
                  NULL);
      return;
    }
  g_clear_pointer (&self->renewal, cab_prescription_free);
  self->renewal = prescription;
  add_renewal (self);
}

static void
context_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  CabPrescriptionContext *context;

  context = cab_prescription_query_context_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (context == NULL)
    {
      g_debug ("Cannot read the patient's context: %s", error->message);
      set_status (self, _("The patient’s record could not be read from the local store."), NULL);
      return;
    }
  self->context = context;
  show_context (self);
  lines_changed (self);
  add_renewal (self);
}

/* ---------------------------------------------------------------------- */
/* preview and print                                                      */

static void
print_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_pdf_print_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Printing failed: %s", error->message);
      return;
    }
  self->n_printed++;
}

static void
print_preview (CabPrescriptionEditor *self)
{
  CabPdfDocument *document = cab_pdf_viewer_get_document (self->viewer);
  g_autofree char *job = g_strdup_printf ("%s.pdf", _("prescription"));

  if (document == NULL)
    return;
  cab_pdf_print_async (document, GTK_WINDOW (self), job, self->print_export, print_cb, g_object_ref (self));
}

static void
viewer_loaded_cb (CabPrescriptionEditor *self)
{
  self->preview_ready = TRUE;
  if (self->print_after_preview)
    {
      self->print_after_preview = FALSE;
      print_preview (self);
    }
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  if (g_async_result_is_tagged (result, cab_prescription_query_save_pdf_async)
        ? !cab_prescription_query_save_pdf_finish (result, &error)
        : !cab_prescription_query_preview_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Preview failed: %s", error->message);
      self->print_after_preview = FALSE;
      cab_pdf_viewer_show_unavailable (self->viewer, _("The printed copy could not be drawn."));
      return;
    }
  file = g_file_new_for_path (self->issued != NULL ? self->issued_path : self->preview_path);
  cab_pdf_viewer_set_suggested_name (self->viewer, _("prescription.pdf"));
  cab_pdf_viewer_load_file (self->viewer, file);
}

static void
show_preview (CabPrescriptionEditor *self)
{
  g_autoptr(GPtrArray) rows = line_rows (self);
  g_autoptr(CabPrescription) rx = NULL;
  CabStore *store = get_store (self);

  if (self->blocker != NULL || store == NULL)
    return;

  gtk_stack_set_visible_child_name (self->stack, "preview");
  gtk_widget_set_visible (self->back_button, TRUE);
  gtk_widget_set_visible (self->renew_button, FALSE);
  gtk_widget_set_visible (self->renew_last_button, FALSE);
  if (self->preview_ready)
    {
      if (self->print_after_preview)
        viewer_loaded_cb (self);
      return;
    }

  /* The written copy is already in the viewer once issued. */
  if (self->issued != NULL)
    return;

  rx = build_draft (self, rows);
  cab_pdf_viewer_clear (self->viewer);
  cab_prescription_query_preview_async (store, self->patient_id, rx, self->preview_path,
                                        cab_query_supersede (&self->preview_slot), preview_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* sending to the patient's mailbox                                       */

/* Offered once written, for a qualified identity only; otherwise the
 * action is off and the reason is shown under the printed copy. */
static void
update_send (CabPrescriptionEditor *self)
{
  g_autofree char *reason = NULL;
  const char *text;
  gboolean can_send;

  gtk_widget_set_visible (self->send_button, self->issued != NULL);
  gtk_widget_set_visible (self->send_status, self->issued != NULL);
  if (self->issued == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.send-to-patient", FALSE);
      return;
    }
  reason = cab_prescription_mailbox_unavailable (self->session,
                                                 self->context != NULL && self->context->patient != NULL
                                                   ? &self->context->patient->patient : NULL);
  if (reason == NULL && self->issued_document == NULL)
    reason = g_strdup (_("The printed copy is not in the patient’s record."));
  can_send = reason == NULL && !self->sending && !self->sent;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.send-to-patient", can_send);
  if (self->sent)
    text = _("Queued in the outbox for the patient’s Mon espace santé mailbox, with the prescription attached.");
  else if (self->sending)
    text = _("Queuing the message…");
  else if (reason != NULL)
    text = reason;
  else
    text = _("The prescription can be sent to the patient’s Mon espace santé mailbox.");
  gtk_label_set_text (self->send_label, text);
  gtk_image_set_from_icon_name (self->send_icon, reason != NULL ? "action-unavailable-symbolic"
                                                                 : "mail-send-symbolic");
  gtk_widget_set_tooltip_text (self->send_button,
                               reason != NULL ? reason
                                              : _("Send the prescription to the patient’s Mon espace santé mailbox"));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean offline;
  AdwToast *toast;

  self->sending = FALSE;
  if (!cab_prescription_mailbox_send_finish (result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Prescription not queued for the patient's mailbox: %s", error->message);
      toast = adw_toast_new (error->domain == CAB_MAIL_SEND_ERROR ? error->message
                                                                  : _("The message could not be queued."));
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      update_send (self);
      return;
    }
  self->sent = TRUE;
  update_send (self);
  offline = cab_session_get_sync_state (self->session) == CAB_SYNC_STATE_OFFLINE;
  toast = adw_toast_new (offline ? _("Offline: the message to the patient’s mailbox is queued and goes out once connected")
                                 : _("Message to the patient’s mailbox queued in the outbox"));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);
  g_autofree char *reason = NULL;

  if (self->issued == NULL || self->sending || self->sent || self->context == NULL ||
      self->context->patient == NULL || self->issued_document == NULL)
    return;
  reason = cab_prescription_mailbox_unavailable (self->session, &self->context->patient->patient);
  if (reason != NULL)
    return;
  self->sending = TRUE;
  update_send (self);
  cab_prescription_mailbox_send_async (self->session, self->patient_id, &self->context->patient->patient,
                                       self->issued, self->issued_prescriber, self->issued_document,
                                       self->send_cancellable, send_cb, g_object_ref (self));
}

/* The prescription written: its lines locked, its number in the title. */
static void
show_issued (CabPrescriptionEditor *self)
{
  g_autofree char *number = cab_prescription_id_format (self->issued->id);
  g_autofree char *title = g_strdup_printf (_("Prescription N° %s"), number);
  g_autofree char *status = g_strdup_printf (_("Written. Its registration with the e-prescription service is queued in the outbox (N° %s)."),
                                             number);

  adw_window_title_set_title (self->window_title, title);
  /* Focus leaves the fields first: a focused text made insensitive never
   * gets its focus-out (Ctrl+P typed in the search field). */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lines_list), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->results_view), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew-last", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.remove-line", FALSE);
  gtk_button_set_label (GTK_BUTTON (self->done_button), _("_Close"));
  set_status (self, NULL, status);
  update_send (self);
}

static void
issue_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CabPrescriptionEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  CabPrescribeResult written = { 0 };
  CabStore *store = get_store (self);
  g_autofree char *name = NULL;

  self->issuing = FALSE;
  if (!cab_prescribe_finish (result, &written, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->print_after_preview = FALSE;
      self->close_after_issue = FALSE;
      /* A rule or an unknown medicine: the message names the line (user-facing). */
      set_status (self, error->domain == CAB_PRESCRIPTION_ERROR ? error->message
                                                                 : _("The prescription could not be written to the local store."),
                  NULL);
      g_debug ("Prescription not written: %s", error->message);
      return;
    }

  self->issued = g_steal_pointer (&written.prescription);
  self->issued_document = g_steal_pointer (&written.document_id);
  self->issued_prescriber = g_steal_pointer (&written.prescriber);
  name = g_strdup_printf ("prescription-%s.pdf", self->issued->id);
  self->issued_path = g_build_filename (g_get_user_runtime_dir (), "cabinet", name, NULL);
  show_issued (self);

  if (self->close_after_issue)
    gtk_window_close (GTK_WINDOW (self));
  else if (store != NULL)
    {
      /* Show, and print when asked, the copy that was written. */
      self->preview_ready = FALSE;
      gtk_stack_set_visible_child_name (self->stack, "preview");
      gtk_widget_set_visible (self->back_button, TRUE);
      gtk_widget_set_visible (self->renew_button, FALSE);
  gtk_widget_set_visible (self->renew_last_button, FALSE);
      cab_pdf_viewer_clear (self->viewer);
      cab_prescription_query_save_pdf_async (store, written.pdf, self->issued_path,
                                             cab_query_supersede (&self->preview_slot), preview_cb,
                                             g_object_ref (self));
    }
  cab_prescribe_result_clear (&written);
}

/* Writes the prescription once: the store keeps it, its printed copy and
 * its registration, queued in the outbox in one transaction. */
static void
issue (CabPrescriptionEditor *self,
       gboolean               close_after)
{
  g_autoptr(GPtrArray) rows = line_rows (self);
  g_autoptr(CabPrescription) rx = NULL;
  CabStore *store = get_store (self);
  CabOutbox *outbox = self->session != NULL ? cab_session_get_outbox (self->session) : NULL;
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;
  CabPrescribeRequest request = { 0 };

  if (self->blocker != NULL || self->issuing || self->issued != NULL || store == NULL || outbox == NULL)
    return;

  rx = build_draft (self, rows);
  g_clear_pointer (&rx->id, g_free);
  request.patient_id = self->patient_id;
  request.prescription = rx;
  request.organization = config != NULL ? config->practice : NULL;
  /* Offline, the printed copy says it will be registered. */
  request.pending_registration = cab_session_get_client (self->session) == NULL ||
                                 cab_session_get_sync_state (self->session) == CAB_SYNC_STATE_OFFLINE;

  self->issuing = TRUE;
  self->close_after_issue = close_after;
  set_status (self, NULL, _("Writing the prescription…"));
  cab_prescribe_async (store, outbox, self->erx_service, &request, self->issue_cancellable,
                       issue_cb, g_object_ref (self));
}

static void
preview_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  self->print_after_preview = FALSE;
  show_preview (self);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  self->print_after_preview = TRUE;
  if (self->issued == NULL)
    issue (self, FALSE);
  else
    show_preview (self);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  gtk_stack_set_visible_child_name (self->stack, "edit");
  gtk_widget_set_visible (self->back_button, FALSE);
  gtk_widget_set_visible (self->renew_button, TRUE);
  gtk_widget_set_visible (self->renew_last_button,
                          self->context != NULL && self->context->last_prescription != NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ---------------------------------------------------------------------- */
/* actions                                                                */

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  edit_action (widget, NULL, NULL);
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
remove_line_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *row = focus != NULL ? gtk_widget_get_ancestor (focus, CAB_TYPE_PRESCRIPTION_LINE_ROW) : NULL;

  if (row != NULL)
    line_remove_cb (CAB_PRESCRIPTION_LINE_ROW (row), self);
}

static void
renew_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);

  if (self->context == NULL)
    return;

  /* A treatment already on the prescription is not added twice. */
  rows = line_rows (self);
  for (guint i = 0; i < rows->len; i++)
    g_hash_table_add (present, cab_prescription_line_row_get_line (g_ptr_array_index (rows, i))->medicine.cis);
  for (guint i = 0; i < self->context->treatments->len; i++)
    {
      const CabCurrentTreatment *t = g_ptr_array_index (self->context->treatments, i);

      if (t->drug != NULL && !g_hash_table_contains (present, t->drug->cis))
        {
          renew_treatment (self, t);
          g_hash_table_add (present, t->drug->cis);
        }
    }
  lines_changed (self);
}

/* A stored prescription's lines as written (labels, dosage, renewals, NS,
 * zone); the rules judge them again today. */
static void
add_lines_of (CabPrescriptionEditor *self,
              const CabPrescription *prescription)
{
  CabLineFacts facts = line_facts (self);

  for (guint i = 0; i < prescription->lines->len && can_add (self); i++)
    append_line (self, cab_prescription_line_row_new_from_line (g_ptr_array_index (prescription->lines, i),
                                                                &facts));
  lines_changed (self);
}

/* The patient's latest prescription, its lines as written, in one action. */
static void
renew_last_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);
  const CabPrescription *last = self->context != NULL ? self->context->last_prescription : NULL;

  if (last == NULL || self->issued != NULL)
    return;
  add_lines_of (self, last);
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  if (self->issued != NULL)
    gtk_window_close (GTK_WINDOW (widget));
  else
    issue (self, TRUE);
}

static gboolean
escape_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "preview") == 0)
    {
      edit_action (widget, NULL, NULL);
      return TRUE;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
cab_prescription_editor_constructed (GObject *object)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (object);
  CabStore *store = get_store (self);
  g_autofree char *name = NULL;

  G_OBJECT_CLASS (cab_prescription_editor_parent_class)->constructed (object);

  self->erx_service = cab_erx_fhir_service_new ();
  self->issue_cancellable = g_cancellable_new ();
  self->send_cancellable = g_cancellable_new ();

  /* The preview carries an identifier, as the printed copy does. */
  self->draft_id = cab_prescription_id_generate ();
  name = g_strdup_printf ("prescription-%s.pdf", self->draft_id);
  self->preview_path = g_build_filename (g_get_user_runtime_dir (), "cabinet", name, NULL);

  cab_drug_results_set_store (self->results, store);
  set_status (self, _("Reading the patient’s record…"), NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.renew-last", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.send-to-patient", FALSE);
  if (store != NULL && self->patient_id != NULL)
    cab_prescription_query_context_async (store, self->patient_id, cab_query_supersede (&self->context_slot),
                                          context_cb, g_object_ref (self));
  lines_changed (self);
}

static void
cab_prescription_editor_dispose (GObject *object)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (object);

  cab_query_cancel (&self->context_slot);
  cab_query_cancel (&self->renew_slot);
  cab_query_cancel (&self->check_slot);
  cab_query_cancel (&self->preview_slot);
  /* A write under way still lands in the store; only its answer is dropped. */
  if (self->issue_cancellable != NULL)
    g_cancellable_cancel (self->issue_cancellable);
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  /* The copies are health data: they do not outlive the editor (the
   * written one is kept in the store with the prescription). */
  if (self->preview_path != NULL)
    g_unlink (self->preview_path);
  if (self->issued_path != NULL)
    g_unlink (self->issued_path);

  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PRESCRIPTION_EDITOR);

  G_OBJECT_CLASS (cab_prescription_editor_parent_class)->dispose (object);
}

static void
cab_prescription_editor_finalize (GObject *object)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (object);

  g_clear_object (&self->session);
  g_free (self->patient_id);
  g_clear_pointer (&self->context, cab_prescription_context_free);
  g_clear_pointer (&self->renewal, cab_prescription_free);
  g_clear_pointer (&self->check, cab_prescription_check_free);
  g_free (self->checked_key);
  g_free (self->draft_id);
  g_free (self->preview_path);
  g_free (self->print_export);
  g_clear_object (&self->results);
  g_clear_object (&self->selection);
  g_clear_object (&self->shown);
  g_free (self->blocker);
  g_clear_pointer (&self->issued, cab_prescription_free);
  g_free (self->issued_path);
  g_free (self->issued_document);
  g_clear_pointer (&self->issued_prescriber, cab_prescriber_free);
  g_clear_object (&self->send_cancellable);
  g_clear_object (&self->erx_service);
  g_clear_object (&self->issue_cancellable);

  G_OBJECT_CLASS (cab_prescription_editor_parent_class)->finalize (object);
}

static void
cab_prescription_editor_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, self->patient_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_prescription_editor_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  CabPrescriptionEditor *self = CAB_PRESCRIPTION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_PATIENT_ID:
      self->patient_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_prescription_editor_class_init (CabPrescriptionEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cab_prescription_editor_constructed;
  object_class->dispose = cab_prescription_editor_dispose;
  object_class->finalize = cab_prescription_editor_finalize;
  object_class->get_property = cab_prescription_editor_get_property;
  object_class->set_property = cab_prescription_editor_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_ID] =
    g_param_spec_string ("patient-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CAB_TYPE_PDF_VIEWER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/prescribing/cab-prescription-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, back_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, renew_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, renew_last_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, done_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, print_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, preview_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, send_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, send_status);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, send_icon);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, send_label);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, search_status);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, results_view);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, context_label);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, empty_label);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, lines_list);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, warnings_heading);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, warnings_list);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, treatments_heading);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, treatments_list);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, status_label);
  gtk_widget_class_bind_template_child (widget_class, CabPrescriptionEditor, viewer);

  gtk_widget_class_install_action (widget_class, "editor.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "editor.remove-line", NULL, remove_line_action);
  gtk_widget_class_install_action (widget_class, "editor.renew", NULL, renew_action);
  gtk_widget_class_install_action (widget_class, "editor.renew-last", NULL, renew_last_action);
  gtk_widget_class_install_action (widget_class, "editor.preview", NULL, preview_action);
  gtk_widget_class_install_action (widget_class, "editor.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "editor.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "editor.done", NULL, done_action);
  gtk_widget_class_install_action (widget_class, "editor.send-to-patient", NULL, send_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "editor.find", NULL);
  /* Text fields take Delete first: it removes a line only from elsewhere in it. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "editor.remove-line", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "editor.remove-line", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "editor.renew", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "editor.renew-last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "editor.preview", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "editor.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.done", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);
}

static void
cab_prescription_editor_init (CabPrescriptionEditor *self)
{
  GtkEventController *keys;
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The results: core's model, a recycling list view over it. */
  self->results = cab_drug_results_new ();
  g_signal_connect_object (self->results, "loaded", G_CALLBACK (results_loaded_cb), self, G_CONNECT_SWAPPED);
  self->shown = g_list_store_new (CAB_TYPE_DRUG_ITEM);
  g_signal_connect_object (self->results, "items-changed", G_CALLBACK (results_changed_cb), self, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->results_view), FALSE);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->results_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->search_entry, "changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (search_activate_cb), self);
  g_signal_connect_swapped (self->results_view, "activate", G_CALLBACK (result_activated_cb), self);
  g_signal_connect_swapped (self->viewer, "loaded", G_CALLBACK (viewer_loaded_cb), self);

  /* Up and Down choose among the results without leaving the search field. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->results_view));
  search_changed_cb (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->search_entry));
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabPrescriptionEditor *
cab_prescription_editor_new (GtkWindow  *parent,
                             CabSession *session,
                             const char *patient_id)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CAB_IS_SESSION (session), NULL);
  g_return_val_if_fail (patient_id != NULL, NULL);

  return g_object_new (CAB_TYPE_PRESCRIPTION_EDITOR,
                       "transient-for", parent,
                       "session", session,
                       "patient-id", patient_id,
                       NULL);
}

void
cab_prescription_editor_renew_document (CabPrescriptionEditor *self,
                                        const char            *document_id)
{
  CabStore *store;

  g_return_if_fail (CAB_IS_PRESCRIPTION_EDITOR (self));
  g_return_if_fail (document_id != NULL);

  store = self->session != NULL ? cab_session_get_store (self->session) : NULL;
  if (store == NULL || self->patient_id == NULL || self->issued != NULL)
    return;
  cab_prescription_query_by_document_async (store, self->patient_id, document_id,
                                            cab_query_supersede (&self->renew_slot), renewal_cb,
                                            g_object_ref (self));
}

CabSession *
cab_prescription_editor_get_session (CabPrescriptionEditor *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_EDITOR (self), NULL);

  return self->session;
}

const char *
cab_prescription_editor_get_patient_id (CabPrescriptionEditor *self)
{
  g_return_val_if_fail (CAB_IS_PRESCRIPTION_EDITOR (self), NULL);

  return self->patient_id;
}

/* ---------------------------------------------------------------------- */
/* for tests                                                              */

GtkEditable *
cab_prescription_editor_get_search_entry (CabPrescriptionEditor *self)
{
  return GTK_EDITABLE (self->search_entry);
}

CabDrugResults *
cab_prescription_editor_get_results (CabPrescriptionEditor *self)
{
  return self->results;
}

GtkSingleSelection *
cab_prescription_editor_get_selection (CabPrescriptionEditor *self)
{
  return self->selection;
}

gboolean
cab_prescription_editor_is_ready (CabPrescriptionEditor *self)
{
  return self->context != NULL;
}

guint
cab_prescription_editor_get_n_lines (CabPrescriptionEditor *self)
{
  g_autoptr(GPtrArray) rows = line_rows (self);

  return rows->len;
}

CabPrescriptionLineRow *
cab_prescription_editor_get_line (CabPrescriptionEditor *self,
                                  guint                  index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->lines_list, index);

  return row != NULL ? CAB_PRESCRIPTION_LINE_ROW (row) : NULL;
}

gboolean
cab_prescription_editor_is_checked (CabPrescriptionEditor *self)
{
  return self->check != NULL;
}

guint
cab_prescription_editor_get_n_warnings (CabPrescriptionEditor *self)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (self->warnings_list, n) != NULL)
    n++;
  return n;
}

char *
cab_prescription_editor_dup_warning_text (CabPrescriptionEditor *self,
                                          guint                  index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->warnings_list, index);

  return row != NULL ? cab_prescription_warning_dup_text (row) : NULL;
}

const char *
cab_prescription_editor_get_issued_id (CabPrescriptionEditor *self)
{
  return self->issued != NULL ? self->issued->id : NULL;
}

const char *
cab_prescription_editor_get_blocker (CabPrescriptionEditor *self)
{
  return self->blocker;
}

GtkWidget *
cab_prescription_editor_get_print_button (CabPrescriptionEditor *self)
{
  return self->print_button;
}

CabPdfViewer *
cab_prescription_editor_get_viewer (CabPrescriptionEditor *self)
{
  return self->viewer;
}

void
cab_prescription_editor_set_print_export (CabPrescriptionEditor *self,
                                          const char            *path)
{
  g_free (self->print_export);
  self->print_export = g_strdup (path);
}

guint
cab_prescription_editor_get_n_printed (CabPrescriptionEditor *self)
{
  return self->n_printed;
}

const char *
cab_prescription_editor_get_send_status (CabPrescriptionEditor *self)
{
  return gtk_label_get_text (self->send_label);
}

gboolean
cab_prescription_editor_get_sent (CabPrescriptionEditor *self)
{
  return self->sent;
}

GtkWidget *
cab_prescription_editor_get_send_button (CabPrescriptionEditor *self)
{
  return self->send_button;
}
