/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-timeline-row.h"
#include "widgets/cab-row-paint.h"

/* One widget that draws its row, instead of a dozen child widgets: GTK 4.8's
 * list view builds 200 rows at once when a patient opens, and a row made of
 * boxes, labels and images costs about 2 ms to build and style; this one
 * costs a few Pango layouts. */

#define KIND_SIZE    32
#define ICON_SIZE    16
#define GAP          12
#define MARK_GAP      6
#define LINE_GAP      2
#define HEADER_TOP   14
#define HEADER_BOTTOM 4
#define N_MARKS       6

typedef struct
{
  graphene_rect_t  rect;
  const char      *icon_name;
  const char      *tooltip;   /* translated at draw time */
  int              color;     /* 0 fg, 1 accent, 2 warning, 3 dimmed */
} Mark;

struct _CabTimelineRow
{
  GtkWidget        parent_instance;

  CabTimelineItem *item;
  PangoLayout     *title;      /* or the month, for a header */
  PangoLayout     *byline;
  PangoLayout     *date;
  PangoLayout     *origin;

  Mark             marks[N_MARKS];
  guint            n_marks;
  graphene_rect_t  kind_rect;
  graphene_rect_t  title_rect;
};

G_DEFINE_FINAL_TYPE (CabTimelineRow, cab_timeline_row, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------ */
/* Auxiliary functions                                                  */
/* ------------------------------------------------------------------ */

static gboolean
is_header (CabTimelineRow *self)
{
  return self->item != NULL && cab_timeline_item_is_header (self->item);
}

static void
ensure_layouts (CabTimelineRow *self)
{
  if (self->title != NULL)
    return;

  self->title = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_BOLD, 1.0, TRUE);
  self->byline = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 0.85, TRUE);
  self->date = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 1.0, FALSE);
  self->origin = cab_row_paint_layout_new (GTK_WIDGET (self), PANGO_WEIGHT_NORMAL, 0.75, FALSE);
}

/* Icons are shared by every row: a lookup per bind would be a lookup per
 * scrolled row. Main thread only. */
static GdkPaintable *
lookup_icon (GtkWidget  *widget,
             const char *name)
{
  static GHashTable *cache;
  int scale = gtk_widget_get_scale_factor (widget);
  GtkTextDirection dir = gtk_widget_get_direction (widget);
  /* An icon may have a right-to-left variant. */
  g_autofree char *key = g_strdup_printf ("%s@%d%s", name, scale, dir == GTK_TEXT_DIR_RTL ? "-rtl" : "");
  GtkIconPaintable *icon;

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  icon = g_hash_table_lookup (cache, key);
  if (icon == NULL)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));

      icon = gtk_icon_theme_lookup_icon (theme, name, NULL, ICON_SIZE, scale, dir, 0);
      g_hash_table_insert (cache, g_steal_pointer (&key), icon);
    }
  return GDK_PAINTABLE (icon);
}

static void
draw_icon (GtkWidget             *widget,
           GtkSnapshot           *snapshot,
           const char            *name,
           const graphene_rect_t *rect,
           const GdkRGBA         *color)
{
  cab_row_paint_icon (widget, snapshot, lookup_icon (widget, name), rect, color);
}

static void
collect_marks (CabTimelineRow *self)
{
  CabTimelineMarks marks = cab_timeline_item_get_marks (self->item);
  static const struct {
    CabTimelineMarks mark;
    const char *icon_name;
    const char *tooltip;
    int color;
  } kinds[] = {
    { CAB_TIMELINE_MARK_NEW, "starred-symbolic", N_("New since you last opened this patient"), 1 },
    { CAB_TIMELINE_MARK_MASKED, "changes-prevent-symbolic", N_("Masked from health professionals"), 2 },
    { CAB_TIMELINE_MARK_INVISIBLE_PATIENT, "view-conceal-symbolic", N_("Not visible to the patient"), 2 },
    { CAB_TIMELINE_MARK_BY_PATIENT, "avatar-default-symbolic", N_("Added by the patient"), 0 },
    { CAB_TIMELINE_MARK_IMAGES, "camera-photo-symbolic", N_("Images available"), 0 },
    /* Discreet: most rows have it until the prefetch has run. */
    { CAB_TIMELINE_MARK_NOT_OFFLINE, "network-server-symbolic", N_("Not available offline yet"), 3 },
  };

  self->n_marks = 0;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (marks & kinds[i].mark)
      {
        Mark *m = &self->marks[self->n_marks++];

        m->icon_name = kinds[i].icon_name;
        m->tooltip = kinds[i].tooltip;
        m->color = kinds[i].color;
      }
}

