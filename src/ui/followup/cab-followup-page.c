/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-followup-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-patient-queries.h"
#include "cab-query.h"
#include "cab-followup-page.h"
#include "cab-followup-print.h"
#include "cab-followup-row.h"

/* The state filter's entries, in the dropdown's order. */
static const struct {
  const char        *label;
  CabFollowupStates  states;
} state_filters[] = {
  { N_("To do"),          CAB_FOLLOWUP_STATES_TO_DO },
  { N_("Overdue"),        CAB_FOLLOWUP_STATES_OVERDUE },
  { N_("Never measured"), CAB_FOLLOWUP_STATES_NEVER },
  { N_("Due"),            CAB_FOLLOWUP_STATES_DUE },
  { N_("Up to date"),     CAB_FOLLOWUP_STATES_OK },
  { N_("Everyone"),       CAB_FOLLOWUP_STATES_ALL },
};

struct _CabFollowupPage
{
  GtkWidget            parent_instance;

  CabSession          *session;
  CabFollowupRules    *rules;
  CabFollowupWorklist *worklist;
  GtkSingleSelection  *selection;
  GPtrArray           *condition_prefixes;  /* char*, index + 1 in the dropdown */
  GPtrArray           *gp_references;       /* char*, index + 1 in the dropdown */
  GtkStringList       *gp_names;
  GHashTable          *gp_asked;            /* reference → TRUE: its name was asked */
  GCancellable        *cancellable;         /* rules file, GP names, printing */
  gboolean             printing;

  GtkWidget           *paned;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *condition_dropdown;
  GtkDropDown         *state_dropdown;
  GtkDropDown         *gp_dropdown;
  GtkLabel            *count_label;
  GtkStack            *list_stack;
  GtkListView         *list_view;
  AdwStatusPage       *empty_page;
  GtkSpinner          *spinner;
  CabFollowupPanel    *panel;
};

G_DEFINE_FINAL_TYPE (CabFollowupPage, cab_followup_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_TODAY,
  PROP_N_OVERDUE,
  PROP_N_DUE,
  PROP_N_NEVER,
  N_PROPS
};

enum {
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static CabStore *
get_store (CabFollowupPage *self)
{
  return self->session != NULL ? cab_session_get_store (self->session) : NULL;
}

static void
fill_conditions (CabFollowupPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->condition_prefixes, 0);
  gtk_string_list_append (names, _("All conditions"));
  for (guint i = 0; i < cab_followup_rules_get_n_conditions (self->rules); i++)
    {
      const CabFollowupCondition *condition = cab_followup_rules_get_condition (self->rules, i);

      g_ptr_array_add (self->condition_prefixes, g_strdup (condition->prefix));
      gtk_string_list_append (names, cab_followup_condition_get_name (condition));
    }
  gtk_drop_down_set_model (self->condition_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->condition_dropdown, 0);
}

static void
update_count (CabFollowupPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->worklist));
  gboolean loading = cab_followup_worklist_get_loading (self->worklist);
  const GError *error = cab_followup_worklist_get_error (self->worklist);
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup (_("The worklist could not be read"));
  else
    text = g_strdup_printf (ngettext ("%u patient", "%u patients", n), n);
  gtk_label_set_text (self->count_label, text);

  if (n > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else if (loading)
    gtk_stack_set_visible_child_name (self->list_stack, "loading");
  else
    {
      adw_status_page_set_description (self->empty_page,
                                       error != NULL ? error->message
                                       : _("No patient matches these filters."));
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
    }
  gtk_spinner_set_spinning (self->spinner, loading && n == 0);
}

/* ---------------------------------------------------------------------- */
/* médecins traitants                                                     */

static void
gp_name_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CabFollowupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CabPatientSummary) summary = cab_patient_query_summary_finish (result, &error);
  const char *reference;

  if (summary == NULL || summary->practitioner == NULL)
    return;
  reference = summary->row->patient.gp_reference;
  if (reference == NULL || g_ptr_array_find_with_equal_func (self->gp_references, reference, g_str_equal, NULL))
    return;
  g_ptr_array_add (self->gp_references, g_strdup (reference));
  gtk_string_list_append (self->gp_names, summary->practitioner);
}

/* The practice's médecins traitants, named by the store (through one of
 * their patients' summary), as the worklist shows them. */
static void
collect_gps (CabFollowupPage *self)
{
  GListModel *model = G_LIST_MODEL (self->worklist);
  CabStore *store = get_store (self);

  if (store == NULL || cab_followup_worklist_get_gp (self->worklist) != NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);
      const char *reference = cab_followup_patient_get_row (patient)->patient.gp_reference;

      if (reference == NULL || g_hash_table_contains (self->gp_asked, reference))
        continue;
      g_hash_table_add (self->gp_asked, g_strdup (reference));
      cab_patient_query_summary_async (store, cab_followup_patient_get_id (patient), self->cancellable,
                                       gp_name_cb, g_object_ref (self));
    }
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

