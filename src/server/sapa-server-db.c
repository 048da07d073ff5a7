/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server-db"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "sapa-store-private.h"
#include "sapa-server-db.h"

G_DEFINE_QUARK (sapa-server-db-error-quark, sapa_server_db_error)

/*
 * The server's own tables, beside libsapa's schema in the same database.
 * Migration N brings the server tables from version N-1 to N; never edit a
 * shipped migration, add a new one. Times are Unix seconds.
 */
static const char * const migrations[] = {
  /* 1: sign-in, tokens, branches of supervisors, push results, channels,
   *    inbound messages, the outbound queue */
  "CREATE TABLE IF NOT EXISTS server_meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT"
  ");"
  "CREATE TABLE credential ("
  "  agent_id TEXT PRIMARY KEY,"
  "  password_hash TEXT NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0,"
  "  changed_at INTEGER"
  ");"
  "CREATE TABLE token ("
  "  hash TEXT PRIMARY KEY,"
  "  agent_id TEXT NOT NULL,"
  "  device TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  last_used INTEGER NOT NULL,"
  "  revoked_at INTEGER"
  ");"
  "CREATE INDEX token_agent ON token (agent_id);"
  "CREATE TABLE agent_branch ("
  "  agent_id TEXT NOT NULL,"
  "  branch_id TEXT NOT NULL,"
  "  PRIMARY KEY (agent_id, branch_id)"
  ");"
  "CREATE TABLE login_failure ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL"
  ");"
  "CREATE INDEX login_failure_key_at ON login_failure (key, at);"
  "CREATE INDEX login_failure_at ON login_failure (at);"
  "CREATE TABLE push_result ("
  "  change_id TEXT PRIMARY KEY,"
  "  client_id TEXT,"
  "  status TEXT NOT NULL,"
  "  error TEXT,"
  "  at INTEGER NOT NULL"
  ");"
  "CREATE TABLE channel ("
  "  name TEXT PRIMARY KEY,"
  "  secret TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE inbound_message ("
  "  channel TEXT NOT NULL,"
  "  message_id TEXT NOT NULL,"
  "  customer_id TEXT,"
  "  conversation_id TEXT,"
  "  interaction_id TEXT,"
  "  received_at INTEGER NOT NULL,"
  "  PRIMARY KEY (channel, message_id)"
  ");"
  "CREATE TABLE outbound_queue ("
  "  interaction_id TEXT PRIMARY KEY,"
  "  channel TEXT NOT NULL,"
  "  customer_id TEXT,"
  "  recipient TEXT,"
  "  body TEXT,"
  "  queued_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'queued'"
  ");",

  /* 2: a channel's home branch: customers its messages bring in belong there,
   *    so only that branch's desks see them */
  "ALTER TABLE channel ADD COLUMN branch_id TEXT;",

  /* 3: survey links sent to customers (only a hash of each token is kept);
   *    used_at is set in the same transaction that stores the answers */
  "CREATE TABLE survey_link ("
  "  token_hash TEXT PRIMARY KEY,"
  "  conversation_id TEXT NOT NULL,"
  "  customer_id TEXT,"
  "  agent_id TEXT,"
  "  branch_id TEXT,"
  "  channel TEXT,"
  "  language TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  used_at INTEGER"
  ");"
  "CREATE INDEX survey_link_conversation ON survey_link (conversation_id);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SAPA_SERVER_DB_SCHEMA_VERSION);

static void
ensure_sodium (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&done, 1);
    }
}

char *
sapa_server_random_hex (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  GString *hex = g_string_sized_new (n_bytes * 2);

  ensure_sodium ();
  randombytes_buf (bytes, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  sodium_memzero (bytes, n_bytes);
  return g_string_free (hex, FALSE);
}

char *
sapa_server_db_path (const char *data_dir)
{
  return g_build_filename (data_dir, SAPA_SERVER_DB_FILE, NULL);
}

gboolean
sapa_server_db_exec (sqlite3     *db,
                     const char  *sql,
                     GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("write the server tables"));
      return FALSE;
    }
  return TRUE;
}

/* -- writing -------------------------------------------------------------- */

gboolean
sapa_server_db_write (SapaStore              *store,
                      SapaServerDbWriteFunc   func,
                      gpointer                user_data,
                      GError                **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return sapa_store_run_in_transaction (store, func, user_data, error);
}

/* -- reading -------------------------------------------------------------- */

/* NULL when the key or the table does not exist. */
static char *
read_meta (sqlite3    *db,
           const char *key)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT value FROM server_meta WHERE key = ?;", -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

