/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <sapa/sapa-store.h>
#include <sapa/sapa-change.h>

G_BEGIN_DECLS

guint       sapa_schema_get_n_migrations (void);
const char *sapa_schema_get_migration    (guint version);

/* A read connection of the pool, for one thread at a time; give it back. */
sqlite3    *sapa_store_acquire_reader    (SapaStore *self);
void        sapa_store_release_reader    (SapaStore *self,
                                          sqlite3   *db);

/* Sets @error from the connection's last error, with @what as context. */
void        sapa_store_set_sqlite_error  (GError   **error,
                                          sqlite3   *db,
                                          int        rc,
                                          const char *what);

/* sqlite3_exec that sets @error, with @what as context. */
gboolean    sapa_store_exec              (sqlite3     *db,
                                          const char  *sql,
                                          const char  *what,
                                          GError     **error);

/* sqlite3_prepare_v2 that sets @error, with @what ("read the timeline") as
 * context; NULL says "prepare a database statement". */
gboolean    sapa_store_prepare           (sqlite3       *db,
                                          const char    *sql,
                                          sqlite3_stmt **stmt,
                                          const char    *what,
                                          GError       **error);

/* Builds a record from the current row of @stmt whose columns are the
 * entity's fields (in descriptor order) starting at column @first, then "id". */
SapaRecord *sapa_store_record_from_row   (const SapaEntity *entity,
                                          sqlite3_stmt     *stmt,
                                          int               first);
/* "id, f1, f2, ..." for SELECTs in descriptor order; static per entity. */
const char *sapa_store_select_columns    (const SapaEntity *entity);

/* Hooks of sapa_store_apply_changes_full(), called inside its transaction on
 * the writer connection. @before may skip a change by setting *status to
 * DUPLICATE or REJECTED (with a *reason); returning FALSE aborts everything. */
typedef struct {
  gboolean (*before) (sqlite3          *db,
                      SapaChange       *change,
                      SapaApplyStatus  *status,
                      char            **reason,
                      gpointer          data,
                      GError          **error);
  gboolean (*after)  (sqlite3          *db,
                      SapaChange       *change,
                      SapaApplyStatus   status,
                      const char       *reason,
                      gpointer          data,
                      GError          **error);
  /* Write each change's winning fields to the change log with its origin (the server). */
  gboolean log_changes;
} SapaApplyHooks;

gboolean    sapa_store_apply_changes_full (SapaStore             *self,
                                           GPtrArray             *changes,
                                           const SapaApplyHooks  *hooks,
                                           gpointer               data,
                                           const char            *cursor,
                                           GArray                *statuses,
                                           GError               **error);

/* Emits ::changed (@entity, @id) on the owner's context after a write made
 * through sapa_store_run_in_transaction(); @id NULL: any record of @entity. */
void        sapa_store_emit_changed       (SapaStore            *self,
                                           const char           *entity,
                                           const char           *id);

typedef gboolean (*SapaTransactionFunc) (sqlite3  *db,
                                         gpointer  data,
                                         GError  **error);
/* Runs @func on the writer connection inside BEGIN IMMEDIATE ... COMMIT
 * (ROLLBACK when it returns FALSE). */
gboolean    sapa_store_run_in_transaction (SapaStore            *self,
                                           SapaTransactionFunc   func,
                                           gpointer              data,
                                           GError              **error);

/* -- bulk loads -------------------------------------------------------------
 *
 * Loading many records into an empty database is several times faster without
 * the secondary indexes and the triggers of the loaded tables (customer,
 * conversation, interaction, survey_response): the indexes are built once at
 * the end and the search tables filled in one pass. Used by sapa-admin demo
 * (sapa_demo_generate) and by an empty desk's first sync.
 */

/* Drops the non-unique indexes and the triggers of the loaded tables on @db
 * (inside the caller's transaction) and returns their SQL as sqlite_master
 * holds it, in creation order, to be executed again afterwards. */
GPtrArray  *sapa_store_take_out_indexes_and_triggers (sqlite3  *db,
                                                      GError  **error);
/* Fills the search tables (customer_fts, customer_phone, customer_email,
 * customer_handle) from the customer rows as the triggers would have, inside
 * the caller's transaction. */
gboolean    sapa_store_rebuild_search    (sqlite3  *db,
                                          GError  **error);

/* The branch a record of @entity belongs to (DESIGN.md, "Who may see
 * what"), as an SQL expression over its row @alias that reads other tables
 * of @schema; "NULL" for records of every branch. The server logs each
 * change with it and snapshots filter rows by it. */
char       *sapa_store_branch_sql        (const char *entity,
                                          const char *alias,
                                          const char *schema);

