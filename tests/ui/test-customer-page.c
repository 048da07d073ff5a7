/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "customer-test-util.h"
#include "sapa-customer-page.h"

typedef struct {
  TestDesk       desk;
  char      *customer_id;
  GtkWidget *window;
  GtkWidget *page;
} Fixture;

#define ACCOUNT "0123456789"

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) error = NULL;
  const char *tags[] = { "payroll", "gold card", NULL };
  const char *phones[] = { "+6281234567890", "+62215550123", NULL };

  test_desk_open (&f->desk, "Dewi Lestari");
  f->customer_id = test_desk_add_customer (&f->desk, "Siti Rahayu", "+6281234567890",
                                      "siti.rahayu@example.com", ACCOUNT, "vip");
  customer = sapa_store_get (f->desk.store, "customer", f->customer_id, &error);
  g_assert_no_error (error);
  sapa_record_set_list (customer, "phones", phones);
  sapa_record_set_list (customer, "tags", tags);
  sapa_record_set_string (customer, "preferred_language", "id");
  sapa_record_set_string (customer, "preferred_channel", "whatsapp");
  sapa_record_set_string (customer, "notes", "Prefers the counter near the door.");
  sapa_store_save (f->desk.store, customer, &error);
  g_assert_no_error (error);

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

static const char *
label_text (Fixture    *f,
            const char *name)
{
  return gtk_label_get_text (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, name));
}

static char *
notes_text (Fixture *f)
{
  GtkTextView *view = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "notes_text");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_row (Fixture    *f,
         const char *name,
         const char *text)
{
  gtk_editable_set_text (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, name), text);
}

static SapaRecord *
stored (Fixture *f)
{
  return sapa_store_get (f->desk.store, "customer", f->customer_id, NULL);
}

static gint64
reveals (Fixture *f)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_event WHERE action = 'reveal_account' "
                                          "AND customer_id = '%s' AND agent_id = '%s'",
                                          f->customer_id, f->desk.agent_id);
  return desk_query_int (&f->desk, sql);
}

static void
test_fields (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *masked = sapa_account_mask (ACCOUNT);

  g_assert_cmpstr (sapa_customer_page_get_customer_id (SAPA_CUSTOMER_PAGE (f->page)), ==, f->customer_id);
  g_assert_cmpstr (label_text (f, "name_label"), ==, "Siti Rahayu");
  g_assert_cmpstr (label_text (f, "segment_label"), ==, "VIP");
  g_assert_cmpstr (label_text (f, "phones_label"), ==, "+62 812-3456-7890\n+62 21-555-0123");
  g_assert_cmpstr (label_text (f, "emails_label"), ==, "siti.rahayu@example.com");
  g_assert_cmpstr (label_text (f, "language_label"), ==, "Indonesian");
  g_assert_cmpstr (label_text (f, "channel_label"), ==, "WhatsApp");
  g_assert_cmpstr (label_text (f, "tags_label"), ==, "payroll, gold card");
  g_assert_cmpstr (notes_text (f), ==, "Prefers the counter near the door.");

  /* the account number is masked: last four only */
  g_assert_cmpstr (label_text (f, "account_label"), ==, masked);
  g_assert_null (strstr (label_text (f, "account_label"), "012345"));
  g_assert_true (g_str_has_suffix (label_text (f, "account_label"), "6789"));
  g_assert_false (sapa_customer_page_get_revealed (SAPA_CUSTOMER_PAGE (f->page)));
}

static void
test_reveal (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *masked = sapa_account_mask (ACCOUNT);

  g_assert_cmpint (reveals (f), ==, 0);
  g_assert_true (gtk_widget_activate_action (f->page, "customer.reveal-account", NULL));
  WAIT_UNTIL (sapa_customer_page_get_revealed (SAPA_CUSTOMER_PAGE (f->page)));
  g_assert_cmpstr (label_text (f, "account_label"), ==, ACCOUNT);
  /* the reveal is on record: who saw which customer's number */
  g_assert_cmpint (reveals (f), ==, 1);

  /* hidden again on request (and after a while by itself) */
  g_assert_true (gtk_widget_activate_action (f->page, "customer.reveal-account", NULL));
  g_assert_false (sapa_customer_page_get_revealed (SAPA_CUSTOMER_PAGE (f->page)));
  g_assert_cmpstr (label_text (f, "account_label"), ==, masked);
  g_assert_cmpint (reveals (f), ==, 1);
}

