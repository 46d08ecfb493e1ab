/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-outbox-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "patients/cab-patient-format.h"
#include "cab-outbox-edit-dialog.h"
#include "cab-outbox-page.h"

/* Done and cancelled entries shown as recent history. */
#define N_RECENT_DONE 30
#define N_RECENT_CANCELLED 10
#define N_ACTIVE_MAX 500

struct _CabOutboxPage
{
  GtkWidget     parent_instance;

  CabOutbox    *outbox;
  GCancellable *cancellable;

  GtkWidget    *stack;
  GtkWidget    *needs_title;
  GtkListBox   *needs_list;
  GtkWidget    *waiting_title;
  GtkListBox   *waiting_list;
  GtkWidget    *sent_title;
  GtkListBox   *sent_list;

  guint         counts[CAB_OUTBOX_N_STATES];
  guint         shown[CAB_OUTBOX_N_STATES];
  guint         n_pending;
  guint         n_loads;
  guint         loading : 1;
  guint         dirty : 1;
};

G_DEFINE_FINAL_TYPE (CabOutboxPage, cab_outbox_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void reload (CabOutboxPage *self);

/* ---------------------------------------------------------------------- */
/* loading, on a worker thread                                            */

typedef struct
{
  GPtrArray  *entries;    /* CabOutboxEntry*, newest first */
  GHashTable *names;      /* patient id -> display name */
  guint       counts[CAB_OUTBOX_N_STATES];
} Load;

static void
load_free (Load *load)
{
  g_clear_pointer (&load->entries, g_ptr_array_unref);
  g_clear_pointer (&load->names, g_hash_table_unref);
  g_free (load);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const CabOutboxEntry *ea = *(CabOutboxEntry * const *) a;
  const CabOutboxEntry *eb = *(CabOutboxEntry * const *) b;

  return ea->id < eb->id ? 1 : ea->id > eb->id ? -1 : 0;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CabStore *store = task_data;
  Load *load = g_new0 (Load, 1);
  GError *error = NULL;

  load->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) cab_outbox_entry_free);
  load->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (int state = 0; state < CAB_OUTBOX_N_STATES; state++)
    {
      guint limit = state == CAB_OUTBOX_STATE_DONE ? N_RECENT_DONE
                  : state == CAB_OUTBOX_STATE_CANCELLED ? N_RECENT_CANCELLED
                  : N_ACTIVE_MAX;
      g_autoptr(GPtrArray) part = cab_store_outbox_list (store, state, limit, &error);

      if (part == NULL)
        {
          load_free (load);
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_set_free_func (part, NULL);
      g_ptr_array_extend_and_steal (load->entries, g_steal_pointer (&part));
    }
  g_ptr_array_sort (load->entries, compare_newest_first);

  if (!cab_store_outbox_count (store, load->counts, &error))
    {
      load_free (load);
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < load->entries->len; i++)
    {
      const CabOutboxEntry *entry = g_ptr_array_index (load->entries, i);
      g_autoptr(CabPatientRow) row = NULL;

      if (entry->patient_id == NULL || g_hash_table_contains (load->names, entry->patient_id))
        continue;
      row = cab_store_get_patient (store, entry->patient_id, NULL);
      g_hash_table_insert (load->names, g_strdup (entry->patient_id),
                           row != NULL ? cab_format_patient_name (&row->patient)
                                       : g_strdup (entry->patient_id));
    }

  g_task_return_pointer (task, load, (GDestroyNotify) load_free);
}

/* ---------------------------------------------------------------------- */
/* the server's and the user's versions of a conflict                     */

static const char *
json_string (JsonObject *object,
             const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static JsonArray *
json_array (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static char *
visibility_text (gboolean masked,
                 gboolean hidden,
                 gboolean archived)
{
  GString *s = g_string_new (NULL);

  if (masked)
    g_string_append (s, _("masked from professionals"));
  if (hidden)
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _("hidden from the patient"));
  if (archived)
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _("archived"));
  if (s->len == 0)
    g_string_append (s, _("visible to all"));

  return g_string_free (s, FALSE);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  return JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
}

