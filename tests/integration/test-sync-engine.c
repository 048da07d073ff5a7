/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The desk's sync engine against a real sapa-server on 127.0.0.1: sign-in,
 * push and pull, the background engine's states, going offline and back,
 * live notices, a revoked sign-in and a server that forgot the desk's cursor.
 */
#define G_LOG_DOMAIN "test-sync-engine"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <libsoup/soup.h>
#include <sapa/sapa.h>
#include <sapa/sapa-sync.h>

#include "../unit/sapa-test-dir.h"

#define PASSWORD "kopi-tubruk-42"

typedef struct {
  char        *data_dir;
  GSubprocess *process;
  char        *url;
  guint16      port;
  char        *branch_id;
  gboolean     tls;
} Server;

typedef struct {
  char      *dir;
  char      *path;
  SapaStore *store;
  SapaSync  *sync;
} Desk;

typedef struct {
  char   *tmp;
  Server  server;
  Desk    a;
  Desk    b;
} Fixture;

/* A file of tests/data (meson's test environment says where). */
static char *
test_data_file (const char *name)
{
  const char *dir = g_getenv ("SAPA_TEST_DATA");

  g_autofree char *path = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, name, NULL);
  return g_canonicalize_filename (path, NULL);
}

/* -- the server --------------------------------------------------------------- */

static const char *server_path;

static const char *
server_program (void)
{
  g_assert_nonnull (server_path);
  return server_path;
}

/* Runs `sapa-server ARGS...` to completion, feeding @input on standard input;
 * returns its standard output. */
static char *
admin_run (const char *input,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) server_program ());
  va_start (ap, input);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("sapa-server %s failed: %s%s", (const char *) argv->pdata[1], out, err);
  return g_steal_pointer (&out);
}

/* A fresh server database with one branch and two agents of it, ayu and budi. */
static void
server_init (Server *srv)
{
  g_autofree char *branch = NULL;
  g_autofree char *password = g_strdup_printf ("%s\n", PASSWORD);

  g_free (admin_run (NULL, "init", "--data", srv->data_dir, NULL));
  branch = admin_run (NULL, "branch", "add", "--data", srv->data_dir,
                      "--name", "Cabang Menteng", "--kind", "bank", NULL);
  g_strstrip (branch);
  g_assert_true (g_uuid_string_is_valid (branch));
  g_free (srv->branch_id);
  srv->branch_id = g_steal_pointer (&branch);
  g_free (admin_run (password, "user", "add", "--data", srv->data_dir, "--username", "ayu",
                     "--name", "Ayu Lestari", "--role", "agent", "--branch", srv->branch_id, NULL));
  g_free (admin_run (password, "user", "add", "--data", srv->data_dir, "--username", "budi",
                     "--name", "Budi Santoso", "--role", "agent", "--branch", srv->branch_id, NULL));
}

