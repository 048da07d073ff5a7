/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "customer-test-util.h"
#include "screenshot-test-util.h"
#include "sapa-application.h"
#include <sapa/sapa-catalog.h>
#include "sapa-conversation-panel.h"
#include "sapa-customer-page.h"
#include "sapa-kiosk-window.h"
#include "sapa-preferences-window.h"
#include "sapa-rating-dialog.h"
#include "sapa-window.h"

/*
 * The rating kiosk and the rating dialog, driven as the agent and the
 * customer use them. This test runs with LANGUAGE=en for the desk and
 * SAPA_LOCALEDIR pointing at a catalogue made from kiosk-test-id.po, so the
 * kiosk's Indonesian texts are known here.
 */

typedef struct {
  TestDesk    desk;
  char       *branch_id;
  char       *customer_id;
  char       *conversation_id;   /* walk-in */
  char       *chat_id;           /* a chat conversation */
  SapaWindow *window;
  guint       saved;
  gboolean    last_saved_ok;
} Fixture;

static char *
log_contact (Fixture    *f,
             const char *channel)
{
  SapaContact contact = {
    .customer_id = f->customer_id,
    .reason = "card",
    .channel = channel,
    .direction = "inbound",
    .body = "Asked for a new debit card",
    .started_at = g_get_real_time () / G_USEC_PER_SEC - 600,
    .wait_seconds = -1,
    .agent_id = f->desk.agent_id,
    .branch_id = f->branch_id,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) interaction = sapa_desk_log_contact (f->desk.store, &contact, &error);

  g_assert_no_error (error);
  return g_strdup (sapa_record_get_string (interaction, "conversation_id"));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SapaRecord) branch = sapa_record_new ("branch");
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) error = NULL;

  test_desk_open (&f->desk, "Dewi Lestari");
  sapa_record_set_string (branch, "name", "Cabang Sudirman");
  sapa_record_set_string (branch, "kind", "bank");
  sapa_store_save (f->desk.store, branch, &error);
  g_assert_no_error (error);
  f->branch_id = g_strdup (sapa_record_get_id (branch));

  f->customer_id = test_desk_add_customer (&f->desk, "Rina Wijaya", "+6281234567890",
                                           "rina@example.com", NULL, "regular");
  customer = sapa_store_get (f->desk.store, "customer", f->customer_id, &error);
  g_assert_no_error (error);
  sapa_record_set_string (customer, "preferred_language", "id");
  sapa_store_save (f->desk.store, customer, &error);
  g_assert_no_error (error);

  f->conversation_id = log_contact (f, "walk_in");
  f->chat_id = log_contact (f, "chat");

  f->window = sapa_window_new (NULL);
  sapa_window_set_store (f->window, f->desk.store, f->desk.agent_id, f->branch_id);
  gtk_window_present (GTK_WINDOW (f->window));
  sapa_window_open_customer (f->window, f->customer_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = find_toplevel (SAPA_TYPE_RATING_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_for (50);
  g_assert_null (find_toplevel (SAPA_TYPE_KIOSK_WINDOW));
  g_free (f->branch_id);
  g_free (f->customer_id);
  g_free (f->conversation_id);
  g_free (f->chat_id);
  test_desk_close (&f->desk);
}

static SapaConversationPanel *
panel_of (Fixture *f)
{
  SapaCustomerPage *page = sapa_window_get_customer_page (f->window);
  SapaConversationPanel *panel = page_child (page, SAPA_TYPE_CUSTOMER_PAGE, "conversation_panel");

  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel) == 2);
  return panel;
}

static void
saved_cb (SapaKioskWindow *kiosk,
          gboolean         ok,
          Fixture         *f)
{
  f->saved++;
  f->last_saved_ok = ok;
}

static SapaKioskWindow *
ask (Fixture *f)
{
  SapaKioskWindow *kiosk;
  GtkWidget *button = sapa_conversation_panel_get_rating_button (panel_of (f), f->conversation_id, "kiosk");

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  kiosk = sapa_kiosk_window_get_for_desk (GTK_WINDOW (f->window));
  g_assert_nonnull (kiosk);
  g_signal_connect (kiosk, "saved", G_CALLBACK (saved_cb), f);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CSAT);
  g_assert_cmpstr (sapa_kiosk_window_get_conversation_id (kiosk), ==, f->conversation_id);
  return kiosk;
}

