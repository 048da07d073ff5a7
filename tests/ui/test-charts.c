/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chart widgets and the PDF report under Xvfb: each chart renders to a
 * PNG in $SAPA_SCREENSHOT_DIR that is checked for drawn content, light and
 * dark; tooltips give the exact values; keys and clicks emit the activation
 * signals with the right indices; empty data draws without criticals. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sapa/sapa-number.h>

#include "ui-test-util.h"
#include "sapa-bar-chart.h"
#include "sapa-chart-util.h"
#include "sapa-heatmap.h"
#include "sapa-i18n.h"
#include "sapa-kpi-tile.h"
#include "sapa-line-chart.h"
#include "sapa-report.h"
#include "sapa-sparkline.h"

/* -- showing and rendering --------------------------------------------------- */

static GtkWidget *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_widget_set_margin_start (child, 12);
  gtk_widget_set_margin_end (child, 12);
  gtk_widget_set_margin_top (child, 12);
  gtk_widget_set_margin_bottom (child, 12);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0);
  spin_for (150);
  return window;
}

typedef struct {
  int      width, height;
  gsize    stride;
  guchar  *data;
  GdkRGBA  bg;
} Picture;

static void
picture_free (Picture *p)
{
  g_free (p->data);
  g_free (p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Picture, picture_free)

static void
window_background (GtkWidget *widget,
                   GdkRGBA   *bg)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget),
                                                 "window_bg_color", bg));
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Renders @widget over the window's background with the window's own
 * renderer (GSK_RENDERER=cairo in the tests), saves it as
 * $SAPA_SCREENSHOT_DIR/chart-@name.png and returns the pixels. */
static Picture *
render (GtkWidget  *widget,
        const char *name)
{
  Picture *p = g_new0 (Picture, 1);
  const char *dir = g_getenv ("SAPA_SCREENSHOT_DIR");
  g_autofree char *file = g_strdup_printf ("chart-%s-%s.png", name, sapa_i18n_get_language ());
  g_autofree char *path = g_build_filename (dir && *dir ? dir : ".", file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* the paintable holds what the last frame drew: let one be drawn */
  spin_for (120);
  p->width = gtk_widget_get_width (widget);
  p->height = gtk_widget_get_height (widget);
  g_assert_cmpint (p->width, >, 0);
  window_background (widget, &p->bg);
  gtk_snapshot_append_color (snapshot, &p->bg, &GRAPHENE_RECT_INIT (0, 0, p->width, p->height));
  gdk_paintable_snapshot (paintable, snapshot, p->width, p->height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, p->width, p->height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s (%dx%d, %s)", path, p->width, p->height, G_OBJECT_TYPE_NAME (renderer));
  g_print ("# %s\n", path);

  p->stride = p->width * 4;
  p->data = g_malloc (p->stride * p->height);
  gdk_texture_download (texture, p->data, p->stride);
  return p;
}

static void
pixel (Picture *p,
       int      x,
       int      y,
       GdkRGBA *rgba)
{
  const guchar *px;

  x = CLAMP (x, 0, p->width - 1);
  y = CLAMP (y, 0, p->height - 1);
  px = p->data + y * p->stride + x * 4;
  /* CAIRO_FORMAT_ARGB32 in memory order, opaque here */
  rgba->blue = px[G_BYTE_ORDER == G_LITTLE_ENDIAN ? 0 : 3] / 255.0;
  rgba->green = px[G_BYTE_ORDER == G_LITTLE_ENDIAN ? 1 : 2] / 255.0;
  rgba->red = px[G_BYTE_ORDER == G_LITTLE_ENDIAN ? 2 : 1] / 255.0;
  rgba->alpha = px[G_BYTE_ORDER == G_LITTLE_ENDIAN ? 3 : 0] / 255.0;
}

static double
color_distance (const GdkRGBA *a,
                const GdkRGBA *b)
{
  return MAX (MAX (fabs (a->red - b->red), fabs (a->green - b->green)), fabs (a->blue - b->blue));
}

/* The pixels of the rectangle that differ from the background. */
static guint
count_drawn (Picture *p,
             int      x0,
             int      y0,
             int      x1,
             int      y1)
{
  guint n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, p->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, p->width); x++)
      {
        GdkRGBA c;

        pixel (p, x, y, &c);
        if (color_distance (&c, &p->bg) > 0.08)
          n++;
      }
  return n;
}

/* The colour found most often within 3 pixels of (@x, @y), other than the
 * background: the mark drawn there. */
static void
mark_color (Picture *p,
            double   x,
            double   y,
            GdkRGBA *out)
{
  GdkRGBA seen[64];
  guint counts[64] = { 0 }, n_seen = 0, best = 0;

  for (int dy = -3; dy <= 3; dy++)
    for (int dx = -3; dx <= 3; dx++)
      {
        GdkRGBA c;
        guint i;

        pixel (p, (int) x + dx, (int) y + dy, &c);
        if (color_distance (&c, &p->bg) < 0.08)
          continue;
        for (i = 0; i < n_seen; i++)
          if (color_distance (&c, &seen[i]) < 0.02)
            break;
        if (i == n_seen && n_seen < G_N_ELEMENTS (seen))
          seen[n_seen++] = c;
        if (i < G_N_ELEMENTS (seen))
          counts[i]++;
      }
  g_assert_cmpuint (n_seen, >, 0);
  for (guint i = 1; i < n_seen; i++)
    if (counts[i] > counts[best])
      best = i;
  *out = seen[best];
}

