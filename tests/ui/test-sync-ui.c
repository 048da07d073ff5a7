/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>

#include "customer-test-util.h"
#include "sapa-application.h"
#include "sapa-customer-page.h"
#include "sapa-log-dialog.h"
#include "sapa-sign-in-dialog.h"
#include "sapa-sync-indicator.h"
#include "sapa-timeline-entry.h"
#include "sapa-timeline-model.h"
#include "sapa-timeline-view.h"
#include "sapa-token-store.h"
#include "sapa-window.h"

/*
 * The desk against a real sapa-server ($SAPA_SERVER) on 127.0.0.1: sign in
 * through the dialog, lose the server (SIGKILL), log a visit, get the
 * server back on the same port, and see the visit arrive there, with the
 * header bar saying what happens at each step.
 */

#define PASSWORD "kopi-tubruk-2026"

typedef struct {
  char        *dir;         /* the server's data and the desk database */
  char        *data;
  guint16      port;
  char        *url;
  GSubprocess *server;
} Server;

static void
die_with_parent (gpointer user_data)
{
  /* A failed test leaves no server behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

/* Runs `sapa-server ARGS...` to the end with @input on standard input;
 * returns its standard output. */
static char *
admin (const char *input,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SAPA_SERVER"));
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("sapa-server %s failed: %s", (char *) argv->pdata[1], err);
  return g_steal_pointer (&out);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
server_start (Server *s)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", s->port);
  g_autofree char *line = NULL;
  g_autofree char *expected = g_strdup_printf ("Listening on http://127.0.0.1:%u/", s->port);

  g_assert_null (s->server);
  s->server = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SAPA_SERVER"),
                                           "--data", s->data, "--listen", listen, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);
}

static void
server_kill (Server *s)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (s->server);
  g_subprocess_wait (s->server, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&s->server);
}

static void
server_set_up (Server *s)
{
  g_autofree char *branch = NULL;
  g_autofree char *password = g_strdup (PASSWORD "\n");
  g_autofree char *added = NULL;

  s->dir = sapa_test_dir_new ("sapa-sync-ui-XXXXXX");
  s->data = g_build_filename (s->dir, "server", NULL);
  g_free (admin (NULL, "init", "--data", s->data, NULL));
  branch = admin (NULL, "branch", "add", "--data", s->data, "--name", "Cabang Medan", "--kind", "bank", NULL);
  g_strstrip (branch);
  added = admin (password, "user", "add", "--data", s->data, "--username", "dewi",
                 "--name", "Dewi Lestari", "--role", "agent", "--branch", branch, NULL);
  s->port = free_port ();
  s->url = g_strdup_printf ("http://127.0.0.1:%u", s->port);
  server_start (s);
}

