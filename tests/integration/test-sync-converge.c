/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Two desks edit the same customer while offline, different fields and the
 * same field, with their clocks set so the order of the edits is known; then
 * both sync through a real sapa-server on 127.0.0.1. Afterwards both desks
 * and the server hold the same values, and each field holds the edit that is
 * last by (hlc, client_id), whichever desk pushed first.
 */
#define G_LOG_DOMAIN "test-sync-converge"

#include "config.h"

#include <string.h>

#include "sapa-sync-test.h"

typedef struct {
  char      *name;
  char      *path;
  SapaStore *store;
  SapaSync  *sync;
  gint64     clock_ms;   /* what the desk's HLC reads while it is set */
} Desk;

static gint64
desk_clock (gpointer user_data)
{
  Desk *desk = user_data;

  return desk->clock_ms;
}

static Desk *
desk_new (SapaTestServer *server,
          const char     *name,
          const char     *username)
{
  g_autoptr(GError) error = NULL;
  Desk *desk = g_new0 (Desk, 1);

  desk->name = g_strdup (name);
  desk->path = g_strdup_printf ("%s/%s.sqlite", server->root, name);
  desk->store = sapa_store_open (desk->path, &error);
  g_assert_no_error (error);
  desk->sync = sapa_sync_new (desk->store);
  sapa_sync_set_server_url (desk->sync, server->url);
  sapa_test_sign_in (desk->sync, server->url, username, "correct horse battery", &error);
  g_assert_no_error (error);
  return desk;
}

static void
desk_free (Desk *desk)
{
  g_clear_object (&desk->sync);
  g_clear_object (&desk->store);
  g_free (desk->path);
  g_free (desk->name);
  g_free (desk);
}

static void
desk_sync (Desk *desk)
{
  g_autoptr(GError) error = NULL;

  sapa_sync_run_once (desk->sync, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sapa_store_count_unpushed (desk->store), ==, 0);
}

/* Edits the customer at the desk's clock @at_ms. */
static void
desk_edit (Desk       *desk,
           const char *customer_id,
           gint64      at_ms,
           const char *field,
           const char *value,
           ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) record = sapa_store_get (desk->store, "customer", customer_id, &error);
  va_list ap;

  g_assert_no_error (error);
  g_assert_nonnull (record);
  va_start (ap, value);
  for (; field != NULL; field = va_arg (ap, const char *), value = field ? va_arg (ap, const char *) : NULL)
    {
      const SapaField *f = sapa_entity_find_field (sapa_record_get_entity (record), field);

      g_assert_nonnull (f);
      if (f->type == SAPA_FIELD_LIST)
        {
          const char * const list[] = { value, NULL };
          sapa_record_set_list (record, field, list);
        }
      else
        sapa_record_set_string (record, field, value);
    }
  va_end (ap);

  desk->clock_ms = at_ms;
  sapa_hlc_set_time_func (sapa_store_get_hlc (desk->store), desk_clock, desk);
  sapa_store_save (desk->store, record, &error);
  g_assert_no_error (error);
  /* Back to real time, so later stamps are ordinary ones. */
  sapa_hlc_set_time_func (sapa_store_get_hlc (desk->store), NULL, NULL);
}

typedef struct {
  guint64  hlc;
  char    *client_id;
  JsonNode *value;
} Stamp;

static void
stamp_free (gpointer data)
{
  Stamp *s = data;

  g_free (s->client_id);
  json_node_unref (s->value);
  g_free (s);
}

/* The winning edit of each field of @id across the desks' change logs, by
 * (hlc, client_id): this is what every database must hold. */
static GHashTable *
expected_fields (Desk      **desks,
                 guint       n_desks,
                 const char *id)
{
  GHashTable *winners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stamp_free);

  for (guint d = 0; d < n_desks; d++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) log = sapa_store_list_changes (desks[d]->store, 0, 0, &error);
      const char *client_id = sapa_store_get_client_id (desks[d]->store);

      g_assert_no_error (error);
      for (guint i = 0; i < log->len; i++)
        {
          JsonObject *entry = g_ptr_array_index (log, i);
          JsonObject *fields = json_object_get_object_member (entry, "fields");
          g_autoptr(GList) names = NULL;
          guint64 hlc = 0;

          if (g_strcmp0 (json_object_get_string_member (entry, "id"), id) != 0)
            continue;
          g_assert_true (sapa_hlc_parse (json_object_get_string_member (entry, "hlc"), &hlc));
          names = json_object_get_members (fields);
          for (GList *l = names; l != NULL; l = l->next)
            {
              Stamp *old = g_hash_table_lookup (winners, l->data);

              if (old != NULL && (old->hlc > hlc || (old->hlc == hlc && strcmp (old->client_id, client_id) > 0)))
                continue;
              old = g_new0 (Stamp, 1);
              old->hlc = hlc;
              old->client_id = g_strdup (client_id);
              old->value = json_node_copy (json_object_get_member (fields, l->data));
              g_hash_table_replace (winners, g_strdup (l->data), old);
            }
        }
    }
  return winners;
}

