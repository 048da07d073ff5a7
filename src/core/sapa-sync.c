/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include <sapa/sapa-change.h>
#include <sapa/sapa-desk.h>
#include <sapa/sapa-hlc.h>
#include <sapa/sapa-json.h>
#include <sapa/sapa-sync.h>
#include <sapa/sapa-text.h>

#include "sapa-store-private.h"

#define PUSH_BATCH        500
/* Pull pages start at PULL_LIMIT changes and grow (or shrink) toward about
 * PULL_PAGE_BYTES of JSON: fewer round trips and transactions for the small
 * changes of a first sync, bounded memory for pages of long notes. */
#define CLOCK_AHEAD_RETRY_MS (60 * 1000)
#define PULL_LIMIT        1000
#define PULL_LIMIT_MIN    50
#define PULL_LIMIT_MAX    5000   /* the server's own maximum */
#define PULL_PAGE_BYTES   (2 * 1024 * 1024)
/* A bulk load's transactions hold about this many changes (the pages pulled
 * while the previous transaction is written; about 2 KiB each in memory). */
#define BULK_BATCH_CHANGES 20000
#define BACKOFF_MIN_MS    1000
#define BACKOFF_MAX_MS    60000
#define POLL_INTERVAL_S   30    /* while the live socket is down */
#define SAFETY_POLL_S     300   /* while it is up: a notice lost anyway is caught within minutes */
#define KEEPALIVE_S       20
#define CLOCK_CHECK_S     5
/* A wall clock that moved this much against the monotonic clock means a wake
 * from suspend or a clock change: sockets are probably dead, catch up. */
#define CLOCK_JUMP_US     (5 * G_USEC_PER_SEC)
/* A live socket that did not answer a keepalive ping within 10 s is dead. */
#define LIVE_DEAD_US      ((KEEPALIVE_S + 10) * G_USEC_PER_SEC)
#define HTTP_TIMEOUT_S    60
#define HTTP_IDLE_S       60
/* A server writes a large snapshot for a while before it answers. */
#define SNAPSHOT_TIMEOUT_S 900
#define HTTP_TOO_MANY_REQUESTS 429   /* not named by libsoup 3.2 */

G_DEFINE_QUARK (sapa-sync-error-quark, sapa_sync_error)
G_DEFINE_ENUM_TYPE (SapaSyncState, sapa_sync_state,
  G_DEFINE_ENUM_VALUE (SAPA_SYNC_STATE_SIGNED_OUT, "signed-out"),
  G_DEFINE_ENUM_VALUE (SAPA_SYNC_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (SAPA_SYNC_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (SAPA_SYNC_STATE_SYNCED, "synced"))

/*
 * What the owner's object and the worker thread share. Both hold a
 * reference, so neither outlives what it uses; the worker reaches the engine
 * only through a weak reference, on the owner's context.
 */
typedef struct {
  gatomicrefcount  ref_count;
  GWeakRef         engine;
  SapaStore       *store;
  GMainContext    *owner_context;

  GMutex           lock;          /* server_url and token */
  char            *server_url;
  char            *token;

  GMutex           cycle_lock;    /* one push/pull cycle at a time */
} Shared;

static Shared *
shared_ref (Shared *sh)
{
  g_atomic_ref_count_inc (&sh->ref_count);
  return sh;
}

static void
shared_unref (Shared *sh)
{
  if (!g_atomic_ref_count_dec (&sh->ref_count))
    return;
  g_weak_ref_clear (&sh->engine);
  g_clear_object (&sh->store);
  g_main_context_unref (sh->owner_context);
  g_mutex_clear (&sh->lock);
  g_mutex_clear (&sh->cycle_lock);
  g_free (sh->server_url);
  g_free (sh->token);
  g_free (sh);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shared, shared_unref)

/* g_set_str() arrived after GLib 2.74. */
static gboolean
replace_str (char       **slot,
             const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
shared_dup_credentials (Shared  *sh,
                        char   **url,
                        char   **token)
{
  g_mutex_lock (&sh->lock);
  *url = g_strdup (sh->server_url);
  *token = g_strdup (sh->token);
  g_mutex_unlock (&sh->lock);
}

typedef struct _Worker Worker;

struct _SapaSync
{
  GObject        parent_instance;

  Shared        *shared;

  /* Owner-side copies, touched on the owner's context only. */
  char          *server_url;
  char          *token;
  SapaSyncState  state;
  gint64         pending;
  gint64         last_synced;
  gint64         rejected;
  char          *error_message;

  GThread       *thread;
  Worker        *worker;
  GCancellable  *worker_cancellable;
  gulong         changed_handler;
  gulong         network_handler;
};

G_DEFINE_FINAL_TYPE (SapaSync, sapa_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SERVER_URL,
  PROP_TOKEN,
  PROP_STATE,
  PROP_PENDING,
  PROP_LAST_SYNCED,
  PROP_REJECTED,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* -- updates marshalled to the owner --------------------------------------- */

typedef enum {
  UPDATE_STATE         = 1 << 0,
  UPDATE_PENDING       = 1 << 1,
  UPDATE_LAST_SYNCED   = 1 << 2,
  UPDATE_ERROR         = 1 << 3,
  UPDATE_REJECTED      = 1 << 4,   /* adds to the count */
  UPDATE_CLEAR_TOKEN   = 1 << 5,   /* only if the engine still holds @token */
} UpdateFlags;

typedef struct {
  Shared        *shared;
  UpdateFlags    flags;
  SapaSyncState  state;
  gint64         pending;
  gint64         last_synced;
  gint64         rejected;
  char          *error_message;
  char          *token;
} Update;

static void
update_free (gpointer data)
{
  Update *u = data;

  shared_unref (u->shared);
  g_free (u->error_message);
  g_free (u->token);
  g_free (u);
}

static void set_token_internal (SapaSync *self, const char *token, gboolean kick);

static gboolean
update_in_owner (gpointer data)
{
  Update *u = data;
  g_autoptr(SapaSync) self = g_weak_ref_get (&u->shared->engine);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_object_freeze_notify (G_OBJECT (self));
  if ((u->flags & UPDATE_CLEAR_TOKEN) && g_strcmp0 (self->token, u->token) == 0)
    set_token_internal (self, NULL, FALSE);
  if ((u->flags & UPDATE_STATE) && self->state != u->state)
    {
      self->state = u->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if ((u->flags & UPDATE_PENDING) && self->pending != u->pending)
    {
      self->pending = u->pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  if ((u->flags & UPDATE_LAST_SYNCED) && self->last_synced != u->last_synced)
    {
      self->last_synced = u->last_synced;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
    }
  if ((u->flags & UPDATE_REJECTED) && u->rejected != 0)
    {
      self->rejected += u->rejected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REJECTED]);
    }
  if ((u->flags & UPDATE_ERROR) && replace_str (&self->error_message, u->error_message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
  g_object_thaw_notify (G_OBJECT (self));
  return G_SOURCE_REMOVE;
}

/* Takes @u. Always through an idle on the owner's context, never re-entering the caller. */
static void
update_post (Update *u)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, update_in_owner, u, update_free);
  g_source_set_static_name (source, "[sapa] sync state");
  g_source_attach (source, u->shared->owner_context);
}

static Update *
update_new (Shared *sh)
{
  Update *u = g_new0 (Update, 1);

  u->shared = shared_ref (sh);
  return u;
}

/* -- HTTP ------------------------------------------------------------------ */

static SoupSession *
session_new_with_timeout (guint seconds)
{
  SoupSession *session = soup_session_new_with_options ("max-conns", 16,
                                                        "max-conns-per-host", 8,
                                                        "timeout", seconds,
                                                        "idle-timeout", HTTP_IDLE_S,
                                                        "user-agent", "Sapa/" PACKAGE_VERSION " ",
                                                        NULL);
  const char *ca_file = g_getenv ("SAPA_SYNC_CA_FILE");

  /* A private CA for servers whose certificate the system does not know. */
  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_canonicalize_filename (ca_file, NULL);
      g_autoptr(GTlsDatabase) db = g_tls_file_database_new (path, &error);

      if (db != NULL)
        soup_session_set_tls_database (session, db);
      else
        g_warning ("Cannot use SAPA_SYNC_CA_FILE %s: %s", ca_file, error->message);
    }
  return session;
}

static SoupSession *
session_new (void)
{
  return session_new_with_timeout (HTTP_TIMEOUT_S);
}

static char *
endpoint (const char *server_url,
          const char *path)
{
  gsize len = strlen (server_url);

  while (len > 0 && server_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int) len, server_url, path);
}

static void
observe_hlc (SapaStore   *store,
             SoupMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Sapa-HLC");
  guint64 hlc;

  /* The server clamps what desks send against its own clock, so its stamp
   * is trusted as is: a desk whose clock lags catches up with it. */
  if (value != NULL && sapa_hlc_parse (value, &hlc) && hlc != 0)
    sapa_hlc_observe (sapa_store_get_hlc (store), hlc, -1, NULL);
}

static const char *
server_error_code (JsonNode *root)
{
  JsonObject *obj;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "error") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "error")))
    return NULL;
  return json_object_get_string_member_with_default (json_object_get_object_member (obj, "error"),
                                                     "code", NULL);
}

