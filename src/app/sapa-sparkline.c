/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-sparkline"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sapa-sparkline.h"

struct _SapaSparkline
{
  GtkWidget       parent_instance;

  GArray         *values;   /* double */
  GArray         *norm;     /* double: values scaled to 0..1 (NAN kept) */
  SapaChartColor  color;
  GskRenderNode  *scene;
};

G_DEFINE_FINAL_TYPE (SapaSparkline, sapa_sparkline, GTK_TYPE_WIDGET)

static void
invalidate_scene (SapaSparkline *self)
{
  g_clear_pointer (&self->scene, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_accessible (SapaSparkline *self)
{
  double first = NAN, last = NAN;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->values->len; i++)
    {
      double v = g_array_index (self->values, double, i);

      if (isnan (v))
        continue;
      if (isnan (first))
        first = v;
      last = v;
    }

  if (isnan (first))
    text = g_strdup (_("Trend: no data"));
  else
    {
      a = sapa_chart_format (NULL, NULL, first);
      b = sapa_chart_format (NULL, NULL, last);
      /* Translators: the accessible description of a small trend line */
      text = g_strdup_printf (_("Trend from %s to %s"), a, b);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
build_scene (SapaSparkline *self,
             int            width,
             int            height)
{
  GtkSnapshot *snapshot;
  GdkRGBA color;
  cairo_t *cr;
  const double pad = 2.5;
  double w = width - 2 * pad, h = height - 2 * pad;
  guint n = self->norm->len;
  gboolean drawing = FALSE;
  double last_x = NAN, last_y = NAN;

  snapshot = gtk_snapshot_new ();
  sapa_chart_lookup_color (GTK_WIDGET (self), self->color, &color);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  gdk_cairo_set_source_rgba (cr, &color);

  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (self->norm, double, i);
      double x = pad + (n > 1 ? w * i / (n - 1) : w / 2);
      double y = pad + h * (1.0 - v);

      if (isnan (v))
        {
          drawing = FALSE;
          continue;
        }
      if (!drawing)
        {
          /* a lone point between gaps still shows as a dot */
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x, y);
          drawing = TRUE;
        }
      else
        cairo_line_to (cr, x, y);
      last_x = x;
      last_y = y;
    }
  cairo_stroke (cr);

  if (!isnan (last_x))
    {
      cairo_arc (cr, last_x, last_y, 2.5, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);

  self->scene = gtk_snapshot_free_to_node (snapshot);
}

static void
sapa_sparkline_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  SapaSparkline *self = SAPA_SPARKLINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;
  if (self->scene == NULL)
    build_scene (self, width, height);
  if (self->scene != NULL)
    gtk_snapshot_append_node (snapshot, self->scene);
}

static void
sapa_sparkline_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  invalidate_scene (SAPA_SPARKLINE (widget));
}

static void
sapa_sparkline_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 40;
      *natural = 120;
    }
  else
    {
      *minimum = 16;
      *natural = 32;
    }
}

static void
sapa_sparkline_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sapa_sparkline_parent_class)->css_changed (widget, change);
  invalidate_scene (SAPA_SPARKLINE (widget));
}

static void
sapa_sparkline_finalize (GObject *object)
{
  SapaSparkline *self = SAPA_SPARKLINE (object);

  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->norm, g_array_unref);
  g_clear_pointer (&self->scene, gsk_render_node_unref);

  G_OBJECT_CLASS (sapa_sparkline_parent_class)->finalize (object);
}

static void
sapa_sparkline_class_init (SapaSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = sapa_sparkline_finalize;
  widget_class->snapshot = sapa_sparkline_snapshot;
  widget_class->size_allocate = sapa_sparkline_size_allocate;
  widget_class->measure = sapa_sparkline_measure;
  widget_class->css_changed = sapa_sparkline_css_changed;

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sapa_sparkline_init (SapaSparkline *self)
{
  self->values = g_array_new (FALSE, FALSE, sizeof (double));
  self->norm = g_array_new (FALSE, FALSE, sizeof (double));
  self->color = SAPA_CHART_COLOR_ACCENT;
  update_accessible (self);
}

GtkWidget *
sapa_sparkline_new (void)
{
  return g_object_new (SAPA_TYPE_SPARKLINE, NULL);
}

void
sapa_sparkline_set_values (SapaSparkline *self,
                           const double  *values,
                           guint          n)
{
  double lo = INFINITY, hi = -INFINITY;

  g_return_if_fail (SAPA_IS_SPARKLINE (self));
  g_return_if_fail (values != NULL || n == 0);

  g_array_set_size (self->values, 0);
  g_array_set_size (self->norm, 0);
  if (n > 0)
    g_array_append_vals (self->values, values, n);

  for (guint i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        lo = MIN (lo, values[i]);
        hi = MAX (hi, values[i]);
      }
  for (guint i = 0; i < n; i++)
    {
      double v = values[i];

      if (!isfinite (v))
        v = NAN;
      else if (hi - lo < 1e-12)
        v = 0.5;   /* a flat line across the middle */
      else
        v = (v - lo) / (hi - lo);
      g_array_append_val (self->norm, v);
    }

  update_accessible (self);
  invalidate_scene (self);
}

void
sapa_sparkline_set_color (SapaSparkline  *self,
                          SapaChartColor  color)
{
  g_return_if_fail (SAPA_IS_SPARKLINE (self));

  if (self->color == color)
    return;
  self->color = color;
  invalidate_scene (self);
}

guint
sapa_sparkline_get_n_values (SapaSparkline *self)
{
  g_return_val_if_fail (SAPA_IS_SPARKLINE (self), 0);
  return self->values->len;
}