static void
test_invalid_phone_and_email (Fixture       *f,
                              gconstpointer  data)
{
  gint64 changes = sapa_store_count_changes (f->desk.store);
  GtkWidget *error_row = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "phones_error_row");
  g_autoptr(SapaRecord) after = NULL;

  g_assert_true (gtk_widget_activate_action (f->page, "customer.edit", NULL));
  g_assert_true (sapa_customer_page_get_editing (SAPA_CUSTOMER_PAGE (f->page)));
  g_assert_false (gtk_widget_get_visible (error_row));

  set_row (f, "phones_row", "0812-3456-7890, 12ab");
  g_assert_true (gtk_widget_activate_action (f->page, "customer.save", NULL));
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_nonnull (strstr (label_text (f, "phones_error_label"), "“12ab”"));
  g_assert_nonnull (strstr (label_text (f, "phones_error_label"), "is not a phone number"));
  g_assert_true (gtk_widget_has_css_class (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "phones_row"), "error"));
  g_assert_true (sapa_customer_page_get_editing (SAPA_CUSTOMER_PAGE (f->page)));

  set_row (f, "phones_row", "0812-3456-7890");
  set_row (f, "emails_row", "siti at example dot com");
  g_assert_true (gtk_widget_activate_action (f->page, "customer.save", NULL));
  g_assert_false (gtk_widget_get_visible (error_row));
  g_assert_true (gtk_widget_get_visible (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "emails_error_row")));
  g_assert_nonnull (strstr (label_text (f, "emails_error_label"), "is not an email address"));

  /* nothing was written: no change, no change-log entry */
  spin_for (300);
  g_assert_cmpint (sapa_store_count_changes (f->desk.store), ==, changes);
  after = stored (f);
  {
    g_auto(GStrv) phones = sapa_record_dup_list (after, "phones");
    g_auto(GStrv) emails = sapa_record_dup_list (after, "emails");

    g_assert_cmpuint (g_strv_length (phones), ==, 2);
    g_assert_cmpstr (emails[0], ==, "siti.rahayu@example.com");
  }

  /* Cancel leaves the stored customer as it was */
  g_assert_true (gtk_widget_activate_action (f->page, "customer.cancel-edit", NULL));
  g_assert_false (sapa_customer_page_get_editing (SAPA_CUSTOMER_PAGE (f->page)));
  g_assert_cmpstr (label_text (f, "emails_label"), ==, "siti.rahayu@example.com");
}

static void
test_save_and_undo (Fixture       *f,
                    gconstpointer  data)
{
  gint64 changes = sapa_store_count_changes (f->desk.store);
  gint64 after_save, after_undo;
  g_autoptr(SapaRecord) saved = NULL;
  g_autoptr(SapaRecord) undone = NULL;

  g_assert_true (gtk_widget_activate_action (f->page, "customer.edit", NULL));
  set_row (f, "phones_row", "0812 9999 8888");
  set_row (f, "emails_row", "  Siti.R@Example.COM ");
  set_row (f, "tags_row", "payroll");
  g_assert_true (gtk_widget_activate_action (f->page, "customer.save", NULL));

  /* saved off the main loop, then the toast with its Undo button */
  WAIT_UNTIL (!sapa_customer_page_get_editing (SAPA_CUSTOMER_PAGE (f->page)));
  g_assert_nonnull (find_label (f->page, "Customer saved"));
  saved = stored (f);
  {
    g_auto(GStrv) phones = sapa_record_dup_list (saved, "phones");
    g_auto(GStrv) emails = sapa_record_dup_list (saved, "emails");
    g_auto(GStrv) tags = sapa_record_dup_list (saved, "tags");

    g_assert_cmpuint (g_strv_length (phones), ==, 1);
    g_assert_cmpstr (phones[0], ==, "+6281299998888");
    g_assert_cmpstr (emails[0], ==, "siti.r@example.com");
    g_assert_cmpuint (g_strv_length (tags), ==, 1);
  }
  /* the edit (and its audit entry) are in the change log */
  after_save = sapa_store_count_changes (f->desk.store);
  g_assert_cmpint (after_save, >, changes);
  g_assert_cmpstr (label_text (f, "phones_label"), ==, "+62 812-9999-8888");

  /* Undo saves the previous version back */
  g_assert_true (gtk_widget_activate_action (f->page, "customer.undo", NULL));
  WAIT_UNTIL (find_label (f->page, "Change undone") != NULL);
  undone = stored (f);
  {
    g_auto(GStrv) phones = sapa_record_dup_list (undone, "phones");
    g_auto(GStrv) emails = sapa_record_dup_list (undone, "emails");
    g_auto(GStrv) tags = sapa_record_dup_list (undone, "tags");

    g_assert_cmpuint (g_strv_length (phones), ==, 2);
    g_assert_cmpstr (phones[0], ==, "+6281234567890");
    g_assert_cmpstr (emails[0], ==, "siti.rahayu@example.com");
    g_assert_cmpuint (g_strv_length (tags), ==, 2);
  }
  after_undo = sapa_store_count_changes (f->desk.store);
  g_assert_cmpint (after_undo, >, after_save);
  g_assert_cmpstr (label_text (f, "phones_label"), ==, "+62 812-3456-7890\n+62 21-555-0123");
  /* one undo only: the action is off now */
  gtk_widget_activate_action (f->page, "customer.undo", NULL);
  spin_for (300);
  g_assert_cmpint (sapa_store_count_changes (f->desk.store), ==, after_undo);
}

