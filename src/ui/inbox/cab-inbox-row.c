/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-inbox"

#include "config.h"

#include <glib/gi18n.h>

#include "cab-inbox-format.h"
#include "cab-inbox-row.h"
#include "widgets/cab-row-paint.h"

/* One widget that draws its message. The row it replaces was a template of
 * a grid, two boxes, six labels and two images: building the rows that
 * fill the view and measuring them was most of the Inbox page's first
 * frame (docs/architecture.md, "The Inbox page", "Rows draw themselves").
 * It keeps that row's look: the same paddings, fonts and colours as the
 * CSS classes it wore (style.css, .cab-match-*, .cab-pill and the note on
 * the list's rows; libadwaita's .caption, .dim-label, .error), each noted
 * where drawn. */

#define MARGIN      6   /* the grid's margins */
#define SPACING     6   /* its column spacing, and the boxes' */
#define LINE_GAP    2   /* its row spacing */
#define DOT_SIZE    8   /* the unread dot */
#define ICON_SIZE  16   /* a GtkImage's normal icon size */
#define CAPTION_PT  9   /* libadwaita's .caption: 9pt */
#define ASSIGNEE_CHARS 24
#define MIN_WIDTH  120

struct _CabInboxRow
{
  GtkWidget       parent_instance;

  CabInboxItem   *item;
  gboolean        unread;
  gboolean        has_documents;
  gboolean        has_problem;
  gboolean        has_assignee;
  CabMatchState   state;

  PangoLayout    *sender;    /* 600, 800 unread */
  PangoLayout    *date;      /* .caption .numeric .dim-label */
  PangoLayout    *subject;   /* 400, 800 unread */
  PangoLayout    *badge;     /* .cab-badge: smaller, bold */
  PangoLayout    *assignee;  /* .cab-pill */
  PangoLayout    *types;     /* .caption .dim-label */
  int             assignee_max;  /* max-width-chars 24, in pixels; 0: not yet */
  /* Each line's height, the fonts' (measured on no text, once): measuring
   * a row then shapes none of its text. */
  int             h0, h1, h2;
  guint           fonts_serial;  /* the pango context's, when measured */

  /* Where things are, from size_allocate: for snapshot and tooltips; left
   * to right, mirrored when painted and hit (cab-row-paint.h). */
  int             line0_y, line0_h, line1_y, line2_y, line2_h;
  int             sender_x, date_x, types_x;
  graphene_rect_t badge_rect;
  graphene_rect_t attachment_rect;
  graphene_rect_t problem_rect;
  graphene_rect_t assignee_rect;
};

