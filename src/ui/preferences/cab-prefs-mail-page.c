/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-prefs-mail-page"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cab-imap.h"
#include "cab-mail-account.h"
#include "cab-mail-prefs-queries.h"
#include "cab-mail-sync.h"
#include "cab-smtp.h"
#include "cab-prefs-mail-page.h"

struct _CabPrefsMailPage
{
  AdwPreferencesPage   parent_instance;

  GSettings           *settings;
  CabSession          *session;
  GCancellable        *cancellable;    /* check, save and store queries */
  GPtrArray           *practitioners;  /* references, aligned with practitioner_names; [0] "" */
  gboolean             filling;        /* combos set by the page, not the user */
  gboolean             busy;
  gboolean             checking_imap;  /* what the check under way covers */
  gboolean             checking_smtp;
  char                *status;
  char                *smtp_status;

  AdwEntryRow         *imap_row;
  AdwEntryRow         *smtp_row;
  AdwEntryRow         *user_row;
  AdwEntryRow         *password_row;
  AdwActionRow        *status_row;
  GtkImage            *status_icon;
  AdwActionRow        *smtp_status_row;
  GtkImage            *smtp_status_icon;
  GtkSpinner          *spinner;
  GtkButton           *check_button;
  GtkButton           *save_button;
  AdwComboRow         *practitioner_row;
  CabConfigOrigin      practitioner_origin;
  GtkStringList       *practitioner_names;
  AdwComboRow         *mdn_row;
  GtkTextView         *signature_view;
};

G_DEFINE_FINAL_TYPE (CabPrefsMailPage, cab_prefs_mail_page, ADW_TYPE_PREFERENCES_PAGE)

typedef enum { STATUS_INFO, STATUS_OK, STATUS_ERROR } StatusKind;

/* ---------------------------------------------------------------------- */
/* auxiliary functions                                                    */

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
show_row_status (AdwActionRow *row,
                 GtkImage     *icon,
                 const char   *info_icon,
                 StatusKind    kind,
                 const char   *text)
{
  static const char *icons[] = { NULL, "emblem-ok-symbolic", "dialog-warning-symbolic" };

  adw_action_row_set_subtitle (row, text);
  gtk_image_set_from_icon_name (icon, kind == STATUS_INFO ? info_icon : icons[kind]);
  gtk_widget_remove_css_class (GTK_WIDGET (icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (icon), "error");
  if (kind == STATUS_OK)
    gtk_widget_add_css_class (GTK_WIDGET (icon), "success");
  else if (kind == STATUS_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (icon), "error");
}

static void
set_status (CabPrefsMailPage *self,
            StatusKind        kind,
            const char       *text)
{
  g_free (self->status);
  self->status = g_strdup (text);
  show_row_status (self->status_row, self->status_icon, "network-server-symbolic", kind, text);
}

/* The sending server's row: shown while an SMTP server is typed. */
static void
set_smtp_status (CabPrefsMailPage *self,
                 StatusKind        kind,
                 const char       *text)
{
  g_free (self->smtp_status);
  self->smtp_status = g_strdup (text);
  show_row_status (self->smtp_status_row, self->smtp_status_icon, "mail-send-symbolic", kind, text);
}

static void
set_busy (CabPrefsMailPage *self,
          gboolean          busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
}

/* "user@host" the password is saved under, as the app looks it up: the
 * IMAP server's host, else the SMTP server's (cab-application.c). */
static char *
account_key (const char *imap,
             const char *smtp,
             const char *user)
{
  g_autofree char *host = NULL;
  guint16 port;
  gboolean implicit;

  if (user == NULL || *user == '\0')
    return NULL;
  if (imap != NULL && *imap != '\0')
    return cab_mail_sync_account_key (imap, user, NULL);
  if (smtp != NULL && *smtp != '\0' && cab_smtp_parse_url (smtp, &host, &port, &implicit, NULL))
    return g_strdup_printf ("%s@%s", user, host);
  return NULL;
}

/* The application's, not the window's: the preferences window is not one of
 * the application's windows, so "app." does not reach it from here. */
static void
announce_change (void)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "mail-account-changed", NULL);
}

