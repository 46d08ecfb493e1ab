/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-fhir-client.h"
#include "cab-store.h"
#include "cab-store-cache.h"

G_BEGIN_DECLS

/* Documents downloaded on demand into the data directory: the app's viewer
 * and `cabinetctl document fetch` share this. */

/* Where @document_id's content is kept: <data_dir>/documents/<id>.<ext>,
 * the id made safe for a file name. Does not create anything. */
char     *cab_document_cache_path          (const char          *data_dir,
                                            const char          *document_id,
                                            const char          *content_type);

/* Removes the temporary files (*.part) that a download killed with its
 * process left in <data_dir>/documents. A live download holds a lock on its
 * .part (in this process or another) and is left alone; the kernel drops a
 * dead process's locks, so what a kill -9 left goes at once. Returns how many
 * went. Touches the file system: call from a worker thread. Done once per
 * process by cab_document_cache_fetch_async(), and before each prefetch run. */
guint     cab_document_cache_remove_stale  (const char          *data_dir);

/* The local copy of @row when it is recorded and still on disk, else NULL.
 * Touches the file system: call from a worker thread. */
char     *cab_document_cache_lookup        (const CabDocumentRow *row);

/* Downloads @row's attachment (size and SHA-1 checked by the client) into
 * the cache, extracts its text for the full-text index when it is a PDF (a
 * PDF poppler cannot read is still a document, just not searchable), and
 * records both with cab_store_set_document_content(); the text and the
 * store run on worker threads. Call from the thread that owns @client.
 * @progress runs there too. Finishes with the local path. */
void      cab_document_cache_fetch_async   (CabFhirClient        *client,
                                            CabStore             *store,
                                            const char           *data_dir,
                                            const CabDocumentRow *row,
                                            CabFhirProgressFunc   progress,
                                            gpointer              progress_data,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char     *cab_document_cache_fetch_finish  (GAsyncResult         *result,
                                            GError              **error);

/* The same, recording where the content came from for the disk budget
 * (cab-store-cache.h); cab_document_cache_fetch_async() records it as
 * opened. A complete copy already at the cache path (left by a process that
 * died before recording it) is checked against the announced size and SHA-1
 * and recorded without downloading it again. A prefetched content's text is
 * not extracted here: cab_prefetch_index_async() does it when the lane is
 * idle. Finish with cab_document_cache_fetch_finish(). */
void      cab_document_cache_fetch_full_async (CabFhirClient        *client,
                                            CabStore             *store,
                                            const char           *data_dir,
                                            const CabDocumentRow *row,
                                            CabContentSource      source,
                                            CabFhirProgressFunc   progress,
                                            gpointer              progress_data,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);

/* After a failed fetch: the HTTP status of the server's last answer (0 when
 * none, e.g. offline) and its Retry-After in seconds (-1 when absent). */
guint     cab_document_cache_fetch_get_status (GAsyncResult      *result,
                                            gint64               *retry_after_s);

G_END_DECLS