static void
set_network_error (GError     **error,
                   const char  *server_url,
                   GError      *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (cause));
      return;
    }
  if (cause->domain == G_TLS_ERROR)
    g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK,
                 /* Translators: %s is the server address, the last %s the technical reason */
                 _("The server at %s could not prove who it is (%s). Changes are kept on this desk; "
                   "ask an administrator to check the server's certificate."),
                 server_url, cause->message);
  else
    g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK,
                 _("Cannot reach the server at %s. Changes are kept on this desk and sent when it is back."),
                 server_url);
  g_debug ("Request to %s failed: %s", server_url, cause->message);
}

/* A 401: the token expired or was revoked. */
static void
set_signed_out_error (GError **error)
{
  g_set_error_literal (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED,
                       _("The server no longer accepts this desk's sign-in. Sign in again to keep syncing; "
                         "changes are kept on this desk until then."));
}

/* soup_session_send_and_read(), reading an answer of known length into a
 * buffer of that size at once: a pulled page is megabytes, and growing the
 * buffer while it arrived cost a tenth of a first sync's decoding. */
static GBytes *
send_and_read (SoupSession   *session,
               SoupMessage   *msg,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GInputStream) in = soup_session_send (session, msg, cancellable, error);
  g_autoptr(GOutputStream) out = NULL;
  SoupMessageHeaders *headers;
  goffset length;

  if (in == NULL)
    return NULL;
  headers = soup_message_get_response_headers (msg);
  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      length > 0 && length <= G_MAXINT32)
    {
      g_autofree guint8 *data = g_malloc (length);
      gsize got = 0;

      if (!g_input_stream_read_all (in, data, length, &got, cancellable, error) ||
          !g_input_stream_close (in, cancellable, error))
        return NULL;
      if ((goffset) got != length)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "The answer ended early");
          return NULL;
        }
      return g_bytes_new_take (g_steal_pointer (&data), got);
    }
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              cancellable, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/*
 * Sends one request and reads its JSON answer. 2xx: TRUE and *out_root (NULL
 * when the answer has no body). Otherwise an error of SAPA_SYNC_ERROR and
 * *out_status holds the HTTP status (0 when the server was not reached).
 */
static gboolean
request_json (SoupSession   *session,
              SapaStore     *store,
              const char    *method,
              const char    *server_url,
              const char    *path,
              const char    *token,
              JsonNode      *body,
              guint         *out_status,
              JsonNode     **out_root,
              gsize         *out_bytes,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *url = endpoint (server_url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *server_text = NULL;
  guint status;

  *out_status = 0;
  if (out_root != NULL)
    *out_root = NULL;
  if (msg == NULL)
    {
      g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_PROTOCOL,
                   _("“%s” is not a server address. Enter one like https://sapa.example.com."), server_url);
      return FALSE;
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  answer = send_and_read (session, msg, cancellable, &local);
  if (answer == NULL)
    {
      set_network_error (error, server_url, local);
      return FALSE;
    }
  observe_hlc (store, msg);
  status = soup_message_get_status (msg);
  *out_status = status;
  if (out_bytes != NULL)
    *out_bytes = g_bytes_get_size (answer);

  if (g_bytes_get_size (answer) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL))
    root = json_node_ref (json_parser_get_root (parser));

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      if (out_root != NULL)
        *out_root = g_steal_pointer (&root);
      return TRUE;
    }

  server_text = sapa_json_dup_error_message (root);
  if (server_text == NULL)
    server_text = g_strdup (soup_message_get_reason_phrase (msg));
  g_debug ("%s %s: %u %s (%s)", method, path, status, server_text,
           server_error_code (root) ? server_error_code (root) : "no code");

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      set_signed_out_error (error);
      break;
    case SOUP_STATUS_FORBIDDEN:
      g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_FORBIDDEN,
                   /* Translators: %s is the server's reason, in English */
                   _("The server refused this desk's request (%s). Ask an administrator to check your account."),
                   server_text);
      break;
    case HTTP_TOO_MANY_REQUESTS:
      {
        const char *retry = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
        guint64 seconds = 0;

        /* The server limits failed sign-ins and says how long to wait. */
        if (g_str_equal (path, "/api/v1/session") && retry != NULL &&
            g_ascii_string_to_unsigned (retry, 10, 1, G_MAXUINT, &seconds, NULL))
          g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_RATE_LIMITED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Too many failed sign-ins. Wait %u second and try again.",
                                    "Too many failed sign-ins. Wait %u seconds and try again.",
                                    (gulong) seconds),
                       (guint) seconds);
        else if (g_str_equal (path, "/api/v1/session"))
          g_set_error_literal (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_RATE_LIMITED,
                               _("Too many failed sign-ins. Wait a few minutes, then try again."));
        else
          g_set_error_literal (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_RATE_LIMITED,
                               _("The server is busy with too many attempts. Wait a minute and try again."));
      }
      break;
    default:
      if (status >= 500)
        g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_SERVER,
                     /* Translators: first %s the server address, second the server's reason in English */
                     _("The server at %s has a problem (%s). Changes are kept on this desk and sent when it works again."),
                     server_url, server_text);
      else
        g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_PROTOCOL,
                     /* Translators: first %s the server address, second the server's reason in English */
                     _("The server at %s did not accept this desk's request (%s). Check that the desk and "
                       "the server run the same version of Sapa."),
                     server_url, server_text);
      break;
    }
  return FALSE;
}

static void
set_protocol_error (GError     **error,
                    const char  *server_url,
                    const char  *what)
{
  g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_PROTOCOL,
               /* Translators: first %s the server address, second a technical detail */
               _("The server at %s answered something this desk does not understand (%s). Check that the "
                 "desk and the server run the same version of Sapa."),
               server_url, what);
}

/* -- one cycle: push the outbox, then pull until there is no more --------- */

typedef struct {
  guint   pushed;
  guint   rejected;
  guint   pulled;
  guint   pages;
  gboolean bulk;       /* an empty desk's first pull, loading in bulk */
  gboolean snapshot;   /* an empty desk's first pull, from the server's snapshot */
  gboolean resynced;   /* the server did not know the cursor: pulled from the start */
  guint    held;       /* refused for now: this desk's clock is ahead of the server's */
} CycleStats;

/* What a cycle that worked but had changes refused says (NULL if none were). */
static GError *
rejection_error (const CycleStats *stats)
{
  if (stats->held > 0)
    return g_error_new (SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_FORBIDDEN,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "%u change made on this desk waits because this computer's clock is ahead of "
                                     "the server's. Set the right date and time on this computer; the change is "
                                     "sent when the clocks agree.",
                                     "%u changes made on this desk wait because this computer's clock is ahead of "
                                     "the server's. Set the right date and time on this computer; the changes are "
                                     "sent when the clocks agree.",
                                     stats->held),
                        stats->held);
  if (stats->rejected == 0)
    return NULL;
  return g_error_new (SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_FORBIDDEN,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "The server refused %u change made on this desk. Ask an administrator to check "
                                   "which branches your account may edit.",
                                   "The server refused %u changes made on this desk. Ask an administrator to check "
                                   "which branches your account may edit.",
                                   stats->rejected),
                      stats->rejected);
}

static JsonNode *
change_for_wire (JsonObject *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaChange) change = sapa_change_from_log (entry, &error);
  JsonObject *copy;
  JsonNode *node;
  GList *members;

  if (change != NULL)
    return sapa_change_to_json (change);

  /* Should not happen: the log holds what the store validated. Send it as
   * it is and let the server give the reason it refuses it. */
  g_warning ("Change %s in the outbox does not parse: %s",
             json_object_get_string_member_with_default (entry, "change_id", "?"), error->message);
  copy = json_object_new ();
  members = json_object_get_members (entry);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "seq"))
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (entry, l->data)));
  g_list_free (members);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, copy);
  return node;
}

