/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-view"

#include "config.h"

#include <math.h>

#include <adwaita.h>

#include "cab-pdf-private.h"
#include "cab-ui-enums.h"
#include "cab-pdf-view.h"

/* Space around and between pages, in CSS pixels. */
#define MARGIN 12
#define MIN_SCALE 0.1
#define MAX_SCALE 8.0
#define ZOOM_STEP 1.2
/* Selection regions are asked at this scale, then divided: poppler returns
 * whole pixels and one point would be too coarse. */
#define SELECTION_SCALE 4.0

typedef struct {
  gatomicrefcount  ref_count;
  CabPdfDocument  *document;
  char            *text;
  guint            start_page;
  GCancellable    *cancellable;
  GWeakRef         view;
} FindJob;

typedef struct {
  FindJob *job;
  int      page;       /* -1 when the search is over */
  GArray  *rects;      /* PopplerRectangle, top-left origin */
} FindResult;

typedef struct {
  CabPdfDocument  *document;
  guint            page;
  PopplerRectangle area;
  cairo_region_t  *region;
  char            *text;
} SelectionData;

struct _CabPdfView
{
  GtkWidget        parent_instance;

  CabPdfDocument  *document;
  CabPdfRenderer  *renderer;

  GtkAdjustment   *hadjustment;
  GtkAdjustment   *vadjustment;
  guint            hscroll_policy : 1;
  guint            vscroll_policy : 1;

  CabPdfZoomMode   zoom_mode;
  double           scale;          /* CSS pixels per PDF point */
  GArray          *page_y;         /* double, top of each page */
  double           content_width;
  double           content_height;
  guint            current_page;

  /* Where to put the view after the next layout. */
  gboolean         have_anchor;
  guint            anchor_page;
  double           anchor_fraction;
  double           anchor_offset;
  int              goto_page;

  double           pointer_y;

  /* Scale and page change during size_allocate; listeners that relabel
   * widgets then would queue a resize mid-layout, so they hear it after. */
  guint            notify_idle;
  guint            notify_scale : 1;
  guint            notify_page : 1;

  /* Find */
  FindJob         *find_job;
  GPtrArray       *matches;        /* per page: GArray or NULL */
  guint            n_matches;
  int              match_page;
  int              match_index;
  gboolean         find_busy;

  /* Selection */
  int              sel_page;
  PopplerRectangle sel_area;
  cairo_region_t  *sel_region;
  char            *sel_text;
  GCancellable    *sel_cancellable;
  gboolean         sel_running;
  gboolean         sel_dirty;
  double           drag_x;
  double           drag_y;
};

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_ZOOM_MODE,
  PROP_SCALE,
  PROP_PAGE,
  PROP_N_MATCHES,
  PROP_FIND_BUSY,
  N_PROPS,

  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  PAGE_RENDERED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE_WITH_CODE (CabPdfView, cab_pdf_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

/* ------------------------------------------------------------------------ */
/* Auxiliary functions                                                      */

/* Page sizes are whole device pixels, the size of the texture the renderer
 * makes at this zoom, so it is drawn one to one. */
static double
snap_to_device (CabPdfView *self,
                double      points)
{
  int scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  return ceil (points * self->scale * scale_factor) / scale_factor;
}

static double
page_height (CabPdfView *self,
             guint       page)
{
  double h;

  cab_pdf_document_get_page_size (self->document, page, NULL, &h);
  return snap_to_device (self, h);
}

static double
page_width (CabPdfView *self,
            guint       page)
{
  double w;

  cab_pdf_document_get_page_size (self->document, page, &w, NULL);
  return snap_to_device (self, w);
}

static guint
n_pages (CabPdfView *self)
{
  return self->document ? cab_pdf_document_get_n_pages (self->document) : 0;
}

static double
page_top (CabPdfView *self,
          guint       page)
{
  return g_array_index (self->page_y, double, page);
}

static gboolean
notify_idle_cb (gpointer data)
{
  CabPdfView *self = data;

  self->notify_idle = 0;
  if (self->notify_scale)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
  if (self->notify_page)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
  self->notify_scale = self->notify_page = FALSE;

  return G_SOURCE_REMOVE;
}

static void
notify_later (CabPdfView *self,
              guint       prop_id)
{
  if (prop_id == PROP_SCALE)
    self->notify_scale = TRUE;
  else
    self->notify_page = TRUE;

  if (self->notify_idle == 0)
    self->notify_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, notify_idle_cb, self, NULL);
}

/* The page at content height @y, or the one just above the gap it is in. */
static guint
page_at_y (CabPdfView *self,
           double      y)
{
  guint lo = 0, hi = self->page_y->len;

  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (page_top (self, mid) <= y)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* Left edge of @page in widget coordinates. */
static double
page_x (CabPdfView *self,
        guint       page)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double total = MAX (width, self->content_width);
  double hvalue = self->hadjustment ? gtk_adjustment_get_value (self->hadjustment) : 0;

  return round ((total - page_width (self, page)) / 2 - hvalue);
}