static void
mark_row (AdwEntryRow *row,
          gboolean     valid)
{
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

/* Inline validation: NULL when the fields can be checked and saved, else
 * what to fix. Parsing only: no I/O. */
static char *
validate (CabPrefsMailPage *self,
          gboolean          for_check)
{
  g_autofree char *imap = row_text (self->imap_row);
  g_autofree char *smtp = row_text (self->smtp_row);
  g_autofree char *user = row_text (self->user_row);
  g_autofree char *host = NULL;
  guint16 port;
  gboolean implicit;
  gboolean imap_ok = *imap == '\0' || cab_imap_parse_url (imap, &host, &port, &implicit, NULL);
  gboolean smtp_ok;

  g_clear_pointer (&host, g_free);
  smtp_ok = *smtp == '\0' || cab_smtp_parse_url (smtp, &host, &port, &implicit, NULL);
  mark_row (self->imap_row, imap_ok);
  mark_row (self->smtp_row, smtp_ok);
  mark_row (self->user_row, TRUE);

  if (!imap_ok)
    return g_strdup (_("The IMAP server is imaps://host:port (TLS) or imap://host:port (STARTTLS), "
                       "for example imaps://imap.example.fr:993"));
  if (!smtp_ok)
    return g_strdup (_("The SMTP server is smtps://host:port (TLS) or smtp://host:port (STARTTLS), "
                       "for example smtps://smtp.example.fr:465"));
  if ((*imap != '\0' || *smtp != '\0') && *user == '\0')
    {
      mark_row (self->user_row, FALSE);
      return g_strdup (_("Type the mailbox address"));
    }
  if (for_check && *imap == '\0' && *smtp == '\0')
    return g_strdup (_("Type the IMAP or SMTP server to check the connection"));
  return NULL;
}

static void
fields_changed_cb (CabPrefsMailPage *self)
{
  g_autofree char *problem = validate (self, FALSE);
  g_autofree char *smtp = row_text (self->smtp_row);

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), problem == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), problem == NULL);
  /* With a sending server, the first row is the receiving one's. */
  gtk_widget_set_visible (GTK_WIDGET (self->smtp_status_row), *smtp != '\0');
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 *smtp != '\0' ? _("Receiving (IMAP)") : _("Connection"));
  if (self->busy)
    return;
  if (problem != NULL)
    set_status (self, STATUS_ERROR, problem);
  else
    set_status (self, STATUS_INFO, _("Not checked yet"));
  set_smtp_status (self, STATUS_INFO, C_("sending", "Not checked yet"));
}

