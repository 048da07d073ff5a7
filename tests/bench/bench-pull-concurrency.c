/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Many desks pulling at once: 200 desks (each its own SoupSession, so its own
 * connection, spread over two client threads) send GET /api/v1/sync/pull for
 * the same page back to back. The same load is then sent to nginx serving
 * the same JSON bytes as a static file on the same path, started by the
 * benchmark on a free port with a temporary configuration: the ceiling.
 * Prints requests/s, p50 and p99 of both and the ratio.
 *
 *   bench-pull-concurrency [--desks 200] [--requests 25] [--customers 1000]
 *                          [--limit 500] [--nginx /usr/sbin/nginx]
 */
#define G_LOG_DOMAIN "bench-pull-concurrency"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libsoup/soup.h>

#include "sapa-sync-test.h"

#define PASSWORD "correct horse battery"
#define N_THREADS 2

typedef struct _Run Run;

typedef struct {
  Run         *run;
  SoupSession *session;
  guint        left;
  double       sent;
} Desk;

/* What the client threads share: a barrier between the warm-up pass and the
 * timed pass, so every desk's connection is open before timing starts. */
typedef struct {
  GMutex  lock;
  GCond   cond;
  guint   warmed;
  gboolean go;
} Barrier;

struct _Run {
  const char   *url;
  const char   *token;
  gsize         expected_size;
  guint         desks;
  guint         requests;
  Barrier      *barrier;
  GMainContext *context;
  guint         active;
  GArray       *latencies;   /* ms, of the current pass */
  GArray       *warm_up;     /* ms, first request of each desk (connection included) */
  guint         failures;
  guint         wrong_size;
};

static void send_next (Desk *desk);

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Desk *desk = user_data;
  Run *run = desk->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  double ms = sapa_test_now_ms () - desk->sent;

  if (body == NULL || soup_message_get_status (msg) != 200)
    run->failures++;
  else
    {
      g_array_append_val (run->latencies, ms);
      if (g_bytes_get_size (body) != run->expected_size)
        run->wrong_size++;
    }
  if (--desk->left > 0)
    send_next (desk);
  else
    run->active--;
}

static void
send_next (Desk *desk)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", desk->run->url);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", desk->run->token);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  desk->sent = sapa_test_now_ms ();
  soup_session_send_and_read_async (desk->session, msg, G_PRIORITY_DEFAULT, NULL, answered_cb, desk);
}

static void
run_pass (Run   *run,
          Desk  *desks,
          guint  requests)
{
  for (guint i = 0; i < run->desks; i++)
    {
      desks[i].left = requests;
      run->active++;
    }
  for (guint i = 0; i < run->desks; i++)
    send_next (&desks[i]);
  while (run->active > 0)
    g_main_context_iteration (run->context, TRUE);
}

static gpointer
client_thread (gpointer data)
{
  Run *run = data;
  Desk *desks = g_new0 (Desk, run->desks);
  Barrier *barrier = run->barrier;

  g_main_context_push_thread_default (run->context);
  for (guint i = 0; i < run->desks; i++)
    {
      desks[i].run = run;
      desks[i].session = soup_session_new_with_options ("timeout", 60, "max-conns-per-host", 1, NULL);
    }

  /* Warm-up: one request per desk, which opens its connection. */
  run_pass (run, desks, 1);
  g_array_append_vals (run->warm_up, run->latencies->data, run->latencies->len);
  g_array_set_size (run->latencies, 0);
  run->failures = run->wrong_size = 0;

  g_mutex_lock (&barrier->lock);
  barrier->warmed++;
  g_cond_broadcast (&barrier->cond);
  while (!barrier->go)
    g_cond_wait (&barrier->cond, &barrier->lock);
  g_mutex_unlock (&barrier->lock);

  run_pass (run, desks, run->requests);

  for (guint i = 0; i < run->desks; i++)
    g_object_unref (desks[i].session);
  while (g_main_context_iteration (run->context, FALSE))
    ;
  g_main_context_pop_thread_default (run->context);
  g_free (desks);
  return NULL;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i = (guint) (p / 100.0 * (sorted->len - 1) + 0.5);
  return sorted->len ? g_array_index (sorted, double, MIN (i, sorted->len - 1)) : 0;
}

typedef struct {
  double rps;
  double p50;
  double p99;
  double first_p50;   /* first request of a desk, new connection included */
  double first_p99;
  guint  ok;
  guint  failures;
  guint  wrong_size;
} Figures;