static double
vvalue (CabPdfView *self)
{
  return self->vadjustment ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

static gboolean
visible_range (CabPdfView *self,
               guint      *first,
               guint      *last)
{
  double top = vvalue (self);
  double bottom = top + gtk_widget_get_height (GTK_WIDGET (self));
  guint i;

  if (n_pages (self) == 0 || self->page_y->len == 0)
    return FALSE;

  *first = page_at_y (self, top);
  if (page_top (self, *first) + page_height (self, *first) < top &&
      *first + 1 < n_pages (self))
    (*first)++;
  for (i = *first; i + 1 < n_pages (self) && page_top (self, i + 1) < bottom; i++)
    ;
  *last = i;
  return TRUE;
}

static void
update_current_page (CabPdfView *self)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double value = vvalue (self);
  guint page;

  if (n_pages (self) == 0 || self->page_y->len == 0)
    return;

  /* The page across the middle of the view, but the first and last pages
   * count as current once scrolled fully to them. */
  if (value <= 0)
    page = 0;
  else if (value + height >= self->content_height - 1)
    page = n_pages (self) - 1;
  else
    page = page_at_y (self, value + height / 2);

  if (page != self->current_page)
    {
      self->current_page = page;
      notify_later (self, PROP_PAGE);
    }
}

/* Asks for the pages on screen first, then their neighbours; everything
 * else queued is cancelled by the keep range. */
