/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-application"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sapa/sapa.h>

#include <sapa/sapa-sync.h>

#include "sapa-application.h"
#include "sapa-dashboard-window.h"
#include "sapa-startup-report.h"
#include "sapa-preferences-window.h"
#include "sapa-sign-in-dialog.h"
#include "sapa-token-store.h"
#include "sapa-window.h"

struct _SapaApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *database;     /* from --database */
  GCancellable   *cancellable;  /* the open in progress */
  gboolean        opened;       /* a database was opened once */

  /* Sync: one engine for the open desk database. */
  SapaSync       *sync;
  SapaTokenStore *tokens;
  char           *server;        /* from --server: this run only */
  char           *token_file;    /* from --token-file */
  char           *username;      /* from --username */
  char           *password_file; /* from --password-file */
  GError         *start_sign_in_error; /* shown in the sign-in dialog once the desk is up */
  gboolean        ask_sign_in;   /* open the sign-in dialog once the desk is up */
  GDBusConnection *system_bus;
  guint           sleep_subscription;
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

static void update_sync_actions (SapaApplication *self);
static void show_sign_in        (SapaApplication *self,
                                 const GError    *error);

/* The server this desk syncs with: --server for this run, else the setting;
 * NULL when the desk works alone. */
static char *
dup_server_url (SapaApplication *self)
{
  g_autofree char *url = NULL;

  if (self->server != NULL)
    return g_strdup (self->server);
  url = g_settings_get_string (self->settings, "server-url");
  return url[0] != '\0' ? g_steal_pointer (&url) : NULL;
}

static gboolean
is_signed_in (SapaApplication *self)
{
  const char *token = self->sync ? sapa_sync_get_token (self->sync) : NULL;

  return token != NULL && token[0] != '\0';
}

static void
drop_sync (SapaApplication *self)
{
  if (self->sync == NULL)
    return;
  sapa_sync_stop (self->sync);
  g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
}

/* One engine per open desk database. */
static void
ensure_sync (SapaApplication *self,
             SapaStore       *store)
{
  if (self->sync != NULL)
    return;
  self->sync = sapa_sync_new (store);
  g_signal_connect_object (self->sync, "notify::state", G_CALLBACK (update_sync_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sync, "notify::token", G_CALLBACK (update_sync_actions),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sync, "notify::server-url", G_CALLBACK (update_sync_actions),
                           self, G_CONNECT_SWAPPED);
}

/* The desk database @sync works on (a new reference). */
static SapaStore *
dup_sync_store (SapaSync *sync)
{
  SapaStore *store = NULL;

  g_object_get (sync, "store", &store, NULL);
  return store;
}

static void
desk_ready (SapaApplication *self,
            SapaStore       *store,
            const char      *agent_id,
            const char      *branch_id)
{
  SapaWindow *window;

  g_clear_object (&self->cancellable);
  g_settings_set_string (self->settings, "last-database", sapa_store_get_path (store));
  self->opened = TRUE;

  window = get_window (self);
  sapa_window_set_store (window, store, agent_id, branch_id);
  sapa_window_set_sync (window, self->sync);
  gtk_window_present (GTK_WINDOW (window));
  sapa_startup_report_ready (GTK_WIDGET (window));

  if (is_signed_in (self))
    sapa_sync_start (self->sync);
  update_sync_actions (self);

  if (self->start_sign_in_error != NULL || self->ask_sign_in)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->start_sign_in_error);

      self->ask_sign_in = FALSE;
      show_sign_in (self, error);
    }
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

  agent = sapa_desk_ensure_agent_finish (store, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (agent == NULL)
    {
      g_clear_object (&self->cancellable);
      g_message ("Could not open %s: %s", sapa_store_get_path (store), error->message);
      show_open_error (self, sapa_store_get_path (store), error);
      return;
    }

  desk_ready (self, store, sapa_record_get_id (agent), sapa_record_get_string (agent, "branch_id"));
}

/* The agent a sign-in named (kept in the desk's meta by the engine), or the
 * desk's own local agent when this desk never signed in. */
static void
open_desk_agent (SapaApplication *self,
                 SapaStore       *store)
{
  g_autofree char *agent_id = NULL;
  g_autofree char *branch_id = NULL;

  if (is_signed_in (self))
    {
      agent_id = sapa_store_dup_meta (store, "agent_id");
      branch_id = sapa_store_dup_meta (store, "branch_id");
    }
  if (agent_id != NULL)
    {
      desk_ready (self, store, agent_id, branch_id);
      return;
    }
  if (is_signed_in (self))
    {
      /* A token alone (--token-file) does not say who works at a desk that
       * never signed in: ask for a sign-in, which does. */
      g_message ("%s never signed in: the token alone does not name its agent", sapa_store_get_path (store));
      sapa_sync_set_token (self->sync, NULL);
      self->ask_sign_in = TRUE;
    }

  /* The desk's agent: on a new database this writes, so not on the main loop. */
  sapa_desk_ensure_agent_async (store, g_get_real_name (), self->cancellable,
                                agent_ready_cb, g_object_ref (self));
}