/* The server dies with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts `sapa-server serve` on srv->port (0: any free port) and waits for it to listen. */
static void
server_start (Server *srv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", srv->port);
  g_autofree char *line = NULL;
  const char *prefix = "Listening on ";
  g_autoptr(GUri) uri = NULL;

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *cert = test_data_file ("sync-test-cert.pem");
  g_autofree char *key = test_data_file ("sync-test-key.pem");

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (srv->tls)
    srv->process = g_subprocess_launcher_spawn (launcher, &error, server_program (), "serve",
                                                "--data", srv->data_dir, "--listen", listen,
                                                "--tls-cert", cert, "--tls-key", key, NULL);
  else
    srv->process = g_subprocess_launcher_spawn (launcher, &error, server_program (), "serve",
                                                "--data", srv->data_dir, "--listen", listen, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (srv->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_assert_true (g_str_has_prefix (line + strlen (prefix), srv->tls ? "https://" : "http://"));

  uri = g_uri_parse (line + strlen (prefix), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  if (srv->port != 0)
    g_assert_cmpint (g_uri_get_port (uri), ==, srv->port);
  srv->port = (guint16) g_uri_get_port (uri);
  g_free (srv->url);
  srv->url = g_strdup (line + strlen (prefix));
}

static void
server_stop (Server *srv)
{
  g_autoptr(GError) error = NULL;

  if (srv->process == NULL)
    return;
  g_subprocess_send_signal (srv->process, SIGKILL);
  g_subprocess_wait (srv->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&srv->process);
}

/* Removes a directory tree (the server keeps its database and WAL files there). */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* -- a TCP relay that can go silent -----------------------------------------
 *
 * Connections through it can be frozen: whatever they carry is dropped while
 * both ends stay open, as on a path that died during a suspend. Connections
 * made afterwards go through.
 */

typedef struct {
  gatomicrefcount  refs;
  GIOStream       *client;
  GIOStream       *server;
  gboolean         frozen;
} Pipe;

typedef struct {
  GSocketService *service;
  guint16         port;
  guint16         target_port;
  GPtrArray      *pipes;
  char           *url;
} Relay;

static Pipe *
pipe_ref (Pipe *p)
{
  g_atomic_ref_count_inc (&p->refs);
  return p;
}

static void
pipe_unref (Pipe *p)
{
  if (!g_atomic_ref_count_dec (&p->refs))
    return;
  g_object_unref (p->client);
  g_object_unref (p->server);
  g_free (p);
}

typedef struct {
  Pipe          *pipe;
  GInputStream  *in;
  GOutputStream *out;
  GBytes        *writing;   /* kept until written */
} Pump;

static void pump_read (Pump *pump);

static void
pump_stop (Pump *pump)
{
  g_io_stream_close (pump->pipe->client, NULL, NULL);
  g_io_stream_close (pump->pipe->server, NULL, NULL);
  pipe_unref (pump->pipe);
  g_clear_pointer (&pump->writing, g_bytes_unref);
  g_free (pump);
}

static void
pump_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Pump *pump = data;

  g_clear_pointer (&pump->writing, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    pump_stop (pump);
  else
    pump_read (pump);
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Pump *pump = data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    pump_stop (pump);
  else if (pump->pipe->frozen)
    pump_read (pump);
  else
    {
      pump->writing = g_steal_pointer (&bytes);
      g_output_stream_write_all_async (pump->out, g_bytes_get_data (pump->writing, NULL),
                                       g_bytes_get_size (pump->writing), G_PRIORITY_DEFAULT, NULL,
                                       pump_written_cb, pump);
    }
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_bytes_async (pump->in, 16384, G_PRIORITY_DEFAULT, NULL, pump_read_cb, pump);
}

static void
pump_start (Pipe      *p,
            GIOStream *from,
            GIOStream *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->pipe = pipe_ref (p);
  pump->in = g_io_stream_get_input_stream (from);
  pump->out = g_io_stream_get_output_stream (to);
  pump_read (pump);
}

static gboolean
relay_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           data)
{
  Relay *relay = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *upstream;
  Pipe *p;

  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", relay->target_port, NULL, &error);
  if (upstream == NULL)
    return TRUE;   /* the client sees its connection closed, as with no server */
  p = g_new0 (Pipe, 1);
  g_atomic_ref_count_init (&p->refs);
  p->client = G_IO_STREAM (g_object_ref (connection));
  p->server = G_IO_STREAM (upstream);
  pump_start (p, p->client, p->server);
  pump_start (p, p->server, p->client);
  g_ptr_array_add (relay->pipes, p);
  return TRUE;
}

static Relay *
relay_new (guint16 target_port)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  relay->target_port = target_port;
  relay->pipes = g_ptr_array_new_with_free_func ((GDestroyNotify) pipe_unref);
  relay->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  relay->url = g_strdup_printf ("http://127.0.0.1:%u/", relay->port);
  g_signal_connect (relay->service, "incoming", G_CALLBACK (relay_incoming_cb), relay);
  g_socket_service_start (relay->service);
  return relay;
}

/* Every connection open now goes silent; new ones still go through. */
static void
relay_freeze (Relay *relay)
{
  for (guint i = 0; i < relay->pipes->len; i++)
    ((Pipe *) g_ptr_array_index (relay->pipes, i))->frozen = TRUE;
}

static void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  for (guint i = 0; i < relay->pipes->len; i++)
    {
      Pipe *p = g_ptr_array_index (relay->pipes, i);
      g_io_stream_close (p->client, NULL, NULL);
      g_io_stream_close (p->server, NULL, NULL);
    }
  g_ptr_array_unref (relay->pipes);
  g_object_unref (relay->service);
  g_free (relay->url);
  g_free (relay);
}