static void
update_visible (CabPdfView *self)
{
  double device_scale;
  guint first, last;

  if (self->renderer == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (!visible_range (self, &first, &last))
    return;

  device_scale = self->scale * gtk_widget_get_scale_factor (GTK_WIDGET (self));

  cab_pdf_renderer_set_keep_range (self->renderer,
                                   first > 0 ? first - 1 : 0,
                                   MIN (last + 1, n_pages (self) - 1));
  /* Newest first among equal priorities: ask bottom-up so the top page
   * comes first. */
  for (guint i = last + 1; i-- > first;)
    cab_pdf_renderer_request (self->renderer, i, device_scale, CAB_PDF_RENDER_URGENT);
  if (last + 1 < n_pages (self))
    cab_pdf_renderer_request (self->renderer, last + 1, device_scale, CAB_PDF_RENDER_PREFETCH);
  if (first > 0)
    cab_pdf_renderer_request (self->renderer, first - 1, device_scale, CAB_PDF_RENDER_PREFETCH);

  update_current_page (self);
}

/* Remembers which point of which page sits at @offset from the top of the
 * view, so the next layout keeps it there. */
static void
save_anchor (CabPdfView *self,
             double      offset)
{
  double y;

  if (n_pages (self) == 0 || self->page_y->len == 0)
    return;

  y = vvalue (self) + offset;
  self->anchor_page = page_at_y (self, y);
  self->anchor_fraction = (y - page_top (self, self->anchor_page)) /
                          MAX (1, page_height (self, self->anchor_page));
  self->anchor_offset = offset;
  self->have_anchor = TRUE;
}

static void
set_scale_internal (CabPdfView *self,
                    double      scale)
{
  scale = CLAMP (scale, MIN_SCALE, MAX_SCALE);
  if (G_APPROX_VALUE (scale, self->scale, 1e-9))
    return;

  self->scale = scale;
  notify_later (self, PROP_SCALE);
}

static void
zoom_by (CabPdfView *self,
         double      factor,
         double      anchor_offset)
{
  if (self->document == NULL)
    return;

  save_anchor (self, anchor_offset);
  set_scale_internal (self, self->scale * factor);
  if (self->zoom_mode != CAB_PDF_ZOOM_FREE)
    {
      self->zoom_mode = CAB_PDF_ZOOM_FREE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_MODE]);
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
scroll_to_match (CabPdfView *self)
{
  const PopplerRectangle *r;
  GArray *rects;
  double top, bottom, height, value;

  if (self->match_page < 0 || self->page_y->len == 0)
    return;

  rects = g_ptr_array_index (self->matches, self->match_page);
  r = &g_array_index (rects, PopplerRectangle, self->match_index);
  height = gtk_widget_get_height (GTK_WIDGET (self));
  top = page_top (self, self->match_page) + r->y1 * self->scale;
  bottom = page_top (self, self->match_page) + r->y2 * self->scale;
  value = vvalue (self);

  if (top < value || bottom > value + height)
    gtk_adjustment_set_value (self->vadjustment, top - height / 3);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------ */
/* Find                                                                     */

/* Pages without matches, or not searched yet, have no array. */
static void
array_unref0 (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

static FindJob *
find_job_ref (FindJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
find_job_unref (FindJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;
  g_weak_ref_clear (&job->view);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->document);
  g_free (job->text);
  g_free (job);
}

static void
find_result_free (FindResult *result)
{
  g_clear_pointer (&result->rects, g_array_unref);
  find_job_unref (result->job);
  g_free (result);
}

static gboolean
find_result_cb (gpointer data)
{
  FindResult *result = data;
  g_autoptr(CabPdfView) self = g_weak_ref_get (&result->job->view);

  if (self == NULL || self->find_job != result->job ||
      g_cancellable_is_cancelled (result->job->cancellable))
    return G_SOURCE_REMOVE;

  if (result->page < 0)
    {
      self->find_busy = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIND_BUSY]);
      return G_SOURCE_REMOVE;
    }

  if (result->rects->len == 0)
    return G_SOURCE_REMOVE;

  g_ptr_array_index (self->matches, result->page) = g_steal_pointer (&result->rects);
  self->n_matches += ((GArray *) g_ptr_array_index (self->matches, result->page))->len;

  /* The search starts at the current page: its first hit is the one to show. */
  if (self->match_page < 0)
    {
      self->match_page = result->page;
      self->match_index = 0;
      scroll_to_match (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return G_SOURCE_REMOVE;
}

static void
post_find_result (FindJob *job,
                  int      page,
                  GArray  *rects)
{
  FindResult *result = g_new0 (FindResult, 1);
  GSource *source;

  result->job = find_job_ref (job);
  result->page = page;
  result->rects = rects;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, find_result_cb, result, (GDestroyNotify) find_result_free);
  g_source_set_static_name (source, "[cab-pdf-view] find result");
  g_source_attach (source, g_main_context_default ());
  g_source_unref (source);
}

/* Page by page, the lock taken for one page at a time so rendering goes on
 * between pages. */
static gpointer
find_thread (gpointer data)
{
  FindJob *job = data;
  guint n = cab_pdf_document_get_n_pages (job->document);

  for (guint k = 0; k < n; k++)
    {
      guint page = (job->start_page + k) % n;
      g_autoptr(PopplerPage) ppage = NULL;
      GArray *rects;
      GList *found = NULL;
      double height = 0;

      if (g_cancellable_is_cancelled (job->cancellable))
        break;

      cab_pdf_document_get_page_size (job->document, page, NULL, &height);

      cab_pdf_document_lock (job->document);
      ppage = poppler_document_get_page (cab_pdf_document_get_poppler (job->document), page);
      if (ppage != NULL)
        found = poppler_page_find_text_with_options (ppage, job->text,
                                                     POPPLER_FIND_IGNORE_DIACRITICS);
      g_clear_object (&ppage);
      cab_pdf_document_unlock (job->document);

      rects = g_array_new (FALSE, FALSE, sizeof (PopplerRectangle));
      for (GList *l = found; l != NULL; l = l->next)
        {
          PopplerRectangle *r = l->data;
          /* Find answers with the origin at the bottom, drawing at the top. */
          PopplerRectangle flipped = { r->x1, height - r->y2, r->x2, height - r->y1 };

          g_array_append_val (rects, flipped);
        }
      g_list_free_full (found, (GDestroyNotify) poppler_rectangle_free);

      post_find_result (job, page, rects);
    }

  post_find_result (job, -1, NULL);
  find_job_unref (job);

  return NULL;
}

static void
find_clear (CabPdfView *self)
{
  gboolean had = self->n_matches > 0;

  if (self->find_job != NULL)
    {
      g_cancellable_cancel (self->find_job->cancellable);
      g_clear_pointer (&self->find_job, find_job_unref);
    }
  g_ptr_array_set_size (self->matches, 0);
  self->n_matches = 0;
  self->match_page = -1;
  self->match_index = 0;
  if (had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
  if (self->find_busy)
    {
      self->find_busy = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIND_BUSY]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
find_step (CabPdfView *self,
           int         direction)
{
  guint n = n_pages (self);
  GArray *rects;

  if (self->match_page < 0)
    return;

  rects = g_ptr_array_index (self->matches, self->match_page);
  if (direction > 0 && self->match_index + 1 < (int) rects->len)
    self->match_index++;
  else if (direction < 0 && self->match_index > 0)
    self->match_index--;
  else
    {
      /* Pages not searched yet have no array: skipped like pages without. */
      for (guint k = 1; k <= n; k++)
        {
          guint page = (self->match_page + n + direction * (int) k) % n;
          GArray *other = g_ptr_array_index (self->matches, page);

          if (other != NULL)
            {
              self->match_page = page;
              self->match_index = direction > 0 ? 0 : (int) other->len - 1;
              break;
            }
        }
    }

  scroll_to_match (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MATCHES]);
}

/* ------------------------------------------------------------------------ */
/* Selection                                                                */

static void
selection_data_free (SelectionData *data)
{
  g_clear_object (&data->document);
  g_clear_pointer (&data->region, cairo_region_destroy);
  g_free (data->text);
  g_free (data);
}

static void
selection_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SelectionData *data = task_data;
  g_autoptr(PopplerPage) ppage = NULL;
  PopplerRectangle area = data->area;

  cab_pdf_document_lock (data->document);
  ppage = poppler_document_get_page (cab_pdf_document_get_poppler (data->document), data->page);
  if (ppage != NULL)
    {
      data->region = poppler_page_get_selected_region (ppage, SELECTION_SCALE,
                                                       POPPLER_SELECTION_GLYPH, &area);
      data->text = poppler_page_get_selected_text (ppage, POPPLER_SELECTION_GLYPH, &area);
    }
  g_clear_object (&ppage);
  cab_pdf_document_unlock (data->document);

  g_task_return_boolean (task, TRUE);
}

static void start_selection_job (CabPdfView *self);

static void
selection_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CabPdfView *self = CAB_PDF_VIEW (object);
  SelectionData *data = g_task_get_task_data (G_TASK (result));

  /* Cancelled: the selection was cleared or replaced meanwhile. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;

  self->sel_running = FALSE;
  g_clear_pointer (&self->sel_region, cairo_region_destroy);
  g_clear_pointer (&self->sel_text, g_free);
  self->sel_region = g_steal_pointer (&data->region);
  self->sel_text = g_steal_pointer (&data->text);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (self->sel_dirty)
    start_selection_job (self);
}

/* One job at a time: a drag moves faster than poppler answers, so the
 * latest area is asked once the previous answer is in. */
static void
start_selection_job (CabPdfView *self)
{
  g_autoptr(GTask) task = NULL;
  SelectionData *data;

  if (self->sel_running)
    {
      self->sel_dirty = TRUE;
      return;
    }
  if (self->sel_page < 0 || self->document == NULL)
    return;

  self->sel_dirty = FALSE;
  self->sel_running = TRUE;
  if (self->sel_cancellable == NULL)
    self->sel_cancellable = g_cancellable_new ();

  data = g_new0 (SelectionData, 1);
  data->document = g_object_ref (self->document);
  data->page = self->sel_page;
  data->area = self->sel_area;

  task = g_task_new (self, self->sel_cancellable, selection_done_cb, NULL);
  g_task_set_source_tag (task, start_selection_job);
  g_task_set_task_data (task, data, (GDestroyNotify) selection_data_free);
  g_task_run_in_thread (task, selection_thread);
}

static void
selection_clear (CabPdfView *self)
{
  if (self->sel_cancellable != NULL)
    {
      g_cancellable_cancel (self->sel_cancellable);
      g_clear_object (&self->sel_cancellable);
    }
  self->sel_running = FALSE;
  self->sel_dirty = FALSE;
  self->sel_page = -1;
  g_clear_pointer (&self->sel_region, cairo_region_destroy);
  g_clear_pointer (&self->sel_text, g_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Widget coordinates to the points of @page, clamped to the page. */
static void
to_page_coords (CabPdfView *self,
                guint       page,
                double      x,
                double      y,
                double     *px,
                double     *py)
{
  double w, h;

  cab_pdf_document_get_page_size (self->document, page, &w, &h);
  *px = CLAMP ((x - page_x (self, page)) / self->scale, 0, w);
  *py = CLAMP ((y + vvalue (self) - page_top (self, page)) / self->scale, 0, h);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               CabPdfView     *self)
{
  guint page;
  double px, py;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  selection_clear (self);

  if (n_pages (self) == 0)
    return;

  page = page_at_y (self, y + vvalue (self));
  px = x - page_x (self, page);
  py = y + vvalue (self) - page_top (self, page);
  if (px < 0 || py < 0 || px > page_width (self, page) || py > page_height (self, page))
    return;

  self->sel_page = page;
  self->drag_x = x;
  self->drag_y = y;
  to_page_coords (self, page, x, y, &self->sel_area.x1, &self->sel_area.y1);
  self->sel_area.x2 = self->sel_area.x1;
  self->sel_area.y2 = self->sel_area.y1;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                CabPdfView     *self)
{
  if (self->sel_page < 0)
    return;

  to_page_coords (self, self->sel_page, self->drag_x + dx, self->drag_y + dy,
                  &self->sel_area.x2, &self->sel_area.y2);
  start_selection_job (self);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */

static void
adjustment_value_changed_cb (GtkAdjustment *adjustment,
                             CabPdfView    *self)
{
  update_visible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
page_rendered_cb (CabPdfRenderer *renderer,
                  guint           page,
                  CabPdfView     *self)
{
  guint first, last;

  if (visible_range (self, &first, &last) && page >= first && page <= last)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[PAGE_RENDERED], 0, page);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           CabPdfView               *self)
{
  GdkModifierType state;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  if (!(state & GDK_CONTROL_MASK) || dy == 0)
    return FALSE;

  zoom_by (self, pow (ZOOM_STEP, -dy), self->pointer_y);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CabPdfView               *self)
{
  self->pointer_y = y;
}

static gboolean
scroll_binding_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  CabPdfView *self = CAB_PDF_VIEW (widget);
  double amount;
  int kind, direction;

  if (self->vadjustment == NULL)
    return FALSE;

  g_variant_get (args, "(ii)", &kind, &direction);
  switch (kind)
    {
    case 0: amount = gtk_adjustment_get_step_increment (self->vadjustment); break;
    case 1: amount = gtk_adjustment_get_page_increment (self->vadjustment); break;
    default: amount = self->content_height; break;
    }
  if (direction < 0)
    amount = -amount;

  gtk_adjustment_set_value (self->vadjustment,
                            gtk_adjustment_get_value (self->vadjustment) + amount);
  return TRUE;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  cab_pdf_view_copy (CAB_PDF_VIEW (widget));
}

/* ------------------------------------------------------------------------ */
/* GtkWidget overrides                                                      */

static void
cab_pdf_view_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = 0;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 800;
}

static void
configure_adjustment (GtkAdjustment *adjustment,
                      double         value,
                      double         upper,
                      double         page_size)
{
  if (adjustment == NULL)
    return;

  upper = MAX (upper, page_size);
  value = CLAMP (value, 0, upper - page_size);
  gtk_adjustment_configure (adjustment, value, 0, upper,
                            page_size * 0.1, page_size * 0.9, page_size);
}

/* The scale a fitting zoom mode gives at @width × @height; a free zoom keeps
 * its own. */
static void
apply_fit (CabPdfView *self,
           int         width,
           int         height)
{
  double max_w, max_h;

  if (n_pages (self) == 0 || width <= 0 || height <= 0)
    return;

  cab_pdf_document_get_max_size (self->document, &max_w, &max_h);
  if (self->zoom_mode == CAB_PDF_ZOOM_FIT_WIDTH)
    set_scale_internal (self, (width - 2.0 * MARGIN) / max_w);
  else if (self->zoom_mode == CAB_PDF_ZOOM_FIT_PAGE)
    set_scale_internal (self, MIN ((width - 2.0 * MARGIN) / max_w,
                                   (height - 2.0 * MARGIN) / max_h));
}

static void
cab_pdf_view_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  CabPdfView *self = CAB_PDF_VIEW (widget);
  double max_w, max_h, y, value;
  guint n = n_pages (self);

  g_array_set_size (self->page_y, 0);

  if (n == 0)
    {
      self->content_width = self->content_height = 0;
      configure_adjustment (self->hadjustment, 0, 0, width);
      configure_adjustment (self->vadjustment, 0, 0, height);
      return;
    }

  cab_pdf_document_get_max_size (self->document, &max_w, &max_h);
  apply_fit (self, width, height);

  /* Placeholders for every page from the sizes read at load: nothing needs
   * rendering to lay out. */
  g_array_set_size (self->page_y, n);
  y = MARGIN;
  for (guint i = 0; i < n; i++)
    {
      g_array_index (self->page_y, double, i) = y;
      y += page_height (self, i) + MARGIN;
    }
  self->content_height = y;
  /* A fitted page computes back to the width it was fitted to plus rounding
   * dust; ceil would add a pixel, show the horizontal scrollbar and queue a
   * resize in the middle of this allocation. */
  self->content_width = ceil (max_w * self->scale - 1e-6) + 2 * MARGIN;

  value = vvalue (self);
  if (self->goto_page >= 0)
    {
      value = page_top (self, MIN ((guint) self->goto_page, n - 1)) - MARGIN;
      self->goto_page = -1;
      self->have_anchor = FALSE;
    }
  else if (self->have_anchor)
    {
      value = page_top (self, self->anchor_page) +
              self->anchor_fraction * page_height (self, self->anchor_page) -
              self->anchor_offset;
      self->have_anchor = FALSE;
    }

  configure_adjustment (self->hadjustment,
                        self->hadjustment ? gtk_adjustment_get_value (self->hadjustment) : 0,
                        self->content_width, width);
  configure_adjustment (self->vadjustment, value, self->content_height, height);

  update_visible (self);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         w,
             double         h)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static void
snapshot_page (CabPdfView  *self,
               GtkSnapshot *snapshot,
               guint        page,
               double       x,
               double       y,
               gboolean     use_cairo)
{
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA border = { 0, 0, 0, 0.18 };
  static const GdkRGBA match = { 1.0, 0.84, 0.0, 0.40 };
  static const GdkRGBA current = { 1.0, 0.47, 0.0, 0.55 };
  static const GdkRGBA selection = { 0.21, 0.52, 0.89, 0.35 };
  int scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double w = page_width (self, page);
  double h = page_height (self, page);
  GdkTexture *texture;
  double tex_scale;
  GArray *rects = NULL;

  append_rect (snapshot, &border, x - 1, y - 1, w + 2, h + 2);
  append_rect (snapshot, &white, x, y, w, h);

  if (use_cairo)
    {
      cairo_surface_t *surface = cab_pdf_renderer_lookup_surface (self->renderer, page, &tex_scale);

      texture = NULL;
      if (surface != NULL)
        {
          double tw = cairo_image_surface_get_width (surface);
          double th = cairo_image_surface_get_height (surface);
          cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x, y, w, h));

          cairo_translate (cr, x, y);
          cairo_scale (cr, w / tw, h / th);
          cairo_set_source_surface (cr, surface, 0, 0);
          cairo_paint (cr);
          cairo_destroy (cr);
        }
    }
  else
    texture = cab_pdf_renderer_lookup (self->renderer, page, &tex_scale);

  if (texture != NULL)
    {
      double tw = gdk_texture_get_width (texture);
      double th = gdk_texture_get_height (texture);

      /* At the current zoom a texture maps one to one on device pixels;
       * one from another zoom is stretched until the new one lands. */
      if (G_APPROX_VALUE (tex_scale, self->scale * scale_factor, 1e-6))
        gtk_snapshot_append_texture (snapshot, texture,
                                     &GRAPHENE_RECT_INIT (x, y, tw / scale_factor,
                                                          th / scale_factor));
      else
        gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (x, y, w, h));
    }

  if (page < self->matches->len)
    rects = g_ptr_array_index (self->matches, page);
  for (guint i = 0; rects != NULL && i < rects->len; i++)
    {
      const PopplerRectangle *r = &g_array_index (rects, PopplerRectangle, i);
      gboolean is_current = (int) page == self->match_page && (int) i == self->match_index;

      append_rect (snapshot, is_current ? &current : &match,
                   x + r->x1 * self->scale - 1, y + r->y1 * self->scale - 1,
                   (r->x2 - r->x1) * self->scale + 2, (r->y2 - r->y1) * self->scale + 2);
    }

  if ((int) page == self->sel_page && self->sel_region != NULL)
    {
      int n = cairo_region_num_rectangles (self->sel_region);
      double k = self->scale / SELECTION_SCALE;

      for (int i = 0; i < n; i++)
        {
          cairo_rectangle_int_t r;

          cairo_region_get_rectangle (self->sel_region, i, &r);
          append_rect (snapshot, &selection, x + r.x * k, y + r.y * k,
                       r.width * k, r.height * k);
        }
    }
}

