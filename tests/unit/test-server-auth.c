/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

#include "sapa-server-auth.h"
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
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  schema = sapa_server_db_dup_meta (store, "server_schema");
  {
    g_autofree char *expected = g_strdup_printf ("%d", SAPA_SERVER_DB_SCHEMA_VERSION);

    g_assert_cmpstr (schema, ==, expected);
  }
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


/* -- auth ----------------------------------------------------------------- */

#define PASSWORD "correct horse 1"

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  SapaAuth  *auth;
  gint64     now;
  char      *branch_a, *branch_b, *branch_c;
  char      *agent_id, *supervisor_id, *admin_id;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  Fixture *f = user_data;
  return f->now;
}

static char *
add_branch (Fixture    *f,
            const char *name)
{
  g_autoptr(SapaRecord) b = sapa_record_new ("branch");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (b, "name", name);
  sapa_record_set_string (b, "kind", "bank");
  g_assert_true (sapa_store_save (f->store, b, &error));
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (b));
}

typedef struct {
  const char *agent_id;
  const char *hash;
} StoredPassword;

static gboolean
store_password_cb (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  StoredPassword *sp = user_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO credential (agent_id, password_hash) VALUES (?, ?);",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, sp->agent_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sp->hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  return TRUE;
}

/* Argon2id costs about 0.2 s a hash: the fixtures share one hash of PASSWORD
 * (test_password covers sapa_auth_set_password itself). */
static const char *
password_hash (void)
{
  static char *hash;

  if (hash == NULL)
    {
      g_autoptr(GError) error = NULL;

      hash = sapa_auth_hash_password (PASSWORD, &error);
      g_assert_no_error (error);
    }
  return hash;
}

static char *
add_user (Fixture    *f,
          const char *username,
          const char *role,
          const char *branch_id)
{
  g_autoptr(SapaRecord) a = sapa_record_new ("agent");
  g_autoptr(GError) error = NULL;

  sapa_record_set_string (a, "username", username);
  sapa_record_set_string (a, "display_name", username);
  sapa_record_set_string (a, "role", role);
  sapa_record_set_string (a, "branch_id", branch_id);
  g_assert_true (sapa_store_save (f->store, a, &error));
  g_assert_no_error (error);
  {
    StoredPassword sp = { sapa_record_get_id (a), password_hash () };

    g_assert_true (sapa_server_db_write (f->store, store_password_cb, &sp, &error));
    g_assert_no_error (error);
  }
  return g_strdup (sapa_record_get_id (a));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *extra[2] = { NULL, NULL };

  f->dir = sapa_test_dir_new ("sapa-server-auth-XXXXXX");
  f->path = sapa_server_db_path (f->dir);
  f->store = sapa_server_db_open (f->dir, TRUE, &error);
  g_assert_no_error (error);
  f->auth = sapa_auth_new (f->store);
  f->now = 1795000000;
  sapa_auth_set_clock (f->auth, fake_clock, f);

  f->branch_a = add_branch (f, "Jakarta Sudirman");
  f->branch_b = add_branch (f, "Bandung Dago");
  f->branch_c = add_branch (f, "Surabaya Tunjungan");
  f->agent_id = add_user (f, "rina", "agent", f->branch_a);
  f->supervisor_id = add_user (f, "budi", "supervisor", f->branch_a);
  f->admin_id = add_user (f, "sari", "admin", NULL);
  extra[0] = f->branch_b;
  g_assert_true (sapa_auth_set_extra_branches (f->auth, f->supervisor_id, extra, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->auth, sapa_auth_free);
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->branch_a);
  g_free (f->branch_b);
  g_free (f->branch_c);
  g_free (f->agent_id);
  g_free (f->supervisor_id);
  g_free (f->admin_id);
}

static char *
sign_in (Fixture         *f,
         const char      *username,
         const char      *password,
         const char      *address,
         SapaPrincipal  **principal,
         guint           *retry_after,
         GError         **error)
{
  gint64 expires_at = 0;
  char *token = sapa_auth_sign_in (f->auth, username, password, "desk-1", address,
                                   &expires_at, principal, retry_after, error);

  if (token != NULL)
    g_assert_cmpint (expires_at, ==, f->now + 12 * 3600);
  return token;
}

