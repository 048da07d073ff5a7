/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sapa/sapa.h>
#include <sapa/sapa-sync.h>

G_BEGIN_DECLS

/*
 * Helpers shared by the sync integration tests and the sync benchmarks: a
 * real sapa-server on 127.0.0.1 in a temporary data directory (started,
 * killed and restarted as a process), its admin subcommands, signing a real
 * SapaSync in, and a canonical dump of a database's records for comparing
 * databases row by row.
 */

typedef struct {
  char        *root;       /* temporary directory holding everything below */
  char        *data_dir;   /* the server's --data */
  char        *binary;
  GSubprocess *process;    /* NULL while stopped */
  guint16      port;       /* kept across restarts once known */
  char        *url;        /* http://127.0.0.1:PORT */
  guint        starts;
  gboolean     no_snapshots;  /* started with --no-snapshots */
} SapaTestServer;

/* The sapa-server program: $SAPA_SERVER, else the one of this build tree. */
const char     *sapa_test_server_binary      (void);

/* A new temporary directory with `sapa-server init` run on a data dir in it,
 * or with @data_dir used as it is when not NULL (kept on free). */
SapaTestServer *sapa_test_server_new         (const char      *data_dir,
                                              GError         **error);
/* Runs `sapa-server ARGS... --data DIR` (the subcommand first), feeding
 * @input on standard input; returns its standard output. */
char           *sapa_test_server_admin       (SapaTestServer  *server,
                                              const char      *input,
                                              GError         **error,
                                              const char      *subcommand,
                                              ...) G_GNUC_NULL_TERMINATED;
/* `sapa-server branch add` of a bank branch named @name; returns its id. */
char           *sapa_test_server_add_branch  (SapaTestServer  *server,
                                              const char      *name);
/* `sapa-server user add`; @role "agent", "supervisor" or "admin". */
gboolean        sapa_test_server_add_user    (SapaTestServer  *server,
                                              const char      *username,
                                              const char      *password,
                                              const char      *role,
                                              const char      *branch_id,
                                              GError         **error);
/* Starts `sapa-server serve` (port 0 the first time, then the same port) and
 * waits until it prints that it listens. */
gboolean        sapa_test_server_start       (SapaTestServer  *server,
                                              GError         **error);
/* SIGKILL: no chance to finish anything. */
void            sapa_test_server_kill        (SapaTestServer  *server);
/* SIGTERM and wait. */
void            sapa_test_server_stop        (SapaTestServer  *server);
char           *sapa_test_server_db_path     (SapaTestServer  *server);
/* Stops the server and removes its temporary directory. */
void            sapa_test_server_free        (SapaTestServer  *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaTestServer, sapa_test_server_free)

/* Signs @sync in through sapa_sync_sign_in_async, iterating the thread-default
 * main context until it finishes. */
gboolean        sapa_test_sign_in            (SapaSync        *sync,
                                              const char      *url,
                                              const char      *username,
                                              const char      *password,
                                              GError         **error);

/* Every record of the database file at @path, one line per row
 * "table<TAB>{json}", tables in a fixed order and rows by id; columns derived
 * on one desk only (rowids, search keys, last contact) are left out and the
 * per-field stamps are written with their keys sorted, so two databases
 * holding the same records give the same text. */
char           *sapa_test_dump_records       (const char      *path,
                                              GError         **error);
/* Fails the test, naming the first differing line, when the dumps differ. */
void            sapa_test_assert_dumps_equal (const char      *dump_a,
                                              const char      *name_a,
                                              const char      *dump_b,
                                              const char      *name_b);
/* The integer the query @sql answers in the database file at @path (-1 on failure). */
gint64          sapa_test_query_int          (const char      *path,
                                              const char      *sql);

/* Removes @dir and everything under it. */
void            sapa_test_remove_tree        (const char      *dir);

/* Milliseconds of a monotonic clock. */
static inline double
sapa_test_now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

G_END_DECLS
