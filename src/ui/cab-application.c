/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-application"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cab-application.h"
#include "cab-window-private.h"
#include "cab-session.h"
#include "cab-mail-watcher.h"
#include "cab-directory-refresh.h"
#include "cab-mail-flags.h"
#include "cab-mail-outbox.h"
#include "cab-mail-sync.h"
#include "cab-outbox-kind.h"
#include "inbox/cab-inbox-page.h"

/* How long --screenshot waits for the first sync before taking the picture. */
#define SCREENSHOT_TIMEOUT_S 10

struct _CabApplication
{
  AdwApplication  parent_instance;

  CabConfig      *options;          /* from the command line, NULL fields unset */
  CabConfig      *config;           /* set by tests: used as is */
  char           *screenshot_path;
  guint           screenshot_timeout_id;
  guint           screenshot_frames;

  CabSession     *session;
  CabWindow      *window;           /* weak */
  CabMailWatcher *mail_watcher;     /* NULL without a mail account */
  CabDirectoryRefresh *directory_refresh; /* NULL without a directory */
};

G_DEFINE_FINAL_TYPE (CabApplication, cab_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
    N_("FHIR base URL of the health space"), N_("URL") },
  { "token", 't', 0, G_OPTION_ARG_STRING, NULL,
    N_("Bearer token for the health space"), N_("TOKEN") },
  { "ca", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Certificate authority file (PEM) to trust instead of the system’s"), N_("FILE") },
  { "practice", 'p', 0, G_OPTION_ARG_STRING, NULL,
    N_("The practice on the server, as Organization/ID"), N_("REFERENCE") },
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Folder of the local store and downloaded documents"), N_("DIR") },
  { "imap", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("MSSanté mail server, as imaps://host:port or imap://host:port (STARTTLS)"), N_("URL") },
  { "smtp", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("MSSanté submission server, as smtps://host:port or smtp://host:port (STARTTLS)"), N_("URL") },
  { "mail-user", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("User name of the MSSanté mailbox"), N_("ADDRESS") },
  { "practitioner", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The doctor at this desk, as Practitioner/ID"), N_("REFERENCE") },
  { "directory", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("FHIR base URL of the national health directory"), N_("URL") },
  { "directory-key", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("API key of the national health directory"), N_("KEY") },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Save a PNG of the window to FILE after the first synchronization, then quit"), N_("FILE") },
  { NULL }
};

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

/* Settings and keyring, then the environment, then the command line; a
 * configuration set by a test is used whole (every field: a list of fields
 * here once dropped the SMTP server). */
static CabConfig *
build_config (CabApplication *self)
{
  if (self->config != NULL)
    return cab_config_copy (self->config);

  /* The command line over the environment over the settings, as cabinetctl. */
  return cab_config_resolve (self->options);
}

static void
take_screenshot (CabApplication *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->screenshot_timeout_id, g_source_remove);

  if (self->window == NULL)
    return;

  if (!cab_window_save_screenshot (self->window, self->screenshot_path, &error))
    g_printerr ("%s\n", error->message);
  else
    g_print ("%s\n", self->screenshot_path);

  g_application_quit (G_APPLICATION (self));
}

/* Render nodes are fresh right after a paint, not during the update phase
 * of a frame (an animating spinner invalidates them every frame). */
static void
screenshot_after_paint_cb (GdkFrameClock  *clock,
                           CabApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, screenshot_after_paint_cb, self);
  take_screenshot (self);
}

/* Waits for the window to be mapped and a couple of frames more, so the
 * labels are laid out and drawn. */
static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  CabApplication *self = CAB_APPLICATION (user_data);

  if (!gtk_widget_get_mapped (widget) || self->screenshot_frames++ < 2)
    return G_SOURCE_CONTINUE;

  g_signal_connect_object (clock, "after-paint",
                           G_CALLBACK (screenshot_after_paint_cb), self, 0);
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

static void
schedule_screenshot (CabApplication *self)
{
  if (self->window == NULL || self->screenshot_path == NULL)
    return;

  gtk_widget_add_tick_callback (GTK_WIDGET (self->window), screenshot_tick_cb,
                                g_object_ref (self), g_object_unref);
}

static gboolean
screenshot_timeout_cb (gpointer user_data)
{
  CabApplication *self = user_data;

  self->screenshot_timeout_id = 0;
  schedule_screenshot (self);

  return G_SOURCE_REMOVE;
}

static void
session_sync_finished_cb (CabApplication *self,
                          gboolean        success,
                          CabSession     *session)
{
  /* The directory cache follows the health space's syncs, once an hour at
   * most (cab-directory-refresh.h). */
  if (success && self->directory_refresh != NULL)
    cab_directory_refresh_request (self->directory_refresh);

  if (self->screenshot_timeout_id != 0)
    {
      g_clear_handle_id (&self->screenshot_timeout_id, g_source_remove);
      schedule_screenshot (self);
    }
}

