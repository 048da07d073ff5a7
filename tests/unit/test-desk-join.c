/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

#include "sapa-store-private.h"
#include "sapa-test-dir.h"

#define SERVER_AGENT  "0b6f3c52-7d1e-4a8e-9f10-5e2a1c9d7b01"
#define SERVER_BRANCH "7c2d9e41-3b5a-4f6c-8d0e-1a2b3c4d5e6f"

typedef struct {
  char       *dir;
  char       *path;
  SapaStore  *store;
  SapaRecord *agent;
  char       *local_agent;
  char       *local_branch;
} Fixture;

static void
set_up (Fixture       *f,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->store = sapa_test_store_new ("sapa-desk-join-XXXXXX", &f->dir, &f->path);
  f->agent = sapa_desk_ensure_agent (f->store, "Sari Teller", &error);
  g_assert_no_error (error);
  f->local_agent = g_strdup (sapa_record_get_id (f->agent));
  f->local_branch = g_strdup (sapa_record_get_string (f->agent, "branch_id"));
}

static void
tear_down (Fixture       *f,
           gconstpointer  data)
{
  g_clear_object (&f->agent);
  g_clear_object (&f->store);
  sapa_test_dir_remove (f->dir);
  g_free (f->path);
  g_free (f->dir);
  g_free (f->local_agent);
  g_free (f->local_branch);
}

static SapaRecord *
save_customer (Fixture    *f,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  SapaRecord *customer = sapa_record_new ("customer");

  sapa_record_set_string (customer, "full_name", name);
  sapa_record_set_string (customer, "branch_id", f->local_branch);
  sapa_record_set_string (customer, "segment", "regular");
  g_assert_true (sapa_store_save (f->store, customer, &error));
  g_assert_no_error (error);
  return customer;
}

typedef struct {
  GHashTable *branch_of;   /* change_id -> change_log.branch_id ("" for NULL) */
} LogRead;

