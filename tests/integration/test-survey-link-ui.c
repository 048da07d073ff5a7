/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "Send Survey Link" in the conversation panel against a real sapa-server:
 * the link is asked for, sent to the customer as a reply in their own
 * language (the desk runs in Indonesian, the customer prefers English), and
 * reaches the server at the next sync. With the server gone the desk says so
 * and sends nothing.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <string.h>

#include "sapa-conversation-panel.h"
#include "sapa-i18n.h"
#include "sapa-sync-test.h"

#define PASSWORD "tautan-survei-77"

typedef struct {
  SapaTestServer *server;
  SapaStore      *store;
  SapaSync       *sync;
  char           *branch_id;
  char           *conversation_id;
  char           *customer_id;
  GtkWidget      *window;
  SapaConversationPanel *panel;
  guint           done;
  gboolean        last_ok;
} Fixture;

#define WAIT_UNTIL(cond)                                                        \
  G_STMT_START {                                                                \
    gint64 wait_end_ = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;           \
    while (!(cond) && g_get_monotonic_time () < wait_end_)                      \
      {                                                                         \
        if (!g_main_context_iteration (NULL, FALSE))                            \
          g_usleep (2000);                                                      \
      }                                                                         \
    if (!(cond))                                                                \
      g_error ("Timed out waiting for: %s", #cond);                             \
  } G_STMT_END

static gboolean
is_synced (SapaSync *sync)
{
  return sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED && sapa_sync_get_pending (sync) == 0;
}

static void
done_cb (SapaConversationPanel *panel,
         gboolean               ok,
         Fixture               *f)
{
  f->done++;
  f->last_ok = ok;
}

static gint64
desk_outbound (Fixture *f)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM interaction WHERE direction = 'outbound' "
                                          "AND conversation_id = '%s'", f->conversation_id);

  return sapa_test_query_int (sapa_store_get_path (f->store), sql);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *agent_id = NULL;
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autoptr(SapaRecord) conversation = sapa_record_new ("conversation");
  GtkWidget *overlay;

  f->server = sapa_test_server_new (NULL, &error);
  g_assert_no_error (error);
  f->branch_id = sapa_test_server_add_branch (f->server, "Cabang Tautan");
  sapa_test_server_add_user (f->server, "sekar", PASSWORD, "agent", f->branch_id, &error);
  g_assert_no_error (error);
  g_assert_true (sapa_test_server_start (f->server, &error));

  path = g_build_filename (f->server->root, "desk.sqlite", NULL);
  f->store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  f->sync = sapa_sync_new (f->store);
  g_assert_true (sapa_test_sign_in (f->sync, f->server->url, "sekar", PASSWORD, &error));
  g_assert_no_error (error);
  agent_id = sapa_store_dup_meta (f->store, "agent_id");

  sapa_record_set_string (customer, "full_name", "Sekar Ayu Lestari");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "preferred_language", "en");
  sapa_record_set_string (customer, "branch_id", f->branch_id);
  sapa_store_save (f->store, customer, &error);
  g_assert_no_error (error);
  sapa_record_set_string (conversation, "customer_id", sapa_record_get_id (customer));
  sapa_record_set_string (conversation, "branch_id", f->branch_id);
  sapa_record_set_string (conversation, "channel", "whatsapp");
  sapa_record_set_string (conversation, "status", "open");
  sapa_record_set_int (conversation, "opened_at", g_get_real_time () / G_USEC_PER_SEC - 300);
  sapa_store_save (f->store, conversation, &error);
  g_assert_no_error (error);
  f->conversation_id = g_strdup (sapa_record_get_id (conversation));
  f->customer_id = g_strdup (sapa_record_get_id (customer));
  sapa_sync_start (f->sync);
  WAIT_UNTIL (is_synced (f->sync));

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 700);
  overlay = adw_toast_overlay_new ();
  f->panel = SAPA_CONVERSATION_PANEL (sapa_conversation_panel_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->panel));
  gtk_window_set_child (GTK_WINDOW (f->window), overlay);
  sapa_conversation_panel_set_store (f->panel, f->store, agent_id);
  sapa_conversation_panel_set_sync (f->panel, f->sync);
  sapa_conversation_panel_set_customer_id (f->panel, sapa_record_get_id (customer));
  g_signal_connect (f->panel, "survey-link-done", G_CALLBACK (done_cb), f);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (f->panel) == 1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  sapa_sync_stop (f->sync);
  g_clear_object (&f->sync);
  g_clear_object (&f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f->branch_id);
  g_free (f->conversation_id);
  g_free (f->customer_id);
  sapa_test_server_free (f->server);
}