/* Drops every trigger of the main database (inside the caller's
 * transaction) and returns their SQL; sapa_store_put_back() runs such SQL. */
GPtrArray  *sapa_store_take_out_triggers (sqlite3  *db,
                                          GError  **error);
gboolean    sapa_store_put_back          (sqlite3    *db,
                                          GPtrArray  *saved,
                                          GError    **error);
/* Fills the full-text index of customer names and emails from the customer
 * rows (the other search tables are left as they are). */
gboolean    sapa_store_rebuild_fts       (sqlite3  *db,
                                          GError  **error);

/* Attaches the database file @path as @alias to the writer connection, with
 * foreign keys off, and runs @func inside BEGIN IMMEDIATE ... COMMIT
 * (ROLLBACK when it returns FALSE); detaches afterwards. */
gboolean    sapa_store_run_attached      (SapaStore            *self,
                                          const char           *path,
                                          const char           *alias,
                                          SapaTransactionFunc   func,
                                          gpointer              data,
                                          GError              **error);

/* Copies the write-ahead log into the database and empties its file (after
 * a transaction as large as a snapshot's, which would otherwise keep its
 * size on disk). */
void        sapa_store_shrink_wal        (SapaStore            *self);

/* An SQL condition: the desk holds records of its own (customers,
 * conversations, contacts or ratings); branch, agent and canned-response
 * rows do not count. Neither a bulk load nor a snapshot starts then. */
#define SAPA_STORE_HOLDS_RECORDS_SQL \
  "(EXISTS (SELECT 1 FROM main.customer) OR EXISTS (SELECT 1 FROM main.conversation) " \
  "OR EXISTS (SELECT 1 FROM main.interaction) OR EXISTS (SELECT 1 FROM main.survey_response))"

/* -- snapshots (src/core/sapa-snapshot.c) -----------------------------------
 *
 * An empty desk's first sync can start from a snapshot instead of pulling
 * every change: a desk database file the server writes with the records the
 * desk's user may see and the cursor of the change log they reflect.
 */

/* Makes the cursor stored in a snapshot from the server's last sequence
 * number at the time the snapshot was read. */
typedef char *(*SapaSnapshotCursorFunc) (gint64   seq,
                                         gpointer data);

/* Writes a new desk database at @dest_path (which must not exist) from the
 * server database @db_path, in one read transaction of it: the records of
 * the branches in @branches (a JSON array of branch ids, as the pull route
 * filters them; NULL: every record, audit events included), their search
 * tables and metrics rollups, and desk_meta "snapshot_cursor". */
gboolean    sapa_snapshot_write          (const char              *db_path,
                                          const char              *dest_path,
                                          const char              *branches,
                                          SapaSnapshotCursorFunc   cursor_func,
                                          gpointer                 data,
                                          GError                 **error);

/* Whether @store would take a snapshot now (see sapa_snapshot_load()). */
gboolean    sapa_snapshot_wanted         (SapaStore   *store);

/* Loads the snapshot file @path into @store in one transaction when the
 * store holds no customer, conversation, interaction or survey response and
 * no change waits to be pushed; *out_loaded says whether it did, and
 * *out_cursor is then the cursor to pull on from. A file that is not a
 * snapshot of this schema gives an error of SAPA_STORE_ERROR_INVALID (or
 * _CORRUPT); cancelling @cancellable stops the copy with nothing written
 * (G_IO_ERROR_CANCELLED). */
gboolean    sapa_snapshot_load           (SapaStore     *store,
                                          const char    *path,
                                          gboolean      *out_loaded,
                                          char         **out_cursor,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* An empty desk's first sync. When the store holds no customers,
 * conversations, interactions or survey responses, takes out the indexes and
 * triggers and writes desk_meta "bulk_load" (the SQL to put back, a JSON
 * array) in the same transaction; *out_started says whether the store now
 * loads in bulk (also TRUE when it already did). Meanwhile
 * sapa_store_apply_changes() inserts new records without reading first and
 * falls back to the field-by-field merge for anything else; search finds only
 * what the desk held before (nothing). sapa_store_bulk_finish() puts the
 * schema back, fills the search tables, the customers' last contact and the
 * rollups, and clears the flag, in one transaction. A load interrupted
 * before that is finished by the next sapa_store_open(). */
gboolean    sapa_store_bulk_begin        (SapaStore  *self,
                                          gboolean   *out_started,
                                          GError    **error);
gboolean    sapa_store_bulk_finish       (SapaStore  *self,
                                          GError    **error);
gboolean    sapa_store_is_bulk_loading   (SapaStore  *self);

G_END_DECLS
