/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <glib/gstdio.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-json.h>

#include "sapa-server.h"
#include "sapa-server-auth.h"
#include "sapa-server-db.h"
#include "sapa-server-private.h"
#include "sapa-store-private.h"

#define LIVE_PATH "/api/v1/live"
#define INBOUND_PREFIX "/api/v1/inbound/"
#define SURVEY_PREFIX "/s/"
#define BODY_KEY "sapa-request-body"
#define PRINCIPAL_KEY "sapa-live-principal"
/* Desks send nothing on the live socket; anything bigger than this is refused. */
#define LIVE_MAX_INCOMING (64 * 1024)

typedef enum {
  AUTH_NONE,
  AUTH_SIGNED_IN,
  AUTH_ADMIN,
} RouteAuth;

typedef struct {
  const char *path;
  gboolean    prefix;
  const char *method;
  RouteAuth   auth;
  void      (*func) (SapaRequest *req);   /* NULL: answered on the main context */
} Route;

static void route_sign_in  (SapaRequest *req);
static void route_sign_out (SapaRequest *req);

static const Route routes[] = {
  { "/api/v1/session",   FALSE, "POST",   AUTH_NONE,      route_sign_in },
  { "/api/v1/session",   FALSE, "DELETE", AUTH_SIGNED_IN, route_sign_out },
  { "/api/v1/sync/push", FALSE, "POST",   AUTH_SIGNED_IN, sapa_route_push },
  { "/api/v1/sync/pull", FALSE, "GET",    AUTH_SIGNED_IN, sapa_route_pull },
  { "/api/v1/sync/snapshot", FALSE, "GET", AUTH_SIGNED_IN, sapa_route_snapshot },
  { "/api/v1/audit",     FALSE, "GET",    AUTH_ADMIN,     sapa_route_audit },
  { "/api/v1/survey-links", FALSE, "POST", AUTH_SIGNED_IN, sapa_route_survey_link },
  { "/api/v1/metrics",   FALSE, "GET",    AUTH_SIGNED_IN, sapa_route_metrics },
  { SURVEY_PREFIX,       TRUE,  "GET",    AUTH_NONE,      sapa_route_survey_page },
  { SURVEY_PREFIX,       TRUE,  "POST",   AUTH_NONE,      sapa_route_survey_page },
  { INBOUND_PREFIX,      TRUE,  "POST",   AUTH_NONE,      sapa_route_inbound },
  { LIVE_PATH,           FALSE, "GET",    AUTH_SIGNED_IN, NULL },
  { "/healthz",          FALSE, "GET",    AUTH_NONE,      NULL },
  { "/healthz",          FALSE, "HEAD",   AUTH_NONE,      NULL },   /* load balancers' checks */
};

typedef struct {
  SoupWebsocketConnection *connection;
  SapaPrincipal           *principal;
} LiveClient;

struct _SapaServer
{
  GObject          parent_instance;

  SapaStore       *store;
  SapaAuth        *auth;
  SoupServer      *soup;
  GTlsCertificate *tls;
  char            *epoch;
  GMutex           inbound_lock;
  GPtrArray       *live;           /* LiveClient* */
  guint            live_source;
  guint            in_flight;
  gboolean         shutting_down;
  char            *trusted_proxy;  /* peer whose X-Forwarded-For names the client */
  char            *public_url;     /* survey links start with it */
  gint64           survey_link_lifetime;
  gboolean         snapshots;
  gint             snapshots_running;
};

/* As nginx: room for a few hundred desks connecting at the same moment. */
#define LISTEN_BACKLOG 511

G_DEFINE_FINAL_TYPE (SapaServer, sapa_server, G_TYPE_OBJECT)
G_DEFINE_QUARK (sapa-server-error-quark, sapa_server_error)

/* -- answers ------------------------------------------------------------ */

const char *
sapa_server_error_code (guint status)
{
  switch (status)
    {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 410: return "gone";
    case 413: return "too_large";
    case 422: return "invalid";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default:  return status >= 500 ? "internal" : "bad_request";
    }
}

static JsonNode *
error_node (guint       status,
            const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, sapa_server_error_code (status));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
