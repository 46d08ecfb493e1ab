/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <locale.h>
#include <string.h>

#include "cab-application.h"
#include "cab-test-language.h"

const char *
cab_test_language_setup (int   *argc,
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
