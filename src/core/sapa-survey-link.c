/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-survey-link"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include <sapa/sapa-json.h>
#include <sapa/sapa-survey-link.h>

G_DEFINE_QUARK (sapa-survey-link-error-quark, sapa_survey_link_error)

/* A link request waits at most this long for the server. */
#define REQUEST_TIMEOUT 30

typedef struct {
  SoupSession *session;
  SoupMessage *msg;
  gint64       expires_at;
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  g_clear_object (&r->msg);
  g_clear_object (&r->session);
  g_free (r);
}

static char *
endpoint (const char *server_url)
{
  gsize len = strlen (server_url);

  while (len > 0 && server_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s/api/v1/survey-links", (int) len, server_url);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *r = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *detail = NULL;
  JsonNode *root = NULL;
  JsonObject *obj;
  const char *url, *expires;
  guint status;
  gsize size = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_NETWORK,
                                 _("Cannot reach the Sapa server (%s). The desk seems to be offline; "
                                   "send the survey link when the connection is back."), error->message);
      return;
    }

  status = soup_message_get_status (r->msg);
  data = g_bytes_get_data (bytes, &size);
  if (size > 0 && json_parser_load_from_data (parser, data, (gssize) size, NULL))
    root = json_parser_get_root (parser);
  detail = sapa_json_dup_error_message (root);

  switch (status)
    {
    case 201:
      break;
    case 401:
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_UNAUTHORIZED,
                               _("The server no longer accepts this desk's sign-in. Sign in again, then send the survey link."));
      return;
    case 403:
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_FORBIDDEN,
                               _("You may not send a survey for this conversation: it belongs to a branch you do not work for."));
      return;
    case 404:
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_NOT_FOUND,
                               _("The server does not know this conversation yet. Wait until the desk has synced, then try again."));
      return;
    case 400:
    case 422:
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_REFUSED,
                               /* Translators: %s is the server's reason, in English */
                               _("The server refused to make a survey link: %s. Survey links are for email, chat and WhatsApp conversations."),
                               detail ? detail : soup_status_get_phrase (status));
      return;
    default:
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_SERVER,
                               _("The server could not make a survey link (HTTP %u). Try again in a moment."),
                               status);
      return;
    }

  obj = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  url = obj ? json_object_get_string_member_with_default (obj, "url", NULL) : NULL;
  expires = obj ? json_object_get_string_member_with_default (obj, "expires_at", NULL) : NULL;
  if (url == NULL || expires == NULL)
    {
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_SERVER,
                               _("The server's answer could not be understood. Update Sapa or the server, then try again."));
      return;
    }
  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (expires, NULL);

    r->expires_at = dt ? g_date_time_to_unix (dt) : 0;
  }
  g_task_return_pointer (task, g_strdup (url), g_free);
}

void
sapa_survey_link_request_async (SapaSync            *sync,
                                const char          *conversation_id,
                                const char          *language,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *text = NULL;
  const char *server_url, *token;
  Request *r;

  g_return_if_fail (SAPA_IS_SYNC (sync));
  g_return_if_fail (conversation_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_survey_link_request_async);

  server_url = sapa_sync_get_server_url (sync);
  token = sapa_sync_get_token (sync);
  if (server_url == NULL || *server_url == '\0' || token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_SIGNED_OUT,
                               _("This desk is not signed in to a Sapa server. Sign in first, then send the survey link."));
      return;
    }

  url = endpoint (server_url);
  r = g_new0 (Request, 1);
  g_task_set_task_data (task, r, request_free);
  r->msg = soup_message_new (SOUP_METHOD_POST, url);
  if (r->msg == NULL)
    {
      g_task_return_new_error (task, SAPA_SURVEY_LINK_ERROR, SAPA_SURVEY_LINK_ERROR_SIGNED_OUT,
                               _("“%s” is not a server address. Sign in again with an address like https://sapa.example.com."),
                               server_url);
      return;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "conversation_id");
  json_builder_add_string_value (b, conversation_id);
  if (language != NULL)
    {
      json_builder_set_member_name (b, "language");
      json_builder_add_string_value (b, language);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));
  text = NULL;   /* owned by @body now */
  soup_message_set_request_body_from_bytes (r->msg, "application/json", body);
  auth = g_strdup_printf ("Bearer %s", token);
  soup_message_headers_replace (soup_message_get_request_headers (r->msg), "Authorization", auth);

  r->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT, "idle-timeout", 5, NULL);
  soup_session_send_and_read_async (r->session, r->msg, G_PRIORITY_DEFAULT, cancellable,
                                    sent_cb, g_object_ref (task));
}

char *
sapa_survey_link_request_finish (GAsyncResult  *result,
                                 gint64        *expires_at,
                                 GError       **error)
{
  char *url;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sapa_survey_link_request_async, NULL);

  url = g_task_propagate_pointer (G_TASK (result), error);
  if (expires_at != NULL)
    {
      Request *r = g_task_get_task_data (G_TASK (result));

      *expires_at = url != NULL && r != NULL ? r->expires_at : 0;
    }
  return url;
}