/* After a reload the panel's patient keeps their row selected, when the
 * filters still show them. */
static void
keep_selection (CabFollowupPage *self)
{
  const char *patient_id = cab_followup_panel_get_patient_id (self->panel);
  CabFollowupPatient *selected = gtk_single_selection_get_selected_item (self->selection);
  GListModel *model = G_LIST_MODEL (self->selection);

  if (patient_id == NULL ||
      (selected != NULL && g_strcmp0 (cab_followup_patient_get_id (selected), patient_id) == 0))
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);

      if (g_strcmp0 (cab_followup_patient_get_id (patient), patient_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

static void
worklist_loaded_cb (CabFollowupPage     *self,
                    CabFollowupWorklist *worklist)
{
  update_count (self);
  keep_selection (self);
  collect_gps (self);
}

static void
worklist_notify_cb (CabFollowupPage *self,
                    GParamSpec      *pspec)
{
  if (g_str_equal (pspec->name, "loading"))
    update_count (self);
  else if (g_str_equal (pspec->name, "n-overdue"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_OVERDUE]);
  else if (g_str_equal (pspec->name, "n-due"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DUE]);
  else if (g_str_equal (pspec->name, "n-never"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_NEVER]);
}

static void
search_changed_cb (CabFollowupPage *self)
{
  cab_followup_worklist_set_text (self->worklist, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* Enter in the search: to the list, on the first patient. */
static void
search_activate_cb (CabFollowupPage *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0)
    return;
  gtk_single_selection_set_selected (self->selection, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
filter_changed_cb (CabFollowupPage *self)
{
  guint condition = gtk_drop_down_get_selected (self->condition_dropdown);
  guint state = gtk_drop_down_get_selected (self->state_dropdown);
  guint gp = gtk_drop_down_get_selected (self->gp_dropdown);

  if (self->worklist == NULL)
    return;
  cab_followup_worklist_set_condition (self->worklist,
                                       condition > 0 && condition <= self->condition_prefixes->len
                                       ? g_ptr_array_index (self->condition_prefixes, condition - 1) : NULL);
  if (state < G_N_ELEMENTS (state_filters))
    cab_followup_worklist_set_states (self->worklist, state_filters[state].states);
  cab_followup_worklist_set_gp (self->worklist,
                                gp > 0 && gp <= self->gp_references->len
                                ? g_ptr_array_index (self->gp_references, gp - 1) : NULL);
}

static void
selection_changed_cb (CabFollowupPage *self)
{
  CabFollowupPatient *patient = gtk_single_selection_get_selected_item (self->selection);

  /* A reload that drops the selection leaves the panel where it was. */
  if (patient != NULL)
    cab_followup_panel_set_patient_id (self->panel, cab_followup_patient_get_id (patient));
}

static void
list_activate_cb (CabFollowupPage *self,
                  guint            position)
{
  gtk_single_selection_set_selected (self->selection, position);
  cab_followup_panel_record (self->panel, NULL);
}

static void
panel_recorded_cb (CabFollowupPage  *self,
                   const char       *measure_id)
{
  /* The worklist sees the new measure at once, offline too. */
  cab_followup_worklist_reload (self->worklist);
}

static void
sync_finished_cb (CabFollowupPage *self,
                  gboolean         success)
{
  if (!success)
    return;
  cab_followup_worklist_reload (self->worklist);
  cab_followup_panel_reload (self->panel);
}

static void
store_changed_cb (CabFollowupPage *self)
{
  cab_followup_worklist_set_store (self->worklist, get_store (self));
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              CabFollowupPage          *self)
{
  gtk_list_item_set_child (item, cab_followup_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             CabFollowupPage          *self)
{
  cab_followup_row_set_patient (CAB_FOLLOWUP_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item), self->rules);
}

/* The dropdowns' items ellipsize, so that long names do not widen the
 * worklist's column. */
static void
setup_choice_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_choice_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  const char *text = gtk_string_object_get_string (gtk_list_item_get_item (item));

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), text);
}

static void
ellipsize_choices (GtkDropDown *dropdown)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice_cb), NULL);
  gtk_drop_down_set_factory (dropdown, factory);
}

/* ---------------------------------------------------------------------- */
/* rules                                                                  */

static void
set_rules (CabFollowupPage  *self,
           CabFollowupRules *rules)
{
  if (!g_set_object (&self->rules, rules))
    return;
  fill_conditions (self);
  cab_followup_worklist_set_rules (self->worklist, rules);
  cab_followup_panel_set_rules (self->panel, rules);
}

