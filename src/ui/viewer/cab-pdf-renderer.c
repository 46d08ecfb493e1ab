/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cab-pdf-renderer"

#include "config.h"

#include <math.h>

#include "cab-pdf-private.h"
#include "cab-pdf-renderer.h"

/* One page at 1000 px wide is about 5.6 MB: the default keeps a few screens. */
#define DEFAULT_BUDGET (128 * 1024 * 1024)
/* A zoomed page is rendered at most this big; beyond it gets blurry rather
 * than eating memory (tiling would be the next step). */
#define MAX_PIXELS (6000 * 6000)

typedef struct {
  gatomicrefcount  ref_count;
  CabPdfDocument  *document;
  GWeakRef         renderer;
  guint            page;
  double           scale;
  CabPdfRenderPriority priority;
  guint64          seq;
  gint             cancelled;   /* atomic */
  cairo_surface_t *surface;     /* result */
} RenderJob;

typedef struct {
  guint       page;
  double      scale;
  GdkTexture *texture;
  cairo_surface_t *surface;   /* the texture's pixels */
  gsize       bytes;
  GList       link;
} CacheEntry;

struct _CabPdfRenderer
{
  GObject         parent_instance;

  CabPdfDocument *document;
  GThreadPool    *pool;
  GHashTable     *pending;      /* page → RenderJob, main thread only */
  GHashTable     *cache;        /* page → CacheEntry */
  GQueue          lru;          /* most recently used first */
  gsize           cache_size;
  gsize           budget;
  guint           keep_first;
  guint           keep_last;
  guint64         seq;
  guint           n_rendered;
};

G_DEFINE_TYPE (CabPdfRenderer, cab_pdf_renderer, G_TYPE_OBJECT)

enum {
  PAGE_RENDERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* Auxiliary functions                                                      */

static RenderJob *
render_job_ref (RenderJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
render_job_unref (RenderJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref_count))
    return;
  g_clear_pointer (&job->surface, cairo_surface_destroy);
  g_weak_ref_clear (&job->renderer);
  g_clear_object (&job->document);
  g_free (job);
}

static void
render_job_cancel (RenderJob *job)
{
  g_atomic_int_set (&job->cancelled, TRUE);
}

static gboolean
render_job_is_cancelled (RenderJob *job)
{
  return g_atomic_int_get (&job->cancelled);
}

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  g_clear_object (&entry->texture);
  g_clear_pointer (&entry->surface, cairo_surface_destroy);
  g_free (entry);
}

static void
page_pixel_size (CabPdfDocument *document,
                 guint           page,
                 double          scale,
                 int            *width,
                 int            *height)
{
  double w, h;

  cab_pdf_document_get_page_size (document, page, &w, &h);
  *width = MAX (1, (int) ceil (w * scale));
  *height = MAX (1, (int) ceil (h * scale));
}

static double
clamp_scale (CabPdfDocument *document,
             guint           page,
             double          scale)
{
  double w, h;

  cab_pdf_document_get_page_size (document, page, &w, &h);
  if (w * h * scale * scale > MAX_PIXELS)
    scale = sqrt (MAX_PIXELS / (w * h));
  return scale;
}

/**
 * cab_pdf_render_page_surface:
 * @document: a document
 * @page: page index
 * @scale: device pixels per PDF point
 *
 * Renders a page the way the view shows it. Blocks; takes the document lock.
 *
 * Returns: (transfer full) (nullable): an ARGB32 surface
 */
