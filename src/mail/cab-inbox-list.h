/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-inbox-item.h"
#include "cab-inbox-queries.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_LIST (cab_inbox_list_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxList, cab_inbox_list, CAB, INBOX_LIST, GObject)

/*
 * The Inbox page's messages as a GListModel of CabInboxItem, newest first.
 * It follows docs/architecture.md, "Models", like CabTimeline: inputs are
 * properties; a change supersedes the query still running (its answer never
 * lands); each answer replaces the items in one items-changed, putting back
 * the items that look the same, then "loaded" is emitted. Call
 * cab_inbox_list_reload() when the store changed (a mail sync, a triage
 * action). Main thread only.
 *
 * Properties (read-write): store, filter (CabInboxFilter, default
 * TO_TRIAGE), assignee ("Practitioner/<id>" for ASSIGNED_TO_ME), text (the
 * search; NULL or "": none).
 * Read-only: loading, n-to-triage, n-unread, n-total (the whole inbox,
 * whatever the filter and search: the sidebar's counts).
 */
CabInboxList   *cab_inbox_list_new            (CabStore      *store);

CabStore       *cab_inbox_list_get_store      (CabInboxList  *self);
void            cab_inbox_list_set_store      (CabInboxList  *self,
                                               CabStore      *store);
CabInboxFilter  cab_inbox_list_get_filter     (CabInboxList  *self);
void            cab_inbox_list_set_filter     (CabInboxList  *self,
                                               CabInboxFilter filter);
const char     *cab_inbox_list_get_assignee   (CabInboxList  *self);
void            cab_inbox_list_set_assignee   (CabInboxList  *self,
                                               const char    *assignee);
const char     *cab_inbox_list_get_text       (CabInboxList  *self);
void            cab_inbox_list_set_text       (CabInboxList  *self,
                                               const char    *text);

void            cab_inbox_list_reload         (CabInboxList  *self);

gboolean        cab_inbox_list_get_loading    (CabInboxList  *self);
/* Why the last query failed (the model is then empty), or NULL. */
const GError   *cab_inbox_list_get_error      (CabInboxList  *self);
guint           cab_inbox_list_get_n_to_triage (CabInboxList *self);
guint           cab_inbox_list_get_n_unread   (CabInboxList  *self);
guint           cab_inbox_list_get_n_total    (CabInboxList  *self);
/* Completed loads so far (tests wait on it). */
guint           cab_inbox_list_get_n_loads    (CabInboxList  *self);
/* The position of message @id, or G_MAXUINT. */
guint           cab_inbox_list_find           (CabInboxList  *self,
                                               gint64         id);

/* Completes when the model is not loading (at once when idle). */
void            cab_inbox_list_wait_async     (CabInboxList        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        cab_inbox_list_wait_finish    (CabInboxList        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Signal "loaded": the items reflect the newest inputs. */

G_END_DECLS
