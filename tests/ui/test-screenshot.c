/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Renders the customer page of a sample customer with GTK's own renderer and
 * saves it as $SAPA_SCREENSHOT_DIR/customer-page.png (for the metainfo). */
#include "config.h"

#include <glib/gstdio.h>

#include "customer-test-util.h"
#include "screenshot-test-util.h"
#include "sapa-customer-page.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-view.h"

static void
add_conversation_contacts (TestDesk       *desk,
                           const char *customer_id)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 today = today_start ();
  gint64 recent = MAX (today + 60, now - 3600);
  g_autoptr(GError) error = NULL;
  SapaContact contact = {
    .customer_id = customer_id,
    .reason = "card",
    .subject = "Card blocked after three PIN tries",
    .channel = "whatsapp",
    .direction = "inbound",
    .body = "Kartu ATM saya terblokir setelah salah PIN tiga kali. Bisa dibuka lagi?",
    .started_at = today - 86400 - 7200,
    .wait_seconds = -1,
    .agent_id = desk->agent_id,
  };
  g_autoptr(SapaRecord) first = sapa_desk_log_contact (desk->store, &contact, &error);
  g_autofree char *conversation_id = NULL;

  g_assert_no_error (error);
  conversation_id = g_strdup (sapa_record_get_string (first, "conversation_id"));

  contact.conversation_id = conversation_id;
  contact.channel = "whatsapp";
  contact.direction = "outbound";
  contact.body = "Please come to the branch with your ID card; we will unblock it at the counter.";
  contact.started_at = today - 86400 - 6000;
  g_clear_object (&first);
  first = sapa_desk_log_contact (desk->store, &contact, &error);
  g_assert_no_error (error);

  contact.channel = "walk_in";
  contact.direction = "inbound";
  contact.body = "Came with her KTP; card unblocked and PIN reset at counter 2.";
  contact.started_at = recent - 1500;
  contact.ended_at = recent - 1500 + 540;
  g_clear_object (&first);
  first = sapa_desk_log_contact (desk->store, &contact, &error);
  g_assert_no_error (error);

  g_assert_true (sapa_desk_set_complaint (desk->store, conversation_id, TRUE, desk->agent_id, &error));
  g_assert_true (sapa_desk_set_complaint_step (desk->store, conversation_id, "listen", TRUE, desk->agent_id, &error));
  g_assert_true (sapa_desk_set_complaint_step (desk->store, conversation_id, "apologise", TRUE, desk->agent_id, &error));
  g_assert_true (sapa_desk_set_status (desk->store, conversation_id, "resolved", desk->agent_id, &error));

  /* an older email thread */
  contact.conversation_id = NULL;
  contact.reason = "account";
  contact.subject = "Monthly statement by email";
  contact.channel = "email";
  contact.direction = "inbound";
  contact.body = "Could you send my statements by email instead of post?";
  contact.started_at = today - 9 * 86400 + 36000;
  contact.ended_at = 0;
  g_clear_object (&first);
  first = sapa_desk_log_contact (desk->store, &contact, &error);
  g_assert_no_error (error);

  contact.conversation_id = NULL;
  contact.reason = "transfer";
  contact.subject = "Transfer to Medan pending";
  contact.channel = "phone";
  contact.direction = "inbound";
  contact.body = "Asked why yesterday's transfer to Medan is still pending.";
  contact.started_at = recent;
  contact.ended_at = recent + 312;
  g_clear_object (&first);
  first = sapa_desk_log_contact (desk->store, &contact, &error);
  g_assert_no_error (error);
}

static void
test_customer_page_png (void)
{
  TestDesk desk = { 0 };
  g_autofree char *path = sapa_test_screenshot_path ("customer-page.png");
  g_autofree char *customer_id = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) error = NULL;
  const char *tags[] = { "payroll", "mobile banking", NULL };
  GtkWidget *window, *page;
  SapaTimelineModel *model;
  GStatBuf st;

  test_desk_open (&desk, "Dewi Lestari");
  customer_id = test_desk_add_customer (&desk, "Siti Nurhaliza Rahayu", "+6281234567890",
                                   "siti.rahayu@example.com", "0012345678", "vip");
  customer = sapa_store_get (desk.store, "customer", customer_id, &error);
  g_assert_no_error (error);
  sapa_record_set_list (customer, "tags", tags);
  sapa_record_set_string (customer, "preferred_language", "id");
  sapa_record_set_string (customer, "preferred_channel", "whatsapp");
  sapa_record_set_string (customer, "notes", "Prefers the counter near the door. Speaks Javanese and Indonesian.");
  g_assert_true (sapa_store_save (desk.store, customer, &error));
  add_conversation_contacts (&desk, customer_id);

  g_unlink (path);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_set_title (GTK_WINDOW (window), "Sapa");
  page = sapa_customer_page_new (desk.store, desk.agent_id);
  gtk_window_set_child (GTK_WINDOW (window), page);
  sapa_customer_page_set_customer_id (SAPA_CUSTOMER_PAGE (page), customer_id);
  model = sapa_timeline_view_get_model (page_child (page, SAPA_TYPE_CUSTOMER_PAGE, "timeline_view"));
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (sapa_timeline_model_get_complete (model) && g_list_model_get_n_items (G_LIST_MODEL (model)) >= 8);

  /* the complaint open, so its checklist shows */
  {
    GtkWidget *panel = page_child (page, SAPA_TYPE_CUSTOMER_PAGE, "conversation_panel");

    WAIT_UNTIL (find_label (panel, "Card blocked after three PIN tries") != NULL);
    for (GtkWidget *w = find_label (panel, "Card blocked after three PIN tries"); w != NULL;
         w = gtk_widget_get_parent (w))
      if (ADW_IS_EXPANDER_ROW (w))
        {
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (w), TRUE);
          break;
        }
    spin_for (300);
  }
  sapa_test_save_screenshot (window, path);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  /* a real picture, not an empty frame */
  g_assert_cmpint (st.st_size, >, 40 * 1024);

  gtk_window_destroy (GTK_WINDOW (window));
  test_desk_close (&desk);
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add_func ("/screenshot/customer-page", test_customer_page_png);
  return g_test_run ();
}
