/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SAPA_TOKEN_STORE_ERROR (sapa_token_store_error_quark ())
typedef enum {
  SAPA_TOKEN_STORE_ERROR_FAILED,
} SapaTokenStoreError;
GQuark sapa_token_store_error_quark (void);

#define SAPA_TYPE_TOKEN_STORE (sapa_token_store_get_type ())
G_DECLARE_FINAL_TYPE (SapaTokenStore, sapa_token_store, SAPA, TOKEN_STORE, GObject)

/*
 * Keeps the desk's sign-in token, one per server address and desk database:
 * in the keyring (libsecret, schema "id.sapa.Desk.Token") when a Secret
 * Service answers, otherwise in $XDG_CONFIG_HOME/sapa/tokens, a file only the
 * user can read (0600). The keyring is given up for the file when it fails
 * or does not answer within a few seconds. SAPA_TOKEN_STORE=file in the
 * environment skips the keyring (tests).
 */
SapaTokenStore *sapa_token_store_new            (void);
/* Where the file fallback lives. */
char           *sapa_token_store_dup_file_path  (void);

void            sapa_token_store_save_async     (SapaTokenStore      *self,
                                                 const char          *server_url,
                                                 const char          *database,
                                                 const char          *token,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        sapa_token_store_save_finish    (SapaTokenStore      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* The token, or NULL (and no error) when none is kept. */
void            sapa_token_store_lookup_async   (SapaTokenStore      *self,
                                                 const char          *server_url,
                                                 const char          *database,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char           *sapa_token_store_lookup_finish  (SapaTokenStore      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Forgets the token (keyring and file). */
void            sapa_token_store_clear_async    (SapaTokenStore      *self,
                                                 const char          *server_url,
                                                 const char          *database,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        sapa_token_store_clear_finish   (SapaTokenStore      *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* TRUE once the keyring was found not to work, so the file is used. */
gboolean        sapa_token_store_get_uses_file  (SapaTokenStore      *self);

G_END_DECLS
