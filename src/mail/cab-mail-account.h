/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The mail password: CABINET_MAIL_PASSWORD for scripts and tests, else the
 * desktop keyring, under the account it was saved for ("user@host",
 * cab_mail_sync_account_key()), so it is never sent to another server
 * (rule 1 of docs/architecture.md, "Rules for hostile input"). NULL when
 * neither has one. */
char *cab_mail_account_lookup_password (const char  *account,
                                        GError     **error);

G_END_DECLS
