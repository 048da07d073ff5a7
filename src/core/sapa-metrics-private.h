/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/* Empties and refills every metrics rollup table from the records, on @db,
 * inside the caller's transaction (bulk loads: sapa-demo, the first sync of
 * an empty desk). Self-contained: needs only the schema of migration 4. */
gboolean sapa_metrics_rebuild_db (sqlite3  *db,
                                  GError  **error);

/* The rollup tables, for tests that compare their contents. */
extern const char * const sapa_metrics_rollup_tables[];

G_END_DECLS