static void
token_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sapa_token_store_save_finish (SAPA_TOKEN_STORE (object), result, &error))
    g_warning ("Could not keep the sign-in for the next start: %s", error->message);
}

static void
keep_token (SapaApplication *self)
{
  SapaStore *store = sapa_window_get_store (get_window (self));
  const char *url = sapa_sync_get_server_url (self->sync);
  const char *token = sapa_sync_get_token (self->sync);

  if (store == NULL || url == NULL || token == NULL || token[0] == '\0')
    return;
  sapa_token_store_save_async (self->tokens, url, sapa_store_get_path (store), token,
                               NULL, token_saved_cb, NULL);
}

static void
start_sign_in_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  SapaSync *sync = SAPA_SYNC (object);
  g_autoptr(SapaStore) store = dup_sync_store (sync);
  g_autoptr(GError) error = NULL;

  if (!sapa_sync_sign_in_finish (sync, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Signing in as %s at %s failed: %s", self->username,
                 sapa_sync_get_server_url (sync), error->message);
      g_clear_error (&self->start_sign_in_error);
      self->start_sign_in_error = g_steal_pointer (&error);
    }
  if (sync != self->sync)
    return;

  if (is_signed_in (self))
    sapa_token_store_save_async (self->tokens, sapa_sync_get_server_url (sync),
                                 sapa_store_get_path (store),
                                 sapa_sync_get_token (sync), NULL, token_saved_cb, NULL);
  open_desk_agent (self, store);
}

static void
token_found_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(SapaStore) store = NULL;

  token = sapa_token_store_lookup_finish (SAPA_TOKEN_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->sync == NULL)
    return;
  store = dup_sync_store (self->sync);
  if (error != NULL)
    g_warning ("Could not read the kept sign-in: %s", error->message);
  if (token != NULL)
    sapa_sync_set_token (self->sync, token);
  open_desk_agent (self, store);
}

/* The first line of a small file (a token or a password), without the line end. */
static char *
read_secret_file (const char  *path,
                  GError     **error)
{
  g_autofree char *contents = NULL;
  char *end;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  end = strpbrk (contents, "\r\n");
  if (end != NULL)
    *end = '\0';
  return g_steal_pointer (&contents);
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
  g_autofree char *url = NULL;

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

  /* A desk that works alone gets its engine when it connects to a server. */
  drop_sync (self);
  url = dup_server_url (self);
  if (url == NULL)
    {
      open_desk_agent (self, store);
      return;
    }
  ensure_sync (self, store);
  sapa_sync_set_server_url (self->sync, url);

  /* The run command's way in: sign in with a password from a file. */
  if (self->username != NULL && self->password_file != NULL)
    {
      g_autofree char *password = read_secret_file (self->password_file, &error);

      g_clear_pointer (&self->password_file, g_free);
      if (password != NULL)
        {
          sapa_sync_sign_in_async (self->sync, url, self->username, password,
                                   self->cancellable, start_sign_in_cb, g_object_ref (self));
          memset (password, 0, strlen (password));
          return;
        }
      g_warning ("Cannot read the password file: %s", error->message);
      g_clear_error (&error);
    }

  /* Or a token from a file, kept for the next start. */
  if (self->token_file != NULL)
    {
      g_autofree char *token = read_secret_file (self->token_file, &error);

      g_clear_pointer (&self->token_file, g_free);
      if (token != NULL && token[0] != '\0')
        {
          sapa_sync_set_token (self->sync, token);
          sapa_token_store_save_async (self->tokens, url, sapa_store_get_path (store), token,
                                       NULL, token_saved_cb, NULL);
          open_desk_agent (self, store);
          return;
        }
      g_warning ("Cannot read the token file: %s", error ? error->message : "it is empty");
      g_clear_error (&error);
    }

  /* Otherwise the sign-in kept from the last time. */
  sapa_token_store_lookup_async (self->tokens, url, sapa_store_get_path (store),
                                 self->cancellable, token_found_cb, g_object_ref (self));
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
dashboard_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  SapaWindow *window = get_window (self);
  SapaStore *store = sapa_window_get_store (window);
  SapaDashboardWindow *dashboard;

  if (store == NULL)
    return;

  /* One dashboard per desk database: bring it forward if it is open. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SAPA_IS_DASHBOARD_WINDOW (l->data) &&
        sapa_dashboard_window_get_store (l->data) == store)
      {
        gtk_window_present (GTK_WINDOW (l->data));
        return;
      }

  dashboard = sapa_dashboard_window_new (GTK_APPLICATION (self), store);
  gtk_window_present (GTK_WINDOW (dashboard));
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

static void
update_sync_actions (SapaApplication *self)
{
  GActionMap *map = G_ACTION_MAP (self);
  gboolean have_desk = FALSE;
  const char *url = self->sync ? sapa_sync_get_server_url (self->sync) : NULL;
  gboolean have_server = url != NULL && url[0] != '\0';
  gboolean signed_in = is_signed_in (self);
  GAction *action;

  /* Without making a window when there is none yet (at startup). */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SAPA_IS_WINDOW (l->data) && sapa_window_get_store (l->data) != NULL)
      have_desk = self->opened;

  if ((action = g_action_map_lookup_action (map, "connect")) != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), have_desk && !have_server);
  if ((action = g_action_map_lookup_action (map, "sign-in")) != NULL)
    /* A refused token is dropped by the engine, so no token = sign-in needed. */
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), have_desk && have_server && !signed_in);
  if ((action = g_action_map_lookup_action (map, "sign-out")) != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), have_desk && signed_in);
  if ((action = g_action_map_lookup_action (map, "sync-now")) != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), have_desk && signed_in);
}

