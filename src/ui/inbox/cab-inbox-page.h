/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "cab-inbox-list.h"
#include "cab-inbox-reader.h"
#include "cab-mail-watcher.h"
#include "cab-session.h"

G_BEGIN_DECLS

#define CAB_TYPE_INBOX_PAGE (cab_inbox_page_get_type ())
G_DECLARE_FINAL_TYPE (CabInboxPage, cab_inbox_page, CAB, INBOX_PAGE, GtkWidget)

/* The Inbox page, the secretary's desk: the MSSanté messages (core's
 * CabInboxList) with their patient match badge, filtered (to triage,
 * mine, handled, all: Ctrl+1..4) and searched (Ctrl+F), beside the reading
 * pane (CabInboxReader). The mailbox's watcher says when the list must be
 * read again and whether the server answers. Keyboard: Ctrl+↓ / Ctrl+↑ next and previous
 * message, Ctrl+Shift+P another patient; triage (cab-mail-triage.h):
 * choosing or confirming a patient files the message to them, Ctrl+Return
 * files an auto match, Ctrl+I assigns to a doctor, Ctrl+D marks handled
 * (or reopens), Ctrl+Z undoes; each with a toast that offers Undo. A
 * message opened is read (cab-mail-seen.h), Ctrl+U marks it unread again;
 * the sidebar's counts are read again then, not the list. The list is
 * read again after each sync.
 *
 * With no mailbox set up and nothing stored, the page says where to set
 * one up (the preferences).
 *
 * "Mine" lists the messages assigned to the desk's doctor (the
 * practitioner setting, CabConfig.practitioner); without one (a front
 * desk) it is insensitive and its tooltip says to choose the desk's doctor
 * in Preferences.
 *
 * Properties: session; mail-account (the configured mailbox, NULL: none);
 * read-only n-to-triage and n-unread (the sidebar's counts).
 * Signal "toast" (string). */
GtkWidget      *cab_inbox_page_new               (void);
void            cab_inbox_page_set_session       (CabInboxPage  *self,
                                                  CabSession    *session);
void            cab_inbox_page_set_mail_account  (CabInboxPage  *self,
                                                  const char    *account);
/* The watcher that keeps the mailbox in step (cab-mail-watcher.h): the
 * list is read again on its "changed", and its state shows (receiving,
 * up to date at, offline with the reason). NULL: none. */
void            cab_inbox_page_set_mail_watcher  (CabInboxPage   *self,
                                                  CabMailWatcher *watcher);
/* Reads the list again (the store's mail changed). */
void            cab_inbox_page_reload            (CabInboxPage  *self);
void            cab_inbox_page_focus_search      (CabInboxPage  *self);
void            cab_inbox_page_set_filter        (CabInboxPage  *self,
                                                  CabInboxFilter filter);
/* Next (+1) or previous (-1) message; the first when none is selected. */
void            cab_inbox_page_move              (CabInboxPage  *self,
                                                  int            delta);
/* What the sync of the mailbox says: NULL when all is well, else the
 * sentence shown above the list (offline, with the error). */
void            cab_inbox_page_set_sync_problem  (CabInboxPage  *self,
                                                  const char    *text);
guint           cab_inbox_page_get_n_to_triage   (CabInboxPage  *self);
guint           cab_inbox_page_get_n_unread      (CabInboxPage  *self);

/* For tests. */
CabInboxList   *cab_inbox_page_get_list          (CabInboxPage  *self);
CabInboxReader *cab_inbox_page_get_reader        (CabInboxPage  *self);
/* Whether the reading pane is built yet (the first message chosen builds it). */
gboolean        cab_inbox_page_has_reader        (CabInboxPage  *self);
GtkListView    *cab_inbox_page_get_list_view     (CabInboxPage  *self);
/* The selected message, or NULL. */
CabInboxItem   *cab_inbox_page_get_selected      (CabInboxPage  *self);
/* @position in the list (cab_inbox_page_get_list()), shown first if the
 * list view does not show it yet. */
void            cab_inbox_page_select            (CabInboxPage  *self,
                                                  guint          position);
/* "no-account", "list" or "empty". */
const char     *cab_inbox_page_get_state         (CabInboxPage  *self);
/* The sync problem shown above the list, or NULL; the count line. */
const char     *cab_inbox_page_get_sync_problem  (CabInboxPage  *self);
const char     *cab_inbox_page_get_count_text    (CabInboxPage  *self);
/* Triage actions finished, done or refused (tests wait on it). */
guint           cab_inbox_page_get_n_triaged     (CabInboxPage  *self);
/* The filter's toggle ("Mine" is insensitive without the desk's doctor). */
GtkWidget      *cab_inbox_page_get_filter_button (CabInboxPage  *self,
                                                  CabInboxFilter filter);
/* Read/unread changes finished (tests wait on it). */
guint           cab_inbox_page_get_n_seen        (CabInboxPage  *self);
/* The PDF viewer window the page opened last, or NULL. */
GtkWindow      *cab_inbox_page_get_viewer_window (CabInboxPage  *self);
void            cab_inbox_page_open_document     (CabInboxPage  *self,
                                                  const char    *path,
                                                  const char    *title);

G_END_DECLS