static void
server_tear_down (Server *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rm = NULL;

  if (s->server != NULL)
    {
      g_subprocess_send_signal (s->server, SIGTERM);
      g_subprocess_wait (s->server, NULL, &error);
      g_assert_no_error (error);
      g_clear_object (&s->server);
    }
  /* The server's folder has files of its own beside the database. */
  rm = g_strdup_printf ("rm -rf '%s'", s->dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  g_free (s->dir);
  g_free (s->data);
  g_free (s->url);
}

/* The body of interaction @id in the server's database, read-only. */
static char *
server_interaction_body (Server     *s,
                         const char *id)
{
  g_autofree char *path = g_build_filename (s->data, "sapa-server.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *body = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT body FROM interaction WHERE id = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    body = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return body;
}

/* Like WAIT_UNTIL, for the engine's backoff: up to 90 s. */
#define WAIT_LONG_UNTIL(cond)                                                   \
  G_STMT_START {                                                                \
    gint64 wait_end_ = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;           \
    while (!(cond) && g_get_monotonic_time () < wait_end_)                      \
      g_main_context_iteration (NULL, FALSE);                                   \
    if (!(cond))                                                                \
      g_error ("Timed out waiting for: %s", #cond);                             \
  } G_STMT_END

static SapaSignInDialog *
find_sign_in_dialog (void)
{
  GtkWindow *window = find_toplevel (SAPA_TYPE_SIGN_IN_DIALOG);

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) ? SAPA_SIGN_IN_DIALOG (window) : NULL;
}

static SapaLogDialog *
find_log_dialog (void)
{
  GtkWindow *window = find_toplevel (SAPA_TYPE_LOG_DIALOG);

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) ? SAPA_LOG_DIALOG (window) : NULL;
}

/* Types into the dialog's rows and presses Sign In, as a person would. */
static void
fill_and_sign_in (SapaSignInDialog *dialog,
                  const char       *server,
                  const char       *username,
                  const char       *password)
{
  gtk_editable_set_text (page_child (dialog, SAPA_TYPE_SIGN_IN_DIALOG, "server_row"), server);
  gtk_editable_set_text (page_child (dialog, SAPA_TYPE_SIGN_IN_DIALOG, "username_row"), username);
  gtk_editable_set_text (page_child (dialog, SAPA_TYPE_SIGN_IN_DIALOG, "password_row"), password);
  g_signal_emit_by_name (page_child (dialog, SAPA_TYPE_SIGN_IN_DIALOG, "sign_in_button"), "clicked");
}

static gboolean
label_is (SapaSyncIndicator *indicator,
          const char        *text)
{
  return g_strcmp0 (sapa_sync_indicator_get_label (indicator), text) == 0;
}

static void
signed_in_cb (SapaSignInDialog *dialog,
              const char       *url,
              char            **out)
{
  *out = g_strdup (url);
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(gboolean *) user_data = TRUE;
  g_assert_true (sapa_sync_sign_out_finish (SAPA_SYNC (object), result, &error));
  g_assert_no_error (error);
}

static void
test_sign_in_offline_visit (void)
{
  Server server = { 0 };
  g_autofree char *desk_dir = NULL;
  g_autofree char *desk_path = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *agent_id = NULL;
  g_autofree char *branch_id = NULL;
  g_autofree char *signed_in_url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *interaction_id = NULL;
  SapaWindow *window;
  SapaSyncIndicator *indicator;
  SapaSignInDialog *dialog;
  SapaLogDialog *log_dialog;
  SapaCustomerPage *page;
  SapaRecord *top;

  server_set_up (&server);
  store = sapa_test_store_new ("sapa-sync-desk-XXXXXX", &desk_dir, &desk_path);
  sync = sapa_sync_new (store);

  window = sapa_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  sapa_window_set_sync (window, sync);
  indicator = sapa_window_get_sync_indicator (window);
  gtk_window_present (GTK_WINDOW (window));

  /* no server yet: the desk works alone, nothing about sync in the header */
  spin_for (100);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (indicator)));

  /* a wrong password: said in the dialog, which stays open */
  dialog = sapa_sign_in_dialog_new (sync, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  g_signal_connect (dialog, "signed-in", G_CALLBACK (signed_in_cb), &signed_in_url);
  gtk_window_present (GTK_WINDOW (dialog));
  fill_and_sign_in (dialog, server.url, "dewi", "not-the-password");
  g_assert_true (sapa_sign_in_dialog_get_busy (dialog));
  WAIT_UNTIL (!sapa_sign_in_dialog_get_busy (dialog));
  g_assert_cmpstr (sapa_sign_in_dialog_get_error_text (dialog), ==,
                   _("The username or password is wrong. Check both and try again; if you forgot the password, ask your administrator to set a new one."));
  g_assert_nonnull (find_sign_in_dialog ());
  g_assert_null (signed_in_url);

  /* the right one: the dialog closes and the engine holds the token */
  fill_and_sign_in (dialog, server.url, "dewi", PASSWORD);
  WAIT_UNTIL (find_sign_in_dialog () == NULL);
  g_assert_cmpstr (signed_in_url, ==, server.url);
  g_assert_nonnull (sapa_sync_get_token (sync));
  g_assert_cmpstr (sapa_sync_get_server_url (sync), ==, server.url);

  /* the desk works as the agent who signed in */
  agent_id = sapa_store_dup_meta (store, "agent_id");
  branch_id = sapa_store_dup_meta (store, "branch_id");
  g_assert_nonnull (agent_id);
  g_assert_nonnull (branch_id);
  sapa_window_set_store (window, store, agent_id, branch_id);
  sapa_sync_start (sync);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  WAIT_UNTIL (sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED);
  WAIT_UNTIL (label_is (indicator, "Synced just now"));
  g_assert_cmpstr (sapa_sync_indicator_get_action (indicator), ==, "app.sync-now");

  /* a customer of the agent's branch, made at the desk, reaches the server */
  customer = sapa_record_new ("customer");
  sapa_record_set_string (customer, "full_name", "Yohanes Sitompul");
  sapa_record_set_list (customer, "phones", (const char * const[]) { "+6281298765432", NULL });
  sapa_record_set_string (customer, "segment", "priority");
  sapa_record_set_string (customer, "branch_id", branch_id);
  g_assert_true (sapa_store_save (store, customer, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (sapa_store_count_unpushed (store) == 0 && sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED);

  /* the server goes away */
  server_kill (&server);

  /* a visit logged through the log dialog, as at the counter */
  sapa_window_open_customer (window, sapa_record_get_id (customer));
  page = sapa_window_get_customer_page (window);
  g_assert_nonnull (page);
  spin_for (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "customer.log-visit", NULL));
  log_dialog = find_log_dialog ();
  g_assert_nonnull (log_dialog);
  sapa_log_dialog_set_body (log_dialog, "Came in while the server was down: card replacement");
  sapa_log_dialog_choose_new_conversation (log_dialog, "card", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_dialog), "log.save", NULL));
  WAIT_UNTIL (find_log_dialog () == NULL);

  /* the visit is kept at the desk and the header bar says it waits:
   * the visit and its new conversation are two changes */
  WAIT_UNTIL (sapa_sync_get_state (sync) == SAPA_SYNC_STATE_OFFLINE &&
              sapa_sync_get_pending (sync) == 2);
  WAIT_UNTIL (label_is (indicator, "Offline — 2 changes waiting"));
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 2);
  g_assert_nonnull (strstr (sapa_sync_indicator_get_tooltip (indicator), "cannot reach the server"));
  {
    SapaTimelineView *view = page_child (page, SAPA_TYPE_CUSTOMER_PAGE, "timeline_view");
    g_autoptr(SapaTimelineEntry) entry = NULL;

    WAIT_UNTIL (!sapa_timeline_model_get_loading (sapa_timeline_view_get_model (view)) &&
                g_list_model_get_n_items (G_LIST_MODEL (sapa_timeline_view_get_model (view))) > 0);
    entry = g_list_model_get_item (G_LIST_MODEL (sapa_timeline_view_get_model (view)), 0);
    top = sapa_timeline_entry_get_record (entry);
    g_assert_cmpstr (sapa_record_get_string (top, "body"), ==, "Came in while the server was down: card replacement");
    interaction_id = g_strdup (sapa_record_get_id (top));
  }
  body = server_interaction_body (&server, interaction_id);
  g_assert_null (body);

  /* the server is back on the same address: the desk catches up by itself */
  server_start (&server);
  WAIT_LONG_UNTIL (sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED &&
                   sapa_sync_get_pending (sync) == 0);
  WAIT_UNTIL (label_is (indicator, "Synced just now"));
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);

  /* and the server has the visit */
  body = server_interaction_body (&server, interaction_id);
  g_assert_cmpstr (body, ==, "Came in while the server was down: card replacement");

  /* signing out: the header asks for a sign-in, and clicking it opens the dialog */
  {
    gboolean signed_out = FALSE;

    sapa_sync_sign_out_async (sync, NULL, signed_out_cb, &signed_out);
    WAIT_UNTIL (signed_out);
    WAIT_UNTIL (sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SIGNED_OUT);
    WAIT_UNTIL (label_is (indicator, "Sign-in needed"));
    g_assert_cmpstr (sapa_sync_indicator_get_action (indicator), ==, "app.sign-in");
  }

  sapa_sync_stop (sync);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_for (100);
  g_clear_object (&sync);
  g_clear_object (&store);
  sapa_test_dir_remove (desk_dir);
  server_tear_down (&server);
}

