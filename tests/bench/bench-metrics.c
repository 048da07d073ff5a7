/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-metrics [--customers N] [--database FILE] [--runs R] [--tz ZONE]
 *
 * The dashboard's figures on a demo desk: the time of sapa_metrics_compute
 * (hourly rollups plus the raw edges) for today, 7 days, 30 days, a quarter
 * and a year, and sapa_metrics_compute_raw (a scan of the records) for the
 * same filters beside it, in the same run; the time of a full rollup
 * rebuild; and what the rollup triggers add to writes: sapa_store_save_all
 * of 10,000 handled interactions with and without them.
 *
 * Without --database, a demo desk of N customers (default 100,000) is made in
 * a temporary directory and removed afterwards. Prints figures only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include <sapa/sapa.h>

#define DAY 86400

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

typedef SapaMetrics *(*ComputeFunc) (SapaStore *, const SapaMetricsFilter *, GError **);

static double
time_compute (SapaStore               *store,
              const SapaMetricsFilter *filter,
              ComputeFunc              func,
              guint                    runs,
              guint                   *conversations)
{
  g_autofree double *ms = g_new (double, runs);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SapaMetrics) m = NULL;
      gint64 start = g_get_monotonic_time ();

      m = func (store, filter, &error);
      ms[i] = (g_get_monotonic_time () - start) / 1000.0;
      if (m == NULL)
        {
          g_printerr ("bench-metrics: %s\n", error->message);
          exit (1);
        }
      *conversations = sapa_metrics_get_total (m)->counts.conversations;
    }
  return median (ms, runs);
}

