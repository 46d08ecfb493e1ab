/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the consultation desk's UI tests and benchmark: FHIR fixtures
 * written as JSON and flattened by the real code, a temporary store, and the
 * usual waiting and screenshot helpers. Header-only (static inline).
 */
#pragma once

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "cab-application.h"
#include "cab-nir.h"
#include "cab-store.h"

/* ------------------------------------------------------------------------ */
/* FHIR fixtures                                                            */

static inline CabFhirRecord *
desk_record_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  CabFhirRecord *record;

  g_assert_no_error (error);
  record = cab_fhir_record_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return record;
}

/* "2540375112345" -> "254037511234567" (with its key). */
static inline char *
desk_nir (const char *nir13)
{
  int key = cab_nir_compute_key (nir13, NULL);

  g_assert_cmpint (key, >=, 1);
  return g_strdup_printf ("%s%02d", nir13, key);
}

/* @family: usage name; @birth_name: official (birth) name, NULL = @family;
 * @given: space-separated; @nir13 / @status / @gp may be NULL. */
static inline char *
desk_patient_json (const char *id,
                   const char *family,
                   const char *birth_name,
                   const char *given,
                   const char *sex,
                   const char *birth_date,
                   const char *nir13,
                   const char *status,
                   const char *gp)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_auto(GStrv) givens = g_strsplit (given, " ", -1);
  g_autofree char *given_array = NULL;
  g_autoptr(GString) ga = g_string_new ("[");

  for (guint i = 0; givens[i] != NULL; i++)
    g_string_append_printf (ga, "%s\"%s\"", i > 0 ? "," : "", givens[i]);
  g_string_append_c (ga, ']');
  given_array = g_string_free (g_steal_pointer (&ga), FALSE);

  g_string_append_printf (json,
                          "{\"resourceType\":\"Patient\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},",
                          id);
  if (status != NULL)
    g_string_append_printf (json,
                            "\"extension\":[{\"url\":\"" CAB_URL_IDENTITY_RELIABILITY "\","
                            "\"extension\":[{\"url\":\"identityStatus\",\"valueCoding\":{\"code\":\"%s\"}}]}],",
                            status);
  if (nir13 != NULL)
    {
      g_autofree char *nir = desk_nir (nir13);

      g_string_append_printf (json,
                              "\"identifier\":[{\"use\":\"official\",\"system\":\"" CAB_SYSTEM_INS_NIR "\","
                              "\"value\":\"%s\"}],", nir);
    }
  g_string_append_printf (json,
                          "\"name\":[{\"use\":\"official\",\"family\":\"%s\",\"given\":%s},"
                          "{\"use\":\"usual\",\"family\":\"%s\",\"given\":%s}],"
                          "\"gender\":\"%s\",\"birthDate\":\"%s\"",
                          birth_name != NULL ? birth_name : family, given_array,
                          family, given_array, sex, birth_date);
  if (gp != NULL)
    g_string_append_printf (json, ",\"generalPractitioner\":[{\"reference\":\"%s\"}]", gp);
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static inline char *
desk_practitioner_json (const char *id,
                        const char *prefix,
                        const char *given,
                        const char *family)
{
  return g_strdup_printf ("{\"resourceType\":\"Practitioner\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"identifier\":[{\"system\":\"" CAB_SYSTEM_IDNAT_PS "\",\"value\":\"810001234567\"}],"
                          "\"name\":[{\"use\":\"official\",\"family\":\"%s\",\"given\":[\"%s\"],\"prefix\":[\"%s\"]}]}",
                          id, family, given, prefix);
}

static inline char *
desk_condition_json (const char *id,
                     const char *patient_id,
                     const char *code,
                     const char *text,
                     gboolean    ald)
{
  return g_strdup_printf ("{\"resourceType\":\"Condition\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"extension\":[{\"url\":\"" CAB_URL_CONDITION_ALD "\",\"valueBoolean\":%s}],"
                          "\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},"
                          "\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":\"%s\",\"display\":\"%s\"}],\"text\":\"%s\"},"
                          "\"subject\":{\"reference\":\"Patient/%s\"},\"onsetDateTime\":\"2015-09-01\"}",
                          id, ald ? "true" : "false", code, text, text, patient_id);
}

typedef struct
{
  const char *type_code;
  const char *type_display;
  const char *category;
  const char *title;
  const char *date;          /* ISO date-time */
  const char *author;
  const char *custodian;
  const char *labels;        /* extra security label code, or NULL */
  const char *study_uid;     /* or NULL */
  gboolean    kos;
} DeskDocument;

