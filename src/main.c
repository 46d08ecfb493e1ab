/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cabinet"

#include "config.h"

#include "cab-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CabApplication) app = NULL;

  cab_application_init_i18n ();

  app = cab_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
