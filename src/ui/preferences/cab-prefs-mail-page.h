/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_PREFS_MAIL_PAGE (cab_prefs_mail_page_get_type ())
G_DECLARE_FINAL_TYPE (CabPrefsMailPage, cab_prefs_mail_page, CAB, PREFS_MAIL_PAGE, AdwPreferencesPage)

/* Preferences → Mail: the MSSanté account (saved with "Save": its password
 * to the keyring, bound to user@host; then app.mail-account-changed), the
 * doctor at this desk, the read-receipt policy (in the store) and the
 * signature (docs/architecture.md, "Where the mail account comes from"). */
void cab_prefs_mail_page_bind (CabPrefsMailPage *self,
                               GSettings        *settings,
                               CabSession       *session);

/* The practitioner was given at start-up (@origin: command line or
 * environment): the "Working Here" row shows the session's and says where
 * it comes from, insensitive; the setting is kept for the next start. */
void cab_prefs_mail_page_set_practitioner_origin (CabPrefsMailPage *self,
                                                  CabConfigOrigin   origin);
/* For tests: the status row's text (IMAP's check, validation, saving),
 * the SMTP row's text (its check), and whether a check or save is under
 * way. */
const char *cab_prefs_mail_page_get_status      (CabPrefsMailPage *self);
const char *cab_prefs_mail_page_get_smtp_status (CabPrefsMailPage *self);
gboolean    cab_prefs_mail_page_get_busy        (CabPrefsMailPage *self);

G_END_DECLS