static gboolean
read_log_branches (sqlite3   *db,
                   gpointer   data,
                   GError   **error)
{
  LogRead *r = data;
  sqlite3_stmt *stmt = NULL;

  if (!sapa_store_prepare (db, "SELECT change_id, branch_id FROM change_log;", &stmt, NULL, error))
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (r->branch_of, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup (sqlite3_column_type (stmt, 1) == SQLITE_NULL
                                     ? "" : (const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  return TRUE;
}

static GHashTable *
log_branches (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  LogRead r = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };

  g_assert_true (sapa_store_run_in_transaction (store, read_log_branches, &r, &error));
  g_assert_no_error (error);
  return r.branch_of;
}

static const char *
string_member (JsonObject *o,
               const char *name)
{
  return json_object_get_string_member_with_default (o, name, NULL);
}

static void
count_customer_changes_cb (SapaStore  *store,
                           const char *entity,
                           const char *id,
                           guint      *count)
{
  if (g_strcmp0 (entity, "customer") == 0 && id == NULL)
    (*count)++;
}

static void
test_adopt_identity (Fixture       *f,
                     gconstpointer  data)
{
  guint customer_changes = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) pushed_customer = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) interaction = NULL;
  g_autoptr(SapaRecord) conversation = NULL;
  g_autoptr(SapaRecord) rating = sapa_record_new ("survey_response");
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GHashTable) hlc_before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) branches = NULL;
  g_autoptr(SapaRecord) gone = NULL;
  g_autofree char *pushed_change = NULL;
  g_autofree char *customer_id = NULL;
  g_autofree char *meta = NULL;
  const char *pushed_ids[2] = { NULL, NULL };
  gboolean saw_customer = FALSE, saw_interaction = FALSE, saw_rating = FALSE, saw_audit = FALSE;
  SapaContact contact = { 0 };

  g_assert_true (sapa_desk_has_local_identity (f->store));

  /* One change already went out (and was refused) before: it stays as sent. */
  pushed_customer = save_customer (f, "Dewi Lestari");
  before = sapa_store_list_unpushed (f->store, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < before->len; i++)
    {
      JsonObject *c = g_ptr_array_index (before, i);
      if (g_strcmp0 (string_member (c, "id"), sapa_record_get_id (pushed_customer)) == 0)
        pushed_change = g_strdup (string_member (c, "change_id"));
    }
  g_assert_nonnull (pushed_change);
  pushed_ids[0] = pushed_change;
  g_assert_true (sapa_store_mark_pushed (f->store, pushed_ids, &error));
  g_assert_no_error (error);
  g_clear_pointer (&before, g_ptr_array_unref);

  /* Work done alone at the desk. */
  customer = save_customer (f, "Budi Santoso");
  contact.customer_id = sapa_record_get_id (customer);
  contact.reason = "card";
  contact.channel = "walk_in";
  contact.direction = "inbound";
  contact.body = "Kartu ATM tertelan";
  contact.wait_seconds = -1;
  contact.agent_id = f->local_agent;
  contact.branch_id = f->local_branch;
  interaction = sapa_desk_log_contact (f->store, &contact, &error);
  g_assert_no_error (error);
  conversation = sapa_store_get (f->store, "conversation",
                                 sapa_record_get_string (interaction, "conversation_id"), &error);
  g_assert_no_error (error);
  sapa_record_set_string (conversation, "assignee_id", f->local_agent);
  g_assert_true (sapa_store_save (f->store, conversation, &error));
  g_assert_no_error (error);
  sapa_record_set_string (rating, "kind", "csat");
  sapa_record_set_int (rating, "score", 5);
  sapa_record_set_string (rating, "customer_id", sapa_record_get_id (customer));
  sapa_record_set_string (rating, "agent_id", f->local_agent);
  sapa_record_set_string (rating, "branch_id", f->local_branch);
  sapa_record_set_string (rating, "collected_via", "kiosk");
  sapa_record_set_int (rating, "collected_at", 1700000000);
  g_assert_true (sapa_store_save (f->store, rating, &error));
  g_assert_no_error (error);
  g_assert_true (sapa_desk_record_reveal (f->store, sapa_record_get_id (customer), f->local_agent, &error));
  g_assert_no_error (error);

  before = sapa_store_list_unpushed (f->store, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < before->len; i++)
    {
      JsonObject *c = g_ptr_array_index (before, i);
      g_hash_table_insert (hlc_before, g_strdup (string_member (c, "change_id")),
                           g_strdup (string_member (c, "hlc")));
    }

  /* Customers changed on every open page's behalf: ::changed follows. */
  while (g_main_context_iteration (NULL, FALSE));
  g_signal_connect (f->store, "changed", G_CALLBACK (count_customer_changes_cb), &customer_changes);
  g_assert_true (sapa_desk_adopt_identity (f->store, SERVER_AGENT, SERVER_BRANCH, &error));
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (customer_changes, ==, 1);
  g_signal_handlers_disconnect_by_func (f->store, count_customer_changes_cb, &customer_changes);

  /* The desk is the server's agent now, with no local identity left. */
  g_assert_false (sapa_desk_has_local_identity (f->store));
  meta = sapa_store_dup_meta (f->store, "agent_id");
  g_assert_cmpstr (meta, ==, SERVER_AGENT);
  g_free (meta);
  meta = sapa_store_dup_meta (f->store, "branch_id");
  g_assert_cmpstr (meta, ==, SERVER_BRANCH);
  g_free (meta);
  meta = sapa_store_dup_meta (f->store, "local_agent_id");
  g_assert_null (meta);
  meta = sapa_store_dup_meta (f->store, "local_branch_id");
  g_assert_null (meta);

  /* The local branch and agent are gone. */
  gone = sapa_store_get (f->store, "agent", f->local_agent, NULL);
  g_assert_null (gone);
  gone = sapa_store_get (f->store, "branch", f->local_branch, NULL);
  g_assert_null (gone);
  all = sapa_store_list (f->store, "agent", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* The records point to the server's agent and branch. */
  customer_id = g_strdup (sapa_record_get_id (customer));
  g_clear_object (&customer);
  customer = sapa_store_get (f->store, "customer", customer_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (customer, "branch_id"), ==, SERVER_BRANCH);
  g_clear_object (&pushed_customer);
  g_clear_object (&conversation);
  conversation = sapa_store_get (f->store, "conversation",
                                 sapa_record_get_string (interaction, "conversation_id"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (conversation, "branch_id"), ==, SERVER_BRANCH);
  g_assert_cmpstr (sapa_record_get_string (conversation, "assignee_id"), ==, SERVER_AGENT);
  all = sapa_store_list (f->store, "interaction", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, >, 0);
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (all, i), "author_id"), ==, SERVER_AGENT);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = sapa_store_list (f->store, "survey_response", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (all, 0), "agent_id"), ==, SERVER_AGENT);
  g_assert_cmpstr (sapa_record_get_string (g_ptr_array_index (all, 0), "branch_id"), ==, SERVER_BRANCH);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = sapa_store_list (f->store, "audit_event", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      SapaRecord *a = g_ptr_array_index (all, i);

      g_assert_cmpstr (sapa_record_get_string (a, "agent_id"), !=, f->local_agent);
      if (g_strcmp0 (sapa_record_get_string (a, "action"), "reveal_account") == 0)
        {
          g_assert_cmpstr (sapa_record_get_string (a, "agent_id"), ==, SERVER_AGENT);
          saw_audit = TRUE;
        }
    }
  g_assert_true (saw_audit);
  saw_audit = FALSE;
  g_clear_pointer (&all, g_ptr_array_unref);

  /* The unpushed changes say the same, keep their stamps, and the local
   * branch and agent are no longer among them. */
  branches = log_branches (f->store);
  after = sapa_store_list_unpushed (f->store, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len - 2);
  for (guint i = 0; i < after->len; i++)
    {
      JsonObject *c = g_ptr_array_index (after, i);
      const char *entity = string_member (c, "entity");
      const char *change_id = string_member (c, "change_id");
      JsonObject *fields = json_object_get_object_member (c, "fields");

      g_assert_cmpstr (entity, !=, "branch");
      g_assert_cmpstr (entity, !=, "agent");
      g_assert_cmpstr (string_member (c, "hlc"), ==, g_hash_table_lookup (hlc_before, change_id));
      g_assert_cmpstr (g_hash_table_lookup (branches, change_id), !=, f->local_branch);
      if (g_strcmp0 (entity, "customer") == 0)
        {
          g_assert_cmpstr (string_member (fields, "branch_id"), ==, SERVER_BRANCH);
          g_assert_cmpstr (g_hash_table_lookup (branches, change_id), ==, SERVER_BRANCH);
          saw_customer = TRUE;
        }
      else if (g_strcmp0 (entity, "conversation") == 0)
        {
          if (json_object_has_member (fields, "branch_id"))
            g_assert_cmpstr (string_member (fields, "branch_id"), ==, SERVER_BRANCH);
          if (json_object_has_member (fields, "assignee_id"))
            g_assert_cmpstr (string_member (fields, "assignee_id"), ==, SERVER_AGENT);
          g_assert_cmpstr (g_hash_table_lookup (branches, change_id), ==, SERVER_BRANCH);
        }
      else if (g_strcmp0 (entity, "interaction") == 0)
        {
          g_assert_cmpstr (string_member (fields, "author_id"), ==, SERVER_AGENT);
          g_assert_cmpstr (g_hash_table_lookup (branches, change_id), ==, SERVER_BRANCH);
          saw_interaction = TRUE;
        }
      else if (g_strcmp0 (entity, "survey_response") == 0)
        {
          g_assert_cmpstr (string_member (fields, "agent_id"), ==, SERVER_AGENT);
          g_assert_cmpstr (string_member (fields, "branch_id"), ==, SERVER_BRANCH);
          saw_rating = TRUE;
        }
      else if (g_strcmp0 (entity, "audit_event") == 0)
        {
          g_assert_cmpstr (string_member (fields, "agent_id"), !=, f->local_agent);
          if (g_strcmp0 (string_member (fields, "action"), "reveal_account") == 0)
            {
              g_assert_cmpstr (string_member (fields, "agent_id"), ==, SERVER_AGENT);
              saw_audit = TRUE;
            }
        }
    }
  g_assert_true (saw_customer && saw_interaction && saw_rating && saw_audit);

  /* What was pushed before is left exactly as it was sent. */
  g_assert_cmpstr (g_hash_table_lookup (branches, pushed_change), ==, f->local_branch);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = sapa_store_list_changes (f->store, 0, 1000, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *c = g_ptr_array_index (all, i);
      if (g_strcmp0 (string_member (c, "change_id"), pushed_change) == 0)
        g_assert_cmpstr (string_member (json_object_get_object_member (c, "fields"), "branch_id"),
                         ==, f->local_branch);
    }
}

