/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <sqlite3.h>
#include <string.h>

#include "sapa-application.h"
#include "sapa-i18n.h"
#include "sapa-preferences-window.h"
#include "sapa-window.h"
#include "ui-test-util.h"

static char *tmp_dir;
static SapaApplication *the_app;

/* One registered application for the whole test, as in a running Sapa. */
static SapaApplication *
new_app (void)
{
  g_autoptr(GError) error = NULL;

  if (the_app == NULL)
    {
      the_app = sapa_application_new ();
      /* Not unique: the test owns no name on the bus. */
      g_application_set_flags (G_APPLICATION (the_app), G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (the_app), NULL, &error);
      g_assert_no_error (error);
    }
  return g_object_ref (the_app);
}

static SapaWindow *
app_window (SapaApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (SAPA_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
destroy_windows (SapaApplication *app)
{
  GList *windows;
  GtkWindow *dialog;

  while ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL)
    gtk_window_destroy (dialog);
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  spin_for (50);
}

static AdwMessageDialog *
wait_for_error_dialog (void)
{
  WAIT_UNTIL (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  return ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static void
check_refused (const char *path)
{
  g_autoptr(SapaApplication) app = new_app ();
  AdwMessageDialog *dialog;

  sapa_application_open_database (app, path);
  dialog = wait_for_error_dialog ();

  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, _("Cannot Open the Database"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), path));
  g_assert_true (adw_message_dialog_has_response (dialog, "choose"));
  g_assert_true (adw_message_dialog_has_response (dialog, "quit"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "choose"), ==,
                   _("_Choose Another File…"));
  g_assert_null (sapa_window_get_store (app_window (app)));

  destroy_windows (app);
}

static void
test_corrupt_database (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "corrupt.sqlite", NULL);
  g_autoptr(GString) junk = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2000; i++)
    g_string_append (junk, "this is not a database ");
  g_file_set_contents (path, junk->str, junk->len, &error);
  g_assert_no_error (error);

  check_refused (path);
}

static gboolean
chooser_has_file (GtkFileChooser *chooser,
                  GFile          *file)
{
  g_autoptr(GFile) selected = gtk_file_chooser_get_file (chooser);

  return selected != NULL && g_file_equal (selected, file);
}

/* "Choose Another File…" then a good file: Sapa opens it and goes on. */
static void
test_choose_another (void)
{
  g_autoptr(SapaApplication) app = new_app ();
  g_autofree char *bad = g_build_filename (tmp_dir, "not-a-db.sqlite", NULL);
  g_autofree char *good = g_build_filename (tmp_dir, "chosen.sqlite", NULL);
  g_autoptr(GFile) good_file = g_file_new_for_path (good);
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  GtkWindow *chooser;
  SapaStore *store;
  SapaWindow *window;

  g_file_set_contents (bad, "garbage, not SQLite at all. garbage, not SQLite at all.", -1, &error);
  g_assert_no_error (error);
  store = sapa_store_open (good, &error);
  g_assert_no_error (error);
  g_object_unref (store);

  sapa_application_open_database (app, bad);
  dialog = wait_for_error_dialog ();
  adw_message_dialog_response (dialog, "choose");

  WAIT_UNTIL ((chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL);
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), good_file, &error);
  g_assert_no_error (error);
  /* The chooser selects the file once it has loaded the folder. */
  WAIT_UNTIL (chooser_has_file (GTK_FILE_CHOOSER (chooser), good_file));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);

  WAIT_UNTIL ((window = app_window (app)) != NULL && sapa_window_get_store (window) != NULL);
  g_assert_cmpstr (sapa_store_get_path (sapa_window_get_store (window)), ==, good);
  destroy_windows (app);
}

static void
test_too_new_database (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "newer.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  SapaStore *store;
  sqlite3 *db = NULL;

  /* A database written by a newer Sapa: a later schema version. */
  store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  check_refused (path);
}

static void
test_unreadable_database (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "no-such-dir", "desk.sqlite", NULL);

  check_refused (path);
}

