/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>

#include "sapa-inbound.h"
#include "sapa-server.h"
#include "sapa-server-db.h"
#include "sapa-server-private.h"
#include "sapa-store-private.h"

/* The ids an inbound message was stored under. */
typedef struct {
  char *customer_id;
  char *conversation_id;
  char *interaction_id;
} InboundIds;

static void
inbound_ids_clear (InboundIds *ids)
{
  g_clear_pointer (&ids->customer_id, g_free);
  g_clear_pointer (&ids->conversation_id, g_free);
  g_clear_pointer (&ids->interaction_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (InboundIds, inbound_ids_clear)

static gboolean
channel_takes_inbound (const char *channel)
{
  return sapa_choice_is_valid (sapa_channels, channel) &&
         !g_str_equal (channel, "walk_in") && !g_str_equal (channel, "note");
}

/* Looks up (channel, message_id) in inbound_message on @db. */
static gboolean
find_delivered (sqlite3     *db,
                const char  *channel,
                const char  *message_id,
                InboundIds  *ids,
                gboolean    *found,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *found = FALSE;
  if (!sapa_store_prepare (db,
                           "SELECT customer_id, conversation_id, interaction_id FROM inbound_message "
                           "WHERE channel = ?1 AND message_id = ?2;", &stmt, "read delivered messages", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, message_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      if (ids != NULL)
        {
          ids->customer_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          ids->conversation_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          ids->interaction_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
        }
      rc = SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "read delivered messages");
      return FALSE;
    }
  return TRUE;
}

static char *
channel_secret (SapaStore   *store,
                const char  *channel,
                char       **home_branch,
                GError     **error)
{
  sqlite3 *db = sapa_store_acquire_reader (store);
  sqlite3_stmt *stmt = NULL;
  char *secret = NULL;
  int rc;

  if (sapa_store_prepare (db, "SELECT secret, branch_id FROM channel WHERE name = ?1;", &stmt, "read the channels", error))
    {
      sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          secret = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          *home_branch = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      else if (rc != SQLITE_DONE)
        sapa_store_set_sqlite_error (error, db, rc, "read the channels");
      sqlite3_finalize (stmt);
    }
  sapa_store_release_reader (store, db);
  return secret;
}

/* The customer a message is from: phone first, then email, then handle. */
static SapaRecord *
match_customer (SapaStore                *store,
                const char               *channel,
                const SapaInboundMessage *message,
                GError                  **error)
{
  g_autoptr(GPtrArray) hits = NULL;

  if (message->phone != NULL)
    {
      hits = sapa_store_find_customers_by_phone (store, message->phone, error);
      if (hits == NULL)
        return NULL;
      if (hits->len > 0)
        return g_object_ref (g_ptr_array_index (hits, 0));
      g_clear_pointer (&hits, g_ptr_array_unref);
    }
  if (message->email != NULL)
    {
      hits = sapa_store_find_customers_by_email (store, message->email, error);
      if (hits == NULL)
        return NULL;
      if (hits->len > 0)
        return g_object_ref (g_ptr_array_index (hits, 0));
      g_clear_pointer (&hits, g_ptr_array_unref);
    }
  if (message->handle != NULL)
    {
      g_autofree char *wanted = g_strdup_printf ("%s:%s", channel, message->handle);

      hits = sapa_store_find_customers_by_handle (store, wanted, error);
      if (hits == NULL)
        return NULL;
      if (hits->len > 0)
        return g_object_ref (g_ptr_array_index (hits, 0));
    }
  /* No match is not an error: the caller makes a new customer. */
  return NULL;
}

static SapaRecord *
open_conversation (SapaStore   *store,
                   const char  *customer_id,
                   const char  *channel,
                   GError     **error)
{
  g_autoptr(GPtrArray) conversations = sapa_store_list_conversations (store, customer_id, error);

  if (conversations == NULL)
    return NULL;
  for (guint i = 0; i < conversations->len; i++)
    {
      SapaRecord *c = g_ptr_array_index (conversations, i);
      const char *status = sapa_record_get_string (c, "status");

      if (g_strcmp0 (sapa_record_get_string (c, "channel"), channel) == 0 &&
          (g_strcmp0 (status, "open") == 0 || g_strcmp0 (status, "pending") == 0))
        return g_object_ref (c);
    }
  return NULL;
}

static SapaChange *
change_for (SapaStore  *store,
            SapaRecord *record)
{
  SapaChange *change = g_new0 (SapaChange, 1);

  change->change_id = sapa_uuid_new ();
  change->op = SAPA_CHANGE_UPSERT;
  change->hlc = sapa_hlc_now (sapa_store_get_hlc (store));
  change->record = g_object_ref (record);
  change->client_id = g_strdup (sapa_store_get_client_id (store));
  return change;
}

typedef struct {
  const char               *channel;
  const SapaInboundMessage *message;
  SapaChange               *first;
  SapaChange               *last;
  const InboundIds         *ids;
  gboolean                  raced;   /* delivered by another request meanwhile */
} InboundContext;

static gboolean
inbound_before (sqlite3          *db,
                SapaChange       *change,
                SapaApplyStatus  *status,
                char            **reason,
                gpointer          data,
                GError          **error)
{
  InboundContext *ctx = data;
  gboolean found;

  if (change != ctx->first)
    return TRUE;
  if (!find_delivered (db, ctx->channel, ctx->message->message_id, NULL, &found, error))
    return FALSE;
  if (found)
    {
      ctx->raced = TRUE;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "delivered meanwhile");
      return FALSE;
    }
  return TRUE;
}

static gboolean
inbound_after (sqlite3          *db,
               SapaChange       *change,
               SapaApplyStatus   status,
               const char       *reason,
               gpointer          data,
               GError          **error)
{
  InboundContext *ctx = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (status != SAPA_APPLY_APPLIED)
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   "The message could not be stored: %s", reason ? reason : "rejected");
      return FALSE;
    }
  if (change != ctx->last)
    return TRUE;

  if (!sapa_store_prepare (db,
                           "INSERT INTO inbound_message (channel, message_id, customer_id, conversation_id, "
                           "interaction_id, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6);",
                           &stmt, "record the delivered message", error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, ctx->channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ctx->message->message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ctx->ids->customer_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, ctx->ids->conversation_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, ctx->ids->interaction_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, "record the delivered message");
      return FALSE;
    }
  return TRUE;
}

