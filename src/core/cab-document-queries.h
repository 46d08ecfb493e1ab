/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-store.h"

G_BEGIN_DECLS

/* The desk's document reads, as async queries on core's reader pool
 * (cab-query.h). Same rules as cab-patient-queries.h: a cancelled query
 * finishes with G_IO_ERROR_CANCELLED, the tasks have no source object. */

/* What the document pane needs to show one document. */
typedef struct
{
  CabDocumentRow *row;
  char           *local_path;  /* its downloaded copy, still on disk, or NULL */
  CabPatientRow  *patient;     /* when the document names a study: for the image
                                * viewer's link (identity, INS); else NULL */
} CabDocumentRead;

void             cab_document_read_free              (CabDocumentRead *read);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CabDocumentRead, cab_document_read_free)

/* Reads @document_id to show it, and traces the access in the store's audit
 * trail (CAB_AUDIT_DOCUMENT_READ, one entry per read): every reader of a
 * document goes through here, so none can forget the trace. A trace that
 * cannot be written is logged, not fatal: the doctor still reads the record.
 * Errors: CAB_STORE_ERROR_NOT_FOUND when the document is not in the store. */
void             cab_document_query_read_async       (CabStore            *store,
                                                      const char          *document_id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
CabDocumentRead *cab_document_query_read_finish      (GAsyncResult        *result,
                                                      GError             **error);

/* The Observations derived from a lab report, as the lab table lists them.
 * Finish: GPtrArray of CabObservationValue (transfer full). */
void             cab_document_query_observations_async  (CabStore            *store,
                                                         const char          *document_id,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GPtrArray       *cab_document_query_observations_finish (GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