/* The server's copy: its title and visibility. */
static void
describe_server (const char  *json,
                 char       **title,
                 char       **visibility)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *doc = parse_object (parser, json);
  JsonArray *labels = json_array (doc, "securityLabel");
  JsonArray *extensions = json_array (doc, "extension");
  gboolean masked = FALSE, hidden = FALSE, archived = FALSE;
  const char *text = json_string (doc, "description");

  for (guint i = 0; labels != NULL && i < json_array_get_length (labels); i++)
    {
      JsonNode *n = json_array_get_element (labels, i);
      JsonArray *codings = JSON_NODE_HOLDS_OBJECT (n) ? json_array (json_node_get_object (n), "coding") : NULL;

      for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
        {
          JsonNode *c = json_array_get_element (codings, j);
          const char *code = JSON_NODE_HOLDS_OBJECT (c) ? json_string (json_node_get_object (c), "code") : NULL;

          masked |= g_strcmp0 (code, "MASQUE_PS") == 0;
          hidden |= g_strcmp0 (code, "INVISIBLE_PATIENT") == 0;
        }
    }
  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonNode *n = json_array_get_element (extensions, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;

      if (e != NULL && g_str_has_suffix (json_string (e, "url") ?: "", "isArchived"))
        archived = json_object_get_boolean_member_with_default (e, "valueBoolean", FALSE);
    }

  if (text == NULL)
    {
      JsonNode *type = doc != NULL ? json_object_get_member (doc, "type") : NULL;

      if (type != NULL && JSON_NODE_HOLDS_OBJECT (type))
        text = json_string (json_node_get_object (type), "text");
    }

  *title = g_strdup (text != NULL ? text : "—");
  *visibility = doc != NULL ? visibility_text (masked, hidden, archived) : g_strdup ("—");
}

/* The user's version, from the entry's payload. */
static void
describe_mine (const CabOutboxEntry  *entry,
               char                 **title,
               char                 **visibility)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *p = parse_object (parser, entry->payload);
  const char *text = json_string (p, "title");

  /* A visibility change leaves the title as it is. */
  *title = g_strdup (text != NULL ? text : _("unchanged"));
  if (g_strcmp0 (entry->kind, "visibility") == 0 && p != NULL)
    *visibility = visibility_text (json_object_get_boolean_member_with_default (p, "masked", FALSE),
                                   json_object_get_boolean_member_with_default (p, "hidden", FALSE),
                                   json_object_get_boolean_member_with_default (p, "archived", FALSE));
  else
    *visibility = g_strdup ("—");
}

/* ---------------------------------------------------------------------- */
/* user actions, on a worker thread                                       */

typedef enum
{
  ACTION_RETRY,
  ACTION_CANCEL,
  ACTION_RELEASE,
  ACTION_KEEP_MINE,
  ACTION_KEEP_SERVER,
} Action;

typedef struct
{
  CabOutbox *outbox;
  gint64     id;
  Action     action;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_object_unref (data->outbox);
  g_free (data);
}

static void
action_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ActionData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (data->action)
    {
    case ACTION_RETRY:
      ok = cab_outbox_retry (data->outbox, data->id, &error);
      break;
    case ACTION_CANCEL:
      ok = cab_outbox_cancel (data->outbox, data->id, &error);
      break;
    case ACTION_RELEASE:
      ok = cab_outbox_release (data->outbox, data->id, &error);
      break;
    case ACTION_KEEP_MINE:
      ok = cab_outbox_resolve_conflict (data->outbox, data->id, CAB_OUTBOX_KEEP_MINE, &error);
      break;
    case ACTION_KEEP_SERVER:
      ok = cab_outbox_resolve_conflict (data->outbox, data->id, CAB_OUTBOX_KEEP_SERVER, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CabOutboxPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_signal_emit (self, signals[TOAST], 0, error->message);
    }
  /* The outbox says "changed"; reload anyway in case the state did not move. */
  reload (self);
}

static void
action_clicked_cb (GtkButton     *button,
                   CabOutboxPage *self)
{
  ActionData *data;
  g_autoptr(GTask) task = NULL;

  if (self->outbox == NULL)
    return;

  data = g_new0 (ActionData, 1);
  data->outbox = g_object_ref (self->outbox);
  data->id = *(gint64 *) g_object_get_data (G_OBJECT (button), "entry-id");
  data->action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "action"));

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  task = g_task_new (NULL, self->cancellable, action_cb, g_object_ref (self));
  g_task_set_source_tag (task, action_clicked_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);
  g_task_run_in_thread (task, action_thread);
}

/* ---------------------------------------------------------------------- */
/* editing a publish not sent yet                                         */

static void
edit_saved_cb (CabOutboxPage *self,
               gint64         entry_id,
               gboolean       retried,
               CabOutboxEditDialog *dialog)
{
  /* The outbox says "changed" too; this covers an unchanged state. */
  reload (self);
}

