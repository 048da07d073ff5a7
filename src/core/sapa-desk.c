/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-desk"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <sapa/sapa-desk.h>
#include <sapa/sapa-labels.h>

#include "sapa-store-private.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

SapaRecord *
sapa_desk_ensure_agent (SapaStore   *store,
                        const char  *fallback_name,
                        GError     **error)
{
  g_autofree char *agent_id = NULL;
  g_autoptr(GPtrArray) agents = NULL;
  g_autoptr(SapaRecord) branch = NULL;
  g_autoptr(SapaRecord) agent = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  agent_id = sapa_store_dup_meta (store, "agent_id");
  if (agent_id != NULL)
    {
      SapaRecord *found = sapa_store_get (store, "agent", agent_id, NULL);
      if (found != NULL)
        return found;
    }

  agents = sapa_store_list (store, "agent", error);
  if (agents == NULL)
    return NULL;
  if (agents->len > 0)
    {
      agent = g_object_ref (g_ptr_array_index (agents, 0));
    }
  else
    {
      const char *user = g_get_user_name ();

      branch = sapa_record_new ("branch");
      sapa_record_set_string (branch, "name", _("Main branch"));
      sapa_record_set_string (branch, "kind", "other");
      sapa_record_set_string (branch, "timezone", "Asia/Jakarta");

      agent = sapa_record_new ("agent");
      sapa_record_set_string (agent, "username", user && *user ? user : "desk");
      sapa_record_set_string (agent, "display_name",
                              fallback_name && *fallback_name && g_strcmp0 (fallback_name, "Unknown") != 0
                                ? fallback_name : (user && *user ? user : _("Desk")));
      sapa_record_set_string (agent, "role", "admin");
      sapa_record_set_string (agent, "branch_id", sapa_record_get_id (branch));

      records = g_ptr_array_new ();
      g_ptr_array_add (records, branch);
      g_ptr_array_add (records, agent);
      if (!sapa_store_save_all (store, records, error))
        return NULL;
      /* Made here, not by a server: signing in later re-homes the desk's
       * work to the server's agent and branch (sapa_desk_adopt_identity). */
      if (!sapa_store_set_meta (store, "local_branch_id", sapa_record_get_id (branch), error) ||
          !sapa_store_set_meta (store, "local_agent_id", sapa_record_get_id (agent), error))
        return NULL;
    }

  if (!sapa_store_set_meta (store, "agent_id", sapa_record_get_id (agent), error) ||
      !sapa_store_set_meta (store, "branch_id", sapa_record_get_string (agent, "branch_id"), error))
    return NULL;
  return g_steal_pointer (&agent);
}

gboolean
sapa_desk_has_local_identity (SapaStore *store)
{
  g_autofree char *agent_id = NULL;
  g_autofree char *branch_id = NULL;
  g_autofree char *local_agent = NULL;
  g_autofree char *local_branch = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);

  local_agent = sapa_store_dup_meta (store, "local_agent_id");
  local_branch = sapa_store_dup_meta (store, "local_branch_id");
  if (local_agent == NULL || local_branch == NULL)
    return FALSE;
  agent_id = sapa_store_dup_meta (store, "agent_id");
  branch_id = sapa_store_dup_meta (store, "branch_id");
  return g_strcmp0 (agent_id, local_agent) == 0 && g_strcmp0 (branch_id, local_branch) == 0;
}

typedef struct {
  const char *agent_id;      /* the server's */
  const char *branch_id;     /* the server's; NULL keeps the local branch */
  char       *local_agent;
  char       *local_branch;
} Adoption;

/* Runs @sql with ?1 = new id, ?2 = old id, ?3 = the member's JSON path. */
static gboolean
adopt_exec (sqlite3     *db,
            const char  *sql,
            const char  *new_id,
            const char  *old_id,
            const char  *path,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sapa_store_prepare (db, sql, &stmt, _("move the desk's work to the signed-in agent"), error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, new_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, old_id, -1, SQLITE_STATIC);
  if (path != NULL)
    sqlite3_bind_text (stmt, 3, path, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("move the desk's work to the signed-in agent"));
      return FALSE;
    }
  return TRUE;
}

