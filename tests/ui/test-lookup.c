/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sapa-i18n.h"
#include "sapa-search-row.h"
#include "sapa-window.h"
#include "ui-test-util.h"

typedef struct {
  TestDesk        desk;
  SapaWindow     *window;
  SapaLookupPage *page;
  char           *budi;
  char           *siti;
  char           *jose;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  test_desk_open (&f->desk, "Test Agent");
  f->budi = test_desk_add_customer (&f->desk, "Budi Santoso", "+6281234567890", NULL, "0012345678", "vip");
  f->siti = test_desk_add_customer (&f->desk, "Siti Sitompul", "+6285711112222", "siti@example.com", NULL, "priority");
  f->jose = test_desk_add_customer (&f->desk, "José Ramos", NULL, "jose.ramos@example.com", "ACC998877", NULL);

  f->window = sapa_window_new (NULL);
  sapa_window_set_store (f->window, f->desk.store, f->desk.agent_id, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = sapa_window_get_lookup_page (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GtkWindow *dialog;

  while ((dialog = find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin_for (50);
  test_desk_close (&f->desk);
  g_free (f->budi);
  g_free (f->siti);
  g_free (f->jose);
}

static guint
n_hits (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (sapa_lookup_page_get_selection (f->page)));
}

static const char *
hit_id (Fixture *f,
        guint    position)
{
  g_autoptr(SapaRecord) hit = g_list_model_get_item (G_LIST_MODEL (sapa_lookup_page_get_selection (f->page)), position);

  g_assert_nonnull (hit);
  /* The store keeps the record alive; the id string outlives this ref. */
  return g_intern_string (sapa_record_get_id (hit));
}

/* The "last_contact_at" of @id's hit, or NULL. */
static const char *
last_contact (Fixture    *f,
              const char *id)
{
  for (guint i = 0; i < n_hits (f); i++)
    {
      g_autoptr(SapaRecord) hit = g_list_model_get_item (G_LIST_MODEL (sapa_lookup_page_get_selection (f->page)), i);

      if (g_str_equal (sapa_record_get_id (hit), id))
        return g_intern_string (sapa_record_get_extra (hit, "last_contact_at"));
    }
  return NULL;
}

static gboolean
hits_contain (Fixture    *f,
              const char *id)
{
  for (guint i = 0; i < n_hits (f); i++)
    if (g_str_equal (hit_id (f, i), id))
      return TRUE;
  return FALSE;
}

/* Sends @keyval to @widget's own capture-phase key handler, as a key press
 * on it or a child does. */
static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c) &&
          gtk_event_controller_get_propagation_phase (c) == GTK_PHASE_CAPTURE)
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

/* Types @text and waits for the search of exactly that text to answer. */
static void
search (Fixture    *f,
        const char *text)
{
  gtk_editable_set_text (sapa_lookup_page_get_search_entry (f->page), text);
  WAIT_UNTIL (!sapa_lookup_page_is_busy (f->page));
}

static void
test_classify (void)
{
  g_assert_cmpint (sapa_lookup_classify_query (""), ==, SAPA_LOOKUP_QUERY_EMPTY);
  g_assert_cmpint (sapa_lookup_classify_query ("   "), ==, SAPA_LOOKUP_QUERY_EMPTY);
  g_assert_cmpint (sapa_lookup_classify_query ("a"), ==, SAPA_LOOKUP_QUERY_TOO_SHORT);
  g_assert_cmpint (sapa_lookup_classify_query ("081"), ==, SAPA_LOOKUP_QUERY_TOO_SHORT);
  g_assert_cmpint (sapa_lookup_classify_query ("+62 8"), ==, SAPA_LOOKUP_QUERY_TOO_SHORT);
  g_assert_cmpint (sapa_lookup_classify_query ("bu"), ==, SAPA_LOOKUP_QUERY_SEARCH);
  g_assert_cmpint (sapa_lookup_classify_query ("7890"), ==, SAPA_LOOKUP_QUERY_SEARCH);
  g_assert_cmpint (sapa_lookup_classify_query ("0812-34"), ==, SAPA_LOOKUP_QUERY_SEARCH);

  g_assert_cmpstr (sapa_lookup_guess_field ("0812 3456"), ==, "phone");
  g_assert_cmpstr (sapa_lookup_guess_field ("+62 812-3456"), ==, "phone");
  g_assert_cmpstr (sapa_lookup_guess_field ("ani@example.com"), ==, "email");
  g_assert_cmpstr (sapa_lookup_guess_field ("Ani Wulandari"), ==, "full_name");
  g_assert_cmpstr (sapa_lookup_guess_field ("ACC123"), ==, "full_name");
}

static void
test_empty_and_short (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *entry = GTK_WIDGET (sapa_lookup_page_get_search_entry (f->page));
  GtkWidget *focus;

  /* Focus starts in the search entry. */
  WAIT_UNTIL ((focus = gtk_window_get_focus (GTK_WINDOW (f->window))) != NULL);
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));

  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "empty");
  g_assert_cmpuint (n_hits (f), ==, 0);

  search (f, "b");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "short");
  g_assert_cmpuint (n_hits (f), ==, 0);

  search (f, "budi");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "results");
  g_assert_cmpuint (n_hits (f), >, 0);

  /* Clearing the entry clears the results at once. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "empty");
  g_assert_cmpuint (n_hits (f), ==, 0);
  g_assert_false (sapa_lookup_page_is_busy (f->page));
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  /* Name prefix, without diacritics */
  search (f, "sito");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "results");
  g_assert_cmpstr (hit_id (f, 0), ==, f->siti);
  g_assert_false (hits_contain (f, f->budi));

  search (f, "jose");
  g_assert_cmpstr (hit_id (f, 0), ==, f->jose);

  /* Phone digits in any formatting */
  search (f, "0812 3456");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "results");
  g_assert_cmpstr (hit_id (f, 0), ==, f->budi);
  g_assert_false (hits_contain (f, f->siti));

  search (f, "5711");
  g_assert_cmpstr (hit_id (f, 0), ==, f->siti);

  /* Last four of the account */
  search (f, "8877");
  g_assert_cmpstr (hit_id (f, 0), ==, f->jose);

  /* Email prefix */
  search (f, "jose.ramos@");
  g_assert_cmpstr (hit_id (f, 0), ==, f->jose);
}