cairo_surface_t *
cab_pdf_render_page_surface (CabPdfDocument *document,
                             guint           page,
                             double          scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double w, h;
  int width, height;

  g_return_val_if_fail (CAB_IS_PDF_DOCUMENT (document), NULL);
  g_return_val_if_fail (page < cab_pdf_document_get_n_pages (document), NULL);

  cab_pdf_document_get_page_size (document, page, &w, &h);
  page_pixel_size (document, page, scale, &width, &height);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  cr = cairo_create (surface);
  /* PDFs assume paper: transparent areas must come out white. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, width / w, height / h);

  cab_pdf_document_lock (document);
  {
    g_autoptr(PopplerPage) ppage = NULL;

    ppage = poppler_document_get_page (cab_pdf_document_get_poppler (document), page);
    if (ppage != NULL)
      poppler_page_render (ppage, cr);
    g_clear_object (&ppage);
  }
  cab_pdf_document_unlock (document);

  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

/**
 * cab_pdf_texture_new_for_surface:
 * @surface: an ARGB32 image surface
 *
 * Wraps the pixels of @surface in a texture without copying them: the
 * texture keeps a reference on the surface.
 *
 * Returns: (transfer full): a texture
 */
GdkTexture *
cab_pdf_texture_new_for_surface (cairo_surface_t *surface)
{
  g_autoptr(GBytes) bytes = NULL;
  int height, stride;

  g_return_val_if_fail (surface != NULL, NULL);
  g_return_val_if_fail (cairo_image_surface_get_format (surface) == CAIRO_FORMAT_ARGB32, NULL);

  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) height * stride,
                                      (GDestroyNotify) cairo_surface_destroy,
                                      cairo_surface_reference (surface));

  /* GDK_MEMORY_DEFAULT is cairo's ARGB32 layout in native byte order. */
  return gdk_memory_texture_new (cairo_image_surface_get_width (surface),
                                 height, GDK_MEMORY_DEFAULT, bytes, stride);
}

static void
cache_evict (CabPdfRenderer *self)
{
  GList *l = self->lru.tail;

  while (self->cache_size > self->budget && l != NULL)
    {
      CacheEntry *entry = l->data;
      GList *prev = l->prev;

      /* Pages on screen stay, whatever the budget says; otherwise they would
       * be evicted and rendered again in a loop. */
      if (entry->page < self->keep_first || entry->page > self->keep_last)
        {
          g_queue_unlink (&self->lru, l);
          self->cache_size -= entry->bytes;
          g_hash_table_remove (self->cache, GUINT_TO_POINTER (entry->page));
        }
      l = prev;
    }
}

static void
cache_insert (CabPdfRenderer  *self,
              guint            page,
              double           scale,
              GdkTexture      *texture,
              cairo_surface_t *surface)
{
  CacheEntry *entry;

  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (page));
  if (entry != NULL)
    {
      g_queue_unlink (&self->lru, &entry->link);
      self->cache_size -= entry->bytes;
      g_hash_table_remove (self->cache, GUINT_TO_POINTER (page));
    }

  entry = g_new0 (CacheEntry, 1);
  entry->page = page;
  entry->scale = scale;
  entry->texture = g_object_ref (texture);
  entry->surface = cairo_surface_reference (surface);
  entry->bytes = (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4;
  entry->link.data = entry;
  g_hash_table_insert (self->cache, GUINT_TO_POINTER (page), entry);
  g_queue_push_head_link (&self->lru, &entry->link);
  self->cache_size += entry->bytes;

  cache_evict (self);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */

static gboolean
job_done_cb (gpointer data)
{
  RenderJob *job = data;
  g_autoptr(CabPdfRenderer) self = g_weak_ref_get (&job->renderer);
  g_autoptr(GdkTexture) texture = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (g_hash_table_lookup (self->pending, GUINT_TO_POINTER (job->page)) == job)
    g_hash_table_remove (self->pending, GUINT_TO_POINTER (job->page));

  if (render_job_is_cancelled (job) || job->surface == NULL)
    return G_SOURCE_REMOVE;

  /* Only the wrapping happens here: no pixel is copied on the main thread. */
  texture = cab_pdf_texture_new_for_surface (job->surface);
  cache_insert (self, job->page, job->scale, texture, job->surface);
  self->n_rendered++;

  g_signal_emit (self, signals[PAGE_RENDERED], 0, job->page);

  return G_SOURCE_REMOVE;
}

static void
render_thread (gpointer data,
               gpointer user_data)
{
  RenderJob *job = data;
  GSource *source;

  if (!render_job_is_cancelled (job))
    job->surface = cab_pdf_render_page_surface (job->document, job->page, job->scale);

  if (render_job_is_cancelled (job))
    {
      render_job_unref (job);
      return;
    }

  /* An idle source rather than g_main_context_invoke(), which could run the
   * callback right here when nobody holds the main context. Above the redraw
   * priority, so the page lands before the next frame. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH_IDLE + 10);
  g_source_set_callback (source, job_done_cb, job, (GDestroyNotify) render_job_unref);
  g_source_set_static_name (source, "[cab-pdf-renderer] job done");
  g_source_attach (source, g_main_context_default ());
  g_source_unref (source);
}

static gint
job_compare (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const RenderJob *ja = a;
  const RenderJob *jb = b;

  if (ja->priority != jb->priority)
    return ja->priority < jb->priority ? -1 : 1;
  /* Newest first among equals: the most recent request is what the user
   * is looking at. */
  return ja->seq > jb->seq ? -1 : (ja->seq < jb->seq);
}

/* ------------------------------------------------------------------------ */
/* GObject overrides                                                        */

static void
cab_pdf_renderer_dispose (GObject *object)
{
  CabPdfRenderer *self = (CabPdfRenderer *)object;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    render_job_cancel (value);
  g_hash_table_remove_all (self->pending);

  /* Queued jobs are cancelled, so this only waits for the page in hand. */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);

  /* The links live inside the entries: forget them, do not free them. */
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->cache);
  self->cache_size = 0;

  G_OBJECT_CLASS (cab_pdf_renderer_parent_class)->dispose (object);
}

