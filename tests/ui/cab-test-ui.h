/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "cab-session.h"
#include "cab-types.h"
#include "desk/cab-desk.h"
#include "desk/cab-document-pane.h"
#include "desk/cab-patient-page.h"
#include "outbox/cab-outbox-page.h"
#include "viewer/cab-pdf-viewer.h"

G_BEGIN_DECLS

/* What the UI tests that drive a whole window share. */

/* Before anything else in main(): takes "--lang=fr" out of the arguments,
 * sets the environment for that language and initialises Cabinet's
 * translations, leaves the application without a session bus (as in a
 * sandbox), calls g_test_init() and creates the screenshot directory. */
void            cab_test_ui_init            (int    *argc,
                                             char ***argv);
/* "en", or what --lang named. */
const char     *cab_test_ui_get_language    (void);
/* "<screenshot dir>/<name>-<language>.png". */
char           *cab_test_ui_screenshot_path (const char *name);
/* The application, registered non-unique and held: tests drive it
 * without g_application_run(). */
CabApplication *cab_test_ui_new_application (void);

typedef gboolean (*CabTestCondition) (gpointer data);

/* Runs the main loop until @condition holds; a hang guard (two minutes),
 * not a timing assertion. */
void        cab_test_ui_wait_for       (CabTestCondition  condition,
                                        gpointer          data,
                                        const char       *what);

/* Stops @app's mail watcher and waits for its thread to finish. A test
 * holds the application past its window, and the watcher it keeps would
 * go on retrying: it must be gone before a mail fixture's directory, whose
 * CA file GnuTLS reads again at each handshake. */
void        cab_test_ui_stop_mail_watcher (CabApplication *app);

/* A CabTestCondition: the gboolean at @data is TRUE (set by a callback). */
gboolean    cab_test_ui_is_true        (gpointer          data);

/* Lets animations (revealer, toast) run their course and frames be drawn. */
void        cab_test_ui_settle         (guint             ms);

/* Until @widget's window has drawn @n new frames, each with its layout:
 * what a settle gives on a quiet machine, whatever the load. */
void        cab_test_ui_wait_frames    (GtkWidget        *widget,
                                        guint             n);

/* Saves @window at cab_test_ui_screenshot_path (@name), retrying while no
 * frame has been drawn yet (right after a dialog closed). */
void        cab_test_ui_screenshot     (CabWindow        *window,
                                        const char       *name);

/* @widget as drawn now, rendered by its window's renderer. A loaded machine
 * may not have laid it out yet, and a widget waiting for its allocation
 * draws nothing: this settles until it draws (or fails the test). */
GdkTexture *cab_test_ui_render     (GtkWidget        *widget);

/* Saves @widget (a window of its own: composer, editor, dialog) as drawn
 * now at cab_test_ui_screenshot_path (@name), after @settle_ms. */
void        cab_test_ui_screenshot_widget (GtkWidget     *widget,
                                           const char    *name,
                                           guint          settle_ms);

/* The same with @popover (a surface of its own, which rendering @window
 * leaves out) drawn where it shows over @window. */
void        cab_test_ui_screenshot_with_popover (GtkWidget  *window,
                                                 GtkWidget  *popover,
                                                 const char *name);

/* Checks that @row (a self-drawn row, cab-row-paint.h, allocated in a
 * shown window) draws mirrored right to left: what it paints in its
 * direction now (left to right) is compared with what it paints once its
 * direction is right to left, every text, fill and icon at the mirror of
 * its place (a text's advance within 1 px), then with what it paints back
 * left to right (the same as at first). Returns how many parts it drew
 * (text runs, fills, icons). */
guint       cab_test_ui_assert_row_mirrored (GtkWidget   *row);
/* The same for every row of @row_type shown under @root that draws
 * something; returns how many. */
guint       cab_test_ui_assert_rows_mirrored (GtkWidget  *root,
                                              GType       row_type);

/* The first toplevel window of @type (a window another one opened), or NULL. */
gpointer    cab_test_ui_find_toplevel  (GType             type);

/* A session over @config (no sync, no outbox: CAB_SESSION_FLAGS_MANUAL),
 * its store open. */
CabSession *cab_test_ui_open_session   (const CabConfig  *config);

/* A window showing @patient_id's page of @session, presented, its timeline
 * loaded with at least one document; the page in @page_out. */
GtkWidget  *cab_test_ui_open_patient_page (CabSession      *session,
                                           const char      *patient_id,
                                           CabPatientPage **page_out);

/* Until @widget (a window just presented) is mapped and laid out (its
 * first allocation comes with a frame after the map). */
void        cab_test_ui_wait_mapped    (GtkWidget        *widget);

/* Waits until the desk shows @patient_id's page, its header and timeline
 * loaded (opened by search, by a recent patient or by the desk's API). */
void        cab_test_ui_wait_patient_open (CabDesk          *desk,
                                           const char       *patient_id,
                                           const char       *what);

/* Until @pane is done with the document it opens (a click on the
 * timeline): its viewer shows it, or says it is unavailable here (offline,
 * never downloaded) or that it failed. That state. */
CabPdfViewerState cab_test_ui_wait_document (CabDocumentPane *pane,
                                             const char      *what);

/* What a doctor types in the desk's search for @patient: first given
 * name, family name and birth date (dd/mm/yyyy), without accents, in
 * lower case ("Hélène LE GOFF 1954-03-12": "helene le goff 12/03/1954"). */
char       *cab_test_ui_search_text    (const CabPatient *patient);
/* @text typed in the desk's search and Enter at once (the search opens its
 * first result when it comes), until @patient_id's page is open. */
void        cab_test_ui_open_by_search (CabDesk          *desk,
                                        const char       *text,
                                        const char       *patient_id);

/* The button labelled @label (mnemonic included) under @widget that a
 * click would reach: drawn and sensitive; NULL when there is none. */
GtkWidget  *cab_test_ui_find_button    (GtkWidget        *widget,
                                        const char       *label);

/* Until the Outbox page shows at least @n entries in @state. */
void        cab_test_ui_wait_outbox_shown (CabOutboxPage    *page,
                                           CabOutboxState    state,
                                           guint             n,
                                           const char       *what);

/* Deletes @path and everything below it (a test's data directory). */
void        cab_test_ui_remove_tree    (const char       *path);

/* The end of a program that shares one session over its tests: shuts
 * *@session down and clears it, deletes *@data_dir and frees it. */
void        cab_test_ui_close_session  (CabSession      **session,
                                        char            **data_dir);

/* Counts the syncs a session finishes, and makes its client fail fast (one
 * retry after 50 ms, a 10 s timeout) once it has one: a test against a
 * stopped or faulty server then does not wait out the real backoff. */
typedef struct
{
  CabSession *session;
  guint       n_finished;
  gboolean    last_success;     /* of the last sync finished */
} CabTestSyncWatch;

void        cab_test_ui_watch_session   (CabTestSyncWatch *watch,
                                         CabSession       *session);
/* Until @n syncs have finished since the watch started. */
void        cab_test_ui_wait_for_syncs  (CabTestSyncWatch *watch,
                                         guint             n);
void        cab_test_ui_unwatch_session (CabTestSyncWatch *watch);

G_END_DECLS