static void
test_long_notes_emoji_rtl (Fixture       *f,
                           gconstpointer  data)
{
  /* Arabic script (right to left), an emoji and Latin in one name */
  const char *name = "محمد عبد الله 😀 Rahmat";
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(SapaRecord) saved = NULL;
  GtkTextBuffer *buffer;
  GtkLabel *name_label;
  GtkTextView *notes_view;
  g_autofree char *shown = NULL;
  gint64 start;
  int width;

  while (g_utf8_strlen (notes->str, -1) < 100000)
    g_string_append (notes, "Nasabah minta kartu baru 💳 שלום ");
  g_string_truncate (notes, g_utf8_offset_to_pointer (notes->str, 100000) - notes->str);
  g_assert_cmpint (g_utf8_strlen (notes->str, -1), ==, 100000);

  g_assert_true (gtk_widget_activate_action (f->page, "customer.edit", NULL));
  set_row (f, "name_row", name);
  buffer = gtk_text_view_get_buffer (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "notes_view"));
  gtk_text_buffer_set_text (buffer, notes->str, -1);
  g_assert_true (gtk_widget_activate_action (f->page, "customer.save", NULL));
  WAIT_UNTIL (!sapa_customer_page_get_editing (SAPA_CUSTOMER_PAGE (f->page)));

  /* stored exactly */
  saved = stored (f);
  g_assert_cmpstr (sapa_record_get_string (saved, "full_name"), ==, name);
  g_assert_cmpstr (sapa_record_get_string (saved, "notes"), ==, notes->str);
  g_assert_cmpint (g_utf8_strlen (sapa_record_get_string (saved, "notes"), -1), ==, 100000);

  /* and shown: the name on one line (ellipsized, selectable), the notes in
   * full, wrapped, selectable, read-only */
  name_label = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "name_label");
  g_assert_cmpstr (gtk_label_get_text (name_label), ==, name);
  g_assert_cmpint (gtk_label_get_ellipsize (name_label), ==, PANGO_ELLIPSIZE_END);
  g_assert_true (gtk_label_get_selectable (name_label));
  notes_view = page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "notes_text");
  shown = notes_text (f);
  g_assert_cmpstr (shown, ==, notes->str);
  g_assert_cmpint (gtk_text_view_get_wrap_mode (notes_view), ==, GTK_WRAP_WORD_CHAR);
  g_assert_false (gtk_text_view_get_editable (notes_view));

  /* laid out for real within the column, and the page keeps answering */
  start = g_get_monotonic_time ();
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (notes_view)) > 0 &&
            gtk_widget_get_height (GTK_WIDGET (name_label)) > 0);
  g_test_message ("page with 100,000-character notes laid out in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  width = gtk_widget_get_width (GTK_WIDGET (notes_view));
  g_assert_cmpint (width, <, 1100);
  /* at the column's width the text view asks for the full height of the
   * notes (the allocation follows at the next frame) */
  {
    int minimum = 0, natural = 0;

    gtk_widget_measure (GTK_WIDGET (notes_view), GTK_ORIENTATION_VERTICAL, width,
                        &minimum, &natural, NULL, NULL);
    g_assert_cmpint (natural, >, 1000);
  }

  /* the same text comes back into the editor */
  g_assert_true (gtk_widget_activate_action (f->page, "customer.edit", NULL));
  g_assert_cmpstr (gtk_editable_get_text (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "name_row")), ==, name);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 100000);
  g_assert_true (gtk_widget_activate_action (f->page, "customer.cancel-edit", NULL));
}