/* A desk that already works as a server's agent has nothing to re-home. */
static void
test_no_local_identity (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) again = NULL;
  g_autofree char *meta = NULL;

  g_assert_true (sapa_store_set_meta (f->store, "agent_id", SERVER_AGENT, &error));
  g_assert_true (sapa_store_set_meta (f->store, "branch_id", SERVER_BRANCH, &error));
  g_assert_no_error (error);
  g_assert_false (sapa_desk_has_local_identity (f->store));

  /* Adopting on a desk without the local_* keys changes nothing. */
  g_assert_true (sapa_store_set_meta (f->store, "local_agent_id", NULL, &error));
  g_assert_true (sapa_store_set_meta (f->store, "local_branch_id", NULL, &error));
  customer = save_customer (f, "Rina Wijaya");
  g_assert_true (sapa_desk_adopt_identity (f->store, "someone-else", "another-branch", &error));
  g_assert_no_error (error);
  again = sapa_store_get (f->store, "customer", sapa_record_get_id (customer), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sapa_record_get_string (again, "branch_id"), ==, f->local_branch);
  meta = sapa_store_dup_meta (f->store, "agent_id");
  g_assert_cmpstr (meta, ==, SERVER_AGENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, set_up, fn, tear_down)
  ADD ("/desk-join/adopt-identity", test_adopt_identity);
  ADD ("/desk-join/no-local-identity", test_no_local_identity);
#undef ADD
  return g_test_run ();
}