/* The national health directory (docs/architecture.md, "Sending mail:
 * directory and completion"): with its URL configured, the app keeps its
 * cache fresh and the composer searches it online. Its own key, never the
 * health space's token; the practice's CA file applies to it too. */
static void
start_directory (CabApplication  *self,
                 const CabConfig *config,
                 CabStore        *store)
{
  g_autoptr(CabDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  if (self->directory_refresh != NULL || config->directory_url == NULL)
    return;
  directory = cab_directory_new (store, config->directory_url, config->directory_key, &error);
  if (directory != NULL && config->ca_file != NULL &&
      !cab_fhir_client_set_ca_file (cab_directory_get_client (directory), config->ca_file, &error))
    g_clear_object (&directory);
  if (directory == NULL)
    {
      g_warning ("National health directory not used: %s", error->message);
      return;
    }
  self->directory_refresh = cab_directory_refresh_new (directory);
}

/* MSSanté: while the window is open, the inbox follows the server
 * (cab-mail-watcher.h); the Inbox page listens to the watcher. It starts
 * once the session's store is open (it opens on a worker). */
static void
session_store_cb (CabApplication *self,
                  GParamSpec     *pspec,
                  CabSession     *session)
{
  const CabConfig *config = cab_session_get_config (session);
  CabStore *store = cab_session_get_store (session);

  if (store != NULL)
    start_directory (self, config, store);
  if (store == NULL || self->mail_watcher != NULL || config->imap_url == NULL ||
      config->mail_user == NULL || config->data_dir == NULL)
    return;
  self->mail_watcher = cab_mail_watcher_new (store, config->imap_url, config->mail_user,
                                             config->ca_file, config->data_dir);
  cab_mail_watcher_start (self->mail_watcher);
  if (self->window != NULL)
    cab_inbox_page_set_mail_watcher (cab_window_get_inbox_page (self->window), self->mail_watcher);
}

/* MSSanté mail out: with a submission server and a mailbox address, the
 * outbox sends the "mail" entries (docs/architecture.md, "Sending mail");
 * the password is read from the keyring on the sending thread. */
static void
start_mail_sending (CabApplication  *self,
                    const CabConfig *config,
                    CabOutbox       *outbox)
{
  g_autofree char *account = NULL;
  CabMailServers servers;

  if (outbox == NULL)
    return;
  /* No account (any more): queued messages wait with the reason, and
   * never go to the servers of before (cab_mail_outbox_unset()). */
  if (config->smtp_url == NULL || config->mail_user == NULL || strchr (config->mail_user, '@') == NULL)
    {
      cab_mail_outbox_unset (outbox);
      return;
    }
  account = cab_mail_sync_account_key (config->imap_url != NULL ? config->imap_url : config->smtp_url,
                                       config->mail_user, NULL);
  if (account == NULL)
    {
      g_autofree char *host = NULL;
      guint16 port;
      gboolean implicit;

      if (!cab_smtp_parse_url (config->smtp_url, &host, &port, &implicit, NULL))
        {
          cab_mail_outbox_unset (outbox);
          return;
        }
      account = g_strdup_printf ("%s@%s", config->mail_user, host);
    }
  servers = (CabMailServers) {
    .smtp = { .url = config->smtp_url, .user = config->mail_user, .ca_file = config->ca_file },
    .imap_url = config->imap_url,
    .imap_user = config->mail_user,
    .account = account,
  };
  cab_mail_outbox_register (outbox, &servers);
}

/* Triage done on the Inbox page reaches the other desks as IMAP keywords
 * (docs/architecture.md, "Triage"); the keyring and the CA file are read
 * on the outbox's worker at each attempt. */
static void
start_mail_triage (CabApplication  *self,
                   const CabConfig *config,
                   CabOutbox       *outbox)
{
  CabMailFlagsAccount account;

  if (outbox == NULL)
    return;
  if (config->imap_url == NULL || config->mail_user == NULL)
    {
      cab_mail_flags_unset (outbox);
      return;
    }
  account = (CabMailFlagsAccount) {
    .url = config->imap_url,
    .user = config->mail_user,
    .ca_file = config->ca_file,
  };
  cab_mail_flags_register (outbox, cab_outbox_get_store (outbox), &account);
}

/* The outbox exists once the session's store is open (on a worker). */
static void
session_outbox_cb (CabApplication *self,
                   GParamSpec     *pspec,
                   CabSession     *session)
{
  const CabConfig *config = cab_session_get_config (session);
  CabOutbox *outbox = cab_session_get_outbox (session);

  if (outbox == NULL)
    return;
  /* Cancelling a triage change restores the message here, account or not. */
  cab_mail_flags_register_effects (outbox);
  start_mail_sending (self, config, outbox);
  start_mail_triage (self, config, outbox);
}

/* ---------------------------------------------------------------------- */
/* actions                                                                */

/* The account changed in the preferences (docs/architecture.md, "Where the
 * mail account comes from"): the watcher of the old account stops, one for
 * the new account starts, and the outbox kinds take the new account at
 * their next attempt. Passwords are looked up by "user@host": the old one
 * never reaches a new host. */
static void
mail_account_changed_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  CabApplication *self = user_data;
  g_autoptr(CabConfig) config = NULL;
  const CabConfig *before;
  gboolean same_account;

  if (self->session == NULL)
    return;
  before = cab_session_get_config (self->session);
  config = cab_config_copy (before);
  cab_config_reload_mail (config, self->config != NULL ? self->config : self->options);
  same_account = g_strcmp0 (before->imap_url, config->imap_url) == 0 &&
                 g_strcmp0 (before->mail_user, config->mail_user) == 0;
  cab_session_set_mail_config (self->session, config);

  /* The same mailbox still online (only the desk's practitioner changed):
   * nothing to restart. A watcher offline may be waiting for a password
   * saved just now. */
  if (self->mail_watcher != NULL && same_account &&
      cab_mail_watcher_get_state (self->mail_watcher) != CAB_MAIL_WATCHER_OFFLINE)
    {
      session_outbox_cb (self, NULL, self->session);
      return;
    }
  if (self->mail_watcher != NULL)
    {
      cab_mail_watcher_stop (self->mail_watcher);
      g_clear_object (&self->mail_watcher);
      if (self->window != NULL)
        cab_inbox_page_set_mail_watcher (cab_window_get_inbox_page (self->window), NULL);
    }
  session_store_cb (self, NULL, self->session);
  session_outbox_cb (self, NULL, self->session);
  /* Messages kept waiting for an account go now, not at their backoff's end. */
  if (cab_session_get_outbox (self->session) != NULL && config->mail_user != NULL &&
      (config->smtp_url != NULL || config->imap_url != NULL))
    cab_outbox_notify_online (cab_session_get_outbox (self->session));
}


