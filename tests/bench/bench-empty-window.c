/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The floor for bench-startup: an empty libadwaita window that reports its
 * first frame the way Sapa does, so both are timed on the same machine in
 * the same run. Accepts and ignores --database FILE.
 */
#include "config.h"

#include <adwaita.h>

#include "sapa-startup-report.h"

static void
activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  sapa_startup_report_watch_first_frame (window);
  gtk_window_present (GTK_WINDOW (window));
  sapa_startup_report_ready (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("id.sapa.BenchEmptyWindow", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