static void
answer_ids (SapaRequest      *req,
            guint             status,
            const InboundIds *ids)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status == 201 ? "created" : "duplicate");
  json_builder_set_member_name (b, "customer_id");
  json_builder_add_string_value (b, ids->customer_id);
  json_builder_set_member_name (b, "conversation_id");
  json_builder_add_string_value (b, ids->conversation_id);
  json_builder_set_member_name (b, "interaction_id");
  json_builder_add_string_value (b, ids->interaction_id);
  json_builder_end_object (b);
  sapa_request_answer (req, status, json_builder_get_root (b));
}

/* Delivers @message under req->inbound_lock: one message at a time, so two
 * deliveries of the same new sender make one customer. */
static void
deliver (SapaRequest              *req,
         const SapaInboundMessage *message,
         const char               *home_branch)
{
  g_auto(InboundIds) ids = { 0 };
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) conversation = NULL;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);
  g_autoptr(GError) error = NULL;
  const SapaApplyHooks hooks = { inbound_before, inbound_after, TRUE };
  InboundContext ctx = { 0 };
  gint64 when = message->sent_at > 0 ? message->sent_at : g_get_real_time () / G_USEC_PER_SEC;
  gboolean found = FALSE;
  sqlite3 *db;

  db = sapa_store_acquire_reader (req->store);
  find_delivered (db, req->channel, message->message_id, &ids, &found, &error);
  sapa_store_release_reader (req->store, db);
  if (error != NULL)
    goto failed;
  if (found)
    {
      answer_ids (req, 200, &ids);
      return;
    }

  customer = match_customer (req->store, req->channel, message, &error);
  if (error != NULL)
    goto failed;
  if (customer == NULL)
    {
      const char *name = message->name ? message->name
                         : message->phone ? message->phone
                         : message->email ? message->email : message->handle;

      customer = sapa_record_new ("customer");
      sapa_record_set_string (customer, "full_name", name);
      sapa_record_set_string (customer, "segment", "regular");
      sapa_record_set_string (customer, "preferred_channel", req->channel);
      sapa_record_set_string (customer, "branch_id", home_branch);
      sapa_record_set_int (customer, "created_at", g_get_real_time () / G_USEC_PER_SEC);
      if (message->phone != NULL)
        sapa_record_set_list (customer, "phones", (const char *[]) { message->phone, NULL });
      if (message->email != NULL)
        sapa_record_set_list (customer, "emails", (const char *[]) { message->email, NULL });
      if (message->handle != NULL)
        {
          g_autofree char *handle = g_strdup_printf ("%s:%s", req->channel, message->handle);
          sapa_record_set_list (customer, "handles", (const char *[]) { handle, NULL });
        }
      g_ptr_array_add (changes, change_for (req->store, customer));
    }
  else
    {
      conversation = open_conversation (req->store, sapa_record_get_id (customer), req->channel, &error);
      if (error != NULL)
        goto failed;
    }

  if (conversation == NULL)
    {
      conversation = sapa_record_new ("conversation");
      sapa_record_set_string (conversation, "customer_id", sapa_record_get_id (customer));
      sapa_record_set_string (conversation, "branch_id", sapa_record_get_string (customer, "branch_id"));
      sapa_record_set_string (conversation, "channel", req->channel);
      sapa_record_set_string (conversation, "subject", message->subject);
      sapa_record_set_string (conversation, "status", "open");
      sapa_record_set_string (conversation, "priority", "normal");
      sapa_record_set_int (conversation, "opened_at", when);
      sapa_record_set_int (conversation, "contact_count", 1);
      g_ptr_array_add (changes, change_for (req->store, conversation));
    }

  interaction = sapa_record_new ("interaction");
  sapa_record_set_string (interaction, "conversation_id", sapa_record_get_id (conversation));
  sapa_record_set_string (interaction, "customer_id", sapa_record_get_id (customer));
  sapa_record_set_string (interaction, "channel", req->channel);
  sapa_record_set_string (interaction, "direction", "inbound");
  sapa_record_set_string (interaction, "body", message->text);
  sapa_record_set_int (interaction, "started_at", when);
  sapa_record_set_string (interaction, "external_ref", message->message_id);
  g_ptr_array_add (changes, change_for (req->store, interaction));

  for (guint i = 0; i < changes->len; i++)
    {
      SapaChange *change = g_ptr_array_index (changes, i);

      if (!sapa_record_validate (change->record, &error))
        {
          g_autofree char *text = g_strdup_printf ("The message cannot be stored: %s", error->message);
          sapa_request_error (req, 422, text);
          return;
        }
    }

  ids.customer_id = g_strdup (sapa_record_get_id (customer));
  ids.conversation_id = g_strdup (sapa_record_get_id (conversation));
  ids.interaction_id = g_strdup (sapa_record_get_id (interaction));
  ctx.channel = req->channel;
  ctx.message = message;
  ctx.first = g_ptr_array_index (changes, 0);
  ctx.last = g_ptr_array_index (changes, changes->len - 1);
  ctx.ids = &ids;
  if (!sapa_store_apply_changes_full (req->store, changes, &hooks, &ctx, NULL, NULL, &error))
    {
      if (ctx.raced)
        {
          g_auto(InboundIds) stored = { 0 };

          g_clear_error (&error);
          db = sapa_store_acquire_reader (req->store);
          find_delivered (db, req->channel, message->message_id, &stored, &found, &error);
          sapa_store_release_reader (req->store, db);
          if (error == NULL && found)
            {
              answer_ids (req, 200, &stored);
              return;
            }
        }
      goto failed;
    }

  g_info ("Inbound %s message %s stored for customer %s", req->channel, message->message_id, ids.customer_id);
  req->notify_live = TRUE;
  answer_ids (req, 201, &ids);
  return;