static void
signed_in_cb (SapaApplication  *self,
              const char       *server_url,
              SapaSignInDialog *dialog)
{
  SapaWindow *window = get_window (self);
  SapaStore *store = sapa_window_get_store (window);
  g_autofree char *agent_id = NULL;
  g_autofree char *branch_id = NULL;
  g_autofree char *toast_text = NULL;

  if (store == NULL || self->sync == NULL)
    return;

  /* Remembered for the next start, unless this run's server came from --server. */
  if (self->server == NULL || g_strcmp0 (self->server, server_url) != 0)
    {
      g_settings_set_string (self->settings, "server-url", server_url);
      g_clear_pointer (&self->server, g_free);
    }
  keep_token (self);

  /* From now on the desk works as the agent who signed in. */
  agent_id = sapa_store_dup_meta (store, "agent_id");
  branch_id = sapa_store_dup_meta (store, "branch_id");
  if (agent_id != NULL && g_strcmp0 (agent_id, sapa_window_get_agent_id (window)) != 0)
    sapa_window_set_store (window, store, agent_id, branch_id);
  sapa_window_set_sync (window, self->sync);
  sapa_sync_start (self->sync);
  update_sync_actions (self);

  /* Translators: %s is the server address */
  toast_text = g_strdup_printf (_("Signed in to %s"), server_url);
  sapa_window_add_toast (window, adw_toast_new (toast_text));
}

static void
show_sign_in (SapaApplication *self,
              const GError    *error)
{
  SapaWindow *window = get_window (self);
  SapaStore *store = sapa_window_get_store (window);
  SapaSignInDialog *dialog;
  g_autofree char *url = NULL;

  if (store == NULL)
    return;
  ensure_sync (self, store);

  url = dup_server_url (self);
  dialog = sapa_sign_in_dialog_new (self->sync, url);
  if (self->username != NULL)
    sapa_sign_in_dialog_set_username (dialog, self->username);
  if (error != NULL)
    sapa_sign_in_dialog_show_error (dialog, error, url);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  g_signal_connect_object (dialog, "signed-in", G_CALLBACK (signed_in_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sign_in_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  show_sign_in (SAPA_APPLICATION (user_data), NULL);
}

static void
token_cleared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sapa_token_store_clear_finish (SAPA_TOKEN_STORE (object), result, &error))
    g_warning ("Could not forget the kept sign-in: %s", error->message);
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  /* Signed out at the desk either way; the server forgets the token when it
   * hears of it, or when it expires. */
  if (!sapa_sync_sign_out_finish (SAPA_SYNC (object), result, &error))
    g_message ("The server did not hear of the sign-out: %s", error->message);
  update_sync_actions (self);
  sapa_window_add_toast (get_window (self),
                         adw_toast_new (_("Signed out. Work at this desk is kept here until someone signs in again.")));
}

static void
sign_out_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  SapaStore *store = sapa_window_get_store (get_window (self));
  const char *url;

  if (self->sync == NULL || store == NULL)
    return;

  url = sapa_sync_get_server_url (self->sync);
  if (url != NULL)
    sapa_token_store_clear_async (self->tokens, url, sapa_store_get_path (store),
                                  NULL, token_cleared_cb, NULL);
  sapa_sync_sign_out_async (self->sync, NULL, signed_out_cb, g_object_ref (self));
}