static void
test_password (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = sapa_auth_hash_password (PASSWORD, &error);
  g_autofree char *hash_again = sapa_auth_hash_password (PASSWORD, &error);
  g_autofree char *token = NULL;
  g_autofree char *wrong_message = NULL;
  g_autoptr(SapaPrincipal) principal = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  /* sapa_auth_set_password stores a fresh Argon2id hash (not the fixture's shared one). */
  g_assert_true (sapa_auth_set_password (f->auth, f->admin_id, PASSWORD, &error));
  g_assert_no_error (error);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM credential WHERE agent_id = '%s' AND password_hash != '%s' "
                                            "AND password_hash LIKE '$argon2id$%%';", f->admin_id, password_hash ());
    g_assert_cmpint (count_rows (f->path, sql), ==, 1);
  }
  g_assert_cmpstr (hash, !=, hash_again);   /* salted */
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM credential WHERE password_hash LIKE '$argon2id$%';"), ==, 3);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM credential WHERE password_hash LIKE '%correct horse%';"), ==, 0);

  token = sign_in (f, "rina", PASSWORD, "10.0.0.1", &principal, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpstr (principal->agent_id, ==, f->agent_id);

  g_assert_null (sign_in (f, "rina", "correct horse 2", "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  wrong_message = g_strdup (error->message);
  g_clear_error (&error);
  /* The username's letter case does not matter. */
  {
    g_autoptr(SapaPrincipal) upper = NULL;

    g_free (sign_in (f, "RINA", PASSWORD, "10.0.0.1", &upper, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (upper->agent_id, ==, f->agent_id);
  }
  /* An unknown user gets the same answer as a wrong password. */
  g_assert_null (sign_in (f, "nobody", PASSWORD, "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  g_assert_cmpstr (error->message, ==, wrong_message);
  g_clear_error (&error);
  g_assert_null (sign_in (f, "rina", "", "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  /* Rules for new passwords. */
  g_assert_nonnull (sapa_auth_check_password_rules (""));
  g_assert_nonnull (sapa_auth_check_password_rules ("short"));
  g_assert_nonnull (sapa_auth_check_password_rules ("1234567"));
  g_assert_null (sapa_auth_check_password_rules ("12345678"));
  g_assert_false (sapa_auth_set_password (f->auth, f->agent_id, "short", &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED);
  g_clear_error (&error);

  /* A new password replaces the old one and signs every device out. */
  g_assert_true (sapa_auth_set_password (f->auth, f->agent_id, "a new password", &error));
  g_assert_no_error (error);
  g_assert_null (sapa_auth_check_token (f->auth, token, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  g_assert_null (sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
  g_free (sign_in (f, "rina", "a new password", "10.0.0.1", NULL, NULL, &error));
  g_assert_no_error (error);
}

static gint64
token_last_used (Fixture    *f,
                 const char *hash)
{
  g_autofree char *sql = g_strdup_printf ("SELECT last_used FROM token WHERE hash = '%s';", hash);
  return count_rows (f->path, sql);
}

static void
test_token (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaPrincipal) signed_in = NULL;
  g_autoptr(SapaPrincipal) checked = NULL;
  g_autofree char *token = sign_in (f, "rina", PASSWORD, "10.0.0.1", &signed_in, NULL, &error);
  g_autofree char *hash = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *bad = NULL;
  gint64 issued = f->now;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 43);
  for (const char *p = token; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  hash = sapa_auth_hash_token (token);
  g_assert_cmpuint (strlen (hash), ==, 64);
  g_assert_cmpstr (signed_in->token_hash, ==, hash);

  /* Only the hash is stored. */
  sql = g_strdup_printf ("SELECT count(*) FROM token WHERE hash = '%s' AND agent_id = '%s' AND device = 'desk-1';",
                         hash, f->agent_id);
  g_assert_cmpint (count_rows (f->path, sql), ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM token WHERE hash = '%s';", token);
  g_assert_cmpint (count_rows (f->path, sql), ==, 0);

  checked = sapa_auth_check_token (f->auth, token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (checked->agent_id, ==, f->agent_id);
  g_assert_cmpstr (checked->username, ==, "rina");
  g_assert_cmpstr (checked->role, ==, "agent");
  g_assert_cmpstr (checked->token_hash, ==, hash);
  g_clear_pointer (&checked, sapa_principal_free);

  /* Malformed or unknown tokens. */
  g_assert_null (sapa_auth_check_token (f->auth, "", &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  g_assert_null (sapa_auth_check_token (f->auth, "' OR 1=1 --", &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  bad = g_strdup (token);
  bad[0] = bad[0] == 'A' ? 'B' : 'A';
  g_assert_null (sapa_auth_check_token (f->auth, bad, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  /* last_used is written at most once a minute. */
  f->now = issued + 30;
  checked = sapa_auth_check_token (f->auth, token, &error);
  g_assert_no_error (error);
  g_clear_pointer (&checked, sapa_principal_free);
  g_assert_cmpint (token_last_used (f, hash), ==, issued);
  f->now = issued + 61;
  checked = sapa_auth_check_token (f->auth, token, &error);
  g_assert_no_error (error);
  g_clear_pointer (&checked, sapa_principal_free);
  g_assert_cmpint (token_last_used (f, hash), ==, issued + 61);

  /* Idle expiry slides with each use... */
  f->now = issued + 61 + 12 * 3600 - 1;
  checked = sapa_auth_check_token (f->auth, token, &error);
  g_assert_no_error (error);
  g_clear_pointer (&checked, sapa_principal_free);
  f->now += 12 * 3600 - 1;
  checked = sapa_auth_check_token (f->auth, token, &error);
  g_assert_no_error (error);
  g_clear_pointer (&checked, sapa_principal_free);
  /* ...and ends after 12 idle hours. */
  f->now += 12 * 3600;
  g_assert_null (sapa_auth_check_token (f->auth, token, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
}

static void
test_revoke (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error);
  g_autofree char *second = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error);
  g_autoptr(SapaPrincipal) p = NULL;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);
  g_assert_true (sapa_auth_revoke (f->auth, first, &error));
  g_assert_no_error (error);
  g_assert_null (sapa_auth_check_token (f->auth, first, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  /* Signing out twice: the token is already gone. */
  g_assert_false (sapa_auth_revoke (f->auth, first, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  /* The other device stays signed in. */
  p = sapa_auth_check_token (f->auth, second, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);

  g_assert_true (sapa_auth_revoke_agent (f->auth, f->agent_id, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_null (sapa_auth_check_token (f->auth, second, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  /* Revoked tokens are cleared away at the next sign-in (anyone's). */
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM token WHERE revoked_at IS NOT NULL;"), ==, 2);
  g_free (sign_in (f, "budi", PASSWORD, "10.0.0.1", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM token WHERE revoked_at IS NOT NULL;"), ==, 0);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM token;"), ==, 1);
}

static void
test_disabled (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error);
  g_autofree char *again = NULL;
  g_autofree char *sql = NULL;

  g_assert_no_error (error);
  g_assert_false (sapa_auth_is_disabled (f->auth, f->agent_id));
  g_assert_true (sapa_auth_set_disabled (f->auth, f->agent_id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sapa_auth_is_disabled (f->auth, f->agent_id));
  sql = g_strdup_printf ("SELECT count(*) FROM token WHERE agent_id = '%s' AND revoked_at IS NULL;", f->agent_id);
  g_assert_cmpint (count_rows (f->path, sql), ==, 0);

  g_assert_null (sapa_auth_check_token (f->auth, token, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == SAPA_AUTH_ERROR);
  g_clear_error (&error);
  g_assert_null (sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_DISABLED);
  g_clear_error (&error);
  /* A wrong password still says only "wrong". */
  g_assert_null (sign_in (f, "rina", "not the password", "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  g_assert_true (sapa_auth_set_disabled (f->auth, f->agent_id, FALSE, &error));
  g_assert_no_error (error);
  again = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  /* The old token stays revoked. */
  g_assert_null (sapa_auth_check_token (f->auth, token, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  /* A disabled user's token issued before is refused even without revocation. */
  {
    g_autofree char *disable_sql = g_strdup_printf ("UPDATE credential SET disabled = 1 WHERE agent_id = '%s';", f->agent_id);
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, disable_sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_null (sapa_auth_check_token (f->auth, again, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_DISABLED);
  g_clear_error (&error);
}

static void
test_deleted_user (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error);

  g_assert_no_error (error);
  /* An agent record deleted (on any desk, then synced) ends its sessions. */
  g_assert_true (sapa_store_delete (f->store, "agent", f->agent_id, &error));
  g_assert_no_error (error);
  g_assert_null (sapa_auth_check_token (f->auth, token, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN);
  g_clear_error (&error);
  g_assert_null (sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
}

static void
fail_sign_in (Fixture    *f,
              const char *username,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (sign_in (f, username, "wrong password", address, NULL, NULL, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint retry_after = 0;
  gint64 start = f->now;

  /* Per user: five failures within 15 minutes, then even the right password
   * waits; the username's letter case does not open a new count. */
  for (guint i = 0; i < SAPA_AUTH_MAX_USER_FAILURES; i++)
    {
      fail_sign_in (f, i % 2 ? "rina" : "Rina", "10.0.0.1");
      f->now += 10;
    }
  g_assert_null (sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, &retry_after, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  /* The oldest failure leaves the window 15 minutes after it happened. */
  g_assert_cmpuint (retry_after, >, 0);
  g_assert_cmpint (f->now + retry_after, >, start + 15 * 60);
  g_assert_cmpint (f->now + retry_after, <=, start + 15 * 60 + 1);
  /* Another user is not affected. */
  g_free (sign_in (f, "budi", PASSWORD, "10.0.0.2", NULL, NULL, &error));
  g_assert_no_error (error);

  /* The limit survives a restart. */
  g_clear_pointer (&f->auth, sapa_auth_free);
  g_clear_object (&f->store);
  f->store = sapa_server_db_open (f->dir, FALSE, &error);
  g_assert_no_error (error);
  f->auth = sapa_auth_new (f->store);
  sapa_auth_set_clock (f->auth, fake_clock, f);
  g_assert_null (sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, &retry_after, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_RATE_LIMITED);
  g_clear_error (&error);

  f->now += retry_after;
  token = sign_in (f, "rina", PASSWORD, "10.0.0.1", NULL, &retry_after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpuint (retry_after, ==, 0);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM login_failure WHERE key = 'user:rina';"), ==, 0);

  /* Success reset the count: four more failures do not lock. */
  for (guint i = 0; i < SAPA_AUTH_MAX_USER_FAILURES - 1; i++)
    fail_sign_in (f, "rina", "10.0.0.3");
  g_free (sign_in (f, "rina", PASSWORD, "10.0.0.3", NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_rate_limit_address (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint retry_after = 0;

  /* Twenty failures from one address on many names (no name reaches its own limit). */
  for (guint i = 0; i < SAPA_AUTH_MAX_ADDRESS_FAILURES; i++)
    {
      g_autofree char *name = g_strdup_printf ("guess%u", i / 4);
      fail_sign_in (f, name, "192.0.2.7");
    }
  g_assert_null (sign_in (f, "rina", PASSWORD, "192.0.2.7", NULL, &retry_after, &error));
  g_assert_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_RATE_LIMITED);
  g_assert_cmpuint (retry_after, >, 0);
  g_assert_cmpuint (retry_after, <=, 15 * 60 + 1);
  g_clear_error (&error);
  /* From elsewhere the user still signs in, and a success is not counted
   * against that address. */
  g_free (sign_in (f, "rina", PASSWORD, "192.0.2.8", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM login_failure WHERE key = 'addr:192.0.2.8';"), ==, 0);
  /* After the window the address may try again. */
  f->now += 15 * 60 + 1;
  g_free (sign_in (f, "rina", PASSWORD, "192.0.2.7", NULL, NULL, &error));
  g_assert_no_error (error);
}

typedef struct {
  Fixture *f;
  int      code;   /* SapaAuthError of the attempt */
} Racer;

static gpointer
race_thread (gpointer data)
{
  Racer *r = data;
  g_autoptr(GError) error = NULL;
  gint64 expires_at;
  char *token = sapa_auth_sign_in (r->f->auth, "rina", "wrong password", "desk", "10.9.9.9",
                                   &expires_at, NULL, NULL, &error);

  g_assert_null (token);
  g_assert_true (error != NULL && error->domain == SAPA_AUTH_ERROR);
  r->code = error->code;
  return NULL;
}

static void
test_rate_limit_parallel (Fixture       *f,
                          gconstpointer  data)
{
  Racer racers[8];
  GThread *threads[G_N_ELEMENTS (racers)];
  guint wrong = 0, limited = 0;

  /* Attempts made at once cannot all slip under the limit while their
   * passwords are being checked. */
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      racers[i].f = f;
      racers[i].code = -1;
      threads[i] = g_thread_new ("sign-in", race_thread, &racers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_thread_join (threads[i]);
      if (racers[i].code == SAPA_AUTH_ERROR_INVALID_CREDENTIALS)
        wrong++;
      else if (racers[i].code == SAPA_AUTH_ERROR_RATE_LIMITED)
        limited++;
    }
  g_assert_cmpuint (wrong, ==, SAPA_AUTH_MAX_USER_FAILURES);
  g_assert_cmpuint (limited, ==, G_N_ELEMENTS (racers) - SAPA_AUTH_MAX_USER_FAILURES);
  g_assert_cmpint (count_rows (f->path, "SELECT count(*) FROM login_failure WHERE key = 'user:rina';"), ==,
                   SAPA_AUTH_MAX_USER_FAILURES);
}

static void
test_principal (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaPrincipal) agent = NULL;
  g_autoptr(SapaPrincipal) supervisor = NULL;
  g_autoptr(SapaPrincipal) admin = NULL;
  g_autofree char *token = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_auto(GStrv) extra = NULL;
  JsonObject *root;
  JsonArray *branches;

  token = sign_in (f, "rina", PASSWORD, NULL, &agent, NULL, &error);
  g_assert_no_error (error);
  g_free (sign_in (f, "budi", PASSWORD, NULL, &supervisor, NULL, &error));
  g_assert_no_error (error);
  g_free (sign_in (f, "sari", PASSWORD, NULL, &admin, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (sapa_principal_is_admin (agent));
  g_assert_false (sapa_principal_is_admin (supervisor));
  g_assert_true (sapa_principal_is_admin (admin));

  /* agent: own branch only */
  g_assert_cmpstr (agent->branch_id, ==, f->branch_a);
  g_assert_cmpuint (agent->branches->len, ==, 1);
  g_assert_true (sapa_principal_may_see_branch (agent, f->branch_a));
  g_assert_false (sapa_principal_may_see_branch (agent, f->branch_b));
  g_assert_false (sapa_principal_may_see_branch (agent, f->branch_c));
  g_assert_true (sapa_principal_may_see_branch (agent, NULL));
  /* supervisor: own branch and the extra ones */
  g_assert_cmpuint (supervisor->branches->len, ==, 2);
  g_assert_true (sapa_principal_may_see_branch (supervisor, f->branch_a));
  g_assert_true (sapa_principal_may_see_branch (supervisor, f->branch_b));
  g_assert_false (sapa_principal_may_see_branch (supervisor, f->branch_c));
  g_assert_true (sapa_principal_may_see_branch (supervisor, NULL));
  extra = sapa_auth_dup_extra_branches (f->auth, f->supervisor_id);
  g_assert_cmpuint (g_strv_length (extra), ==, 1);
  g_assert_cmpstr (extra[0], ==, f->branch_b);
  /* admin: everything, and all branches listed */
  g_assert_cmpuint (admin->branches->len, ==, 3);
  g_assert_true (sapa_principal_may_see_branch (admin, f->branch_c));
  g_assert_true (sapa_principal_may_see_branch (admin, "a-branch-made-later"));

  /* Extra branches are for supervisors: an agent's rows do not widen its view. */
  {
    const char *ids[] = { f->branch_c, NULL };
    g_autoptr(SapaPrincipal) again = NULL;

    g_assert_true (sapa_auth_set_extra_branches (f->auth, f->agent_id, ids, &error));
    g_assert_no_error (error);
    again = sapa_auth_lookup_principal (f->auth, f->agent_id, &error);
    g_assert_no_error (error);
    g_assert_false (sapa_principal_may_see_branch (again, f->branch_c));
  }

  /* The session answer. */
  json = sapa_auth_session_to_json (token, f->now + 12 * 3600, agent);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "token"), ==, token);
  g_assert_cmpstr (json_object_get_string_member (root, "expires_at"), ==, "2026-11-18T23:06:40Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "agent"), "id"), ==, f->agent_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "agent"), "username"), ==, "rina");
  branches = json_object_get_array_member (root, "branches");
  g_assert_cmpuint (json_array_get_length (branches), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (branches, 0), ==, f->branch_a);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-db/open", test_db_open);
  g_test_add_func ("/server-db/desk-database-refused", test_db_desk_database_refused);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/server-auth/password", test_password);
  ADD ("/server-auth/token", test_token);
  ADD ("/server-auth/revoke", test_revoke);
  ADD ("/server-auth/disabled", test_disabled);
  ADD ("/server-auth/deleted-user", test_deleted_user);
  ADD ("/server-auth/rate-limit", test_rate_limit);
  ADD ("/server-auth/rate-limit-address", test_rate_limit_address);
  ADD ("/server-auth/rate-limit-parallel", test_rate_limit_parallel);
  ADD ("/server-auth/principal", test_principal);
#undef ADD

  return g_test_run ();
}
