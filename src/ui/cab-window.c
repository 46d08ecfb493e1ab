/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "desk/cab-desk.h"
#include "cab-recent-patients-model.h"
#include "desk/cab-recent-patients.h"
#include "outbox/cab-outbox-page.h"
#include "preferences/cab-preferences-window.h"
#include "followup/cab-followup-page.h"
#include "inbox/cab-inbox-page.h"
#include "cab-application.h"
#include "cab-mail-watcher.h"
#include "cab-window-private.h"

struct _CabWindow
{
  AdwApplicationWindow  parent_instance;

  CabSession           *session;
  GSettings            *settings;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar;
  AdwWindowTitle       *window_title;
  GtkWidget            *sync_button;
  GtkSpinner           *sync_spinner;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkStack             *stack;
  AdwStatusPage        *patients_page;
  GtkProgressBar       *progress_bar;
  GtkWidget            *overview_sync_button;
  AdwActionRow         *last_sync_row;
  AdwActionRow         *server_row;
  AdwActionRow         *practice_row;
  AdwWindowTitle       *sidebar_title;
  CabDesk              *desk;
  CabRecentPatients    *recent_patients;
  GtkWidget            *search_button;
  GtkWidget            *home_button;
  CabOutboxPage        *outbox_page;
  GtkLabel             *outbox_badge;
  CabFollowupPage      *followup_page;
  GtkLabel             *followup_badge;
  GtkWidget            *followup_button;
  CabInboxPage         *inbox_page;
  GtkLabel             *inbox_badge;
  GtkLabel             *inbox_unread;

  CabUriLauncher        uri_launcher;
  gpointer              uri_launcher_data;
  GDestroyNotify        uri_launcher_destroy;

  GSignalGroup         *prefetch_signals;  /* the session's offline documents */

  char                 *status_text;
  char                 *last_toast;
  guint                 last_n_syncs;
};

G_DEFINE_FINAL_TYPE (CabWindow, cab_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static GDateTime *
parse_time (const char *iso)
{
  g_autoptr(GDateTime) utc = NULL;

  if (iso == NULL || iso[0] == '\0')
    return NULL;

  utc = g_date_time_new_from_iso8601 (iso, NULL);
  if (utc == NULL)
    return NULL;

  return g_date_time_to_local (utc);
}

/* "at 10:42" today, "on Nov 12 at 10:42" another day. */
static char *
format_when (GDateTime *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (now) == g_date_time_get_year (when) &&
      g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (when))
    /* xgettext:no-c-format */
    /* Translators: completes "last synchronized %s" for a time today; see g_date_time_format() */
    return g_date_time_format (when, _("at %H:%M"));

  /* xgettext:no-c-format */
  /* Translators: completes "last synchronized %s" for another day; see g_date_time_format() */
  return g_date_time_format (when, _("on %b %-d at %H:%M"));
}

static char *
build_status_text (CabWindow *self)
{
  CabSession *session = self->session;
  g_autoptr(GDateTime) last = parse_time (cab_session_get_last_sync (session));
  g_autofree char *when = last != NULL ? format_when (last) : NULL;
  guint done, total;

  switch (cab_session_get_status (session))
    {
    case CAB_SESSION_STATUS_OPENING:
      return g_strdup (_("Opening the local store…"));
    case CAB_SESSION_STATUS_UNCONFIGURED:
      return g_strdup (_("Not connected — no server configured"));
    case CAB_SESSION_STATUS_BROKEN:
      return g_strdup (_("Not connected"));
    case CAB_SESSION_STATUS_READY:
    default:
      break;
    }

  switch (cab_session_get_sync_state (session))
    {
    case CAB_SYNC_STATE_RUNNING:
      cab_session_get_progress (session, &done, &total);
      if (total == 0)
        return g_strdup (_("Synchronizing…"));
      return g_strdup_printf (ngettext ("Synchronizing… %u / %u patient",
                                        "Synchronizing… %u / %u patients", total),
                              done, total);

    case CAB_SYNC_STATE_OFFLINE:
      if (when == NULL)
        return g_strdup (_("Offline — never synchronized"));
      /* Translators: %s is "at 10:42" or "on Nov 12 at 10:42" */
      return g_strdup_printf (_("Offline — last synchronized %s"), when);

    case CAB_SYNC_STATE_FAILED:
      if (when == NULL)
        return g_strdup (_("Synchronization failed — never synchronized"));
      /* Translators: %s is "at 10:42" or "on Nov 12 at 10:42" */
      return g_strdup_printf (_("Synchronization failed — last synchronized %s"), when);

    case CAB_SYNC_STATE_IDLE:
    default:
      if (when == NULL)
        return g_strdup (_("Not synchronized yet"));
      /* Translators: %s is "at 10:42" or "on Nov 12 at 10:42" */
      return g_strdup_printf (_("Up to date — last synchronized %s"), when);
    }
}

