/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"

#define MAX_READERS 4
#define BUSY_TIMEOUT_MS 3000
/* Beyond this many records in one transaction, ::changed says "many" once. */
#define MANY_CHANGES 64

struct _SapaStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *writer;
  GMutex        write_lock;
  GAsyncQueue  *readers;
  guint         n_readers;
  GMutex        readers_lock;
  SapaHlc      *hlc;
  char         *client_id;
  int           schema_version;
  GMainContext *owner_context;
  GHashTable   *statements;   /* SQL -> prepared statement of the writer; under write_lock */
  GHashTable   *inserts;      /* SapaEntity -> its INSERT statement of the writer; under write_lock */
  /* An empty desk's first sync is loading in bulk (under write_lock): the
   * index and trigger SQL taken out for it, NULL otherwise. */
  GPtrArray    *bulk_saved;
};

G_DEFINE_FINAL_TYPE (SapaStore, sapa_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (sapa-store-error-quark, sapa_store_error)

enum {
  CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* -- helpers ------------------------------------------------------------ */

void
sapa_store_set_sqlite_error (GError    **error,
                             sqlite3    *db,
                             int         rc,
                             const char *what)
{
  int code;
  const char *detail = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT,
                   _("The database is damaged or is not a Sapa database (%s). Choose another file or restore a backup."),
                   detail);
      return;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error_literal (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_LOCKED,
                           _("The database is in use by another program. Close that program and try again, or choose another file."));
      return;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      code = SAPA_STORE_ERROR_CANNOT_OPEN;
      break;
    case SQLITE_CONSTRAINT:
      code = SAPA_STORE_ERROR_INVALID;
      break;
    default:
      code = SAPA_STORE_ERROR_FAILED;
      break;
    }
  if (code == SAPA_STORE_ERROR_CANNOT_OPEN)
    g_set_error (error, SAPA_STORE_ERROR, code,
                 _("Could not open the database (%s). Check that the folder exists and that you may write to it."),
                 detail);
  else
    g_set_error (error, SAPA_STORE_ERROR, code,
                 /* Translators: first %s is what was being done, second the database's own message */
                 _("Could not %s: %s"), what, detail);
}

static void
fold_func (sqlite3_context  *ctx,
           int               argc,
           sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  g_autofree char *folded = NULL;

  if (text == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  folded = sapa_text_fold (text);
  sqlite3_result_text (ctx, folded, -1, SQLITE_TRANSIENT);
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      const char  *what,
      GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
sapa_store_exec (sqlite3     *db,
                 const char  *sql,
                 const char  *what,
                 GError     **error)
{
  return exec (db, sql, what, error);
}

static sqlite3 *
open_connection (const char  *path,
                 gboolean     reader,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | (reader ? 0 : SQLITE_OPEN_CREATE) |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("open the database"));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  sqlite3_create_function (db, "sapa_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                           NULL, fold_func, NULL, NULL);
  if (!exec (db,
             "PRAGMA foreign_keys = ON;"
             "PRAGMA synchronous = NORMAL;"
             "PRAGMA temp_store = MEMORY;"
             "PRAGMA cache_size = -32000;"
             "PRAGMA mmap_size = 268435456;",
             _("set up the database connection"), error))
    {
      sqlite3_close (db);
      return NULL;
    }
  if (reader && !exec (db, "PRAGMA query_only = ON;", _("set up the database connection"), error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static int
pragma_int (sqlite3    *db,
            const char *sql,
            int        *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          value = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return value;
}

/* -- columns and rows ----------------------------------------------------- */

const char *
sapa_store_select_columns (const SapaEntity *entity)
{
  static GHashTable *cache;
  static GMutex lock;
  const char *cols;

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  cols = g_hash_table_lookup (cache, entity->name);
  if (cols == NULL)
    {
      GString *s = g_string_new ("id");

      for (guint i = 0; i < entity->n_fields; i++)
        g_string_append_printf (s, ", %s", entity->fields[i].name);
      cols = g_string_free (s, FALSE);
      g_hash_table_insert (cache, (gpointer) entity->name, (gpointer) cols);
    }
  g_mutex_unlock (&lock);
  return cols;
}

SapaRecord *
sapa_store_record_from_row (const SapaEntity *entity,
                            sqlite3_stmt     *stmt,
                            int               first)
{
  SapaRecord *record = sapa_record_new_with_id (entity->name,
                                                (const char *) sqlite3_column_text (stmt, first));

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const SapaField *f = &entity->fields[i];
      int col = first + 1 + i;

      if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
        continue;
      switch (f->type)
        {
        case SAPA_FIELD_TEXT:
          sapa_record_set_string (record, f->name, (const char *) sqlite3_column_text (stmt, col));
          break;
        case SAPA_FIELD_INT:
        case SAPA_FIELD_TIME:
        case SAPA_FIELD_BOOL:
          sapa_record_set_int (record, f->name, sqlite3_column_int64 (stmt, col));
          break;
        case SAPA_FIELD_LIST:
          {
            g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, col), NULL);
            g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
            g_auto(GStrv) values = NULL;

            if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
              {
                JsonArray *a = json_node_get_array (node);
                for (guint j = 0; j < json_array_get_length (a); j++)
                  {
                    const char *v = json_array_get_string_element (a, j);
                    if (v != NULL)
                      g_strv_builder_add (b, v);
                  }
              }
            values = g_strv_builder_end (b);
            sapa_record_set_list (record, f->name, (const char * const *) values);
          }
          break;
        }
    }
  return record;
}

static char *
list_to_json (SapaRecord *record,
              const char *field)
{
  g_auto(GStrv) values = sapa_record_dup_list (record, field);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  for (guint i = 0; values[i] != NULL; i++)
    json_array_add_string_element (array, values[i]);
  json_node_take_array (node, array);
  return json_to_string (node, FALSE);
}

static void
bind_field (sqlite3_stmt    *stmt,
            int              idx,
            SapaRecord      *record,
            const SapaField *f)
{
  if (!sapa_record_has (record, f->name))
    {
      if (f->type == SAPA_FIELD_LIST)
        sqlite3_bind_text (stmt, idx, "[]", -1, SQLITE_STATIC);
      else if (f->type == SAPA_FIELD_BOOL)
        sqlite3_bind_int (stmt, idx, 0);
      else
        sqlite3_bind_null (stmt, idx);
      return;
    }
  switch (f->type)
    {
    case SAPA_FIELD_TEXT:
      sqlite3_bind_text (stmt, idx, sapa_record_get_string (record, f->name), -1, SQLITE_TRANSIENT);
      break;
    case SAPA_FIELD_INT:
    case SAPA_FIELD_TIME:
    case SAPA_FIELD_BOOL:
      sqlite3_bind_int64 (stmt, idx, sapa_record_get_int (record, f->name));
      break;
    case SAPA_FIELD_LIST:
      sqlite3_bind_text (stmt, idx, list_to_json (record, f->name), -1, g_free);
      break;
    }
}

/* -- GObject -------------------------------------------------------------- */

static void
sapa_store_finalize (GObject *object)
{
  SapaStore *self = SAPA_STORE (object);
  sqlite3 *db;

  if (self->readers != NULL)
    {
      while ((db = g_async_queue_try_pop (self->readers)) != NULL)
        sqlite3_close_v2 (db);
      g_async_queue_unref (self->readers);
    }
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->inserts, g_hash_table_unref);
  g_clear_pointer (&self->bulk_saved, g_ptr_array_unref);
  if (self->writer != NULL)
    {
      /* Leave a small WAL behind for the next start. */
      sqlite3_exec (self->writer, "PRAGMA wal_checkpoint(PASSIVE);", NULL, NULL, NULL);
      sqlite3_close_v2 (self->writer);
    }
  g_mutex_clear (&self->write_lock);
  g_mutex_clear (&self->readers_lock);
  g_clear_pointer (&self->hlc, sapa_hlc_free);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_free (self->client_id);
  g_free (self->path);

  G_OBJECT_CLASS (sapa_store_parent_class)->finalize (object);
}

static void
sapa_store_class_init (SapaStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sapa_store_finalize;

  /**
   * SapaStore::changed:
   * @entity: the entity name
   * @id: (nullable): the record id, or %NULL when many records of @entity changed
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_STRING);
}

static void
sapa_store_init (SapaStore *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->readers_lock);
  self->readers = g_async_queue_new ();
  self->hlc = sapa_hlc_new ();
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->inserts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
}

/* -- opening -------------------------------------------------------------- */

static gboolean
migrate (SapaStore  *self,
         GError    **error)
{
  int rc;
  int version = pragma_int (self->writer, "PRAGMA user_version;", &rc);

  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("read the database version"));
      return FALSE;
    }
  if (version > SAPA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_TOO_NEW,
                   _("This database was written by a newer version of Sapa (schema %d; this version knows up to %d). Update Sapa or choose another file."),
                   version, SAPA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (guint v = version + 1; v <= sapa_schema_get_n_migrations (); v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u;", v);

      if (!exec (self->writer, "BEGIN IMMEDIATE;", _("upgrade the database"), error))
        return FALSE;
      if (!exec (self->writer, sapa_schema_get_migration (v), _("upgrade the database"), error) ||
          !exec (self->writer, set_version, _("upgrade the database"), error) ||
          !exec (self->writer, "COMMIT;", _("upgrade the database"), error))
        {
          sqlite3_exec (self->writer, "ROLLBACK;", NULL, NULL, NULL);
          return FALSE;
        }
      g_debug ("migrated %s to schema %u", self->path, v);
    }
  self->schema_version = sapa_schema_get_n_migrations ();
  return TRUE;
}

static gboolean recover_bulk_load (SapaStore  *self,
                                   GError    **error);

static gboolean
load_identity (SapaStore  *self,
               GError    **error)
{
  g_autofree char *client_id = sapa_store_dup_meta (self, "client_id");
  sqlite3_stmt *stmt = NULL;

  if (client_id == NULL)
    {
      client_id = sapa_uuid_new ();
      if (!sapa_store_set_meta (self, "client_id", client_id, error))
        return FALSE;
    }
  self->client_id = g_steal_pointer (&client_id);

  /* Stamps never go backwards across restarts, even if the clock did. */
  if (sqlite3_prepare_v2 (self->writer, "SELECT max(hlc) FROM change_log;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    sapa_hlc_observe (self->hlc, (guint64) sqlite3_column_int64 (stmt, 0), -1, NULL);
  sqlite3_finalize (stmt);
  return TRUE;
}

static SapaStore *
open_store (const char    *path,
            GMainContext  *owner,
            GError       **error)
{
  g_autoptr(SapaStore) self = NULL;
  g_autofree char *dir = NULL;
  int rc;
  char *mode = NULL;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CANNOT_OPEN,
                   _("The folder “%s” does not exist. Choose another file or create the folder."), dir);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CANNOT_OPEN,
                   _("“%s” is a folder, not a database file. Choose a file."), path);
      return NULL;
    }

  self = g_object_new (SAPA_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->owner_context = owner ? g_main_context_ref (owner) : g_main_context_ref_thread_default ();

  self->writer = open_connection (path, FALSE, error);
  if (self->writer == NULL)
    return NULL;

  /* The first read tells a damaged file or a foreign lock apart from a good database. */
  pragma_int (self->writer, "PRAGMA schema_version;", &rc);
  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("read the database"));
      return NULL;
    }

  if (sqlite3_prepare_v2 (self->writer, "PRAGMA journal_mode = WAL;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    mode = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  rc = sqlite3_errcode (self->writer);
  sqlite3_finalize (stmt);
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_free (mode);
      sapa_store_set_sqlite_error (error, self->writer, rc == SQLITE_OK || rc == SQLITE_DONE ? SQLITE_BUSY : rc,
                                   _("switch the database to write-ahead logging"));
      return NULL;
    }
  g_free (mode);

  /* Finding the newest stamp reads the whole change log once: let it pass
   * through a small cache instead of filling the writer's with pages that
   * writes rarely need (on a large desk that is tens of megabytes kept). */
  if (!recover_bulk_load (self, error))
    return NULL;
  sqlite3_exec (self->writer, "PRAGMA cache_size = 64;", NULL, NULL, NULL);
  if (!migrate (self, error) || !load_identity (self, error))
    return NULL;
  sqlite3_exec (self->writer, "PRAGMA cache_size = -32000;", NULL, NULL, NULL);
  /* Checkpoint the WAL every 64 MB rather than every 4 MB: a first sync
   * writes the same index pages page after page, and each checkpoint copied
   * them to the database again. The WAL still never grows without bound. */
  sqlite3_exec (self->writer, "PRAGMA wal_autocheckpoint = 16384;", NULL, NULL, NULL);

  return g_steal_pointer (&self);
}

