/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-application"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sapa/sapa.h>

#include "sapa-application.h"
#include "sapa-startup-report.h"
#include "sapa-preferences-window.h"
#include "sapa-window.h"

struct _SapaApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *database;     /* from --database */
  GCancellable   *cancellable;  /* the open in progress */
  gboolean        opened;       /* a database was opened once */
};

G_DEFINE_FINAL_TYPE (SapaApplication, sapa_application, ADW_TYPE_APPLICATION)

static void open_database   (SapaApplication *self,
                             const char      *path);
static void show_open_error (SapaApplication *self,
                             const char      *path,
                             const GError    *error);

static SapaWindow *
get_window (SapaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL && SAPA_IS_WINDOW (window))
    return SAPA_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SAPA_IS_WINDOW (l->data))
      return SAPA_WINDOW (l->data);

  window = GTK_WINDOW (sapa_window_new (GTK_APPLICATION (self)));
  sapa_startup_report_watch_first_frame (GTK_WIDGET (window));
  return SAPA_WINDOW (window);
}

char *
sapa_application_dup_default_database (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "sapa", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_warning ("Could not create %s: %s", dir, g_strerror (errno));
  return g_build_filename (dir, "desk.sqlite", NULL);
}

char *
sapa_application_dup_start_database (SapaApplication *self)
{
  g_autofree char *last = NULL;

  g_return_val_if_fail (SAPA_IS_APPLICATION (self), NULL);

  if (self->database != NULL)
    return g_strdup (self->database);

  last = g_settings_get_string (self->settings, "last-database");
  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&last);

  return sapa_application_dup_default_database ();
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *previous = g_strdup (g_object_get_data (G_OBJECT (chooser), "previous-path"));
  g_autofree char *message = g_strdup (g_object_get_data (G_OBJECT (chooser), "previous-error"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file ? g_file_get_path (file) : NULL;
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (path != NULL)
    {
      open_database (self, path);
      return;
    }

  /* Nothing chosen: without a database there is nothing to do but ask again. */
  if (sapa_window_get_store (get_window (self)) == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (SAPA_STORE_ERROR, SAPA_STORE_ERROR_CANNOT_OPEN, message);

      show_open_error (self, previous, error);
    }
}

static void
choose_database (SapaApplication *self,
                 const char      *previous_path,
                 const char      *previous_error)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) databases = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Desk Database"),
                                         GTK_WINDOW (get_window (self)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  gtk_file_filter_set_name (databases, _("Sapa Databases"));
  gtk_file_filter_add_pattern (databases, "*.sqlite");
  gtk_file_filter_add_pattern (databases, "*.db");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), databases);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  g_object_set_data_full (G_OBJECT (chooser), "previous-path", g_strdup (previous_path), g_free);
  g_object_set_data_full (G_OBJECT (chooser), "previous-error", g_strdup (previous_error), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_error_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        gpointer          user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);

  if (g_str_equal (response, "choose"))
    choose_database (self,
                     g_object_get_data (G_OBJECT (dialog), "path"),
                     g_object_get_data (G_OBJECT (dialog), "message"));
  else if (g_str_equal (response, "quit"))
    g_application_quit (G_APPLICATION (self));
}

