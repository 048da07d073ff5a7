/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-i18n"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <gtk/gtk.h>
#include <locale.h>

#include <sapa/sapa-catalog.h>

#include "sapa-i18n.h"

#define SETTINGS_SCHEMA_ID "id.sapa.Desk"

const char *
sapa_i18n_get_localedir (void)
{
  return sapa_catalog_get_localedir ();
}

const char *
sapa_i18n_get_language (void)
{
  const char * const *names = g_get_language_names ();

  return names[0];
}

static char *
dup_language_setting (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  /* Without an installed schema (a bare build tree) there is no setting. */
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;

  settings = g_settings_new (SETTINGS_SCHEMA_ID);
  return g_settings_get_string (settings, "language");
}

static gboolean
is_plain_c (const char *locale)
{
  return locale == NULL ||
         g_str_equal (locale, "C") ||
         g_str_equal (locale, "POSIX") ||
         g_str_has_prefix (locale, "C.");
}

static void
set_formats_locale (const char *locale)
{
  /* When the locale is not generated on this machine, keep what we have. */
  if (setlocale (LC_TIME, locale) == NULL)
    {
      g_debug ("Locale %s is not available; dates keep the current one", locale);
      return;
    }
  setlocale (LC_NUMERIC, locale);
  setlocale (LC_MONETARY, locale);
}

void
sapa_i18n_init (void)
{
  g_autofree char *language = dup_language_setting ();
  const char *current;
  const char *effective;

  if (language != NULL && language[0] != '\0')
    g_setenv ("LANGUAGE", language, TRUE);

  current = setlocale (LC_ALL, "");
  /* gettext ignores LANGUAGE under the plain C locale; C.UTF-8 honours it. */
  if (current == NULL || g_str_equal (current, "C") || g_str_equal (current, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  /* Dates and numbers follow the language of the interface. */
  effective = sapa_i18n_get_language ();
  if (g_str_has_prefix (effective, "id"))
    set_formats_locale ("id_ID.UTF-8");
  else if (g_str_has_prefix (effective, "en") && is_plain_c (setlocale (LC_TIME, NULL)))
    set_formats_locale ("en_US.UTF-8");

  bindtextdomain (GETTEXT_PACKAGE, sapa_i18n_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* So gtk_init does not set the locale again; once GTK runs it is too late
   * to ask (gtk_test_init sets en_US.UTF-8, tests call this after it). */
  if (!gtk_is_initialized ())
    gtk_disable_setlocale ();
}