sapa_request_error (SapaRequest *req,
                    guint        status,
                    const char  *message)
{
  sapa_request_answer (req, status, error_node (status, message));
}

void
sapa_request_answer (SapaRequest *req,
                     guint        status,
                     JsonNode    *answer)
{
  g_clear_pointer (&req->answer, json_node_unref);
  g_clear_pointer (&req->answer_text, g_free);
  g_clear_pointer (&req->answer_type, g_free);
  g_clear_pointer (&req->answer_bytes, g_bytes_unref);
  req->status = status;
  req->answer = answer;
}

void
sapa_request_answer_text (SapaRequest *req,
                          guint        status,
                          char        *text)
{
  sapa_request_answer (req, status, NULL);
  req->answer_text = text;
}

void
sapa_request_answer_html (SapaRequest *req,
                          guint        status,
                          char        *html)
{
  sapa_request_answer_text (req, status, html);
  req->answer_type = g_strdup ("text/html; charset=utf-8");
}

void
sapa_request_answer_bytes (SapaRequest *req,
                           guint        status,
                           const char  *content_type,
                           GBytes      *bytes)
{
  sapa_request_answer (req, status, NULL);
  req->answer_bytes = g_bytes_ref (bytes);
  req->answer_type = g_strdup (content_type);
}

