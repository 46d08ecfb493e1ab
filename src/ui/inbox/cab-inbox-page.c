/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-inbox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cab-inbox-counts.h"
#include "cab-inbox-page.h"
#include "compose/cab-composer.h"
#include "cab-mail-seen.h"
#include "cab-mail-triage.h"
#include "cab-query.h"
#include "cab-mail-watcher.h"
#include "cab-inbox-row.h"
#include "widgets/cab-reveal-model.h"
#include "widgets/cab-row-factory.h"
#include "widgets/cab-tooltip.h"
#include "viewer/cab-pdf-viewer.h"

struct _CabInboxPage
{
  GtkWidget            parent_instance;

  CabSession          *session;
  CabMailWatcher      *watcher;
  char                *mail_account;
  CabInboxList        *list;
  CabRevealModel      *reveal;         /* what the list view shows of list */
  GtkSingleSelection  *selection;
  gint64               selected_id;    /* kept across reloads, 0: none */
  gint64               last_triaged;   /* what Ctrl+Z undoes, 0: nothing */
  guint                n_triaged;      /* triage actions finished (tests) */
  GtkWindow           *viewer_window;  /* weak */
  guint                n_to_triage;    /* the sidebar's counts */
  guint                n_unread;
  GCancellable        *counts_query;
  guint                n_seen;         /* read/unread changes finished (tests) */

  GtkStack            *page_stack;
  GtkRevealer         *sync_revealer;
  GtkLabel            *sync_label;
  GtkSearchEntry      *search_entry;
  GtkToggleButton     *filter_to_triage;
  GtkToggleButton     *filter_mine;
  GtkToggleButton     *filter_handled;
  GtkToggleButton     *filter_all;
  GtkLabel            *count_label;
  GtkStack            *list_stack;
  GtkListView         *list_view;
  AdwStatusPage       *empty_page;
  GtkStack            *reader_stack;
  /* Built at the first message chosen (ensure_reader), NULL until then. */
  CabInboxReader      *reader;
};

G_DEFINE_FINAL_TYPE (CabInboxPage, cab_inbox_page, GTK_TYPE_WIDGET)

/* GTK 4.8's list view keeps a row for up to 200 items around the visible
 * ones (GTK_LIST_VIEW_MAX_LIST_ITEMS): as many are worth keeping aside. */
#define MAX_SPARE_ROWS 200

/* The rest of a list is shown this many rows a frame (cab-reveal-model.h):
 * a screenful of 63 px rows in an 800 px list, each row built (or taken
 * from the spare ones) and measured in that frame. A list that was empty
 * shows its first page whole (FIRST_PAGE in cab-inbox-list.c). */
#define REVEAL_FIRST 20
#define REVEAL_STEP  12
/* No more of the first page than fill the list (each one a row built and
 * measured before the first frame): a row is 63 px at the default font,
 * less with a smaller one. */
#define ROW_HEIGHT_MIN 56

