/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cab-date-format.h"
#include "cab-document-kind.h"
#include "cab-store.h"

G_BEGIN_DECLS

#define CAB_TYPE_TIMELINE_ITEM (cab_timeline_item_get_type ())
G_DECLARE_FINAL_TYPE (CabTimelineItem, cab_timeline_item, CAB, TIMELINE_ITEM, GObject)

typedef enum
{
  CAB_TIMELINE_MARK_NEW               = 1 << 0,  /* since the patient was last opened */
  CAB_TIMELINE_MARK_MASKED            = 1 << 1,  /* MASQUE_PS */
  CAB_TIMELINE_MARK_INVISIBLE_PATIENT = 1 << 2,  /* INVISIBLE_PATIENT */
  CAB_TIMELINE_MARK_BY_PATIENT        = 1 << 3,  /* class 90 */
  CAB_TIMELINE_MARK_IMAGES            = 1 << 4,  /* imaging with a KOS or a study UID */
  CAB_TIMELINE_MARK_NOT_OFFLINE       = 1 << 5,  /* its content is not downloaded yet */
} CabTimelineMarks;

/* One row of the timeline model: a month header ("Novembre 2026") or a
 * document. Built on a worker thread with its display strings ready, so
 * binding a recycled row only sets labels. Immutable once in a model. */
CabTimelineItem      *cab_timeline_item_new_header   (const char      *label);
CabTimelineItem      *cab_timeline_item_new_document (CabDocumentRow  *row,
                                                      GDateTime       *opened_at);

gboolean              cab_timeline_item_is_header    (CabTimelineItem *self);
/* Header text, or the document's title. */
const char           *cab_timeline_item_get_title    (CabTimelineItem *self);
/* The rest is NULL / 0 for a header. */
const char           *cab_timeline_item_get_id       (CabTimelineItem *self);
const CabDocumentRow *cab_timeline_item_get_row      (CabTimelineItem *self);
CabDocumentKind       cab_timeline_item_get_kind     (CabTimelineItem *self);
CabTimelineMarks      cab_timeline_item_get_marks    (CabTimelineItem *self);
/* "Compte rendu de consultation · Dr Paul ORSINI · CHU d'Ajaccio" */
const char           *cab_timeline_item_get_byline   (CabTimelineItem *self);
/* "12/06/2024": the sort date on the local calendar (cab_date_format_day()) */
const char           *cab_timeline_item_get_date     (CabTimelineItem *self);
/* That day, for month sections; FALSE for a header or an undated entry. */
gboolean              cab_timeline_item_get_day      (CabTimelineItem *self,
                                                      CabDay          *day);
/* "DMP", "MSSanté", "Local" (translated) */
const char           *cab_timeline_item_get_origin   (CabTimelineItem *self);
/* A local document the outbox has not sent yet: the origin reads "Pending"
 * ("en attente d'envoi"). */
void                  cab_timeline_item_set_pending  (CabTimelineItem *self);
gboolean              cab_timeline_item_get_pending  (CabTimelineItem *self);

G_END_DECLS
