/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-outbox-page"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cab-application.h"
#include "cab-test-ui.h"
#include "cab-test-sandbox.h"
#include "desk/cab-desk.h"
#include "outbox/cab-outbox-edit-dialog.h"
#include "outbox/cab-outbox-page.h"
#include "outbox/cab-publish-dialog.h"
#include "cab-timeline-item.h"
#include "cab-window-private.h"
#include "../integration/test-outbox-common.h"

#define PRACTICE "Organization/org-practice"
#define N_PUBLISHES 3

static CabApplication *app;
static const char *lang = "en";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */

static void
set_faults (CabTestSandbox *sandbox,
            const char     *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (sandbox, json != NULL ? "POST" : "DELETE", "/admin/faults",
                                json, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
}

/* A fast backoff for the outbox (the watch makes the client fail fast). */
static void
outbox_backoff_cb (CabSession *session,
                   GParamSpec *pspec,
                   gpointer    data)
{
  CabOutbox *outbox = cab_session_get_outbox (session);

  if (outbox != NULL)
    cab_outbox_set_backoff (outbox, 50, 500);
}

typedef struct
{
  CabTestSandbox *sandbox;
  char           *data_dir;
  char           *pdf;
  CabWindow      *window;
  CabSession     *session;
  CabOutboxPage  *page;
  CabTestSyncWatch watch;
  GPtrArray      *patients;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const extra[] = { "--patients", "6", "--years", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CabSession) session = NULL;
  CabConfig config = { 0 };

  f->sandbox = cab_test_sandbox_start (extra, FALSE, &error);
  g_assert_no_error (error);
  f->data_dir = g_dir_make_tmp ("cabinet-test-outbox-page-XXXXXX", &error);
  g_assert_no_error (error);
  f->pdf = outbox_test_make_pdf (f->data_dir);

  config.server_url = f->sandbox->base_url;
  config.token = (char *) CAB_TEST_TOKEN;
  config.practice = (char *) PRACTICE;
  config.data_dir = f->data_dir;

  session = cab_session_new (&config);
  f->session = session;
  f->window = cab_window_new (GTK_APPLICATION (app), session);
  cab_test_ui_watch_session (&f->watch, session);
  g_signal_connect (session, "notify::status", G_CALLBACK (outbox_backoff_cb), NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  gtk_window_present (GTK_WINDOW (f->window));
  cab_session_start (session);
  cab_test_ui_wait_mapped (GTK_WIDGET (f->window));
  cab_test_ui_wait_for_syncs (&f->watch, 1);
  g_assert_true (f->watch.last_success);

  g_assert_nonnull (cab_session_get_outbox (session));
  f->page = cab_window_get_outbox_page (f->window);
  g_assert_true (cab_outbox_page_get_outbox (f->page) == cab_session_get_outbox (session));
  /* Tests may read the store from the main thread. */
  f->patients = cab_store_list_patient_ids (cab_session_get_store (session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->patients->len, >=, N_PUBLISHES);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cab_test_ui_unwatch_session (&f->watch);
  g_signal_handlers_disconnect_by_func (f->session, outbox_backoff_cb, NULL);
  cab_session_shutdown (f->session);
  gtk_window_close (GTK_WINDOW (f->window));
  cab_test_ui_settle (200);

  g_ptr_array_unref (f->patients);
  g_clear_pointer (&f->sandbox, cab_test_sandbox_free);
  outbox_test_remove_tree (f->data_dir);
  g_free (f->data_dir);
  g_free (f->pdf);
}

typedef struct
{
  gint64   id;
  gboolean done;
} Queued;

static void
queued_cb (CabPublishDialog *dialog,
           gint64            id,
           Queued           *queued)
{
  queued->id = id;
  queued->done = TRUE;
}

static gboolean
is_queued (gpointer data)
{
  return ((Queued *) data)->done;
}

/* Through the dialog, as the doctor does. */
static gint64
publish_full (Fixture    *f,
              const char *patient_id,
              const char *title,
              gboolean    hold)
{
  g_autoptr(GFile) file = g_file_new_for_path (f->pdf);
  CabPublishDialog *dialog = cab_publish_dialog_new (GTK_WINDOW (f->window),
                                                     cab_session_get_outbox (f->session),
                                                     patient_id, file);
  Queued queued = { 0 };

  g_signal_connect (dialog, "queued", G_CALLBACK (queued_cb), &queued);
  gtk_window_present (GTK_WINDOW (dialog));
  cab_publish_dialog_set_type (dialog, "11490-0");
  g_assert_cmpstr (cab_publish_dialog_get_type_code (dialog), ==, "11490-0");
  cab_publish_dialog_set_document_title (dialog, title);
  cab_publish_dialog_set_hold (dialog, hold);
  cab_publish_dialog_publish (dialog);
  cab_test_ui_wait_for (is_queued, &queued, "the publish to be queued");
  g_assert_cmpint (queued.id, >, 0);

  return queued.id;
}

static gint64
publish (Fixture    *f,
         const char *patient_id,
         const char *title)
{
  return publish_full (f, patient_id, title, FALSE);
}

typedef struct
{
  CabOutboxPage *page;
  guint          n;
} WaitingWait;

/* @n entries shown as waiting (pending or already sending), and counted. */
static gboolean
waiting_shown (gpointer data)
{
  WaitingWait *w = data;

  return cab_outbox_page_count_shown (w->page, CAB_OUTBOX_STATE_PENDING) +
         cab_outbox_page_count_shown (w->page, CAB_OUTBOX_STATE_SENDING) >= w->n &&
         cab_outbox_page_get_n_pending (w->page) >= w->n;
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  CabTimelineView *timeline;
  const char      *title;
  gboolean         pending;
} TimelineWait;

/* The timeline shows @title, pending or not. */
static gboolean
timeline_shows (gpointer data)
{
  TimelineWait *w = data;
  GListModel *model = cab_timeline_view_get_model (w->timeline);

  if (cab_timeline_view_get_busy (w->timeline))
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CabTimelineItem) item = g_list_model_get_item (model, i);

      if (!cab_timeline_item_is_header (item) &&
          g_strcmp0 (cab_timeline_item_get_title (item), w->title) == 0 &&
          cab_timeline_item_get_pending (item) == w->pending)
        return TRUE;
    }
  return FALSE;
}

/* The entries' rows shown on the page, in order. */
static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_ROW (child))
        g_ptr_array_add (rows, child);
      else
        collect_rows (child, rows);
    }
}