static void
cab_pdf_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  CabPdfView *self = CAB_PDF_VIEW (widget);
  static const GdkRGBA light = { 0.87, 0.87, 0.87, 1 };
  static const GdkRGBA dark = { 0.16, 0.16, 0.16, 1 };
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean is_dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  double value = vvalue (self);
  GtkNative *native;
  gboolean use_cairo;
  guint first, last;

  append_rect (snapshot, is_dark ? &dark : &light, 0, 0, width, height);

  if (!visible_range (self, &first, &last))
    return;

  /* Textures for GPU renderers, which keep them uploaded; plain surfaces
   * for the cairo renderer (see cab_pdf_renderer_lookup_surface()). */
  native = gtk_widget_get_native (widget);
  use_cairo = native != NULL && GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native));

  for (guint i = first; i <= last; i++)
    snapshot_page (self, snapshot, i, page_x (self, i), round (page_top (self, i) - value),
                   use_cairo);
}

static void
cab_pdf_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cab_pdf_view_parent_class)->map (widget);
  update_visible (CAB_PDF_VIEW (widget));
}

/* ------------------------------------------------------------------------ */
/* GObject overrides                                                        */

static void
set_adjustment (CabPdfView     *self,
                GtkAdjustment **slot,
                GtkAdjustment  *adjustment)
{
  if (*slot == adjustment && adjustment != NULL)
    return;

  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, adjustment_value_changed_cb, self);
      g_clear_object (slot);
    }
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed",
                    G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