static void
update_accessible (CabTimelineRow *self)
{
  g_autoptr(GString) label = g_string_new (cab_timeline_item_get_title (self->item));

  if (!is_header (self))
    {
      g_string_append_printf (label, ", %s, %s, %s", cab_timeline_item_get_date (self->item),
                              cab_document_kind_label (cab_timeline_item_get_kind (self->item)),
                              cab_timeline_item_get_byline (self->item));
      for (guint i = 0; i < self->n_marks; i++)
        g_string_append_printf (label, ", %s", _(self->marks[i].tooltip));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label->str, -1);
}

/* ------------------------------------------------------------------ */
/* GtkWidget                                                            */
/* ------------------------------------------------------------------ */

static GtkSizeRequestMode
cab_timeline_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
cab_timeline_row_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CabTimelineRow *self = CAB_TIMELINE_ROW (widget);

  ensure_layouts (self);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Titles ellipsize: the row takes the width it is given. */
      *minimum = 2 * CAB_ROW_PAD_X + KIND_SIZE + GAP + 120;
      *natural = MAX (*minimum, 480);
    }
  else if (is_header (self))
    *minimum = *natural = HEADER_TOP + cab_row_paint_layout_height (self->title) + HEADER_BOTTOM;
  else
    {
      int text = cab_row_paint_layout_height (self->title) + LINE_GAP + cab_row_paint_layout_height (self->byline);

      *minimum = *natural = 2 * CAB_ROW_PAD_Y + MAX (KIND_SIZE, text);
    }
}

static void
cab_timeline_row_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CabTimelineRow *self = CAB_TIMELINE_ROW (widget);
  int right_width, text_x, text_width, x, y2;
  int title_h, byline_h, pill_w;

  ensure_layouts (self);

  if (self->item == NULL)
    return;

  if (is_header (self))
    {
      pango_layout_set_width (self->title, MAX (1, width - 2 * CAB_ROW_PAD_X) * PANGO_SCALE);
      return;
    }

  title_h = cab_row_paint_layout_height (self->title);
  byline_h = cab_row_paint_layout_height (self->byline);
  cab_row_paint_pill_size (self->origin, &pill_w, NULL);

  /* Right column: the date above, marks and origin below. */
  right_width = MAX (cab_row_paint_layout_width (self->date),
                     (int) self->n_marks * (ICON_SIZE + MARK_GAP) + pill_w);
  text_x = CAB_ROW_PAD_X + KIND_SIZE + GAP;
  text_width = MAX (1, width - text_x - GAP - right_width - CAB_ROW_PAD_X);
  pango_layout_set_width (self->title, text_width * PANGO_SCALE);
  pango_layout_set_width (self->byline, text_width * PANGO_SCALE);

  /* Left to right, mirrored when painted and hit (cab-row-paint.h). */
  self->kind_rect = GRAPHENE_RECT_INIT (CAB_ROW_PAD_X, (height - KIND_SIZE) / 2.0, KIND_SIZE, KIND_SIZE);
  self->title_rect = GRAPHENE_RECT_INIT (text_x, (height - title_h - LINE_GAP - byline_h) / 2.0,
                                         text_width, title_h);

  /* Marks, right to left from the origin pill. */
  y2 = (height + LINE_GAP) / 2;
  x = width - CAB_ROW_PAD_X - pill_w - MARK_GAP;
  for (int i = (int) self->n_marks - 1; i >= 0; i--)
    {
      x -= ICON_SIZE;
      self->marks[i].rect = GRAPHENE_RECT_INIT (x, y2 + (byline_h - ICON_SIZE) / 2.0, ICON_SIZE, ICON_SIZE);
      x -= MARK_GAP;
    }
}

