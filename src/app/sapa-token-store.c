/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-token-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "sapa-token-store.h"

/* A keyring that does not answer in this time (a locked keyring waiting on a
 * prompt nobody sees) is given up for the file. */
#define KEYRING_TIMEOUT_SECONDS 5

struct _SapaTokenStore
{
  GObject  parent_instance;

  gboolean keyring_broken;
};

G_DEFINE_FINAL_TYPE (SapaTokenStore, sapa_token_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (sapa-token-store-error-quark, sapa_token_store_error)

static const SecretSchema token_schema = {
  "id.sapa.Desk.Token", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* The file is read and written by one thread at a time. */
static GMutex file_lock;

typedef enum {
  OP_SAVE,
  OP_LOOKUP,
  OP_CLEAR,
} Op;

typedef struct {
  Op            op;
  char         *server;
  char         *database;
  char         *token;
  GCancellable *keyring_cancellable;
  guint         timeout_id;
} OpData;

static void
op_data_free (OpData *data)
{
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_free (data->server);
  g_free (data->database);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_clear_object (&data->keyring_cancellable);
  g_free (data);
}

char *
sapa_token_store_dup_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "sapa", "tokens", NULL);
}

static char *
group_for (const char *server,
           const char *database)
{
  g_autofree char *key = g_strconcat (server, "\n", database, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
}

static gboolean
load_file (GKeyFile  *file,
           GError   **error)
{
  g_autofree char *path = sapa_token_store_dup_file_path ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_file (GKeyFile  *file,
            GError   **error)
{
  g_autofree char *path = sapa_token_store_dup_file_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize length;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  data = g_key_file_to_data (file, &length, NULL);
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                   0600, error);
}

static void
file_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpData *data = task_data;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&file_lock);
  g_autofree char *group = group_for (data->server, data->database);
  GError *error = NULL;

  if (!load_file (file, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  switch (data->op)
    {
    case OP_LOOKUP:
      g_task_return_pointer (task, g_key_file_get_string (file, group, "token", NULL), g_free);
      return;

    case OP_SAVE:
      g_key_file_set_string (file, group, "server", data->server);
      g_key_file_set_string (file, group, "database", data->database);
      g_key_file_set_string (file, group, "token", data->token);
      break;

    case OP_CLEAR:
    default:
      if (!g_key_file_has_group (file, group))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_key_file_remove_group (file, group, NULL);
      break;
    }

  if (!write_file (file, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_on_file (GTask *task)
{
  g_task_run_in_thread (task, file_thread);
}

static gboolean
keyring_timeout_cb (gpointer user_data)
{
  OpData *data = user_data;

  data->timeout_id = 0;
  g_cancellable_cancel (data->keyring_cancellable);
  return G_SOURCE_REMOVE;
}

static void
keyring_failed (SapaTokenStore *self,
                const GError   *error)
{
  g_autofree char *path = sapa_token_store_dup_file_path ();

  if (!self->keyring_broken)
    g_message ("The keyring is not usable (%s); the sign-in is kept in %s instead",
               error ? error->message : "no answer", path);
  self->keyring_broken = TRUE;
}

static void
keyring_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = G_TASK (user_data);
  SapaTokenStore *self = g_task_get_source_object (task);
  OpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gboolean ok;

  g_clear_handle_id (&data->timeout_id, g_source_remove);

  switch (data->op)
    {
    case OP_SAVE:
      ok = secret_password_store_finish (result, &error);
      break;
    case OP_LOOKUP:
      token = secret_password_lookup_finish (result, &error);
      ok = error == NULL;
      break;
    case OP_CLEAR:
    default:
      secret_password_clear_finish (result, &error);
      ok = error == NULL;
      break;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!ok)
    {
      keyring_failed (self, error);
      run_on_file (task);
      return;
    }

  switch (data->op)
    {
    case OP_SAVE:
      /* In the keyring now: no copy stays in the file. */
      data->op = OP_CLEAR;
      run_on_file (task);
      break;
    case OP_LOOKUP:
      if (token != NULL)
        g_task_return_pointer (task, g_steal_pointer (&token), g_free);
      else
        run_on_file (task);   /* kept while the keyring was not there */
      break;
    case OP_CLEAR:
    default:
      run_on_file (task);
      break;
    }
}

static gboolean
keyring_wanted (SapaTokenStore *self)
{
  return !self->keyring_broken && g_strcmp0 (g_getenv ("SAPA_TOKEN_STORE"), "file") != 0;
}

static void
start (SapaTokenStore      *self,
       OpData              *data,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data,
       gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *label = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);

  if (!keyring_wanted (self))
    {
      run_on_file (task);
      g_object_unref (task);
      return;
    }

  data->keyring_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                             data->keyring_cancellable, G_CONNECT_SWAPPED);
  data->timeout_id = g_timeout_add_seconds (KEYRING_TIMEOUT_SECONDS, keyring_timeout_cb, data);

  switch (data->op)
    {
    case OP_SAVE:
      /* Translators: the name of the keyring item holding the desk's sign-in; %s is the server address */
      label = g_strdup_printf (_("Sapa sign-in to %s"), data->server);
      secret_password_store (&token_schema, SECRET_COLLECTION_DEFAULT, label, data->token,
                             data->keyring_cancellable, keyring_done_cb, task,
                             "server", data->server, "database", data->database, NULL);
      break;
    case OP_LOOKUP:
      secret_password_lookup (&token_schema, data->keyring_cancellable, keyring_done_cb, task,
                              "server", data->server, "database", data->database, NULL);
      break;
    case OP_CLEAR:
    default:
      secret_password_clear (&token_schema, data->keyring_cancellable, keyring_done_cb, task,
                             "server", data->server, "database", data->database, NULL);
      break;
    }
}

static OpData *
op_data_new (Op          op,
             const char *server,
             const char *database,
             const char *token)
{
  OpData *data = g_new0 (OpData, 1);

  data->op = op;
  data->server = g_strdup (server);
  data->database = g_strdup (database);
  data->token = g_strdup (token);
  return data;
}

static void
sapa_token_store_class_init (SapaTokenStoreClass *klass)
{
}

static void
sapa_token_store_init (SapaTokenStore *self)
{
}

SapaTokenStore *
sapa_token_store_new (void)
{
  return g_object_new (SAPA_TYPE_TOKEN_STORE, NULL);
}

void
sapa_token_store_save_async (SapaTokenStore      *self,
                             const char          *server_url,
                             const char          *database,
                             const char          *token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (SAPA_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL && database != NULL && token != NULL);

  start (self, op_data_new (OP_SAVE, server_url, database, token),
         cancellable, callback, user_data, sapa_token_store_save_async);
}

gboolean
sapa_token_store_save_finish (SapaTokenStore  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
sapa_token_store_lookup_async (SapaTokenStore      *self,
                               const char          *server_url,
                               const char          *database,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (SAPA_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL && database != NULL);

  start (self, op_data_new (OP_LOOKUP, server_url, database, NULL),
         cancellable, callback, user_data, sapa_token_store_lookup_async);
}

char *
sapa_token_store_lookup_finish (SapaTokenStore  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
sapa_token_store_clear_async (SapaTokenStore      *self,
                              const char          *server_url,
                              const char          *database,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (SAPA_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL && database != NULL);

  start (self, op_data_new (OP_CLEAR, server_url, database, NULL),
         cancellable, callback, user_data, sapa_token_store_clear_async);
}

gboolean
sapa_token_store_clear_finish (SapaTokenStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sapa_token_store_get_uses_file (SapaTokenStore *self)
{
  g_return_val_if_fail (SAPA_IS_TOKEN_STORE (self), FALSE);
  return !keyring_wanted (self);
}
