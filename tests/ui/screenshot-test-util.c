/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "screenshot-test-util.h"

typedef struct {
  const char *path;
  guint       frames;
  gboolean    done;
  gboolean    saved;
} Shot;

char *
sapa_test_screenshot_path (const char *name)
{
  const char *dir = g_getenv ("SAPA_SCREENSHOT_DIR");

  return g_build_filename (dir && *dir ? dir : ".", name, NULL);
}

static gboolean
shoot_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       user_data)
{
  Shot *shot = user_data;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;

  /* a few frames so the window is mapped, sized and styled */
  if (width == 0 || ++shot->frames < 5)
    return G_SOURCE_CONTINUE;

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  /* nothing drawn yet: the next frame */
  if (node == NULL)
    return G_SOURCE_CONTINUE;
  renderer = gtk_native_get_renderer (GTK_NATIVE (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  shot->saved = gdk_texture_save_to_png (texture, shot->path);
  g_test_message ("%s: %dx%d with %s", shot->path, width, height, G_OBJECT_TYPE_NAME (renderer));
  shot->done = TRUE;
  return G_SOURCE_REMOVE;
}

void
sapa_test_save_screenshot (GtkWidget  *widget,
                           const char *path)
{
  Shot shot = { .path = path };
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  gtk_widget_queue_draw (widget);
  gtk_widget_add_tick_callback (widget, shoot_cb, &shot, NULL);
  while (!shot.done && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  if (!shot.done)
    g_error ("Timed out waiting for a screenshot of %s", G_OBJECT_TYPE_NAME (widget));
  g_assert_true (shot.saved);
}