/* -- desks ---------------------------------------------------------------------- */

static void
desk_open (Desk       *desk,
           const char *tmp,
           const char *name)
{
  g_autoptr(GError) error = NULL;

  desk->dir = g_build_filename (tmp, name, NULL);
  g_assert_cmpint (g_mkdir (desk->dir, 0700), ==, 0);
  desk->path = g_build_filename (desk->dir, "desk.sqlite", NULL);
  desk->store = sapa_store_open (desk->path, &error);
  g_assert_no_error (error);
  desk->sync = sapa_sync_new (desk->store);
}

static void
desk_close (Desk *desk)
{
  if (desk->sync != NULL)
    sapa_sync_stop (desk->sync);
  g_clear_object (&desk->sync);
  g_clear_object (&desk->store);
  g_free (desk->dir);
  g_free (desk->path);
}

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_async (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
desk_sign_in (Desk        *desk,
              const char  *url,
              const char  *username,
              const char  *password,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  sapa_sync_sign_in_async (desk->sync, url, username, password, NULL, async_done_cb, &result);
  return sapa_sync_sign_in_finish (desk->sync, wait_async (&result), error);
}

/* Runs the main loop until @check says yes or @timeout_ms pass. */
static gboolean
wait_until (gboolean (*check) (gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Runs the main loop for @ms. */
static void
spin (guint ms)
{
  wait_until (never, NULL, ms);
}

static gboolean
is_synced (gpointer data)
{
  SapaSync *sync = data;

  return sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SYNCED && sapa_sync_get_pending (sync) == 0;
}

static gint64 expected_pending;

static gboolean
is_offline_with_expected_pending (gpointer data)
{
  SapaSync *sync = data;

  return sapa_sync_get_state (sync) == SAPA_SYNC_STATE_OFFLINE && sapa_sync_get_pending (sync) == expected_pending;
}

static gboolean
is_signed_out (gpointer data)
{
  SapaSync *sync = data;

  return sapa_sync_get_state (sync) == SAPA_SYNC_STATE_SIGNED_OUT && sapa_sync_get_token (sync) == NULL;
}

typedef struct {
  SapaStore  *store;
  const char *id;
} Lookup;

static gboolean
has_customer (gpointer data)
{
  Lookup *l = data;
  g_autoptr(SapaRecord) r = sapa_store_get (l->store, "customer", l->id, NULL);

  return r != NULL;
}

static SapaRecord *
save_customer (Desk       *desk,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *branch = sapa_store_dup_meta (desk->store, "branch_id");
  SapaRecord *customer = sapa_record_new ("customer");

  sapa_record_set_string (customer, "full_name", name);
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "branch_id", branch);
  sapa_store_save (desk->store, customer, &error);
  g_assert_no_error (error);
  return customer;
}

/* -- fixture -------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = sapa_test_dir_new ("sapa-sync-engine-XXXXXX");
  f->server.data_dir = g_build_filename (f->tmp, "server", NULL);
  g_assert_cmpint (g_mkdir (f->server.data_dir, 0700), ==, 0);
  f->server.tls = data != NULL;
  server_init (&f->server);
  server_start (&f->server);

  desk_open (&f->a, f->tmp, "desk-a");
  desk_open (&f->b, f->tmp, "desk-b");
  desk_sign_in (&f->a, f->server.url, "ayu", PASSWORD, &error);
  g_assert_no_error (error);
  desk_sign_in (&f->b, f->server.url, "budi", PASSWORD, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  desk_close (&f->a);
  desk_close (&f->b);
  /* Let pending notifications of the stopped engines drain. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  server_stop (&f->server);
  remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->server.data_dir);
  g_free (f->server.url);
  g_free (f->server.branch_id);
}

/* -- tests ------------------------------------------------------------------------ */

static void
test_sign_in (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *agent_id = sapa_store_dup_meta (f->a.store, "agent_id");
  g_autofree char *branch_id = sapa_store_dup_meta (f->a.store, "branch_id");
  g_autoptr(SapaRecord) agent = NULL;
  Desk c = { 0 };

  g_assert_nonnull (sapa_sync_get_token (f->a.sync));
  g_assert_cmpstr (sapa_sync_get_server_url (f->a.sync), ==, f->server.url);
  g_assert_cmpstr (branch_id, ==, f->server.branch_id);
  g_assert_true (g_uuid_string_is_valid (agent_id));

  /* The agent is on the desk, as the server has it, and does not go back. */
  agent = sapa_store_get (f->a.store, "agent", agent_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (agent, "username"), ==, "ayu");
  g_assert_cmpstr (sapa_record_get_string (agent, "display_name"), ==, "Ayu Lestari");
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, 0);

  /* A wrong password says so, and the desk stays signed out. */
  desk_open (&c, f->tmp, "desk-c");
  g_assert_false (desk_sign_in (&c, f->server.url, "ayu", "not-the-password", &error));
  g_assert_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED);
  g_assert_null (sapa_sync_get_token (c.sync));
  g_assert_cmpint (sapa_sync_get_state (c.sync), ==, SAPA_SYNC_STATE_SIGNED_OUT);
  g_clear_error (&error);

  /* Nobody listening there: a network error that says what to do. */
  g_assert_false (desk_sign_in (&c, "http://127.0.0.1:1/", "ayu", PASSWORD, &error));
  g_assert_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK);
  desk_close (&c);
}