/* What the dialog says when the server is not there and when there were too
 * many wrong passwords: each its own message, the dialog stays open. */
static void
test_sign_in_errors (void)
{
  Server server = { 0 };
  g_autofree char *desk_dir = NULL;
  g_autofree char *desk_path = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  g_autofree char *nowhere = NULL;
  g_autofree char *unreachable = NULL;
  const char *wrong = _("The username or password is wrong. Check both and try again; if you forgot the password, ask your administrator to set a new one.");
  const char *text;
  SapaSignInDialog *dialog;

  server_set_up (&server);
  store = sapa_test_store_new ("sapa-sync-desk-XXXXXX", &desk_dir, &desk_path);
  sync = sapa_sync_new (store);
  dialog = sapa_sign_in_dialog_new (sync, NULL);
  gtk_window_present (GTK_WINDOW (dialog));

  /* nothing listens there */
  nowhere = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
  fill_and_sign_in (dialog, nowhere, "dewi", PASSWORD);
  WAIT_UNTIL (!sapa_sign_in_dialog_get_busy (dialog));
  unreachable = g_strdup (sapa_sign_in_dialog_get_error_text (dialog));
  g_assert_nonnull (unreachable);
  g_assert_nonnull (strstr (unreachable, nowhere));
  g_assert_nonnull (strstr (unreachable, "Cannot reach the server"));

  /* no address at all: said before anything is sent */
  fill_and_sign_in (dialog, "  ", "dewi", PASSWORD);
  g_assert_false (sapa_sign_in_dialog_get_busy (dialog));
  g_assert_nonnull (strstr (sapa_sign_in_dialog_get_error_text (dialog), "Enter the server’s address"));

  /* five wrong passwords, then the server makes the desk wait */
  for (guint i = 0; i < 5; i++)
    {
      fill_and_sign_in (dialog, server.url, "dewi", "not-the-password");
      WAIT_UNTIL (!sapa_sign_in_dialog_get_busy (dialog));
      g_assert_cmpstr (sapa_sign_in_dialog_get_error_text (dialog), ==, wrong);
    }
  fill_and_sign_in (dialog, server.url, "dewi", PASSWORD);
  WAIT_UNTIL (!sapa_sign_in_dialog_get_busy (dialog));
  text = sapa_sign_in_dialog_get_error_text (dialog);
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, wrong);
  g_assert_cmpstr (text, !=, unreachable);
  /* it says how long, from the server's Retry-After */
  g_assert_nonnull (strstr (text, "Too many failed sign-ins. Wait "));
  g_assert_nonnull (strstr (text, " seconds and try again."));
  g_assert_null (sapa_sync_get_token (sync));
  g_assert_nonnull (find_sign_in_dialog ());

  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_for (100);
  g_clear_object (&sync);
  g_clear_object (&store);
  sapa_test_dir_remove (desk_dir);
  server_tear_down (&server);
}

