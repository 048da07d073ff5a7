/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sapa-i18n.h"
#include "sapa-window.h"
#include "ui-test-util.h"

typedef struct {
  TestDesk    desk;
  SapaWindow *window;
  char       *budi;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  test_desk_open (&f->desk, "Test Agent");
  f->budi = test_desk_add_customer (&f->desk, "Budi Santoso", "+6281234567890",
                                    "budi@example.com", "0012345678", NULL);
  f->window = sapa_window_new (NULL);
  sapa_window_set_store (f->window, f->desk.store, f->desk.agent_id, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
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
}

static SapaNewCustomerDialog *
open_dialog (Fixture *f)
{
  SapaNewCustomerDialog *dialog;

  /* Ctrl+N is win.new-customer. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-customer", NULL));
  dialog = SAPA_NEW_CUSTOMER_DIALOG (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG));
  g_assert_nonnull (dialog);
  return dialog;
}

static void
fill (SapaNewCustomerDialog *dialog,
      const char            *field,
      const char            *text)
{
  gtk_editable_set_text (GTK_EDITABLE (sapa_new_customer_dialog_get_row (dialog, field)), text);
}

static gboolean
error_shown (SapaNewCustomerDialog *dialog,
             const char            *field)
{
  GtkLabel *label = sapa_new_customer_dialog_get_error (dialog, field);
  GtkWidget *row = GTK_WIDGET (sapa_new_customer_dialog_get_row (dialog, field));

  return gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (label))) &&
         gtk_label_get_text (label)[0] != '\0' &&
         gtk_widget_has_css_class (row, "error");
}

static void
click (GtkButton *button)
{
  g_signal_emit_by_name (button, "clicked");
}

static void
test_invalid_fields (Fixture       *f,
                     gconstpointer  data)
{
  SapaNewCustomerDialog *dialog = open_dialog (f);
  guint customers = test_desk_count_customers (&f->desk);
  gint64 changes = sapa_store_count_changes (f->desk.store);

  /* Nothing typed: the name is asked for. */
  sapa_new_customer_dialog_save (dialog);
  g_assert_true (error_shown (dialog, "full_name"));
  g_assert_cmpstr (gtk_label_get_text (sapa_new_customer_dialog_get_error (dialog, "full_name")), ==,
                   _("Enter the customer’s full name."));

  fill (dialog, "full_name", "Ani Wulandari");
  fill (dialog, "phone", "12ab");
  fill (dialog, "email", "ani at example");
  sapa_new_customer_dialog_save (dialog);
  g_assert_false (error_shown (dialog, "full_name"));
  g_assert_true (error_shown (dialog, "phone"));
  g_assert_true (error_shown (dialog, "email"));
  g_assert_false (error_shown (dialog, "account_number"));
  /* The message is the translated one (LANGUAGE of this test). */
  g_assert_cmpstr (gtk_label_get_text (sapa_new_customer_dialog_get_error (dialog, "phone")), ==,
                   g_dgettext (GETTEXT_PACKAGE, "This is not a phone number. Enter it with its area or mobile prefix, for example 0812 3456 7890 or +62 812 3456 7890."));
  /* In Indonesian the message must be Indonesian (po/id.po). */
  if (g_str_has_prefix (g_getenv ("LANGUAGE"), "id"))
    {
      g_assert_cmpstr (gtk_label_get_text (sapa_new_customer_dialog_get_error (dialog, "phone")), !=,
                       "This is not a phone number. Enter it with its area or mobile prefix, for example 0812 3456 7890 or +62 812 3456 7890.");
      g_assert_cmpstr (gtk_label_get_text (sapa_new_customer_dialog_get_error (dialog, "email")), !=,
                       "This is not an email address. Check it, for example name@example.com.");
    }
  g_assert_false (sapa_new_customer_dialog_is_saving (dialog));
  spin_for (200);

  /* Nothing saved, and the dialog stays open. */
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers);
  g_assert_cmpint (sapa_store_count_changes (f->desk.store), ==, changes);
  g_assert_true (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG) == GTK_WINDOW (dialog));

  /* Fixing the phone clears its error on the next save attempt. */
  fill (dialog, "phone", "0813 1111 2222");
  sapa_new_customer_dialog_save (dialog);
  g_assert_false (error_shown (dialog, "phone"));
  g_assert_true (error_shown (dialog, "email"));
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers);
}

static void
test_duplicate_open (Fixture       *f,
                     gconstpointer  data)
{
  SapaNewCustomerDialog *dialog = open_dialog (f);
  guint customers = test_desk_count_customers (&f->desk);
  const char *warning;

  fill (dialog, "full_name", "Budi S.");
  fill (dialog, "phone", "0812-3456-7890");
  sapa_new_customer_dialog_save (dialog);

  warning = sapa_new_customer_dialog_get_duplicate_warning (dialog);
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, "Budi Santoso"));
  g_assert_false (sapa_new_customer_dialog_is_saving (dialog));
  spin_for (100);
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers);

  /* "Open Customer" opens the one who has the number, and creates nothing. */
  click (sapa_new_customer_dialog_get_open_duplicate_button (dialog));
  g_assert_null (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG));
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), ==, f->budi);
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers);
}

