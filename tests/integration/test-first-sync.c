/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The first sync of an empty desk through a real sapa-server on 127.0.0.1.
 *
 * From a snapshot (the server's default): the desk copies the records its
 * user may see from the server's snapshot and pulls on from its cursor. It
 * ends with the same records as a desk that pulled every change (for an
 * admin and for an agent of one branch, who gets no other branch's record),
 * the same metrics rollups, working lookups and the schema of a new desk;
 * changes made afterwards arrive by pull; a file that is not a usable
 * snapshot is refused with nothing written.
 *
 * From pulled pages (a server run with --no-snapshots): the desk loads in
 * bulk (indexes and triggers out, rebuilt at the end) with the same results;
 * a desk killed with SIGKILL in the middle of that load puts its schema back
 * when it is opened again and its next sync completes. A desk that already
 * holds records takes neither path. (That a bulk load gives the same
 * database as the ordinary path byte for byte is tests/unit/test-bulk-load.c.)
 *
 *   test-first-sync [--tap]
 *   test-first-sync --child DESK URL     (the desk killed by the test)
 */
#define G_LOG_DOMAIN "test-first-sync"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sqlite3.h>

#include "sapa-store-private.h"
#include "sapa-sync-test.h"

#define PASSWORD "correct horse battery"
#define CUSTOMERS "2500"   /* about 40,000 changes: two bulk transactions */

static SapaTestServer *server;
static char *edited_id;
static char *deleted_id;
static char *merged_id;
static char *teller_branch;   /* the branch of the agent "teller" */
static gint bulk_loads;       /* "loading in bulk" messages seen */
static gint snapshot_loads;   /* "from a snapshot" messages seen */

static GLogWriterOutput
count_bulk_loads (GLogLevelFlags   level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
        strstr (fields[i].value, "loading in bulk") != NULL)
      g_atomic_int_inc (&bulk_loads);
    else if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
             strstr (fields[i].value, "First pull from a snapshot") != NULL)
      g_atomic_int_inc (&snapshot_loads);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  return sapa_test_query_int (path, sql);
}

static SapaStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  SapaStore *store = sapa_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* Makes (and migrates) the desk database at @path. */
static void
touch_store (const char *path)
{
  g_autoptr(SapaStore) store = open_store (path);
}

static SapaSync *
signed_in_as (SapaStore  *store,
              const char *username)
{
  g_autoptr(GError) error = NULL;
  SapaSync *sync = sapa_sync_new (store);

  sapa_sync_set_server_url (sync, server->url);
  sapa_test_sign_in (sync, server->url, username, PASSWORD, &error);
  g_assert_no_error (error);
  return sync;
}

static SapaSync *
signed_in (SapaStore *store)
{
  return signed_in_as (store, "admin");
}

/* Restarts the server with or without snapshots for empty desks. */
static void
use_snapshots (gboolean on)
{
  g_autoptr(GError) error = NULL;

  if (server->no_snapshots == !on)
    return;
  sapa_test_server_stop (server);
  server->no_snapshots = !on;
  g_assert_true (sapa_test_server_start (server, &error));
  g_assert_no_error (error);
}

static void
sync_once (SapaSync *sync)
{
  g_autoptr(GError) error = NULL;

  sapa_sync_run_once (sync, NULL, &error);
  g_assert_no_error (error);
}

static char *
desk_path (const char *name)
{
  return g_strdup_printf ("%s/%s.sqlite", server->root, name);
}

/* The records of the desk at @path equal those of the desk that synced the
 * ordinary way (test_not_empty_never_bulk, run first), which equal the
 * server's by the convergence tests (the seeded rows on the server carry no
 * per-field stamps, the desks' do, so desks are compared with a desk). */
/* The dump without its audit events. */
static char *
without_audit (char *dump)
{
  g_auto(GStrv) lines = g_strsplit (dump, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "audit_event\t"))
      g_string_append_printf (out, "%s%s", out->len ? "\n" : "", lines[i]);
  g_free (dump);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Agents pull no audit events: a desk keeps only those it wrote itself, so
 * the records are compared without them. */
