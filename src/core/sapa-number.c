/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-number"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <sapa/sapa-number.h>

/*
 * The separators come from localeconv(): the desk sets LC_NUMERIC to the
 * locale of its interface language at start, so Indonesian gives "," and
 * "." and English "." and ",". The printf "'" flag alone is not enough: it
 * groups thousands but GLib's own formatting (g_ascii_formatd) and the %f
 * of other code paths would still disagree on the decimal point.
 */

const char *
sapa_number_decimal_separator (void)
{
  const struct lconv *lc = localeconv ();

  if (lc == NULL || lc->decimal_point == NULL || lc->decimal_point[0] == '\0')
    return ".";
  return lc->decimal_point;
}

const char *
sapa_number_thousands_separator (void)
{
  const struct lconv *lc = localeconv ();

  if (lc == NULL || lc->thousands_sep == NULL)
    return "";
  return lc->thousands_sep;
}

/* @digits_str: ASCII digits; appends them to @out grouped by three. */
static void
append_grouped (GString    *out,
                const char *digits_str,
                gsize       len,
                const char *sep)
{
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && sep[0] != '\0')
        g_string_append (out, sep);
      g_string_append_c (out, digits_str[i]);
    }
}

char *
sapa_format_decimal (double value,
                     guint  digits)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE + 64];
  char format[16];
  const char *p;
  const char *dot;
  gboolean negative = FALSE;
  gboolean all_zero = TRUE;
  GString *out;

  if (!isfinite (value))
    return g_strdup ("");

  digits = MIN (digits, 9);
  g_snprintf (format, sizeof format, "%%.%uf", digits);
  g_ascii_formatd (buf, sizeof buf, format, value);

  p = buf;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (const char *q = p; *q != '\0'; q++)
    if (g_ascii_isdigit (*q) && *q != '0')
      all_zero = FALSE;

  out = g_string_new (NULL);
  /* "-0.0" after rounding is just "0.0" */
  if (negative && !all_zero)
    g_string_append_c (out, '-');

  dot = strchr (p, '.');
  append_grouped (out, p, dot != NULL ? (gsize) (dot - p) : strlen (p),
                  sapa_number_thousands_separator ());
  if (dot != NULL)
    {
      g_string_append (out, sapa_number_decimal_separator ());
      g_string_append (out, dot + 1);
    }
  return g_string_free (out, FALSE);
}

char *
sapa_format_integer (gint64 value)
{
  char buf[32];
  const char *p = buf;
  GString *out = g_string_new (NULL);

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  append_grouped (out, p, strlen (p), sapa_number_thousands_separator ());
  return g_string_free (out, FALSE);
}
