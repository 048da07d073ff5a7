/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-startup-report"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sapa-startup-report.h"

static gboolean reported_frame;

static const char *
mode (void)
{
  return g_getenv ("SAPA_REPORT_STARTUP");
}

static long
resident_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;
  long kb = -1;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, "VmRSS:")) != NULL)
    sscanf (line + strlen ("VmRSS:"), "%ld", &kb);
  return kb;
}

static void
after_paint_cb (GdkFrameClock *clock,
                GtkWidget     *window)
{
  if (reported_frame)
    return;
  reported_frame = TRUE;
  g_print ("first-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);
}

static void
realized_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), window);
}

void
sapa_startup_report_watch_first_frame (GtkWidget *window)
{
  if (mode () == NULL)
    return;
  if (gtk_widget_get_realized (window))
    realized_cb (window);
  else
    g_signal_connect (window, "realize", G_CALLBACK (realized_cb), NULL);
}

static gboolean
quit_cb (gpointer data)
{
  GtkWindow *window = data;
  GtkApplication *app = gtk_window_get_application (window);

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
ready_paint_cb (GdkFrameClock *clock,
                GtkWidget     *window)
{
  g_signal_handlers_disconnect_by_func (clock, ready_paint_cb, window);
  g_print ("ready-us %" G_GINT64_FORMAT " rss-kb %ld\n", g_get_monotonic_time (), resident_kb ());
  fflush (stdout);
  if (g_strcmp0 (mode (), "exit") == 0)
    g_idle_add (quit_cb, window);
}

void
sapa_startup_report_ready (GtkWidget *window)
{
  GdkFrameClock *clock;

  if (mode () == NULL || (clock = gtk_widget_get_frame_clock (window)) == NULL)
    return;
  /* Ready means drawn: report after the frame that shows the open desk. */
  g_signal_connect (clock, "after-paint", G_CALLBACK (ready_paint_cb), window);
  gtk_widget_queue_draw (window);
}