/* What to do about a failed check, in the user's words. */
static char *
explain_error (const GError *error)
{
  if (error->domain == CAB_IMAP_ERROR)
    switch ((CabImapError) error->code)
      {
      case CAB_IMAP_ERROR_TLS_UNKNOWN_CA:
        return g_strdup (_("The server’s certificate is not signed by an authority this computer trusts: "
                           "nothing was sent. Check the server address, or ask for the practice’s "
                           "certificate authority file."));
      case CAB_IMAP_ERROR_TLS_BAD_IDENTITY:
        return g_strdup (_("The server’s certificate is for another name: nothing was sent. "
                           "Check the server address."));
      case CAB_IMAP_ERROR_TLS_FAILED:
        return g_strdup_printf (_("The secure connection failed: %s"), error->message);
      case CAB_IMAP_ERROR_NO_STARTTLS:
        return g_strdup (_("The server refused to secure the connection (no STARTTLS): nothing was sent. "
                           "Use imaps:// if it offers TLS directly."));
      case CAB_IMAP_ERROR_AUTH:
        return g_strdup (_("The server refused the mailbox address or the password: check them."));
      case CAB_IMAP_ERROR_NETWORK:
        return g_strdup_printf (_("The server cannot be reached: check its address and port, and the network (%s)."),
                                error->message);
      default:
        break;
      }
  if (error->domain == CAB_SMTP_ERROR)
    switch ((CabSmtpError) error->code)
      {
      case CAB_SMTP_ERROR_TLS:
        return g_strdup (_("The sending server’s certificate is not signed by an authority this computer "
                           "trusts, or is for another name: nothing was sent. Check the server address, or "
                           "ask for the practice’s certificate authority file."));
      case CAB_SMTP_ERROR_NO_STARTTLS:
        return g_strdup (_("The sending server refused to secure the connection (no STARTTLS): nothing was "
                           "sent. Use smtps:// if it offers TLS directly."));
      case CAB_SMTP_ERROR_AUTH:
        return g_strdup (_("The sending server refused the mailbox address or the password: check them."));
      case CAB_SMTP_ERROR_NO_AUTH:
        return g_strdup (_("The sending server does not offer to sign in: check its port (submission is "
                           "usually smtps://…:465 or smtp://…:587)."));
      case CAB_SMTP_ERROR_TEMPORARY:
        return g_strdup_printf (_("The sending server cannot be reached: check its address and port, and the "
                                  "network (%s)."), error->message);
      case CAB_SMTP_ERROR_URL:
      case CAB_SMTP_ERROR_REFUSED:
        break;
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return g_strdup (_("Type the password: none is saved for this mailbox on this server."));
  return g_strdup (error->message);
}

/* ---------------------------------------------------------------------- */
/* Check connection                                                       */

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CabPrefsMailPage) self = user_data;
  g_autoptr(GError) imap_error = NULL;
  g_autoptr(GError) smtp_error = NULL;

  if (!cab_mail_account_check_finish (result, &imap_error, &smtp_error) &&
      (g_error_matches (imap_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
       g_error_matches (smtp_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    return;
  set_busy (self, FALSE);
  if (!self->checking_imap)
    set_status (self, STATUS_INFO, _("No IMAP server to check: messages are not received"));
  else if (imap_error != NULL)
    {
      g_autofree char *text = explain_error (imap_error);
      set_status (self, STATUS_ERROR, text);
    }
  else
    set_status (self, STATUS_OK, _("Connected: the server accepted the mailbox and its password"));
  if (!self->checking_smtp)
    return;
  if (smtp_error != NULL)
    {
      g_autofree char *text = explain_error (smtp_error);
      set_smtp_status (self, STATUS_ERROR, text);
    }
  else
    set_smtp_status (self, STATUS_OK, _("Connected: the sending server accepted the mailbox and its password; "
                                        "nothing was sent"));
}

static void
check_clicked_cb (CabPrefsMailPage *self)
{
  g_autofree char *problem = validate (self, TRUE);
  g_autofree char *imap = row_text (self->imap_row);
  g_autofree char *smtp = row_text (self->smtp_row);
  g_autofree char *user = row_text (self->user_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;
  CabMailCheckSpec spec = { 0 };

  if (problem != NULL)
    {
      set_status (self, STATUS_ERROR, problem);
      return;
    }
  if (self->busy)
    return;
  set_busy (self, TRUE);
  self->checking_imap = *imap != '\0';
  self->checking_smtp = *smtp != '\0';
  set_status (self, STATUS_INFO, self->checking_imap ? _("Connecting…") : _("Not checked yet"));
  if (self->checking_smtp)
    set_smtp_status (self, STATUS_INFO, _("Connecting…"));
  /* A password typed here, else the one saved for this user@host: a
   * password saved for another server is never tried on this one. Both
   * servers are checked on a worker, each said on its own row. */
  spec = (CabMailCheckSpec) {
    .imap_url = imap,
    .smtp_url = smtp,
    .user = user,
    .password = *password != '\0' ? password : NULL,
    .ca_file = config != NULL ? config->ca_file : NULL,
  };
  cab_mail_account_check_async (&spec, self->cancellable, check_done_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* Save                                                                   */

static void
write_settings (CabPrefsMailPage *self)
{
  g_autofree char *imap = row_text (self->imap_row);
  g_autofree char *smtp = row_text (self->smtp_row);
  g_autofree char *user = row_text (self->user_row);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_settings_set_string (self->settings, "imap-url", imap);
  g_settings_set_string (self->settings, "smtp-url", smtp);
  g_settings_set_string (self->settings, "mail-user", user);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  /* The running app restarts its watcher and outbox kinds with it. */
  announce_change ();
  set_status (self, STATUS_OK, _("Saved: Cabinet uses this mailbox now"));
  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (_("Mailbox saved")));
}

static void
password_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CabPrefsMailPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_mail_account_save_password_finish (result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The password could not be saved in the keyring: %s"),
                                               error->message);
      set_status (self, STATUS_ERROR, text);
      return;
    }
  write_settings (self);
}

static void
save_clicked_cb (CabPrefsMailPage *self)
{
  g_autofree char *problem = validate (self, FALSE);
  g_autofree char *imap = row_text (self->imap_row);
  g_autofree char *smtp = row_text (self->smtp_row);
  g_autofree char *user = row_text (self->user_row);
  g_autofree char *saved_imap = g_settings_get_string (self->settings, "imap-url");
  g_autofree char *saved_smtp = g_settings_get_string (self->settings, "smtp-url");
  g_autofree char *saved_user = g_settings_get_string (self->settings, "mail-user");
  g_autofree char *key = account_key (imap, smtp, user);
  g_autofree char *saved_key = account_key (saved_imap, saved_smtp, saved_user);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (problem != NULL)
    {
      set_status (self, STATUS_ERROR, problem);
      return;
    }
  if (self->busy)
    return;
  if (*password == '\0')
    {
      /* Another server or mailbox: the saved password stays with the old one. */
      if (key != NULL && g_strcmp0 (key, saved_key) != 0)
        {
          mark_row (self->password_row, FALSE);
          set_status (self, STATUS_ERROR, _("Type the password of this mailbox: "
                                            "the saved one belongs to the previous server"));
          return;
        }
      write_settings (self);
      return;
    }
  mark_row (self->password_row, TRUE);
  if (key == NULL)
    {
      set_status (self, STATUS_ERROR, _("Type the server and the mailbox address with the password"));
      return;
    }
  set_busy (self, TRUE);
  set_status (self, STATUS_INFO, _("Saving…"));
  cab_mail_account_save_password_async (key, password, self->cancellable, password_saved_cb,
                                        g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* This desk                                                              */

/* The setting's practitioner, or the session's when one was given at
 * start-up (it wins over the setting: cab_config_resolve()). */
static char *
current_practitioner (CabPrefsMailPage *self)
{
  const CabConfig *config = self->session != NULL ? cab_session_get_config (self->session) : NULL;

  if (self->practitioner_origin != CAB_CONFIG_ORIGIN_SETTINGS && config != NULL)
    return g_strdup (config->practitioner != NULL ? config->practitioner : "");
  return g_settings_get_string (self->settings, "practitioner");
}

static void
select_practitioner (CabPrefsMailPage *self)
{
  g_autofree char *current = NULL;
  guint position = 0;

  if (self->settings == NULL)
    return;
  current = current_practitioner (self);

  for (guint i = 1; i < self->practitioners->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->practitioners, i), current) == 0)
      position = i;
  /* Set to someone this store does not know (yet): shown as is. */
  if (position == 0 && *current != '\0')
    {
      g_ptr_array_add (self->practitioners, g_strdup (current));
      gtk_string_list_append (self->practitioner_names, current);
      position = self->practitioners->len - 1;
    }
  self->filling = TRUE;
  adw_combo_row_set_selected (self->practitioner_row, position);
  self->filling = FALSE;
  /* Again after each change of the list: the combo row makes itself
   * sensitive when its model has items. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->practitioner_row),
                            self->practitioner_origin == CAB_CONFIG_ORIGIN_SETTINGS);
}

static void
practitioners_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CabPrefsMailPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) choices = cab_mail_prefs_query_practitioners_finish (result, &error);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->practitioner_names));

  if (choices == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the practitioners: %s", error->message);
      return;
    }
  self->filling = TRUE;
  g_ptr_array_set_size (self->practitioners, 1);
  gtk_string_list_splice (self->practitioner_names, 1, n - 1, NULL);
  for (guint i = 0; i < choices->len; i++)
    {
      CabPractitionerChoice *choice = g_ptr_array_index (choices, i);

      g_ptr_array_add (self->practitioners, g_strdup (choice->reference));
      gtk_string_list_append (self->practitioner_names, choice->display);
    }
  self->filling = FALSE;
  select_practitioner (self);
}

static void
practitioner_selected_cb (CabPrefsMailPage *self)
{
  guint position = adw_combo_row_get_selected (self->practitioner_row);

  if (self->filling || self->settings == NULL || position >= self->practitioners->len)
    return;
  g_settings_set_string (self->settings, "practitioner", g_ptr_array_index (self->practitioners, position));
  /* The inbox's "Assigned to me" follows. */
  announce_change ();
}

/* ---------------------------------------------------------------------- */
/* Read receipts                                                          */

static void
mdn_policy_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CabPrefsMailPage) self = user_data;
  g_autoptr(GError) error = NULL;
  CabMailMdnPolicy policy = cab_mail_prefs_query_mdn_policy_finish (result, &error);

  if (error != NULL)
    return;
  self->filling = TRUE;
  adw_combo_row_set_selected (self->mdn_row, (guint) policy);
  self->filling = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->mdn_row), TRUE);
}

