/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "customer-test-util.h"
#include "sapa-conversation-panel.h"
#include "sapa-customer-page.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-row.h"
#include "sapa-timeline-view.h"

typedef struct {
  TestDesk   desk;
  char      *customer_id;
  char      *whatsapp_id;   /* conversation started by a WhatsApp message */
  char      *walk_in_id;    /* conversation from a visit at the counter */
  GtkWidget *window;
  GtkWidget *page;
  guint      replies_done;
  gboolean   last_reply_ok;
} Fixture;

static char *
log_contact (Fixture    *f,
             const char *channel,
             const char *body,
             gint64      started_at)
{
  SapaContact contact = {
    .customer_id = f->customer_id,
    .reason = "card",
    .channel = channel,
    .direction = "inbound",
    .body = body,
    .started_at = started_at,
    .wait_seconds = -1,
    .agent_id = f->desk.agent_id,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) interaction = sapa_desk_log_contact (f->desk.store, &contact, &error);

  g_assert_no_error (error);
  return g_strdup (sapa_record_get_string (interaction, "conversation_id"));
}

static void
reply_done_cb (SapaConversationPanel *panel,
               gboolean               ok,
               Fixture               *f)
{
  f->replies_done++;
  f->last_reply_ok = ok;
}

static SapaConversationPanel *
panel_of (Fixture *f)
{
  return page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "conversation_panel");
}

static SapaTimelineModel *
timeline_of (Fixture *f)
{
  SapaTimelineView *view = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "timeline_view");

  return sapa_timeline_view_get_model (view);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  test_desk_open (&f->desk, "Dewi Lestari");
  f->customer_id = test_desk_add_customer (&f->desk, "Rina Wijaya", "+6281234567890",
                                           "rina@example.com", NULL, "regular");
  f->walk_in_id = log_contact (f, "walk_in", "Asked about the new debit card", now - 7200);
  f->whatsapp_id = log_contact (f, "whatsapp", "Is my new card ready to collect?", now - 600);
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 760);
  f->page = sapa_customer_page_new (f->desk.store, f->desk.agent_id);
  gtk_window_set_child (GTK_WINDOW (f->window), f->page);
  gtk_window_present (GTK_WINDOW (f->window));
  sapa_customer_page_set_customer_id (SAPA_CUSTOMER_PAGE (f->page), f->customer_id);
  g_signal_connect (panel_of (f), "reply-done", G_CALLBACK (reply_done_cb), f);
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel_of (f)) == 2);
  WAIT_UNTIL (!sapa_timeline_model_get_loading (timeline_of (f)));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_for (50);
  g_free (f->customer_id);
  g_free (f->whatsapp_id);
  g_free (f->walk_in_id);
  test_desk_close (&f->desk);
}

static void
set_text (GtkWidget  *view,
          const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static char *
get_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
view_is_empty (Fixture *f)
{
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel_of (f), f->whatsapp_id);
  g_autofree char *text = view ? get_text (view) : NULL;

  return g_strcmp0 (text, "") == 0;
}

/* Outbound interactions of the WhatsApp conversation with @body. */
static guint
count_outbound (Fixture    *f,
                const char *body)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  all = sapa_store_list (f->desk.store, "interaction", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      SapaRecord *r = g_ptr_array_index (all, i);

      if (g_strcmp0 (sapa_record_get_string (r, "conversation_id"), f->whatsapp_id) == 0 &&
          g_strcmp0 (sapa_record_get_string (r, "direction"), "outbound") == 0 &&
          g_strcmp0 (sapa_record_get_string (r, "body"), body) == 0)
        {
          g_assert_cmpstr (sapa_record_get_string (r, "channel"), ==, "whatsapp");
          g_assert_cmpstr (sapa_record_get_string (r, "customer_id"), ==, f->customer_id);
          g_assert_cmpstr (sapa_record_get_string (r, "author_id"), ==, f->desk.agent_id);
          n++;
        }
    }
  return n;
}