static gboolean
push_outbox (SoupSession   *session,
             SapaStore     *store,
             const char    *url,
             const char    *token,
             CycleStats    *stats,
             GCancellable  *cancellable,
             GError       **error)
{
  guint limit = PUSH_BATCH;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      g_autoptr(JsonObject) body = json_object_new ();
      g_autoptr(JsonNode) body_node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GHashTable) sent = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) done = g_ptr_array_new ();
      JsonArray *changes = json_array_new ();
      JsonArray *results;
      g_autoptr(GError) local = NULL;
      guint status;

      batch = sapa_store_list_unpushed (store, limit, error);
      if (batch == NULL)
        {
          json_array_unref (changes);
          return FALSE;
        }
      if (batch->len == 0)
        {
          json_array_unref (changes);
          return TRUE;
        }

      for (guint i = 0; i < batch->len; i++)
        {
          JsonObject *entry = g_ptr_array_index (batch, i);
          g_hash_table_add (sent, (gpointer) json_object_get_string_member (entry, "change_id"));
          json_array_add_element (changes, change_for_wire (entry));
        }
      json_object_set_string_member (body, "client_id", sapa_store_get_client_id (store));
      json_object_set_array_member (body, "changes", changes);
      json_node_set_object (body_node, body);

      if (!request_json (session, store, "POST", url, "/api/v1/sync/push", token, body_node,
                         &status, &root, NULL, cancellable, &local))
        {
          /* Long notes can make a batch larger than the server takes: send fewer at a time. */
          if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE && batch->len > 1)
            {
              limit = MAX (batch->len / 2, 1);
              g_debug ("Push of %u changes too large; trying %u", batch->len, limit);
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "results") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "results")))
        {
          set_protocol_error (error, url, "push: no results");
          return FALSE;
        }
      results = json_object_get_array_member (json_node_get_object (root), "results");
      for (guint i = 0; i < json_array_get_length (results); i++)
        {
          JsonNode *rn = json_array_get_element (results, i);
          JsonObject *r;
          const char *change_id, *result;

          if (!JSON_NODE_HOLDS_OBJECT (rn))
            continue;
          r = json_node_get_object (rn);
          change_id = json_object_get_string_member_with_default (r, "change_id", NULL);
          result = json_object_get_string_member_with_default (r, "status", NULL);
          if (change_id == NULL || result == NULL || !g_hash_table_contains (sent, change_id))
            continue;
          if (g_str_equal (result, "rejected"))
            {
              const char *reason = json_object_get_string_member_with_default (r, "error", "no reason given");

              if (g_str_has_prefix (reason, "clock ahead"))
                {
                  /* Refused for now: kept in the outbox and sent again
                   * once this desk's clock is no longer ahead. */
                  g_message ("The server refused change %s for now: this desk's clock is ahead", change_id);
                  stats->held++;
                  continue;
                }
              g_warning ("The server refused change %s: %s", change_id, reason);
              stats->rejected++;
            }
          else if (!g_str_equal (result, "applied") && !g_str_equal (result, "duplicate") &&
                   !g_str_equal (result, "superseded"))
            continue;
          else
            stats->pushed++;
          g_ptr_array_add (done, (gpointer) change_id);
        }
      if (done->len == 0 && stats->held == 0)
        {
          /* Nothing acknowledged: pushing the same batch again would loop. */
          set_protocol_error (error, url, "push: no change acknowledged");
          return FALSE;
        }
      g_ptr_array_add (done, NULL);
      if (done->len > 1 && !sapa_store_mark_pushed (store, (const char * const *) done->pdata, error))
        return FALSE;
      /* Changes kept for a clock ahead head the outbox: the rest waits for the next cycle. */
      if (batch->len < limit || stats->held > 0)
        return TRUE;
    }
}

/* A pulled page being written to the store in a thread of its own, so the
 * next page is fetched and decoded meanwhile: on a desk's two cores a first
 * sync then takes about the longer of the two halves, not their sum. */
typedef struct {
  SapaStore *store;
  GPtrArray *changes;
  GPtrArray *pages;    /* the pages' JSON trees (JsonNode), freed here too */
  char      *cursor;
  GError    *error;
} PageApply;

static gpointer
page_apply_thread (gpointer data)
{
  PageApply *job = data;
  gboolean ok = sapa_store_apply_changes (job->store, job->changes, job->cursor, NULL, &job->error);

  /* Freeing a page's changes and JSON tree costs a fifth of decoding it:
   * done here, it does not hold up fetching the next pages. */
  g_clear_pointer (&job->changes, g_ptr_array_unref);
  g_clear_pointer (&job->pages, g_ptr_array_unref);
  return GINT_TO_POINTER (ok);
}

/* Waits for the page being applied (if any); FALSE with @error when it failed. */
static gboolean
page_apply_join (GThread  **thread,
                 PageApply **job,
                 GError   **error)
{
  gboolean ok = TRUE;

  if (*thread == NULL)
    return TRUE;
  ok = GPOINTER_TO_INT (g_thread_join (g_steal_pointer (thread)));
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&(*job)->error));
  g_clear_error (&(*job)->error);
  g_clear_pointer (&(*job)->changes, g_ptr_array_unref);
  g_clear_pointer (&(*job)->pages, g_ptr_array_unref);
  g_free ((*job)->cursor);
  g_clear_object (&(*job)->store);
  g_clear_pointer (job, g_free);
  return ok;
}

static gboolean pull_pages_pipelined (SoupSession   *session,
                                      SapaStore     *store,
                                      const char    *url,
                                      const char    *token,
                                      CycleStats    *stats,
                                      char         **cursor_slot,
                                      guint         *limit_slot,
                                      GThread      **applying,
                                      PageApply    **job,
                                      GCancellable  *cancellable,
                                      GError       **error);

/*
 * An empty desk's first pull starts from the server's snapshot of the records
 * its user may see (GET /api/v1/sync/snapshot, a database file copied into
 * the store in one transaction; src/core/sapa-snapshot.c), then pulls the
 * changes made since. FALSE only for what makes the whole cycle worth trying
 * again later (the network, the sign-in, a cancel, a full disk); a server
 * that sends no snapshot, or one this desk cannot read, leaves *cursor_slot
 * as it was and the desk pulls every change instead.
 */