static void
test_open_remembers (void)
{
  g_autoptr(SapaApplication) app = new_app ();
  g_autofree char *path = g_build_filename (tmp_dir, "good.sqlite", NULL);
  g_autoptr(GSettings) settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  g_autofree char *remembered = NULL;
  g_autofree char *start = NULL;
  g_autofree char *language = NULL;
  g_autoptr(SapaStore) old_store = NULL;
  GtkWindow *preferences;
  SapaWindow *window;

  sapa_application_open_database (app, path);
  WAIT_UNTIL ((window = app_window (app)) != NULL && sapa_window_get_store (window) != NULL);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  remembered = g_settings_get_string (settings, "last-database");
  g_assert_cmpstr (remembered, ==, path);
  start = sapa_application_dup_start_database (app);
  g_assert_cmpstr (start, ==, path);

  /* The lookup page searches this database. */
  g_assert_true (sapa_lookup_page_get_store (sapa_window_get_lookup_page (window)) ==
                 sapa_window_get_store (window));

  /* Keyboard shortcuts window from the GResource help overlay */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  WAIT_UNTIL (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW) != NULL);
  gtk_window_destroy (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));

  /* About */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  WAIT_UNTIL (find_toplevel (ADW_TYPE_ABOUT_WINDOW) != NULL);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (find_toplevel (ADW_TYPE_ABOUT_WINDOW))), ==,
                   PACKAGE_VERSION);
  gtk_window_destroy (find_toplevel (ADW_TYPE_ABOUT_WINDOW));

  /* Preferences: the language setting, and reopening the database now. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  WAIT_UNTIL ((preferences = find_toplevel (SAPA_TYPE_PREFERENCES_WINDOW)) != NULL);
  old_store = g_object_ref (sapa_window_get_store (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "app.reopen-database", NULL));
  WAIT_UNTIL (sapa_window_get_store (window) != NULL && sapa_window_get_store (window) != old_store);
  g_assert_cmpstr (sapa_store_get_path (sapa_window_get_store (window)), ==, path);
  gtk_window_destroy (preferences);

  /* The language row stores "", "id" or "en" for the next start. */
  sapa_preferences_window_set_language_index (SAPA_PREFERENCES_WINDOW (preferences = GTK_WINDOW (sapa_preferences_window_new (path))), 1);
  language = g_settings_get_string (settings, "language");
  g_assert_cmpstr (language, ==, "id");
  g_settings_set_string (settings, "language", "en");
  g_assert_cmpuint (sapa_preferences_window_get_language_index (SAPA_PREFERENCES_WINDOW (preferences)), ==, 2);
  g_settings_reset (settings, "language");
  g_assert_cmpuint (sapa_preferences_window_get_language_index (SAPA_PREFERENCES_WINDOW (preferences)), ==, 0);
  gtk_window_destroy (preferences);

  destroy_windows (app);
}

static void
test_default_database (void)
{
  g_autoptr(SapaApplication) app = new_app ();
  g_autoptr(GSettings) settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  g_autofree char *expected = g_build_filename (tmp_dir, "data", "sapa", "desk.sqlite", NULL);
  g_autofree char *dir = g_path_get_dirname (expected);
  g_autofree char *start = NULL;

  /* A remembered file that is gone falls back to the default. */
  g_settings_set_string (settings, "last-database", "/nonexistent/old.sqlite");
  start = sapa_application_dup_start_database (app);
  g_assert_cmpstr (start, ==, expected);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
}

static void
test_window_size_saved (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  SapaWindow *window;

  window = sapa_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 610);
  gtk_window_present (GTK_WINDOW (window));
  spin_for (100);
  gtk_window_close (GTK_WINDOW (window));
  spin_for (50);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 610);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* The next window opens at that size. */
  window = sapa_window_new (NULL);
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
    g_assert_cmpint (width, ==, 900);
    g_assert_cmpint (height, ==, 610);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  int ret;

  tmp_dir = g_dir_make_tmp ("sapa-app-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  /* After gtk_test_init, which sets the en_US.UTF-8 locale. */
  sapa_i18n_init ();
  adw_init ();

  g_test_add_func ("/app/corrupt-database", test_corrupt_database);
  g_test_add_func ("/app/unreadable-database", test_unreadable_database);
  g_test_add_func ("/app/too-new-database", test_too_new_database);
  g_test_add_func ("/app/choose-another", test_choose_another);
  g_test_add_func ("/app/open-remembers", test_open_remembers);
  g_test_add_func ("/app/default-database", test_default_database);
  g_test_add_func ("/app/window-size-saved", test_window_size_saved);

  ret = g_test_run ();
  g_clear_object (&the_app);

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  return ret;
}