SapaStore *
sapa_store_open (const char  *path,
                 GError     **error)
{
  return open_store (path, NULL, error);
}

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  SapaStore *store = open_store (task_data, g_task_get_context (task), &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
sapa_store_open_async (const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sapa_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

SapaStore *
sapa_store_open_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
sapa_store_get_path (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  return self->path;
}

int
sapa_store_get_schema_version (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), 0);
  return self->schema_version;
}

const char *
sapa_store_get_client_id (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  return self->client_id;
}

/* -- readers -------------------------------------------------------------- */

sqlite3 *
sapa_store_acquire_reader (SapaStore *self)
{
  sqlite3 *db = g_async_queue_try_pop (self->readers);

  if (db != NULL)
    return db;

  g_mutex_lock (&self->readers_lock);
  if (self->n_readers < MAX_READERS)
    {
      g_autoptr(GError) error = NULL;

      db = open_connection (self->path, TRUE, &error);
      if (db != NULL)
        self->n_readers++;
      else
        g_warning ("Could not open a read connection: %s", error->message);
    }
  g_mutex_unlock (&self->readers_lock);

  return db != NULL ? db : g_async_queue_pop (self->readers);
}

void
sapa_store_release_reader (SapaStore *self,
                           sqlite3   *db)
{
  g_async_queue_push (self->readers, db);
}

/* -- meta ----------------------------------------------------------------- */

char *
sapa_store_dup_meta (SapaStore  *self,
                     const char *key)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);

  g_mutex_lock (&self->write_lock);
  if (sqlite3_prepare_v2 (self->writer, "SELECT value FROM desk_meta WHERE key = ?;", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->write_lock);
  return value;
}

gboolean
sapa_store_set_meta (SapaStore   *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);

  g_mutex_lock (&self->write_lock);
  rc = sqlite3_prepare_v2 (self->writer,
                           value ? "INSERT INTO desk_meta (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
                                 : "DELETE FROM desk_meta WHERE key = ?1;",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (value)
        sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    sapa_store_set_sqlite_error (error, self->writer, rc, _("save the desk settings"));
  g_mutex_unlock (&self->write_lock);
  return rc == SQLITE_DONE || rc == SQLITE_OK;
}

/* -- reading records ------------------------------------------------------ */

static SapaRecord *
get_on (sqlite3          *db,
        const SapaEntity *entity,
        const char       *id,
        gboolean          include_deleted,
        gboolean         *out_deleted,
        GError          **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  SapaRecord *record = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT %s%s FROM %s WHERE id = ?;", sapa_store_select_columns (entity),
                         entity->append_only ? ", 0" : ", deleted", entity->name);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      gboolean deleted = sqlite3_column_int (stmt, entity->n_fields + 1) != 0;

      if (out_deleted)
        *out_deleted = deleted;
      if (!deleted || include_deleted)
        record = sapa_store_record_from_row (entity, stmt, 0);
      rc = SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    sapa_store_set_sqlite_error (error, db, rc, _("read a record"));
  return record;
}

static const SapaEntity *
entity_or_error (const char  *name,
                 GError     **error)
{
  const SapaEntity *entity = sapa_entity_lookup (name);

  if (entity == NULL)
    g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                 _("Unknown record type “%s”"), name ? name : "");
  return entity;
}

SapaRecord *
sapa_store_get (SapaStore   *self,
                const char  *entity,
                const char  *id,
                GError     **error)
{
  const SapaEntity *e;
  sqlite3 *db;
  SapaRecord *record;
  GError *local = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if ((e = entity_or_error (entity, error)) == NULL)
    return NULL;
  db = sapa_store_acquire_reader (self);
  record = get_on (db, e, id, FALSE, NULL, &local);
  sapa_store_release_reader (self, db);
  if (local != NULL)
    g_propagate_error (error, local);
  else if (record == NULL)
    g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND,
                 _("The record was not found; it may have been deleted"));
  return record;
}

typedef void (*RowFunc) (sqlite3_stmt *stmt, gpointer data);

/* Runs @sql with text parameters on a reader; records of @entity from column 0. */
static GPtrArray *
query_records (SapaStore          *self,
               const SapaEntity   *entity,
               const char         *sql,
               const char * const *params,
               RowFunc             extras,
               GError            **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3 *db = sapa_store_acquire_reader (self);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      for (guint i = 0; params != NULL && params[i] != NULL; i++)
        sqlite3_bind_text (stmt, i + 1, params[i], -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          SapaRecord *record = sapa_store_record_from_row (entity, stmt, 0);

          if (extras != NULL)
            extras (stmt, record);
          g_ptr_array_add (out, record);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("read records"));
      sapa_store_release_reader (self, db);
      return NULL;
    }
  sapa_store_release_reader (self, db);
  return g_steal_pointer (&out);
}

GPtrArray *
sapa_store_list (SapaStore   *self,
                 const char  *entity,
                 GError     **error)
{
  const SapaEntity *e;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  if ((e = entity_or_error (entity, error)) == NULL)
    return NULL;
  sql = g_strdup_printf ("SELECT %s FROM %s %s ORDER BY rowid;", sapa_store_select_columns (e), e->name,
                         e->append_only ? "" : "WHERE deleted = 0");
  return query_records (self, e, sql, NULL, NULL, error);
}

static GPtrArray *
customers_where (SapaStore   *self,
                 const char  *join_where,
                 const char  *value,
                 GError     **error)
{
  const SapaEntity *e = sapa_entity_lookup ("customer");
  g_autofree char *sql = NULL;
  g_autofree char *cols = g_strdup (sapa_store_select_columns (e));
  g_autofree char *prefixed = NULL;
  g_auto(GStrv) parts = g_strsplit (cols, ", ", -1);

  for (guint i = 0; parts[i]; i++)
    {
      char *p = g_strconcat ("c.", parts[i], NULL);
      g_free (parts[i]);
      parts[i] = p;
    }
  prefixed = g_strjoinv (", ", parts);
  sql = g_strdup_printf ("SELECT DISTINCT %s FROM customer c %s AND c.deleted = 0 AND c.merged_into IS NULL "
                         "ORDER BY c.num;", prefixed, join_where);
  return query_records (self, e, sql, (const char *[]) { value, NULL }, NULL, error);
}

GPtrArray *
sapa_store_find_customers_by_phone (SapaStore   *self,
                                    const char  *normalized_phone,
                                    GError     **error)
{
  g_autofree char *digits = NULL;
  GPtrArray *hits;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (normalized_phone != NULL, NULL);

  digits = sapa_text_digits (normalized_phone);
  hits = customers_where (self, "JOIN customer_phone p ON p.customer_num = c.num WHERE p.digits = ?1",
                          digits, error);
  /* The suffix index also holds the tails of longer numbers: keep exact ones. */
  for (guint i = 0; hits != NULL && i < hits->len;)
    {
      g_auto(GStrv) phones = sapa_record_dup_list (g_ptr_array_index (hits, i), "phones");

      if (g_strv_contains ((const char * const *) phones, normalized_phone))
        i++;
      else
        g_ptr_array_remove_index (hits, i);
    }
  return hits;
}

GPtrArray *
sapa_store_find_customers_by_email (SapaStore   *self,
                                    const char  *normalized_email,
                                    GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (normalized_email != NULL, NULL);
  return customers_where (self, "JOIN customer_email m ON m.customer_num = c.num WHERE m.email = ?1",
                          normalized_email, error);
}

GPtrArray *
sapa_store_find_customers_by_handle (SapaStore   *self,
                                     const char  *handle,
                                     GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (handle != NULL, NULL);
  return customers_where (self, "JOIN customer_handle m ON m.customer_num = c.num WHERE m.handle = ?1",
                          handle, error);
}

GPtrArray *
sapa_store_find_customers_by_account (SapaStore   *self,
                                      const char  *normalized_account,
                                      GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (normalized_account != NULL, NULL);
  return customers_where (self, "WHERE c.account_number = ?1", normalized_account, error);
}

GPtrArray *
sapa_store_list_conversations (SapaStore   *self,
                               const char  *customer_id,
                               GError     **error)
{
  const SapaEntity *e = sapa_entity_lookup ("conversation");
  g_autofree char *sql = NULL;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  sql = g_strdup_printf ("SELECT %s FROM conversation WHERE customer_id = ?1 AND deleted = 0 "
                         "ORDER BY opened_at DESC, rowid DESC;", sapa_store_select_columns (e));
  return query_records (self, e, sql, (const char *[]) { customer_id, NULL }, NULL, error);
}

/* -- timeline ------------------------------------------------------------- */