static gboolean
pull_snapshot (SapaStore     *store,
               const char    *url,
               const char    *token,
               CycleStats    *stats,
               char         **cursor_slot,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *address = endpoint (url, "/api/v1/sync/snapshot");
  g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
  g_autofree char *path = g_strdup_printf ("%s.snapshot", sapa_store_get_path (store));
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", address);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local = NULL;
  g_autofree char *cursor = NULL;
  SoupMessageHeaders *headers;
  gint64 started = g_get_monotonic_time ();
  goffset length;
  gssize got;
  gboolean loaded = FALSE;
  guint status;

  if (msg == NULL || !sapa_snapshot_wanted (store))
    {
      /* A download cut off by a crash is of no use any more. */
      g_unlink (path);
      return TRUE;
    }
  /* Its own session: the usual one gives up on an answer after a minute. */
  session = session_new_with_timeout (SNAPSHOT_TIMEOUT_S);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if ((in = soup_session_send (session, msg, cancellable, &local)) == NULL)
    {
      set_network_error (error, url, local);
      return FALSE;
    }
  observe_hlc (store, msg);
  status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  length = soup_message_headers_get_content_length (headers);
  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      set_signed_out_error (error);
      return FALSE;
    }
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      /* Other desks are being sent theirs: waiting a little is far quicker
       * than pulling every change. The cycle is tried again on the backoff. */
      g_input_stream_close (in, NULL, NULL);
      g_set_error_literal (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_SERVER,
                           _("The server is busy sending other desks their records. This desk tries again "
                             "in a moment by itself."));
      return FALSE;
    }
  if (status != SOUP_STATUS_OK ||
      g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/vnd.sqlite3") != 0 ||
      soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      g_debug ("No snapshot from the server (%u); pulling every change", status);
      g_input_stream_close (in, NULL, NULL);
      return TRUE;
    }

  /* Beside the store: the same disk, and no other user may read it. */
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                        cancellable, &local);
  got = out == NULL ? -1 : g_output_stream_splice (G_OUTPUT_STREAM (out), in,
                                                   G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                                   G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                                   cancellable, &local);
  if (got >= 0 && got != length)
    g_set_error (&local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                 "The snapshot ended after %" G_GSSIZE_FORMAT " of %" G_GOFFSET_FORMAT " bytes", got, length);
  if (local != NULL)
    {
      g_unlink (path);
      if (out == NULL || g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_FAILED,
                     /* Translators: %s is the reason from the system */
                     _("The records received from the server could not be saved on this computer (%s). Free "
                       "some disk space; the desk tries again by itself."),
                     local->message);
      else
        set_network_error (error, url, local);
      return FALSE;
    }

  g_debug ("Snapshot of %" G_GSSIZE_FORMAT " bytes received in %.1f s", got,
           (g_get_monotonic_time () - started) / 1e6);
  if (!sapa_snapshot_load (store, path, &loaded, &cursor, cancellable, &local))
    {
      g_unlink (path);
      if (g_error_matches (local, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID) ||
          g_error_matches (local, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT))
        {
          g_warning ("The server's snapshot could not be used (%s); pulling every change", local->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_unlink (path);
  if (loaded)
    {
      g_debug ("First pull from a snapshot of %" G_GSSIZE_FORMAT " bytes in %.1f s", got,
               (g_get_monotonic_time () - started) / 1e6);
      stats->snapshot = TRUE;
      g_free (*cursor_slot);
      *cursor_slot = g_steal_pointer (&cursor);
    }
  return TRUE;
}

static gboolean
pull_pages (SoupSession   *session,
            SapaStore     *store,
            const char    *url,
            const char    *token,
            CycleStats    *stats,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *cursor = sapa_store_dup_meta (store, "sync_cursor");
  g_autoptr(GError) local = NULL;
  guint limit = PULL_LIMIT;
  GThread *applying = NULL;
  PageApply *job = NULL;
  gboolean ok;

  /* A load a cancelled cycle left half-way goes on in bulk. */
  stats->bulk = sapa_store_is_bulk_loading (store);
  if ((cursor == NULL || *cursor == '\0') && !stats->bulk &&
      !pull_snapshot (store, url, token, stats, &cursor, cancellable, error))
    return FALSE;
  ok = pull_pages_pipelined (session, store, url, token, stats, &cursor, &limit, &applying, &job,
                             cancellable, &local);
  /* Whatever happened, the page already fetched is written (or fails) first. */
  if (!page_apply_join (&applying, &job, ok ? &local : NULL))
    ok = FALSE;

  /* An empty desk's first load ends here: its indexes, triggers, search
   * tables and rollups are put back, also when the load stopped half-way
   * (the next pull goes on from the saved cursor the ordinary way). Only a
   * cancelled cycle (the desk closing or signing out) leaves that to the
   * next cycle or the next start, so closing does not wait for it. */
  if (sapa_store_is_bulk_loading (store) &&
      (ok || !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      double started = g_get_monotonic_time ();

      if (!sapa_store_bulk_finish (store, ok ? &local : NULL))
        ok = FALSE;
      g_debug ("First load: indexes and search tables rebuilt in %.1f s",
               (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/* The changes of a pulled page, NULL with @error when one cannot be read. */
static GPtrArray *
decode_page (JsonArray   *list,
             const char  *url,
             GError     **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_full (json_array_get_length (list),
                                                       (GDestroyNotify) sapa_change_free);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autoptr(GError) bad = NULL;
      SapaChange *change = sapa_change_from_json (json_array_get_element (list, i), &bad);

      if (change == NULL)
        {
          /* Skipping it would lose it for good (the cursor moves on):
           * stop here and say so, the page is tried again later. */
          g_autofree char *what = g_strdup_printf ("pull: change %u: %s", i, bad->message);
          set_protocol_error (error, url, what);
          return NULL;
        }
      g_ptr_array_add (changes, change);
    }
  return g_steal_pointer (&changes);
}

static gboolean
pull_pages_pipelined (SoupSession   *session,
                      SapaStore     *store,
                      const char    *url,
                      const char    *token,
                      CycleStats    *stats,
                      char         **cursor_slot,
                      guint         *limit_slot,
                      GThread      **applying,
                      PageApply    **job,
                      GCancellable  *cancellable,
                      GError       **error)
{
  /* Pages fetched while a bulk load's writer was busy, and the cursor the
   * first of them was pulled from. */
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) pending_pages = NULL;
  g_autofree char *pending_from = NULL;

  for (;;)
    {
      char *cursor = *cursor_slot;
      guint limit = *limit_slot;
      g_autofree char *escaped = g_uri_escape_string (cursor ? cursor : "", NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?since=%s&limit=%u", escaped, limit);
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GPtrArray) changes = NULL;
      g_autofree char *next_copy = NULL;
      g_autoptr(GError) local = NULL;
      JsonObject *obj;
      JsonArray *list;
      const char *next;
      gboolean more;
      guint status;
      gsize bytes = 0;

      if (!request_json (session, store, "GET", url, path, token, NULL, &status, &root, &bytes, cancellable, &local))
        {
          if (status == SOUP_STATUS_GONE && cursor != NULL && *cursor != '\0')
            {
              /* The server does not know the cursor (its data were
               * re-initialised, or the cursor is older than its tombstones):
               * pull everything again; applying known changes is harmless. */
              g_message ("The server no longer knows this desk's sync position; pulling everything again");
              if (!page_apply_join (applying, job, error) ||
                  !sapa_store_set_meta (store, "sync_cursor", NULL, error))
                return FALSE;
              g_clear_pointer (&pending, g_ptr_array_unref);
              g_clear_pointer (&pending_pages, g_ptr_array_unref);
              g_clear_pointer (&pending_from, g_free);
              g_clear_pointer (cursor_slot, g_free);
              stats->resynced = TRUE;
              continue;
            }
          if (status == SOUP_STATUS_GONE)
            {
              set_protocol_error (error, url, "pull from the start: 410");
              return FALSE;
            }
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          set_protocol_error (error, url, "pull: not a JSON object");
          return FALSE;
        }
      obj = json_node_get_object (root);
      if (!json_object_has_member (obj, "changes") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "changes")) ||
          !json_object_has_member (obj, "cursor") ||
          json_node_get_value_type (json_object_get_member (obj, "cursor")) != G_TYPE_STRING)
        {
          set_protocol_error (error, url, "pull: no changes or cursor");
          return FALSE;
        }
      list = json_object_get_array_member (obj, "changes");
      /* A copy: the page's tree goes to the thread that writes it. */
      next = next_copy = g_strdup (json_object_get_string_member (obj, "cursor"));
      more = json_object_get_boolean_member_with_default (obj, "more", FALSE);

      if ((changes = decode_page (list, url, error)) == NULL)
        return FALSE;
      stats->pulled += changes->len;
      stats->pages++;
      if (changes->len > 0 && bytes > 0)
        *limit_slot = CLAMP ((guint64) changes->len * PULL_PAGE_BYTES / bytes, PULL_LIMIT_MIN, PULL_LIMIT_MAX);
      if (more && g_strcmp0 (next, cursor ? cursor : "") == 0)
        {
          set_protocol_error (error, url, "pull: more pages but the cursor did not move");
          return FALSE;
        }

      /* The first pull of an empty desk with more than one page to come
       * loads in bulk (sapa_store_bulk_begin: only when the store holds no
       * records yet). */
      if (more && (cursor == NULL || *cursor == '\0') && !stats->bulk)
        {
          if (!sapa_store_bulk_begin (store, &stats->bulk, error))
            return FALSE;
          if (stats->bulk)
            g_debug ("First pull of an empty desk: loading in bulk");
        }

      /* A bulk load writes several pages in one transaction: the random ids
       * of the records fall on index pages all over the file, and a larger
       * transaction writes each of those pages once instead of once a page. */
      if (stats->bulk && more && (pending ? pending->len : 0) + changes->len < BULK_BATCH_CHANGES)
        {
          if (pending == NULL)
            {
              pending = g_steal_pointer (&changes);
              pending_pages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
              pending_from = g_strdup (cursor ? cursor : "");
            }
          else
            g_ptr_array_extend_and_steal (pending, g_steal_pointer (&changes));
          g_ptr_array_add (pending_pages, g_steal_pointer (&root));
          g_free (*cursor_slot);
          *cursor_slot = g_strdup (next);
          continue;
        }
      if (pending != NULL)
        {
          g_ptr_array_extend_and_steal (pending, g_steal_pointer (&changes));
          changes = g_steal_pointer (&pending);
          cursor = pending_from;
        }
      if (pending_pages == NULL)
        pending_pages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      g_ptr_array_add (pending_pages, g_steal_pointer (&root));

      /* Pages are written in order: the previous one first. */
      if (!page_apply_join (applying, job, error))
        return FALSE;
      if (changes->len > 0 || g_strcmp0 (next, cursor ? cursor : "") != 0)
        {
          *job = g_new0 (PageApply, 1);
          (*job)->store = g_object_ref (store);
          (*job)->changes = g_steal_pointer (&changes);
          (*job)->pages = g_steal_pointer (&pending_pages);
          (*job)->cursor = g_strdup (next);
          *applying = g_thread_new ("sapa-sync-apply", page_apply_thread, *job);
        }
      g_clear_pointer (&pending_pages, g_ptr_array_unref);
      g_clear_pointer (&pending_from, g_free);

      if (!more)
        return TRUE;
      g_free (*cursor_slot);
      *cursor_slot = g_strdup (next);
    }
}

static gboolean
run_cycle (Shared        *sh,
           SoupSession   *session,
           CycleStats    *stats,
           char         **used_token,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  gboolean ok;

  /* Credentials are read under the lock: a sign-in changes them, and the
   * cursor, while holding it. */
  g_mutex_lock (&sh->cycle_lock);
  shared_dup_credentials (sh, &url, &token);
  if (url == NULL || *url == '\0' || token == NULL || *token == '\0')
    {
      g_mutex_unlock (&sh->cycle_lock);
      g_set_error_literal (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED,
                           _("This desk is not signed in to a server. Sign in to share its work with other desks."));
      return FALSE;
    }

  ok = push_outbox (session, sh->store, url, token, stats, cancellable, error) &&
       pull_pages (session, sh->store, url, token, stats, cancellable, error);
  g_mutex_unlock (&sh->cycle_lock);
  if (used_token != NULL)
    *used_token = g_steal_pointer (&token);

  if (ok)
    g_debug ("Cycle: pushed %u (%u refused), pulled %u in %u pages%s", stats->pushed, stats->rejected,
             stats->pulled, stats->pages, stats->resynced ? ", from the start" : "");
  return ok;
}

/* -- the worker thread ------------------------------------------------------ */

struct _Worker
{
  Shared                  *shared;
  GMainContext            *context;
  GMainLoop               *loop;
  SoupSession             *session;
  GCancellable            *cancellable;   /* owned by the engine; cancelled by stop */

  SoupWebsocketConnection *ws;
  SoupMessage             *ws_msg;        /* while connecting */
  GCancellable            *ws_cancellable;/* of that connect (soup_session_abort would cancel the worker's) */
  GSource                 *cycle_source;
  GSource                 *ws_source;
  GSource                 *poll_source;
  GSource                 *clock_source;

  guint                    cycle_backoff_ms;
  guint                    ws_backoff_ms;
  gboolean                 failing;       /* the last cycle failed; retry on the backoff timer */
  gboolean                 signed_out;
  SapaSyncState            state;         /* what was last published */
  gint64                   wall_offset;
  gint64                   ws_alive;      /* monotonic time the server was last heard */
};

static void worker_connect_ws (Worker *w);

static guint
jittered (guint ms)
{
  return (guint) (ms * g_random_double_range (0.8, 1.2));
}

static guint
next_backoff (guint ms)
{
  return ms == 0 ? BACKOFF_MIN_MS : MIN (ms * 2, BACKOFF_MAX_MS);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
worker_timeout (Worker      *w,
                guint        ms,
                GSourceFunc  func,
                const char  *name)
{
  GSource *source = ms == 0 ? g_idle_source_new () : g_timeout_source_new (ms);

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, w, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, w->context);
  return source;
}

static void
worker_publish (Worker        *w,
                SapaSyncState  state,
                const GError  *error,
                gint64         last_synced,
                guint          rejected)
{
  Update *u = update_new (w->shared);

  w->state = state;
  u->flags = UPDATE_STATE | UPDATE_PENDING | UPDATE_ERROR;
  u->state = state;
  u->pending = sapa_store_count_unpushed (w->shared->store);
  u->error_message = error ? g_strdup (error->message) : NULL;
  if (last_synced != 0)
    {
      u->flags |= UPDATE_LAST_SYNCED;
      u->last_synced = last_synced;
    }
  if (rejected != 0)
    {
      u->flags |= UPDATE_REJECTED;
      u->rejected = rejected;
    }
  update_post (u);
}

static void
worker_publish_pending (Worker *w)
{
  Update *u = update_new (w->shared);

  u->flags = UPDATE_PENDING;
  u->pending = sapa_store_count_unpushed (w->shared->store);
  update_post (u);
}

static gboolean
worker_has_credentials (Worker *w)
{
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;

  shared_dup_credentials (w->shared, &url, &token);
  return url != NULL && *url != '\0' && token != NULL && *token != '\0';
}

static gboolean worker_cycle_cb (gpointer data);

static void
worker_schedule_cycle (Worker *w,
                       guint   ms)
{
  clear_source (&w->cycle_source);
  w->cycle_source = worker_timeout (w, ms, worker_cycle_cb, "[sapa] sync cycle");
}

static void
worker_drop_ws (Worker *w)
{
  if (w->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (w->ws, w);
      if (soup_websocket_connection_get_state (w->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (w->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&w->ws);
    }
}

static gboolean
worker_poll_cb (gpointer data)
{
  Worker *w = data;

  if (w->cycle_source == NULL && !w->failing && !w->signed_out)
    worker_schedule_cycle (w, 0);
  return G_SOURCE_CONTINUE;
}

static void
worker_set_polling (Worker *w,
                    guint   seconds)
{
  clear_source (&w->poll_source);
  w->poll_source = worker_timeout (w, seconds * 1000, worker_poll_cb, "[sapa] sync poll");
}

static gboolean
worker_ws_retry_cb (gpointer data)
{
  Worker *w = data;

  g_clear_pointer (&w->ws_source, g_source_unref);
  worker_connect_ws (w);
  return G_SOURCE_REMOVE;
}

static void
worker_ws_lost (Worker *w)
{
  worker_set_polling (w, POLL_INTERVAL_S);
  if (w->signed_out || w->ws_source != NULL)
    return;
  w->ws_backoff_ms = next_backoff (w->ws_backoff_ms);
  w->ws_source = worker_timeout (w, jittered (w->ws_backoff_ms), worker_ws_retry_cb, "[sapa] live reconnect");
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *message,
               Worker                  *w)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *cursor = NULL;
  JsonObject *obj;
  const char *kind, *notice_cursor;

  if (type != SOUP_WEBSOCKET_DATA_TEXT ||
      !json_parser_load_from_data (parser, g_bytes_get_data (message, NULL), g_bytes_get_size (message), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  obj = json_node_get_object (json_parser_get_root (parser));
  w->ws_alive = g_get_monotonic_time ();
  kind = json_object_get_string_member_with_default (obj, "type", NULL);
  if (g_strcmp0 (kind, "changes") != 0)
    return;

  /* The notice right after connecting usually names the cursor we have. */
  notice_cursor = json_object_get_string_member_with_default (obj, "cursor", NULL);
  cursor = sapa_store_dup_meta (w->shared->store, "sync_cursor");
  if (notice_cursor != NULL && g_strcmp0 (notice_cursor, cursor) == 0 && !w->failing)
    return;
  worker_schedule_cycle (w, 0);
}

static void
ws_pong_cb (SoupWebsocketConnection *ws,
            GBytes                  *message,
            Worker                  *w)
{
  w->ws_alive = g_get_monotonic_time ();
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              Worker                  *w)
{
  g_debug ("Live connection closed (code %u)", soup_websocket_connection_get_close_code (ws));
  g_signal_handlers_disconnect_by_data (ws, w);
  g_clear_object (&w->ws);
  worker_ws_lost (w);
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&w->ws_msg);
  SoupWebsocketConnection *ws;

  g_clear_object (&w->ws_cancellable);

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Aborted to reconnect with new credentials, not stopped. */
          if (!g_cancellable_is_cancelled (w->cancellable))
            worker_connect_ws (w);
          return;
        }
      g_debug ("Live connection failed: %s (HTTP %u)", error->message, soup_message_get_status (msg));
      observe_hlc (w->shared->store, msg);
      /* A refused sign-in is found and reported by the cycle. */
      if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED)
        worker_schedule_cycle (w, 0);
      worker_ws_lost (w);
      return;
    }
  observe_hlc (w->shared->store, msg);
  w->ws = ws;
  w->ws_backoff_ms = 0;
  soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_S);
  g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), w);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), w);
  g_signal_connect (ws, "pong", G_CALLBACK (ws_pong_cb), w);
  w->ws_alive = g_get_monotonic_time ();
  worker_set_polling (w, SAFETY_POLL_S);
  g_debug ("Live connection open");

  /* Whatever happened while we were away: catch up now. */
  w->failing = FALSE;
  worker_schedule_cycle (w, 0);
}

