/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <sapa/sapa.h>

#define N_CUSTOMERS 300
/* 2026-11-23T00:00:00Z */
#define NOW G_GINT64_CONSTANT (1795392000)

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("sapa-demo-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* Every row of @sql as text, one line per row, columns separated by |. */
static char *
query_text (sqlite3    *db,
            const char *sql)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *v = (const char *) sqlite3_column_text (stmt, i);
          g_string_append_printf (out, "%s%s", i ? "|" : "", v ? v : "<null>");
        }
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

typedef struct {
  guint   calls;
  guint64 last_done;
  guint64 last_total;
  gboolean saw_search;
} ProgressLog;

static void
progress_cb (const char *stage,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  ProgressLog *log = user_data;

  log->calls++;
  if (g_str_equal (stage, "customers"))
    {
      g_assert_cmpuint (done, <=, total);
      log->last_done = done;
      log->last_total = total;
    }
  else if (g_str_equal (stage, "search"))
    log->saw_search = TRUE;
}

static char *
generate (Fixture     *f,
          const char  *name,
          guint64      seed,
          ProgressLog *log)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, name, NULL);
  SapaDemoOptions options = { .customers = N_CUSTOMERS, .interactions_per_customer = 10, .seed = seed, .now = NOW };

  g_assert_true (sapa_demo_generate (path, &options, log ? progress_cb : NULL, log, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_demo_content (Fixture       *f,
                   gconstpointer  data)
{
  ProgressLog log = { 0 };
  g_autofree char *path = generate (f, "demo.sqlite", 42, &log);
  sqlite3 *db = open_db (path);
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n_interactions;

  g_assert_cmpuint (log.last_done, ==, N_CUSTOMERS);
  g_assert_cmpuint (log.last_total, ==, N_CUSTOMERS);
  g_assert_true (log.saw_search);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer;"), ==, N_CUSTOMERS);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM branch;"), >=, 3);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM branch;"), <=, 6);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT kind) FROM branch WHERE kind IN ('bank', 'hotel', 'retail');"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM branch WHERE timezone NOT IN ('Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura');"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM agent;"), >=, 12);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT role) FROM agent;"), ==, 3);
  n_interactions = query_int (db, "SELECT count(*) FROM interaction;");
  /* a mean of 10 per customer */
  g_assert_cmpint (n_interactions, >, N_CUSTOMERS * 7);
  g_assert_cmpint (n_interactions, <, N_CUSTOMERS * 13);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM conversation;"), >, N_CUSTOMERS);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM survey_response;"), >, 50);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT kind) FROM survey_response;"), ==, 3);
  /* Demo data are bulk-loaded, not edits to sync */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM change_log;"), ==, 0);

  /* Every channel of the timeline */
  for (guint i = 0; sapa_channels[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM interaction WHERE channel = '%s';", sapa_channels[i]);
      g_test_message ("channel %s: %" G_GINT64_FORMAT, sapa_channels[i], query_int (db, sql));
      g_assert_cmpint (query_int (db, sql), >, 0);
    }
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE direction NOT IN ('inbound', 'outbound', 'internal');"), ==, 0);
  /* Handle times: calls 2-15 min, visits 5-30 min */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE channel = 'phone' AND event IS NULL "
                                  "AND (ended_at - started_at < 120 OR ended_at - started_at > 900);"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE channel = 'walk_in' "
                                  "AND (ended_at - started_at < 300 OR ended_at - started_at > 1800);"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE started_at > 1795392000;"), ==, 0);
  /* Conversations and interactions belong to existing customers */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE customer_id NOT IN (SELECT id FROM customer);"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM interaction WHERE conversation_id NOT IN (SELECT id FROM conversation);"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer c WHERE last_contact_at IS NOT "
                                  "(SELECT max(started_at) FROM interaction i WHERE i.customer_id = c.id);"), ==, 0);
  /* Some customers have two phones; mostly regular, some priority, few VIP */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer WHERE json_array_length(phones) = 2;"), >, 10);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer WHERE segment = 'regular';"), >,
                   query_int (db, "SELECT count(*) FROM customer WHERE segment = 'priority';"));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer WHERE segment = 'priority';"), >,
                   query_int (db, "SELECT count(*) FROM customer WHERE segment = 'vip';"));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer WHERE account_number LIKE '__________' "
                                  "AND branch_id IN (SELECT id FROM branch WHERE kind = 'bank');"), >, 0);

  /* The schema (indexes and triggers) is exactly as a new database has it */
  {
    g_autofree char *fresh_path = g_build_filename (f->dir, "fresh.sqlite", NULL);
    g_autoptr(SapaStore) fresh = sapa_store_open (fresh_path, &error);
    sqlite3 *fresh_db;
    g_autofree char *a = NULL, *b = NULL;
    const char *schema_sql = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name;";

    g_assert_no_error (error);
    fresh_db = open_db (fresh_path);
    a = query_text (fresh_db, schema_sql);
    b = query_text (db, schema_sql);
    g_assert_cmpstr (a, ==, b);
    sqlite3_close (fresh_db);
  }
  g_assert_cmpstr (query_text (db, "PRAGMA journal_mode;"), ==, "wal\n");

  /* Each customer is a valid record with normalised phones and emails */
  store = sapa_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, name_key FROM customer;", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(SapaRecord) c = sapa_store_get (store, "customer", (const char *) sqlite3_column_text (stmt, 0), &error);
      g_auto(GStrv) phones = NULL;
      g_auto(GStrv) emails = NULL;
      g_autofree char *key = NULL;

      g_assert_no_error (error);
      g_assert_true (sapa_record_validate (c, &error));
      g_assert_no_error (error);
      key = sapa_text_fold (sapa_record_get_string (c, "full_name"));
      g_assert_cmpstr (key, ==, (const char *) sqlite3_column_text (stmt, 1));
      phones = sapa_record_dup_list (c, "phones");
      for (guint i = 0; phones[i] != NULL; i++)
        {
          g_autofree char *norm = sapa_phone_normalize (phones[i], &error);
          g_assert_no_error (error);
          g_assert_cmpstr (norm, ==, phones[i]);
        }
      emails = sapa_record_dup_list (c, "emails");
      for (guint i = 0; emails[i] != NULL; i++)
        {
          g_autofree char *norm = sapa_email_normalize (emails[i], &error);
          g_assert_no_error (error);
          g_assert_cmpstr (norm, ==, emails[i]);
        }
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer WHERE phones LIKE '%+628%';"), >, N_CUSTOMERS / 2);

  /* The desk works as one of the demo agents */
  {
    g_autofree char *agent_id = sapa_store_dup_meta (store, "agent_id");
    g_autoptr(SapaRecord) agent = NULL;

    g_assert_nonnull (agent_id);
    agent = sapa_store_get (store, "agent", agent_id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (agent);
  }
  g_clear_object (&store);

  /* The search tables hold what the customer triggers would have written:
   * rewrite every customer through the update trigger and compare. */
  {
    g_autofree char *phones_before = query_text (db, "SELECT digits, customer_num FROM customer_phone ORDER BY 1, 2;");
    g_autofree char *emails_before = query_text (db, "SELECT email, customer_num FROM customer_email ORDER BY 1, 2;");
    g_autofree char *fts_before = query_text (db, "SELECT rowid FROM customer_fts WHERE customer_fts MATCH 'a* OR s* OR gmail' ORDER BY rowid;");
    g_autofree char *phones_after = NULL, *emails_after = NULL, *fts_after = NULL;

    g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer_phone;"), >, N_CUSTOMERS * 8);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check');", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE customer SET full_name = full_name, phones = phones, emails = emails;", NULL, NULL, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check');", NULL, NULL, NULL), ==, SQLITE_OK);
    phones_after = query_text (db, "SELECT digits, customer_num FROM customer_phone ORDER BY 1, 2;");
    emails_after = query_text (db, "SELECT email, customer_num FROM customer_email ORDER BY 1, 2;");
    fts_after = query_text (db, "SELECT rowid FROM customer_fts WHERE customer_fts MATCH 'a* OR s* OR gmail' ORDER BY rowid;");
    g_assert_true (g_str_equal (phones_before, phones_after));
    g_assert_true (g_str_equal (emails_before, emails_after));
    g_assert_true (g_str_equal (fts_before, fts_after));
    g_assert_cmpuint (strlen (fts_before), >, 0);
  }
  sqlite3_close (db);
}