/* By code, never by message: messages are translated. */
static gboolean
is_tls_error (const GError *error)
{
  return error->domain == G_TLS_ERROR || cab_fhir_client_error_is_tls (error);
}

static gboolean
is_ca_file_error (const GError *error)
{
  return g_error_matches (error, CAB_FHIR_CLIENT_ERROR, CAB_FHIR_CLIENT_ERROR_CA_FILE);
}

/* What went wrong and what to do about it; NULL when the header says enough
 * (offline: the store still serves). */
static char *
describe_error (CabWindow    *self,
                const GError *error)
{
  const CabConfig *config = cab_session_get_config (self->session);

  if (error == NULL)
    return NULL;

  if (error->domain == CAB_STORE_ERROR)
    return g_strdup_printf (_("The local store could not be opened: %s. Check that the data folder is writable and not full."),
                            error->message);

  /* Its message names the file and the reason: that is the action. */
  if (is_ca_file_error (error))
    return g_strdup (error->message);

  if (is_tls_error (error))
    {
      if (config->ca_file != NULL && config->ca_file[0] != '\0')
        return g_strdup_printf (_("The server’s certificate is not signed by the certificate authority in “%s”, so Cabinet did not connect. Check that this file belongs to this server."),
                                config->ca_file);
      return g_strdup (_("The server’s certificate is not trusted, so Cabinet did not connect. If the server uses its own certificate authority, give its file with --ca."));
    }

  if (error->domain == CAB_FHIR_ERROR)
    {
      switch (error->code)
        {
        case CAB_FHIR_ERROR_UNAUTHORIZED:
          return g_strdup (_("The server refused the access token. Check the token given with --token, or sign in again."));
        case CAB_FHIR_ERROR_FORBIDDEN:
          return g_strdup_printf (_("The server refused access: %s"), error->message);
        case CAB_FHIR_ERROR_NETWORK:
          return NULL;
        default:
          break;
        }
    }

  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR)
    {
      if (error->domain == G_RESOLVER_ERROR ||
          error->code == G_IO_ERROR_CONNECTION_REFUSED ||
          error->code == G_IO_ERROR_HOST_UNREACHABLE ||
          error->code == G_IO_ERROR_NETWORK_UNREACHABLE ||
          error->code == G_IO_ERROR_TIMED_OUT ||
          error->code == G_IO_ERROR_CONNECTION_CLOSED)
        return NULL;
      if (error->code == G_IO_ERROR_NOT_FOUND || error->code == G_IO_ERROR_PERMISSION_DENIED)
        return g_strdup_printf (_("A file Cabinet needs could not be read: %s"), error->message);
    }

  return g_strdup_printf (_("Synchronization failed: %s"), error->message);
}

static void
update_banner (CabWindow *self)
{
  const GError *error = cab_session_get_error (self->session);
  g_autofree char *text = describe_error (self, error);

  /* Not set up at all: whatever the reason, say it. */
  if (text == NULL && error != NULL &&
      cab_session_get_status (self->session) == CAB_SESSION_STATUS_BROKEN)
    text = g_strdup (error->message);

  if (text != NULL)
    gtk_label_set_text (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner_revealer, text != NULL);
}

