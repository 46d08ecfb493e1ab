/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-recipient-entry"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <string.h>

#include "cab-correspondents.h"
#include "cab-directory.h"
#include "cab-mime-compose.h"
#include "cab-query.h"
#include "cab-recipient-entry.h"

/* The composer's "To" field (docs/architecture.md, "The composer"). The
 * completion asks core at each keystroke, superseding the question before
 * (cab_query_supersede()): a slow answer to "du" never lands over the
 * answer to "dup". When the offline answer is short and the app has a
 * directory, one online search runs after a pause in typing, then the
 * offline search again (its answers are cached). */

#define MAX_RECIPIENTS 100
/* Fewer offline suggestions than this: ask the directory. */
#define ONLINE_BELOW   3
/* The pause in typing before the directory is asked. */
#define ONLINE_DEBOUNCE_MS 400

struct _CabRecipientEntry
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkFlowBox        *chips;
  GtkEntry          *text;
  GtkLabel          *error_label;
  GtkPopover        *popover;
  GtkListBox        *suggestions;

  CabStore          *store;
  GCancellable      *search_slot;
  CabDirectory      *directory;        /* NULL: offline completion only */
  GCancellable      *online_slot;      /* the directory search running */
  guint              online_timeout_id;
  char              *online_text;      /* asked (or being asked) online */
  char              *online_pending;   /* to ask when the pause ends */
  char              *answered_text;
  GPtrArray         *addresses;        /* char*, in order */
  GPtrArray         *names;            /* char*, beside them: the name picked, "" none */
  GPtrArray         *shown;            /* char* addresses of the suggestions */
  gboolean           committing;

  CabRecipientCheck  check;
  gpointer           check_data;
};

G_DEFINE_FINAL_TYPE (CabRecipientEntry, cab_recipient_entry, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
cab_recipient_is_mssante (const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;

  if (at == NULL)
    return FALSE;
  return g_ascii_strcasecmp (at + 1, "mssante.fr") == 0 ||
         (strlen (at + 1) > strlen (".mssante.fr") &&
          g_ascii_strcasecmp (at + 1 + strlen (at + 1) - strlen (".mssante.fr"), ".mssante.fr") == 0);
}

static void
show_error (CabRecipientEntry *self,
            const char        *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->text), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->text), "error");
}

/* ---------------------------------------------------------------------- */
/* chips                                                                  */

static void
chip_remove_cb (GtkButton         *button,
                CabRecipientEntry *self)
{
  const char *address = g_object_get_data (G_OBJECT (button), "address");
  g_autofree char *copy = g_strdup (address);

  cab_recipient_entry_remove (self, copy);
  gtk_widget_grab_focus (GTK_WIDGET (self->text));
}

static GtkWidget *
new_chip (CabRecipientEntry *self,
          const char        *address,
          const char        *display_name)
{
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *label, *remove;
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), address);

  gtk_widget_add_css_class (chip, "cab-recipient-chip");
  if (!cab_recipient_is_mssante (address))
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_set_tooltip_text (icon, _("Not an MSSanté address"));
      gtk_box_append (GTK_BOX (chip), icon);
      gtk_widget_add_css_class (chip, "cab-recipient-outside");
    }
  label = gtk_label_new (display_name != NULL && *display_name ? display_name : address);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
  gtk_widget_set_tooltip_text (label, address);
  gtk_box_append (GTK_BOX (chip), label);
  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "address", g_strdup (address), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (chip_remove_cb), self);
  gtk_box_append (GTK_BOX (chip), remove);
  g_object_set_data_full (G_OBJECT (chip), "address", g_strdup (address), g_free);
  return chip;
}

static int
find_address (CabRecipientEntry *self,
              const char        *address)
{
  for (guint i = 0; i < self->addresses->len; i++)
    if (g_ascii_strcasecmp (self->addresses->pdata[i], address) == 0)
      return i;
  return -1;
}

