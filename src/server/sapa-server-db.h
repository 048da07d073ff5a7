/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

/* The server's database file inside its data directory. */
#define SAPA_SERVER_DB_FILE "sapa-server.sqlite"

/* The version of the server's own tables this build writes. */
#define SAPA_SERVER_DB_SCHEMA_VERSION 3

#define SAPA_SERVER_DB_ERROR (sapa_server_db_error_quark ())
typedef enum {
  SAPA_SERVER_DB_ERROR_NO_DATA,    /* no server database in the data directory */
  SAPA_SERVER_DB_ERROR_TOO_NEW,    /* server tables written by a newer sapa-server */
  SAPA_SERVER_DB_ERROR_FAILED,
} SapaServerDbError;
GQuark      sapa_server_db_error_quark (void);

/*
 * Opens DATA_DIR/sapa-server.sqlite through sapa_store_open (libsapa's schema)
 * and brings the server's own tables up to date (credential, token,
 * agent_branch, login_failure, push_result, channel, inbound_message,
 * outbound_queue, server_meta). The version of those tables is kept in
 * server_meta under 'server_schema'; the database's epoch (random hex, made
 * once when the tables are created) under 'epoch'.
 *
 * With @create FALSE a missing database is an error (NO_DATA) that tells the
 * person to run `sapa-server init`. With @create TRUE the directory and the
 * database are made when missing.
 */
SapaStore  *sapa_server_db_open        (const char  *data_dir,
                                        gboolean     create,
                                        GError     **error);

/* DATA_DIR/sapa-server.sqlite (a new string). */
char       *sapa_server_db_path        (const char  *data_dir);

/* The epoch made at init (a new string), or NULL with @error set. */
char       *sapa_server_db_dup_epoch   (SapaStore   *store,
                                        GError     **error);

/* A value of server_meta (a new string) or NULL when unset. */
char       *sapa_server_db_dup_meta    (SapaStore   *store,
                                        const char  *key);

typedef gboolean (*SapaServerDbWriteFunc) (sqlite3   *db,
                                           gpointer   user_data,
                                           GError   **error);

/* Runs @func inside one BEGIN IMMEDIATE transaction on the store's writer
 * connection: committed when it returns TRUE, rolled back otherwise. Every
 * write to the server tables goes through here. */
gboolean    sapa_server_db_write       (SapaStore              *store,
                                        SapaServerDbWriteFunc   func,
                                        gpointer                user_data,
                                        GError                **error);

/* Small helpers for code that runs SQL on the server tables. */
gboolean    sapa_server_db_exec        (sqlite3     *db,
                                        const char  *sql,
                                        GError     **error);
/* 32 random bytes as lowercase hex (64 characters): epochs, channel secrets. */
char       *sapa_server_random_hex     (gsize        n_bytes);

G_END_DECLS