static void
test_run_once (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = save_customer (&f->a, "Rina Wulandari");
  g_autoptr(SapaRecord) seen = NULL;
  g_autofree char *cursor = NULL;

  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), >, 0);
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, 0);

  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  seen = sapa_store_get (f->b.store, "customer", sapa_record_get_id (customer), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (seen, "full_name"), ==, "Rina Wulandari");
  /* Pulled changes are not echoed back. */
  g_assert_cmpint (sapa_store_count_unpushed (f->b.store), ==, 0);
  cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_nonnull (cursor);

  /* The properties follow on the owner's context. */
  g_assert_true (wait_until (is_synced, f->b.sync, 2000));
  g_assert_cmpint (sapa_sync_get_last_synced (f->b.sync), >, 0);
  g_assert_null (sapa_sync_get_error_message (f->b.sync));

  /* The same agent signing in again keeps the desk's place; another agent
   * may see other records, so pulls from the start. */
  desk_sign_in (&f->b, f->server.url, "budi", PASSWORD, &error);
  g_assert_no_error (error);
  g_clear_pointer (&cursor, g_free);
  cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_nonnull (cursor);
  desk_sign_in (&f->b, f->server.url, "ayu", PASSWORD, &error);
  g_assert_no_error (error);
  g_clear_pointer (&cursor, g_free);
  cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_null (cursor);
  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_nonnull (cursor);
}

static void
record_state_cb (SapaSync   *sync,
                 GParamSpec *pspec,
                 GArray     *states)
{
  SapaSyncState state = sapa_sync_get_state (sync);

  g_array_append_val (states, state);
}

static void
test_offline_and_back (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (SapaSyncState));
  Lookup on_b;

  sapa_sync_start (f->a.sync);
  g_assert_true (wait_until (is_synced, f->a.sync, 10000));
  g_assert_cmpint (sapa_sync_get_last_synced (f->a.sync), >, 0);

  /* The server goes away; an edit made now waits on the desk. */
  server_stop (&f->server);
  customer = save_customer (&f->a, "Dewi Anggraini");
  expected_pending = sapa_store_count_unpushed (f->a.store);
  g_assert_cmpint (expected_pending, >, 0);
  g_assert_true (wait_until (is_offline_with_expected_pending, f->a.sync, 10000));
  g_assert_nonnull (sapa_sync_get_error_message (f->a.sync));
  g_assert_nonnull (strstr (sapa_sync_get_error_message (f->a.sync), f->server.url));

  /* Retries while the server is away keep saying "offline". */
  g_signal_connect (f->a.sync, "notify::state", G_CALLBACK (record_state_cb), states);
  spin (3500);
  g_assert_cmpuint (states->len, ==, 0);

  /* Back on the same address: the engine finds it by itself. */
  server_start (&f->server);
  g_assert_true (wait_until (is_synced, f->a.sync, 15000));
  g_assert_null (sapa_sync_get_error_message (f->a.sync));
  g_signal_handlers_disconnect_by_func (f->a.sync, record_state_cb, states);

  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  on_b = (Lookup) { f->b.store, sapa_record_get_id (customer) };
  g_assert_true (has_customer (&on_b));
}

