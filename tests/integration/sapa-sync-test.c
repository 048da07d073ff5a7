/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-sync-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "sapa-sync-test.h"

#ifndef SAPA_SERVER_PATH
#define SAPA_SERVER_PATH "sapa-server"
#endif

const char *
sapa_test_server_binary (void)
{
  const char *env = g_getenv ("SAPA_SERVER");

  return env != NULL && env[0] != '\0' ? env : SAPA_SERVER_PATH;
}

void
sapa_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL)
    return;
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        sapa_test_remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static char *
run_server_program (SapaTestServer  *server,
                    const char      *input,
                    GPtrArray       *args,
                    GError         **error)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_insert (args, 0, g_strdup (server->binary));
  g_ptr_array_add (args, g_strdup ("--data"));
  g_ptr_array_add (args, g_strdup (server->data_dir));
  g_ptr_array_add (args, NULL);
  proc = g_subprocess_newv ((const char * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            error);
  if (proc == NULL)
    return NULL;
  if (!g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL, &out, &err, error))
    return NULL;
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *line = g_strjoinv (" ", (char **) args->pdata + 1);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "sapa-server %s failed: %s%s",
                   line, err != NULL ? err : "", out != NULL ? out : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

char *
sapa_test_server_admin (SapaTestServer  *server,
                        const char      *input,
                        GError         **error,
                        const char      *subcommand,
                        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;
  const char *arg;

  g_ptr_array_add (args, g_strdup (subcommand));
  va_start (ap, subcommand);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  return run_server_program (server, input, args, error);
}

char *
sapa_test_server_add_branch (SapaTestServer *server,
                             const char     *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = sapa_test_server_admin (server, NULL, &error, "branch", "add", "--name", name,
                                                 "--kind", "bank", NULL);
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_no_error (error);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  g_assert_true (g_uuid_string_is_valid (g_strstrip (lines[n - 1])));
  return g_strdup (lines[n - 1]);
}

gboolean
sapa_test_server_add_user (SapaTestServer  *server,
                           const char      *username,
                           const char      *password,
                           const char      *role,
                           const char      *branch_id,
                           GError         **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *out = NULL;

  g_ptr_array_add (args, g_strdup ("user"));
  g_ptr_array_add (args, g_strdup ("add"));
  g_ptr_array_add (args, g_strdup ("--username"));
  g_ptr_array_add (args, g_strdup (username));
  g_ptr_array_add (args, g_strdup ("--name"));
  g_ptr_array_add (args, g_strdup (username));
  g_ptr_array_add (args, g_strdup ("--role"));
  g_ptr_array_add (args, g_strdup (role));
  if (branch_id != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--branch"));
      g_ptr_array_add (args, g_strdup (branch_id));
    }
  out = run_server_program (server, input, args, error);
  return out != NULL;
}

SapaTestServer *
sapa_test_server_new (const char  *data_dir,
                      GError     **error)
{
  g_autoptr(SapaTestServer) server = g_new0 (SapaTestServer, 1);

  server->binary = g_strdup (sapa_test_server_binary ());
  server->root = g_dir_make_tmp ("sapa-synctest-XXXXXX", error);
  if (server->root == NULL)
    return NULL;
  if (data_dir != NULL)
    {
      server->data_dir = g_strdup (data_dir);
    }
  else
    {
      g_autofree char *out = NULL;

      server->data_dir = g_build_filename (server->root, "data", NULL);
      out = sapa_test_server_admin (server, NULL, error, "init", NULL);
      if (out == NULL)
        return NULL;
    }
  return g_steal_pointer (&server);
}

char *
sapa_test_server_db_path (SapaTestServer *server)
{
  return g_build_filename (server->data_dir, "sapa-server.sqlite", NULL);
}

/* The port in "Listening on http://HOST:PORT/". */
static gboolean
parse_listening (const char *text,
                 guint16    *port)
{
  const char *p = strstr (text, "Listening on ");
  const char *colon;
  guint64 value;

  if (p == NULL || strchr (p, '\n') == NULL)
    return FALSE;
  p = strstr (p, "://");
  if (p == NULL)
    return FALSE;
  colon = strrchr (p + 3, ':');
  if (colon == NULL || strchr (colon, '\n') == NULL)
    return FALSE;
  value = g_ascii_strtoull (colon + 1, NULL, 10);
  if (value == 0 || value > 65535)
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

/* In the server's process: it goes when the test or benchmark goes, even
 * when that one aborts, so no server is left behind. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
start_once (SapaTestServer  *server,
            gboolean        *retry,
            GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *out_path = g_strdup_printf ("%s/serve-%u.out", server->root, ++server->starts);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", server->port);
  const char *argv[] = { server->binary, "serve", "--data", server->data_dir, "--listen", listen,
                         server->no_snapshots ? "--no-snapshots" : NULL, NULL };
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  *retry = FALSE;
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (server->process == NULL)
    return FALSE;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = NULL;
      guint16 port = 0;

      if (g_file_get_contents (out_path, &text, NULL, NULL) && parse_listening (text, &port))
        {
          g_unlink (out_path);
          server->port = port;
          g_free (server->url);
          server->url = g_strdup_printf ("http://127.0.0.1:%u", port);
          return TRUE;
        }
      if (g_subprocess_get_identifier (server->process) == NULL)
        {
          /* Exited: most likely the old port is still held for a moment. */
          g_unlink (out_path);
          g_clear_object (&server->process);
          *retry = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "sapa-server serve exited before listening on %s", listen);
          return FALSE;
        }
      g_usleep (10000);
    }
  g_unlink (out_path);
  sapa_test_server_kill (server);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "sapa-server did not start listening within 30 s");
  return FALSE;
}