static void
edit_clicked_cb (GtkButton     *button,
                 CabOutboxPage *self)
{
  const CabOutboxEntry *entry = g_object_get_data (G_OBJECT (button), "entry");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CabOutboxEditDialog *dialog;

  if (self->outbox == NULL || entry == NULL)
    return;

  dialog = cab_outbox_edit_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                       self->outbox, entry);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (edit_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What the dialog needs, kept by the button: the page's entries are freed. */
static GtkWidget *
edit_button (CabOutboxPage        *self,
             const CabOutboxEntry *entry)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Edit…"));
  CabOutboxEntry *copy = g_new0 (CabOutboxEntry, 1);

  copy->id = entry->id;
  copy->kind = g_strdup (entry->kind);
  copy->state = entry->state;
  copy->payload = g_strdup (entry->payload);
  g_object_set_data_full (G_OBJECT (button), "entry", copy, (GDestroyNotify) cab_outbox_entry_free);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect (button, "clicked", G_CALLBACK (edit_clicked_cb), self);

  return button;
}

/* ---------------------------------------------------------------------- */
/* rows                                                                   */

const char *
cab_outbox_state_label (CabOutboxState state)
{
  switch (state)
    {
    case CAB_OUTBOX_STATE_PENDING:   return _("Waiting to be sent");
    case CAB_OUTBOX_STATE_HELD:      return _("Held back");
    case CAB_OUTBOX_STATE_SENDING:   return _("Sending…");
    case CAB_OUTBOX_STATE_DONE:      return _("Sent");
    case CAB_OUTBOX_STATE_CONFLICT:  return _("Conflict");
    case CAB_OUTBOX_STATE_FAILED:    return _("Failed — needs you");
    case CAB_OUTBOX_STATE_CANCELLED: return _("Cancelled");
    case CAB_OUTBOX_N_STATES:
    default:                         return "";
    }
}

static const char *
state_css (CabOutboxState state)
{
  switch (state)
    {
    case CAB_OUTBOX_STATE_DONE:      return "success";
    case CAB_OUTBOX_STATE_CONFLICT:
    case CAB_OUTBOX_STATE_HELD:      return "warning";
    case CAB_OUTBOX_STATE_FAILED:    return "error";
    case CAB_OUTBOX_STATE_PENDING:
    case CAB_OUTBOX_STATE_SENDING:
    case CAB_OUTBOX_STATE_CANCELLED:
    case CAB_OUTBOX_N_STATES:
    default:                         return "dim-label";
    }
}

static GtkWidget *
action_button (CabOutboxPage        *self,
               const CabOutboxEntry *entry,
               const char           *label,
               Action                action,
               const char           *css)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);
  gint64 *id = g_new (gint64, 1);

  *id = entry->id;
  g_object_set_data_full (G_OBJECT (button), "entry-id", id, g_free);
  g_object_set_data (G_OBJECT (button), "action", GINT_TO_POINTER (action));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (css != NULL)
    gtk_widget_add_css_class (button, css);
  g_signal_connect (button, "clicked", G_CALLBACK (action_clicked_cb), self);

  return button;
}

static GtkWidget *
grid_label (const char *text,
            gboolean    heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, !heading);
  if (heading)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* "Yours" and "On the health space", side by side, with the two choices. */
static GtkWidget *
conflict_box (CabOutboxPage        *self,
              const CabOutboxEntry *entry)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading;
  g_autofree char *my_title = NULL, *my_vis = NULL, *server_title = NULL, *server_vis = NULL;

  describe_mine (entry, &my_title, &my_vis);
  describe_server (entry->conflict_json, &server_title, &server_vis);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), FALSE);

  heading = grid_label (_("Your version"), FALSE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (GTK_GRID (grid), heading, 1, 0, 1, 1);
  heading = grid_label (_("On the health space"), FALSE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_grid_attach (GTK_GRID (grid), heading, 2, 0, 1, 1);

  gtk_grid_attach (GTK_GRID (grid), grid_label (_("Title"), TRUE), 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (my_title, FALSE), 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (server_title, FALSE), 2, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (_("Visibility"), TRUE), 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (my_vis, FALSE), 1, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), grid_label (server_vis, FALSE), 2, 2, 1, 1);
  gtk_box_append (GTK_BOX (box), grid);

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons),
                  action_button (self, entry, _("Keep the _Server’s"), ACTION_KEEP_SERVER, NULL));
  gtk_box_append (GTK_BOX (buttons),
                  action_button (self, entry, _("Keep _Mine"), ACTION_KEEP_MINE, "suggested-action"));
  gtk_box_append (GTK_BOX (box), buttons);

  return box;
}

