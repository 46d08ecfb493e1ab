/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>
#include <string.h>

#include "cab-application.h"
#include "cab-test-ui.h"

#define WAIT_LIMIT_S 120

const char *
cab_test_ui_setup_language (int   *argc,
                            char **argv)
{
  const char *lang = "en";
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
  return lang;
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

void
cab_test_ui_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  guint wake_id = g_timeout_add (20, wake_cb, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_id);
}

void
cab_test_ui_screenshot (CabWindow  *window,
                        const char *dir,
                        const char *name,
                        const char *lang)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%s.png", name, lang);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  for (guint i = 0; i < 10; i++)
    {
      g_clear_error (&error);
      cab_test_ui_settle (500);
      if (cab_window_save_screenshot (window, path, &error))
        break;
    }
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}
