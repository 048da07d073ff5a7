/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-startup --sapa PATH --database FILE [--runs R]
 *
 * Starts Sapa R times on FILE (under a display, e.g. xvfb-run) and prints the
 * time from the start of the process to its first frame and to a ready desk
 * (database open, lookup usable, drawn), and the resident memory then.
 * Sapa reports those moments itself when SAPA_REPORT_STARTUP is set
 * (src/app/sapa-startup-report.c); times are CLOCK_MONOTONIC on both sides.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

static double
maximum (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len - 1);
}

int
main (int argc, char **argv)
{
  g_autofree char *sapa = NULL;
  g_autofree char *database = NULL;
  int runs = 5;
  GOptionEntry options[] = {
    { "sapa", 0, 0, G_OPTION_ARG_FILENAME, &sapa, "The sapa program", "PATH" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "Desk database", "FILE" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Starts (default 5)", "R" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- time Sapa's start");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || sapa == NULL || database == NULL || runs < 1)
    {
      g_printerr ("Usage: bench-startup --sapa PATH --database FILE [--runs R]\n");
      return 2;
    }

  for (int i = 0; i <= runs; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      gint64 started;
      double first_ms = -1, ready_ms = -1, rss_mb = -1;
      char *line;

      g_subprocess_launcher_setenv (launcher, "SAPA_REPORT_STARTUP", "exit", TRUE);
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
      started = g_get_monotonic_time ();
      process = g_subprocess_launcher_spawn (launcher, &error, sapa, "--database", database, NULL);
      if (process == NULL)
        {
          g_printerr ("bench-startup: %s\n", error->message);
          return 1;
        }
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      while ((line = g_data_input_stream_read_line (out, NULL, NULL, NULL)) != NULL)
        {
          gint64 us;
          long kb;

          if (sscanf (line, "first-frame-us %" G_GINT64_FORMAT, &us) == 1)
            first_ms = (us - started) / 1000.0;
          else if (sscanf (line, "ready-us %" G_GINT64_FORMAT " rss-kb %ld", &us, &kb) == 2)
            {
              ready_ms = (us - started) / 1000.0;
              rss_mb = kb / 1024.0;
            }
          g_free (line);
        }
      g_subprocess_wait (process, NULL, NULL);
      if (first_ms < 0 || ready_ms < 0)
        {
          g_printerr ("bench-startup: Sapa did not report its start (is there a display?)\n");
          return 1;
        }
      if (i == 0)
        continue;  /* the first start warms the file cache */
      g_array_append_val (first, first_ms);
      g_array_append_val (ready, ready_ms);
      g_array_append_val (rss, rss_mb);
    }

  g_print ("database: %s\n", database);
  g_print ("runs: %d (after one warm-up start)\n", runs);
  g_print ("start to first frame: p50 %.0f ms, max %.0f ms\n", median (first), maximum (first));
  g_print ("start to ready desk:  p50 %.0f ms, max %.0f ms\n", median (ready), maximum (ready));
  g_print ("resident memory when ready: p50 %.0f MB, max %.0f MB\n", median (rss), maximum (rss));
  return 0;
}
