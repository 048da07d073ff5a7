/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "customer-test-util.h"
#include "sapa-conversation-panel.h"
#include "sapa-customer-page.h"
#include "sapa-log-dialog.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-row.h"
#include "sapa-timeline-view.h"

typedef struct {
  TestDesk       desk;
  char      *customer_id;
  GtkWidget *window;
  GtkWidget *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  test_desk_open (&f->desk, "Dewi Lestari");
  f->customer_id = test_desk_add_customer (&f->desk, "Yohanes Sitompul", "+6281298765432",
                                      "yohanes@example.com", "0012345678", "priority");
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 760);
  f->page = sapa_customer_page_new (f->desk.store, f->desk.agent_id);
  gtk_window_set_child (GTK_WINDOW (f->window), f->page);
  gtk_window_present (GTK_WINDOW (f->window));
  sapa_customer_page_set_customer_id (SAPA_CUSTOMER_PAGE (f->page), f->customer_id);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_for (50);
  g_free (f->customer_id);
  test_desk_close (&f->desk);
}

static SapaTimelineModel *
timeline_of (Fixture *f)
{
  SapaTimelineView *view = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "timeline_view");

  return sapa_timeline_view_get_model (view);
}

static SapaConversationPanel *
panel_of (Fixture *f)
{
  return page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "conversation_panel");
}

static SapaRecord *
top_record (Fixture *f)
{
  g_autoptr(SapaTimelineEntry) entry = g_list_model_get_item (G_LIST_MODEL (timeline_of (f)), 0);

  return entry ? sapa_timeline_entry_get_record (entry) : NULL;
}

static char *
top_text (Fixture *f)
{
  SapaRecord *r = top_record (f);

  return r ? sapa_timeline_describe (r) : NULL;
}

static gboolean
top_text_is (Fixture    *f,
             const char *text)
{
  g_autofree char *top = top_text (f);

  return g_strcmp0 (top, text) == 0;
}

/* The log dialog the page opened. */
static SapaLogDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SAPA_IS_LOG_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return SAPA_LOG_DIALOG (window);
    }
  return NULL;
}

static SapaLogDialog *
open_dialog (Fixture    *f,
             const char *action)
{
  SapaLogDialog *dialog;

  WAIT_UNTIL (!sapa_timeline_model_get_loading (timeline_of (f)));
  g_assert_true (gtk_widget_activate_action (f->page, action, NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  return dialog;
}

static void
save_dialog (SapaLogDialog *dialog)
{
  g_autoptr(GtkWidget) watch = g_object_ref (GTK_WIDGET (dialog));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "log.save", NULL));
  /* The dialog closes once the desk wrote the contact. */
  WAIT_UNTIL (find_dialog () == NULL);
}

