/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server-auth"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "sapa-store-private.h"
#include "sapa-server-auth.h"
#include "sapa-server-db.h"

/*
 * Sign-in, tokens and who may see what.
 *
 * Passwords are kept as Argon2id strings (libsodium). A token is 32 random
 * bytes handed to the desk as base64url; only its SHA-256 is stored, so a
 * copy of the database does not let anyone sign in. Failed sign-ins are kept
 * in login_failure, so limits survive a restart.
 */

#define TOKEN_BYTES 32
#define TOKEN_TEXT_LENGTH 43   /* base64url of 32 bytes, no padding */
#define MAX_USERNAME_LENGTH 256

struct _SapaAuth
{
  SapaStore     *store;
  SapaAuthClock  clock;
  gpointer       clock_data;
};

G_DEFINE_QUARK (sapa-auth-error-quark, sapa_auth_error)

/* -- helpers -------------------------------------------------------------- */

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

static gint64
now (SapaAuth *auth)
{
  if (auth->clock != NULL)
    return auth->clock (auth->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A hash of a random password, verified against when the user is unknown so
 * that an unknown name costs as much time as a wrong password. */
static const char *
dummy_hash (void)
{
  static char *hash;
  static GMutex lock;

  g_mutex_lock (&lock);
  if (hash == NULL)
    {
      char password[33];
      char *h = g_malloc (crypto_pwhash_STRBYTES);

      randombytes_buf (password, sizeof password - 1);
      for (gsize i = 0; i < sizeof password - 1; i++)
        password[i] = 'a' + (guint8) password[i] % 26;
      password[sizeof password - 1] = '\0';
      if (crypto_pwhash_str (h, password, sizeof password - 1,
                             crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        g_error ("Not enough memory to hash a password");
      sodium_memzero (password, sizeof password);
      hash = h;
    }
  g_mutex_unlock (&lock);
  return hash;
}

static void
set_db_error (GError    **error,
              sqlite3    *db,
              int         rc)
{
  sapa_store_set_sqlite_error (error, db, rc, _("read or write sign-in data"));
}

static gboolean
step_done (sqlite3_stmt  *stmt,
           sqlite3       *db,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  int rc = sqlite3_prepare_v2 (db, sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_db_error (error, db, rc);
      sqlite3_finalize (*stmt);
      *stmt = NULL;
      return FALSE;
    }
  return TRUE;
}

/* -- principal ------------------------------------------------------------ */

void
sapa_principal_free (SapaPrincipal *principal)
{
  if (principal == NULL)
    return;
  g_free (principal->agent_id);
  g_free (principal->username);
  g_free (principal->role);
  g_free (principal->branch_id);
  g_clear_pointer (&principal->branches, g_ptr_array_unref);
  g_free (principal->token_hash);
  g_clear_object (&principal->agent);
  g_free (principal);
}

gboolean
sapa_principal_is_admin (const SapaPrincipal *principal)
{
  g_return_val_if_fail (principal != NULL, FALSE);
  return g_strcmp0 (principal->role, "admin") == 0;
}

gboolean
sapa_principal_may_see_branch (const SapaPrincipal *principal,
                               const char          *branch_id)
{
  g_return_val_if_fail (principal != NULL, FALSE);

  if (branch_id == NULL || sapa_principal_is_admin (principal))
    return TRUE;
  if (principal->branches == NULL)
    return FALSE;
  for (guint i = 0; i < principal->branches->len; i++)
    if (g_str_equal (g_ptr_array_index (principal->branches, i), branch_id))
      return TRUE;
  return FALSE;
}

static void
add_branch (GPtrArray  *branches,
            const char *id)
{
  if (id == NULL || *id == '\0')
    return;
  for (guint i = 0; i < branches->len; i++)
    if (g_str_equal (g_ptr_array_index (branches, i), id))
      return;
  g_ptr_array_add (branches, g_strdup (id));
}

static gboolean
collect_ids (sqlite3     *db,
             const char  *sql,
             const char  *arg,
             GPtrArray   *out,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!prepare (db, sql, &stmt, error))
    return FALSE;
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_branch (out, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

SapaPrincipal *
sapa_auth_lookup_principal (SapaAuth    *auth,
                            const char  *agent_id,
                            GError     **error)
{
  g_autoptr(SapaPrincipal) principal = NULL;
  g_autoptr(SapaRecord) agent = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db;
  gboolean ok = TRUE;

  g_return_val_if_fail (auth != NULL, NULL);
  g_return_val_if_fail (agent_id != NULL, NULL);

  agent = sapa_store_get (auth->store, "agent", agent_id, &local_error);
  if (agent == NULL)
    {
      if (g_error_matches (local_error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN,
                             _("This user no longer exists. Ask an administrator for an account."));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  principal = g_new0 (SapaPrincipal, 1);
  principal->agent_id = g_strdup (agent_id);
  principal->username = g_strdup (sapa_record_get_string (agent, "username"));
  principal->role = g_strdup (sapa_record_get_string (agent, "role"));
  principal->branch_id = g_strdup (sapa_record_get_string (agent, "branch_id"));
  principal->branches = g_ptr_array_new_with_free_func (g_free);
  principal->agent = g_steal_pointer (&agent);

  db = sapa_store_acquire_reader (auth->store);
  if (g_strcmp0 (principal->role, "admin") == 0)
    ok = collect_ids (db, "SELECT id FROM branch WHERE deleted = 0 ORDER BY name, id;", NULL,
                      principal->branches, error);
  else
    {
      add_branch (principal->branches, principal->branch_id);
      if (g_strcmp0 (principal->role, "supervisor") == 0)
        ok = collect_ids (db, "SELECT branch_id FROM agent_branch WHERE agent_id = ? ORDER BY branch_id;",
                          agent_id, principal->branches, error);
    }
  sapa_store_release_reader (auth->store, db);
  if (!ok)
    return NULL;
  return g_steal_pointer (&principal);
}

/* -- construction --------------------------------------------------------- */

SapaAuth *
sapa_auth_new (SapaStore *store)
{
  SapaAuth *auth;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  ensure_sodium ();
  /* Made now, so that the first unknown name is not slower than the next. */
  dummy_hash ();
  auth = g_new0 (SapaAuth, 1);
  auth->store = g_object_ref (store);
  return auth;
}

void
sapa_auth_free (SapaAuth *auth)
{
  if (auth == NULL)
    return;
  g_clear_object (&auth->store);
  g_free (auth);
}

void
sapa_auth_set_clock (SapaAuth      *auth,
                     SapaAuthClock  clock,
                     gpointer       user_data)
{
  g_return_if_fail (auth != NULL);
  auth->clock = clock;
  auth->clock_data = user_data;
}

SapaStore *
sapa_auth_get_store (SapaAuth *auth)
{
  g_return_val_if_fail (auth != NULL, NULL);
  return auth->store;
}

/* -- passwords ------------------------------------------------------------ */

const char *
sapa_auth_check_password_rules (const char *password)
{
  if (password == NULL || *password == '\0')
    return _("The password is empty. Type a password of at least 8 characters.");
  if (!g_utf8_validate (password, -1, NULL))
    return _("The password is not valid UTF-8 text. Type it again.");
  if (strlen (password) > SAPA_AUTH_MAX_PASSWORD_LENGTH)
    return _("The password is too long (more than 1024 bytes). Choose a shorter one.");
  if (g_utf8_strlen (password, -1) < SAPA_AUTH_MIN_PASSWORD_LENGTH)
    return _("The password is too short. Type a password of at least 8 characters.");
  return NULL;
}

char *
sapa_auth_hash_password (const char  *password,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  ensure_sodium ();
  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED,
                           _("Not enough memory to protect the password. Close other programs and try again."));
      return NULL;
    }
  return g_strdup (hash);
}

static gboolean
verify_password (const char *hash,
                 const char *password)
{
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

/* -- tokens --------------------------------------------------------------- */

static char *
hash_bytes (const guint8 *bytes,
            gsize         len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, len);
}

char *
sapa_auth_hash_token (const char *token)
{
  guint8 bytes[TOKEN_BYTES];
  size_t len = 0;
  char *hash;

  if (token == NULL || strlen (token) != TOKEN_TEXT_LENGTH)
    return NULL;
  ensure_sodium ();
  if (sodium_base642bin (bytes, sizeof bytes, token, TOKEN_TEXT_LENGTH, NULL, &len, NULL,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len != TOKEN_BYTES)
    return NULL;
  hash = hash_bytes (bytes, len);
  sodium_memzero (bytes, sizeof bytes);
  return hash;
}

static char *
new_token (char **hash_out)
{
  guint8 bytes[TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  *hash_out = hash_bytes (bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

/* -- rate limits ---------------------------------------------------------- */

/* Seconds until @key may try again, 0 when it may now. */
static gboolean
retry_after_for (sqlite3     *db,
                 const char  *key,
                 guint        limit,
                 gint64       t,
                 guint       *retry_after,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *retry_after = 0;
  /* The limit-th newest failure in the window: once it leaves the window,
   * fewer than @limit remain. */
  if (!prepare (db, "SELECT at FROM login_failure WHERE key = ?1 AND at > ?2 "
                    "ORDER BY at DESC LIMIT 1 OFFSET ?3;", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, t - SAPA_AUTH_FAILURE_WINDOW);
  sqlite3_bind_int (stmt, 3, (int) limit - 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 at = sqlite3_column_int64 (stmt, 0);
      *retry_after = (guint) MAX (1, at + SAPA_AUTH_FAILURE_WINDOW - t + 1);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/*
 * Each attempt is first written down as a failure, in the same transaction
 * that checks the limits, so attempts made in parallel cannot all slip under
 * the limit while their passwords are being checked. A successful attempt
 * then takes its rows back out (and the user's earlier failures with them).
 */
typedef struct {
  const char *user_key;
  const char *address_key;   /* nullable */
  gint64      at;
  guint       retry_after;   /* out: > 0 when limited (nothing was written) */
  gint64      rowids[2];     /* out: the rows written for this attempt */
} Attempt;

static gboolean
begin_attempt_cb (sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  Attempt *at = user_data;
  const char *keys[] = { at->user_key, at->address_key };
  const guint limits[] = { SAPA_AUTH_MAX_USER_FAILURES, SAPA_AUTH_MAX_ADDRESS_FAILURES };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint wait = 0;

      if (keys[i] != NULL && !retry_after_for (db, keys[i], limits[i], at->at, &wait, error))
        return FALSE;
      at->retry_after = MAX (at->retry_after, wait);
    }
  if (at->retry_after > 0)
    return TRUE;

  {
    sqlite3_stmt *stmt = NULL;

    /* Failures that left the window no longer count: keep the table small. */
    if (!prepare (db, "DELETE FROM login_failure WHERE at <= ?;", &stmt, error))
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, at->at - SAPA_AUTH_FAILURE_WINDOW);
    if (!step_done (stmt, db, error))
      return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      sqlite3_stmt *stmt = NULL;

      at->rowids[i] = 0;
      if (keys[i] == NULL)
        continue;
      if (!prepare (db, "INSERT INTO login_failure (key, at) VALUES (?1, ?2);", &stmt, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, keys[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, at->at);
      if (!step_done (stmt, db, error))
        return FALSE;
      at->rowids[i] = sqlite3_last_insert_rowid (db);
    }
  return TRUE;
}

/* -- sign in -------------------------------------------------------------- */

typedef struct {
  char       *agent_id;
  char       *password_hash;
  gboolean    disabled;
} Credential;

static void
credential_clear (Credential *c)
{
  g_clear_pointer (&c->agent_id, g_free);
  if (c->password_hash != NULL)
    sodium_memzero (c->password_hash, strlen (c->password_hash));
  g_clear_pointer (&c->password_hash, g_free);
}

/* FALSE only on a database error; an unknown user leaves @c empty. */
static gboolean
find_credential (sqlite3     *db,
                 const char  *username,
                 Credential  *c,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* Usernames are told apart without regard to ASCII letter case (the admin
   * commands refuse a second "Rina" beside "rina"); an exact match wins. */
  if (!prepare (db, "SELECT a.id, c.password_hash, c.disabled FROM agent a "
                    "JOIN credential c ON c.agent_id = a.id "
                    "WHERE a.username = ?1 COLLATE NOCASE AND a.deleted = 0 "
                    "ORDER BY a.username = ?1 DESC LIMIT 1;", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      c->agent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->password_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->disabled = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_db_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  const char *agent_id;
  const char *user_key;
  gint64      address_rowid;  /* this attempt's row for the address, or 0 */
  const char *hash;
  const char *device;
  gint64      at;
} Issue;

static gboolean
issue_token_cb (sqlite3   *db,
                gpointer   user_data,
                GError   **error)
{
  Issue *is = user_data;
  sqlite3_stmt *stmt = NULL;

  /* Success clears the user's failures; the address keeps its earlier ones
   * but not this attempt. */
  if (!prepare (db, "DELETE FROM login_failure WHERE key = ?1 OR rowid = ?2;", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, is->user_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, is->address_rowid);
  if (!step_done (stmt, db, error))
    return FALSE;

  /* Tokens that can no longer be used (a small table: users x devices). */
  if (!prepare (db, "DELETE FROM token WHERE revoked_at IS NOT NULL OR last_used <= ?;", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, is->at - SAPA_AUTH_TOKEN_IDLE_SECONDS);
  if (!step_done (stmt, db, error))
    return FALSE;

  if (!prepare (db, "INSERT INTO token (hash, agent_id, device, created_at, last_used) VALUES (?1, ?2, ?3, ?4, ?4);",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, is->hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, is->agent_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, is->device, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, is->at);
  return step_done (stmt, db, error);
}

static void
set_rate_limited (GError **error,
                  guint    retry_after)
{
  g_set_error (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_RATE_LIMITED,
               g_dngettext (GETTEXT_PACKAGE,
                            "Too many failed sign-ins. Wait %u second and try again.",
                            "Too many failed sign-ins. Wait %u seconds and try again.", retry_after),
               retry_after);
}

char *
sapa_auth_sign_in (SapaAuth       *auth,
                   const char     *username,
                   const char     *password,
                   const char     *device,
                   const char     *address,
                   gint64         *expires_at,
                   SapaPrincipal **principal,
                   guint          *retry_after,
                   GError        **error)
{
  g_autofree char *user_key = NULL;
  g_autofree char *address_key = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(SapaPrincipal) who = NULL;
  Credential cred = { 0 };
  gint64 address_rowid = 0;
  gboolean ok;
  gboolean good = FALSE;
  sqlite3 *db;
  gint64 t;

  g_return_val_if_fail (auth != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (retry_after != NULL)
    *retry_after = 0;
  if (username == NULL || *username == '\0' || strlen (username) > MAX_USERNAME_LENGTH ||
      !g_utf8_validate (username, -1, NULL) ||
      password == NULL || strlen (password) > SAPA_AUTH_MAX_PASSWORD_LENGTH)
    {
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS,
                           _("Wrong username or password. Check both and try again."));
      return NULL;
    }

  t = now (auth);
  {
    g_autofree char *lower = g_ascii_strdown (username, -1);
    user_key = g_strconcat ("user:", lower, NULL);
  }
  if (address != NULL && *address != '\0')
    address_key = g_strconcat ("addr:", address, NULL);

  {
    Attempt at = { user_key, address_key, t, 0, { 0, 0 } };

    if (!sapa_server_db_write (auth->store, begin_attempt_cb, &at, error))
      return NULL;
    if (at.retry_after > 0)
      {
        if (retry_after != NULL)
          *retry_after = at.retry_after;
        set_rate_limited (error, at.retry_after);
        return NULL;
      }
    address_rowid = at.rowids[1];
  }

  db = sapa_store_acquire_reader (auth->store);
  ok = find_credential (db, username, &cred, error);
  sapa_store_release_reader (auth->store, db);
  if (!ok)
    {
      credential_clear (&cred);
      return NULL;
    }

  /* An unknown user costs as much time as a wrong password. */
  if (cred.agent_id != NULL)
    good = verify_password (cred.password_hash, password);
  else
    verify_password (dummy_hash (), password);

  if (!good)
    {
      credential_clear (&cred);
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_CREDENTIALS,
                           _("Wrong username or password. Check both and try again."));
      return NULL;
    }
  if (cred.disabled)
    {
      credential_clear (&cred);
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_DISABLED,
                           _("This account is disabled. Ask an administrator to enable it."));
      return NULL;
    }

  who = sapa_auth_lookup_principal (auth, cred.agent_id, error);
  if (who == NULL)
    {
      credential_clear (&cred);
      return NULL;
    }

  token = new_token (&hash);
  {
    Issue is = { cred.agent_id, user_key, address_rowid, hash, device, t };

    ok = sapa_server_db_write (auth->store, issue_token_cb, &is, error);
  }
  credential_clear (&cred);
  if (!ok)
    return NULL;

  who->token_hash = g_steal_pointer (&hash);
  if (expires_at != NULL)
    *expires_at = t + SAPA_AUTH_TOKEN_IDLE_SECONDS;
  if (principal != NULL)
    *principal = g_steal_pointer (&who);
  return g_steal_pointer (&token);
}

/* -- token checks --------------------------------------------------------- */

typedef struct {
  const char *hash;
  gint64      at;
} Touch;

static gboolean
touch_cb (sqlite3   *db,
          gpointer   user_data,
          GError   **error)
{
  Touch *touch = user_data;
  sqlite3_stmt *stmt = NULL;

  if (!prepare (db, "UPDATE token SET last_used = max(last_used, ?2) WHERE hash = ?1 AND revoked_at IS NULL;",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, touch->hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, touch->at);
  return step_done (stmt, db, error);
}

static void
set_invalid_token (GError **error)
{
  g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN,
                       _("Your session has ended. Sign in again."));
}

SapaPrincipal *
sapa_auth_check_token (SapaAuth    *auth,
                       const char  *token,
                       GError     **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *agent_id = NULL;
  g_autoptr(SapaPrincipal) principal = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 last_used = 0;
  gboolean revoked = FALSE, disabled = FALSE, found = FALSE;
  gint64 t;
  int rc;

  g_return_val_if_fail (auth != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  hash = sapa_auth_hash_token (token);
  if (hash == NULL)
    {
      set_invalid_token (error);
      return NULL;
    }

  db = sapa_store_acquire_reader (auth->store);
  if (!prepare (db, "SELECT t.agent_id, t.last_used, t.revoked_at IS NOT NULL, coalesce(c.disabled, 1) "
                    "FROM token t LEFT JOIN credential c ON c.agent_id = t.agent_id WHERE t.hash = ?;",
                &stmt, error))
    {
      sapa_store_release_reader (auth->store, db);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      agent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      last_used = sqlite3_column_int64 (stmt, 1);
      revoked = sqlite3_column_int (stmt, 2) != 0;
      disabled = sqlite3_column_int (stmt, 3) != 0;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_db_error (error, db, rc);
  sapa_store_release_reader (auth->store, db);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return NULL;

  t = now (auth);
  if (!found || revoked || t - last_used >= SAPA_AUTH_TOKEN_IDLE_SECONDS)
    {
      set_invalid_token (error);
      return NULL;
    }
  if (disabled)
    {
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_DISABLED,
                           _("This account is disabled. Ask an administrator to enable it."));
      return NULL;
    }

  principal = sapa_auth_lookup_principal (auth, agent_id, error);
  if (principal == NULL)
    return NULL;

  /* Sliding expiry, written at most once a minute per token. */
  if (t - last_used >= SAPA_AUTH_TOUCH_SECONDS)
    {
      Touch touch = { hash, t };
      g_autoptr(GError) touch_error = NULL;

      /* The request itself is fine: a missed touch is retried by the next one. */
      if (!sapa_server_db_write (auth->store, touch_cb, &touch, &touch_error))
        g_warning ("Could not note that a token was used: %s", touch_error->message);
    }
  principal->token_hash = g_steal_pointer (&hash);
  return g_steal_pointer (&principal);
}

typedef struct {
  const char *hash;       /* one token, or */
  const char *agent_id;   /* every token of an agent */
  gint64      at;
  guint       n_revoked;
} Revoke;

static gboolean
revoke_cb (sqlite3   *db,
           gpointer   user_data,
           GError   **error)
{
  Revoke *r = user_data;
  sqlite3_stmt *stmt = NULL;

  if (!prepare (db, r->hash != NULL
                    ? "UPDATE token SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL;"
                    : "UPDATE token SET revoked_at = ?2 WHERE agent_id = ?1 AND revoked_at IS NULL;",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->hash != NULL ? r->hash : r->agent_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, r->at);
  if (!step_done (stmt, db, error))
    return FALSE;
  r->n_revoked = (guint) sqlite3_changes (db);
  return TRUE;
}

gboolean
sapa_auth_revoke (SapaAuth    *auth,
                  const char  *token,
                  GError     **error)
{
  g_autofree char *hash = NULL;
  Revoke r = { 0 };

  g_return_val_if_fail (auth != NULL, FALSE);

  hash = sapa_auth_hash_token (token);
  if (hash == NULL)
    {
      set_invalid_token (error);
      return FALSE;
    }
  r.hash = hash;
  r.at = now (auth);
  if (!sapa_server_db_write (auth->store, revoke_cb, &r, error))
    return FALSE;
  if (r.n_revoked == 0)
    {
      set_invalid_token (error);
      return FALSE;
    }
  return TRUE;
}

gboolean
sapa_auth_revoke_agent (SapaAuth    *auth,
                        const char  *agent_id,
                        guint       *n_revoked,
                        GError     **error)
{
  Revoke r = { 0 };

  g_return_val_if_fail (auth != NULL, FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);

  r.agent_id = agent_id;
  r.at = now (auth);
  if (!sapa_server_db_write (auth->store, revoke_cb, &r, error))
    return FALSE;
  if (n_revoked != NULL)
    *n_revoked = r.n_revoked;
  return TRUE;
}

/* -- managing credentials ------------------------------------------------- */

typedef struct {
  const char *agent_id;
  const char *password_hash;
  gint64      at;
  gint        disabled;  /* -1: leave as is */
} SetCredential;

static gboolean
set_credential_cb (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  SetCredential *s = user_data;
  sqlite3_stmt *stmt = NULL;
  Revoke r = { NULL, s->agent_id, s->at, 0 };

  if (s->password_hash != NULL)
    {
      if (!prepare (db, "INSERT INTO credential (agent_id, password_hash, disabled, changed_at) VALUES (?1, ?2, 0, ?3) "
                        "ON CONFLICT (agent_id) DO UPDATE SET password_hash = excluded.password_hash, "
                        "changed_at = excluded.changed_at;", &stmt, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, s->agent_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, s->password_hash, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, s->at);
      if (!step_done (stmt, db, error))
        return FALSE;
    }
  if (s->disabled >= 0)
    {
      if (!prepare (db, "UPDATE credential SET disabled = ?2, changed_at = ?3 WHERE agent_id = ?1;", &stmt, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, s->agent_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, s->disabled);
      sqlite3_bind_int64 (stmt, 3, s->at);
      if (!step_done (stmt, db, error))
        return FALSE;
      if (sqlite3_changes (db) == 0)
        {
          g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED,
                               _("This user has no password yet. Set one with “sapa-server user passwd”."));
          return FALSE;
        }
    }
  /* A new password or a disabled account: every device signs in again. */
  if (s->password_hash != NULL || s->disabled == 1)
    return revoke_cb (db, &r, error);
  return TRUE;
}

gboolean
sapa_auth_set_password (SapaAuth    *auth,
                        const char  *agent_id,
                        const char  *password,
                        GError     **error)
{
  g_autofree char *hash = NULL;
  const char *problem;
  SetCredential s = { 0 };

  g_return_val_if_fail (auth != NULL, FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);

  problem = sapa_auth_check_password_rules (password);
  if (problem != NULL)
    {
      g_set_error_literal (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_FAILED, problem);
      return FALSE;
    }
  hash = sapa_auth_hash_password (password, error);
  if (hash == NULL)
    return FALSE;
  s.agent_id = agent_id;
  s.password_hash = hash;
  s.at = now (auth);
  s.disabled = -1;
  return sapa_server_db_write (auth->store, set_credential_cb, &s, error);
}

gboolean
sapa_auth_set_disabled (SapaAuth    *auth,
                        const char  *agent_id,
                        gboolean     disabled,
                        GError     **error)
{
  SetCredential s = { agent_id, NULL, 0, disabled ? 1 : 0 };

  g_return_val_if_fail (auth != NULL, FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);

  s.at = now (auth);
  return sapa_server_db_write (auth->store, set_credential_cb, &s, error);
}

static int
credential_flag (SapaAuth   *auth,
                 const char *agent_id)
{
  sqlite3 *db = sapa_store_acquire_reader (auth->store);
  sqlite3_stmt *stmt = NULL;
  int value = -1;   /* no credential */

  if (sqlite3_prepare_v2 (db, "SELECT disabled FROM credential WHERE agent_id = ?;", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, agent_id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = sqlite3_column_int (stmt, 0) != 0;
    }
  sqlite3_finalize (stmt);
  sapa_store_release_reader (auth->store, db);
  return value;
}

gboolean
sapa_auth_is_disabled (SapaAuth   *auth,
                       const char *agent_id)
{
  g_return_val_if_fail (auth != NULL, FALSE);
  return credential_flag (auth, agent_id) == 1;
}

gboolean
sapa_auth_has_credential (SapaAuth   *auth,
                          const char *agent_id)
{
  g_return_val_if_fail (auth != NULL, FALSE);
  return credential_flag (auth, agent_id) >= 0;
}

typedef struct {
  const char         *agent_id;
  const char * const *branch_ids;
} ExtraBranches;

static gboolean
set_extra_branches_cb (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  ExtraBranches *x = user_data;
  sqlite3_stmt *stmt = NULL;

  if (!prepare (db, "DELETE FROM agent_branch WHERE agent_id = ?;", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, x->agent_id, -1, SQLITE_STATIC);
  if (!step_done (stmt, db, error))
    return FALSE;
  for (guint i = 0; x->branch_ids != NULL && x->branch_ids[i] != NULL; i++)
    {
      if (!prepare (db, "INSERT OR IGNORE INTO agent_branch (agent_id, branch_id) VALUES (?, ?);", &stmt, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, x->agent_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, x->branch_ids[i], -1, SQLITE_STATIC);
      if (!step_done (stmt, db, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
sapa_auth_set_extra_branches (SapaAuth           *auth,
                              const char         *agent_id,
                              const char * const *branch_ids,
                              GError            **error)
{
  ExtraBranches x = { agent_id, branch_ids };

  g_return_val_if_fail (auth != NULL, FALSE);
  g_return_val_if_fail (agent_id != NULL, FALSE);
  return sapa_server_db_write (auth->store, set_extra_branches_cb, &x, error);
}

char **
sapa_auth_dup_extra_branches (SapaAuth   *auth,
                              const char *agent_id)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db;

  g_return_val_if_fail (auth != NULL, NULL);

  db = sapa_store_acquire_reader (auth->store);
  collect_ids (db, "SELECT branch_id FROM agent_branch WHERE agent_id = ? ORDER BY branch_id;",
               agent_id, ids, NULL);
  sapa_store_release_reader (auth->store, db);
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_steal (ids, NULL);
}

/* -- answers -------------------------------------------------------------- */

JsonNode *
sapa_auth_session_to_json (const char          *token,
                           gint64               expires_at,
                           const SapaPrincipal *principal)
{
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (expires_at);
  g_autofree char *expires_text = g_date_time_format (expires, "%Y-%m-%dT%H:%M:%SZ");
  JsonObject *root = json_object_new ();
  JsonObject *agent;
  JsonArray *branches = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (principal != NULL && principal->agent != NULL, NULL);

  agent = sapa_record_to_json (principal->agent);
  json_object_set_string_member (agent, "id", sapa_record_get_id (principal->agent));
  json_object_set_string_member (root, "token", token);
  json_object_set_string_member (root, "expires_at", expires_text);
  json_object_set_object_member (root, "agent", agent);
  for (guint i = 0; principal->branches != NULL && i < principal->branches->len; i++)
    json_array_add_string_element (branches, g_ptr_array_index (principal->branches, i));
  json_object_set_array_member (root, "branches", branches);
  json_node_take_object (node, root);
  return node;
}