static GString *
timeline_where (const SapaTimelineFilter *filter)
{
  GString *w = g_string_new ("i.customer_id = ?1");

  if (filter != NULL && filter->channel != NULL && *filter->channel)
    g_string_append (w, " AND i.channel = ?2");
  if (filter != NULL && filter->text != NULL && *filter->text)
    g_string_append (w, " AND instr(sapa_fold(i.body), ?3) > 0");
  return w;
}

static void
bind_timeline (sqlite3_stmt             *stmt,
               const char               *customer_id,
               const SapaTimelineFilter *filter)
{
  sqlite3_bind_text (stmt, 1, customer_id, -1, SQLITE_TRANSIENT);
  if (filter != NULL && filter->channel != NULL && *filter->channel)
    sqlite3_bind_text (stmt, 2, filter->channel, -1, SQLITE_TRANSIENT);
  if (filter != NULL && filter->text != NULL && *filter->text)
    sqlite3_bind_text (stmt, 3, sapa_text_fold (filter->text), -1, g_free);
}

guint
sapa_store_count_timeline (SapaStore                *self,
                           const char               *customer_id,
                           const SapaTimelineFilter *filter,
                           GError                  **error)
{
  g_autoptr(GString) where = timeline_where (filter);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM interaction i WHERE %s;", where->str);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  int rc;

  g_return_val_if_fail (SAPA_IS_STORE (self), 0);

  db = sapa_store_acquire_reader (self);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_timeline (stmt, customer_id, filter);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          count = sqlite3_column_int (stmt, 0);
          rc = SQLITE_DONE;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    sapa_store_set_sqlite_error (error, db, rc, _("read the timeline"));
  sapa_store_release_reader (self, db);
  return count;
}

GPtrArray *
sapa_store_list_timeline (SapaStore                *self,
                          const char               *customer_id,
                          const SapaTimelineFilter *filter,
                          SapaRecord               *after,
                          guint                     limit,
                          GError                  **error)
{
  const SapaEntity *e = sapa_entity_lookup ("interaction");
  g_autoptr(GString) where = timeline_where (filter);
  g_autoptr(GString) cols = g_string_new ("i.id");
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *sql = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;
  int base = e->n_fields + 1;

  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);

  for (guint i = 0; i < e->n_fields; i++)
    g_string_append_printf (cols, ", i.%s", e->fields[i].name);
  if (after != NULL)
    g_string_append (where, " AND (i.started_at, i.num) < (?4, (SELECT num FROM interaction WHERE id = ?5))");

  sql = g_strdup_printf ("SELECT %s, i.num, a.display_name, c.subject, c.status, c.reason, c.is_complaint "
                         "FROM interaction i "
                         "LEFT JOIN agent a ON a.id = i.author_id "
                         "LEFT JOIN conversation c ON c.id = i.conversation_id "
                         "WHERE %s ORDER BY i.started_at DESC, i.num DESC LIMIT ?6;",
                         cols->str, where->str);

  db = sapa_store_acquire_reader (self);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind_timeline (stmt, customer_id, filter);
      if (after != NULL)
        {
          sqlite3_bind_int64 (stmt, 4, sapa_record_get_int (after, "started_at"));
          sqlite3_bind_text (stmt, 5, sapa_record_get_id (after), -1, SQLITE_TRANSIENT);
        }
      sqlite3_bind_int64 (stmt, 6, limit);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          SapaRecord *r = sapa_store_record_from_row (e, stmt, 0);

          sapa_record_set_extra (r, "author_name", (const char *) sqlite3_column_text (stmt, base + 1));
          sapa_record_set_extra (r, "conversation_subject", (const char *) sqlite3_column_text (stmt, base + 2));
          sapa_record_set_extra (r, "conversation_status", (const char *) sqlite3_column_text (stmt, base + 3));
          sapa_record_set_extra (r, "conversation_reason", (const char *) sqlite3_column_text (stmt, base + 4));
          sapa_record_set_extra (r, "conversation_complaint", sqlite3_column_int (stmt, base + 5) ? "1" : "0");
          g_ptr_array_add (out, r);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("read the timeline"));
      sapa_store_release_reader (self, db);
      return NULL;
    }
  sapa_store_release_reader (self, db);
  return g_steal_pointer (&out);
}

/* -- writing -------------------------------------------------------------- */

typedef struct {
  char *entity;
  char *id;
} Change;

static void
change_free (Change *c)
{
  g_free (c->entity);
  g_free (c->id);
  g_free (c);
}

typedef struct {
  SapaStore *store;
  GPtrArray *changes;
} Notify;

static gboolean
notify_in_owner (gpointer data)
{
  Notify *n = data;

  for (guint i = 0; i < n->changes->len; i++)
    {
      Change *c = g_ptr_array_index (n->changes, i);
      g_signal_emit (n->store, signals[CHANGED], 0, c->entity, c->id);
    }
  return G_SOURCE_REMOVE;
}

static void
notify_free (gpointer data)
{
  Notify *n = data;

  g_object_unref (n->store);
  g_ptr_array_unref (n->changes);
  g_free (n);
}

static void
notify_changes (SapaStore *self,
                GPtrArray *records,
                const char *entity,
                const char *id)
{
  Notify *n = g_new0 (Notify, 1);

  n->store = g_object_ref (self);
  n->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  if (records == NULL)
    {
      Change *c = g_new0 (Change, 1);
      c->entity = g_strdup (entity);
      c->id = g_strdup (id);
      g_ptr_array_add (n->changes, c);
    }
  else if (records->len > MANY_CHANGES)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < records->len; i++)
        {
          const char *name = sapa_record_get_entity_name (g_ptr_array_index (records, i));
          if (g_hash_table_add (seen, (gpointer) name))
            {
              Change *c = g_new0 (Change, 1);
              c->entity = g_strdup (name);
              g_ptr_array_add (n->changes, c);
            }
        }
    }
  else
    for (guint i = 0; i < records->len; i++)
      {
        SapaRecord *r = g_ptr_array_index (records, i);
        Change *c = g_new0 (Change, 1);

        c->entity = g_strdup (sapa_record_get_entity_name (r));
        c->id = g_strdup (sapa_record_get_id (r));
        g_ptr_array_add (n->changes, c);
      }
  /* Always from the owner's loop, never inside the save: callers aren't re-entered. */
  {
    g_autoptr(GSource) source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, notify_in_owner, n, notify_free);
    g_source_set_static_name (source, "[sapa] store changed");
    g_source_attach (source, self->owner_context);
  }
}

static gboolean
step_done (sqlite3      *db,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
sapa_store_prepare (sqlite3       *db,
                    const char    *sql,
                    sqlite3_stmt **stmt,
                    const char    *what,
                    GError       **error)
{
  int rc = sqlite3_prepare_v2 (db, sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, db, rc, what ? what : _("prepare a database statement"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare (sqlite3       *db,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  return sapa_store_prepare (db, sql, stmt, NULL, error);
}

/* A statement of the writer connection, prepared once and kept: the sync
 * applies hundreds of thousands of changes through the same few statements.
 * Call with write_lock held; the statement comes back reset and unbound. */
static sqlite3_stmt *
writer_statement (SapaStore   *self,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  /* Column lists of partial updates vary; keep the cache bounded. */
  if (g_hash_table_size (self->statements) > 512)
    g_hash_table_remove_all (self->statements);
  rc = sqlite3_prepare_v3 (self->writer, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("prepare a database statement"));
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/* The writer's INSERT of a whole record of @e (a sync applies one per
 * change, so it is found by entity, not by its text): id, the fields in
 * descriptor order, then created_hlc (append-only) or updated_hlc,
 * field_hlc and for customers name_key. Call with write_lock held. */
static sqlite3_stmt *
insert_statement (SapaStore         *self,
                  const SapaEntity  *e,
                  GError           **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->inserts, e);
  gboolean is_customer = g_str_equal (e->name, "customer");
  g_autoptr(GString) sql = NULL;
  guint n_extra;
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  sql = g_string_new (NULL);
  if (e->append_only)
    {
      g_string_printf (sql, "INSERT INTO %s (%s, created_hlc) VALUES (?", e->name, sapa_store_select_columns (e));
      n_extra = 1;
    }
  else
    {
      g_string_printf (sql, "INSERT INTO %s (%s, updated_hlc, field_hlc%s) VALUES (?", e->name,
                       sapa_store_select_columns (e), is_customer ? ", name_key" : "");
      n_extra = is_customer ? 3 : 2;
    }
  for (guint i = 0; i < e->n_fields + n_extra; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ");");
  rc = sqlite3_prepare_v3 (self->writer, sql->str, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("prepare a database statement"));
      return NULL;
    }
  g_hash_table_insert (self->inserts, (gpointer) e, stmt);
  return stmt;
}

/* Steps a kept statement to its end and resets it. */
static gboolean
writer_step (SapaStore    *self,
             sqlite3_stmt *stmt,
             const char   *what,
             GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, what);
      return FALSE;
    }
  return TRUE;
}

char *
sapa_store_branch_sql (const char *entity,
                       const char *alias,
                       const char *schema)
{
  if (g_str_equal (entity, "branch"))
    return g_strdup_printf ("%s.id", alias);
  if (g_str_equal (entity, "customer") || g_str_equal (entity, "conversation") ||
      g_str_equal (entity, "survey_response") || g_str_equal (entity, "agent"))
    return g_strdup_printf ("%s.branch_id", alias);
  if (g_str_equal (entity, "interaction"))
    return g_strdup_printf ("coalesce((SELECT c.branch_id FROM %s.conversation AS c WHERE c.id = %s.conversation_id), "
                            "(SELECT u.branch_id FROM %s.customer AS u WHERE u.id = %s.customer_id))",
                            schema, alias, schema, alias);
  if (g_str_equal (entity, "audit_event"))
    return g_strdup_printf ("(SELECT u.branch_id FROM %s.customer AS u WHERE u.id = %s.customer_id)", schema, alias);
  return g_strdup ("NULL");
}

/* The branch a change belongs to, evaluated after the record was written:
 * who may pull it from the server (DESIGN.md, "Who may see what"); ?3 is
 * the record's id. */
static char *
branch_of_change_sql (const char *entity)
{
  g_autofree char *expr = sapa_store_branch_sql (entity, "r", "main");

  if (g_str_equal (entity, "branch"))
    return g_strdup ("?3");
  if (g_str_equal (expr, "NULL"))
    return g_steal_pointer (&expr);
  return g_strdup_printf ("(SELECT %s FROM main.%s AS r WHERE r.id = ?3)", expr, entity);
}

static gboolean
log_change (SapaStore   *self,
            const char  *change_id,
            const char  *entity,
            const char  *id,
            const char  *op,
            guint64      hlc,
            const char  *client_id,
            JsonObject  *fields,
            GError     **error)
{
  g_autofree char *new_id = change_id ? NULL : sapa_uuid_new ();
  g_autofree char *branch = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  sqlite3_stmt *stmt;

  json_node_set_object (node, fields);
  branch = branch_of_change_sql (entity);
  sql = g_strdup_printf ("INSERT INTO change_log (change_id, entity, record_id, op, hlc, fields, created_at, client_id, branch_id) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, %s);", branch);
  if ((stmt = writer_statement (self, sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, change_id ? change_id : new_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, op, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) hlc);
  sqlite3_bind_text (stmt, 6, json_to_string (node, FALSE), -1, g_free);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 8, client_id ? client_id : self->client_id, -1, SQLITE_STATIC);
  return writer_step (self, stmt, _("write the change log"), error);
}

static JsonObject *
json_subset (SapaRecord *record,
             GPtrArray  *names)
{
  g_autoptr(JsonObject) all = sapa_record_to_json (record);
  JsonObject *out = json_object_new ();

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (json_object_has_member (all, name))
        json_object_set_member (out, name, json_node_copy (json_object_get_member (all, name)));
      else
        json_object_set_null_member (out, name);
    }
  return out;
}

