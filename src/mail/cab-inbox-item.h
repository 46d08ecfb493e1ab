/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-mail-match.h"
#include "cab-mail-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_ITEM (cab_inbox_item_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxItem, cab_inbox_item, CAB, INBOX_ITEM, GObject)

/*
 * CabInboxItem: one message of the inbox as the list shows it, built on a
 * pool thread by the inbox queries (cab-inbox-queries.h) from its stored
 * row. A snapshot: CabInboxList makes new items when the store changed and
 * puts back the ones that look the same.
 *
 * The match state is the one to show: a message matched "auto" to a
 * patient whose stored identity is no longer qualified (or whose INS
 * another patient also holds) shows as "proposed" (principle 4: an
 * unqualified identity is never shown as qualified).
 *
 * Properties (read-only): id (int64), subject, sender, status.
 */

gint64              cab_inbox_item_get_id            (CabInboxItem *self);
/* The stored row (documents included; body text and attachment names are
 * not read back). */
const CabMailRow   *cab_inbox_item_get_row           (CabInboxItem *self);
/* The subject, or "" (a message without one). */
const char         *cab_inbox_item_get_subject       (CabInboxItem *self);
/* The sender's display name, else its address. */
const char         *cab_inbox_item_get_sender        (CabInboxItem *self);
/* "new", "assigned" or "handled". */
const char         *cab_inbox_item_get_status        (CabInboxItem *self);
CabMatchState       cab_inbox_item_get_match_state   (CabInboxItem *self);
CabMatchReason      cab_inbox_item_get_match_reason  (CabInboxItem *self);
/* The patient of an auto or proposed match, or NULL. */
const char         *cab_inbox_item_get_patient_id    (CabInboxItem *self);
/* The date as the list shows it: "14:32" today, "03/12/2026" another day;
 * "" when the message has none. */
const char         *cab_inbox_item_get_date_text     (CabInboxItem *self);
/* The documents' type labels ("Compte rendu d'examens biologiques"...)
 * joined with ", ", or NULL. */
const char         *cab_inbox_item_get_type_labels   (CabInboxItem *self);
guint               cab_inbox_item_get_n_documents   (CabInboxItem *self);
/* A document whose SHA-1 or size is not what its metadata declares, or an
 * XDM refused whole. */
gboolean            cab_inbox_item_get_has_problem   (CabInboxItem *self);
gboolean            cab_inbox_item_get_unread        (CabInboxItem *self);

/* For the queries: takes @row; @patient_qualified says whether the stored
 * identity of the matched patient is qualified now. @now and @tz format the
 * date (one per query). */
CabInboxItem       *cab_inbox_item_new               (CabMailRow   *row,
                                                      gboolean      patient_qualified,
                                                      gboolean      unread,
                                                      GDateTime    *now,
                                                      GTimeZone    *tz);
/* Parses the machine names the store keeps. */
CabMatchState       cab_match_state_from_string      (const char   *text);
CabMatchReason      cab_match_reason_from_string     (const char   *text);

G_END_DECLS
