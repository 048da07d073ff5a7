/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sapa/sapa-catalog.h>

#include "sapa-server.h"
#include "sapa-server-admin.h"
#include "sapa-server-db.h"

#define SHUTDOWN_WAIT_MS 5000

static gboolean
quit_cb (gpointer data)
{
  GMainLoop *loop = data;

  g_message ("Stopping on request");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* "HOST:PORT", "[v6]:PORT" or ":PORT" (all addresses). */
static gboolean
parse_listen (const char  *text,
              char       **host,
              guint16     *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  guint64 value;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen takes HOST:PORT, for example 127.0.0.1:8480 (port 0 picks a free port)"));
      return FALSE;
    }
  if (colon == text)
    *host = g_strdup ("0.0.0.0");
  else if (text[0] == '[' && colon[-1] == ']')
    *host = g_strndup (text + 1, colon - text - 2);
  else
    *host = g_strndup (text, colon - text);
  *port = (guint16) value;
  return TRUE;
}

static int
serve (int    argc,
       char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *host = NULL;
  g_autofree char *trusted_proxy = NULL;
  g_autofree char *public_url = NULL;
  gint64 link_lifetime = 0;
  gboolean no_snapshots = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "data", 'D', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Directory holding the server's database (made by “sapa-server init”)"), N_("DIR") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      N_("Address and port to listen on (default 127.0.0.1:8480; port 0 picks a free one)"), N_("HOST:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_("PEM certificate (chain) to serve HTTPS with"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      N_("PEM private key of the certificate"), N_("FILE") },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING, &trusted_proxy,
      N_("Address of a proxy in front (e.g. 127.0.0.1 for nginx on this machine) whose X-Forwarded-For header names the client"),
      N_("ADDRESS") },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
      N_("Address customers reach the server at, e.g. https://sapa.example.com behind nginx; survey links start with it (default: the listening address)"),
      N_("URL") },
    { "no-snapshots", 0, 0, G_OPTION_ARG_NONE, &no_snapshots,
      N_("Do not send empty desks a snapshot of their records; they pull every change instead (slower, no temporary files)"),
      NULL },
    /* For tests: how long new survey links work. */
    { "survey-link-lifetime", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &link_lifetime,
      N_("Seconds a new survey link works (default 7 days)"), N_("SECONDS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint16 port = 8480, bound = 0;
  guint term_id, int_id;

  context = g_option_context_new (_("[serve] — the Sapa sync server"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Serves Sapa's sync protocol (docs/api/openapi.yaml) to the desks.\n\n"
      "Administration:\n"
      "  sapa-server init --data DIR\n"
      "  sapa-server user add|list|disable|enable|passwd ...\n"
      "  sapa-server branch add ...\n"
      "  sapa-server channel add ...\n"
      "  sapa-server seed --data DIR --customers N --seed S\n"
      "  sapa-server metrics-zone --data DIR [--zone TZ]\n"
      "Run “sapa-server COMMAND --help” for each command's options."));
  g_option_context_set_description (context,
    _("Reached over the internet, put nginx (or another proxy) in front for TLS, "
      "request limits and timeouts; see docs/SERVER.md. Logs go to the journal or "
      "standard error; set G_MESSAGES_DEBUG=sapa-server for request logs."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      g_printerr (_("Run “sapa-server --help” to see the options.\n"));
      return 2;
    }
  if (version)
    {
      g_print ("sapa-server %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1 && !(argc == 2 && g_str_equal (argv[1], "serve")))
    {
      g_printerr (_("Unknown command “%s”. Commands: serve, init, user, branch, channel, seed.\n"), argv[1]);
      return 2;
    }
  if (data_dir == NULL)
    {
      g_printerr (_("Say where the server's data are with --data DIR (make them with “sapa-server init --data DIR”).\n"));
      return 2;
    }
  if (listen == NULL)
    host = g_strdup ("127.0.0.1");
  else if (!parse_listen (listen, &host, &port, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (public_url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (public_url, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || g_uri_get_host (uri) == NULL ||
          (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_printerr (_("--public-url takes an http or https address, for example https://sapa.example.com\n"));
          return 2;
        }
    }
  if (link_lifetime < 0)
    {
      g_printerr (_("--survey-link-lifetime takes a number of seconds above 0\n"));
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr (_("HTTPS needs both --tls-cert and --tls-key.\n"));
      return 2;
    }
  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr (_("Cannot load the TLS certificate: %s\n"), error->message);
          return 1;
        }
    }

  store = sapa_server_db_open (data_dir, FALSE, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  server = sapa_server_new (store, certificate, &error);
  if (server != NULL)
    sapa_server_set_trusted_proxy (server, trusted_proxy);
  if (server == NULL || !sapa_server_listen (server, host, port, &bound, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (public_url == NULL)
    {
      /* Behind a proxy, or listening on every address, this is rarely what
       * customers can reach: set --public-url. */
      if (strchr (host, ':') != NULL)
        public_url = g_strdup_printf ("%s://[%s]:%u", certificate ? "https" : "http", host, bound);
      else
        public_url = g_strdup_printf ("%s://%s:%u", certificate ? "https" : "http", host, bound);
    }
  if (strstr (public_url, "://0.0.0.0") != NULL || strstr (public_url, "://[::]") != NULL)
    g_message ("Survey links will start with %s, which customers cannot open; set --public-url", public_url);
  sapa_server_set_public_url (server, public_url);
  sapa_server_set_snapshots (server, !no_snapshots);
  if (link_lifetime > 0)
    sapa_server_set_survey_link_lifetime (server, link_lifetime);

  /* Tests read this first line to learn the port. */
  if (strchr (host, ':') != NULL)
    g_print ("Listening on %s://[%s]:%u/\n", certificate ? "https" : "http", host, bound);
  else
    g_print ("Listening on %s://%s:%u/\n", certificate ? "https" : "http", host, bound);
  fflush (stdout);
  g_message ("sapa-server %s serving %s on %s port %u", PACKAGE_VERSION, data_dir, host, bound);

  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  int_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);

  sapa_server_shutdown (server, SHUTDOWN_WAIT_MS);
  g_message ("Stopped");
  return 0;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, sapa_catalog_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("sapa-server");
  /* A desk hanging up mid-answer must not kill the server. */
  signal (SIGPIPE, SIG_IGN);

  if (argc > 1 && sapa_server_admin_is_command (argv[1]))
    return sapa_server_admin_run (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "serve"))
    {
      argv[1] = argv[0];
      return serve (argc - 1, argv + 1);
    }
  return serve (argc, argv);
}