JsonNode *
sapa_request_parse_json (SapaRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize length = 0;
  const char *data = req->body ? g_bytes_get_data (req->body, &length) : NULL;

  if (data == NULL || length == 0)
    {
      sapa_request_error (req, 400, "The request needs a JSON body");
      return NULL;
    }
  if (length > G_MAXSSIZE || !g_utf8_validate_len (data, length, NULL))
    {
      sapa_request_error (req, 400, "The request body is not valid UTF-8");
      return NULL;
    }
  root = sapa_json_parse_one (data, (gssize) length, &error);
  if (root == NULL)
    {
      g_autofree char *message = g_strdup_printf ("The request body is not JSON: %s", error->message);
      sapa_request_error (req, 400, message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      sapa_request_error (req, 400, "The request body must be a JSON object");
      return NULL;
    }
  return g_steal_pointer (&root);
}

static void
set_hlc_header (SapaServer        *self,
                SoupServerMessage *msg)
{
  g_autofree char *hlc = sapa_hlc_to_string (sapa_hlc_now (sapa_store_get_hlc (self->store)));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Sapa-HLC", hlc);
}

static void
respond_text (SapaServer        *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              char              *text)
{
  set_hlc_header (self, msg);
  if (content_type != NULL && g_str_has_prefix (content_type, "text/html"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      /* No script, no frames, no referrer (the address holds a token), no caching. */
      soup_message_headers_replace (headers, "Content-Security-Policy",
                                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                    "frame-ancestors 'none'; base-uri 'none'");
      soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
      soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
      soup_message_headers_replace (headers, "Cache-Control", "no-store");
    }
  soup_server_message_set_response (msg, content_type ? content_type : "application/json",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
  soup_server_message_set_status (msg, status, NULL);
}

static void
respond (SapaServer        *self,
         SoupServerMessage *msg,
         guint              status,
         JsonNode          *answer)
{
  set_hlc_header (self, msg);
  if (answer != NULL)
    {
      char *text = json_to_string (answer, FALSE);

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
    }
  else
    soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  soup_server_message_set_status (msg, status, NULL);
}

static void
respond_error (SapaServer        *self,
               SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonNode) node = error_node (status, message);

  respond (self, msg, status, node);
}

/* -- cursors ------------------------------------------------------------ */

char *
sapa_cursor_make (const char *epoch,
                  gint64      seq)
{
  return g_strdup_printf ("%s.%" G_GINT64_FORMAT, epoch, seq);
}

gboolean
sapa_cursor_parse (const char *cursor,
                   const char *epoch,
                   gint64     *seq)
{
  const char *dot = strrchr (cursor, '.');
  guint64 value;

  if (dot == NULL || (gsize) (dot - cursor) != strlen (epoch) ||
      strncmp (cursor, epoch, dot - cursor) != 0)
    return FALSE;
  if (!g_ascii_string_to_unsigned (dot + 1, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *seq = (gint64) value;
  return TRUE;
}

gint64
sapa_server_last_seq (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 seq = 0;

  if (sqlite3_prepare_v2 (db, "SELECT COALESCE(max(seq), 0) FROM change_log;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return seq;
}

/* -- session routes ------------------------------------------------------- */

static const char *
string_member (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
route_sign_in (SapaRequest *req)
{
  g_autoptr(JsonNode) root = sapa_request_parse_json (req);
  g_autoptr(SapaPrincipal) principal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *username, *password, *device;
  JsonObject *obj;
  JsonNode *device_node;
  gint64 expires_at = 0;
  guint retry_after = 0;

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  username = string_member (obj, "username");
  password = string_member (obj, "password");
  device_node = json_object_get_member (obj, "device");
  device = string_member (obj, "device");
  if (username == NULL || password == NULL ||
      (device_node != NULL && !JSON_NODE_HOLDS_NULL (device_node) && device == NULL))
    {
      sapa_request_error (req, 400, "Send “username” and “password” as text (and “device” as text if given)");
      return;
    }

  token = sapa_auth_sign_in (req->auth, username, password, device, req->address,
                             &expires_at, &principal, &retry_after, &error);
  if (token == NULL)
    {
      if (g_error_matches (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_RATE_LIMITED))
        {
          req->retry_after = g_strdup_printf ("%u", MAX (retry_after, 1));
          sapa_request_error (req, 429, "Too many failed sign-ins; wait before trying again");
        }
      else if (error != NULL && error->domain == SAPA_AUTH_ERROR && error->code != SAPA_AUTH_ERROR_FAILED)
        sapa_request_error (req, 401, "The username or password is wrong, or the account is disabled");
      else
        {
          g_warning ("Sign-in failed: %s", error ? error->message : "no reason");
          sapa_request_error (req, 500, "The server could not sign you in; try again later");
        }
      return;
    }

  g_info ("%s signed in from %s", username, req->address ? req->address : "?");
  sapa_request_answer (req, 201, sapa_auth_session_to_json (token, expires_at, principal));
}

static void
route_sign_out (SapaRequest *req)
{
  g_autoptr(GError) error = NULL;

  if (!sapa_auth_revoke (req->auth, req->token, &error))
    {
      if (g_error_matches (error, SAPA_AUTH_ERROR, SAPA_AUTH_ERROR_INVALID_TOKEN))
        sapa_request_error (req, 401, "The session has already ended; sign in again");
      else
        {
          g_warning ("Sign-out failed: %s", error ? error->message : "no reason");
          sapa_request_error (req, 500, "The server could not end the session; try again later");
        }
      return;
    }
  sapa_request_answer (req, 204, NULL);
}

/* -- request body limit ----------------------------------------------------- */

typedef struct {
  GByteArray *data;
  gboolean    too_large;
} BodyCapture;

static void
body_capture_free (gpointer data)
{
  BodyCapture *cap = data;

  g_byte_array_unref (cap->data);
  g_free (cap);
}

static void
got_headers_cb (SoupServerMessage *msg,
                SapaServer        *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  BodyCapture *cap = g_new0 (BodyCapture, 1);

  /* The body is collected here up to the limit, never by libsoup in full. */
  cap->data = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (msg), BODY_KEY, cap, body_capture_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  set_hlc_header (self, msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > SAPA_SERVER_MAX_BODY)
    {
      cap->too_large = TRUE;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      respond_error (self, msg, 413, "The request body is larger than 4 MiB; send fewer changes at a time");
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              SapaServer        *self)
{
  BodyCapture *cap = g_object_get_data (G_OBJECT (msg), BODY_KEY);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  if (cap == NULL || cap->too_large)
    return;
  if (cap->data->len + size > SAPA_SERVER_MAX_BODY)
    {
      cap->too_large = TRUE;
      g_byte_array_set_size (cap->data, 0);
      return;
    }
  g_byte_array_append (cap->data, data, size);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    SapaServer        *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  /* Idle keep-alive connections, slow senders and dead WebSocket peers all
   * end after this many seconds without I/O. */
  if (socket != NULL)
    g_socket_set_timeout (socket, SAPA_SERVER_IO_TIMEOUT);
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), self, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self, 0);
}

/* -- routing ------------------------------------------------------------ */

static gboolean
route_matches_path (const Route *route,
                    const char  *path)
{
  if (route->prefix)
    return g_str_has_prefix (path, route->path);
  return g_str_equal (path, route->path);
}

/* The route for @path and @method; NULL with *known_path telling 404 from 405. */
static const Route *
find_route (const char *path,
            const char *method,
            GString    *allowed,
            gboolean   *known_path)
{
  const Route *found = NULL;

  *known_path = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (!route_matches_path (&routes[i], path))
        continue;
      *known_path = TRUE;
      if (allowed->len > 0)
        g_string_append (allowed, ", ");
      g_string_append (allowed, routes[i].method);
      if (g_str_equal (routes[i].method, method))
        found = &routes[i];
    }
  return found;
}

static char *
bearer_token (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  header += 7;
  while (*header == ' ')
    header++;
  return *header ? g_strstrip (g_strdup (header)) : NULL;
}

typedef struct {
  SapaServer        *server;
  SoupServerMessage *msg;
  const Route       *route;
  SapaRequest        req;
  gulong             disconnected_id;
  gboolean           disconnected;
  gint64             started;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->disconnected_id != 0)
    g_signal_handler_disconnect (job->msg, job->disconnected_id);
  g_clear_object (&job->msg);
  g_clear_object (&job->server);
  g_free (job->req.method);
  g_free (job->req.path);
  g_free (job->req.channel);
  g_clear_pointer (&job->req.query, g_hash_table_unref);
  g_clear_pointer (&job->req.body, g_bytes_unref);
  if (job->req.token != NULL)
    memset (job->req.token, 0, strlen (job->req.token));
  g_free (job->req.token);
  g_free (job->req.signature);
  g_free (job->req.address);
  g_clear_pointer (&job->req.principal, sapa_principal_free);
  g_clear_pointer (&job->req.answer, json_node_unref);
  g_free (job->req.answer_text);
  g_free (job->req.answer_type);
  g_clear_pointer (&job->req.answer_bytes, g_bytes_unref);
  g_free (job->req.retry_after);
  g_free (job);
}

/* Resolves the caller; FALSE with an error answer when not allowed. */
static gboolean
authorize (SapaRequest *req,
           RouteAuth    auth)
{
  g_autoptr(GError) error = NULL;

  if (auth == AUTH_NONE)
    return TRUE;
  if (req->token == NULL)
    {
      sapa_request_error (req, 401, "Sign in first and send the token as “Authorization: Bearer TOKEN”");
      return FALSE;
    }
  req->principal = sapa_auth_check_token (req->auth, req->token, &error);
  if (req->principal == NULL)
    {
      if (error != NULL && error->domain == SAPA_AUTH_ERROR && error->code != SAPA_AUTH_ERROR_FAILED)
        sapa_request_error (req, 401, "The session has expired or was ended; sign in again");
      else
        {
          g_warning ("Token check failed: %s", error ? error->message : "no reason");
          sapa_request_error (req, 500, "The server could not check the session; try again later");
        }
      return FALSE;
    }
  if (auth == AUTH_ADMIN && !sapa_principal_is_admin (req->principal))
    {
      sapa_request_error (req, 403, "Only administrators may do this");
      return FALSE;
    }
  return TRUE;
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;

  if (authorize (&job->req, job->route->auth))
    job->route->func (&job->req);
  if (job->req.status == 0)
    sapa_request_error (&job->req, 500, "The server did not answer the request");
  g_task_return_boolean (task, TRUE);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SapaServer *self = SAPA_SERVER (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  SapaRequest *req = &job->req;

  g_assert (self->in_flight > 0);
  self->in_flight--;

  if (req->status >= 500)
    g_warning ("%s %s -> %u", req->method, req->path, req->status);
  else
    g_info ("%s %s -> %u in %.1f ms", req->method, req->path, req->status,
            (g_get_monotonic_time () - job->started) / 1000.0);

  if (job->disconnected)
    g_debug ("%s %s: the client left before the answer", req->method, req->path);
  else
    {
      if (req->retry_after != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (job->msg),
                                      "Retry-After", req->retry_after);
      if (req->answer_bytes != NULL)
        {
          set_hlc_header (self, job->msg);
          soup_server_message_set_status (job->msg, req->status, NULL);
          soup_message_headers_set_content_type (soup_server_message_get_response_headers (job->msg),
                                                  req->answer_type, NULL);
          soup_message_body_append_bytes (soup_server_message_get_response_body (job->msg), req->answer_bytes);
        }
      else if (req->answer_text != NULL)
        respond_text (self, job->msg, req->status, req->answer_type, g_steal_pointer (&req->answer_text));
      else
        respond (self, job->msg, req->status, req->answer);
      soup_server_message_unpause (job->msg);
    }

  if (req->notify_live)
    sapa_server_notify_live (self);
}

static void
message_disconnected_cb (SoupServerMessage *msg,
                         gpointer           user_data)
{
  Job *job = user_data;

  job->disconnected = TRUE;
}

/* The client's address. Behind a proxy every request comes from the proxy,
 * which would make the per-address sign-in limit lock everyone out at once:
 * from the trusted proxy only, the last X-Forwarded-For entry (the address
 * the proxy itself saw) names the client. */
static char *
client_address (SapaServer        *self,
                SoupServerMessage *msg,
                const char        *remote)
{
  const char *forwarded;
  const char *last;

  if (self->trusted_proxy == NULL || g_strcmp0 (remote, self->trusted_proxy) != 0)
    return g_strdup (remote);
  forwarded = soup_message_headers_get_list (soup_server_message_get_request_headers (msg), "X-Forwarded-For");
  if (forwarded == NULL)
    return g_strdup (remote);
  last = strrchr (forwarded, ',');
  last = last ? last + 1 : forwarded;
  while (*last == ' ')
    last++;
  return *last ? g_strstrip (g_strdup (last)) : g_strdup (remote);
}

static void
start_job (SapaServer        *self,
           SoupServerMessage *msg,
           const Route       *route,
           const char        *path,
           GHashTable        *query,
           BodyCapture       *cap)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);
  const char *remote = soup_server_message_get_remote_host (msg);

  job->server = g_object_ref (self);
  job->msg = g_object_ref (msg);
  job->route = route;
  job->started = g_get_monotonic_time ();
  job->req.store = self->store;
  job->req.auth = self->auth;
  job->req.epoch = self->epoch;
  job->req.inbound_lock = &self->inbound_lock;
  job->req.public_url = self->public_url;
  job->req.survey_link_lifetime = self->survey_link_lifetime;
  job->req.snapshots_running = self->snapshots ? &self->snapshots_running : NULL;
  job->req.method = g_strdup (soup_server_message_get_method (msg));
  job->req.path = g_strdup (path);
  if (route->prefix)
    job->req.channel = g_strdup (path + strlen (route->path));
  if (query != NULL)
    job->req.query = g_hash_table_ref (query);
  if (cap != NULL && cap->data->len > 0)
    {
      job->req.body = g_byte_array_free_to_bytes (g_steal_pointer (&cap->data));
      cap->data = g_byte_array_new ();
    }
  job->req.token = bearer_token (msg);
  job->req.signature = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                               "X-Sapa-Signature"));
  job->req.address = client_address (self, msg, remote);
  job->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (message_disconnected_cb), job);

  /* A snapshot is written before its answer starts: no I/O meanwhile. */
  if (route->func == sapa_route_snapshot && soup_server_message_get_socket (msg) != NULL)
    g_socket_set_timeout (soup_server_message_get_socket (msg), SAPA_SERVER_SNAPSHOT_TIMEOUT);

  self->in_flight++;
  soup_server_message_pause (msg);
  task = g_task_new (self, NULL, job_done_cb, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, job_thread);
}

