/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-correspondent.h"
#include "cab-store.h"

G_BEGIN_DECLS

/*
 * Recipient completion for the composer (docs/architecture.md, "Sending
 * mail: directory and completion"). No GTK; the search runs on core's
 * reader pool (cab-query.h), never on the main thread.
 *
 * What is searched, all in the store, offline:
 * - the practice's own correspondents, learned from its mail: every
 *   sender of a stored inbox message and every recipient of a queued
 *   message (store triggers keep the table current, migration 11); patients'
 *   own mailboxes (<INS>@patient.mssante.fr) are never learned;
 * - the directory cache: the national health directory's entries that
 *   have an MSSanté address (cab-directory.h fills it: `cabinetctl
 *   directory sync`, or an online search's answers).
 *
 * Matching: every word typed must be the start of a word of the name, the
 * address (split at '.', '@', '-'), the city, the profession or the RPPS;
 * case and accents are ignored ("heNAFF" finds "Hénaff", "108192" an RPPS).
 * Ranking: the practice's correspondents first, by how often and how
 * recently it wrote to them (sent counts double) or heard from them; then
 * the directory's other entries by name. One entry per address: a learned
 * address found in the directory carries its profession, city and RPPS.
 * Empty text: the practice's most frequent recent correspondents.
 *
 * Cost: two FTS5 prefix queries (indexes on 2- and 3-character prefixes);
 * meant to run at each keystroke, superseded with cab_query_supersede().
 * Text over CAB_CORRESPONDENTS_MAX_TEXT bytes gives no result.
 */

#define CAB_CORRESPONDENTS_DEFAULT_LIMIT  20
#define CAB_CORRESPONDENTS_MAX_LIMIT      200
#define CAB_CORRESPONDENTS_MAX_TEXT       256

/* @limit: 0 for CAB_CORRESPONDENTS_DEFAULT_LIMIT, capped at _MAX_LIMIT. */
void        cab_correspondents_search_async  (CabStore            *store,
                                              const char          *text,
                                              guint                limit,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* A GListModel of CabCorrespondent, best first (possibly empty), or NULL
 * with @error set (G_IO_ERROR_CANCELLED when superseded: drop it). */
GListModel *cab_correspondents_search_finish (GAsyncResult        *result,
                                              GError             **error);

/* The same, blocking: for worker threads and cabinetctl, never the main
 * thread. Returns CabCorrespondent*, best first. */
GPtrArray  *cab_correspondents_search        (CabStore            *store,
                                              const char          *text,
                                              guint                limit,
                                              GError             **error);

G_END_DECLS
