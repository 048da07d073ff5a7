/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the admin subcommands of sapa-server exactly as sapa-server does, for
 * tests that exercise the command line. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sapa-server-admin.h"

int
main (int    argc,
      char **argv)
{
  const char *dir = g_getenv ("SAPA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("sapa-server");
  return sapa_server_admin_run (argc - 1, argv + 1);
}