static void
update_overview (CabWindow *self)
{
  CabSession *session = self->session;
  const CabConfig *config = cab_session_get_config (session);
  CabSessionStatus status = cab_session_get_status (session);
  gint64 count = cab_session_get_patient_count (session);
  gboolean running = cab_session_get_sync_state (session) == CAB_SYNC_STATE_RUNNING;
  g_autoptr(GDateTime) last = parse_time (cab_session_get_last_sync (session));
  g_autofree char *title = NULL;
  g_autofree char *last_text = NULL;
  guint done, total;

  if (count >= 0)
    title = g_strdup_printf (ngettext ("%'u patient", "%'u patients", (gulong) count),
                             (guint) count);
  else if (status == CAB_SESSION_STATUS_OPENING)
    title = g_strdup (_("Opening the local store…"));
  else
    title = g_strdup (_("No local store"));
  adw_status_page_set_title (self->patients_page, title);

  if (status == CAB_SESSION_STATUS_UNCONFIGURED)
    adw_status_page_set_description (self->patients_page,
                                     _("No health space is configured. Start Cabinet with --server, --token and --practice, or set the server and the practice in its settings."));
  else
    adw_status_page_set_description (self->patients_page,
                                     _("Patients of the practice in the local store. They stay available when the network is not."));

  cab_session_get_progress (session, &done, &total);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  if (running)
    {
      g_autofree char *progress = NULL;

      if (total > 0)
        {
          gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
          progress = g_strdup_printf (ngettext ("%u of %u patient synchronized",
                                                "%u of %u patients synchronized", total),
                                      done, total);
        }
      else
        {
          gtk_progress_bar_pulse (self->progress_bar);
          progress = g_strdup (_("Looking for the practice’s patients…"));
        }
      gtk_progress_bar_set_text (self->progress_bar, progress);
    }

  gtk_widget_set_visible (self->overview_sync_button, status == CAB_SESSION_STATUS_READY);

  if (last != NULL)
    /* xgettext:no-c-format */
    /* Translators: date and time of the last synchronization; see g_date_time_format() */
    last_text = g_date_time_format (last, _("%A %-d %B %Y at %H:%M"));
  adw_action_row_set_subtitle (self->last_sync_row, last_text != NULL ? last_text : _("Never"));
  adw_action_row_set_subtitle (self->server_row,
                               config->server_url != NULL && config->server_url[0] != '\0'
                               ? config->server_url : _("Not configured"));
  if (config->practice == NULL || config->practice[0] == '\0')
    adw_action_row_set_subtitle (self->practice_row, _("Not configured"));
  else
    {
      /* The practice's name once the server told it. */
      g_autofree char *practice = NULL;

      if (cab_session_get_practice_name (session) != NULL)
        practice = g_markup_printf_escaped ("%s — %s", cab_session_get_practice_name (session), config->practice);
      else
        practice = g_markup_escape_text (config->practice, -1);
      adw_action_row_set_subtitle (self->practice_row, practice);
    }
}

/* "Offline documents: 1,234 / 1,300 (2.1 GB)", with the locale's digit
 * grouping and decimal mark ("1 234 / 1 300 (2,1 Go)"); NULL when the
 * store has no document to download. */
static char *
build_offline_text (CabWindow *self)
{
  CabPrefetch *prefetch = cab_session_get_prefetch (self->session);
  g_autofree char *n_offline = NULL;
  g_autofree char *n_documents = NULL;
  g_autofree char *size = NULL;

  if (prefetch == NULL || cab_prefetch_get_n_documents (prefetch) == 0)
    return NULL;
  n_offline = g_strdup_printf ("%'u", cab_prefetch_get_n_offline (prefetch));
  n_documents = g_strdup_printf ("%'u", cab_prefetch_get_n_documents (prefetch));
  size = g_format_size (cab_prefetch_get_offline_bytes (prefetch));
  /* Translators: documents whose content is on this computer, of all the
   * documents, and the disk space they take: "1,234 / 1,300 (2.1 GB)" */
  return g_strdup_printf (_("Offline documents: %s / %s (%s)"), n_offline, n_documents, size);
}

static void
update_status (CabWindow *self)
{
  CabSession *session = self->session;
  gboolean running = cab_session_get_sync_state (session) == CAB_SYNC_STATE_RUNNING;
  gboolean ready = cab_session_get_status (session) == CAB_SESSION_STATUS_READY;
  g_autofree char *offline = build_offline_text (self);

  g_free (self->status_text);
  self->status_text = build_status_text (self);
  if (offline != NULL)
    {
      char *both = g_strconcat (self->status_text, " · ", offline, NULL);

      g_free (self->status_text);
      self->status_text = both;
    }
  adw_window_title_set_subtitle (self->window_title, self->status_text);

  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), running);
  gtk_spinner_set_spinning (self->sync_spinner, running);
  gtk_widget_set_visible (self->sync_button, !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", ready && !running);

  update_overview (self);
}

