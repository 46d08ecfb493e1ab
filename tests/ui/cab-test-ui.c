/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cab-application.h"
#include "cab-mail-watcher.h"
#include "cab-test-leaks.h"
#include "cab-test-ui.h"
#include "cab-window-private.h"
#include "patients/cab-patient-header.h"
#include "timeline/cab-timeline-view.h"

#define WAIT_LIMIT_S 120

static const char *lang = "en";
static char *screenshot_dir;

static void
setup_language (int   *argc,
                char **argv)
{
  int j = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--lang="))
        lang = argv[i] + strlen ("--lang=");
      else
        argv[j++] = argv[i];
    }
  *argc = j;
  argv[j] = NULL;

  if (g_str_equal (lang, "fr"))
    {
      g_setenv ("LANGUAGE", "fr", TRUE);
      /* Dates the French way need the locale; messages work without it. */
      if (setlocale (LC_ALL, "fr_FR.UTF-8") != NULL)
        g_setenv ("LC_ALL", "fr_FR.UTF-8", TRUE);
      else
        g_setenv ("LC_ALL", "C.UTF-8", TRUE);
    }
  else
    {
      g_unsetenv ("LANGUAGE");
      g_setenv ("LC_ALL", "C.UTF-8", TRUE);
    }

  cab_application_init_i18n ();
}

void
cab_test_ui_init (int    *argc,
                  char ***argv)
{
  const char *dir = g_getenv ("CABINET_SCREENSHOT_DIR");

  /* Before GTK interns its quarks (tests/common/cab-test-leaks.h). */
  cab_test_leaks_ignore_quark_block ();
  setup_language (argc, *argv);

  /* No session bus: the application runs on its own, as in a sandbox. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cabinet-test-bus", TRUE);

  /* Not G_TEST_OPTION_ISOLATE_DIRS: it hides XDG_DATA_DIRS, and with them the
   * icon theme and the proxy settings schema libsoup looks up. Every test
   * uses its own data directory instead. */
  g_test_init (argc, argv, NULL);

  screenshot_dir = dir != NULL ? g_strdup (dir)
                               : g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (screenshot_dir, 0755), ==, 0);
}

const char *
cab_test_ui_get_language (void)
{
  return lang;
}

char *
cab_test_ui_screenshot_path (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, lang);

  return g_build_filename (screenshot_dir, file, NULL);
}

CabApplication *
cab_test_ui_new_application (void)
{
  CabApplication *app = cab_application_new ();

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_hold (G_APPLICATION (app));
  return app;
}

/* Keeps the loop turning while a condition is polled. */
static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
cab_test_ui_wait_for (CabTestCondition  condition,
                      gpointer          data,
                      const char       *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (50, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake_id);
}

static gboolean
watcher_stopped (gpointer data)
{
  return cab_mail_watcher_get_state (data) == CAB_MAIL_WATCHER_STOPPED;
}

/* The watcher's thread reports "stopped" as its last act, after any
 * connection it was making has ended. */
void
cab_test_ui_stop_mail_watcher (CabApplication *app)
{
  CabMailWatcher *watcher = cab_application_get_mail_watcher (app);

  if (watcher == NULL)
    return;
  cab_mail_watcher_stop (watcher);
  cab_test_ui_wait_for (watcher_stopped, watcher, "the mail watcher to stop");
}

gboolean
cab_test_ui_is_true (gpointer data)
{
  return *(gboolean *) data;
}

void
cab_test_ui_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  guint wake_id = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_id);
}

static void
count_paint_cb (GdkFrameClock *clock,
                guint         *n_painted)
{
  (*n_painted)++;
}

static gboolean
painted (gpointer data)
{
  return *(guint *) data > 0;
}

void
cab_test_ui_wait_frames (GtkWidget *widget,
                         guint      n)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_assert_nonnull (clock);
  for (guint i = 0; i < n; i++)
    {
      guint n_painted = 0;
      gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint_cb), &n_painted);

      gtk_widget_queue_draw (widget);
      cab_test_ui_wait_for (painted, &n_painted, "a frame to be drawn");
      g_signal_handler_disconnect (clock, id);
    }
}

