/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libsapa's survey link client (sapa_survey_link_request_async) against the
 * real sapa-server: a link for a synced email conversation, and each refusal
 * the desk must explain (signed out, refused channel, unknown conversation,
 * another branch, revoked sign-in, server unreachable).
 */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include <sapa/sapa.h>

#include "sapa-sync-test.h"

#define PASSWORD "survei-rahasia-42"

typedef struct {
  SapaTestServer *server;
  SapaStore      *store;
  SapaSync       *sync;
  char           *branch_id;
  char           *other_branch_id;
} Fixture;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Requests a link and waits on the main context; returns the URL or NULL. */
static char *
request_link (SapaSync    *sync,
              const char  *conversation_id,
              const char  *language,
              gint64      *expires_at,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sapa_survey_link_request_async (sync, conversation_id, language, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return sapa_survey_link_request_finish (result, expires_at, error);
}

static gboolean
is_synced (SapaSync *sync)
{
  return sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED && sapa_sync_get_pending (sync) == 0;
}

static void
wait_synced (SapaSync *sync)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!is_synced (sync))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

/* A customer and a conversation on @channel saved at the desk; returns the conversation's id. */
static char *
save_conversation (Fixture    *f,
                   const char *channel,
                   const char *branch_id)
{
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autoptr(SapaRecord) conversation = sapa_record_new ("conversation");
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  sapa_record_set_string (customer, "full_name", "Sri Wahyuni");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "branch_id", branch_id);
  sapa_store_save (f->store, customer, &error);
  g_assert_no_error (error);
  sapa_record_set_string (conversation, "customer_id", sapa_record_get_id (customer));
  sapa_record_set_string (conversation, "branch_id", branch_id);
  sapa_record_set_string (conversation, "channel", channel);
  sapa_record_set_string (conversation, "status", "open");
  sapa_record_set_int (conversation, "opened_at", now);
  sapa_store_save (f->store, conversation, &error);
  g_assert_no_error (error);
  return g_strdup (sapa_record_get_id (conversation));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->server = sapa_test_server_new (NULL, &error);
  g_assert_no_error (error);
  f->branch_id = sapa_test_server_add_branch (f->server, "Cabang Survei");
  f->other_branch_id = sapa_test_server_add_branch (f->server, "Cabang Lain");
  sapa_test_server_add_user (f->server, "wulan", PASSWORD, "agent", f->branch_id, &error);
  g_assert_no_error (error);
  g_assert_true (sapa_test_server_start (f->server, &error));
  g_assert_no_error (error);

  path = g_build_filename (f->server->root, "desk.sqlite", NULL);
  f->store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  f->sync = sapa_sync_new (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  sapa_sync_stop (f->sync);
  g_clear_object (&f->sync);
  g_clear_object (&f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f->branch_id);
  g_free (f->other_branch_id);
  sapa_test_server_free (f->server);
}

static void
test_link (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autofree char *url = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *email = NULL;
  g_autofree char *walk_in = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *unknown = NULL;
  gint64 expires_at = 0, now;

  /* Before signing in: nothing is sent, and the message says what to do. */
  url = request_link (f->sync, "00000000-0000-4000-8000-000000000000", "id", NULL, &error);
  g_assert_null (url);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_SIGNED_OUT);
  g_assert_nonnull (strstr (error->message, "Sign in"));
  g_clear_error (&error);

  g_assert_true (sapa_test_sign_in (f->sync, f->server->url, "wulan", PASSWORD, &error));
  g_assert_no_error (error);
  email = save_conversation (f, "email", f->branch_id);
  walk_in = save_conversation (f, "walk_in", f->branch_id);
  sapa_sync_start (f->sync);
  wait_synced (f->sync);

  now = g_get_real_time () / G_USEC_PER_SEC;
  url = request_link (f->sync, email, "en", &expires_at, &error);
  g_assert_no_error (error);
  prefix = g_strdup_printf ("%s/s/", f->server->url);
  g_assert_true (g_str_has_prefix (url, prefix));
  g_assert_cmpuint (strlen (url), ==, strlen (prefix) + 43);
  g_assert_cmpint (expires_at, >=, now + 7 * 86400 - 5);
  g_assert_cmpint (expires_at, <=, now + 7 * 86400 + 5);

  /* The address works: the survey page in English. */
  msg = soup_message_new ("GET", url);
  page = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page), "<html lang=\"en\">"));

  /* A walk-in conversation: refused, with the server's reason. */
  g_clear_pointer (&url, g_free);
  url = request_link (f->sync, walk_in, NULL, NULL, &error);
  g_assert_null (url);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "walk_in"));
  g_clear_error (&error);

  /* Not on the server (never synced). */
  unknown = g_uuid_string_random ();
  url = request_link (f->sync, unknown, NULL, NULL, &error);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Another branch's conversation, saved on the server directly. */
  {
    g_autofree char *db = sapa_test_server_db_path (f->server);
    g_autoptr(SapaStore) server_store = sapa_store_open (db, &error);
    g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
    g_autoptr(SapaRecord) conversation = sapa_record_new ("conversation");

    g_assert_no_error (error);
    sapa_record_set_string (customer, "full_name", "Bambang Lain");
    sapa_record_set_string (customer, "segment", "regular");
    sapa_record_set_string (customer, "branch_id", f->other_branch_id);
    sapa_store_save (server_store, customer, &error);
    g_assert_no_error (error);
    sapa_record_set_string (conversation, "customer_id", sapa_record_get_id (customer));
    sapa_record_set_string (conversation, "branch_id", f->other_branch_id);
    sapa_record_set_string (conversation, "channel", "chat");
    sapa_record_set_string (conversation, "status", "open");
    sapa_record_set_int (conversation, "opened_at", now);
    sapa_store_save (server_store, conversation, &error);
    g_assert_no_error (error);
    theirs = g_strdup (sapa_record_get_id (conversation));
  }
  url = request_link (f->sync, theirs, NULL, NULL, &error);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* The server stopped: offline, said plainly. */
  sapa_sync_stop (f->sync);
  sapa_test_server_stop (f->server);
  url = request_link (f->sync, email, NULL, NULL, &error);
  g_assert_null (url);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "offline"));
  g_clear_error (&error);

  /* A sign-in the server no longer knows. */
  g_assert_true (sapa_test_server_start (f->server, &error));
  sapa_sync_set_token (f->sync, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  url = request_link (f->sync, email, NULL, NULL, &error);
  g_assert_error (error, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/survey-link/client", Fixture, NULL, fixture_set_up, test_link, fixture_tear_down);
  return g_test_run ();
}