/* Points @column of @table, and the same member in the change log's unpushed
 * changes of that entity, from @old_id to @new_id. */
static gboolean
adopt_reference (sqlite3     *db,
                 const char  *table,
                 const char  *column,
                 const char  *new_id,
                 const char  *old_id,
                 GError     **error)
{
  g_autofree char *update = g_strdup_printf ("UPDATE %s SET %s = ?1 WHERE %s = ?2;", table, column, column);
  g_autofree char *path = g_strdup_printf ("$.%s", column);
  g_autofree char *logged = g_strdup_printf ("UPDATE change_log SET fields = json_set (fields, ?3, ?1) "
                                             "WHERE pushed_at IS NULL AND entity = '%s' "
                                             "AND json_valid (fields) AND json_extract (fields, ?3) = ?2;",
                                             table);

  return adopt_exec (db, update, new_id, old_id, NULL, error) &&
         adopt_exec (db, logged, new_id, old_id, path, error);
}

static gboolean
adopt_in_transaction (sqlite3   *db,
                      gpointer   data,
                      GError   **error)
{
  Adoption *a = data;
  static const char * const agent_refs[][2] = {
    { "interaction", "author_id" },
    { "conversation", "assignee_id" },
    { "survey_response", "agent_id" },
    { "audit_event", "agent_id" },
  };
  static const char * const branch_refs[] = { "customer", "conversation", "survey_response" };

  for (guint i = 0; i < G_N_ELEMENTS (agent_refs); i++)
    if (!adopt_reference (db, agent_refs[i][0], agent_refs[i][1], a->agent_id, a->local_agent, error))
      return FALSE;

  /* The local agent record itself: never sent, not kept. */
  if (!adopt_exec (db, "DELETE FROM change_log WHERE pushed_at IS NULL AND entity = 'agent' "
                       "AND record_id = ?2;",
                   a->agent_id, a->local_agent, NULL, error) ||
      !adopt_exec (db, "DELETE FROM agent WHERE id = ?2 AND id IS NOT ?1;",
                   a->agent_id, a->local_agent, NULL, error))
    return FALSE;

  if (a->branch_id != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (branch_refs); i++)
        if (!adopt_reference (db, branch_refs[i], "branch_id", a->branch_id, a->local_branch, error))
          return FALSE;
      if (!adopt_exec (db, "UPDATE change_log SET branch_id = ?1 WHERE pushed_at IS NULL AND branch_id = ?2;",
                       a->branch_id, a->local_branch, NULL, error) ||
          !adopt_exec (db, "DELETE FROM change_log WHERE pushed_at IS NULL AND entity = 'branch' "
                           "AND record_id = ?2;",
                       a->branch_id, a->local_branch, NULL, error) ||
          !adopt_exec (db, "DELETE FROM branch WHERE id = ?2 AND id IS NOT ?1;",
                       a->branch_id, a->local_branch, NULL, error))
        return FALSE;
    }

  /* The desk is now the server's agent; it has no local identity left. */
  if (!adopt_exec (db, "INSERT INTO desk_meta (key, value) VALUES ('agent_id', ?1) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
                   a->agent_id, NULL, NULL, error))
    return FALSE;
  if (a->branch_id != NULL
        ? !adopt_exec (db, "INSERT INTO desk_meta (key, value) VALUES ('branch_id', ?1) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
                       a->branch_id, NULL, NULL, error)
        : !adopt_exec (db, "DELETE FROM desk_meta WHERE key = 'branch_id';",
                       NULL, NULL, NULL, error))
    return FALSE;
  return adopt_exec (db, "DELETE FROM desk_meta WHERE key IN ('local_agent_id', 'local_branch_id');",
                     NULL, NULL, NULL, error);
}