enum {
  PROP_0,
  PROP_SESSION,
  PROP_MAIL_ACCOUNT,
  PROP_N_TO_TRIAGE,
  PROP_N_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static CabInboxReader *ensure_reader (CabInboxPage *self);

/* ------------------------------------------------------------- state */

static void
update_state (CabInboxPage *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  guint n_total = cab_inbox_list_get_n_total (self->list);
  const GError *error = cab_inbox_list_get_error (self->list);
  g_autofree char *count = NULL;

  /* Nothing stored and nowhere to read mail from: say where to set it up. */
  gtk_stack_set_visible_child_name (self->page_stack,
                                    self->mail_account == NULL && n_total == 0 && error == NULL &&
                                    cab_inbox_list_get_n_loads (self->list) > 0 ? "no-account" : "inbox");
  gtk_stack_set_visible_child_name (self->list_stack, n_items > 0 ? "list" : "empty");
  if (error != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("The Inbox Cannot Be Read"));
      adw_status_page_set_description (self->empty_page, error->message);
    }
  else if (cab_inbox_list_get_text (self->list) != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Message Found"));
      adw_status_page_set_description (self->empty_page, _("No message of this list has these words. Try other words, or the “All” list."));
    }
  else if (n_total == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Messages Yet"));
      adw_status_page_set_description (self->empty_page, _("New MSSanté messages appear here after each synchronization."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("Nothing Here"));
      adw_status_page_set_description (self->empty_page, cab_inbox_list_get_filter (self->list) == CAB_INBOX_FILTER_TO_TRIAGE
                                                         ? _("Every message has been triaged.")
                                                         : _("No message in this list."));
    }
  count = g_strdup_printf (ngettext ("%u message", "%u messages", n_items), n_items);
  if (self->watcher != NULL && cab_mail_watcher_get_state (self->watcher) == CAB_MAIL_WATCHER_SYNCING)
    {
      /* Translators: after "16 messages" while the mailbox is being read */
      g_autofree char *syncing = g_strdup_printf (_("%s · receiving…"), count);
      gtk_label_set_label (self->count_label, syncing);
    }
  else if (self->watcher != NULL && cab_mail_watcher_get_last_synced (self->watcher) > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (cab_mail_watcher_get_last_synced (self->watcher));
      g_autofree char *time = g_date_time_format (when, "%H:%M");
      /* Translators: after "16 messages": when the mailbox was last read */
      g_autofree char *synced = g_strdup_printf (_("%s · up to date at %s"), count, time);
      gtk_label_set_label (self->count_label, synced);
    }
  else
    gtk_label_set_label (self->count_label, count);
}

static void
list_loaded_cb (CabInboxPage *self,
                CabInboxList *list)
{
  guint position = self->selected_id != 0 ? cab_inbox_list_find (list, self->selected_id) : G_MAXUINT;

  /* The message being read stays selected when a reload keeps it, even
   * when the list view does not show it yet. */
  if (position != G_MAXUINT)
    gtk_single_selection_set_selected (self->selection, cab_reveal_model_show (self->reveal, position));
  update_state (self);
}

/* The first page of an answer shows before the rest is read. */
static void
items_changed_cb (CabInboxPage *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *list)
{
  if (g_list_model_get_n_items (list) > 0)
    {
      gtk_stack_set_visible_child_name (self->page_stack, "inbox");
      gtk_stack_set_visible_child_name (self->list_stack, "list");
    }
}

static void
set_counts (CabInboxPage *self,
            guint         n_to_triage,
            guint         n_unread)
{
  if (self->n_to_triage != n_to_triage)
    {
      self->n_to_triage = n_to_triage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TO_TRIAGE]);
    }
  if (self->n_unread != n_unread)
    {
      self->n_unread = n_unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNREAD]);
    }
}

/* Each answer of the list brings the whole inbox's counts. */
static void
counts_cb (CabInboxPage *self,
           GParamSpec   *pspec,
           CabInboxList *list)
{
  cab_query_cancel (&self->counts_query);
  set_counts (self, cab_inbox_list_get_n_to_triage (list), cab_inbox_list_get_n_unread (list));
}

static void
counts_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CabInboxPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree CabInboxCounts *counts = cab_inbox_query_counts_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->counts_query);
  if (counts == NULL)
    {
      g_debug ("Cannot count the inbox: %s", error->message);
      return;
    }
  set_counts (self, counts->n_to_triage, counts->n_unread);
}

/* Without reading the list again (a message read is not a new list). */
static void
refresh_counts (CabInboxPage *self)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;

  if (store != NULL)
    cab_inbox_query_counts_async (store, cab_query_supersede (&self->counts_query), counts_done_cb,
                                  g_object_ref (self));
}

static void
seen_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CabInboxPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  self->n_seen++;
  if (!cab_mail_seen_set_finish (result, &changed, &error))
    {
      g_signal_emit (self, signals[TOAST], 0, error->message);
      return;
    }
  if (changed)
    refresh_counts (self);
}

/* Read (opened) or unread: the row at once, the store and the server's
 * \Seen behind it (cab-mail-seen.h). */
static void
set_seen (CabInboxPage *self,
          CabInboxItem *item,
          gboolean      seen)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;

  if (store == NULL || item == NULL)
    return;
  cab_inbox_item_set_unread (item, !seen);
  cab_mail_seen_set_async (store, cab_session_get_outbox (self->session), cab_inbox_item_get_id (item), seen,
                           NULL, seen_done_cb, g_object_ref (self));
}

static void
selection_changed_cb (CabInboxPage       *self,
                      GParamSpec         *pspec,
                      GtkSingleSelection *selection)
{
  CabInboxItem *item = gtk_single_selection_get_selected_item (selection);

  /* An items-changed that dropped the row unselects for a moment: the
   * reload's answer selects it again (list_loaded_cb). */
  if (item == NULL && cab_inbox_list_get_loading (self->list))
    return;
  /* Opening a message reads it; the same one again after a reload (or
   * after "Mark as Unread") is not opened anew. */
  if (item != NULL && cab_inbox_item_get_id (item) != self->selected_id && cab_inbox_item_get_unread (item))
    set_seen (self, item, TRUE);
  self->selected_id = item != NULL ? cab_inbox_item_get_id (item) : 0;
  if (item != NULL || self->reader != NULL)
    cab_inbox_reader_set_item (ensure_reader (self), item);
}

