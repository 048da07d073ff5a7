/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-snapshot"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"

/*
 * Snapshots: an empty desk's first sync as a copy of database tables instead
 * of a million changes as JSON (docs/PERFORMANCE.md, "First sync of an empty
 * desk"). The server writes a desk database with the records the desk's user
 * may see; the desk copies its tables into its own store in one transaction.
 * Both copies are INSERT ... SELECT between databases of the same schema,
 * which SQLite carries out by moving each stored row and index entry as it
 * is (its transfer optimisation) when the target table is empty, has no
 * triggers and foreign keys are off.
 */

/* The record tables, in the order they are copied. */
static const char * const record_tables[] = {
  "branch",
  "agent",
  "canned_response",
  "audit_event",
  "customer",
  "conversation",
  "interaction",
  "survey_response",
  NULL,
};

/* Search tables kept by the customer triggers. The full-text index is not
 * carried: the desk rebuilds it from the customer rows (FTS5 keeps the
 * index structure cached in each connection, so its tables must not be
 * written behind its back). */
static const char * const search_tables[] = {
  "customer_phone",
  "customer_email",
  "customer_handle",
  NULL,
};

/* Who may pull what (DESIGN.md, "Who may see what"), as the pull route
 * filters the change log: ?1 is a JSON array of branch ids; a record without
 * a branch is everyone's; audit events are for admins only. Rows are read
 * from "src.t". */
static char *
scope_of (const char *table)
{
  g_autofree char *branch = NULL;

  if (g_str_equal (table, "audit_event"))
    return g_strdup ("0");
  branch = sapa_store_branch_sql (table, "t", "src");
  return g_strdup_printf ("ifnull(%s, '') IN (SELECT value FROM json_each(?1) UNION ALL SELECT '')", branch);
}

/* The stored columns of @schema.@table ("a, b, c"), or NULL when SELECT *
 * gives them all: a generated column is in SELECT * but cannot be inserted. */
