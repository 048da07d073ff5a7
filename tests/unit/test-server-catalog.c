/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sapa-server's per-request translations (sapa-server-catalog.c) read a real
 * .mo file made by msgfmt from a small .po written here, from several
 * threads at once, with Indonesian and English side by side.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "sapa-server-catalog.h"

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

static gpointer
translate_thread (gpointer data)
{
  for (guint i = 0; i < 1000; i++)
    {
      if (g_strcmp0 (sapa_server_translate ("id", "How did we do?"), "Bagaimana layanan kami?") != 0 ||
          g_strcmp0 (sapa_server_translate ("en", "How did we do?"), "How did we do?") != 0)
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_languages_side_by_side (void)
{
  GThread *threads[4];

  /* The first lookups race to load the catalogs. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("translate", translate_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));

  g_assert_cmpstr (sapa_server_translate ("id", "Send my answers"), ==, "Kirim jawaban saya");
  g_assert_cmpstr (sapa_server_translate ("en", "Send my answers"), ==, "Send my answers");
  g_assert_cmpstr (sapa_server_translate (NULL, "Send my answers"), ==, "Send my answers");
  /* Untranslated entries, unknown strings and languages fall back to English. */
  g_assert_cmpstr (sapa_server_translate ("id", "Not translated yet"), ==, "Not translated yet");
  g_assert_cmpstr (sapa_server_translate ("id", "Never seen"), ==, "Never seen");
  g_assert_cmpstr (sapa_server_translate ("fr", "How did we do?"), ==, "How did we do?");
  /* A plural entry is found by its singular msgid (first form). */
  g_assert_cmpstr (sapa_server_translate ("id", "%d answer"), ==, "%d jawaban");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *po_path = NULL;
  g_autofree char *mo_dir = NULL;
  g_autofree char *mo_path = NULL;
  g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");
  int status = 0, result;

  g_test_init (&argc, &argv, NULL);
  if (msgfmt == NULL)
    {
      g_test_skip ("msgfmt (gettext) is needed");
      return 0;
    }
  dir = g_dir_make_tmp ("sapa-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  po_path = g_build_filename (dir, "id.po", NULL);
  mo_dir = g_build_filename (dir, "id", "LC_MESSAGES", NULL);
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
  /* Read on the first lookup. */
  g_setenv ("SAPA_LOCALEDIR", dir, TRUE);

  g_test_add_func ("/server-catalog/languages", test_languages_side_by_side);
  result = g_test_run ();

  g_unlink (mo_path);
  g_rmdir (mo_dir);
  {
    g_autofree char *lc = g_path_get_dirname (mo_dir);
    g_rmdir (lc);
  }
  g_unlink (po_path);
  g_rmdir (dir);
  return result;
}
