/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An empty desk's first sync loads in bulk (sapa_store_bulk_begin): the same
 * stream of changes applied the ordinary way and in bulk must give the same
 * database, byte for byte: records, field stamps, derived columns, search
 * tables and schema. The stream holds what a real server's log holds after
 * a while: records created, edited several times, deleted, merged, stale
 * edits from other desks, ties, duplicates and refused changes.
 */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <sapa/sapa.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"
#include "sapa-test-dir.h"

#define OTHER_DESK "ffffffff-0000-4000-8000-000000000001"
#define LOW_DESK   "00000000-0000-4000-8000-000000000001"

typedef struct {
  char      *dir;
  GPtrArray *stream;       /* SapaChange, in the order a server sends them */
  char      *edited_id;    /* customer renamed twice, new phone and email */
  char      *handle_id;    /* customer given a handle */
  char      *deleted_id;   /* customer deleted */
  char      *merged_id;    /* customer merged into another */
  char      *late_id;      /* customer whose partial edit came before its creation */
} World;

static World world;

/* -- the stream ------------------------------------------------------------ */

static SapaChange *
change_new (const char *entity,
            const char *id,
            const char *op,
            guint64     hlc,
            const char *client_id,
            const char *fields_json)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *change_id = g_uuid_string_random ();
  g_autofree char *hlc_text = g_strdup_printf ("%" G_GUINT64_FORMAT, hlc);
  SapaChange *change;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "change_id");
  json_builder_add_string_value (b, change_id);
  json_builder_set_member_name (b, "entity");
  json_builder_add_string_value (b, entity);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, op);
  json_builder_set_member_name (b, "hlc");
  json_builder_add_string_value (b, hlc_text);
  json_builder_set_member_name (b, "client_id");
  json_builder_add_string_value (b, client_id);
  if (fields_json != NULL)
    {
      json_builder_set_member_name (b, "fields");
      json_builder_add_value (b, json_from_string (fields_json, &error));
      g_assert_no_error (error);
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  change = sapa_change_from_json (node, &error);
  g_assert_no_error (error);
  return change;
}

static SapaRecord *
first_of (SapaStore  *store,
          const char *entity,
          guint       index)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = sapa_store_list (store, entity, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, >, index);
  return g_object_ref (g_ptr_array_index (all, index));
}