cab_pdf_view_dispose (GObject *object)
{
  CabPdfView *self = (CabPdfView *)object;

  find_clear (self);
  selection_clear (self);
  g_clear_handle_id (&self->notify_idle, g_source_remove);
  if (self->renderer != NULL)
    g_signal_handlers_disconnect_by_func (self->renderer, page_rendered_cb, self);
  g_clear_object (&self->renderer);
  g_clear_object (&self->document);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, adjustment_value_changed_cb, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_value_changed_cb, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);

  G_OBJECT_CLASS (cab_pdf_view_parent_class)->dispose (object);
}

static void
cab_pdf_view_finalize (GObject *object)
{
  CabPdfView *self = (CabPdfView *)object;

  g_clear_pointer (&self->page_y, g_array_unref);
  g_clear_pointer (&self->matches, g_ptr_array_unref);

  G_OBJECT_CLASS (cab_pdf_view_parent_class)->finalize (object);
}

static void
cab_pdf_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CabPdfView *self = CAB_PDF_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_ZOOM_MODE:
      g_value_set_enum (value, self->zoom_mode);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_PAGE:
      g_value_set_uint (value, self->current_page);
      break;
    case PROP_N_MATCHES:
      g_value_set_uint (value, self->n_matches);
      break;
    case PROP_FIND_BUSY:
      g_value_set_boolean (value, self->find_busy);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_pdf_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CabPdfView *self = CAB_PDF_VIEW (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      cab_pdf_view_set_document (self, g_value_get_object (value));
      break;
    case PROP_ZOOM_MODE:
      cab_pdf_view_set_zoom_mode (self, g_value_get_enum (value));
      break;
    case PROP_SCALE:
      cab_pdf_view_set_scale (self, g_value_get_double (value));
      break;
    case PROP_PAGE:
      cab_pdf_view_set_page (self, g_value_get_uint (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cab_pdf_view_class_init (CabPdfViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cab_pdf_view_dispose;
  object_class->finalize = cab_pdf_view_finalize;
  object_class->get_property = cab_pdf_view_get_property;
  object_class->set_property = cab_pdf_view_set_property;

  widget_class->measure = cab_pdf_view_measure;
  widget_class->size_allocate = cab_pdf_view_size_allocate;
  widget_class->snapshot = cab_pdf_view_snapshot;
  widget_class->map = cab_pdf_view_map;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL,
                         CAB_TYPE_PDF_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM_MODE] =
    g_param_spec_enum ("zoom-mode", NULL, NULL,
                       CAB_TYPE_PDF_ZOOM_MODE, CAB_PDF_ZOOM_FIT_WIDTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL,
                         MIN_SCALE, MAX_SCALE, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] =
    g_param_spec_uint ("page", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_MATCHES] =
    g_param_spec_uint ("n-matches", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIND_BUSY] =
    g_param_spec_boolean ("find-busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /**
   * CabPdfView::page-rendered:
   * @page: the page index
   *
   * A new rendering of @page is ready to be drawn.
   */
  signals[PAGE_RENDERED] =
    g_signal_new ("page-rendered",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "pdf-view.copy", NULL, copy_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK,
                                       "pdf-view.copy", NULL);

  /* (kind, direction): kind 0 a step, 1 a screen, 2 to the end. */
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, 0, scroll_binding_cb, "(ii)", 0, 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, 0, scroll_binding_cb, "(ii)", 0, -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Page_Down, 0, scroll_binding_cb, "(ii)", 1, 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Page_Up, 0, scroll_binding_cb, "(ii)", 1, -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_space, 0, scroll_binding_cb, "(ii)", 1, 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_space, GDK_SHIFT_MASK, scroll_binding_cb, "(ii)", 1, -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_End, 0, scroll_binding_cb, "(ii)", 2, 1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Home, 0, scroll_binding_cb, "(ii)", 2, -1);

  gtk_widget_class_set_css_name (widget_class, "cabpdfview");
}

static void
cab_pdf_view_init (CabPdfView *self)
{
  GtkEventController *controller;
  GtkGesture *drag;

  self->page_y = g_array_new (FALSE, TRUE, sizeof (double));
  self->matches = g_ptr_array_new_with_free_func (array_unref0);
  self->zoom_mode = CAB_PDF_ZOOM_FIT_WIDTH;
  self->scale = 1.0;
  self->goto_page = -1;
  self->match_page = -1;
  self->sel_page = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "text");

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

GtkWidget *
cab_pdf_view_new (void)
{
  return g_object_new (CAB_TYPE_PDF_VIEW, NULL);
}

/**
 * cab_pdf_view_set_document:
 * @self: a view
 * @document: (nullable): a loaded document
 *
 * Shows @document from its first page.
 */
void
cab_pdf_view_set_document (CabPdfView     *self,
                           CabPdfDocument *document)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  g_return_if_fail (!document || CAB_IS_PDF_DOCUMENT (document));

  if (self->document == document)
    return;

  find_clear (self);
  selection_clear (self);
  if (self->renderer != NULL)
    g_signal_handlers_disconnect_by_func (self->renderer, page_rendered_cb, self);
  g_clear_object (&self->renderer);
  g_set_object (&self->document, document);

  if (document != NULL)
    {
      self->renderer = cab_pdf_renderer_new (document);
      g_signal_connect (self->renderer, "page-rendered",
                        G_CALLBACK (page_rendered_cb), self);
    }

  self->current_page = 0;
  self->goto_page = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

CabPdfDocument *
cab_pdf_view_get_document (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), NULL);
  return self->document;
}