/* ---------------------------------------------------------------------- */
/* callbacks                                                              */

static void
session_changed_cb (CabWindow  *self,
                    GParamSpec *pspec,
                    CabSession *session)
{
  update_status (self);
  if (g_str_equal (pspec->name, "status"))
    update_banner (self);
}

static void
session_error_cb (CabWindow  *self,
                  GParamSpec *pspec,
                  CabSession *session)
{
  update_banner (self);
}

static void
session_sync_finished_cb (CabWindow  *self,
                          gboolean    success,
                          CabSession *session)
{
  GListModel *recent = cab_recent_patients_get_model (self->recent_patients);

  update_status (self);
  /* A sync may have renamed them, or removed one. */
  if (success)
    cab_recent_patients_model_reload (CAB_RECENT_PATIENTS_MODEL (recent));

  /* The banner, when shown, already says why. */
  if (cab_session_get_sync_state (session) == CAB_SYNC_STATE_OFFLINE &&
      !gtk_revealer_get_reveal_child (self->banner_revealer))
    {
      AdwToast *toast = adw_toast_new (_("The health space cannot be reached. Cabinet shows the data of the last synchronization."));

      adw_toast_set_timeout (toast, 5);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

static void
outbox_toast_cb (CabWindow     *self,
                 const char    *message,
                 CabOutboxPage *page)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
outbox_pending_cb (CabWindow     *self,
                   GParamSpec    *pspec,
                   CabOutboxPage *page)
{
  guint n = cab_outbox_page_get_n_pending (page);
  g_autofree char *text = g_strdup_printf ("%u", n);

  gtk_label_set_label (self->outbox_badge, text);
  gtk_widget_set_visible (GTK_WIDGET (self->outbox_badge), n > 0);
}

static void
followup_toast_cb (CabWindow       *self,
                   const char      *message,
                   CabFollowupPage *page)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* The sidebar's count: patients with a measure overdue or never made; the
 * tooltip says all three counts in words. */
static void
followup_counts_cb (CabWindow       *self,
                    GParamSpec      *pspec,
                    CabFollowupPage *page)
{
  guint overdue = cab_followup_page_get_n_overdue (page);
  guint never = cab_followup_page_get_n_never (page);
  guint due = cab_followup_page_get_n_due (page);
  g_autofree char *text = g_strdup_printf ("%u", overdue);
  g_autofree char *overdue_text = g_strdup_printf (ngettext ("%u patient overdue", "%u patients overdue", overdue), overdue);
  g_autofree char *never_text = g_strdup_printf (ngettext ("%u never measured", "%u never measured", never), never);
  g_autofree char *due_text = g_strdup_printf (ngettext ("%u due", "%u due", due), due);
  g_autofree char *tooltip = g_strjoin (" · ", overdue_text, never_text, due_text, NULL);

  gtk_label_set_label (self->followup_badge, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->followup_badge), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->followup_badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->followup_badge), overdue > 0);
}

static void
inbox_toast_cb (CabWindow    *self,
                const char   *message,
                CabInboxPage *page)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* The sidebar's counts: how many messages are unread ("3 unread"), and
 * how many are to triage (the pill); each says both in its tooltip. */
static void
inbox_counts_cb (CabWindow    *self,
                 GParamSpec   *pspec,
                 CabInboxPage *page)
{
  guint to_triage = cab_inbox_page_get_n_to_triage (page);
  guint unread = cab_inbox_page_get_n_unread (page);
  g_autofree char *text = g_strdup_printf ("%u", to_triage);
  g_autofree char *triage_text = g_strdup_printf (ngettext ("%u message to triage", "%u messages to triage", to_triage), to_triage);
  g_autofree char *unread_text = g_strdup_printf (ngettext ("%u unread", "%u unread", unread), unread);
  g_autofree char *tooltip = g_strjoin (" · ", triage_text, unread_text, NULL);

  gtk_label_set_label (self->inbox_badge, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->inbox_badge), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->inbox_badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->inbox_badge), to_triage > 0);
  {
    /* Translators: the sidebar's count of unread messages, beside "Inbox" */
    g_autofree char *unread_label = g_strdup_printf (ngettext ("%u unread", "%u unread", unread), unread);

    gtk_label_set_label (self->inbox_unread, unread_label);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->inbox_unread), tooltip);
    gtk_widget_set_visible (GTK_WIDGET (self->inbox_unread), unread > 0);
  }
}