static char *
stored_columns (sqlite3    *db,
                const char *schema,
                const char *table)
{
  g_autoptr(GString) columns = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  gboolean generated = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT name, hidden FROM pragma_table_xinfo(?1, ?2) ORDER BY cid;", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, schema, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (sqlite3_column_int (stmt, 1) != 0)
        {
          generated = TRUE;
          continue;
        }
      if (columns->len > 0)
        g_string_append (columns, ", ");
      g_string_append_printf (columns, "\"%s\"", (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return generated ? g_string_free (g_steal_pointer (&columns), FALSE) : NULL;
}

/* Copies @from.@table into main.@table; @where (NULL: every row) may use ?1
 * = @scope. With every row, no generated column and an empty target,
 * SQLite moves the stored rows and index entries as they are. */
static gboolean
copy_table (sqlite3     *db,
            const char  *from,
            const char  *table,
            const char  *where,
            const char  *scope,
            GError     **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("copy the received records");
  g_autofree char *columns = stored_columns (db, from, table);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (columns == NULL && where == NULL)
    sql = g_strdup_printf ("INSERT INTO main.\"%s\" SELECT * FROM \"%s\".\"%s\";", table, from, table);
  else if (columns == NULL)
    sql = g_strdup_printf ("INSERT INTO main.\"%s\" SELECT * FROM \"%s\".\"%s\" AS t WHERE %s;",
                           table, from, table, where);
  else
    sql = g_strdup_printf ("INSERT INTO main.\"%s\" (%s) SELECT %s FROM \"%s\".\"%s\" AS t WHERE %s ORDER BY rowid;",
                           table, columns, columns, from, table, where ? where : "1");
  if (!sapa_store_prepare (db, sql, &stmt, what, error))
    return FALSE;
  if (scope != NULL && sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

/* -- writing (the server) ------------------------------------------------- */

typedef struct {
  const char             *branches;
  SapaSnapshotCursorFunc  cursor_func;
  gpointer                data;
} WriteJob;

static gboolean
create_schema (sqlite3  *db,
               GError  **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("write the snapshot");
  guint n = sapa_schema_get_n_migrations ();
  g_autofree char *version = g_strdup_printf ("PRAGMA user_version = %u;", n);

  /* A file nobody reads before it is complete: no journal, no syncs. */
  if (!sapa_store_exec (db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;", what,
                 error) ||
      !sapa_store_exec (db, "BEGIN;", what, error))
    return FALSE;
  for (guint v = 1; v <= n; v++)
    if (!sapa_store_exec (db, sapa_schema_get_migration (v), what, error))
      return FALSE;
  return sapa_store_exec (db, version, what, error) && sapa_store_exec (db, "COMMIT;", what, error);
}

static gint64
last_seq (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 seq = -1;

  if (sqlite3_prepare_v2 (db, "SELECT coalesce(max(seq), 0) FROM src.change_log;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return seq;
}

static gboolean
fill_snapshot (sqlite3         *db,
               const WriteJob  *job,
               GError         **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("write the snapshot");
  g_autoptr(GPtrArray) indexes = NULL;
  g_autoptr(GPtrArray) triggers = NULL;
  g_autofree char *cursor = NULL;
  char *sql;
  gint64 seq;
  gboolean ok;

  /* One transaction over both files: the rows and the end of the change log
   * come from the same state of the server's database. */
  if (!sapa_store_exec (db, "BEGIN;", what, error))
    return FALSE;
  if ((seq = last_seq (db)) < 0)
    {
      sapa_store_set_sqlite_error (error, db, sqlite3_errcode (db), what);
      return FALSE;
    }
  /* A part of the records goes in faster without the secondary indexes,
   * built once at the end; all of them fastest with the indexes copied as
   * they are. The triggers are rebuilt's work either way. */
  if (job->branches != NULL && (indexes = sapa_store_take_out_indexes_and_triggers (db, error)) == NULL)
    return FALSE;
  /* The daily rollups are by day of the server's metrics zone: a desk in
   * the same zone takes them as they are. */
  if (!sapa_store_exec (db,
                        "INSERT OR REPLACE INTO main.desk_meta (key, value) SELECT key, value FROM src.desk_meta "
                        "WHERE key IN ('metrics_zone', 'metrics_utc_offset');",
                        what, error))
    return FALSE;
  if ((triggers = sapa_store_take_out_triggers (db, error)) == NULL)
    return FALSE;

  for (guint i = 0; record_tables[i] != NULL; i++)
    {
      g_autofree char *scope = job->branches ? scope_of (record_tables[i]) : NULL;

      if (!copy_table (db, "src", record_tables[i], scope, job->branches, error))
        return FALSE;
    }

  if (job->branches == NULL)
    {
      ok = TRUE;
      for (guint i = 0; ok && search_tables[i] != NULL; i++)
        ok = copy_table (db, "src", search_tables[i], NULL, NULL, error);
      for (guint i = 0; ok && sapa_metrics_rollup_tables[i] != NULL; i++)
        ok = copy_table (db, "src", sapa_metrics_rollup_tables[i], NULL, NULL, error);
      for (guint i = 0; ok && sapa_metrics_daily_tables[i] != NULL; i++)
        ok = copy_table (db, "src", sapa_metrics_daily_tables[i], NULL, NULL, error);
    }
  else
    ok = sapa_store_rebuild_search (db, error) && sapa_metrics_rebuild_db (db, error) &&
         sapa_store_put_back (db, indexes, error);
  if (!ok || !sapa_store_put_back (db, triggers, error))
    return FALSE;

  cursor = job->cursor_func (seq, job->data);
  sql = sqlite3_mprintf ("INSERT OR REPLACE INTO desk_meta (key, value) VALUES ('snapshot_cursor', %Q);", cursor);
  ok = sapa_store_exec (db, sql, what, error);
  sqlite3_free (sql);
  return ok && sapa_store_exec (db, "COMMIT;", what, error);
}

gboolean
sapa_snapshot_write (const char              *db_path,
                     const char              *dest_path,
                     const char              *branches,
                     SapaSnapshotCursorFunc   cursor_func,
                     gpointer                 data,
                     GError                 **error)
{
  WriteJob job = { branches, cursor_func, data };
  sqlite3 *db = NULL;
  char *attach;
  gboolean ok;
  int rc;

  g_return_val_if_fail (db_path != NULL && dest_path != NULL && cursor_func != NULL, FALSE);

  rc = sqlite3_open_v2 (dest_path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      /* Translators: completes "Could not %s: <database message>" */
      sapa_store_set_sqlite_error (error, db, rc, _("write the snapshot"));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  attach = sqlite3_mprintf ("ATTACH %Q AS src;", db_path);
  /* Translators: completes "Could not %s: <database message>" */
  ok = create_schema (db, error) && sapa_store_exec (db, attach, _("write the snapshot"), error);
  sqlite3_free (attach);
  if (ok && !fill_snapshot (db, &job, error))
    {
      sqlite3_exec (db, "ROLLBACK;", NULL, NULL, NULL);
      ok = FALSE;
    }
  sqlite3_close (db);
  if (!ok)
    g_unlink (dest_path);
  return ok;
}

/* -- loading (the desk) --------------------------------------------------- */

typedef struct {
  gboolean      loaded;
  char         *cursor;
  GCancellable *cancellable;
} LoadJob;

/* SQLite's progress handler: a non-zero answer interrupts the statement. */
static int
load_cancelled (void *data)
{
  return g_cancellable_is_cancelled (G_CANCELLABLE (data));
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* Only an empty desk with nothing left to send takes a snapshot: its rows
 * replace the desk's own branch and agent rows, which the server holds
 * already (everything was pushed first). */
static const char empty_desk_sql[] =
  "SELECT NOT (" SAPA_STORE_HOLDS_RECORDS_SQL " OR EXISTS (SELECT 1 FROM main.change_log WHERE pushed_at IS NULL));";

gboolean
sapa_snapshot_wanted (SapaStore *store)
{
  sqlite3 *db;
  g_autofree char *empty = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);

  db = sapa_store_acquire_reader (store);
  empty = query_text (db, empty_desk_sql);
  sapa_store_release_reader (store, db);
  return g_strcmp0 (empty, "1") == 0;
}

static gboolean
load_in_transaction (sqlite3   *db,
                     gpointer   data,
                     GError   **error)
{
  LoadJob *job = data;
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("copy the received records");
  g_autofree char *empty = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GPtrArray) triggers = NULL;
  g_autofree char *same_zone = NULL;
  gint64 started, copied, indexed;
  char *sql;
  gboolean ok = TRUE;

  /* The file must be a snapshot of this very schema. */
  version = query_text (db, "PRAGMA snap.user_version;");
  job->cursor = query_text (db, "SELECT value FROM snap.desk_meta WHERE key = 'snapshot_cursor';");
  if (version == NULL || job->cursor == NULL ||
      g_ascii_strtoull (version, NULL, 10) != sapa_schema_get_n_migrations ())
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("The data received from the server are not a snapshot this version of Sapa can read."));
      return FALSE;
    }

  /* Checked again under the write lock: an edit may have come meanwhile. */
  empty = query_text (db, empty_desk_sql);
  if (empty == NULL || !g_str_equal (empty, "1"))
    return TRUE;

  if ((triggers = sapa_store_take_out_triggers (db, error)) == NULL)
    return FALSE;
  /* A desk closing meanwhile stops the copy; the transaction is rolled back. */
  if (job->cancellable != NULL)
    sqlite3_progress_handler (db, 100000, load_cancelled, job->cancellable);
  started = g_get_monotonic_time ();
  for (guint i = 0; ok && record_tables[i] != NULL; i++)
    {
      sql = g_strdup_printf ("DELETE FROM main.\"%s\" AS d WHERE EXISTS (SELECT 1 FROM snap.\"%s\" AS s WHERE s.id = d.id);",
                             record_tables[i], record_tables[i]);
      ok = sapa_store_exec (db, sql, what, error) && copy_table (db, "snap", record_tables[i], NULL, NULL, error);
      g_free (sql);
    }
  for (guint i = 0; ok && search_tables[i] != NULL; i++)
    ok = copy_table (db, "snap", search_tables[i], NULL, NULL, error);
  for (guint i = 0; ok && sapa_metrics_rollup_tables[i] != NULL; i++)
    ok = copy_table (db, "snap", sapa_metrics_rollup_tables[i], NULL, NULL, error);
  copied = g_get_monotonic_time ();
  ok = ok && sapa_store_rebuild_fts (db, error);
  indexed = g_get_monotonic_time ();
  /* The daily figures follow this desk's own time zone: taken as they are
   * when the server keeps them in the same one, made from the hourly ones
   * otherwise. */
  same_zone = query_text (db, "SELECT (SELECT value FROM main.desk_meta WHERE key = 'metrics_utc_offset') = "
                              "(SELECT value FROM snap.desk_meta WHERE key = 'metrics_utc_offset');");
  if (g_strcmp0 (same_zone, "1") == 0)
    for (guint i = 0; ok && sapa_metrics_daily_tables[i] != NULL; i++)
      ok = copy_table (db, "snap", sapa_metrics_daily_tables[i], NULL, NULL, error);
  else
    ok = ok && sapa_metrics_refill_daily_db (db, error);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  ok = ok && sapa_store_put_back (db, triggers, error);
  if (!ok)
    return FALSE;
  g_debug ("Snapshot copied in %.1f s, name index %.1f s, daily figures %.1f s (%s)",
           (copied - started) / 1e6, (indexed - copied) / 1e6, (g_get_monotonic_time () - indexed) / 1e6,
           g_strcmp0 (same_zone, "1") == 0 ? "copied" : "refilled in this desk's zone");

  sql = sqlite3_mprintf ("INSERT OR REPLACE INTO main.desk_meta (key, value) VALUES ('sync_cursor', %Q);", job->cursor);
  ok = sapa_store_exec (db, sql, what, error);
  sqlite3_free (sql);
  job->loaded = ok;
  return ok;
}

gboolean
sapa_snapshot_load (SapaStore     *store,
                    const char    *path,
                    gboolean      *out_loaded,
                    char         **out_cursor,
                    GCancellable  *cancellable,
                    GError       **error)
{
  static const char * const entities[] = {
    "branch", "agent", "canned_response", "customer", "conversation", "interaction", "survey_response",
  };
  LoadJob job = { FALSE, NULL, cancellable };
  g_autoptr(GError) local = NULL;
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL && out_loaded != NULL, FALSE);

  ok = sapa_store_run_attached (store, path, "snap", load_in_transaction, &job, &local);
  if (!ok && !g_cancellable_set_error_if_cancelled (cancellable, error))
    g_propagate_error (error, g_steal_pointer (&local));
  *out_loaded = ok && job.loaded;
  if (*out_loaded)
    {
      /* The copy went through the write-ahead log: give its space back. */
      sapa_store_shrink_wal (store);
      /* Lookups and lists made while the desk was empty look again. */
      for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
        sapa_store_emit_changed (store, entities[i], NULL);
      if (out_cursor != NULL)
        *out_cursor = g_steal_pointer (&job.cursor);
    }
  g_free (job.cursor);
  return ok;
}