static void
test_call_with_timer (Fixture       *f,
                      gconstpointer  data)
{
  SapaLogDialog *dialog = open_dialog (f, "customer.log-call");
  SapaRecord *top;
  g_autoptr(SapaRecord) stored = NULL;
  g_autoptr(SapaRecord) conversation = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (sapa_log_dialog_get_kind (dialog), ==, SAPA_LOG_CALL);
  g_assert_true (sapa_log_dialog_get_timer_running (dialog));
  g_assert_cmpstr (sapa_log_dialog_get_timer_text (dialog), ==, "00:00");
  /* no open conversation yet: a new one */
  g_assert_null (sapa_log_dialog_get_open_conversation_id (dialog));

  /* two minutes into the call, the label ticks on by itself */
  sapa_log_dialog_shift_start (dialog, 125);
  g_assert_cmpstr (sapa_log_dialog_get_timer_text (dialog), ==, "02:05");
  WAIT_UNTIL (g_strcmp0 (sapa_log_dialog_get_timer_text (dialog), "02:06") == 0);

  /* Stop freezes it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "log.stop-timer", NULL));
  g_assert_false (sapa_log_dialog_get_timer_running (dialog));
  spin_for (1200);
  g_assert_cmpstr (sapa_log_dialog_get_timer_text (dialog), ==, "02:06");

  sapa_log_dialog_set_body (dialog, "Asked why the transfer to Medan is pending");
  sapa_log_dialog_choose_new_conversation (dialog, "transfer", NULL);
  save_dialog (dialog);

  /* at the top of the timeline at once */
  WAIT_UNTIL (top_text_is (f, "Asked why the transfer to Medan is pending"));
  top = top_record (f);
  g_assert_cmpstr (sapa_record_get_string (top, "channel"), ==, "phone");
  g_assert_cmpstr (sapa_record_get_string (top, "direction"), ==, "inbound");
  g_assert_cmpint (sapa_record_get_int (top, "ended_at") - sapa_record_get_int (top, "started_at"), ==, 126);
  g_assert_cmpint (sapa_record_get_int (top, "started_at"), <=, before - 125);

  /* the stored record has the handle time too */
  stored = sapa_store_get (f->desk.store, "interaction", sapa_record_get_id (top), NULL);
  g_assert_nonnull (stored);
  g_assert_true (sapa_record_has (stored, "ended_at"));
  g_assert_cmpint (sapa_record_get_int (stored, "ended_at") - sapa_record_get_int (stored, "started_at"), ==, 126);
  g_assert_cmpstr (sapa_record_get_string (stored, "author_id"), ==, f->desk.agent_id);

  /* in a new conversation with the reason chosen */
  conversation = sapa_store_get (f->desk.store, "conversation",
                                 sapa_record_get_string (stored, "conversation_id"), NULL);
  g_assert_nonnull (conversation);
  g_assert_cmpstr (sapa_record_get_string (conversation, "reason"), ==, "transfer");
  g_assert_cmpstr (sapa_record_get_string (conversation, "status"), ==, "open");
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel_of (f)) == 1);

  /* the next contact goes into that open conversation by default */
  dialog = open_dialog (f, "customer.log-visit");
  g_assert_cmpstr (sapa_log_dialog_get_open_conversation_id (dialog), ==, sapa_record_get_id (conversation));
  sapa_log_dialog_set_body (dialog, "Came in with the transfer receipt");
  save_dialog (dialog);
  WAIT_UNTIL (top_text_is (f, "Came in with the transfer receipt"));
  g_assert_cmpstr (sapa_record_get_string (top_record (f), "conversation_id"), ==,
                   sapa_record_get_id (conversation));
  g_assert_cmpstr (sapa_record_get_string (top_record (f), "channel"), ==, "walk_in");
  g_assert_true (sapa_record_has (top_record (f), "ended_at"));
  g_assert_cmpuint (sapa_conversation_panel_get_n_conversations (panel_of (f)), ==, 1);
}

static void
test_visit_new_conversation (Fixture       *f,
                             gconstpointer  data)
{
  SapaLogDialog *dialog;
  g_autoptr(SapaRecord) conversation = NULL;
  SapaRecord *top;

  /* an open conversation exists, but this visit is about something else */
  dialog = open_dialog (f, "customer.add-note");
  sapa_log_dialog_set_body (dialog, "Prefers to be called after 4 pm");
  save_dialog (dialog);
  WAIT_UNTIL (top_text_is (f, "Prefers to be called after 4 pm"));

  dialog = open_dialog (f, "customer.log-visit");
  g_assert_nonnull (sapa_log_dialog_get_open_conversation_id (dialog));
  sapa_log_dialog_choose_new_conversation (dialog, "card", "Card swallowed by the ATM");
  sapa_log_dialog_set_body (dialog, "Card kept by the ATM at Jalan Sudirman");
  save_dialog (dialog);

  WAIT_UNTIL (top_text_is (f, "Card kept by the ATM at Jalan Sudirman"));
  top = top_record (f);
  g_assert_cmpstr (sapa_record_get_string (top, "channel"), ==, "walk_in");
  g_assert_cmpstr (sapa_record_get_string (top, "direction"), ==, "inbound");
  g_assert_cmpstr (sapa_record_get_extra (top, "conversation_subject"), ==, "Card swallowed by the ATM");
  conversation = sapa_store_get (f->desk.store, "conversation", sapa_record_get_string (top, "conversation_id"), NULL);
  g_assert_cmpstr (sapa_record_get_string (conversation, "reason"), ==, "card");
  g_assert_cmpstr (sapa_record_get_string (conversation, "subject"), ==, "Card swallowed by the ATM");
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel_of (f)) == 2);
}

