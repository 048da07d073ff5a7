/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets up the language, locale and message catalogue. Call it first in main():
 * it applies the GSettings `language`, makes dates and numbers follow the
 * chosen language and stops gtk_init from resetting the locale. Tests call it
 * right after gtk_test_init(), which forces the en_US.UTF-8 locale. */
void        sapa_i18n_init          (void);

/* Where the catalogues are read from: $SAPA_LOCALEDIR or the installed one. */
const char *sapa_i18n_get_localedir (void);

/* "id", "en" or another language code: the first of the languages in use. */
const char *sapa_i18n_get_language  (void);

G_END_DECLS