gboolean
sapa_test_server_start (SapaTestServer  *server,
                        GError         **error)
{
  g_return_val_if_fail (server->process == NULL, FALSE);

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean retry = FALSE;

      if (start_once (server, &retry, &local_error))
        return TRUE;
      if (!retry || attempt >= 50)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (100000);
    }
}

void
sapa_test_server_kill (SapaTestServer *server)
{
  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGKILL);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

void
sapa_test_server_stop (SapaTestServer *server)
{
  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

void
sapa_test_server_free (SapaTestServer *server)
{
  if (server == NULL)
    return;
  sapa_test_server_stop (server);
  sapa_test_remove_tree (server->root);
  g_free (server->root);
  g_free (server->data_dir);
  g_free (server->binary);
  g_free (server->url);
  g_free (server);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} SignIn;

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignIn *s = user_data;

  s->ok = sapa_sync_sign_in_finish (SAPA_SYNC (source), result, &s->error);
  s->done = TRUE;
}

gboolean
sapa_test_sign_in (SapaSync    *sync,
                   const char  *url,
                   const char  *username,
                   const char  *password,
                   GError     **error)
{
  SignIn s = { 0 };
  GMainContext *context = g_main_context_ref_thread_default ();

  sapa_sync_sign_in_async (sync, url, username, password, NULL, signed_in_cb, &s);
  while (!s.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);
  if (!s.ok)
    g_propagate_error (error, s.error);
  return s.ok;
}

/* Record tables, in the order of the dump. */
static const char * const dump_tables[] = {
  "branch", "agent", "customer", "conversation", "interaction",
  "survey_response", "canned_response", "audit_event",
};

/* Columns one desk derives for itself. */
static gboolean
column_is_local (const char *name)
{
  static const char * const local[] = { "num", "name_key", "account_last4", "last_contact_at", NULL };

  return g_strv_contains (local, name);
}

static gboolean
dump_table (sqlite3     *db,
            const char  *table,
            GString     *out,
            GError     **error)
{
  g_autofree char *pragma = g_strdup_printf ("PRAGMA table_info(%s);", table);
  g_autoptr(GString) sql = g_string_new ("SELECT json_object(");
  sqlite3_stmt *stmt = NULL;
  gboolean first = TRUE;
  int rc;

  if (sqlite3_prepare_v2 (db, pragma, -1, &stmt, NULL) != SQLITE_OK)
    goto failed;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (column_is_local (name))
        continue;
      g_string_append_printf (sql, "%s'%s', ", first ? "" : ", ", name);
      if (g_str_equal (name, "field_hlc"))
        g_string_append (sql, "(SELECT json_group_object(key, value) FROM "
                              "(SELECT key, value FROM json_each(field_hlc) ORDER BY key))");
      else
        g_string_append_printf (sql, "\"%s\"", name);
      first = FALSE;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (first)
    return TRUE;   /* no such table in this database */
  g_string_append_printf (sql, ") FROM \"%s\" ORDER BY id;", table);

  if (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    goto failed;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_string_append_printf (out, "%s\t%s\n", table, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    goto failed_no_stmt;
  return TRUE;

failed:
  sqlite3_finalize (stmt);
failed_no_stmt:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "dump %s: %s", table, sqlite3_errmsg (db));
  return FALSE;
}

char *
sapa_test_dump_records (const char  *path,
                        GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "open %s: %s", path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  /* One snapshot for every table. */
  sqlite3_exec (db, "BEGIN;", NULL, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (dump_tables); i++)
    if (!dump_table (db, dump_tables[i], out, error))
      {
        sqlite3_close (db);
        return NULL;
      }
  sqlite3_exec (db, "COMMIT;", NULL, NULL, NULL);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
sapa_test_assert_dumps_equal (const char *dump_a,
                              const char *name_a,
                              const char *dump_b,
                              const char *name_b)
{
  g_auto(GStrv) a = NULL;
  g_auto(GStrv) b = NULL;
  guint i;

  if (g_strcmp0 (dump_a, dump_b) == 0)
    return;
  a = g_strsplit (dump_a, "\n", -1);
  b = g_strsplit (dump_b, "\n", -1);
  for (i = 0; a[i] != NULL && b[i] != NULL; i++)
    if (g_strcmp0 (a[i], b[i]) != 0)
      break;
  g_error ("Records differ at row %u (%u rows in %s, %u in %s):\n  %s: %s\n  %s: %s",
           i + 1, g_strv_length (a) - 1, name_a, g_strv_length (b) - 1, name_b,
           name_a, a[i] != NULL ? a[i] : "(end)", name_b, b[i] != NULL ? b[i] : "(end)");
}

gint64
sapa_test_query_int (const char *path,
                     const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 10000);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int64 (stmt, 0);
      else
        g_warning ("%s: %s", sql, sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  return value;
}
