/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>

#include "sapa-server.h"
#include <sapa/sapa-catalog.h>
#include "sapa-server-db.h"
#include "sapa-server-private.h"
#include "sapa-server-web.h"
#include "sapa-store-private.h"

/*
 * Survey links: POST /api/v1/survey-links makes one for a conversation, and
 * the public page /s/{token} asks the customer (no sign-in: the token is the
 * key). Only a SHA-256 of the token is stored, as for sign-in tokens. The
 * answers become survey_response records written through the change log in
 * the same transaction that marks the link used, so one link gives one
 * answer even when two arrive at once.
 */

#define WEB_RESOURCES  "/id/sapa/Server/web/"
#define COMMENT_MAX    2000   /* characters (the message below says so) */
#define TOKEN_BYTES    32

static const char * const link_channels[] = { "email", "chat", "whatsapp", NULL };

/* T() translates into the page's language (sapa-catalog.h). */
#define T(lang, s) sapa_catalog_translate ((lang), (s))

/* -- the link's token ------------------------------------------------------ */

static char *
new_token (void)
{
  guint8 bytes[TOKEN_BYTES];
  g_autofree char *b64 = NULL;
  GString *out;

  /* Safe to call again and from any thread. */
  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
  randombytes_buf (bytes, sizeof bytes);
  b64 = g_base64_encode (bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  out = g_string_new (NULL);
  for (const char *p = b64; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  return g_string_free (out, FALSE);
}

static char *
iso8601_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* -- POST /api/v1/survey-links ------------------------------------------- */

typedef struct {
  const char *token_hash;
  SapaRecord *conversation;
  const char *agent_id;
  const char *language;
  gint64      created_at;
  gint64      expires_at;
} NewLink;

static gboolean
insert_link_cb (sqlite3   *db,
                gpointer   data,
                GError   **error)
{
  NewLink *link = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sapa_store_prepare (db,
                           "INSERT INTO survey_link (token_hash, conversation_id, customer_id, agent_id, "
                           "branch_id, channel, language, created_at, expires_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);",
                           &stmt, "store the survey link", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, link->token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sapa_record_get_id (link->conversation), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, sapa_record_get_string (link->conversation, "customer_id"), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, link->agent_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, sapa_record_get_string (link->conversation, "branch_id"), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, sapa_record_get_string (link->conversation, "channel"), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, link->language, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, link->created_at);
  sqlite3_bind_int64 (stmt, 9, link->expires_at);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "store the survey link");
      return FALSE;
    }
  return TRUE;
}

/* The customer's preferred language when it is one the page speaks. */
static char *
customer_language (SapaStore  *store,
                   const char *customer_id)
{
  g_autoptr(SapaRecord) customer = NULL;
  const char *language;

  if (customer_id == NULL)
    return NULL;
  customer = sapa_store_get (store, "customer", customer_id, NULL);
  language = customer ? sapa_record_get_string (customer, "preferred_language") : NULL;
  return g_strv_contains (sapa_languages, language ? language : "") ? g_strdup (language) : NULL;
}

