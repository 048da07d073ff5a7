/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SAPA_TYPE_PREFERENCES_WINDOW (sapa_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (SapaPreferencesWindow, sapa_preferences_window, SAPA, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @database_path: the database open now, or NULL. */
SapaPreferencesWindow *sapa_preferences_window_new (const char *database_path);
/* The language row: 0 system, 1 Bahasa Indonesia, 2 English. */
/* "Rating Screen": Automatic, then each connected monitor (GSettings "kiosk-monitor"). */
AdwComboRow           *sapa_preferences_window_get_kiosk_monitor_row (SapaPreferencesWindow *self);
guint                  sapa_preferences_window_get_language_index (SapaPreferencesWindow *self);
void                   sapa_preferences_window_set_language_index (SapaPreferencesWindow *self,
                                                                   guint                  index);

G_END_DECLS