/* The newest outbound interaction's body at the desk, or NULL. */
static char *
dup_reply_body (Fixture *f)
{
  g_autoptr(GPtrArray) timeline = NULL;
  g_autoptr(GError) error = NULL;

  timeline = sapa_store_list_timeline (f->store, f->customer_id, NULL, NULL, 20, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < timeline->len; i++)
    {
      SapaRecord *entry = g_ptr_array_index (timeline, i);

      if (g_strcmp0 (sapa_record_get_string (entry, "direction"), "outbound") == 0)
        return g_strdup (sapa_record_get_string (entry, "body"));
    }
  return NULL;
}

static void
test_send_link (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *button = sapa_conversation_panel_get_rating_button (f->panel, f->conversation_id, "link");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s/s/", f->server->url);
  g_autofree char *server_db = sapa_test_server_db_path (f->server);
  g_autofree char *body = NULL;
  g_autofree char *sql = NULL;
  const char *url;

  /* The desk speaks Indonesian in this test. */
  g_assert_true (g_str_has_prefix (sapa_i18n_get_language (), "id"));

  g_assert_nonnull (button);
  g_assert_cmpint (desk_outbound (f), ==, 0);
  g_signal_emit_by_name (button, "clicked");
  g_assert_false (gtk_widget_get_sensitive (sapa_conversation_panel_get_rating_button (f->panel, f->conversation_id, "link")));
  WAIT_UNTIL (f->done == 1);
  g_assert_true (f->last_ok);
  g_assert_cmpint (desk_outbound (f), ==, 1);

  /* The reply holds the link, worded in the customer's English. */
  body = dup_reply_body (f);
  g_assert_nonnull (body);
  g_assert_true (g_str_has_prefix (body, "Thank you for contacting us. Please tell us how we did"));
  url = strstr (body, prefix);
  g_assert_nonnull (url);
  g_assert_cmpuint (strlen (url), ==, strlen (prefix) + 43);

  /* The link works: the survey page opens in English. */
  msg = soup_message_new ("GET", url);
  page = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page), "<html lang=\"en\">"));

  /* The reply reaches the server, for the WhatsApp gateway. */
  WAIT_UNTIL (is_synced (f->sync));
  sql = g_strdup_printf ("SELECT count(*) FROM interaction WHERE direction = 'outbound' AND conversation_id = '%s' "
                         "AND body LIKE '%%%s%%'", f->conversation_id, prefix);
  WAIT_UNTIL (sapa_test_query_int (server_db, sql) == 1);

  /* The server gone: the desk says so and sends nothing. */
  sapa_test_server_kill (f->server);
  g_signal_emit_by_name (sapa_conversation_panel_get_rating_button (f->panel, f->conversation_id, "link"), "clicked");
  WAIT_UNTIL (f->done == 2);
  g_assert_false (f->last_ok);
  g_assert_cmpint (desk_outbound (f), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (sapa_conversation_panel_get_rating_button (f->panel, f->conversation_id, "link")));
}

int
main (int   argc,
      char *argv[])
{
  sapa_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add ("/survey-link-ui/send", Fixture, NULL, fixture_set_up, test_send_link, fixture_tear_down);
  return g_test_run ();
}
