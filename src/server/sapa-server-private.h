/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <sapa/sapa.h>

#include "sapa-server-auth.h"

G_BEGIN_DECLS

/* One request handled in a worker thread: inputs copied from the message on
 * the main context, the answer filled in by the route, then written back on
 * the main context. */
typedef struct {
  SapaStore     *store;
  SapaAuth      *auth;
  const char    *epoch;          /* the database's epoch (owned by the server) */
  GMutex        *inbound_lock;   /* serialises inbound matching */
  const char    *public_url;     /* where customers reach the server (survey links) */
  gint64         survey_link_lifetime;  /* seconds */
  gint          *snapshots_running;     /* snapshot slots in use; NULL: snapshots are off */

  char          *method;
  char          *path;
  char          *channel;        /* inbound: the {channel} of the path; /s/: the {token} */
  GHashTable    *query;          /* may be NULL */
  GBytes        *body;
  char          *token;          /* bearer token, or NULL */
  char          *signature;      /* X-Sapa-Signature, or NULL */
  char          *address;        /* remote address */
  SapaPrincipal *principal;      /* resolved before the route runs, when it needs one */

  guint          status;
  JsonNode      *answer;         /* JSON body, or NULL */
  char          *answer_text;    /* or the body already written as JSON text */
  char          *answer_type;    /* content type of answer_text or answer_bytes when it is not JSON */
  GBytes        *answer_bytes;   /* or a binary body (answer_type says what it is) */
  char          *retry_after;
  gboolean       notify_live;    /* changes committed: tell live clients */
} SapaRequest;

/* Sets an error answer: {"error": {"code", "message"}} with the status of @code. */
void      sapa_request_error       (SapaRequest *req,
                                    guint        status,
                                    const char  *message);
void      sapa_request_answer      (SapaRequest *req,
                                    guint        status,
                                    JsonNode    *answer);   /* takes ownership */
/* Like sapa_request_answer() with a JSON text (takes ownership). */
void      sapa_request_answer_text (SapaRequest *req,
                                    guint        status,
                                    char        *text);
/* An HTML page (takes ownership); sent with headers that keep it out of
 * caches, frames and referrers (the address holds a survey token). */
void      sapa_request_answer_html (SapaRequest *req,
                                    guint        status,
                                    char        *html);
/* A binary body of @content_type (takes a reference to @bytes). */
void      sapa_request_answer_bytes (SapaRequest *req,
                                     guint        status,
                                     const char  *content_type,
                                     GBytes      *bytes);
/* The body parsed as JSON (checked UTF-8), or NULL with a 400 answer set. */
JsonNode *sapa_request_parse_json  (SapaRequest *req);

const char *sapa_server_error_code (guint status);

/* "<epoch>.<seq>" */
char     *sapa_cursor_make         (const char  *epoch,
                                    gint64       seq);
/* FALSE when @cursor is not one of this database's cursors. */
gboolean  sapa_cursor_parse        (const char  *cursor,
                                    const char  *epoch,
                                    gint64      *seq);
/* The newest change_log seq (0 when empty) read on @db. */
gint64    sapa_server_last_seq     (sqlite3     *db);

/* Routes (sapa-server-sync.c); each runs in a worker thread. */
void      sapa_route_push          (SapaRequest *req);
void      sapa_route_pull          (SapaRequest *req);
void      sapa_route_inbound       (SapaRequest *req);
void      sapa_route_audit         (SapaRequest *req);
void      sapa_route_snapshot      (SapaRequest *req);
/* sapa-server-survey.c */
void      sapa_route_survey_link   (SapaRequest *req);
void      sapa_route_survey_page   (SapaRequest *req);
/* sapa-server-metrics.c */
void      sapa_route_metrics       (SapaRequest *req);

G_END_DECLS