/* ---------------------------------------------------------- callbacks */

/* The mailbox's watcher: offline is said above the list, with why; the
 * messages already received stay shown (principle 1). */
static void
watcher_state_cb (CabInboxPage   *self,
                  GParamSpec     *pspec,
                  CabMailWatcher *watcher)
{
  if (cab_mail_watcher_get_state (watcher) == CAB_MAIL_WATCHER_OFFLINE)
    {
      const char *why = cab_mail_watcher_get_error_message (watcher);
      g_autofree char *text = g_strdup_printf (_("The mail server cannot be reached: %s. The messages already received are shown; Cabinet tries again by itself."),
                                               why != NULL ? why : _("no answer"));
      cab_inbox_page_set_sync_problem (self, text);
    }
  else if (cab_mail_watcher_get_state (watcher) == CAB_MAIL_WATCHER_IDLE)
    cab_inbox_page_set_sync_problem (self, NULL);
  update_state (self);
}

static void
watcher_changed_cb (CabInboxPage   *self,
                    CabMailWatcher *watcher)
{
  cab_inbox_list_reload (self->list);
  /* An indexing round may have read the PDFs of the message shown. */
  if (self->reader != NULL)
    cab_inbox_reader_refresh_text_state (self->reader);
}

static void
search_changed_cb (CabInboxPage   *self,
                   GtkSearchEntry *entry)
{
  cab_inbox_list_set_text (self->list, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
search_stop_cb (CabInboxPage   *self,
                GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* Enter in the search: read the first message found. */
static void
search_activate_cb (CabInboxPage   *self,
                    GtkSearchEntry *entry)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->list)) == 0)
    return;
  cab_inbox_page_select (self, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
filter_toggled_cb (CabInboxPage    *self,
                   GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  if (button == self->filter_to_triage)
    cab_inbox_list_set_filter (self->list, CAB_INBOX_FILTER_TO_TRIAGE);
  else if (button == self->filter_mine)
    cab_inbox_list_set_filter (self->list, CAB_INBOX_FILTER_ASSIGNED_TO_ME);
  else if (button == self->filter_handled)
    cab_inbox_list_set_filter (self->list, CAB_INBOX_FILTER_HANDLED);
  else
    cab_inbox_list_set_filter (self->list, CAB_INBOX_FILTER_ALL);
}

static void
open_document_cb (CabInboxPage   *self,
                  const char     *path,
                  const char     *title,
                  CabInboxReader *reader)
{
  cab_inbox_page_open_document (self, path, title);
}

typedef struct
{
  CabInboxPage        *page;
  CabMailTriageAction  action;
  gint64               mail_id;
  char                *assignee;  /* ASSIGN: whom, as the toast says it */
} Triage;

static void run_triage (CabInboxPage *self, CabMailTriageAction action, gint64 mail_id, const char *patient_id,
                        const char *practitioner, const char *assignee);

static void
undo_clicked_cb (AdwToast *toast,
                 gpointer  data)
{
  CabInboxPage *self = g_object_get_data (G_OBJECT (toast), "page");
  gint64 *mail_id = g_object_get_data (G_OBJECT (toast), "mail-id");

  if (self != NULL && mail_id != NULL)
    run_triage (self, CAB_MAIL_TRIAGE_UNDO, *mail_id, NULL, NULL, NULL);
}

/* A toast with Undo, in the window's overlay. */
static void
toast_with_undo (CabInboxPage *self,
                 const char   *text,
                 gint64        mail_id)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    {
      g_signal_emit (self, signals[TOAST], 0, text);
      return;
    }
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "page", g_object_ref (self), g_object_unref);
  g_object_set_data_full (G_OBJECT (toast), "mail-id", g_memdup2 (&mail_id, sizeof mail_id), g_free);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), NULL);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