static void
assert_same_records_but_audit (const char *path,
                               const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ordinary_path = desk_path (reference);
  g_autofree char *ordinary = sapa_test_dump_records (ordinary_path, &error);
  g_autofree char *on_desk = NULL;

  g_assert_no_error (error);
  on_desk = sapa_test_dump_records (path, &error);
  g_assert_no_error (error);
  ordinary = without_audit (ordinary);
  on_desk = without_audit (on_desk);
  sapa_test_assert_dumps_equal (ordinary, "the desk that synced the ordinary way", on_desk, path);
}

static void
assert_same_records_as_ordinary_desk (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ordinary_path = desk_path ("own");
  g_autofree char *ordinary = sapa_test_dump_records (ordinary_path, &error);
  g_autofree char *server_db = sapa_test_server_db_path (server);
  g_autofree char *on_desk = NULL;

  g_assert_no_error (error);
  on_desk = sapa_test_dump_records (path, &error);
  g_assert_no_error (error);
  sapa_test_assert_dumps_equal (ordinary, "the desk that synced the ordinary way", on_desk, path);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM interaction;"), ==,
                   query_int (server_db, "SELECT count(*) FROM interaction;"));
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer;"), ==,
                   query_int (server_db, "SELECT count(*) FROM customer;"));
}

/* Brings the desk that syncs the ordinary way up to date with the server
 * (other tests' desks push records too). */
static void
sync_reference (void)
{
  g_autofree char *path = desk_path ("own");
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = sapa_store_open (path, &error);
  g_autoptr(SapaSync) sync = NULL;

  g_assert_no_error (error);
  sync = signed_in (store);
  sync_once (sync);
}

/* The schema (indexes, triggers) a new desk has. */
static char *
schema_of (const char *path)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, coalesce(sql, '') FROM sqlite_master "
                                           "WHERE type IN ('index', 'trigger') ORDER BY name;", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s %s\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_new_desk_schema (const char *path)
{
  g_autofree char *fresh_path = desk_path ("fresh");
  g_autofree char *fresh = NULL;
  g_autofree char *schema = schema_of (path);

  touch_store (fresh_path);
  fresh = schema_of (fresh_path);
  g_assert_cmpstr (schema, ==, fresh);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 0);
}

static gboolean
found (SapaStore  *store,
       const char *query,
       const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaSearchResult) result = sapa_store_search (store, query, 50, &error);
  GPtrArray *hits;

  g_assert_no_error (error);
  hits = sapa_search_result_get_hits (result);
  for (guint i = 0; i < hits->len; i++)
    if (g_str_equal (sapa_record_get_id (g_ptr_array_index (hits, i)), id))
      return TRUE;
  return FALSE;
}

/* Lookups of the records edited on the server after it was seeded. */
static void
assert_lookups (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) merged = sapa_store_get (store, "customer", merged_id, &error);

  g_assert_true (found (store, "Kusumawardhani", edited_id));
  g_assert_true (found (store, "4455 6677", edited_id));
  g_assert_true (found (store, "dewi.kusuma@example.co.id", edited_id));
  g_assert_nonnull (merged);
  g_assert_false (found (store, sapa_record_get_string (merged, "full_name"), merged_id));
  {
    g_autoptr(GError) gone = NULL;
    g_autoptr(SapaRecord) deleted = sapa_store_get (store, "customer", deleted_id, &gone);

    g_assert_null (deleted);
    g_assert_nonnull (gone);
  }
  /* Customers' last contact was computed at the end of the load. */
  g_assert_cmpint (query_int (sapa_store_get_path (store),
                              "SELECT count(*) FROM customer WHERE last_contact_at IS NOT NULL;"), >, 1000);
}

/* -- tests ------------------------------------------------------------------ */

static void
test_bulk_first_sync (void)
{
  g_autofree char *path = desk_path ("bulk");
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  gint before = g_atomic_int_get (&bulk_loads);

  use_snapshots (FALSE);
  sync_reference ();
  store = open_store (path);
  sync = signed_in (store);
  sync_once (sync);
  g_assert_cmpint (g_atomic_int_get (&bulk_loads), ==, before + 1);
  g_assert_false (sapa_store_is_bulk_loading (store));
  assert_new_desk_schema (path);
  assert_same_records_as_ordinary_desk (path);
  assert_lookups (store);
}

