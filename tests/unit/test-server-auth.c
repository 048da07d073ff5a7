/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

#include "sapa-server-db.h"

#include "sapa-test-dir.h"

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* -- server database ------------------------------------------------------ */

static void
test_db_open (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-server-db-XXXXXX");
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *path = sapa_server_db_path (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autofree char *epoch = NULL;
  g_autofree char *epoch_again = NULL;
  g_autofree char *schema = NULL;
  const char *tables[] = { "server_meta", "credential", "token", "agent_branch", "login_failure",
                           "push_result", "channel", "inbound_message", "outbound_queue" };

  /* No data yet: a clear error, nothing made. */
  store = sapa_server_db_open (data, FALSE, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, "sapa-server init --data"));
  g_assert_false (g_file_test (data, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  store = sapa_server_db_open (data, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  epoch = sapa_server_db_dup_epoch (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (epoch), ==, 32);
  schema = sapa_server_db_dup_meta (store, "server_schema");
  g_assert_cmpstr (schema, ==, "1");
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s';",
                                              tables[i]);
      g_assert_cmpint (count_rows (path, sql), ==, 1);
    }
  g_clear_object (&store);

  /* Opening again keeps the epoch. */
  store = sapa_server_db_open (data, FALSE, &error);
  g_assert_no_error (error);
  epoch_again = sapa_server_db_dup_epoch (store, &error);
  g_assert_cmpstr (epoch, ==, epoch_again);
  g_clear_object (&store);

  /* A newer server's tables are refused. */
  {
    sqlite3 *db = NULL;
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE server_meta SET value = '99' WHERE key = 'server_schema';",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  store = sapa_server_db_open (data, FALSE, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_TOO_NEW);
  g_clear_error (&error);

  sapa_test_dir_remove (data);
  sapa_test_dir_remove (dir);
}

static void
test_db_desk_database_refused (void)
{
  g_autofree char *dir = sapa_test_dir_new ("sapa-server-db-XXXXXX");
  g_autofree char *path = sapa_server_db_path (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) desk = sapa_store_open (path, &error);
  g_autoptr(SapaStore) store = NULL;

  g_assert_no_error (error);
  g_clear_object (&desk);
  store = sapa_server_db_open (dir, FALSE, &error);
  g_assert_null (store);
  g_assert_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_NO_DATA);
  sapa_test_dir_remove (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-db/open", test_db_open);
  g_test_add_func ("/server-db/desk-database-refused", test_db_desk_database_refused);

  return g_test_run ();
}