GdkTexture *
cab_test_ui_render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  int width = 0, height = 0;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;

  g_assert_true (gtk_widget_get_mapped (widget));
  /* Nothing drawn before the widget's first layout: retried, for as long
   * as any other wait (25 tries of 200 ms could be too few when loaded). */
  for (guint tries = 0; node == NULL && (tries == 0 || g_get_monotonic_time () < deadline); tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      if (tries > 0)
        cab_test_ui_settle (200);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* A page, pane or banner on its way in or out: a screenshot would show two
 * pages blended (a loaded machine draws a transition's frames late). */
static gboolean
transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  if (ADW_IS_LEAFLET (widget) && adw_leaflet_get_child_transition_running (ADW_LEAFLET (widget)))
    return TRUE;
  if (GTK_IS_REVEALER (widget) &&
      gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) != gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_mapped (child) && transition_running (child))
      return TRUE;
  return FALSE;
}

static gboolean
transitions_done (gpointer data)
{
  return !transition_running (data);
}

void
cab_test_ui_screenshot (CabWindow  *window,
                        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cab_test_ui_screenshot_path (name);

  cab_test_ui_wait_for (transitions_done, window, "the window's transitions to end");

  /* A loaded machine (a sanitizer build among parallel tests) can take
   * seconds before the first frame: retry for up to 30 s. */
  for (guint i = 0; i < 60; i++)
    {
      g_clear_error (&error);
      cab_test_ui_settle (500);
      if (cab_window_save_screenshot (window, path, &error))
        break;
    }
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

void
cab_test_ui_screenshot_widget (GtkWidget  *widget,
                               const char *name,
                               guint       settle_ms)
{
  g_autofree char *path = cab_test_ui_screenshot_path (name);
  g_autoptr(GdkTexture) texture = NULL;

  cab_test_ui_settle (settle_ms);
  texture = cab_test_ui_render (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* A part a row painted, in the row's coordinates: its horizontal extent
 * and its top (a text's baseline). */
typedef struct
{
  GskRenderNodeType type;
  float             x0, x1, y;
} RowPart;

static void
collect_parts (GskRenderNode *node,
               float          dx,
               float          dy,
               GArray        *parts)
{
  RowPart part = { gsk_render_node_get_node_type (node), 0, 0, 0 };
  graphene_rect_t bounds;

  switch (part.type)
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_parts (gsk_container_node_get_child (node, i), dx, dy, parts);
      return;
    case GSK_TRANSFORM_NODE:
      {
        float tx = 0, ty = 0;

        g_assert_cmpint (gsk_transform_get_category (gsk_transform_node_get_transform (node)), >=,
                         GSK_TRANSFORM_CATEGORY_2D_TRANSLATE);
        gsk_transform_to_translate (gsk_transform_node_get_transform (node), &tx, &ty);
        collect_parts (gsk_transform_node_get_child (node), dx + tx, dy + ty, parts);
        return;
      }
    case GSK_ROUNDED_CLIP_NODE:
      collect_parts (gsk_rounded_clip_node_get_child (node), dx, dy, parts);
      return;
    case GSK_CLIP_NODE:
      collect_parts (gsk_clip_node_get_child (node), dx, dy, parts);
      return;
    case GSK_OPACITY_NODE:
      collect_parts (gsk_opacity_node_get_child (node), dx, dy, parts);
      return;
    case GSK_DEBUG_NODE:
      collect_parts (gsk_debug_node_get_child (node), dx, dy, parts);
      return;
    case GSK_TEXT_NODE:
      {
        const graphene_point_t *offset = gsk_text_node_get_offset (node);
        /* The count from its own call: gsk_text_node_get_glyphs() is
         * declared pure, so its out argument may be read before the call. */
        guint n_glyphs = gsk_text_node_get_num_glyphs (node);
        const PangoGlyphInfo *glyphs = gsk_text_node_get_glyphs (node, NULL);
        int advance = 0;

        for (guint i = 0; i < n_glyphs; i++)
          advance += glyphs[i].geometry.width;
        part.x0 = dx + offset->x;
        part.x1 = part.x0 + (float) advance / PANGO_SCALE;
        part.y = dy + offset->y;
        break;
      }
    default:
      /* Fills and icons (a symbolic icon is its texture under a colour
       * matrix: taken whole). */
      gsk_render_node_get_bounds (node, &bounds);
      part.x0 = dx + bounds.origin.x;
      part.x1 = part.x0 + bounds.size.width;
      part.y = dy + bounds.origin.y;
      break;
    }
  g_array_append_val (parts, part);
}

static int
compare_parts (gconstpointer a,
               gconstpointer b)
{
  const RowPart *p = a, *q = b;

  if (p->type != q->type)
    return p->type < q->type ? -1 : 1;
  if (p->y != q->y)
    return p->y < q->y ? -1 : 1;
  return p->x0 < q->x0 ? -1 : p->x0 > q->x0;
}

/* What @row paints. A text of several runs (an ellipsis, another font)
 * is one part: mirrored, a text keeps its runs' order. */
static GArray *
row_parts (GtkWidget *row)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GArray *parts = g_array_new (FALSE, FALSE, sizeof (RowPart));

  GTK_WIDGET_GET_CLASS (row)->snapshot (row, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    collect_parts (node, 0, 0, parts);
  g_array_sort (parts, compare_parts);
  for (guint i = 1; i < parts->len;)
    {
      RowPart *p = &g_array_index (parts, RowPart, i - 1), *q = &g_array_index (parts, RowPart, i);

      if (p->type == GSK_TEXT_NODE && q->type == GSK_TEXT_NODE && p->y == q->y && fabsf (q->x0 - p->x1) < 0.5)
        {
          p->x1 = q->x1;
          g_array_remove_index (parts, i);
        }
      else
        i++;
    }
  return parts;
}

/* Each part of @a, mirrored in @width when @mirror, is a part of @b. */
static void
assert_parts (GArray    *a,
              GArray    *b,
              int        width,
              gboolean   mirror,
              const char *what)
{
  g_autofree gboolean *used = g_new0 (gboolean, b->len);

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const RowPart *p = &g_array_index (a, RowPart, i);
      float x0 = mirror ? width - p->x1 : p->x0, x1 = mirror ? width - p->x0 : p->x1;
      float slack = p->type == GSK_TEXT_NODE && mirror ? 1.0 : 0.01;
      gboolean found = FALSE;

      for (guint j = 0; j < b->len && !found; j++)
        {
          const RowPart *q = &g_array_index (b, RowPart, j);

          if (!used[j] && q->type == p->type && fabsf (q->y - p->y) < 0.01 &&
              fabsf (q->x0 - x0) <= slack && fabsf (q->x1 - x1) <= slack)
            used[j] = found = TRUE;
        }
      if (!found)
        g_error ("%s: part %u (node type %d, x %.1f to %.1f, y %.1f) is not at %.1f to %.1f",
                 what, i, p->type, p->x0, p->x1, p->y, x0, x1);
    }
}

guint
cab_test_ui_assert_row_mirrored (GtkWidget *row)
{
  g_autoptr(GArray) ltr = NULL, rtl = NULL, back = NULL;
  GtkTextDirection dir = gtk_widget_get_direction (row);
  int width = gtk_widget_get_width (row);

  g_assert_cmpint (dir, ==, GTK_TEXT_DIR_LTR);
  g_assert_cmpint (width, >, 0);
  ltr = row_parts (row);
  g_assert_cmpuint (ltr->len, >, 0);

  /* GTK allocates a widget again when its direction changes: in a frame. */
  gtk_widget_set_direction (row, GTK_TEXT_DIR_RTL);
  cab_test_ui_settle (50);
  cab_test_ui_wait_frames (row, 1);
  rtl = row_parts (row);
  assert_parts (ltr, rtl, width, TRUE, "right to left");

  gtk_widget_set_direction (row, GTK_TEXT_DIR_NONE);
  cab_test_ui_settle (50);
  cab_test_ui_wait_frames (row, 1);
  back = row_parts (row);
  assert_parts (ltr, back, width, FALSE, "back left to right");
  return ltr->len;
}

guint
cab_test_ui_assert_rows_mirrored (GtkWidget *root,
                                  GType      row_type)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, row_type))
        {
          g_autoptr(GArray) parts = row_parts (child);

          if (parts->len > 0 && cab_test_ui_assert_row_mirrored (child) > 0)
            n++;
        }
      else
        n += cab_test_ui_assert_rows_mirrored (child, row_type);
    }
  return n;
}

