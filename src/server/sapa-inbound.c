/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-inbound"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include <sapa/sapa-json.h>
#include <sapa/sapa-text.h>

#include "sapa-inbound.h"

G_DEFINE_QUARK (sapa-inbound-error-quark, sapa_inbound_error)

void
sapa_inbound_message_free (SapaInboundMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->message_id);
  g_free (message->phone);
  g_free (message->email);
  g_free (message->handle);
  g_free (message->name);
  g_free (message->text);
  g_free (message->subject);
  g_free (message);
}

/* The optional string member @name of @obj: absent or null -> TRUE with
 * *out = NULL; a string within @max bytes -> TRUE with *out trimmed (NULL
 * when only whitespace); anything else -> FALSE. */
static gboolean
optional_string (JsonObject  *obj,
                 const char  *name,
                 gsize        max,
                 char       **out,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  const char *value;
  g_autofree char *copy = NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                   "“%s” must be text", name);
      return FALSE;
    }
  value = json_node_get_string (node);
  if (strlen (value) > max)
    {
      g_set_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID,
                   "“%s” is longer than %" G_GSIZE_FORMAT " bytes", name, max);
      return FALSE;
    }
  copy = g_strstrip (g_strdup (value));
  if (*copy != '\0')
    *out = g_steal_pointer (&copy);
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID, message);
  return FALSE;
}

SapaInboundMessage *
sapa_inbound_parse (const char *body,
                    gsize       length,
                    GError    **error)
{
  g_autoptr(SapaInboundMessage) message = g_new0 (SapaInboundMessage, 1);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *email = NULL;
  g_autofree char *sent_at = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *from_node;
  JsonObject *obj, *from;

  if (body == NULL || length == 0)
    {
      g_set_error_literal (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                           "The message body is empty");
      return NULL;
    }
  /* Also refuses embedded NUL bytes, which JSON text cannot hold. */
  if (length > G_MAXSSIZE || !g_utf8_validate_len (body, length, NULL))
    {
      g_set_error_literal (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                           "The message body is not valid UTF-8");
      return NULL;
    }

  root = sapa_json_parse_one (body, (gssize) length, &local);
  if (root == NULL)
    {
      g_set_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                   "The message body is not JSON: %s", local->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                           "The message must be a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);

  if (!optional_string (obj, "message_id", SAPA_INBOUND_MAX_ID, &message->message_id, error) ||
      !optional_string (obj, "name", SAPA_INBOUND_MAX_NAME, &message->name, error) ||
      !optional_string (obj, "text", SAPA_INBOUND_MAX_TEXT, &message->text, error) ||
      !optional_string (obj, "subject", SAPA_INBOUND_MAX_SUBJECT, &message->subject, error) ||
      !optional_string (obj, "sent_at", 64, &sent_at, error))
    return NULL;
  if (message->message_id == NULL)
    return invalid (error, "“message_id” is required"), NULL;
  if (message->text == NULL)
    return invalid (error, "“text” is required and may not be empty"), NULL;

  from_node = json_object_get_member (obj, "from");
  if (from_node == NULL || !JSON_NODE_HOLDS_OBJECT (from_node))
    {
      g_set_error_literal (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_MALFORMED,
                           "“from” must be an object with “phone”, “email” or “handle”");
      return NULL;
    }
  from = json_node_get_object (from_node);
  if (!optional_string (from, "phone", SAPA_INBOUND_MAX_NAME, &phone, error) ||
      !optional_string (from, "email", SAPA_INBOUND_MAX_NAME, &email, error) ||
      !optional_string (from, "handle", SAPA_INBOUND_MAX_NAME, &message->handle, error))
    return NULL;
  if (phone == NULL && email == NULL && message->handle == NULL)
    return invalid (error, "“from” needs a phone, an email or a handle"), NULL;

  if (phone != NULL)
    {
      g_clear_error (&local);
      message->phone = sapa_phone_normalize (phone, &local);
      if (message->phone == NULL)
        {
          g_set_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID,
                       "“from.phone” is not a phone number: %s", local->message);
          return NULL;
        }
    }
  if (email != NULL)
    {
      g_clear_error (&local);
      message->email = sapa_email_normalize (email, &local);
      if (message->email == NULL)
        {
          g_set_error (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID,
                       "“from.email” is not an email address: %s", local->message);
          return NULL;
        }
    }
  if (message->handle != NULL)
    {
      for (const char *p = message->handle; *p; p = g_utf8_next_char (p))
        if (g_unichar_isspace (g_utf8_get_char (p)) || g_unichar_iscntrl (g_utf8_get_char (p)))
          return invalid (error, "“from.handle” may not contain spaces or control characters"), NULL;
    }

  if (sent_at != NULL)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (sent_at, utc);

      if (when == NULL)
        return invalid (error, "“sent_at” must be an ISO 8601 date and time"), NULL;
      message->sent_at = g_date_time_to_unix (when);
      if (message->sent_at <= 0)
        return invalid (error, "“sent_at” must be after 1970"), NULL;
    }

  return g_steal_pointer (&message);
}

gboolean
sapa_inbound_check_signature (const char *secret,
                              const char *body,
                              gsize       length,
                              const char *signature_header)
{
  g_autoptr(GHmac) hmac = NULL;
  const char *expected, *given;
  guint8 diff = 0;
  gsize n;

  if (secret == NULL || *secret == '\0' || signature_header == NULL)
    return FALSE;
  if (!g_str_has_prefix (signature_header, "sha256="))
    return FALSE;
  given = signature_header + strlen ("sha256=");

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  if (length > 0)
    g_hmac_update (hmac, (const guchar *) body, (gssize) length);
  expected = g_hmac_get_string (hmac);   /* lowercase hex, 64 characters */

  n = strlen (expected);
  if (strlen (given) != n)
    return FALSE;
  /* Constant time: every byte is compared whatever the earlier ones were. */
  for (gsize i = 0; i < n; i++)
    diff |= (guint8) (expected[i] ^ g_ascii_tolower (given[i]));
  return diff == 0;
}