static void
cab_pdf_renderer_finalize (GObject *object)
{
  CabPdfRenderer *self = (CabPdfRenderer *)object;

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_clear_object (&self->document);

  G_OBJECT_CLASS (cab_pdf_renderer_parent_class)->finalize (object);
}

static void
cab_pdf_renderer_class_init (CabPdfRendererClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cab_pdf_renderer_dispose;
  object_class->finalize = cab_pdf_renderer_finalize;

  /**
   * CabPdfRenderer::page-rendered:
   * @page: the page index
   *
   * A new texture for @page is in the cache.
   */
  signals[PAGE_RENDERED] =
    g_signal_new ("page-rendered",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cab_pdf_renderer_init (CabPdfRenderer *self)
{
  self->pending = g_hash_table_new_full (NULL, NULL, NULL,
                                         (GDestroyNotify) render_job_unref);
  self->cache = g_hash_table_new_full (NULL, NULL, NULL, cache_entry_free);
  self->budget = DEFAULT_BUDGET;
  self->keep_first = G_MAXUINT;
  self->keep_last = 0;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

CabPdfRenderer *
cab_pdf_renderer_new (CabPdfDocument *document)
{
  CabPdfRenderer *self;

  g_return_val_if_fail (CAB_IS_PDF_DOCUMENT (document), NULL);

  self = g_object_new (CAB_TYPE_PDF_RENDERER, NULL);
  self->document = g_object_ref (document);
  /* One worker: the document lock would serialise more anyway, and the
   * other core stays free for the UI and for search. */
  self->pool = g_thread_pool_new (render_thread, NULL, 1, FALSE, NULL);
  g_thread_pool_set_sort_function (self->pool, job_compare, NULL);

  return self;
}

CabPdfDocument *
cab_pdf_renderer_get_document (CabPdfRenderer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), NULL);
  return self->document;
}

/**
 * cab_pdf_renderer_request:
 * @self: a renderer
 * @page: page index
 * @scale: device pixels per PDF point
 * @priority: how soon it is needed
 *
 * Asks for @page at @scale. Does nothing when the cache already has it or a
 * job for it is queued; #CabPdfRenderer::page-rendered says when it is there.
 */
void
cab_pdf_renderer_request (CabPdfRenderer       *self,
                          guint                 page,
                          double                scale,
                          CabPdfRenderPriority  priority)
{
  CacheEntry *entry;
  RenderJob *job;

  g_return_if_fail (CAB_IS_PDF_RENDERER (self));
  g_return_if_fail (page < cab_pdf_document_get_n_pages (self->document));
  g_return_if_fail (scale > 0);

  if (self->pool == NULL)
    return;

  scale = clamp_scale (self->document, page, scale);

  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (page));
  if (entry != NULL && G_APPROX_VALUE (entry->scale, scale, 1e-6))
    return;

  job = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (page));
  if (job != NULL)
    {
      if (G_APPROX_VALUE (job->scale, scale, 1e-6) && job->priority <= priority)
        return;
      /* Queued at another zoom or lower priority: queue it again. */
      render_job_cancel (job);
      g_hash_table_remove (self->pending, GUINT_TO_POINTER (page));
    }

  job = g_new0 (RenderJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  job->document = g_object_ref (self->document);
  g_weak_ref_init (&job->renderer, self);
  job->page = page;
  job->scale = scale;
  job->priority = priority;
  job->seq = ++self->seq;

  g_hash_table_insert (self->pending, GUINT_TO_POINTER (page), render_job_ref (job));
  g_thread_pool_push (self->pool, job, NULL);
}