static void
answer_healthz (SapaServer        *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hlc = sapa_hlc_to_string (sapa_hlc_now (sapa_store_get_hlc (self->store)));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "hlc");
  json_builder_add_string_value (b, hlc);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  respond (self, msg, 200, root);
}

static void
handle_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SapaServer *self = user_data;
  BodyCapture *cap = g_object_get_data (G_OBJECT (msg), BODY_KEY);
  g_autoptr(GString) allowed = g_string_new (NULL);
  const Route *route;
  gboolean known_path;

  route = find_route (path, soup_server_message_get_method (msg), allowed, &known_path);
  if (!known_path)
    {
      respond_error (self, msg, 404, "There is nothing at this address; see docs/api/openapi.yaml");
      return;
    }
  if (route == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed->str);
      respond_error (self, msg, 405, "This address does not take that method; see the Allow header");
      return;
    }
  if (cap != NULL && cap->too_large)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      respond_error (self, msg, 413, "The request body is larger than 4 MiB; send fewer changes at a time");
      return;
    }
  if (self->shutting_down)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      respond_error (self, msg, 503, "The server is shutting down; try again in a moment");
      return;
    }
  if (g_str_equal (route->path, "/healthz"))
    {
      answer_healthz (self, msg);
      return;
    }
  /* A survey address that cannot be a link still gets the page saying so. */
  if (route->prefix && !g_str_equal (route->path, SURVEY_PREFIX) &&
      (path[strlen (route->path)] == '\0' || strchr (path + strlen (route->path), '/') != NULL))
    {
      respond_error (self, msg, 404, "There is nothing at this address; see docs/api/openapi.yaml");
      return;
    }
  start_job (self, msg, route, path, query, cap);
}

