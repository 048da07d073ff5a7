/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <sapa/sapa-catalog.h>

G_DEFINE_QUARK (sapa-catalog-error-quark, sapa_catalog_error)

struct _SapaCatalog
{
  char       *data;      /* the whole file */
  GHashTable *strings;   /* msgid -> msgstr, both pointing into @data */
};

/* A GNU .mo file: magic, revision, N, offset of the original strings'
 * table, offset of the translations' table; each table holds N (length,
 * offset) pairs, and each string is followed by a NUL. */
#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_HEADER_SIZE   20

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

/* The string at entry @index of the table at @table, or NULL when the entry
 * or its string does not lie inside the file. */
static const char *
mo_string (const guint8 *data,
           gsize         size,
           guint32       table,
           guint32       index,
           gboolean      swapped)
{
  guint64 entry = (guint64) table + (guint64) index * 8;
  guint32 length, offset;

  if (entry + 8 > size)
    return NULL;
  length = read_u32 (data, entry, swapped);
  offset = read_u32 (data, entry + 4, swapped);
  if ((guint64) offset + length >= size || data[(gsize) offset + length] != '\0')
    return NULL;
  return (const char *) data + offset;
}

static gboolean
parse (SapaCatalog *self,
       gsize        size)
{
  const guint8 *data = (const guint8 *) self->data;
  guint32 magic, n, originals, translations;
  gboolean swapped;

  if (size < MO_HEADER_SIZE)
    return FALSE;
  magic = read_u32 (data, 0, FALSE);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    return FALSE;
  swapped = magic == MO_MAGIC_SWAPPED;
  n = read_u32 (data, 8, swapped);
  originals = read_u32 (data, 12, swapped);
  translations = read_u32 (data, 16, swapped);
  /* Both tables inside the file before anything is read from them (this
   * also keeps a damaged count from looping for long). */
  if ((guint64) originals + (guint64) n * 8 > size ||
      (guint64) translations + (guint64) n * 8 > size)
    return FALSE;

  for (guint32 i = 0; i < n; i++)
    {
      const char *msgid = mo_string (data, size, originals, i, swapped);
      const char *msgstr = mo_string (data, size, translations, i, swapped);

      if (msgid == NULL || msgstr == NULL)
        return FALSE;
      /* The header (empty msgid) and untranslated entries are left out;
       * plural forms are NUL-separated inside msgstr, so a lookup of the
       * singular msgid finds the first one. */
      if (*msgid == '\0' || *msgstr == '\0' || !g_utf8_validate (msgstr, -1, NULL))
        continue;
      g_hash_table_replace (self->strings, (gpointer) msgid, (gpointer) msgstr);
    }
  return TRUE;
}

SapaCatalog *
sapa_catalog_new_from_file (const char  *path,
                            GError     **error)
{
  g_autoptr(SapaCatalog) self = NULL;
  gsize size = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SapaCatalog, 1);
  self->strings = g_hash_table_new (g_str_hash, g_str_equal);
  /* Read, not mapped: a file changed on disk while in use cannot fault. */
  if (!g_file_get_contents (path, &self->data, &size, error))
    return NULL;
  if (!parse (self, size))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, SAPA_CATALOG_ERROR, SAPA_CATALOG_ERROR_INVALID,
                   /* Translators: %s is a file name */
                   _("%s is not a translation catalogue or is damaged; install Sapa’s translations again"),
                   name);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
sapa_catalog_free (SapaCatalog *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->strings, g_hash_table_unref);
  g_free (self->data);
  g_free (self);
}

guint
sapa_catalog_get_n_strings (SapaCatalog *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return g_hash_table_size (self->strings);
}

const char *
sapa_catalog_lookup (SapaCatalog *self,
                     const char  *msgid)
{
  const char *msgstr;

  g_return_val_if_fail (msgid != NULL, NULL);

  if (self == NULL)
    return msgid;
  msgstr = g_hash_table_lookup (self->strings, msgid);
  return msgstr != NULL ? msgstr : msgid;
}

/* The shared catalogues: language -> SapaCatalog (or a NULL value: none),
 * and the folder set by sapa_catalog_set_localedir(); both under @lock. */
static GMutex lock;
static GHashTable *cache;
static char *localedir;

const char *
sapa_catalog_get_localedir (void)
{
  const char *dir;

  if (localedir != NULL)
    return localedir;
  dir = g_getenv ("SAPA_LOCALEDIR");
  if (dir != NULL && dir[0] != '\0')
    return dir;
  return LOCALEDIR;
}

void
sapa_catalog_set_localedir (const char *dir)
{
  g_mutex_lock (&lock);
  g_free (localedir);
  localedir = g_strdup (dir);
  g_clear_pointer (&cache, g_hash_table_unref);
  g_mutex_unlock (&lock);
}

/* A language code as a folder name: letters first, then letters, digits,
 * '_', '-' or '@' ("id", "id_ID", "sr@latin"); nothing that could name
 * another folder. */
static gboolean
is_language_code (const char *language)
{
  gsize length = strlen (language);

  if (length == 0 || length > 32 || !g_ascii_isalpha (language[0]))
    return FALSE;
  for (gsize i = 1; i < length; i++)
    if (!g_ascii_isalnum (language[i]) && strchr ("_-@", language[i]) == NULL)
      return FALSE;
  return TRUE;
}

static SapaCatalog *
load (const char *language)
{
  const char *candidates[3] = { language, NULL, NULL };
  const char *dir = sapa_catalog_get_localedir ();
  SapaCatalog *catalog = NULL;

  /* "id" is kept as id/ (what meson and distributions install), with id_ID/
   * as a second place to look. */
  if (g_str_equal (language, "id"))
    candidates[1] = "id_ID";
  for (guint i = 0; catalog == NULL && candidates[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, candidates[i], "LC_MESSAGES",
                                                GETTEXT_PACKAGE ".mo", NULL);
      g_autoptr(GError) error = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      catalog = sapa_catalog_new_from_file (path, &error);
      if (catalog == NULL)
        g_warning ("Could not read %s: %s", path, error->message);
    }
  if (catalog == NULL)
    g_message ("No usable %s catalogue in %s: showing the English texts", language, dir);
  return catalog;
}

SapaCatalog *
sapa_catalog_get_for_language (const char *language)
{
  SapaCatalog *catalog = NULL;

  if (language == NULL || g_str_has_prefix (language, "en") || !is_language_code (language))
    return NULL;

  /* Loaded under the lock, so threads asking at once read the file once. */
  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) sapa_catalog_free);
  if (!g_hash_table_lookup_extended (cache, language, NULL, (gpointer *) &catalog))
    {
      catalog = load (language);
      g_hash_table_insert (cache, g_strdup (language), catalog);
    }
  g_mutex_unlock (&lock);
  return catalog;
}

void
sapa_catalog_reset_cache (void)
{
  g_mutex_lock (&lock);
  g_clear_pointer (&cache, g_hash_table_unref);
  g_mutex_unlock (&lock);
}

const char *
sapa_catalog_translate (const char *language,
                        const char *msgid)
{
  g_return_val_if_fail (msgid != NULL, NULL);
  return sapa_catalog_lookup (sapa_catalog_get_for_language (language), msgid);
}