failed:
  g_warning ("Inbound %s message %s failed: %s", req->channel, message->message_id,
             error ? error->message : "no reason");
  sapa_request_error (req, 500, "The server could not store the message; deliver it again later");
}

void
sapa_route_inbound (SapaRequest *req)
{
  g_autoptr(SapaInboundMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *home_branch = NULL;
  gsize length = 0;
  const char *body = req->body ? g_bytes_get_data (req->body, &length) : NULL;

  if (!channel_takes_inbound (req->channel))
    {
      sapa_request_error (req, 404, "There is no such inbound channel; see docs/api/openapi.yaml");
      return;
    }
  secret = channel_secret (req->store, req->channel, &home_branch, &error);
  if (secret == NULL)
    {
      if (error != NULL)
        {
          g_warning ("Reading the %s channel failed: %s", req->channel, error->message);
          sapa_request_error (req, 500, "The server could not read the channel; deliver the message again later");
        }
      else
        sapa_request_error (req, 404, "This channel is not set up on the server; run “sapa-server channel add”");
      return;
    }
  if (!sapa_inbound_check_signature (secret, body, length, req->signature))
    {
      sapa_request_error (req, 401, "The X-Sapa-Signature header does not match the body and the channel's secret");
      return;
    }
  message = sapa_inbound_parse (body, length, &error);
  if (message == NULL)
    {
      sapa_request_error (req, g_error_matches (error, SAPA_INBOUND_ERROR, SAPA_INBOUND_ERROR_INVALID) ? 422 : 400,
                          error->message);
      return;
    }

  g_mutex_lock (req->inbound_lock);
  deliver (req, message, home_branch);
  g_mutex_unlock (req->inbound_lock);
}
