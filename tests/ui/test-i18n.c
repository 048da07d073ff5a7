/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sapa-format.h"
#include "sapa-i18n.h"
#include "sapa-window.h"
#include "ui-test-util.h"

/*
 * Run with LANGUAGE=id and LANGUAGE=en. In Indonesian every string below must
 * come out translated (po/id.po), dates and numbers as the id_ID locale
 * writes them.
 */

static gboolean
is_indonesian (void)
{
  return g_str_has_prefix (g_getenv ("LANGUAGE"), "id");
}

/* Strings of the window, lookup page and dialogs that must be translated. */
static const char * const translated_msgids[] = {
  "Search customers",
  "Name, phone, email or account number",
  "Find a Customer",
  "Keep Typing",
  "_Create Customer",
  "No Customer Open",
  "New Customer",
  "Full Name",
  "Enter the customer’s full name.",
  "No contact yet",
  "Applied the next time Sapa starts",
  "Cannot Open the Database",
  "%d min %d s",
};

static void
test_catalogue (void)
{
  if (is_indonesian ())
    {
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Today"), ==, "Hari ini");
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Yesterday"), ==, "Kemarin");
      for (guint i = 0; i < G_N_ELEMENTS (translated_msgids); i++)
        {
          const char *text = g_dgettext (GETTEXT_PACKAGE, translated_msgids[i]);

          if (g_str_equal (text, translated_msgids[i]))
            g_error ("“%s” has no Indonesian translation in po/id.po", translated_msgids[i]);
        }
    }
  else
    {
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Today"), ==, "Today");
      for (guint i = 0; i < G_N_ELEMENTS (translated_msgids); i++)
        g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, translated_msgids[i]), ==, translated_msgids[i]);
    }
}

static void
test_formats (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 23, 10, 0, 0);
  g_autoptr(GDateTime) this_morning = g_date_time_new_utc (2026, 11, 23, 0, 5, 0);
  g_autoptr(GDateTime) yesterday = g_date_time_new_utc (2026, 11, 22, 23, 59, 0);
  g_autoptr(GDateTime) august = g_date_time_new_utc (2026, 8, 7, 9, 0, 0);
  g_autoptr(GDateTime) december = g_date_time_new_utc (2025, 12, 31, 9, 0, 0);
  g_autofree char *today_text = sapa_format_day_relative_to (this_morning, now);
  g_autofree char *yesterday_text = sapa_format_day_relative_to (yesterday, now);
  g_autofree char *august_text = sapa_format_day_relative_to (august, now);
  g_autofree char *december_text = sapa_format_date (december);
  g_autofree char *count = sapa_format_count (1234567);
  g_autofree char *duration = sapa_format_duration (725);
  g_autofree char *short_duration = sapa_format_duration (45);
  g_autofree char *never = sapa_format_relative_contact (0);

  if (is_indonesian ())
    {
      /* Month names and digit grouping of the id_ID locale */
      g_assert_cmpstr (august_text, ==, "7 Agu 2026");
      g_assert_cmpstr (december_text, ==, "31 Des 2025");
      g_assert_cmpstr (count, ==, "1.234.567");
      g_assert_cmpstr (today_text, ==, "Hari ini");
      g_assert_cmpstr (yesterday_text, ==, "Kemarin");
      g_assert_cmpstr (never, !=, "No contact yet");
      g_assert_cmpstr (duration, !=, "12 min 5 s");
    }
  else
    {
      g_assert_cmpstr (today_text, ==, "Today");
      g_assert_cmpstr (yesterday_text, ==, "Yesterday");
      g_assert_cmpstr (august_text, ==, "7 Aug 2026");
      g_assert_cmpstr (december_text, ==, "31 Dec 2025");
      g_assert_cmpstr (count, ==, "1,234,567");
      g_assert_cmpstr (never, ==, "No contact yet");
      g_assert_cmpstr (duration, ==, "12 min 5 s");
      g_assert_cmpstr (short_duration, ==, "45 s");
    }
}

static void
test_window_strings (void)
{
  TestDesk desk = { 0 };
  SapaWindow *window;
  SapaLookupPage *page;
  g_autofree char *placeholder = NULL;
  GtkButton *create;

  test_desk_open (&desk, "Test Agent");
  window = sapa_window_new (NULL);
  sapa_window_set_store (window, desk.store, desk.agent_id, NULL);
  gtk_window_present (GTK_WINDOW (window));
  page = sapa_window_get_lookup_page (window);

  /* The templates take their strings from Sapa's catalogue. */
  g_object_get (sapa_lookup_page_get_search_entry (page), "placeholder-text", &placeholder, NULL);
  g_assert_cmpstr (placeholder, ==, g_dgettext (GETTEXT_PACKAGE, "Name, phone, email or account number"));
  create = sapa_lookup_page_get_create_button (page);
  g_assert_cmpstr (gtk_button_get_label (create), ==, g_dgettext (GETTEXT_PACKAGE, "_Create Customer"));
  if (is_indonesian ())
    {
      g_assert_cmpstr (placeholder, !=, "Name, phone, email or account number");
      g_assert_cmpstr (gtk_button_get_label (create), !=, "_Create Customer");
    }
  else
    g_assert_cmpstr (placeholder, ==, "Name, phone, email or account number");

  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (50);
  test_desk_close (&desk);
}

/* The Preferences language applies at the next start, before anything is
 * translated; a LANGUAGE set by the person is overridden by the choice. */
static void
test_language_setting (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("id.sapa.Desk");
  gboolean was_indonesian = is_indonesian ();
  const char *chosen = was_indonesian ? "en" : "id";

  g_settings_set_string (settings, "language", chosen);
  sapa_i18n_init ();
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, chosen);
  g_assert_cmpstr (sapa_i18n_get_language (), ==, chosen);
  if (!was_indonesian)
    {
      g_autoptr(GDateTime) august = g_date_time_new_utc (2026, 8, 7, 9, 0, 0);
      g_autofree char *text = sapa_format_date (august);
      g_autofree char *count = sapa_format_count (1234567);

      /* Dates and numbers follow the chosen language too. */
      g_assert_cmpstr (text, ==, "7 Agu 2026");
      g_assert_cmpstr (count, ==, "1.234.567");
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  /* After gtk_test_init, which sets the en_US.UTF-8 locale. */
  sapa_i18n_init ();
  adw_init ();

  g_test_add_func ("/i18n/catalogue", test_catalogue);
  g_test_add_func ("/i18n/formats", test_formats);
  g_test_add_func ("/i18n/window-strings", test_window_strings);
  /* Last: it changes the language of this process. */
  g_test_add_func ("/i18n/language-setting", test_language_setting);

  return g_test_run ();
}