void
sapa_route_survey_link (SapaRequest *req)
{
  g_autoptr(JsonNode) root = sapa_request_parse_json (req);
  g_autoptr(SapaRecord) conversation = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *language = NULL;
  g_autofree char *base = NULL;
  JsonObject *obj;
  JsonNode *node;
  const char *conversation_id, *channel, *assignee;
  NewLink link = { 0 };

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  node = json_object_get_member (obj, "conversation_id");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      sapa_request_error (req, 400, "Send “conversation_id” as text");
      return;
    }
  conversation_id = json_node_get_string (node);
  node = json_object_get_member (obj, "language");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          sapa_request_error (req, 400, "Send “language” as text (“id” or “en”)");
          return;
        }
      if (!g_strv_contains (sapa_languages, json_node_get_string (node)))
        {
          sapa_request_error (req, 422, "“language” must be “id” (Indonesian) or “en” (English)");
          return;
        }
      language = g_strdup (json_node_get_string (node));
    }

  conversation = sapa_store_get (req->store, "conversation", conversation_id, &error);
  if (conversation == NULL)
    {
      if (g_error_matches (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND))
        sapa_request_error (req, 404, "There is no such conversation on the server; sync the desk first");
      else
        {
          g_warning ("Reading conversation %s failed: %s", conversation_id, error ? error->message : "no reason");
          sapa_request_error (req, 500, "The server could not read the conversation; try again later");
        }
      return;
    }
  if (!sapa_principal_is_admin (req->principal) &&
      !sapa_principal_may_see_branch (req->principal, sapa_record_get_string (conversation, "branch_id")))
    {
      sapa_request_error (req, 403, "This conversation belongs to a branch you may not see");
      return;
    }
  channel = sapa_record_get_string (conversation, "channel");
  if (!g_strv_contains (link_channels, channel ? channel : ""))
    {
      g_autofree char *message =
        g_strdup_printf ("Survey links are for email, chat and WhatsApp conversations; this one is “%s”: "
                         "ask for the rating at the counter or by phone instead", channel ? channel : "");
      sapa_request_error (req, 422, message);
      return;
    }
  if (language == NULL)
    language = customer_language (req->store, sapa_record_get_string (conversation, "customer_id"));
  if (language == NULL)
    language = g_strdup ("id");

  /* The rating counts for the agent the conversation is assigned to, or
   * else for the agent who sends the link. */
  assignee = sapa_record_get_string (conversation, "assignee_id");
  token = new_token ();
  token_hash = sapa_auth_hash_token (token);
  g_assert (token_hash != NULL);
  link.token_hash = token_hash;
  link.conversation = conversation;
  link.agent_id = assignee != NULL && *assignee != '\0' ? assignee : req->principal->agent_id;
  link.language = language;
  link.created_at = g_get_real_time () / G_USEC_PER_SEC;
  link.expires_at = link.created_at + req->survey_link_lifetime;
  if (!sapa_server_db_write (req->store, insert_link_cb, &link, &error))
    {
      g_warning ("Storing a survey link failed: %s", error->message);
      sapa_request_error (req, 500, "The server could not store the survey link; try again later");
      return;
    }

  base = g_strdup (req->public_url);
  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  url = g_strdup_printf ("%s/s/%s", base, token);
  expires = iso8601_utc (link.expires_at);
  g_info ("Survey link made for conversation %s by %s", conversation_id, req->principal->username);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "expires_at");
  json_builder_add_string_value (b, expires);
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, language);
  json_builder_end_object (b);
  sapa_request_answer (req, 201, json_builder_get_root (b));
  sodium_memzero (token, strlen (token));
}

/* -- pages ---------------------------------------------------------------- */

typedef struct {
  const char *key;
  const char *html;   /* already escaped */
} Slot;

/* The pages live in the server's own GResource (data/web); referring to it
 * here also keeps it linked in from the static library. */
