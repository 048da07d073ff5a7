/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <glib.h>

G_BEGIN_DECLS

/* Empties and refills every metrics rollup table from the records, on @db,
 * inside the caller's transaction (bulk loads: sapa-demo, the first sync of
 * an empty desk). Self-contained: needs only the schema (migrations 4 and 5). */
gboolean sapa_metrics_rebuild_db (sqlite3  *db,
                                  GError  **error);

/* The rollup tables, for tests that compare their contents: the hourly ones
 * of migration 4, and the daily ones (and the hourly volume) of migration 5. */
/* Empties the daily tables and fills them again from the hourly ones with
 * the offset in desk_meta, inside the caller's transaction. */
gboolean sapa_metrics_refill_daily_db (sqlite3  *db,
                                       GError  **error);

extern const char * const sapa_metrics_rollup_tables[];
extern const char * const sapa_metrics_daily_tables[];

/* Refills the daily tables of migration 5 from the hourly ones, with the
 * offset in desk_meta "metrics_utc_offset" (sapa-schema.c; part of migration 5). */
extern const char sapa_schema_metrics_daily_fill[];

/* The zone a new desk's daily figures use: the machine's local zone when its
 * offset from UTC is a whole number of hours and has not changed for a year
 * nor will for a year, else UTC. @identifier: newly allocated. */
void sapa_metrics_default_zone (char **identifier,
                                int   *offset);

G_END_DECLS
