/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "sapa-token-store.h"
#include "ui-test-util.h"

/*
 * The sign-in token kept between starts: in the file fallback (0600, only
 * the user can read it), also when there is no keyring to keep it in.
 */

static char *config_dir;

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  WAIT_UNTIL (*slot != NULL);
  return *slot;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
save (SapaTokenStore *tokens,
      const char     *server,
      const char     *database,
      const char     *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sapa_token_store_save_async (tokens, server, database, token, NULL, store_result_cb, &result);
  g_assert_true (sapa_token_store_save_finish (tokens, wait_result (&result), &error));
  g_assert_no_error (error);
}

static char *
lookup (SapaTokenStore *tokens,
        const char     *server,
        const char     *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  sapa_token_store_lookup_async (tokens, server, database, NULL, store_result_cb, &result);
  token = sapa_token_store_lookup_finish (tokens, wait_result (&result), &error);
  g_assert_no_error (error);
  return token;
}

static void
clear (SapaTokenStore *tokens,
       const char     *server,
       const char     *database)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sapa_token_store_clear_async (tokens, server, database, NULL, store_result_cb, &result);
  g_assert_true (sapa_token_store_clear_finish (tokens, wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
round_trip (SapaTokenStore *tokens)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *none = NULL;
  g_autofree char *after = NULL;
  g_autofree char *other = NULL;

  save (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite", "token-a");
  save (tokens, "http://127.0.0.1:8480", "/tmp/desk-b.sqlite", "token-b");
  a = lookup (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  b = lookup (tokens, "http://127.0.0.1:8480", "/tmp/desk-b.sqlite");
  none = lookup (tokens, "https://elsewhere.example", "/tmp/desk-a.sqlite");
  g_assert_cmpstr (a, ==, "token-a");
  g_assert_cmpstr (b, ==, "token-b");
  g_assert_null (none);

  /* a new sign-in replaces the old token */
  save (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite", "token-a2");
  g_free (a);
  a = lookup (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  g_assert_cmpstr (a, ==, "token-a2");

  /* sign-out forgets one desk's token only */
  clear (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  after = lookup (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  other = lookup (tokens, "http://127.0.0.1:8480", "/tmp/desk-b.sqlite");
  g_assert_null (after);
  g_assert_cmpstr (other, ==, "token-b");
  clear (tokens, "http://127.0.0.1:8480", "/tmp/desk-b.sqlite");
}

static void
test_file (void)
{
  g_autoptr(SapaTokenStore) tokens = NULL;
  g_autofree char *path = sapa_token_store_dup_file_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_setenv ("SAPA_TOKEN_STORE", "file", TRUE);
  tokens = sapa_token_store_new ();
  g_assert_true (sapa_token_store_get_uses_file (tokens));
  g_assert_true (g_str_has_prefix (path, config_dir));

  save (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite", "secret-token");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "secret-token"));
  clear (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  g_free (contents);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "secret-token"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  round_trip (tokens);
  g_unsetenv ("SAPA_TOKEN_STORE");
}

/* On a session bus with no Secret Service (a private bus with no services)
 * the keyring is found not to work and the file is used instead. */
static void
test_no_keyring (void)
{
  g_autoptr(SapaTokenStore) tokens = sapa_token_store_new ();
  g_autofree char *path = sapa_token_store_dup_file_path ();
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_assert_false (sapa_token_store_get_uses_file (tokens));
  save (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite", "kept-in-the-file");
  g_assert_true (sapa_token_store_get_uses_file (tokens));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "kept-in-the-file"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  clear (tokens, "http://127.0.0.1:8480", "/tmp/desk-a.sqlite");
  round_trip (tokens);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  int status;

  config_dir = sapa_test_dir_new ("sapa-tokens-XXXXXX");
  /* before GLib reads it */
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token-store/file", test_file);
  g_test_add_func ("/token-store/no-keyring", test_no_keyring);

  /* A private session bus without services: the session's own keyring (if
   * any) is neither used nor started by the test. */
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  status = g_test_run ();
  g_test_dbus_down (bus);
  {
    g_autofree char *path = sapa_token_store_dup_file_path ();
    g_autofree char *dir = g_path_get_dirname (path);

    g_unlink (path);
    g_rmdir (dir);
    sapa_test_dir_remove (config_dir);
  }
  return status;
}
