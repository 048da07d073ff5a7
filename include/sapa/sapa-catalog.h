/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Translations in a language chosen per window or per request, not per
 * process: the customer-facing kiosk speaks the customer's language while
 * the desk keeps its own, and the public survey page answers each request
 * in the link's language from sapa-server's worker threads. gettext answers
 * in one language per process, so Sapa reads the compiled catalogue
 * (<localedir>/<language>/LC_MESSAGES/sapa.mo, the same file gettext reads)
 * itself. Strings are marked with N_() in the source so they reach the
 * catalogue as usual.
 *
 * A catalogue is read whole into memory and checked: a truncated or
 * damaged file is refused (SAPA_CATALOG_ERROR_INVALID), never read out of
 * bounds. Once made, a SapaCatalog is only read, so any thread may look
 * strings up in it.
 */

#define SAPA_CATALOG_ERROR (sapa_catalog_error_quark ())
typedef enum {
  SAPA_CATALOG_ERROR_INVALID,   /* not a .mo file, or truncated or damaged */
} SapaCatalogError;
GQuark sapa_catalog_error_quark (void);

typedef struct _SapaCatalog SapaCatalog;

/* Reads @path, a GNU .mo file. Errors: G_FILE_ERROR when it cannot be read,
 * SAPA_CATALOG_ERROR_INVALID when it is not a usable catalogue. */
SapaCatalog *sapa_catalog_new_from_file (const char   *path,
                                         GError      **error);
void         sapa_catalog_free          (SapaCatalog  *self);
/* How many translated strings it holds (the header and untranslated
 * entries are not counted). */
guint        sapa_catalog_get_n_strings (SapaCatalog  *self);
/* The translation of @msgid, or @msgid when there is none. @self may be
 * NULL (no catalogue: the source strings). Plural entries are found by
 * their singular msgid and give the first form. */
const char  *sapa_catalog_lookup        (SapaCatalog  *self,
                                         const char   *msgid);

/*
 * The shared catalogues, one per language, loaded on first use and kept
 * for the life of the process. Thread-safe.
 */

/* Where the shared catalogues are read from: the folder given to
 * sapa_catalog_set_localedir(), else $SAPA_LOCALEDIR when set, else the
 * installed one (LOCALEDIR). $SAPA_LOCALEDIR is read when a language is
 * first loaded, so a program may set it before its first lookup. */
const char  *sapa_catalog_get_localedir (void);
/* Sets the folder once, at start-up before any lookup (NULL: back to
 * $SAPA_LOCALEDIR or LOCALEDIR). Catalogues already loaded are forgotten,
 * so no other thread may be using strings from them. */
void         sapa_catalog_set_localedir (const char   *localedir);
/* The catalogue of @language ("id"; "id_ID" is tried as a second place)
 * for Sapa. NULL for English (the source strings), for a code that is not
 * a plain language code, and when there is no usable catalogue for
 * @language (then the source strings are shown). */
SapaCatalog *sapa_catalog_get_for_language (const char *language);
/* Forgets the shared catalogues, so the next lookup reads them again; as
 * with sapa_catalog_set_localedir(), no other thread may be using them. */
void         sapa_catalog_reset_cache   (void);
/* @msgid in @language: sapa_catalog_lookup (sapa_catalog_get_for_language (language), msgid).
 * @language may be NULL (the source strings). */
const char  *sapa_catalog_translate     (const char   *language,
                                         const char   *msgid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaCatalog, sapa_catalog_free)

G_END_DECLS