/* Something was just queued: say so when it cannot go out now. */
static void
outbox_queued_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CabWindow *self = CAB_WINDOW (widget);
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  if (cab_session_get_sync_state (self->session) == CAB_SYNC_STATE_OFFLINE ||
      cab_session_get_status (self->session) != CAB_SESSION_STATUS_READY ||
      !g_network_monitor_get_network_available (monitor))
    {
      AdwToast *toast = adw_toast_new (_("Queued: will be sent when the health space is reachable"));

      adw_toast_set_timeout (toast, 4);
      /* Before the "cannot be reached" toast: this one is about what was just done. */
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      g_free (self->last_toast);
      self->last_toast = g_strdup (adw_toast_get_title (toast));
    }
}

/* A message was just queued by the composer (docs/architecture.md, "The
 * composer"): the composer is gone, so the window says what happens next. */
static void
mail_queued_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CabWindow *self = CAB_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  CabMailWatcher *watcher = CAB_IS_APPLICATION (app) ? cab_application_get_mail_watcher (CAB_APPLICATION (app)) : NULL;
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;
  gboolean offline = !g_network_monitor_get_network_available (g_network_monitor_get_default ()) ||
                     config == NULL || config->smtp_url == NULL ||
                     (watcher != NULL && cab_mail_watcher_get_state (watcher) == CAB_MAIL_WATCHER_OFFLINE);
  /* Queued is all that is known here: the server may still refuse it, and
   * the Outbox page is where that shows, so the toast says so and leads
   * there (never "being sent", which promised more than it knew). */
  AdwToast *toast = adw_toast_new (offline ? _("Message queued — will be sent when online")
                                           : _("Message queued for sending — the Outbox shows the result"));

  adw_toast_set_button_label (toast, _("_Show Outbox"));
  adw_toast_set_action_name (toast, "win.show-page");
  adw_toast_set_action_target_value (toast, g_variant_new_string ("outbox"));
  adw_toast_set_timeout (toast, 5);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_free (self->last_toast);
  self->last_toast = g_strdup (adw_toast_get_title (toast));
}

