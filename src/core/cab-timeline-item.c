/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline-item"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cab-date-format.h"
#include "cab-timeline-item.h"

struct _CabTimelineItem
{
  GObject          parent_instance;

  char            *title;      /* header label, or document title */
  CabDocumentRow  *row;        /* NULL for a header */
  char            *byline;
  char            *date;
  CabDay           day;        /* local calendar day; year 0 when undated */
  const char      *origin;
  gboolean         pending;
  CabDocumentKind  kind;
  CabTimelineMarks marks;
};

G_DEFINE_FINAL_TYPE (CabTimelineItem, cab_timeline_item, G_TYPE_OBJECT)

static void
cab_timeline_item_finalize (GObject *object)
{
  CabTimelineItem *self = CAB_TIMELINE_ITEM (object);

  g_free (self->title);
  g_free (self->byline);
  g_free (self->date);
  g_clear_pointer (&self->row, cab_document_row_free);

  G_OBJECT_CLASS (cab_timeline_item_parent_class)->finalize (object);
}

static void
cab_timeline_item_class_init (CabTimelineItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cab_timeline_item_finalize;
}

static void
cab_timeline_item_init (CabTimelineItem *self)
{
}

CabTimelineItem *
cab_timeline_item_new_header (const char *label)
{
  CabTimelineItem *self = g_object_new (CAB_TYPE_TIMELINE_ITEM, NULL);

  self->title = g_strdup (label);
  return self;
}

static const char *
origin_label (const char *origin)
{
  if (g_strcmp0 (origin, "mssante") == 0)
    return _("MSSanté");
  if (g_strcmp0 (origin, "local") == 0)
    /* Translators: a document made in the practice, not received */
    return _("Local");
  return _("DMP");
}

/* "Organization/org-1": what the store keeps when a reference has no display.
 * Not for a doctor's eyes. */
static gboolean
is_readable (const char *text)
{
  if (text == NULL || text[0] == '\0')
    return FALSE;
  if (g_ascii_isupper (text[0]) && strchr (text, '/') != NULL && strchr (text, ' ') == NULL)
    return FALSE;
  return TRUE;
}

static char *
make_byline (const CabDocument *d)
{
  const char *parts[4] = { NULL, NULL, NULL, NULL };
  guint n = 0;

  /* The type, unless the title already says it. */
  if (d->type_display != NULL && g_strcmp0 (d->type_display, d->title) != 0)
    parts[n++] = d->type_display;
  if (is_readable (d->author_display))
    parts[n++] = d->author_display;
  if (is_readable (d->custodian_display) && g_strcmp0 (d->custodian_display, d->author_display) != 0)
    parts[n++] = d->custodian_display;

  return g_strjoinv (" · ", (char **) parts);
}

/**
 * cab_timeline_item_new_document:
 * @row: (transfer full): a timeline row from the store
 * @opened_at: (nullable): when the doctor last opened this patient
 */
CabTimelineItem *
cab_timeline_item_new_document (CabDocumentRow *row,
                                GDateTime      *opened_at)
{
  CabTimelineItem *self;
  const CabDocument *d;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (CAB_TYPE_TIMELINE_ITEM, NULL);
  self->row = row;
  d = &row->document;

  self->kind = cab_document_kind_classify (d);
  self->title = g_strdup (d->title != NULL ? d->title
                          : d->type_display != NULL ? d->type_display
                          : cab_document_kind_label (self->kind));
  self->byline = make_byline (d);
  /* Shown on the local calendar day, as cabinetctl shows it. */
  self->date = cab_date_format_day (row->sort_date != NULL ? row->sort_date : d->date, NULL);
  if (!cab_date_parse_day (row->sort_date, NULL, &self->day))
    self->day.year = 0;
  self->origin = origin_label (row->origin);

  if (opened_at != NULL)
    {
      /* DocumentReference.date is when it was filed: newer than the last
       * visit means the doctor has not seen it. */
      gint64 filed;

      if (cab_date_to_unix (d->date != NULL ? d->date : row->sort_date, NULL, &filed) &&
          filed > g_date_time_to_unix (opened_at))
        self->marks |= CAB_TIMELINE_MARK_NEW;
    }
  if (cab_document_has_label (d, CAB_SECURITY_LABEL_MASKED))
    self->marks |= CAB_TIMELINE_MARK_MASKED;
  if (cab_document_has_label (d, CAB_SECURITY_LABEL_INVISIBLE_PATIENT))
    self->marks |= CAB_TIMELINE_MARK_INVISIBLE_PATIENT;
  if (g_strcmp0 (d->category_code, "90") == 0)
    self->marks |= CAB_TIMELINE_MARK_BY_PATIENT;
  if (self->kind == CAB_DOCUMENT_KIND_IMAGING && (row->kos_id != NULL || d->study_uid != NULL))
    self->marks |= CAB_TIMELINE_MARK_IMAGES;
  /* A KOS entry's images live in the imaging network, never here. */
  if (row->local_path == NULL && d->url != NULL && !d->is_kos)
    self->marks |= CAB_TIMELINE_MARK_NOT_OFFLINE;

  return self;
}

gboolean
cab_timeline_item_is_header (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), FALSE);

  return self->row == NULL;
}

const char *
cab_timeline_item_get_title (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->title;
}

const char *
cab_timeline_item_get_id (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->row != NULL ? self->row->id : NULL;
}

const CabDocumentRow *
cab_timeline_item_get_row (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->row;
}

CabDocumentKind
cab_timeline_item_get_kind (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), CAB_DOCUMENT_KIND_OTHER);

  return self->kind;
}

CabTimelineMarks
cab_timeline_item_get_marks (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), 0);

  return self->marks;
}

const char *
cab_timeline_item_get_byline (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->byline;
}

const char *
cab_timeline_item_get_date (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->date;
}

gboolean
cab_timeline_item_get_day (CabTimelineItem *self,
                           CabDay          *day)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), FALSE);
  g_return_val_if_fail (day != NULL, FALSE);

  if (self->row == NULL || self->day.year == 0)
    return FALSE;
  *day = self->day;
  return TRUE;
}

void
cab_timeline_item_set_pending (CabTimelineItem *self)
{
  g_return_if_fail (CAB_IS_TIMELINE_ITEM (self));

  self->pending = TRUE;
  /* Translators: a document queued in the outbox, not yet on the DMP */
  self->origin = _("Pending");
}

gboolean
cab_timeline_item_get_pending (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), FALSE);

  return self->pending;
}

const char *
cab_timeline_item_get_origin (CabTimelineItem *self)
{
  g_return_val_if_fail (CAB_IS_TIMELINE_ITEM (self), NULL);

  return self->row != NULL ? self->origin : NULL;
}