/* ---------------------------------------------------------------------- */
/* tests                                                                  */

/* A slow server: the window keeps drawing while the drain waits on it, the
 * page and the badge show what is pending, then what was sent. */
static void
test_outbox_page_slow_drain (Fixture       *f,
                             gconstpointer  data)
{
  WaitingWait waiting = { f->page, N_PUBLISHES };
  g_autofree char *badge = g_strdup_printf ("%u", N_PUBLISHES);
  g_autoptr(GHashTable) by_key = NULL;
  guint n_frames = 0;
  TimelineWait sent_wait = { NULL, "Lettre de liaison 1", FALSE };
  guint tick_id;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "outbox");
  g_assert_cmpstr (cab_window_get_page (f->window), ==, "outbox");
  g_assert_null (cab_window_get_outbox_badge (f->window));

  /* The three wait for certain: the outbox does not drain while they are
   * queued and counted. (A server only slow raced the page: it had to show
   * all three waiting before the first was answered, which a loaded
   * machine, drawing a frame every few hundred ms and publishing through
   * dialogs, could miss.) */
  cab_outbox_stop (cab_session_get_outbox (f->session));
  set_faults (f->sandbox, "{\"latency_ms\": 3000}");
  for (guint i = 0; i < N_PUBLISHES; i++)
    {
      g_autofree char *title = g_strdup_printf ("Lettre de liaison %u", i + 1);

      publish (f, g_ptr_array_index (f->patients, i), title);
    }
  /* Online: nothing to say. */
  g_assert_null (cab_window_get_last_toast (f->window));

  cab_test_ui_wait_for (waiting_shown, &waiting, "the entries to show as pending");
  g_assert_cmpstr (cab_window_get_outbox_badge (f->window), ==, badge);
  cab_test_ui_screenshot (f->window, "outbox-pending");
  cab_outbox_start (cab_session_get_outbox (f->session));

  /* The drain waits on the server: the main loop keeps drawing. A main
   * thread blocked on the request would draw no frame at all in these 3 s;
   * the count is not a speed measure (a sanitizer build among parallel tests
   * draws a handful, a quiet machine about 180). */
  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (f->window), count_frame_cb, &n_frames, NULL);
  cab_test_ui_settle (3000);
  gtk_widget_remove_tick_callback (GTK_WIDGET (f->window), tick_id);
  g_test_message ("%u frames in 3 s while draining", n_frames);
  g_assert_cmpuint (n_frames, >=, 2);

  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_DONE, N_PUBLISHES, "the entries to show as sent");
  set_faults (f->sandbox, NULL);
  g_assert_cmpuint (cab_outbox_page_get_n_pending (f->page), ==, 0);
  g_assert_null (cab_window_get_outbox_badge (f->window));
  cab_test_ui_screenshot (f->window, "outbox-sent");

  /* A read of the outbox that changes nothing keeps every row: a drain's
   * change costs the rows it changed, not the whole outbox's. */
  {
    g_autoptr(GPtrArray) before = g_ptr_array_new ();
    g_autoptr(GPtrArray) after = g_ptr_array_new ();
    guint loads = cab_outbox_page_get_n_loads (f->page);

    collect_rows (GTK_WIDGET (f->page), before);
    g_assert_cmpuint (before->len, ==, N_PUBLISHES);
    g_signal_emit_by_name (cab_outbox_page_get_outbox (f->page), "changed");
    while (cab_outbox_page_get_n_loads (f->page) == loads)
      g_main_context_iteration (NULL, TRUE);
    collect_rows (GTK_WIDGET (f->page), after);
    g_assert_cmpuint (after->len, ==, before->len);
    for (guint i = 0; i < before->len; i++)
      g_assert_true (g_ptr_array_index (after, i) == g_ptr_array_index (before, i));
  }

  /* Sent: the timeline no longer marks it. */
  sent_wait.timeline = cab_patient_page_get_timeline (cab_desk_get_patient_page (cab_window_get_desk (f->window)));
  cab_desk_open_patient (cab_window_get_desk (f->window), g_ptr_array_index (f->patients, 0));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "patients");
  cab_test_ui_wait_for (timeline_shows, &sent_wait, "the sent document in the timeline");

  /* Each landed once. */
  by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < N_PUBLISHES; i++)
    outbox_test_server_docs (f->sandbox, g_ptr_array_index (f->patients, i), by_key);
  g_assert_cmpuint (g_hash_table_size (by_key), ==, N_PUBLISHES);
}