static void
sidebar_row_selected_cb (CabWindow     *self,
                         GtkListBoxRow *row,
                         GtkListBox    *list)
{
  if (row != NULL)
    gtk_stack_set_visible_child_name (self->stack, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
sidebar_row_activated_cb (CabWindow     *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
back_clicked_cb (CabWindow *self,
                 GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The page's name, or the open patient's on the desk. */
static void
update_title (CabWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  gboolean on_desk = child == GTK_WIDGET (self->desk);
  const char *patient = on_desk ? cab_desk_get_title (self->desk) : NULL;
  GtkStackPage *page;

  gtk_widget_set_visible (self->search_button, on_desk);
  gtk_widget_set_visible (self->home_button, on_desk && cab_desk_get_patient_id (self->desk) != NULL);
  gtk_widget_set_visible (self->followup_button, on_desk && cab_desk_get_patient_id (self->desk) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.patient-followup",
                                 on_desk && cab_desk_get_patient_id (self->desk) != NULL);

  if (child == NULL)
    return;

  page = gtk_stack_get_page (self->stack, child);
  adw_window_title_set_title (self->window_title,
                              patient != NULL ? patient : gtk_stack_page_get_title (page));
}

static void
stack_visible_child_cb (CabWindow  *self,
                        GParamSpec *pspec,
                        GtkStack   *stack)
{
  update_title (self);
}

static void
desk_title_cb (CabWindow  *self,
               GParamSpec *pspec,
               CabDesk    *desk)
{
  update_title (self);
}

static void
recent_activated_cb (CabWindow         *self,
                     const char        *patient_id,
                     CabRecentPatients *recent)
{
  cab_desk_open_patient (self->desk, patient_id);
}

static void
operator_cb (CabWindow  *self,
             GParamSpec *pspec,
             CabSession *session)
{
  const char *operator = cab_session_get_operator (session);

  adw_window_title_set_subtitle (self->sidebar_title, operator != NULL ? operator : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sidebar_title), operator);
  if (pspec != NULL)
    update_overview (self);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CabWindow *self = CAB_WINDOW (widget);

  cab_session_sync (self->session);
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  cab_window_launch_uri (CAB_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
patients_home_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CabWindow *self = CAB_WINDOW (widget);

  cab_window_show_page (self, "patients");
  cab_desk_show_home (self->desk);
}

static void
find_patient_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CabWindow *self = CAB_WINDOW (widget);

  cab_window_show_page (self, "patients");
  cab_desk_focus_search (self->desk);
}

/* The open patient's follow-up, on the Follow-up page. */
static void
patient_followup_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  CabWindow *self = CAB_WINDOW (widget);
  const char *patient_id = cab_desk_get_patient_id (self->desk);
  g_autofree char *id = g_strdup (patient_id);

  if (id == NULL)
    return;
  cab_window_show_page (self, "follow-up");
  cab_followup_page_show_patient (self->followup_page, id);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  cab_window_show_page (CAB_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* ---------------------------------------------------------------------- */
/* GObject overrides                                                      */

static gboolean
cab_window_close_request (GtkWindow *window)
{
  CabWindow *self = CAB_WINDOW (window);
  int width, height;

  if (self->settings == NULL)
    return GTK_WINDOW_CLASS (cab_window_parent_class)->close_request (window);

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (cab_window_parent_class)->close_request (window);
}

static void
prefetch_figures_cb (CabWindow *self)
{
  update_status (self);
}

/* The budget and the metered switch of the preferences drive the prefetch. */
static void
prefetch_changed_cb (CabWindow *self)
{
  CabPrefetch *prefetch = cab_session_get_prefetch (self->session);

  if (prefetch == NULL || self->settings == NULL)
    return;
  g_settings_bind (self->settings, "offline-budget", prefetch, "budget", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "offline-allow-metered", prefetch, "allow-metered", G_SETTINGS_BIND_GET);
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CabWindow *self = CAB_WINDOW (widget);

  GtkWidget *preferences;

  if (self->settings == NULL)
    return;
  preferences = cab_preferences_window_new_for_session (GTK_WINDOW (self), self->settings, self->session);
  /* A practitioner given at start-up is not the preferences' to change. */
  if (CAB_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))))
    cab_prefs_mail_page_set_practitioner_origin (
      cab_preferences_window_get_mail_page (CAB_PREFERENCES_WINDOW (preferences)),
      cab_application_get_practitioner_origin (CAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)))));
  /* The inbox's "no mailbox" page opens the Mail page directly. */
  if (g_strcmp0 (action_name, "win.mail-preferences") == 0)
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "mail");
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
cab_window_constructed (GObject *object)
{
  CabWindow *self = CAB_WINDOW (object);
  GListModel *recent;

  G_OBJECT_CLASS (cab_window_parent_class)->constructed (object);

  g_assert (self->session != NULL);

  g_signal_connect_object (self->session, "notify::status",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::sync-state",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::last-sync",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::patient-count",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::progress-done",
                           G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::error",
                           G_CALLBACK (session_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "sync-finished",
                           G_CALLBACK (session_sync_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::operator",
                           G_CALLBACK (operator_cb), self, G_CONNECT_SWAPPED);

  cab_desk_set_session (self->desk, self->session, self->settings);

  /* Offline documents: their figures in the status line. */
  self->prefetch_signals = g_signal_group_new (CAB_TYPE_PREFETCH);
  g_signal_group_connect_swapped (self->prefetch_signals, "notify::n-offline",
                                  G_CALLBACK (prefetch_figures_cb), self);
  g_signal_group_connect_swapped (self->prefetch_signals, "notify::n-documents",
                                  G_CALLBACK (prefetch_figures_cb), self);
  g_signal_group_connect_swapped (self->prefetch_signals, "notify::offline-bytes",
                                  G_CALLBACK (prefetch_figures_cb), self);
  g_object_bind_property (self->session, "prefetch", self->prefetch_signals, "target",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->session, "notify::prefetch",
                           G_CALLBACK (prefetch_changed_cb), self, G_CONNECT_SWAPPED);
  prefetch_changed_cb (self);

  /* The recent patients follow the session's store and the settings' list. */
  recent = cab_recent_patients_get_model (self->recent_patients);
  g_object_bind_property (self->session, "store", recent, "store", G_BINDING_SYNC_CREATE);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "recent-patients", recent, "patient-ids", G_SETTINGS_BIND_GET);

  update_status (self);
  update_banner (self);
  operator_cb (self, NULL, self->session);
  cab_outbox_page_set_session (self->outbox_page, self->session);
  cab_followup_page_set_session (self->followup_page, self->session);
  cab_inbox_page_set_session (self->inbox_page, self->session);
}

static void
cab_window_dispose (GObject *object)
{
  CabWindow *self = CAB_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_WINDOW);

  G_OBJECT_CLASS (cab_window_parent_class)->dispose (object);
}