static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  CabApplication *self = user_data;
  static const char *developers[] = { "The Cabinet developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", "Cabinet",
                        "application-icon", APPLICATION_ID,
                        "developer-name", "The Cabinet developers",
                        "version", PACKAGE_VERSION,
                        "comments", _("The desk of a French general practice: the practice’s patients and their records from the health space, available even offline."),
                        "website", "https://github.com/cabinet-sante/cabinet",
                        "issue-url", "https://github.com/cabinet-sante/cabinet/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your name and email, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  CabApplication *self = user_data;

  gtk_show_uri (gtk_application_get_active_window (GTK_APPLICATION (self)),
                "help:cabinet", GDK_CURRENT_TIME);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  CabApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing (rather than destroying) lets each window save its state. */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "help", help_action },
  { "quit", quit_action },
  { "mail-account-changed", mail_account_changed_action },
};

/* ---------------------------------------------------------------------- */
/* GApplication overrides                                                 */

static int
cab_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  CabApplication *self = CAB_APPLICATION (app);
  CabConfig *o = g_new0 (CabConfig, 1);

  g_variant_dict_lookup (options, "server", "s", &o->server_url);
  g_variant_dict_lookup (options, "token", "s", &o->token);
  g_variant_dict_lookup (options, "ca", "^ay", &o->ca_file);
  g_variant_dict_lookup (options, "practice", "s", &o->practice);
  g_variant_dict_lookup (options, "data-dir", "^ay", &o->data_dir);
  g_variant_dict_lookup (options, "imap", "s", &o->imap_url);
  g_variant_dict_lookup (options, "smtp", "s", &o->smtp_url);
  g_variant_dict_lookup (options, "mail-user", "s", &o->mail_user);
  g_variant_dict_lookup (options, "practitioner", "s", &o->practitioner);
  g_variant_dict_lookup (options, "directory", "s", &o->directory_url);
  g_variant_dict_lookup (options, "directory-key", "s", &o->directory_key);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot_path);

  g_clear_pointer (&self->options, cab_config_free);
  self->options = o;

  return G_APPLICATION_CLASS (cab_application_parent_class)->handle_local_options (app, options);
}