static cairo_surface_t *
texture_surface (GdkTexture *texture)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, gdk_texture_get_width (texture),
                                                         gdk_texture_get_height (texture));

  gdk_texture_download (texture, cairo_image_surface_get_data (surface), cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

void
cab_test_ui_screenshot_with_popover (GtkWidget  *window,
                                     GtkWidget  *popover,
                                     const char *name)
{
  g_autofree char *path = cab_test_ui_screenshot_path (name);
  g_autoptr(GdkTexture) back = NULL;
  g_autoptr(GdkTexture) front = NULL;
  cairo_surface_t *out, *a, *b;
  cairo_t *cr;
  GdkSurface *surface;
  double wx, wy, px, py;

  cab_test_ui_settle (300);
  back = cab_test_ui_render (window);
  front = cab_test_ui_render (popover);
  surface = gtk_native_get_surface (GTK_NATIVE (popover));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &wx, &wy);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
  a = texture_surface (back);
  b = texture_surface (front);
  out = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, gdk_texture_get_width (back), gdk_texture_get_height (back));
  cr = cairo_create (out);
  cairo_set_source_surface (cr, a, 0, 0);
  cairo_paint (cr);
  cairo_set_source_surface (cr, b, gdk_popup_get_position_x (GDK_POPUP (surface)) - wx + px,
                            gdk_popup_get_position_y (GDK_POPUP (surface)) - wy + py);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (out, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (out);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  g_test_message ("screenshot: %s", path);
}