static GBytes *
web_resource (const char *name)
{
  g_autofree char *path = g_strconcat (WEB_RESOURCES, name, NULL);
  GBytes *bytes;

  bytes = g_resource_lookup_data (sapa_server_web_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_assert (bytes != NULL);
  return bytes;
}

/* The template @name with each {{key}} replaced by its slot's HTML. */
static char *
render (const char *name,
        const Slot *slots,
        guint       n_slots)
{
  g_autoptr(GBytes) bytes = web_resource (name);
  g_autoptr(GString) out = NULL;
  const char *p, *open;

  p = g_bytes_get_data (bytes, NULL);
  out = g_string_sized_new (g_bytes_get_size (bytes) + 1024);
  /* Resource data always ends with a NUL. */
  while ((open = strstr (p, "{{")) != NULL)
    {
      const char *close = strstr (open, "}}");
      gboolean found = FALSE;

      g_assert (close != NULL);
      g_string_append_len (out, p, open - p);
      for (guint i = 0; i < n_slots; i++)
        if (strlen (slots[i].key) == (gsize) (close - open - 2) &&
            strncmp (slots[i].key, open + 2, close - open - 2) == 0)
          {
            g_string_append (out, slots[i].html ? slots[i].html : "");
            found = TRUE;
            break;
          }
      if (!found)
        g_warning ("Template %s: nothing for {{%.*s}}", name, (int) (close - open - 2), open + 2);
      p = close + 2;
    }
  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define E(s) g_markup_escape_text ((s), -1)

static char *
language_links (const char *lang)
{
  static const struct { const char *code; const char *name; } languages[] = {
    { "id", "Bahasa Indonesia" },
    { "en", "English" },
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      if (g_str_equal (languages[i].code, lang))
        g_string_append_printf (out, "<span lang=\"%s\" aria-current=\"true\">%s</span>\n",
                                languages[i].code, languages[i].name);
      else
        g_string_append_printf (out, "<a href=\"?lang=%s\" lang=\"%s\" hreflang=\"%s\">%s</a>\n",
                                languages[i].code, languages[i].code, languages[i].code, languages[i].name);
    }
  return g_string_free (out, FALSE);
}

/* A whole page around @content (HTML). */
static void
answer_page (SapaRequest *req,
             guint        status,
             const char  *lang,
             const char  *title,
             char        *content)
{
  g_autofree char *title_html = E (title);
  g_autofree char *languages_label = E (T (lang, N_("Language")));
  g_autofree char *links = language_links (lang);
  g_autofree char *body = content;
  g_autoptr(GBytes) css = web_resource ("survey.css");
  const Slot slots[] = {
    { "lang", lang },
    { "title", title_html },
    { "css", g_bytes_get_data (css, NULL) },
    { "languages_label", languages_label },
    { "language_links", links },
    { "content", body },
  };

  sapa_request_answer_html (req, status, render ("page.html", slots, G_N_ELEMENTS (slots)));
}

/* One of the message pages (done, used, expired, unknown, error). */
static void
answer_message (SapaRequest *req,
                guint        status,
                const char  *lang,
                const char  *template,
                const char  *heading,
                const char  *text)
{
  g_autofree char *heading_html = E (T (lang, heading));
  g_autofree char *text_html = E (T (lang, text));
  const Slot slots[] = {
    { "heading", heading_html },
    { "text", text_html },
  };

  answer_page (req, status, lang, T (lang, heading), render (template, slots, G_N_ELEMENTS (slots)));
}

static void
answer_unknown (SapaRequest *req,
                const char  *lang)
{
  answer_message (req, 404, lang, "unknown.html",
                  N_("This survey link is not known"),
                  N_("Check that the whole link was copied from the message you received. "
                     "If it still does not open, ask us for a new link."));
}

static void
answer_used (SapaRequest *req,
             const char  *lang)
{
  answer_message (req, 409, lang, "used.html",
                  N_("You have already answered, thank you"),
                  N_("This survey has been answered once already, so nothing more is needed. "
                     "Each link takes one answer."));
}

static void
answer_expired (SapaRequest *req,
                const char  *lang)
{
  answer_message (req, 410, lang, "expired.html",
                  N_("This link has expired"),
                  N_("Survey links work for a limited time and this one has ended. "
                     "Thank you all the same; you are welcome to tell us at your next visit."));
}

static void
answer_failed (SapaRequest *req,
               const char  *lang)
{
  answer_message (req, 500, lang, "error.html",
                  N_("Something went wrong"),
                  N_("Your answer could not be saved just now. Please open the link again in a few minutes."));
}

typedef struct {
  char   *conversation_id;
  char   *customer_id;
  char   *agent_id;
  char   *branch_id;
  char   *channel;
  char   *language;
  gint64  expires_at;
  gint64  used_at;
} Link;

static void
link_clear (Link *link)
{
  g_free (link->conversation_id);
  g_free (link->customer_id);
  g_free (link->agent_id);
  g_free (link->branch_id);
  g_free (link->channel);
  g_free (link->language);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Link, link_clear)

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
read_link (SapaStore   *store,
           const char  *token_hash,
           Link        *link,
           gboolean    *found,
           GError     **error)
{
  sqlite3 *db = sapa_store_acquire_reader (store);
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  *found = FALSE;
  if (sapa_store_prepare (db,
                          "SELECT conversation_id, customer_id, agent_id, branch_id, channel, language, "
                          "expires_at, used_at FROM survey_link WHERE token_hash = ?1;",
                          &stmt, "read the survey link", error))
    {
      sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *found = TRUE;
          link->conversation_id = column_text (stmt, 0);
          link->customer_id = column_text (stmt, 1);
          link->agent_id = column_text (stmt, 2);
          link->branch_id = column_text (stmt, 3);
          link->channel = column_text (stmt, 4);
          link->language = column_text (stmt, 5);
          link->expires_at = sqlite3_column_int64 (stmt, 6);
          link->used_at = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 7);
          rc = SQLITE_DONE;
        }
      if (rc != SQLITE_DONE)
        sapa_store_set_sqlite_error (error, db, rc, "read the survey link");
      else
        ok = TRUE;
      sqlite3_finalize (stmt);
    }
  sapa_store_release_reader (store, db);
  return ok;
}

