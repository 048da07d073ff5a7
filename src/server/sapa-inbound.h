/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A customer message delivered by a channel gateway to
 * POST /api/v1/inbound/{channel}:
 *   {"message_id": "...", "from": {"phone"?, "email"?, "handle"?}, "name"?,
 *    "text": "...", "subject"?, "sent_at"? (ISO 8601)}
 *
 * sapa_inbound_parse() is pure (no I/O, no global state), so a fuzzer can
 * call it on any bytes: it either returns a message whose members are all
 * valid UTF-8 within the limits below, or NULL with an error.
 */

#define SAPA_INBOUND_MAX_ID      256     /* bytes of message_id */
#define SAPA_INBOUND_MAX_NAME    256     /* bytes of name, phone, email, handle */
#define SAPA_INBOUND_MAX_SUBJECT 1024
#define SAPA_INBOUND_MAX_TEXT    (64 * 1024)

typedef struct {
  char   *message_id;
  char   *phone;     /* normalised (+62...), or NULL */
  char   *email;     /* normalised (lower case), or NULL */
  char   *handle;    /* as sent (e.g. "@rina"), or NULL */
  char   *name;      /* or NULL */
  char   *text;
  char   *subject;   /* or NULL */
  gint64  sent_at;   /* Unix seconds, or 0 when not given */
} SapaInboundMessage;

#define SAPA_INBOUND_ERROR (sapa_inbound_error_quark ())
typedef enum {
  SAPA_INBOUND_ERROR_MALFORMED,  /* not JSON, not UTF-8, wrong types: 400 */
  SAPA_INBOUND_ERROR_INVALID,    /* well formed but unusable (no sender, bad phone): 422 */
} SapaInboundError;
GQuark              sapa_inbound_error_quark (void);

SapaInboundMessage *sapa_inbound_parse       (const char *body,
                                              gsize       length,
                                              GError    **error);
void                sapa_inbound_message_free (SapaInboundMessage *message);

/* Whether @signature_header ("sha256=<lowercase hex>") is the HMAC-SHA256 of
 * @body keyed with @secret; compared in constant time. */
gboolean            sapa_inbound_check_signature (const char *secret,
                                                  const char *body,
                                                  gsize       length,
                                                  const char *signature_header);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaInboundMessage, sapa_inbound_message_free)

G_END_DECLS
