/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-window.h"

G_BEGIN_DECLS

/* What the window's tests (and the application's --screenshot) need and
 * the rest of the UI does not: kept out of cab-window.h so that the window
 * stays a sidebar and pages to its users. */

/* What the window shows, for tests and screenshots: the header subtitle
 * (sync state), the patient count title, and the error banner (NULL when
 * hidden). */
const char *cab_window_get_status_text   (CabWindow      *self);
const char *cab_window_get_count_text    (CabWindow      *self);
const char *cab_window_get_banner_text   (CabWindow      *self);

/* The Patients page: search, overview and the open patient. */
CabDesk    *cab_window_get_desk          (CabWindow      *self);

/* The Outbox page; the sidebar badge's text (NULL when hidden); the text of
 * the last "queued while offline" toast (NULL when none was shown).
 * "win.outbox-queued" tells the window an action was just queued, and
 * "win.mail-queued" that the composer queued a message (its toast). */
CabOutboxPage *cab_window_get_outbox_page  (CabWindow      *self);
const char    *cab_window_get_outbox_badge (CabWindow      *self);
const char    *cab_window_get_last_toast   (CabWindow      *self);

/* The Follow-up page, and the sidebar's count of patients overdue (NULL
 * when hidden). "win.patient-followup" shows the open patient's there. */
CabFollowupPage *cab_window_get_followup_page  (CabWindow      *self);
const char      *cab_window_get_followup_badge (CabWindow      *self);

/* The Inbox page, and the sidebar's count of messages to triage (NULL when
 * hidden). */
CabInboxPage    *cab_window_get_inbox_page     (CabWindow      *self);
const char      *cab_window_get_inbox_badge    (CabWindow      *self);
/* The sidebar's unread count ("3 unread"), or NULL when hidden. */
const char      *cab_window_get_inbox_unread   (CabWindow      *self);

/* How the window opens links (the image viewer): by default in the
 * desktop's browser with gtk_show_uri(); tests put their own here.
 * "win.open-uri" (s) goes through it. */
typedef void (*CabUriLauncher) (CabWindow  *window,
                                const char *uri,
                                gpointer    user_data);
void        cab_window_set_uri_launcher  (CabWindow      *self,
                                          CabUriLauncher  launcher,
                                          gpointer        user_data,
                                          GDestroyNotify  destroy);
void        cab_window_launch_uri        (CabWindow      *self,
                                          const char     *uri);

/* Renders the window as it is on screen into a PNG at @path. */
gboolean    cab_window_save_screenshot   (CabWindow      *self,
                                          const char     *path,
                                          GError        **error);

G_END_DECLS