static void
assert_color_near (const GdkRGBA *got,
                   const GdkRGBA *want)
{
  if (color_distance (got, want) > 0.06)
    g_error ("colour %.2f,%.2f,%.2f, expected %.2f,%.2f,%.2f",
             got->red, got->green, got->blue, want->red, want->green, want->blue);
}

/* -- driving the widgets --------------------------------------------------- */

static GObject *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;   /* the widget keeps it */
    }
  g_assert_not_reached ();
}

static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_KEY),
                         "key-pressed", keyval, 0, 0, &handled);
  return handled;
}

static void
click_at (GtkWidget *widget,
          double     x,
          double     y)
{
  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_GESTURE_CLICK), "released", 1, x, y);
}

static void
hover_at (GtkWidget *widget,
          double     x,
          double     y)
{
  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_MOTION), "motion", x, y);
}

typedef struct {
  guint n;
  guint a, b;
} Activation;

static void
activated_cb (GtkWidget  *widget,
              guint       a,
              guint       b,
              Activation *act)
{
  act->n++;
  act->a = a;
  act->b = b;
}

static char *
percent_format (double   value,
                gpointer user_data)
{
  g_autofree char *number = sapa_format_decimal (value, 1);

  g_assert_cmpstr (user_data, ==, "percent");
  return g_strdup_printf ("%s%%", number);
}

static char *
expected_percent (const char *integer,
                  const char *fraction)
{
  return g_strdup_printf ("%s%s%s%%", integer, sapa_number_decimal_separator (), fraction);
}

/* -- tests ------------------------------------------------------------------- */

static void
test_locale_separator (void)
{
  /* the test runs in both languages: the numbers must follow */
  if (g_str_has_prefix (sapa_i18n_get_language (), "id"))
    g_assert_cmpstr (sapa_number_decimal_separator (), ==, ",");
  else
    g_assert_cmpstr (sapa_number_decimal_separator (), ==, ".");
}