CabPdfRenderer *
cab_pdf_view_get_renderer (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), NULL);
  return self->renderer;
}

CabPdfZoomMode
cab_pdf_view_get_zoom_mode (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), CAB_PDF_ZOOM_FIT_WIDTH);
  return self->zoom_mode;
}

void
cab_pdf_view_set_zoom_mode (CabPdfView     *self,
                            CabPdfZoomMode  mode)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));

  if (self->zoom_mode == mode)
    return;

  save_anchor (self, 0);
  self->zoom_mode = mode;
  /* The fitted scale follows from the size already allocated: take it now,
   * as a free zoom does, rather than only in the next layout, which a
   * loaded machine was once seen never to run for an allocation alone. */
  apply_fit (self, gtk_widget_get_width (GTK_WIDGET (self)),
             gtk_widget_get_height (GTK_WIDGET (self)));
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_MODE]);
}

double
cab_pdf_view_get_scale (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), 1.0);
  return self->scale;
}

/* Sets a free zoom, in CSS pixels per PDF point. */
void
cab_pdf_view_set_scale (CabPdfView *self,
                        double      scale)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  g_return_if_fail (scale > 0);

  zoom_by (self, scale / self->scale, 0);
}

void
cab_pdf_view_zoom_in (CabPdfView *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  zoom_by (self, ZOOM_STEP, gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
cab_pdf_view_zoom_out (CabPdfView *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  zoom_by (self, 1 / ZOOM_STEP, gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

/* The page across the middle of the view, 0-based. */
guint
cab_pdf_view_get_page (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), 0);
  return self->current_page;
}

void
cab_pdf_view_set_page (CabPdfView *self,
                       guint       page)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));

  if (n_pages (self) == 0)
    return;

  page = MIN (page, n_pages (self) - 1);
  if (self->page_y->len == n_pages (self) && self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, page_top (self, page) - MARGIN);
  else
    {
      self->goto_page = page;
      gtk_widget_queue_allocate (GTK_WIDGET (self));
    }

  if (page != self->current_page)
    {
      self->current_page = page;
      notify_later (self, PROP_PAGE);
    }
}

