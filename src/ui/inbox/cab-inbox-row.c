/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-inbox"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-inbox-format.h"
#include "cab-inbox-row.h"

struct _CabInboxRow
{
  GtkWidget     parent_instance;

  CabInboxItem *item;

  GtkWidget    *grid;
  GtkWidget    *unread_dot;
  GtkLabel     *sender_label;
  GtkLabel     *date_label;
  GtkLabel     *subject_label;
  GtkLabel     *match_badge;
  GtkWidget    *attachment_icon;
  GtkWidget    *problem_icon;
  GtkLabel     *assignee_label;
  GtkLabel     *type_label;
};

G_DEFINE_FINAL_TYPE (CabInboxRow, cab_inbox_row, GTK_TYPE_WIDGET)

/* Read or unread can change in place (the page marks it). */
static void
unread_changed_cb (CabInboxRow  *self,
                   GParamSpec   *pspec,
                   CabInboxItem *item)
{
  const char *subject = cab_inbox_item_get_subject (item);
  const char *assignee = cab_inbox_item_get_assignee_display (item);
  g_autofree char *a11y = NULL;
  gboolean unread = cab_inbox_item_get_unread (item);

  /* Hidden, it keeps its room: the senders stay aligned. */
  gtk_widget_set_opacity (self->unread_dot, unread ? 1 : 0);
  if (unread)
    gtk_widget_add_css_class (GTK_WIDGET (self), "cab-inbox-unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "cab-inbox-unread");
  if (assignee == NULL)
    assignee = cab_inbox_item_get_assignee (item);
  /* Translators: how a screen reader says a message of the list: sender, subject, match badge */
  a11y = g_strdup_printf (_("%s: %s (%s)"), cab_inbox_item_get_sender (item), subject,
                          cab_inbox_match_label (cab_inbox_item_get_match_state (item)));
  if (unread)
    {
      /* Translators: a screen reader's words for an unread message of the list */
      g_autofree char *more = g_strdup_printf (_("Unread, %s"), a11y);
      g_free (a11y);
      a11y = g_steal_pointer (&more);
    }
  if (assignee != NULL)
    {
      /* Translators: a screen reader's words for a message assigned to a doctor */
      g_autofree char *more = g_strdup_printf (_("%s, assigned to %s"), a11y, assignee);
      g_free (a11y);
      a11y = g_steal_pointer (&more);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

/* Tooltips are answered when asked, not set at each bind: in GTK 4.8 every
 * gtk_widget_set_tooltip_text() re-queries the pointer, a round trip to
 * the X server per row (docs/architecture.md, "The Inbox page"). */
static gboolean
query_tooltip_cb (GtkWidget   *widget,
                  int          x,
                  int          y,
                  gboolean     keyboard,
                  GtkTooltip  *tooltip,
                  CabInboxRow *self)
{
  if (self->item == NULL)
    return FALSE;
  if (widget == GTK_WIDGET (self->match_badge))
    gtk_tooltip_set_text (tooltip, cab_inbox_match_reason (cab_inbox_item_get_match_reason (self->item)));
  else if (widget == self->problem_icon)
    gtk_tooltip_set_text (tooltip, _("A document does not match what the message declares, or could not be read"));
  else
    gtk_tooltip_set_text (tooltip, _("Assigned to this doctor"));
  return TRUE;
}

/* Only what differs from the row's last message: a label set to the same
 * text still lays itself out again. */
static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

void
cab_inbox_row_set_item (CabInboxRow  *self,
                        CabInboxItem *item)
{
  const char *subject, *assignee, *types;

  g_return_if_fail (CAB_IS_INBOX_ROW (self));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  g_signal_connect_object (item, "notify::unread", G_CALLBACK (unread_changed_cb), self, G_CONNECT_SWAPPED);
  subject = cab_inbox_item_get_subject (item);
  set_text (self->sender_label, cab_inbox_item_get_sender (item));
  set_text (self->date_label, cab_inbox_item_get_date_text (item));
  set_text (self->subject_label, *subject ? subject : _("(no subject)"));
  cab_inbox_match_badge_set_state (self->match_badge, cab_inbox_item_get_match_state (item));
  gtk_widget_set_visible (self->attachment_icon, cab_inbox_item_get_n_documents (item) > 0);
  gtk_widget_set_visible (self->problem_icon, cab_inbox_item_get_has_problem (item));
  types = cab_inbox_item_get_type_labels (item);
  set_text (self->type_label, types != NULL ? types : "");
  /* Whom it is assigned to: the doctor's name, else the reference. */
  assignee = cab_inbox_item_get_assignee_display (item);
  if (assignee == NULL)
    assignee = cab_inbox_item_get_assignee (item);
  set_text (self->assignee_label, assignee != NULL ? assignee : "");
  gtk_widget_set_visible (GTK_WIDGET (self->assignee_label), assignee != NULL);
  unread_changed_cb (self, NULL, item);
}

const char *
cab_inbox_row_get_assignee_text (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->assignee_label)) ? gtk_label_get_label (self->assignee_label) : NULL;
}

CabInboxItem *
cab_inbox_row_get_item (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return self->item;
}

const char *
cab_inbox_row_get_badge_text (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return gtk_label_get_label (self->match_badge);
}

static void
cab_inbox_row_dispose (GObject *object)
{
  CabInboxRow *self = CAB_INBOX_ROW (object);

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_clear_object (&self->item);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_INBOX_ROW);
  G_OBJECT_CLASS (cab_inbox_row_parent_class)->dispose (object);
}

static void
cab_inbox_row_class_init (CabInboxRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_inbox_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cabinet_sante/Cabinet/inbox/cab-inbox-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, grid);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, assignee_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, match_badge);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, attachment_icon);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, problem_icon);
  gtk_widget_class_bind_template_child (widget_class, CabInboxRow, type_label);
}

static void
cab_inbox_row_init (CabInboxRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->match_badge, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  g_signal_connect (self->problem_icon, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
  g_signal_connect (self->assignee_label, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
}

GtkWidget *
cab_inbox_row_new (void)
{
  return g_object_new (CAB_TYPE_INBOX_ROW, NULL);
}
