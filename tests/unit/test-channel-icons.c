/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sapa/sapa.h>

/* Every channel names an icon that exists in data/icons/scalable/actions, and every
 * icon there is drawn so GTK 4.8 can recolour it as a symbolic icon: 16x16, only
 * <path>, <rect> and <circle> shapes (the only ones GTK's symbolic style sheet
 * fills with the foreground colour), one fill colour and no strokes. */

typedef struct
{
  const char *file;
  guint shapes;
  char *fill;
  gboolean saw_svg;
} IconCheck;

static char *
icons_dir (void)
{
  const char *test_data = g_getenv ("SAPA_TEST_DATA");
  g_autofree char *tests_dir = NULL;
  g_autofree char *source_dir = NULL;

  /* SAPA_TEST_DATA is tests/data in the source tree */
  g_assert_nonnull (test_data);
  tests_dir = g_path_get_dirname (test_data);
  source_dir = g_path_get_dirname (tests_dir);
  return g_build_filename (source_dir, "data", "icons", "scalable", "actions", NULL);
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

static void
start_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  IconCheck *check = user_data;
  const char *fill;

  if (g_str_equal (element, "svg"))
    {
      g_assert_cmpstr (attribute (names, values, "width"), ==, "16");
      g_assert_cmpstr (attribute (names, values, "height"), ==, "16");
      g_assert_cmpstr (attribute (names, values, "viewBox"), ==, "0 0 16 16");
      check->saw_svg = TRUE;
      return;
    }

  if (!g_str_equal (element, "path") && !g_str_equal (element, "rect") &&
      !g_str_equal (element, "circle"))
    {
      g_test_message ("%s: <%s> is not recoloured by GTK", check->file, element);
      g_test_fail ();
      return;
    }

  check->shapes++;
  g_assert_null (attribute (names, values, "stroke"));
  g_assert_null (attribute (names, values, "style"));
  fill = attribute (names, values, "fill");
  g_assert_nonnull (fill);
  if (check->fill == NULL)
    check->fill = g_strdup (fill);
  g_assert_cmpstr (fill, ==, check->fill);
}

static void
check_icon (const char *path)
{
  static const GMarkupParser parser = { start_element, NULL, NULL, NULL, NULL };
  g_autofree char *contents = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  IconCheck check = { basename, 0, NULL, FALSE };
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, 0, &check, NULL);
  g_markup_parse_context_parse (context, contents, length, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);

  g_assert_true (check.saw_svg);
  g_assert_cmpuint (check.shapes, >, 0);
  g_free (check.fill);
}

static void
test_every_channel_has_icon (void)
{
  g_autofree char *dir = icons_dir ();

  for (guint i = 0; sapa_channels[i] != NULL; i++)
    {
      const char *name = sapa_channel_icon_name (sapa_channels[i]);
      g_autofree char *file = g_strconcat (name, ".svg", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_assert_true (g_str_has_suffix (name, "-symbolic"));
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_test_message ("channel %s: no icon %s", sapa_channels[i], path);
          g_test_fail ();
        }
    }
}

static void
test_channel_icons_distinct (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; sapa_channels[i] != NULL; i++)
    {
      const char *name = sapa_channel_icon_name (sapa_channels[i]);

      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, (gpointer) name);
    }
}

static void
test_icons_are_symbolic (void)
{
  g_autofree char *dir = icons_dir ();
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint count = 0;

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_true (g_str_has_suffix (name, "-symbolic.svg"));
      check_icon (path);
      count++;
    }
  g_assert_cmpuint (count, ==, g_strv_length ((char **) sapa_channels));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel-icons/every-channel", test_every_channel_has_icon);
  g_test_add_func ("/channel-icons/distinct", test_channel_icons_distinct);
  g_test_add_func ("/channel-icons/symbolic", test_icons_are_symbolic);

  return g_test_run ();
}
