/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The sync engine without a server: what a desk that never signed in, or
 * whose server cannot be reached, reports. The engine against a running
 * sapa-server is tested in tests/integration/test-sync-engine.c.
 */
#include "config.h"

#include <gio/gio.h>
#include <sapa/sapa.h>
#include <sapa/sapa-sync.h>

#include "sapa-test-dir.h"

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  SapaSync  *sync;
  char      *dead_url;
} Fixture;

/* An address on loopback where nothing listens: a port we bound and closed. */
static char *
dead_url_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u/", port);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->store = sapa_test_store_new ("sapa-sync-XXXXXX", &f->dir, &f->path);
  f->sync = sapa_sync_new (f->store);
  f->dead_url = dead_url_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->sync);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->dead_url);
}

static gboolean
wait_until (gboolean (*check) (Fixture *),
            Fixture   *f,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (f))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

static void
save_customer (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");

  sapa_record_set_string (customer, "full_name", "Rina Wulandari");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_store_save (f->store, customer, &error);
  g_assert_no_error (error);
}

static gboolean
has_pending (Fixture *f)
{
  return sapa_sync_get_pending (f->sync) > 0;
}

static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(SapaStore) store = NULL;
  SapaSyncState state;

  g_assert_cmpint (sapa_sync_get_state (f->sync), ==, SAPA_SYNC_STATE_SIGNED_OUT);
  g_assert_null (sapa_sync_get_token (f->sync));
  g_assert_null (sapa_sync_get_server_url (f->sync));
  g_assert_cmpint (sapa_sync_get_pending (f->sync), ==, 0);
  g_assert_cmpint (sapa_sync_get_last_synced (f->sync), ==, 0);
  g_assert_cmpint (sapa_sync_get_rejected (f->sync), ==, 0);
  g_assert_null (sapa_sync_get_error_message (f->sync));
  g_object_get (f->sync, "store", &store, "state", &state, NULL);
  g_assert_true (store == f->store);
  g_assert_cmpint (state, ==, SAPA_SYNC_STATE_SIGNED_OUT);

  /* A stopped engine follows the outbox too... */
  save_customer (f);
  g_assert_true (wait_until (has_pending, f, 2000));
  g_assert_cmpint (sapa_sync_get_pending (f->sync), ==, sapa_store_count_unpushed (f->store));

  /* ...and a new one counts what already waits. */
  g_clear_object (&f->sync);
  f->sync = sapa_sync_new (f->store);
  g_assert_cmpint (sapa_sync_get_pending (f->sync), >, 0);
  g_assert_cmpint (sapa_sync_get_pending (f->sync), ==, sapa_store_count_unpushed (f->store));
}

static guint notified;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  notified++;
}

static void
test_notify_on_change (Fixture       *f,
                       gconstpointer  data)
{
  notified = 0;
  g_signal_connect (f->sync, "notify::server-url", G_CALLBACK (count_notify_cb), NULL);
  sapa_sync_set_server_url (f->sync, "https://sapa.example.com/");
  sapa_sync_set_server_url (f->sync, "https://sapa.example.com/");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (sapa_sync_get_server_url (f->sync), ==, "https://sapa.example.com/");
  /* Empty means none. */
  sapa_sync_set_server_url (f->sync, "");
  g_assert_null (sapa_sync_get_server_url (f->sync));
  g_assert_cmpuint (notified, ==, 2);
}

static void
test_run_once_signed_out (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  save_customer (f);
  g_assert_false (sapa_sync_run_once (f->sync, NULL, &error));
  g_assert_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED);
  /* Nothing left the outbox. */
  g_assert_cmpint (sapa_store_count_unpushed (f->store), >, 0);
}

static gboolean
is_offline (Fixture *f)
{
  return sapa_sync_get_state (f->sync) == SAPA_SYNC_STATE_OFFLINE;
}

static gint64 expected_pending;

static gboolean
is_offline_with_expected (Fixture *f)
{
  return is_offline (f) && sapa_sync_get_pending (f->sync) == expected_pending;
}

static void
test_run_once_unreachable (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  save_customer (f);
  sapa_sync_set_server_url (f->sync, f->dead_url);
  sapa_sync_set_token (f->sync, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_assert_false (sapa_sync_run_once (f->sync, NULL, &error));
  g_assert_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK);
  /* The message names the server and says the changes are safe. */
  g_assert_nonnull (strstr (error->message, f->dead_url));
  g_assert_cmpint (sapa_store_count_unpushed (f->store), >, 0);

  g_assert_true (wait_until (is_offline, f, 2000));
  g_assert_cmpint (sapa_sync_get_pending (f->sync), ==, sapa_store_count_unpushed (f->store));
  g_assert_cmpstr (sapa_sync_get_error_message (f->sync), ==, error->message);
  /* Unreachable is not signed out: the token stays. */
  g_assert_nonnull (sapa_sync_get_token (f->sync));
}

static void
test_background_unreachable (Fixture       *f,
                             gconstpointer  data)
{
  gint64 started;

  sapa_sync_set_server_url (f->sync, f->dead_url);
  sapa_sync_set_token (f->sync, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  save_customer (f);
  sapa_sync_start (f->sync);
  sapa_sync_start (f->sync);   /* a second start does nothing */
  g_assert_true (wait_until (is_offline, f, 5000));
  g_assert_nonnull (sapa_sync_get_error_message (f->sync));

  /* An edit while offline is counted on the owner's side. */
  save_customer (f);
  expected_pending = sapa_store_count_unpushed (f->store);
  g_assert_true (wait_until (is_offline_with_expected, f, 5000));

  /* Stopping does not wait for the backoff. */
  started = g_get_monotonic_time ();
  sapa_sync_stop (f->sync);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  sapa_sync_stop (f->sync);
}

static gboolean
is_signed_out (Fixture *f)
{
  return sapa_sync_get_state (f->sync) == SAPA_SYNC_STATE_SIGNED_OUT;
}

static void
test_background_without_token (Fixture       *f,
                               gconstpointer  data)
{
  sapa_sync_set_server_url (f->sync, f->dead_url);
  sapa_sync_start (f->sync);
  /* No token: nothing to try, sign-in needed. */
  g_assert_true (wait_until (is_signed_out, f, 2000));
  sapa_sync_set_token (f->sync, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  g_assert_true (wait_until (is_offline, f, 5000));
  sapa_sync_set_token (f->sync, NULL);
  g_assert_cmpint (sapa_sync_get_state (f->sync), ==, SAPA_SYNC_STATE_SIGNED_OUT);
  sapa_sync_stop (f->sync);
}

static void
test_finalize_running (Fixture       *f,
                       gconstpointer  data)
{
  sapa_sync_set_server_url (f->sync, f->dead_url);
  sapa_sync_set_token (f->sync, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  sapa_sync_start (f->sync);
  g_assert_true (wait_until (is_offline, f, 5000));
  /* The last reference stops the worker; late notifications find nobody. */
  g_clear_object (&f->sync);
  save_customer (f);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sync/defaults", test_defaults);
  ADD ("/sync/notify-on-change", test_notify_on_change);
  ADD ("/sync/run-once-signed-out", test_run_once_signed_out);
  ADD ("/sync/run-once-unreachable", test_run_once_unreachable);
  ADD ("/sync/background-unreachable", test_background_unreachable);
  ADD ("/sync/background-without-token", test_background_without_token);
  ADD ("/sync/finalize-running", test_finalize_running);
#undef ADD

  return g_test_run ();
}