gboolean
sapa_desk_adopt_identity (SapaStore   *store,
                          const char  *agent_id,
                          const char  *branch_id,
                          GError     **error)
{
  Adoption a = { agent_id, branch_id, NULL, NULL };
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);
  g_return_val_if_fail (agent_id != NULL && *agent_id != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  a.local_agent = sapa_store_dup_meta (store, "local_agent_id");
  a.local_branch = sapa_store_dup_meta (store, "local_branch_id");
  if (a.local_agent == NULL || a.local_branch == NULL)
    {
      g_free (a.local_agent);
      g_free (a.local_branch);
      return TRUE;
    }
  ok = sapa_store_run_in_transaction (store, adopt_in_transaction, &a, error);
  g_free (a.local_agent);
  g_free (a.local_branch);
  /* Open pages show the new branch and author without waiting for a pull. */
  if (ok)
    {
      static const char * const entities[] = {
        "branch", "agent", "customer", "conversation", "interaction", "survey_response",
      };

      for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
        sapa_store_emit_changed (store, entities[i], NULL);
    }
  return ok;
}

static void
ensure_agent_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  SapaRecord *agent = sapa_desk_ensure_agent (source, task_data, &error);

  if (agent == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, agent, g_object_unref);
}

void
sapa_desk_ensure_agent_async (SapaStore           *store,
                              const char          *fallback_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SAPA_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_desk_ensure_agent_async);
  g_task_set_task_data (task, g_strdup (fallback_name), g_free);
  g_task_run_in_thread (task, ensure_agent_thread);
}

SapaRecord *
sapa_desk_ensure_agent_finish (SapaStore     *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

SapaRecord *
sapa_desk_find_open_conversation (SapaStore   *store,
                                  const char  *customer_id,
                                  GError     **error)
{
  g_autoptr(GPtrArray) all = sapa_store_list_conversations (store, customer_id, error);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      SapaRecord *c = g_ptr_array_index (all, i);
      const char *status = sapa_record_get_string (c, "status");

      if (g_strcmp0 (status, "open") == 0 || g_strcmp0 (status, "pending") == 0)
        return g_object_ref (c);
    }
  return NULL;
}

/* DESIGN.md's default service levels, in seconds. */
static gint64
sla_target (const char *channel)
{
  if (g_strcmp0 (channel, "phone") == 0 || g_strcmp0 (channel, "video") == 0)
    return 30;
  if (g_strcmp0 (channel, "email") == 0)
    return 24 * 3600;
  if (g_strcmp0 (channel, "walk_in") == 0)
    return 10 * 60;
  return 60;
}

/* Visits, calls and video are answered as they happen: the agent serving
 * them is the first response. */
static gboolean
is_live_channel (const char *channel)
{
  return g_strcmp0 (channel, "walk_in") == 0 || g_strcmp0 (channel, "phone") == 0 ||
         g_strcmp0 (channel, "video") == 0;
}