/* The child: a desk's first sync, killed by the parent half-way. */
static int
run_child (const char *path,
           const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) store = sapa_store_open (path, &error);
  g_autoptr(SapaSync) sync = NULL;

  if (store == NULL)
    g_error ("%s", error->message);
  sync = sapa_sync_new (store);
  sapa_sync_set_server_url (sync, url);
  if (!sapa_test_sign_in (sync, url, "admin", PASSWORD, &error) ||
      !sapa_sync_run_once (sync, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}

static void
test_killed_mid_load (void)
{
  g_autofree char *path = desk_path ("killed");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *server_db = sapa_test_server_db_path (server);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  gint64 loaded = 0;

  /* The store exists (migrated) before the child opens it, so the test can
   * read it while the child loads. */
  use_snapshots (FALSE);
  sync_reference ();
  touch_store (path);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self, "--child", path, server->url, NULL);
  g_assert_no_error (error);

  /* Kill it once a bulk transaction has committed, before the load ends. */
  for (;;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';") == 1 &&
          (loaded = query_int (path, "SELECT count(*) FROM interaction;")) > 0)
        break;
      /* Still running (GLib forgets the identifier once it has reaped it). */
      g_assert_nonnull (g_subprocess_get_identifier (child));
      g_usleep (5000);
    }
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (child));

  /* What a crash leaves: the flag, the indexes missing, part of the data. */
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'interaction_customer';"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer_phone;"), ==, 0);
  g_assert_cmpint (loaded, <, query_int (server_db, "SELECT count(*) FROM interaction;"));
  g_test_message ("killed with %" G_GINT64_FORMAT " interactions loaded", loaded);

  {
    g_autoptr(SapaStore) store = open_store (path);
    g_autoptr(SapaSync) sync = NULL;
    gint before = g_atomic_int_get (&bulk_loads);

    /* Opening put the schema back and filled the search tables. */
    assert_new_desk_schema (path);
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer_phone;"), >, 0);
    /* The rest arrives the ordinary way: the desk holds records now. */
    sync = signed_in (store);
    sync_once (sync);
    g_assert_cmpint (g_atomic_int_get (&bulk_loads), ==, before);
    assert_new_desk_schema (path);
    assert_same_records_as_ordinary_desk (path);
    assert_lookups (store);
  }
}

static void
test_not_empty_never_bulk (void)
{
  g_autofree char *path = desk_path ("own");
  g_autoptr(SapaStore) store = open_store (path);
  g_autoptr(SapaRecord) own = sapa_record_new ("customer");
  g_autoptr(SapaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  gint before = g_atomic_int_get (&bulk_loads);
  gint snapshots_before = g_atomic_int_get (&snapshot_loads);
  g_autofree char *stale = g_strdup_printf ("%s.snapshot", path);

  sapa_record_set_string (own, "full_name", "Pelanggan Meja Sendiri");
  sapa_record_set_string (own, "segment", "regular");
  g_assert_true (sapa_store_save (store, own, &error));
  g_assert_no_error (error);
  /* What a download cut off by a crash left is removed. */
  g_assert_true (g_file_set_contents (stale, "SQLite format 3", -1, &error));
  sync = signed_in (store);
  sync_once (sync);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_atomic_int_get (&bulk_loads), ==, before);
  g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, snapshots_before);
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);
  assert_same_records_as_ordinary_desk (path);
  g_assert_true (found (store, "Pelanggan Meja Sendiri", sapa_record_get_id (own)));
  assert_lookups (store);
}

