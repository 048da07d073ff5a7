/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * First sync of an empty desk from a seeded sapa-server, beside the floor:
 * inserting the same rows into an empty desk database with plain SQLite
 * (INSERT ... SELECT from the server's file, same schema, same triggers and
 * indexes), measured in the same run.
 *
 *   bench-first-sync [--customers 100000] [--seed 1] [--data DIR] [--pages] [--agent]
 *
 * By default the server sends the empty desk a snapshot of its records (GET
 * /api/v1/sync/snapshot) and the desk pulls on from its cursor; --pages runs
 * the server with --no-snapshots, so the desk pulls every change in pages
 * (the bulk load). The CPU time of the server process is printed too: with a
 * snapshot the server does part of the work. --agent signs in as an agent of
 * one branch, who gets that branch's records only (no floor then).
 *
 * Without --data the server data is made in a temporary directory with
 * `sapa-server init` and `sapa-server seed` and removed afterwards; with
 * --data an existing seeded data directory is used (and kept), which saves
 * the seeding time when the benchmark is run again.
 */
#define G_LOG_DOMAIN "bench-first-sync"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sqlite3.h>

#include "sapa-sync-test.h"

#define PASSWORD "correct horse battery"

static const char * const tables[] = {
  "branch", "agent", "customer", "conversation", "interaction",
  "survey_response", "canned_response", "audit_event",
};

/* Seconds of CPU the process @pid has used (from /proc/PID/stat), -1 if unknown. */
static double
process_cpu_seconds (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (pid == NULL || !g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return -1;
  /* Fields after the command name: state is the 3rd field, utime the 14th, stime the 15th. */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return -1;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

/* Seconds of CPU this process has used (all its threads). */
static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gint64
count_rows (const char *path)
{
  gint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s;", tables[i]);
      total += sapa_test_query_int (path, sql);
    }
  return total;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, message);
  sqlite3_free (message);
  return FALSE;
}

/* The stored (not generated) columns of @table except the local rowid. */
static char *
copy_columns (sqlite3    *db,
              const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA main.table_info(%s);", table);
  g_autoptr(GString) cols = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (g_str_equal (name, "num"))
        continue;
      g_string_append_printf (cols, "%s\"%s\"", cols->len ? ", " : "", name);
    }
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&cols), FALSE);
}

/* The floor: the server's records copied into a fresh desk database in one
 * transaction, with the desk's schema, triggers (search index, phone
 * suffixes) and indexes doing their work. */
static double
measure_floor (const char  *server_db,
               const char  *floor_path,
               GError     **error)
{
  g_autoptr(SapaStore) store = sapa_store_open (floor_path, error);
  char *attach = NULL;
  sqlite3 *db = NULL;
  double started;

  if (store == NULL)
    return -1;
  g_clear_object (&store);

  if (sqlite3_open (floor_path, &db) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "open %s", floor_path);
      sqlite3_close (db);
      return -1;
    }
  attach = sqlite3_mprintf ("ATTACH %Q AS srv;", server_db);
  started = sapa_test_now_ms ();
  if (!exec (db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", error) ||
      !exec (db, attach, error) ||
      !exec (db, "BEGIN IMMEDIATE;", error))
    {
      sqlite3_free (attach);
      goto failed;
    }
  sqlite3_free (attach);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *cols = copy_columns (db, tables[i]);
      g_autofree char *sql = g_strdup_printf ("INSERT INTO main.%s (%s) SELECT %s FROM srv.%s;",
                                              tables[i], cols, cols, tables[i]);
      if (!exec (db, sql, error))
        goto failed;
    }
  if (!exec (db, "COMMIT;", error))
    goto failed;
  sqlite3_close (db);
  return (sapa_test_now_ms () - started) / 1000.0;