/* A field's stamp in field_hlc: "<hlc>:<client id>", so the merge can break
 * ties between desks by client id (DESIGN.md, "Sync protocol v1"). */
static char *
stamp_new (guint64     hlc,
           const char *client_id)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%s", hlc, client_id ? client_id : "");
}

/* Whether (hlc, client_id) is newer than a stored stamp (NULL = never written). */
static gboolean
stamp_is_newer (guint64     hlc,
                const char *client_id,
                const char *stored)
{
  guint64 stored_hlc;
  const char *colon;
  char *end = NULL;

  if (stored == NULL)
    return TRUE;
  stored_hlc = g_ascii_strtoull (stored, &end, 10);
  if (hlc != stored_hlc)
    return hlc > stored_hlc;
  colon = strchr (stored, ':');
  return g_strcmp0 (client_id ? client_id : "", colon ? colon + 1 : "") > 0;
}

static char *
field_hlc_json (GPtrArray  *names,
                guint64     hlc,
                const char *client_id)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();
  g_autofree char *stamp = stamp_new (hlc, client_id);

  for (guint i = 0; i < names->len; i++)
    json_object_set_string_member (obj, g_ptr_array_index (names, i), stamp);
  json_node_take_object (node, obj);
  return json_to_string (node, FALSE);
}

static gboolean
write_audit (SapaStore   *self,
             const char  *action,
             const char  *customer_id,
             const char  *detail,
             guint64      hlc,
             GError     **error);

/* Inserts an append-only row (no change-log entry). CONFLICT when it exists.
 * @touch_customer: keep the customer's last contact up to date (a bulk load
 * computes it once at the end instead). */
static gboolean
insert_append_only_row (SapaStore   *self,
                        SapaRecord  *record,
                        guint64      hlc,
                        gboolean     touch_customer,
                        GError     **error)
{
  const SapaEntity *e = sapa_record_get_entity (record);
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = insert_statement (self, e, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sapa_record_get_id (record), -1, SQLITE_STATIC);
  for (guint i = 0; i < e->n_fields; i++)
    bind_field (stmt, i + 2, record, &e->fields[i]);
  sqlite3_bind_int64 (stmt, e->n_fields + 2, (sqlite3_int64) hlc);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT &&
      (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT,
                   _("This entry was already saved"));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("save the entry"));
      return FALSE;
    }

  /* A contact with the customer (not an internal note) is recent activity for lookup ranking. */
  if (touch_customer && g_str_equal (e->name, "interaction") &&
      g_strcmp0 (sapa_record_get_string (record, "direction"), "internal") != 0)
    {
      if ((stmt = writer_statement (self,
                                    "UPDATE customer SET last_contact_at = max(coalesce(last_contact_at, 0), ?1) WHERE id = ?2;",
                                    error)) == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, sapa_record_get_int (record, "started_at"));
      sqlite3_bind_text (stmt, 2, sapa_record_get_string (record, "customer_id"), -1, SQLITE_STATIC);
      if (!writer_step (self, stmt, _("save the entry"), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_append_only (SapaStore   *self,
                    SapaRecord  *record,
                    guint64      hlc,
                    GError     **error)
{
  const SapaEntity *e = sapa_record_get_entity (record);
  g_autoptr(JsonObject) fields = NULL;

  if (!insert_append_only_row (self, record, hlc, TRUE, error))
    return FALSE;
  fields = sapa_record_to_json (record);
  return log_change (self, NULL, e->name, sapa_record_get_id (record), "upsert", hlc, NULL, fields, error);
}

static gboolean
upsert_mutable (SapaStore   *self,
                SapaRecord  *record,
                guint64      hlc,
                gboolean    *out_written,
                GError     **error)
{
  const SapaEntity *e = sapa_record_get_entity (record);
  const char *id = sapa_record_get_id (record);
  g_autoptr(SapaRecord) old = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(JsonObject) fields = NULL;
  gboolean was_deleted = FALSE;
  gboolean is_customer = g_str_equal (e->name, "customer");
  GError *local = NULL;
  sqlite3_stmt *stmt = NULL;
  int idx;

  old = get_on (self->writer, e, id, TRUE, &was_deleted, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (old == NULL && is_customer && !sapa_record_has (record, "created_at"))
    sapa_record_set_int (record, "created_at", g_get_real_time () / G_USEC_PER_SEC);
  changed = sapa_record_diff (old, record);
  if (old != NULL && changed->len == 0 && !was_deleted)
    {
      *out_written = FALSE;
      return TRUE;
    }
  *out_written = TRUE;

  if (old == NULL)
    {
      g_string_printf (sql, "INSERT INTO %s (%s, updated_hlc, field_hlc%s) VALUES (?", e->name,
                       sapa_store_select_columns (e), is_customer ? ", name_key" : "");
      for (guint i = 0; i < e->n_fields + 2 + (is_customer ? 1 : 0); i++)
        g_string_append (sql, ", ?");
      g_string_append (sql, ");");
      if (!prepare (self->writer, sql->str, &stmt, error))
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      for (guint i = 0; i < e->n_fields; i++)
        bind_field (stmt, i + 2, record, &e->fields[i]);
      idx = e->n_fields + 2;
    }
  else
    {
      g_string_printf (sql, "UPDATE %s SET ", e->name);
      for (guint i = 0; i < changed->len; i++)
        g_string_append_printf (sql, "%s = ?, ", (const char *) g_ptr_array_index (changed, i));
      g_string_append_printf (sql, "updated_hlc = ?, field_hlc = json_patch(field_hlc, ?), deleted = 0%s "
                              "WHERE id = ?;", is_customer ? ", name_key = ?" : "");
      if (!prepare (self->writer, sql->str, &stmt, error))
        return FALSE;
      for (guint i = 0; i < changed->len; i++)
        bind_field (stmt, i + 1, record, sapa_entity_find_field (e, g_ptr_array_index (changed, i)));
      idx = changed->len + 1;
    }

  sqlite3_bind_int64 (stmt, idx++, (sqlite3_int64) hlc);
  sqlite3_bind_text (stmt, idx++, field_hlc_json (changed, hlc, self->client_id), -1, g_free);
  if (is_customer)
    sqlite3_bind_text (stmt, idx++, sapa_text_fold (sapa_record_get_string (record, "full_name")), -1, g_free);
  if (old != NULL)
    sqlite3_bind_text (stmt, idx++, id, -1, SQLITE_STATIC);
  if (!step_done (self->writer, stmt, _("save the record"), error))
    return FALSE;

  fields = json_subset (record, changed);
  if (!log_change (self, NULL, e->name, id, "upsert", hlc, NULL, fields, error))
    return FALSE;

  /* Edits of personal data are audited: who (the desk's agent), what, when. */
  if (is_customer)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < changed->len; i++)
        g_string_append_printf (names, "%s%s", i ? "," : "", (const char *) g_ptr_array_index (changed, i));
      if (!write_audit (self, old ? "edit_customer" : "create_customer", id, names->str, hlc, error))
        return FALSE;
    }
  return TRUE;
}

static char *
dup_meta_locked (SapaStore  *self,
                 const char *key)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (self->writer, "SELECT value FROM desk_meta WHERE key = ?;", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
write_audit (SapaStore   *self,
             const char  *action,
             const char  *customer_id,
             const char  *detail,
             guint64      hlc,
             GError     **error)
{
  g_autoptr(SapaRecord) audit = sapa_record_new ("audit_event");
  g_autofree char *agent_id = dup_meta_locked (self, "agent_id");

  sapa_record_set_string (audit, "action", action);
  sapa_record_set_string (audit, "agent_id", agent_id);
  sapa_record_set_string (audit, "customer_id", customer_id);
  sapa_record_set_string (audit, "detail", detail);
  sapa_record_set_int (audit, "at", g_get_real_time () / G_USEC_PER_SEC);
  return insert_append_only (self, audit, hlc, error);
}

static gboolean
begin (SapaStore  *self,
       GError    **error)
{
  /* IMMEDIATE: busy_timeout does not cover a read->write upgrade. */
  return exec (self->writer, "BEGIN IMMEDIATE;", _("start saving"), error);
}

static gboolean
commit_or_rollback (SapaStore  *self,
                    gboolean    ok,
                    GError    **error)
{
  if (ok && exec (self->writer, "COMMIT;", _("finish saving"), error))
    return TRUE;
  sqlite3_exec (self->writer, "ROLLBACK;", NULL, NULL, NULL);
  return FALSE;
}

gboolean
sapa_store_save_all (SapaStore   *self,
                     GPtrArray   *records,
                     GError     **error)
{
  g_autoptr(GPtrArray) written = g_ptr_array_new ();
  gboolean ok = TRUE;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  for (guint i = 0; i < records->len; i++)
    {
      GError *local = NULL;

      if (!sapa_record_validate (g_ptr_array_index (records, i), &local))
        {
          g_set_error_literal (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID, local->message);
          g_error_free (local);
          return FALSE;
        }
    }

  g_mutex_lock (&self->write_lock);
  if (!begin (self, error))
    {
      g_mutex_unlock (&self->write_lock);
      return FALSE;
    }
  for (guint i = 0; ok && i < records->len; i++)
    {
      SapaRecord *record = g_ptr_array_index (records, i);
      guint64 hlc = sapa_hlc_now (self->hlc);
      gboolean wrote = TRUE;

      if (sapa_record_get_entity (record)->append_only)
        ok = insert_append_only (self, record, hlc, error);
      else
        ok = upsert_mutable (self, record, hlc, &wrote, error);
      if (ok && wrote)
        g_ptr_array_add (written, record);
    }
  ok = commit_or_rollback (self, ok, error);
  g_mutex_unlock (&self->write_lock);

  if (ok && written->len > 0)
    notify_changes (self, written, NULL, NULL);
  return ok;
}

gboolean
sapa_store_save (SapaStore   *self,
                 SapaRecord  *record,
                 GError     **error)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_val_if_fail (SAPA_IS_RECORD (record), FALSE);
  g_ptr_array_add (one, record);
  return sapa_store_save_all (self, one, error);
}

static void
save_all_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;

  if (sapa_store_save_all (source, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sapa_store_save_all_async (SapaStore           *self,
                           GPtrArray           *records,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *copy;

  g_return_if_fail (SAPA_IS_STORE (self));

  /* The thread owns its own references; the caller may change its array. */
  copy = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (records, i)));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sapa_store_save_all_async);
  g_task_set_task_data (task, copy, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, save_all_thread);
}

gboolean
sapa_store_save_all_finish (SapaStore     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sapa_store_delete (SapaStore   *self,
                   const char  *entity,
                   const char  *id,
                   GError     **error)
{
  const SapaEntity *e;
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  sqlite3_stmt *stmt = NULL;
  guint64 hlc;
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  if ((e = entity_or_error (entity, error)) == NULL)
    return FALSE;
  if (e->append_only)
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_INVALID,
                   _("Timeline entries and survey responses cannot be deleted"));
      return FALSE;
    }

  sql = g_strdup_printf ("UPDATE %s SET deleted = 1, updated_hlc = ?1, field_hlc = json_patch(field_hlc, ?3) "
                         "WHERE id = ?2 AND deleted = 0;", e->name);
  g_mutex_lock (&self->write_lock);
  ok = begin (self, error);
  if (ok)
    {
      hlc = sapa_hlc_now (self->hlc);
      ok = prepare (self->writer, sql, &stmt, error);
      if (ok)
        {
          g_autoptr(GPtrArray) deleted = g_ptr_array_new ();

          g_ptr_array_add (deleted, (gpointer) "deleted");
          sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) hlc);
          sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, field_hlc_json (deleted, hlc, self->client_id), -1, g_free);
          ok = step_done (self->writer, stmt, _("delete the record"), error);
        }
      if (ok && sqlite3_changes (self->writer) == 0)
        {
          g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_NOT_FOUND,
                       _("The record was not found; it may have been deleted"));
          ok = FALSE;
        }
      if (ok)
        ok = log_change (self, NULL, e->name, id, "delete", hlc, NULL, fields, error);
      ok = commit_or_rollback (self, ok, error);
    }
  g_mutex_unlock (&self->write_lock);

  if (ok)
    notify_changes (self, NULL, e->name, id);
  return ok;
}