triage_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autofree Triage *t = data;
  g_autoptr(CabInboxPage) self = t->page;
  g_autofree char *assignee = t->assignee;
  CabMailTriageResult out = { 0 };
  g_autoptr(GError) error = NULL;

  if (!cab_mail_triage_finish (result, &out, &error))
    {
      self->n_triaged++;
      /* The triage error says what to do (which documents, which patient). */
      g_signal_emit (self, signals[TOAST], 0, error->message);
      return;
    }
  guint n_filed = out.n_filed;

  cab_mail_triage_result_clear (&out);
  self->n_triaged++;
  self->last_triaged = t->action == CAB_MAIL_TRIAGE_UNDO ? 0 : t->mail_id;
  cab_inbox_list_reload (self->list);
  switch (t->action)
    {
    case CAB_MAIL_TRIAGE_FILE:
      {
        g_autofree char *text = g_strdup_printf (ngettext ("%u document filed", "%u documents filed", n_filed),
                                                 n_filed);
        toast_with_undo (self, text, t->mail_id);
      }
      break;
    case CAB_MAIL_TRIAGE_HANDLE:
      toast_with_undo (self, _("Message handled"), t->mail_id);
      break;
    case CAB_MAIL_TRIAGE_REOPEN:
      toast_with_undo (self, _("Message reopened"), t->mail_id);
      break;
    case CAB_MAIL_TRIAGE_ASSIGN:
      if (assignee != NULL)
        {
          /* Translators: a toast: "Assigned to Dr Jean MARTIN" */
          g_autofree char *text = g_strdup_printf (_("Assigned to %s"), assignee);
          toast_with_undo (self, text, t->mail_id);
        }
      else
        toast_with_undo (self, _("Back to triage"), t->mail_id);
      break;
    case CAB_MAIL_TRIAGE_UNDO:
      g_signal_emit (self, signals[TOAST], 0, _("Undone"));
      break;
    default:
      break;
    }
}

static void
run_triage (CabInboxPage        *self,
            CabMailTriageAction  action,
            gint64               mail_id,
            const char          *patient_id,
            const char          *practitioner,
            const char          *assignee)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;
  CabMailTriageRequest request = { action, mail_id, patient_id, practitioner, 0, NULL };
  Triage *t;

  if (store == NULL || mail_id == 0)
    return;
  t = g_new0 (Triage, 1);
  t->page = g_object_ref (self);
  t->action = action;
  t->mail_id = mail_id;
  t->assignee = g_strdup (assignee);
  cab_mail_triage_async (store, cab_session_get_outbox (self->session), &request, NULL, triage_done_cb, t);
}

/* A person chose (or confirmed) the patient: the message's documents are
 * filed to them (principle 4: a person decided). */
static void
patient_chosen_cb (CabInboxPage   *self,
                   const char     *patient_id,
                   CabInboxReader *reader)
{
  CabInboxItem *item = cab_inbox_reader_get_item (reader);

  if (item != NULL)
    run_triage (self, CAB_MAIL_TRIAGE_FILE, cab_inbox_item_get_id (item), patient_id, NULL, NULL);
}

/* A doctor chosen in the reading pane's "Assign to…" (NULL: nobody). */
static void
assign_cb (CabInboxPage   *self,
           const char     *practitioner,
           CabInboxReader *reader)
{
  CabInboxItem *item = cab_inbox_reader_get_item (reader);
  g_autofree char *name = NULL;

  if (item == NULL)
    return;
  name = cab_inbox_reader_get_practitioner_name (reader, practitioner);
  run_triage (self, CAB_MAIL_TRIAGE_ASSIGN, cab_inbox_item_get_id (item), NULL, practitioner, name);
}

/* The reading pane, built when first needed: its template (headers,
 * actions, match panel, documents, body: a few hundred widgets) cost
 * 3-4.5 ms of the Inbox page's first frame with no message chosen
 * (docs/architecture.md, "The Inbox page"). Until then reader_stack shows
 * the same empty state as the reader's own. */