static void
test_live_notice (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SapaRecord) customer = NULL;
  Lookup on_b;
  gint64 started;

  sapa_sync_start (f->a.sync);
  sapa_sync_start (f->b.sync);
  g_assert_true (wait_until (is_synced, f->a.sync, 10000));
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));
  /* Let both live sockets settle after their first cycle. */
  spin (500);

  /* Polling happens every 30 s: arriving within 2 s is the live notice. */
  started = g_get_monotonic_time ();
  customer = save_customer (&f->a, "Putu Agus Wirawan");
  on_b = (Lookup) { f->b.store, sapa_record_get_id (customer) };
  g_assert_true (wait_until (has_customer, &on_b, 2000));
  g_test_message ("Desk B had the customer %" G_GINT64_FORMAT " ms after desk A saved it",
                  (g_get_monotonic_time () - started) / 1000);
}

static void
revoke_token (const char *url,
              const char *token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *address = g_strdup_printf ("%sapi/v1/session", url);
  g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", address);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (msg), ==, 204);
}

static void
test_revoked (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autoptr(SapaRecord) customer = NULL;

  sapa_sync_start (f->b.sync);
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));

  /* Signed out elsewhere (as an administrator revoking the desk would). */
  token = g_strdup (sapa_sync_get_token (f->b.sync));
  revoke_token (f->server.url, token);

  /* The next cycle hears 401: sign-in needed, the token forgotten, the edit kept. */
  customer = save_customer (&f->b, "Siti Rahmawati");
  sapa_sync_kick (f->b.sync);
  g_assert_true (wait_until (is_signed_out, f->b.sync, 10000));
  g_assert_nonnull (sapa_sync_get_error_message (f->b.sync));
  g_assert_cmpint (sapa_store_count_unpushed (f->b.store), >, 0);

  /* Signing in again sends what waited. */
  {
    g_autoptr(GError) error = NULL;

    desk_sign_in (&f->b, f->server.url, "budi", PASSWORD, &error);
    g_assert_no_error (error);
  }
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));
  g_assert_cmpint (sapa_store_count_unpushed (f->b.store), ==, 0);
}