static GtkWidget *
entry_row (CabOutboxPage        *self,
           const CabOutboxEntry *entry,
           GHashTable           *names)
{
  g_autofree char *title = cab_outbox_entry_describe (entry);
  g_autofree char *attempts = g_strdup_printf (ngettext ("%u attempt", "%u attempts", entry->attempts),
                                               entry->attempts);
  const char *patient = entry->patient_id != NULL ? g_hash_table_lookup (names, entry->patient_id) : NULL;
  g_autoptr(GString) subtitle = g_string_new (patient != NULL ? patient : "");
  GtkWidget *row;
  GtkWidget *state;

  if (entry->attempts > 0)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", attempts);
  if (entry->last_error != NULL && entry->state != CAB_OUTBOX_STATE_DONE)
    g_string_append_printf (subtitle, "\n%s", entry->last_error);

  if (entry->state == CAB_OUTBOX_STATE_CONFLICT)
    {
      row = adw_expander_row_new ();
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle->str);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), conflict_box (self, entry));
    }
  else
    {
      row = adw_action_row_new ();
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), "patient-id", g_strdup (entry->patient_id), g_free);

  state = gtk_label_new (cab_outbox_state_label (entry->state));
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (state, "cab-outbox-state");
  gtk_widget_add_css_class (state, state_css (entry->state));

#define ADD_SUFFIX(w) (ADW_IS_EXPANDER_ROW (row) ? adw_expander_row_add_action (ADW_EXPANDER_ROW (row), (w)) \
                                                   : adw_action_row_add_suffix (ADW_ACTION_ROW (row), (w)))
  ADD_SUFFIX (state);
  if (cab_outbox_edit_dialog_can_edit (entry))
    ADD_SUFFIX (edit_button (self, entry));
  switch (entry->state)
    {
    case CAB_OUTBOX_STATE_FAILED:
      ADD_SUFFIX (action_button (self, entry, _("_Retry"), ACTION_RETRY, NULL));
      ADD_SUFFIX (action_button (self, entry, _("_Cancel"), ACTION_CANCEL, NULL));
      break;
    case CAB_OUTBOX_STATE_CONFLICT:
    case CAB_OUTBOX_STATE_PENDING:
      ADD_SUFFIX (action_button (self, entry, _("_Cancel"), ACTION_CANCEL, NULL));
      break;
    case CAB_OUTBOX_STATE_HELD:
      ADD_SUFFIX (action_button (self, entry, _("_Send"), ACTION_RELEASE, NULL));
      ADD_SUFFIX (action_button (self, entry, _("_Cancel"), ACTION_CANCEL, NULL));
      break;
    case CAB_OUTBOX_STATE_SENDING:
    case CAB_OUTBOX_STATE_DONE:
    case CAB_OUTBOX_STATE_CANCELLED:
    case CAB_OUTBOX_N_STATES:
    default:
      break;
    }
#undef ADD_SUFFIX

  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
show_load (CabOutboxPage *self,
           Load          *load)
{
  guint n_needs = 0, n_waiting = 0, n_sent = 0;
  guint n_pending;

  clear_list (self->needs_list);
  clear_list (self->waiting_list);
  clear_list (self->sent_list);
  memset (self->shown, 0, sizeof self->shown);

  for (guint i = 0; i < load->entries->len; i++)
    {
      const CabOutboxEntry *entry = g_ptr_array_index (load->entries, i);
      GtkWidget *row = entry_row (self, entry, load->names);

      self->shown[entry->state]++;
      switch (entry->state)
        {
        case CAB_OUTBOX_STATE_FAILED:
        case CAB_OUTBOX_STATE_CONFLICT:
          gtk_list_box_append (self->needs_list, row);
          n_needs++;
          break;
        case CAB_OUTBOX_STATE_PENDING:
        case CAB_OUTBOX_STATE_SENDING:
        case CAB_OUTBOX_STATE_HELD:
          gtk_list_box_append (self->waiting_list, row);
          n_waiting++;
          break;
        case CAB_OUTBOX_STATE_DONE:
        case CAB_OUTBOX_STATE_CANCELLED:
        case CAB_OUTBOX_N_STATES:
        default:
          gtk_list_box_append (self->sent_list, row);
          n_sent++;
          break;
        }
    }

  gtk_widget_set_visible (self->needs_title, n_needs > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->needs_list), n_needs > 0);
  gtk_widget_set_visible (self->waiting_title, n_waiting > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->waiting_list), n_waiting > 0);
  gtk_widget_set_visible (self->sent_title, n_sent > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->sent_list), n_sent > 0);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack),
                                    load->entries->len > 0 ? "entries" : "empty");

  memcpy (self->counts, load->counts, sizeof self->counts);
  n_pending = load->counts[CAB_OUTBOX_STATE_PENDING] + load->counts[CAB_OUTBOX_STATE_SENDING];
  if (n_pending != self->n_pending)
    {
      self->n_pending = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CabOutboxPage) self = user_data;
  g_autoptr(GError) error = NULL;
  Load *load = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  if (load == NULL)
    g_warning ("Cannot read the outbox: %s", error->message);
  else
    {
      show_load (self, load);
      load_free (load);
    }
  self->n_loads++;

  /* Changes came in meanwhile: one more read covers them all. */
  if (self->dirty)
    reload (self);
}