/* Every table (search shadow tables aside, which are derived), every row, in order. */
static char *
dump_database (const char *path)
{
  sqlite3 *db = open_db (path);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'customer_fts_%' "
                                           "ORDER BY name;", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  g_assert_cmpuint (tables->len, >=, 10);

  for (guint i = 0; i < tables->len; i++)
    {
      const char *table = g_ptr_array_index (tables, i);
      g_autofree char *count_sql = g_strdup_printf ("SELECT * FROM \"%s\" LIMIT 0;", table);
      g_autoptr(GString) order = g_string_new (NULL);
      g_autofree char *sql = NULL;
      g_autofree char *rows = NULL;
      int n_columns;

      g_assert_cmpint (sqlite3_prepare_v2 (db, count_sql, -1, &stmt, NULL), ==, SQLITE_OK);
      n_columns = sqlite3_column_count (stmt);
      sqlite3_finalize (stmt);
      for (int c = 1; c <= n_columns; c++)
        g_string_append_printf (order, "%s%d", c > 1 ? ", " : "", c);
      /* client_id names this desk, not its data */
      sql = g_strdup_printf ("SELECT * FROM \"%s\" %s ORDER BY %s;", table,
                             g_str_equal (table, "desk_meta") ? "WHERE key != 'client_id'" : "", order->str);
      rows = query_text (db, sql);
      g_string_append_printf (out, "== %s\n%s", table, rows);
    }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static void
test_demo_deterministic (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *a = generate (f, "a.sqlite", 7, NULL);
  g_autofree char *b = generate (f, "b.sqlite", 7, NULL);
  g_autofree char *c = generate (f, "c.sqlite", 8, NULL);
  g_autofree char *dump_a = dump_database (a);
  g_autofree char *dump_b = dump_database (b);
  g_autofree char *dump_c = dump_database (c);
  g_autofree char *sum_a = g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump_a, -1);
  g_autofree char *sum_b = g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump_b, -1);

  g_test_message ("dump: %zu bytes, sha256 %s", strlen (dump_a), sum_a);
  g_assert_cmpuint (strlen (dump_a), >, 100000);
  g_assert_cmpstr (sum_a, ==, sum_b);
  g_assert_true (g_str_equal (dump_a, dump_b));
  g_assert_false (g_str_equal (dump_a, dump_c));
}