static gboolean
timeline_has (Fixture    *f,
              const char *body)
{
  GListModel *model = G_LIST_MODEL (timeline_of (f));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SapaTimelineEntry) entry = g_list_model_get_item (model, i);
      SapaRecord *r = sapa_timeline_entry_get_record (entry);

      if (r != NULL && g_strcmp0 (sapa_record_get_string (r, "body"), body) == 0 &&
          g_strcmp0 (sapa_record_get_string (r, "direction"), "outbound") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_reply_areas (Fixture       *f,
                  gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkWidget *button = sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id);

  /* WhatsApp: a named reply area; a visit at the counter: none */
  g_assert_nonnull (view);
  g_assert_nonnull (button);
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  /* the open WhatsApp conversation is shown expanded, ready to answer */
  WAIT_UNTIL (gtk_widget_get_mapped (view));
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_null (sapa_conversation_panel_get_reply_view (panel, f->walk_in_id));
  g_assert_null (sapa_conversation_panel_get_reply_button (panel, f->walk_in_id));

  g_assert_true (sapa_conversation_panel_channel_takes_replies ("email"));
  g_assert_true (sapa_conversation_panel_channel_takes_replies ("chat"));
  g_assert_true (sapa_conversation_panel_channel_takes_replies ("whatsapp"));
  g_assert_false (sapa_conversation_panel_channel_takes_replies ("walk_in"));
  g_assert_false (sapa_conversation_panel_channel_takes_replies ("phone"));
  g_assert_false (sapa_conversation_panel_channel_takes_replies ("note"));
}

static void
test_empty_cannot_be_sent (Fixture       *f,
                           gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkWidget *button = sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id);
  gint64 before = desk_query_int (&f->desk, "SELECT count(*) FROM interaction");

  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (sapa_conversation_panel_send_reply (panel, f->whatsapp_id));

  /* blanks alone are no reply */
  set_text (view, "  \n\t ");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (sapa_conversation_panel_send_reply (panel, f->whatsapp_id));

  set_text (view, "Yes");
  g_assert_true (gtk_widget_get_sensitive (button));
  set_text (view, "");
  g_assert_false (gtk_widget_get_sensitive (button));

  spin_for (200);
  g_assert_cmpuint (f->replies_done, ==, 0);
  g_assert_cmpint (desk_query_int (&f->desk, "SELECT count(*) FROM interaction"), ==, before);
}

static void
test_send_reply (Fixture       *f,
                 gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkWidget *button = sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id);
  const char *body = "Your card is ready; bring your ID card to the counter.";
  g_autoptr(SapaRecord) conversation = NULL;

  set_text (view, body);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (f->replies_done == 1);
  g_assert_true (f->last_reply_ok);

  /* stored as an outbound WhatsApp message in that conversation */
  g_assert_cmpuint (count_outbound (f, body), ==, 1);
  conversation = sapa_store_get (f->desk.store, "conversation", f->whatsapp_id, NULL);
  g_assert_true (sapa_record_has (conversation, "first_response_at"));
  /* and in the change log, for the push to sapa-server */
  g_assert_cmpint (desk_query_int (&f->desk,
                                   "SELECT count(*) FROM change_log WHERE entity = 'interaction' "
                                   "AND fields LIKE '%outbound%'"), ==, 1);

  /* the text view is empty again, also after the rows were rebuilt */
  WAIT_UNTIL (view_is_empty (f));
  spin_for (100);
  g_assert_true (view_is_empty (f));
  button = sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id);
  g_assert_false (gtk_widget_get_sensitive (button));

  /* on the timeline like any entry */
  WAIT_UNTIL (timeline_has (f, body));
}

static void
test_ctrl_enter_sends (Fixture       *f,
                       gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkShortcut *shortcut = NULL;
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  g_autofree char *trigger = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && shortcut == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          g_list_model_get_n_items (G_LIST_MODEL (controller)) == 1)
        shortcut = g_list_model_get_item (G_LIST_MODEL (controller), 0);
    }
  g_assert_nonnull (shortcut);
  trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
  g_assert_nonnull (strstr (trigger, "<Control>Return"));

  /* empty: the shortcut does nothing */
  g_assert_false (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, view, NULL));

  set_text (view, "We open at 8 tomorrow.");
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, view, NULL));
  WAIT_UNTIL (f->replies_done == 1);
  g_assert_true (f->last_reply_ok);
  g_assert_cmpuint (count_outbound (f, "We open at 8 tomorrow."), ==, 1);
  WAIT_UNTIL (view_is_empty (f));
  g_object_unref (shortcut);
}

