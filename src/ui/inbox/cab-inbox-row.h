/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-inbox-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_ROW (cab_inbox_row_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxRow, cab_inbox_row, CAB, INBOX_ROW, GtkWidget)

/* One message in the Inbox list: sender, date, subject, the patient match
 * badge (conflict in red), the doctor it is assigned to, an attachment
 * icon, a warning icon when a document's hash or size disagrees, and the
 * documents' type labels. Unread: a dot, sender and subject in bold
 * (followed in place: the item's "unread" is notified). One widget that
 * draws all this (docs/architecture.md, "The Inbox page"). */
GtkWidget    *cab_inbox_row_new      (void);
void          cab_inbox_row_set_item (CabInboxRow  *self,
                                      CabInboxItem *item);
CabInboxItem *cab_inbox_row_get_item (CabInboxRow  *self);
/* The badge's text (tests). */
const char   *cab_inbox_row_get_badge_text (CabInboxRow *self);
/* The doctor shown, or NULL (tests). */
const char   *cab_inbox_row_get_assignee_text (CabInboxRow *self);

G_END_DECLS