/* The answers chosen so far (form values kept when the form is shown again). */
typedef struct {
  const char *csat;
  const char *nps;
  const char *ces;
  const char *comment;
} Answers;

static void
append_option (GString    *out,
               const char *name,
               int         value,
               const char *chosen,
               gboolean    required,
               const char *face,
               const char *label_html)
{
  g_autofree char *text = g_strdup_printf ("%d", value);

  g_string_append_printf (out,
                          "<label class=\"option\"><input type=\"radio\" name=\"%s\" value=\"%d\"%s%s>",
                          name, value, required ? " required" : "",
                          g_strcmp0 (chosen, text) == 0 ? " checked" : "");
  if (face != NULL)
    g_string_append_printf (out, "<span class=\"face\" aria-hidden=\"true\">%s</span>", face);
  g_string_append_printf (out, "<span class=\"label\">%s</span></label>\n", label_html ? label_html : text);
}

static void
answer_form (SapaRequest   *req,
             guint          status,
             const char    *lang,
             const Answers *answers,
             const char    *error_text)
{
  static const char * const faces[] = { "&#x1F620;", "&#x1F61F;", "&#x1F610;", "&#x1F60A;", "&#x1F604;" };
  static const char * const csat_labels[] = {
    N_("1 – Very dissatisfied"),
    N_("2 – Dissatisfied"),
    N_("3 – Neither satisfied nor dissatisfied"),
    N_("4 – Satisfied"),
    N_("5 – Very satisfied"),
  };
  g_autoptr(GString) csat = g_string_new (NULL);
  g_autoptr(GString) nps = g_string_new (NULL);
  g_autoptr(GString) ces = g_string_new (NULL);
  g_autofree char *error_html = NULL;
  g_autofree char *action = g_strdup_printf ("?lang=%s", lang);
  g_autofree char *comment_max = g_strdup_printf ("%d", COMMENT_MAX);
  g_autofree char *comment = E (answers && answers->comment ? answers->comment : "");
  g_autofree char *heading = E (T (lang, N_("How did we do?")));
  g_autofree char *intro = E (T (lang, N_("Thank you for contacting us. Your answers help us serve you better; "
                                           "only the first question is required.")));
  g_autofree char *csat_q = E (T (lang, N_("How satisfied are you with the service you received?")));
  g_autofree char *nps_q = E (T (lang, N_("How likely are you to recommend us to a friend or colleague?")));
  g_autofree char *ces_q = E (T (lang, N_("How easy was it to get your matter handled?")));
  g_autofree char *nps_low = E (T (lang, N_("0 = not at all likely")));
  g_autofree char *nps_high = E (T (lang, N_("10 = extremely likely")));
  g_autofree char *ces_low = E (T (lang, N_("1 = very difficult")));
  g_autofree char *ces_high = E (T (lang, N_("7 = very easy")));
  g_autofree char *required = E (T (lang, N_("(required)")));
  g_autofree char *optional = E (T (lang, N_("(optional)")));
  g_autofree char *comment_label = E (T (lang, N_("Anything else you would like to tell us?")));
  g_autofree char *submit = E (T (lang, N_("Send my answers")));

  for (int i = 1; i <= 5; i++)
    {
      g_autofree char *label = E (T (lang, csat_labels[i - 1]));

      append_option (csat, "csat", i, answers ? answers->csat : NULL, TRUE, faces[i - 1], label);
    }
  for (int i = 0; i <= 10; i++)
    append_option (nps, "nps", i, answers ? answers->nps : NULL, FALSE, NULL, NULL);
  for (int i = 1; i <= 7; i++)
    append_option (ces, "ces", i, answers ? answers->ces : NULL, FALSE, NULL, NULL);
  if (error_text != NULL)
    {
      g_autofree char *text = E (error_text);

      error_html = g_strdup_printf ("<div class=\"error\" role=\"alert\" id=\"form-error\"><p>%s</p></div>", text);
    }

  {
    const Slot slots[] = {
      { "heading", heading },
      { "intro", intro },
      { "error", error_html },
      { "action", action },
      { "csat_question", csat_q },
      { "required", required },
      { "optional", optional },
      { "csat_options", csat->str },
      { "nps_question", nps_q },
      { "nps_options", nps->str },
      { "nps_low", nps_low },
      { "nps_high", nps_high },
      { "ces_question", ces_q },
      { "ces_options", ces->str },
      { "ces_low", ces_low },
      { "ces_high", ces_high },
      { "comment_label", comment_label },
      { "comment_max", comment_max },
      { "comment", comment },
      { "submit", submit },
    };

    answer_page (req, status, lang, T (lang, N_("How did we do?")),
                 render ("survey.html", slots, G_N_ELEMENTS (slots)));
  }
}