/* A reply the database refuses: the text stays, the desk says what to do. */
static void
exec_sql (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->desk.path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The text of the visible error label under @widget, or NULL. */
static const char *
find_error_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error") &&
      gtk_widget_get_visible (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found = find_error_text (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A change synced in while the agent types: the rows are rebuilt, the text,
 * the focus and the cursor stay. */
static void
test_typing_survives_changes (Fixture       *f,
                              gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_UNTIL (gtk_widget_get_mapped (view));
  gtk_widget_grab_focus (view);
  set_text (view, "Your card is ready");
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, 4);
  gtk_text_buffer_place_cursor (buffer, &iter);
  g_assert_true (gtk_root_get_focus (gtk_widget_get_root (view)) == view);

  /* a colleague sets the walk-in conversation to pending */
  g_assert_true (sapa_desk_set_status (f->desk.store, f->walk_in_id, "pending", f->desk.agent_id, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id) != view);

  view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  text = get_text (view);
  g_assert_cmpstr (text, ==, "Your card is ready");
  g_assert_true (gtk_root_get_focus (gtk_widget_get_root (view)) == view);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  g_assert_cmpint (gtk_text_iter_get_offset (&iter), ==, 4);
  g_assert_true (gtk_widget_get_sensitive (sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id)));
}

static void
test_failed_reply_keeps_text (Fixture       *f,
                              gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  GtkWidget *view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  GtkWidget *button;
  const char *body = "The branch is closed on Sunday.";
  g_autofree char *kept = NULL;
  const char *error_text;

  exec_sql (f, "CREATE TRIGGER refuse_reply BEFORE INSERT ON interaction "
               "BEGIN SELECT RAISE(ABORT, 'disk is full'); END;");
  set_text (view, body);
  g_assert_true (sapa_conversation_panel_send_reply (panel, f->whatsapp_id));
  /* no second save while one runs */
  g_assert_false (sapa_conversation_panel_send_reply (panel, f->whatsapp_id));
  g_test_expect_message ("sapa-conversation-panel", G_LOG_LEVEL_WARNING, "Could not save the reply*");
  WAIT_UNTIL (f->replies_done == 1);
  g_test_assert_expected_messages ();
  g_assert_false (f->last_reply_ok);
  g_assert_cmpuint (count_outbound (f, body), ==, 0);

  view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  kept = get_text (view);
  g_assert_cmpstr (kept, ==, body);
  g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  button = sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id);
  g_assert_true (gtk_widget_get_sensitive (button));
  error_text = find_error_text (GTK_WIDGET (panel));
  g_assert_nonnull (error_text);
  g_test_message ("shown: %s", error_text);
  g_assert_true (g_str_has_prefix (error_text, "The reply was not saved: "));
  g_assert_nonnull (strstr (error_text, "disk is full"));
  g_assert_true (g_str_has_suffix (error_text, "Your text is kept; try sending it again."));

  /* the draft survives a rebuild of the rows */
  sapa_conversation_panel_reload (panel);
  view = sapa_conversation_panel_get_reply_view (panel, f->whatsapp_id);
  g_clear_pointer (&kept, g_free);
  kept = get_text (view);
  g_assert_cmpstr (kept, ==, body);

  /* once the database takes it again, sending works */
  exec_sql (f, "DROP TRIGGER refuse_reply;");
  g_signal_emit_by_name (sapa_conversation_panel_get_reply_button (panel, f->whatsapp_id), "clicked");
  WAIT_UNTIL (f->replies_done == 2);
  g_assert_true (f->last_reply_ok);
  g_assert_cmpuint (count_outbound (f, body), ==, 1);
  WAIT_UNTIL (view_is_empty (f));
}

int
main (int    argc,
      char **argv)
{
  test_init (&argc, &argv);

  g_test_add ("/reply/areas", Fixture, NULL, fixture_set_up, test_reply_areas, fixture_tear_down);
  g_test_add ("/reply/empty", Fixture, NULL, fixture_set_up, test_empty_cannot_be_sent, fixture_tear_down);
  g_test_add ("/reply/send", Fixture, NULL, fixture_set_up, test_send_reply, fixture_tear_down);
  g_test_add ("/reply/ctrl-enter", Fixture, NULL, fixture_set_up, test_ctrl_enter_sends, fixture_tear_down);
  g_test_add ("/reply/typing", Fixture, NULL, fixture_set_up, test_typing_survives_changes, fixture_tear_down);
  g_test_add ("/reply/failed", Fixture, NULL, fixture_set_up, test_failed_reply_keeps_text, fixture_tear_down);

  return g_test_run ();
}
