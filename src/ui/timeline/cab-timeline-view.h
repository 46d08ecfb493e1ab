/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-document-kind.h"
#include "cab-store.h"
#include "cab-timeline.h"

G_BEGIN_DECLS

#define CAB_TYPE_TIMELINE_VIEW (cab_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (CabTimelineView, cab_timeline_view, CAB, TIMELINE_VIEW, GtkWidget)

/* The patient's documents, newest first, under month headers, with filters by
 * kind, date range and text. The view shows a CabTimeline (core's model,
 * which runs the queries; a newer one supersedes an older one) and sets its
 * filters from its buttons and entries. Enter or a click on a document emits
 * "document-activated" with its id. A selected prescription shows a Renew
 * button (Ctrl+Shift+R), which emits "renew-requested" with its id. */
GtkWidget     *cab_timeline_view_new              (void);
/* @opened_at: ISO 8601 of the doctor's previous visit to this patient (marks
 * what is new since), or NULL. */
void           cab_timeline_view_set_patient      (CabTimelineView *self,
                                                   CabStore        *store,
                                                   const char      *patient_id,
                                                   const char      *opened_at);
const char    *cab_timeline_view_get_patient_id   (CabTimelineView *self);
/* Reads the timeline again with the same filters (after a sync). */
void           cab_timeline_view_reload           (CabTimelineView *self);

void           cab_timeline_view_set_kind_filter  (CabTimelineView *self,
                                                   CabKindFilter    kind);
CabKindFilter  cab_timeline_view_get_kind_filter  (CabTimelineView *self);
/* Inclusive YYYY-MM-DD bounds, NULL for open; shown in the from/to entries. */
void           cab_timeline_view_set_date_range   (CabTimelineView *self,
                                                   const char      *from,
                                                   const char      *to);
/* Full-text search within the patient (titles, authors, document text). */
void           cab_timeline_view_set_search_text  (CabTimelineView *self,
                                                   const char      *text);

/* GListModel of CabTimelineItem (headers and documents), as shown: the
 * view's CabTimeline. */
GListModel    *cab_timeline_view_get_model        (CabTimelineView *self);
CabTimeline   *cab_timeline_view_get_timeline     (CabTimelineView *self);
/* Documents in the model (headers not counted). */
guint          cab_timeline_view_get_n_documents  (CabTimelineView *self);
/* TRUE while a query is running. */
gboolean       cab_timeline_view_get_busy         (CabTimelineView *self);
GtkListView   *cab_timeline_view_get_list_view    (CabTimelineView *self);

G_END_DECLS
