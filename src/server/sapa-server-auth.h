/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa.h>

G_BEGIN_DECLS

/* Who is calling: resolved from a bearer token on every request. */
typedef struct {
  char       *agent_id;
  char       *username;
  char       *role;       /* "agent", "supervisor" or "admin" */
  char       *branch_id;  /* the agent's own branch, may be NULL for admins */
  GPtrArray  *branches;   /* every branch id the principal may see (own + agent_branch); unused for admins */
  char       *token_hash; /* SHA-256 hex of the token used */
} SapaPrincipal;

void           sapa_principal_free          (SapaPrincipal *principal);
gboolean       sapa_principal_is_admin      (const SapaPrincipal *principal);
/* Whether @principal may see or write a record of @branch_id (NULL = a record
 * every signed-in agent may see, such as canned responses). */
gboolean       sapa_principal_may_see_branch (const SapaPrincipal *principal,
                                              const char          *branch_id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaPrincipal, sapa_principal_free)

#define SAPA_AUTH_ERROR (sapa_auth_error_quark ())
typedef enum {
  SAPA_AUTH_ERROR_INVALID_CREDENTIALS,  /* 401 */
  SAPA_AUTH_ERROR_INVALID_TOKEN,        /* 401: unknown, expired, revoked */
  SAPA_AUTH_ERROR_DISABLED,             /* 401: the user is disabled */
  SAPA_AUTH_ERROR_RATE_LIMITED,         /* 429 */
  SAPA_AUTH_ERROR_FAILED,
} SapaAuthError;
GQuark         sapa_auth_error_quark        (void);

typedef struct _SapaAuth SapaAuth;

SapaAuth      *sapa_auth_new                (SapaStore   *store);
void           sapa_auth_free               (SapaAuth    *auth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaAuth, sapa_auth_free)

/* Checks the password (Argon2id) and issues a token. Failed attempts are
 * counted per username and per address; too many -> RATE_LIMITED with
 * *retry_after seconds. On success returns the token (base64url) and fills
 * *expires_at (unix seconds) and *principal. */
char          *sapa_auth_sign_in            (SapaAuth       *auth,
                                             const char     *username,
                                             const char     *password,
                                             const char     *device,
                                             const char     *address,
                                             gint64         *expires_at,
                                             SapaPrincipal **principal,
                                             guint          *retry_after,
                                             GError        **error);
/* Resolves a bearer token (and slides its idle expiry); NULL + INVALID_TOKEN when unknown, expired or revoked. */
SapaPrincipal *sapa_auth_check_token        (SapaAuth    *auth,
                                             const char  *token,
                                             GError     **error);
gboolean       sapa_auth_revoke             (SapaAuth    *auth,
                                             const char  *token,
                                             GError     **error);

G_END_DECLS