G_DEFINE_FINAL_TYPE (CabInboxRow, cab_inbox_row, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------ layouts */

/* The rows' shared layout (cab-row-paint: one line, ellipsized, tabular
 * figures), with .caption's fixed size where @points is set. */
static PangoLayout *
layout_new (GtkWidget  *widget,
            PangoWeight weight,
            int         points,     /* 0: the widget's size */
            double      scale)
{
  PangoLayout *layout = cab_row_paint_layout_new (widget, weight, scale, TRUE);

  if (points > 0)
    {
      PangoAttrList *attrs = pango_attr_list_copy (pango_layout_get_attributes (layout));

      pango_attr_list_insert (attrs, pango_attr_size_new (points * PANGO_SCALE));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

/* Bold when unread: the weight changed, the layout's other attributes kept. */
static void
set_weight (PangoLayout *layout,
            PangoWeight  weight)
{
  PangoAttrList *attrs = pango_attr_list_copy (pango_layout_get_attributes (layout));

  pango_attr_list_change (attrs, pango_attr_weight_new (weight));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
}

static int
line_height (PangoLayout *layout)
{
  return cab_row_paint_layout_height (layout);
}

static void
ensure_layouts (CabInboxRow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int badge_h;
  guint serial;

  if (self->sender != NULL)
    {
      /* A font change (text scaling) measures the lines again. */
      serial = pango_context_get_serial (pango_layout_get_context (self->sender));
      if (serial == self->fonts_serial)
        return;
      self->assignee_max = 0;
      goto measure;
    }

  self->sender = layout_new (widget, PANGO_WEIGHT_SEMIBOLD, 0, 1.0);
  self->date = layout_new (widget, PANGO_WEIGHT_NORMAL, CAPTION_PT, 1.0);
  self->subject = layout_new (widget, PANGO_WEIGHT_NORMAL, 0, 1.0);
  /* CSS's font-size: smaller is the parent's size over 1.2. */
  self->badge = layout_new (widget, PANGO_WEIGHT_BOLD, 0, 1 / 1.2);
  self->assignee = layout_new (widget, PANGO_WEIGHT_BOLD, 0, 1 / 1.2);
  self->types = layout_new (widget, PANGO_WEIGHT_NORMAL, CAPTION_PT, 1.0);

measure:
  self->fonts_serial = pango_context_get_serial (pango_layout_get_context (self->sender));
  cab_row_paint_pill_size (self->badge, NULL, &badge_h);
  self->h0 = MAX (line_height (self->sender), line_height (self->date));
  self->h1 = line_height (self->subject);
  self->h2 = MAX (MAX (badge_h, ICON_SIZE), line_height (self->types));
}

/* What GtkLabel's max-width-chars measures: the wider of a character and a
 * digit of the pill's font, 24 times; asked only of a row with a doctor. */
static int
assignee_max_width (CabInboxRow *self)
{
  PangoContext *context = pango_layout_get_context (self->assignee);
  PangoFontMetrics *metrics;
  int char_w;

  if (self->assignee_max > 0)
    return self->assignee_max;
  metrics = pango_context_get_metrics (context, pango_context_get_font_description (context), NULL);
  char_w = MAX (pango_font_metrics_get_approximate_char_width (metrics),
                pango_font_metrics_get_approximate_digit_width (metrics));
  pango_font_metrics_unref (metrics);
  self->assignee_max = (int) ((char_w / 1.2) * ASSIGNEE_CHARS / PANGO_SCALE) + 2 * CAB_ROW_PILL_PAD_X;
  return self->assignee_max;
}

static int
text_width (PangoLayout *layout)
{
  pango_layout_set_width (layout, -1);
  return cab_row_paint_layout_width (layout);
}

/* ------------------------------------------------------------- icons */

/* The two icons, looked up once for all rows (per theme and scale), not by
 * each row's GtkImage. */
static struct
{
  GtkIconTheme     *theme;
  int               scale;
  GtkTextDirection  dir;     /* an icon may have a right-to-left variant */
  GtkIconPaintable *attachment;
  GtkIconPaintable *problem;
} icons;

/* The theme changed: looked up again at the next row drawn. */
static void
icons_clear (void)
{
  g_clear_object (&icons.attachment);
  g_clear_object (&icons.problem);
}

static void
ensure_icons (GtkWidget *widget)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  int scale = gtk_widget_get_scale_factor (widget);
  GtkTextDirection dir = gtk_widget_get_direction (widget);

  if (icons.theme == theme && icons.scale == scale && icons.dir == dir && icons.attachment != NULL)
    return;
  if (icons.theme != theme)
    {
      if (icons.theme != NULL)
        g_signal_handlers_disconnect_by_func (icons.theme, icons_clear, NULL);
      g_signal_connect_swapped (theme, "changed", G_CALLBACK (icons_clear), NULL);
      icons.theme = theme;
    }
  icons_clear ();
  icons.scale = scale;
  icons.dir = dir;
  icons.attachment = gtk_icon_theme_lookup_icon (theme, "mail-attachment-symbolic", NULL, ICON_SIZE, scale, dir, 0);
  icons.problem = gtk_icon_theme_lookup_icon (theme, "dialog-warning-symbolic", NULL, ICON_SIZE, scale, dir, 0);
}

/* ------------------------------------------------------------ colours */

static GdkRGBA
mix (GdkRGBA a,
     GdkRGBA b,
     float   t)
{
  return (GdkRGBA) { a.red * (1 - t) + b.red * t, a.green * (1 - t) + b.green * t,
                     a.blue * (1 - t) + b.blue * t, a.alpha * (1 - t) + b.alpha * t };
}

static GdkRGBA
with_alpha (GdkRGBA color,
            float   alpha)
{
  color.alpha *= alpha;
  return color;
}

/* style.css's .cab-match-* */
static void
badge_colors (GtkWidget     *widget,
              CabMatchState  state,
              GdkRGBA       *bg,
              GdkRGBA       *fg)
{
  GdkRGBA text = cab_row_paint_named_color (widget, "window_fg_color", "rgba(0,0,0,0.8)");
  GdkRGBA base;

  switch (state)
    {
    case CAB_MATCH_AUTO:
      base = cab_row_paint_named_color (widget, "success_color", "#1b8553");
      *bg = with_alpha (base, 0.18), *fg = mix (base, text, 0.35);
      return;
    case CAB_MATCH_PROPOSED:
      base = cab_row_paint_named_color (widget, "accent_color", "#1c71d8");
      *bg = with_alpha (base, 0.15), *fg = mix (base, text, 0.3);
      return;
    case CAB_MATCH_CONFLICT:
      *bg = cab_row_paint_named_color (widget, "error_bg_color", "#e01b24");
      *fg = cab_row_paint_named_color (widget, "error_fg_color", "#ffffff");
      return;
    case CAB_MATCH_NONE:
    default:
      *bg = with_alpha (text, 0.1), *fg = text;
      return;
    }
}

/* ------------------------------------------------------------ GtkWidget */

static GtkSizeRequestMode
cab_inbox_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

/* The height is the fonts' (each line's is the same for any text), the
 * width asks nothing of the text: a long subject is not measured whole. */
static void
cab_inbox_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  CabInboxRow *self = CAB_INBOX_ROW (widget);

  ensure_layouts (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 2 * MARGIN + MIN_WIDTH;
  else
    *minimum = *natural = 2 * MARGIN + self->h0 + LINE_GAP + self->h1 + LINE_GAP + self->h2;
}

static void
cab_inbox_row_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  CabInboxRow *self = CAB_INBOX_ROW (widget);
  int inner = MAX (1, width - 2 * MARGIN);
  int h0, h2, date_w, badge_w, badge_h, x, end = MARGIN + inner;

  ensure_layouts (self);
  h0 = self->h0;
  h2 = self->h2;
  self->line0_y = MARGIN;
  self->line0_h = h0;
  self->line1_y = MARGIN + h0 + LINE_GAP;
  self->line2_y = self->line1_y + self->h1 + LINE_GAP;
  self->line2_h = h2;

  /* Line 0: the dot, the sender, and the date at the end. */
  date_w = text_width (self->date);
  self->date_x = end - date_w;
  self->sender_x = MARGIN + DOT_SIZE + SPACING;
  pango_layout_set_width (self->sender, MAX (1, self->date_x - SPACING - self->sender_x) * PANGO_SCALE);

  /* Line 1: the subject, all the width. */
  pango_layout_set_width (self->subject, inner * PANGO_SCALE);

  /* Line 2: badge, icons, the doctor's pill, then the types in what is left. */
  pango_layout_set_width (self->badge, -1);
  cab_row_paint_pill_size (self->badge, &badge_w, &badge_h);
  x = MARGIN;
  self->badge_rect = GRAPHENE_RECT_INIT (x, self->line2_y + (h2 - badge_h) / 2, badge_w, badge_h);
  x += badge_w + SPACING;
  self->attachment_rect = GRAPHENE_RECT_INIT (x, self->line2_y + (h2 - ICON_SIZE) / 2, ICON_SIZE, ICON_SIZE);
  if (self->has_documents)
    x += ICON_SIZE + SPACING;
  self->problem_rect = GRAPHENE_RECT_INIT (x, self->line2_y + (h2 - ICON_SIZE) / 2, ICON_SIZE, ICON_SIZE);
  if (self->has_problem)
    x += ICON_SIZE + SPACING;
  if (self->has_assignee)
    {
      int pill_w, pill_h, text_w = text_width (self->assignee);

      pill_w = MIN (MIN (text_w + 2 * CAB_ROW_PILL_PAD_X, assignee_max_width (self)), MAX (1, end - x));
      pango_layout_set_width (self->assignee, MAX (1, pill_w - 2 * CAB_ROW_PILL_PAD_X) * PANGO_SCALE);
      cab_row_paint_pill_size (self->assignee, NULL, &pill_h);
      self->assignee_rect = GRAPHENE_RECT_INIT (x, self->line2_y + (h2 - pill_h) / 2, pill_w, pill_h);
      x += pill_w + SPACING;
    }
  else
    self->assignee_rect = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  self->types_x = x;
  pango_layout_set_width (self->types, MAX (1, end - x) * PANGO_SCALE);
}

/* @layout centred on a line from @y of @h pixels, as a label (yalign 0.5). */
static void
paint_centered (GtkWidget     *widget,
                GtkSnapshot   *snapshot,
                PangoLayout   *layout,
                int            x,
                int            y,
                int            h,
                const GdkRGBA *color)
{
  cab_row_paint_layout (widget, snapshot, layout, x, y + (h - line_height (layout)) / 2, color);
}

static void
cab_inbox_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CabInboxRow *self = CAB_INBOX_ROW (widget);
  GdkRGBA fg, dim, bg, pill_fg, accent, text;

  if (self->item == NULL)
    return;

  cab_row_paint_text_colors (widget, &fg, &dim);   /* dim: .dim-label */

  /* The unread dot, seen when unread (it keeps its room when not). */
  if (self->unread)
    {
      bg = cab_row_paint_named_color (widget, "accent_bg_color", "#3584e4");
      cab_row_paint_rounded (widget, snapshot,
                             &GRAPHENE_RECT_INIT (MARGIN, self->line0_y + (self->line0_h - DOT_SIZE) / 2,
                                                  DOT_SIZE, DOT_SIZE),
                             DOT_SIZE / 2, &bg);
    }
  paint_centered (widget, snapshot, self->sender, self->sender_x, self->line0_y, self->line0_h, &fg);
  paint_centered (widget, snapshot, self->date, self->date_x, self->line0_y, self->line0_h, &dim);
  cab_row_paint_layout (widget, snapshot, self->subject, MARGIN, self->line1_y, &fg);

  badge_colors (widget, self->state, &bg, &pill_fg);
  cab_row_paint_pill (widget, snapshot, self->badge, &self->badge_rect, &bg, &pill_fg);

  if (self->has_documents || self->has_problem)
    ensure_icons (widget);
  if (self->has_documents && icons.attachment != NULL)
    cab_row_paint_icon (widget, snapshot, GDK_PAINTABLE (icons.attachment), &self->attachment_rect, &dim);
  if (self->has_problem && icons.problem != NULL)
    {
      GdkRGBA error = cab_row_paint_named_color (widget, "error_color", "#c01c28");   /* .error */

      cab_row_paint_icon (widget, snapshot, GDK_PAINTABLE (icons.problem), &self->problem_rect, &error);
    }
  if (self->has_assignee)
    {
      /* The doctor's pill (.cab-pill) */
      accent = cab_row_paint_named_color (widget, "accent_color", "#1c71d8");
      text = cab_row_paint_named_color (widget, "window_fg_color", "rgba(0,0,0,0.8)");
      bg = with_alpha (accent, 0.12);
      pill_fg = mix (accent, text, 0.3);
      cab_row_paint_pill (widget, snapshot, self->assignee, &self->assignee_rect, &bg, &pill_fg);
    }
  paint_centered (widget, snapshot, self->types, self->types_x, self->line2_y, self->line2_h, &dim);
}