/* @desks desks over N_THREADS threads: one warm-up request per desk (it
 * opens the connection; reported apart), then @requests each, timed from the
 * moment every desk is connected. */
static Figures
measure (const char *url,
         const char *token,
         gsize       expected_size,
         guint       desks,
         guint       requests)
{
  Run runs[N_THREADS];
  GThread *threads[N_THREADS];
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  Barrier barrier = { 0 };
  Figures f = { 0 };
  double started, seconds;

  g_mutex_init (&barrier.lock);
  g_cond_init (&barrier.cond);
  for (guint t = 0; t < N_THREADS; t++)
    {
      runs[t] = (Run) {
        .url = url, .token = token, .expected_size = expected_size,
        .desks = desks / N_THREADS + (t < desks % N_THREADS),
        .requests = requests,
        .barrier = &barrier,
        .context = g_main_context_new (),
        .latencies = g_array_new (FALSE, FALSE, sizeof (double)),
        .warm_up = g_array_new (FALSE, FALSE, sizeof (double)),
      };
      threads[t] = g_thread_new ("client", client_thread, &runs[t]);
    }

  g_mutex_lock (&barrier.lock);
  while (barrier.warmed < N_THREADS)
    g_cond_wait (&barrier.cond, &barrier.lock);
  started = sapa_test_now_ms ();
  barrier.go = TRUE;
  g_cond_broadcast (&barrier.cond);
  g_mutex_unlock (&barrier.lock);

  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  seconds = (sapa_test_now_ms () - started) / 1000;

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_array_append_vals (all, runs[t].latencies->data, runs[t].latencies->len);
      g_array_append_vals (first, runs[t].warm_up->data, runs[t].warm_up->len);
      f.failures += runs[t].failures;
      f.wrong_size += runs[t].wrong_size;
      g_array_unref (runs[t].latencies);
      g_array_unref (runs[t].warm_up);
      g_main_context_unref (runs[t].context);
    }
  g_mutex_clear (&barrier.lock);
  g_cond_clear (&barrier.cond);

  g_array_sort (all, compare_doubles);
  g_array_sort (first, compare_doubles);
  f.ok = all->len;
  f.rps = all->len / seconds;
  f.p50 = percentile (all, 50);
  f.p99 = percentile (all, 99);
  f.first_p50 = percentile (first, 50);
  f.first_p99 = percentile (first, 99);
  return f;
}

static GBytes *
http (SoupSession *session,
      const char  *method,
      const char  *url,
      const char  *token,
      const char  *json,
      guint       *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) payload = g_bytes_new (json, strlen (json));
      soup_message_set_request_body_from_bytes (msg, "application/json", payload);
    }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  if (body == NULL)
    g_error ("%s %s: %s", method, url, error->message);
  *status = soup_message_get_status (msg);
  return body;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (!g_socket_bind (socket, address, TRUE, NULL))
    return 0;
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static GSubprocess *
start_nginx (const char *nginx,
             const char *root,
             const char *page_path,
             guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf_path = g_build_filename (root, "nginx.conf", NULL);
  g_autofree char *conf = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GSubprocess *proc;
  double deadline;

  /* nginx's defaults, access log off as a server under load would have it. */
  conf = g_strdup_printf ("%s"
                          "worker_processes auto;\n"
                          "daemon off;\n"
                          "pid %s/nginx.pid;\n"
                          "error_log %s/nginx-error.log;\n"
                          "events { worker_connections 1024; }\n"
                          "http {\n"
                          "  access_log off;\n"
                          "  client_body_temp_path %s;\n"
                          "  proxy_temp_path %s;\n"
                          "  fastcgi_temp_path %s;\n"
                          "  uwsgi_temp_path %s;\n"
                          "  scgi_temp_path %s;\n"
                          "  keepalive_requests 1000000;\n"
                          "  server {\n"
                          "    listen 127.0.0.1:%u;\n"
                          "    location = /api/v1/sync/pull {\n"
                          "      default_type application/json;\n"
                          "      alias %s;\n"
                          "    }\n"
                          "  }\n"
                          "}\n",
                          getuid () == 0 ? "user root;\n" : "",
                          root, root, root, root, root, root, root, port, page_path);
  if (!g_file_set_contents (conf_path, conf, -1, &error))
    g_error ("%s", error->message);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, nginx, "-c", conf_path, "-p", root,
                           "-e", "stderr", NULL);
  if (proc == NULL)
    g_error ("nginx: %s", error->message);

  deadline = sapa_test_now_ms () + 10000;
  while (sapa_test_now_ms () < deadline)
    {
      g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (c != NULL)
        return proc;
      if (g_subprocess_get_identifier (proc) == NULL)
        g_error ("nginx exited at start; see %s/nginx-error.log", root);
      g_usleep (20000);
    }
  g_error ("nginx did not start listening on port %u", port);
}