static void
reload (CabOutboxPage *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->outbox == NULL)
    return;
  if (self->loading)
    {
      self->dirty = TRUE;
      return;
    }

  self->loading = TRUE;
  self->dirty = FALSE;
  task = g_task_new (NULL, self->cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, reload);
  g_task_set_task_data (task, g_object_ref (cab_outbox_get_store (self->outbox)), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

static void
outbox_changed_cb (CabOutboxPage *self,
                   CabOutbox     *outbox)
{
  reload (self);
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static void
cab_outbox_page_dispose (GObject *object)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->stack, gtk_widget_unparent);

  G_OBJECT_CLASS (cab_outbox_page_parent_class)->dispose (object);
}

static void
cab_outbox_page_finalize (GObject *object)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cab_outbox_page_parent_class)->finalize (object);
}

static void
cab_outbox_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CabOutboxPage *self = CAB_OUTBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_outbox_page_class_init (CabOutboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_outbox_page_dispose;
  object_class->finalize = cab_outbox_page_finalize;
  object_class->get_property = cab_outbox_page_get_property;

  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cab-outbox-page");
}

static GtkWidget *
section (GtkWidget   *box,
         const char  *title,
         GtkListBox **list)
{
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 12);
  gtk_box_append (GTK_BOX (box), label);

  *list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (*list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (*list), "boxed-list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*list));

  return label;
}

static void
cab_outbox_page_init (CabOutboxPage *self)
{
  GtkWidget *scroller, *clamp, *box, *empty;

  self->cancellable = g_cancellable_new ();
  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "mail-send-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Nothing to Send"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Documents you publish wait here until the health space confirms them. You can work offline: they will be sent when it is reachable."));
  gtk_stack_add_named (GTK_STACK (self->stack), empty, "empty");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  self->needs_title = section (box, _("Needs You"), &self->needs_list);
  self->waiting_title = section (box, _("Waiting to Be Sent"), &self->waiting_list);
  self->sent_title = section (box, _("Recently Sent"), &self->sent_list);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "entries");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_outbox_page_new (void)
{
  return g_object_new (CAB_TYPE_OUTBOX_PAGE, NULL);
}

void
cab_outbox_page_set_outbox (CabOutboxPage *self,
                            CabOutbox     *outbox)
{
  g_return_if_fail (CAB_IS_OUTBOX_PAGE (self));
  g_return_if_fail (outbox == NULL || CAB_IS_OUTBOX (outbox));

  if (self->outbox == outbox)
    return;

  if (self->outbox != NULL)
    g_signal_handlers_disconnect_by_data (self->outbox, self);
  g_set_object (&self->outbox, outbox);

  /* A read in flight belongs to the old outbox. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = FALSE;

  if (outbox != NULL)
    {
      g_signal_connect_object (outbox, "changed", G_CALLBACK (outbox_changed_cb), self, G_CONNECT_SWAPPED);
      reload (self);
    }
}

CabOutbox *
cab_outbox_page_get_outbox (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), NULL);

  return self->outbox;
}

guint
cab_outbox_page_get_n_pending (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_pending;
}

guint
cab_outbox_page_get_n_loads (CabOutboxPage *self)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);

  return self->n_loads;
}

guint
cab_outbox_page_count_shown (CabOutboxPage  *self,
                             CabOutboxState  state)
{
  g_return_val_if_fail (CAB_IS_OUTBOX_PAGE (self), 0);
  g_return_val_if_fail (state < CAB_OUTBOX_N_STATES, 0);

  return self->shown[state];
}