static inline char *
desk_document_json (const char         *id,
                    const char         *patient_id,
                    const DeskDocument *d)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append_printf (json,
                          "{\"resourceType\":\"DocumentReference\",\"id\":\"%s\","
                          "\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-01-01T00:00:00Z\"},"
                          "\"status\":\"current\",",
                          id);
  if (d->kos)
    g_string_append (json, "\"type\":{\"coding\":[{\"system\":\"urn:oid:1.2.250.1.213.1.1.4.12\",\"code\":\"IMG-KOS\","
                           "\"display\":\"Référence d'objets d'un examen d'imagerie\"}]},");
  else
    g_string_append_printf (json, "\"type\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\",\"display\":\"%s\"}]},",
                            d->type_code, d->type_display);
  g_string_append_printf (json,
                          "\"category\":[{\"coding\":[{\"system\":\"" CAB_SYSTEM_CLASS_CODE "\",\"code\":\"%s\"}]}],"
                          "\"subject\":{\"reference\":\"Patient/%s\"},\"date\":\"%s\","
                          "\"author\":[{\"reference\":\"Practitioner/pr-1\",\"display\":\"%s\"}],"
                          "\"custodian\":{\"display\":\"%s\"},"
                          "\"securityLabel\":[{\"coding\":[{\"system\":\"" CAB_SYSTEM_CONFIDENTIALITY "\",\"code\":\"N\"}]}",
                          d->category, patient_id, d->date, d->author, d->custodian);
  if (d->labels != NULL)
    g_string_append_printf (json, ",{\"coding\":[{\"system\":\"" CAB_SYSTEM_SECURITY_LABEL "\",\"code\":\"%s\"}]}", d->labels);
  g_string_append_printf (json,
                          "],\"content\":[{\"attachment\":{\"contentType\":\"%s\","
                          "\"url\":\"https://dmp.example/fhir/Binary/bin-%s\",\"size\":1234,"
                          "\"hash\":\"2jmj7l5rSw0yVb/vlWAYkK/YBwk=\"%s%s%s}}],"
                          "\"context\":{\"period\":{\"start\":\"%s\"}",
                          d->kos ? "application/dicom" : "application/pdf", id,
                          d->title != NULL ? ",\"title\":\"" : "", d->title != NULL ? d->title : "",
                          d->title != NULL ? "\"" : "", d->date);
  if (d->study_uid != NULL)
    g_string_append_printf (json,
                            ",\"related\":[{\"identifier\":{\"type\":{\"coding\":[{\"system\":\"" CAB_SYSTEM_STUDY_UID "\","
                            "\"code\":\"" CAB_SYSTEM_STUDY_UID "\"}]},\"value\":\"%s\"}}]",
                            d->study_uid);
  g_string_append (json, "}}");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* Takes @json (freed). */
static inline void
desk_add (GPtrArray *records,
          char      *json)
{
  g_ptr_array_add (records, desk_record_from_json (json));
  g_free (json);
}

static inline GPtrArray *
desk_records_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) cab_fhir_record_free);
}

static inline void
desk_put (CabStore  *store,
          GPtrArray *records)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cab_store_put_records (store, records, NULL, NULL, &error));
  g_assert_no_error (error);
}

static inline CabStore *
desk_store_new (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "cabinet.db", NULL);
  g_autoptr(GError) error = NULL;
  CabStore *store = cab_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static inline void
desk_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        desk_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------ */
/* Main loop helpers                                                        */

typedef gboolean (*DeskCondition) (gpointer data);

/* How long a test waits for a condition before it fails: generous, as
 * cab-test-ui.c's, since a sanitizer build among parallel tests on a loaded
 * machine is many times slower than a quiet one (docs/architecture.md,
 * "Testing"). 5 s was sized for a quiet machine. */
#define DESK_WAIT_LIMIT_MS (120 * 1000)

static inline gboolean
desk_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static inline gboolean
desk_wait_until (DeskCondition condition,
                 gpointer      data,
                 guint         timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, desk_timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  return condition (data);
}

static inline void
desk_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, desk_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static inline gboolean
desk_is_true (gpointer data)
{
  return *(gboolean *) data;
}

static inline void
desk_after_paint_cb (GdkFrameClock *clock,
                     gboolean      *painted)
{
  *painted = TRUE;
}

/* Draws a fresh frame. */
static inline void
desk_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (desk_after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  g_assert_true (desk_wait_until (desk_is_true, &painted, DESK_WAIT_LIMIT_MS));
  g_signal_handler_disconnect (clock, id);
}

/* ------------------------------------------------------------------------ */
/* Language and screenshots                                                 */

static const char *desk_lang = "en";
static char *desk_screenshot_dir;

/* Before g_test_init: --lang=fr runs the same tests in French. */
static inline void
desk_init_lang (int   *argc,
                char **argv)
{
  for (int i = 1; i < *argc; i++)
    if (g_str_equal (argv[i], "--lang=fr"))
      {
        desk_lang = "fr";
        memmove (&argv[i], &argv[i + 1], (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }

  if (g_str_equal (desk_lang, "fr"))
    {
      g_setenv ("LANGUAGE", "fr", TRUE);
      g_setenv ("LC_ALL", setlocale (LC_ALL, "fr_FR.UTF-8") ? "fr_FR.UTF-8" : "C.UTF-8", TRUE);
    }
  else
    {
      g_unsetenv ("LANGUAGE");
      g_setenv ("LC_ALL", "C.UTF-8", TRUE);
    }
  cab_application_init_i18n ();
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cabinet-test-bus", TRUE);
}

/* GTK and libadwaita without the application: the widgets then get
 * Cabinet's style sheet the way AdwApplication would load it at startup. */
static inline void
desk_init_toolkit (void)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  gtk_init ();
  adw_init ();

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/cabinet_sante/Cabinet/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static inline gboolean
desk_is_french (void)
{
  return g_str_equal (desk_lang, "fr");
}

/* After gtk_init. */
static inline void
desk_init_screenshots (void)
{
  const char *dir = g_getenv ("CABINET_SCREENSHOT_DIR");

  desk_screenshot_dir = dir != NULL ? g_strdup (dir)
                                    : g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (desk_screenshot_dir, 0755), ==, 0);
}

static inline void
desk_save_screenshot (GtkWidget  *widget,
                      const char *name)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (root));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, desk_lang);
  g_autofree char *path = g_build_filename (desk_screenshot_dir, file, NULL);
  int width = gtk_widget_get_width (root);
  int height = gtk_widget_get_height (root);
  GtkSnapshot *snapshot;

  /* Buttons fade between states (CSS transitions): let them settle. */
  desk_spin (300);
  desk_wait_for_frame (root);
  width = gtk_widget_get_width (root);
  height = gtk_widget_get_height (root);
  paintable = gtk_widget_paintable_new (root);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static inline GtkWidget *
desk_find_child_of_type (GtkWidget *widget,
                         GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = desk_find_child_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}