SapaRecord *
sapa_desk_log_contact (SapaStore          *store,
                       const SapaContact  *contact,
                       GError            **error)
{
  g_autoptr(SapaRecord) conversation = NULL;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new ();
  gint64 started;
  gboolean from_customer;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);
  g_return_val_if_fail (contact != NULL && contact->customer_id != NULL, NULL);
  g_return_val_if_fail (contact->channel != NULL && contact->direction != NULL, NULL);

  started = contact->started_at > 0 ? contact->started_at : now_seconds ();
  from_customer = g_strcmp0 (contact->direction, "inbound") == 0;

  if (contact->conversation_id != NULL)
    {
      conversation = sapa_store_get (store, "conversation", contact->conversation_id, error);
      if (conversation == NULL)
        return NULL;
      if (from_customer)
        sapa_record_set_int (conversation, "contact_count",
                             MAX (sapa_record_get_int (conversation, "contact_count"), 1) + 1);
      if (g_strcmp0 (sapa_record_get_string (conversation, "status"), "resolved") == 0 ||
          g_strcmp0 (sapa_record_get_string (conversation, "status"), "closed") == 0)
        {
          sapa_record_set_string (conversation, "status", "open");
          sapa_record_set_int (conversation, "reopened_at", started);
        }
    }
  else
    {
      const char *reason = contact->reason ? contact->reason : "other";
      const char *subject = contact->subject && *contact->subject ? contact->subject : sapa_label_reason (reason);

      conversation = sapa_record_new ("conversation");
      sapa_record_set_string (conversation, "customer_id", contact->customer_id);
      sapa_record_set_string (conversation, "branch_id", contact->branch_id);
      sapa_record_set_string (conversation, "channel", contact->channel);
      sapa_record_set_string (conversation, "subject", subject);
      sapa_record_set_string (conversation, "reason", reason);
      sapa_record_set_string (conversation, "status", "open");
      sapa_record_set_string (conversation, "priority", "normal");
      sapa_record_set_string (conversation, "assignee_id", contact->agent_id);
      sapa_record_set_bool (conversation, "is_complaint", g_strcmp0 (reason, "complaint") == 0);
      sapa_record_set_int (conversation, "opened_at", started);
      sapa_record_set_int (conversation, "contact_count", from_customer ? 1 : 0);
      sapa_record_set_int (conversation, "sla_due", started + sla_target (contact->channel));
    }

  if (!sapa_record_has (conversation, "first_response_at") &&
      (g_strcmp0 (contact->direction, "outbound") == 0 ||
       (from_customer && is_live_channel (contact->channel))))
    sapa_record_set_int (conversation, "first_response_at", started);

  interaction = sapa_record_new ("interaction");
  sapa_record_set_string (interaction, "conversation_id", sapa_record_get_id (conversation));
  sapa_record_set_string (interaction, "customer_id", contact->customer_id);
  sapa_record_set_string (interaction, "channel", contact->channel);
  sapa_record_set_string (interaction, "direction", contact->direction);
  sapa_record_set_string (interaction, "author_id", contact->agent_id);
  sapa_record_set_string (interaction, "body", contact->body ? contact->body : "");
  sapa_record_set_int (interaction, "started_at", started);
  if (contact->ended_at > 0)
    sapa_record_set_int (interaction, "ended_at", MAX (contact->ended_at, started));
  if (contact->wait_seconds >= 0)
    sapa_record_set_int (interaction, "wait_seconds", contact->wait_seconds);

  g_ptr_array_add (records, conversation);
  g_ptr_array_add (records, interaction);
  if (!sapa_store_save_all (store, records, error))
    return NULL;
  return g_steal_pointer (&interaction);
}

static SapaRecord *
event_for (SapaRecord *conversation,
           const char *event,
           const char *body,
           const char *agent_id)
{
  SapaRecord *e = sapa_record_new ("interaction");

  sapa_record_set_string (e, "conversation_id", sapa_record_get_id (conversation));
  sapa_record_set_string (e, "customer_id", sapa_record_get_string (conversation, "customer_id"));
  sapa_record_set_string (e, "channel", "note");
  sapa_record_set_string (e, "direction", "internal");
  sapa_record_set_string (e, "event", event);
  sapa_record_set_string (e, "author_id", agent_id);
  sapa_record_set_string (e, "body", body);
  sapa_record_set_int (e, "started_at", now_seconds ());
  return e;
}

/* Saves @conversation and its event in one transaction. */
static gboolean
save_with_event (SapaStore   *store,
                 SapaRecord  *conversation,
                 const char  *event,
                 const char  *body,
                 const char  *agent_id,
                 GError     **error)
{
  g_autoptr(SapaRecord) e = event_for (conversation, event, body, agent_id);
  g_autoptr(GPtrArray) records = g_ptr_array_new ();

  g_ptr_array_add (records, conversation);
  g_ptr_array_add (records, e);
  return sapa_store_save_all (store, records, error);
}

