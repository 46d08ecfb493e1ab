/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-store-private.h"
#include "cab-mail-keywords.h"

G_BEGIN_DECLS

/* What the triage files share, inside the writer's transaction. */
gboolean cab_mail_triage_step_done              (CabStoreWriter       *writer,
                                                 sqlite3_stmt         *stmt,
                                                 const char           *what,
                                                 GError              **error);
/* Any entry of the message's lane not settled (pending, sending, held,
 * failed, conflict). */
gboolean cab_mail_triage_has_open_change_locked (CabStoreConn         *conn,
                                                 gint64                mail_id,
                                                 gboolean             *open,
                                                 GError              **error);
/* The message's local triage becomes @triage (status, assignee, patient,
 * keywords; documents' dismissed and filed marks). */
gboolean cab_mail_triage_apply_locked           (CabStoreWriter       *writer,
                                                 gint64                mail_id,
                                                 const CabMailTriage  *triage,
                                                 GError              **error);

G_END_DECLS
