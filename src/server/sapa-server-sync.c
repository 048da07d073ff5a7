/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <glib/gi18n.h>
#include <string.h>

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>

#include "sapa-inbound.h"
#include "sapa-server.h"
#include "sapa-server-db.h"
#include "sapa-server-private.h"
#include "sapa-store-private.h"

#define PULL_DEFAULT_LIMIT 500
#define PULL_MAX_LIMIT     5000
#define AUDIT_DEFAULT_LIMIT 100
#define AUDIT_MAX_LIMIT    1000

/* -- small SQL helpers ---------------------------------------------------- */

/* The text in column 0 of the first row of @sql with @arg bound as ?1 (a new
 * string); NULL when there is no row or the value is NULL. *found tells them apart. */
static char *
query_text (sqlite3    *db,
            const char *sql,
            const char *arg,
            gboolean   *found,
            GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  char *out = NULL;
  int rc;

  if (found)
    *found = FALSE;
  if (!sapa_store_prepare (db, sql, &stmt, "read the server tables", error))
    return NULL;
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (found)
        *found = TRUE;
      out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  else if (rc != SQLITE_DONE)
    sapa_store_set_sqlite_error (error, db, rc, "read the server tables");
  sqlite3_finalize (stmt);
  return out;
}

static gboolean
parse_limit (SapaRequest *req,
             guint        fallback,
             guint        max,
             guint       *out)
{
  const char *text = req->query ? g_hash_table_lookup (req->query, "limit") : NULL;
  guint64 value;

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, max, &value, NULL))
    {
      g_autofree char *message = g_strdup_printf ("“limit” must be a whole number from 1 to %u", max);
      sapa_request_error (req, 422, message);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* -- who may write what --------------------------------------------------- */

/* The branch of an existing row (*exists FALSE when there is none). */
static gboolean
row_branch (sqlite3     *db,
            const char  *entity,
            const char  *id,
            char       **branch,
            gboolean    *exists,
            GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT branch_id FROM %s WHERE id = ?1;", entity);
  GError *local = NULL;

  *branch = query_text (db, sql, id, exists, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

typedef enum {
  POLICY_ALLOWED,
  POLICY_FORBIDDEN,
  POLICY_UNKNOWN_CUSTOMER,
  POLICY_UNKNOWN_CONVERSATION,
} Policy;

/* Whether @principal may write @change, looked up on @db inside the push's
 * transaction (so records pushed earlier in the same batch count). */
static gboolean
check_policy (sqlite3             *db,
              const SapaPrincipal *principal,
              SapaChange          *change,
              Policy              *policy,
              GError             **error)
{
  SapaRecord *record = change->record;
  const char *entity = sapa_record_get_entity_name (record);
  const char *id = sapa_record_get_id (record);
  g_autofree char *branch = NULL;
  gboolean exists = FALSE;
  gboolean admin = sapa_principal_is_admin (principal);

  *policy = POLICY_ALLOWED;

  if (g_str_equal (entity, "branch") || g_str_equal (entity, "agent"))
    {
      if (!admin)
        *policy = POLICY_FORBIDDEN;
      return TRUE;
    }
  if (g_str_equal (entity, "canned_response"))
    return TRUE;
  if (g_str_equal (entity, "audit_event"))
    {
      const char *who = sapa_record_get_string (record, "agent_id");

      /* Desks write audit events of their own agent's reveals and edits. */
      if (!admin && who != NULL && g_strcmp0 (who, principal->agent_id) != 0)
        *policy = POLICY_FORBIDDEN;
      return TRUE;
    }

  if (g_str_equal (entity, "interaction"))
    {
      const char *conversation_id = sapa_record_get_string (record, "conversation_id");
      const char *customer_id = sapa_record_get_string (record, "customer_id");

      if (conversation_id != NULL)
        {
          if (!row_branch (db, "conversation", conversation_id, &branch, &exists, error))
            return FALSE;
          if (!exists)
            {
              *policy = POLICY_UNKNOWN_CONVERSATION;
              return TRUE;
            }
        }
      if (branch == NULL && customer_id != NULL)
        {
          g_clear_pointer (&branch, g_free);
          if (!row_branch (db, "customer", customer_id, &branch, &exists, error))
            return FALSE;
          if (!exists)
            {
              *policy = POLICY_UNKNOWN_CUSTOMER;
              return TRUE;
            }
        }
      if (!admin && !sapa_principal_may_see_branch (principal, branch))
        *policy = POLICY_FORBIDDEN;
      return TRUE;
    }

  /* customer, conversation, survey_response: a branch_id column. The row as
   * stored and the row as pushed must both be the principal's. */
  if (!row_branch (db, entity, id, &branch, &exists, error))
    return FALSE;
  if (!admin && exists && !sapa_principal_may_see_branch (principal, branch))
    {
      *policy = POLICY_FORBIDDEN;
      return TRUE;
    }
  if (!admin && sapa_record_has (record, "branch_id") &&
      !sapa_principal_may_see_branch (principal, sapa_record_get_string (record, "branch_id")))
    {
      *policy = POLICY_FORBIDDEN;
      return TRUE;
    }
  /* Clearing the branch would show a branch's record to every branch. */
  if (!admin && exists && branch != NULL && !sapa_record_has (record, "branch_id"))
    {
      g_autoptr(JsonObject) fields = sapa_record_to_json (record);

      if (json_object_has_member (fields, "branch_id"))
        {
          *policy = POLICY_FORBIDDEN;
          return TRUE;
        }
    }
  if (!admin && !exists && !sapa_record_has (record, "branch_id") &&
      !sapa_principal_may_see_branch (principal, NULL))
    {
      *policy = POLICY_FORBIDDEN;
      return TRUE;
    }

  if (!exists && change->op == SAPA_CHANGE_UPSERT &&
      (g_str_equal (entity, "conversation") || g_str_equal (entity, "survey_response")))
    {
      const char *customer_id = sapa_record_get_string (record, "customer_id");
      g_autofree char *customer_branch = NULL;
      gboolean customer_exists = FALSE;

      /* A new conversation or rating must be about a customer the caller may see. */
      if (customer_id != NULL)
        {
          if (!row_branch (db, "customer", customer_id, &customer_branch, &customer_exists, error))
            return FALSE;
          if (!customer_exists)
            *policy = POLICY_UNKNOWN_CUSTOMER;
          else if (!admin && !sapa_principal_may_see_branch (principal, customer_branch))
            *policy = POLICY_FORBIDDEN;
        }
    }
  return TRUE;
}

/* -- push --------------------------------------------------------------- */

typedef struct {
  SapaStore     *store;
  SapaPrincipal *principal;
  const char    *client_id;
  GHashTable    *reasons;    /* change_id -> reason */
  GHashTable    *replayed;   /* change_ids already in push_result */
  gboolean       any_applied;
} PushContext;

static const char *
status_name (SapaApplyStatus status)
{
  switch (status)
    {
    case SAPA_APPLY_APPLIED:    return "applied";
    case SAPA_APPLY_DUPLICATE:  return "duplicate";
    case SAPA_APPLY_SUPERSEDED: return "superseded";
    case SAPA_APPLY_REJECTED:
    default:                    return "rejected";
    }
}

static gboolean
push_before (sqlite3          *db,
             SapaChange       *change,
             SapaApplyStatus  *status,
             char            **reason,
             gpointer          data,
             GError          **error)
{
  PushContext *ctx = data;
  sqlite3_stmt *stmt = NULL;
  Policy policy;
  int rc;

  /* Pushing twice is harmless: the stored result is replayed. */
  if (!sapa_store_prepare (db, "SELECT status, error FROM push_result WHERE change_id = ?1;",
                           &stmt, "read the push results", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, change->change_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *stored = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (stored, "rejected") == 0)
        {
          *status = SAPA_APPLY_REJECTED;
          *reason = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      else
        *status = SAPA_APPLY_DUPLICATE;
      g_hash_table_add (ctx->replayed, g_strdup (change->change_id));
      sqlite3_finalize (stmt);
      return TRUE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "read the push results");
      return FALSE;
    }

  if (!check_policy (db, ctx->principal, change, &policy, error))
    return FALSE;
  switch (policy)
    {
    case POLICY_ALLOWED:
      break;
    case POLICY_FORBIDDEN:
      *status = SAPA_APPLY_REJECTED;
      *reason = g_strdup ("forbidden");
      return TRUE;
    case POLICY_UNKNOWN_CUSTOMER:
      *status = SAPA_APPLY_REJECTED;
      *reason = g_strdup ("unknown customer");
      return TRUE;
    case POLICY_UNKNOWN_CONVERSATION:
      *status = SAPA_APPLY_REJECTED;
      *reason = g_strdup ("unknown conversation");
      return TRUE;
    }

  if (!sapa_hlc_observe (sapa_store_get_hlc (ctx->store), change->hlc, SAPA_SERVER_MAX_CLOCK_AHEAD, NULL))
    {
      *status = SAPA_APPLY_REJECTED;
      *reason = g_strdup ("clock ahead");
      return TRUE;
    }
  return TRUE;
}

/* The address an outbound reply on @channel goes to: the customer's first
 * email for email, a "chat:" handle for chat, else the first phone. */
static char *
outbound_recipient (sqlite3     *db,
                    const char  *customer_id,
                    const char  *channel,
                    GError     **error)
{
  const char *column = g_str_equal (channel, "email") ? "emails" : "phones";
  g_autofree char *sql = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonNode) node = NULL;
  GError *local = NULL;

  if (g_str_equal (channel, "chat"))
    {
      g_autofree char *handle =
        query_text (db, "SELECT substr(value, 6) FROM customer, json_each(customer.handles) "
                        "WHERE customer.id = ?1 AND value LIKE 'chat:%' LIMIT 1;", customer_id, NULL, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      if (handle != NULL)
        return g_steal_pointer (&handle);
    }

  sql = g_strdup_printf ("SELECT %s FROM customer WHERE id = ?1;", column);
  list = query_text (db, sql, customer_id, NULL, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  node = list ? json_from_string (list, NULL) : NULL;
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0)
    return g_strdup (json_array_get_string_element (json_node_get_array (node), 0));
  return NULL;
}

static gboolean
queue_outbound (sqlite3     *db,
                SapaRecord  *interaction,
                GError     **error)
{
  const char *channel = sapa_record_get_string (interaction, "channel");
  const char *customer_id = sapa_record_get_string (interaction, "customer_id");
  g_autofree char *recipient = NULL;
  sqlite3_stmt *stmt = NULL;
  GError *local = NULL;
  int rc;

  if (g_strcmp0 (sapa_record_get_string (interaction, "direction"), "outbound") != 0 ||
      sapa_record_get_string (interaction, "event") != NULL ||
      channel == NULL || !g_strv_contains ((const char *[]) { "email", "chat", "whatsapp", NULL }, channel))
    return TRUE;

  recipient = outbound_recipient (db, customer_id, channel, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!sapa_store_prepare (db,
                           "INSERT OR IGNORE INTO outbound_queue "
                           "(interaction_id, channel, customer_id, recipient, body, queued_at, status) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued');",
                           &stmt, "queue the reply", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, sapa_record_get_id (interaction), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, customer_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, recipient, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, sapa_record_get_string (interaction, "body"), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "queue the reply");
      return FALSE;
    }
  return TRUE;
}

static gboolean
push_after (sqlite3          *db,
            SapaChange       *change,
            SapaApplyStatus   status,
            const char       *reason,
            gpointer          data,
            GError          **error)
{
  PushContext *ctx = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (reason != NULL)
    g_hash_table_replace (ctx->reasons, g_strdup (change->change_id), g_strdup (reason));
  if (g_hash_table_contains (ctx->replayed, change->change_id))
    return TRUE;
  /* A stamp too far ahead is refused for now, not for good: the desk keeps
   * the change and sends it again once the clocks agree. */
  if (status == SAPA_APPLY_REJECTED && g_strcmp0 (reason, "clock ahead") == 0)
    return TRUE;

  if (!sapa_store_prepare (db,
                           "INSERT OR IGNORE INTO push_result (change_id, client_id, status, error, at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5);", &stmt, "record the push result", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, change->change_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ctx->client_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, status_name (status), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "record the push result");
      return FALSE;
    }

  if (status == SAPA_APPLY_APPLIED)
    {
      ctx->any_applied = TRUE;
      if (change->op == SAPA_CHANGE_UPSERT &&
          g_str_equal (sapa_record_get_entity_name (change->record), "interaction") &&
          !queue_outbound (db, change->record, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  const char *change_id;
  const char *client_id;
  const char *reason;
} Refusal;

static gboolean
record_refusal (sqlite3   *db,
                gpointer   data,
                GError   **error)
{
  Refusal *r = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sapa_store_prepare (db,
                           "INSERT OR IGNORE INTO push_result (change_id, client_id, status, error, at) "
                           "VALUES (?1, ?2, 'rejected', ?3, ?4);", &stmt, "record the push result", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, r->change_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, r->client_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, r->reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "record the push result");
      return FALSE;
    }
  return TRUE;
}

static gboolean
push_one_by_one (PushContext  *ctx,
                 GPtrArray    *changes,
                 GArray       *statuses,
                 GError      **error)
{
  const SapaApplyHooks hooks = { push_before, push_after, TRUE };

  g_array_set_size (statuses, 0);
  for (guint i = 0; i < changes->len; i++)
    {
      SapaChange *change = g_ptr_array_index (changes, i);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      g_autoptr(GArray) status = g_array_new (FALSE, TRUE, sizeof (SapaApplyStatus));
      g_autoptr(GError) local = NULL;
      SapaApplyStatus st;

      g_ptr_array_add (one, change);
      if (sapa_store_apply_changes_full (ctx->store, one, &hooks, ctx, NULL, status, &local))
        {
          st = status->len > 0 ? g_array_index (status, SapaApplyStatus, 0) : SAPA_APPLY_REJECTED;
          g_array_append_val (statuses, st);
          continue;
        }
      if (g_error_matches (local, SAPA_STORE_ERROR, SAPA_STORE_ERROR_LOCKED))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      {
        g_autofree char *reason = g_strdup_printf ("invalid: %s", local->message);
        Refusal refusal = { change->change_id, ctx->client_id, reason };

        g_clear_error (&local);
        if (!sapa_store_run_in_transaction (ctx->store, record_refusal, &refusal, error))
          return FALSE;
        g_hash_table_replace (ctx->reasons, g_strdup (change->change_id), g_steal_pointer (&reason));
        st = SAPA_APPLY_REJECTED;
        g_array_append_val (statuses, st);
      }
    }
  return TRUE;
}

static JsonNode *
cursor_answer_member (SapaRequest *req)
{
  sqlite3 *db = sapa_store_acquire_reader (req->store);
  gint64 seq = sapa_server_last_seq (db);
  g_autofree char *cursor = sapa_cursor_make (req->epoch, seq);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  sapa_store_release_reader (req->store, db);
  json_node_set_string (node, cursor);
  return node;
}

void
sapa_route_push (SapaRequest *req)
{
  g_autoptr(JsonNode) root = sapa_request_parse_json (req);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GArray) statuses = g_array_new (FALSE, TRUE, sizeof (SapaApplyStatus));
  g_autoptr(GHashTable) reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) replayed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(GError) error = NULL;
  const SapaApplyHooks hooks = { push_before, push_after, TRUE };
  PushContext ctx = { 0 };
  JsonObject *obj;
  JsonNode *changes_node, *client_node;
  JsonArray *array;
  const char *client_id;

  if (root == NULL)
    return;
  obj = json_node_get_object (root);
  client_node = json_object_get_member (obj, "client_id");
  if (client_node == NULL || !JSON_NODE_HOLDS_VALUE (client_node) ||
      json_node_get_value_type (client_node) != G_TYPE_STRING)
    {
      sapa_request_error (req, 400, "A push needs “client_id” as text");
      return;
    }
  client_id = json_node_get_string (client_node);
  if (!g_uuid_string_is_valid (client_id))
    {
      sapa_request_error (req, 422, "“client_id” must be the desk's UUID");
      return;
    }
  changes_node = json_object_get_member (obj, "changes");
  if (changes_node == NULL || !JSON_NODE_HOLDS_ARRAY (changes_node))
    {
      sapa_request_error (req, 400, "A push needs “changes” as an array");
      return;
    }
  array = json_node_get_array (changes_node);
  if (json_array_get_length (array) > SAPA_SERVER_MAX_PUSH)
    {
      sapa_request_error (req, 413, "A push may carry at most 1000 changes; send the rest in another push");
      return;
    }

  /* A change that does not parse makes the whole request bad: nothing is written. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) local = NULL;
      SapaChange *change = sapa_change_from_json (json_array_get_element (array, i), &local);

      if (change == NULL)
        {
          g_autofree char *message = g_strdup_printf ("Change %u: %s", i, local->message);
          sapa_request_error (req, g_error_matches (local, SAPA_CHANGE_ERROR, SAPA_CHANGE_ERROR_INVALID) ? 422 : 400,
                              message);
          return;
        }
      g_free (change->client_id);
      change->client_id = g_strdup (client_id);
      g_ptr_array_add (changes, change);
    }

  ctx.store = req->store;
  ctx.principal = req->principal;
  ctx.client_id = client_id;
  ctx.reasons = reasons;
  ctx.replayed = replayed;
  if (changes->len > 0 &&
      !sapa_store_apply_changes_full (req->store, changes, &hooks, &ctx, NULL, statuses, &error))
    {
      if (g_error_matches (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_LOCKED))
        {
          g_warning ("Push of %u changes from %s: %s", changes->len, client_id, error->message);
          req->retry_after = g_strdup ("2");
          sapa_request_error (req, 503, "The database is busy; push again in a moment");
          return;
        }
      /* One change the database refuses must not hold back the desk's whole
       * outbox: apply them one by one and reject only the ones that fail. */
      g_info ("Push of %u changes from %s failed as a whole (%s); applying one by one",
              changes->len, client_id, error->message);
      g_clear_error (&error);
      g_hash_table_remove_all (reasons);
      g_hash_table_remove_all (replayed);
      ctx.any_applied = FALSE;
      if (!push_one_by_one (&ctx, changes, statuses, &error))
        {
          g_warning ("Push of %u changes from %s failed: %s", changes->len, client_id, error->message);
          sapa_request_error (req, 500, "The server could not store the changes; push again later");
          return;
        }
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < changes->len; i++)
    {
      SapaChange *change = g_ptr_array_index (changes, i);
      SapaApplyStatus status = i < statuses->len ? g_array_index (statuses, SapaApplyStatus, i) : SAPA_APPLY_REJECTED;
      const char *reason = g_hash_table_lookup (reasons, change->change_id);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "change_id");
      json_builder_add_string_value (b, change->change_id);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status_name (status));
      if (status == SAPA_APPLY_REJECTED)
        {
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, reason ? reason : "rejected");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_value (b, cursor_answer_member (req));
  json_builder_end_object (b);

  req->notify_live = ctx.any_applied;
  sapa_request_answer (req, 200, json_builder_get_root (b));
}

/* -- pull --------------------------------------------------------------- */

static JsonNode *
branches_json (const SapaPrincipal *principal)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  if (principal->branches != NULL)
    for (guint i = 0; i < principal->branches->len; i++)
      json_array_add_string_element (array, g_ptr_array_index (principal->branches, i));
  else if (principal->branch_id != NULL)
    json_array_add_string_element (array, principal->branch_id);
  json_node_take_array (node, array);
  return node;
}