/* -- live WebSocket ------------------------------------------------------- */

static void
live_client_free (LiveClient *client)
{
  g_signal_handlers_disconnect_by_data (client->connection, client);
  g_clear_object (&client->connection);
  g_clear_pointer (&client->principal, sapa_principal_free);
  g_free (client);
}

static char *
live_message (SapaServer *self)
{
  sqlite3 *db = sapa_store_acquire_reader (self->store);
  gint64 seq = sapa_server_last_seq (db);
  g_autofree char *cursor = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  sapa_store_release_reader (self->store, db);
  cursor = sapa_cursor_make (self->epoch, seq);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "changes");
  json_builder_set_member_name (b, "cursor");
  json_builder_add_string_value (b, cursor);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
notify_live_cb (gpointer data)
{
  SapaServer *self = data;
  g_autofree char *text = NULL;

  self->live_source = 0;
  if (self->live->len == 0)
    return G_SOURCE_REMOVE;
  text = live_message (self);
  for (guint i = 0; i < self->live->len; i++)
    {
      LiveClient *client = g_ptr_array_index (self->live, i);

      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (client->connection, text);
    }
  return G_SOURCE_REMOVE;
}

void
sapa_server_notify_live (SapaServer *self)
{
  g_return_if_fail (SAPA_IS_SERVER (self));

  /* Several commits in a row make one notice. */
  if (self->live_source == 0)
    self->live_source = g_idle_add_full (G_PRIORITY_DEFAULT, notify_live_cb, self, NULL);
}