static void
print_figures (const char    *name,
               const Figures *f)
{
  g_print ("%-12s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   (%u answers, %u failed, %u of another size)\n"
           "%-12s first request of each desk, connecting included: p50 %.2f ms, p99 %.2f ms\n",
           name, f->rps, f->p50, f->p99, f->ok, f->failures, f->wrong_size, "", f->first_p50, f->first_p99);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(SapaTestServer) server = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GSubprocess) nginx_proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *token = NULL;
  g_autofree char *page_path = NULL;
  g_autofree char *sapa_url = NULL;
  g_autofree char *nginx_url = NULL;
  g_autofree char *nginx = g_strdup ("/usr/sbin/nginx");
  g_autofree char *n = NULL;
  g_autofree char *session_body = NULL;
  g_autofree char *session_url = NULL;
  int desks = 200, requests = 25, customers = 1000, limit = 500;
  guint status = 0;
  guint16 port;
  Figures sapa, ceiling;
  GOptionEntry entries[] = {
    { "desks", 0, 0, G_OPTION_ARG_INT, &desks, "Concurrent desks", "N" },
    { "requests", 0, 0, G_OPTION_ARG_INT, &requests, "Requests per desk", "N" },
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers, "Customers to seed", "N" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Changes in the pulled page", "N" },
    { "nginx", 0, 0, G_OPTION_ARG_FILENAME, &nginx, "The nginx program", "PATH" },
    { NULL }
  };

  context = g_option_context_new ("- many desks pulling at once, beside nginx");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  server = sapa_test_server_new (NULL, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  n = g_strdup_printf ("%d", customers);
  out = sapa_test_server_admin (server, NULL, &error, "seed", "--customers", n, "--seed", "1", NULL);
  if (out == NULL ||
      !sapa_test_server_add_user (server, "bench", PASSWORD, "admin", NULL, &error) ||
      !sapa_test_server_start (server, &error))
    g_error ("%s", error->message);

  session = soup_session_new ();
  session_url = g_strdup_printf ("%s/api/v1/session", server->url);
  session_body = g_strdup_printf ("{\"username\": \"bench\", \"password\": \"%s\", \"device\": \"bench\"}", PASSWORD);
  answer = http (session, "POST", session_url, NULL, session_body, &status);
  if (status != 201)
    g_error ("sign-in answered %u", status);
  json = json_from_string (g_bytes_get_data (answer, NULL), &error);
  if (json == NULL)
    g_error ("%s", error->message);
  token = g_strdup (json_object_get_string_member (json_node_get_object (json), "token"));

  /* The page every desk pulls, and the same bytes as a file for nginx. */
  sapa_url = g_strdup_printf ("%s/api/v1/sync/pull?since=&limit=%d", server->url, limit);
  page = http (session, "GET", sapa_url, token, NULL, &status);
  if (status != 200)
    g_error ("pull answered %u", status);
  page_path = g_build_filename (server->root, "page.json", NULL);
  if (!g_file_set_contents (page_path, g_bytes_get_data (page, NULL), g_bytes_get_size (page), &error))
    g_error ("%s", error->message);
  g_clear_object (&session);

  port = free_port ();
  nginx_proc = start_nginx (nginx, server->root, page_path, port);
  nginx_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/sync/pull?since=&limit=%d", port, limit);

  g_print ("%d desks x %d requests, one page of %d changes (%zu bytes)\n",
           desks, requests, limit, g_bytes_get_size (page));
  sapa = measure (sapa_url, token, g_bytes_get_size (page), desks, requests);
  ceiling = measure (nginx_url, token, g_bytes_get_size (page), desks, requests);
  print_figures ("sapa-server", &sapa);
  print_figures ("nginx", &ceiling);
  g_print ("sapa-server / nginx: %.0f %% of the requests/s   (target: at least 30 %%)\n",
           100.0 * sapa.rps / ceiling.rps);

  g_subprocess_send_signal (nginx_proc, SIGTERM);
  g_subprocess_wait (nginx_proc, NULL, NULL);
  return 0;
}