static CabInboxReader *
ensure_reader (CabInboxPage *self)
{
  GtkWidget *reader;

  if (self->reader != NULL)
    return self->reader;
  reader = cab_inbox_reader_new ();
  gtk_widget_set_hexpand (reader, TRUE);
  g_signal_connect_object (reader, "open-document", G_CALLBACK (open_document_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (reader, "patient-chosen", G_CALLBACK (patient_chosen_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (reader, "assign", G_CALLBACK (assign_cb), self, G_CONNECT_SWAPPED);
  self->reader = CAB_INBOX_READER (reader);
  if (self->session != NULL)
    {
      cab_inbox_reader_set_session (self->reader, self->session);
      cab_inbox_reader_set_store (self->reader, cab_session_get_store (self->session));
    }
  gtk_stack_add_named (self->reader_stack, reader, "reader");
  gtk_stack_set_visible_child (self->reader_stack, reader);
  return self->reader;
}

/* "Assigned to me" is the desk's doctor's mail (the practitioner
 * setting); at a front desk (none) there is nobody's to show. */
static void
set_desk_practitioner (CabInboxPage *self,
                       const char   *practitioner)
{
  gboolean known = practitioner != NULL && g_str_has_prefix (practitioner, "Practitioner/") &&
                   practitioner[strlen ("Practitioner/")] != '\0';

  cab_inbox_list_set_assignee (self->list, known ? practitioner : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_mine), known);
  cab_tooltip_set_text (GTK_WIDGET (self->filter_mine), known
                        ? _("Assigned to me (Ctrl+2)")
                        : _("No doctor works at this desk: choose the desk’s doctor in Preferences to see their messages here."));
  if (!known && gtk_toggle_button_get_active (self->filter_mine))
    gtk_toggle_button_set_active (self->filter_to_triage, TRUE);
}

static void
store_changed_cb (CabInboxPage *self)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;

  /* A mailbox is set up when both its server and its user are. */
  if (config != NULL && config->imap_url != NULL && *config->imap_url && config->mail_user != NULL && *config->mail_user)
    {
      g_autofree char *account = g_strdup_printf ("%s (%s)", config->mail_user, config->imap_url);
      cab_inbox_page_set_mail_account (self, account);
    }
  else
    cab_inbox_page_set_mail_account (self, NULL);
  set_desk_practitioner (self, config != NULL ? config->practitioner : NULL);

  cab_inbox_list_set_store (self->list, store);
  if (self->reader != NULL)
    {
      cab_inbox_reader_set_session (self->reader, self->session);
      cab_inbox_reader_set_store (self->reader, store);
    }
}

static void
sync_finished_cb (CabInboxPage *self)
{
  /* Patients may have changed: matches' identity statuses are read again. */
  cab_inbox_list_reload (self->list);
}

static void
bind_row (GtkWidget *row,
          gpointer   item)
{
  cab_inbox_row_set_item (CAB_INBOX_ROW (row), item);
}

/* ----------------------------------------------------------- actions */

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cab_inbox_page_move (CAB_INBOX_PAGE (widget), g_variant_get_int32 (parameter));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cab_inbox_page_focus_search (CAB_INBOX_PAGE (widget));
}

static void
filter_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cab_inbox_page_set_filter (CAB_INBOX_PAGE (widget), g_variant_get_int32 (parameter));
}

/* Handled, or reopened when it already is. */
static void
handle_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);
  CabInboxItem *item = cab_inbox_page_get_selected (self);

  if (item == NULL)
    return;
  run_triage (self, g_strcmp0 (cab_inbox_item_get_status (item), "handled") == 0 ? CAB_MAIL_TRIAGE_REOPEN
                                                                                 : CAB_MAIL_TRIAGE_HANDLE,
              cab_inbox_item_get_id (item), NULL, NULL, NULL);
}

/* Files an auto match (the only one filed without a person's choice). */
static void
file_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);
  CabInboxItem *item = cab_inbox_page_get_selected (self);

  if (item != NULL)
    run_triage (self, CAB_MAIL_TRIAGE_FILE, cab_inbox_item_get_id (item), NULL, NULL, NULL);
}

/* Reply, reply to all, forward: the composer, with the message shown
 * (docs/architecture.md, "The composer"). */
static void
compose_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);
  const CabInboxMessage *message = self->reader != NULL ? cab_inbox_reader_get_message (self->reader) : NULL;
  CabComposerMode mode = g_str_equal (action_name, "inbox.forward") ? CAB_COMPOSER_FORWARD
                         : g_str_equal (action_name, "inbox.reply-all") ? CAB_COMPOSER_REPLY_ALL
                         : CAB_COMPOSER_REPLY;
  CabComposer *composer;

  if (message == NULL || self->session == NULL || cab_session_get_store (self->session) == NULL)
    return;
  composer = cab_composer_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session);
  cab_composer_set_message (composer, message, mode);
  gtk_window_present (GTK_WINDOW (composer));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);

  run_triage (self, CAB_MAIL_TRIAGE_UNDO, self->last_triaged, NULL, NULL, NULL);
}

