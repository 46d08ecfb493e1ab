/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cab-directory.h"

G_BEGIN_DECLS

/*
 * Keeps the directory cache fresh while the app runs (docs/architecture.md,
 * "Sending mail: directory and completion"): the app asks for a refresh
 * after each health-space sync; a cab_directory_sync_async() of the learned
 * correspondents and cached practitioners (no cities) runs when none is
 * running and none started in the last CAB_DIRECTORY_REFRESH_INTERVAL_S.
 * Background work: a failure is logged with g_debug (no names, no
 * addresses), the cache stays as it was, and the refresh is tried again
 * with a backoff (cab_directory_refresh_retry_delay_s()). No GTK; main context of the
 * thread that created it (its CabDirectory's rule).
 */

#define CAB_DIRECTORY_REFRESH_INTERVAL_S 3600

#define CAB_TYPE_DIRECTORY_REFRESH (cab_directory_refresh_get_type ())
G_DECLARE_FINAL_TYPE (CabDirectoryRefresh, cab_directory_refresh, CAB, DIRECTORY_REFRESH, GObject)

CabDirectoryRefresh *cab_directory_refresh_new       (CabDirectory        *directory);
CabDirectory        *cab_directory_refresh_get_directory (CabDirectoryRefresh *self);
/* Starts a sync unless one is running or one started less than
 * CAB_DIRECTORY_REFRESH_INTERVAL_S ago; TRUE when it started one. Emits
 * "finished" (gboolean success) when that sync is over. */
gboolean             cab_directory_refresh_request   (CabDirectoryRefresh *self);
/* Stops the running sync, if any, and a retry waiting (at shutdown). */
void                 cab_directory_refresh_cancel    (CabDirectoryRefresh *self);

/* A failed refresh is tried again on its own after 1, 2, 5 and 15 minutes,
 * then every hour, until one succeeds (never two at once; a request meanwhile
 * waits for the retry): the wait after @failures failures in a row, in
 * seconds. */
guint                cab_directory_refresh_retry_delay_s (guint failures);
/* Failures in a row since the last success (0: none, or it succeeded). */
guint                cab_directory_refresh_get_failures  (CabDirectoryRefresh *self);
/* For tests: one "minute" of the retry schedule lasts @ms milliseconds. */
void                 cab_directory_refresh_set_minute_for_tests (CabDirectoryRefresh *self,
                                                                 guint                ms);

G_END_DECLS