static void
save (SapaStore  *store,
      SapaRecord *record)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = sapa_store_save (store, record, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static guint64
hlc_of (SapaChange *change)
{
  return change->hlc;
}

static void
world_set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaStore) src = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(SapaRecord) edited = NULL;
  g_autoptr(SapaRecord) handle = NULL;
  g_autoptr(SapaRecord) deleted = NULL;
  g_autoptr(SapaRecord) merged = NULL;
  g_autoptr(SapaRecord) target = NULL;
  g_autoptr(SapaRecord) noted = NULL;
  g_autoptr(SapaRecord) conversation = NULL;
  g_autoptr(SapaRecord) visit = NULL;
  g_autoptr(SapaRecord) newcomer = NULL;
  g_autofree char *src_path = NULL;
  SapaDemoOptions options = { .customers = 300, .interactions_per_customer = 5, .seed = 11, .now = 1790000000 };
  const char *phones[] = { "+6281234567788", "+62219876543", NULL };
  const char *emails[] = { "renamed.customer@example.co.id", NULL };
  const char *handles[] = { "instagram:@kopi.tubruk", NULL };
  SapaChange *first_edit = NULL;
  guint64 newest = 0;

  world.dir = sapa_test_dir_new ("sapa-bulk-XXXXXX");
  src_path = g_build_filename (world.dir, "source.sqlite", NULL);
  g_assert_true (sapa_demo_generate (src_path, &options, NULL, NULL, &error));
  g_assert_no_error (error);
  src = sapa_store_open (src_path, &error);
  g_assert_no_error (error);
  g_assert_true (sapa_store_log_existing (src, &error));
  g_assert_no_error (error);

  /* Edits after the records were made: each one a further change of a
   * record the stream already created. */
  edited = first_of (src, "customer", 0);
  sapa_record_set_string (edited, "full_name", "Bulk Renamed Once");
  save (src, edited);
  sapa_record_set_string (edited, "full_name", "Wiryawan Sastrodiharjo");
  sapa_record_set_list (edited, "phones", phones);
  sapa_record_set_list (edited, "emails", emails);
  save (src, edited);
  world.edited_id = g_strdup (sapa_record_get_id (edited));

  handle = first_of (src, "customer", 1);
  sapa_record_set_list (handle, "handles", handles);
  save (src, handle);
  world.handle_id = g_strdup (sapa_record_get_id (handle));

  deleted = first_of (src, "customer", 2);
  g_assert_true (sapa_store_delete (src, "customer", sapa_record_get_id (deleted), &error));
  g_assert_no_error (error);
  world.deleted_id = g_strdup (sapa_record_get_id (deleted));

  merged = first_of (src, "customer", 3);
  target = first_of (src, "customer", 4);
  sapa_record_set_string (merged, "merged_into", sapa_record_get_id (target));
  save (src, merged);
  world.merged_id = g_strdup (sapa_record_get_id (merged));

  noted = first_of (src, "customer", 5);
  sapa_record_set_string (noted, "notes", "Prefers the morning queue");
  save (src, noted);
  sapa_record_unset (noted, "notes");
  save (src, noted);

  conversation = first_of (src, "conversation", 0);
  sapa_record_set_string (conversation, "status", "resolved");
  sapa_record_set_int (conversation, "resolved_at", 1789990000);
  save (src, conversation);

  visit = sapa_record_new ("interaction");
  sapa_record_set_string (visit, "customer_id", world.edited_id);
  sapa_record_set_string (visit, "conversation_id", sapa_record_get_id (conversation));
  sapa_record_set_string (visit, "channel", "walk_in");
  sapa_record_set_string (visit, "direction", "inbound");
  sapa_record_set_int (visit, "started_at", 1789999000);
  save (src, visit);

  newcomer = sapa_record_new ("customer");
  sapa_record_set_string (newcomer, "full_name", "Pendatang Baru");
  sapa_record_set_string (newcomer, "segment", "priority");
  save (src, newcomer);
  sapa_record_set_string (newcomer, "segment", "vip");
  save (src, newcomer);

  entries = sapa_store_list_changes (src, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  world.stream = g_ptr_array_new_with_free_func ((GDestroyNotify) sapa_change_free);

  /* A partial edit of a customer whose creation comes later: refused then
   * (not a whole record), the creation later is applied. */
  world.late_id = g_uuid_string_random ();
  g_ptr_array_add (world.stream, change_new ("customer", world.late_id, "upsert", 1000, OTHER_DESK,
                                             "{\"notes\": \"arrived early\"}"));
  /* A delete of a record never seen: nothing to do. */
  {
    g_autofree char *unknown = g_uuid_string_random ();
    g_ptr_array_add (world.stream, change_new ("conversation", unknown, "delete", 1000, OTHER_DESK, NULL));
  }

  for (guint i = 0; i < entries->len; i++)
    {
      SapaChange *change = sapa_change_from_log (g_ptr_array_index (entries, i), &error);

      g_assert_no_error (error);
      if (first_edit == NULL && g_str_equal (sapa_record_get_entity_name (change->record), "customer") &&
          g_str_equal (sapa_record_get_id (change->record), world.edited_id) &&
          sapa_record_has (change->record, "full_name") &&
          g_str_equal (sapa_record_get_string (change->record, "full_name"), "Bulk Renamed Once"))
        first_edit = change;
      newest = MAX (newest, hlc_of (change));
      g_ptr_array_add (world.stream, change);
    }
  g_assert_nonnull (first_edit);

  /* A late edit from another desk, older than the rename: its name loses,
   * its notes (older on this record) win. */
  g_ptr_array_add (world.stream, change_new ("customer", world.edited_id, "upsert", hlc_of (first_edit) - 1,
                                             OTHER_DESK, "{\"full_name\": \"Stale Name\", \"notes\": \"stale\"}"));
  /* A tie on the same stamp: the larger desk id wins, the smaller one,
   * arriving after it, is superseded. */
  g_ptr_array_add (world.stream, change_new ("customer", world.edited_id, "upsert", newest,
                                             OTHER_DESK, "{\"segment\": \"vip\", \"preferred_language\": \"en\"}"));
  g_ptr_array_add (world.stream, change_new ("customer", world.edited_id, "upsert", newest,
                                             LOW_DESK, "{\"segment\": \"regular\"}"));
  /* The late customer's creation, and an edit of the merged one after its merge. */
  g_ptr_array_add (world.stream, change_new ("customer", world.late_id, "upsert", newest + 10, OTHER_DESK,
                                             "{\"full_name\": \"Datang Terlambat\", \"segment\": \"regular\", "
                                             "\"phones\": [\"+6281399990000\"], \"emails\": [\"telat@example.id\"]}"));
  g_ptr_array_add (world.stream, change_new ("customer", world.merged_id, "upsert", newest + 11, OTHER_DESK,
                                             "{\"notes\": \"merged at the counter\"}"));
  /* A survey score out of range: refused by both paths, nothing stored. */
  {
    g_autofree char *bad = g_uuid_string_random ();
    g_ptr_array_add (world.stream, change_new ("survey_response", bad, "upsert", newest + 12, OTHER_DESK,
                                               "{\"kind\": \"csat\", \"score\": 9, \"collected_via\": \"kiosk\", "
                                               "\"collected_at\": \"2026-11-01T03:00:00Z\"}"));
  }
  /* The same interaction delivered twice. */
  for (guint i = 0; i < world.stream->len; i++)
    {
      SapaChange *c = g_ptr_array_index (world.stream, i);

      if (g_str_equal (sapa_record_get_entity_name (c->record), "interaction"))
        {
          g_autoptr(JsonNode) node = sapa_change_to_json (c);
          SapaChange *again = sapa_change_from_json (node, &error);

          g_assert_no_error (error);
          g_ptr_array_add (world.stream, again);
          break;
        }
    }
  g_assert_cmpuint (world.stream->len, >, 2000);
}