/* The kiosk's button of @kind answering @score, as the customer touches it. */
static GtkWidget *
find_score_button (GtkWidget  *widget,
                   const char *kind,
                   int         score)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (g_object_get_data (G_OBJECT (widget), "kiosk-kind"), kind) == 0 &&
      GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "kiosk-score")) == score)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_score_button (child, kind, score);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
touch_score (SapaKioskWindow *kiosk,
             const char      *kind,
             int              score)
{
  GtkWidget *button = find_score_button (GTK_WIDGET (kiosk), kind, score);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_visible (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkWidget *
kiosk_child (SapaKioskWindow *kiosk,
             const char      *name)
{
  return page_child (kiosk, SAPA_TYPE_KIOSK_WINDOW, name);
}

static gint64
count_responses (Fixture    *f,
                 const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM survey_response WHERE %s", where);

  return desk_query_int (&f->desk, sql);
}

static const char *
button_text (GtkWidget *button)
{
  GtkWidget *child;

  if (button == NULL)
    return NULL;
  child = gtk_button_get_child (GTK_BUTTON (button));
  return GTK_IS_LABEL (child) ? gtk_label_get_text (GTK_LABEL (child)) : NULL;
}

static void
test_full_flow (Fixture       *f,
                gconstpointer  data)
{
  SapaKioskWindow *kiosk = ask (f);
  g_autofree char *where = NULL;
  GtkWidget *view;

  sapa_kiosk_window_set_timeouts (kiosk, 300, 60000);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk)));
  /* Not one of the application's windows, no title bar to close it by. */
  g_assert_null (gtk_window_get_application (GTK_WINDOW (kiosk)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (kiosk)));

  /* The panel offers End Rating while the kiosk is open. */
  WAIT_UNTIL (gtk_widget_get_visible (sapa_conversation_panel_get_end_rating_button (panel_of (f))));
  g_assert_cmpstr (button_text (sapa_conversation_panel_get_end_rating_button (panel_of (f))), ==, "End Rating");
  g_assert_cmpstr (button_text (sapa_conversation_panel_get_rating_button (panel_of (f), f->conversation_id, "kiosk")),
                   ==, "Ask for a Rating");

  touch_score (kiosk, "csat", 4);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_NPS);
  touch_score (kiosk, "nps", 9);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CES);
  touch_score (kiosk, "ces", 6);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_COMMENT);
  g_assert_cmpint (count_responses (f, "1"), ==, 0);

  view = kiosk_child (kiosk, "comment_view");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "  Fast and friendly ", -1);
  g_signal_emit_by_name (kiosk_child (kiosk, "comment_send_button"), "clicked");
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_THANKS);

  WAIT_UNTIL (f->saved == 1);
  g_assert_true (f->last_saved_ok);
  g_assert_cmpint (count_responses (f, "1"), ==, 3);
  where = g_strdup_printf ("collected_via = 'kiosk' AND customer_id = '%s' AND conversation_id = '%s' "
                           "AND agent_id = '%s' AND branch_id = '%s' AND channel = 'walk_in' "
                           "AND collected_at >= strftime('%%s', 'now') - 60",
                           f->customer_id, f->conversation_id, f->desk.agent_id, f->branch_id);
  g_assert_cmpint (count_responses (f, where), ==, 3);
  g_assert_cmpint (count_responses (f, "kind = 'csat' AND score = 4 AND comment = 'Fast and friendly'"), ==, 1);
  g_assert_cmpint (count_responses (f, "kind = 'nps' AND score = 9 AND comment IS NULL"), ==, 1);
  g_assert_cmpint (count_responses (f, "kind = 'ces' AND score = 6 AND comment IS NULL"), ==, 1);
  /* Saved through the store, so they are in the outbox for sync. */
  g_assert_cmpint (desk_query_int (&f->desk, "SELECT count(*) FROM change_log WHERE entity = 'survey_response'"), ==, 3);

  /* The thank-you screen gives way to the idle screen: the branch's name alone. */
  WAIT_UNTIL (g_strcmp0 (sapa_kiosk_window_get_page (kiosk), SAPA_KIOSK_PAGE_IDLE) == 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (kiosk_child (kiosk, "idle_label"))), ==, "Cabang Sudirman");
  /* The next customer starts with an empty comment box. */
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
    g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 0);
  }

  /* The desk ends it. */
  g_signal_emit_by_name (sapa_conversation_panel_get_end_rating_button (panel_of (f)), "clicked");
  g_assert_null (sapa_kiosk_window_get_for_desk (GTK_WINDOW (f->window)));
  g_assert_null (find_toplevel (SAPA_TYPE_KIOSK_WINDOW));
  WAIT_UNTIL (!gtk_widget_get_visible (sapa_conversation_panel_get_end_rating_button (panel_of (f))));
}