/* Every row of the metrics rollups, hourly and daily, as text. */
static char *
dump_rollups (const char *path)
{
  static const char * const tables[] = {
    "metrics_survey_hour", "metrics_conversation_hour", "metrics_frt_hour", "metrics_resolved_hour",
    "metrics_handled_hour", "metrics_survey_day", "metrics_conversation_day", "metrics_frt_day",
    "metrics_resolved_day", "metrics_handled_day", "metrics_volume_hour",
  };
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *probe = g_strdup_printf ("SELECT * FROM %s;", tables[t]);
      g_autoptr(GString) sql = g_string_new (probe);
      sqlite3_stmt *stmt = NULL;
      guint rows = 0;

      /* Every column in the order, so both desks list rows alike. */
      g_assert_cmpint (sqlite3_prepare_v2 (db, probe, -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_truncate (sql, sql->len - 1);
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        g_string_append_printf (sql, "%s%d", c ? ", " : " ORDER BY ", c + 1);
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_string_append (out, tables[t]);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            g_string_append_printf (out, "|%s", sqlite3_column_text (stmt, c) ? (const char *) sqlite3_column_text (stmt, c) : "");
          g_string_append_c (out, '\n');
          rows++;
        }
      sqlite3_finalize (stmt);
      /* Hour-of-week volumes are kept per contact, the others per record. */
      g_assert_cmpuint (rows, >, 0);
    }
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The daily rollups a desk holds are those its hourly ones give in its zone
 * (setting the same zone again refills them from the hourly ones). */
static void
assert_daily_follows_hourly (SapaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_rollups (sapa_store_get_path (store));
  g_autofree char *zone = sapa_metrics_dup_zone (store);
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autofree char *after = NULL;

  g_assert_nonnull (tz);
  g_assert_true (sapa_metrics_set_zone (store, tz, &error));
  g_assert_no_error (error);
  after = dump_rollups (sapa_store_get_path (store));
  g_assert_cmpstr (before, ==, after);
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_snapshot_first_sync (void)
{
  g_autofree char *path = desk_path ("snap");
  g_autofree char *own_path = desk_path ("own");
  g_autofree char *rollups = NULL;
  g_autofree char *own_rollups = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  gint bulk_before = g_atomic_int_get (&bulk_loads);
  gint before = g_atomic_int_get (&snapshot_loads);

  use_snapshots (TRUE);
  store = open_store (path);
  sync = signed_in (store);
  sync_once (sync);
  g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before + 1);
  g_assert_cmpint (g_atomic_int_get (&bulk_loads), ==, bulk_before);
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);
  assert_new_desk_schema (path);
  assert_same_records_as_ordinary_desk (path);
  assert_lookups (store);
  /* The snapshot file is gone; the cursor was saved with the records. */
  {
    g_autofree char *leftover = g_strdup_printf ("%s.snapshot", path);

    g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'sync_cursor';"), ==, 1);
  /* The copy's write-ahead log was emptied (it held tens of megabytes). */
  {
    g_autofree char *wal = g_strdup_printf ("%s-wal", path);
    g_autoptr(GFile) file = g_file_new_for_path (wal);
    g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                                                   NULL, NULL);

    g_assert_nonnull (info);
    g_assert_cmpint (g_file_info_get_size (info), <, 1024 * 1024);
  }
  /* The rollups came with the records (the daily ones refilled in this
   * desk's zone) and equal those the triggers kept on the ordinary desk. */
  rollups = dump_rollups (path);
  own_rollups = dump_rollups (own_path);
  g_assert_cmpstr (rollups, ==, own_rollups);
  assert_daily_follows_hourly (store);
  /* And the full-text index is whole (FTS5's own check of its structure). */
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer_fts WHERE customer_fts MATCH 'kusumawardhani';"),
                   ==, 1);
  {
    g_autoptr(GError) error = NULL;
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check');",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  /* A second cycle pulls nothing new and takes no snapshot. */
  sync_once (sync);
  g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before + 1);
  assert_same_records_as_ordinary_desk (path);
}

/* An agent's snapshot holds their branch's records and those of no branch,
 * exactly as that agent's desk gets by pulling every change. */