static void
test_row_shows_customer (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SapaRecord) hit = NULL;
  SapaSearchRow *row;
  const char *summary;

  search (f, "budi");
  g_assert_cmpstr (hit_id (f, 0), ==, f->budi);

  hit = g_list_model_get_item (G_LIST_MODEL (sapa_lookup_page_get_selection (f->page)), 0);
  row = SAPA_SEARCH_ROW (sapa_search_row_new ());
  g_object_ref_sink (row);
  sapa_search_row_set_item (row, G_OBJECT (hit));
  summary = sapa_search_row_get_summary (row);
  /* Name, segment badge, masked account, formatted phone, last contact */
  g_assert_nonnull (strstr (summary, "Budi Santoso"));
  g_assert_nonnull (strstr (summary, sapa_label_segment ("vip")));
  g_assert_nonnull (strstr (summary, "•••• 5678"));
  g_assert_null (strstr (summary, "0012345678"));
  g_assert_nonnull (strstr (summary, "+62 812"));
  g_assert_nonnull (strstr (summary, _("No contact yet")));
  g_object_unref (row);
}

static void
test_open_with_keyboard (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *entry = GTK_WIDGET (sapa_lookup_page_get_search_entry (f->page));
  GtkWidget *list = GTK_WIDGET (sapa_lookup_page_get_list_view (f->page));
  GtkWidget *focus;

  search (f, "sito");
  g_assert_cmpstr (hit_id (f, 0), ==, f->siti);
  spin_for (100);

  /* Down from the entry moves into the list. */
  g_assert_true (press_key (entry, GDK_KEY_Down));
  WAIT_UNTIL ((focus = gtk_window_get_focus (GTK_WINDOW (f->window))) != NULL &&
              (focus == list || gtk_widget_is_ancestor (focus, list)));
  g_assert_cmpuint (gtk_single_selection_get_selected (sapa_lookup_page_get_selection (f->page)), ==, 0);

  /* Up on the first hit goes back to the entry; Down again returns. */
  g_assert_true (press_key (list, GDK_KEY_Up));
  focus = gtk_window_get_focus (GTK_WINDOW (f->window));
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));
  g_assert_true (press_key (entry, GDK_KEY_Down));
  WAIT_UNTIL ((focus = gtk_window_get_focus (GTK_WINDOW (f->window))) != NULL &&
              gtk_widget_is_ancestor (focus, list));

  /* Enter on the focused row opens it: GTK 4.8 binds Enter on a list item to
   * its "activate-keybinding" signal. */
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (focus), ==, "GtkListItemWidget");
  g_signal_emit_by_name (focus, "activate-keybinding");
  WAIT_UNTIL (sapa_window_get_customer_id (f->window) != NULL);
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->siti);
  g_assert_cmpstr (sapa_customer_page_get_customer_id (sapa_window_get_customer_page (f->window)), ==, f->siti);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Siti Sitompul – Sapa");

  /* Enter in the entry opens the first hit. */
  sapa_lookup_page_focus_search (f->page);
  search (f, "jose");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->jose);

  /* Enter pressed before the hits came opens the first hit of what was typed. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "budi");
  g_assert_true (sapa_lookup_page_is_busy (f->page));
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->jose);
  WAIT_UNTIL (g_strcmp0 (sapa_window_get_customer_id (f->window), f->budi) == 0);

  /* Activating a row with the list's own signal opens that row. */
  search (f, "example.com");
  g_assert_cmpuint (n_hits (f), ==, 2);
  g_signal_emit_by_name (list, "activate", 1);
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, hit_id (f, 1));
}