static void
test_nice_ticks (void)
{
  double lo, hi, step;
  guint n;

  n = sapa_chart_nice_ticks (0, 87.5, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (step, ==, 25);
  g_assert_cmpfloat (hi, ==, 100);
  g_assert_cmpuint (n, ==, 5);

  n = sapa_chart_nice_ticks (-100, 100, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, -100);
  g_assert_cmpfloat (hi, ==, 100);
  g_assert_cmpfloat (step, ==, 50);
  g_assert_cmpuint (n, ==, 5);

  n = sapa_chart_nice_ticks (3, 3, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, >=, 3);
  g_assert_cmpuint (n, >=, 2);

  n = sapa_chart_nice_ticks (NAN, NAN, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 1);

  /* a count axis up to 9: whole steps (not 2.5, shown as 2 and 8) */
  n = sapa_chart_nice_ticks (0, 9, 5, &lo, &hi, &step);
  g_assert_cmpfloat (step, ==, 5);
  g_assert_cmpfloat (hi, ==, 10);

  n = sapa_chart_nice_ticks (0, 1234, 6, &lo, &hi, &step);
  g_assert_cmpfloat (step, ==, 250);
  g_assert_cmpfloat (hi, ==, 1250);
  g_assert_cmpuint (n, ==, 6);
}

static void
test_sparkline (void)
{
  const double values[] = { 3, 5, 4, NAN, 8, 9, 7, 10 };
  GtkWidget *spark = sapa_sparkline_new ();
  GtkWidget *window;
  g_autoptr(Picture) pic = NULL;

  gtk_widget_set_size_request (spark, 200, 40);
  sapa_sparkline_set_values (SAPA_SPARKLINE (spark), values, G_N_ELEMENTS (values));
  window = show_in_window (spark, 240, 80);
  pic = render (spark, "sparkline");
  g_assert_cmpuint (sapa_sparkline_get_n_values (SAPA_SPARKLINE (spark)), ==, 8);
  /* a line in the accent colour across the width */
  g_assert_cmpuint (count_drawn (pic, 0, 0, pic->width / 3, pic->height), >, 30);
  g_assert_cmpuint (count_drawn (pic, 2 * pic->width / 3, 0, pic->width, pic->height), >, 30);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
tile_activated_cb (SapaKpiTile *tile,
                   guint       *n)
{
  (*n)++;
}

static void
test_kpi_tile (void)
{
  const double series[] = { 80, 82, 81, 85, 86, 88 };
  GtkWidget *tile = sapa_kpi_tile_new ();
  GtkWidget *change, *window;
  g_autoptr(Picture) pic = NULL;
  guint activated = 0;

  g_object_set (tile, "title", "CSAT", "value", "88%", "change", "+2.5 pts",
                "trend", SAPA_KPI_TREND_GOOD, "description", "Satisfied customers", NULL);
  sapa_kpi_tile_set_series (SAPA_KPI_TILE (tile), series, G_N_ELEMENTS (series));
  g_signal_connect (tile, "activated", G_CALLBACK (tile_activated_cb), &activated);
  gtk_widget_set_size_request (tile, 220, -1);
  window = show_in_window (tile, 260, 160);

  g_assert_cmpstr (sapa_kpi_tile_get_value (SAPA_KPI_TILE (tile)), ==, "88%");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (tile), ==, "Satisfied customers");
  g_assert_true (gtk_widget_has_css_class (tile, "card"));
  g_assert_true (gtk_widget_has_css_class (tile, "activatable"));
  g_assert_true (gtk_widget_get_focusable (tile));
  g_assert_cmpuint (sapa_sparkline_get_n_values (SAPA_SPARKLINE (sapa_kpi_tile_get_sparkline (SAPA_KPI_TILE (tile)))), ==, 6);

  /* the change label is coloured by the trend */
  change = gtk_widget_get_prev_sibling (sapa_kpi_tile_get_sparkline (SAPA_KPI_TILE (tile)));
  g_assert_true (GTK_IS_LABEL (change));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (change)), ==, "+2.5 pts");
  g_assert_true (gtk_widget_has_css_class (change, "success"));
  sapa_kpi_tile_set_trend (SAPA_KPI_TILE (tile), SAPA_KPI_TREND_BAD);
  g_assert_true (gtk_widget_has_css_class (change, "error"));
  g_assert_false (gtk_widget_has_css_class (change, "success"));
  sapa_kpi_tile_set_trend (SAPA_KPI_TILE (tile), SAPA_KPI_TREND_NEUTRAL);
  g_assert_true (gtk_widget_has_css_class (change, "dim-label"));
  sapa_kpi_tile_set_trend (SAPA_KPI_TILE (tile), SAPA_KPI_TREND_GOOD);
  spin_for (100);

  pic = render (tile, "kpi-tile");
  /* title and value at the top, the sparkline at the bottom */
  g_assert_cmpuint (count_drawn (pic, 0, 0, pic->width, pic->height / 2), >, 200);
  g_assert_cmpuint (count_drawn (pic, 14, pic->height - 40, pic->width - 14, pic->height - 10), >, 40);
  {
    GdkRGBA green, got;
    GtkWidget *label = change;
    double x, y;
    graphene_rect_t bounds;
    guint found = 0;

    /* some pixel of the change text is in the success colour */
    sapa_chart_lookup_color (tile, SAPA_CHART_COLOR_SUCCESS, &green);
    g_assert_true (gtk_widget_compute_bounds (label, tile, &bounds));
    for (y = bounds.origin.y; y < bounds.origin.y + bounds.size.height; y++)
      for (x = bounds.origin.x; x < bounds.origin.x + bounds.size.width; x++)
        {
          pixel (pic, (int) x, (int) y, &got);
          if (color_distance (&got, &green) < 0.1)
            found++;
        }
    g_assert_cmpuint (found, >, 5);
  }

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_ROLE_BUTTON);
  {
    const char *tile_label = "CSAT: 88% (+2.5 pts)";

    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_LABEL, tile_label);
  }
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (tile), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Satisfied customers");

  /* Enter/Space through the activate signal, and a click */
  g_assert_true (gtk_widget_activate (tile));
  g_assert_cmpuint (activated, ==, 1);
  click_at (tile, 20, 20);
  g_assert_cmpuint (activated, ==, 2);
  /* a release outside the tile (dragged away) does nothing */
  click_at (tile, -50, -50);
  g_assert_cmpuint (activated, ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
make_line_chart (void)
{
  GtkWidget *chart = sapa_line_chart_new ();
  const char *labels[10];
  double csat[10], nps[10];

  for (guint i = 0; i < 10; i++)
    {
      labels[i] = g_intern_string (g_strdup_printf ("%u Nov", i + 1));
      csat[i] = 80 + i;
      nps[i] = 20 + 2 * i;
    }
  csat[3] = 87.5;
  nps[6] = NAN;   /* a gap */
  sapa_line_chart_set_title (SAPA_LINE_CHART (chart), "CSAT and NPS");
  sapa_line_chart_set_labels (SAPA_LINE_CHART (chart), labels, 10);
  sapa_line_chart_add_series (SAPA_LINE_CHART (chart), "CSAT", csat, 10, SAPA_CHART_COLOR_SERIES_1);
  sapa_line_chart_add_series (SAPA_LINE_CHART (chart), "NPS", nps, 10, SAPA_CHART_COLOR_SERIES_2);
  sapa_line_chart_set_y_range (SAPA_LINE_CHART (chart), 0, 100);
  sapa_line_chart_set_format (SAPA_LINE_CHART (chart), percent_format, (gpointer) "percent", NULL);
  return chart;
}

static void
check_line_colors (GtkWidget  *chart,
                   Picture    *pic)
{
  GdkRGBA want1, want2, got1, got2;
  double x, y;

  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_SERIES_1, &want1);
  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_SERIES_2, &want2);
  g_assert_cmpfloat (color_distance (&want1, &want2), >, 0.3);

  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 5, &x, &y));
  mark_color (pic, x, y, &got1);
  assert_color_near (&got1, &want1);
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 1, 5, &x, &y));
  mark_color (pic, x, y, &got2);
  assert_color_near (&got2, &want2);
  g_assert_cmpfloat (color_distance (&got1, &got2), >, 0.3);
}