/* Appends @value as a JSON string: ids and names as they are when they need
 * no escaping (the usual case), anything else escaped by json-glib. */
static void
append_json_string (GString    *out,
                    const char *value)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *escaped = NULL;

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  for (const char *p = value; ; p++)
    {
      if (*p == '\0')
        {
          g_string_append_c (out, '"');
          g_string_append_len (out, value, p - value);
          g_string_append_c (out, '"');
          return;
        }
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.' && *p != ':' && *p != '@')
        break;
    }
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, value);
  escaped = json_to_string (node, FALSE);
  g_string_append (out, escaped);
}

void
sapa_route_pull (SapaRequest *req)
{
  const char *since = req->query ? g_hash_table_lookup (req->query, "since") : NULL;
  gboolean admin = sapa_principal_is_admin (req->principal);
  g_autoptr(GString) out = NULL;
  g_autofree char *branches = NULL;
  g_autofree char *cursor = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gint64 after = 0, last = 0, end;
  guint limit, n = 0;
  gboolean more = FALSE;
  int rc;

  if (!parse_limit (req, PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT, &limit))
    return;
  if (since != NULL && *since != '\0' && !sapa_cursor_parse (since, req->epoch, &after))
    {
      sapa_request_error (req, 410, "The cursor is not one of this server's; pull again from the start");
      return;
    }

  if (!admin)
    {
      g_autoptr(JsonNode) node = branches_json (req->principal);
      branches = json_to_string (node, FALSE);
    }

  db = sapa_store_acquire_reader (req->store);
  /* One read transaction: the end of the log and the page come from the same snapshot. */
  sqlite3_exec (db, "BEGIN;", NULL, NULL, NULL);
  end = sapa_server_last_seq (db);
  if (after > end)
    {
      sqlite3_exec (db, "COMMIT;", NULL, NULL, NULL);
      sapa_store_release_reader (req->store, db);
      sapa_request_error (req, 410, "The cursor is ahead of this server's log; pull again from the start");
      return;
    }

  rc = sqlite3_prepare_v2 (db, admin
                           ? "SELECT seq, change_id, entity, record_id, op, hlc, fields, client_id "
                             "FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2;"
                           : "SELECT seq, change_id, entity, record_id, op, hlc, fields, client_id "
                             "FROM change_log WHERE seq > ?1 AND entity <> 'audit_event' "
                             "AND (branch_id IS NULL OR branch_id IN (SELECT value FROM json_each(?3))) "
                             "ORDER BY seq LIMIT ?2;",
                           -1, &stmt, NULL);
  /* Pages are written as text: the stored fields are already JSON (written
   * by json-glib when the change was applied), so they go out as they are. */
  out = g_string_sized_new (64 * 1024);
  g_string_append (out, "{\"changes\":[");
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, after);
      sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) limit + 1);
      if (!admin)
        sqlite3_bind_text (stmt, 3, branches, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *fields = (const char *) sqlite3_column_text (stmt, 6);

          if (n == limit)
            {
              more = TRUE;
              rc = SQLITE_DONE;
              break;
            }
          if (n++ > 0)
            g_string_append_c (out, ',');
          last = sqlite3_column_int64 (stmt, 0);
          g_string_append (out, "{\"change_id\":");
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 1));
          g_string_append (out, ",\"entity\":");
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 2));
          g_string_append (out, ",\"id\":");
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 3));
          g_string_append (out, ",\"op\":");
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 4));
          g_string_append_printf (out, ",\"hlc\":\"%" G_GUINT64_FORMAT "\",\"fields\":",
                                  (guint64) sqlite3_column_int64 (stmt, 5));
          g_string_append (out, fields != NULL && fields[0] == '{' ? fields : "{}");
          g_string_append (out, ",\"client_id\":");
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 7));
          g_string_append_c (out, '}');
        }
    }
  if (rc != SQLITE_DONE)
    {
      g_warning ("Pull failed: %s", sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      sqlite3_exec (db, "ROLLBACK;", NULL, NULL, NULL);
      sapa_store_release_reader (req->store, db);
      sapa_request_error (req, 500, "The server could not read the changes; pull again later");
      return;
    }
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "COMMIT;", NULL, NULL, NULL);
  sapa_store_release_reader (req->store, db);

  /* Rows the principal may not see are skipped for good: the last page ends at the log's end. */
  cursor = sapa_cursor_make (req->epoch, more ? last : end);
  g_string_append (out, "],\"cursor\":");
  append_json_string (out, cursor);
  g_string_append_printf (out, ",\"more\":%s}", more ? "true" : "false");
  sapa_request_answer_text (req, 200, g_string_free (g_steal_pointer (&out), FALSE));
}