/* A value from the desk database at @path, read-only while Sapa runs on it. */
static char *
desk_query (const char *path,
            const char *sql,
            const char *arg)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      if (arg != NULL)
        sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Polls desk_query() until it has an answer; fails the test after 90 s. */
static char *
wait_for_desk (const char *path,
               const char *sql,
               const char *arg)
{
  gint64 end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  char *value;

  while ((value = desk_query (path, sql, arg)) == NULL)
    {
      if (g_get_monotonic_time () > end)
        g_error ("Timed out waiting for the desk to answer: %s", sql);
      g_usleep (100 * 1000);
    }
  return value;
}

/* How often @text is in the file at @path. */
static guint
count_in_file (const char *path,
               const char *text)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = strstr (contents, text); p != NULL; p = strstr (p + 1, text))
    n++;
  return n;
}

/* Sapa with @config_dir as its config folder, its debug log in @log_path
 * when given (GLib writes debug messages to standard output), and this
 * session bus standing in for the system bus, so the test can play logind. */
static GSubprocess *
spawn_app (const char  *config_dir,
           const char  *log_path,
           GError     **error,
           ...)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "SAPA_TOKEN_STORE", "file", TRUE);
  if (log_path != NULL)
    {
      g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
      g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "sapa-application", TRUE);
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS",
                                  g_getenv ("DBUS_SESSION_BUS_ADDRESS"), TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("SAPA_APP"));
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static void
stop_app (GSubprocess *app)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (app, SIGTERM);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);
}

