/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-catalog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sapa-catalog.h"
#include "sapa-i18n.h"

struct _SapaCatalog
{
  GHashTable *strings;   /* msgid -> msgstr, both owned */
};

#define MO_MAGIC 0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

/* The string at entry @index of the table at @table, or NULL when it does
 * not fit in the file. */
static const char *
mo_string (const guint8 *data,
           gsize         size,
           guint32       table,
           guint32       index,
           gboolean      swapped)
{
  gsize entry = (gsize) table + (gsize) index * 8;
  guint32 length, offset;

  if (entry + 8 > size)
    return NULL;
  length = read_u32 (data, entry, swapped);
  offset = read_u32 (data, entry + 4, swapped);
  if ((gsize) offset + length >= size || data[offset + length] != '\0')
    return NULL;
  return (const char *) data + offset;
}

SapaCatalog *
sapa_catalog_new_from_file (const char  *path,
                            GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  const guint8 *data;
  gsize size;
  guint32 magic, n, originals, translations;
  gboolean swapped;
  SapaCatalog *self;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 20)
    goto bad;
  magic = read_u32 (data, 0, FALSE);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    goto bad;
  swapped = magic == MO_MAGIC_SWAPPED;
  n = read_u32 (data, 8, swapped);
  originals = read_u32 (data, 12, swapped);
  translations = read_u32 (data, 16, swapped);

  self = g_new0 (SapaCatalog, 1);
  self->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint32 i = 0; i < n; i++)
    {
      const char *msgid = mo_string (data, size, originals, i, swapped);
      const char *msgstr = mo_string (data, size, translations, i, swapped);

      if (msgid == NULL || msgstr == NULL)
        {
          sapa_catalog_free (self);
          goto bad;
        }
      /* The header (empty msgid) and untranslated entries are left out;
       * plural entries are looked up by their singular msgid and give the
       * first form. */
      if (*msgid == '\0' || *msgstr == '\0' || !g_utf8_validate (msgstr, -1, NULL))
        continue;
      g_hash_table_replace (self->strings, g_strdup (msgid), g_strdup (msgstr));
    }
  return self;

bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               /* Translators: %s is a file name */
               _("%s is not a translation catalogue"), path);
  return NULL;
}

void
sapa_catalog_free (SapaCatalog *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->strings, g_hash_table_unref);
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

/* language -> SapaCatalog (or a NULL value: none), used from the main thread. */
static GHashTable *cache;

SapaCatalog *
sapa_catalog_get_for_language (const char *language)
{
  const char *candidates[3] = { NULL, NULL, NULL };
  SapaCatalog *catalog = NULL;

  if (language == NULL || *language == '\0' || g_str_has_prefix (language, "en"))
    return NULL;
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) sapa_catalog_free);
  if (g_hash_table_lookup_extended (cache, language, NULL, (gpointer *) &catalog))
    return catalog;

  /* "id" is kept as id/ (what meson and distributions install), with id_ID/
   * as a second place to look. */
  candidates[0] = language;
  if (g_str_equal (language, "id"))
    candidates[1] = "id_ID";
  for (guint i = 0; catalog == NULL && candidates[i] != NULL; i++)
    {
      g_autofree char *mo = g_strconcat (GETTEXT_PACKAGE, ".mo", NULL);
      g_autofree char *path = g_build_filename (sapa_i18n_get_localedir (), candidates[i],
                                                "LC_MESSAGES", mo, NULL);
      g_autoptr(GError) error = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      catalog = sapa_catalog_new_from_file (path, &error);
      if (catalog == NULL)
        g_warning ("Could not read %s: %s", path, error->message);
    }
  if (catalog == NULL)
    g_message ("No %s catalogue in %s: showing the English texts", language,
               sapa_i18n_get_localedir ());
  g_hash_table_insert (cache, g_strdup (language), catalog);
  return catalog;
}

void
sapa_catalog_reset_cache (void)
{
  g_clear_pointer (&cache, g_hash_table_unref);
}

const char *
sapa_catalog_translate (const char *language,
                        const char *msgid)
{
  return sapa_catalog_lookup (sapa_catalog_get_for_language (language), msgid);
}