static void
world_tear_down (void)
{
  g_clear_pointer (&world.stream, g_ptr_array_unref);
  sapa_test_dir_remove (world.dir);
  g_free (world.dir);
  g_free (world.edited_id);
  g_free (world.handle_id);
  g_free (world.deleted_id);
  g_free (world.merged_id);
  g_free (world.late_id);
}

/* -- applying and comparing ------------------------------------------------ */

/* Applies @stream[from, to) in pages of @page; returns the statuses. */
static GArray *
apply_range (SapaStore *store,
             guint      from,
             guint      to,
             guint      page)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));

  for (guint i = from; i < to; i += page)
    {
      g_autoptr(GPtrArray) chunk = g_ptr_array_new ();
      g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (SapaApplyStatus));
      g_autoptr(GError) error = NULL;
      g_autofree char *cursor = g_strdup_printf ("c%u", MIN (i + page, to));

      for (guint j = i; j < MIN (i + page, to); j++)
        g_ptr_array_add (chunk, g_ptr_array_index (world.stream, j));
      g_assert_true (sapa_store_apply_changes (store, chunk, cursor, statuses, &error));
      g_assert_no_error (error);
      g_array_append_vals (all, statuses->data, statuses->len);
    }
  return all;
}

static char *
path_in (const char *name)
{
  return g_build_filename (world.dir, name, NULL);
}

static SapaStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  SapaStore *store = sapa_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

/* Which columns of @table are not part of its primary key. */
static GArray *
counted_columns (sqlite3    *db,
                 const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT cid FROM pragma_table_info('%s') WHERE pk = 0;", table);
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (int));
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      int cid = sqlite3_column_int (stmt, 0);
      g_array_append_val (cols, cid);
    }
  sqlite3_finalize (stmt);
  return cols;
}

/* @rollup: a metrics rollup (hourly or daily), whose rows with every count zero (left by the
 * triggers when a record moves to other keys) mean the same as no row, as
 * tests/unit/test-metrics.c compares them. */
