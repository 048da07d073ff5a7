/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Translations chosen per request (the public survey page speaks the
 * customer's language, not the server's). gettext picks its language per
 * process (LANGUAGE, setlocale) or per thread only through a locale the
 * system must have generated, and sapa-server answers requests in worker
 * threads; so the server reads its own installed catalogs (sapa.mo, the
 * same files gettext uses) once, and looks strings up by language code.
 *
 * Strings are marked with N_() in the source so xgettext collects them into
 * po/sapa.pot as usual.
 */

/* @msgid translated into @language ("id", "en", ...); @msgid itself when
 * there is no catalog or no translation. Thread-safe; the catalogs are
 * loaded on first use from $SAPA_LOCALEDIR or LOCALEDIR. */
const char *sapa_server_translate (const char *language,
                                   const char *msgid);

G_END_DECLS
