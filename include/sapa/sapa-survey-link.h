/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-sync.h>

G_BEGIN_DECLS

/*
 * Survey links: sapa-server makes a one-answer web survey for an email, chat
 * or WhatsApp conversation (POST /api/v1/survey-links) and returns its public
 * address, to be sent to the customer. The desk must be signed in.
 */

#define SAPA_SURVEY_LINK_ERROR (sapa_survey_link_error_quark ())
typedef enum {
  SAPA_SURVEY_LINK_ERROR_SIGNED_OUT,   /* no server or no token: sign in first */
  SAPA_SURVEY_LINK_ERROR_NETWORK,      /* the server cannot be reached (offline) */
  SAPA_SURVEY_LINK_ERROR_UNAUTHORIZED, /* the token expired or was revoked: sign in again */
  SAPA_SURVEY_LINK_ERROR_FORBIDDEN,    /* the agent may not see that conversation */
  SAPA_SURVEY_LINK_ERROR_NOT_FOUND,    /* the server does not know the conversation (not synced yet) */
  SAPA_SURVEY_LINK_ERROR_REFUSED,      /* the server refused (e.g. a walk-in or phone conversation) */
  SAPA_SURVEY_LINK_ERROR_SERVER,       /* 5xx or an answer that is not understood */
} SapaSurveyLinkError;
GQuark sapa_survey_link_error_quark (void);

/**
 * sapa_survey_link_request_async:
 * @sync: the signed-in sync engine (its server address and token are used)
 * @conversation_id: the conversation to rate (email, chat or WhatsApp)
 * @language: (nullable): "id" or "en", the page's first language; NULL = "id"
 *
 * Asks sapa-server for a new survey link. Runs on the caller's thread-default
 * main context (libsoup's async API); nothing blocks. Error messages are
 * translated and say what to do next.
 */
void  sapa_survey_link_request_async  (SapaSync            *sync,
                                       const char          *conversation_id,
                                       const char          *language,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);

/**
 * sapa_survey_link_request_finish:
 * @expires_at: (out) (optional): when the link stops working, Unix seconds
 *
 * Returns: (transfer full): the public URL of the survey page, or NULL with
 *   @error set (SAPA_SURVEY_LINK_ERROR, or G_IO_ERROR_CANCELLED)
 */
char *sapa_survey_link_request_finish (GAsyncResult        *result,
                                       gint64              *expires_at,
                                       GError             **error);

G_END_DECLS