gboolean
cab_recipient_entry_add (CabRecipientEntry *self,
                         const char        *address,
                         const char        *display_name)
{
  g_autofree char *refused = NULL;

  g_return_val_if_fail (CAB_IS_RECIPIENT_ENTRY (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (!cab_mime_address_is_valid (address) || strchr (address, '@') == NULL)
    {
      show_error (self, _("Not a mail address: write it as name@domain, one address at a time"));
      return FALSE;
    }
  if (find_address (self, address) >= 0)
    {
      show_error (self, NULL);
      return TRUE;
    }
  if (self->addresses->len >= MAX_RECIPIENTS)
    {
      show_error (self, _("A message has at most 100 recipients"));
      return FALSE;
    }
  if (self->check != NULL && (refused = self->check (address, self->check_data)) != NULL)
    {
      show_error (self, refused);
      return FALSE;
    }
  show_error (self, NULL);
  g_ptr_array_add (self->addresses, g_strdup (address));
  g_ptr_array_add (self->names, g_strdup (display_name != NULL ? display_name : ""));
  gtk_flow_box_append (self->chips, new_chip (self, address, display_name));
  gtk_widget_set_visible (GTK_WIDGET (self->chips), TRUE);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

void
cab_recipient_entry_remove (CabRecipientEntry *self,
                            const char        *address)
{
  int index;

  g_return_if_fail (CAB_IS_RECIPIENT_ENTRY (self));

  index = find_address (self, address);
  if (index < 0)
    return;
  g_ptr_array_remove_index (self->addresses, index);
  g_ptr_array_remove_index (self->names, index);
  gtk_flow_box_remove (self->chips, GTK_WIDGET (gtk_flow_box_get_child_at_index (self->chips, index)));
  gtk_widget_set_visible (GTK_WIDGET (self->chips), self->addresses->len > 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
cab_recipient_entry_contains (CabRecipientEntry *self,
                              const char        *address)
{
  g_return_val_if_fail (CAB_IS_RECIPIENT_ENTRY (self), FALSE);

  return find_address (self, address) >= 0;
}

char **
cab_recipient_entry_dup_addresses (CabRecipientEntry *self)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  for (guint i = 0; i < self->addresses->len; i++)
    g_strv_builder_add (b, self->addresses->pdata[i]);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

char **
cab_recipient_entry_dup_names (CabRecipientEntry *self)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  for (guint i = 0; i < self->names->len; i++)
    g_strv_builder_add (b, self->names->pdata[i]);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

char **
cab_recipient_entry_dup_outside (CabRecipientEntry *self)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **out;

  for (guint i = 0; i < self->addresses->len; i++)
    if (!cab_recipient_is_mssante (self->addresses->pdata[i]))
      g_strv_builder_add (b, self->addresses->pdata[i]);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

/* ---------------------------------------------------------------------- */
/* completion                                                             */

/* gtk_list_box_remove_all() is GTK 4.12. */
static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
hide_suggestions (CabRecipientEntry *self)
{
  cab_query_cancel (&self->search_slot);
  g_ptr_array_set_size (self->shown, 0);
  clear_list (self->suggestions);
  gtk_popover_popdown (self->popover);
}

typedef struct
{
  CabRecipientEntry *self;   /* a reference */
  char              *text;
} SearchData;

static GtkWidget *
suggestion_row (CabCorrespondent *c)
{
  GtkWidget *row = adw_action_row_new ();
  const char *title = cab_correspondent_get_title (c);
  const char *address = cab_correspondent_get_address (c);
  const char *parts[] = { NULL, cab_correspondent_get_profession (c), cab_correspondent_get_city (c) };
  g_autoptr(GString) subtitle = g_string_new (NULL);

  /* The address under the name; not twice when there is no name. */
  if (title != NULL && g_strcmp0 (title, address) != 0)
    parts[0] = address;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL && *parts[i] != '\0')
      g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", parts[i]);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : cab_correspondent_get_address (c));
  if (subtitle->len > 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_can_focus (row, FALSE);
  g_object_set_data_full (G_OBJECT (row), "address", g_strdup (cab_correspondent_get_address (c)), g_free);
  g_object_set_data_full (G_OBJECT (row), "name",
                          g_strdup (cab_correspondent_get_display_name (c)), g_free);
  return row;
}


static void start_search (CabRecipientEntry *self,
                          const char        *text);

static void
online_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SearchData *data = user_data;
  g_autoptr(CabRecipientEntry) self = data->self;
  g_autofree char *text = data->text;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) found = cab_directory_search_finish (CAB_DIRECTORY (source), result, &error);
  g_autofree char *current = NULL;

  g_free (data);
  if (found == NULL)
    {
      /* Offline, or the directory refused: the offline answer stays. No
       * text in the log: it is a name someone typed. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Directory search failed (%s %d)", g_quark_to_string (error->domain), error->code);
      return;
    }
  /* The answers are in the cache now: the offline search shows them, in
   * its order, if the text is still the one asked about. */
  current = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->text))));
  if (g_strcmp0 (current, text) == 0)
    start_search (self, text);
}

