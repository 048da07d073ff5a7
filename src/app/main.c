/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sapa-application.h"
#include "sapa-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SapaApplication) app = NULL;

  sapa_i18n_init ();
  g_set_application_name (_("Sapa"));

  app = sapa_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
