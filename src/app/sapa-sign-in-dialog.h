/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>
#include <sapa/sapa-sync.h>

G_BEGIN_DECLS

#define SAPA_TYPE_SIGN_IN_DIALOG (sapa_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SapaSignInDialog, sapa_sign_in_dialog, SAPA, SIGN_IN_DIALOG, AdwWindow)

/*
 * Asks for the server address, username and password and signs @sync in
 * (sapa_sync_sign_in_async). Errors are shown in the dialog, saying what to
 * do. On success ::signed-in (const char *server_url) is emitted and the
 * dialog closes; the token is then the engine's "token".
 */
SapaSignInDialog *sapa_sign_in_dialog_new            (SapaSync         *sync,
                                                      const char       *server_url);
void              sapa_sign_in_dialog_set_server_url (SapaSignInDialog *self,
                                                      const char       *server_url);
void              sapa_sign_in_dialog_set_username   (SapaSignInDialog *self,
                                                      const char       *username);
/* Shows what went wrong with a sign-in made elsewhere (at start, from the
 * command line), as the dialog says it for its own. */
void              sapa_sign_in_dialog_show_error     (SapaSignInDialog *self,
                                                      const GError     *error,
                                                      const char       *server_url);
/* TRUE while the server is being asked. */
gboolean          sapa_sign_in_dialog_get_busy       (SapaSignInDialog *self);
/* The message shown after a failure, or NULL. */
const char       *sapa_sign_in_dialog_get_error_text (SapaSignInDialog *self);

/* The address people type, made whole: "sapa.example.com" gets "https://",
 * a trailing "/" goes. NULL when it is not an http(s) address. */
char             *sapa_sign_in_normalize_url         (const char       *text);
/* What the dialog says for a failed sign-in: what went wrong and what to do. */
char             *sapa_sign_in_error_text            (const GError     *error,
                                                      const char       *server_url);

G_END_DECLS