static void
test_sign_out (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_strdup (sapa_sync_get_token (f->a.sync));
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *address = g_strdup_printf ("%sapi/v1/sync/pull", f->server.url);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", address);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GBytes) body = NULL;

  sapa_sync_sign_out_async (f->a.sync, NULL, async_done_cb, &result);
  g_assert_true (sapa_sync_sign_out_finish (f->a.sync, wait_async (&result), &error));
  g_assert_no_error (error);
  g_assert_null (sapa_sync_get_token (f->a.sync));
  g_assert_cmpint (sapa_sync_get_state (f->a.sync), ==, SAPA_SYNC_STATE_SIGNED_OUT);

  /* The server forgot the token too. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (msg), ==, 401);
}

static void
test_gone_resync (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) before = save_customer (&f->a, "Made Sudarsana");
  g_autoptr(SapaRecord) after = NULL;
  g_autofree char *old_cursor = NULL;
  g_autofree char *new_cursor = NULL;
  Lookup on_b;

  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  old_cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_nonnull (old_cursor);

  /* The server's data are made again from nothing, on the same address. */
  server_stop (&f->server);
  remove_tree (f->server.data_dir);
  g_assert_cmpint (g_mkdir (f->server.data_dir, 0700), ==, 0);
  server_init (&f->server);
  server_start (&f->server);

  /* The agents are new there: both desks sign in again. Desk B still holds
   * its cursor from the old data (a desk signing in as the same agent keeps
   * it), which is what the server must refuse with 410. */
  desk_sign_in (&f->a, f->server.url, "ayu", PASSWORD, &error);
  g_assert_no_error (error);
  desk_sign_in (&f->b, f->server.url, "budi", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (sapa_store_set_meta (f->b.store, "sync_cursor", old_cursor, &error));
  g_assert_no_error (error);

  after = save_customer (&f->a, "Komang Ayu Pradnyani");
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  on_b = (Lookup) { f->b.store, sapa_record_get_id (after) };
  g_assert_true (has_customer (&on_b));
  new_cursor = sapa_store_dup_meta (f->b.store, "sync_cursor");
  g_assert_nonnull (new_cursor);
  g_assert_cmpstr (new_cursor, !=, old_cursor);
  /* What desk B had before stays. */
  on_b = (Lookup) { f->b.store, sapa_record_get_id (before) };
  g_assert_true (has_customer (&on_b));
}

static gboolean
has_rejection (gpointer data)
{
  SapaSync *sync = data;

  return sapa_sync_get_rejected (sync) == 1 && sapa_sync_get_error_message (sync) != NULL;
}

/* A change the server refuses is counted, said, and not sent again. */
static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autofree char *elsewhere = g_uuid_string_random ();
  GLogLevelFlags fatal;

  /* A customer of a branch this agent does not belong to. */
  sapa_record_set_string (customer, "full_name", "Ketut Arsana");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "branch_id", elsewhere);
  sapa_store_save (f->a.store, customer, &error);
  g_assert_no_error (error);

  /* The refusal is logged as a warning, which tests otherwise treat as fatal. */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_log_set_always_fatal (fatal);
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, 0);
  g_assert_true (wait_until (has_rejection, f->a.sync, 2000));
  g_assert_nonnull (strstr (sapa_sync_get_error_message (f->a.sync), "refused"));
  g_assert_cmpint (sapa_sync_get_state (f->a.sync), ==, SAPA_SYNC_STATE_SYNCED);

  /* Not sent again: the next cycle has nothing to push and says nothing. */
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  spin (200);
  g_assert_cmpint (sapa_sync_get_rejected (f->a.sync), ==, 1);
  g_assert_null (sapa_sync_get_error_message (f->a.sync));
}

/* A desk whose clock runs ahead of the server's: its edits are refused for
 * now, kept in the outbox with a message about the clock, and sent once the
 * clocks agree (here: once the server's clock has caught up with the stamp). */
static gint64 clock_ahead_ms;

static gint64
clock_ahead_now (gpointer data)
{
  return g_get_real_time () / 1000 + clock_ahead_ms;
}

static void
test_clock_ahead_waits (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = sapa_record_new ("customer");
  g_autofree char *branch = sapa_store_dup_meta (f->a.store, "branch_id");
  g_autoptr(SapaRecord) on_b = NULL;
  gint64 deadline, waiting;

  /* 5 minutes and 3 seconds ahead: just over what the server takes. */
  clock_ahead_ms = (5 * 60 + 3) * 1000;
  sapa_hlc_set_time_func (sapa_store_get_hlc (f->a.store), clock_ahead_now, NULL);
  sapa_record_set_string (customer, "full_name", "Made Wirawan");
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "branch_id", branch);
  sapa_store_save (f->a.store, customer, &error);
  g_assert_no_error (error);
  clock_ahead_ms = 0;
  waiting = sapa_store_count_unpushed (f->a.store);   /* the customer and its audit event */
  g_assert_cmpint (waiting, >, 0);

  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  /* Kept, and the desk says why. */
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, waiting);
  spin (200);
  g_assert_nonnull (sapa_sync_get_error_message (f->a.sync));
  g_assert_nonnull (strstr (sapa_sync_get_error_message (f->a.sync), "clock"));
  g_assert_cmpint (sapa_sync_get_rejected (f->a.sync), ==, 0);

  /* A few seconds later the stamp is within the server's reach: it goes out. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (sapa_store_count_unpushed (f->a.store) > 0 && g_get_monotonic_time () < deadline)
    {
      spin (1000);
      g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, 0);
  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  on_b = sapa_store_get (f->b.store, "customer", sapa_record_get_id (customer), &error);
  g_assert_no_error (error);
  g_assert_nonnull (on_b);
  g_assert_cmpstr (sapa_record_get_string (on_b, "full_name"), ==, "Made Wirawan");
}

/* More than the server takes in one request (4 MiB): the engine sends fewer at a time. */
static void
test_large_outbox (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) customers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *branch = sapa_store_dup_meta (f->a.store, "branch_id");
  g_autoptr(GString) notes = g_string_new (NULL);
  guint n = 300;

  while (notes->len < 16 * 1024)
    g_string_append (notes, "Nasabah minta kartu baru, alamat surat berubah. ");
  for (guint i = 0; i < n; i++)
    {
      SapaRecord *c = sapa_record_new ("customer");
      g_autofree char *name = g_strdup_printf ("Nasabah %u", i);

      sapa_record_set_string (c, "full_name", name);
      sapa_record_set_string (c, "segment", "regular");
      sapa_record_set_string (c, "branch_id", branch);
      sapa_record_set_string (c, "notes", notes->str);
      g_ptr_array_add (customers, c);
    }
  sapa_store_save_all (f->a.store, customers, &error);
  g_assert_no_error (error);

  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (f->a.store), ==, 0);
  g_assert_cmpint (sapa_sync_get_rejected (f->a.sync), ==, 0);

  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      Lookup on_b = { f->b.store, sapa_record_get_id (g_ptr_array_index (customers, i)) };
      g_assert_true (has_customer (&on_b));
    }
}