static void
test_line_chart (void)
{
  GtkWidget *chart = make_line_chart ();
  GtkWidget *window;
  g_autoptr(Picture) pic = NULL;
  g_autofree char *tip = NULL;
  g_autofree char *want = NULL;
  Activation act = { 0 };
  double x, y, x6, y6;
  guint s, i;

  g_signal_connect (chart, "point-activated", G_CALLBACK (activated_cb), &act);
  window = show_in_window (chart, 640, 320);
  pic = render (chart, "line");

  /* 10 + 9 points (one gap) */
  g_assert_cmpuint (sapa_chart_get_n_items (chart), ==, 19);
  g_assert_false (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 1, 6, NULL, NULL));
  g_assert_cmpuint (count_drawn (pic, pic->width / 4, 0, pic->width, pic->height - 30), >, 500);
  check_line_colors (chart, pic);

  /* higher values are drawn higher */
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 0, &x, &y));
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 9, &x6, &y6));
  g_assert_cmpfloat (y6, <, y);
  g_assert_cmpfloat (x6, >, x);

  /* the tooltip over a point: exact value, formatted */
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 3, &x, &y));
  tip = sapa_chart_tooltip_at (chart, x, y);
  {
    g_autofree char *v = expected_percent ("87", "5");

    want = g_strdup_printf (_("%s, %s: %s"), "CSAT", "4 Nov", v);
  }
  g_assert_cmpstr (tip, ==, want);
  g_clear_pointer (&tip, g_free);
  g_clear_pointer (&want, g_free);
  /* nearer the NPS line: the NPS value */
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 1, 3, &x, &y));
  tip = sapa_chart_tooltip_at (chart, x, y + 2);
  {
    g_autofree char *v = expected_percent ("26", "0");

    want = g_strdup_printf (_("%s, %s: %s"), "NPS", "4 Nov", v);
  }
  g_assert_cmpstr (tip, ==, want);
  g_clear_pointer (&tip, g_free);
  /* outside the plot: none */
  g_assert_null (sapa_chart_tooltip_at (chart, 1, 1));

  /* GTK asks through query-tooltip: shown over a point, not elsewhere */
  {
    GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
    gboolean shown = FALSE;

    g_signal_emit_by_name (chart, "query-tooltip", (int) x, (int) y + 2, FALSE, tooltip, &shown);
    g_assert_true (shown);
    shown = TRUE;
    g_signal_emit_by_name (chart, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
    g_assert_false (shown);
    g_object_unref (tooltip);
  }

  /* what a screen reader hears */
  {
    g_autofree char *from_csat = expected_percent ("80", "0");
    g_autofree char *to_csat = expected_percent ("89", "0");
    g_autofree char *from_nps = expected_percent ("20", "0");
    g_autofree char *to_nps = expected_percent ("38", "0");
    g_autofree char *csat_part = g_strdup_printf (_("from %s to %s"), from_csat, to_csat);
    g_autofree char *nps_part = g_strdup_printf (_("from %s to %s"), from_nps, to_nps);
    g_autofree char *label = g_strdup_printf ("CSAT and NPS, CSAT %s; NPS %s", csat_part, nps_part);
    g_autofree char *description =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u point, from %s to %s", "%u points, from %s to %s", 10),
                       10, "1 Nov", "10 Nov");

    gtk_test_accessible_assert_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL, label);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
  }

  /* hover draws a highlight */
  hover_at (chart, x, y);
  spin_for (50);
  {
    g_autoptr(Picture) hovered = render (chart, "line-hover");

    g_assert_cmpuint (count_drawn (hovered, x - 8, y - 8, x + 8, y + 8), >,
                      count_drawn (pic, x - 8, y - 8, x + 8, y + 8));
  }

  /* keyboard: the first point, Right x3, Down to the next series, Enter */
  gtk_widget_grab_focus (chart);
  g_assert_true (gtk_widget_has_focus (chart));
  g_assert_true (press_key (chart, GDK_KEY_Right));   /* takes the first point */
  g_assert_true (sapa_line_chart_get_focus_point (SAPA_LINE_CHART (chart), &s, &i));
  g_assert_cmpuint (s, ==, 0);
  g_assert_cmpuint (i, ==, 0);
  press_key (chart, GDK_KEY_Right);
  press_key (chart, GDK_KEY_Right);
  press_key (chart, GDK_KEY_Right);
  press_key (chart, GDK_KEY_Down);
  g_assert_true (sapa_line_chart_get_focus_point (SAPA_LINE_CHART (chart), &s, &i));
  g_assert_cmpuint (s, ==, 1);
  g_assert_cmpuint (i, ==, 3);
  g_assert_true (press_key (chart, GDK_KEY_Return));
  g_assert_cmpuint (act.n, ==, 1);
  g_assert_cmpuint (act.a, ==, 1);
  g_assert_cmpuint (act.b, ==, 3);
  /* Right from 5 skips the gap at 6 */
  press_key (chart, GDK_KEY_Right);
  press_key (chart, GDK_KEY_Right);
  press_key (chart, GDK_KEY_Right);
  g_assert_true (sapa_line_chart_get_focus_point (SAPA_LINE_CHART (chart), &s, &i));
  g_assert_cmpuint (i, ==, 7);
  g_assert_true (press_key (chart, GDK_KEY_space));
  g_assert_cmpuint (act.n, ==, 2);
  g_assert_cmpuint (act.b, ==, 7);

  /* a focus mark is drawn where the focus is */
  {
    g_autoptr(Picture) focused = render (chart, "line-focus");
    GdkRGBA accent, got;
    guint ring = 0;

    g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 1, 7, &x, &y));
    sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_ACCENT, &accent);
    for (int dy = -8; dy <= 8; dy++)
      for (int dx = -8; dx <= 8; dx++)
        {
          pixel (focused, x + dx, y + dy, &got);
          if (color_distance (&got, &accent) < 0.1)
            ring++;
        }
    g_assert_cmpuint (ring, >, 10);
  }

  /* a click on a point */
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 8, &x, &y));
  click_at (chart, x, y);
  g_assert_cmpuint (act.n, ==, 3);
  g_assert_cmpuint (act.a, ==, 0);
  g_assert_cmpuint (act.b, ==, 8);

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
make_bar_chart (GtkOrientation orientation,
                gboolean       stacked)
{
  const char *labels[] = { "Walk-in", "Phone", "WhatsApp", "Email, web" };
  const char *segments[] = { "Met", "Missed" };
  const double values[] = { 120, 30, 80, 12.5, 1234, 300, 40, NAN };
  const SapaChartColor colors[] = { SAPA_CHART_COLOR_SUCCESS, SAPA_CHART_COLOR_ERROR };
  GtkWidget *chart = sapa_bar_chart_new ();

  g_object_set (chart, "orientation", orientation, "stacked", stacked, NULL);
  sapa_bar_chart_set_title (SAPA_BAR_CHART (chart), "SLA by channel");
  sapa_bar_chart_set_data (SAPA_BAR_CHART (chart), labels, 4, segments, 2, values, colors);
  return chart;
}