/* -- snapshot ----------------------------------------------------------- */

/* Snapshots written at once: each reads the records for some seconds and
 * writes a file as large as them. */
#define SNAPSHOTS_AT_ONCE 2

static char *
snapshot_cursor (gint64   seq,
                 gpointer data)
{
  SapaRequest *req = data;

  return sapa_cursor_make (req->epoch, seq);
}

void
sapa_route_snapshot (SapaRequest *req)
{
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *branches = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  int fd;

  if (req->snapshots_running == NULL)
    {
      sapa_request_error (req, 404, "This server does not send snapshots; pull the changes instead");
      return;
    }
  if (g_atomic_int_add (req->snapshots_running, 1) >= SNAPSHOTS_AT_ONCE)
    {
      g_atomic_int_add (req->snapshots_running, -1);
      g_free (req->retry_after);
      req->retry_after = g_strdup ("10");
      sapa_request_error (req, 503, "The server is writing other snapshots; try again shortly or pull the changes");
      return;
    }

  if (!sapa_principal_is_admin (req->principal))
    {
      g_autoptr(JsonNode) node = branches_json (req->principal);
      branches = json_to_string (node, FALSE);
    }
  /* Beside the database: the same file system, and no other user's eyes. */
  dir = g_path_get_dirname (sapa_store_get_path (req->store));
  file = g_build_filename (dir, "snapshot-XXXXXX.sqlite", NULL);
  fd = g_mkstemp_full (file, O_RDWR, 0600);
  if (fd < 0)
    g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", file, g_strerror (errno));
  else
    {
      close (fd);
      if (sapa_snapshot_write (sapa_store_get_path (req->store), file, branches, snapshot_cursor, req, &error))
        mapped = g_mapped_file_new (file, FALSE, &error);
      /* The mapping keeps the data until the answer is sent. */
      g_unlink (file);
    }
  g_atomic_int_add (req->snapshots_running, -1);
  if (mapped == NULL)
    {
      g_warning ("Snapshot failed: %s", error->message);
      sapa_request_error (req, 500, "The server could not write the snapshot; pull the changes instead");
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  g_info ("Snapshot of %s: %" G_GSIZE_FORMAT " bytes in %.1f s", branches ? branches : "every branch",
          g_bytes_get_size (bytes), (g_get_monotonic_time () - started) / 1e6);
  sapa_request_answer_bytes (req, 200, "application/vnd.sqlite3", bytes);
}

/* -- audit -------------------------------------------------------------- */

void
sapa_route_audit (SapaRequest *req)
{
  const SapaEntity *entity = sapa_entity_lookup ("audit_event");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sql = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  guint limit;
  int rc;

  if (!parse_limit (req, AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, &limit))
    return;

  sql = g_strdup_printf ("SELECT %s FROM audit_event ORDER BY at DESC, rowid DESC LIMIT ?1;",
                         sapa_store_select_columns (entity));
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  db = sapa_store_acquire_reader (req->store);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, limit);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autoptr(SapaRecord) record = sapa_store_record_from_row (entity, stmt, 0);
          g_autoptr(JsonObject) fields = sapa_record_to_json (record);
          JsonNode *node = json_node_new (JSON_NODE_OBJECT);

          json_object_set_string_member (fields, "id", sapa_record_get_id (record));
          json_node_set_object (node, fields);
          json_builder_add_value (b, node);
        }
    }
  if (rc != SQLITE_DONE)
    g_warning ("Reading the audit log failed: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  sapa_store_release_reader (req->store, db);
  if (rc != SQLITE_DONE)
    {
      sapa_request_error (req, 500, "The server could not read the audit log; try again later");
      return;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  sapa_request_answer (req, 200, json_builder_get_root (b));
}