static void
append_rows (GPtrArray  *lines,
             sqlite3    *db,
             const char *label,
             const char *sql,
             gboolean    rollup)
{
  g_autoptr(GArray) counts = rollup ? counted_columns (db, label) : NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GString *line;

      if (counts != NULL)
        {
          gboolean any = FALSE;

          g_assert_cmpuint (counts->len, >, 0);
          for (guint i = 0; i < counts->len; i++)
            any |= sqlite3_column_int64 (stmt, g_array_index (counts, int, i)) != 0;
          if (!any)
            continue;
        }
      line = g_string_new (label);

      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          switch (sqlite3_column_type (stmt, c))
            {
            case SQLITE_NULL:
              g_string_append (line, "|NULL");
              break;
            case SQLITE_INTEGER:
              g_string_append_printf (line, "|%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, c));
              break;
            case SQLITE_FLOAT:
              g_string_append_printf (line, "|%.17g", sqlite3_column_double (stmt, c));
              break;
            default:
              g_string_append_printf (line, "|'%s'", (const char *) sqlite3_column_text (stmt, c));
              break;
            }
        }
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }
  g_assert_cmpint (sqlite3_finalize (stmt), ==, SQLITE_OK);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Everything a desk holds except its own settings (desk_meta), one line per
 * row, sorted: every table (records, field stamps, rowids, derived columns,
 * search tables and any rollups), the logical content of the full-text index
 * (every term of every customer at every position) and the schema. */
static char *
dump_database (const char *path)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'customer_fts%' "
                                           "AND name != 'desk_meta' ORDER BY name;", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  g_assert_cmpuint (tables->len, >=, 12);
  /* The metrics rollups are compared too. */
  for (guint i = 0; sapa_metrics_rollup_tables[i] != NULL; i++)
    g_assert_true (g_ptr_array_find_with_equal_func (tables, sapa_metrics_rollup_tables[i], g_str_equal, NULL));

  for (guint i = 0; i < tables->len; i++)
    {
      const char *table = g_ptr_array_index (tables, i);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\";", table);

      append_rows (lines, db, table, sql, g_strv_contains (sapa_metrics_rollup_tables, table) ||
                                          g_strv_contains (sapa_metrics_daily_tables, table));
    }
  g_assert_cmpint (sqlite3_exec (db, "CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, 'customer_fts', 'instance');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  append_rows (lines, db, "fts", "SELECT term, doc, col, offset FROM temp.fts_terms;", FALSE);
  append_rows (lines, db, "schema", "SELECT type, name, tbl_name, sql FROM main.sqlite_master;", FALSE);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static void
assert_same_database (const char *path_a,
                      const char *path_b)
{
  g_autofree char *a = dump_database (path_a);
  g_autofree char *b = dump_database (path_b);

  if (g_strcmp0 (a, b) != 0)
    {
      g_auto(GStrv) la = g_strsplit (a, "\n", -1);
      g_auto(GStrv) lb = g_strsplit (b, "\n", -1);
      guint i = 0;

      while (la[i] != NULL && lb[i] != NULL && g_str_equal (la[i], lb[i]))
        i++;
      g_error ("%s and %s differ at line %u:\n  %s\n  %s", path_a, path_b, i,
               la[i] ? la[i] : "(end)", lb[i] ? lb[i] : "(end)");
    }
  g_assert_cmpuint (strlen (a), >, 100000);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The ordinary path: the reference every bulk load is compared with. */
static char *
normal_desk (GArray **out_statuses)
{
  char *path = path_in ("normal.sqlite");

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(SapaStore) store = open_store (path);
      gboolean started = TRUE;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) statuses = NULL;

      statuses = apply_range (store, 0, world.stream->len, 300);
      if (out_statuses != NULL)
        *out_statuses = g_array_ref (statuses);
      /* It holds records now: never in bulk. */
      g_assert_true (sapa_store_bulk_begin (store, &started, &error));
      g_assert_no_error (error);
      g_assert_false (started);
    }
  return path;
}

static guint
count_hits (SapaStore  *store,
            const char *query,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaSearchResult) result = sapa_store_search (store, query, 50, &error);
  GPtrArray *hits;
  guint found = 0;

  g_assert_no_error (error);
  hits = sapa_search_result_get_hits (result);
  for (guint i = 0; i < hits->len; i++)
    if (g_str_equal (sapa_record_get_id (g_ptr_array_index (hits, i)), id))
      found++;
  return found;
}

