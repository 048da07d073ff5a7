/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libsapa's catalogue reader (sapa-catalog.c), used by the kiosk and by
 * sapa-server's survey pages: a real .mo file made by msgfmt from a small
 * .po written here, read from several threads at once with Indonesian and
 * English side by side; truncated and damaged files refused.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <sapa/sapa-catalog.h>

static const char po[] =
  "msgid \"\"\n"
  "msgstr \"\"\n"
  "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
  "\"Plural-Forms: nplurals=1; plural=0;\\n\"\n"
  "\n"
  "msgid \"How did we do?\"\n"
  "msgstr \"Bagaimana layanan kami?\"\n"
  "\n"
  "msgid \"Send my answers\"\n"
  "msgstr \"Kirim jawaban saya\"\n"
  "\n"
  "msgid \"Not translated yet\"\n"
  "msgstr \"\"\n"
  "\n"
  "msgid \"%d answer\"\n"
  "msgid_plural \"%d answers\"\n"
  "msgstr[0] \"%d jawaban\"\n";

/* The folder with id/LC_MESSAGES/sapa.mo, and that file. */
static char *localedir;
static char *mo_path;

static gpointer
translate_thread (gpointer data)
{
  for (guint i = 0; i < 1000; i++)
    {
      if (g_strcmp0 (sapa_catalog_translate ("id", "How did we do?"), "Bagaimana layanan kami?") != 0 ||
          g_strcmp0 (sapa_catalog_translate ("en", "How did we do?"), "How did we do?") != 0 ||
          g_strcmp0 (sapa_catalog_translate ("id", "Send my answers"), "Kirim jawaban saya") != 0)
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_languages_side_by_side (void)
{
  GThread *threads[4];

  /* The first lookups race to load the catalogue. */
  sapa_catalog_reset_cache ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("translate", translate_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));

  g_assert_cmpstr (sapa_catalog_translate ("id", "Send my answers"), ==, "Kirim jawaban saya");
  g_assert_cmpstr (sapa_catalog_translate ("en", "Send my answers"), ==, "Send my answers");
  g_assert_cmpstr (sapa_catalog_translate (NULL, "Send my answers"), ==, "Send my answers");
  /* Untranslated entries, unknown strings and languages fall back to English. */
  g_assert_cmpstr (sapa_catalog_translate ("id", "Not translated yet"), ==, "Not translated yet");
  g_assert_cmpstr (sapa_catalog_translate ("id", "Never seen"), ==, "Never seen");
  g_assert_cmpstr (sapa_catalog_translate ("fr", "How did we do?"), ==, "How did we do?");
  /* A plural entry is found by its singular msgid (first form). */
  g_assert_cmpstr (sapa_catalog_translate ("id", "%d answer"), ==, "%d jawaban");
  /* Loaded once: every lookup gives the same catalogue. */
  g_assert_nonnull (sapa_catalog_get_for_language ("id"));
  g_assert_true (sapa_catalog_get_for_language ("id") == sapa_catalog_get_for_language ("id"));
  g_assert_null (sapa_catalog_get_for_language ("en"));
}

static void
test_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SapaCatalog) catalog = sapa_catalog_new_from_file (mo_path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (catalog);
  /* The header and the untranslated entry are not counted. */
  g_assert_cmpuint (sapa_catalog_get_n_strings (catalog), ==, 3);
  g_assert_cmpstr (sapa_catalog_lookup (catalog, "How did we do?"), ==, "Bagaimana layanan kami?");
  g_assert_cmpstr (sapa_catalog_lookup (catalog, "Never seen"), ==, "Never seen");
  g_assert_cmpstr (sapa_catalog_lookup (NULL, "How did we do?"), ==, "How did we do?");
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (localedir, "nothing-here.mo", NULL);
  g_autoptr(SapaCatalog) catalog = sapa_catalog_new_from_file (path, &error);

  g_assert_null (catalog);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* @contents written to a file and read back: refused with INVALID. */
static void
assert_refused (const char *contents,
                gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (localedir, "damaged.mo", NULL);
  g_autoptr(SapaCatalog) catalog = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  catalog = sapa_catalog_new_from_file (path, &error);
  g_assert_null (catalog);
  g_assert_error (error, SAPA_CATALOG_ERROR, SAPA_CATALOG_ERROR_INVALID);
  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
put_u32 (char    *data,
         gsize    offset,
         guint32  value)
{
  memcpy (data + offset, &value, sizeof value);
}

static void
test_corrupt_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = NULL;
  gsize size = 0;
  guint32 n, originals;

  g_file_get_contents (mo_path, &good, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (size, >, 20);

  /* Every truncation of the real file: the strings sit after the tables,
   * so whatever is cut, something points past the end. */
  for (gsize length = 0; length < size; length++)
    assert_refused (good, length);

  /* Not a catalogue at all. */
  assert_refused ("This is not a catalogue, only some words.", 41);

  /* Damaged inside, at full length (msgfmt writes the host's byte order). */
  memcpy (&n, good + 8, sizeof n);
  memcpy (&originals, good + 12, sizeof originals);
  g_assert_cmpuint (n, ==, 4);   /* msgfmt leaves the untranslated entry out */
  {
    g_autofree char *bad = g_memdup2 (good, size);

    put_u32 (bad, 8, G_MAXUINT32);   /* a count far beyond the tables */
    assert_refused (bad, size);
  }
  {
    g_autofree char *bad = g_memdup2 (good, size);

    put_u32 (bad, 16, G_MAXUINT32 - 4);   /* the translations' table off the end */
    assert_refused (bad, size);
  }
  {
    g_autofree char *bad = g_memdup2 (good, size);

    put_u32 (bad, originals + 8 + 4, G_MAXUINT32 - 2);   /* a string off the end */
    assert_refused (bad, size);
  }
  {
    g_autofree char *bad = g_memdup2 (good, size);
    guint32 length;

    /* A string's length one too long: its closing NUL is not there. */
    memcpy (&length, bad + originals + 8, sizeof length);
    put_u32 (bad, originals + 8, length + 1);
    assert_refused (bad, size);
  }
}

/* A damaged installed catalogue: a warning, and the English texts. Run in
 * a subprocess, where the warning is not fatal, to see what it says. */
static void
test_corrupt_installed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sapa-catalog-bad-XXXXXX", &error);
  g_autofree char *mo_dir = NULL;
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  mo_dir = g_build_filename (dir, "id", "LC_MESSAGES", NULL);
  path = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
  g_assert_cmpint (g_mkdir_with_parents (mo_dir, 0700), ==, 0);
  g_file_set_contents (path, "\xde\x12\x04\x95 cut short", 14, &error);
  g_assert_no_error (error);

  if (g_test_subprocess ())
    {
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
      sapa_catalog_set_localedir (dir);
      g_assert_cmpstr (sapa_catalog_get_localedir (), ==, dir);
      g_assert_cmpstr (sapa_catalog_translate ("id", "How did we do?"), ==, "How did we do?");
      g_assert_null (sapa_catalog_get_for_language ("id"));

      /* Back to $SAPA_LOCALEDIR: the good catalogue again. */
      sapa_catalog_set_localedir (NULL);
      g_assert_cmpstr (sapa_catalog_get_localedir (), ==, localedir);
      g_assert_cmpstr (sapa_catalog_translate ("id", "How did we do?"), ==, "Bagaimana layanan kami?");
    }
  else
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      g_test_trap_assert_stderr ("*WARNING*Could not read*id/LC_MESSAGES/" GETTEXT_PACKAGE ".mo*");
    }

  g_unlink (path);
  g_rmdir (mo_dir);
  {
    g_autofree char *lc = g_path_get_dirname (mo_dir);
    g_rmdir (lc);
  }
  g_rmdir (dir);
}