gpointer
cab_test_ui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_session_open_finish (CAB_SESSION (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

CabSession *
cab_test_ui_open_session (const CabConfig *config)
{
  CabSession *session = cab_session_new_full (config, CAB_SESSION_FLAGS_MANUAL);
  gboolean opened = FALSE;

  cab_session_open_async (session, NULL, open_cb, &opened);
  cab_test_ui_wait_for (cab_test_ui_is_true, &opened, "the store to open");
  return session;
}

static gboolean
timeline_loaded (gpointer data)
{
  CabTimelineView *view = data;

  return !cab_timeline_view_get_busy (view) && cab_timeline_view_get_n_documents (view) > 0;
}

GtkWidget *
cab_test_ui_open_patient_page (CabSession      *session,
                               const char      *patient_id,
                               CabPatientPage **page_out)
{
  GtkWidget *window = gtk_window_new ();
  CabPatientPage *page = CAB_PATIENT_PAGE (cab_patient_page_new ());

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 780);
  cab_patient_page_set_session (page, session);
  cab_patient_page_set_patient (page, patient_id, NULL);
  gtk_window_present (GTK_WINDOW (window));
  cab_test_ui_wait_mapped (window);
  cab_test_ui_wait_for (timeline_loaded, cab_patient_page_get_timeline (page), "the timeline");
  *page_out = page;
  return window;
}

/* Mapped is not laid out: GTK 4 allocates a new window in its frame
 * clock's layout phase, after the map (a row read 0 px high right after
 * it), and a loaded machine draws that first frame seconds later. */
static gboolean
is_mapped_and_allocated (gpointer data)
{
  GtkWidget *widget = data;

  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0 &&
         gtk_widget_get_height (widget) > 0;
}

void
cab_test_ui_wait_mapped (GtkWidget *widget)
{
  cab_test_ui_wait_for (is_mapped_and_allocated, widget, "the window to be mapped and laid out");
}

typedef struct
{
  CabDesk    *desk;
  const char *patient_id;
} PatientWait;

static gboolean
patient_open (gpointer data)
{
  PatientWait *wait = data;
  CabPatientPage *page = cab_desk_get_patient_page (wait->desk);

  return !cab_desk_get_opening (wait->desk) &&
         g_strcmp0 (cab_desk_get_patient_id (wait->desk), wait->patient_id) == 0 &&
         !cab_patient_header_get_loading (cab_patient_page_get_header (page)) &&
         !cab_timeline_view_get_busy (cab_patient_page_get_timeline (page));
}

void
cab_test_ui_wait_patient_open (CabDesk    *desk,
                               const char *patient_id,
                               const char *what)
{
  PatientWait wait = { desk, patient_id };

  cab_test_ui_wait_for (patient_open, &wait, what);
}

static gboolean
document_settled (gpointer data)
{
  CabDocumentPane *pane = data;
  CabPdfViewerState state = cab_pdf_viewer_get_state (cab_document_pane_get_viewer (pane));

  return !cab_document_pane_get_busy (pane) &&
         (state == CAB_PDF_VIEWER_DOCUMENT || state == CAB_PDF_VIEWER_UNAVAILABLE ||
          state == CAB_PDF_VIEWER_ERROR);
}

CabPdfViewerState
cab_test_ui_wait_document (CabDocumentPane *pane,
                           const char      *what)
{
  cab_test_ui_wait_for (document_settled, pane, what);
  return cab_pdf_viewer_get_state (cab_document_pane_get_viewer (pane));
}

char *
cab_test_ui_search_text (const CabPatient *patient)
{
  g_auto(GStrv) given = g_strsplit (patient->given != NULL ? patient->given : "", " ", 2);
  g_autofree char *typed = NULL, *ascii = NULL;

  g_assert_true (patient->birth_date != NULL && strlen (patient->birth_date) == 10);
  typed = g_strdup_printf ("%s %s %.2s/%.2s/%.4s", given[0] != NULL ? given[0] : "", patient->family,
                           patient->birth_date + 8, patient->birth_date + 5, patient->birth_date);
  ascii = g_str_to_ascii (typed, "C");
  return g_ascii_strdown (ascii, -1);
}

static GtkWidget *
find_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_search_entry (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
cab_test_ui_open_by_search (CabDesk    *desk,
                            const char *text,
                            const char *patient_id)
{
  GtkWidget *entry = find_search_entry (GTK_WIDGET (cab_desk_get_search (desk)));

  g_assert_nonnull (entry);
  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "activate");
  cab_test_ui_wait_patient_open (desk, patient_id, "the patient to open from the search");
}

GtkWidget *
cab_test_ui_find_button (GtkWidget  *widget,
                         const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0 &&
      gtk_widget_is_drawable (widget) && gtk_widget_is_sensitive (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cab_test_ui_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  CabOutboxPage *page;
  CabOutboxState state;
  guint          n;
} OutboxWait;

static gboolean
outbox_shown (gpointer data)
{
  OutboxWait *wait = data;

  return cab_outbox_page_count_shown (wait->page, wait->state) >= wait->n;
}

void
cab_test_ui_wait_outbox_shown (CabOutboxPage  *page,
                               CabOutboxState  state,
                               guint           n,
                               const char     *what)
{
  OutboxWait wait = { page, state, n };

  cab_test_ui_wait_for (outbox_shown, &wait, what);
}

void
cab_test_ui_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      cab_test_ui_remove_tree (child);
    }
  g_rmdir (path);
}

