/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Translations in a language other than the desk's: the customer-facing
 * kiosk speaks the customer's language while the desk keeps its own.
 * gettext answers in one language per process, so the kiosk reads the
 * compiled catalogue (<localedir>/<language>/LC_MESSAGES/<domain>.mo, the
 * same file gettext reads) itself. Strings are marked with N_() in the
 * source so they reach the catalogue as usual.
 */
typedef struct _SapaCatalog SapaCatalog;

/* Reads @path, a GNU .mo file. */
SapaCatalog *sapa_catalog_new_from_file (const char   *path,
                                         GError      **error);
/* The catalogue of @language ("id") for Sapa, from sapa_i18n_get_localedir(),
 * loaded once and kept. NULL for English (the source strings) and when
 * there is no catalogue for @language (then the source strings are shown). */
SapaCatalog *sapa_catalog_get_for_language (const char *language);
/* Forgets the catalogues loaded by sapa_catalog_get_for_language(). */
void         sapa_catalog_reset_cache   (void);
void         sapa_catalog_free          (SapaCatalog  *self);
guint        sapa_catalog_get_n_strings (SapaCatalog  *self);
/* The translation of @msgid, or @msgid when there is none. @self may be NULL. */
const char  *sapa_catalog_lookup        (SapaCatalog  *self,
                                         const char   *msgid);
/* @msgid in @language: sapa_catalog_lookup (sapa_catalog_get_for_language (language), msgid). */
const char  *sapa_catalog_translate     (const char   *language,
                                         const char   *msgid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaCatalog, sapa_catalog_free)

G_END_DECLS