static void
worker_connect_ws (Worker *w)
{
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *live = NULL;
  g_autofree char *auth = NULL;

  if (w->ws != NULL || w->ws_msg != NULL || w->signed_out)
    return;
  clear_source (&w->ws_source);
  shared_dup_credentials (w->shared, &url, &token);
  if (url == NULL || token == NULL)
    return;

  live = endpoint (url, "/api/v1/live");
  w->ws_msg = soup_message_new (SOUP_METHOD_GET, live);
  if (w->ws_msg == NULL)
    return;
  auth = g_strdup_printf ("Bearer %s", token);
  soup_message_headers_replace (soup_message_get_request_headers (w->ws_msg), "Authorization", auth);
  w->ws_cancellable = g_cancellable_new ();
  soup_session_websocket_connect_async (w->session, w->ws_msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        w->ws_cancellable, ws_connected_cb, w);
}

static gboolean
worker_cycle_cb (gpointer data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  CycleStats stats = { 0 };

  g_clear_pointer (&w->cycle_source, g_source_unref);
  if (g_cancellable_is_cancelled (w->cancellable))
    return G_SOURCE_REMOVE;

  if (!worker_has_credentials (w))
    {
      w->signed_out = TRUE;
      worker_drop_ws (w);
      worker_publish (w, SAPA_SYNC_STATE_SIGNED_OUT, NULL, 0, 0);
      return G_SOURCE_REMOVE;
    }

  /* Retries while offline stay "offline" until one works: no flicker. */
  if (!w->failing &&
      (w->state != SAPA_SYNC_STATE_SYNCED || sapa_store_count_unpushed (w->shared->store) > 0))
    worker_publish (w, SAPA_SYNC_STATE_SYNCING, NULL, 0, 0);

  if (run_cycle (w->shared, w->session, &stats, &token, w->cancellable, &error))
    {
      g_autoptr(GError) refused = rejection_error (&stats);

      w->failing = FALSE;
      w->cycle_backoff_ms = 0;
      /* Pongs that came during a long cycle wait unread in the socket. */
      w->ws_alive = g_get_monotonic_time ();
      worker_publish (w, SAPA_SYNC_STATE_SYNCED, refused, g_get_real_time () / G_USEC_PER_SEC, stats.rejected);
      /* Edits made while the cycle ran go out now; changes held for a
       * clock ahead are tried again in a minute, not in a tight loop. */
      if (stats.held > 0)
        worker_schedule_cycle (w, CLOCK_AHEAD_RETRY_MS);
      else if (sapa_store_count_unpushed (w->shared->store) > 0)
        worker_schedule_cycle (w, 0);
      if (w->ws == NULL && w->ws_msg == NULL)
        worker_connect_ws (w);
      return G_SOURCE_REMOVE;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return G_SOURCE_REMOVE;

  if (g_error_matches (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED))
    {
      Update *u;

      g_message ("The server refused this desk's sign-in; sign-in needed");
      w->signed_out = TRUE;
      w->failing = FALSE;
      worker_drop_ws (w);
      clear_source (&w->ws_source);
      clear_source (&w->poll_source);
      worker_publish (w, SAPA_SYNC_STATE_SIGNED_OUT, error, 0, stats.rejected);
      u = update_new (w->shared);
      u->flags = UPDATE_CLEAR_TOKEN;
      u->token = g_steal_pointer (&token);
      update_post (u);
      return G_SOURCE_REMOVE;
    }

  /* Offline, a server error or a refusal: keep what we have, try again later. */
  w->failing = TRUE;
  w->cycle_backoff_ms = next_backoff (w->cycle_backoff_ms);
  g_debug ("Cycle failed (%s); next try in about %u ms", error->message, w->cycle_backoff_ms);
  worker_publish (w, SAPA_SYNC_STATE_OFFLINE, error, 0, stats.rejected);
  worker_schedule_cycle (w, jittered (w->cycle_backoff_ms));
  return G_SOURCE_REMOVE;
}

/* Connections that may be dead without knowing it (after a wake from
 * suspend, or a path that silently drops everything): start afresh and
 * catch up. */
static void
worker_reconnect (Worker *w)
{
  if (w->signed_out)
    return;
  worker_drop_ws (w);
  /* Also the idle HTTP connections: a request on one would hang until the timeout. */
  soup_session_abort (w->session);
  w->ws_backoff_ms = 0;
  w->cycle_backoff_ms = 0;
  w->failing = FALSE;
  worker_connect_ws (w);
  worker_schedule_cycle (w, 0);
}

static gboolean
worker_clock_cb (gpointer data)
{
  Worker *w = data;
  gint64 offset = g_get_real_time () - g_get_monotonic_time ();
  gint64 now = g_get_monotonic_time ();

  if (ABS (offset - w->wall_offset) > CLOCK_JUMP_US)
    {
      g_message ("The clock jumped by %" G_GINT64_FORMAT " s (wake from suspend?); reconnecting",
                 (offset - w->wall_offset) / G_USEC_PER_SEC);
      w->wall_offset = offset;
      worker_reconnect (w);
    }
  else if (w->ws != NULL && now - w->ws_alive > LIVE_DEAD_US)
    {
      /* Our keepalive pings went unanswered: nothing comes through this
       * socket any more, not even the notices we must not miss. */
      g_message ("The live connection stopped answering; reconnecting");
      worker_reconnect (w);
    }
  w->wall_offset = offset;
  return G_SOURCE_CONTINUE;
}

/* Kicks, run on the worker's context. */
typedef enum {
  KICK_NOW,          /* sapa_sync_kick, network back, token or server changed */
  KICK_LOCAL_EDIT,   /* the store changed: push if online */
  KICK_RECONNECT,    /* credentials changed: drop the socket */
  KICK_QUIT,
} KickKind;

typedef struct {
  Worker   *worker;
  KickKind  kind;
} Kick;

static gboolean
worker_kick_cb (gpointer data)
{
  Kick *k = data;
  Worker *w = k->worker;

  switch (k->kind)
    {
    case KICK_QUIT:
      worker_drop_ws (w);
      g_main_loop_quit (w->loop);
      break;

    case KICK_LOCAL_EDIT:
      worker_publish_pending (w);
      if (!w->failing && !w->signed_out && w->cycle_source == NULL &&
          sapa_store_count_unpushed (w->shared->store) > 0)
        worker_schedule_cycle (w, 0);
      break;

    case KICK_RECONNECT:
      worker_drop_ws (w);
      if (w->ws_cancellable != NULL)
        g_cancellable_cancel (w->ws_cancellable);
      G_GNUC_FALLTHROUGH;
    case KICK_NOW:
      w->signed_out = FALSE;
      w->failing = FALSE;
      w->ws_backoff_ms = 0;
      worker_schedule_cycle (w, 0);
      if (w->ws == NULL)
        worker_connect_ws (w);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
worker_kick (Worker   *w,
             KickKind  kind)
{
  Kick *k = g_new0 (Kick, 1);

  k->worker = w;
  k->kind = kind;
  g_main_context_invoke_full (w->context, G_PRIORITY_DEFAULT, worker_kick_cb, k, g_free);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  g_main_context_push_thread_default (w->context);
  w->session = session_new ();
  w->wall_offset = g_get_real_time () - g_get_monotonic_time ();
  w->clock_source = worker_timeout (w, CLOCK_CHECK_S * 1000, worker_clock_cb, "[sapa] clock check");
  worker_schedule_cycle (w, 0);
  worker_connect_ws (w);

  g_main_loop_run (w->loop);

  worker_drop_ws (w);
  clear_source (&w->cycle_source);
  clear_source (&w->ws_source);
  clear_source (&w->poll_source);
  clear_source (&w->clock_source);
  /* Let a cancelled connect report back before its context goes away. */
  if (w->ws_cancellable != NULL)
    g_cancellable_cancel (w->ws_cancellable);
  while (w->ws_msg != NULL)
    g_main_context_iteration (w->context, TRUE);
  g_clear_object (&w->session);
  g_main_context_pop_thread_default (w->context);

  g_main_loop_unref (w->loop);
  g_main_context_unref (w->context);
  g_object_unref (w->cancellable);
  shared_unref (w->shared);
  g_free (w);
  return NULL;
}

/* -- owner side ------------------------------------------------------------- */

static void
store_changed_cb (SapaSync   *self,
                  const char *entity,
                  const char *id)
{
  gint64 pending;

  if (self->worker != NULL)
    {
      worker_kick (self->worker, KICK_LOCAL_EDIT);
      return;
    }
  /* Stopped (signed out, say): still count what waits; an indexed count. */
  pending = sapa_store_count_unpushed (self->shared->store);
  if (pending != self->pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
}

static void
network_changed_cb (SapaSync *self,
                    gboolean  available)
{
  if (available && self->worker != NULL)
    worker_kick (self->worker, KICK_NOW);
}

static void
set_token_internal (SapaSync   *self,
                    const char *token,
                    gboolean    kick)
{
  if (token != NULL && *token == '\0')
    token = NULL;
  if (!replace_str (&self->token, token))
    return;
  g_mutex_lock (&self->shared->lock);
  replace_str (&self->shared->token, token);
  g_mutex_unlock (&self->shared->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
  if (kick && self->worker != NULL)
    worker_kick (self->worker, KICK_RECONNECT);
  if (token == NULL && self->state != SAPA_SYNC_STATE_SIGNED_OUT)
    {
      self->state = SAPA_SYNC_STATE_SIGNED_OUT;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
sapa_sync_dispose (GObject *object)
{
  SapaSync *self = SAPA_SYNC (object);

  sapa_sync_stop (self);
  if (self->shared->store != NULL)
    g_clear_signal_handler (&self->changed_handler, self->shared->store);
  G_OBJECT_CLASS (sapa_sync_parent_class)->dispose (object);
}

static void
sapa_sync_finalize (GObject *object)
{
  SapaSync *self = SAPA_SYNC (object);

  g_clear_pointer (&self->shared, shared_unref);
  g_free (self->server_url);
  g_free (self->token);
  g_free (self->error_message);
  G_OBJECT_CLASS (sapa_sync_parent_class)->finalize (object);
}

static void
sapa_sync_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SapaSync *self = SAPA_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->shared->store);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_int64 (value, self->pending);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    case PROP_REJECTED:
      g_value_set_int64 (value, self->rejected);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_sync_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SapaSync *self = SAPA_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->shared->store = g_value_dup_object (value);
      break;
    case PROP_SERVER_URL:
      sapa_sync_set_server_url (self, g_value_get_string (value));
      break;
    case PROP_TOKEN:
      sapa_sync_set_token (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_sync_constructed (GObject *object)
{
  SapaSync *self = SAPA_SYNC (object);

  G_OBJECT_CLASS (sapa_sync_parent_class)->constructed (object);
  g_assert (SAPA_IS_STORE (self->shared->store));
  self->pending = sapa_store_count_unpushed (self->shared->store);
  self->changed_handler = g_signal_connect_object (self->shared->store, "changed",
                                                   G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
sapa_sync_class_init (SapaSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sapa_sync_dispose;
  object_class->finalize = sapa_sync_finalize;
  object_class->constructed = sapa_sync_constructed;
  object_class->get_property = sapa_sync_get_property;
  object_class->set_property = sapa_sync_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, SAPA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SAPA_TYPE_SYNC_STATE, SAPA_SYNC_STATE_SIGNED_OUT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REJECTED] =
    g_param_spec_int64 ("rejected", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sapa_sync_init (SapaSync *self)
{
  self->shared = g_new0 (Shared, 1);
  g_atomic_ref_count_init (&self->shared->ref_count);
  g_weak_ref_init (&self->shared->engine, self);
  g_mutex_init (&self->shared->lock);
  g_mutex_init (&self->shared->cycle_lock);
  self->shared->owner_context = g_main_context_ref_thread_default ();
  self->state = SAPA_SYNC_STATE_SIGNED_OUT;
}

/**
 * sapa_sync_new:
 * @store: the desk's store
 *
 * Makes a stopped engine for @store. Its properties change, and its
 * notifications come, on the thread-default main context of the calling
 * thread, which must also be the context @store emits ::changed on.
 */
SapaSync *
sapa_sync_new (SapaStore *store)
{
  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  return g_object_new (SAPA_TYPE_SYNC, "store", store, NULL);
}

const char *
sapa_sync_get_server_url (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), NULL);
  return self->server_url;
}

void
sapa_sync_set_server_url (SapaSync   *self,
                          const char *url)
{
  g_return_if_fail (SAPA_IS_SYNC (self));

  if (url != NULL && *url == '\0')
    url = NULL;
  if (!replace_str (&self->server_url, url))
    return;
  g_mutex_lock (&self->shared->lock);
  replace_str (&self->shared->server_url, url);
  g_mutex_unlock (&self->shared->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
  if (self->worker != NULL)
    worker_kick (self->worker, KICK_RECONNECT);
}

const char *
sapa_sync_get_token (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), NULL);
  return self->token;
}

void
sapa_sync_set_token (SapaSync   *self,
                     const char *token)
{
  g_return_if_fail (SAPA_IS_SYNC (self));
  set_token_internal (self, token, TRUE);
}

SapaSyncState
sapa_sync_get_state (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), SAPA_SYNC_STATE_SIGNED_OUT);
  return self->state;
}

gint64
sapa_sync_get_pending (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), 0);
  return self->pending;
}

gint64
sapa_sync_get_last_synced (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), 0);
  return self->last_synced;
}

gint64
sapa_sync_get_rejected (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), 0);
  return self->rejected;
}