/* -- storing an answer ---------------------------------------------------- */

typedef struct {
  const char *token_hash;
  SapaChange *first;
  gint64      now;
  gboolean    used;      /* answered or expired meanwhile */
} AnswerContext;

static gboolean
answer_before (sqlite3          *db,
               SapaChange       *change,
               SapaApplyStatus  *status,
               char            **reason,
               gpointer          data,
               GError          **error)
{
  AnswerContext *ctx = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (change != ctx->first)
    return TRUE;
  /* Inside the write transaction: of two answers at once only one finds
   * the link unused. */
  if (!sapa_store_prepare (db,
                           "UPDATE survey_link SET used_at = ?2 "
                           "WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2;",
                           &stmt, "mark the survey link used", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, ctx->token_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, ctx->now);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "mark the survey link used");
      return FALSE;
    }
  if (sqlite3_changes (db) == 0)
    {
      ctx->used = TRUE;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "the survey link was used meanwhile");
      return FALSE;
    }
  return TRUE;
}

static gboolean
answer_after (sqlite3          *db,
              SapaChange       *change,
              SapaApplyStatus   status,
              const char       *reason,
              gpointer          data,
              GError          **error)
{
  if (status != SAPA_APPLY_APPLIED)
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   "The answer could not be stored: %s", reason ? reason : "rejected");
      return FALSE;
    }
  return TRUE;
}