static void
practice_rules_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CabFollowupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CabFollowupRules) rules = NULL;
  g_autofree char *message = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      /* No practice file is the usual case. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The practice's follow-up rules could not be read: %s", error->message);
      return;
    }
  bytes = g_bytes_new_take (contents, length);
  /* A small file (capped by the rules' loader), checked whole. */
  rules = cab_followup_rules_new_from_bytes (bytes, &error);
  if (rules == NULL)
    {
      message = g_strdup_printf (_("The practice’s follow-up rules were not used: %s"), error->message);
      g_signal_emit (self, signals[TOAST], 0, message);
      return;
    }
  set_rules (self, rules);
}

static void
load_practice_rules (CabFollowupPage *self)
{
  g_autofree char *path = cab_followup_rules_practice_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_file_load_contents_async (file, self->cancellable, practice_rules_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* printing                                                               */

typedef struct
{
  CabFollowupPage     *page;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} PrintJob;

/* Whoever asked gets the result; the page sets its button back and says
 * what failed when nobody else will. */
static void
print_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  PrintJob *job = data;
  g_autoptr(CabFollowupPage) self = job->page;
  g_autoptr(GError) error = NULL;

  self->printing = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "followup.print-round", TRUE);
  if (job->callback != NULL)
    job->callback (object, result, job->user_data);
  else if (!cab_followup_print_round_finish (result, &error) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The round could not be printed: %s"), error->message);

      g_signal_emit (self, signals[TOAST], 0, message);
    }
  g_free (job);
}

static void
print_round (CabFollowupPage     *self,
             const char          *export_filename,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  PrintJob *job = g_new0 (PrintJob, 1);

  job->page = g_object_ref (self);
  job->callback = callback;
  job->user_data = user_data;
  self->printing = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "followup.print-round", FALSE);
  cab_followup_print_round_async (G_LIST_MODEL (self->worklist), self->rules,
                                  GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                  export_filename, self->cancellable, print_done_cb, job);
}

static void
print_round_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CabFollowupPage *self = CAB_FOLLOWUP_PAGE (widget);

  if (!self->printing)
    print_round (self, NULL, NULL, NULL);
}

/* The panel has its own "followup.record"; the page's serves Ctrl+M from
 * the worklist. */
static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  cab_followup_panel_record (CAB_FOLLOWUP_PAGE (widget)->panel, NULL);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  cab_followup_page_focus_search (CAB_FOLLOWUP_PAGE (widget));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_followup_page_dispose (GObject *object)
{
  CabFollowupPage *self = CAB_FOLLOWUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->worklist != NULL)
    g_signal_handlers_disconnect_by_data (self->worklist, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_FOLLOWUP_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->worklist);

  G_OBJECT_CLASS (cab_followup_page_parent_class)->dispose (object);
}

static void
cab_followup_page_finalize (GObject *object)
{
  CabFollowupPage *self = CAB_FOLLOWUP_PAGE (object);

  g_clear_object (&self->rules);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->gp_names);
  g_clear_pointer (&self->condition_prefixes, g_ptr_array_unref);
  g_clear_pointer (&self->gp_references, g_ptr_array_unref);
  g_clear_pointer (&self->gp_asked, g_hash_table_unref);

  G_OBJECT_CLASS (cab_followup_page_parent_class)->finalize (object);
}

static void
cab_followup_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CabFollowupPage *self = CAB_FOLLOWUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_TODAY:
      g_value_set_string (value, cab_followup_worklist_get_today (self->worklist));
      break;
    case PROP_N_OVERDUE:
      g_value_set_uint (value, cab_followup_page_get_n_overdue (self));
      break;
    case PROP_N_DUE:
      g_value_set_uint (value, cab_followup_page_get_n_due (self));
      break;
    case PROP_N_NEVER:
      g_value_set_uint (value, cab_followup_page_get_n_never (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CabFollowupPage *self = CAB_FOLLOWUP_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_followup_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_TODAY:
      cab_followup_page_set_today (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_followup_page_class_init (CabFollowupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_followup_page_dispose;
  object_class->finalize = cab_followup_page_finalize;
  object_class->get_property = cab_followup_page_get_property;
  object_class->set_property = cab_followup_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TODAY] =
    g_param_spec_string ("today", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_OVERDUE] = g_param_spec_uint ("n-overdue", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_DUE] = g_param_spec_uint ("n-due", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_NEVER] = g_param_spec_uint ("n-never", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CAB_TYPE_FOLLOWUP_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/followup/cab-followup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, paned);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, condition_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, gp_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CabFollowupPage, panel);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, panel_recorded_cb);

  gtk_widget_class_install_action (widget_class, "followup.print-round", NULL, print_round_action);
  gtk_widget_class_install_action (widget_class, "followup.focus-search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "followup.print-round", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "followup.focus-search", NULL);
  gtk_widget_class_install_action (widget_class, "followup.record", NULL, record_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "followup.record", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-followup-page");
}

static void
cab_followup_page_init (CabFollowupPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  g_autoptr(CabFollowupRules) rules = cab_followup_rules_new_builtin ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->condition_prefixes = g_ptr_array_new_with_free_func (g_free);
  self->gp_references = g_ptr_array_new_with_free_func (g_free);
  self->gp_asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  ellipsize_choices (self->condition_dropdown);
  ellipsize_choices (self->state_dropdown);
  ellipsize_choices (self->gp_dropdown);
  for (guint i = 0; i < G_N_ELEMENTS (state_filters); i++)
    gtk_string_list_append (states, _(state_filters[i].label));
  gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));
  self->gp_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->gp_names, _("Every médecin traitant"));
  gtk_drop_down_set_model (self->gp_dropdown, G_LIST_MODEL (self->gp_names));

  self->worklist = cab_followup_worklist_new (NULL, rules);
  g_signal_connect_object (self->worklist, "loaded", G_CALLBACK (worklist_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->worklist, "notify", G_CALLBACK (worklist_notify_cb), self, G_CONNECT_SWAPPED);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->worklist)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  set_rules (self, rules);
  load_practice_rules (self);
  update_count (self);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_followup_page_new (void)
{
  return g_object_new (CAB_TYPE_FOLLOWUP_PAGE, NULL);
}