/* -- applying changes made elsewhere --------------------------------------- */

static JsonObject *
field_stamps (sqlite3_stmt *stmt,
              int           col)
{
  g_autoptr(JsonNode) node = NULL;
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  if (text != NULL)
    node = json_from_string (text, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();
  return json_object_ref (json_node_get_object (node));
}

static const char *
stamp_of (JsonObject *stamps,
          const char *field)
{
  JsonNode *node = json_object_get_member (stamps, field);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static SapaApplyStatus
rejected (char       **reason,
          const char  *text)
{
  /* The sync protocol's reason for a record that fails validation. */
  g_free (*reason);
  *reason = g_strdup_printf ("invalid: %s", text);
  return SAPA_APPLY_REJECTED;
}

/* Inserts an append-only record once; a second arrival changes nothing. */
static gboolean
apply_append_only (SapaStore        *self,
                   const SapaChange *change,
                   gboolean          log,
                   SapaApplyStatus  *status,
                   char            **reason,
                   GError          **error)
{
  SapaRecord *record = change->record;
  const SapaEntity *e = sapa_record_get_entity (record);
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?1;", e->name);
  g_autoptr(GError) invalid = NULL;
  GError *local = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if ((stmt = writer_statement (self, sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sapa_record_get_id (record), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      *status = SAPA_APPLY_DUPLICATE;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("save the entry"));
      return FALSE;
    }
  if (!sapa_record_validate (record, &invalid))
    {
      *status = rejected (reason, invalid->message);
      return TRUE;
    }
  if (!insert_append_only_row (self, record, change->hlc, TRUE, &local))
    {
      /* The same external message delivered under another id. */
      if (g_error_matches (local, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT))
        {
          g_error_free (local);
          *status = SAPA_APPLY_DUPLICATE;
          return TRUE;
        }
      g_propagate_error (error, local);
      return FALSE;
    }
  *status = SAPA_APPLY_APPLIED;
  if (log)
    {
      g_autoptr(JsonObject) fields = sapa_record_to_json (record);

      return log_change (self, change->change_id, e->name, sapa_record_get_id (record), "upsert",
                         change->hlc, change->client_id, fields, error);
    }
  return TRUE;
}

/* Merges a mutable record field by field: each field the change sets is
 * taken when the change's (hlc, client id) is newer than the field's stamp. */
static gboolean
apply_mutable (SapaStore        *self,
               const SapaChange *change,
               gboolean          log,
               SapaApplyStatus  *status,
               char            **reason,
               GError          **error)
{
  SapaRecord *record = change->record;
  const SapaEntity *e = sapa_record_get_entity (record);
  const char *id = sapa_record_get_id (record);
  gboolean is_customer = g_str_equal (e->name, "customer");
  g_autofree char *select = g_strdup_printf ("SELECT %s, deleted, field_hlc FROM %s WHERE id = ?1;",
                                             sapa_store_select_columns (e), e->name);
  g_autofree char *stamp = stamp_new (change->hlc, change->client_id);
  g_autoptr(SapaRecord) old = NULL;
  g_autoptr(SapaRecord) merged = NULL;
  g_autoptr(JsonObject) stamps = NULL;
  g_autoptr(JsonObject) set = sapa_record_to_json (record);
  g_autoptr(JsonObject) winning = json_object_new ();
  g_autoptr(GPtrArray) winners = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GError) invalid = NULL;
  gboolean deleted = FALSE;
  gboolean delete_wins = FALSE;
  sqlite3_stmt *stmt;
  int rc, idx;

  if ((stmt = writer_statement (self, select, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      old = sapa_store_record_from_row (e, stmt, 0);
      deleted = sqlite3_column_int (stmt, e->n_fields + 1) != 0;
      stamps = field_stamps (stmt, e->n_fields + 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("read a record"));
      return FALSE;
    }

  if (old == NULL)
    {
      if (change->op == SAPA_CHANGE_DELETE)
        {
          /* Nothing here to delete: whoever sees the record later gets its tombstone. */
          *status = SAPA_APPLY_SUPERSEDED;
          return TRUE;
        }
      if (!sapa_record_validate (record, &invalid))
        {
          *status = rejected (reason, invalid->message);
          return TRUE;
        }
      /* A customer is born when its first change was made. */
      if (is_customer && !sapa_record_has (record, "created_at"))
        {
          sapa_record_set_int (record, "created_at", sapa_hlc_millis (change->hlc) / 1000);
          g_clear_pointer (&set, json_object_unref);
          set = sapa_record_to_json (record);
        }
      if ((stmt = insert_statement (self, e, error)) == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      for (guint i = 0; i < e->n_fields; i++)
        bind_field (stmt, i + 2, record, &e->fields[i]);
      idx = e->n_fields + 2;
      {
        g_autoptr(GList) names = json_object_get_members (set);

        for (GList *l = names; l; l = l->next)
          g_ptr_array_add (winners, l->data);
        json_object_unref (winning);
        winning = json_object_ref (set);
      }
    }
  else
    {
      g_autoptr(GList) names = json_object_get_members (set);

      if (change->op == SAPA_CHANGE_DELETE)
        delete_wins = !deleted && stamp_is_newer (change->hlc, change->client_id, stamp_of (stamps, "deleted"));
      for (GList *l = names; l; l = l->next)
        if (stamp_is_newer (change->hlc, change->client_id, stamp_of (stamps, l->data)))
          {
            g_ptr_array_add (winners, l->data);
            json_object_set_member (winning, l->data, json_node_copy (json_object_get_member (set, l->data)));
          }
      if (winners->len == 0 && !delete_wins)
        {
          *status = SAPA_APPLY_SUPERSEDED;
          return TRUE;
        }

      /* The merged record must still be valid (a required field cleared is refused). */
      merged = sapa_record_copy (old);
      for (guint i = 0; i < winners->len; i++)
        {
          const char *name = g_ptr_array_index (winners, i);
          const SapaField *f = sapa_entity_find_field (e, name);
          g_autoptr(JsonObject) one = json_object_new ();
          g_autoptr(SapaRecord) value = NULL;

          json_object_set_member (one, name, json_node_copy (json_object_get_member (set, name)));
          value = sapa_record_new_from_json (e->name, id, one, NULL);
          if (value == NULL || !sapa_record_has (value, name))
            sapa_record_unset (merged, name);
          else if (f->type == SAPA_FIELD_TEXT)
            sapa_record_set_string (merged, name, sapa_record_get_string (value, name));
          else if (f->type == SAPA_FIELD_LIST)
            {
              g_auto(GStrv) list = sapa_record_dup_list (value, name);
              sapa_record_set_list (merged, name, (const char * const *) list);
            }
          else
            sapa_record_set_int (merged, name, sapa_record_get_int (value, name));
        }
      if (!sapa_record_validate (merged, &invalid))
        {
          *status = rejected (reason, invalid->message);
          return TRUE;
        }

      g_string_printf (sql, "UPDATE %s SET ", e->name);
      for (guint i = 0; i < winners->len; i++)
        g_string_append_printf (sql, "%s = ?, ", (const char *) g_ptr_array_index (winners, i));
      if (delete_wins)
        {
          g_string_append (sql, "deleted = 1, ");
          g_ptr_array_add (winners, (gpointer) "deleted");
        }
      g_string_append_printf (sql, "updated_hlc = max(updated_hlc, ?), field_hlc = json_patch(field_hlc, ?)%s "
                              "WHERE id = ?;", is_customer ? ", name_key = ?" : "");
      if ((stmt = writer_statement (self, sql->str, error)) == NULL)
        return FALSE;
      idx = 1;
      for (guint i = 0; i < winners->len; i++)
        if (!g_str_equal (g_ptr_array_index (winners, i), "deleted"))
          bind_field (stmt, idx++, record, sapa_entity_find_field (e, g_ptr_array_index (winners, i)));
    }

  sqlite3_bind_int64 (stmt, idx++, (sqlite3_int64) change->hlc);
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    JsonObject *obj = json_object_new ();

    for (guint i = 0; i < winners->len; i++)
      json_object_set_string_member (obj, g_ptr_array_index (winners, i), stamp);
    json_node_take_object (node, obj);
    sqlite3_bind_text (stmt, idx++, json_to_string (node, FALSE), -1, g_free);
  }
  if (is_customer)
    sqlite3_bind_text (stmt, idx++,
                       sapa_text_fold (sapa_record_get_string (merged ? merged : record, "full_name")),
                       -1, g_free);
  if (old != NULL)
    sqlite3_bind_text (stmt, idx++, id, -1, SQLITE_STATIC);
  if (!writer_step (self, stmt, _("save the record"), error))
    return FALSE;

  *status = SAPA_APPLY_APPLIED;
  if (log)
    {
      g_autoptr(JsonObject) none = json_object_new ();

      return log_change (self, change->change_id, e->name, id, delete_wins ? "delete" : "upsert",
                         change->hlc, change->client_id, delete_wins ? none : winning, error);
    }
  return TRUE;
}

/* -- the lean paths of an empty desk's first sync (see sapa_store_bulk_begin) */

/* An append-only record inserted without reading first: the unique id index
 * refuses a second arrival (as the read would have found it), and customers'
 * last contact times are computed once when the load ends. */
static gboolean
bulk_append_only (SapaStore        *self,
                  const SapaChange *change,
                  SapaApplyStatus  *status,
                  char            **reason,
                  GError          **error)
{
  g_autoptr(GError) invalid = NULL;
  GError *local = NULL;

  if (!sapa_record_validate (change->record, &invalid))
    {
      *status = rejected (reason, invalid->message);
      return TRUE;
    }
  if (!insert_append_only_row (self, change->record, change->hlc, FALSE, &local))
    {
      if (g_error_matches (local, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT))
        {
          g_error_free (local);
          *status = SAPA_APPLY_DUPLICATE;
          return TRUE;
        }
      g_propagate_error (error, local);
      return FALSE;
    }
  *status = SAPA_APPLY_APPLIED;
  return TRUE;
}

/* A mutable record inserted as apply_mutable() inserts a new one, without
 * reading first. *handled is FALSE when this cannot decide: a delete, a
 * change that is not a whole valid record (an update of some fields) or a
 * record already there (the unique id refuses the insert); apply_mutable()
 * then reads and merges field by field as always. */
static gboolean
bulk_insert_mutable (SapaStore        *self,
                     const SapaChange *change,
                     gboolean         *handled,
                     GError          **error)
{
  SapaRecord *record = change->record;
  const SapaEntity *e = sapa_record_get_entity (record);
  gboolean is_customer = g_str_equal (e->name, "customer");
  /* A customer is born when its first change was made (as apply_mutable). */
  gboolean born = is_customer && !sapa_record_has (record, "created_at");
  g_autofree char *stamp = NULL;
  g_autoptr(JsonObject) set = NULL;
  g_autoptr(GString) stamps = g_string_sized_new (1024);
  sqlite3_stmt *stmt;
  int rc, idx;

  *handled = FALSE;
  if (change->op == SAPA_CHANGE_DELETE || !sapa_record_validate (record, NULL))
    return TRUE;
  if ((stmt = insert_statement (self, e, error)) == NULL)
    return FALSE;
  g_string_append_c (stamps, '{');

  /* field_hlc: every field the change carries (nulls included), in field
   * order, as apply_mutable() writes it with json-glib. */
  stamp = stamp_new (change->hlc, change->client_id);
  set = sapa_record_to_json (record);
  sqlite3_bind_text (stmt, 1, sapa_record_get_id (record), -1, SQLITE_STATIC);
  for (guint i = 0; i < e->n_fields; i++)
    {
      const SapaField *f = &e->fields[i];
      gboolean is_born = born && g_str_equal (f->name, "created_at");

      if (is_born)
        sqlite3_bind_int64 (stmt, i + 2, sapa_hlc_millis (change->hlc) / 1000);
      else
        bind_field (stmt, i + 2, record, f);
      if (is_born || json_object_has_member (set, f->name))
        {
          g_string_append (stamps, stamps->len > 1 ? ",\"" : "\"");
          g_string_append (stamps, f->name);
          g_string_append (stamps, "\":\"");
          g_string_append (stamps, stamp);
          g_string_append_c (stamps, '"');
        }
    }
  g_string_append_c (stamps, '}');
  idx = e->n_fields + 2;
  sqlite3_bind_int64 (stmt, idx++, (sqlite3_int64) change->hlc);
  sqlite3_bind_text (stmt, idx++, stamps->str, (int) stamps->len, SQLITE_TRANSIENT);
  if (is_customer)
    sqlite3_bind_text (stmt, idx++, sapa_text_fold (sapa_record_get_string (record, "full_name")), -1, g_free);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("save the record"));
      return FALSE;
    }
  *handled = TRUE;
  return TRUE;
}

static gboolean
set_meta_locked (SapaStore   *self,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  if ((stmt = writer_statement (self, "INSERT OR REPLACE INTO desk_meta (key, value) VALUES (?1, ?2);", error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return writer_step (self, stmt, _("save the desk settings"), error);
}

gboolean
sapa_store_apply_changes_full (SapaStore             *self,
                               GPtrArray             *changes,
                               const SapaApplyHooks  *hooks,
                               gpointer               data,
                               const char            *cursor,
                               GArray                *statuses,
                               GError               **error)
{
  g_autoptr(GPtrArray) written = g_ptr_array_new ();
  gboolean log = hooks != NULL && hooks->log_changes;
  gboolean lean;
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (statuses != NULL)
    g_array_set_size (statuses, 0);

  g_mutex_lock (&self->write_lock);
  /* An empty desk loading its first sync: nothing to merge with but what
   * this load brought, so new records are inserted without reading first. */
  lean = self->bulk_saved != NULL && !log;
  ok = begin (self, error);
  for (guint i = 0; ok && i < changes->len; i++)
    {
      SapaChange *change = g_ptr_array_index (changes, i);
      SapaApplyStatus status = SAPA_APPLY_APPLIED;
      g_autofree char *reason = NULL;

      if (hooks != NULL && hooks->before != NULL &&
          !hooks->before (self->writer, change, &status, &reason, data, error))
        {
          ok = FALSE;
          break;
        }
      if (status == SAPA_APPLY_APPLIED)
        {
          /* Edits made here after this one must order after it. */
          sapa_hlc_observe (self->hlc, change->hlc, -1, NULL);
          gboolean handled = FALSE;

          if (sapa_record_get_entity (change->record)->append_only)
            ok = lean ? bulk_append_only (self, change, &status, &reason, error)
                      : apply_append_only (self, change, log, &status, &reason, error);
          else
            {
              if (lean && (ok = bulk_insert_mutable (self, change, &handled, error)) && handled)
                status = SAPA_APPLY_APPLIED;
              if (ok && !handled)
                ok = apply_mutable (self, change, log, &status, &reason, error);
            }
        }
      if (ok && status == SAPA_APPLY_APPLIED)
        g_ptr_array_add (written, change->record);
      if (ok && hooks != NULL && hooks->after != NULL)
        ok = hooks->after (self->writer, change, status, reason, data, error);
      if (ok && statuses != NULL)
        g_array_append_val (statuses, status);
    }
  if (ok && cursor != NULL)
    ok = set_meta_locked (self, "sync_cursor", cursor, error);
  ok = commit_or_rollback (self, ok, error);
  g_mutex_unlock (&self->write_lock);

  if (!ok && statuses != NULL)
    g_array_set_size (statuses, 0);
  if (ok && written->len > 0)
    notify_changes (self, written, NULL, NULL);
  return ok;
}

gboolean
sapa_store_apply_changes (SapaStore   *self,
                          GPtrArray   *changes,
                          const char  *cursor,
                          GArray      *statuses,
                          GError     **error)
{
  return sapa_store_apply_changes_full (self, changes, NULL, NULL, cursor, statuses, error);
}

gboolean
sapa_store_run_in_transaction (SapaStore             *self,
                               SapaTransactionFunc    func,
                               gpointer               data,
                               GError               **error)
{
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  g_mutex_lock (&self->write_lock);
  ok = begin (self, error);
  if (ok)
    ok = commit_or_rollback (self, func (self->writer, data, error), error);
  g_mutex_unlock (&self->write_lock);
  return ok;
}

gboolean
sapa_store_run_attached (SapaStore            *self,
                         const char           *path,
                         const char           *alias,
                         SapaTransactionFunc   func,
                         gpointer              data,
                         GError              **error)
{
  char *attach;
  char *detach;
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL && alias != NULL && func != NULL, FALSE);

  attach = sqlite3_mprintf ("ATTACH %Q AS \"%w\";", path, alias);
  detach = sqlite3_mprintf ("DETACH \"%w\";", alias);
  g_mutex_lock (&self->write_lock);
  /* Both are refused inside a transaction. Foreign keys are off so that
   * INSERT ... SELECT * copies rows as they are stored (SQLite's transfer
   * optimisation) instead of one value at a time. */
  /* Translators: completes "Could not %s: <database message>" */
  ok = exec (self->writer, "PRAGMA foreign_keys = OFF;", _("open the received data"), error) &&
       exec (self->writer, attach, _("open the received data"), error);
  if (ok)
    {
      ok = begin (self, error);
      if (ok)
        ok = commit_or_rollback (self, func (self->writer, data, error), error);
      sqlite3_exec (self->writer, detach, NULL, NULL, NULL);
    }
  sqlite3_exec (self->writer, "PRAGMA foreign_keys = ON;", NULL, NULL, NULL);
  g_mutex_unlock (&self->write_lock);
  sqlite3_free (attach);
  sqlite3_free (detach);
  return ok;
}

void
sapa_store_shrink_wal (SapaStore *self)
{
  int rc;

  g_return_if_fail (SAPA_IS_STORE (self));

  g_mutex_lock (&self->write_lock);
  /* Waits for readers up to the busy timeout; if one still reads, the log
   * is reused from its start by later writes instead. */
  rc = sqlite3_exec (self->writer, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL);
  g_mutex_unlock (&self->write_lock);
  if (rc != SQLITE_OK)
    g_debug ("The write-ahead log of %s was not emptied: %s", self->path, sqlite3_errstr (rc));
}

void
sapa_store_emit_changed (SapaStore  *self,
                         const char *entity,
                         const char *id)
{
  g_return_if_fail (SAPA_IS_STORE (self));
  g_return_if_fail (entity != NULL);
  notify_changes (self, NULL, entity, id);
}

SapaHlc *
sapa_store_get_hlc (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  return self->hlc;
}

/* -- change log ----------------------------------------------------------- */

/* Change-log entries as JsonObjects {seq, change_id, entity, id, op, hlc,
 * fields, client_id}; @where selects them with ?1 = @value and ?2 = @limit. */
static GPtrArray *
query_changes (SapaStore   *self,
               const char  *where,
               gint64       value,
               guint        limit,
               GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *sql = g_strdup_printf ("SELECT seq, change_id, entity, record_id, op, hlc, fields, client_id "
                                          "FROM change_log WHERE %s ORDER BY seq LIMIT ?2;", where);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  int rc;

  db = sapa_store_acquire_reader (self);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, value);
      sqlite3_bind_int64 (stmt, 2, limit ? limit : G_MAXINT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          JsonObject *o = json_object_new ();
          g_autoptr(JsonNode) fields = json_from_string ((const char *) sqlite3_column_text (stmt, 6), NULL);
          g_autofree char *hlc = sapa_hlc_to_string ((guint64) sqlite3_column_int64 (stmt, 5));
          const char *client_id = (const char *) sqlite3_column_text (stmt, 7);

          json_object_set_int_member (o, "seq", sqlite3_column_int64 (stmt, 0));
          json_object_set_string_member (o, "change_id", (const char *) sqlite3_column_text (stmt, 1));
          json_object_set_string_member (o, "entity", (const char *) sqlite3_column_text (stmt, 2));
          json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 3));
          json_object_set_string_member (o, "op", (const char *) sqlite3_column_text (stmt, 4));
          json_object_set_string_member (o, "hlc", hlc);
          json_object_set_member (o, "fields", fields ? json_node_copy (fields) : json_node_new (JSON_NODE_OBJECT));
          /* Entries written before schema 3 are this desk's own. */
          json_object_set_string_member (o, "client_id", client_id ? client_id : self->client_id);
          g_ptr_array_add (out, o);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    sapa_store_set_sqlite_error (error, db, rc, _("read the change log"));
  sapa_store_release_reader (self, db);
  return rc == SQLITE_DONE ? g_steal_pointer (&out) : NULL;
}

/* Entries of the change log matching @where; -1 when it cannot be read. */
static gint64
count_change_log (SapaStore  *self,
                  const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM change_log WHERE %s;", where);
  sqlite3 *db = sapa_store_acquire_reader (self);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sapa_store_release_reader (self, db);
  return n;
}

GPtrArray *
sapa_store_list_changes (SapaStore   *self,
                         gint64       after_seq,
                         guint        limit,
                         GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  return query_changes (self, "seq > ?1", after_seq, limit, error);
}

gint64
sapa_store_count_changes (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), -1);
  return count_change_log (self, "1");
}