/* The server is gone: the publish is kept, and the window says so. */
static void
test_outbox_page_offline (Fixture       *f,
                          gconstpointer  data)
{
  TimelineWait pending_wait = { NULL, "Compte rendu hors ligne", TRUE };

  pending_wait.timeline = cab_patient_page_get_timeline (cab_desk_get_patient_page (cab_window_get_desk (f->window)));
  g_clear_pointer (&f->sandbox, cab_test_sandbox_free);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL));
  cab_test_ui_wait_for_syncs (&f->watch, 2);
  g_assert_false (f->watch.last_success);

  /* On the patient's timeline at once, marked pending. */
  cab_desk_open_patient (cab_window_get_desk (f->window), g_ptr_array_index (f->patients, 0));
  publish (f, g_ptr_array_index (f->patients, 0), "Compte rendu hors ligne");
  cab_test_ui_wait_for (timeline_shows, &pending_wait, "the document pending in the timeline");
  cab_test_ui_screenshot (f->window, "timeline-pending");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "outbox");
  g_assert_cmpstr (cab_window_get_last_toast (f->window), ==,
                   _("Queued: will be sent when the health space is reachable"));

  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_PENDING, 1, "the entry to show as pending");
  g_assert_cmpstr (cab_window_get_outbox_badge (f->window), ==, "1");

  /* Held back: listed, not counted as waiting. */
  {
    g_autoptr(GFile) file = g_file_new_for_path (f->pdf);
    CabPublishDialog *dialog = cab_publish_dialog_new (GTK_WINDOW (f->window),
                                                       cab_session_get_outbox (f->session),
                                                       g_ptr_array_index (f->patients, 1), file);
    Queued queued = { 0 };

    g_signal_connect (dialog, "queued", G_CALLBACK (queued_cb), &queued);
    gtk_window_present (GTK_WINDOW (dialog));
    cab_publish_dialog_set_hold (dialog, TRUE);
    cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "publish-dialog", 400);
    cab_publish_dialog_publish (dialog);
    cab_test_ui_wait_for (is_queued, &queued, "the held publish to be queued");
  }
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_HELD, 1, "the held entry to show");
  g_assert_cmpstr (cab_window_get_outbox_badge (f->window), ==, "1");
  cab_test_ui_screenshot (f->window, "outbox-offline");
}

