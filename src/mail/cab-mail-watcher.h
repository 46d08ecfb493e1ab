/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* Keeps the inbox in step with the server while the app runs
 * (docs/architecture.md, "Mail"): on a worker thread of its own, a sync,
 * then IMAP IDLE until the server reports a change (or 25 minutes pass),
 * then a sync again, on one connection. When the server cannot be reached
 * or refuses, it waits (5 s, doubling up to 5 minutes) and tries again.
 * Its state and "changed" are delivered on the main context it was
 * started from; the page reloads its model on "changed". */

typedef enum
{
  CAB_MAIL_WATCHER_STOPPED,
  CAB_MAIL_WATCHER_SYNCING,   /* connecting or syncing */
  CAB_MAIL_WATCHER_IDLE,      /* up to date, waiting for the server */
  CAB_MAIL_WATCHER_OFFLINE,   /* last attempt failed: see error-message */
} CabMailWatcherState;

GType cab_mail_watcher_state_get_type (void);
#define CAB_TYPE_MAIL_WATCHER_STATE (cab_mail_watcher_state_get_type ())

#define CAB_TYPE_MAIL_WATCHER (cab_mail_watcher_get_type ())
G_DECLARE_FINAL_TYPE (CabMailWatcher, cab_mail_watcher, CAB, MAIL_WATCHER, GObject)

/* @ca_file: PEM CA bundle, or NULL for the system's trust. Raw messages
 * go to <data_dir>/mail. The password comes from CABINET_MAIL_PASSWORD or
 * the keyring (cab-mail-account.h), looked up on the worker. */
CabMailWatcher     *cab_mail_watcher_new       (CabStore       *store,
                                                const char     *imap_url,
                                                const char     *user,
                                                const char     *ca_file,
                                                const char     *data_dir);
void                cab_mail_watcher_start     (CabMailWatcher *self);
/* Cancels the worker without waiting for it; "state" goes to STOPPED when
 * it has let go of the connection. */
void                cab_mail_watcher_stop      (CabMailWatcher *self);
CabMailWatcherState cab_mail_watcher_get_state (CabMailWatcher *self);
/* Why the last attempt failed (translated), while OFFLINE. */
const char         *cab_mail_watcher_get_error_message (CabMailWatcher *self);
/* Unix time of the last sync that completed, 0 before the first. */
gint64              cab_mail_watcher_get_last_synced   (CabMailWatcher *self);

/* For tests: the longest IDLE and the back-off bounds, in seconds. */
void                cab_mail_watcher_set_timing (CabMailWatcher *self,
                                                 guint           idle_s,
                                                 guint           backoff_min_s,
                                                 guint           backoff_max_s);
/* For tests: the messages whose PDFs' text one indexing round reads. */
void                cab_mail_watcher_set_index_round (CabMailWatcher *self,
                                                      guint           n_messages);

G_END_DECLS