/* A desk whose live socket went silent (the network changed under it
 * during a suspend) notices, reconnects and catches up by itself. */
static void
test_silent_socket (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  Relay *relay = relay_new (f->server.port);
  Lookup on_b;
  gint64 started;

  desk_sign_in (&f->b, relay->url, "budi", PASSWORD, &error);
  g_assert_no_error (error);
  sapa_sync_start (f->b.sync);
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));
  spin (500);

  relay_freeze (relay);
  customer = save_customer (&f->a, "Nyoman Suastika");
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);

  /* The notice is lost on the silent socket... */
  on_b = (Lookup) { f->b.store, sapa_record_get_id (customer) };
  started = g_get_monotonic_time ();
  g_assert_false (wait_until (has_customer, &on_b, 3000));
  /* ...until an unanswered keepalive ping (every 20 s) shows it dead. */
  g_assert_true (wait_until (has_customer, &on_b, 90000));
  g_test_message ("Desk B caught up %" G_GINT64_FORMAT " s after its socket went silent",
                  (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));

  sapa_sync_stop (f->b.sync);
  relay_free (relay);
}

/* The same over HTTPS (the test certificate is trusted through SAPA_SYNC_CA_FILE). */
static void
test_https (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  Lookup on_b;

  g_assert_true (g_str_has_prefix (sapa_sync_get_server_url (f->a.sync), "https://"));
  sapa_sync_start (f->b.sync);
  g_assert_true (wait_until (is_synced, f->b.sync, 10000));

  /* Pushed over HTTPS, noticed on the live socket over TLS. */
  customer = save_customer (&f->a, "Wayan Sukerta");
  g_assert_true (sapa_sync_run_once (f->a.sync, NULL, &error));
  g_assert_no_error (error);
  on_b = (Lookup) { f->b.store, sapa_record_get_id (customer) };
  g_assert_true (wait_until (has_customer, &on_b, 2000));
}

/* A desk that worked alone, then signs in: its work moves to the agent who
 * signed in and their branch, and all of it reaches the server. */