/* The server's copy changed meanwhile: both versions shown, the user's
 * choice sent. */
static void
test_outbox_page_conflict (Fixture       *f,
                           gconstpointer  data)
{
  CabOutbox *outbox = cab_session_get_outbox (f->session);
  CabStore *store = cab_session_get_store (f->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) published = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *put = NULL;
  g_autofree char *body = NULL;
  g_autofree char *after = NULL;
  GtkWidget *keep_mine;
  guint status = 0;
  gint64 id;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "outbox");
  id = publish (f, g_ptr_array_index (f->patients, 0), "Avant masquage");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_DONE, 1, "the publish to be sent");
  /* Tests may read the store from the main thread. */
  published = cab_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (published->server_id);

  /* Masked here while someone changes it on the server, before it is sent. */
  cab_outbox_stop (outbox);
  g_assert_true (cab_outbox_set_visibility (outbox, published->server_id, TRUE, FALSE, FALSE, NULL, &error));
  g_assert_no_error (error);
  path = g_strconcat ("/fhir/DocumentReference/", published->server_id, NULL);
  json = cab_test_sandbox_call (f->sandbox, "GET", path, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)),
                                 "description", "Modifié sur le serveur");
  put = json_to_string (json_parser_get_root (parser), FALSE);
  body = cab_test_sandbox_call (f->sandbox, "PUT", path, put, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  cab_outbox_start (outbox);

  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_CONFLICT, 1, "the conflict to show");
  cab_test_ui_screenshot (f->window, "outbox-conflict");

  keep_mine = cab_test_ui_find_button (GTK_WIDGET (f->page), _("Keep _Mine"));
  g_assert_nonnull (keep_mine);
  g_assert_nonnull (cab_test_ui_find_button (GTK_WIDGET (f->page), _("Keep the _Server’s")));
  g_signal_emit_by_name (keep_mine, "clicked");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_DONE, 2, "the choice to be sent");
  g_assert_cmpuint (cab_outbox_page_count_shown (f->page, CAB_OUTBOX_STATE_CONFLICT), ==, 0);

  after = cab_test_sandbox_call (f->sandbox, "GET", path, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (after, "MASQUE_PS"));
  g_assert_nonnull (strstr (after, "Modifié sur le serveur"));
}

/* Not a PDF: refused in the dialog, nothing queued. */
static void
test_outbox_page_not_pdf (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->data_dir, "note.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CabPublishDialog *dialog;
  Queued queued = { 0 };

  g_assert_true (g_file_set_contents (path, "not a PDF", -1, NULL));
  dialog = cab_publish_dialog_new (GTK_WINDOW (f->window), cab_session_get_outbox (f->session),
                                   g_ptr_array_index (f->patients, 0), file);
  g_object_ref_sink (dialog);
  g_signal_connect (dialog, "queued", G_CALLBACK (queued_cb), &queued);
  gtk_window_present (GTK_WINDOW (dialog));
  cab_publish_dialog_publish (dialog);
  while (cab_publish_dialog_get_error (dialog) == NULL && !queued.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (queued.done);
  g_test_message ("error: %s", cab_publish_dialog_get_error (dialog));
  cab_test_ui_settle (100);
  g_assert_cmpuint (cab_outbox_page_get_n_pending (f->page), ==, 0);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

/* The edit dialog the page opened (a window of its own). */
static CabOutboxEditDialog *
find_edit_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CAB_IS_OUTBOX_EDIT_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CAB_OUTBOX_EDIT_DIALOG (window);
    }
  return NULL;
}

static gboolean
edit_dialog_shown (gpointer data)
{
  CabOutboxEditDialog *dialog = find_edit_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

/* Clicks "Edit…" on the page's only editable entry; returns the dialog. */
static CabOutboxEditDialog *
open_edit_dialog (Fixture *f,
                  gint64   id)
{
  GtkWidget *edit = cab_test_ui_find_button (GTK_WIDGET (f->page), _("_Edit…"));
  CabOutboxEditDialog *dialog;

  g_assert_nonnull (edit);
  g_assert_null (find_edit_dialog ());
  g_signal_emit_by_name (edit, "clicked");
  cab_test_ui_wait_for (edit_dialog_shown, NULL, "the edit dialog to show");
  dialog = find_edit_dialog ();
  g_assert_cmpint (cab_outbox_edit_dialog_get_entry_id (dialog), ==, id);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));

  return dialog;
}