gboolean
sapa_desk_set_status (SapaStore   *store,
                      const char  *conversation_id,
                      const char  *status,
                      const char  *agent_id,
                      GError     **error)
{
  g_autoptr(SapaRecord) c = NULL;
  const char *old;
  gint64 now = now_seconds ();

  if (!sapa_choice_is_valid (sapa_statuses, status))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("“%s” is not a conversation status"), status ? status : "");
      return FALSE;
    }
  c = sapa_store_get (store, "conversation", conversation_id, error);
  if (c == NULL)
    return FALSE;
  old = sapa_record_get_string (c, "status");
  if (g_strcmp0 (old, status) == 0)
    return TRUE;

  if ((g_str_equal (status, "resolved") || g_str_equal (status, "closed")) &&
      !sapa_record_has (c, "resolved_at"))
    sapa_record_set_int (c, "resolved_at", now);
  else if ((g_str_equal (status, "open") || g_str_equal (status, "pending")) &&
           (g_strcmp0 (old, "resolved") == 0 || g_strcmp0 (old, "closed") == 0))
    sapa_record_set_int (c, "reopened_at", now);
  if (g_str_equal (status, "resolved") && sapa_record_has (c, "reopened_at"))
    sapa_record_set_int (c, "resolved_at", now);
  sapa_record_set_string (c, "status", status);
  return save_with_event (store, c, "status", status, agent_id, error);
}

gboolean
sapa_desk_set_complaint (SapaStore   *store,
                         const char  *conversation_id,
                         gboolean     is_complaint,
                         const char  *agent_id,
                         GError     **error)
{
  g_autoptr(SapaRecord) c = sapa_store_get (store, "conversation", conversation_id, error);

  if (c == NULL)
    return FALSE;
  if (sapa_record_get_bool (c, "is_complaint") == !!is_complaint)
    return TRUE;
  sapa_record_set_bool (c, "is_complaint", is_complaint);
  return save_with_event (store, c, "complaint", is_complaint ? "1" : "0", agent_id, error);
}

gboolean
sapa_desk_set_complaint_step (SapaStore   *store,
                              const char  *conversation_id,
                              const char  *step,
                              gboolean     done,
                              const char  *agent_id,
                              GError     **error)
{
  g_autoptr(SapaRecord) c = NULL;
  g_auto(GStrv) steps = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) new_steps = NULL;
  g_autofree char *body = NULL;

  if (!sapa_choice_is_valid (sapa_complaint_steps, step))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("“%s” is not a step of the complaint checklist"), step ? step : "");
      return FALSE;
    }
  c = sapa_store_get (store, "conversation", conversation_id, error);
  if (c == NULL)
    return FALSE;
  steps = sapa_record_dup_list (c, "complaint_steps");
  if (g_strv_contains ((const char * const *) steps, step) == !!done)
    return TRUE;

  /* Keep the checklist in its trained order. */
  for (guint i = 0; sapa_complaint_steps[i] != NULL; i++)
    {
      const char *s = sapa_complaint_steps[i];
      gboolean on = g_str_equal (s, step) ? done : g_strv_contains ((const char * const *) steps, s);
      if (on)
        g_strv_builder_add (b, s);
    }
  new_steps = g_strv_builder_end (b);
  sapa_record_set_list (c, "complaint_steps", (const char * const *) new_steps);
  if (!sapa_record_get_bool (c, "is_complaint"))
    sapa_record_set_bool (c, "is_complaint", TRUE);
  body = g_strdup_printf ("%s %d", step, done ? 1 : 0);
  return save_with_event (store, c, "checklist", body, agent_id, error);
}