static void
live_closed_cb (SoupWebsocketConnection *connection,
                LiveClient              *client)
{
  SapaServer *self = g_object_get_data (G_OBJECT (connection), "sapa-server");

  g_debug ("Live connection of %s closed", client->principal->username);
  g_ptr_array_remove (self->live, client);
}

static void
live_http_cb (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  SapaServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  SapaPrincipal *principal;

  if (!g_str_equal (path, LIVE_PATH))
    {
      respond_error (self, msg, 404, "There is nothing at this address; see docs/api/openapi.yaml");
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      respond_error (self, msg, 405, "This address does not take that method; see the Allow header");
      return;
    }
  if (self->shutting_down)
    {
      respond_error (self, msg, 503, "The server is shutting down; try again in a moment");
      return;
    }
  token = bearer_token (msg);
  if (token == NULL)
    {
      respond_error (self, msg, 401, "Sign in first and send the token as “Authorization: Bearer TOKEN”");
      return;
    }
  /* The upgrade goes ahead only if this handler sets no status, so the token
   * is checked here, on the main context: one indexed read and update. */
  principal = sapa_auth_check_token (self->auth, token, &error);
  if (principal == NULL)
    {
      respond_error (self, msg, 401, "The session has expired or was ended; sign in again");
      return;
    }
  g_object_set_data_full (G_OBJECT (msg), PRINCIPAL_KEY, principal, (GDestroyNotify) sapa_principal_free);
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf ("Open this address as a WebSocket: %s", error->message);
      respond_error (self, msg, 400, message);
      return;
    }
  set_hlc_header (self, msg);
}