/* The widget a mnemonic label ("_Title") in @widget leads to, or NULL. */
static GtkWidget *
mnemonic_target (GtkWidget  *widget,
                 const char *text)
{
  const char *underscore = strchr (text, '_');
  guint keyval;

  g_assert_nonnull (underscore);
  keyval = gdk_keyval_to_lower (gdk_unicode_to_keyval (g_utf8_get_char (underscore + 1)));
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget))) == keyval &&
      gtk_label_get_mnemonic_widget (GTK_LABEL (widget)) != NULL)
    return gtk_label_get_mnemonic_widget (GTK_LABEL (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = mnemonic_target (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  gboolean done;
  gint64   id;
  gboolean retried;
} Saved;

static void
saved_cb (CabOutboxEditDialog *dialog,
          gint64               id,
          gboolean             retried,
          Saved               *saved)
{
  saved->done = TRUE;
  saved->id = id;
  saved->retried = retried;
}

static gboolean
is_saved (gpointer data)
{
  return ((Saved *) data)->done;
}

typedef struct
{
  CabOutboxEditDialog *dialog;
  Saved               *saved;
} SaveWait;

static gboolean
saved_or_error (gpointer data)
{
  SaveWait *w = data;

  return w->saved->done || cab_outbox_edit_dialog_get_error (w->dialog) != NULL;
}

static char *
payload_string (const char *payload,
                const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, payload, -1, NULL));
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                               member, NULL));
}

typedef struct
{
  CabStore       *store;
  gint64          id;
  CabOutboxState  state;
  guint           min_attempts;
} EntryWait;

/* Tests may read the store from the main thread. */
static gboolean
entry_reached (gpointer data)
{
  EntryWait *w = data;
  g_autoptr(CabOutboxEntry) entry = cab_store_outbox_get (w->store, w->id, NULL);

  return entry != NULL && entry->state == w->state && entry->attempts >= w->min_attempts;
}

/* The DocumentReference of @patient_id on the server whose business
 * identifier is the outbox key @key, or NULL; exactly one expected. */
static JsonNode *
server_document (CabTestSandbox *sandbox,
                 const char     *patient_id,
                 const char     *key)
{
  g_autofree char *path = g_strdup_printf ("/fhir/DocumentReference?patient=%s&status=current&_count=1000",
                                           patient_id);
  g_autofree char *urn = g_strconcat ("urn:uuid:", key, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *bundle;
  JsonArray *entries;
  JsonNode *found = NULL;
  guint status = 0;

  body = cab_test_sandbox_call (sandbox, "GET", path, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  bundle = json_node_get_object (json_parser_get_root (parser));
  entries = json_object_has_member (bundle, "entry") ? json_object_get_array_member (bundle, "entry") : NULL;
  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonNode *resource = json_object_get_member (json_array_get_object_element (entries, i), "resource");
      JsonObject *master = json_object_get_object_member (json_node_get_object (resource), "masterIdentifier");

      if (master != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (master, "value", NULL), urn) == 0)
        {
          g_assert_null (found);
          found = json_node_copy (resource);
        }
    }
  return found;
}

#define EDITED_TITLE "Lettre de liaison corrigée"
#define EDITED_TYPE "11488-4"

/* A publish the server refused: edited from the page, saved and retried
 * (refused again, the change kept), then sent as edited once the server
 * accepts it. */