static void
test_skip (Fixture       *f,
           gconstpointer  data)
{
  SapaKioskWindow *kiosk = ask (f);

  touch_score (kiosk, "csat", 2);
  g_signal_emit_by_name (kiosk_child (kiosk, "nps_skip_button"), "clicked");
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CES);
  g_signal_emit_by_name (kiosk_child (kiosk, "ces_skip_button"), "clicked");
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_COMMENT);
  g_signal_emit_by_name (kiosk_child (kiosk, "comment_skip_button"), "clicked");
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_THANKS);
  WAIT_UNTIL (f->saved == 1);
  g_assert_cmpint (count_responses (f, "1"), ==, 1);
  g_assert_cmpint (count_responses (f, "kind = 'csat' AND score = 2 AND comment IS NULL AND collected_via = 'kiosk'"), ==, 1);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  SapaKioskWindow *kiosk = ask (f);

  /* Nobody answers: back to idle, nothing saved. */
  sapa_kiosk_window_set_timeouts (kiosk, 300, 300);
  WAIT_UNTIL (g_strcmp0 (sapa_kiosk_window_get_page (kiosk), SAPA_KIOSK_PAGE_IDLE) == 0);
  spin_for (100);
  g_assert_cmpint (f->saved, ==, 0);
  g_assert_cmpint (count_responses (f, "1"), ==, 0);

  /* The customer chose a face and an NPS score, then walked away: both are kept, together. */
  sapa_conversation_panel_ask_for_rating (panel_of (f), f->conversation_id);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CSAT);
  touch_score (kiosk, "csat", 5);
  touch_score (kiosk, "nps", 10);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CES);
  WAIT_UNTIL (g_strcmp0 (sapa_kiosk_window_get_page (kiosk), SAPA_KIOSK_PAGE_IDLE) == 0);
  WAIT_UNTIL (f->saved == 1);
  g_assert_cmpint (count_responses (f, "1"), ==, 2);
  g_assert_cmpint (count_responses (f, "kind = 'csat' AND score = 5"), ==, 1);
  g_assert_cmpint (count_responses (f, "kind = 'nps' AND score = 10"), ==, 1);

  /* Ending the kiosk in the middle keeps what was answered too. */
  sapa_conversation_panel_ask_for_rating (panel_of (f), f->conversation_id);
  sapa_kiosk_window_set_timeouts (kiosk, 300, 60000);
  touch_score (kiosk, "csat", 3);
  sapa_conversation_panel_end_rating (panel_of (f));
  WAIT_UNTIL (count_responses (f, "1") == 3);
  g_assert_cmpint (count_responses (f, "kind = 'csat' AND score = 3"), ==, 1);
}

static const char *
label_text (SapaKioskWindow *kiosk,
            const char      *name)
{
  return gtk_label_get_text (GTK_LABEL (kiosk_child (kiosk, name)));
}