static void
mdn_saved_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CabPrefsMailPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cab_mail_prefs_set_mdn_policy_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot save the read-receipt policy: %s", error->message);
}

static void
mdn_selected_cb (CabPrefsMailPage *self)
{
  CabStore *store = self->session != NULL ? cab_session_get_store (self->session) : NULL;

  if (self->filling || store == NULL)
    return;
  cab_mail_prefs_set_mdn_policy_async (store, (CabMailMdnPolicy) adw_combo_row_get_selected (self->mdn_row),
                                       self->cancellable, mdn_saved_cb, g_object_ref (self));
}

/* The store opens on a worker: what lives there is read once it is open. */
static void
store_cb (CabPrefsMailPage *self)
{
  CabStore *store = cab_session_get_store (self->session);

  if (store == NULL)
    return;
  cab_mail_prefs_query_practitioners_async (store, self->cancellable, practitioners_cb, g_object_ref (self));
  cab_mail_prefs_query_mdn_policy_async (store, self->cancellable, mdn_policy_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
cab_prefs_mail_page_dispose (GObject *object)
{
  CabPrefsMailPage *self = CAB_PREFS_MAIL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PREFS_MAIL_PAGE);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cab_prefs_mail_page_parent_class)->dispose (object);
}

static void
cab_prefs_mail_page_finalize (GObject *object)
{
  CabPrefsMailPage *self = CAB_PREFS_MAIL_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->practitioners, g_ptr_array_unref);
  g_free (self->status);
  g_free (self->smtp_status);

  G_OBJECT_CLASS (cab_prefs_mail_page_parent_class)->finalize (object);
}