static gboolean
online_timeout_cb (gpointer user_data)
{
  CabRecipientEntry *self = user_data;
  SearchData *data;
  GCancellable *cancellable;

  self->online_timeout_id = 0;
  g_free (self->online_text);
  self->online_text = g_steal_pointer (&self->online_pending);
  cancellable = cab_query_supersede (&self->online_slot);
  data = g_new0 (SearchData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (self->online_text);
  cab_directory_search_async (self->directory, self->online_text, NULL, cancellable, online_cb, data);
  return G_SOURCE_REMOVE;
}

/* Once per text: the answer after the directory's own is not asked again. */
static void
schedule_online (CabRecipientEntry *self,
                 const char        *text)
{
  if (self->directory == NULL || g_strcmp0 (text, self->online_text) == 0)
    return;
  g_free (self->online_pending);
  self->online_pending = g_strdup (text);
  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  self->online_timeout_id = g_timeout_add (ONLINE_DEBOUNCE_MS, online_timeout_cb, self);
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SearchData *data = user_data;
  g_autoptr(CabRecipientEntry) self = data->self;
  g_autofree char *text = data->text;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) model = cab_correspondents_search_finish (result, &error);
  guint n;

  g_free (data);
  if (model == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot complete the recipient: %s", error->message);
      return;
    }
  if (g_list_model_get_n_items (model) < ONLINE_BELOW)
    schedule_online (self, text);
  g_free (self->answered_text);
  self->answered_text = g_steal_pointer (&text);
  g_ptr_array_set_size (self->shown, 0);
  clear_list (self->suggestions);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CabCorrespondent) c = g_list_model_get_item (model, i);

      /* Already a recipient: not offered again. */
      if (find_address (self, cab_correspondent_get_address (c)) >= 0)
        continue;
      g_ptr_array_add (self->shown, g_strdup (cab_correspondent_get_address (c)));
      gtk_list_box_append (self->suggestions, suggestion_row (c));
    }
  if (self->shown->len == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      gtk_popover_popdown (self->popover);
      return;
    }
  gtk_list_box_select_row (self->suggestions, gtk_list_box_get_row_at_index (self->suggestions, 0));
  gtk_popover_popup (self->popover);
}

static void
start_search (CabRecipientEntry *self,
              const char        *text)
{
  GCancellable *cancellable;
  SearchData *data;

  /* A keystroke restarts the pause; a directory search for other text is
   * of no use any more. */
  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  if (g_strcmp0 (text, self->online_text) != 0)
    cab_query_cancel (&self->online_slot);
  if (self->store == NULL || text == NULL || g_utf8_strlen (text, -1) < 2)
    {
      hide_suggestions (self);
      g_clear_pointer (&self->answered_text, g_free);
      return;
    }
  cancellable = cab_query_supersede (&self->search_slot);
  data = g_new0 (SearchData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  cab_correspondents_search_async (self->store, text, 8, cancellable, search_cb, data);
}

static void
text_changed_cb (CabRecipientEntry *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->text));
  const char *sep;

  if (self->committing)
    return;
  show_error (self, NULL);
  /* A separator typed or pasted: what is before it is an address. */
  sep = strpbrk (text, ",;");
  if (sep != NULL)
    {
      cab_recipient_entry_commit_text (self);
      return;
    }
  {
    g_autofree char *stripped = g_strstrip (g_strdup (text));

    start_search (self, stripped);
  }
}

static gboolean
choose_row (CabRecipientEntry *self,
            GtkListBoxRow     *row)
{
  const char *address = g_object_get_data (G_OBJECT (row), "address");
  const char *name = g_object_get_data (G_OBJECT (row), "name");
  g_autofree char *copy = g_strdup (address);
  g_autofree char *name_copy = g_strdup (name);

  hide_suggestions (self);
  if (!cab_recipient_entry_add (self, copy, name_copy))
    return FALSE;
  self->committing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->text), "");
  self->committing = FALSE;
  return TRUE;
}