const char *
sapa_sync_get_error_message (SapaSync *self)
{
  g_return_val_if_fail (SAPA_IS_SYNC (self), NULL);
  return self->error_message;
}

/**
 * sapa_sync_start:
 *
 * Starts the worker: a cycle right away, the live socket, polling while the
 * socket is down, retries with backoff while offline. Does nothing if running.
 */
void
sapa_sync_start (SapaSync *self)
{
  Worker *w;
  GNetworkMonitor *monitor;

  g_return_if_fail (SAPA_IS_SYNC (self));

  if (self->worker != NULL)
    return;

  w = g_new0 (Worker, 1);
  w->shared = shared_ref (self->shared);
  w->context = g_main_context_new ();
  w->loop = g_main_loop_new (w->context, FALSE);
  self->worker_cancellable = g_cancellable_new ();
  w->cancellable = g_object_ref (self->worker_cancellable);
  w->state = self->state;
  self->worker = w;
  self->thread = g_thread_new ("sapa-sync", worker_thread, w);

  monitor = g_network_monitor_get_default ();
  self->network_handler = g_signal_connect_object (monitor, "network-changed",
                                                   G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
}

/**
 * sapa_sync_stop:
 *
 * Stops the worker and waits for it: a request under way is cancelled, and
 * nothing is lost (the outbox and the cursor live in the store).
 */
void
sapa_sync_stop (SapaSync *self)
{
  g_return_if_fail (SAPA_IS_SYNC (self));

  if (self->worker == NULL)
    return;

  g_clear_signal_handler (&self->network_handler, g_network_monitor_get_default ());
  g_cancellable_cancel (self->worker_cancellable);
  worker_kick (self->worker, KICK_QUIT);
  self->worker = NULL;
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_object (&self->worker_cancellable);
}

/**
 * sapa_sync_kick:
 *
 * Asks the running worker to sync now (and to reconnect the live socket if
 * it is down), even while it waits out a backoff.
 */
void
sapa_sync_kick (SapaSync *self)
{
  g_return_if_fail (SAPA_IS_SYNC (self));

  if (self->worker != NULL)
    worker_kick (self->worker, KICK_NOW);
}

/**
 * sapa_sync_run_once:
 *
 * Pushes every waiting change and pulls until the server has no more, in
 * the calling thread, with a session of its own. The engine's properties
 * follow on the owner's context. A refused sign-in clears the token.
 */
gboolean
sapa_sync_run_once (SapaSync      *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *token = NULL;
  CycleStats stats = { 0 };
  Update *u;

  g_return_val_if_fail (SAPA_IS_SYNC (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  session = session_new ();
  u = update_new (self->shared);
  if (run_cycle (self->shared, session, &stats, &token, cancellable, &local))
    {
      u->flags = UPDATE_STATE | UPDATE_PENDING | UPDATE_ERROR | UPDATE_LAST_SYNCED | UPDATE_REJECTED;
      g_autoptr(GError) refused = rejection_error (&stats);

      u->state = SAPA_SYNC_STATE_SYNCED;
      u->last_synced = g_get_real_time () / G_USEC_PER_SEC;
      u->rejected = stats.rejected;
      u->error_message = refused ? g_strdup (refused->message) : NULL;
      u->pending = sapa_store_count_unpushed (self->shared->store);
      update_post (u);
      return TRUE;
    }

  u->flags = UPDATE_PENDING | UPDATE_REJECTED;
  u->pending = sapa_store_count_unpushed (self->shared->store);
  u->rejected = stats.rejected;
  if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      u->flags |= UPDATE_STATE | UPDATE_ERROR;
      u->error_message = g_strdup (local->message);
      u->state = SAPA_SYNC_STATE_OFFLINE;
    }
  if (g_error_matches (local, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED))
    {
      u->state = SAPA_SYNC_STATE_SIGNED_OUT;
      u->flags |= UPDATE_CLEAR_TOKEN;
      u->token = g_steal_pointer (&token);
    }
  update_post (u);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* -- sign-in and sign-out ----------------------------------------------------- */

typedef struct {
  Shared    *shared;
  SapaStore *store;
  char      *server_url;
  char      *username;
  char      *password;
  char      *token;      /* in: for sign-out; out: from sign-in */
} SessionJob;

static void
session_job_free (gpointer data)
{
  SessionJob *job = data;

  g_clear_pointer (&job->shared, shared_unref);
  g_clear_object (&job->store);
  g_free (job->server_url);
  g_free (job->username);
  if (job->password != NULL)
    {
      memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job->token);
  g_free (job);
}

/*
 * The agent record from the sign-in answer, stored as a change that came
 * from the server, so it is not logged and never goes back. Its stamp is the
 * smallest there is: it stands in until the agent's real changes arrive by
 * pull, and any of them wins over it, in whatever order they were stamped.
 */
static gboolean
apply_signed_in_agent (SapaStore   *store,
                       JsonObject  *agent,
                       const char  *agent_id,
                       GError     **error)
{
  const SapaEntity *entity = sapa_entity_lookup ("agent");
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GError) local = NULL;
  SapaChange *change;
  GList *members = json_object_get_members (agent);

  /* Only the record's own fields: the answer may carry more. */
  for (GList *l = members; l != NULL; l = l->next)
    if (sapa_entity_find_field (entity, l->data) != NULL)
      json_object_set_member (fields, l->data, json_node_copy (json_object_get_member (agent, l->data)));
  g_list_free (members);

  change = g_new0 (SapaChange, 1);
  change->change_id = sapa_uuid_new ();
  change->op = SAPA_CHANGE_UPSERT;
  change->hlc = 1;
  change->record = sapa_record_new_from_json ("agent", agent_id, fields, &local);
  if (change->record == NULL)
    {
      sapa_change_free (change);
      g_set_error (error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_PROTOCOL,
                   _("The server's answer to the sign-in holds an agent this desk cannot store (%s). Check "
                     "that the desk and the server run the same version of Sapa."),
                   local->message);
      return FALSE;
    }
  g_ptr_array_add (changes, change);
  return sapa_store_apply_changes (store, changes, NULL, NULL, error);
}

/*
 * A desk that worked alone before its first sign-in made its own branch and
 * agent, and its customers, visits and ratings point to them. The server
 * refuses those, so before anything is pushed the desk's work moves to the
 * agent that signed in and their branch (one transaction; see
 * sapa_desk_adopt_identity()).
 */
static gboolean
adopt_local_identity (SapaStore   *store,
                      const char  *agent_id,
                      const char  *branch_id,
                      GError     **error)
{
  GError *local = NULL;

  if (!sapa_desk_has_local_identity (store))
    return TRUE;
  if (sapa_desk_adopt_identity (store, agent_id, branch_id, &local))
    return TRUE;
  /* Translators: followed by the reason the database gave */
  g_propagate_prefixed_error (error, local, "%s ",
                              _("Signed in, but the work done at this desk before could not be moved to "
                                "your account, so nothing was sent. Try signing in again."));
  return FALSE;
}

static void
sign_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SessionJob *job = task_data;
  g_autoptr(SoupSession) session = session_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *previous_agent = NULL;
  JsonObject *obj, *agent;
  const char *token, *agent_id, *branch_id;
  guint status;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, job->username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, job->password);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, g_get_host_name ());
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  if (!request_json (session, job->store, "POST", job->server_url, "/api/v1/session", NULL, body,
                     &status, &root, NULL, cancellable, &error))
    {
      if (status == SOUP_STATUS_UNAUTHORIZED)
        g_task_return_new_error (task, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_UNAUTHORIZED, "%s",
                                 _("The user name or password is wrong. Check them and try again."));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (token = json_object_get_string_member_with_default (obj = json_node_get_object (root), "token", NULL)) == NULL ||
      !json_object_has_member (obj, "agent") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "agent")) ||
      (agent_id = json_object_get_string_member_with_default (
         agent = json_object_get_object_member (obj, "agent"), "id", NULL)) == NULL)
    {
      set_protocol_error (&error, job->server_url, "session: no token or agent");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  branch_id = json_object_get_string_member_with_default (agent, "branch_id", NULL);

  /* Pull answers depend on who asks: another agent needs everything they may
   * see, not what was left after the last one's cursor. No cycle runs
   * meanwhile, and the next one uses the new sign-in. */
  g_mutex_lock (&job->shared->cycle_lock);
  previous_agent = sapa_store_dup_meta (job->store, "agent_id");
  if ((g_strcmp0 (previous_agent, agent_id) != 0 &&
       !sapa_store_set_meta (job->store, "sync_cursor", NULL, &error)) ||
      !apply_signed_in_agent (job->store, agent, agent_id, &error) ||
      !adopt_local_identity (job->store, agent_id, branch_id, &error) ||
      !sapa_store_set_meta (job->store, "agent_id", agent_id, &error) ||
      !sapa_store_set_meta (job->store, "branch_id", branch_id, &error))
    {
      g_mutex_unlock (&job->shared->cycle_lock);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_mutex_lock (&job->shared->lock);
  replace_str (&job->shared->server_url, job->server_url);
  replace_str (&job->shared->token, token);
  g_mutex_unlock (&job->shared->lock);
  g_mutex_unlock (&job->shared->cycle_lock);

  job->token = g_strdup (token);
  g_task_return_boolean (task, TRUE);
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GTask) outer = data;
  SapaSync *self = g_task_get_source_object (outer);
  SessionJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  g_object_freeze_notify (G_OBJECT (self));
  sapa_sync_set_server_url (self, job->server_url);
  sapa_sync_set_token (self, job->token);
  g_object_thaw_notify (G_OBJECT (self));
  g_task_return_boolean (outer, TRUE);
}