/**
 * cab_pdf_view_get_page_rect:
 * @self: a view
 * @page: page index
 * @rect: (out): where @page is, in widget coordinates
 *
 * Returns: %FALSE before the first layout
 */
gboolean
cab_pdf_view_get_page_rect (CabPdfView      *self,
                            guint            page,
                            graphene_rect_t *rect)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), FALSE);

  if (page >= self->page_y->len)
    return FALSE;

  graphene_rect_init (rect, page_x (self, page), round (page_top (self, page) - vvalue (self)),
                      page_width (self, page), page_height (self, page));
  return TRUE;
}

/**
 * cab_pdf_view_find:
 * @self: a view
 * @text: (nullable): what to look for; %NULL or empty clears
 *
 * Searches every page on a worker thread, from the current page on,
 * ignoring case and accents. Matches come in page by page
 * (#CabPdfView:n-matches); the first one is shown.
 */
void
cab_pdf_view_find (CabPdfView *self,
                   const char *text)
{
  FindJob *job;
  g_autoptr(GThread) thread = NULL;

  g_return_if_fail (CAB_IS_PDF_VIEW (self));

  find_clear (self);
  if (text == NULL || text[0] == '\0' || self->document == NULL)
    return;

  g_ptr_array_set_size (self->matches, n_pages (self));

  job = g_new0 (FindJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  job->document = g_object_ref (self->document);
  job->text = g_strdup (text);
  job->start_page = self->current_page;
  job->cancellable = g_cancellable_new ();
  g_weak_ref_init (&job->view, self);
  self->find_job = job;

  self->find_busy = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIND_BUSY]);

  thread = g_thread_new ("cab-pdf-find", find_thread, find_job_ref (job));
}