static void
check_bar_chart (GtkOrientation  orientation,
                 gboolean        stacked,
                 const char     *name)
{
  GtkWidget *chart = make_bar_chart (orientation, stacked);
  GtkWidget *window;
  g_autoptr(Picture) pic = NULL;
  g_autofree char *tip = NULL;
  g_autofree char *want = NULL;
  g_autofree char *big = NULL;
  Activation act = { 0 };
  GdkRGBA green, red, got;
  double x, y, x2, y2;
  guint bar, seg;

  g_signal_connect (chart, "bar-activated", G_CALLBACK (activated_cb), &act);
  window = show_in_window (chart, 560, 340);
  pic = render (chart, name);

  g_assert_cmpuint (sapa_chart_get_n_items (chart), ==, 7);   /* one NAN */
  g_assert_false (sapa_bar_chart_get_bar_position (SAPA_BAR_CHART (chart), 3, 1, NULL, NULL));
  g_assert_cmpuint (count_drawn (pic, 0, 0, pic->width, pic->height), >, 2000);

  /* the segments in their colours */
  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_SUCCESS, &green);
  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_ERROR, &red);
  g_assert_true (sapa_bar_chart_get_bar_position (SAPA_BAR_CHART (chart), 2, 0, &x, &y));
  mark_color (pic, x, y, &got);
  assert_color_near (&got, &green);
  g_assert_true (sapa_bar_chart_get_bar_position (SAPA_BAR_CHART (chart), 2, 1, &x2, &y2));
  mark_color (pic, x2, y2, &got);
  assert_color_near (&got, &red);
  if (stacked)
    {
      /* one above the other (or after it on its side) */
      if (orientation == GTK_ORIENTATION_VERTICAL)
        {
          g_assert_cmpfloat (fabs (x - x2), <, 1);
          g_assert_cmpfloat (y2, <, y);
        }
      else
        {
          g_assert_cmpfloat (fabs (y - y2), <, 1);
          g_assert_cmpfloat (x2, >, x);
        }
    }
  else if (orientation == GTK_ORIENTATION_VERTICAL)
    g_assert_cmpfloat (x2, >, x);
  else
    g_assert_cmpfloat (y2, >, y);

  /* tooltips: the exact value with the thousands separator, and a decimal */
  tip = sapa_chart_tooltip_at (chart, x, y);
  big = sapa_format_decimal (1234, 0);
  want = g_strdup_printf (_("%s, %s: %s"), "WhatsApp", "Met", big);
  g_assert_cmpstr (tip, ==, want);
  if (sapa_number_thousands_separator ()[0] != '\0')
    g_assert_cmpstr (big, !=, "1234");
  g_clear_pointer (&tip, g_free);
  g_clear_pointer (&want, g_free);
  sapa_bar_chart_set_format (SAPA_BAR_CHART (chart), percent_format, (gpointer) "percent", NULL);
  g_assert_true (sapa_bar_chart_get_bar_position (SAPA_BAR_CHART (chart), 1, 1, &x, &y));
  tip = sapa_chart_tooltip_at (chart, x, y);
  {
    g_autofree char *v = expected_percent ("12", "5");

    want = g_strdup_printf (_("%s, %s: %s"), "Phone", "Missed", v);
  }
  g_assert_cmpstr (tip, ==, want);

  /* keyboard: Enter on the first bar, then along the bars and across the segments */
  gtk_widget_grab_focus (chart);
  g_assert_true (press_key (chart, GDK_KEY_Return));
  g_assert_cmpuint (act.n, ==, 1);
  g_assert_cmpuint (act.a, ==, 0);
  g_assert_cmpuint (act.b, ==, 0);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      press_key (chart, GDK_KEY_Right);
      press_key (chart, GDK_KEY_Right);
      press_key (chart, GDK_KEY_Up);        /* up the stack: the second segment */
    }
  else
    {
      press_key (chart, GDK_KEY_Down);
      press_key (chart, GDK_KEY_Down);
      press_key (chart, GDK_KEY_Right);
    }
  g_assert_true (sapa_bar_chart_get_focus_bar (SAPA_BAR_CHART (chart), &bar, &seg));
  g_assert_cmpuint (bar, ==, 2);
  g_assert_cmpuint (seg, ==, 1);
  g_assert_true (press_key (chart, GDK_KEY_KP_Enter));
  g_assert_cmpuint (act.n, ==, 2);
  g_assert_cmpuint (act.a, ==, 2);
  g_assert_cmpuint (act.b, ==, 1);
  /* the last bar has no second segment: the focus stays */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    press_key (chart, GDK_KEY_Right);
  else
    press_key (chart, GDK_KEY_Down);
  g_assert_true (sapa_bar_chart_get_focus_bar (SAPA_BAR_CHART (chart), &bar, &seg));
  g_assert_cmpuint (bar, ==, 2);

  /* a click on a bar */
  g_assert_true (sapa_bar_chart_get_bar_position (SAPA_BAR_CHART (chart), 3, 0, &x, &y));
  click_at (chart, x, y);
  g_assert_cmpuint (act.n, ==, 3);
  g_assert_cmpuint (act.a, ==, 3);
  g_assert_cmpuint (act.b, ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bar_vertical (void)
{
  check_bar_chart (GTK_ORIENTATION_VERTICAL, FALSE, "bar-vertical");
}

static void
test_bar_horizontal (void)
{
  check_bar_chart (GTK_ORIENTATION_HORIZONTAL, FALSE, "bar-horizontal");
}

static void
test_bar_stacked (void)
{
  check_bar_chart (GTK_ORIENTATION_VERTICAL, TRUE, "bar-stacked");
}

static void
test_bar_stacked_horizontal (void)
{
  check_bar_chart (GTK_ORIENTATION_HORIZONTAL, TRUE, "bar-stacked-horizontal");
}

static void
test_heatmap (void)
{
  const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  const char *hours[24];
  double values[7 * 24];
  GtkWidget *chart = sapa_heatmap_new ();
  GtkWidget *window;
  g_autoptr(Picture) pic = NULL;
  g_autofree char *tip = NULL;
  Activation act = { 0 };
  GdkRGBA low, high;
  double x, y, x2, y2;
  guint r, c;

  for (guint h = 0; h < 24; h++)
    hours[h] = g_intern_string (g_strdup_printf ("%02u", h));
  for (guint i = 0; i < 7 * 24; i++)
    values[i] = (i % 24 >= 8 && i % 24 < 17) ? 10 + i % 24 : 0;
  values[1 * 24 + 10] = 1234;
  values[6 * 24 + 23] = NAN;
  sapa_heatmap_set_title (SAPA_HEATMAP (chart), "Volume by hour");
  sapa_heatmap_set_data (SAPA_HEATMAP (chart), values, 7, 24, days, hours);
  g_signal_connect (chart, "cell-activated", G_CALLBACK (activated_cb), &act);
  window = show_in_window (chart, 720, 280);
  pic = render (chart, "heatmap");

  g_assert_cmpuint (sapa_chart_get_n_items (chart), ==, 7 * 24 - 1);
  g_assert_cmpuint (count_drawn (pic, 0, 0, pic->width, pic->height), >, 3000);

  /* the busiest cell is darker/stronger than a quiet one */
  g_assert_true (sapa_heatmap_get_cell_position (SAPA_HEATMAP (chart), 1, 10, &x, &y));
  g_assert_true (sapa_heatmap_get_cell_position (SAPA_HEATMAP (chart), 1, 2, &x2, &y2));
  pixel (pic, x, y, &high);
  pixel (pic, x2, y2, &low);
  g_assert_cmpfloat (color_distance (&high, &pic->bg), >, color_distance (&low, &pic->bg) + 0.2);

  {
    g_autofree char *big = sapa_format_decimal (1234, 0);
    g_autofree char *want = g_strdup_printf (_("%s %s: %s"), "Tue", "10", big);

    tip = sapa_chart_tooltip_at (chart, x, y);
    g_assert_cmpstr (tip, ==, want);
  }

  gtk_widget_grab_focus (chart);
  press_key (chart, GDK_KEY_Down);   /* takes the first cell */
  press_key (chart, GDK_KEY_Down);
  press_key (chart, GDK_KEY_Down);
  press_key (chart, GDK_KEY_Right);
  g_assert_true (sapa_heatmap_get_focus_cell (SAPA_HEATMAP (chart), &r, &c));
  g_assert_cmpuint (r, ==, 2);
  g_assert_cmpuint (c, ==, 1);
  g_assert_true (press_key (chart, GDK_KEY_Return));
  g_assert_cmpuint (act.n, ==, 1);
  g_assert_cmpuint (act.a, ==, 2);
  g_assert_cmpuint (act.b, ==, 1);

  click_at (chart, x, y);
  g_assert_cmpuint (act.n, ==, 2);
  g_assert_cmpuint (act.a, ==, 1);
  g_assert_cmpuint (act.b, ==, 10);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_dark (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *chart = make_line_chart ();
  GtkWidget *window = show_in_window (chart, 640, 320);
  g_autoptr(Picture) light = render (chart, "line-light");
  g_autoptr(Picture) dark = NULL;
  GdkRGBA light_series, dark_series;
  double x, y;

  g_assert_false (sapa_chart_is_dark (chart));
  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_SERIES_1, &light_series);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_UNTIL (sapa_chart_is_dark (chart));
  spin_for (150);
  dark = render (chart, "line-dark");

  /* a dark background, the lines still drawn, in the dark palette */
  g_assert_cmpfloat (dark->bg.red + dark->bg.green + dark->bg.blue, <, 1.0);
  g_assert_cmpfloat (light->bg.red + light->bg.green + light->bg.blue, >, 2.0);
  g_assert_cmpuint (count_drawn (dark, dark->width / 4, 0, dark->width, dark->height - 30), >, 500);
  sapa_chart_lookup_color (chart, SAPA_CHART_COLOR_SERIES_1, &dark_series);
  g_assert_cmpfloat (color_distance (&light_series, &dark_series), >, 0.1);
  check_line_colors (chart, dark);
  /* the axis labels are light text now */
  g_assert_true (sapa_line_chart_get_point_position (SAPA_LINE_CHART (chart), 0, 0, &x, &y));
  g_assert_cmpuint (count_drawn (dark, 0, 0, (int) x - 4, dark->height), >, 50);

  {
    GtkWidget *bars = make_bar_chart (GTK_ORIENTATION_VERTICAL, TRUE);
    GtkWidget *w2 = show_in_window (bars, 560, 340);
    g_autoptr(Picture) pic = render (bars, "bar-stacked-dark");

    g_assert_cmpuint (count_drawn (pic, 0, 0, pic->width, pic->height), >, 2000);
    gtk_window_destroy (GTK_WINDOW (w2));
  }

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  WAIT_UNTIL (!sapa_chart_is_dark (chart));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_empty (void)
{
  const double nans[] = { NAN, NAN, NAN };
  const char *labels[] = { "1 Nov", "2 Nov", "3 Nov" };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = sapa_line_chart_new ();
  GtkWidget *line_none = sapa_line_chart_new ();
  GtkWidget *bars = sapa_bar_chart_new ();
  GtkWidget *bars_none = sapa_bar_chart_new ();
  GtkWidget *heat = sapa_heatmap_new ();
  GtkWidget *spark = sapa_sparkline_new ();
  GtkWidget *window;

  sapa_line_chart_set_labels (SAPA_LINE_CHART (line), labels, 3);
  sapa_line_chart_add_series (SAPA_LINE_CHART (line), "CSAT", nans, 3, SAPA_CHART_COLOR_ACCENT);
  sapa_bar_chart_set_data (SAPA_BAR_CHART (bars), labels, 3, NULL, 1, nans, NULL);
  sapa_bar_chart_set_data (SAPA_BAR_CHART (bars_none), NULL, 0, NULL, 0, NULL, NULL);
  sapa_heatmap_set_data (SAPA_HEATMAP (heat), nans, 1, 3, NULL, labels);
  sapa_sparkline_set_values (SAPA_SPARKLINE (spark), nans, 3);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), line_none);
  gtk_box_append (GTK_BOX (box), bars);
  gtk_box_append (GTK_BOX (box), bars_none);
  gtk_box_append (GTK_BOX (box), heat);
  gtk_box_append (GTK_BOX (box), spark);
  window = show_in_window (box, 500, 900);

  /* nothing to point at, nothing to activate */
  g_assert_cmpuint (sapa_chart_get_n_items (line), ==, 0);
  g_assert_cmpuint (sapa_chart_get_n_items (bars), ==, 0);
  g_assert_cmpuint (sapa_chart_get_n_items (heat), ==, 0);
  g_assert_null (sapa_chart_tooltip_at (line, gtk_widget_get_width (line) / 2.0,
                                        gtk_widget_get_height (line) / 2.0));
  gtk_widget_grab_focus (bars);
  g_assert_false (press_key (bars, GDK_KEY_Return));
  g_assert_false (press_key (line, GDK_KEY_Right));

  {
    g_autoptr(Picture) p_line = render (line, "empty-line");
    g_autoptr(Picture) p_bars = render (bars_none, "empty-bars");
    g_autoptr(Picture) p_spark = render (spark, "empty-sparkline");
    int w = p_line->width, h = p_line->height;

    /* the axes and the day labels, no line: the middle of the plot stays empty */
    g_assert_cmpuint (count_drawn (p_line, 0, 0, w, h), >, 50);
    g_assert_cmpuint (count_drawn (p_line, w / 4, h / 4, 3 * w / 4, 3 * h / 4), ==, 0);
    g_assert_cmpuint (count_drawn (p_bars, 0, 0, p_bars->width, p_bars->height), >, 20);
    g_assert_cmpuint (count_drawn (p_spark, 0, 0, p_spark->width, p_spark->height), ==, 0);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static char *
run_pdftotext (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("pdftotext: %s (install poppler-utils)", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

static void
check_report_text (const char *text)
{
  g_assert_nonnull (strstr (text, "Sapa dashboard"));
  g_assert_nonnull (strstr (text, "Period: 1 Nov 2026"));
  g_assert_nonnull (strstr (text, "Branch: Menteng"));
  /* the chart's day labels */
  g_assert_nonnull (strstr (text, "4 Nov"));
  /* more than one page, numbered */
  {
    guint n_pages = 0;

    for (guint n = 2; n < 10 && n_pages == 0; n++)
      {
        g_autofree char *last = g_strdup_printf (_("Page %u of %u"), n, n);
        g_autofree char *beyond = g_strdup_printf (_("Page %u of %u"), n + 1, n + 1);

        if (strstr (text, last) != NULL && strstr (text, beyond) == NULL)
          n_pages = n;
      }
    g_assert_cmpuint (n_pages, >=, 2);
    for (guint i = 1; i <= n_pages; i++)
      {
        g_autofree char *foot = g_strdup_printf (_("Page %u of %u"), i, n_pages);

        g_assert_nonnull (strstr (text, foot));
      }
  }
}

static void
test_report_pdf (void)
{
  const double csat[] = { 82, 84, 83, 86, 87.5, 88 };
  const char *days[] = { "1 Nov", "2 Nov", "3 Nov", "4 Nov", "5 Nov", "6 Nov" };
  const char *lines[] = { "Period: 1 Nov 2026 – 6 Nov 2026", "Branch: Menteng · Channel: all", NULL };
  const char *dir = g_getenv ("SAPA_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir && *dir ? dir : ".", g_str_has_prefix (sapa_i18n_get_language (), "id") ? "chart-report-id.pdf" : "chart-report.pdf", NULL);
  g_autofree char *bad_path = g_build_filename (dir && *dir ? dir : ".", "no-such-dir", "r.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *tile = sapa_kpi_tile_new ();
  GtkWidget *line = sapa_line_chart_new ();
  GtkWidget *label, *window;
  GStatBuf st;

  g_object_set (tile, "title", "CSAT", "value", "88.0%", "change", "+6 pts", NULL);
  sapa_kpi_tile_set_series (SAPA_KPI_TILE (tile), csat, 6);
  sapa_line_chart_set_labels (SAPA_LINE_CHART (line), days, 6);
  sapa_line_chart_add_series (SAPA_LINE_CHART (line), "CSAT", csat, 6, SAPA_CHART_COLOR_ACCENT);
  gtk_widget_set_size_request (line, -1, 300);
  gtk_box_append (GTK_BOX (box), tile);
  gtk_box_append (GTK_BOX (box), line);
  /* tall enough for a second page */
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *more = sapa_line_chart_new ();

      sapa_line_chart_set_labels (SAPA_LINE_CHART (more), days, 6);
      sapa_line_chart_add_series (SAPA_LINE_CHART (more), "CSAT", csat, 6, SAPA_CHART_COLOR_SERIES_2);
      gtk_widget_set_size_request (more, -1, 300);
      gtk_box_append (GTK_BOX (box), more);
    }
  /* drawn on the last page: later pages hold the rest of the widget */
  gtk_box_append (GTK_BOX (box), gtk_label_new ("End of the dashboard"));

  /* a widget never shown has no size: refused with a clear message */
  label = g_object_ref_sink (gtk_label_new ("Not shown"));
  g_assert_false (sapa_report_write_pdf (label, "Title", NULL, path, &error));
  g_assert_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_NO_SIZE);
  g_assert_cmpstr (error->message, ==,
                   _("The report can only be made from a dashboard on screen. Show the dashboard and try again."));
  g_clear_error (&error);
  g_object_unref (label);

  window = show_in_window (box, 900, 1400);
  g_unlink (path);
  g_assert_true (sapa_report_write_pdf (box, "Sapa dashboard", lines, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 2000);
  g_print ("# %s\n", path);

  text = run_pdftotext (path);
  g_test_message ("pdftotext: %s", text);
  check_report_text (text);
  /* the figure on the tile */
  g_assert_nonnull (strstr (text, "88.0%"));
  g_assert_nonnull (strstr (text, "End of the dashboard"));
  g_clear_pointer (&text, g_free);

  /* with a redraw pending (a chart changed colour, the pointer left a
   * tile), before the next frame: the same report */
  gtk_widget_queue_draw (line);
  {
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (box);
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;

    gdk_paintable_snapshot (paintable, snapshot, 100, 100);
    node = gtk_snapshot_free_to_node (snapshot);
    g_assert_null (node);   /* nothing from the last frame to reuse */
  }
  g_unlink (path);
  g_assert_true (sapa_report_write_pdf (box, "Sapa dashboard", lines, path, &error));
  g_assert_no_error (error);
  text = run_pdftotext (path);
  check_report_text (text);
  g_assert_nonnull (strstr (text, "88.0%"));
  /* an unwritable place: an error, not a crash */
  g_assert_false (sapa_report_write_pdf (box, "Sapa dashboard", lines, bad_path, &error));
  g_assert_error (error, SAPA_REPORT_ERROR, SAPA_REPORT_ERROR_WRITE);
  g_clear_error (&error);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  /* an accessibility context the test can read back (the other UI tests
   * run with none) */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  /* after gtk_test_init, which sets en_US.UTF-8: numbers follow LANGUAGE */
  sapa_i18n_init ();
  adw_init ();

  g_test_add_func ("/charts/locale", test_locale_separator);
  g_test_add_func ("/charts/nice-ticks", test_nice_ticks);
  g_test_add_func ("/charts/sparkline", test_sparkline);
  g_test_add_func ("/charts/kpi-tile", test_kpi_tile);
  g_test_add_func ("/charts/line", test_line_chart);
  g_test_add_func ("/charts/bar-vertical", test_bar_vertical);
  g_test_add_func ("/charts/bar-horizontal", test_bar_horizontal);
  g_test_add_func ("/charts/bar-stacked", test_bar_stacked);
  g_test_add_func ("/charts/bar-stacked-horizontal", test_bar_stacked_horizontal);
  g_test_add_func ("/charts/heatmap", test_heatmap);
  g_test_add_func ("/charts/dark", test_dark);
  g_test_add_func ("/charts/empty", test_empty);
  g_test_add_func ("/charts/report-pdf", test_report_pdf);
  return g_test_run ();
}
