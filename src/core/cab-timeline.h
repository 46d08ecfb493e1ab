/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-document-kind.h"
#include "cab-store.h"
#include "cab-timeline-item.h"

G_BEGIN_DECLS

#define CAB_TYPE_TIMELINE (cab_timeline_get_type ())
G_DECLARE_FINAL_TYPE (CabTimeline, cab_timeline, CAB, TIMELINE, GObject)

/* A patient's timeline as a GListModel of CabTimelineItem: documents newest
 * first, each month under a section header ("Novembre 2026", on the local
 * calendar), local documents the outbox has not sent yet marked pending.
 *
 * Setting the store, the patient or a filter starts a query on core's
 * reader pool (cab-query.h); a query still running for older inputs is
 * cancelled there, so only the newest lands. Each completed query replaces
 * the items with one items-changed, keeping the objects of entries that did
 * not change (a list view then keeps their rows), and emits "loaded".
 * Another patient's entries go at once, before the query: they must never
 * show under the new patient's name. Main thread only. */
CabTimeline   *cab_timeline_new               (CabStore        *store);

CabStore      *cab_timeline_get_store         (CabTimeline     *self);
void           cab_timeline_set_store         (CabTimeline     *self,
                                               CabStore        *store);
const char    *cab_timeline_get_patient_id    (CabTimeline     *self);
void           cab_timeline_set_patient_id    (CabTimeline     *self,
                                               const char      *patient_id);
/* When the doctor last opened this patient: later entries are marked new. */
GDateTime     *cab_timeline_get_opened_at     (CabTimeline     *self);
void           cab_timeline_set_opened_at     (CabTimeline     *self,
                                               GDateTime       *opened_at);
/* The three above in one query, as opening a patient does. */
void           cab_timeline_set_patient       (CabTimeline     *self,
                                               CabStore        *store,
                                               const char      *patient_id,
                                               GDateTime       *opened_at);

CabKindFilter  cab_timeline_get_kind_filter   (CabTimeline     *self);
void           cab_timeline_set_kind_filter   (CabTimeline     *self,
                                               CabKindFilter    kind);
/* Inclusive YYYY-MM-DD bounds on the sort date, NULL for open. */
const char    *cab_timeline_get_date_from     (CabTimeline     *self);
const char    *cab_timeline_get_date_to       (CabTimeline     *self);
void           cab_timeline_set_date_range    (CabTimeline     *self,
                                               const char      *from,
                                               const char      *to);
/* Full-text search within the patient (titles, authors, document text);
 * NULL or "" for none. */
const char    *cab_timeline_get_text          (CabTimeline     *self);
void           cab_timeline_set_text          (CabTimeline     *self,
                                               const char      *text);
/* Imaging KOS entries are folded into their report unless TRUE. */
gboolean       cab_timeline_get_include_kos   (CabTimeline     *self);
void           cab_timeline_set_include_kos   (CabTimeline     *self,
                                               gboolean         include_kos);
/* Month section headers between the documents (default TRUE). */
gboolean       cab_timeline_get_sections      (CabTimeline     *self);
void           cab_timeline_set_sections      (CabTimeline     *self,
                                               gboolean         sections);

/* Reads the timeline again with the same inputs (after a sync, an outbox
 * change). */
void           cab_timeline_reload            (CabTimeline     *self);

/* TRUE from a change of inputs until its query lands. */
gboolean       cab_timeline_get_loading       (CabTimeline     *self);
/* Documents in the model (headers not counted). */
guint          cab_timeline_get_n_documents   (CabTimeline     *self);
/* Why the last query failed (the model is then empty), or NULL. */
const GError  *cab_timeline_get_error         (CabTimeline     *self);

/* Completes when the model is not loading: at once when idle, else when the
 * query for the newest inputs lands. FALSE with its error when that query
 * failed. For tests and cabinetctl. */
void           cab_timeline_wait_async        (CabTimeline          *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean       cab_timeline_wait_finish       (CabTimeline          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* Signal "loaded": the items reflect the newest inputs (after a query, or
 * at once when there is no store or patient to query). */

G_END_DECLS