static void
test_outbox_page_edit_retry (Fixture       *f,
                             gconstpointer  data)
{
  CabStore *store = cab_session_get_store (f->session);
  const char *patient = g_ptr_array_index (f->patients, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) before = NULL;
  g_autoptr(CabOutboxEntry) after = NULL;
  g_autoptr(CabDocumentRow) document = NULL;
  g_autoptr(JsonNode) landed = NULL;
  g_autofree char *title = NULL;
  g_autofree char *type_code = NULL;
  CabOutboxEditDialog *dialog;
  GtkWidget *save_retry, *retry, *title_target, *focus;
  Saved saved = { 0 };
  EntryWait failed_again;
  JsonObject *doc, *attachment, *coding;
  gint64 id;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "outbox");
  set_faults (f->sandbox, "{\"hostile\": \"outcome-200\"}");
  id = publish (f, patient, "Lettre à corriger");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_FAILED, 1, "the publish to fail");
  before = cab_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (before->state, ==, CAB_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (before->attempts, >=, 1);

  /* Prefilled with what was queued; "Save and Retry" since it failed. */
  dialog = open_edit_dialog (f, id);
  g_assert_cmpstr (cab_outbox_edit_dialog_get_document_title (dialog), ==, "Lettre à corriger");
  g_assert_cmpstr (cab_outbox_edit_dialog_get_type_code (dialog), ==, "11490-0");
  g_assert_true (cab_outbox_edit_dialog_get_can_retry (dialog));
  g_assert_nonnull (cab_test_ui_find_button (GTK_WIDGET (dialog), _("_Save")));
  g_assert_nonnull (cab_test_ui_find_button (GTK_WIDGET (dialog), _("Save and _Retry")));

  /* Keyboard: the title has the focus; both fields have a mnemonic. */
  title_target = mnemonic_target (GTK_WIDGET (dialog), _("_Title"));
  g_assert_true (ADW_IS_ENTRY_ROW (title_target));
  g_assert_true (ADW_IS_COMBO_ROW (mnemonic_target (GTK_WIDGET (dialog), _("T_ype"))));
  focus = gtk_window_get_focus (GTK_WINDOW (dialog));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, title_target));

  /* A blank title cannot be saved. */
  cab_outbox_edit_dialog_set_document_title (dialog, "   ");
  g_assert_null (cab_test_ui_find_button (GTK_WIDGET (dialog), _("Save and _Retry")));
  g_assert_null (cab_test_ui_find_button (GTK_WIDGET (dialog), _("_Save")));

  cab_outbox_edit_dialog_set_document_title (dialog, EDITED_TITLE);
  cab_outbox_edit_dialog_set_type (dialog, EDITED_TYPE);
  g_assert_cmpstr (cab_outbox_edit_dialog_get_type_code (dialog), ==, EDITED_TYPE);
  cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "outbox-edit-dialog", 400);

  save_retry = cab_test_ui_find_button (GTK_WIDGET (dialog), _("Save and _Retry"));
  g_assert_nonnull (save_retry);
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), &saved);
  g_signal_emit_by_name (save_retry, "clicked");
  cab_test_ui_wait_for (is_saved, &saved, "the edit to be saved");
  g_assert_cmpint (saved.id, ==, id);
  g_assert_true (saved.retried);
  cab_test_ui_settle (100);
  g_assert_null (find_edit_dialog ());

  /* The queued payload and the local document carry the change. */
  after = cab_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  title = payload_string (after->payload, "title");
  type_code = payload_string (after->payload, "type_code");
  g_assert_cmpstr (title, ==, EDITED_TITLE);
  g_assert_cmpstr (type_code, ==, EDITED_TYPE);
  g_assert_cmpstr (after->key, ==, before->key);
  document = cab_store_get_document (store, after->document_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (document->document.title, ==, EDITED_TITLE);
  g_assert_cmpstr (document->document.type_code, ==, EDITED_TYPE);

  /* Retried: sent again, refused again. */
  failed_again = (EntryWait) { store, id, CAB_OUTBOX_STATE_FAILED, before->attempts + 1 };
  cab_test_ui_wait_for (entry_reached, &failed_again, "the retried publish to fail again");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_FAILED, 1, "the page to show it failed");
  g_assert_null (server_document (f->sandbox, patient, before->key));

  /* The server accepts it now: "Retry" on the page sends the edited one. */
  set_faults (f->sandbox, NULL);
  retry = cab_test_ui_find_button (GTK_WIDGET (f->page), _("_Retry"));
  g_assert_nonnull (retry);
  g_signal_emit_by_name (retry, "clicked");
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_DONE, 1, "the edited publish to be sent");
  /* Sent: nothing left to edit. */
  g_assert_null (cab_test_ui_find_button (GTK_WIDGET (f->page), _("_Edit…")));

  landed = server_document (f->sandbox, patient, before->key);
  g_assert_nonnull (landed);
  doc = json_node_get_object (landed);
  attachment = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (doc, "content"), 0),
                                              "attachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "title"), ==, EDITED_TITLE);
  coding = json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (doc, "type"),
                                                                        "coding"), 0);
  g_assert_cmpstr (json_object_get_string_member (coding, "code"), ==, EDITED_TYPE);
}

