/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <sapa/sapa.h>

/* A fresh temporary directory for a test's databases and files. */
static inline char *
sapa_test_dir_new (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @dir and the files in it (the tests make no subdirectories). */
static inline void
sapa_test_dir_remove (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* A fresh desk database "desk.sqlite" in a new temporary directory. */
static inline SapaStore *
sapa_test_store_new (const char  *tmpl,
                     char       **out_dir,
                     char       **out_path)
{
  g_autoptr(GError) error = NULL;
  SapaStore *store;

  *out_dir = sapa_test_dir_new (tmpl);
  *out_path = g_build_filename (*out_dir, "desk.sqlite", NULL);
  store = sapa_store_open (*out_path, &error);
  g_assert_no_error (error);
  return store;
}