static void
test_snapshot_agent (void)
{
  g_autofree char *path = desk_path ("teller-snap");
  g_autofree char *own_path = desk_path ("teller-own");
  g_autofree char *server_db = sapa_test_server_db_path (server);
  g_autofree char *other = NULL;
  g_autofree char *own_id = NULL;
  gint before = g_atomic_int_get (&snapshot_loads);

  use_snapshots (TRUE);
  {
    /* The reference: a desk with a customer of its own pulls every change. */
    g_autoptr(SapaStore) store = open_store (own_path);
    g_autoptr(SapaRecord) own = sapa_record_new ("customer");
    g_autoptr(SapaSync) sync = NULL;
    g_autoptr(GError) error = NULL;

    sapa_record_set_string (own, "full_name", "Pelanggan Teller Sendiri");
    sapa_record_set_string (own, "segment", "regular");
    g_assert_true (sapa_store_save (store, own, &error));
    g_assert_no_error (error);
    sync = signed_in_as (store, "teller");
    sync_once (sync);
    g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before);
    g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);
    own_id = g_strdup (sapa_record_get_id (own));
  }
  {
    g_autoptr(SapaStore) store = open_store (path);
    g_autoptr(SapaSync) sync = signed_in_as (store, "teller");

    sync_once (sync);
    g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before + 1);
    /* The other desk's customer came with the snapshot, and is found. */
    g_assert_true (found (store, "Pelanggan Teller Sendiri", own_id));
  }
  assert_same_records_but_audit (path, "teller-own");

  /* Nothing of another branch, no audit events; all of this branch. */
  other = g_strdup_printf ("SELECT count(*) FROM customer WHERE branch_id IS NOT NULL AND branch_id != '%s';",
                           teller_branch);
  g_assert_cmpint (query_int (server_db, other), >, 0);
  g_assert_cmpint (query_int (path, other), ==, 0);
  g_clear_pointer (&other, g_free);
  other = g_strdup_printf ("SELECT count(*) FROM interaction AS i WHERE coalesce("
                           "(SELECT branch_id FROM conversation WHERE id = i.conversation_id), "
                           "(SELECT branch_id FROM customer WHERE id = i.customer_id)) != '%s';", teller_branch);
  g_assert_cmpint (query_int (path, other), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM audit_event;"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM branch;"), ==, 1);
  g_clear_pointer (&other, g_free);
  other = g_strdup_printf ("SELECT count(*) FROM customer WHERE branch_id IS NULL OR branch_id = '%s';",
                           teller_branch);
  g_assert_cmpint (query_int (path, other), ==, query_int (server_db, other));
  g_assert_cmpint (query_int (path, other), >, 100);
}

/* A desk whose figures are kept in another zone than the server's makes
 * its daily rollups from the hourly ones it received. */
static void
test_snapshot_other_zone (void)
{
  g_autofree char *path = desk_path ("snap-wit");
  g_autofree char *server_db = sapa_test_server_db_path (server);
  g_autofree char *server_offset = query_text (server_db, "SELECT value FROM desk_meta WHERE key = 'metrics_utc_offset';");
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (g_strcmp0 (server_offset, "25200") == 0 ? "Asia/Jayapura"
                                                                                                  : "Asia/Jakarta");
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(SapaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offset = NULL;
  gint before = g_atomic_int_get (&snapshot_loads);

  use_snapshots (TRUE);
  store = open_store (path);
  g_assert_true (sapa_metrics_set_zone (store, tz, &error));
  g_assert_no_error (error);
  sync = signed_in (store);
  sync_once (sync);
  g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before + 1);
  offset = query_text (path, "SELECT value FROM desk_meta WHERE key = 'metrics_utc_offset';");
  g_assert_cmpstr (offset, !=, server_offset);
  assert_daily_follows_hourly (store);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM metrics_survey_day;"), >, 0);
}