static void
cab_timeline_row_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  CabTimelineRow *self = CAB_TIMELINE_ROW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg, dim, accent, accent_bg, pill_bg, colors[4];
  graphene_rect_t pill;
  int title_h, date_w, pill_w, pill_h;

  if (self->item == NULL)
    return;

  cab_row_paint_text_colors (widget, &fg, &dim);

  if (is_header (self))
    {
      GdkRGBA header = fg;

      header.alpha *= 0.7;
      cab_row_paint_layout (widget, snapshot, self->title, CAB_ROW_PAD_X, HEADER_TOP, &header);
      return;
    }

  accent = cab_row_paint_named_color (widget, "accent_color", "#1c71d8");
  accent_bg = accent;
  accent_bg.alpha = 0.12;
  pill_bg = fg;
  pill_bg.alpha = 0.08;
  colors[0] = fg;
  colors[1] = accent;
  colors[2] = cab_row_paint_named_color (widget, "warning_color", "#9c6e03");
  colors[3] = dim;
  colors[3].alpha *= 0.6;

  /* The kind, an icon in a tinted disc. */
  cab_row_paint_rounded (widget, snapshot, &self->kind_rect, KIND_SIZE / 2.0, &accent_bg);
  draw_icon (widget, snapshot, cab_document_kind_icon_name (cab_timeline_item_get_kind (self->item)),
             &GRAPHENE_RECT_INIT (self->kind_rect.origin.x + (KIND_SIZE - ICON_SIZE) / 2.0,
                                  self->kind_rect.origin.y + (KIND_SIZE - ICON_SIZE) / 2.0,
                                  ICON_SIZE, ICON_SIZE),
             &accent);

  /* Title and byline. */
  title_h = self->title_rect.size.height;
  cab_row_paint_layout (widget, snapshot, self->title, self->title_rect.origin.x, self->title_rect.origin.y, &fg);
  cab_row_paint_layout (widget, snapshot, self->byline, self->title_rect.origin.x,
                        self->title_rect.origin.y + (title_h + LINE_GAP), &dim);

  /* Date, top right. */
  date_w = cab_row_paint_layout_width (self->date);
  cab_row_paint_layout (widget, snapshot, self->date, width - CAB_ROW_PAD_X - date_w, self->title_rect.origin.y, &fg);

  /* Origin pill, bottom right, and the marks before it. */
  cab_row_paint_pill_size (self->origin, &pill_w, &pill_h);
  pill = GRAPHENE_RECT_INIT (width - CAB_ROW_PAD_X - pill_w,
                             (height + LINE_GAP) / 2 + (cab_row_paint_layout_height (self->byline) - pill_h) / 2.0,
                             pill_w, pill_h);
  cab_row_paint_pill (widget, snapshot, self->origin, &pill, &pill_bg, &fg);

  for (guint i = 0; i < self->n_marks; i++)
    draw_icon (widget, snapshot, self->marks[i].icon_name, &self->marks[i].rect,
               &colors[self->marks[i].color]);
}

static gboolean
cab_timeline_row_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard,
                                GtkTooltip *tooltip)
{
  CabTimelineRow *self = CAB_TIMELINE_ROW (widget);
  /* The places are left-to-right ones (cab-row-paint.h). */
  graphene_point_t point = cab_row_paint_point (widget, x, y);

  if (self->item == NULL || is_header (self))
    return FALSE;

  for (guint i = 0; i < self->n_marks; i++)
    if (graphene_rect_contains_point (&self->marks[i].rect, &point))
      {
        gtk_tooltip_set_text (tooltip, _(self->marks[i].tooltip));
        return TRUE;
      }

  if (graphene_rect_contains_point (&self->kind_rect, &point))
    {
      gtk_tooltip_set_text (tooltip, cab_document_kind_label (cab_timeline_item_get_kind (self->item)));
      return TRUE;
    }

  /* The whole title, when it did not fit. */
  if (graphene_rect_contains_point (&self->title_rect, &point) && pango_layout_is_ellipsized (self->title))
    {
      gtk_tooltip_set_text (tooltip, cab_timeline_item_get_title (self->item));
      return TRUE;
    }

  return FALSE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */
/* ------------------------------------------------------------------ */

static void
cab_timeline_row_dispose (GObject *object)
{
  CabTimelineRow *self = CAB_TIMELINE_ROW (object);

  g_clear_object (&self->item);
  g_clear_object (&self->title);
  g_clear_object (&self->byline);
  g_clear_object (&self->date);
  g_clear_object (&self->origin);

  G_OBJECT_CLASS (cab_timeline_row_parent_class)->dispose (object);
}

static void
cab_timeline_row_class_init (CabTimelineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_timeline_row_dispose;
  widget_class->get_request_mode = cab_timeline_row_get_request_mode;
  widget_class->measure = cab_timeline_row_measure;
  widget_class->size_allocate = cab_timeline_row_size_allocate;
  widget_class->snapshot = cab_timeline_row_snapshot;
  widget_class->query_tooltip = cab_timeline_row_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "cabtimelinerow");
}

static void
cab_timeline_row_init (CabTimelineRow *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
cab_timeline_row_new (void)
{
  return g_object_new (CAB_TYPE_TIMELINE_ROW, NULL);
}

void
cab_timeline_row_set_item (CabTimelineRow  *self,
                           CabTimelineItem *item)
{
  g_return_if_fail (CAB_IS_TIMELINE_ROW (self));
  g_return_if_fail (item == NULL || CAB_IS_TIMELINE_ITEM (item));

  if (!g_set_object (&self->item, item) || item == NULL)
    return;

  ensure_layouts (self);
  self->n_marks = 0;

  if (cab_timeline_item_is_header (item))
    {
      pango_layout_set_text (self->title, cab_timeline_item_get_title (item), -1);
    }
  else
    {
      pango_layout_set_text (self->title, cab_timeline_item_get_title (item), -1);
      pango_layout_set_text (self->byline, cab_timeline_item_get_byline (item), -1);
      pango_layout_set_text (self->date, cab_timeline_item_get_date (item), -1);
      pango_layout_set_text (self->origin, cab_timeline_item_get_origin (item), -1);
      collect_marks (self);
    }

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
