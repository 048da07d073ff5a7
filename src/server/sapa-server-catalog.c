/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-server"

#include "config.h"

#include <string.h>

#include "sapa-server-catalog.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U

typedef struct {
  GMappedFile *file;
  GHashTable  *strings;   /* msgid -> msgstr, both pointing into @file */
} Catalog;

static GHashTable *catalogs;   /* language -> Catalog*, filled once */

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 value;

  memcpy (&value, data + offset, sizeof value);
  return swapped ? GUINT32_SWAP_LE_BE (value) : value;
}

/* A GNU .mo file: magic, revision, N, offset of the original strings'
 * table, offset of the translations' table; each table holds N (length,
 * offset) pairs. Anything out of bounds makes the catalog unusable. */
static Catalog *
catalog_load (const char *path)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr(GHashTable) strings = NULL;
  const guint8 *data;
  gsize size;
  guint32 magic, n, orig, trans;
  gboolean swapped;
  Catalog *catalog;

  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  size = g_mapped_file_get_length (file);
  if (size < 20)
    return NULL;
  memcpy (&magic, data, sizeof magic);
  if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
    return NULL;
  swapped = magic == MO_MAGIC_SWAPPED;
  n = read_u32 (data, 8, swapped);
  orig = read_u32 (data, 12, swapped);
  trans = read_u32 (data, 16, swapped);
  if ((guint64) orig + (guint64) n * 8 > size || (guint64) trans + (guint64) n * 8 > size)
    return NULL;

  strings = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 olen = read_u32 (data, orig + i * 8, swapped);
      guint32 ooff = read_u32 (data, orig + i * 8 + 4, swapped);
      guint32 tlen = read_u32 (data, trans + i * 8, swapped);
      guint32 toff = read_u32 (data, trans + i * 8 + 4, swapped);

      /* Each string is followed by a NUL; plural forms are NUL-separated
       * inside, so the first one is what a lookup of the msgid finds. */
      if ((guint64) ooff + olen >= size || (guint64) toff + tlen >= size ||
          data[ooff + olen] != '\0' || data[toff + tlen] != '\0')
        return NULL;
      if (olen == 0 || tlen == 0)
        continue;   /* the header, or an untranslated entry */
      g_hash_table_insert (strings, (gpointer) (data + ooff), (gpointer) (data + toff));
    }

  catalog = g_new0 (Catalog, 1);
  catalog->file = g_steal_pointer (&file);
  catalog->strings = g_steal_pointer (&strings);
  return catalog;
}

static void
load_all (void)
{
  static const char * const languages[] = { "id", NULL };
  const char *dir = g_getenv ("SAPA_LOCALEDIR");

  if (dir == NULL || *dir == '\0')
    dir = LOCALEDIR;
  catalogs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, languages[i], "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
      Catalog *catalog = catalog_load (path);

      if (catalog == NULL)
        {
          g_message ("No usable translations in %s; pages in “%s” will be in English", path, languages[i]);
          continue;
        }
      g_hash_table_insert (catalogs, (gpointer) languages[i], catalog);
    }
}

const char *
sapa_server_translate (const char *language,
                       const char *msgid)
{
  static gsize loaded;
  Catalog *catalog;
  const char *msgstr;

  g_return_val_if_fail (msgid != NULL, NULL);

  if (g_once_init_enter (&loaded))
    {
      load_all ();
      g_once_init_leave (&loaded, 1);
    }
  if (language == NULL)
    return msgid;
  catalog = g_hash_table_lookup (catalogs, language);
  if (catalog == NULL)
    return msgid;
  msgstr = g_hash_table_lookup (catalog->strings, msgid);
  return msgstr != NULL ? msgstr : msgid;
}
