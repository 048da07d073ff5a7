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
  GPtrArray  *branches;   /* every branch id the principal may see: own (+ agent_branch for supervisors); all for admins */
  char       *token_hash; /* SHA-256 hex of the token used */
  SapaRecord *agent;      /* the agent record (with its id), as sent in the session answer */
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

/* Sign-in and token checks over a server database (sapa_server_db_open).
 * Holds no state besides the store and the clock: one SapaAuth may be used
 * from several threads at once. Password checks take about 0.2 s of CPU and
 * 64 MiB (Argon2id, libsodium's "interactive" limits): run sign-ins off the
 * main loop. */
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

/* -- additions: limits, clock, helpers for routes and the admin command line -- */

#define SAPA_AUTH_TOKEN_IDLE_SECONDS   (12 * 3600)  /* a token unused this long expires */
#define SAPA_AUTH_TOUCH_SECONDS        60           /* last_used is written at most this often */
#define SAPA_AUTH_FAILURE_WINDOW       (15 * 60)    /* failed sign-ins count this long */
#define SAPA_AUTH_MAX_USER_FAILURES    5            /* per username within the window */
#define SAPA_AUTH_MAX_ADDRESS_FAILURES 20           /* per address within the window */
#define SAPA_AUTH_MIN_PASSWORD_LENGTH  8            /* characters */
#define SAPA_AUTH_MAX_PASSWORD_LENGTH  1024         /* bytes; longer is refused before hashing */

/* Unix seconds; tests replace the clock to move time. */
typedef gint64 (*SapaAuthClock) (gpointer user_data);
void           sapa_auth_set_clock          (SapaAuth      *auth,
                                             SapaAuthClock  clock,
                                             gpointer       user_data);
SapaStore     *sapa_auth_get_store          (SapaAuth      *auth);

/* The stored form of a token: SHA-256 hex of its 32 bytes, or NULL when
 * @token is not 43 characters of base64url. */
char          *sapa_auth_hash_token         (const char  *token);

/* Argon2id (libsodium crypto_pwhash_str) of @password. */
char          *sapa_auth_hash_password      (const char  *password,
                                             GError     **error);
/* NULL when @password is acceptable, else a translated message saying why. */
const char    *sapa_auth_check_password_rules (const char *password);

/* The principal of an agent (as a token check would make it, without a token). */
SapaPrincipal *sapa_auth_lookup_principal   (SapaAuth    *auth,
                                             const char  *agent_id,
                                             GError     **error);

/* Sets (or replaces) the password of @agent_id; every token of the agent is
 * revoked, so all its devices sign in again. */
gboolean       sapa_auth_set_password       (SapaAuth    *auth,
                                             const char  *agent_id,
                                             const char  *password,
                                             GError     **error);
/* Disabling also revokes every token of the agent. */
gboolean       sapa_auth_set_disabled       (SapaAuth    *auth,
                                             const char  *agent_id,
                                             gboolean     disabled,
                                             GError     **error);
gboolean       sapa_auth_is_disabled        (SapaAuth    *auth,
                                             const char  *agent_id);
gboolean       sapa_auth_has_credential     (SapaAuth    *auth,
                                             const char  *agent_id);
/* Revokes every token of @agent_id; returns how many were live in *n_revoked. */
gboolean       sapa_auth_revoke_agent       (SapaAuth    *auth,
                                             const char  *agent_id,
                                             guint       *n_revoked,
                                             GError     **error);
/* Replaces the extra branches (server table agent_branch) of @agent_id. */
gboolean       sapa_auth_set_extra_branches (SapaAuth           *auth,
                                             const char         *agent_id,
                                             const char * const *branch_ids,
                                             GError            **error);
/* Extra branches of @agent_id (NULL-terminated, never NULL). */
char         **sapa_auth_dup_extra_branches (SapaAuth    *auth,
                                             const char  *agent_id);

/* The body of a 201 answer to POST /api/v1/session:
 * {token, expires_at (ISO 8601 UTC), agent: {id, ...fields}, branches: [...]}. */
JsonNode      *sapa_auth_session_to_json    (const char          *token,
                                             gint64               expires_at,
                                             const SapaPrincipal *principal);

G_END_DECLS