static void
mark_unread_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);

  set_seen (self, cab_inbox_page_get_selected (self), FALSE);
}

static void
assign_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);

  /* No reading pane yet: no message chosen, nothing to assign. */
  if (self->reader != NULL)
    cab_inbox_reader_popup_assign (self->reader);
}

static void
choose_patient_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CabInboxPage *self = CAB_INBOX_PAGE (widget);

  if (self->reader != NULL)
    cab_inbox_reader_search_patient (self->reader);
}

/* ----------------------------------------------------------- GObject */

static void
cab_inbox_page_dispose (GObject *object)
{
  CabInboxPage *self = CAB_INBOX_PAGE (object);

  cab_query_cancel (&self->counts_query);
  if (self->viewer_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->viewer_window), (gpointer *) &self->viewer_window);
      gtk_window_destroy (self->viewer_window);
      self->viewer_window = NULL;
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->watcher != NULL)
    g_signal_handlers_disconnect_by_data (self->watcher, self);
  g_clear_object (&self->watcher);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_INBOX_PAGE);
  self->reader = NULL;   /* reader_stack's child, gone with it */
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->reveal);
  g_clear_object (&self->list);
  G_OBJECT_CLASS (cab_inbox_page_parent_class)->dispose (object);
}

static void
cab_inbox_page_finalize (GObject *object)
{
  CabInboxPage *self = CAB_INBOX_PAGE (object);

  g_free (self->mail_account);
  G_OBJECT_CLASS (cab_inbox_page_parent_class)->finalize (object);
}

static void
cab_inbox_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CabInboxPage *self = CAB_INBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_MAIL_ACCOUNT:
      g_value_set_string (value, self->mail_account);
      break;
    case PROP_N_TO_TRIAGE:
      g_value_set_uint (value, cab_inbox_page_get_n_to_triage (self));
      break;
    case PROP_N_UNREAD:
      g_value_set_uint (value, cab_inbox_page_get_n_unread (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CabInboxPage *self = CAB_INBOX_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cab_inbox_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_MAIL_ACCOUNT:
      cab_inbox_page_set_mail_account (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_inbox_page_class_init (CabInboxPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cab_inbox_page_dispose;
  object_class->finalize = cab_inbox_page_finalize;
  object_class->get_property = cab_inbox_page_get_property;
  object_class->set_property = cab_inbox_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAIL_ACCOUNT] =
    g_param_spec_string ("mail-account", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_TO_TRIAGE] = g_param_spec_uint ("n-to-triage", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_UNREAD] = g_param_spec_uint ("n-unread", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cabinet_sante/Cabinet/inbox/cab-inbox-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, page_stack);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, sync_revealer);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, sync_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, filter_to_triage);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, filter_mine);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, filter_handled);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, filter_all);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CabInboxPage, reader_stack);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_toggled_cb);

  /* Keyboard-first; every shortcut is listed in the shortcuts window. */
  gtk_widget_class_install_action (widget_class, "inbox.move", "i", move_action);
  gtk_widget_class_install_action (widget_class, "inbox.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "inbox.filter", "i", filter_action);
  gtk_widget_class_install_action (widget_class, "inbox.choose-patient", NULL, choose_patient_action);
  gtk_widget_class_install_action (widget_class, "inbox.file", NULL, file_action);
  gtk_widget_class_install_action (widget_class, "inbox.handle", NULL, handle_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "inbox.file", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "inbox.handle", NULL);
  gtk_widget_class_install_action (widget_class, "inbox.reply", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "inbox.reply-all", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "inbox.forward", NULL, compose_action);
  gtk_widget_class_install_action (widget_class, "inbox.mark-unread", NULL, mark_unread_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK, "inbox.mark-unread", NULL);
  gtk_widget_class_install_action (widget_class, "inbox.assign", NULL, assign_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "inbox.assign", NULL);
  gtk_widget_class_install_action (widget_class, "inbox.undo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "inbox.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_CONTROL_MASK, "inbox.move", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_CONTROL_MASK, "inbox.move", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "inbox.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "inbox.choose-patient", NULL);
  for (int i = 0; i < 4; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK, "inbox.filter", "i", i);
}

static void
cab_inbox_page_init (CabInboxPage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Here, not in the template: a round trip to the X server each
   * (cab-tooltip.h). "Mine"'s is set_desk_practitioner ()'s. */
  cab_tooltip_set_text (GTK_WIDGET (self->filter_to_triage), _("Neither assigned nor handled (Ctrl+1)"));
  cab_tooltip_set_text (GTK_WIDGET (self->filter_handled), _("Handled messages (Ctrl+3)"));
  cab_tooltip_set_text (GTK_WIDGET (self->filter_all), _("Every message (Ctrl+4)"));

  self->list = cab_inbox_list_new (NULL);
  g_signal_connect_object (self->list, "loaded", G_CALLBACK (list_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "items-changed", G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::n-to-triage", G_CALLBACK (counts_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::n-unread", G_CALLBACK (counts_cb), self, G_CONNECT_SWAPPED);
  /* The rest of a long list a few rows a frame, not 200 rows built in
   * one (docs/architecture.md, "The Inbox page"). */
  self->reveal = cab_reveal_model_new (G_LIST_MODEL (self->list), REVEAL_FIRST, REVEAL_STEP);
  cab_reveal_model_set_view (self->reveal, GTK_WIDGET (self->list_view));
  cab_reveal_model_set_row_height (self->reveal, ROW_HEIGHT_MIN);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->reveal)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* A filter change replaces every row GTK keeps (200 for a long list):
   * they are kept for the new list rather than destroyed and built again
   * (cab-row-factory.h). */
  factory = cab_row_factory_new (cab_inbox_row_new, bind_row, MAX_SPARE_ROWS);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_stack_set_visible_child_name (self->page_stack, "inbox");
  set_desk_practitioner (self, NULL);
  update_state (self);
}

/* -------------------------------------------------------- public API */

GtkWidget *
cab_inbox_page_new (void)
{
  return g_object_new (CAB_TYPE_INBOX_PAGE, NULL);
}

void
cab_inbox_page_set_session (CabInboxPage *self,
                            CabSession   *session)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
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
      g_signal_connect_object (session, "mail-config-changed", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
    }
  store_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
cab_inbox_page_set_mail_account (CabInboxPage *self,
                                 const char   *account)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));

  if (account != NULL && *account == '\0')
    account = NULL;
  if (g_strcmp0 (self->mail_account, account) == 0)
    return;
  g_free (self->mail_account);
  self->mail_account = g_strdup (account);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAIL_ACCOUNT]);
}