static void
live_ws_cb (SoupServer              *soup,
            SoupServerMessage       *msg,
            const char              *path,
            SoupWebsocketConnection *connection,
            gpointer                 user_data)
{
  SapaServer *self = user_data;
  SapaPrincipal *principal = g_object_steal_data (G_OBJECT (msg), PRINCIPAL_KEY);
  g_autofree char *text = NULL;
  LiveClient *client;

  if (principal == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }
  client = g_new0 (LiveClient, 1);
  client->connection = g_object_ref (connection);
  client->principal = principal;
  soup_websocket_connection_set_keepalive_interval (connection, SAPA_SERVER_KEEPALIVE);
  soup_websocket_connection_set_max_incoming_payload_size (connection, LIVE_MAX_INCOMING);
  g_object_set_data (G_OBJECT (connection), "sapa-server", self);
  g_signal_connect (connection, "closed", G_CALLBACK (live_closed_cb), client);
  g_ptr_array_add (self->live, client);
  g_debug ("Live connection of %s opened", principal->username);

  text = live_message (self);
  soup_websocket_connection_send_text (connection, text);
}

/* -- GObject ------------------------------------------------------------ */

static void
sapa_server_dispose (GObject *object)
{
  SapaServer *self = SAPA_SERVER (object);

  g_clear_handle_id (&self->live_source, g_source_remove);
  if (self->live != NULL)
    g_ptr_array_set_size (self->live, 0);
  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }

  G_OBJECT_CLASS (sapa_server_parent_class)->dispose (object);
}

static void
sapa_server_finalize (GObject *object)
{
  SapaServer *self = SAPA_SERVER (object);

  g_clear_pointer (&self->live, g_ptr_array_unref);
  g_clear_pointer (&self->auth, sapa_auth_free);
  g_clear_object (&self->store);
  g_clear_object (&self->tls);
  g_free (self->epoch);
  g_free (self->trusted_proxy);
  g_free (self->public_url);
  g_mutex_clear (&self->inbound_lock);

  G_OBJECT_CLASS (sapa_server_parent_class)->finalize (object);
}

static void
sapa_server_class_init (SapaServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sapa_server_dispose;
  object_class->finalize = sapa_server_finalize;
}

static void
sapa_server_init (SapaServer *self)
{
  g_mutex_init (&self->inbound_lock);
  self->live = g_ptr_array_new_with_free_func ((GDestroyNotify) live_client_free);
  self->public_url = g_strdup ("http://127.0.0.1:8480");
  self->survey_link_lifetime = SAPA_SERVER_SURVEY_LINK_LIFETIME;
  self->snapshots = TRUE;
}

/* Snapshot files a server stopped while writing left beside its database
 * (see sapa_route_snapshot(); a finished one is unlinked at once). */
static void
remove_stale_snapshots (const char *db_path)
{
  g_autofree char *dir_path = g_path_get_dirname (db_path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "snapshot-") && g_str_has_suffix (name, ".sqlite"))
      {
        g_autofree char *path = g_build_filename (dir_path, name, NULL);

        if (g_unlink (path) == 0)
          g_message ("Removed %s, left by a snapshot that was not finished", path);
      }
}

SapaServer *
sapa_server_new (SapaStore        *store,
                 GTlsCertificate  *tls_certificate,
                 GError          **error)
{
  g_autoptr(SapaServer) self = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (tls_certificate == NULL || G_IS_TLS_CERTIFICATE (tls_certificate), NULL);

  self = g_object_new (SAPA_TYPE_SERVER, NULL);
  self->store = g_object_ref (store);
  remove_stale_snapshots (sapa_store_get_path (store));
  self->epoch = sapa_server_db_dup_epoch (store, error);
  if (self->epoch == NULL)
    return NULL;
  self->auth = sapa_auth_new (store);
  if (tls_certificate != NULL)
    self->tls = g_object_ref (tls_certificate);

  self->soup = soup_server_new ("server-header", "sapa-server",
                                "tls-certificate", tls_certificate,
                                NULL);
  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (request_started_cb), self, 0);
  soup_server_add_handler (self->soup, NULL, handle_cb, self, NULL);
  soup_server_add_handler (self->soup, LIVE_PATH, live_http_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup, LIVE_PATH, NULL, NULL, live_ws_cb, self, NULL);
  return g_steal_pointer (&self);
}