static void
cab_window_finalize (GObject *object)
{
  CabWindow *self = CAB_WINDOW (object);

  g_clear_object (&self->prefetch_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->status_text, g_free);
  g_clear_pointer (&self->last_toast, g_free);
  if (self->uri_launcher_destroy != NULL)
    self->uri_launcher_destroy (self->uri_launcher_data);

  G_OBJECT_CLASS (cab_window_parent_class)->finalize (object);
}

static void
cab_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CabWindow *self = CAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CabWindow *self = CAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_window_class_init (CabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  static const char * const pages[] = { "patients", "inbox", "follow-up", "outbox" };

  object_class->constructed = cab_window_constructed;
  object_class->dispose = cab_window_dispose;
  object_class->finalize = cab_window_finalize;
  object_class->get_property = cab_window_get_property;
  object_class->set_property = cab_window_set_property;

  window_class->close_request = cab_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CAB_TYPE_DESK);
  g_type_ensure (CAB_TYPE_RECENT_PATIENTS);
  g_type_ensure (CAB_TYPE_OUTBOX_PAGE);
  g_type_ensure (CAB_TYPE_FOLLOWUP_PAGE);
  g_type_ensure (CAB_TYPE_INBOX_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cabinet_sante/Cabinet/cab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, patients_page);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, overview_sync_button);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, practice_row);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, desk);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, recent_patients);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, home_button);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, outbox_page);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, outbox_badge);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, followup_page);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, followup_badge);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, followup_button);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, inbox_page);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, inbox_badge);
  gtk_widget_class_bind_template_child (widget_class, CabWindow, inbox_unread);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, stack_visible_child_cb);
  gtk_widget_class_bind_template_callback (widget_class, desk_title_cb);
  gtk_widget_class_bind_template_callback (widget_class, recent_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, outbox_toast_cb);
  gtk_widget_class_bind_template_callback (widget_class, outbox_pending_cb);
  gtk_widget_class_bind_template_callback (widget_class, followup_toast_cb);
  gtk_widget_class_bind_template_callback (widget_class, followup_counts_cb);
  gtk_widget_class_bind_template_callback (widget_class, inbox_toast_cb);
  gtk_widget_class_bind_template_callback (widget_class, inbox_counts_cb);

  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.mail-preferences", NULL, preferences_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);
  gtk_widget_class_install_action (widget_class, "win.outbox-queued", NULL, outbox_queued_action);
  gtk_widget_class_install_action (widget_class, "win.mail-queued", NULL, mail_queued_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_action);
  gtk_widget_class_install_action (widget_class, "win.patients-home", NULL, patients_home_action);
  gtk_widget_class_install_action (widget_class, "win.find-patient", NULL, find_patient_action);
  gtk_widget_class_install_action (widget_class, "win.patient-followup", NULL, patient_followup_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.patient-followup", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.find-patient", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.sync", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-page", "s", pages[i]);
}

static void
cab_window_init (CabWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;

  gtk_widget_init_template (GTK_WIDGET (self));

  source = g_settings_schema_source_get_default ();
  schema = source != NULL ? g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE) : NULL;

  /* Run uninstalled without GSETTINGS_SCHEMA_DIR: work, just forget the size. */
  if (schema == NULL)
    {
      g_warning ("The %s settings schema is not installed; the window size will not be kept",
                 APPLICATION_ID);
      gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);
    }
  else
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  gtk_list_box_select_row (self->sidebar, gtk_list_box_get_row_at_index (self->sidebar, 0));
  stack_visible_child_cb (self, NULL, self->stack);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