void
cab_inbox_page_set_mail_watcher (CabInboxPage   *self,
                                 CabMailWatcher *watcher)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
  g_return_if_fail (watcher == NULL || CAB_IS_MAIL_WATCHER (watcher));

  if (self->watcher != NULL)
    g_signal_handlers_disconnect_by_data (self->watcher, self);
  if (!g_set_object (&self->watcher, watcher) || watcher == NULL)
    {
      cab_inbox_page_set_sync_problem (self, NULL);
      update_state (self);
      return;
    }
  g_signal_connect_object (watcher, "notify::state", G_CALLBACK (watcher_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "notify::error-message", G_CALLBACK (watcher_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (watcher, "changed", G_CALLBACK (watcher_changed_cb), self, G_CONNECT_SWAPPED);
  watcher_state_cb (self, NULL, watcher);
  cab_inbox_list_reload (self->list);
}

void
cab_inbox_page_reload (CabInboxPage *self)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
  cab_inbox_list_reload (self->list);
}

void
cab_inbox_page_focus_search (CabInboxPage *self)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
cab_inbox_page_set_filter (CabInboxPage   *self,
                           CabInboxFilter  filter)
{
  GtkToggleButton *buttons[] = { self->filter_to_triage, self->filter_mine, self->filter_handled, self->filter_all };

  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
  g_return_if_fail (filter <= CAB_INBOX_FILTER_ALL);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (buttons[filter])))
    {
      /* Ctrl+2 at a front desk: say why there is nothing. */
      g_signal_emit (self, signals[TOAST], 0, gtk_widget_get_tooltip_text (GTK_WIDGET (buttons[filter])));
      return;
    }
  gtk_toggle_button_set_active (buttons[filter], TRUE);
}

void
cab_inbox_page_move (CabInboxPage *self,
                     int           delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  guint selected = gtk_single_selection_get_selected (self->selection);
  guint next;

  g_return_if_fail (CAB_IS_INBOX_PAGE (self));

  if (n == 0)
    return;
  /* In the list's positions: the next message may not be shown yet. */
  if (selected != GTK_INVALID_LIST_POSITION)
    selected = cab_reveal_model_get_model_position (self->reveal, selected);
  if (selected == GTK_INVALID_LIST_POSITION)
    next = delta >= 0 ? 0 : n - 1;
  else if (delta < 0)
    next = selected > 0 ? selected - 1 : 0;
  else
    next = MIN (selected + 1, n - 1);
  next = cab_reveal_model_show (self->reveal, next);
  gtk_single_selection_set_selected (self->selection, next);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", next);
}