/* Held back, then cancelled while the dialog is open: saving says so in
 * the dialog, which stays open; nothing changes. */
static void
test_outbox_page_edit_error (Fixture       *f,
                             gconstpointer  data)
{
  CabOutbox *outbox = cab_session_get_outbox (f->session);
  CabStore *store = cab_session_get_store (f->session);
  g_autoptr(GError) error = NULL;
  g_autoptr(CabOutboxEntry) after = NULL;
  g_autofree char *title = NULL;
  CabOutboxEditDialog *dialog;
  GtkWidget *save;
  Saved saved = { 0 };
  SaveWait wait;
  gint64 id;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "outbox");
  id = publish_full (f, g_ptr_array_index (f->patients, 1), "Certificat en attente", TRUE);
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_HELD, 1, "the held publish to show");

  /* Not failed: no "Save and Retry". */
  dialog = open_edit_dialog (f, id);
  g_assert_false (cab_outbox_edit_dialog_get_can_retry (dialog));
  g_assert_null (cab_test_ui_find_button (GTK_WIDGET (dialog), _("Save and _Retry")));
  g_assert_cmpstr (cab_outbox_edit_dialog_get_document_title (dialog), ==, "Certificat en attente");
  g_assert_cmpstr (cab_outbox_edit_dialog_get_type_code (dialog), ==, "11490-0");
  cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "outbox-edit-held", 400);

  g_assert_true (cab_outbox_cancel (outbox, id, &error));
  g_assert_no_error (error);
  cab_outbox_edit_dialog_set_document_title (dialog, "Trop tard");
  save = cab_test_ui_find_button (GTK_WIDGET (dialog), _("_Save"));
  g_assert_nonnull (save);
  g_signal_connect (dialog, "saved", G_CALLBACK (saved_cb), &saved);
  g_signal_emit_by_name (save, "clicked");
  wait = (SaveWait) { dialog, &saved };
  cab_test_ui_wait_for (saved_or_error, &wait, "the save to finish");
  g_assert_false (saved.done);
  g_test_message ("error: %s", cab_outbox_edit_dialog_get_error (dialog));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  /* Can be tried again (the form is usable), though it will say the same. */
  g_assert_nonnull (cab_test_ui_find_button (GTK_WIDGET (dialog), _("_Save")));
  cab_test_ui_screenshot_widget (GTK_WIDGET (dialog), "outbox-edit-error", 400);

  after = cab_store_outbox_get (store, id, &error);
  g_assert_no_error (error);
  title = payload_string (after->payload, "title");
  g_assert_cmpstr (title, ==, "Certificat en attente");
  g_assert_cmpint (after->state, ==, CAB_OUTBOX_STATE_CANCELLED);

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  cab_test_ui_settle (100);
  g_assert_null (find_edit_dialog ());
  cab_test_ui_wait_outbox_shown (f->page, CAB_OUTBOX_STATE_CANCELLED, 1, "the cancelled entry to show");
  g_assert_null (cab_test_ui_find_button (GTK_WIDGET (f->page), _("_Edit…")));
}

/* ---------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  int ret;

  cab_test_ui_init (&argc, &argv);
  lang = cab_test_ui_get_language ();

  if (g_str_equal (lang, "fr"))
    g_assert_cmpstr (_("Waiting to be sent"), ==, "En attente d’envoi");

  app = cab_test_ui_new_application ();

  g_test_add ("/outbox-page/slow-drain", Fixture, NULL,
              fixture_setup, test_outbox_page_slow_drain, fixture_teardown);
  g_test_add ("/outbox-page/offline", Fixture, NULL,
              fixture_setup, test_outbox_page_offline, fixture_teardown);
  g_test_add ("/outbox-page/conflict", Fixture, NULL,
              fixture_setup, test_outbox_page_conflict, fixture_teardown);
  g_test_add ("/outbox-page/not-pdf", Fixture, NULL,
              fixture_setup, test_outbox_page_not_pdf, fixture_teardown);
  g_test_add ("/outbox-page/edit-retry", Fixture, NULL,
              fixture_setup, test_outbox_page_edit_retry, fixture_teardown);
  g_test_add ("/outbox-page/edit-error", Fixture, NULL,
              fixture_setup, test_outbox_page_edit_error, fixture_teardown);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);

  return ret;
}