static void
test_language (Fixture       *f,
               gconstpointer  data)
{
  SapaKioskWindow *kiosk;
  GtkWidget *desk_group;
  const char *question = "How satisfied are you with our service today?";
  const char *question_id = "Seberapa puas Anda dengan layanan kami hari ini?";
  g_autofree char *desk_title_before = NULL;

  /* The test catalogue is the one the kiosk reads. */
  g_assert_cmpstr (sapa_catalog_translate ("id", question), ==, question_id);
  g_assert_cmpstr (sapa_catalog_translate ("en", question), ==, question);
  /* The desk speaks English all along. */
  g_assert_cmpstr (_("Conversations"), ==, "Conversations");

  desk_group = page_child (panel_of (f), SAPA_TYPE_CONVERSATION_PANEL, "group");
  desk_title_before = g_strdup (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (desk_group)));
  g_assert_cmpstr (desk_title_before, ==, "Conversations");

  /* The customer prefers Indonesian: the kiosk starts in it. */
  kiosk = ask (f);
  g_assert_cmpstr (sapa_kiosk_window_get_language (kiosk), ==, "id");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (kiosk_child (kiosk, "indonesian_button"))));
  g_assert_cmpstr (label_text (kiosk, "csat_question"), ==, question_id);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (kiosk_child (kiosk, "nps_skip_button"))), ==, "Lewati");

  /* They switch to English on the kiosk. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (kiosk_child (kiosk, "english_button")), TRUE);
  g_assert_cmpstr (sapa_kiosk_window_get_language (kiosk), ==, "en");
  g_assert_cmpstr (label_text (kiosk, "csat_question"), ==, question);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (kiosk_child (kiosk, "nps_skip_button"))), ==, "Skip");
  g_assert_cmpstr (label_text (kiosk, "thanks_title"), ==, "Thank you!");

  /* And back. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (kiosk_child (kiosk, "indonesian_button")), TRUE);
  g_assert_cmpstr (label_text (kiosk, "csat_question"), ==, question_id);
  g_assert_cmpstr (label_text (kiosk, "thanks_title"), ==, "Terima kasih!");

  /* The desk did not change language. */
  g_assert_cmpstr (_("Conversations"), ==, "Conversations");
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (desk_group)), ==, desk_title_before);
  g_assert_true (g_str_has_prefix (sapa_i18n_get_language (), "en"));
}

/* The kiosk's pages as the customer sees them, saved as PNGs beside the build
 * ($SAPA_SCREENSHOT_DIR/kiosk-*.png); the score buttons are at least 64 px. */
static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  SapaKioskWindow *kiosk = ask (f);
  const char *pages[] = { "csat", "nps" };

  g_autoptr(GtkCssProvider) style = gtk_css_provider_new ();

  /* The application loads its style sheet for every window; so does this test. */
  gtk_css_provider_load_from_resource (style, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_window_unfullscreen (GTK_WINDOW (kiosk));
  gtk_window_set_default_size (GTK_WINDOW (kiosk), 1024, 600);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("kiosk-%s.png", pages[i]);
      g_autofree char *path = sapa_test_screenshot_path (name);

      if (i == 1)
        {
          touch_score (kiosk, "csat", 5);
          spin_for (500);   /* the page transition */
        }
      g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, pages[i]);
      sapa_test_save_screenshot (GTK_WIDGET (kiosk), path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  /* Touch targets: every score button is at least 64 px each way, and all fit
   * on a 1024 px wide screen. */
  for (int score = 0; score <= 10; score++)
    {
      GtkWidget *button = find_score_button (GTK_WIDGET (kiosk), "nps", score);

      g_assert_cmpint (gtk_widget_get_width (button), >=, 64);
      g_assert_cmpint (gtk_widget_get_height (button), >=, 64);
    }
  g_assert_cmpint (gtk_widget_get_width (kiosk_child (kiosk, "nps_box")), <=, 1024);
  for (int score = 1; score <= 5; score++)
    {
      GtkWidget *button = find_score_button (GTK_WIDGET (kiosk), "csat", score);

      g_assert_cmpint (gtk_widget_get_width (button), >=, 128);
      g_assert_cmpint (gtk_widget_get_height (button), >=, 128);
    }

  /* The desk beside it: the conversation's rating buttons and End Rating. */
  {
    g_autofree char *path = sapa_test_screenshot_path ("kiosk-desk.png");

    gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 1100);
    sapa_test_save_screenshot (GTK_WIDGET (f->window), path);
  }
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style));
}