CabWindow *
cab_window_new (GtkApplication *application,
                CabSession     *session)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CAB_IS_SESSION (session), NULL);

  return g_object_new (CAB_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

CabSession *
cab_window_get_session (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->session;
}

void
cab_window_show_page (CabWindow  *self,
                      const char *name)
{
  g_return_if_fail (CAB_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  for (int i = 0; ; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->sidebar, i);

      if (row == NULL)
        {
          g_warning ("No page named %s", name);
          return;
        }

      if (g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (row)), name) == 0)
        {
          gtk_list_box_select_row (self->sidebar, row);
          adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
          return;
        }
    }
}

const char *
cab_window_get_page (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
cab_window_get_status_text (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->status_text;
}

const char *
cab_window_get_count_text (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return adw_status_page_get_title (self->patients_page);
}

const char *
cab_window_get_banner_text (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->banner_revealer))
    return NULL;

  return gtk_label_get_text (self->banner_label);
}

/* Open popovers are surfaces of their own, not in the window's paintable:
 * drawn on top where they show, so a screenshot shows what a user sees. */
static void
snapshot_popovers (CabWindow   *self,
                   GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_POPOVER (child) && gtk_widget_get_mapped (child))
        {
          GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (child));
          g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (child);
          double px, py, wx, wy;

          if (surface == NULL || !GDK_IS_POPUP (surface))
            continue;
          gtk_native_get_surface_transform (GTK_NATIVE (child), &px, &py);
          gtk_native_get_surface_transform (GTK_NATIVE (self), &wx, &wy);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (gdk_popup_get_position_x (GDK_POPUP (surface)) + px - wx,
                                                                  gdk_popup_get_position_y (GDK_POPUP (surface)) + py - wy));
          gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), gtk_widget_get_width (child),
                                  gtk_widget_get_height (child));
          gtk_snapshot_restore (snapshot);
        }
      snapshot_popovers (self, child, snapshot);
    }
}

gboolean
cab_window_save_screenshot (CabWindow   *self,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width, height;

  g_return_val_if_fail (CAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  renderer = gtk_native_get_renderer (GTK_NATIVE (self));
  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || renderer == NULL || width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "The window is not on screen");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (GTK_WIDGET (self));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  snapshot_popovers (self, GTK_WIDGET (self), snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));

  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The window drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* links and the desk                                                     */

CabDesk *
cab_window_get_desk (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->desk;
}

void
cab_window_set_uri_launcher (CabWindow      *self,
                             CabUriLauncher  launcher,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (CAB_IS_WINDOW (self));

  if (self->uri_launcher_destroy != NULL)
    self->uri_launcher_destroy (self->uri_launcher_data);
  self->uri_launcher = launcher;
  self->uri_launcher_data = user_data;
  self->uri_launcher_destroy = destroy;
}

void
cab_window_launch_uri (CabWindow  *self,
                       const char *uri)
{
  g_return_if_fail (CAB_IS_WINDOW (self));
  g_return_if_fail (uri != NULL);

  if (self->uri_launcher != NULL)
    self->uri_launcher (self, uri, self->uri_launcher_data);
  else
    gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

CabOutboxPage *
cab_window_get_outbox_page (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->outbox_page;
}

const char *
cab_window_get_outbox_badge (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->outbox_badge)))
    return NULL;
  return gtk_label_get_label (self->outbox_badge);
}

CabFollowupPage *
cab_window_get_followup_page (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->followup_page;
}

const char *
cab_window_get_followup_badge (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->followup_badge)))
    return NULL;
  return gtk_label_get_label (self->followup_badge);
}

const char *
cab_window_get_last_toast (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->last_toast;
}

CabInboxPage *
cab_window_get_inbox_page (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  return self->inbox_page;
}

const char *
cab_window_get_inbox_unread (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->inbox_unread)))
    return NULL;
  return gtk_label_get_label (self->inbox_unread);
}

const char *
cab_window_get_inbox_badge (CabWindow *self)
{
  g_return_val_if_fail (CAB_IS_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->inbox_badge)))
    return NULL;
  return gtk_label_get_label (self->inbox_badge);
}
