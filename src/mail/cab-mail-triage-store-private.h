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

/* cab-mail-follow.c: the message's documents may no longer be where its
 * triage (@filed or not) says; the next pass of cab_mail_follow_server()
 * looks. */
gboolean cab_mail_follow_mark_locked            (CabStoreWriter       *writer,
                                                 gint64                mail_id,
                                                 gboolean              filed,
                                                 GError              **error);
/* The message's triage here becomes the server's keywords with this desk's
 * changes still open in the outbox (but entry @except_entry) carried onto
 * them; documents filed here that it no longer files are taken back now,
 * the ones it files are left to the next pass. */
gboolean cab_mail_follow_restore_locked         (CabStoreWriter       *writer,
                                                 gint64                mail_id,
                                                 gint64                except_entry,
                                                 GError              **error);

G_END_DECLS