void
cab_test_ui_close_session (CabSession **session,
                           char       **data_dir)
{
  cab_session_shutdown (*session);
  g_clear_object (session);
  cab_test_ui_remove_tree (*data_dir);
  g_clear_pointer (data_dir, g_free);
}

/* ---------------------------------------------------------------------- */
/* syncs                                                                  */

static void
sync_finished_cb (CabSession       *session,
                  gboolean          success,
                  CabTestSyncWatch *watch)
{
  watch->n_finished++;
  watch->last_success = success;
}

/* READY is announced before the first request: make failures quick. */
static void
status_cb (CabSession       *session,
           GParamSpec       *pspec,
           CabTestSyncWatch *watch)
{
  CabFhirClient *client = cab_session_get_client (session);

  if (client != NULL)
    {
      cab_fhir_client_set_retry_policy (client, 1, 50);
      cab_fhir_client_set_timeout (client, 10);
    }
}

void
cab_test_ui_watch_session (CabTestSyncWatch *watch,
                           CabSession       *session)
{
  *watch = (CabTestSyncWatch) { .session = session };
  g_signal_connect (session, "sync-finished", G_CALLBACK (sync_finished_cb), watch);
  g_signal_connect (session, "notify::status", G_CALLBACK (status_cb), watch);
}

typedef struct
{
  CabTestSyncWatch *watch;
  guint             n;
} FinishedWait;

static gboolean
finished_n_times (gpointer data)
{
  FinishedWait *wait = data;

  return wait->watch->n_finished >= wait->n;
}

void
cab_test_ui_wait_for_syncs (CabTestSyncWatch *watch,
                            guint             n)
{
  FinishedWait wait = { watch, n };
  g_autofree char *what = g_strdup_printf ("sync %u to finish", n);

  cab_test_ui_wait_for (finished_n_times, &wait, what);
}

void
cab_test_ui_unwatch_session (CabTestSyncWatch *watch)
{
  g_signal_handlers_disconnect_by_data (watch->session, watch);
}
