/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-config.h"
#include "cab-types.h"
#include "cab-mail-watcher.h"
#include "cab-directory-refresh.h"

G_BEGIN_DECLS

#define CAB_TYPE_APPLICATION (cab_application_get_type ())
G_DECLARE_FINAL_TYPE (CabApplication, cab_application, CAB, APPLICATION, AdwApplication)

/* setlocale, bindtextdomain (LOCALEDIR, or $CABINET_LOCALEDIR for tests and
 * uninstalled runs) and textdomain: call first thing in main(). */
void            cab_application_init_i18n    (void);

CabApplication *cab_application_new          (void);
/* Uses @config as is instead of loading settings, keyring and environment
 * (tests). Call before the application is activated. */
void            cab_application_set_config   (CabApplication  *self,
                                              const CabConfig *config);
/* The main window, or NULL before the first activation. */
CabWindow      *cab_application_get_window   (CabApplication  *self);
/* Keeps the MSSanté inbox in step with the server while the window is
 * open; NULL when no mail account is configured (imap-url, mail-user). */
CabMailWatcher *cab_application_get_mail_watcher (CabApplication *self);
/* The national health directory, once the store is open; NULL when no
 * directory-url is configured. Its cache is refreshed after the health
 * space's syncs (cab-directory-refresh.h). */
CabDirectory   *cab_application_get_directory (CabApplication *self);
CabDirectoryRefresh *cab_application_get_directory_refresh (CabApplication *self);
/* Where the desk's practitioner comes from (cab_config_practitioner_origin();
 * a configuration set by cab_application_set_config() counts as the
 * command line). */
CabConfigOrigin cab_application_get_practitioner_origin (CabApplication *self);

G_END_DECLS