/* Tooltips are answered when asked, never set at each bind: in GTK 4.8
 * every gtk_widget_set_tooltip_text() re-queries the pointer, a round trip
 * to the X server (docs/architecture.md, "The Inbox page"). */
static gboolean
cab_inbox_row_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  CabInboxRow *self = CAB_INBOX_ROW (widget);
  /* The places are left-to-right ones (cab-row-paint.h). */
  graphene_point_t point = cab_row_paint_point (widget, x, y);

  if (self->item == NULL)
    return FALSE;
  if (graphene_rect_contains_point (&self->badge_rect, &point))
    gtk_tooltip_set_text (tooltip, cab_inbox_match_reason (cab_inbox_item_get_match_reason (self->item)));
  else if (self->has_problem && graphene_rect_contains_point (&self->problem_rect, &point))
    gtk_tooltip_set_text (tooltip, _("A document does not match what the message declares, or could not be read"));
  else if (self->has_assignee && graphene_rect_contains_point (&self->assignee_rect, &point))
    gtk_tooltip_set_text (tooltip, _("Assigned to this doctor"));
  else
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------ the item */

static const char *
assignee_of (CabInboxItem *item)
{
  const char *assignee = cab_inbox_item_get_assignee_display (item);

  /* Whom it is assigned to: the doctor's name, else the reference. */
  return assignee != NULL ? assignee : cab_inbox_item_get_assignee (item);
}