GPtrArray *
sapa_store_list_unpushed (SapaStore   *self,
                          guint        limit,
                          GError     **error)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), NULL);
  return query_changes (self, "pushed_at IS NULL", 0, limit, error);
}

gint64
sapa_store_count_unpushed (SapaStore *self)
{
  g_return_val_if_fail (SAPA_IS_STORE (self), -1);
  return count_change_log (self, "pushed_at IS NULL");
}

gboolean
sapa_store_mark_pushed (SapaStore          *self,
                        const char * const *change_ids,
                        GError            **error)
{
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (change_ids != NULL, FALSE);

  g_mutex_lock (&self->write_lock);
  ok = begin (self, error);
  for (guint i = 0; ok && change_ids[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = writer_statement (self,
                                             "UPDATE change_log SET pushed_at = ?1 WHERE change_id = ?2 AND pushed_at IS NULL;",
                                             error);
      if (stmt == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
      sqlite3_bind_text (stmt, 2, change_ids[i], -1, SQLITE_STATIC);
      ok = writer_step (self, stmt, _("write the change log"), error);
    }
  ok = commit_or_rollback (self, ok, error);
  g_mutex_unlock (&self->write_lock);
  return ok;
}

/* A JSON object expression of every field of @e's row, in the wire format. */
static char *
fields_json_sql (const SapaEntity *e)
{
  GString *s = g_string_new ("json_object(");

  for (guint i = 0; i < e->n_fields; i++)
    {
      const SapaField *f = &e->fields[i];

      g_string_append_printf (s, "%s'%s', ", i ? ", " : "", f->name);
      switch (f->type)
        {
        case SAPA_FIELD_TEXT:
        case SAPA_FIELD_INT:
          g_string_append_printf (s, "r.%s", f->name);
          break;
        case SAPA_FIELD_BOOL:
          g_string_append_printf (s, "json(CASE WHEN r.%s THEN 'true' ELSE 'false' END)", f->name);
          break;
        case SAPA_FIELD_TIME:
          g_string_append_printf (s, "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', r.%s, 'unixepoch')", f->name);
          break;
        case SAPA_FIELD_LIST:
          g_string_append_printf (s, "json(r.%s)", f->name);
          break;
        }
    }
  g_string_append (s, ")");
  return g_string_free (s, FALSE);
}

static gboolean
log_existing_locked (SapaStore  *self,
                     GError    **error)
{
  /* Parents before children, so a desk applying in log order never meets a
   * conversation before its customer. */
  static const char * const order[] = {
    "branch", "agent", "canned_response", "customer", "conversation",
    "interaction", "survey_response", "audit_event",
  };
  guint64 hlc = sapa_hlc_now (self->hlc);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const SapaEntity *e = sapa_entity_lookup (order[i]);
      g_autofree char *fields = fields_json_sql (e);
      g_autofree char *branch = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *stamp_col = g_strdup (e->append_only ? "r.created_hlc" : "r.updated_hlc");
      sqlite3_stmt *stmt = NULL;

      branch = sapa_store_branch_sql (e->name, "r", "main");
      sql = g_strdup_printf ("INSERT INTO change_log (change_id, entity, record_id, op, hlc, fields, created_at, client_id, branch_id) "
                             "SELECT lower(printf('%%s-%%s-4%%s-%%s%%s-%%s', hex(randomblob(4)), hex(randomblob(2)),"
                             "         substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random() %% 4), 1),"
                             "         substr(hex(randomblob(2)), 2), hex(randomblob(6)))),"
                             "       '%s', r.id, 'upsert', CASE WHEN %s > 0 THEN %s ELSE ?1 END, %s, ?2, ?3, %s "
                             "FROM %s AS r WHERE %s NOT EXISTS (SELECT 1 FROM temp.logged AS l WHERE l.record_id = r.id);",
                             e->name, stamp_col, stamp_col, fields, branch, e->name,
                             e->append_only ? "" : "r.deleted = 0 AND");
      if (!exec (self->writer, "DROP TABLE IF EXISTS temp.logged;", _("write the change log"), error))
        return FALSE;
      {
        g_autofree char *collect = g_strdup_printf ("CREATE TEMP TABLE logged (record_id TEXT PRIMARY KEY) WITHOUT ROWID;"
                                                    "INSERT OR IGNORE INTO temp.logged SELECT record_id FROM change_log WHERE entity = '%s';",
                                                    e->name);
        if (!exec (self->writer, collect, _("write the change log"), error))
          return FALSE;
      }
      if (!prepare (self->writer, sql, &stmt, error))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) hlc);
      sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
      sqlite3_bind_text (stmt, 3, self->client_id, -1, SQLITE_STATIC);
      if (!step_done (self->writer, stmt, _("write the change log"), error))
        return FALSE;

      /* The rows carry the per-field stamps that a desk applying these
       * changes writes, so the server merges later edits as the desks do
       * and a snapshot holds what pulling would have given. */
      if (!e->append_only)
        {
          g_autoptr(GString) stamps = g_string_new ("json_object(");
          g_autofree char *update = NULL;

          for (guint f = 0; f < e->n_fields; f++)
            g_string_append_printf (stamps, "%s'%s', s.stamp", f ? ", " : "", e->fields[f].name);
          g_string_append (stamps, ")");
          update = g_strdup_printf ("UPDATE %s AS r SET updated_hlc = s.hlc, field_hlc = %s "
                                    "FROM (SELECT id, CASE WHEN updated_hlc > 0 THEN updated_hlc ELSE ?1 END AS hlc, "
                                    "             (CASE WHEN updated_hlc > 0 THEN updated_hlc ELSE ?1 END) || ':' || ?2 AS stamp "
                                    "      FROM %s) AS s "
                                    "WHERE s.id = r.id AND r.deleted = 0 AND r.field_hlc = '{}' "
                                    "AND NOT EXISTS (SELECT 1 FROM temp.logged AS l WHERE l.record_id = r.id);",
                                    e->name, stamps->str, e->name);
          if (!prepare (self->writer, update, &stmt, error))
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) hlc);
          sqlite3_bind_text (stmt, 2, self->client_id, -1, SQLITE_STATIC);
          if (!step_done (self->writer, stmt, _("write the change log"), error))
            return FALSE;
        }
    }
  return exec (self->writer, "DROP TABLE IF EXISTS temp.logged;", _("write the change log"), error);
}