static void
suggestion_activated_cb (CabRecipientEntry *self,
                         GtkListBoxRow     *row)
{
  choose_row (self, row);
  gtk_widget_grab_focus (GTK_WIDGET (self->text));
}

static void
text_activate_cb (CabRecipientEntry *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->suggestions);

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)) && row != NULL)
    choose_row (self, row);
  else
    cab_recipient_entry_commit_text (self);
}

gboolean
cab_recipient_entry_commit_text (CabRecipientEntry *self)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  gboolean ok = TRUE;
  GString *rest = g_string_new (NULL);

  g_return_val_if_fail (CAB_IS_RECIPIENT_ENTRY (self), FALSE);

  text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->text)));
  hide_suggestions (self);
  parts = g_strsplit_set (text, ",; ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part == '\0')
        continue;
      /* "Name <address>" pasted from another program. */
      if (strchr (part, '<') != NULL && g_str_has_suffix (part, ">"))
        {
          part = strchr (part, '<') + 1;
          part[strlen (part) - 1] = '\0';
        }
      if (!cab_recipient_entry_add (self, part, NULL))
        {
          ok = FALSE;
          g_string_append_printf (rest, "%s%s", rest->len > 0 ? ", " : "", part);
        }
    }
  /* What was refused stays in the field, to be corrected. */
  self->committing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->text), rest->str);
  gtk_editable_set_position (GTK_EDITABLE (self->text), -1);
  self->committing = FALSE;
  g_string_free (rest, TRUE);
  return ok;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CabRecipientEntry     *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->suggestions);
  int index = row != NULL ? gtk_list_box_row_get_index (row) : -1;
  gboolean shown = gtk_widget_get_visible (GTK_WIDGET (self->popover));

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_Up:
      if (!shown)
        return FALSE;
      index += keyval == GDK_KEY_Down ? 1 : -1;
      if (index >= 0 && (guint) index < self->shown->len)
        gtk_list_box_select_row (self->suggestions, gtk_list_box_get_row_at_index (self->suggestions, index));
      return TRUE;
    case GDK_KEY_Escape:
      if (!shown)
        return FALSE;
      hide_suggestions (self);
      return TRUE;
    case GDK_KEY_BackSpace:
      /* Backspace in an empty field takes the last chip back. */
      if (*gtk_editable_get_text (GTK_EDITABLE (self->text)) == '\0' && self->addresses->len > 0)
        {
          g_autofree char *last = g_strdup (self->addresses->pdata[self->addresses->len - 1]);

          cab_recipient_entry_remove (self, last);
          return TRUE;
        }
      return FALSE;
    case GDK_KEY_Tab:
      if (shown && row != NULL)
        {
          choose_row (self, row);
          return TRUE;
        }
      return FALSE;
    default:
      return FALSE;
    }
}

/* Leaving the field keeps what looks like an address; a name half typed
 * stays text (a click on a suggestion may be what took the focus). */
