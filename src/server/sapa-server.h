/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

/* Limits of the HTTP side, set explicitly (SoupServer has none by default). */
#define SAPA_SERVER_MAX_BODY          (4 * 1024 * 1024)  /* request bodies, bytes */
#define SAPA_SERVER_MAX_PUSH          1000               /* changes in one push */
#define SAPA_SERVER_IO_TIMEOUT        60                 /* seconds a socket may sit idle */
#define SAPA_SERVER_SNAPSHOT_TIMEOUT  900                /* ... while a snapshot is written and sent */
#define SAPA_SERVER_KEEPALIVE         20                 /* WebSocket ping interval, seconds */
#define SAPA_SERVER_SURVEY_LINK_LIFETIME (7 * 24 * 3600)      /* seconds a survey link works */
#define SAPA_SERVER_MAX_CLOCK_AHEAD   (5 * 60 * 1000)    /* ms a pushed stamp may lead the server */

#define SAPA_SERVER_ERROR (sapa_server_error_quark ())
typedef enum {
  SAPA_SERVER_ERROR_LISTEN,
  SAPA_SERVER_ERROR_FAILED,
} SapaServerError;
GQuark sapa_server_error_quark (void);

#define SAPA_TYPE_SERVER (sapa_server_get_type ())
G_DECLARE_FINAL_TYPE (SapaServer, sapa_server, SAPA, SERVER, GObject)

/*
 * The HTTP side of sapa-server: protocol v1 routes on a SoupServer running
 * on the main context of the thread that made it. Database work runs in
 * worker threads (the message is paused meanwhile), so a long push does not
 * hold up other requests.
 *
 * @store must come from sapa_server_db_open(). @tls_certificate may be NULL
 * (plain HTTP, e.g. behind nginx).
 */
SapaServer *sapa_server_new          (SapaStore        *store,
                                      GTlsCertificate  *tls_certificate,
                                      GError          **error);
/* Listens on @host (an IP address or "localhost") and @port (0 = any free
 * port); *bound_port receives the port really used. */
gboolean    sapa_server_listen       (SapaServer       *self,
                                      const char       *host,
                                      guint16           port,
                                      guint16          *bound_port,
                                      GError          **error);
gboolean    sapa_server_is_tls       (SapaServer       *self);
/* Stops accepting, closes live connections; waits (spinning the main
 * context) up to @timeout_ms for requests being handled in worker threads. */
void        sapa_server_shutdown     (SapaServer       *self,
                                      guint             timeout_ms);
/* Tells every live client that changes committed. */
void        sapa_server_notify_live  (SapaServer       *self);
/* Requests from @address (a proxy such as nginx on 127.0.0.1) name their
 * client in X-Forwarded-For; NULL trusts no proxy. */
void        sapa_server_set_trusted_proxy (SapaServer *self,
                                           const char *address);

/* The address customers and desks reach the server at, e.g.
 * https://sapa.example.com behind nginx; survey links start with it.
 * Default: http://127.0.0.1:8480 style, from the listening address. */
void        sapa_server_set_public_url (SapaServer *self,
                                        const char *url);
const char *sapa_server_get_public_url (SapaServer *self);
/* How long new survey links work, in seconds (tests shorten it). */
/* Whether empty desks may fetch a snapshot of their records
 * (GET /api/v1/sync/snapshot); on by default. */
void        sapa_server_set_snapshots  (SapaServer *self,
                                        gboolean    enabled);
void        sapa_server_set_survey_link_lifetime (SapaServer *self,
                                                  gint64      seconds);

G_END_DECLS