gboolean
sapa_store_log_existing (SapaStore  *self,
                         GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);

  g_mutex_lock (&self->write_lock);
  ok = begin (self, error);
  if (ok)
    ok = commit_or_rollback (self, log_existing_locked (self, error), error);
  g_mutex_unlock (&self->write_lock);
  return ok;
}

/* -- bulk loads ------------------------------------------------------------ */

/* The tables a bulk load fills; their secondary indexes and triggers are
 * taken out meanwhile. */
#define BULK_TABLES "'customer', 'conversation', 'interaction', 'survey_response'"
/* The writer's page cache while an empty desk loads, in KiB (negative: see
 * PRAGMA cache_size): the unique id indexes of the loaded tables take random
 * inserts, and pages kept in memory are written once per transaction. */
#define BULK_CACHE_KIB 262144

/* Drops what @select (type, name, sql of sqlite_master) names and returns
 * the SQL to create it again. */
static GPtrArray *
take_out (sqlite3     *db,
          const char  *select,
          GError     **error)
{
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!sapa_store_prepare (db, select, &stmt, _("read the database schema"), error))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      g_ptr_array_add (saved, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
      g_ptr_array_add (drops, g_strdup_printf ("DROP %s main.\"%s\";", g_str_equal (type, "index") ? "INDEX" : "TRIGGER", name));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      sapa_store_set_sqlite_error (error, db, rc, _("read the database schema"));
      return NULL;
    }
  for (guint i = 0; i < drops->len; i++)
    /* Translators: completes "Could not %s: <database message>" */
    if (!exec (db, g_ptr_array_index (drops, i), _("prepare the database for loading"), error))
      return NULL;
  return g_steal_pointer (&saved);
}