static void
show_open_error (SapaApplication *self,
                 const char      *path,
                 const GError    *error)
{
  SapaWindow *window = get_window (self);
  gboolean have_store = sapa_window_get_store (window) != NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: the error message, then the file it is about */
  body = g_strdup_printf (_("%s\n\nFile: %s"), error->message, path);

  dialog = adw_message_dialog_new (GTK_WINDOW (window),
                                   _("Cannot Open the Database"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    have_store ? "keep" : "quit",
                                    have_store ? _("_Keep the Current One") : _("_Quit"),
                                    "choose", _("_Choose Another File…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "choose",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "choose");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), have_store ? "keep" : "quit");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "message", g_strdup (error->message), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (open_error_response_cb), self, 0);

  gtk_window_present (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
agent_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  SapaStore *store = SAPA_STORE (object);
  g_autoptr(SapaRecord) agent = NULL;
  g_autoptr(GError) error = NULL;
  SapaWindow *window;

  agent = sapa_desk_ensure_agent_finish (store, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (agent == NULL)
    {
      g_message ("Could not open %s: %s", sapa_store_get_path (store), error->message);
      show_open_error (self, sapa_store_get_path (store), error);
      return;
    }

  g_settings_set_string (self->settings, "last-database", sapa_store_get_path (store));
  self->opened = TRUE;

  window = get_window (self);
  sapa_window_set_store (window, store,
                         sapa_record_get_id (agent),
                         sapa_record_get_string (agent, "branch_id"));
  gtk_window_present (GTK_WINDOW (window));
  sapa_startup_report_ready (GTK_WIDGET (window));
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (g_object_get_data (G_OBJECT (self->cancellable), "path"));

  store = sapa_store_open_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (store == NULL)
    {
      g_clear_object (&self->cancellable);
      g_message ("Could not open %s: %s", path, error->message);
      show_open_error (self, path, error);
      return;
    }

  /* The desk's agent: on a new database this writes, so not on the main loop. */
  sapa_desk_ensure_agent_async (store, g_get_real_name (), self->cancellable,
                                agent_ready_cb, g_object_ref (self));
}

static void
open_database (SapaApplication *self,
               const char      *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autofree char *absolute = g_file_get_path (file);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (self->cancellable), "path", g_strdup (absolute), g_free);

  /* Start the open before building or showing anything: it runs in a
   * thread while the window is made, and when it finishes before the
   * first frame the desk is drawn straight away. */
  sapa_store_open_async (absolute, self->cancellable, store_opened_cb, g_object_ref (self));
  sapa_window_show_loading (get_window (self), absolute);
}

void
sapa_application_open_database (SapaApplication *self,
                                const char      *path)
{
  g_return_if_fail (SAPA_IS_APPLICATION (self));
  g_return_if_fail (path != NULL);

  open_database (self, path);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  SapaWindow *window = get_window (self);
  SapaStore *store = sapa_window_get_store (window);
  SapaPreferencesWindow *preferences;

  preferences = sapa_preferences_window_new (store ? sapa_store_get_path (store) : NULL);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (window));
  /* Its "Open Now" toast activates app.reopen-database. */
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  GtkWidget *about;
  const char *developers[] = { _("The Sapa developers"), NULL };

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_window (self),
                        "application-name", _("Sapa"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Sapa developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Find any customer in a second, see every contact they had on every channel, and log what happens at the counter."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", _("© 2026 The Sapa developers"),
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SAPA_IS_WINDOW (l->data))
      gtk_window_close (GTK_WINDOW (l->data));
  g_application_quit (G_APPLICATION (self));
}

static void
reopen_database_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  g_autofree char *path = g_settings_get_string (self->settings, "last-database");

  if (path[0] != '\0')
    open_database (self, path);
}

static const GActionEntry app_entries[] = {
  { .name = "preferences", .activate = preferences_activated },
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
  { .name = "reopen-database", .activate = reopen_database_activated },
};

static int
sapa_application_handle_local_options (GApplication *application,
                                       GVariantDict *options)
{
  SapaApplication *self = SAPA_APPLICATION (application);
  g_autofree char *database = NULL;

  if (g_variant_dict_lookup (options, "database", "^ay", &database))
    {
      g_free (self->database);
      self->database = g_steal_pointer (&database);
    }

  return G_APPLICATION_CLASS (sapa_application_parent_class)->handle_local_options (application, options);
}

static void
sapa_application_startup (GApplication *application)
{
  SapaApplication *self = SAPA_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.new-customer", { "<Control>n", NULL } },
  };

  G_APPLICATION_CLASS (sapa_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
}

static void
sapa_application_activate (GApplication *application)
{
  SapaApplication *self = SAPA_APPLICATION (application);

  if (!self->opened && self->cancellable == NULL)
    {
      g_autofree char *path = sapa_application_dup_start_database (self);

      open_database (self, path);
    }

  gtk_window_present (GTK_WINDOW (get_window (self)));
}

static void
sapa_application_dispose (GObject *object)
{
  SapaApplication *self = SAPA_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sapa_application_parent_class)->dispose (object);
}

static void
sapa_application_finalize (GObject *object)
{
  SapaApplication *self = SAPA_APPLICATION (object);

  g_free (self->database);

  G_OBJECT_CLASS (sapa_application_parent_class)->finalize (object);
}

static void
sapa_application_class_init (SapaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sapa_application_dispose;
  object_class->finalize = sapa_application_finalize;
  app_class->handle_local_options = sapa_application_handle_local_options;
  app_class->startup = sapa_application_startup;
  app_class->activate = sapa_application_activate;
}

static void
sapa_application_init (SapaApplication *self)
{
  static const GOptionEntry options[] = {
    { "database", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("The desk database to open"), N_("FILE") },
    { NULL }
  };

  self->settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Sapa: the customer service desk."));
}

SapaApplication *
sapa_application_new (void)
{
  return g_object_new (SAPA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       /* The same resources for the development profile. */
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