/* Changes made after a snapshot arrive by pull on the desk that took it. */
static void
test_snapshot_then_changes (void)
{
  g_autofree char *path = desk_path ("snap");
  g_autofree char *editor_path = desk_path ("editor");
  g_autofree char *own_path = desk_path ("own");
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaRecord) customer = NULL;
  g_autoptr(SapaRecord) seen = NULL;

  use_snapshots (TRUE);
  {
    g_autoptr(SapaStore) editor = open_store (editor_path);
    g_autoptr(SapaSync) sync = signed_in (editor);

    sync_once (sync);
    customer = sapa_store_get (editor, "customer", edited_id, &error);
    g_assert_no_error (error);
    sapa_record_set_string (customer, "full_name", "Dewi Kusumawardhani Putri");
    g_assert_true (sapa_store_save (editor, customer, &error));
    g_assert_no_error (error);
    sync_once (sync);
  }
  {
    g_autoptr(SapaStore) own = open_store (own_path);
    g_autoptr(SapaSync) sync = signed_in (own);

    sync_once (sync);
  }
  {
    g_autoptr(SapaStore) store = open_store (path);
    g_autoptr(SapaSync) sync = signed_in (store);
    gint before = g_atomic_int_get (&snapshot_loads);

    sync_once (sync);
    g_assert_cmpint (g_atomic_int_get (&snapshot_loads), ==, before);
    seen = sapa_store_get (store, "customer", edited_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sapa_record_get_string (seen, "full_name"), ==, "Dewi Kusumawardhani Putri");
    g_assert_true (found (store, "Putri", edited_id));
  }
  assert_same_records_as_ordinary_desk (path);
}

static char *
test_cursor (gint64   seq,
             gpointer data)
{
  return g_strdup_printf ("test.%" G_GINT64_FORMAT, seq);
}

/* A file that is not a usable snapshot is refused and nothing is written;
 * a desk that holds records does not take one. */