/* -- tests ------------------------------------------------------------------ */

static void
test_bulk_same_as_normal (void)
{
  g_autofree char *bulk_path = path_in ("bulk.sqlite");
  g_autoptr(GArray) normal_statuses = NULL;
  g_autoptr(GArray) bulk_statuses = NULL;
  g_autofree char *normal_path = NULL;
  g_autoptr(GError) error = NULL;
  guint applied = 0, duplicate = 0, superseded = 0, rejected = 0;
  gint64 indexes_before, indexes_during;

  g_unlink (path_in ("normal.sqlite"));
  normal_path = normal_desk (&normal_statuses);

  {
    g_autoptr(SapaStore) store = open_store (bulk_path);
    gboolean started = FALSE;

    indexes_before = query_int (bulk_path, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger');");
    g_assert_true (sapa_store_bulk_begin (store, &started, &error));
    g_assert_no_error (error);
    g_assert_true (started);
    g_assert_true (sapa_store_is_bulk_loading (store));
    indexes_during = query_int (bulk_path, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger');");
    g_assert_cmpint (indexes_during, <, indexes_before - 10);
    g_assert_cmpint (query_int (bulk_path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 1);

    /* Other page sizes than the normal desk's: the result must not depend on them. */
    bulk_statuses = apply_range (store, 0, world.stream->len, 700);

    /* While loading, lookups answer without failing (from the search
     * tables as they were: empty). */
    g_assert_cmpuint (count_hits (store, "Wiryawan", world.edited_id), ==, 0);

    g_assert_true (sapa_store_bulk_finish (store, &error));
    g_assert_no_error (error);
    g_assert_false (sapa_store_is_bulk_loading (store));
    g_assert_cmpint (query_int (bulk_path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 0);

    /* Lookup by name, phone digits, email and handle finds the edited
     * customers; deleted and merged ones are not found. */
    g_assert_cmpuint (count_hits (store, "Wiryawan", world.edited_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "Sastrodiharjo", world.edited_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "3456 7788", world.edited_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "9876543", world.edited_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "renamed.customer@example.co.id", world.edited_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "Datang Terlambat", world.late_id), ==, 1);
    g_assert_cmpuint (count_hits (store, "Bulk Renamed", world.edited_id), ==, 0);
    {
      g_autoptr(GPtrArray) by_handle = sapa_store_find_customers_by_handle (store, "instagram:@kopi.tubruk", &error);

      g_assert_no_error (error);
      g_assert_cmpuint (by_handle->len, ==, 1);
      g_assert_cmpstr (sapa_record_get_id (g_ptr_array_index (by_handle, 0)), ==, world.handle_id);
    }
    {
      g_autoptr(SapaRecord) gone = sapa_store_get (store, "customer", world.deleted_id, &error);
      g_autoptr(SapaRecord) merged = sapa_store_get (store, "customer", world.merged_id, &error);
      g_autoptr(SapaRecord) edited = sapa_store_get (store, "customer", world.edited_id, &error);

      g_assert_null (gone);
      g_assert_nonnull (merged);
      g_assert_cmpstr (sapa_record_get_string (merged, "notes"), ==, "merged at the counter");
      g_assert_cmpuint (count_hits (store, sapa_record_get_string (merged, "full_name"), world.merged_id), ==, 0);
      /* Field by field: the late edit from another desk lost its name (the
       * rename is newer) but won the notes (older there); the tie went to
       * the larger desk id. */
      g_assert_cmpstr (sapa_record_get_string (edited, "full_name"), ==, "Wiryawan Sastrodiharjo");
      g_assert_cmpstr (sapa_record_get_string (edited, "notes"), ==, "stale");
      g_assert_cmpstr (sapa_record_get_string (edited, "segment"), ==, "vip");
      g_assert_cmpstr (sapa_record_get_string (edited, "preferred_language"), ==, "en");
    }
  }

  g_assert_cmpuint (bulk_statuses->len, ==, normal_statuses->len);
  for (guint i = 0; i < bulk_statuses->len; i++)
    {
      SapaApplyStatus s = g_array_index (bulk_statuses, SapaApplyStatus, i);

      g_assert_cmpint (s, ==, g_array_index (normal_statuses, SapaApplyStatus, i));
      applied += s == SAPA_APPLY_APPLIED;
      duplicate += s == SAPA_APPLY_DUPLICATE;
      superseded += s == SAPA_APPLY_SUPERSEDED;
      rejected += s == SAPA_APPLY_REJECTED;
    }
  /* The stream exercised every outcome. */
  g_assert_cmpuint (applied, >, 2000);
  g_assert_cmpuint (duplicate, ==, 1);
  g_assert_cmpuint (superseded, ==, 2);
  g_assert_cmpuint (rejected, ==, 2);

  assert_same_database (normal_path, bulk_path);
}

/* A load killed half-way (here: the store dropped while loading, the flag
 * and the missing indexes left in the file) is finished by the next open;
 * the rest then arrives the ordinary way and the desk equals the normal one. */
static void
test_bulk_interrupted (void)
{
  g_autofree char *path = path_in ("interrupted.sqlite");
  g_autofree char *normal_path = normal_desk (NULL);
  g_autoptr(GError) error = NULL;
  guint half = world.stream->len / 2;
  gint64 indexes_fresh;

  {
    g_autoptr(SapaStore) store = open_store (path);
    g_autoptr(GArray) statuses = NULL;
    gboolean started = FALSE;

    indexes_fresh = query_int (path, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger');");
    g_assert_true (sapa_store_bulk_begin (store, &started, &error));
    g_assert_no_error (error);
    g_assert_true (started);
    statuses = apply_range (store, 0, half, 500);
  }
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger');"), <,
                   indexes_fresh);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer_phone;"), ==, 0);

  {
    g_autoptr(SapaStore) store = open_store (path);
    g_autoptr(GArray) statuses = NULL;
    gboolean started = TRUE;

    g_assert_false (sapa_store_is_bulk_loading (store));
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 0);
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE type IN ('index', 'trigger');"), ==,
                     indexes_fresh);
    g_assert_cmpint (query_int (path, "SELECT count(*) FROM customer_phone;"), >, 0);
    /* Not empty any more: the rest is merged the ordinary way. */
    g_assert_true (sapa_store_bulk_begin (store, &started, &error));
    g_assert_no_error (error);
    g_assert_false (started);
    statuses = apply_range (store, half, world.stream->len, 500);
    g_assert_cmpuint (count_hits (store, "Wiryawan", world.edited_id), ==, 1);
  }
  assert_same_database (normal_path, path);
}

/* A desk that holds a record of its own never loads in bulk. */
static void
test_bulk_refused_when_not_empty (void)
{
  g_autofree char *path = path_in ("own.sqlite");
  g_autoptr(SapaStore) store = open_store (path);
  g_autoptr(SapaRecord) own = sapa_record_new ("customer");
  g_autoptr(GError) error = NULL;
  gboolean started = TRUE;
  gint64 before;

  sapa_record_set_string (own, "full_name", "Pelanggan Sendiri");
  sapa_record_set_string (own, "segment", "regular");
  save (store, own);
  before = query_int (path, "SELECT count(*) FROM sqlite_master;");
  g_assert_true (sapa_store_bulk_begin (store, &started, &error));
  g_assert_no_error (error);
  g_assert_false (started);
  g_assert_false (sapa_store_is_bulk_loading (store));
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master;"), ==, before);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM desk_meta WHERE key = 'bulk_load';"), ==, 0);
  /* Finishing a load that never started changes nothing. */
  g_assert_true (sapa_store_bulk_finish (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master;"), ==, before);
}

int
main (int   argc,
      char *argv[])
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  world_set_up ();
  g_test_add_func ("/bulk-load/same-as-normal", test_bulk_same_as_normal);
  g_test_add_func ("/bulk-load/interrupted", test_bulk_interrupted);
  g_test_add_func ("/bulk-load/refused-when-not-empty", test_bulk_refused_when_not_empty);
  rc = g_test_run ();
  world_tear_down ();
  return rc;
}