static gboolean
exec (sqlite3    *db,
      const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_printerr ("bench-metrics: %s\n", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* 10,000 handled phone calls on existing conversations, saved in one go. */
static double
time_inserts (SapaStore *store,
              sqlite3   *db,
              guint      n,
              gint64     now)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;

  sqlite3_prepare_v2 (db, "SELECT id, customer_id FROM conversation WHERE deleted = 0 ORDER BY random() LIMIT ?;",
                      -1, &stmt, NULL);
  sqlite3_bind_int (stmt, 1, n);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SapaRecord *r = sapa_record_new ("interaction");
      gint64 started = now - g_random_int_range (0, 30 * DAY);

      sapa_record_set_string (r, "conversation_id", (const char *) sqlite3_column_text (stmt, 0));
      sapa_record_set_string (r, "customer_id", (const char *) sqlite3_column_text (stmt, 1));
      sapa_record_set_string (r, "channel", "phone");
      sapa_record_set_string (r, "direction", "inbound");
      sapa_record_set_string (r, "author_id", "bench-agent");
      sapa_record_set_int (r, "started_at", started);
      sapa_record_set_int (r, "ended_at", started + g_random_int_range (30, 900));
      g_ptr_array_add (batch, r);
    }
  sqlite3_finalize (stmt);

  start = g_get_monotonic_time ();
  if (!sapa_store_save_all (store, batch, &error))
    {
      g_printerr ("bench-metrics: %s\n", error->message);
      exit (1);
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint customers = 100000;
  guint runs = 5;
  g_autofree char *database = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3 *db = NULL;
  GOptionEntry entries[] = {
    { "customers", 'n', 0, G_OPTION_ARG_INT, &customers, "Customers of the demo desk (default 100000)", "N" },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "An existing desk database instead of a new demo desk", "FILE" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs of each computation (the median is printed; default 5)", "R" },
    { "tz", 0, 0, G_OPTION_ARG_STRING, &zone, "Time zone of the days (default Asia/Jakarta)", "ZONE" },
    { NULL }
  };
  struct {
    const char *name;
    int days;
  } ranges[] = {
    { "today", 0 }, { "7 days", 7 }, { "30 days", 30 }, { "quarter", 91 }, { "year", 365 },
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-metrics: %s\n", error->message);
      return 2;
    }
  runs = MAX (runs, 1);
  tz = g_time_zone_new_identifier (zone != NULL ? zone : "Asia/Jakarta");
  if (tz == NULL)
    {
      g_printerr ("bench-metrics: unknown time zone %s\n", zone);
      return 2;
    }

  if (database != NULL)
    path = g_strdup (database);
  else
    {
      SapaDemoOptions options = { .customers = customers, .interactions_per_customer = 10, .seed = 1, .now = now };
      gint64 start = g_get_monotonic_time ();

      dir = g_dir_make_tmp ("sapa-bench-metrics-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "desk.sqlite", NULL);
      g_printerr ("bench-metrics: making a demo desk of %u customers…\n", customers);
      if (!sapa_demo_generate (path, &options, NULL, NULL, &error))
        {
          g_printerr ("bench-metrics: %s\n", error->message);
          return 1;
        }
      printf ("Demo desk of %u customers made in %.1f s (rollups rebuilt at the end of the load)\n",
              customers, (g_get_monotonic_time () - start) / 1e6);
    }

  store = sapa_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-metrics: %s\n", error->message);
      return 1;
    }
  sqlite3_open (path, &db);
  {
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM conversation), (SELECT count(*) FROM interaction), "
                            "(SELECT count(*) FROM survey_response), "
                            "(SELECT count(*) FROM metrics_conversation_hour) + (SELECT count(*) FROM metrics_frt_hour) "
                            "+ (SELECT count(*) FROM metrics_survey_hour) + (SELECT count(*) FROM metrics_resolved_hour) "
                            "+ (SELECT count(*) FROM metrics_handled_hour);", -1, &stmt, NULL);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      printf ("%lld conversations, %lld interactions, %lld survey responses, %lld rollup rows; SQLite %s\n",
              sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), sqlite3_column_int64 (stmt, 2),
              sqlite3_column_int64 (stmt, 3), sqlite3_libversion ());
    sqlite3_finalize (stmt);
  }

  local_now = g_date_time_new_from_unix_local (now);
  {
    g_autoptr(GDateTime) in_zone = g_date_time_to_timezone (local_now, tz);
    int y, m, d;

    g_date_time_get_ymd (in_zone, &y, &m, &d);
    midnight = g_date_time_new (tz, y, m, d, 0, 0, 0);
  }

  printf ("\nCompute (median of %u runs, ms)       rollups      scan    scan/rollups   conversations\n", runs);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      for (guint variant = 0; variant < 2; variant++)
        {
          g_autoptr(GDateTime) from = g_date_time_add_days (midnight, -ranges[i].days);
          g_autoptr(SapaMetricsFilter) filter = sapa_metrics_filter_new (g_date_time_to_unix (from), now, tz);
          g_autofree char *label = NULL;
          guint n1 = 0, n2 = 0;
          double rollup, raw;

          if (variant == 1)
            sapa_metrics_filter_set_channel (filter, "phone");
          label = g_strdup_printf ("%s%s", ranges[i].name, variant ? ", phone only" : "");
          rollup = time_compute (store, filter, sapa_metrics_compute, runs, &n1);
          raw = time_compute (store, filter, sapa_metrics_compute_raw, runs, &n2);
          printf ("  %-34s %9.2f %9.2f %12.1fx %12u%s\n", label, rollup, raw, raw / rollup, n1,
                  n1 == n2 ? "" : "  (DIFFERENT from the scan!)");
        }
    }

  {
    gint64 start = g_get_monotonic_time ();

    if (!sapa_metrics_rebuild (store, &error))
      {
        g_printerr ("bench-metrics: %s\n", error->message);
        return 1;
      }
    printf ("\nFull rollup rebuild: %.0f ms\n", (g_get_monotonic_time () - start) / 1000.0);
  }

  /* Inserts with and without the rollup trigger of interactions and the
   * partial index the raw edges read. */
  {
    const guint n = 10000;
    double with_triggers = G_MAXDOUBLE, index_only = G_MAXDOUBLE, without = G_MAXDOUBLE;
    g_autofree char *trigger_sql = NULL;
    g_autofree char *index_sql = NULL;
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (db, "SELECT (SELECT sql FROM sqlite_master WHERE name = 'interaction_metrics_ai'), "
                            "(SELECT sql FROM sqlite_master WHERE name = 'interaction_handled');", -1, &stmt, NULL);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        trigger_sql = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        index_sql = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      }
    sqlite3_finalize (stmt);
    /* Alternated, the best of two of each: both, the index only, neither. */
    for (guint round = 0; round < 2 && trigger_sql != NULL && index_sql != NULL; round++)
      {
        with_triggers = MIN (with_triggers, time_inserts (store, db, n, now));
        if (!exec (db, "DROP TRIGGER interaction_metrics_ai;"))
          return 1;
        index_only = MIN (index_only, time_inserts (store, db, n, now));
        if (!exec (db, "DROP INDEX interaction_handled;"))
          return 1;
        without = MIN (without, time_inserts (store, db, n, now));
        if (!exec (db, trigger_sql) || !exec (db, index_sql))
          return 1;
      }
    printf ("save_all of %u handled phone calls: %.0f ms with the rollup trigger and its index, "
            "%.0f ms with the index only, %.0f ms with neither\n"
            "  the metrics add %.1f µs per handled interaction (+%.0f%%); interactions of other channels "
            "or without an end skip the trigger (its WHEN) and the partial index\n",
            n, with_triggers, index_only, without, (with_triggers - without) * 1000.0 / n,
            100.0 * (with_triggers - without) / without);
  }

  sqlite3_close (db);
  g_clear_object (&store);
  if (dir != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
          g_remove (file);
        }
      g_rmdir (dir);
    }
  return 0;
}
