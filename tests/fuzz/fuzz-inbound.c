/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-inbound"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sapa-inbound.h"

/*
 * libFuzzer target for the inbound message parser and the webhook signature
 * check. Any bytes either parse into a message that keeps the promises of
 * sapa-inbound.h (required members present, every member valid UTF-8 within
 * its limit, at least one sender address) or are refused with an error of the
 * parser's domain. The signature check accepts the body's own HMAC and refuses
 * the fuzz bytes used as a header.
 */

#define SECRET "whsec-fuzz-3f9a1c"

static void
check_member (const char *value,
              gsize       max,
              gboolean    required)
{
  if (value == NULL)
    {
      if (required)
        abort ();
      return;
    }
  if (*value == '\0' || strlen (value) > max || !g_utf8_validate (value, -1, NULL))
    abort ();
}

static void
check_signature (const uint8_t *data,
                 size_t         size)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) SECRET, strlen (SECRET));
  g_autofree char *good = NULL;
  g_autofree char *header = NULL;

  if (size > 0)
    g_hmac_update (hmac, data, (gssize) size);
  good = g_strconcat ("sha256=", g_hmac_get_string (hmac), NULL);
  if (!sapa_inbound_check_signature (SECRET, (const char *) data, size, good))
    abort ();
  if (sapa_inbound_check_signature ("another-secret", (const char *) data, size, good))
    abort ();

  /* The fuzz bytes as a header: a random header must never pass. */
  header = g_strndup ((const char *) data, size);
  if (sapa_inbound_check_signature (SECRET, (const char *) data, size, header) &&
      g_strcmp0 (header, good) != 0)
    {
      /* Only the same hex in other letter case may match. */
      if (g_ascii_strcasecmp (header, good) != 0)
        abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaInboundMessage) message = NULL;

  message = sapa_inbound_parse ((const char *) data, size, &error);
  if (message == NULL)
    {
      if (error == NULL || error->domain != SAPA_INBOUND_ERROR || error->message == NULL ||
          (error->code != SAPA_INBOUND_ERROR_MALFORMED && error->code != SAPA_INBOUND_ERROR_INVALID))
        abort ();
    }
  else
    {
      if (error != NULL)
        abort ();
      check_member (message->message_id, SAPA_INBOUND_MAX_ID, TRUE);
      check_member (message->text, SAPA_INBOUND_MAX_TEXT, TRUE);
      check_member (message->name, SAPA_INBOUND_MAX_NAME, FALSE);
      check_member (message->subject, SAPA_INBOUND_MAX_SUBJECT, FALSE);
      check_member (message->handle, SAPA_INBOUND_MAX_NAME, FALSE);
      check_member (message->email, SAPA_INBOUND_MAX_NAME, FALSE);
      check_member (message->phone, SAPA_INBOUND_MAX_NAME, FALSE);
      if (message->phone == NULL && message->email == NULL && message->handle == NULL)
        abort ();
      if (message->phone != NULL && !g_str_has_prefix (message->phone, "+"))
        abort ();
      if (message->sent_at < 0)
        abort ();
    }

  check_signature (data, size);
  return 0;
}