void
sapa_sync_sign_in_async (SapaSync            *self,
                         const char          *server_url,
                         const char          *username,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  SessionJob *job;

  g_return_if_fail (SAPA_IS_SYNC (self));
  g_return_if_fail (server_url != NULL && username != NULL && password != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sapa_sync_sign_in_async);

  job = g_new0 (SessionJob, 1);
  job->shared = shared_ref (self->shared);
  job->store = g_object_ref (self->shared->store);
  job->server_url = g_strdup (server_url);
  job->username = g_strdup (username);
  job->password = g_strdup (password);
  inner = g_task_new (NULL, cancellable, sign_in_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, job, session_job_free);
  g_task_run_in_thread (inner, sign_in_thread);
}

gboolean
sapa_sync_sign_in_finish (SapaSync      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sign_out_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  SessionJob *job = task_data;
  g_autoptr(SoupSession) session = session_new ();
  g_autoptr(GError) error = NULL;
  guint status;

  /* A token the server no longer knows is signed out already. */
  if (!request_json (session, job->store, "DELETE", job->server_url, "/api/v1/session", job->token, NULL,
                     &status, NULL, NULL, cancellable, &error) &&
      status != SOUP_STATUS_UNAUTHORIZED)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
sign_out_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GTask) outer = data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (outer, error);
  else
    g_task_return_boolean (outer, TRUE);
}

/**
 * sapa_sync_sign_out_async:
 *
 * Forgets the token on this desk at once, then tells the server to revoke
 * it. An error means the server could not be told (the desk is signed out
 * all the same; the token expires on the server after 12 idle hours).
 */
void
sapa_sync_sign_out_async (SapaSync            *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  SessionJob *job;

  g_return_if_fail (SAPA_IS_SYNC (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sapa_sync_sign_out_async);
  if (self->token == NULL || self->server_url == NULL)
    {
      sapa_sync_set_token (self, NULL);
      g_task_return_boolean (outer, TRUE);
      return;
    }

  job = g_new0 (SessionJob, 1);
  job->store = g_object_ref (self->shared->store);
  job->server_url = g_strdup (self->server_url);
  job->token = g_strdup (self->token);
  sapa_sync_set_token (self, NULL);

  inner = g_task_new (NULL, cancellable, sign_out_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, job, session_job_free);
  g_task_run_in_thread (inner, sign_out_thread);
}

gboolean
sapa_sync_sign_out_finish (SapaSync      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