gboolean
sapa_desk_set_follow_up (SapaStore   *store,
                         const char  *conversation_id,
                         gint64       due,
                         const char  *agent_id,
                         GError     **error)
{
  g_autoptr(SapaRecord) c = sapa_store_get (store, "conversation", conversation_id, error);
  g_autofree char *body = NULL;

  if (c == NULL)
    return FALSE;
  if (due > 0)
    sapa_record_set_int (c, "follow_up_due", due);
  else
    sapa_record_unset (c, "follow_up_due");
  body = due > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, due) : g_strdup ("");
  return save_with_event (store, c, "follow_up", body, agent_id, error);
}

gboolean
sapa_desk_escalate (SapaStore   *store,
                    const char  *conversation_id,
                    const char  *department,
                    const char  *reason,
                    const char  *agent_id,
                    GError     **error)
{
  g_autoptr(SapaRecord) c = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (reason ? reason : ""));
  g_autofree char *body = NULL;

  if (!sapa_choice_is_valid (sapa_departments, department))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("Choose the department to escalate to"));
      return FALSE;
    }
  if (*trimmed == '\0')
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("Write why the conversation is escalated"));
      return FALSE;
    }
  c = sapa_store_get (store, "conversation", conversation_id, error);
  if (c == NULL)
    return FALSE;
  sapa_record_set_string (c, "escalated_to", department);
  sapa_record_set_string (c, "escalation_reason", trimmed);
  body = g_strdup_printf ("%s\n%s", department, trimmed);
  return save_with_event (store, c, "escalation", body, agent_id, error);
}

gboolean
sapa_desk_record_reveal (SapaStore   *store,
                         const char  *customer_id,
                         const char  *agent_id,
                         GError     **error)
{
  g_autoptr(SapaRecord) audit = sapa_record_new ("audit_event");

  sapa_record_set_string (audit, "action", "reveal_account");
  sapa_record_set_string (audit, "agent_id", agent_id);
  sapa_record_set_string (audit, "customer_id", customer_id);
  sapa_record_set_string (audit, "detail", "account_number");
  sapa_record_set_int (audit, "at", now_seconds ());
  return sapa_store_save (store, audit, error);
}

static SapaContact *
contact_copy (const SapaContact *c)
{
  SapaContact *copy = g_new (SapaContact, 1);

  *copy = *c;
  copy->customer_id = g_strdup (c->customer_id);
  copy->conversation_id = g_strdup (c->conversation_id);
  copy->reason = g_strdup (c->reason);
  copy->subject = g_strdup (c->subject);
  copy->channel = g_strdup (c->channel);
  copy->direction = g_strdup (c->direction);
  copy->body = g_strdup (c->body);
  copy->agent_id = g_strdup (c->agent_id);
  copy->branch_id = g_strdup (c->branch_id);
  return copy;
}

static void
contact_free (gpointer data)
{
  SapaContact *c = data;

  g_free ((char *) c->customer_id);
  g_free ((char *) c->conversation_id);
  g_free ((char *) c->reason);
  g_free ((char *) c->subject);
  g_free ((char *) c->channel);
  g_free ((char *) c->direction);
  g_free ((char *) c->body);
  g_free ((char *) c->agent_id);
  g_free ((char *) c->branch_id);
  g_free (c);
}

static void
log_contact_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  SapaRecord *interaction = sapa_desk_log_contact (source_object, task_data, &error);

  if (interaction == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, interaction, g_object_unref);
}

void
sapa_desk_log_contact_async (SapaStore           *store,
                             const SapaContact   *contact,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SAPA_IS_STORE (store));
  g_return_if_fail (contact != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_desk_log_contact_async);
  g_task_set_task_data (task, contact_copy (contact), contact_free);
  g_task_run_in_thread (task, log_contact_thread);
}

SapaRecord *
sapa_desk_log_contact_finish (SapaStore     *store,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
