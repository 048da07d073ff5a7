/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-report"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "sapa-report.h"

G_DEFINE_QUARK (sapa-report-error-quark, sapa_report_error)

/* A4 landscape in points */
#define PAGE_WIDTH  841.89
#define PAGE_HEIGHT 595.28
#define MARGIN      36.0
#define GAP         12.0
/* the widget is never blown up more than this on a wide page */
#define MAX_SCALE   1.5

static double
show_text (cairo_t    *cr,
           const char *text,
           const char *font,
           double      x,
           double      y,
           double      width,
           double      xalign)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  int w, h;

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);

  cairo_move_to (cr, x + (width - w) * xalign, y);
  pango_cairo_show_layout (cr, layout);
  return h;
}

/* Draws the title and the subtitle lines at the top of a page; returns
 * where the content starts. */
static double
draw_header (cairo_t           *cr,
             const char        *title,
             const char *const *subtitle_lines)
{
  double y = MARGIN;
  double width = PAGE_WIDTH - 2 * MARGIN;

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  y += show_text (cr, title, "Sans Bold 16", MARGIN, y, width, 0);
  y += 4;
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  for (guint i = 0; subtitle_lines != NULL && subtitle_lines[i] != NULL; i++)
    y += show_text (cr, subtitle_lines[i], "Sans 10", MARGIN, y, width, 0) + 1;

  y += GAP / 2;
  cairo_set_source_rgb (cr, 0.75, 0.75, 0.75);
  cairo_rectangle (cr, MARGIN, y, width, 0.75);
  cairo_fill (cr);
  return y + GAP;
}

static void
draw_footer (cairo_t *cr,
             guint    page,
             guint    n_pages)
{
  /* Translators: the page number at the foot of a PDF report: "Page 1 of 3" */
  g_autofree char *text = g_strdup_printf (_("Page %u of %u"), page, n_pages);

  cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
  show_text (cr, text, "Sans 9", MARGIN, PAGE_HEIGHT - MARGIN + 8,
             PAGE_WIDTH - 2 * MARGIN, 1.0);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
content_background (GtkWidget *widget,
                    GdkRGBA   *rgba)
{
  /* the widgets draw on the window's background: keep it behind them, so
   * their text stays readable in dark mode too */
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                       "window_bg_color", rgba))
    gdk_rgba_parse (rgba, "#fafafa");
}
G_GNUC_END_IGNORE_DEPRECATIONS

gboolean
sapa_report_write_pdf (GtkWidget         *content,
                       const char        *title,
                       const char *const *subtitle_lines,
                       const char        *path,
                       GError           **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  GtkSnapshot *snapshot;
  cairo_t *cr;
  int width, height;
  double scale, top, page_content, slice;
  guint n_pages;
  GdkRGBA bg;

  g_return_val_if_fail (GTK_IS_WIDGET (content), FALSE);
  g_return_val_if_fail (title != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  width = gtk_widget_get_width (content);
  height = gtk_widget_get_height (content);
  if (width <= 0 || height <= 0 || !gtk_widget_get_mapped (content))
    {
      g_set_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_NO_SIZE,
                   _("The report can only be made from a dashboard on screen. Show the dashboard and try again."));
      return FALSE;
    }

  /* what the last frame drew of the widget */
  paintable = gtk_widget_paintable_new (content);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);

  /* a redraw is pending (the widget changed since): draw it now, through
   * its parent, moved back to the widget's own coordinates */
  if (node == NULL && gtk_widget_get_parent (content) != NULL)
    {
      GtkWidget *parent = gtk_widget_get_parent (content);
      graphene_point_t origin;

      if (gtk_widget_compute_point (content, parent, &GRAPHENE_POINT_INIT (0, 0), &origin))
        {
          snapshot = gtk_snapshot_new ();
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-origin.x, -origin.y));
          gtk_widget_snapshot_child (parent, content, snapshot);
          node = gtk_snapshot_free_to_node (snapshot);
        }
    }
  if (node == NULL)
    {
      g_set_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_NO_SIZE,
                   _("The dashboard has nothing drawn yet. Wait until its figures show and try again."));
      return FALSE;
    }
  content_background (content, &bg);

  surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_WRITE,
                   /* Translators: %s: a file name, then cairo's reason */
                   _("Could not write the report to “%s” (%s). Choose another folder and try again."),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Sapa");
  cr = cairo_create (surface);

  /* how tall a page's share of the widget is, with the header on every page */
  top = draw_header (cr, title, subtitle_lines);
  cairo_new_path (cr);
  page_content = PAGE_HEIGHT - MARGIN - GAP - top;
  scale = MIN ((PAGE_WIDTH - 2 * MARGIN) / width, MAX_SCALE);
  slice = page_content / scale;
  n_pages = MAX (1, (guint) ceil (height / slice - 1e-6));

  for (guint page = 0; page < n_pages; page++)
    {
      double part = MIN (slice, height - page * slice);

      if (page > 0)
        draw_header (cr, title, subtitle_lines);
      draw_footer (cr, page + 1, n_pages);

      cairo_save (cr);
      cairo_translate (cr, MARGIN, top);
      cairo_scale (cr, scale, scale);
      cairo_rectangle (cr, 0, 0, width, part);
      cairo_clip (cr);
      gdk_cairo_set_source_rgba (cr, &bg);
      cairo_paint (cr);
      cairo_translate (cr, 0, -(double) page * slice);
      gsk_render_node_draw (node, cr);
      cairo_restore (cr);

      cairo_show_page (cr);
    }

  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_WRITE,
                   /* Translators: %s: a file name, then cairo's reason */
                   _("Could not write the report to “%s” (%s). Choose another folder and try again."),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
