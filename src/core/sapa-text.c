/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-text"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sapa/sapa-text.h>

G_DEFINE_QUARK (sapa-text-error-quark, sapa_text_error)

char *
sapa_text_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *folded = NULL;
  GString *out;
  gboolean space = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  /* NFKD splits "é" into "e" + a combining accent, which we drop. */
  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  if (decomposed == NULL)
    return g_strdup ("");
  /* Lower case, not case folding: FTS5's unicode61 keeps "ß" as it is, and
   * the query must fold the way the index does. */
  folded = g_utf8_strdown (decomposed, -1);

  out = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  {
    g_autofree char *raw = g_string_free (out, FALSE);
    return g_utf8_normalize (raw, -1, G_NORMALIZE_NFC);
  }
}

char **
sapa_text_split (const char *text,
                 const char *separators)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (separators != NULL, NULL);

  parts = g_strsplit_set (text ? text : "", separators, -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

char *
sapa_text_digits (const char *text)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);
  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static gboolean
phone_error (GError **error)
{
  g_set_error_literal (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_PHONE,
                       _("This is not a phone number. Enter it with its area or mobile prefix, for example 0812 3456 7890 or +62 812 3456 7890."));
  return FALSE;
}

char *
sapa_phone_normalize (const char  *input,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *digits = NULL;
  gboolean plus;

  g_return_val_if_fail (input != NULL, NULL);

  trimmed = g_strstrip (g_strdup (input));
  for (const char *p = trimmed; *p; p++)
    if (!g_ascii_isdigit (*p) && !strchr (" +-.()/", *p))
      return phone_error (error), NULL;

  plus = trimmed[0] == '+';
  if (strchr (trimmed + (plus ? 1 : 0), '+') != NULL)
    return phone_error (error), NULL;
  digits = sapa_text_digits (trimmed);

  if (plus || g_str_has_prefix (trimmed, "00"))
    {
      const char *d = plus ? digits : digits + 2;
      /* E.164: at most 15 digits; the shortest real numbers have 8 or so */
      if (strlen (d) < 8 || strlen (d) > 15 || d[0] == '0')
        return phone_error (error), NULL;
      return g_strconcat ("+", d, NULL);
    }
  if (digits[0] == '0')
    {
      /* Indonesian national form: 0 + area or mobile prefix */
      if (strlen (digits) < 8 || strlen (digits) > 14)
        return phone_error (error), NULL;
      return g_strconcat ("+62", digits + 1, NULL);
    }
  if (g_str_has_prefix (digits, "62") && strlen (digits) >= 10 && strlen (digits) <= 15)
    return g_strconcat ("+", digits, NULL);
  if (digits[0] == '8' && strlen (digits) >= 9 && strlen (digits) <= 13)
    return g_strconcat ("+62", digits, NULL);
  return phone_error (error), NULL;
}

char *
sapa_phone_format (const char *normalized)
{
  const char *nsn;
  GString *out;
  gsize len;

  g_return_val_if_fail (normalized != NULL, NULL);

  if (!g_str_has_prefix (normalized, "+62"))
    return g_strdup (normalized);
  nsn = normalized + 3;
  len = strlen (nsn);
  out = g_string_new ("+62 ");
  /* Mobile numbers read as 812-3456-7890; landlines as 21-555-0123. */
  if (nsn[0] == '8' && len >= 9)
    {
      g_string_append_len (out, nsn, 3);
      g_string_append_c (out, '-');
      g_string_append_len (out, nsn + 3, 4);
      g_string_append_c (out, '-');
      g_string_append (out, nsn + 7);
    }
  else if (len > 6)
    {
      g_string_append_len (out, nsn, 2);
      g_string_append_c (out, '-');
      g_string_append_len (out, nsn + 2, len - 6);
      g_string_append_c (out, '-');
      g_string_append (out, nsn + len - 4);
    }
  else
    g_string_append (out, nsn);
  return g_string_free (out, FALSE);
}

char *
sapa_email_normalize (const char  *input,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  const char *at;
  const char *dot;

  g_return_val_if_fail (input != NULL, NULL);

  trimmed = g_strstrip (g_utf8_strdown (input, -1));
  at = strchr (trimmed, '@');
  dot = at ? strrchr (at, '.') : NULL;
  if (at == NULL || at == trimmed || strchr (at + 1, '@') != NULL ||
      dot == NULL || dot == at + 1 || dot[1] == '\0' || strlen (dot + 1) < 2 ||
      strpbrk (trimmed, " \t\r\n,;<>()[]\\\"") != NULL || strstr (trimmed, "..") != NULL ||
      strlen (trimmed) > 254)
    {
      g_set_error_literal (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_EMAIL,
                           _("This is not an email address. Check it, for example name@example.com."));
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

char *
sapa_account_normalize (const char  *input,
                        GError     **error)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (input != NULL, NULL);

  for (const char *p = input; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, g_ascii_toupper (*p));
      else if (!strchr (" -./", *p))
        {
          g_string_free (out, TRUE);
          g_set_error_literal (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_ACCOUNT,
                               _("An account or member number has letters and digits only. Check it and try again."));
          return NULL;
        }
    }
  if (out->len < 4 || out->len > 34)
    {
      g_string_free (out, TRUE);
      g_set_error_literal (error, SAPA_TEXT_ERROR, SAPA_TEXT_ERROR_INVALID_ACCOUNT,
                           _("An account or member number has 4 to 34 letters and digits"));
      return NULL;
    }
  return g_string_free (out, FALSE);
}

char *
sapa_account_mask (const char *account)
{
  gsize len;

  if (account == NULL || *account == '\0')
    return g_strdup ("");
  len = strlen (account);
  return g_strconcat ("•••• ", len > 4 ? account + len - 4 : account, NULL);
}

char *
sapa_uuid_new (void)
{
  return g_uuid_string_random ();
}

char *
sapa_uuid_from_rand (GRand *rand)
{
  guint8 b[16];

  g_return_val_if_fail (rand != NULL, NULL);

  for (guint i = 0; i < 16; i += 4)
    {
      guint32 r = g_rand_int (rand);

      b[i] = r & 0xff;
      b[i + 1] = (r >> 8) & 0xff;
      b[i + 2] = (r >> 16) & 0xff;
      b[i + 3] = r >> 24;
    }
  b[6] = (b[6] & 0x0f) | 0x40;  /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80;  /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