static void
test_duplicate_email_and_account (Fixture       *f,
                                  gconstpointer  data)
{
  SapaNewCustomerDialog *dialog = open_dialog (f);

  fill (dialog, "full_name", "Someone Else");
  fill (dialog, "email", "  BUDI@example.com ");
  sapa_new_customer_dialog_save (dialog);
  g_assert_nonnull (sapa_new_customer_dialog_get_duplicate_warning (dialog));
  g_assert_nonnull (strstr (sapa_new_customer_dialog_get_duplicate_warning (dialog), "Budi Santoso"));

  /* Editing a field takes the warning away until the next save. */
  fill (dialog, "email", "someone@example.com");
  g_assert_null (sapa_new_customer_dialog_get_duplicate_warning (dialog));

  fill (dialog, "account_number", "0012345678");
  sapa_new_customer_dialog_save (dialog);
  g_assert_nonnull (sapa_new_customer_dialog_get_duplicate_warning (dialog));
  /* The account number is never shown in full. */
  g_assert_null (strstr (sapa_new_customer_dialog_get_duplicate_warning (dialog), "0012345678"));
  g_assert_nonnull (strstr (sapa_new_customer_dialog_get_duplicate_warning (dialog), "5678"));
}

static void
test_duplicate_create_anyway (Fixture       *f,
                              gconstpointer  data)
{
  SapaNewCustomerDialog *dialog = open_dialog (f);
  guint customers = test_desk_count_customers (&f->desk);

  fill (dialog, "full_name", "Budi Santoso");
  fill (dialog, "phone", "+62 812 3456 7890");
  sapa_new_customer_dialog_save (dialog);
  g_assert_nonnull (sapa_new_customer_dialog_get_duplicate_warning (dialog));

  click (sapa_new_customer_dialog_get_create_anyway_button (dialog));
  WAIT_UNTIL (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG) == NULL);
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers + 1);
  /* The window shows the new one, not the one it resembles. */
  g_assert_nonnull (sapa_window_get_customer_id (f->window));
  g_assert_cmpstr (sapa_window_get_customer_id (f->window), !=, f->budi);
}

static void
test_valid_save (Fixture       *f,
                 gconstpointer  data)
{
  SapaNewCustomerDialog *dialog = open_dialog (f);
  guint customers = test_desk_count_customers (&f->desk);
  gint64 changes = sapa_store_count_changes (f->desk.store);
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(SapaRecord) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) phones = NULL;
  g_auto(GStrv) emails = NULL;
  const char *id;
  gboolean logged = FALSE;

  fill (dialog, "full_name", "  Dewi Lestari ");
  fill (dialog, "phone", "0813 1111 2222");
  fill (dialog, "email", "Dewi.Lestari@Example.com");
  fill (dialog, "account_number", "7788-9900-11");
  sapa_new_customer_dialog_save (dialog);
  g_assert_null (sapa_new_customer_dialog_get_duplicate_warning (dialog));
  g_assert_true (sapa_new_customer_dialog_is_saving (dialog));

  WAIT_UNTIL (find_toplevel (SAPA_TYPE_NEW_CUSTOMER_DIALOG) == NULL);
  g_assert_cmpuint (test_desk_count_customers (&f->desk), ==, customers + 1);

  /* The window opens the new customer. */
  id = sapa_window_get_customer_id (f->window);
  g_assert_nonnull (id);
  saved = sapa_store_get (f->desk.store, "customer", id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (saved, "full_name"), ==, "Dewi Lestari");
  phones = sapa_record_dup_list (saved, "phones");
  g_assert_cmpstrv (phones, ((const char * const[]) { "+6281311112222", NULL }));
  emails = sapa_record_dup_list (saved, "emails");
  g_assert_cmpstrv (emails, ((const char * const[]) { "dewi.lestari@example.com", NULL }));
  g_assert_nonnull (sapa_record_get_string (saved, "account_number"));
  g_assert_cmpstr (sapa_record_get_string (saved, "segment"), ==, "regular");
  g_assert_cmpint (sapa_record_get_int (saved, "created_at"), >, 0);

  /* Written with its change-log entry. */
  g_assert_cmpint (sapa_store_count_changes (f->desk.store), >, changes);
  log = sapa_store_list_changes (f->desk.store, 0, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < log->len; i++)
    {
      JsonObject *change = g_ptr_array_index (log, i);

      if (g_str_equal (json_object_get_string_member (change, "entity"), "customer") &&
          g_str_equal (json_object_get_string_member (change, "id"), id))
        logged = TRUE;
    }
  g_assert_true (logged);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  /* After gtk_test_init, which sets the en_US.UTF-8 locale. */
  sapa_i18n_init ();
  adw_init ();

#define ADD(path, fn) g_test_add ("/new-customer/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("invalid-fields", test_invalid_fields);
  ADD ("duplicate-open", test_duplicate_open);
  ADD ("duplicate-email-and-account", test_duplicate_email_and_account);
  ADD ("duplicate-create-anyway", test_duplicate_create_anyway);
  ADD ("valid-save", test_valid_save);
#undef ADD

  return g_test_run ();
}
