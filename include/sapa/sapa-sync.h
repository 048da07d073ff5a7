/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-store.h>

G_BEGIN_DECLS

/*
 * The desk's sync engine: pushes the change log to sapa-server, pulls what
 * other desks and channels wrote, listens on the live WebSocket, and retries
 * with backoff while offline. All network and database work happens on its
 * own worker thread; properties change and signals fire on the main context
 * of the thread that created the engine.
 */

typedef enum {
  SAPA_SYNC_STATE_SIGNED_OUT,   /* no token, or the server refused it: sign-in needed */
  SAPA_SYNC_STATE_OFFLINE,      /* the last cycle failed (server unreachable, 5xx, refusal);
                                 * "error-message" says why; retrying with backoff */
  SAPA_SYNC_STATE_SYNCING,      /* a cycle runs after being offline, or with changes to push */
  SAPA_SYNC_STATE_SYNCED,       /* the last cycle worked ("last-synced"); quick catch-ups
                                 * after live notices do not leave this state */
} SapaSyncState;

#define SAPA_TYPE_SYNC_STATE (sapa_sync_state_get_type ())
GType sapa_sync_state_get_type (void);

#define SAPA_SYNC_ERROR (sapa_sync_error_quark ())
typedef enum {
  SAPA_SYNC_ERROR_NETWORK,        /* cannot reach the server */
  SAPA_SYNC_ERROR_UNAUTHORIZED,   /* wrong password, expired or revoked token */
  SAPA_SYNC_ERROR_FORBIDDEN,
  SAPA_SYNC_ERROR_RATE_LIMITED,
  SAPA_SYNC_ERROR_PROTOCOL,       /* the server answered something unexpected */
  SAPA_SYNC_ERROR_SERVER,         /* 5xx */
} SapaSyncError;
GQuark sapa_sync_error_quark (void);

#define SAPA_TYPE_SYNC (sapa_sync_get_type ())
G_DECLARE_FINAL_TYPE (SapaSync, sapa_sync, SAPA, SYNC, GObject)

/* Properties: "store" (construct-only), "server-url" (string, read-write),
 * "token" (string, read-write; set it to resume a saved sign-in),
 * "state" (SapaSyncState, read-only), "pending" (int64, changes waiting to
 * be pushed; kept up to date even while the engine is stopped),
 * "last-synced" (int64 unix seconds, 0 = never),
 * "rejected" (int64, changes the server refused since the engine was made;
 * each is logged with its reason and is not pushed again),
 * "error-message" (translated text of the last failure, or NULL).
 *
 * Create the engine on the thread whose main context the store emits
 * ::changed on (the app's main thread): it listens to ::changed to push
 * local edits. The server's address and the token are the caller's to keep
 * (keyring or a private file); set them before sapa_sync_start(). */
SapaSync     *sapa_sync_new              (SapaStore           *store);

const char   *sapa_sync_get_server_url   (SapaSync            *self);
void          sapa_sync_set_server_url   (SapaSync            *self,
                                          const char          *url);
const char   *sapa_sync_get_token        (SapaSync            *self);
void          sapa_sync_set_token        (SapaSync            *self,
                                          const char          *token);
SapaSyncState sapa_sync_get_state        (SapaSync            *self);
gint64        sapa_sync_get_pending      (SapaSync            *self);
gint64        sapa_sync_get_last_synced  (SapaSync            *self);
gint64        sapa_sync_get_rejected     (SapaSync            *self);
const char   *sapa_sync_get_error_message(SapaSync            *self);

/* POST /api/v1/session. On success the engine holds the server's address and
 * the token (notify::server-url, notify::token), the desk's agent_id and
 * branch_id meta are set from the answer, and the agent record is stored as
 * a change from the server (never pushed back). Signing in as another agent
 * than before resets the sync cursor: the next pull starts from the
 * beginning, since what a pull returns depends on who asks.
 * Errors: SAPA_SYNC_ERROR_UNAUTHORIZED (wrong user name or password),
 * _RATE_LIMITED, _NETWORK, _PROTOCOL; messages are translated. */
void          sapa_sync_sign_in_async    (SapaSync            *self,
                                          const char          *server_url,
                                          const char          *username,
                                          const char          *password,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean      sapa_sync_sign_in_finish   (SapaSync            *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* Forgets the token at once (state SIGNED_OUT), then asks the server to
 * revoke it (DELETE /api/v1/session). An error only says the server could
 * not be told; the desk is signed out all the same. */
void          sapa_sync_sign_out_async   (SapaSync            *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean      sapa_sync_sign_out_finish  (SapaSync            *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Runs the background loop on a worker thread: a cycle at once; the live
 * WebSocket (a notice -> cycle; reconnect with backoff and a full cycle after
 * every reconnect; a socket that stops answering keepalive pings is
 * replaced); polling every 30 s while the socket is down (every 5 min while
 * up); local edits (store ::changed) pushed at once; retries from 1 s
 * doubling to 60 s, +-20 % jitter, while offline; a wake from suspend
 * (wall clock jump) or the network coming back reconnects and catches up.
 * stop() cancels what runs and waits for the thread; nothing is lost. */
void          sapa_sync_start            (SapaSync            *self);
void          sapa_sync_stop             (SapaSync            *self);
/* Sync soon: after a local edit, a network change or a wake from suspend. */
void          sapa_sync_kick             (SapaSync            *self);

/* Blocking: push every waiting change, then pull until the server has no
 * more, in the calling thread with a session of its own (serialised with
 * the worker's cycles). For tests, benchmarks and command-line tools; never
 * on a GTK main loop. The properties follow on the owner's context. A 401
 * clears the token. SAPA_SYNC_CA_FILE (a PEM file) replaces the system's
 * certificate authorities for every session of the engine. */
gboolean      sapa_sync_run_once         (SapaSync            *self,
                                          GCancellable        *cancellable,
                                          GError             **error);

G_END_DECLS