static void
on_open_customer (SapaCustomerPage *page,
                  const char       *id,
                  char            **out)
{
  *out = g_strdup (id);
}

static void
test_merged (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *survivor = test_desk_add_customer (&f->desk, "Siti Rahayu Putri", "+6281211112222", NULL, NULL, NULL);
  g_autoptr(SapaRecord) customer = stored (f);
  g_autofree char *opened = NULL;

  g_signal_connect (f->page, "open-customer", G_CALLBACK (on_open_customer), &opened);
  g_assert_false (gtk_revealer_get_reveal_child (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "merged_revealer")));

  /* merged elsewhere (sync, another desk): the page follows the store */
  sapa_record_set_string (customer, "merged_into", survivor);
  g_assert_true (sapa_store_save (f->desk.store, customer, NULL));
  WAIT_UNTIL (gtk_revealer_get_reveal_child (page_child (f->page, SAPA_TYPE_CUSTOMER_PAGE, "merged_revealer")));
  g_assert_true (gtk_widget_activate_action (f->page, "customer.open-merged", NULL));
  g_assert_cmpstr (opened, ==, survivor);
}

/* The shortcuts the window's shortcuts overview promises. */
static gboolean
has_shortcut (GtkWidget  *widget,
              const char *trigger,
              const char *action_name)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) want = gtk_shortcut_trigger_parse_string (trigger);

  g_assert_nonnull (want);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), want) &&
              GTK_IS_NAMED_ACTION (action) &&
              g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), action_name))
            return TRUE;
        }
    }
  return FALSE;
}

/* A window-wide shortcut (the focus may be in the lookup entry): a
 * controller the window manages. */
static gboolean
has_global_shortcut (GtkWidget  *widget,
                     const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) want = gtk_shortcut_trigger_parse_string (trigger);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)) == GTK_SHORTCUT_SCOPE_LOCAL)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), want))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_shortcuts (Fixture       *f,
                gconstpointer  data)
{
  g_assert_true (has_shortcut (f->page, "<Control>Return|<Control>KP_Enter", "customer.save"));
  g_assert_true (has_global_shortcut (f->page, "<Control><Shift>v"));
  g_assert_true (has_global_shortcut (f->page, "<Control><Shift>c"));
  g_assert_true (has_global_shortcut (f->page, "<Control><Shift>n"));
  g_assert_true (has_global_shortcut (f->page, "<Control>e"));
}

int
main (int   argc,
      char *argv[])
{
  test_init (&argc, &argv);

  g_test_add ("/customer/fields", Fixture, NULL, fixture_set_up, test_fields, fixture_tear_down);
  g_test_add ("/customer/reveal", Fixture, NULL, fixture_set_up, test_reveal, fixture_tear_down);
  g_test_add ("/customer/invalid-phone-and-email", Fixture, NULL, fixture_set_up, test_invalid_phone_and_email,
              fixture_tear_down);
  g_test_add ("/customer/save-and-undo", Fixture, NULL, fixture_set_up, test_save_and_undo, fixture_tear_down);
  g_test_add ("/customer/long-notes-emoji-rtl", Fixture, NULL, fixture_set_up, test_long_notes_emoji_rtl,
              fixture_tear_down);
  g_test_add ("/customer/shortcuts", Fixture, NULL, fixture_set_up, test_shortcuts, fixture_tear_down);
  g_test_add ("/customer/merged", Fixture, NULL, fixture_set_up, test_merged, fixture_tear_down);
  return g_test_run ();
}