static void
sync_now_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);

  if (self->sync != NULL)
    sapa_sync_kick (self->sync);
}

/* After the network comes back or the computer wakes up the desk catches up at once. */
static void
network_changed_cb (SapaApplication *self,
                    gboolean         available)
{
  if (available && is_signed_in (self))
    sapa_sync_kick (self->sync);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  SapaApplication *self = SAPA_APPLICATION (user_data);
  gboolean going_to_sleep = TRUE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep && is_signed_in (self))
    {
      g_debug ("Woke up from suspend: syncing");
      sapa_sync_kick (self->sync);
    }
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SapaApplication) self = SAPA_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      /* No system bus (containers, tests): no wake-up signal, polling covers it. */
      g_debug ("No system bus: %s", error->message);
      return;
    }
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

static const GActionEntry app_entries[] = {
  { .name = "connect", .activate = sign_in_activated },
  { .name = "sign-in", .activate = sign_in_activated },
  { .name = "sign-out", .activate = sign_out_activated },
  { .name = "sync-now", .activate = sync_now_activated },
  { .name = "preferences", .activate = preferences_activated },
  { .name = "dashboard", .activate = dashboard_activated },
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
  g_autofree char *server = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *saved_server = NULL;

  if (g_variant_dict_lookup (options, "database", "^ay", &database))
    {
      g_free (self->database);
      self->database = g_steal_pointer (&database);
    }
  if (g_variant_dict_lookup (options, "server", "s", &server))
    {
      g_autofree char *url = sapa_sign_in_normalize_url (server);

      if (url == NULL)
        {
          g_printerr (_("--server needs a server address such as https://sapa.example.com, not “%s”.\n"), server);
          return 2;
        }
      g_free (self->server);
      self->server = g_steal_pointer (&url);
    }
  if (g_variant_dict_lookup (options, "token-file", "^ay", &token_file))
    {
      g_free (self->token_file);
      self->token_file = g_steal_pointer (&token_file);
    }
  if (g_variant_dict_lookup (options, "username", "s", &username))
    {
      g_free (self->username);
      self->username = g_steal_pointer (&username);
    }
  if (g_variant_dict_lookup (options, "password-file", "^ay", &password_file))
    {
      g_free (self->password_file);
      self->password_file = g_steal_pointer (&password_file);
    }
  saved_server = g_settings_get_string (self->settings, "server-url");
  if ((self->token_file != NULL || self->password_file != NULL) && self->server == NULL &&
      saved_server[0] == '\0')
    {
      g_printerr ("%s\n", _("--token-file and --password-file need --server: give the server’s address too."));
      return 2;
    }
  if ((self->username == NULL) != (self->password_file == NULL))
    {
      g_printerr ("%s\n", _("--username and --password-file go together: give both."));
      return 2;
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
    { "app.dashboard", { "<Control>d", NULL } },
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
  update_sync_actions (self);

  self->tokens = sapa_token_store_new ();
  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
  g_bus_get (G_BUS_TYPE_SYSTEM, NULL, system_bus_cb, g_object_ref (self));
}

static void
sapa_application_shutdown (GApplication *application)
{
  SapaApplication *self = SAPA_APPLICATION (application);

  if (self->sync != NULL)
    sapa_sync_stop (self->sync);

  G_APPLICATION_CLASS (sapa_application_parent_class)->shutdown (application);
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
  drop_sync (self);
  g_clear_object (&self->tokens);
  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_error (&self->start_sign_in_error);

  G_OBJECT_CLASS (sapa_application_parent_class)->dispose (object);
}

static void
sapa_application_finalize (GObject *object)
{
  SapaApplication *self = SAPA_APPLICATION (object);

  g_free (self->database);
  g_free (self->server);
  g_free (self->token_file);
  g_free (self->username);
  g_free (self->password_file);

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
  app_class->shutdown = sapa_application_shutdown;
  app_class->activate = sapa_application_activate;
}

static void
sapa_application_init (SapaApplication *self)
{
  static const GOptionEntry options[] = {
    { "database", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("The desk database to open"), N_("FILE") },
    { "server", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("Sync with this sapa-server for this run"), N_("URL") },
    { "token-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("Resume a sign-in with the token in this file (then kept in the keyring)"), N_("FILE") },
    { "username", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("Sign in as this user at start (with --password-file)"), N_("NAME") },
    { "password-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("Read the password for --username from this file"), N_("FILE") },
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