/* TRUE when one of @widget's shortcut controllers reacts to @keyval with @mods. */
static gboolean
has_shortcut (GtkWidget       *widget,
              guint            keyval,
              GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      guint m;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      m = g_list_model_get_n_items (G_LIST_MODEL (controller));
      for (guint j = 0; j < m; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          g_autofree char *wanted = gtk_accelerator_name (keyval, mods);

          g_auto(GStrv) alternatives = g_strsplit (trigger, "|", -1);

          if (g_strv_contains ((const char * const *) alternatives, wanted))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_no_way_to_the_desk (void)
{
  g_autoptr(SapaApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  Fixture fx = { 0 };
  Fixture *f = &fx;
  SapaKioskWindow *kiosk;
  SapaCustomerPage *page;
  SapaConversationPanel *panel;
  const struct { guint keyval; GdkModifierType mods; } keys[] = {
    { GDK_KEY_q, GDK_CONTROL_MASK },
    { GDK_KEY_comma, GDK_CONTROL_MASK },
    { GDK_KEY_n, GDK_CONTROL_MASK },
    { GDK_KEY_d, GDK_CONTROL_MASK },
    { GDK_KEY_f, GDK_CONTROL_MASK },
  };

  /* The real application, with its accelerators, and its desk window. */
  app = sapa_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  fixture_set_up (f, NULL);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = sapa_window_new (GTK_APPLICATION (app));
  sapa_window_set_store (f->window, f->desk.store, f->desk.agent_id, f->branch_id);
  gtk_window_present (GTK_WINDOW (f->window));
  sapa_window_open_customer (f->window, f->customer_id);
  page = sapa_window_get_customer_page (f->window);
  panel = page_child (page, SAPA_TYPE_CUSTOMER_PAGE, "conversation_panel");
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel) == 2);

  kiosk = sapa_conversation_panel_ask_for_rating (panel, f->conversation_id);
  g_assert_nonnull (kiosk);
  g_object_add_weak_pointer (G_OBJECT (kiosk), (gpointer *) &kiosk);

  /* The desk window answers the application's accelerators... */
  g_assert_true (has_shortcut (GTK_WIDGET (f->window), GDK_KEY_q, GDK_CONTROL_MASK));
  g_assert_true (has_shortcut (GTK_WIDGET (f->window), GDK_KEY_comma, GDK_CONTROL_MASK));
  /* ...the kiosk none of them, and no application or window action is reachable from it. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_false (has_shortcut (GTK_WIDGET (kiosk), keys[i].keyval, keys[i].mods));
  g_assert_null (gtk_window_get_application (GTK_WINDOW (kiosk)));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (kiosk), "app.quit", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (kiosk), "app.preferences", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (kiosk), "win.new-customer", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (kiosk), "app.dashboard", NULL));
  /* Escape is the kiosk's own, and does nothing. */
  g_assert_true (has_shortcut (GTK_WIDGET (kiosk), GDK_KEY_Escape, 0));

  /* Closing it from the kiosk (the window manager, Alt+F4) is refused. */
  gtk_window_close (GTK_WINDOW (kiosk));
  spin_for (50);
  g_assert_nonnull (kiosk);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk)));
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CSAT);

  /* Closing the desk window ends it. */
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_for (50);
  g_assert_null (kiosk);
  f->window = sapa_window_new (NULL);
  fixture_tear_down (f, NULL);
  g_application_quit (G_APPLICATION (app));
}