static int
app_exit_status (const char *config_dir,
                 ...)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_dir, TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("SAPA_APP"));
  va_start (args, config_dir);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  app = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait (app, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (app));
  return g_subprocess_get_exit_status (app);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sapa_sync_sign_in_finish (SAPA_SYNC (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* The run command's way in: `sapa --server URL --username U --password-file F`
 * signs in at start and keeps the token; the next start needs only --server. */
static void
test_command_line (void)
{
  Server server = { 0 };
  g_autofree char *dir = sapa_test_dir_new ("sapa-sync-app-XXXXXX");
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *desk = g_build_filename (dir, "desk.sqlite", NULL);
  g_autofree char *password_file = g_build_filename (dir, "password", NULL);
  g_autofree char *tokens = g_build_filename (config, "sapa", "tokens", NULL);
  g_autofree char *log_path = g_build_filename (dir, "sapa.log", NULL);
  g_autofree char *tokens_text = NULL;
  g_autofree char *agent_id = NULL;
  g_autofree char *other_dir = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *branch_id = NULL;
  g_autofree char *found = NULL;
  g_autofree char *rm = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(SapaStore) other = NULL;
  g_autoptr(SapaSync) other_sync = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GError) error = NULL;
  gboolean signed_in = FALSE;
  GStatBuf st;

  server_set_up (&server);
  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);

  /* options that do not go together are refused before anything opens */
  g_assert_cmpint (app_exit_status (config, "--database", desk, "--server", "ftp://example.com", NULL), ==, 2);
  g_assert_cmpint (app_exit_status (config, "--database", desk, "--server", server.url,
                                    "--username", "dewi", NULL), ==, 2);
  g_assert_cmpint (app_exit_status (config, "--database", desk, "--token-file", password_file, NULL), ==, 2);
  g_assert_false (g_file_test (desk, G_FILE_TEST_EXISTS));

  /* first start: signs in with the password from the file */
  app = spawn_app (config, NULL, &error, "--database", desk, "--server", server.url,
                   "--username", "dewi", "--password-file", password_file, NULL);
  g_assert_no_error (error);
  agent_id = wait_for_desk (desk, "SELECT value FROM desk_meta WHERE key = 'agent_id'", NULL);
  /* the agent is dewi, the one the server knows, not a local one */
  g_free (wait_for_desk (desk, "SELECT id FROM agent WHERE id = ? AND username = 'dewi'", agent_id));
  WAIT_LONG_UNTIL (g_file_test (tokens, G_FILE_TEST_EXISTS));
  /* the token is kept where only this user can read it */
  g_assert_cmpint (g_stat (tokens, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (tokens, &tokens_text, NULL, NULL));
  g_assert_nonnull (strstr (tokens_text, server.url));
  g_assert_null (strstr (tokens_text, PASSWORD));
  stop_app (app);
  g_clear_object (&app);

  /* meanwhile another desk, signed in as dewi too, adds a customer */
  other = sapa_test_store_new ("sapa-sync-desk-XXXXXX", &other_dir, &other_path);
  other_sync = sapa_sync_new (other);
  sapa_sync_sign_in_async (other_sync, server.url, "dewi", PASSWORD, NULL, sign_in_done_cb, &signed_in);
  WAIT_UNTIL (signed_in);
  branch_id = sapa_store_dup_meta (other, "branch_id");
  customer = sapa_record_new ("customer");
  sapa_record_set_string (customer, "full_name", "Siti Rahayu");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "branch_id", branch_id);
  g_assert_true (sapa_store_save (other, customer, &error));
  g_assert_no_error (error);
  g_assert_true (sapa_sync_run_once (other_sync, NULL, &error));
  g_assert_no_error (error);

  /* second start: no password, the kept sign-in; the desk catches up */
  app = spawn_app (config, log_path, &error, "--database", desk, "--server", server.url, NULL);
  g_assert_no_error (error);
  found = wait_for_desk (desk, "SELECT full_name FROM customer WHERE id = ?", sapa_record_get_id (customer));
  g_assert_cmpstr (found, ==, "Siti Rahayu");

  /* waking from suspend (logind's PrepareForSleep false) makes the desk sync */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    {
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
      g_autoptr(GVariant) reply = NULL;

      g_assert_no_error (error);
      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "RequestName",
                                           g_variant_new ("(su)", "org.freedesktop.login1", 0),
                                           NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/login1",
                                     "org.freedesktop.login1.Manager", "PrepareForSleep",
                                     g_variant_new ("(b)", TRUE), &error);
      g_assert_no_error (error);
      g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/login1",
                                     "org.freedesktop.login1.Manager", "PrepareForSleep",
                                     g_variant_new ("(b)", FALSE), &error);
      g_assert_no_error (error);
      g_dbus_connection_flush_sync (bus, NULL, &error);
      g_assert_no_error (error);
      WAIT_LONG_UNTIL (count_in_file (log_path, "Woke up from suspend: syncing") > 0);
      /* going to sleep does nothing */
      spin_for (300);
      g_assert_cmpuint (count_in_file (log_path, "Woke up from suspend: syncing"), ==, 1);
    }
  stop_app (app);

  g_clear_object (&other_sync);
  g_clear_object (&other);
  sapa_test_dir_remove (other_dir);
  rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  server_tear_down (&server);
}