failed:
  sqlite3_close (db);
  return -1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SapaTestServer) server = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *server_db = NULL;
  g_autofree char *desk_path = NULL;
  g_autofree char *floor_path = NULL;
  gboolean no_floor = FALSE;
  gboolean pages = FALSE;
  gboolean agent = FALSE;
  const char *username = "bench";
  double server_cpu;
  int customers = 100000;
  int seed = 1;
  gint64 changes, rows_server, rows_desk, rows_floor, n_customers, n_interactions;
  double started, seconds, floor_seconds, cpu, floor_cpu;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers, "Customers to seed (10 interactions each)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the demo data", "S" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Use this seeded server data directory", "DIR" },
    { "no-floor", 0, 0, G_OPTION_ARG_NONE, &no_floor, "Time the first sync only (when profiling it)", NULL },
    { "pages", 0, 0, G_OPTION_ARG_NONE, &pages, "Pull every change in pages (the server sends no snapshot)", NULL },
    { "agent", 0, 0, G_OPTION_ARG_NONE, &agent, "Sign in as an agent of one branch", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time an empty desk's first sync");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  server = sapa_test_server_new (data_dir, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  server_db = sapa_test_server_db_path (server);
  if (data_dir == NULL || sapa_test_query_int (server_db, "SELECT count(*) FROM customer;") <= 0)
    {
      g_autofree char *n = g_strdup_printf ("%d", customers);
      g_autofree char *s = g_strdup_printf ("%d", seed);
      g_autofree char *out = NULL;

      if (data_dir != NULL && !g_file_test (server_db, G_FILE_TEST_EXISTS))
        {
          g_autofree char *init = sapa_test_server_admin (server, NULL, &error, "init", NULL);
          if (init == NULL)
            g_error ("%s", error->message);
        }
      g_print ("Seeding %d customers (seed %d)...\n", customers, seed);
      started = sapa_test_now_ms ();
      out = sapa_test_server_admin (server, NULL, &error, "seed", "--customers", n, "--seed", s,
                                    "--interactions-per-customer", "10", NULL);
      if (out == NULL)
        g_error ("%s", error->message);
      g_print ("Seeded in %.1f s\n", (sapa_test_now_ms () - started) / 1000);
    }
  if (sapa_test_query_int (server_db, "SELECT count(*) FROM credential c JOIN agent a ON a.id = c.agent_id "
                                      "WHERE a.username = 'bench';") <= 0)
    if (!sapa_test_server_add_user (server, "bench", PASSWORD, "admin", NULL, &error))
      g_error ("%s", error->message);

  if (agent)
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;
      g_autofree char *branch = NULL;

      if (sqlite3_open_v2 (server_db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
          sqlite3_prepare_v2 (db, "SELECT id FROM branch ORDER BY name LIMIT 1;", -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        branch = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      if (branch == NULL)
        g_error ("The server holds no branch");
      username = "bench-agent";
      if (sapa_test_query_int (server_db, "SELECT count(*) FROM credential c JOIN agent a ON a.id = c.agent_id "
                                          "WHERE a.username = 'bench-agent';") <= 0 &&
          !sapa_test_server_add_user (server, username, PASSWORD, "agent", branch, &error))
        g_error ("%s", error->message);
      no_floor = TRUE;
    }

  n_customers = sapa_test_query_int (server_db, "SELECT count(*) FROM customer;");
  n_interactions = sapa_test_query_int (server_db, "SELECT count(*) FROM interaction;");
  changes = sapa_test_query_int (server_db, "SELECT count(*) FROM change_log;");
  rows_server = count_rows (server_db);
  g_print ("Server: %" G_GINT64_FORMAT " customers, %" G_GINT64_FORMAT " interactions, %" G_GINT64_FORMAT
           " records, %" G_GINT64_FORMAT " changes in its log\n",
           n_customers, n_interactions, rows_server, changes);

  server->no_snapshots = pages;
  if (!sapa_test_server_start (server, &error))
    g_error ("%s", error->message);

  desk_path = g_build_filename (server->root, "desk.sqlite", NULL);
  store = sapa_store_open (desk_path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  sync = sapa_sync_new (store);
  sapa_sync_set_server_url (sync, server->url);
  if (!sapa_test_sign_in (sync, server->url, username, PASSWORD, &error))
    g_error ("%s", error->message);

  started = sapa_test_now_ms ();
  cpu = cpu_seconds ();
  server_cpu = process_cpu_seconds (g_subprocess_get_identifier (server->process));
  if (!sapa_sync_run_once (sync, NULL, &error))
    g_error ("first sync failed: %s", error->message);
  seconds = (sapa_test_now_ms () - started) / 1000;
  cpu = cpu_seconds () - cpu;
  server_cpu = process_cpu_seconds (g_subprocess_get_identifier (server->process)) - server_cpu;
  g_print ("First sync %s\n", pages ? "by pulling every change in pages" : "from the server's snapshot, then pulling");
  g_clear_object (&sync);
  g_clear_object (&store);
  sapa_test_server_stop (server);
  rows_desk = count_rows (desk_path);

  if (no_floor)
    {
      g_print ("\nfirst sync        %8.2f s  %9.0f changes/s  %" G_GINT64_FORMAT " records on the desk, %.2f s CPU "
               "(desk), %.2f s CPU (server)\n", seconds, changes / seconds, rows_desk, cpu, server_cpu);
      return agent || rows_desk == rows_server ? 0 : 1;
    }
  floor_path = g_build_filename (server->root, "floor.sqlite", NULL);
  floor_cpu = cpu_seconds ();
  floor_seconds = measure_floor (server_db, floor_path, &error);
  floor_cpu = cpu_seconds () - floor_cpu;
  if (floor_seconds < 0)
    g_error ("floor: %s", error->message);
  rows_floor = count_rows (floor_path);

  g_print ("\n");
  g_print ("first sync        %8.2f s  %9.0f changes/s  %" G_GINT64_FORMAT " records on the desk\n",
           seconds, changes / seconds, rows_desk);
  g_print ("floor (SQLite)    %8.2f s  %9.0f rows/s     %" G_GINT64_FORMAT " records (INSERT ... SELECT)\n",
           floor_seconds, rows_floor / floor_seconds, rows_floor);
  g_print ("first sync / floor  %.2fx   (target: at most 60 s and 3x)\n", seconds / floor_seconds);
  /* On a shared machine the wall clock includes waiting for a CPU; the CPU
   * time of the desk's threads does not. */
  g_print ("CPU time: first sync %.2f s (desk's threads) + %.2f s (server), floor %.2f s\n", cpu, server_cpu,
           floor_cpu);
  if (rows_desk != rows_server)
    g_print ("NOTE: the desk holds %" G_GINT64_FORMAT " records, the server %" G_GINT64_FORMAT "\n",
             rows_desk, rows_server);
  return 0;
}