void
cab_pdf_view_find_next (CabPdfView *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  find_step (self, 1);
}

void
cab_pdf_view_find_previous (CabPdfView *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  find_step (self, -1);
}

guint
cab_pdf_view_get_n_matches (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), 0);
  return self->n_matches;
}

/**
 * cab_pdf_view_get_current_match:
 * @self: a view
 * @page: (out) (optional): the page of the current match
 *
 * Returns: the index of the current match among all matches found so far
 *   in page order, or -1
 */
int
cab_pdf_view_get_current_match (CabPdfView *self,
                                guint      *page)
{
  int index = 0;

  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), -1);

  if (self->match_page < 0)
    return -1;

  for (int i = 0; i < self->match_page; i++)
    {
      GArray *rects = g_ptr_array_index (self->matches, i);

      if (rects != NULL)
        index += rects->len;
    }
  if (page)
    *page = self->match_page;
  return index + self->match_index;
}

gboolean
cab_pdf_view_get_find_busy (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), FALSE);
  return self->find_busy;
}

/**
 * cab_pdf_view_select_area:
 * @self: a view
 * @page: page index
 * @area: the rectangle a drag would cover, in PDF points from the top left
 *
 * Selects the text a mouse drag over @area would select.
 */
void
cab_pdf_view_select_area (CabPdfView             *self,
                          guint                   page,
                          const PopplerRectangle *area)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));
  g_return_if_fail (area != NULL);
  g_return_if_fail (page < n_pages (self));

  selection_clear (self);
  self->sel_page = page;
  self->sel_area = *area;
  start_selection_job (self);
}

/* Returns: (nullable): the selected text, once the worker has extracted it */
const char *
cab_pdf_view_get_selected_text (CabPdfView *self)
{
  g_return_val_if_fail (CAB_IS_PDF_VIEW (self), NULL);
  return self->sel_text;
}

void
cab_pdf_view_copy (CabPdfView *self)
{
  g_return_if_fail (CAB_IS_PDF_VIEW (self));

  if (self->sel_text != NULL && self->sel_text[0] != '\0')
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->sel_text);
}