static void
test_refused_score (Fixture       *f,
                    gconstpointer  data)
{
  SapaKioskWindow *kiosk = ask (f);
  g_autoptr(GError) error = NULL;
  const char *message;

  g_assert_null (sapa_kiosk_window_get_desk_message (kiosk));
  g_assert_false (sapa_kiosk_window_answer (kiosk, "csat", 6, &error));
  g_assert_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE);
  message = sapa_kiosk_window_get_desk_message (kiosk);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "between 1 and 5"));
  g_assert_nonnull (strstr (message, "not saved"));
  /* The kiosk stays on its question and shows no error. */
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CSAT);
  g_clear_error (&error);
  g_assert_false (sapa_kiosk_window_answer (kiosk, "stars", 3, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (sapa_kiosk_window_answer (kiosk, "nps", 11, &error));
  g_assert_error (error, SAPA_RECORD_ERROR, SAPA_RECORD_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  /* A valid score for a question not on screen changes nothing either. */
  g_assert_false (sapa_kiosk_window_answer (kiosk, "ces", 7, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_CSAT);

  /* Nothing was kept: ending saves nothing. */
  sapa_kiosk_window_end (kiosk);
  spin_for (200);
  g_assert_cmpint (f->saved, ==, 0);
  g_assert_cmpint (count_responses (f, "1"), ==, 0);
}

/* The database refuses the third answer: nothing of the visit is kept, the
 * desk is told, the customer sees the usual thank-you screen. */
static void
test_save_failure (Fixture       *f,
                   gconstpointer  data)
{
  SapaKioskWindow *kiosk;
  sqlite3 *db = NULL;
  char *message = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open (f->desk.path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, "CREATE TRIGGER refuse_ces BEFORE INSERT ON survey_response "
                         "WHEN NEW.kind = 'ces' BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
                     NULL, NULL, &message);
  g_assert_cmpstr (message, ==, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_close (db);

  kiosk = ask (f);
  touch_score (kiosk, "csat", 1);
  touch_score (kiosk, "nps", 0);
  touch_score (kiosk, "ces", 2);
  sapa_kiosk_window_send_comment (kiosk, "Waited far too long");
  WAIT_UNTIL (f->saved == 1);
  g_assert_false (f->last_saved_ok);
  g_assert_cmpstr (sapa_kiosk_window_get_page (kiosk), ==, SAPA_KIOSK_PAGE_THANKS);
  g_assert_nonnull (sapa_kiosk_window_get_desk_message (kiosk));
  g_assert_nonnull (strstr (sapa_kiosk_window_get_desk_message (kiosk), "was not saved"));
  g_assert_cmpint (count_responses (f, "1"), ==, 0);
  g_assert_cmpint (desk_query_int (&f->desk, "SELECT count(*) FROM change_log WHERE entity = 'survey_response'"), ==, 0);
}

static void
dialog_saved_cb (SapaRatingDialog *dialog,
                 gboolean          ok,
                 Fixture          *f)
{
  f->saved++;
  f->last_saved_ok = ok;
}

static void
test_rating_dialog (Fixture       *f,
                    gconstpointer  data)
{
  SapaRatingDialog *dialog;
  GtkWidget *button = sapa_conversation_panel_get_rating_button (panel_of (f), f->conversation_id, "record");
  int min, max;

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  dialog = SAPA_RATING_DIALOG (find_toplevel (SAPA_TYPE_RATING_DIALOG));
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "saved", G_CALLBACK (dialog_saved_cb), f);
  /* A walk-in conversation: rated in person. */
  g_assert_cmpstr (sapa_rating_dialog_get_collected_via (dialog), ==, "in_person");
  {
    g_autofree char *path = sapa_test_screenshot_path ("rating-dialog.png");

    sapa_test_save_screenshot (GTK_WIDGET (dialog), path);
  }

  /* The score follows the question's range. */
  g_assert_cmpstr (sapa_rating_dialog_get_kind (dialog), ==, "csat");
  sapa_rating_dialog_get_range (dialog, &min, &max);
  g_assert_cmpint (min, ==, 1);
  g_assert_cmpint (max, ==, 5);
  sapa_rating_dialog_set_kind (dialog, "nps");
  sapa_rating_dialog_get_range (dialog, &min, &max);
  g_assert_cmpint (min, ==, 0);
  g_assert_cmpint (max, ==, 10);

  /* Out of range or the wrong kind: explained, nothing stored. */
  g_assert_false (sapa_rating_dialog_save_rating (dialog, "csat", 9, NULL, "phone"));
  g_assert_nonnull (strstr (sapa_rating_dialog_get_error (dialog), "between 1 and 5"));
  g_assert_nonnull (strstr (sapa_rating_dialog_get_error (dialog), "Nothing was saved"));
  g_assert_false (sapa_rating_dialog_save_rating (dialog, "ces", 0, NULL, "phone"));
  g_assert_nonnull (strstr (sapa_rating_dialog_get_error (dialog), "between 1 and 7"));
  g_assert_false (sapa_rating_dialog_save_rating (dialog, "stars", 3, NULL, "phone"));
  g_assert_nonnull (strstr (sapa_rating_dialog_get_error (dialog), "not a kind of rating"));
  g_assert_false (sapa_rating_dialog_save_rating (dialog, "nps", 8, NULL, "carrier pigeon"));
  spin_for (100);
  g_assert_cmpint (count_responses (f, "1"), ==, 0);

  /* The score the customer said on the phone. */
  sapa_rating_dialog_set_collected_via (dialog, "phone");
  sapa_rating_dialog_set_score (dialog, 8);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "rating.save", NULL));
  WAIT_UNTIL (f->saved == 1);
  g_assert_true (f->last_saved_ok);
  g_assert_null (find_toplevel (SAPA_TYPE_RATING_DIALOG));
  {
    g_autofree char *where = g_strdup_printf ("kind = 'nps' AND score = 8 AND collected_via = 'phone' "
                                              "AND conversation_id = '%s' AND customer_id = '%s' "
                                              "AND agent_id = '%s' AND branch_id = '%s' AND channel = 'walk_in'",
                                              f->conversation_id, f->customer_id, f->desk.agent_id, f->branch_id);
    g_assert_cmpint (count_responses (f, where), ==, 1);
  }
  g_assert_cmpint (count_responses (f, "1"), ==, 1);
}

static void
link_done_cb (SapaConversationPanel *panel,
              gboolean               ok,
              Fixture               *f)
{
  f->saved++;
  f->last_saved_ok = ok;
}

static void
test_survey_link_signed_out (Fixture       *f,
                             gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  gint64 outbound = desk_query_int (&f->desk, "SELECT count(*) FROM interaction WHERE direction = 'outbound'");

  /* Only email, chat and WhatsApp conversations have the button. */
  g_assert_null (sapa_conversation_panel_get_rating_button (panel, f->conversation_id, "link"));
  g_assert_nonnull (sapa_conversation_panel_get_rating_button (panel, f->chat_id, "link"));

  /* A desk working alone cannot ask the server for a link: it says so and sends nothing. */
  g_signal_connect (panel, "survey-link-done", G_CALLBACK (link_done_cb), f);
  g_assert_false (sapa_conversation_panel_send_survey_link (panel, f->chat_id));
  g_assert_cmpint (f->saved, ==, 1);
  g_assert_false (f->last_saved_ok);
  spin_for (100);
  g_assert_cmpint (desk_query_int (&f->desk, "SELECT count(*) FROM interaction WHERE direction = 'outbound'"), ==, outbound);
}

static void
test_monitor_choice (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GListStore) two = g_list_store_new (GDK_TYPE_MONITOR);
  g_autoptr(GdkMonitor) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (monitors), >=, 1);
  first = g_list_model_get_item (monitors, 0);

  /* One monitor: the kiosk shares it with the desk, whatever was chosen. */
  g_assert_true (sapa_kiosk_window_choose_monitor (monitors, "", first) == first);
  g_assert_true (sapa_kiosk_window_choose_monitor (monitors, "NOT-CONNECTED-9", first) == first);
  g_assert_true (sapa_kiosk_window_choose_monitor (monitors, "", NULL) == first);
  if (gdk_monitor_get_connector (first) != NULL)
    g_assert_true (sapa_kiosk_window_choose_monitor (monitors, gdk_monitor_get_connector (first), NULL) == first);

  /* Two monitors, nothing chosen: the one the desk is not on. The desk on
   * "the other" one (a monitor not in the list) leaves the first. */
  g_list_store_append (two, first);
  g_list_store_append (two, first);
  g_assert_true (sapa_kiosk_window_choose_monitor (G_LIST_MODEL (two), "", NULL) == first);
  g_assert_true (sapa_kiosk_window_choose_monitor (G_LIST_MODEL (two), "", first) == first);
}