static void
test_note (Fixture       *f,
           gconstpointer  data)
{
  SapaLogDialog *dialog = open_dialog (f, "customer.add-note");
  gint64 changes = sapa_store_count_changes (f->desk.store);
  SapaRecord *top;

  g_assert_false (sapa_log_dialog_get_timer_running (dialog));
  /* an empty note is refused at the dialog, nothing written */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "log.save", NULL));
  g_assert_nonnull (sapa_log_dialog_get_error_text (dialog));
  spin_for (200);
  g_assert_nonnull (find_dialog ());
  g_assert_cmpint (sapa_store_count_changes (f->desk.store), ==, changes);

  sapa_log_dialog_set_body (dialog, "Customer is hard of hearing: speak slowly");
  save_dialog (dialog);
  WAIT_UNTIL (top_text_is (f, "Customer is hard of hearing: speak slowly"));
  top = top_record (f);
  g_assert_cmpstr (sapa_record_get_string (top, "channel"), ==, "note");
  g_assert_cmpstr (sapa_record_get_string (top, "direction"), ==, "internal");
  g_assert_false (sapa_record_has (top, "ended_at"));
}

static void
test_status_complaint_escalation (Fixture       *f,
                                  gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  SapaLogDialog *dialog;
  g_autofree char *conversation_id = NULL;
  g_autoptr(GDateTime) due = g_date_time_new_local (2026, 11, 25, 12, 0, 0);
  g_autoptr(SapaRecord) stored = NULL;
  g_autoptr(SapaTimelineEntry) call = NULL;
  GtkWidget *escalate;

  dialog = open_dialog (f, "customer.log-call");
  sapa_log_dialog_choose_new_conversation (dialog, "card", "Double charge on the card");
  sapa_log_dialog_set_body (dialog, "Charged twice for one purchase");
  save_dialog (dialog);
  WAIT_UNTIL (top_text_is (f, "Charged twice for one purchase"));
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel) == 1);
  /* a copy: the panel re-reads its records on every change */
  conversation_id = g_strdup (sapa_conversation_panel_get_conversation_id (panel, 0));
  call = g_list_model_get_item (G_LIST_MODEL (timeline_of (f)), 0);

  sapa_conversation_panel_set_status (panel, conversation_id, "pending");
  WAIT_UNTIL (top_text_is (f, "Status changed to Pending"));
  /* the earlier entry of that conversation shows the new status */
  WAIT_UNTIL (g_strcmp0 (sapa_record_get_extra (sapa_timeline_entry_get_record (call), "conversation_status"),
                       "pending") == 0);

  sapa_conversation_panel_set_complaint (panel, conversation_id, TRUE);
  WAIT_UNTIL (top_text_is (f, "Marked as a complaint"));

  sapa_conversation_panel_set_step (panel, conversation_id, "apologise", TRUE);
  WAIT_UNTIL (top_text_is (f, "Checklist: Apologise done"));

  sapa_conversation_panel_set_follow_up (panel, conversation_id, g_date_time_to_unix (due));
  WAIT_UNTIL (top_text_is (f, "Follow-up due 25 Nov 2026"));

  /* escalation through its dialog */
  escalate = sapa_conversation_panel_show_escalate_dialog (panel, conversation_id);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (escalate));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (escalate), "escalate"));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_widget_of_type (escalate, GTK_TYPE_DROP_DOWN)), 3 /* legal */);
  gtk_editable_set_text (GTK_EDITABLE (find_widget_of_type (escalate, GTK_TYPE_ENTRY)),
                         "Customer wants a written answer");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (escalate), "escalate"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (escalate), "escalate");
  WAIT_UNTIL (top_text_is (f, "Escalated to Legal: Customer wants a written answer"));

  sapa_conversation_panel_set_status (panel, conversation_id, "resolved");
  WAIT_UNTIL (top_text_is (f, "Status changed to Resolved"));

  stored = sapa_store_get (f->desk.store, "conversation", conversation_id, NULL);
  g_assert_cmpstr (sapa_record_get_string (stored, "status"), ==, "resolved");
  g_assert_true (sapa_record_get_bool (stored, "is_complaint"));
  g_assert_cmpstr (sapa_record_get_string (stored, "escalated_to"), ==, "legal");
  {
    g_auto(GStrv) steps = sapa_record_dup_list (stored, "complaint_steps");
    g_assert_true (g_strv_contains ((const char * const *) steps, "apologise"));
  }

  /* the panel shows the checklist of the complaint: seven steps */
  WAIT_UNTIL (find_label (GTK_WIDGET (panel), "7. Document") != NULL);
  g_assert_nonnull (find_label (GTK_WIDGET (panel), "3. Apologise"));
}