static SapaChange *
response_change (SapaStore  *store,
                 const Link *link,
                 const char *kind,
                 gint64      score,
                 const char *comment,
                 gint64      now)
{
  g_autoptr(SapaRecord) record = sapa_record_new ("survey_response");
  SapaChange *change = g_new0 (SapaChange, 1);

  sapa_record_set_string (record, "kind", kind);
  sapa_record_set_int (record, "score", score);
  if (comment != NULL && *comment != '\0')
    sapa_record_set_string (record, "comment", comment);
  sapa_record_set_string (record, "customer_id", link->customer_id);
  sapa_record_set_string (record, "conversation_id", link->conversation_id);
  sapa_record_set_string (record, "agent_id", link->agent_id);
  sapa_record_set_string (record, "branch_id", link->branch_id);
  sapa_record_set_string (record, "channel", link->channel);
  sapa_record_set_string (record, "collected_via", "link");
  sapa_record_set_int (record, "collected_at", now);

  change->change_id = sapa_uuid_new ();
  change->op = SAPA_CHANGE_UPSERT;
  change->hlc = sapa_hlc_now (sapa_store_get_hlc (store));
  change->record = g_steal_pointer (&record);
  change->client_id = g_strdup (sapa_store_get_client_id (store));
  return change;
}

/* A score field of the form: absent or empty is fine unless @required;
 * otherwise a whole number, checked against the record's rules. */
static gboolean
parse_score (const char  *lang,
             const char  *kind,
             const char  *text,
             gboolean     required,
             gint64      *score,
             const char **message)
{
  static const struct { const char *kind; const char *message; } messages[] = {
    { "csat", N_("Choose how satisfied you are, from 1 (very dissatisfied) to 5 (very satisfied).") },
    { "nps", N_("The recommendation score must be a whole number from 0 to 10.") },
    { "ces", N_("The ease score must be a whole number from 1 to 7.") },
  };
  g_autoptr(SapaRecord) probe = NULL;
  const char *explain = NULL;
  gint64 value;

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    if (g_str_equal (messages[i].kind, kind))
      explain = T (lang, messages[i].message);

  *score = -1;
  if (text == NULL || *text == '\0')
    {
      if (required)
        {
          *message = explain;
          return FALSE;
        }
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, -1000, 1000, &value, NULL))
    {
      *message = explain;
      return FALSE;
    }
  /* The same rule every other door applies (sapa_record_validate). */
  probe = sapa_record_new ("survey_response");
  sapa_record_set_string (probe, "kind", kind);
  sapa_record_set_int (probe, "score", value);
  sapa_record_set_string (probe, "collected_via", "link");
  sapa_record_set_int (probe, "collected_at", 1);
  if (!sapa_record_validate (probe, NULL))
    {
      *message = explain;
      return FALSE;
    }
  *score = value;
  return TRUE;
}

static const char *
form_value (GHashTable *form,
            const char *name)
{
  return form ? g_hash_table_lookup (form, name) : NULL;
}