GPtrArray *
sapa_store_take_out_indexes_and_triggers (sqlite3  *db,
                                          GError  **error)
{
  /* Unique indexes stay: they refuse a record delivered twice. */
  return take_out (db,
                   "SELECT type, name, sql FROM sqlite_master "
                   "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
                   "AND NOT (type = 'index' AND sql LIKE 'CREATE UNIQUE INDEX%') "
                   "AND tbl_name IN (" BULK_TABLES ") "
                   "ORDER BY rowid;",
                   error);
}

GPtrArray *
sapa_store_take_out_triggers (sqlite3  *db,
                              GError  **error)
{
  return take_out (db, "SELECT type, name, sql FROM main.sqlite_master WHERE type = 'trigger' ORDER BY rowid;", error);
}

gboolean
sapa_store_put_back (sqlite3    *db,
                     GPtrArray  *saved,
                     GError    **error)
{
  for (guint i = 0; i < saved->len; i++)
    /* Translators: completes "Could not %s: <database message>" */
    if (!exec (db, g_ptr_array_index (saved, i), _("finish loading the desk"), error))
      return FALSE;
  return TRUE;
}

/* What the customer triggers of sapa-schema.c put in the search tables, for
 * all rows at once: full text of name and emails, every suffix of four or
 * more digits of each phone (country code included), each email and each
 * handle. tests/unit/test-demo.c and tests/integration/test-first-sync.c
 * check the result against the triggers. */
static const char fill_search_sql[] =
  "INSERT INTO customer_fts (customer_fts) VALUES ('rebuild');"
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16) "
  "INSERT OR IGNORE INTO customer_phone (digits, customer_num) "
  "  SELECT substr(replace(j.value, '+', ''), n.i), c.num "
  "  FROM customer AS c, json_each(c.phones) AS j, n "
  "  WHERE c.deleted = 0 AND c.merged_into IS NULL "
  "    AND length(replace(j.value, '+', '')) - n.i + 1 >= 4 "
  "  ORDER BY 1, 2;"
  "INSERT OR IGNORE INTO customer_email (email, customer_num) "
  "  SELECT j.value, c.num FROM customer AS c, json_each(c.emails) AS j "
  "  WHERE c.deleted = 0 AND c.merged_into IS NULL ORDER BY 1, 2;"
  "INSERT OR IGNORE INTO customer_handle (handle, customer_num) "
  "  SELECT j.value, c.num FROM customer AS c, json_each(c.handles) AS j "
  "  WHERE c.deleted = 0 AND c.merged_into IS NULL ORDER BY 1, 2;";

/* Customers the FTS rebuild also indexes although the triggers do not
 * (deleted or merged) are taken out of the index again. */
static const char unindex_hidden_sql[] =
  "INSERT INTO customer_fts (customer_fts, rowid, full_name, emails) "
  "  SELECT 'delete', num, full_name, emails FROM customer WHERE deleted != 0 OR merged_into IS NOT NULL;";

gboolean
sapa_store_rebuild_fts (sqlite3  *db,
                        GError  **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("build the search index");

  return exec (db, "INSERT INTO customer_fts (customer_fts) VALUES ('rebuild');", what, error) &&
         exec (db, unindex_hidden_sql, what, error);
}

gboolean
sapa_store_rebuild_search (sqlite3  *db,
                           GError  **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("build the search index");

  return exec (db, "DELETE FROM customer_phone; DELETE FROM customer_email; DELETE FROM customer_handle;",
               what, error) &&
         exec (db, fill_search_sql, what, error) &&
         exec (db, unindex_hidden_sql, what, error);
}

/* The last contact of each customer, as insert_append_only_row() keeps it
 * one interaction at a time: the latest start of a contact that is not an
 * internal note. */
static const char last_contact_sql[] =
  "UPDATE customer SET last_contact_at = max(coalesce(customer.last_contact_at, 0), t.at) "
  "FROM (SELECT customer_id, max(started_at) AS at FROM interaction "
  "      WHERE direction != 'internal' GROUP BY customer_id) AS t "
  "WHERE customer.id = t.customer_id;";

/* Puts back what sapa_store_bulk_begin() took out and builds what the
 * triggers would have built, in one transaction that also clears the flag. */
static gboolean
bulk_restore_locked (SapaStore  *self,
                     GPtrArray  *saved,
                     gboolean    rollups,
                     GError    **error)
{
  /* Translators: completes "Could not %s: <database message>" */
  const char *what = _("finish loading the desk");
  gboolean ok;

  gint64 t0 = g_get_monotonic_time (), t1, t2, t3, t4;

  if (!begin (self, error))
    return FALSE;
  ok = sapa_store_rebuild_search (self->writer, error);
  t1 = g_get_monotonic_time ();
  ok = ok && exec (self->writer, last_contact_sql, what, error);
  t2 = g_get_monotonic_time ();
  for (guint i = 0; ok && i < saved->len; i++)
    ok = exec (self->writer, g_ptr_array_index (saved, i), what, error);
  t3 = g_get_monotonic_time ();
  /* The rollups, whose triggers were taken out with the others. */
  if (ok && rollups)
    ok = sapa_metrics_rebuild_db (self->writer, error);
  t4 = g_get_monotonic_time ();
  if (ok)
    ok = exec (self->writer, "DELETE FROM desk_meta WHERE key = 'bulk_load';", what, error);
  ok = commit_or_rollback (self, ok, error);
  g_debug ("Bulk load finished: search tables %.1f s, last contacts %.1f s, indexes and triggers %.1f s, "
           "rollups %.1f s, commit %.1f s", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6,
           (t4 - t3) / 1e6, (g_get_monotonic_time () - t4) / 1e6);
  return ok;
}

/* A first sync killed while it loaded left its flag: put the schema back
 * before anything reads or writes. Runs before the migrations, so the SQL
 * saved is the one of the version on disk; the rollups are rebuilt only when
 * that version is this one (a migration builds them otherwise). */
static gboolean
recover_bulk_load (SapaStore  *self,
                   GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  gboolean ok;
  int rc;
  int version = pragma_int (self->writer, "PRAGMA user_version;", &rc);

  if (rc != SQLITE_OK)
    {
      sapa_store_set_sqlite_error (error, self->writer, rc, _("read the database version"));
      return FALSE;
    }
  if (version < 1 || (text = dup_meta_locked (self, "bulk_load")) == NULL)
    return TRUE;

  node = json_from_string (text, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CORRUPT,
                   _("The database is damaged or is not a Sapa database (%s). Choose another file or restore a backup."),
                   "bulk_load");
      return FALSE;
    }
  array = json_node_get_array (node);
  saved = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (saved, g_strdup (json_array_get_string_element (array, i)));
  g_message ("The first sync of %s was interrupted; rebuilding its indexes and search tables", self->path);
  sqlite3_exec (self->writer, "PRAGMA threads = 2;", NULL, NULL, NULL);
  ok = bulk_restore_locked (self, saved, version == (int) sapa_schema_get_n_migrations (), error);
  sqlite3_exec (self->writer, "PRAGMA threads = 0;", NULL, NULL, NULL);
  return ok;
}

gboolean
sapa_store_bulk_begin (SapaStore  *self,
                       gboolean   *out_started,
                       GError    **error)
{
  g_autoptr(GPtrArray) saved = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean empty = FALSE;
  gboolean ok;
  int rc;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_started != NULL, FALSE);

  *out_started = FALSE;
  g_mutex_lock (&self->write_lock);
  if (self->bulk_saved != NULL)
    {
      *out_started = TRUE;
      g_mutex_unlock (&self->write_lock);
      return TRUE;
    }
  ok = begin (self, error);
  if (ok)
    ok = sapa_store_prepare (self->writer,
                             "SELECT NOT " SAPA_STORE_HOLDS_RECORDS_SQL ";",
                             &stmt, _("read the database"), error);
  if (ok)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        empty = sqlite3_column_int (stmt, 0) != 0;
      else
        {
          sapa_store_set_sqlite_error (error, self->writer, rc, _("read the database"));
          ok = FALSE;
        }
      sqlite3_finalize (stmt);
    }
  if (ok && empty)
    {
      saved = sapa_store_take_out_indexes_and_triggers (self->writer, error);
      ok = saved != NULL;
    }
  if (ok && empty)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < saved->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (saved, i));
      json_node_take_array (node, array);
      text = json_to_string (node, FALSE);
      /* In the same transaction as the drops: a load killed at any point
       * leaves either both or neither. */
      ok = set_meta_locked (self, "bulk_load", text, error);
    }
  ok = commit_or_rollback (self, ok, error);
  if (ok && empty)
    {
      g_autofree char *cache = g_strdup_printf ("PRAGMA cache_size = -%d;", BULK_CACHE_KIB);

      sqlite3_exec (self->writer, cache, NULL, NULL, NULL);
      /* The indexes are built at the end by sorting: on two cores at once. */
      sqlite3_exec (self->writer, "PRAGMA threads = 2;", NULL, NULL, NULL);
      self->bulk_saved = g_steal_pointer (&saved);
      *out_started = TRUE;
    }
  g_mutex_unlock (&self->write_lock);
  return ok;
}

gboolean
sapa_store_bulk_finish (SapaStore  *self,
                        GError    **error)
{
  static const char * const entities[] = { "customer", "conversation", "interaction", "survey_response" };
  gboolean ok = TRUE;
  gboolean finished = FALSE;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);

  g_mutex_lock (&self->write_lock);
  if (self->bulk_saved != NULL)
    {
      ok = bulk_restore_locked (self, self->bulk_saved, TRUE, error);
      if (ok)
        {
          g_clear_pointer (&self->bulk_saved, g_ptr_array_unref);
          sqlite3_exec (self->writer, "PRAGMA cache_size = -32000; PRAGMA threads = 0;", NULL, NULL, NULL);
          finished = TRUE;
        }
    }
  g_mutex_unlock (&self->write_lock);

  /* Lookups made while the desk loaded found nothing: they look again. */
  if (finished)
    for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
      notify_changes (self, NULL, entities[i], NULL);
  return ok;
}

gboolean
sapa_store_is_bulk_loading (SapaStore *self)
{
  gboolean loading;

  g_return_val_if_fail (SAPA_IS_STORE (self), FALSE);

  g_mutex_lock (&self->write_lock);
  loading = self->bulk_saved != NULL;
  g_mutex_unlock (&self->write_lock);
  return loading;
}
