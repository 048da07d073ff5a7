/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAPA_SETTINGS_SCHEMA "id.sapa.Desk"

#define SAPA_TYPE_APPLICATION (sapa_application_get_type ())
G_DECLARE_FINAL_TYPE (SapaApplication, sapa_application, SAPA, APPLICATION, AdwApplication)

SapaApplication *sapa_application_new           (void);
/* The database opened at start: --database, else the GSettings
 * `last-database` when that file exists, else the default in the user data
 * dir (whose directory is created). */
char            *sapa_application_dup_start_database (SapaApplication *self);
/* The default desk database: $XDG_DATA_HOME/sapa/desk.sqlite. */
char            *sapa_application_dup_default_database (void);
/* Opens @path off the main loop into the window; on failure asks for another
 * file or to quit. */
void             sapa_application_open_database (SapaApplication *self,
                                                 const char      *path);

G_END_DECLS