static gboolean
file_has (const char *path,
          const char *text)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, text) != NULL;
}

/* The desk application as a person uses it: a desk that works alone,
 * "Connect to a Server…" from the main menu, sign in, the header says
 * synced, the desk works as the agent who signed in; "Sign Out". */
static void
test_app_connect_and_sign_out (void)
{
  Server server = { 0 };
  g_autofree char *dir = sapa_test_dir_new ("sapa-sync-app-XXXXXX");
  g_autofree char *desk = g_build_filename (dir, "desk.sqlite", NULL);
  g_autofree char *tokens = sapa_token_store_dup_file_path ();
  g_autofree char *signed_in_agent = NULL;
  g_autofree char *rm = NULL;
  g_autoptr(SapaApplication) app = NULL;
  g_autoptr(GSettings) settings = g_settings_new (SAPA_SETTINGS_SCHEMA);
  g_autoptr(GError) error = NULL;
  GActionGroup *actions;
  SapaWindow *window = NULL;
  SapaSyncIndicator *indicator;
  SapaSignInDialog *dialog;
  g_autofree char *local_agent = NULL;
  const char *token;

  server_set_up (&server);
  g_settings_set_string (settings, "server-url", "");

  app = sapa_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  actions = G_ACTION_GROUP (app);

  /* a desk that works alone: no sync in the header, "Connect to a Server…" in the menu */
  sapa_application_open_database (app, desk);
  WAIT_UNTIL ((window = SAPA_WINDOW (find_toplevel (SAPA_TYPE_WINDOW))) != NULL &&
              sapa_window_get_store (window) != NULL);
  indicator = sapa_window_get_sync_indicator (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  g_assert_true (g_action_group_get_action_enabled (actions, "connect"));
  g_assert_false (g_action_group_get_action_enabled (actions, "sign-in"));
  g_assert_false (g_action_group_get_action_enabled (actions, "sign-out"));
  g_assert_false (g_action_group_get_action_enabled (actions, "sync-now"));
  local_agent = g_strdup (sapa_window_get_agent_id (window));
  g_assert_nonnull (local_agent);

  /* The desk's own local branch and agent, made while it worked alone, are
   * replaced by the signed-in agent and branch before anything is sent:
   * the server refuses nothing, and no warning is logged. */
  g_action_group_activate_action (actions, "connect", NULL);
  WAIT_UNTIL ((dialog = find_sign_in_dialog ()) != NULL);
  fill_and_sign_in (dialog, server.url, "dewi", PASSWORD);
  WAIT_UNTIL (find_sign_in_dialog () == NULL);

  /* signed in: kept for the next start, synced, working as dewi */
  {
    g_autofree char *url = g_settings_get_string (settings, "server-url");

    g_assert_cmpstr (url, ==, server.url);
  }
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (indicator)));
  WAIT_LONG_UNTIL (label_is (indicator, "Synced just now"));
  g_assert_cmpint (sapa_sync_get_rejected (sapa_sync_indicator_get_sync (indicator)), ==, 0);
  g_assert_null (strstr (sapa_sync_indicator_get_tooltip (indicator), "refused"));
  g_assert_cmpint (sapa_store_count_unpushed (sapa_window_get_store (window)), ==, 0);
  signed_in_agent = sapa_store_dup_meta (sapa_window_get_store (window), "agent_id");
  g_assert_cmpstr (sapa_window_get_agent_id (window), ==, signed_in_agent);
  g_assert_cmpstr (sapa_window_get_agent_id (window), !=, local_agent);
  token = sapa_sync_get_token (sapa_sync_indicator_get_sync (indicator));
  g_assert_nonnull (token);
  WAIT_UNTIL (file_has (tokens, token));
  g_assert_false (g_action_group_get_action_enabled (actions, "connect"));
  g_assert_false (g_action_group_get_action_enabled (actions, "sign-in"));
  g_assert_true (g_action_group_get_action_enabled (actions, "sign-out"));
  g_assert_true (g_action_group_get_action_enabled (actions, "sync-now"));

  /* "Sign Out": the header asks for a sign-in, the kept token is gone */
  {
    g_autofree char *kept = g_strdup (token);

    g_action_group_activate_action (actions, "sign-out", NULL);
    WAIT_UNTIL (label_is (indicator, "Sign-in needed"));
    WAIT_UNTIL (!file_has (tokens, kept));
  }
  g_assert_true (g_action_group_get_action_enabled (actions, "sign-in"));
  g_assert_false (g_action_group_get_action_enabled (actions, "sign-out"));
  g_assert_cmpstr (sapa_sync_indicator_get_action (indicator), ==, "app.sign-in");

  g_settings_set_string (settings, "server-url", "");
  while (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    gtk_window_destroy (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  spin_for (100);
  g_clear_object (&app);
  rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  server_tear_down (&server);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = sapa_test_dir_new ("sapa-sync-config-XXXXXX");
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", config_dir);
  int status;

  /* The token file of the app test goes here; before GLib reads it. */
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  test_init (&argc, &argv);

  if (g_getenv ("SAPA_SERVER") == NULL)
    g_error ("Set SAPA_SERVER to the sapa-server to test with");

  g_test_add_func ("/sync-ui/sign-in-offline-visit", test_sign_in_offline_visit);
  g_test_add_func ("/sync-ui/sign-in-errors", test_sign_in_errors);
  g_test_add_func ("/sync-ui/app-connect-and-sign-out", test_app_connect_and_sign_out);
  if (g_getenv ("SAPA_APP") != NULL)
    g_test_add_func ("/sync-ui/command-line", test_command_line);

  status = g_test_run ();
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  return status;
}