static void
store_answer (SapaRequest *req,
              const char  *lang,
              const char  *token_hash,
              const Link  *link)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const SapaApplyHooks hooks = { answer_before, answer_after, TRUE };
  AnswerContext ctx = { 0 };
  Answers answers = { 0 };
  const char *message = NULL;
  gint64 csat, nps, ces;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize length = 0;
  const char *data = req->body ? g_bytes_get_data (req->body, &length) : NULL;
  GHashTableIter iter;
  gpointer key;

  if (data != NULL && length > 0)
    {
      text = g_strndup (data, length);
      form = soup_form_decode (text);
    }
  if (form != NULL)
    {
      g_hash_table_iter_init (&iter, form);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_strv_contains ((const char *[]) { "csat", "nps", "ces", "comment", NULL }, key) ||
            !g_utf8_validate (g_hash_table_lookup (form, key), -1, NULL))
          {
            answer_form (req, 422, lang, NULL,
                         T (lang, N_("The form held a question this survey does not ask. "
                                     "Please answer the questions below.")));
            return;
          }
    }
  answers.csat = form_value (form, "csat");
  answers.nps = form_value (form, "nps");
  answers.ces = form_value (form, "ces");
  answers.comment = form_value (form, "comment");

  if (!parse_score (lang, "csat", answers.csat, TRUE, &csat, &message) ||
      !parse_score (lang, "nps", answers.nps, FALSE, &nps, &message) ||
      !parse_score (lang, "ces", answers.ces, FALSE, &ces, &message))
    {
      answer_form (req, 422, lang, &answers, message);
      return;
    }
  if (answers.comment != NULL && g_utf8_strlen (answers.comment, -1) > COMMENT_MAX)
    {
      answer_form (req, 422, lang, &answers,
                   T (lang, N_("The comment is too long: please keep it under 2000 characters.")));
      return;
    }

  /* The comment goes with the satisfaction score, the one required answer. */
  g_ptr_array_add (changes, response_change (req->store, link, "csat", csat, answers.comment, now));
  if (nps >= 0)
    g_ptr_array_add (changes, response_change (req->store, link, "nps", nps, NULL, now));
  if (ces >= 0)
    g_ptr_array_add (changes, response_change (req->store, link, "ces", ces, NULL, now));
  for (guint i = 0; i < changes->len; i++)
    {
      SapaChange *change = g_ptr_array_index (changes, i);

      if (!sapa_record_validate (change->record, &error))
        {
          g_warning ("Survey answer refused by the record rules: %s", error->message);
          answer_form (req, 422, lang, &answers, T (lang, N_("Please check your answers and send them again.")));
          return;
        }
    }

  ctx.token_hash = token_hash;
  ctx.first = g_ptr_array_index (changes, 0);
  ctx.now = now;
  if (!sapa_store_apply_changes_full (req->store, changes, &hooks, &ctx, NULL, NULL, &error))
    {
      if (ctx.used)
        {
          Link fresh = { 0 };
          gboolean found = FALSE;
          g_autoptr(GError) local = NULL;

          /* Answered by a request that came at the same moment, or expired just now. */
          read_link (req->store, token_hash, &fresh, &found, &local);
          if (found && fresh.used_at == 0)
            answer_expired (req, lang);
          else
            answer_used (req, lang);
          link_clear (&fresh);
          return;
        }
      g_warning ("Storing a survey answer for conversation %s failed: %s",
                 link->conversation_id, error ? error->message : "no reason");
      answer_failed (req, lang);
      return;
    }

  g_info ("Survey answer stored for conversation %s (%u responses)", link->conversation_id, changes->len);
  req->notify_live = TRUE;
  answer_message (req, 200, lang, "done.html",
                  N_("Thank you for your answers"),
                  N_("We have received them. They help us serve you better."));
}

/* GET and POST /s/{token}: the public survey page. */
void
sapa_route_survey_page (SapaRequest *req)
{
  const char *wanted = req->query ? g_hash_table_lookup (req->query, "lang") : NULL;
  g_autofree char *token_hash = sapa_auth_hash_token (req->channel);
  g_auto(Link) link = { 0 };
  g_autoptr(GError) error = NULL;
  const char *lang;
  gboolean found = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (wanted != NULL && !g_strv_contains (sapa_languages, wanted))
    wanted = NULL;
  if (token_hash == NULL)
    {
      answer_unknown (req, wanted ? wanted : "id");
      return;
    }
  if (!read_link (req->store, token_hash, &link, &found, &error))
    {
      g_warning ("Reading a survey link failed: %s", error->message);
      answer_failed (req, wanted ? wanted : "id");
      return;
    }
  if (!found)
    {
      answer_unknown (req, wanted ? wanted : "id");
      return;
    }
  lang = wanted ? wanted : g_strv_contains (sapa_languages, link.language) ? link.language : "id";
  if (link.used_at != 0)
    answer_used (req, lang);
  else if (link.expires_at <= now)
    answer_expired (req, lang);
  else if (g_str_equal (req->method, "POST"))
    store_answer (req, lang, token_hash, &link);
  else
    answer_form (req, 200, lang, NULL, NULL);
}
