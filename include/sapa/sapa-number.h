/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Numbers for people to read, with the separators of the current LC_NUMERIC
 * locale (localeconv() after setlocale; the desk sets LC_NUMERIC to the
 * locale of its interface language, see the app's sapa-i18n.c): "1,234.5"
 * in English, "1.234,5" in Indonesian. Under the plain C locale there is no
 * thousands separator and the decimal point is ".". Every string returned is
 * newly allocated.
 */

/* The decimal separator of the current locale ("." or ","). */
const char *sapa_number_decimal_separator  (void);
/* The thousands separator of the current locale ("," or "." or ""). */
const char *sapa_number_thousands_separator (void);

/* @value rounded to @digits decimals, with thousands grouped:
 * sapa_format_decimal (1234.56, 1) = "1,234.6" / "1.234,6". NAN gives "". */
char       *sapa_format_decimal            (double  value,
                                            guint   digits);
/* A whole number with thousands grouped: "1,234,567" / "1.234.567". */
char       *sapa_format_integer            (gint64  value);

G_END_DECLS