static void
cab_prefs_mail_page_class_init (CabPrefsMailPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_prefs_mail_page_dispose;
  object_class->finalize = cab_prefs_mail_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/preferences/cab-prefs-mail-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, imap_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, smtp_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, smtp_status_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, smtp_status_icon);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, check_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, practitioner_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, practitioner_names);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, mdn_row);
  gtk_widget_class_bind_template_child (widget_class, CabPrefsMailPage, signature_view);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
}

static void
cab_prefs_mail_page_init (CabPrefsMailPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->practitioners = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->practitioners, g_strdup (""));
  gtk_string_list_append (self->practitioner_names, _("Front desk (no doctor)"));

  g_signal_connect_swapped (self->imap_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->smtp_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->user_row, "changed", G_CALLBACK (fields_changed_cb), self);
  g_signal_connect_swapped (self->practitioner_row, "notify::selected", G_CALLBACK (practitioner_selected_cb), self);
  g_signal_connect_swapped (self->mdn_row, "notify::selected", G_CALLBACK (mdn_selected_cb), self);
}

/* ---------------------------------------------------------------------- */
/* public API                                                             */

void
cab_prefs_mail_page_bind (CabPrefsMailPage *self,
                          GSettings        *settings,
                          CabSession       *session)
{
  g_autofree char *imap = NULL, *smtp = NULL, *user = NULL;

  g_return_if_fail (CAB_IS_PREFS_MAIL_PAGE (self));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (session == NULL || CAB_IS_SESSION (session));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  imap = g_settings_get_string (settings, "imap-url");
  smtp = g_settings_get_string (settings, "smtp-url");
  user = g_settings_get_string (settings, "mail-user");
  gtk_editable_set_text (GTK_EDITABLE (self->imap_row), imap);
  gtk_editable_set_text (GTK_EDITABLE (self->smtp_row), smtp);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  fields_changed_cb (self);
  g_settings_bind (settings, "mail-signature", gtk_text_view_get_buffer (self->signature_view), "text",
                   G_SETTINGS_BIND_DEFAULT);
  select_practitioner (self);

  if (session == NULL)
    return;
  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::store", G_CALLBACK (store_cb), self, G_CONNECT_SWAPPED);
  store_cb (self);
}

void
cab_prefs_mail_page_set_practitioner_origin (CabPrefsMailPage *self,
                                             CabConfigOrigin   origin)
{
  const char *subtitle = NULL;

  g_return_if_fail (CAB_IS_PREFS_MAIL_PAGE (self));

  self->practitioner_origin = origin;
  if (origin == CAB_CONFIG_ORIGIN_COMMAND_LINE)
    subtitle = _("Set from the command line (--practitioner)");
  else if (origin == CAB_CONFIG_ORIGIN_ENVIRONMENT)
    subtitle = _("Set by the environment (CABINET_PRACTITIONER)");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->practitioner_row), subtitle);
  select_practitioner (self);
}

const char *
cab_prefs_mail_page_get_status (CabPrefsMailPage *self)
{
  g_return_val_if_fail (CAB_IS_PREFS_MAIL_PAGE (self), NULL);
  return self->status;
}

const char *
cab_prefs_mail_page_get_smtp_status (CabPrefsMailPage *self)
{
  g_return_val_if_fail (CAB_IS_PREFS_MAIL_PAGE (self), NULL);
  return self->smtp_status;
}

gboolean
cab_prefs_mail_page_get_busy (CabPrefsMailPage *self)
{
  g_return_val_if_fail (CAB_IS_PREFS_MAIL_PAGE (self), FALSE);
  return self->busy;
}