gboolean
sapa_server_listen (SapaServer  *self,
                    const char  *host,
                    guint16      port,
                    guint16     *bound_port,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) local = NULL;
  GSList *listeners;

  g_return_val_if_fail (SAPA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  if (g_str_equal (host, "localhost"))
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, SAPA_SERVER_ERROR, SAPA_SERVER_ERROR_LISTEN,
                   _("“%s” is not an IP address; use for example 127.0.0.1 or 0.0.0.0"), host);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (address, port);
  /* Our own socket for a real listen backlog: GLib's default of 10 makes the
   * kernel drop most of the desks that reconnect together after a restart,
   * and TCP retries them only after 1, 3 and 7 s. */
  sock = g_socket_new (g_socket_address_get_family (socket_address), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, &local);
  if (sock != NULL)
    g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
  if (sock == NULL ||
      !g_socket_bind (sock, socket_address, TRUE, &local) ||
      !g_socket_listen (sock, &local) ||
      !soup_server_listen_socket (self->soup, sock, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &local))
    {
      g_set_error (error, SAPA_SERVER_ERROR, SAPA_SERVER_ERROR_LISTEN,
                   _("Cannot listen on %s port %u: %s. Choose another port or stop the program using it."),
                   host, port, local->message);
      return FALSE;
    }

  listeners = soup_server_get_listeners (self->soup);
  if (bound_port != NULL)
    {
      *bound_port = port;
      for (GSList *l = listeners; l != NULL; l = l->next)
        {
          g_autoptr(GSocketAddress) local_address = g_socket_get_local_address (l->data, NULL);

          if (G_IS_INET_SOCKET_ADDRESS (local_address))
            *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local_address));
        }
    }
  g_slist_free (listeners);
  return TRUE;
}

gboolean
sapa_server_is_tls (SapaServer *self)
{
  g_return_val_if_fail (SAPA_IS_SERVER (self), FALSE);
  return self->tls != NULL;
}

void
sapa_server_shutdown (SapaServer *self,
                      guint       timeout_ms)
{
  gint64 deadline;

  g_return_if_fail (SAPA_IS_SERVER (self));

  self->shutting_down = TRUE;
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (self->in_flight > 0 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  if (self->in_flight > 0)
    g_warning ("%u requests still running at shutdown; unfinished transactions roll back", self->in_flight);

  for (guint i = 0; i < self->live->len; i++)
    {
      LiveClient *client = g_ptr_array_index (self->live, i);

      if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
  g_ptr_array_set_size (self->live, 0);
  soup_server_disconnect (self->soup);
}

void
sapa_server_set_trusted_proxy (SapaServer *self,
                               const char *address)
{
  g_return_if_fail (SAPA_IS_SERVER (self));
  g_free (self->trusted_proxy);
  self->trusted_proxy = g_strdup (address);
}

void
sapa_server_set_public_url (SapaServer *self,
                            const char *url)
{
  g_return_if_fail (SAPA_IS_SERVER (self));
  g_return_if_fail (url != NULL);
  g_free (self->public_url);
  self->public_url = g_strdup (url);
}

const char *
sapa_server_get_public_url (SapaServer *self)
{
  g_return_val_if_fail (SAPA_IS_SERVER (self), NULL);
  return self->public_url;
}

void
sapa_server_set_survey_link_lifetime (SapaServer *self,
                                      gint64      seconds)
{
  g_return_if_fail (SAPA_IS_SERVER (self));
  g_return_if_fail (seconds > 0);
  self->survey_link_lifetime = seconds;
}

void
sapa_server_set_snapshots (SapaServer *self,
                           gboolean    enabled)
{
  g_return_if_fail (SAPA_IS_SERVER (self));
  self->snapshots = enabled;
}
