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

G_END_DECLS