static void
test_snapshot_refused (void)
{
  g_autofree char *server_db = sapa_test_server_db_path (server);
  g_autofree char *snapshot = desk_path ("refused-snapshot");
  g_autofree char *truncated = desk_path ("refused-truncated");
  g_autofree char *garbage = desk_path ("refused-garbage");
  g_autofree char *plain = desk_path ("refused-plain");
  g_autofree char *path = desk_path ("refused");
  g_autofree char *contents = NULL;
  g_autoptr(SapaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  gboolean loaded = TRUE;
  gsize length = 0;

  g_assert_true (sapa_snapshot_write (server_db, snapshot, NULL, test_cursor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (snapshot, &contents, &length, &error));
  g_assert_true (g_file_set_contents (truncated, contents, length / 2, &error));
  g_assert_true (g_file_set_contents (garbage, "SQLite format 2\0 and then nothing", -1, &error));
  g_assert_no_error (error);
  touch_store (plain);

  store = open_store (path);
  g_assert_false (sapa_snapshot_load (store, garbage, &loaded, &cursor, NULL, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT);
  g_assert_false (loaded);
  g_clear_error (&error);
  g_assert_false (sapa_snapshot_load (store, plain, &loaded, &cursor, NULL, &error));
  g_assert_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sapa_snapshot_load (store, truncated, &loaded, &cursor, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT) ||
                 g_error_matches (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID));
  g_clear_error (&error);
  g_assert_null (cursor);
  /* Nothing was written, and the schema is whole. */
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer;"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM interaction;"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'sync_cursor';"), ==, 0);
  assert_new_desk_schema (path);

  /* A desk closing during the copy: stopped, nothing written. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_false (sapa_snapshot_load (store, snapshot, &loaded, &cursor, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_false (loaded);
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM interaction;"), ==, 0);
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer;"), ==, 0);
    assert_new_desk_schema (path);
  }

  /* The whole file loads, with its cursor. */
  g_assert_true (sapa_snapshot_load (store, snapshot, &loaded, &cursor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);
  g_assert_true (g_str_has_prefix (cursor, "test."));
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM interaction;"), ==,
                   query_int (server_db, "SELECT count(*) FROM interaction;"));
  assert_new_desk_schema (path);
  g_clear_pointer (&cursor, g_free);

  /* A desk holding records takes no snapshot. */
  g_assert_true (sapa_snapshot_load (store, snapshot, &loaded, &cursor, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (loaded);
  g_assert_null (cursor);
  g_assert_false (sapa_snapshot_wanted (store));
}

/* -- the server, seeded and then edited by a desk ------------------------- */

static void
edit_on_server (void)
{
  g_autofree char *path = desk_path ("editor");
  g_autoptr(SapaStore) store = open_store (path);
  g_autoptr(SapaSync) sync = signed_in (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(SapaRecord) visit = sapa_record_new ("interaction");
  const char * const phones[] = { "+6281344556677", NULL };
  const char * const emails[] = { "dewi.kusuma@example.co.id", NULL };
  SapaRecord *c;

  sync_once (sync);
  customers = sapa_store_list (store, "customer", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, >, 100);

  /* Renamed twice, new phone and email: three changes of one record. */
  c = g_ptr_array_index (customers, 10);
  edited_id = g_strdup (sapa_record_get_id (c));
  sapa_record_set_string (c, "full_name", "Dewi Sementara");
  g_assert_true (sapa_store_save (store, c, &error));
  sapa_record_set_string (c, "full_name", "Dewi Kusumawardhani");
  sapa_record_set_list (c, "phones", phones);
  sapa_record_set_list (c, "emails", emails);
  g_assert_true (sapa_store_save (store, c, &error));
  g_assert_no_error (error);

  c = g_ptr_array_index (customers, 11);
  deleted_id = g_strdup (sapa_record_get_id (c));
  g_assert_true (sapa_store_delete (store, "customer", deleted_id, &error));
  g_assert_no_error (error);

  c = g_ptr_array_index (customers, 12);
  merged_id = g_strdup (sapa_record_get_id (c));
  sapa_record_set_string (c, "merged_into", edited_id);
  g_assert_true (sapa_store_save (store, c, &error));
  g_assert_no_error (error);

  sapa_record_set_string (visit, "customer_id", edited_id);
  sapa_record_set_string (visit, "channel", "walk_in");
  sapa_record_set_string (visit, "direction", "inbound");
  sapa_record_set_int (visit, "started_at", g_get_real_time () / G_USEC_PER_SEC);
  g_assert_true (sapa_store_save (store, visit, &error));
  g_assert_no_error (error);

  sync_once (sync);
  g_assert_cmpint (sapa_store_count_unpushed (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int rc;

  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], argv[3]);

  g_log_set_writer_func (count_bulk_loads, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  server = sapa_test_server_new (NULL, &error);
  g_assert_no_error (error);
  out = sapa_test_server_admin (server, NULL, &error, "seed", "--customers", CUSTOMERS, "--seed", "5",
                                "--interactions-per-customer", "10", NULL);
  g_assert_no_error (error);
  g_assert_true (sapa_test_server_add_user (server, "admin", PASSWORD, "admin", NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *server_db = sapa_test_server_db_path (server);

    teller_branch = query_text (server_db, "SELECT id FROM branch ORDER BY name LIMIT 1;");
    g_assert_nonnull (teller_branch);
  }
  g_assert_true (sapa_test_server_add_user (server, "teller", PASSWORD, "agent", teller_branch, &error));
  g_assert_no_error (error);
  g_assert_true (sapa_test_server_start (server, &error));
  g_assert_no_error (error);
  edit_on_server ();

  /* In this order: the desk that syncs the ordinary way is the reference. */
  g_test_add_func ("/first-sync/not-empty-never-bulk", test_not_empty_never_bulk);
  g_test_add_func ("/first-sync/snapshot", test_snapshot_first_sync);
  g_test_add_func ("/first-sync/snapshot-agent", test_snapshot_agent);
  g_test_add_func ("/first-sync/snapshot-other-zone", test_snapshot_other_zone);
  g_test_add_func ("/first-sync/snapshot-refused", test_snapshot_refused);
  g_test_add_func ("/first-sync/bulk", test_bulk_first_sync);
  g_test_add_func ("/first-sync/killed-mid-load", test_killed_mid_load);
  g_test_add_func ("/first-sync/snapshot-then-changes", test_snapshot_then_changes);
  rc = g_test_run ();

  g_clear_pointer (&server, sapa_test_server_free);
  g_free (edited_id);
  g_free (deleted_id);
  g_free (merged_id);
  return rc;
}