char *
sapa_server_db_dup_meta (SapaStore  *store,
                         const char *key)
{
  sqlite3 *db;
  char *value;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  db = sapa_store_acquire_reader (store);
  value = read_meta (db, key);
  sapa_store_release_reader (store, db);
  return value;
}

char *
sapa_server_db_dup_epoch (SapaStore  *store,
                          GError    **error)
{
  char *epoch = sapa_server_db_dup_meta (store, "epoch");

  if (epoch == NULL)
    g_set_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_NO_DATA,
                 _("The server database in “%s” has no epoch. Run “sapa-server init” on a new data folder."),
                 sapa_store_get_path (store));
  return epoch;
}

/* -- opening -------------------------------------------------------------- */

typedef struct {
  guint version;   /* the migration to apply */
} Migration;

static gboolean
migrate_cb (sqlite3   *db,
            gpointer   user_data,
            GError   **error)
{
  Migration *m = user_data;
  g_autofree char *current = NULL;
  g_autofree char *version = g_strdup_printf ("%u", m->version);
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* Another process may have migrated between our read and this lock. */
  current = read_meta (db, "server_schema");
  if ((current ? (guint) g_ascii_strtoull (current, NULL, 10) : 0) >= m->version)
    return TRUE;

  if (!sapa_server_db_exec (db, migrations[m->version - 1], error))
    return FALSE;

  if (m->version == 1)
    {
      g_autofree char *epoch = sapa_server_random_hex (16);

      rc = sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO server_meta (key, value) VALUES ('epoch', ?);",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, epoch, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
        }
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          sapa_store_set_sqlite_error (error, db, rc, _("write the server tables"));
          return FALSE;
        }
    }

  rc = sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO server_meta (key, value) VALUES ('server_schema', ?);",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, version, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("write the server tables"));
      return FALSE;
    }
  g_debug ("server tables migrated to version %u", m->version);
  return TRUE;
}

static gboolean
migrate (SapaStore  *store,
         GError    **error)
{
  g_autofree char *current = sapa_server_db_dup_meta (store, "server_schema");
  guint64 version = 0;

  if (current != NULL && !g_ascii_string_to_unsigned (current, 10, 0, G_MAXUINT, &version, NULL))
    {
      g_set_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_FAILED,
                   _("The server database “%s” has a damaged version mark (“%s”). Restore a backup."),
                   sapa_store_get_path (store), current);
      return FALSE;
    }
  if (version > SAPA_SERVER_DB_SCHEMA_VERSION)
    {
      g_set_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_TOO_NEW,
                   _("The server database “%s” was written by a newer sapa-server (server tables %u; this version knows up to %u). Update sapa-server."),
                   sapa_store_get_path (store), (guint) version, SAPA_SERVER_DB_SCHEMA_VERSION);
      return FALSE;
    }
  for (guint v = (guint) version + 1; v <= SAPA_SERVER_DB_SCHEMA_VERSION; v++)
    {
      Migration m = { v };

      if (!sapa_server_db_write (store, migrate_cb, &m, error))
        return FALSE;
    }
  return TRUE;
}

SapaStore *
sapa_server_db_open (const char  *data_dir,
                     gboolean     create,
                     GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(SapaStore) store = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = sapa_server_db_path (data_dir);
  if (!create && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_NO_DATA,
                   _("No server data in %s; run sapa-server init --data %s first"),
                   data_dir, data_dir);
      return NULL;
    }
  if (create && g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the data folder “%s”: %s. Choose a folder you may write to."),
                   data_dir, g_strerror (saved_errno));
      return NULL;
    }

  store = sapa_store_open (path, error);
  if (store == NULL)
    return NULL;
  /* Password and token hashes: only the server's own user may read them
   * (SQLite gives the -wal and -shm files the database file's mode). */
  if (create && g_chmod (path, 0600) != 0)
    g_warning ("Could not make %s readable by its owner only: %s", path, g_strerror (errno));

  if (!create)
    {
      g_autofree char *schema = sapa_server_db_dup_meta (store, "server_schema");

      if (schema == NULL)
        {
          g_set_error (error, SAPA_SERVER_DB_ERROR, SAPA_SERVER_DB_ERROR_NO_DATA,
                       _("“%s” holds no sapa-server data (perhaps a desk database); run sapa-server init --data %s first"),
                       path, data_dir);
          return NULL;
        }
    }

  if (!migrate (store, error))
    return NULL;
  return g_steal_pointer (&store);
}