/**
 * cab_pdf_renderer_lookup:
 * @self: a renderer
 * @page: page index
 * @scale: (out) (optional): the scale the texture was rendered at
 *
 * Returns: (transfer none) (nullable): the cached texture of @page, at
 *   whatever scale it was last rendered
 */
GdkTexture *
cab_pdf_renderer_lookup (CabPdfRenderer *self,
                         guint           page,
                         double         *scale)
{
  CacheEntry *entry;

  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), NULL);

  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (page));
  if (entry == NULL)
    return NULL;

  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);

  if (scale)
    *scale = entry->scale;
  return entry->texture;
}

/**
 * cab_pdf_renderer_lookup_surface:
 * @self: a renderer
 * @page: page index
 * @scale: (out) (optional): the scale the surface was rendered at
 *
 * The same pixels as cab_pdf_renderer_lookup(), as a cairo surface: GTK 4.8's
 * cairo renderer converts a memory texture through floats on every frame,
 * while a cairo surface is a plain blit.
 *
 * Returns: (transfer none) (nullable): the cached surface of @page
 */
cairo_surface_t *
cab_pdf_renderer_lookup_surface (CabPdfRenderer *self,
                                 guint           page,
                                 double         *scale)
{
  CacheEntry *entry;

  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), NULL);

  if (cab_pdf_renderer_lookup (self, page, scale) == NULL)
    return NULL;
  entry = g_hash_table_lookup (self->cache, GUINT_TO_POINTER (page));
  return entry->surface;
}

/**
 * cab_pdf_renderer_set_keep_range:
 * @self: a renderer
 * @first: first page to keep
 * @last: last page to keep
 *
 * Pages between @first and @last are on screen or next to it: queued jobs
 * for other pages are cancelled and the cache never evicts these.
 */
void
cab_pdf_renderer_set_keep_range (CabPdfRenderer *self,
                                 guint           first,
                                 guint           last)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (CAB_IS_PDF_RENDERER (self));

  self->keep_first = first;
  self->keep_last = last;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint page = GPOINTER_TO_UINT (key);

      if (page < first || page > last)
        {
          render_job_cancel (value);
          g_hash_table_iter_remove (&iter);
        }
    }
}

void
cab_pdf_renderer_set_cache_budget (CabPdfRenderer *self,
                                   gsize           bytes)
{
  g_return_if_fail (CAB_IS_PDF_RENDERER (self));

  self->budget = bytes;
  cache_evict (self);
}

gsize
cab_pdf_renderer_get_cache_size (CabPdfRenderer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), 0);
  return self->cache_size;
}

/* Pages actually rendered (cancelled jobs do not count): for tests. */
guint
cab_pdf_renderer_get_n_rendered (CabPdfRenderer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), 0);
  return self->n_rendered;
}

guint
cab_pdf_renderer_get_n_pending (CabPdfRenderer *self)
{
  g_return_val_if_fail (CAB_IS_PDF_RENDERER (self), 0);
  return g_hash_table_size (self->pending);
}