static void
focus_leave_cb (GtkEventControllerFocus *controller,
                CabRecipientEntry       *self)
{
  if (strchr (gtk_editable_get_text (GTK_EDITABLE (self->text)), '@') != NULL)
    cab_recipient_entry_commit_text (self);
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
cab_recipient_entry_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  CabRecipientEntry *self = CAB_RECIPIENT_ENTRY (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static GtkSizeRequestMode
cab_recipient_entry_get_request_mode (GtkWidget *widget)
{
  /* The chips wrap: their height depends on the width given. */
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cab_recipient_entry_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  CabRecipientEntry *self = CAB_RECIPIENT_ENTRY (widget);

  graphene_rect_t bounds;

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  /* The suggestions open under the text field, as wide as it. */
  if (gtk_widget_compute_bounds (GTK_WIDGET (self->text), widget, &bounds))
    {
      GdkRectangle rect = { (int) bounds.origin.x, (int) bounds.origin.y,
                            (int) bounds.size.width, (int) bounds.size.height };

      gtk_popover_set_pointing_to (self->popover, &rect);
      gtk_widget_set_size_request (GTK_WIDGET (self->popover), MAX (320, rect.width), -1);
    }
  gtk_popover_present (self->popover);
}

static void
cab_recipient_entry_dispose (GObject *object)
{
  CabRecipientEntry *self = CAB_RECIPIENT_ENTRY (object);

  cab_query_cancel (&self->search_slot);
  cab_query_cancel (&self->online_slot);
  g_clear_handle_id (&self->online_timeout_id, g_source_remove);
  g_clear_object (&self->directory);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_RECIPIENT_ENTRY);
  G_OBJECT_CLASS (cab_recipient_entry_parent_class)->dispose (object);
}

static void
cab_recipient_entry_finalize (GObject *object)
{
  CabRecipientEntry *self = CAB_RECIPIENT_ENTRY (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->answered_text, g_free);
  g_clear_pointer (&self->online_text, g_free);
  g_clear_pointer (&self->online_pending, g_free);
  g_ptr_array_unref (self->addresses);
  g_ptr_array_unref (self->names);
  g_ptr_array_unref (self->shown);
  G_OBJECT_CLASS (cab_recipient_entry_parent_class)->finalize (object);
}

static gboolean
cab_recipient_entry_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CAB_RECIPIENT_ENTRY (widget)->text));
}

static void
cab_recipient_entry_class_init (CabRecipientEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_recipient_entry_dispose;
  object_class->finalize = cab_recipient_entry_finalize;
  widget_class->measure = cab_recipient_entry_measure;
  widget_class->size_allocate = cab_recipient_entry_size_allocate;
  widget_class->get_request_mode = cab_recipient_entry_get_request_mode;
  widget_class->grab_focus = cab_recipient_entry_grab_focus;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/compose/cab-recipient-entry.ui");
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, box);
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, chips);
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, text);
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, error_label);
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, popover);
  gtk_widget_class_bind_template_child (widget_class, CabRecipientEntry, suggestions);
  gtk_widget_class_bind_template_callback (widget_class, text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, suggestion_activated_cb);
  gtk_widget_class_set_css_name (widget_class, "cabrecipiententry");
}

static void
cab_recipient_entry_init (CabRecipientEntry *self)
{
  GtkEventController *key, *focus;

  self->addresses = g_ptr_array_new_with_free_func (g_free);
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->shown = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text), key);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text), focus);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

GtkWidget *
cab_recipient_entry_new (void)
{
  return g_object_new (CAB_TYPE_RECIPIENT_ENTRY, NULL);
}

void
cab_recipient_entry_set_store (CabRecipientEntry *self,
                               CabStore          *store)
{
  g_return_if_fail (CAB_IS_RECIPIENT_ENTRY (self));

  g_set_object (&self->store, store);
}

void
cab_recipient_entry_set_directory (CabRecipientEntry *self,
                                   CabDirectory      *directory)
{
  g_return_if_fail (CAB_IS_RECIPIENT_ENTRY (self));

  g_set_object (&self->directory, directory);
}

void
cab_recipient_entry_set_check (CabRecipientEntry *self,
                               CabRecipientCheck  check,
                               gpointer           user_data)
{
  g_return_if_fail (CAB_IS_RECIPIENT_ENTRY (self));

  self->check = check;
  self->check_data = user_data;
}

const char *
cab_recipient_entry_get_error (CabRecipientEntry *self)
{
  g_return_val_if_fail (CAB_IS_RECIPIENT_ENTRY (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_label (self->error_label) : NULL;
}

GtkEditable *
cab_recipient_entry_get_text_field (CabRecipientEntry *self)
{
  return GTK_EDITABLE (self->text);
}

char **
cab_recipient_entry_dup_suggestions (CabRecipientEntry *self)
{
  GStrvBuilder *b;
  char **out;

  if (self->shown->len == 0)
    return NULL;
  b = g_strv_builder_new ();
  for (guint i = 0; i < self->shown->len; i++)
    g_strv_builder_add (b, self->shown->pdata[i]);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

const char *
cab_recipient_entry_get_answered_text (CabRecipientEntry *self)
{
  return self->answered_text;
}

gboolean
cab_recipient_entry_choose_suggestion (CabRecipientEntry *self,
                                       guint              index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->suggestions, index);

  return row != NULL && choose_row (self, row);
}