/* A language that is not a plain code names no folder. */
static void
test_language_codes (void)
{
  g_autofree char *base = g_path_get_basename (localedir);
  g_autofree char *outside = g_build_filename ("..", base, "id", NULL);

  g_assert_null (sapa_catalog_get_for_language (""));
  g_assert_null (sapa_catalog_get_for_language ("../id"));
  g_assert_null (sapa_catalog_get_for_language (outside));
  g_assert_null (sapa_catalog_get_for_language ("id/LC_MESSAGES"));
  g_assert_null (sapa_catalog_get_for_language (".id"));
  g_assert_cmpstr (sapa_catalog_translate ("../id", "How did we do?"), ==, "How did we do?");
  g_assert_nonnull (sapa_catalog_get_for_language ("id"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *po_path = NULL;
  g_autofree char *mo_dir = NULL;
  g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");
  int status = 0, result;

  g_test_init (&argc, &argv, NULL);
  if (msgfmt == NULL)
    {
      g_test_skip ("msgfmt (gettext) is needed");
      return 0;
    }
  localedir = g_dir_make_tmp ("sapa-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  po_path = g_build_filename (localedir, "id.po", NULL);
  mo_dir = g_build_filename (localedir, "id", "LC_MESSAGES", NULL);
  mo_path = g_build_filename (mo_dir, GETTEXT_PACKAGE ".mo", NULL);
  g_assert_cmpint (g_mkdir_with_parents (mo_dir, 0700), ==, 0);
  g_file_set_contents (po_path, po, -1, &error);
  g_assert_no_error (error);
  {
    const char *args[] = { msgfmt, "-o", mo_path, po_path, NULL };

    g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  /* Read on the first lookup, as sapa-server and the kiosk do. */
  g_setenv ("SAPA_LOCALEDIR", localedir, TRUE);

  g_test_add_func ("/catalog/languages", test_languages_side_by_side);
  g_test_add_func ("/catalog/file", test_file);
  g_test_add_func ("/catalog/missing-file", test_missing_file);
  g_test_add_func ("/catalog/corrupt-refused", test_corrupt_refused);
  g_test_add_func ("/catalog/corrupt-installed", test_corrupt_installed);
  g_test_add_func ("/catalog/language-codes", test_language_codes);
  result = g_test_run ();

  sapa_catalog_reset_cache ();
  g_unlink (mo_path);
  g_rmdir (mo_dir);
  {
    g_autofree char *lc = g_path_get_dirname (mo_dir);
    g_rmdir (lc);
  }
  g_unlink (po_path);
  g_rmdir (localedir);
  g_clear_pointer (&localedir, g_free);
  g_clear_pointer (&mo_path, g_free);
  return result;
}