/* What a screen reader says: the row's label (as the row of widgets had),
 * and what its other labels showed as its description. */
static void
update_accessible (CabInboxRow *self)
{
  CabInboxItem *item = self->item;
  const char *assignee = assignee_of (item);
  const char *types = cab_inbox_item_get_type_labels (item);
  g_autofree char *a11y = NULL;
  g_autoptr(GString) description = g_string_new (cab_inbox_item_get_date_text (item));

  /* Translators: how a screen reader says a message of the list: sender, subject, match badge */
  a11y = g_strdup_printf (_("%s: %s (%s)"), cab_inbox_item_get_sender (item), cab_inbox_item_get_subject (item),
                          cab_inbox_match_label (cab_inbox_item_get_match_state (item)));
  if (self->unread)
    {
      /* Translators: a screen reader's words for an unread message of the list */
      g_autofree char *more = g_strdup_printf (_("Unread, %s"), a11y);
      g_free (a11y);
      a11y = g_steal_pointer (&more);
    }
  if (assignee != NULL)
    {
      /* Translators: a screen reader's words for a message assigned to a doctor */
      g_autofree char *more = g_strdup_printf (_("%s, assigned to %s"), a11y, assignee);
      g_free (a11y);
      a11y = g_steal_pointer (&more);
    }
  if (types != NULL && *types)
    g_string_append_printf (description, ", %s", types);
  if (self->has_problem)
    g_string_append_printf (description, ". %s", _("A document does not match what the message declares, or could not be read"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

/* Read or unread can change in place (the page marks it). */
static void
unread_changed_cb (CabInboxRow  *self,
                   GParamSpec   *pspec,
                   CabInboxItem *item)
{
  gboolean unread = cab_inbox_item_get_unread (item);

  if (pspec != NULL && unread == self->unread)
    return;
  self->unread = unread;
  set_weight (self->sender, unread ? PANGO_WEIGHT_ULTRABOLD : PANGO_WEIGHT_SEMIBOLD);
  set_weight (self->subject, unread ? PANGO_WEIGHT_ULTRABOLD : PANGO_WEIGHT_NORMAL);
  update_accessible (self);
  if (pspec != NULL)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cab_inbox_row_set_item (CabInboxRow  *self,
                        CabInboxItem *item)
{
  const char *subject, *assignee, *types;

  g_return_if_fail (CAB_IS_INBOX_ROW (self));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;
  ensure_layouts (self);
  g_signal_connect_object (item, "notify::unread", G_CALLBACK (unread_changed_cb), self, G_CONNECT_SWAPPED);
  subject = cab_inbox_item_get_subject (item);
  assignee = assignee_of (item);
  types = cab_inbox_item_get_type_labels (item);
  pango_layout_set_text (self->sender, cab_inbox_item_get_sender (item), -1);
  pango_layout_set_text (self->date, cab_inbox_item_get_date_text (item), -1);
  pango_layout_set_text (self->subject, *subject ? subject : _("(no subject)"), -1);
  self->state = cab_inbox_item_get_match_state (item);
  pango_layout_set_text (self->badge, cab_inbox_match_label (self->state), -1);
  self->has_documents = cab_inbox_item_get_n_documents (item) > 0;
  self->has_problem = cab_inbox_item_get_has_problem (item);
  self->has_assignee = assignee != NULL;
  pango_layout_set_text (self->assignee, assignee != NULL ? assignee : "", -1);
  pango_layout_set_text (self->types, types != NULL ? types : "", -1);
  unread_changed_cb (self, NULL, item);
  /* The height is the same for any message: placed again and drawn, not
   * measured. */
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
cab_inbox_row_get_assignee_text (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return self->has_assignee ? pango_layout_get_text (self->assignee) : NULL;
}

CabInboxItem *
cab_inbox_row_get_item (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return self->item;
}

const char *
cab_inbox_row_get_badge_text (CabInboxRow *self)
{
  g_return_val_if_fail (CAB_IS_INBOX_ROW (self), NULL);
  return self->badge != NULL ? pango_layout_get_text (self->badge) : "";
}

static void
cab_inbox_row_dispose (GObject *object)
{
  CabInboxRow *self = CAB_INBOX_ROW (object);

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_clear_object (&self->item);
  g_clear_object (&self->sender);
  g_clear_object (&self->date);
  g_clear_object (&self->subject);
  g_clear_object (&self->badge);
  g_clear_object (&self->assignee);
  g_clear_object (&self->types);
  G_OBJECT_CLASS (cab_inbox_row_parent_class)->dispose (object);
}

static void
cab_inbox_row_class_init (CabInboxRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_inbox_row_dispose;
  widget_class->get_request_mode = cab_inbox_row_get_request_mode;
  widget_class->measure = cab_inbox_row_measure;
  widget_class->size_allocate = cab_inbox_row_size_allocate;
  widget_class->snapshot = cab_inbox_row_snapshot;
  widget_class->query_tooltip = cab_inbox_row_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "cabinboxrow");
}

static void
cab_inbox_row_init (CabInboxRow *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
cab_inbox_row_new (void)
{
  return g_object_new (CAB_TYPE_INBOX_ROW, NULL);
}