static void
test_desk_joins (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) local_agent = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) visit = NULL;
  g_autoptr(SapaRecord) seen = NULL;
  g_autoptr(SapaRecord) seen_visit = NULL;
  g_autoptr(SapaRecord) seen_conversation = NULL;
  g_autoptr(SapaRecord) agent_on_b = NULL;
  g_autofree char *agent_id = NULL;
  g_autofree char *local_branch = NULL;
  SapaContact contact = { 0 };
  Desk c = { 0 };

  desk_open (&c, f->tmp, "desk-c");
  local_agent = sapa_desk_ensure_agent (c.store, "Ayu", &error);
  g_assert_no_error (error);
  local_branch = g_strdup (sapa_record_get_string (local_agent, "branch_id"));
  g_assert_true (sapa_desk_has_local_identity (c.store));

  customer = save_customer (&c, "Putu Ayu Maharani");
  g_assert_cmpstr (sapa_record_get_string (customer, "branch_id"), ==, local_branch);
  contact.customer_id = sapa_record_get_id (customer);
  contact.reason = "card";
  contact.channel = "walk_in";
  contact.direction = "inbound";
  contact.body = "Ganti kartu ATM yang rusak";
  contact.wait_seconds = 120;
  contact.agent_id = sapa_record_get_id (local_agent);
  contact.branch_id = local_branch;
  visit = sapa_desk_log_contact (c.store, &contact, &error);
  g_assert_no_error (error);

  /* Signing in as ayu of Cabang Menteng, then the first sync. */
  desk_sign_in (&c, f->server.url, "ayu", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_false (sapa_desk_has_local_identity (c.store));
  agent_id = sapa_store_dup_meta (c.store, "agent_id");
  g_assert_cmpstr (agent_id, !=, sapa_record_get_id (local_agent));
  g_assert_true (sapa_sync_run_once (c.sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (c.store), ==, 0);
  g_assert_true (wait_until (is_synced, c.sync, 2000));
  spin (200);
  g_assert_cmpint (sapa_sync_get_rejected (c.sync), ==, 0);
  g_assert_null (sapa_sync_get_error_message (c.sync));

  /* Another desk of the branch has the customer and the visit. */
  g_assert_true (sapa_sync_run_once (f->b.sync, NULL, &error));
  g_assert_no_error (error);
  seen = sapa_store_get (f->b.store, "customer", sapa_record_get_id (customer), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (seen, "full_name"), ==, "Putu Ayu Maharani");
  g_assert_cmpstr (sapa_record_get_string (seen, "branch_id"), ==, f->server.branch_id);
  seen_visit = sapa_store_get (f->b.store, "interaction", sapa_record_get_id (visit), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (seen_visit, "body"), ==, "Ganti kartu ATM yang rusak");
  g_assert_cmpstr (sapa_record_get_string (seen_visit, "author_id"), ==, agent_id);
  seen_conversation = sapa_store_get (f->b.store, "conversation",
                                      sapa_record_get_string (visit, "conversation_id"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (seen_conversation, "branch_id"), ==, f->server.branch_id);
  /* The desk's own branch and agent never reached anyone. */
  agent_on_b = sapa_store_get (f->b.store, "agent", sapa_record_get_id (local_agent), NULL);
  g_assert_null (agent_on_b);
  desk_close (&c);
}

int
main (int   argc,
      char *argv[])
{
  /* The sapa-server to run comes first: test-sync-engine PATH [GTest options]. */
  if (argc > 1 && argv[1][0] != '-')
    {
      server_path = argv[1];
      argv[1] = argv[0];
      argc--;
      argv++;
    }
  else
    server_path = g_getenv ("SAPA_SERVER");
  g_test_init (&argc, &argv, NULL);
  /* Before any thread starts: the engine reads it when it makes a session. */
  {
    g_autofree char *ca = test_data_file ("sync-test-cert.pem");
    g_setenv ("SAPA_SYNC_CA_FILE", ca, TRUE);
  }

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sync-engine/sign-in", test_sign_in);
  ADD ("/sync-engine/run-once", test_run_once);
  ADD ("/sync-engine/offline-and-back", test_offline_and_back);
  ADD ("/sync-engine/live-notice", test_live_notice);
  ADD ("/sync-engine/revoked", test_revoked);
  ADD ("/sync-engine/sign-out", test_sign_out);
  ADD ("/sync-engine/gone-resync", test_gone_resync);
  ADD ("/sync-engine/large-outbox", test_large_outbox);
  ADD ("/sync-engine/rejected", test_rejected);
  ADD ("/sync-engine/clock-ahead-waits", test_clock_ahead_waits);
  ADD ("/sync-engine/silent-socket", test_silent_socket);
  ADD ("/sync-engine/desk-joins", test_desk_joins);
  g_test_add ("/sync-engine/https", Fixture, "tls", fixture_set_up, test_https, fixture_tear_down);
#undef ADD

  return g_test_run ();
}