static void
test_back_to_search (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *entry = GTK_WIDGET (sapa_lookup_page_get_search_entry (f->page));
  GtkWidget *focus;

  search (f, "jose");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->jose);
  g_assert_true (sapa_window_get_sidebar_shown (f->window));

  /* Escape (win.back-to-search) puts the focus back in the search entry
   * with its text selected, ready for the next customer. */
  gtk_widget_grab_focus (GTK_WIDGET (sapa_lookup_page_get_list_view (f->page)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back-to-search", NULL));
  focus = gtk_window_get_focus (GTK_WINDOW (f->window));
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));
  g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (entry), NULL, NULL));
}

static void
test_folded (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *entry = GTK_WIDGET (sapa_lookup_page_get_search_entry (f->page));

  /* A narrow window shows one pane at a time. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 400, 600);
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->window)) <= 420);
  spin_for (100);
  g_assert_true (sapa_window_get_sidebar_shown (f->window));

  search (f, "sito");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->siti);
  /* Opening a customer navigates to it... */
  WAIT_UNTIL (!sapa_window_get_sidebar_shown (f->window));

  /* ...and back returns to the search. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back-to-search", NULL));
  WAIT_UNTIL (sapa_window_get_sidebar_shown (f->window));
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < SAPA_SEARCH_DEFAULT_LIMIT + 10; i++)
    {
      SapaRecord *customer = sapa_record_new ("customer");
      g_autofree char *name = g_strdup_printf ("Tono Wibowo %u", i);

      sapa_record_set_string (customer, "full_name", name);
      sapa_record_set_string (customer, "segment", "regular");
      g_ptr_array_add (many, customer);
    }
  sapa_store_save_all (f->desk.store, many, &error);
  g_assert_no_error (error);

  search (f, "tono");
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "results");
  g_assert_cmpuint (n_hits (f), ==, SAPA_SEARCH_DEFAULT_LIMIT);
  g_assert_true (sapa_lookup_page_get_truncated (f->page));

  /* Narrowed down: the note goes away. */
  search (f, "sito");
  g_assert_cmpuint (n_hits (f), ==, 1);
  g_assert_false (sapa_lookup_page_get_truncated (f->page));
}