/* The kiosk reads its Indonesian from a locale directory holding the test
 * catalogue ($KIOSK_TEST_MO, built from kiosk-test-id.po). */
static char *
make_test_localedir (void)
{
  const char *mo = g_getenv ("KIOSK_TEST_MO");
  g_autofree char *dir = NULL;
  g_autofree char *messages = NULL;
  g_autofree char *target = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_nonnull (mo);
  dir = g_dir_make_tmp ("sapa-kiosk-locale-XXXXXX", &error);
  g_assert_no_error (error);
  messages = g_build_filename (dir, "id", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (messages, 0700), ==, 0);
  target = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
  g_file_get_contents (mo, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (target, contents, length, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

static void
test_preferences_monitor (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
  SapaPreferencesWindow *preferences;
  AdwComboRow *row;
  GListModel *names;
  guint n_connected = 0;

  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);

      if (gdk_monitor_get_connector (monitor) != NULL)
        n_connected++;
    }

  g_settings_set_string (settings, "kiosk-monitor", "");
  preferences = sapa_preferences_window_new (NULL);
  row = sapa_preferences_window_get_kiosk_monitor_row (preferences);
  names = adw_combo_row_get_model (row);
  /* Automatic, then each connected monitor. */
  g_assert_cmpuint (g_list_model_get_n_items (names), ==, 1 + n_connected);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  if (n_connected > 0)
    {
      g_autoptr(GdkMonitor) first = g_list_model_get_item (monitors, 0);
      g_autofree char *chosen = NULL;

      adw_combo_row_set_selected (row, 1);
      chosen = g_settings_get_string (settings, "kiosk-monitor");
      g_assert_cmpstr (chosen, ==, gdk_monitor_get_connector (first));
    }
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* A monitor chosen earlier and unplugged since stays listed, and chosen. */
  g_settings_set_string (settings, "kiosk-monitor", "GONE-1");
  preferences = sapa_preferences_window_new (NULL);
  row = sapa_preferences_window_get_kiosk_monitor_row (preferences);
  names = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (names), ==, 2 + n_connected);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1 + n_connected);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (names), 1 + n_connected), ==,
                   "GONE-1 (not connected)");
  adw_combo_row_set_selected (row, 0);
  {
    g_autofree char *chosen = g_settings_get_string (settings, "kiosk-monitor");
    g_assert_cmpstr (chosen, ==, "");
  }
  gtk_window_destroy (GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *localedir = NULL;
  int status;

  test_init (&argc, &argv);
  /* After the desk bound its own catalogue: only the kiosk reads this one. */
  localedir = make_test_localedir ();
  g_setenv ("SAPA_LOCALEDIR", localedir, TRUE);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/kiosk/full-flow", test_full_flow);
  ADD ("/kiosk/skip", test_skip);
  ADD ("/kiosk/timeout", test_timeout);
  ADD ("/kiosk/language", test_language);
  ADD ("/kiosk/refused-score", test_refused_score);
  ADD ("/kiosk/save-failure", test_save_failure);
  ADD ("/kiosk/screenshots", test_screenshots);
  ADD ("/kiosk/rating-dialog", test_rating_dialog);
  ADD ("/kiosk/survey-link-signed-out", test_survey_link_signed_out);
#undef ADD
  g_test_add_func ("/kiosk/no-way-to-the-desk", test_no_way_to_the_desk);
  g_test_add_func ("/kiosk/monitor-choice", test_monitor_choice);
  g_test_add_func ("/kiosk/preferences-monitor", test_preferences_monitor);
  status = g_test_run ();
  sapa_test_dir_remove (localedir);
  return status;
}
