/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-prefetch.h"
#include "cab-preferences-window.h"
#include "cab-prefs-mail-page.h"

#define GB ((guint64) 1000 * 1000 * 1000)

struct _CabPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings           *settings;

  AdwActionRow        *budget_row;
  GtkAdjustment       *budget_adjustment;
  GtkSwitch           *metered_switch;
  CabPrefsMailPage    *mail_page;
};

G_DEFINE_FINAL_TYPE (CabPreferencesWindow, cab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The budget in whole gigabytes; 0 is the default, said in words. */
static gboolean
budget_to_spin (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  guint64 bytes = g_variant_get_uint64 (variant);

  g_value_set_double (value, bytes == 0 ? 0 : MAX (1, (bytes + GB / 2) / GB));
  return TRUE;
}

static GVariant *
spin_to_budget (const GValue       *value,
                const GVariantType *type,
                gpointer            user_data)
{
  return g_variant_new_uint64 ((guint64) g_value_get_double (value) * GB);
}

static void
update_budget_subtitle (CabPreferencesWindow *self)
{
  guint gigabytes = (guint) gtk_adjustment_get_value (self->budget_adjustment);
  g_autofree char *default_size = g_format_size (CAB_PREFETCH_DEFAULT_BUDGET);
  g_autofree char *subtitle = NULL;

  if (gigabytes == 0)
    /* Translators: %s is "10.0 GB" */
    subtitle = g_strdup_printf (_("In gigabytes; 0 for the default: %s or a quarter of the free space, whichever is smaller"),
                                default_size);
  else
    subtitle = g_strdup (_("In gigabytes; the oldest documents make room for the newest"));
  adw_action_row_set_subtitle (self->budget_row, subtitle);
}

static void
cab_preferences_window_dispose (GObject *object)
{
  CabPreferencesWindow *self = CAB_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CAB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cab_preferences_window_parent_class)->dispose (object);
}

static void
cab_preferences_window_class_init (CabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_preferences_window_dispose;

  g_type_ensure (CAB_TYPE_PREFS_MAIL_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cabinet_sante/Cabinet/preferences/cab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CabPreferencesWindow, budget_row);
  gtk_widget_class_bind_template_child (widget_class, CabPreferencesWindow, budget_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CabPreferencesWindow, metered_switch);
  gtk_widget_class_bind_template_child (widget_class, CabPreferencesWindow, mail_page);
}

static void
cab_preferences_window_init (CabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->budget_adjustment, "value-changed",
                            G_CALLBACK (update_budget_subtitle), self);
  update_budget_subtitle (self);
}

GtkWidget *
cab_preferences_window_new (GtkWindow *parent,
                            GSettings *settings)
{
  return cab_preferences_window_new_for_session (parent, settings, NULL);
}

GtkWidget *
cab_preferences_window_new_for_session (GtkWindow  *parent,
                                        GSettings  *settings,
                                        CabSession *session)
{
  CabPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CAB_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "offline-budget", self->budget_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, budget_to_spin, spin_to_budget, NULL, NULL);
  g_settings_bind (settings, "offline-allow-metered", self->metered_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  cab_prefs_mail_page_bind (self->mail_page, settings, session);
  return GTK_WIDGET (self);
}

CabPrefsMailPage *
cab_preferences_window_get_mail_page (CabPreferencesWindow *self)
{
  g_return_val_if_fail (CAB_IS_PREFERENCES_WINDOW (self), NULL);
  return self->mail_page;
}