static void
check_create_prefill (Fixture    *f,
                      const char *text,
                      const char *field)
{
  SapaNewCustomerDialog *dialog;
  g_autofree char *title = NULL;
  const char *fields[] = { "full_name", "phone", "email", "account_number" };

  search (f, text);
  g_assert_cmpstr (sapa_lookup_page_get_state (f->page), ==, "none");
  g_assert_cmpuint (n_hits (f), ==, 0);

  g_assert_null (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG));
  g_signal_emit_by_name (sapa_lookup_page_get_create_button (f->page), "clicked");
  dialog = SAPA_NEW_CUSTOMER_DIALOG (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      AdwEntryRow *row = sapa_new_customer_dialog_get_row (dialog, fields[i]);

      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==,
                       g_str_equal (fields[i], field) ? text : "");
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_for (20);
}

static void
test_no_results_create (Fixture       *f,
                        gconstpointer  data)
{
  check_create_prefill (f, "Wulandari", "full_name");
  check_create_prefill (f, "0899 7777 6666", "phone");
  check_create_prefill (f, "ani@example.org", "email");
}

static void
test_refresh_on_change (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *other = NULL;

  search (f, "sito");
  g_assert_cmpuint (n_hits (f), ==, 1);

  /* A customer saved elsewhere (another window, sync) shows up by itself. */
  other = test_desk_add_customer (&f->desk, "Rudi Sitorus", "+6281398765432", NULL, NULL, NULL);
  WAIT_UNTIL (n_hits (f) == 2 && !sapa_lookup_page_is_busy (f->page));
  g_assert_true (hits_contain (f, other));

  /* A visit logged for a customer updates their "last contact". */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(SapaRecord) interaction = NULL;
    SapaContact contact = {
      .customer_id = f->siti,
      .reason = "account",
      .channel = "walk_in",
      .direction = "inbound",
      .body = "Ganti buku tabungan",
      .started_at = g_get_real_time () / G_USEC_PER_SEC,
      .wait_seconds = -1,
      .agent_id = f->desk.agent_id,
    };

    g_assert_null (last_contact (f, f->siti));
    interaction = sapa_desk_log_contact (f->desk.store, &contact, &error);
    g_assert_no_error (error);
    WAIT_UNTIL (last_contact (f, f->siti) != NULL && !sapa_lookup_page_is_busy (f->page));
  }
}

static void
test_stale_results_dropped (Fixture       *f,
                            gconstpointer  data)
{
  GtkEditable *entry = sapa_lookup_page_get_search_entry (f->page);

  /* Typing fast: only the last text is searched and shown. */
  gtk_editable_set_text (entry, "bu");
  gtk_editable_set_text (entry, "budi");
  gtk_editable_set_text (entry, "siti");
  WAIT_UNTIL (!sapa_lookup_page_is_busy (f->page));
  spin_for (300);
  g_assert_cmpuint (n_hits (f), ==, 1);
  g_assert_cmpstr (hit_id (f, 0), ==, f->siti);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  /* After gtk_test_init, which sets the en_US.UTF-8 locale. */
  sapa_i18n_init ();
  adw_init ();

  g_test_add_func ("/lookup/classify", test_classify);
#define ADD(path, fn) g_test_add ("/lookup/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("empty-and-short", test_empty_and_short);
  ADD ("find", test_find);
  ADD ("row-shows-customer", test_row_shows_customer);
  ADD ("open-with-keyboard", test_open_with_keyboard);
  ADD ("back-to-search", test_back_to_search);
  ADD ("folded", test_folded);
  ADD ("no-results-create", test_no_results_create);
  ADD ("truncated", test_truncated);
  ADD ("refresh-on-change", test_refresh_on_change);
  ADD ("stale-results-dropped", test_stale_results_dropped);
#undef ADD

  return g_test_run ();
}