/* The stamp of @field in @desk's own change log for @id, the newest one. */
static guint64
logged_stamp (Desk       *desk,
              const char *id,
              const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) log = sapa_store_list_changes (desk->store, 0, 0, &error);
  guint64 stamp = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < log->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (log, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "id"), id) == 0 &&
          json_object_has_member (json_object_get_object_member (entry, "fields"), field))
        g_assert_true (sapa_hlc_parse (json_object_get_string_member (entry, "hlc"), &stamp));
    }
  return stamp;
}

/* The dump line of customer @id in @dump. */
static char *
customer_line (const char *dump,
               const char *id)
{
  g_autofree char *needle = g_strdup_printf ("customer\t{\"id\":\"%s\"", id);
  const char *start = strstr (dump, needle);
  const char *end;

  g_assert_nonnull (start);
  end = strchr (start, '\n');
  return g_strndup (start, end - start);
}

static void
test_two_desks_converge (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaTestServer) server = sapa_test_server_new (NULL, &error);
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(GHashTable) winners = NULL;
  g_autofree char *server_path = NULL;
  g_autofree char *dump_a = NULL;
  g_autofree char *dump_b = NULL;
  g_autofree char *dump_server = NULL;
  g_autofree char *line_a = NULL;
  g_autofree char *line_b = NULL;
  g_autofree char *line_server = NULL;
  g_autoptr(JsonNode) server_row = NULL;
  const char * const phones[] = { "+6281234567890", NULL };
  Desk *a, *b, *desks[2];
  const char *id, *tie_winner;
  gint64 base;

  g_assert_no_error (error);
  sapa_test_server_add_user (server, "ana", "correct horse battery", "admin", NULL, &error);
  g_assert_no_error (error);
  sapa_test_server_add_user (server, "budi", "correct horse battery", "admin", NULL, &error);
  g_assert_no_error (error);
  sapa_test_server_start (server, &error);
  g_assert_no_error (error);

  desks[0] = a = desk_new (server, "desk-a", "ana");
  desks[1] = b = desk_new (server, "desk-b", "budi");
  g_assert_cmpstr (sapa_store_get_client_id (a->store), !=, sapa_store_get_client_id (b->store));

  /* Desk A registers the customer; both desks have it after a sync. */
  customer = sapa_record_new ("customer");
  id = sapa_record_get_id (customer);
  sapa_record_set_string (customer, "full_name", "Rina Wijaya");
  sapa_record_set_list (customer, "phones", phones);
  sapa_record_set_string (customer, "segment", "regular");
  sapa_record_set_string (customer, "preferred_language", "id");
  sapa_store_save (a->store, customer, &error);
  g_assert_no_error (error);
  desk_sync (a);
  desk_sync (b);
  {
    g_autoptr(SapaRecord) seen = sapa_store_get (b->store, "customer", id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (seen);
    g_assert_cmpstr (sapa_record_get_string (seen, "full_name"), ==, "Rina Wijaya");
  }

  /* Offline: the server is gone while both desks edit, with clocks slightly
   * ahead of everything either desk has seen. */
  sapa_test_server_stop (server);
  base = g_get_real_time () / 1000 + 500;
  desk_edit (a, id, base + 10, "full_name", "Rina Wijaya (A)", "notes", "Prefers mornings", NULL);
  desk_edit (b, id, base + 20, "full_name", "Rina Wijayanti", "segment", "vip", NULL);
  desk_edit (b, id, base + 30, "preferred_channel", "whatsapp", NULL);
  desk_edit (a, id, base + 40, "preferred_channel", "email", NULL);
  /* The same millisecond on both desks: the tie goes to the larger client_id. */
  desk_edit (a, id, base + 50, "tags", "from-a", NULL);
  desk_edit (b, id, base + 50, "tags", "from-b", NULL);

  g_assert_cmpuint (logged_stamp (a, id, "tags"), ==, logged_stamp (b, id, "tags"));
  g_assert_cmpuint (logged_stamp (a, id, "full_name"), <, logged_stamp (b, id, "full_name"));
  g_assert_cmpuint (logged_stamp (b, id, "preferred_channel"), <, logged_stamp (a, id, "preferred_channel"));
  tie_winner = strcmp (sapa_store_get_client_id (a->store), sapa_store_get_client_id (b->store)) > 0
               ? "from-a" : "from-b";

  /* Nothing reaches the server: the edits wait on the desks. */
  for (guint d = 0; d < 2; d++)
    {
      g_autoptr(GError) offline_error = NULL;

      g_assert_false (sapa_sync_run_once (desks[d]->sync, NULL, &offline_error));
      g_assert_error (offline_error, SAPA_SYNC_ERROR, SAPA_SYNC_ERROR_NETWORK);
      g_assert_cmpint (sapa_store_count_unpushed (desks[d]->store), >, 0);
    }

  /* Back on the same port. B pushes first, so A's older name arrives at the
   * server after B's newer one. */
  sapa_test_server_start (server, &error);
  g_assert_no_error (error);
  desk_sync (b);
  desk_sync (a);
  desk_sync (b);
  desk_sync (a);

  /* What each desk holds. */
  winners = expected_fields (desks, 2, id);
  for (guint d = 0; d < 2; d++)
    {
      g_autoptr(SapaRecord) record = sapa_store_get (desks[d]->store, "customer", id, &error);
      g_autoptr(JsonObject) json = NULL;
      g_auto(GStrv) tags = NULL;
      GHashTableIter iter;
      gpointer key, value;

      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_test_message ("%s: %s, %s, %s, %s", desks[d]->name,
                      sapa_record_get_string (record, "full_name"),
                      sapa_record_get_string (record, "segment"),
                      sapa_record_get_string (record, "preferred_channel"),
                      sapa_record_get_string (record, "notes"));
      g_assert_cmpstr (sapa_record_get_string (record, "full_name"), ==, "Rina Wijayanti");
      g_assert_cmpstr (sapa_record_get_string (record, "notes"), ==, "Prefers mornings");
      g_assert_cmpstr (sapa_record_get_string (record, "segment"), ==, "vip");
      g_assert_cmpstr (sapa_record_get_string (record, "preferred_channel"), ==, "email");
      g_assert_cmpstr (sapa_record_get_string (record, "preferred_language"), ==, "id");
      tags = sapa_record_dup_list (record, "tags");
      g_assert_cmpuint (g_strv_length (tags), ==, 1);
      g_assert_cmpstr (tags[0], ==, tie_winner);

      /* And every field is the last writer's by the rule, computed from the logs. */
      json = sapa_record_to_json (record);
      g_hash_table_iter_init (&iter, winners);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Stamp *s = value;
          JsonNode *held = json_object_get_member (json, key);

          if (!json_node_equal (held, s->value))
            {
              g_autofree char *want = json_to_string (s->value, FALSE);
              g_autofree char *have = held != NULL ? json_to_string (held, FALSE) : g_strdup ("(none)");
              g_error ("%s: field %s holds %s, the last writer wrote %s", desks[d]->name,
                       (const char *) key, have, want);
            }
        }
    }

  /* The server holds the same row, and all three hold the same records. */
  server_path = sapa_test_server_db_path (server);
  dump_a = sapa_test_dump_records (a->path, &error);
  g_assert_no_error (error);
  dump_b = sapa_test_dump_records (b->path, &error);
  g_assert_no_error (error);
  dump_server = sapa_test_dump_records (server_path, &error);
  g_assert_no_error (error);
  line_a = customer_line (dump_a, id);
  line_b = customer_line (dump_b, id);
  line_server = customer_line (dump_server, id);
  g_assert_cmpstr (line_a, ==, line_b);
  g_assert_cmpstr (line_server, ==, line_a);
  server_row = json_from_string (strchr (line_server, '\t') + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (server_row), "full_name"), ==,
                   "Rina Wijayanti");
  sapa_test_assert_dumps_equal (dump_a, "desk A", dump_b, "desk B");
  sapa_test_assert_dumps_equal (dump_server, "server", dump_a, "desk A");

  /* The server said why A's name lost: superseded, not rejected. */
  g_assert_cmpint (sapa_test_query_int (server_path,
                                        "SELECT count(*) FROM push_result WHERE status = 'rejected';"), ==, 0);

  desk_free (a);
  desk_free (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/two-desks-converge", test_two_desks_converge);
  return g_test_run ();
}