/* The widget of @type in the conversation row whose title is @title. */
static GtkWidget *
find_in_row (GtkWidget  *widget,
             GType       type,
             const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (title == NULL ||
       (ADW_IS_PREFERENCES_ROW (widget) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_in_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The controls a person uses, not the panel's functions. */
static void
test_panel_controls (Fixture       *f,
                     gconstpointer  data)
{
  SapaConversationPanel *panel = panel_of (f);
  SapaLogDialog *dialog;
  GtkWidget *row, *toggle, *check;

  dialog = open_dialog (f, "customer.log-visit");
  sapa_log_dialog_choose_new_conversation (dialog, "billing", "Hotel bill charged twice");
  sapa_log_dialog_set_body (dialog, "Guest shows two charges for one night");
  save_dialog (dialog);
  WAIT_UNTIL (sapa_conversation_panel_get_n_conversations (panel) == 1);

  /* Status drop-down */
  WAIT_UNTIL ((row = find_in_row (GTK_WIDGET (panel), ADW_TYPE_COMBO_ROW, "Status")) != NULL);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 2);
  WAIT_UNTIL (top_text_is (f, "Status changed to Resolved"));

  /* Complaint switch: the checklist appears */
  WAIT_UNTIL (find_label (GTK_WIDGET (panel), "Resolved · Billing") != NULL);
  g_assert_null (find_label (GTK_WIDGET (panel), "1. Listen"));
  row = find_in_row (GTK_WIDGET (panel), ADW_TYPE_ACTION_ROW, "Complaint");
  g_assert_nonnull (row);
  toggle = find_in_row (row, GTK_TYPE_SWITCH, NULL);
  g_assert_nonnull (toggle);
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  WAIT_UNTIL (top_text_is (f, "Marked as a complaint"));
  WAIT_UNTIL (find_label (GTK_WIDGET (panel), "1. Listen") != NULL);

  /* A step of the checklist */
  row = find_in_row (GTK_WIDGET (panel), ADW_TYPE_ACTION_ROW, "2. Empathise");
  g_assert_nonnull (row);
  check = find_in_row (row, GTK_TYPE_CHECK_BUTTON, NULL);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  WAIT_UNTIL (top_text_is (f, "Checklist: Empathise done"));

  /* after the rebuild the box stays ticked */
  spin_for (200);
  row = find_in_row (GTK_WIDGET (panel), ADW_TYPE_ACTION_ROW, "2. Empathise");
  check = find_in_row (row, GTK_TYPE_CHECK_BUTTON, NULL);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add ("/log/call-with-timer", Fixture, NULL, fixture_set_up, test_call_with_timer, fixture_tear_down);
  g_test_add ("/log/visit-new-conversation", Fixture, NULL, fixture_set_up, test_visit_new_conversation, fixture_tear_down);
  g_test_add ("/log/note", Fixture, NULL, fixture_set_up, test_note, fixture_tear_down);
  g_test_add ("/log/status-complaint-escalation", Fixture, NULL, fixture_set_up, test_status_complaint_escalation,
              fixture_tear_down);
  g_test_add ("/log/panel-controls", Fixture, NULL, fixture_set_up, test_panel_controls, fixture_tear_down);
  return g_test_run ();
}