void
cab_inbox_page_set_sync_problem (CabInboxPage *self,
                                 const char   *text)
{
  g_return_if_fail (CAB_IS_INBOX_PAGE (self));

  if (text != NULL)
    gtk_label_set_label (self->sync_label, text);
  gtk_revealer_set_reveal_child (self->sync_revealer, text != NULL);
}

guint
cab_inbox_page_get_n_to_triage (CabInboxPage *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_PAGE (self), 0);
  return self->n_to_triage;
}

guint
cab_inbox_page_get_n_unread (CabInboxPage *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_PAGE (self), 0);
  return self->n_unread;
}

GtkWidget *
cab_inbox_page_get_filter_button (CabInboxPage   *self,
                                  CabInboxFilter  filter)
{
  GtkToggleButton *buttons[] = { self->filter_to_triage, self->filter_mine, self->filter_handled, self->filter_all };

  g_return_val_if_fail (filter <= CAB_INBOX_FILTER_ALL, NULL);
  return GTK_WIDGET (buttons[filter]);
}

guint
cab_inbox_page_get_n_seen (CabInboxPage *self)
{
  return self->n_seen;
}

CabInboxList *
cab_inbox_page_get_list (CabInboxPage *self)
{
  return self->list;
}

CabInboxReader *
cab_inbox_page_get_reader (CabInboxPage *self)
{
  return ensure_reader (self);
}

gboolean
cab_inbox_page_has_reader (CabInboxPage *self)
{
  return self->reader != NULL;
}

GtkListView *
cab_inbox_page_get_list_view (CabInboxPage *self)
{
  return self->list_view;
}

CabInboxItem *
cab_inbox_page_get_selected (CabInboxPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

void
cab_inbox_page_select (CabInboxPage *self,
                       guint         position)
{
  if (position != GTK_INVALID_LIST_POSITION)
    position = cab_reveal_model_show (self->reveal, position);
  gtk_single_selection_set_selected (self->selection, position);
}

const char *
cab_inbox_page_get_state (CabInboxPage *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->page_stack);

  if (g_strcmp0 (page, "no-account") == 0)
    return page;
  return gtk_stack_get_visible_child_name (self->list_stack);
}

GtkWindow *
cab_inbox_page_get_viewer_window (CabInboxPage *self)
{
  return self->viewer_window;
}

void
cab_inbox_page_open_document (CabInboxPage *self,
                              const char   *path,
                              const char   *title)
{
  GtkWidget *viewer, *box, *header;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GFile) file = NULL;

  g_return_if_fail (CAB_IS_INBOX_PAGE (self));
  g_return_if_fail (path != NULL);

  if (self->viewer_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->viewer_window), (gpointer *) &self->viewer_window);
      gtk_window_destroy (self->viewer_window);
    }
  self->viewer_window = GTK_WINDOW (adw_window_new ());
  g_object_add_weak_pointer (G_OBJECT (self->viewer_window), (gpointer *) &self->viewer_window);
  gtk_window_set_title (self->viewer_window, title);
  gtk_window_set_default_size (self->viewer_window, 900, 1000);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (self->viewer_window, GTK_WINDOW (root));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  viewer = GTK_WIDGET (cab_pdf_viewer_new ());
  gtk_widget_set_vexpand (viewer, TRUE);
  gtk_box_append (GTK_BOX (box), viewer);
  adw_window_set_content (ADW_WINDOW (self->viewer_window), box);
  file = g_file_new_for_path (path);
  cab_pdf_viewer_set_suggested_name (CAB_PDF_VIEWER (viewer), title);
  cab_pdf_viewer_load_file (CAB_PDF_VIEWER (viewer), file);
  gtk_window_present (self->viewer_window);
}

const char *
cab_inbox_page_get_sync_problem (CabInboxPage *self)
{
  if (!gtk_revealer_get_reveal_child (self->sync_revealer))
    return NULL;
  return gtk_label_get_label (self->sync_label);
}

const char *
cab_inbox_page_get_count_text (CabInboxPage *self)
{
  return gtk_label_get_label (self->count_label);
}

guint
cab_inbox_page_get_n_triaged (CabInboxPage *self)
{
  return self->n_triaged;
}