static void
test_demo_refuses_customers (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = generate (f, "full.sqlite", 1, NULL);
  g_autoptr(GError) error = NULL;
  SapaDemoOptions options = { .customers = 10, .interactions_per_customer = 2, .seed = 2, .now = NOW };
  sqlite3 *db;

  g_assert_false (sapa_demo_generate (path, &options, NULL, NULL, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT);
  g_test_message ("%s", error->message);
  db = open_db (path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM customer;"), ==, N_CUSTOMERS);
  sqlite3_close (db);
}

static void
test_demo_bad_file (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "not-a-database.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  SapaDemoOptions options = { .customers = 10, .interactions_per_customer = 2, .seed = 2, .now = NOW };

  g_assert_true (g_file_set_contents (path, "This is a letter, not a database. It is long enough to have a header page of its own.", -1, NULL));
  g_assert_false (sapa_demo_generate (path, &options, NULL, NULL, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/demo/content", Fixture, NULL, fixture_set_up, test_demo_content, fixture_tear_down);
  g_test_add ("/demo/deterministic", Fixture, NULL, fixture_set_up, test_demo_deterministic, fixture_tear_down);
  g_test_add ("/demo/refuses-customers", Fixture, NULL, fixture_set_up, test_demo_refuses_customers, fixture_tear_down);
  g_test_add ("/demo/bad-file", Fixture, NULL, fixture_set_up, test_demo_bad_file, fixture_tear_down);

  return g_test_run ();
}