static void
cab_application_startup (GApplication *app)
{
  static const char *sync_accels[] = { "<Control>r", "F5", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (cab_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.sync", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

/* The window was closed and the app kept running (a second activation):
 * what served the old session stops and goes with it, before a session of
 * the configuration of the moment replaces it. */
static void
release_session (CabApplication *self)
{
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->mail_watcher != NULL)
    cab_mail_watcher_stop (self->mail_watcher);
  g_clear_object (&self->mail_watcher);
  if (self->directory_refresh != NULL)
    cab_directory_refresh_cancel (self->directory_refresh);
  g_clear_object (&self->directory_refresh);
  g_clear_handle_id (&self->screenshot_timeout_id, g_source_remove);
  cab_session_shutdown (self->session);
  g_clear_object (&self->session);
}

static void
cab_application_activate (GApplication *app)
{
  CabApplication *self = CAB_APPLICATION (app);

  if (self->window == NULL)
    {
      g_autoptr(CabConfig) config = build_config (self);

      release_session (self);
      self->session = cab_session_new (config);
      self->window = cab_window_new (GTK_APPLICATION (self), self->session);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);

      g_signal_connect_object (self->session, "sync-finished",
                               G_CALLBACK (session_sync_finished_cb), self,
                               G_CONNECT_SWAPPED);
      if (self->screenshot_path != NULL)
        {
          self->screenshot_timeout_id = g_timeout_add_seconds (SCREENSHOT_TIMEOUT_S,
                                                               screenshot_timeout_cb, self);
        }

      cab_session_start (self->session);
      /* MSSanté: the watcher starts once the store is open, for the account
       * of the moment (mail_account_changed_action). */
      g_signal_connect_object (self->session, "notify::store", G_CALLBACK (session_store_cb), self,
                               G_CONNECT_SWAPPED);
      session_store_cb (self, NULL, self->session);
      g_signal_connect_object (self->session, "notify::outbox", G_CALLBACK (session_outbox_cb), self,
                               G_CONNECT_SWAPPED);
      session_outbox_cb (self, NULL, self->session);
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

static void
cab_application_shutdown (GApplication *app)
{
  CabApplication *self = CAB_APPLICATION (app);

  g_clear_handle_id (&self->screenshot_timeout_id, g_source_remove);
  if (self->mail_watcher != NULL)
    cab_mail_watcher_stop (self->mail_watcher);
  if (self->directory_refresh != NULL)
    cab_directory_refresh_cancel (self->directory_refresh);
  if (self->session != NULL)
    cab_session_shutdown (self->session);

  G_APPLICATION_CLASS (cab_application_parent_class)->shutdown (app);
}

static void
cab_application_finalize (GObject *object)
{
  CabApplication *self = CAB_APPLICATION (object);

  if (self->window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
  g_clear_object (&self->mail_watcher);
  g_clear_object (&self->directory_refresh);
  g_clear_object (&self->session);
  g_clear_pointer (&self->options, cab_config_free);
  g_clear_pointer (&self->config, cab_config_free);
  g_clear_pointer (&self->screenshot_path, g_free);

  G_OBJECT_CLASS (cab_application_parent_class)->finalize (object);
}

static void
cab_application_class_init (CabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cab_application_finalize;

  app_class->handle_local_options = cab_application_handle_local_options;
  app_class->startup = cab_application_startup;
  app_class->activate = cab_application_activate;
  app_class->shutdown = cab_application_shutdown;
}

static void
cab_application_init (CabApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("The desk of a French general practice."));
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

void
cab_application_init_i18n (void)
{
  const char *localedir = g_getenv ("CABINET_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

CabApplication *
cab_application_new (void)
{
  return g_object_new (CAB_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

void
cab_application_set_config (CabApplication  *self,
                            const CabConfig *config)
{
  g_return_if_fail (CAB_IS_APPLICATION (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&self->config, cab_config_free);
  self->config = cab_config_copy (config);
}

CabConfigOrigin
cab_application_get_practitioner_origin (CabApplication *self)
{
  g_return_val_if_fail (CAB_IS_APPLICATION (self), CAB_CONFIG_ORIGIN_SETTINGS);

  /* A test's configuration is used as is, environment left aside. */
  if (self->config != NULL)
    return self->config->practitioner != NULL && *self->config->practitioner != '\0'
             ? CAB_CONFIG_ORIGIN_COMMAND_LINE : CAB_CONFIG_ORIGIN_SETTINGS;
  return cab_config_practitioner_origin (self->options);
}

CabMailWatcher *
cab_application_get_mail_watcher (CabApplication *self)
{
  g_return_val_if_fail (CAB_IS_APPLICATION (self), NULL);

  return self->mail_watcher;
}

CabDirectory *
cab_application_get_directory (CabApplication *self)
{
  g_return_val_if_fail (CAB_IS_APPLICATION (self), NULL);

  return self->directory_refresh != NULL ? cab_directory_refresh_get_directory (self->directory_refresh) : NULL;
}

CabDirectoryRefresh *
cab_application_get_directory_refresh (CabApplication *self)
{
  g_return_val_if_fail (CAB_IS_APPLICATION (self), NULL);

  return self->directory_refresh;
}

CabWindow *
cab_application_get_window (CabApplication *self)
{
  g_return_val_if_fail (CAB_IS_APPLICATION (self), NULL);

  return self->window;
}