void
cab_followup_page_set_session (CabFollowupPage *self,
                               CabSession      *session)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PAGE (self));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::store", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "sync-finished", G_CALLBACK (sync_finished_cb), self, G_CONNECT_SWAPPED);
    }
  store_changed_cb (self);
  cab_followup_panel_set_session (self->panel, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
cab_followup_page_set_today (CabFollowupPage *self,
                             const char      *today)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PAGE (self));

  if (g_strcmp0 (cab_followup_worklist_get_today (self->worklist), today) == 0)
    return;
  cab_followup_worklist_set_today (self->worklist, today);
  cab_followup_panel_set_today (self->panel, today);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TODAY]);
}

void
cab_followup_page_show_patient (CabFollowupPage *self,
                                const char      *patient_id)
{
  GListModel *model;

  g_return_if_fail (CAB_IS_FOLLOWUP_PAGE (self));

  model = G_LIST_MODEL (self->selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabFollowupPatient) patient = g_list_model_get_item (model, i);

      if (g_strcmp0 (cab_followup_patient_get_id (patient), patient_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return;
        }
    }
  /* Not in the list as filtered: the panel alone. */
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  cab_followup_panel_set_patient_id (self->panel, patient_id);
}

void
cab_followup_page_focus_search (CabFollowupPage *self)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

guint
cab_followup_page_get_n_overdue (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), 0);

  return cab_followup_worklist_get_n_overdue (self->worklist);
}

guint
cab_followup_page_get_n_due (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), 0);

  return cab_followup_worklist_get_n_due (self->worklist);
}

guint
cab_followup_page_get_n_never (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), 0);

  return cab_followup_worklist_get_n_never (self->worklist);
}

CabFollowupWorklist *
cab_followup_page_get_worklist (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), NULL);

  return self->worklist;
}

CabFollowupPanel *
cab_followup_page_get_panel (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), NULL);

  return self->panel;
}

GtkListView *
cab_followup_page_get_list_view (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), NULL);

  return self->list_view;
}

gboolean
cab_followup_page_filter (CabFollowupPage   *self,
                          const char        *condition,
                          CabFollowupStates  states,
                          const char        *gp)
{
  guint condition_index = 0, state_index = G_MAXUINT, gp_index = 0;

  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), FALSE);

  if (condition != NULL &&
      !g_ptr_array_find_with_equal_func (self->condition_prefixes, condition, g_str_equal, &condition_index))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (state_filters); i++)
    if (state_filters[i].states == states)
      state_index = i;
  if (state_index == G_MAXUINT)
    return FALSE;
  if (gp != NULL && !g_ptr_array_find_with_equal_func (self->gp_references, gp, g_str_equal, &gp_index))
    return FALSE;

  gtk_drop_down_set_selected (self->condition_dropdown, condition != NULL ? condition_index + 1 : 0);
  gtk_drop_down_set_selected (self->state_dropdown, state_index);
  gtk_drop_down_set_selected (self->gp_dropdown, gp != NULL ? gp_index + 1 : 0);
  return TRUE;
}

guint
cab_followup_page_get_n_gps (CabFollowupPage *self)
{
  g_return_val_if_fail (CAB_IS_FOLLOWUP_PAGE (self), 0);

  return self->gp_references->len;
}

void
cab_followup_page_print_round (CabFollowupPage     *self,
                               const char          *export_filename,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CAB_IS_FOLLOWUP_PAGE (self));

  print_round (self, export_filename, callback, user_data);
}
